/* Unit tests of core/crypto/p384_ecdh.c: the generator as 1·G (SEC 2
 * §2.5.1), agreement with OpenSSL's EVP_PKEY_derive and public keys for
 * random keys, the scalar range [1, n-1] and strict peer-point checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "core/crypto/p384_ecdh.h"
#include "core/crypto/test_vectors.h"

/* SEC 2 §2.5.1: G and n of secp384r1. */
#define G_X "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38" \
            "5502f25dbf55296c3a545e3872760ab7"
#define G_Y "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0" \
            "0a60b1ce1d7e819d7a431d7c90ea0e5f"
#define N_HEX "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf" \
              "581a0db248b0a77aecec196accc52973"

static void test_generator(void **state)
{
    (void)state;
    uint8_t one[48] = {0}, pub[97], want[97];
    one[47] = 1;
    want[0] = 0x04;
    tv_hex_into(G_X, want + 1, 48);
    tv_hex_into(G_Y, want + 49, 48);
    assert_int_equal(captls_p384_public(pub, one), CAPTLS_OK);
    assert_memory_equal(pub, want, 97);
}

static void priv_scalar(EVP_PKEY *k, uint8_t x[48])
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
    assert_int_equal(BN_bn2binpad(bn, x, 48), 48);
    BN_clear_free(bn);
}

static void pub_point(EVP_PKEY *k, uint8_t p[97])
{
    size_t len = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
                                                     p, 97, &len), 1);
    assert_int_equal(len, 97);
}

static void test_vs_openssl(void **state)
{
    (void)state;
    for (int i = 0; i < 16; i++) {
        EVP_PKEY *a = EVP_EC_gen("P-384"), *b = EVP_EC_gen("P-384");
        assert_non_null(a);
        assert_non_null(b);
        uint8_t xa[48], pa[97], pb[97], mine[97], shared[48], want[48];
        priv_scalar(a, xa);
        pub_point(a, pa);
        pub_point(b, pb);
        assert_int_equal(captls_p384_public(mine, xa), CAPTLS_OK);
        assert_memory_equal(mine, pa, 97);

        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a, NULL);
        size_t wl = sizeof want;
        assert_int_equal(EVP_PKEY_derive_init(c), 1);
        assert_int_equal(EVP_PKEY_derive_set_peer(c, b), 1);
        assert_int_equal(EVP_PKEY_derive(c, want, &wl), 1);
        assert_int_equal(wl, 48);
        EVP_PKEY_CTX_free(c);
        assert_int_equal(captls_p384_ecdh(shared, xa, pb, 97), CAPTLS_OK);
        assert_memory_equal(shared, want, 48);
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
    }
}

static void test_bad_scalars_and_points(void **state)
{
    (void)state;
    uint8_t zero[48] = {0}, n[48], nm1[48], one[48] = {0}, g[97], out[97];
    uint8_t shared[48];
    memset(shared, 0x5a, sizeof shared);
    one[47] = 1;
    tv_hex_into(N_HEX, n, 48);
    memcpy(nm1, n, 48);
    nm1[47]--;
    assert_false(captls_p384_scalar_is_valid(zero));
    assert_false(captls_p384_scalar_is_valid(n));
    assert_true(captls_p384_scalar_is_valid(nm1));
    assert_true(captls_p384_scalar_is_valid(one));
    assert_int_equal(captls_p384_public(out, zero), CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_p384_public(out, n), CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_p384_public(g, one), CAPTLS_OK);
    /* (n-1)·G = -G: same x, y negated */
    assert_int_equal(captls_p384_public(out, nm1), CAPTLS_OK);
    assert_memory_equal(out + 1, g + 1, 48);
    assert_memory_not_equal(out + 49, g + 49, 48);

    assert_int_equal(captls_p384_ecdh(shared, zero, g, 97), CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_p384_ecdh(shared, n, g, 97), CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_p384_ecdh(shared, one, g, 96), CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_p384_ecdh(shared, one, NULL, 0), CAPTLS_ERR_INVALID_KEY);
    g[0] = 0x02; /* compressed prefix, uncompressed length */
    assert_int_equal(captls_p384_ecdh(shared, one, g, 97), CAPTLS_ERR_INVALID_KEY);
    g[0] = 0x04;
    g[96] ^= 1; /* off the curve */
    assert_int_equal(captls_p384_ecdh(shared, one, g, 97), CAPTLS_ERR_INVALID_KEY);
    g[96] ^= 1;
    /* nothing written on failure */
    for (size_t i = 0; i < sizeof shared; i++)
        assert_int_equal(shared[i], 0x5a);
    /* 1·G: the shared x is G's x */
    assert_int_equal(captls_p384_ecdh(shared, one, g, 97), CAPTLS_OK);
    assert_memory_equal(shared, g + 1, 48);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generator),
        cmocka_unit_test(test_vs_openssl),
        cmocka_unit_test(test_bad_scalars_and_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
