/* core/crypto/x25519.h — X25519 Diffie-Hellman (RFC 7748 §5, §6.1).
 *
 * Contract. Caller-owned fixed-size buffers, nothing kept, no allocation.
 * Both functions clamp the scalar as RFC 7748 §5 decodeScalar25519 says
 * (the caller's buffer is not modified) and run in time independent of the
 * scalar and of u (Montgomery ladder with branch-free conditional swaps;
 * the fixed-base path uses the constant-time Edwards base table). Every
 * secret temporary is wiped before returning.
 *
 * captls_x25519 masks bit 255 of u and accepts non-canonical u (>= p) as
 * RFC 7748 §5 requires. When the shared secret is all zeros (u of small
 * order, RFC 7748 §6.1 "check whether the value is all zero"), it returns
 * CAPTLS_ERR_INVALID_KEY and leaves `out` untouched; the zero test is
 * itself branch-free. Not checked: that u is on the curve rather than its
 * twist (RFC 7748 does not ask for it; twist security covers it).
 * `out` may alias `scalar` or `u`.
 *
 * captls_x25519_public computes X25519(scalar, 9) through the Edwards form
 * ([k]B, then u = (1 + y) / (1 - y)); it cannot fail.
 */
#ifndef CAPTLS_CRYPTO_X25519_H
#define CAPTLS_CRYPTO_X25519_H

#include <stdint.h>

#include "core/base/result.h"

#define CAPTLS_X25519_SIZE 32

CAPTLS_MUST_CHECK captls_result captls_x25519(uint8_t out[32],
                                              const uint8_t scalar[32],
                                              const uint8_t u[32]);

void captls_x25519_public(uint8_t pub[32], const uint8_t scalar[32]);

#endif
