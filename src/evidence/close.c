/* nod_distribution.json and rewards.json: one entry per accepted close. */
#include "evidence/evidence_internal.h"

qfs_err ev_close(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const ev_snapshot *snap)
{
    (void)snap;
    return ev_gov_close(ev, s, event_index);
}
