/*
 * qfs/json.h - qfs_event <-> one line of JSON (the JSON Lines format of
 * `qfs append` and `qfs dump`, documented in docs/EVENTS.md).
 *
 * Every event is one object: {"kind": "...", "timestamp_ms": N, ...fields}.
 * Amounts are integers or strings of decimal digits on input and strings on
 * output; 18-decimal ratios (fields ending in _fp18 in the schema, named
 * without the suffix in JSON) are exact decimal strings such as "0.7";
 * parameter values are written in their parameter's unit. Output is canonical:
 * sorted keys, no spaces, no floats, a fixed field set per kind. The account
 * kind of register_account is "account_kind" (its schema name, kind, is the
 * event's own key).
 */
#ifndef QFS_JSON_H
#define QFS_JSON_H

#include "qfs/arena.h"
#include "qfs/event.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest input line accepted, in bytes. */
#define QFS_JSON_LINE_BYTES_MAX ((size_t)16 << 20)
/* The memory one line may cost to parse: a line whose values would need more
 * than QFS_JSON_LINE_MEMORY_PER_BYTE bytes per byte of line plus
 * QFS_JSON_LINE_MEMORY_BASE_BYTES (estimated in one pass before parsing) is
 * refused with QFS_E_LIMIT. */
#define QFS_JSON_LINE_MEMORY_PER_BYTE 32u
#define QFS_JSON_LINE_MEMORY_BASE_BYTES 65536u

/* Parses one JSON object (`len` bytes, no trailing newline needed) into *out.
 * Genesis arrays are allocated from `arena`, which may be NULL for every
 * other kind (QFS_E_INVALID_ARG for a genesis with params or accounts and no
 * arena); genesis params come out sorted by name. QFS_E_PARSE with
 * diag->message naming the field ("transfer: unknown field \"ammount\"") and
 * diag->has_line set with line = 0 (the caller knows the line) and the column
 * where jansson reports one, else 0, for: malformed JSON, trailing bytes, a
 * NUL byte, a non-object, an unknown or missing "kind", unknown fields,
 * missing required fields, wrong types, duplicate keys, bad ids, out-of-range
 * or malformed numbers and decimals, too many decimals, fractions above 1,
 * unknown or out-of-range parameters, duplicate genesis accounts. QFS_E_LIMIT
 * when len > QFS_JSON_LINE_BYTES_MAX or the line's values would cost more
 * memory than the bound above. QFS_E_NOMEM when memory runs out while parsing.
 * *out is unchanged on error. */
qfs_err qfs_json_parse_event(qfs_event *out, const char *text, size_t len, qfs_arena *arena, qfs_diag *diag);

/* Formats `ev` as one canonical JSON object without a newline. Returns a
 * malloc'd NUL-terminated string in *out (free() it) and its length in
 * *len_out. QFS_E_NOMEM, or QFS_E_INVALID_ARG for an invalid event. */
qfs_err qfs_json_format_event(char **out, size_t *len_out, const qfs_event *ev);

#ifdef __cplusplus
}
#endif
#endif
