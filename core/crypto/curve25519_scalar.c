/* See curve25519_scalar.h. Constants come from gen_ed25519_base_table.py. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/curve25519_field.h"
#include "core/crypto/curve25519_scalar.h"

#define CAPTLS_ED25519_WANT_SCALAR_CONSTANTS
#include "core/crypto/ed25519_base_table.h"

#define M52 ((uint64_t)0xfffffffffffff)

/* Loads n little-endian bytes (n a multiple of 8) as nlimbs 52-bit limbs. */
static void load_limbs(uint64_t *l, size_t nlimbs, const uint8_t *in,
                       size_t n)
{
    uint64_t w[8];
    size_t nw = n / 8;

    for (size_t i = 0; i < nw; i++) {
        w[i] = 0;
        for (int b = 7; b >= 0; b--)
            w[i] = (w[i] << 8) | in[8 * i + (size_t)b];
    }
    for (size_t i = 0; i < nlimbs; i++) {
        size_t bit = 52 * i, word = bit / 64, sh = bit % 64;
        uint64_t v = word < nw ? w[word] >> sh : 0;
        if (sh > 12 && word + 1 < nw)
            v |= w[word + 1] << (64 - sh);
        l[i] = v & M52;
    }
    captls_zeroize(w, sizeof w);
}

static void store_limbs(uint8_t out[32], const uint64_t l[5])
{
    const uint64_t w[4] = {
        l[0] | (l[1] << 52),
        (l[1] >> 12) | (l[2] << 40),
        (l[2] >> 24) | (l[3] << 28),
        (l[3] >> 36) | (l[4] << 16),
    };

    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
}

/* r = t / 2^260 mod L, for t < 2^260 * L (so the quotient is < 2L before
 * the final subtraction). t is destroyed (and wiped). */
static void mont_reduce(uint64_t r[5], captls_u128 t[10])
{
    uint64_t d[5], borrow = 0, mask;

    for (int i = 0; i < 5; i++) {
        uint64_t n = ((uint64_t)t[i] * SC_LFACTOR) & M52;
        for (int j = 0; j < 5; j++)
            t[i + j] += (captls_u128)n * SC_L[j];
        t[i + 1] += t[i] >> 52; /* t[i] is now 0 mod 2^52 */
    }
    for (int i = 5; i < 9; i++) {
        t[i + 1] += t[i] >> 52;
        r[i - 5] = (uint64_t)t[i] & M52;
    }
    r[4] = (uint64_t)t[9];
    /* r < 2L: subtract L unless that borrows. */
    for (int i = 0; i < 5; i++) {
        d[i] = r[i] - SC_L[i] - borrow;
        borrow = d[i] >> 63;
        d[i] &= M52;
    }
    mask = (uint64_t)0 - borrow;
    for (int i = 0; i < 5; i++)
        r[i] = d[i] ^ ((r[i] ^ d[i]) & mask);
    captls_zeroize(d, sizeof d);
    captls_zeroize(t, 10 * sizeof t[0]);
}

/* t = a * b as nine 128-bit columns (t[9] = 0). */
static void mul_columns(captls_u128 t[10], const uint64_t a[5],
                        const uint64_t b[5])
{
    for (int i = 0; i < 10; i++)
        t[i] = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            t[i + j] += (captls_u128)a[i] * b[j];
}

/* r = x * 2^260 mod L for x < L (a Montgomery multiplication by R^2). */
static void from_mont(uint64_t r[5], const uint64_t x[5])
{
    captls_u128 t[10];

    mul_columns(t, x, SC_RR);
    mont_reduce(r, t);
}

void captls_sc_reduce64(uint8_t out[32], const uint8_t in[64])
{
    uint64_t l[10], r[5];
    captls_u128 t[10];

    load_limbs(l, 10, in, 64);
    for (int i = 0; i < 10; i++)
        t[i] = l[i];
    mont_reduce(r, t);      /* in / R mod L  (in < 2^512 < R L) */
    from_mont(r, r);        /* in mod L */
    store_limbs(out, r);
    captls_zeroize(l, sizeof l);
    captls_zeroize(r, sizeof r);
}

void captls_sc_muladd(uint8_t s[32], const uint8_t a[32], const uint8_t b[32],
                      const uint8_t c[32])
{
    uint64_t la[5], lb[5], lc[5], r[5];
    captls_u128 t[10];

    load_limbs(la, 5, a, 32);
    load_limbs(lb, 5, b, 32);
    load_limbs(lc, 5, c, 32);
    mul_columns(t, la, lb);
    for (int i = 0; i < 5; i++)
        t[i] += lc[i];      /* a b + c < 2^512 + 2^256 < R L */
    mont_reduce(r, t);
    from_mont(r, r);
    store_limbs(s, r);
    captls_zeroize(la, sizeof la);
    captls_zeroize(lb, sizeof lb);
    captls_zeroize(lc, sizeof lc);
    captls_zeroize(r, sizeof r);
}

int captls_sc_is_canonical(const uint8_t s[32])
{
    static const uint8_t L_bytes[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
        0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    };

    for (int i = 31; i >= 0; i--) {
        if (s[i] < L_bytes[i])
            return 1;
        if (s[i] > L_bytes[i])
            return 0;
    }
    return 0; /* s == L */
}
