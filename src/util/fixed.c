/* Exact integer arithmetic and decimal text. No floating point. */
#include "qfs/fixed.h"

#include <string.h>

typedef unsigned __int128 u128;

/* Bits needed to write v: 0 for 0, 128 for values of 2^127 and above. */
static unsigned bit_length(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    if (hi)
        return 128u - (unsigned)__builtin_clzll(hi);
    uint64_t lo = (uint64_t)v;
    return lo ? 64u - (unsigned)__builtin_clzll(lo) : 0u;
}

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
    /* A 64-bit ratio is a 128-bit amount of tokens below 18.45: the same text. */
    return qfs_amount_format_tokens(buf, v);
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
    /* Newton's method from an over-estimate; converges monotonically down.
     * 2^ceil(bits / 2) is at least sqrt(v) and within a factor of 2 of it,
     * so a handful of steps suffice. */
    if (v < 2)
        return (uint64_t)v;
    unsigned bits = bit_length(v);
    u128 x = (u128)1 << ((bits + 1) / 2);
    u128 y = (x + v / x) / 2;
    while (y < x) {
        x = y;
        y = (x + v / x) / 2;
    }
    QFS_ASSERT(x <= UINT64_MAX);
    return (uint64_t)x;
}

/* ---------------------------------------------------------------------------
 * 128-bit amounts and their 256-bit products
 * ------------------------------------------------------------------------- */

typedef qfs_u256 u256;

#define LO64(x) ((u128)(uint64_t)(x))

/* The exact product of two 128-bit values, from four 64 x 64 products. */
static u256 mul_128(u128 a, u128 b)
{
    u128 a0 = LO64(a), a1 = a >> 64, b0 = LO64(b), b1 = b >> 64;
    u128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    /* Three values below 2^64 each: the sum cannot overflow 128 bits. */
    u128 mid = (p00 >> 64) + LO64(p01) + LO64(p10);
    u256 r;
    r.lo = (mid << 64) | LO64(p00);
    r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    return r;
}

/* q = floor(n / d), *rem = n mod d, for n.hi < d (so that q fits 128 bits). */
static u128 div_256(u256 n, u128 d, u128 *rem)
{
    QFS_ASSERT(d != 0 && n.hi < d);
    if (n.hi == 0) {
        *rem = n.lo % d;
        return n.lo / d;
    }
    if (d <= UINT64_MAX) {
        /* Two native steps of 128 / 64 bits: each partial quotient fits
         * 64 bits because each partial remainder is below d. */
        u128 x1 = (n.hi << 64) | (n.lo >> 64);
        u128 q1 = x1 / d;
        u128 x2 = ((x1 % d) << 64) | LO64(n.lo);
        *rem = x2 % d;
        return (q1 << 64) | (x2 / d);
    }
    /* Binary long division over the low half. The remainder stays below d,
     * so after a shift it is below 2d: one subtraction restores it, and a
     * bit shifted out of the top (carry) means it was at least 2^128 > d. */
    u128 r = n.hi, q = 0;
    for (int i = 127; i >= 0; i--) {
        u128 carry = r >> 127;
        r = (r << 1) | ((n.lo >> i) & 1);
        if (carry || r >= d) {
            r -= d; /* modulo 2^128: the true difference is below d */
            q |= (u128)1 << i;
        }
    }
    *rem = r;
    return q;
}

qfs_err qfs_mul_div(qfs_amount *out, qfs_amount a, qfs_amount b, qfs_amount d, qfs_round r)
{
    if (d == 0)
        return QFS_E_INVALID_ARG;
    u256 p = mul_128(a, b);
    if (p.hi >= d)
        return QFS_E_RANGE; /* the quotient is at least 2^128 */
    u128 rem;
    u128 q = div_256(p, d, &rem);
    if (r == QFS_ROUND_CEIL && rem != 0) {
        if (q == QFS_AMOUNT_MAX)
            return QFS_E_RANGE;
        q++;
    }
    *out = q;
    return QFS_OK;
}

qfs_err qfs_amount_mul_fp18(qfs_amount *out, qfs_amount a, uint64_t ratio_fp18, qfs_round r)
{
    return qfs_mul_div(out, a, ratio_fp18, QFS_FP18_ONE, r);
}

static int u256_le(u256 a, u256 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo);
}

qfs_amount qfs_isqrt_mul(qfs_amount a, qfs_amount b)
{
    u256 n = mul_128(a, b);
    if (n.hi == 0)
        return qfs_isqrt_u128(n.lo);
    /* With m = floor(n / 4^t) below 2^127 and q = isqrt(m), the root lies in
     * [q 2^t, (q + 1) 2^t): sqrt(n) >= sqrt(m) 2^t >= q 2^t, and
     * n < (m + 1) 4^t <= (q + 1)^2 4^t. So the top bits are q and only the t
     * low bits remain, found one by one from the highest: a bit is kept when
     * the square stays at most n. */
    unsigned t = (bit_length(n.hi) + 2) / 2; /* ceil((128 + bits(hi) - 127) / 2) */
    u128 m = 2 * t >= 128 ? n.hi >> (2 * t - 128) : (n.hi << (128 - 2 * t)) | (n.lo >> (2 * t));
    u128 root = (u128)qfs_isqrt_u128(m) << t;
    for (int i = (int)t - 1; i >= 0; i--) {
        u128 c = root | ((u128)1 << i);
        if (u256_le(mul_128(c, c), n))
            root = c;
    }
    return root;
}

qfs_err qfs_add_amount(qfs_amount *out, qfs_amount a, qfs_amount b)
{
    if (a > QFS_AMOUNT_MAX - b)
        return QFS_E_RANGE;
    *out = a + b;
    return QFS_OK;
}

qfs_err qfs_sub_amount(qfs_amount *out, qfs_amount a, qfs_amount b)
{
    if (b > a)
        return QFS_E_RANGE;
    *out = a - b;
    return QFS_OK;
}

qfs_err qfs_amount_parse(qfs_amount *out, const char *s, size_t len)
{
    if (len == 0)
        return QFS_E_PARSE;
    u128 v = 0;
    int overflow = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return QFS_E_PARSE;
        u128 digit = (u128)(s[i] - '0');
        if (v > (QFS_AMOUNT_MAX - digit) / 10)
            overflow = 1; /* keep scanning: bad text is a parse error first */
        else
            v = v * 10 + digit;
    }
    if (overflow)
        return QFS_E_RANGE;
    *out = v;
    return QFS_OK;
}

#define TEN19 10000000000000000000ULL

qfs_amount qfs_pow10(unsigned e)
{
    static const uint64_t P[20] = {1ULL,
                                   10ULL,
                                   100ULL,
                                   1000ULL,
                                   10000ULL,
                                   100000ULL,
                                   1000000ULL,
                                   10000000ULL,
                                   100000000ULL,
                                   1000000000ULL,
                                   10000000000ULL,
                                   100000000000ULL,
                                   1000000000000ULL,
                                   10000000000000ULL,
                                   100000000000000ULL,
                                   1000000000000000ULL,
                                   10000000000000000ULL,
                                   100000000000000000ULL,
                                   1000000000000000000ULL,
                                   TEN19};
    QFS_ASSERT(e <= 38);
    return e < 20 ? P[e] : (u128)P[19] * P[e - 19];
}

size_t qfs_amount_format(char *buf, qfs_amount v)
{
    if (v <= UINT64_MAX)
        return qfs_u64_format(buf, (uint64_t)v);
    /* Groups of 19 digits, most significant first: at most three. */
    uint64_t groups[3];
    int n = 0;
    while (v > UINT64_MAX) {
        groups[n++] = (uint64_t)(v % TEN19);
        v /= TEN19;
    }
    size_t len = qfs_u64_format(buf, (uint64_t)v);
    while (n > 0) {
        uint64_t g = groups[--n];
        for (int i = 18; i >= 0; i--) {
            buf[len + (size_t)i] = (char)('0' + g % 10);
            g /= 10;
        }
        len += 19;
    }
    buf[len] = '\0';
    return len;
}

size_t qfs_amount_format_tokens(char *buf, qfs_amount v)
{
    size_t n = qfs_amount_format(buf, v / QFS_FP18_ONE);
    uint64_t frac = (uint64_t)(v % QFS_FP18_ONE);
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

qfs_err qfs_amount_parse_tokens(qfs_amount *out, const char *s, size_t len)
{
    size_t dot = len;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            dot = i;
            break;
        }
    }
    if (dot == 0)
        return QFS_E_PARSE;
    u128 whole;
    qfs_err err = qfs_amount_parse(&whole, s, dot);
    if (err == QFS_E_PARSE)
        return err;
    uint64_t frac = 0;
    if (dot < len) {
        size_t frac_len = len - dot - 1;
        if (frac_len == 0)
            return QFS_E_PARSE;
        for (size_t i = dot + 1; i < len; i++)
            if (s[i] < '0' || s[i] > '9')
                return QFS_E_PARSE;
        if (frac_len > QFS_FP18_DECIMALS)
            return QFS_E_RANGE;
        if (qfs_u64_parse(&frac, s + dot + 1, frac_len) != QFS_OK)
            return QFS_E_PARSE;
        for (size_t i = frac_len; i < QFS_FP18_DECIMALS; i++)
            frac *= 10;
    }
    if (err != QFS_OK)
        return err;
    u128 v;
    if (qfs_mul_div(&v, whole, QFS_FP18_ONE, 1, QFS_ROUND_FLOOR) != QFS_OK ||
        qfs_add_amount(&v, v, frac) != QFS_OK)
        return QFS_E_RANGE;
    *out = v;
    return QFS_OK;
}

qfs_err qfs_u256_add_mul(qfs_u256 *acc, qfs_amount a, qfs_amount b)
{
    u256 p = mul_128(a, b);
    u128 lo = acc->lo + p.lo;
    u128 carry = lo < p.lo;
    if (p.hi > QFS_AMOUNT_MAX - carry || acc->hi > QFS_AMOUNT_MAX - (p.hi + carry))
        return QFS_E_RANGE;
    acc->lo = lo;
    acc->hi += p.hi + carry;
    return QFS_OK;
}

qfs_err qfs_u256_div(qfs_amount *out, qfs_u256 n, qfs_amount d)
{
    if (d == 0)
        return QFS_E_INVALID_ARG;
    if (n.hi >= d)
        return QFS_E_RANGE;
    u128 rem;
    *out = div_256(n, d, &rem);
    return QFS_OK;
}
