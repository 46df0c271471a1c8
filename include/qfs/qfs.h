/*
 * qfs/qfs.h - the whole public API of libqfs.
 *
 * qfs is a deterministic replay state machine for the Harmonic token economy:
 * events (proto/qfs/v1/event.proto) are appended to a checksummed,
 * hash-chained log (qfs/log.h), decoded (qfs/codec.h, qfs/json.h) and folded
 * by a pure transition function into a state whose canonical encoding hashes
 * to the same value on every run, build and machine (qfs/state.h).
 */
#ifndef QFS_QFS_H
#define QFS_QFS_H

#include "qfs/arena.h"
#include "qfs/auth.h"
#include "qfs/codec.h"
#include "qfs/common.h"
#include "qfs/event.h"
#include "qfs/evidence.h"
#include "qfs/fixed.h"
#include "qfs/json.h"
#include "qfs/log.h"
#include "qfs/params.h"
#include "qfs/state.h"

#endif
