/* core/tls/conn.c — the engine's public surface (core/tls/tls.h): lending
 * buffers, reading records and dispatching them by content type, alerts,
 * application data, KeyUpdate and close. The handshake itself lives in
 * client.c and server.c. See tls.h for the contract. */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/conn_internal.h"

#define HS_HEADER 4u

static void process(captls_tls_conn *c);

/* ---- small helpers -------------------------------------------------------- */

const captls_tls_common_config *captls_tls_common(const captls_tls_conn *c)
{
    if (c->is_server)
        return &((const captls_tls_server_config *)c->cfg)->common;
    return &((const captls_tls_client_config *)c->cfg)->common;
}

uint64_t captls_tls_now_ms(const captls_tls_conn *c)
{
    const captls_clock *clk = &captls_tls_common(c)->clock;
    if (clk->monotonic_ns == NULL)
        return 0;
    return clk->monotonic_ns(clk->ctx) / 1000000u;
}

bool captls_tls_wall_ms(const captls_tls_conn *c, uint64_t *ms)
{
    const captls_clock *clk = &captls_tls_common(c)->clock;
    captls_wall_time t;
    if (clk->wall_time == NULL || clk->wall_time(clk->ctx, &t) != CAPTLS_OK ||
        t.epoch_seconds < 0)
        return false;
    *ms = (uint64_t)t.epoch_seconds * 1000u + t.nanoseconds / 1000000u;
    return true;
}

captls_result captls_tls_random(captls_tls_conn *c, uint8_t *out, size_t len)
{
    const captls_entropy *e = &captls_tls_common(c)->entropy;
    captls_result r = e->fill(e->ctx, out, len);
    if (r != CAPTLS_OK) {
        captls_zeroize(out, len);
        return CAPTLS_ERR_ENTROPY_FAILURE; /* fail closed: internal_error */
    }
    return CAPTLS_OK;
}

static void wipe_handshake(captls_tls_conn *c)
{
    if (c->hss != NULL) {
        captls_tls_transcript_wipe(&c->hss->transcript);
        captls_tls_ks_wipe(&c->hss->ks);
        captls_tls_key_share_wipe(&c->hss->share[0]);
        captls_tls_key_share_wipe(&c->hss->share[1]);
        captls_zeroize(c->hss, sizeof *c->hss);
        c->hss = NULL;
    }
    c->hs_live = false;
}

_Static_assert(sizeof(captls_tls_hs_state) + _Alignof(captls_tls_hs_state) <=
                   CAPTLS_TLS_HS_STATE_RESERVE,
               "the handshake state must fit its reserve in HS");

captls_result captls_tls_fail(captls_tls_conn *c, captls_result err)
{
    if (c->error != CAPTLS_OK)
        return c->error;
    if (err == CAPTLS_OK || !captls_result_is_error(err))
        err = CAPTLS_ERR_INTERNAL;
    c->error = err;
    c->step = STEP_DEAD;
    if (!c->peer_alert) {
        c->pending_alert = captls_tls_alert_for_error(err);
        c->alert_pending = true;
    }
    /* A half-sent flight is abandoned: the alert goes next, under the
     * keys in use now. */
    c->hs_out_off = c->hs_out_end = 0;
    c->hs_switch_at = SIZE_MAX;
    c->hs_ccs_first = false;
    c->hs_final_which = SWITCH_NONE;
    c->hs_in_len = 0;
    c->key_update_queued = false;
    wipe_handshake(c);
    captls_zeroize(c->resumption_master, sizeof c->resumption_master);
    return err;
}

captls_result captls_tls_fail_cert(captls_tls_conn *c, captls_failure_reason r)
{
    return captls_tls_fail(c, (captls_result)(CAPTLS_ERR_ALERT_BASE +
                                              captls_tls_alert_for_failure(r)));
}

void captls_tls_handshake_complete(captls_tls_conn *c)
{
    c->step = STEP_CONNECTED;
    c->info.handshake_done = true;
    c->info.version = CAPTLS_TLS_VERSION_13;
}

static bool dead(const captls_tls_conn *c)
{
    return c->error != CAPTLS_OK;
}

/* ---- lifecycle ------------------------------------------------------------ */

static void conn_reset(captls_tls_conn *c, const void *cfg, bool server)
{
    memset(c, 0, sizeof *c);
    c->magic = CAPTLS_TLS_CONN_MAGIC;
    c->cfg = cfg;
    c->is_server = server;
    c->info.is_server = server;
    c->hs_switch_at = SIZE_MAX;
    c->send_limit = CAPTLS_TLS_MAX_PLAINTEXT;
    c->hs_live = true;
}

static void set_recv_limit(captls_tls_conn *c)
{
    uint16_t rsl = captls_tls_common(c)->record_size_limit;
    c->recv_limit = rsl ? rsl : (uint16_t)(CAPTLS_TLS_MAX_PLAINTEXT + 1u);
}

captls_result captls_tls_client_init(captls_tls_conn *c,
                                     const captls_tls_client_config *cfg,
                                     const char *server_name,
                                     const captls_tls_session *resume,
                                     captls_tls_session_fn on_session,
                                     void *on_session_ctx)
{
    captls_result r;
    size_t n;

    if (c == NULL || cfg == NULL || server_name == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    conn_reset(c, cfg, false);
    r = captls_tls_client_config_check(cfg);
    if (r != CAPTLS_OK) {
        c->magic = 0;
        return r;
    }
    n = strlen(server_name);
    if (n == 0 || n > 255) {
        c->magic = 0;
        return CAPTLS_ERR_INVALID_ARGUMENT;
    }
    memcpy(c->sni, server_name, n);
    c->sni_len = (uint8_t)n;
    c->resume = resume;
    c->on_session = on_session;
    c->on_session_ctx = on_session_ctx;
    set_recv_limit(c);
    c->step = STEP_START; /* the ClientHello is built once HS is lent */
    return CAPTLS_OK;
}

captls_result captls_tls_server_init(captls_tls_conn *c,
                                     const captls_tls_server_config *cfg)
{
    captls_result r;

    if (c == NULL || cfg == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    conn_reset(c, cfg, true);
    r = captls_tls_server_config_check(cfg);
    if (r != CAPTLS_OK) {
        c->magic = 0;
        return r;
    }
    set_recv_limit(c);
    c->step = STEP_S_WAIT_CH;
    return CAPTLS_OK;
}

void captls_tls_conn_wipe(captls_tls_conn *c)
{
    if (c == NULL)
        return;
    wipe_handshake(c);
    captls_tls_record_keys_wipe(&c->rd);
    captls_tls_record_keys_wipe(&c->wr);
    captls_zeroize(c, sizeof *c);
}

/* ---- buffers -------------------------------------------------------------- */

size_t captls_tls_rx_buf_size(uint16_t record_size_limit)
{
    size_t limit = record_size_limit ? record_size_limit
                                     : CAPTLS_TLS_MAX_PLAINTEXT + 1u;
    return CAPTLS_TLS_RECORD_HEADER + limit + CAPTLS_AEAD_TAG_SIZE;
}

static bool in_handshake(const captls_tls_conn *c)
{
    return c->step != STEP_CONNECTED && c->step != STEP_DEAD;
}

static bool output_pending(const captls_tls_conn *c)
{
    return captls_tls_flight_pending(c) || c->alert_pending ||
           c->key_update_queued || (c->close_queued && !c->close_sent);
}

unsigned captls_tls_buffers_wanted(const captls_tls_conn *c)
{
    unsigned want = 0;
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return 0;
    if (dead(c))
        return (c->alert_pending && c->tx == NULL) ? CAPTLS_TLS_BUF_TX : 0;
    if (in_handshake(c)) {
        if (c->hs == NULL)
            want |= CAPTLS_TLS_BUF_HS;
        if (c->rx == NULL)
            want |= CAPTLS_TLS_BUF_RX;
    } else if (c->hs == NULL &&
               (c->hs_in_len > 0 ||
                (c->rx_open && c->rx_type == CAPTLS_CT_HANDSHAKE))) {
        want |= CAPTLS_TLS_BUF_HS; /* a post-handshake message spans records */
    }
    if (c->tx == NULL && output_pending(c))
        want |= CAPTLS_TLS_BUF_TX;
    if (c->is_server == false && c->step == STEP_START && c->tx == NULL)
        want |= CAPTLS_TLS_BUF_TX;
    return want;
}

static size_t rx_needed(const captls_tls_conn *c)
{
    if (in_handshake(c))
        return CAPTLS_TLS_RX_BUF_SIZE < captls_tls_rx_buf_size(c->recv_limit)
                   ? captls_tls_rx_buf_size(c->recv_limit)
                   : CAPTLS_TLS_RX_BUF_SIZE;
    return captls_tls_rx_buf_size(c->recv_limit);
}

captls_result captls_tls_lend(captls_tls_conn *c, unsigned kind, uint8_t *buf,
                              size_t cap)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC || buf == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    switch (kind) {
    case CAPTLS_TLS_BUF_RX:
        if (c->rx != NULL || cap < rx_needed(c))
            return CAPTLS_ERR_INVALID_ARGUMENT;
        c->rx = buf;
        c->rx_cap = cap;
        c->rx_len = 0;
        break;
    case CAPTLS_TLS_BUF_TX:
        if (c->tx != NULL || cap < CAPTLS_TLS_TX_BUF_MIN)
            return CAPTLS_ERR_INVALID_ARGUMENT;
        c->tx = buf;
        c->tx_cap = cap;
        c->tx_off = c->tx_len = 0;
        break;
    case CAPTLS_TLS_BUF_HS:
        if (c->hs != NULL || cap < CAPTLS_TLS_HS_BUF_SIZE)
            return CAPTLS_ERR_INVALID_ARGUMENT;
        c->hs_buf = buf;
        c->hs_buf_cap = cap;
        c->hs = buf + CAPTLS_TLS_HS_STATE_RESERVE;
        c->hs_cap = cap - CAPTLS_TLS_HS_STATE_RESERVE;
        c->hs_out_off = c->hs_out_end = 0;
        /* The handshake state is created in the first HS lent; HS cannot
         * be taken back during the handshake, so it stays there. */
        if (c->hs_live && c->hss == NULL) {
            uintptr_t a = _Alignof(captls_tls_hs_state);
            c->hss = (captls_tls_hs_state *)(void *)
                (buf + ((a - ((uintptr_t)buf & (a - 1))) & (a - 1)));
            memset(c->hss, 0, sizeof *c->hss);
        }
        break;
    default:
        return CAPTLS_ERR_INVALID_ARGUMENT;
    }
    process(c);
    return CAPTLS_OK;
}

bool captls_tls_reclaim(captls_tls_conn *c, unsigned kind, uint8_t **buf,
                        size_t *cap)
{
    size_t dirty;
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC || buf == NULL ||
        cap == NULL)
        return false;
    switch (kind) {
    case CAPTLS_TLS_BUF_RX:
        if (c->rx == NULL || (!dead(c) && (c->rx_len > 0 || c->rx_open)))
            return false;
        *buf = c->rx;
        *cap = c->rx_cap;
        dirty = c->rx_hw;
        c->rx_hw = 0;
        c->rx = NULL;
        c->rx_cap = c->rx_len = 0;
        c->rx_open = false;
        break;
    case CAPTLS_TLS_BUF_TX:
        if (c->tx == NULL || c->tx_len > c->tx_off)
            return false;
        *buf = c->tx;
        *cap = c->tx_cap;
        dirty = c->tx_hw;
        c->tx_hw = 0;
        c->tx = NULL;
        c->tx_cap = c->tx_off = c->tx_len = 0;
        break;
    case CAPTLS_TLS_BUF_HS:
        if (c->hs == NULL ||
            (!dead(c) && (in_handshake(c) || captls_tls_flight_pending(c) ||
                          c->hs_in_len > 0)))
            return false;
        wipe_handshake(c); /* (a dead connection's) */
        *buf = c->hs_buf;
        *cap = c->hs_buf_cap;
        dirty = CAPTLS_TLS_HS_STATE_RESERVE + c->hs_hw;
        c->hs_hw = 0;
        c->hs = c->hs_buf = NULL;
        c->hs_cap = c->hs_buf_cap = c->hs_out_off = c->hs_out_end = 0;
        c->hs_in_len = 0;
        break;
    default:
        return false;
    }
    /* Buffers held plaintext and handshake state: wipe what was written
     * (the engine writes nothing past its high-water mark). */
    captls_zeroize(*buf, dirty < *cap ? dirty : *cap);
    return true;
}

/* ---- state ---------------------------------------------------------------- */

static size_t app_room(const captls_tls_conn *c)
{
    if (c->step != STEP_CONNECTED || dead(c) || c->close_queued ||
        output_pending(c))
        return 0;
    return captls_tls_record_room(c);
}

unsigned captls_tls_state(const captls_tls_conn *c)
{
    unsigned st = 0;
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return CAPTLS_TLS_CLOSED;
    if (c->tx != NULL && c->tx_len > c->tx_off)
        st |= CAPTLS_TLS_SENDREC;
    if (captls_tls_buffers_wanted(c) != 0)
        st |= CAPTLS_TLS_NEEDBUF;
    if (dead(c) || (c->close_sent && c->close_received))
        return st | CAPTLS_TLS_CLOSED;
    if (c->rx != NULL && !c->rx_open && !c->close_received &&
        c->step != STEP_START)
        st |= CAPTLS_TLS_RECVREC;
    if (c->rx_open && c->rx_type == CAPTLS_CT_APPLICATION_DATA &&
        c->rx_proc_off < c->rx_plain_len)
        st |= CAPTLS_TLS_RECVAPP;
    if (app_room(c) > 0)
        st |= CAPTLS_TLS_SENDAPP;
    return st;
}

captls_result captls_tls_error(const captls_tls_conn *c)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return c->error;
}

void captls_tls_info_get(const captls_tls_conn *c, captls_tls_info *out)
{
    if (c == NULL || out == NULL)
        return;
    *out = c->info;
}

bool captls_tls_peer_closed(const captls_tls_conn *c)
{
    return c != NULL && c->close_received;
}

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

static void pump_output(captls_tls_conn *c)
{
    captls_result r;

    if (c->tx == NULL)
        return;
    if (dead(c)) {
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
    if (c->hs == NULL && in_handshake(c))
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
            if (dead(c))
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
        if (in_handshake(c)) {
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
static captls_result record_in(captls_tls_conn *c)
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
    if (dead(c))
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
        if (!dead(c) &&
            c->rx_len == CAPTLS_TLS_RECORD_HEADER + rx_record_len(c)) {
            r = record_in(c);
            if (r != CAPTLS_OK)
                (void)captls_tls_fail(c, r);
        }
    }
    process(c);
    return c->error;
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
    process(c);
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
    process(c);
}

uint8_t *captls_tls_app_send_buf(captls_tls_conn *c, size_t *len)
{
    size_t room;
    if (c == NULL || len == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return NULL;
    room = app_room(c);
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
    if (dead(c))
        return c->error;
    room = app_room(c);
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
    process(c);
    return c->error;
}

/* ---- control --------------------------------------------------------------- */

captls_result captls_tls_key_update(captls_tls_conn *c, bool request_peer)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (dead(c))
        return c->error;
    if (c->step != STEP_CONNECTED || c->close_queued)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    c->key_update_queued = true;
    c->key_update_request = c->key_update_request || request_peer;
    process(c);
    return c->error;
}

void captls_tls_close(captls_tls_conn *c)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC || dead(c))
        return;
    if (in_handshake(c)) {
        captls_tls_abort(c, CAPTLS_TLS_ERR(USER_CANCELED));
        return;
    }
    c->close_queued = true;
    process(c);
}

void captls_tls_abort(captls_tls_conn *c, captls_result why)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC || dead(c))
        return;
    if (!captls_result_is_error(why))
        why = CAPTLS_ERR_TIMEOUT;
    (void)captls_tls_fail(c, why);
    c->pending_alert = CAPTLS_ALERT_USER_CANCELED;
    process(c);
}

/* ---- the loop ---------------------------------------------------------------- */

static void process(captls_tls_conn *c)
{
    captls_result r;

    if (c->step == STEP_START && !c->is_server && !dead(c) && c->hs != NULL) {
        r = captls_tls_client_start(c);
        if (r != CAPTLS_OK)
            (void)captls_tls_fail(c, r);
    }
    /* A handshake record that waited for HS goes on. */
    if (!dead(c) && c->rx_open && c->rx_type == CAPTLS_CT_HANDSHAKE &&
        c->hs != NULL) {
        r = record_in(c);
        if (r != CAPTLS_OK)
            (void)captls_tls_fail(c, r);
    }
    pump_output(c);
    /* The handshake state is wiped as soon as nothing needs it. */
    if (c->hs_live && c->step == STEP_CONNECTED && !captls_tls_flight_pending(c))
        wipe_handshake(c);
}
