/* Unit tests for core/bridge/bridge_link.c: a HOST and a GUEST link wired
 * back to back in memory, plus hand-made frames for the bad-input cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/bridge/bridge_link.h"
#include "core/cap/interface_ids.h"
#include "port/port.h"

static captls_bridge_link host, guest;
static uint64_t now;

/* Moves every queued byte across, both ways, until both rings are empty. */
static void pump(void)
{
    for (int round = 0; round < 64; round++) {
        size_t n1, n2;
        const uint8_t *p;
        captls_bridge_tick(&host, now);
        captls_bridge_tick(&guest, now);
        p = captls_bridge_tx_peek(&host, &n1);
        if (n1 > 0) {
            captls_bridge_feed(&guest, p, n1, now);
            captls_bridge_tx_consume(&host, n1);
        }
        p = captls_bridge_tx_peek(&guest, &n2);
        if (n2 > 0) {
            captls_bridge_feed(&host, p, n2, now);
            captls_bridge_tx_consume(&guest, n2);
        }
        if (n1 == 0 && n2 == 0 && host.tx_len == 0 && guest.tx_len == 0)
            return;
    }
}

static void link_up(void)
{
    now = 1000;
    assert_int_equal(captls_bridge_init(&host, CAPTLS_BRIDGE_HOST, 0x1111, now),
                     CAPTLS_OK);
    assert_int_equal(
        captls_bridge_init(&guest, CAPTLS_BRIDGE_GUEST, 0x2222, now),
        CAPTLS_OK);
    captls_bridge_set_listening(&guest, true);
    captls_bridge_transport_up(&host, now);
    pump();
    assert_true(captls_bridge_is_up(&host));
    assert_true(captls_bridge_is_up(&guest));
}

static void open_pair(captls_bridge_handle *hh, captls_bridge_handle *gh,
                      const char *peer)
{
    assert_int_equal(captls_bridge_open(&host, peer, hh), CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_accept(&guest, gh), CAPTLS_OK);
    assert_string_equal(captls_bridge_peer(&guest, *gh), peer);
}

static size_t frame(uint8_t *out, uint32_t iface, uint16_t method,
                    const uint8_t *payload, size_t plen)
{
    captls_ipc_frame f;
    size_t n = 0;
    memset(&f, 0, sizeof f);
    f.kind = CAPTLS_IPC_CALL;
    f.iface = iface;
    f.method = method;
    f.payload = payload;
    f.payload_len = plen;
    assert_int_equal(captls_ipc_frame_encode(&f, out, 70000, &n), CAPTLS_OK);
    return n;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_handshake_and_echo(void **state)
{
    captls_bridge_handle hh, gh;
    uint8_t buf[64];
    size_t n;
    (void)state;

    link_up();
    assert_int_equal(captls_bridge_accept(&guest, &gh), CAPTLS_WOULD_BLOCK);
    open_pair(&hh, &gh, "127.0.0.1:5000");
    assert_int_equal(captls_bridge_write(&host, hh, (const uint8_t *)"ping", 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 4);
    pump();
    assert_true(captls_bridge_ready(&guest, gh) & CAPTLS_POLL_READ);
    assert_int_equal(captls_bridge_read(&guest, gh, buf, sizeof buf, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(captls_bridge_write(&guest, gh, buf, 4, &n), CAPTLS_OK);
    assert_int_equal(captls_bridge_shutdown(&host, hh), CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_read(&host, hh, buf, sizeof buf, &n),
                     CAPTLS_OK);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(captls_bridge_read(&guest, gh, buf, sizeof buf, &n),
                     CAPTLS_EOF);
    assert_int_equal(captls_bridge_close(&guest, gh, CAPTLS_BRIDGE_CLOSE_NORMAL),
                     CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_read(&host, hh, buf, sizeof buf, &n),
                     CAPTLS_EOF);
    assert_int_equal(captls_bridge_close(&host, hh, CAPTLS_BRIDGE_CLOSE_NORMAL),
                     CAPTLS_OK);
    pump();
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        assert_int_equal(host.streams[i].id, 0);
        assert_int_equal(guest.streams[i].id, 0);
    }
    assert_int_equal(guest.counters.unknown_stream, 0);
    assert_int_equal(host.counters.unknown_stream, 0);
    assert_int_equal(guest.counters.resync_bytes, 0);
}

/* A reader that never reads stops its own stream at one window; a second
 * stream still flows. */
static void test_window_isolates_streams(void **state)
{
    captls_bridge_handle h1, g1, h2, g2;
    uint8_t big[CAPTLS_BRIDGE_WINDOW * 2];
    uint8_t buf[CAPTLS_BRIDGE_WINDOW];
    size_t n, total = 0;
    (void)state;

    link_up();
    open_pair(&h1, &g1, "a:1");
    open_pair(&h2, &g2, "b:2");
    memset(big, 'x', sizeof big);
    for (int i = 0; i < 16; i++) {
        captls_result r = captls_bridge_write(&host, h1, big + total,
                                              sizeof big - total, &n);
        if (r == CAPTLS_WOULD_BLOCK)
            break;
        assert_int_equal(r, CAPTLS_OK);
        total += n;
        pump();
    }
    assert_int_equal(total, CAPTLS_BRIDGE_WINDOW);
    assert_false(captls_bridge_ready(&host, h1) & CAPTLS_POLL_WRITE);
    assert_true(captls_bridge_ready(&host, h2) & CAPTLS_POLL_WRITE);
    assert_int_equal(captls_bridge_write(&host, h2, (const uint8_t *)"ok", 2, &n),
                     CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_read(&guest, g2, buf, sizeof buf, &n),
                     CAPTLS_OK);
    assert_memory_equal(buf, "ok", 2);
    /* Reading stream 1 returns credit: the writer may go on. */
    assert_int_equal(captls_bridge_read(&guest, g1, buf, sizeof buf, &n),
                     CAPTLS_OK);
    assert_int_equal(n, CAPTLS_BRIDGE_WINDOW);
    pump();
    assert_true(captls_bridge_ready(&host, h1) & CAPTLS_POLL_WRITE);
    assert_int_equal(guest.counters.window_violations, 0);
}

static void test_garbage_and_oversized_are_skipped(void **state)
{
    captls_bridge_handle hh, gh;
    uint8_t raw[8192];
    uint8_t buf[16];
    size_t n;
    (void)state;

    link_up();
    open_pair(&hh, &gh, "c:3");
    /* Garbage, then a sound header announcing 4000 bytes (above the
     * maximum) with a garbage body. */
    memset(raw, 0x41, sizeof raw);
    n = 10;
    n += frame(raw + n, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_DATA,
               raw + 6000, 2000);
    raw[10 + 1] = 0x00;
    raw[10 + 2] = 0x0F;
    raw[10 + 3] = 0xA0; /* length field: 4000 */
    captls_bridge_feed(&guest, raw, 5, now); /* split arbitrarily */
    captls_bridge_feed(&guest, raw + 5, n - 5, now);
    assert_true(guest.counters.resync_bytes >= 10);
    assert_int_equal(guest.counters.oversized, 1);
    assert_int_equal(captls_bridge_read(&guest, gh, buf, sizeof buf, &n),
                     CAPTLS_WOULD_BLOCK);
    /* The link still works. */
    assert_int_equal(captls_bridge_write(&host, hh, (const uint8_t *)"fine", 4, &n),
                     CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_read(&guest, gh, buf, sizeof buf, &n),
                     CAPTLS_OK);
    assert_memory_equal(buf, "fine", 4);
}

static void test_unknown_stream_and_bad_shapes(void **state)
{
    uint8_t raw[256], p[16];
    size_t n;
    (void)state;

    link_up();
    be32(p, 999);
    memcpy(p + 4, "zz", 2);
    n = frame(raw, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_DATA, p, 6);
    captls_bridge_feed(&guest, raw, n, now);
    assert_int_equal(guest.counters.unknown_stream, 1);
    n = frame(raw, CAPTLS_IFACE_BYTE_STREAM, 77, p, 6);
    captls_bridge_feed(&guest, raw, n, now);
    n = frame(raw, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_WINDOW, p, 5);
    captls_bridge_feed(&guest, raw, n, now);
    n = frame(raw, CAPTLS_IFACE_TCP_LISTENER, CAPTLS_BRIDGE_M_OPEN, p, 4);
    captls_bridge_feed(&guest, raw, n, now);
    assert_int_equal(guest.counters.bad_messages, 3);
    /* An AUDIT line the GUEST receives is not for it. */
    n = frame(raw, CAPTLS_IFACE_AUDIT_LOG, CAPTLS_BRIDGE_M_AUDIT_LINE,
              (const uint8_t *)"x", 1);
    captls_bridge_feed(&guest, raw, n, now);
    assert_int_equal(guest.counters.bad_messages, 4);
}

static void test_flood_of_opens_is_refused(void **state)
{
    uint8_t raw[128], p[16];
    size_t n;
    captls_bridge_handle g;
    (void)state;

    link_up();
    for (uint32_t id = 100; id < 140; id++) {
        be32(p, id);
        memcpy(p + 4, "f:1", 3);
        n = frame(raw, CAPTLS_IFACE_TCP_LISTENER, CAPTLS_BRIDGE_M_OPEN, p, 7);
        captls_bridge_feed(&guest, raw, n, now);
    }
    assert_int_equal(guest.counters.opens_refused, 40 - CAPTLS_BRIDGE_MAX_STREAMS);
    /* Accept order follows arrival. */
    assert_int_equal(captls_bridge_accept(&guest, &g), CAPTLS_OK);
    assert_int_equal(guest.streams[g].id, 100);
    /* Not listening: refused. */
    captls_bridge_set_listening(&guest, false);
    be32(p, 500);
    n = frame(raw, CAPTLS_IFACE_TCP_LISTENER, CAPTLS_BRIDGE_M_OPEN, p, 7);
    captls_bridge_feed(&guest, raw, n, now);
    assert_int_equal(guest.counters.opens_refused, 41 - CAPTLS_BRIDGE_MAX_STREAMS);
}

static void test_window_violation_resets_one_stream(void **state)
{
    captls_bridge_handle h1, g1, h2, g2;
    uint8_t raw[2048], p[4 + CAPTLS_BRIDGE_MAX_DATA], buf[8];
    size_t n;
    (void)state;

    link_up();
    open_pair(&h1, &g1, "v:1");
    open_pair(&h2, &g2, "v:2");
    be32(p, guest.streams[g1].id);
    memset(p + 4, 'q', CAPTLS_BRIDGE_MAX_DATA);
    for (int i = 0; i < 5; i++) { /* 5 KiB into a 4 KiB window */
        n = frame(raw, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_DATA, p,
                  sizeof p);
        captls_bridge_feed(&guest, raw, n, now);
    }
    assert_int_equal(guest.counters.window_violations, 1);
    /* Stream 1 delivers what fitted, then the reset. */
    size_t total = 0;
    captls_result r;
    uint8_t big[CAPTLS_BRIDGE_WINDOW];
    while ((r = captls_bridge_read(&guest, g1, big, sizeof big, &n)) == CAPTLS_OK)
        total += n;
    assert_int_equal(total, CAPTLS_BRIDGE_WINDOW);
    assert_int_equal(r, CAPTLS_ERR_CONN_RESET);
    assert_int_equal(captls_bridge_write(&host, h2, (const uint8_t *)"k", 1, &n),
                     CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_read(&guest, g2, buf, sizeof buf, &n),
                     CAPTLS_OK);
    assert_int_equal(buf[0], 'k');
}

/* The bridge restarts: the guest's streams are reset, the new session
 * works, and a partial frame left from the old one does no harm. */
static void test_bridge_restart(void **state)
{
    captls_bridge_handle hh, gh, hh2, gh2;
    uint8_t raw[256], p[16], buf[16];
    size_t n;
    (void)state;

    link_up();
    open_pair(&hh, &gh, "r:1");
    be32(p, guest.streams[gh].id);
    memcpy(p + 4, "half", 4);
    n = frame(raw, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_DATA, p, 8);
    captls_bridge_feed(&guest, raw, n - 3, now); /* cut mid-frame */
    assert_int_equal(captls_bridge_init(&host, CAPTLS_BRIDGE_HOST, 0x3333, now),
                     CAPTLS_OK);
    captls_bridge_transport_up(&host, now);
    pump();
    assert_true(captls_bridge_is_up(&host));
    assert_int_equal(captls_bridge_read(&guest, gh, buf, sizeof buf, &n),
                     CAPTLS_OK); /* the half frame, padded with zeros */
    assert_int_equal(captls_bridge_read(&guest, gh, buf, sizeof buf, &n),
                     CAPTLS_ERR_CONN_RESET);
    assert_int_equal(captls_bridge_close(&guest, gh, CAPTLS_BRIDGE_CLOSE_RESET),
                     CAPTLS_OK);
    open_pair(&hh2, &gh2, "r:2");
    assert_int_equal(captls_bridge_write(&host, hh2, (const uint8_t *)"new", 3, &n),
                     CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_read(&guest, gh2, buf, sizeof buf, &n),
                     CAPTLS_OK);
    assert_memory_equal(buf, "new", 3);
    (void)hh;
}

static void test_silent_link_times_out(void **state)
{
    captls_bridge_handle hh, gh;
    uint8_t buf[4];
    size_t n;
    (void)state;

    link_up();
    open_pair(&hh, &gh, "t:1");
    now += CAPTLS_BRIDGE_PING_NS;
    pump(); /* pings keep it alive */
    assert_true(captls_bridge_is_up(&guest));
    now += CAPTLS_BRIDGE_DEAD_NS + 1;
    captls_bridge_tick(&guest, now);
    assert_false(captls_bridge_is_up(&guest));
    assert_int_equal(guest.counters.link_timeouts, 1);
    assert_int_equal(captls_bridge_read(&guest, gh, buf, sizeof buf, &n),
                     CAPTLS_ERR_CONN_RESET);
    (void)hh;
}

static void test_audit_line_reaches_host(void **state)
{
    (void)state;
    link_up();
    assert_int_equal(captls_bridge_audit(&guest, "event=x\x01", 8), CAPTLS_OK);
    pump();
    assert_int_equal(host.counters.audit_lines, 1);
    assert_int_equal(captls_bridge_audit(&host, "x", 1), CAPTLS_OK);
    pump();
    assert_int_equal(guest.counters.bad_messages, 1);
}

/* The host's side of the BlobStore for the tests: one blob, "cert.web",
 * answered in PART_MAX pieces as the ring allows. */
static uint8_t blob_data[3000];
static uint32_t blob_req;
static char blob_key[80];
static int blob_asked;

static void blob_heard(void *ctx, uint32_t request, const char *key)
{
    (void)ctx;
    blob_req = request;
    snprintf(blob_key, sizeof blob_key, "%s", key);
    blob_asked++;
}

static void blob_answer(void)
{
    if (strcmp(blob_key, "cert.web") != 0) {
        assert_int_equal(captls_bridge_blob_part(&host, blob_req,
                                                 CAPTLS_BRIDGE_BLOB_NOT_FOUND,
                                                 0, 0, NULL, 0),
                         CAPTLS_OK);
        return;
    }
    for (uint32_t off = 0; off < sizeof blob_data;) {
        size_t n = sizeof blob_data - off;
        if (n > CAPTLS_BRIDGE_BLOB_PART_MAX)
            n = CAPTLS_BRIDGE_BLOB_PART_MAX;
        assert_int_equal(captls_bridge_blob_part(&host, blob_req,
                                                 CAPTLS_BRIDGE_BLOB_OK,
                                                 sizeof blob_data, off,
                                                 blob_data + off, n),
                         CAPTLS_OK);
        off += (uint32_t)n;
    }
}

static void test_blob_get_whole_missing_and_too_small(void **state)
{
    static uint8_t buf[4096];
    captls_result r;
    size_t len;
    (void)state;
    link_up();
    host.blob_fn = blob_heard;
    for (size_t i = 0; i < sizeof blob_data; i++)
        blob_data[i] = (uint8_t)(i * 7 + 1);
    /* a whole blob, in three PARTs */
    assert_int_equal(captls_bridge_blob_get_begin(&guest, "cert.web", buf,
                                                  sizeof buf),
                     CAPTLS_OK);
    assert_int_equal(captls_bridge_blob_get_begin(&guest, "index", buf,
                                                  sizeof buf),
                     CAPTLS_ERR_INVALID_ARGUMENT); /* one at a time */
    pump();
    assert_int_equal(blob_asked, 1);
    assert_string_equal(blob_key, "cert.web");
    assert_false(captls_bridge_blob_get_end(&guest, &r, &len));
    blob_answer();
    pump();
    assert_true(captls_bridge_blob_get_end(&guest, &r, &len));
    assert_int_equal(r, CAPTLS_OK);
    assert_int_equal(len, sizeof blob_data);
    assert_memory_equal(buf, blob_data, sizeof blob_data);
    /* absent */
    assert_int_equal(captls_bridge_blob_get_begin(&guest, "cert.none", buf,
                                                  sizeof buf),
                     CAPTLS_OK);
    pump();
    blob_answer();
    pump();
    assert_true(captls_bridge_blob_get_end(&guest, &r, &len));
    assert_int_equal(r, CAPTLS_ERR_NOT_FOUND);
    /* too small: the size needed, nothing written past cap */
    memset(buf, 0xEE, sizeof buf);
    assert_int_equal(captls_bridge_blob_get_begin(&guest, "cert.web", buf, 100),
                     CAPTLS_OK);
    pump();
    blob_answer();
    pump();
    assert_true(captls_bridge_blob_get_end(&guest, &r, &len));
    assert_int_equal(r, CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, sizeof blob_data);
    assert_int_equal(buf[0], 0xEE);
    assert_int_equal(guest.counters.blob_refused, 0);
}

static void test_blob_bad_keys_stray_parts_and_session_end(void **state)
{
    static uint8_t buf[64];
    uint8_t raw[256], p[80];
    captls_result r;
    size_t len, n;
    (void)state;
    link_up();
    host.blob_fn = blob_heard;
    blob_asked = 0;
    /* keys that could name a path are refused on both ends */
    assert_int_equal(captls_bridge_blob_get_begin(&guest, "../x", buf,
                                                  sizeof buf),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    be32(p, 9);
    memcpy(p + 4, "a/b", 3);
    n = frame(raw, CAPTLS_IFACE_BLOB_STORE, CAPTLS_BRIDGE_M_BLOB_GET, p, 7);
    captls_bridge_feed(&host, raw, n, now);
    memcpy(p + 4, ".hid", 4);
    n = frame(raw, CAPTLS_IFACE_BLOB_STORE, CAPTLS_BRIDGE_M_BLOB_GET, p, 8);
    captls_bridge_feed(&host, raw, n, now);
    assert_int_equal(blob_asked, 0);
    assert_int_equal(host.counters.blob_refused, 2);
    /* a PART nobody asked for, and one beyond its total */
    assert_int_equal(captls_bridge_blob_part(&host, 77, CAPTLS_BRIDGE_BLOB_OK,
                                             4, 0, (const uint8_t *)"abcd", 4),
                     CAPTLS_OK);
    pump();
    assert_int_equal(guest.counters.blob_refused, 1);
    assert_int_equal(captls_bridge_blob_get_begin(&guest, "index", buf,
                                                  sizeof buf),
                     CAPTLS_OK);
    pump();
    assert_int_equal(captls_bridge_blob_part(&host, blob_req,
                                             CAPTLS_BRIDGE_BLOB_OK, 2, 0,
                                             (const uint8_t *)"abcd", 4),
                     CAPTLS_OK);
    pump();
    assert_int_equal(guest.counters.blob_refused, 2);
    assert_false(captls_bridge_blob_get_end(&guest, &r, &len));
    /* the session ends under the GET: NOT_CONNECTED, never a hang */
    captls_bridge_transport_down(&guest);
    assert_true(captls_bridge_blob_get_end(&guest, &r, &len));
    assert_int_equal(r, CAPTLS_ERR_NOT_CONNECTED);
    assert_int_equal(captls_bridge_blob_get_begin(&guest, "index", buf,
                                                  sizeof buf),
                     CAPTLS_ERR_NOT_CONNECTED);
}

static void test_blob_changed_reaches_guest(void **state)
{
    (void)state;
    link_up();
    assert_false(captls_bridge_blob_take_changed(&guest));
    assert_int_equal(captls_bridge_blob_changed(&host), CAPTLS_OK);
    pump();
    assert_true(captls_bridge_blob_take_changed(&guest));
    assert_false(captls_bridge_blob_take_changed(&guest));
    /* the guest cannot send CHANGED, nor the host GET */
    assert_int_equal(captls_bridge_blob_changed(&guest),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_bridge_blob_get_begin(&host, "index", NULL, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_host_time_reaches_guest(void **state)
{
    int64_t secs;
    uint32_t ns;
    uint64_t at;
    uint8_t raw[64], p[12];
    size_t n;
    (void)state;
    link_up();
    assert_false(captls_bridge_host_time(&guest, &secs, &ns, &at));
    now = 5000;
    assert_int_equal(captls_bridge_time(&host, 1796450000, 123456789),
                     CAPTLS_OK);
    pump();
    assert_true(captls_bridge_host_time(&guest, &secs, &ns, &at));
    assert_int_equal(secs, 1796450000);
    assert_int_equal(ns, 123456789);
    assert_int_equal(at, 5000);
    /* out of range: refused before sending, and on receipt */
    assert_int_equal(captls_bridge_time(&host, 1000, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_bridge_time(&host, 1796450000, 1000000000u),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    be32(p, 0);
    be32(p + 4, 1000);
    be32(p + 8, 0);
    n = frame(raw, CAPTLS_IFACE_WALL_CLOCK, CAPTLS_BRIDGE_M_TIME, p, 12);
    uint64_t bad = guest.counters.bad_messages;
    captls_bridge_feed(&guest, raw, n, now);
    assert_int_equal(guest.counters.bad_messages, bad + 1);
    assert_true(captls_bridge_host_time(&guest, &secs, &ns, &at));
    assert_int_equal(secs, 1796450000); /* the good one stays */
    /* the guest cannot tell the host the time */
    assert_int_equal(captls_bridge_time(&guest, 1796450000, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_and_echo),
        cmocka_unit_test(test_window_isolates_streams),
        cmocka_unit_test(test_garbage_and_oversized_are_skipped),
        cmocka_unit_test(test_unknown_stream_and_bad_shapes),
        cmocka_unit_test(test_flood_of_opens_is_refused),
        cmocka_unit_test(test_window_violation_resets_one_stream),
        cmocka_unit_test(test_bridge_restart),
        cmocka_unit_test(test_silent_link_times_out),
        cmocka_unit_test(test_audit_line_reaches_host),
        cmocka_unit_test(test_blob_get_whole_missing_and_too_small),
        cmocka_unit_test(test_blob_bad_keys_stray_parts_and_session_end),
        cmocka_unit_test(test_blob_changed_reaches_guest),
        cmocka_unit_test(test_host_time_reaches_guest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
