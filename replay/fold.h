/* The replay loop shared by `qfs replay` and `qfs state`: read, verify,
 * decode and apply every event of a log. */
#ifndef QFS_FOLD_H
#define QFS_FOLD_H

#include "ahead.h"
#include "cli.h"

typedef struct fold_result {
    uint64_t events;   /* events applied */
    uint64_t rejected; /* of which rejected by the rules */
    qfs_hash128 chain_head;
    uint64_t elapsed_ns;                       /* wall time of the loop, for --stats only */
    uint64_t by_code[QFS_REJECT_CODE_MAX + 1]; /* receipts per code; [0] = accepted */
} fold_result;

/* Monotonic nanoseconds, for --stats only (never inside the fold). */
uint64_t fold_now_ns(void);

/* Writes the trace line of event `index` (just applied to `state` with receipt `code`) to `f`: the
 * line fold_log writes with a trace. Returns a negative value on a write failure. */
int fold_trace_line(FILE *f, const qfs_state *state, const qfs_event *ev, uint64_t index, uint32_t code);

/* Folds events [0, last] of `path` (all events when last == UINT64_MAX) into
 * `state` (NULL: decode only, apply nothing). When `trace` is not NULL, writes one canonical JSON line per
 * event to it: {"code":C,"event":I,"kind":K,"receipt":R,"timestamp_ms":T}, and for an accepted
 * epoch_close a "tallies" array (before "timestamp_ms") with each tally's result, and for a signed
 * event its "signer" (before "tallies"). Returns 0 or an exit code
 * after reporting on stderr. When `last` is past the end of the log, reports it and returns CLI_EXIT_DATA.
 * Events are decoded a batch at a time; when `a` is not NULL (it must then be the state's verify_hint
 * context), their signatures are verified ahead of the fold (ahead.h). */
int fold_log(const char *cmd, const char *path, qfs_state *state, uint64_t last, FILE *trace, ahead *a,
             fold_result *out);

/* Called after each event is applied (and its trace line written), in log
 * order, with the state after the event. Returns 0, or an exit code after
 * reporting, which ends the fold with that code. */
typedef int (*fold_hook)(void *ctx, const qfs_state *state, uint64_t index, const qfs_event *ev,
                         const qfs_receipt *receipt);

/* fold_log with a hook (NULL: none) that sees every applied event; `state`
 * must not be NULL when `hook` is set. A trace line of a signed event also
 * names its "signer" (after "receipt"). */
int fold_log_hooked(const char *cmd, const char *path, qfs_state *state, uint64_t last, FILE *trace, ahead *a,
                    fold_hook hook, void *hook_ctx, fold_result *out);

#endif
