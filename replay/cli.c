/* Shared helpers of the qfs command. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

int cli_exit_for(qfs_err err)
{
    switch (err) {
    case QFS_OK: return CLI_EXIT_OK;
    case QFS_E_IO:
    case QFS_E_NOMEM:
    case QFS_E_NOT_FOUND: return CLI_EXIT_IO;
    case QFS_E_INVALID_ARG: return CLI_EXIT_USAGE;
    default: return CLI_EXIT_DATA;
    }
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "qfs %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_fail(const char *cmd, const char *path, qfs_err err, const qfs_diag *diag)
{
    fprintf(stderr, "qfs %s: ", cmd);
    if (path)
        fprintf(stderr, "%s: ", path);
    if (diag && diag->has_line)
        fprintf(stderr, "line %llu: ", (unsigned long long)diag->line);
    if (diag && diag->has_byte_offset)
        fprintf(stderr, "byte offset %llu: ", (unsigned long long)diag->byte_offset);
    if (diag && diag->has_event_index)
        fprintf(stderr, "event %llu: ", (unsigned long long)diag->event_index);
    if (diag && diag->message[0] && strstr(diag->message, qfs_err_str(err)))
        fprintf(stderr, "%s\n", diag->message);
    else if (diag && diag->message[0])
        fprintf(stderr, "%s (%s)\n", diag->message, qfs_err_str(err));
    else
        fprintf(stderr, "%s\n", qfs_err_str(err));
    return cli_exit_for(err);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "qfs %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'qfs %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "option %s needs a value", name);
        return -1;
    }
    *i += 1;
    *value = argv[*i];
    return 1;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    if (qfs_u64_parse(out, text, strlen(text)) != QFS_OK) {
        cli_usage_error(cmd, "%s: '%s' is not an unsigned integer", opt, text);
        return -1;
    }
    return 0;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Set once a write error on stdout has been reported, so it is reported once. */
static int stdout_failed;

int cli_write_stdout(const char *cmd, const void *data, size_t len)
{
    if (stdout_failed)
        return CLI_EXIT_IO;
    if (len != 0 && fwrite(data, 1, len, stdout) != len) {
        cli_error(cmd, "writing to standard output: %s", strerror(errno));
        stdout_failed = 1;
        return CLI_EXIT_IO;
    }
    return 0;
}

int cli_finish_stdout(const char *cmd)
{
    if (stdout_failed) {
        fflush(stdout);
        return CLI_EXIT_IO;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(cmd, "writing to standard output: %s", strerror(errno));
        return CLI_EXIT_IO;
    }
    return 0;
}

int cli_stderr_is_tty(void)
{
    return isatty(STDERR_FILENO);
}

int cli_open_log(const char *cmd, const char *path, qfs_log_reader **reader, qfs_arena **arena)
{
    qfs_hash128 schema;
    qfs_codec_schema_hash(&schema);
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err = qfs_log_reader_open(reader, path, &schema, NULL, &diag);
    if (err != QFS_OK)
        return cli_fail(cmd, path, err, &diag);
    if (qfs_arena_create(arena, 1 << 16) != QFS_OK) {
        qfs_log_reader_free(*reader);
        *reader = NULL;
        cli_error(cmd, "out of memory");
        return CLI_EXIT_IO;
    }
    return 0;
}

uint64_t cli_splitmix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void cli_print_rate(const char *cmd, const char *verb, uint64_t events, uint64_t elapsed_ns,
                    const char *suffix)
{
    uint64_t ns = elapsed_ns ? elapsed_ns : 1;
    uint64_t rate = (uint64_t)((unsigned __int128)events * 1000000000u / ns);
    fprintf(stderr, "qfs %s: %s%llu events in %llu.%03llu s: %llu events/s%s\n", cmd, verb,
            (unsigned long long)events, (unsigned long long)(ns / 1000000000u),
            (unsigned long long)(ns / 1000000u % 1000u), (unsigned long long)rate, suffix);
}

qfs_err cli_read_event(qfs_log_reader *r, qfs_arena *arena, qfs_event *ev, uint64_t *index, qfs_diag *diag)
{
    const uint8_t *data;
    size_t len;
    qfs_diag_clear(diag);
    qfs_err err = qfs_log_reader_next(r, &data, &len, index, diag);
    if (err != QFS_OK)
        return err;
    err = qfs_codec_decode(ev, data, len, arena, diag);
    if (err != QFS_OK) {
        /* The decoder's byte offset is inside the event, while every other
         * diagnostic names a file offset: the event's record takes its
         * place, and the place inside the event joins the message. */
        if (diag->has_byte_offset) {
            size_t n = strlen(diag->message);
            snprintf(diag->message + n, sizeof diag->message - n, ", at byte %llu of the %zu-byte event",
                     (unsigned long long)diag->byte_offset, len);
        }
        qfs_diag_set_offset(diag, qfs_log_reader_record_offset(r));
        qfs_diag_set_event(diag, *index);
    }
    return err;
}

int cli_next_event(const char *cmd, const char *path, qfs_log_reader *r, qfs_arena *arena, qfs_event *ev,
                   uint64_t *index, qfs_err *why)
{
    qfs_diag diag;
    qfs_arena_reset(arena);
    qfs_err err = cli_read_event(r, arena, ev, index, &diag);
    if (why)
        *why = err;
    if (err == QFS_E_EOF)
        return CLI_NEXT_END;
    return err == QFS_OK ? 0 : cli_fail(cmd, path, err, &diag);
}
