/* core/acme/alpn01_cert.h — the self-signed validation certificate of the
 * tls-alpn-01 challenge (RFC 8737 §3), built with the DER writer and signed
 * through a captls_acme_signer (ECDSA P-256 with SHA-256, or Ed25519).
 *
 * Contract. captls_alpn01_cert_build writes into the caller's buffer one
 * X.509 v3 Certificate (RFC 5280) holding exactly:
 *   - version v3, the caller's serial, signature algorithm
 *     ecdsa-with-SHA256 (RFC 5758 §3.2) or Ed25519 (RFC 8410 §3), no
 *     parameters, in the TBSCertificate and outside it;
 *   - subject = issuer (self-issued): one CN (UTF8String) equal to the name
 *     when subject_cn is set and the name is at most 64 bytes (RFC 5280
 *     ub-common-name), else the empty Name;
 *   - validity [not_before, not_after] in epoch seconds: UTCTime for
 *     1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5); years
 *     outside 1950..9999 or not_before > not_after are MALFORMED;
 *   - the signer's public key (signer->pub);
 *   - two extensions, in this order: subjectAltName with exactly one
 *     dNSName, the name (RFC 8737 §3: "MUST contain a single dNSName entry
 *     where the value is the domain name being validated"), critical when
 *     the subject is empty (RFC 5280 §4.2.1.6) and non-critical otherwise;
 *     and the CRITICAL acmeIdentifier (id-pe-acmeIdentifier,
 *     1.3.6.1.5.5.7.1.31) whose extnValue is
 *     OCTET STRING (SIZE (32)) = SHA-256(key authorization) (RFC 8737 §3,
 *     §6.1: the digest of the ASCII "token.thumbprint").
 * The name must be a host name as captls_csr_dns_name_ok accepts, without
 * the "*." wildcard label (a validator connects to one concrete name);
 * the key authorization 1..CAPTLS_ALPN01_KEYAUTH_MAX bytes; the serial
 * 1..20 octets read as an unsigned big-endian number, which must not be
 * zero and whose top bit must be clear (then the INTEGER fits RFC 5280's 20
 * octets and is positive; callers take 16 random bytes and clear the bit).
 * MALFORMED otherwise, INVALID_ARGUMENT for NULL pointers, UNSUPPORTED for
 * a signer whose key type is neither. Sizes: cap must be at least
 * captls_alpn01_cert_size() for the same parameters (BUFFER_TOO_SMALL with
 * *len = that size; CAPTLS_ALPN01_CERT_MAX always suffices); the result
 * may be shorter (*len). The signer's errors are returned unchanged. On
 * failure out's contents are unspecified.
 * NOT checked: that the name resolves to us, that the validity covers the
 * validation time (validators ignore it: the certificate is self-signed).
 */
#ifndef CAPTLS_ACME_ALPN01_CERT_H
#define CAPTLS_ACME_ALPN01_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/signer.h"
#include "core/base/result.h"

/* RFC 8737 §3 */
#define CAPTLS_ALPN01_PROTOCOL "acme-tls/1"
#define CAPTLS_ALPN01_PROTOCOL_LEN 10u
#define CAPTLS_ALPN01_DIGEST_LEN 32u
#define CAPTLS_ALPN01_KEYAUTH_MAX 512u
#define CAPTLS_ALPN01_SERIAL_MAX 20u
#define CAPTLS_ALPN01_NAME_MAX 253u
/* Upper bound of any certificate built here (a 253-byte name appears twice
 * at most when it is short enough for the CN, once otherwise). */
#define CAPTLS_ALPN01_CERT_MAX 1024u

/* id-pe-acmeIdentifier, 1.3.6.1.5.5.7.1.31: OID contents octets. */
extern const uint8_t captls_oid_pe_acme_identifier[8];

typedef struct captls_alpn01_cert_params {
    const char *name;                /* the dNSName being validated */
    size_t name_len;
    const char *key_authorization;   /* token "." thumbprint (RFC 8555 §8.1) */
    size_t key_authorization_len;
    const uint8_t *serial;           /* unsigned big-endian, see above */
    size_t serial_len;
    int64_t not_before, not_after;   /* epoch seconds, UTC */
    bool subject_cn;                 /* CN = name (when <= 64 bytes) */
} captls_alpn01_cert_params;

/* SHA-256 of the key authorization: the acmeIdentifier's value. */
void captls_alpn01_digest(const char *key_authorization, size_t len,
                          uint8_t out[CAPTLS_ALPN01_DIGEST_LEN]);

/* Upper bound of the DER size (0 for invalid parameters). */
size_t captls_alpn01_cert_size(const captls_alpn01_cert_params *p,
                               const captls_jwk *pub);

CAPTLS_MUST_CHECK captls_result captls_alpn01_cert_build(
    const captls_acme_signer *signer, const captls_alpn01_cert_params *p,
    uint8_t *out, size_t cap, size_t *len);

#endif
