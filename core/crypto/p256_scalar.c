/* core/crypto/p256_scalar.c — arithmetic mod the P-256 order n; see
 * p256_scalar.h. Montgomery multiplication (CIOS, Koç et al. 1996) with
 * 64-bit limbs and unsigned __int128; values outside are plain. */
#include "core/crypto/p256_scalar.h"

#if CAPTLS_P256_FAST

#include "core/base/ct.h"

static const uint64_t N[4] = {0xf3b9cac2fc632551ULL, 0xbce6faada7179e84ULL,
                              0xffffffffffffffffULL, 0xffffffff00000000ULL};
/* -n^-1 mod 2^64 */
#define N0 0xccd1c8aaee00bc4fULL
/* 2^512 mod n */
static const uint64_t NRR[4] = {0x83244c95be79eea2ULL, 0x4699799c49bd6fa6ULL,
                                0x2845b2392b6bec59ULL, 0x66e12d94f3d95620ULL};
/* 2^256 mod n (Montgomery 1) */
static const uint64_t NONE[4] = {0x0c46353d039cdaafULL, 0x4319055258e8617bULL,
                                 0x0000000000000000ULL, 0x00000000ffffffffULL};

/* r = c·2^256 + a - n if that is >= 0, else a (value < 2n). */
static void reduce_once(uint64_t r[4], const uint64_t a[4], uint64_t c)
{
    uint64_t d[4], borrow = 0, mask;

    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        p256_u128 t = (p256_u128)a[i] - N[i] - borrow;
        d[i] = (uint64_t)t;
        borrow = (uint64_t)(t >> 64) & 1;
    }
    mask = p256_barrier(0 - (borrow & (c ^ 1)));
    P256_UNROLL
    for (int i = 0; i < 4; i++)
        r[i] = (a[i] & mask) | (d[i] & ~mask);
}

/* r = a·b / 2^256 mod n, for a, b < n. */
static void mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[6] = {0, 0, 0, 0, 0, 0};
    p256_u128 acc;

    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        uint64_t c = 0, m;

        P256_UNROLL
        for (int j = 0; j < 4; j++) {
            acc = (p256_u128)a[j] * b[i] + t[j] + c;
            t[j] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        acc = (p256_u128)t[4] + c;
        t[4] = (uint64_t)acc;
        t[5] = (uint64_t)(acc >> 64);
        m = t[0] * N0;
        acc = (p256_u128)m * N[0] + t[0]; /* low limb becomes 0 */
        c = (uint64_t)(acc >> 64);
        P256_UNROLL
        for (int j = 1; j < 4; j++) {
            acc = (p256_u128)m * N[j] + t[j] + c;
            t[j - 1] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        acc = (p256_u128)t[4] + c;
        t[3] = (uint64_t)acc;
        t[4] = t[5] + (uint64_t)(acc >> 64);
    }
    /* t < 2n */
    reduce_once(r, t, t[4]);
}

static void load_be(uint64_t r[4], const uint8_t in[32])
{
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        P256_UNROLL
        for (int j = 0; j < 8; j++)
            w = (w << 8) | in[24 - 8 * i + j];
        r[i] = w;
    }
}

void p256_sc_frombytes_reduce(p256_sc *r, const uint8_t in[32])
{
    uint64_t a[4];

    load_be(a, in);
    reduce_once(r->v, a, 0);
    captls_zeroize(a, sizeof a);
}

uint64_t p256_sc_frombytes_checked(p256_sc *r, const uint8_t in[32])
{
    uint64_t a[4], borrow = 0;

    load_be(a, in);
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        p256_u128 t = (p256_u128)a[i] - N[i] - borrow;
        borrow = (uint64_t)(t >> 64) & 1;
    }
    reduce_once(r->v, a, 0);
    captls_zeroize(a, sizeof a);
    /* borrow: value < n */
    return p256_barrier(0 - borrow) & ~p256_sc_is_zero(r);
}

void p256_sc_from_digest(p256_sc *r, const uint8_t *digest, size_t len)
{
    uint8_t buf[32] = {0};

    /* qlen = 256 is a whole number of bytes: the leftmost 256 bits are
     * the first 32 bytes; a shorter digest is taken whole. */
    if (len > 32)
        len = 32;
    for (size_t i = 0; i < len; i++)
        buf[32 - len + i] = digest[i];
    p256_sc_frombytes_reduce(r, buf);
}

void p256_sc_tobytes(uint8_t out[32], const p256_sc *a)
{
    P256_UNROLL
    for (int i = 0; i < 4; i++)
        P256_UNROLL
        for (int j = 0; j < 8; j++)
            out[31 - 8 * i - j] = (uint8_t)(a->v[i] >> (8 * j));
}

void p256_sc_add(p256_sc *r, const p256_sc *a, const p256_sc *b)
{
    uint64_t s[4];
    p256_u128 t = 0;

    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        t += (p256_u128)a->v[i] + b->v[i];
        s[i] = (uint64_t)t;
        t >>= 64;
    }
    reduce_once(r->v, s, (uint64_t)t);
}

void p256_sc_mul(p256_sc *r, const p256_sc *a, const p256_sc *b)
{
    uint64_t t[4];

    mont_mul(t, a->v, b->v);  /* ab / R */
    mont_mul(r->v, t, NRR);   /* ab */
    captls_zeroize(t, sizeof t);
}

/* a^(n-2) with a fixed 4-bit window over the public exponent, in the
 * Montgomery domain. */
void p256_sc_inv(p256_sc *r, const p256_sc *a)
{
    /* n - 2, most significant nibble first */
    static const uint8_t e[32] = {
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
        0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f,
    };
    static const uint64_t one[4] = {1, 0, 0, 0};
    uint64_t tab[16][4], acc[4];

    P256_UNROLL
    for (int i = 0; i < 4; i++)
        tab[0][i] = NONE[i];
    mont_mul(tab[1], a->v, NRR); /* a·R */
    for (int i = 2; i < 16; i++)
        mont_mul(tab[i], tab[i - 1], tab[1]);
    P256_UNROLL
    for (int i = 0; i < 4; i++)
        acc[i] = NONE[i];
    for (int i = 0; i < 64; i++) {
        unsigned nib = (e[i >> 1] >> (4 * (1 - (i & 1)))) & 15;

        for (int k = 0; k < 4; k++)
            mont_mul(acc, acc, acc);
        mont_mul(acc, acc, tab[nib]); /* index: the public exponent */
    }
    mont_mul(r->v, acc, one); /* leave the Montgomery domain */
    captls_zeroize(tab, sizeof tab);
    captls_zeroize(acc, sizeof acc);
}

uint64_t p256_sc_is_zero(const p256_sc *a)
{
    return p256_mask_zero(a->v[0] | a->v[1] | a->v[2] | a->v[3]);
}

#endif
