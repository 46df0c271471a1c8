/*
 * qfs/state.h - the Harmonic state machine: a pure transition function over
 * qfs_event values, the canonical state hash, and the canonical state JSON.
 *
 * docs/SPEC.md is the normative description of everything here: the state's
 * contents, each event's preconditions, effects and rejection codes, every
 * formula and its rounding, the order of the steps at epoch close, and the
 * canonical byte encoding that the hashes cover.
 *
 * Usage:
 *     qfs_state *s;
 *     qfs_state_create(&s, NULL);
 *     for each event ev: qfs_state_apply(s, &ev, &receipt);
 *     qfs_state_hash(s, &root);
 *     qfs_state_free(s);
 *
 * A qfs_state is not thread-safe: one thread at a time, including the hash
 * and JSON functions (they reuse scratch memory owned by the state).
 */
#ifndef QFS_STATE_H
#define QFS_STATE_H

#include "qfs/event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qfs_state qfs_state;

/* A verdict known before the fold verifies a signature itself: 1 valid, 0
 * invalid, -1 unknown (the fold then verifies). It must be what
 * qfs_auth_verify() gives for the event's signing bytes and signature under
 * `key`, so that no schedule of verification can change a result: the
 * replay command computes these on every core ahead of the fold. */
typedef int (*qfs_verify_hint_fn)(void *ctx, uint64_t event_index, const qfs_public_key *key);

typedef struct qfs_state_options {
    uint64_t table_seed;            /* seeds internal hash tables; never changes any output */
    qfs_verify_hint_fn verify_hint; /* may be NULL */
    void *verify_ctx;
} qfs_state_options;

/* Creates an empty state (no genesis yet). `opt` may be NULL (seed 0).
 * QFS_E_NOMEM when an allocation fails. Free with qfs_state_free(). */
qfs_err qfs_state_create(qfs_state **out, const qfs_state_options *opt);

/* Frees the state and everything it owns. Accepts NULL. */
void qfs_state_free(qfs_state *s);

/* Rejection codes: stable numbers, never reused. 0 means accepted. Each is
 * described in docs/SPEC.md ("Rejection codes"). */
#define QFS_REJECT_NONE 0
#define QFS_REJECT_NO_GENESIS 1            /* an event before an accepted genesis */
#define QFS_REJECT_DUPLICATE_GENESIS 2     /* a genesis after an accepted genesis */
#define QFS_REJECT_TIMESTAMP_REGRESSION 3  /* timestamp below the previous accepted event's */
#define QFS_REJECT_UNKNOWN_ACCOUNT 4       /* an account id that is not registered */
#define QFS_REJECT_ACCOUNT_EXISTS 5        /* registering an id that already exists */
#define QFS_REJECT_NOT_VALIDATOR 6         /* the action needs a validator account */
#define QFS_REJECT_NOT_INFRA_NODE 7        /* the action needs an infrastructure node */
#define QFS_REJECT_INSUFFICIENT_BALANCE 8  /* a balance below what the event takes */
#define QFS_REJECT_INSUFFICIENT_STAKE 9    /* unstaking more than is staked */
#define QFS_REJECT_NOD_NOT_TRANSFERABLE 10 /* a transfer of NOD */
#define QFS_REJECT_NOD_HOLDER_NOT_INFRA 11 /* genesis gives NOD to a non-infrastructure account */
#define QFS_REJECT_ZERO_AMOUNT 12          /* an amount of 0 where a positive one is required */
#define QFS_REJECT_SELF_TRANSFER 13        /* a transfer whose sender is its recipient */
#define QFS_REJECT_FEE_TOO_LOW 14          /* an ATR fee below fee_min_atr */
#define QFS_REJECT_AMOUNT_OVERFLOW 15      /* an amount past 2^128 - 1, or an epoch or time past 2^64 - 1 */
#define QFS_REJECT_RATIO_OUT_OF_RANGE 16   /* a ratio above 1 where at most 1 is allowed */
#define QFS_REJECT_WRONG_EPOCH 17          /* epoch_close for another epoch than the current */
#define QFS_REJECT_PARAM_OUT_OF_RANGE 18   /* a parameter value outside its allowed range */
#define QFS_REJECT_WRONG_GOVERNANCE 19 /* a social proposal on an infrastructure parameter or vice versa */
#define QFS_REJECT_PARAM_NOT_GOVERNABLE 20 /* a proposal on a genesis-only parameter */
#define QFS_REJECT_DUPLICATE_PROPOSAL 21   /* an id not above the highest accepted one */
#define QFS_REJECT_UNKNOWN_PROPOSAL 22     /* a vote on an id above the highest accepted one */
#define QFS_REJECT_PROPOSAL_CLOSED 23      /* a vote on an id that is not open: tallied or skipped */
#define QFS_REJECT_DUPLICATE_VOTE 24       /* a second vote of one voter on one proposal */
#define QFS_REJECT_NOT_ELIGIBLE 25         /* mean of the last Psi reports below vote_eligibility_psi */
#define QFS_REJECT_NO_VOTING_POWER 26      /* a ballot whose weight would be 0 */
#define QFS_REJECT_INVALID_EVENT 27        /* an unknown event kind, asset, account kind or choice */
#define QFS_REJECT_BALLOT_LOCKED 28        /* T3 or stake held by ballots on open social proposals */
#define QFS_REJECT_BAD_SIGNATURE 29        /* a signature missing or not valid for the signer's key */
#define QFS_REJECT_WRONG_SIGNER 30         /* a signer who may not sign this kind of event */
#define QFS_REJECT_SEQUENCE_NOT_NEXT 31    /* a sequence other than the signer's last accepted + 1 */
#define QFS_REJECT_UNKNOWN_KEY 32          /* a signer that is not known, or that has no key */
#define QFS_REJECT_ROTATED_KEY 33          /* signed with the key the signer rotated away from */
#define QFS_REJECT_CODE_MAX 33

typedef struct qfs_receipt {
    uint32_t code; /* 0 = accepted, else a QFS_REJECT_* code */
} qfs_receipt;

/* Applies one event. Returns QFS_OK whether the event was accepted or
 * rejected (see *out). A rejected event changes nothing but the receipts
 * (event count, rejected count and the receipt chain). Returns an error only
 * when replay cannot continue: QFS_E_NOMEM, or QFS_E_STATE when an invariant
 * checked at epoch close is violated (a bug). After an error the state may
 * only be freed (and hashed for a post-mortem).
 * `out` may be NULL. */
qfs_err qfs_state_apply(qfs_state *s, const qfs_event *ev, qfs_receipt *out);

/* The stable snake_case name of a receipt code ("accepted" for 0,
 * "insufficient_balance", ...); "unknown" for codes not listed above. */
const char *qfs_reject_str(uint32_t code);

/* The root state hash: XXH3-128 over the format version and every module
 * hash in module order (docs/SPEC.md, "State hash"). */
void qfs_state_hash(const qfs_state *s, qfs_hash128 *out);

/* Modules in their fixed order: "ledger", "staking", "coherence",
 * "governance", "memory", "treasury", "nod", "infra_governance", "receipts".
 * qfs_state_module_name() returns NULL for i >= qfs_state_module_count(). */
size_t qfs_state_module_count(void);
const char *qfs_state_module_name(size_t i);

/* XXH3-128 of module i's canonical encoding. i must be below the count. */
void qfs_state_module_hash(const qfs_state *s, size_t i, qfs_hash128 *out);

/* Events applied (accepted + rejected), and the rejected ones. */
uint64_t qfs_state_event_count(const qfs_state *s);
uint64_t qfs_state_rejected_count(const qfs_state *s);

/* The current epoch (0 before and right after genesis). */
uint64_t qfs_state_epoch(const qfs_state *s);

/* Canonical JSON of the state as a malloc'd, NUL-terminated string that the
 * caller frees; *len_out (may be NULL) gets its length without the NUL.
 * module == NULL: one object with every module under its name; otherwise that
 * module's object alone. Sorted keys, amounts as strings of digits, ratios as
 * exact decimal strings ("0.7"), ids as strings, no floats, ends with LF.
 * QFS_E_NOT_FOUND for an unknown module name, QFS_E_NOMEM. */
qfs_err qfs_state_to_json(const qfs_state *s, const char *module, char **out, size_t *len_out);

/* Recounts every total from scratch and checks the supply invariant (per
 * asset: balances + pools + burned = issued) and the cross-module invariants
 * listed in docs/SPEC.md. QFS_OK, or QFS_E_STATE with a message in `diag`
 * (may be NULL). */
qfs_err qfs_state_check_invariants(const qfs_state *s, qfs_diag *diag);

/* Proposal status, as in docs/SPEC.md section 10.1. */
typedef enum qfs_proposal_status {
    QFS_PROPOSAL_OPEN = 0,
    QFS_PROPOSAL_PASSED = 1,
    QFS_PROPOSAL_NO_QUORUM = 2,
    QFS_PROPOSAL_REJECTED = 3
} qfs_proposal_status;

/* "open", "passed", "no_quorum", "rejected"; "unknown" otherwise. */
const char *qfs_proposal_status_str(uint32_t status);

/* The result of one tally. A tallied proposal leaves the state (only a
 * digest of it stays, docs/SPEC.md section 5.9), so this is how a caller sees
 * what the last epoch close decided: traces and evidence report it. */
typedef struct qfs_tally {
    int infra;       /* 1 for infrastructure governance, 0 for social */
    uint32_t status; /* qfs_proposal_status, never open */
    uint64_t proposal_id;
    size_t param_index; /* qfs_param_id of the parameter it would change */
    qfs_amount value;   /* the proposed value, in the parameter's unit */
    qfs_id proposer;
    uint64_t created_epoch, end_epoch;
    qfs_amount supply_snapshot;
    qfs_amount yes, no, abstain;
    qfs_amount quorum_cast; /* participation measured against the snapshot */
    uint64_t apply_epoch;   /* passed: applied at the close of this epoch */
} qfs_tally;

/* The proposals tallied by the last event applied: none unless it was an
 * accepted epoch_close. Infrastructure tallies first, then social, each in
 * ascending proposal id (the order of the close). i < qfs_state_tally_count(). */
size_t qfs_state_tally_count(const qfs_state *s);
void qfs_state_tally(const qfs_state *s, size_t i, qfs_tally *out);

/* A parameter's current value, by registry index (qfs_param_id). */
qfs_amount qfs_state_param(const qfs_state *s, size_t param_index);

/* An account's balance of `asset`; QFS_E_NOT_FOUND for an unknown id. */
qfs_err qfs_state_balance(const qfs_state *s, const qfs_id *account, qfs_asset asset, qfs_amount *out);

/* Authentication (docs/SPEC.md 4.0). The mode the genesis named;
 * QFS_AUTH_UNSET before an accepted genesis. */
qfs_auth_mode qfs_state_auth_mode(const qfs_state *s);

/* The chain id the genesis named; QFS_E_STATE before an accepted genesis. */
qfs_err qfs_state_chain_id(const qfs_state *s, qfs_id *out);

/* The sequence of the last accepted event of the signer `id` (an account or
 * a key holder); 0 when it has signed none, so its next event carries
 * *out + 1. QFS_E_NOT_FOUND when `id` is neither an account nor a key
 * holder (a user registering itself then signs with sequence 1). */
qfs_err qfs_state_signer_sequence(const qfs_state *s, const qfs_id *id, uint64_t *out);

/* The current public key of the signer `id`. QFS_E_NOT_FOUND when `id` is
 * not known or has no key. */
qfs_err qfs_state_signer_key(const qfs_state *s, const qfs_id *id, qfs_public_key *out);

#ifdef __cplusplus
}
#endif
#endif
