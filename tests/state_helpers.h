/* Small constructors for state tests: events are built directly as C
 * structs, no codec involved. Header-only so that each test file is one
 * executable. */
#ifndef QFS_STATE_HELPERS_H
#define QFS_STATE_HELPERS_H

#include "qfs/fixed.h"
#include "qfs/params.h"
#include "qfs/state.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define FP18(x) ((uint64_t)(x))
#define ONE QFS_FP18_ONE
/* n whole tokens of any asset, in base units (10^18 per token). */
#define TOK(n) ((qfs_amount)(n)*QFS_TOKEN)
/* 2^64: the first amount that format 1 could not hold. */
#define AMT_2_64 ((qfs_amount)1 << 64)

/* Asserts that two 128-bit amounts are equal; on failure prints both in
 * decimal (ck_assert_uint_eq holds only 64 bits). Each side is evaluated
 * once. */
#define ck_assert_amt_eq(X, Y)                                                                               \
    do {                                                                                                     \
        qfs_amount amt_x_ = (X);                                                                             \
        qfs_amount amt_y_ = (Y);                                                                             \
        if (amt_x_ != amt_y_) {                                                                              \
            char amt_bx_[QFS_AMOUNT_STR_MAX + 1], amt_by_[QFS_AMOUNT_STR_MAX + 1];                           \
            qfs_amount_format(amt_bx_, amt_x_);                                                              \
            qfs_amount_format(amt_by_, amt_y_);                                                              \
            ck_abort_msg("Assertion '%s == %s' failed: %s == %s, %s == %s", #X, #Y, #X, amt_bx_, #Y,         \
                         amt_by_);                                                                           \
        }                                                                                                    \
    } while (0)

static inline qfs_id ID(const char *s)
{
    qfs_id id;
    ck_assert_int_eq(qfs_id_set(&id, s, strlen(s)), QFS_OK);
    return id;
}

typedef struct acc_spec {
    const char *id;
    qfs_account_kind kind;
    qfs_amount t1, t2, t3, t4, t5, nod, atr;
} acc_spec;

typedef struct param_spec {
    const char *name;
    qfs_amount value; /* in the parameter's unit (fp18 ratios, base units, counts) */
} param_spec;

static inline qfs_event ev_genesis(uint64_t ts, const acc_spec *a, size_t n, const param_spec *p, size_t np,
                                   qfs_genesis_account *acc_buf, qfs_param_value *par_buf)
{
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.timestamp_ms = ts;
    ev.kind = QFS_EVENT_GENESIS;
    ev.u.genesis.auth = QFS_AUTH_NONE;
    ev.u.genesis.chain_id = ID("harmonic-test");
    for (size_t i = 0; i < n; i++) {
        memset(&acc_buf[i], 0, sizeof acc_buf[i]);
        acc_buf[i].id = ID(a[i].id);
        acc_buf[i].kind = a[i].kind;
        acc_buf[i].balances[QFS_ASSET_T1] = a[i].t1;
        acc_buf[i].balances[QFS_ASSET_T2] = a[i].t2;
        acc_buf[i].balances[QFS_ASSET_T3] = a[i].t3;
        acc_buf[i].balances[QFS_ASSET_T4] = a[i].t4;
        acc_buf[i].balances[QFS_ASSET_T5] = a[i].t5;
        acc_buf[i].balances[QFS_ASSET_NOD] = a[i].nod;
        acc_buf[i].balances[QFS_ASSET_ATR] = a[i].atr;
    }
    for (size_t i = 0; i < np; i++) {
        par_buf[i].name = ID(p[i].name);
        par_buf[i].value = p[i].value;
    }
    ev.u.genesis.account_count = n;
    ev.u.genesis.accounts = acc_buf;
    ev.u.genesis.param_count = np;
    ev.u.genesis.params = par_buf;
    return ev;
}

static inline uint32_t apply(qfs_state *s, qfs_event ev)
{
    qfs_receipt r = {999};
    ck_assert_int_eq(qfs_state_apply(s, &ev, &r), QFS_OK);
    qfs_diag d;
    qfs_diag_clear(&d);
    qfs_err err = qfs_state_check_invariants(s, &d);
    ck_assert_msg(err == QFS_OK, "invariant: %s", d.message);
    return r.code;
}

/* A state after an accepted genesis at time 0. */
static inline qfs_state *mk_state_seeded(const acc_spec *a, size_t n, const param_spec *p, size_t np,
                                         uint64_t seed)
{
    qfs_state *s = NULL;
    qfs_state_options opt = {.table_seed = seed};
    ck_assert_int_eq(qfs_state_create(&s, &opt), QFS_OK);
    qfs_genesis_account *acc = calloc(n ? n : 1, sizeof *acc);
    qfs_param_value *par = calloc(np ? np : 1, sizeof *par);
    ck_assert_uint_eq(apply(s, ev_genesis(0, a, n, p, np, acc, par)), 0);
    free(acc);
    free(par);
    return s;
}

#define mk_state(a, p) mk_state_seeded(a, sizeof(a) / sizeof((a)[0]), p, sizeof(p) / sizeof((p)[0]), 0)
#define mk_state_np(a) mk_state_seeded(a, sizeof(a) / sizeof((a)[0]), NULL, 0, 0)

static inline qfs_amount bal(const qfs_state *s, const char *id, qfs_asset asset)
{
    qfs_amount v = 0;
    qfs_id i = ID(id);
    ck_assert_int_eq(qfs_state_balance(s, &i, asset, &v), QFS_OK);
    return v;
}

/* An amount written in decimal digits, for expected values above 2^64
 * (C has no 128-bit literals). */
static inline qfs_amount amt(const char *digits)
{
    qfs_amount v = 0;
    ck_assert_int_eq(qfs_amount_parse(&v, digits, strlen(digits)), QFS_OK);
    return v;
}

static inline qfs_event ev0(uint64_t ts, qfs_event_kind k)
{
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.timestamp_ms = ts;
    ev.kind = k;
    return ev;
}

static inline qfs_event ev_register(uint64_t ts, const char *id, qfs_account_kind kind)
{
    qfs_event ev = ev0(ts, QFS_EVENT_REGISTER_ACCOUNT);
    ev.u.register_account.id = ID(id);
    ev.u.register_account.kind = kind;
    return ev;
}

static inline qfs_event ev_transfer(uint64_t ts, const char *from, const char *to, qfs_asset a,
                                    qfs_amount amount, qfs_amount fee)
{
    qfs_event ev = ev0(ts, QFS_EVENT_TRANSFER);
    ev.u.transfer.from = ID(from);
    ev.u.transfer.to = ID(to);
    ev.u.transfer.asset = a;
    ev.u.transfer.amount = amount;
    ev.u.transfer.fee_atr = fee;
    return ev;
}

static inline qfs_event ev_stake(uint64_t ts, const char *v, qfs_amount amount)
{
    qfs_event ev = ev0(ts, QFS_EVENT_STAKE);
    ev.u.stake.validator = ID(v);
    ev.u.stake.amount = amount;
    return ev;
}

static inline qfs_event ev_unstake(uint64_t ts, const char *v, qfs_amount amount)
{
    qfs_event ev = ev0(ts, QFS_EVENT_UNSTAKE);
    ev.u.unstake.validator = ID(v);
    ev.u.unstake.amount = amount;
    return ev;
}

static inline qfs_event ev_report(uint64_t ts, const char *v, uint64_t psi)
{
    qfs_event ev = ev0(ts, QFS_EVENT_COHERENCE_REPORT);
    ev.u.coherence_report.validator = ID(v);
    ev.u.coherence_report.psi_fp18 = psi;
    return ev;
}

static inline qfs_event ev_boost(uint64_t ts, const char *v, qfs_amount amount)
{
    qfs_event ev = ev0(ts, QFS_EVENT_BOOST);
    ev.u.boost.validator = ID(v);
    ev.u.boost.amount = amount;
    return ev;
}

static inline qfs_event ev_memory(uint64_t ts, const char *who, const char *node, uint64_t rphiv,
                                  uint64_t lambda)
{
    qfs_event ev = ev0(ts, QFS_EVENT_MEMORY_CONTRIBUTION);
    ev.u.memory_contribution.contributor = ID(who);
    ev.u.memory_contribution.memory_node_id = ID(node);
    ev.u.memory_contribution.rphiv_fp18 = rphiv;
    ev.u.memory_contribution.lambda_node_fp18 = lambda;
    return ev;
}

static inline qfs_event ev_action(uint64_t ts, const char *who, qfs_amount fee)
{
    qfs_event ev = ev0(ts, QFS_EVENT_USER_ACTION);
    ev.u.user_action.account = ID(who);
    ev.u.user_action.action = ID("post");
    ev.u.user_action.fee_atr = fee;
    return ev;
}

static inline qfs_event ev_telemetry(uint64_t ts, const char *node, uint64_t up, uint64_t rep, uint64_t cor)
{
    qfs_event ev = ev0(ts, QFS_EVENT_NODE_TELEMETRY);
    ev.u.node_telemetry.node = ID(node);
    ev.u.node_telemetry.uptime_fp18 = up;
    ev.u.node_telemetry.replication_fp18 = rep;
    ev.u.node_telemetry.correctness_fp18 = cor;
    return ev;
}

static inline qfs_event ev_proposal(uint64_t ts, int infra, const char *who, uint64_t id, const char *param,
                                    qfs_amount value)
{
    qfs_event ev = ev0(ts, infra ? QFS_EVENT_INFRA_PROPOSAL : QFS_EVENT_SOCIAL_PROPOSAL);
    qfs_ev_proposal *p = infra ? &ev.u.infra_proposal : &ev.u.social_proposal;
    p->proposer = ID(who);
    p->proposal_id = id;
    p->change.name = ID(param);
    p->change.value = value;
    return ev;
}

static inline qfs_event ev_vote(uint64_t ts, int infra, const char *who, uint64_t id, qfs_vote_choice c)
{
    qfs_event ev = ev0(ts, infra ? QFS_EVENT_INFRA_VOTE : QFS_EVENT_SOCIAL_VOTE);
    qfs_ev_vote *v = infra ? &ev.u.infra_vote : &ev.u.social_vote;
    v->voter = ID(who);
    v->proposal_id = id;
    v->choice = c;
    return ev;
}

static inline qfs_event ev_close(uint64_t ts, uint64_t epoch)
{
    qfs_event ev = ev0(ts, QFS_EVENT_EPOCH_CLOSE);
    ev.u.epoch_close.epoch = epoch;
    return ev;
}

/* The state JSON of one module (NULL: all), malloc'd. */
static inline char *json_of(const qfs_state *s, const char *module)
{
    char *j = NULL;
    ck_assert_int_eq(qfs_state_to_json(s, module, &j, NULL), QFS_OK);
    return j;
}

static inline int json_has(const qfs_state *s, const char *module, const char *needle)
{
    char *j = json_of(s, module);
    int found = strstr(j, needle) != NULL;
    if (!found)
        ck_abort_msg("%s not in %s", needle, j);
    free(j);
    return found;
}

static inline void module_hashes(const qfs_state *s, qfs_hash128 *out)
{
    for (size_t i = 0; i < qfs_state_module_count(); i++)
        qfs_state_module_hash(s, i, &out[i]);
}

#endif
