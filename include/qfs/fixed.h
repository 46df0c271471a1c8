/*
 * qfs/fixed.h - exact integer arithmetic: 18-decimal fixed point, checked
 * add/sub, and one multiply-then-divide with an explicit rounding mode.
 *
 * No floating point is used anywhere. A ratio r is stored as the integer
 * r * 10^18 in a uint64_t (so 0.7 is 700000000000000000; the largest value is
 * 18.446744073709551615). An amount is a qfs_amount: an unsigned 128-bit
 * count of base units, 10^18 base units making one whole token, so that the
 * whole-token value of an amount is the same 18-decimal fixed point as a
 * ratio, on 128 bits. Products of two 128-bit values are formed on a 256-bit
 * intermediate (qfs_mul_div) before the division.
 */
#ifndef QFS_FIXED_H
#define QFS_FIXED_H

#include "qfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QFS_FP18_ONE 1000000000000000000ULL
#define QFS_FP18_DECIMALS 18

/* Longest text qfs_fp18_format() or qfs_u64_format() writes, without NUL. */
#define QFS_DECIMAL_STR_MAX 21

/* An amount of one asset in base units. 10^18 base units are one token. */
typedef unsigned __int128 qfs_amount;
#define QFS_AMOUNT_MAX (~(qfs_amount)0)
/* Base units in one whole token of any asset. */
#define QFS_TOKEN ((qfs_amount)QFS_FP18_ONE)
/* Longest text qfs_amount_format() (39 digits: 2^128 - 1 is
 * 340282366920938463463374607431768211455) or qfs_amount_format_tokens()
 * (40 with the point) writes, without NUL. */
#define QFS_AMOUNT_STR_MAX 40
/* Most bytes of an amount's big-endian form. */
#define QFS_AMOUNT_BYTES_MAX 16

typedef enum qfs_round {
    QFS_ROUND_FLOOR = 0, /* toward zero (all values are unsigned) */
    QFS_ROUND_CEIL = 1   /* away from zero */
} qfs_round;

/* Parses an exact decimal such as "0.7", "1", "0.000000000000000001" or
 * "12.5" into fixed point. Grammar: DIGITS [ "." DIGITS ]; no sign, no
 * exponent, no spaces, no empty parts ("1." and ".5" are refused), leading
 * zeros allowed. QFS_E_PARSE for malformed text. QFS_E_RANGE for well-formed
 * text that cannot be held exactly: more than 18 fractional digits, or a
 * value above 18.446744073709551615. */
qfs_err qfs_fp18_parse(uint64_t *out, const char *s, size_t len);

/* Writes the shortest exact decimal for v ("0.7", "1", "0") and a NUL into
 * buf, which must hold QFS_DECIMAL_STR_MAX + 1 bytes. Returns the length. */
size_t qfs_fp18_format(char *buf, uint64_t v);

/* Parses a base-10 unsigned integer: DIGITS only, no sign or spaces, leading
 * zeros allowed. QFS_E_PARSE for bad text, QFS_E_RANGE above UINT64_MAX. */
qfs_err qfs_u64_parse(uint64_t *out, const char *s, size_t len);

/* Writes v in base 10 and a NUL; buf holds QFS_DECIMAL_STR_MAX + 1 bytes. */
size_t qfs_u64_format(char *buf, uint64_t v);

/* *out = a + b, or QFS_E_RANGE on overflow (then *out is unchanged). */
qfs_err qfs_add_u64(uint64_t *out, uint64_t a, uint64_t b);

/* *out = a - b, or QFS_E_RANGE when b > a (then *out is unchanged). */
qfs_err qfs_sub_u64(uint64_t *out, uint64_t a, uint64_t b);

/* *out = round(a * b / d) computed on a 128-bit intermediate, rounding as
 * named. QFS_E_INVALID_ARG when d == 0; QFS_E_RANGE when the result does not
 * fit in 64 bits (then *out is unchanged). */
qfs_err qfs_mul_div_u64(uint64_t *out, uint64_t a, uint64_t b, uint64_t d, qfs_round r);

/* Like qfs_mul_div_u64() with a 128-bit divisor, for sums of many ratios or
 * amounts (a sum of Psi over validators can exceed 64 bits). */
qfs_err qfs_mul_div_u64_wide(uint64_t *out, uint64_t a, uint64_t b, unsigned __int128 d, qfs_round r);

/* Fixed-point product: round(a * b / 10^18). */
qfs_err qfs_fp18_mul(uint64_t *out, uint64_t a, uint64_t b, qfs_round r);

/* floor(sqrt(v)) for a 128-bit value; exact, integer only. */
uint64_t qfs_isqrt_u128(unsigned __int128 v);

/* Parses a base-10 amount: DIGITS only, no sign, point or spaces, leading
 * zeros allowed. QFS_E_PARSE for bad text, QFS_E_RANGE above 2^128 - 1;
 * `*out` is unchanged on error. */
qfs_err qfs_amount_parse(qfs_amount *out, const char *s, size_t len);

/* Writes v in base 10 and a NUL; buf holds QFS_AMOUNT_STR_MAX + 1 bytes.
 * Returns the length. */
size_t qfs_amount_format(char *buf, qfs_amount v);

/* Writes v / 10^18 as the shortest exact decimal ("1.5" for
 * 1500000000000000000, "0" for 0): an amount in whole tokens, or a 128-bit
 * sum of ratios. buf holds QFS_AMOUNT_STR_MAX + 1 bytes. */
size_t qfs_amount_format_tokens(char *buf, qfs_amount v);

/* Parses whole tokens written as an exact decimal ("1.5", "100") into base
 * units (x 10^18). Grammar as qfs_fp18_parse(). QFS_E_RANGE for more than 18
 * decimals or a result above 2^128 - 1. */
qfs_err qfs_amount_parse_tokens(qfs_amount *out, const char *s, size_t len);

/* 10^e as an amount, for e from 0 to 38 (10^38 < 2^128 - 1 < 10^39). */
qfs_amount qfs_pow10(unsigned e);

/* *out = a + b, or QFS_E_RANGE above 2^128 - 1 (then *out is unchanged). */
qfs_err qfs_add_amount(qfs_amount *out, qfs_amount a, qfs_amount b);

/* *out = a - b, or QFS_E_RANGE when b > a (then *out is unchanged). */
qfs_err qfs_sub_amount(qfs_amount *out, qfs_amount a, qfs_amount b);

/* *out = round(a * b / d) with the product formed exactly on 256 bits,
 * rounding as named. This is the one multiply-then-divide of amounts: a
 * pool times a score over a sum of scores, an amount times a ratio over
 * 10^18. QFS_E_INVALID_ARG when d == 0; QFS_E_RANGE when the result does not
 * fit in 128 bits (then *out is unchanged). */
qfs_err qfs_mul_div(qfs_amount *out, qfs_amount a, qfs_amount b, qfs_amount d, qfs_round r);

/* An amount times a ratio: round(a * ratio_fp18 / 10^18) (qfs_mul_div). */
qfs_err qfs_amount_mul_fp18(qfs_amount *out, qfs_amount a, uint64_t ratio_fp18, qfs_round r);

/* An unsigned 256-bit value, for exact sums of 128 x 128-bit products. */
typedef struct qfs_u256 {
    qfs_amount hi, lo;
} qfs_u256;

/* *acc += a * b exactly. QFS_E_RANGE past 2^256 - 1 (*acc unchanged). */
qfs_err qfs_u256_add_mul(qfs_u256 *acc, qfs_amount a, qfs_amount b);

/* *out = floor(n / d). QFS_E_INVALID_ARG when d == 0, QFS_E_RANGE when the
 * quotient does not fit in 128 bits. */
qfs_err qfs_u256_div(qfs_amount *out, qfs_u256 n, qfs_amount d);

/* floor(sqrt(a * b)) with the product formed exactly on 256 bits; the result
 * always fits in 128 bits. */
qfs_amount qfs_isqrt_mul(qfs_amount a, qfs_amount b);

#ifdef __cplusplus
}
#endif
#endif
