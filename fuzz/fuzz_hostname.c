/* Fuzz harness: RFC 6125 host matching and IP literal parsing
 * (core/verify/hostname.c).
 *
 * Input: byte 0 = pattern length (mod the remaining size), then the
 * pattern, then the host. Property beyond "no crash": a match implies the
 * pattern (one trailing dot dropped on each side) equals the host ignoring
 * ASCII case, or is "*." + S where the host is L + "." + S ignoring case
 * with L a non-empty label without dots, and S has at least two labels.
 * An accepted IP literal yields 4 or 16 bytes and a second parse agrees.
 * Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/verify/hostname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char low(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (low(a[i]) != low(b[i]))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t plen = data[0] % size;
    const char *pat = (const char *)data + 1;
    if (plen > size - 1)
        plen = size - 1;
    const char *host = pat + plen;
    size_t hlen = size - 1 - plen;

    bool m = captls_hostname_match(pat, plen, host, hlen);
    if (m) {
        size_t pl = plen, hl = hlen;
        if (pl && pat[pl - 1] == '.')
            pl--;
        if (hl && host[hl - 1] == '.')
            hl--;
        if (!captls_hostname_is_valid(host, hlen))
            abort();
        if (pat[0] != '*') {
            if (pl != hl || !eq(pat, host, hl))
                abort();
        } else {
            const char *dot = memchr(host, '.', hl);
            if (pl < 2 || pat[1] != '.' || dot == NULL || dot == host)
                abort();
            size_t rest = hl - (size_t)(dot - host);
            if (rest != pl - 1 || !eq(pat + 1, dot, rest))
                abort();
            if (memchr(pat + 2, '.', pl - 2) == NULL) /* >= 2 labels in S */
                abort();
            if (memchr(pat + 1, '*', pl - 1) != NULL)
                abort();
        }
    }
    /* the matcher is symmetric in nothing, but it is deterministic */
    if (captls_hostname_match(pat, plen, host, hlen) != m)
        abort();

    uint8_t ip1[16], ip2[16];
    size_t n1 = 0, n2 = 0;
    bool a = captls_ip_parse(host, hlen, ip1, &n1);
    bool b = captls_ip_parse(host, hlen, ip2, &n2);
    if (a != b || (a && (n1 != n2 || (n1 != 4 && n1 != 16) ||
                         memcmp(ip1, ip2, n1) != 0)))
        abort();
    return 0;
}
