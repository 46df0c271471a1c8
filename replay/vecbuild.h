/* What `qfs vectors` builds a vector's log with: a log in memory (a
 * qfs_storage over one growable buffer), the events of a .jsonl appended
 * through the library writer as `qfs append` appends them, the damage
 * recipes of damaged-log vectors, and whole-file helpers. The format is in
 * vectors/README.md. */
#ifndef QFS_VECBUILD_H
#define QFS_VECBUILD_H

#include "cli.h"

#include <jansson.h>

/* A file held in memory; the storage below reads and writes it. */
typedef struct vec_mem {
    uint8_t *data;
    size_t len, cap;
    int exists;
} vec_mem;

/* The qfs_storage over `m` (which must outlive every reader and writer
 * opened through it). Every path names the one buffer. */
void vec_mem_storage(qfs_storage *out, vec_mem *m);
void vec_mem_free(vec_mem *m);

/* Why building a log failed. `line` is the 1-based line of the .jsonl
 * (0 when the failure is not about one line), `column` 0 when unknown. */
typedef struct vec_build_error {
    qfs_err err;
    uint64_t line, column;
    char message[320];
} vec_build_error;

/* Appends the events of the JSON Lines file `jsonl` to a new log in `out`
 * (which must be empty), `batch` events per record (QFS_LOG_BATCH_EVENTS_MAX
 * for as many as fit, as `qfs append` does), each line parsed and encoded
 * as `qfs append` does. Returns QFS_OK, or the error with `e` set: a line
 * that does not parse or encode (QFS_E_PARSE, QFS_E_LIMIT, ...), or
 * QFS_E_IO when the file cannot be read. */
qfs_err vec_build_log(const char *jsonl, uint64_t batch, vec_mem *out, vec_build_error *e);

/* Applies the damage recipe `ops` (a JSON array, vectors/README.md) to the
 * log in `m`, in order. Returns QFS_OK or QFS_E_PARSE with a message naming
 * the op in `e` (a recipe that does not fit the log is a malformed vector). */
qfs_err vec_apply_damage(vec_mem *m, const json_t *ops, vec_build_error *e);

/* Reads a whole file of at most `max_bytes` into a malloc'd buffer (one
 * extra NUL byte after it). QFS_E_NOT_FOUND when missing, QFS_E_LIMIT when
 * larger, QFS_E_IO otherwise (errno set). */
qfs_err vec_read_file(const char *path, size_t max_bytes, uint8_t **out, size_t *len);

/* Writes `len` bytes to `path` completely or not at all: a temporary file
 * beside it (mode 0644), made durable, then renamed over `path`. Returns 0,
 * or -1 with errno set (the temporary file is removed). */
int vec_write_file_atomic(const char *path, const void *data, size_t len);

#endif
