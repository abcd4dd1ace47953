/* core/tls/key_signer.h — a DEVELOPMENT-ONLY key source: a private key
 * loaded from a PEM buffer, offered to the TLS engine as the signing
 * capability of tls_config.h (captls_tls_signer: sign() only).
 *
 * Development only. The key bytes live in this process's memory, loaded
 * from a file the caller read. This stands in for the seed's PrivateKey /
 * KeyVault capabilities until the key-custody issue lands them in
 * core/keys/ (keys held by a vault service, reached over IPC, never in the
 * TLS process); programs and configs should treat it as replaceable.
 *
 * Contract. A captls_tls_key_signer is caller-owned, fixed size, holds
 * SECRET material, and is wiped by captls_tls_key_signer_destroy; there is
 * no function that exports the private key (nor the raw secret). It keeps
 * the entropy interface given at load (borrowed; used for RSA-PSS salts
 * only). Not thread-safe.
 * Keys: Ed25519 (PKCS#8), ECDSA P-256 (PKCS#8 or "EC PRIVATE KEY"), RSA
 * 2048..4096 bits (PKCS#8 rsaEncryption or "RSA PRIVATE KEY", see
 * core/crypto/rsa_key.h). Schemes offered, in order: Ed25519 -> ed25519
 * (0x0807); P-256 -> ecdsa_secp256r1_sha256 (0x0403, RFC 6979
 * deterministic); RSA -> rsa_pss_rsae_sha256, _sha384, _sha512 (0x0804..6,
 * salt = hash length drawn from the entropy interface: RFC 8446 §4.2.3).
 * P-384 (no P-384 signing in core/crypto yet), X25519 and id-RSASSA-PSS
 * keys are UNSUPPORTED; an RSA key without an entropy interface is
 * INVALID_ARGUMENT; an Ed25519 PKCS#8 v2 key whose publicKey differs from
 * the one derived from its seed is INVALID_KEY (Ed25519 signing hashes the
 * public key: a wrong one would leak the secret, ed25519.h).
 * sign(): msg is the full CertificateVerify content (RFC 8446 §4.4.3).
 * UNSUPPORTED for a scheme not offered, BUFFER_TOO_SMALL when sig_cap is
 * below the signature size (64; 72 for ECDSA DER; the modulus size for
 * RSA), ENTROPY_FAILURE; nothing is written to sig on failure.
 * captls_tls_key_signer_matches(): true iff the leaf certificate's SPKI
 * public key is this key's (programs refuse a key that does not match its
 * certificate). NOT checked: key usage or validity of that certificate.
 */
#ifndef CAPTLS_TLS_KEY_SIGNER_H
#define CAPTLS_TLS_KEY_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/rsa.h"
#include "core/crypto/rsa_key.h"
#include "core/crypto/spki.h"
#include "core/tls/tls_config.h"
#include "core/x509/certificate.h"
#include "port/port.h"

/* Scratch captls_tls_key_signer_load_pem needs for any accepted key. */
#define CAPTLS_TLS_KEY_SIGNER_SCRATCH CAPTLS_RSA_KEY_DER_MAX

typedef struct captls_tls_key_signer {
    captls_key_type type; /* ED25519, EC_P256, RSA; NONE when empty */
    captls_entropy entropy;
    union {
        struct {
            uint8_t seed[32];
            uint8_t pub[32];
        } ed25519;
        struct {
            uint8_t scalar[32];
            uint8_t point[CAPTLS_EC_P256_POINT_SIZE];
        } p256;
        captls_rsa_private_key rsa;
    } k;
} captls_tls_key_signer;

/* Loads the first private key block of pem[0..len). On failure *s is wiped
 * (type NONE). scratch (>= CAPTLS_TLS_KEY_SIGNER_SCRATCH, or at least the
 * decoded key size) is wiped before returning. */
CAPTLS_MUST_CHECK captls_result captls_tls_key_signer_load_pem(
    captls_tls_key_signer *s, const uint8_t *pem, size_t len,
    captls_entropy entropy, uint8_t *scratch, size_t scratch_cap);

void captls_tls_key_signer_destroy(captls_tls_key_signer *s);

/* Writes the schemes offered (see above) and returns their count; 0 for
 * an empty signer. */
size_t captls_tls_key_signer_schemes(const captls_tls_key_signer *s,
                                     uint16_t out[CAPTLS_TLS_MAX_SIG_SCHEMES]);

CAPTLS_MUST_CHECK captls_result captls_tls_key_signer_sign(
    captls_tls_key_signer *s, uint16_t scheme, const uint8_t *msg,
    size_t msg_len, uint8_t *sig, size_t sig_cap, size_t *sig_len);

/* The tls_config.h signing vtable over s (borrowed: s must outlive it). */
void captls_tls_key_signer_iface(captls_tls_key_signer *s,
                                 captls_tls_signer *out);

/* True iff leaf's subject public key is this signer's public key. */
bool captls_tls_key_signer_matches(const captls_tls_key_signer *s,
                                   const captls_certificate *leaf);

#endif
