/* Unit tests of core/crypto/pkcs8.c and sec1.c against OpenSSL. */
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
#include <openssl/x509.h>

#include "conformance/testkit.h"
#include "core/crypto/pkcs8.h"
#include "core/crypto/sec1.h"

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

static bool all_bytes(const void *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (((const uint8_t *)p)[i] != v)
            return false;
    return true;
}

/* Parsed fields equal OpenSSL's; every truncation and an extension fail. */
static void check(EVP_PKEY *k, const uint8_t *der, size_t n, bool sec1,
                  captls_key_type want)
{
    captls_private_key pk;
    captls_der_error e;
    uint8_t ref[128];
    captls_result r = sec1 ? captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, &e)
                           : captls_pkcs8_parse(der, n, &pk, &e);
    if (r != CAPTLS_OK)
        fail_msg("%s at %zu: %s", captls_result_name(r), e.offset, e.reason);
    assert_int_equal(pk.type, want);
    if (want == CAPTLS_KEY_EC_P256 || want == CAPTLS_KEY_EC_P384) {
        size_t sz = want == CAPTLS_KEY_EC_P256 ? 32 : 48, pl = 0;
        BIGNUM *d = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
        assert_int_equal(BN_bn2binpad(d, ref, (int)sz), sz);
        BN_clear_free(d);
        assert_int_equal(pk.secret_len, sz);
        assert_memory_equal(pk.secret, ref, sz);
        assert_int_equal(EVP_PKEY_get_octet_string_param(
                             k, OSSL_PKEY_PARAM_PUB_KEY, ref, sizeof(ref), &pl), 1);
        assert_int_equal(pk.public_len, pl);
        assert_memory_equal(pk.public_key, ref, pl);
        captls_public_key pub;
        assert_int_equal(captls_private_key_public(&pk, &pub), CAPTLS_OK);
        assert_int_equal(pub.type, want);
        assert_int_equal(pub.point.len, pl);
    } else {
        size_t sl = sizeof(ref);
        assert_int_equal(EVP_PKEY_get_raw_private_key(k, ref, &sl), 1);
        assert_int_equal(pk.secret_len, 32);
        assert_memory_equal(pk.secret, ref, 32);
        captls_public_key pub;
        assert_int_equal(captls_private_key_public(&pk, &pub),
                         pk.public_len == 32 ? CAPTLS_OK : CAPTLS_ERR_NOT_FOUND);
    }
    captls_private_key_wipe(&pk);
    assert_true(all_bytes(&pk, sizeof(pk), 0));
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *t = malloc(cut + 1);
        memcpy(t, der, cut);
        memset(&pk, 0xAB, sizeof(pk));
        r = sec1 ? captls_sec1_parse(t, cut, CAPTLS_KEY_NONE, &pk, NULL)
                 : captls_pkcs8_parse(t, cut, &pk, NULL);
        assert_int_not_equal(r, CAPTLS_OK);
        assert_true(all_bytes(&pk, sizeof(pk), 0xAB));
        free(t);
    }
    uint8_t *x = malloc(n + 1);
    memcpy(x, der, n);
    x[n] = 0;
    r = sec1 ? captls_sec1_parse(x, n + 1, CAPTLS_KEY_NONE, &pk, NULL)
             : captls_pkcs8_parse(x, n + 1, &pk, NULL);
    assert_int_equal(r, CAPTLS_ERR_MALFORMED);
    free(x);
}

static void test_openssl_keys(void **state)
{
    (void)state;
    struct { const char *alg, *group; captls_key_type t; } ks[] = {
        {"EC", "P-256", CAPTLS_KEY_EC_P256},
        {"EC", "P-384", CAPTLS_KEY_EC_P384},
        {"ED25519", NULL, CAPTLS_KEY_ED25519},
        {"X25519", NULL, CAPTLS_KEY_X25519},
    };
    uint8_t der[512];
    for (size_t i = 0; i < 4; i++) {
        for (int rep = 0; rep < 5; rep++) {
            EVP_PKEY *k = captls_test_keygen(ks[i].alg, ks[i].group, 0);
            size_t n = pkcs8_der(k, der, sizeof(der));
            check(k, der, n, false, ks[i].t);
            if (ks[i].group != NULL) {
                /* i2d_PrivateKey writes the SEC1 ECPrivateKey for EC */
                int sn = i2d_PrivateKey(k, NULL);
                assert_true(sn > 0 && (size_t)sn <= sizeof(der));
                uint8_t *p = der;
                assert_int_equal(i2d_PrivateKey(k, &p), sn);
                check(k, der, (size_t)sn, true, ks[i].t);
                /* the curve named inside must match the expected one */
                captls_private_key pk;
                captls_key_type other = ks[i].t == CAPTLS_KEY_EC_P256
                                            ? CAPTLS_KEY_EC_P384
                                            : CAPTLS_KEY_EC_P256;
                assert_int_equal(captls_sec1_parse(der, (size_t)sn, other, &pk, NULL),
                                 CAPTLS_ERR_MALFORMED);
                assert_int_equal(captls_sec1_parse(der, (size_t)sn, ks[i].t, &pk, NULL),
                                 CAPTLS_OK);
                captls_private_key_wipe(&pk);
            }
            EVP_PKEY_free(k);
        }
    }
    /* RSA PKCS#8: unsupported */
    EVP_PKEY *k = EVP_RSA_gen(2048);
    assert_non_null(k);
    uint8_t big[2048];
    size_t n = pkcs8_der(k, big, sizeof(big));
    captls_private_key pk;
    assert_int_equal(captls_pkcs8_parse(big, n, &pk, NULL), CAPTLS_ERR_UNSUPPORTED);
    EVP_PKEY_free(k);
}

static void test_vector_files_and_pem(void **state)
{
    (void)state;
    uint8_t buf[4096], scratch[CAPTLS_PRIVATE_KEY_DER_MAX];
    captls_private_key pk, pk2;
    size_t n;
    static const struct { const char *f; captls_key_type t; } der[] = {
        {"p256.key.der", CAPTLS_KEY_EC_P256}, {"p384.key.der", CAPTLS_KEY_EC_P384},
        {"ed25519.key.der", CAPTLS_KEY_ED25519}, {"x25519.key.der", CAPTLS_KEY_X25519},
    };
    for (size_t i = 0; i < 4; i++) {
        char path[128], pem[128];
        snprintf(path, sizeof(path), "vectors/keys/%s", der[i].f);
        n = captls_test_slurp(path, buf, sizeof(buf));
        assert_int_equal(captls_pkcs8_parse(buf, n, &pk, NULL), CAPTLS_OK);
        assert_int_equal(pk.type, der[i].t);
        snprintf(pem, sizeof(pem), "%.*s.pem", (int)(strlen(path) - 4), path);
        n = captls_test_slurp(pem, buf, sizeof(buf));
        memset(scratch, 0xCC, sizeof(scratch));
        assert_int_equal(captls_private_key_parse_pem(buf, n, scratch,
                                                      sizeof(scratch), &pk2),
                         CAPTLS_OK);
        assert_memory_equal(&pk, &pk2, sizeof(pk));
        assert_true(all_bytes(scratch, sizeof(scratch), 0)); /* wiped */
    }
    n = captls_test_slurp("vectors/keys/p256.sec1.der", buf, sizeof(buf));
    assert_int_equal(captls_sec1_parse(buf, n, CAPTLS_KEY_NONE, &pk, NULL), CAPTLS_OK);
    n = captls_test_slurp("vectors/keys/p256.key.der", buf, sizeof(buf));
    assert_int_equal(captls_pkcs8_parse(buf, n, &pk2, NULL), CAPTLS_OK);
    assert_memory_equal(&pk, &pk2, sizeof(pk));
    /* "EC PARAMETERS" then "EC PRIVATE KEY", as openssl ecparam -genkey */
    static const char params[] =
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    memcpy(buf, params, sizeof(params) - 1);
    n = sizeof(params) - 1 +
        captls_test_slurp("vectors/keys/p256.sec1.pem", buf + sizeof(params) - 1,
              sizeof(buf) - sizeof(params));
    assert_int_equal(captls_private_key_parse_pem(buf, n, scratch, sizeof(scratch),
                                                  &pk2), CAPTLS_OK);
    assert_memory_equal(&pk, &pk2, sizeof(pk));
    /* refusals */
    n = captls_test_slurp("vectors/keys/p256.enc.pem", buf, sizeof(buf));
    assert_int_equal(captls_private_key_parse_pem(buf, n, scratch, sizeof(scratch), &pk),
                     CAPTLS_ERR_UNSUPPORTED);
    n = captls_test_slurp("vectors/keys/rsa2048.key.pem", buf, sizeof(buf));
    static uint8_t big[2048];
    assert_int_equal(captls_private_key_parse_pem(buf, n, big, sizeof(big), &pk),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_private_key_parse_pem(buf, n, scratch, sizeof(scratch), &pk),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    n = captls_test_slurp("vectors/keys/p256.pub.pem", buf, sizeof(buf));
    assert_int_equal(captls_private_key_parse_pem(buf, n, scratch, sizeof(scratch), &pk),
                     CAPTLS_ERR_NOT_FOUND);
    static const char legacy[] = "-----BEGIN RSA PRIVATE KEY-----\nZm9v\n"
                                 "-----END RSA PRIVATE KEY-----\n";
    assert_int_equal(captls_private_key_parse_pem((const uint8_t *)legacy,
                                                  sizeof(legacy) - 1, scratch,
                                                  sizeof(scratch), &pk),
                     CAPTLS_ERR_UNSUPPORTED);
}

/* ---- hand-made encodings ------------------------------------------------ */

/* OneAsymmetricKey for Ed25519: version, optional NULL params, seed of
 * seed_len bytes, optional [1] public key. */
static size_t ed_p8(uint8_t *out, size_t cap, int version, bool null_params,
                    size_t seed_len, bool with_pub, size_t pub_len)
{
    uint8_t seed[40], pub[40];
    memset(seed, 0x42, sizeof(seed));
    memset(pub, 0x24, sizeof(pub));
    captls_der_writer w;
    size_t len, m;
    captls_der_writer_init(&w, out, cap);
    if (with_pub) {
        m = captls_der_writer_mark(&w);
        captls_der_write_raw(&w, pub, pub_len);
        captls_der_write_raw(&w, (const uint8_t *)"", 1);
        captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT_PRIM(1), m);
    }
    m = captls_der_writer_mark(&w);
    captls_der_write_octet_string(&w, seed, seed_len);
    captls_der_write_wrap(&w, CAPTLS_DER_OCTET_STRING, m);
    m = captls_der_writer_mark(&w);
    if (null_params)
        captls_der_write_null(&w);
    captls_der_write_oid(&w, captls_oid_ed25519, 3);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m);
    captls_der_write_int64(&w, version);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, 0);
    assert_int_equal(captls_der_writer_finish(&w, &len), CAPTLS_OK);
    return len;
}

static void test_ed25519_variants(void **state)
{
    (void)state;
    uint8_t der[256];
    captls_private_key pk;
    size_t n = ed_p8(der, sizeof(der), 0, false, 32, false, 0);
    assert_int_equal(captls_pkcs8_parse(der, n, &pk, NULL), CAPTLS_OK);
    assert_int_equal(pk.public_len, 0);
    n = ed_p8(der, sizeof(der), 1, false, 32, true, 32);
    assert_int_equal(captls_pkcs8_parse(der, n, &pk, NULL), CAPTLS_OK);
    assert_int_equal(pk.public_len, 32);
    assert_int_equal(pk.public_key[0], 0x24);
    n = ed_p8(der, sizeof(der), 1, false, 32, false, 0);
    assert_int_equal(captls_pkcs8_parse(der, n, &pk, NULL), CAPTLS_OK);
    struct { int v; bool null; size_t seed; bool pub; size_t pl; captls_result r; } bad[] = {
        {0, false, 32, true, 32, CAPTLS_ERR_MALFORMED},   /* v1 field in v0 */
        {2, false, 32, false, 0, CAPTLS_ERR_UNSUPPORTED},
        {0, true, 32, false, 0, CAPTLS_ERR_MALFORMED},    /* params present */
        {0, false, 31, false, 0, CAPTLS_ERR_INVALID_KEY},
        {0, false, 33, false, 0, CAPTLS_ERR_INVALID_KEY},
        {1, false, 32, true, 31, CAPTLS_ERR_INVALID_KEY},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = ed_p8(der, sizeof(der), bad[i].v, bad[i].null, bad[i].seed, bad[i].pub,
                  bad[i].pl);
        memset(&pk, 0xAB, sizeof(pk));
        captls_result r = captls_pkcs8_parse(der, n, &pk, NULL);
        if (r != bad[i].r)
            fail_msg("case %zu: %s", i, captls_result_name(r));
        assert_true(all_bytes(&pk, sizeof(pk), 0xAB));
    }
}

static const uint8_t p256_n[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17,
    0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

/* ECPrivateKey with the given fields. */
static size_t sec1(uint8_t *out, size_t cap, int version, const uint8_t *d,
                   size_t dl, const uint8_t *curve, size_t cl,
                   const uint8_t *pub, size_t pl)
{
    captls_der_writer w;
    size_t len, m;
    captls_der_writer_init(&w, out, cap);
    if (pub != NULL) {
        m = captls_der_writer_mark(&w);
        captls_der_write_bit_string(&w, pub, pl, 0);
        captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT(1), m);
    }
    if (curve != NULL) {
        m = captls_der_writer_mark(&w);
        captls_der_write_oid(&w, curve, cl);
        captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT(0), m);
    }
    captls_der_write_octet_string(&w, d, dl);
    captls_der_write_int64(&w, version);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, 0);
    assert_int_equal(captls_der_writer_finish(&w, &len), CAPTLS_OK);
    return len;
}

static void test_sec1_refusals(void **state)
{
    (void)state;
    uint8_t der[256], d[32], pub[65];
    captls_private_key pk;
    const uint8_t *c = captls_oid_prime256v1;
    size_t n;
    /* n - 1 is the largest valid scalar */
    memcpy(d, p256_n, 32);
    d[31] -= 1;
    n = sec1(der, sizeof(der), 1, d, 32, c, 8, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL), CAPTLS_OK);
    memcpy(pub, pk.public_key, 65);
    n = sec1(der, sizeof(der), 1, d, 32, c, 8, pub, 65);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL), CAPTLS_OK);
    /* mismatched public key */
    pub[64] ^= 1;
    n = sec1(der, sizeof(der), 1, d, 32, c, 8, pub, 65);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_INVALID_KEY);
    /* n, 0, and a scalar of the wrong length */
    n = sec1(der, sizeof(der), 1, p256_n, 32, c, 8, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_INVALID_KEY);
    memset(d, 0, 32);
    n = sec1(der, sizeof(der), 1, d, 32, c, 8, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_INVALID_KEY);
    d[31] = 1;
    n = sec1(der, sizeof(der), 1, d + 1, 31, c, 8, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_INVALID_KEY);
    /* the scalar 1: its public key is the generator */
    n = sec1(der, sizeof(der), 1, d, 32, c, 8, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL), CAPTLS_OK);
    assert_int_equal(pk.public_key[1], 0x6B); /* Gx = 6B17D1F2... */
    /* version 0, curve missing, unknown curve, curve disagrees */
    n = sec1(der, sizeof(der), 0, d, 32, c, 8, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_UNSUPPORTED);
    n = sec1(der, sizeof(der), 1, d, 32, NULL, 0, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_EC_P256, &pk, NULL),
                     CAPTLS_OK);
    static const uint8_t k1[] = {0x2B, 0x81, 0x04, 0x00, 0x0A};
    n = sec1(der, sizeof(der), 1, d, 32, k1, 5, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_UNSUPPORTED);
    n = sec1(der, sizeof(der), 1, d, 32, captls_oid_secp384r1, 5, NULL, 0);
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL),
                     CAPTLS_ERR_INVALID_KEY); /* a 32-byte scalar for P-384 */
    assert_int_equal(captls_sec1_parse(der, n, CAPTLS_KEY_EC_P256, &pk, NULL),
                     CAPTLS_ERR_MALFORMED);
    captls_private_key_wipe(&pk);
    captls_private_key_wipe(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_keys),
        cmocka_unit_test(test_vector_files_and_pem),
        cmocka_unit_test(test_ed25519_variants),
        cmocka_unit_test(test_sec1_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
