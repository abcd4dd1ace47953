/* One TLS connection over a non-blocking socket — see tls_driver.h. */
#include "port/posix/tls_driver.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "port/posix/posix_port.h"

static const unsigned kind_bit[CAPTLS_TLSD_KINDS] = {
    CAPTLS_TLS_BUF_RX, CAPTLS_TLS_BUF_TX, CAPTLS_TLS_BUF_HS};

void captls_tlsd_pool_init(captls_tlsd_pool *p)
{
    memset(p, 0, sizeof(*p));
    p->size[0] = CAPTLS_TLS_RX_BUF_SIZE;
    p->size[1] = CAPTLS_TLS_TX_BUF_FULL;
    p->size[2] = CAPTLS_TLS_HS_BUF_SIZE;
}

void captls_tlsd_pool_fini(captls_tlsd_pool *p)
{
    for (size_t k = 0; k < CAPTLS_TLSD_KINDS; k++) {
        for (size_t i = 0; i < p->free_count[k]; i++)
            free(p->free_bufs[k][i]);
        p->free_count[k] = 0;
    }
}

uint8_t *captls_tlsd_pool_take(captls_tlsd_pool *p, size_t k)
{
    uint8_t *b;

    if (p->free_count[k] > 0)
        b = p->free_bufs[k][--p->free_count[k]];
    else
        b = malloc(p->size[k]);
    if (b == NULL)
        return NULL;
    p->out[k]++;
    if (p->out[k] > p->peak[k])
        p->peak[k] = p->out[k];
    p->lends++;
    return b;
}

/* b must hold no secret any more (the engine zeroized it on reclaim, or
 * the caller did). */
void captls_tlsd_pool_give(captls_tlsd_pool *p, size_t k, uint8_t *b)
{
    p->out[k]--;
    p->reclaims++;
    if (p->free_count[k] < CAPTLS_TLSD_POOL_KEEP)
        p->free_bufs[k][p->free_count[k]++] = b;
    else
        free(b);
}

bool captls_tlsd_link_new(captls_tlsd_link *l, int fd)
{
    memset(l, 0, sizeof(*l));
    l->fd = fd;
    l->io_error = CAPTLS_OK;
    l->conn = calloc(1, CAPTLS_TLS_CONN_SIZE);
    return l->conn != NULL;
}

void captls_tlsd_link_free(captls_tlsd_link *l, captls_tlsd_pool *p)
{
    if (l->conn != NULL) {
        for (size_t k = 0; k < CAPTLS_TLSD_KINDS; k++) {
            uint8_t *b = NULL;
            size_t cap = 0;
            if (l->buf[k] != NULL &&
                captls_tls_reclaim(l->conn, kind_bit[k], &b, &cap))
                l->buf[k] = b;
        }
        captls_tls_conn_wipe(l->conn);
        free(l->conn);
        l->conn = NULL;
    }
    /* after the wipe the engine references no buffer: return them all,
     * zeroized here in case the engine still held data in one */
    for (size_t k = 0; k < CAPTLS_TLSD_KINDS; k++) {
        if (l->buf[k] != NULL) {
            volatile uint8_t *v = l->buf[k];
            for (size_t i = 0; i < l->cap[k]; i++)
                v[i] = 0;
            captls_tlsd_pool_give(p, k, l->buf[k]);
            l->buf[k] = NULL;
        }
    }
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

/* Lends one buffer of kind index k; false if none could be lent. */
static bool lend_kind(captls_tlsd_link *l, captls_tlsd_pool *p, size_t k)
{
    uint8_t *b;

    if (l->buf[k] != NULL)
        return false;
    b = captls_tlsd_pool_take(p, k);
    if (b == NULL) {
        l->no_buffer = true;
        return false;
    }
    if (captls_tls_lend(l->conn, kind_bit[k], b, p->size[k]) != CAPTLS_OK) {
        captls_tlsd_pool_give(p, k, b);
        return false;
    }
    l->buf[k] = b;
    l->cap[k] = p->size[k];
    return true;
}

static bool lend_wanted(captls_tlsd_link *l, captls_tlsd_pool *p)
{
    unsigned wanted = captls_tls_buffers_wanted(l->conn);
    bool moved = false;

    for (size_t k = 0; k < CAPTLS_TLSD_KINDS; k++) {
        if (wanted & kind_bit[k])
            moved |= lend_kind(l, p, k);
    }
    return moved;
}

bool captls_tlsd_lend_tx(captls_tlsd_link *l, captls_tlsd_pool *p)
{
    if (l->conn == NULL || (captls_tls_state(l->conn) & CAPTLS_TLS_CLOSED))
        return false;
    return lend_kind(l, p, 1);
}

/* After the handshake the engine does not ask for RX (an idle connection
 * holds none): lend it when the socket has bytes (or EOF) to deliver. */
static bool lend_rx_if_readable(captls_tlsd_link *l, captls_tlsd_pool *p)
{
    unsigned st = captls_tls_state(l->conn);
    uint8_t b;
    ssize_t n;

    if (l->buf[0] != NULL || l->eof || l->io_error != CAPTLS_OK ||
        (st & CAPTLS_TLS_CLOSED) || captls_tls_peer_closed(l->conn))
        return false;
    n = recv(l->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) {
        l->eof = true;
        return false;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            l->io_error = captls_posix_result_from_errno(errno);
        return false;
    }
    return lend_kind(l, p, 0);
}

static bool do_send(captls_tlsd_link *l)
{
    size_t len = 0;
    const uint8_t *b = captls_tls_send_buf(l->conn, &len);
    ssize_t n;

    if (b == NULL || len == 0 || l->io_error != CAPTLS_OK)
        return false;
    n = send(l->fd, b, len, MSG_NOSIGNAL);
    if (n > 0) {
        captls_tls_send_ack(l->conn, (size_t)n);
        l->bytes_out += (uint64_t)n;
        l->want_write = (size_t)n < len;
        return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        l->want_write = true;
        return false;
    }
    l->io_error = n < 0 ? captls_posix_result_from_errno(errno)
                        : CAPTLS_ERR_IO;
    return false;
}

static bool do_recv(captls_tlsd_link *l)
{
    size_t len = 0;
    uint8_t *b;
    ssize_t n;

    if (l->eof || l->io_error != CAPTLS_OK)
        return false;
    b = captls_tls_recv_buf(l->conn, &len);
    if (b == NULL || len == 0)
        return false;
    n = recv(l->fd, b, len, 0);
    if (n > 0) {
        l->bytes_in += (uint64_t)n;
        /* an engine error is sticky: the caller reads it from the
         * engine state (CLOSED) and captls_tls_error() */
        if (captls_tls_recv_ack(l->conn, (size_t)n) != CAPTLS_OK)
            return true;
        return true;
    }
    if (n == 0) {
        l->eof = true;
        return false;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return false;
    l->io_error = captls_posix_result_from_errno(errno);
    return false;
}

bool captls_tlsd_pump(captls_tlsd_link *l, captls_tlsd_pool *p)
{
    bool any = false;

    if (l->conn == NULL)
        return false;
    for (;;) {
        unsigned st = captls_tls_state(l->conn);
        bool moved = false;
        if (st & CAPTLS_TLS_NEEDBUF)
            moved |= lend_wanted(l, p);
        moved |= lend_rx_if_readable(l, p);
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

void captls_tlsd_reclaim_idle(captls_tlsd_link *l, captls_tlsd_pool *p)
{
    unsigned st;

    if (l->conn == NULL)
        return;
    st = captls_tls_state(l->conn);
    if (st & (CAPTLS_TLS_SENDREC | CAPTLS_TLS_RECVAPP))
        return;
    for (size_t k = 0; k < CAPTLS_TLSD_KINDS; k++) {
        uint8_t *b = NULL;
        size_t cap = 0;
        if (l->buf[k] == NULL)
            continue;
        if (captls_tls_reclaim(l->conn, kind_bit[k], &b, &cap)) {
            captls_tlsd_pool_give(p, k, b);
            l->buf[k] = NULL;
            l->cap[k] = 0;
        }
    }
}

short captls_tlsd_poll_events(const captls_tlsd_link *l)
{
    short ev = 0;
    unsigned st;

    if (l->fd < 0 || l->io_error != CAPTLS_OK || l->conn == NULL)
        return 0;
    st = captls_tls_state(l->conn);
    /* Read only what the engine can take: with RX lent, only while it
     * wants records (not while plaintext waits for the application, e.g.
     * an echo blocked by a peer that does not read: polling for input then
     * would spin); without RX, whenever the peer may still send. */
    if (!l->eof && !(st & CAPTLS_TLS_CLOSED) &&
        (l->buf[0] != NULL ? (st & CAPTLS_TLS_RECVREC) != 0
                           : !captls_tls_peer_closed(l->conn)))
        ev |= POLLIN;
    if (l->want_write)
        ev |= POLLOUT;
    return ev;
}

bool captls_tlsd_done(const captls_tlsd_link *l)
{
    unsigned st;

    if (l->conn == NULL)
        return true;
    st = captls_tls_state(l->conn);
    if (!(st & CAPTLS_TLS_CLOSED))
        return false;
    return !(st & CAPTLS_TLS_SENDREC) || l->io_error != CAPTLS_OK;
}

static const char *io_text(captls_result r)
{
    switch (r) {
    case CAPTLS_ERR_CONN_RESET: return "connection reset";
    case CAPTLS_ERR_CONN_REFUSED: return "connection refused";
    case CAPTLS_ERR_TIMEOUT: return "timeout";
    default: return captls_result_name(r);
    }
}

const char *captls_tlsd_failure_text(const captls_tlsd_link *l, char *buf,
                                     size_t cap)
{
    captls_tls_info info;
    captls_result err;

    if (l->conn == NULL)
        return NULL;
    err = captls_tls_error(l->conn);
    captls_tls_info_get(l->conn, &info);
    if (err == CAPTLS_ERR_TIMEOUT) {
        snprintf(buf, cap, "%s", info.handshake_done ? "timeout"
                                                     : "handshake timeout");
        return buf;
    }
    if (info.alert_received_valid &&
        info.alert_received != CAPTLS_ALERT_CLOSE_NOTIFY) {
        snprintf(buf, cap, "%s (alert received)",
                 captls_tls_alert_name(info.alert_received));
        return buf;
    }
    if (err != CAPTLS_OK && err != CAPTLS_EOF) {
        if (info.alert_sent_valid && captls_tls_is_alert_error(err))
            snprintf(buf, cap, "%s (alert sent)",
                     captls_tls_alert_name(info.alert_sent));
        else if (info.alert_sent_valid)
            snprintf(buf, cap, "%s (alert sent: %s)",
                     captls_tls_alert_name(info.alert_sent),
                     captls_result_name(err));
        else if (captls_tls_is_alert_error(err))
            snprintf(buf, cap, "%s",
                     captls_tls_alert_name(
                         (uint8_t)(err - CAPTLS_ERR_ALERT_BASE)));
        else
            snprintf(buf, cap, "%s", io_text(err));
        return buf;
    }
    if (l->io_error != CAPTLS_OK) {
        snprintf(buf, cap, "%s", io_text(l->io_error));
        return buf;
    }
    if (l->eof && !captls_tls_peer_closed(l->conn)) {
        snprintf(buf, cap, "%s",
                 info.handshake_done
                     ? "connection closed without close_notify"
                     : "connection closed during the handshake");
        return buf;
    }
    if (l->no_buffer) {
        snprintf(buf, cap, "out of memory for record buffers");
        return buf;
    }
    return NULL;
}
