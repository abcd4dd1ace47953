/* See curve25519_group.h. Formulas are those of ref10 (SUPERCOP, public
 * domain) in extended coordinates; the base-point tables and constants come
 * from gen_ed25519_base_table.py (ed25519_base_table.h).
 *
 * Field bounds (curve25519_field.h): mul/sq outputs are loose (< 2^52);
 * every mul input below is at most the sum of three loose values (< 2^54)
 * and every subtrahend at most the sum of two (< 2^53 - 76).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/curve25519_group.h"

#define CAPTLS_ED25519_WANT_POINT_TABLES
#include "core/crypto/ed25519_base_table.h"

typedef struct {
    captls_fe X, Y, Z;
} ge_p2;

typedef struct { /* completed: x = X/Z, y = Y/T */
    captls_fe X, Y, Z, T;
} ge_p1p1;

typedef struct {
    captls_fe YplusX, YminusX, Z, T2d;
} ge_cached;

static void p1p1_to_p2(ge_p2 *r, const ge_p1p1 *p)
{
    captls_fe_mul(&r->X, &p->X, &p->T);
    captls_fe_mul(&r->Y, &p->Y, &p->Z);
    captls_fe_mul(&r->Z, &p->Z, &p->T);
}

static void p1p1_to_p3(captls_ge_p3 *r, const ge_p1p1 *p)
{
    captls_fe_mul(&r->X, &p->X, &p->T);
    captls_fe_mul(&r->Y, &p->Y, &p->Z);
    captls_fe_mul(&r->Z, &p->Z, &p->T);
    captls_fe_mul(&r->T, &p->X, &p->Y);
}

static void p3_to_p2(ge_p2 *r, const captls_ge_p3 *p)
{
    r->X = p->X;
    r->Y = p->Y;
    r->Z = p->Z;
}

static void p3_to_cached(ge_cached *r, const captls_ge_p3 *p)
{
    captls_fe_add(&r->YplusX, &p->Y, &p->X);
    captls_fe_sub(&r->YminusX, &p->Y, &p->X);
    r->Z = p->Z;
    captls_fe_mul(&r->T2d, &p->T, &ED25519_D2);
}

static void p3_0(captls_ge_p3 *h)
{
    captls_fe_0(&h->X);
    captls_fe_1(&h->Y);
    captls_fe_1(&h->Z);
    captls_fe_0(&h->T);
}

/* r = 2 p (dbl-2008-hwcd) */
static void p2_dbl(ge_p1p1 *r, const ge_p2 *p)
{
    captls_fe t0;

    captls_fe_sq(&r->X, &p->X);
    captls_fe_sq(&r->Z, &p->Y);
    captls_fe_sq2(&r->T, &p->Z);
    captls_fe_add(&r->Y, &p->X, &p->Y);
    captls_fe_sq(&t0, &r->Y);
    captls_fe_add(&r->Y, &r->Z, &r->X);
    captls_fe_sub(&r->Z, &r->Z, &r->X);
    captls_fe_sub(&r->X, &t0, &r->Y);
    captls_fe_sub(&r->T, &r->T, &r->Z);
}

static void p3_dbl(ge_p1p1 *r, const captls_ge_p3 *p)
{
    ge_p2 q;

    p3_to_p2(&q, p);
    p2_dbl(r, &q);
}

/* r = p + q, q affine precomputed (madd-2008-hwcd-3) */
static void ge_madd(ge_p1p1 *r, const captls_ge_p3 *p,
                    const captls_ge_precomp *q)
{
    captls_fe t0;

    captls_fe_add(&r->X, &p->Y, &p->X);
    captls_fe_sub(&r->Y, &p->Y, &p->X);
    captls_fe_mul(&r->Z, &r->X, &q->yplusx);
    captls_fe_mul(&r->Y, &r->Y, &q->yminusx);
    captls_fe_mul(&r->T, &q->xy2d, &p->T);
    captls_fe_add(&t0, &p->Z, &p->Z);
    captls_fe_sub(&r->X, &r->Z, &r->Y);
    captls_fe_add(&r->Y, &r->Z, &r->Y);
    captls_fe_add(&r->Z, &t0, &r->T);
    captls_fe_sub(&r->T, &t0, &r->T);
}

/* r = p - q, q affine precomputed */
static void ge_msub(ge_p1p1 *r, const captls_ge_p3 *p,
                    const captls_ge_precomp *q)
{
    captls_fe t0;

    captls_fe_add(&r->X, &p->Y, &p->X);
    captls_fe_sub(&r->Y, &p->Y, &p->X);
    captls_fe_mul(&r->Z, &r->X, &q->yminusx);
    captls_fe_mul(&r->Y, &r->Y, &q->yplusx);
    captls_fe_mul(&r->T, &q->xy2d, &p->T);
    captls_fe_add(&t0, &p->Z, &p->Z);
    captls_fe_sub(&r->X, &r->Z, &r->Y);
    captls_fe_add(&r->Y, &r->Z, &r->Y);
    captls_fe_sub(&r->Z, &t0, &r->T);
    captls_fe_add(&r->T, &t0, &r->T);
}

/* r = p + q (add-2008-hwcd-3) */
static void ge_add(ge_p1p1 *r, const captls_ge_p3 *p, const ge_cached *q)
{
    captls_fe t0;

    captls_fe_add(&r->X, &p->Y, &p->X);
    captls_fe_sub(&r->Y, &p->Y, &p->X);
    captls_fe_mul(&r->Z, &r->X, &q->YplusX);
    captls_fe_mul(&r->Y, &r->Y, &q->YminusX);
    captls_fe_mul(&r->T, &q->T2d, &p->T);
    captls_fe_mul(&r->X, &p->Z, &q->Z);
    captls_fe_add(&t0, &r->X, &r->X);
    captls_fe_sub(&r->X, &r->Z, &r->Y);
    captls_fe_add(&r->Y, &r->Z, &r->Y);
    captls_fe_add(&r->Z, &t0, &r->T);
    captls_fe_sub(&r->T, &t0, &r->T);
}

/* r = p - q */
static void ge_sub(ge_p1p1 *r, const captls_ge_p3 *p, const ge_cached *q)
{
    captls_fe t0;

    captls_fe_add(&r->X, &p->Y, &p->X);
    captls_fe_sub(&r->Y, &p->Y, &p->X);
    captls_fe_mul(&r->Z, &r->X, &q->YminusX);
    captls_fe_mul(&r->Y, &r->Y, &q->YplusX);
    captls_fe_mul(&r->T, &q->T2d, &p->T);
    captls_fe_mul(&r->X, &p->Z, &q->Z);
    captls_fe_add(&t0, &r->X, &r->X);
    captls_fe_sub(&r->X, &r->Z, &r->Y);
    captls_fe_add(&r->Y, &r->Z, &r->Y);
    captls_fe_sub(&r->Z, &t0, &r->T);
    captls_fe_add(&r->T, &t0, &r->T);
}

void captls_ge_neg(captls_ge_p3 *h, const captls_ge_p3 *p)
{
    captls_fe_neg(&h->X, &p->X);
    h->Y = p->Y;
    h->Z = p->Z;
    captls_fe_neg(&h->T, &p->T);
}

/* ------------------------------------------------ fixed base, constant time */

/* 1 if b == c, else 0, for b, c < 2^31; no branch. */
static uint64_t ct_eq_u32(uint32_t b, uint32_t c)
{
    uint32_t x = b ^ c;

    return (uint64_t)((x - 1u) >> 31) & (uint64_t)(1u - (x >> 31));
}

static void precomp_cmov(captls_ge_precomp *t, const captls_ge_precomp *u,
                         uint64_t b)
{
    captls_fe_cmov(&t->yplusx, &u->yplusx, b);
    captls_fe_cmov(&t->yminusx, &u->yminusx, b);
    captls_fe_cmov(&t->xy2d, &u->xy2d, b);
}

/* t = b * 16^(2 pos) * B for b in [-8, 8]: reads all eight entries of the
 * row (pos is public, b is secret). */
static void table_select(captls_ge_precomp *t, int pos, int8_t b)
{
    captls_ge_precomp minust;
    const uint32_t neg = (uint32_t)(int32_t)b >> 31;
    const uint32_t mask = 0u - neg;
    const uint32_t babs = (((uint32_t)(int32_t)b) ^ mask) - mask;

    captls_fe_1(&t->yplusx);
    captls_fe_1(&t->yminusx);
    captls_fe_0(&t->xy2d);
    for (uint32_t j = 0; j < 8; j++)
        precomp_cmov(t, &ED25519_BASE[pos][j], ct_eq_u32(babs, j + 1));
    minust.yplusx = t->yminusx;
    minust.yminusx = t->yplusx;
    captls_fe_neg(&minust.xy2d, &t->xy2d);
    precomp_cmov(t, &minust, neg);
    captls_zeroize(&minust, sizeof minust);
}

void captls_ge_scalarmult_base(captls_ge_p3 *h, const uint8_t a[32])
{
    int8_t e[64];
    int8_t carry = 0;
    ge_p1p1 r;
    ge_p2 s;
    captls_ge_precomp t;

    /* a = sum e[i] 16^i with e[i] in [-8, 8) (e[63] in [0, 8]). */
    for (int i = 0; i < 32; i++) {
        e[2 * i] = (int8_t)(a[i] & 15);
        e[2 * i + 1] = (int8_t)((a[i] >> 4) & 15);
    }
    for (int i = 0; i < 63; i++) {
        e[i] = (int8_t)(e[i] + carry);
        carry = (int8_t)((e[i] + 8) >> 4); /* e[i] + 8 >= 0 */
        e[i] = (int8_t)(e[i] - carry * 16);
    }
    e[63] = (int8_t)(e[63] + carry);

    p3_0(h);
    for (int i = 1; i < 64; i += 2) {
        table_select(&t, i / 2, e[i]);
        ge_madd(&r, h, &t);
        p1p1_to_p3(h, &r);
    }
    p3_dbl(&r, h);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p3(h, &r);
    for (int i = 0; i < 64; i += 2) {
        table_select(&t, i / 2, e[i]);
        ge_madd(&r, h, &t);
        p1p1_to_p3(h, &r);
    }

    captls_zeroize(e, sizeof e);
    captls_zeroize(&r, sizeof r);
    captls_zeroize(&s, sizeof s);
    captls_zeroize(&t, sizeof t);
}

void captls_ge_tobytes(uint8_t s[32], const captls_ge_p3 *h)
{
    captls_fe recip, x, y;

    captls_fe_invert(&recip, &h->Z);
    captls_fe_mul(&x, &h->X, &recip);
    captls_fe_mul(&y, &h->Y, &recip);
    captls_fe_tobytes(s, &y);
    s[31] ^= (uint8_t)(captls_fe_isnegative(&x) << 7);
    captls_zeroize(&recip, sizeof recip);
    captls_zeroize(&x, sizeof x);
    captls_zeroize(&y, sizeof y);
}

/* ------------------------------------------------- public data, vartime */

int captls_ge_frombytes_vartime(captls_ge_p3 *h, const uint8_t s[32])
{
    captls_fe u, v, x, y;
    const int x_0 = s[31] >> 7;

    /* RFC 8032 §5.1.3 step 1: "If the resulting value is >= p, decoding
     * fails." */
    if (!captls_fe_is_canonical(s))
        return -1;
    captls_fe_frombytes(&y, s);
    /* Step 2: x^2 = (y^2 - 1) / (d y^2 + 1). */
    captls_fe_sq(&u, &y);
    captls_fe_mul(&v, &u, &ED25519_D);
    captls_fe_sub(&u, &u, &(captls_fe){{1, 0, 0, 0, 0}});
    captls_fe_add(&v, &v, &(captls_fe){{1, 0, 0, 0, 0}});
    /* Step 3: no square root -> "decoding fails". */
    if (!captls_fe_sqrt_ratio(&x, &u, &v, &ED25519_SQRTM1))
        return -1;
    /* Step 4: "If x = 0, and x_0 = 1, decoding fails. Otherwise, if
     * x_0 != x mod 2, set x <-- p - x." */
    if (!captls_fe_isnonzero(&x) && x_0 == 1)
        return -1;
    if (captls_fe_isnegative(&x) != x_0)
        captls_fe_neg(&x, &x);
    h->X = x;
    h->Y = y;
    captls_fe_1(&h->Z);
    captls_fe_mul(&h->T, &x, &y);
    return 0;
}

int captls_ge_has_small_order(const captls_ge_p3 *h)
{
    ge_p1p1 r;
    ge_p2 s;

    p3_dbl(&r, h);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p2(&s, &r);
    /* [8]h = (0, +-1); -1 would need order 16, absent from this group. */
    return !captls_fe_isnonzero(&s.X);
}

int captls_ge_encoding_has_small_order(const uint8_t s[32])
{
    captls_fe y;
    uint8_t c[32];

    captls_fe_frombytes(&y, s); /* ignores bit 255 */
    captls_fe_tobytes(c, &y);   /* y mod p */
    for (size_t i = 0; i < sizeof ED25519_SMALL_ORDER_Y / 32; i++)
        if (memcmp(c, ED25519_SMALL_ORDER_Y[i], 32) == 0)
            return 1;
    return 0;
}

/* Width-w non-adjacent form of a 256-bit s < 2^255: r[i] is 0 or odd with
 * |r[i]| < 2^(w-1), and s = sum r[i] 2^i. */
static void wnaf(int8_t r[256], const uint8_t s[32], unsigned w)
{
    uint64_t x[5] = {0, 0, 0, 0, 0};
    const uint64_t width = (uint64_t)1 << w, mask = width - 1;
    uint64_t carry = 0;
    unsigned pos = 0;

    for (int i = 0; i < 32; i++)
        x[i / 8] |= (uint64_t)s[i] << (8 * (i % 8));
    memset(r, 0, 256);
    while (pos < 256) {
        unsigned idx = pos / 64, bit = pos % 64;
        uint64_t buf, window;

        if (bit < 64 - w)
            buf = x[idx] >> bit;
        else
            buf = (x[idx] >> bit) | (x[idx + 1] << (64 - bit));
        window = carry + (buf & mask);
        if ((window & 1) == 0) {
            pos += 1;
            continue;
        }
        if (window < width / 2) {
            carry = 0;
            r[pos] = (int8_t)window;
        } else {
            carry = 1;
            r[pos] = (int8_t)((int)window - (int)width);
        }
        pos += w;
    }
}

void captls_ge_double_scalarmult_vartime(captls_ge_p3 *out, const uint8_t a[32],
                                         const captls_ge_p3 *A,
                                         const uint8_t b[32])
{
    int8_t aslide[256], bslide[256];
    ge_cached Ai[8]; /* A, 3A, ..., 15A */
    ge_p1p1 t;
    captls_ge_p3 u, A2;
    ge_p2 r;
    int i;

    wnaf(aslide, a, 5);
    wnaf(bslide, b, 8);

    p3_to_cached(&Ai[0], A);
    p3_dbl(&t, A);
    p1p1_to_p3(&A2, &t);
    for (i = 1; i < 8; i++) {
        ge_add(&t, &A2, &Ai[i - 1]);
        p1p1_to_p3(&u, &t);
        p3_to_cached(&Ai[i], &u);
    }

    captls_fe_0(&r.X);
    captls_fe_1(&r.Y);
    captls_fe_1(&r.Z);
    for (i = 255; i >= 0; i--)
        if (aslide[i] || bslide[i])
            break;
    for (; i >= 0; i--) {
        p2_dbl(&t, &r);
        if (aslide[i] > 0) {
            p1p1_to_p3(&u, &t);
            ge_add(&t, &u, &Ai[aslide[i] / 2]);
        } else if (aslide[i] < 0) {
            p1p1_to_p3(&u, &t);
            ge_sub(&t, &u, &Ai[(-aslide[i]) / 2]);
        }
        if (bslide[i] > 0) {
            p1p1_to_p3(&u, &t);
            ge_madd(&t, &u, &ED25519_BI[bslide[i] / 2]);
        } else if (bslide[i] < 0) {
            p1p1_to_p3(&u, &t);
            ge_msub(&t, &u, &ED25519_BI[(-bslide[i]) / 2]);
        }
        p1p1_to_p2(&r, &t);
    }
    /* (X:Y:Z) -> (XZ : YZ : Z^2 : XY) */
    captls_fe_mul(&out->X, &r.X, &r.Z);
    captls_fe_mul(&out->Y, &r.Y, &r.Z);
    captls_fe_sq(&out->Z, &r.Z);
    captls_fe_mul(&out->T, &r.X, &r.Y);
}
