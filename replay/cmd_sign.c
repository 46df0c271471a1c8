/* qfs sign --key KEY [FILE|-] (--log LOG | --chain ID --seq N) [--signer ID]:
 * JSON Lines events in, the same events signed out. */
#include "ahead.h"
#include "fold.h"
#include "keyfile.h"
#include "line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "usage: qfs sign --key KEY [FILE|-] (--log LOG | --chain ID --seq N) [--signer ID]\n"
    "\n"
    "Reads JSON Lines events (docs/EVENTS.md; '-' or no FILE reads standard input)\n"
    "and writes each one signed: the same event with \"signer\", \"sequence\" and\n"
    "\"signature\" added, as canonical JSON, one per line, on standard output. The\n"
    "signature covers the chain id and the event (docs/EVENTS.md). If any line is\n"
    "bad, it is reported as FILE:LINE[:COLUMN]: message and nothing is written.\n"
    "Only 'qfs append' writes to a log.\n"
    "\n"
    "options:\n"
    "  --key KEY     the key file (qfs keygen) to sign with; it must be readable\n"
    "                only by its owner\n"
    "  --log LOG     take the chain id from LOG's genesis, and each signer's next\n"
    "                sequence from the state of LOG (its last accepted one + 1; 1\n"
    "                for a signer LOG does not know yet, such as a user that\n"
    "                registers itself); refuses a KEY that is not the signer's\n"
    "                current key in LOG\n"
    "  --chain ID    the chain id, with --seq instead of --log\n"
    "  --seq N       the first line's sequence (at least 1); the next lines get\n"
    "                N+1, N+2, ...\n"
    "  --signer ID   the signer of every line. By default the account the event's\n"
    "                kind names (the sender of a transfer, the validator of a\n"
    "                stake, ...); events an oracle or the authority signs, and\n"
    "                the rotation of a key holder's key, need --signer\n"
    "\n"
    "exit codes: 0 ok, 2 usage, 65 a bad line, a bad key file or an invalid log,\n"
    "            74 I/O error\n";

/* The next sequence of each signer met, under --log. */
typedef struct next_seq {
    qfs_id signer;
    uint64_t next;
} next_seq;

typedef struct signer_table {
    next_seq *items;
    size_t count, cap;
} signer_table;

/* The output, held until every line is signed. */
typedef struct outbuf {
    char *bytes;
    size_t used, cap;
} outbuf;

static int out_add(outbuf *o, const char *s, size_t len)
{
    if (o->cap - o->used < len + 1) {
        size_t ncap = o->cap ? o->cap : 1 << 16;
        while (ncap - o->used < len + 1)
            ncap *= 2;
        char *nb = realloc(o->bytes, ncap);
        if (!nb)
            return -1;
        o->bytes = nb;
        o->cap = ncap;
    }
    memcpy(o->bytes + o->used, s, len);
    o->bytes[o->used + len] = '\n';
    o->used += len + 1;
    return 0;
}

typedef struct sign_ctx {
    const char *name; /* FILE as given, or "-" */
    const char *log_path;
    const qfs_state *state; /* under --log */
    qfs_id chain;
    const qfs_id *signer; /* --signer, or NULL */
    uint64_t seq;         /* under --seq: the next line's sequence */
    signer_table table;
    qfs_public_key pk;
    uint8_t sk[QFS_SECRET_KEY_BYTES];
} sign_ctx;

/* The sequence for the next event of `signer`, or CLI_EXIT_* after
 * reporting `where`. */
static int next_sequence(sign_ctx *c, const qfs_id *signer, const char *where, uint64_t *out)
{
    if (!c->state) {
        if (c->seq == 0) {
            fprintf(stderr, "%s: the sequence passed 2^64 - 1\n", where);
            return CLI_EXIT_DATA;
        }
        *out = c->seq++;
        return 0;
    }
    next_seq *e = NULL;
    for (size_t i = 0; i < c->table.count && !e; i++)
        if (qfs_id_eq(&c->table.items[i].signer, signer))
            e = &c->table.items[i];
    if (!e) {
        uint64_t last = 0;
        qfs_err err = qfs_state_signer_sequence(c->state, signer, &last);
        if (err == QFS_OK) {
            qfs_public_key key;
            if (qfs_state_signer_key(c->state, signer, &key) != QFS_OK ||
                memcmp(key.bytes, c->pk.bytes, sizeof key.bytes) != 0) {
                fprintf(stderr, "%s: the key is not the current key of %.*s in %s\n", where, (int)signer->len,
                        signer->bytes, c->log_path);
                return CLI_EXIT_DATA;
            }
        }
        if (c->table.count == c->table.cap) {
            size_t ncap = c->table.cap ? c->table.cap * 2 : 8;
            next_seq *ni = realloc(c->table.items, ncap * sizeof *ni);
            if (!ni) {
                cli_error("sign", "out of memory");
                return CLI_EXIT_IO;
            }
            c->table.items = ni;
            c->table.cap = ncap;
        }
        e = &c->table.items[c->table.count++];
        e->signer = *signer;
        e->next = last + 1; /* a sequence of UINT64_MAX wraps to 0: refused below */
    }
    if (e->next == 0) {
        fprintf(stderr, "%s: the sequence of %.*s passed 2^64 - 1\n", where, (int)signer->len, signer->bytes);
        return CLI_EXIT_DATA;
    }
    *out = e->next++;
    return 0;
}

/* Signs one line into `out`; 0, or an exit code after reporting. */
static int sign_line(sign_ctx *c, const char *line, size_t len, uint64_t line_no, qfs_arena *arena,
                     outbuf *out)
{
    char where[512];
    snprintf(where, sizeof where, "%s:%llu", c->name, (unsigned long long)line_no);
    qfs_event ev;
    qfs_diag diag;
    qfs_diag_clear(&diag);
    qfs_arena_reset(arena);
    qfs_err err = memchr(line, '\0', len) ? QFS_E_PARSE : qfs_json_parse_event(&ev, line, len, arena, &diag);
    if (err == QFS_E_NOMEM) {
        cli_error("sign", "%s: out of memory", where);
        return CLI_EXIT_IO;
    }
    if (err != QFS_OK) {
        const char *msg = diag.message[0] ? diag.message : "line contains a NUL byte";
        if (diag.has_line && diag.column > 0)
            fprintf(stderr, "%s:%llu: %s\n", where, (unsigned long long)diag.column, msg);
        else
            fprintf(stderr, "%s: %s\n", where, msg);
        return CLI_EXIT_DATA;
    }
    if (ev.kind == QFS_EVENT_GENESIS) {
        fprintf(stderr, "%s: a genesis is never signed\n", where);
        return CLI_EXIT_DATA;
    }
    if (ev.signer.len > 0 || ev.sequence != 0 || ev.has_signature) {
        fprintf(stderr, "%s: the event already has a signer, sequence or signature\n", where);
        return CLI_EXIT_DATA;
    }
    const qfs_id *signer = c->signer ? c->signer : qfs_auth_acting_account(&ev);
    if (!signer) {
        fprintf(stderr, "%s: a key holder (an oracle or the authority) signs %s events: give --signer\n",
                where, qfs_event_kind_name(ev.kind));
        return CLI_EXIT_DATA;
    }
    qfs_id who = *signer; /* the event is about to be rewritten */
    uint64_t seq = 0;
    int rc = next_sequence(c, &who, where, &seq);
    if (rc != 0)
        return rc;
    err = qfs_auth_sign_event(&ev, &who, seq, &c->chain, c->sk);
    if (err != QFS_OK) {
        fprintf(stderr, "%s: cannot sign the event (%s)\n", where, qfs_err_str(err));
        return cli_exit_for(err) == CLI_EXIT_IO ? CLI_EXIT_IO : CLI_EXIT_DATA;
    }
    char *text = NULL;
    size_t text_len = 0;
    err = qfs_json_format_event(&text, &text_len, &ev);
    if (err != QFS_OK || out_add(out, text, text_len) != 0) {
        free(text);
        cli_error("sign", "%s: out of memory", where);
        return CLI_EXIT_IO;
    }
    free(text);
    return 0;
}

static int sign_stream(sign_ctx *c, FILE *in, outbuf *out)
{
    qfs_arena *arena = NULL;
    line_reader *lr = calloc(1, sizeof *lr);
    if (!lr || qfs_arena_create(&arena, 1 << 16) != QFS_OK) {
        free(lr);
        cli_error("sign", "out of memory");
        return CLI_EXIT_IO;
    }
    lr->in = in;
    const size_t line_max = QFS_JSON_LINE_BYTES_MAX + 1;
    uint64_t line_no = 0;
    int rc = 0;
    for (;;) {
        errno = 0;
        uint64_t line_bytes = 0;
        int got = line_next(lr, line_max, &line_bytes);
        if (got < 0) {
            cli_error("sign", "%s: read error after line %llu: %s", c->name, (unsigned long long)line_no,
                      strerror(errno));
            rc = CLI_EXIT_IO;
            break;
        }
        if (got == 0)
            break;
        line_no++;
        if (line_bytes > line_max) {
            fprintf(stderr, "%s:%llu: line is %llu bytes (at most %zu)\n", c->name,
                    (unsigned long long)line_no, (unsigned long long)line_bytes, QFS_JSON_LINE_BYTES_MAX);
            rc = CLI_EXIT_DATA;
            break;
        }
        size_t len = lr->len;
        if (len > 0 && lr->line[len - 1] == '\r')
            len--;
        size_t first = 0;
        while (first < len && (lr->line[first] == ' ' || lr->line[first] == '\t'))
            first++;
        if (first == len)
            continue;
        if ((rc = sign_line(c, lr->line, len, line_no, arena, out)) != 0)
            break;
    }
    free(lr->line);
    free(lr);
    qfs_arena_free(arena);
    return rc;
}

int cmd_sign(int argc, char **argv)
{
    const char *key_path = NULL, *in_path = NULL, *log_path = NULL, *chain_text = NULL, *signer_text = NULL;
    uint64_t seq = 0;
    int have_seq = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout("sign");
        }
        if ((m = cli_opt_value("sign", argc, argv, &i, "--key", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            key_path = v;
        } else if ((m = cli_opt_value("sign", argc, argv, &i, "--log", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            log_path = v;
        } else if ((m = cli_opt_value("sign", argc, argv, &i, "--chain", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            chain_text = v;
        } else if ((m = cli_opt_value("sign", argc, argv, &i, "--signer", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            signer_text = v;
        } else if ((m = cli_opt_value("sign", argc, argv, &i, "--seq", &v)) != 0) {
            if (m < 0 || cli_parse_u64("sign", "--seq", v, &seq) != 0)
                return CLI_EXIT_USAGE;
            have_seq = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("sign", "unknown option '%s'", argv[i]);
        } else if (!in_path) {
            in_path = argv[i];
        } else {
            return cli_usage_error("sign", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!key_path)
        return cli_usage_error("sign", "missing --key KEY");
    if (log_path && (have_seq || chain_text))
        return cli_usage_error("sign",
                               "--log takes the chain id and sequences from LOG: not with --chain or --seq");
    if (!log_path && !(have_seq && chain_text))
        return cli_usage_error("sign", "give --log LOG, or --chain ID and --seq N");
    if (have_seq && seq == 0)
        return cli_usage_error("sign", "--seq must be at least 1 (0 means not signed)");

    sign_ctx c;
    memset(&c, 0, sizeof c);
    c.name = in_path && strcmp(in_path, "-") != 0 ? in_path : "-";
    c.log_path = log_path;
    c.seq = seq;
    qfs_id signer;
    if (signer_text) {
        if (qfs_id_set(&signer, signer_text, strlen(signer_text)) != QFS_OK)
            return cli_usage_error("sign", "--signer: '%s' is not an id (1-64 bytes of A-Z a-z 0-9 . _ : -)",
                                   signer_text);
        c.signer = &signer;
    }
    if (chain_text && qfs_id_set(&c.chain, chain_text, strlen(chain_text)) != QFS_OK)
        return cli_usage_error("sign", "--chain: '%s' is not an id (1-64 bytes of A-Z a-z 0-9 . _ : -)",
                               chain_text);

    int rc = keyfile_read("sign", key_path, &c.pk, c.sk);
    if (rc != 0)
        return rc;
    qfs_state *state = NULL;
    if (log_path) {
        /* The log's state, its signatures verified on every core. */
        ahead *a = NULL;
        qfs_err err = ahead_create(&a, ahead_default_threads());
        qfs_state_options opt = {.verify_hint = ahead_hint, .verify_ctx = a};
        if (err == QFS_OK)
            err = qfs_state_create(&state, &opt);
        if (err != QFS_OK) {
            rc = cli_fail("sign", log_path, err, NULL);
        } else {
            fold_result fr;
            rc = fold_log("sign", log_path, state, UINT64_MAX, NULL, a, &fr);
        }
        ahead_free(a);
        if (rc == 0 && qfs_state_chain_id(state, &c.chain) != QFS_OK) {
            cli_error("sign", "%s: the log has no accepted genesis", log_path);
            rc = CLI_EXIT_DATA;
        }
        if (rc == 0 && qfs_state_auth_mode(state) != QFS_AUTH_ED25519) {
            cli_error("sign",
                      "%s: the log is not authenticated (its genesis names \"authentication\": \"%s\"), "
                      "so its events are not signed",
                      log_path, qfs_auth_mode_name(qfs_state_auth_mode(state)));
            rc = CLI_EXIT_DATA;
        }
        c.state = state;
    }
    FILE *in = stdin;
    if (rc == 0 && strcmp(c.name, "-") != 0) {
        in = fopen(c.name, "r");
        if (!in) {
            cli_error("sign", "%s: %s", c.name, strerror(errno));
            rc = CLI_EXIT_IO;
        }
    }
    outbuf out = {0};
    if (rc == 0) {
        rc = sign_stream(&c, in, &out);
        if (in != stdin)
            fclose(in);
    }
    qfs_auth_wipe(c.sk, sizeof c.sk);
    qfs_state_free(state);
    free(c.table.items);
    if (rc == 0)
        rc = cli_write_stdout("sign", out.bytes, out.used);
    free(out.bytes);
    int flush_rc = cli_finish_stdout("sign");
    return rc != 0 ? rc : flush_rc;
}
