/* core/acme/signer.h — the signing capability the ACME codecs sign through.
 *
 * Contract. The codecs (JWS in jws.h, CSR in csr.h) never see private key
 * bytes: they hand the exact message to sign to `sign` and get a signature
 * back. A key cap (the KeyVault's PrivateKey, or a test key) plugs in by
 * supplying `sign` and `ctx`, plus the PUBLIC key as a captls_jwk (its
 * type selects the algorithm). `ctx` is borrowed and opaque; the codecs keep
 * no pointer after a call returns.
 *
 * sign(ctx, alg, msg, len, sig, cap, *sig_len) must:
 *   - for CAPTLS_ACME_SIG_ES256: write a DER ECDSA-Sig-Value (RFC 3279
 *     §2.2.3) over SHA-256(msg) with the P-256 key — what
 *     captls_ecdsa_p256_sign (core/crypto/ecdsa.h) produces; cap is at
 *     least CAPTLS_ECDSA_P256_SIG_MAX (72). The codecs parse it strictly and
 *     re-encode it as the JWS raw r||s form (RFC 7518 §3.4) or minimal DER.
 *   - for CAPTLS_ACME_SIG_EDDSA: write the 64-byte Ed25519 signature of msg
 *     (RFC 8032 §5.1.6).
 *   - return CAPTLS_OK, or any error, which the codec returns unchanged
 *     (e.g. NO_AUTHORITY from a key of the wrong purpose) after writing
 *     nothing usable.
 */
#ifndef CAPTLS_ACME_SIGNER_H
#define CAPTLS_ACME_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "core/acme/jwk.h"
#include "core/base/result.h"

typedef enum captls_acme_sig_alg {
    CAPTLS_ACME_SIG_NONE = 0,
    CAPTLS_ACME_SIG_ES256 = 1, /* ECDSA P-256 SHA-256 */
    CAPTLS_ACME_SIG_EDDSA = 2, /* Ed25519 */
} captls_acme_sig_alg;

/* Largest signature a callback is asked for (DER ECDSA P-256). */
#define CAPTLS_ACME_SIG_MAX 72

typedef captls_result (*captls_acme_sign_fn)(void *ctx,
                                             captls_acme_sig_alg alg,
                                             const uint8_t *msg, size_t len,
                                             uint8_t *sig, size_t cap,
                                             size_t *sig_len);

typedef struct captls_acme_signer {
    captls_acme_sign_fn sign;
    void *ctx;
    captls_jwk pub; /* the public key; its type selects the algorithm */
} captls_acme_signer;

/* The algorithm for a key type (NONE for an empty key). */
captls_acme_sig_alg captls_acme_sig_alg_of(const captls_jwk *k);

/* Calls the signer and returns the signature in fixed form: raw r||s (64
 * bytes, each half left-padded) for ES256, the 64 bytes for EdDSA. A DER
 * signature that is not strictly DER (see ecdsa.h) or whose integers do not
 * fit 32 bytes is BAD_SIGNATURE. */
CAPTLS_MUST_CHECK captls_result captls_acme_sign_raw(
    const captls_acme_signer *s, const uint8_t *msg, size_t len,
    uint8_t sig[64]);

/* ES256 raw r||s -> minimal DER ECDSA-Sig-Value (<= 72 bytes). */
CAPTLS_MUST_CHECK captls_result captls_acme_ecdsa_raw_to_der(
    const uint8_t raw[64], uint8_t der[CAPTLS_ACME_SIG_MAX], size_t *len);

/* Strict DER ECDSA-Sig-Value -> raw r||s (BAD_SIGNATURE when malformed). */
CAPTLS_MUST_CHECK captls_result captls_acme_ecdsa_der_to_raw(
    const uint8_t *der, size_t len, uint8_t raw[64]);

#endif
