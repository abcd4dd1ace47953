/* Unit tests of core/x509: the certificate parser against OpenSSL's view of
 * freshly generated certificates (vectors/x509/gen_test_certs.sh) and of
 * Debian's CA bundle, hand-built bad certificates, names and their text. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/base/pem.h"
#include "core/x509/certificate.h"
#include "core/x509/name_text.h"

static char dir[64];
static captls_certificate cert; /* big: keep it off the stack */

/* ---- helpers ---------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static uint8_t *sample(const char *name, size_t *len)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s.der", dir, name);
    uint8_t *p = read_file(path, len);
    assert_non_null(p);
    return p;
}

static int64_t asn1_epoch(const ASN1_TIME *t)
{
    struct tm tm;
    assert_int_equal(ASN1_TIME_to_tm(t, &tm), 1);
    return (int64_t)timegm(&tm);
}

/* Compares our fields with OpenSSL's for one DER certificate. */
static void compare_with_openssl(const uint8_t *der, size_t len,
                                 const captls_certificate *c)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    assert_non_null(x);
    assert_int_equal(asn1_epoch(X509_get0_notBefore(x)), c->not_before);
    assert_int_equal(asn1_epoch(X509_get0_notAfter(x)), c->not_after);

    /* serial: OpenSSL's magnitude equals ours without the sign byte */
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    uint8_t mag[64];
    int mn = BN_bn2bin(bn, mag);
    captls_slice s = c->serial;
    if (s.len > 1 && s.ptr[0] == 0) {
        s.ptr++;
        s.len--;
    }
    if (!c->serial_negative && !c->serial_zero) {
        assert_int_equal((size_t)mn, s.len);
        assert_memory_equal(mag, s.ptr, s.len);
    }
    BN_free(bn);

    uint8_t fp[EVP_MAX_MD_SIZE], ours[CAPTLS_HASH_MAX_SIZE];
    unsigned fl = 0;
    size_t ol = 0;
    assert_int_equal(X509_digest(x, EVP_sha256(), fp, &fl), 1);
    assert_int_equal(captls_certificate_fingerprint(c, CAPTLS_HASH_SHA256,
                                                    ours, &ol),
                     CAPTLS_OK);
    assert_int_equal(ol, fl);
    assert_memory_equal(fp, ours, fl);

    uint32_t xf = X509_get_extension_flags(x);
    assert_int_equal((xf & EXFLAG_BCONS) != 0, c->bc_present);
    if (c->bc_present)
        assert_int_equal((xf & EXFLAG_CA) != 0, c->bc_ca);
    long pl = X509_get_pathlen(x);
    assert_int_equal(pl >= 0, c->bc_pathlen_present);
    if (pl >= 0)
        assert_int_equal((uint32_t)pl, c->bc_pathlen);

    assert_int_equal((xf & EXFLAG_KUSAGE) != 0, c->key_usage_present);
    if (c->key_usage_present) {
        /* OpenSSL's KU_* bits are the BIT STRING's first two bytes. */
        uint32_t ku = X509_get_key_usage(x), mine = 0;
        static const uint32_t map[9] = {
            KU_DIGITAL_SIGNATURE, KU_NON_REPUDIATION, KU_KEY_ENCIPHERMENT,
            KU_DATA_ENCIPHERMENT, KU_KEY_AGREEMENT, KU_KEY_CERT_SIGN,
            KU_CRL_SIGN, KU_ENCIPHER_ONLY, KU_DECIPHER_ONLY};
        for (unsigned i = 0; i < 9; i++)
            if (c->key_usage & (1u << i))
                mine |= map[i];
        assert_int_equal(ku, mine);
    }
    assert_int_equal((xf & EXFLAG_XKUSAGE) != 0, c->eku_present);
    if (c->eku_present) {
        uint32_t xk = X509_get_extended_key_usage(x);
        assert_int_equal((xk & XKU_SSL_SERVER) != 0,
                         (c->eku_known & CAPTLS_EKU_SERVER_AUTH) != 0);
        assert_int_equal((xk & XKU_SSL_CLIENT) != 0,
                         (c->eku_known & CAPTLS_EKU_CLIENT_AUTH) != 0);
        assert_int_equal((xk & XKU_CODE_SIGN) != 0,
                         (c->eku_known & CAPTLS_EKU_CODE_SIGNING) != 0);
    }
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    assert_int_equal(gens != NULL, c->san_present);
    if (gens != NULL) {
        assert_int_equal((size_t)sk_GENERAL_NAME_num(gens), c->san_count);
        for (size_t i = 0; i < c->san_count; i++) {
            GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, (int)i);
            assert_int_equal(g->type, (int)c->san[i].type);
            if (g->type == GEN_DNS) {
                assert_int_equal(ASN1_STRING_length(g->d.dNSName),
                                 c->san[i].value.len);
                assert_memory_equal(ASN1_STRING_get0_data(g->d.dNSName),
                                    c->san[i].value.ptr, c->san[i].value.len);
            }
        }
        GENERAL_NAMES_free(gens);
    }
    /* Subject and issuer DER are byte-equal to OpenSSL's encoding. */
    unsigned char *nd = NULL;
    int nl = i2d_X509_NAME(X509_get_subject_name(x), &nd);
    assert_int_equal((size_t)nl, c->subject.raw.len);
    assert_memory_equal(nd, c->subject.raw.ptr, (size_t)nl);
    OPENSSL_free(nd);
    X509_free(x);
}

/* ---- setup ------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(dir, sizeof(dir), "/tmp/captls_x509_XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(cmd, sizeof(cmd), "vectors/x509/gen_test_certs.sh %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- good path ----------------------------------------------------------- */

static void test_rsa_ca(void **state)
{
    (void)state;
    size_t n;
    uint8_t *der = sample("rsa_ca", &n);
    assert_int_equal(captls_certificate_parse(&cert, der, n, NULL), CAPTLS_OK);
    compare_with_openssl(der, n, &cert);
    assert_int_equal(cert.version, 3);
    assert_int_equal(cert.sig.alg, CAPTLS_X509_SIG_RSA_PKCS1_SHA256);
    assert_int_equal(cert.sig.hash, CAPTLS_HASH_SHA256);
    assert_int_equal(cert.sig.padding, CAPTLS_SIG_PAD_PKCS1);
    assert_false(cert.sig.weak);
    assert_int_equal(cert.key.type, CAPTLS_KEY_RSA);
    assert_int_equal(cert.key.rsa_bits, 2048);
    assert_true(cert.bc_present && cert.bc_critical && cert.bc_ca);
    assert_true(cert.bc_pathlen_present);
    assert_int_equal(cert.bc_pathlen, 1);
    assert_int_equal(cert.key_usage, CAPTLS_KU_KEY_CERT_SIGN | CAPTLS_KU_CRL_SIGN);
    assert_true(cert.ski_present);
    assert_int_equal(cert.ski.len, 20);
    assert_true(cert.nc_present && cert.nc_critical);
    assert_int_equal(cert.nc_permitted_count, 3);
    assert_int_equal(cert.nc_excluded_count, 2);
    assert_int_equal(cert.nc_permitted[0].type, CAPTLS_GN_DNS);
    assert_int_equal(cert.nc_permitted[1].type, CAPTLS_GN_IP);
    captls_slice a, m;
    assert_int_equal(captls_general_name_ip_constraint(&cert.nc_permitted[1], &a, &m),
                     CAPTLS_OK);
    assert_int_equal(a.len, 4);
    assert_int_equal(a.ptr[0], 10);
    assert_int_equal(m.ptr[0], 0xff);
    assert_int_equal(m.ptr[1], 0);
    assert_int_equal(cert.nc_permitted[2].type, CAPTLS_GN_RFC822);
    assert_int_equal(cert.nc_excluded[1].value.len, 32);
    assert_int_equal(cert.policy_count, 2);
    assert_true(captls_certificate_is_self_issued(&cert));
    assert_int_equal(cert.serial.len, 10);
    assert_false(cert.serial_negative || cert.serial_zero || cert.serial_too_long);

    char txt[256];
    size_t tl;
    assert_int_equal(captls_x509_name_to_text(&cert.subject, txt, sizeof(txt), &tl),
                     CAPTLS_OK);
    assert_string_equal(txt, "C=US, O=Captls Test, OU=PKI, CN=Captls Test RSA Root");
    free(der);
}

static void test_p256_leaf_every_extension(void **state)
{
    (void)state;
    size_t n;
    uint8_t *der = sample("p256_leaf", &n);
    captls_der_error e;
    assert_int_equal(captls_certificate_parse(&cert, der, n, &e), CAPTLS_OK);
    compare_with_openssl(der, n, &cert);
    assert_int_equal(cert.key.type, CAPTLS_KEY_EC_P256);
    assert_int_equal(cert.serial.len, 4); /* 00 ff 01 02 */
    assert_int_equal(cert.san_count, 7);
    assert_int_equal(cert.san[0].type, CAPTLS_GN_DNS);
    assert_int_equal(cert.san[2].type, CAPTLS_GN_IP);
    assert_int_equal(cert.san[2].value.len, 4);
    assert_int_equal(cert.san[3].value.len, 16);
    assert_int_equal(cert.san[4].type, CAPTLS_GN_RFC822);
    assert_int_equal(cert.san[5].type, CAPTLS_GN_URI);
    assert_int_equal(cert.san[6].type, CAPTLS_GN_DIRECTORY);
    captls_x509_name dn;
    assert_int_equal(captls_general_name_directory(&cert.san[6], &dn), CAPTLS_OK);
    char txt[256];
    size_t tl;
    assert_int_equal(captls_x509_name_to_text(&dn, txt, sizeof(txt), &tl), CAPTLS_OK);
    assert_string_equal(txt, "C=US, O=Dir Org, CN=dir name");
    assert_int_equal(captls_x509_name_to_text(&cert.subject, txt, sizeof(txt), &tl),
                     CAPTLS_OK);
    assert_string_equal(txt, "CN=a.example.com, O=Example\\, Inc.");
    assert_int_equal(cert.eku_known, CAPTLS_EKU_SERVER_AUTH | CAPTLS_EKU_CLIENT_AUTH);
    assert_int_equal(cert.eku_count, 2);
    assert_int_equal(cert.key_usage, CAPTLS_KU_DIGITAL_SIGNATURE);
    assert_true(cert.aki_present);
    assert_int_equal(cert.aki_key_id.len, 20);
    assert_int_equal(cert.ocsp_count, 1);
    assert_int_equal(cert.ca_issuers_count, 1);
    assert_int_equal(cert.crldp_count, 1);
    assert_memory_equal(cert.crldp[0].ptr, "http://crl.example.com/ca.crl", 29);
    assert_true(cert.must_staple);
    assert_true(cert.bc_present);
    assert_false(cert.bc_ca);
    assert_int_equal(cert.unknown_critical_count, 1);
    char oid[32];
    assert_int_equal(captls_oid_to_text(cert.unknown_critical[0], oid, sizeof(oid), &tl),
                     CAPTLS_OK);
    assert_string_equal(oid, "1.2.3.4");
    assert_false(captls_certificate_is_self_issued(&cert));

    /* issuer of the leaf equals the CA's subject */
    size_t cn;
    uint8_t *cader = sample("rsa_ca", &cn);
    static captls_certificate ca;
    assert_int_equal(captls_certificate_parse(&ca, cader, cn, NULL), CAPTLS_OK);
    assert_true(captls_x509_name_equal(&cert.issuer, &ca.subject));
    assert_memory_equal(cert.aki_key_id.ptr, ca.ski.ptr, 20);
    assert_non_null(captls_certificate_find_extension(&cert, captls_oid_ext_eku, 3));
    free(cader);
    free(der);
}

static void test_p384_ed25519_pss(void **state)
{
    (void)state;
    size_t n;
    uint8_t *der = sample("p384_ca", &n);
    assert_int_equal(captls_certificate_parse(&cert, der, n, NULL), CAPTLS_OK);
    compare_with_openssl(der, n, &cert);
    assert_int_equal(cert.key.type, CAPTLS_KEY_EC_P384);
    assert_int_equal(cert.sig.alg, CAPTLS_X509_SIG_ECDSA_SHA384);
    assert_int_equal(cert.sig.padding, CAPTLS_SIG_PAD_NONE);
    assert_int_equal(cert.key_usage, CAPTLS_KU_KEY_CERT_SIGN | CAPTLS_KU_CRL_SIGN |
                                         CAPTLS_KU_DIGITAL_SIGNATURE);
    assert_false(cert.bc_pathlen_present);
    free(der);

    der = sample("ed25519", &n);
    assert_int_equal(captls_certificate_parse(&cert, der, n, NULL), CAPTLS_OK);
    compare_with_openssl(der, n, &cert);
    assert_int_equal(cert.key.type, CAPTLS_KEY_ED25519);
    assert_int_equal(cert.sig.alg, CAPTLS_X509_SIG_ED25519);
    assert_int_equal(cert.eku_known, CAPTLS_EKU_CODE_SIGNING);
    assert_int_equal(captls_sig_verify_alg(&cert.key, cert.sig.padding, cert.sig.hash,
                                           cert.sig.mgf1_hash, cert.sig.salt_len,
                                           cert.tbs.ptr, cert.tbs.len,
                                           cert.signature.ptr, cert.signature.len),
                     CAPTLS_OK);
    free(der);

    der = sample("pss_leaf", &n);
    assert_int_equal(captls_certificate_parse(&cert, der, n, NULL), CAPTLS_OK);
    compare_with_openssl(der, n, &cert);
    assert_int_equal(cert.sig.alg, CAPTLS_X509_SIG_RSA_PSS);
    assert_int_equal(cert.sig.hash, CAPTLS_HASH_SHA256);
    assert_int_equal(cert.sig.mgf1_hash, CAPTLS_HASH_SHA256);
    assert_int_equal(cert.sig.salt_len, 32);
    assert_false(cert.sig.weak);
    free(der);

    der = sample("gt2050", &n);
    assert_int_equal(captls_certificate_parse(&cert, der, n, NULL), CAPTLS_OK);
    compare_with_openssl(der, n, &cert);
    assert_true(cert.not_after > 2524608000LL);
    assert_false(cert.time_nonconforming);
    free(der);
}

/* The signature of the leaf verifies under the CA key we parsed. */
static void test_signature_fields_verify(void **state)
{
    (void)state;
    size_t n, cn;
    uint8_t *der = sample("p256_leaf", &n), *cader = sample("rsa_ca", &cn);
    static captls_certificate ca;
    assert_int_equal(captls_certificate_parse(&cert, der, n, NULL), CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&ca, cader, cn, NULL), CAPTLS_OK);
    assert_int_equal(captls_sig_verify_alg(&ca.key, cert.sig.padding, cert.sig.hash,
                                           cert.sig.mgf1_hash, cert.sig.salt_len,
                                           cert.tbs.ptr, cert.tbs.len,
                                           cert.signature.ptr, cert.signature.len),
                     CAPTLS_OK);
    free(der);
    free(cader);
}

/* Every certificate of Debian's bundle parses and agrees with OpenSSL. */
static void test_debian_bundle(void **state)
{
    (void)state;
    size_t n, pos = 0, count = 0;
    uint8_t *pem = read_file("/etc/ssl/certs/ca-certificates.crt", &n);
    if (pem == NULL)
        skip();
    static uint8_t der[65536];
    captls_pem_block b;
    while (captls_pem_next(pem, n, &pos, &b) == CAPTLS_OK) {
        size_t dl;
        captls_der_error e;
        assert_int_equal(captls_pem_decode(&b, der, sizeof(der), &dl), CAPTLS_OK);
        captls_result r = captls_certificate_parse(&cert, der, dl, &e);
        if (r != CAPTLS_OK)
            fail_msg("bundle certificate %zu: %s at byte %zu: %s", count + 1,
                     captls_result_name(r), e.offset, e.reason);
        compare_with_openssl(der, dl, &cert);
        assert_int_equal(cert.unknown_critical_count, 0);
        assert_int_not_equal(cert.key.type, CAPTLS_KEY_NONE);
        count++;
    }
    assert_true(count > 100);
    free(pem);
}

/* ---- bad input ------------------------------------------------------------- */

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void test_truncated_at_every_byte(void **state)
{
    (void)state;
    size_t n;
    uint8_t *der = sample("p256_leaf", &n);
    for (size_t i = 0; i < n; i++) {
        uint8_t *cut = malloc(i + 1);
        memcpy(cut, der, i);
        captls_der_error e;
        memset(&cert, 0xAA, sizeof(cert));
        captls_result r = captls_certificate_parse(&cert, cut, i, &e);
        assert_int_not_equal(r, CAPTLS_OK);
        assert_int_equal(e.code, r);
        assert_true(all_zero(&cert, sizeof(cert)));
        free(cut);
    }
    free(der);
}

/* A tiny forward DER builder for hand-made certificates. */
typedef struct buf {
    uint8_t b[80000];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof(o->b));
    if (n != 0)
        memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void tlv(buf *o, uint8_t tag, const void *p, size_t n)
{
    uint8_t h[6];
    size_t hl = 0;
    h[hl++] = tag;
    if (n < 128) {
        h[hl++] = (uint8_t)n;
    } else if (n < 256) {
        h[hl++] = 0x81;
        h[hl++] = (uint8_t)n;
    } else {
        h[hl++] = 0x82;
        h[hl++] = (uint8_t)(n >> 8);
        h[hl++] = (uint8_t)n;
    }
    put(o, h, hl);
    put(o, p, n);
}

static void wrap(buf *o, uint8_t tag, const buf *in) { tlv(o, tag, in->b, in->n); }

/* Options of the hand-built certificate. */
typedef struct spec {
    const uint8_t *version; size_t version_len;  /* [0] contents, or NULL */
    const uint8_t *serial; size_t serial_len;    /* INTEGER contents */
    const uint8_t *inner_alg; size_t inner_len;  /* AlgorithmIdentifier TLV */
    const uint8_t *outer_alg; size_t outer_len;
    const uint8_t *validity; size_t validity_len; /* contents */
    const buf *exts;                              /* Extension TLVs, or NULL */
} spec;

static const uint8_t alg_ecdsa256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t alg_ecdsa384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t name_cn[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03,
                                  0x55, 0x04, 0x03, 0x0c, 0x01, 'x'};
static const uint8_t validity_ok[] = {
    0x17, 0x0d, '2', '4', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z',
    0x17, 0x0d, '3', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'};

static buf spki_bytes;

static void build(const spec *s, buf *out)
{
    buf tbs = {.n = 0}, t = {.n = 0};
    static const uint8_t v3[] = {0x02, 0x01, 0x02};
    static const uint8_t one[] = {0x01};
    if (s->version != NULL || s->exts != NULL) {
        t.n = 0;
        if (s->version != NULL)
            put(&t, s->version, s->version_len);
        else
            put(&t, v3, sizeof(v3));
        wrap(&tbs, 0xa0, &t);
    }
    tlv(&tbs, 0x02, s->serial ? s->serial : one, s->serial ? s->serial_len : 1);
    put(&tbs, s->inner_alg ? s->inner_alg : alg_ecdsa256,
        s->inner_alg ? s->inner_len : sizeof(alg_ecdsa256));
    put(&tbs, name_cn, sizeof(name_cn));
    tlv(&tbs, 0x30, s->validity ? s->validity : validity_ok,
        s->validity ? s->validity_len : sizeof(validity_ok));
    put(&tbs, name_cn, sizeof(name_cn));
    put(&tbs, spki_bytes.b, spki_bytes.n);
    if (s->exts != NULL) {
        t.n = 0;
        wrap(&t, 0x30, s->exts);
        buf t3 = {.n = 0};
        wrap(&t3, 0xa3, &t);
        put(&tbs, t3.b, t3.n);
    }
    buf c = {.n = 0};
    wrap(&c, 0x30, &tbs);
    put(&c, s->outer_alg ? s->outer_alg : alg_ecdsa256,
        s->outer_alg ? s->outer_len : sizeof(alg_ecdsa256));
    static const uint8_t sig[] = {0x00, 0x30, 0x00};
    tlv(&c, 0x03, sig, sizeof(sig));
    out->n = 0;
    wrap(out, 0x30, &c);
}

static void ext(buf *o, const uint8_t *oid, size_t oid_len, bool critical,
                const buf *value)
{
    buf e = {.n = 0};
    tlv(&e, 0x06, oid, oid_len);
    if (critical)
        put(&e, (const uint8_t[]){0x01, 0x01, 0xff}, 3);
    wrap(&e, 0x04, value);
    wrap(o, 0x30, &e);
}

static buf b1, b2, b3;

static captls_result parse_built(const spec *s, captls_der_error *e)
{
    build(s, &b1);
    return captls_certificate_parse(&cert, b1.b, b1.n, e);
}

static int setup_spki(void **state)
{
    (void)state;
    size_t n;
    uint8_t *der = sample("p256_leaf", &n);
    static captls_certificate c;
    if (captls_certificate_parse(&c, der, n, NULL) != CAPTLS_OK)
        return -1;
    spki_bytes.n = 0;
    put(&spki_bytes, c.spki_raw.ptr, c.spki_raw.len);
    free(der);
    return 0;
}

static void test_hand_built_good(void **state)
{
    (void)state;
    spec s = {0};
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_int_equal(cert.version, 1);
    assert_int_equal(cert.not_before, 1704067200);
}

static void test_mismatched_algorithms(void **state)
{
    (void)state;
    spec s = {0};
    s.outer_alg = alg_ecdsa384;
    s.outer_len = sizeof(alg_ecdsa384);
    captls_der_error e;
    assert_int_equal(parse_built(&s, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "inner and outer signature algorithms differ");
    assert_true(e.offset > 0 && e.offset < b1.n);
}

static const uint8_t oid_san[] = {0x55, 0x1d, 0x11};
static const uint8_t oid_unknown[] = {0x2a, 0x03, 0x04};

static void test_duplicate_and_unknown_critical(void **state)
{
    (void)state;
    spec s = {0};
    b2.n = 0;
    b3.n = 0;
    tlv(&b3, 0x05, NULL, 0);
    ext(&b2, oid_unknown, sizeof(oid_unknown), true, &b3);
    s.exts = &b2;
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_int_equal(cert.unknown_critical_count, 1);
    assert_int_equal(cert.version, 3);
    ext(&b2, oid_unknown, sizeof(oid_unknown), false, &b3);
    captls_der_error e;
    assert_int_equal(parse_built(&s, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "duplicate extension");

    /* extensions in a v1 certificate */
    static const uint8_t v1[] = {0x02, 0x01, 0x00};
    b2.n = 0;
    ext(&b2, oid_unknown, sizeof(oid_unknown), false, &b3);
    s.version = v1;
    s.version_len = 3;
    assert_int_equal(parse_built(&s, &e), CAPTLS_ERR_MALFORMED);
    static const uint8_t v2[] = {0x02, 0x01, 0x01};
    s.version = v2;
    assert_int_equal(parse_built(&s, &e), CAPTLS_ERR_UNSUPPORTED);
}

static void test_serials(void **state)
{
    (void)state;
    spec s = {0};
    static const uint8_t neg[] = {0x80, 0x01};
    static const uint8_t zero[] = {0x00};
    static const uint8_t nonmin[] = {0x00, 0x01};
    uint8_t longs[22];
    s.serial = neg;
    s.serial_len = sizeof(neg);
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_true(cert.serial_negative);
    s.serial = zero;
    s.serial_len = 1;
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_true(cert.serial_zero);
    s.serial = nonmin;
    s.serial_len = 2;
    assert_int_equal(parse_built(&s, NULL), CAPTLS_ERR_MALFORMED);
    memset(longs, 0x11, sizeof(longs));
    s.serial = longs;
    s.serial_len = 20;
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_false(cert.serial_too_long);
    longs[0] = 0x00;
    longs[1] = 0x91;
    s.serial_len = 21; /* 20 octets of value plus a sign byte */
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_false(cert.serial_too_long);
    s.serial = longs + 1;
    s.serial_len = 21;
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_true(cert.serial_too_long);
    assert_true(cert.serial_negative);
}

static void test_times(void **state)
{
    (void)state;
    spec s = {0};
    /* UTCTime "50...": RFC 5280 §4.1.2.5.1 reads YY >= 50 as 19YY, so a
     * UTCTime can never say 2050: it is 1950. */
    static const uint8_t v50[] = {
        0x17, 0x0d, '5', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z',
        0x17, 0x0d, '3', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'};
    s.validity = v50;
    s.validity_len = sizeof(v50);
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_int_equal(cert.not_before, -631152000); /* 1950-01-01 */
    /* GeneralizedTime before 2050: accepted, flagged */
    static const uint8_t g49[] = {
        0x18, 0x0f, '2', '0', '4', '9', '0', '1', '0', '1', '0', '0', '0', '0',
        '0', '0', 'Z',
        0x18, 0x0f, '2', '0', '5', '0', '0', '1', '0', '1', '0', '0', '0', '0',
        '0', '0', 'Z'};
    s.validity = g49;
    s.validity_len = sizeof(g49);
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_true(cert.time_nonconforming);
    assert_int_equal(cert.not_after, 2524608000LL);
    /* local time (no Z) */
    static const uint8_t local[] = {
        0x17, 0x0c, '2', '4', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0',
        0x17, 0x0d, '3', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'};
    s.validity = local;
    s.validity_len = sizeof(local);
    assert_int_not_equal(parse_built(&s, NULL), CAPTLS_OK);
}

static void test_huge_san_list(void **state)
{
    (void)state;
    spec s = {0};
    buf *names = malloc(sizeof(buf)), *seq = malloc(sizeof(buf));
    names->n = 0;
    seq->n = 0;
    for (unsigned i = 0; i < CAPTLS_X509_MAX_SANS + 1; i++)
        tlv(names, 0x82, "a.example", 9);
    wrap(seq, 0x30, names);
    b2.n = 0;
    ext(&b2, oid_san, sizeof(oid_san), false, seq);
    s.exts = &b2;
    captls_der_error e;
    assert_int_equal(parse_built(&s, &e), CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_true(all_zero(&cert, sizeof(cert)));
    /* exactly the maximum fits */
    names->n = 0;
    seq->n = 0;
    for (unsigned i = 0; i < CAPTLS_X509_MAX_SANS; i++)
        tlv(names, 0x82, "a.example", 9);
    wrap(seq, 0x30, names);
    b2.n = 0;
    ext(&b2, oid_san, sizeof(oid_san), false, seq);
    assert_int_equal(parse_built(&s, NULL), CAPTLS_OK);
    assert_int_equal(cert.san_count, CAPTLS_X509_MAX_SANS);
    /* a bad iPAddress length, a non-IA5 dNSName */
    names->n = 0;
    seq->n = 0;
    tlv(names, 0x87, "\x0a\x00\x00", 3);
    wrap(seq, 0x30, names);
    b2.n = 0;
    ext(&b2, oid_san, sizeof(oid_san), false, seq);
    assert_int_equal(parse_built(&s, NULL), CAPTLS_ERR_MALFORMED);
    names->n = 0;
    seq->n = 0;
    tlv(names, 0x82, "\xc3\xa9.com", 6);
    wrap(seq, 0x30, names);
    b2.n = 0;
    ext(&b2, oid_san, sizeof(oid_san), false, seq);
    assert_int_equal(parse_built(&s, NULL), CAPTLS_ERR_MALFORMED);
    free(names);
    free(seq);
}

static void test_ber_and_nesting(void **state)
{
    (void)state;
    size_t n;
    uint8_t *der = sample("ed25519", &n);
    /* BER: long-form length for a short element (re-encode the serial's
     * INTEGER header 02 01 01 as 02 81 01 01 and fix the outer lengths
     * — simpler: make the outermost length non-minimal). */
    uint8_t *ber = malloc(n + 1);
    assert_true(der[1] == 0x82);
    ber[0] = 0x30;
    ber[1] = 0x83;
    ber[2] = 0x00;
    memcpy(ber + 3, der + 2, n - 2);
    captls_der_error e;
    assert_int_equal(captls_certificate_parse(&cert, ber, n + 1, &e),
                     CAPTLS_ERR_MALFORMED);
    /* indefinite length */
    ber[1] = 0x80;
    assert_int_not_equal(captls_certificate_parse(&cert, ber, n + 1, &e), CAPTLS_OK);
    free(ber);
    /* trailing byte */
    uint8_t *tr = malloc(n + 1);
    memcpy(tr, der, n);
    tr[n] = 0;
    assert_int_equal(captls_certificate_parse(&cert, tr, n + 1, &e),
                     CAPTLS_ERR_MALFORMED);
    free(tr);
    free(der);
    /* 1000 nested SEQUENCEs, built inside out */
    buf *x = malloc(sizeof(buf)), *y = malloc(sizeof(buf));
    x->n = 0;
    for (unsigned i = 0; i < 1000; i++) {
        y->n = 0;
        wrap(y, 0x30, x);
        buf *t = x;
        x = y;
        y = t;
    }
    assert_int_not_equal(captls_certificate_parse(&cert, x->b, x->n, &e),
                         CAPTLS_OK);
    assert_true(e.offset <= x->n);
    free(x);
    free(y);
}

static void test_names_equal_rfc5280(void **state)
{
    (void)state;
    /* PrintableString "Example  Org" vs UTF8String " example org " */
    static const uint8_t a[] = {0x30, 0x17, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55,
                                0x04, 0x0a, 0x13, 0x0c, 'E', 'x', 'a', 'm', 'p', 'l',
                                'e', ' ', ' ', 'O', 'r', 'g'};
    static const uint8_t b[] = {0x30, 0x18, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55,
                                0x04, 0x0a, 0x0c, 0x0d, ' ', 'e', 'x', 'a', 'm', 'p',
                                'l', 'e', ' ', 'o', 'r', 'g', ' '};
    static const uint8_t c[] = {0x30, 0x16, 0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55,
                                0x04, 0x0a, 0x0c, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l',
                                'e', ' ', 'o', 'r', 'x'};
    /* BMPString values compare exactly */
    static const uint8_t d[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55,
                                0x04, 0x0a, 0x1e, 0x04, 0x00, 'E', 0x00, 'x'};
    static const uint8_t e2[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55,
                                 0x04, 0x0a, 0x1e, 0x04, 0x00, 'e', 0x00, 'x'};
    captls_x509_name na, nb, nc, nd, ne;
    assert_int_equal(captls_x509_name_parse(a, sizeof(a), &na), CAPTLS_OK);
    assert_int_equal(captls_x509_name_parse(b, sizeof(b), &nb), CAPTLS_OK);
    assert_int_equal(captls_x509_name_parse(c, sizeof(c), &nc), CAPTLS_OK);
    assert_int_equal(captls_x509_name_parse(d, sizeof(d), &nd), CAPTLS_OK);
    assert_int_equal(captls_x509_name_parse(e2, sizeof(e2), &ne), CAPTLS_OK);
    assert_true(captls_x509_name_equal(&na, &nb));
    assert_true(captls_x509_name_equal(&nb, &na));
    assert_false(captls_x509_name_equal(&na, &nc));
    assert_true(captls_x509_name_equal(&nd, &nd));
    assert_false(captls_x509_name_equal(&nd, &ne));
    assert_int_equal(captls_x509_name_rdn_count(&na), 1);
    /* an empty RDN SET is refused */
    static const uint8_t bad[] = {0x30, 0x02, 0x31, 0x00};
    assert_int_equal(captls_x509_name_parse(bad, sizeof(bad), &na), CAPTLS_ERR_MALFORMED);
    /* text of a BMP value and of hostile bytes */
    char txt[128];
    size_t tl;
    assert_int_equal(captls_x509_name_to_text(&nd, txt, sizeof(txt), &tl), CAPTLS_OK);
    assert_string_equal(txt, "O=Ex");
    static const uint8_t evil[] = {0x30, 0x13, 0x31, 0x11, 0x30, 0x0f, 0x06, 0x03, 0x55,
                                   0x04, 0x03, 0x0c, 0x08, 'a', ',', 'O', '=', 'b', '\n',
                                   0xff, '"'};
    assert_int_equal(captls_x509_name_parse(evil, sizeof(evil), &na), CAPTLS_OK);
    assert_int_equal(captls_x509_name_to_text(&na, txt, sizeof(txt), &tl), CAPTLS_OK);
    assert_string_equal(txt, "CN=a\\,O\\=b\\x0a\\xff\\\"");
    assert_int_equal(captls_x509_name_to_text(&na, txt, 8, &tl), CAPTLS_ERR_BUFFER_TOO_SMALL);
}

static void test_oid_text(void **state)
{
    (void)state;
    static const uint8_t o1[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0x8f, 0x1f, 0x01};
    static const uint8_t o2[] = {0x88, 0x37, 0x03}; /* 2.999.3 */
    char t[64];
    size_t n;
    captls_slice s = {o1, sizeof(o1)};
    assert_int_equal(captls_oid_to_text(s, t, sizeof(t), &n), CAPTLS_OK);
    assert_string_equal(t, "1.3.6.1.4.1.51103.1");
    s.ptr = o2;
    s.len = sizeof(o2);
    assert_int_equal(captls_oid_to_text(s, t, sizeof(t), &n), CAPTLS_OK);
    assert_string_equal(t, "2.999.3");
    s.ptr = captls_oid_ext_san;
    s.len = 3;
    assert_string_equal(captls_oid_short_name(s), "subjectAltName");
}

/* Issue 16: the SPKI of a key algorithm captls cannot use (here Ed448,
 * 1.3.101.113) is still checked strictly: well-formed, a BIT STRING with
 * 0 unused bits, nothing after it. Built from an Ed25519 certificate by
 * editing bytes in place (lengths unchanged; signatures do not matter to
 * the parser). */
static void test_strict_spki_unsupported_alg(void **state)
{
    (void)state;
    static const uint8_t ed_spki_head[] = {0x30, 0x2a, 0x30, 0x05, 0x06,
                                           0x03, 0x2b, 0x65, 0x70, 0x03,
                                           0x21, 0x00};
    size_t len = 0;
    uint8_t *der = read_file("vectors/verify/certs/ed_leaf.der", &len);
    assert_non_null(der);
    uint8_t *spki = memmem(der, len, ed_spki_head, sizeof ed_spki_head);
    assert_non_null(spki);
    captls_der_error err;
    assert_int_equal(captls_certificate_parse(&cert, der, len, &err),
                     CAPTLS_OK);
    assert_int_equal(cert.key.type, CAPTLS_KEY_ED25519);
    /* Ed448 OID, same lengths: well-formed, recorded as unusable */
    spki[8] = 0x71;
    assert_int_equal(captls_certificate_parse(&cert, der, len, &err),
                     CAPTLS_OK);
    assert_int_equal(cert.key.type, CAPTLS_KEY_NONE);
    assert_int_equal(cert.key_status, CAPTLS_ERR_UNSUPPORTED);
    /* a BIT STRING with unused bits: refused (was accepted) */
    spki[11] = 0x01;
    assert_int_equal(captls_certificate_parse(&cert, der, len, &err),
                     CAPTLS_ERR_MALFORMED);
    assert_non_null(err.reason);
    spki[11] = 0x00;
    /* an OCTET STRING instead of a BIT STRING: refused */
    spki[9] = 0x04;
    assert_int_equal(captls_certificate_parse(&cert, der, len, &err),
                     CAPTLS_ERR_MALFORMED);
    spki[9] = 0x03;
    /* parameters that are not an element: the OID shortened to "2b 65"
     * (an unknown algorithm) leaves one stray byte (05) inside the
     * AlgorithmIdentifier, a truncated TLV */
    {
        uint8_t keep[5];
        memcpy(keep, spki + 4, 5);
        spki[5] = 0x02;
        spki[6] = 0x2b;
        spki[7] = 0x65;
        spki[8] = 0x05;
        assert_int_equal(captls_certificate_parse(&cert, der, len, &err),
                         CAPTLS_ERR_MALFORMED);
        memcpy(spki + 4, keep, 5);
    }
    assert_int_equal(captls_certificate_parse(&cert, der, len, &err),
                     CAPTLS_OK);
    free(der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_ca),
        cmocka_unit_test(test_p256_leaf_every_extension),
        cmocka_unit_test(test_p384_ed25519_pss),
        cmocka_unit_test(test_signature_fields_verify),
        cmocka_unit_test(test_debian_bundle),
        cmocka_unit_test(test_truncated_at_every_byte),
        cmocka_unit_test_setup(test_hand_built_good, setup_spki),
        cmocka_unit_test_setup(test_mismatched_algorithms, setup_spki),
        cmocka_unit_test_setup(test_duplicate_and_unknown_critical, setup_spki),
        cmocka_unit_test_setup(test_serials, setup_spki),
        cmocka_unit_test_setup(test_times, setup_spki),
        cmocka_unit_test_setup(test_huge_san_list, setup_spki),
        cmocka_unit_test(test_ber_and_nesting),
        cmocka_unit_test(test_names_equal_rfc5280),
        cmocka_unit_test(test_oid_text),
        cmocka_unit_test(test_strict_spki_unsupported_alg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
