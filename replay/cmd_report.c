/* qfs report LOG|EVIDENCE_DIR -o report.html: the audit report of an
 * evidence bundle (docs/REPORT.md), one self-contained HTML page. */
#include "evidence_derive.h"
#include "report_html.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPORT_CMD "report"
#define REPORT_RUNS_DEFAULT 5

static const char REPORT_HELP[] =
    "usage: qfs report LOG|EVIDENCE_DIR -o FILE [--runs N]\n"
    "\n"
    "Writes the audit report of an evidence bundle as one self-contained HTML\n"
    "page (inline CSS and SVG charts, nothing fetched from a network, readable\n"
    "printed on A4): T2 rewards per epoch; NOD issued, cut and allocated per epoch\n"
    "and per node; Psi per validator against the slashing line; C-hat over time\n"
    "with deficit mode shaded; governance outcomes; the replay consistency result,\n"
    "the state hash and the evidence digests. Given a LOG, the bundle is first\n"
    "built in a temporary directory (as 'qfs evidence LOG' does) and removed\n"
    "afterwards. The same input gives the same bytes. docs/REPORT.md says where\n"
    "each number comes from.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  the HTML file to write (replaced whole, atomically)\n"
    "  --runs N           for a LOG: independent replays recorded in the bundle\n"
    "                     (1 to 64, default 5), as 'qfs evidence --runs'\n"
    "\n"
    "exit codes: 0 written, 2 usage, 65 a malformed bundle (a missing artifact,\n"
    "            a file that is not JSON, a field missing or of the wrong kind)\n"
    "            or a corrupt log, 74 I/O error\n";

/* Reads and parses the artifacts of `dir`; 0 or an exit code after reporting. */
static int load_bundle(const char *dir, json_t *doc[REPORT_ARTIFACTS])
{
    for (int i = 0; i < REPORT_ARTIFACTS; i++) {
        char path[EVIDENCE_PATH_BYTES_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", dir, REPORT_ARTIFACT_NAMES[i]);
        char *text = NULL;
        size_t len = 0;
        if (bundle_read_file(path, &text, &len) != 0) {
            if (errno == ENOENT) {
                cli_error(REPORT_CMD, "%s: missing from the bundle", path);
                return CLI_EXIT_DATA;
            }
            cli_error(REPORT_CMD, "%s: %s", path, strerror(errno));
            return CLI_EXIT_IO;
        }
        json_error_t je;
        doc[i] = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        free(text);
        if (!doc[i]) {
            cli_error(REPORT_CMD, "%s: line %d: not JSON: %s", path, je.line, je.text);
            return CLI_EXIT_DATA;
        }
    }
    return 0;
}

/* Writes the page to `out` through a temporary file beside it, made durable
 * and renamed over it: a reader sees the old file or the whole new one. */
static int write_atomic(const char *out, const char *data, size_t len)
{
    char tmp[EVIDENCE_PATH_BYTES_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cli_error(REPORT_CMD, "%s: cannot create a temporary file beside it: %s", out, strerror(errno));
        return CLI_EXIT_IO;
    }
    /* mkstemp makes it 0600; a report is for others to read. */
    mode_t mask = umask(0);
    umask(mask);
    int bad = fchmod(fd, 0666 & ~mask) != 0;
    while (!bad && len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            bad = 1;
            break;
        }
        data += n;
        len -= (size_t)n;
    }
    if (!bad && fsync(fd) != 0)
        bad = 1;
    int saved = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (!bad && rename(tmp, out) != 0) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        unlink(tmp);
        cli_error(REPORT_CMD, "%s: cannot write: %s", out, strerror(saved));
        return CLI_EXIT_IO;
    }
    return 0;
}

static int render(const char *dir, const char *out)
{
    json_t *doc[REPORT_ARTIFACTS] = {0};
    int rc = load_bundle(dir, doc);
    report_buf page = {0};
    char err[512] = "";
    if (rc == 0 && report_html_render(doc, &page, err, sizeof err) != 0) {
        cli_error(REPORT_CMD, "%s/%s", dir, err);
        rc = CLI_EXIT_DATA;
    }
    if (rc == 0 && page.oom) {
        cli_error(REPORT_CMD, "out of memory");
        rc = CLI_EXIT_IO;
    }
    /* SIGINT, SIGTERM and SIGHUP wait for the page to be in place (or its
     * temporary file removed): an interrupted report leaves nothing behind. */
    if (rc == 0) {
        evidence_cleanup_block(1);
        rc = write_atomic(out, page.data, page.len);
        evidence_cleanup_block(0);
    }
    free(page.data);
    for (int i = 0; i < REPORT_ARTIFACTS; i++)
        json_decref(doc[i]);
    return rc;
}

/* Builds the bundle of `log` in a fresh temporary directory, renders it and
 * removes the bundle. */
static int report_log(const char *log, const char *out, uint64_t runs)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base || strlen(base) > EVIDENCE_PATH_BYTES_MAX - 64)
        base = "/tmp";
    char tmp[EVIDENCE_PATH_BYTES_MAX];
    snprintf(tmp, sizeof tmp, "%s/qfs-report-XXXXXX", base);
    if (!mkdtemp(tmp)) {
        cli_error(REPORT_CMD, "%s: cannot create a temporary directory: %s", tmp, strerror(errno));
        return CLI_EXIT_IO;
    }
    char dir[EVIDENCE_PATH_BYTES_MAX + 16];
    snprintf(dir, sizeof dir, "%s/bundle", tmp);
    /* 1: the runs disagree; the bundle is written and the page says so. */
    int rc = evidence_bundle_create(REPORT_CMD, log, dir, runs);
    /* While the page is rendered, SIGINT, SIGTERM or SIGHUP remove the
     * bundle as they would have during its build (the empty private
     * directory around it stays behind then). */
    evidence_cleanup_arm(dir);
    if (rc == 0 || rc == CLI_EXIT_MISMATCH)
        rc = render(dir, out);
    evidence_cleanup_block(1);
    bundle_remove_dir(dir);
    evidence_cleanup_disarm();
    evidence_cleanup_block(0);
    rmdir(tmp);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    uint64_t runs = REPORT_RUNS_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(REPORT_HELP, stdout);
            return cli_finish_stdout(REPORT_CMD);
        }
        if ((m = cli_opt_value(REPORT_CMD, argc, argv, &i, "--output", &v)) != 0 ||
            (m = cli_opt_value(REPORT_CMD, argc, argv, &i, "-o", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            out = v;
        } else if ((m = cli_opt_value(REPORT_CMD, argc, argv, &i, "--runs", &v)) != 0) {
            if (m < 0 || cli_parse_u64(REPORT_CMD, "--runs", v, &runs) != 0)
                return CLI_EXIT_USAGE;
            if (runs < 1 || runs > EVIDENCE_RUNS_MAX)
                return cli_usage_error(REPORT_CMD, "--runs must be 1 to %d", EVIDENCE_RUNS_MAX);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(REPORT_CMD, "unknown option '%s'", argv[i]);
        } else if (!in) {
            in = argv[i];
        } else {
            return cli_usage_error(REPORT_CMD, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!in)
        return cli_usage_error(REPORT_CMD, "missing LOG or EVIDENCE_DIR");
    if (!out)
        return cli_usage_error(REPORT_CMD, "missing -o FILE");
    if (strlen(in) > EVIDENCE_PATH_BYTES_MAX || strlen(out) > EVIDENCE_PATH_BYTES_MAX)
        return cli_usage_error(REPORT_CMD, "path too long");
    struct stat st;
    if (stat(in, &st) != 0) {
        cli_error(REPORT_CMD, "%s: %s", in, strerror(errno));
        return CLI_EXIT_IO;
    }
    return S_ISDIR(st.st_mode) ? render(in, out) : report_log(in, out, runs);
}
