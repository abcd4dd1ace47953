/* Unit tests of core/crypto/aead.c: McGrew-Viega GCM test cases
 * (vectors/gcm-test-cases.txt), RFC 8439 §2.8.2 (vectors/rfc8439-aead.txt),
 * an RFC 8448 §3 encrypted handshake record, random agreement with OpenSSL,
 * tampering (ct, tag, aad, nonce: fail and wipe), bad keys. Every check
 * runs with the CPU-selected and with the portable implementations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/crypto/aead.h"
#include "core/crypto/cpu.h"
#include "core/crypto/test_tiers.h"
#include "core/crypto/test_vectors.h"

typedef captls_result (*init_fn)(captls_aead_ctx *, captls_aead_alg,
                                 const uint8_t *, size_t);
static const init_fn inits[2] = {captls_aead_ctx_init,
                                 captls_aead_ctx_init_portable};

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static void check_case(captls_aead_alg alg, const tv_case *c)
{
    const tv_field *k = tv_get(c, "K"), *p = tv_get(c, "P");
    const tv_field *a = tv_get(c, "A"), *iv = tv_get(c, "IV");
    const tv_field *ct = tv_get(c, "C"), *t = tv_get(c, "T");
    uint8_t buf[256], tag[16];

    assert_int_equal(iv->len, 12);
    for (int impl = 0; impl < 2; impl++) {
        captls_aead_ctx ctx;
        assert_int_equal(inits[impl](&ctx, alg, k->val, k->len), CAPTLS_OK);
        memcpy(buf, p->val, p->len);
        assert_int_equal(captls_aead_ctx_seal(&ctx, iv->val, a->val, a->len,
                                              p->len ? buf : NULL, p->len,
                                              tag),
                         CAPTLS_OK);
        assert_memory_equal(buf, ct->val, ct->len);
        assert_memory_equal(tag, t->val, 16);
        assert_int_equal(captls_aead_ctx_open(&ctx, iv->val, a->val, a->len,
                                              p->len ? buf : NULL, p->len,
                                              tag),
                         CAPTLS_OK);
        assert_memory_equal(buf, p->val, p->len);
        captls_aead_ctx_destroy(&ctx);
        assert_true(all_zero((const uint8_t *)&ctx, sizeof ctx));
    }
}

static void test_gcm_spec_cases(void **state)
{
    (void)state;
    tv_case cases[16];
    size_t n = tv_load("vectors/gcm-test-cases.txt", cases, 16), ran = 0;
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++) {
        const tv_field *k = tv_get(&cases[i], "K");
        if (tv_get(&cases[i], "IV")->len != 12)
            continue; /* cases 5, 6, 17, 18: non-96-bit IVs, see file */
        check_case(k->len == 16 ? CAPTLS_AEAD_AES_128_GCM
                                : CAPTLS_AEAD_AES_256_GCM,
                   &cases[i]);
        ran++;
    }
    assert_int_equal(ran, 8);
    tv_free(cases, n);
}

static void test_chacha_rfc8439(void **state)
{
    (void)state;
    tv_case cases[2];
    size_t n = tv_load("vectors/rfc8439-aead.txt", cases, 2);
    assert_int_equal(n, 1);
    check_case(CAPTLS_AEAD_CHACHA20_POLY1305, &cases[0]);
    tv_free(cases, n);
}

/* RFC 8448 §3: the server's second handshake record, AES-128-GCM with the
 * server handshake key/iv, sequence number 0 (nonce = iv), AAD = the
 * 5-byte record header (RFC 8446 §5.2). */
static void test_rfc8448_record(void **state)
{
    (void)state;
    const char *f = "vectors/rfc8448-simple-1rtt.txt";
    size_t kl, il, rl, pl;
    uint8_t *key = tv_8448(
        f, "{server} derive write traffic keys for handshake data / key expanded",
        &kl);
    uint8_t *iv = tv_8448(
        f, "{server} derive write traffic keys for handshake data / iv expanded",
        &il);
    uint8_t *rec = tv_8448(f, "{server} send handshake record #2 / complete record",
                           &rl);
    uint8_t *pay = tv_8448(f, "{server} send handshake record #2 / payload", &pl);
    size_t ctlen = rl - 5 - 16;

    assert_int_equal(ctlen, pl + 1); /* TLSInnerPlaintext: content || type */
    assert_int_equal(captls_aead_open(CAPTLS_AEAD_AES_128_GCM, key, kl, iv,
                                      rec, 5, rec + 5, ctlen,
                                      rec + 5 + ctlen),
                     CAPTLS_OK);
    assert_memory_equal(rec + 5, pay, pl);
    assert_int_equal(rec[5 + pl], 0x16); /* handshake */
    free(key);
    free(iv);
    free(rec);
    free(pay);
}

static const EVP_CIPHER *ossl_cipher(captls_aead_alg alg)
{
    switch (alg) {
    case CAPTLS_AEAD_AES_128_GCM: return EVP_aes_128_gcm();
    case CAPTLS_AEAD_AES_256_GCM: return EVP_aes_256_gcm();
    case CAPTLS_AEAD_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
    default: return NULL;
    }
}

static void ossl_seal(captls_aead_alg alg, const uint8_t *key,
                      const uint8_t nonce[12], const uint8_t *aad,
                      size_t aad_len, const uint8_t *pt, size_t len,
                      uint8_t *ct, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ol;
    assert_int_equal(EVP_EncryptInit_ex(c, ossl_cipher(alg), NULL, key,
                                        nonce),
                     1);
    if (aad_len > 0)
        assert_int_equal(EVP_EncryptUpdate(c, NULL, &ol, aad, (int)aad_len),
                         1);
    if (len > 0)
        assert_int_equal(EVP_EncryptUpdate(c, ct, &ol, pt, (int)len), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, ct + len, &ol), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag),
                     1);
    EVP_CIPHER_CTX_free(c);
}

static void test_random_vs_openssl_and_tamper(void **state)
{
    (void)state;
    static uint8_t pt[2100], ct[2100], buf[2100];
    uint8_t key[32], nonce[12], aad[40], tag[16], want_tag[16];

    for (int a = 1; a <= 3; a++) {
        captls_aead_alg alg = (captls_aead_alg)a;
        size_t klen = captls_aead_key_size(alg);
        for (size_t len = 0; len < sizeof pt; len += 1 + len / 2) {
            size_t aad_len = len % sizeof aad;
            assert_int_equal(RAND_bytes(key, 32), 1);
            assert_int_equal(RAND_bytes(nonce, 12), 1);
            assert_int_equal(RAND_bytes(aad, sizeof aad), 1);
            assert_int_equal(RAND_bytes(pt, sizeof pt), 1);
            ossl_seal(alg, key, nonce, aad, aad_len, pt, len, ct, want_tag);
            for (int impl = 0; impl < 2; impl++) {
                captls_aead_ctx ctx;
                assert_int_equal(inits[impl](&ctx, alg, key, klen),
                                 CAPTLS_OK);
                memcpy(buf, pt, len);
                assert_int_equal(captls_aead_ctx_seal(&ctx, nonce, aad,
                                                      aad_len, buf, len, tag),
                                 CAPTLS_OK);
                assert_memory_equal(buf, ct, len);
                assert_memory_equal(tag, want_tag, 16);

                /* honest open */
                assert_int_equal(captls_aead_ctx_open(&ctx, nonce, aad,
                                                      aad_len, buf, len, tag),
                                 CAPTLS_OK);
                assert_memory_equal(buf, pt, len);

                /* tampering: ciphertext bit, tag bit, aad bit, nonce bit,
                 * truncated ciphertext: fail, buffer wiped */
                for (int what = 0; what < 5; what++) {
                    uint8_t t2[16], n2[12], a2[40];
                    size_t l2 = len;
                    memcpy(buf, ct, len);
                    memcpy(t2, tag, 16);
                    memcpy(n2, nonce, 12);
                    memcpy(a2, aad, sizeof a2);
                    if (what == 0 && len > 0)
                        buf[len / 3] ^= 0x01;
                    else if (what == 1)
                        t2[len % 16] ^= 0x80;
                    else if (what == 2 && aad_len > 0)
                        a2[aad_len - 1] ^= 0x40;
                    else if (what == 3)
                        n2[len % 12] ^= 0x02;
                    else if (what == 4 && len > 0)
                        l2 = len - 1;
                    else
                        continue;
                    assert_int_equal(captls_aead_ctx_open(&ctx, n2, a2,
                                                          aad_len, buf, l2,
                                                          t2),
                                     CAPTLS_ERR_AUTH_FAILED);
                    assert_true(all_zero(buf, l2));
                }
                captls_aead_ctx_destroy(&ctx);
            }
            /* one-shot form agrees */
            memcpy(buf, pt, len);
            assert_int_equal(captls_aead_seal(alg, key, klen, nonce, aad,
                                              aad_len, buf, len, tag),
                             CAPTLS_OK);
            assert_memory_equal(buf, ct, len);
            assert_int_equal(captls_aead_open(alg, key, klen, nonce, aad,
                                              aad_len, buf, len, tag),
                             CAPTLS_OK);
            assert_memory_equal(buf, pt, len);
        }
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t key[32] = {0}, nonce[12] = {0}, buf[8] = {1, 2, 3}, tag[16];
    captls_aead_ctx ctx;

    memset(tag, 0xcc, sizeof tag);
    assert_int_equal(captls_aead_seal(CAPTLS_AEAD_AES_128_GCM, key, 32, nonce,
                                      NULL, 0, buf, 8, tag),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_aead_seal(CAPTLS_AEAD_AES_256_GCM, key, 16, nonce,
                                      NULL, 0, buf, 8, tag),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_aead_seal(CAPTLS_AEAD_CHACHA20_POLY1305, key, 31,
                                      nonce, NULL, 0, buf, 8, tag),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_aead_seal((captls_aead_alg)42, key, 32, nonce,
                                      NULL, 0, buf, 8, tag),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_aead_seal(CAPTLS_AEAD_AES_128_GCM, NULL, 16,
                                      nonce, NULL, 0, buf, 8, tag),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* nothing touched */
    assert_int_equal(buf[0], 1);
    assert_int_equal(tag[0], 0xcc);
    assert_int_equal(captls_aead_ctx_init(&ctx, CAPTLS_AEAD_NONE, key, 16),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_true(all_zero((const uint8_t *)&ctx, sizeof ctx));
    assert_int_equal(captls_aead_ctx_seal(&ctx, nonce, NULL, 0, buf, 8, tag),
                     CAPTLS_ERR_UNSUPPORTED);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        EVERY_TIER(test_gcm_spec_cases),
        EVERY_TIER(test_chacha_rfc8439),
        EVERY_TIER(test_rfc8448_record),
        EVERY_TIER(test_random_vs_openssl_and_tamper),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
