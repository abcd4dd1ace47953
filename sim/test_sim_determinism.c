/* Unit tests of the simulator's determinism and per-host port parts: the
 * echo scenario gives the same transcript and hash for the same seed and a
 * different hash for every other seed; entropy is derived from (seed, host);
 * wall clocks follow virtual time with their provenance; the blob store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bearssl.h>

#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/sim.h"

/* A copy of sim/scenarios/echo.scn (pytests run the file itself). */
static const char ECHO[] =
    "host alpha wall=2026-11-23T00:00:00Z clock=trusted\n"
    "host beta  wall=2026-11-23T00:00:00Z clock=untrusted\n"
    "link alpha beta latency=2ms jitter=1ms\n"
    "service echo   on beta  port=7\n"
    "client  pinger on alpha program=echo-client\n"
    "grant echo to pinger\n"
    "at 1ms   pinger connect beta:7\n"
    "at 10ms  pinger send \"hello\\n\"\n"
    "at 11ms  pinger send \"world\\n\"\n"
    "at 20ms  pinger call echo \"ping\"\n"
    "at 40ms  pinger check\n"
    "at 41ms  pinger close\n"
    "expect pinger state    closed\n"
    "expect pinger received \"hello\\nworld\\n\"\n"
    "expect pinger replied  \"ping\"\n"
    "expect pinger notified \"ping\"\n"
    "expect pinger check    ok\n"
    "expect echo   echoed   12\n"
    "expect echo   notified 1\n";

typedef struct capture {
    char *buf;
    size_t len, cap;
} capture;

static void collect(void *ctx, const char *line, size_t len)
{
    capture *c = ctx;
    if (c->len + len + 1 > c->cap) {
        c->cap = (c->len + len + 1) * 2;
        c->buf = realloc(c->buf, c->cap);
        assert_non_null(c->buf);
    }
    memcpy(c->buf + c->len, line, len);
    c->buf[c->len + len] = '\n';
    c->len += len + 1;
}

static captls_sim_scenario *parse_echo(void)
{
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    captls_result r = captls_sim_scenario_parse(
        (const uint8_t *)ECHO, sizeof(ECHO) - 1, &sc, &err);
    if (r != CAPTLS_OK)
        print_error("%u:%u: %s\n", err.line, err.col, err.msg);
    assert_int_equal(r, CAPTLS_OK);
    return sc;
}

static void run(const captls_sim_scenario *sc, uint64_t seed, capture *c,
                captls_sim_report *rep)
{
    assert_int_equal(captls_sim_scenario_run(sc, seed, NULL,
                                             c != NULL ? collect : NULL, c,
                                             rep),
                     CAPTLS_OK);
}

static void test_echo_scenario_passes(void **state)
{
    (void)state;
    captls_sim_scenario *sc = parse_echo();
    captls_sim_report rep;
    capture c = {NULL, 0, 0};
    run(sc, 1, &c, &rep);
    if (!captls_sim_report_ok(&rep))
        print_error("%.*s\n", (int)c.len, c.buf);
    assert_true(captls_sim_report_ok(&rep));
    assert_int_equal(rep.expects_held, 7);
    /* The transcript shows both the socket and the IPC round trips. */
    assert_non_null(strstr(c.buf, "beta/echo: connection 1: recv 6 bytes"));
    assert_non_null(strstr(c.buf, "alpha/pinger: ipc call Echo.echo(\"ping\")"));
    assert_non_null(strstr(c.buf, "beta/echo: ipc call Notifier.notify"));
    assert_non_null(strstr(c.buf, "nonce matches"));
    free(c.buf);
    captls_sim_scenario_free(sc);
}

static void test_same_seed_same_transcript(void **state)
{
    (void)state;
    captls_sim_scenario *sc = parse_echo();
    captls_sim_report r1, r2;
    capture c1 = {NULL, 0, 0}, c2 = {NULL, 0, 0};
    run(sc, 42, &c1, &r1);
    run(sc, 42, &c2, &r2);
    assert_int_equal(c1.len, c2.len);
    assert_memory_equal(c1.buf, c2.buf, c1.len);
    assert_memory_equal(r1.hash, r2.hash, 32);
    /* The hash is the SHA-256 of the transcript lines. */
    uint8_t h[32];
    br_sha256_context ctx;
    br_sha256_init(&ctx);
    br_sha256_update(&ctx, c1.buf, c1.len);
    br_sha256_out(&ctx, h);
    assert_memory_equal(h, r1.hash, 32);
    /* And it does not depend on whether anyone listens. */
    run(sc, 42, NULL, &r2);
    assert_memory_equal(r1.hash, r2.hash, 32);
    free(c1.buf);
    free(c2.buf);
    captls_sim_scenario_free(sc);
}

static void test_different_seeds_differ(void **state)
{
    (void)state;
    captls_sim_scenario *sc = parse_echo();
    uint8_t hashes[16][32];
    for (unsigned s = 0; s < 16; s++) {
        captls_sim_report rep;
        run(sc, s + 1, NULL, &rep);
        assert_true(captls_sim_report_ok(&rep)); /* and every seed passes */
        memcpy(hashes[s], rep.hash, 32);
        for (unsigned t = 0; t < s; t++)
            assert_memory_not_equal(hashes[s], hashes[t], 32);
    }
    captls_sim_scenario_free(sc);
}

static void test_failed_expectation_reported(void **state)
{
    (void)state;
    static const char BAD[] = "host a\nhost b\nlink a b\n"
                              "service echo on b port=7\n"
                              "client c on a program=echo-client\n"
                              "at 1ms c connect b:7\n"
                              "at 5ms c send \"hi\"\n"
                              "expect c received \"bye\"\n"
                              "expect c state connected\n";
    captls_sim_scenario *sc = NULL;
    captls_sim_report rep;
    capture c = {NULL, 0, 0};
    assert_int_equal(captls_sim_scenario_parse((const uint8_t *)BAD,
                                               sizeof(BAD) - 1, &sc, NULL),
                     CAPTLS_OK);
    run(sc, 1, &c, &rep);
    assert_true(rep.completed);
    assert_int_equal(rep.expects_failed, 1);
    assert_int_equal(rep.expects_held, 1);
    assert_int_equal(rep.first_failed_line, 8);
    assert_non_null(strstr(rep.first_failure, "got \"hi\""));
    assert_non_null(strstr(c.buf, "expect c received \"bye\": FAILED"));
    assert_false(captls_sim_report_ok(&rep));
    free(c.buf);
    captls_sim_scenario_free(sc);
}

static void test_budget_in_scenario(void **state)
{
    (void)state;
    static const char LIM[] = "limit events=3\n"
                              "host a\nhost b\nlink a b\n"
                              "service echo on b port=7\n"
                              "client c on a program=echo-client\n"
                              "at 1ms c connect b:7\n";
    captls_sim_scenario *sc = NULL;
    captls_sim_report rep;
    assert_int_equal(captls_sim_scenario_parse((const uint8_t *)LIM,
                                               sizeof(LIM) - 1, &sc, NULL),
                     CAPTLS_OK);
    run(sc, 1, NULL, &rep);
    assert_false(rep.completed);
    assert_int_equal(rep.events, 3);
    assert_non_null(strstr(rep.stop_reason, "event budget"));
    captls_sim_scenario_free(sc);
}

/* ------------------------------------------------------- port parts */

static const captls_sim_program NULLPROG = {.name = "null"};

static void draw(uint64_t seed, const char *host, uint8_t out[32])
{
    captls_sim_kernel *k = NULL;
    captls_sim_host *h;
    captls_sim_proc *p;
    assert_int_equal(captls_sim_kernel_new(NULL, seed, NULL, NULL, &k),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(k, host, 0, CAPTLS_CLOCK_TRUSTED, &h),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "p", &NULLPROG, NULL, 0, &p),
                     CAPTLS_OK);
    const captls_entropy *e = &captls_sim_proc_port(p)->entropy;
    assert_int_equal(e->fill(e->ctx, out, 32), CAPTLS_OK);
    captls_sim_host_entropy_fail(h, true);
    uint8_t x[4] = {1, 2, 3, 4};
    assert_int_equal(e->fill(e->ctx, x, 4), CAPTLS_ERR_ENTROPY_FAILURE);
    assert_int_equal(x[0] | x[1] | x[2] | x[3], 0); /* nothing usable */
    captls_sim_kernel_free(k);
}

static void test_entropy_from_seed_and_host(void **state)
{
    (void)state;
    uint8_t a[32], b[32], c[32], d[32];
    draw(1, "alpha", a);
    draw(1, "alpha", b);
    draw(2, "alpha", c);
    draw(1, "beta", d);
    assert_memory_equal(a, b, 32);
    assert_memory_not_equal(a, c, 32);
    assert_memory_not_equal(a, d, 32);
}

static void test_clocks(void **state)
{
    (void)state;
    captls_sim_kernel *k = NULL;
    captls_sim_host *h1, *h2;
    captls_sim_proc *p1, *p2;
    captls_wall_time wt;
    assert_int_equal(captls_sim_kernel_new(NULL, 1, NULL, NULL, &k), CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(k, "t", 1795392000,
                                         CAPTLS_CLOCK_TRUSTED, &h1),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(k, "u", -10, CAPTLS_CLOCK_UNTRUSTED,
                                         &h2),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(k, "t", 0, CAPTLS_CLOCK_TRUSTED, NULL),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(captls_sim_proc_add(k, h1, "p1", &NULLPROG, NULL, 0, &p1),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h2, "p2", &NULLPROG, NULL, 0, &p2),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run_until(k, 2500 * CAPTLS_SIM_NS_PER_MS),
                     CAPTLS_OK);
    const captls_clock *c1 = &captls_sim_proc_port(p1)->clock;
    const captls_clock *c2 = &captls_sim_proc_port(p2)->clock;
    assert_int_equal(c1->monotonic_ns(c1->ctx), 2500 * CAPTLS_SIM_NS_PER_MS);
    assert_int_equal(c1->wall_time(c1->ctx, &wt), CAPTLS_OK);
    assert_int_equal(wt.epoch_seconds, 1795392002);
    assert_int_equal(wt.nanoseconds, 500000000u);
    assert_int_equal(wt.provenance, CAPTLS_CLOCK_TRUSTED);
    assert_int_equal(c2->wall_time(c2->ctx, &wt), CAPTLS_OK);
    assert_int_equal(wt.epoch_seconds, -8);
    assert_int_equal(wt.nanoseconds, 500000000u);
    assert_int_equal(wt.provenance, CAPTLS_CLOCK_UNTRUSTED);
    captls_sim_kernel_free(k);
}

static void test_blob_store(void **state)
{
    (void)state;
    captls_sim_kernel *k = NULL;
    captls_sim_host *h;
    captls_sim_proc *p, *q;
    uint8_t buf[16];
    size_t len = 0;
    assert_int_equal(captls_sim_kernel_new(NULL, 1, NULL, NULL, &k), CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(k, "h", 0, CAPTLS_CLOCK_TRUSTED, &h),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "p", &NULLPROG, NULL, 0, &p),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "q", &NULLPROG, NULL, 0, &q),
                     CAPTLS_OK);
    const captls_blob_store *s = &captls_sim_proc_port(p)->store;
    const captls_blob_store *t = &captls_sim_proc_port(q)->store;
    assert_int_equal(s->get(s->ctx, "k", buf, sizeof(buf), &len),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(s->put(s->ctx, "k", (const uint8_t *)"v1", 2), CAPTLS_OK);
    assert_int_equal(s->put(s->ctx, "k", (const uint8_t *)"value2", 6),
                     CAPTLS_OK);
    /* One store per host. */
    assert_int_equal(t->get(t->ctx, "k", buf, 3, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 6);
    assert_int_equal(t->get(t->ctx, "k", buf, sizeof(buf), &len), CAPTLS_OK);
    assert_memory_equal(buf, "value2", 6);
    assert_int_equal(s->put(s->ctx, ".hidden", buf, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(s->put(s->ctx, "a/b", buf, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    uint8_t *huge = calloc(1, 2u * 1024u * 1024u);
    assert_non_null(huge);
    assert_int_equal(s->put(s->ctx, "big", huge, 2u * 1024u * 1024u),
                     CAPTLS_ERR_DISK_FULL);
    free(huge);
    assert_int_equal(s->remove(s->ctx, "k"), CAPTLS_OK);
    assert_int_equal(s->remove(s->ctx, "k"), CAPTLS_ERR_NOT_FOUND);
    captls_sim_kernel_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_scenario_passes),
        cmocka_unit_test(test_same_seed_same_transcript),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_failed_expectation_reported),
        cmocka_unit_test(test_budget_in_scenario),
        cmocka_unit_test(test_entropy_from_seed_and_host),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_blob_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
