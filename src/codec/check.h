/*
 * codec/check.h - value checks shared by the protobuf decoder, the JSON
 * parser and the encoders, so that both input formats accept exactly the same
 * events and name the offending field the same way.
 *
 * Every check returns QFS_OK or the caller's `fail` code (QFS_E_DECODE for
 * protobuf, QFS_E_PARSE for JSON, QFS_E_INVALID_ARG for encoding) after writing
 * "<where>: <what is wrong>" into `diag` (which may be NULL).
 */
#ifndef QFS_CODEC_CHECK_H
#define QFS_CODEC_CHECK_H

#include "qfs/arena.h"
#include "qfs/event.h"
#include "qfs/params.h"

/* Sets *out from len bytes; names the rule that the bytes break. */
qfs_err codec_check_id(qfs_id *out, const char *s, size_t len, const char *where, qfs_err fail,
                       qfs_diag *diag);

/* A ratio documented as 0 to 1 inclusive must be at most 10^18. */
qfs_err codec_check_unit_fp18(uint64_t v, const char *where, qfs_err fail, qfs_diag *diag);

/* Finds the parameter named by `name`; "unknown parameter" otherwise. */
qfs_err codec_check_param_name(const qfs_param_def **out, const qfs_id *name, const char *where, qfs_err fail,
                               qfs_diag *diag);

/* The value must lie in [def->min_value, def->max_value]. */
qfs_err codec_check_param_range(const qfs_param_def *def, qfs_amount value, const char *where, qfs_err fail,
                                qfs_diag *diag);

/* Counts, unique parameter names, unique account ids, known account kinds,
 * and no balance at index 0 of a genesis. Scratch comes from `scratch` when
 * it is not NULL, else from malloc (genesis happens once per log). */
qfs_err codec_check_genesis(const qfs_ev_genesis *g, qfs_arena *scratch, qfs_err fail, qfs_diag *diag);

/* Every rule the codec enforces, applied to an in-memory event; used before
 * encoding or formatting so that nothing invalid is ever written. */
qfs_err codec_check_event(const qfs_event *ev, qfs_err fail, qfs_diag *diag);

#endif
