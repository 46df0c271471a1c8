/* Evidence bundles (docs/EVIDENCE.md): the files of a bundle and their
 * comparison, shared by `qfs evidence verify` and `qfs diff`. */
#ifndef QFS_BUNDLE_H
#define QFS_BUNDLE_H

#include "cli.h"

#include <jansson.h>

/* The files every bundle holds, in the order they are compared and
 * reported: the four economic artifacts, then the state, the trace, the
 * replay record and the statement. statement.dsse.json is optional. */
#define BUNDLE_FILES 8
extern const char *const BUNDLE_FILE_NAMES[BUNDLE_FILES];
#define BUNDLE_CONSISTENCY "replay_consistency.json"
#define BUNDLE_STATEMENT "statement.json"
#define BUNDLE_DSSE "statement.dsse.json"

/* A path deeper or longer than this is cut short: it is for reading. */
#define BUNDLE_PATH_BYTES_MAX 1024

/* Where two files first differ: the JSON path of the first differing value
 * (for JSON Lines, "[line]" and the path inside the line, lines counted from
 * 0) and both values (NULL: absent). When the files differ only in bytes
 * that JSON does not see (spacing, key order), `bytes_only` is set. */
typedef struct bundle_diff {
    char path[BUNDLE_PATH_BYTES_MAX];
    json_t *a;
    json_t *b;
    int bytes_only;
} bundle_diff;

void bundle_diff_clear(bundle_diff *d);

/* Compares files pa and pb byte for byte; `lines`: JSON Lines, compared
 * line by line. Returns 0 when equal, 1 with *d filled when they differ,
 * or an exit code after reporting as `cmd`: CLI_EXIT_IO when a file cannot
 * be read, CLI_EXIT_DATA when one is not JSON (naming it). */
int bundle_compare(const char *cmd, const char *pa, const char *pb, int lines, bundle_diff *d);

/* "PATH: VA != VB" (values as compact JSON, cut at 80 bytes; "absent"), or
 * "its bytes differ (same JSON values)". */
void bundle_diff_text(const bundle_diff *d, char *buf, size_t size);

/* Loads the JSON file at `path`; 0, or an exit code after reporting as `cmd`
 * (CLI_EXIT_DATA: missing or not JSON; CLI_EXIT_IO: unreadable). */
int bundle_load_json(const char *cmd, const char *path, json_t **out);

/* Reads the whole file at `path` into a malloc'd buffer (NUL-terminated, the
 * NUL not counted); 0 or -1 with errno set. */
int bundle_read_file(const char *path, char **out, size_t *len_out);

/* The first differing value of two JSON values, as `qfs diff` finds it
 * (objects by sorted key; arrays whose elements all have a key, the id led
 * by the governance when there is one, unique in each array, by that key;
 * other arrays by position), appended to `path` (of BUNDLE_PATH_BYTES_MAX bytes). 0 same, 1
 * different with *va and *vb set (new references; NULL: absent), -1 out of
 * memory. Defined in cmd_diff.c. */
int diff_json_first(json_t *a, json_t *b, char *path, json_t **va, json_t **vb);

#endif
