/* libsodium's own rate of single-signature verification on this machine:
 * the limit for `qfs replay` on a signed log, which verifies one signature
 * per event (docs/SPEC.md 13.1).
 *
 * usage: bench_verify COUNT [THREADS]
 *
 * Verifies COUNT signatures, spread over THREADS threads (default 1), each
 * over the signing bytes of a transfer as `sign_log bench` writes them, and
 * prints the rate on stdout. Time the whole process from outside
 * (/usr/bin/time) to compare it with a replay of a COUNT-event log. */
#include "qfs/qfs.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct job {
    uint64_t count;
    const uint8_t *msg;
    size_t len;
    const uint8_t *sig;
    const uint8_t *pk;
    uint64_t valid;
} job;

static void *run(void *arg)
{
    job *j = arg;
    for (uint64_t i = 0; i < j->count; i++)
        j->valid += crypto_sign_verify_detached(j->sig, j->msg, j->len, j->pk) == 0;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_verify COUNT [THREADS]\n");
        return 2;
    }
    uint64_t count = strtoull(argv[1], NULL, 10);
    unsigned threads = argc == 3 ? (unsigned)strtoul(argv[2], NULL, 10) : 1u;
    if (count == 0 || threads == 0 || threads > 256) {
        fprintf(stderr, "bench_verify: COUNT and THREADS must be positive (THREADS at most 256)\n");
        return 2;
    }
    qfs_public_key pk;
    uint8_t sk[QFS_SECRET_KEY_BYTES], seed[QFS_SEED_BYTES] = {1};
    qfs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = QFS_EVENT_TRANSFER;
    ev.timestamp_ms = 123456;
    qfs_id chain, u1, u2;
    if (qfs_auth_keypair(&pk, sk, seed) != QFS_OK || qfs_id_set(&chain, "sign-test", 9) != QFS_OK ||
        qfs_id_set(&u1, "u123", 4) != QFS_OK || qfs_id_set(&u2, "u124", 4) != QFS_OK)
        return 1;
    ev.u.transfer.from = u1;
    ev.u.transfer.to = u2;
    ev.u.transfer.asset = QFS_ASSET_T2;
    ev.u.transfer.amount = 1;
    ev.u.transfer.fee_atr = 1000000000000000000ULL;
    if (qfs_auth_sign_event(&ev, &u1, 42, &chain, sk) != QFS_OK)
        return 1;
    uint8_t msg[QFS_SIGNING_BYTES_MAX];
    size_t len = 0;
    if (qfs_auth_signing_bytes(msg, sizeof msg, &len, &chain, &ev) != QFS_OK)
        return 1;
    job jobs[256];
    pthread_t tids[256];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (job){count / threads + (t < count % threads), msg, len, ev.signature, pk.bytes, 0};
        if (pthread_create(&tids[t], NULL, run, &jobs[t]) != 0)
            return 1;
    }
    uint64_t valid = 0;
    for (unsigned t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        valid += jobs[t].valid;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint64_t ns =
        (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
    if (valid != count) {
        fprintf(stderr, "bench_verify: %llu of %llu signatures failed\n", (unsigned long long)(count - valid),
                (unsigned long long)count);
        return 1;
    }
    printf("libsodium %s: %llu verifications of %zu bytes on %u threads in %llu.%03llu s: %llu/s\n",
           sodium_version_string(), (unsigned long long)count, len, threads,
           (unsigned long long)(ns / 1000000000u), (unsigned long long)(ns / 1000000u % 1000u),
           (unsigned long long)((unsigned __int128)count * 1000000000u / (ns ? ns : 1)));
    return 0;
}
