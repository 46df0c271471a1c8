/* Measures what the evidence collector adds to a replay: folds a log once
 * without a collector and once observing every event, prints both times, the
 * render time, and whether the final state hashes agree. With a directory
 * argument it also writes the four artifacts there.
 *
 * usage: bench_evidence LOG [DIR] */
#include "qfs/qfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Folds `path`; observes into `ev` when not NULL. Returns 0 or 1. */
static int fold(const char *path, qfs_state *s, qfs_evidence *ev, uint64_t *events)
{
    qfs_diag d;
    qfs_diag_clear(&d);
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_log_reader *r = NULL;
    qfs_arena *arena = NULL;
    if (qfs_log_reader_open(&r, path, &schema, NULL, &d) != QFS_OK ||
        qfs_arena_create(&arena, 1 << 16) != QFS_OK) {
        fprintf(stderr, "bench_evidence: %s: %s\n", path, d.message);
        return 1;
    }
    const uint8_t *data;
    size_t len;
    uint64_t index;
    qfs_err err;
    *events = 0;
    while ((err = qfs_log_reader_next(r, &data, &len, &index, &d)) == QFS_OK) {
        qfs_event e;
        qfs_arena_reset(arena);
        qfs_receipt rc;
        if (qfs_codec_decode(&e, data, len, arena, &d) != QFS_OK || qfs_state_apply(s, &e, &rc) != QFS_OK ||
            (ev && qfs_evidence_observe(ev, s, index, &e, &rc) != QFS_OK)) {
            fprintf(stderr, "bench_evidence: %s: event %llu failed\n", path, (unsigned long long)index);
            return 1;
        }
        (*events)++;
    }
    qfs_arena_free(arena);
    qfs_log_reader_free(r);
    return err == QFS_E_EOF ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_evidence LOG [DIR]\n");
        return 2;
    }
    qfs_state *plain = NULL, *observed = NULL;
    qfs_evidence *ev = NULL;
    uint64_t n1 = 0, n2 = 0;
    /* Another table seed for the observed state: no output may depend on it. */
    qfs_state_options seeded = {.table_seed = 0x5eed5eed5eedULL};
    if (qfs_state_create(&plain, NULL) != QFS_OK || qfs_state_create(&observed, &seeded) != QFS_OK ||
        qfs_evidence_create(&ev) != QFS_OK)
        return 1;
    uint64_t t0 = now_ns();
    if (fold(argv[1], plain, NULL, &n1))
        return 1;
    uint64_t t1 = now_ns();
    if (fold(argv[1], observed, ev, &n2))
        return 1;
    uint64_t t2 = now_ns();
    size_t total = 0;
    for (int a = 0; a < QFS_EVIDENCE_ARTIFACT_COUNT; a++) {
        char *text;
        size_t len;
        if (qfs_evidence_render(ev, (qfs_evidence_artifact)a, &text, &len) != QFS_OK)
            return 1;
        total += len;
        if (argc > 2) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[2],
                     qfs_evidence_artifact_name((qfs_evidence_artifact)a));
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
                fprintf(stderr, "bench_evidence: cannot write %s\n", path);
                return 1;
            }
        }
        free(text);
    }
    uint64_t t3 = now_ns();
    qfs_hash128 h1, h2;
    qfs_state_hash(plain, &h1);
    qfs_state_hash(observed, &h2);
    char hex[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(&h2, hex);
    printf("events %llu\nfold          %.3f s\nfold+observe  %.3f s\nrender        %.3f s (%zu bytes)\n"
           "state hash    %s (%s)\n",
           (unsigned long long)n2, (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9, (double)(t3 - t2) / 1e9,
           total, hex, qfs_hash128_eq(&h1, &h2) ? "equal" : "DIFFERENT");
    qfs_evidence_free(ev);
    qfs_state_free(plain);
    qfs_state_free(observed);
    return n1 == n2 && qfs_hash128_eq(&h1, &h2) ? 0 : 1;
}
