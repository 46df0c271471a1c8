/* Private layout of the evidence collector, shared by the files of
 * src/evidence. */
#ifndef QFS_EVIDENCE_INTERNAL_H
#define QFS_EVIDENCE_INTERNAL_H

#include "evidence/jw.h"
#include "qfs/evidence.h"
#include "state/state_internal.h"

/* Modules of the state hash; qfs_state_module_count() is at most this. */
#define EV_MODULES_MAX 16

typedef struct ev_snapshot {
    qfs_hash128 root;
    qfs_hash128 modules[EV_MODULES_MAX];
    uint64_t epoch, events, rejected;
} ev_snapshot;

typedef struct ev_ballot {
    qfs_id voter;
    uint8_t choice;
    uint64_t event_index;
    qfs_amount weight, quorum_weight;
} ev_ballot;

typedef struct ev_proposal {
    uint64_t id;
    qfs_id proposer;
    uint32_t param;
    uint8_t status;  /* PROPOSAL_* */
    uint8_t tallied; /* 1 once a close tallied it */
    uint8_t applied; /* 1 once a close applied its change */
    qfs_amount value;
    uint64_t quorum_fp18; /* the governance's quorum (genesis-only) */
    uint64_t event_index; /* of its submission */
    uint64_t created_epoch, end_epoch;
    qfs_amount supply_snapshot;
    qfs_amount quorum_required; /* the participation the tally required */
    qfs_amount vote_cap;        /* infrastructure: the most one ballot weighs */
    qfs_amount yes, no, abstain, quorum_cast;
    uint64_t tally_epoch, tally_event;
    uint64_t apply_epoch;
    uint64_t applied_epoch, applied_event;
    ev_ballot *ballots;
    uint32_t ballot_count, ballot_cap;
} ev_proposal;

/* Every proposal one governance accepted, in ascending id (the order in which
 * the fold accepts them). */
typedef struct ev_gov {
    ev_proposal *props;
    uint32_t count, cap;
    /* Passed proposals whose change no close has applied yet, in the order
     * the fold applies them: ascending (apply epoch, id), since tallies run
     * in id order and the delay is fixed at genesis. waiting_head is the
     * first one not yet applied. */
    uint32_t *waiting;
    uint32_t waiting_head, waiting_count, waiting_cap;
} ev_gov;

/* What the collector last saw of one memory node, to report per close what
 * the epoch added. */
typedef struct ev_mem {
    uint64_t contributions, rewarded;
    qfs_amount t5_total;
} ev_mem;

struct qfs_evidence {
    jw checkpoints; /* entries of checkpoints.json, comma-separated */
    jw nod;         /* entries of nod_distribution.json */
    jw rewards;     /* entries of rewards.json */
    ev_gov social, infra;
    ev_mem *mem; /* by the state's memory node index */
    uint32_t mem_count, mem_cap;
    uint32_t *order; /* scratch for sorting a close's entries by id */
    uint32_t order_cap;
    int observed;
    uint64_t last_index;
    const qfs_state *last_state;
    int finished;
    ev_snapshot final;
};

void ev_snapshot_take(ev_snapshot *snap, const qfs_state *s);
void ev_write_modules(jw *b, const ev_snapshot *snap);

/* Governance (gov.c). */
void ev_gov_free(ev_gov *g);
qfs_err ev_gov_proposal(qfs_evidence *ev, const qfs_state *s, int infra, uint64_t event_index,
                        const qfs_ev_proposal *e);
qfs_err ev_gov_ballot(qfs_evidence *ev, const qfs_state *s, int infra, uint64_t event_index,
                      const qfs_ev_vote *e);
/* Tallies and applied changes of the close just observed. */
qfs_err ev_gov_close(qfs_evidence *ev, const qfs_state *s, uint64_t event_index);
void ev_gov_render(const qfs_evidence *ev, jw *b);

/* The entries of nod_distribution.json and rewards.json for the close just
 * observed, and its governance results (close.c). */
qfs_err ev_close(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const ev_snapshot *snap);

#endif
