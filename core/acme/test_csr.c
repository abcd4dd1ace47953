/* Unit tests of core/acme/csr.c: CSRs for P-256 and Ed25519 keys signed
 * through the callback, checked by OpenSSL (X509_REQ_verify, the SAN
 * extension request, the subject) and by `openssl req -verify -text`;
 * name and size refusals; signer errors passed through. */
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

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/acme/csr.h"
#include "core/acme/test_acme_keys.h"
#include "core/base/der.h"

static void check_with_openssl(const test_key *k, const uint8_t *der, size_t n,
                               const char *const *names, size_t count)
{
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)n);
    assert_non_null(req);
    assert_ptr_equal(p, der + n);
    assert_int_equal(X509_REQ_get_version(req), 0);
    assert_int_equal(X509_REQ_verify(req, k->pkey), 1);
    EVP_PKEY *inreq = X509_REQ_get0_pubkey(req);
    assert_int_equal(EVP_PKEY_eq(inreq, k->pkey), 1);
    /* the SAN extension request holds the names in order */
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    assert_non_null(exts);
    GENERAL_NAMES *gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
    assert_non_null(gens);
    assert_int_equal(sk_GENERAL_NAME_num(gens), (int)count);
    for (size_t i = 0; i < count; i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, (int)i);
        assert_int_equal(g->type, GEN_DNS);
        assert_int_equal(ASN1_STRING_length(g->d.dNSName), (int)strlen(names[i]));
        assert_memory_equal(ASN1_STRING_get0_data(g->d.dNSName), names[i],
                            strlen(names[i]));
    }
    GENERAL_NAMES_free(gens);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    char cn[300] = "";
    X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn,
                              sizeof(cn));
    if (strlen(names[0]) <= 64)
        assert_string_equal(cn, names[0]);
    else
        assert_int_equal(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 0);
    /* a flipped byte in the signed part does not verify */
    uint8_t *bad = malloc(n);
    memcpy(bad, der, n);
    bad[n / 2] ^= 0x01;
    p = bad;
    X509_REQ *req2 = d2i_X509_REQ(NULL, &p, (long)n);
    if (req2 != NULL) {
        assert_int_not_equal(X509_REQ_verify(req2, k->pkey), 1);
        X509_REQ_free(req2);
    }
    free(bad);
    X509_REQ_free(req);
    /* our own strict DER reader accepts it too */
    captls_der_error e;
    assert_int_equal(captls_der_validate(der, n, &e, NULL), CAPTLS_OK);
}

/* `openssl req -verify -noout -text` on the DER. */
static void check_with_openssl_cli(const uint8_t *der, size_t n, const char *san_line)
{
    char path[] = "/tmp/captls-csr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, der, n), (ssize_t)n);
    close(fd);
    char cmd[256], out[8192];
    snprintf(cmd, sizeof(cmd), "openssl req -inform DER -in %s -verify -noout -text 2>&1", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t got = fread(out, 1, sizeof(out) - 1, f);
    out[got] = 0;
    int status = pclose(f);
    unlink(path);
    if (status != 0 || strstr(out, "verify OK") == NULL || strstr(out, san_line) == NULL)
        fail_msg("openssl req said:\n%s", out);
}

static void test_csr_openssl(void **state)
{
    (void)state;
    static const char *const names[] = {"example.org", "www.example.org",
                                        "*.api.example.org", "xn--bcher-kva.example"};
    static uint8_t der[4096];
    for (int ec = 0; ec < 2; ec++) {
        test_key k;
        captls_acme_signer s;
        test_key_new(&k, &s, ec);
        size_t n, need = captls_csr_size(names, 4, &s.pub);
        assert_true(need > 0);
        assert_int_equal(captls_csr_build(&s, names, 4, der, need - 1, &n),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(n, need);
        assert_int_equal(k.calls, 0); /* nothing signed when it cannot fit */
        assert_int_equal(captls_csr_build(&s, names, 4, der, need, &n), CAPTLS_OK);
        assert_true(n <= need);
        assert_int_equal(k.calls, 1);
        check_with_openssl(&k, der, n, names, 4);
        check_with_openssl_cli(der, n,
                               "DNS:example.org, DNS:www.example.org, "
                               "DNS:*.api.example.org, DNS:xn--bcher-kva.example");
        /* one name; a first name longer than 64 bytes leaves the subject empty */
        static const char *const one[] = {"a.example"};
        assert_int_equal(captls_csr_build(&s, one, 1, der, sizeof(der), &n), CAPTLS_OK);
        check_with_openssl(&k, der, n, one, 1);
        static const char *const longname[] = {
            "abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz.abcdefghijklm.example",
            "short.example"};
        assert_int_equal(captls_csr_build(&s, longname, 2, der, sizeof(der), &n), CAPTLS_OK);
        check_with_openssl(&k, der, n, longname, 2);
        /* the signer's refusal comes back unchanged */
        k.force = CAPTLS_ERR_NO_AUTHORITY;
        assert_int_equal(captls_csr_build(&s, names, 4, der, sizeof(der), &n),
                         CAPTLS_ERR_NO_AUTHORITY);
        k.force = CAPTLS_OK;
        if (ec) {
            k.corrupt = 1;
            assert_int_equal(captls_csr_build(&s, names, 4, der, sizeof(der), &n),
                             CAPTLS_ERR_BAD_SIGNATURE);
            k.corrupt = 0;
        }
        test_key_free(&k);
    }
}

static void test_csr_refusals(void **state)
{
    (void)state;
    test_key k;
    captls_acme_signer s;
    test_key_new(&k, &s, true);
    static uint8_t der[65536];
    size_t n;
    static const char *bad[] = {
        "", ".", "a.", ".a", "a..b", "-a.example", "a-.example", "a_b.example",
        "*.", "*", "*.*.example", "a.*.example", "ex ample.org", "a.example.",
        "\xc3\xa9.example", "*example.org",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *names[2] = {"ok.example", bad[i]};
        if (captls_csr_build(&s, names, 2, der, sizeof(der), &n) != CAPTLS_ERR_MALFORMED)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_false(captls_csr_dns_name_ok(bad[i], strlen(bad[i])));
    }
    assert_true(captls_csr_dns_name_ok(
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", 71));
    /* 254 bytes total */
    char longn[300];
    memset(longn, 'a', 254);
    for (size_t i = 63; i < 254; i += 64)
        longn[i] = '.';
    longn[254] = 0;
    assert_false(captls_csr_dns_name_ok(longn, 254));
    assert_true(captls_csr_dns_name_ok(longn + 1, 253));
    /* duplicates (case-insensitive), empty list, too many names */
    const char *dup[] = {"a.example", "b.example", "A.Example"};
    assert_int_equal(captls_csr_build(&s, dup, 3, der, sizeof(der), &n), CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_csr_build(&s, dup, 0, der, sizeof(der), &n), CAPTLS_ERR_MALFORMED);
    static char many_buf[CAPTLS_CSR_MAX_NAMES + 1][16];
    const char *many[CAPTLS_CSR_MAX_NAMES + 1];
    for (size_t i = 0; i <= CAPTLS_CSR_MAX_NAMES; i++) {
        snprintf(many_buf[i], sizeof(many_buf[i]), "n%zu.example", i);
        many[i] = many_buf[i];
    }
    assert_int_equal(captls_csr_build(&s, many, CAPTLS_CSR_MAX_NAMES + 1, der,
                                      sizeof(der), &n), CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_csr_build(&s, many, CAPTLS_CSR_MAX_NAMES, der,
                                      sizeof(der), &n), CAPTLS_OK);
    check_with_openssl(&k, der, n, many, CAPTLS_CSR_MAX_NAMES);
    assert_int_equal(k.calls, 1); /* no refusal above reached the signer */
    /* no key type */
    captls_acme_signer none = s;
    none.pub.type = CAPTLS_JWK_NONE;
    assert_int_equal(captls_csr_build(&none, dup, 1, der, sizeof(der), &n),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_csr_build(&s, NULL, 1, der, sizeof(der), &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    test_key_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csr_openssl),
        cmocka_unit_test(test_csr_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
