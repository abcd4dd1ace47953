/* Unit tests of core/base/ct.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/base/ct.h"

static void test_ct_equal_basic(void **state)
{
    (void)state;
    uint8_t a[64], b[64];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (uint8_t)(i * 7 + 1);
    assert_true(captls_ct_equal(a, b, sizeof a));
    assert_true(captls_ct_equal(NULL, NULL, 0));
    assert_true(captls_ct_equal(a, b, 0));
    /* a difference at every position and every bit is seen */
    for (size_t i = 0; i < sizeof a; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            assert_false(captls_ct_equal(a, b, sizeof a));
            assert_true(captls_ct_equal(a, b, i)); /* prefix still equal */
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    /* all bits different */
    memset(a, 0x00, sizeof a);
    memset(b, 0xff, sizeof b);
    assert_false(captls_ct_equal(a, b, 1));
}

static void test_zeroize(void **state)
{
    (void)state;
    uint8_t buf[37];
    memset(buf, 0xa5, sizeof buf);
    captls_zeroize(buf + 1, sizeof buf - 2);
    assert_int_equal(buf[0], 0xa5);
    assert_int_equal(buf[sizeof buf - 1], 0xa5);
    for (size_t i = 1; i < sizeof buf - 1; i++)
        assert_int_equal(buf[i], 0);
    captls_zeroize(NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct_equal_basic),
        cmocka_unit_test(test_zeroize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
