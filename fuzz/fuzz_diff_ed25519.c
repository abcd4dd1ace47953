/* Differential fuzz harness: Ed25519 verification, captls against OpenSSL
 * 3.0 (core/crypto/ed25519.h).
 *
 * Input: byte 0 picks the mode, the rest is split as below.
 *   mode bit 0 clear ("raw"):  PUB(32) SIG(64) MSG(rest) as given;
 *   mode bit 0 set ("signed"): SEED(32) MASK(64) MSG(rest): captls signs
 *     MSG under SEED (the public key and signature bytes must equal
 *     OpenSSL's), then MASK is XORed into the signature — or, with mode
 *     bit 1, its first 32 bytes into the public key — so the fuzzer works
 *     near valid signatures instead of among random bytes.
 * Then both verify. Any verdict difference aborts, except the known and
 * intended ones (captls is strict, ed25519.h): captls refuses and OpenSSL
 * accepts while the public key is non-canonical or of small order, or R
 * is of small order. The exclusion is computed here from the bytes (the
 * small-order y values and y >= p), independently of captls. Builds for
 * libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/crypto/ed25519.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* y (little endian, sign bit cleared) of the small-order points: 0, 1,
 * p - 1, and the two order-8 values; the aliases p (= 0) and p + 1 (= 1)
 * are caught by the y >= p test. */
static const uint8_t small_y[5][32] = {
    {0},
    {1},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
     0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
     0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
     0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
     0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
};

static int y_at_least_p(const uint8_t e[32])
{
    if (e[0] < 0xed || (e[31] & 0x7f) != 0x7f)
        return 0;
    for (int i = 1; i < 31; i++)
        if (e[i] != 0xff)
            return 0;
    return 1;
}

static int small_order(const uint8_t e[32])
{
    uint8_t y[32];
    memcpy(y, e, 32);
    y[31] &= 0x7f;
    for (int i = 0; i < 5; i++)
        if (memcmp(y, small_y[i], 32) == 0)
            return 1;
    /* y = p or p + 1: aliases of 0 and 1 */
    return y_at_least_p(e) && (e[0] == 0xed || e[0] == 0xee);
}

static int ref_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
                      const uint8_t sig[64])
{
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
                                               32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = pk != NULL && c != NULL &&
             EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk) == 1 &&
             EVP_DigestVerify(c, sig, 64, msg, len) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(pk);
    return ok;
}

static void check_sign(const uint8_t seed[32], const uint8_t pub[32],
                       const uint8_t sig[64], const uint8_t *msg, size_t len)
{
    uint8_t rpub[32], rsig[64];
    size_t rlen = 32, slen = 64;
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
                                                32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (pk == NULL || c == NULL ||
        EVP_PKEY_get_raw_public_key(pk, rpub, &rlen) != 1 ||
        EVP_DigestSignInit(c, NULL, NULL, NULL, pk) != 1 ||
        EVP_DigestSign(c, rsig, &slen, msg, len) != 1)
        abort(); /* OpenSSL itself failed: not a finding, but stop */
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(pk);
    if (memcmp(rpub, pub, 32) != 0 || memcmp(rsig, sig, 64) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pub[32], sig[64];
    if (size < 97)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *msg = data + 97;
    size_t len = size - 97;
    if (mode & 1) {
        const uint8_t *seed = data + 1, *mask = data + 33;
        captls_ed25519_public_from_seed(pub, seed);
        captls_ed25519_sign(sig, seed, pub, msg, len);
        check_sign(seed, pub, sig, msg, len);
        if (captls_ed25519_verify(pub, msg, len, sig) != CAPTLS_OK)
            abort(); /* our own signature must verify */
        if (mode & 2)
            for (int i = 0; i < 32; i++)
                pub[i] ^= mask[i];
        else
            for (int i = 0; i < 64; i++)
                sig[i] ^= mask[i];
    } else {
        memcpy(pub, data + 1, 32);
        memcpy(sig, data + 33, 64);
    }
    captls_result r = captls_ed25519_verify(pub, msg, len, sig);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_MALFORMED &&
        r != CAPTLS_ERR_INVALID_KEY && r != CAPTLS_ERR_BAD_SIGNATURE)
        abort();
    int mine = r == CAPTLS_OK, ref = ref_verify(pub, msg, len, sig);
    if (mine == ref)
        return 0;
    if (!mine && ref &&
        (small_order(pub) || y_at_least_p(pub) || small_order(sig)))
        return 0; /* known, intended: captls is strict */
    abort();
}
