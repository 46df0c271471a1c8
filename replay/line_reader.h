/* The line reader of `qfs append`: input lines through a fixed chunk, with a
 * bound on the bytes of one line that are kept. */
#ifndef QFS_LINE_READER_H
#define QFS_LINE_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LINE_READER_CHUNK_BYTES ((size_t)1 << 16)

/* Reads input lines through a fixed chunk, keeping at most `max` bytes of
 * one line: a line longer than that is counted and skipped, never held in
 * memory, so a hostile input without newlines cannot make the command grow.
 * (getline would buffer the whole line, and an allocation failure there
 * looks like end of input.) Zero-initialise it and set `in`; free `line`. */
typedef struct line_reader {
    FILE *in;
    char chunk[LINE_READER_CHUNK_BYTES];
    size_t pos, end;
    char *line; /* the current line, without its '\n'; not NUL-terminated */
    size_t len, cap;
} line_reader;

/* 1: a line was read (*total_bytes is its length without the '\n', and
 * lr->line holds its lr->len bytes unless *total_bytes > max; lr->line may
 * be NULL when lr->len is 0); 0: end of input; -1: a read error or no
 * memory, with errno set. The last line needs no '\n'. */
int line_next(line_reader *lr, size_t max, uint64_t *total_bytes);

#endif
