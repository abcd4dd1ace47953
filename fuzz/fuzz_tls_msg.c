/* Fuzz harness: the TLS 1.3 handshake message decoders (core/tls/msg_*.c).
 *
 * The first input byte selects the decoder (modulo 9: ClientHello,
 * ServerHello/HRR, EncryptedExtensions, CertificateRequest, Certificate,
 * CertificateVerify, Finished, NewSessionTicket, KeyUpdate); the rest is the
 * message body. Properties beyond "no crash": a refused body leaves the
 * output zeroed; an accepted one is re-encoded from the decoded view (where
 * an encoder exists and the view is expressible by it) and the result must
 * decode again to the same view — byte for byte for the messages whose
 * encoding is canonical (CertificateVerify, Finished, KeyUpdate, a
 * NewSessionTicket without extensions). Builds for libFuzzer and, unchanged,
 * for AFL++ (afl-clang-fast -fsanitize=fuzzer). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tls/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[1 << 18];

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

static bool slice_eq(captls_slice a, captls_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static size_t to_u16s(captls_slice s, uint16_t *v, size_t cap)
{
    size_t n = s.len / 2;
    CHECK(n <= cap);
    for (size_t i = 0; i < n; i++)
        v[i] = (uint16_t)(s.ptr[2 * i] << 8 | s.ptr[2 * i + 1]);
    return n;
}

/* Re-encodes a decoded ClientHello when the encoder can express it. */
static void ch_roundtrip(const captls_tls_client_hello *ch)
{
    static uint16_t suites[0x8000], groups[0x8000], sigs[0x8000],
        sigs_cert[0x8000];
    static char alpn_store[0x10000];
    static const char *alpn[0x8000];
    size_t nalpn = 0;
    const uint32_t mandatory = CAPTLS_CH_SEEN_SUPPORTED_GROUPS |
                               CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS |
                               CAPTLS_CH_SEEN_KEY_SHARE;
    if ((ch->ext_seen & mandatory) != mandatory)
        return;
    if (ch->psk_count != 0) {
        if ((ch->psk_modes & CAPTLS_PSK_MODE_DHE_KE_BIT) == 0)
            return;
        for (size_t i = 1; i < ch->psk_count; i++)
            if (ch->psk_binder[i].len != ch->psk_binder[0].len)
                return;
    }
    /* ALPN names as C strings: only if none holds a NUL */
    for (size_t off = 0, w = 0; off < ch->alpn.len;) {
        size_t n = ch->alpn.ptr[off];
        if (memchr(ch->alpn.ptr + off + 1, 0, n) != NULL)
            return;
        memcpy(alpn_store + w, ch->alpn.ptr + off + 1, n);
        alpn_store[w + n] = 0;
        alpn[nalpn++] = alpn_store + w;
        w += n + 1;
        off += n + 1;
    }
    captls_tls_client_hello_params p;
    memset(&p, 0, sizeof p);
    p.random = ch->random.ptr;
    p.session_id = ch->session_id.ptr;
    p.session_id_len = ch->session_id.len;
    p.suites = suites;
    p.suite_count = to_u16s(ch->cipher_suites, suites, 0x8000);
    p.server_name = ch->server_name.ptr;
    p.server_name_len = ch->server_name.len;
    p.groups = groups;
    p.group_count = to_u16s(ch->supported_groups, groups, 0x8000);
    p.shares = ch->key_shares;
    p.share_count = ch->key_share_count;
    p.sig_algs = sigs;
    p.sig_alg_count = to_u16s(ch->sig_algs, sigs, 0x8000);
    p.sig_algs_cert = sigs_cert;
    p.sig_alg_cert_count = to_u16s(ch->sig_algs_cert, sigs_cert, 0x8000);
    p.alpn = alpn;
    p.alpn_count = nalpn;
    p.record_size_limit = ch->record_size_limit;
    p.status_request = (ch->ext_seen & CAPTLS_CH_SEEN_STATUS_REQUEST) != 0;
    p.sct = (ch->ext_seen & CAPTLS_CH_SEEN_SCT) != 0;
    p.cookie = ch->cookie.ptr;
    p.cookie_len = ch->cookie.len;
    p.psk_modes_dhe = (ch->psk_modes & CAPTLS_PSK_MODE_DHE_KE_BIT) != 0;
    p.psk_count = ch->psk_count;
    p.psk_identity = ch->psk_identity;
    p.psk_obfuscated_age = ch->psk_obfuscated_age;
    p.psk_binder_len = ch->psk_count != 0 ? ch->psk_binder[0].len : 0;
    captls_tls_writer w;
    captls_tls_writer_init(&w, out, sizeof out);
    size_t boff;
    captls_result r = captls_tls_client_hello_encode(&w, &p, &boff);
    if (r == CAPTLS_ERR_INVALID_ARGUMENT)
        return; /* e.g. an empty sig_algs list is not ours to send */
    CHECK(r == CAPTLS_OK);
    CHECK(out[0] == CAPTLS_HS_CLIENT_HELLO);
    captls_tls_client_hello c2;
    CHECK(captls_tls_client_hello_decode(out + 4, w.len - 4, &c2) == CAPTLS_OK);
    CHECK(slice_eq(c2.random, ch->random));
    CHECK(slice_eq(c2.session_id, ch->session_id));
    CHECK(slice_eq(c2.cipher_suites, ch->cipher_suites));
    CHECK(slice_eq(c2.server_name, ch->server_name));
    CHECK(slice_eq(c2.supported_groups, ch->supported_groups));
    CHECK(slice_eq(c2.sig_algs, ch->sig_algs));
    CHECK(slice_eq(c2.sig_algs_cert, ch->sig_algs_cert));
    if (nalpn != 0)
        CHECK(slice_eq(c2.alpn, ch->alpn));
    CHECK(slice_eq(c2.cookie, ch->cookie));
    CHECK(c2.record_size_limit == ch->record_size_limit);
    CHECK(c2.key_share_count == ch->key_share_count);
    for (size_t i = 0; i < ch->key_share_count; i++) {
        CHECK(c2.key_shares[i].group == ch->key_shares[i].group);
        CHECK(slice_eq(c2.key_shares[i].key_exchange,
                       ch->key_shares[i].key_exchange));
    }
    CHECK(c2.psk_count == ch->psk_count);
    for (size_t i = 0; i < ch->psk_count; i++) {
        CHECK(slice_eq(c2.psk_identity[i], ch->psk_identity[i]));
        CHECK(c2.psk_obfuscated_age[i] == ch->psk_obfuscated_age[i]);
        CHECK(c2.psk_binder[i].len == ch->psk_binder[i].len);
    }
    if (ch->psk_count != 0)
        CHECK(boff == c2.binders_offset + 4);
}

static void sh_roundtrip(const captls_tls_server_hello *sh)
{
    if ((sh->ext_seen & CAPTLS_SH_SEEN_SUPPORTED_VERSIONS) == 0 ||
        sh->selected_version != CAPTLS_TLS_VERSION_13 ||
        sh->legacy_version != CAPTLS_TLS_VERSION_12)
        return;
    if (!sh->is_hrr && (sh->ext_seen & CAPTLS_SH_SEEN_KEY_SHARE) == 0)
        return;
    if (sh->is_hrr && (sh->ext_seen & CAPTLS_SH_SEEN_KEY_SHARE) != 0 &&
        sh->key_share_group == 0)
        return; /* group 0 means "no key_share" to the encoder */
    captls_tls_server_hello_params p;
    memset(&p, 0, sizeof p);
    p.is_hrr = sh->is_hrr;
    p.random = sh->random.ptr;
    p.session_id = sh->session_id_echo.ptr;
    p.session_id_len = sh->session_id_echo.len;
    p.cipher_suite = sh->cipher_suite;
    p.key_share_group = sh->key_share_group;
    p.key_share = sh->key_share.ptr;
    p.key_share_len = sh->key_share.len;
    p.have_psk = (sh->ext_seen & CAPTLS_SH_SEEN_PSK) != 0;
    p.selected_psk = sh->selected_psk;
    p.cookie = sh->cookie.ptr;
    p.cookie_len = sh->cookie.len;
    captls_tls_writer w;
    captls_tls_writer_init(&w, out, sizeof out);
    CHECK(captls_tls_server_hello_encode(&w, &p) == CAPTLS_OK);
    captls_tls_server_hello s2;
    CHECK(captls_tls_server_hello_decode(out + 4, w.len - 4, &s2) == CAPTLS_OK);
    CHECK(s2.is_hrr == sh->is_hrr);
    CHECK(slice_eq(s2.random, sh->random));
    CHECK(slice_eq(s2.session_id_echo, sh->session_id_echo));
    CHECK(s2.cipher_suite == sh->cipher_suite);
    CHECK(s2.compression == 0 && sh->compression == 0);
    CHECK(s2.ext_seen == sh->ext_seen);
    CHECK(s2.selected_version == sh->selected_version);
    CHECK(s2.key_share_group == sh->key_share_group);
    CHECK(slice_eq(s2.key_share, sh->key_share));
    CHECK(s2.selected_psk == sh->selected_psk);
    CHECK(slice_eq(s2.cookie, sh->cookie));
}

static void ee_roundtrip(const captls_tls_encrypted_extensions *ee)
{
    static const uint16_t g[] = {0x001d};
    captls_tls_encrypted_extensions_params p = {
        .server_name_ack = ee->server_name_ack, .alpn = ee->alpn.ptr,
        .alpn_len = ee->alpn.len,
        .record_size_limit = ee->has_record_size_limit ? ee->record_size_limit
                                                       : 0,
        .groups = g, .group_count = ee->has_supported_groups ? 1 : 0};
    captls_tls_writer w;
    captls_tls_writer_init(&w, out, sizeof out);
    CHECK(captls_tls_encrypted_extensions_encode(&w, &p) == CAPTLS_OK);
    captls_tls_encrypted_extensions e2;
    CHECK(captls_tls_encrypted_extensions_decode(out + 4, w.len - 4, &e2) ==
          CAPTLS_OK);
    CHECK(e2.server_name_ack == ee->server_name_ack);
    CHECK(slice_eq(e2.alpn, ee->alpn));
    CHECK(e2.has_record_size_limit == ee->has_record_size_limit);
    CHECK(e2.record_size_limit == ee->record_size_limit);
    CHECK(e2.has_supported_groups == ee->has_supported_groups);
    CHECK(!e2.early_data);
}

static void cert_roundtrip(const captls_tls_certificate *c)
{
    captls_slice certs[CAPTLS_TLS_MAX_CHAIN_ENTRIES];
    for (size_t i = 1; i < c->count; i++)
        if (c->entries[i].ocsp_response.len != 0 ||
            c->entries[i].sct_list.len != 0)
            return; /* the encoder attaches these to the first entry only */
    for (size_t i = 0; i < c->count; i++)
        certs[i] = c->entries[i].cert_data;
    captls_slice none = {NULL, 0};
    captls_tls_writer w;
    captls_tls_writer_init(&w, out, sizeof out);
    CHECK(captls_tls_certificate_encode(
              &w, c->context.ptr, c->context.len, certs, c->count,
              c->count != 0 ? c->entries[0].ocsp_response : none,
              c->count != 0 ? c->entries[0].sct_list : none) == CAPTLS_OK);
    captls_tls_certificate c2;
    CHECK(captls_tls_certificate_decode(out + 4, w.len - 4, &c2) == CAPTLS_OK);
    CHECK(slice_eq(c2.context, c->context));
    CHECK(c2.count == c->count);
    for (size_t i = 0; i < c->count; i++) {
        CHECK(slice_eq(c2.entries[i].cert_data, c->entries[i].cert_data));
        CHECK(slice_eq(c2.entries[i].ocsp_response, c->entries[i].ocsp_response));
        CHECK(slice_eq(c2.entries[i].sct_list, c->entries[i].sct_list));
    }
}

/* The re-encoded message must be the header plus exactly these bytes. */
static void check_exact(captls_tls_writer *w, uint8_t type, const uint8_t *body,
                        size_t len)
{
    CHECK(w->len == len + 4);
    CHECK(out[0] == type);
    CHECK(((size_t)out[1] << 16 | (size_t)out[2] << 8 | out[3]) == len);
    CHECK(memcmp(out + 4, body, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned sel = data[0] % 9;
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    captls_tls_writer w;
    captls_tls_writer_init(&w, out, sizeof out);
    captls_result r;
    switch (sel) {
    case 0: {
        static captls_tls_client_hello ch;
        r = captls_tls_client_hello_decode(body, len, &ch);
        if (r != CAPTLS_OK) {
            CHECK(captls_tls_is_alert_error(r));
            CHECK(all_zero(&ch, sizeof ch));
        } else {
            ch_roundtrip(&ch);
        }
        break;
    }
    case 1: {
        captls_tls_server_hello sh;
        r = captls_tls_server_hello_decode(body, len, &sh);
        if (r != CAPTLS_OK)
            CHECK(captls_tls_is_alert_error(r) && all_zero(&sh, sizeof sh));
        else
            sh_roundtrip(&sh);
        break;
    }
    case 2: {
        captls_tls_encrypted_extensions ee;
        r = captls_tls_encrypted_extensions_decode(body, len, &ee);
        if (r != CAPTLS_OK)
            CHECK(captls_tls_is_alert_error(r) && all_zero(&ee, sizeof ee));
        else
            ee_roundtrip(&ee);
        break;
    }
    case 3: {
        captls_tls_certificate_request cr;
        r = captls_tls_certificate_request_decode(body, len, &cr);
        if (r != CAPTLS_OK) {
            CHECK(captls_tls_is_alert_error(r) && all_zero(&cr, sizeof cr));
            break;
        }
        static uint16_t sigs[0x8000];
        size_t n = to_u16s(cr.sig_algs, sigs, 0x8000);
        CHECK(captls_tls_certificate_request_encode(&w, sigs, n) == CAPTLS_OK);
        captls_tls_certificate_request c2;
        CHECK(captls_tls_certificate_request_decode(out + 4, w.len - 4, &c2) ==
              CAPTLS_OK);
        CHECK(slice_eq(c2.sig_algs, cr.sig_algs) && c2.context.len == 0);
        break;
    }
    case 4: {
        static captls_tls_certificate c;
        r = captls_tls_certificate_decode(body, len, &c);
        if (r != CAPTLS_OK)
            CHECK(captls_tls_is_alert_error(r) && all_zero(&c, sizeof c));
        else
            cert_roundtrip(&c);
        break;
    }
    case 5: {
        captls_tls_certificate_verify cv;
        r = captls_tls_certificate_verify_decode(body, len, &cv);
        if (r != CAPTLS_OK) {
            CHECK(captls_tls_is_alert_error(r) && all_zero(&cv, sizeof cv));
            break;
        }
        CHECK(captls_tls_certificate_verify_encode(&w, cv.scheme,
                                                   cv.signature.ptr,
                                                   cv.signature.len) ==
              CAPTLS_OK);
        check_exact(&w, CAPTLS_HS_CERTIFICATE_VERIFY, body, len);
        break;
    }
    case 6: {
        captls_slice vd;
        size_t hash_len = (data[0] & 0x80) != 0 ? 48 : 32;
        r = captls_tls_finished_decode(body, len, hash_len, &vd);
        CHECK((r == CAPTLS_OK) == (len == hash_len));
        if (r != CAPTLS_OK)
            break;
        CHECK(captls_tls_finished_encode(&w, vd.ptr, vd.len) == CAPTLS_OK);
        check_exact(&w, CAPTLS_HS_FINISHED, body, len);
        break;
    }
    case 7: {
        captls_tls_new_session_ticket t;
        r = captls_tls_new_session_ticket_decode(body, len, &t);
        if (r != CAPTLS_OK) {
            CHECK(captls_tls_is_alert_error(r) && all_zero(&t, sizeof t));
            break;
        }
        CHECK(t.lifetime <= 604800u);
        CHECK(captls_tls_new_session_ticket_encode(
                  &w, t.lifetime, t.age_add, t.nonce.ptr, t.nonce.len,
                  t.ticket.ptr, t.ticket.len) == CAPTLS_OK);
        size_t fixed = 4 + 4 + 1 + t.nonce.len + 2 + t.ticket.len;
        if (len == fixed + 2) /* no extensions: canonical */
            check_exact(&w, CAPTLS_HS_NEW_SESSION_TICKET, body, len);
        else
            CHECK(memcmp(out + 4, body, fixed) == 0);
        break;
    }
    default: {
        bool req;
        r = captls_tls_key_update_decode(body, len, &req);
        CHECK((r == CAPTLS_OK) == (len == 1 && body[0] <= 1));
        if (r != CAPTLS_OK)
            break;
        CHECK(captls_tls_key_update_encode(&w, req) == CAPTLS_OK);
        check_exact(&w, CAPTLS_HS_KEY_UPDATE, body, len);
        break;
    }
    }
    return 0;
}
