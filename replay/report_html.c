/* The HTML audit report of an evidence bundle (docs/REPORT.md). Every number
 * on the page is either a string copied from the bundle (after checking that
 * it is an amount or a ratio) or computed from one with integer arithmetic:
 * no floating point, no clock, no path, so one bundle gives one page. */
#include "report_html.h"

#include "text_append.h"

#include "qfs/qfs.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const REPORT_ARTIFACT_NAMES[REPORT_ARTIFACTS] = {
    "nod_distribution.json",   "rewards.json",   "checkpoints.json", "governance.json",
    "replay_consistency.json", "statement.json",
};
enum { A_NOD, A_REWARDS, A_CHECKPOINTS, A_GOVERNANCE, A_CONSISTENCY, A_STATEMENT };

/* The SVG viewBox of every chart: 1000 x 300 units, the plot inside the
 * margins below; a printed A4 page (180 mm of text width) scales it down. */
#define CHART_W 1000
#define CHART_H 300
#define PLOT_L 90
#define PLOT_R 990
#define PLOT_T 20
#define PLOT_B 250
#define PLOT_WIDTH (PLOT_R - PLOT_L)
#define PLOT_HEIGHT (PLOT_B - PLOT_T)

typedef struct ctx {
    report_buf *o;
    char *err;
    size_t err_len;
    int failed;
} ctx;

/* ---- output ---- */

static void put_n(report_buf *b, const char *s, size_t n)
{
    if (!b->oom && text_append(&b->data, &b->len, &b->cap, s, n) != 0)
        b->oom = 1;
}

static void put(ctx *c, const char *s)
{
    put_n(c->o, s, strlen(s));
}

static void putf(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(ctx *c, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    put_n(c->o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text from the bundle, escaped for HTML text and attribute values alike. */
static void esc(ctx *c, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': put(c, "&amp;"); break;
        case '<': put(c, "&lt;"); break;
        case '>': put(c, "&gt;"); break;
        case '"': put(c, "&quot;"); break;
        case '\'': put(c, "&#39;"); break;
        default: put_n(c->o, s, 1);
        }
    }
}

static void put_u64(ctx *c, uint64_t v)
{
    putf(c, "%llu", (unsigned long long)v);
}

/* An amount in whole tokens, exact ("1.5" for 1.5 × 10^18 base units). */
static void put_tokens(ctx *c, qfs_amount v)
{
    char buf[QFS_AMOUNT_STR_MAX + 1];
    qfs_amount_format_tokens(buf, v);
    put(c, buf);
}

static void put_fp18(ctx *c, uint64_t v)
{
    char buf[64];
    qfs_fp18_format(buf, v);
    put(c, buf);
}

/* ---- reading the artifacts: the first problem is kept ---- */

static void fail(ctx *c, const char *file, const char *path, const char *what)
{
    if (c->failed)
        return;
    c->failed = 1;
    snprintf(c->err, c->err_len, "%s: %s: %s", file, path, what);
}

/* The member `key` of `obj`; `where` is the JSON path of obj. */
static json_t *member(ctx *c, json_t *obj, const char *key, const char *file, const char *where)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!v) {
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", key);
        fail(c, file, path, "missing");
    }
    return v;
}

static void path_of(char *out, size_t n, const char *where, const char *key)
{
    snprintf(out, n, "%s%s%s", where, *where ? "." : "", key);
}

static const char *get_str(ctx *c, json_t *obj, const char *key, const char *file, const char *where)
{
    json_t *v = member(c, obj, key, file, where);
    if (v && !json_is_string(v)) {
        char p[256];
        path_of(p, sizeof p, where, key);
        fail(c, file, p, "not a string");
    }
    return v && json_is_string(v) ? json_string_value(v) : "";
}

/* An amount: a string of digits, 128 bits at most. Its text is in *text. */
static qfs_amount get_amount(ctx *c, json_t *obj, const char *key, const char *file, const char *where,
                             const char **text)
{
    const char *s = get_str(c, obj, key, file, where);
    qfs_amount a = 0;
    if (text)
        *text = "0";
    if (c->failed)
        return 0;
    if (qfs_amount_parse(&a, s, strlen(s)) != QFS_OK) {
        char p[256];
        path_of(p, sizeof p, where, key);
        fail(c, file, p, "not an amount (a string of digits)");
        return 0;
    }
    if (text)
        *text = s;
    return a;
}

/* A ratio: an exact decimal string with 18 decimals at most. */
static uint64_t get_ratio(ctx *c, json_t *obj, const char *key, const char *file, const char *where,
                          const char **text)
{
    const char *s = get_str(c, obj, key, file, where);
    uint64_t r = 0;
    if (text)
        *text = "0";
    if (c->failed)
        return 0;
    if (qfs_fp18_parse(&r, s, strlen(s)) != QFS_OK) {
        char p[256];
        path_of(p, sizeof p, where, key);
        fail(c, file, p, "not a ratio (an exact decimal string)");
        return 0;
    }
    if (text)
        *text = s;
    return r;
}

static uint64_t get_uint(ctx *c, json_t *obj, const char *key, const char *file, const char *where)
{
    json_t *v = member(c, obj, key, file, where);
    if (v && (!json_is_integer(v) || json_integer_value(v) < 0)) {
        char p[256];
        path_of(p, sizeof p, where, key);
        fail(c, file, p, "not a count (a non-negative integer)");
        return 0;
    }
    return v && json_is_integer(v) && json_integer_value(v) >= 0 ? (uint64_t)json_integer_value(v) : 0;
}

static int get_bool(ctx *c, json_t *obj, const char *key, const char *file, const char *where)
{
    json_t *v = member(c, obj, key, file, where);
    if (v && !json_is_boolean(v)) {
        char p[256];
        path_of(p, sizeof p, where, key);
        fail(c, file, p, "not true or false");
    }
    return v && json_is_true(v);
}

static json_t *get_array(ctx *c, json_t *obj, const char *key, const char *file, const char *where)
{
    json_t *v = member(c, obj, key, file, where);
    if (v && !json_is_array(v)) {
        char p[256];
        path_of(p, sizeof p, where, key);
        fail(c, file, p, "not an array");
        return NULL;
    }
    return v;
}

static json_t *get_object(ctx *c, json_t *obj, const char *key, const char *file, const char *where)
{
    json_t *v = member(c, obj, key, file, where);
    if (v && !json_is_object(v)) {
        char p[256];
        path_of(p, sizeof p, where, key);
        fail(c, file, p, "not an object");
        return NULL;
    }
    return v;
}

/* ---- integer geometry ---- */

/* How many of n closes a chart draws, and which: k-th of m is
 * floor(k × (n − 1) / (m − 1)), so the first and the last are always drawn. */
static size_t sample_upto(size_t n, size_t max)
{
    return n < max ? n : max;
}

static size_t sample_count(size_t n)
{
    return sample_upto(n, REPORT_POINTS_MAX);
}

/* The k-th of m closes sampled out of n. */
static size_t sample_pick(size_t n, size_t m, size_t k)
{
    if (m == n || m < 2)
        return k;
    return (size_t)((uint64_t)k * (uint64_t)(n - 1) / (uint64_t)(m - 1));
}

static size_t sample_index(size_t n, size_t k)
{
    return sample_pick(n, sample_count(n), k);
}

static unsigned bit_length(qfs_amount v)
{
    unsigned b = 0;
    while (v) {
        b++;
        v >>= 1;
    }
    return b;
}

/* v scaled to 0..span against max (floor), in 128-bit arithmetic: both are
 * first shifted right until max fits 56 bits so the product cannot overflow. */
static uint64_t scale(qfs_amount v, qfs_amount max, uint64_t span)
{
    if (max == 0)
        return 0;
    unsigned b = bit_length(max);
    unsigned s = b > 56 ? b - 56 : 0;
    qfs_amount m = max >> s, x = v >> s;
    if (m == 0)
        return 0;
    if (x > m)
        x = m;
    return (uint64_t)(x * span / m);
}

/* log2(v) in sixteenths (0 for v ≤ 1): the bit length and the next four
 * bits; the NOD chart's scale, where the cut can be 10^7 times the issue. */
static qfs_amount log2_16(qfs_amount v)
{
    unsigned b = bit_length(v);
    if (b <= 1)
        return 0;
    unsigned frac = b > 5 ? (unsigned)((v >> (b - 5)) & 15u) : (unsigned)((v << (5 - b)) & 15u);
    return (qfs_amount)((b - 1) * 16u + frac);
}

static uint64_t slot_x(size_t i, size_t n)
{
    return PLOT_L + (uint64_t)i * PLOT_WIDTH / (n ? n : 1);
}

static void chart_open(ctx *c, const char *id, const char *title)
{
    putf(c, "<figure id=\"%s\"><svg data-chart=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", id,
         id, CHART_W, CHART_H);
    esc(c, title);
    put(c, "\">");
    putf(c, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", PLOT_L, PLOT_B, PLOT_R, PLOT_B);
    putf(c, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", PLOT_L, PLOT_T, PLOT_L, PLOT_B);
}

/* The epochs under the first and last slot. */
static void chart_epochs(ctx *c, uint64_t first, uint64_t last)
{
    putf(c, "<text x=\"%d\" y=\"%d\">epoch %llu</text>", PLOT_L, PLOT_B + 20, (unsigned long long)first);
    putf(c, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">epoch %llu</text>", PLOT_R, PLOT_B + 20,
         (unsigned long long)last);
}

static void chart_close(ctx *c, const char *caption, size_t drawn, size_t total, const char *unit)
{
    put(c, "</svg><figcaption>");
    put(c, caption);
    if (drawn < total)
        putf(c, " %zu of %zu closes drawn, evenly spaced (the first and the last included).", drawn, total);
    else
        putf(c, " Every close drawn (%zu).", total);
    if (unit)
        put(c, unit);
    put(c, "</figcaption></figure>\n");
}

/* The sentence above a per-epoch table that lists m of n closes. */
static void table_note(ctx *c, size_t m, size_t n)
{
    if (m < n)
        putf(c, "<p>%zu of %zu closes listed, evenly spaced (the first and the last included).</p>", m, n);
}

/* ---- sections ---- */

static const char STYLE[] =
    "body{font-family:sans-serif;color:#111;margin:2em auto;max-width:1100px;line-height:1.4}"
    "h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:2em}"
    "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}"
    "td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
    "td.n{text-align:right;font-family:monospace;word-break:break-all}code,.h{font-family:monospace;word-"
    "break:break-all}"
    "figure{margin:1em 0}svg{width:100%;height:auto;max-width:1000px;display:block}"
    "svg text{font-size:13px;fill:#333}.axis{stroke:#333;stroke-width:1}"
    ".t2{fill:#2b6cb0}.issued{fill:#2f855a}.cut{fill:#c53030}.allocated{fill:#d69e2e}"
    ".psi{fill:#2b6cb0}.psi.below{fill:#c53030}.line{stroke:#c53030;stroke-width:2;stroke-dasharray:6 4}"
    ".deficit{fill:#fed7d7}.chat{fill:none;stroke:#2b6cb0;stroke-width:2}.pt{fill:#2b6cb0}"
    ".ok{color:#2f855a;font-weight:bold}.bad{color:#c53030;font-weight:bold}"
    ".legend span{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:middle}"
    "@media print{@page{size:A4;margin:15mm}body{margin:0;max-width:none;font-size:10pt}"
    "svg{max-width:180mm}figure,tr{break-inside:avoid}h2{break-after:avoid}}";

static void section_summary(ctx *c, json_t *const doc[])
{
    const char *F = REPORT_ARTIFACT_NAMES[A_CHECKPOINTS];
    json_t *fin = member(c, doc[A_CHECKPOINTS], "final", F, "");
    const char *SF = REPORT_ARTIFACT_NAMES[A_STATEMENT];
    json_t *pred = get_object(c, doc[A_STATEMENT], "predicate", SF, "");
    const char *CF = REPORT_ARTIFACT_NAMES[A_CONSISTENCY];
    int all_equal = get_bool(c, doc[A_CONSISTENCY], "all_equal", CF, "");
    json_t *runs = get_array(c, doc[A_CONSISTENCY], "runs", CF, "");
    if (c->failed)
        return;
    put(c, "<h2 id=\"summary\">Summary</h2><table>");
    if (json_is_null(fin)) {
        put(c, "<tr><th>final state</th><td>the log has no events</td></tr>");
    } else {
        const char *h = get_str(c, fin, "state_hash", F, "final");
        uint64_t events = get_uint(c, fin, "events", F, "final");
        uint64_t rejected = get_uint(c, fin, "rejected", F, "final");
        uint64_t epoch = get_uint(c, fin, "epoch", F, "final");
        put(c, "<tr><th>state hash after the last event</th><td class=\"h\" id=\"state-hash\">");
        esc(c, h);
        put(c, "</td></tr><tr><th>events (rejected)</th><td>");
        put_u64(c, events);
        put(c, " (");
        put_u64(c, rejected);
        put(c, ")</td></tr><tr><th>epoch open after the last event</th><td>");
        put_u64(c, epoch);
        put(c, "</td></tr>");
    }
    put(c, "<tr><th>authentication</th><td>");
    esc(c, get_str(c, pred, "authentication", SF, "predicate"));
    put(c, "</td></tr><tr><th>qfs version</th><td>");
    esc(c, get_str(c, pred, "qfs_version", SF, "predicate"));
    put(c, "</td></tr><tr><th>replay consistency</th><td id=\"consistency\" data-all-equal=\"");
    put(c, all_equal ? "true" : "false");
    putf(c, "\" data-runs=\"%zu\">", json_array_size(runs));
    if (all_equal)
        putf(c, "<span class=\"ok\">all %zu runs agree</span>", json_array_size(runs));
    else
        putf(c, "<span class=\"bad\">the %zu runs do NOT agree</span>", json_array_size(runs));
    put(c, "</td></tr></table>\n");
}

static void section_t2(ctx *c, json_t *closes)
{
    const char *F = REPORT_ARTIFACT_NAMES[A_REWARDS];
    size_t n = json_array_size(closes), m = sample_count(n);
    qfs_amount max = 0;
    char where[64];
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_index(n, k);
        snprintf(where, sizeof where, "closes[%zu]", i);
        json_t *t2 = get_object(c, json_array_get(closes, i), "t2", F, where);
        snprintf(where, sizeof where, "closes[%zu].t2", i);
        qfs_amount paid = get_amount(c, t2, "paid", F, where, NULL);
        if (paid > max)
            max = paid;
    }
    if (c->failed)
        return;
    put(c, "<h2 id=\"t2\">T2 rewards per epoch</h2>\n");
    chart_open(c, "t2-chart", "T2 paid per epoch");
    /* The axis label in whole tokens (floor): the exact amounts are in the table. */
    char top[QFS_AMOUNT_STR_MAX + 1];
    qfs_amount_format(top, max / qfs_pow10(QFS_FP18_DECIMALS));
    putf(c, "<text x=\"0\" y=\"25\">%s</text><text x=\"0\" y=\"%d\">0</text>", top, PLOT_B);
    uint64_t first = 0, last = 0;
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_index(n, k);
        json_t *cl = json_array_get(closes, i);
        snprintf(where, sizeof where, "closes[%zu]", i);
        uint64_t epoch = get_uint(c, cl, "epoch", F, where);
        snprintf(where, sizeof where, "closes[%zu].t2", i);
        json_t *t2 = json_object_get(cl, "t2");
        const char *paid_s, *minted_s;
        qfs_amount paid = get_amount(c, t2, "paid", F, where, &paid_s);
        get_amount(c, t2, "minted", F, where, &minted_s);
        if (k == 0)
            first = epoch;
        last = epoch;
        uint64_t x0 = slot_x(k, m), x1 = slot_x(k + 1, m);
        uint64_t w = (x1 - x0) * 4 / 5;
        uint64_t h = scale(paid, max, PLOT_HEIGHT);
        putf(c,
             "<rect class=\"t2\" data-series=\"t2-paid\" data-epoch=\"%llu\" data-value=\"%s\" "
             "data-minted=\"%s\" x=\"%llu\" y=\"%llu\" width=\"%llu\" height=\"%llu\"/>",
             (unsigned long long)epoch, paid_s, minted_s, (unsigned long long)x0,
             (unsigned long long)(PLOT_B - h), (unsigned long long)(w ? w : 1), (unsigned long long)h);
    }
    if (m)
        chart_epochs(c, first, last);
    chart_close(c,
                "T2 paid to validators at each epoch close (<code>rewards.json</code> "
                "<code>closes[].t2.paid</code>), linear scale from 0 to the largest value drawn, in tokens.",
                m, n, NULL);
    m = sample_upto(n, REPORT_TABLE_EPOCHS_MAX);
    table_note(c, m, n);
    put(c, "<table><tr><th>epoch</th><th>minted (T2)</th><th>paid (T2)</th><th>dust carried (T2)</th>"
           "<th>recipients</th><th>rule</th></tr>");
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_pick(n, m, k);
        json_t *cl = json_array_get(closes, i);
        snprintf(where, sizeof where, "closes[%zu].t2", i);
        json_t *t2 = json_object_get(cl, "t2");
        put(c, "<tr><td class=\"n\">");
        put_u64(c, get_uint(c, cl, "epoch", F, ""));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, t2, "minted", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, t2, "paid", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, t2, "dust", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_u64(c, get_uint(c, t2, "recipients", F, where));
        put(c, "</td><td>");
        esc(c, get_str(c, t2, "rule", F, where));
        put(c, "</td></tr>");
    }
    put(c, "</table>\n");
}

/* One node's total over every close. */
typedef struct node_total {
    const char *id;
    qfs_amount received;
    uint64_t closes_active;
} node_total;

typedef struct node_totals {
    node_total *v;
    size_t n, cap;
} node_totals;

/* The entry of `id`, inserted in byte order when new; NULL when out of memory. */
static node_total *node_find(node_totals *t, const char *id)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(t->v[mid].id, id);
        if (d == 0)
            return &t->v[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        node_total *p = realloc(t->v, cap * sizeof *p);
        if (!p)
            return NULL;
        t->v = p;
        t->cap = cap;
    }
    memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof *t->v);
    t->v[lo] = (node_total){.id = id};
    t->n++;
    return &t->v[lo];
}

static void section_nod(ctx *c, json_t *closes)
{
    const char *F = REPORT_ARTIFACT_NAMES[A_NOD];
    size_t n = json_array_size(closes), m = sample_count(n);
    qfs_amount max = 0;
    char where[64];
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_index(n, k);
        char w0[64];
        snprintf(w0, sizeof w0, "closes[%zu]", i);
        snprintf(where, sizeof where, "closes[%zu].issuance", i);
        json_t *cl = json_array_get(closes, i);
        json_t *iss = get_object(c, cl, "issuance", F, w0);
        qfs_amount v[3] = {get_amount(c, iss, "issued", F, where, NULL),
                           get_amount(c, iss, "cut", F, where, NULL),
                           get_amount(c, cl, "allocated", F, w0, NULL)};
        for (int j = 0; j < 3; j++)
            if (log2_16(v[j]) > max)
                max = log2_16(v[j]);
    }
    if (c->failed)
        return;
    put(c, "<h2 id=\"nod\">NOD issued, cut and allocated</h2>\n");
    put(c, "<p class=\"legend\"><span class=\"issued\" style=\"background:#2f855a\"></span>issued"
           "<span style=\"background:#c53030\"></span>cut by the cap"
           "<span style=\"background:#d69e2e\"></span>allocated to nodes</p>");
    chart_open(c, "nod-chart", "NOD issued, cut and allocated per epoch");
    putf(c, "<text x=\"0\" y=\"25\">2^%llu</text><text x=\"0\" y=\"%d\">1</text>",
         (unsigned long long)(max / 16), PLOT_B);
    static const char *const SERIES[3] = {"issued", "cut", "allocated"};
    uint64_t first = 0, last = 0;
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_index(n, k);
        json_t *cl = json_array_get(closes, i);
        snprintf(where, sizeof where, "closes[%zu]", i);
        uint64_t epoch = get_uint(c, cl, "epoch", F, where);
        snprintf(where, sizeof where, "closes[%zu].issuance", i);
        json_t *iss = json_object_get(cl, "issuance");
        const char *text[3];
        qfs_amount v[3] = {get_amount(c, iss, "issued", F, where, &text[0]),
                           get_amount(c, iss, "cut", F, where, &text[1]),
                           get_amount(c, cl, "allocated", F, "", &text[2])};
        if (k == 0)
            first = epoch;
        last = epoch;
        uint64_t x0 = slot_x(k, m), x1 = slot_x(k + 1, m);
        uint64_t w = (x1 - x0) / 3;
        for (int j = 0; j < 3; j++) {
            uint64_t h = scale(log2_16(v[j]), max, PLOT_HEIGHT);
            putf(c,
                 "<rect class=\"%s\" data-series=\"nod-%s\" data-epoch=\"%llu\" data-value=\"%s\" x=\"%llu\" "
                 "y=\"%llu\" width=\"%llu\" height=\"%llu\"/>",
                 SERIES[j], SERIES[j], (unsigned long long)epoch, text[j],
                 (unsigned long long)(x0 + w * (uint64_t)j), (unsigned long long)(PLOT_B - h),
                 (unsigned long long)(w ? w : 1), (unsigned long long)h);
        }
    }
    if (m)
        chart_epochs(c, first, last);
    chart_close(c,
                "NOD issued into the pool (<code>issuance.issued</code>), cut by the epoch cap "
                "(<code>issuance.cut</code>) and allocated to nodes (<code>allocated</code>) at each close "
                "of <code>nod_distribution.json</code>. Logarithmic scale: a bar's height is log2 of the "
                "amount in base units (in sixteenths), since the cut can be many orders of magnitude above "
                "the issue; the exact amounts are in the table.",
                m, n, NULL);
    m = sample_upto(n, REPORT_TABLE_EPOCHS_MAX);
    table_note(c, m, n);
    put(c, "<table><tr><th>epoch</th><th>fees (ATR)</th><th>issued (NOD)</th><th>cut (NOD)</th>"
           "<th>pool (NOD)</th><th>allocated (NOD)</th><th>carried over (NOD)</th><th>active nodes</th>"
           "<th>verdict</th></tr>");
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_pick(n, m, k);
        json_t *cl = json_array_get(closes, i);
        snprintf(where, sizeof where, "closes[%zu]", i);
        json_t *iss = json_object_get(cl, "issuance");
        json_t *co = get_object(c, cl, "carried_over", F, where);
        put(c, "<tr><td class=\"n\">");
        put_u64(c, get_uint(c, cl, "epoch", F, where));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, cl, "fees_atr", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, iss, "issued", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, iss, "cut", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, cl, "pool", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, cl, "allocated", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, co, "total", F, where, NULL));
        put(c, "</td><td class=\"n\">");
        put_u64(c, get_uint(c, cl, "active_nodes", F, where));
        put(c, " / ");
        put_u64(c, get_uint(c, cl, "min_active_nodes", F, where));
        put(c, "</td><td>");
        esc(c, get_str(c, cl, "verdict", F, where));
        put(c, "</td></tr>");
    }
    put(c, "</table>\n");

    /* Per node, over every close (not only the drawn ones). */
    node_totals t = {0};
    for (size_t i = 0; i < n && !c->failed; i++) {
        json_t *cl = json_array_get(closes, i);
        snprintf(where, sizeof where, "closes[%zu]", i);
        json_t *shares = get_array(c, cl, "shares", F, where);
        for (size_t j = 0; j < json_array_size(shares) && !c->failed; j++) {
            char w2[96];
            snprintf(w2, sizeof w2, "closes[%zu].shares[%zu]", i, j);
            json_t *sh = json_array_get(shares, j);
            const char *id = get_str(c, sh, "node", F, w2);
            qfs_amount share = get_amount(c, sh, "share", F, w2, NULL);
            if (c->failed)
                break;
            node_total *nt = node_find(&t, id);
            if (!nt) {
                c->o->oom = 1;
                break;
            }
            if (qfs_add_amount(&nt->received, nt->received, share) != QFS_OK)
                fail(c, F, w2, "the node's total passes 2^128 - 1");
            nt->closes_active++;
        }
    }
    put(c, "<h3>NOD allocated per node, over every close</h3>");
    if (t.n > REPORT_ROWS_MAX)
        putf(c, "<p>The first %d of %zu nodes by id.</p>", REPORT_ROWS_MAX, t.n);
    put(c, "<table id=\"nod-nodes\"><tr><th>node</th><th>closes with a share</th><th>NOD received</th></tr>");
    for (size_t i = 0; i < t.n && i < REPORT_ROWS_MAX && !c->failed; i++) {
        char buf[QFS_AMOUNT_STR_MAX + 1];
        qfs_amount_format(buf, t.v[i].received);
        put(c, "<tr data-node=\"");
        esc(c, t.v[i].id);
        putf(c, "\" data-value=\"%s\"><td>", buf);
        esc(c, t.v[i].id);
        put(c, "</td><td class=\"n\">");
        put_u64(c, t.v[i].closes_active);
        put(c, "</td><td class=\"n\">");
        put_tokens(c, t.v[i].received);
        put(c, "</td></tr>");
    }
    put(c, "</table>\n");
    free(t.v);
}

static void section_psi(ctx *c, json_t *closes)
{
    const char *F = REPORT_ARTIFACT_NAMES[A_REWARDS];
    size_t n = json_array_size(closes);
    put(c, "<h2 id=\"psi\">&#936; per validator against the slashing line</h2>\n");
    if (n == 0) {
        put(c, "<p>No epoch close: nothing to draw.</p>");
        return;
    }
    char where[96];
    snprintf(where, sizeof where, "closes[%zu]", n - 1);
    json_t *cl = json_array_get(closes, n - 1);
    uint64_t epoch = get_uint(c, cl, "epoch", F, where);
    snprintf(where, sizeof where, "closes[%zu].slashing", n - 1);
    json_t *sl = get_object(c, cl, "slashing", F, where);
    const char *thr_s;
    uint64_t thr = get_ratio(c, sl, "threshold", F, where, &thr_s);
    snprintf(where, sizeof where, "closes[%zu].t2", n - 1);
    json_t *t2 = get_object(c, cl, "t2", F, where);
    json_t *shares = get_array(c, t2, "shares", F, where);
    if (c->failed)
        return;
    size_t v = json_array_size(shares), m = v < REPORT_ROWS_MAX ? v : REPORT_ROWS_MAX;
    /* The scale runs from 0 to 1 (Ψ is at most 1; a larger value is drawn at 1). */
    chart_open(c, "psi-chart", "Psi per validator at the last close");
    putf(c, "<text x=\"0\" y=\"25\">1</text><text x=\"0\" y=\"%d\">0</text>", PLOT_B);
    for (size_t k = 0; k < m && !c->failed; k++) {
        char w2[96];
        snprintf(w2, sizeof w2, "closes[%zu].t2.shares[%zu]", n - 1, k);
        json_t *sh = json_array_get(shares, k);
        const char *id = get_str(c, sh, "validator", F, w2);
        const char *psi_s;
        uint64_t psi = get_ratio(c, sh, "psi_eff", F, w2, &psi_s);
        uint64_t x0 = slot_x(k, m), x1 = slot_x(k + 1, m);
        uint64_t w = (x1 - x0) * 4 / 5;
        uint64_t h = scale(psi, QFS_FP18_ONE, PLOT_HEIGHT);
        put(c, "<rect class=\"psi");
        put(c, psi < thr ? " below" : "");
        put(c, "\" data-series=\"psi\" data-validator=\"");
        esc(c, id);
        putf(c, "\" data-value=\"%s\" x=\"%llu\" y=\"%llu\" width=\"%llu\" height=\"%llu\"><title>", psi_s,
             (unsigned long long)x0, (unsigned long long)(PLOT_B - h), (unsigned long long)(w ? w : 1),
             (unsigned long long)h);
        esc(c, id);
        putf(c, ": %s</title></rect>", psi_s);
    }
    uint64_t ty = PLOT_B - scale(thr, QFS_FP18_ONE, PLOT_HEIGHT);
    putf(c,
         "<line class=\"line\" data-series=\"slashing-threshold\" data-value=\"%s\" x1=\"%d\" y1=\"%llu\" "
         "x2=\"%d\" y2=\"%llu\"/>",
         thr_s, PLOT_L, (unsigned long long)ty, PLOT_R, (unsigned long long)ty);
    putf(c, "<text x=\"%d\" y=\"%llu\" text-anchor=\"end\">slashing threshold %s</text>", PLOT_R,
         (unsigned long long)(ty > PLOT_T + 5 ? ty - 5 : ty + 15), thr_s);
    put(c, "</svg><figcaption>&#936;<sub>eff</sub> of each T2 recipient at the last close (epoch ");
    put_u64(c, epoch);
    put(c, ", <code>rewards.json</code> <code>closes[-1].t2.shares[].psi_eff</code>) against the slashing "
           "threshold (<code>slashing.threshold</code>, dashed); bars below it are red. Scale 0 to 1.");
    if (m < v)
        putf(c, " The first %zu of %zu validators by id.", m, v);
    put(c, "</figcaption></figure>\n");

    /* Every slash of the log (bounded). */
    size_t total = 0;
    for (size_t i = 0; i < n && !c->failed; i++) {
        snprintf(where, sizeof where, "closes[%zu].slashing", i);
        json_t *s2 = get_object(c, json_array_get(closes, i), "slashing", F, where);
        total += json_array_size(get_array(c, s2, "slashes", F, where));
    }
    putf(c, "<h3>Slashes</h3><p>Slashes over %zu closes: %zu", n, total);
    if (total > REPORT_ROWS_MAX)
        putf(c, "; the first %d are listed", REPORT_ROWS_MAX);
    put(c, ".</p><table id=\"slashes\"><tr><th>epoch</th><th>validator</th><th>&#936;</th>"
           "<th>T1 cut (T1)</th><th>T4 cut (T4)</th></tr>");
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < REPORT_ROWS_MAX && !c->failed; i++) {
        json_t *ci = json_array_get(closes, i);
        uint64_t ep = get_uint(c, ci, "epoch", F, "closes[]");
        json_t *s2 = json_object_get(json_object_get(ci, "slashing"), "slashes");
        for (size_t j = 0; j < json_array_size(s2) && shown < REPORT_ROWS_MAX && !c->failed; j++, shown++) {
            char w2[96];
            snprintf(w2, sizeof w2, "closes[%zu].slashing.slashes[%zu]", i, j);
            json_t *s = json_array_get(s2, j);
            put(c, "<tr><td class=\"n\">");
            put_u64(c, ep);
            put(c, "</td><td>");
            esc(c, get_str(c, s, "validator", F, w2));
            put(c, "</td><td class=\"n\">");
            put_fp18(c, get_ratio(c, s, "psi", F, w2, NULL));
            put(c, "</td><td class=\"n\">");
            put_tokens(c, get_amount(c, s, "cut_t1", F, w2, NULL));
            put(c, "</td><td class=\"n\">");
            put_tokens(c, get_amount(c, s, "cut_t4", F, w2, NULL));
            put(c, "</td></tr>");
        }
    }
    put(c, "</table>\n");
}

static void section_chat(ctx *c, json_t *closes)
{
    const char *F = REPORT_ARTIFACT_NAMES[A_REWARDS];
    size_t n = json_array_size(closes), m = sample_count(n);
    char where[96];
    put(c, "<h2 id=\"coherence\">&#264; over time</h2>\n");
    chart_open(c, "chat-chart", "C-hat per epoch, deficit mode shaded");
    putf(c, "<text x=\"0\" y=\"25\">1</text><text x=\"0\" y=\"%d\">0</text>", PLOT_B);
    uint64_t first = 0, last = 0;
    size_t deficits = 0;
    /* The shading first, so that the line is drawn over it. */
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_index(n, k);
        json_t *cl = json_array_get(closes, i);
        snprintf(where, sizeof where, "closes[%zu]", i);
        uint64_t epoch = get_uint(c, cl, "epoch", F, where);
        snprintf(where, sizeof where, "closes[%zu].coherence", i);
        json_t *co = get_object(c, cl, "coherence", F, where);
        if (get_bool(c, co, "deficit", F, where)) {
            deficits++;
            uint64_t x0 = slot_x(k, m), x1 = slot_x(k + 1, m);
            putf(c,
                 "<rect class=\"deficit\" data-series=\"deficit\" data-epoch=\"%llu\" x=\"%llu\" y=\"%d\" "
                 "width=\"%llu\" height=\"%d\"/>",
                 (unsigned long long)epoch, (unsigned long long)x0, PLOT_T,
                 (unsigned long long)(x1 > x0 ? x1 - x0 : 1), PLOT_HEIGHT);
        }
    }
    if (c->failed)
        return;
    put(c, "<polyline class=\"chat\" points=\"");
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_index(n, k);
        snprintf(where, sizeof where, "closes[%zu].coherence", i);
        json_t *co = json_object_get(json_array_get(closes, i), "coherence");
        uint64_t v = get_ratio(c, co, "c_hat", F, where, NULL);
        uint64_t x = (slot_x(k, m) + slot_x(k + 1, m)) / 2;
        putf(c, "%s%llu,%llu", k ? " " : "", (unsigned long long)x,
             (unsigned long long)(PLOT_B - scale(v, QFS_FP18_ONE, PLOT_HEIGHT)));
    }
    put(c, "\"/>");
    const char *thr_s = "0";
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_index(n, k);
        json_t *cl = json_array_get(closes, i);
        uint64_t epoch = get_uint(c, cl, "epoch", F, "closes[]");
        snprintf(where, sizeof where, "closes[%zu].coherence", i);
        json_t *co = json_object_get(cl, "coherence");
        const char *v_s;
        uint64_t v = get_ratio(c, co, "c_hat", F, where, &v_s);
        get_ratio(c, co, "deficit_threshold", F, where, &thr_s);
        int deficit = json_is_true(json_object_get(co, "deficit"));
        if (k == 0)
            first = epoch;
        last = epoch;
        uint64_t x = (slot_x(k, m) + slot_x(k + 1, m)) / 2;
        putf(c,
             "<circle class=\"pt\" data-series=\"c-hat\" data-epoch=\"%llu\" data-value=\"%s\" "
             "data-deficit=\"%s\" cx=\"%llu\" cy=\"%llu\" r=\"%d\"/>",
             (unsigned long long)epoch, v_s, deficit ? "true" : "false", (unsigned long long)x,
             (unsigned long long)(PLOT_B - scale(v, QFS_FP18_ONE, PLOT_HEIGHT)), m > 100 ? 1 : 3);
    }
    if (m) {
        uint64_t thr = 0;
        qfs_fp18_parse(&thr, thr_s, strlen(thr_s));
        uint64_t ty = PLOT_B - scale(thr, QFS_FP18_ONE, PLOT_HEIGHT);
        putf(c,
             "<line class=\"line\" data-series=\"deficit-threshold\" data-value=\"%s\" x1=\"%d\" "
             "y1=\"%llu\" x2=\"%d\" y2=\"%llu\"/>",
             thr_s, PLOT_L, (unsigned long long)ty, PLOT_R, (unsigned long long)ty);
        chart_epochs(c, first, last);
    }
    char cap[512];
    snprintf(
        cap, sizeof cap,
        "&#264; at each close (<code>rewards.json</code> <code>closes[].coherence.c_hat</code>), scale 0 to "
        "1; "
        "closes in deficit mode (<code>coherence.deficit</code>) shaded, %zu of those drawn; the dashed "
        "line is the deficit threshold at the last close drawn (<code>coherence.deficit_threshold</code>).",
        deficits);
    chart_close(c, cap, m, n, NULL);
}

static void proposals(ctx *c, json_t *list, const char *gov)
{
    const char *F = REPORT_ARTIFACT_NAMES[A_GOVERNANCE];
    static const char *const STATUS[4] = {"open", "passed", "no_quorum", "rejected"};
    size_t count[4] = {0}, n = json_array_size(list);
    char where[96];
    for (size_t i = 0; i < n && !c->failed; i++) {
        snprintf(where, sizeof where, "%s[%zu]", gov, i);
        const char *s = get_str(c, json_array_get(list, i), "status", F, where);
        for (int j = 0; j < 4; j++)
            if (strcmp(s, STATUS[j]) == 0)
                count[j]++;
    }
    putf(c,
         "<h3>%s governance</h3><p id=\"gov-%s\" data-proposals=\"%zu\" data-open=\"%zu\" "
         "data-passed=\"%zu\" data-no-quorum=\"%zu\" data-rejected=\"%zu\">%zu proposals: %zu passed, "
         "%zu rejected, %zu without quorum, %zu open",
         strcmp(gov, "social") == 0 ? "Social" : "Infrastructure", gov, n, count[0], count[1], count[2],
         count[3], n, count[1], count[3], count[2], count[0]);
    if (n > REPORT_ROWS_MAX)
        putf(c, "; the first %d by id are listed", REPORT_ROWS_MAX);
    put(c, ".</p>");
    if (n == 0)
        return;
    put(c, "<table><tr><th>id</th><th>parameter</th><th>value</th><th>proposer</th><th>epochs</th>"
           "<th>ballots</th><th>cast / required</th><th>status</th><th>applied at epoch</th></tr>");
    for (size_t i = 0; i < n && i < REPORT_ROWS_MAX && !c->failed; i++) {
        snprintf(where, sizeof where, "%s[%zu]", gov, i);
        json_t *p = json_array_get(list, i);
        json_t *part = get_object(c, p, "participation", F, where);
        json_t *value = member(c, p, "value", F, where);
        json_t *req = member(c, part, "required", F, where);
        json_t *apply = member(c, p, "apply_epoch", F, where);
        put(c, "<tr><td class=\"n\">");
        esc(c, get_str(c, p, "id", F, where));
        put(c, "</td><td>");
        esc(c, get_str(c, p, "parameter", F, where));
        put(c, "</td><td class=\"n\">");
        if (json_is_string(value)) {
            esc(c, json_string_value(value));
        } else if (json_is_integer(value)) {
            putf(c, "%lld", (long long)json_integer_value(value));
        } else if (value) {
            fail(c, F, where, "value: not a string or an integer");
        }
        put(c, "</td><td>");
        esc(c, get_str(c, p, "proposer", F, where));
        put(c, "</td><td class=\"n\">");
        put_u64(c, get_uint(c, p, "created_epoch", F, where));
        put(c, " to ");
        put_u64(c, get_uint(c, p, "end_epoch", F, where));
        put(c, "</td><td class=\"n\">");
        putf(c, "%zu", json_array_size(get_array(c, p, "ballots", F, where)));
        put(c, "</td><td class=\"n\">");
        put_tokens(c, get_amount(c, part, "cast", F, where, NULL));
        put(c, " / ");
        if (json_is_string(req))
            put_tokens(c, get_amount(c, part, "required", F, where, NULL));
        else
            put(c, "&#8212;");
        put(c, "</td><td>");
        esc(c, get_str(c, p, "status", F, where));
        put(c, "</td><td class=\"n\">");
        if (json_is_integer(apply))
            putf(c, "%lld", (long long)json_integer_value(apply));
        else
            put(c, "&#8212;");
        put(c, "</td></tr>");
    }
    put(c, "</table>\n");
}

static void section_consistency(ctx *c, json_t *const doc[])
{
    const char *CF = REPORT_ARTIFACT_NAMES[A_CONSISTENCY];
    json_t *runs = get_array(c, doc[A_CONSISTENCY], "runs", CF, "");
    json_t *build = get_object(c, doc[A_CONSISTENCY], "build", CF, "");
    char where[96];
    put(c, "<h2 id=\"replay\">Replay consistency, state hash and evidence digests</h2>\n");
    put(c, "<table id=\"runs\"><tr><th>run</th><th>state hash</th><th>chain head</th><th>events</th>"
           "<th>rejected</th></tr>");
    for (size_t i = 0; i < json_array_size(runs) && !c->failed; i++) {
        snprintf(where, sizeof where, "runs[%zu]", i);
        json_t *r = json_array_get(runs, i);
        put(c, "<tr><td class=\"n\">");
        put_u64(c, get_uint(c, r, "run", CF, where));
        put(c, "</td><td class=\"h\">");
        esc(c, get_str(c, r, "state_hash", CF, where));
        put(c, "</td><td class=\"h\">");
        esc(c, get_str(c, r, "chain_head", CF, where));
        put(c, "</td><td class=\"n\">");
        put_u64(c, get_uint(c, r, "events", CF, where));
        put(c, "</td><td class=\"n\">");
        put_u64(c, get_uint(c, r, "rejected", CF, where));
        put(c, "</td></tr>");
    }
    put(c, "</table><p>Build that ran them: qfs ");
    esc(c, get_str(c, build, "qfs_version", CF, "build"));
    put(c, ", revision <code>");
    esc(c, get_str(c, build, "git_revision", CF, "build"));
    put(c, "</code>.</p>");

    const char *KF = REPORT_ARTIFACT_NAMES[A_CHECKPOINTS];
    json_t *cps = get_array(c, doc[A_CHECKPOINTS], "checkpoints", KF, "");
    size_t n = json_array_size(cps), m = sample_upto(n, REPORT_TABLE_EPOCHS_MAX);
    putf(c, "<h3>State hash at each epoch close</h3><p>%zu checkpoints", n);
    if (m < n)
        putf(c, "; %zu evenly spaced are listed (the first and the last included)", m);
    put(c, ".</p><table id=\"checkpoints\"><tr><th>epoch</th><th>event</th><th>state hash</th></tr>");
    for (size_t k = 0; k < m && !c->failed; k++) {
        size_t i = sample_pick(n, m, k);
        snprintf(where, sizeof where, "checkpoints[%zu]", i);
        json_t *cp = json_array_get(cps, i);
        put(c, "<tr><td class=\"n\">");
        put_u64(c, get_uint(c, cp, "epoch", KF, where));
        put(c, "</td><td class=\"n\">");
        put_u64(c, get_uint(c, cp, "event", KF, where));
        put(c, "</td><td class=\"h\">");
        esc(c, get_str(c, cp, "state_hash", KF, where));
        put(c, "</td></tr>");
    }
    put(c, "</table>\n");

    const char *SF = REPORT_ARTIFACT_NAMES[A_STATEMENT];
    json_t *subj = get_array(c, doc[A_STATEMENT], "subject", SF, "");
    json_t *pred = get_object(c, doc[A_STATEMENT], "predicate", SF, "");
    put(c, "<h3>Evidence digests (<code>statement.json</code>)</h3><p>Predicate: state hash <code>");
    esc(c, get_str(c, pred, "state_hash", SF, "predicate"));
    put(c, "</code>, chain head <code>");
    esc(c, get_str(c, pred, "chain_head", SF, "predicate"));
    put(c, "</code>, ");
    put_u64(c, get_uint(c, pred, "events", SF, "predicate"));
    put(c, " events, ");
    put_u64(c, get_uint(c, pred, "rejected", SF, "predicate"));
    put(c, " rejected.</p><table id=\"digests\"><tr><th>subject</th><th>SHA-256</th></tr>");
    for (size_t i = 0; i < json_array_size(subj) && !c->failed; i++) {
        snprintf(where, sizeof where, "subject[%zu]", i);
        json_t *s = json_array_get(subj, i);
        json_t *d = get_object(c, s, "digest", SF, where);
        const char *name = get_str(c, s, "name", SF, where);
        const char *hex = get_str(c, d, "sha256", SF, where);
        put(c, "<tr data-name=\"");
        esc(c, name);
        put(c, "\" data-sha256=\"");
        esc(c, hex);
        put(c, "\"><td>");
        esc(c, name);
        put(c, "</td><td class=\"h\">");
        esc(c, hex);
        put(c, "</td></tr>");
    }
    put(c, "</table>\n");
}

int report_html_render(json_t *const doc[REPORT_ARTIFACTS], report_buf *out, char *err, size_t err_len)
{
    ctx c = {.o = out, .err = err, .err_len = err_len};
    json_t *rw = get_array(&c, doc[A_REWARDS], "closes", REPORT_ARTIFACT_NAMES[A_REWARDS], "");
    json_t *nd = get_array(&c, doc[A_NOD], "closes", REPORT_ARTIFACT_NAMES[A_NOD], "");
    json_t *social = get_array(&c, doc[A_GOVERNANCE], "social", REPORT_ARTIFACT_NAMES[A_GOVERNANCE], "");
    json_t *infra = get_array(&c, doc[A_GOVERNANCE], "infra", REPORT_ARTIFACT_NAMES[A_GOVERNANCE], "");
    if (c.failed)
        return -1;
    put(&c, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>qfs audit report</title>"
            "<style>");
    put(&c, STYLE);
    put(&c, "</style></head><body>\n<h1>qfs audit report</h1>\n<p>Drawn from an evidence bundle "
            "(docs/EVIDENCE.md); docs/REPORT.md says where each number comes from. Amounts are in whole "
            "tokens, exact (10<sup>18</sup> base units per token).</p>\n");
    section_summary(&c, doc);
    section_t2(&c, rw);
    section_nod(&c, nd);
    section_psi(&c, rw);
    section_chat(&c, rw);
    if (!c.failed)
        put(&c, "<h2 id=\"governance\">Governance outcomes</h2>\n");
    if (!c.failed)
        proposals(&c, social, "social");
    if (!c.failed)
        proposals(&c, infra, "infra");
    section_consistency(&c, doc);
    put(&c, "</body></html>\n");
    return c.failed ? -1 : 0;
}
