/* Unit tests of core/cap/audit.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/cap/audit.h"

static const captls_wall_time WALL = {1795392000, 5, CAPTLS_CLOCK_UNTRUSTED};

static void test_format_line(void **state)
{
    (void)state;
    captls_audit_record rec;
    char line[CAPTLS_AUDIT_LINE_MAX];
    size_t len = 0;
    assert_int_equal(captls_audit_record_init(&rec, 1500, &WALL, 3,
                                              CAPTLS_IFACE_TRUST_STORE_WRITER,
                                              2, "addAnchor", CAPTLS_OK),
                     CAPTLS_OK);
    captls_audit_set_detail(&rec, (const uint8_t *)"CN=Evil\"\n audit x", 17);
    assert_int_equal(captls_audit_format(&rec, line, sizeof(line), &len),
                     CAPTLS_OK);
    assert_string_equal(line,
        "audit mono=1500 wall=1795392000.000000005 clock=untrusted actor=3 "
        "iface=TrustStoreWriter method=2 event=addAnchor outcome=ok "
        "detail=\"CN=Evil\\\"\\x0a audit x\"");
    assert_int_equal(len, strlen(line));
    assert_null(strchr(line, '\n'));
}

static void test_longest_record_fits_line_max(void **state)
{
    (void)state;
    captls_audit_record rec;
    uint8_t junk[1000];
    char line[CAPTLS_AUDIT_LINE_MAX];
    size_t len;
    captls_wall_time w = {INT64_MIN, 999999999, CAPTLS_CLOCK_UNTRUSTED};
    memset(junk, 0x01, sizeof(junk));
    assert_int_equal(captls_audit_record_init(&rec, UINT64_MAX, &w, 65535,
                                              CAPTLS_IFACE_TLS_CLIENT_CONFIG,
                                              65535,
                                              "abcdefghijklmnopqrstuvwxyz01234",
                                              CAPTLS_ERR_RIGHTS_ESCALATION),
                     CAPTLS_OK);
    captls_audit_set_detail(&rec, junk, sizeof(junk));
    assert_int_equal(captls_audit_format(&rec, line, sizeof(line), &len),
                     CAPTLS_OK);
    assert_int_equal(captls_audit_format(&rec, line, 20, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_true(len >= 20);
}

static void test_event_must_be_identifier(void **state)
{
    (void)state;
    captls_audit_record rec;
    const char *bad[] = {"", "has space", "new\nline",
                         "abcdefghijklmnopqrstuvwxyz012345"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(captls_audit_record_init(&rec, 0, &WALL, 0,
                                                  CAPTLS_IFACE_ECHO, 0, bad[i],
                                                  CAPTLS_OK),
                         CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_audit_record_init(&rec, 0, NULL, 0,
                                              CAPTLS_IFACE_ECHO, 0, "ok",
                                              CAPTLS_OK),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_line),
        cmocka_unit_test(test_longest_record_fits_line_max),
        cmocka_unit_test(test_event_must_be_identifier),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
