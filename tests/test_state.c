/* The state machine: genesis, ledger, transfers, fees, NOD issuance, time,
 * receipts and hashes. Expected numbers are worked out by hand in comments. */
#include "state_helpers.h"

#include <stdio.h>

static const acc_spec BASIC[] = {
    {"alice", QFS_ACCOUNT_USER, 0, 0, 1000, 0, 0, 0, 100},
    {"bob", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0},
    {"node-1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 50, 0},
    {"val-1", QFS_ACCOUNT_VALIDATOR, 500, 0, 0, 20, 0, 0, 10},
};

START_TEST(test_state_apply__genesis_valid)
{
    qfs_state *s = mk_state_np(BASIC);
    /* Issued supply is the sum of genesis balances: T3 1000, NOD 50,
     * ATR 100 + 10 = 110, T1 500, T4 20. */
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_T3), 1000);
    ck_assert_uint_eq(bal(s, "node-1", QFS_ASSET_NOD), 50);
    ck_assert(
        json_has(s, "ledger",
                 "\"issued\":{\"ATR\":110,\"NOD\":50,\"T1\":500,\"T2\":0,\"T3\":1000,\"T4\":20,\"T5\":0}"));
    ck_assert(json_has(s, "ledger", "\"genesis\":true"));
    ck_assert_uint_eq(qfs_state_epoch(s), 0);
    ck_assert_uint_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), 10000);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__genesis_invalid)
{
    qfs_state *s = NULL;
    ck_assert_int_eq(qfs_state_create(&s, NULL), QFS_OK);
    /* Anything before genesis is rejected. */
    ck_assert_uint_eq(apply(s, ev_action(0, "alice", 5)), QFS_REJECT_NO_GENESIS);
    /* NOD on a user account: genesis rejected, state stays without genesis. */
    acc_spec bad[] = {{"u", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 1, 0}};
    qfs_genesis_account acc[1];
    qfs_param_value par[1];
    ck_assert_uint_eq(apply(s, ev_genesis(0, bad, 1, NULL, 0, acc, par)), QFS_REJECT_NOD_HOLDER_NOT_INFRA);
    ck_assert(json_has(s, "ledger", "\"genesis\":false"));
    /* A parameter outside its range: nod_fraction above 0.15. */
    param_spec p[] = {{"nod_fraction", FP18(160000000000000000)}};
    ck_assert_uint_eq(apply(s, ev_genesis(0, BASIC, 1, p, 1, acc, par)), QFS_REJECT_PARAM_OUT_OF_RANGE);
    /* Balances whose sum overflows 64 bits. */
    acc_spec big[] = {{"a", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, UINT64_MAX},
                      {"b", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 1}};
    qfs_genesis_account acc2[2];
    ck_assert_uint_eq(apply(s, ev_genesis(0, big, 2, NULL, 0, acc2, par)), QFS_REJECT_AMOUNT_OVERFLOW);
    /* A valid genesis is still possible, and a second one is rejected. */
    ck_assert_uint_eq(apply(s, ev_genesis(0, BASIC, 1, NULL, 0, acc, par)), 0);
    ck_assert_uint_eq(apply(s, ev_genesis(0, BASIC, 1, NULL, 0, acc, par)), QFS_REJECT_DUPLICATE_GENESIS);
    ck_assert_uint_eq(qfs_state_event_count(s), 6);
    ck_assert_uint_eq(qfs_state_rejected_count(s), 5);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__genesis_invalid_kind_named_before_nod_holder)
{
    /* SPEC 4.1 checks every account kind (2) before any NOD holder (3). Here
     * account 0 is a user holding NOD (a failure of check 3) and account 1
     * has no valid kind (a failure of check 2): the verdict is check 2's,
     * invalid_event (27), whatever the accounts' order. */
    qfs_state *s = NULL;
    ck_assert_int_eq(qfs_state_create(&s, NULL), QFS_OK);
    acc_spec bad[] = {{"u", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 1, 0},
                      {"v", QFS_ACCOUNT_NONE, 0, 0, 0, 0, 0, 0, 0}};
    qfs_genesis_account acc[2];
    qfs_param_value par[1];
    ck_assert_uint_eq(apply(s, ev_genesis(0, bad, 2, NULL, 0, acc, par)), QFS_REJECT_INVALID_EVENT);
    ck_assert(json_has(s, "ledger", "\"genesis\":false"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__register_valid_and_invalid)
{
    qfs_state *s = mk_state_np(BASIC);
    ck_assert_uint_eq(apply(s, ev_register(1, "carol", QFS_ACCOUNT_VALIDATOR)), 0);
    ck_assert_uint_eq(bal(s, "carol", QFS_ASSET_T1), 0);
    ck_assert_uint_eq(apply(s, ev_register(1, "carol", QFS_ACCOUNT_USER)), QFS_REJECT_ACCOUNT_EXISTS);
    ck_assert_uint_eq(apply(s, ev_register(1, "alice", QFS_ACCOUNT_USER)), QFS_REJECT_ACCOUNT_EXISTS);
    ck_assert_uint_eq(apply(s, ev_register(1, "dave", QFS_ACCOUNT_NONE)), QFS_REJECT_INVALID_EVENT);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__transfer_valid)
{
    qfs_state *s = mk_state_np(BASIC);
    /* alice sends 300 T3 to bob with a 10 ATR fee: alice T3 1000 - 300 = 700,
     * ATR 100 - 10 = 90; bob T3 300; treasury ATR 10; NOD issued
     * floor(10 x 0.10) = 1 into the pool. */
    ck_assert_uint_eq(apply(s, ev_transfer(5, "alice", "bob", QFS_ASSET_T3, 300, 10)), 0);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_T3), 700);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_ATR), 90);
    ck_assert_uint_eq(bal(s, "bob", QFS_ASSET_T3), 300);
    ck_assert(json_has(s, "treasury", "\"balances\":{\"ATR\":10,"));
    ck_assert(json_has(s, "nod", "\"pool\":1}"));
    ck_assert(json_has(s, "ledger", "\"NOD\":51,"));
    /* ATR itself: amount and fee both come out of ATR: 90 - 50 - 5 = 35. */
    ck_assert_uint_eq(apply(s, ev_transfer(6, "alice", "bob", QFS_ASSET_ATR, 50, 5)), 0);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_ATR), 35);
    ck_assert_uint_eq(bal(s, "bob", QFS_ASSET_ATR), 50);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__transfer_invalid)
{
    qfs_state *s = mk_state_np(BASIC);
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "bob", QFS_ASSET_T3, 1001, 1)),
                      QFS_REJECT_INSUFFICIENT_BALANCE);
    /* 100 ATR cannot pay 96 + a fee of 5. */
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "bob", QFS_ASSET_ATR, 96, 5)),
                      QFS_REJECT_INSUFFICIENT_BALANCE);
    /* bob has no ATR for the fee. */
    ck_assert_uint_eq(apply(s, ev_transfer(1, "bob", "alice", QFS_ASSET_T3, 1, 1)),
                      QFS_REJECT_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(apply(s, ev_transfer(1, "node-1", "bob", QFS_ASSET_NOD, 1, 1)),
                      QFS_REJECT_NOD_NOT_TRANSFERABLE);
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "zed", QFS_ASSET_T3, 1, 1)),
                      QFS_REJECT_UNKNOWN_ACCOUNT);
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "alice", QFS_ASSET_T3, 1, 1)),
                      QFS_REJECT_SELF_TRANSFER);
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "bob", QFS_ASSET_T3, 0, 1)), QFS_REJECT_ZERO_AMOUNT);
    /* fee_min_atr defaults to 1. */
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "bob", QFS_ASSET_T3, 1, 0)), QFS_REJECT_FEE_TOO_LOW);
    ck_assert_uint_eq(apply(s, ev_transfer(1, "alice", "bob", QFS_ASSET_NONE, 1, 1)),
                      QFS_REJECT_INVALID_EVENT);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_T3), 1000);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_ATR), 100);
    ck_assert_uint_eq(qfs_state_rejected_count(s), 9);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__nod_issuance_and_cap)
{
    param_spec p[] = {{"nod_issuance_cap", 5}};
    qfs_state *s = mk_state(BASIC, p);
    /* fee 25: floor(25 x 0.1) = floor(2.5) = 2 NOD. */
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", 25)), 0);
    ck_assert(json_has(s, "nod", "\"pool\":2}"));
    /* fee 30: 3 NOD, but the cap leaves room for 5 - 2 = 3: pool 5. */
    ck_assert_uint_eq(apply(s, ev_action(2, "alice", 30)), 0);
    /* fee 30 again: room 0, 3 NOD cut (never issued). Treasury 85 ATR. */
    ck_assert_uint_eq(apply(s, ev_action(3, "alice", 30)), 0);
    ck_assert(json_has(s, "nod", "\"cut_total\":3,\"issued_epoch\":5,"));
    ck_assert(json_has(s, "nod", "\"pool\":5}"));
    ck_assert(json_has(s, "treasury", "\"fees_total_atr\":85,"));
    /* fee 15 > 100 - 85 = 15 left: exactly enough. Then one more unit fails. */
    ck_assert_uint_eq(apply(s, ev_action(4, "alice", 15)), 0);
    ck_assert_uint_eq(apply(s, ev_action(4, "alice", 1)), QFS_REJECT_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(apply(s, ev_action(4, "ghost", 1)), QFS_REJECT_UNKNOWN_ACCOUNT);
    ck_assert_uint_eq(apply(s, ev_action(4, "val-1", 0)), QFS_REJECT_FEE_TOO_LOW);
    /* A new epoch resets the per-epoch issuance: fee 10 issues 1. */
    ck_assert_uint_eq(apply(s, ev_close(5, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_action(6, "val-1", 10)), 0);
    ck_assert(json_has(s, "nod", "\"issued_epoch\":1,"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__time_and_epochs)
{
    qfs_state *s = mk_state_np(BASIC);
    ck_assert_uint_eq(apply(s, ev_action(100, "alice", 1)), 0);
    ck_assert_uint_eq(apply(s, ev_action(99, "alice", 1)), QFS_REJECT_TIMESTAMP_REGRESSION);
    ck_assert_uint_eq(apply(s, ev_action(100, "alice", 1)), 0); /* equal time is fine */
    ck_assert_uint_eq(apply(s, ev_close(100, 1)), QFS_REJECT_WRONG_EPOCH);
    ck_assert_uint_eq(apply(s, ev_close(100, 0)), 0);
    ck_assert_uint_eq(qfs_state_epoch(s), 1);
    ck_assert_uint_eq(apply(s, ev_close(100, 0)), QFS_REJECT_WRONG_EPOCH);
    ck_assert_uint_eq(apply(s, ev_close(101, 1)), 0);
    ck_assert_uint_eq(qfs_state_epoch(s), 2);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__rejection_changes_only_receipts)
{
    qfs_state *s = mk_state_np(BASIC);
    ck_assert_uint_eq(apply(s, ev_transfer(5, "alice", "bob", QFS_ASSET_T3, 300, 10)), 0);
    size_t m = qfs_state_module_count();
    ck_assert_uint_eq(m, 9);
    ck_assert_str_eq(qfs_state_module_name(m - 1), "receipts");
    qfs_hash128 before[9], after[9], root_before, root_after;
    module_hashes(s, before);
    qfs_state_hash(s, &root_before);
    /* A rejected event of every flavour, including a late timestamp. */
    ck_assert_uint_ne(apply(s, ev_transfer(6, "alice", "bob", QFS_ASSET_T3, 5000, 10)), 0);
    ck_assert_uint_ne(apply(s, ev_transfer(4, "alice", "bob", QFS_ASSET_T3, 1, 1)), 0);
    ck_assert_uint_ne(apply(s, ev_stake(7, "alice", 1)), 0);
    ck_assert_uint_ne(apply(s, ev_close(7, 3)), 0);
    module_hashes(s, after);
    qfs_state_hash(s, &root_after);
    for (size_t i = 0; i + 1 < m; i++)
        ck_assert_msg(qfs_hash128_eq(&before[i], &after[i]), "module %s changed", qfs_state_module_name(i));
    ck_assert(!qfs_hash128_eq(&before[m - 1], &after[m - 1]));
    ck_assert(!qfs_hash128_eq(&root_before, &root_after));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_hash__receipt_codes_change_root)
{
    /* Two replays that reject different events (same final balances) differ. */
    qfs_state *a = mk_state_np(BASIC);
    qfs_state *b = mk_state_np(BASIC);
    ck_assert_uint_eq(apply(a, ev_transfer(1, "alice", "bob", QFS_ASSET_T3, 0, 1)), QFS_REJECT_ZERO_AMOUNT);
    ck_assert_uint_eq(apply(b, ev_transfer(1, "alice", "bob", QFS_ASSET_T3, 1, 0)), QFS_REJECT_FEE_TOO_LOW);
    qfs_hash128 ha, hb;
    qfs_state_hash(a, &ha);
    qfs_state_hash(b, &hb);
    ck_assert(!qfs_hash128_eq(&ha, &hb));
    qfs_state_module_hash(a, 0, &ha);
    qfs_state_module_hash(b, 0, &hb);
    ck_assert(qfs_hash128_eq(&ha, &hb));
    qfs_state_free(a);
    qfs_state_free(b);
}
END_TEST

START_TEST(test_state_hash__independent_of_table_seed)
{
    qfs_hash128 first;
    char *first_json = NULL;
    for (uint64_t seed = 0; seed < 4; seed++) {
        qfs_state *s = mk_state_seeded(BASIC, 4, NULL, 0, seed * 0x9e3779b97f4a7c15ULL);
        char name[16];
        for (int i = 0; i < 40; i++) {
            snprintf(name, sizeof name, "user-%02d", (i * 7) % 40);
            ck_assert_uint_eq(apply(s, ev_register(2, name, QFS_ACCOUNT_USER)), 0);
            ck_assert_uint_eq(apply(s, ev_transfer(2, "alice", name, QFS_ASSET_T3, (uint64_t)i + 1, 1)), 0);
        }
        qfs_hash128 h;
        qfs_state_hash(s, &h);
        char *j = json_of(s, NULL);
        if (seed == 0) {
            first = h;
            first_json = j;
        } else {
            ck_assert(qfs_hash128_eq(&first, &h));
            ck_assert_str_eq(first_json, j);
            free(j);
        }
        qfs_state_free(s);
    }
    char hex[33];
    qfs_hash128_hex(&first, hex);
    ck_assert_uint_eq(strlen(hex), 32);
    ck_assert(first_json[strlen(first_json) - 1] == '\n');
    free(first_json);
}
END_TEST

START_TEST(test_state_json__unknown_module)
{
    qfs_state *s = mk_state_np(BASIC);
    char *j = NULL;
    ck_assert_int_eq(qfs_state_to_json(s, "nope", &j, NULL), QFS_E_NOT_FOUND);
    ck_assert_ptr_null(j);
    ck_assert_str_eq(qfs_reject_str(QFS_REJECT_INSUFFICIENT_BALANCE), "insufficient_balance");
    ck_assert_str_eq(qfs_reject_str(0), "accepted");
    ck_assert_str_eq(qfs_reject_str(9999), "unknown");
    qfs_state_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_state_apply__genesis_valid);
    tcase_add_test(tc, test_state_apply__genesis_invalid);
    tcase_add_test(tc, test_state_apply__genesis_invalid_kind_named_before_nod_holder);
    tcase_add_test(tc, test_state_apply__register_valid_and_invalid);
    tcase_add_test(tc, test_state_apply__transfer_valid);
    tcase_add_test(tc, test_state_apply__transfer_invalid);
    tcase_add_test(tc, test_state_apply__nod_issuance_and_cap);
    tcase_add_test(tc, test_state_apply__time_and_epochs);
    tcase_add_test(tc, test_state_apply__rejection_changes_only_receipts);
    tcase_add_test(tc, test_state_hash__receipt_codes_change_root);
    tcase_add_test(tc, test_state_hash__independent_of_table_seed);
    tcase_add_test(tc, test_state_json__unknown_module);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
