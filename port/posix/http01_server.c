/* http-01 listener — see http01_server.h. */
#include "port/posix/http01_server.h"
#include "port/posix/listen_addr.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/acme/solver_http01.h"
#include "core/http/http_server.h"

#define OUT_CAP 1024u

typedef struct conn {
    int fd;                   /* -1: free */
    captls_http_req req;
    uint8_t head[CAPTLS_HTTP_SERVER_HEADER_BYTES];
    uint8_t in[2048];         /* read but not yet parsed */
    size_t in_len, in_off;
    uint8_t out[OUT_CAP];
    size_t out_len, out_off;
    bool close_after;         /* close once out is flushed */
    uint64_t last_ms;
} conn;

struct captls_http01_server {
    captls_posix_serving_thread st; /* listener, stop pipe, lock */
    captls_http01_solver table;   /* under lock */
    captls_http01_server_stats stats; /* under lock */
    conn conns[CAPTLS_HTTP01_SERVER_MAX_CONNS];
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void conn_close(conn *k)
{
    if (k->fd >= 0)
        close(k->fd);
    k->fd = -1;
}

static void conn_reset(conn *k)
{
    captls_http_req_init(&k->req, k->head, sizeof(k->head), 0);
}

/* Answers the request in k->req (or the parse error e) into k->out. */
static void answer(captls_http01_server *s, conn *k, captls_result e)
{
    captls_http_response rsp;
    captls_http01_answer a;
    size_t n = 0;

    memset(&rsp, 0, sizeof(rsp));
    pthread_mutex_lock(&s->st.lock);
    s->stats.requests++;
    if (e != CAPTLS_OK) {
        s->stats.refused++;
        rsp.status = captls_http_req_error_status(e, k->req.why);
        rsp.close = true;
    } else {
        captls_http01_route(&s->table, k->req.method.p, k->req.method.len,
                            k->req.target.p, k->req.target.len, &a);
        if (a.status == 200)
            s->stats.served++;
        else if (a.status == 405)
            s->stats.bad_method++;
        else
            s->stats.not_found++;
        rsp.status = a.status;
        rsp.content_type = a.content_type;
        rsp.allow = a.allow;
        rsp.body = a.body;
        rsp.body_len = a.body_len;
        rsp.close = !k->req.keep_alive;
    }
    /* the body may point into the table: written while locked */
    if (captls_http_response_write(&rsp, k->out, sizeof(k->out), &n) != CAPTLS_OK) {
        n = 0;
        rsp.close = true;
    }
    pthread_mutex_unlock(&s->st.lock);
    k->out_len = n;
    k->out_off = 0;
    k->close_after = rsp.close;
}

/* Parses what was read; answers at most one request at a time. */
static void conn_process(captls_http01_server *s, conn *k)
{
    while (k->out_len == 0 && !k->close_after && k->in_off < k->in_len) {
        size_t used = 0;
        captls_result e = captls_http_req_feed(&k->req, k->in + k->in_off,
                                               k->in_len - k->in_off, &used);
        k->in_off += used;
        if (e == CAPTLS_NEED_MORE)
            break;
        answer(s, k, e);
        conn_reset(k);
    }
    if (k->in_off == k->in_len)
        k->in_off = k->in_len = 0;
}

/* Sends what is pending. false if the connection was closed. */
static bool flush(captls_http01_server *s, conn *k)
{
    while (k->out_len > k->out_off) {
        ssize_t w = send(k->fd, k->out + k->out_off, k->out_len - k->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true; /* POLLOUT finishes it */
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            conn_close(k);
            return false;
        }
        k->out_off += (size_t)w;
        k->last_ms = now_ms();
    }
    k->out_len = k->out_off = 0;
    if (k->close_after) {
        shutdown(k->fd, SHUT_WR);
        conn_close(k);
        return false;
    }
    conn_process(s, k); /* a pipelined request already read */
    return k->out_len == 0 || flush(s, k);
}

static void conn_io(captls_http01_server *s, conn *k, short revents)
{
    if (!flush(s, k))
        return;
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && k->out_len == 0 &&
        k->in_len < sizeof(k->in)) {
        ssize_t r = recv(k->fd, k->in + k->in_len, sizeof(k->in) - k->in_len,
                         MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                       errno != EINTR)) {
            conn_close(k);
            return;
        }
        if (r > 0) {
            k->in_len += (size_t)r;
            k->last_ms = now_ms();
        }
    }
    conn_process(s, k);
    (void)flush(s, k);
}

static void *serve(void *arg)
{
    captls_http01_server *s = arg;
    struct pollfd p[CAPTLS_HTTP01_SERVER_MAX_CONNS + 2];
    int map[CAPTLS_HTTP01_SERVER_MAX_CONNS + 2];

    for (;;) {
        nfds_t n = 0;
        size_t live = 0;
        uint64_t now = now_ms();
        int rc;

        p[n].fd = s->st.wake[0];
        p[n].events = POLLIN;
        map[n++] = -1;
        for (size_t i = 0; i < CAPTLS_HTTP01_SERVER_MAX_CONNS; i++) {
            conn *k = &s->conns[i];
            if (k->fd < 0)
                continue;
            if (now - k->last_ms > CAPTLS_HTTP01_SERVER_IDLE_MS) {
                conn_close(k);
                continue;
            }
            live++;
            p[n].fd = k->fd;
            p[n].events = k->out_len > 0 ? POLLOUT : POLLIN;
            map[n++] = (int)i;
        }
        if (live < CAPTLS_HTTP01_SERVER_MAX_CONNS) {
            p[n].fd = s->st.lfd;
            p[n].events = POLLIN;
            map[n++] = -2;
        }
        for (nfds_t i = 0; i < n; i++)
            p[i].revents = 0;
        rc = poll(p, n, 1000);
        if (rc < 0 && errno != EINTR)
            break;
        if (p[0].revents != 0)
            break; /* stop */
        for (nfds_t i = 1; i < n; i++) {
            if (p[i].revents == 0)
                continue;
            if (map[i] == -2) {
                int fd = accept(s->st.lfd, NULL, NULL);
                if (fd < 0)
                    continue;
                if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0 ||
                    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
                    close(fd);
                    continue;
                }
                for (size_t j = 0; j < CAPTLS_HTTP01_SERVER_MAX_CONNS; j++) {
                    conn *k = &s->conns[j];
                    if (k->fd >= 0)
                        continue;
                    memset(k, 0, sizeof(*k));
                    k->fd = fd;
                    k->last_ms = now_ms();
                    conn_reset(k);
                    fd = -1;
                    pthread_mutex_lock(&s->st.lock);
                    s->stats.connections++;
                    pthread_mutex_unlock(&s->st.lock);
                    break;
                }
                if (fd >= 0)
                    close(fd);
            } else {
                conn_io(s, &s->conns[map[i]], p[i].revents);
            }
        }
    }
    return NULL;
}

bool captls_http01_server_start(const char *addr, captls_http01_server **out,
                                char *err, size_t errcap)
{
    captls_http01_server *s = calloc(1, sizeof(*s));

    *out = NULL;
    if (s == NULL) {
        snprintf(err, errcap, "out of memory");
        return false;
    }
    for (size_t i = 0; i < CAPTLS_HTTP01_SERVER_MAX_CONNS; i++)
        s->conns[i].fd = -1;
    captls_http01_init(&s->table);
    if (!captls_posix_serving_start(&s->st, "--http-listen", addr, serve, s,
                                    err, errcap)) {
        free(s);
        return false;
    }
    *out = s;
    return true;
}

uint16_t captls_http01_server_port(const captls_http01_server *s)
{
    return s->st.port;
}

void captls_http01_server_stop(captls_http01_server *s)
{
    if (s == NULL)
        return;
    captls_posix_serving_stop(&s->st);
    for (size_t i = 0; i < CAPTLS_HTTP01_SERVER_MAX_CONNS; i++)
        conn_close(&s->conns[i]);
    captls_posix_serving_close(&s->st);
    captls_http01_wipe(&s->table);
    free(s);
}

captls_result captls_http01_server_publish(captls_http01_server *s,
                                           const char *token, size_t token_len,
                                           const char *ka, size_t ka_len)
{
    captls_result r;

    pthread_mutex_lock(&s->st.lock);
    r = captls_http01_publish(&s->table, token, token_len, ka, ka_len);
    pthread_mutex_unlock(&s->st.lock);
    return r;
}

void captls_http01_server_retire(captls_http01_server *s, const char *token,
                                 size_t token_len)
{
    pthread_mutex_lock(&s->st.lock);
    captls_http01_retire(&s->table, token, token_len);
    pthread_mutex_unlock(&s->st.lock);
}

void captls_http01_server_stats_get(captls_http01_server *s,
                                    captls_http01_server_stats *out)
{
    pthread_mutex_lock(&s->st.lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->st.lock);
}

static size_t locked_supports(void *ctx, captls_acme_challenge_type *types,
                              size_t max)
{
    (void)ctx;
    if (max == 0)
        return 0;
    types[0] = CAPTLS_ACME_CHALLENGE_HTTP01;
    return 1;
}

static captls_result locked_solve(void *ctx, const captls_acme_challenge *ch)
{
    if (ch == NULL || ch->type != CAPTLS_ACME_CHALLENGE_HTTP01)
        return CAPTLS_ERR_UNSUPPORTED;
    return captls_http01_server_publish(ctx, ch->token, ch->token_len,
                                        ch->key_authorization,
                                        ch->key_authorization_len);
}

static void locked_cleanup(void *ctx, const captls_acme_challenge *ch)
{
    if (ch != NULL && ch->type == CAPTLS_ACME_CHALLENGE_HTTP01)
        captls_http01_server_retire(ctx, ch->token, ch->token_len);
}

captls_acme_solver captls_http01_server_solver(captls_http01_server *s)
{
    captls_acme_solver c;

    c.ctx = s;
    c.supports = locked_supports;
    c.solve = locked_solve;
    c.cleanup = locked_cleanup;
    return c;
}
