/* Unit tests of core/crypto/hmac.c and hkdf.c: RFC 5869 Appendix A
 * (vectors/rfc5869-hkdf-sha256.txt), RFC 8448 §3 key schedule values
 * (vectors/rfc8448-simple-1rtt.txt), HMAC against OpenSSL, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "core/crypto/hkdf.h"
#include "core/crypto/hmac.h"
#include "core/crypto/test_vectors.h"

#define RFC8448 "vectors/rfc8448-simple-1rtt.txt"

static const EVP_MD *ossl_md(captls_hash_alg alg)
{
    switch (alg) {
    case CAPTLS_HASH_SHA256: return EVP_sha256();
    case CAPTLS_HASH_SHA384: return EVP_sha384();
    case CAPTLS_HASH_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

static void test_hmac_vs_openssl(void **state)
{
    (void)state;
    uint8_t key[200], msg[500], out[CAPTLS_HASH_MAX_SIZE];
    uint8_t want[EVP_MAX_MD_SIZE];
    unsigned int wlen;

    for (int a = 1; a <= 3; a++) {
        captls_hash_alg alg = (captls_hash_alg)a;
        for (size_t klen = 0; klen < sizeof key; klen += 13) {
            size_t mlen = (klen * 7) % sizeof msg;
            captls_hmac_ctx ctx;
            assert_int_equal(RAND_bytes(key, sizeof key), 1);
            assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
            assert_non_null(HMAC(ossl_md(alg), key, (int)klen, msg, mlen,
                                 want, &wlen));
            assert_int_equal(captls_hmac(alg, key, klen, msg, mlen, out),
                             CAPTLS_OK);
            assert_memory_equal(out, want, wlen);
            /* incremental, in two pieces */
            assert_int_equal(captls_hmac_init(&ctx, alg, key, klen),
                             CAPTLS_OK);
            captls_hmac_update(&ctx, msg, mlen / 2);
            captls_hmac_update(&ctx, msg + mlen / 2, mlen - mlen / 2);
            assert_int_equal(captls_hmac_final(&ctx, out), wlen);
            assert_memory_equal(out, want, wlen);
            /* verify: right tag, flipped bit, truncated tag */
            assert_int_equal(captls_hmac_verify(alg, key, klen, msg, mlen,
                                                want, wlen),
                             CAPTLS_OK);
            want[klen % wlen] ^= 0x10;
            assert_int_equal(captls_hmac_verify(alg, key, klen, msg, mlen,
                                                want, wlen),
                             CAPTLS_ERR_AUTH_FAILED);
            want[klen % wlen] ^= 0x10;
            assert_int_equal(captls_hmac_verify(alg, key, klen, msg, mlen,
                                                want, wlen - 1),
                             CAPTLS_ERR_AUTH_FAILED);
        }
    }
    assert_int_equal(captls_hmac((captls_hash_alg)0, key, 1, msg, 1, out),
                     CAPTLS_ERR_UNSUPPORTED);
}

static void test_hkdf_rfc5869(void **state)
{
    (void)state;
    tv_case cases[8];
    size_t n = tv_load("vectors/rfc5869-hkdf-sha256.txt", cases, 8);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        const tv_field *ikm = tv_get(&cases[i], "IKM");
        const tv_field *salt = tv_get(&cases[i], "salt");
        const tv_field *info = tv_get(&cases[i], "info");
        const tv_field *prk = tv_get(&cases[i], "PRK");
        const tv_field *okm = tv_get(&cases[i], "OKM");
        size_t L = tv_get(&cases[i], "L")->len;
        uint8_t p[CAPTLS_HASH_MAX_SIZE], o[128];

        assert_int_equal(L, okm->len);
        assert_int_equal(captls_hkdf_extract(CAPTLS_HASH_SHA256, salt->val,
                                             salt->len, ikm->val, ikm->len,
                                             p),
                         CAPTLS_OK);
        assert_memory_equal(p, prk->val, 32);
        assert_int_equal(captls_hkdf_expand(CAPTLS_HASH_SHA256, p, 32,
                                            info->val, info->len, o, L),
                         CAPTLS_OK);
        assert_memory_equal(o, okm->val, L);
    }
    tv_free(cases, n);
}

static void test_hkdf_limits(void **state)
{
    (void)state;
    static uint8_t out[255 * 64 + 1];
    uint8_t prk[64] = {1};

    memset(out, 0xee, sizeof out);
    /* RFC 5869 §2.3: L <= 255*HashLen; one more is refused, nothing written */
    assert_int_equal(captls_hkdf_expand(CAPTLS_HASH_SHA256, prk, 32, NULL, 0,
                                        out, 255 * 32 + 1),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(out[0], 0xee);
    assert_int_equal(captls_hkdf_expand(CAPTLS_HASH_SHA256, prk, 32, NULL, 0,
                                        out, 255 * 32),
                     CAPTLS_OK);
    assert_int_equal(out[255 * 32], 0xee);
    assert_int_equal(captls_hkdf_expand(CAPTLS_HASH_SHA512, prk, 64, NULL, 0,
                                        out, 255 * 64 + 1),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_hkdf_expand(CAPTLS_HASH_SHA384, prk, 47, NULL, 0,
                                        out, 10),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_hkdf_expand(CAPTLS_HASH_SHA256, prk, 32, NULL, 0,
                                        out, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_hkdf_extract((captls_hash_alg)7, NULL, 0, prk, 1,
                                         out),
                     CAPTLS_ERR_UNSUPPORTED);
}

static void test_hkdf_vs_openssl(void **state)
{
    (void)state;
    uint8_t ikm[80], salt[70], info[90], out[600], want[600];
    for (int a = 1; a <= 3; a++) {
        captls_hash_alg alg = (captls_hash_alg)a;
        for (size_t len = 1; len <= sizeof out; len += 37) {
            uint8_t prk[CAPTLS_HASH_MAX_SIZE];
            size_t wl = len;
            EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
            assert_int_equal(RAND_bytes(ikm, sizeof ikm), 1);
            assert_int_equal(RAND_bytes(salt, sizeof salt), 1);
            assert_int_equal(RAND_bytes(info, sizeof info), 1);
            assert_int_equal(EVP_PKEY_derive_init(pc), 1);
            assert_int_equal(EVP_PKEY_CTX_set_hkdf_md(pc, ossl_md(alg)), 1);
            assert_int_equal(EVP_PKEY_CTX_set1_hkdf_salt(pc, salt,
                                                         (int)(len % 70)),
                             1);
            assert_int_equal(EVP_PKEY_CTX_set1_hkdf_key(pc, ikm,
                                                        (int)(1 + len % 79)),
                             1);
            assert_int_equal(EVP_PKEY_CTX_add1_hkdf_info(pc, info,
                                                         (int)(len % 90)),
                             1);
            assert_int_equal(EVP_PKEY_derive(pc, want, &wl), 1);
            EVP_PKEY_CTX_free(pc);
            assert_int_equal(captls_hkdf_extract(alg, salt, len % 70, ikm,
                                                 1 + len % 79, prk),
                             CAPTLS_OK);
            assert_int_equal(captls_hkdf_expand(alg, prk,
                                                captls_hash_size(alg), info,
                                                len % 90, out, len),
                             CAPTLS_OK);
            assert_memory_equal(out, want, len);
        }
    }
}

static void check_8448_derive(const char *step, const char *label)
{
    char k[160];
    size_t plen, hlen, elen;
    uint8_t out[CAPTLS_HASH_MAX_SIZE];

    snprintf(k, sizeof k, "%s / PRK", step);
    uint8_t *prk = tv_8448(RFC8448, k, &plen);
    snprintf(k, sizeof k, "%s / hash", step);
    uint8_t *hash = tv_8448(RFC8448, k, &hlen);
    snprintf(k, sizeof k, "%s / expanded", step);
    uint8_t *exp = tv_8448(RFC8448, k, &elen);
    assert_int_equal(captls_hkdf_derive_secret(CAPTLS_HASH_SHA256, prk, plen,
                                               label, strlen(label), hash,
                                               hlen, out),
                     CAPTLS_OK);
    assert_int_equal(elen, 32);
    assert_memory_equal(out, exp, 32);
    free(prk);
    free(hash);
    free(exp);
}

static void check_8448_extract(const char *step)
{
    char k[160];
    size_t sl, il, xl;
    uint8_t out[CAPTLS_HASH_MAX_SIZE];

    snprintf(k, sizeof k, "%s / salt", step);
    uint8_t *salt = tv_8448(RFC8448, k, &sl);
    snprintf(k, sizeof k, "%s / IKM", step);
    uint8_t *ikm = tv_8448(RFC8448, k, &il);
    snprintf(k, sizeof k, "%s / secret", step);
    uint8_t *sec = tv_8448(RFC8448, k, &xl);
    assert_int_equal(captls_hkdf_extract(CAPTLS_HASH_SHA256, salt, sl, ikm,
                                         il, out),
                     CAPTLS_OK);
    assert_memory_equal(out, sec, 32);
    free(salt);
    free(ikm);
    free(sec);
}

static void test_rfc8448_key_schedule(void **state)
{
    (void)state;
    /* RFC 8446 §7.1 key schedule, values from RFC 8448 §3. */
    check_8448_extract("{server} extract secret \"early\"");
    check_8448_derive("{server} derive secret for handshake \"tls13 derived\"",
                      "derived");
    check_8448_extract("{server} extract secret \"handshake\"");
    check_8448_derive("{server} derive secret \"tls13 c hs traffic\"",
                      "c hs traffic");
    check_8448_derive("{server} derive secret \"tls13 s hs traffic\"",
                      "s hs traffic");
    check_8448_derive(
        "{server} derive secret for master \"tls13 derived\"", "derived");
    check_8448_extract("{server} extract secret \"master\"");
    check_8448_derive("{server} derive secret \"tls13 c ap traffic\"",
                      "c ap traffic");
    check_8448_derive("{server} derive secret \"tls13 exp master\"",
                      "exp master");

    /* traffic key and iv: HKDF-Expand-Label(secret, "key"/"iv", "", len) */
    size_t sl, kl, il;
    uint8_t key[16], iv[12];
    uint8_t *sec = tv_8448(
        RFC8448, "{server} derive write traffic keys for handshake data / PRK",
        &sl);
    uint8_t *wk = tv_8448(
        RFC8448,
        "{server} derive write traffic keys for handshake data / key expanded",
        &kl);
    uint8_t *wiv = tv_8448(
        RFC8448,
        "{server} derive write traffic keys for handshake data / iv expanded",
        &il);
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, sl,
                                              "key", 3, NULL, 0, key, 16),
                     CAPTLS_OK);
    assert_memory_equal(key, wk, 16);
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, sl,
                                              "iv", 2, NULL, 0, iv, 12),
                     CAPTLS_OK);
    assert_memory_equal(iv, wiv, 12);
    /* finished_key = HKDF-Expand-Label(secret, "finished", "", 32) */
    uint8_t fk[32];
    size_t fl;
    uint8_t *fexp = tv_8448(
        RFC8448, "{server} calculate finished \"tls13 finished\" / expanded",
        &fl);
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, sl,
                                              "finished", 8, NULL, 0, fk, 32),
                     CAPTLS_OK);
    assert_memory_equal(fk, fexp, 32);
    free(sec);
    free(wk);
    free(wiv);
    free(fexp);
}

static void test_expand_label_limits(void **state)
{
    (void)state;
    uint8_t sec[32] = {7}, ctx[256] = {0}, out[64];
    char label[251];
    memset(label, 'a', sizeof label);
    memset(out, 0xee, sizeof out);
    /* RFC 8446 §7.1: opaque label<7..255> = "tls13 " + Label */
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, 32,
                                              label, 249, ctx, 255, out, 32),
                     CAPTLS_OK);
    assert_int_equal(out[32], 0xee);
    memset(out, 0xee, sizeof out);
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, 32,
                                              label, 250, ctx, 0, out, 32),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, 32,
                                              label, 0, ctx, 0, out, 32),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, 32,
                                              label, 3, ctx, 256, out, 32),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_hkdf_expand_label(CAPTLS_HASH_SHA256, sec, 31,
                                              label, 3, ctx, 0, out, 32),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(out[0], 0xee);
    assert_int_equal(captls_hkdf_derive_secret(CAPTLS_HASH_SHA384, sec, 32,
                                               "derived", 7, ctx, 48, out),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_hkdf_derive_secret(CAPTLS_HASH_SHA256, sec, 32,
                                               "derived", 7, ctx, 48, out),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_vs_openssl),
        cmocka_unit_test(test_hkdf_rfc5869),
        cmocka_unit_test(test_hkdf_limits),
        cmocka_unit_test(test_hkdf_vs_openssl),
        cmocka_unit_test(test_rfc8448_key_schedule),
        cmocka_unit_test(test_expand_label_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
