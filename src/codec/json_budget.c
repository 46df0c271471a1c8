/* The memory bound of one JSON line. jansson's cost is driven by the number
 * of values, not by the bytes: "{}," is three bytes and about 240 bytes of
 * memory, so 16 MiB of it took 1.28 GB. One pass counts what costs memory,
 * outside strings, and weighs it by what jansson spends (measured with a
 * counting allocator, malloc overhead included): an object about 240 bytes,
 * an array about 150, a further array element about 50 and an object member
 * about 140 (a key and a scalar). The weights round those up, so the estimate
 * is never below the real cost for any mix of values. */
#include "codec/json_budget.h"

#include "qfs/json.h"

#include <stdint.h>

#define OBJECT_BYTES 256u
#define ARRAY_BYTES 160u
#define SEPARATOR_BYTES 80u    /* each ',' and ':': a member is both, 160 */
#define COPY_BYTES_PER_BYTE 2u /* strings and numbers are copied */

qfs_err json_line_budget_check(const char *text, size_t len, qfs_diag *diag)
{
    uint64_t objects = 0, arrays = 0, separators = 0;
    int in_string = 0, escaped = 0;
    for (size_t i = 0; i < len; i++) {
        const char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"': in_string = 1; break;
        case '{': objects++; break;
        case '[': arrays++; break;
        case ',':
        case ':': separators++; break;
        default: break;
        }
    }
    /* Each count is at most len <= 2^24 (the caller checked the length), so
     * no product overflows 64 bits. */
    const uint64_t estimate = objects * OBJECT_BYTES + arrays * ARRAY_BYTES + separators * SEPARATOR_BYTES +
                              (uint64_t)len * COPY_BYTES_PER_BYTE;
    const uint64_t budget = (uint64_t)len * QFS_JSON_LINE_MEMORY_PER_BYTE + QFS_JSON_LINE_MEMORY_BASE_BYTES;
    if (estimate > budget) {
        qfs_diag_set(diag,
                     "line holds too many JSON values: parsing it would take about %llu bytes of memory "
                     "(at most %u per byte of line plus %u)",
                     (unsigned long long)estimate, QFS_JSON_LINE_MEMORY_PER_BYTE,
                     QFS_JSON_LINE_MEMORY_BASE_BYTES);
        return QFS_E_LIMIT;
    }
    return QFS_OK;
}
