/* Ids and enum names shared by every module. */
#include "qfs/event.h"
#include "testutil.h"

#include <string.h>

START_TEST(test_event_id_set__charset_is_exactly_the_documented_one)
{
    /* [A-Za-z0-9._:-], spelled out independently of the implementation. */
    static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
    int accepted = 0;
    for (int c = 0; c < 256; c++) {
        char s[3] = {'a', (char)c, 'z'};
        qfs_id id;
        qfs_err err = qfs_id_set(&id, s, 3);
        int want = c != 0 && strchr(allowed, c) != NULL;
        ck_assert_msg((err == QFS_OK) == want, "byte 0x%02x: got %d", c, err);
        if (!want)
            ck_assert_int_eq(err, QFS_E_PARSE);
        accepted += err == QFS_OK;
    }
    ck_assert_int_eq(accepted, 26 + 26 + 10 + 4);
}
END_TEST

START_TEST(test_event_id_set__length_bounds_and_zero_padding)
{
    char buf[QFS_ID_BYTES_MAX + 1];
    memset(buf, 'x', sizeof buf);
    qfs_id id;
    memset(&id, 0xab, sizeof id);
    ck_assert_int_eq(qfs_id_set(&id, buf, QFS_ID_BYTES_MAX), QFS_OK);
    ck_assert_uint_eq(id.len, 64);
    ck_assert_int_eq(qfs_id_set(&id, buf, QFS_ID_BYTES_MAX + 1), QFS_E_RANGE);
    ck_assert_int_eq(qfs_id_set(&id, buf, 0), QFS_E_RANGE);
    /* A short id leaves no stale bytes behind it. */
    memset(&id, 0xab, sizeof id);
    ck_assert_int_eq(qfs_id_set(&id, "ab", 2), QFS_OK);
    for (size_t i = 2; i < QFS_ID_BYTES_MAX; i++)
        ck_assert_int_eq(id.bytes[i], 0);
}
END_TEST

START_TEST(test_event_id_cmp__bytewise_then_shorter_first)
{
    qfs_id a, b, c;
    qfs_id_set(&a, "node-1", 6);
    qfs_id_set(&b, "node-10", 7);
    qfs_id_set(&c, "node-2", 6);
    ck_assert_int_lt(qfs_id_cmp(&a, &b), 0); /* prefix first */
    ck_assert_int_lt(qfs_id_cmp(&b, &c), 0); /* '1' < '2' */
    ck_assert_int_gt(qfs_id_cmp(&c, &a), 0);
    ck_assert_int_eq(qfs_id_cmp(&a, &a), 0);
    qfs_id up, low;
    qfs_id_set(&up, "Z", 1);
    qfs_id_set(&low, "a", 1);
    ck_assert_int_lt(qfs_id_cmp(&up, &low), 0); /* bytes, not letters: 'Z' 0x5a < 'a' 0x61 */
}
END_TEST

START_TEST(test_event_names__round_trip_and_unknown)
{
    for (int k = 1; k < QFS_EVENT_KIND_COUNT; k++) {
        const char *name = qfs_event_kind_name((qfs_event_kind)k);
        qfs_event_kind back;
        ck_assert_ptr_nonnull(name);
        ck_assert_int_eq(qfs_event_kind_parse(&back, name, strlen(name)), QFS_OK);
        ck_assert_int_eq(back, k);
    }
    ck_assert_ptr_null(qfs_event_kind_name(QFS_EVENT_NONE));
    ck_assert_ptr_null(qfs_event_kind_name((qfs_event_kind)QFS_EVENT_KIND_COUNT));
    qfs_asset a;
    ck_assert_int_eq(qfs_asset_parse(&a, "NOD", 3), QFS_OK);
    ck_assert_int_eq(a, QFS_ASSET_NOD);
    ck_assert_int_eq(qfs_asset_parse(&a, "nod", 3), QFS_E_PARSE); /* case-sensitive */
    ck_assert_int_eq(qfs_asset_parse(&a, "NO", 2), QFS_E_PARSE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_event_id_set__charset_is_exactly_the_documented_one);
    tcase_add_test(tc, test_event_id_set__length_bounds_and_zero_padding);
    tcase_add_test(tc, test_event_id_cmp__bytewise_then_shorter_first);
    tcase_add_test(tc, test_event_names__round_trip_and_unknown);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
