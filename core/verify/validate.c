/* core/verify/validate.c — edge and path checks (RFC 5280 §6.1); see
 * verify_chain.h for the contract and the order of checks. */
#include "core/verify/validate.h"

#include <string.h>

#include "core/base/text.h"
#include "core/crypto/hash.h"
#include "core/crypto/rsa.h"
#include "core/verify/hostname.h"
#include "core/verify/name_constraints.h"
#include "core/verify/profile_rules.h"
#include "core/x509/name_text.h"

void captls_vfail_set(captls_vfail *f, captls_failure_reason reason,
                      size_t depth, const char *msg,
                      const captls_certificate *cert)
{
    captls_text t;
    f->reason = reason;
    f->depth = depth;
    captls_text_init(&t, f->detail, sizeof f->detail);
    captls_text_str(&t, msg);
    if (depth != CAPTLS_VERIFY_NO_INDEX) {
        captls_text_str(&t, " [certificate ");
        captls_text_u64(&t, depth);
        captls_text_str(&t, "]");
    }
    if (cert != NULL) {
        captls_text_str(&t, " subject: ");
        /* name_text escapes every certificate byte (sanitize rules). */
        captls_x509_name_append(&t, &cert->subject);
    }
}

/* ---- algorithms ---------------------------------------------------------- */

static uint32_t min_rsa(const captls_verification_policy *p)
{
    return p->min_rsa_bits > CAPTLS_RSA_ACCEPT_MIN_BITS
               ? p->min_rsa_bits
               : CAPTLS_RSA_ACCEPT_MIN_BITS;
}

bool captls_vfy_key(const captls_verification_policy *p,
                    const captls_public_key *key, captls_slice spki_alg_oid,
                    captls_result key_status, size_t depth,
                    const captls_certificate *cert, captls_vfail *f)
{
    uint32_t bit = 0;
    switch (key->type) {
    case CAPTLS_KEY_RSA:
    case CAPTLS_KEY_RSA_PSS:
        if (key->rsa_bits < min_rsa(p)) {
            captls_vfail_set(f, CAPTLS_FAIL_WEAK_ALGORITHM, depth,
                             "RSA key below the minimum size", cert);
            return false;
        }
        if (key->rsa_bits > CAPTLS_RSA_ACCEPT_MAX_BITS) {
            captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, depth,
                             "RSA key above 4096 bits is not supported",
                             cert);
            return false;
        }
        bit = CAPTLS_ALG_RSA;
        break;
    case CAPTLS_KEY_EC_P256:
        bit = CAPTLS_ALG_EC_P256;
        break;
    case CAPTLS_KEY_EC_P384:
        bit = CAPTLS_ALG_EC_P384;
        break;
    case CAPTLS_KEY_ED25519:
        bit = CAPTLS_ALG_ED25519;
        break;
    case CAPTLS_KEY_X25519:
    case CAPTLS_KEY_NONE:
    default:
        /* An rsaEncryption key the SPKI parser refused as too small
         * (< 1024 bits) is weak; anything else is unusable here. */
        if (key->type == CAPTLS_KEY_NONE &&
            CAPTLS_DER_OID_IS(spki_alg_oid, captls_oid_rsa_encryption) &&
            key_status == CAPTLS_ERR_UNSUPPORTED) {
            captls_vfail_set(f, CAPTLS_FAIL_WEAK_ALGORITHM, depth,
                             "RSA key below 1024 bits", cert);
            return false;
        }
        captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, depth,
                         "unsupported public key algorithm", cert);
        return false;
    }
    if ((p->allowed_algorithms & bit) == 0) {
        captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, depth,
                         "key algorithm not allowed by the policy", cert);
        return false;
    }
    return true;
}

static uint32_t hash_index(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA256 ? 0 : h == CAPTLS_HASH_SHA384 ? 1 : 2;
}

/* The policy bit of a (non-weak, known) signature algorithm. */
static uint32_t sigalg_bit(const captls_x509_sig_info *s)
{
    switch (s->alg) {
    case CAPTLS_X509_SIG_RSA_PKCS1_SHA256:
        return CAPTLS_SIGALG_RSA_PKCS1_SHA256;
    case CAPTLS_X509_SIG_RSA_PKCS1_SHA384:
        return CAPTLS_SIGALG_RSA_PKCS1_SHA384;
    case CAPTLS_X509_SIG_RSA_PKCS1_SHA512:
        return CAPTLS_SIGALG_RSA_PKCS1_SHA512;
    case CAPTLS_X509_SIG_RSA_PSS:
        return CAPTLS_SIGALG_RSA_PSS_SHA256 << hash_index(s->hash);
    case CAPTLS_X509_SIG_ECDSA_SHA256:
        return CAPTLS_SIGALG_ECDSA_SHA256;
    case CAPTLS_X509_SIG_ECDSA_SHA384:
        return CAPTLS_SIGALG_ECDSA_SHA384;
    case CAPTLS_X509_SIG_ECDSA_SHA512:
        return CAPTLS_SIGALG_ECDSA_SHA512;
    case CAPTLS_X509_SIG_ED25519:
        return CAPTLS_SIGALG_ED25519;
    default:
        return 0;
    }
}

/* The certificate's signature algorithm against the issuer's key
 * (issue 16): each algorithm family needs its key type — PKCS#1 v1.5 an
 * rsaEncryption key (RFC 4055 §1.2: an id-RSASSA-PSS key never signs
 * PKCS#1), RSASSA-PSS an RSA key whose id-RSASSA-PSS parameters, when
 * present, it obeys (RFC 4055 §3.3: same hash and MGF1 hash, a salt at
 * least the key's), ECDSA an EC key (RFC 5758 §3.2; any SHA-2 digest with
 * either curve, as X.509 allows), Ed25519 an Ed25519 key (RFC 8410 §3). A
 * mismatch is a signature that does not verify under the issuer's key. The
 * outer and TBS AlgorithmIdentifiers are byte-equal (RFC 5280 §4.1.1.2,
 * enforced by the parser), so `s` is both. Returns NULL when they agree. */
static const char *alg_key_mismatch(const captls_x509_sig_info *s,
                                    const captls_public_key *k)
{
    switch (s->alg) {
    case CAPTLS_X509_SIG_RSA_PKCS1_SHA256:
    case CAPTLS_X509_SIG_RSA_PKCS1_SHA384:
    case CAPTLS_X509_SIG_RSA_PKCS1_SHA512:
        return k->type == CAPTLS_KEY_RSA
                   ? NULL
                   : "PKCS#1 signature algorithm but the issuer key is not "
                     "an rsaEncryption key";
    case CAPTLS_X509_SIG_RSA_PSS:
        if (k->type != CAPTLS_KEY_RSA && k->type != CAPTLS_KEY_RSA_PSS)
            return "RSASSA-PSS signature algorithm but the issuer key is not "
                   "RSA";
        if (k->type == CAPTLS_KEY_RSA_PSS && k->pss_restricted &&
            (s->hash != k->pss.hash || s->mgf1_hash != k->pss.mgf1_hash ||
             s->salt_len < k->pss.salt_len))
            return "RSASSA-PSS parameters outside the issuer key's "
                   "restriction";
        return NULL;
    case CAPTLS_X509_SIG_ECDSA_SHA256:
    case CAPTLS_X509_SIG_ECDSA_SHA384:
    case CAPTLS_X509_SIG_ECDSA_SHA512:
        return k->type == CAPTLS_KEY_EC_P256 || k->type == CAPTLS_KEY_EC_P384
                   ? NULL
                   : "ECDSA signature algorithm but the issuer key is not "
                     "an EC key";
    case CAPTLS_X509_SIG_ED25519:
        return k->type == CAPTLS_KEY_ED25519
                   ? NULL
                   : "Ed25519 signature algorithm but the issuer key is not "
                     "Ed25519";
    default:
        return "unsupported signature algorithm";
    }
}

captls_edge_result captls_vfy_edge(const captls_verify_input *in,
                                   const captls_certificate *child,
                                   size_t depth,
                                   const captls_public_key *issuer_key,
                                   captls_slice issuer_spki,
                                   const captls_certificate *issuer_cert,
                                   captls_verification_outcome *out,
                                   captls_vfail *f)
{
    const captls_verification_policy *p = in->policy;
    const captls_x509_sig_info *s = &child->sig;
    /* Weak digests cannot be trusted whatever the key (RFC 6151 MD5,
     * SHAttered SHA-1; CA/B BR 7.1.3.2). */
    if (s->weak || s->alg == CAPTLS_X509_SIG_RSA_PKCS1_MD5 ||
        s->alg == CAPTLS_X509_SIG_RSA_PKCS1_SHA1 ||
        s->alg == CAPTLS_X509_SIG_ECDSA_SHA1) {
        captls_vfail_set(f, CAPTLS_FAIL_WEAK_ALGORITHM, depth,
                         "MD5/SHA-1 signature", child);
        return CAPTLS_EDGE_FAIL_CHILD;
    }
    uint32_t bit = sigalg_bit(s);
    if (bit == 0) {
        captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, depth,
                         "unsupported signature algorithm", child);
        return CAPTLS_EDGE_FAIL_CHILD;
    }
    if ((p->allowed_signature_schemes & bit) == 0) {
        captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, depth,
                         "signature algorithm not allowed by the policy",
                         child);
        return CAPTLS_EDGE_FAIL_CHILD;
    }
    if (!captls_vfy_key(p, issuer_key,
                        issuer_cert ? issuer_cert->spki_alg_oid
                                    : (captls_slice){NULL, 0},
                        issuer_cert ? issuer_cert->key_status : CAPTLS_OK,
                        depth + 1, NULL, f)) {
        /* the issuer's key: name the child whose issuer it is */
        captls_vfail_set(f, f->reason, depth,
                         f->reason == CAPTLS_FAIL_WEAK_ALGORITHM
                             ? "issuer key is weak (RSA below the minimum)"
                             : "issuer key algorithm not allowed or unusable",
                         child);
        return CAPTLS_EDGE_FAIL;
    }

    const char *mismatch = alg_key_mismatch(s, issuer_key);
    if (mismatch != NULL) {
        captls_vfail_set(f, CAPTLS_FAIL_SIGNATURE_MISMATCH, depth, mismatch,
                         child);
        return CAPTLS_EDGE_FAIL;
    }

    uint8_t key[32];
    if (in->cache != NULL) {
        captls_sig_cache_key(issuer_spki, s->der, child->tbs, child->signature,
                             key);
        if (captls_sig_cache_lookup(in->cache, key)) {
            out->cache_hits++;
            return CAPTLS_EDGE_OK;
        }
    }
    if (out->sig_checks >= CAPTLS_VERIFY_MAX_SIG_CHECKS)
        return CAPTLS_EDGE_NO_BUDGET;
    out->sig_checks++;
    size_t salt = s->alg == CAPTLS_X509_SIG_RSA_PSS ? s->salt_len : 0;
    captls_result r = captls_sig_verify_alg(
        issuer_key, s->padding, s->hash, s->mgf1_hash, salt, child->tbs.ptr,
        child->tbs.len, child->signature.ptr, child->signature.len);
    if (r == CAPTLS_OK) {
        if (in->cache != NULL)
            captls_sig_cache_insert(in->cache, key);
        return CAPTLS_EDGE_OK;
    }
    if (r == CAPTLS_ERR_WEAK_KEY)
        captls_vfail_set(f, CAPTLS_FAIL_WEAK_ALGORITHM, depth,
                         "issuer key is weak", child);
    else
        captls_vfail_set(f, CAPTLS_FAIL_SIGNATURE_MISMATCH, depth,
                         "signature does not verify under the issuer's key",
                         child);
    return CAPTLS_EDGE_FAIL;
}

/* ---- the path ---------------------------------------------------------- */

uint32_t captls_vfy_purpose_eku(captls_cert_purpose p)
{
    switch (p) {
    case CAPTLS_PURPOSE_TLS_SERVER_AUTH:
        return CAPTLS_EKU_SERVER_AUTH;
    case CAPTLS_PURPOSE_TLS_CLIENT_AUTH:
    case CAPTLS_PURPOSE_CLIENT_IDENTITY:
        return CAPTLS_EKU_CLIENT_AUTH;
    case CAPTLS_PURPOSE_CODE_SIGNING:
        return CAPTLS_EKU_CODE_SIGNING;
    case CAPTLS_PURPOSE_EMAIL_SMIME:
        return CAPTLS_EKU_EMAIL_PROTECTION;
    case CAPTLS_PURPOSE_OCSP_SIGNING:
        return CAPTLS_EKU_OCSP_SIGNING;
    default:
        return 0; /* ctLog, webauthnRoot: no EKU defined */
    }
}

static bool same_key_and_name(const captls_certificate *c,
                              const captls_trust_anchor *a)
{
    if (a->cert == c)
        return true;
    const captls_x509_name *an = a->cert ? &a->cert->subject : &a->subject;
    captls_slice as = a->cert ? a->cert->spki_raw : a->spki;
    return as.len == c->spki_raw.len &&
           memcmp(as.ptr, c->spki_raw.ptr, as.len) == 0 &&
           captls_x509_name_equal(an, &c->subject);
}

static bool check_time(const captls_verify_input *in,
                       const captls_certificate *const *path, size_t n,
                       const captls_trust_anchor *anchor, captls_vfail *f)
{
    const captls_verification_policy *p = in->policy;
    bool trusted = in->clock_provenance == CAPTLS_CLOCK_TRUSTED ||
                   p->untrusted_clock == CAPTLS_UNTRUSTED_CLOCK_AS_TRUSTED;
    int64_t at = in->at_epoch_seconds;
    int64_t late = (int64_t)p->clock_skew_seconds +
                   (int64_t)p->not_after_grace_seconds;
    for (size_t i = 0; i < n; i++) {
        /* RFC 5280 §6.1.3 (a)(2): the certificate validity period includes
         * the current time (both ends inclusive, §4.1.2.5). */
        if (at > path[i]->not_after && at - path[i]->not_after > late) {
            captls_vfail_set(f, CAPTLS_FAIL_EXPIRED, i,
                             "certificate has expired", path[i]);
            return false;
        }
        if (trusted && at < path[i]->not_before &&
            path[i]->not_before - at > (int64_t)p->clock_skew_seconds) {
            captls_vfail_set(f, CAPTLS_FAIL_NOT_YET_VALID, i,
                             "certificate is not yet valid", path[i]);
            return false;
        }
    }
    /* The anchor's own validity, as OpenSSL checks it (issue 16: never
     * laxer than OpenSSL). RFC 5280 §6.1.1 (d) makes the anchor an input;
     * its certificate's dates still bound what it may vouch for. */
    const captls_anchor_cert_data *d = &anchor->data;
    if (!d->present)
        return true;
    if (at > d->not_after && at - d->not_after > late) {
        captls_vfail_set(f, CAPTLS_FAIL_EXPIRED, n,
                         "trust anchor certificate has expired",
                         anchor->cert);
        return false;
    }
    if (trusted && at < d->not_before &&
        d->not_before - at > (int64_t)p->clock_skew_seconds) {
        captls_vfail_set(f, CAPTLS_FAIL_NOT_YET_VALID, n,
                         "trust anchor certificate is not yet valid",
                         anchor->cert);
        return false;
    }
    return true;
}

static bool check_extensions(const captls_verification_policy *p,
                             const captls_certificate *const *path, size_t n,
                             const captls_trust_anchor *anchor,
                             captls_vfail *f)
{
    /* RFC 5280 §4.2 applies to the anchor certificate too (OpenSSL
     * refuses an anchor with an unhandled critical extension). */
    if (anchor->data.present && anchor->data.unknown_critical_count > 0) {
        captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, n,
                         "trust anchor has an unknown critical extension",
                         anchor->cert);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const captls_certificate *c = path[i];
        /* RFC 5280 §4.2: a critical extension that is not recognised
         * MUST make the certificate be rejected. */
        if (c->unknown_critical_count > 0) {
            char msg[96];
            captls_text t;
            captls_text_init(&t, msg, sizeof msg);
            captls_text_str(&t, "unknown critical extension ");
            captls_oid_append_dotted(&t, c->unknown_critical[0]);
            captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, i, msg, c);
            return false;
        }
        /* RFC 5280 §4.1.2.2: positive, at most 20 octets. */
        if (!p->allow_nonconforming_serial &&
            (c->serial_negative || c->serial_zero || c->serial_too_long)) {
            captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, i,
                             "serial number is zero, negative or too long",
                             c);
            return false;
        }
    }
    return true;
}

static bool check_ca(const captls_verify_input *in,
                     const captls_certificate *const *path, size_t n,
                     const captls_trust_anchor *anchor, captls_vfail *f)
{
    /* RFC 5280 §6.1.4 (l)-(m), from the anchor down. The anchor's own
     * pathLenConstraint is honoured when the anchor is a certificate (as
     * OpenSSL and Go do). */
    const captls_anchor_cert_data *d = &anchor->data;
    uint32_t max_len = UINT32_MAX;
    /* The anchor must be a CA: v3, basicConstraints critical (RFC 5280
     * §4.2.1.9: "MUST appear as a critical extension in all CA
     * certificates that contain public keys used to validate digital
     * signatures on certificates") with cA TRUE, keyCertSign when keyUsage
     * is present (§4.2.1.3) — as OpenSSL's strict mode requires of every
     * certificate of its chain. Waived when the anchor is the leaf itself
     * (a directly trusted end-entity certificate, RFC 6818 §2). */
    bool anchor_is_leaf = n == 1 && same_key_and_name(path[0], anchor);
    if (d->present && !anchor_is_leaf) {
        if (d->version != 3 || !d->bc_present || !d->bc_ca ||
            !d->bc_critical) {
            captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, n,
                             "trust anchor is not a CA (v3, critical "
                             "basicConstraints cA TRUE)",
                             anchor->cert);
            return false;
        }
        if (d->key_usage_present &&
            (d->key_usage & CAPTLS_KU_KEY_CERT_SIGN) == 0) {
            captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, n,
                             "trust anchor keyUsage lacks keyCertSign",
                             anchor->cert);
            return false;
        }
    }
    if (d->present && d->bc_pathlen_present)
        max_len = d->bc_pathlen;
    for (size_t i = n; i-- > 1;) {
        const captls_certificate *c = path[i];
        /* §6.1.4 (k): v3 with basicConstraints cA TRUE. */
        if (c->version != 3 || !c->bc_present || !c->bc_ca) {
            captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, i,
                             "issuer is not a CA (basicConstraints cA)", c);
            return false;
        }
        if (!captls_certificate_is_self_issued(c)) {
            if (max_len == 0) {
                captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, i,
                                 "pathLenConstraint exceeded", c);
                return false;
            }
            if (max_len != UINT32_MAX)
                max_len--;
        }
        if (c->bc_pathlen_present && c->bc_pathlen < max_len)
            max_len = c->bc_pathlen;
        /* §6.1.4 (n): keyCertSign when keyUsage is present. */
        if (c->key_usage_present &&
            (c->key_usage & CAPTLS_KU_KEY_CERT_SIGN) == 0) {
            captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, i,
                             "issuer keyUsage lacks keyCertSign", c);
            return false;
        }
    }
    const captls_certificate *leaf = path[0];
    captls_cert_purpose pu = in->purpose;
    if ((pu == CAPTLS_PURPOSE_TLS_SERVER_AUTH ||
         pu == CAPTLS_PURPOSE_TLS_CLIENT_AUTH ||
         pu == CAPTLS_PURPOSE_CLIENT_IDENTITY ||
         pu == CAPTLS_PURPOSE_CODE_SIGNING) &&
        leaf->key_usage_present &&
        (leaf->key_usage & CAPTLS_KU_DIGITAL_SIGNATURE) == 0) {
        /* TLS 1.3 CertificateVerify and code signatures are digital
         * signatures (RFC 5280 §4.2.1.3, RFC 8446 §4.4.2.2). */
        captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION, 0,
                         "leaf keyUsage lacks digitalSignature", leaf);
        return false;
    }
    return true;
}

static bool check_eku(const captls_verify_input *in,
                      const captls_certificate *const *path, size_t n,
                      captls_vfail *f)
{
    uint32_t want = captls_vfy_purpose_eku(in->purpose);
    if (want == 0)
        return true;
    const captls_certificate *leaf = path[0];
    if (leaf->eku_present) {
        bool ok = (leaf->eku_known & want) != 0 ||
                  (in->policy->accept_any_eku &&
                   (leaf->eku_known & CAPTLS_EKU_ANY) != 0);
        if (!ok) {
            captls_vfail_set(f, CAPTLS_FAIL_BAD_EKU, 0,
                             "leaf extendedKeyUsage lacks the purpose", leaf);
            return false;
        }
    } else if (in->policy->require_leaf_eku) {
        captls_vfail_set(f, CAPTLS_FAIL_BAD_EKU, 0,
                         "leaf has no extendedKeyUsage", leaf);
        return false;
    }
    /* EKU chaining (Go crypto/x509, Mozilla): an intermediate that carries
     * EKU constrains the path to those purposes. */
    for (size_t i = 1; i < n; i++) {
        const captls_certificate *c = path[i];
        if (c->eku_present &&
            (c->eku_known & (want | CAPTLS_EKU_ANY)) == 0) {
            captls_vfail_set(f, CAPTLS_FAIL_BAD_EKU, i,
                             "intermediate extendedKeyUsage excludes the "
                             "purpose",
                             c);
            return false;
        }
    }
    return true;
}

static bool check_nc(const captls_verify_input *in,
                     const captls_certificate *const *path, size_t n,
                     const captls_trust_anchor *anchor, captls_vfail *f)
{
    captls_nc_set sets[CAPTLS_VERIFY_MAX_PATH + 1];
    size_t below[CAPTLS_VERIFY_MAX_PATH + 1]; /* certs [0, below) obey it */
    size_t ns = 0;
    if (anchor->cert != NULL) {
        if (anchor->cert->nc_present) {
            sets[ns] = (captls_nc_set){anchor->cert->nc_permitted,
                                       anchor->cert->nc_permitted_count,
                                       anchor->cert->nc_excluded,
                                       anchor->cert->nc_excluded_count};
            below[ns++] = n;
        }
    } else if (anchor->nc_permitted_count + anchor->nc_excluded_count > 0) {
        sets[ns] = (captls_nc_set){anchor->nc_permitted,
                                   anchor->nc_permitted_count,
                                   anchor->nc_excluded,
                                   anchor->nc_excluded_count};
        below[ns++] = n;
    }
    for (size_t k = n; k-- > 1;) {
        if (!path[k]->nc_present)
            continue;
        sets[ns] = (captls_nc_set){path[k]->nc_permitted,
                                   path[k]->nc_permitted_count,
                                   path[k]->nc_excluded,
                                   path[k]->nc_excluded_count};
        below[ns++] = k;
    }
    if (ns == 0)
        return true;
    if (!in->policy->permit_name_constraints) {
        captls_vfail_set(f, CAPTLS_FAIL_POLICY_VIOLATION,
                         CAPTLS_VERIFY_NO_INDEX,
                         "name-constrained CA refused by the policy", NULL);
        return false;
    }
    uint32_t budget = CAPTLS_VERIFY_MAX_NC_COMPARES;
    for (size_t s = 0; s < ns; s++) {
        for (size_t i = 0; i < below[s]; i++) {
            /* RFC 5280 §6.1.3 (b): self-issued intermediates are exempt. */
            if (i > 0 && captls_certificate_is_self_issued(path[i]))
                continue;
            const captls_general_name *which = NULL;
            captls_nc_verdict v =
                captls_nc_check_cert(&sets[s], path[i], &budget, &which);
            if (v == CAPTLS_NC_OK)
                continue;
            if (v == CAPTLS_NC_VIOLATION) {
                char msg[128];
                captls_text t;
                captls_text_init(&t, msg, sizeof msg);
                captls_text_str(&t, "name constraints violated by ");
                if (which != NULL)
                    captls_x509_bytes_append(
                        &t, which->type == CAPTLS_GN_IP ||
                                    which->type == CAPTLS_GN_DIRECTORY
                                ? (captls_slice){(const uint8_t *)"a SAN", 5}
                                : which->value);
                else
                    captls_text_str(&t, "the subject");
                captls_vfail_set(f, CAPTLS_FAIL_NAME_CONSTRAINT_VIOLATION, i,
                                 msg, path[i]);
            } else {
                captls_vfail_set(
                    f, CAPTLS_FAIL_POLICY_VIOLATION, i,
                    v == CAPTLS_NC_BUDGET
                        ? "name-constraint comparison budget exhausted"
                        : "name constraint on a name form not supported",
                    path[i]);
            }
            return false;
        }
    }
    return true;
}

static bool check_name(const captls_verify_input *in,
                       const captls_certificate *leaf, captls_vfail *f)
{
    uint8_t ip[16];
    size_t ip_len = 0;
    if (in->ip != NULL) {
        if (!captls_cert_matches_ip(leaf, in->ip, in->ip_len)) {
            captls_vfail_set(f, CAPTLS_FAIL_NAME_MISMATCH, 0,
                             "no iPAddress SAN matches the address", leaf);
            return false;
        }
        return true;
    }
    if (in->hostname == NULL || in->hostname_len == 0)
        return true;
    if (captls_ip_parse(in->hostname, in->hostname_len, ip, &ip_len)) {
        if (!captls_cert_matches_ip(leaf, ip, ip_len)) {
            captls_vfail_set(f, CAPTLS_FAIL_NAME_MISMATCH, 0,
                             "no iPAddress SAN matches the address", leaf);
            return false;
        }
        return true;
    }
    if (!captls_hostname_is_valid(in->hostname, in->hostname_len)) {
        captls_vfail_set(f, CAPTLS_FAIL_NAME_MISMATCH, 0,
                         "reference host name is not a valid A-label name",
                         NULL);
        return false;
    }
    if (!captls_cert_matches_hostname(leaf, in->hostname, in->hostname_len)) {
        captls_vfail_set(f, CAPTLS_FAIL_NAME_MISMATCH, 0,
                         "no dNSName SAN matches the host name", leaf);
        return false;
    }
    return true;
}

static void spki_sha256(captls_slice spki, uint8_t out[32])
{
    captls_hash_ctx h;
    uint8_t d[CAPTLS_HASH_MAX_SIZE];
    if (captls_hash_init(&h, CAPTLS_HASH_SHA256) != CAPTLS_OK) {
        memset(out, 0, 32);
        return;
    }
    captls_hash_update(&h, spki.ptr, spki.len);
    captls_hash_final(&h, d);
    memcpy(out, d, 32);
}

static bool check_pins(const captls_verify_input *in,
                       const captls_certificate *const *path, size_t n,
                       const captls_trust_anchor *anchor, captls_vfail *f)
{
    captls_slice aspki = anchor->cert ? anchor->cert->spki_raw : anchor->spki;
    uint8_t h[32];
    if (anchor->has_pin) {
        spki_sha256(aspki, h);
        if (memcmp(h, anchor->spki_sha256, 32) != 0) {
            captls_vfail_set(f, CAPTLS_FAIL_PIN_MISMATCH,
                             CAPTLS_VERIFY_NO_INDEX,
                             "anchor SPKI does not match its pin", NULL);
            return false;
        }
    }
    if (in->spki_pin_count == 0)
        return true;
    for (size_t i = 0; i <= n; i++) {
        spki_sha256(i < n ? path[i]->spki_raw : aspki, h);
        for (size_t k = 0; k < in->spki_pin_count; k++)
            if (memcmp(h, in->spki_pins[k], 32) == 0)
                return true;
    }
    captls_vfail_set(f, CAPTLS_FAIL_PIN_MISMATCH, CAPTLS_VERIFY_NO_INDEX,
                     "no SPKI of the path matches a pin", NULL);
    return false;
}

bool captls_vfy_path(const captls_verify_input *in,
                     const captls_certificate *const *path, size_t n,
                     const captls_trust_anchor *anchor,
                     const captls_public_key *anchor_key, int64_t *not_after,
                     captls_vfail *f)
{
    const captls_verification_policy *p = in->policy;
    /* 1. length: leaf..anchor, the anchor counted once. */
    size_t total = n + (same_key_and_name(path[n - 1], anchor) ? 0 : 1);
    size_t max = p->max_chain_length ? p->max_chain_length
                                     : CAPTLS_VERIFY_MAX_PATH + 1;
    if (total > max) {
        captls_vfail_set(f, CAPTLS_FAIL_CHAIN_TOO_LONG, CAPTLS_VERIFY_NO_INDEX,
                         "path longer than the policy's maxChainLength",
                         NULL);
        return false;
    }
    /* 2. (purpose, clock) are checked before the search. 3. keys. */
    for (size_t i = 0; i < n; i++)
        if (!captls_vfy_key(p, &path[i]->key, path[i]->spki_alg_oid,
                            path[i]->key_status, i, path[i], f))
            return false;
    if (!captls_vfy_key(p, anchor_key,
                        anchor->cert ? anchor->cert->spki_alg_oid
                                     : (captls_slice){NULL, 0},
                        anchor->cert ? anchor->cert->key_status : CAPTLS_OK,
                        n, anchor->cert, f))
        return false;
    /* 4. - 11. */
    if (!check_time(in, path, n, anchor, f) ||
        !check_extensions(p, path, n, anchor, f) ||
        !check_ca(in, path, n, anchor, f) || !check_eku(in, path, n, f) ||
        !check_nc(in, path, n, anchor, f) || !check_name(in, path[0], f) ||
        !check_pins(in, path, n, anchor, f))
        return false;
    if (!captls_profile_check(in, path, n, anchor, f)) /* profile_rules.h */
        return false;
    if (p->min_scts > 0) {
        captls_vfail_set(f, CAPTLS_FAIL_INSUFFICIENT_SCTS, 0,
                         "policy requires SCTs; SCT validation is not "
                         "available yet (fails closed)",
                         NULL);
        return false;
    }
    if (p->require_ocsp) {
        captls_vfail_set(f, CAPTLS_FAIL_OCSP_UNAVAILABLE, 0,
                         "policy requires OCSP; no OCSP evaluation yet "
                         "(fails closed)",
                         NULL);
        return false;
    }
    if (p->stapling_required || path[0]->must_staple) {
        captls_vfail_set(f, CAPTLS_FAIL_MUST_STAPLE_MISSING, 0,
                         "stapled OCSP response required; none evaluated "
                         "(fails closed)",
                         NULL);
        return false;
    }
    int64_t na = path[0]->not_after;
    for (size_t i = 1; i < n; i++)
        if (path[i]->not_after < na)
            na = path[i]->not_after;
    if (anchor->data.present && anchor->data.not_after < na)
        na = anchor->data.not_after;
    *not_after = na;
    return true;
}
