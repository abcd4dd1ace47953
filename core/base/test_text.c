/* Unit tests of core/base/sanitize.c and text.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/base/sanitize.h"
#include "core/base/text.h"

static void test_sanitize_escapes(void **state)
{
    (void)state;
    char out[64];
    const uint8_t in[] = {'o', 'k', ' ', '"', '\\', '\n', 0x1b, 0x7f, 0xff, 0};
    size_t n = captls_sanitize(in, sizeof(in), out, sizeof(out));
    assert_string_equal(out, "ok \\\"\\\\\\x0a\\x1b\\x7f\\xff\\x00");
    assert_int_equal(n, strlen(out));
}

static void test_sanitize_truncates_on_escape_boundary(void **state)
{
    (void)state;
    char out[12];
    const uint8_t in[] = "abcdef\x01\x02\x03\x04";
    for (size_t cap = 0; cap <= sizeof(out); cap++) {
        memset(out, 'Z', sizeof(out));
        size_t n = captls_sanitize(in, sizeof(in) - 1, out, cap);
        if (cap == 0) {
            assert_int_equal(n, 0);
            assert_int_equal(out[0], 'Z');
            continue;
        }
        assert_int_equal(out[n], '\0');
        assert_true(n < cap);
        /* never a dangling part of an escape before the marker */
        if (n >= 3 && strcmp(out + n - 3, "...") == 0) {
            const char *esc = strrchr(out, '\\');
            assert_true(esc == NULL || esc + 4 <= out + n - 3);
        }
    }
    memset(out, 0, sizeof(out));
    (void)captls_sanitize(in, sizeof(in) - 1, out, 10);
    assert_string_equal(out, "abcdef...");
}

static void test_sanitize_null_input(void **state)
{
    (void)state;
    char out[4] = "xyz";
    assert_int_equal(captls_sanitize(NULL, 5, out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

static void test_text_numbers_and_overflow(void **state)
{
    (void)state;
    char buf[64];
    captls_text t;
    captls_text_init(&t, buf, sizeof(buf));
    captls_text_u64(&t, 0);
    captls_text_str(&t, " ");
    captls_text_i64(&t, INT64_MIN);
    captls_text_str(&t, " ");
    captls_text_u64_padded(&t, 42, 5);
    captls_text_str(&t, " ");
    captls_text_hex(&t, (const uint8_t *)"\x00\xab", 2);
    assert_int_equal(captls_text_finish(&t), CAPTLS_OK);
    assert_string_equal(buf, "0 -9223372036854775808 00042 00ab");

    char small[5];
    captls_text_init(&t, small, sizeof(small));
    captls_text_str(&t, "abcdefgh");
    assert_int_equal(captls_text_finish(&t), CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(captls_text_len(&t), 8);
    assert_string_equal(small, "abcd");
}

static void test_text_sanitized_keeps_escapes_and_neutralizes(void **state)
{
    (void)state;
    char buf[64];
    captls_text t;
    captls_text_init(&t, buf, sizeof(buf));
    captls_text_str_sanitized(&t, "a\\x0a\\\"b\"c\x01\\");
    assert_int_equal(captls_text_finish(&t), CAPTLS_OK);
    assert_string_equal(buf, "a\\x0a\\\"b\\\"c?\\\\");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize_escapes),
        cmocka_unit_test(test_sanitize_truncates_on_escape_boundary),
        cmocka_unit_test(test_sanitize_null_input),
        cmocka_unit_test(test_text_numbers_and_overflow),
        cmocka_unit_test(test_text_sanitized_keeps_escapes_and_neutralizes),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
