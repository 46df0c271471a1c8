/* qfs append LOG [FILE|-]: JSON Lines in, one record per batch out.
 *
 * Every line is parsed and encoded before anything is written, so that a bad
 * line anywhere leaves the log exactly as it was. The encoded events wait in
 * a spool (memory, then a temporary file), so memory stays flat however long
 * the input is. */
#include "cli.h"
#include "json_line.h"
#include "line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char HELP[] = "usage: qfs append LOG [FILE|-] [--batch N]\n"
                           "\n"
                           "Appends the events of FILE (JSON Lines, one event per line; '-' or no FILE\n"
                           "reads standard input) to LOG, creating LOG if it does not exist. Every line\n"
                           "is checked first: if any line is bad, each bad line is reported as\n"
                           "FILE:LINE:COLUMN: message and nothing is appended. Blank lines are skipped.\n"
                           "Prints the range of event indexes appended. The event format is in\n"
                           "docs/EVENTS.md. Encoded events beyond 64 MiB wait in an anonymous file in\n"
                           "$TMPDIR (/tmp when unset) until every line is checked.\n"
                           "\n"
                           "options:\n"
                           "  --batch N   events per record (1-65536); default: as many as fit in one\n"
                           "              record. Each record is written and made durable before the next.\n"
                           "\n"
                           "exit codes: 0 appended, 2 usage, 65 a bad line or a corrupt log, 74 I/O error\n";

#define REPORTED_ERRORS_MAX 20

/* Encoded events beyond this many bytes go to a temporary file. */
#define SPOOL_MEMORY_BYTES_MAX ((size_t)64 << 20)

/* The encoded events of the whole call, framed as u32 little-endian length
 * then the bytes: in memory up to SPOOL_MEMORY_BYTES_MAX, then in an
 * anonymous temporary file in TMPDIR (spool_tmpfile), so that appending a
 * billion events takes no more memory than appending a million. */
typedef struct spool {
    uint8_t *mem;
    size_t used;
    size_t cap;
    FILE *file; /* NULL while everything fits in memory */
    uint64_t count;
    size_t read_pos; /* reading back from memory */
} spool;

static void spool_free(spool *sp)
{
    free(sp->mem);
    if (sp->file)
        fclose(sp->file);
}

/* An anonymous temporary file in $TMPDIR, or /tmp when it is unset or empty:
 * created with mkstemp (mode 0600) and unlinked at once, so that nothing is
 * left behind whatever happens. (tmpfile() ignores TMPDIR.) NULL with errno
 * set on failure; *dir_out names the directory tried. */
static FILE *spool_tmpfile(const char **dir_out)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    *dir_out = dir;
    static const char name[] = "/qfs-spool-XXXXXX";
    size_t n = strlen(dir) + sizeof name;
    char *path = malloc(n);
    if (!path) {
        errno = ENOMEM;
        return NULL;
    }
    snprintf(path, n, "%s%s", dir, name);
    int fd = mkstemp(path);
    int e = errno;
    if (fd >= 0)
        unlink(path);
    free(path);
    if (fd < 0) {
        errno = e;
        return NULL;
    }
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

/* 0, or an exit code after reporting. */
static int spool_add(spool *sp, const uint8_t *data, size_t len)
{
    uint8_t frame[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    if (!sp->file && sp->used + 4 + len > SPOOL_MEMORY_BYTES_MAX) {
        const char *dir = NULL;
        sp->file = spool_tmpfile(&dir);
        if (!sp->file || (sp->used && fwrite(sp->mem, 1, sp->used, sp->file) != sp->used)) {
            cli_error("append", "cannot spool events to a temporary file in %s: %s", dir, strerror(errno));
            return CLI_EXIT_IO;
        }
        sp->used = 0;
    }
    if (sp->file) {
        if (fwrite(frame, 1, 4, sp->file) != 4 || fwrite(data, 1, len, sp->file) != len) {
            cli_error("append", "cannot spool events to a temporary file: %s", strerror(errno));
            return CLI_EXIT_IO;
        }
    } else {
        if (sp->cap - sp->used < 4 + len) {
            size_t ncap = sp->cap ? sp->cap : (size_t)1 << 16;
            while (ncap - sp->used < 4 + len)
                ncap *= 2;
            uint8_t *nm = realloc(sp->mem, ncap);
            if (!nm) {
                cli_error("append", "out of memory");
                return CLI_EXIT_IO;
            }
            sp->mem = nm;
            sp->cap = ncap;
        }
        memcpy(sp->mem + sp->used, frame, 4);
        memcpy(sp->mem + sp->used + 4, data, len);
        sp->used += 4 + len;
    }
    sp->count++;
    return 0;
}

static int spool_rewind(spool *sp)
{
    sp->read_pos = 0;
    if (sp->file && (fflush(sp->file) != 0 || fseek(sp->file, 0, SEEK_SET) != 0)) {
        cli_error("append", "cannot read back the spooled events: %s", strerror(errno));
        return CLI_EXIT_IO;
    }
    return 0;
}

/* Reads the next event into buf (which holds QFS_EVENT_BYTES_MAX bytes). */
static int spool_next(spool *sp, uint8_t *buf, size_t *len)
{
    uint8_t frame[4];
    if (sp->file) {
        if (fread(frame, 1, 4, sp->file) != 4)
            goto fail;
    } else {
        QFS_ASSERT(sp->read_pos + 4 <= sp->used);
        memcpy(frame, sp->mem + sp->read_pos, 4);
        sp->read_pos += 4;
    }
    size_t n = (size_t)frame[0] | (size_t)frame[1] << 8 | (size_t)frame[2] << 16 | (size_t)frame[3] << 24;
    QFS_ASSERT(n <= QFS_EVENT_BYTES_MAX); /* we wrote it */
    if (sp->file) {
        if (fread(buf, 1, n, sp->file) != n)
            goto fail;
    } else {
        memcpy(buf, sp->mem + sp->read_pos, n);
        sp->read_pos += n;
    }
    *len = n;
    return 0;
fail:
    cli_error("append", "cannot read back the spooled events: %s",
              ferror(sp->file) ? strerror(errno) : "short read");
    return CLI_EXIT_IO;
}

/* Reads, checks and encodes every line into `out`. Returns 0, or an exit code
 * after reporting. */
static int read_events(const char *name, FILE *in, spool *out)
{
    qfs_arena *arena = NULL;
    uint8_t *enc = malloc(QFS_EVENT_BYTES_MAX);
    if (!enc || qfs_arena_create(&arena, 1 << 16) != QFS_OK) {
        free(enc);
        cli_error("append", "out of memory");
        return CLI_EXIT_IO;
    }
    line_reader *lr = calloc(1, sizeof *lr);
    if (!lr) {
        free(enc);
        qfs_arena_free(arena);
        cli_error("append", "out of memory");
        return CLI_EXIT_IO;
    }
    lr->in = in;
    /* One byte over the parser's limit keeps a line's '\r' for stripping. */
    const size_t line_max = QFS_JSON_LINE_BYTES_MAX + 1;
    uint64_t line_no = 0;
    uint64_t bad_lines = 0;
    int rc = 0;
    int tty = cli_stderr_is_tty();
    for (;;) {
        errno = 0;
        uint64_t line_bytes = 0;
        int got = line_next(lr, line_max, &line_bytes);
        if (got < 0) {
            cli_error("append", "%s: read error after line %llu: %s", name, (unsigned long long)line_no,
                      strerror(errno));
            rc = CLI_EXIT_IO;
            break;
        }
        if (got == 0)
            break;
        line_no++;
        if (tty && (line_no & ((1u << 18) - 1)) == 0)
            fprintf(stderr, "\rqfs append: %llu lines checked", (unsigned long long)line_no);
        if (line_bytes > line_max) {
            bad_lines++;
            if (bad_lines <= REPORTED_ERRORS_MAX)
                fprintf(stderr, "%s:%llu: line is %llu bytes (at most %zu)\n", name,
                        (unsigned long long)line_no, (unsigned long long)line_bytes, QFS_JSON_LINE_BYTES_MAX);
            continue;
        }
        qfs_diag diag;
        size_t enc_len = 0;
        int blank = 0;
        qfs_err err = json_line_encode(lr->line, lr->len, arena, enc, &enc_len, &diag, &blank);
        if (blank)
            continue;
        if (err == QFS_E_NOMEM) {
            /* Not a fault of the line: the machine ran out of memory. */
            cli_error("append", "%s:%llu: %s", name, (unsigned long long)line_no, diag.message);
            rc = CLI_EXIT_IO;
            break;
        }
        if (err != QFS_OK) {
            bad_lines++;
            if (bad_lines <= REPORTED_ERRORS_MAX) {
                const char *msg = diag.message[0] ? diag.message : qfs_err_str(err);
                if (diag.has_line && diag.column > 0)
                    fprintf(stderr, "%s:%llu:%llu: %s\n", name, (unsigned long long)line_no,
                            (unsigned long long)diag.column, msg);
                else
                    fprintf(stderr, "%s:%llu: %s\n", name, (unsigned long long)line_no, msg);
            }
            continue;
        }
        /* After a bad line nothing will be appended: keep checking, stop storing. */
        if (bad_lines == 0 && (rc = spool_add(out, enc, enc_len)) != 0)
            break;
    }
    if (tty && line_no >= (1u << 18))
        fputs("\r\033[K", stderr);
    free(lr->line);
    free(lr);
    free(enc);
    qfs_arena_free(arena);
    if (rc == 0 && bad_lines > 0) {
        if (bad_lines > REPORTED_ERRORS_MAX)
            fprintf(stderr, "%s: ... and %llu more bad lines\n", name,
                    (unsigned long long)(bad_lines - REPORTED_ERRORS_MAX));
        cli_error("append", "%s: %llu bad line%s; nothing appended", name, (unsigned long long)bad_lines,
                  bad_lines == 1 ? "" : "s");
        rc = CLI_EXIT_DATA;
    }
    return rc;
}

/* One record's worth of events, read from the spool. */
typedef struct batch {
    uint8_t *bytes; /* a record's events, then the next event read */
    size_t used;
    qfs_log_event_bytes *events; /* batch_max entries */
    size_t count;
} batch;

/* Appends every spooled event in records of at most batch_max events and
 * QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX framed bytes. *done counts the
 * events made durable. Returns 0 or an exit code after reporting. */
static int append_spool(const char *log_path, qfs_log_writer *w, spool *sp, uint64_t batch_max,
                        uint64_t *done)
{
    batch b = {0};
    /* Each event is read straight behind the batch: room for a full record
     * plus one event that may turn out to belong to the next record. */
    b.bytes = malloc(QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX + QFS_EVENT_BYTES_MAX);
    b.events = malloc(sizeof *b.events * (size_t)batch_max);
    int rc = 0;
    if (!b.bytes || !b.events) {
        cli_error("append", "out of memory");
        rc = CLI_EXIT_IO;
    }
    if (rc == 0)
        rc = spool_rewind(sp);
    uint64_t first_index = qfs_log_writer_event_count(w);
    for (uint64_t k = 0; rc == 0 && k <= sp->count; k++) {
        size_t len = 0;
        if (k < sp->count && (rc = spool_next(sp, b.bytes + b.used, &len)) != 0)
            break;
        /* The framed bytes of a record count 4 per event besides the event. */
        int full = b.count == batch_max || (b.count > 0 && (b.used + 4 * (b.count + 1) + len) >
                                                               QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX);
        if ((full || k == sp->count) && b.count > 0) {
            qfs_diag diag;
            qfs_diag_clear(&diag);
            qfs_err err = qfs_log_writer_append(w, b.events, b.count, NULL, &diag);
            if (err != QFS_OK) {
                rc = cli_fail("append", log_path, err, &diag);
                if (*done > 0)
                    cli_error("append",
                              "%s: events %llu..%llu were appended and are durable before the failure",
                              log_path, (unsigned long long)first_index,
                              (unsigned long long)(first_index + *done - 1));
                break;
            }
            *done += b.count;
            /* The event just read opens the next record. */
            memmove(b.bytes, b.bytes + b.used, len);
            b.count = 0;
            b.used = 0;
        }
        if (k == sp->count)
            break;
        b.events[b.count].data = b.bytes + b.used;
        b.events[b.count].len = len;
        b.count++;
        b.used += len;
    }
    free(b.bytes);
    free(b.events);
    return rc;
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
    spool events = {0};
    int rc = read_events(in_name, in, &events);
    if (in != stdin)
        fclose(in);
    if (rc != 0) {
        spool_free(&events);
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
        spool_free(&events);
        return cli_fail("append", log_path, err, &diag);
    }
    if (info.repaired_torn_tail)
        cli_error(
            "append",
            "%s: truncated a torn tail of %llu bytes at byte offset %llu (a write that never completed)",
            log_path, (unsigned long long)info.torn_bytes, (unsigned long long)info.torn_offset);

    uint64_t first_index = qfs_log_writer_event_count(w);
    uint64_t done = 0;
    rc = append_spool(log_path, w, &events, batch_max, &done);
    qfs_log_writer_free(w);
    spool_free(&events);
    if (rc != 0)
        return rc;
    if (done == 0)
        printf("appended no events (log has %llu)\n", (unsigned long long)first_index);
    else
        printf("appended events %llu..%llu (%llu event%s)\n", (unsigned long long)first_index,
               (unsigned long long)(first_index + done - 1), (unsigned long long)done, done == 1 ? "" : "s");
    return cli_finish_stdout("append");
}
