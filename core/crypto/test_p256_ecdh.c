/* Unit tests of core/crypto/p256_ecdh.c: differential against OpenSSL 3.0
 * (EVP_PKEY_derive) with random keys in both directions and public keys
 * byte for byte, the scalar range [1, n-1] at its edges, and the peer
 * point validation: wrong lengths, compressed/hybrid/infinity encodings,
 * coordinates >= p (including x + p of a real point, which is on the curve
 * modulo p), off-curve points — each refused with the output untouched,
 * and each also refused by OpenSSL where OpenSSL can say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "conformance/diff_rng.h"
#include "conformance/testkit.h"
#include "core/crypto/p256_ecdh.h"
#include "core/crypto/p256_point.h"

#define N_DIFF 300

static const uint8_t p256_p[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t p256_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
/* SEC 2 §2.4.2: G, uncompressed */
static const uint8_t p256_g[65] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6,
    0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33,
    0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42,
    0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
    0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40,
    0x68, 0x37, 0xbf, 0x51, 0xf5};

/* ---- OpenSSL side -------------------------------------------------------- */

static void ossl_priv_pub(EVP_PKEY *k, uint8_t priv[32], uint8_t pub[65])
{
    BIGNUM *d = NULL;
    size_t n = 0;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
    assert_int_equal(BN_bn2binpad(d, priv, 32), 32);
    BN_clear_free(d);
    assert_int_equal(EVP_PKEY_get_octet_string_param(
                         k, OSSL_PKEY_PARAM_PUB_KEY, pub, 65, &n),
                     1);
    assert_int_equal(n, 65);
    assert_int_equal(pub[0], 0x04);
}

/* A public-only OpenSSL key from an encoded point; NULL if OpenSSL refuses
 * it (fromdata, then the full public key check). */
static EVP_PKEY *ossl_peer(const uint8_t *pt, size_t len)
{
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;

    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(
                         b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0),
                     1);
    assert_int_equal(OSSL_PARAM_BLD_push_octet_string(
                         b, OSSL_PKEY_PARAM_PUB_KEY, pt, len),
                     1);
    params = OSSL_PARAM_BLD_to_param(b);
    assert_non_null(params);
    assert_int_equal(EVP_PKEY_fromdata_init(c), 1);
    if (EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
        k = NULL;
    EVP_PKEY_CTX_free(c);
    if (k != NULL) {
        EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new(k, NULL);
        int ok = EVP_PKEY_public_check(chk);
        EVP_PKEY_CTX_free(chk);
        if (ok != 1) {
            EVP_PKEY_free(k);
            k = NULL;
        }
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    return k;
}

static void ossl_derive(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t out[32])
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(mine, NULL);
    size_t n = 32;
    assert_non_null(c);
    assert_int_equal(EVP_PKEY_derive_init(c), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(c, peer), 1);
    assert_int_equal(EVP_PKEY_derive(c, out, &n), 1);
    assert_int_equal(n, 32);
    EVP_PKEY_CTX_free(c);
}

/* ---- tests --------------------------------------------------------------- */

static void test_diff_openssl(void **state)
{
    (void)state;
    uint64_t rs = 0x9e3779b97f4a7c15u;

    for (int i = 0; i < N_DIFF; i++) {
        EVP_PKEY *a = captls_test_keygen("EC", "P-256", 0);
        EVP_PKEY *bpeer;
        uint8_t apriv[32], apub[65], mypub[65], b[32], bpub[65];
        uint8_t z_mine[32], z_ossl[32], z_a[32];

        ossl_priv_pub(a, apriv, apub);
        /* our public key of OpenSSL's scalar is OpenSSL's public key */
        assert_int_equal(captls_p256_public(mypub, apriv), CAPTLS_OK);
        assert_memory_equal(mypub, apub, 65);

        /* our side: a random scalar in [1, n-1] */
        do
            captls_diff_splitmix_bytes(&rs, b, 32);
        while (!captls_p256_scalar_is_valid(b));
        assert_int_equal(captls_p256_public(bpub, b), CAPTLS_OK);
        bpeer = ossl_peer(bpub, 65);
        assert_non_null(bpeer); /* OpenSSL accepts our public key */

        /* captls(b, A) == OpenSSL(a, B) == captls(a, B) */
        assert_int_equal(captls_p256_ecdh(z_mine, b, apub, 65), CAPTLS_OK);
        ossl_derive(a, bpeer, z_ossl);
        assert_memory_equal(z_mine, z_ossl, 32);
        assert_int_equal(captls_p256_ecdh(z_a, apriv, bpub, 65), CAPTLS_OK);
        assert_memory_equal(z_a, z_ossl, 32);

        EVP_PKEY_free(bpeer);
        EVP_PKEY_free(a);
    }
}

static void test_scalar_range(void **state)
{
    (void)state;
    uint8_t s[32], pub[65], out[32], canary[65];

    memset(canary, 0xc3, sizeof canary);
    /* 0 */
    memset(s, 0, 32);
    assert_false(captls_p256_scalar_is_valid(s));
    memcpy(pub, canary, 65);
    assert_int_equal(captls_p256_public(pub, s), CAPTLS_ERR_INVALID_KEY);
    assert_memory_equal(pub, canary, 65);
    memcpy(out, canary, 32);
    assert_int_equal(captls_p256_ecdh(out, s, p256_g, 65),
                     CAPTLS_ERR_INVALID_KEY);
    assert_memory_equal(out, canary, 32);
    /* n, n + 1, 2^256 - 1 */
    memcpy(s, p256_n, 32);
    assert_false(captls_p256_scalar_is_valid(s));
    assert_int_equal(captls_p256_public(pub, s), CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_p256_ecdh(out, s, p256_g, 65),
                     CAPTLS_ERR_INVALID_KEY);
    assert_memory_equal(out, canary, 32);
    s[31]++;
    assert_false(captls_p256_scalar_is_valid(s));
    memset(s, 0xff, 32);
    assert_false(captls_p256_scalar_is_valid(s));
    assert_int_equal(captls_p256_ecdh(out, s, p256_g, 65),
                     CAPTLS_ERR_INVALID_KEY);
    assert_memory_equal(out, canary, 32);

    /* 1: the public key is G; 1 * G has x = Gx */
    memset(s, 0, 32);
    s[31] = 1;
    assert_true(captls_p256_scalar_is_valid(s));
    assert_int_equal(captls_p256_public(pub, s), CAPTLS_OK);
    assert_memory_equal(pub, p256_g, 65);
    assert_int_equal(captls_p256_ecdh(out, s, p256_g, 65), CAPTLS_OK);
    assert_memory_equal(out, p256_g + 1, 32);
    /* n - 1: -G, same x, y = p - Gy */
    memcpy(s, p256_n, 32);
    s[31]--;
    assert_true(captls_p256_scalar_is_valid(s));
    assert_int_equal(captls_p256_public(pub, s), CAPTLS_OK);
    assert_memory_equal(pub, p256_g, 33);
    assert_memory_not_equal(pub + 33, p256_g + 33, 32);
    assert_int_equal(captls_p256_ecdh(out, s, p256_g, 65), CAPTLS_OK);
    assert_memory_equal(out, p256_g + 1, 32);
    /* n - 2^k for a few k: valid; the scalar aliasing the output works */
    memcpy(s, p256_n, 32);
    s[0] = 0x7f;
    assert_true(captls_p256_scalar_is_valid(s));
    {
        uint8_t z[32];
        assert_int_equal(captls_p256_ecdh(z, s, p256_g, 65), CAPTLS_OK);
        assert_int_equal(captls_p256_ecdh(s, s, p256_g, 65), CAPTLS_OK);
        assert_memory_equal(s, z, 32);
    }
}

/* Refused by captls (INVALID_KEY, output untouched) and by OpenSSL. */
static void refused(const uint8_t *pt, size_t len, bool openssl_too)
{
    uint8_t k[32] = {0}, out[32], canary[32];

    k[31] = 7;
    memset(canary, 0x3c, sizeof canary);
    memcpy(out, canary, 32);
    assert_int_equal(captls_p256_ecdh(out, k, pt, len),
                     CAPTLS_ERR_INVALID_KEY);
    assert_memory_equal(out, canary, 32);
    if (openssl_too) {
        EVP_PKEY *e = ossl_peer(pt, len);
        assert_null(e);
    }
}

/* Finds (x, y) on the curve with x < 2^256 - p, so that x + p still fits
 * in 32 bytes: tries x = 0, 1, 2, ... (y^2 = x^3 - 3x + b needs a square
 * root mod p; about half of the x have one). */
static void small_x_point(uint8_t pt[65])
{
    BN_CTX *ctx = BN_CTX_new();
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *x = BN_new(),
           *rhs = BN_new(), *t = BN_new(), *y = BN_new();
    bool found = false;

    assert_int_equal(EC_GROUP_get_curve(g, p, a, b, ctx), 1);
    for (unsigned long i = 0; i < 100 && !found; i++) {
        assert_int_equal(BN_set_word(x, i), 1);
        /* rhs = x^3 + a x + b mod p */
        assert_int_equal(BN_mod_sqr(t, x, p, ctx), 1);
        assert_int_equal(BN_mod_mul(rhs, t, x, p, ctx), 1);
        assert_int_equal(BN_mod_mul(t, a, x, p, ctx), 1);
        assert_int_equal(BN_mod_add(rhs, rhs, t, p, ctx), 1);
        assert_int_equal(BN_mod_add(rhs, rhs, b, p, ctx), 1);
        ERR_set_mark();
        if (BN_mod_sqrt(y, rhs, p, ctx) != NULL) {
            assert_int_equal(BN_mod_sqr(t, y, p, ctx), 1);
            found = BN_cmp(t, rhs) == 0;
        }
        ERR_pop_to_mark();
    }
    assert_true(found);
    pt[0] = 0x04;
    assert_int_equal(BN_bn2binpad(x, pt + 1, 32), 32);
    assert_int_equal(BN_bn2binpad(y, pt + 33, 32), 32);
    BN_free(p); BN_free(a); BN_free(b); BN_free(x); BN_free(rhs);
    BN_free(t); BN_free(y);
    EC_GROUP_free(g);
    BN_CTX_free(ctx);
}

/* a += b over 32 big-endian bytes; returns the carry. */
static int add256(uint8_t a[32], const uint8_t b[32])
{
    unsigned c = 0;
    for (int i = 31; i >= 0; i--) {
        c += (unsigned)a[i] + b[i];
        a[i] = (uint8_t)c;
        c >>= 8;
    }
    return (int)c;
}

static void test_invalid_points(void **state)
{
    (void)state;
    uint8_t pt[66], k[32] = {0}, out[32];
    uint8_t small[65];

    k[31] = 7;
    /* G itself is fine (control) */
    assert_int_equal(captls_p256_ecdh(out, k, p256_g, 65), CAPTLS_OK);

    /* lengths: empty, one byte, 64, 66, compressed length */
    refused(p256_g, 0, false);
    refused(NULL, 0, false);
    refused(p256_g, 1, true);
    refused(p256_g, 64, true);
    memcpy(pt, p256_g, 65);
    pt[65] = 0;
    refused(pt, 66, true);

    /* the compressed form of G (0x02/0x03 with the right parity is a point
     * OpenSSL accepts: captls takes only uncompressed, RFC 8446 §4.2.8.2) */
    memcpy(pt, p256_g, 33);
    pt[0] = (uint8_t)(0x02 | (p256_g[64] & 1));
    refused(pt, 33, false);
    {
        EVP_PKEY *e = ossl_peer(pt, 33);
        assert_non_null(e); /* it is a valid encoding, just not allowed */
        EVP_PKEY_free(e);
    }
    pt[0] ^= 1;
    refused(pt, 33, false);
    /* 0x02 / 0x03 / hybrid 0x06 / 0x07 prefixes on a 65-byte G */
    for (int pre = 0; pre < 256; pre++) {
        if (pre == 4)
            continue;
        memcpy(pt, p256_g, 65);
        pt[0] = (uint8_t)pre;
        refused(pt, 65, false);
    }

    /* the point at infinity: SEC 1's single 0x00, and zero coordinates */
    pt[0] = 0x00;
    refused(pt, 1, true);
    memset(pt, 0, 65);
    refused(pt, 65, false);
    pt[0] = 0x04;
    refused(pt, 65, true);

    /* off the curve: G with one bit of y or x flipped */
    for (int bit = 0; bit < 512; bit += 37) {
        memcpy(pt, p256_g, 65);
        pt[1 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        refused(pt, 65, true);
    }

    /* coordinates >= p: x = p, y = p, all-ones */
    memcpy(pt, p256_g, 65);
    memcpy(pt + 1, p256_p, 32);
    refused(pt, 65, true);
    memcpy(pt, p256_g, 65);
    memcpy(pt + 33, p256_p, 32);
    refused(pt, 65, true);
    memset(pt + 1, 0xff, 64);
    refused(pt, 65, true);

    /* x + p of a real point: congruent to a point modulo p, so only the
     * "x < p" rule refuses it */
    small_x_point(small);
    assert_int_equal(captls_p256_ecdh(out, k, small, 65), CAPTLS_OK);
    memcpy(pt, small, 65);
    assert_int_equal(add256(pt + 1, p256_p), 0);
    refused(pt, 65, true);
    /* and y' = p - y (the negation) is valid, y + p overflows or is >= p */
    memcpy(pt, small, 65);
    {
        uint8_t y[32];
        BIGNUM *P = BN_bin2bn(p256_p, 32, NULL), *Y = BN_bin2bn(small + 33,
                                                                32, NULL);
        assert_int_equal(BN_sub(Y, P, Y), 1);
        assert_int_equal(BN_bn2binpad(Y, y, 32), 32);
        memcpy(pt + 33, y, 32);
        assert_int_equal(captls_p256_ecdh(out, k, pt, 65), CAPTLS_OK);
        BN_free(P);
        BN_free(Y);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_openssl),
        cmocka_unit_test(test_scalar_range),
        cmocka_unit_test(test_invalid_points),
    };
    int failed;

    /* Every P-256 path on this machine: the 64-bit code (where built)
     * with the BMI2/ADX and the portable field multiplier, and the
     * BearSSL fallback. */
    captls_p256_force_bearssl(false);
    if (CAPTLS_P256_FAST && !captls_p256_fast_active())
        return 1;
    failed = cmocka_run_group_tests_name("p256_ecdh fast path", tests, NULL, NULL);
#if CAPTLS_P256_FAST
    /* the portable field multiplier too, where the CPU has BMI2/ADX */
    p256_fe_force_portable(true);
    failed += cmocka_run_group_tests_name("p256_ecdh fast path, portable field",
                                          tests, NULL, NULL);
    p256_fe_force_portable(false);
#endif
    captls_p256_force_bearssl(true);
    failed += cmocka_run_group_tests_name("p256_ecdh BearSSL path", tests, NULL,
                                          NULL);
    captls_p256_force_bearssl(false);
    return failed;
}
