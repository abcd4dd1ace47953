/* HTTPS client over the captls TLS 1.3 engine — see https_client.h. */
#include "port/posix/https_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/tls/tls.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_driver.h"
#include "port/posix/tls_options.h"

#define DEFAULT_TIMEOUT_MS 30000u
#define REQ_HEAD_ROOM 2048u /* request line and fields beside the body */

struct captls_https_client {
    captls_https_options opt;
    captls_tls_client_config cfg;
    captls_posix_clock_ctx clock_ctx;
    captls_posix_entropy_ctx entropy_ctx;
    captls_tlsopt_common common;
    captls_tlsopt_trust trust;
    captls_tlsd_pool pool;
    captls_tlsd_link link;
    bool connected, reusable;
    captls_http_url origin;          /* of the open connection */
    captls_http_url url;             /* of the current request */
    captls_http_resp resp;
    uint8_t head[CAPTLS_HTTP_DEFAULT_HEADER_BYTES];
    captls_https_stats stats;
    char err[CAPTLS_TLSOPT_ERR];
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int left_ms(uint64_t deadline)
{
    uint64_t now = now_ms();
    return now >= deadline ? 0 : (int)(deadline - now);
}

bool captls_https_client_new(const captls_https_options *o,
                             captls_https_client **out, char *err,
                             size_t errcap)
{
    captls_https_client *c = calloc(1, sizeof(*c));
    const char *why = NULL;

    *out = NULL;
    if (c == NULL) {
        snprintf(err, errcap, "out of memory");
        return false;
    }
    c->opt = *o;
    if (c->opt.timeout_ms == 0)
        c->opt.timeout_ms = DEFAULT_TIMEOUT_MS;
    captls_posix_clock_init(&c->clock_ctx, CAPTLS_CLOCK_TRUSTED,
                            &c->cfg.common.clock);
    captls_posix_entropy_init(&c->entropy_ctx, &c->cfg.common.entropy);
    captls_tlsopt_common_init(&c->common);
    if (captls_tlsopt_common_option(&c->common, "--alpn", "http/1.1", err,
                                    errcap) < 0)
        goto fail;
    captls_tlsopt_apply(&c->common, &c->cfg.common);
    if (!captls_tlsopt_trust_init(&c->trust, o->ca_roots, &c->cfg.common.clock,
                                  err, errcap))
        goto fail;
    c->cfg.verifier = c->trust.pt.peer;
    if (captls_tls_client_config_check_why(&c->cfg, &why) != CAPTLS_OK) {
        snprintf(err, errcap, "TLS client configuration refused: %s",
                 why != NULL ? why : "?");
        goto fail;
    }
    captls_tlsd_pool_init(&c->pool);
    c->link.fd = -1;
    *out = c;
    return true;
fail:
    captls_tlsopt_trust_fini(&c->trust);
    free(c);
    return false;
}

static void drop_connection(captls_https_client *c, bool polite)
{
    if (!c->connected)
        return;
    if (polite && c->link.conn != NULL && captls_tls_error(c->link.conn) == CAPTLS_OK) {
        captls_tls_close(c->link.conn); /* close_notify, best effort */
        (void)captls_tlsd_pump(&c->link, &c->pool);
    }
    captls_tlsd_link_free(&c->link, &c->pool);
    c->link.fd = -1;
    c->connected = false;
    c->reusable = false;
}

void captls_https_client_free(captls_https_client *c)
{
    if (c == NULL)
        return;
    drop_connection(c, true);
    captls_tlsd_pool_fini(&c->pool);
    captls_tlsopt_trust_fini(&c->trust);
    free(c);
}

const char *captls_https_last_error(const captls_https_client *c)
{
    return c->err;
}

void captls_https_client_stats(const captls_https_client *c,
                               captls_https_stats *out)
{
    *out = c->stats;
}

/* A connected non-blocking TCP socket to the URL's host and port. */
static captls_result dial(captls_https_client *c, uint64_t deadline, int *fd_out)
{
    struct addrinfo hints, *res = NULL;
    char port[8];
    int rc, last = ECONNREFUSED;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(port, sizeof(port), "%u", (unsigned)c->url.port);
    rc = getaddrinfo(c->url.host, port, &hints, &res);
    if (rc != 0) {
        snprintf(c->err, sizeof(c->err), "cannot resolve %s: %s", c->url.host,
                 gai_strerror(rc));
        return CAPTLS_ERR_ADDR_INVALID;
    }
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int one = 1, soerr = 0;
        socklen_t sl = sizeof(soerr);
        struct pollfd p;
        int fd = socket(ai->ai_family,
                        ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            last = errno;
            close(fd);
            continue;
        }
        p.fd = fd;
        p.events = POLLOUT;
        do {
            p.revents = 0;
            rc = poll(&p, 1, left_ms(deadline));
        } while (rc < 0 && errno == EINTR);
        if (rc == 0)
            soerr = ETIMEDOUT;
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
            soerr = errno;
        if (soerr == 0) {
            freeaddrinfo(res);
            *fd_out = fd;
            return CAPTLS_OK;
        }
        last = soerr;
        close(fd);
        if (soerr == ETIMEDOUT)
            break;
    }
    freeaddrinfo(res);
    snprintf(c->err, sizeof(c->err), "cannot connect to %s:%u: %s",
             c->url.host, (unsigned)c->url.port, strerror(last));
    return last == ETIMEDOUT ? CAPTLS_ERR_TIMEOUT
                             : captls_posix_result_from_errno(last);
}

static captls_result open_connection(captls_https_client *c, uint64_t deadline)
{
    int fd = -1;
    captls_result r = dial(c, deadline, &fd);

    if (r != CAPTLS_OK)
        return r;
    if (!captls_tlsd_link_new(&c->link, fd)) {
        close(fd);
        snprintf(c->err, sizeof(c->err), "out of memory");
        return CAPTLS_ERR_INTERNAL;
    }
    r = captls_tls_client_init(c->link.conn, &c->cfg, c->url.host, NULL, NULL,
                               NULL);
    if (r != CAPTLS_OK) {
        free(c->link.conn);
        c->link.conn = NULL;
        captls_tlsd_link_free(&c->link, &c->pool);
        snprintf(c->err, sizeof(c->err), "cannot start TLS: %s",
                 captls_result_name(r));
        return r;
    }
    c->connected = true;
    c->reusable = false;
    c->origin = c->url;
    c->stats.connections++;
    return CAPTLS_OK;
}

/* Why the TLS side ended, as a result and a line in c->err. */
static captls_result tls_failure(captls_https_client *c)
{
    captls_tls_info info;
    char buf[256];
    const char *why;
    captls_result e = captls_tls_error(c->link.conn);

    captls_tls_info_get(c->link.conn, &info);
    if (info.peer_auth == CAPTLS_TLS_PEER_FAILED) {
        snprintf(c->err, sizeof(c->err), "%s: certificate not trusted: %s",
                 c->url.host, captls_failure_reason_name(info.peer_failure));
        return CAPTLS_ERR_VERIFY_FAILED;
    }
    why = captls_tlsd_failure_text(&c->link, buf, sizeof(buf));
    snprintf(c->err, sizeof(c->err), "%s: %s", c->url.host,
             why != NULL ? why : "connection closed");
    if (e != CAPTLS_OK)
        return e;
    return c->link.io_error != CAPTLS_OK ? c->link.io_error
                                         : CAPTLS_ERR_CONN_RESET;
}

/* Runs one exchange on the current connection. *early: it failed before
 * any response byte (the request may be retried on a new connection). */
static captls_result run(captls_https_client *c, const uint8_t *req,
                         size_t req_len, uint64_t deadline, bool *early)
{
    captls_tlsd_link *l = &c->link;
    size_t sent = 0;
    bool got_any = false;

    *early = false;
    for (;;) {
        bool moved = captls_tlsd_pump(l, &c->pool);
        unsigned st = captls_tls_state(l->conn);
        captls_tls_info info;
        struct pollfd p;
        int rc;

        captls_tls_info_get(l->conn, &info);
        if (info.handshake_done) {
            if (sent < req_len && !(st & CAPTLS_TLS_SENDAPP) &&
                !(st & CAPTLS_TLS_CLOSED) &&
                captls_tlsd_lend_tx(l, &c->pool))
                st = captls_tls_state(l->conn);
            if (sent < req_len && (st & CAPTLS_TLS_SENDAPP)) {
                size_t cap = 0, n = req_len - sent;
                uint8_t *b = captls_tls_app_send_buf(l->conn, &cap);
                if (b != NULL && cap > 0) {
                    if (n > cap)
                        n = cap;
                    memcpy(b, req + sent, n);
                    if (captls_tls_app_send_ack(l->conn, n) == CAPTLS_OK) {
                        sent += n;
                        moved = true;
                    }
                }
            }
            while (captls_tls_state(l->conn) & CAPTLS_TLS_RECVAPP) {
                size_t n = 0, used = 0;
                const uint8_t *b = captls_tls_app_recv_buf(l->conn, &n);
                captls_result e;
                if (b == NULL || n == 0)
                    break;
                got_any = true;
                e = captls_http_resp_feed(&c->resp, b, n, &used);
                captls_tls_app_recv_ack(l->conn, used);
                moved = true;
                if (e == CAPTLS_OK) {
                    /* bytes beyond this response were never asked for */
                    c->reusable = c->resp.keep_alive &&
                                  !(captls_tls_state(l->conn) & CAPTLS_TLS_RECVAPP);
                    return CAPTLS_OK;
                }
                if (e != CAPTLS_NEED_MORE) {
                    snprintf(c->err, sizeof(c->err), "%s: bad HTTP response: %s",
                             c->url.host, captls_http_error_name(c->resp.why));
                    return e;
                }
            }
        }
        if (moved)
            continue;
        captls_tlsd_reclaim_idle(l, &c->pool);
        if (captls_tls_error(l->conn) != CAPTLS_OK || l->io_error != CAPTLS_OK ||
            l->no_buffer) {
            *early = !got_any && info.handshake_done && c->stats.exchanges > 0;
            return tls_failure(c);
        }
        if (l->eof || captls_tls_peer_closed(l->conn) || captls_tlsd_done(l)) {
            captls_result e;
            if (!info.handshake_done)
                return tls_failure(c);
            if (!got_any) {
                *early = true;
                snprintf(c->err, sizeof(c->err), "%s: closed before responding",
                         c->url.host);
                return CAPTLS_ERR_CONN_RESET;
            }
            e = captls_http_resp_eof(&c->resp);
            if (e != CAPTLS_OK)
                snprintf(c->err, sizeof(c->err), "%s: bad HTTP response: %s",
                         c->url.host, captls_http_error_name(c->resp.why));
            return e;
        }
        if (left_ms(deadline) == 0) {
            captls_tls_abort(l->conn, CAPTLS_ERR_TIMEOUT);
            (void)captls_tlsd_pump(l, &c->pool);
            snprintf(c->err, sizeof(c->err), "%s: timed out", c->url.host);
            return CAPTLS_ERR_TIMEOUT;
        }
        p.fd = l->fd;
        p.events = captls_tlsd_poll_events(l);
        p.revents = 0;
        rc = poll(&p, 1, left_ms(deadline));
        if (rc < 0 && errno != EINTR) {
            snprintf(c->err, sizeof(c->err), "poll: %s", strerror(errno));
            return CAPTLS_ERR_IO;
        }
        if (rc > 0 && (p.revents & POLLOUT))
            l->want_write = false;
    }
}

captls_result captls_https_exchange(captls_https_client *c,
                                    const captls_https_request *req,
                                    uint8_t *body_buf, size_t body_cap,
                                    const captls_http_resp **resp)
{
    captls_http_request hr;
    uint8_t *wire;
    size_t wire_len = 0, cap;
    uint64_t deadline = now_ms() + c->opt.timeout_ms;
    bool head_req, early = false;
    captls_result r;

    *resp = NULL;
    c->err[0] = '\0';
    if (req == NULL || req->url == NULL || req->method == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    r = captls_http_url_parse(req->url, req->url_len, 0, &c->url);
    if (r != CAPTLS_OK) {
        snprintf(c->err, sizeof(c->err), "not an https URL (%s)",
                 captls_result_name(r));
        return r;
    }
    memset(&hr, 0, sizeof(hr));
    hr.method = req->method;
    hr.url = &c->url;
    hr.version = c->opt.version;
    hr.content_type = req->content_type;
    hr.accept = req->accept;
    hr.body = req->body;
    hr.body_len = req->body_len;
    cap = req->body_len + REQ_HEAD_ROOM + c->url.path_len + strlen(c->url.host);
    wire = malloc(cap);
    if (wire == NULL)
        return CAPTLS_ERR_INTERNAL;
    r = captls_http_request_write(&hr, wire, cap, &wire_len);
    if (r != CAPTLS_OK) {
        snprintf(c->err, sizeof(c->err), "cannot write the request (%s)",
                 captls_result_name(r));
        free(wire);
        return r;
    }
    head_req = strcmp(req->method, "HEAD") == 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool reuse = c->connected && c->reusable &&
                     captls_http_url_same_origin(&c->origin, &c->url);
        if (!reuse) {
            drop_connection(c, true);
            r = open_connection(c, deadline);
            if (r != CAPTLS_OK)
                break;
        } else {
            c->stats.reused++;
        }
        c->reusable = false;
        captls_http_resp_init(&c->resp, c->head, sizeof(c->head), body_buf,
                              body_cap, 0, head_req);
        r = run(c, wire, wire_len, deadline, &early);
        if (r == CAPTLS_OK || !reuse || !early)
            break;
        /* the kept-alive connection was gone before any answer: once more
         * on a fresh one */
        drop_connection(c, false);
    }
    free(wire);
    if (r == CAPTLS_OK || c->resp.headers_done)
        *resp = &c->resp;
    if (r == CAPTLS_OK)
        c->stats.exchanges++;
    if (r != CAPTLS_OK || !c->reusable)
        drop_connection(c, r == CAPTLS_OK);
    return r;
}

/* ---- the ACME transport -------------------------------------------------- */
static captls_acme_text text_of(captls_http_slice s)
{
    captls_acme_text t;

    t.ptr = (const char *)s.p;
    t.len = s.p != NULL ? s.len : 0;
    return t;
}

static captls_result acme_exchange(void *ctx, const captls_acme_request *req,
                                   uint8_t *body_buf, size_t body_cap,
                                   captls_acme_response *out)
{
    static const char *const methods[] = {"GET", "HEAD", "POST"};
    captls_https_client *c = ctx;
    captls_https_request hq;
    const captls_http_resp *rsp = NULL;
    captls_result r;
    uint64_t delay;

    memset(out, 0, sizeof(*out));
    out->retry_after = -1;
    if ((unsigned)req->method > CAPTLS_ACME_POST)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&hq, 0, sizeof(hq));
    hq.method = methods[req->method];
    hq.url = req->url;
    hq.url_len = req->url_len;
    hq.content_type = req->content_type;
    hq.accept = req->accept;
    hq.body = req->body;
    hq.body_len = req->body_len;
    r = captls_https_exchange(c, &hq, body_buf, body_cap, &rsp);
    if (r == CAPTLS_ERR_LIMIT_EXCEEDED && rsp != NULL &&
        rsp->why == CAPTLS_HTTP_E_BODY_SIZE) {
        out->body_truncated = true;
        r = CAPTLS_OK;
    }
    if (r != CAPTLS_OK)
        return r;
    out->status = (uint16_t)rsp->status;
    out->replay_nonce = text_of(rsp->replay_nonce);
    out->location = text_of(rsp->location);
    out->content_type = text_of(rsp->content_type);
    if (captls_http_resp_retry_delay(rsp, (uint64_t)time(NULL), &delay))
        out->retry_after = delay > INT32_MAX ? INT32_MAX : (int64_t)delay;
    for (size_t i = 0; i < rsp->link_count; i++) {
        captls_http_slice s;
        s.p = rsp->links[i].uri;
        s.len = rsp->links[i].uri_len;
        if (rsp->links[i].rel == CAPTLS_HTTP_REL_UP &&
            out->link_up_count < CAPTLS_ACME_MAX_LINKS)
            out->link_up[out->link_up_count++] = text_of(s);
        else if (rsp->links[i].rel == CAPTLS_HTTP_REL_ALTERNATE &&
                 out->link_alternate.ptr == NULL)
            out->link_alternate = text_of(s);
        else if (rsp->links[i].rel == CAPTLS_HTTP_REL_INDEX &&
                 out->link_index.ptr == NULL)
            out->link_index = text_of(s);
    }
    out->body = body_buf;
    out->body_len = rsp->body_len;
    return CAPTLS_OK;
}

captls_acme_transport captls_https_acme_transport(captls_https_client *c)
{
    captls_acme_transport t;

    t.ctx = c;
    t.exchange = acme_exchange;
    return t;
}
