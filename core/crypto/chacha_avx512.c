/* See chacha_fast.h. ChaCha20-Poly1305 (RFC 8439 §2.8) in one pass with
 * AVX-512F: lane j of vector i holds word i of block cc+j, sixteen blocks
 * (1 KiB of keystream) per call of blocks16, rotations are single vprold
 * instructions and the 32 vector registers hold the whole state.
 *
 * Stitching: ChaCha20 keeps the vector units busy, Poly1305's dependent
 * 64-bit multiplications keep the scalar multiplier busy; neither waits for
 * the other when their instructions sit side by side. So each double round
 * of blocks16 also absorbs a slice of up to 64 Poly1305 blocks of data that
 * is already ciphertext: on encryption the chunk sealed by the previous
 * call, on decryption the chunk this call's keystream will open.
 *
 * Where the CPU also has AVX-512 IFMA, Poly1305 runs eight blocks at once
 * in vectors instead (poly1305_ifma.c), chunk by chunk beside the
 * keystream, and nothing is stitched.
 *
 * Block 0 of the first call gives the one-time Poly1305 key (§2.6), its
 * blocks 1..15 the first 960 bytes of keystream; later calls cover 1 KiB
 * each. Only the first chunk on decryption and the last full chunk on
 * encryption (plus any partial tail) are absorbed without a partner.
 * gcc/clang vector extensions with target("avx512f"): no <immintrin.h>
 * (core/ stays freestanding). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/chacha_fast.h"
#include "core/crypto/poly1305_64.h"

#if CAPTLS_CHACHA_AVX512

typedef uint32_t v16su __attribute__((vector_size(64)));

#define AVX512 __attribute__((target("avx512f")))

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* RFC 8439 §2.1 quarter round. */
#define QR(a, b, c, d)                                                    \
    do {                                                                  \
        a += b; d ^= a; d = ROTL(d, 16);                                  \
        c += d; b ^= c; b = ROTL(b, 12);                                  \
        a += b; d ^= a; d = ROTL(d, 8);                                   \
        c += d; b ^= c; b = ROTL(b, 7);                                   \
    } while (0)

/* One stage of the 16x16 transpose: rows A = x[i] and B = x[i+k] swap
 * their off-diagonal k-element blocks. After the stages k = 8, 4, 2, 1,
 * row j holds words 0..15 of block j. */
#define SWAP(k, A, B)                                                     \
    do {                                                                  \
        v16su a_ = (A), b_ = (B);                                         \
        (A) = __builtin_shufflevector(a_, b_, SWAP_LO_##k);               \
        (B) = __builtin_shufflevector(a_, b_, SWAP_HI_##k);               \
    } while (0)
#define SWAP_LO_1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define SWAP_HI_1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31
#define SWAP_LO_2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define SWAP_HI_2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define SWAP_LO_4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define SWAP_HI_4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define SWAP_LO_8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define SWAP_HI_8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31

/* Keystream blocks cc..cc+15 into ks[0..15] (ks[j] = block cc+j); with
 * stitch (a constant in each instance) also absorbing nblk (at most 64)
 * whole Poly1305 blocks of m into st, a slice per double round. */
AVX512 static inline __attribute__((always_inline)) void
blocks16_body(const uint32_t in[16], uint32_t cc, v16su ks[16],
              captls_poly64 *st, const uint8_t *m, size_t nblk, int stitch)
{
    v16su x[16], s[16];
    const v16su lane = {0, 1, 2, 3, 4, 5, 6, 7,
                        8, 9, 10, 11, 12, 13, 14, 15};
    size_t done = 0;

#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        s[i] = (v16su){0} + in[i];
        x[i] = s[i];
    }
    s[12] = (v16su){0} + cc + lane;
    x[12] = s[12];
    for (int r = 0; r < 10; r++) {
        size_t upto = nblk * (size_t)(r + 1) / 10;

        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        if (stitch && upto > done)
            captls_poly64_blocks(st, m + 16 * done, upto - done);
        done = upto;
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
        x[i] += s[i];
#pragma GCC unroll 16
    for (int i = 0; i < 8; i++)
        SWAP(8, x[i], x[i + 8]);
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
        if (!(i & 4))
            SWAP(4, x[i], x[i + 4]);
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
        if (!(i & 2))
            SWAP(2, x[i], x[i + 2]);
#pragma GCC unroll 16
    for (int i = 0; i < 16; i += 2)
        SWAP(1, x[i], x[i + 1]);
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++)
        ks[j] = x[j];
}

/* Keystream only: nothing stitched (the IFMA path, the first call). */
AVX512 static void blocks16(const uint32_t in[16], uint32_t cc, v16su ks[16])
{
    blocks16_body(in, cc, ks, NULL, NULL, 0, 0);
}

AVX512 static void blocks16_stitched(const uint32_t in[16], uint32_t cc,
                                     v16su ks[16], captls_poly64 *st,
                                     const uint8_t *m, size_t nblk)
{
    blocks16_body(in, cc, ks, st, m, nblk, 1);
}

/* data[0..n) ^= keystream bytes ks + 0..n (n at most 1 KiB). */
AVX512 static void xor_chunk(uint8_t *data, const v16su *ks, size_t n)
{
    size_t j = 0;

    for (; j + 64 <= n; j += 64) {
        v16su d;

        memcpy(&d, data + j, 64);
        d ^= ks[j / 64];
        memcpy(data + j, &d, 64);
    }
    for (const uint8_t *k = (const uint8_t *)ks; j < n; j++)
        data[j] ^= k[j];
}

/* Absorbs n bytes of ciphertext at p with IFMA: whole blocks eight at a
 * time, a partial last block zero-padded (only a message's last chunk
 * has one). */
static void absorb_ifma(captls_poly64 *st, const captls_poly64_ifma *k,
                        const uint8_t *p, size_t n)
{
    captls_poly64_ifma_blocks(st, k, p, n / 16);
    if (n % 16 != 0)
        captls_poly64_padded(st, p + n - n % 16, n % 16);
}

/* The whole construction; ifma (a constant in each instance) absorbs each
 * chunk with IFMA beside the keystream instead of stitching the scalar
 * Poly1305 into the rounds. */
AVX512 static inline __attribute__((always_inline)) void
seal_or_open(const void *key, const void *iv, uint8_t *p, size_t len,
             const void *aad, size_t aad_len, void *tag, int encrypt,
             int ifma)
{
    uint32_t in[16];
    v16su ks[16];
    uint8_t pkey[32];
    captls_poly64 st;
    captls_poly64_ifma pk;
    size_t n = len < 960 ? len : 960;
    size_t left;
    uint32_t cc = 16;
    size_t pending = 0; /* stitched sealing: blocks sealed, not absorbed */

    captls_chacha20_state_init(in, key, iv);
    blocks16(in, 0, ks);
    memcpy(pkey, ks, sizeof pkey);
    captls_poly64_init(&st, pkey);
    if (ifma)
        captls_poly64_ifma_init(&pk, &st);
    captls_poly64_padded(&st, aad, aad_len);

    /* First chunk: keystream blocks 1..15 of that first call. */
    if (!encrypt) {
        if (ifma)
            absorb_ifma(&st, &pk, p, n);
        else
            captls_poly64_padded(&st, p, n);
    }
    xor_chunk(p, ks + 1, n);
    if (encrypt) {
        if (ifma)
            absorb_ifma(&st, &pk, p, n);
        else if (n % 16 == 0)
            pending = n / 16;
        else
            captls_poly64_padded(&st, p, n);
    }
    p += n;
    left = len - n;

    while (left > 0) {
        n = left < 1024 ? left : 1024;
        if (ifma) {
            blocks16(in, cc, ks);
            if (!encrypt)
                absorb_ifma(&st, &pk, p, n);
            xor_chunk(p, ks, n);
            if (encrypt)
                absorb_ifma(&st, &pk, p, n);
        } else if (encrypt) {
            blocks16_stitched(in, cc, ks, &st, p - 16 * pending, pending);
            pending = 0;
            xor_chunk(p, ks, n);
            if (n % 16 == 0)
                pending = n / 16;
            else
                captls_poly64_padded(&st, p, n);
        } else {
            blocks16_stitched(in, cc, ks, &st, p, n / 16);
            if (n % 16 != 0)
                captls_poly64_padded(&st, p + n - n % 16, n % 16);
            xor_chunk(p, ks, n);
        }
        p += n;
        left -= n;
        cc += 16;
    }
    if (pending > 0)
        captls_poly64_blocks(&st, p - 16 * pending, pending);
    captls_poly64_finish(&st, pkey, aad_len, len, tag);

    captls_zeroize(ks, sizeof ks);
    captls_zeroize(in, sizeof in);
    captls_zeroize(pkey, sizeof pkey);
    if (ifma)
        captls_zeroize(&pk, sizeof pk);
}

AVX512 void captls_chacha20_poly1305_avx512_run(
    const void *key, const void *iv, void *data, size_t len, const void *aad,
    size_t aad_len, void *tag, br_chacha20_run ichacha, int encrypt)
{
    (void)ichacha;
    seal_or_open(key, iv, data, len, aad, aad_len, tag, encrypt, 0);
}

AVX512 void captls_chacha20_poly1305_avx512ifma_run(
    const void *key, const void *iv, void *data, size_t len, const void *aad,
    size_t aad_len, void *tag, br_chacha20_run ichacha, int encrypt)
{
    (void)ichacha;
    seal_or_open(key, iv, data, len, aad, aad_len, tag, encrypt, 1);
}

#endif /* CAPTLS_CHACHA_AVX512 */
