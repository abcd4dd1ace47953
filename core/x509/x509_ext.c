/* Certificate extensions (RFC 5280 §4.2), one handler per extension.
 * See certificate.h. */
#include <string.h>

#include "core/x509/x509_internal.h"

/* id-ce 2.5.29.x */
const uint8_t captls_oid_at_common_name[3] = {0x55, 0x04, 0x03};
const uint8_t captls_oid_ext_san[3] = {0x55, 0x1d, 0x11};
const uint8_t captls_oid_ext_name_constraints[3] = {0x55, 0x1d, 0x1e};
const uint8_t captls_oid_ext_basic_constraints[3] = {0x55, 0x1d, 0x13};
const uint8_t captls_oid_ext_key_usage[3] = {0x55, 0x1d, 0x0f};
const uint8_t captls_oid_ext_eku[3] = {0x55, 0x1d, 0x25};
static const uint8_t oid_ski[] = {0x55, 0x1d, 0x0e};
static const uint8_t oid_crldp[] = {0x55, 0x1d, 0x1f};
static const uint8_t oid_policies[] = {0x55, 0x1d, 0x20};
static const uint8_t oid_aki[] = {0x55, 0x1d, 0x23};
/* id-pe-authorityInfoAccess 1.3.6.1.5.5.7.1.1, id-pe-tlsfeature .1.24 */
static const uint8_t oid_aia[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
static const uint8_t oid_tls_feature[] = {0x2b, 0x06, 0x01, 0x05,
                                          0x05, 0x07, 0x01, 0x18};
/* RFC 6962 §3.3: 1.3.6.1.4.1.11129.2.4.2 */
static const uint8_t oid_sct_list[] = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                       0xd6, 0x79, 0x02, 0x04, 0x02};
/* id-ad-ocsp 1.3.6.1.5.5.7.48.1, id-ad-caIssuers .48.2 */
static const uint8_t oid_ad_ocsp[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01};
static const uint8_t oid_ad_ca_issuers[] = {0x2b, 0x06, 0x01, 0x05,
                                            0x05, 0x07, 0x30, 0x02};
/* EKU purposes: id-kp 1.3.6.1.5.5.7.3.x and anyExtendedKeyUsage */
static const uint8_t oid_kp_prefix[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03};
static const uint8_t oid_any_eku[] = {0x55, 0x1d, 0x25, 0x00};

typedef captls_result (*ext_handler)(captls_der *v, bool critical,
                                     captls_certificate *cert);

static captls_result too_many(const captls_der *d, const char *why)
{
    return captls_x509_fail(d, captls_der_offset(d), CAPTLS_ERR_LIMIT_EXCEEDED,
                            why);
}

/* SEQUENCE SIZE (1..MAX) OF ...: enters and refuses an empty list. */
static captls_result enter_nonempty(captls_der *d, uint32_t tag,
                                   captls_der *sub, const char *what)
{
    size_t at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_enter(d, tag, sub));
    if (captls_der_at_end(sub))
        return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED, what);
    return CAPTLS_OK;
}

static captls_result h_ski(captls_der *v, bool critical, captls_certificate *c)
{
    (void)critical;
    CAPTLS_TRY(captls_der_read_octet_string(v, &c->ski));
    c->ski_present = true;
    return CAPTLS_OK;
}

static captls_result h_key_usage(captls_der *v, bool critical,
                                 captls_certificate *c)
{
    captls_slice bits;
    unsigned unused;
    size_t at = captls_der_offset(v);
    (void)critical;
    CAPTLS_TRY(captls_der_read_bit_string(v, &bits, &unused));
    /* RFC 5280 §4.2.1.3: at least one bit MUST be set; nine bits exist. */
    if (bits.len == 0 || bits.len > 2)
        return captls_x509_fail(v, at, CAPTLS_ERR_MALFORMED,
                                "keyUsage of the wrong size");
    uint16_t ku = 0;
    for (unsigned n = 0; n < 9 && n / 8 < bits.len; n++)
        if (bits.ptr[n / 8] & (0x80u >> (n % 8)))
            ku |= (uint16_t)(1u << n);
    if (ku == 0)
        return captls_x509_fail(v, at, CAPTLS_ERR_MALFORMED,
                                "keyUsage with no bit set");
    c->key_usage = ku;
    c->key_usage_present = true;
    return CAPTLS_OK;
}

static captls_result h_san(captls_der *v, bool critical, captls_certificate *c)
{
    captls_der seq;
    CAPTLS_TRY(enter_nonempty(v, CAPTLS_DER_SEQUENCE, &seq, "empty subjectAltName"));
    while (!captls_der_at_end(&seq)) {
        if (c->san_count >= CAPTLS_X509_MAX_SANS)
            return too_many(&seq, "more subjectAltNames than the maximum");
        CAPTLS_TRY(captls_x509_read_general_name(&seq, false,
                                                 &c->san[c->san_count]));
        c->san_count++;
    }
    c->san_present = true;
    c->san_critical = critical;
    return CAPTLS_OK;
}

static captls_result h_basic_constraints(captls_der *v, bool critical,
                                         captls_certificate *c)
{
    captls_der seq;
    uint32_t tag;
    size_t at;
    CAPTLS_TRY(captls_der_enter(v, CAPTLS_DER_SEQUENCE, &seq));
    c->bc_ca = false;
    if (!captls_der_at_end(&seq) &&
        captls_der_peek_tag(&seq, &tag) == CAPTLS_OK &&
        tag == CAPTLS_DER_BOOLEAN) {
        at = captls_der_offset(&seq);
        CAPTLS_TRY(captls_der_read_bool(&seq, &c->bc_ca));
        if (!c->bc_ca) /* X.690 §11.5: DEFAULT FALSE is never encoded */
            return captls_x509_fail(&seq, at, CAPTLS_ERR_MALFORMED,
                                    "explicit default cA FALSE");
    }
    if (!captls_der_at_end(&seq)) {
        int64_t n;
        at = captls_der_offset(&seq);
        CAPTLS_TRY(captls_der_read_int64(&seq, &n));
        if (n < 0)
            return captls_x509_fail(&seq, at, CAPTLS_ERR_MALFORMED,
                                    "negative pathLenConstraint");
        if ((uint64_t)n > UINT32_MAX)
            return captls_x509_fail(&seq, at, CAPTLS_ERR_LIMIT_EXCEEDED,
                                    "pathLenConstraint too large");
        c->bc_pathlen_present = true;
        c->bc_pathlen = (uint32_t)n;
    }
    CAPTLS_TRY(captls_der_finish(&seq));
    c->bc_present = true;
    c->bc_critical = critical;
    return CAPTLS_OK;
}

/* GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
 * GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0,
 *                               maximum [1] OPTIONAL }
 * RFC 5280 §4.2.1.10: "minimum MUST be zero, and maximum MUST be absent",
 * so with DER neither is ever encoded. */
static captls_result read_subtrees(captls_der *list, captls_general_name *out,
                                   size_t *count)
{
    if (captls_der_at_end(list))
        return captls_x509_fail(list, captls_der_offset(list),
                                CAPTLS_ERR_MALFORMED, "empty GeneralSubtrees");
    while (!captls_der_at_end(list)) {
        captls_der st;
        if (*count >= CAPTLS_X509_MAX_SUBTREES)
            return too_many(list, "more name-constraint subtrees than the maximum");
        CAPTLS_TRY(captls_der_enter(list, CAPTLS_DER_SEQUENCE, &st));
        CAPTLS_TRY(captls_x509_read_general_name(&st, true, &out[*count]));
        if (!captls_der_at_end(&st))
            return captls_x509_fail(&st, captls_der_offset(&st),
                                    CAPTLS_ERR_MALFORMED,
                                    "GeneralSubtree minimum/maximum present");
        (*count)++;
    }
    return CAPTLS_OK;
}

static captls_result h_name_constraints(captls_der *v, bool critical,
                                        captls_certificate *c)
{
    captls_der seq, list;
    bool p = false, e = false;
    size_t at = captls_der_offset(v);
    CAPTLS_TRY(captls_der_enter(v, CAPTLS_DER_SEQUENCE, &seq));
    CAPTLS_TRY(captls_der_enter_optional(&seq, CAPTLS_DER_CONTEXT(0), &list, &p));
    if (p)
        CAPTLS_TRY(read_subtrees(&list, c->nc_permitted, &c->nc_permitted_count));
    CAPTLS_TRY(captls_der_enter_optional(&seq, CAPTLS_DER_CONTEXT(1), &list, &e));
    if (e)
        CAPTLS_TRY(read_subtrees(&list, c->nc_excluded, &c->nc_excluded_count));
    CAPTLS_TRY(captls_der_finish(&seq));
    /* RFC 5280 §4.2.1.10: "MUST NOT issue ... where name constraints is an
     * empty sequence". */
    if (!p && !e)
        return captls_x509_fail(v, at, CAPTLS_ERR_MALFORMED,
                                "empty nameConstraints");
    c->nc_present = true;
    c->nc_critical = critical;
    return CAPTLS_OK;
}

static captls_result add_uri(captls_der *d, const captls_general_name *gn,
                             captls_slice *arr, size_t *count, size_t max,
                             const char *why)
{
    if (gn->type != CAPTLS_GN_URI)
        return CAPTLS_OK; /* other forms (directoryName, ...) not exposed */
    if (*count >= max)
        return too_many(d, why);
    arr[(*count)++] = gn->value;
    return CAPTLS_OK;
}

/* CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
 * DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName
 *   OPTIONAL, reasons [1] ReasonFlags OPTIONAL, cRLIssuer [2] GeneralNames
 *   OPTIONAL }; DistributionPointName ::= CHOICE { fullName [0] GeneralNames,
 *   nameRelativeToCRLIssuer [1] RDN } */
static captls_result h_crldp(captls_der *v, bool critical, captls_certificate *c)
{
    captls_der seq;
    (void)critical;
    CAPTLS_TRY(enter_nonempty(v, CAPTLS_DER_SEQUENCE, &seq,
                              "empty cRLDistributionPoints"));
    while (!captls_der_at_end(&seq)) {
        captls_der dp, dpn, names;
        captls_der_tlv t;
        bool here = false;
        CAPTLS_TRY(captls_der_enter(&seq, CAPTLS_DER_SEQUENCE, &dp));
        CAPTLS_TRY(captls_der_enter_optional(&dp, CAPTLS_DER_CONTEXT(0), &dpn,
                                             &here));
        if (here) {
            bool full = false;
            CAPTLS_TRY(captls_der_enter_optional(&dpn, CAPTLS_DER_CONTEXT(0),
                                                 &names, &full));
            if (full) {
                while (!captls_der_at_end(&names)) {
                    captls_general_name gn;
                    CAPTLS_TRY(captls_x509_read_general_name(&names, false, &gn));
                    CAPTLS_TRY(add_uri(&names, &gn, c->crldp, &c->crldp_count,
                                       CAPTLS_X509_MAX_CRLDP_URIS,
                                       "more CRL distribution URIs than the maximum"));
                }
            } else {
                CAPTLS_TRY(captls_der_expect(&dpn, CAPTLS_DER_CONTEXT(1), &t));
            }
            CAPTLS_TRY(captls_der_finish(&dpn));
        }
        CAPTLS_TRY(captls_der_optional(&dp, CAPTLS_DER_CONTEXT_PRIM(1), &t, &here));
        CAPTLS_TRY(captls_der_optional(&dp, CAPTLS_DER_CONTEXT(2), &t, &here));
        CAPTLS_TRY(captls_der_finish(&dp));
    }
    return CAPTLS_OK;
}

/* certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
 * PolicyInformation ::= SEQUENCE { policyIdentifier OID,
 *   policyQualifiers SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL }
 * Qualifiers (CPS URI, user notice) are skipped. */
static captls_result h_policies(captls_der *v, bool critical,
                                captls_certificate *c)
{
    captls_der seq;
    (void)critical;
    CAPTLS_TRY(enter_nonempty(v, CAPTLS_DER_SEQUENCE, &seq,
                              "empty certificatePolicies"));
    while (!captls_der_at_end(&seq)) {
        captls_der pi;
        captls_der_tlv q;
        bool here;
        if (c->policy_count >= CAPTLS_X509_MAX_POLICIES)
            return too_many(&seq, "more certificate policies than the maximum");
        CAPTLS_TRY(captls_der_enter(&seq, CAPTLS_DER_SEQUENCE, &pi));
        CAPTLS_TRY(captls_der_read_oid(&pi, &c->policies[c->policy_count]));
        CAPTLS_TRY(captls_der_optional(&pi, CAPTLS_DER_SEQUENCE, &q, &here));
        CAPTLS_TRY(captls_der_finish(&pi));
        c->policy_count++;
    }
    c->policies_present = true;
    return CAPTLS_OK;
}

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL,
 *   authorityCertIssuer [1] GeneralNames OPTIONAL,
 *   authorityCertSerialNumber [2] OPTIONAL } */
static captls_result h_aki(captls_der *v, bool critical, captls_certificate *c)
{
    captls_der seq;
    captls_der_tlv t;
    bool here = false;
    (void)critical;
    CAPTLS_TRY(captls_der_enter(v, CAPTLS_DER_SEQUENCE, &seq));
    CAPTLS_TRY(captls_der_optional(&seq, CAPTLS_DER_CONTEXT_PRIM(0), &t, &here));
    if (here)
        c->aki_key_id = t.value;
    CAPTLS_TRY(captls_der_optional(&seq, CAPTLS_DER_CONTEXT(1), &t, &here));
    if (here)
        c->aki_issuer = t.value;
    CAPTLS_TRY(captls_der_optional(&seq, CAPTLS_DER_CONTEXT_PRIM(2), &t, &here));
    if (here) {
        CAPTLS_TRY(captls_der_check_integer(t.value));
        c->aki_serial = t.value;
    }
    CAPTLS_TRY(captls_der_finish(&seq));
    c->aki_present = true;
    return CAPTLS_OK;
}

static captls_result h_eku(captls_der *v, bool critical, captls_certificate *c)
{
    captls_der seq;
    (void)critical;
    CAPTLS_TRY(enter_nonempty(v, CAPTLS_DER_SEQUENCE, &seq,
                              "empty extKeyUsage"));
    while (!captls_der_at_end(&seq)) {
        captls_slice oid;
        if (c->eku_count >= CAPTLS_X509_MAX_EKUS)
            return too_many(&seq, "more extended key usages than the maximum");
        CAPTLS_TRY(captls_der_read_oid(&seq, &oid));
        c->eku[c->eku_count++] = oid;
        if (CAPTLS_DER_OID_IS(oid, oid_any_eku)) {
            c->eku_known |= CAPTLS_EKU_ANY;
        } else if (oid.len == sizeof(oid_kp_prefix) + 1 &&
                   memcmp(oid.ptr, oid_kp_prefix, sizeof(oid_kp_prefix)) == 0) {
            switch (oid.ptr[sizeof(oid_kp_prefix)]) {
            case 1: c->eku_known |= CAPTLS_EKU_SERVER_AUTH; break;
            case 2: c->eku_known |= CAPTLS_EKU_CLIENT_AUTH; break;
            case 3: c->eku_known |= CAPTLS_EKU_CODE_SIGNING; break;
            case 4: c->eku_known |= CAPTLS_EKU_EMAIL_PROTECTION; break;
            case 8: c->eku_known |= CAPTLS_EKU_TIME_STAMPING; break;
            case 9: c->eku_known |= CAPTLS_EKU_OCSP_SIGNING; break;
            default: break;
            }
        }
    }
    c->eku_present = true;
    return CAPTLS_OK;
}

/* AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
 * AccessDescription ::= SEQUENCE { accessMethod OID, accessLocation GeneralName } */
static captls_result h_aia(captls_der *v, bool critical, captls_certificate *c)
{
    captls_der seq;
    (void)critical;
    CAPTLS_TRY(enter_nonempty(v, CAPTLS_DER_SEQUENCE, &seq,
                              "empty authorityInfoAccess"));
    while (!captls_der_at_end(&seq)) {
        captls_der ad;
        captls_slice method;
        captls_general_name gn;
        CAPTLS_TRY(captls_der_enter(&seq, CAPTLS_DER_SEQUENCE, &ad));
        CAPTLS_TRY(captls_der_read_oid(&ad, &method));
        CAPTLS_TRY(captls_x509_read_general_name(&ad, false, &gn));
        CAPTLS_TRY(captls_der_finish(&ad));
        if (CAPTLS_DER_OID_IS(method, oid_ad_ocsp))
            CAPTLS_TRY(add_uri(&seq, &gn, c->ocsp, &c->ocsp_count,
                               CAPTLS_X509_MAX_AIA_URIS,
                               "more OCSP URIs than the maximum"));
        else if (CAPTLS_DER_OID_IS(method, oid_ad_ca_issuers))
            CAPTLS_TRY(add_uri(&seq, &gn, c->ca_issuers, &c->ca_issuers_count,
                               CAPTLS_X509_MAX_AIA_URIS,
                               "more caIssuers URIs than the maximum"));
    }
    return CAPTLS_OK;
}

/* RFC 6962 §3.3: extnValue holds an OCTET STRING whose contents are the TLS
 * SignedCertificateTimestampList (parsed by the CT layer). */
static captls_result h_scts(captls_der *v, bool critical, captls_certificate *c)
{
    (void)critical;
    CAPTLS_TRY(captls_der_read_octet_string(v, &c->scts));
    c->scts_present = true;
    return CAPTLS_OK;
}

/* RFC 7633 §4.2: Features ::= SEQUENCE OF INTEGER; status_request is 5. */
static captls_result h_tls_feature(captls_der *v, bool critical,
                                   captls_certificate *c)
{
    captls_der seq;
    (void)critical;
    CAPTLS_TRY(captls_der_enter(v, CAPTLS_DER_SEQUENCE, &seq));
    while (!captls_der_at_end(&seq)) {
        int64_t f;
        CAPTLS_TRY(captls_der_read_int64(&seq, &f));
        if (f == 5)
            c->must_staple = true;
    }
    return CAPTLS_OK;
}

typedef struct ext_row {
    const uint8_t *oid;
    size_t oid_len;
    ext_handler handler;
} ext_row;

#define ROW(o, h) {o, sizeof(o), h}
static const ext_row ext_rows[] = {
    ROW(oid_ski, h_ski),
    ROW(captls_oid_ext_key_usage, h_key_usage),
    ROW(captls_oid_ext_san, h_san),
    ROW(captls_oid_ext_basic_constraints, h_basic_constraints),
    ROW(captls_oid_ext_name_constraints, h_name_constraints),
    ROW(oid_crldp, h_crldp),
    ROW(oid_policies, h_policies),
    ROW(oid_aki, h_aki),
    ROW(captls_oid_ext_eku, h_eku),
    ROW(oid_aia, h_aia),
    ROW(oid_sct_list, h_scts),
    ROW(oid_tls_feature, h_tls_feature),
};
#undef ROW

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
 * Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *                          extnValue OCTET STRING } */
captls_result captls_x509_read_extensions(captls_der *d, captls_certificate *c)
{
    captls_der seq;
    CAPTLS_TRY(enter_nonempty(d, CAPTLS_DER_SEQUENCE, &seq, "empty extensions"));
    while (!captls_der_at_end(&seq)) {
        captls_der e, v;
        captls_x509_extension x;
        uint32_t tag;
        size_t at = captls_der_offset(&seq);
        memset(&x, 0, sizeof(x));
        x.offset = at;
        if (c->ext_count >= CAPTLS_X509_MAX_EXTENSIONS)
            return too_many(&seq, "more extensions than the maximum");
        CAPTLS_TRY(captls_der_enter(&seq, CAPTLS_DER_SEQUENCE, &e));
        CAPTLS_TRY(captls_der_read_oid(&e, &x.oid));
        CAPTLS_TRY(captls_der_peek_tag(&e, &tag));
        if (tag == CAPTLS_DER_BOOLEAN) {
            size_t bat = captls_der_offset(&e);
            CAPTLS_TRY(captls_der_read_bool(&e, &x.critical));
            if (!x.critical) /* X.690 §11.5 */
                return captls_x509_fail(&e, bat, CAPTLS_ERR_MALFORMED,
                                        "explicit default critical FALSE");
        }
        CAPTLS_TRY(captls_der_read_octet_string(&e, &x.value));
        CAPTLS_TRY(captls_der_finish(&e));
        /* RFC 5280 §4.2: "A certificate MUST NOT include more than one
         * instance of a particular extension." */
        for (size_t i = 0; i < c->ext_count; i++)
            if (c->ext[i].oid.len == x.oid.len &&
                memcmp(c->ext[i].oid.ptr, x.oid.ptr, x.oid.len) == 0)
                return captls_x509_fail(&seq, at, CAPTLS_ERR_MALFORMED,
                                        "duplicate extension");
        for (size_t i = 0; i < sizeof(ext_rows) / sizeof(ext_rows[0]); i++) {
            if (!captls_der_oid_equal(x.oid, ext_rows[i].oid,
                                      ext_rows[i].oid_len))
                continue;
            CAPTLS_TRY(captls_x509_sub(&e, x.value, &v));
            CAPTLS_TRY(ext_rows[i].handler(&v, x.critical, c));
            CAPTLS_TRY(captls_der_finish(&v));
            x.handled = true;
            break;
        }
        if (!x.handled && x.critical) {
            if (c->unknown_critical_count >= CAPTLS_X509_MAX_UNKNOWN_CRITICAL)
                return too_many(&seq, "more unknown critical extensions than the maximum");
            c->unknown_critical[c->unknown_critical_count++] = x.oid;
        }
        c->ext[c->ext_count++] = x;
    }
    return CAPTLS_OK;
}
