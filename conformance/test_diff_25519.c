/* Differential tests against OpenSSL: X25519 and Ed25519 (core/crypto/
 * x25519.h, ed25519.h — written here, so these are the primary check).
 *
 * X25519: random scalars against random u (bit 255 set or not), the
 * non-canonical u >= p, and the small-order points (and their u + p
 * aliases): same 32 bytes, and the same refusal when the result is all
 * zero (both refuse: OpenSSL 3.0 checks it too). Ed25519: random seeds give
 * the same public key and the same signature bytes; verification gives
 * the same verdict on genuine signatures and on tampered ones (a bit
 * flipped in message, R, S or the public key; truncated or extended
 * signatures, which captls's fixed-size API cannot even take: they count
 * as "invalid", as in the shim). Known, intended differences (captls is
 * strict; see ed25519.h): small-order or non-canonical public keys and
 * small-order R, which OpenSSL 3.0 may accept; random tampering reaches
 * them with negligible probability, and test_known_differences pins them.
 * Seed and case count: see diff_rng.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "conformance/diff_rng.h"
#include "conformance/testkit.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/x25519.h"

/* OpenSSL X25519; returns 0 when it refuses (all-zero result). */
static int ref_x25519(uint8_t out[32], const uint8_t k[32],
                      const uint8_t u[32])
{
    EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, k,
                                                  32);
    EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, u, 32);
    EVP_PKEY_CTX *c = priv ? EVP_PKEY_CTX_new(priv, NULL) : NULL;
    size_t len = 32;
    int ok = c != NULL && peer != NULL && EVP_PKEY_derive_init(c) == 1 &&
             EVP_PKEY_derive_set_peer(c, peer) == 1 &&
             EVP_PKEY_derive(c, out, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(priv);
    return ok;
}

static void x25519_case(captls_diff_rng *rng, size_t i)
{
    uint8_t k[32], u[32], mine[32], ref[32];
    captls_diff_bytes(rng, k, 32);
    size_t kind = captls_diff_below(rng, 8);
    if (kind == 0) { /* small order, maybe with bit 255 set */
        memcpy(u, captls_test_x25519_small_u[captls_diff_below(rng, 7)], 32);
        if (captls_diff_below(rng, 2))
            u[31] |= 0x80;
    } else if (kind == 1) { /* non-canonical: p + small, or all ones */
        memset(u, 0xff, 32);
        u[0] = (uint8_t)(0xed + captls_diff_below(rng, 19));
        u[31] = captls_diff_below(rng, 2) ? 0x7f : 0xff;
    } else {
        captls_diff_bytes(rng, u, 32);
    }
    memset(mine, 0xa5, 32);
    captls_result r = captls_x25519(mine, k, u);
    int ok_ref = ref_x25519(ref, k, u);
    int untouched = 1;
    for (int j = 0; j < 32; j++)
        untouched &= mine[j] == 0xa5;
    if ((r == CAPTLS_OK) != ok_ref ||
        (r != CAPTLS_OK && (r != CAPTLS_ERR_INVALID_KEY || !untouched)) ||
        (ok_ref && memcmp(mine, ref, 32) != 0)) {
        printf("x25519 mismatch: case %zu: captls %d, openssl %s\n", i,
               (int)r, ok_ref ? "ok" : "refused");
        captls_diff_dump("scalar", k, 32);
        captls_diff_dump("u", u, 32);
        captls_diff_dump("captls", mine, 32);
        captls_diff_dump("openssl", ref, 32);
        fail();
    }
}

static void test_diff_x25519(void **state)
{
    (void)state;
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "x25519", 1);
    for (size_t i = 0; i < n; i++)
        x25519_case(&rng, i);
    /* every small-order point with a few scalars: always refused */
    for (size_t j = 0; j < 7; j++) {
        uint8_t k[32], out[32];
        captls_diff_bytes(&rng, k, 32);
        assert_int_equal(captls_x25519(out, k, captls_test_x25519_small_u[j]),
                         CAPTLS_ERR_INVALID_KEY);
        assert_false(ref_x25519(out, k, captls_test_x25519_small_u[j]));
    }
}

static int ref_ed_verify(const uint8_t pub[32], const uint8_t *msg,
                         size_t len, const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
                                               32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = pk != NULL && c != NULL &&
             EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk) == 1 &&
             EVP_DigestVerify(c, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(pk);
    return ok;
}

static void test_diff_ed25519(void **state)
{
    (void)state;
    static uint8_t msg[1100];
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "ed25519", 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t seed[32], pub[32], rpub[32], sig[65], rsig[64];
        size_t len = captls_diff_len(&rng, 1024), rlen = 32, slen = 64;
        captls_diff_bytes(&rng, seed, 32);
        captls_diff_bytes(&rng, msg, len);
        captls_ed25519_public_from_seed(pub, seed);
        captls_ed25519_sign(sig, seed, pub, msg, len);
        EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
                                                    seed, 32);
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        assert_true(pk != NULL && c != NULL &&
                    EVP_PKEY_get_raw_public_key(pk, rpub, &rlen) == 1 &&
                    EVP_DigestSignInit(c, NULL, NULL, NULL, pk) == 1 &&
                    EVP_DigestSign(c, rsig, &slen, msg, len) == 1);
        EVP_MD_CTX_free(c);
        EVP_PKEY_free(pk);
        if (memcmp(pub, rpub, 32) != 0 || memcmp(sig, rsig, 64) != 0) {
            printf("ed25519 mismatch: case %zu: public key or signature\n",
                   i);
            captls_diff_dump("seed", seed, 32);
            captls_diff_dump("msg", msg, len);
            captls_diff_dump("captls pub", pub, 32);
            captls_diff_dump("openssl pub", rpub, 32);
            captls_diff_dump("captls sig", sig, 64);
            captls_diff_dump("openssl sig", rsig, 64);
            fail();
        }
        assert_int_equal(captls_ed25519_verify(pub, msg, len, sig), CAPTLS_OK);

        const char *what;
        size_t sig_len = 64, mlen = len;
        switch (i % 6) {
        case 0: what = "flipped message";
            if (len == 0) msg[mlen++] = 0; else captls_diff_flip(&rng, msg, len);
            break;
        case 1: what = "flipped R"; captls_diff_flip(&rng, sig, 32); break;
        case 2: what = "flipped S"; captls_diff_flip(&rng, sig + 32, 32); break;
        case 3: what = "flipped key"; captls_diff_flip(&rng, pub, 32); break;
        case 4: what = "truncated signature";
            sig_len = captls_diff_below(&rng, 64); break;
        default: what = "extended signature";
            sig[64] = (uint8_t)captls_diff_u64(&rng); sig_len = 65; break;
        }
        int mine = sig_len == 64 &&
                   captls_ed25519_verify(pub, msg, mlen, sig) == CAPTLS_OK;
        int ref = ref_ed_verify(pub, msg, mlen, sig, sig_len);
        if (mine != ref) {
            printf("ed25519 verify mismatch (%s): case %zu: captls %s, "
                   "openssl %s\n", what, i, mine ? "valid" : "invalid",
                   ref ? "valid" : "invalid");
            captls_diff_dump("pub", pub, 32);
            captls_diff_dump("msg", msg, mlen);
            captls_diff_dump("sig", sig, sig_len);
            fail();
        }
    }
}

/* The intended differences, pinned: captls refuses, OpenSSL 3.0 accepts. */
static void test_known_differences(void **state)
{
    (void)state;
    /* A = identity (y = 1, small order), R = identity, S = 0: the
     * cofactorless equation [0]B = R + [k]A holds for every message. */
    uint8_t ident[32] = {1}, sig[64] = {1};
    const uint8_t msg[] = "any message";
    assert_int_equal(captls_ed25519_verify(ident, msg, sizeof(msg), sig),
                     CAPTLS_ERR_INVALID_KEY);
    assert_true(ref_ed_verify(ident, msg, sizeof(msg), sig, 64));
    /* S + L for a genuine signature: both refuse (OpenSSL checks S < L) */
    uint8_t seed[32] = {7}, pub[32], good[64];
    static const uint8_t l[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
        0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0x10};
    captls_ed25519_public_from_seed(pub, seed);
    captls_ed25519_sign(good, seed, pub, msg, sizeof(msg));
    unsigned carry = 0;
    for (int j = 0; j < 32; j++) {
        carry += good[32 + j] + l[j];
        good[32 + j] = (uint8_t)carry;
        carry >>= 8;
    }
    assert_int_not_equal(captls_ed25519_verify(pub, msg, sizeof(msg), good),
                         CAPTLS_OK);
    assert_false(ref_ed_verify(pub, msg, sizeof(msg), good, 64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_x25519),
        cmocka_unit_test(test_diff_ed25519),
        cmocka_unit_test(test_known_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
