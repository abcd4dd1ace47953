/* core/tls/extensions.c — extension block walking and the RFC 8446 §4.2
 * table (see extensions.h). */
#include "core/tls/extensions.h"

void captls_tls_ext_iter_init(captls_tls_ext_iter *it, captls_slice block)
{
    captls_tls_reader_init(&it->r, block.ptr, block.len);
    it->nseen = 0;
}

captls_result captls_tls_ext_next(captls_tls_ext_iter *it, uint16_t *type,
                                  captls_slice *data)
{
    if (it->r.len == 0 && !it->r.bad)
        return CAPTLS_EOF;
    /* struct { ExtensionType extension_type;
     *          opaque extension_data<0..2^16-1>; } Extension; */
    uint16_t t = captls_tls_read_u16(&it->r);
    captls_slice d = captls_tls_read_vec(&it->r, 2, 0, 0xFFFF);
    if (it->r.bad)
        return CAPTLS_TLS_ERR(DECODE_ERROR);
    /* RFC 8446 §4.2: "There MUST NOT be more than one extension of the
     * same type in a given extension block." */
    for (size_t i = 0; i < it->nseen; i++)
        if (it->seen[i] == t)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    if (it->nseen == CAPTLS_TLS_MAX_EXTENSIONS)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER); /* see extensions.h */
    it->seen[it->nseen++] = t;
    *type = t;
    *data = d;
    return CAPTLS_OK;
}

#define CH CAPTLS_EXT_IN_CH
#define SH CAPTLS_EXT_IN_SH
#define HRR CAPTLS_EXT_IN_HRR
#define EE CAPTLS_EXT_IN_EE
#define CT CAPTLS_EXT_IN_CT
#define CR CAPTLS_EXT_IN_CR
#define NST CAPTLS_EXT_IN_NST

/* RFC 8446 §4.2 (TLS 1.3 column), plus record_size_limit (RFC 8449 §5:
 * CH, EE) and compress_certificate (RFC 8879 §3: CH, CR). */
static const struct {
    uint16_t type;
    uint8_t in;
} ext_table[] = {
    {CAPTLS_EXT_SERVER_NAME, CH | EE},
    {CAPTLS_EXT_MAX_FRAGMENT_LENGTH, CH | EE},
    {CAPTLS_EXT_STATUS_REQUEST, CH | CR | CT},
    {CAPTLS_EXT_SUPPORTED_GROUPS, CH | EE},
    {CAPTLS_EXT_SIGNATURE_ALGORITHMS, CH | CR},
    {14 /* use_srtp */, CH | EE},
    {15 /* heartbeat */, CH | EE},
    {CAPTLS_EXT_ALPN, CH | EE},
    {CAPTLS_EXT_SCT, CH | CR | CT},
    {19 /* client_certificate_type */, CH | EE},
    {20 /* server_certificate_type */, CH | EE},
    {CAPTLS_EXT_PADDING, CH},
    {CAPTLS_EXT_COMPRESS_CERTIFICATE, CH | CR},
    {CAPTLS_EXT_RECORD_SIZE_LIMIT, CH | EE},
    {CAPTLS_EXT_PRE_SHARED_KEY, CH | SH},
    {CAPTLS_EXT_EARLY_DATA, CH | EE | NST},
    {CAPTLS_EXT_SUPPORTED_VERSIONS, CH | SH | HRR},
    {CAPTLS_EXT_COOKIE, CH | HRR},
    {CAPTLS_EXT_PSK_KEY_EXCHANGE_MODES, CH},
    {CAPTLS_EXT_CERTIFICATE_AUTHORITIES, CH | CR},
    {CAPTLS_EXT_OID_FILTERS, CR},
    {CAPTLS_EXT_POST_HANDSHAKE_AUTH, CH},
    {CAPTLS_EXT_SIGNATURE_ALGORITHMS_CERT, CH | CR},
    {CAPTLS_EXT_KEY_SHARE, CH | SH | HRR},
};

unsigned captls_tls_ext_allowed_in(uint16_t type)
{
    for (size_t i = 0; i < sizeof ext_table / sizeof ext_table[0]; i++)
        if (ext_table[i].type == type)
            return ext_table[i].in;
    return 0;
}

captls_result captls_tls_ext_refuse(uint16_t type, unsigned in)
{
    unsigned allowed = captls_tls_ext_allowed_in(type);
    if (allowed != 0 && (allowed & in) == 0)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    return CAPTLS_TLS_ERR(UNSUPPORTED_EXTENSION);
}

captls_slice captls_tls_ext_u16_list(captls_slice data, size_t min, size_t max,
                                     bool *ok)
{
    captls_tls_reader r;
    captls_tls_reader_init(&r, data.ptr, data.len);
    captls_slice list = captls_tls_read_vec(&r, 2, min, max);
    *ok = !r.bad && r.len == 0 && list.len % 2 == 0;
    if (!*ok) {
        list.ptr = NULL;
        list.len = 0;
    }
    return list;
}
