/* `captls tls-client` — see cmd_tls_client.h for the contract. */
#include "port/posix/cmd_tls_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/base/sanitize.h"
#include "core/tls/tls.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_driver.h"
#include "port/posix/tls_options.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define REPLAY_MAX (1024u * 1024u) /* stdin kept for --reconnect */
#define INBUF 16384u

typedef struct client_opts {
    const char *connect, *servername, *roots, *cert, *key;
    bool reconnect, quiet_summary;
    unsigned long timeout_s;
    char host[256], port[8];
    captls_tlsopt_common common;
} client_opts;

/* Input for the peer: stdin on the first session, the replay after. */
typedef struct input {
    bool from_stdin;
    bool eof;
    uint8_t buf[INBUF];
    size_t len, off;
    /* replay */
    uint8_t *replay;
    size_t replay_len, replay_off;
    bool replay_overflow;
} input;

static captls_tls_session last_session;
static bool have_session;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void usage(void)
{
    fprintf(stderr, "usage: captls tls-client %s\n", CAPTLS_CMD_TLS_CLIENT_ARGS);
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

static int parse_args(int argc, char **argv, client_opts *o)
{
    char err[CAPTLS_TLSOPT_ERR];

    memset(o, 0, sizeof(*o));
    o->timeout_s = 10;
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
        if (strcmp(a, "--reconnect") == 0) {
            o->reconnect = true;
            continue;
        }
        if (strcmp(a, "--quiet-summary") == 0) {
            o->quiet_summary = true;
            continue;
        }
        if (strcmp(a, "--connect") == 0)
            str = &o->connect;
        else if (strcmp(a, "--servername") == 0)
            str = &o->servername;
        else if (strcmp(a, "--roots") == 0)
            str = &o->roots;
        else if (strcmp(a, "--cert") == 0)
            str = &o->cert;
        else if (strcmp(a, "--key") == 0)
            str = &o->key;
        if (str != NULL) {
            if (v == NULL)
                return usage_error("missing value for", a);
            *str = v;
            i++;
            continue;
        }
        if (strcmp(a, "--timeout") == 0) {
            if (v == NULL)
                return usage_error("missing value for", a);
            if (!captls_tlsopt_parse_uint(v, 1, 3600, &o->timeout_s))
                return usage_error("--timeout wants 1..3600, not", v);
            i++;
            continue;
        }
        return usage_error("unknown option", a);
    }
    if (o->connect == NULL)
        return usage_error("missing", "--connect HOST:PORT");
    if ((o->cert == NULL) != (o->key == NULL))
        return usage_error("--cert and --key go together; missing",
                           o->cert == NULL ? "--cert" : "--key");
    if (!captls_tlsopt_split_hostport(o->connect, o->host, sizeof(o->host),
                                      o->port, sizeof(o->port), err,
                                      sizeof(err))) {
        fprintf(stderr, "error: --connect: %s\n", err);
        return EXIT_USAGE;
    }
    if (strcmp(o->port, "0") == 0)
        return usage_error("--connect: port 0 is not connectable", o->connect);
    if (o->servername != NULL &&
        (o->servername[0] == '\0' || strlen(o->servername) > 253))
        return usage_error("bad --servername", o->servername);
    return EXIT_OK;
}

/* ---- connecting ---------------------------------------------------------- */

static const char *errno_text(int e)
{
    switch (e) {
    case ECONNREFUSED: return "connection refused";
    case ETIMEDOUT: return "connect timeout";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "host unreachable";
    default: return strerror(e);
    }
}

/* A connected non-blocking socket, or -1 with `err` set. */
static int dial(const client_opts *o, uint64_t deadline, char *err,
                size_t errcap)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, rc, last = ECONNREFUSED;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    rc = getaddrinfo(o->host, o->port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errcap, "cannot resolve %.200s: %s", o->host,
                 gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int one = 1, soerr = 0;
        socklen_t sl = sizeof(soerr);
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
                                       SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last = errno;
                close(fd);
                fd = -1;
                continue;
            }
            for (;;) {
                struct pollfd p = {fd, POLLOUT, 0};
                uint64_t now = now_ms();
                int left = now < deadline ? (int)(deadline - now) : 0;
                rc = poll(&p, 1, left);
                if (rc < 0 && errno == EINTR)
                    continue;
                break;
            }
            if (rc == 0) {
                last = ETIMEDOUT;
                close(fd);
                fd = -1;
                break;
            }
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
                soerr = errno;
            if (soerr != 0) {
                last = soerr;
                close(fd);
                fd = -1;
                continue;
            }
        }
        break;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errcap, "%s (%.200s:%s)", errno_text(last), o->host,
                 o->port);
    return fd;
}

/* ---- one session ------------------------------------------------------------ */

static void on_session(void *ctx, const captls_tls_session *s)
{
    (void)ctx;
    last_session = *s;
    have_session = true;
}

static void print_summary(const captls_tls_info *info)
{
    fprintf(stderr,
            "handshake: ok\nversion: TLSv1.3\nsuite: %s\ngroup: %s\n"
            "signature: %s\nhello-retry: %s\nresumed: %s\nalpn: %s\n"
            "peer: %s\nverify: ok\nocsp: %s\n",
            captls_tls_suite_name(info->suite),
            info->group != 0 ? captls_tls_group_name(info->group) : "none",
            captls_tlsopt_scheme_name(info->sig_scheme),
            info->hello_retry ? "yes" : "no", info->resumed ? "yes" : "no",
            info->alpn[0] != '\0' ? info->alpn : "none",
            info->peer_identity[0] != '\0' ? info->peer_identity : "none",
            /* carried, not judged: the OCSP issue evaluates it */
            info->peer_stapled_ocsp ? "stapled (not evaluated)" : "none");
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Fills in->buf from stdin (first session) or the replay. */
static void input_read(input *in)
{
    if (in->off == in->len)
        in->off = in->len = 0;
    if (in->eof || in->len == INBUF)
        return;
    if (!in->from_stdin) {
        size_t n = in->replay_len - in->replay_off;
        if (n > INBUF - in->len)
            n = INBUF - in->len;
        memcpy(in->buf + in->len, in->replay + in->replay_off, n);
        in->len += n;
        in->replay_off += n;
        if (in->replay_off == in->replay_len)
            in->eof = true;
        return;
    }
    for (;;) {
        ssize_t n = read(0, in->buf + in->len, INBUF - in->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                in->eof = true;
            return;
        }
        if (in->replay_len + (size_t)n <= REPLAY_MAX) {
            uint8_t *bigger = realloc(in->replay, in->replay_len + (size_t)n);
            if (bigger != NULL) {
                memcpy(bigger + in->replay_len, in->buf + in->len, (size_t)n);
                in->replay = bigger;
                in->replay_len += (size_t)n;
            } else {
                in->replay_overflow = true;
            }
        } else {
            in->replay_overflow = true;
        }
        in->len += (size_t)n;
        return;
    }
}

/* Moves plaintext both ways. Returns true if anything moved. */
static bool app_io(captls_tlsd_link *l, captls_tlsd_pool *pool, input *in,
                   bool *close_queued, bool *out_broken)
{
    captls_tls_conn *t = l->conn;
    bool moved = false;

    for (;;) {
        unsigned st = captls_tls_state(t);
        bool step = false;
        if (st & CAPTLS_TLS_RECVAPP) {
            size_t n = 0;
            const uint8_t *p = captls_tls_app_recv_buf(t, &n);
            if (p != NULL && n > 0) {
                if (!*out_broken && !write_all(1, p, n))
                    *out_broken = true;
                captls_tls_app_recv_ack(t, n);
                step = true;
            }
        }
        st = captls_tls_state(t);
        if (in->off < in->len && !*close_queued &&
            !(st & CAPTLS_TLS_SENDAPP) && captls_tlsd_lend_tx(l, pool))
            st = captls_tls_state(t);
        if ((st & CAPTLS_TLS_SENDAPP) && in->off < in->len && !*close_queued) {
            size_t cap = 0, n = in->len - in->off;
            uint8_t *p = captls_tls_app_send_buf(t, &cap);
            if (p != NULL && cap > 0) {
                if (n > cap)
                    n = cap;
                memcpy(p, in->buf + in->off, n);
                if (captls_tls_app_send_ack(t, n) == CAPTLS_OK) {
                    in->off += n;
                    if (in->off == in->len)
                        in->off = in->len = 0; /* room for more input */
                    step = true;
                }
            }
        }
        if (!step)
            break;
        moved = true;
    }
    /* stdin finished: our close_notify; the peer's close_notify: answer
     * with ours (RFC 8446 §6.1) */
    if (!*close_queued && captls_tls_error(t) == CAPTLS_OK &&
        ((in->eof && in->off == in->len) || captls_tls_peer_closed(t))) {
        captls_tls_close(t);
        *close_queued = true;
        moved = true;
    }
    return moved;
}

/* Runs one connection. Returns the exit status. */
static int run_session(const client_opts *o, const captls_tls_client_config *cfg,
                       const char *servername, const captls_tls_session *resume,
                       input *in)
{
    static captls_tlsd_pool pool;
    captls_tlsd_link link;
    uint64_t deadline = now_ms() + (uint64_t)o->timeout_s * 1000u;
    bool summary = false, close_queued = false, out_broken = false;
    bool key_update_sent = false;
    char err[CAPTLS_TLSOPT_ERR];
    captls_tls_info info;
    captls_result r;
    const char *why;
    int fd;

    fd = dial(o, deadline, err, sizeof(err));
    if (fd < 0) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_FAIL;
    }
    if (!captls_tlsd_link_new(&link, fd)) {
        close(fd);
        fprintf(stderr, "error: out of memory\n");
        return EXIT_FAIL;
    }
    captls_tlsd_pool_init(&pool);
    r = captls_tls_client_init(link.conn, cfg, servername, resume, on_session,
                               NULL);
    if (r != CAPTLS_OK) {
        fprintf(stderr, "error: cannot start the handshake: %s\n",
                captls_result_name(r));
        free(link.conn);
        link.conn = NULL;
        captls_tlsd_link_free(&link, &pool);
        return EXIT_FAIL;
    }
    for (;;) {
        struct pollfd p[2];
        nfds_t np = 1;
        bool moved = captls_tlsd_pump(&link, &pool);
        int timeout = -1, rc;

        captls_tls_info_get(link.conn, &info);
        if (info.handshake_done) {
            if (!summary) {
                summary = true;
                if (!o->quiet_summary)
                    print_summary(&info);
            }
            if (o->common.key_update && !key_update_sent) {
                key_update_sent = true;
                if (captls_tls_key_update(link.conn, true) == CAPTLS_OK)
                    moved = true;
            }
            moved |= app_io(&link, &pool, in, &close_queued, &out_broken);
        }
        if (moved)
            continue;
        captls_tlsd_reclaim_idle(&link, &pool);
        if (captls_tlsd_done(&link) || link.io_error != CAPTLS_OK ||
            link.no_buffer ||
            (link.eof && !(captls_tls_state(link.conn) & CAPTLS_TLS_SENDREC)))
            break;
        if (!info.handshake_done) {
            uint64_t now = now_ms();
            if (now >= deadline) {
                captls_tls_abort(link.conn, CAPTLS_ERR_TIMEOUT);
                (void)captls_tlsd_pump(&link, &pool);
                break;
            }
            timeout = (int)(deadline - now);
        }
        p[0].fd = link.fd;
        p[0].events = captls_tlsd_poll_events(&link);
        p[0].revents = 0;
        if (info.handshake_done && !in->eof && in->len < INBUF &&
            !close_queued) {
            if (in->from_stdin) {
                p[1].fd = 0;
                p[1].events = POLLIN;
                p[1].revents = 0;
                np = 2;
            } else {
                input_read(in);
                continue;
            }
        }
        rc = poll(p, np, timeout);
        if (rc < 0 && errno != EINTR) {
            fprintf(stderr, "error: poll: %s\n", strerror(errno));
            break;
        }
        if (rc > 0 && (p[0].revents & POLLOUT))
            link.want_write = false;
        if (np == 2 && p[1].revents != 0)
            input_read(in);
    }
    why = captls_tlsd_failure_text(&link, err, sizeof(err));
    captls_tls_info_get(link.conn, &info);
    {
        int status = EXIT_OK;
        if (info.peer_auth == CAPTLS_TLS_PEER_FAILED) {
            fprintf(stderr, "fail: %s\n",
                    captls_failure_reason_name(info.peer_failure));
            status = EXIT_FAIL;
        } else if (why != NULL) {
            fprintf(stderr, "error: %s\n", why);
            status = EXIT_FAIL;
        } else if (!info.handshake_done) {
            fprintf(stderr, "error: connection ended during the handshake\n");
            status = EXIT_FAIL;
        } else if (out_broken) {
            fprintf(stderr, "error: cannot write to stdout\n");
            status = EXIT_FAIL;
        }
        captls_tlsd_link_free(&link, &pool);
        captls_tlsd_pool_fini(&pool);
        return status;
    }
}

int captls_cmd_tls_client(int argc, char **argv)
{
    static client_opts o;
    static captls_tls_client_config cfg;
    static captls_posix_clock_ctx clock_ctx;
    static captls_posix_entropy_ctx entropy_ctx;
    static captls_tlsopt_trust trust;
    static input in;
    captls_tlsopt_identity *id = NULL;
    char err[CAPTLS_TLSOPT_ERR];
    const char *servername;
    captls_result r;
    int rc;

    rc = parse_args(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;
    servername = o.servername != NULL ? o.servername : o.host;
    memset(&cfg, 0, sizeof(cfg));
    captls_posix_clock_init(&clock_ctx, CAPTLS_CLOCK_TRUSTED,
                            &cfg.common.clock);
    captls_posix_entropy_init(&entropy_ctx, &cfg.common.entropy);
    captls_tlsopt_apply(&o.common, &cfg.common);
    if (!captls_tlsopt_trust_init(&trust, o.roots, &cfg.common.clock, err,
                                  sizeof(err))) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_USAGE;
    }
    cfg.verifier = trust.pt.peer;
    if (o.cert != NULL) {
        if (!captls_tlsopt_identity_load(o.cert, o.key, &id, err,
                                         sizeof(err))) {
            fprintf(stderr, "error: %s\n", err);
            captls_tlsopt_trust_fini(&trust);
            return EXIT_USAGE;
        }
        cfg.have_client_auth = true;
        cfg.client_auth.key = *captls_tlsopt_identity_signer(id);
        cfg.client_auth.chain = *captls_tlsopt_identity_chain(id);
    }
    if (!captls_tlsopt_keylog_from_env(&cfg.common, err, sizeof(err))) {
        fprintf(stderr, "error: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    {
        const char *why = NULL;
        r = captls_tls_client_config_check_why(&cfg, &why);
        if (r != CAPTLS_OK) {
            fprintf(stderr, "error: client configuration refused: %s (%s)\n",
                    why != NULL ? why : "?", captls_result_name(r));
            rc = EXIT_USAGE;
            goto out;
        }
    }
    signal(SIGPIPE, SIG_IGN);

    in.from_stdin = true;
    rc = run_session(&o, &cfg, servername, NULL, &in);
    if (rc != EXIT_OK || !o.reconnect)
        goto out;
    if (in.replay_overflow) {
        fprintf(stderr, "error: --reconnect: stdin larger than 1 MiB cannot "
                        "be replayed\n");
        rc = EXIT_FAIL;
        goto out;
    }
    if (!have_session)
        fprintf(stderr, "reconnect: no ticket received, full handshake\n");
    else
        fprintf(stderr, "reconnect: resuming\n");
    in.from_stdin = false;
    in.eof = in.replay_len == 0;
    in.len = in.off = 0;
    in.replay_off = 0;
    {
        captls_tls_session resume = last_session;
        rc = run_session(&o, &cfg, servername, have_session ? &resume : NULL,
                         &in);
        memset(&resume, 0, sizeof(resume));
    }
out:
    memset(&last_session, 0, sizeof(last_session));
    free(in.replay);
    in.replay = NULL;
    captls_tlsopt_identity_free(id);
    captls_tlsopt_trust_fini(&trust);
    return rc;
}
