/* Unit tests of core/tls/tls_config.c: a good server and client config
 * pass; every refusal is hit once, with its own code and sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/tls/pem_chain.h"
#include "core/tls/tls_config.h"

#define OWNER 3

static captls_result fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    memset(out, 7, len);
    return CAPTLS_OK;
}
static uint64_t mono(void *ctx)
{
    (void)ctx;
    return 1;
}
static captls_result wall(void *ctx, captls_wall_time *out)
{
    (void)ctx;
    memset(out, 0, sizeof(*out));
    return CAPTLS_OK;
}
static captls_result sign(void *ctx, uint16_t scheme, const uint8_t *msg, size_t len,
                          uint8_t *sig, size_t cap, size_t *sl)
{
    (void)ctx; (void)scheme; (void)msg; (void)len; (void)sig; (void)cap; (void)sl;
    return CAPTLS_ERR_INTERNAL;
}
static captls_result seal(void *ctx, const uint8_t *p, size_t n, uint8_t *o, size_t c,
                          size_t *l)
{
    (void)ctx; (void)p; (void)n; (void)o; (void)c; (void)l;
    return CAPTLS_ERR_INTERNAL;
}
static captls_result open_(void *ctx, const uint8_t *t, size_t n, uint8_t *p, size_t c,
                           size_t *l)
{
    (void)ctx; (void)t; (void)n; (void)p; (void)c; (void)l;
    return CAPTLS_ERR_INTERNAL;
}
static captls_result failing_get(void *ctx, captls_tls_chain *out)
{
    (void)ctx; (void)out;
    return CAPTLS_ERR_IO;
}

static const uint8_t cert_der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
static captls_tls_chain chain, empty_chain, long_chain, hole_chain;
static captls_cap_slot slots[8];
static captls_cap_table caps;
static captls_cap_handle h_verifier, h_trust, h_verifier_nocall, h_stale;
static captls_tls_verify_scratch scratch;
static int dummy_object;

static int setup(void **state)
{
    (void)state;
    chain.count = 1;
    chain.certs[0].ptr = cert_der;
    chain.certs[0].len = sizeof(cert_der);
    long_chain.count = CAPTLS_TLS_MAX_CHAIN + 1;
    for (size_t i = 0; i < CAPTLS_TLS_MAX_CHAIN; i++)
        long_chain.certs[i] = chain.certs[0];
    hole_chain = chain;
    hole_chain.count = 2;
    assert_int_equal(captls_cap_table_init(&caps, slots, 8), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&caps, OWNER, CAPTLS_IFACE_CERT_VERIFIER,
                                     &dummy_object, CAPTLS_RIGHT_CALL, &h_verifier),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&caps, OWNER, CAPTLS_IFACE_TRUST_STORE,
                                     &dummy_object, CAPTLS_RIGHT_CALL, &h_trust),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&caps, OWNER, CAPTLS_IFACE_CERT_VERIFIER,
                                     &dummy_object, CAPTLS_RIGHT_WRITE,
                                     &h_verifier_nocall),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&caps, OWNER, CAPTLS_IFACE_TRUST_STORE,
                                     &dummy_object, CAPTLS_RIGHT_CALL, &h_stale),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_drop(&caps, OWNER, h_stale), CAPTLS_OK);
    return 0;
}

static void common_good(captls_tls_common_config *c)
{
    memset(c, 0, sizeof(*c));
    c->entropy.fill = fill;
    c->clock.monotonic_ns = mono;
    c->clock.wall_time = wall;
    captls_cipher_policy_preset_init(&c->policy, CAPTLS_CIPHER_POLICY_MODERN);
    c->alpn[0] = "h2";
    c->alpn[1] = "http/1.1";
    c->alpn_count = 2;
    c->record_size_limit = 0;
}

static void verifier_good(captls_tls_peer_verifier *v)
{
    v->caps = &caps;
    v->owner = OWNER;
    v->verifier = h_verifier;
    v->trust = h_trust;
    v->scratch = &scratch;
}

static void server_good(captls_tls_server_config *s)
{
    memset(s, 0, sizeof(*s));
    common_good(&s->common);
    s->key.sign = sign;
    s->key.schemes[0] = 0x0807;
    s->key.scheme_count = 1;
    captls_tls_static_chain_source(&chain, &s->chain);
    s->tickets.seal = seal;
    s->tickets.open = open_;
    s->ticket_lifetime_s = 604800;
    s->tickets_per_handshake = 4;
}

static void client_good(captls_tls_client_config *c)
{
    memset(c, 0, sizeof(*c));
    common_good(&c->common);
    verifier_good(&c->verifier);
}

/* Sentences seen so far: each refusal must have its own. */
static const char *seen[64];
static size_t nseen;

static void refused(captls_result got, const char *why, captls_result want,
                    const char *want_why)
{
    if (got != want)
        fail_msg("%s: got %s, want %s", want_why, captls_result_name(got),
                 captls_result_name(want));
    assert_non_null(why);
    assert_string_equal(why, want_why);
    for (size_t i = 0; i < nseen; i++)
        if (strcmp(seen[i], why) == 0)
            return; /* the same check reached from the other side */
    seen[nseen++] = why;
}

#define SERVER_REFUSES(mutation, code, text)                                   \
    do {                                                                       \
        captls_tls_server_config s_;                                           \
        const char *w_ = NULL;                                                 \
        server_good(&s_);                                                      \
        { captls_tls_server_config *s = &s_; mutation; }                       \
        captls_result r_ = captls_tls_server_config_check_why(&s_, &w_);      \
        refused(r_, w_, code, text);                                           \
        assert_int_equal(captls_tls_server_config_check(&s_), code);           \
    } while (0)

#define CLIENT_REFUSES(mutation, code, text)                                   \
    do {                                                                       \
        captls_tls_client_config c_;                                           \
        const char *w_ = NULL;                                                 \
        client_good(&c_);                                                      \
        { captls_tls_client_config *c = &c_; mutation; }                       \
        captls_result r_ = captls_tls_client_config_check_why(&c_, &w_);      \
        refused(r_, w_, code, text);                                           \
        assert_int_equal(captls_tls_client_config_check(&c_), code);           \
    } while (0)

static captls_result select_none(void *ctx, struct captls_tls_conn *c,
                                 const captls_tls_hello_view *h,
                                 captls_tls_identity *out)
{
    (void)ctx;
    (void)c;
    (void)h;
    (void)out;
    return CAPTLS_OK;
}

static void test_good_configs(void **state)
{
    (void)state;
    captls_tls_server_config s;
    captls_tls_client_config c;
    const char *why = "x";
    server_good(&s);
    assert_int_equal(captls_tls_server_config_check_why(&s, &why), CAPTLS_OK);
    assert_null(why);
    assert_int_equal(captls_tls_server_config_check(&s), CAPTLS_OK);
    /* with client auth, no tickets, record size limits at both ends */
    verifier_good(&s.client_verifier);
    s.require_client_cert = true;
    s.tickets.seal = NULL;
    s.tickets.open = NULL;
    s.tickets_per_handshake = 0;
    s.common.record_size_limit = 64;
    assert_int_equal(captls_tls_server_config_check(&s), CAPTLS_OK);
    s.common.record_size_limit = 16385;
    s.common.alpn_count = 0;
    assert_int_equal(captls_tls_server_config_check(&s), CAPTLS_OK);
    client_good(&c);
    why = "x";
    assert_int_equal(captls_tls_client_config_check_why(&c, &why), CAPTLS_OK);
    assert_null(why);
    c.have_client_auth = true;
    c.client_auth.key = s.key;
    c.client_auth.chain = s.chain;
    assert_int_equal(captls_tls_client_config_check(&c), CAPTLS_OK);
    /* an ALPN name of exactly 32 bytes and 8 names are fine */
    static const char *eight[8] = {"a", "b", "c", "d", "e", "f", "g",
                                   "0123456789abcdef0123456789abcdef"};
    memcpy(c.common.alpn, eight, sizeof(eight));
    c.common.alpn_count = 8;
    assert_int_equal(captls_tls_client_config_check(&c), CAPTLS_OK);
    /* an identity selector stands in for a missing key and chain source
     * (tls-alpn-01 responder); a key or source it has is still checked */
    server_good(&s);
    s.identity.select = select_none;
    memset(&s.key, 0, sizeof(s.key));
    s.chain.get = NULL;
    assert_int_equal(captls_tls_server_config_check(&s), CAPTLS_OK);
    s.key.sign = sign;
    assert_int_equal(captls_tls_server_config_check(&s),
                     CAPTLS_ERR_INVALID_ARGUMENT); /* no scheme */
    s.key.schemes[0] = 0x0807;
    s.key.scheme_count = 1;
    s.chain.get = failing_get;
    assert_int_equal(captls_tls_server_config_check(&s), CAPTLS_ERR_IO);
    s.identity.select = NULL;
    s.chain.get = NULL;
    assert_int_equal(captls_tls_server_config_check(&s),
                     CAPTLS_ERR_INVALID_ARGUMENT); /* no selector: refused */
}

static void test_common_refusals(void **state)
{
    (void)state;
    static const char *nine[9] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    (void)nine;
    assert_int_equal(captls_tls_server_config_check(NULL), CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_tls_client_config_check(NULL), CAPTLS_ERR_INVALID_ARGUMENT);
    const char *w = NULL;
    captls_result r = captls_tls_server_config_check_why(NULL, &w);
    refused(r, w, CAPTLS_ERR_INVALID_ARGUMENT, "no config");
    r = captls_tls_client_config_check_why(NULL, &w);
    refused(r, w, CAPTLS_ERR_INVALID_ARGUMENT, "no config");
    SERVER_REFUSES(s->common.entropy.fill = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "no entropy source");
    CLIENT_REFUSES(c->common.entropy.fill = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "no entropy source");
    SERVER_REFUSES(s->common.policy.suite_count = 0, CAPTLS_ERR_INVALID_ARGUMENT,
                   "cipher policy has no cipher suite");
    SERVER_REFUSES(s->common.policy.suite_count = 4, CAPTLS_ERR_LIMIT_EXCEEDED,
                   "cipher policy has too many suites");
    SERVER_REFUSES(s->common.policy.group_count = 0, CAPTLS_ERR_INVALID_ARGUMENT,
                   "cipher policy has no group");
    SERVER_REFUSES(s->common.policy.group_count = 3, CAPTLS_ERR_LIMIT_EXCEEDED,
                   "cipher policy has too many groups");
    CLIENT_REFUSES(c->common.policy.scheme_count = 0, CAPTLS_ERR_INVALID_ARGUMENT,
                   "cipher policy has no signature scheme");
    CLIENT_REFUSES(c->common.policy.scheme_count = 13, CAPTLS_ERR_LIMIT_EXCEEDED,
                   "cipher policy has too many signature schemes");
    CLIENT_REFUSES(c->common.policy.cert_scheme_count = 0, CAPTLS_ERR_INVALID_ARGUMENT,
                   "cipher policy has no certificate signature scheme");
    CLIENT_REFUSES(c->common.policy.cert_scheme_count = 13, CAPTLS_ERR_LIMIT_EXCEEDED,
                   "cipher policy has too many certificate signature schemes");
    SERVER_REFUSES(s->common.policy.suites[1] = 0x1304, CAPTLS_ERR_UNSUPPORTED,
                   "cipher policy names an unknown cipher suite");
    SERVER_REFUSES(s->common.policy.groups[1] = 0x0018, CAPTLS_ERR_UNSUPPORTED,
                   "cipher policy names an unknown group");
    SERVER_REFUSES(s->common.policy.schemes[2] = 0x0401, CAPTLS_ERR_UNSUPPORTED,
                   "cipher policy names a signature scheme not usable in "
                   "CertificateVerify");
    CLIENT_REFUSES(c->common.policy.cert_schemes[11] = 0x0201, CAPTLS_ERR_UNSUPPORTED,
                   "cipher policy names an unknown certificate signature scheme");
    SERVER_REFUSES(s->common.policy.suites[2] = s->common.policy.suites[0],
                   CAPTLS_ERR_INVALID_ARGUMENT, "cipher policy repeats a value");
    SERVER_REFUSES(memcpy(s->common.alpn, nine, 8 * sizeof(char *));
                   s->common.alpn_count = 9,
                   CAPTLS_ERR_LIMIT_EXCEEDED, "too many ALPN protocols");
    SERVER_REFUSES(s->common.alpn[1] = "", CAPTLS_ERR_INVALID_ARGUMENT,
                   "empty ALPN protocol name");
    CLIENT_REFUSES(c->common.alpn[0] = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "empty ALPN protocol name");
    CLIENT_REFUSES(c->common.alpn[1] = "0123456789abcdef0123456789abcdefX",
                   CAPTLS_ERR_LIMIT_EXCEEDED, "ALPN protocol name too long");
    CLIENT_REFUSES(c->common.alpn[1] = "h2", CAPTLS_ERR_INVALID_ARGUMENT,
                   "ALPN protocol repeated");
    SERVER_REFUSES(s->common.record_size_limit = 63, CAPTLS_ERR_INVALID_ARGUMENT,
                   "record_size_limit outside 64..16385");
    CLIENT_REFUSES(c->common.record_size_limit = 16386, CAPTLS_ERR_INVALID_ARGUMENT,
                   "record_size_limit outside 64..16385");
    CLIENT_REFUSES(c->common.record_size_limit = 1, CAPTLS_ERR_INVALID_ARGUMENT,
                   "record_size_limit outside 64..16385");
}

static void test_server_refusals(void **state)
{
    (void)state;
    SERVER_REFUSES(s->key.sign = NULL, CAPTLS_ERR_INVALID_ARGUMENT, "no signing key");
    SERVER_REFUSES(s->key.scheme_count = 0, CAPTLS_ERR_INVALID_ARGUMENT,
                   "signing key offers no scheme");
    SERVER_REFUSES(s->key.scheme_count = CAPTLS_TLS_MAX_SIG_SCHEMES + 1,
                   CAPTLS_ERR_LIMIT_EXCEEDED, "signing key offers too many schemes");
    SERVER_REFUSES(s->key.schemes[0] = 0x0401, CAPTLS_ERR_UNSUPPORTED,
                   "signing key offers a scheme not usable in CertificateVerify");
    SERVER_REFUSES(s->key.schemes[0] = 0x0808, CAPTLS_ERR_UNSUPPORTED,
                   "signing key offers a scheme not usable in CertificateVerify");
    SERVER_REFUSES(assert_int_equal(captls_cipher_policy_set_schemes(
                                        &s->common.policy, "ecdsa_secp256r1_sha256"),
                                    CAPTLS_OK),
                   CAPTLS_ERR_UNSUPPORTED,
                   "no scheme of the signing key is allowed by the cipher policy");
    SERVER_REFUSES(s->chain.get = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "no certificate chain source");
    SERVER_REFUSES(s->chain.get = failing_get, CAPTLS_ERR_IO,
                   "certificate chain source failed");
    SERVER_REFUSES(captls_tls_static_chain_source(&empty_chain, &s->chain),
                   CAPTLS_ERR_NOT_FOUND, "certificate chain is empty");
    SERVER_REFUSES(captls_tls_static_chain_source(&long_chain, &s->chain),
                   CAPTLS_ERR_LIMIT_EXCEEDED, "certificate chain too long");
    SERVER_REFUSES(captls_tls_static_chain_source(&hole_chain, &s->chain),
                   CAPTLS_ERR_INVALID_ARGUMENT,
                   "certificate chain holds an empty certificate");
    SERVER_REFUSES(s->require_client_cert = true, CAPTLS_ERR_INVALID_ARGUMENT,
                   "require_client_cert without a client verifier");
    SERVER_REFUSES(verifier_good(&s->client_verifier); s->common.clock.wall_time = NULL,
                   CAPTLS_ERR_INVALID_ARGUMENT,
                   "no wall clock to verify client certificates");
    SERVER_REFUSES(verifier_good(&s->client_verifier); s->client_verifier.scratch = NULL,
                   CAPTLS_ERR_INVALID_ARGUMENT, "no verify scratch");
    SERVER_REFUSES(s->tickets.open = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "ticket key needs both seal and open");
    SERVER_REFUSES(s->tickets.seal = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "ticket key needs both seal and open");
    SERVER_REFUSES(s->common.clock.wall_time = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "no wall clock for ticket ages");
    SERVER_REFUSES(s->ticket_lifetime_s = 604801, CAPTLS_ERR_LIMIT_EXCEEDED,
                   "ticket lifetime above 604800 s");
    SERVER_REFUSES(s->tickets_per_handshake = 5, CAPTLS_ERR_LIMIT_EXCEEDED,
                   "more than 4 tickets per handshake");
    SERVER_REFUSES(s->ee_group_count = 1, CAPTLS_ERR_INVALID_ARGUMENT,
                   "bad list of groups to advertise");
    SERVER_REFUSES(s->ee_group_count = CAPTLS_TLS_MAX_EE_GROUPS + 1,
                   CAPTLS_ERR_INVALID_ARGUMENT, "bad list of groups to advertise");
}

static void test_client_and_verifier_refusals(void **state)
{
    (void)state;
    CLIENT_REFUSES(c->verifier.caps = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "client without a certificate verifier");
    CLIENT_REFUSES(c->verifier.scratch = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "no verify scratch");
    CLIENT_REFUSES(c->verifier.verifier = h_trust, CAPTLS_ERR_WRONG_INTERFACE,
                   "verifier handle is not a callable CertVerifier");
    CLIENT_REFUSES(c->verifier.verifier = h_verifier_nocall, CAPTLS_ERR_NO_AUTHORITY,
                   "verifier handle is not a callable CertVerifier");
    CLIENT_REFUSES(c->verifier.owner = OWNER + 1, CAPTLS_ERR_BAD_HANDLE,
                   "verifier handle is not a callable CertVerifier");
    CLIENT_REFUSES(c->verifier.trust = h_stale, CAPTLS_ERR_STALE_HANDLE,
                   "trust handle is not a callable TrustStore");
    CLIENT_REFUSES(c->verifier.trust = CAPTLS_CAP_NULL, CAPTLS_ERR_BAD_HANDLE,
                   "trust handle is not a callable TrustStore");
    CLIENT_REFUSES(c->common.clock.wall_time = NULL, CAPTLS_ERR_INVALID_ARGUMENT,
                   "no wall clock to verify server certificates");
    /* client auth: the same key and chain checks as the server's */
    CLIENT_REFUSES(c->have_client_auth = true, CAPTLS_ERR_INVALID_ARGUMENT,
                   "no signing key");
    CLIENT_REFUSES(c->have_client_auth = true; c->client_auth.key.sign = sign;
                   c->client_auth.key.schemes[0] = 0x0403;
                   c->client_auth.key.scheme_count = 1,
                   CAPTLS_ERR_INVALID_ARGUMENT, "no certificate chain source");
    CLIENT_REFUSES(c->have_client_auth = true; c->client_auth.key.sign = sign;
                   c->client_auth.key.schemes[0] = 0x0403;
                   c->client_auth.key.scheme_count = 1;
                   captls_tls_static_chain_source(&empty_chain, &c->client_auth.chain),
                   CAPTLS_ERR_NOT_FOUND, "certificate chain is empty");
}

static void test_sentences_distinct(void **state)
{
    (void)state;
    /* refused() collected one entry per distinct sentence: all 41 refusal
     * sentences of tls_config.c were reached. */
    assert_int_equal(nseen, 42);
    for (size_t i = 0; i < nseen; i++)
        for (size_t j = i + 1; j < nseen; j++)
            assert_true(strcmp(seen[i], seen[j]) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_configs),
        cmocka_unit_test(test_common_refusals),
        cmocka_unit_test(test_server_refusals),
        cmocka_unit_test(test_client_and_verifier_refusals),
        cmocka_unit_test(test_sentences_distinct),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
