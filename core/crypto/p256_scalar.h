/* core/crypto/p256_scalar.h — arithmetic modulo the P-256 group order
 * n = ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
 * (FIPS 186-4 §D.1.2.3) for ECDSA, on four 64-bit little-endian limbs.
 * Internal to the P-256 code.
 *
 * Contract. A p256_sc holds a value FULLY REDUCED below n (plain form, not
 * Montgomery); every function keeps that and outputs may alias inputs.
 * Everything is constant time (inversion is Fermat, a^(n-2), with a fixed
 * window over the public exponent) except the functions named *_vartime.
 * Nothing fails or is kept; wiping is the caller's job. Range policy
 * (a scalar must be in [1, n-1], r and s in [1, n-1]) is the caller's:
 * p256_sc_frombytes_checked reports it.
 * Available only when CAPTLS_P256_FAST (see p256_field.h).
 */
#ifndef CAPTLS_CRYPTO_P256_SCALAR_H
#define CAPTLS_CRYPTO_P256_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto/p256_field.h"

#if CAPTLS_P256_FAST

typedef struct p256_sc {
    uint64_t v[4];
} p256_sc;

/* r = the 32-byte big-endian value mod n (one conditional subtraction:
 * 2^256 < 2n). Constant time. */
void p256_sc_frombytes_reduce(p256_sc *r, const uint8_t in[32]);

/* r = the 32-byte big-endian value; returns all ones iff it is in
 * [1, n-1], else 0 (and r is then the value reduced mod n). Constant
 * time. */
uint64_t p256_sc_frombytes_checked(p256_sc *r, const uint8_t in[32]);

/* r = bits2int(digest) mod n (FIPS 186-4 §6.4 / RFC 6979 §2.3.2): the
 * leftmost min(256, 8·len) bits of the digest as an integer, reduced. */
void p256_sc_from_digest(p256_sc *r, const uint8_t *digest, size_t len);

void p256_sc_tobytes(uint8_t out[32], const p256_sc *a);

/* r = a + b mod n; r = a * b mod n; r = a^-1 mod n (0 maps to 0). */
void p256_sc_add(p256_sc *r, const p256_sc *a, const p256_sc *b);
void p256_sc_mul(p256_sc *r, const p256_sc *a, const p256_sc *b);
void p256_sc_inv(p256_sc *r, const p256_sc *a);

/* All ones iff a == 0. */
uint64_t p256_sc_is_zero(const p256_sc *a);

#endif /* CAPTLS_P256_FAST */
#endif
