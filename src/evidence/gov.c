/* governance.json: every proposal of both governances. */
#include "evidence/evidence_internal.h"

#include <stdlib.h>

void ev_gov_free(ev_gov *g)
{
    for (uint32_t i = 0; i < g->count; i++)
        free(g->props[i].ballots);
    free(g->props);
}

qfs_err ev_gov_proposal(qfs_evidence *ev, const qfs_state *s, int infra, uint64_t event_index,
                        const qfs_ev_proposal *e)
{
    (void)ev, (void)s, (void)infra, (void)event_index, (void)e;
    return QFS_OK;
}

qfs_err ev_gov_ballot(qfs_evidence *ev, const qfs_state *s, int infra, uint64_t event_index,
                      const qfs_ev_vote *e)
{
    (void)ev, (void)s, (void)infra, (void)event_index, (void)e;
    return QFS_OK;
}

qfs_err ev_gov_close(qfs_evidence *ev, const qfs_state *s, uint64_t event_index)
{
    (void)ev, (void)s, (void)event_index;
    return QFS_OK;
}

void ev_gov_render(const qfs_evidence *ev, jw *b)
{
    (void)ev;
    jw_open(b, '{');
    jw_key(b, "infra");
    jw_open(b, '[');
    jw_close(b, ']');
    jw_key(b, "social");
    jw_open(b, '[');
    jw_close(b, ']');
    jw_close(b, '}');
}
