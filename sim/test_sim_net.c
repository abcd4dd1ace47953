/* Unit tests of the simulator's stream sockets: latency, order under
 * jitter, orderly close, reset, refused connections, routes, flow control,
 * stale ids, and data sent to a closed socket. The test drives the sim
 * port of each process directly between run_until steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim.h"

#define MS CAPTLS_SIM_NS_PER_MS

typedef struct wake_state {
    unsigned wakes;
} wake_state;

static void count_wake(captls_sim_proc *p)
{
    ((wake_state *)captls_sim_proc_state(p))->wakes++;
}

static const captls_sim_program NULLPROG = {
    .name = "null",
    .state_size = sizeof(wake_state),
    .wake = count_wake,
};

typedef struct world {
    captls_sim_kernel *k;
    captls_sim_proc *cli, *srv, *far;
    const captls_net *cn, *sn;
    char log[16384];
    size_t loglen;
} world;

static void collect(void *ctx, const char *line, size_t len)
{
    world *w = ctx;
    if (w->loglen + len + 2 < sizeof(w->log)) {
        memcpy(w->log + w->loglen, line, len);
        w->log[w->loglen + len] = '\n';
        w->loglen += len + 1;
        w->log[w->loglen] = '\0';
    }
}

/* a --2ms-- b; a --1ms+-5ms jitter-- d; c has no link. */
static int setup(void **state)
{
    static world w;
    captls_sim_host *a, *b, *c, *d;
    memset(&w, 0, sizeof(w));
    assert_int_equal(captls_sim_kernel_new(NULL, 7, collect, &w, &w.k),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(w.k, "a", 0, CAPTLS_CLOCK_TRUSTED, &a),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(w.k, "b", 0, CAPTLS_CLOCK_TRUSTED, &b),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(w.k, "c", 0, CAPTLS_CLOCK_TRUSTED, &c),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(w.k, "d", 0, CAPTLS_CLOCK_TRUSTED, &d),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_link_add(w.k, a, b, 2 * MS, 0), CAPTLS_OK);
    assert_int_equal(captls_sim_link_add(w.k, a, d, 1 * MS, 5 * MS),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_link_add(w.k, b, a, 1, 0),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(captls_sim_proc_add(w.k, a, "cli", &NULLPROG, NULL, 0,
                                         &w.cli),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(w.k, b, "srv", &NULLPROG, NULL, 0,
                                         &w.srv),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(w.k, d, "far", &NULLPROG, NULL, 0,
                                         &w.far),
                     CAPTLS_OK);
    w.cn = &captls_sim_proc_port(w.cli)->net;
    w.sn = &captls_sim_proc_port(w.srv)->net;
    assert_int_equal(captls_sim_run(w.k), CAPTLS_OK); /* starts */
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    captls_sim_kernel_free(w->k);
    return 0;
}

static void at(world *w, uint64_t t)
{
    assert_int_equal(captls_sim_run_until(w->k, t), CAPTLS_OK);
}

static captls_result rd(const captls_net *n, captls_stream_id s, char *buf,
                        size_t cap, size_t *got)
{
    return n->read(n->ctx, s, (uint8_t *)buf, cap, got);
}

static captls_result wr(const captls_net *n, captls_stream_id s,
                        const char *text)
{
    size_t put = 0;
    captls_result r = n->write(n->ctx, s, (const uint8_t *)text, strlen(text),
                               &put);
    if (r == CAPTLS_OK)
        assert_int_equal(put, strlen(text));
    return r;
}

/* Listener on b:7, a connection from a, accepted: at 4ms both sides open. */
static void connect_pair(world *w, captls_stream_id *c, captls_stream_id *s,
                         captls_stream_id *l)
{
    uint64_t t0 = captls_sim_now(w->k);
    assert_int_equal(w->sn->listen(w->sn->ctx, NULL, 7, l), CAPTLS_OK);
    assert_int_equal(w->cn->connect(w->cn->ctx, "b", 7, c), CAPTLS_OK);
    at(w, t0 + 2 * MS);
    assert_int_equal(w->sn->accept(w->sn->ctx, *l, s), CAPTLS_OK);
    at(w, t0 + 4 * MS);
    assert_int_equal(wr(w->cn, *c, ""), CAPTLS_OK);
}

static void test_connect_and_data_take_latency(void **state)
{
    world *w = *state;
    captls_stream_id l, c, s;
    char buf[64];
    size_t got;
    assert_int_equal(w->sn->listen(w->sn->ctx, "b", 7, &l), CAPTLS_OK);
    assert_int_equal(w->cn->connect(w->cn->ctx, "b", 7, &c), CAPTLS_OK);
    assert_int_equal(wr(w->cn, c, "x"), CAPTLS_WOULD_BLOCK); /* SYN sent */
    at(w, 2 * MS - 1);
    assert_int_equal(w->sn->accept(w->sn->ctx, l, &s), CAPTLS_WOULD_BLOCK);
    unsigned wakes = ((wake_state *)captls_sim_proc_state(w->srv))->wakes;
    at(w, 2 * MS);
    assert_int_equal(((wake_state *)captls_sim_proc_state(w->srv))->wakes,
                     wakes + 1);
    assert_int_equal(w->sn->accept(w->sn->ctx, l, &s), CAPTLS_OK);
    assert_int_equal(wr(w->cn, c, "x"), CAPTLS_WOULD_BLOCK); /* no SYN-ACK */
    at(w, 4 * MS);
    assert_int_equal(wr(w->cn, c, "hello"), CAPTLS_OK);
    at(w, 6 * MS - 1);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got), CAPTLS_WOULD_BLOCK);
    at(w, 6 * MS);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got), CAPTLS_OK);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(wr(w->sn, s, "world"), CAPTLS_OK);
    at(w, 8 * MS);
    assert_int_equal(rd(w->cn, c, buf, 3, &got), CAPTLS_OK); /* short read */
    assert_int_equal(got, 3);
    assert_int_equal(rd(w->cn, c, buf + 3, sizeof(buf), &got), CAPTLS_OK);
    assert_int_equal(got, 2);
    assert_memory_equal(buf, "world", 5);
    uint16_t port = 0;
    assert_int_equal(w->sn->local_port(w->sn->ctx, l, &port), CAPTLS_OK);
    assert_int_equal(port, 7);
    assert_non_null(strstr(w->log, "net: a:49152 -> b:7 queued for accept"));
}

static void test_order_kept_under_jitter(void **state)
{
    world *w = *state;
    const captls_net *fn = &captls_sim_proc_port(w->far)->net;
    captls_stream_id l, c, s;
    assert_int_equal(fn->listen(fn->ctx, NULL, 80, &l), CAPTLS_OK);
    assert_int_equal(w->cn->connect(w->cn->ctx, "d", 80, &c), CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(fn->accept(fn->ctx, l, &s), CAPTLS_OK);
    for (int i = 0; i < 200; i++) {
        char b[2] = {(char)('A' + i % 26), 0};
        assert_int_equal(wr(w->cn, c, b), CAPTLS_OK);
        at(w, captls_sim_now(w->k) + 100 * CAPTLS_SIM_NS_PER_US);
    }
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    char buf[256];
    size_t got = 0;
    assert_int_equal(rd(fn, s, buf, sizeof(buf), &got), CAPTLS_OK);
    assert_int_equal(got, 200);
    for (int i = 0; i < 200; i++)
        assert_int_equal(buf[i], 'A' + i % 26);
}

static void test_orderly_close(void **state)
{
    world *w = *state;
    captls_stream_id l, c, s;
    char buf[16];
    size_t got;
    connect_pair(w, &c, &s, &l);
    uint64_t t = captls_sim_now(w->k);
    assert_int_equal(wr(w->cn, c, "bye"), CAPTLS_OK);
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
    /* The closed id is gone at once. */
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    at(w, t + 2 * MS);
    captls_poll_item it = {s, CAPTLS_POLL_READ, 0};
    size_t n = 0;
    assert_int_equal(w->sn->poll(w->sn->ctx, &it, 1, 1000, &n), CAPTLS_OK);
    assert_int_equal(n, 1);
    assert_true(it.ready & CAPTLS_POLL_READ);
    assert_true(it.ready & CAPTLS_POLL_HUP);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got), CAPTLS_OK);
    assert_int_equal(got, 3);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got), CAPTLS_EOF);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got), CAPTLS_EOF);
    assert_int_equal(w->sn->close(w->sn->ctx, s), CAPTLS_OK);
    assert_int_equal(w->sn->close(w->sn->ctx, l), CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    /* Both records freed: a new connection reuses the slots with new
     * generations, so the old ids stay refused. */
    captls_stream_id c2, s2, l2;
    connect_pair(w, &c2, &s2, &l2);
    assert_int_not_equal(c2, c);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_reset_reaches_peer_after_latency(void **state)
{
    world *w = *state;
    captls_stream_id l, c, s;
    char buf[16];
    size_t got;
    connect_pair(w, &c, &s, &l);
    uint64_t t = captls_sim_now(w->k);
    assert_int_equal(wr(w->sn, s, "data"), CAPTLS_OK);
    assert_int_equal(captls_sim_stream_reset(w->cli, c), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(wr(w->cn, c, "x"), CAPTLS_ERR_CONN_RESET);
    at(w, t + 2 * MS - 1);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got), CAPTLS_WOULD_BLOCK);
    at(w, t + 2 * MS);
    assert_int_equal(rd(w->sn, s, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(wr(w->sn, s, "x"), CAPTLS_ERR_CONN_RESET);
    assert_non_null(strstr(w->log, "reset by peer"));
    /* Data in flight towards the reset side is dropped, not delivered. */
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
    assert_int_equal(w->sn->close(w->sn->ctx, s), CAPTLS_OK);
    assert_int_equal(w->sn->close(w->sn->ctx, l), CAPTLS_OK);
}

static void test_refused_without_listener(void **state)
{
    world *w = *state;
    captls_stream_id c;
    char buf[4];
    size_t got;
    uint64_t t = captls_sim_now(w->k);
    assert_int_equal(w->cn->connect(w->cn->ctx, "b", 9, &c), CAPTLS_OK);
    at(w, t + 4 * MS - 1);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got), CAPTLS_WOULD_BLOCK);
    at(w, t + 4 * MS); /* one round trip */
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_REFUSED);
    assert_int_equal(wr(w->cn, c, "x"), CAPTLS_ERR_CONN_REFUSED);
    captls_poll_item it = {c, CAPTLS_POLL_WRITE, 0};
    size_t n = 0;
    assert_int_equal(w->cn->poll(w->cn->ctx, &it, 1, 0, &n), CAPTLS_OK);
    assert_int_equal(n, 1);
    assert_true(it.ready & CAPTLS_POLL_HUP);
    assert_non_null(strstr(w->log, "a:49152 -> b:9 refused: no listener"));
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
}

static void test_routes_and_ports(void **state)
{
    world *w = *state;
    captls_stream_id x, y;
    assert_int_equal(w->cn->connect(w->cn->ctx, "nowhere", 7, &x),
                     CAPTLS_ERR_ADDR_INVALID);
    assert_int_equal(w->cn->connect(w->cn->ctx, "c", 7, &x),
                     CAPTLS_ERR_ADDR_INVALID); /* no link */
    assert_int_equal(w->cn->connect(w->cn->ctx, "b", 0, &x),
                     CAPTLS_ERR_ADDR_INVALID);
    assert_int_equal(w->sn->listen(w->sn->ctx, "a", 7, &x),
                     CAPTLS_ERR_ADDR_INVALID); /* not its own host */
    assert_int_equal(w->sn->listen(w->sn->ctx, NULL, 7, &x), CAPTLS_OK);
    assert_int_equal(w->sn->listen(w->sn->ctx, NULL, 7, &y),
                     CAPTLS_ERR_ADDR_IN_USE);
    assert_int_equal(w->sn->listen(w->sn->ctx, NULL, 0, &y), CAPTLS_OK);
    uint16_t port = 0;
    assert_int_equal(w->sn->local_port(w->sn->ctx, y, &port), CAPTLS_OK);
    assert_true(port >= 49152);
    /* Another process's id is not yours. */
    size_t got;
    char buf[4];
    assert_int_equal(rd(w->cn, x, buf, sizeof(buf), &got),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(w->cn->close(w->cn->ctx, x), CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(w->sn->close(w->sn->ctx, x), CAPTLS_OK);
    assert_int_equal(w->sn->close(w->sn->ctx, y), CAPTLS_OK);
    /* Same host: loopback latency. */
    captls_stream_id l, c, s;
    const captls_net *fn = &captls_sim_proc_port(w->far)->net;
    assert_int_equal(fn->listen(fn->ctx, NULL, 5, &l), CAPTLS_OK);
    assert_int_equal(fn->connect(fn->ctx, "d", 5, &c), CAPTLS_OK);
    at(w, captls_sim_now(w->k) + CAPTLS_SIM_LOOPBACK_NS);
    assert_int_equal(fn->accept(fn->ctx, l, &s), CAPTLS_OK);
    assert_int_equal(fn->close(fn->ctx, c), CAPTLS_OK);
    assert_int_equal(fn->close(fn->ctx, s), CAPTLS_OK);
    assert_int_equal(fn->close(fn->ctx, l), CAPTLS_OK);
}

static void test_window_and_writer_wake(void **state)
{
    world *w = *state;
    captls_stream_id l, c, s;
    static uint8_t big[100000];
    static uint8_t sink[100000];
    size_t put = 0, total = 0, got = 0;
    connect_pair(w, &c, &s, &l);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    assert_int_equal(w->cn->write(w->cn->ctx, c, big, sizeof(big), &put),
                     CAPTLS_OK);
    assert_int_equal(put, CAPTLS_SIM_STREAM_WINDOW); /* a short write */
    total = put;
    assert_int_equal(w->cn->write(w->cn->ctx, c, big + total, 10, &put),
                     CAPTLS_WOULD_BLOCK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    /* All delivered, still unread: the window is still full. */
    assert_int_equal(w->cn->write(w->cn->ctx, c, big + total, 10, &put),
                     CAPTLS_WOULD_BLOCK);
    unsigned wakes = ((wake_state *)captls_sim_proc_state(w->cli))->wakes;
    assert_int_equal(w->sn->read(w->sn->ctx, s, sink, 1000, &got), CAPTLS_OK);
    assert_int_equal(got, 1000);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(((wake_state *)captls_sim_proc_state(w->cli))->wakes,
                     wakes + 1);
    assert_int_equal(w->cn->write(w->cn->ctx, c, big + total,
                                  sizeof(big) - total, &put),
                     CAPTLS_OK);
    assert_int_equal(put, 1000);
    total += put;
    size_t have = got;
    while (total < sizeof(big) || have < total) {
        assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
        captls_result r =
            w->sn->read(w->sn->ctx, s, sink + have, sizeof(sink) - have, &got);
        if (r == CAPTLS_OK)
            have += got;
        if (total < sizeof(big) &&
            w->cn->write(w->cn->ctx, c, big + total, sizeof(big) - total,
                         &put) == CAPTLS_OK)
            total += put;
    }
    assert_memory_equal(sink, big, sizeof(big));
}

static void test_data_to_closed_socket_resets(void **state)
{
    world *w = *state;
    captls_stream_id l, c, s;
    char buf[8];
    size_t got;
    connect_pair(w, &c, &s, &l);
    assert_int_equal(w->sn->close(w->sn->ctx, s), CAPTLS_OK); /* FIN */
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got), CAPTLS_EOF);
    assert_int_equal(wr(w->cn, c, "late"), CAPTLS_OK); /* half-open */
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
    assert_int_equal(w->sn->close(w->sn->ctx, l), CAPTLS_OK);
}

static void test_close_with_unread_data_resets(void **state)
{
    world *w = *state;
    captls_stream_id l, c, s;
    char buf[8];
    size_t got;
    connect_pair(w, &c, &s, &l);
    assert_int_equal(wr(w->cn, c, "unread"), CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(w->sn->close(w->sn->ctx, s), CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
    assert_int_equal(w->sn->close(w->sn->ctx, l), CAPTLS_OK);
}

static void test_listener_close_resets_backlog(void **state)
{
    world *w = *state;
    captls_stream_id l, c;
    char buf[8];
    size_t got;
    assert_int_equal(w->sn->listen(w->sn->ctx, NULL, 7, &l), CAPTLS_OK);
    assert_int_equal(w->cn->connect(w->cn->ctx, "b", 7, &c), CAPTLS_OK);
    at(w, captls_sim_now(w->k) + 2 * MS);
    assert_int_equal(w->sn->close(w->sn->ctx, l), CAPTLS_OK); /* unaccepted */
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
}

static void test_process_death_resets_streams(void **state)
{
    world *w = *state;
    captls_stream_id l, c, s;
    char buf[8];
    size_t got;
    connect_pair(w, &c, &s, &l);
    captls_sim_proc_kill(w->srv);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
    /* Its port is free again, and it refuses new connections. */
    assert_int_equal(w->cn->connect(w->cn->ctx, "b", 7, &c), CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(rd(w->cn, c, buf, sizeof(buf), &got),
                     CAPTLS_ERR_CONN_REFUSED);
    assert_int_equal(w->cn->close(w->cn->ctx, c), CAPTLS_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_connect_and_data_take_latency),
        T(test_order_kept_under_jitter),
        T(test_orderly_close),
        T(test_reset_reaches_peer_after_latency),
        T(test_refused_without_listener),
        T(test_routes_and_ports),
        T(test_window_and_writer_wake),
        T(test_data_to_closed_socket_resets),
        T(test_close_with_unread_data_resets),
        T(test_listener_close_resets_backlog),
        T(test_process_death_resets_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
