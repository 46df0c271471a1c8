/* Staking, Psi, slashing, boosts, T2 rewards, T5 memory, C-hat and NOD
 * allocation at epoch close. Expected numbers are worked out by hand in the
 * comments, never by calling the code under test. Amounts are 128-bit base
 * units, 10^18 per whole token; TOK(n) is n whole tokens. */
#include "state/state_internal.h"
#include "state_helpers.h"

#define DAY_MS 86400000ULL

START_TEST(test_state_apply__stake_unstake_valid)
{
    /* 500 T1 = 5 x 10^20 base units, above 2^64. */
    acc_spec a[] = {{"val-1", QFS_ACCOUNT_VALIDATOR, TOK(500), 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-1", FP18(900000000000000000))), 0);
    /* stake 200 T1: balance 300 T1, staked 200 T1; unstake 50 T1: staked
     * 150 T1, 50 T1 unbonding until the close of epoch 0 +
     * unbonding_epochs (2) = 2. */
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", TOK(200))), 0);
    ck_assert_amt_eq(bal(s, "val-1", QFS_ASSET_T1), TOK(300));
    ck_assert_uint_eq(apply(s, ev_unstake(1, "val-1", TOK(50))), 0);
    ck_assert(json_has(s, "staking",
                       "\"unbonding\":[{\"amount\":\"50000000000000000000\",\"release_epoch\":2,"
                       "\"validator\":\"val-1\"}]"));
    ck_assert(json_has(s, "staking", "\"staked\":\"150000000000000000000\","));
    ck_assert(json_has(s, "staking", "{\"staked_total\":\"150000000000000000000\","));
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_close(3, 1)), 0);
    ck_assert_amt_eq(bal(s, "val-1", QFS_ASSET_T1), TOK(300)); /* not yet */
    ck_assert_uint_eq(apply(s, ev_close(4, 2)), 0);
    ck_assert_amt_eq(bal(s, "val-1", QFS_ASSET_T1), TOK(350)); /* released at the close of epoch 2 */
    ck_assert(json_has(s, "staking", "\"unbonding\":[],\"unbonding_total\":\"0\","));
    /* Psi 0.9 alone, no memory contributions: C-hat = C_core = 0.9, not
     * below 0.85, so no deficit: each close mints t2_pool = 10 000 T2 =
     * 10^22, all to the only staker, 3 closes: 3 x 10^22. */
    ck_assert_amt_eq(bal(s, "val-1", QFS_ASSET_T2), TOK(30000));
    ck_assert(json_has(s, "staking", "\"t2_received\":\"30000000000000000000000\","));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__stake_unstake_invalid)
{
    acc_spec a[] = {{"val-1", QFS_ACCOUNT_VALIDATOR, TOK(500), 0, 0, 0, 0, 0, 0},
                    {"user", QFS_ACCOUNT_USER, 500, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* One base unit more than the 5 x 10^20 held. */
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", TOK(500) + 1)), QFS_REJECT_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(apply(s, ev_stake(1, "user", 1)), QFS_REJECT_NOT_VALIDATOR);
    ck_assert_uint_eq(apply(s, ev_stake(1, "nobody", 1)), QFS_REJECT_UNKNOWN_ACCOUNT);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", 0)), QFS_REJECT_ZERO_AMOUNT);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", TOK(100))), 0);
    ck_assert_uint_eq(apply(s, ev_unstake(1, "val-1", TOK(100) + 1)), QFS_REJECT_INSUFFICIENT_STAKE);
    ck_assert_uint_eq(apply(s, ev_unstake(1, "val-1", 0)), QFS_REJECT_ZERO_AMOUNT);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-1", ONE + 1)), QFS_REJECT_RATIO_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_report(1, "user", ONE)), QFS_REJECT_NOT_VALIDATOR);
    ck_assert_amt_eq(bal(s, "val-1", QFS_ASSET_T1), TOK(400));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__slash_below_threshold_and_boundary)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 1000, 0, 0, 0},
                    {"val-b", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 1000, 0, 0, 0},
                    {"val-c", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 1000, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    const char *ids[] = {"val-a", "val-b", "val-c"};
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(apply(s, ev_stake(1, ids[i], 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-a", FP18(600000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-b", FP18(700000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-c", FP18(300000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    /* val-a, Psi 0.6: shortfall 0.1. T1: min(0.10, 0.1 x 0.5 = 0.05) = 0.05
     * of 1000 = 50 -> 950 staked. T4: min(0.20, 0.1 x 0.3 = 0.03) = 0.03 of
     * 1000 = 30 -> 970. */
    ck_assert(
        json_has(s, "staking",
                 "{\"ballot_lock_through\":null,\"id\":\"val-a\",\"slashed_t1\":\"50\",\"slashed_t4\":\"30\","
                 "\"staked\":\"950\","));
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T4), 970);
    /* val-b, Psi exactly 0.7: not slashed. */
    ck_assert(
        json_has(s, "staking",
                 "{\"ballot_lock_through\":null,\"id\":\"val-b\",\"slashed_t1\":\"0\",\"slashed_t4\":\"0\","
                 "\"staked\":\"1000\","));
    /* val-c, Psi 0.3: shortfall 0.4. T1: min(0.10, 0.2) = 0.10 -> 100;
     * T4: min(0.20, 0.12) = 0.12 -> 120. */
    ck_assert(json_has(
        s, "staking",
        "{\"ballot_lock_through\":null,\"id\":\"val-c\",\"slashed_t1\":\"100\",\"slashed_t4\":\"120\","
        "\"staked\":\"900\","));
    ck_assert_amt_eq(bal(s, "val-c", QFS_ASSET_T4), 880);
    /* Slashed amounts go to the treasury: T1 50 + 100, T4 30 + 120. */
    ck_assert(json_has(s, "treasury",
                       "\"balances\":{\"ATR\":\"0\",\"NOD\":\"0\",\"T1\":\"150\",\"T2\":\"0\",\"T3\":\"0\","
                       "\"T4\":\"150\",\"T5\":\"0\"}"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__slash_cut_of_a_2_127_stake)
{
    /* staked T1 and T4 balance both 2^127 =
     * 170141183460469231731687303715884105728; staked x 0.05 x 10^18 is
     * about 2^182, so the cut needs the 256-bit intermediate. Psi 0.6:
     * cut1 = floor(2^127 x 0.05) = floor(2^127 / 20) =
     * floor(8507059173023461586584365185794205286.4) =
     * 8507059173023461586584365185794205286, staked left
     * 161634124287445770145102938530089900442;
     * cut4 = floor(2^127 x 0.03) =
     * floor(5104235503814076951950619111476523171.84) =
     * 5104235503814076951950619111476523171, T4 left
     * 165036947956655154779736684604407582557. */
    qfs_amount big = (qfs_amount)1 << 127;
    acc_spec a[] = {{"val-d", QFS_ACCOUNT_VALIDATOR, big, 0, 0, big, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-d", big)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-d", FP18(600000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "staking",
                       "\"slashed_t1\":\"8507059173023461586584365185794205286\","
                       "\"slashed_t4\":\"5104235503814076951950619111476523171\","
                       "\"staked\":\"161634124287445770145102938530089900442\","));
    ck_assert(json_has(s, "ledger", "\"T4\":\"165036947956655154779736684604407582557\""));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__boost_replaces_and_expires)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, TOK(100), 0, 0, 0},
                    {"user", QFS_ACCOUNT_USER, 0, 0, 0, TOK(100), 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-a", FP18(600000000000000000))), 0);
    /* Burn 4 T4 = 4 x 10^18 at t=1000: Psi added floor(4 x 10^18 x 0.05 x
     * 10^18 / 10^18) = 0.2, Psi_eff = 0.6 + 0.2 = 0.8 until 1000 + 1 day. */
    ck_assert_uint_eq(apply(s, ev_boost(1000, "val-a", TOK(4))), 0);
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T4), TOK(96));
    ck_assert(json_has(s, "coherence",
                       "\"boost_amount\":\"4000000000000000000\",\"boost_until_ms\":\"86401000\","));
    ck_assert_uint_eq(apply(s, ev_close(2000, 0)), 0);
    ck_assert(json_has(s, "coherence", "\"c_core\":\"0.8\","));
    ck_assert(json_has(s, "staking", "\"slashed_t1\":\"0\",\"slashed_t4\":\"0\",\"staked\":\"1000\","));
    /* Burn 1 more T4 at t=3000: the boost becomes 1 T4 (0.65), not 5 (0.85). */
    ck_assert_uint_eq(apply(s, ev_boost(3000, "val-a", TOK(1))), 0);
    ck_assert(json_has(s, "treasury",
                       "\"burned\":{\"ATR\":\"0\",\"NOD\":\"0\",\"T1\":\"0\",\"T2\":\"0\",\"T3\":\"0\","
                       "\"T4\":\"5000000000000000000\",\"T5\":\"0\"}"));
    ck_assert_uint_eq(apply(s, ev_close(4000, 1)), 0);
    /* Psi_eff 0.65: shortfall 0.05; T1 min(0.1, 0.025) x 1000 = 25 -> 975;
     * T4 min(0.2, 0.015) x 95 x 10^18 = 1.425 x 10^18 =
     * 1425000000000000000 -> 95 x 10^18 - 1.425 x 10^18 =
     * 93575000000000000000. */
    ck_assert(json_has(s, "staking",
                       "\"slashed_t1\":\"25\",\"slashed_t4\":\"1425000000000000000\",\"staked\":\"975\","));
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T4), TOK(93) + 575000000000000000);
    /* The boost ends at 3000 + 86400000: at exactly that time it is over.
     * Psi 0.6: T1 0.05 x 975 = 48.75 -> 48 (927, 73 in all);
     * T4 0.03 x 93575000000000000000 = 2807250000000000000 (exact), in all
     * 1425000000000000000 + 2807250000000000000 = 4232250000000000000,
     * left 93575000000000000000 - 2807250000000000000 =
     * 90767750000000000000. */
    ck_assert_uint_eq(apply(s, ev_close(3000 + DAY_MS, 2)), 0);
    ck_assert(json_has(s, "staking",
                       "\"slashed_t1\":\"73\",\"slashed_t4\":\"4232250000000000000\",\"staked\":\"927\","));
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T4), TOK(90) + 767750000000000000);
    /* Invalid boosts: one base unit more than the T4 balance, 0, a user, an
     * end time past 2^64 - 1 ms. */
    ck_assert_uint_eq(apply(s, ev_boost(3000 + DAY_MS, "user", 1)), QFS_REJECT_NOT_VALIDATOR);
    ck_assert_uint_eq(apply(s, ev_boost(3000 + DAY_MS, "val-a", TOK(90) + 767750000000000001)),
                      QFS_REJECT_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(apply(s, ev_boost(3000 + DAY_MS, "val-a", 0)), QFS_REJECT_ZERO_AMOUNT);
    ck_assert_uint_eq(apply(s, ev_boost(UINT64_MAX, "val-a", 1)), QFS_REJECT_AMOUNT_OVERFLOW);
    /* The whole balance may be burned. */
    ck_assert_uint_eq(apply(s, ev_boost(3000 + DAY_MS, "val-a", TOK(90) + 767750000000000000)), 0);
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T4), 0);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__boost_psi_per_whole_token)
{
    /* One staker, so C_core = floor(staked x Psi_eff / staked) = Psi_eff
     * exactly: the coherence JSON shows the effective Psi of each close. */
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, TOK(100), 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert(json_has(s, "governance", "\"boost_psi_per_token\":\"0.05\","));
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-a", FP18(600000000000000000))), 0);
    /* 2 T4: floor(2 x 10^18 x 5 x 10^16 / 10^18) = 10^17: 0.6 + 0.1 = 0.7. */
    ck_assert_uint_eq(apply(s, ev_boost(1, "val-a", TOK(2))), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "coherence", "\"c_core\":\"0.7\",\"c_hat\":\"0.7\","));
    /* 1 base unit: floor(1 x 5 x 10^16 / 10^18) = 0: Psi_eff stays 0.6 (the
     * boost replaces the 2 T4 one). */
    ck_assert_uint_eq(apply(s, ev_boost(3, "val-a", 1)), 0);
    ck_assert_uint_eq(apply(s, ev_close(4, 1)), 0);
    ck_assert(json_has(s, "coherence", "\"c_core\":\"0.6\","));
    /* 19999999999999999 base units (just under 0.02 T4):
     * floor(19999999999999999 x 5 x 10^16 / 10^18) =
     * floor(999999999999999.95) = 999999999999999, so Psi_eff =
     * 0.6 + 0.000999999999999999 = 0.600999999999999999. */
    ck_assert_uint_eq(apply(s, ev_boost(5, "val-a", 19999999999999999ULL)), 0);
    ck_assert_uint_eq(apply(s, ev_close(6, 2)), 0);
    ck_assert(json_has(s, "coherence", "\"c_core\":\"0.600999999999999999\","));
    /* 10 T4 adds 0.5: min(1, 0.6 + 0.5) = 1. */
    ck_assert_uint_eq(apply(s, ev_boost(7, "val-a", TOK(10))), 0);
    ck_assert_uint_eq(apply(s, ev_close(8, 3)), 0);
    ck_assert(json_has(s, "coherence", "\"c_core\":\"1\","));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t2_deficit_proportional_with_dust)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0},
                    {"val-b", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-b", 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-a", FP18(800000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-b", FP18(700000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    /* Psi 0.7 exactly is not slashed. No memory contributions: C-hat =
     * C_core = (1000 x 0.8 + 1000 x 0.7) / 2000 = 0.75 < 0.85: deficit,
     * mint 10^22 + floor(10^22 x 1.5) = 2.5 x 10^22 (25 000 T2). Shares
     * floor(D x Psi / 1.5) with D = 25000 x 10^18:
     * a floor(25000 x 10^18 x 8 / 15) = floor(13333333333333333333333.33)
     *   = 13333333333333333333333,
     * b floor(25000 x 10^18 x 7 / 15) = floor(11666666666666666666666.66)
     *   = 11666666666666666666666;
     * paid 24999999999999999999999, dust 1. */
    ck_assert(json_has(s, "coherence", "\"c_core\":\"0.75\",\"c_hat\":\"0.75\","));
    ck_assert(json_has(s, "coherence", "\"deficit\":true"));
    ck_assert(json_has(s, "staking", "\"staked\":\"1000\","));
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T2), TOK(13333) + 333333333333333333);
    ck_assert_amt_eq(bal(s, "val-b", QFS_ASSET_T2), TOK(11666) + 666666666666666666);
    ck_assert(json_has(s, "treasury",
                       "\"t2_minted_last\":\"25000000000000000000000\","
                       "\"t2_paid_last\":\"24999999999999999999999\",\"t2_pool\":\"1\"}"));
    /* Next close shares D = 25000 x 10^18 + 1 carried:
     * a floor(D x 8 / 15) = floor(200000000000000000000008 / 15) =
     *   floor(13333333333333333333333.87) = 13333333333333333333333,
     * b floor(D x 7 / 15) = floor(175000000000000000000007 / 15) =
     *   floor(11666666666666666666667.13) = 11666666666666666666667;
     * paid 25000 x 10^18, dust 1 again. Totals a 26666666666666666666666,
     * b 23333333333333333333333. */
    ck_assert_uint_eq(apply(s, ev_close(3, 1)), 0);
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T2), TOK(26666) + 666666666666666666);
    ck_assert_amt_eq(bal(s, "val-b", QFS_ASSET_T2), TOK(23333) + 333333333333333333);
    ck_assert(json_has(s, "treasury",
                       "\"t2_minted_last\":\"25000000000000000000000\","
                       "\"t2_paid_last\":\"25000000000000000000000\",\"t2_pool\":\"1\"}"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t2_normal_and_equal_split)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0},
                    {"val-b", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0}};
    param_spec p[] = {{"coherence_weight_core", ONE}};
    qfs_state *s = mk_state(a, p);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-b", 1000)), 0);
    /* No validator has reported: Psi 0 for both. Slashing comes first:
     * shortfall 0.7, T1 min(0.10, 0.35) = 0.10 -> 100 each, 900 left. Then
     * C-hat 0, deficit, 2.5 x 10^22 minted, sum of Psi 0: equal
     * floor(2.5 x 10^22 / 2) = 1.25 x 10^22 (12 500 T2) each. */
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T2), TOK(12500));
    ck_assert_amt_eq(bal(s, "val-b", QFS_ASSET_T2), TOK(12500));
    ck_assert(json_has(s, "staking", "\"staked\":\"900\","));
    /* Psi 1 for both, weight_core 1: C-hat 1, no deficit, 10^22 minted,
     * 5 x 10^21 each: val-a 17 500 T2 in all. */
    ck_assert_uint_eq(apply(s, ev_report(3, "val-a", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_report(3, "val-b", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(4, 1)), 0);
    ck_assert(json_has(s, "coherence", "\"c_hat\":\"1\","));
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T2), TOK(17500));
    ck_assert(json_has(s, "treasury",
                       "\"t2_minted_last\":\"10000000000000000000000\","
                       "\"t2_paid_last\":\"10000000000000000000000\",\"t2_pool\":\"0\"}"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t2_nothing_without_stakers)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-a", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    /* A validator without stake is no recipient, and nothing is minted. */
    ck_assert(json_has(s, "ledger", "\"T2\":\"0\","));
    ck_assert(json_has(s, "treasury", "\"t2_minted_last\":\"0\","));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t2_mint_saturates_at_2_128_minus_1)
{
    /* val-a holds 2^128 - 101 T2 from genesis: only 100 more base units of
     * T2 can ever be issued. */
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, QFS_AMOUNT_MAX - 100, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-a", ONE)), 0);
    /* Psi 1: C-hat 1, no deficit; mint min(10^22, (2^128 - 1) - (2^128 -
     * 101)) = 100, all to val-a: its T2 is 2^128 - 1. */
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T2), QFS_AMOUNT_MAX);
    ck_assert(
        json_has(s, "treasury", "\"t2_minted_last\":\"100\",\"t2_paid_last\":\"100\",\"t2_pool\":\"0\"}"));
    ck_assert(json_has(s, "ledger", "\"T2\":\"340282366920938463463374607431768211455\",\"T3\":\"0\""));
    /* The next close mints min(10^22, 0) = 0 and pays 0; the close itself is
     * accepted (a close is never rejected for issuance). */
    ck_assert_uint_eq(apply(s, ev_close(3, 1)), 0);
    ck_assert(json_has(s, "treasury", "\"t2_minted_last\":\"0\",\"t2_paid_last\":\"0\",\"t2_pool\":\"0\"}"));
    ck_assert_amt_eq(bal(s, "val-a", QFS_ASSET_T2), QFS_AMOUNT_MAX);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t5_reward_and_boundary)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* rPhiV 2, lambda 0.95: floor(2 x 0.95) = 1.9; x 0.1 = 0.19 T5 =
     * 0.19 x 10^18 = 190000000000000000 base units, minted directly. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", 2 * ONE, FP18(950000000000000000))), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 190000000000000000);
    /* lambda exactly 0.9 earns nothing but is recorded. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", 2 * ONE, FP18(900000000000000000))), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 190000000000000000);
    ck_assert(json_has(s, "memory",
                       "{\"contributions\":2,\"id\":\"mem-1\",\"last_lambda\":\"0.9\",\"rewarded\":1,"
                       "\"t5_total\":\"190000000000000000\"}"));
    /* The brief's example: rPhiV 1.9, lambda 1, rate 0.1: 1.9 x 1 = 1.9,
     * x 0.1 = 0.19 T5 = 190000000000000000 again; 0.38 T5 in all. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", FP18(1900000000000000000), ONE)), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 380000000000000000);
    ck_assert(json_has(s, "ledger", "\"T5\":\"380000000000000000\"}"));
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", ONE, ONE + 1)), QFS_REJECT_RATIO_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_memory(1, "bob", "mem-1", ONE, ONE)), QFS_REJECT_UNKNOWN_ACCOUNT);
    /* C-hat at close: no stake, C_core 0; mean lambda (0.95 + 0.9 + 1) / 3
     * = 2.85 / 3 = 0.95, x 0.2 = 0.19; impact 2 rewarded x 0.1 = 0.2.
     * C-hat = 0 x 0.8 + 0.19 + 0.2 = 0.39. */
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "coherence",
                       "\"c_core\":\"0\",\"c_hat\":\"0.39\",\"c_impact\":\"0.2\",\"c_lambda\":\"0.95\""));
    /* The epoch accumulators start over. */
    ck_assert(
        json_has(s, "memory", "\"epoch_contributions\":0,\"epoch_lambda_sum\":\"0\",\"epoch_rewarded\":0,"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t5_reward_below_one_base_unit_floors_to_zero)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* rPhiV 9 x 10^-18 at lambda 1: 9 (x) 1 = 9, 9 (x) 0.1 = floor(0.9) = 0
     * base units; accepted, nothing minted. rPhiV 10 x 10^-18: exactly 1 base
     * unit. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-2", FP18(9), ONE)), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 0);
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-2", FP18(10), ONE)), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 1);
    /* Both count as rewarded toward C-hat, the first with 0 T5. */
    ck_assert(json_has(s, "memory", "\"rewarded\":2,\"t5_total\":\"1\"}"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t5_two_floors_in_order)
{
    /* t5_rate 0.15. rPhiV 7 x 10^-18, lambda 0.99: the first floor gives
     * floor(7 x 0.99) = floor(6.93) = 6, the second floor(6 x 0.15) =
     * floor(0.9) = 0. One floor of the whole product would give
     * floor(6.93 x 0.15) = floor(1.0395) = 1: the rule's order matters.
     * rPhiV 7 x 10^18 (7 whole), lambda 0.99: 6.93 x 0.15 = 1.0395 T5 =
     * 1039500000000000000 base units (exact, no floor bites). */
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    param_spec p[] = {{"t5_rate", FP18(150000000000000000)}};
    qfs_state *s = mk_state(a, p);
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "m", FP18(7), FP18(990000000000000000))), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 0);
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "m", 7 * ONE, FP18(990000000000000000))), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 1039500000000000000);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t5_reward_past_2_128_minus_1_rejected)
{
    /* alice holds 2^128 - 2 T5 from genesis: issued T5 = 2^128 - 2, room 1. */
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, QFS_AMOUNT_MAX - 1, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* 0.19 T5 = 190000000000000000 > 1: amount_overflow, nothing recorded. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", 2 * ONE, FP18(950000000000000000))),
                      QFS_REJECT_AMOUNT_OVERFLOW);
    /* rPhiV 10 x 10^-18 at lambda 1 earns exactly 1: issued 2^128 - 1. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", FP18(10), ONE)), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), QFS_AMOUNT_MAX);
    ck_assert(json_has(s, "ledger", "\"T5\":\"340282366920938463463374607431768211455\"}"));
    /* Now even 1 more base unit is rejected ... */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", FP18(10), ONE)), QFS_REJECT_AMOUNT_OVERFLOW);
    /* ... but contributions that mint nothing are still accepted: lambda
     * exactly 0.9 (not qualifying), and rPhiV 9 x 10^-18 (qualifying, 0). */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", 2 * ONE, FP18(900000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", FP18(9), ONE)), 0);
    /* Accepted: 3 contributions, 2 qualifying (rewarded), 1 base unit. */
    ck_assert(json_has(s, "memory",
                       "{\"contributions\":3,\"id\":\"mem-1\",\"last_lambda\":\"1\",\"rewarded\":2,"
                       "\"t5_total\":\"1\"}"));
    ck_assert_uint_eq(qfs_state_rejected_count(s), 2);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t5_impact_caps_chat_at_one)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* 11 rewarded contributions: impact min(1, 1.1) = 1; plus 0.2 x 1 for
     * lambda 1: C-hat min(1, 1.2) = 1. Each earns 1 x 1 x 0.1 = 0.1 T5:
     * 1.1 T5 = 1100000000000000000 in all. */
    for (int i = 0; i < 11; i++)
        ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "m", ONE, ONE)), 0);
    ck_assert_amt_eq(bal(s, "alice", QFS_ASSET_T5), 1100000000000000000);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "coherence", "\"c_hat\":\"1\",\"c_impact\":\"1\",\"c_lambda\":\"1\""));
    qfs_state_free(s);
}
END_TEST

/* ---- NOD allocation ---- */

START_TEST(test_state_apply__nod_two_versus_three_active_nodes)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 1000},
                    {"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"n2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"n3", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"n4", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* fee 1000: floor(1000 x 0.1) = 100 NOD base units in the pool. */
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", 1000)), 0);
    /* Epoch 0: two active nodes < 3: the pool carries over whole. */
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "n1", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "n2", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "nod", "\"active_last\":2,\"allocated_last\":\"0\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"100\"}"));
    /* Epoch 1: only n3 reports; n1 and n2's telemetry is stale. */
    ck_assert_uint_eq(apply(s, ev_telemetry(3, "n3", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(4, 1)), 0);
    ck_assert(json_has(s, "nod", "\"active_last\":1,"));
    /* Epoch 2: n1..n3 report, n4's correctness 0.49 is below the 0.5 floor.
     * Three equal scores: floor(100 / 3) = 33, cut to floor(100 x 0.3) = 30
     * each; 90 allocated, 10 carried. */
    ck_assert_uint_eq(apply(s, ev_telemetry(5, "n1", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(5, "n2", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(5, "n3", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(5, "n4", ONE, ONE, FP18(490000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_close(6, 2)), 0);
    ck_assert(json_has(s, "nod", "\"active_last\":3,\"allocated_last\":\"90\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"10\"}"));
    ck_assert_amt_eq(bal(s, "n1", QFS_ASSET_NOD), 30);
    ck_assert_amt_eq(bal(s, "n4", QFS_ASSET_NOD), 0);
    /* Invalid telemetry. */
    ck_assert_uint_eq(apply(s, ev_telemetry(7, "alice", ONE, ONE, ONE)), QFS_REJECT_NOT_INFRA_NODE);
    ck_assert_uint_eq(apply(s, ev_telemetry(7, "n1", ONE + 1, ONE, ONE)), QFS_REJECT_RATIO_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_telemetry(7, "zz", ONE, ONE, ONE)), QFS_REJECT_UNKNOWN_ACCOUNT);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__nod_published_example)
{
    /* The seed's example, replayed through events with every default: a
     * pool of exactly 100 NOD = 100 x 10^18 over contributions {2, 3, 3, 3}.
     * The pool comes from a fee of 1000 ATR: floor(1000 x 10^18 x 0.1) =
     * 100 x 10^18, under the 10^24 cap.
     * Scores with the default weights (uptime 0.4, replication 0.3,
     * correctness 0.3) and correctness 0.5 (exactly the floor: active):
     *   a: uptime 0.25: 0.25 x 0.4 + 0.5 x 0.3 + 0.5 x 0.3 = 0.1 + 0.15 + 0.15 = 0.4
     *   b, c, d: uptime 0.75: 0.3 + 0.15 + 0.15 = 0.6
     * so 0.4 : 0.6 = 2 : 3, sum 0.4 + 3 x 0.6 = 2.2; each product is exact.
     * Cap floor(100 x 10^18 x 0.3) = 30 x 10^18 does not bite.
     *   a: floor(100 x 10^18 x 0.4 / 2.2) = floor(400 x 10^18 / 22)
     *      = floor(18181818181818181818.18) = 18181818181818181818
     *   b, c, d: floor(600 x 10^18 / 22) = floor(27272727272727272727.27)
     *      = 27272727272727272727
     * sum 18181818181818181818 + 3 x 27272727272727272727 =
     * 99999999999999999999: 1 base unit of dust stays in the pool. The
     * seed's last-node rule would give d 27272727272727272728; ours carries
     * the 1 to the next epoch. */
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, TOK(1000)},
                    {"a", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"b", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"c", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"d", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", TOK(1000))), 0);
    ck_assert(json_has(s, "nod", "\"pool\":\"100000000000000000000\"}"));
    const uint64_t half = FP18(500000000000000000);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "d", FP18(750000000000000000), half, half)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "a", FP18(250000000000000000), half, half)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "c", FP18(750000000000000000), half, half)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "b", FP18(750000000000000000), half, half)), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_amt_eq(bal(s, "a", QFS_ASSET_NOD), TOK(18) + 181818181818181818);
    ck_assert_amt_eq(bal(s, "b", QFS_ASSET_NOD), TOK(27) + 272727272727272727);
    ck_assert_amt_eq(bal(s, "c", QFS_ASSET_NOD), TOK(27) + 272727272727272727);
    ck_assert_amt_eq(bal(s, "d", QFS_ASSET_NOD), TOK(27) + 272727272727272727);
    ck_assert(json_has(s, "nod", "\"active_last\":4,\"allocated_last\":\"99999999999999999999\","));
    ck_assert(json_has(s, "nod",
                       "{\"correctness\":\"0.5\",\"id\":\"a\",\"nod_received\":\"18181818181818181818\","
                       "\"replication\":\"0.5\",\"telemetry_epoch\":0,\"uptime\":\"0.25\"}"));
    ck_assert(json_has(s, "nod",
                       "{\"correctness\":\"0.5\",\"id\":\"d\",\"nod_received\":\"27272727272727272727\","));
    ck_assert(json_has(s, "nod", "\"pool\":\"1\"}"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_nod_split__published_example_and_128_bit_pools)
{
    uint64_t scores[4] = {2, 3, 3, 3};
    qfs_amount shares[4];
    /* 10 x 10^18 with scores {2, 3, 3, 3}, cap 0.3:
     * floor(10^19 x 2 / 11) = 1818181818181818181 (of ...181.8),
     * floor(10^19 x 3 / 11) = 2727272727272727272 (of ...272.7), under the cap
     * 3 x 10^18; total 1818181818181818181 + 3 x 2727272727272727272 =
     * 9999999999999999997, dust 3. */
    qfs_amount total = nod_split(TOK(10), scores, 4, FP18(300000000000000000), shares);
    ck_assert_amt_eq(shares[0], 1818181818181818181ULL);
    ck_assert_amt_eq(shares[1], 2727272727272727272ULL);
    ck_assert_amt_eq(shares[3], 2727272727272727272ULL);
    ck_assert_amt_eq(total, 9999999999999999997ULL);
    /* The seed's 100 x 10^18: floor(100 x 10^18 x 2 / 11) =
     * 18181818181818181818, floor(100 x 10^18 x 3 / 11) =
     * 27272727272727272727 (x 3), total 99999999999999999999, dust 1. */
    total = nod_split(TOK(100), scores, 4, FP18(300000000000000000), shares);
    ck_assert_amt_eq(shares[0], TOK(18) + 181818181818181818);
    ck_assert_amt_eq(shares[1], TOK(27) + 272727272727272727);
    ck_assert_amt_eq(shares[2], TOK(27) + 272727272727272727);
    ck_assert_amt_eq(shares[3], TOK(27) + 272727272727272727);
    ck_assert_amt_eq(total, TOK(100) - 1);
    /* The largest pool, 2^128 - 1 = 340282366920938463463374607431768211455,
     * cap 1: pool x 3 passes 2^128, so the products need 256 bits.
     * floor((2^128 - 1) x 2 / 11) = floor(680564733841876926926749214863536422910 / 11)
     *   = 61869521258352447902431746805776038446 (remainder 4),
     * floor((2^128 - 1) x 3 / 11) = floor(1020847100762815390390123822295304634365 / 11)
     *   = 92804281887528671853647620208664057669 (remainder 6);
     * total 61869521258352447902431746805776038446 +
     * 3 x 92804281887528671853647620208664057669 =
     * 340282366920938463463374607431768211453 = 2^128 - 3: dust 2. */
    total = nod_split(QFS_AMOUNT_MAX, scores, 4, ONE, shares);
    ck_assert_amt_eq(shares[0], amt("61869521258352447902431746805776038446"));
    ck_assert_amt_eq(shares[1], amt("92804281887528671853647620208664057669"));
    ck_assert_amt_eq(shares[3], amt("92804281887528671853647620208664057669"));
    ck_assert_amt_eq(total, amt("340282366920938463463374607431768211453"));
    ck_assert_amt_eq(total, QFS_AMOUNT_MAX - 2);
    /* Every score 0: equal split floor(10 / 4) = 2 each, cap floor(10 x 0.3)
     * = 3 does not bite; 8 paid. */
    uint64_t zero[4] = {0, 0, 0, 0};
    ck_assert_amt_eq(nod_split(10, zero, 4, FP18(300000000000000000), shares), 8);
    ck_assert_amt_eq(shares[2], 2);
    /* Three zero scores: 10 / 3 = 3 each, exactly the cap 3: 9 paid. */
    ck_assert_amt_eq(nod_split(10, zero, 3, FP18(300000000000000000), shares), 9);
    /* Two zero scores over 2^128 - 1, cap 0.3: floor((2^128 - 1) / 2) =
     * 170141183460469231731687303715884105727 is cut to
     * floor((2^128 - 1) x 3 / 10) = 102084710076281539039012382229530463436
     * (of ...436.5). */
    ck_assert_amt_eq(nod_split(QFS_AMOUNT_MAX, zero, 2, FP18(300000000000000000), shares),
                     amt("204169420152563078078024764459060926872"));
    ck_assert_amt_eq(shares[1], amt("102084710076281539039012382229530463436"));
}
END_TEST

START_TEST(test_state_apply__nod_cap_exactly_thirty_percent)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 10000},
                    {"a", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"b", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"c", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0}};
    param_spec p[] = {{"nod_issuance_cap", 1000000},
                      {"nod_weight_correctness", 0},
                      {"nod_weight_replication", 0},
                      {"nod_weight_uptime", ONE}};
    qfs_state *s = mk_state(a, p);
    /* Pool floor(10000 x 0.1) = 1000; scores 0.3, 0.3, 0.4 (sum 1.0); cap
     * floor(1000 x 0.3) = 300. a and b get exactly 300 (not cut), c's 400 is
     * cut to 300. Allocated 900; 100 (the cut) carries over. */
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", 10000)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "a", FP18(300000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "b", FP18(300000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "c", FP18(400000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_amt_eq(bal(s, "a", QFS_ASSET_NOD), 300);
    ck_assert_amt_eq(bal(s, "b", QFS_ASSET_NOD), 300);
    ck_assert_amt_eq(bal(s, "c", QFS_ASSET_NOD), 300);
    ck_assert(json_has(s, "nod", "\"pool\":\"100\"}"));
    qfs_state_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state_epoch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_state_apply__stake_unstake_valid);
    tcase_add_test(tc, test_state_apply__stake_unstake_invalid);
    tcase_add_test(tc, test_state_apply__slash_below_threshold_and_boundary);
    tcase_add_test(tc, test_state_apply__slash_cut_of_a_2_127_stake);
    tcase_add_test(tc, test_state_apply__boost_replaces_and_expires);
    tcase_add_test(tc, test_state_apply__boost_psi_per_whole_token);
    tcase_add_test(tc, test_state_apply__t2_deficit_proportional_with_dust);
    tcase_add_test(tc, test_state_apply__t2_normal_and_equal_split);
    tcase_add_test(tc, test_state_apply__t2_nothing_without_stakers);
    tcase_add_test(tc, test_state_apply__t2_mint_saturates_at_2_128_minus_1);
    tcase_add_test(tc, test_state_apply__t5_reward_and_boundary);
    tcase_add_test(tc, test_state_apply__t5_reward_below_one_base_unit_floors_to_zero);
    tcase_add_test(tc, test_state_apply__t5_two_floors_in_order);
    tcase_add_test(tc, test_state_apply__t5_reward_past_2_128_minus_1_rejected);
    tcase_add_test(tc, test_state_apply__t5_impact_caps_chat_at_one);
    tcase_add_test(tc, test_state_apply__nod_two_versus_three_active_nodes);
    tcase_add_test(tc, test_state_apply__nod_published_example);
    tcase_add_test(tc, test_state_nod_split__published_example_and_128_bit_pools);
    tcase_add_test(tc, test_state_apply__nod_cap_exactly_thirty_percent);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
