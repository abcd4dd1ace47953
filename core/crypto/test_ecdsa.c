/* Unit tests of core/crypto/ecdsa.c: RFC 6979 A.2.5 (deterministic P-256
 * signing), agreement with OpenSSL both ways for P-256/P-384 and
 * SHA-256/384/512, strict DER, invalid points and scalars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bearssl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/crypto/ecdsa.h"
#include "core/crypto/p256_point.h"
#include "core/crypto/p384_ecdh.h"
#include "core/crypto/test_vectors.h"

/* RFC 6979 A.2.5, P-256: private key x, public U = xG, and the signature
 * of "sample" with SHA-256. */
#define A25_X "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define A25_UX "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
#define A25_UY "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
#define A25_R "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
#define A25_S "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"

static void test_rfc6979_a25(void **state)
{
    (void)state;
    uint8_t x[32], point[65], got_point[65], r[32], s[32];
    uint8_t sig[CAPTLS_ECDSA_P256_SIG_MAX], sig2[CAPTLS_ECDSA_P256_SIG_MAX];
    size_t len, len2;

    tv_hex_into(A25_X, x, 32);
    point[0] = 0x04;
    tv_hex_into(A25_UX, point + 1, 32);
    tv_hex_into(A25_UY, point + 33, 32);
    tv_hex_into(A25_R, r, 32);
    tv_hex_into(A25_S, s, 32);

    assert_int_equal(captls_ecdsa_p256_public(x, got_point), CAPTLS_OK);
    assert_memory_equal(got_point, point, 65);
    assert_int_equal(captls_ecdsa_p256_sign(x, CAPTLS_HASH_SHA256,
                                            (const uint8_t *)"sample", 6, sig,
                                            &len),
                     CAPTLS_OK);
    /* r and s have their top bit set: 0x30 0x46 02 21 00 r 02 21 00 s */
    assert_int_equal(len, 72);
    assert_int_equal(sig[0], 0x30);
    assert_int_equal(sig[1], 70);
    assert_int_equal(sig[3], 33);
    assert_memory_equal(sig + 5, r, 32);
    assert_memory_equal(sig + 40, s, 32);
    /* deterministic */
    assert_int_equal(captls_ecdsa_p256_sign(x, CAPTLS_HASH_SHA256,
                                            (const uint8_t *)"sample", 6,
                                            sig2, &len2),
                     CAPTLS_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(sig, sig2, len);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65,
                                         (const uint8_t *)"sample", 6, sig,
                                         len),
                     CAPTLS_OK);
}

/* P1363 (r || s) <-> DER on RFC 6979 A.2.5: both ways, wrong lengths,
 * and r = 0 encoded but refused by the verifier. */
static void test_p1363_conversion(void **state)
{
    (void)state;
    uint8_t x[32], rs[64], der[CAPTLS_ECDSA_P384_SIG_MAX], back[96];
    uint8_t point[65];
    size_t der_len, back_len;
    const uint8_t *m = (const uint8_t *)"sample";

    tv_hex_into(A25_X, x, 32);
    tv_hex_into(A25_R, rs, 32);
    tv_hex_into(A25_S, rs + 32, 32);
    assert_int_equal(captls_ecdsa_p256_public(x, point), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_sig_from_p1363(CAPTLS_EC_P256, rs, 64, der,
                                                 &der_len), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, der, der_len),
                     CAPTLS_OK);
    assert_int_equal(captls_ecdsa_sig_to_p1363(CAPTLS_EC_P256, der, der_len,
                                               back, &back_len), CAPTLS_OK);
    assert_int_equal(back_len, 64);
    assert_memory_equal(back, rs, 64);
    assert_int_equal(captls_ecdsa_sig_from_p1363(CAPTLS_EC_P256, rs, 63, der,
                                                 &der_len),
                     CAPTLS_ERR_BAD_SIGNATURE);
    assert_int_equal(captls_ecdsa_sig_from_p1363(CAPTLS_EC_P384, rs, 64, der,
                                                 &der_len),
                     CAPTLS_ERR_BAD_SIGNATURE);
    assert_int_equal(captls_ecdsa_sig_to_p1363(CAPTLS_EC_P256, der, der_len - 1,
                                               back, &back_len),
                     CAPTLS_ERR_BAD_SIGNATURE);
    memset(rs, 0, 32); /* r = 0 */
    assert_int_equal(captls_ecdsa_sig_from_p1363(CAPTLS_EC_P256, rs, 64, der,
                                                 &der_len), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, der, der_len),
                     CAPTLS_ERR_BAD_SIGNATURE);
}

static EVP_PKEY *gen(captls_ec_curve c)
{
    EVP_PKEY *k = EVP_EC_gen(c == CAPTLS_EC_P256 ? "P-256" : "P-384");
    assert_non_null(k);
    return k;
}

static size_t pub_point(EVP_PKEY *k, uint8_t out[97])
{
    size_t len = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(
                         k, OSSL_PKEY_PARAM_PUB_KEY, out, 97, &len),
                     1);
    assert_int_equal(out[0], 0x04);
    return len;
}

static const EVP_MD *md(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA256 ? EVP_sha256()
           : h == CAPTLS_HASH_SHA384 ? EVP_sha384()
                                     : EVP_sha512();
}

static size_t ossl_sign(EVP_PKEY *k, captls_hash_alg h, const uint8_t *msg,
                        size_t len, uint8_t *sig)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t sl = 200;
    assert_int_equal(EVP_DigestSignInit(c, NULL, md(h), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &sl, msg, len), 1);
    EVP_MD_CTX_free(c);
    return sl;
}

static int ossl_verify(EVP_PKEY *k, captls_hash_alg h, const uint8_t *msg,
                       size_t len, const uint8_t *sig, size_t sl)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int r;
    assert_int_equal(EVP_DigestVerifyInit(c, NULL, md(h), NULL, k), 1);
    r = EVP_DigestVerify(c, sig, sl, msg, len);
    EVP_MD_CTX_free(c);
    return r;
}

static void test_vs_openssl(void **state)
{
    (void)state;
    uint8_t msg[300], sig[200], point[97];
    for (int c = 1; c <= 2; c++) {
        captls_ec_curve curve = (captls_ec_curve)c;
        for (int iter = 0; iter < 3; iter++) {
            EVP_PKEY *k = gen(curve);
            size_t plen = pub_point(k, point);
            for (int h = 1; h <= 3; h++) {
                captls_hash_alg hash = (captls_hash_alg)h;
                size_t mlen = (size_t)(iter * 50 + h);
                assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
                size_t sl = ossl_sign(k, hash, msg, mlen, sig);
                assert_int_equal(captls_ecdsa_verify(curve, hash, point, plen,
                                                     msg, mlen, sig, sl),
                                 CAPTLS_OK);
                /* flipped message bit, flipped signature bit, truncation,
                 * extension, wrong hash */
                msg[0] ^= 1;
                assert_int_equal(captls_ecdsa_verify(curve, hash, point, plen,
                                                     msg, mlen, sig, sl),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                msg[0] ^= 1;
                for (size_t i = 0; i < sl; i += 9) {
                    sig[i] ^= 0x04;
                    assert_int_not_equal(
                        captls_ecdsa_verify(curve, hash, point, plen, msg,
                                            mlen, sig, sl),
                        CAPTLS_OK);
                    sig[i] ^= 0x04;
                }
                assert_int_equal(captls_ecdsa_verify(curve, hash, point, plen,
                                                     msg, mlen, sig, sl - 1),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                sig[sl] = 0;
                assert_int_equal(captls_ecdsa_verify(curve, hash, point, plen,
                                                     msg, mlen, sig, sl + 1),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                assert_int_equal(
                    captls_ecdsa_verify(curve,
                                        hash == CAPTLS_HASH_SHA256
                                            ? CAPTLS_HASH_SHA384
                                            : CAPTLS_HASH_SHA256,
                                        point, plen, msg, mlen, sig, sl),
                    CAPTLS_ERR_BAD_SIGNATURE);
                /* captls signs (P-256), OpenSSL verifies */
                if (curve == CAPTLS_EC_P256) {
                    BIGNUM *bn = NULL;
                    uint8_t x[32], s2[CAPTLS_ECDSA_P256_SIG_MAX];
                    size_t l2;
                    assert_int_equal(EVP_PKEY_get_bn_param(
                                         k, OSSL_PKEY_PARAM_PRIV_KEY, &bn),
                                     1);
                    assert_int_equal(BN_bn2binpad(bn, x, 32), 32);
                    BN_clear_free(bn);
                    assert_int_equal(captls_ecdsa_p256_sign(x, hash, msg,
                                                            mlen, s2, &l2),
                                     CAPTLS_OK);
                    assert_int_equal(ossl_verify(k, hash, msg, mlen, s2, l2),
                                     1);
                    uint8_t p2[65];
                    assert_int_equal(captls_ecdsa_p256_public(x, p2),
                                     CAPTLS_OK);
                    assert_memory_equal(p2, point, 65);
                } else {
                    /* captls signs (P-384, BearSSL RFC 6979), OpenSSL
                     * verifies; the same request signs the same bytes */
                    BIGNUM *bn = NULL;
                    uint8_t x[48], s2[CAPTLS_ECDSA_P384_SIG_MAX];
                    uint8_t s3[CAPTLS_ECDSA_P384_SIG_MAX], p2[97];
                    size_t l2, l3;
                    assert_int_equal(EVP_PKEY_get_bn_param(
                                         k, OSSL_PKEY_PARAM_PRIV_KEY, &bn),
                                     1);
                    assert_int_equal(BN_bn2binpad(bn, x, 48), 48);
                    BN_clear_free(bn);
                    assert_int_equal(captls_ecdsa_p384_sign(x, hash, msg,
                                                            mlen, s2, &l2),
                                     CAPTLS_OK);
                    assert_int_equal(ossl_verify(k, hash, msg, mlen, s2, l2),
                                     1);
                    assert_int_equal(captls_ecdsa_p384_sign(x, hash, msg,
                                                            mlen, s3, &l3),
                                     CAPTLS_OK);
                    assert_int_equal(l3, l2);
                    assert_memory_equal(s3, s2, l2);
                    assert_int_equal(captls_p384_public(p2, x), CAPTLS_OK);
                    assert_memory_equal(p2, point, 97);
                }
            }
            EVP_PKEY_free(k);
        }
    }
}

static void test_strict_der(void **state)
{
    (void)state;
    uint8_t x[32], point[65], sig[CAPTLS_ECDSA_P256_SIG_MAX], bad[80];
    size_t len;
    const uint8_t *m = (const uint8_t *)"sample";

    tv_hex_into(A25_X, x, 32);
    assert_int_equal(captls_ecdsa_p256_public(x, point), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_p256_sign(x, CAPTLS_HASH_SHA256, m, 6, sig,
                                            &len),
                     CAPTLS_OK);
    assert_int_equal(len, 72);

    /* r with an extra, redundant leading zero: 02 22 00 00 r... */
    memcpy(bad, sig, 4);
    bad[1] = 71;
    bad[3] = 34;
    bad[4] = 0;
    memcpy(bad + 5, sig + 4, 68);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, bad, 73),
                     CAPTLS_ERR_BAD_SIGNATURE);
    /* Documented leniency of BearSSL's own DER path: it accepts this. */
    {
        uint8_t digest[32];
        br_ec_public_key pk = {BR_EC_secp256r1, point, 65};
        br_sha256_context sc;
        br_sha256_init(&sc);
        br_sha256_update(&sc, m, 6);
        br_sha256_out(&sc, digest);
        assert_int_equal(br_ecdsa_i31_vrfy_asn1(&br_ec_all_m31, digest, 32,
                                                &pk, bad, 73),
                         1);
    }
    /* r without its required leading zero (reads as negative) */
    memcpy(bad, sig, 72);
    bad[1] = 69;
    bad[3] = 32;
    memmove(bad + 4, bad + 5, 67);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, bad, 71),
                     CAPTLS_ERR_BAD_SIGNATURE);
    /* long-form SEQUENCE length 0x81 0x46 (non-minimal) */
    bad[0] = 0x30;
    bad[1] = 0x81;
    bad[2] = 70;
    memcpy(bad + 3, sig + 2, 70);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, bad, 73),
                     CAPTLS_ERR_BAD_SIGNATURE);
    /* r = 0, s = 0, r = n */
    static const uint8_t zero_sig[] = {0x30, 6, 2, 1, 0, 2, 1, 0};
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, zero_sig,
                                         sizeof zero_sig),
                     CAPTLS_ERR_BAD_SIGNATURE);
    memcpy(bad, sig, 72);
    tv_hex_into("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
                bad + 5, 32);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, bad, 72),
                     CAPTLS_ERR_BAD_SIGNATURE);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, NULL, 0),
                     CAPTLS_ERR_BAD_SIGNATURE);
}

static void test_bad_keys(void **state)
{
    (void)state;
    uint8_t x[32], point[65], sig[CAPTLS_ECDSA_P256_SIG_MAX];
    size_t len = 12345;
    const uint8_t *m = (const uint8_t *)"sample";

    tv_hex_into(A25_X, x, 32);
    assert_int_equal(captls_ecdsa_p256_public(x, point), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_p256_sign(x, CAPTLS_HASH_SHA256, m, 6, sig,
                                            &len),
                     CAPTLS_OK);
    /* off-curve point, compressed prefix, wrong length, wrong curve */
    point[64] ^= 1;
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, sig, len),
                     CAPTLS_ERR_INVALID_KEY);
    point[64] ^= 1;
    point[0] = 0x02;
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 33, m, 6, sig, len),
                     CAPTLS_ERR_INVALID_KEY);
    point[0] = 0x04;
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 64, m, 6, sig, len),
                     CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P384, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, sig, len),
                     CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_NONE, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, sig, len),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_NONE,
                                         point, 65, m, 6, sig, len),
                     CAPTLS_ERR_UNSUPPORTED);
    /* scalars 0, n, n+1 refused, n-1 accepted; nothing written */
    uint8_t bad[32], out[CAPTLS_ECDSA_P256_SIG_MAX];
    memset(out, 0xee, sizeof out);
    memset(bad, 0, 32);
    len = 777;
    assert_int_equal(captls_ecdsa_p256_sign(bad, CAPTLS_HASH_SHA256, m, 6,
                                            out, &len),
                     CAPTLS_ERR_INVALID_KEY);
    tv_hex_into("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
                bad, 32);
    assert_int_equal(captls_ecdsa_p256_sign(bad, CAPTLS_HASH_SHA256, m, 6,
                                            out, &len),
                     CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_ecdsa_p256_public(bad, point),
                     CAPTLS_ERR_INVALID_KEY);
    bad[31]++;
    assert_int_equal(captls_ecdsa_p256_sign(bad, CAPTLS_HASH_SHA256, m, 6,
                                            out, &len),
                     CAPTLS_ERR_INVALID_KEY);
    memset(bad, 0xff, 32);
    assert_int_equal(captls_ecdsa_p256_sign(bad, CAPTLS_HASH_SHA256, m, 6,
                                            out, &len),
                     CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(out[0], 0xee);
    assert_int_equal(len, 777);
    tv_hex_into("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550",
                bad, 32);
    assert_int_equal(captls_ecdsa_p256_sign(bad, CAPTLS_HASH_SHA256, m, 6,
                                            out, &len),
                     CAPTLS_OK);
    assert_int_equal(captls_ecdsa_p256_public(bad, point), CAPTLS_OK);
    assert_int_equal(captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256,
                                         point, 65, m, 6, out, len),
                     CAPTLS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6979_a25),
        cmocka_unit_test(test_p1363_conversion),
        cmocka_unit_test(test_vs_openssl),
        cmocka_unit_test(test_strict_der),
        cmocka_unit_test(test_bad_keys),
    };
    int failed;

    /* Every P-256 path on this machine: the 64-bit code (where built)
     * with the BMI2/ADX and the portable field multiplier, and the
     * BearSSL fallback. */
    captls_p256_force_bearssl(false);
    if (CAPTLS_P256_FAST && !captls_p256_fast_active())
        return 1;
    failed = cmocka_run_group_tests_name("ecdsa fast path", tests, NULL, NULL);
#if CAPTLS_P256_FAST
    /* the portable field multiplier too, where the CPU has BMI2/ADX */
    p256_fe_force_portable(true);
    failed += cmocka_run_group_tests_name("ecdsa fast path, portable field",
                                          tests, NULL, NULL);
    p256_fe_force_portable(false);
#endif
    captls_p256_force_bearssl(true);
    failed += cmocka_run_group_tests_name("ecdsa BearSSL path", tests, NULL,
                                          NULL);
    captls_p256_force_bearssl(false);
    return failed;
}
