/* core/telnet/terminal.c — TerminalSession engine. See terminal.h. */
#include "core/telnet/terminal.h"

#include <string.h>

#include "core/base/ct.h"

_Static_assert(CAPTLS_TERM_INPUT_RESERVE >= CAPTLS_TELNET_REPLY_MAX &&
                   CAPTLS_TERM_INPUT_RESERVE >= CAPTLS_LINE_ECHO_MAX &&
                   CAPTLS_TERM_INPUT_RESERVE >= sizeof(CAPTLS_TERM_AYT_REPLY) - 1,
               "input reserve must cover one byte's worst-case reply");
_Static_assert(CAPTLS_TERM_OUT_SIZE >= CAPTLS_TELNET_OPEN_MAX + CAPTLS_TERM_INPUT_RESERVE,
               "output buffer too small");

void captls_term_line_options_default(captls_term_line_options *o)
{
    memset(o, 0, sizeof *o);
    o->server_echo = true;
    o->suppress_go_ahead = true;
    o->request_naws = true;
    o->request_ttype = true;
}

/* Moves waiting output to the front so the room left is in one piece. */
static void compact(captls_term *t)
{
    if (t->out_off == 0)
        return;
    memmove(t->out, t->out + t->out_off, t->out_len);
    t->out_off = 0;
}

static size_t out_free(const captls_term *t)
{
    return CAPTLS_TERM_OUT_SIZE - t->out_off - t->out_len;
}

static captls_telnet_out out_view(captls_term *t)
{
    captls_telnet_out o;
    o.buf = t->out + t->out_off;
    o.cap = CAPTLS_TERM_OUT_SIZE - t->out_off;
    o.len = t->out_len;
    return o;
}

captls_result captls_term_init(captls_term *t,
                               const captls_term_line_options *opt)
{
    captls_telnet_open_options oo;
    captls_telnet_out o;

    if (t == NULL || opt == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(t, 0, sizeof *t);
    t->opt = *opt;
    captls_telnet_init(&t->tn);
    captls_line_init(&t->ln, opt->max_line);
    captls_line_set_hidden(&t->ln, opt->start_hidden);
    oo.will_echo = opt->server_echo;
    oo.will_sga = opt->suppress_go_ahead;
    oo.do_ttype = opt->request_ttype;
    oo.do_naws = opt->request_naws;
    o = out_view(t);
    captls_telnet_open(&t->tn, &oo, &o);
    t->out_len = o.len;
    return CAPTLS_OK;
}

void captls_term_wipe(captls_term *t)
{
    if (t != NULL)
        captls_zeroize(t, sizeof *t);
}

static bool echo_on(const captls_term *t)
{
    return captls_telnet_enabled(&t->tn, CAPTLS_TELNET_OPT_ECHO, true);
}

static uint8_t line_event(captls_line_ev lev)
{
    switch (lev) {
    case CAPTLS_LINE_EV_LINE: return CAPTLS_TERM_EV_LINE;
    case CAPTLS_LINE_EV_INTERRUPT: return CAPTLS_TERM_EV_INTERRUPT;
    case CAPTLS_LINE_EV_EOF: return CAPTLS_TERM_EV_EOF;
    default: return 0;
    }
}

captls_result captls_term_net_input(captls_term *t, const uint8_t *data,
                                    size_t len, size_t *consumed)
{
    size_t i = 0;

    if (t == NULL || consumed == NULL || (data == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *consumed = 0;
    if (t->local_close || t->close_sent)
        return CAPTLS_OK; /* nothing more is read after a close */
    compact(t);
    /* Input waits while an event is with the shell: the bytes typed after
     * a line are processed only when the shell asks for the next event,
     * so an echo change it made in between (hidden password) applies to
     * type-ahead too. */
    while (i < len && t->pending == 0 && t->open_sent && !t->ev_out &&
           out_free(t) >= CAPTLS_TERM_INPUT_RESERVE) {
        captls_telnet_out o = out_view(t);
        captls_telnet_ev ev;
        captls_line_ev lev = CAPTLS_LINE_EV_NONE;

        captls_telnet_input(&t->tn, data[i++], &o, &ev);
        switch (ev.kind) {
        case CAPTLS_TELNET_EV_DATA:
            lev = captls_line_input(&t->ln, ev.byte, echo_on(t), &o);
            break;
        case CAPTLS_TELNET_EV_CMD:
            if (ev.byte == CAPTLS_TELNET_AYT) {
                /* RFC 854 "Are You There": a visible answer. */
                static const char ayt[] = CAPTLS_TERM_AYT_REPLY;
                memcpy(o.buf + o.len, ayt, sizeof ayt - 1);
                o.len += sizeof ayt - 1;
            } else {
                lev = captls_line_command(&t->ln, ev.byte, echo_on(t), &o);
            }
            break;
        case CAPTLS_TELNET_EV_NAWS:
            t->pending = CAPTLS_TERM_EV_RESIZE;
            break;
        default:
            break; /* TTYPE, ECHO state, negotiation: no shell event */
        }
        t->out_len = o.len;
        if (lev != CAPTLS_LINE_EV_NONE)
            t->pending = line_event(lev);
    }
    *consumed = i;
    return CAPTLS_OK;
}

void captls_term_net_eof(captls_term *t, captls_term_close_hint hint)
{
    if (t == NULL || t->peer_eof)
        return;
    t->peer_eof = true;
    if (t->hint == CAPTLS_TERM_CLOSE_NONE)
        t->hint = hint;
}

const uint8_t *captls_term_net_output(const captls_term *t, size_t *len)
{
    if (t == NULL || t->out_len == 0) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    *len = t->out_len;
    return t->out + t->out_off;
}

void captls_term_net_output_ack(captls_term *t, size_t n)
{
    if (t == NULL)
        return;
    if (n > t->out_len)
        n = t->out_len;
    /* echoed input (never password bytes) and shell output: not secret,
     * but the consumed bytes are cleared anyway. */
    memset(t->out + t->out_off, 0, n);
    t->out_off += n;
    t->out_len -= n;
    if (t->out_len == 0)
        t->out_off = 0;
}

bool captls_term_net_done(const captls_term *t)
{
    return t != NULL && t->local_close && t->out_len == 0;
}

void captls_term_event_done(captls_term *t)
{
    if (t == NULL)
        return;
    if (t->line_out) {
        captls_line_release(&t->ln); /* the line handed out is wiped now */
        t->line_out = false;
    }
    t->ev_out = false;
}

captls_result captls_term_next_event(captls_term *t, captls_term_event *ev)
{
    if (t == NULL || ev == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(ev, 0, sizeof *ev);
    captls_term_event_done(t);
    if (t->close_sent)
        return CAPTLS_EOF;
    if (!t->open_sent) {
        t->open_sent = true;
        ev->kind = CAPTLS_TERM_EV_OPEN;
        ev->cols = t->tn.cols;
        ev->rows = t->tn.rows;
        return CAPTLS_OK;
    }
    if (t->pending != 0 && !t->local_close) {
        ev->kind = (captls_term_ev_kind)t->pending;
        t->pending = 0;
        t->ev_out = true;
        if (ev->kind == CAPTLS_TERM_EV_LINE) {
            ev->line = captls_line_text(&t->ln, &ev->len);
            t->line_out = true;
        } else if (ev->kind == CAPTLS_TERM_EV_RESIZE) {
            ev->cols = t->tn.cols;
            ev->rows = t->tn.rows;
        }
        return CAPTLS_OK;
    }
    if (t->peer_eof || t->local_close) {
        t->close_sent = true;
        ev->kind = CAPTLS_TERM_EV_CLOSE;
        ev->hint = t->hint;
        captls_line_wipe(&t->ln);
        return CAPTLS_OK;
    }
    return CAPTLS_WOULD_BLOCK;
}

/* Appends the wire form of one shell output byte. */
static void out_byte(captls_term *t, uint8_t b)
{
    uint8_t *w = t->out + t->out_off + t->out_len;
    size_t n = 0;

    if (t->out_cr) {
        t->out_cr = false;
        if (b == '\n') {
            w[0] = '\n';
            t->out_len += 1;
            return;
        }
        w[n++] = '\0'; /* RFC 854: a CR not followed by LF is CR NUL */
    }
    if (b == '\n') {
        w[n++] = '\r';
        w[n++] = '\n';
    } else if (b == '\r') {
        w[n++] = '\r';
        t->out_cr = true;
    } else if (b == CAPTLS_TELNET_IAC) {
        w[n++] = CAPTLS_TELNET_IAC;
        w[n++] = CAPTLS_TELNET_IAC;
    } else {
        w[n++] = b;
    }
    t->out_len += n;
}

captls_result captls_term_write(captls_term *t, const uint8_t *data,
                                size_t len, size_t *consumed)
{
    size_t i = 0;

    if (t == NULL || consumed == NULL || (data == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *consumed = 0;
    if (t->local_close || t->close_sent)
        return CAPTLS_EOF;
    compact(t);
    while (i < len && out_free(t) >= 3)
        out_byte(t, data[i++]);
    *consumed = i;
    return CAPTLS_OK;
}

void captls_term_set_echo(captls_term *t, captls_term_echo mode)
{
    if (t != NULL)
        captls_line_set_hidden(&t->ln, mode == CAPTLS_TERM_ECHO_HIDDEN);
}

void captls_term_close(captls_term *t)
{
    if (t == NULL || t->local_close)
        return;
    if (t->out_cr && !t->close_sent) {
        compact(t);
        if (out_free(t) >= 1) {
            t->out[t->out_off + t->out_len] = '\0';
            t->out_len++;
        }
        t->out_cr = false;
    }
    t->local_close = true;
    t->pending = 0;
    if (t->hint == CAPTLS_TERM_CLOSE_NONE)
        t->hint = CAPTLS_TERM_CLOSE_LOCAL;
    captls_line_wipe(&t->ln);
    t->line_out = false;
}

void captls_term_info_get(const captls_term *t, captls_term_info *out)
{
    memset(out, 0, sizeof *out);
    out->cols = t->tn.cols;
    out->rows = t->tn.rows;
    memcpy(out->ttype, t->tn.ttype, sizeof out->ttype);
    out->echo_negotiated = echo_on(t);
    out->hidden = t->ln.hidden;
    out->closed = t->close_sent || t->local_close;
    out->telnet = t->tn.stats;
    out->line_dropped = t->ln.dropped;
}
