/* Staking, Psi, slashing, boosts, T2 rewards, T5 memory, C-hat and NOD
 * allocation at epoch close. Expected numbers are worked out by hand in the
 * comments, never by calling the code under test. */
#include "state/state_internal.h"
#include "state_helpers.h"

#define DAY_MS 86400000ULL

START_TEST(test_state_apply__stake_unstake_valid)
{
    acc_spec a[] = {{"val-1", QFS_ACCOUNT_VALIDATOR, 500, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-1", FP18(900000000000000000))), 0);
    /* stake 200: balance 300, staked 200; unstake 50: staked 150, 50
     * unbonding until the close of epoch 0 + unbonding_epochs (2) = 2. */
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", 200)), 0);
    ck_assert_uint_eq(bal(s, "val-1", QFS_ASSET_T1), 300);
    ck_assert_uint_eq(apply(s, ev_unstake(1, "val-1", 50)), 0);
    ck_assert(json_has(s, "staking",
                       "\"unbonding\":[{\"amount\":50,\"release_epoch\":2,\"validator\":\"val-1\"}]"));
    ck_assert(json_has(s, "staking", "\"staked\":150,"));
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_close(3, 1)), 0);
    ck_assert_uint_eq(bal(s, "val-1", QFS_ASSET_T1), 300); /* not yet */
    ck_assert_uint_eq(apply(s, ev_close(4, 2)), 0);
    ck_assert_uint_eq(bal(s, "val-1", QFS_ASSET_T1), 350); /* released at the close of epoch 2 */
    ck_assert(json_has(s, "staking", "\"unbonding\":[],\"unbonding_total\":0,"));
    /* Psi 0.9 alone, no memory contributions: C-hat = C_core = 0.9, not
     * below 0.85, so no deficit: each close mints 10000 T2, all to the only
     * staker, 3 closes. */
    ck_assert_uint_eq(bal(s, "val-1", QFS_ASSET_T2), 30000);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__stake_unstake_invalid)
{
    acc_spec a[] = {{"val-1", QFS_ACCOUNT_VALIDATOR, 500, 0, 0, 0, 0, 0, 0},
                    {"user", QFS_ACCOUNT_USER, 500, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", 501)), QFS_REJECT_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(apply(s, ev_stake(1, "user", 1)), QFS_REJECT_NOT_VALIDATOR);
    ck_assert_uint_eq(apply(s, ev_stake(1, "nobody", 1)), QFS_REJECT_UNKNOWN_ACCOUNT);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", 0)), QFS_REJECT_ZERO_AMOUNT);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-1", 100)), 0);
    ck_assert_uint_eq(apply(s, ev_unstake(1, "val-1", 101)), QFS_REJECT_INSUFFICIENT_STAKE);
    ck_assert_uint_eq(apply(s, ev_unstake(1, "val-1", 0)), QFS_REJECT_ZERO_AMOUNT);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-1", ONE + 1)), QFS_REJECT_RATIO_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_report(1, "user", ONE)), QFS_REJECT_NOT_VALIDATOR);
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
    ck_assert(json_has(s, "staking",
                       "{\"ballot_lock_through\":null,\"id\":\"val-a\",\"slashed_t1\":50,\"slashed_t4\":30,"
                       "\"staked\":950,"));
    ck_assert_uint_eq(bal(s, "val-a", QFS_ASSET_T4), 970);
    /* val-b, Psi exactly 0.7: not slashed. */
    ck_assert(json_has(
        s, "staking",
        "{\"ballot_lock_through\":null,\"id\":\"val-b\",\"slashed_t1\":0,\"slashed_t4\":0,\"staked\":1000,"));
    /* val-c, Psi 0.3: shortfall 0.4. T1: min(0.10, 0.2) = 0.10 -> 100;
     * T4: min(0.20, 0.12) = 0.12 -> 120. */
    ck_assert(json_has(s, "staking",
                       "{\"ballot_lock_through\":null,\"id\":\"val-c\",\"slashed_t1\":100,\"slashed_t4\":120,"
                       "\"staked\":900,"));
    ck_assert_uint_eq(bal(s, "val-c", QFS_ASSET_T4), 880);
    /* Slashed amounts go to the treasury: T1 50 + 100, T4 30 + 120. */
    ck_assert(
        json_has(s, "treasury",
                 "\"balances\":{\"ATR\":0,\"NOD\":0,\"T1\":150,\"T2\":0,\"T3\":0,\"T4\":150,\"T5\":0}"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__boost_replaces_and_expires)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 100, 0, 0, 0},
                    {"user", QFS_ACCOUNT_USER, 0, 0, 0, 100, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "val-a", FP18(600000000000000000))), 0);
    /* Burn 4 T4 at t=1000: Psi_eff = 0.6 + 0.05 x 4 = 0.8 until 1000 + 1 day. */
    ck_assert_uint_eq(apply(s, ev_boost(1000, "val-a", 4)), 0);
    ck_assert_uint_eq(bal(s, "val-a", QFS_ASSET_T4), 96);
    ck_assert_uint_eq(apply(s, ev_close(2000, 0)), 0);
    ck_assert(json_has(s, "staking", "\"slashed_t1\":0,\"slashed_t4\":0,\"staked\":1000,"));
    /* Burn 1 more at t=3000: the boost becomes 1 (0.65), not 5 (0.85). */
    ck_assert_uint_eq(apply(s, ev_boost(3000, "val-a", 1)), 0);
    ck_assert(json_has(s, "treasury",
                       "\"burned\":{\"ATR\":0,\"NOD\":0,\"T1\":0,\"T2\":0,\"T3\":0,\"T4\":5,\"T5\":0}"));
    ck_assert_uint_eq(apply(s, ev_close(4000, 1)), 0);
    /* Psi_eff 0.65: shortfall 0.05; T1 0.025 x 1000 = 25 -> 975;
     * T4 0.015 x 95 = 1.425 -> floor 1 -> 94. */
    ck_assert(json_has(s, "staking", "\"slashed_t1\":25,\"slashed_t4\":1,\"staked\":975,"));
    ck_assert_uint_eq(bal(s, "val-a", QFS_ASSET_T4), 94);
    /* The boost ends at 3000 + 86400000: at exactly that time it is over.
     * Psi 0.6: T1 0.05 x 975 = 48.75 -> 48 (927); T4 0.03 x 94 = 2.82 -> 2. */
    ck_assert_uint_eq(apply(s, ev_close(3000 + DAY_MS, 2)), 0);
    ck_assert(json_has(s, "staking", "\"slashed_t1\":73,\"slashed_t4\":3,\"staked\":927,"));
    /* Invalid boosts. */
    ck_assert_uint_eq(apply(s, ev_boost(3000 + DAY_MS, "user", 1)), QFS_REJECT_NOT_VALIDATOR);
    ck_assert_uint_eq(apply(s, ev_boost(3000 + DAY_MS, "val-a", 93)), QFS_REJECT_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(apply(s, ev_boost(3000 + DAY_MS, "val-a", 0)), QFS_REJECT_ZERO_AMOUNT);
    ck_assert_uint_eq(apply(s, ev_boost(UINT64_MAX, "val-a", 1)), QFS_REJECT_AMOUNT_OVERFLOW);
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
     * mint 10000 x 2.5 = 25000. Shares of Psi 1.5:
     * a floor(25000 x 0.8 / 1.5) = floor(13333.33) = 13333,
     * b floor(25000 x 0.7 / 1.5) = floor(11666.66) = 11666; dust 1. */
    ck_assert(json_has(s, "coherence", "\"c_core\":\"0.75\",\"c_hat\":\"0.75\","));
    ck_assert(json_has(s, "coherence", "\"deficit\":true"));
    ck_assert(json_has(s, "staking", "\"staked\":1000,"));
    ck_assert_uint_eq(bal(s, "val-a", QFS_ASSET_T2), 13333);
    ck_assert_uint_eq(bal(s, "val-b", QFS_ASSET_T2), 11666);
    ck_assert(json_has(s, "treasury", "\"t2_minted_last\":25000,\"t2_paid_last\":24999,\"t2_pool\":1}"));
    /* Next close shares 25000 + 1 carried: a floor(25001 x 8 / 15) =
     * floor(13333.86) = 13333, b floor(25001 x 7 / 15) = floor(11667.13) =
     * 11667; paid 25000, dust 1 again. */
    ck_assert_uint_eq(apply(s, ev_close(3, 1)), 0);
    ck_assert_uint_eq(bal(s, "val-a", QFS_ASSET_T2), 26666);
    ck_assert_uint_eq(bal(s, "val-b", QFS_ASSET_T2), 23333);
    ck_assert(json_has(s, "treasury", "\"t2_pool\":1}"));
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
     * C-hat 0, deficit, 25000 minted, sum of Psi 0: equal 12500 each. */
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_uint_eq(bal(s, "val-a", QFS_ASSET_T2), 12500);
    ck_assert_uint_eq(bal(s, "val-b", QFS_ASSET_T2), 12500);
    ck_assert(json_has(s, "staking", "\"staked\":900,"));
    /* Psi 1 for both, weight_core 1: C-hat 1, no deficit, 10000 minted,
     * 5000 each. */
    ck_assert_uint_eq(apply(s, ev_report(3, "val-a", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_report(3, "val-b", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(4, 1)), 0);
    ck_assert(json_has(s, "coherence", "\"c_hat\":\"1\","));
    ck_assert_uint_eq(bal(s, "val-a", QFS_ASSET_T2), 17500);
    ck_assert(json_has(s, "treasury", "\"t2_minted_last\":10000,\"t2_paid_last\":10000,\"t2_pool\":0}"));
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
    ck_assert(json_has(s, "ledger", "\"T2\":0,"));
    ck_assert(json_has(s, "treasury", "\"t2_minted_last\":0,"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t5_reward_and_boundary)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* rPhiV 2, lambda 0.95: floor(2 x 0.95) = 1.9; x 0.1 = 0.19 T5 ->
     * 0.19 x t5_unit (10^6) = 190000 base units of T5. A rPhiV of 0.000001
     * at lambda 1 is 0.0000001 T5 = 0.1 base units -> floor 0. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", 2 * ONE, FP18(950000000000000000))), 0);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_T5), 190000);
    /* lambda exactly 0.9 earns nothing but is recorded. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", 2 * ONE, FP18(900000000000000000))), 0);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_T5), 190000);
    ck_assert(json_has(s, "memory",
                       "{\"contributions\":2,\"id\":\"mem-1\",\"last_lambda\":\"0.9\",\"rewarded\":1,"
                       "\"t5_total\":190000}"));
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-1", ONE, ONE + 1)), QFS_REJECT_RATIO_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_memory(1, "bob", "mem-1", ONE, ONE)), QFS_REJECT_UNKNOWN_ACCOUNT);
    /* C-hat at close: no stake, C_core 0; mean lambda (0.95 + 0.9) / 2 =
     * 0.925, x 0.2 = 0.185; impact 1 x 0.1. C-hat = 0.285. */
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "coherence",
                       "\"c_core\":\"0\",\"c_hat\":\"0.285\",\"c_impact\":\"0.1\",\"c_lambda\":\"0.925\""));
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
    /* rPhiV 0.000001 at lambda 1: 0.000001 x 1 x 0.1 = 0.0000001 T5 =
     * 0.1 base units at t5_unit 10^6 -> floor 0; accepted, nothing minted.
     * rPhiV 0.00001: 0.000001 T5 = exactly 1 base unit. */
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-2", FP18(1000000000000), ONE)), 0);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_T5), 0);
    ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "mem-2", FP18(10000000000000), ONE)), 0);
    ck_assert_uint_eq(bal(s, "alice", QFS_ASSET_T5), 1);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__t5_impact_caps_chat_at_one)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    /* 11 rewarded contributions: impact min(1, 1.1) = 1; plus 0.2 x 1 for
     * lambda 1: C-hat min(1, 1.2) = 1. */
    for (int i = 0; i < 11; i++)
        ck_assert_uint_eq(apply(s, ev_memory(1, "alice", "m", ONE, ONE)), 0);
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
    /* fee 1000: floor(1000 x 0.1) = 100 NOD in the pool. */
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", 1000)), 0);
    /* Epoch 0: two active nodes < 3: the pool carries over whole. */
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "n1", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "n2", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "nod", "\"active_last\":2,\"allocated_last\":0,"));
    ck_assert(json_has(s, "nod", "\"pool\":100}"));
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
    ck_assert(json_has(s, "nod", "\"active_last\":3,\"allocated_last\":90,"));
    ck_assert(json_has(s, "nod", "\"pool\":10}"));
    ck_assert_uint_eq(bal(s, "n1", QFS_ASSET_NOD), 30);
    ck_assert_uint_eq(bal(s, "n4", QFS_ASSET_NOD), 0);
    /* Invalid telemetry. */
    ck_assert_uint_eq(apply(s, ev_telemetry(7, "alice", ONE, ONE, ONE)), QFS_REJECT_NOT_INFRA_NODE);
    ck_assert_uint_eq(apply(s, ev_telemetry(7, "n1", ONE + 1, ONE, ONE)), QFS_REJECT_RATIO_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_telemetry(7, "zz", ONE, ONE, ONE)), QFS_REJECT_UNKNOWN_ACCOUNT);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__nod_published_example_scaled)
{
    /* The seed's example is pool 100 x 10^18 over contributions {2, 3, 3, 3}.
     * 100 x 10^18 NOD cannot exist in a uint64 ledger, and a pool is fed only
     * by 10% of ATR fees, so the replayed version uses 10^18 (fees of 10^19
     * ATR): scores are the uptimes 0.2, 0.3, 0.3, 0.3 (weight 1 on uptime).
     * a: floor(10^18 x 0.2 / 1.1) = floor(181818181818181818.18) = 181818181818181818
     * b, c, d: floor(10^18 x 0.3 / 1.1) = floor(272727272727272727.27) = 272727272727272727
     * sum 999999999999999999, dust 1 stays in the pool. The seed's rule would
     * give d 272727272727272728; ours carries the 1 to the next epoch. */
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 10000000000000000000ULL},
                    {"a", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"b", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"c", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"d", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0}};
    param_spec p[] = {{"nod_issuance_cap", UINT64_MAX},
                      {"nod_weight_correctness", 0},
                      {"nod_weight_replication", 0},
                      {"nod_weight_uptime", ONE}};
    qfs_state *s = mk_state(a, p);
    ck_assert_uint_eq(apply(s, ev_action(1, "alice", 10000000000000000000ULL)), 0);
    ck_assert(json_has(s, "nod", "\"pool\":1000000000000000000}"));
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "d", FP18(300000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "a", FP18(200000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "c", FP18(300000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_telemetry(1, "b", FP18(300000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_uint_eq(bal(s, "a", QFS_ASSET_NOD), 181818181818181818ULL);
    ck_assert_uint_eq(bal(s, "b", QFS_ASSET_NOD), 272727272727272727ULL);
    ck_assert_uint_eq(bal(s, "c", QFS_ASSET_NOD), 272727272727272727ULL);
    ck_assert_uint_eq(bal(s, "d", QFS_ASSET_NOD), 272727272727272727ULL);
    ck_assert(json_has(s, "nod", "\"pool\":1}"));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_nod_split__published_example_10e18)
{
    /* The allocation core on 10 x 10^18 with scores {2, 3, 3, 3}, cap 0.3:
     * floor(10^19 x 2 / 11) = 1818181818181818181 (of ...181.8),
     * floor(10^19 x 3 / 11) = 2727272727272727272 (of ...272.7), under the cap
     * 3 x 10^18; total 1818181818181818181 + 3 x 2727272727272727272 =
     * 9999999999999999997, dust 3. */
    uint64_t scores[4] = {2, 3, 3, 3};
    uint64_t shares[4];
    uint64_t total = nod_split(10000000000000000000ULL, scores, 4, FP18(300000000000000000), shares);
    ck_assert_uint_eq(shares[0], 1818181818181818181ULL);
    ck_assert_uint_eq(shares[1], 2727272727272727272ULL);
    ck_assert_uint_eq(shares[3], 2727272727272727272ULL);
    ck_assert_uint_eq(total, 9999999999999999997ULL);
    /* Every score 0: equal split floor(10 / 4) = 2 each, cap floor(10 x 0.3)
     * = 3 does not bite; 8 paid. */
    uint64_t zero[4] = {0, 0, 0, 0};
    ck_assert_uint_eq(nod_split(10, zero, 4, FP18(300000000000000000), shares), 8);
    ck_assert_uint_eq(shares[2], 2);
    /* Three zero scores: 10 / 3 = 3 each, exactly the cap 3: 9 paid. */
    ck_assert_uint_eq(nod_split(10, zero, 3, FP18(300000000000000000), shares), 9);
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
    ck_assert_uint_eq(bal(s, "a", QFS_ASSET_NOD), 300);
    ck_assert_uint_eq(bal(s, "b", QFS_ASSET_NOD), 300);
    ck_assert_uint_eq(bal(s, "c", QFS_ASSET_NOD), 300);
    ck_assert(json_has(s, "nod", "\"pool\":100}"));
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
    tcase_add_test(tc, test_state_apply__boost_replaces_and_expires);
    tcase_add_test(tc, test_state_apply__t2_deficit_proportional_with_dust);
    tcase_add_test(tc, test_state_apply__t2_normal_and_equal_split);
    tcase_add_test(tc, test_state_apply__t2_nothing_without_stakers);
    tcase_add_test(tc, test_state_apply__t5_reward_and_boundary);
    tcase_add_test(tc, test_state_apply__t5_reward_below_one_base_unit_floors_to_zero);
    tcase_add_test(tc, test_state_apply__t5_impact_caps_chat_at_one);
    tcase_add_test(tc, test_state_apply__nod_two_versus_three_active_nodes);
    tcase_add_test(tc, test_state_apply__nod_published_example_scaled);
    tcase_add_test(tc, test_state_nod_split__published_example_10e18);
    tcase_add_test(tc, test_state_apply__nod_cap_exactly_thirty_percent);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
