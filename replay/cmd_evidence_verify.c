/* qfs evidence verify DIR LOG: re-derives a bundle from the log and
 * compares it with DIR (docs/EVIDENCE.md). */
#include "evidence_derive.h"
#include "keyfile.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- qfs evidence verify DIR LOG ---- */

/* Reads a public key file: 64 hex digits, an optional newline. */
static int read_pubkey(const char *path, qfs_public_key *pk)
{
    char *text = NULL;
    size_t len = 0;
    if (bundle_read_file(path, &text, &len) != 0) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    int ok = (len == 64 || (len == 65 && text[64] == '\n')) && qfs_hex_decode(pk->bytes, text, 32) == QFS_OK;
    free(text);
    if (!ok) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: not a public key (64 hex digits, as 'qfs keygen' prints)", path);
        return CLI_EXIT_DATA;
    }
    return 0;
}

/* A bundle is exactly its files: a name that is not one of them (nor the
 * optional envelope) makes it malformed. 0, or an exit code after naming
 * the file (CLI_EXIT_IO: the directory cannot be read). */
static int check_no_extra(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: %s", dir, strerror(errno));
        return CLI_EXIT_IO;
    }
    int rc = 0;
    struct dirent *e;
    errno = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, BUNDLE_DSSE) == 0)
            continue;
        int known = 0;
        for (size_t i = 0; i < BUNDLE_FILES && !known; i++)
            known = strcmp(e->d_name, BUNDLE_FILE_NAMES[i]) == 0;
        if (!known) {
            cli_error(EVIDENCE_CMD_VERIFY,
                      "%s/%s: not a bundle file (a bundle holds exactly the files of docs/EVIDENCE.md)", dir,
                      e->d_name);
            rc = CLI_EXIT_DATA;
        }
    }
    if (rc == 0 && errno != 0) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: %s", dir, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    closedir(d);
    return rc;
}

/* Every file a bundle must hold is there, is a regular file and parses, and
 * there is no other. A DIR that does not exist or cannot be read is an I/O
 * error; one that lacks a file is a malformed bundle. */
static int check_complete(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: %s", dir, strerror(errno));
        return CLI_EXIT_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: not a directory (an evidence bundle is one)", dir);
        return CLI_EXIT_DATA;
    }
    int rc = check_no_extra(dir);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i <= BUNDLE_FILES; i++) {
        const char *name = i < BUNDLE_FILES ? BUNDLE_FILE_NAMES[i] : BUNDLE_DSSE;
        char path[EVIDENCE_PATH_BYTES_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (stat(path, &st) != 0) {
            if (i == BUNDLE_FILES && errno == ENOENT)
                break; /* the envelope is optional */
            cli_error(EVIDENCE_CMD_VERIFY, "%s: missing from the bundle", path);
            return CLI_EXIT_DATA;
        }
        if (!S_ISREG(st.st_mode)) {
            cli_error(EVIDENCE_CMD_VERIFY, "%s: not a regular file (every file of a bundle is one)", path);
            return CLI_EXIT_DATA;
        }
        if (i == BUNDLE_FILES || strcmp(name, "trace.jsonl") == 0)
            continue; /* compared line by line, or checked as DSSE; a bad line is named then */
        json_t *j = NULL;
        rc = bundle_load_json(EVIDENCE_CMD_VERIFY, path, &j);
        json_decref(j);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The record the bundle's replay_consistency.json must be: its own build
 * (which belongs to the binary that wrote it) and as many runs as it lists,
 * each with the re-derived results. */
static int expected_consistency(const char *path, const json_t *have, const report *r, json_t **out)
{
    const json_t *runs = json_object_get(have, "runs");
    const json_t *build = json_object_get(have, "build");
    size_t n = json_array_size(runs);
    if (!json_is_object(have) || !json_is_object(build) || n < 1 || n > EVIDENCE_RUNS_MAX) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: malformed: needs an object \"build\" and 1 to %d \"runs\"", path,
                  EVIDENCE_RUNS_MAX);
        return CLI_EXIT_DATA;
    }
    static report reports[EVIDENCE_RUNS_MAX];
    for (size_t k = 0; k < n; k++)
        reports[k] = *r;
    *out = evidence_consistency_json(reports, n, json_deep_copy(build));
    if (!*out) {
        cli_error(EVIDENCE_CMD_VERIFY, "out of memory");
        return CLI_EXIT_IO;
    }
    return 0;
}

/* Compares a bundle file with the JSON it must hold; 0, 1 after naming
 * the difference, or an exit code. */
static int compare_with(const char *dir, const char *name, const json_t *want, int *first)
{
    char path[EVIDENCE_PATH_BYTES_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *have_text = NULL;
    size_t have_len = 0;
    if (bundle_read_file(path, &have_text, &have_len) != 0) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    char *want_text = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    if (!want_text) {
        free(have_text);
        cli_error(EVIDENCE_CMD_VERIFY, "out of memory");
        return CLI_EXIT_IO;
    }
    size_t want_len = strlen(want_text);
    int same = have_len == want_len + 1 && memcmp(have_text, want_text, want_len) == 0 &&
               have_text[want_len] == '\n';
    int rc = 0;
    if (!same) {
        json_error_t je;
        json_t *have = json_loadb(have_text, have_len, JSON_REJECT_DUPLICATES, &je);
        bundle_diff d;
        memset(&d, 0, sizeof d);
        int r = have ? diff_json_first(have, (json_t *)want, d.path, &d.a, &d.b) : 1;
        d.bytes_only = r == 0;
        char text[BUNDLE_PATH_BYTES_MAX + 256];
        bundle_diff_text(&d, text, sizeof text);
        if (*first)
            cli_error(EVIDENCE_CMD_VERIFY, "%s: differs at %s", name, text);
        *first = 0;
        bundle_diff_clear(&d);
        json_decref(have);
        rc = r < 0 ? CLI_EXIT_IO : CLI_EXIT_MISMATCH;
    }
    free(have_text);
    free(want_text);
    return rc;
}

/* Checks statement.dsse.json: its payload is statement.json, and with a key
 * one of its signatures is that key's over the PAE. *checked is set when a
 * signature was verified. */
static int check_dsse(const char *dir, const qfs_public_key *pk, int *checked)
{
    char path[EVIDENCE_PATH_BYTES_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_DSSE);
    struct stat st;
    if (stat(path, &st) != 0) {
        if (pk) {
            cli_error(EVIDENCE_CMD_VERIFY, "%s: missing: the bundle is not signed", path);
            return CLI_EXIT_MISMATCH;
        }
        return 0;
    }
    json_t *env = NULL;
    int rc = bundle_load_json(EVIDENCE_CMD_VERIFY, path, &env);
    if (rc != 0)
        return rc;
    const char *payload = json_string_value(json_object_get(env, "payload"));
    const char *type = json_string_value(json_object_get(env, "payloadType"));
    const json_t *sigs = json_object_get(env, "signatures");
    size_t plen = payload ? strlen(payload) : 0;
    unsigned char *body = malloc(plen + 1);
    size_t body_len = 0;
    if (!payload || !type || !json_is_array(sigs) || json_array_size(sigs) == 0 || !body ||
        sodium_base642bin(body, plen + 1, payload, plen, NULL, &body_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        cli_error(EVIDENCE_CMD_VERIFY,
                  "%s: not a DSSE envelope (\"payload\" in base64, \"payloadType\", \"signatures\")", path);
        rc = CLI_EXIT_DATA;
    }
    if (rc == 0 && strcmp(type, EVIDENCE_DSSE_PAYLOAD_TYPE) != 0) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: payloadType is \"%s\", not \"%s\"", path, type,
                  EVIDENCE_DSSE_PAYLOAD_TYPE);
        rc = CLI_EXIT_MISMATCH;
    }
    char spath[EVIDENCE_PATH_BYTES_MAX + 64];
    snprintf(spath, sizeof spath, "%s/%s", dir, BUNDLE_STATEMENT);
    char *stext = NULL;
    size_t slen = 0;
    if (rc == 0 && bundle_read_file(spath, &stext, &slen) != 0) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: %s", spath, strerror(errno));
        rc = CLI_EXIT_IO;
    }
    if (rc == 0 && (slen != body_len || memcmp(stext, body, slen) != 0)) {
        cli_error(EVIDENCE_CMD_VERIFY, "%s: its payload is not the bytes of %s", BUNDLE_DSSE,
                  BUNDLE_STATEMENT);
        rc = CLI_EXIT_MISMATCH;
    }
    if (rc == 0 && pk) {
        size_t pae_len = 0;
        unsigned char *pae = evidence_dsse_pae(type, body, body_len, &pae_len);
        int good = 0;
        size_t i;
        json_t *s;
        json_array_foreach(sigs, i, s)
        {
            const char *sig64 = json_string_value(json_object_get(s, "sig"));
            uint8_t sig[QFS_SIGNATURE_BYTES];
            size_t sig_len = 0;
            if (pae && sig64 &&
                sodium_base642bin(sig, sizeof sig, sig64, strlen(sig64), NULL, &sig_len, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) == 0 &&
                sig_len == sizeof sig && qfs_auth_verify(pk, pae, pae_len, sig))
                good = 1;
        }
        free(pae);
        char hex[2 * QFS_PUBLIC_KEY_BYTES + 1];
        keyfile_hex(hex, pk->bytes);
        if (!good) {
            cli_error(EVIDENCE_CMD_VERIFY, "%s: no signature by key %s verifies", BUNDLE_DSSE, hex);
            rc = CLI_EXIT_MISMATCH;
        } else {
            *checked = 1;
        }
    }
    if (rc == 0 && !pk)
        *checked = -1; /* signed, not checked */
    free(stext);
    free(body);
    json_decref(env);
    return rc;
}

static int evidence_verify(const char *dir, const char *log, const char *pubkey_path)
{
    qfs_public_key pk;
    int rc = pubkey_path ? read_pubkey(pubkey_path, &pk) : 0;
    if (rc == 0)
        rc = check_complete(dir);
    if (rc != 0)
        return rc;
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir || strlen(tmpdir) > EVIDENCE_PATH_BYTES_MAX - 64)
        tmpdir = "/tmp";
    char tmp[EVIDENCE_PATH_BYTES_MAX];
    snprintf(tmp, sizeof tmp, "%s/qfs-evidence-verify-XXXXXX", tmpdir);
    if (!mkdtemp(tmp)) {
        cli_error(EVIDENCE_CMD_VERIFY, "cannot create a temporary directory in %s: %s", tmpdir,
                  strerror(errno));
        return CLI_EXIT_IO;
    }
    evidence_cleanup_arm(tmp);
    report r;
    char trace_hex[EVIDENCE_SHA256_HEX_LEN + 1];
    rc = evidence_derive(EVIDENCE_CMD_VERIFY, log, tmp, &r, trace_hex, NULL);
    /* The re-derived files, byte for byte, in the bundle's order. */
    for (size_t i = 0; rc == 0 && i < BUNDLE_FILES; i++) {
        const char *name = BUNDLE_FILE_NAMES[i];
        if (strcmp(name, BUNDLE_CONSISTENCY) == 0 || strcmp(name, BUNDLE_STATEMENT) == 0)
            continue;
        char pa[EVIDENCE_PATH_BYTES_MAX + 64], pb[EVIDENCE_PATH_BYTES_MAX + 64];
        snprintf(pa, sizeof pa, "%s/%s", dir, name);
        snprintf(pb, sizeof pb, "%s/%s", tmp, name);
        bundle_diff d;
        int c = bundle_compare(EVIDENCE_CMD_VERIFY, pa, pb, strcmp(name, "trace.jsonl") == 0, &d);
        if (c == 1) {
            char text[BUNDLE_PATH_BYTES_MAX + 256];
            bundle_diff_text(&d, text, sizeof text);
            cli_error(EVIDENCE_CMD_VERIFY, "%s: differs at %s", name, text);
            rc = CLI_EXIT_MISMATCH;
        } else if (c != 0) {
            rc = c;
        }
        bundle_diff_clear(&d);
    }
    evidence_cleanup_block(1);
    bundle_remove_dir(tmp);
    evidence_cleanup_disarm();
    evidence_cleanup_block(0);
    int first = 1;
    if (rc == 0) {
        char path[EVIDENCE_PATH_BYTES_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_CONSISTENCY);
        json_t *have = NULL, *want = NULL;
        rc = bundle_load_json(EVIDENCE_CMD_VERIFY, path, &have);
        if (rc == 0)
            rc = expected_consistency(path, have, &r, &want);
        if (rc == 0)
            rc = compare_with(dir, BUNDLE_CONSISTENCY, want, &first);
        json_decref(have);
        json_decref(want);
    }
    if (rc == 0) {
        /* The digests are those of the bundle's own files, which match the
         * re-derived ones by now (replay_consistency.json up to its build). */
        json_t *want = evidence_statement_json(EVIDENCE_CMD_VERIFY, log, dir, &r, NULL);
        rc = want ? compare_with(dir, BUNDLE_STATEMENT, want, &first) : CLI_EXIT_IO;
        json_decref(want);
    }
    int checked = 0;
    if (rc == 0)
        rc = check_dsse(dir, pubkey_path ? &pk : NULL, &checked);
    if (rc != 0)
        return rc;
    printf("%s: every artifact matches %s (state hash %s, %llu events)\n", dir, evidence_log_name(log),
           r.state_hex, (unsigned long long)r.events);
    if (checked > 0) {
        char hex[2 * QFS_PUBLIC_KEY_BYTES + 1];
        keyfile_hex(hex, pk.bytes);
        printf("signature: good (statement.dsse.json, key %s)\n", hex);
    } else if (checked < 0)
        printf("signature: not checked (statement.dsse.json is signed; give --pubkey to check it)\n");
    else
        printf("signature: none (the bundle is not signed)\n");
    return cli_finish_stdout(EVIDENCE_CMD_VERIFY);
}

/* ---- arguments ---- */

int cmd_evidence_verify(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    const char *pubkey = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(EVIDENCE_HELP, stdout);
            return cli_finish_stdout(EVIDENCE_CMD_VERIFY);
        }
        if ((m = cli_opt_value(EVIDENCE_CMD_VERIFY, argc, argv, &i, "--pubkey", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            pubkey = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(EVIDENCE_CMD, "unknown option '%s'", argv[i]);
        } else if (!pos[0]) {
            pos[0] = argv[i];
        } else if (!pos[1]) {
            pos[1] = argv[i];
        } else {
            return cli_usage_error(EVIDENCE_CMD, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!pos[1])
        return cli_usage_error(EVIDENCE_CMD, "verify needs DIR and LOG");
    if (strlen(pos[0]) > EVIDENCE_PATH_BYTES_MAX || strlen(pos[1]) > EVIDENCE_PATH_BYTES_MAX)
        return cli_usage_error(EVIDENCE_CMD, "path too long");
    if (bundle_is_name(evidence_log_name(pos[1])))
        return cli_usage_error(EVIDENCE_CMD, "LOG may not be named like a bundle file ('%s')",
                               evidence_log_name(pos[1]));
    return evidence_verify(pos[0], pos[1], pubkey);
}
