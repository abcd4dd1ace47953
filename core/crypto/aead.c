/* See aead.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/aead.h"
#include "core/crypto/chacha_fast.h"
#include "core/crypto/cpu.h"

/* SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits. RFC 8439 §2.8: the
 * plaintext is at most 274,877,906,880 bytes (2^32 - 1 blocks of 64 with
 * the counter starting at 1). Only reachable with a 64-bit size_t. */
#define GCM_MAX_LEN (((uint64_t)1 << 36) - 32u)
#define CHACHA_MAX_LEN 274877906880ull

size_t captls_aead_key_size(captls_aead_alg alg)
{
    switch (alg) {
    case CAPTLS_AEAD_AES_128_GCM: return 16;
    case CAPTLS_AEAD_AES_256_GCM: return 32;
    case CAPTLS_AEAD_CHACHA20_POLY1305: return 32;
    case CAPTLS_AEAD_NONE: break;
    }
    return 0;
}

static captls_result aead_init(captls_aead_ctx *ctx, captls_aead_alg alg,
                               const uint8_t *key, size_t key_len,
                               bool portable)
{
    size_t need = captls_aead_key_size(alg);
    const br_block_ctr_class *aes;
    /* cpu.h: BearSSL's CPU-specific pieces, looked up once; all NULL when
     * the portable path is forced. */
    const captls_cpu_br_impls *fast = captls_cpu_br();

    captls_zeroize(ctx, sizeof *ctx);
    if (need == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (key == NULL || key_len != need)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    ctx->alg = alg;
    if (alg == CAPTLS_AEAD_CHACHA20_POLY1305) {
        memcpy(ctx->k.chacha, key, 32);
        /* Fastest first: our AVX2 ChaCha20 (cpu.h says AVX2 usable),
         * BearSSL's SSE2 one, else the portable br_chacha20_ct_run;
         * Poly1305 in radix 2^64 (chacha_fast.h) where the compiler has
         * 128-bit products, else BearSSL's ctmulq, else ctmul. */
        ctx->ichacha = portable ? 0 : fast->chacha;
#if CAPTLS_CHACHA_AVX2
        if (!portable && captls_cpu_has(CAPTLS_CPU_AVX2))
            ctx->ichacha = &captls_chacha20_avx2_run;
#endif
        if (ctx->ichacha == 0)
            ctx->ichacha = &br_chacha20_ct_run;
        ctx->ipoly = portable ? 0 : fast->poly;
#if CAPTLS_POLY1305_64
        if (!portable && !captls_cpu_portable())
            ctx->ipoly = &captls_poly1305_64_run;
#endif
        if (ctx->ipoly == 0)
            ctx->ipoly = &br_poly1305_ctmul_run;
#if CAPTLS_CHACHA_AVX512
        /* Both at once, stitched (chacha_fast.h); ignores ichacha. */
        if (!portable && captls_cpu_has(CAPTLS_CPU_AVX512F))
            ctx->ipoly = &captls_chacha20_poly1305_avx512_run;
        if (!portable && captls_cpu_has(CAPTLS_CPU_AVX512F |
                                        CAPTLS_CPU_AVX512IFMA))
            ctx->ipoly = &captls_chacha20_poly1305_avx512ifma_run;
#endif
        return CAPTLS_OK;
    }
    aes = portable ? NULL : fast->aes;
    if (aes == NULL)
        aes = &br_aes_ct64_ctr_vtable;
    aes->init(&ctx->k.aes.vtable, key, key_len);
    ctx->ghash = portable ? 0 : fast->ghash;
    if (ctx->ghash == 0)
        ctx->ghash = &br_ghash_ctmul64;
    return CAPTLS_OK;
}

captls_result captls_aead_ctx_init(captls_aead_ctx *ctx, captls_aead_alg alg,
                                   const uint8_t *key, size_t key_len)
{
    return aead_init(ctx, alg, key, key_len, false);
}

captls_result captls_aead_ctx_init_portable(captls_aead_ctx *ctx,
                                            captls_aead_alg alg,
                                            const uint8_t *key,
                                            size_t key_len)
{
    return aead_init(ctx, alg, key, key_len, true);
}

void captls_aead_ctx_destroy(captls_aead_ctx *ctx)
{
    captls_zeroize(ctx, sizeof *ctx);
}

static bool len_ok(captls_aead_alg alg, size_t len)
{
    uint64_t max = alg == CAPTLS_AEAD_CHACHA20_POLY1305 ? CHACHA_MAX_LEN
                                                         : GCM_MAX_LEN;
    return (uint64_t)len <= max;
}

/* Runs the cipher over buf (encrypt or decrypt) and writes the tag that
 * authenticates aad and the ciphertext. */
static void aead_run(const captls_aead_ctx *ctx, const uint8_t nonce[12],
                     const uint8_t *aad, size_t aad_len, uint8_t *buf,
                     size_t len, uint8_t tag[16], int encrypt)
{
    br_gcm_context gc;
    static const uint8_t empty[1];

    if (aad == NULL)
        aad = empty;
    if (buf == NULL)
        buf = (uint8_t *)(uintptr_t)empty; /* len == 0: never written */
    if (ctx->alg == CAPTLS_AEAD_CHACHA20_POLY1305) {
        /* RFC 8439 §2.8: one-time Poly1305 key from block 0, data
         * encrypted from counter 1, tag over aad|pad|ct|pad|lengths. */
        ctx->ipoly(ctx->k.chacha, nonce, buf, len, aad, aad_len, tag,
                   ctx->ichacha, encrypt);
        return;
    }
    /* br_gcm_init keeps a pointer to the key schedule; the context is
     * const to callers but BearSSL's vtable API takes non-const. */
    br_gcm_init(&gc, (const br_block_ctr_class **)&ctx->k.aes.vtable,
                ctx->ghash);
    br_gcm_reset(&gc, nonce, 12);
    br_gcm_aad_inject(&gc, aad, aad_len);
    br_gcm_flip(&gc);
    br_gcm_run(&gc, encrypt, buf, len);
    br_gcm_get_tag(&gc, tag);
    captls_zeroize(&gc, sizeof gc); /* holds H = E_K(0^128) and J0 */
}

captls_result captls_aead_ctx_seal(const captls_aead_ctx *ctx,
                                   const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE],
                                   const uint8_t *aad, size_t aad_len,
                                   uint8_t *buf, size_t len,
                                   uint8_t tag[CAPTLS_AEAD_TAG_SIZE])
{
    if (captls_aead_key_size(ctx->alg) == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (!len_ok(ctx->alg, len))
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    aead_run(ctx, nonce, aad, aad_len, buf, len, tag, 1);
    return CAPTLS_OK;
}

captls_result captls_aead_ctx_open(const captls_aead_ctx *ctx,
                                   const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE],
                                   const uint8_t *aad, size_t aad_len,
                                   uint8_t *buf, size_t len,
                                   const uint8_t tag[CAPTLS_AEAD_TAG_SIZE])
{
    uint8_t computed[16];
    bool ok;

    if (captls_aead_key_size(ctx->alg) == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (!len_ok(ctx->alg, len))
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    aead_run(ctx, nonce, aad, aad_len, buf, len, computed, 0);
    ok = captls_ct_equal(computed, tag, 16);
    captls_zeroize(computed, sizeof computed);
    if (!ok) {
        /* RFC 5116 §2.2: on failure "the plaintext MUST NOT be returned";
         * the decryption already happened in place, so erase it. */
        if (len > 0)
            captls_zeroize(buf, len);
        return CAPTLS_ERR_AUTH_FAILED;
    }
    return CAPTLS_OK;
}

captls_result captls_aead_seal(captls_aead_alg alg, const uint8_t *key,
                               size_t key_len,
                               const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE],
                               const uint8_t *aad, size_t aad_len,
                               uint8_t *buf, size_t len,
                               uint8_t tag[CAPTLS_AEAD_TAG_SIZE])
{
    captls_aead_ctx ctx;
    captls_result r;

    r = captls_aead_ctx_init(&ctx, alg, key, key_len);
    if (r == CAPTLS_OK)
        r = captls_aead_ctx_seal(&ctx, nonce, aad, aad_len, buf, len, tag);
    captls_aead_ctx_destroy(&ctx);
    return r;
}

captls_result captls_aead_open(captls_aead_alg alg, const uint8_t *key,
                               size_t key_len,
                               const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE],
                               const uint8_t *aad, size_t aad_len,
                               uint8_t *buf, size_t len,
                               const uint8_t tag[CAPTLS_AEAD_TAG_SIZE])
{
    captls_aead_ctx ctx;
    captls_result r;

    r = captls_aead_ctx_init(&ctx, alg, key, key_len);
    if (r == CAPTLS_OK)
        r = captls_aead_ctx_open(&ctx, nonce, aad, aad_len, buf, len, tag);
    captls_aead_ctx_destroy(&ctx);
    return r;
}
