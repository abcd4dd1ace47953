/* Fuzz harness: the guest bridge's message parser and stream table
 * (core/bridge/bridge_link.c), the code both the guest's net capability
 * and build/captls-guest-bridge run on every byte of the serial link.
 *
 * Input: byte 0 picks the role (even GUEST, odd HOST); the link is brought
 * up with a proper HELLO so the fuzzer starts in the interesting state;
 * the rest is a program of operations: feed raw bytes, advance time,
 * accept, read, write, shut down, close, open, restart the transport, and
 * the BlobStore messages (a GET begun and ended by the guest into a
 * buffer of fuzzed size, PARTs and CHANGED sent by the host) and TIME.
 * After every step the table's invariants are checked (abort on breach):
 * no two live slots share an id, every buffer within its window, received
 * plus unreturned credit never above the window, the transmit ring within
 * bounds, the ring holding only whole well-formed frames (re-parsed by
 * a second link), and a GET's answer never past its buffer nor its total. Builds for libFuzzer and, unchanged, AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bridge/bridge_link.h"
#include "core/cap/interface_ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static captls_bridge_link link, mirror;
static uint8_t blob_buf[2048];
static size_t blob_cap; /* the buffer size of the GET begun last */

static void check(const captls_bridge_link *l)
{
    if (l->tx_len > CAPTLS_BRIDGE_TX_RING || l->rx_len > CAPTLS_BRIDGE_MAX_FRAME)
        abort();
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        const captls_bridge_stream *s = &l->streams[i];
        if (s->id == 0)
            continue;
        if (s->rx_len > CAPTLS_BRIDGE_WINDOW ||
            s->rx_head >= CAPTLS_BRIDGE_WINDOW ||
            (uint64_t)s->rx_len + s->grant > CAPTLS_BRIDGE_WINDOW ||
            s->credit > CAPTLS_BRIDGE_WINDOW)
            abort();
        for (size_t j = i + 1; j < CAPTLS_BRIDGE_MAX_STREAMS; j++) {
            if (l->streams[j].id == s->id)
                abort();
        }
    }
    if (l->blob.active && (l->blob.got > l->blob.total ||
                           l->blob.cap > sizeof blob_buf))
        abort();
    /* a host time is taken only inside 2020..2200 with ns < 10^9 */
    if (l->have_time && (l->time_ns >= 1000000000u ||
                         l->time_s < 1577836800LL || l->time_s > 7258118400LL))
        abort();
}

/* Everything a link emits must parse cleanly on the other side. */
static void drain(captls_bridge_link *l)
{
    size_t n;
    const uint8_t *p;
    uint64_t bad_before = mirror.counters.resync_bytes +
                          mirror.counters.oversized +
                          mirror.counters.bad_messages;
    while ((p = captls_bridge_tx_peek(l, &n)), n > 0) {
        captls_bridge_feed(&mirror, p, n, l->now_ns);
        captls_bridge_tx_consume(l, n);
    }
    if (mirror.counters.resync_bytes + mirror.counters.oversized +
            mirror.counters.bad_messages !=
        bad_before)
        abort();
}

static void hello(captls_bridge_link *l, uint32_t peer_epoch)
{
    uint8_t frame[CAPTLS_IPC_HEADER_SIZE + 8], p[8];
    captls_ipc_frame f;
    size_t n;
    memset(&f, 0, sizeof f);
    f.kind = CAPTLS_IPC_CALL;
    f.iface = CAPTLS_IFACE_TCP_LISTENER;
    f.method = CAPTLS_BRIDGE_M_HELLO;
    p[0] = (uint8_t)(peer_epoch >> 24);
    p[1] = (uint8_t)(peer_epoch >> 16);
    p[2] = (uint8_t)(peer_epoch >> 8);
    p[3] = (uint8_t)peer_epoch;
    p[4] = (uint8_t)(l->my_epoch >> 24);
    p[5] = (uint8_t)(l->my_epoch >> 16);
    p[6] = (uint8_t)(l->my_epoch >> 8);
    p[7] = (uint8_t)l->my_epoch;
    f.payload = p;
    f.payload_len = 8;
    if (captls_ipc_frame_encode(&f, frame, sizeof frame, &n) != CAPTLS_OK)
        abort();
    captls_bridge_feed(l, frame, n, l->now_ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[CAPTLS_BRIDGE_WINDOW];
    captls_bridge_role role;
    uint64_t now = 1;
    size_t i = 1;

    if (size < 1)
        return 0;
    role = (data[0] & 1) ? CAPTLS_BRIDGE_HOST : CAPTLS_BRIDGE_GUEST;
    if (captls_bridge_init(&link, role, 0xA1, now) != CAPTLS_OK ||
        captls_bridge_init(&mirror,
                           role == CAPTLS_BRIDGE_HOST ? CAPTLS_BRIDGE_GUEST
                                                      : CAPTLS_BRIDGE_HOST,
                           0xB2, now) != CAPTLS_OK)
        abort();
    captls_bridge_set_listening(&mirror, true);
    if (role == CAPTLS_BRIDGE_HOST)
        captls_bridge_transport_up(&link, now);
    captls_bridge_set_listening(&link, (data[0] & 2) == 0);
    hello(&link, 0xB2);
    hello(&mirror, 0xA1);
    drain(&link);

    while (i < size) {
        uint8_t op = data[i++];
        uint8_t arg = i < size ? data[i] : 0;
        captls_bridge_handle h = (captls_bridge_handle)(arg % (CAPTLS_BRIDGE_MAX_STREAMS + 1));
        size_t n = 0;
        captls_result r = CAPTLS_OK;

        switch (op % 12) {
        case 0: /* raw bytes from the peer: the next arg+1 bytes */
        case 1: {
            size_t len = (size_t)arg + 1;
            if (++i > size)
                break;
            if (len > size - i)
                len = size - i;
            captls_bridge_feed(&link, data + i, len, now);
            i += len;
            break;
        }
        case 2:
            now += (uint64_t)arg * 50000000ull;
            captls_bridge_tick(&link, now);
            i++;
            break;
        case 3:
            if (role == CAPTLS_BRIDGE_GUEST)
                r = captls_bridge_accept(&link, &h);
            break;
        case 4:
            r = captls_bridge_read(&link, h, buf, (size_t)(arg % 7) * 700 + 1, &n);
            if (r == CAPTLS_OK && (n == 0 || n > CAPTLS_BRIDGE_WINDOW))
                abort();
            i++;
            break;
        case 5:
            memset(buf, arg, sizeof buf);
            r = captls_bridge_write(&link, h, buf, (size_t)arg * 20, &n);
            if (n > (size_t)arg * 20)
                abort();
            (void)r;
            i++;
            break;
        case 6:
            r = captls_bridge_shutdown(&link, h);
            i++;
            break;
        case 7:
            r = captls_bridge_close(&link, h,
                                    (captls_bridge_close_reason)(arg & 3));
            i++;
            break;
        case 8:
            if (role == CAPTLS_BRIDGE_HOST)
                r = captls_bridge_open(&link, "fuzz:1", &h);
            break;
        case 9:
            if (role == CAPTLS_BRIDGE_GUEST) {
                captls_result res;
                size_t len;
                if (captls_bridge_blob_get_end(&link, &res, &len)) {
                    if (res == CAPTLS_OK && len > blob_cap)
                        abort(); /* answered more than the buffer held */
                } else {
                    r = captls_bridge_blob_get_begin(&link, "cert.web",
                                                     blob_buf,
                                                     (size_t)arg * 8);
                    if (r == CAPTLS_OK)
                        blob_cap = (size_t)arg * 8;
                }
                (void)captls_bridge_blob_take_changed(&link);
            } else {
                memset(buf, arg, 64);
                r = (arg & 3) == 3
                        ? captls_bridge_time(&link, 1796450000 + arg, arg)
                    : arg & 1 ? captls_bridge_blob_changed(&link)
                              : captls_bridge_blob_part(&link, arg >> 1, 0,
                                                        arg, 0, buf, arg & 63);
            }
            i++;
            break;
        default:
            if (role == CAPTLS_BRIDGE_HOST && arg == 0xFF)
                captls_bridge_transport_up(&link, now);
            else
                (void)captls_bridge_ready(&link, h);
            i++;
            break;
        }
        (void)r; /* any result is fine: the invariants are what count */
        check(&link);
        drain(&link);
        check(&mirror);
    }
    return 0;
}
