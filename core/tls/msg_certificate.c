/* core/tls/msg_certificate.c — Certificate (RFC 8446 §4.4.2) decoder and
 * encoder (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/extensions.h"
#include "core/tls/msg.h"

#define DECODE_ERROR CAPTLS_TLS_ERR(DECODE_ERROR)

/* One CertificateEntry's extensions (§4.4.2: "Valid extensions for server
 * certificates at present include the OCSP Status extension [RFC6066] and
 * the SignedCertificateTimestamp extension [RFC6962]"). Whether they
 * answer a request we made is the engine's question. */
static captls_result entry_extension(captls_tls_certificate_entry *ent,
                                     uint16_t type, captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    switch (type) {
    case CAPTLS_EXT_STATUS_REQUEST: {
        /* §4.4.2.1 / RFC 6066 §8: struct { CertificateStatusType
         * status_type; select (status_type) { case ocsp: OCSPResponse; }
         * response; } CertificateStatus; opaque OCSPResponse<1..2^24-1>; */
        uint8_t status_type = captls_tls_read_u8(&r);
        captls_slice resp = captls_tls_read_vec(&r, 3, 1, 0xFFFFFF);
        if (r.bad || r.len != 0 || status_type != 1)
            return DECODE_ERROR;
        ent->ocsp_response = resp;
        return CAPTLS_OK;
    }
    case CAPTLS_EXT_SCT: {
        /* RFC 6962 §3.3: opaque SerializedSCT<1..2^16-1>; struct {
         * SerializedSCT sct_list <1..2^16-1>; }
         * SignedCertificateTimestampList; kept whole (with its length),
         * the form the CT code takes from every source. */
        captls_slice list = captls_tls_read_vec(&r, 2, 1, 0xFFFF);
        if (r.bad || r.len != 0)
            return DECODE_ERROR;
        captls_tls_reader l;
        captls_tls_reader_init(&l, list.ptr, list.len);
        while (l.len != 0) {
            (void)captls_tls_read_vec(&l, 2, 1, 0xFFFF);
            if (l.bad)
                return DECODE_ERROR;
        }
        ent->sct_list = d;
        return CAPTLS_OK;
    }
    default:
        return captls_tls_ext_refuse(type, CAPTLS_EXT_IN_CT);
    }
}

static captls_result cert_decode(const uint8_t *body, size_t len,
                                 captls_tls_certificate *c)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, body, len);
    /* struct { opaque certificate_request_context<0..2^8-1>;
     *   CertificateEntry certificate_list<0..2^24-1>; } Certificate; */
    c->context = captls_tls_read_vec(&r, 1, 0, 255);
    captls_slice list = captls_tls_read_vec(&r, 3, 0, 0xFFFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    captls_tls_reader l;
    captls_tls_reader_init(&l, list.ptr, list.len);
    size_t n = 0;
    while (l.len != 0) {
        /* struct { opaque cert_data<1..2^24-1>;
         *   Extension extensions<0..2^16-1>; } CertificateEntry;
         * (X.509: the only certificate_type we negotiate.) */
        captls_tls_certificate_entry ent;
        memset(&ent, 0, sizeof ent);
        ent.cert_data = captls_tls_read_vec(&l, 3, 1, 0xFFFFFF);
        captls_slice block = captls_tls_read_vec(&l, 2, 0, 0xFFFF);
        if (l.bad)
            return DECODE_ERROR;
        captls_tls_ext_iter it;
        uint16_t type;
        captls_slice d;
        captls_result e;
        captls_tls_ext_iter_init(&it, block);
        while ((e = captls_tls_ext_next(&it, &type, &d)) == CAPTLS_OK)
            CAPTLS_TRY(entry_extension(&ent, type, d));
        if (e != CAPTLS_EOF)
            return e;
        if (n < CAPTLS_TLS_MAX_CHAIN_ENTRIES)
            c->entries[n] = ent;
        n++;
    }
    /* We refuse chains we will not walk (the whole message is checked
     * first: a malformed one is decode_error whatever its length). */
    if (n > CAPTLS_TLS_MAX_CHAIN_ENTRIES)
        return CAPTLS_TLS_ERR(BAD_CERTIFICATE);
    c->count = n;
    return CAPTLS_OK;
}

captls_result captls_tls_certificate_decode(const uint8_t *body, size_t len,
                                            captls_tls_certificate *out)
{
    memset(out, 0, sizeof *out);
    captls_result e = cert_decode(body, len, out);
    if (e != CAPTLS_OK)
        memset(out, 0, sizeof *out);
    return e;
}

captls_result captls_tls_certificate_encode(
    captls_tls_writer *w, const uint8_t *context, size_t context_len,
    const captls_slice *certs, size_t count, captls_slice ocsp_response,
    captls_slice sct_list)
{
    if (context_len > 255 || (context_len != 0 && context == NULL) ||
        (count != 0 && certs == NULL) || ocsp_response.len > 0xFFFFFF ||
        sct_list.len > 0xFFFF ||
        (count == 0 && (ocsp_response.len != 0 || sct_list.len != 0)))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < count; i++)
        if (certs[i].len == 0 || certs[i].len > 0xFFFFFF)
            return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_CERTIFICATE);
    size_t m = captls_tls_writer_open_vec(w, 1);
    captls_tls_write_bytes(w, context, context_len);
    captls_tls_writer_close_vec(w, m);
    size_t list = captls_tls_writer_open_vec(w, 3);
    for (size_t i = 0; i < count; i++) {
        m = captls_tls_writer_open_vec(w, 3);
        captls_tls_write_bytes(w, certs[i].ptr, certs[i].len);
        captls_tls_writer_close_vec(w, m);
        size_t exts = captls_tls_writer_open_vec(w, 2);
        /* §4.4.2: "If an extension applies to the entire chain, it SHOULD
         * be included in the first CertificateEntry." */
        if (i == 0 && ocsp_response.len != 0) {
            captls_tls_write_u16(w, CAPTLS_EXT_STATUS_REQUEST);
            size_t e = captls_tls_writer_open_vec(w, 2);
            captls_tls_write_u8(w, 1); /* ocsp */
            size_t o = captls_tls_writer_open_vec(w, 3);
            captls_tls_write_bytes(w, ocsp_response.ptr, ocsp_response.len);
            captls_tls_writer_close_vec(w, o);
            captls_tls_writer_close_vec(w, e);
        }
        if (i == 0 && sct_list.len != 0) {
            /* sct_list is a whole SignedCertificateTimestampList */
            captls_tls_write_u16(w, CAPTLS_EXT_SCT);
            size_t e = captls_tls_writer_open_vec(w, 2);
            captls_tls_write_bytes(w, sct_list.ptr, sct_list.len);
            captls_tls_writer_close_vec(w, e);
        }
        captls_tls_writer_close_vec(w, exts);
    }
    captls_tls_writer_close_vec(w, list);
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}
