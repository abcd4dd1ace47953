/* See rsa_ifma.h. Almost Montgomery multiplication in radix 2^52, after
 * Gueron and Krasnov's AVX-512 IFMA formulation (as in OpenSSL's
 * rsaz-2k-avx512): for each limb b_i of the multiplier,
 *   acc += lo52(a * b_i); q = acc_0 * k0 mod 2^52; acc += lo52(m * q);
 *   acc >>= 52 (one lane down; acc_0's carry joins the new lane 0);
 *   acc += hi52(a * b_i) + hi52(m * q)   (the high halves belong one lane
 *                                          up: after the shift, here).
 * Lanes are left unnormalised inside the loop (each gains at most 2^54 per
 * step, NL <= 40 steps: below 2^60) and carried to 52 bits once at the
 * end, since vpmadd52 reads only the low 52 bits of its multiplicands.
 * gcc/clang vector extensions; vpmadd52 from ifma.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/ifma.h"
#include "core/crypto/rsa.h"
#include "core/crypto/rsa_ifma.h"

#if CAPTLS_RSA_IFMA

typedef captls_v8du v8du;
typedef uint64_t u64_alias __attribute__((may_alias));

#define IFMA CAPTLS_IFMA_TARGET
#define IFMA_INLINE CAPTLS_IFMA_INLINE
#define madd52lo captls_madd52lo
#define madd52hi captls_madd52hi

#define MASK52 ((((uint64_t)1) << 52) - 1)
#define MAXNL CAPTLS_RSA_IFMA_LIMBS(CAPTLS_RSA_MAX_FACTOR_LIMBS)
#define MAXV ((MAXNL + 7) / 8)
#define WIN 5
#define TAB (1u << WIN)

/* One Montgomery product r = a b R^-1 mod m of a batch. */
typedef struct amm_job {
    v8du *r;
    const v8du *a, *b, *m;
    uint64_t k0; /* -m^-1 mod 2^52 */
} amm_job;

typedef void (*amm_fn)(const amm_job *jobs, size_t nl52);

/* jobs[p].r = a b 2^(-52 nl52) mod m for p < np, each below 2m when a,
 * b < 2m and 4m <= R. nv (vectors per number) and np (independent
 * products, interleaved: each one's chain acc_0 -> q -> m q -> shift is
 * latency-bound, two fill each other's gaps) are constants in each
 * instance so that a, m and the accumulators live in registers. r may
 * alias a or b. The high halves are formed beside the critical path and
 * added after the shift. */
IFMA_INLINE void amm_body(const amm_job *jobs, size_t nl52, int nv, int np)
{
    v8du av[2][MAXV], mv[2][MAXV], acc[2][MAXV];
    const v8du zero = {0};
    uint64_t k0[2];

#pragma GCC unroll 2
    for (int p = 0; p < np; p++) {
        k0[p] = jobs[p].k0;
#pragma GCC unroll 8
        for (int k = 0; k < nv; k++) {
            av[p][k] = jobs[p].a[k];
            mv[p][k] = jobs[p].m[k];
            acc[p][k] = zero;
        }
    }
    for (size_t i = 0; i < nl52; i++) {
#pragma GCC unroll 2
        for (int p = 0; p < np; p++) {
            const u64_alias *bl = (const u64_alias *)jobs[p].b;
            v8du bi = zero + bl[i], qv, hi[MAXV];
            uint64_t q, carry;

            acc[p][0] = madd52lo(acc[p][0], av[p][0], bi);
            q = (acc[p][0][0] * k0[p]) & MASK52;
            qv = zero + q;
            acc[p][0] = madd52lo(acc[p][0], mv[p][0], qv);
#pragma GCC unroll 8
            for (int k = 1; k < nv; k++) {
                acc[p][k] = madd52lo(acc[p][k], av[p][k], bi);
                acc[p][k] = madd52lo(acc[p][k], mv[p][k], qv);
            }
#pragma GCC unroll 8
            for (int k = 0; k < nv; k++)
                hi[k] = madd52hi(madd52hi(zero, av[p][k], bi), mv[p][k], qv);
            carry = acc[p][0][0] >> 52; /* acc_0 is now 0 mod 2^52 */
#pragma GCC unroll 8
            for (int k = 0; k + 1 < nv; k++)
                acc[p][k] = __builtin_shufflevector(acc[p][k], acc[p][k + 1],
                                                    1, 2, 3, 4, 5, 6, 7, 8);
            acc[p][nv - 1] = __builtin_shufflevector(acc[p][nv - 1], zero, 1,
                                                     2, 3, 4, 5, 6, 7, 8);
            acc[p][0] += (v8du){carry, 0, 0, 0, 0, 0, 0, 0};
#pragma GCC unroll 8
            for (int k = 0; k < nv; k++)
                acc[p][k] += hi[k];
        }
    }
#pragma GCC unroll 2
    for (int p = 0; p < np; p++) {
        u64_alias *out = (u64_alias *)jobs[p].r;
        uint64_t carry = 0;

#pragma GCC unroll 8
        for (int k = 0; k < nv; k++)
            jobs[p].r[k] = acc[p][k];
        /* Carry every lane down to 52 bits; the value is below 2m < R,
         * so nothing is left above lane nl52 - 1. */
        for (size_t j = 0; j < nl52; j++) {
            uint64_t v = out[j] + carry;

            out[j] = v & MASK52;
            carry = v >> 52;
        }
    }
}

IFMA static void amm3(const amm_job *jobs, size_t nl52)
{
    amm_body(jobs, nl52, 3, 1);
}

IFMA static void amm4(const amm_job *jobs, size_t nl52)
{
    amm_body(jobs, nl52, 4, 1);
}

IFMA static void amm5(const amm_job *jobs, size_t nl52)
{
    amm_body(jobs, nl52, 5, 1);
}

/* Two at once: 2 x (3 + 3 + 3) vectors fit the 32 registers. */
IFMA static void amm3x2(const amm_job *jobs, size_t nl52)
{
    amm_body(jobs, nl52, 3, 2);
}

/* 64-bit limbs (nl) to 52-bit lanes (nl52, the rest of nv vectors 0). */
static void to52(v8du *out, size_t nv, size_t nl52, const uint64_t *in,
                 size_t nl)
{
    u64_alias *o = (u64_alias *)out;

    for (size_t j = 0; j < 8 * nv; j++) {
        size_t bit = 52 * j, w = bit / 64, off = bit % 64;
        uint64_t v = 0;

        if (j < nl52 && w < nl) {
            v = in[w] >> off;
            if (off > 12 && w + 1 < nl)
                v |= in[w + 1] << (64 - off);
        }
        o[j] = v & MASK52;
    }
}

/* 52-bit lanes back to nl 64-bit limbs (the value fits in nl limbs). */
static void from52(uint64_t *out, size_t nl, const v8du *in, size_t nl52)
{
    const u64_alias *v = (const u64_alias *)in;

    memset(out, 0, nl * 8);
    for (size_t j = 0; j < nl52; j++) {
        size_t bit = 52 * j, w = bit / 64, off = bit % 64;

        if (w < nl)
            out[w] |= v[j] << off;
        if (off > 12 && w + 1 < nl)
            out[w + 1] |= v[j] >> (64 - off);
    }
}

/* Bits [bit, bit + WIN) of d (nl limbs); bit is public, d secret. */
static uint32_t window_at(const uint64_t *d, size_t nl, size_t bit)
{
    size_t w = bit / 64, off = bit % 64;
    uint64_t v = d[w] >> off;

    if (off > 64 - WIN && w + 1 < nl)
        v |= d[w + 1] << (64 - off);
    return (uint32_t)(v & (TAB - 1));
}

/* sel = tab[win], reading every entry (constant time in win). */
IFMA static void select_entry(v8du *sel, v8du tab[TAB][MAXV], size_t nv,
                              uint32_t win)
{
    for (size_t v = 0; v < nv; v++)
        sel[v] = (v8du){0};
    for (uint32_t k = 0; k < TAB; k++) {
        uint64_t mk = (uint64_t)0 - (((uint64_t)(k ^ win) - 1) >> 63);
        v8du mask = (v8du){0} + mk;

        for (size_t v = 0; v < nv; v++)
            sel[v] |= tab[k][v] & mask;
    }
}

/* The numbers of one exponentiation in radix 2^52. */
typedef struct pow_state {
    v8du tab[TAB][MAXV], mm[MAXV], acc[MAXV], sel[MAXV];
    uint64_t k0;
} pow_state;

/* Runs the product of each state's (a, b) through amm on np states. */
static void amm_all(amm_fn amm, int np, pow_state *st, size_t nl52,
                    v8du *const *r, const v8du *const *a,
                    const v8du *const *b)
{
    amm_job jobs[2];

    for (int p = 0; p < np; p++)
        jobs[p] = (amm_job){r[p], a[p], b[p], st[p].mm, st[p].k0};
    if (amm == amm3x2) {
        amm(jobs, nl52);
        return;
    }
    for (int p = 0; p < np; p++)
        amm(&jobs[p], nl52);
}

IFMA void captls_rsa_ifma_pow(const captls_rsa_ifma_job *jobs, size_t njobs,
                              size_t bits, size_t nl)
{
    pow_state st[2];
    v8du one[MAXV], rr[2][MAXV];
    size_t nl52 = CAPTLS_RSA_IFMA_LIMBS(nl), nv = (nl52 + 7) / 8;
    size_t nwin = (bits + WIN - 1) / WIN;
    int np = (int)njobs;
    amm_fn amm = nv == 3 ? (np == 2 ? amm3x2 : amm3) : nv == 4 ? amm4 : amm5;
    v8du *r[2] = {NULL, NULL}, *acc[2] = {NULL, NULL}, *sel[2] = {NULL, NULL};
    const v8du *a[2] = {NULL, NULL}, *b[2] = {NULL, NULL};

    memset(one, 0, sizeof one);
    one[0][0] = 1;
    for (int p = 0; p < np; p++) {
        to52(st[p].mm, nv, nl52, jobs[p].m, nl);
        to52(rr[p], nv, nl52, jobs[p].rr52, nl);
        to52(st[p].acc, nv, nl52, jobs[p].x, nl);
        st[p].k0 = jobs[p].m0inv & MASK52;
        acc[p] = st[p].acc;
        sel[p] = st[p].sel;
    }
    for (int p = 0; p < np; p++) { /* tab[0] = R mod m */
        r[p] = st[p].tab[0];
        a[p] = one;
        b[p] = rr[p];
    }
    amm_all(amm, np, st, nl52, r, a, b);
    for (int p = 0; p < np; p++) { /* tab[1] = x R */
        r[p] = st[p].tab[1];
        a[p] = st[p].acc;
    }
    amm_all(amm, np, st, nl52, r, a, b);
    for (unsigned k = 2; k < TAB; k++) {
        for (int p = 0; p < np; p++) {
            r[p] = st[p].tab[k];
            a[p] = st[p].tab[k - 1];
            b[p] = st[p].tab[1];
        }
        amm_all(amm, np, st, nl52, r, a, b);
    }
    for (int p = 0; p < np; p++)
        select_entry(st[p].acc, st[p].tab, nv,
                     window_at(jobs[p].d, nl, (nwin - 1) * WIN));
    for (size_t w = nwin - 1; w-- > 0;) {
        for (int s = 0; s < WIN; s++)
            amm_all(amm, np, st, nl52, acc, (const v8du *const *)acc,
                    (const v8du *const *)acc);
        for (int p = 0; p < np; p++)
            select_entry(st[p].sel, st[p].tab, nv,
                         window_at(jobs[p].d, nl, w * WIN));
        amm_all(amm, np, st, nl52, acc, (const v8du *const *)acc,
                (const v8du *const *)sel);
    }
    for (int p = 0; p < np; p++) { /* x^d, at most m */
        a[p] = st[p].acc;
        b[p] = one;
    }
    amm_all(amm, np, st, nl52, acc, a, b);
    for (int p = 0; p < np; p++) {
        uint64_t t[CAPTLS_RSA_MAX_FACTOR_LIMBS], borrow = 0;
        uint64_t *out = jobs[p].r;
        const uint64_t *m = jobs[p].m;

        from52(out, nl, st[p].acc, nl52);
        /* out = m only when x = 0 mod m: subtract m then, by mask */
        for (size_t i = 0; i < nl; i++) {
            uint64_t x = out[i], y = m[i], s = x - y - borrow;

            borrow = ((~x & y) | (~(x ^ y) & s)) >> 63;
            t[i] = s;
        }
        for (size_t i = 0; i < nl; i++)
            out[i] = (t[i] & (borrow - 1)) | (out[i] & ((uint64_t)0 - borrow));
        captls_zeroize(t, sizeof t);
    }
    captls_zeroize(st, sizeof st);
    captls_zeroize(rr, sizeof rr);
}

#endif /* CAPTLS_RSA_IFMA */
