/* core/crypto/ec_point_check.h — is (x, y) a point of P-256 / P-384?
 *
 * Contract. Checks public-key validity for the two NIST curves the SPKI
 * parser accepts (SEC 1 §3.2.2.1 steps 2-3, without the order check, which
 * is vacuous for these prime-order curves): both coordinates, big-endian,
 * are below p, and y^2 = x^3 - 3x + b (mod p) (FIPS 186-4 §D.1.2.3/4). No
 * affine (x, y) is the point at infinity (b != 0 keeps (0, 0) off both
 * curves). Inputs are public: the code is variable-time, not constant-time.
 * Nothing is allocated or written outside the stack; no failure modes but
 * "not a point". The scalar-multiplication code (BearSSL, through ecdsa.c)
 * is not involved.
 */
#ifndef CAPTLS_CRYPTO_EC_POINT_CHECK_H
#define CAPTLS_CRYPTO_EC_POINT_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/* true iff (x, y) is an affine point of secp256r1 (P-256). */
bool captls_ec_p256_point_is_valid(const uint8_t x[32], const uint8_t y[32]);

/* true iff (x, y) is an affine point of secp384r1 (P-384). */
bool captls_ec_p384_point_is_valid(const uint8_t x[48], const uint8_t y[48]);

#endif
