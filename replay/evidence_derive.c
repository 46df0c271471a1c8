/* The evidence bundle of a log: see evidence_derive.h. */
#include "evidence_derive.h"

#include "build_info.h"
#include "hashed_writer.h"
#include "qfs/evidence.h"
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef QFS_VERSION_STRING
#define QFS_VERSION_STRING "0.0.0"
#endif

/* ---- files ---- */

/* Writes data[len] to dir/name and makes it durable; 0 or an exit code
 * after reporting. */
int evidence_write_file(const char *cmd, const char *dir, const char *name, const void *data, size_t len)
{
    char path[EVIDENCE_PATH_BYTES_MAX + 64];
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
int evidence_write_json(const char *cmd, const char *dir, const char *name, const json_t *v)
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
    int rc = evidence_write_file(cmd, dir, name, t, n + 1);
    free(t);
    return rc;
}

/* The file name of a path: what the statement calls the log. */
const char *evidence_log_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* 1 when `name` is a file a bundle may hold. */
int bundle_is_name(const char *name)
{
    for (size_t i = 0; i < BUNDLE_FILES; i++)
        if (strcmp(name, BUNDLE_FILE_NAMES[i]) == 0)
            return 1;
    return strcmp(name, BUNDLE_DSSE) == 0;
}

/* Removes a bundle directory this command made (only the names a bundle
 * holds, then the directory). */
void bundle_remove_dir(const char *dir)
{
    char path[EVIDENCE_PATH_BYTES_MAX + 64];
    for (size_t i = 0; i < BUNDLE_FILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_FILE_NAMES[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_DSSE);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s", dir, EVIDENCE_VERDICTS_NAME);
    unlink(path);
    rmdir(dir);
}

/* ---- a signal while a temporary directory exists ---- */

/* The files of the temporary directory and the directory itself (last),
 * laid out before the handler may run: it only unlinks and removes. */
static char cleanup_paths[BUNDLE_FILES + 3][EVIDENCE_PATH_BYTES_MAX + 64];
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
void evidence_cleanup_arm(const char *dir)
{
    for (size_t i = 0; i < BUNDLE_FILES; i++)
        snprintf(cleanup_paths[i], sizeof cleanup_paths[i], "%s/%s", dir, BUNDLE_FILE_NAMES[i]);
    snprintf(cleanup_paths[BUNDLE_FILES], sizeof cleanup_paths[0], "%s/%s", dir, BUNDLE_DSSE);
    snprintf(cleanup_paths[BUNDLE_FILES + 1], sizeof cleanup_paths[0], "%s/%s", dir, EVIDENCE_VERDICTS_NAME);
    snprintf(cleanup_paths[BUNDLE_FILES + 2], sizeof cleanup_paths[0], "%s", dir);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof CLEANUP_SIGNALS / sizeof CLEANUP_SIGNALS[0]; i++)
        sigaction(CLEANUP_SIGNALS[i], &sa, NULL);
    cleanup_armed = 1;
}

void evidence_cleanup_disarm(void)
{
    cleanup_armed = 0;
}

/* Blocks (1) or unblocks (0) those signals in this thread, around the
 * renames that publish a bundle: no signal lands between them. */
void evidence_cleanup_block(int block)
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
    const char *cmd;
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
    return cli_fail(c->cmd, c->log, err, &diag);
}

/* Replays `log` as run 1 (its table seed and allocation skew) into the
 * directory `dir`: trace.jsonl, state.json and the four economic
 * artifacts. *out gets the run's report, trace_hex the SHA-256 of
 * trace.jsonl (hashed as it is written, off the folding thread). 0 or an
 * exit code after reporting as `cmd`. */
int evidence_derive(const char *cmd, const char *log, const char *dir, report *out, char trace_hex[65],
                    const char *verdicts_out)
{
    void *held[16] = {0};
    uint64_t skew = runs_skew(0);
    for (uint64_t k = 0; k < skew % 16; k++)
        held[k] = malloc((size_t)(4096 * (k + 1) + 24 * skew));
    char path[EVIDENCE_PATH_BYTES_MAX + 64];
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
        fold_ctx fc = {.ev = ev, .cmd = cmd, .log = log};
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
        rc = err != QFS_OK ? cli_fail(cmd, log, err, NULL)
                           : evidence_write_file(cmd, dir, "state.json", json, len);
        free(json);
    }
    for (int k = 0; rc == 0 && k < QFS_EVIDENCE_ARTIFACT_COUNT; k++) {
        char *json = NULL;
        size_t len = 0;
        err = qfs_evidence_render(ev, (qfs_evidence_artifact)k, &json, &len);
        rc = err != QFS_OK ? cli_fail(cmd, log, err, NULL)
                           : evidence_write_file(
                                 cmd, dir, qfs_evidence_artifact_name((qfs_evidence_artifact)k), json, len);
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
json_t *evidence_consistency_json(const report *reports, uint64_t runs, json_t *build)
{
    json_t *arr = json_array();
    int equal = 1;
    for (uint64_t k = 0; arr && k < runs; k++) {
        json_array_append_new(arr, run_json(&reports[k], k));
        equal &= memcmp(&reports[k], &reports[0], sizeof reports[0]) == 0;
    }
    return json_pack("{s:b, s:o, s:o}", "all_equal", equal, "build", build, "runs", arr);
}

/* ---- statement.json and statement.dsse.json ---- */

/* Digests of the log and of every artifact in `dir`, as the statement lists
 * them (sorted by name), with the predicate from run 1's report; the digest
 * of trace.jsonl is `trace_hex` when it is not NULL. NULL after reporting
 * when a file cannot be read. */
json_t *evidence_statement_json(const char *cmd, const char *log, const char *dir, const report *r,
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
        char path[EVIDENCE_PATH_BYTES_MAX + 64];
        const char *name = names[i] ? names[i] : evidence_log_name(log);
        if (names[i])
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        else
            snprintf(path, sizeof path, "%s", log);
        char hex[EVIDENCE_SHA256_HEX_LEN + 1];
        if (trace_hex && names[i] && strcmp(names[i], "trace.jsonl") == 0)
            snprintf(hex, sizeof hex, "%s", trace_hex);
        else if (sha256_file(path, hex) != 0) {
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
    return json_pack("{s:s, s:{s:s?, s:s, s:I, s:s, s:I, s:s}, s:s, s:o}", "_type", EVIDENCE_STATEMENT_TYPE,
                     "predicate", "authentication", strcmp(r->auth, "unset") == 0 ? NULL : r->auth,
                     "chain_head", r->chain_hex, "events", (json_int_t)r->events, "qfs_version",
                     QFS_VERSION_STRING, "rejected", (json_int_t)r->rejected, "state_hash", r->state_hex,
                     "predicateType", EVIDENCE_PREDICATE_TYPE, "subject", subjects);
}

/* DSSE's pre-authentication encoding of the payload: "DSSEv1" SP
 * LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal. */
unsigned char *evidence_dsse_pae(const char *type, const unsigned char *body, size_t body_len,
                                 size_t *len_out)
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
