/* port/posix/https_client.h — HTTP/1.1 over the captls TLS 1.3 client on
 * a POSIX socket: the transport the ACME client (core/acme/acme_client.h)
 * talks to a CA through.
 *
 * Contract.
 *  - A client is heap memory created by captls_https_client_new and
 *    released by captls_https_client_free. It holds one connection at a
 *    time and the TLS config (trust from a PEM file of CA roots, or the
 *    Mozilla roots when ca_roots is NULL; see port/posix/tls_options.h for
 *    the policy each gets). The server is authenticated by the
 *    CertVerifier against those roots and the URL's host (SNI, name
 *    check); a chain that does not verify fails the exchange with
 *    VERIFY_FAILED and last_error names the FailureReason.
 *  - captls_https_exchange() sends ONE request and reads ONE response, in
 *    blocking style with a deadline (timeout_ms for connect + handshake +
 *    request + response). It never follows redirects, never retries a
 *    request that got any response byte, and never caches. A kept-alive
 *    connection to the same origin (scheme, host, port) is reused; if the
 *    server had closed it before answering (EOF or reset with no response
 *    byte), the request is sent once more on a fresh connection.
 *  - Memory: the response head lives in the client (valid until the next
 *    exchange or free); the body goes into the caller's body_buf, whose
 *    size is the body limit. A longer body ends the exchange with
 *    LIMIT_EXCEEDED (resp->why BODY_SIZE, status and fields valid, body
 *    holds what fit) and the connection is dropped.
 *  - Errors: MALFORMED (URL, or a response breaking HTTP/1.1: see
 *    core/http/http_client.h), CONN_REFUSED / TIMEOUT / CONN_RESET / IO
 *    from the network, VERIFY_FAILED, an alert-band TLS error, or
 *    UNSUPPORTED (a plain http URL: this transport only speaks https).
 *    last_error gives one human line for the CLI.
 *  - Not thread-safe: one client per thread.
 */
#ifndef CAPTLS_PORT_POSIX_HTTPS_CLIENT_H
#define CAPTLS_PORT_POSIX_HTTPS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/acme_transport.h"
#include "core/http/http_client.h"

typedef struct captls_https_options {
    const char *ca_roots;       /* PEM file; NULL: the Mozilla roots */
    unsigned timeout_ms;        /* per exchange; 0: 30000 */
    const char *version;        /* User-Agent "captls/<version>"; NULL: "captls" */
} captls_https_options;

typedef struct captls_https_request {
    const char *method;         /* "GET", "HEAD", "POST" */
    const char *url;            /* absolute https URL */
    size_t url_len;
    const char *content_type;   /* NULL: no body fields */
    const char *accept;         /* NULL: no Accept */
    const uint8_t *body;
    size_t body_len;
} captls_https_request;

typedef struct captls_https_stats {
    uint64_t connections;       /* TCP + TLS connections opened */
    uint64_t reused;            /* exchanges on a kept-alive connection */
    uint64_t exchanges;
} captls_https_stats;

typedef struct captls_https_client captls_https_client;

/* false (err set) on a bad roots file or out of memory. */
bool captls_https_client_new(const captls_https_options *o,
                             captls_https_client **out, char *err,
                             size_t errcap);
/* Closes the connection (close_notify, best effort) and frees; NULL ok. */
void captls_https_client_free(captls_https_client *c);

/* One request, one response (see the contract). *resp points into c. */
CAPTLS_MUST_CHECK captls_result captls_https_exchange(
    captls_https_client *c, const captls_https_request *req,
    uint8_t *body_buf, size_t body_cap, const captls_http_resp **resp);

const char *captls_https_last_error(const captls_https_client *c);
void captls_https_client_stats(const captls_https_client *c,
                               captls_https_stats *out);

/* The ACME transport (core/acme/acme_transport.h) over c: method and
 * headers mapped, Retry-After turned into seconds from the system clock,
 * rel="up" links (up to CAPTLS_ACME_MAX_LINKS), the first rel="alternate"
 * and rel="index"; an oversized body is reported as body_truncated with
 * CAPTLS_OK. c must outlive the transport. */
captls_acme_transport captls_https_acme_transport(captls_https_client *c);

#endif
