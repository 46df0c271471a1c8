/* The Prometheus text exposition (format 0.0.4) of a state: what
 * `qfs metrics` prints and what a server's /metrics serves.
 *
 * Amounts are rendered in whole tokens as exact decimals computed with
 * integer arithmetic from the base units ("1234.5" for
 * 1234500000000000000000): a view for dashboards, never read back by
 * anything; the exact base units stay in the state's canonical JSON.
 * docs/METRICS.md lists every family.
 *
 * Usage from a loop that applies events itself:
 *     metrics_tallies t = {0};
 *     uint64_t by_code[QFS_REJECT_CODE_MAX + 1] = {0};
 *     for each event e at index i: qfs_state_apply(s, &e, &r); by_code[r.code]++;
 *                                  metrics_tallies_observe(&t, s);
 *     metrics_input in = {.state = s, .events = n, .by_code = by_code,
 *                         .head_index = n ? n - 1 : 0, .tallies = &t};
 *     metrics_render(&in, &text, &len); ...; free(text);
 */
#ifndef QFS_METRICS_H
#define QFS_METRICS_H

#include "qfs/qfs.h"

#include <stddef.h>
#include <stdint.h>

/* Proposals tallied since the genesis, per governance ([0] social, [1]
 * infrastructure) and status (qfs_proposal_status: [1] passed, [2] no quorum,
 * [3] rejected; [0] unused). A tallied proposal leaves the state, so only a
 * loop that saw every epoch close can count them. */
typedef struct metrics_tallies {
    uint64_t by_status[2][4];
} metrics_tallies;

/* Adds the tallies of the event just applied to `s` (none unless it was an
 * accepted epoch close). Call it after every applied event. */
void metrics_tallies_observe(metrics_tallies *t, const qfs_state *s);

typedef struct metrics_input {
    const qfs_state *state;         /* the state after the last event */
    uint64_t events;                /* events replayed */
    const uint64_t *by_code;        /* receipts per code, QFS_REJECT_CODE_MAX + 1 entries ([0] accepted);
                                       NULL: the rejection families are left out */
    uint64_t head_index;            /* index of the chain head's event (events - 1), 0 when empty */
    const metrics_tallies *tallies; /* NULL: the tallied-proposal families are left out */
} metrics_input;

/* Renders the Prometheus text exposition format (version 0.0.4) of the
 * state into a malloc'd, NUL-terminated buffer (free()); *len_out (may be
 * NULL) gets its length. Families are sorted by name, series by label
 * values; every family has HELP and TYPE lines. Deterministic: the same
 * input gives the same bytes. Returns QFS_OK, QFS_E_NOMEM, or QFS_E_STATE
 * when the state's JSON is not what this renderer expects (a bug). */
qfs_err metrics_render(const metrics_input *in, char **out, size_t *len_out);

#endif
