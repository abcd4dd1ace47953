/* core/tls/msg_encrypted_extensions.c — EncryptedExtensions (RFC 8446
 * §4.3.1) decoder and encoder (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/extensions.h"
#include "core/tls/msg.h"

#define DECODE_ERROR CAPTLS_TLS_ERR(DECODE_ERROR)

static captls_result ee_extension(captls_tls_encrypted_extensions *ee,
                                  uint16_t type, captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    bool ok;
    switch (type) {
    case CAPTLS_EXT_SERVER_NAME:
        /* RFC 6066 §3: "the "extension_data" field of this extension SHALL
         * be empty" (in the server's answer). */
        if (d.len != 0)
            return DECODE_ERROR;
        ee->server_name_ack = true;
        return CAPTLS_OK;
    case CAPTLS_EXT_SUPPORTED_GROUPS:
        /* §4.2.7: the server's preference; well formed, then ignored. */
        (void)captls_tls_ext_u16_list(d, 2, 0xFFFF, &ok);
        if (!ok)
            return DECODE_ERROR;
        ee->has_supported_groups = true;
        return CAPTLS_OK;
    case CAPTLS_EXT_ALPN: {
        /* RFC 7301 §3.1: "the "ProtocolNameList" MUST contain exactly one
         * "ProtocolName"." */
        captls_slice list = captls_tls_read_vec(&r, 2, 2, 0xFFFF);
        if (r.bad || r.len != 0)
            return DECODE_ERROR;
        captls_tls_reader l;
        captls_tls_reader_init(&l, list.ptr, list.len);
        ee->alpn = captls_tls_read_vec(&l, 1, 1, 255);
        if (l.bad || l.len != 0)
            return DECODE_ERROR;
        return CAPTLS_OK;
    }
    case CAPTLS_EXT_RECORD_SIZE_LIMIT:
        /* RFC 8449 §4: uint16; below 64 is illegal_parameter. */
        if (d.len != 2)
            return DECODE_ERROR;
        ee->record_size_limit = (uint16_t)((unsigned)d.ptr[0] << 8 | d.ptr[1]);
        if (ee->record_size_limit < 64)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        ee->has_record_size_limit = true;
        return CAPTLS_OK;
    case CAPTLS_EXT_EARLY_DATA:
        /* §4.2.10: empty in EncryptedExtensions */
        if (d.len != 0)
            return DECODE_ERROR;
        ee->early_data = true;
        return CAPTLS_OK;
    default:
        /* max_fragment_length, use_srtp, heartbeat, certificate types: we
         * never offer them (unsupported_extension); extensions §4.2 does
         * not allow here: illegal_parameter; unknown: unsupported. */
        return captls_tls_ext_refuse(type, CAPTLS_EXT_IN_EE);
    }
}

static captls_result ee_decode(const uint8_t *body, size_t len,
                               captls_tls_encrypted_extensions *ee)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, body, len);
    /* struct { Extension extensions<0..2^16-1>; } EncryptedExtensions; */
    captls_slice block = captls_tls_read_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    captls_tls_ext_iter it;
    uint16_t type;
    captls_slice d;
    captls_result e;
    captls_tls_ext_iter_init(&it, block);
    while ((e = captls_tls_ext_next(&it, &type, &d)) == CAPTLS_OK)
        CAPTLS_TRY(ee_extension(ee, type, d));
    return e == CAPTLS_EOF ? CAPTLS_OK : e;
}

captls_result captls_tls_encrypted_extensions_decode(
    const uint8_t *body, size_t len, captls_tls_encrypted_extensions *out)
{
    memset(out, 0, sizeof *out);
    captls_result e = ee_decode(body, len, out);
    if (e != CAPTLS_OK)
        memset(out, 0, sizeof *out);
    return e;
}

captls_result captls_tls_encrypted_extensions_encode(
    captls_tls_writer *w, const captls_tls_encrypted_extensions_params *p)
{
    if (p->alpn_len > 255 || (p->alpn_len != 0 && p->alpn == NULL) ||
        p->group_count > 0x7FFF ||
        (p->record_size_limit != 0 && p->record_size_limit < 64))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_ENCRYPTED_EXTENSIONS);
    size_t exts = captls_tls_writer_open_vec(w, 2);
    /* RFC 8448 §3 order: supported_groups, record_size_limit, server_name;
     * then ALPN. */
    if (p->group_count != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_SUPPORTED_GROUPS);
        size_t e = captls_tls_writer_open_vec(w, 2);
        size_t l = captls_tls_writer_open_vec(w, 2);
        for (size_t i = 0; i < p->group_count; i++)
            captls_tls_write_u16(w, p->groups[i]);
        captls_tls_writer_close_vec(w, l);
        captls_tls_writer_close_vec(w, e);
    }
    if (p->record_size_limit != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_RECORD_SIZE_LIMIT);
        captls_tls_write_u16(w, 2);
        captls_tls_write_u16(w, p->record_size_limit);
    }
    if (p->server_name_ack) {
        captls_tls_write_u16(w, CAPTLS_EXT_SERVER_NAME);
        captls_tls_write_u16(w, 0);
    }
    if (p->alpn_len != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_ALPN);
        captls_tls_write_u16(w, (uint16_t)(p->alpn_len + 3));
        captls_tls_write_u16(w, (uint16_t)(p->alpn_len + 1));
        captls_tls_write_u8(w, (uint8_t)p->alpn_len);
        captls_tls_write_bytes(w, p->alpn, p->alpn_len);
    }
    captls_tls_writer_close_vec(w, exts);
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}
