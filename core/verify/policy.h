/* core/verify/policy.h — FailureReason, CertPurpose, VerificationPolicy and
 * its presets (seed 001 schemas).
 *
 * Contract. Everything here is plain data: a policy is a caller-owned,
 * copyable struct without pointers into other memory (ct_logs excepted: an
 * opaque handle the CT issue will define, never dereferenced today). The
 * presets are static const objects that live for the program; copy one to
 * derive a custom policy. Nothing here can fail except the name lookups,
 * which return false / NULL-free defaults on unknown names.
 *
 * Fail-closed fields. Inputs that later issues evaluate already exist:
 *   min_scts > 0          -> insufficientScts  (no SCT is validated yet)
 *   require_ocsp          -> ocspUnavailable   (no OCSP evaluation yet)
 *   stapling_required, or a leaf carrying must-staple (RFC 7633)
 *                          -> mustStapleMissing (no stapled response is
 *                             evaluated yet)
 * A policy that demands one of them makes every otherwise-valid chain fail
 * with that reason until the owning issue lands: it never silently passes.
 * `revoked` is never produced today (no revocation source is consulted).
 * pinMismatch is live: SPKI pins passed in captls_verify_input and an
 * anchor's AnchorPin are enforced (see verify_chain.h).
 *
 * Algorithm rules (one documented mapping):
 *   weakAlgorithm   — intrinsically weak, whatever the policy: an MD5 or
 *                     SHA-1 signature (RSA PKCS#1, ECDSA, PSS-with-SHA-1),
 *                     an RSA key below min_rsa_bits (never below 2048: the
 *                     RSA code refuses smaller moduli) or below 1024 bits.
 *   policyViolation — a strong algorithm the policy does not list in
 *                     allowed_algorithms / allowed_signature_schemes
 *                     (e.g. an Ed25519 chain under webPkiStrict, whose lists
 *                     follow the Mozilla Root Store Policy §5.1), and keys
 *                     captls cannot use at all (DSA, P-521, Ed448).
 */
#ifndef CAPTLS_VERIFY_POLICY_H
#define CAPTLS_VERIFY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seed 001 `FailureReason`, same order and values. */
typedef enum captls_failure_reason {
    CAPTLS_FAIL_UNKNOWN_ANCHOR = 0,
    CAPTLS_FAIL_EXPIRED = 1,
    CAPTLS_FAIL_NOT_YET_VALID = 2,
    CAPTLS_FAIL_SIGNATURE_MISMATCH = 3,
    CAPTLS_FAIL_NAME_MISMATCH = 4,
    CAPTLS_FAIL_INSUFFICIENT_SCTS = 5,
    CAPTLS_FAIL_REVOKED = 6,
    CAPTLS_FAIL_OCSP_UNAVAILABLE = 7,
    CAPTLS_FAIL_WEAK_ALGORITHM = 8,
    CAPTLS_FAIL_POLICY_VIOLATION = 9,
    CAPTLS_FAIL_BAD_EKU = 10,
    CAPTLS_FAIL_CHAIN_TOO_LONG = 11,
    CAPTLS_FAIL_NAME_CONSTRAINT_VIOLATION = 12,
    CAPTLS_FAIL_MUST_STAPLE_MISSING = 13,
    CAPTLS_FAIL_PIN_MISMATCH = 14,
} captls_failure_reason;
#define CAPTLS_FAIL_COUNT 15u

/* The seed's camelCase name ("unknownAnchor", "expired", ...): a contract,
 * the CLI prints `fail: <name>`. "unknown" for values outside the enum. */
const char *captls_failure_reason_name(captls_failure_reason r);
/* Inverse of the above (exact, case-sensitive). */
bool captls_failure_reason_from_name(const char *name,
                                     captls_failure_reason *out);

/* Seed 001 `CertPurpose`. */
typedef enum captls_cert_purpose {
    CAPTLS_PURPOSE_TLS_SERVER_AUTH = 0,
    CAPTLS_PURPOSE_TLS_CLIENT_AUTH = 1,
    CAPTLS_PURPOSE_CODE_SIGNING = 2,
    CAPTLS_PURPOSE_EMAIL_SMIME = 3,
    CAPTLS_PURPOSE_CLIENT_IDENTITY = 4,
    CAPTLS_PURPOSE_CT_LOG = 5,
    CAPTLS_PURPOSE_OCSP_SIGNING = 6,
    CAPTLS_PURPOSE_WEBAUTHN_ROOT = 7,
} captls_cert_purpose;
#define CAPTLS_PURPOSE_COUNT 8u
#define CAPTLS_PURPOSE_BIT(p) (1u << (unsigned)(p))
#define CAPTLS_PURPOSE_ALL ((1u << CAPTLS_PURPOSE_COUNT) - 1u)

/* "tlsServerAuth", ...; "unknown" outside the enum. */
const char *captls_cert_purpose_name(captls_cert_purpose p);
/* Accepts the seed names and the CLI aliases "serverAuth", "clientAuth". */
bool captls_cert_purpose_from_name(const char *name, captls_cert_purpose *out);

/* Seed `AsymmetricAlgorithm` list as a bit set over the keys captls can
 * use (allowed_algorithms). RSA covers rsaEncryption and id-RSASSA-PSS keys
 * of at least min_rsa_bits. */
#define CAPTLS_ALG_RSA 0x01u
#define CAPTLS_ALG_EC_P256 0x02u
#define CAPTLS_ALG_EC_P384 0x04u
#define CAPTLS_ALG_ED25519 0x08u
#define CAPTLS_ALG_ALL 0x0Fu

/* Seed `SignatureScheme` list as a bit set over X.509 signature
 * algorithms (allowed_signature_schemes): padding x hash. */
#define CAPTLS_SIGALG_RSA_PKCS1_SHA256 0x0001u
#define CAPTLS_SIGALG_RSA_PKCS1_SHA384 0x0002u
#define CAPTLS_SIGALG_RSA_PKCS1_SHA512 0x0004u
#define CAPTLS_SIGALG_RSA_PSS_SHA256 0x0008u
#define CAPTLS_SIGALG_RSA_PSS_SHA384 0x0010u
#define CAPTLS_SIGALG_RSA_PSS_SHA512 0x0020u
#define CAPTLS_SIGALG_ECDSA_SHA256 0x0040u
#define CAPTLS_SIGALG_ECDSA_SHA384 0x0080u
#define CAPTLS_SIGALG_ECDSA_SHA512 0x0100u
#define CAPTLS_SIGALG_ED25519 0x0200u
#define CAPTLS_SIGALG_ALL 0x03FFu

/* What a clock reading of provenance CAPTLS_CLOCK_UNTRUSTED (port.h) may
 * prove. A trusted reading is always used as is. */
typedef enum captls_untrusted_clock_rule {
    /* Refuse to judge: every chain fails with policyViolation
     * ("untrusted clock"). */
    CAPTLS_UNTRUSTED_CLOCK_REJECT = 0,
    /* The reading is a LOWER BOUND on real time (a fixed boot base, a
     * build date, an RTC that may lag): it can prove `expired` (notAfter
     * before it) but never `notYetValid` — notBefore is not checked. A
     * valid outcome then says time_trusted = false. */
    CAPTLS_UNTRUSTED_CLOCK_LOWER_BOUND = 1,
    /* Treat it like a trusted reading (tests, offline tools). */
    CAPTLS_UNTRUSTED_CLOCK_AS_TRUSTED = 2,
} captls_untrusted_clock_rule;

/* Seed 001 `VerificationPolicy` plus captls's explicit knobs. */
typedef struct captls_verification_policy {
    const char *name;                   /* preset name ("webPkiStrict") */
    /* --- seed fields --- */
    uint8_t min_scts;                   /* > 0: fail closed (see above) */
    const void *ct_logs;                /* opaque CT log TrustStore handle
                                           (CT issue); not dereferenced */
    uint32_t allowed_algorithms;        /* CAPTLS_ALG_* */
    uint32_t allowed_signature_schemes; /* CAPTLS_SIGALG_* */
    bool require_ocsp;                  /* fail closed (see above) */
    /* Certificates in the path, leaf and anchor included (the anchor
     * counts once even if the leaf is the anchor). 0 means
     * CAPTLS_VERIFY_MAX_PATH. Longer -> chainTooLong. */
    uint8_t max_chain_length;
    /* false: a path through any CA carrying nameConstraints (or an anchor
     * with constraints) fails with policyViolation. true: constraints are
     * accepted and ALWAYS enforced; they are never skipped. */
    bool permit_name_constraints;
    /* Tolerance on notBefore/notAfter of every certificate, anchor
     * included. 0 in every preset (issue 16: a tight default, never laxer
     * than OpenSSL, which has none); the caller sets it (`captls verify
     * --clock-skew SECONDS`). */
    uint32_t clock_skew_seconds;
    bool stapling_required;             /* fail closed (see above) */
    /* --- captls additions --- */
    captls_untrusted_clock_rule untrusted_clock;
    uint32_t min_rsa_bits;              /* >= 2048 */
    /* Extra tolerance after notAfter only (code signing: a signature made
     * while the certificate was valid is checked later). */
    uint32_t not_after_grace_seconds;
    uint32_t purposes;                  /* CAPTLS_PURPOSE_BIT set this
                                           policy may verify for; another
                                           purpose -> policyViolation */
    /* Leaf without an EKU extension: false = RFC 5280 "any purpose"
     * (accepted); true = badEku (CA/B Forum BR 7.1.2.3 requires EKU). */
    bool require_leaf_eku;
    /* anyExtendedKeyUsage (2.5.29.37.0) satisfies the purpose in the leaf
     * and in intermediates. */
    bool accept_any_eku;
    /* Serials that are zero or negative (RFC 5280 §4.1.2.2 MUST be
     * positive) or longer than 20 octets: true accepts them, false ->
     * policyViolation. */
    bool allow_nonconforming_serial;
    /* The CA/Browser Forum Baseline Requirements certificate profile on
     * top of RFC 5280 (core/verify/profile_rules.h lists the rules):
     * webPkiStrict only. */
    bool cabf_profile;
} captls_verification_policy;

/* webPkiStrict: min_scts 2, require_ocsp true, Mozilla Root Store Policy
 * §5.1 algorithms (RSA >= 2048, P-256, P-384; PKCS#1/PSS with SHA-256/384/
 * 512, ECDSA with SHA-256/384/512 — no Ed25519), max_chain_length 0 (=
 * CAPTLS_VERIFY_MAX_PATH), permit_name_constraints true, skew 0,
 * stapling_required false, untrusted clock LOWER_BOUND, min_rsa_bits 2048,
 * no notAfter grace, purposes tlsServerAuth+tlsClientAuth,
 * require_leaf_eku true, accept_any_eku false, nonconforming serials
 * refused. Fails closed (insufficientScts) until the CT issue lands. */
const captls_verification_policy *captls_policy_web_pki_strict(void);
/* webPkiLenient: min_scts 0, require_ocsp false, every algorithm captls
 * verifies (RSA >= 2048, P-256, P-384, Ed25519; all SHA-2 signatures),
 * max_chain_length 0, permit_name_constraints true, skew 0, stapling
 * not required, untrusted clock LOWER_BOUND, min_rsa_bits 2048, no grace,
 * purposes tlsServerAuth+tlsClientAuth+clientIdentity+emailSmime,
 * require_leaf_eku false (RFC 5280: absent EKU = any), accept_any_eku true,
 * nonconforming serials accepted (RFC 5280 §4.1.2.2 asks relying parties
 * to handle them gracefully). */
const captls_verification_policy *captls_policy_web_pki_lenient(void);
/* privateMtls: min_scts 0, require_ocsp true (fails closed with
 * ocspUnavailable until the OCSP issue lands), all algorithms of
 * lenient, max_chain_length 3 (leaf, one intermediate, anchor),
 * permit_name_constraints true, skew 0, stapling not required,
 * untrusted clock LOWER_BOUND, min_rsa_bits 2048, no grace, purposes
 * tlsServerAuth+tlsClientAuth+clientIdentity, require_leaf_eku true,
 * accept_any_eku false, nonconforming serials refused. */
const captls_verification_policy *captls_policy_private_mtls(void);
/* codeSigning: min_scts 0, require_ocsp false, algorithms of lenient,
 * max_chain_length 0, permit_name_constraints true, skew 0, stapling
 * not required, untrusted clock LOWER_BOUND, min_rsa_bits 2048 (code
 * signing roots still carry 2048-bit keys), not_after_grace 365 days (the "long notAfter
 * tolerance": a signature checked long after signing), purposes
 * codeSigning only, require_leaf_eku true, accept_any_eku false (the
 * narrow EKU set: id-kp-codeSigning only), nonconforming serials refused. */
const captls_verification_policy *captls_policy_code_signing(void);

/* Preset by its seed name ("webPkiStrict", ...), or NULL. */
const captls_verification_policy *captls_policy_by_name(const char *name);

#endif
