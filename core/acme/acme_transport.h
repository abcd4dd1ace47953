/* core/acme/acme_transport.h — the one HTTP exchange the ACME client needs,
 * as an abstract interface a driver implements (the POSIX HTTPS driver
 * over the TLS client, the simulator's scripted CA, the tests' fake CA).
 *
 * Contract. exchange(ctx, req, body_buf, body_cap, resp) sends ONE request
 * and fills *resp from ONE response; it must not follow redirects (a 3xx
 * is returned as it came: the client refuses it), retry, or cache.
 *   - req->url is an absolute https URL the client has already checked is
 *     on the directory's origin; req->body (body_len bytes, may be empty)
 *     is sent as is with Content-Type req->content_type (NULL: none, for
 *     GET/HEAD); req->accept (NULL: none) is the Accept header.
 *   - The response body goes into body_buf[0..body_cap) (caller memory,
 *     the client's response buffer); resp->body points there. A body
 *     longer than body_cap is NOT truncated silently: the transport sets
 *     resp->body_truncated (and may stop reading), and the client refuses
 *     the response (CAPTLS_ACME_ERR_OVERSIZED).
 *   - Header values are borrowed until the next exchange (resp strings
 *     point into transport memory; NULL / 0 when absent): Replay-Nonce,
 *     Location, Content-Type (the whole value; the client ignores
 *     parameters after ';'), and the Link header targets with rel="up"
 *     (up to CAPTLS_ACME_MAX_LINKS: RFC 8555 §7.4.2 alternate chain
 *     issuers), rel="alternate" (first one) and rel="index".
 *   - retry_after: the Retry-After header converted to seconds from now
 *     (RFC 9110 §10.2.3: delay-seconds, or an HTTP-date minus the
 *     driver's clock, 0 if in the past); -1 when absent or unparsable.
 *   - Return CAPTLS_OK when a response (any status) was read; any error
 *     (CONN_REFUSED, TIMEOUT, IO, a TLS failure) when none was: the client
 *     reports CAPTLS_ACME_ERR_TRANSPORT with that code.
 * NOT checked by the transport: anything ACME (nonces, JSON, origins).
 */
#ifndef CAPTLS_ACME_ACME_TRANSPORT_H
#define CAPTLS_ACME_ACME_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

#define CAPTLS_ACME_MAX_LINKS 4u

typedef enum captls_acme_method {
    CAPTLS_ACME_GET = 0,
    CAPTLS_ACME_HEAD = 1,
    CAPTLS_ACME_POST = 2,
} captls_acme_method;

typedef struct captls_acme_request {
    captls_acme_method method;
    const char *url; /* NUL-terminated too */
    size_t url_len;
    const uint8_t *body;
    size_t body_len;
    const char *content_type; /* "application/jose+json" or NULL */
    const char *accept;       /* e.g. "application/pem-certificate-chain" */
} captls_acme_request;

typedef struct captls_acme_text {
    const char *ptr;
    size_t len;
} captls_acme_text;

typedef struct captls_acme_response {
    uint16_t status;
    captls_acme_text replay_nonce;
    captls_acme_text location;
    captls_acme_text content_type;
    int64_t retry_after; /* seconds; -1 absent */
    captls_acme_text link_up[CAPTLS_ACME_MAX_LINKS];
    size_t link_up_count;
    captls_acme_text link_alternate;
    captls_acme_text link_index;
    const uint8_t *body;
    size_t body_len;
    bool body_truncated;
} captls_acme_response;

typedef struct captls_acme_transport {
    void *ctx;
    captls_result (*exchange)(void *ctx, const captls_acme_request *req,
                              uint8_t *body_buf, size_t body_cap,
                              captls_acme_response *resp);
} captls_acme_transport;

#endif
