/* Unit tests of RSA PKCS#1 v1.5 signing and key generation (rsa.h),
 * differential against OpenSSL: PKCS#1 v1.5 is deterministic, so captls'
 * signature must equal OpenSSL's byte for byte for the same key (2048 and
 * 3072 bits, SHA-256/384/512) and verify under OpenSSL; generated keys are
 * imported into OpenSSL (n, e, p, q checked: n = p*q, both prime) and sign
 * there. Bad paths: unsupported hash, short buffer, failing entropy (fails
 * closed, output wiped), unsupported sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "core/crypto/rsa.h"

static size_t get_bn(EVP_PKEY *k, const char *name, uint8_t *out)
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
    size_t n = (size_t)BN_bn2bin(bn, out);
    BN_free(bn);
    return n;
}

static void to_captls(EVP_PKEY *pkey, captls_rsa_private_key *priv)
{
    static const char *names[7] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    uint8_t parts[7][520];
    size_t lens[7];
    for (int i = 0; i < 7; i++)
        lens[i] = get_bn(pkey, names[i], parts[i]);
    assert_int_equal(captls_rsa_private_key_init(
                         priv, parts[2], lens[2], parts[3], lens[3], parts[4],
                         lens[4], parts[5], lens[5], parts[6], lens[6],
                         parts[1], lens[1]),
                     CAPTLS_OK);
    assert_int_equal(priv->pub.n_len, lens[0]);
    assert_memory_equal(priv->pub.n, parts[0], lens[0]);
}

static const EVP_MD *md(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA256 ? EVP_sha256()
           : h == CAPTLS_HASH_SHA384 ? EVP_sha384()
                                     : EVP_sha512();
}

static size_t ossl_pkcs1_sign(EVP_PKEY *k, captls_hash_alg h,
                              const uint8_t *msg, size_t len, uint8_t *sig)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t sl = 600;
    assert_int_equal(EVP_DigestSignInit(c, NULL, md(h), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &sl, msg, len), 1);
    EVP_MD_CTX_free(c);
    return sl;
}

static int ossl_pkcs1_verify(EVP_PKEY *k, captls_hash_alg h,
                             const uint8_t *msg, size_t len,
                             const uint8_t *sig, size_t sl)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(c, NULL, md(h), NULL, k), 1);
    int r = EVP_DigestVerify(c, sig, sl, msg, len);
    EVP_MD_CTX_free(c);
    return r;
}

static void test_pkcs1_sign_equals_openssl(void **state)
{
    (void)state;
    static const unsigned sizes[2] = {2048, 3072};
    for (int s = 0; s < 2; s++) {
        EVP_PKEY *pkey = EVP_RSA_gen(sizes[s]);
        captls_rsa_private_key priv;
        assert_non_null(pkey);
        to_captls(pkey, &priv);
        for (int h = 1; h <= 3; h++) {
            captls_hash_alg hash = (captls_hash_alg)h;
            uint8_t msg[123], mine[600], theirs[600];
            size_t ml = 0;
            assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
            assert_int_equal(captls_rsa_pkcs1_sign(&priv, hash, msg,
                                                   sizeof msg, mine,
                                                   sizeof mine, &ml),
                             CAPTLS_OK);
            size_t tl = ossl_pkcs1_sign(pkey, hash, msg, sizeof msg, theirs);
            assert_int_equal(ml, tl);
            assert_memory_equal(mine, theirs, ml);
            assert_int_equal(ossl_pkcs1_verify(pkey, hash, msg, sizeof msg,
                                               mine, ml),
                             1);
            assert_int_equal(captls_rsa_pkcs1_verify(&priv.pub, hash, msg,
                                                     sizeof msg, mine, ml),
                             CAPTLS_OK);
            /* another message: another signature, OpenSSL refuses the old */
            msg[0] ^= 1;
            assert_int_not_equal(ossl_pkcs1_verify(pkey, hash, msg,
                                                   sizeof msg, mine, ml),
                                 1);
        }
        captls_rsa_private_key_destroy(&priv);
        EVP_PKEY_free(pkey);
    }
}

static void test_pkcs1_sign_errors(void **state)
{
    (void)state;
    EVP_PKEY *pkey = EVP_RSA_gen(2048);
    captls_rsa_private_key priv;
    uint8_t sig[600], msg[4] = {1, 2, 3, 4};
    size_t sl = 77;
    to_captls(pkey, &priv);
    memset(sig, 0xAA, sizeof sig);
    assert_int_equal(captls_rsa_pkcs1_sign(&priv, CAPTLS_HASH_SHA256, msg, 4,
                                           sig, 255, &sl),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sl, 77);
    assert_int_equal(sig[0], 0xAA);
    assert_int_equal(captls_rsa_pkcs1_sign(&priv, CAPTLS_HASH_NONE, msg, 4,
                                           sig, sizeof sig, &sl),
                     CAPTLS_ERR_UNSUPPORTED);
    captls_rsa_private_key_destroy(&priv);
    EVP_PKEY_free(pkey);
}

/* Entropy: OpenSSL's RNG, optionally failing after `budget` calls. */
typedef struct {
    int calls, fail_after;
} rng_ctx;

static captls_result rng_fill(void *ctx, uint8_t *out, size_t len)
{
    rng_ctx *c = ctx;
    if (c->fail_after >= 0 && c->calls >= c->fail_after)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    c->calls++;
    return RAND_bytes(out, (int)len) == 1 ? CAPTLS_OK
                                          : CAPTLS_ERR_ENTROPY_FAILURE;
}

static void test_keygen_openssl_accepts(void **state)
{
    (void)state;
    rng_ctx rc = {0, -1};
    captls_entropy e = {&rc, rng_fill};
    captls_rsa_private_key k;
    assert_int_equal(captls_rsa_keygen(&k, 2048, e), CAPTLS_OK);
    assert_true(rc.calls > 0);
    assert_int_equal(k.pub.bits, 2048);
    /* OpenSSL: p, q prime, n = p * q, e = 65537 */
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *p = BN_bin2bn(k.p, (int)k.p_len, NULL);
    BIGNUM *q = BN_bin2bn(k.q, (int)k.q_len, NULL);
    BIGNUM *n = BN_bin2bn(k.pub.n, (int)k.pub.n_len, NULL);
    BIGNUM *pq = BN_new();
    assert_int_equal(BN_check_prime(p, bc, NULL), 1);
    assert_int_equal(BN_check_prime(q, bc, NULL), 1);
    assert_int_equal(BN_mul(pq, p, q, bc), 1);
    assert_int_equal(BN_cmp(pq, n), 0);
    assert_int_equal(k.pub.e_len, 3);
    assert_int_equal(k.pub.e[0] << 16 | k.pub.e[1] << 8 | k.pub.e[2], 65537);
    BN_free(p);
    BN_free(q);
    BN_free(n);
    BN_free(pq);
    BN_CTX_free(bc);
    /* signatures made with the generated key verify */
    uint8_t msg[10] = {0}, sig[600], salt[32] = {7};
    size_t sl = 0;
    assert_int_equal(captls_rsa_pss_sign(&k, CAPTLS_HASH_SHA256,
                                         CAPTLS_HASH_SHA256, salt, 32, msg,
                                         10, sig, sizeof sig, &sl),
                     CAPTLS_OK);
    assert_int_equal(captls_rsa_pss_verify(&k.pub, CAPTLS_HASH_SHA256,
                                           CAPTLS_HASH_SHA256, 32, msg, 10,
                                           sig, sl),
                     CAPTLS_OK);
    /* two keys differ */
    captls_rsa_private_key k2;
    assert_int_equal(captls_rsa_keygen(&k2, 2048, e), CAPTLS_OK);
    assert_memory_not_equal(k.pub.n, k2.pub.n, k.pub.n_len);
    captls_rsa_private_key_destroy(&k);
    captls_rsa_private_key_destroy(&k2);
}

static void test_keygen_fails_closed(void **state)
{
    (void)state;
    static const uint8_t zero[sizeof(captls_rsa_private_key)];
    captls_rsa_private_key k;
    for (int budget = 0; budget < 3; budget++) {
        rng_ctx rc = {0, budget};
        captls_entropy e = {&rc, rng_fill};
        memset(&k, 0x55, sizeof k);
        assert_int_equal(captls_rsa_keygen(&k, 2048, e),
                         CAPTLS_ERR_ENTROPY_FAILURE);
        assert_memory_equal(&k, zero, sizeof k);
    }
    captls_entropy none = {NULL, NULL};
    assert_int_equal(captls_rsa_keygen(&k, 2048, none),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    rng_ctx rc = {0, -1};
    captls_entropy e = {&rc, rng_fill};
    assert_int_equal(captls_rsa_keygen(&k, 1024, e), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_rsa_keygen(&k, 8192, e), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(rc.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkcs1_sign_equals_openssl),
        cmocka_unit_test(test_pkcs1_sign_errors),
        cmocka_unit_test(test_keygen_openssl_accepts),
        cmocka_unit_test(test_keygen_fails_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
