/* Readable names and OIDs. See name_text.h. */
#include "core/x509/name_text.h"

#include <string.h>

typedef struct oid_name {
    const char *dotted;
    const char *name;
} oid_name;

static const oid_name oid_names[] = {
    /* attribute types (RFC 4519, RFC 5280 App. A, CA/B EV) */
    {"2.5.4.3", "CN"},
    {"2.5.4.4", "SN"},
    {"2.5.4.5", "serialNumber"},
    {"2.5.4.6", "C"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.9", "street"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"2.5.4.12", "title"},
    {"2.5.4.15", "businessCategory"},
    {"2.5.4.17", "postalCode"},
    {"2.5.4.42", "GN"},
    {"2.5.4.43", "initials"},
    {"2.5.4.44", "generationQualifier"},
    {"2.5.4.46", "dnQualifier"},
    {"2.5.4.65", "pseudonym"},
    {"2.5.4.97", "organizationIdentifier"},
    {"1.2.840.113549.1.9.1", "emailAddress"},
    {"0.9.2342.19200300.100.1.1", "UID"},
    {"0.9.2342.19200300.100.1.25", "DC"},
    {"1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"},
    {"1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"},
    {"1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"},
    /* extensions */
    {"2.5.29.14", "subjectKeyIdentifier"},
    {"2.5.29.15", "keyUsage"},
    {"2.5.29.17", "subjectAltName"},
    {"2.5.29.18", "issuerAltName"},
    {"2.5.29.19", "basicConstraints"},
    {"2.5.29.30", "nameConstraints"},
    {"2.5.29.31", "cRLDistributionPoints"},
    {"2.5.29.32", "certificatePolicies"},
    {"2.5.29.32.0", "anyPolicy"},
    {"2.5.29.33", "policyMappings"},
    {"2.5.29.35", "authorityKeyIdentifier"},
    {"2.5.29.36", "policyConstraints"},
    {"2.5.29.37", "extKeyUsage"},
    {"2.5.29.37.0", "anyExtendedKeyUsage"},
    {"2.5.29.46", "freshestCRL"},
    {"2.5.29.54", "inhibitAnyPolicy"},
    {"1.3.6.1.5.5.7.1.1", "authorityInfoAccess"},
    {"1.3.6.1.5.5.7.1.11", "subjectInfoAccess"},
    {"1.3.6.1.5.5.7.1.24", "tlsFeature"},
    {"1.3.6.1.4.1.11129.2.4.2", "ctPrecertificateScts"},
    {"1.3.6.1.4.1.11129.2.4.3", "ctPrecertificatePoison"},
    {"1.3.6.1.5.5.7.48.1", "OCSP"},
    {"1.3.6.1.5.5.7.48.2", "caIssuers"},
    /* EKUs */
    {"1.3.6.1.5.5.7.3.1", "serverAuth"},
    {"1.3.6.1.5.5.7.3.2", "clientAuth"},
    {"1.3.6.1.5.5.7.3.3", "codeSigning"},
    {"1.3.6.1.5.5.7.3.4", "emailProtection"},
    {"1.3.6.1.5.5.7.3.8", "timeStamping"},
    {"1.3.6.1.5.5.7.3.9", "OCSPSigning"},
    /* CA/B Forum policy identifiers */
    {"2.23.140.1.1", "ev-guidelines"},
    {"2.23.140.1.2.1", "domain-validated"},
    {"2.23.140.1.2.2", "organization-validated"},
    {"2.23.140.1.2.3", "individual-validated"},
    /* algorithms and curves */
    {"1.2.840.113549.1.1.1", "rsaEncryption"},
    {"1.2.840.113549.1.1.4", "md5WithRSAEncryption"},
    {"1.2.840.113549.1.1.5", "sha1WithRSAEncryption"},
    {"1.2.840.113549.1.1.10", "rsassaPss"},
    {"1.2.840.113549.1.1.11", "sha256WithRSAEncryption"},
    {"1.2.840.113549.1.1.12", "sha384WithRSAEncryption"},
    {"1.2.840.113549.1.1.13", "sha512WithRSAEncryption"},
    {"1.2.840.10045.2.1", "id-ecPublicKey"},
    {"1.2.840.10045.3.1.7", "prime256v1"},
    {"1.3.132.0.34", "secp384r1"},
    {"1.3.132.0.35", "secp521r1"},
    {"1.2.840.10045.4.1", "ecdsa-with-SHA1"},
    {"1.2.840.10045.4.3.2", "ecdsa-with-SHA256"},
    {"1.2.840.10045.4.3.3", "ecdsa-with-SHA384"},
    {"1.2.840.10045.4.3.4", "ecdsa-with-SHA512"},
    {"1.3.101.110", "X25519"},
    {"1.3.101.112", "ED25519"},
    {"1.3.101.113", "ED448"},
    {"1.2.840.10040.4.1", "dsaEncryption"},
};

/* Dotted text of a validated OID into buf; returns the length, or 0 if the
 * OID is not well formed or does not fit (arcs above 2^63 are refused). */
static size_t dotted(captls_slice oid, char *buf, size_t cap)
{
    captls_text t;
    uint64_t arc = 0;
    bool first = true;
    if (captls_der_check_oid(oid) != CAPTLS_OK)
        return 0;
    captls_text_init(&t, buf, cap);
    for (size_t i = 0; i < oid.len; i++) {
        if (arc >> 56)
            return 0;
        arc = (arc << 7) | (oid.ptr[i] & 0x7Fu);
        if (oid.ptr[i] & 0x80u)
            continue;
        if (first) {
            /* X.690 §8.19.4: the first subidentifier is 40*X + Y. */
            uint64_t x = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            captls_text_u64(&t, x);
            captls_text_str(&t, ".");
            captls_text_u64(&t, arc - 40 * x);
            first = false;
        } else {
            captls_text_str(&t, ".");
            captls_text_u64(&t, arc);
        }
        arc = 0;
    }
    if (captls_text_finish(&t) != CAPTLS_OK)
        return 0;
    return captls_text_len(&t);
}

/* Long enough for every OID in the table and typical private ones. */
#define DOTTED_MAX 160

const char *captls_oid_short_name(captls_slice oid)
{
    char buf[DOTTED_MAX];
    size_t n = dotted(oid, buf, sizeof(buf));
    if (n == 0)
        return NULL;
    for (size_t i = 0; i < sizeof(oid_names) / sizeof(oid_names[0]); i++)
        if (strlen(oid_names[i].dotted) == n &&
            memcmp(oid_names[i].dotted, buf, n) == 0)
            return oid_names[i].name;
    return NULL;
}

void captls_oid_append_dotted(captls_text *t, captls_slice oid)
{
    /* An OID may be long (up to the certificate's size): print arcs
     * straight into the builder rather than through a fixed buffer. */
    uint64_t arc = 0;
    bool first = true;
    if (captls_der_check_oid(oid) != CAPTLS_OK) {
        captls_text_str(t, "<bad OID>");
        return;
    }
    for (size_t i = 0; i < oid.len; i++) {
        if (arc >> 56) {
            captls_text_str(t, "<huge arc>");
            return;
        }
        arc = (arc << 7) | (oid.ptr[i] & 0x7Fu);
        if (oid.ptr[i] & 0x80u)
            continue;
        if (first) {
            uint64_t x = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            captls_text_u64(t, x);
            captls_text_str(t, ".");
            captls_text_u64(t, arc - 40 * x);
            first = false;
        } else {
            captls_text_str(t, ".");
            captls_text_u64(t, arc);
        }
        arc = 0;
    }
}

void captls_oid_append(captls_text *t, captls_slice oid)
{
    const char *n = captls_oid_short_name(oid);
    if (n != NULL)
        captls_text_str(t, n);
    else
        captls_oid_append_dotted(t, oid);
}

captls_result captls_oid_to_text(captls_slice oid, char *out, size_t cap,
                                 size_t *len)
{
    captls_text t;
    if (out == NULL && cap != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_text_init(&t, out, cap);
    captls_oid_append(&t, oid);
    if (len != NULL)
        *len = captls_text_len(&t);
    return captls_text_finish(&t);
}

static const char hexd[] = "0123456789abcdef";

/* One code point / byte, escaped (see header). */
static void put_char(captls_text *t, uint32_t c, bool wide)
{
    char b[12];
    size_t n = 0;
    if (c >= 0x20 && c <= 0x7E) {
        if (c == '\\' || c == '"' || c == ',' || c == '+' || c == '=')
            b[n++] = '\\';
        b[n++] = (char)c;
    } else if (!wide || c < 0x100) {
        b[n++] = '\\';
        b[n++] = 'x';
        b[n++] = hexd[(c >> 4) & 15];
        b[n++] = hexd[c & 15];
    } else {
        b[n++] = '\\';
        b[n++] = 'u';
        b[n++] = '{';
        bool started = false;
        for (int s = 28; s >= 0; s -= 4) {
            uint32_t d = (c >> s) & 15u;
            if (d == 0 && !started && s > 12)
                continue;
            started = true;
            b[n++] = hexd[d];
        }
        b[n++] = '}';
    }
    captls_text_mem(t, b, n);
}

void captls_x509_bytes_append(captls_text *t, captls_slice v)
{
    for (size_t i = 0; i < v.len; i++)
        put_char(t, v.ptr[i], false);
}

void captls_x509_value_append(captls_text *t, uint32_t tag, captls_slice v)
{
    size_t unit = 0;
    if (tag == CAPTLS_DER_BMP_STRING)
        unit = 2;
    else if (tag == CAPTLS_DER_UNIVERSAL_STRING)
        unit = 4;
    if (unit != 0 && v.len % unit == 0) {
        for (size_t i = 0; i < v.len; i += unit) {
            uint32_t c = 0;
            for (size_t k = 0; k < unit; k++)
                c = (c << 8) | v.ptr[i + k];
            put_char(t, c, true);
        }
        return;
    }
    if (tag == CAPTLS_DER_UTF8_STRING || tag == CAPTLS_DER_PRINTABLE_STRING ||
        tag == CAPTLS_DER_IA5_STRING || tag == CAPTLS_DER_T61_STRING ||
        tag == CAPTLS_DER_VISIBLE_STRING || tag == CAPTLS_DER_NUMERIC_STRING) {
        captls_x509_bytes_append(t, v);
        return;
    }
    captls_text_str(t, "#");
    captls_text_hex(t, v.ptr, v.len);
}

void captls_x509_name_append(captls_text *t, const captls_x509_name *name)
{
    captls_x509_name_iter it;
    captls_x509_attr a;
    bool first = true;
    captls_x509_name_iter_init(&it, name);
    while (captls_x509_name_next(&it, &a) == CAPTLS_OK) {
        if (!first)
            captls_text_str(t, a.continues_rdn ? " + " : ", ");
        first = false;
        captls_oid_append(t, a.type);
        captls_text_str(t, "=");
        captls_x509_value_append(t, a.value_tag, a.value);
    }
}

captls_result captls_x509_name_to_text(const captls_x509_name *name,
                                       char *out, size_t cap, size_t *len)
{
    captls_text t;
    if (name == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_text_init(&t, out, cap);
    captls_x509_name_append(&t, name);
    if (len != NULL)
        *len = captls_text_len(&t);
    return captls_text_finish(&t);
}

void captls_x509_name_cn_append(captls_text *t, const captls_x509_name *name)
{
    captls_x509_name_iter it;
    captls_x509_attr a, cn;
    bool found = false;
    captls_x509_name_iter_init(&it, name);
    while (captls_x509_name_next(&it, &a) == CAPTLS_OK) {
        if (CAPTLS_DER_OID_IS(a.type, captls_oid_at_common_name)) {
            cn = a;
            found = true;
        }
    }
    if (found)
        captls_x509_value_append(t, cn.value_tag, cn.value);
}
