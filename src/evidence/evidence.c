/* Placeholder of the evidence collector: counts events and renders an empty
 * record per artifact, until the full collector lands. */
#include "qfs/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qfs_evidence {
    uint64_t events;
};

qfs_err qfs_evidence_create(qfs_evidence **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? QFS_OK : QFS_E_NOMEM;
}

void qfs_evidence_free(qfs_evidence *ev)
{
    free(ev);
}

qfs_err qfs_evidence_observe(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const qfs_event *e,
                             const qfs_receipt *r)
{
    (void)s;
    (void)e;
    (void)r;
    ev->events = event_index + 1;
    return QFS_OK;
}

const char *qfs_evidence_artifact_name(qfs_evidence_artifact a)
{
    static const char *const NAMES[] = {"nod_distribution.json", "rewards.json", "checkpoints.json",
                                        "governance.json"};
    return (unsigned)a < QFS_EVIDENCE_ARTIFACT_COUNT ? NAMES[a] : NULL;
}

qfs_err qfs_evidence_render(const qfs_evidence *ev, qfs_evidence_artifact a, char **out, size_t *len_out)
{
    (void)a;
    char *t = malloc(64);
    if (!t)
        return QFS_E_NOMEM;
    int n = snprintf(t, 64, "{\"events\":%llu}\n", (unsigned long long)ev->events);
    *out = t;
    *len_out = (size_t)n;
    return QFS_OK;
}
