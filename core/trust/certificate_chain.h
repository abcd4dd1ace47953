/* core/trust/certificate_chain.h — CertificateChain (seed 001): a leaf-first
 * list of parsed certificates and the seed's convenience verify().
 *
 * Contract. A captls_certificate_chain borrows an array of pointers to
 * parsed certificates (core/x509/certificate.h): leaf first, then the
 * certificates the peer sent, closest-to-root last; a length-one chain (a
 * self-signed leaf) is allowed. Nothing is copied: the certificates and the
 * array must outlive the chain. At most CAPTLS_CERTIFICATE_CHAIN_MAX
 * certificates (a TLS peer sending more is refused with LIMIT_EXCEEDED
 * before any work is done; the path builder's own limit is lower).
 *
 * verify() is the seed's shortcut for the common case: it asks a
 * CertVerifier (core/trust/cert_verifier.h — bound to its policy, audited)
 * whether the chain leads to an anchor of the TrustStore given, for
 * tlsServerAuth, at the time given, for the host name given (NULL: no name
 * check; an IP literal is matched against iPAddress SANs only). Everything
 * after the leaf is treated as an untrusted pool, in any order: the order
 * a peer sends is a hint, never trusted. For another purpose, or an IP
 * given as bytes, call captls_cert_verifier_verify_chain directly.
 * Returns CAPTLS_OK whenever an outcome was produced (read out->valid);
 * errors for bad arguments, cap refusals and audit failures as the
 * CertVerifier documents. Not thread-safe (the verifier's scratch is).
 */
#ifndef CAPTLS_TRUST_CERTIFICATE_CHAIN_H
#define CAPTLS_TRUST_CERTIFICATE_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/trust/cert_verifier.h"
#include "core/x509/certificate.h"

/* A TLS 1.3 Certificate message rarely carries more than 5; 16 leaves room
 * for cross-signed bundles without letting a peer make us iterate much. */
#define CAPTLS_CERTIFICATE_CHAIN_MAX 16u

typedef struct captls_certificate_chain {
    const captls_certificate *const *certs; /* leaf first */
    size_t count;
} captls_certificate_chain;

/* certs[0..count) must be non-NULL; count 1..CAPTLS_CERTIFICATE_CHAIN_MAX. */
CAPTLS_MUST_CHECK captls_result captls_certificate_chain_init(
    captls_certificate_chain *chain, const captls_certificate *const *certs,
    size_t count);

/* Seed certificates(): the count, and the i-th certificate (NULL past it). */
size_t captls_certificate_chain_count(const captls_certificate_chain *chain);
const captls_certificate *captls_certificate_chain_at(
    const captls_certificate_chain *chain, size_t i);

/* Seed leaf(). */
const captls_certificate *captls_certificate_chain_leaf(
    const captls_certificate_chain *chain);

/* Seed verify(against, verifier, atEpochSeconds, hostname), with the
 * clock's provenance (an untrusted clock proves less: policy.h) and the
 * actor recorded in the verifier's audit record. */
CAPTLS_MUST_CHECK captls_result captls_certificate_chain_verify(
    const captls_certificate_chain *chain, const captls_trust_store *against,
    captls_cert_verifier *verifier, captls_cap_owner actor,
    int64_t at_epoch_seconds, captls_clock_provenance provenance,
    const char *hostname, size_t hostname_len,
    captls_verification_outcome *out);

/* The same through the cap table: verifier_h a CertVerifier handle and
 * trust_h a TrustStore handle, both held by `owner` with CALL. */
CAPTLS_MUST_CHECK captls_result captls_certificate_chain_cap_verify(
    const captls_certificate_chain *chain, const captls_cap_table *t,
    captls_cap_owner owner, captls_cap_handle verifier_h,
    captls_cap_handle trust_h, int64_t at_epoch_seconds,
    captls_clock_provenance provenance, const char *hostname,
    size_t hostname_len, captls_verification_outcome *out);

#endif
