/* RSA private keys from PKCS#1 / PKCS#8 DER and PEM. See rsa_key.h. */
#include "core/crypto/rsa_key.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/base/pem.h"
#include "core/crypto/spki.h"

static captls_result bad(const captls_der *d, size_t off, captls_result r,
                         const char *why)
{
    if (d->err != NULL && d->err->code == CAPTLS_OK) {
        d->err->code = r;
        d->err->offset = off;
        d->err->reason = why;
    }
    return r;
}

/* RFC 8017 §A.1.2 RSAPrivateKey at the cursor. */
static captls_result rsa_private_key_read(captls_der *d,
                                          captls_rsa_private_key *out)
{
    captls_der s;
    int64_t version;
    captls_slice n, e, dd, p, q, dp, dq, qinv;
    captls_rsa_public_key encoded;
    size_t at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_enter(d, CAPTLS_DER_SEQUENCE, &s));
    size_t vat = captls_der_offset(&s);
    CAPTLS_TRY(captls_der_read_int64(&s, &version));
    if (version == 1)
        return bad(d, vat, CAPTLS_ERR_UNSUPPORTED,
                   "multi-prime RSA key (version 1)");
    if (version != 0)
        return bad(d, vat, CAPTLS_ERR_MALFORMED, "RSAPrivateKey version not 0");
    /* read_uint refuses negative and non-minimal INTEGERs (MALFORMED) */
    CAPTLS_TRY(captls_der_read_uint(&s, &n));
    CAPTLS_TRY(captls_der_read_uint(&s, &e));
    CAPTLS_TRY(captls_der_read_uint(&s, &dd));
    CAPTLS_TRY(captls_der_read_uint(&s, &p));
    CAPTLS_TRY(captls_der_read_uint(&s, &q));
    CAPTLS_TRY(captls_der_read_uint(&s, &dp));
    CAPTLS_TRY(captls_der_read_uint(&s, &dq));
    CAPTLS_TRY(captls_der_read_uint(&s, &qinv));
    /* RFC 8017 §A.1.2: version 0 => otherPrimeInfos absent. */
    if (!captls_der_at_end(&s))
        return bad(d, captls_der_offset(&s), CAPTLS_ERR_MALFORMED,
                   "data after coefficient in a two-prime key");
    if (dd.len == 1 && dd.ptr[0] == 0)
        return bad(d, at, CAPTLS_ERR_INVALID_KEY, "privateExponent is zero");
    /* Size and form of the modulus first: WEAK_KEY / UNSUPPORTED say more
     * than a factor that does not fit. */
    captls_result r = captls_rsa_public_key_init(&encoded, n.ptr, n.len,
                                                 e.ptr, e.len);
    if (r != CAPTLS_OK)
        return bad(d, at, r, "unusable modulus or exponent");
    r = captls_rsa_private_key_init(out, p.ptr, p.len, q.ptr, q.len, dp.ptr,
                                    dp.len, dq.ptr, dq.len, qinv.ptr, qinv.len,
                                    e.ptr, e.len);
    if (r != CAPTLS_OK)
        return bad(d, at, r, "inconsistent RSA private key components");
    /* p*q must be the encoded modulus (init recomputed it). */
    if (out->pub.n_len != encoded.n_len ||
        memcmp(out->pub.n, encoded.n, encoded.n_len) != 0) {
        captls_rsa_private_key_destroy(out);
        return bad(d, at, CAPTLS_ERR_INVALID_KEY, "modulus is not p*q");
    }
    return CAPTLS_OK;
}

static captls_result pkcs1_body(captls_der *d, captls_rsa_private_key *out)
{
    CAPTLS_TRY(rsa_private_key_read(d, out));
    return captls_der_finish(d);
}

/* RFC 5208 §5 PrivateKeyInfo with rsaEncryption. */
static captls_result pkcs8_body(captls_der *d, captls_rsa_private_key *out)
{
    captls_der s, a, inner;
    captls_slice oid, priv;
    captls_der_tlv t;
    int64_t version;
    bool here;
    CAPTLS_TRY(captls_der_enter(d, CAPTLS_DER_SEQUENCE, &s));
    size_t vat = captls_der_offset(&s);
    CAPTLS_TRY(captls_der_read_int64(&s, &version));
    if (version == 1)
        return bad(d, vat, CAPTLS_ERR_UNSUPPORTED,
                   "PKCS#8 v2 (OneAsymmetricKey) RSA keys are not supported");
    if (version != 0)
        return bad(d, vat, CAPTLS_ERR_MALFORMED, "PKCS#8 version not 0");
    CAPTLS_TRY(captls_der_enter(&s, CAPTLS_DER_SEQUENCE, &a));
    size_t aat = captls_der_offset(&a);
    CAPTLS_TRY(captls_der_read_oid(&a, &oid));
    if (CAPTLS_DER_OID_IS(oid, captls_oid_rsassa_pss))
        return bad(d, aat, CAPTLS_ERR_UNSUPPORTED,
                   "id-RSASSA-PSS private keys are not supported");
    if (!CAPTLS_DER_OID_IS(oid, captls_oid_rsa_encryption))
        return bad(d, aat, CAPTLS_ERR_UNSUPPORTED, "not an RSA private key");
    /* RFC 8017 §A.1: "the parameters field ... shall have a value of type
     * NULL". */
    CAPTLS_TRY(captls_der_read_null(&a));
    CAPTLS_TRY(captls_der_finish(&a));
    CAPTLS_TRY(captls_der_read_octet_string(&s, &priv));
    CAPTLS_TRY(captls_der_optional(&s, CAPTLS_DER_CONTEXT(0), &t, &here));
    CAPTLS_TRY(captls_der_finish(&s)); /* [1] publicKey is v2 only */
    CAPTLS_TRY(captls_der_finish(d));
    inner = s;
    inner.pos = (size_t)(priv.ptr - s.base);
    inner.end = inner.pos + priv.len;
    CAPTLS_TRY(rsa_private_key_read(&inner, out));
    captls_result r = captls_der_finish(&inner);
    if (r != CAPTLS_OK)
        captls_rsa_private_key_destroy(out);
    return r;
}

typedef captls_result (*body_fn)(captls_der *, captls_rsa_private_key *);

static captls_result parse(body_fn body, const uint8_t *der, size_t len,
                           captls_rsa_private_key *out, captls_der_error *err)
{
    captls_der d;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (der == NULL && len != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der_init(&d, der, len, err);
    captls_result r = body(&d, out);
    if (r != CAPTLS_OK)
        captls_rsa_private_key_destroy(out);
    return r;
}

captls_result captls_rsa_key_parse_pkcs1(const uint8_t *der, size_t len,
                                         captls_rsa_private_key *out,
                                         captls_der_error *err)
{
    return parse(pkcs1_body, der, len, out, err);
}

captls_result captls_rsa_key_parse_pkcs8(const uint8_t *der, size_t len,
                                         captls_rsa_private_key *out,
                                         captls_der_error *err)
{
    return parse(pkcs8_body, der, len, out, err);
}

captls_result captls_rsa_key_parse_pem(const uint8_t *pem, size_t len,
                                       uint8_t *scratch, size_t scratch_cap,
                                       captls_rsa_private_key *out)
{
    size_t pos = 0, n = 0;
    captls_pem_block b;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if ((pem == NULL && len != 0) || (scratch == NULL && scratch_cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (;;) {
        captls_result r = captls_pem_next(pem, len, &pos, &b);
        if (r == CAPTLS_EOF)
            return CAPTLS_ERR_NOT_FOUND;
        CAPTLS_TRY(r);
        if (captls_pem_label_is(&b, "ENCRYPTED PRIVATE KEY"))
            return CAPTLS_ERR_UNSUPPORTED;
        if (captls_pem_label_is(&b, "PRIVATE KEY") ||
            captls_pem_label_is(&b, "RSA PRIVATE KEY"))
            break;
    }
    captls_result r = captls_pem_decode(&b, scratch, scratch_cap, &n);
    if (r == CAPTLS_OK) {
        if (captls_pem_label_is(&b, "PRIVATE KEY"))
            r = captls_rsa_key_parse_pkcs8(scratch, n, out, NULL);
        else
            r = captls_rsa_key_parse_pkcs1(scratch, n, out, NULL);
    }
    captls_zeroize(scratch, scratch_cap);
    return r;
}
