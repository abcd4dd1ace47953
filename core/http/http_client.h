/* core/http/http_client.h — the client half of HTTP/1.1 (RFC 9110, RFC
 * 9112) for ACME (RFC 8555 §6): a request writer and an incremental,
 * strict response parser. Sans-I/O: bytes in, bytes out; the caller moves
 * them over TLS (port/posix/https_client.h does).
 *
 * Contract.
 *  - Memory. Everything is caller-owned; nothing is allocated. The
 *    response parser is given two buffers: `head` (the status line and
 *    fields are kept there; its size IS the header-bytes limit) and `body`
 *    (the decoded body is copied there; its size IS the body limit). The
 *    exposed fields (status, Replay-Nonce, Location, Content-Type, Links,
 *    ...) are slices into `head` and live as long as it does and until the
 *    next captls_http_resp_init on it.
 *  - Feeding. captls_http_resp_feed() takes any split of the byte stream
 *    (one octet at a time gives the same result as all at once). It returns
 *    CAPTLS_NEED_MORE when every byte was used and the response is not
 *    complete, CAPTLS_OK when it is (*used says how many bytes belong to
 *    it; what follows belongs to the next response), or an error. Interim
 *    1xx responses are skipped (101 is refused: no upgrade was asked for).
 *    When the stream ends, captls_http_resp_eof() completes a body that is
 *    delimited by the close, and reports TRUNCATED otherwise.
 *  - Errors are sticky: after the first, every call returns it; `why`
 *    names the rule (captls_http_error). MALFORMED: obs-fold, bare LF or CR,
 *    NUL, non-token names, control characters in values, a bad status line,
 *    non-digit or conflicting Content-Length, Content-Length together with
 *    Transfer-Encoding, malformed chunk sizes, extensions or chunk ends,
 *    duplicated single-valued fields (Location, Replay-Nonce, Retry-After,
 *    Content-Type). LIMIT_EXCEEDED: head bytes (including trailers), field
 *    count, body bytes, chunk-size above the body limit. UNSUPPORTED: a
 *    transfer coding other than chunked, a version other than HTTP/1.x,
 *    a 101 response.
 *  - Framing (RFC 9112 §6.3): responses to HEAD and 1xx/204/304 have no
 *    body; else chunked, else Content-Length, else the body runs to the
 *    close (such a connection cannot be reused). keep_alive is true only
 *    for HTTP/1.1 without "Connection: close" and with a delimited body.
 *  - What is NOT checked: Content-Type semantics, the Link targets (the
 *    caller resolves them against the request URL and checks the origin
 *    with captls_http_url_same_origin), trailer contents (counted and
 *    discarded), reason phrases (ignored, RFC 9112 §4).
 */
#ifndef CAPTLS_HTTP_HTTP_CLIENT_H
#define CAPTLS_HTTP_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/http/http_syntax.h"
#include "core/http/http_url.h"

/* Documented defaults (sizes of the buffers a caller should lend): ACME
 * responses carry a handful of fields and JSON or a PEM chain of a few KB. */
#define CAPTLS_HTTP_DEFAULT_HEADER_BYTES 8192u
#define CAPTLS_HTTP_DEFAULT_MAX_FIELDS 64u
#define CAPTLS_HTTP_DEFAULT_BODY_BYTES 65536u
/* Longest chunk-size line (size, extensions) accepted. */
#define CAPTLS_HTTP_MAX_CHUNK_LINE 256u
/* Link fields kept (RFC 8288); more are counted in links_dropped. */
#define CAPTLS_HTTP_MAX_LINKS 8u

/* ---- request writer ----------------------------------------------------- */
typedef struct captls_http_request {
    const char *method;        /* "GET", "HEAD", "POST" (a token) */
    const captls_http_url *url;/* host, port, path-and-query */
    const char *version;       /* captls version for User-Agent; NULL: none */
    const char *content_type;  /* NULL: no body fields; else e.g.
                                  "application/jose+json" */
    const uint8_t *body;       /* body_len bytes, copied after the head */
    size_t body_len;
    const char *accept;        /* NULL: no Accept field */
    bool close;                /* "Connection: close" (default keep-alive) */
} captls_http_request;

/* Writes the request (head and body) into out[0..cap). BUFFER_TOO_SMALL
 * if it does not fit (nothing usable written), MALFORMED for a method that
 * is not a token or strings holding CR, LF or controls. */
CAPTLS_MUST_CHECK captls_result captls_http_request_write(
    const captls_http_request *req, uint8_t *out, size_t cap, size_t *len);

/* ---- response parser ---------------------------------------------------- */
typedef enum captls_http_link_rel {
    CAPTLS_HTTP_REL_OTHER = 0,
    CAPTLS_HTTP_REL_INDEX,     /* RFC 8555 §7.1: the directory */
    CAPTLS_HTTP_REL_UP,        /* issuer chain / parent resource */
    CAPTLS_HTTP_REL_ALTERNATE, /* alternate certificate chains */
} captls_http_link_rel;

typedef struct captls_http_link {
    captls_http_link_rel rel;
    const uint8_t *uri;        /* between < and >, into head */
    size_t uri_len;
} captls_http_link;

typedef struct captls_http_slice {
    const uint8_t *p;          /* NULL when absent */
    size_t len;
} captls_http_slice;

typedef struct captls_http_resp {
    /* results, valid once the head is complete (headers_done) */
    unsigned version_minor;    /* 0 or 1 */
    unsigned status;           /* 100..599 */
    captls_http_slice replay_nonce;  /* RFC 8555 §6.5.1; invalid ones dropped */
    bool replay_nonce_invalid;       /* one came and was not base64url */
    captls_http_slice location;
    captls_http_slice content_type;
    bool retry_after_present;
    bool retry_after_is_date;        /* value: epoch seconds; else delta */
    uint64_t retry_after;
    bool retry_after_invalid;        /* a value neither form parsed */
    captls_http_link links[CAPTLS_HTTP_MAX_LINKS];
    size_t link_count, links_dropped;
    bool has_content_length;
    uint64_t content_length;
    bool chunked;
    bool connection_close;
    bool keep_alive;                 /* reusable after this response */
    bool headers_done, complete;
    const uint8_t *body;             /* = the lent body buffer */
    size_t body_len;
    captls_http_error why;           /* detail of the sticky error */

    /* private */
    captls_http_head head_;
    uint8_t *body_buf_;
    size_t body_cap_;
    size_t max_fields_;
    size_t field_count_;
    bool head_request_;
    unsigned state_;
    uint64_t remaining_;             /* CL or chunk bytes left */
    size_t line_len_;                /* chunk-size line / trailer line */
    size_t trailer_bytes_;
    unsigned chunk_digits_;
    bool chunk_ext_;
    bool last_cr_;
    captls_result error_;
} captls_http_resp;

/* Prepares to parse one response. head/body: lent buffers (their sizes
 * are the limits). max_fields: 0 for CAPTLS_HTTP_DEFAULT_MAX_FIELDS.
 * response_to_head: the request was HEAD (no body follows). */
void captls_http_resp_init(captls_http_resp *r, uint8_t *head, size_t head_cap,
                           uint8_t *body, size_t body_cap, size_t max_fields,
                           bool response_to_head);

CAPTLS_MUST_CHECK captls_result captls_http_resp_feed(captls_http_resp *r,
                                                      const uint8_t *in,
                                                      size_t len,
                                                      size_t *used);
/* The peer closed the stream. OK if that completes the response. */
CAPTLS_MUST_CHECK captls_result captls_http_resp_eof(captls_http_resp *r);

/* First field called `name` (case-insensitive) from the completed head;
 * false if absent. For fields the struct does not expose. */
bool captls_http_resp_field(const captls_http_resp *r, const char *name,
                            captls_http_slice *value);

/* First link with relation rel, or false. */
bool captls_http_resp_link(const captls_http_resp *r, captls_http_link_rel rel,
                           captls_http_slice *uri);

/* Seconds to wait per Retry-After: a delta as is, a date minus now (0 if
 * past). false if there was no usable Retry-After. */
bool captls_http_resp_retry_delay(const captls_http_resp *r,
                                  uint64_t now_epoch_s, uint64_t *delay_s);

/* IMF-fixdate (RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT") to epoch
 * seconds. The obsolete RFC 850 and asctime forms are refused (MALFORMED):
 * documented limit, a Retry-After in those forms is retry_after_invalid. */
CAPTLS_MUST_CHECK captls_result captls_http_date_parse(const uint8_t *s,
                                                       size_t n,
                                                       uint64_t *epoch_s);

#endif
