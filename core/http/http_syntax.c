/* HTTP/1.1 shared syntax — see http_syntax.h. */
#include "core/http/http_syntax.h"

#include <string.h>

const char *captls_http_error_name(captls_http_error e)
{
    switch (e) {
    case CAPTLS_HTTP_E_NONE: return "none";
    case CAPTLS_HTTP_E_BARE_LF: return "bare_lf";
    case CAPTLS_HTTP_E_BARE_CR: return "bare_cr";
    case CAPTLS_HTTP_E_NUL: return "nul";
    case CAPTLS_HTTP_E_START_LINE: return "start_line";
    case CAPTLS_HTTP_E_VERSION: return "version";
    case CAPTLS_HTTP_E_STATUS: return "status";
    case CAPTLS_HTTP_E_METHOD: return "method";
    case CAPTLS_HTTP_E_TARGET: return "target";
    case CAPTLS_HTTP_E_OBS_FOLD: return "obs_fold";
    case CAPTLS_HTTP_E_FIELD_NAME: return "field_name";
    case CAPTLS_HTTP_E_FIELD_VALUE: return "field_value";
    case CAPTLS_HTTP_E_HEADER_BYTES: return "header_bytes";
    case CAPTLS_HTTP_E_HEADER_COUNT: return "header_count";
    case CAPTLS_HTTP_E_CONTENT_LENGTH: return "content_length";
    case CAPTLS_HTTP_E_CL_CONFLICT: return "cl_conflict";
    case CAPTLS_HTTP_E_CL_AND_TE: return "cl_and_te";
    case CAPTLS_HTTP_E_TRANSFER_CODING: return "transfer_coding";
    case CAPTLS_HTTP_E_CHUNK_SIZE: return "chunk_size";
    case CAPTLS_HTTP_E_CHUNK_EXT: return "chunk_ext";
    case CAPTLS_HTTP_E_CHUNK_DATA: return "chunk_data";
    case CAPTLS_HTTP_E_BODY_SIZE: return "body_size";
    case CAPTLS_HTTP_E_TRUNCATED: return "truncated";
    case CAPTLS_HTTP_E_DUPLICATE: return "duplicate";
    case CAPTLS_HTTP_E_HOST: return "host";
    case CAPTLS_HTTP_E_BODY_NOT_ALLOWED: return "body_not_allowed";
    case CAPTLS_HTTP_E_BUFFER: return "buffer";
    }
    return "unknown";
}

bool captls_http_is_tchar(uint8_t c)
{
    /* RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" /
     * "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
        (c >= 'A' && c <= 'Z'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool captls_http_is_token(const uint8_t *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!captls_http_is_tchar(s[i]))
            return false;
    }
    return true;
}

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

bool captls_http_eq_ci(const uint8_t *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);

    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (lower(s[i]) != lower((uint8_t)lit[i]))
            return false;
    }
    return true;
}

bool captls_http_parse_decimal(const uint8_t *s, size_t n, uint64_t max,
                               uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (max - (uint64_t)(s[i] - '0')) / 10u)
            return false;
        v = v * 10u + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

void captls_http_head_init(captls_http_head *h, uint8_t *buf, size_t cap)
{
    h->buf = buf;
    h->cap = cap;
    h->len = 0;
    h->line_start = 0;
}

captls_result captls_http_head_push(captls_http_head *h, uint8_t c,
                                    size_t *line_off, size_t *line_len,
                                    captls_http_error *why)
{
    bool after_cr = h->len > h->line_start && h->buf[h->len - 1] == '\r';

    if (c == 0) {
        *why = CAPTLS_HTTP_E_NUL;
        return CAPTLS_ERR_MALFORMED;
    }
    /* RFC 9112 §2.2: a bare CR outside the content MUST be refused (or
     * replaced); captls refuses it, and a bare LF as well. */
    if (after_cr && c != '\n') {
        *why = CAPTLS_HTTP_E_BARE_CR;
        return CAPTLS_ERR_MALFORMED;
    }
    if (c == '\n' && !after_cr) {
        *why = CAPTLS_HTTP_E_BARE_LF;
        return CAPTLS_ERR_MALFORMED;
    }
    if (h->len >= h->cap) {
        *why = CAPTLS_HTTP_E_HEADER_BYTES;
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    h->buf[h->len++] = c;
    if (c != '\n')
        return CAPTLS_NEED_MORE;
    *line_off = h->line_start;
    *line_len = h->len - h->line_start - 2u;
    h->line_start = h->len;
    return CAPTLS_OK;
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

captls_result captls_http_field_split(const uint8_t *line, size_t len,
                                      const uint8_t **name, size_t *name_len,
                                      const uint8_t **value,
                                      size_t *value_len, captls_http_error *why)
{
    size_t colon = 0, b, e;

    /* RFC 9112 §5.2: obs-fold is deprecated; a server MUST reject or
     * replace it, a user agent MUST replace it: captls refuses it in
     * both directions. */
    if (len > 0 && is_ows(line[0])) {
        *why = CAPTLS_HTTP_E_OBS_FOLD;
        return CAPTLS_ERR_MALFORMED;
    }
    while (colon < len && line[colon] != ':')
        colon++;
    /* RFC 9112 §5.1: no whitespace is allowed between the field name and
     * colon; a server MUST reject such a message (it is not a tchar, so
     * the token check refuses it). */
    if (colon == len || !captls_http_is_token(line, colon)) {
        *why = CAPTLS_HTTP_E_FIELD_NAME;
        return CAPTLS_ERR_MALFORMED;
    }
    b = colon + 1;
    e = len;
    while (b < e && is_ows(line[b]))
        b++;
    while (e > b && is_ows(line[e - 1]))
        e--;
    for (size_t i = b; i < e; i++) {
        uint8_t c = line[i];
        /* RFC 9110 §5.5: field-vchar = VCHAR / obs-text, SP and HTAB
         * inside; CR, LF and NUL MUST be refused; other CTLs too. */
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            *why = CAPTLS_HTTP_E_FIELD_VALUE;
            return CAPTLS_ERR_MALFORMED;
        }
    }
    *name = line;
    *name_len = colon;
    *value = line + b;
    *value_len = e - b;
    return CAPTLS_OK;
}

long captls_http_head_find(const uint8_t *buf, size_t len, const char *name,
                           long from, const uint8_t **value, size_t *vlen)
{
    size_t off = 0;
    long index = -1; /* the start line is not a field */

    while (off < len) {
        size_t e = off;
        while (e + 1 < len && !(buf[e] == '\r' && buf[e + 1] == '\n'))
            e++;
        if (e + 1 >= len || e == off)
            break; /* no complete line, or the empty line */
        if (index >= from) {
            const uint8_t *n, *v;
            size_t nl, vl;
            captls_http_error why;
            if (captls_http_field_split(buf + off, e - off, &n, &nl, &v, &vl,
                                        &why) == CAPTLS_OK &&
                captls_http_eq_ci(n, nl, name)) {
                *value = v;
                *vlen = vl;
                return index;
            }
        }
        index++;
        off = e + 2;
    }
    return -1;
}
