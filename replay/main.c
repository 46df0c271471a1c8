/* qfs: replay, verify and inspect Harmonic event logs. */
#include "cli.h"

#include <string.h>

#ifndef QFS_VERSION_STRING
#define QFS_VERSION_STRING "0.0.0"
#endif

static const char USAGE[] =
    "usage: qfs COMMAND [ARGS]\n"
    "\n"
    "Deterministic replay of Harmonic token-economy event logs (.qlog).\n"
    "\n"
    "commands:\n"
    "  append LOG [FILE|-]     append JSON Lines events to LOG (created if missing)\n"
    "  diff A B                where two logs, traces, states or evidence bundles part\n"
    "  dump LOG                write LOG's events as JSON Lines\n"
    "  evidence LOG -o DIR     write an evidence bundle (evidence verify DIR LOG: check one)\n"
    "  keygen -o KEY           create a key file and print its public key\n"
    "  log check LOG           verify every checksum and the hash chain of LOG\n"
    "  metrics LOG             print the Prometheus metrics of the state after the last event\n"
    "  sign --key KEY ...      sign JSON Lines events for a log (--log LOG or --seq N)\n"
    "  simulate -o LOG ...     generate a deterministic simulated economy\n"
    "  replay LOG              fold LOG into a state and print its state hash\n"
    "  report LOG|DIR -o FILE  write the HTML audit report of a log or evidence bundle\n"
#ifdef QFS_HAVE_SERVE
    "  serve LOG               follow LOG and serve its state over HTTP (loopback)\n"
#endif
    "  state LOG               print the state after an event as canonical JSON\n"
    "  vectors verify [DIR]    run the golden vectors (default vectors/v2)\n"
    "  vectors generate [DIR]  rebuild the vectors' logs, pinned values and manifest\n"
    "\n"
    "options:\n"
    "  -h, --help              show this help (also: qfs COMMAND --help)\n"
    "  --version               print the version\n"
    "\n"
    "exit codes: 0 ok, 1 a verification did not match, 2 usage error,\n"
    "            65 bad input data or a corrupt log, 74 I/O error\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command COMMANDS[] = {
    {"append", cmd_append}, {"diff", cmd_diff},         {"dump", cmd_dump},       {"evidence", cmd_evidence},
    {"keygen", cmd_keygen}, {"log", cmd_log},           {"metrics", cmd_metrics}, {"replay", cmd_replay},
    {"report", cmd_report},
#ifdef QFS_HAVE_SERVE
    {"serve", cmd_serve},
#endif
    {"sign", cmd_sign},     {"simulate", cmd_simulate}, {"state", cmd_state},     {"vectors", cmd_vectors},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return CLI_EXIT_USAGE;
    }
    if (cli_is_help(argv[1])) {
        fputs(USAGE, stdout);
        return cli_finish_stdout("help");
    }
    if (strcmp(argv[1], "--version") == 0) {
        qfs_hash128 schema;
        char hex[QFS_HASH128_HEX_LEN + 1];
        qfs_codec_schema_hash(&schema);
        qfs_hash128_hex(&schema, hex);
        printf("qfs %s (log format %d, event schema %s)\n", QFS_VERSION_STRING, QFS_LOG_FORMAT_VERSION, hex);
        return cli_finish_stdout("version");
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "qfs: unknown command '%s'\nTry 'qfs --help'.\n", argv[1]);
    return CLI_EXIT_USAGE;
}
