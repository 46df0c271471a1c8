/* The evidence collector (qfs/evidence.h): nod_distribution.json,
 * rewards.json, checkpoints.json and governance.json. Expected values are
 * worked out by hand from docs/SPEC.md and the seeds' published examples, in
 * the comments; amounts are base units (10^18 per token, TOK(n) whole
 * tokens). Every scenario also folds the same events into a second state
 * without a collector and checks that the two state hashes agree. */
#include "qfs/qfs.h"
#include "state_helpers.h"

#include <jansson.h>
#include <stdio.h>

/* A state observed by a collector, and the same events folded without one. */
typedef struct fx {
    qfs_state *s;
    qfs_state *plain;
    qfs_evidence *ev;
    uint64_t next; /* index of the next event */
} fx;

static fx fx_new(const acc_spec *a, size_t n, const param_spec *p, size_t np)
{
    fx f;
    f.s = mk_state_seeded(a, n, p, np, 0);
    f.plain = mk_state_seeded(a, n, p, np, 77); /* another table seed: no output may differ */
    ck_assert_int_eq(qfs_evidence_create(&f.ev), QFS_OK);
    /* The genesis (event 0) was applied by mk_state_seeded. */
    qfs_event g = ev0(0, QFS_EVENT_GENESIS);
    qfs_receipt r = {0};
    ck_assert_int_eq(qfs_evidence_observe(f.ev, f.s, 0, &g, &r), QFS_OK);
    f.next = 1;
    return f;
}

#define FX(a, p) fx_new(a, sizeof(a) / sizeof((a)[0]), p, sizeof(p) / sizeof((p)[0]))
#define FX_NP(a) fx_new(a, sizeof(a) / sizeof((a)[0]), NULL, 0)

/* Applies one event to both states and observes it; returns its receipt
 * code. The index of the event is f->next - 1 afterwards. */
static uint32_t fx_apply(fx *f, qfs_event e)
{
    uint32_t code = apply(f->s, e);
    ck_assert_uint_eq(apply(f->plain, e), code);
    qfs_receipt r = {code};
    ck_assert_int_eq(qfs_evidence_observe(f->ev, f->s, f->next++, &e, &r), QFS_OK);
    return code;
}

static char *fx_render(const fx *f, qfs_evidence_artifact a)
{
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(qfs_evidence_render(f->ev, a, &text, &len), QFS_OK);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

static void state_hex(const qfs_state *s, char hex[QFS_HASH128_HEX_LEN + 1])
{
    qfs_hash128 h;
    qfs_state_hash(s, &h);
    qfs_hash128_hex(&h, hex);
}

/* Asserts that `needle` occurs in artifact `a`, printing the artifact if not. */
static void has(const fx *f, qfs_evidence_artifact a, const char *needle)
{
    char *t = fx_render(f, a);
    if (!strstr(t, needle)) {
        fprintf(stderr, "%s\nnot in %s:\n%s", needle, qfs_evidence_artifact_name(a), t);
        ck_abort_msg("expected text not in %s (above)", qfs_evidence_artifact_name(a));
    }
    free(t);
}

/* Canonical: parsing and re-serialising with sorted keys and no whitespace
 * gives the same bytes, and the text ends with exactly one LF. */
static void assert_canonical(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    ck_assert_msg(j != NULL, "not JSON: %s at %d", err.text, err.position);
    char *again = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    size_t n = strlen(text);
    ck_assert_uint_ge(n, 2);
    ck_assert_int_eq(text[n - 1], '\n');
    ck_assert_int_ne(text[n - 2], '\n');
    ck_assert_uint_eq(strlen(again), n - 1);
    ck_assert_int_eq(memcmp(again, text, n - 1), 0);
    free(again);
    json_decref(j);
}

/* Renders every artifact twice (same bytes, canonical), checks that the
 * collector left the state as a fold without it, and frees everything. */
static void fx_done(fx *f)
{
    for (int a = 0; a < QFS_EVIDENCE_ARTIFACT_COUNT; a++) {
        char *x = fx_render(f, (qfs_evidence_artifact)a);
        char *y = fx_render(f, (qfs_evidence_artifact)a);
        ck_assert_str_eq(x, y);
        assert_canonical(x);
        free(x);
        free(y);
    }
    char h1[QFS_HASH128_HEX_LEN + 1], h2[QFS_HASH128_HEX_LEN + 1];
    state_hex(f->s, h1);
    state_hex(f->plain, h2);
    ck_assert_str_eq(h1, h2);
    qfs_evidence_free(f->ev);
    qfs_state_free(f->s);
    qfs_state_free(f->plain);
}

/* The seed's published example through events (SPEC 5.10, vector
 * nod_seed_example): a fee of 1000 ATR issues floor(1000 x 10^18 x 0.1) =
 * 10^20 = 100 NOD. Telemetry with correctness 0.5 (exactly the floor) and
 * uptime 0.25 or 0.75 gives scores 0.25 x 0.4 + 0.5 x 0.3 + 0.5 x 0.3 = 0.4
 * and 0.75 x 0.4 + 0.3 = 0.6, in the ratio 2 : 3, sum 2.2. Cap floor(10^20 x
 * 0.3) = 3 x 10^19 does not bite. a: floor(10^20 x 0.4 / 2.2) =
 * 18181818181818181818; b, c, d: floor(10^20 x 0.6 / 2.2) =
 * 27272727272727272727. Allocated 18181818181818181818 + 3 x
 * 27272727272727272727 = 99999999999999999999: dust 1 carries over. */
START_TEST(test_evidence_nod__seed_example)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, TOK(1000)},
                    {"a", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"b", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"c", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"d", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0}};
    fx f = FX_NP(a);
    const uint64_t half = FP18(500000000000000000), q3 = FP18(750000000000000000);
    ck_assert_uint_eq(fx_apply(&f, ev_action(1, "alice", TOK(1000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "d", q3, half, half)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "a", FP18(250000000000000000), half, half)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "c", q3, half, half)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "b", q3, half, half)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0); /* event 6 */
    char hex[QFS_HASH128_HEX_LEN + 1];
    state_hex(f.s, hex);
    const char *node_b = "{\"active\":true,\"correctness\":\"0.5\",\"inactive_reason\":null,\"node\":\"%s\","
                         "\"replication\":\"0.5\",\"score\":\"0.6\",\"uptime\":\"0.75\"}";
    const char *share_b = "{\"capped\":false,\"cut_by_node_cap\":\"0\",\"node\":\"%s\",\"rule\":\"mul_div\","
                          "\"score\":\"0.6\",\"share\":\"27272727272727272727\","
                          "\"uncapped\":\"27272727272727272727\"}";
    char nb[3][400], sb[3][400];
    for (int i = 0; i < 3; i++) {
        char id[2] = {(char)('b' + i), 0};
        snprintf(nb[i], sizeof nb[i], node_b, id);
        snprintf(sb[i], sizeof sb[i], share_b, id);
    }
    char expect[4096];
    snprintf(expect, sizeof expect,
             "{\"closes\":[{\"active_nodes\":4,\"allocated\":\"99999999999999999999\","
             "\"carried_over\":{\"cut_by_node_cap\":\"0\",\"dust\":\"1\",\"total\":\"1\"},"
             "\"correctness_floor\":\"0.5\",\"epoch\":0,\"event\":6,\"fees_atr\":\"1000000000000000000000\","
             "\"issuance\":{\"cap\":\"1000000000000000000000000\",\"cut\":\"0\",\"fraction\":\"0.1\","
             "\"issued\":\"100000000000000000000\",\"raw\":\"100000000000000000000\"},"
             "\"min_active_nodes\":3,\"node_cap\":{\"amount\":\"30000000000000000000\",\"ratio\":\"0.3\"},"
             "\"nodes\":[{\"active\":true,\"correctness\":\"0.5\",\"inactive_reason\":null,\"node\":\"a\","
             "\"replication\":\"0.5\",\"score\":\"0.4\",\"uptime\":\"0.25\"},%s,%s,%s],"
             "\"pool\":\"100000000000000000000\",\"pool_carried_in\":\"0\",\"score_sum\":\"2.2\","
             "\"score_weights\":{\"correctness\":\"0.3\",\"replication\":\"0.3\",\"uptime\":\"0.4\"},"
             "\"shares\":[{\"capped\":false,\"cut_by_node_cap\":\"0\",\"node\":\"a\",\"rule\":\"mul_div\","
             "\"score\":\"0.4\",\"share\":\"18181818181818181818\",\"uncapped\":\"18181818181818181818\"},"
             "%s,%s,%s],\"state_hash\":\"%s\",\"verdict\":\"allocated\"}]}\n",
             nb[0], nb[1], nb[2], sb[0], sb[1], sb[2], hex);
    char *t = fx_render(&f, QFS_EVIDENCE_NOD_DISTRIBUTION);
    ck_assert_str_eq(t, expect);
    free(t);
    fx_done(&f);
}
END_TEST

/* The 30% cap (SPEC 5.10): pool floor(10000 x 0.1) = 1000, scores 0.3, 0.3,
 * 0.4 (uptime weighs 1), sum 1; cap floor(1000 x 0.3) = 300. a and b get
 * exactly 300, not cut; c's mulDiv(1000, 0.4, 1) = 400 is cut to 300 (100 cut).
 * Allocated 900, no dust, 100 carried over. */
START_TEST(test_evidence_nod__node_cut_by_the_thirty_percent_cap)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 10000},
                    {"a", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"b", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"c", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0}};
    param_spec p[] = {
        {"nod_weight_correctness", 0}, {"nod_weight_replication", 0}, {"nod_weight_uptime", ONE}};
    fx f = FX(a, p);
    ck_assert_uint_eq(fx_apply(&f, ev_action(1, "alice", 10000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "a", FP18(300000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "b", FP18(300000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "c", FP18(400000000000000000), 0, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "\"active_nodes\":3,\"allocated\":\"900\",\"carried_over\":{\"cut_by_node_cap\":\"100\",\"dust\":"
        "\"0\","
        "\"total\":\"100\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION, "\"node_cap\":{\"amount\":\"300\",\"ratio\":\"0.3\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "\"pool\":\"1000\",\"pool_carried_in\":\"0\",\"score_sum\":\"1\",");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "{\"capped\":false,\"cut_by_node_cap\":\"0\",\"node\":\"a\",\"rule\":\"mul_div\",\"score\":\"0.3\","
        "\"share\":\"300\",\"uncapped\":\"300\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "{\"capped\":true,\"cut_by_node_cap\":\"100\",\"node\":\"c\",\"rule\":\"mul_div\",\"score\":\"0.4\","
        "\"share\":\"300\",\"uncapped\":\"400\"}");
    fx_done(&f);
}
END_TEST

/* Minimum active nodes (3 by default). A fee of 1000 base units issues
 * floor(1000 x 0.1) = 100 into the pool.
 * Close 0: n1, n2 active: 2 < 3, nothing allocated, the whole 100 carries.
 * Close 1: only n3 reports (n1 and n2 are stale and not listed); 100 carried in.
 * Close 2: n1..n3 score 1 each (every ratio 1), n4's correctness 0.49 is below
 * the 0.5 floor (score 0.4 + 0.3 + 0.49 x 0.3 = 0.847). mulDiv(100, 1, 3) =
 * 33 each, cut to floor(100 x 0.3) = 30: 3 cut each, 9 in all; dust 100 - 99
 * = 1; carried 10. */
START_TEST(test_evidence_nod__minimum_active_nodes_and_inactive_reason)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 1000},
                    {"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"n2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"n3", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"n4", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0}};
    fx f = FX_NP(a);
    ck_assert_uint_eq(fx_apply(&f, ev_action(1, "alice", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "n1", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "n2", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "{\"active_nodes\":2,\"allocated\":\"0\",\"carried_over\":{\"cut_by_node_cap\":\"0\",\"dust\":\"0\","
        "\"total\":\"100\"},");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "\"node_cap\":{\"amount\":null,\"ratio\":\"0.3\"},\"nodes\":[{\"active\":true,\"correctness\":\"1\","
        "\"inactive_reason\":null,\"node\":\"n1\",\"replication\":\"1\",\"score\":\"1\",\"uptime\":\"1\"},");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION, "\"shares\":[],");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION, "\"verdict\":\"below_min_active_nodes\"}]}\n");
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(3, "n3", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(4, 1)), 0);
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "\"epoch\":1,\"event\":6,\"fees_atr\":\"0\",\"issuance\":{\"cap\":\"1000000000000000000000000\","
        "\"cut\":\"0\",\"fraction\":\"0.1\",\"issued\":\"0\",\"raw\":\"0\"},\"min_active_nodes\":3,"
        "\"node_cap\":{\"amount\":null,\"ratio\":\"0.3\"},\"nodes\":[{\"active\":true,\"correctness\":\"1\","
        "\"inactive_reason\":null,\"node\":\"n3\",\"replication\":\"1\",\"score\":\"1\",\"uptime\":\"1\"}],"
        "\"pool\":\"100\",\"pool_carried_in\":\"100\"");
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(5, "n1", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(5, "n2", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(5, "n3", ONE, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(5, "n4", ONE, ONE, FP18(490000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(6, 2)), 0);
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "{\"active_nodes\":3,\"allocated\":\"90\",\"carried_over\":{\"cut_by_node_cap\":\"9\",\"dust\":\"1\","
        "\"total\":\"10\"},");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "{\"active\":false,\"correctness\":\"0.49\",\"inactive_reason\":\"correctness_below_floor\","
        "\"node\":\"n4\",\"replication\":\"1\",\"score\":\"0.847\",\"uptime\":\"1\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "{\"capped\":true,\"cut_by_node_cap\":\"3\",\"node\":\"n3\",\"rule\":\"mul_div\",\"score\":\"1\","
        "\"share\":\"30\",\"uncapped\":\"33\"}],");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION, "\"score_sum\":\"3\",");
    fx_done(&f);
}
END_TEST

/* The epoch issuance cap (SPEC 5.7) at 50 base units: a first fee of 1000
 * raises floor(1000 x 0.1) = 100 raw, 50 issued, 50 cut; a second fee of 1000
 * raises 100 raw with no room left: 0 issued, 100 cut. The epoch: fees 2000,
 * raw 200, issued 50, cut 150. */
START_TEST(test_evidence_nod__issuance_cap_cuts)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 5000}};
    param_spec p[] = {{"nod_issuance_cap", 50}};
    fx f = FX(a, p);
    ck_assert_uint_eq(fx_apply(&f, ev_action(1, "alice", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_action(1, "alice", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "\"fees_atr\":\"2000\",\"issuance\":{\"cap\":\"50\",\"cut\":\"150\",\"fraction\":\"0.1\","
        "\"issued\":\"50\",\"raw\":\"200\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION, "\"nodes\":[],\"pool\":\"50\",\"pool_carried_in\":\"0\",");
    /* The next epoch starts from zero. */
    ck_assert_uint_eq(fx_apply(&f, ev_action(3, "alice", 10)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(4, 1)), 0);
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "\"fees_atr\":\"10\",\"issuance\":{\"cap\":\"50\",\"cut\":\"0\",\"fraction\":\"0.1\","
        "\"issued\":\"1\",\"raw\":\"1\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION, "\"pool\":\"51\",\"pool_carried_in\":\"50\",");
    fx_done(&f);
}
END_TEST

/* Slashing (SPEC 5.2 and vectors/v2/slashing): val-a Psi 0.6 on 1000 T1
 * staked and 1000 T4: shortfall 0.1, f1 = min(0.1, 0.1 x 0.5) = 0.05 -> 50
 * T1; f4 = min(0.2, 0.1 x 0.3) = 0.03 -> 30 T4. val-b at exactly 0.7 is not
 * slashed and not listed. val-c Psi 0.3: shortfall 0.4, f1 = min(0.1, 0.2) =
 * 0.1 -> 100; f4 = min(0.2, 0.12) = 0.12 -> 120. */
START_TEST(test_evidence_rewards__slashes)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 1000, 0, 0, 0},
                    {"val-b", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 1000, 0, 0, 0},
                    {"val-c", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 1000, 0, 0, 0}};
    fx f = FX_NP(a);
    const char *ids[] = {"val-c", "val-a", "val-b"}; /* staked out of id order */
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(fx_apply(&f, ev_stake(1, ids[i], 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "val-a", FP18(600000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "val-b", FP18(700000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "val-c", FP18(300000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"slashing\":{\"slashes\":[{\"cut_t1\":\"50\",\"cut_t4\":\"30\",\"f1\":\"0.05\",\"f4\":\"0.03\","
        "\"psi\":\"0.6\",\"shortfall\":\"0.1\",\"staked\":\"1000\",\"t4_balance\":\"1000\",\"validator\":"
        "\"val-a\"},"
        "{\"cut_t1\":\"100\",\"cut_t4\":\"120\",\"f1\":\"0.1\",\"f4\":\"0.12\",\"psi\":\"0.3\",\"shortfall\":"
        "\"0.4\","
        "\"staked\":\"1000\",\"t4_balance\":\"1000\",\"validator\":\"val-c\"}],\"t1_cap\":\"0.1\","
        "\"t1_rate\":\"0.5\",\"t4_cap\":\"0.2\",\"t4_rate\":\"0.3\",\"threshold\":\"0.7\"}");
    /* C_core over the stakes before slashing: (600 + 700 + 300) / 3000 =
     * 0.5333... floored to 18 decimals. The T2 shares see the stakes after
     * it: 950, 1000, 900. */
    has(&f, QFS_EVIDENCE_REWARDS, "\"c_core\":\"0.533333333333333333\",");
    has(&f, QFS_EVIDENCE_REWARDS, "\"staked_total\":\"3000\",");
    has(&f, QFS_EVIDENCE_REWARDS, "\"staked\":\"950\",\"validator\":\"val-a\"}");
    fx_done(&f);
}
END_TEST

/* A T2 deficit epoch (SPEC 5.3, 5.4): Psi 0.8 and 0.7 on equal stakes, no
 * memory contributions: C-hat = C_core = 0.75 < 0.85, deficit. Mint 10^22 +
 * floor(10^22 x 1.5) = 2.5 x 10^22; shares floor(D x Psi / 1.5): a
 * floor(25000 x 10^18 x 8 / 15) = 13333333333333333333333, b
 * floor(25000 x 10^18 x 7 / 15) = 11666666666666666666666; dust 1. The next
 * close shares D = 2.5 x 10^22 + 1: a 13333333333333333333333, b
 * floor(175000000000000000000007 / 15) = 11666666666666666666667; dust 1. */
START_TEST(test_evidence_rewards__t2_deficit_epoch)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0},
                    {"val-b", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0}};
    fx f = FX_NP(a);
    ck_assert_uint_eq(fx_apply(&f, ev_stake(1, "val-b", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "val-a", FP18(800000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "val-b", FP18(700000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    has(&f, QFS_EVIDENCE_REWARDS,
        "{\"closes\":[{\"coherence\":{\"base\":\"0.75\",\"c_core\":\"0.75\",\"c_hat\":\"0.75\",\"deficit\":"
        "true,"
        "\"deficit_threshold\":\"0.85\",\"impact\":\"0\",\"lambda_mean\":\"0\",\"memory_contributions\":0,"
        "\"rewarded_contributions\":0,\"staked_total\":\"2000\",\"t5_impact\":\"0.1\",\"weight_core\":\"0."
        "8\","
        "\"weight_lambda\":\"0.2\"},\"epoch\":0,\"event\":5,");
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"t2\":{\"bonus\":\"15000000000000000000000\",\"carried_in\":\"0\",\"deficit_bonus\":\"1.5\","
        "\"distributable\":\"25000000000000000000000\",\"dust\":\"1\",\"minted\":\"25000000000000000000000\","
        "\"paid\":\"24999999999999999999999\",\"pool\":\"10000000000000000000000\",\"psi_sum\":\"1.5\","
        "\"recipients\":2,\"rule\":\"mul_div\",\"shares\":[{\"psi_eff\":\"0.8\","
        "\"share\":\"13333333333333333333333\",\"staked\":\"1000\",\"validator\":\"val-a\"},"
        "{\"psi_eff\":\"0.7\",\"share\":\"11666666666666666666666\",\"staked\":\"1000\",\"validator\":\"val-"
        "b\"}]},"
        "\"t5\":[]}");
    ck_assert_uint_eq(fx_apply(&f, ev_close(3, 1)), 0);
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"t2\":{\"bonus\":\"15000000000000000000000\",\"carried_in\":\"1\",\"deficit_bonus\":\"1.5\","
        "\"distributable\":\"25000000000000000000001\",\"dust\":\"1\",\"minted\":\"25000000000000000000000\","
        "\"paid\":\"25000000000000000000000\",");
    has(&f, QFS_EVIDENCE_REWARDS, "{\"psi_eff\":\"0.7\",\"share\":\"11666666666666666666667\",");
    fx_done(&f);
}
END_TEST

/* T2 without a deficit and without recipients: Psi 0.9 alone: C-hat 0.9,
 * mint 10^22, no bonus, all to val-a. After val-a unbonds everything, no
 * recipient: nothing minted, rule no_recipients. */
START_TEST(test_evidence_rewards__t2_normal_and_no_recipients)
{
    acc_spec a[] = {{"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0}};
    fx f = FX_NP(a);
    ck_assert_uint_eq(fx_apply(&f, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "val-a", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    has(&f, QFS_EVIDENCE_REWARDS, "\"c_hat\":\"0.9\",\"deficit\":false,");
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"t2\":{\"bonus\":\"0\",\"carried_in\":\"0\",\"deficit_bonus\":\"1.5\","
        "\"distributable\":\"10000000000000000000000\",\"dust\":\"0\",\"minted\":\"10000000000000000000000\","
        "\"paid\":\"10000000000000000000000\",\"pool\":\"10000000000000000000000\",\"psi_sum\":\"0.9\","
        "\"recipients\":1,\"rule\":\"mul_div\",");
    ck_assert_uint_eq(fx_apply(&f, ev_unstake(3, "val-a", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(4, 1)), 0);
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"epoch\":1,\"event\":5,\"slashing\":{\"slashes\":[],\"t1_cap\":\"0.1\",\"t1_rate\":\"0.5\","
        "\"t4_cap\":\"0.2\",\"t4_rate\":\"0.3\",\"threshold\":\"0.7\"},\"t2\":{\"bonus\":\"0\","
        "\"carried_in\":\"0\",\"deficit_bonus\":\"1.5\",\"distributable\":\"0\",\"dust\":\"0\",\"minted\":"
        "\"0\","
        "\"paid\":\"0\",\"pool\":\"10000000000000000000000\",\"psi_sum\":\"0\",\"recipients\":0,"
        "\"rule\":\"no_recipients\",\"shares\":[]},\"t5\":[]}]}\n");
    fx_done(&f);
}
END_TEST

/* T5 per memory node and epoch (SPEC 5.6): rPhiV 2, lambda 0.95 earns
 * (2 x 0.95) x 0.1 = 0.19 T5 = 190000000000000000; lambda exactly 0.9 earns
 * nothing and is not rewarded; rPhiV 1, lambda 1 earns 0.1 T5. Only the nodes
 * with contributions in the epoch are listed, with what the epoch added. */
START_TEST(test_evidence_rewards__t5_per_memory_node)
{
    acc_spec a[] = {{"u", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0}};
    fx f = FX_NP(a);
    ck_assert_uint_eq(fx_apply(&f, ev_memory(1, "u", "mem-1", 2 * ONE, FP18(950000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_memory(1, "u", "mem-1", 2 * ONE, FP18(900000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_memory(1, "u", "mem-0", ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    /* lambda mean (0.95 + 0.9 + 1) / 3 = 0.95; 2 rewarded. */
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"lambda_mean\":\"0.95\",\"memory_contributions\":3,\"rewarded_contributions\":2,");
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"t5\":[{\"contributions\":1,\"memory_node\":\"mem-0\",\"rewarded\":1,\"t5\":\"100000000000000000\"}"
        ","
        "{\"contributions\":2,\"memory_node\":\"mem-1\",\"rewarded\":1,\"t5\":\"190000000000000000\"}]}]}\n");
    ck_assert_uint_eq(fx_apply(&f, ev_memory(3, "u", "mem-1", 2 * ONE, FP18(950000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(4, 1)), 0);
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"t5\":[{\"contributions\":1,\"memory_node\":\"mem-1\",\"rewarded\":1,\"t5\":\"190000000000000000\"}"
        "]}]}"
        "\n");
    fx_done(&f);
}
END_TEST

/* Checkpoints: the state and module hashes after every accepted close (a
 * rejected close adds none), and the final state after the last event. */
START_TEST(test_evidence_checkpoints__every_close_and_final)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 1000}};
    fx f = FX_NP(a);
    ck_assert_uint_eq(fx_apply(&f, ev_close(1, 0)), 0); /* event 1 */
    char h0[QFS_HASH128_HEX_LEN + 1], nod0[QFS_HASH128_HEX_LEN + 1];
    state_hex(f.s, h0);
    qfs_hash128 mh;
    for (size_t i = 0; i < qfs_state_module_count(); i++)
        if (strcmp(qfs_state_module_name(i), "nod") == 0)
            qfs_state_module_hash(f.s, i, &mh);
    qfs_hash128_hex(&mh, nod0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 5)), QFS_REJECT_WRONG_EPOCH); /* event 2 */
    ck_assert_uint_eq(fx_apply(&f, ev_action(3, "alice", 10)), 0);           /* event 3 */
    ck_assert_uint_eq(fx_apply(&f, ev_close(4, 1)), 0);                      /* event 4 */
    char h1[QFS_HASH128_HEX_LEN + 1];
    state_hex(f.s, h1);
    ck_assert_uint_eq(fx_apply(&f, ev_action(5, "alice", 10)), 0); /* event 5 */
    ck_assert_uint_eq(fx_apply(&f, ev_action(5, "nobody", 10)), QFS_REJECT_UNKNOWN_ACCOUNT);
    char hf[QFS_HASH128_HEX_LEN + 1];
    state_hex(f.s, hf);
    char *t = fx_render(&f, QFS_EVIDENCE_CHECKPOINTS);
    char want[256];
    snprintf(want, sizeof want, "{\"checkpoints\":[{\"epoch\":0,\"event\":1,\"modules\":{\"auth\":\"");
    ck_assert_msg(strncmp(t, want, strlen(want)) == 0, "%s", t);
    snprintf(want, sizeof want, "\"nod\":\"%s\",", nod0);
    ck_assert_msg(strstr(t, want) != NULL, "%s", t);
    snprintf(want, sizeof want, "\"state_hash\":\"%s\"},{\"epoch\":1,\"event\":4,", h0);
    ck_assert_msg(strstr(t, want) != NULL, "%s", t);
    snprintf(want, sizeof want, "\"state_hash\":\"%s\"}],\"final\":{\"epoch\":2,\"event\":6,\"events\":7,",
             h1);
    ck_assert_msg(strstr(t, want) != NULL, "%s", t);
    snprintf(want, sizeof want, "\"rejected\":2,\"state_hash\":\"%s\"}}\n", hf);
    ck_assert_msg(strstr(t, want) != NULL, "%s", t);
    /* Module names are sorted; rendering after finish and without the state
     * gives the same bytes. */
    ck_assert_ptr_nonnull(strstr(t, "\"modules\":{\"auth\":"));
    ck_assert_ptr_nonnull(strstr(t, "\",\"coherence\":\""));
    ck_assert_int_eq(qfs_evidence_finish(f.ev, f.s), QFS_OK);
    char *u = fx_render(&f, QFS_EVIDENCE_CHECKPOINTS);
    ck_assert_str_eq(t, u);
    free(t);
    free(u);
    fx_done(&f);
}
END_TEST

/* Proposals of the social governance with their ballots (SPEC 5.8, 5.9).
 * Window of eligibility 2: v1 reports 0.9 then 0.8 (mean 0.85, eligible;
 * base Psi 0.8), v2 0.9 twice. Weights floor(isqrt(T3 x staked) x Psi): v1
 * isqrt(100 x 400) T = 200 T x 0.8 = 160 T; v2 isqrt(900 x 100) = 300 T x 0.9
 * = 270 T; toward the quorum each adds its T3, 100 T and 900 T. Snapshot: the
 * T3 supply 100 + 900 + 1000 = 2000 T; quorum 0.33 requires ceil(2000 x 0.33)
 * = 660 T; cast 1000 T. Window lambda_vote_epochs 3: created 0, ends 2.
 * P7 (t2_pool 20000 T): yes 160 T < no 270 T: rejected.
 * P8 (slash_psi_threshold 0.6): yes 430 T > no 0: passed, applied at the close
 * of 2 + gov_apply_delay_epochs 2 = 4. */
START_TEST(test_evidence_governance__social_proposals_ballots_and_application)
{
    const acc_spec a[] = {
        {"v1", QFS_ACCOUNT_VALIDATOR, TOK(400), 0, TOK(100), 0, 0, 0, 0},
        {"v2", QFS_ACCOUNT_VALIDATOR, TOK(100), 0, TOK(900), 0, 0, 0, 0},
        {"v3", QFS_ACCOUNT_VALIDATOR, TOK(100), 0, TOK(1000), 0, 0, 0, 0},
    };
    param_spec p[] = {{"vote_eligibility_window", 2}};
    fx f = FX(a, p);
    ck_assert_uint_eq(fx_apply(&f, ev_stake(1, "v1", TOK(400))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_stake(1, "v2", TOK(100))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "v1", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "v1", FP18(800000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "v2", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_report(1, "v2", FP18(900000000000000000))), 0);      /* event 6 */
    ck_assert_uint_eq(fx_apply(&f, ev_proposal(1, 0, "v1", 7, "t2_pool", TOK(20000))), 0); /* 7 */
    ck_assert_uint_eq(
        fx_apply(&f, ev_proposal(1, 0, "v2", 8, "slash_psi_threshold", FP18(600000000000000000))), 0); /* 8 */
    ck_assert_uint_eq(fx_apply(&f, ev_proposal(1, 0, "v1", 8, "t2_pool", 1)), QFS_REJECT_DUPLICATE_PROPOSAL);
    ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 0, "v1", 7, QFS_VOTE_YES)), 0); /* 10 */
    ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 0, "v2", 7, QFS_VOTE_NO)), 0);  /* 11 */
    ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 0, "v1", 8, QFS_VOTE_YES)), 0); /* 12 */
    ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 0, "v2", 8, QFS_VOTE_YES)), 0); /* 13 */
    ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 0, "v1", 8, QFS_VOTE_NO)), QFS_REJECT_DUPLICATE_VOTE);
    const char *p8_ballots =
        "\"ballots\":[{\"capped\":null,\"choice\":\"yes\",\"event\":12,\"quorum_weight\":"
        "\"100000000000000000000\","
        "\"voter\":\"v1\",\"weight\":\"160000000000000000000\"},{\"capped\":null,\"choice\":\"yes\","
        "\"event\":13,"
        "\"quorum_weight\":\"900000000000000000000\",\"voter\":\"v2\",\"weight\":\"270000000000000000000\"}],"
        "\"created_epoch\":0,\"end_epoch\":2,\"event\":8,\"id\":\"8\",\"parameter\":\"slash_psi_threshold\","
        "\"participation\":{\"cast\":\"1000000000000000000000\",\"quorum\":\"0.33\",";
    /* Open: no tally yet. */
    char want[2048];
    snprintf(
        want, sizeof want,
        "{\"applied\":null,\"apply_epoch\":null,%s\"required\":null,\"snapshot\":\"2000000000000000000000\"},"
        "\"proposer\":\"v2\",\"status\":\"open\",\"tally\":null,\"value\":\"0.6\",\"vote_cap\":null}]}\n",
        p8_ballots);
    has(&f, QFS_EVIDENCE_GOVERNANCE, want);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0); /* 15 */
    ck_assert_uint_eq(fx_apply(&f, ev_close(3, 1)), 0); /* 16 */
    ck_assert_uint_eq(fx_apply(&f, ev_close(4, 2)), 0); /* 17: tallies */
    snprintf(want, sizeof want,
             "{\"applied\":null,\"apply_epoch\":4,%s\"required\":\"660000000000000000000\","
             "\"snapshot\":\"2000000000000000000000\"},\"proposer\":\"v2\",\"status\":\"passed\","
             "\"tally\":{\"abstain\":\"0\",\"epoch\":2,\"event\":17,\"no\":\"0\",\"yes\":"
             "\"430000000000000000000\"},"
             "\"value\":\"0.6\",\"vote_cap\":null}]}\n",
             p8_ballots);
    has(&f, QFS_EVIDENCE_GOVERNANCE, want);
    has(&f, QFS_EVIDENCE_GOVERNANCE,
        "{\"infra\":[],\"social\":[{\"applied\":null,\"apply_epoch\":null,\"ballots\":[{\"capped\":null,"
        "\"choice\":\"yes\",\"event\":10,\"quorum_weight\":\"100000000000000000000\",\"voter\":\"v1\","
        "\"weight\":\"160000000000000000000\"},{\"capped\":null,\"choice\":\"no\",\"event\":11,"
        "\"quorum_weight\":\"900000000000000000000\",\"voter\":\"v2\",\"weight\":\"270000000000000000000\"}],"
        "\"created_epoch\":0,\"end_epoch\":2,\"event\":7,\"id\":\"7\",\"parameter\":\"t2_pool\","
        "\"participation\":{\"cast\":\"1000000000000000000000\",\"quorum\":\"0.33\","
        "\"required\":\"660000000000000000000\",\"snapshot\":\"2000000000000000000000\"},\"proposer\":\"v1\","
        "\"status\":\"rejected\",\"tally\":{\"abstain\":\"0\",\"epoch\":2,\"event\":17,"
        "\"no\":\"270000000000000000000\",\"yes\":\"160000000000000000000\"},"
        "\"value\":\"20000000000000000000000\",\"vote_cap\":null},");
    ck_assert_uint_eq(fx_apply(&f, ev_close(5, 3)), 0); /* 18 */
    has(&f, QFS_EVIDENCE_GOVERNANCE, "{\"applied\":null,\"apply_epoch\":4,\"ballots\":[{");
    ck_assert_uint_eq(fx_apply(&f, ev_close(6, 4)), 0); /* 19: applies P8 */
    has(&f, QFS_EVIDENCE_GOVERNANCE,
        "{\"applied\":{\"epoch\":4,\"event\":19},\"apply_epoch\":4,\"ballots\":[{");
    ck_assert_amt_eq(qfs_state_param(f.s, QFS_PARAM_SLASH_PSI_THRESHOLD), FP18(600000000000000000));
    /* The rewards of the close that applied it still name the threshold in
     * force during its slashing step. */
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"epoch\":4,\"event\":19,\"slashing\":{\"slashes\":[],\"t1_cap\":\"0.1\",\"t1_rate\":\"0.5\","
        "\"t4_cap\":\"0.2\",\"t4_rate\":\"0.3\",\"threshold\":\"0.7\"}");
    fx_done(&f);
}
END_TEST

/* Infrastructure ballots and the 25% cap (SPEC 4.14, 5.9): holdings 70, 10,
 * 10, 10 (snapshot 100). Cap floor(100 x 0.25) = 25: big weighs 25 (capped)
 * but adds 70 toward the quorum; each small node weighs its 10 (not capped).
 * The quorum requires ceil(100 x 0.66) = 66. P1 unanimous: cast 100, yes 55:
 * passed, applied at the close of 2 + 2 = 4. P2 big yes, small no: yes 25 <
 * no 30: rejected. P3 small nodes only: cast 30 < 66: no quorum. */
START_TEST(test_evidence_governance__infra_ballots_and_the_vote_cap)
{
    acc_spec a[] = {{"big", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 70, 0},
                    {"s1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0},
                    {"s2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0},
                    {"s3", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0}};
    fx f = FX_NP(a);
    const char *small[] = {"s1", "s2", "s3"};
    ck_assert_uint_eq(fx_apply(&f, ev_proposal(1, 1, "s1", 1, "ai_model_version", 2)), 0);     /* 1 */
    ck_assert_uint_eq(fx_apply(&f, ev_proposal(1, 1, "big", 2, "network_max_peers", 100)), 0); /* 2 */
    ck_assert_uint_eq(fx_apply(&f, ev_proposal(1, 1, "s1", 3, "replication_factor", 4)), 0);   /* 3 */
    ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 1, "big", 1, QFS_VOTE_YES)), 0);                 /* 4 */
    ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 1, "big", 2, QFS_VOTE_YES)), 0);                 /* 5 */
    for (int i = 0; i < 3; i++) {                                                              /* 6..14 */
        ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 1, small[i], 1, QFS_VOTE_YES)), 0);
        ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 1, small[i], 2, QFS_VOTE_NO)), 0);
        ck_assert_uint_eq(fx_apply(&f, ev_vote(1, 1, small[i], 3, QFS_VOTE_YES)), 0);
    }
    for (uint64_t e = 0; e < 3; e++) /* 15, 16, 17 */
        ck_assert_uint_eq(fx_apply(&f, ev_close(2 + e, e)), 0);
    has(&f, QFS_EVIDENCE_GOVERNANCE,
        "{\"infra\":[{\"applied\":null,\"apply_epoch\":4,\"ballots\":[{\"capped\":true,\"choice\":\"yes\","
        "\"event\":4,\"quorum_weight\":\"70\",\"voter\":\"big\",\"weight\":\"25\"},{\"capped\":false,"
        "\"choice\":\"yes\",\"event\":6,\"quorum_weight\":\"10\",\"voter\":\"s1\",\"weight\":\"10\"},");
    has(&f, QFS_EVIDENCE_GOVERNANCE,
        "\"created_epoch\":0,\"end_epoch\":2,\"event\":1,\"id\":\"1\",\"parameter\":\"ai_model_version\","
        "\"participation\":{\"cast\":\"100\",\"quorum\":\"0.66\",\"required\":\"66\",\"snapshot\":\"100\"},"
        "\"proposer\":\"s1\",\"status\":\"passed\",\"tally\":{\"abstain\":\"0\",\"epoch\":2,\"event\":17,"
        "\"no\":\"0\",\"yes\":\"55\"},\"value\":2,\"vote_cap\":\"25\"}");
    has(&f, QFS_EVIDENCE_GOVERNANCE,
        "\"proposer\":\"big\",\"status\":\"rejected\",\"tally\":{\"abstain\":\"0\",\"epoch\":2,\"event\":17,"
        "\"no\":\"30\",\"yes\":\"25\"},\"value\":100,\"vote_cap\":\"25\"}");
    has(&f, QFS_EVIDENCE_GOVERNANCE,
        "\"participation\":{\"cast\":\"30\",\"quorum\":\"0.66\",\"required\":\"66\",\"snapshot\":\"100\"},"
        "\"proposer\":\"s1\",\"status\":\"no_quorum\",");
    ck_assert_uint_eq(fx_apply(&f, ev_close(5, 3)), 0); /* 18 */
    ck_assert_uint_eq(fx_apply(&f, ev_close(6, 4)), 0); /* 19 */
    has(&f, QFS_EVIDENCE_GOVERNANCE,
        "{\"infra\":[{\"applied\":{\"epoch\":4,\"event\":19},\"apply_epoch\":4,");
    has(&f, QFS_EVIDENCE_GOVERNANCE, "\"social\":[]}\n");
    fx_done(&f);
}
END_TEST

/* Equal splits: every active node scores 0 (only uptime weighs, and every
 * uptime is 0): floor(100 / 3) = 33 each, cut to the cap floor(100 x 0.3) =
 * 30; dust 100 - 99 = 1, cut 9, carried 10. Validators that never reported
 * have Psi 0: C_core 0, deficit; both are slashed (shortfall 0.7: f1 =
 * min(0.1, 0.35) = 0.1, f4 = min(0.2, 0.21) = 0.2), and the mint 25000 T2
 * is split equally: 12500 T2 each. */
START_TEST(test_evidence_rewards__equal_splits_when_sums_are_zero)
{
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 1000},
                    {"a", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"b", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"c", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
                    {"val-a", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 50, 0, 0, 0},
                    {"val-b", QFS_ACCOUNT_VALIDATOR, 1000, 0, 0, 0, 0, 0, 0}};
    param_spec p[] = {
        {"nod_weight_correctness", 0}, {"nod_weight_replication", 0}, {"nod_weight_uptime", ONE}};
    fx f = FX(a, p);
    ck_assert_uint_eq(fx_apply(&f, ev_action(1, "alice", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "a", 0, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "b", 0, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_telemetry(1, "c", 0, ONE, ONE)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_stake(1, "val-a", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_stake(1, "val-b", 1000)), 0);
    ck_assert_uint_eq(fx_apply(&f, ev_close(2, 0)), 0);
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "\"allocated\":\"90\",\"carried_over\":{\"cut_by_node_cap\":\"9\",\"dust\":\"1\",\"total\":\"10\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION,
        "{\"capped\":true,\"cut_by_node_cap\":\"3\",\"node\":\"b\",\"rule\":\"equal_split\",\"score\":\"0\","
        "\"share\":\"30\",\"uncapped\":\"33\"}");
    has(&f, QFS_EVIDENCE_NOD_DISTRIBUTION, "\"score_sum\":\"0\",");
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"slashes\":[{\"cut_t1\":\"100\",\"cut_t4\":\"10\",\"f1\":\"0.1\",\"f4\":\"0.2\",\"psi\":\"0\","
        "\"shortfall\":\"0.7\",\"staked\":\"1000\",\"t4_balance\":\"50\",\"validator\":\"val-a\"},"
        "{\"cut_t1\":\"100\",\"cut_t4\":\"0\",\"f1\":\"0.1\",\"f4\":\"0.2\",\"psi\":\"0\",\"shortfall\":\"0."
        "7\","
        "\"staked\":\"1000\",\"t4_balance\":\"0\",\"validator\":\"val-b\"}]");
    has(&f, QFS_EVIDENCE_REWARDS,
        "\"psi_sum\":\"0\",\"recipients\":2,\"rule\":\"equal_split\",\"shares\":[{\"psi_eff\":\"0\","
        "\"share\":\"12500000000000000000000\",\"staked\":\"900\",\"validator\":\"val-a\"},{\"psi_eff\":"
        "\"0\","
        "\"share\":\"12500000000000000000000\",\"staked\":\"900\",\"validator\":\"val-b\"}]}");
    fx_done(&f);
}
END_TEST

/* Folds the events of a log file into `s`, observing them into `ev` when it
 * is not NULL. */
static void fold_file(const char *path, qfs_state *s, qfs_evidence *ev)
{
    qfs_diag d;
    qfs_diag_clear(&d);
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_log_reader *r = NULL;
    qfs_arena *arena = NULL;
    ck_assert_int_eq(qfs_log_reader_open(&r, path, &schema, NULL, &d), QFS_OK);
    ck_assert_int_eq(qfs_arena_create(&arena, 1 << 16), QFS_OK);
    const uint8_t *data;
    size_t len;
    uint64_t index;
    qfs_err err;
    while ((err = qfs_log_reader_next(r, &data, &len, &index, &d)) == QFS_OK) {
        qfs_event e;
        qfs_receipt rc;
        qfs_arena_reset(arena);
        ck_assert_int_eq(qfs_codec_decode(&e, data, len, arena, &d), QFS_OK);
        ck_assert_int_eq(qfs_state_apply(s, &e, &rc), QFS_OK);
        if (ev)
            ck_assert_int_eq(qfs_evidence_observe(ev, s, index, &e, &rc), QFS_OK);
    }
    ck_assert_int_eq(err, QFS_E_EOF);
    qfs_arena_free(arena);
    qfs_log_reader_free(r);
}

/* A simulated log (adversarial share on): observing changes no state hash,
 * the artifacts are canonical, and two collectors over states with different
 * table seeds render the same bytes; the last checkpoint entry and the final
 * entry agree with the states. */
START_TEST(test_evidence_observe__simulated_log_same_hash_and_bytes)
{
    char path[4096], cmd[8192];
    tu_path(path, sizeof path, "sim.qlog");
    snprintf(cmd, sizeof cmd, "%s'%s' simulate --seed 5 --events 30000 --auth none -o '%s' >/dev/null 2>&1",
             QFS_RUN_PREFIX, QFS_BINARY, path);
    ck_assert_int_eq(system(cmd), 0);
    qfs_state *plain = NULL, *s1 = NULL, *s2 = NULL;
    qfs_state_options o1 = {.table_seed = 1}, o2 = {.table_seed = 0xfeedfacecafeULL};
    qfs_evidence *e1 = NULL, *e2 = NULL;
    ck_assert_int_eq(qfs_state_create(&plain, NULL), QFS_OK);
    ck_assert_int_eq(qfs_state_create(&s1, &o1), QFS_OK);
    ck_assert_int_eq(qfs_state_create(&s2, &o2), QFS_OK);
    ck_assert_int_eq(qfs_evidence_create(&e1), QFS_OK);
    ck_assert_int_eq(qfs_evidence_create(&e2), QFS_OK);
    fold_file(path, plain, NULL);
    fold_file(path, s1, e1);
    fold_file(path, s2, e2);
    char h0[QFS_HASH128_HEX_LEN + 1], h1[QFS_HASH128_HEX_LEN + 1], h2[QFS_HASH128_HEX_LEN + 1];
    state_hex(plain, h0);
    state_hex(s1, h1);
    state_hex(s2, h2);
    ck_assert_str_eq(h0, h1);
    ck_assert_str_eq(h0, h2);
    ck_assert_int_eq(qfs_evidence_finish(e2, s2), QFS_OK);
    qfs_state_free(s2); /* e2 renders from what finish took */
    for (int a = 0; a < QFS_EVIDENCE_ARTIFACT_COUNT; a++) {
        char *x = NULL, *y = NULL;
        ck_assert_int_eq(qfs_evidence_render(e1, (qfs_evidence_artifact)a, &x, NULL), QFS_OK);
        ck_assert_int_eq(qfs_evidence_render(e2, (qfs_evidence_artifact)a, &y, NULL), QFS_OK);
        ck_assert_msg(strcmp(x, y) == 0, "%s differs between table seeds", qfs_evidence_artifact_name(a));
        assert_canonical(x);
        ck_assert_uint_gt(strlen(x), 100); /* the simulation reaches every artifact */
        free(x);
        free(y);
    }
    char *cp = NULL;
    ck_assert_int_eq(qfs_evidence_render(e1, QFS_EVIDENCE_CHECKPOINTS, &cp, NULL), QFS_OK);
    char want[128];
    snprintf(want, sizeof want, "\"events\":30000,");
    ck_assert_ptr_nonnull(strstr(cp, want));
    snprintf(want, sizeof want, "\"state_hash\":\"%s\"}}\n", h0);
    ck_assert_ptr_nonnull(strstr(cp, want));
    free(cp);
    qfs_evidence_free(e1);
    qfs_evidence_free(e2);
    qfs_state_free(plain);
    qfs_state_free(s1);
}
END_TEST

START_TEST(test_evidence_api__names_and_bad_arguments)
{
    ck_assert_str_eq(qfs_evidence_artifact_name(QFS_EVIDENCE_NOD_DISTRIBUTION), "nod_distribution.json");
    ck_assert_str_eq(qfs_evidence_artifact_name(QFS_EVIDENCE_REWARDS), "rewards.json");
    ck_assert_str_eq(qfs_evidence_artifact_name(QFS_EVIDENCE_CHECKPOINTS), "checkpoints.json");
    ck_assert_str_eq(qfs_evidence_artifact_name(QFS_EVIDENCE_GOVERNANCE), "governance.json");
    ck_assert_ptr_null(qfs_evidence_artifact_name(QFS_EVIDENCE_ARTIFACT_COUNT));
    ck_assert_ptr_null(qfs_evidence_artifact_name((qfs_evidence_artifact)-1));
    qfs_evidence_free(NULL);
    qfs_evidence *ev = NULL;
    ck_assert_int_eq(qfs_evidence_create(&ev), QFS_OK);
    char *t = NULL;
    ck_assert_int_eq(qfs_evidence_render(ev, QFS_EVIDENCE_ARTIFACT_COUNT, &t, NULL), QFS_E_INVALID_ARG);
    /* Nothing observed: empty lists and no final state. */
    ck_assert_int_eq(qfs_evidence_render(ev, QFS_EVIDENCE_CHECKPOINTS, &t, NULL), QFS_OK);
    ck_assert_str_eq(t, "{\"checkpoints\":[],\"final\":null}\n");
    free(t);
    ck_assert_int_eq(qfs_evidence_render(ev, QFS_EVIDENCE_NOD_DISTRIBUTION, &t, NULL), QFS_OK);
    ck_assert_str_eq(t, "{\"closes\":[]}\n");
    free(t);
    ck_assert_int_eq(qfs_evidence_render(ev, QFS_EVIDENCE_GOVERNANCE, &t, NULL), QFS_OK);
    ck_assert_str_eq(t, "{\"infra\":[],\"social\":[]}\n");
    free(t);
    /* Indexes must increase. */
    acc_spec a[] = {{"alice", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 1000}};
    qfs_state *s = mk_state_np(a);
    qfs_event e = ev_action(1, "alice", 10);
    qfs_receipt r = {0};
    ck_assert_uint_eq(apply(s, e), 0);
    ck_assert_int_eq(qfs_evidence_observe(ev, s, 1, &e, &r), QFS_OK);
    ck_assert_int_eq(qfs_evidence_observe(ev, s, 1, &e, &r), QFS_E_INVALID_ARG);
    ck_assert_int_eq(qfs_evidence_observe(ev, s, 0, &e, &r), QFS_E_INVALID_ARG);
    qfs_state_free(s);
    qfs_evidence_free(ev);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evidence");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_evidence_nod__seed_example);
    tcase_add_test(tc, test_evidence_nod__node_cut_by_the_thirty_percent_cap);
    tcase_add_test(tc, test_evidence_nod__minimum_active_nodes_and_inactive_reason);
    tcase_add_test(tc, test_evidence_nod__issuance_cap_cuts);
    tcase_add_test(tc, test_evidence_rewards__slashes);
    tcase_add_test(tc, test_evidence_rewards__t2_deficit_epoch);
    tcase_add_test(tc, test_evidence_rewards__t2_normal_and_no_recipients);
    tcase_add_test(tc, test_evidence_rewards__t5_per_memory_node);
    tcase_add_test(tc, test_evidence_checkpoints__every_close_and_final);
    tcase_add_test(tc, test_evidence_governance__social_proposals_ballots_and_application);
    tcase_add_test(tc, test_evidence_governance__infra_ballots_and_the_vote_cap);
    tcase_add_test(tc, test_evidence_rewards__equal_splits_when_sums_are_zero);
    tcase_add_test(tc, test_evidence_observe__simulated_log_same_hash_and_bytes);
    tcase_add_test(tc, test_evidence_api__names_and_bad_arguments);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
