/* core/tls/msg_key_update.c — KeyUpdate (RFC 8446 §4.6.3) decoder and
 * encoder (see core/tls/msg.h). */
#include "core/tls/msg.h"

captls_result captls_tls_key_update_decode(const uint8_t *body, size_t len,
                                           bool *update_requested)
{
    *update_requested = false;
    /* enum { update_not_requested(0), update_requested(1), (255) }
     * KeyUpdateRequest; struct { KeyUpdateRequest request_update; } */
    if (len != 1 || body == NULL)
        return CAPTLS_TLS_ERR(DECODE_ERROR);
    /* "If an implementation receives any other value, it MUST terminate
     * the connection with an "illegal_parameter" alert." */
    if (body[0] > 1)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    *update_requested = body[0] == 1;
    return CAPTLS_OK;
}

captls_result captls_tls_key_update_encode(captls_tls_writer *w,
                                           bool update_requested)
{
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_KEY_UPDATE);
    captls_tls_write_u8(w, update_requested ? 1 : 0);
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}
