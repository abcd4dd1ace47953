/* Unit tests of core/acme/alpn01_cert.c: tls-alpn-01 validation
 * certificates (RFC 8737 §3) for P-256 and Ed25519 keys, parsed back with
 * core/x509 (every field), checked by OpenSSL (d2i_X509, X509_verify, the
 * SAN and the critical acmeIdentifier) and by `openssl x509 -text -noout`;
 * times on both sides of 2050; refusals; signer errors passed through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/acme/alpn01_cert.h"
#include "core/acme/test_acme_keys.h"
#include "core/base/der.h"
#include "core/x509/certificate.h"

static const char KA[] =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA."
    "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
static const uint8_t SERIAL[16] = {0x3a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                   0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xff};

static captls_alpn01_cert_params params(const char *name)
{
    captls_alpn01_cert_params p;
    memset(&p, 0, sizeof(p));
    p.name = name;
    p.name_len = strlen(name);
    p.key_authorization = KA;
    p.key_authorization_len = strlen(KA);
    p.serial = SERIAL;
    p.serial_len = sizeof(SERIAL);
    p.not_before = 1764892800; /* 2025-12-05T00:00:00Z */
    p.not_after = 1764892800 + 7 * 86400;
    p.subject_cn = true;
    return p;
}

/* Our own parser: every field the builder sets. */
static void check_with_captls(const test_key *k, bool ec, const uint8_t *der,
                              size_t n, const captls_alpn01_cert_params *p)
{
    static captls_certificate c;
    captls_der_error e;
    assert_int_equal(captls_der_validate(der, n, &e, NULL), CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&c, der, n, &e), CAPTLS_OK);
    assert_int_equal(c.version, 3);
    assert_int_equal(c.serial.len, p->serial_len);
    assert_memory_equal(c.serial.ptr, p->serial, p->serial_len);
    assert_false(c.serial_negative || c.serial_zero || c.serial_too_long);
    assert_int_equal(c.sig.alg, ec ? CAPTLS_X509_SIG_ECDSA_SHA256
                                   : CAPTLS_X509_SIG_ED25519);
    assert_int_equal(c.not_before, p->not_before);
    assert_int_equal(c.not_after, p->not_after);
    assert_false(c.time_nonconforming);
    assert_true(captls_certificate_is_self_issued(&c));
    /* subject: CN = name, or empty */
    bool cn = p->subject_cn && p->name_len <= 64;
    captls_x509_name_iter it;
    captls_x509_attr a;
    captls_x509_name_iter_init(&it, &c.subject);
    if (cn) {
        assert_int_equal(captls_x509_name_next(&it, &a), CAPTLS_OK);
        assert_true(CAPTLS_DER_OID_IS(a.type, captls_oid_at_common_name));
        assert_int_equal(a.value_tag, CAPTLS_DER_UTF8_STRING);
        assert_int_equal(a.value.len, p->name_len);
        assert_memory_equal(a.value.ptr, p->name, p->name_len);
    }
    assert_int_equal(captls_x509_name_next(&it, &a), CAPTLS_EOF);
    /* the key */
    assert_int_equal(c.key.type, ec ? CAPTLS_KEY_EC_P256 : CAPTLS_KEY_ED25519);
    assert_int_equal(c.key.point.len, ec ? 65 : 32);
    assert_memory_equal(c.key.point.ptr, k->pub, ec ? 65 : 32);
    /* exactly two extensions: SAN (one dNSName), critical acmeIdentifier */
    assert_int_equal(c.ext_count, 2);
    assert_true(c.san_present);
    assert_int_equal(c.san_critical, !cn);
    assert_int_equal(c.san_count, 1);
    assert_int_equal(c.san[0].type, CAPTLS_GN_DNS);
    assert_int_equal(c.san[0].value.len, p->name_len);
    assert_memory_equal(c.san[0].value.ptr, p->name, p->name_len);
    const captls_x509_extension *x = captls_certificate_find_extension(
        &c, captls_oid_pe_acme_identifier, sizeof(captls_oid_pe_acme_identifier));
    assert_non_null(x);
    assert_true(x->critical);
    uint8_t want[34] = {0x04, 0x20};
    SHA256((const unsigned char *)p->key_authorization,
           p->key_authorization_len, want + 2);
    assert_int_equal(x->value.len, 34);
    assert_memory_equal(x->value.ptr, want, 34);
    /* the parser does not know it: the verifier would refuse it (§3:
     * "so that the certificate isn't inadvertently used") */
    assert_int_equal(c.unknown_critical_count, 1);
    assert_true(CAPTLS_DER_OID_IS(c.unknown_critical[0],
                                  captls_oid_pe_acme_identifier));
    uint8_t d[32];
    captls_alpn01_digest(p->key_authorization, p->key_authorization_len, d);
    assert_memory_equal(d, want + 2, 32);
}

static void check_with_openssl(const test_key *k, const uint8_t *der, size_t n,
                               const captls_alpn01_cert_params *p)
{
    const unsigned char *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)n);
    assert_non_null(x);
    assert_ptr_equal(q, der + n);
    assert_int_equal(X509_get_version(x), 2);
    assert_int_equal(X509_verify(x, k->pkey), 1); /* self-signed */
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    assert_non_null(gens);
    assert_int_equal(sk_GENERAL_NAME_num(gens), 1);
    GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, 0);
    assert_int_equal(g->type, GEN_DNS);
    assert_int_equal(ASN1_STRING_length(g->d.dNSName), (int)p->name_len);
    assert_memory_equal(ASN1_STRING_get0_data(g->d.dNSName), p->name, p->name_len);
    GENERAL_NAMES_free(gens);
    ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
    int at = X509_get_ext_by_OBJ(x, oid, -1);
    ASN1_OBJECT_free(oid);
    assert_true(at >= 0);
    X509_EXTENSION *ext = X509_get_ext(x, at);
    assert_int_equal(X509_EXTENSION_get_critical(ext), 1);
    ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
    uint8_t want[34] = {0x04, 0x20};
    SHA256((const unsigned char *)p->key_authorization,
           p->key_authorization_len, want + 2);
    assert_int_equal(ASN1_STRING_length(v), 34);
    assert_memory_equal(ASN1_STRING_get0_data(v), want, 34);
    X509_free(x);
}

/* `openssl x509 -text -noout`: the OID, critical, the digest and the SAN. */
static void check_with_openssl_cli(const uint8_t *der, size_t n,
                                   const captls_alpn01_cert_params *p)
{
    char path[] = "/tmp/captls-alpn01-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, der, n), (ssize_t)n);
    close(fd);
    char cmd[256], out[16384], san[300], hex[32];
    snprintf(cmd, sizeof(cmd), "openssl x509 -inform DER -in %s -text -noout -certopt ext_dump 2>&1", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t got = fread(out, 1, sizeof(out) - 1, f);
    out[got] = 0;
    int status = pclose(f);
    unlink(path);
    snprintf(san, sizeof(san), "DNS:%.*s", (int)p->name_len, p->name);
    uint8_t d[32];
    captls_alpn01_digest(p->key_authorization, p->key_authorization_len, d);
    /* ext_dump shows the inner OCTET STRING header, then the digest */
    snprintf(hex, sizeof(hex), "0000 - 04 20 %02x %02x %02x", d[0], d[1], d[2]);
    if (status != 0 || strstr(out, "1.3.6.1.5.5.7.1.31: critical") == NULL ||
        strstr(out, san) == NULL || strstr(out, hex) == NULL)
        fail_msg("openssl x509 said:\n%s", out);
}

static void one(test_key *k, captls_acme_signer *s, bool ec,
                const captls_alpn01_cert_params *p)
{
    static uint8_t der[CAPTLS_ALPN01_CERT_MAX];
    size_t n = 0, need = captls_alpn01_cert_size(p, &s->pub);
    assert_true(need > 0 && need <= CAPTLS_ALPN01_CERT_MAX);
    int calls = k->calls;
    assert_int_equal(captls_alpn01_cert_build(s, p, der, need - 1, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, need);
    assert_int_equal(k->calls, calls); /* nothing signed when it cannot fit */
    assert_int_equal(captls_alpn01_cert_build(s, p, der, need, &n), CAPTLS_OK);
    assert_true(n <= need);
    assert_int_equal(k->calls, calls + 1);
    check_with_captls(k, ec, der, n, p);
    check_with_openssl(k, der, n, p);
    check_with_openssl_cli(der, n, p);
}

static void test_alpn01_cert_good(void **state)
{
    (void)state;
    for (int ec = 0; ec < 2; ec++) {
        test_key k;
        captls_acme_signer s;
        test_key_new(&k, &s, ec);
        captls_alpn01_cert_params p = params("example.org");
        one(&k, &s, ec, &p);
        /* empty subject (critical SAN) */
        p.subject_cn = false;
        one(&k, &s, ec, &p);
        /* a name too long for a CN: empty subject as well */
        static char longname[254];
        memset(longname, 'a', 253);
        longname[63] = longname[127] = longname[191] = '.';
        longname[253] = 0;
        p = params(longname);
        one(&k, &s, ec, &p);
        /* GeneralizedTime from 2050, UTCTime back to 1950, a 1-octet serial */
        p = params("xn--bcher-kva.example");
        p.not_before = -631152000;   /* 1950-01-01T00:00:00Z */
        p.not_after = 2524608000 + 3661; /* 2050-01-01T01:01:01Z */
        static const uint8_t s1[1] = {1};
        p.serial = s1;
        p.serial_len = 1;
        one(&k, &s, ec, &p);
        p.not_before = 253402300799; /* 9999-12-31T23:59:59Z */
        p.not_after = 253402300799;
        one(&k, &s, ec, &p);
        /* the signer's refusal comes back unchanged */
        k.force = CAPTLS_ERR_NO_AUTHORITY;
        uint8_t der[CAPTLS_ALPN01_CERT_MAX];
        size_t n;
        p = params("example.org");
        assert_int_equal(captls_alpn01_cert_build(&s, &p, der, sizeof(der), &n),
                         CAPTLS_ERR_NO_AUTHORITY);
        k.force = CAPTLS_OK;
        test_key_free(&k);
    }
}

static void test_alpn01_cert_refusals(void **state)
{
    (void)state;
    test_key k;
    captls_acme_signer s;
    test_key_new(&k, &s, true);
    uint8_t der[CAPTLS_ALPN01_CERT_MAX];
    size_t n;
    captls_alpn01_cert_params p;
#define REFUSED(mutation, code)                                                \
    do {                                                                       \
        p = params("example.org");                                             \
        mutation;                                                              \
        assert_int_equal(captls_alpn01_cert_build(&s, &p, der, sizeof(der), &n), \
                         code);                                                \
        if ((code) == CAPTLS_ERR_MALFORMED)                                    \
            assert_int_equal(captls_alpn01_cert_size(&p, &s.pub), 0);         \
    } while (0)
    REFUSED(p.name = "*.example.org"; p.name_len = 13, CAPTLS_ERR_MALFORMED);
    REFUSED(p.name = "exa mple.org"; p.name_len = 12, CAPTLS_ERR_MALFORMED);
    REFUSED(p.name = "example.org."; p.name_len = 12, CAPTLS_ERR_MALFORMED);
    REFUSED(p.name_len = 0, CAPTLS_ERR_MALFORMED);
    REFUSED(p.name = NULL, CAPTLS_ERR_MALFORMED);
    REFUSED(p.key_authorization_len = 0, CAPTLS_ERR_MALFORMED);
    REFUSED(p.key_authorization_len = CAPTLS_ALPN01_KEYAUTH_MAX + 1,
            CAPTLS_ERR_MALFORMED);
    static const uint8_t top[2] = {0x80, 0x01}, zero[3] = {0, 0, 0},
                         wide[21] = {1};
    REFUSED(p.serial = top; p.serial_len = 2, CAPTLS_ERR_MALFORMED);
    REFUSED(p.serial = zero; p.serial_len = 3, CAPTLS_ERR_MALFORMED);
    REFUSED(p.serial = wide; p.serial_len = 21, CAPTLS_ERR_MALFORMED);
    REFUSED(p.serial_len = 0, CAPTLS_ERR_MALFORMED);
    REFUSED(p.not_after = p.not_before - 1, CAPTLS_ERR_MALFORMED);
    REFUSED(p.not_before = -631152001, CAPTLS_ERR_MALFORMED);
    REFUSED(p.not_after = 253402300800, CAPTLS_ERR_MALFORMED);
    assert_int_equal(k.calls, 0);
    /* arguments */
    p = params("example.org");
    assert_int_equal(captls_alpn01_cert_build(NULL, &p, der, sizeof(der), &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_alpn01_cert_build(&s, NULL, der, sizeof(der), &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_alpn01_cert_build(&s, &p, NULL, 10, &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_alpn01_cert_build(&s, &p, der, sizeof(der), NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    captls_acme_signer none = s;
    memset(&none.pub, 0, sizeof(none.pub));
    assert_int_equal(captls_alpn01_cert_build(&none, &p, der, sizeof(der), &n),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_alpn01_cert_size(&p, &none.pub), 0);
    /* a signer returning non-DER ECDSA is refused, not embedded */
    k.corrupt = 1;
    assert_int_equal(captls_alpn01_cert_build(&s, &p, der, sizeof(der), &n),
                     CAPTLS_ERR_BAD_SIGNATURE);
    test_key_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpn01_cert_good),
        cmocka_unit_test(test_alpn01_cert_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
