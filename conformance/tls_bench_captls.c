/* conformance/tls_bench_captls.c — see tls_bench_captls.h. */
#include "conformance/tls_bench_captls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/tls/ticket_key.h"
#include "core/tls/tls.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_options.h"

#define KINDS 3
static const unsigned kind_bit[KINDS] = {CAPTLS_TLS_BUF_RX, CAPTLS_TLS_BUF_TX,
                                         CAPTLS_TLS_BUF_HS};
enum { RX = 0, TX = 1, HS = 2 };

/* One engine and the buffers it may borrow. */
typedef struct end {
    captls_tls_conn conn;
    uint8_t *buf[KINDS];
    size_t full[KINDS];     /* allocated size */
    bool lent[KINDS];
    size_t lent_cap[KINDS];
    size_t lent_bytes, high_water;
    unsigned long long app_in; /* plaintext bytes received */
} end;

struct tb_captls {
    tb_captls_opts opts;
    captls_posix_clock_ctx clock_ctx;
    captls_posix_entropy_ctx entropy_ctx;
    captls_tls_server_config server;
    captls_tls_client_config client;
    captls_tls_ticket_keys ticket_keys;
    bool have_ticket_keys;
    /* sessions: `offer` is what a client init borrows for its handshake,
     * `latest` what the callback stores (never the one being offered) */
    captls_tls_session offer, latest;
    bool have_offer, have_latest;
    end c, s;
    size_t tx_small;        /* TX lent with a record_size_limit */
    bool pool;              /* memory run: give buffers back when idle */
};

/* The key, chain and trust store of each key type, loaded once: like the
 * programs, tls_options keeps them for the life of the process. */
static struct {
    captls_tlsopt_identity *id;
    captls_tlsopt_trust *trust;
} loaded[3];

static int fail(const char *what, captls_result r)
{
    fprintf(stderr, "captls-tls-bench: captls: %s%s%s\n", what, r ? ": " : "",
            r ? captls_result_name(r) : "");
    return -1;
}

static void on_session(void *ctx, const captls_tls_session *s)
{
    tb_captls *t = ctx;
    t->latest = *s;
    t->have_latest = true;
}

static bool policy_for(captls_cipher_policy *p, const char *suite)
{
    captls_cipher_policy_preset_init(p, CAPTLS_CIPHER_POLICY_MODERN);
    return captls_cipher_policy_set_suites(p, suite) == CAPTLS_OK &&
           captls_cipher_policy_set_groups(p, "x25519") == CAPTLS_OK;
}

tb_captls *tb_captls_new(const tb_pki *pki, const tb_captls_opts *opts)
{
    tb_captls *t = calloc(1, sizeof(*t));
    char err[CAPTLS_TLSOPT_ERR];
    if (t == NULL)
        return NULL;
    t->opts = *opts;
    captls_tls_common_config common;
    memset(&common, 0, sizeof(common));
    captls_posix_clock_init(&t->clock_ctx, CAPTLS_CLOCK_TRUSTED, &common.clock);
    captls_posix_entropy_init(&t->entropy_ctx, &common.entropy);
    common.record_size_limit = opts->record_size_limit;
    if (!policy_for(&common.policy, opts->suite)) {
        fail("cipher policy", CAPTLS_OK);
        goto out;
    }
    t->server.common = common;
    t->client.common = common;
    if (loaded[pki->alg].id == NULL) {
        static captls_posix_clock_ctx audit_clock_ctx;
        static captls_clock audit_clock;
        captls_tlsopt_trust *trust = calloc(1, sizeof(*trust));
        captls_posix_clock_init(&audit_clock_ctx, CAPTLS_CLOCK_TRUSTED, &audit_clock);
        if (trust == NULL ||
            !captls_tlsopt_identity_load(pki->leaf_pem, pki->key_pem,
                                         &loaded[pki->alg].id, err, sizeof(err)) ||
            !captls_tlsopt_trust_init(trust, pki->ca_pem, &audit_clock, err,
                                      sizeof(err))) {
            fprintf(stderr, "captls-tls-bench: captls: %s\n", trust ? err : "out of memory");
            free(trust);
            loaded[pki->alg].id = NULL;
            goto out;
        }
        loaded[pki->alg].trust = trust;
    }
    t->server.key = *captls_tlsopt_identity_signer(loaded[pki->alg].id);
    t->server.chain = *captls_tlsopt_identity_chain(loaded[pki->alg].id);
    t->client.verifier = loaded[pki->alg].trust->pt.peer;
    if (opts->tickets) {
        captls_result r = captls_tls_ticket_keys_init(&t->ticket_keys, common.entropy);
        if (r != CAPTLS_OK) {
            fail("ticket keys", r);
            goto out;
        }
        t->have_ticket_keys = true;
        captls_tls_ticket_keys_iface(&t->ticket_keys, &t->server.tickets);
        t->server.ticket_lifetime_s = 7200;
        t->server.tickets_per_handshake = 1;
    }
    captls_result r = captls_tls_server_config_check(&t->server);
    if (r == CAPTLS_OK)
        r = captls_tls_client_config_check(&t->client);
    if (r != CAPTLS_OK) {
        fail("configuration refused", r);
        goto out;
    }
    /* buffers: full size; the small TX of a record_size_limit run carries
     * one record of the peer's limit (RFC 8449 §4: the limit counts the
     * TLS 1.3 content type byte) */
    end *ends[2] = {&t->c, &t->s};
    for (int e = 0; e < 2; e++) {
        ends[e]->full[RX] = CAPTLS_TLS_RX_BUF_SIZE;
        ends[e]->full[TX] = CAPTLS_TLS_TX_BUF_FULL;
        ends[e]->full[HS] = CAPTLS_TLS_HS_BUF_SIZE;
        for (int k = 0; k < KINDS; k++)
            if ((ends[e]->buf[k] = malloc(ends[e]->full[k])) == NULL)
                goto out;
    }
    t->tx_small = CAPTLS_TLS_TX_BUF_FULL;
    if (opts->record_size_limit != 0) {
        t->tx_small = CAPTLS_TLS_RECORD_HEADER + opts->record_size_limit + 16u;
        if (t->tx_small < CAPTLS_TLS_TX_BUF_MIN)
            t->tx_small = CAPTLS_TLS_TX_BUF_MIN;
    }
    return t;
out:
    tb_captls_free(t);
    return NULL;
}

void tb_captls_free(tb_captls *t)
{
    if (t == NULL)
        return;
    if (t->have_ticket_keys)
        captls_tls_ticket_keys_destroy(&t->ticket_keys);
    for (int k = 0; k < KINDS; k++) {
        free(t->c.buf[k]);
        free(t->s.buf[k]);
    }
    captls_tls_conn_wipe(&t->c.conn);
    captls_tls_conn_wipe(&t->s.conn);
    /* the identity and trust store live for the program (loaded[]) */
    free(t);
}

/* ------------------------------------------------------------ driving */

static bool hs_done(const end *e)
{
    captls_tls_info info;
    captls_tls_info_get(&e->conn, &info);
    return info.handshake_done;
}

/* RX and TX sizes for the next lend: during the handshake RX must hold a
 * plaintext record of 2^14 (tls.h); after it, a record of our limit. */
static size_t lend_size(const tb_captls *t, const end *e, int k)
{
    if (k == RX && t->opts.record_size_limit != 0 && hs_done(e))
        return captls_tls_rx_buf_size(t->opts.record_size_limit);
    if (k == TX)
        return t->tx_small;
    return e->full[k];
}

static int lend(tb_captls *t, end *e, int k)
{
    size_t cap = lend_size(t, e, k);
    captls_result r = captls_tls_lend(&e->conn, kind_bit[k], e->buf[k], cap);
    if (r != CAPTLS_OK)
        return fail("lend", r);
    e->lent[k] = true;
    e->lent_cap[k] = cap;
    e->lent_bytes += cap;
    if (e->lent_bytes > e->high_water)
        e->high_water = e->lent_bytes;
    return 0;
}

static void reclaim_all(end *e)
{
    for (int k = 0; k < KINDS; k++) {
        uint8_t *b;
        size_t cap;
        if (e->lent[k] && captls_tls_reclaim(&e->conn, kind_bit[k], &b, &cap)) {
            e->lent[k] = false;
            e->lent_bytes -= e->lent_cap[k];
        }
    }
}

/* Lends what the engine asks for; hands received plaintext to "the
 * application" (copied out, as SSL_read does). */
static int service(tb_captls *t, end *e)
{
    static uint8_t app[CAPTLS_TLS_MAX_PLAINTEXT];
    if (captls_tls_state(&e->conn) & CAPTLS_TLS_NEEDBUF) {
        unsigned want = captls_tls_buffers_wanted(&e->conn);
        for (int k = 0; k < KINDS; k++)
            if ((want & kind_bit[k]) && !e->lent[k] && lend(t, e, k) != 0)
                return -1;
    }
    while (captls_tls_state(&e->conn) & CAPTLS_TLS_RECVAPP) {
        size_t len;
        const uint8_t *p = captls_tls_app_recv_buf(&e->conn, &len);
        if (p == NULL || len == 0)
            break;
        memcpy(app, p, len < sizeof(app) ? len : sizeof(app));
        e->app_in += len;
        captls_tls_app_recv_ack(&e->conn, len);
    }
    return 0;
}

/* Moves what `from` has for its peer into `to`; returns the bytes moved
 * or -1 on an error of either engine. */
static long move(tb_captls *t, end *from, end *to)
{
    long moved = 0;
    while (captls_tls_state(&from->conn) & CAPTLS_TLS_SENDREC) {
        size_t len, cap;
        const uint8_t *src = captls_tls_send_buf(&from->conn, &len);
        if (src == NULL || len == 0 || service(t, to) != 0)
            break;
        /* bytes are waiting: an idle engine asks for no RX, a driver
         * lends one when its socket is readable */
        if (!(captls_tls_state(&to->conn) & CAPTLS_TLS_RECVREC) && !to->lent[RX] &&
            lend(t, to, RX) != 0)
            return -1;
        if (!(captls_tls_state(&to->conn) & CAPTLS_TLS_RECVREC))
            break;
        uint8_t *dst = captls_tls_recv_buf(&to->conn, &cap);
        size_t n = len < cap ? len : cap;
        if (dst == NULL || n == 0)
            break;
        memcpy(dst, src, n);
        captls_tls_send_ack(&from->conn, n);
        captls_result r = captls_tls_recv_ack(&to->conn, n);
        if (r != CAPTLS_OK)
            return fail("receiving", r);
        moved += (long)n;
    }
    if (captls_tls_error(&from->conn) != CAPTLS_OK)
        return fail("sending", captls_tls_error(&from->conn));
    return moved;
}

/* Runs both engines until neither has bytes for the other. */
static int pump(tb_captls *t)
{
    for (int round = 0; round < 10000; round++) {
        if (service(t, &t->c) != 0 || service(t, &t->s) != 0)
            return -1;
        long a = move(t, &t->c, &t->s), b = move(t, &t->s, &t->c);
        if (a < 0 || b < 0 || service(t, &t->c) != 0 || service(t, &t->s) != 0)
            return -1;
        if (t->pool) {
            reclaim_all(&t->c);
            reclaim_all(&t->s);
        }
        if (a == 0 && b == 0)
            return 0;
    }
    return fail("the engines do not settle", CAPTLS_OK);
}

static void end_reset(end *e)
{
    /* the engine gave everything back when it was wiped: start unlent */
    for (int k = 0; k < KINDS; k++)
        e->lent[k] = false;
    e->lent_bytes = e->high_water = 0;
}

static int handshake(tb_captls *t, bool resume)
{
    captls_result r;
    captls_tls_conn_wipe(&t->c.conn);
    captls_tls_conn_wipe(&t->s.conn);
    end_reset(&t->c);
    end_reset(&t->s);
    if (resume) {
        if (!t->have_latest)
            return fail("no ticket to resume with", CAPTLS_OK);
        t->offer = t->latest; /* a ticket is used once (RFC 8446 §C.4) */
        t->have_latest = false;
    }
    r = captls_tls_server_init(&t->s.conn, &t->server);
    if (r == CAPTLS_OK)
        r = captls_tls_client_init(&t->c.conn, &t->client, TB_PKI_HOST,
                                   resume ? &t->offer : NULL, on_session, t);
    if (r != CAPTLS_OK)
        return fail("init", r);
    if (pump(t) != 0)
        return -1;
    captls_tls_info ci, si;
    captls_tls_info_get(&t->c.conn, &ci);
    captls_tls_info_get(&t->s.conn, &si);
    if (!ci.handshake_done || !si.handshake_done)
        return fail("handshake not finished", captls_tls_error(&t->c.conn));
    if (ci.peer_auth != CAPTLS_TLS_PEER_VERIFIED)
        return fail("the client did not verify the server", CAPTLS_OK);
    /* the suite asked for, and an x25519 exchange (PSK-DHE when resumed) */
    if (ci.suite != t->client.common.policy.suites[0] ||
        ci.group != CAPTLS_TLS_GROUP_X25519 || si.group != CAPTLS_TLS_GROUP_X25519)
        return fail("wrong suite or group", CAPTLS_OK);
    if (ci.resumed != resume || si.resumed != resume)
        return fail(resume ? "not resumed" : "resumed unexpectedly", CAPTLS_OK);
    if (t->opts.tickets && !t->have_latest)
        return fail("no ticket received", CAPTLS_OK);
    return 0;
}

/* CPU time of this thread: the figures are per CPU-second, so other
 * processes on a shared machine do not skew them. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double tb_captls_handshakes(tb_captls *t, double seconds, bool resume)
{
    t->pool = false;
    if (resume && !t->have_latest && handshake(t, false) != 0)
        return -1;
    double t0 = now(), tn;
    unsigned long n = 0;
    do {
        if (handshake(t, resume) != 0)
            return -1;
        n++;
        tn = now();
    } while (tn - t0 < seconds);
    return (double)n / (tn - t0);
}

/* One record of `len` plaintext bytes client -> server. */
static int one_record(tb_captls *t, const uint8_t *data, size_t len)
{
    size_t room;
    if (!t->c.lent[TX] && lend(t, &t->c, TX) != 0)
        return -1;
    uint8_t *p = captls_tls_app_send_buf(&t->c.conn, &room);
    if (p == NULL || room < len)
        return fail("no room for a full record", captls_tls_error(&t->c.conn));
    memcpy(p, data, len);
    captls_result r = captls_tls_app_send_ack(&t->c.conn, len);
    if (r != CAPTLS_OK)
        return fail("sealing", r);
    unsigned long long before = t->s.app_in;
    if (move(t, &t->c, &t->s) <= 0 || service(t, &t->s) != 0)
        return -1;
    if (t->s.app_in - before != len)
        return fail("the record did not arrive whole", captls_tls_error(&t->s.conn));
    return 0;
}

double tb_captls_bulk(tb_captls *t, double seconds)
{
    static uint8_t data[CAPTLS_TLS_MAX_PLAINTEXT];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7u + 1u);
    t->pool = false;
    if (handshake(t, false) != 0)
        return -1;
    double t0 = now(), tn;
    unsigned long n = 0;
    do {
        for (int i = 0; i < 16; i++)
            if (one_record(t, data, sizeof(data)) != 0)
                return -1;
        n += 16;
        tn = now();
    } while (tn - t0 < seconds);
    return (double)n * sizeof(data) / 1e6 / (tn - t0);
}

int tb_captls_memory(tb_captls *t, tb_captls_mem *out)
{
    static uint8_t data[CAPTLS_TLS_MAX_PLAINTEXT];
    end *sides[2] = {&t->s, &t->c};
    memset(out, 0, sizeof(*out));
    out->state = CAPTLS_TLS_CONN_SIZE;
    t->pool = true;
    int rc = handshake(t, false);
    if (rc == 0) {
        for (int i = 0; i < 2; i++)
            out->hs_peak[i] = out->state + sides[i]->high_water;
        /* one full record after the handshake, from idle */
        for (int i = 0; i < 2; i++)
            sides[i]->high_water = sides[i]->lent_bytes;
        size_t rec = t->opts.record_size_limit ? t->opts.record_size_limit - 1u
                                               : sizeof(data);
        rc = one_record(t, data, rec);
    }
    if (rc == 0) {
        for (int i = 0; i < 2; i++)
            out->in_flight[i] = out->state + sides[i]->high_water;
        reclaim_all(&t->c);
        reclaim_all(&t->s);
        for (int i = 0; i < 2; i++)
            out->idle[i] = out->state + sides[i]->lent_bytes;
        out->rx_hs = CAPTLS_TLS_RX_BUF_SIZE;
        out->rx = lend_size(t, &t->s, RX);
        out->tx = t->tx_small;
        out->hs = CAPTLS_TLS_HS_BUF_SIZE;
    }
    t->pool = false;
    return rc;
}
