/* Social and infrastructure governance, the firewall between them, and the
 * seeded random stream (supply invariant after every event, identical hashes
 * and JSON whatever the table seed). Expected numbers are worked out by hand
 * from docs/SPEC.md. Amounts are 128-bit base units, 10^18 per whole token;
 * TOK(n) is n whole tokens. Tallied proposals leave the state, so their
 * results are read through qfs_state_tally (tally_of below). */
#include "state/state_internal.h"
#include "state_helpers.h"

#include <stdio.h>
#include <xxhash.h>

/* The result of proposal `id` among the tallies of the last close; fails the
 * test when that close did not tally it. */
static qfs_tally tally_of(const qfs_state *s, int infra, uint64_t id)
{
    for (size_t i = 0; i < qfs_state_tally_count(s); i++) {
        qfs_tally t;
        qfs_state_tally(s, i, &t);
        if (t.infra == infra && t.proposal_id == id)
            return t;
    }
    ck_abort_msg("proposal %llu was not tallied by the last close", (unsigned long long)id);
    qfs_tally none;
    memset(&none, 0, sizeof none);
    return none;
}

/* Whole tokens; v1 holds a single base unit of T4. */
static const acc_spec SOCIAL[] = {
    {"u1", QFS_ACCOUNT_USER, 0, 0, 0, 0, 0, 0, 0},
    {"v1", QFS_ACCOUNT_VALIDATOR, TOK(400), 0, TOK(100), 1, 0, 0, 0},
    {"v2", QFS_ACCOUNT_VALIDATOR, TOK(100), 0, TOK(900), 0, 0, 0, 0},
    {"v3", QFS_ACCOUNT_VALIDATOR, TOK(100), 0, TOK(1000), 0, 0, 0, 0},
    {"v4", QFS_ACCOUNT_VALIDATOR, TOK(100), 0, 0, 0, 0, 0, 0},
};

START_TEST(test_state_apply__social_governance)
{
    param_spec p[] = {{"vote_eligibility_window", 2}};
    qfs_state *s = mk_state(SOCIAL, p);
    ck_assert(json_has(s, "governance", "\"last_proposal_id\":null,"));
    ck_assert_uint_eq(apply(s, ev_stake(1, "v1", TOK(400))), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "v2", TOK(100))), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "v3", TOK(100))), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "v4", TOK(100))), 0);
    /* Means of the last 2 reports: v1 (0.9 + 0.8) / 2 = 0.85 (eligible,
     * exactly the threshold), v2 0.9, v3 (0.9 + 0.79) / 2 = 0.845 (not), v4 0.9.
     * v1 and v3 report three times: the first report leaves the window. */
    ck_assert_uint_eq(apply(s, ev_report(1, "v1", FP18(100000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v1", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v1", FP18(800000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v2", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v2", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v3", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v3", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v3", FP18(790000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v4", FP18(900000000000000000))), 0);
    ck_assert(json_has(s, "coherence", "\"psi_reports\":[\"0.9\",\"0.8\"],\"report_count\":3"));

    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v1", 7, "t2_pool", TOK(20000))), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v2", 8, "slash_psi_threshold", FP18(600000000000000000))),
                      0);
    /* Invalid proposals. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v3", 10, "t2_pool", 1)), QFS_REJECT_NOT_ELIGIBLE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "u1", 10, "t2_pool", 1)), QFS_REJECT_NOT_VALIDATOR);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v1", 10, "replication_factor", 4)),
                      QFS_REJECT_WRONG_GOVERNANCE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v1", 10, "vote_eligibility_window", 3)),
                      QFS_REJECT_PARAM_NOT_GOVERNABLE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v1", 10, "nod_fraction", FP18(120000000000000000))),
                      QFS_REJECT_PARAM_NOT_GOVERNABLE);
    /* t2_pool is at most 10^12 T2 = 10^30 base units. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v1", 10, "t2_pool", TOK(1000000000000) + 1)),
                      QFS_REJECT_PARAM_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v2", 7, "t2_pool", 1)), QFS_REJECT_DUPLICATE_PROPOSAL);
    /* Ids are strictly increasing: 5 was never used, but it is below 8. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v2", 5, "t2_pool", 1)), QFS_REJECT_DUPLICATE_PROPOSAL);
    ck_assert(json_has(s, "governance", "\"last_proposal_id\":\"8\",\"params\""));

    /* Weights floor(isqrt(T3 x staked) x Psi_eff / 10^18), the product on
     * 256 bits: v1 T3 10^20 x staked 4 x 10^20 = 4 x 10^40 (above 2^128 =
     * 3.4 x 10^38), isqrt 2 x 10^20, x 0.8 = 1.6 x 10^20 (160 tokens);
     * v2 9 x 10^20 x 10^20 = 9 x 10^40, isqrt 3 x 10^20, x 0.9 = 2.7 x 10^20.
     * Toward the quorum each ballot adds the voter's T3: 10^20 and
     * 9 x 10^20. */
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 7, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v2", 7, QFS_VOTE_NO)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 8, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v2", 8, QFS_VOTE_YES)), 0);
    ck_assert(json_has(s, "governance",
                       "{\"choice\":\"yes\",\"quorum_weight\":\"100000000000000000000\",\"voter\":\"v1\","
                       "\"weight\":\"160000000000000000000\"}"));
    ck_assert(json_has(s, "governance",
                       "{\"choice\":\"no\",\"quorum_weight\":\"900000000000000000000\",\"voter\":\"v2\","
                       "\"weight\":\"270000000000000000000\"}"));
    /* Invalid votes. */
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v3", 7, QFS_VOTE_YES)), QFS_REJECT_NOT_ELIGIBLE);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v4", 7, QFS_VOTE_YES)), QFS_REJECT_NO_VOTING_POWER);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 7, QFS_VOTE_NO)), QFS_REJECT_DUPLICATE_VOTE);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 99, QFS_VOTE_NO)), QFS_REJECT_UNKNOWN_PROPOSAL);
    /* 5 lies below the highest accepted id 8 and was skipped: it can never
     * be created, so it counts as closed. */
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 5, QFS_VOTE_NO)), QFS_REJECT_PROPOSAL_CLOSED);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "u1", 7, QFS_VOTE_NO)), QFS_REJECT_NOT_VALIDATOR);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 7, QFS_VOTE_NONE)), QFS_REJECT_INVALID_EVENT);

    /* Close 0: C_core = (400 x 0.8 + 100 x 0.9 + 100 x 0.79 + 100 x 0.9) /
     * 700 = 579 / 700 = 0.827...; no memory contributions, so C-hat =
     * C_core (SPEC 5.3) < 0.85: critical conditions for epoch 1. */
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert(json_has(s, "coherence", "\"deficit\":true"));
    /* With a boost active in critical conditions lambda(t) = 3 - 1 = 2 epochs:
     * proposal 9 made in epoch 1 ends at epoch 1 + 2 - 1 = 2. v1 burns its 1
     * base unit of T4: it adds floor(1 x 0.05) = 0 to Psi, but the boost is
     * active (now 3 below its end 3 + 86400000), and that is what shortens
     * the window. */
    ck_assert_uint_eq(apply(s, ev_boost(3, "v1", 1)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(3, 0, "v1", 9, "t5_rate", FP18(200000000000000000))), 0);
    ck_assert(json_has(s, "governance", "\"created_epoch\":0,\"end_epoch\":2,\"id\":\"7\","));
    ck_assert(json_has(s, "governance", "\"created_epoch\":1,\"end_epoch\":2,\"id\":\"9\","));
    ck_assert_uint_eq(apply(s, ev_close(4, 1)), 0);
    ck_assert_uint_eq(qfs_state_tally_count(s), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_SLASH_PSI_THRESHOLD), FP18(700000000000000000));
    ck_assert_uint_eq(apply(s, ev_close(5, 2)), 0);
    /* T3 supply at creation 100 + 900 + 1000 + 0 = 2000 T3 = 2 x 10^21 (no
     * T3 moved before proposal 9 either); the quorum needs cast x 10^18 >=
     * 2 x 10^21 x 0.33 x 10^18, that is cast >= 6.6 x 10^20.
     * Proposal 7: cast 10^20 + 9 x 10^20 = 10^21, yes 1.6 x 10^20 < no
     * 2.7 x 10^20: rejected. Proposal 8: cast 10^21, yes 1.6 x 10^20 +
     * 2.7 x 10^20 = 4.3 x 10^20 > 0: passed, applied at the close of 2 + 2
     * = 4. Proposal 9: nobody voted, 0 < 6.6 x 10^20: no quorum. */
    ck_assert_uint_eq(qfs_state_tally_count(s), 3);
    qfs_tally t = tally_of(s, 0, 7);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_REJECTED);
    ck_assert_amt_eq(t.value, TOK(20000));
    ck_assert_amt_eq(t.supply_snapshot, amt("2000000000000000000000"));
    ck_assert_amt_eq(t.quorum_cast, amt("1000000000000000000000"));
    ck_assert_amt_eq(t.yes, amt("160000000000000000000"));
    ck_assert_amt_eq(t.no, amt("270000000000000000000"));
    ck_assert_amt_eq(t.abstain, 0);
    t = tally_of(s, 0, 8);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    ck_assert_amt_eq(t.supply_snapshot, amt("2000000000000000000000"));
    ck_assert_amt_eq(t.quorum_cast, amt("1000000000000000000000"));
    ck_assert_amt_eq(t.yes, amt("430000000000000000000"));
    ck_assert_amt_eq(t.no, 0);
    ck_assert_uint_eq(t.apply_epoch, 4);
    t = tally_of(s, 0, 9);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_NO_QUORUM);
    ck_assert_uint_eq(t.created_epoch, 1);
    ck_assert_uint_eq(t.end_epoch, 2);
    ck_assert_amt_eq(t.supply_snapshot, amt("2000000000000000000000"));
    ck_assert_amt_eq(t.quorum_cast, 0);
    /* Tallied proposals leave the state; the passed change waits. */
    ck_assert(json_has(s, "governance", "\"last_proposal_id\":\"9\",\"params\""));
    ck_assert(json_has(s, "governance", "\"proposals\":[],\"proposals_accepted\":3}"));
    ck_assert(json_has(s, "governance",
                       "\"pending\":[{\"apply_epoch\":4,\"param\":\"slash_psi_threshold\","
                       "\"proposal_id\":\"8\",\"value\":\"0.6\"}]"));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_SLASH_PSI_THRESHOLD), FP18(700000000000000000));
    ck_assert_uint_eq(apply(s, ev_vote(6, 0, "v1", 8, QFS_VOTE_NO)), QFS_REJECT_PROPOSAL_CLOSED);
    ck_assert_uint_eq(apply(s, ev_vote(6, 0, "v1", 99, QFS_VOTE_NO)), QFS_REJECT_UNKNOWN_PROPOSAL);
    ck_assert_uint_eq(apply(s, ev_close(7, 3)), 0);
    ck_assert_uint_eq(qfs_state_tally_count(s), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_SLASH_PSI_THRESHOLD), FP18(700000000000000000));
    /* Applied at the close of epoch 4: it governs from epoch 5 on. The
     * rejected t2_pool change left the default 10 000 T2 = 10^22. */
    ck_assert_uint_eq(apply(s, ev_close(8, 4)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_SLASH_PSI_THRESHOLD), FP18(600000000000000000));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(10000));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T5_RATE), FP18(100000000000000000));
    ck_assert(json_has(s, "governance", "\"pending\":[],"));
    qfs_state_free(s);
}
END_TEST

/* Whole NOD, except n4 and n5: one base unit moves from n4 to n5. */
static const acc_spec INFRA[] = {
    {"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(25), 0},
    {"n2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(25), 0},
    {"n3", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(16), 0},
    {"n4", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(16) - 1, 0},
    {"n5", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(18) + 1, 0},
    {"n6", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 0, 0},
    {"v1", QFS_ACCOUNT_VALIDATOR, 0, 0, 0, 0, 0, 0, 0},
};

START_TEST(test_state_apply__infra_governance_quorum_boundary)
{
    qfs_state *s = mk_state_np(INFRA);
    /* NOD supply 25 + 25 + 16 + (16 - 10^-18) + (18 + 10^-18) = 100 NOD =
     * 10^20; the quorum needs cast x 10^18 >= 10^20 x 0.66 x 10^18, that is
     * cast >= 66 x 10^18; the cap is floor(10^20 x 0.25) = 25 x 10^18, which
     * no node exceeds, so every weight is the voter's whole NOD. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 1, "replication_factor", 5)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 2, "ai_model_version", 2)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n2", 3, "network_max_peers", 100)), 0);
    /* Firewall and range. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 4, "t2_pool", TOK(5))), QFS_REJECT_WRONG_GOVERNANCE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 4, "fee_min_atr", 5)),
                      QFS_REJECT_PARAM_NOT_GOVERNABLE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 4, "replication_factor", 65)),
                      QFS_REJECT_PARAM_OUT_OF_RANGE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "v1", 4, "replication_factor", 4)),
                      QFS_REJECT_NOT_INFRA_NODE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 1, "replication_factor", 4)),
                      QFS_REJECT_DUPLICATE_PROPOSAL);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v1", 4, "replication_factor", 4)),
                      QFS_REJECT_WRONG_GOVERNANCE);
    /* P1: 25 + 25 + 16 = 66 NOD = exactly 66% of 100: quorum met, yes > no. */
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n2", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n3", 1, QFS_VOTE_YES)), 0);
    /* P2: yes 25, no 25, abstain 16: quorum 66 NOD met, yes == no: rejected. */
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 2, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n2", 2, QFS_VOTE_NO)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n3", 2, QFS_VOTE_ABSTAIN)), 0);
    /* P3: 25 + 25 + (16 NOD - 1 base unit) = 66 x 10^18 - 1 < 66 x 10^18:
     * one base unit short, no quorum. */
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 3, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n2", 3, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n4", 3, QFS_VOTE_YES)), 0);
    ck_assert(json_has(s, "infra_governance",
                       "{\"choice\":\"yes\",\"quorum_weight\":\"15999999999999999999\",\"voter\":\"n4\","
                       "\"weight\":\"15999999999999999999\"}"));
    /* Invalid votes. */
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n6", 1, QFS_VOTE_YES)), QFS_REJECT_NO_VOTING_POWER);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "v1", 1, QFS_VOTE_YES)), QFS_REJECT_NOT_INFRA_NODE);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 1, QFS_VOTE_NO)), QFS_REJECT_DUPLICATE_VOTE);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 42, QFS_VOTE_NO)), QFS_REJECT_UNKNOWN_PROPOSAL);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "n1", 1, QFS_VOTE_NO)), QFS_REJECT_NOT_VALIDATOR);
    /* infra_vote_epochs 3: tallied at the close of epoch 0 + 3 - 1 = 2,
     * applied two closes later (gov_apply_delay_epochs 2), at the close of 4. */
    ck_assert_uint_eq(apply(s, ev_close(2, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_close(3, 1)), 0);
    ck_assert_uint_eq(apply(s, ev_close(4, 2)), 0);
    qfs_tally t = tally_of(s, 1, 1);
    ck_assert_amt_eq(t.supply_snapshot, TOK(100));
    ck_assert_amt_eq(t.quorum_cast, TOK(66));
    ck_assert_amt_eq(t.yes, TOK(66));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    ck_assert_uint_eq(t.apply_epoch, 4);
    t = tally_of(s, 1, 2);
    ck_assert_amt_eq(t.quorum_cast, TOK(66));
    ck_assert_amt_eq(t.yes, TOK(25));
    ck_assert_amt_eq(t.no, TOK(25));
    ck_assert_amt_eq(t.abstain, TOK(16));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_REJECTED);
    t = tally_of(s, 1, 3);
    ck_assert_amt_eq(t.quorum_cast, amt("65999999999999999999"));
    ck_assert_amt_eq(t.yes, amt("65999999999999999999"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_NO_QUORUM);
    ck_assert(json_has(s, "infra_governance",
                       "\"pending\":[{\"apply_epoch\":4,\"param\":\"replication_factor\","
                       "\"proposal_id\":\"1\",\"value\":5}]"));
    ck_assert_uint_eq(apply(s, ev_vote(5, 1, "n5", 1, QFS_VOTE_NO)), QFS_REJECT_PROPOSAL_CLOSED);
    ck_assert_uint_eq(apply(s, ev_close(6, 3)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_REPLICATION_FACTOR), 3);
    ck_assert_uint_eq(apply(s, ev_close(7, 4)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_REPLICATION_FACTOR), 5);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_AI_MODEL_VERSION), 1);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_NETWORK_MAX_PEERS), 64);
    qfs_state_free(s);
}
END_TEST

/* Quorum measures participation (the NOD the voters hold, uncapped); the cap
 * limits each ballot's weight in the yes/no decision only (SPEC 4.14, in base
 * units as there). */
START_TEST(test_state_apply__infra_quorum_counts_holdings_cap_limits_weight)
{
    acc_spec a[] = {{"big", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 70, 0},
                    {"s1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0},
                    {"s2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0},
                    {"s3", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0}};
    qfs_state *s = mk_state_np(a);
    const char *small[] = {"s1", "s2", "s3"};
    /* Snapshot 100 base units; the quorum needs cast >= 100 x 0.66 = 66.
     * P1: unanimous. Quorum 70 + 10 + 10 + 10 = 100 >= 66; yes weighs
     * min(70, floor(100 x 0.25) = 25) + 10 + 10 + 10 = 55 > 0: passed. (With
     * capped participation it would have been 55 < 66 forever.) */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "s1", 1, "ai_model_version", 2)), 0);
    /* P2: big yes against the three small nodes: quorum 100 met; yes 25 <
     * no 30: rejected. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "big", 2, "network_max_peers", 100)), 0);
    /* P3: the three small nodes alone: 30 < 66: no quorum. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "s1", 3, "replication_factor", 4)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "big", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "big", 2, QFS_VOTE_YES)), 0);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(apply(s, ev_vote(1, 1, small[i], 1, QFS_VOTE_YES)), 0);
        ck_assert_uint_eq(apply(s, ev_vote(1, 1, small[i], 2, QFS_VOTE_NO)), 0);
        ck_assert_uint_eq(apply(s, ev_vote(1, 1, small[i], 3, QFS_VOTE_YES)), 0);
    }
    ck_assert(json_has(s, "infra_governance",
                       "{\"choice\":\"yes\",\"quorum_weight\":\"70\",\"voter\":\"big\",\"weight\":\"25\"}"));
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    qfs_tally t = tally_of(s, 1, 1);
    ck_assert_amt_eq(t.quorum_cast, 100);
    ck_assert_amt_eq(t.yes, 55);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    t = tally_of(s, 1, 2);
    ck_assert_amt_eq(t.quorum_cast, 100);
    ck_assert_amt_eq(t.yes, 25);
    ck_assert_amt_eq(t.no, 30);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_REJECTED);
    t = tally_of(s, 1, 3);
    ck_assert_amt_eq(t.quorum_cast, 30);
    ck_assert_amt_eq(t.yes, 30);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_NO_QUORUM);
    qfs_state_free(s);
}
END_TEST

/* The same rule in whole NOD: a node holding 60% of the NOD weighs only the
 * cap, 25% of the snapshot, in yes against no, but all of its 60% toward the
 * quorum. */
START_TEST(test_state_apply__infra_vote_weight_capped)
{
    acc_spec a[] = {{"big", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(60), 0},
                    {"small", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(40), 0}};
    qfs_state *s = mk_state_np(a);
    /* Snapshot 100 NOD = 10^20; the quorum needs cast >= 10^20 x 0.66 =
     * 66 x 10^18; the cap is floor(10^20 x 0.25) = 25 x 10^18. big weighs
     * min(60, 25) = 25 NOD, small min(40, 25) = 25 NOD.
     * P1: both yes: cast 100 NOD >= 66, yes 50 NOD > 0: passed.
     * P2: big yes, small no: cast 100 NOD, yes 25 = no 25: rejected.
     * P3: big alone: cast 60 NOD < 66: no quorum. */
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "small", 1, "ai_model_version", 2)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "big", 2, "network_max_peers", 100)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "big", 3, "replication_factor", 4)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "big", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "small", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "big", 2, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "small", 2, QFS_VOTE_NO)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "big", 3, QFS_VOTE_YES)), 0);
    ck_assert(json_has(s, "infra_governance",
                       "{\"choice\":\"yes\",\"quorum_weight\":\"60000000000000000000\",\"voter\":\"big\","
                       "\"weight\":\"25000000000000000000\"}"));
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    qfs_tally t = tally_of(s, 1, 1);
    ck_assert_amt_eq(t.supply_snapshot, amt("100000000000000000000"));
    ck_assert_amt_eq(t.quorum_cast, amt("100000000000000000000"));
    ck_assert_amt_eq(t.yes, amt("50000000000000000000"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    t = tally_of(s, 1, 2);
    ck_assert_amt_eq(t.quorum_cast, amt("100000000000000000000"));
    ck_assert_amt_eq(t.yes, amt("25000000000000000000"));
    ck_assert_amt_eq(t.no, amt("25000000000000000000"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_REJECTED);
    t = tally_of(s, 1, 3);
    ck_assert_amt_eq(t.quorum_cast, amt("60000000000000000000"));
    ck_assert_amt_eq(t.yes, amt("25000000000000000000"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_NO_QUORUM);
    qfs_state_free(s);
}
END_TEST

/* infra_quorum is genesis-only: every tally of a log uses the genesis value,
 * and no proposal can change it. */
START_TEST(test_state_apply__infra_tally_uses_the_genesis_quorum)
{
    /* Snapshot 25 + 25 + 1 + 49 = 100 NOD = 10^20; quorum 0.51 (the lowest
     * allowed): cast >= 10^20 x 0.51 = 51 x 10^18; cap 25 NOD.
     * P1 (replication_factor -> 5): n1 + n2 = 50 NOD < 51: no quorum.
     * P2 (network_max_peers -> 100): n1 + n2 + n3 = 51 NOD: met, yes
     * 25 + 25 + 1 = 51 NOD > 0: passed. */
    acc_spec a[] = {{"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(25), 0},
                    {"n2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(25), 0},
                    {"n3", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(1), 0},
                    {"n4", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(49), 0}};
    param_spec p[] = {{"infra_quorum", FP18(510000000000000000)}};
    qfs_state *s = mk_state(a, p);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n4", 1, "infra_quorum", FP18(500000000000000000))),
                      QFS_REJECT_PARAM_NOT_GOVERNABLE);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 1, "replication_factor", 5)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 2, "network_max_peers", 100)), 0);
    const char *nodes[] = {"n1", "n2", "n3"};
    for (int i = 0; i < 2; i++)
        ck_assert_uint_eq(apply(s, ev_vote(1, 1, nodes[i], 1, QFS_VOTE_YES)), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(apply(s, ev_vote(1, 1, nodes[i], 2, QFS_VOTE_YES)), 0);
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    qfs_tally t = tally_of(s, 1, 1);
    ck_assert_amt_eq(t.quorum_cast, amt("50000000000000000000"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_NO_QUORUM);
    t = tally_of(s, 1, 2);
    ck_assert_amt_eq(t.quorum_cast, amt("51000000000000000000"));
    ck_assert_amt_eq(t.yes, amt("51000000000000000000"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_INFRA_QUORUM), FP18(510000000000000000));
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__infra_quorum_exact_not_floored)
{
    /* infra_vote_cap 1 (at genesis), so each weight is the node's whole NOD
     * balance. Snapshot 33 + 33 + 34 + 1 = 101 base units; 101 x 0.66 =
     * 66.66: the quorum is met iff cast x 10^18 >= 101 x 0.66 x 10^18, that
     * is cast >= ceil(66.66) = 67. The seed's floor(101 x 0.66) = 66 would
     * let 66 pass.
     * P1 (replication_factor -> 5): a + b = 66: no_quorum.
     * P2 (network_max_peers -> 100): a + c = 67: passed, applied at the
     * close of 2 + 2 = 4. */
    acc_spec a[] = {{"a", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 33, 0},
                    {"b", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 33, 0},
                    {"c", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 34, 0},
                    {"d", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 1, 0}};
    param_spec p[] = {{"infra_vote_cap", ONE}};
    qfs_state *s = mk_state(a, p);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "a", 1, "replication_factor", 5)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "a", 2, "network_max_peers", 100)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "a", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "b", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "a", 2, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "c", 2, QFS_VOTE_YES)), 0);
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    qfs_tally t = tally_of(s, 1, 1);
    ck_assert_amt_eq(t.supply_snapshot, 101);
    ck_assert_amt_eq(t.quorum_cast, 66);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_NO_QUORUM);
    t = tally_of(s, 1, 2);
    ck_assert_amt_eq(t.quorum_cast, 67);
    ck_assert_amt_eq(t.yes, 67);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    ck_assert_uint_eq(t.apply_epoch, 4);
    ck_assert_uint_eq(apply(s, ev_close(5, 3)), 0);
    ck_assert_uint_eq(apply(s, ev_close(6, 4)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_REPLICATION_FACTOR), 3);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_NETWORK_MAX_PEERS), 100);
    qfs_state_free(s);
}
END_TEST

START_TEST(test_state_apply__social_weights_and_quorum_near_2_128)
{
    /* w1: T3 2^127 - 1, staked T1 2^127; w2: T3 2^127, staked 2^127 - 1.
     * Both supplies are 2^128 - 1, the largest possible. social_quorum 0.5
     * (set at genesis: it is genesis-only).
     * w1's weight: (2^127 - 1) x 2^127 = 2^254 - 2^127 lies between
     * (2^127 - 1)^2 = 2^254 - 2^128 + 1 and (2^127)^2, so the isqrt is
     * 2^127 - 1 = 170141183460469231731687303715884105727; x Psi 0.9:
     * floor(153127065114422308558518573344295695154.3) =
     * 153127065114422308558518573344295695154.
     * w2's weight: isqrt(2^127 x (2^127 - 1)) = 2^127 - 1 likewise, x Psi 1.
     * Quorum: snapshot 2^128 - 1; cast x 10^18 >= (2^128 - 1) x 0.5 x 10^18
     * means cast >= ceil(2^127 - 1/2) = 2^127 =
     * 170141183460469231731687303715884105728.
     * P1: w1 yes, w2 no: cast (2^127 - 1) + 2^127 = 2^128 - 1: met; yes (w1)
     * < no (w2): rejected.
     * P2: w1 alone: cast 2^127 - 1, one base unit short: no quorum.
     * P3: w2 alone: cast 2^127, exactly the quorum; yes 2^127 - 1 > 0:
     * passed. */
    qfs_amount h = (qfs_amount)1 << 127;
    acc_spec a[] = {{"w1", QFS_ACCOUNT_VALIDATOR, h, 0, h - 1, 0, 0, 0, 0},
                    {"w2", QFS_ACCOUNT_VALIDATOR, h - 1, 0, h, 0, 0, 0, 0}};
    param_spec p[] = {{"social_quorum", FP18(500000000000000000)}};
    qfs_state *s = mk_state(a, p);
    ck_assert_uint_eq(apply(s, ev_stake(1, "w1", h)), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "w2", h - 1)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "w1", FP18(900000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "w2", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "w1", 1, "t2_pool", TOK(20000))), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "w1", 2, "t5_rate", FP18(200000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "w1", 3, "t2_pool", TOK(30000))), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "w1", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "w2", 1, QFS_VOTE_NO)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "w1", 2, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "w2", 3, QFS_VOTE_YES)), 0);
    ck_assert(json_has(s, "governance",
                       "{\"choice\":\"yes\",\"quorum_weight\":\"170141183460469231731687303715884105727\","
                       "\"voter\":\"w1\",\"weight\":\"153127065114422308558518573344295695154\"}"));
    ck_assert(json_has(s, "governance",
                       "{\"choice\":\"no\",\"quorum_weight\":\"170141183460469231731687303715884105728\","
                       "\"voter\":\"w2\",\"weight\":\"170141183460469231731687303715884105727\"}"));
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    qfs_tally t = tally_of(s, 0, 1);
    ck_assert_amt_eq(t.supply_snapshot, QFS_AMOUNT_MAX);
    ck_assert_amt_eq(t.quorum_cast, QFS_AMOUNT_MAX);
    ck_assert_amt_eq(t.yes, amt("153127065114422308558518573344295695154"));
    ck_assert_amt_eq(t.no, amt("170141183460469231731687303715884105727"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_REJECTED);
    t = tally_of(s, 0, 2);
    ck_assert_amt_eq(t.supply_snapshot, QFS_AMOUNT_MAX);
    ck_assert_amt_eq(t.quorum_cast, amt("170141183460469231731687303715884105727"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_NO_QUORUM);
    t = tally_of(s, 0, 3);
    ck_assert_amt_eq(t.quorum_cast, amt("170141183460469231731687303715884105728"));
    ck_assert_amt_eq(t.yes, amt("170141183460469231731687303715884105727"));
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    ck_assert_uint_eq(t.apply_epoch, 4);
    ck_assert(json_has(s, "governance",
                       "\"pending\":[{\"apply_epoch\":4,\"param\":\"t2_pool\",\"proposal_id\":\"3\","
                       "\"value\":\"30000000000000000000000\"}]"));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(10000));
    ck_assert_uint_eq(apply(s, ev_close(5, 3)), 0);
    ck_assert_uint_eq(apply(s, ev_close(6, 4)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(30000));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T5_RATE), FP18(100000000000000000));
    qfs_state_free(s);
}
END_TEST

/* Tallies are bounded too: a ballot that would take a tally or quorum_cast
 * past 2^128 - 1 is rejected (amount_overflow, SPEC 4.12 and 4.14). No event
 * sequence gets there (a social weight is at most (T3 + staked) / 2 by
 * AM-GM, an infrastructure weight at most the voter's NOD, and one voter's
 * units count once), so the open proposals' tallies are set close to the
 * bound directly. */
START_TEST(test_state_apply__tally_past_2_128_minus_1_rejected)
{
    acc_spec a[] = {{"v1", QFS_ACCOUNT_VALIDATOR, 400, 0, 100, 0, 0, 0, 0},
                    {"v2", QFS_ACCOUNT_VALIDATOR, 100, 0, 100, 0, 0, 0, 0},
                    {"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 25, 0},
                    {"n2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 75, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "v1", 400)), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "v2", 100)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v1", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v2", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 0, "v1", 1, "t2_pool", TOK(20000))), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 1, "replication_factor", 5)), 0);
    /* Social weights: v1 isqrt(100 x 400) x 1 = 200, v2 isqrt(100 x 100) x 1
     * = 100; quorum weights (their T3) 100 each. yes = 2^128 - 151 leaves
     * room for 150: v1's 200 does not fit, v2's 100 does. */
    ck_assert_uint_eq(s->social.count, 1);
    proposal *sp = &s->social.props[0];
    sp->yes = QFS_AMOUNT_MAX - 150;
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 1, QFS_VOTE_YES)), QFS_REJECT_AMOUNT_OVERFLOW);
    ck_assert_amt_eq(sp->yes, QFS_AMOUNT_MAX - 150);
    ck_assert_amt_eq(sp->quorum_cast, 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v2", 1, QFS_VOTE_YES)), 0);
    ck_assert_amt_eq(sp->yes, QFS_AMOUNT_MAX - 50);
    ck_assert_amt_eq(sp->quorum_cast, 100);
    /* quorum_cast 2^128 - 100 leaves room for 99 < v1's 100; at 2^128 - 101
     * exactly 100 fits. */
    sp->quorum_cast = QFS_AMOUNT_MAX - 99;
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 1, QFS_VOTE_NO)), QFS_REJECT_AMOUNT_OVERFLOW);
    ck_assert_amt_eq(sp->no, 0);
    sp->quorum_cast = QFS_AMOUNT_MAX - 100;
    ck_assert_uint_eq(apply(s, ev_vote(1, 0, "v1", 1, QFS_VOTE_NO)), 0);
    ck_assert_amt_eq(sp->quorum_cast, QFS_AMOUNT_MAX);
    ck_assert_amt_eq(sp->no, 200);
    /* Infrastructure: snapshot 100, cap floor(100 x 0.25) = 25; n1 weighs
     * min(25, 25) = 25, n2 min(75, 25) = 25; quorum weights 25 and 75.
     * abstain = 2^128 - 25 leaves room for 24: rejected; at 2^128 - 26
     * exactly 25 fits. Then quorum_cast = 2^128 - 25 leaves room for 24 <
     * n1's 25; at 2^128 - 26 it fits. */
    ck_assert_uint_eq(s->infra.count, 1);
    proposal *ip = &s->infra.props[0];
    ip->abstain = QFS_AMOUNT_MAX - 24;
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n2", 1, QFS_VOTE_ABSTAIN)), QFS_REJECT_AMOUNT_OVERFLOW);
    ck_assert_amt_eq(ip->abstain, QFS_AMOUNT_MAX - 24);
    ip->abstain = QFS_AMOUNT_MAX - 25;
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n2", 1, QFS_VOTE_ABSTAIN)), 0);
    ck_assert_amt_eq(ip->abstain, QFS_AMOUNT_MAX);
    ck_assert_amt_eq(ip->quorum_cast, 75);
    ip->quorum_cast = QFS_AMOUNT_MAX - 24;
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 1, QFS_VOTE_YES)), QFS_REJECT_AMOUNT_OVERFLOW);
    ck_assert_amt_eq(ip->yes, 0);
    ip->quorum_cast = QFS_AMOUNT_MAX - 25;
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 1, QFS_VOTE_YES)), 0);
    ck_assert_amt_eq(ip->quorum_cast, QFS_AMOUNT_MAX);
    ck_assert_amt_eq(ip->yes, 25);
    ck_assert_uint_eq(qfs_state_rejected_count(s), 4);
    /* The tallies at the close of epoch 2 carry the values at the bound.
     * Social: snapshot 100 + 100 = 200 T3 base units, the quorum needs
     * ceil(200 x 0.33) = 66 <= 2^128 - 1; yes 2^128 - 51 > no 200: passed.
     * Infrastructure: snapshot 100, needs 66; yes 25 > no 0: passed. */
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    qfs_tally t = tally_of(s, 0, 1);
    ck_assert_amt_eq(t.supply_snapshot, 200);
    ck_assert_amt_eq(t.yes, QFS_AMOUNT_MAX - 50);
    ck_assert_amt_eq(t.no, 200);
    ck_assert_amt_eq(t.quorum_cast, QFS_AMOUNT_MAX);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    t = tally_of(s, 1, 1);
    ck_assert_amt_eq(t.supply_snapshot, 100);
    ck_assert_amt_eq(t.yes, 25);
    ck_assert_amt_eq(t.abstain, QFS_AMOUNT_MAX);
    ck_assert_amt_eq(t.quorum_cast, QFS_AMOUNT_MAX);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    qfs_state_free(s);
}
END_TEST

/* The constitution: no governance changes the rules that bound its own power
 * or income. Every such parameter is genesis-only, and a proposal on it is
 * refused on both sides. */
START_TEST(test_state_apply__constitution_parameters_not_governable)
{
    acc_spec a[] = {{"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0},
                    {"v1", QFS_ACCOUNT_VALIDATOR, 100, 0, 100, 0, 0, 0, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_report(1, "v1", ONE)), 0);
    static const struct {
        const char *name;
        qfs_amount value; /* within range, so only the domain refuses it */
    } CONSTITUTION[] = {
        {"infra_vote_cap", FP18(300000000000000000)},
        {"nod_node_cap", FP18(400000000000000000)},
        {"nod_min_active_nodes", 2},
        {"infra_quorum", FP18(600000000000000000)},
        {"nod_fraction", FP18(120000000000000000)},
        {"nod_issuance_cap", TOK(2000000)},
        {"infra_vote_epochs", 2},
        {"nod_correctness_floor", FP18(400000000000000000)},
        {"social_quorum", FP18(200000000000000000)},
        {"lambda_vote_epochs", 2},
        {"lambda_boost_shorten_epochs", 0},
        {"vote_eligibility_psi", FP18(500000000000000000)},
        {"gov_apply_delay_epochs", 0},
        {"fee_min_atr", TOK(1)},
        {"vote_eligibility_window", 3},
    };
    uint64_t id = 1;
    for (size_t i = 0; i < sizeof CONSTITUTION / sizeof CONSTITUTION[0]; i++) {
        ck_assert_uint_eq(apply(s, ev_proposal(2, 1, "n1", id, CONSTITUTION[i].name, CONSTITUTION[i].value)),
                          QFS_REJECT_PARAM_NOT_GOVERNABLE);
        ck_assert_uint_eq(apply(s, ev_proposal(2, 0, "v1", id, CONSTITUTION[i].name, CONSTITUTION[i].value)),
                          QFS_REJECT_PARAM_NOT_GOVERNABLE);
    }
    /* What each side may change still passes the firewall (valid cases). */
    ck_assert_uint_eq(apply(s, ev_proposal(2, 1, "n1", 1, "nod_weight_uptime", FP18(500000000000000000))), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(2, 0, "v1", 1, "t2_pool", TOK(5))), 0);
    ck_assert(json_has(s, "governance", "\"last_proposal_id\":\"1\",\"params\""));
    ck_assert(json_has(s, "infra_governance", "\"last_proposal_id\":\"1\",\"params\""));
    qfs_state_free(s);
}
END_TEST

/* infra_quorum is genesis-only within [0.51, 0.90] (the source's bounds). */
START_TEST(test_state_apply__genesis_infra_quorum_bounds)
{
    acc_spec a[] = {{"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0}};
    static const struct {
        uint64_t value;
        uint32_t code;
    } CASES[] = {
        {FP18(510000000000000000), 0},
        {FP18(900000000000000000), 0},
        {FP18(509999999999999999), QFS_REJECT_PARAM_OUT_OF_RANGE},
        {FP18(900000000000000001), QFS_REJECT_PARAM_OUT_OF_RANGE},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        qfs_state *s = NULL;
        ck_assert_int_eq(qfs_state_create(&s, NULL), QFS_OK);
        qfs_genesis_account acc[1];
        qfs_param_value par[1];
        param_spec p[] = {{"infra_quorum", CASES[i].value}};
        ck_assert_uint_eq(apply(s, ev_genesis(0, a, 1, p, 1, acc, par)), CASES[i].code);
        qfs_state_free(s);
    }
}
END_TEST

/* A passed change is applied gov_apply_delay_epochs closes after its tally;
 * with 0, at the tally's own close. Two passed changes of one parameter due
 * at one close resolve in proposal id order: the higher id wins. */
START_TEST(test_state_apply__passed_change_waits_for_the_delay)
{
    acc_spec a[] = {{"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0}};
    for (uint64_t delay = 0; delay <= 3; delay += 3) {
        param_spec p[] = {{"gov_apply_delay_epochs", delay}};
        qfs_state *s = mk_state(a, p);
        ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 4, "ai_model_version", 7)), 0);
        ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 9, "ai_model_version", 5)), 0);
        /* n1 alone: snapshot 10, weight min(10, floor(10 x 0.25)) = 2, cast
         * 10 >= ceil(10 x 0.66) = 7; yes 2 > no 0: both pass. */
        ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 4, QFS_VOTE_YES)), 0);
        ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 9, QFS_VOTE_YES)), 0);
        /* Both end at epoch 2: tallied at its close, applied at the close of
         * 2 + delay. Until then the value is the default 1. */
        for (uint64_t e = 0; e < 2 + delay; e++) {
            ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
            ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_AI_MODEL_VERSION), 1);
        }
        if (delay == 3)
            ck_assert(json_has(s, "infra_governance",
                               "\"pending\":[{\"apply_epoch\":5,\"param\":\"ai_model_version\","
                               "\"proposal_id\":\"4\",\"value\":7},{\"apply_epoch\":5,\"param\":"
                               "\"ai_model_version\",\"proposal_id\":\"9\",\"value\":5}]"));
        ck_assert_uint_eq(apply(s, ev_close(10, 2 + delay)), 0);
        ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_AI_MODEL_VERSION), 5);
        ck_assert(json_has(s, "infra_governance", "\"pending\":[],"));
        qfs_state_free(s);
    }
}
END_TEST

/* The closed-proposal digest, recomputed here from bytes written out by hand
 * from SPEC 10.2: digest = XXH3_128(previous digest || record), amounts as
 * 16 bytes little-endian, epochs and ids as 8. */
static void expect_closed_digest(const qfs_state *s, const uint8_t *bytes, size_t len, const char *tail)
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(bytes, len));
    qfs_hash128 want;
    memcpy(want.bytes, c.digest, 16);
    char hex[QFS_HASH128_HEX_LEN + 1], needle[160];
    qfs_hash128_hex(&want, hex);
    snprintf(needle, sizeof needle, "{\"closed_digest\":\"%s\",%s", hex, tail);
    ck_assert_msg(json_has(s, "infra_governance", needle), "want %s", needle);
}

START_TEST(test_state_apply__closed_digest_folds_the_tallied_record)
{
    acc_spec a[] = {{"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, 10, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 3, "replication_factor", 4)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 3, QFS_VOTE_NO)), 0);
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    /* Proposal 3 by n1, replication_factor 4, epochs 0..2, snapshot 10,
     * yes 0, no min(10, floor(10 x 0.25)) = 2, abstain 0, quorum cast 10
     * (uncapped) >= ceil(10 x 0.66) = 7, 0 > 2 fails: rejected (3). */
    /* clang-format off */
    static const uint8_t rec[] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* previous digest */
        3, 0, 0, 0, 0, 0, 0, 0,                         /* u64 id 3 */
        2, 'n', '1',                                    /* proposer */
        18, 'r', 'e', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '_', 'f', 'a', 'c', 't', 'o', 'r',
        4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount value 4 */
        0, 0, 0, 0, 0, 0, 0, 0,                         /* u64 created_epoch 0 */
        2, 0, 0, 0, 0, 0, 0, 0,                         /* u64 end_epoch 2 */
        10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount supply_snapshot 10 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount yes 0 */
        2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount no 2 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount abstain 0 */
        10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount quorum_cast 10 */
        3,                                              /* u8 status rejected */
    };
    /* clang-format on */
    ck_assert_uint_eq(sizeof rec, 16 + 8 + 3 + 19 + 16 + 8 + 8 + 5 * 16 + 1);
    expect_closed_digest(s, rec, sizeof rec, "\"last_proposal_id\":\"3\",");
    qfs_state_free(s);
}
END_TEST

/* Two records folded in one close, in ascending id, with amounts whose high
 * 8 bytes are not zero: the snapshot 2^64 + 3 puts a 1 in byte 8. */
START_TEST(test_state_apply__closed_digest_chains_records_above_2_64)
{
    acc_spec a[] = {{"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, AMT_2_64 + 3, 0}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 5, "network_max_peers", 100)), 0);
    ck_assert_uint_eq(apply(s, ev_proposal(1, 1, "n1", 6, "ai_model_version", 2)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 5, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(1, 1, "n1", 6, QFS_VOTE_ABSTAIN)), 0);
    for (uint64_t e = 0; e < 3; e++)
        ck_assert_uint_eq(apply(s, ev_close(2 + e, e)), 0);
    /* Snapshot 2^64 + 3 = 18446744073709551619; n1 weighs
     * min(2^64 + 3, floor((2^64 + 3) x 0.25) = 2^62) = 2^62
     * = 0x4000000000000000, and casts 2^64 + 3 >= ceil((2^64 + 3) x 0.66).
     * Proposal 5: yes 2^62 > no 0: passed (1). Proposal 6: abstain 2^62,
     * yes 0 > no 0 fails: rejected (3). Record 5 is folded first. */
    /* clang-format off */
    static const uint8_t rec5[] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* previous digest */
        5, 0, 0, 0, 0, 0, 0, 0,                         /* u64 id 5 */
        2, 'n', '1',                                    /* proposer */
        17, 'n', 'e', 't', 'w', 'o', 'r', 'k', '_', 'm', 'a', 'x', '_', 'p', 'e', 'e', 'r', 's',
        100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount value 100 */
        0, 0, 0, 0, 0, 0, 0, 0,                         /* u64 created_epoch 0 */
        2, 0, 0, 0, 0, 0, 0, 0,                         /* u64 end_epoch 2 */
        3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* amount supply_snapshot 2^64 + 3 */
        0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, /* amount yes 2^62 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount no 0 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount abstain 0 */
        3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* amount quorum_cast 2^64 + 3 */
        1,                                              /* u8 status passed */
    };
    /* The previous digest, filled in below, then record 6. */
    uint8_t rec6[] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* previous digest */
        6, 0, 0, 0, 0, 0, 0, 0,                         /* u64 id 6 */
        2, 'n', '1',                                    /* proposer */
        16, 'a', 'i', '_', 'm', 'o', 'd', 'e', 'l', '_', 'v', 'e', 'r', 's', 'i', 'o', 'n',
        2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount value 2 */
        0, 0, 0, 0, 0, 0, 0, 0,                         /* u64 created_epoch 0 */
        2, 0, 0, 0, 0, 0, 0, 0,                         /* u64 end_epoch 2 */
        3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* amount supply_snapshot 2^64 + 3 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount yes 0 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* amount no 0 */
        0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, /* amount abstain 2^62 */
        3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* amount quorum_cast 2^64 + 3 */
        3,                                              /* u8 status rejected */
    };
    /* clang-format on */
    ck_assert_uint_eq(sizeof rec5, 16 + 8 + 3 + 18 + 16 + 8 + 8 + 5 * 16 + 1);
    ck_assert_uint_eq(sizeof rec6, 16 + 8 + 3 + 17 + 16 + 8 + 8 + 5 * 16 + 1);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(rec5, sizeof rec5));
    memcpy(rec6, c.digest, 16);
    expect_closed_digest(s, rec6, sizeof rec6, "\"last_proposal_id\":\"6\",");
    ck_assert(json_has(s, "infra_governance",
                       "\"pending\":[{\"apply_epoch\":4,\"param\":\"network_max_peers\","
                       "\"proposal_id\":\"5\",\"value\":100}]"));
    qfs_state_free(s);
}
END_TEST

/* ---- seeded random stream ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t *x, uint64_t n)
{
    return n ? splitmix64(x) % n : 0;
}

/* A random amount below `tokens_max` whole tokens, with all 18 decimals
 * used; one draw in 16 is a tiny amount of 0, 1 or 2 base units instead. */
static qfs_amount rnd_amount(uint64_t *x, uint64_t tokens_max)
{
    if (rnd(x, 16) == 0)
        return rnd(x, 3);
    qfs_amount whole = rnd(x, tokens_max);
    return whole * QFS_TOKEN + rnd(x, QFS_FP18_ONE);
}

#define RANDOM_EVENTS 6000
#define N_ACC 18

static void acct_name(char *buf, size_t cap, uint64_t i)
{
    static const char *prefix[3] = {"user", "val", "node"};
    if (i >= N_ACC)
        snprintf(buf, cap, "ghost-%u", (unsigned)(i - N_ACC));
    else
        snprintf(buf, cap, "%s-%02u", prefix[i % 3], (unsigned)i);
}

/* Proposed values are lo + rnd(hi - lo + 1), times `scale` (1 or one whole
 * token); some fall outside the parameter's range on purpose, and the
 * genesis-only ones are always refused (param_not_governable). */
static const struct {
    const char *name;
    uint64_t lo, hi;
    qfs_amount scale;
} RANDOM_PARAMS[] = {
    {"t2_pool", 0, 20000, QFS_TOKEN},
    {"slash_psi_threshold", 500000000000000000ULL, 900000000000000000ULL, 1},
    {"replication_factor", 1, 70, 1},
    {"nod_fraction", 0, 200000000000000000ULL, 1},
    {"fee_min_atr", 0, 3, QFS_TOKEN},
    {"lambda_vote_epochs", 1, 4, 1},
    {"infra_quorum", 400000000000000000ULL, ONE, 1},
    {"nod_node_cap", 100000000000000000ULL, 600000000000000000ULL, 1},
    {"nod_issuance_cap", 0, 50, QFS_TOKEN},
    {"ai_model_version", 0, 3, 1},
    {"nod_weight_uptime", 0, ONE, 1},
};

/* Builds random event i of the stream seeded by `seed`; `epoch` is the
 * state's current epoch (so that most epoch closes are valid). */
static qfs_event random_event(uint64_t *x, uint64_t *ts, uint64_t epoch, uint64_t *registered, uint64_t *pid)
{
    char a[32], b[32];
    acct_name(a, sizeof a, rnd(x, N_ACC + 1));
    acct_name(b, sizeof b, rnd(x, N_ACC + 1));
    if (rnd(x, 50) == 0 && *ts > 10)
        *ts -= 5; /* an occasional regression */
    else
        *ts += rnd(x, 3600000);
    uint64_t k = rnd(x, 100);
    if (k < 20)
        return ev_transfer(*ts, a, b, (qfs_asset)(1 + rnd(x, 7)), rnd_amount(x, 3000), rnd_amount(x, 30));
    if (k < 27)
        return ev_stake(*ts, a, rnd_amount(x, 30000));
    if (k < 31)
        return ev_unstake(*ts, a, rnd_amount(x, 10000));
    if (k < 41)
        return ev_report(*ts, a, rnd(x, ONE + ONE / 10));
    if (k < 45)
        return ev_boost(*ts, a, rnd_amount(x, 6));
    if (k < 52) {
        char node[16];
        snprintf(node, sizeof node, "mem-%u", (unsigned)rnd(x, 5));
        return ev_memory(*ts, a, node, rnd(x, 3 * ONE),
                         800000000000000000ULL + rnd(x, 250000000000000000ULL));
    }
    if (k < 60)
        return ev_action(*ts, a, rnd_amount(x, 500));
    if (k < 70)
        return ev_telemetry(*ts, a, rnd(x, ONE + 1), rnd(x, ONE + 1), rnd(x, ONE + ONE / 20));
    if (k < 74 || (k >= 80 && k < 84)) {
        size_t n = sizeof RANDOM_PARAMS / sizeof RANDOM_PARAMS[0];
        size_t pi = rnd(x, n);
        uint64_t lo = RANDOM_PARAMS[pi].lo, hi = RANDOM_PARAMS[pi].hi;
        /* Ids mostly increase (strictly increasing ids are accepted), now
         * and then repeat or go back (duplicate_proposal). */
        uint64_t step = rnd(x, 4);
        *pid = step == 0 && *pid > 2 ? *pid - 2 : *pid + step;
        qfs_amount value = (qfs_amount)(lo + rnd(x, hi - lo + 1)) * RANDOM_PARAMS[pi].scale;
        return ev_proposal(*ts, k >= 80, a, *pid, RANDOM_PARAMS[pi].name, value);
    }
    if (k < 90)
        return ev_vote(*ts, k >= 84, a, *pid + 2 - rnd(x, 12), (qfs_vote_choice)(1 + rnd(x, 3)));
    if (k < 93) {
        char id[32];
        snprintf(id, sizeof id, "late-%u", (unsigned)(*registered)++);
        return ev_register(*ts, rnd(x, 4) ? id : a, (qfs_account_kind)(1 + rnd(x, 3)));
    }
    return ev_close(*ts, rnd(x, 10) ? epoch : epoch + 1);
}

static qfs_state *random_genesis(uint64_t table_seed)
{
    acc_spec acc[N_ACC];
    char names[N_ACC][32];
    for (uint64_t i = 0; i < N_ACC; i++) {
        acct_name(names[i], sizeof names[i], i);
        memset(&acc[i], 0, sizeof acc[i]);
        acc[i].id = names[i];
        acc[i].kind = (qfs_account_kind)(1 + i % 3);
        acc[i].t1 = TOK(100000);
        acc[i].t3 = TOK(10000 * (i + 1));
        acc[i].t4 = TOK(50);
        acc[i].atr = TOK(1000000);
        acc[i].nod = i % 3 == 2 ? TOK(100 + i) : 0;
    }
    param_spec p[] = {{"vote_eligibility_window", 3}, {"nod_min_active_nodes", 2}};
    return mk_state_seeded(acc, N_ACC, p, 2, table_seed);
}

START_TEST(test_state_apply__random_stream_invariants_and_seed_independence)
{
    static const uint64_t table_seeds[3] = {0, 0x243f6a8885a308d3ULL, 0xdeadbeefcafef00dULL};
    uint32_t *codes = calloc(RANDOM_EVENTS, sizeof *codes);
    qfs_hash128 root0;
    char *json0 = NULL;
    for (int run = 0; run < 3; run++) {
        qfs_state *s = random_genesis(table_seeds[run]);
        uint64_t x = 20240611; /* the stream's seed: same events every run */
        uint64_t ts = 0, registered = 0, pid = 0;
        uint64_t accepted = 0;
        for (uint32_t i = 0; i < RANDOM_EVENTS; i++) {
            qfs_event ev = random_event(&x, &ts, qfs_state_epoch(s), &registered, &pid);
            uint32_t code = apply(s, ev); /* checks every invariant after the event */
            accepted += code == 0;
            if (run == 0)
                codes[i] = code;
            else
                ck_assert_msg(codes[i] == code, "event %u: %u vs %u", i, codes[i], code);
        }
        ck_assert_msg(accepted > RANDOM_EVENTS / 4 && accepted < RANDOM_EVENTS, "accepted %llu",
                      (unsigned long long)accepted);
        ck_assert_uint_gt(qfs_state_epoch(s), 20);
        qfs_hash128 root;
        qfs_state_hash(s, &root);
        char *json = json_of(s, NULL);
        if (run == 0) {
            root0 = root;
            json0 = json;
        } else {
            ck_assert(qfs_hash128_eq(&root0, &root));
            ck_assert_str_eq(json0, json);
            free(json);
        }
        qfs_state_free(s);
    }
    free(json0);
    free(codes);
}
END_TEST

/* A ballot holds the voter's T3 and stake until its proposal is tallied, so
 * the same units cannot weigh in a second voter's ballot. */
START_TEST(test_state_apply__ballot_locks_t3_and_stake_until_tally)
{
    acc_spec a[] = {{"v1", QFS_ACCOUNT_VALIDATOR, 200, 0, 100, 0, 0, 0, 10},
                    {"v2", QFS_ACCOUNT_VALIDATOR, 100, 0, 0, 0, 0, 0, 10}};
    qfs_state *s = mk_state_np(a);
    ck_assert_uint_eq(apply(s, ev_stake(1, "v1", 100)), 0);
    ck_assert_uint_eq(apply(s, ev_stake(1, "v2", 100)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v1", ONE)), 0);
    ck_assert_uint_eq(apply(s, ev_report(1, "v2", ONE)), 0);
    /* Proposal 1 in epoch 0 ends at 0 + 3 - 1 = 2. v1 votes with weight
     * isqrt(100 x 100) x 1 = 100: its T3 and stake are held through epoch 2. */
    ck_assert_uint_eq(apply(s, ev_proposal(2, 0, "v1", 1, "t2_pool", TOK(20000))), 0);
    ck_assert_uint_eq(apply(s, ev_vote(2, 0, "v1", 1, QFS_VOTE_YES)), 0);
    ck_assert(json_has(s, "staking", "{\"ballot_lock_through\":2,\"id\":\"v1\""));
    ck_assert(json_has(s, "staking", "{\"ballot_lock_through\":null,\"id\":\"v2\""));
    ck_assert_uint_eq(apply(s, ev_transfer(3, "v1", "v2", QFS_ASSET_T3, 50, 1)), QFS_REJECT_BALLOT_LOCKED);
    ck_assert_uint_eq(apply(s, ev_unstake(3, "v1", 10)), QFS_REJECT_BALLOT_LOCKED);
    /* Other assets move freely; v2 holds no T3 and so has no weight. */
    ck_assert_uint_eq(apply(s, ev_transfer(3, "v1", "v2", QFS_ASSET_T1, 50, 1)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(3, 0, "v2", 1, QFS_VOTE_NO)), QFS_REJECT_NO_VOTING_POWER);
    ck_assert_uint_eq(apply(s, ev_close(4, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_close(5, 1)), 0);
    ck_assert_uint_eq(apply(s, ev_transfer(6, "v1", "v2", QFS_ASSET_T3, 50, 1)), QFS_REJECT_BALLOT_LOCKED);
    /* Close 2 tallies proposal 1; from epoch 3 on the T3 and stake are free. */
    ck_assert_uint_eq(apply(s, ev_close(7, 2)), 0);
    /* Quorum: snapshot 100 T3 base units, cast 100 >= ceil(100 x 0.33) = 33;
     * yes 100 > no 0: passed, t2_pool 20 000 T2 from the close of 2 + 2 = 4. */
    qfs_tally t = tally_of(s, 0, 1);
    ck_assert_amt_eq(t.supply_snapshot, 100);
    ck_assert_amt_eq(t.quorum_cast, 100);
    ck_assert_amt_eq(t.yes, 100);
    ck_assert_uint_eq(t.status, QFS_PROPOSAL_PASSED);
    ck_assert_uint_eq(t.apply_epoch, 4);
    ck_assert_uint_eq(apply(s, ev_transfer(8, "v1", "v2", QFS_ASSET_T3, 50, 1)), 0);
    ck_assert_uint_eq(apply(s, ev_unstake(8, "v1", 10)), 0);
    ck_assert_amt_eq(bal(s, "v2", QFS_ASSET_T3), 50);
    ck_assert_amt_eq(bal(s, "v1", QFS_ASSET_T3), 50);
    /* The lock is kept as it was set (through epoch 2); in epoch 3 it no
     * longer holds. The passed change waits for the close of 4. */
    ck_assert(json_has(s, "staking", "{\"ballot_lock_through\":2,\"id\":\"v1\""));
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(10000));
    ck_assert_uint_eq(apply(s, ev_close(9, 3)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(10000));
    ck_assert_uint_eq(apply(s, ev_close(10, 4)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(20000));
    qfs_state_free(s);
}
END_TEST

/* Ballots of tallied proposals leave the duplicate-vote index when their
 * proposal is tallied (the index is rebuilt from the open ballots). After
 * that a second ballot on a still-open proposal must still be a duplicate,
 * and a ballot on the tallied one is refused as closed. */
#define MANY_VOTERS 1100
START_TEST(test_state_apply__duplicate_votes_caught_after_index_compaction)
{
    static char names[MANY_VOTERS][8];
    static acc_spec a[MANY_VOTERS];
    for (int i = 0; i < MANY_VOTERS; i++) {
        snprintf(names[i], sizeof names[i], "v%04d", i);
        a[i] = (acc_spec){names[i], QFS_ACCOUNT_VALIDATOR, 10, 0, 10, 0, 0, 0, 0};
    }
    param_spec now[] = {{"gov_apply_delay_epochs", 0}};
    qfs_state *s = mk_state_seeded(a, MANY_VOTERS, now, 1, 7);
    for (int i = 0; i < MANY_VOTERS; i++) {
        ck_assert_uint_eq(apply(s, ev_stake(1, names[i], 10)), 0);
        ck_assert_uint_eq(apply(s, ev_report(1, names[i], ONE)), 0);
    }
    /* Proposal 1 in epoch 0 ends at epoch 0 + 3 - 1 = 2; every validator
     * votes yes with weight isqrt(10 x 10) x 1 = 10. */
    ck_assert_uint_eq(apply(s, ev_proposal(2, 0, "v0000", 1, "t2_pool", TOK(20000))), 0);
    for (int i = 0; i < MANY_VOTERS; i++)
        ck_assert_uint_eq(apply(s, ev_vote(2, 0, names[i], 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_close(3, 0)), 0);
    ck_assert_uint_eq(apply(s, ev_close(4, 1)), 0);
    /* Proposal 2 in epoch 2 ends at 4. */
    ck_assert_uint_eq(apply(s, ev_proposal(5, 0, "v0000", 2, "t2_pool", TOK(30000))), 0);
    ck_assert_uint_eq(apply(s, ev_vote(5, 0, "v0000", 2, QFS_VOTE_YES)), 0);
    /* Close 2 tallies proposal 1: quorum cast 1100 x 10 = 11000 of the
     * 11000 T3 snapshot, yes 11000 > no 0: passed, t2_pool 20 000 T2 at once
     * (delay 0). The index is rebuilt from the one open ballot. */
    ck_assert_uint_eq(apply(s, ev_close(6, 2)), 0);
    ck_assert_amt_eq(qfs_state_param(s, QFS_PARAM_T2_POOL), TOK(20000));
    ck_assert_uint_eq(apply(s, ev_vote(7, 0, "v0000", 2, QFS_VOTE_NO)), QFS_REJECT_DUPLICATE_VOTE);
    ck_assert_uint_eq(apply(s, ev_vote(7, 0, "v0001", 2, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(apply(s, ev_vote(7, 0, "v0001", 2, QFS_VOTE_YES)), QFS_REJECT_DUPLICATE_VOTE);
    ck_assert_uint_eq(apply(s, ev_vote(7, 0, "v0002", 1, QFS_VOTE_YES)), QFS_REJECT_PROPOSAL_CLOSED);
    ck_assert(json_has(
        s, "governance",
        "\"abstain\":\"0\",\"ballots\":[{\"choice\":\"yes\",\"quorum_weight\":\"10\","
        "\"voter\":\"v0000\",\"weight\":\"10\"},{\"choice\":\"yes\",\"quorum_weight\":\"10\","
        "\"voter\":\"v0001\",\"weight\":\"10\"}],\"created_epoch\":2,\"end_epoch\":4,\"id\":\"2\","));
    qfs_state_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state_gov");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_state_apply__social_governance);
    tcase_add_test(tc, test_state_apply__infra_governance_quorum_boundary);
    tcase_add_test(tc, test_state_apply__infra_quorum_counts_holdings_cap_limits_weight);
    tcase_add_test(tc, test_state_apply__infra_vote_weight_capped);
    tcase_add_test(tc, test_state_apply__infra_tally_uses_the_genesis_quorum);
    tcase_add_test(tc, test_state_apply__infra_quorum_exact_not_floored);
    tcase_add_test(tc, test_state_apply__social_weights_and_quorum_near_2_128);
    tcase_add_test(tc, test_state_apply__tally_past_2_128_minus_1_rejected);
    tcase_add_test(tc, test_state_apply__constitution_parameters_not_governable);
    tcase_add_test(tc, test_state_apply__genesis_infra_quorum_bounds);
    tcase_add_test(tc, test_state_apply__passed_change_waits_for_the_delay);
    tcase_add_test(tc, test_state_apply__closed_digest_folds_the_tallied_record);
    tcase_add_test(tc, test_state_apply__closed_digest_chains_records_above_2_64);
    tcase_add_test(tc, test_state_apply__duplicate_votes_caught_after_index_compaction);
    tcase_add_test(tc, test_state_apply__ballot_locks_t3_and_stake_until_tally);
    tcase_add_test(tc, test_state_apply__random_stream_invariants_and_seed_independence);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
