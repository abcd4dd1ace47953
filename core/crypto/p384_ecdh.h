/* core/crypto/p384_ecdh.h — ECDH on P-384 (secp384r1): the public point of
 * a scalar and the shared x-coordinate (SEC 1 §3.3.1 Elliptic Curve
 * Diffie-Hellman Primitive; RFC 8446 §7.4.2 for the fixed-length output).
 *
 * Contract. Caller-owned fixed-size buffers, nothing kept, no allocation.
 * Scalars are 48-byte big-endian integers and must lie in [1, n-1] (n the
 * group order, taken from BearSSL's curve table); the range test is
 * constant time, and the scalar multiplication is BearSSL's
 * br_ec_prime_i31 (through br_ec_all_m31), which is constant time. Every
 * secret temporary is wiped before return. Points are uncompressed SEC 1
 * encodings 0x04||X||Y (97 bytes).
 * The peer point is validated strictly before use (SEC 1 §3.2.2.1, as
 * RFC 8446 §4.2.8.2 asks for "ECDHE parameters"): exactly 97 bytes, prefix
 * 0x04 (compressed and hybrid forms and the one-byte encoding of the point
 * at infinity are refused), both coordinates below p, and on the curve
 * (core/crypto/ec_point_check.h; prime order: no subgroup check needed).
 * Point validation is variable time: the point is public.
 * Failure modes (nothing written to the output on any error):
 *   CAPTLS_ERR_INVALID_KEY  scalar 0 or >= n, or an invalid peer point.
 * Not checked: that the scalar came from a good random source.
 * Used by: the conformance shim (conformance/shim_ops.c); TLS key shares
 * use P-256 and X25519 only.
 */
#ifndef CAPTLS_CRYPTO_P384_ECDH_H
#define CAPTLS_CRYPTO_P384_ECDH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

#define CAPTLS_P384_SCALAR_SIZE 48
#define CAPTLS_P384_POINT_SIZE 97
#define CAPTLS_P384_SHARED_SIZE 48

/* True iff scalar (big-endian) is in [1, n-1]; constant time. */
bool captls_p384_scalar_is_valid(const uint8_t scalar[48]);

/* pub = scalar * G, uncompressed. CAPTLS_ERR_INVALID_KEY for a scalar
 * outside [1, n-1]. */
CAPTLS_MUST_CHECK captls_result captls_p384_public(uint8_t pub[97],
                                                   const uint8_t scalar[48]);

/* shared = x-coordinate of scalar * peer, 48 bytes big-endian (leading
 * zeros kept). CAPTLS_ERR_INVALID_KEY for a bad scalar or peer point. */
CAPTLS_MUST_CHECK captls_result captls_p384_ecdh(uint8_t shared[48],
                                                 const uint8_t scalar[48],
                                                 const uint8_t *peer,
                                                 size_t peer_len);

#endif
