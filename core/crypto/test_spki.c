/* Unit tests of core/crypto/spki.c against OpenSSL's view of the same keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "conformance/testkit.h"
#include "core/crypto/spki.h"
#include "core/crypto/test_vectors.h"

static size_t pubkey_der(EVP_PKEY *k, uint8_t *out, size_t cap)
{
    int n = i2d_PUBKEY(k, NULL);
    assert_true(n > 0 && (size_t)n <= cap);
    uint8_t *p = out;
    assert_int_equal(i2d_PUBKEY(k, &p), n);
    return (size_t)n;
}

/* Parse, compare with OpenSSL, re-encode, and try truncations/extensions. */
static void check_key(EVP_PKEY *k, captls_key_type want)
{
    uint8_t der[2048], enc[2048], ref[1024];
    size_t n = pubkey_der(k, der, sizeof(der)), len = 0;
    captls_public_key pk;
    captls_der_error e;
    assert_int_equal(captls_spki_parse(der, n, &pk, &e), CAPTLS_OK);
    assert_int_equal(pk.type, want);
    assert_ptr_equal(pk.spki.ptr, der);
    assert_int_equal(pk.spki.len, n);
    switch (want) {
    case CAPTLS_KEY_RSA: {
        BIGNUM *bn = NULL, *be = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &bn), 1);
        assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &be), 1);
        int nl = BN_bn2bin(bn, ref);
        assert_int_equal(pk.rsa_n.len, nl);
        assert_memory_equal(pk.rsa_n.ptr, ref, nl);
        int el = BN_bn2bin(be, ref);
        assert_int_equal(pk.rsa_e.len, el);
        assert_memory_equal(pk.rsa_e.ptr, ref, el);
        assert_int_equal(pk.rsa_bits, EVP_PKEY_get_bits(k));
        BN_free(bn);
        BN_free(be);
        break;
    }
    case CAPTLS_KEY_EC_P256:
    case CAPTLS_KEY_EC_P384: {
        size_t pl = 0;
        assert_int_equal(EVP_PKEY_get_octet_string_param(
                             k, OSSL_PKEY_PARAM_PUB_KEY, ref, sizeof(ref), &pl),
                         1);
        assert_int_equal(pk.point.len, pl);
        assert_memory_equal(pk.point.ptr, ref, pl);
        break;
    }
    default: {
        size_t pl = sizeof(ref);
        assert_int_equal(EVP_PKEY_get_raw_public_key(k, ref, &pl), 1);
        assert_int_equal(pk.point.len, 32);
        assert_memory_equal(pk.point.ptr, ref, 32);
        break;
    }
    }
    /* canonical re-encoding, also from a hand-made copy (no spki slice) */
    assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len), CAPTLS_OK);
    assert_int_equal(len, n);
    assert_memory_equal(enc, der, n);
    captls_public_key copy = pk;
    copy.spki.ptr = NULL;
    copy.spki.len = 0;
    memset(enc, 0, sizeof(enc));
    assert_int_equal(captls_spki_encode(&copy, enc, sizeof(enc), &len), CAPTLS_OK);
    assert_memory_equal(enc, der, n);
    /* too small: size reported, nothing written */
    memset(enc, 0xEE, sizeof(enc));
    assert_int_equal(captls_spki_encode(&pk, enc, n - 1, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(enc[i], 0xEE);
    /* every truncation fails, without touching the output */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *t = malloc(cut + 1);
        memcpy(t, der, cut);
        captls_public_key o;
        memset(&o, 0xAB, sizeof(o));
        assert_int_not_equal(captls_spki_parse(t, cut, &o, NULL), CAPTLS_OK);
        assert_int_equal(((uint8_t *)&o)[0], 0xAB);
        free(t);
    }
    /* extended by one byte: trailing data */
    der[n] = 0;
    assert_int_equal(captls_spki_parse(der, n + 1, &pk, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "trailing data");
    assert_int_equal(e.offset, n);
}

static void test_openssl_keys(void **state)
{
    (void)state;
    struct { const char *alg, *param; int v; captls_key_type t; } ks[] = {
        {"RSA", "bits", 2048, CAPTLS_KEY_RSA},
        {"RSA", "bits", 4096, CAPTLS_KEY_RSA},
        {"RSA", "bits", 1024, CAPTLS_KEY_RSA},
        {"EC", "P-256", 0, CAPTLS_KEY_EC_P256},
        {"EC", "P-384", 0, CAPTLS_KEY_EC_P384},
        {"ED25519", NULL, 0, CAPTLS_KEY_ED25519},
        {"X25519", NULL, 0, CAPTLS_KEY_X25519},
    };
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
        for (int rep = 0; rep < (ks[i].v >= 4096 ? 1 : 4); rep++) {
            EVP_PKEY *k = captls_test_keygen(ks[i].alg, ks[i].param, ks[i].v);
            check_key(k, ks[i].t);
            EVP_PKEY_free(k);
        }
    }
}

static void test_vector_files(void **state)
{
    (void)state;
    uint8_t der[2048], enc[2048];
    size_t n, len;
    captls_public_key pk;
    n = captls_test_slurp("vectors/keys/rsapss2048.pub.der", der, sizeof(der));
    assert_int_equal(captls_spki_parse(der, n, &pk, NULL), CAPTLS_OK);
    assert_int_equal(pk.type, CAPTLS_KEY_RSA_PSS);
    assert_false(pk.pss_restricted);
    assert_int_equal(pk.rsa_bits, 2048);
    assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len), CAPTLS_OK);
    assert_int_equal(len, n);
    assert_memory_equal(enc, der, n);
    n = captls_test_slurp("vectors/keys/rsapss2048-sha256.pub.der", der, sizeof(der));
    assert_int_equal(captls_spki_parse(der, n, &pk, NULL), CAPTLS_OK);
    assert_int_equal(pk.type, CAPTLS_KEY_RSA_PSS);
    assert_true(pk.pss_restricted);
    assert_int_equal(pk.pss.hash, CAPTLS_HASH_SHA256);
    assert_int_equal(pk.pss.mgf1_hash, CAPTLS_HASH_SHA256);
    assert_int_equal(pk.pss.salt_len, 32);
    assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len), CAPTLS_OK);
    assert_memory_equal(enc, der, n);
    /* structural re-encoding of the PSS parameters is identical too */
    pk.pss_params_der.len = 0;
    assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len), CAPTLS_OK);
    assert_int_equal(len, n);
    assert_memory_equal(enc, der, n);
    static const char *files[] = {"rsa2048", "p256", "p384", "ed25519", "x25519"};
    for (size_t i = 0; i < 5; i++) {
        char path[128];
        snprintf(path, sizeof(path), "vectors/keys/%s.pub.der", files[i]);
        n = captls_test_slurp(path, der, sizeof(der));
        assert_int_equal(captls_spki_parse(der, n, &pk, NULL), CAPTLS_OK);
    }
}

/* ---- hand-made SPKIs for the refusals --------------------------------- */

static const uint8_t oid_secp256k1[] = {0x2B, 0x81, 0x04, 0x00, 0x0A};
static const uint8_t oid_dsa[] = {0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x01};

/* SEQUENCE { SEQUENCE { oid, params(raw) }, BIT STRING(unused, key) } */
static size_t spki(uint8_t *out, size_t cap, const uint8_t *oid, size_t oidlen,
                   const uint8_t *params, size_t plen, const uint8_t *key,
                   size_t klen, unsigned unused)
{
    captls_der_writer w;
    size_t len;
    uint8_t u = (uint8_t)unused;
    captls_der_writer_init(&w, out, cap);
    size_t m0 = captls_der_writer_mark(&w);
    size_t m1 = captls_der_writer_mark(&w);
    captls_der_write_raw(&w, key, klen);
    captls_der_write_raw(&w, &u, 1);
    captls_der_write_wrap(&w, CAPTLS_DER_BIT_STRING, m1);
    m1 = captls_der_writer_mark(&w);
    captls_der_write_raw(&w, params, plen);
    captls_der_write_oid(&w, oid, oidlen);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m1);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m0);
    assert_int_equal(captls_der_writer_finish(&w, &len), CAPTLS_OK);
    return len;
}

/* RSAPublicKey from raw INTEGER contents (not normalised). */
static size_t rsa_body(uint8_t *out, size_t cap, const uint8_t *n, size_t nl,
                       const uint8_t *e, size_t el)
{
    captls_der_writer w;
    size_t len;
    captls_der_writer_init(&w, out, cap);
    captls_der_write_tlv(&w, CAPTLS_DER_INTEGER, e, el);
    captls_der_write_tlv(&w, CAPTLS_DER_INTEGER, n, nl);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, 0);
    assert_int_equal(captls_der_writer_finish(&w, &len), CAPTLS_OK);
    return len;
}

static captls_result parse(const uint8_t *p, size_t n)
{
    captls_public_key pk;
    captls_der_error e;
    captls_result r = captls_spki_parse(p, n, &pk, &e);
    if (r != CAPTLS_OK) {
        assert_int_equal(e.code, r);
        assert_true(e.offset < n);
    }
    return r;
}

static void test_ec_refusals(void **state)
{
    (void)state;
    static const uint8_t null[] = {0x05, 0x00};
    uint8_t der[512], pt[97], p256oid[10], p384oid[7];
    size_t n, pl = 0;
    EVP_PKEY *k = captls_test_keygen("EC", "P-256", 0);
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
                                                     pt, sizeof(pt), &pl), 1);
    EVP_PKEY_free(k);
    assert_int_equal(pl, 65);
    p256oid[0] = 0x06; p256oid[1] = 8;
    memcpy(p256oid + 2, captls_oid_prime256v1, 8);
    p384oid[0] = 0x06; p384oid[1] = 5;
    memcpy(p384oid + 2, captls_oid_secp384r1, 5);
    /* the good one */
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, pt, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_OK);
    /* compressed */
    uint8_t c[33];
    c[0] = (uint8_t)(0x02 | (pt[64] & 1));
    memcpy(c + 1, pt + 1, 32);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, c, 33, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    /* wrong curve: secp256k1, and P-384 with a P-256 point */
    uint8_t k1[7] = {0x06, 0x05};
    memcpy(k1 + 2, oid_secp256k1, 5);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, k1, 7, pt, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p384oid, 7, pt, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    /* explicit / implicit parameters, missing parameters */
    static const uint8_t explicit_params[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, explicit_params, 5,
             pt, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, null, 2, pt, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, NULL, 0, pt, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    /* curve OID followed by extra parameters */
    uint8_t two[12];
    memcpy(two, p256oid, 10);
    memcpy(two + 10, null, 2);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, two, 12, pt, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    /* off the curve */
    uint8_t bad[65];
    memcpy(bad, pt, 65);
    bad[64] ^= 1;
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, bad, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    /* x = p (not reduced) */
    static const uint8_t p256_p[32] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF};
    memcpy(bad + 1, p256_p, 32);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, bad, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    /* all-zero point, infinity, wrong lengths, hybrid */
    memset(bad, 0, sizeof(bad));
    bad[0] = 4;
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, bad, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, bad + 1, 1, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, pt, 64, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, pt, 0, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    memcpy(bad, pt, 65);
    bad[0] = 0x06;
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, bad, 65, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    /* BIT STRING with unused bits */
    bad[0] = 4;
    bad[64] &= 0xF0;
    n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, p256oid, 10, bad, 65, 4);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
}

/* ---- P-256 / P-384 points at the edges of the field (ec_point_check.c;
 * test_ec_point_check.c holds the 2,000-random-point comparison). The
 * valid points below were computed with Python (y = sqrt(x^3 - 3x + b),
 * p = 3 mod 4) and are confirmed by the parser accepting them. */

/* out = a - b (big-endian, len bytes, a >= b) */
static void sub_be(uint8_t *out, const uint8_t *a, const uint8_t *b,
                   size_t len)
{
    int borrow = 0;
    for (size_t i = len; i-- > 0;) {
        int d = a[i] - b[i] - borrow;
        borrow = d < 0;
        out[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

static captls_result ec_parse(size_t len, const uint8_t *x, const uint8_t *y)
{
    uint8_t pt[97], params[10], der[256];
    pt[0] = 4;
    memcpy(pt + 1, x, len);
    memcpy(pt + 1 + len, y, len);
    params[0] = 0x06;
    if (len == 32) {
        params[1] = 8;
        memcpy(params + 2, captls_oid_prime256v1, 8);
    } else {
        params[1] = 5;
        memcpy(params + 2, captls_oid_secp384r1, 5);
    }
    size_t n = spki(der, sizeof(der), captls_oid_ec_public_key, 7, params,
                    (size_t)params[1] + 2, pt, 1 + 2 * len, 0);
    return parse(der, n);
}

static void test_ec_edge_points(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *p;
        const char *y_at_0;  /* y of the point with x = 0 */
        int edge_off;        /* another x = p - edge_off on the curve */
        const char *y_at_edge;
    } rows[] = {
        {32,
         "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
         "66485c780e2f83d72433bd5d84a06bb6541c2af31dae871728bf856a174f93f4",
         3,
         "19719bebf6aea13f25c96dfd7c71f5225d4c8fc09eb5a0ab9f39e9178e55c121"},
        {48,
         "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
         "ffffffff0000000000000000ffffffff",
         "3cf99ef04f51a5ea630ba3f9f960dd593a14c9be39fd2bd215d3b4b08aaaf86b"
         "bf927f2c46e52ab06fb742b8850e521e",
         1,
         "732152442fb6ee5c3e6ce1d920c059bc623563814d79042b903ce60f1d4487fc"
         "cd450a86da03f3e6ed525d02017bfdb3"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        size_t l = rows[i].len == 48 ? 48 : 32;
        uint8_t p[48], pm1[48], zero[48], y0[48], ny0[48], xe[48], ye[48],
            nye[48], k[48];
        tv_hex_into(rows[i].p, p, l);
        tv_hex_into(rows[i].y_at_0, y0, l);
        tv_hex_into(rows[i].y_at_edge, ye, l);
        memset(zero, 0, sizeof(zero));
        memset(k, 0, sizeof(k));
        k[l - 1] = 1;
        sub_be(pm1, p, k, l);
        k[l - 1] = (uint8_t)rows[i].edge_off;
        sub_be(xe, p, k, l);
        sub_be(ny0, p, y0, l);
        sub_be(nye, p, ye, l);
        /* on the curve: (0, +-y0), (p - off, +-ye) */
        assert_int_equal(ec_parse(l, zero, y0), CAPTLS_OK);
        assert_int_equal(ec_parse(l, zero, ny0), CAPTLS_OK);
        assert_int_equal(ec_parse(l, xe, ye), CAPTLS_OK);
        assert_int_equal(ec_parse(l, xe, nye), CAPTLS_OK);
        /* x = p is x = 0 modulo p: the same residues, not reduced */
        assert_int_equal(ec_parse(l, p, y0), CAPTLS_ERR_INVALID_KEY);
        /* y = p, p - 1, 0; x = p - 1 (P-256: no point), 0 with y = 1 */
        assert_int_equal(ec_parse(l, zero, p), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, zero, pm1), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, zero, zero), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, xe, zero), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, xe, p), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, xe, pm1), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, p, p), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, pm1, pm1), CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(ec_parse(l, zero, k), CAPTLS_ERR_INVALID_KEY);
        if (l == 32)
            assert_int_equal(ec_parse(l, pm1, y0), CAPTLS_ERR_INVALID_KEY);
        /* one off in y */
        y0[l - 1] ^= 1;
        assert_int_equal(ec_parse(l, zero, y0), CAPTLS_ERR_INVALID_KEY);
    }
    /* a P-384 key from OpenSSL, then its y with one bit flipped */
    uint8_t pt[97];
    size_t pl = 0;
    EVP_PKEY *key = captls_test_keygen("EC", "P-384", 0);
    assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
                                                     pt, sizeof(pt), &pl), 1);
    EVP_PKEY_free(key);
    assert_int_equal(pl, 97);
    assert_int_equal(ec_parse(48, pt + 1, pt + 49), CAPTLS_OK);
    pt[96] ^= 1;
    assert_int_equal(ec_parse(48, pt + 1, pt + 49), CAPTLS_ERR_INVALID_KEY);
}

static void test_rsa_and_other_refusals(void **state)
{
    (void)state;
    static const uint8_t null[] = {0x05, 0x00};
    uint8_t mod[257], body[600], der[800];
    static const uint8_t e65537[] = {0x01, 0x00, 0x01};
    size_t bl, n;
    mod[0] = 0x00;
    memset(mod + 1, 0xC3, 256); /* 2048 bits, odd */
    bl = rsa_body(body, sizeof(body), mod, 257, e65537, 3);
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_OK);
    /* parameters absent, or not NULL */
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, NULL, 0, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    static const uint8_t oidparam[] = {0x06, 0x01, 0x2A};
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, oidparam, 3, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    /* negative modulus (no sign byte) */
    bl = rsa_body(body, sizeof(body), mod + 1, 256, e65537, 3);
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    /* non-minimal modulus */
    uint8_t mod2[258] = {0};
    memcpy(mod2 + 1, mod, 257);
    bl = rsa_body(body, sizeof(body), mod2, 258, e65537, 3);
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    /* even modulus, e = 1, even e, e too big, tiny modulus */
    mod[256] = 0xC2;
    bl = rsa_body(body, sizeof(body), mod, 257, e65537, 3);
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    mod[256] = 0xC3;
    bl = rsa_body(body, sizeof(body), mod, 257, (const uint8_t *)"\x01", 1);
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    bl = rsa_body(body, sizeof(body), mod, 257, (const uint8_t *)"\x01\x00\x00", 3);
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    bl = rsa_body(body, sizeof(body), mod, 257,
                  (const uint8_t *)"\x00\x80\x00\x00\x01", 5);
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    bl = rsa_body(body, sizeof(body), mod, 65, e65537, 3); /* 512 bits */
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    /* trailing data inside the RSAPublicKey BIT STRING */
    bl = rsa_body(body, sizeof(body), mod, 257, e65537, 3);
    body[bl] = 0x00;
    n = spki(der, sizeof(der), captls_oid_rsa_encryption, 9, null, 2, body, bl + 1, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);

    /* 8192 bits is the largest modulus; its SPKI fits the published bound */
    static uint8_t m8k[1026], b8k[1100], d8k[1200];
    m8k[0] = 0;
    memset(m8k + 1, 0xFF, 1024);
    size_t b8 = rsa_body(b8k, sizeof(b8k), m8k, 1025,
                         (const uint8_t *)"\x7F\xFF\xFF\xFF", 4);
    n = spki(d8k, sizeof(d8k), captls_oid_rsa_encryption, 9, null, 2, b8k, b8, 0);
    assert_int_equal(parse(d8k, n), CAPTLS_OK);
    assert_true(n <= CAPTLS_SPKI_MAX_SIZE);
    m8k[1] = 0x01;
    m8k[0] = 0x00;
    memmove(m8k + 1, m8k, 1025); /* 0x00 0x00 0x01 ...: shift to 8193 bits */
    m8k[0] = 0x01;
    m8k[1] = 0xFF;
    b8 = rsa_body(b8k, sizeof(b8k), m8k, 1026, e65537, 3);
    n = spki(d8k, sizeof(d8k), captls_oid_rsa_encryption, 9, null, 2, b8k, b8, 0);
    assert_int_equal(parse(d8k, n), CAPTLS_ERR_LIMIT_EXCEEDED);

    /* Ed25519 / X25519: parameters must be absent; 32 bytes */
    uint8_t key[33] = {0};
    n = spki(der, sizeof(der), captls_oid_ed25519, 3, NULL, 0, key, 32, 0);
    assert_int_equal(parse(der, n), CAPTLS_OK);
    n = spki(der, sizeof(der), captls_oid_ed25519, 3, null, 2, key, 32, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_MALFORMED);
    n = spki(der, sizeof(der), captls_oid_x25519, 3, NULL, 0, key, 31, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    n = spki(der, sizeof(der), captls_oid_x25519, 3, NULL, 0, key, 33, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_INVALID_KEY);
    /* unknown algorithm */
    n = spki(der, sizeof(der), oid_dsa, sizeof(oid_dsa), NULL, 0, key, 32, 0);
    assert_int_equal(parse(der, n), CAPTLS_ERR_UNSUPPORTED);
    /* not a SEQUENCE at all, BER indefinite length */
    static const uint8_t ber[] = {0x30, 0x80, 0x00, 0x00};
    assert_int_equal(parse(ber, sizeof(ber)), CAPTLS_ERR_MALFORMED);
}

/* RSASSA-PSS-params variants. */
static void test_pss_params(void **state)
{
    (void)state;
    uint8_t mod[257], body[600], der[900], params[128];
    static const uint8_t e65537[] = {0x01, 0x00, 0x01};
    mod[0] = 0;
    memset(mod + 1, 0xC3, 256);
    size_t bl = rsa_body(body, sizeof(body), mod, 257, e65537, 3);
    struct { int salt; int trailer; int hash; int omit_hash; captls_result want; } cases[] = {
        {32, -1, 256, 0, CAPTLS_OK},
        {-1, -1, 384, 0, CAPTLS_OK},               /* default salt 20 */
        {20, -1, 256, 0, CAPTLS_ERR_MALFORMED},    /* DEFAULT encoded */
        {32, 1, 256, 0, CAPTLS_ERR_MALFORMED},     /* DEFAULT encoded */
        {32, 2, 256, 0, CAPTLS_ERR_UNSUPPORTED},
        {32, -1, 1, 0, CAPTLS_ERR_UNSUPPORTED},    /* SHA-1 */
        {32, -1, 256, 1, CAPTLS_ERR_UNSUPPORTED},  /* default SHA-1 */
    };
    static const uint8_t sha1[] = {0x2B, 0x0E, 0x03, 0x02, 0x1A};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        captls_der_writer w;
        size_t pl, m;
        captls_der_writer_init(&w, params, sizeof(params));
        if (cases[i].trailer >= 0) {
            m = captls_der_writer_mark(&w);
            captls_der_write_int64(&w, cases[i].trailer);
            captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT(3), m);
        }
        if (cases[i].salt >= 0) {
            m = captls_der_writer_mark(&w);
            captls_der_write_int64(&w, cases[i].salt);
            captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT(2), m);
        }
        const uint8_t *h = cases[i].hash == 256 ? captls_oid_sha256
                           : cases[i].hash == 384 ? captls_oid_sha384 : sha1;
        size_t hl = cases[i].hash == 1 ? 5 : 9;
        m = captls_der_writer_mark(&w);
        size_t m2 = captls_der_writer_mark(&w);
        captls_der_write_oid(&w, h, hl);      /* MGF1 hash, params absent */
        captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m2);
        captls_der_write_oid(&w, captls_oid_mgf1, 9);
        captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m);
        captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT(1), m);
        if (!cases[i].omit_hash) {
            m = captls_der_writer_mark(&w);
            captls_der_write_null(&w);
            captls_der_write_oid(&w, h, hl);
            captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m);
            captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT(0), m);
        }
        captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, 0);
        assert_int_equal(captls_der_writer_finish(&w, &pl), CAPTLS_OK);
        size_t n = spki(der, sizeof(der), captls_oid_rsassa_pss, 9, params, pl,
                        body, bl, 0);
        captls_public_key pk;
        captls_result r = captls_spki_parse(der, n, &pk, NULL);
        if (r != cases[i].want)
            fail_msg("case %zu: got %s", i, captls_result_name(r));
        if (r == CAPTLS_OK) {
            assert_true(pk.pss_restricted);
            assert_int_equal(pk.pss.salt_len, cases[i].salt < 0 ? 20 : cases[i].salt);
            assert_int_equal(pk.pss.hash, cases[i].hash == 256 ? CAPTLS_HASH_SHA256
                                                               : CAPTLS_HASH_SHA384);
            /* the MGF1 hash with absent parameters re-encodes raw */
            uint8_t enc[900];
            size_t len;
            assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len),
                             CAPTLS_OK);
            assert_int_equal(len, n);
            assert_memory_equal(enc, der, n);
        }
    }
}

static void test_encode_by_hand_matches_openssl(void **state)
{
    (void)state;
    uint8_t raw[32], ref[128], enc[128];
    for (size_t i = 0; i < 32; i++)
        raw[i] = (uint8_t)(i * 7 + 1);
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);
    assert_non_null(k);
    size_t rn = pubkey_der(k, ref, sizeof(ref)), len;
    EVP_PKEY_free(k);
    captls_public_key pk;
    memset(&pk, 0, sizeof(pk));
    pk.type = CAPTLS_KEY_ED25519;
    pk.point.ptr = raw;
    pk.point.len = 32;
    assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len), CAPTLS_OK);
    assert_int_equal(len, rn);
    assert_memory_equal(enc, ref, rn);
    assert_int_equal(captls_spki_encode(&pk, NULL, 0, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, rn);
    pk.point.len = 31;
    assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    pk.type = CAPTLS_KEY_NONE;
    assert_int_equal(captls_spki_encode(&pk, enc, sizeof(enc), &len),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_keys),
        cmocka_unit_test(test_vector_files),
        cmocka_unit_test(test_ec_refusals),
        cmocka_unit_test(test_ec_edge_points),
        cmocka_unit_test(test_rsa_and_other_refusals),
        cmocka_unit_test(test_pss_params),
        cmocka_unit_test(test_encode_by_hand_matches_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
