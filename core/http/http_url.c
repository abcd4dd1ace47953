/* Absolute https URLs — see http_url.h. */
#include "core/http/http_url.h"

#include <string.h>

static bool is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(uint8_t c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986 §2.3 unreserved, §2.2 sub-delims. */
static bool is_unreserved(uint8_t c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static bool is_sub_delim(uint8_t c)
{
    switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*':
    case '+': case ',': case ';': case '=':
        return true;
    default:
        return false;
    }
}

/* RFC 3986 §3.3 pchar minus '%' (checked separately), plus '/' and '?'
 * (path and query). */
static bool is_path_char(uint8_t c)
{
    return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' ||
           c == '/' || c == '?';
}

static bool str_eq(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && memcmp(a, b, n) == 0;
}

static bool parse_ipv4(const char *h, size_t n)
{
    unsigned parts = 0, val = 0, digits = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i == n || h[i] == '.') {
            if (digits == 0 || val > 255 || (digits > 1 && h[i - digits] == '0'))
                return false;
            parts++;
            val = 0;
            digits = 0;
            continue;
        }
        if (!is_digit((uint8_t)h[i]) || ++digits > 3)
            return false;
        val = val * 10u + (unsigned)(h[i] - '0');
    }
    return parts == 4;
}

static bool all_digits_and_dots(const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((uint8_t)h[i]) && h[i] != '.')
            return false;
    }
    return true;
}

/* A DNS name: labels of letters, digits and '-', 1..63 octets, not
 * starting or ending with '-'. */
static bool is_dns_name(const char *h, size_t n)
{
    size_t label = 0;

    if (n == 0 || h[n - 1] == '.')
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || h[i] == '.') {
            if (label == 0 || label > 63 || h[i - label] == '-' ||
                h[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!is_alpha((uint8_t)h[i]) && !is_digit((uint8_t)h[i]) &&
            h[i] != '-')
            return false;
        label++;
    }
    return true;
}

static bool is_ipv6_text(const char *h, size_t n)
{
    unsigned colons = 0;

    if (n < 2)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)h[i];
        if (c == ':')
            colons++;
        else if (!is_hex(c) && c != '.')
            return false; /* zone identifiers ("%25eth0") refused */
    }
    return colons >= 2 && colons <= 7;
}

bool captls_http_host_is_loopback(const char *host)
{
    size_t n = strlen(host);

    if (str_eq(host, "localhost") || str_eq(host, "::1"))
        return true;
    return n > 4 && memcmp(host, "127.", 4) == 0 && parse_ipv4(host, n);
}

captls_result captls_http_url_parse(const char *s, size_t len, unsigned flags,
                                    captls_http_url *out)
{
    size_t i, hb, he, pb;

    memset(out, 0, sizeof(*out));
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return CAPTLS_ERR_MALFORMED; /* controls, space, non-ASCII */
        /* RFC 3986 §3.5: a fragment is never sent; a URL for the CA with
         * one is not a request target. */
        if (c == '#')
            return CAPTLS_ERR_MALFORMED;
    }
    if (len >= 8 && (s[0] | 0x20) == 'h' && (s[1] | 0x20) == 't' &&
        (s[2] | 0x20) == 't' && (s[3] | 0x20) == 'p' && (s[4] | 0x20) == 's' &&
        memcmp(s + 5, "://", 3) == 0) {
        out->https = true;
        out->port = 443;
        i = 8;
    } else if (len >= 7 && (flags & CAPTLS_HTTP_URL_ALLOW_HTTP_LOOPBACK) &&
               (s[0] | 0x20) == 'h' && (s[1] | 0x20) == 't' &&
               (s[2] | 0x20) == 't' && (s[3] | 0x20) == 'p' &&
               memcmp(s + 4, "://", 3) == 0) {
        out->https = false;
        out->port = 80;
        i = 7;
    } else {
        return CAPTLS_ERR_MALFORMED;
    }
    /* authority ends at the first '/' or '?' */
    hb = i;
    while (i < len && s[i] != '/' && s[i] != '?')
        i++;
    pb = i;
    /* RFC 9110 §4.2.4: userinfo is deprecated for http(s) and a sender
     * MUST NOT generate it: refused. */
    for (size_t k = hb; k < pb; k++) {
        if (s[k] == '@' || s[k] == '%')
            return CAPTLS_ERR_MALFORMED;
    }
    if (hb < pb && s[hb] == '[') {
        he = hb + 1;
        while (he < pb && s[he] != ']')
            he++;
        if (he == pb || !is_ipv6_text(s + hb + 1, he - hb - 1))
            return CAPTLS_ERR_MALFORMED;
        out->host_is_ipv6 = true;
        if (he - hb - 1 > CAPTLS_HTTP_HOST_MAX)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        for (size_t k = hb + 1; k < he; k++)
            out->host[k - hb - 1] = (char)(s[k] | (is_alpha((uint8_t)s[k]) ? 0x20 : 0));
        he++; /* past ']' */
    } else {
        he = hb;
        while (he < pb && s[he] != ':')
            he++;
        if (he == hb)
            return CAPTLS_ERR_MALFORMED;
        if (he - hb > CAPTLS_HTTP_HOST_MAX)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        for (size_t k = hb; k < he; k++)
            out->host[k - hb] =
                (char)(is_alpha((uint8_t)s[k]) ? (s[k] | 0x20) : s[k]);
        if (all_digits_and_dots(out->host, he - hb)) {
            if (!parse_ipv4(out->host, he - hb))
                return CAPTLS_ERR_MALFORMED;
        } else if (!is_dns_name(out->host, he - hb)) {
            return CAPTLS_ERR_MALFORMED;
        }
    }
    if (he < pb) {
        uint32_t port = 0;
        if (s[he] != ':' || he + 1 == pb || pb - he - 1 > 5)
            return CAPTLS_ERR_MALFORMED;
        for (size_t k = he + 1; k < pb; k++) {
            if (!is_digit((uint8_t)s[k]))
                return CAPTLS_ERR_MALFORMED;
            port = port * 10u + (uint32_t)(s[k] - '0');
        }
        if (port == 0 || port > 65535u)
            return CAPTLS_ERR_MALFORMED;
        out->port = (uint16_t)port;
        out->port_explicit = true;
    }
    if (!out->https && !captls_http_host_is_loopback(out->host))
        return CAPTLS_ERR_MALFORMED;
    /* path-abempty [ "?" query ] */
    if (pb == len) {
        out->path[0] = '/';
        out->path_len = 1;
        return CAPTLS_OK;
    }
    if (s[pb] == '?')
        out->path[out->path_len++] = '/';
    if (len - pb + out->path_len > CAPTLS_HTTP_PATH_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (size_t k = pb; k < len; k++) {
        uint8_t c = (uint8_t)s[k];
        if (c == '%') {
            if (k + 2 >= len || !is_hex((uint8_t)s[k + 1]) ||
                !is_hex((uint8_t)s[k + 2]))
                return CAPTLS_ERR_MALFORMED;
        } else if (!is_path_char(c)) {
            return CAPTLS_ERR_MALFORMED;
        }
        out->path[out->path_len++] = (char)c;
    }
    out->path[out->path_len] = '\0';
    return CAPTLS_OK;
}

bool captls_http_url_same_origin(const captls_http_url *a,
                                 const captls_http_url *b)
{
    return a->https == b->https && a->port == b->port &&
           str_eq(a->host, b->host);
}
