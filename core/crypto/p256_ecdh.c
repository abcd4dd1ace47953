/* core/crypto/p256_ecdh.c — P-256 ECDH on the 64-bit P-256 code
 * (p256_point.h) where it is built, else (or when forced) over BearSSL's
 * br_ec_p256_m31; see p256_ecdh.h. */
#include "core/crypto/p256_ecdh.h"

#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/ec_point_check.h"
#include "core/crypto/p256_point.h"

/* SEC 2 §2.4.2: the order n of the base point, big-endian. */
static const uint8_t p256_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

bool captls_p256_scalar_is_valid(const uint8_t scalar[32])
{
    uint32_t nonzero = 0, borrow = 0;

    /* scalar - n with borrow, least significant byte first: the final
     * borrow is 1 iff scalar < n. No branch depends on the scalar. */
    for (int i = 31; i >= 0; i--) {
        uint32_t d = (uint32_t)scalar[i] - p256_n[i] - borrow;
        borrow = (d >> 31) & 1u;
        nonzero |= scalar[i];
    }
    return (bool)(borrow & ((nonzero + 0xffu) >> 8));
}

/* The range verdict is public (the scalar is used or refused):
 * declassified for the ctgrind check (p256_point.h). */
static bool scalar_ok(const uint8_t scalar[32])
{
    uint32_t ok = captls_p256_scalar_is_valid(scalar);

    captls_p256_declassify(&ok, sizeof ok);
    return ok != 0;
}

captls_result captls_p256_public(uint8_t pub[65], const uint8_t scalar[32])
{
    const br_ec_impl *impl = &br_ec_p256_m31;
    uint8_t x[32], out[65];
    size_t n;

    if (!scalar_ok(scalar))
        return CAPTLS_ERR_INVALID_KEY;
#if CAPTLS_P256_FAST
    if (captls_p256_fast_active()) {
        p256_jac q;

        p256_mul_base(&q, scalar);
        p256_point_encode(pub, &q);
        captls_zeroize(&q, sizeof q);
        return CAPTLS_OK;
    }
#endif
    memcpy(x, scalar, sizeof x);
    n = impl->mulgen(out, x, sizeof x, BR_EC_secp256r1);
    captls_zeroize(x, sizeof x);
    if (n != sizeof out)
        return CAPTLS_ERR_INVALID_KEY; /* unreachable for 1 <= x < n */
    memcpy(pub, out, sizeof out);
    return CAPTLS_OK;
}

captls_result captls_p256_ecdh(uint8_t shared[32], const uint8_t scalar[32],
                               const uint8_t *peer, size_t peer_len)
{
    const br_ec_impl *impl = &br_ec_p256_m31;
    uint8_t x[32], pt[65];
    uint32_t ok;

    if (!scalar_ok(scalar))
        return CAPTLS_ERR_INVALID_KEY;
#if CAPTLS_P256_FAST
    if (captls_p256_fast_active()) {
        p256_affine q;
        p256_jac r;

        /* SEC 1 §3.2.2.1 / RFC 8446 §4.2.8.2: uncompressed form only,
         * exactly 65 bytes; X and Y below p and y^2 = x^3 - 3x + b. */
        if (!p256_point_decode(&q, peer, peer_len))
            return CAPTLS_ERR_INVALID_KEY;
        /* Never the point at infinity: prime order n, 1 <= scalar < n,
         * and q is a finite point. SEC 1 §3.3.1 step 3: z = x_P. */
        p256_mul_point(&r, scalar, &q);
        p256_point_x(x, &r);
        memcpy(shared, x, 32);
        captls_zeroize(&r, sizeof r);
        captls_zeroize(x, sizeof x);
        return CAPTLS_OK;
    }
#endif
    /* SEC 1 §3.2.2.1 / RFC 8446 §4.2.8.2: uncompressed form only, exactly
     * 65 bytes; X and Y below p and y^2 = x^3 - 3x + b. */
    if (peer == NULL || peer_len != sizeof pt || peer[0] != 0x04 ||
        !captls_ec_p256_point_is_valid(peer + 1, peer + 33))
        return CAPTLS_ERR_INVALID_KEY;
    memcpy(pt, peer, sizeof pt);
    memcpy(x, scalar, sizeof x);
    /* mul decodes and re-checks the point; 1 on success. The result is
     * never the point at infinity: the curve has prime order n and
     * 1 <= x < n. */
    ok = impl->mul(pt, sizeof pt, x, sizeof x, BR_EC_secp256r1);
    captls_zeroize(x, sizeof x);
    if (ok != 1) {
        captls_zeroize(pt, sizeof pt);
        return CAPTLS_ERR_INVALID_KEY;
    }
    /* SEC 1 §3.3.1 step 3: z = x_P, as a 32-byte big-endian string. */
    memcpy(shared, pt + 1, 32);
    captls_zeroize(pt, sizeof pt);
    return CAPTLS_OK;
}
