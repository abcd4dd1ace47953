/* See curve25519_field.h. Every function here is constant time except
 * captls_fe_is_canonical, which reads public encodings only. */
#include "core/crypto/curve25519_field.h"

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

void captls_fe_frombytes(captls_fe *h, const uint8_t s[32])
{
    const uint64_t w0 = load64_le(s), w1 = load64_le(s + 8),
                   w2 = load64_le(s + 16), w3 = load64_le(s + 24);

    h->v[0] = w0 & CAPTLS_FE_MASK51;
    h->v[1] = ((w0 >> 51) | (w1 << 13)) & CAPTLS_FE_MASK51;
    h->v[2] = ((w1 >> 38) | (w2 << 26)) & CAPTLS_FE_MASK51;
    h->v[3] = ((w2 >> 25) | (w3 << 39)) & CAPTLS_FE_MASK51;
    h->v[4] = (w3 >> 12) & CAPTLS_FE_MASK51; /* drops bit 255 */
}

void captls_fe_tobytes(uint8_t s[32], const captls_fe *h)
{
    captls_fe t = *h;
    uint64_t q;

    /* Two weak reductions leave t < 2^255 + 2^17 < 2p. */
    captls_fe_carry(&t);
    captls_fe_carry(&t);
    /* q = 1 iff t >= p, i.e. iff t + 19 >= 2^255. */
    q = (t.v[0] + 19) >> 51;
    q = (t.v[1] + q) >> 51;
    q = (t.v[2] + q) >> 51;
    q = (t.v[3] + q) >> 51;
    q = (t.v[4] + q) >> 51;
    /* t - p = t + 19 - 2^255: add 19 q, carry, drop bit 255. */
    t.v[0] += 19 * q;
    t.v[1] += t.v[0] >> 51; t.v[0] &= CAPTLS_FE_MASK51;
    t.v[2] += t.v[1] >> 51; t.v[1] &= CAPTLS_FE_MASK51;
    t.v[3] += t.v[2] >> 51; t.v[2] &= CAPTLS_FE_MASK51;
    t.v[4] += t.v[3] >> 51; t.v[3] &= CAPTLS_FE_MASK51;
    t.v[4] &= CAPTLS_FE_MASK51;

    store64_le(s, t.v[0] | (t.v[1] << 51));
    store64_le(s + 8, (t.v[1] >> 13) | (t.v[2] << 38));
    store64_le(s + 16, (t.v[2] >> 26) | (t.v[3] << 25));
    store64_le(s + 24, (t.v[3] >> 39) | (t.v[4] << 12));
}

int captls_fe_is_canonical(const uint8_t s[32])
{
    /* The only 255-bit values >= p = 2^255 - 19 are 0x7fff...ffed..ff. */
    if ((s[31] & 0x7f) != 0x7f)
        return 1;
    for (int i = 30; i > 0; i--)
        if (s[i] != 0xff)
            return 1;
    return s[0] < 0xed;
}

int captls_fe_isnonzero(const captls_fe *f)
{
    uint8_t s[32];
    unsigned acc = 0;

    captls_fe_tobytes(s, f);
    for (int i = 0; i < 32; i++)
        acc |= s[i];
    return (int)(((acc | (0u - acc)) >> 8) & 1);
}

int captls_fe_isnegative(const captls_fe *f)
{
    uint8_t s[32];

    captls_fe_tobytes(s, f);
    return s[0] & 1;
}

/* z^(2^250 - 1) into *z250, and z^11 into *z11: the shared head of the
 * ref10 addition chains for p - 2 and (p - 5) / 8. */
static void pow_2_250_1(captls_fe *z250, captls_fe *z11, const captls_fe *z)
{
    captls_fe z2, z9, z5_0, z10_0, z20_0, z50_0, z100_0, t;

    captls_fe_sq(&z2, z);                 /* 2 */
    captls_fe_sqn(&t, &z2, 2);            /* 8 */
    captls_fe_mul(&z9, &t, z);            /* 9 */
    captls_fe_mul(z11, &z9, &z2);         /* 11 */
    captls_fe_sq(&t, z11);                /* 22 */
    captls_fe_mul(&z5_0, &t, &z9);        /* 2^5 - 1 */
    captls_fe_sqn(&t, &z5_0, 5);
    captls_fe_mul(&z10_0, &t, &z5_0);     /* 2^10 - 1 */
    captls_fe_sqn(&t, &z10_0, 10);
    captls_fe_mul(&z20_0, &t, &z10_0);    /* 2^20 - 1 */
    captls_fe_sqn(&t, &z20_0, 20);
    captls_fe_mul(&t, &t, &z20_0);        /* 2^40 - 1 */
    captls_fe_sqn(&t, &t, 10);
    captls_fe_mul(&z50_0, &t, &z10_0);    /* 2^50 - 1 */
    captls_fe_sqn(&t, &z50_0, 50);
    captls_fe_mul(&z100_0, &t, &z50_0);   /* 2^100 - 1 */
    captls_fe_sqn(&t, &z100_0, 100);
    captls_fe_mul(&t, &t, &z100_0);       /* 2^200 - 1 */
    captls_fe_sqn(&t, &t, 50);
    captls_fe_mul(z250, &t, &z50_0);      /* 2^250 - 1 */
}

void captls_fe_invert(captls_fe *h, const captls_fe *f)
{
    captls_fe t, z11;

    pow_2_250_1(&t, &z11, f);
    captls_fe_sqn(&t, &t, 5);             /* 2^255 - 32 */
    captls_fe_mul(h, &t, &z11);           /* 2^255 - 21 = p - 2 */
}

void captls_fe_pow22523(captls_fe *h, const captls_fe *f)
{
    captls_fe t, z11;

    pow_2_250_1(&t, &z11, f);
    captls_fe_sqn(&t, &t, 2);             /* 2^252 - 4 */
    captls_fe_mul(h, &t, f);              /* 2^252 - 3 */
}

int captls_fe_sqrt_ratio(captls_fe *x, const captls_fe *u, const captls_fe *v,
                         const captls_fe *sqrtm1)
{
    captls_fe v3, v7, t, vxx, chk, x_alt;
    int m_root, p_root;

    /* RFC 8032 §5.1.3 step 3: x = u v^3 (u v^7)^((p-5)/8). */
    captls_fe_sq(&v3, v);
    captls_fe_mul(&v3, &v3, v);           /* v^3 */
    captls_fe_sq(&v7, &v3);
    captls_fe_mul(&v7, &v7, v);           /* v^7 */
    captls_fe_mul(&t, u, &v7);
    captls_fe_pow22523(&t, &t);
    captls_fe_mul(&t, &t, &v3);
    captls_fe_mul(x, &t, u);
    /* "If v x^2 = u (mod p), x is a square root. If v x^2 = -u (mod p),
     * set x <-- x * 2^((p-1)/4). Otherwise, no square root exists." */
    captls_fe_sq(&vxx, x);
    captls_fe_mul(&vxx, &vxx, v);
    captls_fe_sub(&chk, &vxx, u);
    m_root = 1 - captls_fe_isnonzero(&chk);
    captls_fe_add(&chk, &vxx, u);
    p_root = 1 - captls_fe_isnonzero(&chk);
    captls_fe_mul(&x_alt, x, sqrtm1);
    captls_fe_cmov(x, &x_alt, (uint64_t)p_root);
    return m_root | p_root;
}
