/* Certificate and TBSCertificate (RFC 5280 §4.1). See certificate.h. */
#include "core/x509/certificate.h"

#include <string.h>

#include "core/x509/x509_internal.h"

_Static_assert(sizeof(captls_certificate) <= CAPTLS_CERTIFICATE_SIZE,
               "CAPTLS_CERTIFICATE_SIZE too small");

/* Signature algorithm OIDs (contents octets). */
static const uint8_t oid_md5_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                      0x0d, 0x01, 0x01, 0x04};
static const uint8_t oid_sha1_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                       0x0d, 0x01, 0x01, 0x05};
static const uint8_t oid_sha256_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                         0x0d, 0x01, 0x01, 0x0b};
static const uint8_t oid_sha384_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                         0x0d, 0x01, 0x01, 0x0c};
static const uint8_t oid_sha512_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                         0x0d, 0x01, 0x01, 0x0d};
static const uint8_t oid_ecdsa_sha1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
                                         0x01};
static const uint8_t oid_ecdsa_sha256[] = {0x2a, 0x86, 0x48, 0xce,
                                           0x3d, 0x04, 0x03, 0x02};
static const uint8_t oid_ecdsa_sha384[] = {0x2a, 0x86, 0x48, 0xce,
                                           0x3d, 0x04, 0x03, 0x03};
static const uint8_t oid_ecdsa_sha512[] = {0x2a, 0x86, 0x48, 0xce,
                                           0x3d, 0x04, 0x03, 0x04};

/* One row per recognised signature algorithm. */
typedef struct sig_row {
    const uint8_t *oid;
    size_t oid_len;
    captls_x509_sig_alg alg;
    captls_sig_padding padding;
    captls_hash_alg hash;
    bool weak;
    bool null_params; /* RSA: NULL or absent; others: absent only */
    const char *name;
} sig_row;

#define ROW(o, a, p, h, w, n, s) {o, sizeof(o), a, p, h, w, n, s}
static const sig_row sig_rows[] = {
    ROW(oid_md5_rsa, CAPTLS_X509_SIG_RSA_PKCS1_MD5, CAPTLS_SIG_PAD_PKCS1,
        CAPTLS_HASH_NONE, true, true, "md5WithRSAEncryption"),
    ROW(oid_sha1_rsa, CAPTLS_X509_SIG_RSA_PKCS1_SHA1, CAPTLS_SIG_PAD_PKCS1,
        CAPTLS_HASH_NONE, true, true, "sha1WithRSAEncryption"),
    ROW(oid_sha256_rsa, CAPTLS_X509_SIG_RSA_PKCS1_SHA256, CAPTLS_SIG_PAD_PKCS1,
        CAPTLS_HASH_SHA256, false, true, "sha256WithRSAEncryption"),
    ROW(oid_sha384_rsa, CAPTLS_X509_SIG_RSA_PKCS1_SHA384, CAPTLS_SIG_PAD_PKCS1,
        CAPTLS_HASH_SHA384, false, true, "sha384WithRSAEncryption"),
    ROW(oid_sha512_rsa, CAPTLS_X509_SIG_RSA_PKCS1_SHA512, CAPTLS_SIG_PAD_PKCS1,
        CAPTLS_HASH_SHA512, false, true, "sha512WithRSAEncryption"),
    ROW(oid_ecdsa_sha1, CAPTLS_X509_SIG_ECDSA_SHA1, CAPTLS_SIG_PAD_NONE,
        CAPTLS_HASH_NONE, true, false, "ecdsa-with-SHA1"),
    ROW(oid_ecdsa_sha256, CAPTLS_X509_SIG_ECDSA_SHA256, CAPTLS_SIG_PAD_NONE,
        CAPTLS_HASH_SHA256, false, false, "ecdsa-with-SHA256"),
    ROW(oid_ecdsa_sha384, CAPTLS_X509_SIG_ECDSA_SHA384, CAPTLS_SIG_PAD_NONE,
        CAPTLS_HASH_SHA384, false, false, "ecdsa-with-SHA384"),
    ROW(oid_ecdsa_sha512, CAPTLS_X509_SIG_ECDSA_SHA512, CAPTLS_SIG_PAD_NONE,
        CAPTLS_HASH_SHA512, false, false, "ecdsa-with-SHA512"),
    ROW(captls_oid_ed25519, CAPTLS_X509_SIG_ED25519, CAPTLS_SIG_PAD_NONE,
        CAPTLS_HASH_NONE, false, false, "ED25519"),
};
#undef ROW

const char *captls_x509_sig_alg_name(captls_x509_sig_alg alg)
{
    if (alg == CAPTLS_X509_SIG_RSA_PSS)
        return "rsassaPss";
    for (size_t i = 0; i < sizeof(sig_rows) / sizeof(sig_rows[0]); i++)
        if (sig_rows[i].alg == alg)
            return sig_rows[i].name;
    return "unknown";
}

/* Classifies an AlgorithmIdentifier. Never fails: an unknown OID or
 * unexpected parameters give CAPTLS_X509_SIG_UNKNOWN (the verifier refuses
 * it); the outer DER structure was already checked by the caller. */
static void classify_sig(const captls_der *parent, const captls_der_tlv *tlv,
                         captls_x509_sig_info *out)
{
    captls_der d;
    captls_slice oid;
    memset(out, 0, sizeof(*out));
    out->der = tlv->raw;
    if (captls_der_open(parent, tlv, &d) != CAPTLS_OK)
        return;
    d.err = NULL; /* tolerant: failures here are not parse errors */
    if (captls_der_read_oid(&d, &oid) != CAPTLS_OK)
        return;
    out->oid = oid;
    if (CAPTLS_DER_OID_IS(oid, captls_oid_rsassa_pss)) {
        /* RFC 4055 §3.1: absent parameters mean SHA-1 / MGF1-SHA-1 / 20. */
        captls_rsa_pss_params p;
        captls_result r;
        out->alg = CAPTLS_X509_SIG_RSA_PSS;
        out->padding = CAPTLS_SIG_PAD_PSS;
        if (captls_der_at_end(&d)) {
            out->weak = true;
            return;
        }
        r = captls_rsa_pss_params_read(&d, &p);
        if (r == CAPTLS_OK && captls_der_finish(&d) == CAPTLS_OK) {
            out->hash = p.hash;
            out->mgf1_hash = p.mgf1_hash;
            out->salt_len = p.salt_len;
        } else if (r == CAPTLS_ERR_UNSUPPORTED) {
            out->weak = true; /* SHA-1 (or another non-SHA-2) digest */
        } else {
            out->alg = CAPTLS_X509_SIG_UNKNOWN;
            out->padding = CAPTLS_SIG_PAD_NONE;
        }
        return;
    }
    for (size_t i = 0; i < sizeof(sig_rows) / sizeof(sig_rows[0]); i++) {
        const sig_row *row = &sig_rows[i];
        if (!captls_der_oid_equal(oid, row->oid, row->oid_len))
            continue;
        /* RFC 4055 §5: RSA PKCS#1 parameters MUST be NULL, implementations
         * MUST accept them absent. RFC 5758 §3.2 (ECDSA) and RFC 8410 §3
         * (Ed25519): parameters MUST be absent. */
        if (!captls_der_at_end(&d)) {
            if (!row->null_params || captls_der_read_null(&d) != CAPTLS_OK ||
                !captls_der_at_end(&d))
                return;
        }
        out->alg = row->alg;
        out->padding = row->padding;
        out->hash = row->hash;
        out->weak = row->weak;
        return;
    }
}

/* 2050-01-01T00:00:00Z. RFC 5280 §4.1.2.5: validity dates through 2049
 * MUST be UTCTime; from 2050 on, GeneralizedTime. */
#define EPOCH_2050 2524608000LL

static captls_result read_cert_time(captls_der *d, int64_t *out,
                                    bool *nonconforming)
{
    uint32_t tag;
    size_t at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_peek_tag(d, &tag));
    if (tag != CAPTLS_DER_UTC_TIME && tag != CAPTLS_DER_GENERALIZED_TIME)
        return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED,
                                "validity time is not UTCTime/GeneralizedTime");
    int64_t t;
    CAPTLS_TRY(captls_der_read_time(d, &t));
    if (tag == CAPTLS_DER_GENERALIZED_TIME && t < EPOCH_2050)
        *nonconforming = true; /* see time_nonconforming in the header */
    *out = t;
    return CAPTLS_OK;
}

static captls_result read_spki(captls_der *d, captls_certificate *cert)
{
    captls_der_tlv t;
    captls_der s, alg;
    size_t at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_expect(d, CAPTLS_DER_SEQUENCE, &t));
    cert->spki_raw = t.raw;
    CAPTLS_TRY(captls_der_open(d, &t, &s));
    CAPTLS_TRY(captls_der_enter(&s, CAPTLS_DER_SEQUENCE, &alg));
    CAPTLS_TRY(captls_der_read_oid(&alg, &cert->spki_alg_oid));
    /* The key proper: a key captls cannot use is recorded, not fatal. */
    captls_der k = *d;
    k.pos = at;
    k.err = NULL;
    captls_public_key key;
    cert->key_status = captls_spki_read(&k, &key);
    if (cert->key_status == CAPTLS_OK)
        cert->key = key;
    else if (cert->key_status == CAPTLS_ERR_MALFORMED)
        return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED,
                                "malformed SubjectPublicKeyInfo");
    /* Strict SPKI whatever the algorithm (issue 16): a key captls cannot
     * use (DSA, P-521, Ed448, an unknown OID, ...) is recorded, never
     * fatal, but its SubjectPublicKeyInfo must still be well-formed DER as
     * RFC 5280 §4.1.2.7 defines it: AlgorithmIdentifier { OID (already
     * read), at most one parameters element, itself well-formed DER },
     * then a subjectPublicKey BIT STRING with 0 unused bits (every public
     * key format is whole octets), then nothing. */
    /* These reads must not record their own error: the one recorded is
     * the MALFORMED returned below, at its offset. */
    alg.err = NULL;
    s.err = NULL;
    if (!captls_der_at_end(&alg)) {
        captls_der_tlv params;
        size_t poff = captls_der_offset(&alg);
        if (captls_der_read(&alg, &params) != CAPTLS_OK ||
            captls_der_validate(params.raw.ptr, params.raw.len, NULL, NULL) !=
                CAPTLS_OK ||
            !captls_der_at_end(&alg))
            return captls_x509_fail(d, poff, CAPTLS_ERR_MALFORMED,
                                    "malformed SubjectPublicKeyInfo "
                                    "algorithm parameters");
    }
    {
        captls_slice bits;
        size_t boff = captls_der_offset(&s);
        if (captls_der_read_bit_octets(&s, &bits) != CAPTLS_OK ||
            !captls_der_at_end(&s))
            return captls_x509_fail(d, boff, CAPTLS_ERR_MALFORMED,
                                    "malformed SubjectPublicKeyInfo "
                                    "subjectPublicKey (a BIT STRING with 0 "
                                    "unused bits, then nothing)");
    }
    return CAPTLS_OK;
}

static captls_result parse_tbs(captls_der *d, const captls_der_tlv *outer_alg,
                               captls_certificate *cert)
{
    captls_der v;
    bool present = false;
    size_t at = captls_der_offset(d);

    /* version [0] EXPLICIT Version DEFAULT v1 */
    CAPTLS_TRY(captls_der_enter_optional(d, CAPTLS_DER_CONTEXT(0), &v,
                                         &present));
    cert->version = 1;
    if (present) {
        int64_t ver;
        CAPTLS_TRY(captls_der_read_int64(&v, &ver));
        CAPTLS_TRY(captls_der_finish(&v));
        if (ver == 0) /* X.690 §11.5: DER omits DEFAULT values */
            return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED,
                                    "explicit default version v1");
        if (ver == 1)
            return captls_x509_fail(d, at, CAPTLS_ERR_UNSUPPORTED,
                                    "X.509 v2 certificate");
        if (ver != 2)
            return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED,
                                    "unknown certificate version");
        cert->version = 3;
    }

    /* serialNumber CertificateSerialNumber (RFC 5280 §4.1.2.2) */
    CAPTLS_TRY(captls_der_read_integer(d, &cert->serial));
    cert->serial_negative = captls_der_integer_is_negative(cert->serial);
    cert->serial_zero = cert->serial.len == 1 && cert->serial.ptr[0] == 0;
    {
        size_t n = cert->serial.len;
        if (n > 1 && cert->serial.ptr[0] == 0)
            n--; /* the sign byte is not part of the value's 20 octets */
        cert->serial_too_long = n > CAPTLS_X509_MAX_CONFORMING_SERIAL;
    }

    /* signature AlgorithmIdentifier: RFC 5280 §4.1.1.2 "MUST contain the
     * same algorithm identifier as the signature field" — byte-equal. */
    captls_der_tlv inner;
    at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_expect(d, CAPTLS_DER_SEQUENCE, &inner));
    if (inner.raw.len != outer_alg->raw.len ||
        memcmp(inner.raw.ptr, outer_alg->raw.ptr, inner.raw.len) != 0)
        return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED,
                                "inner and outer signature algorithms differ");
    classify_sig(d, &inner, &cert->sig);

    CAPTLS_TRY(captls_x509_read_name(d, &cert->issuer));

    CAPTLS_TRY(captls_der_enter(d, CAPTLS_DER_SEQUENCE, &v));
    CAPTLS_TRY(read_cert_time(&v, &cert->not_before, &cert->time_nonconforming));
    CAPTLS_TRY(read_cert_time(&v, &cert->not_after, &cert->time_nonconforming));
    CAPTLS_TRY(captls_der_finish(&v));

    CAPTLS_TRY(captls_x509_read_name(d, &cert->subject));
    CAPTLS_TRY(read_spki(d, cert));

    /* issuerUniqueID [1] IMPLICIT, subjectUniqueID [2] IMPLICIT: v2/v3
     * only (RFC 5280 §4.1.2.8); skipped. */
    for (unsigned n = 1; n <= 2; n++) {
        captls_der_tlv u;
        at = captls_der_offset(d);
        CAPTLS_TRY(captls_der_optional(d, CAPTLS_DER_CONTEXT_PRIM(n), &u,
                                       &present));
        if (present && cert->version != 3)
            return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED,
                                    "unique identifier in a v1 certificate");
    }

    /* extensions [3] EXPLICIT Extensions (v3 only) */
    at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_enter_optional(d, CAPTLS_DER_CONTEXT(3), &v,
                                         &present));
    if (present) {
        if (cert->version != 3)
            return captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED,
                                    "extensions in a v1 certificate");
        CAPTLS_TRY(captls_x509_read_extensions(&v, cert));
        CAPTLS_TRY(captls_der_finish(&v));
    }
    return captls_der_finish(d);
}

static captls_result parse(captls_certificate *cert, const uint8_t *der,
                           size_t len, captls_der_error *err)
{
    captls_der top, c, tbs;
    captls_der_tlv whole, tbs_tlv, alg;
    captls_der_init(&top, der, len, err);
    CAPTLS_TRY(captls_der_expect(&top, CAPTLS_DER_SEQUENCE, &whole));
    CAPTLS_TRY(captls_der_finish(&top));
    cert->der = whole.raw;
    CAPTLS_TRY(captls_der_open(&top, &whole, &c));
    CAPTLS_TRY(captls_der_expect(&c, CAPTLS_DER_SEQUENCE, &tbs_tlv));
    cert->tbs = tbs_tlv.raw;
    CAPTLS_TRY(captls_der_expect(&c, CAPTLS_DER_SEQUENCE, &alg));
    CAPTLS_TRY(captls_der_read_bit_octets(&c, &cert->signature));
    CAPTLS_TRY(captls_der_finish(&c));
    CAPTLS_TRY(captls_der_open(&c, &tbs_tlv, &tbs));
    return parse_tbs(&tbs, &alg, cert);
}

captls_result captls_certificate_parse(captls_certificate *cert,
                                       const uint8_t *der, size_t len,
                                       captls_der_error *err)
{
    if (cert == NULL || (der == NULL && len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(cert, 0, sizeof(*cert));
    captls_result r = parse(cert, der, len, err);
    if (r != CAPTLS_OK) {
        memset(cert, 0, sizeof(*cert));
        if (err != NULL && err->code == CAPTLS_OK) {
            err->code = r;
            err->reason = "invalid certificate";
        }
    }
    return r;
}

captls_result captls_certificate_fingerprint(const captls_certificate *cert,
                                             captls_hash_alg alg,
                                             uint8_t out[CAPTLS_HASH_MAX_SIZE],
                                             size_t *out_len)
{
    if (cert == NULL || out == NULL || out_len == NULL ||
        cert->der.ptr == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_hash(alg, cert->der.ptr, cert->der.len, out));
    *out_len = captls_hash_size(alg);
    return CAPTLS_OK;
}

bool captls_certificate_is_self_issued(const captls_certificate *cert)
{
    return captls_x509_name_equal(&cert->issuer, &cert->subject);
}

const captls_x509_extension *captls_certificate_find_extension(
    const captls_certificate *cert, const uint8_t *oid, size_t oid_len)
{
    for (size_t i = 0; i < cert->ext_count; i++)
        if (captls_der_oid_equal(cert->ext[i].oid, oid, oid_len))
            return &cert->ext[i];
    return NULL;
}
