/* Unit tests of port/posix/posix_entropy.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "port/posix/posix_port.h"

static void test_fill_real(void **state)
{
    (void)state;
    captls_posix_entropy_ctx ctx;
    captls_entropy e;
    uint8_t a[64], b[64];
    static uint8_t big[3u << 20]; /* more than one getrandom chunk */
    unsigned counts[256] = {0};

    captls_posix_entropy_init(&ctx, &e);
    assert_int_equal(e.fill(e.ctx, a, 0), CAPTLS_OK);
    assert_int_equal(e.fill(e.ctx, NULL, 0), CAPTLS_OK);
    assert_int_equal(e.fill(e.ctx, a, sizeof(a)), CAPTLS_OK);
    assert_int_equal(e.fill(e.ctx, b, sizeof(b)), CAPTLS_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(e.fill(e.ctx, big, sizeof(big)), CAPTLS_OK);
    for (size_t i = 0; i < sizeof(big); i++)
        counts[big[i]]++;
    /* 3 MiB of uniform bytes: each value ~12288 times; a missing chunk
     * (left zero) would push counts[0] far above the rest. */
    for (int v = 0; v < 256; v++) {
        assert_true(counts[v] > 11000);
        assert_true(counts[v] < 13600);
    }
}

static void test_null_buffer_refused(void **state)
{
    (void)state;
    captls_posix_entropy_ctx ctx;
    captls_entropy e;

    captls_posix_entropy_init(&ctx, &e);
    assert_int_equal(e.fill(e.ctx, NULL, 1), CAPTLS_ERR_INVALID_ARGUMENT);
}

/* A getrandom stand-in: EINTR first, then 3 bytes per call. */
static int hook_calls;
static ssize_t short_reads(void *buf, size_t len, unsigned flags)
{
    (void)flags;
    if (hook_calls++ == 0) {
        errno = EINTR;
        return -1;
    }
    if (len > 3)
        len = 3;
    memset(buf, 0xA5, len);
    return (ssize_t)len;
}

static void test_short_reads_and_eintr_retried(void **state)
{
    (void)state;
    captls_posix_entropy_ctx ctx;
    captls_entropy e;
    uint8_t out[10], want[10];

    captls_posix_entropy_init(&ctx, &e);
    ctx.getrandom_fn = short_reads;
    hook_calls = 0;
    assert_int_equal(e.fill(e.ctx, out, sizeof(out)), CAPTLS_OK);
    memset(want, 0xA5, sizeof(want));
    assert_memory_equal(out, want, sizeof(out));
    assert_int_equal(hook_calls, 5); /* EINTR, 3, 3, 3, 1 */
}

/* Gives 4 bytes, then fails as a broken source would. */
static ssize_t fails_midway(void *buf, size_t len, unsigned flags)
{
    (void)flags;
    if (hook_calls++ == 0) {
        if (len > 4)
            len = 4;
        memset(buf, 0x5A, len);
        return (ssize_t)len;
    }
    errno = EIO;
    return -1;
}

static void test_failure_wipes_partial_output(void **state)
{
    (void)state;
    captls_posix_entropy_ctx ctx;
    captls_entropy e;
    uint8_t out[16], zero[16] = {0};

    captls_posix_entropy_init(&ctx, &e);
    ctx.getrandom_fn = fails_midway;
    hook_calls = 0;
    memset(out, 0xEE, sizeof(out));
    assert_int_equal(e.fill(e.ctx, out, sizeof(out)),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    assert_memory_equal(out, zero, sizeof(out));
}

static ssize_t never_progresses(void *buf, size_t len, unsigned flags)
{
    (void)buf;
    (void)len;
    (void)flags;
    hook_calls++;
    return 0;
}

static ssize_t overreports(void *buf, size_t len, unsigned flags)
{
    (void)buf;
    (void)flags;
    return (ssize_t)len + 1;
}

static void test_broken_source_fails_closed(void **state)
{
    (void)state;
    captls_posix_entropy_ctx ctx;
    captls_entropy e;
    uint8_t out[8];

    captls_posix_entropy_init(&ctx, &e);
    ctx.getrandom_fn = never_progresses;
    hook_calls = 0;
    assert_int_equal(e.fill(e.ctx, out, sizeof(out)),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    assert_true(hook_calls < 100);
    ctx.getrandom_fn = overreports;
    assert_int_equal(e.fill(e.ctx, out, sizeof(out)),
                     CAPTLS_ERR_ENTROPY_FAILURE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_real),
        cmocka_unit_test(test_null_buffer_refused),
        cmocka_unit_test(test_short_reads_and_eintr_retried),
        cmocka_unit_test(test_failure_wipes_partial_output),
        cmocka_unit_test(test_broken_source_fails_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
