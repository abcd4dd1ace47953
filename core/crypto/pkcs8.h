/* core/crypto/pkcs8.h — PKCS#8 private keys (RFC 5208 / RFC 5958) and a PEM
 * front door for private keys.
 *
 * Contract. Output is a captls_private_key (see sec1.h): secrets are copied
 * into the caller's struct, which the caller destroys with
 * captls_private_key_wipe; *out is written only on success and every
 * temporary copy of the secret is wiped on every path. No encoder exists
 * for private keys, by design.
 *
 * captls_pkcs8_parse reads one OneAsymmetricKey / PrivateKeyInfo:
 *   version 0, or 1 (RFC 5958 v2) which alone may carry publicKey [1];
 *   privateKeyAlgorithm one of
 *     id-ecPublicKey + namedCurve P-256/P-384 (RFC 5915 §2): privateKey holds
 *       an ECPrivateKey, checked as captls_sec1_parse does with the curve
 *       taken from the algorithm (its own [0] must match if present);
 *     id-Ed25519 / id-X25519, parameters absent (RFC 8410 §7): privateKey
 *       holds CurvePrivateKey ::= OCTET STRING of 32 bytes;
 *   attributes [0] are skipped (structure checked, contents not);
 *   publicKey [1] IMPLICIT BIT STRING: for EC it must equal the derived
 *     point; for Ed25519/X25519 it must be 32 bytes and is copied but NOT
 *     checked against the seed.
 * RSA and other algorithms: UNSUPPORTED. EncryptedPrivateKeyInfo is not
 * parsed (a PEM "ENCRYPTED PRIVATE KEY" is UNSUPPORTED below).
 *
 * captls_private_key_parse_pem takes the first private key block in a PEM
 * buffer: "PRIVATE KEY" (PKCS#8) or "EC PRIVATE KEY" (SEC1, curve from its
 * parameters); "EC PARAMETERS" blocks (openssl ecparam output) and other
 * labels before it are skipped; "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY"
 * and encrypted PEM headers are UNSUPPORTED; no key block is NOT_FOUND. The
 * decoded DER goes through `scratch` (at least the decoded size, e.g.
 * CAPTLS_PRIVATE_KEY_DER_MAX; BUFFER_TOO_SMALL otherwise), all of which is
 * wiped before returning.
 */
#ifndef CAPTLS_CRYPTO_PKCS8_H
#define CAPTLS_CRYPTO_PKCS8_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/crypto/sec1.h"

/* Largest PKCS#8 or SEC1 DER this module accepts in practice (P-384 with
 * both public keys and some attributes). */
#define CAPTLS_PRIVATE_KEY_DER_MAX 512u

CAPTLS_MUST_CHECK captls_result captls_pkcs8_parse(const uint8_t *der,
                                                  size_t len,
                                                  captls_private_key *out,
                                                  captls_der_error *err);

CAPTLS_MUST_CHECK captls_result captls_private_key_parse_pem(
    const uint8_t *pem, size_t len, uint8_t *scratch, size_t scratch_cap,
    captls_private_key *out);

#endif
