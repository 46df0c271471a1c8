/* A growable byte buffer for the library's JSON writers (the state's
 * canonical JSON and the evidence artifacts): bytes are appended, the text
 * stays NUL-terminated, and a failed allocation is remembered rather than
 * reported at every append, so a writer checks once at the end. */
#ifndef QFS_UTIL_BUF_H
#define QFS_UTIL_BUF_H

#include <stddef.h>

typedef struct qfs_buf {
    char *p;
    size_t len, cap;
    int oom; /* sticky: once an allocation failed, nothing more is written */
} qfs_buf;

/* Appends n bytes of s; does nothing once oom is set. */
void qfs_buf_append(qfs_buf *b, const char *s, size_t n);
/* Frees the bytes and zeroes the buffer, which can then be used again. */
void qfs_buf_free(qfs_buf *b);

#endif
