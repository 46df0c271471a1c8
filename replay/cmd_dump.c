/* qfs dump LOG [--from N] [--count K]: JSON Lines out. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "usage: qfs dump LOG [--from N] [--count K]\n"
    "\n"
    "Writes the events of LOG to standard output as canonical JSON Lines (the\n"
    "format of docs/EVENTS.md), so that 'qfs dump a.qlog | qfs append b.qlog'\n"
    "gives an equivalent log, byte-identical when written in the same batch sizes.\n"
    "Every record is verified before its events are written.\n"
    "\n"
    "options:\n"
    "  --from N    start at event index N (0-based; seeks without reading earlier records);\n"
    "              an N past the last event is an error (exit 65), as for 'state --at'\n"
    "  --count K   write at most K events\n"
    "\n"
    "exit codes: 0 ok, 2 usage, 65 corrupt or torn log or no event N, 74 I/O error\n";

int cmd_dump(int argc, char **argv)
{
    const char *log_path = NULL;
    uint64_t from = 0;
    uint64_t count = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("dump");
        }
        if ((m = cli_opt_value("dump", argc, argv, &i, "--from", &v)) != 0) {
            if (m < 0 || cli_parse_u64("dump", "--from", v, &from) != 0)
                return CLI_EXIT_USAGE;
        } else if ((m = cli_opt_value("dump", argc, argv, &i, "--count", &v)) != 0) {
            if (m < 0 || cli_parse_u64("dump", "--count", v, &count) != 0)
                return CLI_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("dump", "unknown option '%s'", argv[i]);
        } else if (!log_path) {
            log_path = argv[i];
        } else {
            return cli_usage_error("dump", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!log_path)
        return cli_usage_error("dump", "missing LOG");

    qfs_log_reader *r = NULL;
    qfs_arena *arena = NULL;
    int open_rc = cli_open_log("dump", log_path, &r, &arena);
    if (open_rc != 0)
        return open_rc;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err;
    int rc = 0;
    if (from > 0 && count > 0) {
        err = qfs_log_reader_seek(r, from, &diag);
        if (err == QFS_E_NOT_FOUND) {
            /* As `state --at`: a window that starts past the end names an
             * event the log does not have, which is bad input, not an
             * empty result. */
            cli_error("dump", "%s: %s", log_path, diag.message);
            rc = CLI_EXIT_DATA;
        } else if (err != QFS_OK) {
            rc = cli_fail("dump", log_path, err, &diag);
        }
    }
    for (uint64_t written = 0; rc == 0 && written < count; written++) {
        qfs_event ev;
        uint64_t index;
        rc = cli_next_event("dump", log_path, r, arena, &ev, &index, NULL);
        if (rc == CLI_NEXT_END) {
            rc = 0;
            break;
        }
        if (rc != 0)
            break;
        char *text = NULL;
        size_t text_len = 0;
        err = qfs_json_format_event(&text, &text_len, &ev);
        if (err != QFS_OK) {
            qfs_diag_clear(&diag);
            qfs_diag_set_event(&diag, index);
            qfs_diag_set(&diag, "event cannot be written as JSON");
            rc = cli_fail("dump", log_path, err, &diag);
            break;
        }
        rc = cli_write_stdout("dump", text, text_len);
        if (rc == 0)
            rc = cli_write_stdout("dump", "\n", 1);
        free(text);
    }
    qfs_arena_free(arena);
    qfs_log_reader_free(r);
    int flush_rc = cli_finish_stdout("dump");
    return rc != 0 ? rc : flush_rc;
}
