/* core/tls/flight.c — outgoing handshake flights: staged in the HS buffer,
 * sealed into TX records as room allows, with the ChangeCipherSpec and
 * write-key switches at the right byte (RFC 8446 §5.1: "Handshake messages
 * MUST NOT span key changes"). See conn_internal.h. */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/conn_internal.h"

void captls_tls_flight_writer(captls_tls_conn *c, captls_tls_writer *w)
{
    /* Messages are appended after what is staged; when nothing is staged
     * the flight restarts at the beginning of HS. */
    if (c->hs_out_off == c->hs_out_end && c->hs_in_len == 0) {
        c->hs_out_off = c->hs_out_end = 0;
        if (c->hs_switch_at != SIZE_MAX)
            c->hs_switch_at = 0;
    }
    /* A partial incoming message sits after the staged bytes: never write
     * over it (the engine stages flights only at record boundaries). */
    if (c->hs == NULL || c->hs_in_len != 0) {
        captls_tls_writer_init(w, NULL, 0);
        w->overflow = true;
        return;
    }
    captls_tls_writer_init(w, c->hs + c->hs_out_end, c->hs_cap - c->hs_out_end);
}

captls_result captls_tls_flight_commit(captls_tls_conn *c,
                                       const captls_tls_writer *w,
                                       bool transcript)
{
    if (w->overflow || c->hs == NULL)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (transcript)
        captls_tls_transcript_update(&c->hss->transcript, w->buf, w->len);
    c->hs_out_end += w->len;
    if (c->hs_out_end > c->hs_hw)
        c->hs_hw = c->hs_out_end;
    return CAPTLS_OK;
}

void captls_tls_flight_mark_switch(captls_tls_conn *c, bool ccs, int which)
{
    c->hs_switch_at = c->hs_out_end;
    c->hs_switch_ccs = ccs;
    c->hs_switch_which = (uint8_t)which;
}

void captls_tls_flight_final_switch(captls_tls_conn *c, int which)
{
    c->hs_final_which = (uint8_t)which;
}

void captls_tls_flight_ccs_first(captls_tls_conn *c)
{
    c->hs_ccs_first = true;
}

bool captls_tls_flight_pending(const captls_tls_conn *c)
{
    return c->hs_out_off != c->hs_out_end || c->hs_ccs_first ||
           c->hs_switch_at != SIZE_MAX || c->hs_final_which != SWITCH_NONE;
}

static const uint8_t *switch_secret(const captls_tls_conn *c, int which)
{
    const captls_tls_hs_state *h = c->hss;
    if (which == SWITCH_HANDSHAKE)
        return c->is_server ? h->s_hs : h->c_hs;
    return c->is_server ? h->s_ap : h->c_ap;
}

static captls_result write_ccs(captls_tls_conn *c, bool *done)
{
    static const uint8_t ccs = 1;
    *done = false;
    if (captls_tls_record_room(c) < 1)
        return CAPTLS_OK;
    /* RFC 8446 §D.4: the compatibility ChangeCipherSpec is a plaintext
     * record whatever keys are in use; write it with the keys set aside. */
    {
        captls_tls_record_keys saved = c->wr;
        captls_result r;
        c->wr.aead.alg = CAPTLS_AEAD_NONE;
        r = captls_tls_record_write(c, CAPTLS_CT_CHANGE_CIPHER_SPEC, &ccs, 1);
        c->wr = saved;
        captls_zeroize(&saved, sizeof saved);
        if (r != CAPTLS_OK)
            return r;
    }
    c->ccs_sent = true;
    *done = true;
    return CAPTLS_OK;
}

static captls_result do_switch(captls_tls_conn *c, int which)
{
    if (which == SWITCH_NONE)
        return CAPTLS_OK;
    return captls_tls_record_keys_set(&c->wr, c->suite, switch_secret(c, which));
}

captls_result captls_tls_flight_pump(captls_tls_conn *c)
{
    captls_result r;
    bool done;

    if (c->tx == NULL)
        return CAPTLS_OK;
    if (c->hs_ccs_first) {
        r = write_ccs(c, &done);
        if (r != CAPTLS_OK || !done)
            return r;
        c->hs_ccs_first = false;
    }
    for (;;) {
        size_t limit = c->hs_out_end, room, n;
        if (c->hs_switch_at != SIZE_MAX) {
            if (c->hs_out_off == c->hs_switch_at) {
                if (c->hs_switch_ccs) {
                    r = write_ccs(c, &done);
                    if (r != CAPTLS_OK || !done)
                        return r;
                    c->hs_switch_ccs = false;
                }
                r = do_switch(c, c->hs_switch_which);
                if (r != CAPTLS_OK)
                    return r;
                c->hs_switch_at = SIZE_MAX;
                continue;
            }
            limit = c->hs_switch_at;
        }
        if (c->hs_out_off == limit)
            break;
        room = captls_tls_record_room(c);
        if (room == 0)
            return CAPTLS_OK;
        n = limit - c->hs_out_off;
        if (n > room)
            n = room;
        r = captls_tls_record_write(c, CAPTLS_CT_HANDSHAKE, c->hs + c->hs_out_off, n);
        if (r != CAPTLS_OK)
            return r;
        c->hs_out_off += n;
    }
    if (c->hs_out_off == c->hs_out_end && c->hs_final_which != SWITCH_NONE) {
        r = do_switch(c, c->hs_final_which);
        if (r != CAPTLS_OK)
            return r;
        c->hs_final_which = SWITCH_NONE;
    }
    if (c->hs_out_off == c->hs_out_end) {
        if (c->hs_in_len == 0)
            c->hs_out_off = c->hs_out_end = 0;
    }
    return CAPTLS_OK;
}
