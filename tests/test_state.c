/* The state machine: genesis, ledger, transfers, fees, NOD issuance, time,
 * receipts and hashes. Expected numbers are worked out by hand in comments.
 * Amounts are 128-bit base units, 10^18 per whole token (state format 2);
 * small fixtures count base units, TOK(n) is n whole tokens. */
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
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T3), 1000);
    ck_assert_amt_eq(bal(s, "node-1", QFS_ASSET_NOD), 50);
    /* Amounts and timestamps are JSON strings of digits, epochs integers. */
    ck_assert(json_has(s, "ledger",
                       "\"issued\":{\"ATR\":\"110\",\"NOD\":\"50\",\"T1\":\"500\",\"T2\":\"0\","
                       "\"T3\":\"1000\",\"T4\":\"20\",\"T5\":\"0\"}"));
    ck_assert(json_has(s, "ledger", "\"epoch\":0,\"genesis\":true,"));
    ck_assert(json_has(s, "ledger", "\"last_timestamp_ms\":\"0\"}"));
    ck_assert_uint_eq(qfs_state_epoch(s), 0);
    /* Token-quantity defaults are whole tokens: t2_pool 10 000 T2 =
     * 10^4 x 10^18 = 10^22; nod_issuance_cap 1 000 000 NOD = 10^24 (genesis-only, so under governance);
     * fee_min_atr stays 1 base unit. */
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(10000));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_NOD_ISSUANCE_CAP), TOK(1000000));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_FEE_MIN_ATR), 1);
    ck_assert(json_has(s, "governance", "\"t2_pool\":\"10000000000000000000000\""));
    ck_assert(json_has(s, "governance", "\"nod_issuance_cap\":\"1000000000000000000000000\""));
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
    /* Balances whose sum overflows 128 bits: (2^128 - 1) + 1 = 2^128. */
    acc_spec big[] = {{"a", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, QFS_AMOUNT_MAX},
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

/* SPEC 4.1 runs check (3), NOD only on infrastructure accounts, over every
 * account before check (4), the sums. Accounts 0 and 1 already sum T1 to
 * 2^127 + 2^127 = 2^128 (a failure of check 4, found at account 1), and
 * account 2 is a user holding NOD (a failure of check 3): the verdict is
 * check 3's, nod_holder_not_infra (11), not amount_overflow. */
START_TEST(test_state_apply__genesis_nod_holder_named_before_sum_overflow)
{
    qfs_state *s = NULL;
    ck_assert_int_eq(qfs_state_create(&s, NULL), QFS_OK);
    qfs_amount half = (qfs_amount)1 << 127;
    acc_spec bad[] = {{"a", QFS_ACCOUNT_USER, half, 0, 0, 0, 0, 0, 0},
                      {"b", QFS_ACCOUNT_USER, half, 0, 0, 0, 0, 0, 0},
                      {"c", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 1, 0}};
    qfs_genesis_account acc[3];
    qfs_param_value par[1];
    ck_assert_uint_eq(apply(s, ev_genesis(0, bad, 3, NULL, 0, acc, par)), QFS_REJECT_NOD_HOLDER_NOT_INFRA);
    /* Without the NOD holder the same sums overflow. */
    ck_assert_uint_eq(apply(s, ev_genesis(0, bad, 2, NULL, 0, acc, par)), QFS_REJECT_AMOUNT_OVERFLOW);
    ck_assert(json_has(s, "ledger", "\"genesis\":false"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__genesis_sum_exactly_2_128_minus_1)
{
    /* (2^128 - 2) + 1 = 2^128 - 1 = 340282366920938463463374607431768211455:
     * the largest supply an asset may have, accepted (its one-more
     * counterpart is rejected in genesis_invalid). 2^64 + 2^64 = 2^65, which
     * format 1 refused, is an ordinary supply now. */
    acc_spec a[] = {{"a", QFS_ACCOUNT_USER, AMT_2_64, 0, 0, 0, 0, 0, QFS_AMOUNT_MAX - 1},
                    {"b", QFS_ACCOUNT_USER, AMT_2_64, 0, 0, 0, 0, 0, 1}};
    qfs_state *s = mk_state_np(a);
    ck_assert_amt_eq(bal(s, "a", QFS_ASSET_ATR), QFS_AMOUNT_MAX - 1);
    ck_assert(json_has(s, "ledger",
                       "\"issued\":{\"ATR\":\"340282366920938463463374607431768211455\",\"NOD\":\"0\","
                       "\"T1\":\"36893488147419103232\","));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__genesis_amount_param_ranges)
{
    /* Amount parameters are bounded in whole tokens: t2_pool 0..10^12 T2 =
     * 0..10^30 base units, fee_min_atr 0..10^6 ATR = 0..10^24. The bounds
     * themselves are accepted, one base unit more is param_out_of_range. */
    qfs_state *s = NULL;
    ck_assert_int_eq(qfs_state_create(&s, NULL), QFS_OK);
    qfs_genesis_account acc[4];
    qfs_param_value par[2];
    param_spec pool_high[] = {{"t2_pool", TOK(1000000000000) + 1}};
    ck_assert_uint_eq(apply(s, ev_genesis(0, BASIC, 4, pool_high, 1, acc, par)),
                      QFS_REJECT_PARAM_OUT_OF_RANGE);
    param_spec fee_high[] = {{"fee_min_atr", TOK(1000000) + 1}};
    ck_assert_uint_eq(apply(s, ev_genesis(0, BASIC, 4, fee_high, 1, acc, par)),
                      QFS_REJECT_PARAM_OUT_OF_RANGE);
    param_spec at_max[] = {{"t2_pool", TOK(1000000000000)}, {"fee_min_atr", TOK(1000000)}};
    ck_assert_uint_eq(apply(s, ev_genesis(0, BASIC, 4, at_max, 2, acc, par)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(1000000000000));
    ck_assert(json_has(s, "governance", "\"t2_pool\":\"1000000000000000000000000000000\""));
    /* fee_min_atr is now 10^6 ATR: alice's 100 base units pay no fee. */
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", 100)), QFS_REJECT_FEE_TOO_LOW);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__register_valid_and_invalid)
{
    qfs_state *s = mk_state_np(BASIC);
    ck_assert_uint_eq(apply(s, ev_register(1, "carol", QFS_ACCOUNT_VALIDATOR)), 0);
    ck_assert_amt_eq(bal(s, "carol", QFS_ASSET_T1), 0);
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
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T3), 700);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_ATR), 90);
    ck_assert_amt_eq(bal(s, "bob", QFS_ASSET_T3), 300);
    ck_assert(json_has(s, "treasury", "\"balances\":{\"ATR\":\"10\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"1\"}"));
    ck_assert(json_has(s, "ledger", "\"NOD\":\"51\","));
    ck_assert(json_has(s, "ledger", "\"last_timestamp_ms\":\"5\"}"));
    /* ATR itself: amount and fee both come out of ATR: 90 - 50 - 5 = 35. */
    ck_assert_uint_eq(apply(s, ev_transfer(6, "alice", "bob", QFS_ASSET_ATR, 50, 5)), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_ATR), 35);
    ck_assert_amt_eq(bal(s, "bob", QFS_ASSET_ATR), 50);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__transfer_amounts_above_2_64)
{
    /* whale: 2^70 = 1180591620717411303424 T3 and 1000 ATR = 10^21 base
     * units, both above 2^64 = 18446744073709551616. */
    acc_spec a[] = {{"whale", QFS_ACCOUNT_USER, 0, 0, (qfs_amount)1 << 70, 0, 0, 0, TOK(1000)},
                    {"bob", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* 2^64 + 5 T3 with a fee of 1 ATR: whale T3 2^70 - 2^64 - 5 =
     * 1180591620717411303424 - 18446744073709551621 = 1162144876643701751803;
     * ATR 10^21 - 10^18 = 999 x 10^18; NOD issued floor(10^18 x 0.1) = 10^17. */
    ck_assert_uint_eq(apply(s, ev_transfer(1, "whale", "bob", QFS_ASSET_T3, AMT_2_64 + 5, TOK(1))), 0);
    ck_assert_amt_eq(bal(s, "whale", QFS_ASSET_T3), ((qfs_amount)1 << 70) - AMT_2_64 - 5);
    ck_assert(json_has(s, "ledger", "\"T3\":\"1162144876643701751803\""));
    ck_assert_amt_eq(bal(s, "bob", QFS_ASSET_T3), AMT_2_64 + 5);
    ck_assert_amt_eq(bal(s, "whale", QFS_ASSET_ATR), TOK(999));
    ck_assert(json_has(s, "nod", "\"pool\":\"100000000000000000\"}"));
    /* More than the remaining 1162144876643701751803 T3. */
    ck_assert_uint_eq(apply(s, ev_transfer(2, "whale", "bob", QFS_ASSET_T3, (qfs_amount)1 << 70, 1)),
                      QFS_REJECT_INSUFFICIENT_BALANCE);
    /* ATR amount + fee beyond 2^128 - 1 counts as too much, not as a
     * wrapped small sum: (2^128 - 1) + 1 overflows. */
    ck_assert_uint_eq(apply(s, ev_transfer(2, "whale", "bob", QFS_ASSET_ATR, QFS_AMOUNT_MAX, 1)),
                      QFS_REJECT_INSUFFICIENT_BALANCE);
    /* One base unit more than the 999 x 10^18 ATR. */
    ck_assert_uint_eq(apply(s, ev_transfer(2, "whale", "bob", QFS_ASSET_ATR, TOK(999), 1)),
                      QFS_REJECT_INSUFFICIENT_BALANCE);
    /* Exactly the balance: 999 x 10^18 - 1 plus a fee of 1 (NOD floor(0.1)
     * = 0). bob ends with 999 x 10^18 - 1 = 998999999999999999999 ATR; fees
     * 10^18 + 1. */
    ck_assert_uint_eq(apply(s, ev_transfer(2, "whale", "bob", QFS_ASSET_ATR, TOK(999) - 1, 1)), 0);
    ck_assert_amt_eq(bal(s, "whale", QFS_ASSET_ATR), 0);
    ck_assert(json_has(s, "ledger",
                       "{\"balances\":{\"ATR\":\"998999999999999999999\",\"NOD\":\"0\",\"T1\":\"0\","
                       "\"T2\":\"0\",\"T3\":\"18446744073709551621\",\"T4\":\"0\",\"T5\":\"0\"},"
                       "\"id\":\"bob\",\"kind\":\"user\"}"));
    ck_assert(json_has(s, "treasury", "\"fees_total_atr\":\"1000000000000000001\","));
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
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T3), 1000);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_ATR), 100);
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
    ck_assert(json_has(s, "nod", "\"pool\":\"2\"}"));
    /* fee 30: 3 NOD, but the cap leaves room for 5 - 2 = 3: pool 5. */
    ck_assert_uint_eq(apply(s, ev_action(2, "alice", 30)), 0);
    /* fee 30 again: room 0, 3 NOD cut (never issued). Treasury 85 ATR. */
    ck_assert_uint_eq(apply(s, ev_action(3, "alice", 30)), 0);
    ck_assert(json_has(s, "nod", "\"cut_total\":\"3\",\"issued_epoch\":\"5\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"5\"}"));
    ck_assert(json_has(s, "treasury", "\"fees_total_atr\":\"85\","));
    /* fee 15 > 100 - 85 = 15 left: exactly enough. Then one more unit fails. */
    ck_assert_uint_eq(apply(s, ev_action(4, "alice", 15)), 0);
    ck_assert_uint_eq(apply(s, ev_action(4, "alice", 1)), QFS_REJECT_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(apply(s, ev_action(4, "ghost", 1)), QFS_REJECT_UNKNOWN_ACCOUNT);
    ck_assert_uint_eq(apply(s, ev_action(4, "val-1", 0)), QFS_REJECT_FEE_TOO_LOW);
    /* A new epoch resets the per-epoch issuance: fee 10 issues 1. */
    ck_assert_uint_eq(apply(s, ev_close(5, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_action(6, "val-1", 10)), 0);
    ck_assert(json_has(s, "nod", "\"issued_epoch\":\"1\","));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__nod_nine_atr_fee_and_default_cap)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, TOK(10000000) + 19}};
    qfs_state *s = mk_state_np(a);
    /* The seed's example: a fee of 9 ATR = 9 x 10^18 issues
     * floor(9 x 10^18 x 0.10) = 9 x 10^17 = 0.9 NOD, exactly. */
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", TOK(9))), 0);
    ck_assert(json_has(s, "nod", "\"issued_epoch\":\"900000000000000000\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"900000000000000000\"}"));
    ck_assert(json_has(s, "treasury", "\"fees_total_atr\":\"9000000000000000000\","));
    /* A fee of 9 base units issues floor(0.9) = 0. */
    ck_assert_uint_eq(apply(s, ev_action(2, "alice", 9)), 0);
    ck_assert(json_has(s, "nod", "\"pool\":\"900000000000000000\"}"));
    /* 9 999 991 ATR issues 999 999.1 NOD = 999999100000000000000000; with
     * the 0.9 before that is 10^6 NOD = 10^24, exactly the default cap: all
     * issued, nothing cut. */
    ck_assert_uint_eq(apply(s, ev_action(3, "alice", TOK(9999991))), 0);
    ck_assert(json_has(s, "nod", "\"cut_total\":\"0\",\"issued_epoch\":\"1000000000000000000000000\","));
    /* alice has 10^7 ATR + 19 - 9 ATR - 9 - 9 999 991 ATR = 10 base units
     * left. A fee of 10 past the cap: raw floor(10 x 0.1) = 1, room 0: 1
     * cut, the fee itself still charged: fees 9 ATR + 9 + 9 999 991 ATR + 10
     * = 10^25 + 19. Then alice cannot pay a fee of 1. */
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_ATR), 10);
    ck_assert_uint_eq(apply(s, ev_action(4, "alice", 10)), 0);
    ck_assert(json_has(s, "nod", "\"cut_total\":\"1\",\"issued_epoch\":\"1000000000000000000000000\","));
    ck_assert(json_has(s, "treasury", "\"fees_total_atr\":\"10000000000000000000000019\","));
    ck_assert_uint_eq(apply(s, ev_action(5, "alice", 1)), QFS_REJECT_INSUFFICIENT_BALANCE);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__nod_issuance_saturates_at_2_128_minus_1)
{
    /* node-1 holds 2^128 - 6 NOD from genesis, so only 5 more base units can
     * ever be issued. nod_issuance_cap 2^128 - 1 (its maximum) leaves the
     * per-epoch cap out of the way. */
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 1000},
                    {"node-1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, QFS_AMOUNT_MAX - 5, 0}};
    param_spec p[] = {{"nod_issuance_cap", QFS_AMOUNT_MAX}};
    qfs_state *s = mk_state(a, p);
    /* fee 100: raw floor(100 x 0.1) = 10, room (2^128 - 1) - (2^128 - 6) =
     * 5: 5 issued, 5 cut; issued NOD = 2^128 - 1. */
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", 100)), 0);
    ck_assert(json_has(s, "nod", "\"cut_total\":\"5\",\"issued_epoch\":\"5\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"5\"}"));
    ck_assert(json_has(s, "ledger", "\"NOD\":\"340282366920938463463374607431768211455\",\"T1\""));
    /* fee 10: raw 1, room 0: cut 6 in all, nothing issued; the fee itself is
     * charged (treasury 110). */
    ck_assert_uint_eq(apply(s, ev_action(2, "alice", 10)), 0);
    ck_assert(json_has(s, "nod", "\"cut_total\":\"6\",\"issued_epoch\":\"5\","));
    ck_assert(json_has(s, "treasury", "\"fees_total_atr\":\"110\","));
    /* A new epoch resets the per-epoch count, not the saturation: fee 20
     * issues min(2, 0) = 0, cut 6 + 2 = 8. */
    ck_assert_uint_eq(apply(s, ev_close(3, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_action(4, "alice", 20)), 0);
    ck_assert(json_has(s, "nod", "\"cut_total\":\"8\",\"issued_epoch\":\"0\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"5\"}"));
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
    ck_assert_uint_eq(m, 10);
    const size_t receipts = 8;
    ck_assert_str_eq(qfs_state_module_name(receipts), "receipts");
    ck_assert_str_eq(qfs_state_module_name(9), "auth");
    qfs_hash128 before[10], after[10], root_before, root_after;
    module_hashes(s, before);
    qfs_state_hash(s, &root_before);
    /* A rejected event of every flavour, including a late timestamp. */
    ck_assert_uint_ne(apply(s, ev_transfer(6, "alice", "bob", QFS_ASSET_T3, 5000, 10)), 0);
    ck_assert_uint_ne(apply(s, ev_transfer(4, "alice", "bob", QFS_ASSET_T3, 1, 1)), 0);
    ck_assert_uint_ne(apply(s, ev_stake(7, "alice", 1)), 0);
    ck_assert_uint_ne(apply(s, ev_close(7, 3)), 0);
    module_hashes(s, after);
    qfs_state_hash(s, &root_after);
    for (size_t i = 0; i < m; i++)
        if (i != receipts)
            ck_assert_msg(qfs_hash128_eq(&before[i], &after[i]), "module %s changed",
                          qfs_state_module_name(i));
    ck_assert(!qfs_hash128_eq(&before[receipts], &after[receipts]));
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
    tcase_add_test(tc, test_state_apply__genesis_nod_holder_named_before_sum_overflow);
    tcase_add_test(tc, test_state_apply__genesis_sum_exactly_2_128_minus_1);
    tcase_add_test(tc, test_state_apply__genesis_amount_param_ranges);
    tcase_add_test(tc, test_state_apply__register_valid_and_invalid);
    tcase_add_test(tc, test_state_apply__transfer_valid);
    tcase_add_test(tc, test_state_apply__transfer_amounts_above_2_64);
    tcase_add_test(tc, test_state_apply__transfer_invalid);
    tcase_add_test(tc, test_state_apply__nod_issuance_and_cap);
    tcase_add_test(tc, test_state_apply__nod_nine_atr_fee_and_default_cap);
    tcase_add_test(tc, test_state_apply__nod_issuance_saturates_at_2_128_minus_1);
    tcase_add_test(tc, test_state_apply__time_and_epochs);
    tcase_add_test(tc, test_state_apply__rejection_changes_only_receipts);
    tcase_add_test(tc, test_state_hash__receipt_codes_change_root);
    tcase_add_test(tc, test_state_hash__independent_of_table_seed);
    tcase_add_test(tc, test_state_json__unknown_module);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
