/* sim/tls_drive.c — one TLS connection over a simulator stream. See
 * tls_drive.h. */
#include <stdio.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/sig_scheme.h"
#include "core/tls/alert.h"
#include "sim/tls_drive.h"

/* Rounds of the pump before it yields (each round moves bytes or stops). */
#define PUMP_ROUNDS 100000u

static void conn_log(captls_sim_proc *p, const sim_tls_conn *c, const char *fmt,
                 const char *a)
{
    char label[32] = "";
    if (c->id != 0)
        snprintf(label, sizeof(label), "connection %u: ", (unsigned)c->id);
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "%s%s%s", label, fmt,
                   a);
}

captls_result sim_tls_start(sim_tls_conn *c, captls_stream_id s, uint32_t id)
{
    CAPTLS_TRY(captls_tls_lend(&c->tls, CAPTLS_TLS_BUF_RX, c->rx,
                               sizeof(c->rx)));
    CAPTLS_TRY(captls_tls_lend(&c->tls, CAPTLS_TLS_BUF_TX, c->tx,
                               sizeof(c->tx)));
    CAPTLS_TRY(captls_tls_lend(&c->tls, CAPTLS_TLS_BUF_HS, c->hs,
                               sizeof(c->hs)));
    c->used = true;
    c->stream_open = true;
    c->s = s;
    c->id = id;
    c->closing = false;
    c->close_when_flushed = false;
    c->out_len = 0;
    c->rep_hs = c->rep_alert_sent = c->rep_alert_recv = false;
    c->rep_peer_close = c->rep_error = false;
    c->rep_ku_sent = c->rep_ku_recv = 0;
    c->have_last = false;
    c->error[0] = '\0';
    return CAPTLS_OK;
}

void sim_tls_params(const captls_tls_info *i, char *out, size_t cap)
{
    const captls_sig_scheme_info *sig = captls_sig_scheme_info_get(
        i->sig_scheme);
    snprintf(out, cap, "%s %s %s", captls_tls_suite_name(i->suite),
             i->group != 0 ? captls_tls_group_name(i->group) : "psk_ke",
             sig != NULL ? sig->name : "no-signature");
}

static void error_text(const sim_tls_conn *c, captls_result e,
                       const captls_tls_info *i, char *out, size_t cap)
{
    if (i->peer_auth == CAPTLS_TLS_PEER_FAILED)
        snprintf(out, cap, "fail: %s",
                 captls_failure_reason_name(i->peer_failure));
    else if (captls_tls_is_alert_error(e) && i->alert_received_valid &&
             (uint8_t)(e - CAPTLS_ERR_ALERT_BASE) == i->alert_received)
        snprintf(out, cap, "peer alert: %s",
                 captls_tls_alert_name(i->alert_received));
    else if (captls_tls_is_alert_error(e))
        snprintf(out, cap, "%s",
                 captls_tls_alert_name((uint8_t)(e - CAPTLS_ERR_ALERT_BASE)));
    else
        snprintf(out, cap, "%s", captls_result_name(e));
    (void)c;
}

/* Records the first error (engine or stream) and logs it once. */
static void note_error(captls_sim_proc *p, sim_tls_conn *c, captls_result e)
{
    if (c->rep_error)
        return;
    captls_tls_info i;
    captls_tls_info_get(&c->tls, &i);
    error_text(c, e, &i, c->error, sizeof(c->error));
    c->rep_error = true;
    conn_log(p, c, "error: ", c->error);
}

/* Logs what changed in the engine since the last report. */
static void report(captls_sim_proc *p, sim_tls_conn *c)
{
    captls_tls_info i;
    char line[160];
    captls_tls_info_get(&c->tls, &i);
    if (i.handshake_done && !c->rep_hs) {
        char params[96];
        sim_tls_params(&i, params, sizeof(params));
        snprintf(line, sizeof(line), "%s, resumed %s%s", params,
                 i.resumed ? "yes" : "no",
                 i.hello_retry ? ", after a HelloRetryRequest" : "");
        c->rep_hs = true;
        conn_log(p, c, "handshake ok: ", line);
    }
    if (i.alert_sent_valid && !c->rep_alert_sent) {
        c->rep_alert_sent = true;
        conn_log(p, c, "alert sent: ", captls_tls_alert_name(i.alert_sent));
    }
    if (i.alert_received_valid && !c->rep_alert_recv) {
        c->rep_alert_recv = true;
        conn_log(p, c, "alert received: ",
             captls_tls_alert_name(i.alert_received));
    }
    while (c->rep_ku_sent < i.key_updates_sent) {
        snprintf(line, sizeof(line), "(#%u)", (unsigned)++c->rep_ku_sent);
        conn_log(p, c, "key update sent ", line);
    }
    while (c->rep_ku_recv < i.key_updates_received) {
        snprintf(line, sizeof(line), "(#%u)", (unsigned)++c->rep_ku_recv);
        conn_log(p, c, "key update received ", line);
    }
    captls_result e = captls_tls_error(&c->tls);
    if (e != CAPTLS_OK && e != CAPTLS_EOF &&
        e != CAPTLS_TLS_ERR(CLOSE_NOTIFY))
        note_error(p, c, e);
}

static void finish(captls_sim_proc *p, sim_tls_conn *c)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    report(p, c);
    captls_tls_info_get(&c->tls, &c->last);
    c->have_last = true;
    if (c->stream_open) {
        captls_result r = net->close(net->ctx, c->s);
        (void)r; /* a handle we hold: always succeeds */
        c->stream_open = false;
    }
    if (c->error[0] == '\0')
        conn_log(p, c, "closed: ", c->last.handshake_done
                                   ? "close_notify both ways"
                                   : "before the handshake ended");
    else
        conn_log(p, c, "closed after error: ", c->error);
    /* The engine zeroizes a buffer it gives back; one it keeps (it should
     * not, once CLOSED) is wiped here. */
    uint8_t *b;
    size_t cap;
    if (!captls_tls_reclaim(&c->tls, CAPTLS_TLS_BUF_RX, &b, &cap))
        captls_zeroize(c->rx, sizeof(c->rx));
    if (!captls_tls_reclaim(&c->tls, CAPTLS_TLS_BUF_TX, &b, &cap))
        captls_zeroize(c->tx, sizeof(c->tx));
    if (!captls_tls_reclaim(&c->tls, CAPTLS_TLS_BUF_HS, &b, &cap))
        captls_zeroize(c->hs, sizeof(c->hs));
    captls_tls_conn_wipe(&c->tls);
    c->out_len = 0;
    c->used = false;
}

/* The stream failed (reset) or ended without close_notify. */
static void stream_failed(captls_sim_proc *p, sim_tls_conn *c,
                          captls_result r)
{
    if (!c->rep_error) {
        if (r == CAPTLS_EOF) {
            snprintf(c->error, sizeof(c->error),
                     "eof before close_notify");
            c->rep_error = true;
            conn_log(p, c, "error: ", c->error);
        } else {
            note_error(p, c, r);
        }
    }
    /* The peer is gone: nothing more can be sent. */
    if (c->stream_open) {
        const captls_net *net = &captls_sim_proc_port(p)->net;
        captls_result cr = net->close(net->ctx, c->s);
        (void)cr;
        c->stream_open = false;
    }
    finish(p, c);
}

void sim_tls_pump(captls_sim_proc *p, sim_tls_conn *c, sim_tls_app_fn on_app,
                  void *ctx)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    for (unsigned round = 0; c->used && round < PUMP_ROUNDS; round++) {
        bool progress = false;
        unsigned st = captls_tls_state(&c->tls);
        size_t len = 0;
        captls_result r;
        if (st & CAPTLS_TLS_SENDREC) {
            const uint8_t *b = captls_tls_send_buf(&c->tls, &len);
            if (b != NULL && len > 0) {
                size_t put = 0;
                r = net->write(net->ctx, c->s, b, len, &put);
                if (r == CAPTLS_OK && put > 0) {
                    captls_tls_send_ack(&c->tls, put);
                    progress = true;
                } else if (r != CAPTLS_OK && r != CAPTLS_WOULD_BLOCK) {
                    stream_failed(p, c, r);
                    return;
                }
            }
        }
        if (st & CAPTLS_TLS_RECVAPP) {
            const uint8_t *b = captls_tls_app_recv_buf(&c->tls, &len);
            if (b != NULL && len > 0) {
                if (on_app != NULL)
                    on_app(p, ctx, c, b, len);
                captls_tls_app_recv_ack(&c->tls, len);
                progress = true;
            }
        }
        if ((st & CAPTLS_TLS_SENDAPP) && c->out_len > 0) {
            uint8_t *w = captls_tls_app_send_buf(&c->tls, &len);
            if (w != NULL && len > 0) {
                size_t n = c->out_len < len ? c->out_len : len;
                memcpy(w, c->out, n);
                r = captls_tls_app_send_ack(&c->tls, n);
                memmove(c->out, c->out + n, c->out_len - n);
                c->out_len -= n;
                progress = true;
                (void)r; /* a sticky error: report() logs it */
            }
        }
        if ((st & CAPTLS_TLS_SENDAPP) && c->out_len == 0 &&
            c->close_when_flushed && !c->closing) {
            captls_tls_close(&c->tls);
            c->closing = true;
            c->close_when_flushed = false;
            progress = true;
        }
        if (st & CAPTLS_TLS_RECVREC) {
            uint8_t *b = captls_tls_recv_buf(&c->tls, &len);
            if (b != NULL && len > 0) {
                size_t got = 0;
                r = net->read(net->ctx, c->s, b, len, &got);
                if (r == CAPTLS_OK && got > 0) {
                    captls_result e = captls_tls_recv_ack(&c->tls, got);
                    (void)e; /* sticky: report() logs it */
                    progress = true;
                } else if (r != CAPTLS_OK && r != CAPTLS_WOULD_BLOCK) {
                    report(p, c);
                    stream_failed(p, c, r);
                    return;
                }
            }
        }
        report(p, c);
        /* RFC 8446 §6.1: each party sends close_notify before closing
         * its write side; answer the peer's. */
        if (captls_tls_peer_closed(&c->tls) && !c->rep_peer_close) {
            c->rep_peer_close = true;
            conn_log(p, c, "close_notify received", "");
            if (!c->closing) {
                /* What is queued goes first. */
                if (c->out_len > 0)
                    c->close_when_flushed = true;
                else {
                    captls_tls_close(&c->tls);
                    c->closing = true;
                }
                progress = true;
            }
        }
        st = captls_tls_state(&c->tls);
        if ((st & CAPTLS_TLS_CLOSED) && !(st & CAPTLS_TLS_SENDREC)) {
            finish(p, c);
            return;
        }
        if (!progress)
            return;
    }
}

bool sim_tls_queue(sim_tls_conn *c, const uint8_t *b, size_t n)
{
    if (!c->used || c->closing || c->close_when_flushed ||
        n > SIM_TLS_OUT - c->out_len)
        return false;
    memcpy(c->out + c->out_len, b, n);
    c->out_len += n;
    return true;
}

void sim_tls_close(captls_sim_proc *p, sim_tls_conn *c)
{
    if (!c->used || c->closing)
        return;
    c->close_when_flushed = true;
    conn_log(p, c, "closing: close_notify queued", "");
}

void sim_tls_abort(captls_sim_proc *p, sim_tls_conn *c, captls_result why)
{
    if (!c->used)
        return;
    captls_tls_abort(&c->tls, why);
    if (!c->rep_error) {
        snprintf(c->error, sizeof(c->error), "%s", captls_result_name(why));
        c->rep_error = true;
        conn_log(p, c, "aborted: ", c->error);
    }
}

void sim_tls_info(const sim_tls_conn *c, captls_tls_info *out)
{
    if (c->used)
        captls_tls_info_get(&c->tls, out);
    else if (c->have_last)
        *out = c->last;
    else
        memset(out, 0, sizeof(*out));
}
