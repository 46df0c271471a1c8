/* Private layout of qfs_state, shared by the files of src/state and src/hash.
 *
 * Accounts and memory nodes are interned once into dense indexes (idtab);
 * everything else refers to them by index. Per-kind data (validators,
 * infrastructure nodes) lives in its own struct array reached through
 * account.role. Nothing here depends on table_seed except slot positions
 * inside the hash tables, which no output ever reads: canonical output sorts
 * by id bytes. */
#ifndef QFS_STATE_INTERNAL_H
#define QFS_STATE_INTERNAL_H

#include "qfs/fixed.h"
#include "qfs/params.h"
#include "qfs/state.h"

#define NO_INDEX UINT32_MAX
/* Dense indexes are uint32_t; NO_INDEX is reserved. */
#define DENSE_COUNT_MAX (UINT32_MAX / 2)

/* ---- id interning: open addressing, linear probing, seeded ---- */
typedef struct idtab {
    qfs_id *ids; /* dense index -> id */
    uint32_t count;
    uint32_t cap;    /* capacity of ids */
    uint32_t *slots; /* dense index + 1; 0 = empty */
    size_t mask;     /* slot count - 1 (a power of two) */
    uint64_t seed;
} idtab;

void idtab_init(idtab *t, uint64_t seed);
void idtab_free(idtab *t);
/* Dense index of `id`, or NO_INDEX. */
uint32_t idtab_find(const idtab *t, const qfs_id *id);
/* Reserves room for `extra` more ids so that idtab_add cannot fail. */
qfs_err idtab_reserve(idtab *t, uint32_t extra);
/* Adds an id that is not present; room must be reserved. Returns its index. */
uint32_t idtab_add(idtab *t, const qfs_id *id);

/* ---- uint64 key -> uint32 value map (proposal ids, ballots) ---- */
typedef struct u64map {
    uint64_t *keys;
    uint32_t *vals; /* value + 1; 0 = empty */
    size_t mask;
    size_t count;
    uint64_t seed;
} u64map;

void u64map_init(u64map *m, uint64_t seed);
void u64map_free(u64map *m);
uint32_t u64map_get(const u64map *m, uint64_t key); /* NO_INDEX when absent */
qfs_err u64map_reserve(u64map *m, size_t extra);
void u64map_put(u64map *m, uint64_t key, uint32_t val); /* key absent, room reserved */
void u64map_clear(u64map *m);                           /* empties it, keeping its capacity */

/* Grows a malloc'd array to hold at least `need` elements (amortized x2). */
qfs_err vec_reserve(void **p, uint32_t *cap, uint32_t need, size_t elem_size);

/* ---- entities ---- */

/* What authenticates one signer (an account or a key holder). */
typedef struct signer_keys {
    qfs_public_key key;  /* valid when has_key */
    qfs_public_key prev; /* the key rotated away from, when has_prev */
    uint8_t has_key, has_prev;
    uint64_t sequence; /* of its last accepted signed event; 0 = none yet */
} signer_keys;

typedef struct account {
    qfs_amount bal[QFS_ASSET_COUNT]; /* indexed by qfs_asset; [0] unused, 0 */
    signer_keys auth;
    uint32_t role; /* validator or infra node slot; NO_INDEX for users */
    uint8_t kind;  /* qfs_account_kind */
} account;

typedef struct validator {
    uint32_t account;
    uint32_t ring_pos;       /* next write position in the Psi ring */
    qfs_amount staked;       /* bonded T1 */
    qfs_amount unbonding;    /* T1 waiting in unbonding entries */
    uint64_t base_psi_fp18;  /* last reported base Psi (0 before any report) */
    uint64_t report_count;   /* coherence reports ever accepted */
    qfs_amount boost_amount; /* T4 burned by the current boost */
    uint64_t boost_until_ms; /* boost active while event time < this */
    qfs_amount slashed_t1;   /* T1 slashed from this validator, ever */
    qfs_amount slashed_t4;   /* T4 slashed from this validator, ever */
    qfs_amount t2_received;  /* T2 rewards received, ever */
    /* Last epoch + 1 through which the validator's T3 and stake are locked
     * by its ballots on open social proposals; 0 = never voted. */
    uint64_t ballot_lock_epoch_plus1;
} validator;

typedef struct infra_node {
    uint32_t account;
    uint32_t pad_;
    uint64_t telemetry_epoch_plus1; /* epoch of the last telemetry + 1; 0 = never */
    uint64_t uptime_fp18;
    uint64_t replication_fp18;
    uint64_t correctness_fp18;
    qfs_amount nod_received; /* NOD allocated to this node, ever */
} infra_node;

typedef struct unbond {
    uint32_t validator;
    uint32_t pad_;
    uint64_t release_epoch; /* released at the close of this epoch */
    qfs_amount amount;
} unbond;

typedef struct memnode {
    uint64_t contributions; /* accepted contributions */
    uint64_t rewarded;      /* contributions that earned T5 */
    qfs_amount t5_total;    /* T5 earned through this memory node */
    uint64_t last_lambda_fp18;
    /* Not hashed: the epoch + 1 in which it was last listed in
     * report.mem_epoch (0 = never). */
    uint64_t listed_epoch_plus1;
} memnode;

enum { PROPOSAL_OPEN = 0, PROPOSAL_PASSED = 1, PROPOSAL_NO_QUORUM = 2, PROPOSAL_REJECTED = 3 };

typedef struct ballot {
    uint32_t voter; /* account index */
    uint8_t choice; /* qfs_vote_choice */
    qfs_amount weight;
    qfs_amount quorum_weight; /* what the ballot adds toward the quorum */
} ballot;

typedef struct proposal {
    uint64_t id;
    uint32_t proposer;
    uint32_t param; /* qfs_param_id */
    qfs_amount value;
    uint64_t created_epoch;
    uint64_t end_epoch; /* tallied at the close of this epoch */
    qfs_amount supply_snapshot;
    qfs_amount yes, no, abstain;
    qfs_amount quorum_cast;
    qfs_amount quorum_need; /* set by the tally: the participation it required; not hashed */
    uint8_t status;
    ballot *ballots; /* freed at tally */
    uint32_t ballot_count, ballot_cap;
} proposal;

/* A passed change waiting for the close that applies it (SPEC 5.9). */
typedef struct pending_change {
    uint64_t apply_epoch; /* applied at the close of this epoch */
    uint64_t proposal_id;
    uint32_t param; /* qfs_param_id */
    uint32_t pad_;
    qfs_amount value;
} pending_change;

/* One governance. Only open proposals are kept, in ascending id order (ids
 * are strictly increasing, so acceptance order is id order); a tallied
 * proposal leaves the state and is folded into closed_digest, so memory
 * follows the open proposals, not the length of the log. */
typedef struct gov {
    proposal *props; /* open proposals, ascending id */
    uint32_t count, cap;
    u64map by_id;              /* proposal id -> slot; rebuilt at tallies */
    u64map voted;              /* (slot << 32 | voter) -> 0; rebuilt at tallies */
    uint64_t accepted;         /* proposals ever accepted */
    uint64_t last_id;          /* the highest accepted id (when accepted > 0) */
    qfs_hash128 closed_digest; /* running digest of tallied proposals */
    pending_change *pending;   /* ascending (apply_epoch, proposal_id) */
    uint32_t pending_count, pending_cap;
    proposal *tallied; /* proposals tallied by the last close, for traces */
    uint32_t tallied_count, tallied_cap;
} gov;

/* Indexes into s->pool[][]: amounts of an asset held outside any balance. */
enum {
    POOL_STAKED = 0,    /* T1 bonded */
    POOL_UNBONDING = 1, /* T1 unbonding */
    POOL_TREASURY = 2,  /* fees (ATR) and slashed T1/T4 */
    POOL_REWARD = 3,    /* T2 dust carried to the next epoch; the NOD pool */
    POOL_BURNED = 4,    /* T4 burned by boosts */
    POOL_COUNT = 5
};

/* ---- the report of the last epoch close ----
 * What each close step computed, kept beside the state for evidence
 * (src/evidence) and never hashed or encoded: it only describes how the
 * hashed contents came about. The arrays are reserved before the close
 * starts (amortized growth, so a close allocates only when the number of
 * validators or reporting nodes grew) and overwritten by the next close. */
typedef struct report_slash {
    uint32_t validator; /* slot */
    uint32_t pad_;
    uint64_t psi_fp18, shortfall_fp18, f1_fp18, f4_fp18;
    qfs_amount staked, t4; /* before the cut */
    qfs_amount cut1, cut4;
} report_slash;

typedef struct report_t2 {
    uint32_t validator; /* slot */
    uint32_t pad_;
    uint64_t psi_fp18; /* effective Psi at the close */
    qfs_amount staked;
    qfs_amount share;
} report_t2;

typedef struct report_node {
    uint32_t node; /* slot */
    uint8_t active;
    uint64_t score_fp18;
    qfs_amount uncapped; /* mulDiv(P, c, sum c), or floor(P / n) (active nodes of an allocation) */
    qfs_amount share;    /* what the node received */
} report_node;

typedef struct close_report {
    /* Accumulated by every fee of the current epoch (SPEC 5.7), moved into
     * the fields below and reset at the close. */
    qfs_amount fees_epoch_atr, nod_raw_epoch, nod_cut_epoch;
    /* The last accepted close. */
    qfs_amount params[QFS_PARAM_COUNT]; /* in force during its steps 1 to 5 */
    qfs_amount fees_atr, nod_raw, nod_issued, nod_cut;
    /* coherence (step 1) */
    qfs_amount staked_sum;
    uint64_t mem_count, mem_rewarded;
    uint64_t c_base_fp18;
    /* slashing (step 2) */
    report_slash *slashes; /* in validator slot order */
    uint32_t slash_count, slash_cap;
    /* T2 (step 3) */
    uint64_t t2_recipients;
    unsigned __int128 t2_psi_sum;
    qfs_amount t2_bonus;      /* before saturation */
    qfs_amount t2_carried_in; /* the reward pool's dust before the mint */
    report_t2 *t2;            /* in validator slot order */
    uint32_t t2_count, t2_cap;
    /* NOD (step 4) */
    qfs_amount nod_pool; /* P */
    qfs_amount nod_cap_amount;
    unsigned __int128 nod_score_sum;
    report_node *nodes; /* every node that sent telemetry in the epoch, in reporter order */
    uint32_t node_count, node_cap;
    /* Memory nodes with contributions: in the current epoch (mem_epoch) and
     * in the last closed one (mem_closed); the close swaps the two lists. */
    uint32_t *mem_epoch, *mem_closed;
    uint32_t mem_epoch_count, mem_epoch_cap, mem_closed_count, mem_closed_cap;
} close_report;

typedef struct holder {
    int present;
    qfs_id id;
    signer_keys auth;
} holder;

struct qfs_state {
    uint64_t table_seed;
    qfs_verify_hint_fn verify_hint;
    void *verify_ctx;
    /* authentication (SPEC 4.0) */
    qfs_auth_mode auth_mode;
    holder holders[QFS_ROLE_COUNT];
    /* meta */
    int has_genesis;
    qfs_id chain_id;
    uint64_t epoch;
    uint64_t last_ts_ms;
    qfs_amount params[QFS_PARAM_COUNT]; /* in each parameter's unit (params.h) */
    /* ledger */
    idtab acct_ids;
    account *accts;
    uint32_t acct_cap;
    qfs_amount issued[QFS_ASSET_COUNT];
    qfs_amount bal_total[QFS_ASSET_COUNT]; /* sum of all balances, kept incrementally */
    qfs_amount pool[QFS_ASSET_COUNT][POOL_COUNT];
    /* staking and coherence */
    validator *vals;
    uint32_t val_count, val_cap;
    uint64_t *psi_ring;    /* vote_eligibility_window entries per validator */
    uint32_t psi_ring_cap; /* in validators */
    unbond *unbonds;
    uint32_t unbond_count, unbond_cap;
    uint64_t c_hat_fp18;    /* network coherence at the last epoch close */
    uint64_t c_core_fp18;   /* its stake-weighted mean effective Psi part */
    uint64_t c_lambda_fp18; /* its mean lambda_node part */
    uint64_t c_impact_fp18; /* its T5 impact part */
    int deficit;            /* the last close ran in deficit mode */
    /* rewards */
    qfs_amount t2_minted_last; /* T2 minted at the last close */
    qfs_amount t2_paid_last;   /* T2 paid to validators at the last close */
    /* memory */
    idtab mem_ids;
    memnode *mems;
    uint32_t mem_cap;
    uint64_t mem_epoch_count;    /* contributions in the current epoch */
    uint64_t mem_epoch_rewarded; /* rewarded contributions in the current epoch */
    unsigned __int128 mem_epoch_lambda_sum;
    /* treasury */
    qfs_amount fees_total_atr;
    /* nod */
    infra_node *nodes;
    uint32_t node_count, node_cap;
    uint32_t *reporters; /* node slots with telemetry in the current epoch */
    uint32_t reporter_count, reporter_cap;
    qfs_amount nod_issued_epoch; /* NOD issued in the current epoch */
    qfs_amount nod_cut_total;    /* NOD not issued because of nod_issuance_cap, ever */
    qfs_amount nod_alloc_last;   /* NOD allocated at the last close */
    uint64_t nod_active_last;    /* active nodes at the last close */
    /* governance */
    gov social;
    gov infra;
    /* receipts */
    uint64_t event_count;
    uint64_t rejected_count;
    qfs_hash128 receipt_chain;
    /* scratch for sorting at hash and JSON time; sized to the largest
     * collection so that hashing never allocates */
    uint32_t *scratch_a;
    uint32_t *scratch_b;
    uint32_t scratch_cap;
    /* Account indexes sorted by id: the first acct_order_count accounts, in
     * canonical order. Accounts are only ever added and an index keeps its
     * id, so view_accounts sorts only the accounts added since its last call
     * and merges them in, instead of sorting every account for every hash
     * (evidence hashes the state at every epoch close). Reserved with the
     * accounts; not part of the state's value. */
    uint32_t *acct_order;
    uint32_t acct_order_count, acct_order_cap;
    /* the current event's timestamp while applying */
    uint64_t now_ms;
    /* not hashed: what the last epoch close computed, for evidence */
    close_report report;
};

/* ---- helpers shared by the modules ---- */
/* A parameter that is not an amount: its range keeps it within 64 bits. */
#define P(s, name) ((uint64_t)(s)->params[QFS_PARAM_##name])
/* An amount parameter (unit QFS_UNIT_AMOUNT), 128 bits. */
#define PA(s, name) ((s)->params[QFS_PARAM_##name])

/* 1 while the validator's ballots hold its T3 and stake (SPEC 4.12). */
static inline int validator_ballot_locked(const qfs_state *s, const validator *v)
{
    return s->epoch < v->ballot_lock_epoch_plus1;
}

/* Makes the scratch arrays hold at least n entries. */
qfs_err state_scratch_reserve(qfs_state *s, uint32_t n);

/* Balance moves; every balance change goes through these two so that
 * bal_total stays exact. Callers check sufficiency first. */
void ledger_credit(qfs_state *s, uint32_t acct, qfs_asset a, qfs_amount amount);
void ledger_debit(qfs_state *s, uint32_t acct, qfs_asset a, qfs_amount amount);
/* Looks up an account; NO_INDEX when unknown. */
uint32_t ledger_find(const qfs_state *s, const qfs_id *id);
/* The account `id` of kind `kind` (validator or infra_node) into *acct, or
 * the receipt that refuses it: unknown_account, else not_validator or
 * not_infra_node. */
uint32_t ledger_find_kind(const qfs_state *s, const qfs_id *id, qfs_account_kind kind, uint32_t *acct);
/* Adds an account (id absent). QFS_E_NOMEM. Index in *out. */
qfs_err ledger_add(qfs_state *s, const qfs_id *id, qfs_account_kind kind, uint32_t *out);
/* Charges an ATR fee: debit, treasury credit, NOD issuance. The caller has
 * checked the balance. */
void treasury_charge_fee(qfs_state *s, uint32_t payer, qfs_amount fee_atr);
/* Checks fee >= fee_min_atr; returns a reject code or 0. */
uint32_t treasury_check_fee(const qfs_state *s, qfs_amount fee_atr);

/* Effective Psi of a validator at s->now_ms. */
uint64_t coherence_effective_psi(const qfs_state *s, const validator *v);
/* 1 if the mean of the validator's last reports is at least the threshold. */
int coherence_eligible(const qfs_state *s, uint32_t vslot);
/* Any boost active at s->now_ms. */
int coherence_any_boost_active(const qfs_state *s);

/* Authentication (auth.c). auth_check returns the receipt that refuses the
 * event's signature, or 0 with the signer in *who (NULL when the log is
 * unauthenticated or the signer is the account a registration creates);
 * auth_commit records an accepted event's sequence. */
uint32_t auth_check(qfs_state *s, const qfs_event *ev, signer_keys **who);
void auth_commit(qfs_state *s, signer_keys *who, const qfs_event *ev);
/* The key holder whose id is `id`, or NULL. */
holder *auth_find_holder(qfs_state *s, const qfs_id *id);
uint32_t auth_apply_rotate(qfs_state *s, const qfs_ev_rotate_key *e);

/* Event handlers: return a reject code (0 = accepted) or, through *err, an
 * error that stops the replay. */
uint32_t ledger_apply_genesis(qfs_state *s, const qfs_ev_genesis *g, qfs_err *err);
uint32_t ledger_apply_register(qfs_state *s, const qfs_ev_register_account *r, qfs_err *err);
uint32_t ledger_apply_transfer(qfs_state *s, const qfs_ev_transfer *t);
uint32_t treasury_apply_user_action(qfs_state *s, const qfs_ev_user_action *u);
uint32_t staking_apply_stake(qfs_state *s, const qfs_ev_stake *e);
uint32_t staking_apply_unstake(qfs_state *s, const qfs_ev_stake *e, qfs_err *err);
uint32_t coherence_apply_report(qfs_state *s, const qfs_ev_coherence_report *e);
uint32_t boost_apply(qfs_state *s, const qfs_ev_boost *e);
uint32_t memory_apply_contribution(qfs_state *s, const qfs_ev_memory_contribution *e, qfs_err *err);
uint32_t nod_apply_telemetry(qfs_state *s, const qfs_ev_node_telemetry *e, qfs_err *err);
uint32_t governance_apply_proposal(qfs_state *s, const qfs_ev_proposal *e, qfs_err *err);
uint32_t governance_apply_vote(qfs_state *s, const qfs_ev_vote *e, qfs_err *err);
uint32_t infra_governance_apply_proposal(qfs_state *s, const qfs_ev_proposal *e, qfs_err *err);
uint32_t infra_governance_apply_vote(qfs_state *s, const qfs_ev_vote *e, qfs_err *err);

/* Shared governance machinery (governance.c). gov_check_change checks a
 * proposed change against the governance domain (the firewall) and range. */
uint32_t gov_check_change(const qfs_param_value *pv, qfs_param_domain domain, uint32_t *param);
uint32_t gov_propose(qfs_state *s, gov *g, const qfs_ev_proposal *e, uint32_t proposer,
                     uint64_t window_epochs, qfs_amount supply_snapshot, qfs_err *err);
/* duplicate_proposal unless the id is above every id accepted before. */
uint32_t gov_check_new_id(const gov *g, uint64_t proposal_id);
/* The slot of an open proposal without a ballot of `voter`, or the receipt
 * that refuses the vote: unknown_proposal, proposal_closed, duplicate_vote. */
uint32_t gov_find_open(const gov *g, uint64_t proposal_id, uint32_t voter, uint32_t *slot);
uint32_t gov_vote(qfs_state *s, gov *g, const qfs_ev_vote *e, uint32_t voter, qfs_amount weight,
                  qfs_amount quorum_weight, qfs_err *err);
/* Tallies the proposals of `g` that end at the closing epoch, in proposal id
 * order, folds them into the closed digest, holds the changes of those that
 * pass as pending, and applies the pending changes due at this close. */
void gov_tally(qfs_state *s, gov *g, uint64_t quorum_fp18);
void gov_free(gov *g);
void gov_init(gov *g, uint64_t seed);

/* Epoch-close steps, in the order state.c calls them (docs/SPEC.md). */
void coherence_close(qfs_state *s);
void staking_slash_close(qfs_state *s);
void rewards_close(qfs_state *s);
void nod_close(qfs_state *s);
void staking_unbond_close(qfs_state *s);
void governance_close(qfs_state *s);
void infra_governance_close(qfs_state *s);

/* NOD allocation core, exposed for tests: splits `pool` over n scores,
 * floor shares, each at most floor(pool * cap / 10^18); equal split when every
 * score is 0. Returns the sum of shares (at most pool). */
qfs_amount nod_split(qfs_amount pool, const uint64_t *scores, size_t n, uint64_t cap_fp18,
                     qfs_amount *shares_out);

/* The root state hash from the module hashes, in module order
 * (qfs_state_module_count() of them): what qfs_state_hash computes, for a
 * caller that already holds the module hashes (src/hash). */
void state_hash_of_modules(const qfs_hash128 *modules, qfs_hash128 *out);

/* Aggregate supply invariant (O(1)): 1 if it holds for every asset. */
int state_supply_ok(const qfs_state *s);

/* Sorting with a context (heapsort, no allocation). cmp returns <0, 0, >0. */
typedef int (*sort_cmp_fn)(const void *ctx, uint32_t a, uint32_t b);
void sort_u32(uint32_t *v, size_t n, sort_cmp_fn cmp, const void *ctx);

/* Sorted views used by the hash and JSON writers: fill scratch with the
 * indexes of a collection in canonical order and return the count. */
uint32_t view_accounts(const qfs_state *s, uint32_t *out);
uint32_t view_validators(const qfs_state *s, uint32_t *out);
uint32_t view_nodes(const qfs_state *s, uint32_t *out);
uint32_t view_memnodes(const qfs_state *s, uint32_t *out);
uint32_t view_unbonds(const qfs_state *s, uint32_t *out);
uint32_t view_proposals(const gov *g, uint32_t *out);
uint32_t view_ballots(const qfs_state *s, const proposal *p, uint32_t *out);

#endif
