/* Evidence bundles: see bundle.h. */
#include "bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const BUNDLE_FILE_NAMES[BUNDLE_FILES] = {
    "nod_distribution.json", "rewards.json",     "checkpoints.json", "governance.json", "state.json",
    "trace.jsonl",           BUNDLE_CONSISTENCY, BUNDLE_STATEMENT};

/* Values longer than this are cut short in messages. */
#define VALUE_BYTES_MAX 80

void bundle_diff_clear(bundle_diff *d)
{
    json_decref(d->a);
    json_decref(d->b);
    memset(d, 0, sizeof *d);
}

int bundle_read_file(const char *path, char **out, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            errno = ENOMEM;
            return -1;
        }
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len + 1 < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        errno = EIO;
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    *len_out = len;
    return 0;
}

int bundle_load_json(const char *cmd, const char *path, json_t **out)
{
    char *text = NULL;
    size_t len = 0;
    if (bundle_read_file(path, &text, &len) != 0) {
        int e = errno;
        cli_error(cmd, "%s: %s", path, strerror(e));
        return e == ENOENT ? CLI_EXIT_DATA : CLI_EXIT_IO;
    }
    json_error_t je;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!*out) {
        cli_error(cmd, "%s: line %d: not JSON: %s", path, je.line, je.text);
        return CLI_EXIT_DATA;
    }
    return 0;
}

/* Parses one side's text for the JSON comparison. */
static int parse_side(const char *cmd, const char *path, long line, const char *text, size_t len,
                      json_t **out)
{
    json_error_t je;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (*out)
        return 0;
    if (line >= 0)
        cli_error(cmd, "%s:%ld: not JSON: %s", path, line + 1, je.text);
    else
        cli_error(cmd, "%s: line %d: not JSON: %s", path, je.line, je.text);
    return CLI_EXIT_DATA;
}

/* The JSON difference of two texts that differ in bytes; `line` >= 0 for
 * a line of JSON Lines (its index leads the path). */
static int json_difference(const char *cmd, const char *pa, const char *pb, long line, const char *ta,
                           size_t la, const char *tb, size_t lb, bundle_diff *d)
{
    json_t *ja = NULL, *jb = NULL;
    int rc = ta ? parse_side(cmd, pa, line, ta, la, &ja) : 0;
    if (rc == 0 && tb)
        rc = parse_side(cmd, pb, line, tb, lb, &jb);
    if (rc == 0) {
        memset(d, 0, sizeof *d);
        if (line >= 0)
            snprintf(d->path, sizeof d->path, "[%ld]", line);
        int r = diff_json_first(ja, jb, d->path, &d->a, &d->b);
        if (r < 0) {
            cli_error(cmd, "out of memory");
            rc = CLI_EXIT_IO;
        } else {
            d->bytes_only = r == 0;
            rc = 1;
        }
    }
    json_decref(ja);
    json_decref(jb);
    return rc;
}

static int compare_lines(const char *cmd, const char *pa, const char *pb, bundle_diff *d)
{
    FILE *fa = fopen(pa, "rb");
    FILE *fb = fa ? fopen(pb, "rb") : NULL;
    if (!fa || !fb) {
        int e = errno;
        const char *which = fa ? pb : pa;
        cli_error(cmd, "%s: %s", which, strerror(e));
        if (fa)
            fclose(fa);
        return e == ENOENT ? CLI_EXIT_DATA : CLI_EXIT_IO;
    }
    char *la = NULL, *lb = NULL;
    size_t ca = 0, cb = 0;
    int rc = 0;
    for (long line = 0; rc == 0; line++) {
        ssize_t na = getline(&la, &ca, fa);
        ssize_t nb = getline(&lb, &cb, fb);
        if (na < 0 && nb < 0)
            break;
        if (na == nb && memcmp(la, lb, (size_t)na) == 0)
            continue;
        rc = json_difference(cmd, pa, pb, line, na < 0 ? NULL : la, na < 0 ? 0 : (size_t)na,
                             nb < 0 ? NULL : lb, nb < 0 ? 0 : (size_t)nb, d);
    }
    if (rc == 0 && (ferror(fa) || ferror(fb))) {
        cli_error(cmd, "%s: read error", ferror(fa) ? pa : pb);
        rc = CLI_EXIT_IO;
    }
    free(la);
    free(lb);
    fclose(fa);
    fclose(fb);
    return rc;
}

int bundle_compare(const char *cmd, const char *pa, const char *pb, int lines, bundle_diff *d)
{
    memset(d, 0, sizeof *d);
    if (lines)
        return compare_lines(cmd, pa, pb, d);
    char *ta = NULL, *tb = NULL;
    size_t la = 0, lb = 0;
    int rc = 0;
    const char *failed = bundle_read_file(pa, &ta, &la) != 0   ? pa
                         : bundle_read_file(pb, &tb, &lb) != 0 ? pb
                                                               : NULL;
    if (failed) {
        int e = errno;
        cli_error(cmd, "%s: %s", failed, strerror(e));
        rc = e == ENOENT ? CLI_EXIT_DATA : CLI_EXIT_IO;
    } else if (la != lb || memcmp(ta, tb, la) != 0) {
        rc = json_difference(cmd, pa, pb, -1, ta, la, tb, lb, d);
    }
    free(ta);
    free(tb);
    return rc;
}

static void value_text(const json_t *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "absent");
        return;
    }
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(buf, size, "%s", s ? s : "?");
    free(s);
    if (strlen(buf) + 1 >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

void bundle_diff_text(const bundle_diff *d, char *buf, size_t size)
{
    if (d->bytes_only) {
        snprintf(buf, size, "its bytes differ (same JSON values)");
        return;
    }
    char va[VALUE_BYTES_MAX + 1], vb[VALUE_BYTES_MAX + 1];
    value_text(d->a, va, sizeof va);
    value_text(d->b, vb, sizeof vb);
    snprintf(buf, size, "%s: %s != %s", d->path[0] ? d->path : "(root)", va, vb);
}
