/* qfs vectors verify [DIR] and qfs vectors generate [DIR]: the golden vector
 * runner and the tool that rebuilds what a vector pins. The vector format is
 * in vectors/README.md. */
/* realpath() is an X/Open interface. */
#define _XOPEN_SOURCE 700

#include "fold.h"
#include "sha256.h"
#include "vecbuild.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char HELP[] = "usage: qfs vectors verify [DIR [NAME...]] [--junit FILE] [--only NAME]...\n"
                           "       qfs vectors generate [DIR]\n"
                           "\n"
                           "Golden vectors (vectors/README.md): DIR (default: vectors/v2, relative to the\n"
                           "current directory) holds, per vector NAME, the events NAME.jsonl, the\n"
                           "hand-worked expectations NAME.expect.json, the log NAME.qlog and the pinned\n"
                           "values NAME.pinned.json; DIR/../MANIFEST.sha256 lists the SHA-256 of every\n"
                           "file in DIR.\n"
                           "\n"
                           "verify   checks the manifest first, then every vector (or the NAMEs given):\n"
                           "         that NAME.qlog is byte for byte the log NAME.jsonl gives (with its\n"
                           "         damage recipe, if any), then replays NAME.qlog once and checks every\n"
                           "         receipt, every state check at its event, every tally, the event and\n"
                           "         rejection totals and the pinned values; a damaged-log or bad-input\n"
                           "         vector must fail with its expected exit code, error class and\n"
                           "         message. Prints one line per failure (vector, path, want, got), then\n"
                           "         'N passed, M failed' as its last line (the manifest counts as one).\n"
                           "generate rebuilds every NAME.qlog and NAME.pinned.json from NAME.jsonl and\n"
                           "         NAME.expect.json (never changing a hand-written file), then rewrites\n"
                           "         the manifest. It refuses an expect file that still holds the old\n"
                           "         \"hashes\" member. Nothing is written unless every vector builds.\n"
                           "\n"
                           "options:\n"
                           "  --junit FILE   also write the results as JUnit XML (one testcase per vector)\n"
                           "  --only NAME    run only vector NAME (repeatable; the same as NAME...)\n"
                           "\n"
                           "exit codes: 0 all passed (generate: written), 1 a vector or the manifest\n"
                           "            failed, 2 usage, 65 a malformed vector file, 74 I/O error\n";

#define DEFAULT_DIR "vectors/v2"
#define VECTOR_FORMAT "qfs-vector-v2"
#define PINNED_FORMAT "qfs-vector-pinned-v2"
#define MANIFEST_NAME "MANIFEST.sha256"
#define VECTOR_FILE_BYTES_MAX ((size_t)256 << 20)
#define VECTORS_MAX 100000u

/* ---- Small helpers ------------------------------------------------------ */

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

static void sb_vadd(strbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    if (b->cap - b->len < (size_t)n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        QFS_ASSERT(s != NULL); /* a report line; running out here is not recoverable */
        b->s = s;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static void sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

static char *path_join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + 1 + strlen(name) + strlen(suffix) + 1;
    char *p = malloc(n);
    QFS_ASSERT(p != NULL);
    snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Compact JSON of any value, for messages; "null" for NULL. Caller frees. */
static char *json_text(const json_t *v)
{
    if (!v)
        return strdup("null");
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    return s ? s : strdup("?");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Orders manifest lines by their path, which starts at column 66. */
static int cmp_line_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a + 66, *(const char *const *)b + 66);
}

/* The regular files of `dir`, sorted by name (bytewise). NULL on error. */
static char **list_files(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof *names);
    struct dirent *de;
    while (names && (de = readdir(d)) != NULL) {
        char *p = path_join(dir, de->d_name, "");
        struct stat st;
        int regular = stat(p, &st) == 0 && S_ISREG(st.st_mode);
        free(p);
        if (!regular)
            continue;
        if (n == cap) {
            cap *= 2;
            char **m = realloc(names, cap * sizeof *names);
            if (!m)
                break;
            names = m;
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof *names, cmp_str);
    *count = n;
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* A stable name for each error class a vector can expect: the QFS_E_ name
 * in lower case. */
static const char *err_class(qfs_err e)
{
    switch (e) {
    case QFS_OK: return "ok";
    case QFS_E_NOMEM: return "nomem";
    case QFS_E_INVALID_ARG: return "invalid_arg";
    case QFS_E_IO: return "io";
    case QFS_E_CORRUPT: return "corrupt";
    case QFS_E_TORN: return "torn";
    case QFS_E_FORMAT: return "format";
    case QFS_E_VERSION: return "version";
    case QFS_E_SCHEMA: return "schema";
    case QFS_E_LIMIT: return "limit";
    case QFS_E_PARSE: return "parse";
    case QFS_E_DECODE: return "decode";
    case QFS_E_RANGE: return "range";
    case QFS_E_NOT_FOUND: return "not_found";
    case QFS_E_STATE: return "state";
    default: return "unknown";
    }
}

/* The text `qfs replay` prints after "qfs replay: LOG: " for an error. */
static void err_text(char *out, size_t cap, qfs_err err, const qfs_diag *d)
{
    size_t o = 0;
    out[0] = '\0';
#define PUT(...)                                                                                             \
    do {                                                                                                     \
        int n_ = snprintf(out + o, cap - o, __VA_ARGS__);                                                    \
        if (n_ > 0)                                                                                          \
            o = o + (size_t)n_ < cap ? o + (size_t)n_ : cap - 1;                                             \
    } while (0)
    if (d->has_line)
        PUT("line %llu: ", (unsigned long long)d->line);
    if (d->has_byte_offset)
        PUT("byte offset %llu: ", (unsigned long long)d->byte_offset);
    if (d->has_event_index)
        PUT("event %llu: ", (unsigned long long)d->event_index);
    if (d->message[0] && strstr(d->message, qfs_err_str(err)))
        PUT("%s", d->message);
    else if (d->message[0])
        PUT("%s (%s)", d->message, qfs_err_str(err));
    else
        PUT("%s", qfs_err_str(err));
#undef PUT
}

/* ---- One replay of a vector's log ---------------------------------------- */

typedef struct run_out {
    qfs_err err; /* QFS_OK, or what stopped the replay */
    char err_message[600];
    uint64_t events, rejected;
    uint32_t *codes;
    size_t codes_cap;
    json_t *states;  /* "N" -> the state JSON after event N, for each N asked for */
    json_t *tallies; /* "N" -> the "tallies" of event N's trace line, for each N asked for */
    json_t *final_state;
    json_t *pinned; /* state_hash, modules, chain_head, events, rejected */
} run_out;

static void run_free(run_out *o)
{
    free(o->codes);
    json_decref(o->states);
    json_decref(o->tallies);
    json_decref(o->final_state);
    json_decref(o->pinned);
    memset(o, 0, sizeof *o);
}

static json_t *state_json(const qfs_state *s)
{
    char *text = NULL;
    size_t len = 0;
    if (qfs_state_to_json(s, NULL, &text, &len) != QFS_OK)
        return NULL;
    json_t *j = json_loadb(text, len, 0, NULL);
    free(text);
    return j;
}

/* The "tallies" of the trace line `qfs replay --trace` writes for event
 * `index`: the same writer, so the vector sees exactly what the trace says. */
static json_t *trace_tallies(const qfs_state *s, const qfs_event *ev, uint64_t index, uint32_t code)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int bad = fold_trace_line(f, s, ev, index, code) < 0;
    bad |= fclose(f) != 0;
    json_t *line = bad ? NULL : json_loadb(buf, len, 0, NULL);
    free(buf);
    json_t *t = json_incref(json_object_get(line, "tallies"));
    json_decref(line);
    return t;
}

/* Replays the log at `path` (through `storage`, NULL for the file system)
 * once, keeping the state JSON after each event named in `need_state` and
 * the tallies of each event named in `need_tally` (objects keyed by the
 * decimal event index), the final state, the receipts and the pinned values. */
static void run_log(const char *path, const qfs_storage *storage, const json_t *need_state,
                    const json_t *need_tally, run_out *o)
{
    memset(o, 0, sizeof *o);
    o->states = json_object();
    o->tallies = json_object();
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_log_reader *r = NULL;
    qfs_arena *arena = NULL;
    qfs_state *s = NULL;
    qfs_err err = qfs_log_reader_open(&r, path, &schema, storage, &diag);
    if (err == QFS_OK && qfs_arena_create(&arena, 1 << 16) != QFS_OK)
        err = QFS_E_NOMEM;
    if (err == QFS_OK)
        err = qfs_state_create(&s, NULL);
    while (err == QFS_OK) {
        qfs_event ev;
        uint64_t index = 0;
        qfs_arena_reset(arena);
        err = cli_read_event(r, arena, &ev, &index, &diag);
        if (err == QFS_E_EOF) {
            err = QFS_OK;
            break;
        }
        if (err != QFS_OK)
            break;
        qfs_receipt rc = {0};
        err = qfs_state_apply(s, &ev, &rc);
        if (err != QFS_OK) {
            qfs_diag_clear(&diag);
            qfs_diag_set_event(&diag, index);
            qfs_diag_set(&diag, "the state machine cannot apply this event");
            break;
        }
        if (o->events == o->codes_cap) {
            size_t cap = o->codes_cap ? o->codes_cap * 2 : 256;
            uint32_t *c = realloc(o->codes, cap * sizeof *c);
            if (!c) {
                err = QFS_E_NOMEM;
                break;
            }
            o->codes = c;
            o->codes_cap = cap;
        }
        o->codes[o->events++] = rc.code;
        o->rejected += rc.code != 0;
        char key[24];
        snprintf(key, sizeof key, "%llu", (unsigned long long)index);
        if (json_object_get(need_state, key))
            json_object_set_new(o->states, key, state_json(s));
        if (json_object_get(need_tally, key) && ev.kind == QFS_EVENT_EPOCH_CLOSE && rc.code == 0)
            json_object_set_new(o->tallies, key, trace_tallies(s, &ev, index, rc.code));
    }
    o->err = err;
    if (err != QFS_OK)
        err_text(o->err_message, sizeof o->err_message, err, &diag);
    if (err == QFS_OK) {
        o->final_state = state_json(s);
        qfs_hash128 h;
        char hex[QFS_HASH128_HEX_LEN + 1];
        json_t *p = json_object();
        json_t *mods = json_object();
        qfs_state_hash(s, &h);
        qfs_hash128_hex(&h, hex);
        json_object_set_new(p, "state_hash", json_string(hex));
        for (size_t i = 0; i < qfs_state_module_count(); i++) {
            qfs_state_module_hash(s, i, &h);
            qfs_hash128_hex(&h, hex);
            json_object_set_new(mods, qfs_state_module_name(i), json_string(hex));
        }
        json_object_set_new(p, "modules", mods);
        qfs_log_reader_chain_head(r, &h);
        qfs_hash128_hex(&h, hex);
        json_object_set_new(p, "chain_head", json_string(hex));
        json_object_set_new(p, "events", json_integer((json_int_t)o->events));
        json_object_set_new(p, "rejected", json_integer((json_int_t)o->rejected));
        json_object_set_new(p, "format", json_string(PINNED_FORMAT));
        o->pinned = p;
    }
    qfs_state_free(s);
    qfs_arena_free(arena);
    qfs_log_reader_free(r);
}

/* ---- A vector ------------------------------------------------------------ */

typedef enum vec_kind {
    VEC_EVENTS = 0, /* receipts, checks, tallies */
    VEC_DAMAGED,    /* a damage recipe and an expected error */
    VEC_BAD_INPUT   /* a .jsonl line the codec refuses, and the expected error */
} vec_kind;

typedef struct vec {
    char *name;
    const char *dir;
    const char *cmd; /* "vectors verify" or "vectors generate", for messages on stderr */
    int report;      /* print each failure on stdout (verify) */
    char *jsonl_path, *expect_path, *qlog_path, *pinned_path;
    json_t *expect;
    vec_kind kind;
    uint64_t batch;
    /* Outcome. */
    int malformed; /* a vector file cannot be read as a vector */
    size_t failures;
    strbuf lines;   /* every failure, one per line */
    char *first;    /* the first failure (JUnit message) */
    vec_mem built;  /* the log its .jsonl (and recipe) gives */
    json_t *pinned; /* the pinned values this build computes */
    int built_ok;
} vec;

static void vec_fail(vec *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vec_fail(vec *v, const char *fmt, ...)
{
    strbuf line = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(&line, fmt, ap);
    va_end(ap);
    if (v->report)
        printf("FAIL: %s: %s\n", v->name, line.s);
    sb_add(&v->lines, "%s\n", line.s);
    if (!v->first)
        v->first = line.s;
    else
        free(line.s);
    v->failures++;
}

/* A vector file that is not a vector: exit 65 at the end. */
static void vec_malformed(vec *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vec_malformed(vec *v, const char *fmt, ...)
{
    strbuf line = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(&line, fmt, ap);
    va_end(ap);
    v->malformed = 1;
    cli_error(v->cmd, "%s", line.s);
    vec_fail(v, "malformed vector: %s", line.s);
    free(line.s);
}

static void vec_free(vec *v)
{
    free(v->name);
    free(v->jsonl_path);
    free(v->expect_path);
    free(v->qlog_path);
    free(v->pinned_path);
    json_decref(v->expect);
    free(v->lines.s);
    free(v->first);
    vec_mem_free(&v->built);
    json_decref(v->pinned);
}

static void vec_init(vec *v, const char *cmd, const char *dir, const char *name)
{
    memset(v, 0, sizeof *v);
    v->cmd = cmd;
    v->report = strcmp(cmd, "vectors verify") == 0;
    v->name = strdup(name);
    v->dir = dir;
    v->jsonl_path = path_join(dir, name, ".jsonl");
    v->expect_path = path_join(dir, name, ".expect.json");
    v->qlog_path = path_join(dir, name, ".qlog");
    v->pinned_path = path_join(dir, name, ".pinned.json");
    v->batch = QFS_LOG_BATCH_EVENTS_MAX;
}

/* Loads a JSON file; on error reports FILE:LINE:COLUMN and returns NULL. */
static json_t *load_json(vec *v, const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        vec_malformed(v, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return j;
}

static int is_index(const json_t *j)
{
    return json_is_integer(j) && json_integer_value(j) >= 0;
}

/* Reads and checks the expect file's shape. 0, or -1 when malformed. */
static int vec_load_expect(vec *v)
{
    struct stat st;
    if (stat(v->expect_path, &st) != 0 && errno == ENOENT) {
        vec_malformed(v, "%s is missing (every NAME.jsonl needs a NAME.expect.json)", v->expect_path);
        return -1;
    }
    json_t *e = v->expect = load_json(v, v->expect_path);
    if (!e)
        return -1;
    const char *p = v->expect_path;
    if (!json_is_object(e) || !json_is_string(json_object_get(e, "format")) ||
        strcmp(json_string_value(json_object_get(e, "format")), VECTOR_FORMAT) != 0) {
        vec_malformed(v, "%s: not an object with \"format\": \"" VECTOR_FORMAT "\"", p);
        return -1;
    }
    if (json_object_get(e, "hashes")) {
        vec_malformed(v,
                      "%s: the \"hashes\" member is no longer part of an expect file: pinned values live in "
                      "%s.pinned.json, which 'qfs vectors generate' writes. Remove the member "
                      "(sh scripts/vectors_strip_hashes.sh %s) and run 'qfs vectors generate'",
                      p, v->name, p);
        return -1;
    }
    json_t *batch = json_object_get(e, "batch");
    if (batch) {
        if (!is_index(batch) || json_integer_value(batch) < 1 ||
            json_integer_value(batch) > (json_int_t)QFS_LOG_BATCH_EVENTS_MAX) {
            vec_malformed(v, "%s: \"batch\" must be 1 to %u events per record", p, QFS_LOG_BATCH_EVENTS_MAX);
            return -1;
        }
        v->batch = (uint64_t)json_integer_value(batch);
    }
    json_t *xe = json_object_get(e, "expect_error");
    if (json_object_get(e, "damage"))
        v->kind = VEC_DAMAGED;
    else if (xe)
        v->kind = VEC_BAD_INPUT;
    if (v->kind != VEC_EVENTS) {
        if (!json_is_object(xe) || !is_index(json_object_get(xe, "exit")) ||
            !json_is_string(json_object_get(xe, "class")) ||
            !json_is_string(json_object_get(xe, "message_contains"))) {
            vec_malformed(v,
                          "%s: \"expect_error\" must be an object with \"exit\", \"class\" and "
                          "\"message_contains\"",
                          p);
            return -1;
        }
        if (v->kind == VEC_BAD_INPUT && !is_index(json_object_get(xe, "line"))) {
            vec_malformed(v, "%s: \"expect_error\" of a bad-input vector needs \"line\"", p);
            return -1;
        }
        return 0;
    }
    json_t *receipts = json_object_get(e, "receipts");
    if (!json_is_array(receipts)) {
        vec_malformed(v, "%s: \"receipts\" must be an array", p);
        return -1;
    }
    for (size_t i = 0; i < json_array_size(receipts); i++)
        if (!json_is_string(json_array_get(receipts, i))) {
            vec_malformed(v, "%s: receipts[%zu] is not a string", p, i);
            return -1;
        }
    json_t *checks = json_object_get(e, "checks");
    if (checks && !json_is_array(checks)) {
        vec_malformed(v, "%s: \"checks\" must be an array", p);
        return -1;
    }
    for (size_t i = 0; i < json_array_size(checks); i++) {
        json_t *c = json_array_get(checks, i);
        json_t *at = json_object_get(c, "at");
        if (!json_is_string(json_object_get(c, "path")) || !json_object_get(c, "value") ||
            (at && !is_index(at))) {
            vec_malformed(
                v, "%s: checks[%zu] needs a string \"path\", a \"value\" and an optional index \"at\"", p, i);
            return -1;
        }
    }
    json_t *tallies = json_object_get(e, "tallies");
    if (tallies && !json_is_array(tallies)) {
        vec_malformed(v, "%s: \"tallies\" must be an array", p);
        return -1;
    }
    for (size_t i = 0; i < json_array_size(tallies); i++) {
        json_t *t = json_array_get(tallies, i);
        if (!is_index(json_object_get(t, "at")) || !json_is_string(json_object_get(t, "governance")) ||
            !json_object_get(t, "id")) {
            vec_malformed(v, "%s: tallies[%zu] needs \"at\" (an event index), \"governance\" and \"id\"", p,
                          i);
            return -1;
        }
    }
    return 0;
}

/* Builds the log the vector's files give into v->built: the events, then
 * the damage recipe. For a bad-input vector the build must fail, and the
 * failure is the vector's outcome (in *bad). Returns 0, or -1 after
 * reporting a malformed vector. */
static int vec_build(vec *v, vec_build_error *bad)
{
    vec_build_error e;
    memset(bad, 0, sizeof *bad);
    qfs_err err = vec_build_log(v->jsonl_path, v->batch, &v->built, &e);
    if (err == QFS_E_NOT_FOUND || err == QFS_E_IO || err == QFS_E_LIMIT || err == QFS_E_NOMEM) {
        vec_malformed(v, "%s: cannot read: %s", v->jsonl_path, e.message);
        return -1;
    }
    if (v->kind == VEC_BAD_INPUT) {
        *bad = e;
        if (err == QFS_OK)
            bad->err = QFS_OK;
        return 0;
    }
    if (err != QFS_OK) {
        if (e.line && e.column)
            vec_malformed(v, "%s:%llu:%llu: %s", v->jsonl_path, (unsigned long long)e.line,
                          (unsigned long long)e.column, e.message);
        else if (e.line)
            vec_malformed(v, "%s:%llu: %s", v->jsonl_path, (unsigned long long)e.line, e.message);
        else
            vec_malformed(v, "%s: building the log: %s", v->jsonl_path, e.message);
        return -1;
    }
    if (v->kind == VEC_DAMAGED &&
        vec_apply_damage(&v->built, json_object_get(v->expect, "damage"), &e) != QFS_OK) {
        vec_malformed(v, "%s: %s", v->expect_path, e.message);
        return -1;
    }
    v->built_ok = 1;
    return 0;
}

/* The error a failed replay or parse reports, as pinned and as compared. */
static json_t *error_object(qfs_err err, const char *message, uint64_t line)
{
    json_t *o = json_object();
    json_object_set_new(o, "exit", json_integer(cli_exit_for(err)));
    json_object_set_new(o, "class", json_string(err_class(err)));
    json_object_set_new(o, "message", json_string(message));
    if (line)
        json_object_set_new(o, "line", json_integer((json_int_t)line));
    return o;
}

/* Computes v->pinned from the built log in memory (or the build failure). */
static void vec_compute_pinned(vec *v, const vec_build_error *bad)
{
    json_t *p = NULL;
    if (v->kind == VEC_BAD_INPUT) {
        p = json_object();
        json_object_set_new(p, "format", json_string(PINNED_FORMAT));
        if (bad->err != QFS_OK)
            json_object_set_new(p, "error", error_object(bad->err, bad->message, bad->line));
    } else {
        qfs_storage st;
        vec_mem_storage(&st, &v->built);
        run_out o;
        run_log("memory", &st, NULL, NULL, &o);
        if (o.err == QFS_OK) {
            p = json_incref(o.pinned);
        } else {
            p = json_object();
            json_object_set_new(p, "format", json_string(PINNED_FORMAT));
            json_object_set_new(p, "error", error_object(o.err, o.err_message, 0));
            json_object_set_new(p, "log_bytes", json_integer((json_int_t)v->built.len));
        }
        run_free(&o);
    }
    v->pinned = p;
}

/* ---- Checks ---------------------------------------------------------------- */

/* The value at `path` in `root`: keys separated by dots; "key[ID]" picks the
 * element of the array under "key" whose "id" (when it has none: "voter"),
 * as text, is ID. NULL when the path leads nowhere. */
static const json_t *select_path(const json_t *root, const char *path)
{
    const json_t *cur = root;
    const char *seg = path;
    while (cur) {
        const char *dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        const char *lb = memchr(seg, '[', n);
        char name[256], key[256];
        if (lb && lb > seg && n >= 3 && seg[n - 1] == ']' &&
            !memchr(lb + 1, '[', (size_t)(seg + n - lb - 1)) && (size_t)(lb - seg) < sizeof name &&
            (size_t)(seg + n - lb - 2) < sizeof key && seg + n - 1 > lb + 1) {
            memcpy(name, seg, (size_t)(lb - seg));
            name[lb - seg] = '\0';
            memcpy(key, lb + 1, (size_t)(seg + n - lb - 2));
            key[seg + n - lb - 2] = '\0';
            const json_t *arr = json_is_object(cur) ? json_object_get(cur, name) : NULL;
            const json_t *found = NULL;
            for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr) && !found; i++) {
                const json_t *el = json_array_get(arr, i);
                const json_t *id = json_object_get(el, "id");
                if (!id || json_is_null(id) || json_is_false(id))
                    id = json_object_get(el, "voter");
                char num[32];
                const char *text = NULL;
                char *dumped = NULL;
                if (json_is_string(id)) {
                    text = json_string_value(id);
                } else if (json_is_integer(id)) {
                    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(id));
                    text = num;
                } else if (id) {
                    text = dumped = json_text(id);
                }
                if (text && strcmp(text, key) == 0)
                    found = el;
                free(dumped);
            }
            cur = found;
        } else {
            if (n >= sizeof name || !json_is_object(cur))
                return NULL;
            memcpy(name, seg, n);
            name[n] = '\0';
            cur = json_object_get(cur, name);
        }
        if (!dot)
            break;
        seg = dot + 1;
    }
    return cur;
}

/* 1 when equal as JSON; a missing value equals null. */
static int same(const json_t *a, const json_t *b)
{
    if (!a || json_is_null(a))
        return !b || json_is_null(b);
    return b && json_equal((json_t *)a, (json_t *)b);
}

static void fail_value(vec *v, const char *what, const json_t *want, const json_t *got)
{
    char *w = json_text(want), *g = json_text(got);
    vec_fail(v, "%s: want %s, got %s", what, w, g);
    free(w);
    free(g);
}

/* Reports every difference between the pinned values of the file and of
 * this build, path by path. */
static void diff_pinned(vec *v, const char *path, const json_t *want, const json_t *got)
{
    if (json_is_object(want) && json_is_object(got)) {
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)want, key, val)
        {
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            diff_pinned(v, sub, val, json_object_get(got, key));
        }
        json_object_foreach((json_t *)got, key, val)
        {
            if (!json_object_get(want, key)) {
                char sub[256];
                snprintf(sub, sizeof sub, "%s.%s", path, key);
                fail_value(v, sub, NULL, val);
            }
        }
        return;
    }
    if (!same(want, got))
        fail_value(v, path, want, got);
}

static void check_events(vec *v, const run_out *o)
{
    json_t *e = v->expect;
    json_t *receipts = json_object_get(e, "receipts");
    size_t want_n = json_array_size(receipts);
    if (want_n != o->events)
        vec_fail(v, "receipts: %llu events in the log but %zu expected receipts",
                 (unsigned long long)o->events, want_n);
    size_t want_rejected = 0;
    for (size_t i = 0; i < want_n; i++) {
        const char *want = json_string_value(json_array_get(receipts, i));
        want_rejected += strcmp(want, "accepted") != 0;
        if (i >= o->events)
            continue;
        const char *got = qfs_reject_str(o->codes[i]);
        if (strcmp(want, got) != 0)
            vec_fail(v, "receipts[%zu]: want \"%s\", got \"%s\"", i, want, got);
    }
    if (want_rejected != o->rejected)
        vec_fail(v, "rejected: want %zu (the receipts that are not \"accepted\"), got %llu", want_rejected,
                 (unsigned long long)o->rejected);

    json_t *checks = json_object_get(e, "checks");
    for (size_t i = 0; i < json_array_size(checks); i++) {
        json_t *c = json_array_get(checks, i);
        const char *path = json_string_value(json_object_get(c, "path"));
        json_t *at = json_object_get(c, "at");
        const json_t *state = o->final_state;
        char where[64] = "after the last event";
        if (at) {
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)json_integer_value(at));
            snprintf(where, sizeof where, "after event %lld", (long long)json_integer_value(at));
            state = json_object_get(o->states, key);
            if (!state) {
                vec_fail(v, "checks[%zu] %s (%s): event %lld is past the end of the log (%llu events)", i,
                         path, where, (long long)json_integer_value(at), (unsigned long long)o->events);
                continue;
            }
        }
        const json_t *got = select_path(state, path);
        if (!same(json_object_get(c, "value"), got)) {
            char what[512];
            snprintf(what, sizeof what, "%s (%s)", path, where);
            fail_value(v, what, json_object_get(c, "value"), got);
        }
    }

    json_t *tallies = json_object_get(e, "tallies");
    for (size_t i = 0; i < json_array_size(tallies); i++) {
        json_t *w = json_array_get(tallies, i);
        long long at = (long long)json_integer_value(json_object_get(w, "at"));
        const char *gov = json_string_value(json_object_get(w, "governance"));
        json_t *id = json_object_get(w, "id");
        char key[24], *idt = json_text(id);
        snprintf(key, sizeof key, "%lld", at);
        json_t *list = json_object_get(o->tallies, key);
        const json_t *got = NULL;
        for (size_t k = 0; json_is_array(list) && k < json_array_size(list) && !got; k++) {
            json_t *t = json_array_get(list, k);
            if (gov && same(json_object_get(t, "governance"), json_object_get(w, "governance")) &&
                same(json_object_get(t, "id"), id))
                got = t;
        }
        if (!got) {
            vec_fail(v, "tallies[%zu] (%s %s at event %lld): not in the trace", i, gov ? gov : "?", idt, at);
        } else {
            const char *field;
            json_t *val;
            json_object_foreach(w, field, val)
            {
                if (strcmp(field, "at") == 0 || strcmp(field, "why") == 0)
                    continue;
                if (!same(val, json_object_get(got, field))) {
                    char what[256];
                    snprintf(what, sizeof what, "tallies[%zu] (%s %s at event %lld).%s", i, gov, idt, at,
                             field);
                    fail_value(v, what, val, json_object_get(got, field));
                }
            }
        }
        free(idt);
    }
}

/* Compares an error with the vector's "expect_error". */
static void check_error(vec *v, qfs_err err, const char *message, uint64_t line)
{
    json_t *xe = json_object_get(v->expect, "expect_error");
    json_t *want_exit = json_object_get(xe, "exit");
    json_t *want_class = json_object_get(xe, "class");
    const char *contains = json_string_value(json_object_get(xe, "message_contains"));
    if (err == QFS_OK) {
        vec_fail(v, "expect_error: want exit %lld (%s), got success",
                 (long long)json_integer_value(want_exit), json_string_value(want_class));
        return;
    }
    if (json_integer_value(want_exit) != cli_exit_for(err))
        vec_fail(v, "expect_error.exit: want %lld, got %d (%s)", (long long)json_integer_value(want_exit),
                 cli_exit_for(err), message);
    if (strcmp(json_string_value(want_class), err_class(err)) != 0)
        vec_fail(v, "expect_error.class: want \"%s\", got \"%s\" (%s)", json_string_value(want_class),
                 err_class(err), message);
    if (!strstr(message, contains))
        vec_fail(v, "expect_error.message_contains: want a message containing \"%s\", got \"%s\"", contains,
                 message);
    json_t *want_line = json_object_get(xe, "line");
    if (want_line && (uint64_t)json_integer_value(want_line) != line)
        vec_fail(v, "expect_error.line: want %lld, got %llu", (long long)json_integer_value(want_line),
                 (unsigned long long)line);
}

/* The log check of a damaged vector, when it names one: the status
 * `qfs log check` reports ("torn_tail" or "corrupt"), or the class of the
 * error that keeps the check from running. */
static void check_log_check(vec *v)
{
    json_t *want = json_object_get(json_object_get(v->expect, "expect_error"), "log_check");
    if (!want)
        return;
    qfs_log_check_result res;
    qfs_diag d;
    qfs_diag_clear(&d);
    qfs_err err = qfs_log_check(v->qlog_path, NULL, &res, &d);
    const char *got = err != QFS_OK                     ? err_class(err)
                      : res.status == QFS_LOG_OK        ? "ok"
                      : res.status == QFS_LOG_TORN_TAIL ? "torn_tail"
                                                        : "corrupt";
    if (!json_is_string(want) || strcmp(json_string_value(want), got) != 0) {
        json_t *g = json_string(got);
        fail_value(v, "expect_error.log_check", want, g);
        json_decref(g);
    }
}

/* The keys "N" of every event index a check or a tally reads. */
static void needed_events(const json_t *expect, json_t *need_state, json_t *need_tally)
{
    json_t *checks = json_object_get(expect, "checks");
    for (size_t i = 0; i < json_array_size(checks); i++) {
        json_t *at = json_object_get(json_array_get(checks, i), "at");
        if (at) {
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)json_integer_value(at));
            json_object_set_new(need_state, key, json_true());
        }
    }
    json_t *tallies = json_object_get(expect, "tallies");
    for (size_t i = 0; i < json_array_size(tallies); i++) {
        char key[24];
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(json_object_get(json_array_get(tallies, i), "at")));
        json_object_set_new(need_tally, key, json_true());
    }
}

static void verify_vector(vec *v)
{
    if (vec_load_expect(v) != 0)
        return;
    vec_build_error bad;
    if (vec_build(v, &bad) != 0)
        return;
    vec_compute_pinned(v, &bad);

    /* The committed log is the one the .jsonl gives, byte for byte. */
    uint8_t *committed = NULL;
    size_t committed_len = 0;
    qfs_err rerr = vec_read_file(v->qlog_path, VECTOR_FILE_BYTES_MAX, &committed, &committed_len);
    if (v->kind == VEC_BAD_INPUT) {
        if (rerr != QFS_E_NOT_FOUND)
            vec_fail(v,
                     "qlog: a bad-input vector has no log, but %s exists ('qfs vectors generate' removes it)",
                     v->qlog_path);
    } else if (rerr == QFS_E_NOT_FOUND) {
        vec_fail(v, "qlog: %s is missing (run 'qfs vectors generate')", v->qlog_path);
    } else if (rerr != QFS_OK) {
        vec_fail(v, "qlog: cannot read %s: %s", v->qlog_path, strerror(errno));
    } else if (committed_len != v->built.len || memcmp(committed, v->built.data, committed_len) != 0) {
        size_t k = 0;
        while (k < committed_len && k < v->built.len && committed[k] == v->built.data[k])
            k++;
        vec_fail(v,
                 "qlog: %s (%zu bytes) differs from the log its .jsonl gives (%zu bytes) from byte %zu on "
                 "(run 'qfs vectors generate')",
                 v->qlog_path, committed_len, v->built.len, k);
    }
    free(committed);

    json_t *got_pinned = NULL;
    if (v->kind == VEC_BAD_INPUT) {
        if (bad.err == QFS_OK)
            check_error(v, QFS_OK, "", 0);
        else
            check_error(v, bad.err, bad.message, bad.line);
        got_pinned = json_incref(v->pinned);
    } else if (rerr == QFS_OK) {
        /* The replay reads the committed file, as `qfs replay` would. */
        json_t *need_state = json_object(), *need_tally = json_object();
        needed_events(v->expect, need_state, need_tally);
        run_out o;
        run_log(v->qlog_path, NULL, need_state, need_tally, &o);
        if (v->kind == VEC_DAMAGED) {
            check_error(v, o.err, o.err_message, 0);
            check_log_check(v);
        } else if (o.err != QFS_OK) {
            vec_fail(v, "replay: %s", o.err_message);
        } else {
            check_events(v, &o);
        }
        got_pinned = json_incref(v->pinned);
        run_free(&o);
        json_decref(need_state);
        json_decref(need_tally);
    }

    /* The pinned values: what this build computes must be what was pinned. */
    if (got_pinned) {
        uint8_t *text = NULL;
        size_t len = 0;
        qfs_err perr = vec_read_file(v->pinned_path, VECTOR_FILE_BYTES_MAX, &text, &len);
        if (perr == QFS_E_NOT_FOUND) {
            vec_fail(v, "pinned: %s is missing (run 'qfs vectors generate')", v->pinned_path);
        } else if (perr != QFS_OK) {
            vec_fail(v, "pinned: cannot read %s: %s", v->pinned_path, strerror(errno));
        } else {
            json_error_t je;
            json_t *want = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &je);
            if (!want)
                vec_malformed(v, "%s:%d:%d: %s", v->pinned_path, je.line, je.column, je.text);
            else
                diff_pinned(v, "pinned", want, got_pinned);
            json_decref(want);
        }
        free(text);
        json_decref(got_pinned);
    }
}

/* ---- The manifest ---------------------------------------------------------- */

typedef struct manifest_line {
    char *path; /* relative to the manifest's directory */
    char hex[65];
} manifest_line;

typedef struct manifest {
    manifest_line *lines;
    size_t count;
} manifest;

static void manifest_free(manifest *m)
{
    for (size_t i = 0; i < m->count; i++)
        free(m->lines[i].path);
    free(m->lines);
    memset(m, 0, sizeof *m);
}

/* Parses `sha256sum` lines: 64 hex digits, two spaces, a path. Returns 0,
 * or -1 with the bad line's number in *bad_line. */
static int manifest_parse(const char *text, size_t len, manifest *m, size_t *bad_line)
{
    size_t pos = 0, line = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        const char *s = text + pos;
        pos = end + 1;
        line++;
        if (n < 67 || s[64] != ' ' || s[65] != ' ') {
            *bad_line = line;
            return -1;
        }
        for (size_t i = 0; i < 64; i++)
            if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
                *bad_line = line;
                return -1;
            }
        manifest_line *l = realloc(m->lines, (m->count + 1) * sizeof *l);
        QFS_ASSERT(l != NULL);
        m->lines = l;
        memcpy(l[m->count].hex, s, 64);
        l[m->count].hex[64] = '\0';
        l[m->count].path = strndup(s + 66, n - 66);
        m->count++;
    }
    return 0;
}

/* Where the manifest of vectors directory `dir` is, and the prefix of its
 * paths ("v2/"): DIR/../MANIFEST.sha256 lists paths relative to DIR/.. */
typedef struct vec_dir {
    char *dir;      /* as given */
    char *parent;   /* its parent directory */
    char *base;     /* its last component */
    char *manifest; /* parent/MANIFEST.sha256 */
    char *suite;    /* "qfs.vectors.BASE" */
} vec_dir;

static int vec_dir_init(vec_dir *d, const char *dir)
{
    memset(d, 0, sizeof *d);
    /* The parent is found from the name when it says it ("vectors/v2"), so
     * that messages name files as the user did; otherwise ("v2", ".") from
     * the resolved path. */
    char *name = strdup(dir);
    QFS_ASSERT(name != NULL);
    size_t n = strlen(name);
    while (n > 1 && name[n - 1] == '/')
        name[--n] = '\0';
    char *slash = strrchr(name, '/');
    const char *last = slash ? slash + 1 : name;
    if (!slash || slash == name || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
        free(name);
        name = realpath(dir, NULL);
        if (!name)
            return -1;
        slash = strrchr(name, '/');
    }
    *slash = '\0';
    d->dir = strdup(dir);
    d->base = strdup(slash[1] ? slash + 1 : "vectors");
    d->parent = strdup(name[0] ? name : "/");
    d->manifest = path_join(d->parent, MANIFEST_NAME, "");
    size_t len = strlen(d->base) + 16;
    d->suite = malloc(len);
    QFS_ASSERT(d->suite != NULL);
    snprintf(d->suite, len, "qfs.vectors.%s", d->base);
    free(name);
    return 0;
}

static void vec_dir_free(vec_dir *d)
{
    free(d->dir);
    free(d->parent);
    free(d->base);
    free(d->manifest);
    free(d->suite);
}

/* Checks the manifest against the files of the directory. Failures go to
 * `v` (the manifest's test case). */
static void verify_manifest(const vec_dir *d, vec *v)
{
    uint8_t *text = NULL;
    size_t len = 0;
    qfs_err err = vec_read_file(d->manifest, VECTOR_FILE_BYTES_MAX, &text, &len);
    if (err == QFS_E_NOT_FOUND) {
        vec_fail(v, "%s is missing (run 'qfs vectors generate')", d->manifest);
        return;
    }
    if (err != QFS_OK) {
        vec_fail(v, "cannot read %s: %s", d->manifest, strerror(errno));
        return;
    }
    manifest m = {0};
    size_t bad_line = 0;
    if (manifest_parse((const char *)text, len, &m, &bad_line) != 0) {
        vec_malformed(v, "%s:%zu: not a line of sha256sum output (64 hex digits, two spaces, a path)",
                      d->manifest, bad_line);
        free(text);
        manifest_free(&m);
        return;
    }
    free(text);
    size_t prefix_len = strlen(d->base) + 1;
    for (size_t i = 0; i < m.count; i++) {
        const char *p = m.lines[i].path;
        if (strncmp(p, d->base, prefix_len - 1) != 0 || p[prefix_len - 1] != '/')
            continue; /* another vectors directory's file */
        if (i > 0 && strcmp(m.lines[i - 1].path, p) >= 0)
            vec_fail(v, "%s is listed out of order or twice (run 'qfs vectors generate')", p);
        char *full = path_join(d->parent, p, "");
        uint8_t *data = NULL;
        size_t dlen = 0;
        qfs_err ferr = vec_read_file(full, VECTOR_FILE_BYTES_MAX, &data, &dlen);
        if (ferr == QFS_E_NOT_FOUND) {
            vec_fail(v, "%s is listed but missing", p);
        } else if (ferr != QFS_OK) {
            vec_fail(v, "cannot read %s: %s", p, strerror(errno));
        } else {
            char hex[SHA256_HEX_BYTES];
            if (sha256_hex(hex, data, dlen) != 0)
                vec_fail(v, "cannot hash %s: %s", p, strerror(errno));
            else if (strcmp(hex, m.lines[i].hex) != 0)
                vec_fail(v, "%s: sha256 %s, but the manifest says %s (run 'qfs vectors generate')", p, hex,
                         m.lines[i].hex);
        }
        free(data);
        free(full);
    }
    size_t n = 0;
    char **files = list_files(d->dir, &n);
    for (size_t i = 0; files && i < n; i++) {
        int listed = 0;
        for (size_t k = 0; k < m.count && !listed; k++)
            listed = strncmp(m.lines[k].path, d->base, prefix_len - 1) == 0 &&
                     m.lines[k].path[prefix_len - 1] == '/' &&
                     strcmp(m.lines[k].path + prefix_len, files[i]) == 0;
        if (!listed)
            vec_fail(v, "%s/%s is not listed (run 'qfs vectors generate')", d->base, files[i]);
    }
    free_list(files, n);
    manifest_free(&m);
}

/* ---- JUnit XML ------------------------------------------------------------- */

/* XML text with the five special characters escaped; control characters
 * that XML 1.0 cannot carry at all become '?'. */
static void xml_escape(strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': sb_add(b, "&amp;"); break;
        case '<': sb_add(b, "&lt;"); break;
        case '>': sb_add(b, "&gt;"); break;
        case '"': sb_add(b, "&quot;"); break;
        case '\'': sb_add(b, "&apos;"); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                sb_add(b, "?");
            else
                sb_add(b, "%c", (char)c);
        }
    }
}

static void junit_case(strbuf *x, const char *suite, const vec *v)
{
    sb_add(x, "    <testcase classname=\"");
    xml_escape(x, suite);
    sb_add(x, "\" name=\"");
    xml_escape(x, v->name);
    if (v->failures == 0) {
        sb_add(x, "\"/>\n");
        return;
    }
    const char *el = v->malformed ? "error" : "failure";
    sb_add(x, "\">\n      <%s message=\"", el);
    xml_escape(x, v->first);
    sb_add(x, "\" type=\"%s\">", v->malformed ? "malformed" : "mismatch");
    xml_escape(x, v->lines.s);
    sb_add(x, "</%s>\n    </testcase>\n", el);
}

static int write_junit(const char *path, const char *suite, const vec *manifest_case, const vec *vs, size_t n)
{
    size_t failures = 0, errors = 0;
    for (size_t i = 0; i <= n; i++) {
        const vec *v = i == n ? manifest_case : &vs[i];
        if (v->failures && v->malformed)
            errors++;
        else if (v->failures)
            failures++;
    }
    strbuf x = {0};
    sb_add(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb_add(&x, "<testsuites name=\"qfs vectors\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", n + 1,
           failures, errors);
    sb_add(&x, "  <testsuite name=\"");
    xml_escape(&x, suite);
    sb_add(&x, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\">\n", n + 1, failures, errors);
    junit_case(&x, suite, manifest_case);
    for (size_t i = 0; i < n; i++)
        junit_case(&x, suite, &vs[i]);
    sb_add(&x, "  </testsuite>\n</testsuites>\n");
    int rc = vec_write_file_atomic(path, x.s, x.len);
    if (rc != 0)
        cli_error("vectors verify", "%s: cannot write the JUnit file: %s", path, strerror(errno));
    free(x.s);
    return rc == 0 ? 0 : CLI_EXIT_IO;
}

/* ---- The commands ---------------------------------------------------------- */

/* The names of the vectors in `dir`: every NAME of a NAME.expect.json or a
 * NAME.jsonl (a .jsonl without its expect file is a malformed vector, not
 * one to pass over in silence). */
static char **vector_names(const char *dir, size_t *count)
{
    size_t n = 0;
    char **files = list_files(dir, &n);
    if (!files)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *suffix = ends_with(files[i], ".expect.json") ? ".expect.json"
                             : ends_with(files[i], ".jsonl")     ? ".jsonl"
                                                                 : NULL;
        if (suffix) {
            files[i][strlen(files[i]) - strlen(suffix)] = '\0';
            files[k++] = files[i];
        } else {
            free(files[i]);
        }
    }
    qsort(files, k, sizeof *files, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u > 0 && strcmp(files[u - 1], files[i]) == 0)
            free(files[i]);
        else
            files[u++] = files[i];
    }
    *count = u;
    return files;
}

static int verify(const char *dir, const char *junit, const char *const *only, size_t only_n)
{
    const char *cmd = "vectors verify";
    vec_dir d;
    if (vec_dir_init(&d, dir) != 0) {
        cli_error(cmd, "%s: %s", dir, strerror(errno));
        return CLI_EXIT_IO;
    }
    size_t n = 0;
    char **names = vector_names(dir, &n);
    if (!names) {
        cli_error(cmd, "%s: %s", dir, strerror(errno));
        vec_dir_free(&d);
        return CLI_EXIT_IO;
    }
    for (size_t i = 0; i < only_n; i++) {
        int found = 0;
        for (size_t k = 0; k < n && !found; k++)
            found = strcmp(names[k], only[i]) == 0;
        if (!found) {
            cli_usage_error(cmd, "no vector '%s' in %s (no %s.expect.json or %s.jsonl)", only[i], dir,
                            only[i], only[i]);
            free_list(names, n);
            vec_dir_free(&d);
            return CLI_EXIT_USAGE;
        }
    }
    vec manifest_case;
    vec_init(&manifest_case, cmd, dir, MANIFEST_NAME);
    verify_manifest(&d, &manifest_case);

    vec *vs = calloc(n ? n : 1, sizeof *vs);
    QFS_ASSERT(vs != NULL);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        int wanted = only_n == 0;
        for (size_t k = 0; k < only_n && !wanted; k++)
            wanted = strcmp(names[i], only[k]) == 0;
        if (!wanted)
            continue;
        vec_init(&vs[run], cmd, dir, names[i]);
        verify_vector(&vs[run]);
        run++;
    }
    size_t passed = 0, failed = 0;
    int malformed = manifest_case.malformed;
    for (size_t i = 0; i <= run; i++) {
        const vec *v = i == run ? &manifest_case : &vs[i];
        if (v->failures)
            failed++;
        else
            passed++;
        malformed |= v->malformed;
    }
    int rc = 0;
    if (run == 0) {
        cli_error(cmd, "%s: no vectors (no *.expect.json or *.jsonl files)", dir);
        rc = CLI_EXIT_DATA;
    }
    if (junit && rc == 0)
        rc = write_junit(junit, d.suite, &manifest_case, vs, run);
    if (failed) {
        printf("failed:");
        for (size_t i = 0; i <= run; i++) {
            const vec *v = i == run ? &manifest_case : &vs[i];
            if (v->failures)
                printf(" %s", v->name);
        }
        printf("\n");
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    /* One line on stderr says that it failed and where first, for a CI log
     * that shows only standard error. */
    for (size_t i = 0; i <= run && failed; i++) {
        const vec *v = i == 0 ? &manifest_case : &vs[i - 1];
        if (v->failures) {
            cli_error(cmd, "%s: %zu of %zu failed; the first: %s: %s", dir, failed, run + 1, v->name,
                      v->first);
            break;
        }
    }
    for (size_t i = 0; i < run; i++)
        vec_free(&vs[i]);
    free(vs);
    vec_free(&manifest_case);
    free_list(names, n);
    vec_dir_free(&d);
    int out_rc = cli_finish_stdout(cmd);
    if (rc != 0)
        return rc;
    if (out_rc != 0)
        return out_rc;
    return malformed ? CLI_EXIT_DATA : failed ? CLI_EXIT_MISMATCH : CLI_EXIT_OK;
}

/* Canonical text of a pinned file: sorted keys, two-space indent, LF. */
static char *pinned_text(const json_t *p, size_t *len)
{
    char *s = json_dumps(p, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    QFS_ASSERT(s != NULL);
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    QFS_ASSERT(t != NULL);
    t[n] = '\n';
    t[n + 1] = '\0';
    *len = n + 1;
    return t;
}

/* Rewrites the manifest: this directory's files as they are now, and the
 * lines of other vectors directories as they were, sorted by path. */
static int write_manifest(const vec_dir *d)
{
    const char *cmd = "vectors generate";
    manifest old = {0};
    uint8_t *text = NULL;
    size_t len = 0;
    qfs_err err = vec_read_file(d->manifest, VECTOR_FILE_BYTES_MAX, &text, &len);
    size_t bad_line = 0;
    if (err == QFS_OK && manifest_parse((const char *)text, len, &old, &bad_line) != 0) {
        cli_error(cmd, "%s:%zu: not a line of sha256sum output; fix or delete the file", d->manifest,
                  bad_line);
        free(text);
        manifest_free(&old);
        return CLI_EXIT_DATA;
    }
    free(text);
    size_t n = 0;
    char **files = list_files(d->dir, &n);
    if (!files) {
        cli_error(cmd, "%s: %s", d->dir, strerror(errno));
        manifest_free(&old);
        return CLI_EXIT_IO;
    }
    size_t total = 0;
    char **lines = calloc(old.count + n + 1, sizeof *lines);
    QFS_ASSERT(lines != NULL);
    size_t prefix_len = strlen(d->base) + 1;
    for (size_t i = 0; i < old.count; i++) {
        const char *p = old.lines[i].path;
        if (strncmp(p, d->base, prefix_len - 1) == 0 && p[prefix_len - 1] == '/')
            continue;
        size_t l = 64 + 2 + strlen(p) + 2;
        lines[total] = malloc(l);
        snprintf(lines[total++], l, "%s  %s\n", old.lines[i].hex, p);
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char hex[SHA256_HEX_BYTES];
        char *full = path_join(d->dir, files[i], "");
        uint8_t *data = NULL;
        size_t dlen = 0;
        if (vec_read_file(full, VECTOR_FILE_BYTES_MAX, &data, &dlen) != QFS_OK) {
            cli_error(cmd, "%s: %s", full, strerror(errno));
            rc = CLI_EXIT_IO;
        } else if (sha256_hex(hex, data, dlen) != 0) {
            cli_error(cmd, "%s: cannot hash: %s", full, strerror(errno));
            rc = CLI_EXIT_IO;
        } else {
            size_t l = 64 + 2 + strlen(d->base) + 1 + strlen(files[i]) + 2;
            lines[total] = malloc(l);
            snprintf(lines[total++], l, "%s  %s/%s\n", hex, d->base, files[i]);
        }
        free(data);
        free(full);
    }
    /* Sorted by path: every line has the path at the same column. */
    if (rc == 0) {
        qsort(lines, total, sizeof *lines, cmp_line_path);
        strbuf out = {0};
        for (size_t i = 0; i < total; i++)
            sb_add(&out, "%s", lines[i]);
        if (vec_write_file_atomic(d->manifest, out.s ? out.s : "", out.len) != 0) {
            cli_error(cmd, "%s: %s", d->manifest, strerror(errno));
            rc = CLI_EXIT_IO;
        }
        free(out.s);
    }
    free_list(lines, total);
    free_list(files, n);
    manifest_free(&old);
    return rc;
}

static int generate(const char *dir)
{
    const char *cmd = "vectors generate";
    vec_dir d;
    if (vec_dir_init(&d, dir) != 0) {
        cli_error(cmd, "%s: %s", dir, strerror(errno));
        return CLI_EXIT_IO;
    }
    size_t n = 0;
    char **names = vector_names(dir, &n);
    if (!names || n == 0) {
        cli_error(cmd, "%s: %s", dir,
                  names ? "no vectors (no *.expect.json or *.jsonl files)" : strerror(errno));
        free_list(names, n);
        vec_dir_free(&d);
        return names ? CLI_EXIT_DATA : CLI_EXIT_IO;
    }
    vec *vs = calloc(n, sizeof *vs);
    QFS_ASSERT(vs != NULL);
    int bad = 0;
    /* First build everything in memory: a malformed vector writes nothing. */
    for (size_t i = 0; i < n; i++) {
        vec_init(&vs[i], cmd, dir, names[i]);
        vec_build_error be;
        if (vec_load_expect(&vs[i]) == 0 && vec_build(&vs[i], &be) == 0)
            vec_compute_pinned(&vs[i], &be);
        bad |= vs[i].malformed;
    }
    int rc = 0;
    if (bad) {
        cli_error(cmd, "%s: malformed vectors; nothing written", dir);
        rc = CLI_EXIT_DATA;
    }
    size_t logs = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        vec *v = &vs[i];
        if (v->kind == VEC_BAD_INPUT) {
            if (remove(v->qlog_path) != 0 && errno != ENOENT) {
                cli_error(cmd, "%s: %s", v->qlog_path, strerror(errno));
                rc = CLI_EXIT_IO;
            }
        } else if (vec_write_file_atomic(v->qlog_path, v->built.data ? (const void *)v->built.data : "",
                                         v->built.len) != 0) {
            cli_error(cmd, "%s: %s", v->qlog_path, strerror(errno));
            rc = CLI_EXIT_IO;
        } else {
            logs++;
        }
        size_t len = 0;
        char *text = pinned_text(v->pinned, &len);
        if (rc == 0 && vec_write_file_atomic(v->pinned_path, text, len) != 0) {
            cli_error(cmd, "%s: %s", v->pinned_path, strerror(errno));
            rc = CLI_EXIT_IO;
        }
        free(text);
    }
    if (rc == 0)
        rc = write_manifest(&d);
    if (rc == 0)
        printf("generated %zu vectors (%zu logs) in %s; wrote %s\n", n, logs, dir, d.manifest);
    for (size_t i = 0; i < n; i++)
        vec_free(&vs[i]);
    free(vs);
    free_list(names, n);
    vec_dir_free(&d);
    int out_rc = cli_finish_stdout(cmd);
    return rc ? rc : out_rc;
}

int cmd_vectors(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : cli_finish_stdout("vectors");
    }
    int is_verify = strcmp(argv[1], "verify") == 0;
    if (!is_verify && strcmp(argv[1], "generate") != 0)
        return cli_usage_error("vectors", "unknown subcommand '%s' (expected 'verify' or 'generate')",
                               argv[1]);
    const char *cmd = is_verify ? "vectors verify" : "vectors generate";
    const char *dir = NULL;
    const char *junit = NULL;
    const char **only = calloc((size_t)argc, sizeof *only);
    QFS_ASSERT(only != NULL);
    size_t only_n = 0;
    for (int i = 2; i < argc; i++) {
        const char *val;
        int m;
        if (cli_is_help(argv[i])) {
            free((void *)only);
            fputs(HELP, stdout);
            return cli_finish_stdout(cmd);
        }
        if (is_verify && (m = cli_opt_value(cmd, argc, argv, &i, "--junit", &val)) != 0) {
            if (m < 0) {
                free((void *)only);
                return CLI_EXIT_USAGE;
            }
            junit = val;
        } else if (is_verify && (m = cli_opt_value(cmd, argc, argv, &i, "--only", &val)) != 0) {
            if (m < 0) {
                free((void *)only);
                return CLI_EXIT_USAGE;
            }
            only[only_n++] = val;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            free((void *)only);
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!dir) {
            dir = argv[i];
        } else if (is_verify) {
            only[only_n++] = argv[i];
        } else {
            free((void *)only);
            return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!dir)
        dir = DEFAULT_DIR;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free((void *)only);
        cli_error(cmd, "%s: %s", dir, stat(dir, &st) != 0 ? strerror(errno) : "not a directory");
        return CLI_EXIT_IO;
    }
    int rc = is_verify ? verify(dir, junit, only, only_n) : generate(dir);
    free((void *)only);
    return rc;
}
