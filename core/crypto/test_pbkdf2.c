/* Unit tests of core/crypto/pbkdf2.c: RFC 7914 §11 vectors and OpenSSL's
 * PKCS5_PBKDF2_HMAC as the differential reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "core/crypto/pbkdf2.h"

static void unhex(const char *h, uint8_t *out)
{
    for (size_t i = 0; h[2 * i]; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* RFC 7914 §11: PBKDF2-HMAC-SHA256 test vectors. */
static void test_rfc7914(void **state)
{
    (void)state;
    uint8_t want[64], got[64];
    unhex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
          "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783", want);
    assert_int_equal(captls_pbkdf2_hmac(CAPTLS_HASH_SHA256, (const uint8_t *)"passwd", 6,
                                        (const uint8_t *)"salt", 4, 1, got, 64), CAPTLS_OK);
    assert_memory_equal(got, want, 64);
    unhex("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
          "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d", want);
    assert_int_equal(captls_pbkdf2_hmac(CAPTLS_HASH_SHA256, (const uint8_t *)"Password", 8,
                                        (const uint8_t *)"NaCl", 4, 80000, got, 64), CAPTLS_OK);
    assert_memory_equal(got, want, 64);
}

/* Against OpenSSL: every hash, lengths across block boundaries, long
 * passwords (hashed first by HMAC), empty password and salt. */
static void test_differential_openssl(void **state)
{
    (void)state;
    uint8_t pw[200], salt[80], a[150], b[150];
    const EVP_MD *mds[3] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    captls_hash_alg algs[3] = {CAPTLS_HASH_SHA256, CAPTLS_HASH_SHA384, CAPTLS_HASH_SHA512};
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof pw; i++)
        pw[i] = (uint8_t)(x = x * 1103515245u + 12345u) >> 8;
    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (uint8_t)(x = x * 1103515245u + 12345u) >> 8;
    static const size_t pwl[] = {0, 1, 8, 63, 64, 65, 127, 128, 129, 200};
    static const size_t sl[] = {0, 1, 16, 64, 80};
    static const size_t ol[] = {1, 20, 32, 33, 48, 64, 65, 150};
    static const uint32_t it[] = {1, 2, 3, 1000};
    unsigned cases = 0;
    for (int h = 0; h < 3; h++)
        for (size_t p = 0; p < sizeof pwl / sizeof *pwl; p++)
            for (size_t s = 0; s < sizeof sl / sizeof *sl; s++) {
                size_t o = ol[(p + s + (size_t)h) % 8];
                uint32_t c = it[(p * 3 + s) % 4];
                assert_int_equal(captls_pbkdf2_hmac(algs[h], pw, pwl[p], salt, sl[s], c, a, o),
                                 CAPTLS_OK);
                assert_int_equal(PKCS5_PBKDF2_HMAC((const char *)pw, (int)pwl[p], salt,
                                                   (int)sl[s], (int)c, mds[h], (int)o, b), 1);
                assert_memory_equal(a, b, o);
                cases++;
            }
    assert_int_equal(cases, 150);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t out[32];
    memset(out, 0x77, sizeof out);
    assert_int_equal(captls_pbkdf2_hmac(CAPTLS_HASH_SHA256, (const uint8_t *)"p", 1,
                                        (const uint8_t *)"s", 1, 0, out, 32),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_pbkdf2_hmac(CAPTLS_HASH_SHA256, (const uint8_t *)"p", 1,
                                        (const uint8_t *)"s", 1, 1, out, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_pbkdf2_hmac(CAPTLS_HASH_SHA256, NULL, 1,
                                        (const uint8_t *)"s", 1, 1, out, 32),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_pbkdf2_hmac(CAPTLS_HASH_NONE, (const uint8_t *)"p", 1,
                                        (const uint8_t *)"s", 1, 1, out, 32),
                     CAPTLS_ERR_UNSUPPORTED);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0x77);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7914),
        cmocka_unit_test(test_differential_openssl),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
