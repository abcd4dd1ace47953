/* core/tls/test_tls_pair.h — a client and a server engine wired back to
 * back in memory for the engine's unit tests: the sim PKI (leaf-a under
 * int-a under root-a, Ed25519, sim/scenarios/pki), a deterministic entropy
 * source (tests only: never use outside tests), a fixed trusted clock at
 * 2026-11-23T00:00:00Z, and a pump that moves bytes with a chosen chunk
 * size. Header-only so that every test binary carries its own copy. */
#ifndef CAPTLS_TLS_TEST_TLS_PAIR_H
#define CAPTLS_TLS_TEST_TLS_PAIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap/cap_table.h"
#include "core/crypto/ed25519.h"
#include "core/tls/cipher_policy.h"
#include "core/tls/ticket_key.h"
#include "core/tls/tls.h"
#include "core/trust/cert_verifier.h"
#include "core/trust/trust_store.h"

#define TP_T0 1795392000 /* 2026-11-23T00:00:00Z */
#define TP_OWNER 7

typedef struct tp_det_rng {
    uint64_t state;
    bool fail; /* entropy failure injection */
} tp_det_rng;

static inline captls_result tp_fill(void *ctx, uint8_t *out, size_t len)
{
    tp_det_rng *r = ctx;
    if (r->fail)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    for (size_t i = 0; i < len; i++) {
        r->state = r->state * 6364136223846793005ull + 1442695040888963407ull;
        out[i] = (uint8_t)(r->state >> 56);
    }
    return CAPTLS_OK;
}

typedef struct tp_clock {
    int64_t now;     /* wall seconds */
    uint64_t mono_ns;
} tp_clock;

static inline uint64_t tp_mono(void *ctx)
{
    return ((tp_clock *)ctx)->mono_ns;
}

static inline captls_result tp_wall(void *ctx, captls_wall_time *out)
{
    out->epoch_seconds = ((tp_clock *)ctx)->now;
    out->nanoseconds = 0;
    out->provenance = CAPTLS_CLOCK_TRUSTED;
    return CAPTLS_OK;
}

/* A file of the repository (tests run from its root). */
static inline size_t tp_slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", path);
        abort();
    }
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* An Ed25519 signer over a raw seed (the sim PKI's leaf key). */
typedef struct tp_signer {
    uint8_t seed[32];
    uint8_t pub[32];
} tp_signer;

static inline captls_result tp_sign(void *ctx, uint16_t scheme, const uint8_t *msg,
                             size_t len, uint8_t *sig, size_t cap,
                             size_t *sig_len)
{
    tp_signer *s = ctx;
    if (scheme != CAPTLS_SIG_ED25519)
        return CAPTLS_ERR_UNSUPPORTED;
    if (cap < 64)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    captls_ed25519_sign(sig, s->seed, s->pub, msg, len);
    *sig_len = 64;
    return CAPTLS_OK;
}

typedef struct tp_world {
    tp_det_rng rng_c, rng_s, rng_t;
    tp_clock clock;
    uint8_t leaf_der[2048], int_der[2048], root_der[2048];
    size_t leaf_len, int_len, root_len;
    captls_certificate root;
    captls_trust_store store;
    captls_trust_anchor_info slots[2];
    uint8_t arena[4096];
    captls_trust_store_writer writer;
    captls_cert_verifier verifier;
    captls_cap_table caps;
    captls_cap_slot cap_slots[8];
    captls_cap_handle vh, th;
    captls_tls_verify_scratch scratch;
    tp_signer signer;
    captls_tls_chain chain;
    captls_tls_ticket_keys tickets;
    captls_tls_server_config scfg;
    captls_tls_client_config ccfg;
    /* sessions the client received */
    captls_tls_session session;
    unsigned sessions;
} tp_world;

static inline captls_result tp_chain_get(void *ctx, captls_tls_chain *out)
{
    *out = *(const captls_tls_chain *)ctx;
    return CAPTLS_OK;
}

static inline void tp_on_session(void *ctx, const captls_tls_session *s)
{
    tp_world *w = ctx;
    w->session = *s;
    w->sessions++;
}

static inline void tp_common(tp_world *w, captls_tls_common_config *cc, tp_det_rng *rng)
{
    memset(cc, 0, sizeof *cc);
    cc->entropy.ctx = rng;
    cc->entropy.fill = tp_fill;
    cc->clock.ctx = &w->clock;
    cc->clock.monotonic_ns = tp_mono;
    cc->clock.wall_time = tp_wall;
    captls_cipher_policy_preset_init(&cc->policy, CAPTLS_CIPHER_POLICY_MODERN);
}

/* Builds everything; the configs can be changed before the pair starts. */
static inline void tp_world_init(tp_world *w)
{
    memset(w, 0, sizeof *w);
    w->rng_c.state = 1;
    w->rng_s.state = 2;
    w->rng_t.state = 3;
    w->clock.now = TP_T0;
    w->clock.mono_ns = 1000000000ull;
    w->leaf_len = tp_slurp("sim/scenarios/pki/leaf-a.der", w->leaf_der, sizeof w->leaf_der);
    w->int_len = tp_slurp("sim/scenarios/pki/int-a.der", w->int_der, sizeof w->int_der);
    w->root_len = tp_slurp("sim/scenarios/pki/root-a.der", w->root_der, sizeof w->root_der);
    memset(w->signer.seed, 0x60, 32);
    captls_ed25519_public_from_seed(w->signer.pub, w->signer.seed);
    if (captls_certificate_parse(&w->root, w->root_der, w->root_len, NULL) != CAPTLS_OK ||
        captls_trust_store_init(&w->store, w->slots, 2, w->arena, sizeof w->arena,
                                false) != CAPTLS_OK ||
        captls_trust_store_writer_init(&w->writer, &w->store, NULL, NULL) != CAPTLS_OK ||
        captls_trust_store_writer_add_anchor(&w->writer, 0, &w->root, NULL, 0) != CAPTLS_OK ||
        captls_cert_verifier_init(&w->verifier, captls_policy_web_pki_lenient(), NULL,
                                  NULL, NULL) != CAPTLS_OK ||
        captls_cap_table_init(&w->caps, w->cap_slots, 8) != CAPTLS_OK ||
        captls_cap_mint(&w->caps, TP_OWNER, CAPTLS_IFACE_CERT_VERIFIER, &w->verifier,
                        CAPTLS_RIGHTS_ALL, &w->vh) != CAPTLS_OK ||
        captls_cap_mint(&w->caps, TP_OWNER, CAPTLS_IFACE_TRUST_STORE, &w->store,
                        CAPTLS_RIGHTS_ALL, &w->th) != CAPTLS_OK) {
        fprintf(stderr, "tp_world_init: PKI setup failed\n");
        abort();
    }
    w->chain.certs[0].ptr = w->leaf_der;
    w->chain.certs[0].len = w->leaf_len;
    w->chain.certs[1].ptr = w->int_der;
    w->chain.certs[1].len = w->int_len;
    w->chain.count = 2;
    {
        captls_entropy e = {&w->rng_t, tp_fill};
        if (captls_tls_ticket_keys_init(&w->tickets, e) != CAPTLS_OK)
            abort();
    }
    tp_common(w, &w->scfg.common, &w->rng_s);
    w->scfg.key.ctx = &w->signer;
    w->scfg.key.schemes[0] = CAPTLS_SIG_ED25519;
    w->scfg.key.scheme_count = 1;
    w->scfg.key.sign = tp_sign;
    w->scfg.chain.ctx = &w->chain;
    w->scfg.chain.get = tp_chain_get;
    captls_tls_ticket_keys_iface(&w->tickets, &w->scfg.tickets);
    w->scfg.ticket_lifetime_s = 3600;
    w->scfg.tickets_per_handshake = 2;

    tp_common(w, &w->ccfg.common, &w->rng_c);
    w->ccfg.verifier.caps = &w->caps;
    w->ccfg.verifier.owner = TP_OWNER;
    w->ccfg.verifier.verifier = w->vh;
    w->ccfg.verifier.trust = w->th;
    w->ccfg.verifier.scratch = &w->scratch;
}

/* Asks the server to request client certificates, verified by the same
 * verifier and store (the sim PKI's leaf has serverAuth only, so its chain
 * fails with badEku as a client identity). */
static inline void tp_world_client_auth(tp_world *w, bool require, bool client_has_cert)
{
    w->scfg.client_verifier = w->ccfg.verifier;
    w->scfg.require_client_cert = require;
    if (client_has_cert) {
        w->ccfg.have_client_auth = true;
        w->ccfg.client_auth.key = w->scfg.key;
        w->ccfg.client_auth.chain = w->scfg.chain;
    }
}

/* ---- a connected pair ---------------------------------------------------- */

typedef struct tp_end {
    captls_tls_conn conn;
    uint8_t rx[CAPTLS_TLS_RX_BUF_SIZE];
    uint8_t tx[CAPTLS_TLS_TX_BUF_FULL];
    uint8_t hs[CAPTLS_TLS_HS_BUF_SIZE];
    size_t tx_cap;
    /* application bytes received */
    uint8_t got[1 << 16];
    size_t got_len;
} tp_end;

typedef struct tp_pair {
    tp_end c, s;
    size_t chunk; /* bytes moved per step (0: all) */
} tp_pair;

static inline void tp_lend(tp_end *e)
{
    unsigned want = captls_tls_buffers_wanted(&e->conn);
    if (want & CAPTLS_TLS_BUF_RX)
        if (captls_tls_lend(&e->conn, CAPTLS_TLS_BUF_RX, e->rx, sizeof e->rx) != CAPTLS_OK) {}
    if (want & CAPTLS_TLS_BUF_TX)
        if (captls_tls_lend(&e->conn, CAPTLS_TLS_BUF_TX, e->tx,
                              e->tx_cap ? e->tx_cap : sizeof e->tx) != CAPTLS_OK) {}
    if (want & CAPTLS_TLS_BUF_HS)
        if (captls_tls_lend(&e->conn, CAPTLS_TLS_BUF_HS, e->hs, sizeof e->hs) != CAPTLS_OK) {}
}

/* Moves bytes from `from` to `to` (and application data to `to->got`).
 * Returns true if anything moved. */
static inline bool tp_step(tp_end *from, tp_end *to, size_t chunk)
{
    bool moved = false;
    size_t n, room;
    const uint8_t *p;
    uint8_t *q;

    tp_lend(from);
    tp_lend(to);
    if (to->conn.rx == NULL)
        if (captls_tls_lend(&to->conn, CAPTLS_TLS_BUF_RX, to->rx, sizeof to->rx) != CAPTLS_OK) {}
    p = captls_tls_send_buf(&from->conn, &n);
    if (p != NULL && n > 0) {
        q = captls_tls_recv_buf(&to->conn, &room);
        if (q != NULL && room > 0) {
            if (n > room)
                n = room;
            if (chunk && n > chunk)
                n = chunk;
            memcpy(q, p, n);
            captls_tls_send_ack(&from->conn, n);
            if (captls_tls_recv_ack(&to->conn, n) != CAPTLS_OK) {}
            moved = true;
        }
    }
    p = captls_tls_app_recv_buf(&to->conn, &n);
    if (p != NULL && n > 0) {
        if (n > sizeof to->got - to->got_len)
            n = sizeof to->got - to->got_len;
        memcpy(to->got + to->got_len, p, n);
        to->got_len += n;
        captls_tls_app_recv_ack(&to->conn, n);
        moved = true;
    }
    return moved;
}

/* Runs until nothing moves (bounded). */
static inline void tp_run(tp_pair *p)
{
    for (int i = 0; i < 1000000; i++) {
        bool a = tp_step(&p->c, &p->s, p->chunk);
        bool b = tp_step(&p->s, &p->c, p->chunk);
        if (!a && !b)
            return;
    }
}

static inline captls_result tp_start(tp_pair *p, tp_world *w, const char *name,
                              const captls_tls_session *resume)
{
    captls_result r;
    r = captls_tls_server_init(&p->s.conn, &w->scfg);
    if (r != CAPTLS_OK)
        return r;
    r = captls_tls_client_init(&p->c.conn, &w->ccfg, name, resume, tp_on_session, w);
    if (r != CAPTLS_OK)
        return r;
    tp_run(p);
    return CAPTLS_OK;
}

/* Writes len bytes of application data from one end (several records). */
static inline size_t tp_write(tp_end *e, const uint8_t *data, size_t len)
{
    size_t done = 0, room;
    uint8_t *q;
    tp_lend(e);
    if (e->conn.tx == NULL)
        if (captls_tls_lend(&e->conn, CAPTLS_TLS_BUF_TX, e->tx,
                              e->tx_cap ? e->tx_cap : sizeof e->tx) != CAPTLS_OK) {}
    while (done < len && (q = captls_tls_app_send_buf(&e->conn, &room)) != NULL) {
        size_t n = len - done < room ? len - done : room;
        memcpy(q, data + done, n);
        if (captls_tls_app_send_ack(&e->conn, n) != CAPTLS_OK)
            break;
        done += n;
    }
    return done;
}

#endif
