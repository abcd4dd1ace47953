/* core/crypto/curve25519_scalar.h — integers modulo the Ed25519 group
 * order L = 2^252 + 27742317777372353535851937790883648493, internal.
 *
 * Contract: byte strings are little-endian, caller-owned; outputs may alias
 * inputs. Arithmetic is Montgomery multiplication on five 52-bit limbs with
 * a final branch-free conditional subtraction: constant time in the values
 * (nonce r, secret scalar a and S all pass through here when signing).
 * Functions cannot fail. captls_sc_is_canonical is variable time and meant
 * for the public S of a signature. Temporaries are wiped before returning.
 */
#ifndef CAPTLS_CRYPTO_CURVE25519_SCALAR_H
#define CAPTLS_CRYPTO_CURVE25519_SCALAR_H

#include <stdint.h>

/* out = in mod L, for a 512-bit in (RFC 8032 §5.1.6 steps 2 and 4). */
void captls_sc_reduce64(uint8_t out[32], const uint8_t in[64]);

/* s = a * b + c mod L, for any 256-bit a, b, c (RFC 8032 §5.1.6 step 5:
 * S = (r + k * s) mod L). */
void captls_sc_muladd(uint8_t s[32], const uint8_t a[32], const uint8_t b[32],
                      const uint8_t c[32]);

/* 1 if s < L, else 0 (RFC 8032 §5.1.7 step 1). Variable time. */
int captls_sc_is_canonical(const uint8_t s[32]);

#endif
