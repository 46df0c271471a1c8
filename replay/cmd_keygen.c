/* qfs keygen -o KEY [--force]: a new Ed25519 key file and its public key. */
#include "keyfile.h"

#include <string.h>

static const char HELP[] = "usage: qfs keygen -o KEY [--force]\n"
                           "\n"
                           "Creates a new Ed25519 key from the operating system's random source and\n"
                           "writes it to the key file KEY, readable only by its owner (mode 0600): one\n"
                           "line, 'qfs-ed25519-secret-v1 ' and the 64 hex digits of the 32-byte seed.\n"
                           "Prints the public key (64 lowercase hex digits) on standard output: the\n"
                           "\"public_key\" a genesis or a registration names for the key's holder.\n"
                           "\n"
                           "options:\n"
                           "  -o, --output KEY   the key file to write (required)\n"
                           "  --force            replace KEY if it exists\n"
                           "\n"
                           "exit codes: 0 ok, 2 usage or KEY exists, 74 I/O error\n";

int cmd_keygen(int argc, char **argv)
{
    const char *out_path = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("keygen");
        }
        if ((m = cli_opt_value("keygen", argc, argv, &i, "-o", &v)) != 0 ||
            (m = cli_opt_value("keygen", argc, argv, &i, "--output", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            out_path = v;
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else {
            return cli_usage_error("keygen", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!out_path)
        return cli_usage_error("keygen", "missing -o KEY");
    if (strcmp(out_path, "-") == 0)
        return cli_usage_error("keygen", "KEY must be a file, not standard output");

    uint8_t seed[QFS_SEED_BYTES];
    uint8_t sk[QFS_SECRET_KEY_BYTES];
    qfs_public_key pk;
    qfs_err err = qfs_auth_random_seed(seed);
    if (err == QFS_OK)
        err = qfs_auth_keypair(&pk, sk, seed);
    qfs_auth_wipe(sk, sizeof sk);
    if (err != QFS_OK) {
        qfs_auth_wipe(seed, sizeof seed);
        cli_error("keygen", "cannot make a key (%s)", qfs_err_str(err));
        return CLI_EXIT_IO;
    }
    int rc = keyfile_write("keygen", out_path, seed, force);
    qfs_auth_wipe(seed, sizeof seed);
    if (rc != 0)
        return rc;
    char hex[2 * QFS_PUBLIC_KEY_BYTES + 1];
    keyfile_hex(hex, pk.bytes);
    printf("%s\n", hex);
    return cli_finish_stdout("keygen");
}
