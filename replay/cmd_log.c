/* qfs log check LOG [--json]: verify every checksum and the chain. */
#include "cli.h"

#include <string.h>

static const char HELP[] = "usage: qfs log check LOG [--json]\n"
                           "\n"
                           "Verifies LOG without modifying it: the file header, every record header and\n"
                           "body checksum, every parent link, the event framing and the hash chain.\n"
                           "Prints the number of events and records and the chain head hash. A log that\n"
                           "ends in a torn record (a write that never completed) is reported as a torn\n"
                           "tail, which the next 'qfs append' repairs; any other damage is corruption,\n"
                           "reported with its byte offset and event index.\n"
                           "\n"
                           "options:\n"
                           "  --json   print one canonical JSON object instead of text\n"
                           "\n"
                           "exit codes: 0 the log is whole, 2 usage, 65 torn tail or corruption,\n"
                           "            74 I/O error\n";

static const char *status_name(qfs_log_status s)
{
    switch (s) {
    case QFS_LOG_OK: return "ok";
    case QFS_LOG_TORN_TAIL: return "torn_tail";
    default: return "corrupt";
    }
}

/* Writes `s` as a JSON string body (the damage text is ASCII we produce, but
 * escape defensively). */
static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int check(const char *path, int json)
{
    qfs_log_check_result res;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_err err = qfs_log_check(path, NULL, &res, &diag);
    if (err != QFS_OK)
        return cli_fail("log check", path, err, &diag);
    char chain[QFS_HASH128_HEX_LEN + 1];
    char schema[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(&res.chain_head, chain);
    qfs_hash128_hex(&res.schema, schema);
    if (json) {
        /* Keys in sorted order: the output is canonical. */
        printf("{\"chain_head\":\"%s\",", chain);
        if (res.status != QFS_LOG_OK) {
            printf("\"damage\":{\"event_index\":%llu,\"message\":",
                   (unsigned long long)res.damage_event_index);
            json_string(res.damage);
            printf(",\"offset\":%llu},", (unsigned long long)res.damage_offset);
        }
        printf("\"events\":%llu,\"file_bytes\":%llu,\"records\":%llu,\"schema\":\"%s\",\"status\":\"%s\","
               "\"valid_bytes\":%llu}\n",
               (unsigned long long)res.event_count, (unsigned long long)res.file_bytes,
               (unsigned long long)res.record_count, schema, status_name(res.status),
               (unsigned long long)res.valid_bytes);
    } else {
        printf("status: %s\nevents: %llu\nrecords: %llu\nchain head: %s\n", status_name(res.status),
               (unsigned long long)res.event_count, (unsigned long long)res.record_count, chain);
    }
    int rc = cli_finish_stdout("log check");
    if (rc != 0)
        return rc;
    if (res.status == QFS_LOG_TORN_TAIL) {
        cli_error("log check",
                  "%s: torn tail at byte offset %llu (event %llu): %s; %llu whole events verified; "
                  "'qfs append' repairs it",
                  path, (unsigned long long)res.damage_offset, (unsigned long long)res.damage_event_index,
                  res.damage, (unsigned long long)res.event_count);
        return CLI_EXIT_DATA;
    }
    if (res.status == QFS_LOG_CORRUPT) {
        cli_error("log check", "%s: corrupt at byte offset %llu (event %llu): %s", path,
                  (unsigned long long)res.damage_offset, (unsigned long long)res.damage_event_index,
                  res.damage);
        return CLI_EXIT_DATA;
    }
    return CLI_EXIT_OK;
}

int cmd_log(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : cli_finish_stdout("log");
    }
    if (strcmp(argv[1], "check") != 0)
        return cli_usage_error("log", "unknown subcommand '%s' (expected 'check')", argv[1]);
    const char *path = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("log check");
        }
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("log check", "unknown option '%s'", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return cli_usage_error("log check", "unexpected argument '%s'", argv[i]);
    }
    if (!path)
        return cli_usage_error("log check", "missing LOG");
    return check(path, json);
}
