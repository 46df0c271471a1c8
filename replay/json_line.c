/* One line of JSON Lines input to one encoded event (json_line.h). */
#include "json_line.h"

#include <string.h>

qfs_err json_line_encode(const char *line, size_t n, qfs_arena *arena, uint8_t *enc, size_t *enc_len,
                         qfs_diag *diag, int *blank)
{
    *enc_len = 0;
    *blank = 0;
    if (n > 0 && line[n - 1] == '\r')
        n--;
    size_t first = 0;
    while (first < n && (line[first] == ' ' || line[first] == '\t'))
        first++;
    if (first == n) {
        *blank = 1;
        return QFS_OK;
    }
    qfs_event ev;
    qfs_diag_clear(diag);
    qfs_arena_reset(arena);
    qfs_err err;
    /* The parser also refuses a NUL byte, but checks the length first; a
     * NUL is named first here, without a column. */
    if (memchr(line, '\0', n)) {
        err = QFS_E_PARSE;
        qfs_diag_set(diag, "line contains a NUL byte");
    } else {
        err = qfs_json_parse_event(&ev, line, n, arena, diag);
    }
    if (err == QFS_OK) {
        err = qfs_codec_encode(&ev, enc, QFS_EVENT_BYTES_MAX, enc_len);
        if (err == QFS_E_LIMIT)
            qfs_diag_set(diag, "event encodes to more than %zu bytes", QFS_EVENT_BYTES_MAX);
        else if (err != QFS_OK)
            qfs_diag_set(diag, "event cannot be encoded");
    }
    return err;
}
