/*
 * qfs/event.h - the in-memory form of one event.
 *
 * A qfs_event is what the codec produces from protobuf bytes or JSON, and what
 * the state machine consumes. Every field has already been validated when a
 * qfs_event comes out of the codec: ids are well formed, enums are known,
 * parameter names exist. Semantic checks (does the account exist, is the
 * balance enough) belong to the state machine.
 *
 * Variable-length parts (genesis accounts and parameters) point into an arena
 * owned by whoever decoded the event.
 */
#ifndef QFS_EVENT_H
#define QFS_EVENT_H

#include "qfs/common.h"
#include "qfs/fixed.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest encoded event accepted anywhere (decode, encode, log records). */
#define QFS_EVENT_BYTES_MAX ((size_t)4 << 20)

/* Ids: 1 to 64 bytes from [A-Za-z0-9._:-]. Not NUL-terminated. */
#define QFS_ID_BYTES_MAX 64

typedef struct qfs_id {
    uint8_t len;
    char bytes[QFS_ID_BYTES_MAX];
} qfs_id;

/* Sets `out` from `len` bytes at `s`. QFS_E_RANGE when len is 0 or above
 * QFS_ID_BYTES_MAX, QFS_E_PARSE when a byte is outside the charset; `out` is
 * unchanged on error. */
qfs_err qfs_id_set(qfs_id *out, const char *s, size_t len);

/* Orders ids by their bytes (memcmp of the common prefix, then shorter
 * first). Returns <0, 0 or >0. This is the canonical order of ids everywhere. */
int qfs_id_cmp(const qfs_id *a, const qfs_id *b);

/* 1 if equal. */
int qfs_id_eq(const qfs_id *a, const qfs_id *b);

typedef enum qfs_asset {
    QFS_ASSET_NONE = 0,
    QFS_ASSET_T1 = 1,
    QFS_ASSET_T2 = 2,
    QFS_ASSET_T3 = 3,
    QFS_ASSET_T4 = 4,
    QFS_ASSET_T5 = 5,
    QFS_ASSET_NOD = 6,
    QFS_ASSET_ATR = 7
} qfs_asset;
#define QFS_ASSET_COUNT 8 /* array size indexed by qfs_asset; index 0 unused */

/* "T1".."T5", "NOD", "ATR"; NULL for QFS_ASSET_NONE or unknown values. */
const char *qfs_asset_name(qfs_asset a);
/* Inverse of qfs_asset_name (exact, case-sensitive). QFS_E_PARSE if unknown. */
qfs_err qfs_asset_parse(qfs_asset *out, const char *s, size_t len);

typedef enum qfs_account_kind {
    QFS_ACCOUNT_NONE = 0,
    QFS_ACCOUNT_USER = 1,
    QFS_ACCOUNT_VALIDATOR = 2,
    QFS_ACCOUNT_INFRA_NODE = 3
} qfs_account_kind;

/* "user", "validator", "infra_node"; NULL otherwise. */
const char *qfs_account_kind_name(qfs_account_kind k);
qfs_err qfs_account_kind_parse(qfs_account_kind *out, const char *s, size_t len);

typedef enum qfs_vote_choice {
    QFS_VOTE_NONE = 0,
    QFS_VOTE_YES = 1,
    QFS_VOTE_NO = 2,
    QFS_VOTE_ABSTAIN = 3
} qfs_vote_choice;

/* "yes", "no", "abstain"; NULL otherwise. */
const char *qfs_vote_choice_name(qfs_vote_choice c);
qfs_err qfs_vote_choice_parse(qfs_vote_choice *out, const char *s, size_t len);

/* How a log authenticates its events (fixed at genesis). */
typedef enum qfs_auth_mode {
    QFS_AUTH_UNSET = 0,  /* never valid in an event */
    QFS_AUTH_NONE = 1,   /* events are not signed */
    QFS_AUTH_ED25519 = 2 /* every event after genesis is signed */
} qfs_auth_mode;

/* "none", "ed25519"; NULL otherwise. */
const char *qfs_auth_mode_name(qfs_auth_mode m);
qfs_err qfs_auth_mode_parse(qfs_auth_mode *out, const char *s, size_t len);

#define QFS_PUBLIC_KEY_BYTES 32
#define QFS_SIGNATURE_BYTES 64

/* An Ed25519 public key. */
typedef struct qfs_public_key {
    uint8_t bytes[QFS_PUBLIC_KEY_BYTES];
} qfs_public_key;

/* A public key that may be absent. */
typedef struct qfs_opt_key {
    int present;
    qfs_public_key key;
} qfs_opt_key;

/* The key holders that are not accounts, named at genesis. */
typedef enum qfs_role {
    QFS_ROLE_AUTHORITY = 0,        /* epoch closes, registrations of validators and nodes, rotations */
    QFS_ROLE_COHERENCE_ORACLE = 1, /* coherence_report */
    QFS_ROLE_TELEMETRY_ORACLE = 2, /* node_telemetry */
    QFS_ROLE_MEMORY_ORACLE = 3     /* memory_contribution */
} qfs_role;
#define QFS_ROLE_COUNT 4

/* "authority", "coherence_oracle", "telemetry_oracle", "memory_oracle"
 * (the genesis field names); NULL otherwise. */
const char *qfs_role_name(qfs_role r);

typedef struct qfs_key_holder {
    int present; /* named at genesis */
    qfs_id id;
    qfs_public_key key;
} qfs_key_holder;

typedef enum qfs_event_kind {
    QFS_EVENT_NONE = 0,
    QFS_EVENT_GENESIS = 1,
    QFS_EVENT_REGISTER_ACCOUNT = 2,
    QFS_EVENT_TRANSFER = 3,
    QFS_EVENT_STAKE = 4,
    QFS_EVENT_UNSTAKE = 5,
    QFS_EVENT_COHERENCE_REPORT = 6,
    QFS_EVENT_BOOST = 7,
    QFS_EVENT_MEMORY_CONTRIBUTION = 8,
    QFS_EVENT_USER_ACTION = 9,
    QFS_EVENT_NODE_TELEMETRY = 10,
    QFS_EVENT_SOCIAL_PROPOSAL = 11,
    QFS_EVENT_SOCIAL_VOTE = 12,
    QFS_EVENT_INFRA_PROPOSAL = 13,
    QFS_EVENT_INFRA_VOTE = 14,
    QFS_EVENT_EPOCH_CLOSE = 15,
    QFS_EVENT_ROTATE_KEY = 16
} qfs_event_kind;
#define QFS_EVENT_KIND_COUNT 17 /* array size indexed by qfs_event_kind */

/* "genesis", "register_account", "transfer", "stake", "unstake",
 * "coherence_report", "boost", "memory_contribution", "user_action",
 * "node_telemetry", "social_proposal", "social_vote", "infra_proposal",
 * "infra_vote", "epoch_close", "rotate_key"; NULL otherwise. These are the JSON "kind"
 * values and the protobuf oneof field names. */
const char *qfs_event_kind_name(qfs_event_kind k);
qfs_err qfs_event_kind_parse(qfs_event_kind *out, const char *s, size_t len);

/* A named parameter and its value (units per docs/SPEC.md). */
typedef struct qfs_param_value {
    qfs_id name;
    qfs_amount value; /* 128 bits for amount parameters; others fit 64 */
} qfs_param_value;

typedef struct qfs_genesis_account {
    qfs_id id;
    qfs_account_kind kind;
    qfs_amount balances[QFS_ASSET_COUNT]; /* indexed by qfs_asset; [0] is 0 */
    qfs_opt_key key;                      /* absent: the account cannot sign */
} qfs_genesis_account;

/* Limits on genesis, enforced by the codec. */
#define QFS_GENESIS_ACCOUNTS_MAX 100000
#define QFS_GENESIS_PARAMS_MAX 256

typedef struct qfs_ev_genesis {
    qfs_id chain_id;
    qfs_auth_mode auth;
    qfs_key_holder holders[QFS_ROLE_COUNT]; /* indexed by qfs_role */
    size_t param_count;
    qfs_param_value *params; /* param_count entries, names unique */
    size_t account_count;
    qfs_genesis_account *accounts; /* account_count entries, ids unique */
} qfs_ev_genesis;

typedef struct qfs_ev_register_account {
    qfs_id id;
    qfs_account_kind kind;
    qfs_opt_key key; /* absent: the account cannot sign */
} qfs_ev_register_account;

typedef struct qfs_ev_rotate_key {
    qfs_id holder; /* an account id or a key holder id */
    qfs_public_key key;
} qfs_ev_rotate_key;

typedef struct qfs_ev_transfer {
    qfs_id from;
    qfs_id to;
    qfs_asset asset;
    qfs_amount amount;
    qfs_amount fee_atr;
} qfs_ev_transfer;

/* Stake and unstake share a shape. */
typedef struct qfs_ev_stake {
    qfs_id validator;
    qfs_amount amount;
} qfs_ev_stake;

typedef struct qfs_ev_coherence_report {
    qfs_id validator;
    uint64_t psi_fp18;
} qfs_ev_coherence_report;

typedef struct qfs_ev_boost {
    qfs_id validator;
    qfs_amount amount;
} qfs_ev_boost;

typedef struct qfs_ev_memory_contribution {
    qfs_id contributor;
    qfs_id memory_node_id;
    uint64_t rphiv_fp18;
    uint64_t lambda_node_fp18;
} qfs_ev_memory_contribution;

typedef struct qfs_ev_user_action {
    qfs_id account;
    qfs_id action;
    qfs_amount fee_atr;
} qfs_ev_user_action;

typedef struct qfs_ev_node_telemetry {
    qfs_id node;
    uint64_t uptime_fp18;
    uint64_t replication_fp18;
    uint64_t correctness_fp18;
} qfs_ev_node_telemetry;

/* Social and infrastructure proposals share a shape. */
typedef struct qfs_ev_proposal {
    qfs_id proposer;
    uint64_t proposal_id;
    qfs_param_value change;
} qfs_ev_proposal;

/* Social and infrastructure votes share a shape. */
typedef struct qfs_ev_vote {
    qfs_id voter;
    uint64_t proposal_id;
    qfs_vote_choice choice;
} qfs_ev_vote;

typedef struct qfs_ev_epoch_close {
    uint64_t epoch;
} qfs_ev_epoch_close;

typedef struct qfs_event {
    uint64_t timestamp_ms;
    qfs_event_kind kind;
    /* Authentication (docs/EVENTS.md): signer.len == 0 when unsigned. */
    qfs_id signer;
    uint64_t sequence;
    int has_signature;
    uint8_t signature[QFS_SIGNATURE_BYTES];
    union {
        qfs_ev_genesis genesis;
        qfs_ev_register_account register_account;
        qfs_ev_transfer transfer;
        qfs_ev_stake stake;   /* QFS_EVENT_STAKE */
        qfs_ev_stake unstake; /* QFS_EVENT_UNSTAKE */
        qfs_ev_coherence_report coherence_report;
        qfs_ev_boost boost;
        qfs_ev_memory_contribution memory_contribution;
        qfs_ev_user_action user_action;
        qfs_ev_node_telemetry node_telemetry;
        qfs_ev_proposal social_proposal;
        qfs_ev_vote social_vote;
        qfs_ev_proposal infra_proposal;
        qfs_ev_vote infra_vote;
        qfs_ev_epoch_close epoch_close;
        qfs_ev_rotate_key rotate_key;
    } u;
} qfs_event;

#ifdef __cplusplus
}
#endif
#endif
