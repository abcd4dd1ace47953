/* Unit tests of the simulator's IPC: frames delivered as events after the
 * path latency, caps granted to the receiver through the kernel's cap
 * table, answers routed back with the caller's request id, authority
 * checks, and dead endpoints reporting CAPTLS_ERR_ENDPOINT_DEAD instead of
 * hanging (before the call, in flight, and after delivery). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim.h"

#define MS CAPTLS_SIM_NS_PER_MS

static const captls_sim_program SERVICE = {
    .name = "svc",
    .iface = CAPTLS_IFACE_ECHO,
};
static const captls_sim_program CLIENT = {
    .name = "cli",
};

typedef struct world {
    captls_sim_kernel *k;
    captls_sim_proc *svc, *cli;
    captls_cap_handle echo; /* cli's cap on svc */
    uint8_t buf[CAPTLS_IPC_MAX_FRAME];
} world;

/* cli on host a, svc on host b, 3ms apart. */
static int setup(void **state)
{
    static world w;
    captls_sim_host *a, *b;
    memset(&w, 0, sizeof(w));
    assert_int_equal(captls_sim_kernel_new(NULL, 3, NULL, NULL, &w.k),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(w.k, "a", 0, CAPTLS_CLOCK_TRUSTED, &a),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(w.k, "b", 0, CAPTLS_CLOCK_TRUSTED, &b),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_link_add(w.k, a, b, 3 * MS, 0), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(w.k, b, "svc", &SERVICE, NULL, 0,
                                         &w.svc),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(w.k, a, "cli", &CLIENT, NULL, 0,
                                         &w.cli),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_grant(w.k, w.svc, w.cli, "svc",
                                      CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_grant(w.k, w.cli, w.svc, "cli",
                                      CAPTLS_RIGHT_CALL),
                     CAPTLS_ERR_WRONG_INTERFACE); /* cli serves nothing */
    assert_int_equal(captls_sim_proc_cap(w.cli, "svc", &w.echo), CAPTLS_OK);
    assert_int_equal(captls_sim_run(w.k), CAPTLS_OK);
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    captls_sim_kernel_free(w->k);
    return 0;
}

/* Receives one frame for p into w->buf and decodes it. */
static captls_result recv1(world *w, captls_sim_proc *p, captls_ipc_frame *f)
{
    const captls_ipc *ipc = &captls_sim_proc_port(p)->ipc;
    size_t len = 0, used = 0;
    captls_result r = ipc->recv(ipc->ctx, captls_sim_proc_endpoint(p), w->buf,
                                sizeof(w->buf), &len);
    if (r != CAPTLS_OK)
        return r;
    assert_int_equal(captls_ipc_frame_decode(w->buf, len, f, &used),
                     CAPTLS_OK);
    assert_int_equal(used, len);
    return CAPTLS_OK;
}

static captls_result call(world *w, captls_sim_proc *from, captls_cap_handle to,
                          captls_interface_id iface, uint32_t req,
                          const char *text, const captls_cap_handle *caps,
                          uint16_t ncaps)
{
    (void)w;
    return captls_sim_ipc_call(from, to, iface, 1, req, (const uint8_t *)text,
                               strlen(text), caps, ncaps);
}

static void test_call_return_and_cap_transfer(void **state)
{
    world *w = *state;
    captls_cap_table *t = captls_sim_caps(w->k);
    captls_cap_handle notifier;
    captls_ipc_frame f;
    captls_cap_info info;
    assert_int_equal(captls_sim_proc_mint(w->cli, CAPTLS_IFACE_NOTIFIER,
                                          CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT,
                                          &notifier),
                     CAPTLS_OK);
    uint64_t t0 = captls_sim_now(w->k);
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 77, "hi",
                          &notifier, 1),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run_until(w->k, t0 + 3 * MS - 1), CAPTLS_OK);
    assert_int_equal(recv1(w, w->svc, &f), CAPTLS_WOULD_BLOCK);
    assert_int_equal(captls_sim_run_until(w->k, t0 + 3 * MS), CAPTLS_OK);
    assert_int_equal(recv1(w, w->svc, &f), CAPTLS_OK);
    assert_int_equal(f.kind, CAPTLS_IPC_CALL);
    assert_int_equal(f.iface, CAPTLS_IFACE_ECHO);
    assert_int_equal(f.payload_len, 2);
    assert_memory_equal(f.payload, "hi", 2);
    assert_int_equal(f.ncaps, 1);
    /* The receiver got its own handle, naming cli's endpoint. */
    captls_cap_handle granted = f.caps[0];
    assert_int_not_equal(granted, notifier);
    assert_int_equal(captls_cap_lookup(t, captls_sim_proc_owner(w->svc),
                                       granted, CAPTLS_IFACE_NOTIFIER,
                                       CAPTLS_RIGHT_CALL, &info),
                     CAPTLS_OK);
    assert_ptr_equal(info.object, w->cli);
    assert_int_not_equal(captls_cap_lookup(t, captls_sim_proc_owner(w->cli),
                                           granted, CAPTLS_IFACE_ANY, 0, NULL),
                         CAPTLS_OK);
    assert_int_not_equal(captls_cap_lookup(t, captls_sim_proc_owner(w->svc),
                                           notifier, CAPTLS_IFACE_ANY, 0, NULL),
                         CAPTLS_OK);
    /* Answer: routed to cli with cli's own request id. */
    captls_ipc_frame call_frame = f;
    assert_int_equal(captls_sim_ipc_return(w->svc, &call_frame,
                                           (const uint8_t *)"hi", 2),
                     CAPTLS_OK);
    /* A second answer to the same call has nothing to answer. */
    assert_int_equal(captls_sim_ipc_return(w->svc, &call_frame, NULL, 0),
                     CAPTLS_ERR_NOT_FOUND);
    /* Call back through the granted cap. */
    assert_int_equal(call(w, w->svc, granted, CAPTLS_IFACE_NOTIFIER, 5, "note",
                          NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(recv1(w, w->cli, &f), CAPTLS_OK);
    assert_int_equal(f.kind, CAPTLS_IPC_RETURN);
    assert_int_equal(f.request_id, 77);
    assert_int_equal(recv1(w, w->cli, &f), CAPTLS_OK);
    assert_int_equal(f.kind, CAPTLS_IPC_CALL);
    assert_int_equal(f.iface, CAPTLS_IFACE_NOTIFIER);
    assert_memory_equal(f.payload, "note", 4);
    assert_int_equal(recv1(w, w->cli, &f), CAPTLS_WOULD_BLOCK);
    /* Dropping the granted handle ends svc's access. */
    assert_int_equal(captls_sim_proc_cap_drop(w->svc, granted), CAPTLS_OK);
    assert_int_equal(call(w, w->svc, granted, CAPTLS_IFACE_NOTIFIER, 6, "x",
                          NULL, 0),
                     CAPTLS_ERR_STALE_HANDLE);
}

static void test_authority_is_checked(void **state)
{
    world *w = *state;
    captls_cap_handle weak, svc_root;
    /* A cap without CALL. */
    assert_int_equal(captls_sim_grant(w->k, w->svc, w->cli, "weak",
                                      CAPTLS_RIGHT_GRANT),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_cap(w->cli, "weak", &weak), CAPTLS_OK);
    assert_int_equal(call(w, w->cli, weak, CAPTLS_IFACE_ECHO, 1, "x", NULL, 0),
                     CAPTLS_ERR_NO_AUTHORITY);
    /* The right cap, the wrong interface in the frame. */
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_NOTIFIER, 1, "x",
                          NULL, 0),
                     CAPTLS_ERR_WRONG_INTERFACE);
    /* Somebody else's handle value is refused as if guessed. */
    assert_int_equal(captls_sim_proc_cap(w->cli, "svc", &svc_root), CAPTLS_OK);
    assert_int_not_equal(call(w, w->svc, svc_root, CAPTLS_IFACE_ECHO, 1, "x",
                              NULL, 0),
                         CAPTLS_OK);
    assert_int_equal(call(w, w->cli, 0x7FFF1234u, CAPTLS_IFACE_ECHO, 1, "x",
                          NULL, 0),
                     CAPTLS_ERR_BAD_HANDLE);
    /* Passing a cap one cannot grant fails, and grants nothing. */
    uint32_t live = captls_cap_table_live(captls_sim_caps(w->k));
    captls_cap_handle notifier;
    assert_int_equal(captls_sim_proc_mint(w->cli, CAPTLS_IFACE_NOTIFIER,
                                          CAPTLS_RIGHT_CALL, &notifier),
                     CAPTLS_OK);
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 1, "x",
                          &notifier, 1),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_cap_table_live(captls_sim_caps(w->k)), live + 2);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    captls_ipc_frame f;
    assert_int_equal(recv1(w, w->svc, &f), CAPTLS_WOULD_BLOCK);
}

static void test_malformed_and_stray_frames(void **state)
{
    world *w = *state;
    const captls_ipc *ipc = &captls_sim_proc_port(w->cli)->ipc;
    static const uint8_t junk[30] = {0, 0, 0, 30, 0xCA, 0x9F, 9};
    assert_int_equal(ipc->send(ipc->ctx, (captls_endpoint_id)w->echo, junk,
                               sizeof(junk)),
                     CAPTLS_ERR_MALFORMED);
    /* A RETURN nobody asked for. */
    captls_ipc_frame f;
    memset(&f, 0, sizeof(f));
    f.kind = CAPTLS_IPC_RETURN;
    f.iface = CAPTLS_IFACE_ECHO;
    f.method = 1;
    f.request_id = 0x00010001u;
    uint8_t buf[64];
    size_t len;
    assert_int_equal(captls_ipc_frame_encode(&f, buf, sizeof(buf), &len),
                     CAPTLS_OK);
    assert_int_equal(ipc->send(ipc->ctx, 0, buf, len), CAPTLS_ERR_NOT_FOUND);
    /* Trailing bytes after the frame. */
    f.kind = CAPTLS_IPC_CALL;
    assert_int_equal(captls_ipc_frame_encode(&f, buf, sizeof(buf), &len),
                     CAPTLS_OK);
    assert_int_equal(ipc->send(ipc->ctx, (captls_endpoint_id)w->echo, buf,
                               len + 1),
                     CAPTLS_ERR_MALFORMED);
    /* recv on someone else's endpoint. */
    size_t got;
    assert_int_equal(ipc->recv(ipc->ctx, captls_sim_proc_endpoint(w->svc),
                               buf, sizeof(buf), &got),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* A buffer too small consumes nothing. */
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 1,
                          "0123456789", NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    const captls_ipc *sipc = &captls_sim_proc_port(w->svc)->ipc;
    assert_int_equal(sipc->recv(sipc->ctx, captls_sim_proc_endpoint(w->svc),
                                buf, 10, &got),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(got, CAPTLS_IPC_HEADER_SIZE + 10);
    assert_int_equal(recv1(w, w->svc, &f), CAPTLS_OK);
}

static void test_call_to_dead_endpoint_fails_at_once(void **state)
{
    world *w = *state;
    captls_sim_proc_kill(w->svc);
    assert_false(captls_sim_proc_alive(w->svc));
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 1, "x", NULL,
                          0),
                     CAPTLS_ERR_ENDPOINT_DEAD);
}

static void expect_dead_answer(world *w, uint32_t req)
{
    captls_ipc_frame f;
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(recv1(w, w->cli, &f), CAPTLS_OK);
    assert_int_equal(f.kind, CAPTLS_IPC_ERROR);
    assert_int_equal(f.status, CAPTLS_ERR_ENDPOINT_DEAD);
    assert_int_equal(f.request_id, req);
    assert_int_equal(f.iface, CAPTLS_IFACE_ECHO);
    assert_int_equal(recv1(w, w->cli, &f), CAPTLS_WOULD_BLOCK);
}

static void test_death_while_call_in_flight(void **state)
{
    world *w = *state;
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 41, "x", NULL,
                          0),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run_until(w->k, captls_sim_now(w->k) + MS),
                     CAPTLS_OK);
    captls_sim_proc_kill(w->svc);
    expect_dead_answer(w, 41);
}

static void test_death_after_delivery(void **state)
{
    world *w = *state;
    captls_ipc_frame f;
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 42, "x", NULL,
                          0),
                     CAPTLS_OK);
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 43, "y", NULL,
                          0),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(recv1(w, w->svc, &f), CAPTLS_OK); /* taken, unanswered */
    captls_sim_proc_kill(w->svc);                       /* 43 still queued */
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    uint32_t seen = 0;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(recv1(w, w->cli, &f), CAPTLS_OK);
        assert_int_equal(f.kind, CAPTLS_IPC_ERROR);
        assert_int_equal(f.status, CAPTLS_ERR_ENDPOINT_DEAD);
        seen |= 1u << (f.request_id - 42);
    }
    assert_int_equal(seen, 3);
}

static void test_death_revokes_held_caps(void **state)
{
    world *w = *state;
    captls_cap_table *t = captls_sim_caps(w->k);
    captls_cap_handle notifier;
    captls_ipc_frame f;
    assert_int_equal(captls_sim_proc_mint(w->cli, CAPTLS_IFACE_NOTIFIER,
                                          CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT,
                                          &notifier),
                     CAPTLS_OK);
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 1, "x",
                          &notifier, 1),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    assert_int_equal(recv1(w, w->svc, &f), CAPTLS_OK);
    captls_cap_handle held = f.caps[0];
    uint32_t live = captls_cap_table_live(t);
    /* cli dies: what it held is revoked, and with it what it granted on
     * (captls_cap_revoke_owner), so svc's Notifier handle is stale; a cap
     * the kernel granted (svc's own root) would report ENDPOINT_DEAD. */
    captls_sim_proc_kill(w->cli);
    assert_true(captls_cap_table_live(t) < live);
    assert_int_equal(captls_cap_lookup(t, captls_sim_proc_owner(w->svc), held,
                                       CAPTLS_IFACE_NOTIFIER, CAPTLS_RIGHT_CALL,
                                       NULL),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(call(w, w->svc, held, CAPTLS_IFACE_NOTIFIER, 9, "n", NULL,
                          0),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_not_equal(captls_cap_lookup(t, captls_sim_proc_owner(w->cli),
                                           w->echo, CAPTLS_IFACE_ANY, 0, NULL),
                         CAPTLS_OK);
    /* Answering the dead caller's call reports the dead endpoint. */
    assert_int_equal(captls_sim_ipc_return(w->svc, &f, NULL, 0),
                     CAPTLS_ERR_ENDPOINT_DEAD);
}

static void test_queue_limit(void **state)
{
    world *w = *state;
    unsigned ok = 0;
    captls_result r = CAPTLS_OK;
    for (unsigned i = 0; i < CAPTLS_SIM_IPC_QUEUE + 5 && r == CAPTLS_OK; i++) {
        r = call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, i, "q", NULL, 0);
        ok += r == CAPTLS_OK;
    }
    assert_int_equal(r, CAPTLS_WOULD_BLOCK);
    assert_int_equal(ok, CAPTLS_SIM_IPC_QUEUE);
    assert_int_equal(captls_sim_run(w->k), CAPTLS_OK);
    captls_ipc_frame f;
    assert_int_equal(recv1(w, w->svc, &f), CAPTLS_OK);
    assert_int_equal(call(w, w->cli, w->echo, CAPTLS_IFACE_ECHO, 99, "q", NULL,
                          0),
                     CAPTLS_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_call_return_and_cap_transfer),
        T(test_authority_is_checked),
        T(test_malformed_and_stray_frames),
        T(test_call_to_dead_endpoint_fails_at_once),
        T(test_death_while_call_in_flight),
        T(test_death_after_delivery),
        T(test_death_revokes_held_caps),
        T(test_queue_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
