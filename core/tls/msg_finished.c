/* core/tls/msg_finished.c — Finished (RFC 8446 §4.4.4) decoder and encoder
 * (see core/tls/msg.h). The verify_data comparison (constant time) is the
 * engine's. */
#include "core/tls/msg.h"

captls_result captls_tls_finished_decode(const uint8_t *body, size_t len,
                                         size_t hash_len,
                                         captls_slice *verify_data)
{
    verify_data->ptr = NULL;
    verify_data->len = 0;
    /* struct { opaque verify_data[Hash.length]; } Finished; */
    if (hash_len == 0 || len != hash_len || body == NULL)
        return CAPTLS_TLS_ERR(DECODE_ERROR);
    verify_data->ptr = body;
    verify_data->len = len;
    return CAPTLS_OK;
}

captls_result captls_tls_finished_encode(captls_tls_writer *w,
                                         const uint8_t *verify_data,
                                         size_t len)
{
    if (len == 0 || len > 64 || verify_data == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_FINISHED);
    captls_tls_write_bytes(w, verify_data, len);
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}
