/* JWS flattened JSON serialization for ACME. See jws.h. */
#include "core/acme/jws.h"

#include <string.h>

#include "core/base/base64url.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/hash.h"

static const char P1[] = "{\"protected\":\"";   /* 14 */
static const char P2[] = "\",\"payload\":\"";    /* 13 */
static const char P3[] = "\",\"signature\":\"";  /* 15 */
static const char P4[] = "\"}";                  /* 2 */
#define L1 (sizeof(P1) - 1)
#define L2 (sizeof(P2) - 1)
#define L3 (sizeof(P3) - 1)
#define L4 (sizeof(P4) - 1)

static captls_result check_header(const captls_acme_signer *s,
                                  const captls_jws_header *h)
{
    if (s == NULL || h == NULL || h->nonce == NULL || h->url == NULL ||
        (h->kid == NULL && h->kid_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_acme_sig_alg_of(&s->pub) == CAPTLS_ACME_SIG_NONE)
        return CAPTLS_ERR_UNSUPPORTED;
    if (h->nonce_len > CAPTLS_JWS_MAX_FIELD || h->url_len > CAPTLS_JWS_MAX_FIELD ||
        h->kid_len > CAPTLS_JWS_MAX_FIELD)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    /* RFC 8555 §6.5.1: the nonce is base64url; §6.4: url present. */
    if (!captls_base64url_is_text(h->nonce, h->nonce_len) || h->url_len == 0 ||
        (h->kid != NULL && h->kid_len == 0))
        return CAPTLS_ERR_MALFORMED;
    return CAPTLS_OK;
}

/* The protected header JSON (buf NULL: count). */
static captls_result write_header(const captls_acme_signer *s,
                                  const captls_jws_header *h, char *buf,
                                  size_t cap, size_t *len)
{
    captls_json_writer w;
    captls_json_writer_init(&w, buf, cap);
    captls_json_begin_object(&w);
    captls_json_key_cstr(&w, "alg");
    captls_json_string_cstr(&w, captls_acme_sig_alg_of(&s->pub) ==
                                        CAPTLS_ACME_SIG_ES256
                                    ? "ES256"
                                    : "EdDSA");
    /* RFC 8555 §6.2: "The 'jwk' and 'kid' fields are mutually exclusive." */
    if (h->kid == NULL) {
        captls_json_key_cstr(&w, "jwk");
        captls_jwk_write(&w, &s->pub);
    } else {
        captls_json_key_cstr(&w, "kid");
        captls_json_string(&w, h->kid, h->kid_len);
    }
    captls_json_key_cstr(&w, "nonce");
    captls_json_string(&w, h->nonce, h->nonce_len);
    captls_json_key_cstr(&w, "url");
    captls_json_string(&w, h->url, h->url_len);
    captls_json_end_object(&w);
    return captls_json_writer_finish(&w, len);
}

/* Sizes of one signing: header JSON, its encoding, payload encoding,
 * total output and the buffer needed. */
typedef struct sizes {
    size_t hlen, p, q, total, need;
} sizes;

static captls_result compute_sizes(const captls_acme_signer *s,
                                   const captls_jws_header *h,
                                   size_t payload_len, sizes *z)
{
    CAPTLS_TRY(check_header(s, h));
    captls_result r = write_header(s, h, NULL, 0, &z->hlen);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return r;
    z->p = captls_base64url_encoded_len(z->hlen);
    z->q = captls_base64url_encoded_len(payload_len);
    if (payload_len != 0 && z->q == 0)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (z->q > ((size_t)-1) / 2 - 4096)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    z->total = L1 + z->p + L2 + z->q + L3 + 86 /* 64 bytes */ + L4;
    size_t staging = L1 + z->p + z->hlen; /* header JSON in the tail */
    z->need = z->total > staging ? z->total : staging;
    return CAPTLS_OK;
}

size_t captls_jws_sign_size(const captls_acme_signer *s,
                            const captls_jws_header *h, size_t payload_len)
{
    sizes z;
    if (compute_sizes(s, h, payload_len, &z) != CAPTLS_OK)
        return 0;
    return z.need;
}

captls_result captls_jws_sign(const captls_acme_signer *s,
                              const captls_jws_header *h,
                              const uint8_t *payload, size_t payload_len,
                              char *out, size_t cap, size_t *len)
{
    sizes z;
    size_t n = 0;
    if (len == NULL || (payload == NULL && payload_len != 0) ||
        (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(compute_sizes(s, h, payload_len, &z));
    if (cap < z.need) {
        *len = z.need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    /* 1. header JSON in the tail, encoded right after the prefix. */
    char *hjson = out + cap - z.hlen;
    CAPTLS_TRY(write_header(s, h, hjson, z.hlen, &n));
    memcpy(out, P1, L1);
    CAPTLS_TRY(captls_base64url_encode((const uint8_t *)hjson, z.hlen,
                                       out + L1, z.p, &n));
    /* 2. signing input (RFC 7515 §5.1 step 5):
     *    ASCII(BASE64URL(UTF8(Protected)) || '.' || BASE64URL(Payload)) */
    char *si = out + L1;
    si[z.p] = '.';
    CAPTLS_TRY(captls_base64url_encode(payload, payload_len, si + z.p + 1,
                                       z.q, &n));
    uint8_t sig[64];
    CAPTLS_TRY(captls_acme_sign_raw(s, (const uint8_t *)si, z.p + 1 + z.q,
                                    sig));
    /* 3. move the payload encoding into place and finish the object. */
    memmove(si + z.p + L2, si + z.p + 1, z.q);
    memcpy(si + z.p, P2, L2);
    char *t = si + z.p + L2 + z.q;
    memcpy(t, P3, L3);
    CAPTLS_TRY(captls_base64url_encode(sig, 64, t + L3, 86, &n));
    memcpy(t + L3 + 86, P4, L4);
    *len = z.total;
    return CAPTLS_OK;
}

/* ---- parsing --------------------------------------------------------- */

static captls_result member(const captls_json_doc *d, size_t obj,
                            const char *name, size_t *v)
{
    captls_result r = captls_json_object_get(d, obj, name, strlen(name), v);
    return r == CAPTLS_ERR_NOT_FOUND ? CAPTLS_ERR_MALFORMED : r;
}

static captls_result b64_member(const captls_json_doc *d, size_t obj,
                                const char *name, const char **p, size_t *n)
{
    size_t v;
    CAPTLS_TRY(member(d, obj, name, &v));
    if (captls_json_type_of(d, v) != CAPTLS_JSON_STRING)
        return CAPTLS_ERR_MALFORMED;
    /* base64url text never needs escapes: the raw bytes are the value
     * (an escaped character is not base64url and fails the check). */
    *p = d->text + d->tok[v].start;
    *n = d->tok[v].end - d->tok[v].start;
    size_t got;
    captls_result r = captls_base64url_decode(*p, *n, NULL, 0, &got);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return CAPTLS_ERR_MALFORMED;
    return CAPTLS_OK;
}

static captls_result copy_field(const captls_json_doc *d, size_t obj,
                                const char *name, char *out, size_t *n)
{
    size_t v;
    CAPTLS_TRY(member(d, obj, name, &v));
    if (captls_json_type_of(d, v) != CAPTLS_JSON_STRING)
        return CAPTLS_ERR_MALFORMED;
    captls_result r = captls_json_get_string(d, v, (uint8_t *)out,
                                             CAPTLS_JWS_MAX_FIELD, n);
    if (r == CAPTLS_ERR_BUFFER_TOO_SMALL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    CAPTLS_TRY(r);
    return *n == 0 ? CAPTLS_ERR_MALFORMED : CAPTLS_OK;
}

captls_result captls_jws_parse(const char *text, size_t len,
                               captls_json_token *tok, size_t tok_cap,
                               uint8_t *hdr_buf, size_t hdr_cap,
                               captls_jws_parsed *out)
{
    captls_json_doc d;
    captls_jws_parsed j;
    const char *sig_b64;
    size_t sig_len, v, n;
    if (out == NULL || (text == NULL && len) || tok == NULL ||
        (hdr_buf == NULL && hdr_cap))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    memset(&j, 0, sizeof(j));
    CAPTLS_TRY(captls_json_parse(text, len, tok, tok_cap, &d, NULL));
    /* RFC 7515 §7.2.2 members; RFC 8555 §6.2: no unprotected header. */
    if (captls_json_type_of(&d, 0) != CAPTLS_JSON_OBJECT || d.tok[0].size != 3)
        return CAPTLS_ERR_MALFORMED;
    CAPTLS_TRY(b64_member(&d, 0, "protected", &j.protected_b64, &j.protected_len));
    if (j.protected_len == 0)
        return CAPTLS_ERR_MALFORMED;
    CAPTLS_TRY(b64_member(&d, 0, "payload", &j.payload_b64, &j.payload_len));
    CAPTLS_TRY(b64_member(&d, 0, "signature", &sig_b64, &sig_len));
    if (captls_base64url_decoded_len(sig_len) != 64)
        return CAPTLS_ERR_BAD_SIGNATURE;
    CAPTLS_TRY(captls_base64url_decode(sig_b64, sig_len, j.sig, 64, &n));
    captls_result r = captls_base64url_decode(j.protected_b64, j.protected_len,
                                              hdr_buf, hdr_cap, &n);
    if (r == CAPTLS_ERR_BUFFER_TOO_SMALL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    CAPTLS_TRY(r);

    /* The protected header (the outer tokens are no longer needed). */
    captls_json_doc h;
    CAPTLS_TRY(captls_json_parse((const char *)hdr_buf, n, tok, tok_cap, &h,
                                 NULL));
    if (captls_json_type_of(&h, 0) != CAPTLS_JSON_OBJECT)
        return CAPTLS_ERR_MALFORMED;
    /* RFC 7515 §4.1.11: extensions in "crit" we do not understand make the
     * JWS invalid; we understand none. RFC 7797 "b64" changes the input. */
    if (captls_json_object_get(&h, 0, "crit", 4, &v) == CAPTLS_OK ||
        captls_json_object_get(&h, 0, "b64", 3, &v) == CAPTLS_OK)
        return CAPTLS_ERR_UNSUPPORTED;
    CAPTLS_TRY(member(&h, 0, "alg", &v));
    /* RFC 8555 §6.2: alg MUST NOT be "none" nor a MAC algorithm. */
    if (captls_json_string_equal(&h, v, "ES256", 5))
        j.alg = CAPTLS_ACME_SIG_ES256;
    else if (captls_json_string_equal(&h, v, "EdDSA", 5))
        j.alg = CAPTLS_ACME_SIG_EDDSA;
    else
        return CAPTLS_ERR_UNSUPPORTED;
    size_t jv, kv;
    bool has_jwk = captls_json_object_get(&h, 0, "jwk", 3, &jv) == CAPTLS_OK;
    bool has_kid = captls_json_object_get(&h, 0, "kid", 3, &kv) == CAPTLS_OK;
    /* RFC 8555 §6.2: exactly one of "jwk" and "kid". */
    if (has_jwk == has_kid)
        return CAPTLS_ERR_MALFORMED;
    if (has_jwk) {
        CAPTLS_TRY(captls_jwk_parse(&h, jv, &j.jwk));
        if (captls_acme_sig_alg_of(&j.jwk) != j.alg)
            return CAPTLS_ERR_MALFORMED;
        j.has_jwk = true;
    } else {
        CAPTLS_TRY(copy_field(&h, 0, "kid", j.kid, &j.kid_len));
    }
    /* §6.5: "nonce" is required and base64url (§6.5.1); §6.4: "url". */
    CAPTLS_TRY(copy_field(&h, 0, "nonce", j.nonce, &j.nonce_len));
    if (!captls_base64url_is_text(j.nonce, j.nonce_len))
        return CAPTLS_ERR_MALFORMED;
    CAPTLS_TRY(copy_field(&h, 0, "url", j.url, &j.url_len));
    *out = j;
    return CAPTLS_OK;
}

captls_result captls_jws_payload(const captls_jws_parsed *j, uint8_t *out,
                                 size_t cap, size_t *len)
{
    if (j == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return captls_base64url_decode(j->payload_b64, j->payload_len, out, cap,
                                   len);
}

captls_result captls_jws_verify(const captls_jws_parsed *j,
                                const captls_jwk *key, uint8_t *scratch,
                                size_t scratch_cap)
{
    if (j == NULL || key == NULL || (scratch == NULL && scratch_cap))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_acme_sig_alg_of(key) != j->alg || j->alg == CAPTLS_ACME_SIG_NONE)
        return CAPTLS_ERR_BAD_SIGNATURE;
    if (j->alg == CAPTLS_ACME_SIG_ES256) {
        captls_hash_ctx hc;
        uint8_t dg[CAPTLS_HASH_MAX_SIZE], point[65], der[CAPTLS_ACME_SIG_MAX];
        size_t dl = 0;
        CAPTLS_TRY(captls_hash_init(&hc, CAPTLS_HASH_SHA256));
        captls_hash_update(&hc, j->protected_b64, j->protected_len);
        captls_hash_update(&hc, ".", 1);
        captls_hash_update(&hc, j->payload_b64, j->payload_len);
        captls_hash_final(&hc, dg);
        CAPTLS_TRY(captls_jwk_p256_point(key, point));
        CAPTLS_TRY(captls_acme_ecdsa_raw_to_der(j->sig, der, &dl));
        return captls_ecdsa_verify_digest(CAPTLS_EC_P256, point, 65, dg, 32,
                                          der, dl);
    }
    size_t need = j->protected_len + 1 + j->payload_len;
    if (need > scratch_cap)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(scratch, j->protected_b64, j->protected_len);
    scratch[j->protected_len] = '.';
    memcpy(scratch + j->protected_len + 1, j->payload_b64, j->payload_len);
    captls_result r = captls_ed25519_verify(key->x, scratch, need, j->sig);
    return r == CAPTLS_ERR_MALFORMED ? CAPTLS_ERR_BAD_SIGNATURE : r;
}
