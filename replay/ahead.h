/* Signature verification ahead of the fold (docs/SPEC.md 13.1).
 *
 * The fold is single-threaded and applies events in log order; checking a
 * signature costs far more than applying the event. So the replay loop
 * decodes events in batches, and for each batch:
 *
 * 1. predicts, on the folding thread and in log order, the key each signed
 *    event's signer will have when the fold reaches it, by following
 *    genesis, register_account and rotate_key events as if all were
 *    accepted (ahead_predict);
 * 2. hands the batch's signatures to worker threads, which check each one
 *    against its predicted key (and, when that fails, against the key the
 *    signer rotated away from, which the fold asks about next);
 * 3. folds the batch in order; the fold's verify_hint (ahead_hint) answers
 *    from the workers' verdict when the key the fold asks about is the
 *    predicted one, and "unknown" otherwise, so the fold checks the
 *    signature itself.
 *
 * A verdict is the same function of the same bytes wherever it is computed,
 * and it is used only for the exact key it was computed under, so a wrong
 * prediction (a key-changing event that the fold rejects) costs one inline
 * check and never changes a receipt. Nothing depends on timing: the fold
 * waits for a verdict it uses, and the folding thread verifies pending
 * batches itself while it waits.
 *
 * An ahead may instead answer from the verdicts another replay of the same
 * log recorded (ahead_load): that is how runs 2..N of `qfs replay --runs N`
 * skip the checks run 1 made. */
#ifndef QFS_AHEAD_H
#define QFS_AHEAD_H

#include "cli.h"

typedef struct ahead ahead;

/* A batch's verdicts. One per event, owned by the batch, filled by
 * ahead_predict and the workers. */
typedef struct ahead_slot {
    qfs_public_key key;  /* predicted current key of the signer */
    qfs_public_key prev; /* predicted previous key (the fold asks when `key` fails) */
    uint8_t check;       /* AHEAD_CHECK, AHEAD_HAS_PREV: written before the workers see the slot */
    uint8_t verdict;     /* AHEAD_OK..: written by the worker that checks it */
} ahead_slot;
#define AHEAD_CHECK 1u     /* a signed event: the workers check it */
#define AHEAD_HAS_PREV 2u  /* `prev` is set */
#define AHEAD_OK 4u        /* the signature is valid under `key` */
#define AHEAD_PREV_DONE 8u /* checked under `prev` too (`key` failed) */
#define AHEAD_PREV_OK 16u  /* the signature is valid under `prev` */

/* One batch of decoded events as the replay loop keeps it. */
#define AHEAD_BATCH_EVENTS_MAX 1024u
#define AHEAD_CHUNK_EVENTS 32u /* events per job a worker takes */
#define AHEAD_CHUNKS_MAX (AHEAD_BATCH_EVENTS_MAX / AHEAD_CHUNK_EVENTS)
typedef struct ahead_batch {
    const qfs_event *events; /* count events, indexes first.. */
    ahead_slot *slots;       /* count slots */
    uint64_t first;
    size_t count;
    uint8_t chunk_done[AHEAD_CHUNKS_MAX]; /* under the pool's lock */
    size_t chunks;
} ahead_batch;

/* Creates an ahead that verifies with `threads` threads in all, the folding
 * thread included (1: it verifies alone, batch by batch); the workers start
 * with the first signature queued. QFS_E_NOMEM, or QFS_E_STATE when
 * libsodium cannot start. */
qfs_err ahead_create(ahead **out, unsigned threads);

/* Stops the workers (a job they are running is finished first) and frees
 * everything. Accepts NULL. */
void ahead_free(ahead *a);

/* Predicts the signer keys of b's events, in log order (after every earlier
 * batch), and queues their checks. b must stay unchanged until
 * ahead_release(b). */
void ahead_predict(ahead *a, ahead_batch *b);

/* Waits until the verdict of event `index` of b is ready, verifying queued
 * checks meanwhile, and makes b the batch ahead_hint answers from. */
void ahead_ready(ahead *a, ahead_batch *b, uint64_t index);

/* Waits until no worker uses b (every check of b is done). */
void ahead_release(ahead *a, ahead_batch *b);

/* Tells the ahead the fold's receipt for a genesis event. Predictions start
 * from the first genesis of the log; if the fold accepts another, every
 * later verdict is withheld (the chain id, which every signature covers,
 * may differ). */
void ahead_genesis_applied(ahead *a, uint64_t index, uint32_t code);

/* The state's verify_hint: 1 valid, 0 invalid, -1 unknown. `ctx` is the
 * ahead. */
int ahead_hint(void *ctx, uint64_t index, const qfs_public_key *key);

/* Records every verdict ahead_hint gives in `path`, for ahead_load. Returns
 * 0 or an exit code after reporting. */
int ahead_record(ahead *a, const char *cmd, const char *path);

/* Finishes the record: writes the header with the events folded and the
 * log's chain head. Returns 0 or an exit code after reporting. */
int ahead_record_close(ahead *a, const char *cmd, uint64_t events, const qfs_hash128 *chain_head);

/* Answers from the verdicts recorded in `path` instead of verifying ahead
 * (events the record has no verdict for are verified by the fold). Returns
 * 0 or an exit code after reporting. */
int ahead_load(ahead *a, const char *cmd, const char *path);

/* After the fold: exit code CLI_EXIT_DATA (after reporting) when loaded
 * verdicts were recorded for another log than the one folded, else 0. */
int ahead_check_loaded(const ahead *a, const char *cmd, uint64_t events, const qfs_hash128 *chain_head);

/* Counters for --stats. */
typedef struct ahead_stats {
    uint64_t checked_ahead; /* signatures verified ahead (with the previous-key checks) */
    uint64_t answered;      /* fold questions answered from a verdict */
    uint64_t unanswered;    /* fold questions left to the fold */
    unsigned threads;
} ahead_stats;
void ahead_get_stats(const ahead *a, ahead_stats *out);

/* Online processors, at least 1. */
unsigned ahead_default_threads(void);

#endif
