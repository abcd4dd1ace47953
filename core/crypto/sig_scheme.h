/* core/crypto/sig_scheme.h — TLS 1.3 SignatureScheme values (RFC 8446
 * §4.2.3) and one verification entry point over the parsed public keys of
 * core/crypto/spki.h.
 *
 * Contract: stateless; the key is borrowed (its slices must stay valid for
 * the call). captls_sig_scheme_info() is table-driven: one row per scheme
 * captls can verify; schemes it cannot (legacy SHA-1, ecdsa_secp521r1,
 * ed448, unknown values) have no row and are CAPTLS_ERR_UNSUPPORTED.
 * captls_sig_verify() applies the TLS 1.3 pairing rules of RFC 8446 §4.2.3:
 *   ecdsa_secp256r1_sha256 / ecdsa_secp384r1_sha384: the key's curve must
 *     be the scheme's curve;
 *   rsa_pss_rsae_*: an rsaEncryption key; rsa_pss_pss_*: an id-RSASSA-PSS
 *     key (whose parameters, if present, must name the scheme's hash for
 *     both digest and MGF1 and a salt length <= the hash length, RFC 4055
 *     §3.1 — saltLength in a key is the minimum);
 *   RSASSA-PSS uses MGF1 with the scheme's hash and "The length of the Salt
 *     MUST be equal to the length of the output of the digest algorithm";
 *   rsa_pkcs1_*: an rsaEncryption key (RFC 8446 allows these only in
 *     certificates; that policy is the caller's);
 *   ed25519: an Ed25519 key, 64-byte signature, strict verification
 *     (core/crypto/ed25519.h).
 * A key type that does not fit the scheme is CAPTLS_ERR_INVALID_KEY; an RSA
 * key below 2048 bits is CAPTLS_ERR_WEAK_KEY (rsa.h). Otherwise the result
 * is CAPTLS_OK or CAPTLS_ERR_BAD_SIGNATURE.
 * captls_sig_verify_alg() is the same dispatch without the TLS table, for
 * X.509 signature AlgorithmIdentifiers (any SHA-2 hash with either ECDSA
 * curve, explicit PSS parameters).
 * NOT checked: whether the scheme was offered/negotiated, key usage, or
 * certificate policy — those belong to the TLS engine and the verifier.
 */
#ifndef CAPTLS_CRYPTO_SIG_SCHEME_H
#define CAPTLS_CRYPTO_SIG_SCHEME_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/hash.h"
#include "core/crypto/spki.h"

/* RFC 8446 §4.2.3 SignatureScheme (uint16 on the wire). */
typedef enum captls_sig_scheme {
    CAPTLS_SIG_RSA_PKCS1_SHA256 = 0x0401,
    CAPTLS_SIG_RSA_PKCS1_SHA384 = 0x0501,
    CAPTLS_SIG_RSA_PKCS1_SHA512 = 0x0601,
    CAPTLS_SIG_ECDSA_SECP256R1_SHA256 = 0x0403,
    CAPTLS_SIG_ECDSA_SECP384R1_SHA384 = 0x0503,
    CAPTLS_SIG_ECDSA_SECP521R1_SHA512 = 0x0603, /* no row: unsupported */
    CAPTLS_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
    CAPTLS_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
    CAPTLS_SIG_RSA_PSS_RSAE_SHA512 = 0x0806,
    CAPTLS_SIG_ED25519 = 0x0807,
    CAPTLS_SIG_ED448 = 0x0808, /* no row: unsupported */
    CAPTLS_SIG_RSA_PSS_PSS_SHA256 = 0x0809,
    CAPTLS_SIG_RSA_PSS_PSS_SHA384 = 0x080a,
    CAPTLS_SIG_RSA_PSS_PSS_SHA512 = 0x080b,
    CAPTLS_SIG_RSA_PKCS1_SHA1 = 0x0201, /* legacy: no row */
    CAPTLS_SIG_ECDSA_SHA1 = 0x0203,     /* legacy: no row */
} captls_sig_scheme;

typedef enum captls_sig_padding {
    CAPTLS_SIG_PAD_NONE = 0, /* ECDSA, EdDSA */
    CAPTLS_SIG_PAD_PKCS1 = 1,
    CAPTLS_SIG_PAD_PSS = 2,
} captls_sig_padding;

typedef struct captls_sig_scheme_info {
    uint16_t scheme;
    const char *name;          /* RFC 8446 spelling, e.g. "rsa_pss_rsae_sha256" */
    captls_hash_alg hash;      /* HASH_NONE for ed25519 (pure EdDSA) */
    captls_key_type key_type;  /* the key type the scheme requires */
    captls_sig_padding padding;
} captls_sig_scheme_info;

/* The row for scheme, or NULL if captls does not support it. */
const captls_sig_scheme_info *captls_sig_scheme_info_get(uint16_t scheme);

/* Every supported row, in preference order (for a signature_algorithms
 * extension); *count set. */
const captls_sig_scheme_info *captls_sig_scheme_table(size_t *count);

/* Verify sig over msg with key under a TLS 1.3 SignatureScheme. */
CAPTLS_MUST_CHECK captls_result captls_sig_verify(
    uint16_t scheme, const captls_public_key *key, const uint8_t *msg,
    size_t msg_len, const uint8_t *sig, size_t sig_len);

/* Verify under explicit parameters: padding PKCS1/PSS for RSA keys (PSS:
 * mgf1_hash and salt_len, or CAPTLS_RSA_PSS_SALT_AUTO from rsa.h), NONE for
 * EC (hash = the digest, never NONE) and Ed25519 (hash MUST be NONE: pure
 * EdDSA). The algorithm is bound to the key: a padding or hash the key
 * type cannot use, or PSS parameters outside an id-RSASSA-PSS key's
 * restriction (RFC 4055 §3.3: same hash and MGF1 hash, salt at least the
 * key's), is CAPTLS_ERR_INVALID_KEY. */
CAPTLS_MUST_CHECK captls_result captls_sig_verify_alg(
    const captls_public_key *key, captls_sig_padding padding,
    captls_hash_alg hash, captls_hash_alg mgf1_hash, size_t salt_len,
    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len);

#endif
