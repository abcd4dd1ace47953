/* core/verify/verify_chain.h — RFC 5280 path building and validation: the
 * engine behind CertVerifier.verifyChain and CertificateChain.verify.
 *
 * What this does NOT check (read first):
 *   - revocation (CRL/OCSP): `revoked` is never produced; require_ocsp and
 *     stapling_required fail closed with ocspUnavailable/mustStapleMissing;
 *   - SCTs: min_scts > 0 fails closed with insufficientScts;
 *   - certificate policies (RFC 5280 §6.1.3 (d)-(f)): no policy tree; the
 *     policy extensions that constrain it (policyConstraints,
 *     policyMappings, inhibitAnyPolicy) are only accepted when non-critical
 *     (the parser lists them as unknown critical otherwise);
 *   - the subject CN: never used for host matching nor name constraints;
 *   - an anchor's self-signature and EKU (narrowing anchors by purpose
 *     is the TrustStore's job: TrustFilter). Everything else an anchor
 *     certificate says IS applied, whichever source gave it (certificate
 *     list or TrustStore: both carry the same captls_anchor_cert_data),
 *     so no preset is laxer than OpenSSL about anchors (issue 16): its
 *     subject name and key (issuer match and the last signature), its key
 *     identifier (AKI hint, below), its key's type and size (step 3), its
 *     validity (step 4: an expired or not-yet-valid anchor fails like any
 *     certificate of the path), unknown critical extensions (step 5), a
 *     v3 critical basicConstraints cA=TRUE, keyCertSign when keyUsage is
 *     present and its pathLenConstraint (step 6; RFC 5937 §3 allows it,
 *     OpenSSL and Go apply it too), its name constraints (step 8; RFC
 *     5937 §3) and its pin (step 10). RFC 5280 §6.1.1 (d) reads an anchor
 *     as only a name and a key; captls keeps no switch for that reading.
 *     The anchor's cA/keyUsage requirement is waived only when the anchor
 *     IS the leaf (a directly trusted self-signed end-entity certificate,
 *     as OpenSSL and RFC 6818 §2 treat it). A bare record
 *     (data.present false) is a name and a key.
 *
 * Contract. captls_verify_chain reads the input and writes *out; it does
 * not allocate: the search state lives in the caller's scratch
 * (CAPTLS_VERIFY_SCRATCH_SIZE bytes, reusable, no need to clear). All
 * inputs are borrowed for the duration of the call; *out holds pointers to
 * the caller's certificates and a copy of the anchor record (whose slices
 * borrow the TrustStore's memory). The search is iterative (explicit stack
 * of CAPTLS_VERIFY_MAX_PATH frames) and bounded by the budgets below.
 * Returns CAPTLS_OK whenever an outcome was produced (valid or not: look at
 * out->valid); CAPTLS_ERR_INVALID_ARGUMENT for NULLs, an unknown purpose, a
 * malformed IP length, or more than CAPTLS_VERIFY_MAX_POOL intermediates
 * (CAPTLS_ERR_LIMIT_EXCEEDED); *out is then zeroed.
 *
 * Search. Depth-first from the leaf. At each certificate the candidates
 * for its issuer are: first the anchors whose subject equals its issuer
 * name (RFC 5280 §7.1 comparison), then the untrusted pool in three passes
 * ordered by the AKI/SKI hint (SKI equal to AKI keyIdentifier, then no
 * hint, then mismatching — mismatches are tried last, never skipped). A
 * candidate is taken when the child's signature verifies under its key
 * (weak or disallowed algorithms first: weakAlgorithm/policyViolation).
 * Loop detection: a pool certificate whose (subject, SPKI) pair already is
 * on the path is skipped. Reaching an anchor completes a path, which is
 * then validated in full (below); if that fails the search backtracks and
 * tries the next candidate. The first path that validates wins.
 * When all fail, the most specific reason is reported: a failure on a path
 * that reached an anchor beats a weak/disallowed algorithm on an edge,
 * which beats signatureMismatch on an edge, which beats the depth limit
 * (chainTooLong), which beats unknownAnchor; among equals the first found.
 * Edge failures count only when the issuer is the designated one (an
 * anchor of the issuer's name whose key identifier — the record's
 * key_id, else the certificate's SKI — does not contradict the child's
 * AKI keyIdentifier: equal, or either absent; a pool certificate whose SKI
 * equals the child's AKI) or the child's own signature algorithm is at
 * fault; a same-named candidate with another key (an anchor whose key
 * identifier differs from the AKI, a pool certificate without the AKI's
 * SKI) is a wrong guess, not a reason: it leaves unknownAnchor.
 * A budget running out ends the search with the best reason so far
 * (unknownAnchor if none) and out->budget_exhausted set; the detail says
 * so.
 *
 * Validation of a complete path (RFC 5280 §6.1), in this order; the first
 * failure is the path's reason:
 *   1. length > policy max_chain_length                 -> chainTooLong
 *      (every certificate counts, self-issued intermediates included, as
 *      OpenSSL's verify depth counts them: the bound is on work and
 *      path size; RFC 5280 §6.1.4 (l) exempts them from pathLen only)
 *   2. purpose not in policy->purposes; untrusted clock under REJECT
 *                                                       -> policyViolation
 *   3. every key: RSA < max(2048, min_rsa_bits)           -> weakAlgorithm;
 *      key type not in allowed_algorithms or unusable   -> policyViolation
 *      (signature algorithms are checked on each edge during the search)
 *   4. validity of every certificate, leaf first, then the anchor:
 *      now > notAfter + skew (+ grace) -> expired; now < notBefore - skew
 *      -> notYetValid (skipped for an untrusted LOWER_BOUND clock)
 *   5. unknown critical extension anywhere, anchor included
 *                                                       -> policyViolation
 *      nonconforming serial (zero, negative, > 20 octets) unless allowed
 *                                                       -> policyViolation
 *   6. the anchor: v3, basicConstraints critical with cA TRUE, keyUsage
 *      keyCertSign when KU is present (unless the anchor is the leaf);
 *      issuers: basicConstraints cA (RFC 5280 §6.1.4 (k)), v1
 *      intermediates refused, pathLenConstraint (§6.1.4 (l)-(m):
 *      self-issued intermediates do not count; counted from the anchor's
 *      own pathLenConstraint when it has one), keyUsage keyCertSign when
 *      KU is present (§6.1.4 (n))                      -> policyViolation
 *      leaf keyUsage: digitalSignature when present, for TLS server/client
 *      auth and code signing                            -> policyViolation
 *   7. EKU (leaf must hold the purpose's EKU — or anyExtendedKeyUsage when
 *      accept_any_eku — or lack the extension unless require_leaf_eku;
 *      an intermediate WITH an EKU extension must hold the purpose's EKU
 *      or anyExtendedKeyUsage: Go/Mozilla "EKU chaining")  -> badEku
 *   8. name constraints of every CA and of the anchor, applied to every
 *      SAN (dNSName, iPAddress, rfc822Name, directoryName) and to the
 *      subject DN (directoryName) of each certificate below it, self-issued
 *      intermediates excepted for the subject (§6.1.3 (b)); a constrained
 *      form the code cannot evaluate fails (URI constraints and others:
 *      policyViolation)  -> nameConstraintViolation / policyViolation
 *   9. host name (RFC 6125, hostname.h) or IP address -> nameMismatch
 *  10. pins: input SPKI pins (some certificate of the path, anchor
 *      included, must match) and the anchor's own pin  -> pinMismatch
 *  11. fail-closed fields: min_scts -> insufficientScts, require_ocsp ->
 *      ocspUnavailable, stapling_required / leaf must-staple ->
 *      mustStapleMissing.
 */
#ifndef CAPTLS_VERIFY_VERIFY_CHAIN_H
#define CAPTLS_VERIFY_VERIFY_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/verify/policy.h"
#include "core/verify/sig_cache.h"
#include "core/x509/certificate.h"
#include "port/port.h"

/* ---- bounds and budgets ------------------------------------------------ */
/* Certificates in a path, leaf included, anchor excluded. Web PKI paths
 * are 2..4 certificates; webpki allows 6 sub-CAs; 9 leaves room for
 * private PKIs and cross-signs while bounding the explicit stack. */
#define CAPTLS_VERIFY_MAX_PATH 9u
/* Signature checks per verification. A legitimate path needs <= 9; Web PKI
 * cross-signing offers 2..3 issuers per level, so ~10 complete alternative
 * paths fit in 100. The worst case is then 100 RSA-4096/P-384 verifies
 * (well under a second here) whatever the pool holds. */
#define CAPTLS_VERIFY_MAX_SIG_CHECKS 100u
/* Issuer candidates considered (name-matched certificates or anchors,
 * counted each time one is examined). 1,000 = the signature budget times
 * ten, so cheap rejections (loops, hint order) cannot starve the search of
 * signatures, yet a pool of thousands of same-subject certificates stops. */
#define CAPTLS_VERIFY_MAX_CANDIDATES 1000u
/* Issuer-name comparisons while scanning the pool: each expanded frame
 * scans the pool up to three times (hint passes). 200,000 comparisons of
 * ~100-byte names is a few milliseconds. */
#define CAPTLS_VERIFY_MAX_NAME_COMPARES 200000u
/* Untrusted certificates accepted in one call. */
#define CAPTLS_VERIFY_MAX_POOL 4096u
/* Name-constraint comparisons per path (Go uses 250,000). With <= 64
 * subtrees per list and <= 256 SANs per certificate one path can need
 * 9*9*256*128 ≈ 2.6M; real chains need a few dozen. */
#define CAPTLS_VERIFY_MAX_NC_COMPARES 250000u
/* Failure detail text, NUL included (sanitized, truncated with "..."). */
#define CAPTLS_VERIFY_DETAIL_MAX 192u

/* ---- trust anchors ----------------------------------------------------- */

/* What an anchor certificate says beyond its name, key and name
 * constraints (issue 16). Both anchor sources carry it — the certificate
 * list fills it from the certificate at lookup, the TrustStore at
 * addAnchor — and validation reads ONLY this copy, so a root judged from
 * a TrustStore and the same root given as a certificate get the same
 * verdict. present false: a bare {name, key, name constraints} record
 * (RFC 5280 §6.1.1 (d)); no captls source produces one. */
typedef struct captls_anchor_cert_data {
    bool present;
    uint8_t version;                /* 1 or 3 */
    bool bc_present;
    bool bc_critical;
    bool bc_ca;
    bool bc_pathlen_present;
    uint32_t bc_pathlen;
    bool key_usage_present;
    uint16_t key_usage;             /* CAPTLS_KU_* */
    int64_t not_before;
    int64_t not_after;
    uint8_t unknown_critical_count; /* critical extensions not processed */
    /* What the certificate-profile rules need (core/verify/
     * profile_rules.h): its broken rules as CAPTLS_PF_* bits, and its
     * extendedKeyUsage (eku_known: CAPTLS_EKU_* bits). */
    uint32_t profile_faults;
    bool eku_present;
    uint32_t eku_known;
} captls_anchor_cert_data;

/* Fills *out from a parsed anchor certificate (present = true). */
void captls_anchor_cert_data_from(const captls_certificate *cert,
                                  captls_anchor_cert_data *out);

/* A trust anchor as a TrustStore yields it: either a full certificate
 * (cert != NULL; subject, spki and name constraints are then the
 * certificate's) or a TrustAnchorInfo-style record {subject, SPKI, name
 * constraints}; `data` carries the rest of the certificate either way.
 * Every pointer/slice borrows the store's memory, which must
 * stay valid during the call and while the outcome's copy is used. */
typedef struct captls_trust_anchor {
    const captls_certificate *cert;   /* NULL for a bare record */
    captls_x509_name subject;         /* ignored when cert != NULL */
    captls_slice spki;                /* SPKI DER; ignored when cert != NULL */
    captls_slice key_id;              /* SKI for AKI hints (may be empty) */
    const captls_general_name *nc_permitted; /* record only */
    size_t nc_permitted_count;
    const captls_general_name *nc_excluded;  /* record only */
    size_t nc_excluded_count;
    captls_anchor_cert_data data;     /* validity, cA, pathLen, KU, ... */
    bool has_pin;                     /* AnchorPin: SPKI must hash to it */
    uint8_t spki_sha256[32];
    uint32_t id;                      /* the store's index, reported back */
} captls_trust_anchor;

/* The interface a TrustStore implements. next_by_subject enumerates the
 * anchors whose subject may equal `issuer` (over-approximation is fine: the
 * builder re-checks with captls_x509_name_equal). *cursor is 0 on the first
 * call; each CAPTLS_OK return fills *out and advances *cursor;
 * CAPTLS_ERR_NOT_FOUND ends the enumeration; any other error aborts the
 * verification (returned by captls_verify_chain). */
typedef struct captls_anchor_source {
    void *ctx;
    captls_result (*next_by_subject)(void *ctx, const captls_x509_name *issuer,
                                     size_t *cursor, captls_trust_anchor *out);
    uint64_t version; /* TrustStore version: the sig cache's generation */
} captls_anchor_source;

/* A ready-made source over an array of parsed certificates (tests, shim,
 * CLI). list[i] becomes the anchor with id i. The arrays are borrowed. */
typedef struct captls_anchor_cert_list {
    const captls_certificate *const *certs;
    size_t count;
} captls_anchor_cert_list;
void captls_anchor_source_from_certs(captls_anchor_source *src,
                                     captls_anchor_cert_list *list,
                                     uint64_t version);

/* ---- input and outcome -------------------------------------------------- */

typedef struct captls_verify_input {
    const captls_certificate *leaf;
    const captls_certificate *const *intermediates; /* untrusted pool */
    size_t intermediate_count;
    captls_anchor_source anchors;
    const captls_verification_policy *policy;
    captls_cert_purpose purpose;
    int64_t at_epoch_seconds;
    captls_clock_provenance clock_provenance;
    /* Host to match (RFC 6125; an IPv4/IPv6 literal here is matched as an
     * IP address), not NUL-terminated; NULL/0 = no name check. */
    const char *hostname;
    size_t hostname_len;
    /* Or a binary IP address (4 or 16 bytes); NULL = none. */
    const uint8_t *ip;
    size_t ip_len;
    /* SHA-256 SPKI pins: when count > 0 some certificate of the path
     * (anchor included) must match one. */
    const uint8_t (*spki_pins)[32];
    size_t spki_pin_count;
    captls_sig_cache *cache; /* optional; its generation follows
                                anchors.version */
    /* The Public Suffix List for the CA/B wildcard rule (policy
     * cabf_profile; core/verify/public_suffix.h). Host callers pass
     * &captls_psl_builtin; NULL (the guest) makes that rule fail closed:
     * a wildcard SAN is refused under webPkiStrict. */
    const struct captls_psl_table *public_suffixes;
} captls_verify_input;

/* Seed `OcspStatus`; only NOT_CHECKED is produced until the OCSP issue. */
typedef enum captls_ocsp_status {
    CAPTLS_OCSP_NOT_CHECKED = 0,
    CAPTLS_OCSP_GOOD = 1,
    CAPTLS_OCSP_REVOKED = 2,
    CAPTLS_OCSP_UNKNOWN = 3,
} captls_ocsp_status;

#define CAPTLS_VERIFY_NO_INDEX SIZE_MAX

/* Seed `VerificationOutcome`: valid {ValidChain} or invalid
 * {VerificationFailure}, plus the work counters of the search. */
typedef struct captls_verification_outcome {
    bool valid;
    /* valid: ValidChain */
    captls_trust_anchor anchor;   /* copy of the anchor record */
    uint8_t sct_count;            /* 0 until the CT issue */
    captls_ocsp_status ocsp_status;
    int64_t not_after;            /* min notAfter over the path (anchor
                                     certificate included when present) */
    bool time_trusted;            /* false: judged on an untrusted clock */
    size_t path_len;              /* certificates, leaf first, anchor excl. */
    const captls_certificate *path[CAPTLS_VERIFY_MAX_PATH];
    size_t path_index[CAPTLS_VERIFY_MAX_PATH]; /* pool index, or
                                     CAPTLS_VERIFY_NO_INDEX for the leaf */
    /* invalid: VerificationFailure */
    captls_failure_reason reason;
    char detail[CAPTLS_VERIFY_DETAIL_MAX]; /* sanitized, NUL-terminated */
    size_t fail_depth;            /* 0 = leaf; CAPTLS_VERIFY_NO_INDEX when
                                     not about one certificate */
    /* work (both outcomes) */
    uint32_t sig_checks;
    uint32_t cache_hits;
    uint32_t candidates;
    uint32_t name_compares;
    uint32_t paths_completed;
    bool budget_exhausted;
} captls_verification_outcome;

/* ---- scratch ------------------------------------------------------------ */

/* One frame of the explicit DFS stack (private). */
typedef struct captls_verify_frame {
    const captls_certificate *cert;
    size_t pool_index;      /* CAPTLS_VERIFY_NO_INDEX for the leaf */
    uint8_t phase;          /* 0 anchors, 1..3 pool passes, 4 done */
    size_t cursor;          /* anchor cursor or pool position */
} captls_verify_frame;

/* Caller-owned search state (private fields). */
typedef struct captls_verify_scratch {
    captls_verify_frame stack[CAPTLS_VERIFY_MAX_PATH];
    captls_trust_anchor anchor;
    captls_public_key anchor_key;
} captls_verify_scratch;
#define CAPTLS_VERIFY_SCRATCH_SIZE sizeof(captls_verify_scratch)

/* Builds and validates a path; see the contract above. */
CAPTLS_MUST_CHECK captls_result captls_verify_chain(
    const captls_verify_input *in, captls_verify_scratch *scratch,
    captls_verification_outcome *out);

#endif
