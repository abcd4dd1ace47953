/* See poly1305_64.h. Poly1305 on eight blocks at once with AVX-512 IFMA,
 * in radix 2^44 (limbs of 44, 44 and 42 bits in 64-bit lanes): lane j
 * accumulates blocks j, j + 8, j + 16, ... and every batch multiplies by
 * r^8, except the last, which multiplies lane j by r^(8 - j); the lanes'
 * sum is then the Poly1305 accumulator after all those blocks (Goll and
 * Gueron's vectorisation, as OpenSSL's base 2^44 code does it).
 *
 * Limb products: a limb below 2^46 times r_k below 2^44, or times 20 r_k
 * below 2^49 (2^132 = 20 * 2^130 / 5 ... i.e. 2^132 = 4 * 2^130 = 20 mod
 * p), are at most 95 bits; vpmadd52 gives their low 52 bits and bits
 * 52..103 separately. A high half of weight 2^52 in limb k lands in limb
 * k + 1 shifted left by 8 (52 - 44), and from limb 2 at 2^140 = 2^10 * 5
 * (mod p) in limb 0. One carry pass leaves every limb below 2^45. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/poly1305_64.h"

#if CAPTLS_POLY1305_IFMA

#include "core/crypto/ifma.h"

typedef captls_v8du v8du;
typedef unsigned __int128 u128;

#define M44 ((((uint64_t)1) << 44) - 1)
#define M42 ((((uint64_t)1) << 42) - 1)

/* radix 2^64 (h0, h1, h2 small) to radix 2^44 */
static void to44(uint64_t l[3], uint64_t h0, uint64_t h1, uint64_t h2)
{
    l[0] = h0 & M44;
    l[1] = ((h0 >> 44) | (h1 << 20)) & M44;
    l[2] = (h1 >> 24) | (h2 << 40);
}

/* c = a b mod p (partly reduced: limbs below 2^45) in radix 2^44. */
static void mul44(uint64_t c[3], const uint64_t a[3], const uint64_t b[3])
{
    u128 d0, d1, d2;
    uint64_t s1 = 20 * b[1], s2 = 20 * b[2], t;

    d0 = (u128)a[0] * b[0] + (u128)a[1] * s2 + (u128)a[2] * s1;
    d1 = (u128)a[0] * b[1] + (u128)a[1] * b[0] + (u128)a[2] * s2;
    d2 = (u128)a[0] * b[2] + (u128)a[1] * b[1] + (u128)a[2] * b[0];
    d1 += (uint64_t)(d0 >> 44);
    c[0] = (uint64_t)d0 & M44;
    d2 += (uint64_t)(d1 >> 44);
    c[1] = (uint64_t)d1 & M44;
    t = (uint64_t)(d2 >> 42);
    c[2] = (uint64_t)d2 & M42;
    c[0] += t * 5;
    c[1] += c[0] >> 44;
    c[0] &= M44;
}

void captls_poly64_ifma_init(captls_poly64_ifma *k, const captls_poly64 *st)
{
    uint64_t pw[9][3];

    to44(pw[1], st->r0, st->r1, 0);
    for (int e = 2; e <= 8; e++)
        mul44(pw[e], pw[e - 1], pw[1]);
    /* lane j of limb vector i: r^(8 - j); then the same times 20 */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 8; j++) {
            k->pw[i][j] = pw[8 - j][i];
            k->pw[3 + i][j] = 20 * pw[8 - j][i];
        }
    for (int i = 0; i < 3; i++) {
        k->r8[i] = pw[8][i];
        k->s8[i] = 20 * pw[8][i];
    }
    captls_zeroize(pw, sizeof pw);
}

/* t = a * (r0, r1, r2 | s0, s1, s2 = 20 r) per lane, carried. */
CAPTLS_IFMA_INLINE void vmul(v8du t[3], const v8du a[3], const v8du r[3],
                             const v8du s[3])
{
    const v8du z = {0};
    v8du lo0, lo1, lo2, hi0, hi1, hi2, c;

    lo0 = captls_madd52lo(captls_madd52lo(captls_madd52lo(z, a[0], r[0]),
                                          a[1], s[2]),
                          a[2], s[1]);
    hi0 = captls_madd52hi(captls_madd52hi(captls_madd52hi(z, a[0], r[0]),
                                          a[1], s[2]),
                          a[2], s[1]);
    lo1 = captls_madd52lo(captls_madd52lo(captls_madd52lo(z, a[0], r[1]),
                                          a[1], r[0]),
                          a[2], s[2]);
    hi1 = captls_madd52hi(captls_madd52hi(captls_madd52hi(z, a[0], r[1]),
                                          a[1], r[0]),
                          a[2], s[2]);
    lo2 = captls_madd52lo(captls_madd52lo(captls_madd52lo(z, a[0], r[2]),
                                          a[1], r[1]),
                          a[2], r[0]);
    hi2 = captls_madd52hi(captls_madd52hi(captls_madd52hi(z, a[0], r[2]),
                                          a[1], r[1]),
                          a[2], r[0]);
    /* the high halves one limb up (<< 8), limb 2's into limb 0 (* 5120) */
    lo0 += (hi2 << 12) + (hi2 << 10);
    lo1 += hi0 << 8;
    lo2 += hi1 << 8;
    c = lo0 >> 44;
    lo0 &= M44;
    lo1 += c;
    c = lo1 >> 44;
    lo1 &= M44;
    lo2 += c;
    c = lo2 >> 42;
    lo2 &= M42;
    lo0 += c + (c << 2);
    c = lo0 >> 44;
    lo0 &= M44;
    lo1 += c;
    t[0] = lo0;
    t[1] = lo1;
    t[2] = lo2;
}

/* The eight blocks at m into limb vectors, with the 2^128 pad bit. */
CAPTLS_IFMA_INLINE void load8(v8du mv[3], const uint8_t *m)
{
    v8du a, b, lo, hi;

    memcpy(&a, m, 64);
    memcpy(&b, m + 64, 64);
    lo = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
    hi = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
    mv[0] = lo & M44;
    mv[1] = ((lo >> 44) | (hi << 20)) & M44;
    mv[2] = (hi >> 24) | ((v8du){0} + ((uint64_t)1 << 40));
}

CAPTLS_IFMA_TARGET void captls_poly64_ifma_blocks(captls_poly64 *st,
                                                  const captls_poly64_ifma *k,
                                                  const uint8_t *m, size_t n)
{
    size_t batches = n / 8;
    v8du h[3], mv[3], r8[3], s8[3];
    uint64_t l[3], H[3];
    u128 t;

    if (batches > 0) {
        to44(l, st->h0, st->h1, st->h2);
        for (int i = 0; i < 3; i++) {
            h[i] = (v8du){l[i], 0, 0, 0, 0, 0, 0, 0};
            r8[i] = (v8du){0} + k->r8[i];
            s8[i] = (v8du){0} + k->s8[i];
        }
        for (size_t b = 0; b + 1 < batches; b++, m += 128) {
            load8(mv, m);
            for (int i = 0; i < 3; i++)
                mv[i] += h[i];
            vmul(h, mv, r8, s8);
        }
        load8(mv, m);
        m += 128;
        for (int i = 0; i < 3; i++)
            mv[i] += h[i];
        vmul(h, mv, k->pw, k->pw + 3); /* lane j times r^(8 - j) */
        /* the sum of the lanes (each limb below 2^45: sums below 2^48),
         * back to radix 2^64 */
        for (int i = 0; i < 3; i++) {
            H[i] = 0;
            for (int j = 0; j < 8; j++)
                H[i] += h[i][j];
        }
        {
            /* H0 + H1 2^44 + H2 2^88 as h0 + h1 2^64 + h2 2^128, then
             * bits 130 and up folded (2^130 = 5) so that h2 stays below
             * the bound captls_poly64_blocks needs (h2 * s1 in 64 bits) */
            u128 a = (u128)H[0] + ((u128)H[1] << 44);
            u128 b = (u128)(H[2] & (((uint64_t)1 << 40) - 1)) << 88;
            u128 sum = a + b;
            uint64_t h2 = (H[2] >> 40) + (uint64_t)(sum < b), c;

            c = (h2 >> 2) * 5;
            h2 &= 3;
            t = sum + c;
            h2 += (uint64_t)(t < c);
            st->h0 = (uint64_t)t;
            st->h1 = (uint64_t)(t >> 64);
            st->h2 = h2;
        }
        captls_zeroize(h, sizeof h);
        captls_zeroize(mv, sizeof mv);
        captls_zeroize(l, sizeof l);
        captls_zeroize(H, sizeof H);
    }
    captls_poly64_blocks(st, m, n % 8);
}

#endif /* CAPTLS_POLY1305_IFMA */
