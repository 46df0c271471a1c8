/* The state around every epoch close of a log, for tests that ask what the
 * closes of a simulated log did (tests/cli/simulate_coverage.sh).
 *
 * usage: close_states LOG > CLOSES.jsonl
 *
 * Folds LOG with the library, every signature verified by the fold itself,
 * and prints one JSON line per epoch_close event, accepted or not:
 *
 *   {"before":{"coherence":..,"nod":..,"staking":..},"after":{MODULES},
 *    "code":C,"epoch":E,"event":I,"timestamp_ms":"T"}
 *
 * where each module is the canonical JSON of `qfs state --module M` (before:
 * the state right before the close; after: right after it, the modules
 * coherence, governance, infra_governance, nod, staking and treasury). It
 * reads the state only: what a close did is what its state shows, so that
 * a test need not take the simulator's word for it. Exit 0, or 65 with a
 * message naming the event when the log cannot be replayed. */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const BEFORE[] = {"coherence", "nod", "staking"};
static const char *const AFTER[] = {"coherence", "governance", "infra_governance",
                                    "nod",       "staking",    "treasury"};

/* Prints {"m1":JSON,"m2":JSON,...} of the modules named. */
static int print_modules(const qfs_state *s, const char *const *names, size_t count)
{
    putchar('{');
    for (size_t i = 0; i < count; i++) {
        char *json = NULL;
        size_t len = 0;
        if (qfs_state_to_json(s, names[i], &json, &len) != QFS_OK)
            return -1;
        /* The module's JSON ends in a newline: leave it out of the line. */
        while (len > 0 && json[len - 1] == '\n')
            len--;
        printf("%s\"%s\":", i ? "," : "", names[i]);
        fwrite(json, 1, len, stdout);
        free(json);
    }
    putchar('}');
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: close_states LOG\n", stderr);
        return 2;
    }
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_log_reader *r = NULL;
    qfs_state *s = NULL;
    qfs_arena *arena = NULL;
    if (qfs_log_reader_open(&r, argv[1], &schema, NULL, &diag) != QFS_OK ||
        qfs_state_create(&s, NULL) != QFS_OK || qfs_arena_create(&arena, 1 << 16) != QFS_OK) {
        fprintf(stderr, "close_states: %s: cannot open: %s\n", argv[1], diag.message);
        return 65;
    }
    int rc = 0;
    for (;;) {
        const uint8_t *data;
        size_t len;
        uint64_t index;
        qfs_err err = qfs_log_reader_next(r, &data, &len, &index, &diag);
        if (err == QFS_E_EOF)
            break;
        qfs_event ev;
        qfs_arena_reset(arena);
        if (err != QFS_OK || qfs_codec_decode(&ev, data, len, arena, &diag) != QFS_OK) {
            fprintf(stderr, "close_states: %s: event %llu: %s\n", argv[1], (unsigned long long)index,
                    diag.message);
            rc = 65;
            break;
        }
        int close = ev.kind == QFS_EVENT_EPOCH_CLOSE;
        if (close) {
            fputs("{\"before\":", stdout);
            if (print_modules(s, BEFORE, sizeof BEFORE / sizeof BEFORE[0]) != 0) {
                rc = 65;
                break;
            }
        }
        qfs_receipt receipt = {0};
        if (qfs_state_apply(s, &ev, &receipt) != QFS_OK) {
            fprintf(stderr, "close_states: %s: event %llu cannot be applied\n", argv[1],
                    (unsigned long long)index);
            rc = 65;
            break;
        }
        if (close) {
            fputs(",\"after\":", stdout);
            if (print_modules(s, AFTER, sizeof AFTER / sizeof AFTER[0]) != 0) {
                rc = 65;
                break;
            }
            printf(",\"code\":%u,\"epoch\":%llu,\"event\":%llu,\"timestamp_ms\":\"%llu\"}\n",
                   (unsigned)receipt.code, (unsigned long long)ev.u.epoch_close.epoch,
                   (unsigned long long)index, (unsigned long long)ev.timestamp_ms);
        }
    }
    qfs_arena_free(arena);
    qfs_state_free(s);
    qfs_log_reader_free(r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("close_states: cannot write the standard output\n", stderr);
        return 74;
    }
    return rc;
}
