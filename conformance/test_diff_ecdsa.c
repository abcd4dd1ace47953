/* Differential tests against OpenSSL: ECDSA P-256/P-384 verification
 * (core/crypto/ecdsa.h). OpenSSL generates keys (a fresh one every 64
 * cases) and signs random messages with SHA-256/384/512; captls must accept
 * them, and both must give the same verdict on tampered inputs: a bit
 * flipped in the message, the DER signature or the public point, the
 * signature truncated or extended. Also: captls's deterministic P-256
 * signatures verify under OpenSSL (scalars drawn from the whole range, out
 * of range ones must be refused), and P-256 ECDH (core/crypto/p256_ecdh.h):
 * captls's public key of a random scalar and both shared secrets agree
 * with OpenSSL's derivation. Seed and case count: diff_rng.h; ECDSA
 * runs N/4 cases per curve (each case is one OpenSSL signature, two
 * captls and two OpenSSL verifications, plus a captls signature on P-256),
 * ECDH N/4. The whole group runs once per P-256 path (p256_point.h): the
 * 64-bit code with the BMI2/ADX multiplier (when the CPU has it), with the
 * portable multiplier, and the BearSSL fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "conformance/diff_rng.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/p256_ecdh.h"
#include "core/crypto/p256_point.h"

static const EVP_MD *md_of(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA256   ? EVP_sha256()
           : h == CAPTLS_HASH_SHA384 ? EVP_sha384()
                                     : EVP_sha512();
}

/* An OpenSSL public key from an uncompressed point; NULL if OpenSSL
 * refuses it (off the curve, ...). */
static EVP_PKEY *pub_from_point(const char *group, const uint8_t *pt,
                                size_t len)
{
    EVP_PKEY *pk = NULL;
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (b != NULL && c != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                        0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                         len) == 1 &&
        (params = OSSL_PARAM_BLD_to_param(b)) != NULL &&
        EVP_PKEY_fromdata_init(c) == 1)
        if (EVP_PKEY_fromdata(c, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
            pk = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    EVP_PKEY_CTX_free(c);
    return pk;
}

/* known: the key when pt is its (untampered) point, else NULL */
static int ref_verify(const char *group, EVP_PKEY *known, captls_hash_alg h,
                      const uint8_t *pt, size_t pt_len, const uint8_t *msg,
                      size_t len, const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY *pk = known != NULL ? known : pub_from_point(group, pt, pt_len);
    if (pk == NULL)
        return 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL &&
             EVP_DigestVerifyInit(c, NULL, md_of(h), NULL, pk) == 1 &&
             EVP_DigestVerify(c, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(c);
    if (pk != known)
        EVP_PKEY_free(pk);
    return ok;
}

typedef struct ckey {
    EVP_PKEY *pk;
    uint8_t point[97];
    size_t point_len;
} ckey;

static void new_key(const char *group, ckey *k)
{
    EVP_PKEY_free(k->pk);
    k->pk = EVP_EC_gen(group);
    assert_non_null(k->pk);
    assert_int_equal(EVP_PKEY_get_octet_string_param(
                         k->pk, OSSL_PKEY_PARAM_PUB_KEY, k->point,
                         sizeof(k->point), &k->point_len),
                     1);
}

static void run_curve(captls_ec_curve curve, const char *group,
                      const char *name)
{
    static uint8_t msg[1025];
    uint8_t sig[160];
    ckey k = {NULL, {0}, 0};
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, name, 4);
    for (size_t i = 0; i < n; i++) {
        if (i % 64 == 0)
            new_key(group, &k);
        captls_hash_alg h = (captls_hash_alg)(1 + captls_diff_below(&rng, 3));
        size_t len = captls_diff_len(&rng, 1024);
        captls_diff_bytes(&rng, msg, len);
        size_t sig_len = sizeof(sig) - 1;
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        assert_true(c != NULL &&
                    EVP_DigestSignInit(c, NULL, md_of(h), NULL, k.pk) == 1 &&
                    EVP_DigestSign(c, sig, &sig_len, msg, len) == 1);
        EVP_MD_CTX_free(c);
        if (captls_ecdsa_verify(curve, h, k.point, k.point_len, msg, len, sig,
                                sig_len) != CAPTLS_OK) {
            printf("ecdsa: %s case %zu: captls rejects OpenSSL's signature\n",
                   name, i);
            captls_diff_dump("point", k.point, k.point_len);
            captls_diff_dump("msg", msg, len);
            captls_diff_dump("sig", sig, sig_len);
            fail();
        }
        /* tamper one thing */
        uint8_t tp[97], ts[161];
        size_t tp_len = k.point_len, ts_len = sig_len, tm_len = len;
        memcpy(tp, k.point, tp_len);
        memcpy(ts, sig, sig_len);
        const char *what;
        switch (i % 5) {
        case 0: what = "flipped message";
            if (len == 0) msg[tm_len++] = 0; else captls_diff_flip(&rng, msg, len);
            break;
        case 1: what = "flipped signature";
            captls_diff_flip(&rng, ts, ts_len); break;
        case 2: what = "flipped point";
            captls_diff_flip(&rng, tp + 1, tp_len - 1); break;
        case 3: what = "truncated signature";
            ts_len = captls_diff_below(&rng, ts_len); break;
        default: what = "extended signature";
            ts[ts_len++] = (uint8_t)captls_diff_u64(&rng); break;
        }
        captls_result r = captls_ecdsa_verify(curve, h, tp, tp_len, msg,
                                              tm_len, ts, ts_len);
        int mine = r == CAPTLS_OK;
        int ref = ref_verify(group, i % 5 == 2 ? NULL : k.pk, h, tp, tp_len,
                             msg, tm_len, ts, ts_len);
        if (mine != ref || (r != CAPTLS_OK && r != CAPTLS_ERR_BAD_SIGNATURE &&
                            r != CAPTLS_ERR_INVALID_KEY)) {
            printf("ecdsa mismatch (%s): %s case %zu: captls %s (%d), "
                   "openssl %s\n", what, name, i, mine ? "valid" : "invalid",
                   (int)r, ref ? "valid" : "invalid");
            captls_diff_dump("point", tp, tp_len);
            captls_diff_dump("msg", msg, tm_len);
            captls_diff_dump("sig", ts, ts_len);
            fail();
        }
    }
    EVP_PKEY_free(k.pk);
}

static void test_diff_ecdsa_p256_verify(void **state)
{
    (void)state;
    run_curve(CAPTLS_EC_P256, "P-256", "ecdsa-p256-verify");
}

static void test_diff_ecdsa_p384_verify(void **state)
{
    (void)state;
    run_curve(CAPTLS_EC_P384, "P-384", "ecdsa-p384-verify");
}

/* The top half of the P-256 order n (FIPS 186-4 §D.1.2.3). */
static const uint8_t p256_n_top[16] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff};

/* captls signs (RFC 6979), OpenSSL verifies. */
static void test_diff_ecdsa_p256_sign(void **state)
{
    (void)state;
    static uint8_t msg[1024];
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "ecdsa-p256-sign", 4);
    for (size_t i = 0; i < n; i++) {
        uint8_t priv[32], point[65], sig[CAPTLS_ECDSA_P256_SIG_MAX];
        size_t sig_len = 0;
        captls_diff_bytes(&rng, priv, 32);
        /* the whole range: every fourth scalar shares n's top 16 bytes,
         * so that both sides of n come up */
        if (i % 4 == 1)
            memcpy(priv, p256_n_top, 16);
        captls_hash_alg h = (captls_hash_alg)(1 + captls_diff_below(&rng, 3));
        size_t len = captls_diff_len(&rng, sizeof(msg));
        captls_diff_bytes(&rng, msg, len);
        if (!captls_p256_scalar_is_valid(priv)) {
            assert_int_equal(captls_ecdsa_p256_public(priv, point),
                             CAPTLS_ERR_INVALID_KEY);
            assert_int_equal(captls_ecdsa_p256_sign(priv, h, msg, len, sig,
                                                    &sig_len),
                             CAPTLS_ERR_INVALID_KEY);
            continue;
        }
        assert_int_equal(captls_ecdsa_p256_public(priv, point), CAPTLS_OK);
        assert_int_equal(captls_ecdsa_p256_sign(priv, h, msg, len, sig,
                                                &sig_len),
                         CAPTLS_OK);
        if (!ref_verify("P-256", NULL, h, point, 65, msg, len, sig,
                        sig_len)) {
            printf("ecdsa-p256-sign: case %zu: OpenSSL rejects captls's "
                   "signature\n", i);
            captls_diff_dump("point", point, 65);
            captls_diff_dump("msg", msg, len);
            captls_diff_dump("sig", sig, sig_len);
            fail();
        }
    }
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

/* P-256 ECDH: captls's public key of a random scalar b is accepted by
 * OpenSSL, and x(b·A) by captls equals OpenSSL's x(a·B). */
static void test_diff_p256_ecdh(void **state)
{
    (void)state;
    ckey k = {NULL, {0}, 0};
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "p256-ecdh", 4);
    for (size_t i = 0; i < n; i++) {
        uint8_t b[32], bpub[65], z_mine[32], z_ossl[32];
        if (i % 16 == 0)
            new_key("P-256", &k);
        do {
            captls_diff_bytes(&rng, b, 32);
            if (i % 4 == 1) /* near n (below it about 3 times in 4) */
                memcpy(b, p256_n_top, 16);
        } while (!captls_p256_scalar_is_valid(b));
        assert_int_equal(captls_p256_public(bpub, b), CAPTLS_OK);
        EVP_PKEY *bpeer = pub_from_point("P-256", bpub, 65);
        if (bpeer == NULL) {
            printf("p256-ecdh: case %zu: OpenSSL refuses captls's public "
                   "key\n", i);
            captls_diff_dump("b", b, 32);
            captls_diff_dump("B", bpub, 65);
            fail();
        }
        assert_int_equal(captls_p256_ecdh(z_mine, b, k.point, k.point_len),
                         CAPTLS_OK);
        ossl_derive(k.pk, bpeer, z_ossl);
        EVP_PKEY_free(bpeer);
        if (memcmp(z_mine, z_ossl, 32) != 0) {
            printf("p256-ecdh: case %zu: shared secrets differ\n", i);
            captls_diff_dump("b", b, 32);
            captls_diff_dump("A", k.point, k.point_len);
            captls_diff_dump("captls", z_mine, 32);
            captls_diff_dump("openssl", z_ossl, 32);
            fail();
        }
    }
    EVP_PKEY_free(k.pk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_ecdsa_p256_verify),
        cmocka_unit_test(test_diff_ecdsa_p384_verify),
        cmocka_unit_test(test_diff_ecdsa_p256_sign),
        cmocka_unit_test(test_diff_p256_ecdh),
    };
    /* the other P-256 paths: P-384 does not depend on them */
    const struct CMUnitTest p256_tests[] = {
        cmocka_unit_test(test_diff_ecdsa_p256_verify),
        cmocka_unit_test(test_diff_ecdsa_p256_sign),
        cmocka_unit_test(test_diff_p256_ecdh),
    };
    int failed;

    captls_p256_force_bearssl(false);
    failed = cmocka_run_group_tests_name("P-256 fast path", tests, NULL,
                                         NULL);
#if CAPTLS_P256_FAST
    p256_fe_force_portable(true);
    failed += cmocka_run_group_tests_name("P-256 fast path, portable field",
                                          p256_tests, NULL, NULL);
    p256_fe_force_portable(false);
#endif
    captls_p256_force_bearssl(true);
    failed += cmocka_run_group_tests_name("P-256 BearSSL path", p256_tests,
                                          NULL, NULL);
    captls_p256_force_bearssl(false);
    return failed;
}
