/* core/tls/msg_server_hello.c — ServerHello and HelloRetryRequest
 * (RFC 8446 §4.1.3, §4.1.4) decoder and encoder (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/extensions.h"
#include "core/tls/msg.h"

#define DECODE_ERROR CAPTLS_TLS_ERR(DECODE_ERROR)
#define ILLEGAL_PARAMETER CAPTLS_TLS_ERR(ILLEGAL_PARAMETER)

/* §4.1.3: "For reasons of backward compatibility with middleboxes ... the
 * HelloRetryRequest message uses the same structure as the ServerHello,
 * but with Random set to the special value of the SHA-256 of
 * "HelloRetryRequest"". */
const uint8_t captls_tls_hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
    0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
    0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static uint16_t be16(captls_slice d)
{
    return (uint16_t)((unsigned)d.ptr[0] << 8 | d.ptr[1]);
}

static captls_result sh_extension(captls_tls_server_hello *sh, uint16_t type,
                                  captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    switch (type) {
    case CAPTLS_EXT_SUPPORTED_VERSIONS:
        /* §4.2.1: ProtocolVersion selected_version; (SH and HRR) */
        if (d.len != 2)
            return DECODE_ERROR;
        sh->selected_version = be16(d);
        sh->ext_seen |= CAPTLS_SH_SEEN_SUPPORTED_VERSIONS;
        return CAPTLS_OK;
    case CAPTLS_EXT_KEY_SHARE:
        sh->ext_seen |= CAPTLS_SH_SEEN_KEY_SHARE;
        if (sh->is_hrr) {
            /* §4.2.8: struct { NamedGroup selected_group; } */
            if (d.len != 2)
                return DECODE_ERROR;
            sh->key_share_group = be16(d);
            return CAPTLS_OK;
        }
        /* struct { KeyShareEntry server_share; }, key_exchange<1..2^16-1> */
        sh->key_share_group = captls_tls_read_u16(&r);
        sh->key_share = captls_tls_read_vec(&r, 2, 1, 0xFFFF);
        return r.bad || r.len != 0 ? DECODE_ERROR : CAPTLS_OK;
    case CAPTLS_EXT_PRE_SHARED_KEY:
        if (sh->is_hrr)
            break;
        /* §4.2.11: uint16 selected_identity; */
        if (d.len != 2)
            return DECODE_ERROR;
        sh->selected_psk = be16(d);
        sh->ext_seen |= CAPTLS_SH_SEEN_PSK;
        return CAPTLS_OK;
    case CAPTLS_EXT_COOKIE:
        if (!sh->is_hrr)
            break;
        /* §4.2.2: struct { opaque cookie<1..2^16-1>; } Cookie; */
        sh->cookie = captls_tls_read_vec(&r, 2, 1, 0xFFFF);
        if (r.bad || r.len != 0)
            return DECODE_ERROR;
        sh->ext_seen |= CAPTLS_SH_SEEN_COOKIE;
        return CAPTLS_OK;
    default:
        break;
    }
    return captls_tls_ext_refuse(type, sh->is_hrr ? CAPTLS_EXT_IN_HRR
                                                  : CAPTLS_EXT_IN_SH);
}

static captls_result sh_decode(const uint8_t *body, size_t len,
                               captls_tls_server_hello *sh)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, body, len);
    /* struct { ProtocolVersion legacy_version = 0x0303; Random random;
     *   opaque legacy_session_id_echo<0..32>; CipherSuite cipher_suite;
     *   uint8 legacy_compression_method = 0;
     *   Extension extensions<6..2^16-1>; } ServerHello; */
    sh->legacy_version = captls_tls_read_u16(&r);
    sh->random = captls_tls_read_bytes(&r, CAPTLS_TLS_RANDOM_SIZE);
    sh->session_id_echo =
        captls_tls_read_vec(&r, 1, 0, CAPTLS_TLS_MAX_SESSION_ID);
    sh->cipher_suite = captls_tls_read_u16(&r);
    sh->compression = captls_tls_read_u8(&r);
    if (r.bad)
        return DECODE_ERROR;
    sh->is_hrr = memcmp(sh->random.ptr, captls_tls_hrr_random, 32) == 0;
    /* A pre-1.3 ServerHello may end here (RFC 5246 §7.4.1.3). */
    if (r.len == 0)
        return CAPTLS_OK;
    captls_slice block = captls_tls_read_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;

    /* Pass 1: structure and duplicates; is this a TLS 1.3 ServerHello? */
    captls_tls_ext_iter it;
    uint16_t type;
    captls_slice d;
    captls_result e;
    bool tls13 = false;
    captls_tls_ext_iter_init(&it, block);
    while ((e = captls_tls_ext_next(&it, &type, &d)) == CAPTLS_OK)
        tls13 = tls13 || type == CAPTLS_EXT_SUPPORTED_VERSIONS;
    if (e != CAPTLS_EOF)
        return e;
    /* Without supported_versions this is a TLS 1.2 (or older) ServerHello,
     * whose extensions follow TLS 1.2's rules: leave them, selected_version
     * stays 0 and the engine answers protocol_version. */
    if (!tls13)
        return CAPTLS_OK;
    /* §4.1.3: "legacy_compression_method: A single byte which MUST have
     * the value 0." */
    if (sh->compression != 0)
        return ILLEGAL_PARAMETER;
    /* Pass 2: the TLS 1.3 meaning of each extension. */
    captls_tls_ext_iter_init(&it, block);
    while ((e = captls_tls_ext_next(&it, &type, &d)) == CAPTLS_OK)
        CAPTLS_TRY(sh_extension(sh, type, d));
    return e == CAPTLS_EOF ? CAPTLS_OK : e;
}

captls_result captls_tls_server_hello_decode(const uint8_t *body, size_t len,
                                             captls_tls_server_hello *out)
{
    memset(out, 0, sizeof *out);
    captls_result e = sh_decode(body, len, out);
    if (e != CAPTLS_OK)
        memset(out, 0, sizeof *out);
    return e;
}

captls_result captls_tls_server_hello_encode(
    captls_tls_writer *w, const captls_tls_server_hello_params *p)
{
    if ((!p->is_hrr && (p->random == NULL || p->key_share_len == 0 ||
                        p->key_share_len > 0xFFFF)) ||
        p->session_id_len > CAPTLS_TLS_MAX_SESSION_ID ||
        (p->session_id_len != 0 && p->session_id == NULL) ||
        (p->is_hrr && p->cookie_len > 0xFFFF))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_SERVER_HELLO);
    captls_tls_write_u16(w, CAPTLS_TLS_VERSION_12);
    captls_tls_write_bytes(w, p->is_hrr ? captls_tls_hrr_random : p->random,
                           CAPTLS_TLS_RANDOM_SIZE);
    size_t m = captls_tls_writer_open_vec(w, 1);
    captls_tls_write_bytes(w, p->session_id, p->session_id_len);
    captls_tls_writer_close_vec(w, m);
    captls_tls_write_u16(w, p->cipher_suite);
    captls_tls_write_u8(w, 0);
    size_t exts = captls_tls_writer_open_vec(w, 2);
    if (p->is_hrr) {
        /* RFC 8448 §5 order: key_share, cookie, supported_versions. A
         * group of 0 omits key_share (an HRR for the cookie alone). */
        if (p->key_share_group != 0) {
            captls_tls_write_u16(w, CAPTLS_EXT_KEY_SHARE);
            captls_tls_write_u16(w, 2);
            captls_tls_write_u16(w, p->key_share_group);
        }
        if (p->cookie_len != 0) {
            captls_tls_write_u16(w, CAPTLS_EXT_COOKIE);
            size_t e = captls_tls_writer_open_vec(w, 2);
            size_t c = captls_tls_writer_open_vec(w, 2);
            captls_tls_write_bytes(w, p->cookie, p->cookie_len);
            captls_tls_writer_close_vec(w, c);
            captls_tls_writer_close_vec(w, e);
        }
    } else {
        /* RFC 8448 order: pre_shared_key (§4 resumption), key_share */
        if (p->have_psk) {
            captls_tls_write_u16(w, CAPTLS_EXT_PRE_SHARED_KEY);
            captls_tls_write_u16(w, 2);
            captls_tls_write_u16(w, p->selected_psk);
        }
        captls_tls_write_u16(w, CAPTLS_EXT_KEY_SHARE);
        size_t e = captls_tls_writer_open_vec(w, 2);
        captls_tls_write_u16(w, p->key_share_group);
        size_t k = captls_tls_writer_open_vec(w, 2);
        captls_tls_write_bytes(w, p->key_share, p->key_share_len);
        captls_tls_writer_close_vec(w, k);
        captls_tls_writer_close_vec(w, e);
    }
    /* §4.1.4: "The server's extensions MUST contain "supported_versions"." */
    captls_tls_write_u16(w, CAPTLS_EXT_SUPPORTED_VERSIONS);
    captls_tls_write_u16(w, 2);
    captls_tls_write_u16(w, CAPTLS_TLS_VERSION_13);
    captls_tls_writer_close_vec(w, exts);
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}
