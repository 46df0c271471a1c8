/* qfs diff A B: where two logs, two traces, two state JSON files or two
 * evidence bundles part. */
#include "bundle.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char HELP[] =
    "usage: qfs diff A B [--json]\n"
    "\n"
    "Compares two logs, two traces ('qfs replay --trace' JSON Lines), two state\n"
    "JSON files ('qfs state') or two evidence bundles ('qfs evidence'\n"
    "directories); the kind is read from the files. The first line is\n"
    "one sentence, e.g.\n"
    "  diverge at event 48213 (epoch 17): modules nod, ledger differ; nod.nodes[n7].nod_received 60 != 61\n"
    "For two logs: the first event that differs (decoded, not byte-compared), the\n"
    "first event after which the states differ (state hashes compared at every\n"
    "epoch close, then event by event inside the first epoch that differs), the\n"
    "modules whose hashes differ there and the first differing entry of each, as a\n"
    "path (an array of objects is indexed by each element's id, or voter, led\n"
    "by its governance when it has one: tallies[social:0]; by position when\n"
    "some element has none or two share one) with both values. For two traces: the first line that differs "
    "and its first\n"
    "differing entry. For two states: the modules and first entries that differ.\n"
    "For two bundles: the first artifact that differs (in the order of\n"
    "docs/EVIDENCE.md) and its first differing JSON path with both values;\n"
    "what belongs to the binary that wrote a bundle (replay_consistency.json's\n"
    "build, the statement's digest of it, the envelope) is left out, as\n"
    "'qfs evidence verify' does, and a second line says when the builds differ.\n"
    "\n"
    "options:\n"
    "  --json       print the result as one JSON object\n"
    "\n"
    "exit codes: 0 same, 1 different, 2 usage (a bundle and a file), 65 corrupt or\n"
    "            invalid log, malformed JSON or an incomplete bundle, 74 I/O error\n";

#define CMD "diff"
/* A path deeper or longer than this is cut short: it is for reading. */
#define PATH_BYTES_MAX 1024
/* Values longer than this are cut short in the sentence (not in --json). */
#define SENTENCE_VALUE_BYTES_MAX 80

/* The first differing entry under some root: its path and both values
 * (NULL: absent on that side). */
typedef struct entry_diff {
    char path[PATH_BYTES_MAX];
    json_t *a;
    json_t *b;
} entry_diff;

static void path_append(char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void path_append(char *path, const char *fmt, ...)
{
    size_t used = strlen(path);
    if (used + 1 >= PATH_BYTES_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path + used, PATH_BYTES_MAX - used, fmt, ap);
    va_end(ap);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Element keys are cut to this many bytes; a cut key may clash, and a
 * clash makes the array compare by position. */
#define KEY_BYTES_MAX 256

/* The key an array element is matched and named by in a path: its "id"
 * (else "voter"), led by its "governance" and a colon when it has one (an
 * epoch close's tallies hold both governances' proposals, whose ids
 * repeat: "infra:0", "social:0"). 0 when it has no id. */
static int element_key(const json_t *v, char *buf, size_t size)
{
    if (!json_is_object(v))
        return 0;
    const json_t *id = json_object_get(v, "id");
    if (!id)
        id = json_object_get(v, "voter");
    const json_t *gov = json_object_get(v, "governance");
    char lead[KEY_BYTES_MAX / 2] = "";
    if (json_is_string(gov))
        snprintf(lead, sizeof lead, "%s:", json_string_value(gov));
    if (json_is_string(id))
        snprintf(buf, size, "%s%s", lead, json_string_value(id));
    else if (json_is_integer(id))
        snprintf(buf, size, "%s%" JSON_INTEGER_FORMAT, lead, json_integer_value(id));
    else
        return 0;
    return 1;
}

/* An array's elements by key, sorted for bsearch. */
typedef struct keyed {
    char key[KEY_BYTES_MAX];
    json_t *v;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
    return strcmp(((const keyed *)x)->key, ((const keyed *)y)->key);
}

/* The elements of arr sorted by key in *out (malloc'd); 1 when every
 * element has a key and no two share one, 0 when not (*out NULL), -1 out
 * of memory. */
static int keyed_index(const json_t *arr, keyed **out)
{
    size_t n = json_array_size(arr);
    *out = NULL;
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!element_key(v, k[i].key, sizeof k[i].key)) {
            free(k);
            return 0;
        }
        k[i].v = v;
    }
    qsort(k, n, sizeof *k, cmp_keyed);
    for (i = 1; i < n; i++) {
        if (strcmp(k[i - 1].key, k[i].key) == 0) {
            free(k);
            return 0;
        }
    }
    *out = k;
    return 1;
}

static json_t *keyed_find(const keyed *k, size_t n, const char *key)
{
    keyed probe;
    snprintf(probe.key, sizeof probe.key, "%s", key);
    const keyed *hit = n ? bsearch(&probe, k, n, sizeof *k, cmp_keyed) : NULL;
    return hit ? hit->v : NULL;
}

static int first_diff(json_t *a, json_t *b, char *path, entry_diff *out);

/* Compares one child whose path was appended to the first `used` bytes of
 * `path`, and cuts the path back to them. */
static int child_diff(json_t *a, json_t *b, char *path, size_t used, entry_diff *out)
{
    int d = first_diff(a, b, path, out);
    path[used] = '\0';
    return d;
}

/* 1 and *out filled when a and b differ (either may be NULL: absent);
 * objects in sorted key order; arrays whose elements all have keys
 * (element_key) unique within each array by key (in a's order, then b's
 * extra elements); other arrays by position. */
static int first_diff(json_t *a, json_t *b, char *path, entry_diff *out)
{
    if (a && b && json_is_object(a) && json_is_object(b)) {
        size_t n = json_object_size(a) + json_object_size(b);
        const char **keys = malloc((n ? n : 1) * sizeof *keys);
        if (!keys)
            return -1;
        size_t k = 0;
        const char *key;
        json_t *v;
        json_object_foreach(a, key, v) keys[k++] = key;
        json_object_foreach(b, key, v)
        {
            if (!json_object_get(a, key))
                keys[k++] = key;
        }
        qsort(keys, k, sizeof *keys, cmp_str);
        int d = 0;
        size_t used = strlen(path);
        for (size_t i = 0; i < k && d == 0; i++) {
            path_append(path, "%s%s", used ? "." : "", keys[i]);
            d = child_diff(json_object_get(a, keys[i]), json_object_get(b, keys[i]), path, used, out);
        }
        free(keys);
        return d;
    }
    if (a && b && json_is_array(a) && json_is_array(b)) {
        int d = 0;
        size_t i;
        json_t *v;
        size_t used = strlen(path);
        keyed *ka = NULL, *kb = NULL;
        int ua = keyed_index(a, &ka);
        int ub = ua == 1 ? keyed_index(b, &kb) : 0;
        if (ua < 0 || ub < 0) {
            free(ka);
            return -1;
        }
        if (ua == 1 && ub == 1) {
            size_t na = json_array_size(a), nb = json_array_size(b);
            char key[KEY_BYTES_MAX];
            json_array_foreach(a, i, v)
            {
                if (d != 0)
                    break;
                element_key(v, key, sizeof key);
                path_append(path, "[%s]", key);
                d = child_diff(v, keyed_find(kb, nb, key), path, used, out);
            }
            json_array_foreach(b, i, v)
            {
                if (d != 0)
                    break;
                element_key(v, key, sizeof key);
                if (keyed_find(ka, na, key))
                    continue;
                path_append(path, "[%s]", key);
                d = child_diff(NULL, v, path, used, out);
            }
            free(ka);
            free(kb);
            return d;
        }
        free(ka);
        free(kb);
        size_t n = json_array_size(a) > json_array_size(b) ? json_array_size(a) : json_array_size(b);
        for (i = 0; i < n && d == 0; i++) {
            path_append(path, "[%zu]", i);
            d = child_diff(json_array_get(a, i), json_array_get(b, i), path, used, out);
        }
        return d;
    }
    if (a && b && json_equal(a, b))
        return 0;
    snprintf(out->path, sizeof out->path, "%s", path);
    out->a = a ? json_incref(a) : NULL;
    out->b = b ? json_incref(b) : NULL;
    return 1;
}

/* A value as the sentence shows it: strings without quotes, "absent". */
static void value_text(const json_t *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "absent");
        return;
    }
    if (json_is_string(v)) {
        snprintf(buf, size, "%s", json_string_value(v));
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
        snprintf(buf, size, "%s", s ? s : "?");
        free(s);
    }
    if (strlen(buf) + 1 >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

static void entry_text(const entry_diff *e, char *buf, size_t size)
{
    char va[SENTENCE_VALUE_BYTES_MAX + 1];
    char vb[SENTENCE_VALUE_BYTES_MAX + 1];
    value_text(e->a, va, sizeof va);
    value_text(e->b, vb, sizeof vb);
    snprintf(buf, size, "%s %s != %s", e->path[0] ? e->path : "(root)", va, vb);
}

static json_t *entry_json(const entry_diff *e)
{
    return json_pack("{s:s, s:O?, s:O?}", "path", e->path, "a", e->a, "b", e->b);
}

/* The result of a comparison, for the sentence, the detail and --json. */
typedef struct diff_result {
    const char *kind; /* "log", "trace", "state" */
    int events_differ;
    uint64_t event_index;
    json_t *event_a; /* NULL: the log ends there */
    json_t *event_b;
    int states_differ;
    uint64_t state_index; /* logs: the state after this event differs */
    uint64_t epoch;
    size_t module_count;
    const char *modules[32];
    entry_diff entries[32]; /* the first differing entry of each module */
    int counted;            /* events_a and events_b are known */
    uint64_t events_a, events_b;
    int have_hashes;
    qfs_hash128 hash_a, hash_b;
} diff_result;

static void result_free(diff_result *r)
{
    json_decref(r->event_a);
    json_decref(r->event_b);
    for (size_t i = 0; i < r->module_count; i++) {
        json_decref(r->entries[i].a);
        json_decref(r->entries[i].b);
    }
}

static void sentence(const diff_result *r, char *buf, size_t size)
{
    char entry[PATH_BYTES_MAX + 2 * SENTENCE_VALUE_BYTES_MAX + 16] = "";
    char mods[512] = "";
    for (size_t i = 0; i < r->module_count; i++) {
        size_t used = strlen(mods);
        snprintf(mods + used, sizeof mods - used, "%s%s", i ? ", " : "", r->modules[i]);
    }
    if (r->module_count)
        entry_text(&r->entries[0], entry, sizeof entry);
    const char *mword = r->module_count == 1 ? "module" : "modules";
    const char *verb = r->module_count == 1 ? "differs" : "differ";
    if (strcmp(r->kind, "state") == 0) {
        if (r->module_count)
            snprintf(buf, size, "states differ: %s %s %s; %s", mword, mods, verb, entry);
        else
            snprintf(buf, size, "same: states equal");
        return;
    }
    if (strcmp(r->kind, "trace") == 0) {
        if (r->module_count)
            snprintf(buf, size, "traces differ at event %llu: %s", (unsigned long long)r->event_index, entry);
        else if (r->events_differ)
            snprintf(buf, size, "traces differ at event %llu: %s ends", (unsigned long long)r->event_index,
                     r->event_a ? "B" : "A");
        else
            snprintf(buf, size, "same: %llu events", (unsigned long long)r->events_a);
        return;
    }
    if (r->states_differ) {
        size_t n = (size_t)snprintf(buf, size, "diverge at event %llu (epoch %llu): %s %s %s; %s",
                                    (unsigned long long)r->state_index, (unsigned long long)r->epoch, mword,
                                    mods, verb, entry);
        if (r->events_differ && r->event_index < r->state_index && n < size)
            snprintf(buf + n, size - n, " (events differ from event %llu)",
                     (unsigned long long)r->event_index);
        return;
    }
    if (r->events_differ) {
        if (!r->event_a || !r->event_b)
            snprintf(buf, size, "events differ at event %llu (%s ends); states equal before it",
                     (unsigned long long)r->event_index, r->event_a ? "B" : "A");
        else
            snprintf(buf, size, "events differ at event %llu; states equal",
                     (unsigned long long)r->event_index);
        return;
    }
    char hex[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(&r->hash_a, hex);
    snprintf(buf, size, "same: %llu events, state hash %s", (unsigned long long)r->events_a, hex);
}

static int report(const diff_result *r, int as_json)
{
    char line[4096];
    sentence(r, line, sizeof line);
    int same = !r->events_differ && !r->states_differ && r->module_count == 0;
    if (as_json) {
        json_t *o = json_pack("{s:s, s:b, s:s}", "kind", r->kind, "same", same, "summary", line);
        if (!o)
            return CLI_EXIT_IO;
        if (r->counted) {
            json_object_set_new(
                o, "events_compared",
                json_integer((json_int_t)(r->events_a < r->events_b ? r->events_a : r->events_b)));
        }
        if (r->events_differ)
            json_object_set_new(o, "event_diff",
                                json_pack("{s:I, s:O?, s:O?}", "event", (json_int_t)r->event_index, "a",
                                          r->event_a, "b", r->event_b));
        else
            json_object_set_new(o, "event_diff", json_null());
        if (r->module_count) {
            json_t *mods = json_array();
            json_t *ents = json_array();
            for (size_t i = 0; i < r->module_count; i++) {
                json_array_append_new(mods, json_string(r->modules[i]));
                json_array_append_new(ents, entry_json(&r->entries[i]));
            }
            json_t *sd = json_pack("{s:o, s:o}", "modules", mods, "entries", ents);
            if (strcmp(r->kind, "log") == 0) {
                json_object_set_new(sd, "event", json_integer((json_int_t)r->state_index));
                json_object_set_new(sd, "epoch", json_integer((json_int_t)r->epoch));
            }
            json_object_set_new(o, "state_diff", sd);
        } else {
            json_object_set_new(o, "state_diff", json_null());
        }
        if (r->have_hashes) {
            char ha[QFS_HASH128_HEX_LEN + 1];
            char hb[QFS_HASH128_HEX_LEN + 1];
            qfs_hash128_hex(&r->hash_a, ha);
            qfs_hash128_hex(&r->hash_b, hb);
            json_object_set_new(o, "state_hash_a", json_string(ha));
            json_object_set_new(o, "state_hash_b", json_string(hb));
        }
        char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(o);
        if (!s)
            return CLI_EXIT_IO;
        printf("%s\n", s);
        free(s);
    } else {
        printf("%s\n", line);
        if (r->events_differ) {
            printf("first differing event: %llu\n", (unsigned long long)r->event_index);
            for (int side = 0; side < 2; side++) {
                const json_t *ev = side ? r->event_b : r->event_a;
                char *s = ev ? json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
                printf("  %s: %s\n", side ? "b" : "a", s ? s : "(end)");
                free(s);
            }
        }
        if (r->states_differ)
            printf("first differing state: after event %llu (epoch %llu)\n",
                   (unsigned long long)r->state_index, (unsigned long long)r->epoch);
        for (size_t i = 0; i < r->module_count; i++) {
            char t[PATH_BYTES_MAX + 2 * SENTENCE_VALUE_BYTES_MAX + 16];
            entry_text(&r->entries[i], t, sizeof t);
            printf("  %s\n", t);
        }
    }
    int rc = cli_finish_stdout(CMD);
    return rc != 0 ? rc : same ? CLI_EXIT_OK : CLI_EXIT_MISMATCH;
}

/* ---- state JSON files ---- */

static int load_json_file(const char *path, json_t **out)
{
    json_error_t e;
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error(CMD, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    *out = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        json_decref(*out);
        cli_error(CMD, "%s: read error", path);
        return CLI_EXIT_IO;
    }
    if (!*out) {
        cli_error(CMD, "%s: line %d: malformed JSON: %s", path, e.line, e.text);
        return CLI_EXIT_DATA;
    }
    return 0;
}

/* Fills r's modules and entries from two module-keyed objects. */
static int diff_modules(json_t *a, json_t *b, diff_result *r)
{
    char path[PATH_BYTES_MAX];
    const char *key;
    json_t *v;
    json_object_foreach(a, key, v)
    {
        if (r->module_count >= sizeof r->modules / sizeof r->modules[0])
            break;
        snprintf(path, sizeof path, "%s", key);
        int d = first_diff(v, json_object_get(b, key), path, &r->entries[r->module_count]);
        if (d < 0)
            return CLI_EXIT_IO;
        if (d)
            r->modules[r->module_count++] = key;
    }
    json_object_foreach(b, key, v)
    {
        if (r->module_count >= sizeof r->modules / sizeof r->modules[0] || json_object_get(a, key))
            continue;
        snprintf(path, sizeof path, "%s", key);
        if (first_diff(NULL, v, path, &r->entries[r->module_count]) != 0)
            r->modules[r->module_count++] = key;
    }
    return 0;
}

static int diff_states(const char *pa, const char *pb, int as_json)
{
    json_t *a = NULL;
    json_t *b = NULL;
    int rc = load_json_file(pa, &a);
    if (rc == 0)
        rc = load_json_file(pb, &b);
    if (rc == 0 && (!json_is_object(a) || !json_is_object(b))) {
        cli_error(CMD, "%s: not a state JSON object", json_is_object(a) ? pb : pa);
        rc = CLI_EXIT_DATA;
    }
    diff_result r = {.kind = "state"};
    if (rc == 0)
        rc = diff_modules(a, b, &r);
    if (rc == 0)
        rc = report(&r, as_json);
    result_free(&r);
    json_decref(a);
    json_decref(b);
    return rc;
}

/* ---- traces ---- */

/* Reads and parses the next line; 0 with *out (NULL at the end), or an exit
 * code after reporting. */
static int trace_next(FILE *f, const char *path, uint64_t line_no, char **buf, size_t *cap, json_t **out)
{
    *out = NULL;
    errno = 0;
    ssize_t n = getline(buf, cap, f);
    if (n < 0) {
        if (ferror(f)) {
            cli_error(CMD, "%s: read error", path);
            return CLI_EXIT_IO;
        }
        return 0;
    }
    json_error_t e;
    *out = json_loadb(*buf, (size_t)n, 0, &e);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        cli_error(CMD, "%s:%llu: malformed trace line: %s", path, (unsigned long long)line_no,
                  e.text[0] ? e.text : "not an object");
        return CLI_EXIT_DATA;
    }
    return 0;
}

static int diff_traces(const char *pa, const char *pb, int as_json)
{
    FILE *fa = fopen(pa, "rb");
    FILE *fb = fa ? fopen(pb, "rb") : NULL;
    if (!fa || !fb) {
        cli_error(CMD, "%s: %s", fa ? pb : pa, strerror(errno));
        if (fa)
            fclose(fa);
        return CLI_EXIT_IO;
    }
    char *ba = NULL;
    char *bb = NULL;
    size_t ca = 0;
    size_t cb = 0;
    diff_result r = {.kind = "trace", .counted = 1};
    int rc = 0;
    for (uint64_t line = 1;; line++) {
        json_t *a = NULL;
        json_t *b = NULL;
        rc = trace_next(fa, pa, line, &ba, &ca, &a);
        if (rc == 0)
            rc = trace_next(fb, pb, line, &bb, &cb, &b);
        if (rc != 0 || (!a && !b)) {
            json_decref(a);
            json_decref(b);
            break;
        }
        json_t *ev = json_object_get(a ? a : b, "event");
        uint64_t index = json_is_integer(ev) ? (uint64_t)json_integer_value(ev) : line - 1;
        if (a)
            r.events_a++;
        if (b)
            r.events_b++;
        if (!a || !b) {
            r.events_differ = 1;
            r.event_index = index;
            r.event_a = a;
            r.event_b = b;
            break;
        }
        char path[PATH_BYTES_MAX] = "";
        int d = first_diff(a, b, path, &r.entries[0]);
        if (d != 0) {
            r.events_differ = 1;
            r.event_index = index;
            r.event_a = a;
            r.event_b = b;
            r.modules[0] = "trace";
            r.module_count = 1;
            rc = d < 0 ? CLI_EXIT_IO : 0;
            break;
        }
        json_decref(a);
        json_decref(b);
    }
    free(ba);
    free(bb);
    fclose(fa);
    fclose(fb);
    if (rc == 0)
        rc = report(&r, as_json);
    result_free(&r);
    return rc;
}

/* ---- logs ---- */

/* One side of a side-by-side fold. */
typedef struct side {
    const char *path;
    qfs_log_reader *reader;
    qfs_arena *arena;
    qfs_state *state;
    qfs_event ev;
    int ended;
} side;

static void side_close(side *s)
{
    qfs_log_reader_free(s->reader);
    qfs_arena_free(s->arena);
    qfs_state_free(s->state);
    memset(s, 0, sizeof *s);
}

static int side_open(side *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    int rc = cli_open_log(CMD, path, &s->reader, &s->arena);
    if (rc != 0)
        return rc;
    /* No verify hint: the fold checks each signature itself. */
    qfs_err err = qfs_state_create(&s->state, NULL);
    if (err != QFS_OK) {
        side_close(s);
        return cli_fail(CMD, path, err, NULL);
    }
    return 0;
}

/* Reads the next event into s->ev (s->ended at the end). */
static int side_read(side *s)
{
    uint64_t index;
    int rc = cli_next_event(CMD, s->path, s->reader, s->arena, &s->ev, &index, NULL);
    if (rc == CLI_NEXT_END) {
        s->ended = 1;
        return 0;
    }
    return rc;
}

static int side_apply(side *s, uint64_t index)
{
    qfs_receipt receipt = {0};
    qfs_err err = qfs_state_apply(s->state, &s->ev, &receipt);
    if (err == QFS_OK)
        return 0;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_diag_set_event(&diag, index);
    qfs_diag_set(&diag, "the state machine cannot apply this event");
    return cli_fail(CMD, s->path, err, &diag);
}

static json_t *event_json(const qfs_event *ev)
{
    char *text = NULL;
    size_t len = 0;
    if (qfs_json_format_event(&text, &len, ev) != QFS_OK)
        return NULL;
    json_t *j = json_loadb(text, len, 0, NULL);
    free(text);
    return j;
}

static int states_equal(const side *a, const side *b)
{
    qfs_hash128 ha;
    qfs_hash128 hb;
    qfs_state_hash(a->state, &ha);
    qfs_state_hash(b->state, &hb);
    return memcmp(ha.bytes, hb.bytes, sizeof ha.bytes) == 0;
}

/* Pass 1 compares the events and, at every epoch close of either log and at
 * the end of the shorter one, the state hashes. It stops at the first
 * checkpoint whose hashes differ; *good is then the last checkpoint that
 * agreed (UINT64_MAX: none) and *bad the one that did not. */
static int pass_events(side *a, side *b, diff_result *r, uint64_t *good, uint64_t *bad, int *found)
{
    *good = UINT64_MAX;
    *found = 0;
    int rc = 0;
    for (uint64_t i = 0; rc == 0; i++) {
        if ((rc = side_read(a)) != 0 || (rc = side_read(b)) != 0)
            return rc;
        if (a->ended || b->ended) {
            if (!(a->ended && b->ended) && !r->events_differ) {
                r->events_differ = 1;
                r->event_index = i;
                r->event_a = a->ended ? NULL : event_json(&a->ev);
                r->event_b = b->ended ? NULL : event_json(&b->ev);
            }
            r->events_a = r->events_b = i;
            r->counted = 1;
            if (i > 0 && !states_equal(a, b)) {
                *bad = i - 1;
                *found = 1;
            }
            return 0;
        }
        if (!r->events_differ) {
            json_t *ja = event_json(&a->ev);
            json_t *jb = event_json(&b->ev);
            if (!ja || !jb) {
                json_decref(ja);
                json_decref(jb);
                cli_error(CMD, "out of memory");
                return CLI_EXIT_IO;
            }
            if (json_equal(ja, jb)) {
                json_decref(ja);
                json_decref(jb);
            } else {
                r->events_differ = 1;
                r->event_index = i;
                r->event_a = ja;
                r->event_b = jb;
            }
        }
        int close = a->ev.kind == QFS_EVENT_EPOCH_CLOSE || b->ev.kind == QFS_EVENT_EPOCH_CLOSE;
        if ((rc = side_apply(a, i)) != 0 || (rc = side_apply(b, i)) != 0)
            return rc;
        if (close) {
            if (states_equal(a, b)) {
                *good = i;
            } else {
                *bad = i;
                *found = 1;
                return 0;
            }
        }
    }
    return rc;
}

/* Pass 2 folds both logs again to the last checkpoint that agreed, then
 * compares the state hashes after every event up to the one that did not. */
static int pass_states(side *a, side *b, uint64_t good, uint64_t bad, diff_result *r)
{
    for (uint64_t i = 0; i <= bad; i++) {
        int rc;
        if ((rc = side_read(a)) != 0 || (rc = side_read(b)) != 0)
            return rc;
        QFS_ASSERT(!a->ended && !b->ended);
        uint64_t epoch = qfs_state_epoch(a->state);
        if ((rc = side_apply(a, i)) != 0 || (rc = side_apply(b, i)) != 0)
            return rc;
        if ((good == UINT64_MAX || i > good) && (i == bad || !states_equal(a, b))) {
            r->states_differ = 1;
            r->state_index = i;
            r->epoch = epoch;
            return 0;
        }
    }
    QFS_ASSERT(0 && "the checkpoint that differed did not differ again");
    return CLI_EXIT_DATA;
}

static int module_entries(const side *a, const side *b, diff_result *r)
{
    for (size_t m = 0; m < qfs_state_module_count(); m++) {
        qfs_hash128 ha;
        qfs_hash128 hb;
        qfs_state_module_hash(a->state, m, &ha);
        qfs_state_module_hash(b->state, m, &hb);
        if (memcmp(ha.bytes, hb.bytes, sizeof ha.bytes) == 0 ||
            r->module_count >= sizeof r->modules / sizeof r->modules[0])
            continue;
        const char *name = qfs_state_module_name(m);
        char *ta = NULL;
        char *tb = NULL;
        size_t la = 0;
        size_t lb = 0;
        qfs_err err = qfs_state_to_json(a->state, name, &ta, &la);
        if (err == QFS_OK)
            err = qfs_state_to_json(b->state, name, &tb, &lb);
        json_t *ja = err == QFS_OK ? json_loadb(ta, la, 0, NULL) : NULL;
        json_t *jb = err == QFS_OK ? json_loadb(tb, lb, 0, NULL) : NULL;
        free(ta);
        free(tb);
        entry_diff *e = &r->entries[r->module_count];
        char path[PATH_BYTES_MAX];
        snprintf(path, sizeof path, "%s", name);
        int d = ja && jb ? first_diff(ja, jb, path, e) : -1;
        json_decref(ja);
        json_decref(jb);
        if (d < 0) {
            cli_error(CMD, "out of memory");
            return CLI_EXIT_IO;
        }
        /* Equal JSON under different hashes: the hash covers more than the
         * JSON shows; name the module all the same. */
        if (d == 0)
            snprintf(e->path, sizeof e->path, "%s (hash only)", name);
        r->modules[r->module_count++] = name;
    }
    return 0;
}

static int diff_logs(const char *pa, const char *pb, int as_json)
{
    side a;
    side b;
    diff_result r = {.kind = "log"};
    int rc = side_open(&a, pa);
    if (rc != 0)
        return rc;
    if ((rc = side_open(&b, pb)) != 0) {
        side_close(&a);
        return rc;
    }
    uint64_t good = UINT64_MAX;
    uint64_t bad = 0;
    int found = 0;
    rc = pass_events(&a, &b, &r, &good, &bad, &found);
    if (rc == 0 && !found) {
        r.have_hashes = 1;
        qfs_state_hash(a.state, &r.hash_a);
        qfs_state_hash(b.state, &r.hash_b);
    }
    side_close(&a);
    side_close(&b);
    if (rc == 0 && found) {
        rc = side_open(&a, pa);
        if (rc == 0 && (rc = side_open(&b, pb)) != 0)
            side_close(&a);
        if (rc == 0) {
            rc = pass_states(&a, &b, good, bad, &r);
            if (rc == 0)
                rc = module_entries(&a, &b, &r);
            if (rc == 0) {
                r.have_hashes = 1;
                qfs_state_hash(a.state, &r.hash_a);
                qfs_state_hash(b.state, &r.hash_b);
            }
            side_close(&a);
            side_close(&b);
        }
    }
    if (rc == 0)
        rc = report(&r, as_json);
    result_free(&r);
    return rc;
}

/* ---- evidence bundles ---- */

int diff_json_first(json_t *a, json_t *b, char *path, json_t **va, json_t **vb)
{
    entry_diff e;
    memset(&e, 0, sizeof e);
    int d = first_diff(a, b, path, &e);
    if (d == 1) {
        snprintf(path, PATH_BYTES_MAX, "%s", e.path);
        *va = e.a;
        *vb = e.b;
    }
    return d;
}

/* One bundle file's path; 0, or an exit code after reporting a name too long. */
static int bundle_path(char *buf, size_t size, const char *dir, const char *name)
{
    if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size) {
        cli_error(CMD, "%s: path too long", dir);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Removes what legitimately differs between two binaries from a bundle
 * file's JSON, as `qfs evidence verify` skips it: replay_consistency.json's
 * "build", and the statement's digest of replay_consistency.json (which
 * follows from that build). */
static void strip_build(const char *name, json_t *j)
{
    if (strcmp(name, BUNDLE_CONSISTENCY) == 0) {
        json_object_del(j, "build");
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "subject"), i, v)
    {
        if (json_is_string(json_object_get(v, "name")) &&
            strcmp(json_string_value(json_object_get(v, "name")), BUNDLE_CONSISTENCY) == 0)
            json_object_del(v, "digest");
    }
}

/* Two versions of replay_consistency.json or statement.json that differ in
 * bytes: 1 (and *d holding the difference) when they differ beyond the
 * build, 0 when only the build does (then *build holds the build's first
 * difference, build.compiler first when it is one), or an exit code. */
static int compare_beyond_build(const char *name, const char *fa, const char *fb, bundle_diff *d,
                                bundle_diff *build)
{
    if (d->bytes_only)
        return 1; /* the same JSON in other bytes is no build's doing */
    json_t *ja = NULL, *jb = NULL;
    int rc = bundle_load_json(CMD, fa, &ja);
    if (rc == 0)
        rc = bundle_load_json(CMD, fb, &jb);
    if (rc != 0) {
        json_decref(ja);
        json_decref(jb);
        return rc;
    }
    if (strcmp(name, BUNDLE_CONSISTENCY) == 0) {
        json_t *ba = json_object_get(ja, "build"), *bb = json_object_get(jb, "build");
        if ((!ba && !bb) || json_equal(ba, bb)) {
            json_decref(ja);
            json_decref(jb);
            return 1; /* the difference is elsewhere: *d names it */
        }
        json_t *ca = json_object_get(ba, "compiler"), *cb = json_object_get(bb, "compiler");
        bundle_diff_clear(build);
        memset(build, 0, sizeof *build);
        if (ca && cb && !json_equal(ca, cb)) {
            snprintf(build->path, sizeof build->path, "build.compiler");
            build->a = json_incref(ca);
            build->b = json_incref(cb);
        } else {
            snprintf(build->path, sizeof build->path, "build");
            if (diff_json_first(ba, bb, build->path, &build->a, &build->b) < 0)
                rc = CLI_EXIT_IO;
        }
    }
    strip_build(name, ja);
    strip_build(name, jb);
    bundle_diff_clear(d);
    memset(d, 0, sizeof *d);
    int r = rc == 0 ? diff_json_first(ja, jb, d->path, &d->a, &d->b) : 0;
    json_decref(ja);
    json_decref(jb);
    if (r < 0) {
        cli_error(CMD, "out of memory");
        return CLI_EXIT_IO;
    }
    return rc != 0 ? rc : r;
}

/* Artifact by artifact, in the order of bundle.h; the first that differs is
 * named with its first differing path. A signed bundle against an unsigned
 * one differs in statement.dsse.json. Like `qfs evidence verify`, the
 * comparison leaves out what belongs to the binary that wrote a bundle:
 * replay_consistency.json's "build", the statement's digest of that file
 * and the envelope (whose payload is the statement); when only these
 * differ, the bundles are the same and a second line says the builds
 * differ. */
static int diff_bundles(const char *pa, const char *pb, int as_json)
{
    char fa[4096], fb[4096];
    bundle_diff d, build;
    memset(&d, 0, sizeof d);
    memset(&build, 0, sizeof build);
    const char *differs = NULL;
    int builds_differ = 0;
    int rc = 0;
    size_t compared = 0;
    for (size_t i = 0; i < BUNDLE_FILES && rc == 0 && !differs; i++) {
        const char *name = BUNDLE_FILE_NAMES[i];
        if ((rc = bundle_path(fa, sizeof fa, pa, name)) != 0 ||
            (rc = bundle_path(fb, sizeof fb, pb, name)) != 0)
            break;
        int r = bundle_compare(CMD, fa, fb, strcmp(name, "trace.jsonl") == 0, &d);
        if (r == 1 &&
            (strcmp(name, BUNDLE_CONSISTENCY) == 0 || (builds_differ && strcmp(name, BUNDLE_STATEMENT) == 0)))
            r = compare_beyond_build(name, fa, fb, &d, &build);
        if (r == 0 && build.path[0] && strcmp(name, BUNDLE_CONSISTENCY) == 0)
            builds_differ = 1;
        if (r == 1)
            differs = name;
        else if (r != 0)
            rc = r;
        compared++;
    }
    if (rc == 0 && !differs) {
        struct stat sa, sb;
        int ha = bundle_path(fa, sizeof fa, pa, BUNDLE_DSSE) == 0 && stat(fa, &sa) == 0;
        int hb = bundle_path(fb, sizeof fb, pb, BUNDLE_DSSE) == 0 && stat(fb, &sb) == 0;
        if (ha && hb) {
            int r = bundle_compare(CMD, fa, fb, 0, &d);
            if (r == 1 && builds_differ)
                r = 0; /* its payload is the statement, equal up to the build */
            if (r == 1)
                differs = BUNDLE_DSSE;
            else if (r != 0)
                rc = r;
            compared++;
        } else if (ha != hb) {
            differs = BUNDLE_DSSE;
            snprintf(d.path, sizeof d.path, "(file)");
            d.a = ha ? json_string("present") : NULL;
            d.b = hb ? json_string("present") : NULL;
        }
    }
    if (rc != 0) {
        bundle_diff_clear(&d);
        bundle_diff_clear(&build);
        return rc;
    }
    char detail[BUNDLE_PATH_BYTES_MAX + 256];
    char line[sizeof detail + 128];
    char second[sizeof detail + 128] = "";
    if (differs) {
        bundle_diff_text(&d, detail, sizeof detail);
        snprintf(line, sizeof line, "bundles differ at %s: %s", differs, detail);
    } else {
        snprintf(line, sizeof line, "same: %zu artifacts equal%s", compared,
                 builds_differ ? " (built by different binaries)" : "");
    }
    if (!differs && builds_differ) {
        bundle_diff_text(&build, detail, sizeof detail);
        snprintf(second, sizeof second, "builds differ at %s: %s", BUNDLE_CONSISTENCY, detail);
    }
    if (as_json) {
        json_t *o = json_pack("{s:s, s:b, s:s, s:b}", "kind", "evidence", "same", !differs, "summary", line,
                              "builds_differ", !differs && builds_differ);
        if (o && differs)
            json_object_set_new(
                o, "artifact_diff",
                json_pack("{s:s, s:s, s:O?, s:O?}", "artifact", differs, "path", d.path, "a", d.a, "b", d.b));
        else if (o)
            json_object_set_new(o, "artifact_diff", json_null());
        if (o && !differs && builds_differ)
            json_object_set_new(
                o, "build_diff",
                json_pack("{s:s, s:O?, s:O?}", "path", build.path, "a", build.a, "b", build.b));
        else if (o)
            json_object_set_new(o, "build_diff", json_null());
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(o);
        if (!s) {
            bundle_diff_clear(&d);
            bundle_diff_clear(&build);
            cli_error(CMD, "out of memory");
            return CLI_EXIT_IO;
        }
        printf("%s\n", s);
        free(s);
    } else {
        printf("%s\n", line);
        if (second[0])
            printf("%s\n", second);
    }
    bundle_diff_clear(&d);
    bundle_diff_clear(&build);
    rc = cli_finish_stdout(CMD);
    return rc != 0 ? rc : differs ? CLI_EXIT_MISMATCH : CLI_EXIT_OK;
}

/* ---- kinds ---- */

typedef enum file_kind { KIND_LOG, KIND_STATE, KIND_TRACE, KIND_BUNDLE } file_kind;

/* A file whose first byte is not '{' is taken for a log (the log reader
 * names what is wrong with it). A JSON file is a trace when its first object
 * has "event" and "receipt" keys, else a state. */
static int kind_of(const char *path, file_kind *out)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error(CMD, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    if (S_ISDIR(st.st_mode)) {
        *out = KIND_BUNDLE;
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error(CMD, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    char head[4096];
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    *out = KIND_LOG;
    if (n > 0 && head[0] == '{') {
        *out = KIND_STATE;
        char *nl = strchr(head, '\n');
        if (nl)
            *nl = '\0';
        if (strstr(head, "\"event\":") && strstr(head, "\"receipt\":"))
            *out = KIND_TRACE;
    }
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout(CMD);
        }
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        } else if (!paths[0]) {
            paths[0] = argv[i];
        } else if (!paths[1]) {
            paths[1] = argv[i];
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!paths[1])
        return cli_usage_error(CMD, "missing %s", paths[0] ? "B" : "A and B");
    file_kind ka;
    file_kind kb;
    int rc = kind_of(paths[0], &ka);
    if (rc == 0)
        rc = kind_of(paths[1], &kb);
    if (rc != 0)
        return rc;
    static const char *const NAMES[] = {"a log", "a state JSON file", "a trace", "an evidence bundle"};
    if (ka != kb)
        return cli_usage_error(CMD, "%s is %s but %s is %s", paths[0], NAMES[ka], paths[1], NAMES[kb]);
    if (ka == KIND_STATE)
        return diff_states(paths[0], paths[1], as_json);
    if (ka == KIND_TRACE)
        return diff_traces(paths[0], paths[1], as_json);
    if (ka == KIND_BUNDLE)
        return diff_bundles(paths[0], paths[1], as_json);
    return diff_logs(paths[0], paths[1], as_json);
}
