/* HTTP/1.1 request writer — see http_client.h. */
#include "core/http/http_client.h"

#include <string.h>

#include "core/base/text.h"

/* Visible ASCII and SP only: nothing that could end a line or a field. */
static bool safe_text(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((uint8_t)*s < 0x20 || (uint8_t)*s > 0x7e)
            return false;
    }
    return true;
}

captls_result captls_http_request_write(const captls_http_request *req,
                                        uint8_t *out, size_t cap, size_t *len)
{
    captls_text t;
    const captls_http_url *u;
    size_t n;

    *len = 0;
    if (req == NULL || req->url == NULL || req->method == NULL || out == NULL ||
        (req->body == NULL && req->body_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    u = req->url;
    if (!captls_http_is_token((const uint8_t *)req->method,
                              strlen(req->method)) ||
        (req->version != NULL && !safe_text(req->version)) ||
        (req->content_type != NULL && !safe_text(req->content_type)) ||
        (req->accept != NULL && !safe_text(req->accept)) ||
        !safe_text(u->host) || u->path_len == 0 || u->path[0] != '/' ||
        !safe_text(u->path))
        return CAPTLS_ERR_MALFORMED;
    captls_text_init(&t, (char *)out, cap);
    /* RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ] */
    captls_text_str(&t, req->method);
    captls_text_str(&t, " ");
    captls_text_mem(&t, u->path, u->path_len);
    captls_text_str(&t, " HTTP/1.1\r\nHost: ");
    /* RFC 9110 §7.2: Host = uri-host [ ":" port ]; the port is omitted
     * when it is the scheme's default. */
    if (u->host_is_ipv6)
        captls_text_str(&t, "[");
    captls_text_str(&t, u->host);
    if (u->host_is_ipv6)
        captls_text_str(&t, "]");
    if (u->port != (u->https ? 443 : 80)) {
        captls_text_str(&t, ":");
        captls_text_u64(&t, u->port);
    }
    /* RFC 8555 §6.1: ACME clients MUST send a User-Agent header field. */
    captls_text_str(&t, "\r\nUser-Agent: captls");
    if (req->version != NULL) {
        captls_text_str(&t, "/");
        captls_text_str(&t, req->version);
    }
    captls_text_str(&t, "\r\n");
    if (req->accept != NULL) {
        captls_text_str(&t, "Accept: ");
        captls_text_str(&t, req->accept);
        captls_text_str(&t, "\r\n");
    }
    if (req->content_type != NULL) {
        captls_text_str(&t, "Content-Type: ");
        captls_text_str(&t, req->content_type);
        captls_text_str(&t, "\r\n");
    }
    if (req->content_type != NULL || req->body_len != 0) {
        captls_text_str(&t, "Content-Length: ");
        captls_text_u64(&t, req->body_len);
        captls_text_str(&t, "\r\n");
    }
    if (req->close)
        captls_text_str(&t, "Connection: close\r\n");
    captls_text_str(&t, "\r\n");
    n = captls_text_len(&t);
    /* the text writer truncates silently: a full buffer means no room */
    if (n + 1 > cap || cap - n < req->body_len)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (req->body_len != 0)
        memcpy(out + n, req->body, req->body_len);
    *len = n + req->body_len;
    return CAPTLS_OK;
}
