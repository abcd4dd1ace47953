/* Unit tests of core/gateway/client_map.c: the --client-map parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/gateway/client_map.h"

#define FP64 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define FP95 "9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08"

static void test_good(void **state)
{
    (void)state;
    static captls_client_map_entry e[8];
    size_t n;
    captls_parse_error err;
    static const char text[] =
        "# client certificates\n"
        "sha256:" FP64 " alice dev\n"
        "  \t# indented comment\n"
        "\n"
        "subject:CN=Bob Smith, O=Example Corp\\, Inc.,C=US bob production\r\n"
        "subject:CN=#0403616263+UID=carol carol dev  \n"
        "subject:1.2.840.113549.1.9.1=d@example.com\\2Bx dave ops_1\n"
        "\tsubject:CN=a\\ b\\  erin\tdev";
    captls_result r = captls_client_map_parse(text, sizeof text - 1, e, 8, &n, &err);
    if (r != CAPTLS_OK)
        fail_msg("%u:%u: %s", err.line, err.column, err.what);
    assert_int_equal(n, 5);
    assert_int_equal(e[0].kind, CAPTLS_CLIENT_MAP_SHA256);
    assert_int_equal(e[0].fingerprint[0], 0x9f);
    assert_int_equal(e[0].fingerprint[31], 0x08);
    assert_string_equal(e[0].user, "alice");
    assert_string_equal(e[0].profile, "dev");
    assert_int_equal(e[1].kind, CAPTLS_CLIENT_MAP_SUBJECT);
    assert_string_equal(e[1].subject, "CN=Bob Smith,O=Example Corp\\, Inc.,C=US");
    assert_int_equal(e[1].subject_len, strlen(e[1].subject));
    assert_string_equal(e[1].user, "bob");
    assert_string_equal(e[1].profile, "production");
    assert_string_equal(e[2].subject, "CN=#0403616263+UID=carol");
    assert_string_equal(e[3].subject, "1.2.840.113549.1.9.1=d@example.com\\2Bx");
    assert_string_equal(e[3].profile, "ops_1");
    assert_string_equal(e[4].subject, "CN=a\\ b\\ ");
    assert_string_equal(e[4].user, "erin");
    /* the colon form of the fingerprint is the same key */
    static const char dup[] = "sha256:" FP64 " a dev\nsha256:" FP95 " b dev\n";
    assert_int_equal(captls_client_map_parse(dup, sizeof dup - 1, e, 8, &n, &err),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 1);
    assert_int_equal(captls_client_map_parse("", 0, e, 8, &n, &err), CAPTLS_OK);
    assert_int_equal(n, 0);
}

typedef struct bad_case {
    const char *text;
    captls_result r;
    uint32_t line, column;
    const char *what_prefix;
} bad_case;

static void test_bad(void **state)
{
    (void)state;
    static captls_client_map_entry e[2];
    size_t n;
    captls_parse_error err;
    static const bad_case bad[] = {
        {"sha256:" FP64 " alice", CAPTLS_ERR_MALFORMED, 1, 78, "expected KEY USER PROFILE"},
        {"sha256:" FP64, CAPTLS_ERR_MALFORMED, 1, 72, "expected KEY USER PROFILE"},
        {"md5:abcd alice dev", CAPTLS_ERR_MALFORMED, 1, 1, "expected sha256:"},
        {"  sha256:abcd alice dev", CAPTLS_ERR_MALFORMED, 1, 10, "fingerprint must be"},
        {"sha256:" "9g86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 a dev",
         CAPTLS_ERR_MALFORMED, 1, 9, "hex digit"},
        {"sha256:9F:86-D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08 a dev",
         CAPTLS_ERR_MALFORMED, 1, 13, "':' expected"},
        {"sha256:" FP64 " a:b dev", CAPTLS_ERR_MALFORMED, 1, 73, "user name must"},
        {"sha256:" FP64 " alice de.v", CAPTLS_ERR_MALFORMED, 1, 79, "profile must"},
        {"subject: alice dev", CAPTLS_ERR_MALFORMED, 1, 9, "empty subject"},
        {"subject:CN alice dev", CAPTLS_ERR_MALFORMED, 1, 11, "'=' expected"},
        {"subject:=x alice dev", CAPTLS_ERR_MALFORMED, 1, 9, "attribute type expected"},
        {"subject:CN=a;b alice dev", CAPTLS_ERR_MALFORMED, 1, 13, "this character must be escaped"},
        {"subject:CN=a\\q alice dev", CAPTLS_ERR_MALFORMED, 1, 14, "'\\' must be followed"},
        {"subject:CN=#abc alice dev", CAPTLS_ERR_MALFORMED, 1, 16, "a #value needs pairs"},
        {"subject:CN=#zz alice dev", CAPTLS_ERR_MALFORMED, 1, 13, "hex digit expected"},
        {"subject:CN=a, alice dev", CAPTLS_ERR_MALFORMED, 1, 14, "attribute expected after"},
        {"subject:CN=a,  , O=b alice dev", CAPTLS_ERR_MALFORMED, 1, 16, "attribute type expected"},
        {"subject:1.02=x alice dev", CAPTLS_ERR_MALFORMED, 1, 11, "OID arc with a leading zero"},
        {"subject:1.=x alice dev", CAPTLS_ERR_MALFORMED, 1, 11, "OID arc expected"},
        {"subject:CN=x\x01y alice dev", CAPTLS_ERR_MALFORMED, 1, 13, "control byte"},
        {"subject:CN=ok a dev\nsubject:CN=ok b dev", CAPTLS_ERR_ALREADY_EXISTS, 2, 1, "this certificate"},
        {"sha256:" FP64 " a dev\nsubject:CN=x b dev\nsubject:CN=y c dev", CAPTLS_ERR_LIMIT_EXCEEDED, 3, 1, "too many"},
        {"subject:CN=x\0 a dev", CAPTLS_ERR_MALFORMED, 1, 13, "NUL or CR"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len = strlen(bad[i].text);
        if (i == sizeof bad / sizeof *bad - 1)
            len = 19;
        memset(&err, 0, sizeof err);
        captls_result r = captls_client_map_parse(bad[i].text, len, e, 2, &n, &err);
        if (r != bad[i].r || err.line != bad[i].line || err.column != bad[i].column ||
            err.what == NULL ||
            strncmp(err.what, bad[i].what_prefix, strlen(bad[i].what_prefix)) != 0)
            fail_msg("case %zu: got %s at %u:%u (%s)", i, captls_result_name(r), err.line,
                     err.column, err.what ? err.what : "-");
    }
}

static void test_subject_too_long(void **state)
{
    (void)state;
    static char text[CAPTLS_CLIENT_MAP_SUBJECT_MAX + 64];
    static captls_client_map_entry e[1];
    size_t n, len;
    captls_parse_error err;
    memcpy(text, "subject:CN=", 11);
    len = 11;
    for (size_t i = 0; i < CAPTLS_CLIENT_MAP_SUBJECT_MAX; i++)
        text[len++] = 'x';
    memcpy(text + len, " a dev", 6);
    len += 6;
    assert_int_equal(captls_client_map_parse(text, len, e, 1, &n, &err), CAPTLS_ERR_MALFORMED);
    assert_string_equal(err.what, "subject too long");
    assert_int_equal(err.line, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_subject_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
