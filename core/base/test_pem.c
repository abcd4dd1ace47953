/* Unit tests of core/base/base64.c and pem.c (OpenSSL as the reference). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "conformance/testkit.h"
#include "core/base/base64.h"
#include "core/base/pem.h"

static void test_base64_rfc4648_vectors(void **state)
{
    (void)state;
    /* RFC 4648 §10 */
    static const char *v[][2] = {{"", ""},         {"f", "Zg=="},
                                 {"fo", "Zm8="},   {"foo", "Zm9v"},
                                 {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                 {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < 7; i++) {
        char enc[16];
        uint8_t dec[16];
        size_t n;
        size_t pl = strlen(v[i][0]), el = strlen(v[i][1]);
        assert_int_equal(captls_base64_encoded_len(pl), el);
        assert_int_equal(captls_base64_encode((const uint8_t *)v[i][0], pl, enc,
                                              sizeof(enc), &n), CAPTLS_OK);
        assert_int_equal(n, el);
        assert_memory_equal(enc, v[i][1], el);
        assert_int_equal(captls_base64_decode(v[i][1], el, dec, sizeof(dec), &n),
                         CAPTLS_OK);
        assert_int_equal(n, pl);
        assert_memory_equal(dec, v[i][0], pl);
    }
}

static void test_base64_refusals(void **state)
{
    (void)state;
    static const char *bad[] = {
        "Zg=", "Zg", "Z", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "=Zm9", "Zg==Zm9v",
        "Z===", "Zm-_", "Zg=a", "====", "Zm9v====", "Zm9\x80", "Zm9\0",
        "Zm8=\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t out[16];
        size_t n = 77;
        size_t len = strlen(bad[i]);
        if (i == 15)
            len = 4; /* embedded NUL */
        memset(out, 0xEE, sizeof(out));
        if (captls_base64_decode(bad[i], len, out, sizeof(out), &n) !=
            CAPTLS_ERR_MALFORMED)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(n, 77);
        assert_int_equal(out[0], 0xEE);
    }
    uint8_t out[8];
    size_t n;
    assert_int_equal(captls_base64_decode_lines("Zm9v\nYmFy\r\n", 11, out,
                                                sizeof(out), &n), CAPTLS_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(captls_base64_decode_lines("Zm9v\rYmFy", 9, out,
                                                sizeof(out), &n),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_base64_decode_lines("Zm9v YmFy", 9, out,
                                                sizeof(out), &n),
                     CAPTLS_ERR_MALFORMED);
    /* too small: size reported, nothing written */
    memset(out, 0xEE, sizeof(out));
    assert_int_equal(captls_base64_decode("Zm9vYmFy", 8, out, 5, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 6);
    assert_int_equal(out[0], 0xEE);
    char enc[8];
    assert_int_equal(captls_base64_encode((const uint8_t *)"foobar", 6, enc, 7, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 8);
}

static void test_base64_random_vs_openssl(void **state)
{
    (void)state;
    uint8_t in[200], dec[200];
    char mine[300];
    unsigned char ref[300];
    for (int it = 0; it < 2000; it++) {
        size_t len = (size_t)it % 200, n;
        assert_int_equal(RAND_bytes(in, (int)sizeof(in)), 1);
        int rl = EVP_EncodeBlock(ref, in, (int)len);
        assert_int_equal(captls_base64_encode(in, len, mine, sizeof(mine), &n),
                         CAPTLS_OK);
        assert_int_equal(n, rl);
        assert_memory_equal(mine, ref, n);
        assert_int_equal(captls_base64_decode(mine, n, dec, sizeof(dec), &n),
                         CAPTLS_OK);
        assert_int_equal(n, len);
        assert_memory_equal(dec, in, len);
    }
    /* every single-character change of an encoding: never a different
     * accepted decoding of the same length that re-encodes differently */
    const char *s = "Zm9vYmE=";
    for (size_t i = 0; i < 8; i++) {
        for (int c = 0; c < 256; c++) {
            char t[8];
            size_t n;
            memcpy(t, s, 8);
            t[i] = (char)c;
            if (captls_base64_decode(t, 8, dec, sizeof(dec), &n) == CAPTLS_OK) {
                char back[8];
                size_t m;
                assert_int_equal(captls_base64_encode(dec, n, back, 8, &m), CAPTLS_OK);
                assert_int_equal(m, 8);
                assert_memory_equal(back, t, 8); /* canonical: one encoding */
            }
        }
    }
}

static void test_pem_matches_openssl_files(void **state)
{
    (void)state;
    static const char *names[] = {"p256.key", "p384.sec1", "ed25519.pub",
                                  "rsa2048.pub", "rsa2048.key", "x25519.key"};
    for (size_t i = 0; i < 6; i++) {
        char path[128];
        uint8_t pem[4096], der[4096], dec[4096];
        char enc[4096];
        snprintf(path, sizeof(path), "vectors/keys/%s.pem", names[i]);
        size_t pn = captls_test_slurp(path, pem, sizeof(pem));
        snprintf(path, sizeof(path), "vectors/keys/%s.der", names[i]);
        size_t dn = captls_test_slurp(path, der, sizeof(der));
        size_t pos = 0, n;
        captls_pem_block b;
        assert_int_equal(captls_pem_next(pem, pn, &pos, &b), CAPTLS_OK);
        assert_int_equal(b.begin, 0);
        assert_int_equal(b.end, pn);
        assert_int_equal(b.decoded_len, dn);
        assert_int_equal(captls_pem_decode(&b, dec, sizeof(dec), &n), CAPTLS_OK);
        assert_int_equal(n, dn);
        assert_memory_equal(dec, der, dn);
        /* OpenSSL writes the same armour we do */
        char label[65];
        memcpy(label, b.label.ptr, b.label.len);
        label[b.label.len] = 0;
        assert_int_equal(captls_pem_encode(label, der, dn, enc, sizeof(enc), &n),
                         CAPTLS_OK);
        assert_int_equal(n, pn);
        assert_memory_equal(enc, pem, pn);
        assert_int_equal(captls_pem_encoded_len(b.label.len, dn), pn);
        assert_int_equal(captls_pem_next(pem, pn, &pos, &b), CAPTLS_EOF);
    }
}

static void test_pem_bundle_and_crlf(void **state)
{
    (void)state;
    const char *text =
        "Subject: junk before\n"
        "-----BEGIN CERTIFICATE-----\r\n"
        "Zm9v\r\n"
        "-----END CERTIFICATE-----\r\n"
        "between blocks -----BEGIN X-----\n"
        "\n"
        "-----BEGIN X509 CRL-----\n"
        "Zm9vYg==\n"
        "-----END X509 CRL-----";
    const uint8_t *in = (const uint8_t *)text;
    size_t n = strlen(text), pos = 0, len;
    captls_pem_block b;
    uint8_t out[16];
    assert_int_equal(captls_pem_next(in, n, &pos, &b), CAPTLS_OK);
    assert_true(captls_pem_label_is(&b, "CERTIFICATE"));
    assert_int_equal(b.begin, 21);
    assert_int_equal(captls_pem_decode(&b, out, sizeof(out), &len), CAPTLS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "foo", 3);
    assert_int_equal(captls_pem_next(in, n, &pos, &b), CAPTLS_OK);
    assert_true(captls_pem_label_is(&b, "X509 CRL"));
    assert_false(captls_pem_label_is(&b, "X509"));
    assert_int_equal(b.decoded_len, 4);
    assert_int_equal(b.end, n);
    assert_int_equal(captls_pem_next(in, n, &pos, &b), CAPTLS_EOF);
    assert_int_equal(captls_pem_next(in, 0, &pos, &b), CAPTLS_ERR_INVALID_ARGUMENT);
    pos = 0;
    assert_int_equal(captls_pem_next(in, 0, &pos, &b), CAPTLS_EOF);
}

static void test_pem_refusals(void **state)
{
    (void)state;
    struct { const char *t; captls_result want; } cases[] = {
        {"-----BEGIN A-----\nZm9v\n-----END B-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-----\nZm9v\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-----", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
         "DEK-Info: AES-128-CBC,00\n\nZm9v\n-----END RSA PRIVATE KEY-----\n",
         CAPTLS_ERR_UNSUPPORTED},
        {"-----BEGIN A-----\n"
         "Zm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9v"
         "Zm9v\n-----END A-----\n", CAPTLS_ERR_MALFORMED}, /* 80-char line */
        {"-----BEGIN A-----\nZm9v\n\nZm9v\n-----END A-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-----\nZm9v \n-----END A-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-----\nZm9\n-----END A-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-----\nZh==\n-----END A-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-----\nZg==\nZm9v\n-----END A-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-B-----\nZm9v\n-----END A-B-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN  A-----\nZm9v\n-----END  A-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A----- \nZm9v\n-----END A-----\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN A-----\nZm9v\n-----END A----- x\n", CAPTLS_ERR_MALFORMED},
        {"-----BEGIN -----\nZm9v\n-----END -----\n", CAPTLS_ERR_MALFORMED},
        {" -----BEGIN A-----\nZm9v\n-----END A-----\n", CAPTLS_EOF},
        {"no armour at all\n", CAPTLS_EOF},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t pos = 0;
        captls_pem_block b;
        memset(&b, 0xEE, sizeof(b));
        captls_result r = captls_pem_next((const uint8_t *)cases[i].t,
                                          strlen(cases[i].t), &pos, &b);
        if (r != cases[i].want)
            fail_msg("case %zu: got %s", i, captls_result_name(r));
        assert_int_equal(pos, 0);
        assert_int_equal(b.begin, (size_t)0xEEEEEEEEEEEEEEEEull);
    }
    /* the encoder refuses bad labels and reports sizes */
    char out[128];
    size_t n;
    assert_int_equal(captls_pem_encode("A-B", (const uint8_t *)"x", 1, out,
                                       sizeof(out), &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_pem_encode("A", (const uint8_t *)"x", 1, out, 10, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, strlen("-----BEGIN A-----\neA==\n-----END A-----\n"));
    assert_int_equal(captls_pem_encode("A", NULL, 0, out, sizeof(out), &n),
                     CAPTLS_OK);
    assert_memory_equal(out, "-----BEGIN A-----\n-----END A-----\n", n);
    size_t pos = 0;
    captls_pem_block b;
    assert_int_equal(captls_pem_next((const uint8_t *)out, n, &pos, &b), CAPTLS_OK);
    assert_int_equal(b.decoded_len, 0);
}

static void test_pem_random_round_trip(void **state)
{
    (void)state;
    static uint8_t der[3000], dec[3000];
    static char pem[4200];
    for (int it = 0; it < 300; it++) {
        size_t len = (size_t)it * 10, n, m, pos = 0;
        assert_int_equal(RAND_bytes(der, (int)sizeof(der)), 1);
        assert_int_equal(captls_pem_encode("TEST DATA", der, len, pem,
                                           sizeof(pem), &n), CAPTLS_OK);
        captls_pem_block b;
        assert_int_equal(captls_pem_next((const uint8_t *)pem, n, &pos, &b),
                         CAPTLS_OK);
        assert_int_equal(b.decoded_len, len);
        assert_int_equal(captls_pem_decode(&b, dec, sizeof(dec), &m), CAPTLS_OK);
        assert_int_equal(m, len);
        assert_memory_equal(dec, der, len);
        /* OpenSSL's decoder agrees on the body */
        EVP_ENCODE_CTX *c = EVP_ENCODE_CTX_new();
        unsigned char ref[3100];
        int o1 = 0, o2 = 0;
        EVP_DecodeInit(c);
        assert_true(EVP_DecodeUpdate(c, ref, &o1, b.body.ptr, (int)b.body.len) >= 0);
        assert_int_equal(EVP_DecodeFinal(c, ref + o1, &o2), 1);
        EVP_ENCODE_CTX_free(c);
        assert_int_equal((size_t)(o1 + o2), len);
        assert_memory_equal(ref, der, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_refusals),
        cmocka_unit_test(test_base64_random_vs_openssl),
        cmocka_unit_test(test_pem_matches_openssl_files),
        cmocka_unit_test(test_pem_bundle_and_crlf),
        cmocka_unit_test(test_pem_refusals),
        cmocka_unit_test(test_pem_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
