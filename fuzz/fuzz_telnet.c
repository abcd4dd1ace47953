/* fuzz/fuzz_telnet.c — the Telnet IAC machine and the line discipline
 * behind the TerminalSession engine (core/telnet/terminal.h).
 *
 * Input: byte 0 = TerminalLineOptions bits (echo, SGA, NAWS, TTYPE, start
 * hidden), byte 1 = max_line; then operations: network bytes in chunks,
 * shell output, echo mode changes, partial output drains, peer EOF, shell
 * close. Invariants checked after every step:
 *  - the output buffer never exceeds CAPTLS_TERM_OUT_SIZE;
 *  - a LINE holds at most max_line bytes and no CR, LF, NUL, DEL or C0
 *    control other than TAB;
 *  - while hidden, what input makes the engine send contains no typed
 *    byte: outside Telnet commands only "\r\n", "^C", "^U", BEL and the
 *    AYT answer "[YES]" appear;
 *  - loop safety: the negotiation commands (WILL/WONT/DO/DONT) the engine
 *    sends never outnumber those received plus its four opening requests
 *    (a reference IAC parser in this file counts the received ones);
 *  - nothing follows CLOSE; write after close is refused.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/telnet/terminal.h"

#define CHECK(x)                                                               \
    do {                                                                       \
        if (!(x))                                                              \
            abort();                                                           \
    } while (0)

/* Reference parser: counts WILL/WONT/DO/DONT commands in a byte stream. */
typedef struct ref_iac {
    int st; /* 0 data, 1 IAC, 2 option byte, 3 SB option, 4 SB, 5 SB IAC */
    unsigned long neg;
} ref_iac;

static void ref_byte(ref_iac *r, uint8_t b)
{
    switch (r->st) {
    case 0: r->st = (b == 255) ? 1 : 0; break;
    case 1:
        if (b >= 251 && b <= 254) { r->st = 2; r->neg++; }
        else if (b == 250) r->st = 3;
        else r->st = 0;
        break;
    case 2: r->st = 0; break;
    case 3: r->st = 4; break;
    case 4: if (b == 255) r->st = 5; break;
    case 5:
        if (b == 255) r->st = 4;
        else if (b == 240) r->st = 0;
        else { r->st = 1; ref_byte(r, b); }
        break;
    default: r->st = 0; break;
    }
}

/* Checks output bytes sent while hidden; counts our negotiation commands.
 * The engine's own output always starts and ends on command boundaries
 * within one call (replies are written whole). */
static void check_out(const uint8_t *p, size_t n, bool hidden, unsigned long *neg)
{
    static const char allowed[] = "\r\n^CU\a[YES]";
    size_t i = 0;
    while (i < n) {
        if (p[i] == 255) {
            CHECK(i + 1 < n);
            if (p[i + 1] >= 251 && p[i + 1] <= 254) {
                CHECK(i + 2 < n);
                (*neg)++;
                i += 3;
            } else if (p[i + 1] == 250) {
                i += 2;
                while (i + 1 < n && !(p[i] == 255 && p[i + 1] == 240))
                    i++;
                CHECK(i + 1 < n);
                i += 2;
            } else {
                CHECK(!hidden); /* IAC IAC echo of a typed 255 */
                i += 2;
            }
            continue;
        }
        if (hidden)
            CHECK(memchr(allowed, p[i], sizeof allowed - 1) != NULL);
        i++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_term t;
    captls_term_line_options o;
    ref_iac ref = {0, 0};
    unsigned long sent_neg = 0;
    bool hidden, closed = false;
    size_t pos = 2, shell_pending = 0;
    uint16_t max;

    if (size < 2)
        return 0;
    memset(&o, 0, sizeof o);
    o.server_echo = data[0] & 1;
    o.suppress_go_ahead = (data[0] >> 1) & 1;
    o.request_naws = (data[0] >> 2) & 1;
    o.request_ttype = (data[0] >> 3) & 1;
    o.start_hidden = (data[0] >> 4) & 1;
    o.max_line = (uint16_t)(data[1] * 5);
    max = o.max_line == 0 ? CAPTLS_LINE_DEFAULT : o.max_line;
    if (max > CAPTLS_LINE_MAX)
        max = CAPTLS_LINE_MAX;
    hidden = o.start_hidden;
    CHECK(captls_term_init(&t, &o) == CAPTLS_OK);
    {
        size_t n;
        const uint8_t *p = captls_term_net_output(&t, &n);
        CHECK(n <= CAPTLS_TELNET_OPEN_MAX);
        check_out(p, n, false, &sent_neg);
        captls_term_net_output_ack(&t, n);
    }

    while (pos < size) {
        uint8_t op = data[pos++];
        size_t len = (size_t)(op >> 3) + 1;
        if (len > size - pos)
            len = size - pos;
        switch (op & 7) {
        case 0: case 1: case 2: case 3: { /* network bytes */
            size_t before = t.out_len, c = 0;
            CHECK(captls_term_net_input(&t, data + pos, len, &c) == CAPTLS_OK);
            CHECK(c <= len);
            for (size_t i = 0; i < c; i++)
                ref_byte(&ref, data[pos + i]);
            CHECK(t.out_len >= before);
            check_out(t.out + t.out_off + before, t.out_len - before, hidden, &sent_neg);
            pos += len;
            break;
        }
        case 4: { /* shell output */
            size_t c = 0;
            captls_result r = captls_term_write(&t, data + pos, len, &c);
            CHECK(r == CAPTLS_OK || r == CAPTLS_EOF);
            CHECK(c <= len);
            if (r == CAPTLS_EOF)
                CHECK(c == 0 && (t.local_close || closed));
            shell_pending += c;
            /* shell output may carry IAC IAC; the negotiation count is
             * only checked on what input produces, so drain it here */
            captls_term_net_output_ack(&t, t.out_len);
            pos += len;
            break;
        }
        case 5:
            hidden = !hidden;
            captls_term_set_echo(&t, hidden ? CAPTLS_TERM_ECHO_HIDDEN : CAPTLS_TERM_ECHO_NORMAL);
            break;
        case 6: /* the peer reads some output */
            captls_term_net_output_ack(&t, (size_t)(op >> 3) * 16);
            break;
        case 7:
            if (op & 8)
                captls_term_net_eof(&t, CAPTLS_TERM_CLOSE_ORDERLY);
            else if (op & 16)
                captls_term_close(&t);
            else
                captls_term_net_output_ack(&t, t.out_len);
            break;
        }
        CHECK(t.out_off + t.out_len <= CAPTLS_TERM_OUT_SIZE);
        /* the shell takes every event */
        for (int k = 0; k < 4; k++) {
            captls_term_event ev;
            captls_result r = captls_term_next_event(&t, &ev);
            if (r == CAPTLS_WOULD_BLOCK)
                break;
            if (closed) {
                CHECK(r == CAPTLS_EOF);
                break;
            }
            CHECK(r == CAPTLS_OK);
            if (ev.kind == CAPTLS_TERM_EV_LINE) {
                CHECK(ev.len <= max);
                for (size_t i = 0; i < ev.len; i++) {
                    uint8_t b = ev.line[i];
                    CHECK(b == '\t' || (b >= 0x20 && b != 0x7F));
                }
            } else if (ev.kind == CAPTLS_TERM_EV_RESIZE) {
                CHECK(ev.cols == t.tn.cols && ev.rows == t.tn.rows);
            } else if (ev.kind == CAPTLS_TERM_EV_CLOSE) {
                closed = true;
            }
        }
    }
    /* loop safety */
    CHECK(sent_neg <= ref.neg + 4);
    {
        captls_term_info info;
        captls_term_info_get(&t, &info);
        CHECK(strlen(info.ttype) <= CAPTLS_TELNET_TTYPE_MAX);
        CHECK(info.telnet.out_dropped == 0);
    }
    (void)shell_pending;
    captls_term_wipe(&t);
    return 0;
}
