/* core/acme/test_acme_keys.h — test-only signers for the ACME codec tests:
 * OpenSSL generates the key, captls signs through the captls_acme_signer
 * callback (the seam a KeyVault cap plugs into). Header-only, host only. */
#ifndef CAPTLS_ACME_TEST_ACME_KEYS_H
#define CAPTLS_ACME_TEST_ACME_KEYS_H

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "conformance/testkit.h"
#include "core/acme/signer.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"

typedef struct test_key {
    EVP_PKEY *pkey; /* OpenSSL's copy, for verification */
    uint8_t priv[32];
    uint8_t pub[65];
    int calls;
    captls_result force;  /* returned instead of signing when != OK */
    int corrupt;          /* 1: return non-minimal DER */
} test_key;

static captls_result test_sign(void *ctx, captls_acme_sig_alg alg,
                               const uint8_t *msg, size_t len, uint8_t *sig,
                               size_t cap, size_t *sig_len)
{
    test_key *k = ctx;
    k->calls++;
    if (k->force != CAPTLS_OK)
        return k->force;
    if (alg == CAPTLS_ACME_SIG_ES256) {
        if (cap < CAPTLS_ECDSA_P256_SIG_MAX)
            return CAPTLS_ERR_BUFFER_TOO_SMALL;
        captls_result r = captls_ecdsa_p256_sign(k->priv, CAPTLS_HASH_SHA256, msg,
                                                 len, sig, sig_len);
        if (r == CAPTLS_OK && k->corrupt && *sig_len >= cap) {
            sig[0] = 0x31; /* a SET, not a SEQUENCE (no room to grow) */
        } else if (r == CAPTLS_OK && k->corrupt) {
            /* r INTEGER with an extra leading zero byte: not DER */
            memmove(sig + 5, sig + 4, *sig_len - 4);
            sig[3]++;
            sig[4] = 0;
            sig[1]++;
            (*sig_len)++;
        }
        return r;
    }
    if (cap < 64)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    captls_ed25519_sign(sig, k->priv, k->pub, msg, len);
    *sig_len = 64;
    return CAPTLS_OK;
}

static void test_key_new(test_key *k, captls_acme_signer *s, bool ec)
{
    memset(k, 0, sizeof(*k));
    memset(s, 0, sizeof(*s));
    if (ec) {
        k->pkey = captls_test_keygen("EC", "P-256", 0);
        BIGNUM *bn = NULL;
        size_t n = 0;
        if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1 ||
            BN_bn2binpad(bn, k->priv, 32) != 32 ||
            EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY,
                                            k->pub, 65, &n) != 1 || n != 65)
            abort();
        BN_clear_free(bn);
        if (captls_jwk_from_p256(&s->pub, k->pub, 65) != CAPTLS_OK)
            abort();
    } else {
        k->pkey = captls_test_keygen("ED25519", NULL, 0);
        size_t a = 32, b = 32;
        if (EVP_PKEY_get_raw_private_key(k->pkey, k->priv, &a) != 1 ||
            EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &b) != 1)
            abort();
        if (captls_jwk_from_ed25519(&s->pub, k->pub) != CAPTLS_OK)
            abort();
    }
    s->sign = test_sign;
    s->ctx = k;
}

static void test_key_free(test_key *k)
{
    EVP_PKEY_free(k->pkey);
    memset(k, 0, sizeof(*k));
}

#endif
