/* Unit tests of core/crypto/rsa_key.c against OpenSSL: PKCS#8 and PKCS#1
 * RSA keys of 2048/3072/4096 bits parse to OpenSSL's components, sign with
 * captls RSA-PSS and verify with OpenSSL; malformed, truncated and
 * inconsistent keys are refused and leave the output wiped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "conformance/testkit.h"
#include "core/crypto/rsa_key.h"
#include "core/crypto/spki.h"

static EVP_PKEY *keys[3];
static const int bits[3] = {2048, 3072, 4096};

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        keys[i] = captls_test_keygen("RSA", "bits", bits[i]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        EVP_PKEY_free(keys[i]);
    return 0;
}

static size_t pkcs8_der(EVP_PKEY *k, uint8_t *out, size_t cap)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
    assert_non_null(p8);
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL);
    assert_true(n > 0 && (size_t)n <= cap);
    uint8_t *p = out;
    assert_int_equal(i2d_PKCS8_PRIV_KEY_INFO(p8, &p), n);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return (size_t)n;
}

static size_t pkcs1_der(EVP_PKEY *k, uint8_t *out, size_t cap)
{
    int n = i2d_PrivateKey(k, NULL); /* RSA: the traditional PKCS#1 form */
    assert_true(n > 0 && (size_t)n <= cap);
    uint8_t *p = out;
    assert_int_equal(i2d_PrivateKey(k, &p), n);
    return (size_t)n;
}

static bool all_zero(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((const uint8_t *)p)[i] != 0)
            return false;
    return true;
}

static size_t bn_param(EVP_PKEY *k, const char *name, uint8_t *out)
{
    BIGNUM *b = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &b), 1);
    int n = BN_bn2bin(b, out);
    BN_clear_free(b);
    return (size_t)n;
}

/* PSS signature by captls verifies with OpenSSL under each hash. */
static void sign_and_verify(EVP_PKEY *k, const captls_rsa_private_key *key)
{
    static const captls_hash_alg hashes[] = {CAPTLS_HASH_SHA256, CAPTLS_HASH_SHA384,
                                             CAPTLS_HASH_SHA512};
    const EVP_MD *mds[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    static const uint8_t msg[] = "TLS 1.3, server CertificateVerify";
    for (int h = 0; h < 3; h++) {
        uint8_t salt[64], sig[512];
        size_t hl = captls_hash_size(hashes[h]), sl = 0;
        assert_int_equal(RAND_bytes(salt, (int)hl), 1);
        assert_int_equal(captls_rsa_pss_sign(key, hashes[h], hashes[h], salt, hl, msg,
                                             sizeof(msg), sig, sizeof(sig), &sl),
                         CAPTLS_OK);
        assert_int_equal(sl, (size_t)EVP_PKEY_get_size(k));
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pc = NULL;
        assert_int_equal(EVP_DigestVerifyInit(c, &pc, mds[h], NULL, k), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, (int)hl), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pc, mds[h]), 1);
        assert_int_equal(EVP_DigestVerify(c, sig, sl, msg, sizeof(msg)), 1);
        EVP_MD_CTX_free(c);
    }
}

static void check_key(EVP_PKEY *k, const captls_rsa_private_key *key, int nbits)
{
    uint8_t ref[600];
    size_t n = bn_param(k, OSSL_PKEY_PARAM_RSA_N, ref);
    assert_int_equal(key->pub.bits, (uint32_t)nbits);
    assert_int_equal(key->pub.n_len, n);
    assert_memory_equal(key->pub.n, ref, n);
    n = bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR1, ref);
    assert_int_equal(key->p_len, n);
    assert_memory_equal(key->p, ref, n);
    n = bn_param(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, ref);
    assert_int_equal(key->iq_len, n);
    assert_memory_equal(key->iq, ref, n);
    sign_and_verify(k, key);
}

static void every_truncation_fails(const uint8_t *der, size_t n, bool pkcs8)
{
    captls_rsa_private_key key;
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *t = malloc(cut + 1);
        memcpy(t, der, cut);
        memset(&key, 0x5A, sizeof(key));
        captls_result r = pkcs8 ? captls_rsa_key_parse_pkcs8(t, cut, &key, NULL)
                                : captls_rsa_key_parse_pkcs1(t, cut, &key, NULL);
        free(t);
        assert_int_not_equal(r, CAPTLS_OK);
        assert_true(all_zero(&key, sizeof(key)));
    }
}

static void test_openssl_keys(void **state)
{
    (void)state;
    static uint8_t der[4096];
    for (int i = 0; i < 3; i++) {
        captls_rsa_private_key key;
        captls_der_error e;
        size_t n = pkcs8_der(keys[i], der, sizeof(der));
        assert_true(n <= CAPTLS_RSA_KEY_DER_MAX);
        captls_result r = captls_rsa_key_parse_pkcs8(der, n, &key, &e);
        if (r != CAPTLS_OK)
            fail_msg("pkcs8 %d: %s at %zu: %s", bits[i], captls_result_name(r),
                     e.offset, e.reason);
        check_key(keys[i], &key, bits[i]);
        captls_rsa_private_key_destroy(&key);
        assert_true(all_zero(&key, sizeof(key)));
        /* PKCS#8 is not PKCS#1 and vice versa */
        assert_int_equal(captls_rsa_key_parse_pkcs1(der, n, &key, NULL),
                         CAPTLS_ERR_MALFORMED);
        every_truncation_fails(der, n, true);

        n = pkcs1_der(keys[i], der, sizeof(der));
        r = captls_rsa_key_parse_pkcs1(der, n, &key, &e);
        if (r != CAPTLS_OK)
            fail_msg("pkcs1 %d: %s at %zu: %s", bits[i], captls_result_name(r),
                     e.offset, e.reason);
        check_key(keys[i], &key, bits[i]);
        captls_rsa_private_key_destroy(&key);
        assert_int_not_equal(captls_rsa_key_parse_pkcs8(der, n, &key, NULL), CAPTLS_OK);
        every_truncation_fails(der, n, false);
    }
}

/* ---- hand-built variants (captls's DER writer) ------------------------ */

typedef struct comps {
    uint8_t v[8][600];
    size_t len[8];
} comps;

static void get_comps(EVP_PKEY *k, comps *c)
{
    const char *names[8] = {OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
                            OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
                            OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
                            OSSL_PKEY_PARAM_RSA_EXPONENT2,
                            OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    for (int i = 0; i < 8; i++)
        c->len[i] = bn_param(k, names[i], c->v[i]);
}

/* RSAPrivateKey with `version`, components c (count of them), and an
 * optional raw extra element appended. */
static size_t build_pkcs1(uint8_t *out, size_t cap, int64_t version, const comps *c,
                          int count, const uint8_t *extra, size_t extra_len)
{
    captls_der_writer w;
    size_t n = 0;
    captls_der_writer_init(&w, out, cap);
    size_t mark = captls_der_writer_mark(&w);
    if (extra != NULL)
        captls_der_write_raw(&w, extra, extra_len);
    for (int i = count - 1; i >= 0; i--)
        captls_der_write_uint(&w, c->v[i], c->len[i]);
    captls_der_write_int64(&w, version);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, mark);
    assert_int_equal(captls_der_writer_finish(&w, &n), CAPTLS_OK);
    return n;
}

/* PrivateKeyInfo around an RSAPrivateKey, with a chosen version and
 * algorithm (params_null: write NULL parameters). */
static size_t build_pkcs8(uint8_t *out, size_t cap, int64_t version,
                          const uint8_t *oid, size_t oid_len, bool params_null,
                          const uint8_t *inner, size_t inner_len)
{
    captls_der_writer w;
    size_t n = 0;
    captls_der_writer_init(&w, out, cap);
    size_t mark = captls_der_writer_mark(&w);
    captls_der_write_octet_string(&w, inner, inner_len);
    size_t am = captls_der_writer_mark(&w);
    if (params_null)
        captls_der_write_null(&w);
    captls_der_write_oid(&w, oid, oid_len);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, am);
    captls_der_write_int64(&w, version);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, mark);
    assert_int_equal(captls_der_writer_finish(&w, &n), CAPTLS_OK);
    return n;
}

static captls_result p1(const uint8_t *der, size_t n)
{
    captls_rsa_private_key key;
    memset(&key, 0x5A, sizeof(key));
    captls_result r = captls_rsa_key_parse_pkcs1(der, n, &key, NULL);
    if (r != CAPTLS_OK)
        assert_true(all_zero(&key, sizeof(key)));
    captls_rsa_private_key_destroy(&key);
    return r;
}

static captls_result p8(const uint8_t *der, size_t n)
{
    captls_rsa_private_key key;
    memset(&key, 0x5A, sizeof(key));
    captls_result r = captls_rsa_key_parse_pkcs8(der, n, &key, NULL);
    if (r != CAPTLS_OK)
        assert_true(all_zero(&key, sizeof(key)));
    captls_rsa_private_key_destroy(&key);
    return r;
}

static void test_malformed_and_inconsistent(void **state)
{
    (void)state;
    static comps c, other;
    static uint8_t der[4096], der8[4200];
    get_comps(keys[0], &c);
    get_comps(keys[1], &other);
    size_t n = build_pkcs1(der, sizeof(der), 0, &c, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_OK); /* the builder is right */
    /* version 1 (multi-prime) and others */
    n = build_pkcs1(der, sizeof(der), 1, &c, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_UNSUPPORTED);
    n = build_pkcs1(der, sizeof(der), 2, &c, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_MALFORMED);
    n = build_pkcs1(der, sizeof(der), -1, &c, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_MALFORMED);
    /* a missing component */
    n = build_pkcs1(der, sizeof(der), 0, &c, 7, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_MALFORMED);
    /* otherPrimeInfos (or anything) after the coefficient in version 0 */
    static const uint8_t seq[] = {0x30, 0x00};
    n = build_pkcs1(der, sizeof(der), 0, &c, 8, seq, sizeof(seq));
    assert_int_equal(p1(der, n), CAPTLS_ERR_MALFORMED);
    /* modulus of another key: p*q != n */
    comps bad = c;
    memcpy(bad.v[0], other.v[0], other.len[0]);
    bad.len[0] = other.len[0];
    n = build_pkcs1(der, sizeof(der), 0, &bad, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_INVALID_KEY);
    /* a flipped bit in each CRT component: inconsistent */
    for (int i = 3; i < 8; i++) {
        bad = c;
        bad.v[i][bad.len[i] / 2] ^= 0x10;
        n = build_pkcs1(der, sizeof(der), 0, &bad, 8, NULL, 0);
        assert_int_equal(p1(der, n), CAPTLS_ERR_INVALID_KEY);
    }
    /* wrong e */
    bad = c;
    bad.v[1][bad.len[1] - 1] = 0x03;
    n = build_pkcs1(der, sizeof(der), 0, &bad, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_INVALID_KEY);
    /* d == 0 */
    bad = c;
    bad.len[2] = 0;
    n = build_pkcs1(der, sizeof(der), 0, &bad, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_INVALID_KEY);
    /* negative INTEGER: flip the leading 0x00 sign byte of n's INTEGER */
    n = build_pkcs1(der, sizeof(der), 0, &c, 8, NULL, 0);
    /* 30 82 LL LL 02 01 00 02 82 01 01 00 <n>: byte 11 is the sign byte */
    assert_int_equal(der[7], 0x02);
    assert_int_equal(der[11], 0x00);
    der[11] = 0x80;
    assert_int_equal(p1(der, n), CAPTLS_ERR_MALFORMED);
    /* non-minimal length (long form for a short value): version 02 81 01 00 */
    n = build_pkcs1(der, sizeof(der), 0, &c, 8, NULL, 0);
    static uint8_t nm[4200];
    memcpy(nm, der, 4);
    nm[4] = 0x02; nm[5] = 0x81; nm[6] = 0x01; nm[7] = 0x00;
    memcpy(nm + 8, der + 7, n - 7);
    nm[3] = (uint8_t)(nm[3] + 1); /* outer length + 1 */
    assert_int_equal(p1(nm, n + 1), CAPTLS_ERR_MALFORMED);
    /* trailing byte after the key */
    n = build_pkcs1(der, sizeof(der), 0, &c, 8, NULL, 0);
    der[n] = 0;
    assert_int_equal(p1(der, n + 1), CAPTLS_ERR_MALFORMED);

    /* a 1024-bit key is weak */
    EVP_PKEY *small = captls_test_keygen("RSA", "bits", 1024);
    static comps sc;
    get_comps(small, &sc);
    EVP_PKEY_free(small);
    n = build_pkcs1(der, sizeof(der), 0, &sc, 8, NULL, 0);
    assert_int_equal(p1(der, n), CAPTLS_ERR_WEAK_KEY);

    /* PKCS#8 wrappers */
    n = build_pkcs1(der, sizeof(der), 0, &c, 8, NULL, 0);
    size_t m = build_pkcs8(der8, sizeof(der8), 0, captls_oid_rsa_encryption, 9, true,
                           der, n);
    assert_int_equal(p8(der8, m), CAPTLS_OK);
    m = build_pkcs8(der8, sizeof(der8), 1, captls_oid_rsa_encryption, 9, true, der, n);
    assert_int_equal(p8(der8, m), CAPTLS_ERR_UNSUPPORTED);
    m = build_pkcs8(der8, sizeof(der8), 0, captls_oid_rsa_encryption, 9, false, der, n);
    assert_int_equal(p8(der8, m), CAPTLS_ERR_MALFORMED); /* parameters absent */
    m = build_pkcs8(der8, sizeof(der8), 0, captls_oid_rsassa_pss, 9, false, der, n);
    assert_int_equal(p8(der8, m), CAPTLS_ERR_UNSUPPORTED);
    m = build_pkcs8(der8, sizeof(der8), 0, captls_oid_ec_public_key, 7, true, der, n);
    assert_int_equal(p8(der8, m), CAPTLS_ERR_UNSUPPORTED);
    /* inner key with a trailing byte inside the OCTET STRING */
    der[n] = 0x00;
    m = build_pkcs8(der8, sizeof(der8), 0, captls_oid_rsa_encryption, 9, true, der,
                    n + 1);
    assert_int_equal(p8(der8, m), CAPTLS_ERR_MALFORMED);
    /* arguments */
    captls_rsa_private_key key;
    assert_int_equal(captls_rsa_key_parse_pkcs1(NULL, 5, &key, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_rsa_key_parse_pkcs1(der, n, NULL, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(p1(NULL, 0), CAPTLS_ERR_MALFORMED);
}

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

static void test_pem(void **state)
{
    (void)state;
    static char pem[8192], both[9000];
    static uint8_t scratch[CAPTLS_RSA_KEY_DER_MAX];
    captls_rsa_private_key key;
    for (int i = 0; i < 3; i++) {
        for (int trad = 0; trad < 2; trad++) {
            size_t n = pem_of(keys[i], trad, pem, sizeof(pem));
            assert_non_null(strstr(pem, trad ? "RSA PRIVATE KEY" : "BEGIN PRIVATE KEY"));
            assert_int_equal(captls_rsa_key_parse_pem((uint8_t *)pem, n, scratch,
                                                      sizeof(scratch), &key),
                             CAPTLS_OK);
            assert_true(all_zero(scratch, sizeof(scratch)));
            check_key(keys[i], &key, bits[i]);
            captls_rsa_private_key_destroy(&key);
        }
    }
    /* a certificate-ish block before the key is skipped */
    size_t n = pem_of(keys[0], false, pem, sizeof(pem));
    const char *pre = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    size_t pl = strlen(pre);
    memcpy(both, pre, pl);
    memcpy(both + pl, pem, n);
    assert_int_equal(captls_rsa_key_parse_pem((uint8_t *)both, pl + n, scratch,
                                              sizeof(scratch), &key), CAPTLS_OK);
    captls_rsa_private_key_destroy(&key);
    /* scratch too small */
    assert_int_equal(captls_rsa_key_parse_pem((uint8_t *)pem, n, scratch, 100, &key),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_true(all_zero(&key, sizeof(key)));
    /* no key */
    assert_int_equal(captls_rsa_key_parse_pem((uint8_t *)pre, pl, scratch,
                                              sizeof(scratch), &key),
                     CAPTLS_ERR_NOT_FOUND);
    /* encrypted PKCS#8 */
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, keys[0], EVP_aes_128_cbc(), NULL,
                                                   0, NULL, (void *)"pw"), 1);
    int en = BIO_read(b, pem, sizeof(pem));
    BIO_free(b);
    assert_int_equal(captls_rsa_key_parse_pem((uint8_t *)pem, (size_t)en, scratch,
                                              sizeof(scratch), &key),
                     CAPTLS_ERR_UNSUPPORTED);
    /* an EC key is not an RSA key */
    EVP_PKEY *ec = captls_test_keygen("EC", "P-256", 0);
    n = pem_of(ec, false, pem, sizeof(pem));
    EVP_PKEY_free(ec);
    assert_int_equal(captls_rsa_key_parse_pem((uint8_t *)pem, n, scratch,
                                              sizeof(scratch), &key),
                     CAPTLS_ERR_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_keys),
        cmocka_unit_test(test_malformed_and_inconsistent),
        cmocka_unit_test(test_pem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
