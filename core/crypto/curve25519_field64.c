/* See curve25519_field64.h. GF(2^255 - 19) on four 64-bit limbs, values
 * < 2^256 and not unique. Each operation is one inline-asm block with
 * memory operands: after inlining into the ladder the elements are stack
 * slots, so only the registers named in the block are needed.
 * Multiplication is row by row (operand scanning) with mulx, carrying
 * the low halves on the CF chain (adcx) and the high halves on the OF
 * chain (adox). Nothing branches or indexes memory on a value: the only
 * conditionals are sbb/and masks.
 *
 * Bounds (why one carry fold is enough in add and sub): mul, sq and
 * mul_a24_add return values < 2^255 + 2^23 (their last step folds every
 * bit from 255 up back times 19, 2^255 = 19 mod p). add and sub take any
 * f and g < 2^255 + 2^23 and fold a carry (borrow) out of 2^256 back as
 * +38 (-38) once: after a carry the wrapped sum is < 2^24, after a borrow
 * the difference is > 2^255 - 2^23, so the fold cannot carry (borrow)
 * again. Their results (< 2^256) are only ever fed to mul, sq and
 * mul_a24_add, which accept any value < 2^256. Every add/sub input in the
 * ladder is a mul/sq output, one of the starting values 0, 1, u < 2^255,
 * or a conditional swap of those. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/curve25519_field64.h"

#if CAPTLS_FE64_ASM

/* 32-byte aligned: an element never straddles a cache line. */
typedef struct fe64 {
    _Alignas(32) uint64_t v[4];
} fe64;

#define FE64_INLINE static inline __attribute__((always_inline))

/* Operand lists shared by the blocks below. */
#define FE64_OUT(h) \
    [h0] "=m"((h)->v[0]), [h1] "=m"((h)->v[1]), [h2] "=m"((h)->v[2]), \
    [h3] "=m"((h)->v[3])
#define FE64_IN_F(f) \
    [f0] "m"((f)->v[0]), [f1] "m"((f)->v[1]), [f2] "m"((f)->v[2]), \
    [f3] "m"((f)->v[3])
#define FE64_IN_G(g) \
    [g0] "m"((g)->v[0]), [g1] "m"((g)->v[1]), [g2] "m"((g)->v[2]), \
    [g3] "m"((g)->v[3])

/* One row of the schoolbook product: z[r0..r4] += f_i * g, with z[r4]
 * fresh (written by the last mulx). CF carries low halves, OF high
 * halves; the two carries left at the end land in z[r4], which cannot
 * overflow (the partial product fits in r4 + 1 limbs). */
#define FE64_ROW(fi, r0, r1, r2, r3, r4) \
    "movq %[" #fi "], %%rdx\n\t" \
    "xorl %k[lo], %k[lo]\n\t" \
    "mulx %[g0], %[lo], %[hi]\n\t" \
    "adcx %[lo], %[" #r0 "]\n\t" \
    "adox %[hi], %[" #r1 "]\n\t" \
    "mulx %[g1], %[lo], %[hi]\n\t" \
    "adcx %[lo], %[" #r1 "]\n\t" \
    "adox %[hi], %[" #r2 "]\n\t" \
    "mulx %[g2], %[lo], %[hi]\n\t" \
    "adcx %[lo], %[" #r2 "]\n\t" \
    "adox %[hi], %[" #r3 "]\n\t" \
    "mulx %[g3], %[lo], %[" #r4 "]\n\t" \
    "adcx %[lo], %[" #r3 "]\n\t" \
    "movl $0, %k[lo]\n\t" \
    "adox %[lo], %[" #r4 "]\n\t" \
    "adcx %[lo], %[" #r4 "]\n\t"

/* z0..z7 (512 bits) -> z0..z3 < 2^255 + 2^13, same value mod p:
 * z_lo + 38 z_hi leaves a top limb c < 2^6; the bits from 255 up,
 * (c << 1) | bit 255, are folded back times 19 (2^255 = 19 mod p), which
 * cannot carry out of the top limb. */
#define FE64_REDUCE \
    "movl $38, %%edx\n\t" \
    "xorl %k[lo], %k[lo]\n\t" \
    "mulx %[z4], %[lo], %[z4]\n\t" \
    "adcx %[lo], %[z0]\n\t" \
    "mulx %[z5], %[lo], %[z5]\n\t" \
    "adcx %[lo], %[z1]\n\t" \
    "adox %[z4], %[z1]\n\t" \
    "mulx %[z6], %[lo], %[z6]\n\t" \
    "adcx %[lo], %[z2]\n\t" \
    "adox %[z5], %[z2]\n\t" \
    "mulx %[z7], %[lo], %[z7]\n\t" \
    "adcx %[lo], %[z3]\n\t" \
    "adox %[z6], %[z3]\n\t" \
    "movl $0, %k[lo]\n\t" \
    "adcx %[lo], %[z7]\n\t" \
    "adox %[lo], %[z7]\n\t" \
    "shldq $1, %[z3], %[z7]\n\t" \
    "btrq $63, %[z3]\n\t" \
    "imulq $19, %[z7], %[z7]\n\t" \
    "addq %[z7], %[z0]\n\t" \
    "adcq $0, %[z1]\n\t" \
    "adcq $0, %[z2]\n\t" \
    "adcq $0, %[z3]\n\t" \
    "movq %[z0], %[h0]\n\t" \
    "movq %[z1], %[h1]\n\t" \
    "movq %[z2], %[h2]\n\t" \
    "movq %[z3], %[h3]\n\t"

#define FE64_TMP8 \
    [z0] "=&r"(z0), [z1] "=&r"(z1), [z2] "=&r"(z2), [z3] "=&r"(z3), \
    [z4] "=&r"(z4), [z5] "=&r"(z5), [z6] "=&r"(z6), [z7] "=&r"(z7), \
    [lo] "=&r"(lo), [hi] "=&r"(hi)

/* h = f * g. h may alias f or g (all reads precede the stores). */
FE64_INLINE void fe64_mul(fe64 *h, const fe64 *f, const fe64 *g)
{
    uint64_t z0, z1, z2, z3, z4, z5, z6, z7, lo, hi;

    __asm__("movq %[f0], %%rdx\n\t"
            "mulx %[g0], %[z0], %[z1]\n\t"
            "mulx %[g1], %[lo], %[z2]\n\t"
            "addq %[lo], %[z1]\n\t"
            "mulx %[g2], %[lo], %[z3]\n\t"
            "adcq %[lo], %[z2]\n\t"
            "mulx %[g3], %[lo], %[z4]\n\t"
            "adcq %[lo], %[z3]\n\t"
            "adcq $0, %[z4]\n\t"
            FE64_ROW(f1, z1, z2, z3, z4, z5)
            FE64_ROW(f2, z2, z3, z4, z5, z6)
            FE64_ROW(f3, z3, z4, z5, z6, z7)
            FE64_REDUCE
            : FE64_OUT(h), FE64_TMP8
            : FE64_IN_F(f), FE64_IN_G(g)
            : "rdx", "cc");
}

/* h = f^2: the six cross products once, doubled on the CF chain while
 * the OF chain adds the four squares. h may alias f. */
FE64_INLINE void fe64_sq(fe64 *h, const fe64 *f)
{
    uint64_t z0, z1, z2, z3, z4, z5, z6, z7, lo, hi;

    __asm__(/* f0 * (f1, f2, f3) at 1..4 */
            "movq %[f0], %%rdx\n\t"
            "mulx %[f1], %[z1], %[z2]\n\t"
            "mulx %[f2], %[lo], %[z3]\n\t"
            "addq %[lo], %[z2]\n\t"
            "mulx %[f3], %[lo], %[z4]\n\t"
            "adcq %[lo], %[z3]\n\t"
            "adcq $0, %[z4]\n\t"
            /* f1 * (f2, f3) at 3..5 */
            "movq %[f1], %%rdx\n\t"
            "xorl %k[lo], %k[lo]\n\t"
            "mulx %[f2], %[lo], %[hi]\n\t"
            "adcx %[lo], %[z3]\n\t"
            "adox %[hi], %[z4]\n\t"
            "mulx %[f3], %[lo], %[z5]\n\t"
            "adcx %[lo], %[z4]\n\t"
            "movl $0, %k[lo]\n\t"
            "adox %[lo], %[z5]\n\t"
            "adcx %[lo], %[z5]\n\t"
            /* f2 * f3 at 5..6 (the cross sum is < 2^448) */
            "movq %[f2], %%rdx\n\t"
            "mulx %[f3], %[lo], %[z6]\n\t"
            "addq %[lo], %[z5]\n\t"
            "adcq $0, %[z6]\n\t"
            /* 2 * cross + squares */
            "movq %[f0], %%rdx\n\t"
            "xorl %k[lo], %k[lo]\n\t"
            "mulx %%rdx, %[z0], %[hi]\n\t"
            "adcx %[z1], %[z1]\n\t"
            "adox %[hi], %[z1]\n\t"
            "movq %[f1], %%rdx\n\t"
            "mulx %%rdx, %[lo], %[hi]\n\t"
            "adcx %[z2], %[z2]\n\t"
            "adox %[lo], %[z2]\n\t"
            "adcx %[z3], %[z3]\n\t"
            "adox %[hi], %[z3]\n\t"
            "movq %[f2], %%rdx\n\t"
            "mulx %%rdx, %[lo], %[hi]\n\t"
            "adcx %[z4], %[z4]\n\t"
            "adox %[lo], %[z4]\n\t"
            "adcx %[z5], %[z5]\n\t"
            "adox %[hi], %[z5]\n\t"
            "movq %[f3], %%rdx\n\t"
            "mulx %%rdx, %[lo], %[z7]\n\t"
            "adcx %[z6], %[z6]\n\t"
            "adox %[lo], %[z6]\n\t"
            "movl $0, %k[lo]\n\t"
            "adcx %[lo], %[z7]\n\t"
            "adox %[lo], %[z7]\n\t"
            FE64_REDUCE
            : FE64_OUT(h), FE64_TMP8
            : FE64_IN_F(f)
            : "rdx", "cc");
}

#define FE64_TMP4 \
    [z0] "=&r"(z0), [z1] "=&r"(z1), [z2] "=&r"(z2), [z3] "=&r"(z3), \
    [lo] "=&r"(lo)

/* Folds a carry (CF) out of z0..z3 back as 38, then stores. Once is
 * enough for inputs < 2^255 + 2^23 (see the file comment). */
#define FE64_FOLD_CARRY_STORE \
    "sbbq %[lo], %[lo]\n\t" \
    "andq $38, %[lo]\n\t" \
    "addq %[lo], %[z0]\n\t" \
    "adcq $0, %[z1]\n\t" \
    "adcq $0, %[z2]\n\t" \
    "adcq $0, %[z3]\n\t" \
    "movq %[z0], %[h0]\n\t" \
    "movq %[z1], %[h1]\n\t" \
    "movq %[z2], %[h2]\n\t" \
    "movq %[z3], %[h3]\n\t"

/* h = f - g: a borrow means 2^256 was added, so 38 is taken off; once is
 * enough for g < 2^255 + 2^23 (the result is then > 2^255 - 2^23). */
FE64_INLINE void fe64_sub(fe64 *h, const fe64 *f, const fe64 *g)
{
    uint64_t z0, z1, z2, z3, lo;

    __asm__("movq %[f0], %[z0]\n\t"
            "subq %[g0], %[z0]\n\t"
            "movq %[f1], %[z1]\n\t"
            "sbbq %[g1], %[z1]\n\t"
            "movq %[f2], %[z2]\n\t"
            "sbbq %[g2], %[z2]\n\t"
            "movq %[f3], %[z3]\n\t"
            "sbbq %[g3], %[z3]\n\t"
            "sbbq %[lo], %[lo]\n\t"
            "andq $38, %[lo]\n\t"
            "subq %[lo], %[z0]\n\t"
            "sbbq $0, %[z1]\n\t"
            "sbbq $0, %[z2]\n\t"
            "sbbq $0, %[z3]\n\t"
            "movq %[z0], %[h0]\n\t"
            "movq %[z1], %[h1]\n\t"
            "movq %[z2], %[h2]\n\t"
            "movq %[z3], %[h3]\n\t"
            : FE64_OUT(h), FE64_TMP4
            : FE64_IN_F(f), FE64_IN_G(g)
            : "cc");
}

/* s = f + g and d = f - g in one pass over the inputs (one carry fold each,
 * as in fe64_sub; f, g < 2^255 + 2^23). s and d must not alias f or g. */
FE64_INLINE void fe64_addsub(fe64 *s, fe64 *d, const fe64 *f, const fe64 *g)
{
    uint64_t z0, z1, z2, z3, d0, d1, d2, d3, lo;

    __asm__("movq %[f0], %[z0]\n\t"
            "movq %[f1], %[z1]\n\t"
            "movq %[f2], %[z2]\n\t"
            "movq %[f3], %[z3]\n\t"
            "movq %[z0], %[d0]\n\t"
            "movq %[z1], %[d1]\n\t"
            "movq %[z2], %[d2]\n\t"
            "movq %[z3], %[d3]\n\t"
            "addq %[g0], %[z0]\n\t"
            "adcq %[g1], %[z1]\n\t"
            "adcq %[g2], %[z2]\n\t"
            "adcq %[g3], %[z3]\n\t"
            FE64_FOLD_CARRY_STORE
            "subq %[g0], %[d0]\n\t"
            "sbbq %[g1], %[d1]\n\t"
            "sbbq %[g2], %[d2]\n\t"
            "sbbq %[g3], %[d3]\n\t"
            "sbbq %[lo], %[lo]\n\t"
            "andq $38, %[lo]\n\t"
            "subq %[lo], %[d0]\n\t"
            "sbbq $0, %[d1]\n\t"
            "sbbq $0, %[d2]\n\t"
            "sbbq $0, %[d3]\n\t"
            "movq %[d0], %[e0]\n\t"
            "movq %[d1], %[e1]\n\t"
            "movq %[d2], %[e2]\n\t"
            "movq %[d3], %[e3]\n\t"
            : FE64_OUT(s), [e0] "=m"(d->v[0]), [e1] "=m"(d->v[1]),
              [e2] "=m"(d->v[2]), [e3] "=m"(d->v[3]), FE64_TMP4,
              [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3)
            : FE64_IN_F(f), FE64_IN_G(g)
            : "cc");
}

/* h = 121665 f + g: the RFC 7748 §5 "AA + a24 * E" in one pass; bits
 * 255 and up (< 2^19) are folded back times 19 as in FE64_REDUCE. */
FE64_INLINE void fe64_mul_a24_add(fe64 *h, const fe64 *f, const fe64 *g)
{
    uint64_t z0, z1, z2, z3, z4, lo;

    __asm__("movl $121665, %%edx\n\t"
            "mulx %[f0], %[z0], %[z1]\n\t"
            "mulx %[f1], %[lo], %[z2]\n\t"
            "addq %[lo], %[z1]\n\t"
            "mulx %[f2], %[lo], %[z3]\n\t"
            "adcq %[lo], %[z2]\n\t"
            "mulx %[f3], %[lo], %[z4]\n\t"
            "adcq %[lo], %[z3]\n\t"
            "adcq $0, %[z4]\n\t"
            "addq %[g0], %[z0]\n\t"
            "adcq %[g1], %[z1]\n\t"
            "adcq %[g2], %[z2]\n\t"
            "adcq %[g3], %[z3]\n\t"
            "adcq $0, %[z4]\n\t"
            "shldq $1, %[z3], %[z4]\n\t"
            "btrq $63, %[z3]\n\t"
            "imulq $19, %[z4], %[z4]\n\t"
            "addq %[z4], %[z0]\n\t"
            "adcq $0, %[z1]\n\t"
            "adcq $0, %[z2]\n\t"
            "adcq $0, %[z3]\n\t"
            "movq %[z0], %[h0]\n\t"
            "movq %[z1], %[h1]\n\t"
            "movq %[z2], %[h2]\n\t"
            "movq %[z3], %[h3]\n\t"
            : FE64_OUT(h), FE64_TMP4, [z4] "=&r"(z4)
            : FE64_IN_F(f), FE64_IN_G(g)
            : "rdx", "cc");
}

/* If b (0 or 1), swap f and g: mask = -b, x = (f ^ g) & mask. In asm so
 * that it stays straight-line scalar code whatever the optimiser does. */
#define FE64_CSWAP_LIMB(i) \
    "movq %[f" #i "], %[t0]\n\t" \
    "movq %[g" #i "], %[t1]\n\t" \
    "movq %[t0], %[x]\n\t" \
    "xorq %[t1], %[x]\n\t" \
    "andq %[mask], %[x]\n\t" \
    "xorq %[x], %[t0]\n\t" \
    "xorq %[x], %[t1]\n\t" \
    "movq %[t0], %[f" #i "]\n\t" \
    "movq %[t1], %[g" #i "]\n\t"

FE64_INLINE void fe64_cswap(fe64 *f, fe64 *g, uint64_t b)
{
    uint64_t t0, t1, x;

    __asm__(FE64_CSWAP_LIMB(0) FE64_CSWAP_LIMB(1) FE64_CSWAP_LIMB(2)
            FE64_CSWAP_LIMB(3)
            : [f0] "+m"(f->v[0]), [f1] "+m"(f->v[1]), [f2] "+m"(f->v[2]),
              [f3] "+m"(f->v[3]), [g0] "+m"(g->v[0]), [g1] "+m"(g->v[1]),
              [g2] "+m"(g->v[2]), [g3] "+m"(g->v[3]), [t0] "=&r"(t0),
              [t1] "=&r"(t1), [x] "=&r"(x)
            : [mask] "r"((uint64_t)0 - b));
}

/* h = f^(2^n), n >= 1 */
static void fe64_sqn(fe64 *h, const fe64 *f, int n)
{
    fe64_sq(h, f);
    while (--n > 0)
        fe64_sq(h, h);
}

static void fe64_mul_call(fe64 *h, const fe64 *f, const fe64 *g)
{
    fe64_mul(h, f, g);
}

/* h = 1/f = f^(p - 2), the ref10 addition chain (curve25519_field.c). */
static void fe64_invert(fe64 *h, const fe64 *z)
{
    fe64 z2, z9, z11, z5_0, z10_0, z20_0, z50_0, z100_0, t;

    fe64_sq(&z2, z);                      /* 2 */
    fe64_sqn(&t, &z2, 2);                 /* 8 */
    fe64_mul_call(&z9, &t, z);            /* 9 */
    fe64_mul_call(&z11, &z9, &z2);        /* 11 */
    fe64_sq(&t, &z11);                    /* 22 */
    fe64_mul_call(&z5_0, &t, &z9);        /* 2^5 - 1 */
    fe64_sqn(&t, &z5_0, 5);
    fe64_mul_call(&z10_0, &t, &z5_0);     /* 2^10 - 1 */
    fe64_sqn(&t, &z10_0, 10);
    fe64_mul_call(&z20_0, &t, &z10_0);    /* 2^20 - 1 */
    fe64_sqn(&t, &z20_0, 20);
    fe64_mul_call(&t, &t, &z20_0);        /* 2^40 - 1 */
    fe64_sqn(&t, &t, 10);
    fe64_mul_call(&z50_0, &t, &z10_0);    /* 2^50 - 1 */
    fe64_sqn(&t, &z50_0, 50);
    fe64_mul_call(&z100_0, &t, &z50_0);   /* 2^100 - 1 */
    fe64_sqn(&t, &z100_0, 100);
    fe64_mul_call(&t, &t, &z100_0);       /* 2^200 - 1 */
    fe64_sqn(&t, &t, 50);
    fe64_mul_call(&t, &t, &z50_0);        /* 2^250 - 1 */
    fe64_sqn(&t, &t, 5);                  /* 2^255 - 32 */
    fe64_mul_call(h, &t, &z11);           /* 2^255 - 21 = p - 2 */
    captls_zeroize(&z2, sizeof z2);
    captls_zeroize(&z9, sizeof z9);
    captls_zeroize(&z11, sizeof z11);
    captls_zeroize(&z5_0, sizeof z5_0);
    captls_zeroize(&z10_0, sizeof z10_0);
    captls_zeroize(&z20_0, sizeof z20_0);
    captls_zeroize(&z50_0, sizeof z50_0);
    captls_zeroize(&z100_0, sizeof z100_0);
    captls_zeroize(&t, sizeof t);
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t r = 0;

    for (int i = 7; i >= 0; i--)
        r = (r << 8) | p[i];
    return r;
}

static void store64_le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* RFC 7748 §5: bit 255 masked; values >= p kept (any value < 2^256 is a
 * valid representation here). */
static void fe64_frombytes(fe64 *h, const uint8_t s[32])
{
    for (int i = 0; i < 4; i++)
        h->v[i] = load64_le(s + 8 * i);
    h->v[3] &= (uint64_t)0x7fffffffffffffff;
}

/* Canonical encoding: fold bit 255 (t < 2^255 + 19 after it), then
 * subtract p when t + 19 reaches 2^255, selected by mask. */
static void fe64_tobytes(uint8_t s[32], const fe64 *f)
{
    unsigned __int128 acc;
    uint64_t t[4], u[4], top, mask;

    top = f->v[3] >> 63;
    acc = (unsigned __int128)f->v[0] + 19 * top;
    t[0] = (uint64_t)acc;
    acc = (unsigned __int128)f->v[1] + (uint64_t)(acc >> 64);
    t[1] = (uint64_t)acc;
    acc = (unsigned __int128)f->v[2] + (uint64_t)(acc >> 64);
    t[2] = (uint64_t)acc;
    t[3] = (f->v[3] & (uint64_t)0x7fffffffffffffff) + (uint64_t)(acc >> 64);

    acc = (unsigned __int128)t[0] + 19;
    u[0] = (uint64_t)acc;
    for (int i = 1; i < 4; i++) {
        acc = (unsigned __int128)t[i] + (uint64_t)(acc >> 64);
        u[i] = (uint64_t)acc;
    }
    mask = (uint64_t)0 - (u[3] >> 63);     /* all ones iff t >= p */
    u[3] &= (uint64_t)0x7fffffffffffffff;
    for (int i = 0; i < 4; i++)
        store64_le(s + 8 * i, (u[i] & mask) | (t[i] & ~mask));
    captls_zeroize(t, sizeof t);
    captls_zeroize(u, sizeof u);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* 0: not asked yet, 1: no, 2: yes. */
static int fe64_cpu_state;

int captls_fe64_supported(void)
{
    int s = __atomic_load_n(&fe64_cpu_state, __ATOMIC_RELAXED);

    if (s == 0) {
        uint32_t r[4];

        s = 1;
        cpuid(0, 0, r);
        if (r[0] >= 7) {
            cpuid(7, 0, r);
            /* leaf 7 EBX: bit 8 BMI2 (mulx), bit 19 ADX (adcx, adox) */
            if ((r[1] & (1u << 8)) != 0 && (r[1] & (1u << 19)) != 0)
                s = 2;
        }
        __atomic_store_n(&fe64_cpu_state, s, __ATOMIC_RELAXED);
    }
    return s == 2;
}

void captls_x25519_ladder64(uint8_t out[32], const uint8_t k[32],
                            const uint8_t u[32])
{
    fe64 x1, x2, z2, x3, z3, a, b, c, d, aa, bb, e, da, cb, t, t2;
    uint64_t swap = 0;

    fe64_frombytes(&x1, u);
    memset(&x2, 0, sizeof x2);
    x2.v[0] = 1;
    memset(&z2, 0, sizeof z2);
    x3 = x1;
    memset(&z3, 0, sizeof z3);
    z3.v[0] = 1;

    /* RFC 7748 §5, the same step as x25519.c's portable ladder. */
    for (int i = 254; i >= 0; i--) {
        const uint64_t k_t = (uint64_t)(k[i >> 3] >> (i & 7)) & 1;

        swap ^= k_t;
        fe64_cswap(&x2, &x3, swap);
        fe64_cswap(&z2, &z3, swap);
        swap = k_t;

        fe64_addsub(&a, &b, &x2, &z2);    /* A = x_2 + z_2, B = x_2 - z_2 */
        fe64_addsub(&c, &d, &x3, &z3);    /* C = x_3 + z_3, D = x_3 - z_3 */
        fe64_mul(&da, &d, &a);            /* DA = D * A */
        fe64_mul(&cb, &c, &b);            /* CB = C * B */
        fe64_sq(&aa, &a);                 /* AA = A^2 */
        fe64_sq(&bb, &b);                 /* BB = B^2 */
        fe64_addsub(&t, &t2, &da, &cb);
        fe64_sq(&x3, &t);                 /* x_3 = (DA + CB)^2 */
        fe64_sq(&t2, &t2);
        fe64_mul(&z3, &t2, &x1);          /* z_3 = x_1 * (DA - CB)^2 */
        fe64_mul(&x2, &aa, &bb);          /* x_2 = AA * BB */
        fe64_sub(&e, &aa, &bb);           /* E = AA - BB */
        fe64_mul_a24_add(&t, &e, &aa);
        fe64_mul(&z2, &t, &e);            /* z_2 = E * (AA + a24 * E) */
    }
    fe64_cswap(&x2, &x3, swap);
    fe64_cswap(&z2, &z3, swap);
    /* "Return x_2 * (z_2^(p - 2))" */
    fe64_invert(&z2, &z2);
    fe64_mul(&x2, &x2, &z2);
    fe64_tobytes(out, &x2);

    captls_zeroize(&x1, sizeof x1);
    captls_zeroize(&x2, sizeof x2);
    captls_zeroize(&z2, sizeof z2);
    captls_zeroize(&x3, sizeof x3);
    captls_zeroize(&z3, sizeof z3);
    captls_zeroize(&a, sizeof a);
    captls_zeroize(&b, sizeof b);
    captls_zeroize(&c, sizeof c);
    captls_zeroize(&d, sizeof d);
    captls_zeroize(&aa, sizeof aa);
    captls_zeroize(&bb, sizeof bb);
    captls_zeroize(&e, sizeof e);
    captls_zeroize(&da, sizeof da);
    captls_zeroize(&cb, sizeof cb);
    captls_zeroize(&t, sizeof t);
    captls_zeroize(&t2, sizeof t2);
}

#else /* !CAPTLS_FE64_ASM */

int captls_fe64_supported(void)
{
    return 0;
}

void captls_x25519_ladder64(uint8_t out[32], const uint8_t k[32],
                            const uint8_t u[32])
{
    (void)k;
    (void)u;
    for (int i = 0; i < 32; i++)
        out[i] = 0;
}

#endif
