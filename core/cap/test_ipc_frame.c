/* Unit tests of core/cap/ipc_frame.c: round trips, every malformed shape,
 * partial input, and all-or-nothing cap transfer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/cap/ipc_frame.h"

static const uint8_t PAYLOAD[] = "hello, service";

static captls_ipc_frame sample(void)
{
    captls_ipc_frame f;
    memset(&f, 0, sizeof(f));
    f.kind = CAPTLS_IPC_CALL;
    f.iface = CAPTLS_IFACE_ECHO;
    f.method = 7;
    f.request_id = 0x01020304u;
    f.ncaps = 2;
    f.caps[0] = 0x00010001u;
    f.caps[1] = 0x00020003u;
    f.payload = PAYLOAD;
    f.payload_len = sizeof(PAYLOAD) - 1;
    return f;
}

static size_t encode(const captls_ipc_frame *f, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    assert_int_equal(captls_ipc_frame_encode(f, buf, cap, &len), CAPTLS_OK);
    return len;
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t buf[128];
    captls_ipc_frame in = sample(), out;
    size_t len = encode(&in, buf, sizeof(buf)), used = 0;
    assert_int_equal(len, CAPTLS_IPC_HEADER_SIZE + 8 + in.payload_len);
    assert_int_equal(captls_ipc_frame_decode(buf, len, &out, &used), CAPTLS_OK);
    assert_int_equal(used, len);
    assert_int_equal(out.kind, in.kind);
    assert_int_equal(out.iface, in.iface);
    assert_int_equal(out.method, in.method);
    assert_int_equal(out.request_id, in.request_id);
    assert_int_equal(out.ncaps, 2);
    assert_int_equal(out.caps[1], in.caps[1]);
    assert_int_equal(out.payload_len, in.payload_len);
    assert_memory_equal(out.payload, PAYLOAD, in.payload_len);
    assert_ptr_equal(out.payload, buf + CAPTLS_IPC_HEADER_SIZE + 8);
}

static void test_error_frame_round_trip(void **state)
{
    (void)state;
    uint8_t buf[64];
    captls_ipc_frame in = sample(), out;
    in.kind = CAPTLS_IPC_ERROR;
    in.status = CAPTLS_ERR_ENDPOINT_DEAD;
    in.ncaps = 0;
    in.payload_len = 0;
    size_t len = encode(&in, buf, sizeof(buf)), used;
    assert_int_equal(len, CAPTLS_IPC_HEADER_SIZE);
    assert_int_equal(captls_ipc_frame_decode(buf, len, &out, &used), CAPTLS_OK);
    assert_int_equal(out.status, CAPTLS_ERR_ENDPOINT_DEAD);
}

static void test_two_frames_back_to_back(void **state)
{
    (void)state;
    uint8_t buf[256];
    captls_ipc_frame a = sample(), b = sample(), out;
    b.request_id = 99;
    size_t la = encode(&a, buf, sizeof(buf));
    size_t lb = encode(&b, buf + la, sizeof(buf) - la), used;
    assert_int_equal(captls_ipc_frame_decode(buf, la + lb, &out, &used),
                     CAPTLS_OK);
    assert_int_equal(used, la);
    assert_int_equal(captls_ipc_frame_decode(buf + used, lb, &out, &used),
                     CAPTLS_OK);
    assert_int_equal(out.request_id, 99);
}

static void test_every_prefix_needs_more(void **state)
{
    (void)state;
    uint8_t buf[128];
    captls_ipc_frame in = sample(), out;
    size_t len = encode(&in, buf, sizeof(buf));
    for (size_t cut = 0; cut < len; cut++) {
        size_t need = 0;
        memset(&out, 0xA5, sizeof(out));
        assert_int_equal(captls_ipc_frame_decode(buf, cut, &out, &need),
                         CAPTLS_NEED_MORE);
        assert_true(need > cut);
        assert_true(need == len || (cut < 4 && need == CAPTLS_IPC_HEADER_SIZE));
        assert_int_equal(out.kind, (captls_ipc_kind)0xA5A5A5A5);
    }
}

/* Decodes buf and asserts it is refused without touching *out. */
static void assert_malformed(const uint8_t *buf, size_t len)
{
    captls_ipc_frame out;
    size_t used = 12345;
    memset(&out, 0x5A, sizeof(out));
    assert_int_equal(captls_ipc_frame_decode(buf, len, &out, &used),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(used, 12345);
    assert_int_equal(out.method, 0x5A5A);
}

static void test_malformed_headers(void **state)
{
    (void)state;
    uint8_t good[128], bad[128];
    captls_ipc_frame in = sample();
    size_t len = encode(&in, good, sizeof(good));

    struct { size_t off; uint8_t val; } cases[] = {
        {4, 0x00},  /* magic */
        {5, 0x00},  /* magic */
        {6, 2},     /* version */
        {7, 0},     /* kind */
        {7, 4},     /* kind */
        {15, 9},    /* ncaps above the maximum */
        {23, 1},    /* status on a call */
        {24, 0}, {25, 0}, {26, 0}, {27, 0}, /* NULL cap handle */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(bad, good, len);
        if (cases[i].off >= 24) /* zero the whole first handle */
            memset(bad + 24, 0, 4);
        else
            bad[cases[i].off] = cases[i].val;
        assert_malformed(bad, len);
    }
    /* length field below the header, above the maximum, and cap count
     * running past the declared length */
    memcpy(bad, good, len);
    bad[0] = 0; bad[1] = 0; bad[2] = 0; bad[3] = 23;
    assert_malformed(bad, len);
    bad[0] = 0; bad[1] = 1; bad[2] = 0; bad[3] = 1;
    assert_malformed(bad, len);
    memcpy(bad, good, len);
    bad[3] = CAPTLS_IPC_HEADER_SIZE + 4;
    assert_malformed(bad, len);
    /* an error frame that claims success */
    memcpy(bad, good, len);
    bad[7] = CAPTLS_IPC_ERROR;
    assert_malformed(bad, len);
    /* bad magic is caught even in a partial header */
    memcpy(bad, good, len);
    bad[4] = 0;
    assert_malformed(bad, 6);
}

static void test_encode_refusals(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t len = 0;
    captls_ipc_frame f = sample();
    f.ncaps = CAPTLS_IPC_MAX_CAPS + 1;
    assert_int_equal(captls_ipc_frame_encode(&f, buf, sizeof(buf), &len),
                     CAPTLS_ERR_MALFORMED);
    f = sample();
    f.caps[0] = CAPTLS_CAP_NULL;
    assert_int_equal(captls_ipc_frame_encode(&f, buf, sizeof(buf), &len),
                     CAPTLS_ERR_MALFORMED);
    f = sample();
    f.payload_len = CAPTLS_IPC_MAX_FRAME;
    assert_int_equal(captls_ipc_frame_encode(&f, buf, sizeof(buf), &len),
                     CAPTLS_ERR_MALFORMED);
    f = sample();
    f.kind = CAPTLS_IPC_RETURN;
    f.status = CAPTLS_ERR_IO;
    assert_int_equal(captls_ipc_frame_encode(&f, buf, sizeof(buf), &len),
                     CAPTLS_ERR_MALFORMED);
    f = sample();
    assert_int_equal(captls_ipc_frame_encode(&f, buf, 10, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, CAPTLS_IPC_HEADER_SIZE + 8 + f.payload_len);
}

static captls_cap_slot slots[8];
static captls_cap_table table;
static int object;

static void test_transfer_grants_to_receiver(void **state)
{
    (void)state;
    captls_cap_handle h;
    assert_int_equal(captls_cap_table_init(&table, slots, 8), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&table, 1, CAPTLS_IFACE_NOTIFIER, &object,
                                     CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT |
                                         CAPTLS_RIGHT_REVOKE,
                                     &h),
                     CAPTLS_OK);
    captls_ipc_frame f = sample();
    f.ncaps = 1;
    f.caps[0] = h;
    assert_int_equal(captls_ipc_transfer_caps(&table, 1, 2, &f), CAPTLS_OK);
    assert_int_not_equal(f.caps[0], h);
    captls_cap_info info;
    assert_int_equal(captls_cap_lookup(&table, 2, f.caps[0],
                                       CAPTLS_IFACE_NOTIFIER, CAPTLS_RIGHT_CALL,
                                       &info),
                     CAPTLS_OK);
    assert_ptr_equal(info.object, &object);
    /* the sender can take back what it gave */
    assert_int_equal(captls_cap_revoke(&table, 1, h, NULL), CAPTLS_OK);
    assert_int_equal(captls_cap_lookup(&table, 2, f.caps[0], CAPTLS_IFACE_ANY,
                                       0, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
}

static void test_transfer_all_or_nothing(void **state)
{
    (void)state;
    captls_cap_handle ok_h, no_grant;
    assert_int_equal(captls_cap_table_init(&table, slots, 8), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&table, 1, CAPTLS_IFACE_ECHO, &object,
                                     CAPTLS_RIGHT_GRANT, &ok_h),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&table, 1, CAPTLS_IFACE_ECHO, &object,
                                     CAPTLS_RIGHT_CALL, &no_grant),
                     CAPTLS_OK);
    captls_ipc_frame f = sample(), before;
    f.ncaps = 2;
    f.caps[0] = ok_h;
    f.caps[1] = no_grant;
    before = f;
    assert_int_equal(captls_ipc_transfer_caps(&table, 1, 2, &f),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_memory_equal(&f, &before, sizeof(f));
    assert_int_equal(captls_cap_table_live(&table), 2);
    /* a handle the sender does not own */
    f.caps[1] = ok_h;
    assert_int_equal(captls_ipc_transfer_caps(&table, 3, 2, &f),
                     CAPTLS_ERR_BAD_HANDLE);
    assert_int_equal(captls_cap_table_live(&table), 2);
}

static void test_transfer_table_full(void **state)
{
    (void)state;
    captls_cap_slot two[2];
    captls_cap_table small;
    captls_cap_handle h;
    assert_int_equal(captls_cap_table_init(&small, two, 2), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&small, 1, CAPTLS_IFACE_ECHO, &object,
                                     CAPTLS_RIGHT_GRANT, &h),
                     CAPTLS_OK);
    captls_ipc_frame f = sample();
    f.ncaps = 2;
    f.caps[0] = h;
    f.caps[1] = h;
    assert_int_equal(captls_ipc_transfer_caps(&small, 1, 2, &f),
                     CAPTLS_ERR_TABLE_FULL);
    assert_int_equal(captls_cap_table_live(&small), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_error_frame_round_trip),
        cmocka_unit_test(test_two_frames_back_to_back),
        cmocka_unit_test(test_every_prefix_needs_more),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_encode_refusals),
        cmocka_unit_test(test_transfer_grants_to_receiver),
        cmocka_unit_test(test_transfer_all_or_nothing),
        cmocka_unit_test(test_transfer_table_full),
    };
    return cmocka_run_group_tests_name("ipc_frame", tests, NULL, NULL);
}
