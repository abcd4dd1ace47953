/* Unit tests of the simulator's faults and checks: clock skew, drift,
 * jumps and provenance; write splitting, bandwidth and stalls on links;
 * kill, restart and revoke; torn and full blob stores; failing entropy;
 * the leak check; and trace files (round trip and malformed input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

static const captls_sim_program IDLE = {.name = "idle"};

static captls_sim_kernel *kernel(void)
{
    captls_sim_kernel *k = NULL;
    assert_int_equal(captls_sim_kernel_new(NULL, 1, NULL, NULL, &k),
                     CAPTLS_OK);
    return k;
}

static void test_clock_skew_drift_jump(void **state)
{
    (void)state;
    captls_sim_kernel *k = kernel();
    captls_sim_host *h;
    captls_wall_time w;
    assert_int_equal(captls_sim_host_add(k, "a", 1000, CAPTLS_CLOCK_TRUSTED,
                                         &h),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_clock(h, 2 * (int64_t)CAPTLS_SIM_NS_PER_S,
                                           1000),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run_until(k, 10 * CAPTLS_SIM_NS_PER_S),
                     CAPTLS_OK);
    captls_sim_host_wall(h, &w);
    /* 1000 + 2 (skew) + 10 + 10 * 1000 ppm = 1012.01 s */
    assert_int_equal(w.epoch_seconds, 1012);
    assert_int_equal(w.nanoseconds, 10000000);
    assert_int_equal(w.provenance, CAPTLS_CLOCK_TRUSTED);
    assert_int_equal(captls_sim_host_clock_jump(h, -(int64_t)3600 *
                                                       (int64_t)CAPTLS_SIM_NS_PER_S),
                     CAPTLS_OK);
    captls_sim_host_wall(h, &w);
    assert_int_equal(w.epoch_seconds, 1012 - 3600);
    assert_int_equal(captls_sim_host_clock_set(h, 2000000), CAPTLS_OK);
    captls_sim_host_wall(h, &w);
    assert_int_equal(w.epoch_seconds, 2000000);
    assert_int_equal(w.nanoseconds, 0);
    captls_sim_host_clock_provenance(h, CAPTLS_CLOCK_UNTRUSTED);
    captls_sim_host_wall(h, &w);
    assert_int_equal(w.provenance, CAPTLS_CLOCK_UNTRUSTED);
    /* out of range: refused, nothing changes */
    assert_int_equal(captls_sim_host_clock(h, 0, 2000000),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_sim_host_clock_jump(
                         h, CAPTLS_SIM_MAX_CLOCK_OFFSET_NS),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    captls_sim_host_wall(h, &w);
    assert_int_equal(w.epoch_seconds, 2000000);
    captls_sim_kernel_free(k);
}

static void test_store_and_entropy_faults(void **state)
{
    (void)state;
    captls_sim_kernel *k = kernel();
    captls_sim_host *h;
    captls_sim_proc *p;
    uint8_t buf[16];
    size_t len;
    assert_int_equal(captls_sim_host_add(k, "a", 0, CAPTLS_CLOCK_TRUSTED, &h),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "p", &IDLE, NULL, 0, &p),
                     CAPTLS_OK);
    const captls_port *port = captls_sim_proc_port(p);
    const captls_blob_store *st = &port->store;
    assert_int_equal(st->put(st->ctx, "k", (const uint8_t *)"old", 3),
                     CAPTLS_OK);
    captls_sim_host_store_mode(h, CAPTLS_SIM_STORE_TEAR);
    assert_int_equal(st->put(st->ctx, "k", (const uint8_t *)"new!", 4),
                     CAPTLS_ERR_IO);
    assert_int_equal(st->get(st->ctx, "k", buf, sizeof(buf), &len), CAPTLS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, "old", 3);
    /* a tear is one-shot */
    assert_int_equal(st->put(st->ctx, "k", (const uint8_t *)"v2", 2),
                     CAPTLS_OK);
    captls_sim_host_store_mode(h, CAPTLS_SIM_STORE_FULL);
    assert_int_equal(st->put(st->ctx, "k", (const uint8_t *)"v3", 2),
                     CAPTLS_ERR_DISK_FULL);
    assert_int_equal(st->put(st->ctx, "k2", (const uint8_t *)"v3", 2),
                     CAPTLS_ERR_DISK_FULL);
    assert_int_equal(st->get(st->ctx, "k", buf, sizeof(buf), &len), CAPTLS_OK);
    assert_memory_equal(buf, "v2", 2);
    captls_sim_host_store_mode(h, CAPTLS_SIM_STORE_OK);
    assert_int_equal(st->put(st->ctx, "k", (const uint8_t *)"v4", 2),
                     CAPTLS_OK);
    captls_sim_host_entropy_fail(h, true);
    assert_int_equal(port->entropy.fill(port->entropy.ctx, buf, 8),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    captls_sim_host_entropy_fail(h, false);
    assert_int_equal(port->entropy.fill(port->entropy.ctx, buf, 8), CAPTLS_OK);
    captls_sim_kernel_free(k);
}

static void test_revoke_restart_and_leaks(void **state)
{
    (void)state;
    captls_sim_kernel *k = kernel();
    captls_sim_host *h;
    captls_sim_proc *svc, *cl;
    captls_sim_program serve = IDLE;
    captls_cap_handle hc, extra;
    captls_cap_info info;
    char why[200];
    serve.iface = CAPTLS_IFACE_ECHO;
    assert_int_equal(captls_sim_host_add(k, "a", 0, CAPTLS_CLOCK_TRUSTED, &h),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "s", &serve, NULL, 0, &svc),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "c", &IDLE, NULL, 0, &cl),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_grant(k, svc, cl, "s", CAPTLS_RIGHT_CALL),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_cap(cl, "s", &hc), CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(captls_sim_leaks(k, why, sizeof(why)), 0);
    /* a cap the client was neither granted nor minted: a leak */
    captls_cap_table *t = captls_sim_caps(k);
    assert_int_equal(captls_cap_mint(t, captls_sim_proc_owner(cl),
                                     CAPTLS_IFACE_NOTIFIER, cl,
                                     CAPTLS_RIGHTS_ALL, &extra),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_leaks(k, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "c holds 1 cap(s)"));
    assert_int_equal(captls_cap_drop(t, captls_sim_proc_owner(cl), extra),
                     CAPTLS_OK);
    /* kill: the grant survives (the kernel holds the root); restart */
    captls_sim_proc_kill(svc);
    assert_true(captls_sim_proc_killed(svc));
    assert_int_equal(captls_cap_lookup(t, captls_sim_proc_owner(cl), hc,
                                       CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_CALL,
                                       &info),
                     CAPTLS_OK);
    captls_sim_proc_restart(svc);
    assert_true(captls_sim_proc_alive(svc));
    assert_false(captls_sim_proc_killed(svc));
    /* revoke: the handle is stale from now on */
    uint32_t ended = 0;
    assert_int_equal(captls_sim_revoke(cl, "s", &ended), CAPTLS_OK);
    assert_int_equal(ended, 1);
    assert_int_equal(captls_cap_lookup(t, captls_sim_proc_owner(cl), hc,
                                       CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_CALL,
                                       &info),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_sim_revoke(cl, "nope", NULL),
                     CAPTLS_ERR_NOT_FOUND);
    /* a restarted client does not get a revoked cap back */
    captls_sim_proc_restart(cl);
    assert_int_equal(captls_sim_proc_cap(cl, "s", &hc), CAPTLS_OK);
    assert_int_equal(captls_cap_lookup(t, captls_sim_proc_owner(cl), hc,
                                       CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_CALL,
                                       &info),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    captls_sim_kernel_free(k);
}

/* Runs scenario text, collecting the transcript. */
typedef struct lines {
    char buf[65536];
    size_t len;
} lines;

static void collect(void *ctx, const char *line, size_t len)
{
    lines *l = ctx;
    if (l->len + len + 1 < sizeof(l->buf)) {
        memcpy(l->buf + l->len, line, len);
        l->len += len;
        l->buf[l->len++] = '\n';
        l->buf[l->len] = '\0';
    }
}

static bool run_text(const char *text, uint64_t seed, lines *l,
                     captls_sim_report *rep)
{
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    if (captls_sim_scenario_parse((const uint8_t *)text, strlen(text), &sc,
                                  &err) != CAPTLS_OK) {
        print_error("%u:%u: %s\n", err.line, err.col, err.msg);
        return false;
    }
    l->len = 0;
    l->buf[0] = '\0';
    captls_result r = captls_sim_scenario_run(sc, seed, NULL, collect, l, rep);
    captls_sim_scenario_free(sc);
    return r == CAPTLS_OK;
}

static void test_split_bandwidth_stall(void **state)
{
    (void)state;
    static lines l;
    captls_sim_report rep;
    static const char SPLIT[] =
        "host a\nhost b\nlink a b latency=1ms jitter=2ms split=1\n"
        "service echo on b port=7\nclient c on a program=echo-client\n"
        "at 1ms c connect b:7\nat 10ms c send \"abcdefghijklmnopqrstuvwxyz\"\n"
        "at 50ms c close\n"
        "expect c received \"abcdefghijklmnopqrstuvwxyz\"\nexpect no-leak\n";
    assert_true(run_text(SPLIT, 3, &l, &rep));
    assert_true(captls_sim_report_ok(&rep));
    /* one byte a segment, each its own delivery: the echo service sees
     * the text in several pieces */
    unsigned pieces = 0;
    for (const char *q = l.buf; (q = strstr(q, "b/echo: connection 1: recv "))
                                != NULL; q++)
        pieces++;
    assert_true(pieces >= 2);
    /* without the close, the open connection is a leak */
    static const char LEAK[] =
        "host a\nhost b\nlink a b\n"
        "service echo on b port=7\nclient c on a program=echo-client\n"
        "at 1ms c connect b:7\nexpect no-leak\n";
    assert_true(run_text(LEAK, 1, &l, &rep));
    assert_int_equal(rep.expects_failed, 1);
    assert_non_null(strstr(l.buf, "c left 1 connection(s) open"));
    /* 1000 bytes/s: 100 bytes take 100ms to leave */
    static const char BW[] =
        "host a\nhost b\nlink a b latency=1ms bandwidth=1000\n"
        "service echo on b port=7\nclient c on a program=echo-client\n"
        "at 1ms c connect b:7\n"
        "at 10ms c send \"0123456789012345678901234567890123456789"
        "012345678901234567890123456789012345678901234567890123456789\"\n"
        "at 100ms c check\nat 300ms c check\nexpect c check ok\n";
    assert_true(run_text(BW, 1, &l, &rep));
    assert_true(captls_sim_report_ok(&rep));
    assert_non_null(strstr(l.buf, "[  100.000ms] a/c: check failed"));
    assert_non_null(strstr(l.buf, "[  111.000ms] b/echo: connection 1: recv "
                                  "100 bytes"));
    /* a stall holds what is sent during it */
    static const char STALL[] =
        "host a\nhost b\nlink a b latency=1ms\n"
        "service echo on b port=7\nclient c on a program=echo-client\n"
        "at 1ms c connect b:7\nat 10ms stall a b 50ms\n"
        "at 20ms c send \"x\"\nexpect c received \"x\"\n";
    assert_true(run_text(STALL, 1, &l, &rep));
    assert_true(captls_sim_report_ok(&rep));
    assert_non_null(strstr(l.buf, "[   61.000ms] b/echo: connection 1: recv 1 "
                                  "bytes \"x\""));
}

static void test_expectation_kinds_fail(void **state)
{
    (void)state;
    static lines l;
    captls_sim_report rep;
    static const char T[] =
        "host a\nclient c on a program=echo-client\n"
        "at 1ms c time\n"
        "expect transcript \"no such text\"\n"
        "expect absent \"wall clock reads\"\n"
        "expect audit ipc.call.refused\n"
        "expect no-crash\n";
    assert_true(run_text(T, 1, &l, &rep));
    assert_int_equal(rep.expects_failed, 3);
    assert_int_equal(rep.expects_held, 1);
    assert_int_equal(rep.first_failed_line, 4);
    assert_non_null(strstr(l.buf, "sim: expect transcript \"no such text\": "
                                  "FAILED, got no such line"));
    assert_non_null(strstr(l.buf, "sim: expect absent \"wall clock reads\": "
                                  "FAILED"));
    /* a budget stop fails no-crash */
    static const char B[] =
        "limit events=3\nhost a\nhost b\nlink a b\nservice echo on b port=7\n"
        "client c on a program=echo-client\nat 1ms c connect b:7\n"
        "expect no-crash\n";
    assert_true(run_text(B, 1, &l, &rep));
    assert_false(rep.completed);
    assert_non_null(strstr(l.buf, "expect no-crash: FAILED, got the run "
                                  "stopped: event budget exceeded"));
}

static void test_trace_round_trip(void **state)
{
    (void)state;
    captls_sim_trace t, u;
    char err[200];
    char *mem = NULL;
    size_t len = 0;
    memset(&t, 0, sizeof(t));
    t.version = 1;
    t.seed = 18446744073709551615ull;
    strcpy(t.file, "x.scn");
    t.passed = false;
    for (int i = 0; i < 32; i++)
        t.hash[i] = (uint8_t)(i * 7);
    t.scenario = (const uint8_t *)"host a\n\0x";
    t.scenario_len = 9;
    FILE *f = open_memstream(&mem, &len);
    assert_non_null(f);
    assert_true(captls_sim_trace_write(f, &t));
    fclose(f);
    assert_int_equal(captls_sim_trace_parse((const uint8_t *)mem, len, &u, err,
                                            sizeof(err)),
                     CAPTLS_OK);
    assert_int_equal(u.seed, t.seed);
    assert_string_equal(u.file, "x.scn");
    assert_false(u.passed);
    assert_memory_equal(u.hash, t.hash, 32);
    assert_int_equal(u.scenario_len, 9);
    assert_memory_equal(u.scenario, t.scenario, 9);
    /* every truncation is refused with a line number */
    for (size_t n = 0; n < len; n++) {
        assert_int_equal(captls_sim_trace_parse((const uint8_t *)mem, n, &u,
                                                err, sizeof(err)),
                         CAPTLS_ERR_MALFORMED);
        assert_true(strncmp(err, "line ", 5) == 0);
    }
    /* one byte too many */
    char *more = malloc(len + 1);
    memcpy(more, mem, len);
    more[len] = '\n';
    assert_int_equal(captls_sim_trace_parse((const uint8_t *)more, len + 1, &u,
                                            err, sizeof(err)),
                     CAPTLS_ERR_MALFORMED);
    more[0] = 'X';
    assert_int_equal(captls_sim_trace_parse((const uint8_t *)more, len, &u,
                                            err, sizeof(err)),
                     CAPTLS_ERR_MALFORMED);
    assert_non_null(strstr(err, "not a trace file"));
    free(more);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_skew_drift_jump),
        cmocka_unit_test(test_store_and_entropy_faults),
        cmocka_unit_test(test_revoke_restart_and_leaks),
        cmocka_unit_test(test_split_bandwidth_stall),
        cmocka_unit_test(test_expectation_kinds_fail),
        cmocka_unit_test(test_trace_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
