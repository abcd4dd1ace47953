/* PKCS#10 CSR builder. See csr.h. */
#include "core/acme/csr.h"

#include <string.h>

#include "core/base/der.h"

static const uint8_t OID_ECDSA_SHA256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};
static const uint8_t OID_ED25519[] = {0x2B, 0x65, 0x70};
static const uint8_t OID_EXT_REQUEST[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x0E};
static const uint8_t OID_SAN[] = {0x55, 0x1D, 0x11};
static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};

/* Header + tail bound: SEQUENCE header (<= 4 bytes), AlgorithmIdentifier
 * (<= 12) and BIT STRING of a DER ECDSA signature (<= 2 + 1 + 72). */
#define CSR_OVERHEAD (4 + 12 + 75)

bool captls_csr_dns_name_ok(const char *name, size_t len)
{
    if (name == NULL || len == 0 || len > CAPTLS_CSR_MAX_NAME_LEN)
        return false;
    size_t i = 0;
    /* RFC 8555 §7.1.3: a wildcard is "*." followed by a domain name. */
    if (len >= 2 && name[0] == '*' && name[1] == '.')
        i = 2;
    if (i == len)
        return false;
    size_t label = 0;
    for (; i < len; i++) {
        char c = name[i];
        if (c == '.') {
            if (label == 0 || name[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '-';
        if (!ldh || (label == 0 && c == '-') || ++label > 63)
            return false;
    }
    return label != 0 && name[len - 1] != '-';
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

static bool same_name(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

static captls_result check_names(const char *const *names, size_t count)
{
    if (names == NULL || count == 0)
        return count == 0 ? CAPTLS_ERR_MALFORMED : CAPTLS_ERR_INVALID_ARGUMENT;
    if (count > CAPTLS_CSR_MAX_NAMES)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (size_t i = 0; i < count; i++) {
        if (names[i] == NULL)
            return CAPTLS_ERR_INVALID_ARGUMENT;
        size_t n = strlen(names[i]);
        if (n > CAPTLS_CSR_MAX_NAME_LEN ||
            !captls_csr_dns_name_ok(names[i], n))
            return CAPTLS_ERR_MALFORMED;
        for (size_t k = 0; k < i; k++)
            if (same_name(names[k], names[i]))
                return CAPTLS_ERR_MALFORMED;
    }
    return CAPTLS_OK;
}

/* The CertificationRequestInfo (RFC 2986 §4.1), written backwards. */
static void write_cri(captls_der_writer *w, const char *const *names,
                      size_t count, const captls_jwk *pub)
{
    /* attributes [0] IMPLICIT SET OF Attribute: one extensionRequest. */
    size_t m_attrs = captls_der_writer_mark(w);
    size_t m_attr = captls_der_writer_mark(w);
    size_t m_set = captls_der_writer_mark(w);
    size_t m_exts = captls_der_writer_mark(w);
    size_t m_ext = captls_der_writer_mark(w);
    size_t m_os = captls_der_writer_mark(w);
    size_t m_gn = captls_der_writer_mark(w);
    for (size_t i = count; i-- > 0;) /* GeneralName dNSName [2] IA5String */
        captls_der_write_tlv(w, CAPTLS_DER_CONTEXT_PRIM(2),
                             (const uint8_t *)names[i], strlen(names[i]));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_gn);    /* GeneralNames */
    captls_der_write_wrap(w, CAPTLS_DER_OCTET_STRING, m_os); /* extnValue */
    captls_der_write_oid(w, OID_SAN, sizeof(OID_SAN));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);   /* Extension */
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_exts);  /* Extensions */
    captls_der_write_wrap(w, CAPTLS_DER_SET, m_set);        /* values */
    captls_der_write_oid(w, OID_EXT_REQUEST, sizeof(OID_EXT_REQUEST));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_attr);
    captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(0), m_attrs);

    /* subjectPKInfo */
    captls_jwk_write_spki(w, pub);

    /* subject Name */
    size_t m_name = captls_der_writer_mark(w);
    size_t first = strlen(names[0]);
    if (first <= 64) {
        size_t m_rdn = captls_der_writer_mark(w);
        size_t m_atv = captls_der_writer_mark(w);
        captls_der_write_tlv(w, CAPTLS_DER_UTF8_STRING,
                             (const uint8_t *)names[0], first);
        captls_der_write_oid(w, OID_CN, sizeof(OID_CN));
        captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_atv);
        captls_der_write_wrap(w, CAPTLS_DER_SET, m_rdn);
    }
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_name);

    captls_der_write_int64(w, 0); /* version v1(0) */
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, 0);
}

size_t captls_csr_size(const char *const *names, size_t count,
                       const captls_jwk *pub)
{
    captls_der_writer w;
    size_t n = 0;
    if (pub == NULL || captls_acme_sig_alg_of(pub) == CAPTLS_ACME_SIG_NONE ||
        check_names(names, count) != CAPTLS_OK)
        return 0;
    captls_der_writer_init(&w, NULL, 0);
    write_cri(&w, names, count, pub);
    captls_result r = captls_der_writer_finish(&w, &n);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return 0;
    return n + CSR_OVERHEAD;
}

captls_result captls_csr_build(const captls_acme_signer *signer,
                               const char *const *names, size_t count,
                               uint8_t *out, size_t cap, size_t *len)
{
    captls_der_writer w;
    size_t cri_len = 0, n = 0;
    if (signer == NULL || len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_acme_sig_alg alg = captls_acme_sig_alg_of(&signer->pub);
    if (alg == CAPTLS_ACME_SIG_NONE)
        return CAPTLS_ERR_UNSUPPORTED;
    CAPTLS_TRY(check_names(names, count));
    size_t need = captls_csr_size(names, count, &signer->pub);
    if (need == 0)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (cap < need) {
        *len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    captls_der_writer_init(&w, out, cap);
    write_cri(&w, names, count, &signer->pub);
    CAPTLS_TRY(captls_der_writer_finish(&w, &cri_len));

    /* RFC 2986 §3 step 2: sign the DER CertificationRequestInfo. */
    uint8_t raw[64], sig[CAPTLS_ACME_SIG_MAX];
    size_t sig_len = 64;
    CAPTLS_TRY(captls_acme_sign_raw(signer, out, cri_len, raw));
    if (alg == CAPTLS_ACME_SIG_ES256)
        CAPTLS_TRY(captls_acme_ecdsa_raw_to_der(raw, sig, &sig_len));
    else
        memcpy(sig, raw, 64);

    /* signatureAlgorithm and signature, then the outer header. */
    uint8_t tail[CSR_OVERHEAD], head[8];
    size_t tail_len = 0, head_len = 0;
    captls_der_writer_init(&w, tail, sizeof(tail));
    captls_der_write_bit_string(&w, sig, sig_len, 0);
    size_t m_alg = captls_der_writer_mark(&w);
    /* RFC 5758 §3.2 (ecdsa-with-SHA256) and RFC 8410 §3: no parameters. */
    if (alg == CAPTLS_ACME_SIG_ES256)
        captls_der_write_oid(&w, OID_ECDSA_SHA256, sizeof(OID_ECDSA_SHA256));
    else
        captls_der_write_oid(&w, OID_ED25519, sizeof(OID_ED25519));
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m_alg);
    CAPTLS_TRY(captls_der_writer_finish(&w, &tail_len));
    captls_der_writer_init(&w, head, sizeof(head));
    captls_der_write_header(&w, CAPTLS_DER_SEQUENCE, cri_len + tail_len);
    CAPTLS_TRY(captls_der_writer_finish(&w, &head_len));
    n = head_len + cri_len + tail_len;
    if (n > cap)
        return CAPTLS_ERR_INTERNAL; /* need bounds every part */
    memmove(out + head_len, out, cri_len);
    memcpy(out, head, head_len);
    memcpy(out + head_len + cri_len, tail, tail_len);
    *len = n;
    return CAPTLS_OK;
}
