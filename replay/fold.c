#include "fold.h"

#include <string.h>
#include <time.h>

uint64_t fold_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int fold_log(const char *cmd, const char *path, qfs_state *state, uint64_t last, FILE *trace,
             fold_result *out)
{
    qfs_log_reader *r = NULL;
    qfs_arena *arena = NULL;
    int open_rc = cli_open_log(cmd, path, &r, &arena);
    if (open_rc != 0)
        return open_rc;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err;
    out->rejected = 0;
    memset(out->by_code, 0, sizeof out->by_code);
    int tty = cli_stderr_is_tty();
    uint64_t start = fold_now_ns();
    uint64_t events = 0;
    int rc = 0;
    while (events <= last) {
        qfs_event ev;
        uint64_t index;
        qfs_err why;
        rc = cli_next_event(cmd, path, r, arena, &ev, &index, &why);
        if (rc == CLI_NEXT_END) {
            rc = 0;
            break;
        }
        if (rc != 0) {
            if (why == QFS_E_TORN)
                cli_error(cmd, "%s: %llu whole events precede the torn record; 'qfs append' repairs it", path,
                          (unsigned long long)events);
            break;
        }
        qfs_receipt receipt = {0};
        /* Without a state only the decode floor is measured: reading,
         * checksums, decompression and decoding, no transition. */
        err = state ? qfs_state_apply(state, &ev, &receipt) : QFS_OK;
        if (err != QFS_OK) {
            qfs_diag_clear(&diag);
            qfs_diag_set_event(&diag, index);
            qfs_diag_set(&diag, "the state machine cannot apply this event");
            rc = cli_fail(cmd, path, err, &diag);
            break;
        }
        if (trace &&
            fprintf(trace,
                    "{\"code\":%u,\"event\":%llu,\"kind\":\"%s\",\"receipt\":\"%s\",\"timestamp_ms\":%llu}\n",
                    receipt.code, (unsigned long long)index, qfs_event_kind_name(ev.kind),
                    qfs_reject_str(receipt.code), (unsigned long long)ev.timestamp_ms) < 0) {
            cli_error(cmd, "writing the trace failed");
            rc = CLI_EXIT_IO;
            break;
        }
        events++;
        if (receipt.code != 0)
            out->rejected++;
        out->by_code[receipt.code <= QFS_REJECT_CODE_MAX ? receipt.code : 0]++;
        if (tty && (events & ((1u << 20) - 1)) == 0)
            fprintf(stderr, "\rqfs %s: %llu events", cmd, (unsigned long long)events);
    }
    if (tty && events >= (1u << 20))
        fputs("\r\033[K", stderr);
    out->elapsed_ns = fold_now_ns() - start;
    out->events = events;
    qfs_log_reader_chain_head(r, &out->chain_head);
    qfs_arena_free(arena);
    qfs_log_reader_free(r);
    if (rc == 0 && last != UINT64_MAX && events <= last) {
        cli_error(cmd, "%s: event %llu is past the end of the log (%llu events)", path,
                  (unsigned long long)last, (unsigned long long)events);
        rc = CLI_EXIT_DATA;
    }
    return rc;
}
