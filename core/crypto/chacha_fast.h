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
 * CAPTLS_CHACHA_AVX2 / CAPTLS_POLY1305_64 are 0 where a path cannot be
 * built (not x86-64 / no __int128, not gcc/clang, -DCAPTLS_PORTABLE_CRYPTO)
 * and then the function is not declared.
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

#if CAPTLS_CHACHA_AVX2
uint32_t captls_chacha20_avx2_run(const void *key, const void *iv,
                                  uint32_t cc, void *data, size_t len);
#endif

#if CAPTLS_POLY1305_64
void captls_poly1305_64_run(const void *key, const void *iv, void *data,
                            size_t len, const void *aad, size_t aad_len,
                            void *tag, br_chacha20_run ichacha, int encrypt);
#endif

#endif
