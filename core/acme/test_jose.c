/* Unit tests of core/acme/jwk.c, signer.c and jws.c: the RFC 7638 vector,
 * EC and OKP thumbprints recomputed with OpenSSL, JWK parsing refusals,
 * RFC 8555 key authorizations, JWS signing verified by OpenSSL (ECDSA over
 * the signing input, Ed25519), parse-back and verification, and the bad
 * paths of the JWS parser and of the signer callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/acme/jwk.h"
#include "core/acme/jws.h"
#include "core/acme/test_acme_keys.h"
#include "core/base/base64url.h"

static captls_json_token tok[256];

/* ---- OpenSSL-side base64url (independent of ours) -------------------- */

static size_t ossl_b64url(const uint8_t *in, size_t n, char *out)
{
    int l = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    while (l > 0 && out[l - 1] == '=')
        l--;
    for (int i = 0; i < l; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    out[l] = 0;
    return (size_t)l;
}

static size_t ossl_unb64url(const char *in, size_t n, uint8_t *out)
{
    char *t = malloc(n + 4);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        t[m++] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    size_t pad = (4 - m % 4) % 4;
    for (size_t i = 0; i < pad; i++)
        t[m++] = '=';
    int l = EVP_DecodeBlock(out, (unsigned char *)t, (int)m);
    free(t);
    assert_true(l >= 0);
    return (size_t)l - pad;
}

/* ---- JWK ---------------------------------------------------------------- */

static char *vector_value(const char *file, const char *key)
{
    static char buf[8192];
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    size_t kl = strlen(key);
    char *res = NULL;
    while (fgets(buf, sizeof(buf), f)) {
        if (strncmp(buf, key, kl) == 0 && buf[kl] == ':' && buf[kl + 1] == ' ') {
            res = strdup(buf + kl + 2);
            res[strcspn(res, "\r\n")] = 0;
            break;
        }
    }
    fclose(f);
    assert_non_null(res);
    return res;
}

static void test_rfc7638_vector(void **state)
{
    (void)state;
    const char *vf = "vectors/rfc7638-thumbprint.txt";
    char *jwk = vector_value(vf, "jwk");
    char *canon = vector_value(vf, "canonical_json");
    char *tp = vector_value(vf, "thumbprint");
    char *hex = vector_value(vf, "sha256");
    captls_json_doc d;
    uint8_t out[32], want[32];
    char b64[64];
    size_t n;
    assert_int_equal(captls_json_parse(jwk, strlen(jwk), tok, 256, &d, NULL), CAPTLS_OK);
    assert_int_equal(captls_jwk_thumbprint_json(&d, 0, out), CAPTLS_OK);
    for (size_t i = 0; i < 32; i++)
        sscanf(hex + 2 * i, "%2hhx", &want[i]);
    assert_memory_equal(out, want, 32);
    SHA256((const unsigned char *)canon, strlen(canon), want);
    assert_memory_equal(out, want, 32);
    assert_int_equal(captls_base64url_encode(out, 32, b64, sizeof(b64), &n), CAPTLS_OK);
    assert_int_equal(n, strlen(tp));
    assert_memory_equal(b64, tp, n);
    /* whitespace and member order do not change the thumbprint */
    const char *reordered = "{ \"kid\":\"x\", \"n\" : \"AQAB\", \"e\":\"AQAB\", \"kty\":\"RSA\" }";
    const char *plain = "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"AQAB\"}";
    assert_int_equal(captls_json_parse(reordered, strlen(reordered), tok, 256, &d, NULL), CAPTLS_OK);
    assert_int_equal(captls_jwk_thumbprint_json(&d, 0, out), CAPTLS_OK);
    SHA256((const unsigned char *)plain, strlen(plain), want);
    assert_memory_equal(out, want, 32);
    /* missing required member, unknown kty */
    const char *bad1 = "{\"kty\":\"RSA\",\"n\":\"AQAB\"}";
    assert_int_equal(captls_json_parse(bad1, strlen(bad1), tok, 256, &d, NULL), CAPTLS_OK);
    assert_int_equal(captls_jwk_thumbprint_json(&d, 0, out), CAPTLS_ERR_MALFORMED);
    const char *bad2 = "{\"kty\":\"oct\",\"k\":\"AQAB\"}";
    assert_int_equal(captls_json_parse(bad2, strlen(bad2), tok, 256, &d, NULL), CAPTLS_OK);
    assert_int_equal(captls_jwk_thumbprint_json(&d, 0, out), CAPTLS_ERR_UNSUPPORTED);
    free(jwk);
    free(canon);
    free(tp);
    free(hex);
}

static void test_jwk_thumbprints_vs_openssl(void **state)
{
    (void)state;
    for (int ec = 0; ec < 2; ec++) {
        test_key k;
        captls_acme_signer s;
        test_key_new(&k, &s, ec);
        char x[64], y[64], want_json[256];
        ossl_b64url(ec ? k.pub + 1 : k.pub, 32, x);
        if (ec) {
            ossl_b64url(k.pub + 33, 32, y);
            snprintf(want_json, sizeof(want_json),
                     "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
        } else {
            snprintf(want_json, sizeof(want_json),
                     "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
        }
        char json[CAPTLS_JWK_JSON_MAX];
        size_t n;
        assert_int_equal(captls_jwk_to_json(&s.pub, json, sizeof(json), &n), CAPTLS_OK);
        assert_int_equal(n, strlen(want_json));
        assert_memory_equal(json, want_json, n);
        uint8_t tp[32], want[32], tp2[32];
        SHA256((const unsigned char *)want_json, strlen(want_json), want);
        assert_int_equal(captls_jwk_thumbprint(&s.pub, tp), CAPTLS_OK);
        assert_memory_equal(tp, want, 32);
        /* the generic path agrees, and the JWK parses back to the key */
        captls_json_doc d;
        captls_jwk back;
        assert_int_equal(captls_json_parse(json, n, tok, 256, &d, NULL), CAPTLS_OK);
        assert_int_equal(captls_jwk_thumbprint_json(&d, 0, tp2), CAPTLS_OK);
        assert_memory_equal(tp2, want, 32);
        assert_int_equal(captls_jwk_parse(&d, 0, &back), CAPTLS_OK);
        assert_memory_equal(&back, &s.pub, sizeof(back));
        /* key authorization: token "." base64url(thumbprint) */
        const char *token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
        char ka[128], wantka[128], t64[64];
        ossl_b64url(want, 32, t64);
        snprintf(wantka, sizeof(wantka), "%s.%s", token, t64);
        assert_int_equal(captls_acme_key_authorization(token, strlen(token), &s.pub,
                                                       ka, sizeof(ka), &n), CAPTLS_OK);
        assert_int_equal(n, strlen(wantka));
        assert_memory_equal(ka, wantka, n);
        assert_int_equal(captls_acme_key_authorization(token, strlen(token), &s.pub,
                                                       ka, 10, &n),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(n, strlen(wantka));
        assert_int_equal(captls_acme_key_authorization("a/b", 3, &s.pub, ka,
                                                       sizeof(ka), &n),
                         CAPTLS_ERR_MALFORMED);
        assert_int_equal(captls_acme_key_authorization("ab=", 3, &s.pub, ka,
                                                       sizeof(ka), &n),
                         CAPTLS_ERR_MALFORMED);
        assert_int_equal(captls_acme_key_authorization("", 0, &s.pub, ka,
                                                       sizeof(ka), &n),
                         CAPTLS_ERR_MALFORMED);
        test_key_free(&k);
    }
}

static void test_jwk_refusals(void **state)
{
    (void)state;
    test_key k;
    captls_acme_signer s;
    test_key_new(&k, &s, true);
    char x[64], y[64], bady[64], doc[512];
    ossl_b64url(k.pub + 1, 32, x);
    ossl_b64url(k.pub + 33, 32, y);
    uint8_t yy[32];
    memcpy(yy, k.pub + 33, 32);
    yy[31] ^= 1;
    ossl_b64url(yy, 32, bady);
    struct {
        const char *fmt;
        captls_result want;
    } cases[] = {
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", CAPTLS_OK},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\",\"use\":\"sig\"}", CAPTLS_OK},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"q\":\"%s\"}", CAPTLS_ERR_MALFORMED},
        {"{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"%s\",\"y\":\"%s\"}", CAPTLS_ERR_UNSUPPORTED},
        {"{\"kty\":\"RSA\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", CAPTLS_ERR_UNSUPPORTED},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\",\"d\":\"AA\"}", CAPTLS_ERR_MALFORMED},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s=\"}", CAPTLS_ERR_MALFORMED},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%.40s\",\"y\":\"%s\"}", CAPTLS_ERR_INVALID_KEY},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1,\"y\":\"%s%s\"}", CAPTLS_ERR_MALFORMED},
        {"[\"%s\",\"%s\"]", CAPTLS_ERR_MALFORMED},
    };
    captls_json_doc d;
    captls_jwk out;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(doc, sizeof(doc), cases[i].fmt, x, y);
        assert_int_equal(captls_json_parse(doc, strlen(doc), tok, 256, &d, NULL), CAPTLS_OK);
        captls_result r = captls_jwk_parse(&d, 0, &out);
        if (r != cases[i].want)
            fail_msg("case %zu: %s", i, captls_result_name(r));
    }
    /* a point off the curve */
    snprintf(doc, sizeof(doc), cases[0].fmt, x, bady);
    assert_int_equal(captls_json_parse(doc, strlen(doc), tok, 256, &d, NULL), CAPTLS_OK);
    assert_int_equal(captls_jwk_parse(&d, 0, &out), CAPTLS_ERR_INVALID_KEY);
    uint8_t pt[65];
    memcpy(pt, k.pub, 65);
    pt[64] ^= 1;
    assert_int_equal(captls_jwk_from_p256(&out, pt, 65), CAPTLS_ERR_INVALID_KEY);
    pt[64] ^= 1;
    pt[0] = 0x02;
    assert_int_equal(captls_jwk_from_p256(&out, pt, 65), CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_jwk_from_p256(&out, k.pub, 64), CAPTLS_ERR_INVALID_KEY);
    test_key_free(&k);
}

/* ---- JWS ---------------------------------------------------------------- */

/* Extracts member `name` of our output with plain string search. */
static void extract(const char *jws, const char *name, const char **p, size_t *n)
{
    char pat[32];
    snprintf(pat, sizeof(pat), "\"%s\":\"", name);
    const char *s = strstr(jws, pat);
    assert_non_null(s);
    s += strlen(pat);
    *p = s;
    *n = (size_t)(strchr(s, '"') - s);
}

static void openssl_verify(const test_key *k, bool ec, const char *jws)
{
    const char *pp, *pl, *sg;
    size_t pn, ln, sn;
    extract(jws, "protected", &pp, &pn);
    extract(jws, "payload", &pl, &ln);
    extract(jws, "signature", &sg, &sn);
    char *input = malloc(pn + ln + 2);
    memcpy(input, pp, pn);
    input[pn] = '.';
    memcpy(input + pn + 1, pl, ln);
    uint8_t sig[128];
    size_t sl = ossl_unb64url(sg, sn, sig);
    assert_int_equal(sl, 64);
    uint8_t der[80];
    size_t dl = 64;
    const uint8_t *vsig = sig;
    if (ec) { /* RFC 7518 §3.4: R || S, 32 bytes each */
        ECDSA_SIG *es = ECDSA_SIG_new();
        ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
        unsigned char *q = der;
        dl = (size_t)i2d_ECDSA_SIG(es, &q);
        ECDSA_SIG_free(es);
        vsig = der;
    }
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(m, NULL, ec ? EVP_sha256() : NULL, NULL,
                                          k->pkey), 1);
    assert_int_equal(EVP_DigestVerify(m, vsig, dl, (const unsigned char *)input,
                                      pn + 1 + ln), 1);
    /* and a flipped byte of the signing input does not verify */
    input[0] ^= 1;
    EVP_MD_CTX_reset(m);
    assert_int_equal(EVP_DigestVerifyInit(m, NULL, ec ? EVP_sha256() : NULL, NULL,
                                          k->pkey), 1);
    assert_int_not_equal(EVP_DigestVerify(m, vsig, dl, (const unsigned char *)input,
                                          pn + 1 + ln), 1);
    EVP_MD_CTX_free(m);
    free(input);
}

static void test_jws_sign_verify(void **state)
{
    (void)state;
    static char out[8192];
    static uint8_t hdr[4096], scratch[8192], pay[4096];
    static captls_jws_parsed j;
    for (int ec = 0; ec < 2; ec++) {
        test_key k;
        captls_acme_signer s;
        test_key_new(&k, &s, ec);
        const char *payload = "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:a@example.org\"]}";
        captls_jws_header h = {"oFvnlFP1wIhRlYS2jTaXbA", 22,
                               "https://acme.example/new-acct", 29, NULL, 0};
        size_t n, need = captls_jws_sign_size(&s, &h, strlen(payload));
        assert_true(need > 0);
        assert_int_equal(captls_jws_sign(&s, &h, (const uint8_t *)payload,
                                         strlen(payload), out, need - 1, &n),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(n, need);
        assert_int_equal(captls_jws_sign(&s, &h, (const uint8_t *)payload,
                                         strlen(payload), out, need, &n), CAPTLS_OK);
        assert_true(n <= need);
        out[n] = 0;
        openssl_verify(&k, ec, out);
        /* the protected header, byte for byte */
        const char *pp;
        size_t pn;
        extract(out, "protected", &pp, &pn);
        uint8_t hj[1024];
        size_t hl = ossl_unb64url(pp, pn, hj);
        char jwk[CAPTLS_JWK_JSON_MAX], want[1024];
        size_t jl;
        assert_int_equal(captls_jwk_to_json(&s.pub, jwk, sizeof(jwk), &jl), CAPTLS_OK);
        snprintf(want, sizeof(want),
                 "{\"alg\":\"%s\",\"jwk\":%.*s,\"nonce\":\"oFvnlFP1wIhRlYS2jTaXbA\","
                 "\"url\":\"https://acme.example/new-acct\"}",
                 ec ? "ES256" : "EdDSA", (int)jl, jwk);
        assert_int_equal(hl, strlen(want));
        assert_memory_equal(hj, want, hl);
        /* parse back and verify with our code */
        assert_int_equal(captls_jws_parse(out, n, tok, 256, hdr, sizeof(hdr), &j), CAPTLS_OK);
        assert_int_equal(j.alg, ec ? CAPTLS_ACME_SIG_ES256 : CAPTLS_ACME_SIG_EDDSA);
        assert_true(j.has_jwk);
        assert_memory_equal(&j.jwk, &s.pub, sizeof(s.pub));
        assert_int_equal(j.nonce_len, 22);
        assert_memory_equal(j.url, "https://acme.example/new-acct", 29);
        assert_int_equal(captls_jws_verify(&j, &j.jwk, scratch, sizeof(scratch)), CAPTLS_OK);
        size_t pl;
        assert_int_equal(captls_jws_payload(&j, pay, sizeof(pay), &pl), CAPTLS_OK);
        assert_int_equal(pl, strlen(payload));
        assert_memory_equal(pay, payload, pl);
        /* another key does not verify */
        test_key k2;
        captls_acme_signer s2;
        test_key_new(&k2, &s2, ec);
        assert_int_equal(captls_jws_verify(&j, &s2.pub, scratch, sizeof(scratch)),
                         CAPTLS_ERR_BAD_SIGNATURE);
        test_key_free(&k2);
        /* a tampered payload does not verify */
        char *pl_at = strstr(out, "\"payload\":\"") + 11;
        pl_at[3] = pl_at[3] == 'A' ? 'B' : 'A';
        assert_int_equal(captls_jws_parse(out, n, tok, 256, hdr, sizeof(hdr), &j), CAPTLS_OK);
        assert_int_equal(captls_jws_verify(&j, &s.pub, scratch, sizeof(scratch)),
                         CAPTLS_ERR_BAD_SIGNATURE);

        /* kid form, POST-as-GET (empty payload) */
        captls_jws_header hk = {"bm9uY2U", 7, "https://acme.example/order/1", 28,
                                "https://acme.example/acct/7", 27};
        need = captls_jws_sign_size(&s, &hk, 0);
        assert_int_equal(captls_jws_sign(&s, &hk, NULL, 0, out, sizeof(out), &n), CAPTLS_OK);
        out[n] = 0;
        assert_non_null(strstr(out, "\"payload\":\"\""));
        openssl_verify(&k, ec, out);
        assert_int_equal(captls_jws_parse(out, n, tok, 256, hdr, sizeof(hdr), &j), CAPTLS_OK);
        assert_false(j.has_jwk);
        assert_int_equal(j.kid_len, 27);
        assert_memory_equal(j.kid, "https://acme.example/acct/7", 27);
        assert_int_equal(captls_jws_verify(&j, &s.pub, scratch, sizeof(scratch)), CAPTLS_OK);
        assert_int_equal(captls_jws_payload(&j, pay, sizeof(pay), &pl), CAPTLS_OK);
        assert_int_equal(pl, 0);
        if (!ec)
            assert_int_equal(captls_jws_verify(&j, &s.pub, scratch, 10),
                             CAPTLS_ERR_BUFFER_TOO_SMALL);

        /* header arguments */
        captls_jws_header bad = h;
        bad.nonce = "a+b";
        bad.nonce_len = 3;
        assert_int_equal(captls_jws_sign(&s, &bad, NULL, 0, out, sizeof(out), &n),
                         CAPTLS_ERR_MALFORMED);
        bad = h;
        bad.nonce_len = 0;
        assert_int_equal(captls_jws_sign(&s, &bad, NULL, 0, out, sizeof(out), &n),
                         CAPTLS_ERR_MALFORMED);
        bad = h;
        bad.url_len = 0;
        assert_int_equal(captls_jws_sign(&s, &bad, NULL, 0, out, sizeof(out), &n),
                         CAPTLS_ERR_MALFORMED);
        bad = h;
        bad.url_len = CAPTLS_JWS_MAX_FIELD + 1;
        assert_int_equal(captls_jws_sign(&s, &bad, NULL, 0, out, sizeof(out), &n),
                         CAPTLS_ERR_LIMIT_EXCEEDED);
        /* the signer's refusal comes back unchanged; a bad DER is refused */
        k.force = CAPTLS_ERR_NO_AUTHORITY;
        assert_int_equal(captls_jws_sign(&s, &h, NULL, 0, out, sizeof(out), &n),
                         CAPTLS_ERR_NO_AUTHORITY);
        k.force = CAPTLS_OK;
        if (ec) {
            k.corrupt = 1;
            assert_int_equal(captls_jws_sign(&s, &h, NULL, 0, out, sizeof(out), &n),
                             CAPTLS_ERR_BAD_SIGNATURE);
            k.corrupt = 0;
        }
        captls_acme_signer none = s;
        none.pub.type = CAPTLS_JWK_NONE;
        assert_int_equal(captls_jws_sign(&none, &h, NULL, 0, out, sizeof(out), &n),
                         CAPTLS_ERR_UNSUPPORTED);
        test_key_free(&k);
    }
}

/* A JWS around a hand-written protected header (signature of 64 zero
 * bytes unless sig64 is given). */
static size_t make_jws(char *out, size_t cap, const char *hdr, const char *payload,
                       const char *extra)
{
    char h64[1024], p64[1024], s64[128];
    uint8_t zero[64] = {0};
    ossl_b64url((const uint8_t *)hdr, strlen(hdr), h64);
    ossl_b64url((const uint8_t *)payload, strlen(payload), p64);
    ossl_b64url(zero, 64, s64);
    return (size_t)snprintf(out, cap,
                            "{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"%s}",
                            h64, p64, s64, extra);
}

static void test_jws_parse_refusals(void **state)
{
    (void)state;
    static char buf[4096];
    static uint8_t hdr[2048];
    static captls_jws_parsed j;
    test_key k;
    captls_acme_signer s;
    test_key_new(&k, &s, true);
    char jwk[CAPTLS_JWK_JSON_MAX];
    size_t jl;
    assert_int_equal(captls_jwk_to_json(&s.pub, jwk, sizeof(jwk), &jl), CAPTLS_OK);
    jwk[jl] = 0;
    char okp[] = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
    struct {
        const char *hdr_fmt;
        const char *extra;
        captls_result want;
        const char *why;
    } cases[] = {
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", "", CAPTLS_OK, "baseline"},
        {"{\"alg\":\"ES256\",\"kid\":\"k\",\"nonce\":\"abc\",\"url\":\"u\",\"x\":%s}", "", CAPTLS_OK, "unknown member ignored"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"kid\":\"k\",\"nonce\":\"abc\",\"url\":\"u\"}", "", CAPTLS_ERR_MALFORMED, "jwk and kid"},
        {"{\"alg\":\"ES256\",\"nonce\":\"abc\",\"url\":\"u\",\"x\":%s}", "", CAPTLS_ERR_MALFORMED, "neither jwk nor kid"},
        {"{\"alg\":\"none\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", "", CAPTLS_ERR_UNSUPPORTED, "alg none"},
        {"{\"alg\":\"HS256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", "", CAPTLS_ERR_UNSUPPORTED, "MAC alg"},
        {"{\"alg\":\"RS256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", "", CAPTLS_ERR_UNSUPPORTED, "RSA alg"},
        {"{\"alg\":\"EdDSA\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", "", CAPTLS_ERR_MALFORMED, "alg/key mismatch"},
        {"{\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", "", CAPTLS_ERR_MALFORMED, "no alg"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"url\":\"u\"}", "", CAPTLS_ERR_MALFORMED, "no nonce"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"a/c\",\"url\":\"u\"}", "", CAPTLS_ERR_MALFORMED, "nonce not base64url"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"\",\"url\":\"u\"}", "", CAPTLS_ERR_MALFORMED, "empty nonce"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\"}", "", CAPTLS_ERR_MALFORMED, "no url"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":7}", "", CAPTLS_ERR_MALFORMED, "url not a string"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\",\"crit\":[\"b64\"],\"b64\":false}", "", CAPTLS_ERR_UNSUPPORTED, "crit"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\",\"alg\":\"ES256\"}", "", CAPTLS_ERR_MALFORMED, "duplicate alg"},
        {"[\"alg\",%s]", "", CAPTLS_ERR_MALFORMED, "header not an object"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", ",\"header\":{}", CAPTLS_ERR_MALFORMED, "unprotected header"},
        {"{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"", "", CAPTLS_ERR_MALFORMED, "truncated header JSON"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char h[1024];
        snprintf(h, sizeof(h), cases[i].hdr_fmt, i == 7 ? jwk : jwk);
        size_t n = make_jws(buf, sizeof(buf), h, "{}", cases[i].extra);
        captls_result r = captls_jws_parse(buf, n, tok, 256, hdr, sizeof(hdr), &j);
        if (r != cases[i].want)
            fail_msg("case %zu (%s): %s", i, cases[i].why, captls_result_name(r));
    }
    /* an OKP key with alg ES256 */
    char h[512];
    snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", okp);
    size_t n = make_jws(buf, sizeof(buf), h, "", "");
    assert_int_equal(captls_jws_parse(buf, n, tok, 256, hdr, sizeof(hdr), &j), CAPTLS_ERR_MALFORMED);
    /* outer object shapes */
    const char *outer[] = {
        "{\"protected\":\"e30\",\"payload\":\"\"}",
        "{\"protected\":\"e30\",\"payload\":\"\",\"signature\":\"AA\",\"x\":1}",
        "{\"protected\":\"e30\",\"payload\":\"\",\"signatures\":[]}",
        "{\"protected\":\"e30=\",\"payload\":\"\",\"signature\":\"AA\"}",
        "{\"protected\":\"\",\"payload\":\"\",\"signature\":\"AA\"}",
        "{\"protected\":1,\"payload\":\"\",\"signature\":\"AA\"}",
        "e30.e30.AA",
    };
    for (size_t i = 0; i < sizeof(outer) / sizeof(outer[0]); i++)
        if (captls_jws_parse(outer[i], strlen(outer[i]), tok, 256, hdr, sizeof(hdr), &j) !=
            CAPTLS_ERR_MALFORMED)
            fail_msg("outer case %zu accepted", i);
    /* a 63-byte signature */
    snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"jwk\":%s,\"nonce\":\"abc\",\"url\":\"u\"}", jwk);
    n = make_jws(buf, sizeof(buf), h, "", "");
    char *sig = strstr(buf, "\"signature\":\"") + 13;
    memcpy(sig + 84, "\"}", 3);
    assert_int_equal(captls_jws_parse(buf, strlen(buf), tok, 256, hdr, sizeof(hdr), &j),
                     CAPTLS_ERR_BAD_SIGNATURE);
    /* header larger than the scratch given */
    n = make_jws(buf, sizeof(buf), h, "", "");
    assert_int_equal(captls_jws_parse(buf, n, tok, 256, hdr, 16, &j), CAPTLS_ERR_LIMIT_EXCEEDED);
    /* all-zero signature parses, never verifies */
    assert_int_equal(captls_jws_parse(buf, n, tok, 256, hdr, sizeof(hdr), &j), CAPTLS_OK);
    assert_int_not_equal(captls_jws_verify(&j, &s.pub, NULL, 0), CAPTLS_OK);
    test_key_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7638_vector),
        cmocka_unit_test(test_jwk_thumbprints_vs_openssl),
        cmocka_unit_test(test_jwk_refusals),
        cmocka_unit_test(test_jws_sign_verify),
        cmocka_unit_test(test_jws_parse_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
