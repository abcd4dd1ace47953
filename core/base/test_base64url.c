/* Unit tests of core/base/base64url.c: RFC 4648 §10 vectors without
 * padding, strict refusals, and a differential round trip against
 * OpenSSL's base64 (alphabet translated, padding stripped). */
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

#include "core/base/base64url.h"

static void test_vectors(void **state)
{
    (void)state;
    /* RFC 4648 §10 with '=' removed (RFC 7515 §2 / Appendix C) */
    static const char *v[][2] = {{"", ""},          {"f", "Zg"},
                                 {"fo", "Zm8"},     {"foo", "Zm9v"},
                                 {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
                                 {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < 7; i++) {
        char enc[16];
        uint8_t dec[16];
        size_t n, pl = strlen(v[i][0]), el = strlen(v[i][1]);
        assert_int_equal(captls_base64url_encoded_len(pl), el);
        assert_int_equal(captls_base64url_decoded_len(el), pl);
        assert_int_equal(captls_base64url_encode((const uint8_t *)v[i][0], pl,
                                                 enc, sizeof(enc), &n), CAPTLS_OK);
        assert_int_equal(n, el);
        assert_memory_equal(enc, v[i][1], el);
        assert_int_equal(captls_base64url_decode(v[i][1], el, dec, sizeof(dec), &n),
                         CAPTLS_OK);
        assert_int_equal(n, pl);
        assert_memory_equal(dec, v[i][0], pl);
    }
    /* the URL alphabet: 0xFB 0xFF -> "-_8" (standard: "+/8=") */
    static const uint8_t b[] = {0xFB, 0xFF};
    char enc[8];
    size_t n;
    assert_int_equal(captls_base64url_encode(b, 2, enc, sizeof(enc), &n), CAPTLS_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(enc, "-_8", 3);
    /* RFC 7515 Appendix C example */
    static const uint8_t c[] = {3, 236, 255, 224, 193};
    assert_int_equal(captls_base64url_encode(c, 5, enc, sizeof(enc), &n), CAPTLS_OK);
    assert_int_equal(n, 7);
    assert_memory_equal(enc, "A-z_4ME", 7);
}

static void test_is_text(void **state)
{
    (void)state;
    assert_true(captls_base64url_is_text("AZaz09-_", 8));
    assert_false(captls_base64url_is_text("", 0));     /* empty */
    assert_false(captls_base64url_is_text("ab=", 3));  /* padding */
    assert_false(captls_base64url_is_text("a+b", 3));  /* base64, not url */
    assert_false(captls_base64url_is_text("a/b", 3));
    assert_false(captls_base64url_is_text("a.b", 3));
    assert_true(captls_base64url_is_text("a.b", 1));   /* only n bytes */
}

static void test_refusals(void **state)
{
    (void)state;
    static const char *bad[] = {
        "Zg==",  /* padding */
        "Zm8=",  /* padding */
        "Z",     /* 1 mod 4 */
        "Zm9vY", /* 1 mod 4 */
        "Zh",    /* non-zero spare bits (4) */
        "Zm9",   /* non-zero spare bits (2) */
        "Zm+v",  /* standard alphabet */
        "Zm/v",  /* standard alphabet */
        "Zm 9v", /* whitespace */
        "Zm9v\n",
        "Zm9\x80",
        "Zm.v",
        "=",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t out[16];
        size_t n = 77;
        memset(out, 0xEE, sizeof(out));
        if (captls_base64url_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) !=
            CAPTLS_ERR_MALFORMED)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(n, 77);
        for (size_t k = 0; k < sizeof(out); k++)
            assert_int_equal(out[k], 0xEE); /* nothing written */
    }
    /* embedded NUL */
    uint8_t out[8];
    size_t n;
    assert_int_equal(captls_base64url_decode("Zm\0v", 4, out, sizeof(out), &n),
                     CAPTLS_ERR_MALFORMED);
    /* sizes */
    assert_int_equal(captls_base64url_decode("Zm9vYmFy", 8, out, 5, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 6);
    char e[4];
    assert_int_equal(captls_base64url_encode((const uint8_t *)"foob", 4, e, 4, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 6);
    assert_int_equal(captls_base64url_decode(NULL, 1, out, 8, &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_base64url_encode(NULL, 1, e, 4, &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

/* OpenSSL encodes standard base64 with padding; translate to compare. */
static void test_differential_openssl(void **state)
{
    (void)state;
    static uint8_t in[300], dec[300];
    static char ours[420], ref[420];
    for (size_t len = 0; len < 300; len++) {
        assert_int_equal(RAND_bytes(in, (int)len + 1), 1);
        int rl = EVP_EncodeBlock((unsigned char *)ref, in, (int)len);
        while (rl > 0 && ref[rl - 1] == '=')
            rl--;
        for (int k = 0; k < rl; k++)
            ref[k] = ref[k] == '+' ? '-' : ref[k] == '/' ? '_' : ref[k];
        size_t n, m;
        assert_int_equal(captls_base64url_encode(in, len, ours, sizeof(ours), &n),
                         CAPTLS_OK);
        assert_int_equal(n, (size_t)rl);
        assert_memory_equal(ours, ref, n);
        assert_int_equal(captls_base64url_decode(ours, n, dec, sizeof(dec), &m),
                         CAPTLS_OK);
        assert_int_equal(m, len);
        assert_memory_equal(dec, in, len);
        /* flipping the last symbol to a neighbour is refused or decodes to
         * different bytes (one encoding per byte string) */
        if (n > 0) {
            char save = ours[n - 1];
            ours[n - 1] = save == 'A' ? 'B' : 'A';
            captls_result r = captls_base64url_decode(ours, n, dec, sizeof(dec), &m);
            assert_true(r == CAPTLS_ERR_MALFORMED ||
                        (r == CAPTLS_OK && memcmp(dec, in, len) != 0));
            ours[n - 1] = save;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_is_text),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_differential_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
