/* See chacha_fast.h. Poly1305 (RFC 8439 §2.5) with the accumulator in
 * radix 2^64 (h0, h1 and h2 < 8) and r in two 64-bit words; each block is
 * four 64x64->128 products plus two by the small h2. Because clamping
 * clears the low two bits of r1, 2^128 * r1 = 5/4 * r1 (mod p) is the
 * exact integer s1 = r1 + (r1 >> 2), which folds the high products back.
 * Carries are computed arithmetically; the final reduction mod p is a
 * mask select. The AEAD wrapper is RFC 8439 §2.8 word for word. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/chacha_fast.h"

#if CAPTLS_POLY1305_64

typedef unsigned __int128 u128;

typedef struct poly64 {
    uint64_t r0, r1, s1;
    uint64_t h0, h1, h2;
} poly64;

static inline uint64_t dec64le(const uint8_t *p)
{
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) |
           ((uint64_t)p[3] << 24) | ((uint64_t)p[4] << 32) |
           ((uint64_t)p[5] << 40) | ((uint64_t)p[6] << 48) |
           ((uint64_t)p[7] << 56);
}

static void enc64le(uint8_t *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

/* n full 16-byte blocks, each with the 2^128 pad bit (RFC 8439 §2.5.1:
 * "Add one bit beyond the number of octets"; the AEAD pads every piece
 * to 16 bytes, so every block is full). */
static void poly_blocks(poly64 *st, const uint8_t *m, size_t n)
{
    uint64_t r0 = st->r0, r1 = st->r1, s1 = st->s1;
    uint64_t h0 = st->h0, h1 = st->h1, h2 = st->h2;

    for (; n > 0; n--, m += 16) {
        u128 d0, d1;
        uint64_t c;

        d0 = (u128)h0 + dec64le(m);
        h0 = (uint64_t)d0;
        d1 = (u128)h1 + (uint64_t)(d0 >> 64) + dec64le(m + 8);
        h1 = (uint64_t)d1;
        h2 += (uint64_t)(d1 >> 64) + 1;

        d0 = (u128)h0 * r0 + (u128)h1 * s1;
        d1 = (u128)h0 * r1 + (u128)h1 * r0 + (u128)(h2 * s1);
        h2 = h2 * r0;

        h0 = (uint64_t)d0;
        d1 += (uint64_t)(d0 >> 64);
        h1 = (uint64_t)d1;
        h2 += (uint64_t)(d1 >> 64);
        /* fold bits 130 and up: 2^130 = 5 (mod p), c = 5 * (h2 >> 2) */
        c = (h2 >> 2) + (h2 & ~(uint64_t)3);
        h2 &= 3;
        d0 = (u128)h0 + c;
        h0 = (uint64_t)d0;
        d1 = (u128)h1 + (uint64_t)(d0 >> 64);
        h1 = (uint64_t)d1;
        h2 += (uint64_t)(d1 >> 64);
    }
    st->h0 = h0;
    st->h1 = h1;
    st->h2 = h2;
}

/* Absorbs len bytes zero-padded to a multiple of 16 (RFC 8439 §2.8:
 * padding1/padding2). */
static void poly_padded(poly64 *st, const uint8_t *m, size_t len)
{
    uint8_t last[16];
    size_t full = len / 16;

    poly_blocks(st, m, full);
    if (len % 16 != 0) {
        memset(last, 0, sizeof last);
        memcpy(last, m + 16 * full, len % 16);
        poly_blocks(st, last, 1);
        captls_zeroize(last, sizeof last);
    }
}

void captls_poly1305_64_run(const void *key, const void *iv, void *data,
                            size_t len, const void *aad, size_t aad_len,
                            void *tag, br_chacha20_run ichacha, int encrypt)
{
    uint8_t pkey[32], lens[16];
    poly64 st;
    uint64_t g0, g1, g2, mask;
    u128 t;

    /* RFC 8439 §2.6: the one-time key is the first 32 bytes of block 0. */
    memset(pkey, 0, sizeof pkey);
    (void)ichacha(key, iv, 0, pkey, sizeof pkey);
    /* §2.8: the data is encrypted from counter 1; the tag covers the
     * ciphertext, so encrypt first / authenticate first on decrypt. */
    if (encrypt)
        (void)ichacha(key, iv, 1, data, len);

    /* §2.5: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff */
    st.r0 = dec64le(pkey) & 0x0ffffffc0fffffffull;
    st.r1 = dec64le(pkey + 8) & 0x0ffffffc0ffffffcull;
    st.s1 = st.r1 + (st.r1 >> 2);
    st.h0 = st.h1 = st.h2 = 0;

    poly_padded(&st, aad, aad_len);
    poly_padded(&st, data, len);
    enc64le(lens, (uint64_t)aad_len);
    enc64le(lens + 8, (uint64_t)len);
    poly_blocks(&st, lens, 1);

    /* Full reduction: h < 2p + small, so h - p = h + 5 - 2^130 is
     * non-negative iff h + 5 carries into bit 130; select by mask. */
    t = (u128)st.h0 + 5;
    g0 = (uint64_t)t;
    t = (u128)st.h1 + (uint64_t)(t >> 64);
    g1 = (uint64_t)t;
    g2 = st.h2 + (uint64_t)(t >> 64);
    mask = (uint64_t)0 - (g2 >> 2);
    st.h0 = (st.h0 & ~mask) | (g0 & mask);
    st.h1 = (st.h1 & ~mask) | (g1 & mask);
    /* tag = (h + s) mod 2^128 */
    t = (u128)st.h0 + dec64le(pkey + 16);
    enc64le((uint8_t *)tag, (uint64_t)t);
    t = (u128)st.h1 + (uint64_t)(t >> 64) + dec64le(pkey + 24);
    enc64le((uint8_t *)tag + 8, (uint64_t)t);

    if (!encrypt)
        (void)ichacha(key, iv, 1, data, len);
    captls_zeroize(pkey, sizeof pkey);
    captls_zeroize(&st, sizeof st);
    captls_zeroize(&t, sizeof t);
}

#endif /* CAPTLS_POLY1305_64 */
