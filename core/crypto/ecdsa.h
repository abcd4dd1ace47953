/* core/crypto/ecdsa.h — ECDSA (FIPS 186-4 §6, SEC 1 §4.1) verify on P-256
 * and P-384, and P-256 signing with RFC 6979 deterministic nonces.
 *
 * Contract: stateless; all buffers are the caller's and nothing is kept.
 * Public keys are uncompressed SEC 1 points 0x04||X||Y (65 bytes for P-256,
 * 97 for P-384); the point is checked to lie on the curve (BearSSL's point
 * decoding, through a multiplication by 1): CAPTLS_ERR_INVALID_KEY
 * otherwise. Signatures are DER ECDSA-Sig-Value SEQUENCE { r INTEGER,
 * s INTEGER } (RFC 3279 §2.2.3), parsed here STRICTLY rather than by
 * BearSSL's br_ecdsa_asn1_to_raw, which accepts non-minimal INTEGERs
 * (extra leading zero bytes) — so a signature has exactly one accepted
 * encoding. Rejected as CAPTLS_ERR_BAD_SIGNATURE: long-form or wrong
 * lengths, trailing bytes, negative or non-minimal INTEGERs, r or s zero or
 * wider than the group order, r or s >= n (BearSSL), and of course a
 * signature that does not verify. The message is hashed here with the given
 * hash; a digest longer than the order is truncated (FIPS 186-4 §6.4: the
 * leftmost bits), so SHA-512 with P-256 works.
 * Signing: the private key is the raw big-endian scalar (32 bytes for
 * P-256), which must be in [1, n-1] (CAPTLS_ERR_INVALID_KEY otherwise).
 * The nonce k is RFC 6979 §3.2's HMAC_DRBG over (x, bits2octets(H(m)))
 * with the signing hash — deterministic, no RNG needed, so a weak or absent
 * entropy source cannot leak the key through a biased nonce (the unit test
 * checks RFC 6979 A.2.5's published signature on both paths). The
 * signature is written as minimal DER; nothing is written on failure.
 * Two implementations (p256_point.h): P-256 runs on the 64-bit code of
 * p256_field.h / p256_scalar.h / p256_point.h (RFC 6979 written here over
 * the hmac.h facade; constant-time k·G; variable-time u1·G + u2·Q for
 * verification only) where the compiler has unsigned __int128, and on
 * BearSSL (br_ecdsa_i31_sign_raw, its own RFC 6979 HMAC_DRBG;
 * br_ecdsa_i31_vrfy_raw) otherwise or when captls_p256_force_bearssl(true);
 * both give identical signatures. P-384 is always BearSSL (signing too:
 * br_ecdsa_i31_sign_raw, RFC 6979 with the signing hash; the scalar must
 * be in [1, n-1], 48 bytes).
 * Secret temporaries (scalar copy) are wiped. NOT checked: that the signer
 * holds the public key matching the scalar; hash strength policy (any of
 * SHA-256/384/512 with either curve).
 */
#ifndef CAPTLS_CRYPTO_ECDSA_H
#define CAPTLS_CRYPTO_ECDSA_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/hash.h"

typedef enum captls_ec_curve {
    CAPTLS_EC_NONE = 0,
    CAPTLS_EC_P256 = 1, /* secp256r1 / prime256v1 */
    CAPTLS_EC_P384 = 2, /* secp384r1 */
} captls_ec_curve;

/* Largest DER signature: SEQUENCE(2) + 2 * INTEGER(2 + 1 + order bytes). */
#define CAPTLS_ECDSA_P256_SIG_MAX 72
#define CAPTLS_ECDSA_P384_SIG_MAX 104

/* CAPTLS_OK iff sig is a valid DER ECDSA signature of Hash(msg) under the
 * public point. Errors: UNSUPPORTED (curve/hash), INVALID_KEY (point),
 * BAD_SIGNATURE (encoding or verification). */
CAPTLS_MUST_CHECK captls_result captls_ecdsa_verify(
    captls_ec_curve curve, captls_hash_alg hash, const uint8_t *point,
    size_t point_len, const uint8_t *msg, size_t msg_len,
    const uint8_t *sig, size_t sig_len);

/* Same, given the digest instead of the message (digest_len 1..64). */
CAPTLS_MUST_CHECK captls_result captls_ecdsa_verify_digest(
    captls_ec_curve curve, const uint8_t *point, size_t point_len,
    const uint8_t *digest, size_t digest_len, const uint8_t *sig,
    size_t sig_len);

/* Deterministic P-256 signature of Hash(msg): DER into sig, *sig_len set.
 * Errors: UNSUPPORTED (hash), INVALID_KEY (scalar 0 or >= n). */
CAPTLS_MUST_CHECK captls_result captls_ecdsa_p256_sign(
    const uint8_t priv[32], captls_hash_alg hash, const uint8_t *msg,
    size_t msg_len, uint8_t sig[CAPTLS_ECDSA_P256_SIG_MAX], size_t *sig_len);

/* Deterministic P-384 signature of Hash(msg), as captls_ecdsa_p256_sign
 * (priv 48 bytes). The public point: captls_p384_public (p384_ecdh.h). */
CAPTLS_MUST_CHECK captls_result captls_ecdsa_p384_sign(
    const uint8_t priv[48], captls_hash_alg hash, const uint8_t *msg,
    size_t msg_len, uint8_t sig[CAPTLS_ECDSA_P384_SIG_MAX], size_t *sig_len);

/* IEEE P1363 / RFC 4754 form: r || s, each exactly the curve's size (64
 * bytes for P-256, 96 for P-384).
 * to_p1363: a strict DER ECDSA-Sig-Value (as captls_ecdsa_verify parses
 * it) into rs (room for 96 bytes), *rs_len set; BAD_SIGNATURE for DER it
 * refuses. from_p1363: r || s into minimal DER (room for
 * CAPTLS_ECDSA_P384_SIG_MAX bytes), *der_len set; BAD_SIGNATURE for a
 * wrong rs_len. r or s zero or >= n are NOT refused here: the DER is then
 * refused by captls_ecdsa_verify, as a signature must be. UNSUPPORTED for
 * an unknown curve. */
CAPTLS_MUST_CHECK captls_result captls_ecdsa_sig_to_p1363(
    captls_ec_curve curve, const uint8_t *der, size_t der_len, uint8_t *rs,
    size_t *rs_len);
CAPTLS_MUST_CHECK captls_result captls_ecdsa_sig_from_p1363(
    captls_ec_curve curve, const uint8_t *rs, size_t rs_len, uint8_t *der,
    size_t *der_len);

/* The public point 0x04||X||Y of a P-256 private scalar. INVALID_KEY for a
 * scalar 0 or >= n. */
CAPTLS_MUST_CHECK captls_result captls_ecdsa_p256_public(
    const uint8_t priv[32], uint8_t point[65]);

#endif
