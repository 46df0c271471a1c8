/* The line reader of `qfs append` (line_reader.h). */
#include "line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int line_next(line_reader *lr, size_t max, uint64_t *total_bytes)
{
    uint64_t total = 0;
    int any = 0;
    lr->len = 0;
    for (;;) {
        if (lr->pos == lr->end) {
            size_t n = fread(lr->chunk, 1, sizeof lr->chunk, lr->in);
            if (n == 0) {
                if (ferror(lr->in))
                    return -1;
                break;
            }
            lr->pos = 0;
            lr->end = n;
        }
        any = 1;
        const char *start = lr->chunk + lr->pos;
        size_t avail = lr->end - lr->pos;
        const char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        /* An empty piece (a blank line, or a '\n' at the start of a chunk)
         * copies nothing: the buffer may not exist yet, and memcpy to a null
         * pointer is undefined even for zero bytes. */
        if (take > 0 && total + take <= max) {
            if (lr->cap - lr->len < take) {
                size_t ncap = lr->cap ? lr->cap : (size_t)1 << 16;
                while (ncap - lr->len < take)
                    ncap *= 2;
                char *nl_buf = realloc(lr->line, ncap);
                if (!nl_buf) {
                    errno = ENOMEM;
                    return -1;
                }
                lr->line = nl_buf;
                lr->cap = ncap;
            }
            memcpy(lr->line + lr->len, start, take);
            lr->len += take;
        }
        total += take;
        lr->pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    *total_bytes = total;
    return any;
}
