/* qfs metrics LOG: the Prometheus text exposition of the state after the
 * last event (metrics.h, docs/METRICS.md). */
#include "fold.h"
#include "metrics.h"

#include <stdlib.h>

static const char HELP[] = "usage: qfs metrics LOG\n"
                           "\n"
                           "Replays LOG and prints the Prometheus text exposition (format 0.0.4) of the\n"
                           "state after the last event: the source design's qc_token_* series and the\n"
                           "qfs_* families listed in docs/METRICS.md, sorted by name, each with HELP and\n"
                           "TYPE. Amounts are whole tokens written as exact decimals (\"1234.5\"), a\n"
                           "view for dashboards; `qfs state` gives the exact base units.\n"
                           "\n"
                           "exit codes: 0 ok, 2 usage, 65 corrupt, torn or invalid log, 74 I/O error\n";

static int observe(void *ctx, const qfs_state *state, uint64_t index, const qfs_event *ev,
                   const qfs_receipt *receipt)
{
    (void)index;
    (void)ev;
    (void)receipt;
    metrics_tallies_observe(ctx, state);
    return 0;
}

int cmd_metrics(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("metrics");
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("metrics", "unknown option '%s'", argv[i]);
        if (path)
            return cli_usage_error("metrics", "unexpected argument '%s'", argv[i]);
        path = argv[i];
    }
    if (!path)
        return cli_usage_error("metrics", "missing LOG");
    ahead *a = NULL;
    qfs_err err = ahead_create(&a, ahead_default_threads());
    if (err != QFS_OK)
        return cli_fail("metrics", path, err, NULL);
    qfs_state *s = NULL;
    qfs_state_options opt = {.verify_hint = ahead_hint, .verify_ctx = a};
    err = qfs_state_create(&s, &opt);
    if (err != QFS_OK) {
        ahead_free(a);
        return cli_fail("metrics", path, err, NULL);
    }
    metrics_tallies tallies = {0};
    fold_result fr;
    int rc = fold_log_hooked("metrics", path, s, UINT64_MAX, NULL, a, observe, &tallies, &fr);
    ahead_free(a);
    if (rc == 0) {
        metrics_input in = {.state = s,
                            .events = fr.events,
                            .by_code = fr.by_code,
                            .head_index = fr.events ? fr.events - 1 : 0,
                            .tallies = &tallies};
        char *text = NULL;
        size_t len = 0;
        err = metrics_render(&in, &text, &len);
        if (err != QFS_OK)
            rc = cli_fail("metrics", path, err, NULL);
        else
            rc = cli_write_stdout("metrics", text, len);
        free(text);
    }
    qfs_state_free(s);
    int flush_rc = cli_finish_stdout("metrics");
    return rc != 0 ? rc : flush_rc;
}
