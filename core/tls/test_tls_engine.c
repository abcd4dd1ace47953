/* Unit tests of the TLS 1.3 engine (core/tls/tls.h): client and server
 * back to back in memory (test_tls_pair.h) — full handshakes for each suite
 * and group, HelloRetryRequest, resumption, client certificates in stages,
 * KeyUpdate, close_notify, record_size_limit, 1-byte delivery, buffer
 * lending, the per-handshake identity selector, and the alerts for
 * failures on either side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/tls/test_tls_pair.h"

#define HOST "www.alpha.test"

static tp_world W;
static tp_pair P;

static int setup(void **state)
{
    (void)state;
    tp_world_init(&W);
    memset(&P, 0, sizeof P);
    return 0;
}

static void info(tp_end *e, captls_tls_info *i)
{
    captls_tls_info_get(&e->conn, i);
}

static void assert_connected(void)
{
    captls_tls_info ci, si;
    assert_int_equal(captls_tls_error(&P.c.conn), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_OK);
    info(&P.c, &ci);
    info(&P.s, &si);
    assert_true(ci.handshake_done);
    assert_true(si.handshake_done);
    assert_int_equal(ci.version, 0x0304);
    assert_int_equal(ci.suite, si.suite);
    assert_int_equal(ci.group, si.group);
    assert_true(captls_tls_state(&P.c.conn) & CAPTLS_TLS_SENDAPP);
    assert_true(captls_tls_state(&P.s.conn) & CAPTLS_TLS_SENDAPP);
}

static void exchange(size_t len)
{
    static uint8_t buf[40000];
    size_t done = 0;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    P.s.got_len = P.c.got_len = 0;
    while (done < len) {
        done += tp_write(&P.c, buf + done, len - done);
        tp_run(&P);
    }
    assert_int_equal(P.s.got_len, len);
    assert_memory_equal(P.s.got, buf, len);
    /* echo back */
    done = 0;
    while (done < len) {
        done += tp_write(&P.s, P.s.got + done, len - done);
        tp_run(&P);
    }
    assert_int_equal(P.c.got_len, len);
    assert_memory_equal(P.c.got, buf, len);
}

static void test_full_handshake_each_suite(void **state)
{
    static const char *const suites[] = {"TLS_AES_128_GCM_SHA256",
                                         "TLS_AES_256_GCM_SHA384",
                                         "TLS_CHACHA20_POLY1305_SHA256"};
    static const uint16_t ids[] = {0x1301, 0x1302, 0x1303};
    for (int i = 0; i < 3; i++) {
        captls_tls_info ci, si;
        setup(state);
        assert_int_equal(captls_cipher_policy_set_suites(&W.ccfg.common.policy,
                                                         suites[i]), CAPTLS_OK);
        assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
        assert_connected();
        info(&P.c, &ci);
        info(&P.s, &si);
        assert_int_equal(ci.suite, ids[i]);
        assert_int_equal(ci.group, 0x001d);
        assert_int_equal(ci.sig_scheme, CAPTLS_SIG_ED25519);
        assert_false(ci.hello_retry);
        assert_false(ci.resumed);
        assert_int_equal(ci.peer_auth, CAPTLS_TLS_PEER_VERIFIED);
        assert_string_equal(si.server_name, HOST);
        assert_int_equal(si.peer_auth, CAPTLS_TLS_PEER_NOT_ASKED);
        exchange(20000);
        /* the two NewSessionTickets arrived */
        assert_int_equal(W.sessions, 2);
    }
}

static void test_secp256r1_and_hrr(void **state)
{
    captls_tls_info ci;
    /* client prefers secp256r1: direct */
    setup(state);
    assert_int_equal(captls_cipher_policy_set_groups(&W.ccfg.common.policy,
                                                     "secp256r1"), CAPTLS_OK);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    info(&P.c, &ci);
    assert_int_equal(ci.group, 0x0017);
    assert_false(ci.hello_retry);
    /* client sends an x25519 share, the server only takes secp256r1 */
    setup(state);
    assert_int_equal(captls_cipher_policy_set_groups(&W.scfg.common.policy,
                                                     "secp256r1"), CAPTLS_OK);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    info(&P.c, &ci);
    assert_int_equal(ci.group, 0x0017);
    assert_true(ci.hello_retry);
    exchange(100);
    /* no common group: handshake_failure from the server */
    setup(state);
    assert_int_equal(captls_cipher_policy_set_groups(&W.scfg.common.policy,
                                                     "secp256r1"), CAPTLS_OK);
    assert_int_equal(captls_cipher_policy_set_groups(&W.ccfg.common.policy,
                                                     "x25519"), CAPTLS_OK);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_TLS_ERR(HANDSHAKE_FAILURE));
    assert_int_equal(captls_tls_error(&P.c.conn), CAPTLS_TLS_ERR(HANDSHAKE_FAILURE));
    info(&P.c, &ci);
    assert_true(ci.alert_received_valid);
    assert_int_equal(ci.alert_received, CAPTLS_ALERT_HANDSHAKE_FAILURE);
}

static void test_resumption(void **state)
{
    captls_tls_info ci, si;
    captls_tls_session s;
    setup(state);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    assert_int_equal(W.sessions, 2);
    s = W.session;
    memset(&P, 0, sizeof P);
    W.clock.mono_ns += 5000000000ull;
    W.clock.now += 5;
    assert_int_equal(tp_start(&P, &W, HOST, &s), CAPTLS_OK);
    assert_connected();
    info(&P.c, &ci);
    info(&P.s, &si);
    assert_true(ci.resumed);
    assert_true(si.resumed);
    assert_int_equal(ci.peer_auth, CAPTLS_TLS_PEER_VERIFIED);
    assert_non_null(strstr(ci.peer_identity, "www.alpha.test"));
    exchange(1000);
    /* a ticket for another name is not offered */
    memset(&P, 0, sizeof P);
    assert_int_equal(tp_start(&P, &W, "other.alpha.test", &s), CAPTLS_OK);
    info(&P.c, &ci);
    assert_false(ci.resumed);
    /* an expired ticket is refused by the server: full handshake */
    memset(&P, 0, sizeof P);
    W.clock.now += 7200;
    assert_int_equal(tp_start(&P, &W, HOST, &s), CAPTLS_OK);
    assert_connected();
    info(&P.c, &ci);
    assert_false(ci.resumed);
    /* after a ticket key rotation twice, the old ticket no longer opens */
    memset(&P, 0, sizeof P);
    W.clock.now -= 7200;
    assert_int_equal(captls_tls_ticket_keys_rotate(&W.tickets), CAPTLS_OK);
    assert_int_equal(tp_start(&P, &W, HOST, &s), CAPTLS_OK);
    info(&P.c, &ci);
    assert_true(ci.resumed); /* previous key still opens */
    memset(&P, 0, sizeof P);
    assert_int_equal(captls_tls_ticket_keys_rotate(&W.tickets), CAPTLS_OK);
    assert_int_equal(tp_start(&P, &W, HOST, &s), CAPTLS_OK);
    assert_connected();
    info(&P.c, &ci);
    assert_false(ci.resumed);
}

static void test_client_auth_stages(void **state)
{
    captls_tls_info si, ci;
    /* asked, not required, no certificate: NO_CERT */
    setup(state);
    tp_world_client_auth(&W, false, false);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    info(&P.s, &si);
    assert_int_equal(si.peer_auth, CAPTLS_TLS_PEER_NO_CERT);
    /* required, none: certificate_required */
    setup(state);
    tp_world_client_auth(&W, true, false);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_TLS_ERR(CERTIFICATE_REQUIRED));
    info(&P.c, &ci);
    assert_int_equal(ci.alert_received, CAPTLS_ALERT_CERTIFICATE_REQUIRED);
    /* a certificate without clientAuth EKU, not required: FAILED badEku,
     * the handshake completes and the application decides */
    setup(state);
    tp_world_client_auth(&W, false, true);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    info(&P.s, &si);
    assert_int_equal(si.peer_auth, CAPTLS_TLS_PEER_FAILED);
    assert_int_equal(si.peer_failure, CAPTLS_FAIL_BAD_EKU);
    assert_int_equal(si.client_sig_scheme, CAPTLS_SIG_ED25519);
    assert_non_null(strstr(si.peer_identity, "www.alpha.test"));
    /* the same, required: the server refuses with the chain's alert */
    setup(state);
    tp_world_client_auth(&W, true, true);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_true(captls_tls_error(&P.s.conn) != CAPTLS_OK);
    info(&P.c, &ci);
    assert_true(ci.alert_received_valid);
}

static void test_server_chain_failures(void **state)
{
    captls_tls_info ci;
    setup(state);
    assert_int_equal(tp_start(&P, &W, "www.beta.test", NULL), CAPTLS_OK);
    info(&P.c, &ci);
    assert_int_equal(ci.peer_auth, CAPTLS_TLS_PEER_FAILED);
    assert_int_equal(ci.peer_failure, CAPTLS_FAIL_NAME_MISMATCH);
    assert_true(captls_tls_error(&P.c.conn) != CAPTLS_OK);
    assert_true(ci.alert_sent_valid);
    /* the server got the alert */
    assert_true(captls_tls_error(&P.s.conn) != CAPTLS_OK);
    /* expired by the client's clock */
    setup(state);
    W.clock.now = TP_T0 + 400 * 86400;
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    info(&P.c, &ci);
    assert_int_equal(ci.peer_failure, CAPTLS_FAIL_EXPIRED);
    assert_int_equal(ci.alert_sent, CAPTLS_ALERT_CERTIFICATE_EXPIRED);
}

static void test_key_update_and_close(void **state)
{
    captls_tls_info ci, si;
    setup(state);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    for (int i = 0; i < 5; i++) {
        assert_int_equal(captls_tls_key_update(&P.c.conn, i % 2 == 0), CAPTLS_OK);
        tp_run(&P);
        exchange(3000);
        assert_int_equal(captls_tls_key_update(&P.s.conn, false), CAPTLS_OK);
        tp_run(&P);
        exchange(10);
    }
    info(&P.c, &ci);
    info(&P.s, &si);
    assert_int_equal(ci.key_updates_sent, 5);
    assert_int_equal(si.key_updates_received, 5);
    /* three requests were answered by the server */
    assert_int_equal(si.key_updates_sent, 8);
    assert_int_equal(ci.key_updates_received, 8);
    captls_tls_close(&P.c.conn);
    tp_run(&P);
    assert_true(captls_tls_peer_closed(&P.s.conn));
    captls_tls_close(&P.s.conn);
    tp_run(&P);
    assert_true(captls_tls_state(&P.c.conn) & CAPTLS_TLS_CLOSED);
    assert_true(captls_tls_state(&P.s.conn) & CAPTLS_TLS_CLOSED);
    assert_int_equal(captls_tls_error(&P.c.conn), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_OK);
}

static void test_one_byte_delivery(void **state)
{
    setup(state);
    P.chunk = 1;
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    exchange(300);
}

static void test_record_size_limit(void **state)
{
    captls_tls_info ci, si;
    setup(state);
    W.ccfg.common.record_size_limit = 512;
    W.scfg.common.record_size_limit = 1024;
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    info(&P.c, &ci);
    info(&P.s, &si);
    assert_int_equal(ci.peer_record_size_limit, 1024);
    assert_int_equal(si.peer_record_size_limit, 512);
    exchange(5000);
    /* the server's records to the client carry at most 511 bytes */
    assert_true(P.s.conn.send_limit == 511);
    assert_true(P.c.conn.send_limit == 1023);
}

static void test_idle_connection_holds_no_buffer(void **state)
{
    uint8_t *b;
    size_t cap;
    setup(state);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    assert_true(captls_tls_reclaim(&P.c.conn, CAPTLS_TLS_BUF_HS, &b, &cap));
    assert_true(captls_tls_reclaim(&P.c.conn, CAPTLS_TLS_BUF_RX, &b, &cap));
    assert_true(captls_tls_reclaim(&P.c.conn, CAPTLS_TLS_BUF_TX, &b, &cap));
    assert_int_equal(captls_tls_buffers_wanted(&P.c.conn), 0);
    assert_true(captls_tls_reclaim(&P.s.conn, CAPTLS_TLS_BUF_HS, &b, &cap));
    assert_true(captls_tls_reclaim(&P.s.conn, CAPTLS_TLS_BUF_TX, &b, &cap));
    assert_true(captls_tls_reclaim(&P.s.conn, CAPTLS_TLS_BUF_RX, &b, &cap));
    /* lent again on demand, the connection goes on */
    exchange(4000);
    assert_true(sizeof(captls_tls_conn) <= 4096);
}

static void test_entropy_failure_fails_closed(void **state)
{
    setup(state);
    W.rng_s.fail = true;
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_ERR_ENTROPY_FAILURE);
    assert_int_equal(captls_tls_error(&P.c.conn), CAPTLS_TLS_ERR(INTERNAL_ERROR));
}

/* A client that refuses the ServerHello has no keys yet: its plaintext
 * alert is taken as the reason, not as an unexpected record. */
static void test_plaintext_alert_before_client_keys(void **state)
{
    static const uint8_t alert[7] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40};
    captls_tls_info si;
    uint8_t *in;
    size_t room, n;
    setup(state);
    assert_int_equal(captls_tls_server_init(&P.s.conn, &W.scfg), CAPTLS_OK);
    assert_int_equal(captls_tls_client_init(&P.c.conn, &W.ccfg, HOST, NULL, NULL,
                                            NULL), CAPTLS_OK);
    /* the ClientHello to the server, the server's flight not delivered */
    while (tp_step(&P.c, &P.s, 0))
        ;
    assert_non_null(captls_tls_send_buf(&P.s.conn, &n));
    for (size_t off = 0; off < sizeof alert; off += room) {
        in = captls_tls_recv_buf(&P.s.conn, &room);
        assert_non_null(in);
        if (room > sizeof alert - off)
            room = sizeof alert - off;
        memcpy(in, alert + off, room);
        if (captls_tls_recv_ack(&P.s.conn, room) != CAPTLS_OK)
            break;
    }
    assert_int_equal(captls_tls_error(&P.s.conn),
                     CAPTLS_ERR_ALERT_BASE + CAPTLS_ALERT_HANDSHAKE_FAILURE);
    info(&P.s, &si);
    assert_true(si.alert_received_valid);
    assert_int_equal(si.alert_received, CAPTLS_ALERT_HANDSHAKE_FAILURE);
    assert_false(si.alert_sent_valid);
}

/* ---- the identity selector (tls_config.h; the tls-alpn-01 responder) --- */
typedef struct sel_ctx {
    int calls;
    captls_result ret;
    const char *alpn;
    bool give_key, give_chain;
    char sni[256];
    bool alpn_offered;
    uint8_t alpn_list[64];
    size_t alpn_list_len;
    captls_tls_signer key;
} sel_ctx;

static sel_ctx SEL;

static captls_result sel_select(void *ctx, captls_tls_conn *c,
                                const captls_tls_hello_view *h,
                                captls_tls_identity *out)
{
    sel_ctx *s = ctx;
    assert_ptr_equal(c, &P.s.conn);
    /* out arrives zeroed */
    assert_null(out->key);
    assert_null(out->alpn);
    assert_int_equal(out->chain.count, 0);
    s->calls++;
    /* (empty views may carry a NULL pointer: memcpy wants neither) */
    if (h->server_name.len > 0)
        memcpy(s->sni, h->server_name.ptr, h->server_name.len);
    s->sni[h->server_name.len] = '\0';
    s->alpn_offered = h->alpn_offered;
    s->alpn_list_len = h->alpn_list.len;
    if (h->alpn_list.len > 0 && h->alpn_list.len <= sizeof s->alpn_list)
        memcpy(s->alpn_list, h->alpn_list.ptr, h->alpn_list.len);
    if (s->ret != CAPTLS_OK)
        return s->ret;
    out->alpn = s->alpn;
    if (s->give_key)
        out->key = &s->key;
    if (s->give_chain)
        out->chain = W.chain;
    return CAPTLS_OK;
}

static void sel_setup(void)
{
    setup(NULL);
    memset(&SEL, 0, sizeof SEL);
    SEL.key = W.scfg.key;
    W.scfg.identity.ctx = &SEL;
    W.scfg.identity.select = sel_select;
}

static void test_identity_selector(void **state)
{
    (void)state;
    captls_tls_info ci, si;
    static const char *two[] = {"h2", "acme-tls/1"};
    static const uint8_t two_wire[] = {2, 'h', '2', 10, 'a', 'c', 'm', 'e',
                                       '-', 't', 'l', 's', '/', '1'};
    /* it sees SNI and the offered list; its ALPN is selected though the
     * config has none */
    sel_setup();
    W.ccfg.common.alpn[0] = two[0];
    W.ccfg.common.alpn[1] = two[1];
    W.ccfg.common.alpn_count = 2;
    SEL.alpn = "acme-tls/1";
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    assert_int_equal(SEL.calls, 1);
    assert_string_equal(SEL.sni, HOST);
    assert_true(SEL.alpn_offered);
    assert_int_equal(SEL.alpn_list_len, sizeof two_wire);
    assert_memory_equal(SEL.alpn_list, two_wire, sizeof two_wire);
    info(&P.c, &ci);
    info(&P.s, &si);
    assert_string_equal(ci.alpn, "acme-tls/1");
    assert_string_equal(si.alpn, "acme-tls/1");
    /* no ALPN from the client, nothing overridden: the config's identity */
    sel_setup();
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    assert_false(SEL.alpn_offered);
    assert_int_equal(SEL.alpn_list_len, 0);
    info(&P.c, &ci);
    assert_string_equal(ci.alpn, "");
    /* the selector's key and chain on a config that has neither */
    sel_setup();
    W.scfg.chain.get = NULL;
    W.scfg.chain.ctx = NULL;
    memset(&W.scfg.key, 0, sizeof W.scfg.key);
    SEL.give_key = SEL.give_chain = true;
    assert_int_equal(captls_tls_server_config_check(&W.scfg), CAPTLS_OK);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    exchange(10);
    /* the same config when the selector supplies nothing: internal_error */
    sel_setup();
    W.scfg.chain.get = NULL;
    memset(&W.scfg.key, 0, sizeof W.scfg.key);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_ERR_INTERNAL);
    info(&P.c, &ci);
    assert_true(ci.alert_received_valid);
    assert_int_equal(ci.alert_received, CAPTLS_ALERT_INTERNAL_ERROR);
    /* its refusal is the alert the client gets */
    sel_setup();
    SEL.ret = CAPTLS_TLS_ERR(UNRECOGNIZED_NAME);
    assert_int_equal(tp_start(&P, &W, "nope.alpha.test", NULL), CAPTLS_OK);
    assert_string_equal(SEL.sni, "nope.alpha.test");
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_TLS_ERR(UNRECOGNIZED_NAME));
    info(&P.c, &ci);
    assert_false(ci.handshake_done);
    assert_true(ci.alert_received_valid);
    assert_int_equal(ci.alert_received, CAPTLS_ALERT_UNRECOGNIZED_NAME);
    /* an ALPN the client did not offer, a key without schemes: fail closed */
    sel_setup();
    W.ccfg.common.alpn[0] = two[0];
    W.ccfg.common.alpn_count = 1;
    SEL.alpn = "acme-tls/1";
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_ERR_INTERNAL);
    sel_setup();
    SEL.give_key = true;
    SEL.key.scheme_count = 0;
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_int_equal(captls_tls_error(&P.s.conn), CAPTLS_ERR_INTERNAL);
    /* called again for the second ClientHello after a HelloRetryRequest */
    sel_setup();
    assert_int_equal(captls_cipher_policy_set_groups(&W.scfg.common.policy,
                                                     "secp256r1"), CAPTLS_OK);
    assert_int_equal(tp_start(&P, &W, HOST, NULL), CAPTLS_OK);
    assert_connected();
    info(&P.c, &ci);
    assert_true(ci.hello_retry);
    assert_int_equal(SEL.calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_full_handshake_each_suite, setup),
        cmocka_unit_test_setup(test_secp256r1_and_hrr, setup),
        cmocka_unit_test_setup(test_resumption, setup),
        cmocka_unit_test_setup(test_client_auth_stages, setup),
        cmocka_unit_test_setup(test_server_chain_failures, setup),
        cmocka_unit_test_setup(test_key_update_and_close, setup),
        cmocka_unit_test_setup(test_one_byte_delivery, setup),
        cmocka_unit_test_setup(test_record_size_limit, setup),
        cmocka_unit_test_setup(test_idle_connection_holds_no_buffer, setup),
        cmocka_unit_test_setup(test_entropy_failure_fails_closed, setup),
        cmocka_unit_test_setup(test_plaintext_alert_before_client_keys, setup),
        cmocka_unit_test(test_identity_selector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
