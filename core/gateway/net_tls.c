/* One TLS connection over a port stream — see net_tls.h. */
#include "core/gateway/net_tls.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/base/text.h"
#include "core/tls/alert.h"

/* A cut text (captls_text keeps what fit, NUL-terminated) is still worth
 * showing: the overflow is deliberately not an error here. */
static void text_cut_ok(captls_text *t)
{
    if (captls_text_finish(t) != CAPTLS_OK)
        return;
}

static const unsigned kind_bit[CAPTLS_NET_TLS_KINDS] = {
    CAPTLS_TLS_BUF_RX, CAPTLS_TLS_BUF_TX, CAPTLS_TLS_BUF_HS};

void captls_net_tls_init(captls_net_tls *l, captls_tls_conn *conn,
                         const captls_net *net, captls_stream_id s)
{
    memset(l, 0, sizeof(*l));
    l->conn = conn;
    l->net = net;
    l->s = s;
    l->io_error = CAPTLS_OK;
}

static bool lend_kind(captls_net_tls *l, const captls_buf_source *src,
                      size_t k)
{
    uint8_t *b;
    size_t cap = 0;

    if (l->buf[k] != NULL)
        return false;
    b = src->take(src->ctx, kind_bit[k], &cap);
    if (b == NULL) {
        l->no_buffer = true;
        return false;
    }
    if (captls_tls_lend(l->conn, kind_bit[k], b, cap) != CAPTLS_OK) {
        src->give(src->ctx, kind_bit[k], b);
        return false;
    }
    l->buf[k] = b;
    l->cap[k] = cap;
    return true;
}

static bool lend_wanted(captls_net_tls *l, const captls_buf_source *src)
{
    unsigned wanted = captls_tls_buffers_wanted(l->conn);
    bool moved = false;

    for (size_t k = 0; k < CAPTLS_NET_TLS_KINDS; k++) {
        if (wanted & kind_bit[k])
            moved |= lend_kind(l, src, k);
    }
    return moved;
}

bool captls_net_tls_lend_tx(captls_net_tls *l, const captls_buf_source *src)
{
    if (l->s < 0 || (captls_tls_state(l->conn) & CAPTLS_TLS_CLOSED))
        return false;
    return lend_kind(l, src, 1);
}

/* After the handshake an idle engine holds no RX: lend it when poll says
 * the stream has bytes (or an end) to deliver. */
static bool lend_rx_if_readable(captls_net_tls *l,
                                const captls_buf_source *src)
{
    unsigned st = captls_tls_state(l->conn);

    if (!l->readable || l->buf[0] != NULL || l->eof ||
        l->io_error != CAPTLS_OK || (st & CAPTLS_TLS_CLOSED) ||
        captls_tls_peer_closed(l->conn))
        return false;
    return lend_kind(l, src, 0);
}

static bool do_send(captls_net_tls *l)
{
    size_t len = 0, put = 0;
    const uint8_t *b = captls_tls_send_buf(l->conn, &len);
    captls_result r;

    if (b == NULL || len == 0 || l->io_error != CAPTLS_OK)
        return false;
    r = l->net->write(l->net->ctx, l->s, b, len, &put);
    if (r == CAPTLS_OK && put > 0) {
        captls_tls_send_ack(l->conn, put);
        l->bytes_out += put;
        l->want_write = put < len;
        return true;
    }
    if (r == CAPTLS_OK || r == CAPTLS_WOULD_BLOCK) {
        l->want_write = true;
        return false;
    }
    l->io_error = r;
    return false;
}

static bool do_recv(captls_net_tls *l)
{
    size_t len = 0, got = 0;
    uint8_t *b;
    captls_result r;

    if (l->eof || l->io_error != CAPTLS_OK)
        return false;
    b = captls_tls_recv_buf(l->conn, &len);
    if (b == NULL || len == 0)
        return false;
    r = l->net->read(l->net->ctx, l->s, b, len, &got);
    if (r == CAPTLS_OK && got > 0) {
        l->bytes_in += got;
        /* An engine error is sticky: the caller sees CLOSED and reads
         * captls_tls_error(). */
        if (captls_tls_recv_ack(l->conn, got) != CAPTLS_OK)
            return true; /* CLOSED now; the state says so */
        return true;
    }
    if (r == CAPTLS_WOULD_BLOCK || (r == CAPTLS_OK && got == 0)) {
        l->readable = false;
        return false;
    }
    if (r == CAPTLS_EOF)
        l->eof = true;
    else
        l->io_error = r;
    return false;
}

bool captls_net_tls_pump(captls_net_tls *l, const captls_buf_source *src)
{
    bool any = false;

    if (l->s < 0)
        return false;
    for (;;) {
        unsigned st = captls_tls_state(l->conn);
        bool moved = false;
        if (st & CAPTLS_TLS_NEEDBUF)
            moved |= lend_wanted(l, src);
        moved |= lend_rx_if_readable(l, src);
        st = captls_tls_state(l->conn);
        if (st & CAPTLS_TLS_SENDREC)
            moved |= do_send(l);
        st = captls_tls_state(l->conn);
        if ((st & CAPTLS_TLS_RECVREC) && !(st & CAPTLS_TLS_CLOSED))
            moved |= do_recv(l);
        if (!moved)
            break;
        any = true;
    }
    return any;
}

void captls_net_tls_reclaim_idle(captls_net_tls *l,
                                 const captls_buf_source *src)
{
    unsigned st;

    if (l->s < 0)
        return;
    st = captls_tls_state(l->conn);
    if (st & (CAPTLS_TLS_SENDREC | CAPTLS_TLS_RECVAPP))
        return;
    for (size_t k = 0; k < CAPTLS_NET_TLS_KINDS; k++) {
        uint8_t *b = NULL;
        size_t cap = 0;
        if (l->buf[k] == NULL)
            continue;
        if (captls_tls_reclaim(l->conn, kind_bit[k], &b, &cap)) {
            src->give(src->ctx, kind_bit[k], b);
            l->buf[k] = NULL;
            l->cap[k] = 0;
        }
    }
}

unsigned captls_net_tls_poll_want(const captls_net_tls *l)
{
    unsigned want = 0, st;

    if (l->s < 0 || l->io_error != CAPTLS_OK)
        return 0;
    st = captls_tls_state(l->conn);
    /* Read only what the engine can take: with RX lent, only while it
     * wants records (not while plaintext waits for the shell: that would
     * spin); without RX, whenever the peer may still send. */
    if (!l->eof && !(st & CAPTLS_TLS_CLOSED) &&
        (l->buf[0] != NULL ? (st & CAPTLS_TLS_RECVREC) != 0
                           : !captls_tls_peer_closed(l->conn)))
        want |= CAPTLS_POLL_READ;
    if (l->want_write)
        want |= CAPTLS_POLL_WRITE;
    return want;
}

void captls_net_tls_ready(captls_net_tls *l, unsigned ready)
{
    if (ready & (CAPTLS_POLL_READ | CAPTLS_POLL_HUP))
        l->readable = true;
    if (ready & CAPTLS_POLL_WRITE)
        l->want_write = false;
}

bool captls_net_tls_done(const captls_net_tls *l)
{
    unsigned st;

    if (l->s < 0)
        return true;
    st = captls_tls_state(l->conn);
    if (!(st & CAPTLS_TLS_CLOSED))
        return false;
    return !(st & CAPTLS_TLS_SENDREC) || l->io_error != CAPTLS_OK;
}

void captls_net_tls_release(captls_net_tls *l, const captls_buf_source *src)
{
    if (l->s < 0)
        return;
    for (size_t k = 0; k < CAPTLS_NET_TLS_KINDS; k++) {
        uint8_t *b = NULL;
        size_t cap = 0;
        if (l->buf[k] != NULL &&
            captls_tls_reclaim(l->conn, kind_bit[k], &b, &cap))
            l->buf[k] = b;
    }
    captls_tls_conn_wipe(l->conn);
    /* The wiped engine references no buffer; wipe them here too in case
     * it still held data in one. */
    for (size_t k = 0; k < CAPTLS_NET_TLS_KINDS; k++) {
        if (l->buf[k] != NULL) {
            captls_zeroize(l->buf[k], l->cap[k]);
            src->give(src->ctx, kind_bit[k], l->buf[k]);
            l->buf[k] = NULL;
            l->cap[k] = 0;
        }
    }
    (void)l->net->close(l->net->ctx, l->s); /* valid handle: succeeds */
    l->s = -1;
}

const char *captls_net_tls_failure_text(const captls_net_tls *l, char *buf,
                                        size_t cap)
{
    captls_tls_info info;
    captls_result err = captls_tls_error(l->conn);
    captls_text t;

    captls_tls_info_get(l->conn, &info);
    captls_text_init(&t, buf, cap);
    if (err == CAPTLS_ERR_TIMEOUT) {
        captls_text_str(&t, info.handshake_done ? "timeout"
                                                : "handshake timeout");
    } else if (info.alert_received_valid &&
               info.alert_received != CAPTLS_ALERT_CLOSE_NOTIFY) {
        captls_text_str(&t, captls_tls_alert_name(info.alert_received));
        captls_text_str(&t, " (alert received)");
    } else if (err != CAPTLS_OK && err != CAPTLS_EOF) {
        if (info.alert_sent_valid) {
            captls_text_str(&t, captls_tls_alert_name(info.alert_sent));
            captls_text_str(&t, " (alert sent)");
        } else {
            captls_text_str(&t, captls_result_name(err));
        }
    } else if (l->io_error != CAPTLS_OK) {
        captls_text_str(&t, l->io_error == CAPTLS_ERR_CONN_RESET
                                ? "connection reset"
                                : captls_result_name(l->io_error));
    } else if (l->eof && !captls_tls_peer_closed(l->conn)) {
        captls_text_str(&t, info.handshake_done
                                ? "connection closed without close_notify"
                                : "connection closed during the handshake");
    } else if (l->no_buffer) {
        captls_text_str(&t, "out of record buffers");
    } else {
        return NULL;
    }
    text_cut_ok(&t);
    return buf;
}
