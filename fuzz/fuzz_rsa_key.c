/* Fuzz harness: RSA private keys (core/crypto/rsa_key.c).
 *
 * Properties beyond "no crash": the input is parsed as PKCS#1, as PKCS#8
 * and as PEM; a rejected input leaves the output key all zero (wiped, no
 * partial key); an accepted key has a 2048..4096-bit modulus whose size
 * matches n_len, signs with RSA-PSS (which checks the signature with the
 * public key internally) and verifies with captls; destroy zeroes it.
 * Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/rsa_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must_be_zero(const captls_rsa_private_key *k)
{
    const uint8_t *p = (const uint8_t *)k;
    for (size_t i = 0; i < sizeof(*k); i++)
        if (p[i] != 0)
            abort();
}

static void check(captls_result r, captls_rsa_private_key *k)
{
    static const uint8_t msg[] = "fuzz";
    static const uint8_t salt[32] = {1, 2, 3};
    uint8_t sig[CAPTLS_RSA_MAX_BYTES];
    size_t sl = 0;
    if (r != CAPTLS_OK) {
        must_be_zero(k);
        return;
    }
    if (k->pub.bits < CAPTLS_RSA_ACCEPT_MIN_BITS ||
        k->pub.bits > CAPTLS_RSA_ACCEPT_MAX_BITS ||
        k->pub.n_len != (k->pub.bits + 7) / 8 || k->pub.n[0] == 0)
        abort();
    if (captls_rsa_pss_sign(k, CAPTLS_HASH_SHA256, CAPTLS_HASH_SHA256, salt, 32,
                            msg, sizeof(msg), sig, sizeof(sig), &sl) != CAPTLS_OK ||
        sl != k->pub.n_len ||
        captls_rsa_pss_verify(&k->pub, CAPTLS_HASH_SHA256, CAPTLS_HASH_SHA256, 32,
                              msg, sizeof(msg), sig, sl) != CAPTLS_OK)
        abort(); /* an accepted key must be a working key */
    captls_rsa_private_key_destroy(k);
    must_be_zero(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_rsa_private_key k;
    static uint8_t scratch[CAPTLS_RSA_KEY_DER_MAX];
    memset(&k, 0x5A, sizeof(k));
    check(captls_rsa_key_parse_pkcs1(data, size, &k, NULL), &k);
    memset(&k, 0x5A, sizeof(k));
    check(captls_rsa_key_parse_pkcs8(data, size, &k, NULL), &k);
    memset(&k, 0x5A, sizeof(k));
    check(captls_rsa_key_parse_pem(data, size, scratch, sizeof(scratch), &k), &k);
    for (size_t i = 0; i < sizeof(scratch); i++)
        if (scratch[i] != 0)
            abort(); /* scratch wiped */
    return 0;
}
