/* core/verify/hostname.c — RFC 6125 host name and IP matching (see
 * hostname.h). */
#include "core/verify/hostname.h"

#include <string.h>

/* memchr is not in core's allowed symbol set (ci/check-core.sh). */
static const char *find(const char *s, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == c)
            return s + i;
    return NULL;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ldh(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Drops one trailing dot. */
static size_t strip_dot(const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '.')
        return len - 1;
    return len;
}

/* Validates dot-separated labels of s[0..len) (no trailing dot). With
 * allow_wild, the first label may be exactly "*". Returns the number of
 * labels, 0 if invalid. */
static size_t check_labels(const char *s, size_t len, bool allow_wild)
{
    if (len == 0 || len > CAPTLS_HOSTNAME_MAX)
        return 0;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            size_t n = i - start;
            if (n == 0 || n > 63)
                return 0;
            bool wild = n == 1 && s[start] == '*';
            if (wild && !(allow_wild && labels == 0))
                return 0;
            if (!wild)
                for (size_t k = start; k < i; k++)
                    if (!ldh(s[k]))
                        return 0;
            labels++;
            start = i + 1;
        }
    }
    return labels;
}

bool captls_hostname_is_valid(const char *host, size_t len)
{
    if (host == NULL)
        return false;
    len = strip_dot(host, len);
    return check_labels(host, len, false) != 0;
}

static bool equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

bool captls_hostname_match(const char *pattern, size_t pattern_len,
                           const char *host, size_t host_len)
{
    if (pattern == NULL || host == NULL)
        return false;
    pattern_len = strip_dot(pattern, pattern_len);
    host_len = strip_dot(host, host_len);
    if (check_labels(host, host_len, false) == 0)
        return false;
    size_t plabels = check_labels(pattern, pattern_len, true);
    if (plabels == 0)
        return false;
    if (pattern[0] != '*') {
        return pattern_len == host_len &&
               equal_nocase(pattern, host, host_len);
    }
    /* RFC 6125 §6.4.3: "*" is the whole leftmost label. No wildcard over a
     * two-label (public-suffix-like) name such as "*.com". */
    if (plabels < 3)
        return false;
    const char *dot = find(host, '.', host_len);
    if (dot == NULL)
        return false;
    size_t first = (size_t)(dot - host); /* >= 1: labels are non-empty */
    size_t rest = host_len - first;      /* ".example.com" */
    return rest == pattern_len - 1 && equal_nocase(pattern + 1, dot, rest);
}

static bool parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
    size_t part = 0, i = 0;
    while (part < 4) {
        if (i >= len || s[i] < '0' || s[i] > '9')
            return false;
        unsigned v = 0;
        size_t digits = 0;
        size_t begin = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10u + (unsigned)(s[i] - '0');
            if (++digits > 3 || v > 255)
                return false;
            i++;
        }
        if (digits > 1 && s[begin] == '0')
            return false; /* leading zero: octal ambiguity */
        out[part++] = (uint8_t)v;
        if (part < 4) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == len;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
    uint8_t buf[16];
    size_t n = 0;            /* bytes written */
    size_t gap = SIZE_MAX;   /* byte position of "::" */
    size_t i = 0;
    if (len < 2)
        return false;
    if (s[0] == ':') {
        if (s[1] != ':')
            return false;
        gap = 0;
        i = 2;
        if (i == len) {
            memset(out, 0, 16);
            return true;
        }
    }
    for (;;) {
        /* a group: 1..4 hex digits, or a dotted quad at the end */
        size_t j = i;
        unsigned v = 0;
        while (j < len && j - i < 5 && hexval(s[j]) >= 0) {
            v = (v << 4) | (unsigned)hexval(s[j]);
            j++;
        }
        if (j < len && s[j] == '.') {
            if (n > 12 || !parse_ipv4(s + i, len - i, buf + n))
                return false;
            n += 4;
            i = len;
            break;
        }
        if (j == i || j - i > 4 || n + 2 > 16)
            return false;
        buf[n++] = (uint8_t)(v >> 8);
        buf[n++] = (uint8_t)v;
        i = j;
        if (i == len)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < len && s[i] == ':') {
            if (gap != SIZE_MAX)
                return false;
            gap = n;
            i++;
            if (i == len)
                break;
        } else if (i == len) {
            return false; /* trailing single ':' */
        }
    }
    if (gap == SIZE_MAX) {
        if (n != 16)
            return false;
        memcpy(out, buf, 16);
        return true;
    }
    if (n > 14)
        return false; /* "::" must stand for at least one group */
    size_t tail = n - gap;
    memset(out, 0, 16);
    memcpy(out, buf, gap);
    memcpy(out + 16 - tail, buf + gap, tail);
    return true;
}

bool captls_ip_parse(const char *text, size_t len, uint8_t out[16],
                     size_t *out_len)
{
    if (text == NULL || out == NULL || out_len == NULL || len == 0 ||
        len > 45)
        return false;
    if (find(text, ':', len) != NULL) {
        if (!parse_ipv6(text, len, out))
            return false;
        *out_len = 16;
        return true;
    }
    if (!parse_ipv4(text, len, out))
        return false;
    *out_len = 4;
    return true;
}

bool captls_cert_matches_hostname(const captls_certificate *cert,
                                  const char *host, size_t len)
{
    if (cert == NULL || host == NULL)
        return false;
    for (size_t i = 0; i < cert->san_count; i++) {
        const captls_general_name *gn = &cert->san[i];
        if (gn->type != CAPTLS_GN_DNS)
            continue;
        if (captls_hostname_match((const char *)gn->value.ptr, gn->value.len,
                                  host, len))
            return true;
    }
    return false;
}

bool captls_cert_matches_ip(const captls_certificate *cert, const uint8_t *ip,
                            size_t len)
{
    if (cert == NULL || ip == NULL || (len != 4 && len != 16))
        return false;
    for (size_t i = 0; i < cert->san_count; i++) {
        const captls_general_name *gn = &cert->san[i];
        if (gn->type == CAPTLS_GN_IP && gn->value.len == len &&
            memcmp(gn->value.ptr, ip, len) == 0)
            return true;
    }
    return false;
}
