/* SubjectPublicKeyInfo parse and encode. See spki.h. */
#include "core/crypto/spki.h"

#include <string.h>

#include "core/crypto/ec_point_check.h"

const uint8_t captls_oid_rsa_encryption[9] = {0x2A, 0x86, 0x48, 0x86, 0xF7,
                                              0x0D, 0x01, 0x01, 0x01};
const uint8_t captls_oid_rsassa_pss[9] = {0x2A, 0x86, 0x48, 0x86, 0xF7,
                                          0x0D, 0x01, 0x01, 0x0A};
const uint8_t captls_oid_mgf1[9] = {0x2A, 0x86, 0x48, 0x86, 0xF7,
                                    0x0D, 0x01, 0x01, 0x08};
const uint8_t captls_oid_ec_public_key[7] = {0x2A, 0x86, 0x48, 0xCE,
                                             0x3D, 0x02, 0x01};
const uint8_t captls_oid_prime256v1[8] = {0x2A, 0x86, 0x48, 0xCE,
                                          0x3D, 0x03, 0x01, 0x07};
const uint8_t captls_oid_secp384r1[5] = {0x2B, 0x81, 0x04, 0x00, 0x22};
const uint8_t captls_oid_ed25519[3] = {0x2B, 0x65, 0x70};
const uint8_t captls_oid_x25519[3] = {0x2B, 0x65, 0x6E};
const uint8_t captls_oid_sha256[9] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                      0x03, 0x04, 0x02, 0x01};
const uint8_t captls_oid_sha384[9] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                      0x03, 0x04, 0x02, 0x02};
const uint8_t captls_oid_sha512[9] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                      0x03, 0x04, 0x02, 0x03};
static const uint8_t oid_sha1[5] = {0x2B, 0x0E, 0x03, 0x02, 0x1A};

size_t captls_ec_point_size(captls_key_type type)
{
    switch (type) {
    case CAPTLS_KEY_EC_P256: return CAPTLS_EC_P256_POINT_SIZE;
    case CAPTLS_KEY_EC_P384: return CAPTLS_EC_P384_POINT_SIZE;
    default: return 0;
    }
}

static captls_result bad(captls_der *d, size_t off, captls_result r,
                         const char *why)
{
    if (d->err != NULL && d->err->code == CAPTLS_OK) {
        d->err->code = r;
        d->err->offset = off;
        d->err->reason = why;
    }
    return r;
}

/* ---- RSASSA-PSS-params -------------------------------------------------- */

/* HashAlgorithm ::= AlgorithmIdentifier, parameters NULL or absent
 * (RFC 4055 §2.1: implementations MUST accept both). */
static captls_result read_hash_alg(captls_der *d, captls_hash_alg *out)
{
    captls_der a;
    captls_slice oid;
    captls_der_tlv t;
    bool has_null;
    size_t at = captls_der_offset(d);
    CAPTLS_TRY(captls_der_enter(d, CAPTLS_DER_SEQUENCE, &a));
    CAPTLS_TRY(captls_der_read_oid(&a, &oid));
    CAPTLS_TRY(captls_der_optional(&a, CAPTLS_DER_NULL, &t, &has_null));
    if (has_null && t.value.len != 0)
        return bad(&a, t.offset, CAPTLS_ERR_MALFORMED, "NULL with contents");
    CAPTLS_TRY(captls_der_finish(&a));
    if (CAPTLS_DER_OID_IS(oid, captls_oid_sha256))
        *out = CAPTLS_HASH_SHA256;
    else if (CAPTLS_DER_OID_IS(oid, captls_oid_sha384))
        *out = CAPTLS_HASH_SHA384;
    else if (CAPTLS_DER_OID_IS(oid, captls_oid_sha512))
        *out = CAPTLS_HASH_SHA512;
    else if (CAPTLS_DER_OID_IS(oid, oid_sha1))
        return bad(d, at, CAPTLS_ERR_UNSUPPORTED, "SHA-1 in RSASSA-PSS");
    else
        return bad(d, at, CAPTLS_ERR_UNSUPPORTED, "unknown hash algorithm");
    return CAPTLS_OK;
}

captls_result captls_rsa_pss_params_read(captls_der *d,
                                         captls_rsa_pss_params *out)
{
    captls_der p, x, m;
    bool here;
    captls_slice oid;
    captls_rsa_pss_params v;
    if (d == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der save = *d;
    size_t at = captls_der_offset(d);
    captls_result r = CAPTLS_OK;
    /* RFC 4055 §3.1 */
    r = captls_der_enter(d, CAPTLS_DER_SEQUENCE, &p);
    if (r != CAPTLS_OK)
        goto out;
    /* hashAlgorithm [0] DEFAULT sha1 */
    if ((r = captls_der_enter_optional(&p, CAPTLS_DER_CONTEXT(0), &x,
                                       &here)) != CAPTLS_OK)
        goto out;
    if (!here) {
        r = bad(d, at, CAPTLS_ERR_UNSUPPORTED, "RSASSA-PSS default SHA-1");
        goto out;
    }
    if ((r = read_hash_alg(&x, &v.hash)) != CAPTLS_OK ||
        (r = captls_der_finish(&x)) != CAPTLS_OK)
        goto out;
    /* maskGenAlgorithm [1] DEFAULT mgf1SHA1 */
    if ((r = captls_der_enter_optional(&p, CAPTLS_DER_CONTEXT(1), &x,
                                       &here)) != CAPTLS_OK)
        goto out;
    if (!here) {
        r = bad(d, at, CAPTLS_ERR_UNSUPPORTED, "RSASSA-PSS default MGF1-SHA-1");
        goto out;
    }
    if ((r = captls_der_enter(&x, CAPTLS_DER_SEQUENCE, &m)) != CAPTLS_OK ||
        (r = captls_der_read_oid(&m, &oid)) != CAPTLS_OK)
        goto out;
    if (!CAPTLS_DER_OID_IS(oid, captls_oid_mgf1)) {
        r = bad(d, at, CAPTLS_ERR_UNSUPPORTED, "mask generation is not MGF1");
        goto out;
    }
    if ((r = read_hash_alg(&m, &v.mgf1_hash)) != CAPTLS_OK ||
        (r = captls_der_finish(&m)) != CAPTLS_OK ||
        (r = captls_der_finish(&x)) != CAPTLS_OK)
        goto out;
    /* saltLength [2] DEFAULT 20 */
    v.salt_len = 20;
    if ((r = captls_der_enter_optional(&p, CAPTLS_DER_CONTEXT(2), &x,
                                       &here)) != CAPTLS_OK)
        goto out;
    if (here) {
        int64_t s;
        size_t sat = captls_der_offset(&x);
        if ((r = captls_der_read_int64(&x, &s)) != CAPTLS_OK ||
            (r = captls_der_finish(&x)) != CAPTLS_OK)
            goto out;
        if (s < 0 || s > 1024) {
            r = bad(d, sat, CAPTLS_ERR_UNSUPPORTED, "unusable PSS salt length");
            goto out;
        }
        if (s == 20) { /* X.690 §11.5: a DEFAULT value is not encoded */
            r = bad(d, sat, CAPTLS_ERR_MALFORMED, "DEFAULT saltLength encoded");
            goto out;
        }
        v.salt_len = (uint32_t)s;
    }
    /* trailerField [3] DEFAULT trailerFieldBC(1) */
    if ((r = captls_der_enter_optional(&p, CAPTLS_DER_CONTEXT(3), &x,
                                       &here)) != CAPTLS_OK)
        goto out;
    if (here) {
        int64_t tf;
        size_t tat = captls_der_offset(&x);
        if ((r = captls_der_read_int64(&x, &tf)) != CAPTLS_OK ||
            (r = captls_der_finish(&x)) != CAPTLS_OK)
            goto out;
        r = bad(d, tat, tf == 1 ? CAPTLS_ERR_MALFORMED : CAPTLS_ERR_UNSUPPORTED,
                tf == 1 ? "DEFAULT trailerField encoded" : "trailerField not 1");
        goto out;
    }
    r = captls_der_finish(&p);
out:
    if (r != CAPTLS_OK) {
        *d = save;
        return r;
    }
    *out = v;
    return CAPTLS_OK;
}

/* ---- key bodies --------------------------------------------------------- */

static uint32_t bit_length(captls_slice mag)
{
    if (mag.len == 0 || mag.ptr[0] == 0)
        return 0;
    uint32_t bits = (uint32_t)(mag.len - 1) * 8u;
    for (uint8_t b = mag.ptr[0]; b != 0; b >>= 1)
        bits++;
    return bits;
}

/* RFC 3279 §2.3.1: RSAPublicKey ::= SEQUENCE { modulus, publicExponent } */
static captls_result read_rsa_key(captls_der *outer, size_t at,
                                  captls_slice bits, captls_public_key *k)
{
    captls_der d, s;
    captls_slice n, e;
    d = *outer;
    d.pos = (size_t)(bits.ptr - outer->base);
    d.end = d.pos + bits.len;
    CAPTLS_TRY(captls_der_enter(&d, CAPTLS_DER_SEQUENCE, &s));
    CAPTLS_TRY(captls_der_read_uint(&s, &n));
    CAPTLS_TRY(captls_der_read_uint(&s, &e));
    CAPTLS_TRY(captls_der_finish(&s));
    CAPTLS_TRY(captls_der_finish(&d));
    uint32_t nbits = bit_length(n);
    if (nbits < CAPTLS_RSA_MIN_BITS)
        return bad(outer, at, nbits == 0 ? CAPTLS_ERR_INVALID_KEY
                                         : CAPTLS_ERR_UNSUPPORTED,
                   "RSA modulus too small");
    if (nbits > CAPTLS_RSA_MAX_BITS)
        return bad(outer, at, CAPTLS_ERR_LIMIT_EXCEEDED, "RSA modulus too large");
    if ((n.ptr[n.len - 1] & 1) == 0)
        return bad(outer, at, CAPTLS_ERR_INVALID_KEY, "even RSA modulus");
    if (e.len > 4 || (e.len == 4 && (e.ptr[0] & 0x80) != 0))
        return bad(outer, at, CAPTLS_ERR_UNSUPPORTED, "RSA exponent above 2^31-1");
    uint32_t ev = 0;
    for (size_t i = 0; i < e.len; i++)
        ev = (ev << 8) | e.ptr[i];
    if (ev < 3 || (ev & 1) == 0)
        return bad(outer, at, CAPTLS_ERR_INVALID_KEY, "bad RSA exponent");
    k->rsa_n = n;
    k->rsa_e = e;
    k->rsa_bits = nbits;
    return CAPTLS_OK;
}

/* SEC 1 §2.3.3 / RFC 5480 §2.2: uncompressed points only, on the curve. */
static captls_result check_ec_point(captls_der *d, size_t at,
                                    captls_key_type type, captls_slice pt)
{
    size_t want = captls_ec_point_size(type);
    if (pt.len == 0)
        return bad(d, at, CAPTLS_ERR_MALFORMED, "empty EC point");
    if (pt.ptr[0] == 0x02 || pt.ptr[0] == 0x03 || pt.ptr[0] == 0x06 ||
        pt.ptr[0] == 0x07)
        return bad(d, at, CAPTLS_ERR_UNSUPPORTED,
                   "compressed or hybrid EC point");
    if (pt.ptr[0] != 0x04 || pt.len != want)
        return bad(d, at, CAPTLS_ERR_INVALID_KEY, "bad EC point encoding");
    /* SEC 1 §3.2.2.1: coordinates below p and on the curve (a direct
     * check of the curve equation, ec_point_check.h). */
    size_t clen = (pt.len - 1) / 2;
    bool ok = type == CAPTLS_KEY_EC_P256
                  ? captls_ec_p256_point_is_valid(pt.ptr + 1, pt.ptr + 1 + clen)
                  : captls_ec_p384_point_is_valid(pt.ptr + 1,
                                                  pt.ptr + 1 + clen);
    if (!ok)
        return bad(d, at, CAPTLS_ERR_INVALID_KEY, "EC point not on the curve");
    return CAPTLS_OK;
}

captls_result captls_spki_read(captls_der *d, captls_public_key *out)
{
    captls_der s, a;
    captls_slice oid, bits;
    captls_der_tlv spki;
    captls_public_key k;
    if (d == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der save = *d;
    memset(&k, 0, sizeof(k));
    captls_result r;
    /* SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
     *                                      subjectPublicKey BIT STRING } */
    if ((r = captls_der_expect(d, CAPTLS_DER_SEQUENCE, &spki)) != CAPTLS_OK ||
        (r = captls_der_open(d, &spki, &s)) != CAPTLS_OK ||
        (r = captls_der_enter(&s, CAPTLS_DER_SEQUENCE, &a)) != CAPTLS_OK ||
        (r = captls_der_read_oid(&a, &oid)) != CAPTLS_OK)
        goto out;
    size_t alg_at = captls_der_offset(&a);
    if (CAPTLS_DER_OID_IS(oid, captls_oid_rsa_encryption)) {
        /* RFC 3279 §2.3.1: parameters MUST be NULL. */
        k.type = CAPTLS_KEY_RSA;
        if ((r = captls_der_read_null(&a)) != CAPTLS_OK)
            goto out;
    } else if (CAPTLS_DER_OID_IS(oid, captls_oid_rsassa_pss)) {
        /* RFC 4055 §3.1: absent = unrestricted, else the restriction. */
        k.type = CAPTLS_KEY_RSA_PSS;
        if (!captls_der_at_end(&a)) {
            size_t p0 = captls_der_offset(&a);
            if ((r = captls_rsa_pss_params_read(&a, &k.pss)) != CAPTLS_OK)
                goto out;
            k.pss_restricted = true;
            k.pss_params_der.ptr = a.base + p0;
            k.pss_params_der.len = captls_der_offset(&a) - p0;
        }
    } else if (CAPTLS_DER_OID_IS(oid, captls_oid_ec_public_key)) {
        /* RFC 5480 §2.1.1: ECParameters; only namedCurve is allowed. */
        captls_slice curve;
        uint32_t tag;
        if ((r = captls_der_peek_tag(&a, &tag)) != CAPTLS_OK)
            goto out;
        if (tag != CAPTLS_DER_OID) {
            r = bad(&a, alg_at, CAPTLS_ERR_UNSUPPORTED,
                    "EC parameters other than namedCurve");
            goto out;
        }
        if ((r = captls_der_read_oid(&a, &curve)) != CAPTLS_OK)
            goto out;
        if (CAPTLS_DER_OID_IS(curve, captls_oid_prime256v1))
            k.type = CAPTLS_KEY_EC_P256;
        else if (CAPTLS_DER_OID_IS(curve, captls_oid_secp384r1))
            k.type = CAPTLS_KEY_EC_P384;
        else {
            r = bad(&a, alg_at, CAPTLS_ERR_UNSUPPORTED, "unsupported curve");
            goto out;
        }
    } else if (CAPTLS_DER_OID_IS(oid, captls_oid_ed25519)) {
        k.type = CAPTLS_KEY_ED25519; /* RFC 8410 §3: parameters absent */
    } else if (CAPTLS_DER_OID_IS(oid, captls_oid_x25519)) {
        k.type = CAPTLS_KEY_X25519;
    } else {
        r = bad(&a, alg_at, CAPTLS_ERR_UNSUPPORTED,
                "unsupported public key algorithm");
        goto out;
    }
    if (!captls_der_at_end(&a)) {
        r = bad(&a, captls_der_offset(&a), CAPTLS_ERR_MALFORMED,
                "unexpected algorithm parameters");
        goto out;
    }
    size_t key_at = captls_der_offset(&s);
    if ((r = captls_der_read_bit_octets(&s, &bits)) != CAPTLS_OK ||
        (r = captls_der_finish(&s)) != CAPTLS_OK)
        goto out;
    switch (k.type) {
    case CAPTLS_KEY_RSA:
    case CAPTLS_KEY_RSA_PSS:
        r = read_rsa_key(&s, key_at, bits, &k);
        break;
    case CAPTLS_KEY_EC_P256:
    case CAPTLS_KEY_EC_P384:
        r = check_ec_point(&s, key_at, k.type, bits);
        k.point = bits;
        break;
    default:
        if (bits.len != 32)
            r = bad(&s, key_at, CAPTLS_ERR_INVALID_KEY,
                    "key is not 32 bytes");
        k.point = bits;
        break;
    }
    if (r != CAPTLS_OK)
        goto out;
    k.spki = spki.raw;
out:
    if (r != CAPTLS_OK) {
        *d = save;
        return r;
    }
    *out = k;
    return CAPTLS_OK;
}

captls_result captls_spki_parse(const uint8_t *der, size_t len,
                                captls_public_key *out, captls_der_error *err)
{
    captls_der d;
    captls_public_key k;
    if ((der == NULL && len != 0) || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der_init(&d, der, len, err);
    CAPTLS_TRY(captls_spki_read(&d, &k));
    CAPTLS_TRY(captls_der_finish(&d));
    *out = k;
    return CAPTLS_OK;
}

/* ---- encoding ----------------------------------------------------------- */

static bool key_consistent(const captls_public_key *k)
{
    switch (k->type) {
    case CAPTLS_KEY_RSA:
    case CAPTLS_KEY_RSA_PSS:
        return k->rsa_n.len > 0 && k->rsa_n.ptr != NULL && k->rsa_e.len > 0 &&
               k->rsa_e.ptr != NULL &&
               (k->type == CAPTLS_KEY_RSA_PSS ||
                (!k->pss_restricted && k->pss_params_der.len == 0)) &&
               (k->pss_params_der.len == 0 || k->pss_params_der.ptr != NULL);
    case CAPTLS_KEY_EC_P256:
    case CAPTLS_KEY_EC_P384:
        return k->point.ptr != NULL &&
               k->point.len == captls_ec_point_size(k->type) &&
               k->point.ptr[0] == 0x04;
    case CAPTLS_KEY_ED25519:
    case CAPTLS_KEY_X25519:
        return k->point.ptr != NULL && k->point.len == 32;
    default:
        return false;
    }
}

static const uint8_t *hash_oid(captls_hash_alg h)
{
    switch (h) {
    case CAPTLS_HASH_SHA256: return captls_oid_sha256;
    case CAPTLS_HASH_SHA384: return captls_oid_sha384;
    case CAPTLS_HASH_SHA512: return captls_oid_sha512;
    default: return NULL;
    }
}

/* AlgorithmIdentifier { hash, NULL } (the form OpenSSL writes). */
static void write_hash_alg(captls_der_writer *w, captls_hash_alg h)
{
    const uint8_t *oid = hash_oid(h);
    if (oid == NULL) {
        if (w->status == CAPTLS_OK)
            w->status = CAPTLS_ERR_INVALID_ARGUMENT;
        return;
    }
    size_t m = captls_der_writer_mark(w);
    captls_der_write_null(w);
    captls_der_write_oid(w, oid, 9);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m);
}

static void write_pss_params(captls_der_writer *w,
                             const captls_rsa_pss_params *p)
{
    size_t m0 = captls_der_writer_mark(w), m;
    if (p->salt_len != 20) {
        m = captls_der_writer_mark(w);
        captls_der_write_int64(w, p->salt_len);
        captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(2), m);
    }
    m = captls_der_writer_mark(w);
    size_t m1 = m;
    write_hash_alg(w, p->mgf1_hash);
    captls_der_write_oid(w, captls_oid_mgf1, sizeof(captls_oid_mgf1));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m1);
    captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(1), m);
    m = captls_der_writer_mark(w);
    write_hash_alg(w, p->hash);
    captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(0), m);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m0);
}

void captls_spki_write(captls_der_writer *w, const captls_public_key *k)
{
    static const uint8_t zero = 0;
    if (w == NULL || w->status != CAPTLS_OK)
        return;
    if (k == NULL || !key_consistent(k)) {
        w->status = CAPTLS_ERR_INVALID_ARGUMENT;
        return;
    }
    size_t m_spki = captls_der_writer_mark(w);
    /* subjectPublicKey BIT STRING (whole octets) */
    size_t m_bits = captls_der_writer_mark(w);
    if (k->type == CAPTLS_KEY_RSA || k->type == CAPTLS_KEY_RSA_PSS) {
        size_t m = captls_der_writer_mark(w);
        captls_der_write_uint(w, k->rsa_e.ptr, k->rsa_e.len);
        captls_der_write_uint(w, k->rsa_n.ptr, k->rsa_n.len);
        captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m);
    } else {
        captls_der_write_raw(w, k->point.ptr, k->point.len);
    }
    captls_der_write_raw(w, &zero, 1);
    captls_der_write_wrap(w, CAPTLS_DER_BIT_STRING, m_bits);
    /* algorithm AlgorithmIdentifier */
    size_t m_alg = captls_der_writer_mark(w);
    switch (k->type) {
    case CAPTLS_KEY_RSA:
        captls_der_write_null(w);
        captls_der_write_oid(w, captls_oid_rsa_encryption, 9);
        break;
    case CAPTLS_KEY_RSA_PSS:
        if (k->pss_params_der.len != 0)
            captls_der_write_raw(w, k->pss_params_der.ptr,
                                 k->pss_params_der.len);
        else if (k->pss_restricted)
            write_pss_params(w, &k->pss);
        captls_der_write_oid(w, captls_oid_rsassa_pss, 9);
        break;
    case CAPTLS_KEY_EC_P256:
        captls_der_write_oid(w, captls_oid_prime256v1, 8);
        captls_der_write_oid(w, captls_oid_ec_public_key, 7);
        break;
    case CAPTLS_KEY_EC_P384:
        captls_der_write_oid(w, captls_oid_secp384r1, 5);
        captls_der_write_oid(w, captls_oid_ec_public_key, 7);
        break;
    case CAPTLS_KEY_ED25519:
        captls_der_write_oid(w, captls_oid_ed25519, 3);
        break;
    default:
        captls_der_write_oid(w, captls_oid_x25519, 3);
        break;
    }
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_alg);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_spki);
}

captls_result captls_spki_encode(const captls_public_key *key, uint8_t *out,
                                 size_t cap, size_t *len)
{
    captls_der_writer w;
    size_t need;
    if (key == NULL || len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* Counting pass first: nothing is written unless it all fits. */
    captls_der_writer_init(&w, NULL, 0);
    captls_spki_write(&w, key);
    CAPTLS_TRY(captls_der_writer_finish(&w, &need));
    if (need > cap || out == NULL) {
        *len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    captls_der_writer_init(&w, out, need);
    captls_spki_write(&w, key);
    CAPTLS_TRY(captls_der_writer_finish(&w, len));
    return CAPTLS_OK;
}
