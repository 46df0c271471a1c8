/* qfs serve LOG [--listen HOST:PORT]: follows a log that other processes
 * append to and serves its current state over HTTP (docs/SERVE.md).
 *
 * One thread follows the log: it keeps one reader open, applies the records
 * writers complete, and after each batch renders every endpoint's body into
 * a snapshot that replaces the previous one. The HTTP thread only copies the
 * bytes of the current snapshot, so a response never sees a state that is
 * half-way through a batch, and no request waits for the fold. */
#include "metrics.h"

#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef QFS_VERSION_STRING
#define QFS_VERSION_STRING "0.0.0"
#endif

#define SERVE_CMD "serve"
#define SERVE_DEFAULT_LISTEN "127.0.0.1:9464"
/* How often the log is looked at for new records when it has none. */
#define SERVE_POLL_NS 200000000L
/* Events applied before the endpoints are rendered again while catching up:
 * a long log becomes visible in steps instead of only at its end. */
#define SERVE_BATCH_EVENTS 65536u
/* Connection bounds: a scraper and a few people with curl, not the world. */
#define SERVE_CONNECTIONS_MAX 64u
#define SERVE_CONNECTIONS_PER_IP_MAX 32u
#define SERVE_CONNECTION_MEMORY_BYTES ((size_t)16 << 10) /* request line and headers */
#define SERVE_CONNECTION_TIMEOUT_S 10u

static const char HELP[] =
    "usage: qfs serve LOG [--listen HOST:PORT]\n"
    "\n"
    "Follows LOG while other processes append to it ('qfs append'), applying only\n"
    "the records added since it last looked (every 200 ms), and serves the state\n"
    "after the last whole record over HTTP, read-only (GET and HEAD):\n"
    "  /metrics            Prometheus text exposition (as 'qfs metrics')\n"
    "  /healthz            200 \"ok ...\" with the head; 503 with the reason when\n"
    "                      the log is corrupt (the state stays at the last good event)\n"
    "  /state[?module=M]   canonical JSON, byte-equal to 'qfs state LOG [--module M]'\n"
    "  /hash               state hash, events, head index and chain head as JSON\n"
    "  /evidence           the head's evidence summary as JSON (docs/SERVE.md)\n"
    "A torn last record (a write in progress) is waited out. SIGTERM or SIGINT\n"
    "stop the server; it exits 0.\n"
    "\n"
    "options:\n"
    "  --listen HOST:PORT  IPv4 address and port to listen on (default\n"
    "                      " SERVE_DEFAULT_LISTEN "; port 0 picks a free port). The\n"
    "                      address and port in use are printed on standard error.\n"
    "\n"
    "exit codes: 0 stopped by a signal, 2 usage, 65 not a log of this schema,\n"
    "            74 I/O error (log unreadable, address in use)\n";

/* Every endpoint's body for one head. Immutable once published; freed when
 * the last reader lets go of it. */
typedef struct snapshot {
    unsigned refs; /* under serve_lock */
    int healthy;
    char *health; /* /healthz body */
    char *metrics;
    size_t metrics_len;
    char *state; /* /state */
    size_t state_len;
    char *module[16]; /* /state?module=, in qfs_state_module_name order */
    size_t module_len[16];
    char *hash; /* /hash */
    char *evidence;
} snapshot;

static pthread_mutex_t serve_lock = PTHREAD_MUTEX_INITIALIZER;
static snapshot *serve_current;
static volatile sig_atomic_t serve_stop;

static void on_signal(int sig)
{
    (void)sig;
    serve_stop = 1;
}

static void snapshot_free(snapshot *s)
{
    if (!s)
        return;
    free(s->health);
    free(s->metrics);
    free(s->state);
    for (size_t i = 0; i < sizeof s->module / sizeof s->module[0]; i++)
        free(s->module[i]);
    free(s->hash);
    free(s->evidence);
    free(s);
}

static snapshot *snapshot_get(void)
{
    pthread_mutex_lock(&serve_lock);
    snapshot *s = serve_current;
    if (s)
        s->refs++;
    pthread_mutex_unlock(&serve_lock);
    return s;
}

static void snapshot_put(snapshot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&serve_lock);
    unsigned left = --s->refs;
    pthread_mutex_unlock(&serve_lock);
    if (left == 0)
        snapshot_free(s);
}

static void snapshot_publish(snapshot *s)
{
    s->refs = 1;
    pthread_mutex_lock(&serve_lock);
    snapshot *old = serve_current;
    serve_current = s;
    pthread_mutex_unlock(&serve_lock);
    snapshot_put(old);
}

/* malloc'd printf; NULL when out of memory. */
static char *fmt_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_alloc(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* The follower: the open log, the state and what the endpoints report. */
typedef struct follower {
    const char *path;
    const char *log_name;
    qfs_log_reader *reader;
    qfs_arena *arena;
    qfs_state *state;
    uint64_t by_code[QFS_REJECT_CODE_MAX + 1];
    metrics_tallies tallies; /* proposals tallied since the genesis */
    int frozen;              /* corruption (or an I/O or state error) was met */
    char reason[512];        /* why, for /healthz */
    int torn;                /* the last look ended in a torn record */
    uint64_t rendered;       /* events in the published snapshot (UINT64_MAX: none yet) */
} follower;

/* "ok" or the reason, then the head. */
static snapshot *follower_render(const follower *f)
{
    snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    uint64_t events = qfs_state_event_count(f->state);
    qfs_hash128 root, chain, schema;
    qfs_state_hash(f->state, &root);
    qfs_log_reader_chain_head(f->reader, &chain);
    qfs_log_reader_schema(f->reader, &schema);
    char root_hex[QFS_HASH128_HEX_LEN + 1], chain_hex[QFS_HASH128_HEX_LEN + 1],
        schema_hex[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(&root, root_hex);
    qfs_hash128_hex(&chain, chain_hex);
    qfs_hash128_hex(&schema, schema_hex);
    /* head_index is null in JSON for an empty log: no event is the head. */
    char head[24];
    if (events)
        snprintf(head, sizeof head, "%llu", (unsigned long long)(events - 1));
    else
        snprintf(head, sizeof head, "null");
    s->healthy = !f->frozen;
    if (f->frozen)
        s->health = fmt_alloc("corrupt: %s; state frozen at %llu events, head %s, chain head %s\n", f->reason,
                              (unsigned long long)events, head, chain_hex);
    else
        s->health = fmt_alloc("ok %llu events, head %s, chain head %s%s\n", (unsigned long long)events, head,
                              chain_hex, f->torn ? " (waiting for a torn last record)" : "");
    /* Sorted keys, compact, as the other JSON qfs writes. */
    s->hash = fmt_alloc("{\"chain_head\":\"%s\",\"events\":%llu,\"head_index\":%s,\"state_hash\":\"%s\"}\n",
                        chain_hex, (unsigned long long)events, head, root_hex);
    s->evidence =
        fmt_alloc("{\"chain_head\":\"%s\",\"epoch\":%llu,\"events\":%llu,\"head_index\":%s,\"healthy\":%s,"
                  "\"log\":\"%s\",\"log_format\":%d,\"qfs_version\":\"%s\",\"rejected\":%llu,"
                  "\"schema\":\"%s\",\"state_hash\":\"%s\"}\n",
                  chain_hex, (unsigned long long)qfs_state_epoch(f->state), (unsigned long long)events, head,
                  f->frozen ? "false" : "true", f->log_name, QFS_LOG_FORMAT_VERSION, QFS_VERSION_STRING,
                  (unsigned long long)qfs_state_rejected_count(f->state), schema_hex, root_hex);
    metrics_input in = {.state = f->state,
                        .events = events,
                        .by_code = f->by_code,
                        .head_index = events ? events - 1 : 0,
                        .tallies = &f->tallies};
    int ok = s->health && s->hash && s->evidence &&
             metrics_render(&in, &s->metrics, &s->metrics_len) == QFS_OK &&
             qfs_state_to_json(f->state, NULL, &s->state, &s->state_len) == QFS_OK;
    size_t modules = qfs_state_module_count();
    QFS_ASSERT(modules <= sizeof s->module / sizeof s->module[0]);
    for (size_t i = 0; ok && i < modules; i++)
        ok =
            qfs_state_to_json(f->state, qfs_state_module_name(i), &s->module[i], &s->module_len[i]) == QFS_OK;
    if (!ok) {
        snapshot_free(s);
        return NULL;
    }
    return s;
}

/* Freezes the follower with the reason `err` and `diag` give. */
static void follower_freeze(follower *f, qfs_err err, const qfs_diag *d)
{
    f->frozen = 1;
    size_t n = 0;
    n += (size_t)snprintf(f->reason, sizeof f->reason, "%s", qfs_err_str(err));
    if (d && d->has_byte_offset && n < sizeof f->reason)
        n += (size_t)snprintf(f->reason + n, sizeof f->reason - n, ": byte offset %llu",
                              (unsigned long long)d->byte_offset);
    if (d && d->has_event_index && n < sizeof f->reason)
        n += (size_t)snprintf(f->reason + n, sizeof f->reason - n, ": event %llu",
                              (unsigned long long)d->event_index);
    if (d && d->message[0] && n < sizeof f->reason)
        snprintf(f->reason + n, sizeof f->reason - n, ": %s", d->message);
    cli_error(SERVE_CMD, "%s: %s; serving the state after the last good event", f->path, f->reason);
}

/* Applies up to SERVE_BATCH_EVENTS new events. Returns 1 when the log may
 * hold more right now (call again), 0 when it ended (clean, torn or frozen). */
static int follower_step(follower *f)
{
    for (unsigned k = 0; k < SERVE_BATCH_EVENTS; k++) {
        qfs_event ev;
        uint64_t index;
        qfs_diag diag;
        qfs_arena_reset(f->arena);
        qfs_err err = cli_read_event(f->reader, f->arena, &ev, &index, &diag);
        if (err == QFS_E_EOF || err == QFS_E_TORN) {
            /* The reader stays after the last whole record: a torn record
             * is a write in progress (or one a crash left, which the next
             * 'qfs append' repairs), so it is looked at again later. */
            f->torn = err == QFS_E_TORN;
            return 0;
        }
        if (err != QFS_OK) {
            follower_freeze(f, err, &diag);
            return 0;
        }
        f->torn = 0;
        qfs_receipt receipt = {0};
        err = qfs_state_apply(f->state, &ev, &receipt);
        if (err != QFS_OK) {
            /* The state may not be used after an apply error: the last
             * published snapshot stays, with the reason. */
            qfs_diag_clear(&diag);
            qfs_diag_set_event(&diag, index);
            qfs_diag_set(&diag, "the state machine cannot apply this event");
            follower_freeze(f, err, &diag);
            return -1;
        }
        f->by_code[receipt.code <= QFS_REJECT_CODE_MAX ? receipt.code : 0]++;
        metrics_tallies_observe(&f->tallies, f->state);
    }
    return 1;
}

/* Publishes a new snapshot when something changed. After an apply error
 * only the health changes: the bodies of the last snapshot are kept. */
static void follower_publish(follower *f, int state_broken)
{
    uint64_t events = qfs_state_event_count(f->state);
    snapshot *prev = snapshot_get();
    int changed = !prev || events != f->rendered || prev->healthy != !f->frozen ||
                  (prev->healthy && (strstr(prev->health, "torn") != NULL) != f->torn);
    if (!changed) {
        snapshot_put(prev);
        return;
    }
    snapshot *s = NULL;
    if (state_broken && prev) {
        s = calloc(1, sizeof *s);
        if (s) {
            s->healthy = 0;
            s->health = fmt_alloc("corrupt: %s\n", f->reason);
            s->metrics = malloc(prev->metrics_len + 1);
            s->state = malloc(prev->state_len + 1);
            s->hash = fmt_alloc("%s", prev->hash);
            s->evidence = fmt_alloc("%s", prev->evidence);
            int ok = s->health && s->metrics && s->state && s->hash && s->evidence;
            for (size_t i = 0; ok && i < qfs_state_module_count(); i++) {
                s->module[i] = malloc(prev->module_len[i] + 1);
                ok = s->module[i] != NULL;
                if (ok) {
                    memcpy(s->module[i], prev->module[i], prev->module_len[i] + 1);
                    s->module_len[i] = prev->module_len[i];
                }
            }
            if (ok) {
                memcpy(s->metrics, prev->metrics, prev->metrics_len + 1);
                s->metrics_len = prev->metrics_len;
                memcpy(s->state, prev->state, prev->state_len + 1);
                s->state_len = prev->state_len;
            } else {
                snapshot_free(s);
                s = NULL;
            }
        }
    } else if (!state_broken) {
        s = follower_render(f);
    }
    int had_prev = prev != NULL;
    snapshot_put(prev);
    if (!s) {
        /* The very first event could not be applied: there is nothing to
         * serve, and every request gets 503 (the reason is on stderr). */
        if (state_broken && !had_prev)
            return;
        cli_error(SERVE_CMD, "out of memory rendering the endpoints; the previous ones stay");
        return;
    }
    f->rendered = events;
    snapshot_publish(s);
}

/* ---- HTTP ------------------------------------------------------------ */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
                             size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)version;
    (void)upload_data;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        /* A body is never read: the reply goes out at once and MHD closes the
         * connection rather than take the rest. */
        *upload_data_size = 0;
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: qfs serve is read-only\n");
    }
    /* The first call only announces the request (the headers are in). */
    static int first_marker;
    if (*con_cls == NULL) {
        *con_cls = &first_marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return reply_text(c, MHD_HTTP_BAD_REQUEST, "a GET carries no body\n");
    }
    snapshot *s = snapshot_get();
    if (!s)
        return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "starting\n");
    enum MHD_Result ret;
    if (strcmp(url, "/metrics") == 0) {
        ret = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", s->metrics, s->metrics_len);
    } else if (strcmp(url, "/healthz") == 0) {
        ret = reply_text(c, s->healthy ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, s->health);
    } else if (strcmp(url, "/state") == 0) {
        const char *module = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "module");
        if (!module) {
            ret = reply(c, MHD_HTTP_OK, "application/json", s->state, s->state_len);
        } else {
            size_t i = 0;
            while (i < qfs_state_module_count() && strcmp(module, qfs_state_module_name(i)) != 0)
                i++;
            if (i < qfs_state_module_count())
                ret = reply(c, MHD_HTTP_OK, "application/json", s->module[i], s->module_len[i]);
            else
                ret = reply_text(c, MHD_HTTP_BAD_REQUEST, "unknown module\n");
        }
    } else if (strcmp(url, "/hash") == 0) {
        ret = reply(c, MHD_HTTP_OK, "application/json", s->hash, strlen(s->hash));
    } else if (strcmp(url, "/evidence") == 0) {
        ret = reply(c, MHD_HTTP_OK, "application/json", s->evidence, strlen(s->evidence));
    } else {
        ret = reply_text(c, MHD_HTTP_NOT_FOUND, "not found: /metrics /healthz /state /hash /evidence\n");
    }
    snapshot_put(s);
    return ret;
}

/* Parses "A.B.C.D:PORT". 0, or a usage error. */
static int parse_listen(const char *text, struct sockaddr_in *out)
{
    const char *colon = strrchr(text, ':');
    char host[64];
    if (!colon || (size_t)(colon - text) >= sizeof host || colon == text)
        return cli_usage_error(SERVE_CMD, "--listen wants HOST:PORT with an IPv4 address, got '%s'", text);
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
        return cli_usage_error(SERVE_CMD, "--listen: '%s' is not an IPv4 address", host);
    uint64_t port;
    if (cli_parse_u64(SERVE_CMD, "--listen port", colon + 1, &port) != 0)
        return CLI_EXIT_USAGE;
    if (port > 65535)
        return cli_usage_error(SERVE_CMD, "--listen: port %llu is above 65535", (unsigned long long)port);
    out->sin_port = htons((uint16_t)port);
    return 0;
}

/* A listening TCP socket on `addr`; with port 0 the port the kernel picked
 * is written back. -1 with errno on failure. */
static int listen_socket(struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    socklen_t len = sizeof *addr;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* The HTTP library's own messages (a failed accept, a refused connection),
 * on standard error under the command's name. */
static void http_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("qfs serve: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int cmd_serve(int argc, char **argv)
{
    const char *path = NULL;
    const char *listen = SERVE_DEFAULT_LISTEN;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(HELP, stdout);
            return cli_finish_stdout(SERVE_CMD);
        }
        if ((m = cli_opt_value(SERVE_CMD, argc, argv, &i, "--listen", &v)) != 0) {
            if (m < 0)
                return CLI_EXIT_USAGE;
            listen = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(SERVE_CMD, "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error(SERVE_CMD, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path)
        return cli_usage_error(SERVE_CMD, "missing LOG");
    struct sockaddr_in addr;
    int rc = parse_listen(listen, &addr);
    if (rc != 0)
        return rc;

    follower f;
    memset(&f, 0, sizeof f);
    f.path = path;
    const char *slash = strrchr(path, '/');
    f.log_name = slash ? slash + 1 : path;
    f.rendered = UINT64_MAX;
    rc = cli_open_log(SERVE_CMD, path, &f.reader, &f.arena);
    if (rc != 0)
        return rc;
    if (qfs_state_create(&f.state, NULL) != QFS_OK) {
        qfs_arena_free(f.arena);
        qfs_log_reader_free(f.reader);
        cli_error(SERVE_CMD, "out of memory");
        return CLI_EXIT_IO;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* The log as it is now, before the first request is answered. */
    int broken = 0;
    int more;
    do {
        more = follower_step(&f);
        broken = more < 0;
        follower_publish(&f, broken);
    } while (more > 0 && !serve_stop);

    /* The socket is bound here rather than by the HTTP library, so that a
     * failure names the address and the system's reason. */
    int fd = listen_socket(&addr);
    struct MHD_Daemon *d = NULL;
    if (fd < 0) {
        cli_error(SERVE_CMD, "cannot listen on %s: %s", listen, strerror(errno));
        rc = CLI_EXIT_IO;
    } else {
        d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request,
                             NULL, MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTIONS_MAX,
                             MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTIONS_PER_IP_MAX,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, SERVE_CONNECTION_MEMORY_BYTES,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_CONNECTION_TIMEOUT_S,
                             MHD_OPTION_END);
        if (!d) {
            close(fd);
            cli_error(SERVE_CMD, "cannot start the HTTP server on %s", listen);
            rc = CLI_EXIT_IO;
        }
    }
    if (d) {
        char host[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
        cli_error(SERVE_CMD, "listening on %s:%u, %llu events, following %s", host,
                  (unsigned)ntohs(addr.sin_port), (unsigned long long)qfs_state_event_count(f.state), path);
        if ((ntohl(addr.sin_addr.s_addr) >> 24) != 127)
            cli_error(SERVE_CMD,
                      "warning: %s is not a loopback address; anyone who reaches it can read the state",
                      host);
        while (!serve_stop) {
            if (!f.frozen) {
                do {
                    more = follower_step(&f);
                    broken |= more < 0;
                    follower_publish(&f, broken);
                } while (more > 0 && !serve_stop);
            }
            struct timespec ts = {0, SERVE_POLL_NS};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(d);
        cli_error(SERVE_CMD, "stopped at %llu events", (unsigned long long)qfs_state_event_count(f.state));
    }
    pthread_mutex_lock(&serve_lock);
    snapshot *last = serve_current;
    serve_current = NULL;
    pthread_mutex_unlock(&serve_lock);
    snapshot_put(last);
    qfs_state_free(f.state);
    qfs_arena_free(f.arena);
    qfs_log_reader_free(f.reader);
    return rc;
}
