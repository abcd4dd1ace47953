/* core/telnet/line.h — the server's line discipline for a Telnet NVT.
 *
 * Contract.
 *  - Memory. A captls_line is caller-owned, fixed size (CAPTLS_LINE_SIZE),
 *    holds no pointer. The line being typed lives inside it; it is wiped
 *    (captls_zeroize) when a completed line is released, when it is
 *    discarded (Ctrl-C, Ctrl-U, EOF) and by captls_line_wipe — a password
 *    typed in hidden mode stays in memory only until the reader takes it.
 *  - Input is data bytes after the IAC layer (core/telnet/telnet.h). Echo
 *    bytes go to a caller-owned captls_telnet_out with at least
 *    CAPTLS_LINE_ECHO_MAX bytes free per input byte (the caller checks).
 *  - Rules (one place; the plaintext and the TLS path share them):
 *      CR LF, CR NUL, a bare CR and a bare LF each end a line. RFC 854
 *        defines CR LF (end of line) and CR NUL (carriage return); a
 *        terminal server treats both as Enter. The byte after a CR that is
 *        LF or NUL is swallowed even when it arrives later (in another
 *        segment, after the reader changed the echo mode): the CR state
 *        survives the end of the line, so "alice\r" + "\0secret\r\n" never
 *        makes an empty password line.
 *      BS (0x08) and DEL (0x7F) erase one byte: echo "\b \b" when echoing
 *        and the line was not empty; nothing in hidden mode.
 *      Ctrl-U (0x15) and IAC EL erase the line: echo "^U\r\n".
 *      Ctrl-C (0x03), IAC IP and IAC BRK: discard the line, echo "^C\r\n",
 *        event INTERRUPT.
 *      Ctrl-D (0x04) on an empty line: event EOF; elsewhere ignored.
 *      TAB and bytes 0x20..0x7E and 0x80..0xFF are line bytes; every other
 *        control byte (ESC, BEL, ...) is dropped and not echoed, so a line
 *        never carries a terminal escape sequence to the shell.
 *      A line holds at most max_line bytes; further bytes are dropped with
 *        one BEL (0x07) echoed per dropped byte while echoing.
 *      Echo: when `echo` is passed true (our side of ECHO is enabled), a
 *        line byte is echoed as itself (0xFF as IAC IAC) and Enter as
 *        "\r\n"; in hidden mode nothing of the line is echoed, Enter still
 *        echoes "\r\n" (so the cursor moves on, as classic telnetd does).
 *  - A completed line, interrupt or EOF is an event; the caller must take it
 *    (captls_line_release) before feeding more bytes.
 * Nothing can fail; invalid bytes are dropped as described.
 */
#ifndef CAPTLS_TELNET_LINE_H
#define CAPTLS_TELNET_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/telnet/telnet.h"

/* Upper bound for max_line (the buffer inside captls_line). */
#define CAPTLS_LINE_MAX 1024u
#define CAPTLS_LINE_DEFAULT 512u
/* Worst case echo bytes for one input byte ("^U\r\n", "\b \b", IAC IAC). */
#define CAPTLS_LINE_ECHO_MAX 4u

typedef enum captls_line_ev {
    CAPTLS_LINE_EV_NONE = 0,
    CAPTLS_LINE_EV_LINE = 1,       /* captls_line_text() holds it */
    CAPTLS_LINE_EV_INTERRUPT = 2,
    CAPTLS_LINE_EV_EOF = 3,
} captls_line_ev;

typedef struct captls_line {
    uint16_t max;       /* 1..CAPTLS_LINE_MAX */
    uint16_t len;
    bool hidden;
    bool cr_pending;    /* last byte was CR: swallow one LF or NUL */
    bool ready;         /* a completed line waits for release */
    uint32_t dropped;   /* bytes dropped by the length limit (stats) */
    uint8_t buf[CAPTLS_LINE_MAX];
} captls_line;

#define CAPTLS_LINE_SIZE sizeof(captls_line)

/* max_line 0 means CAPTLS_LINE_DEFAULT; larger than CAPTLS_LINE_MAX is
 * clamped to it. */
void captls_line_init(captls_line *l, uint16_t max_line);
void captls_line_set_hidden(captls_line *l, bool hidden);
/* One data byte; echo = whether we echo (ECHO enabled on our side). */
captls_line_ev captls_line_input(captls_line *l, uint8_t b, bool echo,
                                 captls_telnet_out *out);
/* A Telnet command from the IAC layer (IP, BRK, EC, EL; others: NONE). */
captls_line_ev captls_line_command(captls_line *l, uint8_t cmd, bool echo,
                                   captls_telnet_out *out);
/* The completed line (valid until captls_line_release). */
const uint8_t *captls_line_text(const captls_line *l, size_t *len);
/* Wipes the completed line and starts a new one. */
void captls_line_release(captls_line *l);
void captls_line_wipe(captls_line *l);

#endif
