/* core/telnet/line.c — line discipline. See line.h for the rules. */
#include "core/telnet/line.h"

#include <string.h>

#include "core/base/ct.h"

void captls_line_init(captls_line *l, uint16_t max_line)
{
    memset(l, 0, sizeof *l);
    if (max_line == 0)
        max_line = CAPTLS_LINE_DEFAULT;
    if (max_line > CAPTLS_LINE_MAX)
        max_line = CAPTLS_LINE_MAX;
    l->max = max_line;
}

void captls_line_set_hidden(captls_line *l, bool hidden)
{
    l->hidden = hidden;
}

static void put(captls_telnet_out *out, const char *s, size_t n)
{
    if (out == NULL || out->buf == NULL || out->len > out->cap ||
        out->cap - out->len < n)
        return; /* the caller reserves CAPTLS_LINE_ECHO_MAX: unreachable */
    memcpy(out->buf + out->len, s, n);
    out->len += n;
}

static void discard(captls_line *l)
{
    captls_zeroize(l->buf, l->len);
    l->len = 0;
}

captls_line_ev captls_line_command(captls_line *l, uint8_t cmd, bool echo,
                                   captls_telnet_out *out)
{
    if (l->ready)
        return CAPTLS_LINE_EV_NONE; /* caller bug: release first */
    switch (cmd) {
    case CAPTLS_TELNET_IP:
    case CAPTLS_TELNET_BRK:
        discard(l);
        if (echo)
            put(out, "^C\r\n", 4);
        return CAPTLS_LINE_EV_INTERRUPT;
    case CAPTLS_TELNET_EL:
        discard(l);
        if (echo)
            put(out, "^U\r\n", 4);
        return CAPTLS_LINE_EV_NONE;
    case CAPTLS_TELNET_EC:
        if (l->len > 0) {
            l->len--;
            l->buf[l->len] = 0;
            if (echo && !l->hidden)
                put(out, "\b \b", 3);
        }
        return CAPTLS_LINE_EV_NONE;
    default:
        return CAPTLS_LINE_EV_NONE;
    }
}

captls_line_ev captls_line_input(captls_line *l, uint8_t b, bool echo,
                                 captls_telnet_out *out)
{
    if (l->ready)
        return CAPTLS_LINE_EV_NONE; /* caller bug: release first */
    if (l->cr_pending) {
        l->cr_pending = false;
        /* RFC 854: CR LF is end of line, CR NUL a bare carriage return;
         * the second byte belongs to the Enter already acted on. */
        if (b == '\n' || b == '\0')
            return CAPTLS_LINE_EV_NONE;
    }
    switch (b) {
    case '\r':
    case '\n':
        l->cr_pending = (b == '\r');
        l->ready = true;
        if (echo)
            put(out, "\r\n", 2);
        return CAPTLS_LINE_EV_LINE;
    case 0x08: /* BS */
    case 0x7F: /* DEL */
        return captls_line_command(l, CAPTLS_TELNET_EC, echo, out);
    case 0x15: /* Ctrl-U */
        return captls_line_command(l, CAPTLS_TELNET_EL, echo, out);
    case 0x03: /* Ctrl-C */
        return captls_line_command(l, CAPTLS_TELNET_IP, echo, out);
    case 0x04: /* Ctrl-D */
        if (l->len == 0)
            return CAPTLS_LINE_EV_EOF;
        return CAPTLS_LINE_EV_NONE;
    default:
        break;
    }
    if (b < 0x20 && b != '\t')
        return CAPTLS_LINE_EV_NONE; /* other controls: dropped */
    if (l->len >= l->max) {
        l->dropped++;
        if (echo)
            put(out, "\a", 1);
        return CAPTLS_LINE_EV_NONE;
    }
    l->buf[l->len++] = b;
    if (echo && !l->hidden) {
        if (b == 0xFF)
            put(out, "\xff\xff", 2); /* RFC 854: data 255 is sent doubled */
        else
            put(out, (const char *)&b, 1);
    }
    return CAPTLS_LINE_EV_NONE;
}

const uint8_t *captls_line_text(const captls_line *l, size_t *len)
{
    *len = l->ready ? l->len : 0;
    return l->buf;
}

void captls_line_release(captls_line *l)
{
    discard(l);
    l->ready = false;
}

void captls_line_wipe(captls_line *l)
{
    captls_zeroize(l->buf, sizeof l->buf);
    l->len = 0;
    l->ready = false;
}
