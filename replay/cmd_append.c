/* qfs append LOG [FILE|-]: JSON Lines in, one record per batch out.
 *
 * Every line is parsed and encoded before anything is written, so that a bad
 * line anywhere leaves the log exactly as it was. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "usage: qfs append LOG [FILE|-] [--batch N]\n"
    "\n"
    "Appends the events of FILE (JSON Lines, one event per line; '-' or no FILE\n"
    "reads standard input) to LOG, creating LOG if it does not exist. Every line\n"
    "is checked first: if any line is bad, each bad line is reported as\n"
    "FILE:LINE:COLUMN: message and nothing is appended. Blank lines are skipped.\n"
    "Prints the range of event indexes appended. The event format is in\n"
    "docs/EVENTS.md.\n"
    "\n"
    "options:\n"
    "  --batch N   events per record (1-65536); default: as many as fit in one\n"
    "              record. Each record is written and made durable before the next.\n"
    "\n"
    "exit codes: 0 appended, 2 usage, 65 a bad line or a corrupt log, 74 I/O error\n";

#define REPORTED_ERRORS_MAX 20

/* Encoded events of the whole call: one buffer plus (offset, length) pairs. */
typedef struct encoded_events {
    uint8_t *bytes;
    size_t used;
    size_t cap;
    size_t *offsets;
    size_t *lengths;
    size_t count;
    size_t count_cap;
} encoded_events;

static int encoded_reserve(encoded_events *e, size_t more_bytes)
{
    if (e->count == e->count_cap) {
        size_t ncap = e->count_cap ? e->count_cap * 2 : 1024;
        size_t *no = realloc(e->offsets, ncap * sizeof *no);
        if (!no)
            return -1;
        e->offsets = no;
        size_t *nl = realloc(e->lengths, ncap * sizeof *nl);
        if (!nl)
            return -1;
        e->lengths = nl;
        e->count_cap = ncap;
    }
    if (e->cap - e->used < more_bytes) {
        size_t ncap = e->cap ? e->cap : 1 << 16;
        while (ncap - e->used < more_bytes)
            ncap *= 2;
        uint8_t *nb = realloc(e->bytes, ncap);
        if (!nb)
            return -1;
        e->bytes = nb;
        e->cap = ncap;
    }
    return 0;
}

static void encoded_free(encoded_events *e)
{
    free(e->bytes);
    free(e->offsets);
    free(e->lengths);
}

/* Reads and encodes every line. Returns 0, or an exit code after reporting. */
static int read_events(const char *name, FILE *in, encoded_events *out)
{
    qfs_arena *arena = NULL;
    if (qfs_arena_create(&arena, 1 << 16) != QFS_OK) {
        cli_error("append", "out of memory");
        return CLI_EXIT_IO;
    }
    char *line = NULL;
    size_t line_cap = 0;
    uint64_t line_no = 0;
    int bad_lines = 0;
    int rc = 0;
    for (;;) {
        errno = 0;
        ssize_t got = getline(&line, &line_cap, in);
        if (got < 0) {
            if (ferror(in)) {
                cli_error("append", "%s: read error: %s", name, strerror(errno));
                rc = CLI_EXIT_IO;
            }
            break;
        }
        line_no++;
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        size_t first = 0;
        while (first < len && (line[first] == ' ' || line[first] == '\t'))
            first++;
        if (first == len)
            continue;

        qfs_event ev;
        qfs_diag diag;
        qfs_diag_clear(&diag);
        qfs_arena_reset(arena);
        qfs_err err;
        if (memchr(line, '\0', len)) {
            err = QFS_E_PARSE;
            qfs_diag_set(&diag, "line contains a NUL byte");
        } else {
            err = qfs_json_parse_event(&ev, line, len, arena, &diag);
        }
        if (err == QFS_OK) {
            size_t need = qfs_codec_encoded_size(&ev);
            if (need > QFS_EVENT_BYTES_MAX) {
                err = QFS_E_LIMIT;
                qfs_diag_set(&diag, "event encodes to %zu bytes (limit %zu)", need, QFS_EVENT_BYTES_MAX);
            } else if (encoded_reserve(out, need) != 0) {
                cli_error("append", "out of memory");
                rc = CLI_EXIT_IO;
                break;
            } else {
                size_t len_out = 0;
                err = qfs_codec_encode(&ev, out->bytes + out->used, out->cap - out->used, &len_out);
                if (err == QFS_OK) {
                    out->offsets[out->count] = out->used;
                    out->lengths[out->count] = len_out;
                    out->count++;
                    out->used += len_out;
                } else {
                    qfs_diag_set(&diag, "event cannot be encoded");
                }
            }
        }
        if (err != QFS_OK) {
            bad_lines++;
            if (bad_lines <= REPORTED_ERRORS_MAX) {
                if (diag.has_line && diag.column > 0)
                    fprintf(stderr, "%s:%llu:%llu: %s\n", name, (unsigned long long)line_no,
                            (unsigned long long)diag.column, diag.message[0] ? diag.message : qfs_err_str(err));
                else
                    fprintf(stderr, "%s:%llu: %s\n", name, (unsigned long long)line_no,
                            diag.message[0] ? diag.message : qfs_err_str(err));
            }
        }
    }
    free(line);
    qfs_arena_free(arena);
    if (rc == 0 && bad_lines > 0) {
        if (bad_lines > REPORTED_ERRORS_MAX)
            fprintf(stderr, "%s: ... and %d more bad lines\n", name, bad_lines - REPORTED_ERRORS_MAX);
        cli_error("append", "%s: %d bad line%s; nothing appended", name, bad_lines, bad_lines == 1 ? "" : "s");
        rc = CLI_EXIT_DATA;
    }
    return rc;
}

/* How many events from `start` go into the next record. */
static size_t next_batch(const encoded_events *e, size_t start, uint64_t batch_max)
{
    size_t n = 0;
    uint64_t bytes = 0;
    while (start + n < e->count && n < batch_max) {
        uint64_t framed = 4 + (uint64_t)e->lengths[start + n];
        if (n > 0 && bytes + framed > QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX)
            break;
        bytes += framed;
        n++;
    }
    return n;
}

int cmd_append(int argc, char **argv)
{
    const char *log_path = NULL;
    const char *in_path = NULL;
    uint64_t batch_max = QFS_LOG_BATCH_EVENTS_MAX;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("append");
        }
        if ((m = cli_opt_value("append", argc, argv, &i, "--batch", &v)) != 0) {
            if (m < 0 || cli_parse_u64("append", "--batch", v, &batch_max) != 0)
                return CLI_EXIT_USAGE;
            if (batch_max < 1 || batch_max > QFS_LOG_BATCH_EVENTS_MAX)
                return cli_usage_error("append", "--batch must be 1 to %u", QFS_LOG_BATCH_EVENTS_MAX);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("append", "unknown option '%s'", argv[i]);
        } else if (!log_path) {
            log_path = argv[i];
        } else if (!in_path) {
            in_path = argv[i];
        } else {
            return cli_usage_error("append", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!log_path)
        return cli_usage_error("append", "missing LOG");
    if (strcmp(log_path, "-") == 0)
        return cli_usage_error("append", "LOG must be a file, not standard output");

    FILE *in = stdin;
    const char *in_name = "-";
    if (in_path && strcmp(in_path, "-") != 0) {
        in = fopen(in_path, "r");
        if (!in) {
            cli_error("append", "%s: %s", in_path, strerror(errno));
            return CLI_EXIT_IO;
        }
        in_name = in_path;
    }
    encoded_events events = {0};
    int rc = read_events(in_name, in, &events);
    if (in != stdin)
        fclose(in);
    if (rc != 0) {
        encoded_free(&events);
        return rc;
    }

    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_log_writer *w = NULL;
    qfs_log_open_info info;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err = qfs_log_writer_open(&w, log_path, &schema, NULL, &info, &diag);
    if (err != QFS_OK) {
        encoded_free(&events);
        return cli_fail("append", log_path, err, &diag);
    }
    if (info.repaired_torn_tail)
        cli_error("append", "%s: truncated a torn tail of %llu bytes at byte offset %llu (a write that never completed)",
                  log_path, (unsigned long long)info.torn_bytes, (unsigned long long)info.torn_offset);

    uint64_t first_index = qfs_log_writer_event_count(w);
    qfs_log_event_bytes *batch = NULL;
    if (events.count > 0) {
        batch = malloc(sizeof *batch * (batch_max < events.count ? batch_max : events.count));
        if (!batch) {
            qfs_log_writer_free(w);
            encoded_free(&events);
            cli_error("append", "out of memory");
            return CLI_EXIT_IO;
        }
    }
    size_t done = 0;
    while (done < events.count) {
        size_t n = next_batch(&events, done, batch_max);
        for (size_t k = 0; k < n; k++) {
            batch[k].data = events.bytes + events.offsets[done + k];
            batch[k].len = events.lengths[done + k];
        }
        qfs_diag_clear(&diag);
        err = qfs_log_writer_append(w, batch, n, NULL, &diag);
        if (err != QFS_OK) {
            rc = cli_fail("append", log_path, err, &diag);
            if (done > 0)
                cli_error("append", "%s: events %llu..%llu were appended and are durable before the failure",
                          log_path, (unsigned long long)first_index,
                          (unsigned long long)(first_index + done - 1));
            break;
        }
        done += n;
    }
    free(batch);
    qfs_log_writer_free(w);
    encoded_free(&events);
    if (rc != 0)
        return rc;
    if (done == 0)
        printf("appended no events (log has %llu)\n", (unsigned long long)first_index);
    else
        printf("appended events %llu..%llu (%zu event%s)\n", (unsigned long long)first_index,
               (unsigned long long)(first_index + done - 1), done, done == 1 ? "" : "s");
    return cli_finish_stdout("append");
}
