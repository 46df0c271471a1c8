/* qfs replay LOG: fold a log and print its state hash; optionally N
 * independent replays in fresh processes that must agree. */
#include "runs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char HELP[] = "usage: qfs replay LOG [--expect HEX] [--runs N] [--json] [--modules] [--stats]\n"
                           "                      [--trace FILE|-] [--threads N] [--verify-all]\n"
                           "\n"
                           "Streams LOG through the state machine and prints the state hash (32 hex\n"
                           "digits), the number of events and of rejected events, the log's chain\n"
                           "head, and how its events are authenticated: 'ed25519', or 'none (events\n"
                           "are not signed)'. Every record is verified before its events are applied.\n"
                           "\n"
                           "options:\n"
                           "  --expect HEX   exit 1 unless the state hash equals HEX\n"
                           "  --runs N       N independent replays, each in a fresh process with its own\n"
                           "                 hash-table seed and allocation pattern; all must agree, or\n"
                           "                 exit 1 naming the runs and modules that differ (default 1);\n"
                           "                 runs 2..N take run 1's signature verdicts (docs/SPEC.md 13.1)\n"
                           "  --verify-all   with --runs, every run verifies every signature itself\n"
                           "  --threads N    threads verifying signatures ahead of the fold, the folding\n"
                           "                 thread included (default: the online processors); 0:\n"
                           "                 none, the fold verifies each signature as it applies the\n"
                           "                 event. No result depends on it\n"
                           "  --json         print one canonical JSON object\n"
                           "  --modules      also print the hash of every state module\n"
                           "  --stats        print events per second and rejections per code on stderr\n"
                           "  --decode-only  read, verify and decode every event but apply none: the\n"
                           "                 decode floor that --stats compares a replay against\n"
                           "  --trace FILE   write one JSON line per event: its index, kind, timestamp,\n"
                           "                 receipt (code and name) and, when signed, its signer; '-'\n"
                           "                 for standard output\n"
                           "  --table-seed S, --alloc-skew K\n"
                           "                 the perturbations --runs uses, for debugging a divergence\n"
                           "\n"
                           "exit codes: 0 ok, 1 hash mismatch or runs disagree, 2 usage, 65 corrupt,\n"
                           "            torn or invalid log, 74 I/O error\n";

#define RUNS_MAX 64
#define THREADS_MAX 256

typedef struct replay_out {
    qfs_hash128 state_hash;
    fold_result fold;
    ahead_stats verify;
} replay_out;

void runs_report_from_state(report *r, const qfs_state *s, const qfs_hash128 *state_hash,
                            const fold_result *fold)
{
    memset(r, 0, sizeof *r);
    qfs_hash128_hex(state_hash, r->state_hex);
    qfs_hash128_hex(&fold->chain_head, r->chain_hex);
    r->events = fold->events;
    r->rejected = fold->rejected;
    const char *mode = qfs_auth_mode_name(qfs_state_auth_mode(s));
    snprintf(r->auth, sizeof r->auth, "%s", mode ? mode : "unset");
    r->module_count = qfs_state_module_count();
    QFS_ASSERT(r->module_count <= MODULES_MAX);
    for (size_t i = 0; i < r->module_count; i++) {
        qfs_hash128 h;
        qfs_state_module_hash(s, i, &h);
        qfs_hash128_hex(&h, r->module_hex[i]);
        snprintf(r->module_name[i], sizeof r->module_name[i], "%s", qfs_state_module_name(i));
    }
}

/* The line-oriented report a child of --runs writes for its parent: one
 * "name value" pair per line, so that differences name their line. */
static void print_child_report(const report *r)
{
    printf("state_hash %s\nevents %llu\nrejected %llu\nchain_head %s\nauthentication %s\n", r->state_hex,
           (unsigned long long)r->events, (unsigned long long)r->rejected, r->chain_hex, r->auth);
    for (size_t i = 0; i < r->module_count; i++)
        printf("module:%s %s\n", r->module_name[i], r->module_hex[i]);
}

/* Parses print_child_report's output; 0 on success. */
int runs_parse_report(report *r, const char *text)
{
    memset(r, 0, sizeof *r);
    unsigned long long events, rejected;
    int used = 0;
    if (sscanf(text, "state_hash %32s events %llu rejected %llu chain_head %32s authentication %15s%n",
               r->state_hex, &events, &rejected, r->chain_hex, r->auth, &used) != 5)
        return -1;
    r->events = events;
    r->rejected = rejected;
    text += used;
    for (;;) {
        char name[40], hex[QFS_HASH128_HEX_LEN + 1];
        if (sscanf(text, " module:%39s %32s%n", name, hex, &used) != 2)
            break;
        if (r->module_count == MODULES_MAX)
            return -1;
        snprintf(r->module_name[r->module_count], sizeof r->module_name[0], "%s", name);
        memcpy(r->module_hex[r->module_count], hex, sizeof hex);
        r->module_count++;
        text += used;
    }
    return 0;
}

/* What the log's genesis says of its events' signatures, in plain words. */
static const char *auth_words(const char *mode)
{
    if (strcmp(mode, "ed25519") == 0)
        return "ed25519";
    if (strcmp(mode, "none") == 0)
        return "none (events are not signed)";
    return "unknown (no accepted genesis)";
}

static void print_result(const report *r, int json, int modules, uint64_t runs)
{
    if (json) {
        if (strcmp(r->auth, "unset") == 0)
            printf("{\"authentication\":null,");
        else
            printf("{\"authentication\":\"%s\",", r->auth);
        printf("\"chain_head\":\"%s\",\"events\":%llu,", r->chain_hex, (unsigned long long)r->events);
        if (modules) {
            /* Module names in sorted order keep the JSON canonical. */
            size_t order[MODULES_MAX];
            for (size_t i = 0; i < r->module_count; i++)
                order[i] = i;
            for (size_t i = 1; i < r->module_count; i++)
                for (size_t j = i;
                     j > 0 && strcmp(r->module_name[order[j - 1]], r->module_name[order[j]]) > 0; j--) {
                    size_t t = order[j];
                    order[j] = order[j - 1];
                    order[j - 1] = t;
                }
            printf("\"modules\":{");
            for (size_t k = 0; k < r->module_count; k++)
                printf("%s\"%s\":\"%s\"", k ? "," : "", r->module_name[order[k]], r->module_hex[order[k]]);
            printf("},");
        }
        printf("\"rejected\":%llu,", (unsigned long long)r->rejected);
        if (runs > 1)
            printf("\"runs\":%llu,", (unsigned long long)runs);
        printf("\"state_hash\":\"%s\"}\n", r->state_hex);
        return;
    }
    printf("state hash: %s\nevents: %llu\nrejected: %llu\nchain head: %s\nauthentication: %s\n", r->state_hex,
           (unsigned long long)r->events, (unsigned long long)r->rejected, r->chain_hex, auth_words(r->auth));
    if (runs > 1)
        printf("runs: %llu, all agree\n", (unsigned long long)runs);
    if (modules)
        for (size_t i = 0; i < r->module_count; i++)
            printf("module %s: %s\n", r->module_name[i], r->module_hex[i]);
}

/* Exit 1 unless the printed state hash is the expected one. */
int runs_check_expect(const char *cmd, const char *path, const report *r, const char *expect_hex,
                      const char *after)
{
    if (!expect_hex)
        return 0;
    char want[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128 h;
    qfs_hash128_parse(&h, expect_hex, strlen(expect_hex));
    qfs_hash128_hex(&h, want);
    if (strcmp(want, r->state_hex) == 0)
        return 0;
    cli_error(cmd, "%s: state hash %s does not match the expected %s%s", path, r->state_hex, want, after);
    return CLI_EXIT_MISMATCH;
}

/* Replays in this process. `skew` shifts the allocation pattern: blocks of
 * varying sizes are held for the whole run so that every later address
 * differs from another run's. */
static int replay_here(const char *path, uint64_t table_seed, uint64_t skew, FILE *trace,
                       const verify_opts *vo, qfs_state **state_out, replay_out *o)
{
    void *held[16] = {0};
    for (uint64_t k = 0; k < skew % 16; k++)
        held[k] = malloc((size_t)(4096 * (k + 1) + 24 * skew));
    ahead *a = NULL;
    qfs_state *s = NULL;
    int rc = 0;
    /* --threads 0: nothing ahead, the fold verifies every signature. */
    int want = vo->threads || vo->verdicts_in || vo->verdicts_out;
    unsigned threads = vo->verdicts_in || !vo->threads ? 1u : vo->threads;
    qfs_err err = want ? ahead_create(&a, threads) : QFS_OK;
    if (err != QFS_OK)
        rc = cli_fail("replay", path, err, NULL);
    if (rc == 0 && vo->verdicts_out)
        rc = ahead_record(a, "replay", vo->verdicts_out);
    if (rc == 0 && vo->verdicts_in)
        rc = ahead_load(a, "replay", vo->verdicts_in);
    if (rc == 0) {
        qfs_state_options opt = {
            .table_seed = table_seed, .verify_hint = a ? ahead_hint : NULL, .verify_ctx = a};
        err = qfs_state_create(&s, &opt);
        if (err != QFS_OK)
            rc = cli_fail("replay", path, err, NULL);
    }
    if (rc == 0)
        rc = fold_log("replay", path, s, UINT64_MAX, trace, a, &o->fold);
    if (rc == 0 && vo->verdicts_out)
        rc = ahead_record_close(a, "replay", o->fold.events, &o->fold.chain_head);
    if (rc == 0 && a)
        rc = ahead_check_loaded(a, "replay", o->fold.events, &o->fold.chain_head);
    if (rc == 0) {
        qfs_state_hash(s, &o->state_hash);
        if (a)
            ahead_get_stats(a, &o->verify);
    }
    for (size_t k = 0; k < 16; k++)
        free(held[k]);
    if (rc != 0) {
        qfs_state_free(s);
        ahead_free(a);
        return rc;
    }
    /* The state applies nothing more, so its hint is not called again. */
    ahead_free(a);
    *state_out = s;
    return 0;
}

uint64_t runs_seed(uint64_t run)
{
    /* splitmix64 of the run number: well-spread, reproducible table seeds. */
    return cli_splitmix64((run + 1) * CLI_SPLITMIX_STEP);
}

/* The whole of a --runs child: replay, then the line report on stdout. */
static int replay_child(const char *path, uint64_t table_seed, uint64_t skew, const verify_opts *vo)
{
    qfs_state *s = NULL;
    replay_out o;
    memset(&o, 0, sizeof o);
    int rc = replay_here(path, table_seed, skew, NULL, vo, &s, &o);
    if (rc != 0)
        return rc;
    report r;
    runs_report_from_state(&r, s, &o.state_hash, &o.fold);
    qfs_state_free(s);
    print_child_report(&r);
    return cli_finish_stdout("replay");
}

int runs_can_exec(const char *self)
{
    if (!self)
        return 0;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        char *args[] = {(char *)"qfs", (char *)"--version", NULL};
        execv(self, args);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return 0;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int runs_spawn(child *c, const char *self, const char *path, uint64_t run, const verify_opts *vo)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    char seed_arg[32], skew_arg[32], threads_arg[32];
    snprintf(seed_arg, sizeof seed_arg, "%llu", (unsigned long long)runs_seed(run));
    snprintf(skew_arg, sizeof skew_arg, "%llu", (unsigned long long)(runs_skew(run)));
    snprintf(threads_arg, sizeof threads_arg, "%u", vo->threads);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(CLI_EXIT_IO);
        close(fds[1]);
        if (vo->quiet) {
            int null_fd = open("/dev/null", O_WRONLY);
            if (null_fd >= 0 && dup2(null_fd, STDERR_FILENO) >= 0)
                close(null_fd);
        }
        char *args[16] = {
            (char *)"qfs",          (char *)"replay", (char *)path,           (char *)"--child-report",
            (char *)"--table-seed", seed_arg,         (char *)"--alloc-skew", skew_arg,
            (char *)"--threads",    threads_arg};
        int n = 10;
        if (vo->verdicts_out) {
            args[n++] = (char *)"--verdicts-out";
            args[n++] = (char *)vo->verdicts_out;
        }
        if (vo->verdicts_in) {
            args[n++] = (char *)"--verdicts-in";
            args[n++] = (char *)vo->verdicts_in;
        }
        args[n] = NULL;
        if (self)
            execv(self, args);
        /* No fresh image to be had (no /proc, or an emulator without
         * binfmt_misc): replay in this forked child instead. It still has
         * its own seed and allocation skew, but it shares the parent's
         * address layout, so address leaks are less likely to show. */
        _exit(replay_child(path, runs_seed(run), runs_skew(run), vo));
    }
    close(fds[1]);
    c->pid = pid;
    c->fd = fds[0];
    return 0;
}

/* Reads a child's report and reaps it. A report is a few hundred bytes; one
 * that does not fit in REPORT_BYTES_MAX is cut there and then fails to parse. */
#define REPORT_BYTES_MAX 16384
void runs_collect(child *c)
{
    static char buf[REPORT_BYTES_MAX];
    c->len = 0;
    for (;;) {
        char sink[512];
        int full = c->len + 1 >= sizeof buf;
        ssize_t n =
            full ? read(c->fd, sink, sizeof sink) : read(c->fd, buf + c->len, sizeof buf - c->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (!full)
            c->len += (size_t)n;
    }
    buf[c->len] = '\0';
    c->report = strdup(buf);
    close(c->fd);
    while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR) {
    }
}

/* Names the lines (modules, root) where report b differs from report a. */
static void print_differences(const char *a, const char *b, uint64_t run_a, uint64_t run_b)
{
    while (*a || *b) {
        const char *ea = strchr(a, '\n');
        const char *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a);
        size_t lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0) {
            const char *sp = memchr(a, ' ', la);
            int name_len = sp ? (int)(sp - a) : (int)la;
            fprintf(stderr, "qfs replay:   %.*s differs: run %llu has %.*s, run %llu has %.*s\n", name_len, a,
                    (unsigned long long)run_a, (int)la - name_len - (sp ? 1 : 0), sp ? sp + 1 : "",
                    (unsigned long long)run_b, (int)lb - name_len - (sp ? 1 : 0),
                    lb > (size_t)name_len ? b + name_len + 1 : "");
        }
        a = ea ? ea + 1 : a + la;
        b = eb ? eb + 1 : b + lb;
    }
}

/* Runs [from, to) of --runs, at most `parallel` at a time. Returns 0, or
 * CLI_EXIT_IO after reaping the runs already started. */
int runs_range(child *kids, const char *self, const char *path, uint64_t from, uint64_t to, uint64_t parallel,
               const verify_opts *vo)
{
    uint64_t started = from, done = from;
    while (done < to) {
        while (started < to && started - done < parallel) {
            if (runs_spawn(&kids[started], self, path, started, vo) != 0) {
                cli_error("replay", "cannot start run %llu: %s", (unsigned long long)started + 1,
                          strerror(errno));
                for (uint64_t k = done; k < started; k++)
                    runs_collect(&kids[k]);
                return CLI_EXIT_IO;
            }
            started++;
        }
        runs_collect(&kids[done]);
        done++;
    }
    return 0;
}

static int replay_runs(const char *path, uint64_t runs, const char *expect_hex, int json, int modules,
                       int stats, unsigned threads, int verify_all)
{
    uint64_t start_ns = fold_now_ns();
    char self_buf[4096];
    ssize_t n = readlink("/proc/self/exe", self_buf, sizeof self_buf - 1);
    const char *self = NULL;
    if (n > 0) {
        self_buf[n] = '\0';
        self = self_buf;
    }
    child kids[RUNS_MAX];
    memset(kids, 0, sizeof kids);
    int rc = 0;
    verify_opts vo = {.threads = threads};
    char dir[256];
    char record_path[sizeof dir + 16];
    if (verify_all) {
        /* Every run verifies every signature: two at a time, the threads
         * shared between them. */
        vo.threads = threads > 1 ? threads / 2 : threads;
        rc = runs_range(kids, self, path, 0, runs, 2, &vo);
    } else {
        /* Run 1 verifies every signature with all the threads and records
         * the verdicts its fold used; runs 2..N take them and derive all
         * else themselves (docs/SPEC.md 13.1). They verify nothing, so as
         * many run at a time as there are processors. */
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp || strlen(tmp) > sizeof dir - 32)
            tmp = "/tmp";
        snprintf(dir, sizeof dir, "%s/qfs-verdicts-XXXXXX", tmp);
        if (!mkdtemp(dir)) {
            cli_error("replay", "cannot create a temporary directory in %s: %s", tmp, strerror(errno));
            return CLI_EXIT_IO;
        }
        snprintf(record_path, sizeof record_path, "%s/verdicts", dir);
        vo.verdicts_out = record_path;
        vo.threads = threads ? threads : 1;
        rc = runs_range(kids, self, path, 0, 1, 1, &vo);
        if (rc == 0 && WIFEXITED(kids[0].status) && WEXITSTATUS(kids[0].status) == 0) {
            vo.verdicts_out = NULL;
            vo.verdicts_in = record_path;
            vo.threads = 1;
            rc = runs_range(kids, self, path, 1, runs, ahead_default_threads(), &vo);
        } else if (rc == 0) {
            /* Run 1 failed: the others would only repeat its report. */
            runs = 1;
        }
        unlink(record_path);
        rmdir(dir);
    }
    if (rc != 0) {
        for (uint64_t k = 0; k < runs; k++)
            free(kids[k].report);
        return rc;
    }
    for (uint64_t k = 0; k < runs; k++)
        if (!kids[k].report && rc == 0) {
            cli_error("replay", "out of memory collecting the run reports");
            rc = CLI_EXIT_IO;
        }
    for (uint64_t k = 0; k < runs; k++) {
        int st = kids[k].status;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            /* A run killed by a signal (memory exhausted, a crash) is not a
             * verdict on the data. */
            int code = WIFEXITED(st) ? WEXITSTATUS(st) : CLI_EXIT_IO;
            cli_error("replay", "run %llu failed (%s %d)", (unsigned long long)k + 1,
                      WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            if (rc == 0)
                rc = code == 0 ? CLI_EXIT_DATA : code;
        }
    }
    if (rc == 0) {
        int agree = 1; /* every report is present: rc would be set otherwise */
        for (uint64_t k = 1; k < runs; k++) {
            if (strcmp(kids[k].report, kids[0].report) != 0) {
                if (agree)
                    cli_error("replay", "%s: the %llu runs do not agree:", path, (unsigned long long)runs);
                agree = 0;
                cli_error("replay", "run %llu differs from run 1:", (unsigned long long)k + 1);
                print_differences(kids[0].report, kids[k].report, 1, k + 1);
            }
        }
        if (!agree)
            rc = CLI_EXIT_MISMATCH;
    }
    if (rc == 0) {
        report r;
        if (runs_parse_report(&r, kids[0].report) != 0) {
            cli_error("replay", "run 1 wrote an unreadable report");
            rc = CLI_EXIT_IO;
        } else {
            print_result(&r, json, modules, runs);
            if (stats) {
                uint64_t ns = fold_now_ns() - start_ns;
                fprintf(
                    stderr,
                    "qfs replay: %llu runs of %llu events in %llu.%03llu s (each in its own process; %s)\n",
                    (unsigned long long)runs, (unsigned long long)r.events,
                    (unsigned long long)(ns / 1000000000u), (unsigned long long)(ns / 1000000u % 1000u),
                    verify_all ? "each verified every signature" : "runs 2.. used run 1's verdicts");
            }
            rc = cli_finish_stdout("replay");
            if (rc == 0)
                rc = runs_check_expect("replay", path, &r, expect_hex, "");
        }
    }
    for (uint64_t k = 0; k < runs; k++)
        free(kids[k].report);
    return rc;
}

int cmd_replay(int argc, char **argv)
{
    const char *path = NULL;
    const char *expect_hex = NULL;
    const char *trace_path = NULL;
    uint64_t runs = 1, table_seed = 0, skew = 0, threads = ahead_default_threads();
    int json = 0, modules = 0, stats = 0, child_report = 0, decode_only = 0, verify_all = 0;
    verify_opts vo = {0};
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("replay");
        }
        if ((m = cli_opt_value("replay", argc, argv, &i, "--expect", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            qfs_hash128 h;
            if (qfs_hash128_parse(&h, v, strlen(v)) != QFS_OK)
                return cli_usage_error("replay", "--expect needs 32 hex digits, not '%s'", v);
            expect_hex = v;
        } else if ((m = cli_opt_value("replay", argc, argv, &i, "--trace", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            trace_path = v;
        } else if ((m = cli_opt_value("replay", argc, argv, &i, "--runs", &v)) != 0) {
            if (m < 0 || cli_parse_u64("replay", "--runs", v, &runs) != 0)
                return CLI_EXIT_USAGE;
            if (runs < 1 || runs > RUNS_MAX)
                return cli_usage_error("replay", "--runs must be 1 to %d", RUNS_MAX);
        } else if ((m = cli_opt_value("replay", argc, argv, &i, "--table-seed", &v)) != 0) {
            if (m < 0 || cli_parse_u64("replay", "--table-seed", v, &table_seed) != 0)
                return CLI_EXIT_USAGE;
        } else if ((m = cli_opt_value("replay", argc, argv, &i, "--alloc-skew", &v)) != 0) {
            if (m < 0 || cli_parse_u64("replay", "--alloc-skew", v, &skew) != 0)
                return CLI_EXIT_USAGE;
        } else if ((m = cli_opt_value("replay", argc, argv, &i, "--threads", &v)) != 0) {
            if (m < 0 || cli_parse_u64("replay", "--threads", v, &threads) != 0)
                return CLI_EXIT_USAGE;
            if (threads > THREADS_MAX)
                return cli_usage_error("replay", "--threads must be 0 to %d", THREADS_MAX);
        } else if ((m = cli_opt_value("replay", argc, argv, &i, "--verdicts-out", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            vo.verdicts_out = v;
        } else if ((m = cli_opt_value("replay", argc, argv, &i, "--verdicts-in", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            vo.verdicts_in = v;
        } else if (strcmp(argv[i], "--verify-all") == 0) {
            verify_all = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--modules") == 0) {
            modules = 1;
        } else if (strcmp(argv[i], "--stats") == 0) {
            stats = 1;
        } else if (strcmp(argv[i], "--decode-only") == 0) {
            decode_only = 1;
        } else if (strcmp(argv[i], "--child-report") == 0) {
            child_report = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("replay", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error("replay", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path)
        return cli_usage_error("replay", "missing LOG");
    if (runs > 1 && trace_path)
        return cli_usage_error("replay", "--trace works with a single run");
    if (decode_only) {
        if (runs > 1 || trace_path || expect_hex || json || modules)
            return cli_usage_error("replay", "--decode-only takes only --stats");
        fold_result fr;
        int drc = fold_log("replay", path, NULL, UINT64_MAX, NULL, NULL, &fr);
        if (drc != 0)
            return drc;
        char chain[QFS_HASH128_HEX_LEN + 1];
        qfs_hash128_hex(&fr.chain_head, chain);
        printf("events: %llu\nchain head: %s\n", (unsigned long long)fr.events, chain);
        if (stats)
            cli_print_rate("replay", "decoded ", fr.events, fr.elapsed_ns, " (nothing applied)");
        return cli_finish_stdout("replay");
    }
    vo.threads = (unsigned)threads;
    if (runs > 1)
        return replay_runs(path, runs, expect_hex, json, modules, stats, vo.threads, verify_all);

    qfs_state *s = NULL;
    replay_out o;
    memset(&o, 0, sizeof o);
    FILE *trace = NULL;
    if (trace_path) {
        trace = strcmp(trace_path, "-") == 0 ? stdout : fopen(trace_path, "w");
        if (!trace) {
            cli_error("replay", "%s: %s", trace_path, strerror(errno));
            return CLI_EXIT_IO;
        }
    }
    int rc = replay_here(path, table_seed, skew, trace, &vo, &s, &o);
    if (trace && trace != stdout && fclose(trace) != 0 && rc == 0) {
        cli_error("replay", "%s: %s", trace_path, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    if (rc != 0) {
        qfs_state_free(s);
        return rc;
    }
    report r;
    runs_report_from_state(&r, s, &o.state_hash, &o.fold);
    qfs_state_free(s);
    if (child_report)
        print_child_report(&r);
    else
        print_result(&r, json, modules, 1);
    if (stats) {
        cli_print_rate("replay", "", o.fold.events, o.fold.elapsed_ns, "");
        if (o.verify.answered || o.verify.unanswered)
            fprintf(
                stderr,
                "qfs replay: signatures: %llu verified ahead with %u threads; the fold took %llu verdicts "
                "and checked %llu itself\n",
                (unsigned long long)o.verify.checked_ahead, o.verify.threads,
                (unsigned long long)o.verify.answered, (unsigned long long)o.verify.unanswered);
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0)
            fprintf(stderr, "qfs replay: peak resident memory %ld KiB\n", ru.ru_maxrss);
        for (uint32_t code = 1; code <= QFS_REJECT_CODE_MAX; code++)
            if (o.fold.by_code[code])
                fprintf(stderr, "qfs replay:   rejected %-26s %llu\n", qfs_reject_str(code),
                        (unsigned long long)o.fold.by_code[code]);
    }
    rc = cli_finish_stdout("replay");
    if (rc == 0)
        rc = runs_check_expect("replay", path, &r, expect_hex, "");
    return rc;
}
