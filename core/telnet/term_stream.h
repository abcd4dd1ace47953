/* core/telnet/term_stream.h — TerminalSessionFromByteStream (seed 004):
 * turns a cleartext ByteStreamPair into a TerminalSession.
 *
 * Seed 004 sketches
 *     interface ByteStreamPair { inbound () -> (rx); outbound () -> (tx);
 *                                closeHint () -> (hint); }
 *     interface TerminalSessionFromByteStream {
 *         wrap (pair, options :TerminalLineOptions) -> (term); }
 * In C the pair is one object with a method table: non-blocking read on
 * the inbound half, non-blocking write and close on the outbound half, and
 * the close hint. A plain memory or TCP pair and a TLS-backed pair (the
 * application data of a captls_tls_conn) look the same to the factory, so
 * the plaintext and TLS paths run the same code and produce the same bytes.
 *
 * Contract.
 *  - Ownership. The factory owns the IAC machine and the line discipline
 *    (core/telnet/terminal.h) for the pair's whole life: the transport
 *    (gateway, TLS) parses no Telnet and the shell sees only
 *    TerminalSession events. captls_term_stream is caller-owned, fixed size
 *    (CAPTLS_TERM_STREAM_SIZE: 3,840 bytes on x86_64, the engine plus a
 *    512-byte read buffer; that is the whole per-connection cost of the
 *    terminal above the transport); it keeps the pair (a borrowed object that
 *    must outlive it) and nothing else of the caller's.
 *  - Driving. Every TerminalSession method first pumps the pair (reads
 *    what is readable into the engine, writes what the engine has ready),
 *    so a shell that only calls next_event/write makes progress; the driver
 *    also calls captls_term_stream_pump when the transport becomes readable
 *    or writable. Nothing blocks: the pair's WOULD_BLOCK stops a pump.
 *  - Close. End of the inbound half (read -> CAPTLS_EOF), a read or write
 *    error, or a pair that reports a close hint become one CLOSE event for
 *    the shell (after the input read before it), never a transport error.
 *    When the shell closes, the output already written is flushed and then
 *    the outbound half is closed exactly once (pair close method).
 *  - Errors: wrap returns INVALID_ARGUMENT for a NULL pair method or
 *    argument. Transport errors are kept (captls_term_stream_error) and
 *    shown to the shell as CLOSE with hint ERROR or RESET.
 */
#ifndef CAPTLS_TELNET_TERM_STREAM_H
#define CAPTLS_TELNET_TERM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/telnet/terminal.h"

typedef struct captls_byte_stream_pair_vtable {
    /* Inbound: up to cap bytes into buf. CAPTLS_OK with *n > 0,
     * CAPTLS_WOULD_BLOCK (nothing now), CAPTLS_EOF (peer closed), or an
     * error (CAPTLS_ERR_CONN_RESET: a reset or truncated stream). */
    captls_result (*read)(void *ctx, uint8_t *buf, size_t cap, size_t *n);
    /* Outbound: up to len bytes; CAPTLS_OK with *n (maybe < len, maybe 0),
     * CAPTLS_WOULD_BLOCK, or an error. */
    captls_result (*write)(void *ctx, const uint8_t *buf, size_t len,
                           size_t *n);
    /* Closes the outbound half after everything written (TLS: close_notify,
     * TCP: FIN). */
    void (*close)(void *ctx);
    /* Why the inbound half ended (NONE while it is open). */
    captls_term_close_hint (*close_hint)(void *ctx);
} captls_byte_stream_pair_vtable;

typedef struct captls_byte_stream_pair {
    void *ctx;
    const captls_byte_stream_pair_vtable *vt;
} captls_byte_stream_pair;

#define CAPTLS_TERM_STREAM_RX 512u

typedef struct captls_term_stream {
    captls_term term;
    captls_byte_stream_pair pair;
    uint8_t rx[CAPTLS_TERM_STREAM_RX]; /* read from the pair, not yet fed */
    size_t rx_off, rx_len;
    bool in_eof;        /* the pair's inbound half ended */
    bool out_closed;    /* we closed the outbound half */
    captls_result error;
} captls_term_stream;

#define CAPTLS_TERM_STREAM_SIZE sizeof(captls_term_stream)

/* TerminalSessionFromByteStream.wrap: *term is the TerminalSession whose
 * methods act on s. */
CAPTLS_MUST_CHECK captls_result captls_term_from_byte_stream_wrap(
    captls_term_stream *s, captls_byte_stream_pair pair,
    const captls_term_line_options *options, captls_term_session *term);

/* Moves bytes both ways until the pair would block or nothing is left.
 * Returns CAPTLS_OK, or CAPTLS_EOF once the session is over (CLOSE
 * delivered or the outbound half closed). */
CAPTLS_MUST_CHECK captls_result captls_term_stream_pump(captls_term_stream *s);
/* The first transport error (CAPTLS_OK if none). */
captls_result captls_term_stream_error(const captls_term_stream *s);
/* Zeroizes the state (rx may hold typed passwords). */
void captls_term_stream_wipe(captls_term_stream *s);

#endif
