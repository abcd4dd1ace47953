/* The RFC 8448 §3 "Simple 1-RTT Handshake" through the server ENGINE
 * (vectors/rfc8448-simple-1rtt.txt). The RFC's client records are fed to a
 * captls server whose entropy returns the RFC's server key and random,
 * whose signer returns the RFC's CertificateVerify signature (RSA-PSS is
 * randomized: a signer capability is the only way to replay it), and which
 * advertises the RFC's nine groups in EncryptedExtensions. Byte for byte:
 *  - the ServerHello record and the encrypted flight record (EE,
 *    Certificate, CertificateVerify, Finished);
 *  - the handshake traffic secrets (through the key log);
 *  - the RFC client's Finished is accepted;
 *  - the RFC client's application data record opens to its payload, and
 *    the server's application data and close_notify records are the RFC's.
 * The one record that differs is the NewSessionTicket: its ticket is
 * opaque and server-specific (ours is sealed under our ticket key), but it
 * is sent as the RFC's is, so the records after it carry the same sequence
 * numbers. The client side of the trace cannot run through the client
 * engine: the RFC's ClientHello carries legacy extensions
 * (renegotiation_info, session_ticket, SHA-1 schemes) that captls never
 * sends; test_key_schedule.c checks every client value instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/crypto/aead.h"
#include "core/crypto/test_vectors.h"
#include "core/tls/cipher_policy.h"
#include "core/tls/ticket_key.h"
#include "core/tls/tls.h"

#define RFC8448 "vectors/rfc8448-simple-1rtt.txt"

static size_t v(const char *label, uint8_t *out, size_t cap)
{
    size_t n;
    uint8_t *b = tv_8448(RFC8448, label, &n);
    assert_true(n <= cap);
    memcpy(out, b, n);
    free(b);
    return n;
}

/* Entropy that hands out a script of byte strings, one per call. */
typedef struct script {
    uint8_t bytes[2][32];
    int next;
} script;

/* The key and the random first; then zeros (the ticket's age_add, whose
 * record is not compared). */
static captls_result script_fill(void *ctx, uint8_t *out, size_t len)
{
    script *s = ctx;
    if (s->next < 2) {
        if (len != 32)
            return CAPTLS_ERR_ENTROPY_FAILURE;
        memcpy(out, s->bytes[s->next++], 32);
        return CAPTLS_OK;
    }
    memset(out, 0, len);
    return CAPTLS_OK;
}

static captls_result counter_fill(void *ctx, uint8_t *out, size_t len)
{
    uint8_t *n = ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (*n)++;
    return CAPTLS_OK;
}

/* Feeds a whole RFC record to the engine as the network would. */
static void feed(captls_tls_conn *conn, const char *label)
{
    uint8_t rec[1024], *in;
    size_t n, off, len;
    n = v(label, rec, sizeof rec);
    for (off = 0; off < n; off += len) {
        in = captls_tls_recv_buf(conn, &len);
        assert_non_null(in);
        if (len > n - off)
            len = n - off;
        memcpy(in, rec + off, len);
        assert_int_equal(captls_tls_recv_ack(conn, len), CAPTLS_OK);
    }
}

/* Takes the next record the engine sends. */
static size_t next_record(captls_tls_conn *conn, uint8_t *out, size_t cap)
{
    size_t len, n;
    const uint8_t *p = captls_tls_send_buf(conn, &len);
    assert_non_null(p);
    assert_true(len >= 5);
    n = 5 + (((size_t)p[3] << 8) | p[4]);
    assert_true(n <= len && n <= cap);
    memcpy(out, p, n);
    captls_tls_send_ack(conn, n);
    return n;
}

static void expect_record(captls_tls_conn *conn, const char *label)
{
    uint8_t want[2048], got[2048];
    size_t wn = v(label, want, sizeof want);
    size_t gn = next_record(conn, got, sizeof got);
    assert_int_equal(gn, wn);
    assert_memory_equal(got, want, wn);
}

/* The nine groups of the RFC's EncryptedExtensions (x25519, secp256r1,
 * secp384r1, secp521r1, ffdhe2048..8192): advertised, not implemented. */
static const uint16_t rfc_groups[9] = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100,
                                       0x0101, 0x0102, 0x0103, 0x0104};

static uint8_t fixed_sig[256];
static size_t fixed_sig_len;

static captls_result fixed_sign(void *ctx, uint16_t scheme, const uint8_t *msg,
                                size_t len, uint8_t *sig, size_t cap,
                                size_t *sig_len)
{
    (void)ctx;
    (void)msg;
    (void)len;
    if (scheme != CAPTLS_SIG_RSA_PSS_RSAE_SHA256 || cap < fixed_sig_len)
        return CAPTLS_ERR_UNSUPPORTED;
    memcpy(sig, fixed_sig, fixed_sig_len);
    *sig_len = fixed_sig_len;
    return CAPTLS_OK;
}

static uint8_t cert_der[1024];
static size_t cert_len;

static captls_result chain_get(void *ctx, captls_tls_chain *out)
{
    (void)ctx;
    memset(out, 0, sizeof *out);
    out->certs[0].ptr = cert_der;
    out->certs[0].len = cert_len;
    out->count = 1;
    return CAPTLS_OK;
}

static uint8_t logged_c_hs[32], logged_s_hs[32];

static void keylog(void *ctx, const char *label, const uint8_t random[32],
                   const uint8_t *secret, size_t len)
{
    (void)ctx;
    (void)random;
    if (len != 32)
        return;
    if (strcmp(label, "CLIENT_HANDSHAKE_TRAFFIC_SECRET") == 0)
        memcpy(logged_c_hs, secret, 32);
    if (strcmp(label, "SERVER_HANDSHAKE_TRAFFIC_SECRET") == 0)
        memcpy(logged_s_hs, secret, 32);
}

static uint64_t mono(void *ctx)
{
    (void)ctx;
    return 1;
}

static captls_result wall(void *ctx, captls_wall_time *t)
{
    (void)ctx;
    t->epoch_seconds = 1469841839; /* 2016-07-30, inside the RFC cert */
    t->nanoseconds = 0;
    t->provenance = CAPTLS_CLOCK_TRUSTED;
    return CAPTLS_OK;
}

static void test_server_engine_reproduces_rfc8448(void **state)
{
    (void)state;
    static captls_tls_server_config cfg;
    static captls_tls_conn conn;
    static captls_tls_ticket_keys tickets;
    static uint8_t rx[CAPTLS_TLS_RX_BUF_SIZE], tx[CAPTLS_TLS_TX_BUF_FULL],
        hs[CAPTLS_TLS_HS_BUF_SIZE];
    static script ent;
    static uint8_t counter;
    uint8_t want[2048], cert_msg[1024], cv_msg[512], *out;
    const uint8_t *app;
    size_t n, len;

    v("{server} create an ephemeral x25519 key pair / private key", ent.bytes[0], 32);
    v("{server} construct a ServerHello handshake message / ServerHello", want,
      sizeof want);
    memcpy(ent.bytes[1], want + 6, 32); /* the ServerHello random */
    n = v("{server} construct a CertificateVerify handshake message / "
          "CertificateVerify", cv_msg, sizeof cv_msg);
    fixed_sig_len = n - 8; /* type(1) len(3) scheme(2) siglen(2) */
    memcpy(fixed_sig, cv_msg + 8, fixed_sig_len);
    v("{server} construct a Certificate handshake message / Certificate",
      cert_msg, sizeof cert_msg);
    /* 0b len(3) ctx(1)=0 list(3) certlen(3) cert ext(2) */
    cert_len = ((size_t)cert_msg[8] << 16) | ((size_t)cert_msg[9] << 8) | cert_msg[10];
    memcpy(cert_der, cert_msg + 11, cert_len);

    memset(&cfg, 0, sizeof cfg);
    cfg.common.entropy.ctx = &ent;
    cfg.common.entropy.fill = script_fill;
    cfg.common.clock.monotonic_ns = mono;
    cfg.common.clock.wall_time = wall;
    cfg.common.keylog = keylog;
    captls_cipher_policy_preset_init(&cfg.common.policy, CAPTLS_CIPHER_POLICY_MODERN);
    cfg.key.schemes[0] = CAPTLS_SIG_RSA_PSS_RSAE_SHA256;
    cfg.key.scheme_count = 1;
    cfg.key.sign = fixed_sign;
    cfg.chain.get = chain_get;
    cfg.ee_groups = rfc_groups;
    cfg.ee_group_count = 9;
    {
        captls_entropy te = {&counter, counter_fill};
        assert_int_equal(captls_tls_ticket_keys_init(&tickets, te), CAPTLS_OK);
    }
    captls_tls_ticket_keys_iface(&tickets, &cfg.tickets);
    cfg.ticket_lifetime_s = 30;
    cfg.tickets_per_handshake = 1;
    assert_int_equal(captls_tls_server_init(&conn, &cfg), CAPTLS_OK);
    assert_int_equal(captls_tls_lend(&conn, CAPTLS_TLS_BUF_RX, rx, sizeof rx), CAPTLS_OK);
    assert_int_equal(captls_tls_lend(&conn, CAPTLS_TLS_BUF_TX, tx, sizeof tx), CAPTLS_OK);
    assert_int_equal(captls_tls_lend(&conn, CAPTLS_TLS_BUF_HS, hs, sizeof hs), CAPTLS_OK);

    /* ClientHello in; ServerHello and the encrypted flight out */
    feed(&conn, "{client} send handshake record #1 / complete record");
    expect_record(&conn, "{server} send handshake record #1 / complete record");
    expect_record(&conn, "{server} send handshake record #2 / complete record");
    v("{server} derive secret \"tls13 c hs traffic\" / expanded", want, 32);
    assert_memory_equal(logged_c_hs, want, 32);
    v("{server} derive secret \"tls13 s hs traffic\" / expanded", want, 32);
    assert_memory_equal(logged_s_hs, want, 32);

    /* the client's Finished is accepted; our NewSessionTicket follows */
    feed(&conn, "{client} send handshake record #2 / complete record");
    assert_int_equal(captls_tls_error(&conn), CAPTLS_OK);
    n = next_record(&conn, want, sizeof want);
    assert_int_equal(want[0], 0x17);
    assert_null(captls_tls_send_buf(&conn, &len));

    /* application data both ways */
    feed(&conn, "{client} send application_data record / complete record");
    app = captls_tls_app_recv_buf(&conn, &len);
    assert_non_null(app);
    n = v("{client} send application_data record / payload", want, sizeof want);
    assert_int_equal(len, n);
    assert_memory_equal(app, want, n);
    captls_tls_app_recv_ack(&conn, len);
    n = v("{server} send application_data record / payload", want, sizeof want);
    out = captls_tls_app_send_buf(&conn, &len);
    assert_non_null(out);
    assert_true(len >= n);
    memcpy(out, want, n);
    assert_int_equal(captls_tls_app_send_ack(&conn, n), CAPTLS_OK);
    expect_record(&conn, "{server} send application_data record / complete record");

    /* close_notify both ways */
    feed(&conn, "{client} send alert record / complete record");
    assert_true(captls_tls_peer_closed(&conn));
    captls_tls_close(&conn);
    expect_record(&conn, "{server} send alert record / complete record");
    assert_true(captls_tls_state(&conn) & CAPTLS_TLS_CLOSED);
    assert_int_equal(captls_tls_error(&conn), CAPTLS_OK);
    captls_tls_conn_wipe(&conn);
    captls_tls_ticket_keys_destroy(&tickets);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_engine_reproduces_rfc8448),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
