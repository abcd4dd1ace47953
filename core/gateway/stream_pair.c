/* ByteStreamPairs over TLS and over a plain stream — see stream_pair.h. */
#include "core/gateway/stream_pair.h"

#include <string.h>

/* ---- TLS ------------------------------------------------------------------ */

static captls_result tls_read(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    captls_tls_pair *p = ctx;
    captls_tls_conn *c = p->link->conn;
    size_t len = 0;
    const uint8_t *b;

    *n = 0;
    b = captls_tls_app_recv_buf(c, &len);
    if (b != NULL && len > 0) {
        size_t take = len < cap ? len : cap;
        memcpy(buf, b, take);
        captls_tls_app_recv_ack(c, take);
        *n = take;
        return CAPTLS_OK;
    }
    if (captls_tls_peer_closed(c))
        return CAPTLS_EOF;
    if ((captls_tls_state(c) & CAPTLS_TLS_CLOSED) || p->link->eof ||
        p->link->io_error != CAPTLS_OK)
        return CAPTLS_ERR_CONN_RESET;
    return CAPTLS_WOULD_BLOCK;
}

static captls_result tls_write(void *ctx, const uint8_t *buf, size_t len,
                               size_t *n)
{
    captls_tls_pair *p = ctx;
    captls_tls_conn *c = p->link->conn;
    size_t room = 0;
    uint8_t *dst;
    captls_result r;

    *n = 0;
    if (p->closed || (captls_tls_state(c) & CAPTLS_TLS_CLOSED) ||
        p->link->io_error != CAPTLS_OK)
        return CAPTLS_ERR_CONN_RESET;
    if (!(captls_tls_state(c) & CAPTLS_TLS_SENDAPP)) {
        if (p->link->buf[1] == NULL)
            p->want_tx = true;
        return CAPTLS_WOULD_BLOCK;
    }
    dst = captls_tls_app_send_buf(c, &room);
    if (dst == NULL || room == 0)
        return CAPTLS_WOULD_BLOCK;
    if (room > len)
        room = len;
    memcpy(dst, buf, room);
    r = captls_tls_app_send_ack(c, room);
    if (r != CAPTLS_OK)
        return r;
    *n = room;
    return CAPTLS_OK;
}

static void tls_close(void *ctx)
{
    captls_tls_pair *p = ctx;

    if (p->closed)
        return;
    p->closed = true;
    captls_tls_close(p->link->conn);
}

static captls_term_close_hint tls_close_hint(void *ctx)
{
    captls_tls_pair *p = ctx;
    captls_tls_conn *c = p->link->conn;

    if (captls_tls_peer_closed(c))
        return CAPTLS_TERM_CLOSE_ORDERLY;
    if (p->link->io_error != CAPTLS_OK || p->link->eof)
        return CAPTLS_TERM_CLOSE_RESET;
    if (captls_tls_state(c) & CAPTLS_TLS_CLOSED)
        return CAPTLS_TERM_CLOSE_ERROR;
    return CAPTLS_TERM_CLOSE_NONE;
}

static const captls_byte_stream_pair_vtable tls_pair_vt = {
    .read = tls_read,
    .write = tls_write,
    .close = tls_close,
    .close_hint = tls_close_hint,
};

void captls_tls_pair_init(captls_tls_pair *p, captls_net_tls *link)
{
    memset(p, 0, sizeof(*p));
    p->link = link;
}

captls_byte_stream_pair captls_tls_pair_as_pair(captls_tls_pair *p)
{
    captls_byte_stream_pair bp = {.ctx = p, .vt = &tls_pair_vt};
    return bp;
}

/* ---- plaintext ------------------------------------------------------------ */

static captls_result plain_read(void *ctx, uint8_t *buf, size_t cap,
                                size_t *n)
{
    captls_plain_pair *p = ctx;
    captls_result r;

    *n = 0;
    if (p->s < 0)
        return CAPTLS_EOF;
    r = p->net->read(p->net->ctx, p->s, buf, cap, n);
    if (r == CAPTLS_EOF)
        p->hint = CAPTLS_TERM_CLOSE_ORDERLY;
    else if (r != CAPTLS_OK && r != CAPTLS_WOULD_BLOCK)
        p->hint = CAPTLS_TERM_CLOSE_RESET;
    return r;
}

static captls_result plain_write(void *ctx, const uint8_t *buf, size_t len,
                                 size_t *n)
{
    captls_plain_pair *p = ctx;
    captls_result r;

    *n = 0;
    if (p->s < 0)
        return CAPTLS_ERR_CONN_RESET;
    r = p->net->write(p->net->ctx, p->s, buf, len, n);
    if (r != CAPTLS_OK && r != CAPTLS_WOULD_BLOCK)
        p->hint = CAPTLS_TERM_CLOSE_RESET;
    return r;
}

static void plain_close(void *ctx)
{
    captls_plain_pair_release(ctx);
}

static captls_term_close_hint plain_close_hint(void *ctx)
{
    const captls_plain_pair *p = ctx;
    return p->hint;
}

static const captls_byte_stream_pair_vtable plain_pair_vt = {
    .read = plain_read,
    .write = plain_write,
    .close = plain_close,
    .close_hint = plain_close_hint,
};

void captls_plain_pair_init(captls_plain_pair *p, const captls_net *net,
                            captls_stream_id s)
{
    memset(p, 0, sizeof(*p));
    p->net = net;
    p->s = s;
}

captls_byte_stream_pair captls_plain_pair_as_pair(captls_plain_pair *p)
{
    captls_byte_stream_pair bp = {.ctx = p, .vt = &plain_pair_vt};
    return bp;
}

void captls_plain_pair_release(captls_plain_pair *p)
{
    if (p->s < 0)
        return;
    (void)p->net->close(p->net->ctx, p->s); /* valid handle: succeeds */
    p->s = -1;
}
