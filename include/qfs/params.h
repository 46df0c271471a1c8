/*
 * qfs/params.h - the registry of protocol parameters.
 *
 * Every parameter has a name, a unit, a default (the source designs' value),
 * an inclusive allowed range, and a governance domain: social parameters
 * (attunement) may change only through T3 proposals, infrastructure
 * parameters only through NOD proposals, and fixed parameters only at
 * genesis. The registry is sorted by name; docs/SPEC.md lists it in full.
 */
#ifndef QFS_PARAMS_H
#define QFS_PARAMS_H

#include "qfs/common.h"
#include "qfs/fixed.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum qfs_param_unit {
    QFS_UNIT_AMOUNT = 1, /* base units of an asset (10^18 per token), 128 bits */
    QFS_UNIT_FP18 = 2,   /* 18-decimal fixed point ratio */
    QFS_UNIT_COUNT = 3,  /* a plain count (epochs, nodes, a version number) */
    QFS_UNIT_MS = 4      /* milliseconds of event time */
} qfs_param_unit;

typedef enum qfs_param_domain {
    QFS_DOMAIN_FIXED = 1,  /* set at genesis only */
    QFS_DOMAIN_SOCIAL = 2, /* attunement: T3 proposals */
    QFS_DOMAIN_INFRA = 3   /* infrastructure: NOD proposals */
} qfs_param_domain;

/* Index of every parameter in qfs_params_all(), in registry (name) order. The
 * state keeps parameter values in an array indexed by these. */
typedef enum qfs_param_id {
    QFS_PARAM_AI_MODEL_VERSION = 0,
    QFS_PARAM_BOOST_DURATION_MS = 1,
    QFS_PARAM_BOOST_PSI_PER_TOKEN = 2,
    QFS_PARAM_COHERENCE_T5_IMPACT = 3,
    QFS_PARAM_COHERENCE_WEIGHT_CORE = 4,
    QFS_PARAM_COHERENCE_WEIGHT_LAMBDA = 5,
    QFS_PARAM_DEFICIT_COHERENCE = 6,
    QFS_PARAM_FEE_MIN_ATR = 7,
    QFS_PARAM_GOV_APPLY_DELAY_EPOCHS = 8,
    QFS_PARAM_INFRA_QUORUM = 9,
    QFS_PARAM_INFRA_VOTE_CAP = 10,
    QFS_PARAM_INFRA_VOTE_EPOCHS = 11,
    QFS_PARAM_LAMBDA_BOOST_SHORTEN_EPOCHS = 12,
    QFS_PARAM_LAMBDA_VOTE_EPOCHS = 13,
    QFS_PARAM_NETWORK_MAX_PEERS = 14,
    QFS_PARAM_NOD_CORRECTNESS_FLOOR = 15,
    QFS_PARAM_NOD_FRACTION = 16,
    QFS_PARAM_NOD_ISSUANCE_CAP = 17,
    QFS_PARAM_NOD_MIN_ACTIVE_NODES = 18,
    QFS_PARAM_NOD_NODE_CAP = 19,
    QFS_PARAM_NOD_WEIGHT_CORRECTNESS = 20,
    QFS_PARAM_NOD_WEIGHT_REPLICATION = 21,
    QFS_PARAM_NOD_WEIGHT_UPTIME = 22,
    QFS_PARAM_REPLICATION_FACTOR = 23,
    QFS_PARAM_SLASH_PSI_THRESHOLD = 24,
    QFS_PARAM_SLASH_T1_CAP = 25,
    QFS_PARAM_SLASH_T1_RATE = 26,
    QFS_PARAM_SLASH_T4_CAP = 27,
    QFS_PARAM_SLASH_T4_RATE = 28,
    QFS_PARAM_SOCIAL_QUORUM = 29,
    QFS_PARAM_T2_DEFICIT_BONUS = 30,
    QFS_PARAM_T2_POOL = 31,
    QFS_PARAM_T5_LAMBDA_MIN = 32,
    QFS_PARAM_T5_RATE = 33,
    QFS_PARAM_UNBONDING_EPOCHS = 34,
    QFS_PARAM_VOTE_ELIGIBILITY_PSI = 35,
    QFS_PARAM_VOTE_ELIGIBILITY_WINDOW = 36,
    QFS_PARAM_COUNT = 37
} qfs_param_id;

typedef struct qfs_param_def {
    const char *name;
    qfs_param_unit unit;
    qfs_param_domain domain;
    qfs_amount default_value;
    qfs_amount min_value; /* inclusive */
    qfs_amount max_value; /* inclusive; at most UINT64_MAX unless the unit is amount */
    const char *doc;      /* one line: what the parameter does */
} qfs_param_def;

/* The registry, sorted by name (strcmp order); `*count_out` entries. */
const qfs_param_def *qfs_params_all(size_t *count_out);

/* Finds a parameter by exact name; NULL when unknown. */
const qfs_param_def *qfs_param_find(const char *name, size_t len);

/* Position of `def` in qfs_params_all(); the index used by the state. */
size_t qfs_param_index(const qfs_param_def *def);

#ifdef __cplusplus
}
#endif
#endif
