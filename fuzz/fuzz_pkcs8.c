/* Fuzz harness: PKCS#8 and SEC1 private keys (core/crypto/pkcs8.c, sec1.c).
 *
 * Properties beyond "no crash": a rejected input leaves the output key
 * untouched; an accepted key has a consistent type and sizes, an EC key
 * carries its public point, and wiping zeroes the whole struct. The input is
 * parsed as PKCS#8, as SEC1 without and with an expected curve. Builds for
 * libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/pkcs8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(captls_result r, captls_private_key *k)
{
    const uint8_t *p = (const uint8_t *)k;
    if (r != CAPTLS_OK) {
        for (size_t i = 0; i < sizeof(*k); i++)
            if (p[i] != 0x5A)
                abort(); /* output written on failure */
        return;
    }
    switch (k->type) {
    case CAPTLS_KEY_EC_P256:
    case CAPTLS_KEY_EC_P384:
        if (k->secret_len != (k->type == CAPTLS_KEY_EC_P256 ? 32u : 48u) ||
            k->public_len != captls_ec_point_size(k->type) ||
            k->public_key[0] != 0x04)
            abort();
        break;
    case CAPTLS_KEY_ED25519:
    case CAPTLS_KEY_X25519:
        if (k->secret_len != 32 || (k->public_len != 0 && k->public_len != 32))
            abort();
        break;
    default:
        abort();
    }
    captls_private_key_wipe(k);
    for (size_t i = 0; i < sizeof(*k); i++)
        if (p[i] != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const captls_key_type curves[] = {
        CAPTLS_KEY_NONE, CAPTLS_KEY_EC_P256, CAPTLS_KEY_EC_P384};
    captls_private_key k;
    memset(&k, 0x5A, sizeof(k));
    check(captls_pkcs8_parse(data, size, &k, NULL), &k);
    for (size_t i = 0; i < 3; i++) {
        memset(&k, 0x5A, sizeof(k));
        check(captls_sec1_parse(data, size, curves[i], &k, NULL), &k);
    }
    return 0;
}
