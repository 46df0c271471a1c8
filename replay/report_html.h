/* The HTML audit report of an evidence bundle (docs/REPORT.md): one
 * self-contained page, inline CSS and SVG, rendered from the bundle's JSON
 * artifacts with integer arithmetic only, so the same bundle gives the same
 * bytes. */
#ifndef QFS_REPORT_HTML_H
#define QFS_REPORT_HTML_H

#include <jansson.h>
#include <stddef.h>

/* The artifacts a report reads, in the order they are loaded. */
#define REPORT_ARTIFACTS 6
extern const char *const REPORT_ARTIFACT_NAMES[REPORT_ARTIFACTS];

/* At most this many closes are drawn in a chart or listed in a per-epoch
 * table; longer series are sampled evenly, first and last included. */
#define REPORT_POINTS_MAX 500
/* At most this many closes in a per-epoch table, sampled the same way. */
#define REPORT_TABLE_EPOCHS_MAX 100
/* At most this many rows in a per-node, per-validator or per-proposal table. */
#define REPORT_ROWS_MAX 200

/* A growing byte buffer; `oom` is set once an allocation fails and every
 * later append is dropped. */
typedef struct report_buf {
    char *data;
    size_t len;
    size_t cap;
    int oom;
} report_buf;

/* Renders the page for the artifacts `doc[i]` (parsed REPORT_ARTIFACT_NAMES[i])
 * into `out` (appended; the caller frees out->data). Returns 0, or -1 when an
 * artifact lacks a field or holds a value of the wrong kind: `err` (of
 * `err_len` bytes) then names the artifact and the field's JSON path. An
 * out-of-memory condition is out->oom. */
int report_html_render(json_t *const doc[REPORT_ARTIFACTS], report_buf *out, char *err, size_t err_len);

#endif
