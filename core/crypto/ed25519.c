/* See ed25519.h. RFC 8032 §5.1 clauses are quoted beside the steps. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/curve25519_group.h"
#include "core/crypto/curve25519_scalar.h"
#include "core/crypto/ed25519.h"

/* RFC 8032 §5.1.5 steps 1-2: h = SHA-512(seed); "prune the buffer": clear
 * the lowest three bits of the first octet, clear the highest bit and set
 * the second highest bit of the last octet (of the first half). */
static void expand_seed(uint8_t h[64], const uint8_t seed[32])
{
    br_sha512_context ctx;

    br_sha512_init(&ctx);
    br_sha512_update(&ctx, seed, 32);
    br_sha512_out(&ctx, h);
    captls_zeroize(&ctx, sizeof ctx);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
}

void captls_ed25519_public_from_seed(uint8_t pub[32], const uint8_t seed[32])
{
    uint8_t h[64];
    captls_ge_p3 A;

    expand_seed(h, seed);
    /* §5.1.5 steps 3-4: A = [s]B, encoded. */
    captls_ge_scalarmult_base(&A, h);
    captls_ge_tobytes(pub, &A);
    captls_zeroize(h, sizeof h);
    captls_zeroize(&A, sizeof A);
}

void captls_ed25519_sign(uint8_t sig[64], const uint8_t seed[32],
                         const uint8_t pub[32], const uint8_t *msg,
                         size_t len)
{
    uint8_t h[64], digest[64], r[32], k[32], R[32], S[32];
    br_sha512_context ctx;
    captls_ge_p3 Rp;

    /* §5.1.6 step 1: s from the first half of h, prefix the second. */
    expand_seed(h, seed);
    /* Step 2: r = SHA-512(dom2(F, C) || prefix || PH(M)) mod L (dom2 is
     * empty for Ed25519). */
    br_sha512_init(&ctx);
    br_sha512_update(&ctx, h + 32, 32);
    br_sha512_update(&ctx, msg, len);
    br_sha512_out(&ctx, digest);
    captls_sc_reduce64(r, digest);
    /* Step 3: R = [r]B, encoded. */
    captls_ge_scalarmult_base(&Rp, r);
    captls_ge_tobytes(R, &Rp);
    /* Step 4: k = SHA-512(dom2(F, C) || R || A || PH(M)) mod L. */
    br_sha512_init(&ctx);
    br_sha512_update(&ctx, R, 32);
    br_sha512_update(&ctx, pub, 32);
    br_sha512_update(&ctx, msg, len);
    br_sha512_out(&ctx, digest);
    captls_sc_reduce64(k, digest);
    /* Step 5: S = (r + k * s) mod L. */
    captls_sc_muladd(S, k, h, r);
    /* Step 6: the signature is R || S. */
    memcpy(sig, R, 32);
    memcpy(sig + 32, S, 32);

    captls_zeroize(h, sizeof h);
    captls_zeroize(digest, sizeof digest);
    captls_zeroize(r, sizeof r);
    captls_zeroize(k, sizeof k);
    captls_zeroize(S, sizeof S);
    captls_zeroize(&ctx, sizeof ctx);
    captls_zeroize(&Rp, sizeof Rp);
}

captls_result captls_ed25519_verify(const uint8_t pub[32], const uint8_t *msg,
                                    size_t len, const uint8_t sig[64])
{
    captls_ge_p3 A, negA, Rcheck;
    br_sha512_context ctx;
    uint8_t digest[64], k[32], R[32];

    /* §5.1.7 step 1: "Decode the first half as a point R, and the second
     * half as an integer S, in the range 0 <= s < L. Decode the public key
     * A as point A'. If any of the decodings fail (including S being out
     * of range), the signature is invalid." */
    if (captls_ge_frombytes_vartime(&A, pub) != 0)
        return CAPTLS_ERR_INVALID_KEY;
    /* Strictness beyond RFC 8032 (see header): no small-order keys. */
    if (captls_ge_has_small_order(&A))
        return CAPTLS_ERR_INVALID_KEY;
    if (!captls_sc_is_canonical(sig + 32))
        return CAPTLS_ERR_MALFORMED;
    /* No small-order R (libsodium's check); R itself is otherwise only
     * compared as bytes below, so a non-canonical or off-curve R fails
     * there. */
    if (captls_ge_encoding_has_small_order(sig))
        return CAPTLS_ERR_BAD_SIGNATURE;

    /* Step 2: k = SHA-512(dom2(F, C) || R || A || PH(M)). */
    br_sha512_init(&ctx);
    br_sha512_update(&ctx, sig, 32);
    br_sha512_update(&ctx, pub, 32);
    br_sha512_update(&ctx, msg, len);
    br_sha512_out(&ctx, digest);
    captls_sc_reduce64(k, digest);

    /* Step 3, cofactorless: [S]B = R + [k]A  <=>  R = [S]B - [k]A. */
    captls_ge_neg(&negA, &A);
    captls_ge_double_scalarmult_vartime(&Rcheck, k, &negA, sig + 32);
    captls_ge_tobytes(R, &Rcheck);
    if (!captls_ct_equal(R, sig, 32))
        return CAPTLS_ERR_BAD_SIGNATURE;
    return CAPTLS_OK;
}
