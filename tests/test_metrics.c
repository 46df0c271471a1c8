/* The exposition renderer of replay/metrics.c used as a server uses it: a
 * loop that applies events itself, counts receipts and tallies, and renders
 * after any event. Values worked out by hand in the comments. */
#include "metrics.h"
#include "state_helpers.h"

#include <stdio.h>

typedef struct loop {
    qfs_state *s;
    uint64_t events;
    uint64_t by_code[QFS_REJECT_CODE_MAX + 1];
    metrics_tallies tallies;
} loop;

static uint32_t step(loop *l, qfs_event ev)
{
    uint32_t code = apply(l->s, ev);
    l->events++;
    l->by_code[code]++;
    metrics_tallies_observe(&l->tallies, l->s);
    return code;
}

static char *render(const loop *l, int with_counts)
{
    metrics_input in = {.state = l->s,
                        .events = l->events,
                        .by_code = with_counts ? l->by_code : NULL,
                        .head_index = l->events ? l->events - 1 : 0,
                        .tallies = with_counts ? &l->tallies : NULL};
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(metrics_render(&in, &text, &len), QFS_OK);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

/* The line `series value` is in the text. */
static void has_line(const char *text, const char *line)
{
    char buf[512];
    snprintf(buf, sizeof buf, "\n%s\n", line);
    ck_assert_msg(strstr(text, buf) != NULL, "missing line: %s", line);
}

static const acc_spec ACC[] = {
    {"n1", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(30), 0},
    {"n2", QFS_ACCOUNT_INFRA_NODE, 0, 0, 0, 0, 0, TOK(10), 0},
    {"v1", QFS_ACCOUNT_VALIDATOR, TOK(100), 0, 0, 0, 0, 0, TOK(5)},
};

static void setup(loop *l, uint64_t seed)
{
    memset(l, 0, sizeof *l);
    qfs_state_options opt = {.table_seed = seed};
    ck_assert_int_eq(qfs_state_create(&l->s, &opt), QFS_OK);
    qfs_genesis_account acc[3];
    ck_assert_uint_eq(step(l, ev_genesis(1000, ACC, 3, NULL, 0, acc, NULL)), 0);
}

/* Events 1..: n1 proposes replication_factor 4 and both nodes vote yes (all
 * 40 NOD: quorum and majority); a NOD transfer is refused; then epochs close
 * until the proposal is tallied (infra_vote_epochs, default 3). */
static void run(loop *l)
{
    ck_assert_uint_eq(step(l, ev_proposal(1001, 1, "n1", 1, "replication_factor", 4)), 0);
    ck_assert_uint_eq(step(l, ev_vote(1002, 1, "n1", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(step(l, ev_vote(1003, 1, "n2", 1, QFS_VOTE_YES)), 0);
    ck_assert_uint_eq(step(l, ev_transfer(1004, "n1", "v1", QFS_ASSET_NOD, TOK(1), TOK(0))),
                      QFS_REJECT_NOD_NOT_TRANSFERABLE);
    for (uint64_t e = 0; e < 4; e++)
        ck_assert_uint_eq(step(l, ev_close(2000 + e, e)), 0);
}

START_TEST(test_metrics_render__from_a_loop)
{
    loop l;
    setup(&l, 0);
    char *before = render(&l, 1);
    /* After the genesis alone: the proposal is not there yet. */
    has_line(before, "qfs_proposals_open{governance=\"infra\"} 0");
    has_line(before, "qfs_node_nod_balance_tokens{node=\"n1\"} 30");
    has_line(before, "qfs_events_replayed_total 1");
    has_line(before, "qfs_chain_head_event_index 0");
    free(before);
    run(&l);
    char *text = render(&l, 1);
    /* 1 genesis + 3 accepted + 1 refused + 4 closes = 9 events. */
    has_line(text, "qfs_events_replayed_total 9");
    has_line(text, "qfs_events_rejected_total 1");
    has_line(text, "qfs_chain_head_event_index 8");
    has_line(text, "qfs_rejections_total{code=\"nod_not_transferable\"} 1");
    has_line(text, "qfs_rejections_total{code=\"self_transfer\"} 0");
    has_line(text, "qfs_epoch 4");
    has_line(text, "qfs_proposals_accepted_total{governance=\"infra\"} 1");
    has_line(text, "qfs_proposals_open{governance=\"infra\"} 0");
    has_line(text, "qfs_proposals_tallied_total{governance=\"infra\",status=\"passed\"} 1");
    has_line(text, "qfs_proposals_tallied_total{governance=\"infra\",status=\"rejected\"} 0");
    has_line(text, "qfs_proposals_tallied_total{governance=\"social\",status=\"passed\"} 0");
    has_line(text, "qfs_issued_tokens_total{asset=\"NOD\"} 40");
    has_line(text, "qfs_validator_staked_tokens{validator=\"v1\"} 0");
    /* Without counts, their families are left out. */
    char *bare = render(&l, 0);
    ck_assert_ptr_null(strstr(bare, "qfs_rejections_total"));
    ck_assert_ptr_null(strstr(bare, "qfs_proposals_tallied_total"));
    has_line(bare, "qfs_events_replayed_total 9");
    free(bare);
    /* Deterministic: again, and with other hash-table seeds. */
    char *again = render(&l, 1);
    ck_assert_str_eq(text, again);
    free(again);
    loop o;
    setup(&o, 0x9e3779b97f4a7c15ULL);
    run(&o);
    char *other = render(&o, 1);
    ck_assert_str_eq(text, other);
    free(other);
    qfs_state_free(o.s);
    free(text);
    qfs_state_free(l.s);
}
END_TEST

START_TEST(test_metrics_render__before_a_genesis)
{
    /* An empty state renders (a log whose every event was refused). */
    loop l;
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(qfs_state_create(&l.s, NULL), QFS_OK);
    char *text = render(&l, 1);
    has_line(text, "qfs_events_replayed_total 0");
    has_line(text, "qfs_accounts{kind=\"user\"} 0");
    ck_assert_ptr_nonnull(strstr(text, "# TYPE qc_token_T1_staked_total untyped\n"));
    free(text);
    qfs_state_free(l.s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_metrics_render__from_a_loop);
    tcase_add_test(tc, test_metrics_render__before_a_genesis);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
