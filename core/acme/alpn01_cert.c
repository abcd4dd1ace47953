/* tls-alpn-01 validation certificate builder. See alpn01_cert.h. */
#include "core/acme/alpn01_cert.h"

#include <string.h>

#include "core/acme/csr.h"
#include "core/base/der.h"
#include "core/crypto/hash.h"

const uint8_t captls_oid_pe_acme_identifier[8] = {0x2B, 0x06, 0x01, 0x05,
                                                  0x05, 0x07, 0x01, 0x1F};
static const uint8_t OID_ECDSA_SHA256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};
static const uint8_t OID_ED25519[] = {0x2B, 0x65, 0x70};
static const uint8_t OID_SAN[] = {0x55, 0x1D, 0x11};
static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};

/* signatureAlgorithm (<= 12) and the BIT STRING of a DER ECDSA signature
 * (<= 2 + 1 + 72), plus the outer SEQUENCE header (<= 4). */
#define CERT_OVERHEAD (4 + 12 + 75)

/* 1950-01-01 and 10000-01-01 (exclusive) as epoch seconds. */
#define T_MIN (-631152000LL)
#define T_MAX (253402300800LL)

void captls_alpn01_digest(const char *ka, size_t len,
                          uint8_t out[CAPTLS_ALPN01_DIGEST_LEN])
{
    uint8_t d[CAPTLS_HASH_MAX_SIZE];

    /* SHA-256 is always available: the result cannot be UNSUPPORTED. */
    if (captls_hash(CAPTLS_HASH_SHA256, ka, len, d) != CAPTLS_OK)
        memset(d, 0, sizeof(d));
    memcpy(out, d, CAPTLS_ALPN01_DIGEST_LEN);
}

static bool params_ok(const captls_alpn01_cert_params *p)
{
    if (p->name == NULL || p->key_authorization == NULL || p->serial == NULL)
        return false;
    if (p->name_len > CAPTLS_ALPN01_NAME_MAX ||
        !captls_csr_dns_name_ok(p->name, p->name_len) || p->name[0] == '*')
        return false;
    if (p->key_authorization_len == 0 ||
        p->key_authorization_len > CAPTLS_ALPN01_KEYAUTH_MAX)
        return false;
    if (p->serial_len == 0 || p->serial_len > CAPTLS_ALPN01_SERIAL_MAX ||
        (p->serial[0] & 0x80u) != 0)
        return false;
    bool nonzero = false;
    for (size_t i = 0; i < p->serial_len; i++)
        nonzero = nonzero || p->serial[i] != 0;
    if (!nonzero)
        return false;
    return p->not_before >= T_MIN && p->not_after < T_MAX &&
           p->not_before <= p->not_after;
}

/* Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's
 * civil_from_days). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

static void put2(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)('0' + v / 10);
    p[1] = (uint8_t)('0' + v % 10);
}

/* RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
static void write_time(captls_der_writer *w, int64_t t)
{
    int64_t days = t / 86400, secs = t % 86400, y;
    unsigned m, d;
    uint8_t buf[15];
    size_t n = 0;

    if (secs < 0) {
        secs += 86400;
        days--;
    }
    civil(days, &y, &m, &d);
    if (y < 2050) {
        put2(buf, (unsigned)(y % 100));
        n = 2;
    } else {
        put2(buf, (unsigned)(y / 100));
        put2(buf + 2, (unsigned)(y % 100));
        n = 4;
    }
    put2(buf + n, m);
    put2(buf + n + 2, d);
    put2(buf + n + 4, (unsigned)(secs / 3600));
    put2(buf + n + 6, (unsigned)(secs / 60 % 60));
    put2(buf + n + 8, (unsigned)(secs % 60));
    buf[n + 10] = 'Z';
    captls_der_write_tlv(w, y < 2050 ? CAPTLS_DER_UTC_TIME
                                     : CAPTLS_DER_GENERALIZED_TIME,
                         buf, n + 11);
}

static bool use_cn(const captls_alpn01_cert_params *p)
{
    return p->subject_cn && p->name_len <= 64;
}

static void write_name(captls_der_writer *w, const captls_alpn01_cert_params *p)
{
    size_t m_name = captls_der_writer_mark(w);
    if (use_cn(p)) {
        size_t m_rdn = captls_der_writer_mark(w);
        size_t m_atv = captls_der_writer_mark(w);
        captls_der_write_tlv(w, CAPTLS_DER_UTF8_STRING,
                             (const uint8_t *)p->name, p->name_len);
        captls_der_write_oid(w, OID_CN, sizeof(OID_CN));
        captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_atv);
        captls_der_write_wrap(w, CAPTLS_DER_SET, m_rdn);
    }
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_name);
}

static void write_sig_alg(captls_der_writer *w, captls_acme_sig_alg alg)
{
    size_t m_alg = captls_der_writer_mark(w);
    /* RFC 5758 §3.2 and RFC 8410 §3: parameters absent. */
    if (alg == CAPTLS_ACME_SIG_ES256)
        captls_der_write_oid(w, OID_ECDSA_SHA256, sizeof(OID_ECDSA_SHA256));
    else
        captls_der_write_oid(w, OID_ED25519, sizeof(OID_ED25519));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_alg);
}

/* The TBSCertificate (RFC 5280 §4.1), written backwards. */
static void write_tbs(captls_der_writer *w, const captls_alpn01_cert_params *p,
                      const captls_jwk *pub)
{
    captls_acme_sig_alg alg = captls_acme_sig_alg_of(pub);
    uint8_t digest[CAPTLS_ALPN01_DIGEST_LEN];

    /* extensions [3] EXPLICIT SEQUENCE OF Extension */
    size_t m_x = captls_der_writer_mark(w);
    size_t m_exts = captls_der_writer_mark(w);
    /* acmeIdentifier: critical, extnValue = OCTET STRING (SIZE (32)). */
    captls_alpn01_digest(p->key_authorization, p->key_authorization_len, digest);
    size_t m_ext = captls_der_writer_mark(w);
    size_t m_os = captls_der_writer_mark(w);
    captls_der_write_octet_string(w, digest, sizeof(digest));
    captls_der_write_wrap(w, CAPTLS_DER_OCTET_STRING, m_os);
    captls_der_write_bool(w, true);
    captls_der_write_oid(w, captls_oid_pe_acme_identifier,
                         sizeof(captls_oid_pe_acme_identifier));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);
    /* subjectAltName: one dNSName [2] IA5String. */
    m_ext = captls_der_writer_mark(w);
    m_os = captls_der_writer_mark(w);
    size_t m_gn = captls_der_writer_mark(w);
    captls_der_write_tlv(w, CAPTLS_DER_CONTEXT_PRIM(2),
                         (const uint8_t *)p->name, p->name_len);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_gn);
    captls_der_write_wrap(w, CAPTLS_DER_OCTET_STRING, m_os);
    if (!use_cn(p)) /* RFC 5280 §4.2.1.6: empty subject -> critical SAN */
        captls_der_write_bool(w, true);
    captls_der_write_oid(w, OID_SAN, sizeof(OID_SAN));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_exts);
    captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(3), m_x);

    /* subjectPublicKeyInfo */
    captls_jwk_write_spki(w, pub);

    write_name(w, p); /* subject */
    size_t m_val = captls_der_writer_mark(w);
    write_time(w, p->not_after);
    write_time(w, p->not_before);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_val);
    write_name(w, p); /* issuer: self-issued */
    write_sig_alg(w, alg);
    captls_der_write_uint(w, p->serial, p->serial_len);
    size_t m_ver = captls_der_writer_mark(w);
    captls_der_write_int64(w, 2); /* v3 */
    captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(0), m_ver);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, 0);
}

size_t captls_alpn01_cert_size(const captls_alpn01_cert_params *p,
                               const captls_jwk *pub)
{
    captls_der_writer w;
    size_t n = 0;

    if (p == NULL || pub == NULL ||
        captls_acme_sig_alg_of(pub) == CAPTLS_ACME_SIG_NONE || !params_ok(p))
        return 0;
    captls_der_writer_init(&w, NULL, 0);
    write_tbs(&w, p, pub);
    captls_result r = captls_der_writer_finish(&w, &n);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return 0;
    return n + CERT_OVERHEAD;
}

captls_result captls_alpn01_cert_build(const captls_acme_signer *signer,
                                       const captls_alpn01_cert_params *p,
                                       uint8_t *out, size_t cap, size_t *len)
{
    captls_der_writer w;
    size_t tbs_len = 0, n;

    if (signer == NULL || p == NULL || len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_acme_sig_alg alg = captls_acme_sig_alg_of(&signer->pub);
    if (alg == CAPTLS_ACME_SIG_NONE)
        return CAPTLS_ERR_UNSUPPORTED;
    if (!params_ok(p))
        return CAPTLS_ERR_MALFORMED;
    size_t need = captls_alpn01_cert_size(p, &signer->pub);
    if (need == 0 || need > CAPTLS_ALPN01_CERT_MAX)
        return CAPTLS_ERR_INTERNAL; /* the bound above is wrong */
    if (cap < need) {
        *len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    captls_der_writer_init(&w, out, cap);
    write_tbs(&w, p, &signer->pub);
    CAPTLS_TRY(captls_der_writer_finish(&w, &tbs_len));

    /* RFC 5280 §4.1.1.3: the signature over the DER TBSCertificate. */
    uint8_t raw[64], sig[CAPTLS_ACME_SIG_MAX];
    size_t sig_len = 64;
    CAPTLS_TRY(captls_acme_sign_raw(signer, out, tbs_len, raw));
    if (alg == CAPTLS_ACME_SIG_ES256)
        CAPTLS_TRY(captls_acme_ecdsa_raw_to_der(raw, sig, &sig_len));
    else
        memcpy(sig, raw, 64);

    uint8_t tail[CERT_OVERHEAD], head[8];
    size_t tail_len = 0, head_len = 0;
    captls_der_writer_init(&w, tail, sizeof(tail));
    captls_der_write_bit_string(&w, sig, sig_len, 0);
    write_sig_alg(&w, alg);
    CAPTLS_TRY(captls_der_writer_finish(&w, &tail_len));
    captls_der_writer_init(&w, head, sizeof(head));
    captls_der_write_header(&w, CAPTLS_DER_SEQUENCE, tbs_len + tail_len);
    CAPTLS_TRY(captls_der_writer_finish(&w, &head_len));
    n = head_len + tbs_len + tail_len;
    if (n > cap)
        return CAPTLS_ERR_INTERNAL; /* need bounds every part */
    memmove(out + head_len, out, tbs_len);
    memcpy(out, head, head_len);
    memcpy(out + head_len + tbs_len, tail, tail_len);
    *len = n;
    return CAPTLS_OK;
}
