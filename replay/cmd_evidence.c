/* qfs evidence LOG -o DIR: an evidence bundle (docs/EVIDENCE.md) that a
 * third party re-derives from the log alone. */
#include "build_info.h"
#include "evidence_derive.h"
#include "keyfile.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char EVIDENCE_HELP[] =
    "usage: qfs evidence LOG -o DIR [--runs N] [--expect HEX] [--sign-key FILE] [--force]\n"
    "       qfs evidence verify DIR LOG [--pubkey FILE]\n"
    "\n"
    "Replays LOG once and writes an evidence bundle into the directory DIR:\n"
    "state.json (the final state, as 'qfs state' prints it), trace.jsonl (one\n"
    "receipt per event, as 'qfs replay --trace' writes it, with the signer of\n"
    "each signed event), nod_distribution.json, rewards.json, checkpoints.json,\n"
    "governance.json, replay_consistency.json (N independent replays, each in a\n"
    "fresh process with its own table seed and allocation pattern, and the build\n"
    "that ran them) and statement.json (an in-toto Statement v1 naming the log and\n"
    "every artifact by its SHA-256). Every file is canonical JSON; the same binary\n"
    "writes the same bytes for the same log. The bundle is written into a\n"
    "temporary directory beside DIR and moved into place whole, or not at all.\n"
    "docs/EVIDENCE.md documents every file.\n"
    "\n"
    "'verify' re-derives every artifact from LOG and compares them byte for byte,\n"
    "checks the runs of replay_consistency.json (not its build, which belongs to\n"
    "the binary that wrote it), every digest of the statement and, with --pubkey,\n"
    "the signature of statement.dsse.json.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR  the bundle directory to create\n"
    "  --runs N          independent replays recorded in replay_consistency.json\n"
    "                    (1 to 64, default 5); the evidence fold is run 1, the\n"
    "                    others run beside it (after it for a signed log, taking\n"
    "                    its signature verdicts, as 'qfs replay --runs' does)\n"
    "  --expect HEX      exit 1, writing nothing, unless the state hash equals HEX\n"
    "  --sign-key FILE   also write statement.dsse.json: the statement in a DSSE\n"
    "                    envelope signed with this 'qfs keygen' key file (Ed25519)\n"
    "  --force           replace DIR if it is an evidence bundle (DIR may not be\n"
    "                    a symbolic link)\n"
    "  --pubkey FILE     (verify) the signer's public key: the 64 hex digits that\n"
    "                    'qfs keygen' prints\n"
    "\n"
    "exit codes: 0 ok (verify: everything matches), 1 the state hash is not the\n"
    "            expected one, the runs disagree, or (verify) an artifact, digest or\n"
    "            signature does not match, 2 usage or DIR exists, 65 corrupt or\n"
    "            invalid log, or (verify) a malformed bundle (a file missing, not\n"
    "            a regular file, or not a bundle file), 74 I/O error (verify: DIR\n"
    "            does not exist or cannot be read)\n";

#define RUNS_DEFAULT 5

/* --force may replace only a directory that holds nothing but bundle files:
 * never a directory of other things named by mistake. 0 or an exit code. */
static int check_replaceable(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOTDIR)
            cli_error(EVIDENCE_CMD, "%s: exists and is not a directory; not replaced", dir);
        else
            cli_error(EVIDENCE_CMD, "%s: %s", dir, strerror(errno));
        return errno == ENOTDIR ? CLI_EXIT_USAGE : CLI_EXIT_IO;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || bundle_is_name(e->d_name))
            continue;
        cli_error(EVIDENCE_CMD, "%s: not an evidence bundle (it holds '%s'); not replaced", dir, e->d_name);
        rc = CLI_EXIT_USAGE;
    }
    closedir(d);
    return rc;
}

/* Moves the finished bundle `tmp` to `dir`. An existing `dir` (--force) is
 * first moved aside, then removed: at no moment does `dir` hold a mix. */
static int publish(const char *tmp, const char *dir, int force)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (rename(tmp, dir) == 0)
            return 0;
        cli_error(EVIDENCE_CMD, "%s: cannot create: %s", dir, strerror(errno));
        return errno == EEXIST || errno == ENOTEMPTY ? CLI_EXIT_USAGE : CLI_EXIT_IO;
    }
    if (!force) {
        cli_error(EVIDENCE_CMD, "%s: exists; use --force to replace it", dir);
        return CLI_EXIT_USAGE;
    }
    char old[EVIDENCE_PATH_BYTES_MAX + 32];
    snprintf(old, sizeof old, "%s.old-XXXXXX", dir);
    if (!mkdtemp(old) || rename(dir, old) != 0) {
        cli_error(EVIDENCE_CMD, "%s: cannot move the old bundle aside: %s", dir, strerror(errno));
        rmdir(old);
        return CLI_EXIT_IO;
    }
    if (rename(tmp, dir) != 0) {
        int e = errno;
        rename(old, dir);
        cli_error(EVIDENCE_CMD, "%s: cannot create: %s", dir, strerror(e));
        return CLI_EXIT_IO;
    }
    bundle_remove_dir(old);
    return 0;
}

/* The runs 2..N, in fresh processes beside the evidence fold. */
typedef struct runs_job {
    child kids[EVIDENCE_RUNS_MAX];
    const char *self;
    const char *log;
    uint64_t runs;
    int rc;
} runs_job;

/* Runs 2..N. Their errors would only repeat run 1's (a bad log): a run
 * that fails alone is named by its exit status. */
static void runs_go(runs_job *j, const char *verdicts_in)
{
    verify_opts vo = {.threads = 1, .quiet = 1, .verdicts_in = verdicts_in};
    j->rc = runs_range(j->kids, j->self, j->log, 1, j->runs, ahead_default_threads(), &vo);
}

/* Runs 2..N beside run 1: each verifies its own signatures (there are
 * none to verify in an unsigned log). */
static void *runs_thread(void *p)
{
    runs_go(p, NULL);
    return NULL;
}

/* 1 when the first genesis among the log's first events says its events
 * are signed (ed25519). It only chooses how runs 2..N are scheduled; a log
 * that cannot be read here is reported by the evidence fold. */
static int peek_signed(const char *log)
{
    qfs_log_reader *r = NULL;
    qfs_arena *arena = NULL;
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_diag diag;
    qfs_diag_clear(&diag);
    if (qfs_log_reader_open(&r, log, &schema, NULL, &diag) != QFS_OK)
        return 0;
    int found = 0, is_signed = 0;
    if (qfs_arena_create(&arena, 1 << 16) == QFS_OK) {
        for (int k = 0; k < 16 && !found; k++) {
            qfs_event ev;
            uint64_t index;
            qfs_arena_reset(arena);
            if (cli_read_event(r, arena, &ev, &index, &diag) != QFS_OK)
                break;
            if (ev.kind == QFS_EVENT_GENESIS) {
                found = 1;
                is_signed = ev.u.genesis.auth == QFS_AUTH_ED25519;
            }
        }
    }
    qfs_arena_free(arena);
    qfs_log_reader_free(r);
    return is_signed;
}

/* Collects runs 2..N into reports[1..]; 0 or an exit code after reporting.
 * `rc`: run 1's result; when it failed, so did the others, silently. */
static int runs_reports(runs_job *j, report *reports, int rc)
{
    rc = rc != 0 ? rc : j->rc;
    for (uint64_t k = 1; rc == 0 && k < j->runs; k++) {
        int st = j->kids[k].status;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            cli_error(EVIDENCE_CMD, "run %llu failed (%s %d)", (unsigned long long)k + 1,
                      WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            rc = WIFEXITED(st) && WEXITSTATUS(st) != 0 ? WEXITSTATUS(st) : CLI_EXIT_IO;
        } else if (!j->kids[k].report || runs_parse_report(&reports[k], j->kids[k].report) != 0) {
            cli_error(EVIDENCE_CMD, "run %llu wrote an unreadable report", (unsigned long long)k + 1);
            rc = CLI_EXIT_IO;
        }
    }
    for (uint64_t k = 1; k < j->runs; k++)
        free(j->kids[k].report);
    return rc;
}

static char *base64(const unsigned char *bin, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(cap);
    if (s)
        sodium_bin2base64(s, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* The envelope of `statement` (its file's bytes) signed by sk. */
static json_t *dsse_json(const char *statement, size_t len, const qfs_public_key *pk,
                         const uint8_t sk[QFS_SECRET_KEY_BYTES])
{
    size_t pae_len = 0;
    unsigned char *pae =
        evidence_dsse_pae(EVIDENCE_DSSE_PAYLOAD_TYPE, (const unsigned char *)statement, len, &pae_len);
    uint8_t sig[QFS_SIGNATURE_BYTES];
    if (!pae || qfs_auth_sign(sig, pae, pae_len, sk) != QFS_OK) {
        free(pae);
        return NULL;
    }
    free(pae);
    char keyid[2 * QFS_PUBLIC_KEY_BYTES + 1];
    keyfile_hex(keyid, pk->bytes);
    char *payload = base64((const unsigned char *)statement, len);
    char *sig64 = base64(sig, sizeof sig);
    json_t *o = payload && sig64
                    ? json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payload", payload, "payloadType",
                                EVIDENCE_DSSE_PAYLOAD_TYPE, "signatures", "keyid", keyid, "sig", sig64)
                    : NULL;
    free(payload);
    free(sig64);
    return o;
}

/* ---- qfs evidence LOG -o DIR ---- */

typedef struct create_opts {
    const char *cmd; /* the command named in messages */
    const char *log;
    const char *dir;
    const char *expect_hex;
    const char *key_path;
    uint64_t runs;
    int force;
    int quiet; /* no summary on stdout: the bundle is another command's input */
} create_opts;

/* Writes replay_consistency.json, statement.json and the envelope into tmp;
 * *disagree is set when the runs differ. */
static int finish_bundle(const create_opts *o, const char *tmp, report *reports, const char *trace_hex,
                         const qfs_public_key *pk, const uint8_t *sk, int *disagree)
{
    json_t *build = build_info_json();
    json_t *cons = build ? evidence_consistency_json(reports, o->runs, build) : NULL;
    if (!cons) {
        cli_error(o->cmd, "out of memory");
        return CLI_EXIT_IO;
    }
    *disagree = !json_is_true(json_object_get(cons, "all_equal"));
    int rc = evidence_write_json(o->cmd, tmp, BUNDLE_CONSISTENCY, cons);
    json_decref(cons);
    json_t *st = rc == 0 ? evidence_statement_json(o->cmd, o->log, tmp, &reports[0], trace_hex) : NULL;
    if (rc == 0 && !st)
        rc = CLI_EXIT_IO;
    if (rc == 0)
        rc = evidence_write_json(o->cmd, tmp, BUNDLE_STATEMENT, st);
    json_decref(st);
    if (rc == 0 && sk) {
        char path[EVIDENCE_PATH_BYTES_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", tmp, BUNDLE_STATEMENT);
        char *text = NULL;
        size_t len = 0;
        if (bundle_read_file(path, &text, &len) != 0) {
            cli_error(o->cmd, "%s: %s", path, strerror(errno));
            return CLI_EXIT_IO;
        }
        json_t *env = dsse_json(text, len, pk, sk);
        free(text);
        if (!env) {
            cli_error(o->cmd, "cannot sign the statement");
            return CLI_EXIT_IO;
        }
        rc = evidence_write_json(o->cmd, tmp, BUNDLE_DSSE, env);
        json_decref(env);
    }
    return rc;
}

static int evidence_create(const create_opts *o)
{
    struct stat st;
    if (lstat(o->dir, &st) == 0) {
        /* A bundle is published by renaming a directory onto DIR; a link
         * would be replaced by it, not the directory it points to. */
        if (S_ISLNK(st.st_mode)) {
            cli_error(EVIDENCE_CMD, "%s: a symbolic link; give the directory itself as DIR", o->dir);
            return CLI_EXIT_USAGE;
        }
        if (!o->force) {
            cli_error(o->cmd, "%s: exists; use --force to replace it", o->dir);
            return CLI_EXIT_USAGE;
        }
        int rc = check_replaceable(o->dir);
        if (rc != 0)
            return rc;
    }
    qfs_public_key pk;
    uint8_t sk[QFS_SECRET_KEY_BYTES];
    if (o->key_path) {
        int rc = keyfile_read(o->cmd, o->key_path, &pk, sk);
        if (rc != 0)
            return rc;
    }
    /* Beside DIR, so that the final rename stays on one file system. */
    char tmp[EVIDENCE_PATH_BYTES_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", o->dir);
    if (!mkdtemp(tmp)) {
        cli_error(o->cmd, "%s: cannot create a temporary directory beside it: %s", o->dir, strerror(errno));
        qfs_auth_wipe(sk, sizeof sk);
        return CLI_EXIT_IO;
    }
    /* mkdtemp makes it 0700; a bundle is for others to read. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmp, 0777 & ~mask);
    evidence_cleanup_arm(tmp);
    static runs_job job;
    memset(&job, 0, sizeof job);
    job.log = o->log;
    job.runs = o->runs;
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        job.self = self;
    }
    /* An unsigned log: runs 2..N replay beside the evidence fold. A signed
     * one: signatures cost far more than the fold, so run 1 records the
     * verdicts it used and runs 2..N take them after it, as `qfs replay
     * --runs` does (docs/SPEC.md 13.1). */
    char verdicts[EVIDENCE_PATH_BYTES_MAX + 64];
    snprintf(verdicts, sizeof verdicts, "%s/%s", tmp, EVIDENCE_VERDICTS_NAME);
    int after = o->runs > 1 && peek_signed(o->log);
    /* Runs spawned from a thread must exec a fresh image: a forked child
     * that replays in place (the fallback where this binary cannot be
     * executed, as under qemu-user) would inherit the locks the evidence
     * fold's threads hold and could hang. Without exec, runs 2..N go first,
     * from this single thread, before the fold starts any. */
    if (o->runs > 1 && !after && !runs_can_exec(job.self))
        job.self = NULL;
    pthread_t thread;
    int threaded = o->runs > 1 && !after && job.self && pthread_create(&thread, NULL, runs_thread, &job) == 0;
    if (o->runs > 1 && !after && !threaded)
        runs_go(&job, NULL);
    static report reports[EVIDENCE_RUNS_MAX];
    memset(reports, 0, sizeof reports);
    char trace_hex[EVIDENCE_SHA256_HEX_LEN + 1];
    int rc = evidence_derive(o->cmd, o->log, tmp, &reports[0], trace_hex, after ? verdicts : NULL);
    if (threaded)
        pthread_join(thread, NULL);
    if (after && rc == 0)
        runs_go(&job, verdicts);
    if (after)
        unlink(verdicts);
    if (o->runs > 1 && (rc == 0 || !after))
        rc = runs_reports(&job, reports, rc);
    if (rc == 0)
        rc = runs_check_expect(EVIDENCE_CMD, o->log, &reports[0], o->expect_hex, "; nothing written");
    int disagree = 0;
    if (rc == 0)
        rc = finish_bundle(o, tmp, reports, trace_hex, &pk, o->key_path ? sk : NULL, &disagree);
    qfs_auth_wipe(sk, sizeof sk);
    /* The other threads have ended: blocking here blocks the process. */
    evidence_cleanup_block(1);
    if (rc == 0)
        rc = publish(tmp, o->dir, o->force);
    if (rc != 0)
        bundle_remove_dir(tmp);
    evidence_cleanup_disarm();
    evidence_cleanup_block(0);
    if (rc != 0)
        return rc;
    if (disagree) {
        cli_error(o->cmd, "%s: the %llu runs do not agree (see %s/%s)", o->log, (unsigned long long)o->runs,
                  o->dir, BUNDLE_CONSISTENCY);
        return CLI_EXIT_MISMATCH;
    }
    if (o->quiet)
        return 0;
    printf("state hash: %s\nevents: %llu\nruns: %llu, all agree\nbundle: %s%s\n", reports[0].state_hex,
           (unsigned long long)reports[0].events, (unsigned long long)o->runs, o->dir,
           o->key_path ? " (signed)" : "");
    return cli_finish_stdout(EVIDENCE_CMD);
}

int evidence_bundle_create(const char *cmd, const char *log, const char *dir, uint64_t runs)
{
    if (strlen(log) > EVIDENCE_PATH_BYTES_MAX || strlen(dir) > EVIDENCE_PATH_BYTES_MAX)
        return cli_usage_error(cmd, "path too long");
    if (bundle_is_name(evidence_log_name(log)))
        return cli_usage_error(cmd, "LOG may not be named like a bundle file ('%s')", evidence_log_name(log));
    create_opts o = {.cmd = cmd, .log = log, .dir = dir, .runs = runs, .quiet = 1};
    return evidence_create(&o);
}

int cmd_evidence(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return cmd_evidence_verify(argc - 1, argv + 1);
    create_opts o = {.cmd = EVIDENCE_CMD, .runs = RUNS_DEFAULT};
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(EVIDENCE_HELP, stdout);
            return cli_finish_stdout(EVIDENCE_CMD);
        }
        if ((m = cli_opt_value(EVIDENCE_CMD, argc, argv, &i, "--output", &v)) != 0 ||
            (m = cli_opt_value(EVIDENCE_CMD, argc, argv, &i, "-o", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            o.dir = v;
        } else if ((m = cli_opt_value(EVIDENCE_CMD, argc, argv, &i, "--runs", &v)) != 0) {
            if (m < 0 || cli_parse_u64(EVIDENCE_CMD, "--runs", v, &o.runs) != 0)
                return CLI_EXIT_USAGE;
            if (o.runs < 1 || o.runs > EVIDENCE_RUNS_MAX)
                return cli_usage_error(EVIDENCE_CMD, "--runs must be 1 to %d", EVIDENCE_RUNS_MAX);
        } else if ((m = cli_opt_value(EVIDENCE_CMD, argc, argv, &i, "--expect", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            qfs_hash128 h;
            if (qfs_hash128_parse(&h, v, strlen(v)) != QFS_OK)
                return cli_usage_error(EVIDENCE_CMD, "--expect needs 32 hex digits, not '%s'", v);
            o.expect_hex = v;
        } else if ((m = cli_opt_value(EVIDENCE_CMD, argc, argv, &i, "--sign-key", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            o.key_path = v;
        } else if (strcmp(argv[i], "--force") == 0) {
            o.force = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(EVIDENCE_CMD, "unknown option '%s'", argv[i]);
        } else if (!o.log) {
            o.log = argv[i];
        } else {
            return cli_usage_error(EVIDENCE_CMD, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!o.log)
        return cli_usage_error(EVIDENCE_CMD, "missing LOG");
    if (!o.dir)
        return cli_usage_error(EVIDENCE_CMD, "missing -o DIR");
    if (strlen(o.log) > EVIDENCE_PATH_BYTES_MAX || strlen(o.dir) > EVIDENCE_PATH_BYTES_MAX)
        return cli_usage_error(EVIDENCE_CMD, "path too long");
    /* The statement names the log by its file name beside the bundle's files. */
    if (bundle_is_name(evidence_log_name(o.log)))
        return cli_usage_error(EVIDENCE_CMD, "LOG may not be named like a bundle file ('%s')",
                               evidence_log_name(o.log));
    /* "DIR/" names DIR: the temporary directory goes beside it, not in it. */
    static char dir[EVIDENCE_PATH_BYTES_MAX + 1];
    snprintf(dir, sizeof dir, "%s", o.dir);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = '\0';
    o.dir = dir;
    return evidence_create(&o);
}
