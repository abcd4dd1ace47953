/* Differential tests against OpenSSL: AES-128-GCM, AES-256-GCM and
 * ChaCha20-Poly1305 (core/crypto/aead.h). Seal gives the same ciphertext
 * and tag for random keys, nonces, AAD and plaintexts; open gives the same
 * verdict (and plaintext) on the genuine record and on tampered ones: a bit
 * flipped in ciphertext, tag, AAD, nonce or key, the record truncated or
 * extended. A refused open must leave captls's buffer all zero. Seed and
 * case count: see diff_rng.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "conformance/diff_rng.h"
#include "core/crypto/aead.h"
#include "core/crypto/cpu.h"
#include "core/crypto/test_tiers.h"

#define MAXPT 2048

/* OpenSSL seal (enc=1) or open (enc=0) of in[0..len) with tag; returns 1
 * on success (open: tag verified). */
static int ref_aead(const EVP_CIPHER *ciph, int enc, const uint8_t *key,
                    const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t len, uint8_t *out,
                    uint8_t *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, ok = c != NULL &&
                    EVP_CipherInit_ex(c, ciph, NULL, NULL, NULL, enc) == 1 &&
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12,
                                        NULL) == 1 &&
                    EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
                    (aad_len == 0 ||
                     EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) == 1) &&
                    (len == 0 ||
                     EVP_CipherUpdate(c, out, &n, in, (int)len) == 1);
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1;
    uint8_t fin[16];
    ok = ok && EVP_CipherFinal_ex(c, fin, &n) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

typedef struct rec {
    uint8_t key[32], nonce[12], aad[300], ct[MAXPT + 1 + 16];
    size_t aad_len, len; /* len: ciphertext||tag length */
} rec;

static void dump(const rec *r, size_t klen)
{
    captls_diff_dump("key", r->key, klen);
    captls_diff_dump("nonce", r->nonce, 12);
    captls_diff_dump("aad", r->aad, r->aad_len);
    captls_diff_dump("ct||tag", r->ct, r->len);
}

/* Both sides open r; verdicts (and plaintexts) must agree. Returns the
 * verdict. */
static int open_both(captls_aead_alg alg, const EVP_CIPHER *ciph, size_t klen,
                     const rec *r, const char *what, size_t i)
{
    static uint8_t mine[MAXPT + 32], ref[MAXPT + 32];
    int ok_mine = 0, ok_ref = 0;
    if (r->len >= 16) {
        size_t len = r->len - 16;
        memcpy(mine, r->ct, len);
        captls_result res = captls_aead_open(alg, r->key, klen, r->nonce,
                                             r->aad, r->aad_len, mine, len,
                                             r->ct + len);
        ok_mine = res == CAPTLS_OK;
        if (!ok_mine && (res != CAPTLS_ERR_AUTH_FAILED || !all_zero(mine, len))) {
            printf("aead open %s: case %zu: refused open returned %d and "
                   "did not wipe\n", what, i, (int)res);
            dump(r, klen);
            fail();
        }
        uint8_t tag[16];
        memcpy(tag, r->ct + len, 16);
        ok_ref = ref_aead(ciph, 0, r->key, r->nonce, r->aad, r->aad_len,
                          r->ct, len, ref, tag);
        if (ok_mine != ok_ref || (ok_mine && memcmp(mine, ref, len) != 0)) {
            printf("aead open mismatch (%s): case %zu: captls %s, openssl %s\n",
                   what, i, ok_mine ? "valid" : "invalid",
                   ok_ref ? "valid" : "invalid");
            dump(r, klen);
            fail();
        }
    }
    return ok_mine;
}

static void run_alg(captls_aead_alg alg, const EVP_CIPHER *ciph,
                    const char *name)
{
    static uint8_t pt[MAXPT], mine[MAXPT + 16], ref[MAXPT + 16];
    size_t klen = captls_aead_key_size(alg);
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, name, 1);
    for (size_t i = 0; i < n; i++) {
        rec r;
        captls_diff_bytes(&rng, r.key, klen);
        captls_diff_bytes(&rng, r.nonce, 12);
        r.aad_len = captls_diff_len(&rng, sizeof(r.aad));
        captls_diff_bytes(&rng, r.aad, r.aad_len);
        size_t len = captls_diff_len(&rng, MAXPT);
        captls_diff_bytes(&rng, pt, len);

        memcpy(mine, pt, len);
        assert_int_equal(captls_aead_seal(alg, r.key, klen, r.nonce, r.aad,
                                          r.aad_len, mine, len, mine + len),
                         CAPTLS_OK);
        assert_true(ref_aead(ciph, 1, r.key, r.nonce, r.aad, r.aad_len, pt,
                             len, ref, ref + len));
        if (memcmp(mine, ref, len + 16) != 0) {
            printf("aead seal mismatch: %s case %zu\n", name, i);
            captls_diff_dump("key", r.key, klen);
            captls_diff_dump("nonce", r.nonce, 12);
            captls_diff_dump("aad", r.aad, r.aad_len);
            captls_diff_dump("pt", pt, len);
            fail();
        }
        memcpy(r.ct, mine, len + 16);
        r.len = len + 16;
        assert_true(open_both(alg, ciph, klen, &r, "genuine", i));

        /* one tampering per case, cycling through the kinds */
        rec t = r;
        const char *what;
        switch (i % 7) {
        case 0: what = "flipped ciphertext/tag";
            captls_diff_flip(&rng, t.ct, t.len); break;
        case 1: what = "flipped tag";
            captls_diff_flip(&rng, t.ct + len, 16); break;
        case 2: what = "flipped aad";
            if (t.aad_len == 0) { t.aad[0] = 0; t.aad_len = 1; }
            else captls_diff_flip(&rng, t.aad, t.aad_len);
            break;
        case 3: what = "flipped nonce";
            captls_diff_flip(&rng, t.nonce, 12); break;
        case 4: what = "flipped key";
            captls_diff_flip(&rng, t.key, klen); break;
        case 5: what = "truncated";
            t.len = captls_diff_below(&rng, t.len); break;
        default: what = "extended";
            t.ct[t.len] = (uint8_t)captls_diff_u64(&rng); t.len++; break;
        }
        if (open_both(alg, ciph, klen, &t, what, i)) {
            printf("aead: %s case %zu: tampered (%s) record opened\n", name,
                   i, what);
            fail();
        }
    }
}

static void test_diff_aes_128_gcm(void **state)
{
    (void)state;
    run_alg(CAPTLS_AEAD_AES_128_GCM, EVP_aes_128_gcm(), "aes-128-gcm");
}

static void test_diff_aes_256_gcm(void **state)
{
    (void)state;
    run_alg(CAPTLS_AEAD_AES_256_GCM, EVP_aes_256_gcm(), "aes-256-gcm");
}

static void test_diff_chacha20_poly1305(void **state)
{
    (void)state;
    run_alg(CAPTLS_AEAD_CHACHA20_POLY1305, EVP_chacha20_poly1305(),
            "chacha20-poly1305");
}

/* Seals pt[0..len) with captls and with OpenSSL: ciphertext and tag must
 * be equal; captls must open its record again. mine holds len + 16 bytes
 * (the record on return), ref the same for OpenSSL's. */
static void seal_open_equal(const uint8_t key[32], const uint8_t nonce[12],
                            const uint8_t *aad, size_t alen,
                            const uint8_t *pt, size_t len, uint8_t *mine,
                            uint8_t *ref)
{
    memcpy(mine, pt, len);
    assert_int_equal(captls_aead_seal(CAPTLS_AEAD_CHACHA20_POLY1305, key, 32,
                                      nonce, aad, alen, mine, len,
                                      mine + len),
                     CAPTLS_OK);
    assert_true(ref_aead(EVP_chacha20_poly1305(), 1, key, nonce, aad, alen,
                         pt, len, ref, ref + len));
    if (memcmp(mine, ref, len + 16) != 0) {
        printf("chacha20-poly1305 mismatch at length %zu\n", len);
        fail();
    }
    assert_int_equal(captls_aead_open(CAPTLS_AEAD_CHACHA20_POLY1305, key, 32,
                                      nonce, aad, alen, mine, len,
                                      mine + len),
                     CAPTLS_OK);
    assert_memory_equal(mine, pt, len);
}

/* Every plaintext length 0..1100 and aad length 0..40 (ChaCha20's 8-block
 * AVX2 chunks are 512 bytes, Poly1305's 16: each tail shape), against
 * OpenSSL, seal and open. */
static void test_chacha20_poly1305_every_length(void **state)
{
    (void)state;
    static uint8_t pt[1100], mine[1100 + 16], ref[1100 + 16];
    uint8_t key[32], nonce[12], aad[40];

    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 29u + 3u);
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0x80 + i);
    for (size_t i = 0; i < sizeof aad; i++)
        aad[i] = (uint8_t)(0x50 + i);
    memset(nonce, 0x07, sizeof nonce);
    for (size_t len = 0; len <= sizeof pt; len++) {
        nonce[0] = (uint8_t)len;
        seal_open_equal(key, nonce, aad, len % 41, pt, len, mine, ref);
    }
}

/* Lengths around every chunk edge of the fast paths, up to past a TLS
 * record: the AVX2 path's 512-byte passes, the AVX-512 path's first chunk
 * of 960 bytes and 1 KiB chunks after it (where stitched Poly1305 lags one
 * chunk behind on sealing), Poly1305's 16-byte blocks and the IFMA
 * Poly1305's batches of eight; seal and open against OpenSSL, then a
 * flipped last byte must not open. */
static void test_chacha20_poly1305_chunk_edges(void **state)
{
    (void)state;
    enum { MAX = 16384 + 256 + 17 };
    static const size_t edges[] = {
        511, 512, 513, 959, 960, 961, 975, 976, 977, 1023, 1024, 1025,
        1983, 1984, 1985, 2000, 3007, 3008, 3009, 4032, 5055, 8191, 8192,
        15296, 16319, 16320, 16321, 16383, 16384, 16385, 16400,
        16384 + 256, 16384 + 256 + 17};
    static uint8_t pt[MAX], mine[MAX + 16], ref[MAX + 16];
    uint8_t key[32], nonce[12], aad[13];

    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 131u + (i >> 8));
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0x31 * i + 5);
    memset(aad, 0x17, sizeof aad);
    memset(nonce, 0x3c, sizeof nonce);
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++) {
        size_t len = edges[e], alen = e % (sizeof aad + 1);

        nonce[11] = (uint8_t)e;
        seal_open_equal(key, nonce, aad, alen, pt, len, mine, ref);
        memcpy(mine, ref, len + 16);
        mine[len - 1] ^= 0x80;
        assert_int_equal(captls_aead_open(CAPTLS_AEAD_CHACHA20_POLY1305, key,
                                          32, nonce, aad, alen, mine, len,
                                          mine + len),
                         CAPTLS_ERR_AUTH_FAILED);
        assert_true(all_zero(mine, len));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        EVERY_TIER(test_diff_aes_128_gcm),
        EVERY_TIER(test_diff_aes_256_gcm),
        EVERY_TIER(test_diff_chacha20_poly1305),
        EVERY_TIER(test_chacha20_poly1305_every_length),
        EVERY_TIER(test_chacha20_poly1305_chunk_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
