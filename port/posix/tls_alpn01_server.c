/* tls-alpn-01 listener — see tls_alpn01_server.h. */
#include "port/posix/tls_alpn01_server.h"
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

#include "core/acme/solver_tls_alpn01.h"
#include "core/base/ct.h"
#include "core/tls/alert.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_driver.h"

typedef struct conn {
    bool used;
    captls_tlsd_link link;
    captls_alpn01_served served; /* the copy this handshake serves */
    bool close_queued, counted;
    uint64_t start_ms, last_ms;
    uint64_t last_in, last_out;
} conn;

struct captls_tls_alpn01_server {
    captls_posix_serving_thread st; /* listener, stop pipe, lock */
    captls_alpn01_solver table;   /* under lock */
    captls_tls_alpn01_server_stats stats; /* under lock */
    captls_posix_clock_ctx clock_ctx;
    captls_posix_entropy_ctx entropy_ctx;
    captls_tls_server_config cfg; /* the serving thread's */
    captls_tlsd_pool pool;        /* the serving thread's */
    conn conns[CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS];
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The engine's identity selector: the challenge for this ClientHello, or
 * the alert that refuses it (core/acme/solver_tls_alpn01.h). */
static captls_result select_identity(void *ctx, struct captls_tls_conn *c,
                                     const captls_tls_hello_view *hello,
                                     captls_tls_identity *out)
{
    captls_tls_alpn01_server *s = ctx;
    conn *k = NULL;
    captls_result r;

    for (size_t i = 0; i < CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS && k == NULL; i++)
        if (s->conns[i].used && s->conns[i].link.conn == c)
            k = &s->conns[i];
    if (k == NULL)
        return CAPTLS_ERR_INTERNAL;
    pthread_mutex_lock(&s->st.lock);
    r = captls_alpn01_select_identity(&s->table, hello, &k->served, out);
    pthread_mutex_unlock(&s->st.lock);
    return r;
}

static void conn_release(captls_tls_alpn01_server *s, conn *k)
{
    captls_tls_info info;

    if (!k->counted) {
        captls_result e = captls_tls_error(k->link.conn);
        captls_tls_info_get(k->link.conn, &info);
        pthread_mutex_lock(&s->st.lock);
        if (info.handshake_done)
            s->stats.served++;
        else if (e == CAPTLS_TLS_ERR(NO_APPLICATION_PROTOCOL))
            s->stats.refused_alpn++;
        else if (e == CAPTLS_TLS_ERR(UNRECOGNIZED_NAME))
            s->stats.refused_name++;
        else
            s->stats.failed++;
        pthread_mutex_unlock(&s->st.lock);
    }
    captls_alpn01_served_wipe(&k->served);
    captls_tlsd_link_free(&k->link, &s->pool);
    memset(k, 0, sizeof(*k));
    k->link.fd = -1;
}

/* Moves bytes; after the handshake, close_notify and nothing else (RFC
 * 8737 §3). true when the connection can be released. */
static bool conn_step(captls_tls_alpn01_server *s, conn *k)
{
    captls_tlsd_link *l = &k->link;
    captls_tls_info info;
    uint64_t now = now_ms();

    for (int rounds = 0; rounds < 64; rounds++) {
        bool moved = captls_tlsd_pump(l, &s->pool);
        captls_tls_info_get(l->conn, &info);
        if (info.handshake_done && !k->close_queued &&
            captls_tls_error(l->conn) == CAPTLS_OK) {
            captls_tls_close(l->conn);
            k->close_queued = true;
            moved = true;
        }
        /* plaintext the validator should not send: dropped unread */
        size_t n = 0;
        if (captls_tls_app_recv_buf(l->conn, &n) != NULL) {
            captls_tls_app_recv_ack(l->conn, n);
            moved = true;
        }
        if (!moved)
            break;
    }
    if (l->bytes_in != k->last_in || l->bytes_out != k->last_out) {
        k->last_in = l->bytes_in;
        k->last_out = l->bytes_out;
        k->last_ms = now;
    }
    captls_tlsd_reclaim_idle(l, &s->pool);
    if (l->io_error != CAPTLS_OK || l->no_buffer || captls_tlsd_done(l))
        return true;
    if (l->eof && !(captls_tls_state(l->conn) & CAPTLS_TLS_SENDREC))
        return true;
    if (k->close_queued && captls_tls_close_sent(l->conn))
        return true;
    if (captls_tls_error(l->conn) != CAPTLS_OK &&
        !(captls_tls_state(l->conn) & CAPTLS_TLS_SENDREC))
        return true;
    return now - k->last_ms > CAPTLS_TLS_ALPN01_SERVER_IDLE_MS ||
           now - k->start_ms > CAPTLS_TLS_ALPN01_SERVER_HS_MS;
}

static void accept_one(captls_tls_alpn01_server *s)
{
    int fd = accept(s->st.lfd, NULL, NULL);
    conn *k = NULL;

    if (fd < 0)
        return;
    if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        close(fd);
        return;
    }
    for (size_t j = 0; j < CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS && k == NULL; j++)
        if (!s->conns[j].used)
            k = &s->conns[j];
    if (k == NULL || !captls_tlsd_link_new(&k->link, fd)) {
        close(fd);
        return;
    }
    k->used = true;
    k->start_ms = k->last_ms = now_ms();
    if (captls_tls_server_init(k->link.conn, &s->cfg) != CAPTLS_OK) {
        k->counted = true;
        captls_tlsd_link_free(&k->link, &s->pool);
        memset(k, 0, sizeof(*k));
        return;
    }
    pthread_mutex_lock(&s->st.lock);
    s->stats.connections++;
    pthread_mutex_unlock(&s->st.lock);
}

static void *serve(void *arg)
{
    captls_tls_alpn01_server *s = arg;
    struct pollfd p[CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS + 2];
    int map[CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS + 2];

    for (;;) {
        nfds_t n = 0;
        size_t live = 0;
        int rc;

        p[n].fd = s->st.wake[0];
        p[n].events = POLLIN;
        map[n++] = -1;
        for (size_t i = 0; i < CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS; i++) {
            conn *k = &s->conns[i];
            if (!k->used)
                continue;
            live++;
            p[n].fd = k->link.fd;
            p[n].events = captls_tlsd_poll_events(&k->link);
            map[n++] = (int)i;
        }
        if (live < CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS) {
            p[n].fd = s->st.lfd;
            p[n].events = POLLIN;
            map[n++] = -2;
        }
        for (nfds_t i = 0; i < n; i++)
            p[i].revents = 0;
        rc = poll(p, n, 250);
        if (rc < 0 && errno != EINTR)
            break;
        if (p[0].revents != 0)
            break; /* stop */
        for (nfds_t i = 1; i < n; i++) {
            if (map[i] == -2 && p[i].revents != 0)
                accept_one(s);
        }
        /* every connection steps (timeouts too), new ones at once */
        for (size_t i = 0; i < CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS; i++) {
            conn *k = &s->conns[i];
            if (k->used && conn_step(s, k))
                conn_release(s, k);
        }
    }
    return NULL;
}

static void destroy(captls_tls_alpn01_server *s)
{
    captls_alpn01_wipe(&s->table);
    captls_zeroize(s, sizeof(*s));
    free(s);
}

bool captls_tls_alpn01_server_start(const char *addr, const char *const *names,
                                    size_t count,
                                    captls_tls_alpn01_server **out, char *err,
                                    size_t errcap)
{
    captls_tls_alpn01_server *s = calloc(1, sizeof(*s));
    captls_entropy entropy;
    captls_clock clock;
    const char *why = NULL;

    *out = NULL;
    if (s == NULL) {
        snprintf(err, errcap, "out of memory");
        return false;
    }
    captls_posix_entropy_init(&s->entropy_ctx, &entropy);
    captls_posix_clock_init(&s->clock_ctx, CAPTLS_CLOCK_TRUSTED, &clock);
    captls_alpn01_init(&s->table, entropy, clock);
    for (size_t i = 0; i < count; i++) {
        captls_result r = captls_alpn01_allow(&s->table, names[i],
                                              names[i] ? strlen(names[i]) : 0);
        if (r != CAPTLS_OK) {
            snprintf(err, errcap, "tls-alpn-01: name '%.200s': %s",
                     names[i] ? names[i] : "(null)", captls_result_name(r));
            destroy(s);
            return false;
        }
    }
    /* TLS 1.3 only, no ALPN of its own, no tickets, no client
     * certificate: the selector supplies key, chain and "acme-tls/1". */
    s->cfg.common.entropy = entropy;
    s->cfg.common.clock = clock;
    captls_cipher_policy_preset_init(&s->cfg.common.policy,
                                     CAPTLS_CIPHER_POLICY_MODERN);
    s->cfg.identity.ctx = s;
    s->cfg.identity.select = select_identity;
    if (captls_tls_server_config_check_why(&s->cfg, &why) != CAPTLS_OK) {
        snprintf(err, errcap, "tls-alpn-01: %s", why ? why : "bad TLS config");
        destroy(s);
        return false;
    }
    captls_tlsd_pool_init(&s->pool);
    for (size_t i = 0; i < CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS; i++)
        s->conns[i].link.fd = -1;
    if (!captls_posix_serving_start(&s->st, "--tls-listen", addr, serve, s,
                                    err, errcap)) {
        destroy(s);
        return false;
    }
    *out = s;
    return true;
}

uint16_t captls_tls_alpn01_server_port(const captls_tls_alpn01_server *s)
{
    return s->st.port;
}

void captls_tls_alpn01_server_stop(captls_tls_alpn01_server *s)
{
    if (s == NULL)
        return;
    captls_posix_serving_stop(&s->st);
    for (size_t i = 0; i < CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS; i++)
        if (s->conns[i].used) {
            s->conns[i].counted = true;
            conn_release(s, &s->conns[i]);
        }
    captls_tlsd_pool_fini(&s->pool);
    captls_posix_serving_close(&s->st);
    destroy(s);
}

captls_result captls_tls_alpn01_server_publish(captls_tls_alpn01_server *s,
                                               const char *name, size_t n,
                                               const char *ka, size_t ka_len)
{
    captls_result r;

    pthread_mutex_lock(&s->st.lock);
    r = captls_alpn01_publish(&s->table, name, n, ka, ka_len);
    pthread_mutex_unlock(&s->st.lock);
    return r;
}

void captls_tls_alpn01_server_retire(captls_tls_alpn01_server *s,
                                     const char *name, size_t n,
                                     const char *ka, size_t ka_len)
{
    pthread_mutex_lock(&s->st.lock);
    captls_alpn01_retire(&s->table, name, n, ka, ka_len);
    pthread_mutex_unlock(&s->st.lock);
}

void captls_tls_alpn01_server_stats_get(captls_tls_alpn01_server *s,
                                        captls_tls_alpn01_server_stats *out)
{
    pthread_mutex_lock(&s->st.lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->st.lock);
}

/* The core capability's checks (type, "dns", no wildcard), under the lock. */
static size_t locked_supports(void *ctx, captls_acme_challenge_type *types,
                              size_t max)
{
    captls_tls_alpn01_server *s = ctx;
    captls_acme_solver inner = captls_alpn01_solver_cap(&s->table);
    return inner.supports(inner.ctx, types, max);
}

static captls_result locked_solve(void *ctx, const captls_acme_challenge *ch)
{
    captls_tls_alpn01_server *s = ctx;
    captls_acme_solver inner = captls_alpn01_solver_cap(&s->table);
    captls_result r;

    pthread_mutex_lock(&s->st.lock);
    r = inner.solve(inner.ctx, ch);
    pthread_mutex_unlock(&s->st.lock);
    return r;
}

static void locked_cleanup(void *ctx, const captls_acme_challenge *ch)
{
    captls_tls_alpn01_server *s = ctx;
    captls_acme_solver inner = captls_alpn01_solver_cap(&s->table);

    pthread_mutex_lock(&s->st.lock);
    inner.cleanup(inner.ctx, ch);
    pthread_mutex_unlock(&s->st.lock);
}

captls_acme_solver captls_tls_alpn01_server_solver(captls_tls_alpn01_server *s)
{
    captls_acme_solver c;

    c.ctx = s;
    c.supports = locked_supports;
    c.solve = locked_solve;
    c.cleanup = locked_cleanup;
    return c;
}
