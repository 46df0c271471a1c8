/* Fixed point, decimal text and checked arithmetic. Expected values are
 * worked out by hand in the comments. */
#include "qfs/fixed.h"
#include "testutil.h"

#include <inttypes.h>
#include <string.h>

static uint64_t parse_ok(const char *s)
{
    uint64_t v = 0;
    ck_assert_int_eq(qfs_fp18_parse(&v, s, strlen(s)), QFS_OK);
    return v;
}

START_TEST(test_fixed_fp18_parse__exact_values)
{
    ck_assert_uint_eq(parse_ok("0.7"), 700000000000000000ULL);
    ck_assert_uint_eq(parse_ok("1"), 1000000000000000000ULL);
    ck_assert_uint_eq(parse_ok("0.000000000000000001"), 1);
    ck_assert_uint_eq(parse_ok("00.50"), 500000000000000000ULL);
    /* The largest value: UINT64_MAX = 18446744073709551615. */
    ck_assert_uint_eq(parse_ok("18.446744073709551615"), UINT64_MAX);
}
END_TEST

START_TEST(test_fixed_fp18_parse__rejects_bad_text)
{
    static const char *bad[] = {"", ".5", "1.", "-1", "+1", "1e3", " 1", "1 ", "0x1", "1.2.3", "a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 42;
        ck_assert_int_eq(qfs_fp18_parse(&v, bad[i], strlen(bad[i])), QFS_E_PARSE);
        ck_assert_uint_eq(v, 42);
    }
    uint64_t v = 42;
    /* 19 decimals cannot be held exactly; one past the maximum overflows. */
    ck_assert_int_eq(qfs_fp18_parse(&v, "0.1234567890123456789", 21), QFS_E_RANGE);
    ck_assert_int_eq(qfs_fp18_parse(&v, "18.446744073709551616", 21), QFS_E_RANGE);
    ck_assert_int_eq(qfs_fp18_parse(&v, "19", 2), QFS_E_RANGE);
    ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_fixed_fp18_format__shortest_exact)
{
    char buf[QFS_DECIMAL_STR_MAX + 1];
    qfs_fp18_format(buf, 700000000000000000ULL);
    ck_assert_str_eq(buf, "0.7");
    qfs_fp18_format(buf, 0);
    ck_assert_str_eq(buf, "0");
    qfs_fp18_format(buf, 1);
    ck_assert_str_eq(buf, "0.000000000000000001");
    qfs_fp18_format(buf, 2500000000000000000ULL);
    ck_assert_str_eq(buf, "2.5");
    ck_assert_uint_eq(qfs_fp18_format(buf, UINT64_MAX), 21);
    ck_assert_str_eq(buf, "18.446744073709551615");
}
END_TEST

START_TEST(test_fixed_u64_parse__bounds)
{
    uint64_t v;
    ck_assert_int_eq(qfs_u64_parse(&v, "18446744073709551615", 20), QFS_OK);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(qfs_u64_parse(&v, "18446744073709551616", 20), QFS_E_RANGE);
    ck_assert_int_eq(qfs_u64_parse(&v, "", 0), QFS_E_PARSE);
    ck_assert_int_eq(qfs_u64_parse(&v, "1.0", 3), QFS_E_PARSE);
}
END_TEST

START_TEST(test_fixed_mul_div__rounding_and_overflow)
{
    uint64_t v;
    /* 10^19 * 20 / 11 (= 100e18 * 2 / 11) = 18181818181818181818.18..., floor and ceil. */
    ck_assert_int_eq(qfs_mul_div_u64(&v, 10000000000000000000ULL, 20, 11, QFS_ROUND_FLOOR), QFS_OK);
    ck_assert_uint_eq(v, 18181818181818181818ULL);
    ck_assert_int_eq(qfs_mul_div_u64(&v, 10000000000000000000ULL, 20, 11, QFS_ROUND_CEIL), QFS_OK);
    ck_assert_uint_eq(v, 18181818181818181819ULL);
    /* UINT64_MAX * UINT64_MAX / 1 overflows; / UINT64_MAX is exact. */
    ck_assert_int_eq(qfs_mul_div_u64(&v, UINT64_MAX, UINT64_MAX, 1, QFS_ROUND_FLOOR), QFS_E_RANGE);
    ck_assert_int_eq(qfs_mul_div_u64(&v, UINT64_MAX, UINT64_MAX, UINT64_MAX, QFS_ROUND_FLOOR), QFS_OK);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(qfs_mul_div_u64(&v, 1, 1, 0, QFS_ROUND_FLOOR), QFS_E_INVALID_ARG);
    /* 0.05 * 0.7 = 0.035 */
    ck_assert_int_eq(qfs_fp18_mul(&v, 50000000000000000ULL, 700000000000000000ULL, QFS_ROUND_FLOOR), QFS_OK);
    ck_assert_uint_eq(v, 35000000000000000ULL);
}
END_TEST

START_TEST(test_fixed_add_sub__checked)
{
    uint64_t v = 7;
    ck_assert_int_eq(qfs_add_u64(&v, UINT64_MAX, 1), QFS_E_RANGE);
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(qfs_sub_u64(&v, 1, 2), QFS_E_RANGE);
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(qfs_add_u64(&v, UINT64_MAX - 1, 1), QFS_OK);
    ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(test_fixed_isqrt__exact_floor)
{
    ck_assert_uint_eq(qfs_isqrt_u128(0), 0);
    ck_assert_uint_eq(qfs_isqrt_u128(15), 3);
    ck_assert_uint_eq(qfs_isqrt_u128(16), 4);
    /* (2^64 - 1)^2 = 2^128 - 2^65 + 1 has root 2^64 - 1; the maximum too. */
    unsigned __int128 m = (unsigned __int128)UINT64_MAX * UINT64_MAX;
    ck_assert_uint_eq(qfs_isqrt_u128(m), UINT64_MAX);
    ck_assert_uint_eq(qfs_isqrt_u128(m - 1), UINT64_MAX - 1);
    ck_assert_uint_eq(qfs_isqrt_u128(~(unsigned __int128)0), UINT64_MAX);
}
END_TEST

/* ---------------------------------------------------------------------------
 * 128-bit amounts
 *
 * Every literal expected value below was computed with Python's
 * arbitrary-precision integers, never with the code under test:
 *   floor = a * b // d,  ceil = -(-(a * b) // d),  root = math.isqrt(a * b),
 * and a result above 2^128 - 1 = 340282366920938463463374607431768211455 is
 * QFS_E_RANGE. A value above 2^31 is written U128(high 64 bits, low 64 bits),
 * printed by Python as "U128(0x%XULL, 0x%XULL)" % (v >> 64, v % 2**64).
 * ------------------------------------------------------------------------- */

typedef unsigned __int128 u128;

#define U128(hi, lo) (((u128)(hi) << 64) | (u128)(uint64_t)(lo))
#define TWO64_M1 U128(0, UINT64_MAX)
#define TWO64 U128(1, 0)
#define TWO64_P1 U128(1, 1)
#define TWO127 U128(0x8000000000000000ULL, 0)
#define TEN18 ((u128)QFS_FP18_ONE)
#define TEN38 U128(0x4B3B4CA85A86C47AULL, 0x098A224000000000ULL)

/* What an output holds before a call; a call that fails must leave it. */
#define SENTINEL U128(0x5E5E5E5E5E5E5E5EULL, 0x5E5E5E5E5E5E5E5EULL)

#define AMOUNT_FMT "0x%016" PRIx64 "%016" PRIx64
#define AMOUNT_ARG(v) (uint64_t)((v) >> 64), (uint64_t)(v)

#define ck_assert_amount_eq(X, Y)                                                                            \
    do {                                                                                                     \
        u128 amount_x_ = (X), amount_y_ = (Y);                                                               \
        ck_assert_msg(amount_x_ == amount_y_, "%s == %s: " AMOUNT_FMT " != " AMOUNT_FMT, #X, #Y,             \
                      AMOUNT_ARG(amount_x_), AMOUNT_ARG(amount_y_));                                         \
    } while (0)

/* ---------------------------------------------------------------------------
 * An independent reference: schoolbook arithmetic on 16-bit limbs.
 *
 * The code under test multiplies with four 64 x 64 products and divides with
 * native 128 / 64 steps or a bit-by-bit shift-subtract loop. The reference
 * shares none of that: a number is an array of 16-bit limbs, a product is
 * schoolbook multiplication, a quotient is Knuth's Algorithm D (TAOCP vol. 2,
 * 4.3.1) with each quotient limb estimated from two limbs and corrected by
 * comparison, and every limb operation fits in 32 bits. The reference checks
 * itself (quotient * divisor + remainder == dividend, remainder < divisor)
 * and is checked against the literal tables below.
 * ------------------------------------------------------------------------- */

/* 17 limbs hold (2^128)^2 = 2^256, the largest square the tests form. */
#define REF_LIMBS 18

typedef struct ref_num {
    uint16_t limb[REF_LIMBS]; /* least significant first */
} ref_num;

static ref_num ref_from_amount(u128 v)
{
    ref_num x;
    memset(&x, 0, sizeof x);
    for (unsigned i = 0; i < 8; i++)
        x.limb[i] = (uint16_t)(v >> (16 * i));
    return x;
}

/* Significant limbs: 0 for zero. */
static size_t ref_len(const ref_num *x)
{
    size_t n = REF_LIMBS;
    while (n > 0 && x->limb[n - 1] == 0)
        n--;
    return n;
}

/* Sets *out and returns 1 when x < 2^128; returns 0 otherwise. */
static int ref_to_amount(u128 *out, const ref_num *x)
{
    if (ref_len(x) > 8)
        return 0;
    u128 v = 0;
    for (size_t i = 8; i-- > 0;)
        v = (v << 16) | x->limb[i];
    *out = v;
    return 1;
}

/* Compares n-limb numbers: negative, zero or positive as a <, == or > b. */
static int limbs_cmp(const uint16_t *a, const uint16_t *b, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* a -= b on n limbs; the caller guarantees a >= b. */
static void limbs_sub(uint16_t *a, const uint16_t *b, size_t n)
{
    uint32_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = (uint32_t)a[i] + 0x10000u - b[i] - borrow;
        a[i] = (uint16_t)t;
        borrow = t >> 16 ? 0 : 1;
    }
    if (borrow != 0)
        ck_abort_msg("reference subtraction went below zero");
}

static int ref_cmp(const ref_num *a, const ref_num *b)
{
    return limbs_cmp(a->limb, b->limb, REF_LIMBS);
}

static ref_num ref_add(const ref_num *a, const ref_num *b)
{
    ref_num s;
    uint32_t carry = 0;
    for (size_t i = 0; i < REF_LIMBS; i++) {
        uint32_t t = (uint32_t)a->limb[i] + b->limb[i] + carry;
        s.limb[i] = (uint16_t)t;
        carry = t >> 16;
    }
    if (carry != 0)
        ck_abort_msg("reference sum does not fit");
    return s;
}

static void ref_increment(ref_num *x)
{
    for (size_t i = 0; i < REF_LIMBS; i++) {
        x->limb[i] = (uint16_t)(x->limb[i] + 1);
        if (x->limb[i] != 0)
            return;
    }
    ck_abort_msg("reference increment does not fit");
}

/* Schoolbook product: each step adds a 32-bit limb product, a limb of the
 * partial result and a carry, at most (2^16 - 1)^2 + 2 (2^16 - 1) = 2^32 - 1. */
static ref_num ref_mul(const ref_num *a, const ref_num *b)
{
    ref_num p;
    memset(&p, 0, sizeof p);
    size_t na = ref_len(a), nb = ref_len(b);
    if (na + nb > REF_LIMBS)
        ck_abort_msg("reference product does not fit");
    for (size_t i = 0; i < na; i++) {
        uint32_t carry = 0;
        for (size_t j = 0; j < nb; j++) {
            uint32_t t = (uint32_t)a->limb[i] * b->limb[j] + p.limb[i + j] + carry;
            p.limb[i + j] = (uint16_t)t;
            carry = t >> 16;
        }
        p.limb[i + nb] = (uint16_t)carry;
    }
    return p;
}

/* out[0..n] = in[0..n-1] << s, for 0 <= s < 16 (one limb longer than in). */
static void limbs_shl(uint16_t *out, const uint16_t *in, size_t n, unsigned s)
{
    out[n] = (uint16_t)((uint32_t)in[n - 1] >> (16 - s));
    for (size_t i = n - 1; i > 0; i--)
        out[i] = (uint16_t)(((uint32_t)in[i] << s) | ((uint32_t)in[i - 1] >> (16 - s)));
    out[0] = (uint16_t)((uint32_t)in[0] << s);
}

/* *q = floor(n / d), *r = n mod d, for d != 0 (Algorithm D). */
static void ref_divmod(ref_num *q, ref_num *r, const ref_num *n, const ref_num *d)
{
    size_t nd = ref_len(d), nn = ref_len(n);
    if (nd == 0)
        ck_abort_msg("reference division by zero");
    memset(q, 0, sizeof *q);
    memset(r, 0, sizeof *r);
    if (nn < nd) {
        *r = *n;
        return;
    }
    /* Normalize: shift both until the divisor's top limb has its top bit
     * set. Then the estimate of each quotient limb from the top two limbs
     * of the partial remainder is never too small and at most two too large
     * (Knuth's Theorem 4.3.1 B), so at most two corrections follow. */
    unsigned s = 0;
    while ((((uint32_t)d->limb[nd - 1] << s) & 0x8000u) == 0)
        s++;
    uint16_t un[REF_LIMBS + 1], vn[REF_LIMBS + 1], prod[REF_LIMBS + 1];
    limbs_shl(un, n->limb, nn, s);
    limbs_shl(vn, d->limb, nd, s); /* vn[nd] == 0 */
    for (size_t j = nn - nd + 1; j-- > 0;) {
        uint32_t top = ((uint32_t)un[j + nd] << 16) | un[j + nd - 1];
        uint32_t qhat = top / vn[nd - 1];
        if (qhat > 0xFFFFu)
            qhat = 0xFFFFu;
        uint32_t carry = 0;
        for (size_t i = 0; i <= nd; i++) {
            uint32_t t = qhat * vn[i] + carry;
            prod[i] = (uint16_t)t;
            carry = t >> 16;
        }
        int corrections = 0;
        while (limbs_cmp(prod, un + j, nd + 1) > 0) {
            limbs_sub(prod, vn, nd + 1);
            qhat--;
            corrections++;
        }
        if (corrections > 2)
            ck_abort_msg("Algorithm D needed %d corrections", corrections);
        limbs_sub(un + j, prod, nd + 1);
        q->limb[j] = (uint16_t)qhat;
    }
    /* The remainder is the low nd limbs, shifted back. */
    for (size_t i = 0; i < nd; i++)
        r->limb[i] = (uint16_t)(((uint32_t)un[i] >> s) | ((uint32_t)un[i + 1] << (16 - s)));
}

/* The reference verdict of qfs_mul_div(a, b, d) in both rounding modes,
 * indexed by qfs_round, and which internal path of the code under test the
 * operands take (the product below 2^128, the divisor below 2^64, or the
 * general division). */
enum { PATH_NARROW_PRODUCT, PATH_NARROW_DIVISOR, PATH_GENERAL, PATH_COUNT };

typedef struct ref_mul_div_result {
    qfs_err err[2];
    u128 q[2];
    int path;
} ref_mul_div_result;

static ref_mul_div_result ref_mul_div(u128 a, u128 b, u128 d)
{
    ref_mul_div_result res;
    memset(&res, 0, sizeof res);
    ref_num ra = ref_from_amount(a), rb = ref_from_amount(b), rd = ref_from_amount(d);
    ref_num p = ref_mul(&ra, &rb);
    res.path = ref_len(&p) <= 8    ? PATH_NARROW_PRODUCT
               : ref_len(&rd) <= 4 ? PATH_NARROW_DIVISOR
                                   : PATH_GENERAL;
    if (d == 0) {
        res.err[QFS_ROUND_FLOOR] = res.err[QFS_ROUND_CEIL] = QFS_E_INVALID_ARG;
        return res;
    }
    ref_num q, r;
    ref_divmod(&q, &r, &p, &rd);
    ref_num qd = ref_mul(&q, &rd), back = ref_add(&qd, &r);
    if (ref_cmp(&back, &p) != 0 || ref_cmp(&r, &rd) >= 0)
        ck_abort_msg("reference division is wrong for " AMOUNT_FMT " * " AMOUNT_FMT " / " AMOUNT_FMT,
                     AMOUNT_ARG(a), AMOUNT_ARG(b), AMOUNT_ARG(d));
    res.err[QFS_ROUND_FLOOR] = ref_to_amount(&res.q[QFS_ROUND_FLOOR], &q) ? QFS_OK : QFS_E_RANGE;
    if (ref_len(&r) != 0)
        ref_increment(&q);
    res.err[QFS_ROUND_CEIL] = ref_to_amount(&res.q[QFS_ROUND_CEIL], &q) ? QFS_OK : QFS_E_RANGE;
    return res;
}

/* Deterministic operands: splitmix64 from a fixed seed. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* An amount whose bit length is uniform over 0..128, so that small values,
 * the neighbourhood of 2^64 and the top of the range all come up often.
 * Below the top bit, the bits are random, all ones (2^k - 1), all zeros
 * (2^(k-1)) or a lone low one (2^(k-1) + 1). */
static u128 random_amount(uint64_t *state)
{
    uint64_t x = splitmix64(state);
    unsigned bits = (unsigned)(x % 129);
    unsigned shape = (unsigned)((x >> 32) % 4);
    if (bits == 0)
        return 0;
    u128 top = (u128)1 << (bits - 1), below = top - 1;
    uint64_t hi = splitmix64(state);
    uint64_t lo = splitmix64(state);
    switch (shape) {
    case 0: return top | (U128(hi, lo) & below);
    case 1: return top | below;
    case 2: return top;
    default: return top | (below & 1);
    }
}

/* Runs qfs_mul_div(a, b, d) in both rounding modes against the reference
 * and returns the reference result. Plain comparisons rather than
 * ck_assert: the loops run hundreds of thousands of cases. */
static ref_mul_div_result mul_div_matches_reference(u128 a, u128 b, u128 d)
{
    ref_mul_div_result want = ref_mul_div(a, b, d);
    for (int mode = QFS_ROUND_FLOOR; mode <= QFS_ROUND_CEIL; mode++) {
        u128 got = SENTINEL;
        qfs_err err = qfs_mul_div(&got, a, b, d, (qfs_round)mode);
        u128 expected = want.err[mode] == QFS_OK ? want.q[mode] : SENTINEL;
        if (err != want.err[mode] || got != expected)
            ck_abort_msg("qfs_mul_div(" AMOUNT_FMT ", " AMOUNT_FMT ", " AMOUNT_FMT ", %s) = %d, " AMOUNT_FMT
                         "; reference %d, " AMOUNT_FMT,
                         AMOUNT_ARG(a), AMOUNT_ARG(b), AMOUNT_ARG(d), mode ? "ceil" : "floor", err,
                         AMOUNT_ARG(got), want.err[mode], AMOUNT_ARG(expected));
    }
    return want;
}

/* qfs_mul_div: a, b and d at 0, 1, 2^64 - 1, 2^64, 2^64 + 1, 2^127,
 * 2^128 - 1, 10^18 and 10^38; results exactly at 2^128 - 1 and one past it;
 * floor and ceil with and without a remainder; each of the three internal
 * paths (named in brackets: the product below 2^128, the divisor below 2^64
 * with a wider product, the general division). A zero value in a row whose
 * error is not QFS_OK is unused: the output must keep its old value. */
typedef struct mul_div_case {
    u128 a, b, d;
    qfs_err floor_err;
    u128 floor_q;
    qfs_err ceil_err;
    u128 ceil_q;
} mul_div_case;

static const mul_div_case mul_div_cases[] = {
    /* zero, one, d = 0 */
    /* 0 * (2^128-1) / 1 = 0 exactly [p < 2^128] */
    {0, QFS_AMOUNT_MAX, 1, QFS_OK, 0, QFS_OK, 0},
    /* (2^128-1) * 0 / (2^128-1) = 0 exactly [p < 2^128] */
    {QFS_AMOUNT_MAX, 0, QFS_AMOUNT_MAX, QFS_OK, 0, QFS_OK, 0},
    /* 0 * 0 / 1 = 0 exactly [p < 2^128] */
    {0, 0, 1, QFS_OK, 0, QFS_OK, 0},
    /* 1 * 1 / 1 = 1 exactly [p < 2^128] */
    {1, 1, 1, QFS_OK, 1, QFS_OK, 1},
    /* (2^128-1) * 1 / 1 = (2^128-1) exactly [p < 2^128] */
    {QFS_AMOUNT_MAX, 1, 1, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* 1 * (2^128-1) / (2^128-1) = 1 exactly [p < 2^128] */
    {1, QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, QFS_OK, 1, QFS_OK, 1},
    /* 1 * 1 / 2 = 0 rem 1 [p < 2^128] */
    {1, 1, 2, QFS_OK, 0, QFS_OK, 1},
    /* 1 * 1 / (2^128-1) = 0 rem 1 [p < 2^128] */
    {1, 1, QFS_AMOUNT_MAX, QFS_OK, 0, QFS_OK, 1},
    /* 10^18 * 10^18 / (10^18+1) = 999999999999999999 rem 1 [p < 2^128] */
    {TEN18, TEN18, U128(0, 1000000000000000001ULL), QFS_OK, U128(0, 999999999999999999ULL), QFS_OK, TEN18},
    /* 1 * 1 / 0 = q >= 2^128 [p < 2^128] */
    {1, 1, 0, QFS_E_INVALID_ARG, 0, QFS_E_INVALID_ARG, 0},
    /* 0 * 0 / 0 = q >= 2^128 [p < 2^128] */
    {0, 0, 0, QFS_E_INVALID_ARG, 0, QFS_E_INVALID_ARG, 0},
    /* (2^128-1) * (2^128-1) / 0 = q >= 2^128 [d < 2^64] */
    {QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, 0, QFS_E_INVALID_ARG, 0, QFS_E_INVALID_ARG, 0},
    /* 2^64 - 1, 2^64, 2^64 + 1 */
    /* (2^64-1) * (2^64-1) / 1 = 340282366920938463426481119284349108225 exactly [p < 2^128] */
    {TWO64_M1, TWO64_M1, 1, QFS_OK, U128(0xFFFFFFFFFFFFFFFEULL, 0x1ULL), QFS_OK,
     U128(0xFFFFFFFFFFFFFFFEULL, 0x1ULL)},
    /* 2^64 * (2^64-1) / 1 = 340282366920938463444927863358058659840 exactly [p < 2^128] */
    {TWO64, TWO64_M1, 1, QFS_OK, U128(0xFFFFFFFFFFFFFFFFULL, 0x0ULL), QFS_OK,
     U128(0xFFFFFFFFFFFFFFFFULL, 0x0ULL)},
    /* (2^64+1) * (2^64-1) / 1 = (2^128-1) exactly [p < 2^128] */
    {TWO64_P1, TWO64_M1, 1, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* 2^64 * 2^64 / 1 = 2^128 >= 2^128 [d < 2^64] */
    {TWO64, TWO64, 1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* (2^64+1) * 2^64 / 1 = q >= 2^128 [d < 2^64] */
    {TWO64_P1, TWO64, 1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* (2^64+1) * (2^64+1) / 1 = q >= 2^128 [d < 2^64] */
    {TWO64_P1, TWO64_P1, 1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* (2^64+1) * (2^64+1) / (2^64+1) = (2^64+1) exactly [general] */
    {TWO64_P1, TWO64_P1, TWO64_P1, QFS_OK, TWO64_P1, QFS_OK, TWO64_P1},
    /* (2^64+1) * (2^64+1) / 2^64 = (2^64+2) rem 1 [general] */
    {TWO64_P1, TWO64_P1, TWO64, QFS_OK, U128(0x1ULL, 0x2ULL), QFS_OK, U128(0x1ULL, 0x3ULL)},
    /* (2^64+1) * (2^64+1) / (2^64-1) = 18446744073709551619 rem 4 [d < 2^64] */
    {TWO64_P1, TWO64_P1, TWO64_M1, QFS_OK, U128(0x1ULL, 0x3ULL), QFS_OK, U128(0x1ULL, 0x4ULL)},
    /* 2^64 * 2^64 / (2^64-1) = (2^64+1) rem 1 [d < 2^64] */
    {TWO64, TWO64, TWO64_M1, QFS_OK, TWO64_P1, QFS_OK, U128(0x1ULL, 0x2ULL)},
    /* (2^64-1) * (2^64-1) / 2^64 = 18446744073709551614 rem 1 [p < 2^128] */
    {TWO64_M1, TWO64_M1, TWO64, QFS_OK, U128(0, 18446744073709551614ULL), QFS_OK, TWO64_M1},
    /* 2^127 and 2^128 - 1 */
    /* 2^127 * 2 / 1 = 2^128 >= 2^128 [d < 2^64] */
    {TWO127, 2, 1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* 2^127 * 2 / 2 = 2^127 exactly [d < 2^64] */
    {TWO127, 2, 2, QFS_OK, TWO127, QFS_OK, TWO127},
    /* 2^127 * 2 / 3 = 113427455640312821154458202477256070485 rem 1 [d < 2^64] */
    {TWO127, 2, 3, QFS_OK, U128(0x5555555555555555ULL, 0x5555555555555555ULL), QFS_OK,
     U128(0x5555555555555555ULL, 0x5555555555555556ULL)},
    /* 2^127 * 2^64 / 2^63 = 2^128 >= 2^128 [d < 2^64] */
    {TWO127, TWO64, U128(0, 9223372036854775808ULL), QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* 2^127 * 2^127 / 2^127 = 2^127 exactly [general] */
    {TWO127, TWO127, TWO127, QFS_OK, TWO127, QFS_OK, TWO127},
    /* 2^127 * 2^127 / (2^128-1) = 85070591730234615865843651857942052864 rem > 0 [general] */
    {TWO127, TWO127, QFS_AMOUNT_MAX, QFS_OK, U128(0x4000000000000000ULL, 0x0ULL), QFS_OK,
     U128(0x4000000000000000ULL, 0x1ULL)},
    /* 2^127 * (2^128-1) / 2^127 = (2^128-1) exactly [general] */
    {TWO127, QFS_AMOUNT_MAX, TWO127, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* (2^128-1) * (2^128-1) / (2^128-1) = (2^128-1) exactly [general] */
    {QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* (2^128-1) * (2^128-1) / (2^128-2) = 2^128 >= 2^128 [general] */
    {QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, U128(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL), QFS_E_RANGE, 0,
     QFS_E_RANGE, 0},
    /* (2^128-1) * (2^128-2) / (2^128-1) = (2^128-2) exactly [general] */
    {QFS_AMOUNT_MAX, U128(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL), QFS_AMOUNT_MAX, QFS_OK,
     U128(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL), QFS_OK,
     U128(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL)},
    /* (2^128-1) * (2^64+1) / (2^64+1) = (2^128-1) exactly [general] */
    {QFS_AMOUNT_MAX, TWO64_P1, TWO64_P1, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* (2^128-1) * 2^64 / 2^64 = (2^128-1) exactly [general] */
    {QFS_AMOUNT_MAX, TWO64, TWO64, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* (2^128-1) * (2^64-1) / (2^64-1) = (2^128-1) exactly [d < 2^64] */
    {QFS_AMOUNT_MAX, TWO64_M1, TWO64_M1, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* (2^128-1) * 2^64 / (2^64-1) = q >= 2^128 [d < 2^64] */
    {QFS_AMOUNT_MAX, TWO64, TWO64_M1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* (2^128-1) * (2^64-1) / 2^64 = 340282366920938463444927863358058659839 rem 1 [general] */
    {QFS_AMOUNT_MAX, TWO64_M1, TWO64, QFS_OK, U128(0xFFFFFFFFFFFFFFFEULL, 0xFFFFFFFFFFFFFFFFULL), QFS_OK,
     U128(0xFFFFFFFFFFFFFFFFULL, 0x0ULL)},
    /* (2^128-1) * (2^64-1) / (2^64+1) = 340282366920938463426481119284349108225 exactly [general] */
    {QFS_AMOUNT_MAX, TWO64_M1, TWO64_P1, QFS_OK, U128(0xFFFFFFFFFFFFFFFEULL, 0x1ULL), QFS_OK,
     U128(0xFFFFFFFFFFFFFFFEULL, 0x1ULL)},
    /* (2^128-1) * 2 / 3 = 226854911280625642308916404954512140970 exactly [d < 2^64] */
    {QFS_AMOUNT_MAX, 2, 3, QFS_OK, U128(0xAAAAAAAAAAAAAAAAULL, 0xAAAAAAAAAAAAAAAAULL), QFS_OK,
     U128(0xAAAAAAAAAAAAAAAAULL, 0xAAAAAAAAAAAAAAAAULL)},
    /* (2^128-1) * 3 / 7 = 145835300108973627198589117470757804909 rem 2 [d < 2^64] */
    {QFS_AMOUNT_MAX, 3, 7, QFS_OK, U128(0x6DB6DB6DB6DB6DB6ULL, 0xDB6DB6DB6DB6DB6DULL), QFS_OK,
     U128(0x6DB6DB6DB6DB6DB6ULL, 0xDB6DB6DB6DB6DB6EULL)},
    /* (2^128-1) * (2^128-1) / 1 = q >= 2^128 [d < 2^64] */
    {QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, 1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* 10^18 and 10^38 */
    /* 10^38 * 10^18 / 10^18 = 10^38 exactly [d < 2^64] */
    {TEN38, TEN18, TEN18, QFS_OK, TEN38, QFS_OK, TEN38},
    /* 10^38 * 10^38 / 10^38 = 10^38 exactly [general] */
    {TEN38, TEN38, TEN38, QFS_OK, TEN38, QFS_OK, TEN38},
    /* 10^38 * 10^38 / 1 = q >= 2^128 [d < 2^64] */
    {TEN38, TEN38, 1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* 10^38 * 3 / 1 = 300000000000000000000000000000000000000 exactly [p < 2^128] */
    {TEN38, 3, 1, QFS_OK, U128(0xE1B1E5F90F944D6EULL, 0x1C9E66C000000000ULL), QFS_OK,
     U128(0xE1B1E5F90F944D6EULL, 0x1C9E66C000000000ULL)},
    /* 10^38 * 4 / 1 = q >= 2^128 [d < 2^64] */
    {TEN38, 4, 1, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* 10^38 * 10^18 / 3 = q >= 2^128 [d < 2^64] */
    {TEN38, TEN18, 3, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* 10^38 * 10^38 / (2^128-1) = 29387358770557187699218413430556141945 rem > 0 [general] */
    {TEN38, TEN38, QFS_AMOUNT_MAX, QFS_OK, U128(0x161BCCA7119915B5ULL, 0x764B4ABE8652979ULL), QFS_OK,
     U128(0x161BCCA7119915B5ULL, 0x764B4ABE865297AULL)},
    /* 10^38 * 10^18 / 2^64 = 5421010862427522170037264004349708557 rem > 0 [general] */
    {TEN38, TEN18, TWO64, QFS_OK, U128(0x4140C78940F6A24ULL, 0xFDFFC78873D4490DULL), QFS_OK,
     U128(0x4140C78940F6A24ULL, 0xFDFFC78873D4490EULL)},
    /* 10^38 * 10^18 / (2^64+1) = 5421010862427522169743390416644136680 rem > 0 [general] */
    {TEN38, TEN18, TWO64_P1, QFS_OK, U128(0x4140C78940F6A24ULL, 0xF9EBBB0FDFC4DEE8ULL), QFS_OK,
     U128(0x4140C78940F6A24ULL, 0xF9EBBB0FDFC4DEE9ULL)},
    /* 10^38 * 10^19 / (10^19+7) = 99999999999999999930000000000000000048 rem > 0 [d < 2^64] */
    {TEN38, U128(0, 10000000000000000000ULL), U128(0, 10000000000000000007ULL), QFS_OK,
     U128(0x4B3B4CA85A86C476ULL, 0x3E182D203AA80030ULL), QFS_OK,
     U128(0x4B3B4CA85A86C476ULL, 0x3E182D203AA80031ULL)},
    /* (2^128-1) * 10^18 / 10^18 = (2^128-1) exactly [d < 2^64] */
    {QFS_AMOUNT_MAX, TEN18, TEN18, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* (2^128-1) * 3 / 10^18 = 1020847100762815390390 rem > 0 [d < 2^64] */
    {QFS_AMOUNT_MAX, 3, TEN18, QFS_OK, U128(0x37ULL, 0x57197576CB02E2B6ULL), QFS_OK,
     U128(0x37ULL, 0x57197576CB02E2B7ULL)},
    /* 10^18 * 10^18 / 3 = 333333333333333333333333333333333333 rem 1 [p < 2^128] */
    {TEN18, TEN18, 3, QFS_OK, U128(0x40329A2943025CULL, 0x9119350555555555ULL), QFS_OK,
     U128(0x40329A2943025CULL, 0x9119350555555556ULL)},
    /* 10^18 * 10^18 / (2^64+1) = 54210108624275221 rem > 0 [p < 2^128] */
    {TEN18, TEN18, TWO64_P1, QFS_OK, U128(0, 54210108624275221ULL), QFS_OK, U128(0, 54210108624275222ULL)},
    /* floor at 2^128 - 1 with a remainder: ceil overflows (the first is the largest product below 3 * 2^128)
     */
    /* 78526700058678106953086447868869587259 * 13 / 3 = (2^128-1) rem 2 [d < 2^64] */
    {U128(0x3B13B13B13B13B13ULL, 0xB13B13B13B13B13BULL), 13, 3, QFS_OK, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
    /* 264664063160729916027069139113597497799 * 9 / 7 = (2^128-1) rem 6 [d < 2^64] */
    {U128(0xC71C71C71C71C71CULL, 0x71C71C71C71C71C7ULL), 9, 7, QFS_OK, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
    /* 339942424496442021441932674757011200255 * 1001 / 1000 = (2^128-1) rem 255 [d < 2^64] */
    {U128(0xFFBE878B6170458FULL, 0xFBE878B6170458FFULL), 1001, 1000, QFS_OK, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
    /* 340282366920938463444927863358058659841 * (2^64+2) / (2^64+1) = (2^128-1) rem 3 [general] */
    {U128(0xFFFFFFFFFFFFFFFFULL, 0x1ULL), U128(0x1ULL, 0x2ULL), TWO64_P1, QFS_OK, QFS_AMOUNT_MAX, QFS_E_RANGE,
     0},
    /* 340282366920938463463374607431499776000 * (2^100+4) / (2^100+3) = (2^128-1) rem > 0 [general] */
    {U128(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFF0000000ULL), U128(0x1000000000ULL, 0x4ULL),
     U128(0x1000000000ULL, 0x3ULL), QFS_OK, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
    /* the NOD pool example */
    /* (100*10^18) * 2 / 11 = 18181818181818181818 rem 2 [p < 2^128] */
    {100 * TEN18, 2, 11, QFS_OK, U128(0, 18181818181818181818ULL), QFS_OK, U128(0, 18181818181818181819ULL)},
    /* (100*10^18) * 3 / 11 = 27272727272727272727 rem 3 [p < 2^128] */
    {100 * TEN18, 3, 11, QFS_OK, U128(0x1ULL, 0x7A7C30F51B045D17ULL), QFS_OK,
     U128(0x1ULL, 0x7A7C30F51B045D18ULL)},
};

START_TEST(test_fixed_mul_div__edge_table)
{
    for (size_t i = 0; i < sizeof mul_div_cases / sizeof mul_div_cases[0]; i++) {
        const mul_div_case *c = &mul_div_cases[i];
        qfs_err want_err[2] = {c->floor_err, c->ceil_err};
        u128 want_q[2] = {c->floor_q, c->ceil_q};
        ref_mul_div_result ref = ref_mul_div(c->a, c->b, c->d);
        for (int mode = QFS_ROUND_FLOOR; mode <= QFS_ROUND_CEIL; mode++) {
            u128 want = want_err[mode] == QFS_OK ? want_q[mode] : SENTINEL;
            u128 got = SENTINEL;
            qfs_err err = qfs_mul_div(&got, c->a, c->b, c->d, (qfs_round)mode);
            ck_assert_msg(err == want_err[mode], "row %zu %s: error %d, expected %d", i,
                          mode ? "ceil" : "floor", err, want_err[mode]);
            ck_assert_msg(got == want, "row %zu %s: " AMOUNT_FMT ", expected " AMOUNT_FMT, i,
                          mode ? "ceil" : "floor", AMOUNT_ARG(got), AMOUNT_ARG(want));
            /* The reference must agree with the literals too, or the random
             * comparisons below would prove nothing. */
            ck_assert_msg(ref.err[mode] == want_err[mode], "row %zu: reference error %d", i, ref.err[mode]);
            if (want_err[mode] == QFS_OK)
                ck_assert_msg(ref.q[mode] == want_q[mode], "row %zu: reference value differs", i);
        }
    }
}
END_TEST

START_TEST(test_fixed_mul_div__zero_divisor_is_invalid)
{
    static const u128 operands[] = {0, 1, TWO64_M1, TWO64, TWO64_P1, TWO127, QFS_AMOUNT_MAX, TEN18, TEN38};
    const size_t count = sizeof operands / sizeof operands[0];
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < count; j++)
            for (int mode = QFS_ROUND_FLOOR; mode <= QFS_ROUND_CEIL; mode++) {
                u128 v = SENTINEL;
                ck_assert_int_eq(qfs_mul_div(&v, operands[i], operands[j], 0, (qfs_round)mode),
                                 QFS_E_INVALID_ARG);
                ck_assert_amount_eq(v, SENTINEL);
            }
}
END_TEST

/* The published example: a NOD pool of 100 tokens (100 * 10^18 base units)
 * over contributions {2, 3, 3, 3}, sum 11. Python: 10**20 * 2 // 11 =
 * 18181818181818181818 and 10**20 * 3 // 11 = 27272727272727272727; the four
 * floors sum to 99999999999999999999, leaving one base unit of dust. */
START_TEST(test_fixed_mul_div__nod_pool_example)
{
    static const uint64_t contributions[] = {2, 3, 3, 3};
    /* 27272727272727272727 is above 2^64: U128(0x1, 0x7A7C30F51B045D17ULL). */
#define SHARE_OF_3 U128(0x1, 0x7A7C30F51B045D17ULL)
    static const u128 shares[] = {U128(0, 18181818181818181818ULL), SHARE_OF_3, SHARE_OF_3, SHARE_OF_3};
#undef SHARE_OF_3
    const u128 pool = 100 * TEN18;
    u128 paid = 0;
    for (size_t i = 0; i < 4; i++) {
        u128 share = SENTINEL;
        ck_assert_int_eq(qfs_mul_div(&share, pool, contributions[i], 11, QFS_ROUND_FLOOR), QFS_OK);
        ck_assert_amount_eq(share, shares[i]);
        ck_assert_int_eq(qfs_add_amount(&paid, paid, share), QFS_OK);
    }
    ck_assert_amount_eq(paid, U128(0x5, 0x6BC75E2D630FFFFFULL)); /* 10**20 - 1 */
    u128 dust = SENTINEL;
    ck_assert_int_eq(qfs_sub_amount(&dust, pool, paid), QFS_OK);
    ck_assert_amount_eq(dust, 1);
    /* Rounding up instead would pay out more than the pool: 4 * (floor + 1). */
    u128 up = SENTINEL;
    ck_assert_int_eq(qfs_mul_div(&up, pool, 2, 11, QFS_ROUND_CEIL), QFS_OK);
    ck_assert_amount_eq(up, U128(0, 18181818181818181819ULL));
}
END_TEST

/* Every triple of a set of edge values, both rounding modes, against the
 * reference: 24^3 = 13824 triples. */
START_TEST(test_fixed_mul_div__edge_cross_product_matches_reference)
{
    static const u128 edges[] = {
        0,
        1,
        2,
        3,
        10,
        U128(0, 0xFFFFFFFFULL),
        U128(0, 0x100000000ULL),
        U128(0, 0x8000000000000000ULL),
        TWO64_M1,
        TWO64,
        TWO64_P1,
        U128(0x100000000ULL, 1),
        TWO127 - 1,
        TWO127,
        TWO127 + 1,
        QFS_AMOUNT_MAX - 1,
        QFS_AMOUNT_MAX,
        TEN18,
        TEN18 + 1,
        U128(0, 10000000000000000000ULL),
        TEN38,
        TEN38 + 1,
        QFS_AMOUNT_MAX / 3, /* 0x5555...5 */
        QFS_AMOUNT_MAX / 3 * 2,
    };
    const size_t count = sizeof edges / sizeof edges[0];
    size_t range = 0;
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < count; j++)
            for (size_t k = 0; k < count; k++) {
                ref_mul_div_result r = mul_div_matches_reference(edges[i], edges[j], edges[k]);
                range += r.err[QFS_ROUND_FLOOR] == QFS_E_RANGE;
            }
    ck_assert_uint_gt(range, 1000);
}
END_TEST

#define MUL_DIV_RANDOM_CASES 250000

/* Random operands of random bit lengths, both rounding modes, against the
 * reference; the counts make sure that every internal path was taken with
 * results both in range and out of range. */
START_TEST(test_fixed_mul_div__random_matches_reference)
{
    uint64_t state = 0x716F5A11D0C0FFEEULL;
    size_t in_range[PATH_COUNT] = {0}, out_of_range[PATH_COUNT] = {0}, rounded = 0;
    for (size_t i = 0; i < MUL_DIV_RANDOM_CASES; i++) {
        u128 a = random_amount(&state);
        u128 b = random_amount(&state);
        u128 d = random_amount(&state);
        ref_mul_div_result r = mul_div_matches_reference(a, b, d);
        if (r.err[QFS_ROUND_FLOOR] == QFS_OK)
            in_range[r.path]++;
        else if (r.err[QFS_ROUND_FLOOR] == QFS_E_RANGE)
            out_of_range[r.path]++;
        if (r.err[QFS_ROUND_CEIL] == QFS_OK && r.q[QFS_ROUND_CEIL] != r.q[QFS_ROUND_FLOOR])
            rounded++;
    }
    /* With this seed: 126188, 25436 and 35619, 55823 and 5080, 190365. */
    ck_assert_uint_gt(in_range[PATH_NARROW_PRODUCT], 50000);
    ck_assert_uint_gt(in_range[PATH_NARROW_DIVISOR], 10000);
    ck_assert_uint_gt(out_of_range[PATH_NARROW_DIVISOR], 10000);
    ck_assert_uint_gt(in_range[PATH_GENERAL], 20000);
    ck_assert_uint_gt(out_of_range[PATH_GENERAL], 2000);
    ck_assert_uint_gt(rounded, 50000);
}
END_TEST

/* qfs_amount_mul_fp18(a, ratio) = round(a * ratio / 10^18). The largest
 * amount that a ratio of 18.446744073709551615 keeps in range is
 * (2**128 - 1) * 10**18 // (2**64 - 1) = 18446744073709551617000000000000000000. */
typedef struct mul_fp18_case {
    u128 a;
    uint64_t ratio_fp18;
    qfs_err floor_err;
    u128 floor_q;
    qfs_err ceil_err;
    u128 ceil_q;
} mul_fp18_case;

static const mul_fp18_case mul_fp18_cases[] = {
    /* (2^128-1) * 10^18 / 10^18 = (2^128-1) exactly */
    {QFS_AMOUNT_MAX, 1000000000000000000ULL, QFS_OK, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
    /* (2^128-1) * (10^18+1) / 10^18 = q >= 2^128 */
    {QFS_AMOUNT_MAX, 1000000000000000001ULL, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* (2^128-1) * 500000000000000000 / 10^18 = (2^127-1) rem > 0 */
    {QFS_AMOUNT_MAX, 500000000000000000ULL, QFS_OK, U128(0x7FFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL),
     QFS_OK, TWO127},
    /* (2^128-1) * 0 / 10^18 = 0 exactly */
    {QFS_AMOUNT_MAX, 0, QFS_OK, 0, QFS_OK, 0},
    /* 1 * 1 / 10^18 = 0 rem > 0 */
    {1, 1, QFS_OK, 0, QFS_OK, 1},
    /* (100*10^18) * 700000000000000000 / 10^18 = 70000000000000000000 exactly */
    {100 * TEN18, 700000000000000000ULL, QFS_OK, U128(0x3ULL, 0xCB71F51FC5580000ULL), QFS_OK,
     U128(0x3ULL, 0xCB71F51FC5580000ULL)},
    /* (2^128-1) * (2^64-1) / 10^18 = q >= 2^128 */
    {QFS_AMOUNT_MAX, 18446744073709551615ULL, QFS_E_RANGE, 0, QFS_E_RANGE, 0},
    /* 10^18 * (2^64-1) / 10^18 = (2^64-1) exactly */
    {TEN18, 18446744073709551615ULL, QFS_OK, TWO64_M1, QFS_OK, TWO64_M1},
    /* 18446744073709551617000000000000000000 * (2^64-1) / 10^18 = (2^128-1) exactly */
    {U128(0xDE0B6B3A7640000ULL, 0xDE0B6B3A7640000ULL), 18446744073709551615ULL, QFS_OK, QFS_AMOUNT_MAX,
     QFS_OK, QFS_AMOUNT_MAX},
    /* 18446744073709551617000000000000000001 * (2^64-1) / 10^18 = q >= 2^128 */
    {U128(0xDE0B6B3A7640000ULL, 0xDE0B6B3A7640001ULL), 18446744073709551615ULL, QFS_E_RANGE, 0, QFS_E_RANGE,
     0},
    /* 2^64 * 300000000000000000 / 10^18 = 5534023222112865484 rem > 0 */
    {TWO64, 300000000000000000ULL, QFS_OK, U128(0, 5534023222112865484ULL), QFS_OK,
     U128(0, 5534023222112865485ULL)},
    /* 10^38 * 999999999999999999 / 10^18 = 99999999999999999900000000000000000000 exactly */
    {TEN38, 999999999999999999ULL, QFS_OK, U128(0x4B3B4CA85A86C474ULL, 0x9DC2C4129CF00000ULL), QFS_OK,
     U128(0x4B3B4CA85A86C474ULL, 0x9DC2C4129CF00000ULL)},
};

START_TEST(test_fixed_amount_mul_fp18__edge_table)
{
    for (size_t i = 0; i < sizeof mul_fp18_cases / sizeof mul_fp18_cases[0]; i++) {
        const mul_fp18_case *c = &mul_fp18_cases[i];
        qfs_err want_err[2] = {c->floor_err, c->ceil_err};
        u128 want_q[2] = {c->floor_q, c->ceil_q};
        for (int mode = QFS_ROUND_FLOOR; mode <= QFS_ROUND_CEIL; mode++) {
            u128 want = want_err[mode] == QFS_OK ? want_q[mode] : SENTINEL;
            u128 got = SENTINEL;
            qfs_err err = qfs_amount_mul_fp18(&got, c->a, c->ratio_fp18, (qfs_round)mode);
            ck_assert_msg(err == want_err[mode], "row %zu %s: error %d, expected %d", i,
                          mode ? "ceil" : "floor", err, want_err[mode]);
            ck_assert_msg(got == want, "row %zu %s: " AMOUNT_FMT ", expected " AMOUNT_FMT, i,
                          mode ? "ceil" : "floor", AMOUNT_ARG(got), AMOUNT_ARG(want));
        }
    }
}
END_TEST

/* qfs_isqrt_mul: perfect squares n^2 and their neighbours n^2 - 1 and
 * n^2 + 1 written as products of two amounts, below and above 2^128.
 * 2^128 + 1 = 59649589127497217 * 5704689200685129054721 (the factors of the
 * Fermat number F7) and 10^38 + 1 = 101 * 990099009900990099009900990099009901. */
typedef struct isqrt_case {
    u128 a, b, root;
} isqrt_case;

static const isqrt_case isqrt_cases[] = {
    /* 0 * 0 = n^2, n = 0; root 0 [below 2^128] */
    {0, 0, 0},
    /* 0 * (2^128-1) = n^2, n = 0; root 0 [below 2^128] */
    {0, QFS_AMOUNT_MAX, 0},
    /* 1 * 1 = n^2, n = 1; root 1 [below 2^128] */
    {1, 1, 1},
    /* 1 * 2 = n^2 + 1, n = 1; root 1 [below 2^128] */
    {1, 2, 1},
    /* 1 * 3 = n^2 - 1, n = 2; root 1 [below 2^128] */
    {1, 3, 1},
    /* 2 * 2 = n^2, n = 2; root 2 [below 2^128] */
    {2, 2, 2},
    /* 1 * 8 = n^2 - 1, n = 3; root 2 [below 2^128] */
    {1, 8, 2},
    /* 3 * 3 = n^2, n = 3; root 3 [below 2^128] */
    {3, 3, 3},
    /* 3 * 5 = n^2 - 1, n = 4; root 3 [below 2^128] */
    {3, 5, 3},
    /* (2^64-1) * (2^64+1) = n^2 - 1, n = 2^64; root (2^64-1) [below 2^128] */
    {TWO64_M1, TWO64_P1, TWO64_M1},
    /* 2^64 * 2^64 = n^2, n = 2^64; root 2^64 [above 2^128] */
    {TWO64, TWO64, TWO64},
    /* 59649589127497217 * 5704689200685129054721 = n^2 + 1, n = 2^64; root 2^64 [above 2^128] */
    {U128(0, 59649589127497217ULL), U128(0x135ULL, 0x40775B48CC32BA01ULL), TWO64},
    /* 9999999999999999999 * 10000000000000000001 = n^2 - 1, n = 10^19; root 9999999999999999999 [below 2^128]
     */
    {U128(0, 9999999999999999999ULL), U128(0, 10000000000000000001ULL), U128(0, 9999999999999999999ULL)},
    /* 10^19 * 10^19 = n^2, n = 10^19; root 10^19 [below 2^128] */
    {U128(0, 10000000000000000000ULL), U128(0, 10000000000000000000ULL), U128(0, 10000000000000000000ULL)},
    /* 101 * 990099009900990099009900990099009901 = n^2 + 1, n = 10^19; root 10^19 [below 2^128] */
    {101, U128(0xBEAFA66B5A0C15ULL, 0x7C4ADF637C32B16DULL), U128(0, 10000000000000000000ULL)},
    /* (2^127-1) * (2^127+1) = n^2 - 1, n = 2^127; root (2^127-1) [above 2^128] */
    {U128(0x7FFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL), U128(0x8000000000000000ULL, 0x1ULL),
     U128(0x7FFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL)},
    /* 2^127 * 2^127 = n^2, n = 2^127; root 2^127 [above 2^128] */
    {TWO127, TWO127, TWO127},
    /* (2^127+1) * (2^127+1) = n^2, n = (2^127+1); root (2^127+1) [above 2^128] */
    {U128(0x8000000000000000ULL, 0x1ULL), U128(0x8000000000000000ULL, 0x1ULL),
     U128(0x8000000000000000ULL, 0x1ULL)},
    /* 2^127 * 170141183460469231731687303715884105730 = n^2 - 1, n = (2^127+1); root 2^127 [above 2^128] */
    {TWO127, U128(0x8000000000000000ULL, 0x2ULL), TWO127},
    /* (2^128-1) * (2^128-1) = n^2, n = (2^128-1); root (2^128-1) [above 2^128] */
    {QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, QFS_AMOUNT_MAX},
    /* (2^128-1) * (2^128-2), root (2^128-2) [above 2^128] */
    {QFS_AMOUNT_MAX, U128(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL),
     U128(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL)},
    /* (2^128-1) * 1 = n^2 - 1, n = 2^64; root (2^64-1) [below 2^128] */
    {QFS_AMOUNT_MAX, 1, TWO64_M1},
    /* (2^128-1) * 2, root 26087635650665564424 [above 2^128] */
    {QFS_AMOUNT_MAX, 2, U128(0x1ULL, 0x6A09E667F3BCC908ULL)},
    /* (2^128-1) * 4, root 36893488147419103231 [above 2^128] */
    {QFS_AMOUNT_MAX, 4, U128(0x1ULL, 0xFFFFFFFFFFFFFFFFULL)},
    /* (2^128-1) * 2^64, root 79228162514264337593543950335 [above 2^128] */
    {QFS_AMOUNT_MAX, TWO64, U128(0xFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL)},
    /* 10^38 * 10^38 = n^2, n = 10^38; root 10^38 [above 2^128] */
    {TEN38, TEN38, TEN38},
    /* 10^38 * 99999999999999999999999999999999999999, root 99999999999999999999999999999999999999 [above
       2^128] */
    {TEN38, U128(0x4B3B4CA85A86C47AULL, 0x98A223FFFFFFFFFULL),
     U128(0x4B3B4CA85A86C47AULL, 0x98A223FFFFFFFFFULL)},
    /* (100*10^18) * 400000000000000000000 = n^2, n = 200000000000000000000; root 200000000000000000000 [above
       2^128] */
    {100 * TEN18, U128(0x15ULL, 0xAF1D78B58C400000ULL), U128(0xAULL, 0xD78EBC5AC6200000ULL)},
};

START_TEST(test_fixed_isqrt_mul__squares_and_neighbours)
{
    for (size_t i = 0; i < sizeof isqrt_cases / sizeof isqrt_cases[0]; i++) {
        const isqrt_case *c = &isqrt_cases[i];
        u128 got = qfs_isqrt_mul(c->a, c->b);
        ck_assert_msg(got == c->root, "row %zu: " AMOUNT_FMT ", expected " AMOUNT_FMT, i, AMOUNT_ARG(got),
                      AMOUNT_ARG(c->root));
        /* The product is symmetric. */
        ck_assert_amount_eq(qfs_isqrt_mul(c->b, c->a), c->root);
    }
}
END_TEST

#define ISQRT_RANDOM_CASES 100000

/* r = qfs_isqrt_mul(a, b) must satisfy r^2 <= a * b < (r + 1)^2, with the
 * three products formed by the reference. */
START_TEST(test_fixed_isqrt_mul__random_brackets_the_product)
{
    uint64_t state = 0x5EED150C0DE5EED1ULL;
    size_t wide = 0;
    for (size_t i = 0; i < ISQRT_RANDOM_CASES; i++) {
        u128 a = random_amount(&state);
        u128 b = random_amount(&state);
        u128 r = qfs_isqrt_mul(a, b);
        ref_num ra = ref_from_amount(a), rb = ref_from_amount(b), rr = ref_from_amount(r);
        ref_num p = ref_mul(&ra, &rb), below = ref_mul(&rr, &rr);
        ref_increment(&rr); /* may be 2^128: the reference has room */
        ref_num above = ref_mul(&rr, &rr);
        if (ref_cmp(&below, &p) > 0 || ref_cmp(&p, &above) >= 0)
            ck_abort_msg("qfs_isqrt_mul(" AMOUNT_FMT ", " AMOUNT_FMT ") = " AMOUNT_FMT, AMOUNT_ARG(a),
                         AMOUNT_ARG(b), AMOUNT_ARG(r));
        wide += ref_len(&p) > 8;
    }
    ck_assert_uint_gt(wide, ISQRT_RANDOM_CASES / 10);
}
END_TEST

/* ---------------------------------------------------------------------------
 * Decimal text of amounts
 * ------------------------------------------------------------------------- */

/* A value, its base-unit text and its whole-token text (the base-unit text
 * with a point inserted 18 digits from the right, trailing fractional zeros
 * and a bare point dropped). */
typedef struct amount_text_case {
    u128 v;
    const char *base_units;
    const char *tokens;
} amount_text_case;

static const amount_text_case amount_text_cases[] = {
    {0, "0", "0"},
    {1, "1", "0.000000000000000001"},
    {U128(0, 999999999999999999ULL), "999999999999999999", "0.999999999999999999"},
    {TEN18, "1000000000000000000", "1"},
    {TEN18 + 1, "1000000000000000001", "1.000000000000000001"},
    {U128(0, 1500000000000000000ULL), "1500000000000000000", "1.5"},
    {TWO64_M1, "18446744073709551615", "18.446744073709551615"},
    {TWO64, "18446744073709551616", "18.446744073709551616"},
    {U128(0, 10000000000000000000ULL), "10000000000000000000", "10"},
    {100 * TEN18, "100000000000000000000", "100"},
    {TEN38, "100000000000000000000000000000000000000", "100000000000000000000"},
    {TEN38 - 1, "99999999999999999999999999999999999999", "99999999999999999999.999999999999999999"},
    {QFS_AMOUNT_MAX, "340282366920938463463374607431768211455", "340282366920938463463.374607431768211455"},
};

/* The buffer plus guard bytes that no format call may touch. */
#define GUARD_BYTES 8
#define GUARD 0x7F

static void check_guard(const char *buf)
{
    for (size_t i = QFS_AMOUNT_STR_MAX + 1; i < QFS_AMOUNT_STR_MAX + 1 + GUARD_BYTES; i++)
        ck_assert_int_eq(buf[i], GUARD);
}

START_TEST(test_fixed_amount_format__exact_text)
{
    for (size_t i = 0; i < sizeof amount_text_cases / sizeof amount_text_cases[0]; i++) {
        const amount_text_case *c = &amount_text_cases[i];
        char buf[QFS_AMOUNT_STR_MAX + 1 + GUARD_BYTES];
        memset(buf, GUARD, sizeof buf);
        ck_assert_uint_eq(qfs_amount_format(buf, c->v), strlen(c->base_units));
        ck_assert_str_eq(buf, c->base_units);
        check_guard(buf);
        memset(buf, GUARD, sizeof buf);
        ck_assert_uint_eq(qfs_amount_format_tokens(buf, c->v), strlen(c->tokens));
        ck_assert_str_eq(buf, c->tokens);
        check_guard(buf);
    }
    /* The longest texts are exactly QFS_AMOUNT_STR_MAX - 1 and QFS_AMOUNT_STR_MAX. */
    char buf[QFS_AMOUNT_STR_MAX + 1];
    ck_assert_uint_eq(qfs_amount_format(buf, QFS_AMOUNT_MAX), QFS_AMOUNT_STR_MAX - 1);
    ck_assert_uint_eq(qfs_amount_format_tokens(buf, QFS_AMOUNT_MAX), QFS_AMOUNT_STR_MAX);
}
END_TEST

START_TEST(test_fixed_amount_parse__exact_values)
{
    for (size_t i = 0; i < sizeof amount_text_cases / sizeof amount_text_cases[0]; i++) {
        const amount_text_case *c = &amount_text_cases[i];
        u128 v = SENTINEL;
        ck_assert_int_eq(qfs_amount_parse(&v, c->base_units, strlen(c->base_units)), QFS_OK);
        ck_assert_amount_eq(v, c->v);
        v = SENTINEL;
        ck_assert_int_eq(qfs_amount_parse_tokens(&v, c->tokens, strlen(c->tokens)), QFS_OK);
        ck_assert_amount_eq(v, c->v);
    }
    /* Leading zeros, even past 39 digits; the length bounds the text. */
    static const char padded[] = "000000000000000000000000340282366920938463463374607431768211455";
    u128 v = SENTINEL;
    ck_assert_int_eq(qfs_amount_parse(&v, padded, strlen(padded)), QFS_OK);
    ck_assert_amount_eq(v, QFS_AMOUNT_MAX);
    ck_assert_int_eq(qfs_amount_parse(&v, "0001", 4), QFS_OK);
    ck_assert_amount_eq(v, 1);
    ck_assert_int_eq(qfs_amount_parse(&v, "00", 2), QFS_OK);
    ck_assert_amount_eq(v, 0);
    ck_assert_int_eq(qfs_amount_parse(&v, "12345", 2), QFS_OK);
    ck_assert_amount_eq(v, 12);
    ck_assert_int_eq(qfs_amount_parse_tokens(&v, "00.50", 5), QFS_OK);
    ck_assert_amount_eq(v, U128(0, 500000000000000000ULL));
    ck_assert_int_eq(qfs_amount_parse_tokens(&v, "0.0", 3), QFS_OK);
    ck_assert_amount_eq(v, 0);
    /* 18 decimals, all of them zero, are still exact. */
    ck_assert_int_eq(qfs_amount_parse_tokens(&v, "7.000000000000000000", 20), QFS_OK);
    ck_assert_amount_eq(v, 7 * TEN18);
}
END_TEST

START_TEST(test_fixed_amount_parse__rejects_bad_text_and_overflow)
{
    /* "\xEF\xBC\x91" is U+FF11, a fullwidth digit one, in UTF-8. */
    static const char *bad[] = {
        "",    "-1",  "+1", "1.0", " 1",  "1 ",           "0x1",
        "1e3", "12a", "a",  ".",   "1,0", "\xEF\xBC\x91", "340282366920938463463374607431768211456x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        u128 v = SENTINEL;
        ck_assert_msg(qfs_amount_parse(&v, bad[i], strlen(bad[i])) == QFS_E_PARSE, "\"%s\"", bad[i]);
        ck_assert_amount_eq(v, SENTINEL);
    }
    /* An embedded NUL inside the length is bad text too. */
    u128 v = SENTINEL;
    ck_assert_int_eq(qfs_amount_parse(&v, "1\0", 2), QFS_E_PARSE);
    ck_assert_amount_eq(v, SENTINEL);
    /* 2^128 = 340282366920938463463374607431768211456, and far above it. */
    static const char *over[] = {
        "340282366920938463463374607431768211456", "340282366920938463463374607431768211460",
        "999999999999999999999999999999999999999", "3402823669209384634633746074317682114550",
        "100000000000000000000000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        ck_assert_msg(qfs_amount_parse(&v, over[i], strlen(over[i])) == QFS_E_RANGE, "\"%s\"", over[i]);
        ck_assert_amount_eq(v, SENTINEL);
    }
}
END_TEST

START_TEST(test_fixed_amount_parse_tokens__rejects_bad_text_and_overflow)
{
    static const char *bad[] = {"1.", ".5", "", ".", "-1", "+1.5", "1.5 ", " 1.5", "1..5", "1.2.3", "1e3",
                                "0x1", "1,5", "1.-5", "\xEF\xBC\x91",
                                /* bad text wins over too many decimals and over overflow */
                                "0.123456789012345678x", "999999999999999999999999999999999999999999.x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        u128 v = SENTINEL;
        ck_assert_msg(qfs_amount_parse_tokens(&v, bad[i], strlen(bad[i])) == QFS_E_PARSE, "\"%s\"", bad[i]);
        ck_assert_amount_eq(v, SENTINEL);
    }
    static const char *over[] = {
        /* (2^128 - 1) / 10^18 and one base unit more */
        "340282366920938463463.374607431768211456",
        "340282366920938463463.4",
        "340282366920938463464",
        "1000000000000000000000000000000000000000000",
        /* 19 decimals cannot be held exactly, not even zeros */
        "0.1234567890123456789",
        "1.0000000000000000000",
        "0.0000000000000000001",
    };
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        u128 v = SENTINEL;
        ck_assert_msg(qfs_amount_parse_tokens(&v, over[i], strlen(over[i])) == QFS_E_RANGE, "\"%s\"",
                      over[i]);
        ck_assert_amount_eq(v, SENTINEL);
    }
}
END_TEST

/* Base-10 text of v by repeated short division of its 16-bit limbs by 10. */
static size_t ref_decimal(char *buf, u128 v)
{
    ref_num x = ref_from_amount(v);
    char reversed[QFS_AMOUNT_STR_MAX];
    size_t n = 0;
    do {
        uint32_t rem = 0;
        for (size_t i = 8; i-- > 0;) {
            uint32_t cur = (rem << 16) | x.limb[i];
            x.limb[i] = (uint16_t)(cur / 10);
            rem = cur % 10;
        }
        reversed[n++] = (char)('0' + rem);
    } while (ref_len(&x) != 0);
    for (size_t i = 0; i < n; i++)
        buf[i] = reversed[n - 1 - i];
    buf[n] = '\0';
    return n;
}

/* Whole-token text by editing the base-unit text: pad to 19 digits, put a
 * point before the last 18, drop trailing zeros and then a bare point. */
static void ref_tokens(char *buf, u128 v)
{
    char digits[QFS_AMOUNT_STR_MAX + 1];
    size_t n = ref_decimal(digits, v);
    size_t pad = n < 19 ? 19 - n : 0;
    memset(buf, '0', pad);
    memcpy(buf + pad, digits, n);
    n += pad;
    memmove(buf + n - 17, buf + n - 18, 18);
    buf[n - 18] = '.';
    n++;
    while (buf[n - 1] == '0')
        n--;
    if (buf[n - 1] == '.')
        n--;
    buf[n] = '\0';
}

/* The reference parse: digits folded into limbs, QFS_E_RANGE at 2^128. */
static qfs_err ref_parse(u128 *out, const char *s, size_t len)
{
    ref_num x, ten = ref_from_amount(10);
    memset(&x, 0, sizeof x);
    for (size_t i = 0; i < len; i++) {
        ref_num digit = ref_from_amount((u128)(s[i] - '0'));
        ref_num scaled = ref_mul(&x, &ten);
        x = ref_add(&scaled, &digit);
        if (ref_len(&x) > 8)
            return QFS_E_RANGE;
    }
    return ref_to_amount(out, &x) ? QFS_OK : QFS_E_RANGE;
}

#define TEXT_RANDOM_CASES 20000

/* Random amounts formatted both ways against the reference texts and parsed
 * back; random digit strings of 1 to 45 digits (so around the 39-digit
 * boundary often) parsed against the reference, also as whole tokens. */
START_TEST(test_fixed_amount_format__random_round_trip)
{
    uint64_t state = 0x7E47F0A4A7D1617ULL;
    char got[QFS_AMOUNT_STR_MAX + 1], want[QFS_AMOUNT_STR_MAX + 1];
    for (size_t i = 0; i < TEXT_RANDOM_CASES; i++) {
        u128 v = random_amount(&state), back = SENTINEL;
        size_t n = qfs_amount_format(got, v);
        if (n != ref_decimal(want, v) || strcmp(got, want) != 0)
            ck_abort_msg("qfs_amount_format: \"%s\", expected \"%s\"", got, want);
        if (qfs_amount_parse(&back, got, n) != QFS_OK || back != v)
            ck_abort_msg("qfs_amount_parse(\"%s\") does not give the value back", got);
        n = qfs_amount_format_tokens(got, v);
        ref_tokens(want, v);
        if (n != strlen(want) || strcmp(got, want) != 0)
            ck_abort_msg("qfs_amount_format_tokens: \"%s\", expected \"%s\"", got, want);
        back = SENTINEL;
        if (qfs_amount_parse_tokens(&back, got, n) != QFS_OK || back != v)
            ck_abort_msg("qfs_amount_parse_tokens(\"%s\") does not give the value back", got);
    }
    size_t range = 0;
    for (size_t i = 0; i < TEXT_RANDOM_CASES; i++) {
        char text[80]; /* 45 + 1 + 20 */
        uint64_t x = splitmix64(&state);
        size_t whole_len = 1 + (size_t)(x % 45), frac_len = (size_t)((x >> 8) % 21);
        for (size_t j = 0; j < whole_len + frac_len; j++)
            text[j] = (char)('0' + splitmix64(&state) % 10);
        u128 want_v = SENTINEL, got_v = SENTINEL;
        qfs_err want_err = ref_parse(&want_v, text, whole_len);
        qfs_err err = qfs_amount_parse(&got_v, text, whole_len);
        if (err != want_err || got_v != want_v)
            ck_abort_msg("qfs_amount_parse(\"%.*s\"): %d, expected %d", (int)whole_len, text, err, want_err);
        range += err == QFS_E_RANGE;
        /* As tokens: "WHOLE.FRAC" (or "WHOLE" when frac_len is 0) is the
         * base-unit text WHOLE FRAC 0...0 when FRAC has at most 18 digits. */
        char scaled[80];
        memcpy(scaled, text, whole_len + frac_len);
        memset(scaled + whole_len + frac_len, '0', 18 - (frac_len > 18 ? 18 : frac_len));
        want_v = got_v = SENTINEL;
        want_err = frac_len > 18 ? QFS_E_RANGE : ref_parse(&want_v, scaled, whole_len + 18);
        memmove(text + whole_len + 1, text + whole_len, frac_len);
        text[whole_len] = '.';
        size_t len = frac_len > 0 ? whole_len + 1 + frac_len : whole_len;
        err = qfs_amount_parse_tokens(&got_v, text, len);
        if (err != want_err || got_v != want_v)
            ck_abort_msg("qfs_amount_parse_tokens(\"%.*s\"): %d, expected %d", (int)len, text, err, want_err);
    }
    ck_assert_uint_gt(range, TEXT_RANDOM_CASES / 10);
}
END_TEST

/* ---------------------------------------------------------------------------
 * Checked addition and subtraction at the 2^128 boundary
 * ------------------------------------------------------------------------- */

typedef struct add_sub_case {
    u128 a, b;
    qfs_err err;
    u128 result;
} add_sub_case;

START_TEST(test_fixed_add_amount__boundary)
{
    static const add_sub_case cases[] = {
        {0, 0, QFS_OK, 0},
        {QFS_AMOUNT_MAX, 0, QFS_OK, QFS_AMOUNT_MAX},
        {0, QFS_AMOUNT_MAX, QFS_OK, QFS_AMOUNT_MAX},
        {QFS_AMOUNT_MAX - 1, 1, QFS_OK, QFS_AMOUNT_MAX},
        {TWO127, TWO127 - 1, QFS_OK, QFS_AMOUNT_MAX},
        {TWO64_M1, 1, QFS_OK, TWO64}, /* the carry crosses the 64-bit halves */
        {TWO64_M1, TWO64_M1, QFS_OK, U128(1, 0xFFFFFFFFFFFFFFFEULL)},
        {QFS_AMOUNT_MAX, 1, QFS_E_RANGE, 0},
        {1, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
        {TWO127, TWO127, QFS_E_RANGE, 0}, /* exactly 2^128 */
        {QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
        {QFS_AMOUNT_MAX - TWO64_M1, TWO64, QFS_E_RANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        u128 v = SENTINEL;
        ck_assert_msg(qfs_add_amount(&v, cases[i].a, cases[i].b) == cases[i].err, "row %zu", i);
        ck_assert_amount_eq(v, cases[i].err == QFS_OK ? cases[i].result : SENTINEL);
    }
}
END_TEST

START_TEST(test_fixed_sub_amount__boundary)
{
    static const add_sub_case cases[] = {
        {0, 0, QFS_OK, 0},
        {QFS_AMOUNT_MAX, QFS_AMOUNT_MAX, QFS_OK, 0},
        {QFS_AMOUNT_MAX, 0, QFS_OK, QFS_AMOUNT_MAX},
        {QFS_AMOUNT_MAX, TWO127, QFS_OK, TWO127 - 1},
        {TWO64, 1, QFS_OK, TWO64_M1}, /* the borrow crosses the 64-bit halves */
        {QFS_AMOUNT_MAX, 1, QFS_OK, QFS_AMOUNT_MAX - 1},
        {0, 1, QFS_E_RANGE, 0},
        {0, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
        {QFS_AMOUNT_MAX - 1, QFS_AMOUNT_MAX, QFS_E_RANGE, 0},
        {TWO64, TWO64_P1, QFS_E_RANGE, 0},
        {TWO64_M1, TWO64, QFS_E_RANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        u128 v = SENTINEL;
        ck_assert_msg(qfs_sub_amount(&v, cases[i].a, cases[i].b) == cases[i].err, "row %zu", i);
        ck_assert_amount_eq(v, cases[i].err == QFS_OK ? cases[i].result : SENTINEL);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fixed");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fixed_fp18_parse__exact_values);
    tcase_add_test(tc, test_fixed_fp18_parse__rejects_bad_text);
    tcase_add_test(tc, test_fixed_fp18_format__shortest_exact);
    tcase_add_test(tc, test_fixed_u64_parse__bounds);
    tcase_add_test(tc, test_fixed_mul_div__rounding_and_overflow);
    tcase_add_test(tc, test_fixed_add_sub__checked);
    tcase_add_test(tc, test_fixed_isqrt__exact_floor);
    tcase_add_test(tc, test_fixed_mul_div__edge_table);
    tcase_add_test(tc, test_fixed_mul_div__zero_divisor_is_invalid);
    tcase_add_test(tc, test_fixed_mul_div__nod_pool_example);
    tcase_add_test(tc, test_fixed_mul_div__edge_cross_product_matches_reference);
    tcase_add_test(tc, test_fixed_mul_div__random_matches_reference);
    tcase_add_test(tc, test_fixed_amount_mul_fp18__edge_table);
    tcase_add_test(tc, test_fixed_isqrt_mul__squares_and_neighbours);
    tcase_add_test(tc, test_fixed_isqrt_mul__random_brackets_the_product);
    tcase_add_test(tc, test_fixed_amount_format__exact_text);
    tcase_add_test(tc, test_fixed_amount_parse__exact_values);
    tcase_add_test(tc, test_fixed_amount_parse__rejects_bad_text_and_overflow);
    tcase_add_test(tc, test_fixed_amount_parse_tokens__rejects_bad_text_and_overflow);
    tcase_add_test(tc, test_fixed_amount_format__random_round_trip);
    tcase_add_test(tc, test_fixed_add_amount__boundary);
    tcase_add_test(tc, test_fixed_sub_amount__boundary);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
