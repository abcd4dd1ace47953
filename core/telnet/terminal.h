/* core/telnet/terminal.h — the TerminalSession engine: the Telnet IAC
 * machine (telnet.h) and the line discipline (line.h) behind one sans-I/O
 * object, and the TerminalSession interface a shell sees (seed 004).
 *
 * Contract.
 *  - Memory. captls_term is caller-owned and fixed size (CAPTLS_TERM_SIZE:
 *    3,288 bytes on x86_64 = the CAPTLS_TERM_OUT_SIZE output buffer, the
 *    CAPTLS_LINE_MAX line buffer and about 250 bytes of state); it holds
 *    no pointer to caller memory. Bytes for the network wait in its own output buffer
 *    (CAPTLS_TERM_OUT_SIZE) until the driver takes them
 *    (captls_term_net_output / _ack). captls_term_wipe zeroizes it all.
 *  - Flow control, never growth. captls_term_net_input consumes input only
 *    while (a) no event is waiting for the shell and (b) the output buffer
 *    has room for the worst-case reply to one more byte
 *    (CAPTLS_TERM_INPUT_RESERVE). A peer that floods negotiations without
 *    reading our replies therefore stops being read (TCP or TLS back-
 *    pressure does the rest); nothing queues without bound.
 *    captls_term_write consumes shell output only while its translated form
 *    fits.
 *  - Type-ahead: after handing out an input event the engine reads no
 *    further input until the shell asks for the next event, so a mode
 *    change made in between (set_echo HIDDEN after "login:") applies to
 *    bytes the client already sent.
 *  - Events (TerminalSession): OPEN once first; then LINE (text valid until
 *    the next call on the engine, then wiped), INTERRUPT (Ctrl-C, IAC IP,
 *    IAC BRK), EOF (Ctrl-D on an empty line), RESIZE (NAWS: cols/rows);
 *    CLOSE last, after the peer closed (captls_term_net_eof) and every
 *    earlier input was delivered, or after captls_term_close. After CLOSE
 *    nothing else comes.
 *  - Output translation (the "staircase" rule): "\n" not preceded by "\r"
 *    goes out as "\r\n"; a "\r" not followed by "\n" goes out as "\r\0"
 *    (RFC 854: CR must be followed by LF or NUL); 0xFF goes out as IAC IAC.
 *  - Echo: the line discipline echoes only while our ECHO option is enabled
 *    (the client agreed with DO ECHO); otherwise the client echoes locally
 *    and hidden mode cannot hide what the client shows —
 *    captls_term_info's echo_negotiated tells the shell.
 *  - Errors: INVALID_ARGUMENT for NULL pointers; CAPTLS_EOF from write after
 *    close; WOULD_BLOCK from next_event when nothing is ready.
 *  - Not thread-safe; one engine belongs to one event loop.
 */
#ifndef CAPTLS_TELNET_TERMINAL_H
#define CAPTLS_TELNET_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/telnet/line.h"
#include "core/telnet/telnet.h"

#define CAPTLS_TERM_OUT_SIZE 2048u
/* Room needed before one more input byte is consumed: a negotiation reply
 * or an echo, or the AYT answer (captls_term.c: "\r\n[YES]\r\n"). */
#define CAPTLS_TERM_AYT_REPLY "\r\n[YES]\r\n"
#define CAPTLS_TERM_INPUT_RESERVE 16u

/* TerminalLineOptions (seed 004). */
typedef struct captls_term_line_options {
    uint16_t max_line;     /* 0: CAPTLS_LINE_DEFAULT; clamped to LINE_MAX */
    bool server_echo;      /* offer WILL ECHO (classic telnetd: yes) */
    bool suppress_go_ahead;/* offer WILL SGA */
    bool request_naws;     /* DO NAWS: window size events */
    bool request_ttype;    /* DO TERMINAL-TYPE */
    bool start_hidden;     /* echo hidden from the first byte */
} captls_term_line_options;

/* server_echo, SGA, NAWS, TTYPE on; max_line default; not hidden. */
void captls_term_line_options_default(captls_term_line_options *o);

typedef enum captls_term_echo {
    CAPTLS_TERM_ECHO_NORMAL = 0,
    CAPTLS_TERM_ECHO_HIDDEN = 1, /* LineEcho::Hidden: password entry */
} captls_term_echo;

typedef enum captls_term_ev_kind {
    CAPTLS_TERM_EV_OPEN = 1,
    CAPTLS_TERM_EV_LINE = 2,
    CAPTLS_TERM_EV_INTERRUPT = 3,
    CAPTLS_TERM_EV_EOF = 4,
    CAPTLS_TERM_EV_RESIZE = 5,
    CAPTLS_TERM_EV_CLOSE = 6,
} captls_term_ev_kind;

/* Why a session closed (the pair's CloseHint, or the shell). */
typedef enum captls_term_close_hint {
    CAPTLS_TERM_CLOSE_NONE = 0,
    CAPTLS_TERM_CLOSE_ORDERLY = 1,  /* peer FIN / TLS close_notify */
    CAPTLS_TERM_CLOSE_RESET = 2,    /* reset, truncated TLS stream */
    CAPTLS_TERM_CLOSE_ERROR = 3,    /* transport or factory error */
    CAPTLS_TERM_CLOSE_LOCAL = 4,    /* the shell closed the session */
} captls_term_close_hint;

typedef struct captls_term_event {
    captls_term_ev_kind kind;
    const uint8_t *line;   /* LINE: the text (no CR/LF), len bytes */
    size_t len;
    uint16_t cols, rows;   /* RESIZE (and OPEN: 0 = unknown yet) */
    captls_term_close_hint hint; /* CLOSE */
} captls_term_event;

typedef struct captls_term_info {
    uint16_t cols, rows;
    char ttype[CAPTLS_TELNET_TTYPE_MAX + 1];
    bool echo_negotiated;   /* our ECHO is on: hidden mode really hides */
    bool hidden;
    bool closed;
    captls_telnet_stats telnet;
    uint32_t line_dropped;
} captls_term_info;

typedef struct captls_term {
    captls_telnet tn;
    captls_line ln;
    captls_term_line_options opt;
    uint8_t pending;       /* captls_term_ev_kind waiting, 0 none */
    bool open_sent, line_out; /* line_out: a LINE was handed out */
    bool ev_out;           /* an input event is with the shell: input waits */
    bool peer_eof, local_close, close_sent;
    bool out_cr;           /* shell output: last byte was a bare CR */
    captls_term_close_hint hint;
    size_t out_off, out_len;
    uint8_t out[CAPTLS_TERM_OUT_SIZE];
} captls_term;

#define CAPTLS_TERM_SIZE sizeof(captls_term)

/* Starts the engine: queues the opening negotiation and the OPEN event. */
CAPTLS_MUST_CHECK captls_result captls_term_init(
    captls_term *t, const captls_term_line_options *opt);
void captls_term_wipe(captls_term *t);

/* ---- network side ------------------------------------------------------ */
/* Consumes up to len bytes (*consumed says how many; fewer when an event
 * waits or output is full). */
CAPTLS_MUST_CHECK captls_result captls_term_net_input(captls_term *t,
                                                      const uint8_t *data,
                                                      size_t len,
                                                      size_t *consumed);
/* The peer closed its direction (hint: why). */
void captls_term_net_eof(captls_term *t, captls_term_close_hint hint);
/* Bytes for the peer (NULL, *len 0 when none); ack what was sent. */
const uint8_t *captls_term_net_output(const captls_term *t, size_t *len);
void captls_term_net_output_ack(captls_term *t, size_t n);
/* True when the shell closed and all output has been taken: the driver
 * may close its outbound stream. */
bool captls_term_net_done(const captls_term *t);

/* ---- shell side (the TerminalSession methods) ------------------------- */
CAPTLS_MUST_CHECK captls_result captls_term_next_event(captls_term *t,
                                                       captls_term_event *ev);
/* The shell is done with the last event (next_event does this first):
 * a LINE's text is wiped and input flows again. */
void captls_term_event_done(captls_term *t);
CAPTLS_MUST_CHECK captls_result captls_term_write(captls_term *t,
                                                  const uint8_t *data,
                                                  size_t len,
                                                  size_t *consumed);
void captls_term_set_echo(captls_term *t, captls_term_echo mode);
/* The shell ends the session: pending input is dropped, output already
 * written still goes out, then CLOSE (hint LOCAL). */
void captls_term_close(captls_term *t);
void captls_term_info_get(const captls_term *t, captls_term_info *out);

/* ---- TerminalSession: the interface the shell holds -------------------- */
typedef struct captls_term_session_vtable {
    captls_result (*next_event)(void *self, captls_term_event *ev);
    captls_result (*write)(void *self, const uint8_t *data, size_t len,
                           size_t *consumed);
    void (*set_echo)(void *self, captls_term_echo mode);
    void (*close)(void *self);
    void (*info)(void *self, captls_term_info *out);
} captls_term_session_vtable;

typedef struct captls_term_session {
    void *self;
    const captls_term_session_vtable *vt;
} captls_term_session;

#endif
