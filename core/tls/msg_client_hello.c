/* core/tls/msg_client_hello.c — ClientHello (RFC 8446 §4.1.2) decoder and
 * encoder (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/extensions.h"
#include "core/tls/msg.h"

#define DECODE_ERROR CAPTLS_TLS_ERR(DECODE_ERROR)
#define ILLEGAL_PARAMETER CAPTLS_TLS_ERR(ILLEGAL_PARAMETER)

/* ---- decoder ----------------------------------------------------------- */

/* RFC 6066 §3: struct { NameType name_type; select (name_type) {
 * case host_name: HostName; } name; } ServerName;
 * ServerName server_name_list<1..2^16-1>; HostName opaque<1..2^16-1>.
 * "The ServerNameList MUST NOT contain more than one name of the same
 * name_type." Only host_name(0) is defined and an entry of another type
 * cannot be delimited, so the list must be exactly one host_name (as
 * OpenSSL): decode_error otherwise. A name longer than 255 bytes (no DNS
 * name is) or holding a NUL byte is unrecognized_name (RFC 6066 §3, as
 * OpenSSL). */
static captls_result ch_server_name(captls_tls_client_hello *ch, captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    captls_slice list = captls_tls_read_vec(&r, 2, 1, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    captls_tls_reader l;
    captls_tls_reader_init(&l, list.ptr, list.len);
    uint8_t name_type = captls_tls_read_u8(&l);
    captls_slice name = captls_tls_read_vec(&l, 2, 1, 0xFFFF);
    if (l.bad || l.len != 0 || name_type != 0)
        return DECODE_ERROR;
    if (name.len > 255)
        return CAPTLS_TLS_ERR(UNRECOGNIZED_NAME);
    for (size_t i = 0; i < name.len; i++)
        if (name.ptr[i] == 0)
            return CAPTLS_TLS_ERR(UNRECOGNIZED_NAME);
    ch->server_name = name;
    return CAPTLS_OK;
}

/* RFC 8446 §4.2.8: KeyShareEntry client_shares<0..2^16-1>;
 * struct { NamedGroup group; opaque key_exchange<1..2^16-1>; }.
 * "Clients MUST NOT offer multiple KeyShareEntry values for the same
 * group ... Servers MAY check for violations of these rules and abort the
 * handshake with an "illegal_parameter" alert." More entries than
 * CAPTLS_TLS_MAX_KEY_SHARES (real clients send 1 to 3) are refused with
 * illegal_parameter: we keep a fixed table. */
static captls_result ch_key_share(captls_tls_client_hello *ch, captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    captls_slice list = captls_tls_read_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    captls_tls_reader l;
    captls_tls_reader_init(&l, list.ptr, list.len);
    ch->key_share_count = 0;
    while (l.len != 0) {
        uint16_t group = captls_tls_read_u16(&l);
        captls_slice kx = captls_tls_read_vec(&l, 2, 1, 0xFFFF);
        if (l.bad)
            return DECODE_ERROR;
        for (size_t i = 0; i < ch->key_share_count; i++)
            if (ch->key_shares[i].group == group)
                return ILLEGAL_PARAMETER;
        if (ch->key_share_count == CAPTLS_TLS_MAX_KEY_SHARES)
            return ILLEGAL_PARAMETER;
        ch->key_shares[ch->key_share_count].group = group;
        ch->key_shares[ch->key_share_count].key_exchange = kx;
        ch->key_share_count++;
    }
    return CAPTLS_OK;
}

/* RFC 7301 §3.1: ProtocolName protocol_name_list<2..2^16-1>;
 * opaque ProtocolName<1..2^8-1>. Empty names do not parse. */
static bool alpn_list_ok(captls_slice list)
{
    captls_tls_reader l;
    captls_tls_reader_init(&l, list.ptr, list.len);
    while (l.len != 0) {
        (void)captls_tls_read_vec(&l, 1, 1, 255);
        if (l.bad)
            return false;
    }
    return true;
}

static captls_result ch_alpn(captls_tls_client_hello *ch, captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    captls_slice list = captls_tls_read_vec(&r, 2, 2, 0xFFFF);
    if (r.bad || r.len != 0 || !alpn_list_ok(list))
        return DECODE_ERROR;
    ch->alpn = list;
    return CAPTLS_OK;
}

/* RFC 6066 §8: struct { CertificateStatusType status_type; select
 * (status_type) { case ocsp: OCSPStatusRequest; } request; }
 * OCSPStatusRequest { ResponderID responder_id_list<0..2^16-1>;
 * Extensions request_extensions; } ResponderID opaque<1..2^16-1>;
 * Extensions opaque<0..2^16-1>. An OCSP request is checked in full and
 * recorded; another status_type cannot be delimited and is ignored (as
 * OpenSSL): the client asked for something we do not offer. */
static captls_result ch_status_request(captls_tls_client_hello *ch,
                                       captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    uint8_t type = captls_tls_read_u8(&r);
    if (r.bad)
        return DECODE_ERROR;
    if (type != 1)
        return CAPTLS_OK;
    captls_slice ids = captls_tls_read_vec(&r, 2, 0, 0xFFFF);
    (void)captls_tls_read_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    captls_tls_reader l;
    captls_tls_reader_init(&l, ids.ptr, ids.len);
    while (l.len != 0) {
        (void)captls_tls_read_vec(&l, 2, 1, 0xFFFF);
        if (l.bad)
            return DECODE_ERROR;
    }
    ch->ext_seen |= CAPTLS_CH_SEEN_STATUS_REQUEST;
    return CAPTLS_OK;
}

/* RFC 8446 §4.2.11: struct { PskIdentity identities<7..2^16-1>;
 * PskBinderEntry binders<33..2^16-1>; } OfferedPsks;
 * struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; }
 * PskIdentity; opaque PskBinderEntry<32..255>.
 * Identities beyond CAPTLS_TLS_MAX_PSK_IDENTITIES are parsed but not kept
 * (the server may pick any one; binders are checked for the one picked);
 * the two lists must still have the same length (illegal_parameter). */
static captls_result ch_psk(captls_tls_client_hello *ch, captls_slice d,
                            const uint8_t *body)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    captls_slice ids = captls_tls_read_vec(&r, 2, 7, 0xFFFF);
    size_t binders_offset = (size_t)(r.p - body);
    captls_slice binders = captls_tls_read_vec(&r, 2, 33, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    size_t nid = 0, nb = 0;
    captls_tls_reader l;
    captls_tls_reader_init(&l, ids.ptr, ids.len);
    while (l.len != 0) {
        captls_slice id = captls_tls_read_vec(&l, 2, 1, 0xFFFF);
        uint32_t age = captls_tls_read_u32(&l);
        if (l.bad)
            return DECODE_ERROR;
        if (nid < CAPTLS_TLS_MAX_PSK_IDENTITIES) {
            ch->psk_identity[nid] = id;
            ch->psk_obfuscated_age[nid] = age;
        }
        nid++;
    }
    captls_tls_reader_init(&l, binders.ptr, binders.len);
    while (l.len != 0) {
        captls_slice b = captls_tls_read_vec(&l, 1, 32, 255);
        if (l.bad)
            return DECODE_ERROR;
        if (nb < CAPTLS_TLS_MAX_PSK_IDENTITIES)
            ch->psk_binder[nb] = b;
        nb++;
    }
    /* §4.2.11.2: each binder corresponds to the identity at its index. */
    if (nid != nb)
        return ILLEGAL_PARAMETER;
    ch->psk_count = nid < CAPTLS_TLS_MAX_PSK_IDENTITIES
                        ? nid
                        : CAPTLS_TLS_MAX_PSK_IDENTITIES;
    ch->binders_offset = binders_offset;
    return CAPTLS_OK;
}

/* An extension whose extension_data must be empty. */
static captls_result empty_ext(captls_slice d)
{
    return d.len == 0 ? CAPTLS_OK : DECODE_ERROR;
}

static captls_result ch_extension(captls_tls_client_hello *ch, uint16_t type,
                                  captls_slice d, const uint8_t *body)
{
    bool ok = true;
    captls_tls_reader r;
    switch (type) {
    case CAPTLS_EXT_SERVER_NAME:
        ch->ext_seen |= CAPTLS_CH_SEEN_SERVER_NAME;
        return ch_server_name(ch, d);
    case CAPTLS_EXT_MAX_FRAGMENT_LENGTH:
        /* RFC 6066 §4: enum{ 2^9(1), 2^10(2), 2^11(3), 2^12(4) }; "If a
         * server receives a maximum fragment length negotiation request
         * for a value other than the allowed values, it MUST abort the
         * handshake with an "illegal_parameter" alert." */
        if (d.len != 1)
            return DECODE_ERROR;
        if (d.ptr[0] < 1 || d.ptr[0] > 4)
            return ILLEGAL_PARAMETER;
        ch->ext_seen |= CAPTLS_CH_SEEN_MAX_FRAGMENT_LENGTH;
        return CAPTLS_OK;
    case CAPTLS_EXT_STATUS_REQUEST:
        return ch_status_request(ch, d);
    case CAPTLS_EXT_SUPPORTED_GROUPS:
        /* RFC 8446 §4.2.7: NamedGroup named_group_list<2..2^16-1>; */
        ch->supported_groups = captls_tls_ext_u16_list(d, 2, 0xFFFF, &ok);
        ch->ext_seen |= CAPTLS_CH_SEEN_SUPPORTED_GROUPS;
        break;
    case CAPTLS_EXT_SIGNATURE_ALGORITHMS:
        /* §4.2.3: supported_signature_algorithms<2..2^16-2>; */
        ch->sig_algs = captls_tls_ext_u16_list(d, 2, 0xFFFE, &ok);
        ch->ext_seen |= CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS;
        break;
    case CAPTLS_EXT_SIGNATURE_ALGORITHMS_CERT:
        ch->sig_algs_cert = captls_tls_ext_u16_list(d, 2, 0xFFFE, &ok);
        ch->ext_seen |= CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS_CERT;
        break;
    case CAPTLS_EXT_SUPPORTED_VERSIONS: {
        /* §4.2.1: ProtocolVersion versions<2..254>; (in a ClientHello) */
        captls_tls_reader_init(&r, d.ptr, d.len);
        captls_slice v = captls_tls_read_vec(&r, 1, 2, 254);
        if (r.bad || r.len != 0 || v.len % 2 != 0)
            return DECODE_ERROR;
        ch->supported_versions = v;
        ch->ext_seen |= CAPTLS_CH_SEEN_SUPPORTED_VERSIONS;
        return CAPTLS_OK;
    }
    case CAPTLS_EXT_ALPN:
        ch->ext_seen |= CAPTLS_CH_SEEN_ALPN;
        return ch_alpn(ch, d);
    case CAPTLS_EXT_SCT:
        /* RFC 6962 §3.3.1: the ClientHello extension has empty
         * "extension_data". */
        ch->ext_seen |= CAPTLS_CH_SEEN_SCT;
        return empty_ext(d);
    case CAPTLS_EXT_RECORD_SIZE_LIMIT:
        /* RFC 8449 §4: uint16 RecordSizeLimit; "An endpoint MUST treat
         * receipt of a smaller value [than 64] as a fatal error and
         * generate an "illegal_parameter" alert." */
        if (d.len != 2)
            return DECODE_ERROR;
        ch->record_size_limit = (uint16_t)((unsigned)d.ptr[0] << 8 | d.ptr[1]);
        if (ch->record_size_limit < 64)
            return ILLEGAL_PARAMETER;
        ch->ext_seen |= CAPTLS_CH_SEEN_RECORD_SIZE_LIMIT;
        return CAPTLS_OK;
    case CAPTLS_EXT_PRE_SHARED_KEY:
        ch->ext_seen |= CAPTLS_CH_SEEN_PSK;
        return ch_psk(ch, d, body);
    case CAPTLS_EXT_EARLY_DATA:
        ch->ext_seen |= CAPTLS_CH_SEEN_EARLY_DATA;
        return empty_ext(d); /* §4.2.10: empty in a ClientHello */
    case CAPTLS_EXT_COOKIE: {
        /* §4.2.2: struct { opaque cookie<1..2^16-1>; } Cookie; */
        captls_tls_reader_init(&r, d.ptr, d.len);
        ch->cookie = captls_tls_read_vec(&r, 2, 1, 0xFFFF);
        if (r.bad || r.len != 0)
            return DECODE_ERROR;
        ch->ext_seen |= CAPTLS_CH_SEEN_COOKIE;
        return CAPTLS_OK;
    }
    case CAPTLS_EXT_PSK_KEY_EXCHANGE_MODES: {
        /* §4.2.9: PskKeyExchangeMode ke_modes<1..255>; unknown modes are
         * ignored (the server selects among those it knows). */
        captls_tls_reader_init(&r, d.ptr, d.len);
        captls_slice m = captls_tls_read_vec(&r, 1, 1, 255);
        if (r.bad || r.len != 0)
            return DECODE_ERROR;
        for (size_t i = 0; i < m.len; i++) {
            if (m.ptr[i] == 0)
                ch->psk_modes |= CAPTLS_PSK_MODE_KE_BIT;
            else if (m.ptr[i] == 1)
                ch->psk_modes |= CAPTLS_PSK_MODE_DHE_KE_BIT;
        }
        ch->ext_seen |= CAPTLS_CH_SEEN_PSK_MODES;
        return CAPTLS_OK;
    }
    case CAPTLS_EXT_POST_HANDSHAKE_AUTH:
        ch->ext_seen |= CAPTLS_CH_SEEN_POST_HANDSHAKE_AUTH;
        return empty_ext(d); /* §4.2.6: empty */
    case CAPTLS_EXT_KEY_SHARE:
        ch->ext_seen |= CAPTLS_CH_SEEN_KEY_SHARE;
        return ch_key_share(ch, d);
    default: {
        unsigned in = captls_tls_ext_allowed_in(type);
        /* §4.2: a recognized extension not specified for the ClientHello
         * (oid_filters) is illegal_parameter. Known ones we do not use
         * (padding, certificate_authorities, ...) and unknown ones
         * (renegotiation_info, session_ticket, ec_point_formats,
         * extended_master_secret, GREASE, ...) are skipped. */
        if (in != 0 && (in & CAPTLS_EXT_IN_CH) == 0)
            return ILLEGAL_PARAMETER;
        if (in == 0)
            ch->ext_seen |= CAPTLS_CH_SEEN_UNKNOWN;
        return CAPTLS_OK;
    }
    }
    return ok ? CAPTLS_OK : DECODE_ERROR;
}

static captls_result ch_decode(const uint8_t *body, size_t len,
                               captls_tls_client_hello *ch)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, body, len);
    /* struct { ProtocolVersion legacy_version; Random random;
     *   opaque legacy_session_id<0..32>;
     *   CipherSuite cipher_suites<2..2^16-2>;
     *   opaque legacy_compression_methods<1..2^8-1>;
     *   Extension extensions<8..2^16-1>; } ClientHello; */
    ch->legacy_version = captls_tls_read_u16(&r);
    ch->random = captls_tls_read_bytes(&r, CAPTLS_TLS_RANDOM_SIZE);
    ch->session_id = captls_tls_read_vec(&r, 1, 0, CAPTLS_TLS_MAX_SESSION_ID);
    ch->cipher_suites = captls_tls_read_vec(&r, 2, 2, 0xFFFE);
    ch->compression = captls_tls_read_vec(&r, 1, 1, 255);
    if (r.bad || ch->cipher_suites.len % 2 != 0)
        return DECODE_ERROR;
    /* §4.1.2: "servers MUST check that the message either contains no data
     * after legacy_compression_methods or that it contains a valid
     * extensions block with no data following." No block (or a short one)
     * is a pre-1.3 ClientHello: decoded with ext_seen 0 so the engine can
     * answer protocol_version. */
    if (r.len == 0)
        return CAPTLS_OK;
    captls_slice block = captls_tls_read_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    captls_tls_ext_iter it;
    captls_tls_ext_iter_init(&it, block);
    for (;;) {
        uint16_t type;
        captls_slice d;
        captls_result e = captls_tls_ext_next(&it, &type, &d);
        if (e == CAPTLS_EOF)
            break;
        if (e != CAPTLS_OK)
            return e;
        /* §4.2.11: "The "pre_shared_key" extension MUST be the last
         * extension in the ClientHello ... Servers MUST check that it is
         * the last extension and otherwise fail the handshake with an
         * "illegal_parameter" alert." */
        if ((ch->ext_seen & CAPTLS_CH_SEEN_PSK) != 0)
            return ILLEGAL_PARAMETER;
        CAPTLS_TRY(ch_extension(ch, type, d, body));
    }
    /* §4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups
     * not listed in the client's "supported_groups" extension. Servers MAY
     * check for violations of these rules and abort the handshake with an
     * "illegal_parameter" alert if one is violated." (Presence rules of
     * §9.2 — key_share without supported_groups — are the engine's.) */
    if ((ch->ext_seen & CAPTLS_CH_SEEN_SUPPORTED_GROUPS) != 0)
        for (size_t i = 0; i < ch->key_share_count; i++)
            if (!captls_tls_u16_list_has(ch->supported_groups,
                                         ch->key_shares[i].group))
                return ILLEGAL_PARAMETER;
    return CAPTLS_OK;
}

captls_result captls_tls_client_hello_decode(const uint8_t *body, size_t len,
                                             captls_tls_client_hello *out)
{
    memset(out, 0, sizeof *out);
    captls_result e = ch_decode(body, len, out);
    if (e != CAPTLS_OK)
        memset(out, 0, sizeof *out);
    return e;
}

/* ---- encoder ----------------------------------------------------------- */

static bool params_ok(const captls_tls_client_hello_params *p)
{
    if (p->random == NULL || p->suite_count == 0 || p->suite_count > 0x7FFF ||
        p->session_id_len > CAPTLS_TLS_MAX_SESSION_ID ||
        (p->session_id_len != 0 && p->session_id == NULL) ||
        p->server_name_len > 255 || p->group_count == 0 ||
        p->group_count > 0x7FFF ||
        p->sig_alg_count == 0 || p->sig_alg_count > 0x7FFF ||
        p->sig_alg_cert_count > 0x7FFF || p->cookie_len > 0xFFFF ||
        p->psk_count > CAPTLS_TLS_MAX_PSK_IDENTITIES ||
        p->share_count > CAPTLS_TLS_MAX_KEY_SHARES)
        return false;
    /* §4.2.8: one share per group, each a group of supported_groups */
    for (size_t i = 0; i < p->share_count; i++) {
        bool listed = false;
        if (p->shares[i].key_exchange.len == 0 ||
            p->shares[i].key_exchange.len > 0xFFFF)
            return false;
        for (size_t j = 0; j < p->group_count; j++)
            listed = listed || p->groups[j] == p->shares[i].group;
        for (size_t j = 0; j < i; j++)
            if (p->shares[j].group == p->shares[i].group)
                return false;
        if (!listed)
            return false;
    }
    for (size_t i = 0; i < p->alpn_count; i++) {
        size_t n = strlen(p->alpn[i]);
        if (n == 0 || n > 255)
            return false;
    }
    if (p->psk_count != 0) {
        /* §4.2.9: "A client MUST provide a "psk_key_exchange_modes"
         * extension if it offers a "pre_shared_key" extension." */
        if (!p->psk_modes_dhe || p->psk_binder_len < 32 ||
            p->psk_binder_len > 255)
            return false;
        for (size_t i = 0; i < p->psk_count; i++)
            if (p->psk_identity[i].len == 0 || p->psk_identity[i].len > 0xFFFF)
                return false;
    }
    return true;
}

static void u16_list(captls_tls_writer *w, unsigned len_bytes,
                     const uint16_t *v, size_t n)
{
    size_t m = captls_tls_writer_open_vec(w, len_bytes);
    for (size_t i = 0; i < n; i++)
        captls_tls_write_u16(w, v[i]);
    captls_tls_writer_close_vec(w, m);
}

captls_result captls_tls_client_hello_encode(
    captls_tls_writer *w, const captls_tls_client_hello_params *p,
    size_t *binders_offset)
{
    if (!params_ok(p))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t start = w->len;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_CLIENT_HELLO);
    captls_tls_write_u16(w, CAPTLS_TLS_VERSION_12); /* §4.1.2 legacy_version */
    captls_tls_write_bytes(w, p->random, CAPTLS_TLS_RANDOM_SIZE);
    size_t m = captls_tls_writer_open_vec(w, 1);
    captls_tls_write_bytes(w, p->session_id, p->session_id_len);
    captls_tls_writer_close_vec(w, m);
    u16_list(w, 2, p->suites, p->suite_count);
    captls_tls_write_u8(w, 1); /* legacy_compression_methods = { null } */
    captls_tls_write_u8(w, 0);
    size_t exts = captls_tls_writer_open_vec(w, 2);

    if (p->server_name_len != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_SERVER_NAME);
        size_t e = captls_tls_writer_open_vec(w, 2);
        size_t l = captls_tls_writer_open_vec(w, 2);
        captls_tls_write_u8(w, 0); /* host_name */
        size_t n = captls_tls_writer_open_vec(w, 2);
        captls_tls_write_bytes(w, p->server_name, p->server_name_len);
        captls_tls_writer_close_vec(w, n);
        captls_tls_writer_close_vec(w, l);
        captls_tls_writer_close_vec(w, e);
    }
    /* supported_groups and key_share: always sent (§9.2; an empty
     * client_shares asks for an HRR, §4.2.8) */
    captls_tls_write_u16(w, CAPTLS_EXT_SUPPORTED_GROUPS);
    size_t e = captls_tls_writer_open_vec(w, 2);
    u16_list(w, 2, p->groups, p->group_count);
    captls_tls_writer_close_vec(w, e);
    captls_tls_write_u16(w, CAPTLS_EXT_KEY_SHARE);
    e = captls_tls_writer_open_vec(w, 2);
    size_t l = captls_tls_writer_open_vec(w, 2);
    for (size_t i = 0; i < p->share_count; i++) {
        captls_tls_write_u16(w, p->shares[i].group);
        size_t k = captls_tls_writer_open_vec(w, 2);
        captls_tls_write_bytes(w, p->shares[i].key_exchange.ptr,
                               p->shares[i].key_exchange.len);
        captls_tls_writer_close_vec(w, k);
    }
    captls_tls_writer_close_vec(w, l);
    captls_tls_writer_close_vec(w, e);
    /* supported_versions: TLS 1.3 only */
    captls_tls_write_u16(w, CAPTLS_EXT_SUPPORTED_VERSIONS);
    captls_tls_write_u16(w, 3);
    captls_tls_write_u8(w, 2);
    captls_tls_write_u16(w, CAPTLS_TLS_VERSION_13);

    captls_tls_write_u16(w, CAPTLS_EXT_SIGNATURE_ALGORITHMS);
    e = captls_tls_writer_open_vec(w, 2);
    u16_list(w, 2, p->sig_algs, p->sig_alg_count);
    captls_tls_writer_close_vec(w, e);
    if (p->sig_alg_cert_count != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_SIGNATURE_ALGORITHMS_CERT);
        e = captls_tls_writer_open_vec(w, 2);
        u16_list(w, 2, p->sig_algs_cert, p->sig_alg_cert_count);
        captls_tls_writer_close_vec(w, e);
    }
    if (p->status_request) {
        /* RFC 6066 §8: ocsp(1), empty responder_id_list and extensions */
        static const uint8_t sr[] = {0x00, 0x05, 0x00, 0x05, 0x01,
                                     0x00, 0x00, 0x00, 0x00};
        captls_tls_write_bytes(w, sr, sizeof sr);
    }
    if (p->sct) {
        captls_tls_write_u16(w, CAPTLS_EXT_SCT);
        captls_tls_write_u16(w, 0);
    }
    if (p->alpn_count != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_ALPN);
        e = captls_tls_writer_open_vec(w, 2);
        l = captls_tls_writer_open_vec(w, 2);
        for (size_t i = 0; i < p->alpn_count; i++) {
            size_t n = strlen(p->alpn[i]);
            captls_tls_write_u8(w, (uint8_t)n);
            captls_tls_write_bytes(w, p->alpn[i], n);
        }
        captls_tls_writer_close_vec(w, l);
        captls_tls_writer_close_vec(w, e);
    }
    if (p->psk_modes_dhe) {
        static const uint8_t pm[] = {0x00, 0x2d, 0x00, 0x02, 0x01, 0x01};
        captls_tls_write_bytes(w, pm, sizeof pm);
    }
    if (p->record_size_limit != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_RECORD_SIZE_LIMIT);
        captls_tls_write_u16(w, 2);
        captls_tls_write_u16(w, p->record_size_limit);
    }
    if (p->cookie_len != 0) {
        captls_tls_write_u16(w, CAPTLS_EXT_COOKIE);
        e = captls_tls_writer_open_vec(w, 2);
        l = captls_tls_writer_open_vec(w, 2);
        captls_tls_write_bytes(w, p->cookie, p->cookie_len);
        captls_tls_writer_close_vec(w, l);
        captls_tls_writer_close_vec(w, e);
    }
    size_t boff = 0;
    if (p->psk_count != 0) {
        /* §4.2.11: "MUST be the last extension in the ClientHello" */
        captls_tls_write_u16(w, CAPTLS_EXT_PRE_SHARED_KEY);
        e = captls_tls_writer_open_vec(w, 2);
        l = captls_tls_writer_open_vec(w, 2);
        for (size_t i = 0; i < p->psk_count; i++) {
            size_t k = captls_tls_writer_open_vec(w, 2);
            captls_tls_write_bytes(w, p->psk_identity[i].ptr,
                                   p->psk_identity[i].len);
            captls_tls_writer_close_vec(w, k);
            captls_tls_write_u32(w, p->psk_obfuscated_age[i]);
        }
        captls_tls_writer_close_vec(w, l);
        boff = w->len - start;
        l = captls_tls_writer_open_vec(w, 2);
        for (size_t i = 0; i < p->psk_count; i++) {
            static const uint8_t zeros[64] = {0};
            captls_tls_write_u8(w, (uint8_t)p->psk_binder_len);
            for (size_t left = p->psk_binder_len; left != 0;) {
                size_t n = left < sizeof zeros ? left : sizeof zeros;
                captls_tls_write_bytes(w, zeros, n);
                left -= n;
            }
        }
        captls_tls_writer_close_vec(w, l);
        captls_tls_writer_close_vec(w, e);
    }
    captls_tls_writer_close_vec(w, exts);
    captls_tls_handshake_end(w, hs);
    if (w->overflow)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (binders_offset != NULL)
        *binders_offset = boff;
    return CAPTLS_OK;
}
