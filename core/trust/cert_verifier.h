/* core/trust/cert_verifier.h — CertVerifier (seed 001): a verifier bound to
 * one VerificationPolicy, reached as a capability.
 *
 * Contract. A captls_cert_verifier lives in caller memory
 * (CAPTLS_CERT_VERIFIER_SIZE bytes: the policy copy, the path builder's
 * scratch, the audit and clock interfaces). The policy is copied at
 * creation and no function changes it afterwards: policy() returns a copy,
 * so a holder can read the policy but never lower it. To verify under a
 * different policy, someone with the authority to do so creates another
 * verifier and hands out its cap.
 *
 * verifyChain runs core/verify's captls_verify_chain (path building and
 * RFC 5280 validation — read verify_chain.h for what it does NOT check) with
 * the anchors of the TrustStore given (restricted to the purpose asked,
 * core/trust/trust_store.h) and emits exactly one audit record per call:
 * event "verify.chain", iface CertVerifier, method 0, outcome CAPTLS_OK for
 * a valid chain or CAPTLS_ERR_VERIFY_FAILED for an invalid one, detail
 * "ok leaf=<subject>" or "fail=<reason> leaf=<subject>: <detail>" (the
 * record sanitizes it; no key material is ever put there). If the sink
 * refuses the record the call fails closed: the sink's error is returned
 * and the outcome is made invalid (policyViolation, "audit unavailable").
 * Return values: CAPTLS_OK whenever an outcome was produced (valid or not:
 * look at out->valid); errors for bad arguments and cap refusals (then no
 * audit record: nothing was verified) and audit failures as above.
 *
 * verifySignature checks one signature with a certificate's public key
 * under a TLS 1.3 SignatureScheme (captls_sig_verify) after checking the
 * scheme and key against the bound policy (allowed_signature_schemes,
 * allowed_algorithms → CAPTLS_ERR_UNSUPPORTED; RSA below min_rsa_bits →
 * CAPTLS_ERR_WEAK_KEY). CAPTLS_OK or CAPTLS_ERR_BAD_SIGNATURE otherwise.
 *
 * Not thread-safe: one call at a time per verifier (the scratch is shared).
 */
#ifndef CAPTLS_TRUST_CERT_VERIFIER_H
#define CAPTLS_TRUST_CERT_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/trust/trust_store.h"
#include "core/verify/policy.h"
#include "core/verify/sig_cache.h"
#include "core/verify/verify_chain.h"
#include "core/x509/certificate.h"
#include "port/port.h"

/* Seed method ordinals (audit/IPC method ids). */
enum {
    CAPTLS_CERT_VERIFIER_M_VERIFY_CHAIN = 0,
    CAPTLS_CERT_VERIFIER_M_VERIFY_SIGNATURE = 1,
    CAPTLS_CERT_VERIFIER_M_POLICY = 2,
};

typedef struct captls_cert_verifier {
    uint32_t magic;
    captls_verification_policy policy; /* bound at init, never changed */
    captls_clock clock;                /* audit timestamps */
    captls_audit_sink audit;
    captls_sig_cache *cache;           /* optional */
    captls_verify_scratch scratch;
} captls_cert_verifier;

#define CAPTLS_CERT_VERIFIER_SIZE sizeof(captls_cert_verifier)

/* The chain and the question (seed verifyChain arguments other than the
 * TrustStore). Everything is borrowed for the call. */
typedef struct captls_verify_request {
    const captls_certificate *leaf;
    const captls_certificate *const *intermediates; /* untrusted pool */
    size_t intermediate_count;
    captls_cert_purpose purpose;
    int64_t at_epoch_seconds;
    captls_clock_provenance clock_provenance;
    const char *hostname; /* NULL: no name check; not NUL-terminated */
    size_t hostname_len;
    const uint8_t *ip;    /* 4 or 16 bytes, or NULL */
    size_t ip_len;
    /* The Public Suffix List for webPkiStrict's wildcard rule
     * (captls_verify_input.public_suffixes); NULL: wildcards fail closed. */
    const struct captls_psl_table *public_suffixes;
} captls_verify_request;

/* Binds `policy` (copied). clock, audit and cache may be NULL (no audit is
 * only for tests and tools: services pass their audit sink). */
CAPTLS_MUST_CHECK captls_result captls_cert_verifier_init(
    captls_cert_verifier *v, const captls_verification_policy *policy,
    const captls_clock *clock, const captls_audit_sink *audit,
    captls_sig_cache *cache);

/* Seed policy(): a copy. */
void captls_cert_verifier_policy(const captls_cert_verifier *v,
                                 captls_verification_policy *out);

/* Seed verifyChain against a TrustStore object (root or view). `actor` is
 * recorded in the audit record. */
CAPTLS_MUST_CHECK captls_result captls_cert_verifier_verify_chain(
    captls_cert_verifier *v, captls_cap_owner actor,
    const captls_trust_store *trust, const captls_verify_request *req,
    captls_verification_outcome *out);

/* Seed verifySignature. */
CAPTLS_MUST_CHECK captls_result captls_cert_verifier_verify_signature(
    const captls_cert_verifier *v, const captls_certificate *cert,
    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len,
    uint16_t scheme);

/* ---- through the cap table ----------------------------------------------
 * vh: a CAPTLS_IFACE_CERT_VERIFIER handle with CAPTLS_RIGHT_CALL; trust_h:
 * a CAPTLS_IFACE_TRUST_STORE handle (CALL) held by the same owner. */
CAPTLS_MUST_CHECK captls_result captls_cert_verifier_cap_verify_chain(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle vh,
    captls_cap_handle trust_h, const captls_verify_request *req,
    captls_verification_outcome *out);
CAPTLS_MUST_CHECK captls_result captls_cert_verifier_cap_verify_signature(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle vh,
    const captls_certificate *cert, const uint8_t *msg, size_t msg_len,
    const uint8_t *sig, size_t sig_len, uint16_t scheme);
CAPTLS_MUST_CHECK captls_result captls_cert_verifier_cap_policy(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle vh,
    captls_verification_policy *out);

#endif
