/* core/verify/test_name_constraints.c — RFC 5280 §4.2.1.10 predicates and
 * set logic (the chain-level cases live in test_verify_chain.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/verify/name_constraints.h"

static captls_slice S(const char *s)
{
    return (captls_slice){(const uint8_t *)s, strlen(s)};
}

static void test_dns(void **state)
{
    (void)state;
    assert_true(captls_nc_dns_match(S("example.com"), S("example.com")));
    assert_true(captls_nc_dns_match(S("example.com"), S("WWW.Example.com")));
    assert_true(captls_nc_dns_match(S("example.com"), S("a.b.example.com")));
    assert_false(captls_nc_dns_match(S("example.com"), S("badexample.com")));
    assert_false(captls_nc_dns_match(S("example.com"), S("example.org")));
    assert_false(captls_nc_dns_match(S("example.com"), S("com")));
    assert_true(captls_nc_dns_match(S(".example.com"), S("a.example.com")));
    assert_false(captls_nc_dns_match(S(".example.com"), S("example.com")));
    assert_true(captls_nc_dns_match(S(""), S("anything.org")));
    assert_true(captls_nc_dns_match(S("example.com."), S("x.example.com")));
    assert_false(captls_nc_dns_match(S("example.com"), S("")));
}

static void test_email(void **state)
{
    (void)state;
    assert_true(captls_nc_email_match(S("example.com"), S("a@example.com")));
    assert_true(captls_nc_email_match(S("example.com"), S("a@EXAMPLE.com")));
    assert_false(captls_nc_email_match(S("example.com"), S("a@x.example.com")));
    assert_true(captls_nc_email_match(S(".example.com"), S("a@x.example.com")));
    assert_false(captls_nc_email_match(S(".example.com"), S("a@example.com")));
    assert_true(captls_nc_email_match(S("bob@example.com"), S("bob@Example.com")));
    assert_false(captls_nc_email_match(S("bob@example.com"), S("Bob@example.com")));
    assert_false(captls_nc_email_match(S("bob@example.com"), S("bob@example.co")));
    assert_false(captls_nc_email_match(S("example.com"), S("example.com")));
    assert_false(captls_nc_email_match(S("example.com"), S("@example.com")));
}

static void test_ip(void **state)
{
    (void)state;
    static const uint8_t c4[8] = {10, 0, 0, 0, 255, 0, 0, 0};
    static const uint8_t in4[4] = {10, 9, 8, 7}, out4[4] = {11, 0, 0, 1};
    static const uint8_t in6[16] = {10, 9, 8, 7};
    captls_slice c = {c4, 8};
    assert_true(captls_nc_ip_match(c, (captls_slice){in4, 4}));
    assert_false(captls_nc_ip_match(c, (captls_slice){out4, 4}));
    assert_false(captls_nc_ip_match(c, (captls_slice){in6, 16})); /* family */
}

static captls_general_name GN(captls_general_name_type t, const char *v)
{
    return (captls_general_name){t, S(v)};
}

static void test_sets(void **state)
{
    (void)state;
    captls_general_name permitted[] = {GN(CAPTLS_GN_DNS, "example.com")};
    captls_general_name excluded[] = {GN(CAPTLS_GN_DNS, "bad.example.com"),
                                      GN(CAPTLS_GN_URI, "example.com")};
    captls_nc_set set = {permitted, 1, excluded, 2};
    uint32_t budget = 1000;
    captls_general_name n;
    n = GN(CAPTLS_GN_DNS, "www.example.com");
    assert_int_equal(captls_nc_check_name(&set, &n, &budget), CAPTLS_NC_OK);
    n = GN(CAPTLS_GN_DNS, "x.bad.example.com");
    assert_int_equal(captls_nc_check_name(&set, &n, &budget),
                     CAPTLS_NC_VIOLATION);
    n = GN(CAPTLS_GN_DNS, "*.example.com"); /* could cover bad.example.com */
    assert_int_equal(captls_nc_check_name(&set, &n, &budget),
                     CAPTLS_NC_VIOLATION);
    n = GN(CAPTLS_GN_DNS, "evil.org");
    assert_int_equal(captls_nc_check_name(&set, &n, &budget),
                     CAPTLS_NC_VIOLATION);
    /* a form without permitted subtrees is free... */
    n = GN(CAPTLS_GN_RFC822, "a@evil.org");
    assert_int_equal(captls_nc_check_name(&set, &n, &budget), CAPTLS_NC_OK);
    /* ...but a constrained form we do not evaluate is refused */
    n = GN(CAPTLS_GN_URI, "https://example.com/");
    assert_int_equal(captls_nc_check_name(&set, &n, &budget),
                     CAPTLS_NC_UNSUPPORTED);
    budget = 0;
    n = GN(CAPTLS_GN_DNS, "www.example.com");
    assert_int_equal(captls_nc_check_name(&set, &n, &budget), CAPTLS_NC_BUDGET);
}

static void test_dn(void **state)
{
    (void)state;
    /* SEQUENCE { SET { SEQ { OID 2.5.4.10, PrintableString "Acme" } } } */
    static const uint8_t o_acme[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06,
                                     0x03, 0x55, 0x04, 0x0a, 0x13, 0x04, 'A',
                                     'c', 'm', 'e'};
    /* O=ACME (UTF8String, other case), CN=x */
    static const uint8_t o_acme_cn[] = {
        0x30, 0x1b, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x0a,
        0x0c, 0x04, 'A',  'C',  'M',  'E',  0x31, 0x0a, 0x30, 0x08, 0x06,
        0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'x'};
    static const uint8_t o_other[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06,
                                      0x03, 0x55, 0x04, 0x0a, 0x13, 0x04, 'E',
                                      'v', 'i', 'l'};
    captls_x509_name c, n1, n2;
    assert_int_equal(captls_x509_name_parse(o_acme, sizeof o_acme, &c), CAPTLS_OK);
    assert_int_equal(captls_x509_name_parse(o_acme_cn, sizeof o_acme_cn, &n1),
                     CAPTLS_OK);
    assert_int_equal(captls_x509_name_parse(o_other, sizeof o_other, &n2),
                     CAPTLS_OK);
    assert_true(captls_nc_dn_match(&c, &n1));
    assert_true(captls_nc_dn_match(&c, &c));
    assert_false(captls_nc_dn_match(&c, &n2));
    assert_false(captls_nc_dn_match(&n1, &c)); /* longer constraint */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns),  cmocka_unit_test(test_email),
        cmocka_unit_test(test_ip),   cmocka_unit_test(test_sets),
        cmocka_unit_test(test_dn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
