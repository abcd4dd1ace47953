/* HTTP/1.1 request parser and response writer — see http_server.h. */
#include "core/http/http_server.h"

#include <string.h>

#include "core/base/text.h"

#define CL_MAX 1000000000000000ull

static captls_result fail(captls_http_req *r, captls_result e,
                          captls_http_error why)
{
    r->error_ = e;
    r->why = why;
    return e;
}

void captls_http_req_init(captls_http_req *r, uint8_t *head, size_t cap,
                          size_t max_fields)
{
    memset(r, 0, sizeof(*r));
    captls_http_head_init(&r->head_, head, cap);
    r->max_fields_ = max_fields != 0 ? max_fields : CAPTLS_HTTP_SERVER_MAX_FIELDS;
    r->error_ = CAPTLS_OK;
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version */
static captls_result request_line(captls_http_req *r, const uint8_t *l, size_t n)
{
    size_t a = 0, b;

    while (a < n && l[a] != ' ')
        a++;
    if (a == n)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE);
    if (!captls_http_is_token(l, a))
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_METHOD);
    b = a + 1;
    while (b < n && l[b] != ' ') {
        /* RFC 9112 §3.2: no whitespace in the target; captls also
         * refuses controls, DEL and octets above 0x7E (RFC 3986 has none) */
        if (l[b] < 0x21 || l[b] > 0x7e)
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TARGET);
        b++;
    }
    if (b == a + 1 || b == n)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TARGET);
    if (n - b - 1 != 8 || memcmp(l + b + 1, "HTTP/", 5) != 0 ||
        l[b + 6] < '0' || l[b + 6] > '9' || l[b + 7] != '.' ||
        l[b + 8] < '0' || l[b + 8] > '9')
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE);
    if (l[b + 6] != '1' || l[b + 8] > '1')
        return fail(r, CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_VERSION);
    r->version_minor = (unsigned)(l[b + 8] - '0');
    r->method.p = l;
    r->method.len = a;
    r->target.p = l + a + 1;
    r->target.len = b - a - 1;
    return CAPTLS_OK;
}

static bool host_ok(const uint8_t *v, size_t n)
{
    if (n == 0 || n > 261)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']'))
            return false;
    }
    return true;
}

static captls_result field(captls_http_req *r, const uint8_t *name, size_t nl,
                           const uint8_t *v, size_t n)
{
    uint64_t u = 0;

    if (captls_http_eq_ci(name, nl, "host")) {
        /* RFC 9112 §3.2: a server MUST respond 400 to a request with more
         * than one Host field or an invalid value. */
        if (r->host.p != NULL || !host_ok(v, n))
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_HOST);
        r->host.p = v;
        r->host.len = n;
    } else if (captls_http_eq_ci(name, nl, "content-length")) {
        if (!captls_http_parse_decimal(v, n, CL_MAX, &u))
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CONTENT_LENGTH);
        if (r->has_content_length && r->content_length != u)
            return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_CONFLICT);
        r->has_content_length = true;
        r->content_length = u;
    } else if (captls_http_eq_ci(name, nl, "transfer-encoding")) {
        r->te_ = true;
    } else if (captls_http_eq_ci(name, nl, "connection")) {
        /* options are tokens; only "close" matters here */
        size_t i = 0;
        while (i < n) {
            size_t b, e;
            while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
                i++;
            b = i;
            while (i < n && v[i] != ',')
                i++;
            e = i;
            while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
                e--;
            if (e == b)
                continue;
            if (!captls_http_is_token(v + b, e - b))
                return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
            if (captls_http_eq_ci(v + b, e - b, "close"))
                r->connection_close = true;
        }
    }
    return CAPTLS_OK;
}

static captls_result head_done(captls_http_req *r)
{
    /* RFC 9112 §6.1: a server MAY reject a request with both as 400 and
     * MUST close the connection after responding to one. */
    if (r->te_ && r->has_content_length)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_AND_TE);
    /* RFC 9112 §6.1: a server that receives a transfer coding it does not
     * understand SHOULD respond 501; captls takes no request bodies. */
    if (r->te_)
        return fail(r, CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_TRANSFER_CODING);
    if (r->has_content_length && r->content_length != 0)
        return fail(r, CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_BODY_NOT_ALLOWED);
    /* RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request
     * that lacks a Host header field. */
    if (r->version_minor == 1 && r->host.p == NULL)
        return fail(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_HOST);
    r->keep_alive = r->version_minor == 1 && !r->connection_close;
    r->complete = true;
    return CAPTLS_OK;
}

captls_result captls_http_req_feed(captls_http_req *r, const uint8_t *in,
                                   size_t len, size_t *used)
{
    size_t i = 0;

    *used = 0;
    if (r->error_ != CAPTLS_OK)
        return r->error_;
    if (r->complete)
        return CAPTLS_OK;
    if (in == NULL && len != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    while (i < len) {
        size_t off = 0, n = 0, nl, vl;
        const uint8_t *name, *value;
        captls_http_error why = CAPTLS_HTTP_E_NONE;
        captls_result e = captls_http_head_push(&r->head_, in[i++], &off, &n,
                                                &why);
        if (e == CAPTLS_NEED_MORE)
            continue;
        *used = i;
        if (e != CAPTLS_OK)
            return fail(r, e, why);
        if (off == 0) {
            e = request_line(r, r->head_.buf, n);
        } else if (n == 0) {
            return head_done(r);
        } else if (++r->field_count_ > r->max_fields_) {
            e = fail(r, CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_HEADER_COUNT);
        } else {
            e = captls_http_field_split(r->head_.buf + off, n, &name, &nl,
                                        &value, &vl, &why);
            if (e != CAPTLS_OK)
                e = fail(r, e, why);
            else
                e = field(r, name, nl, value, vl);
        }
        if (e != CAPTLS_OK)
            return e;
    }
    *used = i;
    return CAPTLS_NEED_MORE;
}

unsigned captls_http_req_error_status(captls_result e, captls_http_error why)
{
    if (why == CAPTLS_HTTP_E_VERSION)
        return 505;
    if (why == CAPTLS_HTTP_E_TRANSFER_CODING)
        return 501;
    if (why == CAPTLS_HTTP_E_BODY_NOT_ALLOWED)
        return 413;
    if (why == CAPTLS_HTTP_E_HEADER_BYTES || why == CAPTLS_HTTP_E_HEADER_COUNT)
        return 431;
    (void)e;
    return 400;
}

const char *captls_http_reason(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

static bool safe_text(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((uint8_t)*s < 0x20 || (uint8_t)*s > 0x7e)
            return false;
    }
    return true;
}

captls_result captls_http_response_write(const captls_http_response *rsp,
                                         uint8_t *out, size_t cap, size_t *len)
{
    captls_text t;
    size_t n, blen;

    *len = 0;
    if (rsp == NULL || out == NULL || (rsp->body == NULL && rsp->body_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (rsp->status < 100 || rsp->status > 599 ||
        (rsp->content_type != NULL && !safe_text(rsp->content_type)) ||
        (rsp->allow != NULL && !safe_text(rsp->allow)))
        return CAPTLS_ERR_MALFORMED;
    captls_text_init(&t, (char *)out, cap);
    captls_text_str(&t, "HTTP/1.1 ");
    captls_text_u64(&t, rsp->status);
    captls_text_str(&t, " ");
    captls_text_str(&t, captls_http_reason(rsp->status));
    captls_text_str(&t, "\r\n");
    if (rsp->content_type != NULL) {
        captls_text_str(&t, "Content-Type: ");
        captls_text_str(&t, rsp->content_type);
        captls_text_str(&t, "\r\n");
    }
    /* RFC 9110 §8.6: a HEAD answer may carry the GET body's length */
    captls_text_str(&t, "Content-Length: ");
    captls_text_u64(&t, rsp->body_len);
    captls_text_str(&t, "\r\n");
    if (rsp->allow != NULL) {
        captls_text_str(&t, "Allow: ");
        captls_text_str(&t, rsp->allow);
        captls_text_str(&t, "\r\n");
    }
    if (rsp->close)
        captls_text_str(&t, "Connection: close\r\n");
    captls_text_str(&t, "\r\n");
    n = captls_text_len(&t);
    blen = rsp->omit_body ? 0 : rsp->body_len;
    if (n + 1 > cap || cap - n < blen)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (blen != 0)
        memcpy(out + n, rsp->body, blen);
    *len = n + blen;
    return CAPTLS_OK;
}
