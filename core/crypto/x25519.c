/* See x25519.h. Two ladders compute the same function: the 4×64-bit one
 * in curve25519_field64.c (BMI2 + ADX, picked at run time) and the
 * portable one below on curve25519_field.h; x25519_internal.h lets tests
 * force either. The portable ladder is RFC 7748 §5 step for step; field
 * bounds as in curve25519_field.h: every value carried from one step to
 * the next is a mul/sq output (loose); sums of two loose values (< 2^53)
 * and uncarried differences (< 2^54) are used only as mul/sq inputs, which
 * accept < 2^54. mul_small(E, 121665) needs E < 2^54 too (product
 * < 2^71). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/curve25519_field.h"
#include "core/crypto/curve25519_field64.h"
#include "core/crypto/curve25519_group.h"
#include "core/crypto/x25519.h"
#include "core/crypto/x25519_internal.h"

/* RFC 7748 §5 decodeScalar25519: "k_list[0] &= 248; k_list[31] &= 127;
 * k_list[31] |= 64". */
static void clamp(uint8_t k[32], const uint8_t scalar[32])
{
    memcpy(k, scalar, 32);
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/* res = X25519(k, u) in canonical form, k clamped, on curve25519_field.h. */
static void ladder51(uint8_t res[32], const uint8_t k[32], const uint8_t u[32])
{
    captls_fe x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
    uint64_t swap = 0;

    /* RFC 7748 §5: "implementations of X25519 (but not X448) MUST mask the
     * most significant bit in the final byte" — frombytes ignores bit 255,
     * and values >= p are accepted unreduced. */
    captls_fe_frombytes(&x1, u);
    captls_fe_1(&x2);
    captls_fe_0(&z2);
    x3 = x1;
    captls_fe_1(&z3);

    for (int t = 254; t >= 0; t--) {
        const uint64_t k_t = (uint64_t)(k[t >> 3] >> (t & 7)) & 1;

        swap ^= k_t;
        captls_fe_cswap(&x2, &x3, swap);
        captls_fe_cswap(&z2, &z3, swap);
        swap = k_t;

        captls_fe_add(&a, &x2, &z2);      /* A = x_2 + z_2 */
        captls_fe_sq(&aa, &a);            /* AA = A^2 */
        captls_fe_sub_nocarry(&b, &x2, &z2);      /* B = x_2 - z_2 */
        captls_fe_sq(&bb, &b);            /* BB = B^2 */
        captls_fe_sub_nocarry(&e, &aa, &bb);      /* E = AA - BB */
        captls_fe_add(&c, &x3, &z3);      /* C = x_3 + z_3 */
        captls_fe_sub_nocarry(&d, &x3, &z3);      /* D = x_3 - z_3 */
        captls_fe_mul(&da, &d, &a);       /* DA = D * A */
        captls_fe_mul(&cb, &c, &b);       /* CB = C * B */
        captls_fe_add(&x3, &da, &cb);
        captls_fe_sq(&x3, &x3);           /* x_3 = (DA + CB)^2 */
        captls_fe_sub_nocarry(&z3, &da, &cb);
        captls_fe_sq(&z3, &z3);
        captls_fe_mul(&z3, &z3, &x1);     /* z_3 = x_1 * (DA - CB)^2 */
        captls_fe_mul(&x2, &aa, &bb);     /* x_2 = AA * BB */
        captls_fe_mul_small(&z2, &e, 121665);
        captls_fe_add(&z2, &z2, &aa);
        captls_fe_mul(&z2, &z2, &e);      /* z_2 = E * (AA + a24 * E) */
    }
    captls_fe_cswap(&x2, &x3, swap);
    captls_fe_cswap(&z2, &z3, swap);
    /* "Return x_2 * (z_2^(p - 2))" */
    captls_fe_invert(&z2, &z2);
    captls_fe_mul(&x2, &x2, &z2);
    captls_fe_tobytes(res, &x2);

    captls_zeroize(&x1, sizeof x1);
    captls_zeroize(&x2, sizeof x2);
    captls_zeroize(&z2, sizeof z2);
    captls_zeroize(&x3, sizeof x3);
    captls_zeroize(&z3, sizeof z3);
    captls_zeroize(&a, sizeof a);
    captls_zeroize(&aa, sizeof aa);
    captls_zeroize(&b, sizeof b);
    captls_zeroize(&bb, sizeof bb);
    captls_zeroize(&e, sizeof e);
    captls_zeroize(&c, sizeof c);
    captls_zeroize(&d, sizeof d);
    captls_zeroize(&da, sizeof da);
    captls_zeroize(&cb, sizeof cb);
}

captls_x25519_path captls_x25519_auto_path(void)
{
    return captls_fe64_supported() ? CAPTLS_X25519_PATH_MULX
                                   : CAPTLS_X25519_PATH_PORTABLE;
}

captls_result captls_x25519_via(captls_x25519_path path, uint8_t out[32],
                                const uint8_t scalar[32], const uint8_t u[32])
{
    uint8_t k[32], res[32];
    uint64_t acc = 0, zero;

    /* The path depends on the CPU (or the caller), never on a secret. */
    if (path == CAPTLS_X25519_PATH_AUTO)
        path = captls_x25519_auto_path();
    if (path == CAPTLS_X25519_PATH_MULX && !captls_fe64_supported())
        return CAPTLS_ERR_UNSUPPORTED;
    if (path != CAPTLS_X25519_PATH_MULX && path != CAPTLS_X25519_PATH_PORTABLE)
        return CAPTLS_ERR_INVALID_ARGUMENT;

    clamp(k, scalar);
    if (path == CAPTLS_X25519_PATH_MULX)
        captls_x25519_ladder64(res, k, u);
    else
        ladder51(res, k, u);

    /* RFC 7748 §6.1: "Both MAY check, without leaking extra information
     * about the value of K, whether K is the all-zero value and abort if
     * so." Branch-free: zero = 1 iff every byte is 0; out is rewritten
     * with its own bytes in that case. */
    for (int i = 0; i < 32; i++)
        acc |= res[i];
    zero = ((acc | (0 - acc)) >> 63) ^ 1;
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(res[i] ^ ((res[i] ^ out[i]) & (0 - zero)));

    captls_zeroize(k, sizeof k);
    captls_zeroize(res, sizeof res);
    return (captls_result)((uint64_t)CAPTLS_ERR_INVALID_KEY & (0 - zero));
}

captls_result captls_x25519(uint8_t out[32], const uint8_t scalar[32],
                            const uint8_t u[32])
{
    return captls_x25519_via(CAPTLS_X25519_PATH_AUTO, out, scalar, u);
}

void captls_x25519_public(uint8_t pub[32], const uint8_t scalar[32])
{
    uint8_t k[32];
    captls_ge_p3 P;
    captls_fe num, den;

    clamp(k, scalar);
    /* X25519(k, 9) = u([k]B): B is the Edwards image of u = 9 (RFC 7748
     * §4.1), and u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y). k mod L != 0
     * for clamped k, so Z != Y. */
    captls_ge_scalarmult_base(&P, k);
    captls_fe_add(&num, &P.Z, &P.Y);
    captls_fe_sub(&den, &P.Z, &P.Y);
    captls_fe_invert(&den, &den);
    captls_fe_mul(&num, &num, &den);
    captls_fe_tobytes(pub, &num);
    captls_zeroize(k, sizeof k);
    captls_zeroize(&P, sizeof P);
    captls_zeroize(&num, sizeof num);
    captls_zeroize(&den, sizeof den);
}
