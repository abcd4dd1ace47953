/* core/tls/key_share.c — TLS 1.3 (EC)DHE key shares for x25519 and
 * secp256r1 (RFC 8446 §4.2.8, §7.4); see key_schedule.h. */
#include "core/tls/key_schedule.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/p256_ecdh.h"
#include "core/crypto/x25519.h"
#include "core/tls/alert.h"
#include "core/tls/cipher_policy.h"

/* Draws tried before a P-256 key generation gives up. A uniform 32-byte
 * string is >= n with probability < 2^-32, so 8 failures in a row mean a
 * broken source (stuck at 0x00.. or 0xff..), not bad luck. */
#define P256_KEYGEN_TRIES 8

captls_result captls_tls_key_share_generate(
    captls_tls_key_share *ks, uint16_t group,
    captls_result (*fill)(void *, uint8_t *, size_t), void *fill_ctx)
{
    captls_tls_key_share_wipe(ks);
    if (group != CAPTLS_TLS_GROUP_X25519 && group != CAPTLS_TLS_GROUP_SECP256R1)
        return CAPTLS_ERR_UNSUPPORTED;
    if (fill == NULL)
        return CAPTLS_ERR_INTERNAL;

    if (group == CAPTLS_TLS_GROUP_X25519) {
        /* RFC 7748 §6.1: 32 random bytes; X25519 clamps them. */
        if (fill(fill_ctx, ks->priv, 32) != CAPTLS_OK) {
            captls_tls_key_share_wipe(ks);
            return CAPTLS_ERR_ENTROPY_FAILURE;
        }
        captls_x25519_public(ks->pub, ks->priv);
        ks->pub_len = 32;
        ks->group = group;
        return CAPTLS_OK;
    }

    /* secp256r1: rejection sampling into [1, n-1] (FIPS 186-4 §B.4.2,
     * "testing candidates"), so the scalar is uniform. */
    for (int i = 0; i < P256_KEYGEN_TRIES; i++) {
        if (fill(fill_ctx, ks->priv, 32) != CAPTLS_OK)
            break;
        if (!captls_p256_scalar_is_valid(ks->priv))
            continue;
        if (captls_p256_public(ks->pub, ks->priv) != CAPTLS_OK)
            break; /* unreachable with a valid scalar */
        ks->pub_len = 65;
        ks->group = group;
        return CAPTLS_OK;
    }
    captls_tls_key_share_wipe(ks);
    return CAPTLS_ERR_ENTROPY_FAILURE;
}

captls_result captls_tls_key_share_agree(const captls_tls_key_share *ks,
                                         const uint8_t *peer, size_t peer_len,
                                         uint8_t shared[32])
{
    uint8_t z[32];
    captls_result r;

    if (ks->group == CAPTLS_TLS_GROUP_X25519) {
        /* RFC 8446 §4.2.8.2: X25519 key_exchange is the 32-byte public
         * value. §7.4.2: "implementations MUST check whether the computed
         * Diffie-Hellman shared secret is the all-zero value and abort if
         * so" (captls_x25519 refuses it with INVALID_KEY). */
        if (peer == NULL || peer_len != 32)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        r = captls_x25519(z, ks->priv, peer);
    } else if (ks->group == CAPTLS_TLS_GROUP_SECP256R1) {
        /* Our own scalar came from generate(): anything else is a bug. */
        if (!captls_p256_scalar_is_valid(ks->priv) || ks->pub_len != 65)
            return CAPTLS_ERR_INTERNAL;
        /* RFC 8446 §4.2.8.2: UncompressedPointRepresentation only; "peers
         * MUST validate each other's public key Y by ensuring that the
         * point is a valid point on the elliptic curve" (p256_ecdh.h: 65
         * bytes, 0x04, X and Y < p, on the curve). §7.4.2: the shared
         * secret is the x-coordinate, fixed-length. */
        r = captls_p256_ecdh(z, ks->priv, peer, peer_len);
    } else {
        return CAPTLS_ERR_INTERNAL; /* no share generated */
    }
    if (r != CAPTLS_OK) {
        captls_zeroize(z, sizeof z);
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    }
    memcpy(shared, z, sizeof z);
    captls_zeroize(z, sizeof z);
    return CAPTLS_OK;
}

void captls_tls_key_share_wipe(captls_tls_key_share *ks)
{
    captls_zeroize(ks, sizeof *ks);
}
