/* Unit tests of the simulator's event queue and run loop: (time, insertion)
 * order, wake coalescing, budgets, and the transcript hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bearssl.h>

#include "sim/sim.h"

#define MS CAPTLS_SIM_NS_PER_MS

typedef struct rec_state {
    uint32_t order[64];
    uint64_t when[64];
    unsigned n;
    unsigned actions;
    bool rearm; /* a timer that re-arms itself forever */
} rec_state;

static void rec_timer(captls_sim_proc *p, uint32_t tag)
{
    rec_state *st = captls_sim_proc_state(p);
    if (st->n < 64) {
        st->order[st->n] = tag;
        st->when[st->n] = captls_sim_now(captls_sim_proc_kernel(p));
        st->n++;
    }
    if (st->rearm)
        assert_int_equal(captls_sim_proc_timer(p, 1 * MS, tag), CAPTLS_OK);
}

static void rec_action(captls_sim_proc *p, const captls_sim_action *a)
{
    rec_state *st = captls_sim_proc_state(p);
    if (st->n < 64) {
        st->order[st->n] = 1000u + a->line;
        st->when[st->n] = captls_sim_now(captls_sim_proc_kernel(p));
        st->n++;
    }
    st->actions++;
}

static const captls_sim_program REC = {
    .name = "rec",
    .state_size = sizeof(rec_state),
    .timer = rec_timer,
    .action = rec_action,
};

static captls_sim_kernel *kernel(const captls_sim_limits *l,
                                 captls_sim_proc **p)
{
    captls_sim_kernel *k = NULL;
    captls_sim_host *h = NULL;
    assert_int_equal(captls_sim_kernel_new(l, 1, NULL, NULL, &k), CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(k, "h", 0, CAPTLS_CLOCK_UNTRUSTED, &h),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "p", &REC, NULL, 0, p),
                     CAPTLS_OK);
    return k;
}

static void test_time_then_insertion_order(void **state)
{
    (void)state;
    captls_sim_proc *p;
    captls_sim_kernel *k = kernel(NULL, &p);
    rec_state *st = captls_sim_proc_state(p);
    /* Scheduled out of time order; equal times keep insertion order. */
    assert_int_equal(captls_sim_proc_timer(p, 5 * MS, 1), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_timer(p, 2 * MS, 2), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_timer(p, 5 * MS, 3), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_timer(p, 2 * MS, 4), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_timer(p, 0, 5), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_timer(p, 5 * MS, 6), CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    static const uint32_t want[] = {5, 2, 4, 1, 3, 6};
    static const uint64_t at[] = {0, 2 * MS, 2 * MS, 5 * MS, 5 * MS, 5 * MS};
    assert_int_equal(st->n, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(st->order[i], want[i]);
        assert_int_equal(st->when[i], at[i]);
    }
    assert_int_equal(captls_sim_now(k), 5 * MS);
    captls_sim_kernel_free(k);
}

static void test_many_events_stay_ordered(void **state)
{
    (void)state;
    captls_sim_proc *p;
    captls_sim_kernel *k = kernel(NULL, &p);
    rec_state *st = captls_sim_proc_state(p);
    /* 64 timers at pseudo-random times in [0, 8ms): the heap must deliver
     * them sorted by (time, insertion). */
    uint32_t x = 12345;
    uint64_t t[64];
    for (uint32_t i = 0; i < 64; i++) {
        x = x * 1103515245u + 12345u;
        t[i] = (x >> 16) % 8 * MS;
        assert_int_equal(captls_sim_proc_timer(p, t[i], i), CAPTLS_OK);
    }
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(st->n, 64);
    for (unsigned i = 1; i < 64; i++) {
        uint32_t a = st->order[i - 1], b = st->order[i];
        assert_true(t[a] < t[b] || (t[a] == t[b] && a < b));
    }
    captls_sim_kernel_free(k);
}

static void test_actions_and_run_until(void **state)
{
    (void)state;
    captls_sim_proc *p;
    captls_sim_kernel *k = kernel(NULL, &p);
    rec_state *st = captls_sim_proc_state(p);
    captls_sim_action a1 = {.verb = "x", .line = 1};
    captls_sim_action a2 = {.verb = "x", .line = 2};
    captls_sim_action a3 = {.verb = "x", .line = 3};
    assert_int_equal(captls_sim_schedule_action(k, 3 * MS, p, &a1), CAPTLS_OK);
    assert_int_equal(captls_sim_schedule_action(k, 1 * MS, p, &a2), CAPTLS_OK);
    assert_int_equal(captls_sim_schedule_action(k, 3 * MS, p, &a3), CAPTLS_OK);
    assert_int_equal(captls_sim_run_until(k, 2 * MS), CAPTLS_OK);
    assert_int_equal(st->actions, 1);
    assert_int_equal(captls_sim_now(k), 2 * MS);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(st->n, 3);
    assert_int_equal(st->order[0], 1002);
    assert_int_equal(st->order[1], 1001);
    assert_int_equal(st->order[2], 1003);
    captls_sim_kernel_free(k);
}

static void test_event_budget_stops(void **state)
{
    (void)state;
    captls_sim_limits l;
    captls_sim_limits_default(&l);
    l.max_events = 100;
    captls_sim_proc *p;
    captls_sim_kernel *k = kernel(&l, &p);
    rec_state *st = captls_sim_proc_state(p);
    st->rearm = true;
    assert_int_equal(captls_sim_proc_timer(p, 0, 9), CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_sim_events(k), 100);
    assert_non_null(captls_sim_stop_reason(k));
    assert_non_null(strstr(captls_sim_stop_reason(k), "event budget"));
    /* Stopped for good: running again does nothing more. */
    assert_int_equal(captls_sim_run(k), CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_sim_events(k), 100);
    captls_sim_kernel_free(k);
}

static void test_time_budget_stops(void **state)
{
    (void)state;
    captls_sim_limits l;
    captls_sim_limits_default(&l);
    l.max_time_ns = 10 * MS;
    captls_sim_proc *p;
    captls_sim_kernel *k = kernel(&l, &p);
    rec_state *st = captls_sim_proc_state(p);
    st->rearm = true;
    assert_int_equal(captls_sim_proc_timer(p, 0, 9), CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_true(captls_sim_now(k) <= 10 * MS);
    assert_non_null(strstr(captls_sim_stop_reason(k), "virtual time"));
    captls_sim_kernel_free(k);
}

static void test_queue_budget_stops(void **state)
{
    (void)state;
    captls_sim_limits l;
    captls_sim_limits_default(&l);
    l.max_queued = 8;
    captls_sim_proc *p;
    captls_sim_kernel *k = kernel(&l, &p); /* its start event: 1 queued */
    unsigned ok = 0;
    for (unsigned i = 0; i < 20; i++)
        ok += captls_sim_proc_timer(p, MS, i) == CAPTLS_OK;
    assert_int_equal(ok, 7);
    assert_int_equal(captls_sim_run(k), CAPTLS_ERR_LIMIT_EXCEEDED);
    captls_sim_kernel_free(k);
}

static void test_bad_limits_refused(void **state)
{
    (void)state;
    captls_sim_limits l;
    captls_sim_kernel *k = NULL;
    captls_sim_limits_default(&l);
    l.max_procs = 70000;
    assert_int_equal(captls_sim_kernel_new(&l, 1, NULL, NULL, &k),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_null(k);
    captls_sim_limits_default(&l);
    l.max_time_ns = UINT64_MAX;
    assert_int_equal(captls_sim_kernel_new(&l, 1, NULL, NULL, &k),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

typedef struct lines {
    char buf[4096];
    size_t len;
} lines;

static void collect(void *ctx, const char *line, size_t len)
{
    lines *l = ctx;
    assert_true(l->len + len + 1 < sizeof(l->buf));
    memcpy(l->buf + l->len, line, len);
    l->buf[l->len + len] = '\n';
    l->len += len + 1;
}

static void test_transcript_format_and_hash(void **state)
{
    (void)state;
    lines l = {.len = 0};
    captls_sim_kernel *k = NULL;
    uint8_t h[32], want[32];
    assert_int_equal(captls_sim_kernel_new(NULL, 1, collect, &l, &k),
                     CAPTLS_OK);
    captls_sim_log(k, NULL, "sim", "hello %d", 1);
    assert_int_equal(captls_sim_run_until(k, 12345678), CAPTLS_OK);
    char q[32];
    static const uint8_t nasty[] = "a\n\"b\x01";
    captls_sim_log(k, NULL, "net", "x %s",
                   captls_sim_quote(nasty, sizeof(nasty) - 1, q, sizeof(q)));
    static const char expect[] = "[    0.000ms] sim: hello 1\n"
                                 "[   12.345ms] net: x \"a\\x0a\\\"b\\x01\"\n";
    assert_int_equal(l.len, strlen(expect));
    assert_memory_equal(l.buf, expect, l.len);
    captls_sim_transcript_hash(k, h);
    br_sha256_context c;
    br_sha256_init(&c);
    br_sha256_update(&c, expect, strlen(expect));
    br_sha256_out(&c, want);
    assert_memory_equal(h, want, 32);
    captls_sim_kernel_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_then_insertion_order),
        cmocka_unit_test(test_many_events_stay_ordered),
        cmocka_unit_test(test_actions_and_run_until),
        cmocka_unit_test(test_event_budget_stops),
        cmocka_unit_test(test_time_budget_stops),
        cmocka_unit_test(test_queue_budget_stops),
        cmocka_unit_test(test_bad_limits_refused),
        cmocka_unit_test(test_transcript_format_and_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
