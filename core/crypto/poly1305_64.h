/* core/crypto/poly1305_64.h — Poly1305 (RFC 8439 §2.5) in radix 2^64, the
 * pieces shared by the plain AEAD wrapper (poly1305_64.c) and the stitched
 * AVX-512 ChaCha20-Poly1305 (chacha_avx512.c). Internal to core/crypto.
 *
 * Contract: a captls_poly64 lives on the caller's stack for one message;
 * init takes the 32-byte one-time key (r is clamped here, s is read again
 * by finish), blocks absorbs whole 16-byte blocks with the 2^128 pad bit,
 * padded absorbs any length zero-padded to 16 (RFC 8439 §2.8), finish
 * absorbs the two lengths, reduces mod p, adds s, writes the tag and wipes
 * the state. Constant time: no branch or memory index depends on r, s, the
 * accumulator or the data (only on lengths). Needs unsigned __int128:
 * only defined where CAPTLS_POLY1305_64 is 1 (chacha_fast.h).
 */
#ifndef CAPTLS_CRYPTO_POLY1305_64_H
#define CAPTLS_CRYPTO_POLY1305_64_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto/chacha_fast.h"

#if CAPTLS_POLY1305_64

/* h = h0 + 2^64 h1 + 2^128 h2 with h2 < 8; r = r0 + 2^64 r1 clamped. */
typedef struct captls_poly64 {
    uint64_t r0, r1, s1;
    uint64_t h0, h1, h2;
} captls_poly64;

static inline uint64_t captls_poly64_dec64le(const uint8_t *p)
{
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) |
           ((uint64_t)p[3] << 24) | ((uint64_t)p[4] << 32) |
           ((uint64_t)p[5] << 40) | ((uint64_t)p[6] << 48) |
           ((uint64_t)p[7] << 56);
}

/* n full 16-byte blocks. Because clamping clears the low two bits of r1,
 * 2^128 * r1 = 5/4 * r1 (mod p) is the exact integer s1 = r1 + (r1 >> 2),
 * which folds the high products back. Inline so that the stitched loop
 * keeps the accumulator in registers between its slices. */
static inline __attribute__((always_inline)) void
captls_poly64_blocks(captls_poly64 *st, const uint8_t *m,
                                        size_t n)
{
    typedef unsigned __int128 u128;
    uint64_t r0 = st->r0, r1 = st->r1, s1 = st->s1;
    uint64_t h0 = st->h0, h1 = st->h1, h2 = st->h2;

    for (; n > 0; n--, m += 16) {
        u128 d0, d1;
        uint64_t c;

        d0 = (u128)h0 + captls_poly64_dec64le(m);
        h0 = (uint64_t)d0;
        d1 = (u128)h1 + (uint64_t)(d0 >> 64) + captls_poly64_dec64le(m + 8);
        h1 = (uint64_t)d1;
        h2 += (uint64_t)(d1 >> 64) + 1;

        d0 = (u128)h0 * r0 + (u128)h1 * s1;
        d1 = (u128)h0 * r1 + (u128)h1 * r0 + (u128)(h2 * s1);
        h2 = h2 * r0;

        h0 = (uint64_t)d0;
        d1 += (uint64_t)(d0 >> 64);
        h1 = (uint64_t)d1;
        h2 += (uint64_t)(d1 >> 64);
        /* fold bits 130 and up: 2^130 = 5 (mod p), c = 5 * (h2 >> 2) */
        c = (h2 >> 2) + (h2 & ~(uint64_t)3);
        h2 &= 3;
        d0 = (u128)h0 + c;
        h0 = (uint64_t)d0;
        d1 = (u128)h1 + (uint64_t)(d0 >> 64);
        h1 = (uint64_t)d1;
        h2 += (uint64_t)(d1 >> 64);
    }
    st->h0 = h0;
    st->h1 = h1;
    st->h2 = h2;
}

void captls_poly64_init(captls_poly64 *st, const uint8_t pkey[32]);

#if CAPTLS_CHACHA_AVX512
#define CAPTLS_POLY1305_IFMA 1
#include "core/crypto/ifma.h"

/* Eight blocks at once with AVX-512 IFMA (poly1305_ifma.c): the powers of
 * r for one message, in radix 2^44 (secret: wiped by the caller). pw[i]
 * lane j is limb i of r^(8 - j), pw[3 + i] the same times 20; r8/s8 the
 * limbs of r^8 and 20 r^8. */
typedef struct captls_poly64_ifma {
    captls_v8du pw[6];
    uint64_t r8[3], s8[3];
} captls_poly64_ifma;

/* From the clamped r of st (after captls_poly64_init). */
void captls_poly64_ifma_init(captls_poly64_ifma *k, const captls_poly64 *st);

/* As captls_poly64_blocks: n whole blocks, eight at a time with IFMA and
 * the rest one by one. Call ONLY when captls_cpu_has(CAPTLS_CPU_AVX512F |
 * CAPTLS_CPU_AVX512IFMA). */
void captls_poly64_ifma_blocks(captls_poly64 *st, const captls_poly64_ifma *k,
                               const uint8_t *m, size_t n);
#else
#define CAPTLS_POLY1305_IFMA 0
#endif
void captls_poly64_padded(captls_poly64 *st, const uint8_t *m, size_t len);
void captls_poly64_finish(captls_poly64 *st, const uint8_t pkey[32],
                          size_t aad_len, size_t len, uint8_t tag[16]);

#endif /* CAPTLS_POLY1305_64 */

#endif
