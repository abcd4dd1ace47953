/* core/crypto/p256_ecdh.h — ECDH on P-256 (secp256r1) for TLS 1.3 key
 * shares: the public point of a scalar and the shared x-coordinate
 * (SEC 1 §3.3.1 Elliptic Curve Diffie-Hellman Primitive; RFC 8446 §7.4.2).
 *
 * Contract. Caller-owned fixed-size buffers, nothing kept, no allocation.
 * Scalars are 32-byte big-endian integers and must lie in [1, n-1] (n the
 * group order); the range test is constant time and so is the scalar
 * multiplication: the 64-bit P-256 code of p256_point.h (fixed-base table
 * for the public key, 4-bit fixed window for the shared secret) where the
 * compiler has unsigned __int128, else — or when
 * captls_p256_force_bearssl(true) — BearSSL's br_ec_p256_m31 (BearSSL 0.6
 * as packaged here has no m62/m64 P-256 code). Both give identical
 * results. Every secret temporary is wiped before return. Points are uncompressed SEC 1 encodings 0x04||X||Y
 * (65 bytes).
 * The peer point is validated strictly before use (SEC 1 §3.2.2.1, as
 * RFC 8446 §4.2.8.2 asks for "ECDHE parameters"): exactly 65 bytes, prefix
 * 0x04 (compressed and hybrid forms, and the one-byte 0x00 encoding of the
 * point at infinity, are refused), both coordinates below p, and on the
 * curve (core/crypto/ec_point_check.h; the prime order makes the subgroup
 * check vacuous). Point validation is variable time: the point is public.
 * Failure modes (nothing written to the output on any error):
 *   CAPTLS_ERR_INVALID_KEY  scalar 0 or >= n, or an invalid peer point.
 * Not checked: that the scalar came from a good random source (the caller's
 * job, see core/tls/key_schedule.h's key shares).
 */
#ifndef CAPTLS_CRYPTO_P256_ECDH_H
#define CAPTLS_CRYPTO_P256_ECDH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

#define CAPTLS_P256_SCALAR_SIZE 32
#define CAPTLS_P256_POINT_SIZE 65
#define CAPTLS_P256_SHARED_SIZE 32

/* True iff scalar (big-endian) is in [1, n-1]; constant time. */
bool captls_p256_scalar_is_valid(const uint8_t scalar[32]);

/* pub = scalar * G, uncompressed. CAPTLS_ERR_INVALID_KEY for a scalar
 * outside [1, n-1]. */
CAPTLS_MUST_CHECK captls_result captls_p256_public(uint8_t pub[65],
                                                   const uint8_t scalar[32]);

/* shared = x-coordinate of scalar * peer, 32 bytes big-endian (fixed
 * length, leading zeros kept: RFC 8446 §7.4.2). CAPTLS_ERR_INVALID_KEY for
 * a bad scalar or peer point (see the contract). `shared` may alias
 * `scalar`. */
CAPTLS_MUST_CHECK captls_result captls_p256_ecdh(uint8_t shared[32],
                                                 const uint8_t scalar[32],
                                                 const uint8_t *peer,
                                                 size_t peer_len);

#endif
