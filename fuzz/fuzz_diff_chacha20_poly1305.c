/* Differential fuzz harness: ChaCha20-Poly1305 (core/crypto/aead.h) on
 * every dispatch tier against the others: the fast path (AVX-512 ChaCha20
 * with the IFMA Poly1305 where the CPU has AVX-512 IFMA), AVX-512 with
 * IFMA hidden (the scalar Poly1305 stitched into the rounds), the AVX2 tier
 * (AVX-512 hidden through cpu.h: AVX2 ChaCha20 and radix-2^64 Poly1305;
 * core/crypto/chacha_fast.h) and the portable path (BearSSL's
 * br_chacha20_ct_run + br_poly1305_ctmul_run). On a CPU without a tier
 * two of them coincide. Input: KEY(32) NONCE(12) AADLEN(1) then AAD and
 * plaintext (up to 4 KiB: several of the AVX-512 path's 1 KiB chunks).
 * Ciphertext and tag must be identical; each tier must open the next
 * tier's record, and reject it with one tag bit flipped; any difference
 * aborts. There are no intended differences. Builds for libFuzzer and
 * AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/aead.h"
#include "core/crypto/cpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLEN 4096
#define TIERS 4

/* Tier 0: everything the CPU has; 1: IFMA hidden; 2: AVX-512 hidden;
 * 3: portable. */
static void init_tier(captls_aead_ctx *ctx, int tier, const uint8_t *key)
{
    static const uint32_t masks[TIERS] = {
        0, CAPTLS_CPU_AVX512IFMA, CAPTLS_CPU_AVX512F | CAPTLS_CPU_AVX512IFMA,
        0};
    captls_result r;

    captls_cpu_set_portable(false);
    captls_cpu_set_masked(masks[tier]);
    if (tier == 3)
        r = captls_aead_ctx_init_portable(ctx, CAPTLS_AEAD_CHACHA20_POLY1305,
                                          key, 32);
    else
        r = captls_aead_ctx_init(ctx, CAPTLS_AEAD_CHACHA20_POLY1305, key, 32);
    captls_cpu_set_masked(0);
    if (r != CAPTLS_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[TIERS][MAXLEN];
    captls_aead_ctx ctx[TIERS];
    uint8_t tag[TIERS][16];
    const uint8_t *key = data, *nonce = data + 32, *aad, *pt;
    size_t aad_len, len;

    if (size < 45)
        return 0;
    aad_len = data[44];
    if (size - 45 < aad_len)
        aad_len = size - 45;
    aad = data + 45;
    pt = aad + aad_len;
    len = size - 45 - aad_len;
    if (len > MAXLEN)
        len = MAXLEN;
    for (int t = 0; t < TIERS; t++) {
        init_tier(&ctx[t], t, key);
        memcpy(buf[t], pt, len);
        if (captls_aead_ctx_seal(&ctx[t], nonce, aad, aad_len, buf[t], len,
                                 tag[t]) != CAPTLS_OK)
            abort();
        if (t > 0 && (memcmp(buf[t], buf[0], len) != 0 ||
                      memcmp(tag[t], tag[0], 16) != 0))
            abort();
    }
    /* cross-open: tier t opens tier t+1's record (mod TIERS) */
    for (int t = 0; t < TIERS; t++) {
        int o = (t + 1) % TIERS;

        if (captls_aead_ctx_open(&ctx[t], nonce, aad, aad_len, buf[o], len,
                                 tag[o]) != CAPTLS_OK ||
            memcmp(buf[o], pt, len) != 0)
            abort();
    }
    /* reseal on tier t, flip a tag bit, tier t+1 must refuse and wipe */
    for (int t = 0; t < TIERS; t++) {
        int o = (t + 1) % TIERS;

        memcpy(buf[t], pt, len);
        if (captls_aead_ctx_seal(&ctx[t], nonce, aad, aad_len, buf[t], len,
                                 tag[t]) != CAPTLS_OK)
            abort();
        tag[t][size % 16] ^= (uint8_t)(1u << (size % 8));
        if (captls_aead_ctx_open(&ctx[o], nonce, aad, aad_len, buf[t], len,
                                 tag[t]) != CAPTLS_ERR_AUTH_FAILED)
            abort();
        for (size_t i = 0; i < len; i++)
            if (buf[t][i] != 0)
                abort();
    }
    for (int t = 0; t < TIERS; t++)
        captls_aead_ctx_destroy(&ctx[t]);
    return 0;
}
