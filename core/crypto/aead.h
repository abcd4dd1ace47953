/* core/crypto/aead.h — AEAD seal/open in place: AES-128-GCM, AES-256-GCM
 * (NIST SP 800-38D) and ChaCha20-Poly1305 (RFC 8439), 12-byte nonces and
 * 16-byte tags, the three TLS 1.3 record ciphers.
 *
 * Contract: a captls_aead_ctx is caller-owned, fixed size, holds the
 * expanded key (secret) and no pointer to caller memory; it may be copied.
 * captls_aead_ctx_destroy() wipes it. Implementations are picked at init
 * by runtime CPU detection: AES-NI CTR + PCLMUL GHASH when the CPU has them
 * (br_aes_x86ni_ctr_get_vtable, br_ghash_pclmul_get), otherwise the
 * constant-time portable br_aes_ct64 + br_ghash_ctmul64; ChaCha20-Poly1305
 * in one stitched pass on 16 blocks with AVX-512F (chacha_fast.h) when
 * cpu.h reports it, else ChaCha20 on 8 blocks with AVX2 (chacha_fast.h)
 * when cpu.h reports AVX2, else SSE2
 * (br_chacha20_sse2_get), else br_chacha20_ct_run; Poly1305 in radix 2^64
 * (chacha_fast.h) where the compiler has 128-bit products, else ctmulq /
 * br_poly1305_ctmul_run. The choice is made once per context, through
 * core/crypto/cpu.h (CAPTLS_CRYPTO=portable / captls_cpu_set_portable or
 * -DCAPTLS_PORTABLE_CRYPTO force the BearSSL portable ones;
 * CAPTLS_CRYPTO=no-avx512 / captls_cpu_set_masked step down to AVX2). All
 * are constant time.
 * Seal encrypts buf in place and writes the tag; open decrypts buf in place
 * and compares the tag in constant time. A failed open WIPES buf (all zero)
 * before returning CAPTLS_ERR_AUTH_FAILED: no unauthenticated plaintext is
 * ever released. aad/buf may be NULL when their length is 0.
 * Failure modes (values, never crashes):
 *   CAPTLS_ERR_UNSUPPORTED       unknown algorithm;
 *   CAPTLS_ERR_INVALID_ARGUMENT  key length not 16/32 as the algorithm needs;
 *   CAPTLS_ERR_LIMIT_EXCEEDED    len above the algorithm's maximum
 *                                (GCM: 2^36-32 bytes, SP 800-38D §5.2.1.1;
 *                                ChaCha20-Poly1305: 2^38-64, RFC 8439 §2.8);
 *                                buf untouched, tag not written;
 *   CAPTLS_ERR_AUTH_FAILED       open: tag mismatch (buf wiped).
 * NOT checked: nonce uniqueness — reusing a (key, nonce) pair destroys
 * confidentiality and (GCM) authenticity; the TLS record layer's sequence
 * numbers are the caller's job.
 */
#ifndef CAPTLS_CRYPTO_AEAD_H
#define CAPTLS_CRYPTO_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "core/base/result.h"

typedef enum captls_aead_alg {
    CAPTLS_AEAD_NONE = 0,
    CAPTLS_AEAD_AES_128_GCM = 1,
    CAPTLS_AEAD_AES_256_GCM = 2,
    CAPTLS_AEAD_CHACHA20_POLY1305 = 3,
} captls_aead_alg;

#define CAPTLS_AEAD_NONCE_SIZE 12
#define CAPTLS_AEAD_TAG_SIZE 16
#define CAPTLS_AEAD_MAX_KEY_SIZE 32

typedef struct captls_aead_ctx {
    captls_aead_alg alg;
    union {
        br_aes_gen_ctr_keys aes; /* expanded AES key (secret) */
        uint8_t chacha[32];      /* ChaCha20 key (secret) */
    } k;
    br_ghash ghash;
    br_chacha20_run ichacha;
    br_poly1305_run ipoly;
} captls_aead_ctx;

/* Key size of alg in bytes (16 or 32), 0 if unknown. */
size_t captls_aead_key_size(captls_aead_alg alg);

/* Expands key into ctx. On error ctx is wiped. */
CAPTLS_MUST_CHECK captls_result captls_aead_ctx_init(captls_aead_ctx *ctx,
                                                     captls_aead_alg alg,
                                                     const uint8_t *key,
                                                     size_t key_len);
/* Same, but always with the portable constant-time implementations
 * (br_aes_ct64 + br_ghash_ctmul64, br_chacha20_ct_run +
 * br_poly1305_ctmul_run), whatever the CPU offers: lets tests and the POST
 * cover the code paths a CPU without AES-NI/PCLMUL/SSE2 would take. */
CAPTLS_MUST_CHECK captls_result captls_aead_ctx_init_portable(
    captls_aead_ctx *ctx, captls_aead_alg alg, const uint8_t *key,
    size_t key_len);
void captls_aead_ctx_destroy(captls_aead_ctx *ctx);

CAPTLS_MUST_CHECK captls_result captls_aead_ctx_seal(
    const captls_aead_ctx *ctx, const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE],
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    uint8_t tag[CAPTLS_AEAD_TAG_SIZE]);

CAPTLS_MUST_CHECK captls_result captls_aead_ctx_open(
    const captls_aead_ctx *ctx, const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE],
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    const uint8_t tag[CAPTLS_AEAD_TAG_SIZE]);

/* One-shot forms: init, seal/open, destroy (the key schedule is wiped). */
CAPTLS_MUST_CHECK captls_result captls_aead_seal(
    captls_aead_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE], const uint8_t *aad,
    size_t aad_len, uint8_t *buf, size_t len,
    uint8_t tag[CAPTLS_AEAD_TAG_SIZE]);

CAPTLS_MUST_CHECK captls_result captls_aead_open(
    captls_aead_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE], const uint8_t *aad,
    size_t aad_len, uint8_t *buf, size_t len,
    const uint8_t tag[CAPTLS_AEAD_TAG_SIZE]);

#endif
