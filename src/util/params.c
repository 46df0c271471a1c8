/* The parameter registry. Defaults are the source designs' constants; see
 * docs/SPEC.md for what each parameter does and why its range is what it is. */
#include "qfs/params.h"
#include "qfs/fixed.h"

#include <string.h>

#define FP(x) ((uint64_t)(x)) /* fixed-point literals are written out in full */
/* A token quantity in base units. */
#define TOKENS(n) ((qfs_amount)(n)*QFS_TOKEN)

/* Sorted by name: qfs_param_find() relies on it and a test checks it. */
static const qfs_param_def PARAMS[] = {
    {"ai_model_version", QFS_UNIT_COUNT, QFS_DOMAIN_INFRA, 1, 1, UINT32_MAX,
     "version of the AI model infrastructure nodes must run"},
    {"boost_duration_ms", QFS_UNIT_MS, QFS_DOMAIN_SOCIAL, 86400000, 1, 30ULL * 86400000,
     "how long a T4 boost stays active"},
    {"boost_psi_per_token", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(50000000000000000), 0, QFS_FP18_ONE,
     "Psi added per whole T4 burned (0.05)"},
    {"coherence_t5_impact", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(100000000000000000), 0, QFS_FP18_ONE,
     "C-hat added per rewarded memory contribution of the epoch (0.1)"},
    {"coherence_weight_core", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(800000000000000000), 0, QFS_FP18_ONE,
     "weight of the stake-weighted mean effective Psi in C-hat (0.8)"},
    {"coherence_weight_lambda", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(200000000000000000), 0, QFS_FP18_ONE,
     "weight of the epoch's mean lambda_node in C-hat (0.2)"},
    {"deficit_coherence", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(850000000000000000), 0, QFS_FP18_ONE,
     "network coherence below which the T2 pool is in deficit mode (0.85)"},
    {"fee_min_atr", QFS_UNIT_AMOUNT, QFS_DOMAIN_FIXED, 1, 0, TOKENS(1000000),
     "smallest ATR fee a transfer or user action may pay (1 base unit: any fee above zero)"},
    {"gov_apply_delay_epochs", QFS_UNIT_COUNT, QFS_DOMAIN_FIXED, 2, 0, 1000,
     "epochs between the close that passes a governance change and the close that applies it"},
    {"infra_quorum", QFS_UNIT_FP18, QFS_DOMAIN_FIXED, FP(660000000000000000), FP(510000000000000000),
     FP(900000000000000000), "share of NOD supply that must vote for a tally to count (0.66)"},
    {"infra_vote_cap", QFS_UNIT_FP18, QFS_DOMAIN_FIXED, FP(250000000000000000), FP(10000000000000000),
     QFS_FP18_ONE, "largest share of NOD supply one node's vote may weigh (0.25)"},
    {"infra_vote_epochs", QFS_UNIT_COUNT, QFS_DOMAIN_FIXED, 3, 1, 1000,
     "epochs an infrastructure proposal stays open"},
    {"lambda_boost_shorten_epochs", QFS_UNIT_COUNT, QFS_DOMAIN_FIXED, 1, 0, 1000,
     "epochs cut from the social voting window in critical conditions with an active boost"},
    {"lambda_vote_epochs", QFS_UNIT_COUNT, QFS_DOMAIN_FIXED, 3, 1, 1000,
     "the social voting window lambda(t), in epochs"},
    {"network_max_peers", QFS_UNIT_COUNT, QFS_DOMAIN_INFRA, 64, 3, 4096,
     "network parameter: peers per infrastructure node"},
    {"nod_correctness_floor", QFS_UNIT_FP18, QFS_DOMAIN_FIXED, FP(500000000000000000), 0, QFS_FP18_ONE,
     "correctness below which a node is not active for NOD allocation (0.5)"},
    {"nod_fraction", QFS_UNIT_FP18, QFS_DOMAIN_FIXED, FP(100000000000000000), FP(10000000000000000),
     FP(150000000000000000), "fraction of each ATR fee issued as NOD (0.10, bounded 0.01-0.15)"},
    {"nod_issuance_cap", QFS_UNIT_AMOUNT, QFS_DOMAIN_FIXED, TOKENS(1000000), 0, QFS_AMOUNT_MAX,
     "most NOD issued in one epoch (1 000 000 NOD)"},
    {"nod_min_active_nodes", QFS_UNIT_COUNT, QFS_DOMAIN_FIXED, 3, 1, 1000,
     "fewest active infrastructure nodes for an allocation"},
    {"nod_node_cap", QFS_UNIT_FP18, QFS_DOMAIN_FIXED, FP(300000000000000000), FP(10000000000000000),
     QFS_FP18_ONE, "largest share of one epoch's NOD pool one node receives (0.30)"},
    {"nod_weight_correctness", QFS_UNIT_FP18, QFS_DOMAIN_INFRA, FP(300000000000000000), 0, QFS_FP18_ONE,
     "weight of AI model correctness in a node's contribution score (0.3)"},
    {"nod_weight_replication", QFS_UNIT_FP18, QFS_DOMAIN_INFRA, FP(300000000000000000), 0, QFS_FP18_ONE,
     "weight of replication compliance in a node's contribution score (0.3)"},
    {"nod_weight_uptime", QFS_UNIT_FP18, QFS_DOMAIN_INFRA, FP(400000000000000000), 0, QFS_FP18_ONE,
     "weight of uptime in a node's contribution score (0.4)"},
    {"replication_factor", QFS_UNIT_COUNT, QFS_DOMAIN_INFRA, 3, 1, 64,
     "copies of each stored object infrastructure nodes keep"},
    {"slash_psi_threshold", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(700000000000000000), 0, QFS_FP18_ONE,
     "effective Psi below which a validator is slashed at epoch close (0.7)"},
    {"slash_t1_cap", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(100000000000000000), 0, QFS_FP18_ONE,
     "largest fraction of staked T1 slashed in one epoch (0.10)"},
    {"slash_t1_rate", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(500000000000000000), 0, QFS_FP18_ONE,
     "T1 slash fraction per unit of Psi shortfall (0.5)"},
    {"slash_t4_cap", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(200000000000000000), 0, QFS_FP18_ONE,
     "largest fraction of the T4 balance slashed in one epoch (0.20)"},
    {"slash_t4_rate", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(300000000000000000), 0, QFS_FP18_ONE,
     "T4 slash fraction per unit of Psi shortfall (0.3)"},
    {"social_quorum", QFS_UNIT_FP18, QFS_DOMAIN_FIXED, FP(330000000000000000), FP(10000000000000000),
     QFS_FP18_ONE, "share of T3 supply whose holders must vote for a social tally to count (0.33)"},
    {"t2_deficit_bonus", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(1500000000000000000), 0,
     FP(5000000000000000000), "extra multiple of the T2 pool in deficit mode (1.5)"},
    {"t2_pool", QFS_UNIT_AMOUNT, QFS_DOMAIN_SOCIAL, TOKENS(10000), 0, TOKENS(1000000000000),
     "T2 minted for validators each epoch (10 000 T2)"},
    {"t5_lambda_min", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(900000000000000000), 0, QFS_FP18_ONE,
     "lambda_node a memory contribution must exceed to earn T5 (0.9)"},
    {"t5_rate", QFS_UNIT_FP18, QFS_DOMAIN_SOCIAL, FP(100000000000000000), 0, QFS_FP18_ONE,
     "T5 earned per unit of rPhiV x lambda_node (0.1)"},
    {"unbonding_epochs", QFS_UNIT_COUNT, QFS_DOMAIN_SOCIAL, 2, 0, 365,
     "epochs before unstaked T1 returns to the balance"},
    {"vote_eligibility_psi", QFS_UNIT_FP18, QFS_DOMAIN_FIXED, FP(850000000000000000), 0, QFS_FP18_ONE,
     "mean Psi over the window a validator needs to propose or vote (0.85)"},
    {"vote_eligibility_window", QFS_UNIT_COUNT, QFS_DOMAIN_FIXED, 90, 1, 1024,
     "Psi reports averaged for vote eligibility"},
};

#define PARAM_COUNT (sizeof PARAMS / sizeof PARAMS[0])
_Static_assert(PARAM_COUNT == QFS_PARAM_COUNT, "qfs_param_id must list every parameter");

const qfs_param_def *qfs_params_all(size_t *count_out)
{
    *count_out = PARAM_COUNT;
    return PARAMS;
}

const qfs_param_def *qfs_param_find(const char *name, size_t len)
{
    size_t lo = 0;
    size_t hi = PARAM_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *candidate = PARAMS[mid].name;
        size_t clen = strlen(candidate);
        size_t common = clen < len ? clen : len;
        int c = memcmp(candidate, name, common);
        if (c == 0)
            c = (clen > len) - (clen < len);
        if (c == 0)
            return &PARAMS[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t qfs_param_index(const qfs_param_def *def)
{
    QFS_ASSERT(def >= PARAMS && def < PARAMS + PARAM_COUNT);
    return (size_t)(def - PARAMS);
}
