/* HTTP/1.1 response parser — see http_client.h. */
#include "core/http/http_client.h"

#include <string.h>

#include "core/http/http_internal.h"

enum {
    S_HEAD = 0,
    S_BODY_CL,
    S_BODY_CLOSE,
    S_CHUNK_SIZE,   /* hex digits */
    S_CHUNK_EXT,    /* after the size: BWS, extensions, up to CR */
    S_CHUNK_LF,     /* CR seen at the end of the size line */
    S_CHUNK_DATA,
    S_CHUNK_CR,     /* data ended: CR expected */
    S_CHUNK_DATA_LF,
    S_TRAILER,      /* trailer field lines, counted and dropped */
    S_DONE,
};

static captls_result fail(captls_http_resp *r, captls_result e,
                          captls_http_error why)
{
    r->error_ = e;
    r->why = why;
    return e;
}

void captls_http_resp_init(captls_http_resp *r, uint8_t *head, size_t head_cap,
                           uint8_t *body, size_t body_cap, size_t max_fields,
                           bool response_to_head)
{
    memset(r, 0, sizeof(*r));
    captls_http_head_init(&r->head_, head, head_cap);
    r->body_buf_ = body;
    r->body_cap_ = body_cap;
    r->body = body;
    r->max_fields_ = max_fields != 0 ? max_fields : CAPTLS_HTTP_DEFAULT_MAX_FIELDS;
    r->head_request_ = response_to_head;
    r->state_ = S_HEAD;
    r->error_ = CAPTLS_OK;
}

/* RFC 9112 §4: status-line = HTTP-version SP status-code SP
 * [ reason-phrase ]. A missing final SP is tolerated (the reason phrase
 * is ignored anyway). */
static captls_result status_line(captls_http_resp *r, const uint8_t *l,
                                 size_t n)
{
    if (n < 12 || memcmp(l, "HTTP/", 5) != 0)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE);
    if (l[5] < '0' || l[5] > '9' || l[6] != '.' || l[7] < '0' || l[7] > '9' ||
        l[8] != ' ')
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE);
    if (l[5] != '1' || l[7] > '1')
        return fail(r, CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_VERSION);
    r->version_minor = (unsigned)(l[7] - '0');
    for (size_t i = 9; i < 12; i++) {
        if (l[i] < '0' || l[i] > '9')
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS);
    }
    r->status = (unsigned)(l[9] - '0') * 100u + (unsigned)(l[10] - '0') * 10u +
                (unsigned)(l[11] - '0');
    if (r->status < 100 || r->status > 599)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS);
    if (n > 12 && l[12] != ' ')
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS);
    for (size_t i = 13; i < n; i++) {
        if ((l[i] < 0x20 && l[i] != '\t') || l[i] == 0x7f)
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE);
    }
    return CAPTLS_OK;
}

/* Clears what one head set, for the final response after a 1xx. */
static void restart_head(captls_http_resp *r)
{
    captls_http_head h = r->head_;
    uint8_t *body = r->body_buf_;
    size_t body_cap = r->body_cap_, max_fields = r->max_fields_;
    bool head_req = r->head_request_;

    captls_http_resp_init(r, h.buf, h.cap, body, body_cap, max_fields,
                          head_req);
}

static captls_result head_done(captls_http_resp *r)
{
    if (r->status >= 100 && r->status < 200) {
        /* RFC 9110 §15.2: a client MUST be able to parse interim
         * responses; captls discards them. 101 switches protocols, which
         * captls never asks for. */
        if (r->status == 101)
            return fail(r, CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_STATUS);
        restart_head(r);
        return CAPTLS_NEED_MORE;
    }
    r->headers_done = true;
    /* RFC 9112 §6.1: a sender MUST NOT send Content-Length in a message
     * with Transfer-Encoding; together they are how responses are
     * smuggled, so captls refuses the message (§6.3 item 3 lets a
     * recipient treat it as an error). */
    if (r->chunked && r->has_content_length)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_AND_TE);
    /* RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the
     * framing is faulty. */
    if (r->chunked && r->version_minor == 0)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRANSFER_CODING);
    r->keep_alive = r->version_minor == 1 && !r->connection_close;
    /* RFC 9112 §6.3 item 1: HEAD, 1xx, 204 and 304 responses end at the
     * empty line whatever their fields say. */
    if (r->head_request_ || r->status == 204 || r->status == 304) {
        r->state_ = S_DONE;
        r->complete = true;
        return CAPTLS_OK;
    }
    if (r->chunked) {
        r->state_ = S_CHUNK_SIZE;
        return CAPTLS_NEED_MORE;
    }
    if (r->has_content_length) {
        if (r->content_length > r->body_cap_)
            return fail(r, CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_BODY_SIZE);
        r->remaining_ = r->content_length;
        if (r->remaining_ == 0) {
            r->state_ = S_DONE;
            r->complete = true;
            return CAPTLS_OK;
        }
        r->state_ = S_BODY_CL;
        return CAPTLS_NEED_MORE;
    }
    /* RFC 9112 §6.3 item 8: the body runs until the connection closes. */
    r->keep_alive = false;
    r->state_ = S_BODY_CLOSE;
    return CAPTLS_NEED_MORE;
}

static captls_result head_byte(captls_http_resp *r, uint8_t c)
{
    size_t off = 0, n = 0;
    const uint8_t *name, *value;
    size_t nl, vl;
    captls_http_error why = CAPTLS_HTTP_E_NONE;
    captls_result e = captls_http_head_push(&r->head_, c, &off, &n, &why);

    if (e == CAPTLS_NEED_MORE)
        return e;
    if (e != CAPTLS_OK)
        return fail(r, e, why);
    if (off == 0) {
        CAPTLS_TRY(status_line(r, r->head_.buf, n));
        return CAPTLS_NEED_MORE;
    }
    if (n == 0)
        return head_done(r);
    if (++r->field_count_ > r->max_fields_)
        return fail(r, CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_HEADER_COUNT);
    e = captls_http_field_split(r->head_.buf + off, n, &name, &nl, &value, &vl,
                                &why);
    if (e != CAPTLS_OK)
        return fail(r, e, why);
    e = captls_http_resp_field_(r, name, nl, value, vl);
    if (e != CAPTLS_OK)
        return fail(r, e, r->why);
    return CAPTLS_NEED_MORE;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One octet of the chunked framing outside chunk data (RFC 9112 §7.1):
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk = 1*("0") [ chunk-ext ] CRLF, then trailer-section CRLF */
static captls_result chunk_byte(captls_http_resp *r, uint8_t c)
{
    int h;

    if ((r->state_ == S_CHUNK_SIZE || r->state_ == S_CHUNK_EXT) &&
        ++r->line_len_ > CAPTLS_HTTP_MAX_CHUNK_LINE)
        return fail(r, CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_CHUNK_EXT);
    switch (r->state_) {
    case S_CHUNK_SIZE:
        h = hex_value(c);
        if (h >= 0) {
            /* RFC 9112 §7.1: recipients MUST anticipate large hex numbers
             * and prevent integer overflow: a size above what the body may
             * still hold is refused as soon as it is seen. */
            if (r->remaining_ > (r->body_cap_ - r->body_len) / 16u ||
                r->remaining_ * 16u + (uint64_t)h > r->body_cap_ - r->body_len)
                return fail(r, CAPTLS_ERR_LIMIT_EXCEEDED,
                            CAPTLS_HTTP_E_BODY_SIZE);
            r->remaining_ = r->remaining_ * 16u + (uint64_t)h;
            r->chunk_digits_++;
            return CAPTLS_NEED_MORE;
        }
        if (r->chunk_digits_ == 0)
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_SIZE);
        r->state_ = S_CHUNK_EXT;
        r->chunk_ext_ = false;
        /* this octet starts the rest of the line */
        /* fall through */
    case S_CHUNK_EXT:
        if (c == '\r') {
            r->state_ = S_CHUNK_LF;
            return CAPTLS_NEED_MORE;
        }
        if (c == '\n')
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_LF);
        /* chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS
         * chunk-ext-val ] ): whitespace, then ';' before anything else.
         * Extensions are ignored (§7.1.1: a recipient MUST ignore
         * unrecognized ones); their octets must be visible ASCII. */
        if (c == ' ' || c == '\t')
            return CAPTLS_NEED_MORE;
        if (!r->chunk_ext_ && c != ';')
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_SIZE);
        if (c < 0x21 || c > 0x7e)
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_EXT);
        r->chunk_ext_ = true;
        return CAPTLS_NEED_MORE;
    case S_CHUNK_LF:
        if (c != '\n')
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_CR);
        r->line_len_ = 0;
        r->chunk_digits_ = 0;
        if (r->remaining_ == 0) {
            r->state_ = S_TRAILER;
            r->last_cr_ = false;
        } else {
            r->state_ = S_CHUNK_DATA;
        }
        return CAPTLS_NEED_MORE;
    case S_CHUNK_CR:
        if (c != '\r')
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_DATA);
        r->state_ = S_CHUNK_DATA_LF;
        return CAPTLS_NEED_MORE;
    case S_CHUNK_DATA_LF:
        if (c != '\n')
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_DATA);
        r->state_ = S_CHUNK_SIZE;
        return CAPTLS_NEED_MORE;
    default:
        break;
    }
    return fail(r, CAPTLS_ERR_INTERNAL, CAPTLS_HTTP_E_NONE);
}

/* Trailer lines (RFC 9112 §7.1.2): counted against the header-bytes limit
 * with the head, checked for CRLF discipline, controls and obs-fold, and
 * dropped (§7.1.2: a recipient MAY discard them; none is merged). */
static captls_result trailer_byte(captls_http_resp *r, uint8_t c)
{
    if (r->head_.len + ++r->trailer_bytes_ > r->head_.cap)
        return fail(r, CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_HEADER_BYTES);
    if (r->last_cr_) {
        if (c != '\n')
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_CR);
        r->last_cr_ = false;
        if (r->line_len_ == 0) {
            r->state_ = S_DONE;
            r->complete = true;
            return CAPTLS_OK;
        }
        r->line_len_ = 0;
        return CAPTLS_NEED_MORE;
    }
    if (c == '\r') {
        r->last_cr_ = true;
        return CAPTLS_NEED_MORE;
    }
    if (c == '\n')
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_LF);
    if (r->line_len_ == 0 && (c == ' ' || c == '\t'))
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_OBS_FOLD);
    if ((c < 0x20 && c != '\t') || c == 0x7f)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
    r->line_len_++;
    return CAPTLS_NEED_MORE;
}

captls_result captls_http_resp_feed(captls_http_resp *r, const uint8_t *in,
                                    size_t len, size_t *used)
{
    size_t i = 0;
    captls_result e = CAPTLS_NEED_MORE;

    *used = 0;
    if (r->error_ != CAPTLS_OK)
        return r->error_;
    if (r->state_ == S_DONE)
        return CAPTLS_OK;
    if (in == NULL && len != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    while (i < len && e == CAPTLS_NEED_MORE) {
        size_t take;
        switch (r->state_) {
        case S_HEAD:
            e = head_byte(r, in[i++]);
            break;
        case S_BODY_CL:
        case S_CHUNK_DATA:
            take = len - i;
            if (take > r->remaining_)
                take = (size_t)r->remaining_;
            memcpy(r->body_buf_ + r->body_len, in + i, take);
            r->body_len += take;
            r->remaining_ -= take;
            i += take;
            if (r->remaining_ == 0) {
                if (r->state_ == S_BODY_CL) {
                    r->state_ = S_DONE;
                    r->complete = true;
                    e = CAPTLS_OK;
                } else {
                    r->state_ = S_CHUNK_CR;
                }
            }
            break;
        case S_BODY_CLOSE:
            /* what fits is kept (a caller may show the start of an
             * oversized body), then the limit error */
            take = len - i;
            if (take > r->body_cap_ - r->body_len)
                take = r->body_cap_ - r->body_len;
            if (take > 0)
                memcpy(r->body_buf_ + r->body_len, in + i, take);
            r->body_len += take;
            i += take;
            if (i < len)
                e = fail(r, CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_BODY_SIZE);
            break;
        case S_TRAILER:
            e = trailer_byte(r, in[i++]);
            break;
        default:
            e = chunk_byte(r, in[i++]);
            break;
        }
    }
    *used = i;
    return e;
}

captls_result captls_http_resp_eof(captls_http_resp *r)
{
    if (r->error_ != CAPTLS_OK)
        return r->error_;
    if (r->state_ == S_DONE)
        return CAPTLS_OK;
    if (r->state_ == S_BODY_CLOSE) {
        r->state_ = S_DONE;
        r->complete = true;
        return CAPTLS_OK;
    }
    return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRUNCATED);
}

bool captls_http_resp_field(const captls_http_resp *r, const char *name,
                            captls_http_slice *value)
{
    const uint8_t *v = NULL;
    size_t vl = 0;

    if (!r->headers_done ||
        captls_http_head_find(r->head_.buf, r->head_.len, name, 0, &v, &vl) < 0)
        return false;
    value->p = v;
    value->len = vl;
    return true;
}

bool captls_http_resp_link(const captls_http_resp *r, captls_http_link_rel rel,
                           captls_http_slice *uri)
{
    for (size_t i = 0; i < r->link_count; i++) {
        if (r->links[i].rel == rel) {
            uri->p = r->links[i].uri;
            uri->len = r->links[i].uri_len;
            return true;
        }
    }
    return false;
}
