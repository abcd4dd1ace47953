/* Unit tests of core/crypto/ed25519.c and its helpers (curve25519_*):
 * RFC 8032 §7.1 vectors (vectors/rfc8032-ed25519.txt, read at run time from
 * the repository root, where ci/run-unit.sh runs), random cases against
 * OpenSSL 3.0 (same public keys and signatures byte for byte, same verify
 * verdicts on tampered signatures, messages and keys), the strict-verify
 * cases, and the scalar arithmetic against OpenSSL's BIGNUM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "conformance/diff_rng.h"
#include "core/crypto/curve25519_group.h"
#include "core/crypto/curve25519_scalar.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/test_vectors.h"

#define N_RANDOM 2000

/* ------------------------------------------------------------ helpers */

static uint64_t rng_state = 0x243f6a8885a308d3u;

static void ossl_public(uint8_t pub[32], const uint8_t seed[32])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    size_t n = 32;
    assert_non_null(k);
    assert_int_equal(EVP_PKEY_get_raw_public_key(k, pub, &n), 1);
    EVP_PKEY_free(k);
}

static void ossl_sign(uint8_t sig[64], const uint8_t seed[32],
                      const uint8_t *msg, size_t len)
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    size_t n = 64;
    assert_int_equal(EVP_DigestSignInit(m, NULL, NULL, NULL, k), 1);
    assert_int_equal(EVP_DigestSign(m, sig, &n, msg, len), 1);
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(k);
}

static bool ossl_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
                        const uint8_t sig[64])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    EVP_MD_CTX *m;
    bool ok;
    if (k == NULL)
        return false;
    m = EVP_MD_CTX_new();
    ok = EVP_DigestVerifyInit(m, NULL, NULL, NULL, k) == 1 &&
         EVP_DigestVerify(m, sig, 64, msg, len) == 1;
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(k);
    return ok;
}

/* ------------------------------------------------------ RFC 8032 §7.1 */

static void test_rfc8032_vectors(void **state)
{
    (void)state;
    FILE *f = fopen("vectors/rfc8032-ed25519.txt", "r");
    static char line[4096];
    uint8_t seed[32], pub[32], sig[64], got_pub[32], got_sig[64];
    static uint8_t msg[1100];
    size_t mlen = 0;
    int have = 0, done = 0;

    assert_non_null(f); /* run from the repository root */
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = 0;
        if (strncmp(line, "secret: ", 8) == 0)
            have |= tv_hex_to(line + 8, seed, 32) == 32 ? 1 : 0;
        else if (strncmp(line, "public: ", 8) == 0)
            have |= tv_hex_to(line + 8, pub, 32) == 32 ? 2 : 0;
        else if (strncmp(line, "message:", 8) == 0) {
            const char *h = line + 8;
            while (*h == ' ')
                h++;
            mlen = tv_hex_to(h, msg, sizeof msg);
            have |= 4;
        } else if (strncmp(line, "signature: ", 11) == 0) {
            assert_int_equal(tv_hex_to(line + 11, sig, 64), 64);
            assert_int_equal(have, 7);
            captls_ed25519_public_from_seed(got_pub, seed);
            assert_memory_equal(got_pub, pub, 32);
            captls_ed25519_sign(got_sig, seed, pub, mlen ? msg : NULL, mlen);
            assert_memory_equal(got_sig, sig, 64);
            assert_int_equal(captls_ed25519_verify(pub, msg, mlen, sig),
                             CAPTLS_OK);
            /* one flipped bit anywhere in R or S fails */
            sig[done % 64] ^= 0x01;
            assert_int_not_equal(captls_ed25519_verify(pub, msg, mlen, sig),
                                 CAPTLS_OK);
            sig[done % 64] ^= 0x01;
            if (mlen > 0) {
                msg[0] ^= 0x80;
                assert_int_equal(captls_ed25519_verify(pub, msg, mlen, sig),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                msg[0] ^= 0x80;
            }
            have = 0;
            done++;
        }
    }
    fclose(f);
    assert_int_equal(done, 5);
}

/* ------------------------------------------------- random vs OpenSSL */

static void test_random_vs_openssl(void **state)
{
    (void)state;
    static uint8_t msg[300];
    uint8_t seed[32], pub[32], opub[32], sig[64], osig[64], bad[64];

    for (int i = 0; i < N_RANDOM; i++) {
        size_t len = (size_t)(captls_diff_splitmix64(&rng_state) % sizeof msg);
        captls_diff_splitmix_bytes(&rng_state, seed, 32);
        captls_diff_splitmix_bytes(&rng_state, msg, len);
        captls_ed25519_public_from_seed(pub, seed);
        ossl_public(opub, seed);
        assert_memory_equal(pub, opub, 32);
        captls_ed25519_sign(sig, seed, pub, msg, len);
        ossl_sign(osig, seed, msg, len);
        assert_memory_equal(sig, osig, 64);
        assert_int_equal(captls_ed25519_verify(pub, msg, len, sig), CAPTLS_OK);

        /* tampered signature: one random bit */
        memcpy(bad, sig, 64);
        bad[captls_diff_splitmix64(&rng_state) % 64] ^=
            (uint8_t)(1u << (captls_diff_splitmix64(&rng_state) % 8));
        assert_int_equal(captls_ed25519_verify(pub, msg, len, bad) == CAPTLS_OK,
                         ossl_verify(pub, msg, len, bad));
        assert_false(ossl_verify(pub, msg, len, bad));
        /* tampered message */
        if (len > 0) {
            size_t at = (size_t)(captls_diff_splitmix64(&rng_state) % len);
            uint8_t bit =
                (uint8_t)(1u << (captls_diff_splitmix64(&rng_state) % 8));
            msg[at] ^= bit;
            assert_int_equal(captls_ed25519_verify(pub, msg, len, sig),
                             CAPTLS_ERR_BAD_SIGNATURE);
            assert_false(ossl_verify(pub, msg, len, sig));
            msg[at] ^= bit;
        }
        /* tampered key: one random bit (may give no point at all) */
        {
            uint8_t bpub[32];
            memcpy(bpub, pub, 32);
            bpub[captls_diff_splitmix64(&rng_state) % 32] ^=
                (uint8_t)(1u << (captls_diff_splitmix64(&rng_state) % 8));
            assert_int_equal(
                captls_ed25519_verify(bpub, msg, len, sig) == CAPTLS_OK,
                ossl_verify(bpub, msg, len, sig));
        }
        /* a random "signature" agrees too (almost always invalid) */
        captls_diff_splitmix_bytes(&rng_state, bad, 64);
        bad[63] &= 0x0f; /* make S < L likely, to reach the equation */
        assert_int_equal(captls_ed25519_verify(pub, msg, len, bad) == CAPTLS_OK,
                         ossl_verify(pub, msg, len, bad));
    }
}

/* ----------------------------------------------------------- strictness */

static const uint8_t L_bytes[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
    0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* The eight points of order dividing 8, canonically encoded. */
static const char *const small_order_hex[8] = {
    "0100000000000000000000000000000000000000000000000000000000000000", /* 1 */
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* 2 */
    "0000000000000000000000000000000000000000000000000000000000000000", /* 4 */
    "0000000000000000000000000000000000000000000000000000000000000080", /* 4 */
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", /* 8 */
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", /* 8 */
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", /* 8 */
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", /* 8 */
};

/* a + b for 32-byte little-endian numbers; returns the carry out. */
static int add256(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    unsigned c = 0;
    for (int i = 0; i < 32; i++) {
        c += (unsigned)a[i] + b[i];
        out[i] = (uint8_t)c;
        c >>= 8;
    }
    return (int)c;
}

static void test_reject_noncanonical_s(void **state)
{
    (void)state;
    uint8_t seed[32], pub[32], sig[64], bad[64];
    const uint8_t msg[3] = {'a', 'b', 'c'};

    captls_diff_splitmix_bytes(&rng_state, seed, 32);
    captls_ed25519_public_from_seed(pub, seed);
    captls_ed25519_sign(sig, seed, pub, msg, 3);
    assert_int_equal(captls_ed25519_verify(pub, msg, 3, sig), CAPTLS_OK);

    /* S + L satisfies the group equation but is not canonical. */
    memcpy(bad, sig, 32);
    assert_int_equal(add256(bad + 32, sig + 32, L_bytes), 0);
    assert_int_equal(captls_ed25519_verify(pub, msg, 3, bad),
                     CAPTLS_ERR_MALFORMED);
    /* S = L exactly, S = L - 1 is in range (then fails the equation),
     * S = 2^256 - 1. */
    memcpy(bad + 32, L_bytes, 32);
    assert_int_equal(captls_ed25519_verify(pub, msg, 3, bad),
                     CAPTLS_ERR_MALFORMED);
    assert_false(ossl_verify(pub, msg, 3, bad));
    bad[32] = (uint8_t)(L_bytes[0] - 1);
    assert_int_equal(captls_ed25519_verify(pub, msg, 3, bad),
                     CAPTLS_ERR_BAD_SIGNATURE);
    memset(bad + 32, 0xff, 32);
    assert_int_equal(captls_ed25519_verify(pub, msg, 3, bad),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_sc_is_canonical(L_bytes), 0);
}

static void test_reject_small_order_key(void **state)
{
    (void)state;
    uint8_t pub[32], sig[64];
    const uint8_t msg[1] = {0x42};
    captls_ge_p3 P;

    memset(sig, 0, sizeof sig);
    sig[0] = 0x58; /* some R, S = 0 */
    for (int i = 0; i < 8; i++) {
        tv_hex_into(small_order_hex[i], pub, 32);
        /* it decodes: the rejection is the small-order check */
        assert_int_equal(captls_ge_frombytes_vartime(&P, pub), 0);
        assert_int_equal(captls_ge_has_small_order(&P), 1);
        assert_int_equal(captls_ge_encoding_has_small_order(pub), 1);
        assert_int_equal(captls_ed25519_verify(pub, msg, 1, sig),
                         CAPTLS_ERR_INVALID_KEY);
    }
    /* A mixed-order key (A + T8) is not small order, only R and A of
     * order <= 8 are refused. The base point is not small. */
    tv_hex_into(
        "5866666666666666666666666666666666666666666666666666666666666666", pub,
        32);
    assert_int_equal(captls_ge_frombytes_vartime(&P, pub), 0);
    assert_int_equal(captls_ge_has_small_order(&P), 0);
    assert_int_equal(captls_ge_encoding_has_small_order(pub), 0);
}

/* The classic forgery against lax verifiers: A of small order, R = identity
 * (or another small point), S = 0 makes [S]B = R + [k]A hold for many k. */
static void test_reject_small_order_forgery(void **state)
{
    (void)state;
    uint8_t pub[32], sig[64];
    const uint8_t msg[5] = "hello";

    tv_hex_into(small_order_hex[0], pub, 32); /* A = identity */
    memset(sig, 0, 64);
    tv_hex_into(small_order_hex[0], sig, 32); /* R = identity, S = 0 */
    assert_int_equal(captls_ed25519_verify(pub, msg, 5, sig),
                     CAPTLS_ERR_INVALID_KEY);
    /* With a genuine key, a small-order R is refused as a bad signature. */
    {
        uint8_t seed[32];
        captls_diff_splitmix_bytes(&rng_state, seed, 32);
        captls_ed25519_public_from_seed(pub, seed);
    }
    for (int i = 0; i < 8; i++) {
        tv_hex_into(small_order_hex[i], sig, 32);
        assert_int_equal(captls_ed25519_verify(pub, msg, 5, sig),
                         CAPTLS_ERR_BAD_SIGNATURE);
    }
}

static void test_reject_noncanonical_point(void **state)
{
    (void)state;
    /* y = p + y0 for y0 in 0..18: every one must be refused by the strict
     * decoder, while the canonical y0 decodes whenever it is on the curve. */
    uint8_t enc[32];
    captls_ge_p3 P;
    int on_curve = 0;

    for (unsigned y0 = 0; y0 < 19; y0++) {
        memset(enc, 0xff, 32);
        enc[31] = 0x7f;
        enc[0] = (uint8_t)(0xed + y0);
        assert_int_equal(captls_ge_frombytes_vartime(&P, enc), -1);
        enc[31] |= 0x80;
        assert_int_equal(captls_ge_frombytes_vartime(&P, enc), -1);
        memset(enc, 0, 32);
        enc[0] = (uint8_t)y0;
        if (captls_ge_frombytes_vartime(&P, enc) == 0)
            on_curve++;
    }
    assert_true(on_curve > 2); /* so the loop above meant something */
    /* x = 0 with the sign bit set (RFC 8032 §5.1.3 step 4). */
    memset(enc, 0, 32);
    enc[0] = 1;
    enc[31] = 0x80;
    assert_int_equal(captls_ge_frombytes_vartime(&P, enc), -1);

    /* A non-canonical key (y = p + 4) is refused as INVALID_KEY before
     * the signature is looked at. */
    {
        uint8_t pub[32], sig[64];
        const uint8_t msg[1] = {0};
        memset(pub, 0xff, 32);
        pub[31] = 0x7f;
        pub[0] = 0xed + 4;
        memset(sig, 0, 64);
        sig[0] = 0x58;
        assert_int_equal(captls_ed25519_verify(pub, msg, 1, sig),
                         CAPTLS_ERR_INVALID_KEY);
    }
    /* An encoding that is no point at all: y = 2 has no x. */
    {
        uint8_t pub[32] = {2}, sig[64] = {0};
        if (captls_ge_frombytes_vartime(&P, pub) != 0)
            assert_int_equal(captls_ed25519_verify(pub, NULL, 0, sig),
                             CAPTLS_ERR_INVALID_KEY);
    }
}

static void test_inputs_untouched(void **state)
{
    (void)state;
    uint8_t seed[32], pub[32], sig[64], msg[40];
    uint8_t pub2[32], sig2[64], msg2[40];

    captls_diff_splitmix_bytes(&rng_state, seed, 32);
    captls_diff_splitmix_bytes(&rng_state, msg, sizeof msg);
    captls_ed25519_public_from_seed(pub, seed);
    captls_ed25519_sign(sig, seed, pub, msg, sizeof msg);
    sig[10] ^= 4;
    memcpy(pub2, pub, 32);
    memcpy(sig2, sig, 64);
    memcpy(msg2, msg, sizeof msg);
    assert_int_equal(captls_ed25519_verify(pub, msg, sizeof msg, sig),
                     CAPTLS_ERR_BAD_SIGNATURE);
    assert_memory_equal(pub, pub2, 32);
    assert_memory_equal(sig, sig2, 64);
    assert_memory_equal(msg, msg2, sizeof msg);
    /* empty message with NULL pointer */
    captls_ed25519_sign(sig, seed, pub, NULL, 0);
    assert_int_equal(captls_ed25519_verify(pub, NULL, 0, sig), CAPTLS_OK);
}

/* --------------------------------------------- scalars against BIGNUM */

static void le_to_bn(BIGNUM *bn, const uint8_t *p, size_t n)
{
    assert_non_null(BN_lebin2bn(p, (int)n, bn));
}

static void test_scalar_vs_bignum(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *L = BN_new(), *x = BN_new(), *y = BN_new(), *z = BN_new(),
           *w = BN_new();
    uint8_t wide[64], a[32], b[32], c[32], got[32], want[32];

    le_to_bn(L, L_bytes, 32);
    for (int i = 0; i < 3000; i++) {
        captls_diff_splitmix_bytes(&rng_state, wide, 64);
        if (i == 0)
            memset(wide, 0xff, 64);
        if (i == 1)
            memset(wide, 0, 64);
        captls_sc_reduce64(got, wide);
        le_to_bn(x, wide, 64);
        assert_int_equal(BN_nnmod(y, x, L, ctx), 1);
        assert_int_equal(BN_bn2lebinpad(y, want, 32), 32);
        assert_memory_equal(got, want, 32);

        captls_diff_splitmix_bytes(&rng_state, a, 32);
        captls_diff_splitmix_bytes(&rng_state, b, 32);
        captls_diff_splitmix_bytes(&rng_state, c, 32);
        if (i == 2) {
            memset(a, 0xff, 32);
            memset(b, 0xff, 32);
            memset(c, 0xff, 32);
        }
        captls_sc_muladd(got, a, b, c);
        le_to_bn(x, a, 32);
        le_to_bn(y, b, 32);
        le_to_bn(w, c, 32);
        assert_int_equal(BN_mul(z, x, y, ctx), 1);
        assert_int_equal(BN_add(z, z, w), 1);
        assert_int_equal(BN_nnmod(z, z, L, ctx), 1);
        assert_int_equal(BN_bn2lebinpad(z, want, 32), 32);
        assert_memory_equal(got, want, 32);
        assert_int_equal(captls_sc_is_canonical(got), 1);
    }
    BN_free(L); BN_free(x); BN_free(y); BN_free(z); BN_free(w);
    BN_CTX_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032_vectors),
        cmocka_unit_test(test_random_vs_openssl),
        cmocka_unit_test(test_reject_noncanonical_s),
        cmocka_unit_test(test_reject_small_order_key),
        cmocka_unit_test(test_reject_small_order_forgery),
        cmocka_unit_test(test_reject_noncanonical_point),
        cmocka_unit_test(test_inputs_untouched),
        cmocka_unit_test(test_scalar_vs_bignum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
