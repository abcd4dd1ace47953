/* core/http/http_server.h — the server half of HTTP/1.1 that small
 * purpose-built endpoints need (the ACME http-01 responder, RFC 8555 §8.3):
 * a strict, bounded request-head parser and a response writer. Sans-I/O.
 *
 * Contract.
 *  - Memory: caller-owned. The parser keeps the request head in a lent
 *    buffer whose size IS the header-bytes limit; method, target and Host
 *    are slices into it, valid until the next init on that buffer.
 *  - captls_http_req_feed() takes any split of the stream and returns
 *    CAPTLS_NEED_MORE (all used, head incomplete), CAPTLS_OK when the head
 *    is complete (*used says where it ended; a following request starts
 *    there), or a sticky error with `why`.
 *  - Strict (RFC 9112): request-line = method SP request-target SP
 *    HTTP-version with single spaces, method a token, request-target
 *    visible ASCII only, HTTP/1.0 or HTTP/1.1 (other 1.x or 2+:
 *    UNSUPPORTED); CRLF only (bare CR/LF refused), no NUL, no obs-fold, no
 *    whitespace before a field's colon; HTTP/1.1 needs exactly one Host
 *    (§3.2), whose value must be a uri-host[:port] of ASCII letters,
 *    digits, '.', '-', ':', '[' and ']'; conflicting or non-numeric
 *    Content-Length, Content-Length with Transfer-Encoding: MALFORMED.
 *  - This parser takes NO request bodies: Transfer-Encoding is UNSUPPORTED
 *    and a non-zero Content-Length is LIMIT_EXCEEDED (why
 *    BODY_NOT_ALLOWED); the endpoints it serves are GET-only. After any
 *    error the connection must be closed (the framing is lost);
 *    captls_http_req_error_status() gives the status to answer with.
 *  - What is NOT checked: the target's meaning (the router decides), Host
 *    against a configured name (callers that care compare it themselves).
 */
#ifndef CAPTLS_HTTP_HTTP_SERVER_H
#define CAPTLS_HTTP_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/http/http_client.h" /* captls_http_slice, defaults */
#include "core/http/http_syntax.h"

/* Recommended request head buffer: the http-01 validators send short
 * heads; 4 KiB leaves room for proxies' extra fields. */
#define CAPTLS_HTTP_SERVER_HEADER_BYTES 4096u
#define CAPTLS_HTTP_SERVER_MAX_FIELDS 32u

typedef struct captls_http_req {
    captls_http_slice method;
    captls_http_slice target;
    unsigned version_minor;
    captls_http_slice host;
    bool has_content_length;
    uint64_t content_length;
    bool connection_close;
    bool keep_alive;          /* HTTP/1.1 without Connection: close */
    bool complete;
    captls_http_error why;

    /* private */
    captls_http_head head_;
    size_t max_fields_, field_count_;
    bool te_;
    captls_result error_;
} captls_http_req;

/* max_fields 0: CAPTLS_HTTP_SERVER_MAX_FIELDS. */
void captls_http_req_init(captls_http_req *r, uint8_t *head, size_t cap,
                          size_t max_fields);
CAPTLS_MUST_CHECK captls_result captls_http_req_feed(captls_http_req *r,
                                                     const uint8_t *in,
                                                     size_t len, size_t *used);
/* The status for a parse error: 400, 413 (body), 431 (head too large or
 * too many fields), 501 (transfer coding), 505 (version). */
unsigned captls_http_req_error_status(captls_result e, captls_http_error why);

/* ---- response writer ------------------------------------------------- */
typedef struct captls_http_response {
    unsigned status;            /* 200..599 */
    const char *content_type;   /* NULL: none */
    const uint8_t *body;        /* body_len bytes */
    size_t body_len;
    const char *allow;          /* "GET" for a 405 (RFC 9110 §15.5.6) */
    bool close;                 /* Connection: close */
    bool omit_body;             /* answer to HEAD: fields only */
} captls_http_response;

/* Status line, Content-Length (always), the optional fields, the body.
 * BUFFER_TOO_SMALL if it does not fit; MALFORMED for strings with
 * controls or a status outside 100..599. */
CAPTLS_MUST_CHECK captls_result captls_http_response_write(
    const captls_http_response *rsp, uint8_t *out, size_t cap, size_t *len);

/* "OK", "Not Found", ...; "Unknown" for codes not in the table. */
const char *captls_http_reason(unsigned status);

#endif
