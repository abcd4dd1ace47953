/* Unit tests of port/posix/posix_ipc_local.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/cap/ipc_frame.h"
#include "port/posix/posix_port.h"

static captls_posix_ipc_ctx ipc_ctx; /* ~0.5 MiB: static, not stack */
static captls_ipc ipc;

static int setup(void **state)
{
    (void)state;
    captls_posix_ipc_init(&ipc_ctx, &ipc);
    return 0;
}

static captls_endpoint_id open_ep(void)
{
    captls_endpoint_id id = -1;
    assert_int_equal(captls_posix_ipc_open(&ipc_ctx, &id), CAPTLS_OK);
    assert_true(id >= 0);
    return id;
}

static void test_frames_round_trip_in_order(void **state)
{
    (void)state;
    captls_endpoint_id a = open_ep(), b = open_ep();
    uint8_t buf[64];
    size_t len = 99;

    assert_true(a != b);
    assert_int_equal(ipc.recv(ipc.ctx, b, buf, sizeof(buf), &len),
                     CAPTLS_WOULD_BLOCK);
    assert_int_equal(len, 0);
    assert_int_equal(ipc.send(ipc.ctx, b, (const uint8_t *)"one", 3),
                     CAPTLS_OK);
    assert_int_equal(ipc.send(ipc.ctx, b, (const uint8_t *)"second", 6),
                     CAPTLS_OK);
    assert_int_equal(ipc.recv(ipc.ctx, b, buf, sizeof(buf), &len), CAPTLS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, "one", 3);
    assert_int_equal(ipc.recv(ipc.ctx, b, buf, sizeof(buf), &len), CAPTLS_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(buf, "second", 6);
    assert_int_equal(ipc.recv(ipc.ctx, b, buf, sizeof(buf), &len),
                     CAPTLS_WOULD_BLOCK);
    /* a's queue was never touched */
    assert_int_equal(ipc.recv(ipc.ctx, a, buf, sizeof(buf), &len),
                     CAPTLS_WOULD_BLOCK);
}

static void test_encoded_frame_survives_transport(void **state)
{
    (void)state;
    captls_endpoint_id svc = open_ep();
    captls_ipc_frame f, g;
    uint8_t wire[128], got[128];
    size_t wlen = 0, glen = 0, used = 0;

    memset(&f, 0, sizeof(f));
    f.kind = CAPTLS_IPC_CALL;
    f.iface = CAPTLS_IFACE_ECHO;
    f.method = 1;
    f.request_id = 42;
    f.payload = (const uint8_t *)"ping";
    f.payload_len = 4;
    assert_int_equal(captls_ipc_frame_encode(&f, wire, sizeof(wire), &wlen),
                     CAPTLS_OK);
    assert_int_equal(ipc.send(ipc.ctx, svc, wire, wlen), CAPTLS_OK);
    assert_int_equal(ipc.recv(ipc.ctx, svc, got, sizeof(got), &glen),
                     CAPTLS_OK);
    assert_int_equal(captls_ipc_frame_decode(got, glen, &g, &used), CAPTLS_OK);
    assert_int_equal(used, glen);
    assert_int_equal(g.request_id, 42);
    assert_int_equal(g.payload_len, 4);
    assert_memory_equal(g.payload, "ping", 4);
}

static void test_buffer_too_small_consumes_nothing(void **state)
{
    (void)state;
    captls_endpoint_id e = open_ep();
    uint8_t small[4], big[16];
    size_t len = 0;

    assert_int_equal(ipc.send(ipc.ctx, e, (const uint8_t *)"0123456789", 10),
                     CAPTLS_OK);
    assert_int_equal(ipc.recv(ipc.ctx, e, small, sizeof(small), &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 10);
    assert_int_equal(ipc.recv(ipc.ctx, e, NULL, 0, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 10);
    assert_int_equal(ipc.recv(ipc.ctx, e, big, sizeof(big), &len), CAPTLS_OK);
    assert_int_equal(len, 10);
    assert_memory_equal(big, "0123456789", 10);
}

static void test_queue_full_by_count_and_by_bytes(void **state)
{
    (void)state;
    static uint8_t max[CAPTLS_IPC_MAX_FRAME], out[CAPTLS_IPC_MAX_FRAME];
    captls_endpoint_id e = open_ep();
    size_t len;
    uint8_t one = 1;

    for (int i = 0; i < CAPTLS_POSIX_IPC_QUEUE_FRAMES; i++)
        assert_int_equal(ipc.send(ipc.ctx, e, &one, 1), CAPTLS_OK);
    assert_int_equal(ipc.send(ipc.ctx, e, &one, 1), CAPTLS_WOULD_BLOCK);
    for (int i = 0; i < CAPTLS_POSIX_IPC_QUEUE_FRAMES; i++)
        assert_int_equal(ipc.recv(ipc.ctx, e, out, 1, &len), CAPTLS_OK);
    /* one maximum-size frame fills the ring */
    for (size_t i = 0; i < sizeof(max); i++)
        max[i] = (uint8_t)(i * 31);
    assert_int_equal(ipc.send(ipc.ctx, e, max, sizeof(max)), CAPTLS_OK);
    assert_int_equal(ipc.send(ipc.ctx, e, &one, 1), CAPTLS_WOULD_BLOCK);
    assert_int_equal(ipc.recv(ipc.ctx, e, out, sizeof(out), &len), CAPTLS_OK);
    assert_int_equal(len, sizeof(max));
    assert_memory_equal(out, max, sizeof(max));
}

static void test_ring_wraparound_keeps_frames_intact(void **state)
{
    (void)state;
    static uint8_t frame[20000], out[20000];
    captls_endpoint_id e = open_ep();
    size_t sizes[] = {20000, 1, 17000, 9999, 20000, 3, 12345};
    size_t sent = 0, recvd = 0, len;
    uint8_t seq = 0, rseq = 0;

    /* Keep up to three frames queued while sizes cycle, so frames land
     * across the end of the ring many times. */
    for (int step = 0; step < 200; step++) {
        size_t n = sizes[step % 7];
        for (size_t i = 0; i < n; i++)
            frame[i] = (uint8_t)(seq + i);
        if (ipc.send(ipc.ctx, e, frame, n) == CAPTLS_OK) {
            seq++;
            sent++;
        }
        if (step % 2 == 1 || sent - recvd >= 3) {
            if (ipc.recv(ipc.ctx, e, out, sizeof(out), &len) == CAPTLS_OK) {
                for (size_t i = 0; i < len; i++)
                    assert_int_equal(out[i], (uint8_t)(rseq + i));
                rseq++;
                recvd++;
            }
        }
    }
    while (ipc.recv(ipc.ctx, e, out, sizeof(out), &len) == CAPTLS_OK) {
        for (size_t i = 0; i < len; i++)
            assert_int_equal(out[i], (uint8_t)(rseq + i));
        rseq++;
        recvd++;
    }
    assert_int_equal(sent, recvd);
    assert_true(sent > 100);
}

static void test_bad_frames(void **state)
{
    (void)state;
    static uint8_t too_big[CAPTLS_IPC_MAX_FRAME + 1];
    captls_endpoint_id e = open_ep();
    size_t len;

    assert_int_equal(ipc.send(ipc.ctx, e, too_big, sizeof(too_big)),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(ipc.send(ipc.ctx, e, too_big, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ipc.send(ipc.ctx, e, NULL, 5),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ipc.recv(ipc.ctx, e, too_big, 10, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ipc.recv(ipc.ctx, e, too_big, 10, &len),
                     CAPTLS_WOULD_BLOCK);
}

static void test_closed_endpoint_is_dead_forever(void **state)
{
    (void)state;
    captls_endpoint_id e = open_ep(), again;
    uint8_t buf[8];
    size_t len;

    assert_int_equal(ipc.send(ipc.ctx, e, (const uint8_t *)"x", 1), CAPTLS_OK);
    assert_int_equal(captls_posix_ipc_close(&ipc_ctx, e), CAPTLS_OK);
    assert_int_equal(ipc.send(ipc.ctx, e, (const uint8_t *)"x", 1),
                     CAPTLS_ERR_ENDPOINT_DEAD);
    assert_int_equal(ipc.recv(ipc.ctx, e, buf, sizeof(buf), &len),
                     CAPTLS_ERR_ENDPOINT_DEAD);
    assert_int_equal(captls_posix_ipc_close(&ipc_ctx, e),
                     CAPTLS_ERR_ENDPOINT_DEAD);
    /* The slot is reused under a new id; the old one stays dead and the
     * new endpoint starts empty (the queued "x" was dropped). */
    again = open_ep();
    assert_true(again != e);
    assert_int_equal(ipc.send(ipc.ctx, e, (const uint8_t *)"x", 1),
                     CAPTLS_ERR_ENDPOINT_DEAD);
    assert_int_equal(ipc.recv(ipc.ctx, again, buf, sizeof(buf), &len),
                     CAPTLS_WOULD_BLOCK);
}

static void test_unknown_ids_and_full_table(void **state)
{
    (void)state;
    captls_endpoint_id ids[CAPTLS_POSIX_IPC_MAX_ENDPOINTS], extra = -1;
    uint8_t b = 0;

    assert_int_equal(ipc.send(ipc.ctx, -1, &b, 1), CAPTLS_ERR_BAD_HANDLE);
    assert_int_equal(ipc.send(ipc.ctx, 0, &b, 1), CAPTLS_ERR_BAD_HANDLE);
    for (int i = 0; i < CAPTLS_POSIX_IPC_MAX_ENDPOINTS; i++)
        ids[i] = open_ep();
    assert_int_equal(captls_posix_ipc_open(&ipc_ctx, &extra),
                     CAPTLS_ERR_TABLE_FULL);
    /* an id with a future generation was never issued */
    assert_int_equal(
        ipc.send(ipc.ctx, ids[0] + 5 * CAPTLS_POSIX_IPC_MAX_ENDPOINTS, &b, 1),
        CAPTLS_ERR_BAD_HANDLE);
    assert_int_equal(captls_posix_ipc_close(&ipc_ctx, ids[3]), CAPTLS_OK);
    assert_int_equal(captls_posix_ipc_open(&ipc_ctx, &extra), CAPTLS_OK);
    assert_true(extra != ids[3]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_frames_round_trip_in_order, setup),
        cmocka_unit_test_setup(test_encoded_frame_survives_transport, setup),
        cmocka_unit_test_setup(test_buffer_too_small_consumes_nothing, setup),
        cmocka_unit_test_setup(test_queue_full_by_count_and_by_bytes, setup),
        cmocka_unit_test_setup(test_ring_wraparound_keeps_frames_intact,
                               setup),
        cmocka_unit_test_setup(test_bad_frames, setup),
        cmocka_unit_test_setup(test_closed_endpoint_is_dead_forever, setup),
        cmocka_unit_test_setup(test_unknown_ids_and_full_table, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
