/* Unit tests of core/tls/pem_chain.c: chains written by OpenSSL parse to
 * the same DER in file order; refusals leave the output untouched; the
 * static chain source serves the chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conformance/testkit.h"
#include "core/tls/pem_chain.h"

static EVP_PKEY *key;

static int setup(void **state)
{
    (void)state;
    key = captls_test_keygen("EC", "P-256", 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    EVP_PKEY_free(key);
    return 0;
}

static X509 *make_cert(long serial)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"chain",
                               -1, -1, 0);
    X509_set_issuer_name(x, nm);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return x;
}

/* PEM of n certificates (with a private key block after the first, which
 * must be skipped) into out; their DER into ders. */
static size_t chain_pem(int n, char *out, size_t cap, uint8_t ders[][1024],
                        size_t *der_lens)
{
    BIO *b = BIO_new(BIO_s_mem());
    for (int i = 0; i < n; i++) {
        X509 *x = make_cert(100 + i);
        assert_int_equal(PEM_write_bio_X509(b, x), 1);
        if (i == 0)
            assert_int_equal(PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL,
                                                      NULL), 1);
        uint8_t *p = ders[i];
        der_lens[i] = (size_t)i2d_X509(x, &p);
        X509_free(x);
    }
    int len = BIO_read(b, out, (int)cap);
    BIO_free(b);
    assert_true(len > 0 && (size_t)len < cap);
    return (size_t)len;
}

static uint8_t ders[10][1024];
static size_t der_lens[10];
static char pem[40000];
static uint8_t buf[20000];

static void test_chain_round_trip(void **state)
{
    (void)state;
    for (int n = 1; n <= 8; n++) {
        size_t len = chain_pem(n, pem, sizeof(pem), ders, der_lens);
        captls_tls_chain c;
        size_t used = 0, total = 0;
        memset(&c, 0xA5, sizeof(c));
        assert_int_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len, buf,
                                                    sizeof(buf), &c, &used),
                         CAPTLS_OK);
        assert_int_equal(c.count, n);
        for (int i = 0; i < n; i++) {
            assert_int_equal(c.certs[i].len, der_lens[i]);
            assert_memory_equal(c.certs[i].ptr, ders[i], der_lens[i]);
            assert_true(c.certs[i].ptr >= buf && c.certs[i].ptr < buf + sizeof(buf));
            total += der_lens[i];
        }
        assert_int_equal(used, total);
        assert_int_equal(c.ocsp_response.len, 0);
        assert_int_equal(c.sct_list.len, 0);
        /* exactly enough room works; one byte less does not */
        assert_int_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len, buf, total,
                                                    &c, &used), CAPTLS_OK);
        captls_tls_chain before = c;
        size_t u2 = 777;
        assert_int_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len, buf,
                                                    total - 1, &c, &u2),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
        assert_memory_equal(&c, &before, sizeof(c));
        assert_int_equal(u2, 777);
        /* the static source serves it */
        captls_tls_chain_source src;
        captls_tls_chain got;
        assert_int_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len, buf,
                                                    sizeof(buf), &c, &used), CAPTLS_OK);
        captls_tls_static_chain_source(&c, &src);
        assert_non_null(src.get);
        memset(&got, 0, sizeof(got));
        assert_int_equal(src.get(src.ctx, &got), CAPTLS_OK);
        assert_memory_equal(&got, &c, sizeof(c));
    }
}

static void test_refusals(void **state)
{
    (void)state;
    captls_tls_chain c, before;
    size_t used = 777;
    memset(&c, 0xA5, sizeof(c));
    before = c;
    /* nine certificates: more than CAPTLS_TLS_MAX_CHAIN */
    size_t len = chain_pem(9, pem, sizeof(pem), ders, der_lens);
    assert_int_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len, buf, sizeof(buf),
                                                &c, &used),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    /* no CERTIFICATE block (a key only), nothing at all */
    const char *keyonly = strstr(pem, "-----BEGIN PRIVATE KEY");
    const char *keyend = strstr(keyonly, "-----END PRIVATE KEY-----\n");
    size_t kl = (size_t)(keyend - keyonly) + strlen("-----END PRIVATE KEY-----\n");
    assert_int_equal(captls_tls_pem_chain_parse((const uint8_t *)keyonly, kl, buf,
                                                sizeof(buf), &c, &used),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_tls_pem_chain_parse((const uint8_t *)"", 0, buf, sizeof(buf),
                                                &c, &used),
                     CAPTLS_ERR_NOT_FOUND);
    /* a CERTIFICATE block that is not DER, or not a SEQUENCE */
    const char *notder = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert_int_equal(captls_tls_pem_chain_parse((const uint8_t *)notder, strlen(notder),
                                                buf, sizeof(buf), &c, &used),
                     CAPTLS_ERR_MALFORMED);
    const char *integer = "-----BEGIN CERTIFICATE-----\nAgEB\n-----END CERTIFICATE-----\n";
    assert_int_equal(captls_tls_pem_chain_parse((const uint8_t *)integer,
                                                strlen(integer), buf, sizeof(buf), &c,
                                                &used),
                     CAPTLS_ERR_MALFORMED);
    /* SEQUENCE with trailing bytes: 30 00 00 */
    const char *trail = "-----BEGIN CERTIFICATE-----\nMAAA\n-----END CERTIFICATE-----\n";
    assert_int_equal(captls_tls_pem_chain_parse((const uint8_t *)trail, strlen(trail),
                                                buf, sizeof(buf), &c, &used),
                     CAPTLS_ERR_MALFORMED);
    /* a good chain followed by a broken block: all or nothing */
    len = chain_pem(2, pem, sizeof(pem), ders, der_lens);
    memcpy(pem + len, notder, strlen(notder));
    assert_int_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len + strlen(notder),
                                                buf, sizeof(buf), &c, &used),
                     CAPTLS_ERR_MALFORMED);
    /* truncated PEM (END line cut) */
    assert_int_not_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len - 10, buf,
                                                    sizeof(buf), &c, &used),
                         CAPTLS_OK);
    assert_memory_equal(&c, &before, sizeof(c));
    assert_int_equal(used, 777);
    assert_int_equal(captls_tls_pem_chain_parse((uint8_t *)pem, len, buf, sizeof(buf),
                                                NULL, &used),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_tls_pem_chain_parse(NULL, 5, buf, sizeof(buf), &c, &used),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* a static source over NULL fails its get() */
    captls_tls_chain_source src;
    captls_tls_static_chain_source(NULL, &src);
    assert_int_equal(src.get(src.ctx, &c), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_tls_static_chain_source(&c, NULL); /* no-op */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_round_trip),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
