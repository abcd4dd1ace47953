/* See chacha_fast.h. ChaCha20 (RFC 8439 §2.3-2.4) on eight blocks at
 * once: vector lane j of state word i is word i of block cc+j. After the
 * 20 rounds an 8x8 transpose (unpack 32/64, swap 128-bit halves) turns
 * lanes back into consecutive 64-byte blocks. gcc/clang vector extensions
 * with target("avx2"): no <immintrin.h> (core/ stays freestanding). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/chacha_fast.h"

#if CAPTLS_CHACHA_AVX2

typedef uint32_t v8su __attribute__((vector_size(32)));
typedef uint8_t v32qu __attribute__((vector_size(32)));

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline v8su rotl16(v8su x)
{
    v32qu b = (v32qu)x;

    b = __builtin_shufflevector(b, b, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9,
                                14, 15, 12, 13, 18, 19, 16, 17, 22, 23, 20,
                                21, 26, 27, 24, 25, 30, 31, 28, 29);
    return (v8su)b;
}

AVX2 static inline v8su rotl8(v8su x)
{
    v32qu b = (v32qu)x;

    b = __builtin_shufflevector(b, b, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10,
                                15, 12, 13, 14, 19, 16, 17, 18, 23, 20, 21,
                                22, 27, 24, 25, 26, 31, 28, 29, 30);
    return (v8su)b;
}

/* RFC 8439 §2.1 quarter round. */
#define QR(a, b, c, d)                                                    \
    do {                                                                  \
        a += b; d ^= a; d = rotl16(d);                                    \
        c += d; b ^= c; b = (b << 12) | (b >> 20);                        \
        a += b; d ^= a; d = rotl8(d);                                     \
        c += d; b ^= c; b = (b << 7) | (b >> 25);                         \
    } while (0)

/* Transposes rows r[0..7] (word i of 8 blocks) into out[j] = 32 bytes:
 * words 0..7 of block j. */
AVX2 static inline void transpose8(const v8su r[8], v8su out[8])
{
    v8su t[8], u[8];

    for (int i = 0; i < 8; i += 2) {
        t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5,
                                       13);
        t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6,
                                           14, 7, 15);
    }
    /* t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | ..., t2/t3 from
     * c,d; u0 = a0 b0 c0 d0 | a4 ..., u1 = a1.., u2 = a2.., u3 = a3.. */
    for (int i = 0; i < 8; i += 4) {
        u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12,
                                       13);
        u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7,
                                           14, 15);
        u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4,
                                           5, 12, 13);
        u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11,
                                           6, 7, 14, 15);
    }
    for (int j = 0; j < 4; j++) {
        out[j] = __builtin_shufflevector(u[j], u[j + 4], 0, 1, 2, 3, 8, 9,
                                         10, 11);
        out[j + 4] = __builtin_shufflevector(u[j], u[j + 4], 4, 5, 6, 7, 12,
                                             13, 14, 15);
    }
}

/* Eight keystream blocks (counter cc..cc+7) into ks[0..15]: ks[2j] and
 * ks[2j+1] are the two halves of block j. */
AVX2 static void blocks8(const uint32_t in[16], uint32_t cc, v8su ks[16])
{
    v8su x[16], s[16], lo[8], hi[8];
    const v8su lane = {0, 1, 2, 3, 4, 5, 6, 7};

    for (int i = 0; i < 16; i++) {
        uint32_t w = in[i];
        s[i] = (v8su){w, w, w, w, w, w, w, w};
    }
    s[12] = (v8su){cc, cc, cc, cc, cc, cc, cc, cc} + lane;
    for (int i = 0; i < 16; i++)
        x[i] = s[i];
    for (int r = 0; r < 10; r++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        x[i] += s[i];
    transpose8(x, lo);
    transpose8(x + 8, hi);
    for (int j = 0; j < 8; j++) {
        ks[2 * j] = lo[j];
        ks[2 * j + 1] = hi[j];
    }
}

AVX2 uint32_t captls_chacha20_avx2_run(const void *key, const void *iv,
                                       uint32_t cc, void *data, size_t len)
{
    uint32_t in[16];
    v8su ks[16];
    uint8_t *p = data;

    captls_chacha20_state_init(in, key, iv);

    while (len >= 512) {
        blocks8(in, cc, ks);
        for (int i = 0; i < 16; i++) {
            v8su d;

            memcpy(&d, p + 32 * i, 32);
            d ^= ks[i];
            memcpy(p + 32 * i, &d, 32);
        }
        p += 512;
        len -= 512;
        cc += 8;
    }
    if (len > 0) {
        uint8_t *ksb = (uint8_t *)ks;

        blocks8(in, cc, ks);
        for (size_t i = 0; i < len; i++)
            p[i] ^= ksb[i];
        cc += (uint32_t)((len + 63) / 64);
    }
    captls_zeroize(ks, sizeof ks);
    captls_zeroize(in, sizeof in);
    return cc;
}

#endif /* CAPTLS_CHACHA_AVX2 */
