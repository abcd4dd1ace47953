/* core/bridge/bridge_link.h — TCP streams carried over one byte transport
 * (the guest's COM2 serial line), shared by both ends: the host bridge
 * (build/captls-guest-bridge, role HOST) and the guest's net capability
 * (port/capos/guest_net.c, role GUEST). One parser, one stream table.
 *
 * Wire format: a sequence of IPC frames (core/cap/ipc_frame.h), kind CALL,
 * no caps, request id 0, status 0. Integers in payloads are big-endian.
 *
 *   iface TcpListener (3)
 *     method 1 HELLO   u32 my_epoch, u32 your_epoch (0 = not known yet)
 *     method 2 PING    (empty; keeps the link alive)
 *     method 3 OPEN    u32 stream, peer address (1..CAPTLS_BRIDGE_PEER_MAX
 *                      printable bytes, e.g. "127.0.0.1:40312")
 *   iface ByteStream (4)
 *     method 1 DATA    u32 stream, 1..CAPTLS_BRIDGE_MAX_DATA bytes
 *     method 2 SHUT    u32 stream (sender sends no more data: half-close)
 *     method 3 CLOSE   u32 stream, u32 reason (CAPTLS_BRIDGE_CLOSE_*)
 *     method 4 WINDOW  u32 stream, u32 credit increment (1..WINDOW)
 *   iface AuditLog (5)
 *     method 1 LINE    1..CAPTLS_BRIDGE_MAX_DATA printable bytes, GUEST->HOST
 *   iface WallClock (1)
 *     method 1 TIME    u32 seconds high, u32 seconds low (Unix time),
 *                      u32 nanoseconds (< 10^9), HOST->GUEST: the host's
 *                      wall clock, vouched for by the operator who runs
 *                      the bridge with --host-time
 *   iface BlobStore (6): a read-only view of the host's store directory
 *     method 1 GET     u32 request, key (captls_blob_key_valid), GUEST->HOST
 *     method 2 PART    u32 request, u32 status (CAPTLS_BRIDGE_BLOB_*),
 *                      u32 total, u32 offset, 0..CAPTLS_BRIDGE_BLOB_PART_MAX
 *                      bytes, HOST->GUEST: the answer, in order, offset
 *                      0 first; a status other than OK comes alone, with
 *                      total 0
 *     method 3 CHANGED (empty) HOST->GUEST: the directory changed (also
 *                      sent once when a session begins)
 *
 * Blobs: the GUEST has at most one GET outstanding (port/port.h's blob
 * store is synchronous); a PART for another request, out of order, or
 * beyond its total is dropped and counted (blob_refused), and a session
 * change ends the outstanding GET with CAPTLS_ERR_NOT_CONNECTED. The HOST
 * hears each GET through blob_fn and answers at its own pace with
 * captls_bridge_blob_part (WOULD_BLOCK while the ring is full). The
 * guest never writes: put and remove are not in the protocol.
 *
 * Sessions: each end picks a random nonzero epoch. The HOST end starts by
 * sending CAPTLS_BRIDGE_MAX_FRAME zero bytes then HELLO (repeated every
 * CAPTLS_BRIDGE_HELLO_NS until answered). The zeros complete whatever
 * partial frame a previous session left in the guest's parser; a zero
 * length is never a valid frame start, so the rest of them is skipped.
 * A HELLO whose epoch is new, or which says it does not know our epoch,
 * ends the previous session: every stream is reset (its holder reads
 * CAPTLS_ERR_CONN_RESET) and the receiver answers with its own HELLO. The
 * link is up once the peer's epoch is known; before that only HELLO is
 * accepted. An up link that hears nothing for CAPTLS_BRIDGE_DEAD_NS goes
 * down the same way (each end PINGs after CAPTLS_BRIDGE_PING_NS of silence).
 *
 * Streams: only the HOST end opens (one OPEN per accepted TCP connection;
 * ids are chosen by the opener, nonzero, never reused in a session). Each
 * direction of each stream has a credit window of CAPTLS_BRIDGE_WINDOW
 * bytes: a sender never has more unacknowledged DATA in flight than the
 * receiver's window, and the receiver returns credit (WINDOW) only as its
 * reader consumes bytes. So a slow or vanished reader stops only its own
 * stream, and every DATA frame that arrives fits its stream's buffer.
 *
 * Bad input is refused and counted (captls_bridge_counters), never fatal:
 * bytes that cannot start a frame are skipped one at a time (resync), so
 * is the first byte of an oversized frame (sound header, length above
 * CAPTLS_BRIDGE_MAX_FRAME), a well-framed message with a bad shape is dropped, a
 * frame for an unknown stream is dropped, DATA beyond the window resets
 * that stream only (CLOSE reason PROTOCOL), an OPEN with no listener or no
 * free slot is answered CLOSE reason REFUSED.
 *
 * Memory: the caller owns the captls_bridge_link (about 90 KiB with the
 * defaults; static storage in the guest) and keeps it in place; no
 * allocation. Output frames go into the link's transmit ring; the caller
 * drains it to the transport (captls_bridge_tx_peek / _tx_consume) and
 * feeds received bytes to captls_bridge_feed. Time is passed in (ns,
 * monotonic) so the module stays deterministic. Single-threaded.
 *
 * Resynchronising reads the skipped frame's bytes as candidate frames:
 * they come from the same peer end, which could have sent such frames
 * outright; client bytes travel only inside DATA frames, which an aligned
 * parser never looks into, and at a session start the zero run realigns
 * the guest before the HELLO, while the host accepts nothing but a HELLO
 * until the guest's answer (a misread fake HELLO only starts a session
 * that the real one resets).
 *
 * Not checked here: who is allowed to connect (the host's listener is the
 * authority), and anything about the bytes inside DATA (TLS does that).
 */
#ifndef CAPTLS_BRIDGE_LINK_H
#define CAPTLS_BRIDGE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/ipc_frame.h"

#define CAPTLS_BRIDGE_MAX_STREAMS 16u
#define CAPTLS_BRIDGE_WINDOW 4096u
#define CAPTLS_BRIDGE_MAX_DATA 1024u
#define CAPTLS_BRIDGE_PEER_MAX 63u
/* The largest frame either end sends or accepts: header + id + data. */
#define CAPTLS_BRIDGE_MAX_FRAME (CAPTLS_IPC_HEADER_SIZE + 4u + CAPTLS_BRIDGE_MAX_DATA)
#define CAPTLS_BRIDGE_TX_RING 16384u
#define CAPTLS_BRIDGE_HELLO_NS 500000000ull
#define CAPTLS_BRIDGE_PING_NS 1000000000ull
#define CAPTLS_BRIDGE_DEAD_NS 4000000000ull

enum {
    CAPTLS_BRIDGE_M_HELLO = 1,
    CAPTLS_BRIDGE_M_PING = 2,
    CAPTLS_BRIDGE_M_OPEN = 3,
    CAPTLS_BRIDGE_M_DATA = 1,
    CAPTLS_BRIDGE_M_SHUT = 2,
    CAPTLS_BRIDGE_M_CLOSE = 3,
    CAPTLS_BRIDGE_M_WINDOW = 4,
    CAPTLS_BRIDGE_M_AUDIT_LINE = 1,
    CAPTLS_BRIDGE_M_TIME = 1,
    CAPTLS_BRIDGE_M_BLOB_GET = 1,
    CAPTLS_BRIDGE_M_BLOB_PART = 2,
    CAPTLS_BRIDGE_M_BLOB_CHANGED = 3,
};

/* PART status values. */
enum {
    CAPTLS_BRIDGE_BLOB_OK = 0,
    CAPTLS_BRIDGE_BLOB_NOT_FOUND = 1,
    CAPTLS_BRIDGE_BLOB_IO = 2,
};
#define CAPTLS_BRIDGE_BLOB_PART_MAX (CAPTLS_BRIDGE_MAX_DATA - 12u)
/* The largest blob a PART sequence may announce. */
#define CAPTLS_BRIDGE_BLOB_MAX (1u << 20)

typedef enum captls_bridge_close_reason {
    CAPTLS_BRIDGE_CLOSE_NORMAL = 0,   /* released after an orderly end */
    CAPTLS_BRIDGE_CLOSE_RESET = 1,    /* aborted (peer vanished, error) */
    CAPTLS_BRIDGE_CLOSE_REFUSED = 2,  /* OPEN refused: no listener/slot */
    CAPTLS_BRIDGE_CLOSE_PROTOCOL = 3, /* the other end broke the rules */
} captls_bridge_close_reason;

typedef enum captls_bridge_role {
    CAPTLS_BRIDGE_HOST = 1,
    CAPTLS_BRIDGE_GUEST = 2,
} captls_bridge_role;

/* Every refusal, by cause. Monotonic; never reset by a session change. */
typedef struct captls_bridge_counters {
    uint64_t frames_in, frames_out;
    uint64_t resync_bytes;     /* bytes skipped: could not start a frame */
    uint64_t fill_bytes;       /* zero bytes skipped (session start fill) */
    uint64_t oversized;        /* frames above CAPTLS_BRIDGE_MAX_FRAME */
    uint64_t bad_messages;     /* framed, but unknown method or bad shape */
    uint64_t unknown_stream;   /* stream frames for no live stream */
    uint64_t late_frames;      /* frames for a stream we just closed */
    uint64_t window_violations;/* DATA beyond the granted credit */
    uint64_t opens_refused;    /* OPEN with no listener or no free slot */
    uint64_t before_hello;     /* frames dropped while the link was down */
    uint64_t sessions;         /* sessions begun (HELLOs that reset) */
    uint64_t link_timeouts;    /* links that went silent */
    uint64_t streams_reset;    /* streams ended by a session change */
    uint64_t audit_lines;      /* AUDIT LINE frames received */
    uint64_t blob_gets;        /* GETs received (HOST) or sent (GUEST) */
    uint64_t blob_refused;     /* blob messages dropped (bad, stray) */
    uint64_t times;            /* TIME messages taken (GUEST) */
} captls_bridge_counters;

typedef struct captls_bridge_stream {
    uint32_t id; /* 0: slot free */
    bool held;           /* the local user has the handle */
    bool open_pending;   /* OPEN still to be queued (HOST) */
    bool shut_pending;   /* SHUT still to be queued */
    bool close_pending;  /* CLOSE still to be queued */
    bool tx_shut;        /* no more local writes */
    bool rx_eof;         /* peer sent SHUT */
    bool peer_closed;    /* peer sent CLOSE, or the session ended */
    uint32_t peer_reason;  /* its reason */
    uint32_t close_reason; /* ours, for close_pending */
    uint32_t credit;       /* bytes we may still send */
    uint32_t grant;        /* bytes consumed, credit not yet returned */
    uint32_t rx_head, rx_len;
    uint64_t order;        /* accept order (GUEST) */
    char peer[CAPTLS_BRIDGE_PEER_MAX + 1];
    uint8_t rx[CAPTLS_BRIDGE_WINDOW];
} captls_bridge_stream;

/* Called with each AUDIT LINE the HOST end receives (printable bytes,
 * not NUL-terminated). May be NULL. */
typedef void (*captls_bridge_audit_fn)(void *ctx, const char *line,
                                       size_t len);

/* Called with each GET the HOST end receives: key is NUL-terminated and
 * valid (captls_blob_key_valid). May be NULL (every GET is answered
 * NOT_FOUND then). */
typedef void (*captls_bridge_blob_fn)(void *ctx, uint32_t request,
                                      const char *key);

/* GUEST: the outstanding GET. */
typedef struct captls_bridge_blob_get {
    bool active, done;
    uint32_t request;
    uint8_t *buf;
    size_t cap;
    uint32_t total, got;
    bool have_total;
    captls_result result; /* when done */
} captls_bridge_blob_get;

typedef struct captls_bridge_link {
    captls_bridge_role role;
    uint32_t my_epoch, peer_epoch; /* peer_epoch 0: link down */
    bool listening;                /* GUEST: OPENs are accepted */
    bool hello_due;                /* a HELLO answer is owed */
    uint32_t next_id;              /* HOST: next stream id */
    uint64_t next_order;
    uint64_t now_ns, last_rx_ns, last_tx_ns, last_hello_ns;
    uint32_t closed_ids[CAPTLS_BRIDGE_MAX_STREAMS]; /* last CLOSEs sent */
    uint32_t closed_next;
    size_t rx_len;
    uint8_t rxbuf[CAPTLS_BRIDGE_MAX_FRAME];
    size_t tx_head, tx_len;
    uint8_t tx[CAPTLS_BRIDGE_TX_RING];
    captls_bridge_counters counters;
    captls_bridge_audit_fn audit_fn;
    void *audit_ctx;
    captls_bridge_blob_fn blob_fn;
    void *blob_ctx;
    captls_bridge_blob_get blob;
    uint32_t blob_next_request;
    bool blob_changed;  /* GUEST: a CHANGED not yet taken */
    /* GUEST: the last TIME, and our monotonic time when it came */
    bool have_time;
    int64_t time_s;
    uint32_t time_ns;
    uint64_t time_at_ns;
    captls_bridge_stream streams[CAPTLS_BRIDGE_MAX_STREAMS];
} captls_bridge_link;

/* A stream handle: the slot index, 0..CAPTLS_BRIDGE_MAX_STREAMS-1. */
typedef int32_t captls_bridge_handle;

/* epoch must be nonzero and should be unpredictable (entropy). */
CAPTLS_MUST_CHECK captls_result captls_bridge_init(captls_bridge_link *l,
                                                   captls_bridge_role role,
                                                   uint32_t epoch,
                                                   uint64_t now_ns);

/* HOST: the transport was (re)connected: forget any partial input, queue
 * the zero run and a HELLO, reset every stream of the old session. */
void captls_bridge_transport_up(captls_bridge_link *l, uint64_t now_ns);
/* The transport is gone: reset every stream, link down. */
void captls_bridge_transport_down(captls_bridge_link *l);

bool captls_bridge_is_up(const captls_bridge_link *l);

/* Parses every complete frame in data[0..len) (partial frames are kept
 * for the next call) and queues the answers it owes. Never fails: bad
 * input is counted. */
void captls_bridge_feed(captls_bridge_link *l, const uint8_t *data,
                        size_t len, uint64_t now_ns);

/* Queues what is due (HELLO retries, PINGs, credit returns, SHUT/CLOSE
 * that did not fit before) and ends a silent link. Call after feeding and
 * after local reads, writes and closes. */
void captls_bridge_tick(captls_bridge_link *l, uint64_t now_ns);

/* The transmit ring: *len contiguous bytes at the returned pointer; after
 * writing n of them to the transport, consume n. */
const uint8_t *captls_bridge_tx_peek(const captls_bridge_link *l,
                                     size_t *len);
void captls_bridge_tx_consume(captls_bridge_link *l, size_t n);

/* GUEST: accept OPENs (true) or refuse them (false). */
void captls_bridge_set_listening(captls_bridge_link *l, bool on);
/* GUEST: the oldest stream opened by the host and not yet accepted;
 * CAPTLS_WOULD_BLOCK if none. */
CAPTLS_MUST_CHECK captls_result captls_bridge_accept(captls_bridge_link *l,
                                                     captls_bridge_handle *out);
/* GUEST: how many streams wait to be accepted. */
size_t captls_bridge_pending(const captls_bridge_link *l);
/* HOST: a new stream for a TCP connection from `peer` (printable, at most
 * CAPTLS_BRIDGE_PEER_MAX bytes). CAPTLS_ERR_NOT_CONNECTED if the link is
 * down, CAPTLS_ERR_TABLE_FULL if no slot is free. */
CAPTLS_MUST_CHECK captls_result captls_bridge_open(captls_bridge_link *l,
                                                   const char *peer,
                                                   captls_bridge_handle *out);

/* Reads buffered bytes: CAPTLS_OK with *got >= 1, CAPTLS_WOULD_BLOCK,
 * CAPTLS_EOF after the peer's SHUT (or its normal CLOSE) once the buffer
 * is empty, CAPTLS_ERR_CONN_RESET after a reset or a session change. */
CAPTLS_MUST_CHECK captls_result captls_bridge_read(captls_bridge_link *l,
                                                   captls_bridge_handle h,
                                                   uint8_t *buf, size_t cap,
                                                   size_t *got);
/* Queues up to len bytes as DATA within the stream's credit and the ring's
 * room: *put may be short; CAPTLS_WOULD_BLOCK when nothing fits;
 * CAPTLS_ERR_CONN_RESET / CAPTLS_ERR_NOT_CONNECTED when it cannot carry
 * data any more. */
CAPTLS_MUST_CHECK captls_result captls_bridge_write(captls_bridge_link *l,
                                                    captls_bridge_handle h,
                                                    const uint8_t *buf,
                                                    size_t len, size_t *put);
/* Half-close: no more writes; the peer reads EOF after the data. */
CAPTLS_MUST_CHECK captls_result captls_bridge_shutdown(captls_bridge_link *l,
                                                       captls_bridge_handle h);
/* Releases the handle; the peer is told (CLOSE with `reason`) unless it
 * already closed. The slot is free once that CLOSE is queued. */
CAPTLS_MUST_CHECK captls_result captls_bridge_close(
    captls_bridge_link *l, captls_bridge_handle h,
    captls_bridge_close_reason reason);

/* Readiness: CAPTLS_POLL_READ when read would not block (data, EOF or
 * reset), CAPTLS_POLL_WRITE when write could queue a byte, CAPTLS_POLL_HUP
 * when the peer closed. 0 for an invalid handle. */
unsigned captls_bridge_ready(const captls_bridge_link *l,
                             captls_bridge_handle h);
/* Bytes DATA may carry now on this stream (credit and ring room). */
size_t captls_bridge_writable(const captls_bridge_link *l,
                              captls_bridge_handle h);
/* The peer address given in the OPEN (GUEST) or to captls_bridge_open. */
const char *captls_bridge_peer(const captls_bridge_link *l,
                               captls_bridge_handle h);
/* True when the peer has closed the stream (reason in *reason). */
bool captls_bridge_peer_closed(const captls_bridge_link *l,
                               captls_bridge_handle h, uint32_t *reason);

/* GUEST: queues one audit line (printable bytes; others become '?').
 * CAPTLS_WOULD_BLOCK when the ring has no room, CAPTLS_ERR_NOT_CONNECTED
 * when the link is down. Lines longer than CAPTLS_BRIDGE_MAX_DATA are
 * truncated. */
CAPTLS_MUST_CHECK captls_result captls_bridge_audit(captls_bridge_link *l,
                                                    const char *line,
                                                    size_t len);

/* ---- WallClock ------------------------------------------------------- */

/* HOST: queues a TIME (seconds since 1970 in 2020..2200, ns < 10^9).
 * WOULD_BLOCK, NOT_CONNECTED, INVALID_ARGUMENT as for the others. */
CAPTLS_MUST_CHECK captls_result captls_bridge_time(captls_bridge_link *l,
                                                   int64_t seconds,
                                                   uint32_t nanoseconds);
/* GUEST: the last TIME the host sent (kept across sessions: the
 * monotonic clock carries it on) and the monotonic ns it arrived at;
 * false when none came yet. TIMEs outside 2020..2200 or with ns >= 10^9
 * are refused (bad_messages). */
bool captls_bridge_host_time(const captls_bridge_link *l, int64_t *seconds,
                             uint32_t *nanoseconds, uint64_t *at_ns);

/* ---- BlobStore (see the wire format above) ---------------------------- */

/* GUEST: sends GET key and makes buf[0..cap) the answer's destination.
 * CAPTLS_ERR_NOT_CONNECTED (link down), CAPTLS_WOULD_BLOCK (no room in
 * the ring: try again), CAPTLS_ERR_INVALID_ARGUMENT (a bad key, or a GET
 * already outstanding). */
CAPTLS_MUST_CHECK captls_result captls_bridge_blob_get_begin(
    captls_bridge_link *l, const char *key, uint8_t *buf, size_t cap);
/* GUEST: true once the outstanding GET has ended, with *result OK
 * (*len bytes in buf), CAPTLS_ERR_NOT_FOUND, CAPTLS_ERR_BUFFER_TOO_SMALL
 * (*len = the size needed), CAPTLS_ERR_IO or CAPTLS_ERR_NOT_CONNECTED;
 * the GET is then over. */
bool captls_bridge_blob_get_end(captls_bridge_link *l, captls_result *result,
                                size_t *len);
/* GUEST: gives up the outstanding GET (its late PARTs are dropped). */
void captls_bridge_blob_get_cancel(captls_bridge_link *l);
/* GUEST: whether a CHANGED arrived since the last call (and clears it). */
bool captls_bridge_blob_take_changed(captls_bridge_link *l);

/* HOST: queues one PART of the answer to `request`. WOULD_BLOCK when the
 * ring has no room (nothing queued), NOT_CONNECTED when the link is down,
 * INVALID_ARGUMENT for n > CAPTLS_BRIDGE_BLOB_PART_MAX. */
CAPTLS_MUST_CHECK captls_result captls_bridge_blob_part(
    captls_bridge_link *l, uint32_t request, uint32_t status, uint32_t total,
    uint32_t offset, const uint8_t *data, size_t n);
/* HOST: queues a CHANGED (WOULD_BLOCK, NOT_CONNECTED as above). */
CAPTLS_MUST_CHECK captls_result captls_bridge_blob_changed(
    captls_bridge_link *l);

#endif
