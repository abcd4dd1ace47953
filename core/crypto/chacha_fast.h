/* core/crypto/chacha_fast.h — faster ChaCha20 and Poly1305 (RFC 8439) for
 * the AEAD (internal to core/crypto; aead.c picks them through cpu.h).
 *
 * Contract: both functions have BearSSL's types and meaning, so aead.c can
 * use them in place of BearSSL's:
 *   captls_chacha20_avx2_run is a br_chacha20_run (XORs the keystream of
 *     (key, iv, counter cc...) into data, returns the next counter). It
 *     executes AVX2 instructions: call it ONLY when
 *     captls_cpu_has(CAPTLS_CPU_AVX2). Eight blocks per pass.
 *   captls_poly1305_64_run is a br_poly1305_run (RFC 8439 §2.8 AEAD
 *     construction around the given ChaCha20): Poly1305 in radix 2^64 with
 *     unsigned __int128 products; plain C, no special instruction.
 *   captls_chacha20_poly1305_avx512_run is a br_poly1305_run that ignores
 *     its ichacha argument: the whole RFC 8439 §2.8 construction in one
 *     pass, ChaCha20 on sixteen blocks at once in 512-bit vectors with the
 *     radix-2^64 Poly1305 of the previous 1 KiB stitched into the rounds
 *     (the scalar multiplier and the vector units work side by side).
 *     Executes AVX-512F instructions: call it ONLY when
 *     captls_cpu_has(CAPTLS_CPU_AVX512F).
 *   captls_chacha20_poly1305_avx512ifma_run: the same construction with
 *     Poly1305 on eight blocks at once in radix 2^44 (AVX-512 IFMA): call
 *     it ONLY when captls_cpu_has(CAPTLS_CPU_AVX512F |
 *     CAPTLS_CPU_AVX512IFMA).
 * CAPTLS_CHACHA_AVX2 / CAPTLS_POLY1305_64 / CAPTLS_CHACHA_AVX512 are 0
 * where a path cannot be built (not x86-64 / no __int128, not gcc/clang,
 * -DCAPTLS_PORTABLE_CRYPTO) and then the function is not declared.
 * Constant time: no branch or memory index depends on the key, the data or
 * the accumulator (only on lengths); carries are computed arithmetically.
 * Every secret temporary (keystream, one-time key, accumulator) is wiped.
 * Not checked: nonce uniqueness; lengths (aead.c enforces RFC 8439's).
 */
#ifndef CAPTLS_CRYPTO_CHACHA_FAST_H
#define CAPTLS_CRYPTO_CHACHA_FAST_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CAPTLS_PORTABLE_CRYPTO)
#define CAPTLS_CHACHA_AVX2 1
#else
#define CAPTLS_CHACHA_AVX2 0
#endif

#if defined(__SIZEOF_INT128__) && !defined(CAPTLS_PORTABLE_CRYPTO)
#define CAPTLS_POLY1305_64 1
#else
#define CAPTLS_POLY1305_64 0
#endif

#if CAPTLS_CHACHA_AVX2 && CAPTLS_POLY1305_64
#define CAPTLS_CHACHA_AVX512 1
#else
#define CAPTLS_CHACHA_AVX512 0
#endif

/* RFC 8439 §2.3: the initial state without its counter (word 12 = 0):
 * constants, key and nonce as little-endian words. */
static inline void captls_chacha20_state_init(uint32_t in[16],
                                              const void *key,
                                              const void *iv)
{
    const uint8_t *k = key, *n = iv;

    in[0] = 0x61707865;
    in[1] = 0x3320646e;
    in[2] = 0x79622d32;
    in[3] = 0x6b206574;
    for (int i = 0; i < 11; i++) {
        const uint8_t *w = i < 8 ? k + 4 * i : n + 4 * (i - 8);

        in[4 + i + (i >= 8)] = (uint32_t)w[0] | ((uint32_t)w[1] << 8) |
                               ((uint32_t)w[2] << 16) |
                               ((uint32_t)w[3] << 24);
    }
    in[12] = 0;
}

#if CAPTLS_CHACHA_AVX2
uint32_t captls_chacha20_avx2_run(const void *key, const void *iv,
                                  uint32_t cc, void *data, size_t len);
#endif

#if CAPTLS_POLY1305_64
void captls_poly1305_64_run(const void *key, const void *iv, void *data,
                            size_t len, const void *aad, size_t aad_len,
                            void *tag, br_chacha20_run ichacha, int encrypt);
#endif

#if CAPTLS_CHACHA_AVX512
void captls_chacha20_poly1305_avx512_run(const void *key, const void *iv,
                                         void *data, size_t len,
                                         const void *aad, size_t aad_len,
                                         void *tag, br_chacha20_run ichacha,
                                         int encrypt);
void captls_chacha20_poly1305_avx512ifma_run(const void *key, const void *iv,
                                             void *data, size_t len,
                                             const void *aad, size_t aad_len,
                                             void *tag,
                                             br_chacha20_run ichacha,
                                             int encrypt);
#endif

#endif
