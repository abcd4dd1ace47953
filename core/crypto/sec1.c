/* SEC 1 EC private keys. See sec1.h. */
#include "core/crypto/sec1.h"

#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"

/* Group orders n (SEC 2 §2.4.2, §2.5.1). */
static const uint8_t p256_n[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17,
    0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};
static const uint8_t p384_n[48] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF, 0x58, 0x1A, 0x0D, 0xB2,
    0x48, 0xB0, 0xA7, 0x7A, 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73};

void captls_private_key_wipe(captls_private_key *k)
{
    if (k != NULL)
        captls_zeroize(k, sizeof(*k));
}

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

/* 1 iff 0 < x < n, without branches on x (big-endian, equal lengths). */
static uint32_t scalar_in_range(const uint8_t *x, const uint8_t *n, size_t len)
{
    uint32_t borrow = 0, any = 0;
    for (size_t i = len; i-- > 0;) {
        uint32_t diff = (uint32_t)x[i] - n[i] - borrow;
        borrow = (diff >> 31) & 1u;
        any |= x[i];
    }
    return borrow & ((any + 0xFFu) >> 8);
}

static captls_result read_curve(captls_der *d, captls_key_type *curve)
{
    captls_slice oid;
    uint32_t tag;
    size_t at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_peek_tag(d, &tag));
    if (tag != CAPTLS_DER_OID)
        return bad(d, at, CAPTLS_ERR_UNSUPPORTED,
                   "EC parameters other than namedCurve");
    CAPTLS_TRY(captls_der_read_oid(d, &oid));
    if (CAPTLS_DER_OID_IS(oid, captls_oid_prime256v1))
        *curve = CAPTLS_KEY_EC_P256;
    else if (CAPTLS_DER_OID_IS(oid, captls_oid_secp384r1))
        *curve = CAPTLS_KEY_EC_P384;
    else
        return bad(d, at, CAPTLS_ERR_UNSUPPORTED, "unsupported curve");
    return CAPTLS_OK;
}

/* Fills k->public_key from the scalar; INVALID_KEY if out of range. */
static captls_result derive_public(captls_private_key *k)
{
    const uint8_t *n = k->type == CAPTLS_KEY_EC_P256 ? p256_n : p384_n;
    if (!scalar_in_range(k->secret, n, k->secret_len))
        return CAPTLS_ERR_INVALID_KEY;
    size_t got =
        k->type == CAPTLS_KEY_EC_P256
            ? br_ec_p256_m31.mulgen(k->public_key, k->secret, k->secret_len,
                                    BR_EC_secp256r1)
            : br_ec_prime_i31.mulgen(k->public_key, k->secret, k->secret_len,
                                     BR_EC_secp384r1);
    if (got != captls_ec_point_size(k->type))
        return CAPTLS_ERR_INTERNAL;
    k->public_len = got;
    return CAPTLS_OK;
}

static captls_result sec1_body(captls_der *d, captls_key_type curve,
                               captls_private_key *k)
{
    captls_der s, x;
    captls_slice priv, pub;
    int64_t version;
    bool here;
    size_t at = captls_der_offset(d);
    /* RFC 5915 §3 */
    CAPTLS_TRY(captls_der_enter(d, CAPTLS_DER_SEQUENCE, &s));
    size_t vat = captls_der_offset(&s);
    CAPTLS_TRY(captls_der_read_int64(&s, &version));
    if (version != 1)
        return bad(d, vat, CAPTLS_ERR_UNSUPPORTED,
                   "ECPrivateKey version is not 1");
    size_t pat = captls_der_offset(&s);
    CAPTLS_TRY(captls_der_read_octet_string(&s, &priv));
    /* parameters [0] ECParameters OPTIONAL */
    CAPTLS_TRY(captls_der_enter_optional(&s, CAPTLS_DER_CONTEXT(0), &x, &here));
    if (here) {
        captls_key_type named = CAPTLS_KEY_NONE;
        CAPTLS_TRY(read_curve(&x, &named));
        CAPTLS_TRY(captls_der_finish(&x));
        if (curve != CAPTLS_KEY_NONE && named != curve)
            return bad(d, at, CAPTLS_ERR_MALFORMED,
                       "ECPrivateKey curve differs from the algorithm's");
        curve = named;
    }
    if (curve == CAPTLS_KEY_NONE)
        return bad(d, at, CAPTLS_ERR_MALFORMED, "ECPrivateKey without a curve");
    /* publicKey [1] BIT STRING OPTIONAL */
    CAPTLS_TRY(captls_der_enter_optional(&s, CAPTLS_DER_CONTEXT(1), &x, &here));
    size_t kat = 0;
    if (here) {
        kat = captls_der_offset(&x);
        CAPTLS_TRY(captls_der_read_bit_octets(&x, &pub));
        CAPTLS_TRY(captls_der_finish(&x));
    }
    CAPTLS_TRY(captls_der_finish(&s));
    k->type = curve;
    k->secret_len = curve == CAPTLS_KEY_EC_P256 ? 32 : 48;
    if (priv.len != k->secret_len)
        return bad(d, pat, CAPTLS_ERR_INVALID_KEY,
                   "EC private key of the wrong length");
    memcpy(k->secret, priv.ptr, priv.len);
    captls_result r = derive_public(k);
    if (r != CAPTLS_OK)
        return bad(d, pat, r, "EC private key out of range");
    if (here && (pub.len != k->public_len ||
                 memcmp(pub.ptr, k->public_key, pub.len) != 0))
        return bad(d, kat, CAPTLS_ERR_INVALID_KEY,
                   "EC public key does not match the private key");
    return CAPTLS_OK;
}

captls_result captls_sec1_read(captls_der *d, captls_key_type curve,
                               captls_private_key *out)
{
    captls_private_key k;
    if (d == NULL || out == NULL ||
        (curve != CAPTLS_KEY_NONE && curve != CAPTLS_KEY_EC_P256 &&
         curve != CAPTLS_KEY_EC_P384))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&k, 0, sizeof(k));
    captls_der save = *d;
    captls_result r = sec1_body(d, curve, &k);
    if (r == CAPTLS_OK)
        *out = k;
    else
        *d = save;
    captls_zeroize(&k, sizeof(k));
    return r;
}

captls_result captls_sec1_parse(const uint8_t *der, size_t len,
                                captls_key_type curve, captls_private_key *out,
                                captls_der_error *err)
{
    captls_der d;
    captls_private_key k;
    if ((der == NULL && len != 0) || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der_init(&d, der, len, err);
    captls_result r = captls_sec1_read(&d, curve, &k);
    if (r == CAPTLS_OK)
        r = captls_der_finish(&d);
    if (r == CAPTLS_OK)
        *out = k;
    captls_zeroize(&k, sizeof(k));
    return r;
}

captls_result captls_private_key_public(const captls_private_key *k,
                                        captls_public_key *out)
{
    captls_public_key p;
    if (k == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&p, 0, sizeof(p));
    switch (k->type) {
    case CAPTLS_KEY_EC_P256:
    case CAPTLS_KEY_EC_P384:
        if (k->public_len != captls_ec_point_size(k->type))
            return CAPTLS_ERR_NOT_FOUND;
        break;
    case CAPTLS_KEY_ED25519:
    case CAPTLS_KEY_X25519:
        if (k->public_len != 32)
            return CAPTLS_ERR_NOT_FOUND;
        break;
    default:
        return CAPTLS_ERR_INVALID_ARGUMENT;
    }
    p.type = k->type;
    p.point.ptr = k->public_key;
    p.point.len = k->public_len;
    *out = p;
    return CAPTLS_OK;
}
