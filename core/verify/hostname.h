/* core/verify/hostname.h — RFC 6125 server identity checks.
 *
 * Contract. Pure functions over caller bytes; nothing is copied or kept.
 * Reference identities (what the client asked for) and presented ones (a
 * dNSName SAN) are compared case-insensitively over ASCII only:
 *   - the reference host must be a valid A-label host name: 1..253 octets
 *     (one trailing dot allowed and ignored), labels of 1..63 octets made
 *     of letters, digits, '-' and '_' (underscores appear in real service
 *     names); any byte >= 0x80 (a U-label) or other character is refused;
 *   - a presented name follows the same syntax, except that its leftmost
 *     label may be exactly "*" (RFC 6125 §6.4.3, CA/B BR 7.1.4.2.1);
 *     partial wildcards ("f*.example.com", "*oo.example.com", "x*y"), a
 *     wildcard in any other label, and a wildcard name with fewer than
 *     three labels ("*.com", "*.") never match;
 *   - "*" matches exactly one non-empty leftmost label: "*.example.com"
 *     matches "www.example.com" but neither "example.com" nor
 *     "a.b.example.com";
 *   - one trailing dot on either side is ignored ("example.com." matches
 *     "example.com").
 * NOT done: public-suffix-list checks ("*.co.uk" is accepted: three
 * labels), IDNA conversion (callers pass A-labels), and any use of the
 * subject CN (never consulted, RFC 6125 §6.4.4 / CA/B BR).
 * IP addresses: an IPv4/IPv6 literal never matches a dNSName; it matches
 * only an iPAddress SAN of the same family and bytes.
 */
#ifndef CAPTLS_VERIFY_HOSTNAME_H
#define CAPTLS_VERIFY_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/x509/certificate.h"

/* Longest host name (RFC 1035 §2.3.4: 255 octets on the wire). */
#define CAPTLS_HOSTNAME_MAX 253u

/* True if host[0..len) is a valid reference host name (see above). */
bool captls_hostname_is_valid(const char *host, size_t len);

/* True if the presented dNSName pattern matches the reference host. Both
 * are validated; invalid input never matches. */
bool captls_hostname_match(const char *pattern, size_t pattern_len,
                           const char *host, size_t host_len);

/* Parses an IPv4 dotted quad (strict: four decimal parts 0..255, no
 * leading zeros) or an IPv6 literal (RFC 4291 §2.2, "::" once, optional
 * trailing dotted quad; no zone id, no brackets). out gets 4 or 16 bytes. */
bool captls_ip_parse(const char *text, size_t len, uint8_t out[16],
                     size_t *out_len);

/* True if some dNSName SAN of cert matches host. The CN is never used. */
bool captls_cert_matches_hostname(const captls_certificate *cert,
                                  const char *host, size_t len);
/* True if some iPAddress SAN of cert equals ip[0..len) (4 or 16 bytes). */
bool captls_cert_matches_ip(const captls_certificate *cert, const uint8_t *ip,
                            size_t len);

#endif
