/* Unit tests of the 64-bit RSA path (core/crypto/rsa_fast.h) against
 * BearSSL's path and OpenSSL, on every multiplier this machine has: the
 * BMI2/ADX rows (when the CPU reports them), the portable C rows, and the
 * BearSSL fallback (captls_rsa_force_bearssl).
 * Good paths: keys of 2048, 2056 (odd limb counts), 3072 and 4096 bits
 * take the fast path; PKCS#1 v1.5 signatures (deterministic) equal
 * OpenSSL's byte for byte on every path; raw public operations agree with
 * BearSSL's; the constant-time inverse matches OpenSSL's BN_mod_inverse.
 * Bad paths: inputs >= n refused (public: false, private:
 * INVALID_ARGUMENT, verify: BAD_SIGNATURE), a non-invertible value has no
 * inverse, a corrupted CRT exponent is caught by the fault guard (INTERNAL,
 * nothing written), a failing blinding entropy source fails closed. */
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
#include "core/crypto/rsa_fast.h"

typedef struct fkey {
    unsigned bits;
    EVP_PKEY *pk;
    captls_rsa_private_key priv;
} fkey;

static size_t get_bn(EVP_PKEY *k, const char *name, uint8_t *out)
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
    size_t n = (size_t)BN_bn2bin(bn, out);
    BN_free(bn);
    return n;
}

static void make_key(fkey *k, unsigned bits)
{
    static const char *names[6] = {
        OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_E};
    uint8_t parts[6][520];
    size_t lens[6];
    k->bits = bits;
    k->pk = EVP_RSA_gen(bits);
    assert_non_null(k->pk);
    for (int i = 0; i < 6; i++)
        lens[i] = get_bn(k->pk, names[i], parts[i]);
    assert_int_equal(captls_rsa_private_key_init(
                         &k->priv, parts[0], lens[0], parts[1], lens[1],
                         parts[2], lens[2], parts[3], lens[3], parts[4],
                         lens[4], parts[5], lens[5]),
                     CAPTLS_OK);
    assert_int_equal(k->priv.pub.bits, bits);
}

static size_t ossl_pkcs1_sign(EVP_PKEY *pk, const uint8_t *msg, size_t len,
                              uint8_t *sig)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t sig_len = 512;
    assert_non_null(c);
    assert_int_equal(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, pk), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &sig_len, msg, len), 1);
    EVP_MD_CTX_free(c);
    return sig_len;
}

/* Paths: IFMA (radix 2^52, skipped without AVX-512 IFMA), ADX (64-bit
 * BMI2/ADX multiplier, IFMA off; skipped without ADX), portable C,
 * BearSSL. */
enum { PATH_IFMA, PATH_ADX, PATH_C, PATH_BEARSSL, NPATHS };

static bool set_path(int path)
{
    captls_rsa_force_bearssl(path == PATH_BEARSSL);
    captls_rsa_force_portable(path == PATH_C);
    captls_rsa_force_no_ifma(path != PATH_IFMA);
    if (path == PATH_IFMA && !captls_rsa_uses_ifma(16))
        return false;
    if (path == PATH_ADX && !captls_rsa_uses_adx())
        return false;
    return true;
}

static void reset_path(void)
{
    captls_rsa_force_bearssl(false);
    captls_rsa_force_portable(false);
    captls_rsa_force_no_ifma(false);
}

static const unsigned sizes[] = {2048, 2056, 3072, 4096};
#define NSIZES (sizeof sizes / sizeof sizes[0])
static fkey keys[NSIZES];

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSIZES; i++)
        make_key(&keys[i], sizes[i]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSIZES; i++) {
        EVP_PKEY_free(keys[i].pk);
        captls_rsa_private_key_destroy(&keys[i].priv);
    }
    return 0;
}

static void test_fast_context(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSIZES; i++) {
        const captls_rsa_private_key *p = &keys[i].priv;
        assert_true(captls_rsa_fast_priv_ready(p));
        assert_true(captls_rsa_fast_pub_ready(&p->pub));
        assert_int_equal(p->pub.fast.nl, (sizes[i] + 63) / 64);
        assert_int_equal(p->fast.p.nl + p->fast.q.nl >= p->pub.fast.nl, 1);
    }
    captls_rsa_force_bearssl(true);
    assert_false(captls_rsa_fast_priv_ready(&keys[0].priv));
    reset_path();
}

static void test_pkcs1_equals_openssl_all_paths(void **state)
{
    (void)state;
    uint8_t msg[100], sig[512], ref[512];
    size_t sig_len;
    for (int path = 0; path < NPATHS; path++) {
        if (!set_path(path))
            continue;
        for (size_t i = 0; i < NSIZES; i++) {
            for (int round = 0; round < 3; round++) {
                assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
                size_t ref_len = ossl_pkcs1_sign(keys[i].pk, msg, sizeof msg,
                                                 ref);
                assert_int_equal(captls_rsa_pkcs1_sign(
                                     &keys[i].priv, CAPTLS_HASH_SHA256, msg,
                                     sizeof msg, sig, sizeof sig, &sig_len),
                                 CAPTLS_OK);
                assert_int_equal(sig_len, ref_len);
                assert_memory_equal(sig, ref, ref_len);
                assert_int_equal(captls_rsa_pkcs1_verify(
                                     &keys[i].priv.pub, CAPTLS_HASH_SHA256,
                                     msg, sizeof msg, sig, sig_len),
                                 CAPTLS_OK);
                sig[sig_len / 2] ^= 4;
                assert_int_equal(captls_rsa_pkcs1_verify(
                                     &keys[i].priv.pub, CAPTLS_HASH_SHA256,
                                     msg, sizeof msg, sig, sig_len),
                                 CAPTLS_ERR_BAD_SIGNATURE);
            }
        }
    }
    reset_path();
}

static void test_public_op_matches_bearssl(void **state)
{
    (void)state;
    uint8_t x[512], a[512], b[512];
    for (size_t i = 0; i < NSIZES; i++) {
        const captls_rsa_public_key *pub = &keys[i].priv.pub;
        size_t k = pub->n_len;
        for (int round = 0; round < 8; round++) {
            assert_int_equal(RAND_bytes(x, (int)k), 1);
            x[0] &= 0x7f; /* < n: n has its top bit set */
            memcpy(a, x, k);
            assert_true(set_path(PATH_C));
            assert_true(captls_rsa_fast_public(pub, a));
            if (set_path(PATH_ADX)) {
                memcpy(b, x, k);
                assert_true(captls_rsa_fast_public(pub, b));
                assert_memory_equal(a, b, k);
            }
            /* the verifier on the BearSSL path recovers the same value */
            reset_path();
        }
        /* x >= n: refused; x = n - 1 accepted */
        memcpy(x, pub->n, k);
        assert_false(captls_rsa_fast_public(pub, x));
        memset(x, 0xff, k);
        assert_false(captls_rsa_fast_public(pub, x));
        memcpy(x, pub->n, k);
        x[k - 1] -= 1;
        assert_true(captls_rsa_fast_public(pub, x));
        /* n - 1 = -1: (-1)^e = -1 for odd e */
        assert_memory_equal(x, pub->n, k - 1);
        assert_int_equal(x[k - 1], (uint8_t)(pub->n[k - 1] - 1));
    }
    reset_path();
}

static void test_private_refuses_input_ge_n(void **state)
{
    (void)state;
    uint8_t x[512], sig[512];
    const captls_rsa_private_key *p = &keys[0].priv;
    size_t k = p->pub.n_len;
    memcpy(x, p->pub.n, k);
    assert_int_equal(captls_rsa_fast_private(p, x), CAPTLS_ERR_INVALID_ARGUMENT);
    assert_memory_equal(x, p->pub.n, k);
    /* a "signature" equal to n verifies on no path */
    memcpy(sig, p->pub.n, k);
    for (int path = 0; path < NPATHS; path++) {
        if (!set_path(path))
            continue;
        assert_int_equal(captls_rsa_pkcs1_verify(&p->pub, CAPTLS_HASH_SHA256,
                                                 x, 10, sig, k),
                         CAPTLS_ERR_BAD_SIGNATURE);
        assert_int_equal(captls_rsa_pss_verify(&p->pub, CAPTLS_HASH_SHA256,
                                               CAPTLS_HASH_SHA256, 32, x, 10,
                                               sig, k),
                         CAPTLS_ERR_BAD_SIGNATURE);
    }
    reset_path();
}

static void test_modinv(void **state)
{
    (void)state;
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *m = BN_new(), *x = BN_new(), *inv = BN_new(), *got = BN_new();
    uint64_t ml[CAPTLS_RSA_MAX_LIMBS], xl[CAPTLS_RSA_MAX_LIMBS],
        out[CAPTLS_RSA_MAX_LIMBS];
    uint8_t be[512];
    static const size_t nls[] = {1, 2, 16, 17, 32, 33, 48, 64};
    assert_non_null(bc);
    for (size_t t = 0; t < sizeof nls / sizeof nls[0]; t++) {
        size_t nl = nls[t];
        for (int round = 0; round < 6; round++) {
            assert_int_equal(BN_rand(m, (int)(64 * nl - (round & 3)),
                                     BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD),
                             1);
            assert_int_equal(BN_rand_range(x, m), 1);
            if (BN_is_zero(x))
                continue;
            assert_int_equal(BN_bn2lebinpad(m, (uint8_t *)be, (int)(8 * nl)),
                             (int)(8 * nl));
            memcpy(ml, be, 8 * nl);
            assert_int_equal(BN_bn2lebinpad(x, be, (int)(8 * nl)),
                             (int)(8 * nl));
            memcpy(xl, be, 8 * nl);
            bool ok = captls_rsa_fast_modinv(out, xl, ml, nl);
            BIGNUM *r = BN_mod_inverse(inv, x, m, bc);
            assert_int_equal(ok, r != NULL);
            if (ok) {
                memcpy(be, out, 8 * nl);
                assert_non_null(BN_lebin2bn(be, (int)(8 * nl), got));
                assert_int_equal(BN_cmp(got, inv), 0);
            }
        }
    }
    /* not invertible: x = 3 * 5, m = 15 * (odd) */
    memset(ml, 0, sizeof ml);
    memset(xl, 0, sizeof xl);
    ml[0] = 15u * 1000003u;
    xl[0] = 15;
    assert_false(captls_rsa_fast_modinv(out, xl, ml, 1));
    assert_int_equal(out[0], 0);
    /* a factor of an RSA modulus has no inverse mod n */
    {
        const captls_rsa_private_key *p = &keys[0].priv;
        size_t nl = p->pub.fast.nl;
        memset(xl, 0, sizeof xl);
        memcpy(xl, p->fast.p.m, p->fast.p.nl * 8);
        assert_false(captls_rsa_fast_modinv(out, xl, p->pub.fast.n, nl));
    }
    BN_free(m);
    BN_free(x);
    BN_free(inv);
    BN_free(got);
    BN_CTX_free(bc);
}

static void test_fault_guard(void **state)
{
    (void)state;
    uint8_t msg[32] = {1, 2, 3}, sig[512];
    size_t sig_len = 0;
    captls_rsa_private_key *bad = malloc(sizeof *bad);
    assert_non_null(bad);
    for (int path = 0; path < PATH_BEARSSL; path++) {
        if (!set_path(path))
            continue;
        *bad = keys[0].priv;
        bad->fast.p.d[3] ^= 0x10; /* a wrong dp: the CRT half is wrong */
        memset(sig, 0xA5, sizeof sig);
        assert_int_equal(captls_rsa_pkcs1_sign(bad, CAPTLS_HASH_SHA256, msg,
                                               sizeof msg, sig, sizeof sig,
                                               &sig_len),
                         CAPTLS_ERR_INTERNAL);
        for (size_t i = 0; i < sizeof sig; i++)
            assert_int_equal(sig[i], 0xA5);
        *bad = keys[0].priv;
        bad->fast.iq_m[0] ^= 1; /* a wrong recombination */
        assert_int_equal(captls_rsa_pss_sign(bad, CAPTLS_HASH_SHA256,
                                             CAPTLS_HASH_SHA256, msg, 32, msg,
                                             sizeof msg, sig, sizeof sig,
                                             &sig_len),
                         CAPTLS_ERR_INTERNAL);
    }
    captls_rsa_private_key_destroy(bad);
    free(bad);
    reset_path();
}

static captls_result fail_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    memset(out, 0, len);
    return CAPTLS_ERR_ENTROPY_FAILURE;
}

static captls_result good_fill(void *ctx, uint8_t *out, size_t len)
{
    (*(int *)ctx)++;
    return RAND_bytes(out, (int)len) == 1 ? CAPTLS_OK
                                          : CAPTLS_ERR_ENTROPY_FAILURE;
}

static void test_blinding_entropy(void **state)
{
    (void)state;
    uint8_t msg[32] = {9}, sig[512], ref[512];
    size_t sig_len = 0, ref_len;
    int calls = 0;
    captls_rsa_private_key *k = malloc(sizeof *k);
    assert_non_null(k);
    *k = keys[1].priv;
    captls_rsa_private_key_set_entropy(k, (captls_entropy){&calls, good_fill});
    ref_len = ossl_pkcs1_sign(keys[1].pk, msg, sizeof msg, ref);
    assert_int_equal(captls_rsa_pkcs1_sign(k, CAPTLS_HASH_SHA256, msg,
                                           sizeof msg, sig, sizeof sig,
                                           &sig_len),
                     CAPTLS_OK);
    assert_int_equal(calls, 1);
    assert_int_equal(sig_len, ref_len);
    assert_memory_equal(sig, ref, ref_len);
    captls_rsa_private_key_set_entropy(k, (captls_entropy){NULL, fail_fill});
    assert_int_equal(captls_rsa_pkcs1_sign(k, CAPTLS_HASH_SHA256, msg,
                                           sizeof msg, sig, sizeof sig,
                                           &sig_len),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    captls_rsa_private_key_destroy(k);
    free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_context),
        cmocka_unit_test(test_pkcs1_equals_openssl_all_paths),
        cmocka_unit_test(test_public_op_matches_bearssl),
        cmocka_unit_test(test_private_refuses_input_ge_n),
        cmocka_unit_test(test_modinv),
        cmocka_unit_test(test_fault_guard),
        cmocka_unit_test(test_blinding_entropy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
