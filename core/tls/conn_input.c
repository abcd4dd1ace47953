/* core/tls/conn_input.c — what comes from the peer: one record at a time
 * into RX, its header checked before its body is read, then opened and
 * dispatched by content type (handshake messages in place or reassembled in
 * HS, alerts, the compatibility ChangeCipherSpec, application data left in
 * RX until the application reads it). See tls.h and conn_internal.h. */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/conn_internal.h"

#define HS_HEADER 4u

/* ---- input ---------------------------------------------------------------- */

static captls_result dispatch_message(captls_tls_conn *c, const uint8_t *msg,
                                      size_t len, bool at_record_end)
{
    if (c->step == STEP_CONNECTED)
        return captls_tls_post_handshake(c, msg[0], msg, len, at_record_end);
    if (c->is_server)
        return captls_tls_server_handle(c, msg[0], msg, len);
    return captls_tls_client_handle(c, msg[0], msg, len);
}

static uint32_t msg_body_len(const uint8_t *p)
{
    return ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Feeds handshake bytes of the open record (from rx_proc_off) to the state
 * machine: whole messages in place, a partial one into HS. Returns
 * CAPTLS_NEED_MORE when HS must be lent to go on. */
static captls_result handshake_record(captls_tls_conn *c)
{
    uint8_t *p = c->rx + CAPTLS_TLS_RECORD_HEADER;
    size_t end = c->rx_plain_len;
    captls_result r;

    c->rd_changed = false;
    if (c->hs == NULL && captls_tls_in_handshake(c))
        return CAPTLS_NEED_MORE; /* the handshake state lives in HS */
    while (c->rx_proc_off < end) {
        size_t off = c->rx_proc_off, avail = end - off;
        if (c->rd_changed) /* RFC 8446 §5.1: no message spans a key change */
            return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
        if (c->hs_in_len > 0 || avail < HS_HEADER ||
            avail < HS_HEADER + msg_body_len(p + off)) {
            /* partial: reassemble in HS after any staged flight */
            uint8_t *in;
            size_t need, take;
            if (c->hs == NULL)
                return CAPTLS_NEED_MORE;
            if (c->hs_in_len == 0)
                c->hs_in_base = c->hs_out_end;
            in = c->hs + c->hs_in_base;
            need = HS_HEADER;
            if (c->hs_in_len >= HS_HEADER)
                need = HS_HEADER + msg_body_len(in);
            else if (c->hs_in_len + avail >= HS_HEADER) {
                uint8_t hdr[HS_HEADER];
                memcpy(hdr, in, c->hs_in_len);
                memcpy(hdr + c->hs_in_len, p + off, HS_HEADER - c->hs_in_len);
                need = HS_HEADER + msg_body_len(hdr);
            }
            /* Largest message we take: what HS can hold (16 KiB). */
            if (need > c->hs_cap - c->hs_in_base)
                return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
            take = need - c->hs_in_len;
            if (take > avail)
                take = avail;
            memcpy(in + c->hs_in_len, p + off, take);
            c->hs_in_len += take;
            if (c->hs_in_base + c->hs_in_len > c->hs_hw)
                c->hs_hw = c->hs_in_base + c->hs_in_len;
            c->rx_proc_off += take;
            if (c->hs_in_len >= HS_HEADER &&
                c->hs_in_len == HS_HEADER + msg_body_len(in)) {
                size_t n = c->hs_in_len;
                c->hs_in_len = 0;
                r = dispatch_message(c, in, n, c->rx_proc_off == end);
                if (r != CAPTLS_OK)
                    return r;
            }
            continue;
        }
        {
            size_t n = HS_HEADER + msg_body_len(p + off);
            c->rx_proc_off += n;
            r = dispatch_message(c, p + off, n, c->rx_proc_off == end);
            if (r != CAPTLS_OK)
                return r;
            if (captls_tls_dead(c))
                return c->error;
        }
    }
    return CAPTLS_OK;
}

static captls_result alert_record(captls_tls_conn *c, const uint8_t *p,
                                  size_t n)
{
    /* RFC 8446 §6: an alert record holds exactly one alert. */
    if (n != 2)
        return CAPTLS_TLS_ERR(DECODE_ERROR);
    c->info.alert_received_valid = true;
    c->info.alert_received = p[1];
    if (p[1] == CAPTLS_ALERT_CLOSE_NOTIFY) {
        c->close_received = true;
        if (captls_tls_in_handshake(c)) {
            c->peer_alert = true;
            return captls_tls_fail(c, CAPTLS_TLS_ERR(CLOSE_NOTIFY));
        }
        return CAPTLS_OK;
    }
    /* §6.1: user_canceled is followed by close_notify; nothing to do. */
    if (p[1] == CAPTLS_ALERT_USER_CANCELED)
        return CAPTLS_OK;
    /* §6.2: every other alert is fatal, whatever its level. */
    c->peer_alert = true;
    return captls_tls_fail(c, (captls_result)(CAPTLS_ERR_ALERT_BASE + p[1]));
}

static captls_result ccs_record(captls_tls_conn *c, const uint8_t *p, size_t n)
{
    /* RFC 8446 §5: a change_cipher_spec of the single byte 0x01 received
     * after the first ClientHello and before the peer's Finished is
     * dropped; any other value, or one outside that window, is an
     * unexpected_message. One is enough: a second is refused too. */
    bool window = c->is_server ? c->step != STEP_S_WAIT_CH
                               : (c->step != STEP_START &&
                                  !(c->step == STEP_C_WAIT_SH &&
                                    !c->info.hello_retry));
    if (n != 1 || p[0] != 1 || !window || c->peer_finished || c->ccs_received)
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    c->ccs_received = true;
    return CAPTLS_OK;
}

/* Opens and handles the complete record in RX. */
captls_result captls_tls_record_in(captls_tls_conn *c)
{
    uint8_t type;
    size_t n;
    captls_result r;

    if (!c->rx_open) {
        r = captls_tls_record_open(c, &type, &n);
        if (r == CAPTLS_TLS_ERR(BAD_RECORD_MAC) && c->early_skip > 0 &&
            c->is_server && c->step != STEP_CONNECTED) {
            /* RFC 8446 §4.2.10: a server that rejects 0-RTT skips records
             * it cannot deprotect, up to max_early_data_size. */
            size_t len = c->rx_len - CAPTLS_TLS_RECORD_HEADER;
            if (len > c->early_skip)
                return r;
            c->early_skip -= (uint32_t)len;
            c->rx_len = 0;
            return CAPTLS_OK;
        }
        if (r != CAPTLS_OK)
            return r;
        c->rx_open = true;
        c->rx_type = type;
        c->rx_plain_len = n;
        c->rx_proc_off = 0;
    }
    type = c->rx_type;
    n = c->rx_plain_len;
    switch (type) {
    case CAPTLS_CT_APPLICATION_DATA:
        /* No 0-RTT and no 0.5-RTT data is accepted: application data
         * before the handshake is complete is unexpected. */
        if (c->step != STEP_CONNECTED)
            return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
        if (c->close_received)
            return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
        if (n > 0) {
            c->early_skip = 0;
            return CAPTLS_OK; /* stays open until the application reads */
        }
        break;
    case CAPTLS_CT_HANDSHAKE:
        /* §5.1: zero-length handshake fragments MUST NOT be sent. */
        if (n == 0)
            return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
        r = handshake_record(c);
        if (r == CAPTLS_NEED_MORE)
            return CAPTLS_OK; /* waits for HS, record kept */
        if (r != CAPTLS_OK)
            return r;
        /* §5.1: a key change must fall at the end of a record, so no
         * message may be left half-read across it. */
        if (c->rd_changed && c->hs_in_len > 0)
            return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
        break;
    case CAPTLS_CT_ALERT:
        r = alert_record(c, c->rx + CAPTLS_TLS_RECORD_HEADER, n);
        if (r != CAPTLS_OK)
            return r;
        break;
    case CAPTLS_CT_CHANGE_CIPHER_SPEC:
        r = ccs_record(c, c->rx + CAPTLS_TLS_RECORD_HEADER, n);
        if (r != CAPTLS_OK)
            return r;
        break;
    default:
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    }
    c->rx_open = false;
    c->rx_len = 0;
    return CAPTLS_OK;
}

static size_t rx_record_len(const captls_tls_conn *c)
{
    return ((size_t)c->rx[3] << 8) | c->rx[4];
}

/* Checks a record header as soon as it is complete (before its body is
 * read), so that an oversized or nonsensical record is refused at once. */
static captls_result check_header(captls_tls_conn *c)
{
    size_t len = rx_record_len(c);
    uint8_t type = c->rx[0];

    if (type < CAPTLS_CT_CHANGE_CIPHER_SPEC || type > CAPTLS_CT_APPLICATION_DATA)
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    /* RFC 8446 §5.1: legacy_record_version is otherwise ignored, but a
     * first byte other than 3 is not TLS at all (an HTTP request, say). */
    if (c->rx[1] != 0x03)
        return CAPTLS_TLS_ERR(DECODE_ERROR);
    if (c->rd.aead.alg == CAPTLS_AEAD_NONE || type == CAPTLS_CT_CHANGE_CIPHER_SPEC) {
        if (len > CAPTLS_TLS_MAX_PLAINTEXT)
            return CAPTLS_TLS_ERR(RECORD_OVERFLOW);
    } else {
        /* §5.2 and RFC 8449 §4: inner plaintext <= our limit, + the tag. */
        if (len > (size_t)c->recv_limit + CAPTLS_AEAD_TAG_SIZE)
            return CAPTLS_TLS_ERR(RECORD_OVERFLOW);
    }
    if (CAPTLS_TLS_RECORD_HEADER + len > c->rx_cap)
        return CAPTLS_TLS_ERR(RECORD_OVERFLOW);
    return CAPTLS_OK;
}

uint8_t *captls_tls_recv_buf(captls_tls_conn *c, size_t *len)
{
    size_t want;
    if (c == NULL || len == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return NULL;
    *len = 0;
    if (!(captls_tls_state(c) & CAPTLS_TLS_RECVREC))
        return NULL;
    /* One record at a time: the header, then exactly its body. */
    if (c->rx_len < CAPTLS_TLS_RECORD_HEADER)
        want = CAPTLS_TLS_RECORD_HEADER - c->rx_len;
    else
        want = CAPTLS_TLS_RECORD_HEADER + rx_record_len(c) - c->rx_len;
    *len = want;
    return c->rx + c->rx_len;
}

captls_result captls_tls_recv_ack(captls_tls_conn *c, size_t n)
{
    size_t len;
    captls_result r;

    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_tls_dead(c))
        return c->error;
    if (captls_tls_recv_buf(c, &len) == NULL || n > len)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    c->rx_len += n;
    if (c->rx_len > c->rx_hw)
        c->rx_hw = c->rx_len;
    if (c->rx_len >= CAPTLS_TLS_RECORD_HEADER) {
        if (c->rx_len == CAPTLS_TLS_RECORD_HEADER ||
            c->rx_len - n < CAPTLS_TLS_RECORD_HEADER) {
            r = check_header(c);
            if (r != CAPTLS_OK)
                (void)captls_tls_fail(c, r);
        }
        if (!captls_tls_dead(c) &&
            c->rx_len == CAPTLS_TLS_RECORD_HEADER + rx_record_len(c)) {
            r = captls_tls_record_in(c);
            if (r != CAPTLS_OK)
                (void)captls_tls_fail(c, r);
        }
    }
    captls_tls_process(c);
    return c->error;
}

const uint8_t *captls_tls_app_recv_buf(captls_tls_conn *c, size_t *len)
{
    if (c == NULL || len == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return NULL;
    *len = 0;
    if (!(captls_tls_state(c) & CAPTLS_TLS_RECVAPP))
        return NULL;
    *len = c->rx_plain_len - c->rx_proc_off;
    return c->rx + CAPTLS_TLS_RECORD_HEADER + c->rx_proc_off;
}

void captls_tls_app_recv_ack(captls_tls_conn *c, size_t n)
{
    size_t len;
    if (captls_tls_app_recv_buf(c, &len) == NULL)
        return;
    if (n > len)
        n = len;
    c->rx_proc_off += n;
    if (c->rx_proc_off == c->rx_plain_len) {
        c->rx_open = false;
        c->rx_len = 0;
    }
    captls_tls_process(c);
}
