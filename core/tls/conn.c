/* core/tls/conn.c — the connection's life: init, the sticky error and its
 * alert, lending and reclaiming buffers, the state bits, KeyUpdate, close
 * and abort, and the processing step every entry point ends with. Input is
 * conn_input.c, output conn_output.c, the handshake client.c and
 * server.c. See tls.h for the contract. */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/conn_internal.h"

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

bool captls_tls_dead(const captls_tls_conn *c)
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

bool captls_tls_in_handshake(const captls_tls_conn *c)
{
    return c->step != STEP_CONNECTED && c->step != STEP_DEAD;
}

bool captls_tls_output_pending(const captls_tls_conn *c)
{
    return captls_tls_flight_pending(c) || c->alert_pending ||
           c->key_update_queued || (c->close_queued && !c->close_sent);
}

unsigned captls_tls_buffers_wanted(const captls_tls_conn *c)
{
    unsigned want = 0;
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return 0;
    if (captls_tls_dead(c))
        return (c->alert_pending && c->tx == NULL) ? CAPTLS_TLS_BUF_TX : 0;
    if (captls_tls_in_handshake(c)) {
        if (c->hs == NULL)
            want |= CAPTLS_TLS_BUF_HS;
        if (c->rx == NULL)
            want |= CAPTLS_TLS_BUF_RX;
    } else if (c->hs == NULL &&
               (c->hs_in_len > 0 ||
                (c->rx_open && c->rx_type == CAPTLS_CT_HANDSHAKE))) {
        want |= CAPTLS_TLS_BUF_HS; /* a post-handshake message spans records */
    }
    if (c->tx == NULL && captls_tls_output_pending(c))
        want |= CAPTLS_TLS_BUF_TX;
    if (c->is_server == false && c->step == STEP_START && c->tx == NULL)
        want |= CAPTLS_TLS_BUF_TX;
    return want;
}

static size_t rx_needed(const captls_tls_conn *c)
{
    if (captls_tls_in_handshake(c))
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
    captls_tls_process(c);
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
        if (c->rx == NULL || (!captls_tls_dead(c) && (c->rx_len > 0 || c->rx_open)))
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
            (!captls_tls_dead(c) && (captls_tls_in_handshake(c) || captls_tls_flight_pending(c) ||
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

size_t captls_tls_app_room(const captls_tls_conn *c)
{
    if (c->step != STEP_CONNECTED || captls_tls_dead(c) || c->close_queued ||
        captls_tls_output_pending(c))
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
    if (captls_tls_dead(c) || (c->close_sent && c->close_received))
        return st | CAPTLS_TLS_CLOSED;
    if (c->rx != NULL && !c->rx_open && !c->close_received &&
        c->step != STEP_START)
        st |= CAPTLS_TLS_RECVREC;
    if (c->rx_open && c->rx_type == CAPTLS_CT_APPLICATION_DATA &&
        c->rx_proc_off < c->rx_plain_len)
        st |= CAPTLS_TLS_RECVAPP;
    if (captls_tls_app_room(c) > 0)
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

/* ---- control --------------------------------------------------------------- */

captls_result captls_tls_key_update(captls_tls_conn *c, bool request_peer)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_tls_dead(c))
        return c->error;
    if (c->step != STEP_CONNECTED || c->close_queued)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    c->key_update_queued = true;
    c->key_update_request = c->key_update_request || request_peer;
    captls_tls_process(c);
    return c->error;
}

void captls_tls_close(captls_tls_conn *c)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC || captls_tls_dead(c))
        return;
    if (captls_tls_in_handshake(c)) {
        captls_tls_abort(c, CAPTLS_TLS_ERR(USER_CANCELED));
        return;
    }
    c->close_queued = true;
    captls_tls_process(c);
}

bool captls_tls_close_sent(const captls_tls_conn *c)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC)
        return true;
    return c->close_sent || captls_tls_dead(c);
}

void captls_tls_abort(captls_tls_conn *c, captls_result why)
{
    if (c == NULL || c->magic != CAPTLS_TLS_CONN_MAGIC || captls_tls_dead(c))
        return;
    if (!captls_result_is_error(why))
        why = CAPTLS_ERR_TIMEOUT;
    (void)captls_tls_fail(c, why);
    c->pending_alert = CAPTLS_ALERT_USER_CANCELED;
    captls_tls_process(c);
}

/* ---- the loop ---------------------------------------------------------------- */

void captls_tls_process(captls_tls_conn *c)
{
    captls_result r;

    if (c->step == STEP_START && !c->is_server && !captls_tls_dead(c) && c->hs != NULL) {
        r = captls_tls_client_start(c);
        if (r != CAPTLS_OK)
            (void)captls_tls_fail(c, r);
    }
    /* A handshake record that waited for HS goes on. */
    if (!captls_tls_dead(c) && c->rx_open && c->rx_type == CAPTLS_CT_HANDSHAKE &&
        c->hs != NULL) {
        r = captls_tls_record_in(c);
        if (r != CAPTLS_OK)
            (void)captls_tls_fail(c, r);
    }
    captls_tls_pump_output(c);
    /* The handshake state is wiped as soon as nothing needs it. */
    if (c->hs_live && c->step == STEP_CONNECTED && !captls_tls_flight_pending(c))
        wipe_handshake(c);
}
