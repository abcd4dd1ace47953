/* core/tls/pem_chain.h — a certificate chain from a PEM file, and the
 * trivial chain source that serves one fixed chain (tls_config.h).
 *
 * Contract. captls_tls_pem_chain_parse decodes every "CERTIFICATE" block of
 * pem[0..len), in file order (leaf first, as RFC 8446 §4.4.2 sends them),
 * into the caller's der_buf; out->certs[i] then BORROW der_buf, which must
 * outlive the chain (and every config serving it). Blocks with other labels
 * (a private key in a combined file, "TRUSTED CERTIFICATE") are skipped.
 * Each decoded certificate must be exactly one well-formed DER SEQUENCE
 * (captls_der_validate); its fields are NOT checked here (the peer's
 * verifier judges the chain; captls_tls_key_signer_matches checks the
 * leaf's key). ocsp_response and sct_list are left empty.
 * Errors: NOT_FOUND (no CERTIFICATE block), LIMIT_EXCEEDED (more than
 * CAPTLS_TLS_MAX_CHAIN), BUFFER_TOO_SMALL (der_buf), MALFORMED (bad PEM or
 * DER), UNSUPPORTED (PEM headers), INVALID_ARGUMENT. *out and *der_used are
 * written only on success; der_buf's contents are then unspecified.
 *
 * captls_tls_static_chain_source: get() copies *chain (borrowed: it must
 * outlive the source) into the caller's chain; it fails (INVALID_ARGUMENT)
 * only for a source made over a NULL chain.
 */
#ifndef CAPTLS_TLS_PEM_CHAIN_H
#define CAPTLS_TLS_PEM_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/tls/tls_config.h"

CAPTLS_MUST_CHECK captls_result captls_tls_pem_chain_parse(
    const uint8_t *pem, size_t len, uint8_t *der_buf, size_t der_cap,
    captls_tls_chain *out, size_t *der_used);

void captls_tls_static_chain_source(const captls_tls_chain *chain,
                                    captls_tls_chain_source *out);

#endif
