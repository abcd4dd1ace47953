/* core/tls/conn_output.c — what goes to the peer: alerts, KeyUpdate,
 * close_notify and the staged flight sealed into TX, and the application's
 * records. See tls.h and conn_internal.h. */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/conn_internal.h"

#define HS_HEADER 4u

/* ---- output ---------------------------------------------------------------- */

static void write_alert(captls_tls_conn *c)
{
    uint8_t a[2];
    if (captls_tls_record_room(c) < 2)
        return;
    /* RFC 8446 §6: in TLS 1.3 the level is ignored; close_notify and
     * user_canceled go as warnings, everything else as fatal. */
    a[0] = (c->pending_alert == CAPTLS_ALERT_CLOSE_NOTIFY ||
            c->pending_alert == CAPTLS_ALERT_USER_CANCELED) ? 1 : 2;
    a[1] = c->pending_alert;
    if (captls_tls_record_write(c, CAPTLS_CT_ALERT, a, 2) == CAPTLS_OK) {
        c->info.alert_sent_valid = true;
        c->info.alert_sent = c->pending_alert;
    }
    c->alert_pending = false;
}

static captls_result send_key_update(captls_tls_conn *c)
{
    uint8_t msg[HS_HEADER + 1];
    captls_tls_writer w;
    captls_result r;

    if (captls_tls_record_room(c) < sizeof msg)
        return CAPTLS_OK;
    captls_tls_writer_init(&w, msg, sizeof msg);
    r = captls_tls_key_update_encode(&w, c->key_update_request);
    if (r != CAPTLS_OK)
        return r;
    r = captls_tls_record_write(c, CAPTLS_CT_HANDSHAKE, msg, w.len);
    if (r != CAPTLS_OK)
        return r;
    /* RFC 8446 §4.6.3: the sender switches its keys right after sending
     * KeyUpdate. */
    r = captls_tls_next_traffic_secret(c->suite->hash, c->wr.secret);
    if (r == CAPTLS_OK)
        r = captls_tls_record_keys_set(&c->wr, c->suite, c->wr.secret);
    if (r != CAPTLS_OK)
        return r;
    c->key_update_queued = false;
    c->key_update_request = false;
    c->info.key_updates_sent++;
    return CAPTLS_OK;
}

void captls_tls_pump_output(captls_tls_conn *c)
{
    captls_result r;

    if (c->tx == NULL)
        return;
    if (captls_tls_dead(c)) {
        if (c->alert_pending)
            write_alert(c);
        return;
    }
    r = captls_tls_flight_pump(c);
    if (r == CAPTLS_OK && !captls_tls_flight_pending(c) && c->key_update_queued)
        r = send_key_update(c);
    if (r != CAPTLS_OK) {
        (void)captls_tls_fail(c, r);
        write_alert(c);
        return;
    }
    if (c->close_queued && !c->close_sent && !captls_tls_flight_pending(c) &&
        !c->key_update_queued && captls_tls_record_room(c) >= 2) {
        c->pending_alert = CAPTLS_ALERT_CLOSE_NOTIFY;
        write_alert(c);
        c->close_sent = true;
    }
}

const uint8_t *captls_tls_send_buf(captls_tls_conn *c, size_t *len)
{
    if (c == NULL || len == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC ||
        c->tx == NULL || c->tx_len == c->tx_off) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    *len = c->tx_len - c->tx_off;
    return c->tx + c->tx_off;
}

void captls_tls_send_ack(captls_tls_conn *c, size_t n)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC || c->tx == NULL)
        return;
    if (n > c->tx_len - c->tx_off)
        n = c->tx_len - c->tx_off;
    c->tx_off += n;
    if (c->tx_off == c->tx_len)
        c->tx_off = c->tx_len = 0;
    captls_tls_process(c);
}

uint8_t *captls_tls_app_send_buf(captls_tls_conn *c, size_t *len)
{
    size_t room;
    if (c == NULL || len == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return NULL;
    room = captls_tls_app_room(c);
    *len = room;
    if (room == 0)
        return NULL;
    /* The caller may write anywhere in the room: count it as written. */
    if (c->tx_len + CAPTLS_TLS_RECORD_HEADER + room > c->tx_hw)
        c->tx_hw = c->tx_len + CAPTLS_TLS_RECORD_HEADER + room;
    return c->tx + c->tx_len + CAPTLS_TLS_RECORD_HEADER;
}

/* RFC 8446 §5.5: AES-GCM keys should protect at most 2^24.5 full-size
 * records; update well before (all suites, for one rule). */
#define AUTO_KEY_UPDATE_RECORDS (1ull << 24)

captls_result captls_tls_app_send_ack(captls_tls_conn *c, size_t n)
{
    size_t room;
    captls_result r;

    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_tls_dead(c))
        return c->error;
    room = captls_tls_app_room(c);
    if (room == 0 || n > room)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (n == 0)
        return CAPTLS_OK;
    r = captls_tls_record_write(c, CAPTLS_CT_APPLICATION_DATA,
                                c->tx + c->tx_len + CAPTLS_TLS_RECORD_HEADER, n);
    if (r != CAPTLS_OK)
        return captls_tls_fail(c, r);
    if (c->wr.seq >= AUTO_KEY_UPDATE_RECORDS && !c->key_update_queued)
        c->key_update_queued = true;
    captls_tls_process(c);
    return c->error;
}
