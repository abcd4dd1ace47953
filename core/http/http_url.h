/* core/http/http_url.h — the absolute URLs ACME hands out (directory,
 * nonce, account, order, authorization, challenge, certificate URLs):
 * https://host[:port]/path[?query] (RFC 3986, RFC 9110 §4.2.2).
 *
 * Contract.
 *  - captls_http_url_parse() fills a caller-owned captls_http_url: the host
 *    copied in lower case (reg-name, dotted IPv4, or a bracketed IPv6
 *    literal kept with its brackets removed), the port (default 443, or 80
 *    for an allowed http URL), and the path-and-query copied (an empty path
 *    becomes "/"). Nothing points into the input afterwards.
 *  - Refused (MALFORMED): a scheme other than https, userinfo ("user@"),
 *    a fragment ("#"), an empty host, a bad port (0, > 65535, non-digits),
 *    percent-encoding in the host, malformed %HH anywhere, spaces,
 *    controls and octets above 0x7E, characters outside RFC 3986's sets.
 *    Plain http is accepted only with CAPTLS_HTTP_URL_ALLOW_HTTP_LOOPBACK
 *    and only for a loopback host (localhost, 127.0.0.0/8, ::1): a test
 *    knob, never for a real CA. LIMIT_EXCEEDED: a host longer than
 *    CAPTLS_HTTP_HOST_MAX or a path longer than CAPTLS_HTTP_PATH_MAX.
 *  - captls_http_url_same_origin() tells whether two URLs reach the same
 *    scheme, host and port: a redirect or a URL from a CA's response that
 *    points elsewhere is detectable by the caller.
 *  - What is NOT checked: that the host resolves, IDNA (non-ASCII hosts are
 *    refused, A-labels pass as ASCII), dot segments in the path (kept as
 *    sent: the server interprets its own paths).
 */
#ifndef CAPTLS_HTTP_HTTP_URL_H
#define CAPTLS_HTTP_HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

#define CAPTLS_HTTP_HOST_MAX 253u
#define CAPTLS_HTTP_PATH_MAX 1024u

#define CAPTLS_HTTP_URL_ALLOW_HTTP_LOOPBACK 0x1u

typedef struct captls_http_url {
    bool https;                          /* false only with the knob */
    bool host_is_ipv6;                   /* written as [..] in Host */
    char host[CAPTLS_HTTP_HOST_MAX + 1]; /* lower case, NUL-terminated */
    uint16_t port;
    bool port_explicit;                  /* the URL named a port */
    char path[CAPTLS_HTTP_PATH_MAX + 1]; /* path-abempty [ "?" query ] */
    size_t path_len;
} captls_http_url;

CAPTLS_MUST_CHECK captls_result captls_http_url_parse(const char *s,
                                                      size_t len,
                                                      unsigned flags,
                                                      captls_http_url *out);

/* Same scheme, host (already lower case) and port. */
bool captls_http_url_same_origin(const captls_http_url *a,
                                 const captls_http_url *b);

/* True for localhost, 127.0.0.0/8 and ::1. */
bool captls_http_host_is_loopback(const char *host);

#endif
