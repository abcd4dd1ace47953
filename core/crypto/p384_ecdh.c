/* core/crypto/p384_ecdh.c — P-384 ECDH over BearSSL's br_ec_all_m31
 * (br_ec_prime_i31 for this curve); see p384_ecdh.h. */
#include "core/crypto/p384_ecdh.h"

#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/ec_point_check.h"

bool captls_p384_scalar_is_valid(const uint8_t scalar[48])
{
    size_t olen = 0;
    const unsigned char *n = br_ec_all_m31.order(BR_EC_secp384r1, &olen);
    uint32_t nonzero = 0, borrow = 0;

    if (n == NULL || olen != 48)
        return false;
    /* scalar - n with borrow, least significant byte first: the final
     * borrow is 1 iff scalar < n. No branch depends on the scalar. */
    for (int i = 47; i >= 0; i--) {
        uint32_t d = (uint32_t)scalar[i] - n[i] - borrow;
        borrow = (d >> 31) & 1u;
        nonzero |= scalar[i];
    }
    return (bool)(borrow & ((nonzero + 0xffu) >> 8));
}

captls_result captls_p384_public(uint8_t pub[97], const uint8_t scalar[48])
{
    uint8_t x[48], out[97];
    size_t n;

    if (!captls_p384_scalar_is_valid(scalar))
        return CAPTLS_ERR_INVALID_KEY;
    memcpy(x, scalar, sizeof x);
    n = br_ec_all_m31.mulgen(out, x, sizeof x, BR_EC_secp384r1);
    captls_zeroize(x, sizeof x);
    if (n != sizeof out)
        return CAPTLS_ERR_INVALID_KEY; /* unreachable for 1 <= x < n */
    memcpy(pub, out, sizeof out);
    return CAPTLS_OK;
}

captls_result captls_p384_ecdh(uint8_t shared[48], const uint8_t scalar[48],
                               const uint8_t *peer, size_t peer_len)
{
    uint8_t x[48], pt[97];
    uint32_t ok;

    if (!captls_p384_scalar_is_valid(scalar))
        return CAPTLS_ERR_INVALID_KEY;
    /* SEC 1 §3.2.2.1 / RFC 8446 §4.2.8.2: uncompressed form only, exactly
     * 97 bytes; X and Y below p and y^2 = x^3 - 3x + b. */
    if (peer == NULL || peer_len != sizeof pt || peer[0] != 0x04 ||
        !captls_ec_p384_point_is_valid(peer + 1, peer + 49))
        return CAPTLS_ERR_INVALID_KEY;
    memcpy(pt, peer, sizeof pt);
    memcpy(x, scalar, sizeof x);
    /* mul decodes and re-checks the point; 1 on success. The result is
     * never the point at infinity: prime order n and 1 <= x < n. */
    ok = br_ec_all_m31.mul(pt, sizeof pt, x, sizeof x, BR_EC_secp384r1);
    captls_zeroize(x, sizeof x);
    if (ok != 1) {
        captls_zeroize(pt, sizeof pt);
        return CAPTLS_ERR_INVALID_KEY;
    }
    /* SEC 1 §3.3.1 step 3: z = x_P */
    memcpy(shared, pt + 1, 48);
    captls_zeroize(pt, sizeof pt);
    return CAPTLS_OK;
}
