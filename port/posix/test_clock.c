/* Unit tests of port/posix/posix_clock.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "port/posix/posix_port.h"

static void test_monotonic_never_goes_back(void **state)
{
    (void)state;
    captls_posix_clock_ctx ctx;
    captls_clock clk;
    uint64_t prev, now;
    struct timespec pause = {0, 2000000};

    captls_posix_clock_init(&ctx, CAPTLS_CLOCK_TRUSTED, &clk);
    prev = clk.monotonic_ns(clk.ctx);
    assert_true(prev > 0);
    for (int i = 0; i < 10000; i++) {
        now = clk.monotonic_ns(clk.ctx);
        assert_true(now >= prev);
        prev = now;
    }
    nanosleep(&pause, NULL);
    now = clk.monotonic_ns(clk.ctx);
    assert_true(now - prev >= 2000000u);
}

static void test_wall_time_trusted_by_default_config(void **state)
{
    (void)state;
    captls_posix_clock_ctx ctx;
    captls_clock clk;
    captls_wall_time w;
    time_t t0 = time(NULL);

    captls_posix_clock_init(&ctx, CAPTLS_CLOCK_TRUSTED, &clk);
    assert_int_equal(clk.wall_time(clk.ctx, &w), CAPTLS_OK);
    assert_true(w.epoch_seconds >= (int64_t)t0 - 1);
    assert_true(w.epoch_seconds <= (int64_t)t0 + 2);
    assert_true(w.nanoseconds < 1000000000u);
    assert_int_equal(w.provenance, CAPTLS_CLOCK_TRUSTED);
    assert_int_equal(clk.wall_time(clk.ctx, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_wall_time_untrusted_when_configured(void **state)
{
    (void)state;
    captls_posix_clock_ctx ctx;
    captls_clock clk;
    captls_wall_time w;

    captls_posix_clock_init(&ctx, CAPTLS_CLOCK_UNTRUSTED, &clk);
    assert_int_equal(clk.wall_time(clk.ctx, &w), CAPTLS_OK);
    assert_int_equal(w.provenance, CAPTLS_CLOCK_UNTRUSTED);
}

/* Hooks standing in for clock_gettime. */
static int failing_gettime(clockid_t id, struct timespec *ts)
{
    (void)id;
    (void)ts;
    errno = EINVAL;
    return -1;
}

static int64_t fake_sec;
static int fake_gettime(clockid_t id, struct timespec *ts)
{
    (void)id;
    ts->tv_sec = (time_t)fake_sec;
    ts->tv_nsec = 500;
    return 0;
}

static void test_wall_time_unavailable(void **state)
{
    (void)state;
    captls_posix_clock_ctx ctx;
    captls_clock clk;
    captls_wall_time w;

    captls_posix_clock_init(&ctx, CAPTLS_CLOCK_TRUSTED, &clk);
    ctx.gettime = failing_gettime;
    assert_int_equal(clk.wall_time(clk.ctx, &w),
                     CAPTLS_ERR_CLOCK_UNAVAILABLE);
}

static void test_monotonic_clamped_when_source_steps_back(void **state)
{
    (void)state;
    captls_posix_clock_ctx ctx;
    captls_clock clk;

    captls_posix_clock_init(&ctx, CAPTLS_CLOCK_TRUSTED, &clk);
    ctx.gettime = fake_gettime;
    fake_sec = 100;
    assert_int_equal(clk.monotonic_ns(clk.ctx), 100000000500u);
    fake_sec = 50; /* source steps back: the reading does not */
    assert_int_equal(clk.monotonic_ns(clk.ctx), 100000000500u);
    ctx.gettime = failing_gettime;
    assert_int_equal(clk.monotonic_ns(clk.ctx), 100000000500u);
    ctx.gettime = fake_gettime;
    fake_sec = 101;
    assert_int_equal(clk.monotonic_ns(clk.ctx), 101000000500u);
}

static void test_wall_time_before_epoch(void **state)
{
    (void)state;
    captls_posix_clock_ctx ctx;
    captls_clock clk;
    captls_wall_time w;

    captls_posix_clock_init(&ctx, CAPTLS_CLOCK_UNTRUSTED, &clk);
    ctx.gettime = fake_gettime;
    fake_sec = -5; /* a badly set RTC: reported as is, not refused */
    assert_int_equal(clk.wall_time(clk.ctx, &w), CAPTLS_OK);
    assert_int_equal(w.epoch_seconds, -5);
    assert_int_equal(w.nanoseconds, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotonic_never_goes_back),
        cmocka_unit_test(test_wall_time_trusted_by_default_config),
        cmocka_unit_test(test_wall_time_untrusted_when_configured),
        cmocka_unit_test(test_wall_time_unavailable),
        cmocka_unit_test(test_monotonic_clamped_when_source_steps_back),
        cmocka_unit_test(test_wall_time_before_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
