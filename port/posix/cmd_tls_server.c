/* `captls tls-server` — see cmd_tls_server.h for the contract. */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "port/posix/cmd_tls_server.h"
#include "port/posix/tls_store_identity.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/base/sanitize.h"
#include "core/tls/ticket_key.h"
#include "core/tls/tls.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_driver.h"
#include "port/posix/tls_options.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define REQ_MAX 8192u           /* --www: largest request head read */
#define LINGER_MS 5000u         /* after our close_notify */
#define DEFAULT_MAX_CONNS 64u
#define MAX_CONNS_LIMIT 1000u   /* poll set and fds stay modest */
#define TICKET_LIFETIME_S 7200u /* RFC 8446 §4.6.1 allows up to 7 days */

typedef enum { MODE_NONE, MODE_ECHO, MODE_WWW } serve_mode;

typedef struct server_opts {
    const char *listen, *cert, *key, *client_ca, *port_file;
    const char *ocsp;           /* --ocsp: a DER OCSPResponse to staple */
    const char *store, *handle; /* --store/--handle: tls_store_identity.h */
    bool require_client_cert, quiet;
    serve_mode mode;
    unsigned long tickets, max_conns, hs_timeout_s;
    captls_tlsopt_common common;
} server_opts;

typedef struct srv_conn {
    bool used;
    unsigned long id;
    captls_tlsd_link link;
    char peer[64];
    uint64_t accepted_ms;
    uint64_t close_ms;        /* when our close_notify was queued */
    bool hs_reported, key_update_sent, close_queued, failed_logged;
    /* --www */
    char req[REQ_MAX];
    size_t req_len;
    bool req_done;
    char *resp;
    size_t resp_len, resp_off;
} srv_conn;

static volatile sig_atomic_t stop_requested;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    (void)sig;
    stop_requested = 1;
    if (wake_pipe[1] >= 0) {
        char c = 1;
        if (write(wake_pipe[1], &c, 1) < 0) {
            /* the pipe is full: a wake-up is already pending */
        }
    }
    errno = saved;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void usage(void)
{
    fprintf(stderr, "usage: captls tls-server %s\n", CAPTLS_CMD_TLS_SERVER_ARGS);
}

static int setup_error(const char *msg)
{
    fprintf(stderr, "error: %s\n", msg);
    return EXIT_USAGE;
}

static int usage_error(const char *what, const char *arg)
{
    char shown[96];
    (void)captls_sanitize((const uint8_t *)arg, strlen(arg), shown,
                          sizeof(shown));
    fprintf(stderr, "error: %s '%s'\n", what, shown);
    usage();
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, server_opts *o)
{
    char err[CAPTLS_TLSOPT_ERR];

    memset(o, 0, sizeof(*o));
    o->tickets = 2;
    o->max_conns = DEFAULT_MAX_CONNS;
    o->hs_timeout_s = 10;
    captls_tlsopt_common_init(&o->common);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **str = NULL;
        int used = captls_tlsopt_common_option(&o->common, a, v, err,
                                               sizeof(err));
        if (used < 0) {
            fprintf(stderr, "error: %s\n", err);
            return EXIT_USAGE;
        }
        if (used > 0) {
            i += used - 1;
            continue;
        }
        if (strcmp(a, "--echo") == 0 || strcmp(a, "--www") == 0) {
            serve_mode m = a[2] == 'e' ? MODE_ECHO : MODE_WWW;
            if (o->mode != MODE_NONE && o->mode != m)
                return usage_error("--echo and --www are exclusive", a);
            o->mode = m;
            continue;
        }
        if (strcmp(a, "--require-client-cert") == 0) {
            o->require_client_cert = true;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(a, "--listen") == 0)
            str = &o->listen;
        else if (strcmp(a, "--cert") == 0)
            str = &o->cert;
        else if (strcmp(a, "--key") == 0)
            str = &o->key;
        else if (strcmp(a, "--client-ca") == 0)
            str = &o->client_ca;
        else if (strcmp(a, "--port-file") == 0)
            str = &o->port_file;
        else if (strcmp(a, "--ocsp") == 0)
            str = &o->ocsp;
        else if (strcmp(a, "--store") == 0)
            str = &o->store;
        else if (strcmp(a, "--handle") == 0)
            str = &o->handle;
        if (str != NULL) {
            if (v == NULL)
                return usage_error("missing value for", a);
            *str = v;
            i++;
            continue;
        }
        if (strcmp(a, "--tickets") == 0 || strcmp(a, "--max-conns") == 0 ||
            strcmp(a, "--handshake-timeout") == 0) {
            unsigned long *dst = a[2] == 't' ? &o->tickets
                                 : a[2] == 'm' ? &o->max_conns
                                               : &o->hs_timeout_s;
            unsigned long hi = a[2] == 't' ? 4 : a[2] == 'm' ? MAX_CONNS_LIMIT
                                                             : 3600;
            unsigned long lo = a[2] == 't' ? 0 : 1;
            if (v == NULL)
                return usage_error("missing value for", a);
            if (!captls_tlsopt_parse_uint(v, lo, hi, dst)) {
                char what[64];
                snprintf(what, sizeof(what), "%s wants %lu..%lu, not", a, lo,
                         hi);
                return usage_error(what, v);
            }
            i++;
            continue;
        }
        return usage_error("unknown option", a);
    }
    if (o->listen == NULL)
        return usage_error("missing", "--listen HOST:PORT");
    {
        char host[256], port[8];
        if (!captls_tlsopt_split_hostport(o->listen, host, sizeof(host), port,
                                          sizeof(port), err, sizeof(err))) {
            fprintf(stderr, "error: --listen: %s\n", err);
            return EXIT_USAGE;
        }
    }
    if ((o->store != NULL) != (o->handle != NULL))
        return usage_error("--store and --handle go together, missing",
                           o->store == NULL ? "--store" : "--handle");
    if (o->store != NULL && o->cert != NULL)
        return usage_error("--store/--handle replace", "--cert");
    if (o->store != NULL && o->ocsp != NULL)
        return usage_error("--ocsp goes with --cert, not", "--store");
    if ((o->cert == NULL && o->store == NULL) || o->key == NULL)
        return usage_error("missing", o->key == NULL ? "--key" : "--cert");
    if (o->mode == MODE_NONE)
        return usage_error("missing", "--echo or --www");
    if (o->require_client_cert && o->client_ca == NULL)
        return usage_error("--require-client-cert needs", "--client-ca");
    return EXIT_OK;
}

/* ---- listening --------------------------------------------------------- */

static void addr_text(const struct sockaddr *sa, char *out, size_t cap,
                      bool with_port)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
        port = ntohs(s4->sin_port);
        snprintf(out, cap, "%s", host);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
        port = ntohs(s6->sin6_port);
        snprintf(out, cap, "[%s]", host);
    } else {
        snprintf(out, cap, "?");
    }
    if (with_port) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, ":%u", port);
    }
}

static int open_listener(const char *spec, char *bound, size_t boundcap,
                         unsigned *port_out, char *err, size_t errcap)
{
    char host[256], port[8];
    struct addrinfo hints, *res = NULL, *ai;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = -1, rc, last_errno = 0;

    if (!captls_tlsopt_split_hostport(spec, host, sizeof(host), port,
                                      sizeof(port), err, errcap))
        return -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errcap, "--listen %.200s: %s", host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
                                       SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, 128) == 0)
            break;
        last_errno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errcap, "--listen %.200s:%s: %s", host, port,
                 strerror(last_errno));
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        snprintf(err, errcap, "getsockname: %s", strerror(errno));
        close(fd);
        return -1;
    }
    addr_text((const struct sockaddr *)&ss, bound, boundcap, true);
    *port_out = ss.ss_family == AF_INET
                    ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                    : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* ---- per-connection behaviour --------------------------------------------- */

/* sep: ": " on the page (its contract), ":" in the log line, whose
 * fields are split at spaces. */
static const char *client_auth_text(const captls_tls_info *info, char *buf,
                                    size_t cap, const char *sep)
{
    switch (info->peer_auth) {
    case CAPTLS_TLS_PEER_VERIFIED: return "verified";
    case CAPTLS_TLS_PEER_NO_CERT: return "no-certificate";
    case CAPTLS_TLS_PEER_FAILED:
        snprintf(buf, cap, "failed%s%s", sep,
                 captls_failure_reason_name(info->peer_failure));
        return buf;
    case CAPTLS_TLS_PEER_NOT_ASKED:
    default: return "none";
    }
}

static void log_conn(const server_opts *o, const srv_conn *c, bool always,
                     const char *fmt, const char *arg)
{
    if (o->quiet && !always)
        return;
    fprintf(stderr, "conn %lu: ", c->id);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
}

static void report_handshake(const server_opts *o, srv_conn *c)
{
    captls_tls_info info;
    char ca[96];

    captls_tls_info_get(c->link.conn, &info);
    if (!info.handshake_done || c->hs_reported)
        return;
    c->hs_reported = true;
    if (!o->quiet)
        fprintf(stderr,
                "conn %lu: handshake ok version=TLSv1.3 suite=%s group=%s "
                "sig=%s resumed=%s alpn=%s client-auth=%s\n",
                c->id, captls_tls_suite_name(info.suite),
                info.group != 0 ? captls_tls_group_name(info.group) : "none",
                captls_tlsopt_scheme_name(info.sig_scheme),
                info.resumed ? "yes" : "no",
                info.alpn[0] != '\0' ? info.alpn : "none",
                client_auth_text(&info, ca, sizeof(ca), ":"));
}

static void build_page(srv_conn *c)
{
    captls_tls_info info;
    char ca[96];
    int n;
    size_t cap = 2048;

    captls_tls_info_get(c->link.conn, &info);
    c->resp = malloc(cap);
    if (c->resp == NULL)
        return;
    n = snprintf(c->resp, cap,
                 "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                 "version: TLSv1.3\n"
                 "suite: %s\n"
                 "group: %s\n"
                 "signature: %s\n"
                 "resumed: %s\n"
                 "alpn: %s\n"
                 "client-auth: %s\n"
                 "client-identity: %s\n",
                 captls_tls_suite_name(info.suite),
                 info.group != 0 ? captls_tls_group_name(info.group) : "none",
                 captls_tlsopt_scheme_name(info.sig_scheme),
                 info.resumed ? "yes" : "no",
                 info.alpn[0] != '\0' ? info.alpn : "none",
                 client_auth_text(&info, ca, sizeof(ca), ": "),
                 info.peer_identity[0] != '\0' &&
                         info.peer_auth == CAPTLS_TLS_PEER_VERIFIED
                     ? info.peer_identity
                     : "none");
    c->resp_len = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static bool has_head_end(const char *b, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (memcmp(b + i, "\r\n\r\n", 4) == 0)
            return true;
    }
    return false;
}

static void queue_close(srv_conn *c)
{
    if (!c->close_queued) {
        captls_tls_close(c->link.conn);
        c->close_queued = true;
        c->close_ms = now_ms();
    }
}

/* Application data, both modes. Returns true if anything moved. */
static bool serve_app(const server_opts *o, srv_conn *c,
                      captls_tlsd_pool *pool)
{
    captls_tls_conn *t = c->link.conn;
    bool moved = false;

    for (;;) {
        unsigned st = captls_tls_state(t);
        const uint8_t *in;
        size_t inlen = 0;
        bool have_out;
        if (st & CAPTLS_TLS_CLOSED)
            break;
        have_out = o->mode == MODE_ECHO
                       ? (st & CAPTLS_TLS_RECVAPP) != 0
                       : c->req_done && c->resp != NULL &&
                             c->resp_off < c->resp_len;
        if (have_out && !(st & CAPTLS_TLS_SENDAPP) &&
            captls_tlsd_lend_tx(&c->link, pool))
            st = captls_tls_state(t);
        if (o->mode == MODE_ECHO) {
            uint8_t *out;
            size_t outcap = 0, n;
            if (!(st & CAPTLS_TLS_RECVAPP) || !(st & CAPTLS_TLS_SENDAPP))
                break;
            in = captls_tls_app_recv_buf(t, &inlen);
            out = captls_tls_app_send_buf(t, &outcap);
            if (in == NULL || out == NULL || inlen == 0 || outcap == 0)
                break;
            n = inlen < outcap ? inlen : outcap;
            memcpy(out, in, n);
            if (captls_tls_app_send_ack(t, n) != CAPTLS_OK)
                break;
            captls_tls_app_recv_ack(t, n);
            moved = true;
            continue;
        }
        /* --www: read the request head, then answer */
        if (st & CAPTLS_TLS_RECVAPP) {
            in = captls_tls_app_recv_buf(t, &inlen);
            if (in != NULL && inlen > 0) {
                if (!c->req_done) {
                    size_t room = REQ_MAX - c->req_len;
                    size_t n = inlen < room ? inlen : room;
                    memcpy(c->req + c->req_len, in, n);
                    c->req_len += n;
                    if (has_head_end(c->req, c->req_len) ||
                        c->req_len == REQ_MAX) {
                        c->req_done = true;
                        build_page(c);
                    }
                }
                /* bytes after the head (a body, pipelined requests) are
                 * read and dropped: HTTP/1.0, one answer, then close */
                captls_tls_app_recv_ack(t, inlen);
                moved = true;
                continue;
            }
        }
        if (c->req_done && c->resp != NULL && c->resp_off < c->resp_len &&
            (st & CAPTLS_TLS_SENDAPP)) {
            size_t cap = 0, n;
            uint8_t *out = captls_tls_app_send_buf(t, &cap);
            if (out == NULL || cap == 0)
                break;
            n = c->resp_len - c->resp_off;
            if (n > cap)
                n = cap;
            memcpy(out, c->resp + c->resp_off, n);
            if (captls_tls_app_send_ack(t, n) != CAPTLS_OK)
                break;
            c->resp_off += n;
            moved = true;
            continue;
        }
        break;
    }
    if (o->mode == MODE_WWW && c->req_done && !c->close_queued &&
        (c->resp == NULL || c->resp_off >= c->resp_len) &&
        captls_tls_error(t) == CAPTLS_OK) {
        queue_close(c);
        moved = true;
    }
    /* the client said close_notify: answer with ours (RFC 8446 §6.1) */
    if (captls_tls_peer_closed(t) && !c->close_queued &&
        captls_tls_error(t) == CAPTLS_OK) {
        queue_close(c);
        moved = true;
    }
    return moved;
}

static void conn_step(const server_opts *o, srv_conn *c, captls_tlsd_pool *pool)
{
    captls_tls_info info;

    for (int rounds = 0; rounds < 64; rounds++) {
        bool moved = captls_tlsd_pump(&c->link, pool);
        captls_tls_info_get(c->link.conn, &info);
        if (info.handshake_done) {
            report_handshake(o, c);
            if (o->common.key_update && !c->key_update_sent) {
                c->key_update_sent = true;
                if (captls_tls_key_update(c->link.conn, true) != CAPTLS_OK)
                    break;
                moved = true;
            }
            moved |= serve_app(o, c, pool);
        }
        if (!moved)
            break;
    }
    captls_tlsd_reclaim_idle(&c->link, pool);
}

/* True when the connection is finished and can be released. */
static bool conn_finished(srv_conn *c, uint64_t now)
{
    captls_tlsd_link *l = &c->link;

    if (l->io_error != CAPTLS_OK || l->no_buffer)
        return true;
    if (captls_tlsd_done(l))
        return true;
    if (l->eof && !(captls_tls_state(l->conn) & CAPTLS_TLS_SENDREC))
        return true;
    if (c->close_queued && now - c->close_ms >= LINGER_MS &&
        !(captls_tls_state(l->conn) & CAPTLS_TLS_SENDREC))
        return true;
    return false;
}

static void conn_release(const server_opts *o, srv_conn *c,
                         captls_tlsd_pool *pool)
{
    char why[160];
    const char *f = captls_tlsd_failure_text(&c->link, why, sizeof(why));
    captls_tls_info info;

    captls_tls_info_get(c->link.conn, &info);
    /* after our own close_notify a client may just drop TCP (HTTP/1.0
     * clients do): that is an orderly end of a finished exchange */
    if (f != NULL && c->close_queued && captls_tls_error(c->link.conn) ==
                                            CAPTLS_OK &&
        c->link.io_error == CAPTLS_OK)
        f = NULL;
    if (f != NULL)
        log_conn(o, c, true, "error: %s", f);
    log_conn(o, c, false, "%s", "closed");
    captls_tlsd_link_free(&c->link, pool);
    free(c->resp);
    memset(c, 0, sizeof(*c));
}

/* ---- ticket key ------------------------------------------------------------ */

static captls_tls_ticket_keys ticket_keys;

static bool setup_tickets(captls_tls_server_config *cfg, unsigned long n,
                          char *err, size_t errcap)
{
    cfg->tickets_per_handshake = (uint8_t)n;
    cfg->ticket_lifetime_s = TICKET_LIFETIME_S;
    if (n == 0)
        return true; /* seal == NULL: no tickets, no resumption */
    if (captls_tls_ticket_keys_init(&ticket_keys, cfg->common.entropy) !=
        CAPTLS_OK) {
        snprintf(err, errcap, "cannot create the ticket key");
        return false;
    }
    captls_tls_ticket_keys_iface(&ticket_keys, &cfg->tickets);
    return true;
}

/* ---- the loop --------------------------------------------------------------- */

static bool accept_one(const server_opts *o, int lfd, srv_conn *conns,
                       size_t nconns, unsigned long *next_id,
                       const captls_tls_server_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    srv_conn *c = NULL;
    int fd;
    captls_result r;

    for (size_t i = 0; i < nconns; i++) {
        if (!conns[i].used) {
            c = &conns[i];
            break;
        }
    }
    if (c == NULL)
        return false;
    fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return false; /* EAGAIN, or a connection that died in the queue */
    {
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one,
                         sizeof(one));
    }
    memset(c, 0, sizeof(*c));
    c->used = true;
    c->id = (*next_id)++;
    c->accepted_ms = now_ms();
    addr_text((const struct sockaddr *)&ss, c->peer, sizeof(c->peer), true);
    log_conn(o, c, false, "accepted from %s", c->peer);
    if (!captls_tlsd_link_new(&c->link, fd)) {
        log_conn(o, c, true, "error: %s", "out of memory");
        close(fd);
        free(c->link.conn);
        memset(c, 0, sizeof(*c));
        return true;
    }
    r = captls_tls_server_init(c->link.conn, cfg);
    if (r != CAPTLS_OK) {
        log_conn(o, c, true, "error: %s", captls_result_name(r));
        log_conn(o, c, false, "%s", "closed");
        free(c->link.conn);
        c->link.conn = NULL;
        close(fd);
        memset(c, 0, sizeof(*c));
    }
    return true;
}

static int serve(const server_opts *o, const captls_tls_server_config *cfg,
                 int lfd)
{
    srv_conn *conns = calloc(o->max_conns, sizeof(*conns));
    struct pollfd *pfd = calloc(o->max_conns + 2, sizeof(*pfd));
    size_t *map = calloc(o->max_conns + 2, sizeof(*map));
    captls_tlsd_pool pool;
    unsigned long next_id = 1;
    uint64_t hs_ms = (uint64_t)o->hs_timeout_s * 1000u;

    if (conns == NULL || pfd == NULL || map == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return EXIT_FAIL;
    }
    captls_tlsd_pool_init(&pool);
    while (!stop_requested) {
        size_t n = 0, live = 0;
        uint64_t now = now_ms();
        int timeout = 1000, rc;

        pfd[n].fd = wake_pipe[0];
        pfd[n].events = POLLIN;
        n++;
        for (size_t i = 0; i < o->max_conns; i++) {
            srv_conn *c = &conns[i];
            if (!c->used)
                continue;
            live++;
            if (!c->hs_reported) {
                uint64_t due = c->accepted_ms + hs_ms;
                int left = due > now ? (int)(due - now) : 0;
                if (left < timeout)
                    timeout = left;
            } else if (c->close_queued) {
                uint64_t due = c->close_ms + LINGER_MS;
                int left = due > now ? (int)(due - now) : 0;
                if (left < timeout)
                    timeout = left;
            }
            pfd[n].fd = c->link.fd;
            pfd[n].events = captls_tlsd_poll_events(&c->link);
            pfd[n].revents = 0;
            map[n] = i;
            n++;
        }
        /* a full table leaves new connections in the kernel's queue */
        if (live < o->max_conns) {
            pfd[n].fd = lfd;
            pfd[n].events = POLLIN;
            pfd[n].revents = 0;
            map[n] = SIZE_MAX;
            n++;
        }
        /* a store identity polls its entry for rotations */
        if (captls_tls_store_identity_active() && timeout > 200)
            timeout = 200;
        rc = poll(pfd, n, timeout);
        if (rc < 0 && errno != EINTR) {
            fprintf(stderr, "error: poll: %s\n", strerror(errno));
            break;
        }
        if (stop_requested)
            break;
        if (rc > 0 && (pfd[0].revents & POLLIN)) {
            char drain[64];
            while (read(wake_pipe[0], drain, sizeof(drain)) > 0) {
            }
        }
        for (size_t k = 1; rc > 0 && k < n; k++) {
            if (pfd[k].revents == 0)
                continue;
            if (map[k] == SIZE_MAX) {
                while (accept_one(o, lfd, conns, o->max_conns, &next_id, cfg)) {
                }
                continue;
            }
            if (pfd[k].revents & POLLOUT)
                conns[map[k]].link.want_write = false;
            conn_step(o, &conns[map[k]], &pool);
        }
        /* new connections get their first step; timeouts; releases */
        now = now_ms();
        captls_tls_store_identity_tick(now);
        for (size_t i = 0; i < o->max_conns; i++) {
            srv_conn *c = &conns[i];
            if (!c->used)
                continue;
            if (!c->hs_reported && now - c->accepted_ms >= hs_ms &&
                !(captls_tls_state(c->link.conn) & CAPTLS_TLS_CLOSED)) {
                /* no alert is owed to a silent peer; user_canceled is
                 * queued and sent if the socket takes it */
                captls_tls_abort(c->link.conn, CAPTLS_ERR_TIMEOUT);
                (void)captls_tlsd_pump(&c->link, &pool);
                conn_release(o, c, &pool);
                continue;
            }
            if (conn_finished(c, now))
                conn_release(o, c, &pool);
        }
    }
    for (size_t i = 0; i < o->max_conns; i++) {
        if (conns[i].used) {
            captls_tls_abort(conns[i].link.conn, CAPTLS_ERR_INTERNAL);
            (void)captls_tlsd_pump(&conns[i].link, &pool);
            log_conn(o, &conns[i], false, "%s", "closed");
            captls_tlsd_link_free(&conns[i].link, &pool);
            free(conns[i].resp);
        }
    }
    if (!o->quiet)
        fprintf(stderr,
                "memory: %zu bytes of state per connection; buffers lent at "
                "peak rx=%zu tx=%zu hs=%zu (%zu/%zu/%zu bytes each)\n",
                (size_t)CAPTLS_TLS_CONN_SIZE, pool.peak[0], pool.peak[1],
                pool.peak[2], pool.size[0], pool.size[1], pool.size[2]);
    captls_tlsd_pool_fini(&pool);
    free(conns);
    free(pfd);
    free(map);
    return EXIT_OK;
}

int captls_cmd_tls_server(int argc, char **argv)
{
    static server_opts o;
    static captls_tls_server_config cfg;
    static captls_posix_clock_ctx clock_ctx;
    static captls_posix_entropy_ctx entropy_ctx;
    static captls_tlsopt_trust client_trust;
    captls_tlsopt_identity *id = NULL;
    char err[CAPTLS_TLSOPT_ERR], bound[96];
    unsigned port = 0;
    int rc, lfd;
    captls_result r;
    struct sigaction sa;

    setvbuf(stderr, NULL, _IOLBF, 0);
    rc = parse_args(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;
    memset(&cfg, 0, sizeof(cfg));
    captls_posix_clock_init(&clock_ctx, CAPTLS_CLOCK_TRUSTED,
                            &cfg.common.clock);
    captls_posix_entropy_init(&entropy_ctx, &cfg.common.entropy);
    captls_tlsopt_apply(&o.common, &cfg.common);
    if (o.store != NULL) {
        if (!captls_tls_store_identity_load(o.store, o.handle, o.key, &cfg.key,
                                            &cfg.chain, err, sizeof(err)))
            return setup_error(err);
    } else {
        if (!captls_tlsopt_identity_load(o.cert, o.key, &id, err, sizeof(err)))
            return setup_error(err);
        if (o.ocsp != NULL &&
            !captls_tlsopt_identity_staple(id, o.ocsp, err, sizeof(err)))
            return setup_error(err);
        cfg.key = *captls_tlsopt_identity_signer(id);
        cfg.chain = *captls_tlsopt_identity_chain(id);
    }
    if (o.client_ca != NULL) {
        if (!captls_tlsopt_trust_init(&client_trust, o.client_ca,
                                      &cfg.common.clock, err, sizeof(err)))
            return setup_error(err);
        cfg.client_verifier = client_trust.pt.peer;
        cfg.require_client_cert = o.require_client_cert;
    }
    if (!setup_tickets(&cfg, o.tickets, err, sizeof(err)))
        return setup_error(err);
    if (!captls_tlsopt_keylog_from_env(&cfg.common, err, sizeof(err)))
        return setup_error(err);
    {
        const char *why = NULL;
        r = captls_tls_server_config_check_why(&cfg, &why);
        if (r != CAPTLS_OK) {
            snprintf(err, sizeof(err), "server configuration refused: %s (%s)",
                     why != NULL ? why : "?", captls_result_name(r));
            return setup_error(err);
        }
    }

    lfd = open_listener(o.listen, bound, sizeof(bound), &port, err,
                        sizeof(err));
    if (lfd < 0)
        return setup_error(err);
    if (o.port_file != NULL) {
        FILE *pf = fopen(o.port_file, "w");
        if (pf == NULL || fprintf(pf, "%u\n", port) < 0 || fclose(pf) != 0) {
            snprintf(err, sizeof(err), "--port-file: %s", strerror(errno));
            close(lfd);
            return setup_error(err);
        }
    }
    if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        close(lfd);
        return setup_error("pipe");
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "listening on %s\n", bound);
    fflush(stderr);
    rc = serve(&o, &cfg, lfd);
    close(lfd);
    captls_tls_ticket_keys_destroy(&ticket_keys);
    captls_tlsopt_identity_free(id);
    captls_tls_store_identity_free();
    if (o.client_ca != NULL)
        captls_tlsopt_trust_fini(&client_trust);
    return rc;
}
