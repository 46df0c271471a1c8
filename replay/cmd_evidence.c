/* qfs evidence LOG -o DIR: an evidence bundle (docs/EVIDENCE.md) that a
 * third party re-derives from the log alone; qfs evidence verify DIR LOG. */
#include "build_info.h"
#include "bundle.h"
#include "hashed_writer.h"
#include "keyfile.h"
#include "runs.h"

#include "qfs/evidence.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char HELP[] =
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
    "  --force           replace DIR if it is an evidence bundle\n"
    "  --pubkey FILE     (verify) the signer's public key: the 64 hex digits that\n"
    "                    'qfs keygen' prints\n"
    "\n"
    "exit codes: 0 ok (verify: everything matches), 1 the state hash is not the\n"
    "            expected one, the runs disagree, or (verify) an artifact, digest or\n"
    "            signature does not match, 2 usage or DIR exists, 65 corrupt or\n"
    "            invalid log, or (verify) a malformed bundle, 74 I/O error\n";

#define CMD "evidence"
#define CMD_VERIFY "evidence verify"
#define RUNS_MAX 64
#define RUNS_DEFAULT 5
#define PREDICATE_TYPE "https://qfs.dev/evidence/v1"
#define STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define DSSE_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define SHA256_HEX_LEN 64
/* Run 1's signature verdicts for runs 2..N of a signed log, in the
 * temporary directory (removed before it is published). */
#define VERDICTS_NAME ".verdicts"
/* Longest DIR or LOG path handled; the bundle files' names are added to it. */
#define PATH_MAX_BYTES 3900

#ifndef QFS_VERSION_STRING
#define QFS_VERSION_STRING "0.0.0"
#endif

/* ---- files ---- */

/* Writes data[len] to dir/name and makes it durable; 0 or an exit code
 * after reporting. */
static int write_file(const char *cmd, const char *dir, const char *name, const void *data, size_t len)
{
    char path[PATH_MAX_BYTES + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        cli_error(cmd, "%s: cannot create: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
            close(fd);
            return CLI_EXIT_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    return 0;
}

/* Canonical JSON of `v` (sorted keys, compact, LF) into dir/name. */
static int write_json(const char *cmd, const char *dir, const char *name, const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!s) {
        cli_error(cmd, "out of memory");
        return CLI_EXIT_IO;
    }
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        cli_error(cmd, "out of memory");
        return CLI_EXIT_IO;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    int rc = write_file(cmd, dir, name, t, n + 1);
    free(t);
    return rc;
}

/* The file name of a path: what the statement calls the log. */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* 1 when `name` is a file a bundle may hold. */
static int is_bundle_name(const char *name)
{
    for (size_t i = 0; i < BUNDLE_FILES; i++)
        if (strcmp(name, BUNDLE_FILE_NAMES[i]) == 0)
            return 1;
    return strcmp(name, BUNDLE_DSSE) == 0;
}

/* Removes a bundle directory this command made (only the names a bundle
 * holds, then the directory). */
static void remove_bundle_dir(const char *dir)
{
    char path[PATH_MAX_BYTES + 64];
    for (size_t i = 0; i < BUNDLE_FILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_FILE_NAMES[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_DSSE);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s", dir, VERDICTS_NAME);
    unlink(path);
    rmdir(dir);
}

/* --force may replace only a directory that holds nothing but bundle files:
 * never a directory of other things named by mistake. 0 or an exit code. */
static int check_replaceable(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOTDIR)
            cli_error(CMD, "%s: exists and is not a directory; not replaced", dir);
        else
            cli_error(CMD, "%s: %s", dir, strerror(errno));
        return errno == ENOTDIR ? CLI_EXIT_USAGE : CLI_EXIT_IO;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || is_bundle_name(e->d_name))
            continue;
        cli_error(CMD, "%s: not an evidence bundle (it holds '%s'); not replaced", dir, e->d_name);
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
        cli_error(CMD, "%s: cannot create: %s", dir, strerror(errno));
        return errno == EEXIST || errno == ENOTEMPTY ? CLI_EXIT_USAGE : CLI_EXIT_IO;
    }
    if (!force) {
        cli_error(CMD, "%s: exists; use --force to replace it", dir);
        return CLI_EXIT_USAGE;
    }
    char old[PATH_MAX_BYTES + 32];
    snprintf(old, sizeof old, "%s.old-XXXXXX", dir);
    if (!mkdtemp(old) || rename(dir, old) != 0) {
        cli_error(CMD, "%s: cannot move the old bundle aside: %s", dir, strerror(errno));
        rmdir(old);
        return CLI_EXIT_IO;
    }
    if (rename(tmp, dir) != 0) {
        int e = errno;
        rename(old, dir);
        cli_error(CMD, "%s: cannot create: %s", dir, strerror(e));
        return CLI_EXIT_IO;
    }
    remove_bundle_dir(old);
    return 0;
}

/* ---- a signal while a temporary directory exists ---- */

/* The files of the temporary directory and the directory itself (last),
 * laid out before the handler may run: it only unlinks and removes. */
static char cleanup_paths[BUNDLE_FILES + 3][PATH_MAX_BYTES + 64];
static volatile sig_atomic_t cleanup_armed;
static const int CLEANUP_SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int sig)
{
    if (cleanup_armed) {
        for (size_t i = 0; i < BUNDLE_FILES + 2; i++)
            unlink(cleanup_paths[i]);
        rmdir(cleanup_paths[BUNDLE_FILES + 2]);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* From now on, SIGINT, SIGTERM or SIGHUP remove `dir` (a temporary
 * directory of bundle files) before they end the command. */
static void cleanup_arm(const char *dir)
{
    for (size_t i = 0; i < BUNDLE_FILES; i++)
        snprintf(cleanup_paths[i], sizeof cleanup_paths[i], "%s/%s", dir, BUNDLE_FILE_NAMES[i]);
    snprintf(cleanup_paths[BUNDLE_FILES], sizeof cleanup_paths[0], "%s/%s", dir, BUNDLE_DSSE);
    snprintf(cleanup_paths[BUNDLE_FILES + 1], sizeof cleanup_paths[0], "%s/%s", dir, VERDICTS_NAME);
    snprintf(cleanup_paths[BUNDLE_FILES + 2], sizeof cleanup_paths[0], "%s", dir);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof CLEANUP_SIGNALS / sizeof CLEANUP_SIGNALS[0]; i++)
        sigaction(CLEANUP_SIGNALS[i], &sa, NULL);
    cleanup_armed = 1;
}

/* Blocks (1) or unblocks (0) those signals in this thread, around the
 * renames that publish a bundle: no signal lands between them. */
static void cleanup_block(int block)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof CLEANUP_SIGNALS / sizeof CLEANUP_SIGNALS[0]; i++)
        sigaddset(&set, CLEANUP_SIGNALS[i]);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* ---- the evidence fold ---- */

typedef struct fold_ctx {
    qfs_evidence *ev;
    const char *log;
} fold_ctx;

static int observe(void *ctx, const qfs_state *s, uint64_t index, const qfs_event *e, const qfs_receipt *r)
{
    fold_ctx *c = ctx;
    qfs_err err = qfs_evidence_observe(c->ev, s, index, e, r);
    if (err == QFS_OK)
        return 0;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_diag_set_event(&diag, index);
    qfs_diag_set(&diag, "the evidence of this event cannot be recorded");
    return cli_fail(CMD, c->log, err, &diag);
}

/* Replays `log` as run 1 (its table seed and allocation skew) into the
 * directory `dir`: trace.jsonl, state.json and the four economic
 * artifacts. *out gets the run's report, trace_hex the SHA-256 of
 * trace.jsonl (hashed as it is written, off the folding thread). 0 or an
 * exit code after reporting as `cmd`. */
static int derive(const char *cmd, const char *log, const char *dir, report *out, char trace_hex[65],
                  const char *verdicts_out)
{
    void *held[16] = {0};
    uint64_t skew = runs_skew(0);
    for (uint64_t k = 0; k < skew % 16; k++)
        held[k] = malloc((size_t)(4096 * (k + 1) + 24 * skew));
    char path[PATH_MAX_BYTES + 64];
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    ahead *a = NULL;
    qfs_state *s = NULL;
    qfs_evidence *ev = NULL;
    hwriter *trace = NULL;
    int rc = 0;
    qfs_err err = ahead_create(&a, ahead_default_threads());
    if (err == QFS_OK) {
        qfs_state_options opt = {.table_seed = runs_seed(0), .verify_hint = ahead_hint, .verify_ctx = a};
        err = qfs_state_create(&s, &opt);
    }
    if (err == QFS_OK)
        err = qfs_evidence_create(&ev);
    if (err != QFS_OK)
        rc = cli_fail(cmd, log, err, NULL);
    if (rc == 0 && verdicts_out)
        rc = ahead_record(a, cmd, verdicts_out);
    if (rc == 0 && hwriter_open(&trace, path) != 0) {
        cli_error(cmd, "%s: cannot create: %s", path, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    fold_result fr;
    memset(&fr, 0, sizeof fr);
    if (rc == 0) {
        fold_ctx fc = {.ev = ev, .log = log};
        rc = fold_log_hooked(cmd, log, s, UINT64_MAX, hwriter_file(trace), a, observe, &fc, &fr);
    }
    if (rc == 0 && verdicts_out)
        rc = ahead_record_close(a, cmd, fr.events, &fr.chain_head);
    if (rc == 0)
        rc = ahead_check_loaded(a, cmd, fr.events, &fr.chain_head);
    if (hwriter_close(trace, trace_hex) != 0 && rc == 0) {
        cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    ahead_free(a);
    if (rc == 0) {
        qfs_hash128 h;
        qfs_state_hash(s, &h);
        runs_report_from_state(out, s, &h, &fr);
        char *json = NULL;
        size_t len = 0;
        err = qfs_state_to_json(s, NULL, &json, &len);
        rc = err != QFS_OK ? cli_fail(cmd, log, err, NULL) : write_file(cmd, dir, "state.json", json, len);
        free(json);
    }
    for (int k = 0; rc == 0 && k < QFS_EVIDENCE_ARTIFACT_COUNT; k++) {
        char *json = NULL;
        size_t len = 0;
        err = qfs_evidence_render(ev, (qfs_evidence_artifact)k, &json, &len);
        rc = err != QFS_OK
                 ? cli_fail(cmd, log, err, NULL)
                 : write_file(cmd, dir, qfs_evidence_artifact_name((qfs_evidence_artifact)k), json, len);
        free(json);
    }
    qfs_evidence_free(ev);
    qfs_state_free(s);
    for (size_t k = 0; k < 16; k++)
        free(held[k]);
    return rc;
}

/* ---- replay_consistency.json ---- */

/* One run's record: its report, its number and perturbations. */
static json_t *run_json(const report *r, uint64_t run)
{
    json_t *mods = json_object();
    for (size_t i = 0; mods && i < r->module_count; i++)
        json_object_set_new(mods, r->module_name[i], json_string(r->module_hex[i]));
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)runs_seed(run));
    return json_pack("{s:I, s:s?, s:s, s:I, s:o, s:I, s:I, s:s, s:s}", "alloc_skew",
                     (json_int_t)runs_skew(run), "authentication",
                     strcmp(r->auth, "unset") == 0 ? NULL : r->auth, "chain_head", r->chain_hex, "events",
                     (json_int_t)r->events, "modules", mods, "rejected", (json_int_t)r->rejected, "run",
                     (json_int_t)(run + 1), "state_hash", r->state_hex, "table_seed", seed);
}

/* The whole record; `build` is stolen. */
static json_t *consistency_json(const report *reports, uint64_t runs, json_t *build)
{
    json_t *arr = json_array();
    int equal = 1;
    for (uint64_t k = 0; arr && k < runs; k++) {
        json_array_append_new(arr, run_json(&reports[k], k));
        equal &= memcmp(&reports[k], &reports[0], sizeof reports[0]) == 0;
    }
    return json_pack("{s:b, s:o, s:o}", "all_equal", equal, "build", build, "runs", arr);
}

/* The runs 2..N, in fresh processes beside the evidence fold. */
typedef struct runs_job {
    child kids[RUNS_MAX];
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
            cli_error(CMD, "run %llu failed (%s %d)", (unsigned long long)k + 1,
                      WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            rc = WIFEXITED(st) && WEXITSTATUS(st) != 0 ? WEXITSTATUS(st) : CLI_EXIT_IO;
        } else if (!j->kids[k].report || runs_parse_report(&reports[k], j->kids[k].report) != 0) {
            cli_error(CMD, "run %llu wrote an unreadable report", (unsigned long long)k + 1);
            rc = CLI_EXIT_IO;
        }
    }
    for (uint64_t k = 1; k < j->runs; k++)
        free(j->kids[k].report);
    return rc;
}

/* ---- statement.json and statement.dsse.json ---- */

/* Digests of the log and of every artifact in `dir`, as the statement lists
 * them (sorted by name), with the predicate from run 1's report; the digest
 * of trace.jsonl is `trace_hex` when it is not NULL. NULL after reporting
 * when a file cannot be read. */
static json_t *statement_json(const char *cmd, const char *log, const char *dir, const report *r,
                              const char *trace_hex)
{
    json_t *subjects = json_array();
    const char *names[BUNDLE_FILES];
    size_t n = 0;
    for (size_t i = 0; i < BUNDLE_FILES; i++)
        if (strcmp(BUNDLE_FILE_NAMES[i], BUNDLE_STATEMENT) != 0)
            names[n++] = BUNDLE_FILE_NAMES[i];
    names[n++] = NULL; /* the log */
    json_t *list = json_array();
    for (size_t i = 0; i < n && subjects && list; i++) {
        char path[PATH_MAX_BYTES + 64];
        const char *name = names[i] ? names[i] : base_name(log);
        if (names[i])
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        else
            snprintf(path, sizeof path, "%s", log);
        char hex[SHA256_HEX_LEN + 1];
        if (trace_hex && names[i] && strcmp(names[i], "trace.jsonl") == 0)
            snprintf(hex, sizeof hex, "%s", trace_hex);
        else if (build_sha256_file(path, hex) != 0) {
            cli_error(cmd, "%s: %s", path, strerror(errno));
            json_decref(subjects);
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, json_pack("{s:s, s:{s:s}}", "name", name, "digest", "sha256", hex));
    }
    /* Sorted by name: the canonical order of the subjects. */
    size_t m = json_array_size(list);
    for (size_t done = 0; done < m; done++) {
        size_t best = 0;
        for (size_t i = 1; i < json_array_size(list); i++)
            if (strcmp(json_string_value(json_object_get(json_array_get(list, i), "name")),
                       json_string_value(json_object_get(json_array_get(list, best), "name"))) < 0)
                best = i;
        json_array_append(subjects, json_array_get(list, best));
        json_array_remove(list, best);
    }
    json_decref(list);
    return json_pack("{s:s, s:{s:s?, s:s, s:I, s:s, s:I, s:s}, s:s, s:o}", "_type", STATEMENT_TYPE,
                     "predicate", "authentication", strcmp(r->auth, "unset") == 0 ? NULL : r->auth,
                     "chain_head", r->chain_hex, "events", (json_int_t)r->events, "qfs_version",
                     QFS_VERSION_STRING, "rejected", (json_int_t)r->rejected, "state_hash", r->state_hex,
                     "predicateType", PREDICATE_TYPE, "subject", subjects);
}

/* DSSE's pre-authentication encoding of the payload: "DSSEv1" SP
 * LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal. */
static unsigned char *dsse_pae(const char *type, const unsigned char *body, size_t body_len, size_t *len_out)
{
    char head[128];
    int h = snprintf(head, sizeof head, "DSSEv1 %zu %s %zu ", strlen(type), type, body_len);
    unsigned char *p = malloc((size_t)h + body_len);
    if (!p)
        return NULL;
    memcpy(p, head, (size_t)h);
    memcpy(p + h, body, body_len);
    *len_out = (size_t)h + body_len;
    return p;
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
    unsigned char *pae = dsse_pae(DSSE_PAYLOAD_TYPE, (const unsigned char *)statement, len, &pae_len);
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
    json_t *o = payload && sig64 ? json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payload", payload, "payloadType",
                                             DSSE_PAYLOAD_TYPE, "signatures", "keyid", keyid, "sig", sig64)
                                 : NULL;
    free(payload);
    free(sig64);
    return o;
}

/* ---- qfs evidence LOG -o DIR ---- */

typedef struct create_opts {
    const char *log;
    const char *dir;
    const char *expect_hex;
    const char *key_path;
    uint64_t runs;
    int force;
} create_opts;

static int check_expect(const char *log, const report *r, const char *expect_hex)
{
    if (!expect_hex)
        return 0;
    char want[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128 h;
    qfs_hash128_parse(&h, expect_hex, strlen(expect_hex));
    qfs_hash128_hex(&h, want);
    if (strcmp(want, r->state_hex) == 0)
        return 0;
    cli_error(CMD, "%s: state hash %s does not match the expected %s; nothing written", log, r->state_hex,
              want);
    return CLI_EXIT_MISMATCH;
}

/* Writes replay_consistency.json, statement.json and the envelope into tmp;
 * *disagree is set when the runs differ. */
static int finish_bundle(const create_opts *o, const char *tmp, report *reports, const char *trace_hex,
                         const qfs_public_key *pk, const uint8_t *sk, int *disagree)
{
    json_t *build = build_info_json();
    json_t *cons = build ? consistency_json(reports, o->runs, build) : NULL;
    if (!cons) {
        cli_error(CMD, "out of memory");
        return CLI_EXIT_IO;
    }
    *disagree = !json_is_true(json_object_get(cons, "all_equal"));
    int rc = write_json(CMD, tmp, BUNDLE_CONSISTENCY, cons);
    json_decref(cons);
    json_t *st = rc == 0 ? statement_json(CMD, o->log, tmp, &reports[0], trace_hex) : NULL;
    if (rc == 0 && !st)
        rc = CLI_EXIT_IO;
    if (rc == 0)
        rc = write_json(CMD, tmp, BUNDLE_STATEMENT, st);
    json_decref(st);
    if (rc == 0 && sk) {
        char path[PATH_MAX_BYTES + 64];
        snprintf(path, sizeof path, "%s/%s", tmp, BUNDLE_STATEMENT);
        char *text = NULL;
        size_t len = 0;
        if (bundle_read_file(path, &text, &len) != 0) {
            cli_error(CMD, "%s: %s", path, strerror(errno));
            return CLI_EXIT_IO;
        }
        json_t *env = dsse_json(text, len, pk, sk);
        free(text);
        if (!env) {
            cli_error(CMD, "cannot sign the statement");
            return CLI_EXIT_IO;
        }
        rc = write_json(CMD, tmp, BUNDLE_DSSE, env);
        json_decref(env);
    }
    return rc;
}

static int evidence_create(const create_opts *o)
{
    struct stat st;
    if (lstat(o->dir, &st) == 0) {
        if (!o->force) {
            cli_error(CMD, "%s: exists; use --force to replace it", o->dir);
            return CLI_EXIT_USAGE;
        }
        int rc = check_replaceable(o->dir);
        if (rc != 0)
            return rc;
    }
    qfs_public_key pk;
    uint8_t sk[QFS_SECRET_KEY_BYTES];
    if (o->key_path) {
        int rc = keyfile_read(CMD, o->key_path, &pk, sk);
        if (rc != 0)
            return rc;
    }
    /* Beside DIR, so that the final rename stays on one file system. */
    char tmp[PATH_MAX_BYTES + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", o->dir);
    if (!mkdtemp(tmp)) {
        cli_error(CMD, "%s: cannot create a temporary directory beside it: %s", o->dir, strerror(errno));
        qfs_auth_wipe(sk, sizeof sk);
        return CLI_EXIT_IO;
    }
    /* mkdtemp makes it 0700; a bundle is for others to read. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmp, 0777 & ~mask);
    cleanup_arm(tmp);
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
    char verdicts[PATH_MAX_BYTES + 64];
    snprintf(verdicts, sizeof verdicts, "%s/%s", tmp, VERDICTS_NAME);
    int after = o->runs > 1 && peek_signed(o->log);
    pthread_t thread;
    int threaded = o->runs > 1 && !after && pthread_create(&thread, NULL, runs_thread, &job) == 0;
    if (o->runs > 1 && !after && !threaded)
        runs_go(&job, NULL);
    static report reports[RUNS_MAX];
    memset(reports, 0, sizeof reports);
    char trace_hex[SHA256_HEX_LEN + 1];
    int rc = derive(CMD, o->log, tmp, &reports[0], trace_hex, after ? verdicts : NULL);
    if (threaded)
        pthread_join(thread, NULL);
    if (after && rc == 0)
        runs_go(&job, verdicts);
    if (after)
        unlink(verdicts);
    if (o->runs > 1 && (rc == 0 || !after))
        rc = runs_reports(&job, reports, rc);
    if (rc == 0)
        rc = check_expect(o->log, &reports[0], o->expect_hex);
    int disagree = 0;
    if (rc == 0)
        rc = finish_bundle(o, tmp, reports, trace_hex, &pk, o->key_path ? sk : NULL, &disagree);
    qfs_auth_wipe(sk, sizeof sk);
    /* The other threads have ended: blocking here blocks the process. */
    cleanup_block(1);
    if (rc == 0)
        rc = publish(tmp, o->dir, o->force);
    if (rc != 0)
        remove_bundle_dir(tmp);
    cleanup_armed = 0;
    cleanup_block(0);
    if (rc != 0)
        return rc;
    if (disagree) {
        cli_error(CMD, "%s: the %llu runs do not agree (see %s/%s)", o->log, (unsigned long long)o->runs,
                  o->dir, BUNDLE_CONSISTENCY);
        return CLI_EXIT_MISMATCH;
    }
    printf("state hash: %s\nevents: %llu\nruns: %llu, all agree\nbundle: %s%s\n", reports[0].state_hex,
           (unsigned long long)reports[0].events, (unsigned long long)o->runs, o->dir,
           o->key_path ? " (signed)" : "");
    return cli_finish_stdout(CMD);
}

/* ---- qfs evidence verify DIR LOG ---- */

/* Reads a public key file: 64 hex digits, an optional newline. */
static int read_pubkey(const char *path, qfs_public_key *pk)
{
    char *text = NULL;
    size_t len = 0;
    if (bundle_read_file(path, &text, &len) != 0) {
        cli_error(CMD_VERIFY, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    int ok = (len == 64 || (len == 65 && text[64] == '\n')) && qfs_hex_decode(pk->bytes, text, 32) == QFS_OK;
    free(text);
    if (!ok) {
        cli_error(CMD_VERIFY, "%s: not a public key (64 hex digits, as 'qfs keygen' prints)", path);
        return CLI_EXIT_DATA;
    }
    return 0;
}

/* Every file a bundle must hold is there and parses. */
static int check_complete(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        cli_error(CMD_VERIFY, "%s: %s", dir, strerror(errno));
        return CLI_EXIT_DATA;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_error(CMD_VERIFY, "%s: not a directory (an evidence bundle is one)", dir);
        return CLI_EXIT_DATA;
    }
    for (size_t i = 0; i < BUNDLE_FILES; i++) {
        char path[PATH_MAX_BYTES + 64];
        snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_FILE_NAMES[i]);
        if (stat(path, &st) != 0) {
            cli_error(CMD_VERIFY, "%s: missing from the bundle", path);
            return CLI_EXIT_DATA;
        }
        if (strcmp(BUNDLE_FILE_NAMES[i], "trace.jsonl") == 0)
            continue; /* compared line by line; a bad line is named then */
        json_t *j = NULL;
        int rc = bundle_load_json(CMD_VERIFY, path, &j);
        json_decref(j);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The record the bundle's replay_consistency.json must be: its own build
 * (which belongs to the binary that wrote it) and as many runs as it lists,
 * each with the re-derived results. */
static int expected_consistency(const char *path, const json_t *have, const report *r, json_t **out)
{
    const json_t *runs = json_object_get(have, "runs");
    const json_t *build = json_object_get(have, "build");
    size_t n = json_array_size(runs);
    if (!json_is_object(have) || !json_is_object(build) || n < 1 || n > RUNS_MAX) {
        cli_error(CMD_VERIFY, "%s: malformed: needs an object \"build\" and 1 to %d \"runs\"", path,
                  RUNS_MAX);
        return CLI_EXIT_DATA;
    }
    static report reports[RUNS_MAX];
    for (size_t k = 0; k < n; k++)
        reports[k] = *r;
    *out = consistency_json(reports, n, json_deep_copy(build));
    if (!*out) {
        cli_error(CMD_VERIFY, "out of memory");
        return CLI_EXIT_IO;
    }
    return 0;
}

/* Compares a bundle file with the JSON it must hold; 0, 1 after naming
 * the difference, or an exit code. */
static int compare_with(const char *dir, const char *name, const json_t *want, int *first)
{
    char path[PATH_MAX_BYTES + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *have_text = NULL;
    size_t have_len = 0;
    if (bundle_read_file(path, &have_text, &have_len) != 0) {
        cli_error(CMD_VERIFY, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    char *want_text = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    if (!want_text) {
        free(have_text);
        cli_error(CMD_VERIFY, "out of memory");
        return CLI_EXIT_IO;
    }
    size_t want_len = strlen(want_text);
    int same = have_len == want_len + 1 && memcmp(have_text, want_text, want_len) == 0 &&
               have_text[want_len] == '\n';
    int rc = 0;
    if (!same) {
        json_error_t je;
        json_t *have = json_loadb(have_text, have_len, JSON_REJECT_DUPLICATES, &je);
        bundle_diff d;
        memset(&d, 0, sizeof d);
        int r = have ? diff_json_first(have, (json_t *)want, d.path, &d.a, &d.b) : 1;
        d.bytes_only = r == 0;
        char text[BUNDLE_PATH_BYTES_MAX + 256];
        bundle_diff_text(&d, text, sizeof text);
        if (*first)
            cli_error(CMD_VERIFY, "%s: differs at %s", name, text);
        *first = 0;
        bundle_diff_clear(&d);
        json_decref(have);
        rc = r < 0 ? CLI_EXIT_IO : CLI_EXIT_MISMATCH;
    }
    free(have_text);
    free(want_text);
    return rc;
}

/* Checks statement.dsse.json: its payload is statement.json, and with a key
 * one of its signatures is that key's over the PAE. *checked is set when a
 * signature was verified. */
static int check_dsse(const char *dir, const qfs_public_key *pk, int *checked)
{
    char path[PATH_MAX_BYTES + 64];
    snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_DSSE);
    struct stat st;
    if (stat(path, &st) != 0) {
        if (pk) {
            cli_error(CMD_VERIFY, "%s: missing: the bundle is not signed", path);
            return CLI_EXIT_MISMATCH;
        }
        return 0;
    }
    json_t *env = NULL;
    int rc = bundle_load_json(CMD_VERIFY, path, &env);
    if (rc != 0)
        return rc;
    const char *payload = json_string_value(json_object_get(env, "payload"));
    const char *type = json_string_value(json_object_get(env, "payloadType"));
    const json_t *sigs = json_object_get(env, "signatures");
    size_t plen = payload ? strlen(payload) : 0;
    unsigned char *body = malloc(plen + 1);
    size_t body_len = 0;
    if (!payload || !type || !json_is_array(sigs) || json_array_size(sigs) == 0 || !body ||
        sodium_base642bin(body, plen + 1, payload, plen, NULL, &body_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        cli_error(CMD_VERIFY,
                  "%s: not a DSSE envelope (\"payload\" in base64, \"payloadType\", \"signatures\")", path);
        rc = CLI_EXIT_DATA;
    }
    if (rc == 0 && strcmp(type, DSSE_PAYLOAD_TYPE) != 0) {
        cli_error(CMD_VERIFY, "%s: payloadType is \"%s\", not \"%s\"", path, type, DSSE_PAYLOAD_TYPE);
        rc = CLI_EXIT_MISMATCH;
    }
    char spath[PATH_MAX_BYTES + 64];
    snprintf(spath, sizeof spath, "%s/%s", dir, BUNDLE_STATEMENT);
    char *stext = NULL;
    size_t slen = 0;
    if (rc == 0 && bundle_read_file(spath, &stext, &slen) != 0) {
        cli_error(CMD_VERIFY, "%s: %s", spath, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    if (rc == 0 && (slen != body_len || memcmp(stext, body, slen) != 0)) {
        cli_error(CMD_VERIFY, "%s: its payload is not the bytes of %s", BUNDLE_DSSE, BUNDLE_STATEMENT);
        rc = CLI_EXIT_MISMATCH;
    }
    if (rc == 0 && pk) {
        size_t pae_len = 0;
        unsigned char *pae = dsse_pae(type, body, body_len, &pae_len);
        int good = 0;
        size_t i;
        json_t *s;
        json_array_foreach(sigs, i, s)
        {
            const char *sig64 = json_string_value(json_object_get(s, "sig"));
            uint8_t sig[QFS_SIGNATURE_BYTES];
            size_t sig_len = 0;
            if (pae && sig64 &&
                sodium_base642bin(sig, sizeof sig, sig64, strlen(sig64), NULL, &sig_len, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) == 0 &&
                sig_len == sizeof sig && qfs_auth_verify(pk, pae, pae_len, sig))
                good = 1;
        }
        free(pae);
        char hex[2 * QFS_PUBLIC_KEY_BYTES + 1];
        keyfile_hex(hex, pk->bytes);
        if (!good) {
            cli_error(CMD_VERIFY, "%s: no signature by key %s verifies", BUNDLE_DSSE, hex);
            rc = CLI_EXIT_MISMATCH;
        } else {
            *checked = 1;
        }
    }
    if (rc == 0 && !pk)
        *checked = -1; /* signed, not checked */
    free(stext);
    free(body);
    json_decref(env);
    return rc;
}

static int evidence_verify(const char *dir, const char *log, const char *pubkey_path)
{
    qfs_public_key pk;
    int rc = pubkey_path ? read_pubkey(pubkey_path, &pk) : 0;
    if (rc == 0)
        rc = check_complete(dir);
    if (rc != 0)
        return rc;
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir || strlen(tmpdir) > PATH_MAX_BYTES - 64)
        tmpdir = "/tmp";
    char tmp[PATH_MAX_BYTES];
    snprintf(tmp, sizeof tmp, "%s/qfs-evidence-verify-XXXXXX", tmpdir);
    if (!mkdtemp(tmp)) {
        cli_error(CMD_VERIFY, "cannot create a temporary directory in %s: %s", tmpdir, strerror(errno));
        return CLI_EXIT_IO;
    }
    cleanup_arm(tmp);
    report r;
    char trace_hex[SHA256_HEX_LEN + 1];
    rc = derive(CMD_VERIFY, log, tmp, &r, trace_hex, NULL);
    /* The re-derived files, byte for byte, in the bundle's order. */
    for (size_t i = 0; rc == 0 && i < BUNDLE_FILES; i++) {
        const char *name = BUNDLE_FILE_NAMES[i];
        if (strcmp(name, BUNDLE_CONSISTENCY) == 0 || strcmp(name, BUNDLE_STATEMENT) == 0)
            continue;
        char pa[PATH_MAX_BYTES + 64], pb[PATH_MAX_BYTES + 64];
        snprintf(pa, sizeof pa, "%s/%s", dir, name);
        snprintf(pb, sizeof pb, "%s/%s", tmp, name);
        bundle_diff d;
        int c = bundle_compare(CMD_VERIFY, pa, pb, strcmp(name, "trace.jsonl") == 0, &d);
        if (c == 1) {
            char text[BUNDLE_PATH_BYTES_MAX + 256];
            bundle_diff_text(&d, text, sizeof text);
            cli_error(CMD_VERIFY, "%s: differs at %s", name, text);
            rc = CLI_EXIT_MISMATCH;
        } else if (c != 0) {
            rc = c;
        }
        bundle_diff_clear(&d);
    }
    cleanup_block(1);
    remove_bundle_dir(tmp);
    cleanup_armed = 0;
    cleanup_block(0);
    int first = 1;
    if (rc == 0) {
        char path[PATH_MAX_BYTES + 64];
        snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_CONSISTENCY);
        json_t *have = NULL, *want = NULL;
        rc = bundle_load_json(CMD_VERIFY, path, &have);
        if (rc == 0)
            rc = expected_consistency(path, have, &r, &want);
        if (rc == 0)
            rc = compare_with(dir, BUNDLE_CONSISTENCY, want, &first);
        json_decref(have);
        json_decref(want);
    }
    if (rc == 0) {
        /* The digests are those of the bundle's own files, which match the
         * re-derived ones by now (replay_consistency.json up to its build). */
        json_t *want = statement_json(CMD_VERIFY, log, dir, &r, NULL);
        rc = want ? compare_with(dir, BUNDLE_STATEMENT, want, &first) : CLI_EXIT_IO;
        json_decref(want);
    }
    int checked = 0;
    if (rc == 0)
        rc = check_dsse(dir, pubkey_path ? &pk : NULL, &checked);
    if (rc != 0)
        return rc;
    printf("%s: every artifact matches %s (state hash %s, %llu events)\n", dir, base_name(log), r.state_hex,
           (unsigned long long)r.events);
    if (checked > 0) {
        char hex[2 * QFS_PUBLIC_KEY_BYTES + 1];
        keyfile_hex(hex, pk.bytes);
        printf("signature: good (statement.dsse.json, key %s)\n", hex);
    } else if (checked < 0)
        printf("signature: not checked (statement.dsse.json is signed; give --pubkey to check it)\n");
    else
        printf("signature: none (the bundle is not signed)\n");
    return cli_finish_stdout(CMD_VERIFY);
}

/* ---- arguments ---- */

static int cmd_evidence_verify(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    const char *pubkey = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout(CMD_VERIFY);
        }
        if ((m = cli_opt_value(CMD_VERIFY, argc, argv, &i, "--pubkey", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            pubkey = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        } else if (!pos[0]) {
            pos[0] = argv[i];
        } else if (!pos[1]) {
            pos[1] = argv[i];
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!pos[1])
        return cli_usage_error(CMD, "verify needs DIR and LOG");
    if (strlen(pos[0]) > PATH_MAX_BYTES || strlen(pos[1]) > PATH_MAX_BYTES)
        return cli_usage_error(CMD, "path too long");
    if (is_bundle_name(base_name(pos[1])))
        return cli_usage_error(CMD, "LOG may not be named like a bundle file ('%s')", base_name(pos[1]));
    return evidence_verify(pos[0], pos[1], pubkey);
}

int cmd_evidence(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return cmd_evidence_verify(argc - 1, argv + 1);
    create_opts o = {.runs = RUNS_DEFAULT};
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout(CMD);
        }
        if ((m = cli_opt_value(CMD, argc, argv, &i, "--output", &v)) != 0 ||
            (m = cli_opt_value(CMD, argc, argv, &i, "-o", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            o.dir = v;
        } else if ((m = cli_opt_value(CMD, argc, argv, &i, "--runs", &v)) != 0) {
            if (m < 0 || cli_parse_u64(CMD, "--runs", v, &o.runs) != 0)
                return CLI_EXIT_USAGE;
            if (o.runs < 1 || o.runs > RUNS_MAX)
                return cli_usage_error(CMD, "--runs must be 1 to %d", RUNS_MAX);
        } else if ((m = cli_opt_value(CMD, argc, argv, &i, "--expect", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            qfs_hash128 h;
            if (qfs_hash128_parse(&h, v, strlen(v)) != QFS_OK)
                return cli_usage_error(CMD, "--expect needs 32 hex digits, not '%s'", v);
            o.expect_hex = v;
        } else if ((m = cli_opt_value(CMD, argc, argv, &i, "--sign-key", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            o.key_path = v;
        } else if (strcmp(argv[i], "--force") == 0) {
            o.force = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        } else if (!o.log) {
            o.log = argv[i];
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!o.log)
        return cli_usage_error(CMD, "missing LOG");
    if (!o.dir)
        return cli_usage_error(CMD, "missing -o DIR");
    if (strlen(o.log) > PATH_MAX_BYTES || strlen(o.dir) > PATH_MAX_BYTES)
        return cli_usage_error(CMD, "path too long");
    /* The statement names the log by its file name beside the bundle's files. */
    if (is_bundle_name(base_name(o.log)))
        return cli_usage_error(CMD, "LOG may not be named like a bundle file ('%s')", base_name(o.log));
    /* "DIR/" names DIR: the temporary directory goes beside it, not in it. */
    static char dir[PATH_MAX_BYTES + 1];
    snprintf(dir, sizeof dir, "%s", o.dir);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = '\0';
    o.dir = dir;
    return evidence_create(&o);
}
