/* Shared helpers of the qfs command: exit codes, error reporting, option
 * parsing. The command uses only the public headers in include/qfs/. */
#ifndef QFS_CLI_H
#define QFS_CLI_H

#include "qfs/qfs.h"

#include <stdio.h>

/* Exit codes, fixed from the first release on (README.md lists them). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_MISMATCH 1 /* a verification did not match */
#define CLI_EXIT_USAGE 2    /* bad command line */
#define CLI_EXIT_DATA 65    /* bad input data or a corrupt log */
#define CLI_EXIT_IO 74      /* I/O error (or memory exhausted) */

/* The exit code for a library error. */
int cli_exit_for(qfs_err err);

/* Prints "qfs CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "qfs CMD: PATH: [line L: ][byte offset X: ][event N: ]message" for a
 * library error with its diagnostic, and returns the matching exit code. */
int cli_fail(const char *cmd, const char *path, qfs_err err, const qfs_diag *diag);

/* Prints a usage error and the hint to use --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Option matching. If argv[*i] is `name` (then the value is argv[*i + 1]) or
 * `name=value`, stores the value, advances *i past it and returns 1. Returns
 * -1 when the option is present without a value (after printing a usage
 * error), 0 when argv[*i] is another argument. */
int cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name, const char **value);

/* Parses a decimal uint64 option value; prints a usage error on failure. */
int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out);

/* 1 when argv[i] is "--help" or "-h". */
int cli_is_help(const char *arg);

/* Writes all bytes to stdout; returns 0 or CLI_EXIT_IO after reporting. */
int cli_write_stdout(const char *cmd, const void *data, size_t len);

/* Flushes stdout and reports a write error (e.g. EPIPE, ENOSPC) as exit 74. */
int cli_finish_stdout(const char *cmd);

/* Opens `path` for reading, requiring this build's event schema, and creates
 * the decode arena to go with it. Returns 0, or an exit code after reporting
 * (nothing is left open then). */
int cli_open_log(const char *cmd, const char *path, qfs_log_reader **reader, qfs_arena **arena);

/* splitmix64: the step a stream adds to its state, and the mix of one value.
 * Fully specified, so a second implementation reproduces simulated logs and
 * the table seeds of --runs. */
#define CLI_SPLITMIX_STEP 0x9e3779b97f4a7c15ULL
uint64_t cli_splitmix64(uint64_t z);

/* Prints "qfs CMD: VERB N events in S.mmm s: R events/s[ SUFFIX]" on stderr. */
void cli_print_rate(const char *cmd, const char *verb, uint64_t events, uint64_t elapsed_ns,
                    const char *suffix);

/* Reads and decodes the next event (scratch in `arena`, reset here). Returns
 * 0 with *ev and *index set, CLI_NEXT_END at the clean end of the log, or an
 * exit code after reporting; *why (may be NULL) gets the library error. */
#define CLI_NEXT_END (-1)
int cli_next_event(const char *cmd, const char *path, qfs_log_reader *r, qfs_arena *arena, qfs_event *ev,
                   uint64_t *index, qfs_err *why);

/* cli_next_event without the report and without resetting the arena: the
 * library error, with `diag` naming the event and its record's offset. */
qfs_err cli_read_event(qfs_log_reader *r, qfs_arena *arena, qfs_event *ev, uint64_t *index, qfs_diag *diag);

/* 1 when stderr is a terminal (progress output goes there only then). */
int cli_stderr_is_tty(void);

/* Subcommands. */
int cmd_append(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv); /* only with QFS_HAVE_SERVE */
int cmd_state(int argc, char **argv);
int cmd_vectors(int argc, char **argv);

#endif
