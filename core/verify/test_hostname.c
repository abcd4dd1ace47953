/* core/verify/test_hostname.c — RFC 6125 matching table and IP parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/verify/hostname.h"

static const struct {
    const char *pattern, *host;
    bool match;
} table[] = {
    {"example.com", "example.com", true},
    {"Example.COM", "eXample.com", true},
    {"example.com.", "example.com", true},
    {"example.com", "example.com.", true},
    {"example.com", "www.example.com", false},
    {"www.example.com", "example.com", false},
    {"*.example.com", "www.example.com", true},
    {"*.example.com", "WWW.EXAMPLE.COM", true},
    {"*.example.com", "www.example.com.", true},
    {"*.example.com", "example.com", false},     /* not the bare domain */
    {"*.example.com", "a.b.example.com", false}, /* one label only */
    {"*.example.com", ".example.com", false},
    {"*.example.com", "www.example.org", false},
    {"*.example.com", "wwwexample.com", false},
    {"f*.example.com", "foo.example.com", false}, /* partial wildcard */
    {"*oo.example.com", "foo.example.com", false},
    {"f*o.example.com", "foo.example.com", false},
    {"**.example.com", "foo.example.com", false},
    {"www.*.com", "www.example.com", false},      /* not leftmost */
    {"*.*.example.com", "a.b.example.com", false},
    {"*.com", "example.com", false},              /* public-suffix-like */
    {"*.", "com.", false},
    {"*", "localhost", false},
    {"*.co.uk", "example.co.uk", true},           /* documented: no PSL */
    {"xn--bcher-kva.example", "xn--bcher-kva.example", true},
    {"*.example.com", "xn--bcher-kva.example.com", true},
    {"b\xc3\xbc" "cher.example", "b\xc3\xbc" "cher.example", false}, /* U-label */
    {"example.com", "exa mple.com", false},
    {"exa mple.com", "exa mple.com", false},
    {"", "", false},
    {"example.com", "", false},
    {"", "example.com", false},
    {"example..com", "example..com", false},
    {".example.com", "x.example.com", false},
    {"example.com", "example.com..", false},
    {"a_b.example.com", "A_B.example.com", true},
    {"10.0.0.1", "10.0.0.1", true}, /* matcher level; IP hosts never reach
                                       dNSName matching in the verifier */
    {"*.example.com", "*.example.com", false}, /* '*' invalid in hosts */
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        bool m = captls_hostname_match(table[i].pattern,
                                       strlen(table[i].pattern), table[i].host,
                                       strlen(table[i].host));
        if (m != table[i].match)
            fail_msg("row %zu: '%s' vs '%s': got %d", i, table[i].pattern,
                     table[i].host, m);
    }
}

static void test_host_validity(void **state)
{
    (void)state;
    char longname[300];
    memset(longname, 'a', sizeof longname);
    assert_true(captls_hostname_is_valid("a.b", 3));
    assert_true(captls_hostname_is_valid("a.b.", 4));
    assert_false(captls_hostname_is_valid(".", 1));
    assert_false(captls_hostname_is_valid("a..b", 4));
    assert_false(captls_hostname_is_valid(longname, 64)); /* label > 63 */
    assert_true(captls_hostname_is_valid(longname, 63));
    for (size_t i = 63; i < 300; i += 64)
        longname[i] = '.';
    assert_true(captls_hostname_is_valid(longname, 253));
    assert_false(captls_hostname_is_valid(longname, 254));
    assert_false(captls_hostname_is_valid("a\0b", 3));
    assert_false(captls_hostname_is_valid(NULL, 0));
}

static void test_ip_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int len; /* 0 = invalid */
        uint8_t b[16];
    } rows[] = {
        {"10.1.2.3", 4, {10, 1, 2, 3}},
        {"255.255.255.255", 4, {255, 255, 255, 255}},
        {"0.0.0.0", 4, {0}},
        {"256.1.1.1", 0, {0}},
        {"01.1.1.1", 0, {0}},
        {"1.1.1", 0, {0}},
        {"1.1.1.1.", 0, {0}},
        {"1.1.1.1.1", 0, {0}},
        {"::", 16, {0}},
        {"::1", 16, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
        {"2001:db8::1", 16, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             0, 0, 1}},
        {"1:2:3:4:5:6:7:8", 16, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0,
                                 8}},
        {"::ffff:1.2.3.4", 16, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2,
                                3, 4}},
        {"1::", 16, {0, 1}},
        {"1:2:3:4:5:6:7:8:9", 0, {0}},
        {"1::2::3", 0, {0}},
        {":1::", 0, {0}},
        {"1:", 0, {0}},
        {"12345::", 0, {0}},
        {"1:2:3:4:5:6:7::8", 0, {0}},
        {"g::", 0, {0}},
        {"[::1]", 0, {0}},
        {"fe80::1%eth0", 0, {0}},
        {"", 0, {0}},
        {"example.com", 0, {0}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t out[16];
        size_t n = 0;
        bool ok = captls_ip_parse(rows[i].text, strlen(rows[i].text), out, &n);
        if (ok != (rows[i].len != 0))
            fail_msg("row %zu '%s': ok=%d", i, rows[i].text, ok);
        if (ok) {
            assert_int_equal(n, (size_t)rows[i].len);
            assert_memory_equal(out, rows[i].b, n);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_host_validity),
        cmocka_unit_test(test_ip_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
