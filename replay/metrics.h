/* The Prometheus text exposition of a state (docs/METRICS.md). */
#ifndef QFS_METRICS_H
#define QFS_METRICS_H

#include "qfs/qfs.h"

#include <stddef.h>
#include <stdint.h>

/* What the exposition is rendered from: the state after the last applied
 * event, the events applied, the receipts per code (QFS_REJECT_CODE_MAX + 1
 * counts; [0] = accepted) and the chain head's event index. */
typedef struct metrics_input {
    const qfs_state *state;
    uint64_t events;
    const uint64_t *by_code;
    uint64_t head_index;
} metrics_input;

/* Renders the exposition into a malloc'd, NUL-terminated buffer (*out, which
 * the caller frees; *len_out its length). 0, or -1 when out of memory. */
int metrics_render(const metrics_input *in, char **out, size_t *len_out);

#endif
