/* core/tls/msg_new_session_ticket.c — NewSessionTicket (RFC 8446 §4.6.1)
 * decoder and encoder (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/extensions.h"
#include "core/tls/msg.h"

#define DECODE_ERROR CAPTLS_TLS_ERR(DECODE_ERROR)

static captls_result nst_decode(const uint8_t *body, size_t len,
                                captls_tls_new_session_ticket *t)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, body, len);
    /* struct { uint32 ticket_lifetime; uint32 ticket_age_add;
     *   opaque ticket_nonce<0..255>; opaque ticket<1..2^16-1>;
     *   Extension extensions<0..2^16-2>; } NewSessionTicket; */
    t->lifetime = captls_tls_read_u32(&r);
    t->age_add = captls_tls_read_u32(&r);
    t->nonce = captls_tls_read_vec(&r, 1, 0, 255);
    t->ticket = captls_tls_read_vec(&r, 2, 1, 0xFFFF);
    captls_slice block = captls_tls_read_vec(&r, 2, 0, 0xFFFE);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    /* "Servers MUST NOT use any value greater than 604800 seconds (7
     * days)" — a value the RFC forbids outright. */
    if (t->lifetime > 604800u)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    captls_tls_ext_iter it;
    uint16_t type;
    captls_slice d;
    captls_result e;
    captls_tls_ext_iter_init(&it, block);
    while ((e = captls_tls_ext_next(&it, &type, &d)) == CAPTLS_OK) {
        if (type == CAPTLS_EXT_EARLY_DATA) {
            /* §4.2.10: struct { uint32 max_early_data_size; } */
            if (d.len != 4)
                return DECODE_ERROR;
            t->early_data = true;
            continue;
        }
        /* §4.6.1: "Clients MUST ignore unrecognized extensions"; a
         * recognized one §4.2 does not allow here is illegal_parameter. */
        unsigned in = captls_tls_ext_allowed_in(type);
        if (in != 0 && (in & CAPTLS_EXT_IN_NST) == 0)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    }
    return e == CAPTLS_EOF ? CAPTLS_OK : e;
}

captls_result captls_tls_new_session_ticket_decode(
    const uint8_t *body, size_t len, captls_tls_new_session_ticket *out)
{
    memset(out, 0, sizeof *out);
    captls_result e = nst_decode(body, len, out);
    if (e != CAPTLS_OK)
        memset(out, 0, sizeof *out);
    return e;
}

captls_result captls_tls_new_session_ticket_encode(
    captls_tls_writer *w, uint32_t lifetime, uint32_t age_add,
    const uint8_t *nonce, size_t nonce_len, const uint8_t *ticket,
    size_t ticket_len)
{
    if (lifetime > 604800u || nonce_len > 255 ||
        (nonce_len != 0 && nonce == NULL) || ticket_len == 0 ||
        ticket_len > 0xFFFF || ticket == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_NEW_SESSION_TICKET);
    captls_tls_write_u32(w, lifetime);
    captls_tls_write_u32(w, age_add);
    size_t m = captls_tls_writer_open_vec(w, 1);
    captls_tls_write_bytes(w, nonce, nonce_len);
    captls_tls_writer_close_vec(w, m);
    m = captls_tls_writer_open_vec(w, 2);
    captls_tls_write_bytes(w, ticket, ticket_len);
    captls_tls_writer_close_vec(w, m);
    captls_tls_write_u16(w, 0); /* no extensions (no early data) */
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}
