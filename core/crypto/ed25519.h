/* core/crypto/ed25519.h — Ed25519 signatures (RFC 8032 §5.1), written here.
 *
 * Contract. All buffers are caller-owned, fixed-size, and nothing is kept
 * after a call returns; there is no context object and no allocation. The
 * secret is the 32-byte seed of RFC 8032 ("private key"); the functions
 * derive the expanded key on every call and wipe it (and the nonce, hashes
 * and intermediate points) before returning. Key generation and signing
 * are constant time with respect to the seed and the nonce (checked by
 * ci/ctgrind.sh under valgrind); verification is variable time and handles
 * public data only. SHA-512 is BearSSL's br_sha512.
 *
 * Signing cannot fail. `pub` MUST be the key captls_ed25519_public_from_seed
 * returns for `seed`: it is hashed into the signature as given and NOT
 * recomputed (recomputing would double the cost). Signing one message under
 * one seed with two different `pub` values yields two signatures sharing a
 * nonce, from which the secret scalar can be solved: never take `pub` from
 * a place an attacker controls independently of the seed. `sig` may not
 * overlap `msg`/`seed`/`pub` (it is written last, in one piece).
 *
 * Verification is strict, like libsodium's (the verdict depends on nothing
 * but the three inputs):
 *   - S must be canonical, S < L (RFC 8032 §5.1.7 step 1) — else
 *     CAPTLS_ERR_MALFORMED;
 *   - the public key must be a canonical encoding (y < p, and not x = 0
 *     with the sign bit set, §5.1.3) of a curve point — else
 *     CAPTLS_ERR_INVALID_KEY;
 *   - the public key must not have small order ([8]A = identity: the 8
 *     points of order 1, 2, 4, 8) — else CAPTLS_ERR_INVALID_KEY;
 *   - R must not encode a small-order point (judged by y, as libsodium),
 *     and must be the canonical encoding of [S]B - [k]A, checked with the
 *     cofactorless equation [S]B = R + [k]A by recomputing R and comparing
 *     encodings — else CAPTLS_ERR_BAD_SIGNATURE.
 * OpenSSL 3.0 accepts some of what is rejected here (small-order keys and
 * R, non-canonical public keys); on every other input the verdicts agree
 * (test_ed25519.c checks both). Not checked: that the key is the one you
 * meant (binding keys to identities is the caller's job); Ed25519ph and
 * Ed25519ctx are not implemented.
 */
#ifndef CAPTLS_CRYPTO_ED25519_H
#define CAPTLS_CRYPTO_ED25519_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

#define CAPTLS_ED25519_SEED_SIZE 32
#define CAPTLS_ED25519_PUBLIC_SIZE 32
#define CAPTLS_ED25519_SIGNATURE_SIZE 64

/* pub = the public key of seed (RFC 8032 §5.1.5). Cannot fail. */
void captls_ed25519_public_from_seed(uint8_t pub[32], const uint8_t seed[32]);

/* sig = R || S over msg (RFC 8032 §5.1.6). msg may be NULL when len == 0.
 * Deterministic: the same inputs give the same signature. See above for
 * the requirement on pub. Cannot fail. */
void captls_ed25519_sign(uint8_t sig[64], const uint8_t seed[32],
                         const uint8_t pub[32], const uint8_t *msg,
                         size_t len);

/* CAPTLS_OK when sig is a valid signature of msg under pub; otherwise
 * CAPTLS_ERR_MALFORMED, CAPTLS_ERR_INVALID_KEY or CAPTLS_ERR_BAD_SIGNATURE
 * as listed above. Writes nothing. msg may be NULL when len == 0. */
CAPTLS_MUST_CHECK captls_result captls_ed25519_verify(const uint8_t pub[32],
                                                      const uint8_t *msg,
                                                      size_t len,
                                                      const uint8_t sig[64]);

#endif
