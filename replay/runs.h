/* Independent replays in fresh processes: the mechanism of `qfs replay
 * --runs N`, shared with `qfs evidence` (replay_consistency.json). Run k
 * (0-based) replays with the table seed runs_seed(k) and the allocation
 * skew runs_skew(k), in a process of its own, and reports on a pipe. */
#ifndef QFS_RUNS_H
#define QFS_RUNS_H

#include "fold.h"

#include <sys/types.h>

#define MODULES_MAX 32

/* What a replay printed: built from a state here, or parsed from a child's
 * report under --runs. */
typedef struct report {
    char state_hex[QFS_HASH128_HEX_LEN + 1];
    char chain_hex[QFS_HASH128_HEX_LEN + 1];
    uint64_t events;
    uint64_t rejected;
    char auth[16]; /* "ed25519", "none", or "unset" before a genesis */
    size_t module_count;
    char module_name[MODULES_MAX][40];
    char module_hex[MODULES_MAX][QFS_HASH128_HEX_LEN + 1];
} report;

/* A run in its own process. */
typedef struct child {
    pid_t pid;
    int fd;       /* the read end of its report pipe */
    char *report; /* malloc'd by runs_collect (NULL when out of memory) */
    size_t len;
    int status; /* waitpid status */
} child;

/* How a replay verifies signatures. */
typedef struct verify_opts {
    unsigned threads;
    const char *verdicts_out; /* record the verdicts used here (run 1 of --runs) */
    const char *verdicts_in;  /* answer from run 1's verdicts (runs 2..N) */
    int quiet;                /* the run's standard error goes to /dev/null */
} verify_opts;

/* The table seed of run k: splitmix64 of k + 1 (reproducible, well spread). */
uint64_t runs_seed(uint64_t run);

/* The allocation skew of run k (replay --alloc-skew). */
static inline uint64_t runs_skew(uint64_t run)
{
    return run * 7 + 1;
}

/* The report of a replay that ended in state `s` with hash `state_hash`. */
void runs_report_from_state(report *r, const qfs_state *s, const qfs_hash128 *state_hash,
                            const fold_result *fold);

/* 0 when `expect_hex` is NULL or names r's state hash; otherwise names the
 * mismatch (`cmd`: the command in the message, `path` the log, `after` a
 * suffix to the message such as "; nothing written") and returns
 * CLI_EXIT_MISMATCH. */
int runs_check_expect(const char *cmd, const char *path, const report *r, const char *expect_hex,
                      const char *after);

/* Parses a child's report (the lines `qfs replay --child-report` prints); 0 on success. */
int runs_parse_report(report *r, const char *text);

/* Starts run `run` of `path` in a fresh process (`self`: this binary, NULL
 * to fork without exec). 0, or -1 with errno set. */
int runs_spawn(child *c, const char *self, const char *path, uint64_t run, const verify_opts *vo);

/* 1 when `self` can be executed as a fresh image (`self --version` runs
 * and exits 0); 0 when it cannot, as under an emulator without binfmt_misc,
 * where runs_spawn falls back to replaying in the forked child. Such a
 * fallback is safe only in a process with a single thread (a forked child
 * of a threaded process can inherit a lock another thread held), so callers
 * that would spawn runs from a thread ask this first. Call it while the
 * process has one thread. */
int runs_can_exec(const char *self);

/* Reads a child's report and reaps it. Not reentrant (one static buffer):
 * call from one thread at a time. */
void runs_collect(child *c);

/* Runs [from, to), at most `parallel` at a time, each spawned and then
 * collected. Returns 0, or CLI_EXIT_IO after reaping the runs already
 * started. */
int runs_range(child *kids, const char *self, const char *path, uint64_t from, uint64_t to, uint64_t parallel,
               const verify_opts *vo);

#endif
