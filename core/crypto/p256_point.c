/* core/crypto/p256_point.c — P-256 point arithmetic and scalar
 * multiplication; see p256_point.h.
 *
 * Formulas (Jacobian, a = -3; Bernstein–Lange, Explicit-Formulas
 * Database): dbl-2001-b (3M + 5S), madd-2007-bl (7M + 4S, Z2 = 1),
 * add-2007-bl (11M + 5S). They are incomplete: doubling is correct for
 * every point of odd order (here every point), the additions require
 * P != ±Q and neither at infinity.
 *
 * Why the constant-time ladders never meet P = ±Q (k in [1, n-1], n
 * prime, P of order n):
 *  - p256_mul_base adds d_i·16^i·G (1 <= d_i <= 15) to A·G with
 *    A = sum_{j<i} d_j·16^j < 16^i <= d_i·16^i, and A + d_i·16^i <= k < n,
 *    so A != d_i·16^i and A + d_i·16^i != 0 mod n (both sides < n);
 *  - p256_mul_point adds d·P (1 <= d <= 15) to 16·A·P with A >= 1 the
 *    value of the digits above: 16A >= 16 > d and 16A + d <= k < n.
 * A = 0 (accumulator at infinity) and d = 0 are handled by masks.
 * The table of p256_mul_point is P, 2P = dbl(P), iP = (i-1)P + P with
 * 2 <= i-1 <= 14, never ±P.
 */
#include "core/crypto/p256_point.h"

#include <string.h>

#include "core/base/ct.h"

static bool force_bearssl;
static captls_p256_declassify_fn declassify_fn;

void captls_p256_force_bearssl(bool on)
{
    force_bearssl = on;
}

bool captls_p256_fast_active(void)
{
    return CAPTLS_P256_FAST && !force_bearssl;
}

void captls_p256_set_declassify(captls_p256_declassify_fn fn)
{
    declassify_fn = fn;
}

void captls_p256_declassify(const void *p, size_t len)
{
    if (declassify_fn != NULL)
        declassify_fn(p, len);
}

#if CAPTLS_P256_FAST

#include "core/crypto/p256_base_table.h"

/* r = 2p. r may alias p. */
static void p256_dbl(p256_jac *r, const p256_jac *p)
{
    p256_fe delta, gamma, beta, alpha, t1, t2, x3, y3, z3;

    p256_fe_sqr(&delta, &p->z);
    p256_fe_sqr(&gamma, &p->y);
    p256_fe_mul(&beta, &p->x, &gamma);
    p256_fe_sub(&t1, &p->x, &delta);
    p256_fe_add(&t2, &p->x, &delta);
    p256_fe_mul(&t1, &t1, &t2);
    p256_fe_add(&alpha, &t1, &t1);
    p256_fe_add(&alpha, &alpha, &t1); /* alpha = 3(X-delta)(X+delta) */
    /* X3 = alpha^2 - 8 beta */
    p256_fe_add(&beta, &beta, &beta);
    p256_fe_add(&beta, &beta, &beta); /* 4 beta */
    p256_fe_sqr(&x3, &alpha);
    p256_fe_add(&t1, &beta, &beta);
    p256_fe_sub(&x3, &x3, &t1);
    /* Z3 = (Y+Z)^2 - gamma - delta */
    p256_fe_add(&z3, &p->y, &p->z);
    p256_fe_sqr(&z3, &z3);
    p256_fe_sub(&z3, &z3, &gamma);
    p256_fe_sub(&z3, &z3, &delta);
    /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
    p256_fe_sub(&t1, &beta, &x3);
    p256_fe_mul(&y3, &alpha, &t1);
    p256_fe_sqr(&t2, &gamma);
    p256_fe_add(&t2, &t2, &t2);
    p256_fe_add(&t2, &t2, &t2);
    p256_fe_add(&t2, &t2, &t2);
    p256_fe_sub(&y3, &y3, &t2);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* r = p + q, q affine; p != ±q, p finite. r may alias p. */
static void p256_madd(p256_jac *r, const p256_jac *p, const p256_affine *q)
{
    p256_fe z1z1, u2, s2, h, hh, i, j, rr, v, x3, y3, z3, t;

    p256_fe_sqr(&z1z1, &p->z);
    p256_fe_mul(&u2, &q->x, &z1z1);
    p256_fe_mul(&s2, &q->y, &p->z);
    p256_fe_mul(&s2, &s2, &z1z1);
    p256_fe_sub(&h, &u2, &p->x);
    p256_fe_sqr(&hh, &h);
    p256_fe_add(&i, &hh, &hh);
    p256_fe_add(&i, &i, &i);
    p256_fe_mul(&j, &h, &i);
    p256_fe_sub(&rr, &s2, &p->y);
    p256_fe_add(&rr, &rr, &rr);
    p256_fe_mul(&v, &p->x, &i);
    /* X3 = r^2 - J - 2V */
    p256_fe_sqr(&x3, &rr);
    p256_fe_sub(&x3, &x3, &j);
    p256_fe_sub(&x3, &x3, &v);
    p256_fe_sub(&x3, &x3, &v);
    /* Y3 = r (V - X3) - 2 Y1 J */
    p256_fe_sub(&t, &v, &x3);
    p256_fe_mul(&y3, &rr, &t);
    p256_fe_mul(&t, &p->y, &j);
    p256_fe_add(&t, &t, &t);
    p256_fe_sub(&y3, &y3, &t);
    /* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
    p256_fe_add(&z3, &p->z, &h);
    p256_fe_sqr(&z3, &z3);
    p256_fe_sub(&z3, &z3, &z1z1);
    p256_fe_sub(&z3, &z3, &hh);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* r = p + q; p != ±q, both finite. r may alias p or q. */
static void p256_add(p256_jac *r, const p256_jac *p, const p256_jac *q)
{
    p256_fe z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, x3, y3, z3, t;

    p256_fe_sqr(&z1z1, &p->z);
    p256_fe_sqr(&z2z2, &q->z);
    p256_fe_mul(&u1, &p->x, &z2z2);
    p256_fe_mul(&u2, &q->x, &z1z1);
    p256_fe_mul(&s1, &p->y, &q->z);
    p256_fe_mul(&s1, &s1, &z2z2);
    p256_fe_mul(&s2, &q->y, &p->z);
    p256_fe_mul(&s2, &s2, &z1z1);
    p256_fe_sub(&h, &u2, &u1);
    p256_fe_add(&i, &h, &h);
    p256_fe_sqr(&i, &i);
    p256_fe_mul(&j, &h, &i);
    p256_fe_sub(&rr, &s2, &s1);
    p256_fe_add(&rr, &rr, &rr);
    p256_fe_mul(&v, &u1, &i);
    p256_fe_sqr(&x3, &rr);
    p256_fe_sub(&x3, &x3, &j);
    p256_fe_sub(&x3, &x3, &v);
    p256_fe_sub(&x3, &x3, &v);
    p256_fe_sub(&t, &v, &x3);
    p256_fe_mul(&y3, &rr, &t);
    p256_fe_mul(&t, &s1, &j);
    p256_fe_add(&t, &t, &t);
    p256_fe_sub(&y3, &y3, &t);
    p256_fe_add(&z3, &p->z, &q->z);
    p256_fe_sqr(&z3, &z3);
    p256_fe_sub(&z3, &z3, &z1z1);
    p256_fe_sub(&z3, &z3, &z2z2);
    p256_fe_mul(&z3, &z3, &h);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

static void jac_cmov(p256_jac *r, const p256_jac *a, uint64_t mask)
{
    p256_fe_cmov(&r->x, &a->x, mask);
    p256_fe_cmov(&r->y, &a->y, mask);
    p256_fe_cmov(&r->z, &a->z, mask);
}

/* Digit i (0 = least significant) of the big-endian scalar, radix 16. */
static uint64_t nibble(const uint8_t k[32], int i)
{
    return (uint64_t)(k[31 - (i >> 1)] >> (4 * (i & 1))) & 15;
}

void p256_mul_base(p256_jac *r, const uint8_t k[32])
{
    p256_jac acc, t, q;
    p256_affine e;
    uint64_t inf = ~(uint64_t)0;

    p256_fe_select();
    acc.x = p256_fe_one;
    acc.y = p256_fe_one;
    acc.z = p256_fe_one;
    q.z = p256_fe_one;
    for (int i = 0; i < 64; i++) {
        uint64_t d = nibble(k, i), nz;

        memset(&e, 0, sizeof e);
        for (uint64_t j = 0; j < 15; j++) {
            uint64_t m = p256_mask_zero(d ^ (j + 1));
            p256_fe_cmov(&e.x, &P256_BASE[i][j].x, m);
            p256_fe_cmov(&e.y, &P256_BASE[i][j].y, m);
        }
        p256_madd(&t, &acc, &e);
        nz = ~p256_mask_zero(d);
        q.x = e.x;
        q.y = e.y;
        jac_cmov(&acc, &t, nz & ~inf);
        jac_cmov(&acc, &q, nz & inf);
        inf &= ~nz;
    }
    *r = acc;
    captls_zeroize(&acc, sizeof acc);
    captls_zeroize(&t, sizeof t);
    captls_zeroize(&q, sizeof q);
    captls_zeroize(&e, sizeof e);
}

void p256_mul_point(p256_jac *r, const uint8_t k[32], const p256_affine *p)
{
    p256_jac tab[15], acc, t, q;
    uint64_t inf = ~(uint64_t)0;

    p256_fe_select();
    tab[0].x = p->x;
    tab[0].y = p->y;
    tab[0].z = p256_fe_one;
    p256_dbl(&tab[1], &tab[0]);
    for (int i = 2; i < 15; i++)
        p256_madd(&tab[i], &tab[i - 1], p);
    acc = tab[0];
    for (int i = 63; i >= 0; i--) {
        uint64_t d = nibble(k, i), nz;

        for (int j = 0; j < 4; j++)
            p256_dbl(&acc, &acc);
        memset(&q, 0, sizeof q);
        for (uint64_t j = 0; j < 15; j++)
            jac_cmov(&q, &tab[j], p256_mask_zero(d ^ (j + 1)));
        p256_add(&t, &acc, &q);
        nz = ~p256_mask_zero(d);
        jac_cmov(&acc, &t, nz & ~inf);
        jac_cmov(&acc, &q, nz & inf);
        inf &= ~nz;
    }
    *r = acc;
    captls_zeroize(tab, sizeof tab);
    captls_zeroize(&acc, sizeof acc);
    captls_zeroize(&t, sizeof t);
    captls_zeroize(&q, sizeof q);
}

bool p256_point_decode(p256_affine *r, const uint8_t *in, size_t len)
{
    p256_fe lhs, rhs, t;

    p256_fe_select();
    if (in == NULL || len != 65 || in[0] != 0x04)
        return false;
    /* SEC 1 §3.2.2.1 step 2: x, y in [0, p-1] */
    if (!p256_fe_frombytes(&r->x, in + 1) ||
        !p256_fe_frombytes(&r->y, in + 33))
        return false;
    /* step 3: y^2 = x^3 - 3x + b */
    p256_fe_sqr(&lhs, &r->y);
    p256_fe_sqr(&rhs, &r->x);
    p256_fe_mul(&rhs, &rhs, &r->x);
    p256_fe_add(&t, &r->x, &r->x);
    p256_fe_add(&t, &t, &r->x);
    p256_fe_sub(&rhs, &rhs, &t);
    p256_fe_add(&rhs, &rhs, &p256_fe_b);
    /* both canonical: equal limbs iff equal elements */
    return memcmp(&lhs, &rhs, sizeof lhs) == 0;
}

static void to_affine(p256_fe *x, p256_fe *y, const p256_jac *p)
{
    p256_fe zi, zi2;

    p256_fe_inv(&zi, &p->z);
    p256_fe_sqr(&zi2, &zi);
    p256_fe_mul(x, &p->x, &zi2);
    if (y != NULL) {
        p256_fe_mul(&zi2, &zi2, &zi);
        p256_fe_mul(y, &p->y, &zi2);
    }
    captls_zeroize(&zi, sizeof zi);
    captls_zeroize(&zi2, sizeof zi2);
}

void p256_point_encode(uint8_t out[65], const p256_jac *p)
{
    p256_fe x, y;

    to_affine(&x, &y, p);
    out[0] = 0x04;
    p256_fe_tobytes(out + 1, &x);
    p256_fe_tobytes(out + 33, &y);
    captls_zeroize(&x, sizeof x);
    captls_zeroize(&y, sizeof y);
}

void p256_point_x(uint8_t out[32], const p256_jac *p)
{
    p256_fe x;

    to_affine(&x, NULL, p);
    p256_fe_tobytes(out, &x);
    captls_zeroize(&x, sizeof x);
}

/* ---- variable time (verification only) ---------------------------- */

/* Infinity is Z = 0 here. */
static bool is_inf_vt(const p256_jac *p)
{
    return (p->z.v[0] | p->z.v[1] | p->z.v[2] | p->z.v[3]) == 0;
}

static bool fe_eq_vt(const p256_fe *a, const p256_fe *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* r = p + q, every case. */
static void add_vt(p256_jac *r, const p256_jac *p, const p256_jac *q)
{
    p256_fe z1z1, z2z2, u1, u2, s1, s2;

    if (is_inf_vt(p)) {
        *r = *q;
        return;
    }
    if (is_inf_vt(q)) {
        *r = *p;
        return;
    }
    p256_fe_sqr(&z1z1, &p->z);
    p256_fe_sqr(&z2z2, &q->z);
    p256_fe_mul(&u1, &p->x, &z2z2);
    p256_fe_mul(&u2, &q->x, &z1z1);
    p256_fe_mul(&s1, &p->y, &q->z);
    p256_fe_mul(&s1, &s1, &z2z2);
    p256_fe_mul(&s2, &q->y, &p->z);
    p256_fe_mul(&s2, &s2, &z1z1);
    if (fe_eq_vt(&u1, &u2)) {
        if (fe_eq_vt(&s1, &s2))
            p256_dbl(r, p);
        else
            memset(r, 0, sizeof *r); /* p = -q */
        return;
    }
    p256_add(r, p, q);
}

/* r = p + q, q affine, every case. */
static void madd_vt(p256_jac *r, const p256_jac *p, const p256_affine *q)
{
    p256_jac qj;

    qj.x = q->x;
    qj.y = q->y;
    qj.z = p256_fe_one;
    if (is_inf_vt(p)) {
        *r = qj;
        return;
    }
    {
        p256_fe z1z1, u2, s2;

        p256_fe_sqr(&z1z1, &p->z);
        p256_fe_mul(&u2, &q->x, &z1z1);
        p256_fe_mul(&s2, &q->y, &p->z);
        p256_fe_mul(&s2, &s2, &z1z1);
        if (fe_eq_vt(&u2, &p->x)) {
            if (fe_eq_vt(&s2, &p->y))
                p256_dbl(r, p);
            else
                memset(r, 0, sizeof *r);
            return;
        }
    }
    p256_madd(r, p, q);
}

/* Width-5 NAF of s (< 2^256): digits odd in [-15, 15] or 0, at most 257;
 * returns the number of digits. */
static int wnaf5(int8_t naf[257], const p256_sc *s)
{
    uint64_t k[5] = {s->v[0], s->v[1], s->v[2], s->v[3], 0};
    int i = 0;

    memset(naf, 0, 257);
    while ((k[0] | k[1] | k[2] | k[3] | k[4]) != 0) {
        if (k[0] & 1) {
            int d = (int)(k[0] & 31);
            if (d >= 16)
                d -= 32;
            naf[i] = (int8_t)d;
            if (d > 0) { /* k -= d */
                uint64_t b = (uint64_t)d;
                for (int j = 0; j < 5; j++) {
                    uint64_t o = k[j];
                    k[j] = o - b;
                    b = k[j] > o;
                }
            } else { /* k += -d */
                uint64_t c = (uint64_t)(-d);
                for (int j = 0; j < 5; j++) {
                    k[j] += c;
                    c = k[j] < c;
                }
            }
        }
        for (int j = 0; j < 4; j++)
            k[j] = (k[j] >> 1) | (k[j + 1] << 63);
        k[4] >>= 1;
        i++;
    }
    return i;
}

bool p256_mul_double_vartime(uint8_t x[32], const p256_sc *u1,
                             const p256_sc *u2, const p256_affine *p)
{
    int8_t n1[257], n2[257];
    p256_jac tab[8], acc, p2;
    int len1 = wnaf5(n1, u1), len2 = wnaf5(n2, u2);
    int top = len1 > len2 ? len1 : len2;

    p256_fe_select();
    /* tab[j] = (2j+1)·P */
    tab[0].x = p->x;
    tab[0].y = p->y;
    tab[0].z = p256_fe_one;
    p256_dbl(&p2, &tab[0]);
    for (int j = 1; j < 8; j++)
        add_vt(&tab[j], &tab[j - 1], &p2);
    memset(&acc, 0, sizeof acc);
    for (int i = top - 1; i >= 0; i--) {
        if (!is_inf_vt(&acc))
            p256_dbl(&acc, &acc);
        if (n1[i] != 0) {
            /* P256_BASE[0][m-1] = m·G for m = 1..15 */
            p256_affine g = P256_BASE[0][(n1[i] > 0 ? n1[i] : -n1[i]) - 1];
            if (n1[i] < 0)
                p256_fe_neg(&g.y, &g.y);
            madd_vt(&acc, &acc, &g);
        }
        if (n2[i] != 0) {
            p256_jac q = tab[((n2[i] > 0 ? n2[i] : -n2[i]) - 1) / 2];
            if (n2[i] < 0)
                p256_fe_neg(&q.y, &q.y);
            add_vt(&acc, &acc, &q);
        }
    }
    if (is_inf_vt(&acc))
        return false;
    p256_point_x(x, &acc);
    return true;
}

#endif /* CAPTLS_P256_FAST */
