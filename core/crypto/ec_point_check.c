/* core/crypto/ec_point_check.c — on-curve checks for P-256 and P-384; see
 * ec_point_check.h. Arithmetic modulo p on 32-bit little-endian limbs:
 * modular addition/subtraction and Montgomery multiplication (CIOS, Koç et
 * al. 1996), generic in the number of limbs. Variable time (public data).
 */
#include "core/crypto/ec_point_check.h"

#include <stddef.h>
#include <string.h>

#define MAX_LIMBS 12u /* P-384 */

/* FIPS 186-4 §D.1.2.3 (P-256) and §D.1.2.4 (P-384), a = -3:
 * p and b, big-endian. */
static const uint8_t p256_p[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t p256_b[32] = {
    0x5A, 0xC6, 0x35, 0xD8, 0xAA, 0x3A, 0x93, 0xE7, 0xB3, 0xEB, 0xBD,
    0x55, 0x76, 0x98, 0x86, 0xBC, 0x65, 0x1D, 0x06, 0xB0, 0xCC, 0x53,
    0xB0, 0xF6, 0x3B, 0xCE, 0x3C, 0x3E, 0x27, 0xD2, 0x60, 0x4B};
static const uint8_t p384_p[48] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t p384_b[48] = {
    0xB3, 0x31, 0x2F, 0xA7, 0xE2, 0x3E, 0xE7, 0xE4, 0x98, 0x8E, 0x05, 0x6B,
    0xE3, 0xF8, 0x2D, 0x19, 0x18, 0x1D, 0x9C, 0x6E, 0xFE, 0x81, 0x41, 0x12,
    0x03, 0x14, 0x08, 0x8F, 0x50, 0x13, 0x87, 0x5A, 0xC6, 0x56, 0x39, 0x8D,
    0x8A, 0x2E, 0xD1, 0x9D, 0x2A, 0x85, 0xC8, 0xED, 0xD3, 0xEC, 0x2A, 0xEF};

/* An n-limb modulus with its Montgomery constant -p^-1 mod 2^32. */
typedef struct modulus {
    size_t n;
    uint32_t p[MAX_LIMBS];
    uint32_t n0;
} modulus;

/* r = the 4n big-endian bytes `be`, as n little-endian limbs. */
static void decode(uint32_t *r, const uint8_t *be, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *q = be + 4 * (n - 1 - i);
        r[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
               (uint32_t)q[2] << 8 | (uint32_t)q[3];
    }
}

/* a < b (n limbs) */
static bool less(const uint32_t *a, const uint32_t *b, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (a[i] != b[i])
            return a[i] < b[i];
    return false;
}

/* r = a - b; returns the borrow (0 or 1). r may alias a or b. */
static uint32_t sub(uint32_t *r, const uint32_t *a, const uint32_t *b,
                    size_t n)
{
    uint32_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)a[i] - b[i] - borrow;
        r[i] = (uint32_t)d;
        borrow = (uint32_t)(d >> 32) & 1; /* 1 when it wrapped */
    }
    return borrow;
}

/* r = a + b; returns the carry (0 or 1). r may alias a or b. */
static uint32_t add(uint32_t *r, const uint32_t *a, const uint32_t *b,
                    size_t n)
{
    uint32_t carry = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t s = (uint64_t)a[i] + b[i] + carry;
        r[i] = (uint32_t)s;
        carry = (uint32_t)(s >> 32);
    }
    return carry;
}

/* r = a + b mod p, for a, b < p. */
static void add_mod(const modulus *m, uint32_t *r, const uint32_t *a,
                    const uint32_t *b)
{
    /* a + b < 2p: one subtraction of p suffices. */
    if (add(r, a, b, m->n) != 0 || !less(r, m->p, m->n))
        (void)sub(r, r, m->p, m->n);
}

/* r = a - b mod p, for a, b < p. */
static void sub_mod(const modulus *m, uint32_t *r, const uint32_t *a,
                    const uint32_t *b)
{
    /* -p < a - b < p: one addition of p suffices. */
    if (sub(r, a, b, m->n) != 0)
        (void)add(r, r, m->p, m->n);
}

/* r = a * b * 2^(-32n) mod p, for a, b < p (CIOS Montgomery product).
 * Each step of the inner loops is at most
 * (2^32-1) + (2^32-1)^2 + (2^32-1) = 2^64 - 1: no overflow. */
static void mont_mul(const modulus *m, uint32_t *r, const uint32_t *a,
                     const uint32_t *b)
{
    size_t n = m->n;
    uint32_t t[MAX_LIMBS + 2];
    memset(t, 0, sizeof t);
    for (size_t i = 0; i < n; i++) {
        /* t += a * b[i] */
        uint64_t c = 0;
        for (size_t j = 0; j < n; j++) {
            c += (uint64_t)t[j] + (uint64_t)a[j] * b[i];
            t[j] = (uint32_t)c;
            c >>= 32;
        }
        c += t[n];
        t[n] = (uint32_t)c;
        t[n + 1] = (uint32_t)(c >> 32);
        /* t = (t + u * p) / 2^32, with u chosen so the low limb is 0 */
        uint32_t u = t[0] * m->n0;
        c = ((uint64_t)t[0] + (uint64_t)u * m->p[0]) >> 32;
        for (size_t j = 1; j < n; j++) {
            c += (uint64_t)t[j] + (uint64_t)u * m->p[j];
            t[j - 1] = (uint32_t)c;
            c >>= 32;
        }
        c += t[n];
        t[n - 1] = (uint32_t)c;
        t[n] = t[n + 1] + (uint32_t)(c >> 32);
    }
    /* t < 2p (a, b < p < 2^(32n)): one subtraction of p suffices. */
    if (t[n] != 0 || !less(t, m->p, n))
        (void)sub(t, t, m->p, n);
    memcpy(r, t, n * sizeof t[0]);
}

/* The shared check: x, y, p, b are `len`-byte big-endian values. */
static bool point_is_valid(const uint8_t *xb, const uint8_t *yb,
                           const uint8_t *pb, const uint8_t *bb, size_t len)
{
    /* SEC 1 §3.2.2.1 step 2: x and y in [0, p-1]. Equal-length big-endian
     * strings compare like the numbers. */
    if (memcmp(xb, pb, len) >= 0 || memcmp(yb, pb, len) >= 0)
        return false;
    modulus m;
    m.n = len / 4;
    decode(m.p, pb, m.n);
    /* -p^-1 mod 2^32 by Newton's iteration (p odd: p*p = 1 mod 8, so
     * inv = p is right to 3 bits; each step doubles that: 5 steps > 32). */
    uint32_t inv = m.p[0];
    for (int i = 0; i < 5; i++)
        inv *= 2u - m.p[0] * inv;
    m.n0 = (uint32_t)0 - inv;

    uint32_t x[MAX_LIMBS], y[MAX_LIMBS], b[MAX_LIMBS], one[MAX_LIMBS];
    uint32_t rhs[MAX_LIMBS], t[MAX_LIMBS], lhs[MAX_LIMBS];
    decode(x, xb, m.n);
    decode(y, yb, m.n);
    decode(b, bb, m.n);
    memset(one, 0, sizeof one);
    one[0] = 1;
    /* Step 3: y^2 = x^3 - 3x + b (mod p). With R = 2^(32n) and
     * mont_mul(a, b) = a*b/R, both sides are computed divided by R^2
     * (R is invertible mod p, and all values are reduced below p, so the
     * limbs are equal iff the sides are congruent). */
    sub_mod(&m, t, b, x); /* t = b - 3x */
    sub_mod(&m, t, t, x);
    sub_mod(&m, t, t, x);
    mont_mul(&m, t, t, one); /* t / R */
    mont_mul(&m, t, t, one); /* t / R^2 */
    mont_mul(&m, rhs, x, x);   /* x^2 / R */
    mont_mul(&m, rhs, rhs, x); /* x^3 / R^2 */
    add_mod(&m, rhs, rhs, t);  /* (x^3 - 3x + b) / R^2 */
    mont_mul(&m, lhs, y, y);     /* y^2 / R */
    mont_mul(&m, lhs, lhs, one); /* y^2 / R^2 */
    return memcmp(lhs, rhs, m.n * sizeof lhs[0]) == 0;
}

bool captls_ec_p256_point_is_valid(const uint8_t x[32], const uint8_t y[32])
{
    return point_is_valid(x, y, p256_p, p256_b, 32);
}

bool captls_ec_p384_point_is_valid(const uint8_t x[48], const uint8_t y[48])
{
    return point_is_valid(x, y, p384_p, p384_b, 48);
}
