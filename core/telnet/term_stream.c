/* core/telnet/term_stream.c — TerminalSessionFromByteStream. See header. */
#include "core/telnet/term_stream.h"

#include <string.h>

#include "core/base/ct.h"

static void transport_failed(captls_term_stream *s, captls_result r)
{
    if (s->error == CAPTLS_OK)
        s->error = r;
    s->in_eof = true;
    captls_term_net_eof(&s->term, r == CAPTLS_ERR_CONN_RESET
                                      ? CAPTLS_TERM_CLOSE_RESET
                                      : CAPTLS_TERM_CLOSE_ERROR);
}

/* Writes what the engine has ready; true if anything moved. */
static bool flush(captls_term_stream *s)
{
    bool moved = false;
    size_t len, n;
    const uint8_t *p;

    while (!s->out_closed && (p = captls_term_net_output(&s->term, &len)) != NULL) {
        captls_result r;
        n = 0;
        if (s->error != CAPTLS_OK) {
            /* the outbound half is broken: output has nowhere to go */
            captls_term_net_output_ack(&s->term, len);
            continue;
        }
        r = s->pair.vt->write(s->pair.ctx, p, len, &n);
        if (r == CAPTLS_OK && n > 0) {
            captls_term_net_output_ack(&s->term, n > len ? len : n);
            moved = true;
            continue;
        }
        if (r != CAPTLS_OK && r != CAPTLS_WOULD_BLOCK) {
            transport_failed(s, r);
            moved = true;
            continue;
        }
        break; /* would block */
    }
    if (!s->out_closed && captls_term_net_done(&s->term)) {
        s->out_closed = true;
        s->pair.vt->close(s->pair.ctx);
        moved = true;
    }
    return moved;
}

/* Feeds buffered input, reads more when it is all fed. */
static bool feed(captls_term_stream *s)
{
    bool moved = false;

    if (s->rx_len > 0) {
        size_t c = 0;
        if (captls_term_net_input(&s->term, s->rx + s->rx_off, s->rx_len, &c) !=
            CAPTLS_OK)
            c = 0;
        if (c > 0) {
            s->rx_off += c;
            s->rx_len -= c;
            moved = true;
        }
        if (s->rx_len == 0) {
            captls_zeroize(s->rx, s->rx_off); /* typed passwords pass here */
            s->rx_off = 0;
        }
    }
    if (s->rx_len == 0 && !s->in_eof && !s->term.local_close &&
        !s->term.close_sent) {
        size_t n = 0;
        captls_result r = s->pair.vt->read(s->pair.ctx, s->rx, sizeof s->rx, &n);
        if (r == CAPTLS_OK && n > 0) {
            s->rx_len = n > sizeof s->rx ? sizeof s->rx : n;
            moved = true;
        } else if (r == CAPTLS_EOF) {
            captls_term_close_hint h = s->pair.vt->close_hint(s->pair.ctx);
            s->in_eof = true;
            captls_term_net_eof(&s->term, h == CAPTLS_TERM_CLOSE_NONE
                                              ? CAPTLS_TERM_CLOSE_ORDERLY
                                              : h);
            moved = true;
        } else if (r != CAPTLS_OK && r != CAPTLS_WOULD_BLOCK) {
            transport_failed(s, r);
            moved = true;
        }
    }
    return moved;
}

static void pump(captls_term_stream *s)
{
    /* Each round moves at least one byte or changes a flag, and input
     * stops at the first waiting event: the loop is bounded by the bytes
     * the pair offers. */
    for (;;) {
        bool a = flush(s);
        bool b = feed(s);
        if (!a && !b)
            break;
    }
    (void)flush(s);
}

captls_result captls_term_stream_pump(captls_term_stream *s)
{
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    pump(s);
    if (s->out_closed || s->term.close_sent)
        return CAPTLS_EOF;
    return CAPTLS_OK;
}

captls_result captls_term_stream_error(const captls_term_stream *s)
{
    return s->error;
}

void captls_term_stream_wipe(captls_term_stream *s)
{
    if (s != NULL)
        captls_zeroize(s, sizeof *s);
}

/* ---- the TerminalSession methods --------------------------------------- */

static captls_result m_next_event(void *self, captls_term_event *ev)
{
    captls_term_stream *s = self;
    captls_term_event_done(&s->term);
    pump(s);
    return captls_term_next_event(&s->term, ev);
}

static captls_result m_write(void *self, const uint8_t *data, size_t len,
                             size_t *consumed)
{
    captls_term_stream *s = self;
    size_t done = 0;
    captls_result r = CAPTLS_OK;

    if (consumed == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* Write as much as the pair takes now; a partial write is normal. */
    while (done < len) {
        size_t c = 0;
        r = captls_term_write(&s->term, data + done, len - done, &c);
        if (r != CAPTLS_OK)
            break;
        done += c;
        if (!flush(s) && c == 0)
            break;
    }
    pump(s);
    *consumed = done;
    return done > 0 ? CAPTLS_OK : r;
}

static void m_set_echo(void *self, captls_term_echo mode)
{
    captls_term_stream *s = self;
    captls_term_set_echo(&s->term, mode);
}

static void m_close(void *self)
{
    captls_term_stream *s = self;
    captls_term_close(&s->term);
    pump(s);
}

static void m_info(void *self, captls_term_info *out)
{
    captls_term_stream *s = self;
    captls_term_info_get(&s->term, out);
}

static const captls_term_session_vtable stream_session_vt = {
    m_next_event, m_write, m_set_echo, m_close, m_info,
};

captls_result captls_term_from_byte_stream_wrap(
    captls_term_stream *s, captls_byte_stream_pair pair,
    const captls_term_line_options *options, captls_term_session *term)
{
    if (s == NULL || term == NULL || options == NULL || pair.vt == NULL ||
        pair.vt->read == NULL || pair.vt->write == NULL ||
        pair.vt->close == NULL || pair.vt->close_hint == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(s, 0, sizeof *s);
    CAPTLS_TRY(captls_term_init(&s->term, options));
    s->pair = pair;
    term->self = s;
    term->vt = &stream_session_vt;
    /* The opening negotiation goes out at once. */
    (void)flush(s);
    return CAPTLS_OK;
}
