/* Differential fuzz harness: ChaCha20-Poly1305 (core/crypto/aead.h) on the
 * fast path (AVX2 ChaCha20 when the CPU has it, radix-2^64 Poly1305;
 * core/crypto/chacha_fast.h) against the portable path (BearSSL's
 * br_chacha20_ct_run + br_poly1305_ctmul_run) forced through cpu.h.
 * Input: KEY(32) NONCE(12) AADLEN(1) then AAD and plaintext. Ciphertext
 * and tag must be identical; each side must open the other's record, and
 * reject it with one tag bit flipped; any difference aborts. There are no
 * intended differences. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/aead.h"
#include "core/crypto/cpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLEN 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t fast[MAXLEN], port[MAXLEN];
    captls_aead_ctx cf, cp;
    uint8_t tf[16], tp[16];
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
    captls_cpu_set_portable(false);
    if (captls_aead_ctx_init(&cf, CAPTLS_AEAD_CHACHA20_POLY1305, key, 32) !=
            CAPTLS_OK ||
        captls_aead_ctx_init_portable(&cp, CAPTLS_AEAD_CHACHA20_POLY1305, key,
                                      32) != CAPTLS_OK)
        abort();
    memcpy(fast, pt, len);
    memcpy(port, pt, len);
    if (captls_aead_ctx_seal(&cf, nonce, aad, aad_len, fast, len, tf) !=
            CAPTLS_OK ||
        captls_aead_ctx_seal(&cp, nonce, aad, aad_len, port, len, tp) !=
            CAPTLS_OK)
        abort();
    if (memcmp(fast, port, len) != 0 || memcmp(tf, tp, 16) != 0)
        abort();
    /* cross-open: fast opens the portable record and vice versa */
    if (captls_aead_ctx_open(&cf, nonce, aad, aad_len, port, len, tp) !=
            CAPTLS_OK ||
        captls_aead_ctx_open(&cp, nonce, aad, aad_len, fast, len, tf) !=
            CAPTLS_OK ||
        memcmp(fast, pt, len) != 0 || memcmp(port, pt, len) != 0)
        abort();
    memcpy(fast, port, len); /* both plaintext again: reseal and tamper */
    if (captls_aead_ctx_seal(&cf, nonce, aad, aad_len, fast, len, tf) !=
        CAPTLS_OK)
        abort();
    tf[size % 16] ^= (uint8_t)(1u << (size % 8));
    if (captls_aead_ctx_open(&cp, nonce, aad, aad_len, fast, len, tf) !=
        CAPTLS_ERR_AUTH_FAILED)
        abort();
    captls_aead_ctx_destroy(&cf);
    captls_aead_ctx_destroy(&cp);
    return 0;
}
