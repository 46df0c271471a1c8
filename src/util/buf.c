/* The growable byte buffer of the library's JSON writers (buf.h). */
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

void qfs_buf_append(qfs_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void qfs_buf_free(qfs_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
