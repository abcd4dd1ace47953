/* core/acme/csr.h — PKCS#10 certification requests (RFC 2986) for ACME
 * finalize (RFC 8555 §7.4): DNS names in a subjectAltName extension request,
 * signed through a captls_acme_signer (ECDSA P-256 with SHA-256, or
 * Ed25519 — RFC 8410 §3).
 *
 * Contract. captls_csr_build writes DER into the caller's buffer using the
 * DER writer; it never sees the private key: the CertificationRequestInfo
 * is handed to signer->sign, and signer->pub supplies the
 * SubjectPublicKeyInfo. The request carries version 0, a subject with one
 * CN (UTF8String) equal to the first name when it is at most 64 bytes
 * (RFC 5280 ub-common-name) and an empty subject otherwise, the public key,
 * and one attribute: extensionRequest (PKCS#9, RFC 2985 §5.4.2) holding a
 * non-critical subjectAltName of dNSName entries in the order given.
 * Names are checked before anything is written: 1..CAPTLS_CSR_MAX_NAMES
 * names, each a preferred-syntax host name (RFC 1034 §3.5 / RFC 5280
 * §4.2.1.6: LDH labels of 1..63 bytes not starting or ending with '-',
 * at most 253 bytes, no trailing dot), optionally starting with the "*."
 * wildcard label RFC 8555 §7.1.3 allows, and no name twice (compared
 * ASCII-case-insensitively): MALFORMED otherwise. Sizes: cap must be at
 * least captls_csr_size() for the same names and key (BUFFER_TOO_SMALL
 * with *len = that size); the result may be shorter (*len). The signer's
 * errors are returned unchanged. On failure out's contents are
 * unspecified. NOT checked: that the CA will accept the names (public
 * suffixes, IDNA A-labels are passed through as LDH text), IP identifiers
 * (not supported here).
 */
#ifndef CAPTLS_ACME_CSR_H
#define CAPTLS_ACME_CSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/signer.h"
#include "core/base/result.h"

/* Let's Encrypt's limit of names per certificate. */
#define CAPTLS_CSR_MAX_NAMES 100u
#define CAPTLS_CSR_MAX_NAME_LEN 253u

/* True iff name[0..len) is a host name as above. */
bool captls_csr_dns_name_ok(const char *name, size_t len);

/* Upper bound of the DER size (0 for invalid arguments). */
size_t captls_csr_size(const char *const *names, size_t count,
                       const captls_jwk *pub);

CAPTLS_MUST_CHECK captls_result captls_csr_build(
    const captls_acme_signer *signer, const char *const *names, size_t count,
    uint8_t *out, size_t cap, size_t *len);

#endif
