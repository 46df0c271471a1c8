/* qfs state LOG [--at N] [--module M]: the state as canonical JSON. */
#include "fold.h"

#include <stdlib.h>
#include <string.h>

static const char HELP[] = "usage: qfs state LOG [--at N] [--module M]\n"
                           "\n"
                           "Replays LOG up to and including event N (default: the whole log) and prints\n"
                           "the state as canonical JSON: sorted keys; amounts (base units, 10^18 per\n"
                           "token), timestamps and proposal ids as strings of digits; counts and epochs\n"
                           "as integers; fixed-point values as exact decimal strings; no floats. When\n"
                           "the log is unauthenticated (its genesis names \"authentication\": \"none\"),\n"
                           "says so on standard error.\n"
                           "\n"
                           "options:\n"
                           "  --at N       the state after event N (0-based index)\n"
                           "  --module M   only module M: ledger, staking, coherence, governance, memory,\n"
                           "               treasury, nod, infra_governance, receipts (docs/SPEC.md)\n"
                           "\n"
                           "exit codes: 0 ok, 2 usage, 65 corrupt, torn or invalid log or no event N,\n"
                           "            74 I/O error\n";

int cmd_state(int argc, char **argv)
{
    const char *path = NULL;
    const char *module = NULL;
    uint64_t at = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("state");
        }
        if ((m = cli_opt_value("state", argc, argv, &i, "--at", &v)) != 0) {
            if (m < 0 || cli_parse_u64("state", "--at", v, &at) != 0)
                return CLI_EXIT_USAGE;
            if (at == UINT64_MAX)
                return cli_usage_error("state", "--at is out of range");
        } else if ((m = cli_opt_value("state", argc, argv, &i, "--module", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            module = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("state", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error("state", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path)
        return cli_usage_error("state", "missing LOG");
    if (module) {
        int known = 0;
        for (size_t i = 0; i < qfs_state_module_count(); i++)
            known |= strcmp(module, qfs_state_module_name(i)) == 0;
        if (!known)
            return cli_usage_error("state", "unknown module '%s'", module);
    }
    ahead *a = NULL;
    qfs_err err = ahead_create(&a, ahead_default_threads());
    if (err != QFS_OK)
        return cli_fail("state", path, err, NULL);
    qfs_state *s = NULL;
    qfs_state_options opt = {.verify_hint = ahead_hint, .verify_ctx = a};
    err = qfs_state_create(&s, &opt);
    if (err != QFS_OK) {
        ahead_free(a);
        return cli_fail("state", path, err, NULL);
    }
    fold_result fr;
    int rc = fold_log("state", path, s, at, NULL, a, &fr);
    ahead_free(a);
    if (rc == 0 && qfs_state_auth_mode(s) == QFS_AUTH_NONE)
        cli_error("state", "%s: authentication: none (events are not signed)", path);
    if (rc == 0) {
        char *json = NULL;
        size_t len = 0;
        err = qfs_state_to_json(s, module, &json, &len);
        if (err != QFS_OK)
            rc = cli_fail("state", path, err, NULL);
        else
            rc = cli_write_stdout("state", json, len);
        free(json);
    }
    qfs_state_free(s);
    int flush_rc = cli_finish_stdout("state");
    return rc != 0 ? rc : flush_rc;
}
