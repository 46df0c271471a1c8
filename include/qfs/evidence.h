/* Evidence artifacts: the economic record of a replay (docs/EVIDENCE.md). */
#ifndef QFS_EVIDENCE_H
#define QFS_EVIDENCE_H

#include "qfs/state.h"

#include <stddef.h>
#include <stdint.h>

typedef struct qfs_evidence qfs_evidence;

/* Creates an empty collector. QFS_E_NOMEM. */
qfs_err qfs_evidence_create(qfs_evidence **out);

/* Frees ev; NULL is allowed. */
void qfs_evidence_free(qfs_evidence *ev);

/* Observes one applied event: call after every qfs_state_apply, in log
 * order; event_index is 0-based and s is the state after the event. */
qfs_err qfs_evidence_observe(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const qfs_event *e,
                             const qfs_receipt *r);

typedef enum qfs_evidence_artifact {
    QFS_EVIDENCE_NOD_DISTRIBUTION,
    QFS_EVIDENCE_REWARDS,
    QFS_EVIDENCE_CHECKPOINTS,
    QFS_EVIDENCE_GOVERNANCE,
    QFS_EVIDENCE_ARTIFACT_COUNT
} qfs_evidence_artifact;

/* The artifact's file name ("nod_distribution.json"...); NULL when out of range. */
const char *qfs_evidence_artifact_name(qfs_evidence_artifact a);

/* Renders artifact a as canonical JSON and a LF into a malloc'd buffer. */
qfs_err qfs_evidence_render(const qfs_evidence *ev, qfs_evidence_artifact a, char **out, size_t *len_out);

#endif
