/* core/crypto/sec1.h — EC private keys (SEC 1 / RFC 5915) and the private
 * key type shared with pkcs8.h.
 *
 * Contract. A captls_private_key is a fixed-size, caller-owned struct that
 * holds COPIES of the secret (it must be wipeable, so it never borrows the
 * input): the big-endian EC scalar, or the 32-byte Ed25519 seed / X25519
 * scalar. Destroy it with captls_private_key_wipe (zeroizes the whole
 * struct). Parse functions write *out only on success and wipe their own
 * temporaries on every path; the caller owns (and should wipe) the input
 * buffer. There is deliberately no function that encodes a private key back
 * to DER or PEM, nor one that exports the raw secret to text.
 *
 * captls_sec1_parse reads one ECPrivateKey (RFC 5915 §3): version 1, the
 * privateKey OCTET STRING of exactly the curve's order size (32 for P-256,
 * 48 for P-384; RFC 5915: ceiling(log2(n)/8) octets), optional [0]
 * parameters = namedCurve (must match `curve` when both are known; required
 * when curve is CAPTLS_KEY_NONE), optional [1] public key. Checked: the
 * scalar is in [1, n-1] (constant time), and the public point is computed
 * from it (BearSSL, constant time) and stored in public_key; an encoded
 * public key must equal it (INVALID_KEY otherwise). Curves other than P-256
 * and P-384, explicit parameters: UNSUPPORTED. Not DER, trailing data:
 * MALFORMED. err (may be NULL) receives the failure offset.
 */
#ifndef CAPTLS_CRYPTO_SEC1_H
#define CAPTLS_CRYPTO_SEC1_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/crypto/spki.h"

#define CAPTLS_PRIVATE_KEY_MAX 48u /* P-384 scalar */

typedef struct captls_private_key {
    captls_key_type type;  /* EC_P256, EC_P384, ED25519 or X25519 */
    size_t secret_len;     /* 32 or 48 */
    uint8_t secret[CAPTLS_PRIVATE_KEY_MAX];
    /* EC: always the point 0x04||X||Y derived from the scalar.
     * Ed25519/X25519: the public key if the encoding carried one (PKCS#8
     * v2), NOT checked against the seed; else public_len == 0. */
    size_t public_len;
    uint8_t public_key[CAPTLS_EC_MAX_POINT_SIZE];
} captls_private_key;

/* Zeroizes the whole struct (type becomes CAPTLS_KEY_NONE). NULL is a no-op. */
void captls_private_key_wipe(captls_private_key *k);

/* Parses der[0..len) as exactly one ECPrivateKey. */
CAPTLS_MUST_CHECK captls_result captls_sec1_parse(const uint8_t *der,
                                                 size_t len,
                                                 captls_key_type curve,
                                                 captls_private_key *out,
                                                 captls_der_error *err);
/* The same, at a cursor (used by PKCS#8); advances past the element. */
CAPTLS_MUST_CHECK captls_result captls_sec1_read(captls_der *d,
                                                captls_key_type curve,
                                                captls_private_key *out);

/* A public key view of a private key's public part (borrows k). EC keys
 * always have one; Ed25519/X25519 only if public_len == 32. NOT_FOUND if
 * there is none. */
CAPTLS_MUST_CHECK captls_result captls_private_key_public(
    const captls_private_key *k, captls_public_key *out);

#endif
