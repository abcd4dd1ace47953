/* core/telnet/telnet.h — the Telnet IAC state machine (RFC 854, RFC 855)
 * with loop-safe option negotiation (RFC 1143, the Q method).
 *
 * Contract.
 *  - Memory. A captls_telnet is caller-owned, fixed size
 *    (CAPTLS_TELNET_SIZE), holds no pointer and may be copied. Replies go to
 *    a caller-owned captls_telnet_out; the caller guarantees that at least
 *    CAPTLS_TELNET_REPLY_MAX bytes are free before each captls_telnet_input
 *    call and CAPTLS_TELNET_OPEN_MAX before captls_telnet_open (the machine
 *    does not check room beyond an assertion-free clamp: a reply that does
 *    not fit is dropped and counted in stats.out_dropped, never written past
 *    the buffer).
 *  - Driving. Bytes are fed one at a time (any split of the stream is
 *    equivalent: the state is explicit). Each byte yields at most one event:
 *    a data byte for the line discipline, a command (IP, EC, EL, AYT, BRK),
 *    a window size (NAWS, RFC 1073), a terminal type (RFC 1091) or nothing.
 *  - Options. The server side supports ECHO (RFC 857; we may echo, the peer
 *    may not), SUPPRESS-GO-AHEAD (RFC 858; both directions), TERMINAL-TYPE
 *    (RFC 1091; the peer may send) and NAWS (RFC 1073; the peer may send).
 *    Every other option is refused: WILL gets DONT, DO gets WONT, WONT and
 *    DONT are ignored — no state is kept for them, so no peer can make the
 *    machine grow. For the four supported options the Q method of RFC 1143
 *    guarantees that no option loop is possible: the machine never answers a
 *    confirmation with a request, and sends at most one reply per command
 *    received (plus, for TERMINAL-TYPE, one SEND subnegotiation when the
 *    option becomes enabled).
 *  - Subnegotiations. IAC SB <opt> ... IAC SE, with IAC IAC inside meaning
 *    one 0xFF byte. At most CAPTLS_TELNET_SB_MAX bytes are kept; a longer one
 *    is discarded whole when its IAC SE arrives (stats.sb_oversized). IAC SE
 *    outside a subnegotiation is ignored. IAC followed by any command other
 *    than IAC or SE inside a subnegotiation aborts the subnegotiation (it is
 *    discarded, stats.sb_aborted) and the command is then acted on. A
 *    subnegotiation for an option that is not enabled on the peer's side is
 *    ignored (RFC 855: SB only after the option is agreed).
 *  - Not checked here: what the data bytes mean (core/telnet/line.h), flow
 *    control (the caller decides how much to feed), timeouts.
 * Nothing can fail: malformed input is counted and ignored, never fatal.
 */
#ifndef CAPTLS_TELNET_TELNET_H
#define CAPTLS_TELNET_TELNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 854 commands */
#define CAPTLS_TELNET_SE 240u
#define CAPTLS_TELNET_NOP 241u
#define CAPTLS_TELNET_DM 242u
#define CAPTLS_TELNET_BRK 243u
#define CAPTLS_TELNET_IP 244u
#define CAPTLS_TELNET_AO 245u
#define CAPTLS_TELNET_AYT 246u
#define CAPTLS_TELNET_EC 247u
#define CAPTLS_TELNET_EL 248u
#define CAPTLS_TELNET_GA 249u
#define CAPTLS_TELNET_SB 250u
#define CAPTLS_TELNET_WILL 251u
#define CAPTLS_TELNET_WONT 252u
#define CAPTLS_TELNET_DO 253u
#define CAPTLS_TELNET_DONT 254u
#define CAPTLS_TELNET_IAC 255u

/* options */
#define CAPTLS_TELNET_OPT_ECHO 1u    /* RFC 857 */
#define CAPTLS_TELNET_OPT_SGA 3u     /* RFC 858 */
#define CAPTLS_TELNET_OPT_TTYPE 24u  /* RFC 1091 */
#define CAPTLS_TELNET_OPT_NAWS 31u   /* RFC 1073 */

/* RFC 1091: IS 0, SEND 1; a terminal type name is at most 40 characters. */
#define CAPTLS_TELNET_TTYPE_IS 0u
#define CAPTLS_TELNET_TTYPE_SEND 1u
#define CAPTLS_TELNET_TTYPE_MAX 40u

/* Subnegotiation bytes kept (after the option byte): TTYPE IS + 40 + slack. */
#define CAPTLS_TELNET_SB_MAX 64u
/* Worst case bytes one input byte can make the machine write: DO TTYPE
 * (3) + IAC SB TTYPE SEND IAC SE (6). */
#define CAPTLS_TELNET_REPLY_MAX 9u
/* Worst case of captls_telnet_open: four requests of 3 bytes each. */
#define CAPTLS_TELNET_OPEN_MAX 12u

/* RFC 1143 §7 states; the queue bit is separate. */
typedef enum captls_telnet_q {
    CAPTLS_TELNET_Q_NO = 0,
    CAPTLS_TELNET_Q_YES = 1,
    CAPTLS_TELNET_Q_WANTNO = 2,
    CAPTLS_TELNET_Q_WANTYES = 3,
} captls_telnet_q;

/* One supported option: our side (WILL/WONT we send) and his side. */
typedef struct captls_telnet_opt_state {
    uint8_t us, usq;   /* captls_telnet_q, queue: 0 EMPTY, 1 OPPOSITE */
    uint8_t him, himq;
} captls_telnet_opt_state;

/* Index of the four supported options in captls_telnet.opts. */
enum {
    CAPTLS_TELNET_IX_ECHO = 0,
    CAPTLS_TELNET_IX_SGA = 1,
    CAPTLS_TELNET_IX_TTYPE = 2,
    CAPTLS_TELNET_IX_NAWS = 3,
    CAPTLS_TELNET_NOPTS = 4,
};

typedef struct captls_telnet_stats {
    uint32_t refused;        /* WILL/DO for an unsupported option */
    uint32_t sb_oversized;
    uint32_t sb_aborted;
    uint32_t sb_ignored;     /* option not enabled, or malformed body */
    uint32_t stray_se;       /* IAC SE without SB */
    uint32_t q_errors;       /* RFC 1143 "error" transitions (peer bugs) */
    uint32_t out_dropped;    /* replies that did not fit (caller bug) */
} captls_telnet_stats;

typedef struct captls_telnet {
    uint8_t state;   /* parser state (telnet.c) */
    uint8_t cmd;     /* WILL/WONT/DO/DONT awaiting its option byte */
    uint8_t sb_opt;
    bool sb_overflow;
    uint16_t sb_len;
    uint8_t sb[CAPTLS_TELNET_SB_MAX];
    captls_telnet_opt_state opts[CAPTLS_TELNET_NOPTS];
    /* Which supported options a peer may enable (bit = 1 << index): all
     * after init; captls_telnet_open narrows them to what was offered, so
     * a server that does not echo also refuses DO ECHO. */
    uint8_t us_allowed, him_allowed;
    /* what the peer told us */
    uint16_t cols, rows;                       /* 0: unknown */
    char ttype[CAPTLS_TELNET_TTYPE_MAX + 1];   /* "" until TTYPE IS */
    captls_telnet_stats stats;
} captls_telnet;

#define CAPTLS_TELNET_SIZE sizeof(captls_telnet)

/* Where replies go: buf[len..cap) is free. */
typedef struct captls_telnet_out {
    uint8_t *buf;
    size_t cap;
    size_t len;
} captls_telnet_out;

typedef enum captls_telnet_ev_kind {
    CAPTLS_TELNET_EV_NONE = 0,
    CAPTLS_TELNET_EV_DATA = 1,    /* ev.byte is a data byte */
    CAPTLS_TELNET_EV_CMD = 2,     /* ev.byte is IP, EC, EL, AYT or BRK */
    CAPTLS_TELNET_EV_NAWS = 3,    /* t->cols, t->rows changed */
    CAPTLS_TELNET_EV_TTYPE = 4,   /* t->ttype changed */
    CAPTLS_TELNET_EV_ECHO = 5,    /* our ECHO option changed state */
} captls_telnet_ev_kind;

typedef struct captls_telnet_ev {
    captls_telnet_ev_kind kind;
    uint8_t byte;
} captls_telnet_ev;

/* Which options to ask for at open (server side). */
typedef struct captls_telnet_open_options {
    bool will_echo;   /* IAC WILL ECHO: we echo, the client should not */
    bool will_sga;    /* IAC WILL SGA */
    bool do_ttype;    /* IAC DO TTYPE, then SEND once enabled */
    bool do_naws;     /* IAC DO NAWS */
} captls_telnet_open_options;

void captls_telnet_init(captls_telnet *t);
/* Queues the server's opening requests (RFC 1143 "we want to enable") and
 * narrows the policy: an option not requested here is refused when the
 * peer asks for it (ECHO, TTYPE, NAWS; SGA on the peer's side stays
 * allowed — it only removes GA bytes). */
void captls_telnet_open(captls_telnet *t, const captls_telnet_open_options *o,
                        captls_telnet_out *out);
/* Feeds one byte from the network; *ev says what it meant. */
void captls_telnet_input(captls_telnet *t, uint8_t b, captls_telnet_out *out,
                         captls_telnet_ev *ev);
/* RFC 1143 requests from our side: enable or disable an option on our side
 * (us: WILL/WONT) or on the peer's (him: DO/DONT). Only the four supported
 * options; false (nothing sent) for any other or when the request is an
 * error in RFC 1143's terms (already in that state). */
bool captls_telnet_request(captls_telnet *t, uint8_t opt, bool our_side,
                           bool enable, captls_telnet_out *out);
/* True when the option is enabled (state YES) on that side. */
bool captls_telnet_enabled(const captls_telnet *t, uint8_t opt, bool our_side);

#endif
