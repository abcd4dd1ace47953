/* core/crypto/p256_field.h — arithmetic modulo the P-256 prime
 * p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-4 §D.1.2.3) on four
 * 64-bit little-endian limbs, in Montgomery form (a stored as a*2^256 mod
 * p), portable C with unsigned __int128. Internal to the P-256 code
 * (p256_point.c, p256_scalar.c and their tests).
 *
 * Contract. Every element passed in or returned is FULLY REDUCED (< p);
 * the functions keep that invariant and outputs may alias inputs. All
 * arithmetic is constant time: no branch or memory index depends on a
 * value (selection is by masks passed through an empty asm barrier so the
 * compiler cannot turn them back into branches). The only variable-time
 * functions are named *_vartime and are for public data. Nothing is kept
 * and nothing fails; wiping temporaries is the caller's job (they live on
 * the caller's stack). Decoding from bytes (p256_fe_frombytes) reports
 * whether the input was < p; it is the one place a non-canonical value is
 * refused.
 * Available only where the compiler has unsigned __int128
 * (CAPTLS_P256_FAST); elsewhere the P-256 code falls back to BearSSL.
 */
#ifndef CAPTLS_CRYPTO_P256_FIELD_H
#define CAPTLS_CRYPTO_P256_FIELD_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__SIZEOF_INT128__) && (defined(__GNUC__) || defined(__clang__))
#define CAPTLS_P256_FAST 1
#else
#define CAPTLS_P256_FAST 0
#endif

#if CAPTLS_P256_FAST

typedef unsigned __int128 p256_u128;

typedef struct p256_fe {
    uint64_t v[4];
} p256_fe;

#define P256_INLINE static inline __attribute__((always_inline))
/* Fully unrolls the fixed 4- and 8-step limb loops (-O2 would not). */
#define P256_UNROLL _Pragma("GCC unroll 8")

/* (r, c) = a + b + c, c a carry of 0 or 1 */
#define P256_ADDC(r, c, a, b)                                    \
    do {                                                         \
        p256_u128 t_ = (p256_u128)(a) + (b) + (c);               \
        (r) = (uint64_t)t_;                                      \
        (c) = (uint64_t)(t_ >> 64);                              \
    } while (0)
/* (r, w) = a - b - w, w a borrow of 0 or 1 */
#define P256_SUBB(r, w, a, b)                                    \
    do {                                                         \
        p256_u128 t_ = (p256_u128)(a) - (b) - (w);               \
        (r) = (uint64_t)t_;                                      \
        (w) = (uint64_t)(t_ >> 64) & 1;                          \
    } while (0)

#define P256_P0 0xffffffffffffffffULL
#define P256_P1 0x00000000ffffffffULL
#define P256_P2 0x0000000000000000ULL
#define P256_P3 0xffffffff00000001ULL

/* Hides a mask from the optimizer (so selections stay branch-free). */
P256_INLINE uint64_t p256_barrier(uint64_t x)
{
    __asm__("" : "+r"(x));
    return x;
}

/* All ones iff x == 0, else 0. */
P256_INLINE uint64_t p256_mask_zero(uint64_t x)
{
    return p256_barrier(((x | (0 - x)) >> 63) - 1);
}

/* r = (c·2^256 + a) - p if that is >= 0, else a; c is 0 or 1 and the
 * value is < 2p. */
P256_INLINE void p256_fe_reduce_once(p256_fe *r, const uint64_t a[4],
                                     uint64_t c)
{
    uint64_t d[4], borrow = 0, mask;

    P256_SUBB(d[0], borrow, a[0], P256_P0);
    P256_SUBB(d[1], borrow, a[1], P256_P1);
    P256_SUBB(d[2], borrow, a[2], P256_P2);
    P256_SUBB(d[3], borrow, a[3], P256_P3);
    /* keep a iff borrow out of the subtraction and no carry c */
    mask = p256_barrier(0 - (borrow & (c ^ 1)));
    P256_UNROLL
    for (int i = 0; i < 4; i++)
        r->v[i] = (a[i] & mask) | (d[i] & ~mask);
}

/* r = a + b mod p */
P256_INLINE void p256_fe_add(p256_fe *r, const p256_fe *a, const p256_fe *b)
{
    uint64_t s[4], c = 0;

    P256_ADDC(s[0], c, a->v[0], b->v[0]);
    P256_ADDC(s[1], c, a->v[1], b->v[1]);
    P256_ADDC(s[2], c, a->v[2], b->v[2]);
    P256_ADDC(s[3], c, a->v[3], b->v[3]);
    p256_fe_reduce_once(r, s, c);
}

/* r = a - b mod p */
P256_INLINE void p256_fe_sub(p256_fe *r, const p256_fe *a, const p256_fe *b)
{
    uint64_t d[4], borrow = 0, mask, c = 0;

    P256_SUBB(d[0], borrow, a->v[0], b->v[0]);
    P256_SUBB(d[1], borrow, a->v[1], b->v[1]);
    P256_SUBB(d[2], borrow, a->v[2], b->v[2]);
    P256_SUBB(d[3], borrow, a->v[3], b->v[3]);
    /* add p back iff it borrowed */
    mask = p256_barrier(0 - borrow);
    P256_ADDC(r->v[0], c, d[0], P256_P0 & mask);
    P256_ADDC(r->v[1], c, d[1], P256_P1 & mask);
    P256_ADDC(r->v[2], c, d[2], 0);
    P256_ADDC(r->v[3], c, d[3], P256_P3 & mask);
}

/* Montgomery reduction of a 512-bit t: r = t / 2^256 mod p for t < p^2
 * (SOS; -p^-1 mod 2^64 = 1, so the quotient digit is the limb itself).
 * With m = t[i]: m·p = m·2^256 - m·2^224 + m·2^192 + m·2^96 - m, and
 * t[i] + m·p0 = m·2^64 exactly, so limb i becomes 0 with a carry of m;
 * limb i+1 gets m·p1 + m = m·2^32; limb i+3 gets m·p3. */
P256_INLINE void p256_fe_mont_reduce(p256_fe *r, uint64_t t[8])
{
    uint64_t top = 0;
    p256_u128 acc;

    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        uint64_t m = t[i], c;

        acc = (p256_u128)t[i + 1] + ((p256_u128)m << 32);
        t[i + 1] = (uint64_t)acc;
        acc = (p256_u128)t[i + 2] + (uint64_t)(acc >> 64);
        t[i + 2] = (uint64_t)acc;
        acc = (p256_u128)t[i + 3] + (uint64_t)(acc >> 64) +
              (p256_u128)m * P256_P3;
        t[i + 3] = (uint64_t)acc;
        c = (uint64_t)(acc >> 64);
        P256_UNROLL
        for (int j = i + 4; j < 8; j++) {
            acc = (p256_u128)t[j] + c;
            t[j] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        top += c;
    }
    /* (t + M·p) / 2^256 < 2p: one conditional subtraction. */
    p256_fe_reduce_once(r, t + 4, top);
}

/* r = a * b / 2^256 mod p (Montgomery product), portable. */
P256_INLINE void p256_fe_mul_c(p256_fe *r, const p256_fe *a, const p256_fe *b)
{
    uint64_t t[8];
    p256_u128 acc;

    P256_UNROLL
    for (int i = 0; i < 8; i++)
        t[i] = 0;
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        uint64_t c = 0;
        P256_UNROLL
        for (int j = 0; j < 4; j++) {
            acc = (p256_u128)a->v[i] * b->v[j] + t[i + j] + c;
            t[i + j] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        t[i + 4] = c;
    }
    p256_fe_mont_reduce(r, t);
}

/* r = a^2 / 2^256 mod p: cross products once, doubled, plus squares;
 * portable. */
P256_INLINE void p256_fe_sqr_c(p256_fe *r, const p256_fe *a)
{
    uint64_t t[8], c;
    p256_u128 acc;

    P256_UNROLL
    for (int i = 0; i < 8; i++)
        t[i] = 0;
    P256_UNROLL
    for (int i = 0; i < 3; i++) {
        c = 0;
        P256_UNROLL
        for (int j = i + 1; j < 4; j++) {
            acc = (p256_u128)a->v[i] * a->v[j] + t[i + j] + c;
            t[i + j] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        t[i + 4] = c;
    }
    /* double the cross products (the sum is < 2^511: no bit lost) */
    t[7] = t[6] >> 63;
    P256_UNROLL
    for (int i = 6; i > 0; i--)
        t[i] = (t[i] << 1) | (t[i - 1] >> 63);
    t[0] <<= 1;
    c = 0;
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        acc = (p256_u128)a->v[i] * a->v[i] + t[2 * i] + c;
        t[2 * i] = (uint64_t)acc;
        acc = (p256_u128)t[2 * i + 1] + (uint64_t)(acc >> 64);
        t[2 * i + 1] = (uint64_t)acc;
        c = (uint64_t)(acc >> 64);
    }
    p256_fe_mont_reduce(r, t);
}

/* AddressSanitizer builds (with a frame pointer) leave too few registers
 * for the 14 the block below needs: they use the portable multiplier. */
#if defined(__SANITIZE_ADDRESS__)
#define P256_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define P256_ASAN 1
#endif
#endif

#if defined(__x86_64__) && !defined(P256_ASAN)
#define CAPTLS_P256_ADX 1

/* Selected by p256_fe_select(): 1 = the BMI2/ADX product below. */
extern int p256_fe_adx;

/* One row of the schoolbook product (as curve25519_field64.c):
 * z[r0..r4] += f_i * g, z[r4] fresh; CF carries low halves, OF high. */
#define P256_ROW(fi, r0, r1, r2, r3, r4) \
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

/* One Montgomery step with m = z[ri] (see p256_fe_mont_reduce): adds
 * [m<<32, m>>32, lo(m·p3), hi(m·p3)] at limb ri+1 (the caller then runs
 * the carry up into the top limb). m·p3 = m·2^64 + m - m·2^32 needs no
 * multiplication: lo = m - (m<<32 mod 2^64), hi = m - (m>>32) - borrow. */
#define P256_RED_HEAD(ri, r1, r2, r3, r4) \
    "movq %[" #ri "], %[lo]\n\t" \
    "movq %[" #ri "], %[hi]\n\t" \
    "movq %[" #ri "], %%rdx\n\t" \
    "shlq $32, %[" #ri "]\n\t" \
    "shrq $32, %%rdx\n\t" \
    "subq %[" #ri "], %[lo]\n\t" \
    "sbbq %%rdx, %[hi]\n\t" \
    "addq %[" #ri "], %[" #r1 "]\n\t" \
    "adcq %%rdx, %[" #r2 "]\n\t" \
    "adcq %[lo], %[" #r3 "]\n\t" \
    "adcq %[hi], %[" #r4 "]\n\t"
#define P256_ADC0(r) "adcq $0, %[" #r "]\n\t"

/* r = a * b / 2^256 mod p with mulx/adcx/adox: the 512-bit product row
 * by row, four Montgomery steps, one conditional subtraction of p by
 * cmov. Requires BMI2 and ADX. r may alias a or b. z0 holds the top
 * carry once its step is done. */
P256_INLINE void p256_fe_mul_adx(p256_fe *r, const p256_fe *f,
                                 const p256_fe *g)
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
            P256_ROW(f1, z1, z2, z3, z4, z5)
            P256_ROW(f2, z2, z3, z4, z5, z6)
            P256_ROW(f3, z3, z4, z5, z6, z7)
            P256_RED_HEAD(z0, z1, z2, z3, z4)
            P256_ADC0(z5) P256_ADC0(z6) P256_ADC0(z7)
            "movl $0, %k[z0]\n\t"
            P256_ADC0(z0)
            P256_RED_HEAD(z1, z2, z3, z4, z5)
            P256_ADC0(z6) P256_ADC0(z7) P256_ADC0(z0)
            P256_RED_HEAD(z2, z3, z4, z5, z6)
            P256_ADC0(z7) P256_ADC0(z0)
            P256_RED_HEAD(z3, z4, z5, z6, z7)
            P256_ADC0(z0)
            /* (z0:z7:z6:z5:z4) < 2p; subtract p into z1, z2, z3, lo */
            "movl $0xffffffff, %%edx\n\t"
            "movabsq $0xffffffff00000001, %[hi]\n\t"
            "movq %[z4], %[z1]\n\t"
            "movq %[z5], %[z2]\n\t"
            "movq %[z6], %[z3]\n\t"
            "movq %[z7], %[lo]\n\t"
            "subq $-1, %[z1]\n\t"
            "sbbq %%rdx, %[z2]\n\t"
            "sbbq $0, %[z3]\n\t"
            "sbbq %[hi], %[lo]\n\t"
            "sbbq $0, %[z0]\n\t"
            /* borrow: the value was < p, keep it */
            "cmovcq %[z4], %[z1]\n\t"
            "cmovcq %[z5], %[z2]\n\t"
            "cmovcq %[z6], %[z3]\n\t"
            "cmovcq %[z7], %[lo]\n\t"
            "movq %[z1], %[h0]\n\t"
            "movq %[z2], %[h1]\n\t"
            "movq %[z3], %[h2]\n\t"
            "movq %[lo], %[h3]\n\t"
            : [h0] "=m"(r->v[0]), [h1] "=m"(r->v[1]), [h2] "=m"(r->v[2]),
              [h3] "=m"(r->v[3]), [z0] "=&r"(z0), [z1] "=&r"(z1),
              [z2] "=&r"(z2), [z3] "=&r"(z3), [z4] "=&r"(z4),
              [z5] "=&r"(z5), [z6] "=&r"(z6), [z7] "=&r"(z7),
              [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [f0] "m"(f->v[0]), [f1] "m"(f->v[1]), [f2] "m"(f->v[2]),
              [f3] "m"(f->v[3]), [g0] "m"(g->v[0]), [g1] "m"(g->v[1]),
              [g2] "m"(g->v[2]), [g3] "m"(g->v[3])
            : "rdx", "cc");
}
#else
#define CAPTLS_P256_ADX 0
#endif

/* Picks the multiplier: the BMI2/ADX one when core/crypto/cpu.h reports
 * both usable (so -DCAPTLS_PORTABLE_CRYPTO and captls_cpu_set_portable
 * force the portable one too) and it is not forced off here. Called by
 * the p256_point.h entry points; cheap (cpu.h caches CPUID). */
void p256_fe_select(void);
/* Tests and fuzzers: true forces the portable multiplier even on an
 * ADX CPU (so both are exercised on one machine). */
void p256_fe_force_portable(bool on);
/* The ctgrind check only (valgrind hides ADX from CPUID but runs it):
 * true uses the BMI2/ADX multiplier without asking CPUID — undefined on
 * a CPU without BMI2 and ADX; a no-op on builds without it. */
void p256_fe_force_adx(bool on);

P256_INLINE void p256_fe_mul(p256_fe *r, const p256_fe *a, const p256_fe *b)
{
#if CAPTLS_P256_ADX
    if (__atomic_load_n(&p256_fe_adx, __ATOMIC_RELAXED)) {
        p256_fe_mul_adx(r, a, b);
        return;
    }
#endif
    p256_fe_mul_c(r, a, b);
}

P256_INLINE void p256_fe_sqr(p256_fe *r, const p256_fe *a)
{
#if CAPTLS_P256_ADX
    if (__atomic_load_n(&p256_fe_adx, __ATOMIC_RELAXED)) {
        p256_fe_mul_adx(r, a, a);
        return;
    }
#endif
    p256_fe_sqr_c(r, a);
}

/* r = a if mask is all ones, unchanged if mask is 0. */
P256_INLINE void p256_fe_cmov(p256_fe *r, const p256_fe *a, uint64_t mask)
{
    P256_UNROLL
    for (int i = 0; i < 4; i++)
        r->v[i] ^= (r->v[i] ^ a->v[i]) & mask;
}

/* All ones iff a == 0 (constant time). */
P256_INLINE uint64_t p256_fe_is_zero(const p256_fe *a)
{
    return p256_mask_zero(a->v[0] | a->v[1] | a->v[2] | a->v[3]);
}

/* r = -a mod p */
P256_INLINE void p256_fe_neg(p256_fe *r, const p256_fe *a)
{
    p256_fe z = {{0, 0, 0, 0}};
    p256_fe_sub(r, &z, a);
}

/* Montgomery forms of 1 (2^256 mod p), b, and R^2 mod p. */
extern const p256_fe p256_fe_one;
extern const p256_fe p256_fe_b;

/* r = a^-1 mod p (Fermat, a^(p-2); 0 maps to 0). Constant time. */
void p256_fe_inv(p256_fe *r, const p256_fe *a);

/* r = Montgomery form of the 32-byte big-endian value; returns false
 * (r unspecified) iff the value is >= p. Not constant time in whether it
 * is >= p (a public property of a public or validated value). */
bool p256_fe_frombytes(p256_fe *r, const uint8_t in[32]);

/* out = the 32-byte big-endian canonical value of a. */
void p256_fe_tobytes(uint8_t out[32], const p256_fe *a);

#endif /* CAPTLS_P256_FAST */
#endif
