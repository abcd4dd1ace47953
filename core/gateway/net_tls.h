/* core/gateway/net_tls.h — one TLS 1.3 server connection (core/tls) over a
 * port stream (port/port.h captls_net), with record buffers lent from a
 * caller-supplied buffer source.
 *
 * This is the portable form of the POSIX tls_driver: the gateway runs it on
 * the POSIX port, in the simulator and in the QEMU guest alike, because it
 * only talks to the captls_net capability.
 *
 * Contract.
 *  - Memory. A captls_net_tls is caller-owned and holds a borrowed engine
 *    state (caller-owned captls_tls_conn) and the stream handle. Buffers
 *    come from a captls_buf_source (take/give): the engine's RX, TX and HS
 *    buffers are lent only while it needs them, and an idle established
 *    connection holds none (RX is lent when poll reports the stream
 *    readable, TX when there is something to send).
 *  - Driving. captls_net_tls_pump moves bytes until nothing can move: it
 *    lends what the engine asks for, writes its records, reads into RX.
 *    It never blocks (the stream returns WOULD_BLOCK) and never touches
 *    application data. The caller polls with captls_net_tls_poll_want and
 *    reports readiness with captls_net_tls_ready.
 *  - Stream results are sticky: `eof` once read returned CAPTLS_EOF,
 *    `io_error` once a read or write failed. The engine is not told; the
 *    caller decides (an EOF is orderly only after close_notify).
 *  - Release wipes the engine state, gives every buffer back zeroized and
 *    closes the stream, exactly once; it is the only tear-down path.
 *  - Not thread-safe; one event loop owns a connection.
 */
#ifndef CAPTLS_GATEWAY_NET_TLS_H
#define CAPTLS_GATEWAY_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tls/tls.h"
#include "port/port.h"

#define CAPTLS_NET_TLS_KINDS 3u /* RX, TX, HS (index 0, 1, 2) */

/* Where record buffers come from. take returns a buffer of the engine's
 * size for `kind` (CAPTLS_TLS_BUF_RX / _TX / _HS) and its capacity, or
 * NULL when none is left (the connection then waits or fails: counted as
 * no_buffer). give takes back a buffer that holds no secret any more. */
typedef struct captls_buf_source {
    void *ctx;
    uint8_t *(*take)(void *ctx, unsigned kind, size_t *cap);
    void (*give)(void *ctx, unsigned kind, uint8_t *buf);
} captls_buf_source;

typedef struct captls_net_tls {
    captls_tls_conn *conn;     /* borrowed engine state */
    const captls_net *net;
    captls_stream_id s;        /* -1 once released */
    uint8_t *buf[CAPTLS_NET_TLS_KINDS];
    size_t cap[CAPTLS_NET_TLS_KINDS];
    bool readable;             /* poll said so; cleared by WOULD_BLOCK */
    bool eof;                  /* the peer ended its stream */
    bool want_write;           /* the last write was short or blocked */
    bool no_buffer;            /* the buffer source ran dry */
    captls_result io_error;    /* sticky stream error */
    uint64_t bytes_in, bytes_out;
} captls_net_tls;

/* Couples an initialized engine (captls_tls_server_init done) and an open
 * stream; the link owns the stream from now on. */
void captls_net_tls_init(captls_net_tls *l, captls_tls_conn *conn,
                         const captls_net *net, captls_stream_id s);
/* Moves bytes until no progress; true if anything moved. */
bool captls_net_tls_pump(captls_net_tls *l, const captls_buf_source *src);
/* Lends TX if not lent (after the handshake SENDAPP needs it). */
bool captls_net_tls_lend_tx(captls_net_tls *l, const captls_buf_source *src);
/* Gives back buffers the engine holds nothing in. */
void captls_net_tls_reclaim_idle(captls_net_tls *l,
                                 const captls_buf_source *src);
/* CAPTLS_POLL_READ / CAPTLS_POLL_WRITE this link waits for. */
unsigned captls_net_tls_poll_want(const captls_net_tls *l);
/* What poll reported for the stream. */
void captls_net_tls_ready(captls_net_tls *l, unsigned ready);
/* The engine is finished and has nothing left to send (or cannot). */
bool captls_net_tls_done(const captls_net_tls *l);
/* Wipes the engine, returns the buffers, closes the stream. Idempotent. */
void captls_net_tls_release(captls_net_tls *l, const captls_buf_source *src);
/* Why the connection ended badly ("bad_certificate (alert sent)",
 * "connection reset", "handshake timeout", ...) into buf, or NULL if it
 * ended cleanly. */
const char *captls_net_tls_failure_text(const captls_net_tls *l, char *buf,
                                        size_t cap);

#endif
