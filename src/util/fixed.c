/* Exact integer arithmetic and decimal text. No floating point. */
#include "qfs/fixed.h"

#include <string.h>

typedef unsigned __int128 u128;

qfs_err qfs_u64_parse(uint64_t *out, const char *s, size_t len)
{
    if (len == 0)
        return QFS_E_PARSE;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return QFS_E_PARSE;
        uint64_t digit = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return QFS_E_RANGE;
        v = v * 10 + digit;
    }
    *out = v;
    return QFS_OK;
}

qfs_err qfs_fp18_parse(uint64_t *out, const char *s, size_t len)
{
    size_t dot = len;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            dot = i;
            break;
        }
    }
    if (dot == 0)
        return QFS_E_PARSE; /* ".5" or empty */
    uint64_t whole;
    qfs_err err = qfs_u64_parse(&whole, s, dot);
    if (err != QFS_OK)
        return err;
    uint64_t frac = 0;
    if (dot < len) {
        size_t frac_len = len - dot - 1;
        if (frac_len == 0)
            return QFS_E_PARSE; /* "1." */
        if (frac_len > QFS_FP18_DECIMALS) {
            /* Distinguish "too many decimals" from other garbage: the caller
             * reports QFS_E_RANGE as precision loss. */
            for (size_t i = dot + 1; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                    return QFS_E_PARSE;
            return QFS_E_RANGE;
        }
        err = qfs_u64_parse(&frac, s + dot + 1, frac_len);
        if (err != QFS_OK)
            return err;
        for (size_t i = frac_len; i < QFS_FP18_DECIMALS; i++)
            frac *= 10;
    }
    u128 v = (u128)whole * QFS_FP18_ONE + frac;
    if (v > UINT64_MAX)
        return QFS_E_RANGE;
    *out = (uint64_t)v;
    return QFS_OK;
}

size_t qfs_u64_format(char *buf, uint64_t v)
{
    char tmp[QFS_DECIMAL_STR_MAX];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

size_t qfs_fp18_format(char *buf, uint64_t v)
{
    size_t n = qfs_u64_format(buf, v / QFS_FP18_ONE);
    uint64_t frac = v % QFS_FP18_ONE;
    if (frac == 0)
        return n;
    char digits[QFS_FP18_DECIMALS];
    for (int i = QFS_FP18_DECIMALS - 1; i >= 0; i--) {
        digits[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    size_t keep = QFS_FP18_DECIMALS;
    while (digits[keep - 1] == '0')
        keep--;
    buf[n++] = '.';
    memcpy(buf + n, digits, keep);
    n += keep;
    buf[n] = '\0';
    return n;
}

qfs_err qfs_add_u64(uint64_t *out, uint64_t a, uint64_t b)
{
    if (a > UINT64_MAX - b)
        return QFS_E_RANGE;
    *out = a + b;
    return QFS_OK;
}

qfs_err qfs_sub_u64(uint64_t *out, uint64_t a, uint64_t b)
{
    if (b > a)
        return QFS_E_RANGE;
    *out = a - b;
    return QFS_OK;
}

qfs_err qfs_mul_div_u64(uint64_t *out, uint64_t a, uint64_t b, uint64_t d, qfs_round r)
{
    return qfs_mul_div_u64_wide(out, a, b, d, r);
}

qfs_err qfs_mul_div_u64_wide(uint64_t *out, uint64_t a, uint64_t b, u128 d, qfs_round r)
{
    if (d == 0)
        return QFS_E_INVALID_ARG;
    u128 product = (u128)a * b;
    u128 q = product / d;
    if (r == QFS_ROUND_CEIL && product % d != 0)
        q += 1;
    if (q > UINT64_MAX)
        return QFS_E_RANGE;
    *out = (uint64_t)q;
    return QFS_OK;
}

qfs_err qfs_fp18_mul(uint64_t *out, uint64_t a, uint64_t b, qfs_round r)
{
    return qfs_mul_div_u64(out, a, b, QFS_FP18_ONE, r);
}

uint64_t qfs_isqrt_u128(u128 v)
{
    /* Newton's method from an over-estimate; converges monotonically down. */
    if (v < 2)
        return (uint64_t)v;
    u128 x = v;
    u128 y = (x >> 1) + (x & 1); /* ceil(v / 2) without overflow */
    while (y < x) {
        x = y;
        y = (x + v / x) / 2;
    }
    QFS_ASSERT(x <= UINT64_MAX);
    return (uint64_t)x;
}
