/* See chacha_fast.h and poly1305_64.h. Poly1305 (RFC 8439 §2.5) with the
 * accumulator in radix 2^64; carries are computed arithmetically, the
 * final reduction mod p is a mask select. The AEAD wrapper is RFC 8439
 * §2.8 word for word. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/chacha_fast.h"
#include "core/crypto/poly1305_64.h"

#if CAPTLS_POLY1305_64

typedef unsigned __int128 u128;

static void enc64le(uint8_t *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

void captls_poly64_init(captls_poly64 *st, const uint8_t pkey[32])
{
    /* §2.5: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff */
    st->r0 = captls_poly64_dec64le(pkey) & 0x0ffffffc0fffffffull;
    st->r1 = captls_poly64_dec64le(pkey + 8) & 0x0ffffffc0ffffffcull;
    st->s1 = st->r1 + (st->r1 >> 2);
    st->h0 = st->h1 = st->h2 = 0;
}

/* RFC 8439 §2.8: padding1/padding2 — every piece is absorbed zero-padded
 * to 16 bytes, so every block is full and carries the pad bit. */
void captls_poly64_padded(captls_poly64 *st, const uint8_t *m, size_t len)
{
    uint8_t last[16];
    size_t full = len / 16;

    captls_poly64_blocks(st, m, full);
    if (len % 16 != 0) {
        memset(last, 0, sizeof last);
        memcpy(last, m + 16 * full, len % 16);
        captls_poly64_blocks(st, last, 1);
        captls_zeroize(last, sizeof last);
    }
}

void captls_poly64_finish(captls_poly64 *st, const uint8_t pkey[32],
                          size_t aad_len, size_t len, uint8_t tag[16])
{
    uint8_t lens[16];
    uint64_t g0, g1, g2, mask;
    u128 t;

    enc64le(lens, (uint64_t)aad_len);
    enc64le(lens + 8, (uint64_t)len);
    captls_poly64_blocks(st, lens, 1);

    /* Full reduction: h < 2p + small, so h - p = h + 5 - 2^130 is
     * non-negative iff h + 5 carries into bit 130; select by mask. */
    t = (u128)st->h0 + 5;
    g0 = (uint64_t)t;
    t = (u128)st->h1 + (uint64_t)(t >> 64);
    g1 = (uint64_t)t;
    g2 = st->h2 + (uint64_t)(t >> 64);
    mask = (uint64_t)0 - (g2 >> 2);
    st->h0 = (st->h0 & ~mask) | (g0 & mask);
    st->h1 = (st->h1 & ~mask) | (g1 & mask);
    /* tag = (h + s) mod 2^128 */
    t = (u128)st->h0 + captls_poly64_dec64le(pkey + 16);
    enc64le(tag, (uint64_t)t);
    t = (u128)st->h1 + (uint64_t)(t >> 64) + captls_poly64_dec64le(pkey + 24);
    enc64le(tag + 8, (uint64_t)t);
    captls_zeroize(st, sizeof *st);
    captls_zeroize(&t, sizeof t);
}

void captls_poly1305_64_run(const void *key, const void *iv, void *data,
                            size_t len, const void *aad, size_t aad_len,
                            void *tag, br_chacha20_run ichacha, int encrypt)
{
    uint8_t pkey[32];
    captls_poly64 st;

    /* RFC 8439 §2.6: the one-time key is the first 32 bytes of block 0. */
    memset(pkey, 0, sizeof pkey);
    (void)ichacha(key, iv, 0, pkey, sizeof pkey);
    /* §2.8: the data is encrypted from counter 1; the tag covers the
     * ciphertext, so encrypt first / authenticate first on decrypt. */
    if (encrypt)
        (void)ichacha(key, iv, 1, data, len);
    captls_poly64_init(&st, pkey);
    captls_poly64_padded(&st, aad, aad_len);
    captls_poly64_padded(&st, data, len);
    captls_poly64_finish(&st, pkey, aad_len, len, tag);
    if (!encrypt)
        (void)ichacha(key, iv, 1, data, len);
    captls_zeroize(pkey, sizeof pkey);
}

#endif /* CAPTLS_POLY1305_64 */
