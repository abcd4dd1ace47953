/* core/crypto/rsa_fast.c — RSA on 64-bit limbs; see rsa_fast.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/cpu.h"
#include "core/crypto/hash.h"
#include "core/crypto/rsa_fast.h"
#include "core/crypto/rsa_ifma.h"

static bool force_bearssl, force_portable, force_adx, force_no_ifma;
static void (*declassify)(const void *p, size_t n);

void captls_rsa_set_declassify(void (*fn)(const void *p, size_t n))
{
    declassify = fn;
}

void captls_rsa_force_bearssl(bool on) { force_bearssl = on; }
void captls_rsa_force_portable(bool on) { force_portable = on; }
void captls_rsa_force_adx(bool on) { force_adx = on; }
void captls_rsa_force_no_ifma(bool on) { force_no_ifma = on; }

#if CAPTLS_RSA_FAST

typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define MAXL CAPTLS_RSA_MAX_LIMBS

/* ------------------------------------------------------------ rows */

/* t[0..n) += a[0..n) * b; returns the carry word. */
#define RSA_INLINE static inline __attribute__((always_inline))

RSA_INLINE uint64_t row_c(uint64_t *t, const uint64_t *a, uint64_t b,
                           size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 z = (u128)a[i] * b + t[i] + c;
        t[i] = (uint64_t)z;
        c = (uint64_t)(z >> 64);
    }
    return c;
}

#if defined(__x86_64__)
#define RSA_ADX 1
/* The same row with mulx: CF carries the low halves, OF the high ones
 * (the high half of limb j waits in h0/h1 for limb j + 1); lea, mov and
 * jrcxz leave both flags alone. n & 3 single steps, then blocks of 4. */
#define RSA_STEP(off, hin, hout)                                            \
    "mulxq " off "(%[a]), %[lo], %[" hout "]\n\t"                           \
    "adcxq " off "(%[t]), %[lo]\n\t"                                        \
    "adoxq %[" hin "], %[lo]\n\t"                                           \
    "movq %[lo], " off "(%[t])\n\t"
RSA_INLINE uint64_t row_adx(uint64_t *t, const uint64_t *a, uint64_t b,
                             size_t n)
{
    uint64_t lo, h0, h1;
    size_t c = n & 3, q = n >> 2;
    __asm__ volatile("xorl %k[h0], %k[h0]\n\t"
                     "1:\n\t"
                     "jrcxz 2f\n\t"
                     RSA_STEP("0", "h0", "h1")
                     "movq %[h1], %[h0]\n\t"
                     "leaq 8(%[a]), %[a]\n\t"
                     "leaq 8(%[t]), %[t]\n\t"
                     "leaq -1(%[c]), %[c]\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     "movq %[q], %[c]\n"
                     "3:\n\t"
                     "jrcxz 4f\n\t"
                     RSA_STEP("0", "h0", "h1")
                     RSA_STEP("8", "h1", "h0")
                     RSA_STEP("16", "h0", "h1")
                     RSA_STEP("24", "h1", "h0")
                     "leaq 32(%[a]), %[a]\n\t"
                     "leaq 32(%[t]), %[t]\n\t"
                     "leaq -1(%[c]), %[c]\n\t"
                     "jmp 3b\n"
                     "4:\n\t"
                     "movl $0, %k[lo]\n\t"
                     "adcxq %[lo], %[h0]\n\t"
                     "adoxq %[lo], %[h0]\n\t"
                     : [a] "+r"(a), [t] "+r"(t), [c] "+c"(c), [lo] "=&r"(lo),
                       [h0] "=&r"(h0), [h1] "=&r"(h1)
                     : "d"(b), [q] "r"(q)
                     : "cc", "memory");
    return h0;
}
#else
#define RSA_ADX 0
#endif

typedef uint64_t (*row_fn)(uint64_t *, const uint64_t *, uint64_t, size_t);

static row_fn pick_row(void)
{
#if RSA_ADX
    if (!force_portable &&
        (force_adx || captls_cpu_has(CAPTLS_CPU_BMI2 | CAPTLS_CPU_ADX)))
        return row_adx;
#endif
    return row_c;
}

bool captls_rsa_uses_adx(void)
{
#if RSA_ADX
    return pick_row() == row_adx;
#else
    return false;
#endif
}

/* A modulus for Montgomery arithmetic. */
typedef struct mod {
    const uint64_t *m;
    uint64_t m0inv;
    size_t nl;
    row_fn row;
} mod;

/* ----------------------------------------------------- limb helpers */

/* r = a - b over n limbs; returns the borrow (0/1). */
static uint64_t sub_n(uint64_t *r, const uint64_t *a, const uint64_t *b,
                      size_t n)
{
    uint64_t br = 0;
    for (size_t i = 0; i < n; i++) {
        u128 z = (u128)a[i] - b[i] - br;
        r[i] = (uint64_t)z;
        br = (uint64_t)(z >> 64) & 1;
    }
    return br;
}

/* r = a + b over n limbs; returns the carry. */
static uint64_t add_n(uint64_t *r, const uint64_t *a, const uint64_t *b,
                      size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 z = (u128)a[i] + b[i] + c;
        r[i] = (uint64_t)z;
        c = (uint64_t)(z >> 64);
    }
    return c;
}

/* r = (a >= m) ? a - m : a where a has n limbs plus a top word hi (0/1);
 * constant time. r may alias a. */
static void csub_mod(uint64_t *r, const uint64_t *a, uint64_t hi,
                     const uint64_t *m, size_t n)
{
    uint64_t t[MAXL];
    uint64_t br = sub_n(t, a, m, n);
    /* keep the difference when hi == 1 or there was no borrow */
    uint64_t keep = (uint64_t)0 - ((hi | (br ^ 1)) & 1);
    for (size_t i = 0; i < n; i++)
        r[i] = (t[i] & keep) | (a[i] & ~keep);
}

/* Big-endian bytes -> n little-endian limbs (zero-extended). */
static void limbs_from_be(uint64_t *r, size_t n, const uint8_t *b, size_t len)
{
    memset(r, 0, n * 8);
    for (size_t i = 0; i < len && i < n * 8; i++)
        r[i / 8] |= (uint64_t)b[len - 1 - i] << (8 * (i % 8));
}

static void limbs_to_be(uint8_t *b, size_t len, const uint64_t *r, size_t n)
{
    for (size_t i = 0; i < len; i++)
        b[len - 1 - i] = i / 8 < n ? (uint8_t)(r[i / 8] >> (8 * (i % 8))) : 0;
}

/* -m0^-1 mod 2^64 (m0 odd). */
static uint64_t neg_inv64(uint64_t m0)
{
    uint64_t x = m0; /* correct to 3 bits */
    for (int i = 0; i < 5; i++)
        x *= 2 - m0 * x;
    return (uint64_t)0 - x;
}

static size_t limb_bits(const uint64_t *a, size_t n)
{
    while (n > 0 && a[n - 1] == 0)
        n--;
    if (n == 0)
        return 0;
    size_t b = 64 * n;
    uint64_t top = a[n - 1];
    while (!(top >> 63)) {
        top <<= 1;
        b--;
    }
    return b;
}

/* --------------------------------------------------------- Montgomery */

/* r = a * b * R^-1 mod m, a, b < m; r may alias a or b. */
RSA_INLINE void mont_mul_body(uint64_t *r, const uint64_t *a,
                              const uint64_t *b, const mod *M, row_fn row)
{
    uint64_t T[2 * MAXL + 2];
    size_t n = M->nl;

    memset(T, 0, (2 * n + 2) * 8);
    for (size_t i = 0; i < n; i++) {
        uint64_t *u = T + i;
        uint64_t c = row(u, a, b[i], n);
        u128 s = (u128)u[n] + c;
        u[n] = (uint64_t)s;
        u[n + 1] = (uint64_t)(s >> 64);
        c = row(u, M->m, u[0] * M->m0inv, n);
        s = (u128)u[n] + c;
        u[n] = (uint64_t)s;
        u[n + 1] += (uint64_t)(s >> 64);
    }
    csub_mod(r, T + n, T[2 * n], M->m, n);
}

/* r = t * R^-1 mod m for t of 2n limbs with t < m * R (Montgomery
 * reduction); t is overwritten. */
RSA_INLINE void mont_reduce_body(uint64_t *r, uint64_t *t, const mod *M,
                                 row_fn row)
{
    size_t n = M->nl;
    uint64_t top = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t c = row(t + i, M->m, t[i] * M->m0inv, n);
        u128 s = (u128)t[i + n] + c + top;
        t[i + n] = (uint64_t)s;
        top = (uint64_t)(s >> 64);
    }
    csub_mod(r, t + n, top, M->m, n);
}

/* r = a^2 * R^-1 mod m, a < m: the half product (each cross term
 * once), doubled, plus the squares, then one reduction. r may alias a. */
RSA_INLINE void mont_sqr_body(uint64_t *r, const uint64_t *a, const mod *M,
                              row_fn row)
{
    uint64_t T[2 * MAXL + 2];
    size_t n = M->nl;
    uint64_t c = 0;

    memset(T, 0, (2 * n + 2) * 8);
    for (size_t i = 0; i + 1 < n; i++)
        T[i + n] = row(T + 2 * i + 1, a + i + 1, a[i], n - i - 1);
    for (size_t i = 0; i < 2 * n; i++) {
        uint64_t top = T[i] >> 63;
        T[i] = (T[i] << 1) | c;
        c = top;
    }
    c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 sq = (u128)a[i] * a[i];
        u128 z = (u128)T[2 * i] + (uint64_t)sq + c;
        T[2 * i] = (uint64_t)z;
        z = (u128)T[2 * i + 1] + (uint64_t)(sq >> 64) + (uint64_t)(z >> 64);
        T[2 * i + 1] = (uint64_t)z;
        c = (uint64_t)(z >> 64);
    }
    mont_reduce_body(r, T, M, row);
}

/* The bodies above with each row function inlined; the entry points pick
 * one per call from M->row. */
#if RSA_ADX
static void mont_mul_adx(uint64_t *r, const uint64_t *a, const uint64_t *b,
                         const mod *M)
{
    mont_mul_body(r, a, b, M, row_adx);
}
static void mont_reduce_adx(uint64_t *r, uint64_t *t, const mod *M)
{
    mont_reduce_body(r, t, M, row_adx);
}
static void mont_sqr_adx(uint64_t *r, const uint64_t *a, const mod *M)
{
    mont_sqr_body(r, a, M, row_adx);
}
#endif
static void mont_mul_c(uint64_t *r, const uint64_t *a, const uint64_t *b,
                       const mod *M)
{
    mont_mul_body(r, a, b, M, row_c);
}
static void mont_reduce_c(uint64_t *r, uint64_t *t, const mod *M)
{
    mont_reduce_body(r, t, M, row_c);
}
static void mont_sqr_c(uint64_t *r, const uint64_t *a, const mod *M)
{
    mont_sqr_body(r, a, M, row_c);
}

/* r = a * b * R^-1 mod m, a, b < m; r may alias a or b. */
static void mont_mul(uint64_t *r, const uint64_t *a, const uint64_t *b,
                     const mod *M)
{
#if RSA_ADX
    if (M->row == row_adx) {
        mont_mul_adx(r, a, b, M);
        return;
    }
#endif
    mont_mul_c(r, a, b, M);
}

/* r = t * R^-1 mod m for t of 2n limbs with t < m * R; t is overwritten. */
static void mont_reduce(uint64_t *r, uint64_t *t, const mod *M)
{
#if RSA_ADX
    if (M->row == row_adx) {
        mont_reduce_adx(r, t, M);
        return;
    }
#endif
    mont_reduce_c(r, t, M);
}

/* r = a^2 * R^-1 mod m, a < m; r may alias a. */
static void mont_sqr(uint64_t *r, const uint64_t *a, const mod *M)
{
#if RSA_ADX
    if (M->row == row_adx) {
        mont_sqr_adx(r, a, M);
        return;
    }
#endif
    mont_sqr_c(r, a, M);
}

/* R^2 mod m (public m; variable time). Doubling from 2^(bits-1) up to
 * 2^(64n + t) mod m = Montgomery form of 2^t, then j squarings with
 * t * 2^j = 64n. */
static void compute_rr(uint64_t *rr, const mod *M)
{
    size_t n = M->nl, bits = limb_bits(M->m, n), t = 64 * n, j = 0;
    uint64_t x[MAXL];

    while (t % 2 == 0 && t / 2 >= 64) {
        t /= 2;
        j++;
    }
    memset(x, 0, sizeof x);
    x[(bits - 1) / 64] = (uint64_t)1 << ((bits - 1) % 64);
    for (size_t k = bits - 1; k < 64 * n + t; k++) {
        uint64_t hi = x[n - 1] >> 63;
        for (size_t i = n - 1; i > 0; i--)
            x[i] = (x[i] << 1) | (x[i - 1] >> 63);
        x[0] <<= 1;
        csub_mod(x, x, hi, M->m, n);
    }
    for (size_t k = 0; k < j; k++)
        mont_sqr(x, x, M);
    memcpy(rr, x, n * 8);
}

/* Montgomery one (R mod m) from R^2. */
static void mont_one(uint64_t *r, const uint64_t *rr, const mod *M)
{
    uint64_t one[MAXL];
    memset(one, 0, M->nl * 8);
    one[0] = 1;
    mont_mul(r, rr, one, M);
}

/* r = x^e in the Montgomery domain (xm = x R, r = x^e R); e public,
 * variable time in e only. e >= 1. */
static void mont_pow_pub(uint64_t *r, const uint64_t *xm, uint32_t e,
                         const mod *M)
{
    uint64_t acc[MAXL];
    int top = 31;

    while (!((e >> top) & 1))
        top--;
    memcpy(acc, xm, M->nl * 8);
    for (int b = top - 1; b >= 0; b--) {
        mont_sqr(acc, acc, M);
        if ((e >> b) & 1)
            mont_mul(acc, acc, xm, M);
    }
    memcpy(r, acc, M->nl * 8);
}

#define WIN 4
#define TAB (1u << WIN)

/* r = x^d in the Montgomery domain, d secret with at most `bits` bits
 * (bits public). Constant time: fixed window, every window reads the
 * whole table with masks. */
static void mont_pow_ct(uint64_t *r, const uint64_t *xm, const uint64_t *d,
                        size_t bits, const uint64_t *one, const mod *M)
{
    uint64_t tab[TAB][CAPTLS_RSA_MAX_FACTOR_LIMBS], acc[MAXL], sel[MAXL];
    size_t n = M->nl, nwin = (bits + WIN - 1) / WIN;

    memcpy(tab[0], one, n * 8);
    memcpy(tab[1], xm, n * 8);
    for (unsigned k = 2; k < TAB; k++)
        mont_mul(tab[k], tab[k - 1], xm, M);
    memcpy(acc, one, n * 8);
    for (size_t w = nwin; w-- > 0;) {
        size_t bit = w * WIN;
        uint64_t win = (d[bit / 64] >> (bit % 64)) & (TAB - 1);
        if (w != nwin - 1)
            for (int s = 0; s < WIN; s++)
                mont_sqr(acc, acc, M);
        memset(sel, 0, n * 8);
        for (unsigned k = 0; k < TAB; k++) {
            uint64_t mask = (uint64_t)0 - (((k ^ win) - 1) >> 63);
            for (size_t i = 0; i < n; i++)
                sel[i] |= tab[k][i] & mask;
        }
        mont_mul(acc, acc, sel, M);
    }
    memcpy(r, acc, n * 8);
    captls_zeroize(tab, sizeof tab);
    captls_zeroize(sel, sizeof sel);
    captls_zeroize(acc, sizeof acc);
}

/* ------------------------------------------- inverse (Bernstein-Yang) */

/* Constant-time modular inversion by divsteps (Bernstein and Yang,
 * "Fast constant-time gcd computation and modular inversion", 2019),
 * in the form of libsecp256k1's modinv64: signed 62-bit limbs, 59
 * divsteps per batch, the transition matrix applied to (f, g) and to the
 * Bezout coefficients (d, e) reduced mod m on the fly. */
#define L62 (MAXL * 64 / 62 + 2)
static const uint64_t M62 = UINT64_MAX >> 2;

typedef struct trans {
    int64_t u, v, q, r;
} trans;

static int64_t divsteps_59(int64_t zeta, uint64_t f0, uint64_t g0, trans *t)
{
    uint64_t u = 8, v = 0, q = 0, r = 8;
    volatile uint64_t c1, c2;
    uint64_t mask1, mask2, f = f0, g = g0, x, y, z;

    for (int i = 3; i < 62; i++) {
        c1 = (uint64_t)(zeta >> 63);
        mask1 = c1;
        c2 = g & 1;
        mask2 = (uint64_t)0 - c2;
        x = (f ^ mask1) - mask1;
        y = (u ^ mask1) - mask1;
        z = (v ^ mask1) - mask1;
        g += x & mask2;
        q += y & mask2;
        r += z & mask2;
        mask1 &= mask2;
        zeta = (int64_t)(((uint64_t)zeta ^ mask1) - 1);
        f += g & mask1;
        u += q & mask1;
        v += r & mask1;
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    t->u = (int64_t)u;
    t->v = (int64_t)v;
    t->q = (int64_t)q;
    t->r = (int64_t)r;
    return zeta;
}

static void update_de(int64_t *d, int64_t *e, const trans *t,
                      const int64_t *m, uint64_t minv62, size_t L)
{
    const int64_t u = t->u, v = t->v, q = t->q, r = t->r;
    int64_t sd = d[L - 1] >> 63, se = e[L - 1] >> 63;
    int64_t md = (u & sd) + (v & se), me = (q & sd) + (r & se);
    i128 cd = (i128)u * d[0] + (i128)v * e[0];
    i128 ce = (i128)q * d[0] + (i128)r * e[0];

    md -= (int64_t)((minv62 * (uint64_t)cd + (uint64_t)md) & M62);
    me -= (int64_t)((minv62 * (uint64_t)ce + (uint64_t)me) & M62);
    cd += (i128)m[0] * md;
    ce += (i128)m[0] * me;
    cd >>= 62;
    ce >>= 62;
    for (size_t i = 1; i < L; i++) {
        cd += (i128)u * d[i] + (i128)v * e[i] + (i128)m[i] * md;
        ce += (i128)q * d[i] + (i128)r * e[i] + (i128)m[i] * me;
        d[i - 1] = (int64_t)((uint64_t)cd & M62);
        e[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd >>= 62;
        ce >>= 62;
    }
    d[L - 1] = (int64_t)cd;
    e[L - 1] = (int64_t)ce;
}

static void update_fg(int64_t *f, int64_t *g, const trans *t, size_t L)
{
    const int64_t u = t->u, v = t->v, q = t->q, r = t->r;
    i128 cf = (i128)u * f[0] + (i128)v * g[0];
    i128 cg = (i128)q * f[0] + (i128)r * g[0];

    cf >>= 62;
    cg >>= 62;
    for (size_t i = 1; i < L; i++) {
        cf += (i128)u * f[i] + (i128)v * g[i];
        cg += (i128)q * f[i] + (i128)r * g[i];
        f[i - 1] = (int64_t)((uint64_t)cf & M62);
        g[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f[L - 1] = (int64_t)cf;
    g[L - 1] = (int64_t)cg;
}

static void propagate62(int64_t *a, size_t L)
{
    for (size_t i = 0; i + 1 < L; i++) {
        a[i + 1] += a[i] >> 62;
        a[i] &= (int64_t)M62;
    }
}

/* d from (-2m, m) to [0, m), negated first when sign < 0. */
static void normalize62(int64_t *d, int64_t sign, const int64_t *m, size_t L)
{
    int64_t add = d[L - 1] >> 63, neg = sign >> 63;
    for (size_t i = 0; i < L; i++)
        d[i] += m[i] & add;
    for (size_t i = 0; i < L; i++)
        d[i] = (d[i] ^ neg) - neg;
    propagate62(d, L);
    add = d[L - 1] >> 63;
    for (size_t i = 0; i < L; i++)
        d[i] += m[i] & add;
    propagate62(d, L);
}

static void to62(int64_t *r, size_t L, const uint64_t *a, size_t nl)
{
    for (size_t i = 0; i < L; i++) {
        size_t bit = 62 * i, w = bit / 64, s = bit % 64;
        uint64_t v = w < nl ? a[w] >> s : 0;
        if (s > 2 && w + 1 < nl)
            v |= a[w + 1] << (64 - s);
        r[i] = (int64_t)(v & M62);
    }
}

static void from62(uint64_t *r, size_t nl, const int64_t *a, size_t L)
{
    memset(r, 0, nl * 8);
    for (size_t i = 0; i < L; i++) {
        size_t bit = 62 * i, w = bit / 64, s = bit % 64;
        uint64_t v = (uint64_t)a[i] & M62;
        if (w < nl)
            r[w] |= v << s;
        if (s > 2 && w + 1 < nl)
            r[w + 1] |= v >> (64 - s);
    }
}

bool captls_rsa_fast_modinv(uint64_t *out, const uint64_t *x,
                            const uint64_t *m, size_t nl)
{
    int64_t d[L62], e[L62], f[L62], g[L62], m62[L62];
    size_t L = nl * 64 / 62 + 2, bits = 64 * nl;
    size_t steps = (49 * bits + 57) / 17 + 1, batches = (steps + 58) / 59;
    uint64_t minv = (uint64_t)0 - neg_inv64(m[0]); /* m^-1 mod 2^64 */
    int64_t zeta = -1;
    uint64_t ok;

    to62(m62, L, m, nl);
    to62(g, L, x, nl);
    memcpy(f, m62, L * 8);
    memset(d, 0, L * 8);
    memset(e, 0, L * 8);
    e[0] = 1;
    for (size_t b = 0; b < batches; b++) {
        trans t;
        zeta = divsteps_59(zeta, (uint64_t)f[0], (uint64_t)g[0], &t);
        update_de(d, e, &t, m62, minv & M62, L);
        update_fg(f, g, &t, L);
    }
    /* f = +-gcd: x is invertible iff f is 1 (limbs 1, 0, ..., 0) or -1
     * (limbs M62, ..., M62, -1 on top) */
    {
        int64_t sign = f[L - 1] >> 63;
        uint64_t acc = (uint64_t)f[0] ^ (((uint64_t)sign & M62) |
                                         (~(uint64_t)sign & 1));
        for (size_t i = 1; i + 1 < L; i++)
            acc |= (uint64_t)f[i] ^ ((uint64_t)sign & M62);
        acc |= (uint64_t)(f[L - 1] ^ sign);
        ok = ((acc | ((uint64_t)0 - acc)) >> 63) ^ 1;
        normalize62(d, f[L - 1], m62, L);
    }
    from62(out, nl, d, L);
    {
        uint64_t mask = (uint64_t)0 - ok;
        for (size_t i = 0; i < nl; i++)
            out[i] &= mask;
    }
    captls_zeroize(d, sizeof d);
    captls_zeroize(e, sizeof e);
    captls_zeroize(f, sizeof f);
    captls_zeroize(g, sizeof g);
    return ok != 0;
}

/* ------------------------------------------------------------ keys */

static size_t limbs_for(size_t bytes) { return (bytes + 7) / 8; }

void captls_rsa_fast_pub_init(captls_rsa_public_key *key)
{
    captls_rsa_fast_pub *f = &key->fast;
    uint32_t e = 0;

    memset(f, 0, sizeof *f);
    if (key->n_len == 0 || key->n_len > CAPTLS_RSA_MAX_BYTES)
        return;
    for (size_t i = 0; i < key->e_len; i++)
        e = (e << 8) | key->e[i];
    f->nl = (uint32_t)limbs_for(key->n_len);
    limbs_from_be(f->n, f->nl, key->n, key->n_len);
    f->n0inv = neg_inv64(f->n[0]);
    f->e = e;
    {
        mod M = {f->n, f->n0inv, f->nl, row_c};
        compute_rr(f->rr, &M);
    }
}

bool captls_rsa_fast_pub_ready(const captls_rsa_public_key *key)
{
    return !force_bearssl && key->fast.nl != 0;
}

bool captls_rsa_fast_priv_ready(const captls_rsa_private_key *key)
{
    return !force_bearssl && key->fast.ok == 1 && key->pub.fast.nl != 0;
}

static void mod_of_pub(mod *M, const captls_rsa_public_key *key)
{
    M->m = key->fast.n;
    M->m0inv = key->fast.n0inv;
    M->nl = key->fast.nl;
    M->row = pick_row();
}

static void mod_of_factor(mod *M, const captls_rsa_fast_factor *f, row_fn row)
{
    M->m = f->m;
    M->m0inv = f->m0inv;
    M->nl = f->nl;
    M->row = row;
}

static bool factor_init(captls_rsa_fast_factor *f, const uint8_t *m,
                        size_t m_len, const uint8_t *d, size_t d_len)
{
    mod M;

    memset(f, 0, sizeof *f);
    f->nl = (uint32_t)limbs_for(m_len);
    if (f->nl == 0 || f->nl > CAPTLS_RSA_MAX_FACTOR_LIMBS ||
        limbs_for(d_len) > f->nl || !(m[m_len - 1] & 1))
        return false;
    limbs_from_be(f->m, f->nl, m, m_len);
    limbs_from_be(f->d, f->nl, d, d_len);
    f->bits = (uint32_t)limb_bits(f->m, f->nl);
    f->m0inv = neg_inv64(f->m[0]);
    mod_of_factor(&M, f, row_c);
    compute_rr(f->rr, &M);
    return true;
}

bool captls_rsa_fast_priv_init(captls_rsa_private_key *key)
{
    captls_rsa_fast_priv *f = &key->fast;
    uint64_t t[2 * MAXL], x[MAXL];
    captls_hash_ctx h;
    uint8_t dig[CAPTLS_HASH_MAX_SIZE];
    mod M;
    bool ok;

    memset(f, 0, sizeof *f);
    if (key->pub.fast.nl == 0)
        return false;
    ok = factor_init(&f->p, key->p, key->p_len, key->dp, key->dp_len) &&
         factor_init(&f->q, key->q, key->q_len, key->dq, key->dq_len);
    /* The reductions below need x < n <= p * 2^(64 nl_p) (and the same
     * for q), i.e. bits(q) <= 64 nl_p and bits(p) <= 64 nl_q, and dp < p,
     * dq < q (limb_bits, public sizes). */
    ok = ok && f->q.bits <= 64 * f->p.nl && f->p.bits <= 64 * f->q.nl &&
         limb_bits(f->p.d, f->p.nl) <= f->p.bits &&
         limb_bits(f->q.d, f->q.nl) <= f->q.bits &&
         key->iq_len <= 8 * (size_t)f->p.nl;
    if (ok) {
        /* qInv * R mod p: reduce qInv (< R_p, maybe >= p), giving
         * qInv R^-1, then two multiplications by R^2. */
        mod_of_factor(&M, &f->p, row_c);
        memset(t, 0, sizeof t);
        limbs_from_be(t, 2 * M.nl, key->iq, key->iq_len);
        mont_reduce(x, t, &M);
        mont_mul(x, x, f->p.rr, &M);
        mont_mul(f->iq_m, x, f->p.rr, &M);
        /* the blinding seed: a secret that only this key knows */
        ok = captls_hash_init(&h, CAPTLS_HASH_SHA512) == CAPTLS_OK;
        if (ok) {
            static const uint8_t label[] = "captls rsa blinding seed";
            captls_hash_update(&h, label, sizeof label);
            captls_hash_update(&h, key->p, key->p_len);
            captls_hash_update(&h, key->q, key->q_len);
            captls_hash_update(&h, key->dp, key->dp_len);
            captls_hash_update(&h, key->dq, key->dq_len);
            ok = captls_hash_final(&h, dig) == 64;
            memcpy(f->blind_seed, dig, sizeof f->blind_seed);
        }
    }
    captls_zeroize(t, sizeof t);
    captls_zeroize(x, sizeof x);
    captls_zeroize(dig, sizeof dig);
    if (!ok) {
        captls_zeroize(f, sizeof *f);
        return false;
    }
    f->ok = 1;
    return true;
}

/* ------------------------------------------------------ operations */

/* a < m over n limbs (public data: variable time is fine here). */
static bool less_than(const uint64_t *a, const uint64_t *m, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (a[i] != m[i])
            return a[i] < m[i];
    return false;
}

/* x^e mod n on limbs, x < n; r may alias x. */
static void pub_op(uint64_t *r, const uint64_t *x, const uint64_t *rr,
                   const mod *M, uint32_t e)
{
    uint64_t xm[MAXL], one[MAXL];

    mont_mul(xm, x, rr, M);
    mont_pow_pub(xm, xm, e, M);
    memset(one, 0, M->nl * 8);
    one[0] = 1;
    mont_mul(r, xm, one, M);
}

bool captls_rsa_fast_public(const captls_rsa_public_key *key, uint8_t *x)
{
    uint64_t v[MAXL];
    mod M;

    mod_of_pub(&M, key);
    limbs_from_be(v, M.nl, x, key->n_len);
    if (!less_than(v, M.m, M.nl))
        return false;
    pub_op(v, v, key->fast.rr, &M, key->fast.e);
    limbs_to_be(x, key->n_len, v, M.nl);
    return true;
}

bool captls_rsa_uses_ifma(size_t factor_limbs)
{
#if CAPTLS_RSA_IFMA
    size_t nv = (CAPTLS_RSA_IFMA_LIMBS(factor_limbs) + 7) / 8;

    /* rsa_ifma.c has instances for 3 to 5 vectors: 1024-2048-bit p */
    return !force_portable && !force_no_ifma && nv >= 3 && nv <= 5 &&
           factor_limbs <= CAPTLS_RSA_MAX_FACTOR_LIMBS &&
           captls_cpu_has(CAPTLS_CPU_AVX512F | CAPTLS_CPU_AVX512IFMA);
#else
    (void)factor_limbs;
    return false;
#endif
}

#if CAPTLS_RSA_IFMA
/* rsa_ifma.h's rr52 = 2^(104 NL) mod p from f->rr = 2^(128 nl) mod p by
 * modular doublings (p public: the count is a function of its size). */
static void ifma_rr(uint64_t *rr52, const captls_rsa_fast_factor *f)
{
    size_t n = f->nl, k = 104 * CAPTLS_RSA_IFMA_LIMBS(n) - 128 * n;

    memcpy(rr52, f->rr, n * 8);
    while (k-- > 0) {
        uint64_t hi = rr52[n - 1] >> 63;

        for (size_t i = n - 1; i > 0; i--)
            rr52[i] = (rr52[i] << 1) | (rr52[i - 1] >> 63);
        rr52[0] <<= 1;
        csub_mod(rr52, rr52, hi, f->m, n);
    }
}
#endif

/* xr = x mod p, fully reduced, for one CRT half; x has xl limbs (xl <=
 * 2 nl_p). */
static void crt_input(uint64_t *xr, const uint64_t *x, size_t xl,
                      const captls_rsa_fast_factor *f, const mod *M)
{
    uint64_t t[2 * MAXL];

    memset(t, 0, 2 * M->nl * 8);
    memcpy(t, x, xl * 8);
    mont_reduce(xr, t, M);        /* x R^-1 */
    mont_mul(xr, xr, f->rr, M);   /* x */
    captls_zeroize(t, sizeof t);
}

/* r = x^d mod p for one CRT half; x has xl limbs (xl <= 2 nl_p). */
static void crt_half(uint64_t *r, const uint64_t *x, size_t xl,
                     const captls_rsa_fast_factor *f, row_fn row)
{
    uint64_t xm[MAXL], one[MAXL];
    mod M;

    mod_of_factor(&M, f, row);
    crt_input(xm, x, xl, f, &M);
#if CAPTLS_RSA_IFMA
    if (captls_rsa_uses_ifma(M.nl)) {
        uint64_t rr52[CAPTLS_RSA_MAX_FACTOR_LIMBS];
        captls_rsa_ifma_job job = {r, xm, f->d, f->m, rr52, f->m0inv};

        ifma_rr(rr52, f);
        captls_rsa_ifma_pow(&job, 1, f->bits, M.nl);
        captls_zeroize(xm, sizeof xm);
        return;
    }
#endif
    mont_mul(xm, xm, f->rr, &M);     /* x R */
    mont_one(one, f->rr, &M);
    mont_pow_ct(xm, xm, f->d, f->bits, one, &M); /* x^d R */
    memset(one, 0, M.nl * 8);
    one[0] = 1;
    mont_mul(r, xm, one, &M);        /* x^d */
    captls_zeroize(xm, sizeof xm);
}

/* sp = x^dp mod p and sq = x^dq mod q; x has xl limbs. Factors of one
 * size run their exponentiations interleaved on AVX-512 IFMA. */
static void crt_halves(uint64_t *sp, uint64_t *sq, const uint64_t *x,
                       size_t xl, const captls_rsa_fast_factor *P,
                       const captls_rsa_fast_factor *Q, row_fn row)
{
#if CAPTLS_RSA_IFMA
    if (P->nl == Q->nl && captls_rsa_uses_ifma(P->nl)) {
        uint64_t xp[MAXL], xq[MAXL], rp[CAPTLS_RSA_MAX_FACTOR_LIMBS],
            rq[CAPTLS_RSA_MAX_FACTOR_LIMBS];
        captls_rsa_ifma_job jobs[2] = {{sp, xp, P->d, P->m, rp, P->m0inv},
                                       {sq, xq, Q->d, Q->m, rq, Q->m0inv}};
        mod Mp, Mq;

        mod_of_factor(&Mp, P, row);
        mod_of_factor(&Mq, Q, row);
        crt_input(xp, x, xl, P, &Mp);
        crt_input(xq, x, xl, Q, &Mq);
        ifma_rr(rp, P);
        ifma_rr(rq, Q);
        /* the larger bit count: d of the other has leading zero windows */
        captls_rsa_ifma_pow(jobs, 2, P->bits > Q->bits ? P->bits : Q->bits,
                            P->nl);
        captls_zeroize(xp, sizeof xp);
        captls_zeroize(xq, sizeof xq);
        return;
    }
#endif
    crt_half(sp, x, xl, P, row);
    crt_half(sq, x, xl, Q, row);
}

/* The blinding value r in [1, n): SHA-512 blocks of seed || fresh ||
 * input || counter, top bits cleared below bits(n) - 1. */
static captls_result blind_value(uint64_t *r, const captls_rsa_private_key *key,
                                 const uint8_t *x, uint32_t attempt)
{
    uint8_t buf[CAPTLS_RSA_MAX_BYTES + 64], fresh[32];
    size_t k = key->pub.n_len, done = 0;
    captls_hash_ctx h;
    uint32_t ctr = 0;

    memset(fresh, 0, sizeof fresh);
    if (key->blind_entropy.fill != NULL &&
        key->blind_entropy.fill(key->blind_entropy.ctx, fresh,
                                sizeof fresh) != CAPTLS_OK) {
        captls_zeroize(fresh, sizeof fresh);
        return CAPTLS_ERR_ENTROPY_FAILURE;
    }
    while (done < k) {
        uint8_t c[8] = {(uint8_t)(attempt >> 24), (uint8_t)(attempt >> 16),
                        (uint8_t)(attempt >> 8), (uint8_t)attempt,
                        (uint8_t)(ctr >> 24), (uint8_t)(ctr >> 16),
                        (uint8_t)(ctr >> 8), (uint8_t)ctr};
        CAPTLS_TRY(captls_hash_init(&h, CAPTLS_HASH_SHA512));
        captls_hash_update(&h, key->fast.blind_seed,
                           sizeof key->fast.blind_seed);
        captls_hash_update(&h, fresh, sizeof fresh);
        captls_hash_update(&h, x, k);
        captls_hash_update(&h, c, sizeof c);
        (void)captls_hash_final(&h, buf + done);
        done += 64;
        ctr++;
    }
    /* r < 2^(bits(n) - 1) < n */
    limbs_from_be(r, key->pub.fast.nl, buf, k);
    {
        size_t bits = key->pub.bits - 1, nl = key->pub.fast.nl;
        for (size_t i = 0; i < nl; i++) {
            if (64 * i >= bits)
                r[i] = 0;
            else if (64 * (i + 1) > bits)
                r[i] &= ((uint64_t)1 << (bits - 64 * i)) - 1;
        }
        r[0] |= 1; /* never zero */
    }
    captls_zeroize(buf, sizeof buf);
    captls_zeroize(fresh, sizeof fresh);
    return CAPTLS_OK;
}

captls_result captls_rsa_fast_private(const captls_rsa_private_key *key,
                                      uint8_t *x)
{
    const captls_rsa_fast_priv *f = &key->fast;
    const captls_rsa_fast_factor *P = &f->p, *Q = &f->q;
    uint64_t m[MAXL], mb[MAXL], r[MAXL], rinv[MAXL], t[MAXL], sp[MAXL],
        sq[MAXL], w[2 * MAXL], s[MAXL];
    mod N, Mp;
    size_t nl = key->pub.fast.nl, k = key->pub.n_len;
    captls_result res = CAPTLS_OK;
    uint32_t attempt = 0;
    bool inv, same;

    mod_of_pub(&N, &key->pub);
    limbs_from_be(m, nl, x, k);
    if (!less_than(m, N.m, nl))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* r with an inverse mod n (all r < n but multiples of p or q) */
    do {
        res = blind_value(r, key, x, attempt++);
        if (res != CAPTLS_OK)
            goto out;
        inv = captls_rsa_fast_modinv(rinv, r, N.m, nl);
        if (declassify != NULL)
            declassify(&inv, sizeof inv);
    } while (!inv && attempt < 4);
    if (!inv) {
        res = CAPTLS_ERR_INTERNAL;
        goto out;
    }
    /* mb = m * r^e mod n */
    mont_mul(t, r, key->pub.fast.rr, &N);
    mont_pow_pub(t, t, key->pub.fast.e, &N);
    mont_mul(mb, m, t, &N);
    /* the CRT halves */
    crt_halves(sp, sq, mb, nl, P, Q, N.row);
    /* Garner: h = (sp - sq) qInv mod p, s = sq + q h */
    mod_of_factor(&Mp, P, N.row);
    memset(w, 0, 2 * Mp.nl * 8);
    memcpy(w, sq, Q->nl * 8);
    mont_reduce(t, w, &Mp);            /* sq R^-1 mod p */
    mont_mul(t, t, P->rr, &Mp);        /* sq mod p */
    {
        uint64_t br = sub_n(sp, sp, t, Mp.nl), c[CAPTLS_RSA_MAX_FACTOR_LIMBS];
        uint64_t mask = (uint64_t)0 - br;
        for (size_t i = 0; i < Mp.nl; i++)
            c[i] = P->m[i] & mask;
        (void)add_n(sp, sp, c, Mp.nl);
    }
    mont_mul(t, sp, f->iq_m, &Mp);     /* h < p */
    memset(w, 0, sizeof w);
    for (size_t i = 0; i < Mp.nl; i++)
        w[i + Q->nl] = N.row(w + i, Q->m, t[i], Q->nl);
    memset(s, 0, nl * 8);
    memcpy(s, sq, Q->nl * 8);
    (void)add_n(s, w, s, nl);          /* < n: no carry out */
    /* unblind: s = s' r^-1 */
    mont_mul(t, rinv, key->pub.fast.rr, &N);
    mont_mul(s, s, t, &N);
    /* RFC 8017 does not require it, but a faulty CRT half would give a
     * factor of n away (Boneh-DeMillo-Lipton): s^e must be m. */
    pub_op(t, s, key->pub.fast.rr, &N, key->pub.fast.e);
    same = captls_ct_equal((const uint8_t *)t, (const uint8_t *)m, nl * 8);
    if (declassify != NULL)
        declassify(&same, sizeof same);
    if (!same) {
        res = CAPTLS_ERR_INTERNAL;
        goto out;
    }
    limbs_to_be(x, k, s, nl);
out:
    captls_zeroize(m, sizeof m);
    captls_zeroize(mb, sizeof mb);
    captls_zeroize(r, sizeof r);
    captls_zeroize(rinv, sizeof rinv);
    captls_zeroize(t, sizeof t);
    captls_zeroize(sp, sizeof sp);
    captls_zeroize(sq, sizeof sq);
    captls_zeroize(w, sizeof w);
    captls_zeroize(s, sizeof s);
    return res;
}

#else /* !CAPTLS_RSA_FAST */

void captls_rsa_fast_pub_init(captls_rsa_public_key *key)
{
    memset(&key->fast, 0, sizeof key->fast);
}

bool captls_rsa_fast_priv_init(captls_rsa_private_key *key)
{
    memset(&key->fast, 0, sizeof key->fast);
    return false;
}

bool captls_rsa_fast_pub_ready(const captls_rsa_public_key *key)
{
    (void)key;
    return false;
}

bool captls_rsa_fast_priv_ready(const captls_rsa_private_key *key)
{
    (void)key;
    return false;
}

bool captls_rsa_fast_public(const captls_rsa_public_key *key, uint8_t *x)
{
    (void)key;
    (void)x;
    return false;
}

captls_result captls_rsa_fast_private(const captls_rsa_private_key *key,
                                      uint8_t *x)
{
    (void)key;
    (void)x;
    return CAPTLS_ERR_UNSUPPORTED;
}

bool captls_rsa_uses_adx(void) { return false; }
bool captls_rsa_uses_ifma(size_t factor_limbs)
{
    (void)factor_limbs;
    return false;
}

bool captls_rsa_fast_modinv(uint64_t *out, const uint64_t *x,
                            const uint64_t *m, size_t nl)
{
    (void)x;
    (void)m;
    memset(out, 0, nl * 8);
    return false;
}

#endif
