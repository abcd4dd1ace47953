/* See sha512_avx2.h. The schedule runs two words at a time in 128-bit
 * vectors over a ring of eight pairs (X[k] holds W[t + 2k], W[t + 2k + 1]
 * of the current sixteen), one pair between every two rounds, so that the
 * vector units compute the next sixteen words while the scalar units run
 * these rounds; W + K of the current sixteen words is stored first for the
 * rounds to read. Rounds use Ch(e,f,g) = ((f ^ g) & e) ^ g and
 * Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)), where b ^ c is the previous
 * round's a ^ b. gcc/clang vector extensions with target("avx2,bmi2"):
 * no <immintrin.h> (core/ stays freestanding). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/md_buffer.h"
#include "core/crypto/sha512_avx2.h"

#if CAPTLS_SHA512_AVX2

typedef uint64_t v2du __attribute__((vector_size(16)));

#define AVX2 __attribute__((target("avx2,bmi2")))

/* FIPS 180-4 §4.2.3 */
static const uint64_t K512[80] __attribute__((aligned(16))) = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full,
    0xe9b5dba58189dbbcull, 0x3956c25bf348b538ull, 0x59f111f1b605d019ull,
    0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull, 0xd807aa98a3030242ull,
    0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull,
    0xc19bf174cf692694ull, 0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull,
    0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull, 0x2de92c6f592b0275ull,
    0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full,
    0xbf597fc7beef0ee4ull, 0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull,
    0x06ca6351e003826full, 0x142929670a0e6e70ull, 0x27b70a8546d22ffcull,
    0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull,
    0x92722c851482353bull, 0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull,
    0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull, 0xd192e819d6ef5218ull,
    0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull,
    0x34b0bcb5e19b48a8ull, 0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull,
    0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull, 0x748f82ee5defb2fcull,
    0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull,
    0xc67178f2e372532bull, 0xca273eceea26619cull, 0xd186b8c721c0c207ull,
    0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull, 0x06f067aa72176fbaull,
    0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull,
    0x431d67c49c100d4cull, 0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull,
    0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull};

/* FIPS 180-4 §5.3.4 and §5.3.5 */
static const uint64_t IV384[8] = {
    0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull, 0x9159015a3070dd17ull,
    0x152fecd8f70e5939ull, 0x67332667ffc00b31ull, 0x8eb44a8768581511ull,
    0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull};
static const uint64_t IV512[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
    0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
    0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

#define ROR(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define BSIG0(x) (ROR(x, 28) ^ ROR(x, 34) ^ ROR(x, 39))
#define BSIG1(x) (ROR(x, 14) ^ ROR(x, 18) ^ ROR(x, 41))
/* the small sigmas on two words (§4.1.3) */
#define SSIG0(x) (ROR(x, 1) ^ ROR(x, 8) ^ ((x) >> 7))
#define SSIG1(x) (ROR(x, 19) ^ ROR(x, 61) ^ ((x) >> 6))

#define ROUND(a, b, c, d, e, f, g, h, w)                                  \
    do {                                                                  \
        uint64_t t1 = h + (w) + ((((f) ^ (g)) & (e)) ^ (g)) + BSIG1(e);   \
        uint64_t ab = (a) ^ (b);                                          \
        h = t1 + BSIG0(a) + ((b) ^ (ab & bc));                            \
        bc = ab;                                                          \
        d += t1;                                                          \
    } while (0)

/* X[k] of the next sixteen words from the ring (indices mod 8; pairs
 * below k are already new, as the recurrence needs). */
#define SCHED(k)                                                          \
    do {                                                                  \
        v2du w15 = __builtin_shufflevector(X[(k)], X[((k) + 1) & 7], 1, 2); \
        v2du w7 = __builtin_shufflevector(X[((k) + 4) & 7],               \
                                          X[((k) + 5) & 7], 1, 2);        \
        v2du w2 = X[((k) + 7) & 7];                                       \
        X[(k)] += SSIG0(w15) + w7 + SSIG1(w2);                            \
    } while (0)

AVX2 void captls_sha512_avx2_blocks(uint64_t state[8], const uint8_t *p,
                                    size_t n)
{
    uint64_t wk[16] __attribute__((aligned(16)));
    v2du X[8];

    for (; n > 0; n--, p += 128) {
        uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
        uint64_t bc = b ^ c;

        for (int k = 0; k < 8; k++) {
            uint64_t w0, w1;

            memcpy(&w0, p + 16 * k, 8);
            memcpy(&w1, p + 16 * k + 8, 8);
            X[k] = (v2du){__builtin_bswap64(w0), __builtin_bswap64(w1)};
        }
        for (int r = 0; r < 80; r += 16) {
            for (int k = 0; k < 8; k++) {
                v2du kk;

                memcpy(&kk, K512 + r + 2 * k, 16);
                kk += X[k];
                memcpy(wk + 2 * k, &kk, 16);
            }
            /* two rounds, then the next pair of the schedule */
#define SCHED_IF(k)                                                       \
    do {                                                                  \
        if (r < 64)                                                       \
            SCHED(k);                                                     \
    } while (0)
#pragma GCC unroll 2
            for (int half = 0; half < 2; half++) {
                const uint64_t *w = wk + 8 * half;
                int k0 = 4 * half;

                ROUND(a, b, c, d, e, f, g, h, w[0]);
                ROUND(h, a, b, c, d, e, f, g, w[1]);
                SCHED_IF(k0);
                ROUND(g, h, a, b, c, d, e, f, w[2]);
                ROUND(f, g, h, a, b, c, d, e, w[3]);
                SCHED_IF(k0 + 1);
                ROUND(e, f, g, h, a, b, c, d, w[4]);
                ROUND(d, e, f, g, h, a, b, c, w[5]);
                SCHED_IF(k0 + 2);
                ROUND(c, d, e, f, g, h, a, b, w[6]);
                ROUND(b, c, d, e, f, g, h, a, w[7]);
                SCHED_IF(k0 + 3);
            }
#undef SCHED_IF
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
    captls_zeroize(wk, sizeof wk);
    captls_zeroize(X, sizeof X);
}

static void enc64be(uint8_t *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (56 - 8 * i));
}

static uint64_t dec64be(const uint8_t *p)
{
    uint64_t x = 0;

    for (int i = 0; i < 8; i++)
        x = (x << 8) | p[i];
    return x;
}

static void init384(const br_hash_class **vt)
{
    br_sha384_context *cc = (br_sha384_context *)(void *)vt;

    cc->vtable = &captls_sha384_avx2_vtable;
    memcpy(cc->val, IV384, sizeof IV384);
    cc->count = 0;
}

static void init512(const br_hash_class **vt)
{
    br_sha512_context *cc = (br_sha512_context *)(void *)vt;

    cc->vtable = &captls_sha512_avx2_vtable;
    memcpy(cc->val, IV512, sizeof IV512);
    cc->count = 0;
}

static void blocks_cb(void *state, const uint8_t *p, size_t n)
{
    captls_sha512_avx2_blocks(state, p, n);
}

static void update(const br_hash_class **vt, const void *data, size_t len)
{
    br_sha384_context *cc = (br_sha384_context *)(void *)vt;

    captls_md_update(cc->buf, 128, &cc->count, cc->val, blocks_cb, data, len);
}

/* FIPS 180-4 §5.1.2 padding (a 128-bit length) on a copy: the running
 * state is untouched, as BearSSL's out() promises; out_len 48 or 64. */
static void finish(const br_sha384_context *cc, uint8_t *dst, size_t out_len)
{
    uint8_t buf[256];
    uint64_t val[8];
    size_t ptr = (size_t)cc->count & 127;
    size_t total = ptr < 112 ? 128 : 256;

    memcpy(buf, cc->buf, ptr);
    buf[ptr] = 0x80;
    memset(buf + ptr + 1, 0, total - ptr - 1);
    enc64be(buf + total - 16, cc->count >> 61);
    enc64be(buf + total - 8, cc->count << 3);
    memcpy(val, cc->val, sizeof val);
    captls_sha512_avx2_blocks(val, buf, total / 128);
    for (size_t i = 0; i < out_len / 8; i++)
        enc64be(dst + 8 * i, val[i]);
    captls_zeroize(buf, sizeof buf);
    captls_zeroize(val, sizeof val);
}

static void out384(const br_hash_class *const *vt, void *dst)
{
    finish((const br_sha384_context *)(const void *)vt, dst, 48);
}

static void out512(const br_hash_class *const *vt, void *dst)
{
    finish((const br_sha384_context *)(const void *)vt, dst, 64);
}

/* Same encoding as br_sha384_state: the 8 words big-endian, the count. */
static uint64_t state(const br_hash_class *const *vt, void *dst)
{
    const br_sha384_context *cc = (const br_sha384_context *)(const void *)vt;

    for (int i = 0; i < 8; i++)
        enc64be((uint8_t *)dst + 8 * i, cc->val[i]);
    return cc->count;
}

static void set_state(const br_hash_class **vt, const void *stb,
                      uint64_t count)
{
    br_sha384_context *cc = (br_sha384_context *)(void *)vt;

    for (int i = 0; i < 8; i++)
        cc->val[i] = dec64be((const uint8_t *)stb + 8 * i);
    cc->count = count;
}

#define SHA2BIG_DESC(id, out)                                             \
    (BR_HASHDESC_ID(id) | BR_HASHDESC_OUT(out) | BR_HASHDESC_STATE(64) |  \
     BR_HASHDESC_LBLEN(7) | BR_HASHDESC_MD_PADDING |                      \
     BR_HASHDESC_MD_PADDING_BE | BR_HASHDESC_MD_PADDING_128)

const br_hash_class captls_sha384_avx2_vtable = {
    sizeof(br_sha384_context), SHA2BIG_DESC(br_sha384_ID, 48),
    init384, update, out384, state, set_state,
};

const br_hash_class captls_sha512_avx2_vtable = {
    sizeof(br_sha512_context), SHA2BIG_DESC(br_sha512_ID, 64),
    init512, update, out512, state, set_state,
};

#endif /* CAPTLS_SHA512_AVX2 */
