/* core/crypto/rsa_key.h — RSA private keys from DER and PEM: PKCS#8
 * PrivateKeyInfo with rsaEncryption (RFC 5208 §5) and PKCS#1 RSAPrivateKey
 * (RFC 8017 §A.1.2), into the CRT key of core/crypto/rsa.h.
 *
 * Contract. Input is caller-owned and only read (the caller should wipe
 * it); the key components are COPIED into *out, a fixed-size caller-owned
 * captls_rsa_private_key that the caller destroys with
 * captls_rsa_private_key_destroy. On failure *out is wiped (all zero) and
 * holds no key; every temporary is wiped on every path. There is no
 * encoder and no export function for private keys, by design.
 *
 * Strict DER (core/base/der.h: minimal lengths and INTEGERs, no trailing
 * data). RSAPrivateKey must be version 0 (two-prime) with all eight
 * components, non-negative; version 1 (multi-prime, otherPrimeInfos) is
 * UNSUPPORTED; anything after the coefficient is MALFORMED (RFC 8017
 * §A.1.2: otherPrimeInfos is absent when version is 0). PrivateKeyInfo
 * must be version 0, algorithm rsaEncryption with NULL parameters (RFC 8017
 * §A.1), privateKey an OCTET STRING holding exactly one RSAPrivateKey;
 * attributes [0] are skipped; version 1 / publicKey [1], id-RSASSA-PSS
 * (RFC 4055) keys and every other algorithm are UNSUPPORTED.
 * Key checks: modulus 2048..4096 bits (smaller: WEAK_KEY, larger:
 * UNSUPPORTED), n odd, e odd in [3, 2^32) (INVALID_KEY), and through
 * captls_rsa_private_key_init: p*q recomputed and required to EQUAL the
 * encoded modulus, and a private/public round trip that catches
 * inconsistent p, q, dp, dq, qInv, e (INVALID_KEY). NOT checked: the
 * privateExponent d beyond being a positive INTEGER (signing uses the CRT
 * form only), primality of p and q.
 * Errors: MALFORMED / LIMIT_EXCEEDED (DER), UNSUPPORTED, WEAK_KEY,
 * INVALID_KEY, INVALID_ARGUMENT; err (may be NULL) gets the DER offset.
 *
 * captls_rsa_key_parse_pem takes the first "PRIVATE KEY" (PKCS#8) or
 * "RSA PRIVATE KEY" (PKCS#1) block of a PEM buffer, skipping other labels;
 * "ENCRYPTED PRIVATE KEY" and encrypted PEM headers are UNSUPPORTED, no
 * key block is NOT_FOUND. The DER is decoded into `scratch` (at least
 * CAPTLS_RSA_KEY_DER_MAX for any accepted key; BUFFER_TOO_SMALL
 * otherwise), which is wiped entirely before returning.
 */
#ifndef CAPTLS_CRYPTO_RSA_KEY_H
#define CAPTLS_CRYPTO_RSA_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/crypto/rsa.h"

/* A 4096-bit two-prime key in PKCS#8 is ~2380 bytes of DER. */
#define CAPTLS_RSA_KEY_DER_MAX 2560u

/* Exactly one RSAPrivateKey in der[0..len). */
CAPTLS_MUST_CHECK captls_result captls_rsa_key_parse_pkcs1(
    const uint8_t *der, size_t len, captls_rsa_private_key *out,
    captls_der_error *err);

/* Exactly one PrivateKeyInfo (rsaEncryption) in der[0..len). */
CAPTLS_MUST_CHECK captls_result captls_rsa_key_parse_pkcs8(
    const uint8_t *der, size_t len, captls_rsa_private_key *out,
    captls_der_error *err);

CAPTLS_MUST_CHECK captls_result captls_rsa_key_parse_pem(
    const uint8_t *pem, size_t len, uint8_t *scratch, size_t scratch_cap,
    captls_rsa_private_key *out);

#endif
