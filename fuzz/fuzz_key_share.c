/* Fuzz harness: TLS 1.3 key share agreement (core/tls/key_share.c) on
 * arbitrary peer shares. Input: GROUP(1) SHARE(rest); GROUP bit 0 picks
 * x25519 (0) or secp256r1 (1), with a fixed local key for each. Checks,
 * against OpenSSL 3.0 as the reference:
 *   - x25519: accepted iff exactly 32 bytes and OpenSSL's X25519 gives a
 *     non-zero secret, and then the same 32 bytes;
 *   - secp256r1: accepted iff exactly 65 bytes, prefix 0x04 and OpenSSL
 *     decodes a point on the curve (EC_POINT_oct2point refuses coordinates
 *     >= p and off-curve points), and then the same x-coordinate as
 *     EC_POINT_mul;
 *   - a refusal is CAPTLS_TLS_ERR(ILLEGAL_PARAMETER) with the output
 *     untouched.
 * Any difference aborts. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "core/tls/alert.h"
#include "core/tls/cipher_policy.h"
#include "core/tls/key_schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fixed local private keys (the P-256 one is below n). */
static const uint8_t x25519_priv[32] = {
    0x49, 0xaf, 0x42, 0xba, 0x7f, 0x79, 0x94, 0x85, 0x2d, 0x71, 0x3e,
    0xf2, 0x78, 0x4b, 0xcb, 0xca, 0xa7, 0x91, 0x1d, 0xe2, 0x6a, 0xdc,
    0x56, 0x42, 0xcb, 0x63, 0x45, 0x40, 0xe7, 0xea, 0x50, 0x05};
static const uint8_t p256_priv[32] = {
    0x3c, 0x1b, 0x5e, 0x2a, 0x91, 0x04, 0x77, 0xd0, 0x0f, 0x6e, 0xa8,
    0x3b, 0x52, 0xc9, 0x11, 0xe4, 0x8d, 0x2f, 0x66, 0x90, 0xab, 0x07,
    0x5c, 0x3e, 0xd1, 0x48, 0x9a, 0x26, 0x71, 0xbf, 0x0c, 0x83};

typedef struct fixed_src {
    const uint8_t *key;
} fixed_src;

static captls_result fill_fixed(void *ctx, uint8_t *out, size_t len)
{
    fixed_src *s = ctx;
    if (len != 32)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    memcpy(out, s->key, 32);
    return CAPTLS_OK;
}

static int ref_x25519(uint8_t out[32], const uint8_t *u)
{
    EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
                                                  x25519_priv, 32);
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

static int ref_p256(uint8_t out[32], const uint8_t *pt, size_t len)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *p = g ? EC_POINT_new(g) : NULL, *r = g ? EC_POINT_new(g) : NULL;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *k = BN_bin2bn(p256_priv, 32, NULL), *x = BN_new();
    int ok = 0;

    if (g == NULL || p == NULL || r == NULL || ctx == NULL || k == NULL ||
        x == NULL)
        abort();
    if (len == 65 && pt[0] == 0x04 &&
        EC_POINT_oct2point(g, p, pt, len, ctx) == 1 &&
        EC_POINT_is_on_curve(g, p, ctx) == 1 &&
        EC_POINT_mul(g, r, NULL, p, k, ctx) == 1 &&
        EC_POINT_is_at_infinity(g, r) == 0 &&
        EC_POINT_get_affine_coordinates(g, r, x, NULL, ctx) == 1 &&
        BN_bn2binpad(x, out, 32) == 32)
        ok = 1;
    BN_free(x);
    BN_free(k);
    BN_CTX_free(ctx);
    EC_POINT_free(r);
    EC_POINT_free(p);
    EC_GROUP_free(g);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_tls_key_share shares[2];
    static int ready;
    uint8_t mine[32], ref[32];
    const uint8_t *peer;
    size_t peer_len;
    int which, ok;
    captls_result r;

    if (!ready) {
        fixed_src a = {x25519_priv}, b = {p256_priv};
        if (captls_tls_key_share_generate(&shares[0], CAPTLS_TLS_GROUP_X25519,
                                          fill_fixed, &a) != CAPTLS_OK ||
            captls_tls_key_share_generate(&shares[1],
                                          CAPTLS_TLS_GROUP_SECP256R1,
                                          fill_fixed, &b) != CAPTLS_OK)
            abort();
        ready = 1;
    }
    if (size < 1)
        return 0;
    which = data[0] & 1;
    peer = data + 1;
    peer_len = size - 1;

    memset(mine, 0x5a, sizeof mine);
    r = captls_tls_key_share_agree(&shares[which], peer, peer_len, mine);
    if (which == 0)
        ok = peer_len == 32 && ref_x25519(ref, peer);
    else
        ok = ref_p256(ref, peer, peer_len);
    if (r == CAPTLS_OK) {
        if (!ok || memcmp(mine, ref, 32) != 0)
            abort();
    } else {
        if (r != CAPTLS_TLS_ERR(ILLEGAL_PARAMETER) || ok)
            abort();
        for (size_t i = 0; i < sizeof mine; i++)
            if (mine[i] != 0x5a)
                abort(); /* output written on refusal */
    }
    return 0;
}
