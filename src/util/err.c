/* Error names, diagnostics, 128-bit hash helpers and the assertion handler. */
#include "qfs/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

const char *qfs_err_str(qfs_err err)
{
    switch (err) {
    case QFS_OK: return "ok";
    case QFS_E_NOMEM: return "out of memory";
    case QFS_E_INVALID_ARG: return "invalid argument";
    case QFS_E_IO: return "I/O error";
    case QFS_E_CORRUPT: return "corrupt log";
    case QFS_E_TORN: return "torn tail";
    case QFS_E_FORMAT: return "not a qfs log";
    case QFS_E_VERSION: return "unsupported log format version";
    case QFS_E_SCHEMA: return "event schema mismatch";
    case QFS_E_LIMIT: return "limit exceeded";
    case QFS_E_PARSE: return "parse error";
    case QFS_E_DECODE: return "invalid event encoding";
    case QFS_E_RANGE: return "value out of range";
    case QFS_E_NOT_FOUND: return "not found";
    case QFS_E_EOF: return "end of stream";
    case QFS_E_STATE: return "not allowed in this state";
    default: return "unknown error";
    }
}

void qfs_diag_clear(qfs_diag *d)
{
    /* Called once or twice per event on the replay path: reset what says
     * "set" rather than zeroing the whole message buffer. */
    if (!d)
        return;
    d->has_byte_offset = 0;
    d->byte_offset = 0;
    d->has_event_index = 0;
    d->event_index = 0;
    d->has_line = 0;
    d->line = 0;
    d->column = 0;
    d->message[0] = '\0';
}

void qfs_diag_set(qfs_diag *d, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}

void qfs_diag_set_offset(qfs_diag *d, uint64_t byte_offset)
{
    if (!d)
        return;
    d->has_byte_offset = 1;
    d->byte_offset = byte_offset;
}

void qfs_diag_set_event(qfs_diag *d, uint64_t event_index)
{
    if (!d)
        return;
    d->has_event_index = 1;
    d->event_index = event_index;
}

void qfs_diag_set_line(qfs_diag *d, uint64_t line, uint64_t column)
{
    if (!d)
        return;
    d->has_line = 1;
    d->line = line;
    d->column = column;
}

void qfs_hex_encode(char *out, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
}

void qfs_hash128_hex(const qfs_hash128 *h, char out[QFS_HASH128_HEX_LEN + 1])
{
    qfs_hex_encode(out, h->bytes, sizeof h->bytes);
    out[QFS_HASH128_HEX_LEN] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

qfs_err qfs_hex_decode(uint8_t *out, const char *hex, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return QFS_E_PARSE;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return QFS_OK;
}

qfs_err qfs_hash128_parse(qfs_hash128 *out, const char *hex, size_t len)
{
    if (len != QFS_HASH128_HEX_LEN)
        return QFS_E_PARSE;
    qfs_hash128 h;
    qfs_err err = qfs_hex_decode(h.bytes, hex, sizeof h.bytes);
    if (err == QFS_OK)
        *out = h;
    return err;
}

void qfs_hash128_of(qfs_hash128 *out, const void *data, size_t len)
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(data, len));
    memcpy(out->bytes, c.digest, 16);
}

int qfs_hash128_eq(const qfs_hash128 *a, const qfs_hash128 *b)
{
    return memcmp(a->bytes, b->bytes, 16) == 0;
}

void qfs_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "qfs: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
