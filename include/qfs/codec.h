/*
 * qfs/codec.h - qfs_event <-> protobuf bytes (the wire format of proto/qfs/v1).
 *
 * This module is the only place that sees protobuf-c generated code. Encoding
 * is canonical: the same qfs_event always gives the same bytes (fields in
 * field-number order, default values omitted, genesis balances sorted by
 * asset). Decoding validates everything the schema can say: ids, enums,
 * parameter names, uniqueness inside genesis, sizes. A decoded event that
 * re-encodes to other bytes (a non-canonical encoding) is accepted; the log
 * stores the bytes as written.
 */
#ifndef QFS_CODEC_H
#define QFS_CODEC_H

#include "qfs/arena.h"
#include "qfs/event.h"

#ifdef __cplusplus
extern "C" {
#endif

/* XXH3-128 fingerprint of the event schema, computed from the compiled
 * protobuf descriptors (message and field names, numbers, types, labels,
 * oneofs, enum values), so comments and formatting do not change it. The text
 * hashed is defined in docs/EVENTS.md ("Schema hash") and is the same on every
 * machine. Stored in every log header. */
void qfs_codec_schema_hash(qfs_hash128 *out);

/* Size of the canonical encoding of `ev`. `ev` must be valid. Returns 0 when
 * the kind is unknown or when the scratch a genesis needs cannot be
 * allocated (no valid event encodes to 0 bytes: the body is always there). */
size_t qfs_codec_encoded_size(const qfs_event *ev);

/* Encodes `ev` into buf[0..cap). `ev` is checked first with the same rules
 * decoding applies, so nothing written can fail to decode: QFS_E_INVALID_ARG
 * when it is not valid (an unknown kind or enum, a bad id, a fraction above 1,
 * an unknown or out-of-range parameter, a duplicate in genesis). QFS_E_LIMIT
 * when it does not fit in `cap` or exceeds QFS_EVENT_BYTES_MAX. Writes the
 * length to *len_out. A genesis allocates temporary memory (QFS_E_NOMEM);
 * other kinds encode from the stack. */
qfs_err qfs_codec_encode(const qfs_event *ev, uint8_t *buf, size_t cap, size_t *len_out);

/* Decodes `len` bytes into *out. Scratch and the genesis arrays are allocated
 * from `arena` (required; not reset here, never freed piecemeal; nothing else
 * is allocated); *out stays valid until the arena is reset. QFS_E_DECODE with
 * a message naming the field in `diag` (and for wire-level faults
 * diag->byte_offset, an offset inside the `len` event bytes, not in a file) for any malformed or invalid
 * input: bad protobuf, unknown fields at any depth, no body, an unset or unknown enum value, a bad id (NUL
 * bytes included), a fraction above 1, a missing proposal change, an unknown or out-of-range parameter, a
 * duplicate genesis account, parameter or balance, too many genesis entries. QFS_E_LIMIT when len >
 * QFS_EVENT_BYTES_MAX; QFS_E_NOMEM when the arena cannot grow. *out is unchanged on error. Never asserts on
 * input. docs/EVENTS.md lists every rule. */
qfs_err qfs_codec_decode(qfs_event *out, const uint8_t *data, size_t len, qfs_arena *arena, qfs_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
