/* A minimal exposition: events replayed, the epoch and rejections per code.
 * The full set of series is `qfs metrics`'s. */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>

int metrics_render(const metrics_input *in, char **out, size_t *len_out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -1;
    fprintf(f,
            "# HELP qfs_events_replayed_total Events applied to the state.\n"
            "# TYPE qfs_events_replayed_total counter\nqfs_events_replayed_total %llu\n",
            (unsigned long long)in->events);
    fprintf(f,
            "# HELP qfs_epoch_current The current epoch.\n# TYPE qfs_epoch_current gauge\nqfs_epoch_current "
            "%llu\n",
            (unsigned long long)qfs_state_epoch(in->state));
    fputs("# HELP qfs_receipts_total Receipts per code.\n# TYPE qfs_receipts_total counter\n", f);
    for (uint32_t c = 0; c <= QFS_REJECT_CODE_MAX; c++)
        fprintf(f, "qfs_receipts_total{code=\"%s\"} %llu\n", qfs_reject_str(c),
                (unsigned long long)in->by_code[c]);
    if (fclose(f) != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len_out = len;
    return 0;
}
