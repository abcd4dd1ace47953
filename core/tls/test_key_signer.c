/* Unit tests of core/tls/key_signer.c: keys from OpenSSL (Ed25519, P-256,
 * RSA in PKCS#8 and traditional PEM), signatures verified by OpenSSL for
 * every scheme, refusals (wrong scheme, small buffer, entropy failure,
 * unsupported keys), certificate match, wiping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "conformance/testkit.h"
#include "core/base/pem.h"
#include "core/crypto/sig_scheme.h"
#include "core/tls/key_signer.h"

typedef struct test_entropy {
    bool fail;
} test_entropy;

static captls_result fill(void *ctx, uint8_t *out, size_t len)
{
    test_entropy *t = ctx;
    if (t->fail)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    assert_int_equal(RAND_bytes(out, (int)len), 1);
    return CAPTLS_OK;
}

static test_entropy te;
static captls_entropy ent(void)
{
    captls_entropy e = {&te, fill};
    return e;
}

static uint8_t scratch[CAPTLS_TLS_KEY_SIGNER_SCRATCH];

static size_t pem_of(EVP_PKEY *k, bool traditional, char *out, size_t cap)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (traditional)
        assert_int_equal(PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0,
                                                              NULL, NULL), 1);
    else
        assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
    int n = BIO_read(b, out, (int)cap);
    assert_true(n > 0 && (size_t)n < cap);
    BIO_free(b);
    return (size_t)n;
}

static captls_result load(captls_tls_key_signer *s, EVP_PKEY *k, bool trad)
{
    static char pem[8192];
    size_t n = pem_of(k, trad, pem, sizeof(pem));
    return captls_tls_key_signer_load_pem(s, (uint8_t *)pem, n, ent(), scratch,
                                          sizeof(scratch));
}

/* OpenSSL's verdict on sig for scheme under k. */
static bool ossl_verify(EVP_PKEY *k, uint16_t scheme, const uint8_t *msg, size_t len,
                        const uint8_t *sig, size_t sig_len)
{
    const EVP_MD *md = NULL;
    bool pss = false;
    switch (scheme) {
    case 0x0807: md = NULL; break;
    case 0x0403: md = EVP_sha256(); break;
    case 0x0804: md = EVP_sha256(); pss = true; break;
    case 0x0805: md = EVP_sha384(); pss = true; break;
    case 0x0806: md = EVP_sha512(); pss = true; break;
    default: fail();
    }
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    assert_int_equal(EVP_DigestVerifyInit(c, &pc, md, NULL, k), 1);
    if (pss) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, EVP_MD_get_size(md)), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md), 1);
    }
    int ok = EVP_DigestVerify(c, sig, sig_len, msg, len);
    EVP_MD_CTX_free(c);
    return ok == 1;
}

/* A self-signed certificate for k, parsed by captls (cert must be freed). */
static captls_certificate *cert_for(EVP_PKEY *k, uint8_t **der_out)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"test",
                               -1, -1, 0);
    X509_set_issuer_name(x, nm);
    assert_int_equal(X509_set_pubkey(x, k), 1);
    const EVP_MD *md = EVP_PKEY_get_id(k) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
    assert_true(X509_sign(x, k, md) > 0);
    int n = i2d_X509(x, NULL);
    uint8_t *der = malloc((size_t)n), *p = der;
    assert_int_equal(i2d_X509(x, &p), n);
    X509_free(x);
    captls_certificate *c = malloc(sizeof(*c));
    captls_der_error e;
    captls_result r = captls_certificate_parse(c, der, (size_t)n, &e);
    if (r != CAPTLS_OK)
        fail_msg("cert parse: %s at %zu: %s", captls_result_name(r), e.offset, e.reason);
    *der_out = der;
    return c;
}

static bool all_zero(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((const uint8_t *)p)[i] != 0)
            return false;
    return true;
}

static void exercise(EVP_PKEY *k, bool trad, captls_key_type want_type,
                     const uint16_t *schemes, size_t nschemes, EVP_PKEY *other)
{
    static const uint8_t msg[] =
        "                                                                "
        "TLS 1.3, server CertificateVerify\0transcript hash here........";
    captls_tls_key_signer s;
    captls_tls_signer iface;
    uint8_t sig[600];
    size_t sl = 0;
    captls_result r = load(&s, k, trad);
    if (r != CAPTLS_OK)
        fail_msg("load: %s", captls_result_name(r));
    assert_int_equal(s.type, want_type);
    captls_tls_key_signer_iface(&s, &iface);
    assert_ptr_equal(iface.ctx, &s);
    assert_non_null(iface.sign);
    assert_int_equal(iface.scheme_count, nschemes);
    assert_memory_equal(iface.schemes, schemes, nschemes * sizeof(uint16_t));
    for (size_t i = 0; i < nschemes; i++) {
        assert_int_equal(iface.sign(iface.ctx, schemes[i], msg, sizeof(msg), sig,
                                    sizeof(sig), &sl), CAPTLS_OK);
        assert_true(ossl_verify(k, schemes[i], msg, sizeof(msg), sig, sl));
        /* and not under another key */
        if (EVP_PKEY_get_id(other) == EVP_PKEY_get_id(k))
            assert_false(ossl_verify(other, schemes[i], msg, sizeof(msg), sig, sl));
        /* a changed message does not verify */
        uint8_t m2[sizeof(msg)];
        memcpy(m2, msg, sizeof(msg));
        m2[70] ^= 1;
        assert_false(ossl_verify(k, schemes[i], m2, sizeof(m2), sig, sl));
        /* buffer too small: nothing written */
        uint8_t small[600];
        size_t ssl = 4242;
        memset(small, 0xEE, sizeof(small));
        size_t need = want_type == CAPTLS_KEY_EC_P256 ? 8 : sl; /* DER: any short cap */
        assert_int_equal(captls_tls_key_signer_sign(&s, schemes[i], msg, sizeof(msg),
                                                    small, need - 1, &ssl),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(ssl, 4242);
        for (size_t j = 0; j < sizeof(small); j++)
            assert_int_equal(small[j], 0xEE);
    }
    /* every scheme captls knows that this key does not offer: UNSUPPORTED */
    size_t nt = 0;
    const captls_sig_scheme_info *tab = captls_sig_scheme_table(&nt);
    for (size_t i = 0; i < nt; i++) {
        bool offered = false;
        for (size_t j = 0; j < nschemes; j++)
            offered = offered || tab[i].scheme == schemes[j];
        if (!offered)
            assert_int_equal(captls_tls_key_signer_sign(&s, tab[i].scheme, msg,
                                                        sizeof(msg), sig, sizeof(sig),
                                                        &sl),
                             CAPTLS_ERR_UNSUPPORTED);
    }
    assert_int_equal(captls_tls_key_signer_sign(&s, 0x0808, msg, sizeof(msg), sig,
                                                sizeof(sig), &sl),
                     CAPTLS_ERR_UNSUPPORTED);
    /* certificate match */
    uint8_t *d1, *d2;
    captls_certificate *mine = cert_for(k, &d1), *theirs = cert_for(other, &d2);
    assert_true(captls_tls_key_signer_matches(&s, mine));
    assert_false(captls_tls_key_signer_matches(&s, theirs));
    assert_false(captls_tls_key_signer_matches(&s, NULL));
    free(mine); free(theirs); free(d1); free(d2);
    /* destroy wipes, and an empty signer signs nothing */
    captls_tls_key_signer_destroy(&s);
    assert_true(all_zero(&s, sizeof(s)));
    assert_int_equal(captls_tls_key_signer_sign(&s, schemes[0], msg, sizeof(msg), sig,
                                                sizeof(sig), &sl),
                     CAPTLS_ERR_UNSUPPORTED);
    captls_tls_key_signer_iface(&s, &iface);
    assert_int_equal(iface.scheme_count, 0);
    assert_null(iface.sign);
}

static void test_ed25519(void **state)
{
    (void)state;
    static const uint16_t sch[] = {0x0807};
    EVP_PKEY *k = captls_test_keygen("ED25519", NULL, 0);
    EVP_PKEY *o = captls_test_keygen("ED25519", NULL, 0);
    exercise(k, false, CAPTLS_KEY_ED25519, sch, 1, o);
    EVP_PKEY_free(k);
    EVP_PKEY_free(o);
}

static void test_p256(void **state)
{
    (void)state;
    static const uint16_t sch[] = {0x0403};
    EVP_PKEY *k = captls_test_keygen("EC", "P-256", 0);
    EVP_PKEY *o = captls_test_keygen("EC", "P-256", 0);
    exercise(k, false, CAPTLS_KEY_EC_P256, sch, 1, o);
    exercise(k, true, CAPTLS_KEY_EC_P256, sch, 1, o); /* EC PRIVATE KEY */
    EVP_PKEY_free(k);
    EVP_PKEY_free(o);
}

static void test_rsa(void **state)
{
    (void)state;
    static const uint16_t sch[] = {0x0804, 0x0805, 0x0806};
    EVP_PKEY *o = captls_test_keygen("RSA", "bits", 2048);
    const int sizes[] = {2048, 3072};
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *k = captls_test_keygen("RSA", "bits", sizes[i]);
        exercise(k, false, CAPTLS_KEY_RSA, sch, 3, o);
        exercise(k, true, CAPTLS_KEY_RSA, sch, 3, o); /* RSA PRIVATE KEY */
        EVP_PKEY_free(k);
    }
    /* entropy failure: no salt, no signature, nothing written */
    captls_tls_key_signer s;
    uint8_t sig[512];
    size_t sl = 4242;
    assert_int_equal(load(&s, o, false), CAPTLS_OK);
    te.fail = true;
    memset(sig, 0xEE, sizeof(sig));
    assert_int_equal(captls_tls_key_signer_sign(&s, 0x0804, (const uint8_t *)"m", 1,
                                                sig, sizeof(sig), &sl),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    te.fail = false;
    assert_int_equal(sl, 4242);
    for (size_t j = 0; j < sizeof(sig); j++)
        assert_int_equal(sig[j], 0xEE);
    /* two signatures differ (random salt) yet both verify */
    uint8_t sig2[512];
    size_t sl2 = 0;
    assert_int_equal(captls_tls_key_signer_sign(&s, 0x0804, (const uint8_t *)"m", 1,
                                                sig, sizeof(sig), &sl), CAPTLS_OK);
    assert_int_equal(captls_tls_key_signer_sign(&s, 0x0804, (const uint8_t *)"m", 1,
                                                sig2, sizeof(sig2), &sl2), CAPTLS_OK);
    assert_memory_not_equal(sig, sig2, sl);
    assert_true(ossl_verify(o, 0x0804, (const uint8_t *)"m", 1, sig2, sl2));
    captls_tls_key_signer_destroy(&s);
    /* an RSA key without entropy is refused at load */
    static char pem[8192];
    size_t n = pem_of(o, false, pem, sizeof(pem));
    captls_entropy none = {NULL, NULL};
    assert_int_equal(captls_tls_key_signer_load_pem(&s, (uint8_t *)pem, n, none,
                                                    scratch, sizeof(scratch)),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_true(all_zero(&s, sizeof(s)));
    EVP_PKEY_free(o);
}

static void test_refused_keys(void **state)
{
    (void)state;
    captls_tls_key_signer s;
    static char pem[8192];
    struct {
        const char *alg, *param;
        int v;
        captls_result want;
    } rows[] = {
        {"EC", "P-384", 0, CAPTLS_ERR_UNSUPPORTED},
        {"X25519", NULL, 0, CAPTLS_ERR_UNSUPPORTED},
        {"RSA", "bits", 1024, CAPTLS_ERR_WEAK_KEY},
        {"ED448", NULL, 0, CAPTLS_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        EVP_PKEY *k = captls_test_keygen(rows[i].alg, rows[i].param, rows[i].v);
        memset(&s, 0x5A, sizeof(s));
        captls_result r = load(&s, k, false);
        if (r != rows[i].want)
            fail_msg("%s: %s", rows[i].alg, captls_result_name(r));
        assert_true(all_zero(&s, sizeof(s)));
        assert_true(all_zero(scratch, sizeof(scratch)));
        EVP_PKEY_free(k);
    }
    /* encrypted PKCS#8, no key at all, scratch too small */
    EVP_PKEY *k = captls_test_keygen("EC", "P-256", 0);
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_128_cbc(), NULL, 0,
                                                   NULL, (void *)"pw"), 1);
    int en = BIO_read(b, pem, sizeof(pem));
    BIO_free(b);
    assert_int_equal(captls_tls_key_signer_load_pem(&s, (uint8_t *)pem, (size_t)en,
                                                    ent(), scratch, sizeof(scratch)),
                     CAPTLS_ERR_UNSUPPORTED);
    const char *cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert_int_equal(captls_tls_key_signer_load_pem(&s, (const uint8_t *)cert,
                                                    strlen(cert), ent(), scratch,
                                                    sizeof(scratch)),
                     CAPTLS_ERR_NOT_FOUND);
    size_t n = pem_of(k, false, pem, sizeof(pem));
    assert_int_equal(captls_tls_key_signer_load_pem(&s, (uint8_t *)pem, n, ent(),
                                                    scratch, 16),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(captls_tls_key_signer_load_pem(NULL, (uint8_t *)pem, n, ent(),
                                                    scratch, sizeof(scratch)),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* a corrupted body (one base64 character) is refused */
    char *body = strchr(pem, '\n') + 10;
    *body = (char)(*body == 'A' ? 'B' : 'A');
    assert_int_not_equal(captls_tls_key_signer_load_pem(&s, (uint8_t *)pem, n, ent(),
                                                        scratch, sizeof(scratch)),
                         CAPTLS_OK);
    EVP_PKEY_free(k);
}

/* PKCS#8 v2 Ed25519 keys carry the public key: it must match the seed. */
static void test_ed25519_v2_public_key(void **state)
{
    (void)state;
    uint8_t der[83] = {0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b,
                       0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    EVP_PKEY *k = captls_test_keygen("ED25519", NULL, 0);
    size_t l = 32;
    assert_int_equal(EVP_PKEY_get_raw_private_key(k, der + 16, &l), 1);
    der[48] = 0x81;
    der[49] = 0x21;
    der[50] = 0x00;
    l = 32;
    assert_int_equal(EVP_PKEY_get_raw_public_key(k, der + 51, &l), 1);
    char pem[256];
    size_t pl = 0;
    captls_tls_key_signer s;
    for (int bad = 0; bad < 2; bad++) {
        if (bad)
            der[60] ^= 0x01;
        assert_int_equal(captls_pem_encode("PRIVATE KEY", der, sizeof(der), pem,
                                           sizeof(pem), &pl), CAPTLS_OK);
        assert_int_equal(captls_tls_key_signer_load_pem(&s, (uint8_t *)pem, pl, ent(),
                                                        scratch, sizeof(scratch)),
                         bad ? CAPTLS_ERR_INVALID_KEY : CAPTLS_OK);
        if (!bad) {
            uint8_t sig[64];
            size_t sl = 0;
            assert_int_equal(captls_tls_key_signer_sign(&s, 0x0807, der, 10, sig,
                                                        sizeof(sig), &sl), CAPTLS_OK);
            assert_true(ossl_verify(k, 0x0807, der, 10, sig, sl));
        }
        captls_tls_key_signer_destroy(&s);
    }
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ed25519),
        cmocka_unit_test(test_p256),
        cmocka_unit_test(test_rsa),
        cmocka_unit_test(test_refused_keys),
        cmocka_unit_test(test_ed25519_v2_public_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
