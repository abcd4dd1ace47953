/* core/crypto/curve25519_field.h — arithmetic in GF(2^255 - 19), internal.
 *
 * Contract: an element is five unsigned 64-bit limbs of radix 2^51,
 * value = sum v[i] * 2^(51 i) mod p, caller-owned (stack), no hidden state.
 * Representations are not unique: "loose" elements (what mul, sq, sub and
 * frombytes return) have limbs < 2^51 + 2^14; add returns limbs < 2^53 when
 * its inputs are loose. mul/sq accept limbs < 2^54, sub accepts a subtrahend
 * with limbs < 2^53 - 76. Every function here runs in time independent of
 * the values (no secret-dependent branch or index); only captls_fe_tobytes
 * produces the canonical (fully reduced) form. Products use unsigned
 * __int128, which compiles to plain mul/adc on x86_64 (no libgcc call).
 * Nothing is checked at run time: keeping inputs within the bounds above is
 * the caller's job (curve25519_group.c and x25519.c document theirs).
 */
#ifndef CAPTLS_CRYPTO_CURVE25519_FIELD_H
#define CAPTLS_CRYPTO_CURVE25519_FIELD_H

#include <stdint.h>
#include <string.h>

typedef struct captls_fe {
    uint64_t v[5];
} captls_fe;

typedef unsigned __int128 captls_u128;

#define CAPTLS_FE_MASK51 ((uint64_t)0x7ffffffffffff)

static inline void captls_fe_0(captls_fe *h)
{
    memset(h, 0, sizeof *h);
}

static inline void captls_fe_1(captls_fe *h)
{
    memset(h, 0, sizeof *h);
    h->v[0] = 1;
}

static inline void captls_fe_copy(captls_fe *h, const captls_fe *f)
{
    *h = *f;
}

/* h = f + g, no carry (see the bounds above). */
static inline void captls_fe_add(captls_fe *h, const captls_fe *f,
                                 const captls_fe *g)
{
    for (int i = 0; i < 5; i++)
        h->v[i] = f->v[i] + g->v[i];
}

/* Carries every limb into the next, the top one times 19 into limb 0:
 * any limbs < 2^63 become loose. */
static inline void captls_fe_carry(captls_fe *h)
{
    uint64_t c;

    c = h->v[0] >> 51; h->v[0] &= CAPTLS_FE_MASK51; h->v[1] += c;
    c = h->v[1] >> 51; h->v[1] &= CAPTLS_FE_MASK51; h->v[2] += c;
    c = h->v[2] >> 51; h->v[2] &= CAPTLS_FE_MASK51; h->v[3] += c;
    c = h->v[3] >> 51; h->v[3] &= CAPTLS_FE_MASK51; h->v[4] += c;
    c = h->v[4] >> 51; h->v[4] &= CAPTLS_FE_MASK51; h->v[0] += c * 19;
}

/* h = f - g: adds 4p first so no limb goes negative, then carries. */
static inline void captls_fe_sub(captls_fe *h, const captls_fe *f,
                                 const captls_fe *g)
{
    h->v[0] = (f->v[0] + 0x1fffffffffffb4) - g->v[0];
    h->v[1] = (f->v[1] + 0x1ffffffffffffc) - g->v[1];
    h->v[2] = (f->v[2] + 0x1ffffffffffffc) - g->v[2];
    h->v[3] = (f->v[3] + 0x1ffffffffffffc) - g->v[3];
    h->v[4] = (f->v[4] + 0x1ffffffffffffc) - g->v[4];
    captls_fe_carry(h);
}

/* h = f - g without the carry: for loose f and g the result has limbs
 * < 2^54, fit only as a mul/sq/mul_small input (the X25519 ladder). */
static inline void captls_fe_sub_nocarry(captls_fe *h, const captls_fe *f,
                                         const captls_fe *g)
{
    h->v[0] = (f->v[0] + 0x1fffffffffffb4) - g->v[0];
    h->v[1] = (f->v[1] + 0x1ffffffffffffc) - g->v[1];
    h->v[2] = (f->v[2] + 0x1ffffffffffffc) - g->v[2];
    h->v[3] = (f->v[3] + 0x1ffffffffffffc) - g->v[3];
    h->v[4] = (f->v[4] + 0x1ffffffffffffc) - g->v[4];
}

/* h = -f */
static inline void captls_fe_neg(captls_fe *h, const captls_fe *f)
{
    captls_fe z;

    captls_fe_0(&z);
    captls_fe_sub(h, &z, f);
}

/* Reduces five 128-bit column sums to a loose element. The top carry is
 * < 2^60 for inputs < 2^54 (column 4 holds no factor 19), so carry * 19
 * fits in 64 bits. */
static inline void captls_fe_reduce128(captls_fe *h, captls_u128 c0,
                                       captls_u128 c1, captls_u128 c2,
                                       captls_u128 c3, captls_u128 c4)
{
    uint64_t r0, r1, r2, r3, r4, carry;

    c1 += (uint64_t)(c0 >> 51); r0 = (uint64_t)c0 & CAPTLS_FE_MASK51;
    c2 += (uint64_t)(c1 >> 51); r1 = (uint64_t)c1 & CAPTLS_FE_MASK51;
    c3 += (uint64_t)(c2 >> 51); r2 = (uint64_t)c2 & CAPTLS_FE_MASK51;
    c4 += (uint64_t)(c3 >> 51); r3 = (uint64_t)c3 & CAPTLS_FE_MASK51;
    carry = (uint64_t)(c4 >> 51); r4 = (uint64_t)c4 & CAPTLS_FE_MASK51;
    r0 += carry * 19;
    r1 += r0 >> 51;
    r0 &= CAPTLS_FE_MASK51;
    h->v[0] = r0; h->v[1] = r1; h->v[2] = r2; h->v[3] = r3; h->v[4] = r4;
}

#define CAPTLS_M128(a, b) ((captls_u128)(a) * (b))

/* h = f * g */
static inline void captls_fe_mul(captls_fe *h, const captls_fe *f,
                                 const captls_fe *g)
{
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3],
                   f4 = f->v[4];
    const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3],
                   g4 = g->v[4];
    const uint64_t g1_19 = g1 * 19, g2_19 = g2 * 19, g3_19 = g3 * 19,
                   g4_19 = g4 * 19;
    captls_u128 c0, c1, c2, c3, c4;

    c0 = CAPTLS_M128(f0, g0) + CAPTLS_M128(f1, g4_19) +
         CAPTLS_M128(f2, g3_19) + CAPTLS_M128(f3, g2_19) +
         CAPTLS_M128(f4, g1_19);
    c1 = CAPTLS_M128(f0, g1) + CAPTLS_M128(f1, g0) + CAPTLS_M128(f2, g4_19) +
         CAPTLS_M128(f3, g3_19) + CAPTLS_M128(f4, g2_19);
    c2 = CAPTLS_M128(f0, g2) + CAPTLS_M128(f1, g1) + CAPTLS_M128(f2, g0) +
         CAPTLS_M128(f3, g4_19) + CAPTLS_M128(f4, g3_19);
    c3 = CAPTLS_M128(f0, g3) + CAPTLS_M128(f1, g2) + CAPTLS_M128(f2, g1) +
         CAPTLS_M128(f3, g0) + CAPTLS_M128(f4, g4_19);
    c4 = CAPTLS_M128(f0, g4) + CAPTLS_M128(f1, g3) + CAPTLS_M128(f2, g2) +
         CAPTLS_M128(f3, g1) + CAPTLS_M128(f4, g0);
    captls_fe_reduce128(h, c0, c1, c2, c3, c4);
}

/* h = f^2 */
static inline void captls_fe_sq(captls_fe *h, const captls_fe *f)
{
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3],
                   f4 = f->v[4];
    const uint64_t f0_2 = f0 * 2, f1_2 = f1 * 2;
    const uint64_t f1_38 = f1 * 38, f2_38 = f2 * 38, f3_38 = f3 * 38;
    const uint64_t f3_19 = f3 * 19, f4_19 = f4 * 19;
    captls_u128 c0, c1, c2, c3, c4;

    c0 = CAPTLS_M128(f0, f0) + CAPTLS_M128(f1_38, f4) +
         CAPTLS_M128(f2_38, f3);
    c1 = CAPTLS_M128(f0_2, f1) + CAPTLS_M128(f2_38, f4) +
         CAPTLS_M128(f3_19, f3);
    c2 = CAPTLS_M128(f0_2, f2) + CAPTLS_M128(f1, f1) +
         CAPTLS_M128(f3_38, f4);
    c3 = CAPTLS_M128(f0_2, f3) + CAPTLS_M128(f1_2, f2) +
         CAPTLS_M128(f4_19, f4);
    c4 = CAPTLS_M128(f0_2, f4) + CAPTLS_M128(f1_2, f3) +
         CAPTLS_M128(f2, f2);
    captls_fe_reduce128(h, c0, c1, c2, c3, c4);
}

/* h = f^(2^n), n >= 1 */
static inline void captls_fe_sqn(captls_fe *h, const captls_fe *f, int n)
{
    captls_fe_sq(h, f);
    while (--n > 0)
        captls_fe_sq(h, h);
}

/* h = 2 f^2 */
static inline void captls_fe_sq2(captls_fe *h, const captls_fe *f)
{
    captls_fe_sq(h, f);
    captls_fe_add(h, h, h);
}

/* h = f * n for a small constant n < 2^20 */
static inline void captls_fe_mul_small(captls_fe *h, const captls_fe *f,
                                       uint32_t n)
{
    captls_fe_reduce128(h, CAPTLS_M128(f->v[0], n), CAPTLS_M128(f->v[1], n),
                        CAPTLS_M128(f->v[2], n), CAPTLS_M128(f->v[3], n),
                        CAPTLS_M128(f->v[4], n));
}

/* If b (0 or 1), swap f and g; no branch. */
static inline void captls_fe_cswap(captls_fe *f, captls_fe *g, uint64_t b)
{
    const uint64_t mask = (uint64_t)0 - b;

    for (int i = 0; i < 5; i++) {
        uint64_t x = (f->v[i] ^ g->v[i]) & mask;
        f->v[i] ^= x;
        g->v[i] ^= x;
    }
}

/* If b (0 or 1), f = g; no branch. */
static inline void captls_fe_cmov(captls_fe *f, const captls_fe *g,
                                  uint64_t b)
{
    const uint64_t mask = (uint64_t)0 - b;

    for (int i = 0; i < 5; i++)
        f->v[i] ^= (f->v[i] ^ g->v[i]) & mask;
}

/* Loads 32 little-endian bytes, ignoring bit 255 (RFC 7748 §5 masks it;
 * RFC 8032 §5.1.3 reads it as the sign of x, which the caller extracts).
 * Values p..2^255-1 are accepted as their non-canonical representations:
 * callers that must reject them use captls_fe_is_canonical(). */
void captls_fe_frombytes(captls_fe *h, const uint8_t s[32]);

/* Writes the canonical encoding (value in [0, p)), bit 255 clear. */
void captls_fe_tobytes(uint8_t s[32], const captls_fe *h);

/* 1 if the low 255 bits of s encode a value < p, else 0 (bit 255 is
 * ignored). Variable time: meant for public encodings. */
int captls_fe_is_canonical(const uint8_t s[32]);

/* 1 if f != 0 (mod p), else 0; constant time. */
int captls_fe_isnonzero(const captls_fe *f);

/* Bit 0 of the canonical form ("negative" in RFC 8032 §5.1.2). */
int captls_fe_isnegative(const captls_fe *f);

/* h = 1/f = f^(p-2); 0 maps to 0. */
void captls_fe_invert(captls_fe *h, const captls_fe *f);

/* h = f^((p-5)/8) = f^(2^252 - 3), the core of square roots. */
void captls_fe_pow22523(captls_fe *h, const captls_fe *f);

/* RFC 8032 §5.1.3 step 3: sets x to a square root of u/v when one exists
 * and returns 1; otherwise returns 0 (x is then unspecified). v != 0.
 * Constant time. The root returned may be either sign. */
int captls_fe_sqrt_ratio(captls_fe *x, const captls_fe *u, const captls_fe *v,
                         const captls_fe *sqrtm1);

#endif
