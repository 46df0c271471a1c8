/* The growth of the command's text buffers (the metrics exposition and the
 * HTML report), kept to one place. The library's own buffer is not public,
 * and the command uses only include/qfs/. */
#ifndef QFS_TEXT_APPEND_H
#define QFS_TEXT_APPEND_H

#include <stddef.h>

/* Appends n bytes of s to the text at *p (*len bytes used of *cap
 * allocated), growing it by doubling, and keeps it NUL-terminated. 0, or -1
 * when out of memory, with the text unchanged. */
int text_append(char **p, size_t *len, size_t *cap, const char *s, size_t n);

#endif
