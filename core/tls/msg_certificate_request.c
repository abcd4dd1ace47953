/* core/tls/msg_certificate_request.c — CertificateRequest (RFC 8446
 * §4.3.2) decoder and encoder (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/extensions.h"
#include "core/tls/msg.h"

#define DECODE_ERROR CAPTLS_TLS_ERR(DECODE_ERROR)

static captls_result cr_extension(captls_tls_certificate_request *cr,
                                  uint16_t type, captls_slice d)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, d.ptr, d.len);
    bool ok = true;
    switch (type) {
    case CAPTLS_EXT_SIGNATURE_ALGORITHMS:
        cr->sig_algs = captls_tls_ext_u16_list(d, 2, 0xFFFE, &ok);
        break;
    case CAPTLS_EXT_SIGNATURE_ALGORITHMS_CERT:
        cr->sig_algs_cert = captls_tls_ext_u16_list(d, 2, 0xFFFE, &ok);
        break;
    case CAPTLS_EXT_CERTIFICATE_AUTHORITIES: {
        /* §4.2.4: DistinguishedName authorities<3..2^16-1>;
         * opaque DistinguishedName<1..2^16-1>; */
        captls_slice list = captls_tls_read_vec(&r, 2, 3, 0xFFFF);
        ok = !r.bad && r.len == 0;
        captls_tls_reader l;
        captls_tls_reader_init(&l, list.ptr, list.len);
        while (ok && l.len != 0) {
            (void)captls_tls_read_vec(&l, 2, 1, 0xFFFF);
            ok = !l.bad;
        }
        if (ok)
            cr->authorities = list;
        break;
    }
    case CAPTLS_EXT_OID_FILTERS: {
        /* §4.2.5: OIDFilter filters<0..2^16-1>; struct { opaque
         * certificate_extension_oid<1..2^8-1>; opaque
         * certificate_extension_values<0..2^16-1>; } OIDFilter; checked,
         * then ignored (we do not choose certificates by extension). */
        captls_slice list = captls_tls_read_vec(&r, 2, 0, 0xFFFF);
        ok = !r.bad && r.len == 0;
        captls_tls_reader l;
        captls_tls_reader_init(&l, list.ptr, list.len);
        while (ok && l.len != 0) {
            (void)captls_tls_read_vec(&l, 1, 1, 255);
            (void)captls_tls_read_vec(&l, 2, 0, 0xFFFF);
            ok = !l.bad;
        }
        break;
    }
    case CAPTLS_EXT_STATUS_REQUEST:
    case CAPTLS_EXT_SCT:
        /* §4.4.2.1: "by sending an empty "status_request" extension in its
         * CertificateRequest"; the SCT request is empty likewise. */
        ok = d.len == 0;
        break;
    default: {
        /* §4.3.2: "Clients MUST ignore unrecognized extensions." A
         * recognized one §4.2 does not allow here is illegal_parameter. */
        unsigned in = captls_tls_ext_allowed_in(type);
        if (in != 0 && (in & CAPTLS_EXT_IN_CR) == 0)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        return CAPTLS_OK;
    }
    }
    return ok ? CAPTLS_OK : DECODE_ERROR;
}

static captls_result cr_decode(const uint8_t *body, size_t len,
                               captls_tls_certificate_request *cr)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, body, len);
    /* struct { opaque certificate_request_context<0..2^8-1>;
     *   Extension extensions<2..2^16-1>; } CertificateRequest; */
    cr->context = captls_tls_read_vec(&r, 1, 0, 255);
    captls_slice block = captls_tls_read_vec(&r, 2, 2, 0xFFFF);
    if (r.bad || r.len != 0)
        return DECODE_ERROR;
    captls_tls_ext_iter it;
    uint16_t type;
    captls_slice d;
    captls_result e;
    bool sig_algs = false;
    captls_tls_ext_iter_init(&it, block);
    while ((e = captls_tls_ext_next(&it, &type, &d)) == CAPTLS_OK) {
        CAPTLS_TRY(cr_extension(cr, type, d));
        sig_algs = sig_algs || type == CAPTLS_EXT_SIGNATURE_ALGORITHMS;
    }
    if (e != CAPTLS_EOF)
        return e;
    /* §4.3.2: "The "signature_algorithms" extension MUST be specified";
     * §9.2 names missing_extension for an absent mandatory extension. */
    if (!sig_algs)
        return CAPTLS_TLS_ERR(MISSING_EXTENSION);
    return CAPTLS_OK;
}

captls_result captls_tls_certificate_request_decode(
    const uint8_t *body, size_t len, captls_tls_certificate_request *out)
{
    memset(out, 0, sizeof *out);
    captls_result e = cr_decode(body, len, out);
    if (e != CAPTLS_OK)
        memset(out, 0, sizeof *out);
    return e;
}

captls_result captls_tls_certificate_request_encode(captls_tls_writer *w,
                                                    const uint16_t *sig_algs,
                                                    size_t sig_alg_count)
{
    if (sig_alg_count == 0 || sig_alg_count > 0x7FFF || sig_algs == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_CERTIFICATE_REQUEST);
    /* §4.3.2: "This field SHALL be zero length unless used for the
     * post-handshake authentication exchanges" */
    captls_tls_write_u8(w, 0);
    size_t exts = captls_tls_writer_open_vec(w, 2);
    captls_tls_write_u16(w, CAPTLS_EXT_SIGNATURE_ALGORITHMS);
    size_t e = captls_tls_writer_open_vec(w, 2);
    size_t l = captls_tls_writer_open_vec(w, 2);
    for (size_t i = 0; i < sig_alg_count; i++)
        captls_tls_write_u16(w, sig_algs[i]);
    captls_tls_writer_close_vec(w, l);
    captls_tls_writer_close_vec(w, e);
    captls_tls_writer_close_vec(w, exts);
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}
