/* The evidence bundle of a log (docs/EVIDENCE.md): what `qfs evidence` and
 * `qfs evidence verify` both derive from the log, and the shared pieces of
 * the two commands. */
#ifndef QFS_EVIDENCE_DERIVE_H
#define QFS_EVIDENCE_DERIVE_H

#include "bundle.h"
#include "runs.h"

#define EVIDENCE_CMD "evidence"
#define EVIDENCE_CMD_VERIFY "evidence verify"
#define EVIDENCE_RUNS_MAX 64
#define EVIDENCE_PREDICATE_TYPE "https://qfs.dev/evidence/v1"
#define EVIDENCE_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define EVIDENCE_DSSE_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define EVIDENCE_SHA256_HEX_LEN 64
/* Run 1's signature verdicts for runs 2..N of a signed log, in the
 * temporary directory (removed before it is published). */
#define EVIDENCE_VERDICTS_NAME ".verdicts"
/* Longest DIR or LOG path handled; the bundle files' names are added to it. */
#define EVIDENCE_PATH_BYTES_MAX 3900

/* The --help text of both commands. */
extern const char EVIDENCE_HELP[];

/* Writes the evidence bundle of `log` into the new directory `dir` (which
 * must not exist) as `qfs evidence LOG -o DIR --runs N` does, without its
 * summary on stdout. 0, 1 when the runs disagree (the bundle is written), or
 * an exit code after reporting as `qfs CMD` (the log's errors read as in
 * `qfs replay`). */
int evidence_bundle_create(const char *cmd, const char *log, const char *dir, uint64_t runs);

/* `qfs evidence verify DIR LOG [--pubkey FILE]` (argv[0] is "verify"). */
int cmd_evidence_verify(int argc, char **argv);

/* Writes data[len] to dir/name and makes it durable; 0 or an exit code
 * after reporting as `cmd`. */
int evidence_write_file(const char *cmd, const char *dir, const char *name, const void *data, size_t len);

/* Canonical JSON of `v` (sorted keys, compact, LF) into dir/name; 0 or an
 * exit code after reporting. */
int evidence_write_json(const char *cmd, const char *dir, const char *name, const json_t *v);

/* The file name of a path: what the statement calls the log. */
const char *evidence_log_name(const char *path);

/* 1 when `name` is a file a bundle may hold. */
int bundle_is_name(const char *name);

/* Removes a bundle directory this command made: the names a bundle holds
 * (and the verdict record), then the directory. */
void bundle_remove_dir(const char *dir);

/* From now on, SIGINT, SIGTERM or SIGHUP remove `dir` (a temporary
 * directory of bundle files) before they end the command. */
void evidence_cleanup_arm(const char *dir);

/* The directory is gone or published: signals end the command as usual. */
void evidence_cleanup_disarm(void);

/* Blocks (1) or unblocks (0) those signals in the calling thread. */
void evidence_cleanup_block(int block);

/* Replays `log` as run 1 (its table seed and allocation skew) into the
 * directory `dir`: trace.jsonl, state.json and the four economic
 * artifacts. *out gets the run's report, trace_hex the SHA-256 of
 * trace.jsonl. With `verdicts_out`, records the signature verdicts the fold
 * used there (ahead_record). 0 or an exit code after reporting as `cmd`. */
int evidence_derive(const char *cmd, const char *log, const char *dir, report *out, char trace_hex[65],
                    const char *verdicts_out);

/* replay_consistency.json for `runs` reports (run k's at reports[k]);
 * `build` is stolen. NULL when out of memory. */
json_t *evidence_consistency_json(const report *reports, uint64_t runs, json_t *build);

/* statement.json: the digests of the log and of every file in `dir` but the
 * statement, sorted by name, and the predicate from run 1's report; the
 * digest of trace.jsonl is `trace_hex` when not NULL. NULL after reporting
 * when a file cannot be read. */
json_t *evidence_statement_json(const char *cmd, const char *log, const char *dir, const report *r,
                                const char *trace_hex);

/* DSSE's pre-authentication encoding of a payload (malloc'd, *len_out
 * bytes); NULL when out of memory. */
unsigned char *evidence_dsse_pae(const char *type, const unsigned char *body, size_t body_len,
                                 size_t *len_out);

#endif
