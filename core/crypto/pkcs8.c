/* PKCS#8 private keys. See pkcs8.h. */
#include "core/crypto/pkcs8.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/base/pem.h"

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

static captls_result pkcs8_body(captls_der *d, captls_private_key *k)
{
    captls_der s, a, inner;
    captls_slice oid, priv, pub = {NULL, 0};
    captls_der_tlv t;
    int64_t version;
    bool here;
    captls_key_type type = CAPTLS_KEY_NONE;
    /* RFC 5958 §2: OneAsymmetricKey */
    CAPTLS_TRY(captls_der_enter(d, CAPTLS_DER_SEQUENCE, &s));
    size_t vat = captls_der_offset(&s);
    CAPTLS_TRY(captls_der_read_int64(&s, &version));
    if (version != 0 && version != 1)
        return bad(d, vat, CAPTLS_ERR_UNSUPPORTED, "PKCS#8 version not 0 or 1");
    CAPTLS_TRY(captls_der_enter(&s, CAPTLS_DER_SEQUENCE, &a));
    size_t aat = captls_der_offset(&a);
    CAPTLS_TRY(captls_der_read_oid(&a, &oid));
    if (CAPTLS_DER_OID_IS(oid, captls_oid_ec_public_key)) {
        captls_slice curve;
        uint32_t tag;
        CAPTLS_TRY(captls_der_peek_tag(&a, &tag));
        if (tag != CAPTLS_DER_OID)
            return bad(d, aat, CAPTLS_ERR_UNSUPPORTED,
                       "EC parameters other than namedCurve");
        CAPTLS_TRY(captls_der_read_oid(&a, &curve));
        if (CAPTLS_DER_OID_IS(curve, captls_oid_prime256v1))
            type = CAPTLS_KEY_EC_P256;
        else if (CAPTLS_DER_OID_IS(curve, captls_oid_secp384r1))
            type = CAPTLS_KEY_EC_P384;
        else
            return bad(d, aat, CAPTLS_ERR_UNSUPPORTED, "unsupported curve");
    } else if (CAPTLS_DER_OID_IS(oid, captls_oid_ed25519)) {
        type = CAPTLS_KEY_ED25519; /* RFC 8410 §3: parameters absent */
    } else if (CAPTLS_DER_OID_IS(oid, captls_oid_x25519)) {
        type = CAPTLS_KEY_X25519;
    } else if (CAPTLS_DER_OID_IS(oid, captls_oid_rsa_encryption) ||
               CAPTLS_DER_OID_IS(oid, captls_oid_rsassa_pss)) {
        return bad(d, aat, CAPTLS_ERR_UNSUPPORTED,
                   "RSA private keys are not supported");
    } else {
        return bad(d, aat, CAPTLS_ERR_UNSUPPORTED,
                   "unsupported private key algorithm");
    }
    if (!captls_der_at_end(&a))
        return bad(d, captls_der_offset(&a), CAPTLS_ERR_MALFORMED,
                   "unexpected algorithm parameters");
    size_t pat = captls_der_offset(&s);
    CAPTLS_TRY(captls_der_read_octet_string(&s, &priv));
    /* attributes [0] IMPLICIT Attributes OPTIONAL (a SET OF: constructed) */
    CAPTLS_TRY(captls_der_optional(&s, CAPTLS_DER_CONTEXT(0), &t, &here));
    /* [[2: publicKey [1] IMPLICIT BIT STRING OPTIONAL ]] */
    size_t kat = captls_der_offset(&s);
    CAPTLS_TRY(captls_der_optional(&s, CAPTLS_DER_CONTEXT_PRIM(1), &t, &here));
    CAPTLS_TRY(captls_der_finish(&s));
    if (here) {
        /* RFC 5958 §2: publicKey present => version is v2 (1). */
        if (version != 1)
            return bad(d, kat, CAPTLS_ERR_MALFORMED,
                       "publicKey in a version 0 PrivateKeyInfo");
        /* The IMPLICIT BIT STRING keeps the BIT STRING rules; whole
         * octets only. */
        if (t.value.len < 1 || t.value.ptr[0] != 0)
            return bad(d, kat, CAPTLS_ERR_MALFORMED,
                       "publicKey is not a whole number of octets");
        pub.ptr = t.value.ptr + 1;
        pub.len = t.value.len - 1;
    }
    /* privateKey contents: a nested DER element of the algorithm's type. */
    inner = s;
    inner.pos = (size_t)(priv.ptr - s.base);
    inner.end = inner.pos + priv.len;
    if (type == CAPTLS_KEY_EC_P256 || type == CAPTLS_KEY_EC_P384) {
        CAPTLS_TRY(captls_sec1_read(&inner, type, k));
        CAPTLS_TRY(captls_der_finish(&inner));
        if (here && (pub.len != k->public_len ||
                     memcmp(pub.ptr, k->public_key, pub.len) != 0))
            return bad(d, kat, CAPTLS_ERR_INVALID_KEY,
                       "publicKey does not match the private key");
        return CAPTLS_OK;
    }
    /* RFC 8410 §7: CurvePrivateKey ::= OCTET STRING (32 bytes). */
    captls_slice seed;
    CAPTLS_TRY(captls_der_read_octet_string(&inner, &seed));
    CAPTLS_TRY(captls_der_finish(&inner));
    if (seed.len != 32)
        return bad(d, pat, CAPTLS_ERR_INVALID_KEY, "private key is not 32 bytes");
    if (here && pub.len != 32)
        return bad(d, kat, CAPTLS_ERR_INVALID_KEY, "public key is not 32 bytes");
    k->type = type;
    k->secret_len = 32;
    memcpy(k->secret, seed.ptr, 32);
    if (here) {
        memcpy(k->public_key, pub.ptr, 32);
        k->public_len = 32;
    }
    return CAPTLS_OK;
}

captls_result captls_pkcs8_parse(const uint8_t *der, size_t len,
                                 captls_private_key *out,
                                 captls_der_error *err)
{
    captls_der d;
    captls_private_key k;
    if ((der == NULL && len != 0) || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&k, 0, sizeof(k));
    captls_der_init(&d, der, len, err);
    captls_result r = pkcs8_body(&d, &k);
    if (r == CAPTLS_OK)
        r = captls_der_finish(&d);
    if (r == CAPTLS_OK)
        *out = k;
    captls_zeroize(&k, sizeof(k));
    return r;
}

captls_result captls_private_key_parse_pem(const uint8_t *pem, size_t len,
                                           uint8_t *scratch, size_t scratch_cap,
                                           captls_private_key *out)
{
    size_t pos = 0, n = 0;
    captls_pem_block b;
    if ((pem == NULL && len != 0) || out == NULL ||
        (scratch == NULL && scratch_cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (;;) {
        captls_result r = captls_pem_next(pem, len, &pos, &b);
        if (r == CAPTLS_EOF)
            return CAPTLS_ERR_NOT_FOUND;
        CAPTLS_TRY(r);
        if (captls_pem_label_is(&b, "ENCRYPTED PRIVATE KEY") ||
            captls_pem_label_is(&b, "RSA PRIVATE KEY"))
            return CAPTLS_ERR_UNSUPPORTED;
        if (captls_pem_label_is(&b, "PRIVATE KEY") ||
            captls_pem_label_is(&b, "EC PRIVATE KEY"))
            break;
    }
    captls_result r = captls_pem_decode(&b, scratch, scratch_cap, &n);
    if (r == CAPTLS_OK) {
        if (captls_pem_label_is(&b, "PRIVATE KEY"))
            r = captls_pkcs8_parse(scratch, n, out, NULL);
        else
            r = captls_sec1_parse(scratch, n, CAPTLS_KEY_NONE, out, NULL);
    }
    captls_zeroize(scratch, scratch_cap);
    return r;
}
