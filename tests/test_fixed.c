/* Fixed point, decimal text and checked arithmetic. Expected values are
 * worked out by hand in the comments. */
#include "qfs/fixed.h"
#include "testutil.h"

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
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
