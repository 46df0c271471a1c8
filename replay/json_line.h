/* One line of JSON Lines input to one encoded event: what `qfs append`
 * does with each line it reads and what `qfs vectors` does with each line of
 * a vector's .jsonl, so that a vector's log is built exactly as the command
 * would append it. */
#ifndef QFS_JSON_LINE_H
#define QFS_JSON_LINE_H

#include "cli.h"

/* Encodes one line (`n` bytes at `line`, without its '\n'; a trailing '\r'
 * is dropped) into `enc` (QFS_EVENT_BYTES_MAX bytes), its length in
 * *enc_len. A line of only spaces and tabs is no event: QFS_OK with
 * *blank = 1. Otherwise *blank = 0 and, on an error, `diag` says why (with
 * the column when the parser knows it). `arena` is reset for the line. */
qfs_err json_line_encode(const char *line, size_t n, qfs_arena *arena, uint8_t *enc, size_t *enc_len,
                         qfs_diag *diag, int *blank);

#endif
