/* See sha256_ni.h. The round structure follows Intel's "New Instructions
 * Supporting the Secure Hash Algorithm on Intel Architecture Processors"
 * (2013): the state is held as ABEF and CDGH, sha256rnds2 does two rounds,
 * sha256msg1/sha256msg2 compute the message schedule (FIPS 180-4 §6.2.2
 * step 1) four words at a time. Written with gcc/clang vector extensions
 * and target-attributed builtins: no <immintrin.h> (the core stays
 * freestanding, see DESIGN.md). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/md_buffer.h"
#include "core/crypto/sha256_ni.h"

#if CAPTLS_SHA256_NI

typedef int v4si __attribute__((vector_size(16)));
typedef char v16qi __attribute__((vector_size(16)));

#define SHA_TARGET __attribute__((target("sha,sse4.1")))

/* FIPS 180-4 §4.2.2, four per vector. */
static const uint32_t K256[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 §5.3.3. */
static const uint32_t IV256[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* Big-endian 32-bit words of 16 bytes (pshufb). */
SHA_TARGET static inline v4si load_be(const uint8_t *p)
{
    v16qi b;

    memcpy(&b, p, 16);
    b = __builtin_shufflevector(b, b, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8,
                                15, 14, 13, 12);
    return (v4si)b;
}

/* W[t..t+3] from the previous 16 words w0..w3 (oldest first):
 * W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16]. */
SHA_TARGET static inline v4si schedule(v4si w0, v4si w1, v4si w2, v4si w3)
{
    v4si t = __builtin_ia32_sha256msg1(w0, w1);          /* W-16 + s0(W-15) */
    t += __builtin_shufflevector(w2, w3, 1, 2, 3, 4);    /* + W-7 */
    return __builtin_ia32_sha256msg2(t, w3);             /* + s1(W-2) */
}

/* Four rounds with message words w (already scheduled) and constants k. */
#define ROUNDS4(w, i)                                                     \
    do {                                                                  \
        v4si k_;                                                          \
        v4si m_;                                                          \
        memcpy(&k_, &K256[4 * (i)], 16);                                  \
        m_ = (w) + k_;                                                    \
        cdgh = __builtin_ia32_sha256rnds2(cdgh, abef, m_);                \
        m_ = __builtin_shufflevector(m_, m_, 2, 3, 0, 0);                 \
        abef = __builtin_ia32_sha256rnds2(abef, cdgh, m_);                \
    } while (0)

SHA_TARGET void captls_sha256_ni_blocks(uint32_t state[8],
                                        const uint8_t *blocks, size_t n)
{
    v4si s0, s1, abef, cdgh, abef0, cdgh0;
    v4si w0, w1, w2, w3;

    memcpy(&s0, state, 16);     /* a b c d */
    memcpy(&s1, state + 4, 16); /* e f g h */
    abef = __builtin_shufflevector(s0, s1, 5, 4, 1, 0); /* f e b a */
    cdgh = __builtin_shufflevector(s0, s1, 7, 6, 3, 2); /* h g d c */
    for (; n > 0; n--, blocks += 64) {
        abef0 = abef;
        cdgh0 = cdgh;
        w0 = load_be(blocks);
        w1 = load_be(blocks + 16);
        w2 = load_be(blocks + 32);
        w3 = load_be(blocks + 48);
        ROUNDS4(w0, 0);
        ROUNDS4(w1, 1);
        ROUNDS4(w2, 2);
        ROUNDS4(w3, 3);
        w0 = schedule(w0, w1, w2, w3); ROUNDS4(w0, 4);
        w1 = schedule(w1, w2, w3, w0); ROUNDS4(w1, 5);
        w2 = schedule(w2, w3, w0, w1); ROUNDS4(w2, 6);
        w3 = schedule(w3, w0, w1, w2); ROUNDS4(w3, 7);
        w0 = schedule(w0, w1, w2, w3); ROUNDS4(w0, 8);
        w1 = schedule(w1, w2, w3, w0); ROUNDS4(w1, 9);
        w2 = schedule(w2, w3, w0, w1); ROUNDS4(w2, 10);
        w3 = schedule(w3, w0, w1, w2); ROUNDS4(w3, 11);
        w0 = schedule(w0, w1, w2, w3); ROUNDS4(w0, 12);
        w1 = schedule(w1, w2, w3, w0); ROUNDS4(w1, 13);
        w2 = schedule(w2, w3, w0, w1); ROUNDS4(w2, 14);
        w3 = schedule(w3, w0, w1, w2); ROUNDS4(w3, 15);
        abef += abef0;
        cdgh += cdgh0;
    }
    s0 = __builtin_shufflevector(abef, cdgh, 3, 2, 7, 6); /* a b c d */
    s1 = __builtin_shufflevector(abef, cdgh, 1, 0, 5, 4); /* e f g h */
    memcpy(state, &s0, 16);
    memcpy(state + 4, &s1, 16);
}

/* ------------------------------------------------ br_hash_class glue */

static void enc32be(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
}

static uint32_t dec32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static void ni_init(const br_hash_class **vt)
{
    br_sha256_context *cc = (br_sha256_context *)(void *)vt;

    cc->vtable = &captls_sha256_ni_vtable;
    memcpy(cc->val, IV256, sizeof IV256);
    cc->count = 0;
}

static void ni_blocks_cb(void *state, const uint8_t *p, size_t n)
{
    captls_sha256_ni_blocks(state, p, n);
}

static void ni_update(const br_hash_class **vt, const void *data, size_t len)
{
    br_sha256_context *cc = (br_sha256_context *)(void *)vt;

    captls_md_update(cc->buf, 64, &cc->count, cc->val, ni_blocks_cb, data,
                     len);
}

/* FIPS 180-4 §5.1.1 padding on a copy: the running state is untouched,
 * as BearSSL's out() promises. */
static void ni_out(const br_hash_class *const *vt, void *dst)
{
    const br_sha256_context *cc = (const br_sha256_context *)(const void *)vt;
    uint8_t buf[128];
    uint32_t val[8];
    size_t ptr = (size_t)cc->count & 63;
    size_t total = ptr < 56 ? 64 : 128;
    uint64_t bits = cc->count << 3;

    memcpy(buf, cc->buf, ptr);
    buf[ptr] = 0x80;
    memset(buf + ptr + 1, 0, total - ptr - 1);
    enc32be(buf + total - 8, (uint32_t)(bits >> 32));
    enc32be(buf + total - 4, (uint32_t)bits);
    memcpy(val, cc->val, sizeof val);
    captls_sha256_ni_blocks(val, buf, total / 64);
    for (int i = 0; i < 8; i++)
        enc32be((uint8_t *)dst + 4 * i, val[i]);
    captls_zeroize(buf, sizeof buf);
    captls_zeroize(val, sizeof val);
}

/* Same encoding as br_sha224_state: the 8 words big-endian, the count. */
static uint64_t ni_state(const br_hash_class *const *vt, void *dst)
{
    const br_sha256_context *cc = (const br_sha256_context *)(const void *)vt;

    for (int i = 0; i < 8; i++)
        enc32be((uint8_t *)dst + 4 * i, cc->val[i]);
    return cc->count;
}

static void ni_set_state(const br_hash_class **vt, const void *stb,
                         uint64_t count)
{
    br_sha256_context *cc = (br_sha256_context *)(void *)vt;

    for (int i = 0; i < 8; i++)
        cc->val[i] = dec32be((const uint8_t *)stb + 4 * i);
    cc->count = count;
}

const br_hash_class captls_sha256_ni_vtable = {
    sizeof(br_sha256_context),
    BR_HASHDESC_ID(br_sha256_ID) | BR_HASHDESC_OUT(32) |
        BR_HASHDESC_STATE(32) | BR_HASHDESC_LBLEN(6) |
        BR_HASHDESC_MD_PADDING | BR_HASHDESC_MD_PADDING_BE,
    ni_init,
    ni_update,
    ni_out,
    ni_state,
    ni_set_state,
};

#endif /* CAPTLS_SHA256_NI */
