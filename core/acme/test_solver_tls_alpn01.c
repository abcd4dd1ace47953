/* Unit tests of core/acme/solver_tls_alpn01.c: the allowed set, publish /
 * retire (stale cleanups, conflicts, table bounds, entropy and clock
 * failures), the certificate each challenge gets (parsed back with
 * core/x509, its key is the slot's), lookup served ONLY for exactly
 * "acme-tls/1" plus a live SNI, the TLS identity and alerts, and the
 * ChallengeSolver capability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/acme/solver_tls_alpn01.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/sig_scheme.h"
#include "core/tls/alert.h"
#include "core/x509/certificate.h"

#define T0 1764892800LL

static const char KA[] =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA."
    "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
static const char KA2[] =
    "token2.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
static const uint8_t ACME[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1'};

typedef struct fake {
    uint32_t state;
    bool entropy_fails, clock_fails;
} fake;
static fake F;

static captls_result fill(void *ctx, uint8_t *out, size_t len)
{
    fake *f = ctx;
    if (f->entropy_fails)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    for (size_t i = 0; i < len; i++) {
        f->state = f->state * 1103515245u + 12345u;
        out[i] = (uint8_t)(f->state >> 16);
    }
    return CAPTLS_OK;
}

static captls_result wall(void *ctx, captls_wall_time *out)
{
    fake *f = ctx;
    if (f->clock_fails)
        return CAPTLS_ERR_CLOCK_UNAVAILABLE;
    memset(out, 0, sizeof(*out));
    out->epoch_seconds = T0;
    out->provenance = CAPTLS_CLOCK_TRUSTED;
    return CAPTLS_OK;
}

static captls_alpn01_solver S;
static captls_alpn01_served SV;

static void init(void)
{
    captls_entropy e = {&F, fill};
    captls_clock c;
    memset(&c, 0, sizeof(c));
    c.ctx = &F;
    c.wall_time = wall;
    memset(&F, 0, sizeof(F));
    F.state = 7;
    captls_alpn01_init(&S, e, c);
}

static captls_result pub(const char *name, const char *ka)
{
    return captls_alpn01_publish(&S, name, strlen(name), ka, strlen(ka));
}

static captls_result look(const char *sni, bool offered, const uint8_t *list,
                          size_t n)
{
    return captls_alpn01_lookup(&S, (const uint8_t *)sni, sni ? strlen(sni) : 0,
                                offered, list, n, &SV);
}

static void test_allow_and_publish(void **state)
{
    (void)state;
    init();
    assert_int_equal(captls_alpn01_allow(&S, "*.example.org", 13), CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_alpn01_allow(&S, "bad name", 8), CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_alpn01_allow(&S, "example.org", 11), CAPTLS_OK);
    assert_int_equal(captls_alpn01_allow(&S, "EXAMPLE.org", 11), CAPTLS_OK);
    assert_int_equal(S.allowed_count, 1);
    /* only allowed names, only well-formed key authorizations */
    assert_int_equal(pub("other.example", KA), CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(pub("example.org", "token.short"), CAPTLS_ERR_MALFORMED);
    assert_int_equal(pub("example.org", "to%en.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(pub("example.org", "token!9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_alpn01_live_count(&S), 0);
    /* entropy and clock failures publish nothing */
    F.entropy_fails = true;
    assert_int_equal(pub("example.org", KA), CAPTLS_ERR_ENTROPY_FAILURE);
    F.entropy_fails = false;
    F.clock_fails = true;
    assert_int_equal(pub("example.org", KA), CAPTLS_ERR_CLOCK_UNAVAILABLE);
    F.clock_fails = false;
    assert_int_equal(captls_alpn01_live_count(&S), 0);
    /* publish, again (no-op), a conflicting one */
    assert_int_equal(pub("example.org", KA), CAPTLS_OK);
    assert_int_equal(pub("Example.Org", KA), CAPTLS_OK);
    assert_int_equal(captls_alpn01_live_count(&S), 1);
    assert_int_equal(pub("example.org", KA2), CAPTLS_ERR_ALREADY_EXISTS);
    /* the certificate: our parser, the slot's key, the digest, validity */
    static captls_certificate c;
    captls_der_error e;
    const captls_alpn01_slot *sl = &S.slot[0];
    assert_true(sl->live);
    assert_int_equal(captls_certificate_parse(&c, sl->cert, sl->cert_len, &e), CAPTLS_OK);
    assert_int_equal(c.san_count, 1);
    assert_memory_equal(c.san[0].value.ptr, "example.org", 11);
    assert_int_equal(c.not_before, T0 - CAPTLS_ALPN01_BACKDATE_S);
    assert_int_equal(c.not_after, T0 + CAPTLS_ALPN01_VALIDITY_S);
    assert_int_equal(c.key.type, CAPTLS_KEY_EC_P256);
    uint8_t point[65];
    assert_int_equal(captls_ecdsa_p256_public(sl->priv, point), CAPTLS_OK);
    assert_memory_equal(c.key.point.ptr, point, 65);
    const captls_x509_extension *x = captls_certificate_find_extension(
        &c, captls_oid_pe_acme_identifier, sizeof(captls_oid_pe_acme_identifier));
    assert_non_null(x);
    assert_true(x->critical);
    uint8_t d[32];
    captls_alpn01_digest(KA, strlen(KA), d);
    assert_memory_equal(x->value.ptr + 2, d, 32);
    assert_int_equal(c.serial.ptr[0] & 0x80, 0);
    /* table bounds */
    init();
    char names[CAPTLS_ALPN01_MAX_LIVE + 1][16];
    for (size_t i = 0; i <= CAPTLS_ALPN01_MAX_LIVE; i++) {
        snprintf(names[i], sizeof(names[i]), "n%zu.example", i);
        assert_int_equal(captls_alpn01_allow(&S, names[i], strlen(names[i])), CAPTLS_OK);
    }
    for (size_t i = 0; i < CAPTLS_ALPN01_MAX_LIVE; i++)
        assert_int_equal(pub(names[i], KA), CAPTLS_OK);
    assert_int_equal(pub(names[CAPTLS_ALPN01_MAX_LIVE], KA), CAPTLS_ERR_TABLE_FULL);
    /* keys differ per challenge */
    assert_memory_not_equal(S.slot[0].priv, S.slot[1].priv, 32);
    init();
    for (size_t i = 0; i < CAPTLS_ALPN01_MAX_ALLOWED; i++) {
        char n[16];
        snprintf(n, sizeof(n), "a%zu.example", i);
        assert_int_equal(captls_alpn01_allow(&S, n, strlen(n)), CAPTLS_OK);
    }
    assert_int_equal(captls_alpn01_allow(&S, "z.example", 9), CAPTLS_ERR_TABLE_FULL);
    captls_alpn01_wipe(&S);
}

static void test_lookup_only_acme_tls_1(void **state)
{
    (void)state;
    static const uint8_t h2[] = {2, 'h', '2'};
    static const uint8_t both[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1',
                                   2, 'h', '2'};
    static const uint8_t other[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '2'};
    init();
    assert_int_equal(captls_alpn01_allow(&S, "example.org", 11), CAPTLS_OK);
    assert_int_equal(captls_alpn01_allow(&S, "b.example", 9), CAPTLS_OK);
    assert_int_equal(pub("example.org", KA), CAPTLS_OK);
    assert_int_equal(look("example.org", true, ACME, sizeof(ACME)), CAPTLS_OK);
    assert_int_equal(SV.cert_len, S.slot[0].cert_len);
    assert_memory_equal(SV.cert, S.slot[0].cert, SV.cert_len);
    assert_memory_equal(SV.priv, S.slot[0].priv, 32);
    assert_int_equal(look("EXAMPLE.ORG", true, ACME, sizeof(ACME)), CAPTLS_OK);
    /* any other ALPN, or none: never the challenge certificate */
    assert_int_equal(look("example.org", false, NULL, 0), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(SV.cert_len, 0);
    assert_int_equal(look("example.org", true, h2, sizeof(h2)), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(look("example.org", true, both, sizeof(both)), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(look("example.org", true, other, sizeof(other)), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(look("example.org", true, ACME, sizeof(ACME) - 1), CAPTLS_ERR_UNSUPPORTED);
    /* SNI: absent, unknown, allowed but not live, a prefix */
    assert_int_equal(look(NULL, true, ACME, sizeof(ACME)), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(look("nope.example", true, ACME, sizeof(ACME)), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(look("b.example", true, ACME, sizeof(ACME)), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(look("example.or", true, ACME, sizeof(ACME)), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(look("example.org.", true, ACME, sizeof(ACME)), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(S.served, 2);
    assert_int_equal(S.refused_alpn, 5);
    assert_int_equal(S.refused_name, 5);
    /* a stale cleanup (other key authorization) retires nothing */
    captls_alpn01_retire(&S, "example.org", 11, KA2, strlen(KA2));
    assert_int_equal(look("example.org", true, ACME, sizeof(ACME)), CAPTLS_OK);
    captls_alpn01_retire(&S, "example.org", 11, KA, strlen(KA));
    assert_int_equal(captls_alpn01_live_count(&S), 0);
    assert_int_equal(look("example.org", true, ACME, sizeof(ACME)), CAPTLS_ERR_NOT_FOUND);
    /* slot wiped */
    static const uint8_t zero[sizeof(captls_alpn01_slot)];
    assert_memory_equal(&S.slot[0], zero, sizeof(zero));
    /* after retire a new key authorization may be published */
    assert_int_equal(pub("example.org", KA2), CAPTLS_OK);
    captls_alpn01_served_wipe(&SV);
}

static void test_select_identity(void **state)
{
    (void)state;
    captls_tls_hello_view h;
    captls_tls_identity id;
    init();
    assert_int_equal(captls_alpn01_allow(&S, "example.org", 11), CAPTLS_OK);
    assert_int_equal(pub("example.org", KA), CAPTLS_OK);
    memset(&h, 0, sizeof(h));
    memset(&id, 0, sizeof(id));
    h.server_name.ptr = (const uint8_t *)"example.org";
    h.server_name.len = 11;
    assert_int_equal(captls_alpn01_select_identity(&S, &h, &SV, &id),
                     CAPTLS_TLS_ERR(NO_APPLICATION_PROTOCOL));
    assert_null(id.key);
    h.alpn_offered = true;
    h.alpn_list.ptr = ACME;
    h.alpn_list.len = sizeof(ACME);
    h.server_name.len = 0;
    assert_int_equal(captls_alpn01_select_identity(&S, &h, &SV, &id),
                     CAPTLS_TLS_ERR(UNRECOGNIZED_NAME));
    h.server_name.len = 11;
    assert_int_equal(captls_alpn01_select_identity(&S, &h, &SV, &id), CAPTLS_OK);
    assert_string_equal(id.alpn, "acme-tls/1");
    assert_int_equal(id.chain.count, 1);
    assert_ptr_equal(id.chain.certs[0].ptr, SV.cert);
    assert_int_equal(id.chain.certs[0].len, SV.cert_len);
    assert_ptr_equal(id.key, &SV.signer);
    assert_int_equal(id.key->scheme_count, 1);
    assert_int_equal(id.key->schemes[0], CAPTLS_SIG_ECDSA_SECP256R1_SHA256);
    /* the key signs what the certificate's key verifies */
    static const uint8_t msg[] = "CertificateVerify content";
    uint8_t sig[80], point[65];
    size_t n = 0;
    assert_int_equal(id.key->sign(id.key->ctx, 0x0807, msg, sizeof(msg), sig,
                                  sizeof(sig), &n), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(id.key->sign(id.key->ctx, CAPTLS_SIG_ECDSA_SECP256R1_SHA256,
                                  msg, sizeof(msg), sig, 10, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(id.key->sign(id.key->ctx, CAPTLS_SIG_ECDSA_SECP256R1_SHA256,
                                  msg, sizeof(msg), sig, sizeof(sig), &n), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_p256_public(S.slot[0].priv, point), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256, point,
                                         65, msg, sizeof(msg), sig, n), CAPTLS_OK);
    captls_alpn01_served_wipe(&SV);
    captls_alpn01_wipe(&S);
}

static void test_solver_cap(void **state)
{
    (void)state;
    captls_acme_challenge_type t[2];
    captls_acme_challenge ch;
    init();
    assert_int_equal(captls_alpn01_allow(&S, "example.org", 11), CAPTLS_OK);
    captls_acme_solver cap = captls_alpn01_solver_cap(&S);
    assert_int_equal(cap.supports(cap.ctx, t, 0), 0);
    assert_int_equal(cap.supports(cap.ctx, t, 2), 1);
    assert_int_equal(t[0], CAPTLS_ACME_CHALLENGE_TLS_ALPN01);
    memset(&ch, 0, sizeof(ch));
    ch.type = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    ch.identifier.type = "dns";
    ch.identifier.type_len = 3;
    ch.identifier.value = "example.org";
    ch.identifier.value_len = 11;
    ch.token = KA;
    ch.token_len = 43;
    ch.key_authorization = KA;
    ch.key_authorization_len = strlen(KA);
    ch.type = CAPTLS_ACME_CHALLENGE_HTTP01;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_UNSUPPORTED);
    ch.type = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    ch.wildcard = true;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_UNSUPPORTED);
    ch.wildcard = false;
    ch.identifier.type = "ip";
    ch.identifier.type_len = 2;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_UNSUPPORTED);
    ch.identifier.type = "dns";
    ch.identifier.type_len = 3;
    assert_int_equal(cap.solve(cap.ctx, NULL), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_alpn01_live_count(&S), 0);
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_OK);
    assert_int_equal(look("example.org", true, ACME, sizeof(ACME)), CAPTLS_OK);
    ch.type = CAPTLS_ACME_CHALLENGE_HTTP01;
    cap.cleanup(cap.ctx, &ch); /* another type: ignored */
    assert_int_equal(captls_alpn01_live_count(&S), 1);
    ch.type = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    cap.cleanup(cap.ctx, &ch);
    assert_int_equal(captls_alpn01_live_count(&S), 0);
    cap.cleanup(cap.ctx, NULL);
    captls_alpn01_served_wipe(&SV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allow_and_publish),
        cmocka_unit_test(test_lookup_only_acme_tls_1),
        cmocka_unit_test(test_select_identity),
        cmocka_unit_test(test_solver_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
