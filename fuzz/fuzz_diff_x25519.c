/* Differential fuzz harness: X25519, captls against OpenSSL 3.0
 * (core/crypto/x25519.h). Input: SCALAR(32) U(32), rest ignored. Both must
 * produce the same 32 bytes, or both refuse an all-zero result (captls
 * with CAPTLS_ERR_INVALID_KEY and `out` untouched); any difference aborts.
 * There are no intended differences. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/crypto/x25519.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ref_x25519(uint8_t out[32], const uint8_t k[32],
                      const uint8_t u[32])
{
    EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, k,
                                                  32);
    EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, u, 32);
    EVP_PKEY_CTX *c = priv ? EVP_PKEY_CTX_new(priv, NULL) : NULL;
    size_t len = 32;
    if (c == NULL || peer == NULL || EVP_PKEY_derive_init(c) != 1 ||
        EVP_PKEY_derive_set_peer(c, peer) != 1)
        abort(); /* OpenSSL setup failed: not a finding, but stop */
    int ok = EVP_PKEY_derive(c, out, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(priv);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t k[32], u[32], mine[32], ref[32];
    if (size < 64)
        return 0;
    memcpy(k, data, 32);
    memcpy(u, data + 32, 32);
    memset(mine, 0x5a, 32);
    captls_result r = captls_x25519(mine, k, u);
    int ok = ref_x25519(ref, k, u);
    if (r == CAPTLS_OK) {
        if (!ok || memcmp(mine, ref, 32) != 0)
            abort();
    } else {
        if (r != CAPTLS_ERR_INVALID_KEY || ok)
            abort();
        for (int i = 0; i < 32; i++)
            if (mine[i] != 0x5a)
                abort(); /* output written on refusal */
    }
    /* the inputs were not modified through aliasing tricks */
    if (memcmp(k, data, 32) != 0 || memcmp(u, data + 32, 32) != 0)
        abort();
    return 0;
}
