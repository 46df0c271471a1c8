/* libFuzzer target: arbitrary bytes as the input of `qfs append`'s line
 * reader. The first byte picks the longest line kept (0..255 bytes), so that
 * over-long lines are common. The lines read must give back the input: each
 * line's total length plus its '\n' walks the input exactly, a kept line is
 * the input's bytes, and a line over the bound keeps nothing. */
#include "line_reader.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t max = data[0];
    const char *text = (const char *)data + 1;
    const size_t len = size - 1;
    static line_reader lr;
    free(lr.line);
    memset(&lr, 0, sizeof lr);
    /* fmemopen refuses a zero-length buffer, so an empty input is fed from
     * a one-byte buffer opened for zero bytes. */
    lr.in = len ? fmemopen((void *)text, len, "r") : fmemopen((void *)"x", 1, "r");
    if (!lr.in)
        abort();
    if (!len)
        fgetc(lr.in);
    size_t at = 0;
    for (;;) {
        uint64_t total = 0;
        int got = line_next(&lr, max, &total);
        if (got < 0)
            abort();
        if (got == 0)
            break;
        if (total > len - at)
            abort();
        if (total <= max) {
            if (lr.len != total || (total > 0 && memcmp(lr.line, text + at, lr.len) != 0))
                abort();
        } else if (lr.len != 0) {
            abort();
        }
        at += (size_t)total;
        if (at < len) {
            if (text[at] != '\n')
                abort();
            at++;
        }
    }
    if (at != len)
        abort();
    fclose(lr.in);
    return 0;
}
