/* fuzz/tls_fuzz_world.h — what the TLS engine fuzzers (fuzz_tls_server.c,
 * fuzz_tls_client.c) and their seed generator (tls_corpus_gen.c) share:
 * the world of core/tls/test_tls_pair.h (sim PKI, deterministic entropy,
 * fixed clock, deterministic ticket keys), built once and reset before
 * every input, the meaning of the input's first byte (configuration
 * flags), and a driver loop that plays an application: it lends and
 * reclaims buffers, echoes application data, sends data and a KeyUpdate
 * once the handshake is done, and closes when the input ends.
 *
 * The engine is built with -DCAPTLS_FUZZING in the fuzz variants (record
 * protection is the identity with a zero tag, Finished / binder /
 * CertificateVerify checks accept any well-formed value), so a recorded
 * transcript replays whatever keys the run derives. Runs from the
 * repository root (the sim PKI is read from sim/scenarios/pki/).
 *
 * Invariants checked on every input (abort() on violation): the error is
 * sticky; after it, at most one record (the alert) is sent; every record
 * sent is well formed; a connection CLOSED without error has sent and
 * received close_notify. */
#ifndef CAPTLS_FUZZ_TLS_FUZZ_WORLD_H
#define CAPTLS_FUZZ_TLS_FUZZ_WORLD_H

#include "core/tls/conn_internal.h" /* STEP_CONNECTED */
#include "core/tls/test_tls_pair.h"

/* First input byte: server flags (fuzz_tls_server) ... */
#define FZ_S_P256_ONLY 0x01u /* groups {secp256r1}: x25519-first -> HRR */
#define FZ_S_ASK_CERT 0x02u  /* CertificateRequest (client cert optional) */
#define FZ_S_ALPN 0x04u      /* ALPN {"h2"} */
/* ... or client flags (fuzz_tls_client) */
#define FZ_C_P256_FIRST 0x01u /* groups secp256r1, x25519 */
#define FZ_C_CERT 0x02u       /* a client certificate for mTLS */
#define FZ_C_ALPN 0x04u       /* ALPN {"h2", "http/1.1"} */
/* both */
#define FZ_RSL 0x08u     /* record_size_limit 512 */
#define FZ_CHUNK 0x10u   /* input fed in pieces of at most 7 bytes */
#define FZ_SMALL_TX 0x20u /* TX of CAPTLS_TLS_TX_BUF_MIN bytes */
#define FZ_RECLAIM 0x40u /* reclaim every buffer the engine lets go */

static tp_world FZ_W;
static captls_tls_server_config FZ_SCFG0;
static captls_tls_client_config FZ_CCFG0;
static bool FZ_READY;

static inline void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "tls fuzz invariant violated: %s\n", what);
        abort();
    }
}

/* Resets the world to the same state before every run. */
static inline void fz_world_reset(void)
{
    captls_entropy e;
    if (!FZ_READY) {
        tp_world_init(&FZ_W);
        FZ_SCFG0 = FZ_W.scfg;
        FZ_CCFG0 = FZ_W.ccfg;
        FZ_READY = true;
    }
    FZ_W.rng_c.state = 1;
    FZ_W.rng_s.state = 2;
    FZ_W.rng_t.state = 3;
    FZ_W.rng_c.fail = FZ_W.rng_s.fail = false;
    FZ_W.clock.now = TP_T0;
    FZ_W.clock.mono_ns = 1000000000ull;
    FZ_W.scfg = FZ_SCFG0;
    FZ_W.ccfg = FZ_CCFG0;
    FZ_W.sessions = 0;
    e.ctx = &FZ_W.rng_t;
    e.fill = tp_fill;
    if (captls_tls_ticket_keys_init(&FZ_W.tickets, e) != CAPTLS_OK)
        abort();
}

static inline void fz_apply_server(tp_world *w, unsigned flags)
{
    if (flags & FZ_S_P256_ONLY)
        if (captls_cipher_policy_set_groups(&w->scfg.common.policy,
                                            "secp256r1") != CAPTLS_OK)
            abort();
    if (flags & FZ_S_ASK_CERT)
        w->scfg.client_verifier = w->ccfg.verifier;
    if (flags & FZ_S_ALPN) {
        w->scfg.common.alpn[0] = "h2";
        w->scfg.common.alpn_count = 1;
    }
    if (flags & FZ_RSL)
        w->scfg.common.record_size_limit = 512;
}

static inline void fz_apply_client(tp_world *w, unsigned flags)
{
    if (flags & FZ_C_P256_FIRST)
        if (captls_cipher_policy_set_groups(&w->ccfg.common.policy,
                                            "secp256r1,x25519") != CAPTLS_OK)
            abort();
    if (flags & FZ_C_CERT) {
        w->ccfg.have_client_auth = true;
        w->ccfg.client_auth.key = w->scfg.key;
        w->ccfg.client_auth.chain = w->scfg.chain;
    }
    if (flags & FZ_C_ALPN) {
        w->ccfg.common.alpn[0] = "h2";
        w->ccfg.common.alpn[1] = "http/1.1";
        w->ccfg.common.alpn_count = 2;
    }
    if (flags & FZ_RSL)
        w->ccfg.common.record_size_limit = 512;
}

/* ---- the driver ---------------------------------------------------------- */

typedef struct fz_run {
    tp_end *e;
    unsigned flags;
    bool failed;          /* the error was seen */
    captls_result error;
    size_t records_after_error;
    bool app_started;
    /* partial record being sent (for the well-formedness check) */
    uint8_t hdr[5];
    size_t hdr_len, body_left;
} fz_run;

static inline void fz_lend(fz_run *r)
{
    tp_end *e = r->e;
    /* A lend lets the engine go on, which may make it want another buffer
     * (a record waiting for HS fails and the alert needs TX): repeat. */
    for (int round = 0; round < 4; round++) {
        unsigned want = captls_tls_buffers_wanted(&e->conn);
        if (want == 0)
            return;
        if (want & CAPTLS_TLS_BUF_RX)
            fz_check(captls_tls_lend(&e->conn, CAPTLS_TLS_BUF_RX, e->rx,
                                     sizeof e->rx) == CAPTLS_OK, "lend RX");
        if (captls_tls_buffers_wanted(&e->conn) & CAPTLS_TLS_BUF_TX)
            fz_check(captls_tls_lend(&e->conn, CAPTLS_TLS_BUF_TX, e->tx,
                                     (r->flags & FZ_SMALL_TX)
                                         ? CAPTLS_TLS_TX_BUF_MIN
                                         : sizeof e->tx) == CAPTLS_OK,
                     "lend TX");
        if (captls_tls_buffers_wanted(&e->conn) & CAPTLS_TLS_BUF_HS)
            fz_check(captls_tls_lend(&e->conn, CAPTLS_TLS_BUF_HS, e->hs,
                                     sizeof e->hs) == CAPTLS_OK, "lend HS");
    }
    fz_check(captls_tls_buffers_wanted(&e->conn) == 0, "wants a lent buffer");
}

static inline void fz_note_error(fz_run *r)
{
    captls_result err = captls_tls_error(&r->e->conn);
    if (r->failed) {
        fz_check(err == r->error, "error is sticky");
        return;
    }
    if (err != CAPTLS_OK) {
        r->failed = true;
        r->error = err;
        r->records_after_error = 0;
    }
}

/* Takes what the engine sends; checks the record framing. */
static inline void fz_drain(fz_run *r)
{
    const uint8_t *p;
    size_t n;
    for (int guard = 0; guard < 1000; guard++) {
        fz_lend(r);
        p = captls_tls_send_buf(&r->e->conn, &n);
        if (p == NULL || n == 0)
            return;
        fz_note_error(r);
        for (size_t i = 0; i < n; i++) {
            if (r->body_left > 0) {
                size_t k = n - i < r->body_left ? n - i : r->body_left;
                r->body_left -= k;
                i += k - 1;
                continue;
            }
            r->hdr[r->hdr_len++] = p[i];
            if (r->hdr_len == 5) {
                size_t len = (size_t)r->hdr[3] << 8 | r->hdr[4];
                fz_check(r->hdr[0] >= 20 && r->hdr[0] <= 23, "record type");
                fz_check(r->hdr[1] == 3 && (r->hdr[2] == 3 || r->hdr[2] == 1),
                         "record version");
                fz_check(len > 0 && len <= 16384 + 256, "record length");
                r->body_left = len;
                r->hdr_len = 0;
                if (r->failed)
                    fz_check(++r->records_after_error <= 1,
                             "one alert after the error");
            }
        }
        captls_tls_send_ack(&r->e->conn, n);
    }
    fz_check(false, "send loop does not end");
}

static inline void fz_reclaim(fz_run *r)
{
    uint8_t *b;
    size_t cap;
    if (!(r->flags & FZ_RECLAIM))
        return;
    (void)captls_tls_reclaim(&r->e->conn, CAPTLS_TLS_BUF_HS, &b, &cap);
    (void)captls_tls_reclaim(&r->e->conn, CAPTLS_TLS_BUF_TX, &b, &cap);
    (void)captls_tls_reclaim(&r->e->conn, CAPTLS_TLS_BUF_RX, &b, &cap);
}

/* Application behaviour: echo what arrives; once connected, one message
 * and one KeyUpdate asking the peer to update too. */
static inline void fz_app(fz_run *r)
{
    captls_tls_conn *c = &r->e->conn;
    const uint8_t *p;
    uint8_t *q;
    size_t n, room;

    /* ... nor TX when it has nothing to send */
    if (c->tx == NULL && c->step == STEP_CONNECTED)
        fz_check(captls_tls_lend(c, CAPTLS_TLS_BUF_TX, r->e->tx,
                                 (r->flags & FZ_SMALL_TX) ? CAPTLS_TLS_TX_BUF_MIN
                                                          : sizeof r->e->tx) ==
                     CAPTLS_OK, "lend TX");
    if (!r->app_started && (captls_tls_state(c) & CAPTLS_TLS_SENDAPP)) {
        static const uint8_t hello[] = "hello from the fuzzer";
        r->app_started = true;
        q = captls_tls_app_send_buf(c, &room);
        if (q != NULL && room > 0) {
            n = sizeof hello < room ? sizeof hello : room;
            memcpy(q, hello, n);
            (void)captls_tls_app_send_ack(c, n);
        }
        fz_drain(r);
        (void)captls_tls_key_update(c, true);
        fz_drain(r);
    }
    for (int guard = 0; guard < 64; guard++) {
        p = captls_tls_app_recv_buf(c, &n);
        if (p == NULL || n == 0)
            return;
        fz_drain(r);
        q = captls_tls_app_send_buf(c, &room);
        if (q != NULL && room > 0) {
            size_t k = n < room ? n : room;
            memmove(q, p, k);
            n = k;
            if (captls_tls_app_send_ack(c, k) != CAPTLS_OK) {}
        }
        captls_tls_app_recv_ack(c, n);
        fz_drain(r);
    }
}

/* Feeds data[0..size) to the engine as it asks for it, playing the
 * application between records; then closes. */
static inline void fz_drive(fz_run *r, const uint8_t *data, size_t size)
{
    captls_tls_conn *c = &r->e->conn;
    size_t pos = 0;
    int stuck = 0;

    for (;;) {
        uint8_t *q;
        size_t room, n;
        fz_drain(r);
        fz_app(r);
        fz_note_error(r);
        fz_reclaim(r);
        fz_lend(r);
        /* An established engine asks for no RX: the application lends it
         * when bytes are there (tls.h). */
        if (c->rx == NULL && pos < size && !captls_tls_error(c))
            fz_check(captls_tls_lend(c, CAPTLS_TLS_BUF_RX, r->e->rx,
                                     sizeof r->e->rx) == CAPTLS_OK, "lend RX");
        q = captls_tls_recv_buf(c, &room);
        if (q == NULL || room == 0 || pos == size) {
            if (captls_tls_app_recv_buf(c, &n) != NULL && ++stuck < 4)
                continue;
            break;
        }
        n = size - pos < room ? size - pos : room;
        if ((r->flags & FZ_CHUNK) && n > 7)
            n = 7;
        memcpy(q, data + pos, n);
        pos += n;
        if (captls_tls_recv_ack(c, n) != CAPTLS_OK) {}
    }
    fz_note_error(r);
    captls_tls_close(c);
    fz_drain(r);
    fz_note_error(r);
    if (!r->failed && (captls_tls_state(c) & CAPTLS_TLS_CLOSED))
        fz_check(c->close_sent && c->close_received, "CLOSED without error");
    if (getenv("CAPTLS_FUZZ_VERBOSE") != NULL) /* seed checks */
        fprintf(stderr, "tls fuzz: %zu/%zu bytes taken, error %d, handshake %s, "
                "resumed %d, key updates %u/%u, peer closed %d\n", pos, size,
                (int)captls_tls_error(c), c->info.handshake_done ? "done" : "not done",
                c->info.resumed, c->info.key_updates_received,
                c->info.key_updates_sent, captls_tls_peer_closed(c));
    fz_reclaim(r);
    captls_tls_conn_wipe(c);
}

#endif
