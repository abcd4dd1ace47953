/* JWK and RFC 7638 thumbprints. See jwk.h. */
#include "core/acme/jwk.h"

#include <string.h>

#include "core/base/base64url.h"
#include "core/crypto/ec_point_check.h"
#include "core/crypto/hash.h"

captls_result captls_jwk_from_p256(captls_jwk *k, const uint8_t *point,
                                   size_t len)
{
    if (k == NULL || point == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (len != 65 || point[0] != 0x04 ||
        !captls_ec_p256_point_is_valid(point + 1, point + 33))
        return CAPTLS_ERR_INVALID_KEY;
    memset(k, 0, sizeof(*k));
    k->type = CAPTLS_JWK_EC_P256;
    memcpy(k->x, point + 1, 32);
    memcpy(k->y, point + 33, 32);
    return CAPTLS_OK;
}

captls_result captls_jwk_from_ed25519(captls_jwk *k, const uint8_t pub[32])
{
    if (k == NULL || pub == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(k, 0, sizeof(*k));
    k->type = CAPTLS_JWK_ED25519;
    memcpy(k->x, pub, 32);
    return CAPTLS_OK;
}

captls_result captls_jwk_p256_point(const captls_jwk *k, uint8_t point[65])
{
    if (k == NULL || point == NULL || k->type != CAPTLS_JWK_EC_P256)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    point[0] = 0x04;
    memcpy(point + 1, k->x, 32);
    memcpy(point + 33, k->y, 32);
    return CAPTLS_OK;
}

static void write_b64(captls_json_writer *w, const uint8_t *p, size_t n)
{
    char b[64];
    size_t l = 0;
    if (captls_base64url_encode(p, n, b, sizeof(b), &l) != CAPTLS_OK) {
        captls_json_null(w); /* unreachable for n <= 48; keeps w balanced */
        if (w->status == CAPTLS_OK)
            w->status = CAPTLS_ERR_INTERNAL;
        return;
    }
    captls_json_string(w, b, l);
}

void captls_jwk_write(captls_json_writer *w, const captls_jwk *k)
{
    /* RFC 7638 §3.2: required members only, lexicographic order by
     * Unicode code points, no whitespace. */
    captls_json_begin_object(w);
    if (k != NULL && k->type == CAPTLS_JWK_EC_P256) {
        captls_json_key_cstr(w, "crv");
        captls_json_string_cstr(w, "P-256");
        captls_json_key_cstr(w, "kty");
        captls_json_string_cstr(w, "EC");
        captls_json_key_cstr(w, "x");
        write_b64(w, k->x, 32);
        captls_json_key_cstr(w, "y");
        write_b64(w, k->y, 32);
    } else if (k != NULL && k->type == CAPTLS_JWK_ED25519) {
        captls_json_key_cstr(w, "crv");
        captls_json_string_cstr(w, "Ed25519");
        captls_json_key_cstr(w, "kty");
        captls_json_string_cstr(w, "OKP");
        captls_json_key_cstr(w, "x");
        write_b64(w, k->x, 32);
    } else if (w->status == CAPTLS_OK) {
        w->status = CAPTLS_ERR_INVALID_ARGUMENT;
    }
    captls_json_end_object(w);
}

captls_result captls_jwk_to_json(const captls_jwk *k, char *out, size_t cap,
                                 size_t *len)
{
    if (k == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_json_writer w;
    captls_json_writer_init(&w, out, cap);
    captls_jwk_write(&w, k);
    return captls_json_writer_finish(&w, len);
}

captls_result captls_jwk_thumbprint(const captls_jwk *k, uint8_t out[32])
{
    char json[CAPTLS_JWK_JSON_MAX];
    size_t n = 0;
    uint8_t h[CAPTLS_HASH_MAX_SIZE];
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_jwk_to_json(k, json, sizeof(json), &n));
    CAPTLS_TRY(captls_hash(CAPTLS_HASH_SHA256, json, n, h));
    memcpy(out, h, 32);
    return CAPTLS_OK;
}

captls_result captls_acme_key_authorization(const char *token,
                                            size_t token_len,
                                            const captls_jwk *account_key,
                                            char *out, size_t cap,
                                            size_t *len)
{
    uint8_t tp[32];
    if ((token == NULL && token_len != 0) || account_key == NULL ||
        len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 8555 §8.3: the token "MUST NOT contain any characters outside
     * the base64url alphabet". */
    if (token_len == 0)
        return CAPTLS_ERR_MALFORMED;
    if (!captls_base64url_is_text(token, token_len))
        return CAPTLS_ERR_MALFORMED;
    size_t need = token_len + 1 + CAPTLS_JWK_THUMBPRINT_B64_LEN;
    if (need < token_len)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    CAPTLS_TRY(captls_jwk_thumbprint(account_key, tp));
    if (need > cap) {
        *len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(out, token, token_len);
    out[token_len] = '.';
    size_t l = 0;
    CAPTLS_TRY(captls_base64url_encode(tp, 32, out + token_len + 1,
                                       cap - token_len - 1, &l));
    *len = token_len + 1 + l;
    return CAPTLS_OK;
}

/* A member that must be a string; decoded as base64url into exactly n
 * bytes. */
static captls_result member_b64(const captls_json_doc *d, size_t obj,
                                const char *name, uint8_t *out, size_t n)
{
    size_t v, l = 0;
    char text[64];
    captls_result r = captls_json_object_get(d, obj, name, strlen(name), &v);
    if (r == CAPTLS_ERR_NOT_FOUND)
        return CAPTLS_ERR_MALFORMED;
    CAPTLS_TRY(r);
    r = captls_json_get_string(d, v, (uint8_t *)text, sizeof(text), &l);
    if (r == CAPTLS_ERR_BUFFER_TOO_SMALL)
        return CAPTLS_ERR_INVALID_KEY;
    CAPTLS_TRY(r);
    size_t got = 0;
    r = captls_base64url_decode(text, l, NULL, 0, &got); /* validate only */
    if (r != CAPTLS_OK && r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return CAPTLS_ERR_MALFORMED;
    if (captls_base64url_decoded_len(l) != n)
        return CAPTLS_ERR_INVALID_KEY;
    CAPTLS_TRY(captls_base64url_decode(text, l, out, n, &got));
    return CAPTLS_OK;
}

static bool member_is(const captls_json_doc *d, size_t obj, const char *name,
                      const char *value)
{
    size_t v;
    if (captls_json_object_get(d, obj, name, strlen(name), &v) != CAPTLS_OK)
        return false;
    return captls_json_string_equal(d, v, value, strlen(value));
}

static captls_result member_string(const captls_json_doc *d, size_t obj,
                                   const char *name, size_t *v)
{
    captls_result r = captls_json_object_get(d, obj, name, strlen(name), v);
    if (r == CAPTLS_ERR_NOT_FOUND)
        return CAPTLS_ERR_MALFORMED;
    CAPTLS_TRY(r);
    if (captls_json_type_of(d, *v) != CAPTLS_JSON_STRING)
        return CAPTLS_ERR_MALFORMED;
    return CAPTLS_OK;
}

captls_result captls_jwk_parse(const captls_json_doc *d, size_t i,
                               captls_jwk *k)
{
    size_t kty, crv, dv;
    captls_jwk t;
    if (d == NULL || k == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_json_type_of(d, i) != CAPTLS_JSON_OBJECT)
        return CAPTLS_ERR_MALFORMED;
    /* A public JWK must not carry the private key (RFC 7518 §6.2.2.1 "d"). */
    if (captls_json_object_get(d, i, "d", 1, &dv) == CAPTLS_OK)
        return CAPTLS_ERR_MALFORMED;
    CAPTLS_TRY(member_string(d, i, "kty", &kty));
    CAPTLS_TRY(member_string(d, i, "crv", &crv));
    memset(&t, 0, sizeof(t));
    if (captls_json_string_equal(d, kty, "EC", 2)) {
        if (!captls_json_string_equal(d, crv, "P-256", 5))
            return CAPTLS_ERR_UNSUPPORTED;
        CAPTLS_TRY(member_b64(d, i, "x", t.x, 32));
        CAPTLS_TRY(member_b64(d, i, "y", t.y, 32));
        if (!captls_ec_p256_point_is_valid(t.x, t.y))
            return CAPTLS_ERR_INVALID_KEY;
        t.type = CAPTLS_JWK_EC_P256;
    } else if (captls_json_string_equal(d, kty, "OKP", 3)) {
        if (!captls_json_string_equal(d, crv, "Ed25519", 7))
            return CAPTLS_ERR_UNSUPPORTED;
        CAPTLS_TRY(member_b64(d, i, "x", t.x, 32));
        t.type = CAPTLS_JWK_ED25519;
    } else {
        return CAPTLS_ERR_UNSUPPORTED;
    }
    *k = t;
    return CAPTLS_OK;
}

captls_result captls_jwk_thumbprint_json(const captls_json_doc *d, size_t i,
                                         uint8_t out[32])
{
    /* RFC 7638 §3.2 required members per kty, already in lexicographic
     * order. */
    static const char *const rsa[] = {"e", "kty", "n", NULL};
    static const char *const ec[] = {"crv", "kty", "x", "y", NULL};
    static const char *const okp[] = {"crv", "kty", "x", NULL};
    const char *const *names;
    if (d == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_json_type_of(d, i) != CAPTLS_JSON_OBJECT)
        return CAPTLS_ERR_MALFORMED;
    if (member_is(d, i, "kty", "RSA"))
        names = rsa;
    else if (member_is(d, i, "kty", "EC"))
        names = ec;
    else if (member_is(d, i, "kty", "OKP"))
        names = okp;
    else
        return CAPTLS_ERR_UNSUPPORTED;
    captls_hash_ctx h;
    CAPTLS_TRY(captls_hash_init(&h, CAPTLS_HASH_SHA256));
    /* The canonical JSON is built in a 4 KiB stack buffer: an RSA modulus
     * of 16384 bits gives ~2.8 KiB; anything larger is LIMIT_EXCEEDED. */
    char buf[4096];
    captls_json_writer w;
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_begin_object(&w);
    for (size_t k = 0; names[k] != NULL; k++) {
        size_t v;
        captls_result r = member_string(d, i, names[k], &v);
        if (r != CAPTLS_OK) {
            captls_hash_ctx_wipe(&h);
            return r;
        }
        captls_json_key_cstr(&w, names[k]);
        captls_json_copy(&w, d, v);
    }
    captls_json_end_object(&w);
    size_t n = 0;
    captls_result r = captls_json_writer_finish(&w, &n);
    if (r != CAPTLS_OK) {
        captls_hash_ctx_wipe(&h);
        return r == CAPTLS_ERR_BUFFER_TOO_SMALL ? CAPTLS_ERR_LIMIT_EXCEEDED : r;
    }
    uint8_t dg[CAPTLS_HASH_MAX_SIZE];
    captls_hash_update(&h, buf, n);
    captls_hash_final(&h, dg);
    memcpy(out, dg, 32);
    return CAPTLS_OK;
}

static const uint8_t OID_EC_PUBLIC_KEY[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
static const uint8_t OID_P256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
static const uint8_t OID_ED25519[] = {0x2B, 0x65, 0x70};

void captls_jwk_write_spki(captls_der_writer *w, const captls_jwk *pub)
{
    /* the DER writer writes backwards: the last field first */
    size_t m_spki = captls_der_writer_mark(w);
    if (pub->type == CAPTLS_JWK_EC_P256) {
        uint8_t point[65];
        point[0] = 0x04;
        memcpy(point + 1, pub->x, 32);
        memcpy(point + 33, pub->y, 32);
        captls_der_write_bit_string(w, point, 65, 0);
        size_t m_alg = captls_der_writer_mark(w);
        captls_der_write_oid(w, OID_P256, sizeof(OID_P256));
        captls_der_write_oid(w, OID_EC_PUBLIC_KEY, sizeof(OID_EC_PUBLIC_KEY));
        captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_alg);
    } else {
        captls_der_write_bit_string(w, pub->x, 32, 0);
        size_t m_alg = captls_der_writer_mark(w);
        /* RFC 8410 §3: parameters MUST be absent. */
        captls_der_write_oid(w, OID_ED25519, sizeof(OID_ED25519));
        captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_alg);
    }
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_spki);
}
