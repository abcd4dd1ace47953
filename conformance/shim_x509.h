/* conformance/shim_x509.h — the shim's `x509-verify` operation (issue 5):
 *
 *   x509-verify ROOTS_DER_LIST UNTRUSTED_DER_LIST LEAF_DER HOST EPOCH PURPOSE
 *
 * Lists are hex DER certificates joined with ',' ('-' for none); HOST is a
 * DNS name or an IP literal ('-' for no name check); EPOCH decimal seconds;
 * PURPOSE serverAuth | clientAuth | codeSigning. Roots become anchors of a
 * TrustStore (purposes from their EKU), verified through a CertVerifier
 * bound to webPkiLenient (the CLI's default policy), or to codeSigning for
 * PURPOSE codeSigning (webPkiLenient does not serve that purpose). Answers:
 * "ok",
 * "fail: <FailureReason>" (the seed's name), or an error reason for the
 * shim to print as "error: <reason>" (bad hex, a certificate that does not
 * parse — with its list position and byte offset —, more than
 * CAPTLS_SHIM_X509_MAX_CERTS certificates in a list, unknown purpose).
 * Host-only; uses static storage (the shim is single-threaded) and never
 * allocates.
 */
#ifndef CAPTLS_CONFORMANCE_SHIM_X509_H
#define CAPTLS_CONFORMANCE_SHIM_X509_H

#include <stddef.h>

#include "conformance/shim_line.h"

/* Certificates per list: chains in conformance corpora carry a handful of
 * roots and intermediates; 64 bounds the static storage (16 KiB each). */
#define CAPTLS_SHIM_X509_MAX_CERTS 64u

/* args: the six tokens (decoded in place). On success writes the answer
 * into out[0..cap) (NUL-terminated), sets *out_len and returns NULL;
 * otherwise returns the error reason (static or in a static buffer). */
const char *captls_shim_x509_verify(captls_shim_tok args[6], char *out,
                                    size_t cap, size_t *out_len);

#endif
