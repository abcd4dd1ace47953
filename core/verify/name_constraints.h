/* core/verify/name_constraints.h — RFC 5280 §4.2.1.10 name constraints.
 *
 * Contract. Pure functions over parsed certificates (x509) and constraint
 * lists; nothing is copied. Every comparison decrements *budget; at zero
 * the check stops with CAPTLS_NC_BUDGET (the verifier reports
 * policyViolation). Semantics, per name form:
 *   - permitted: when the constraint lists at least one subtree of a form,
 *     every name of that form must match one of them; excluded: no name
 *     may match any subtree of its form. Forms without subtrees are free.
 *   - dNSName: label-wise, case-insensitive suffix: "example.com" matches
 *     "example.com" and "www.example.com", not "badexample.com"; a leading
 *     dot (".example.com") requires at least one more label (Go, NSS);
 *     an empty constraint matches everything. A wildcard SAN "*.example.com"
 *     is also caught by an excluded "host.example.com" (the wildcard could
 *     cover it).
 *   - rfc822Name: "user@host" exact mailbox (local part case-sensitive,
 *     host not), "host" any mailbox at host, ".host" any mailbox in a
 *     subdomain of host (RFC 5280 §4.2.1.10).
 *   - iPAddress: address/mask; for permitted subtrees families never
 *     match each other (an IPv4 SAN is not permitted by IPv6-only
 *     subtrees, nor ::ffff:a.b.c.d by an IPv4 subtree); an EXCLUDED IPv4
 *     range also catches the IPv4-mapped IPv6 spelling of its addresses
 *     (RFC 4291 §2.5.5.2), and an excluded range inside ::ffff:0:0/96 the
 *     plain IPv4 address (issue 16: an exclusion cannot be sidestepped by
 *     the spelling; OpenSSL compares families strictly, so this is
 *     stricter).
 *   - directoryName: the constraint is an RDN prefix of the name, compared
 *     as RFC 5280 §7.1 says (captls_x509_name_equal per RDN: the
 *     directory string types PrintableString, UTF8String, T61String,
 *     IA5String and VisibleString compare across tags, case-folded, with
 *     insignificant spaces removed), so the same name in another string
 *     type is caught; empty = all.
 * Applied to every SAN and to the subject: the subject DN as a
 * directoryName when non-empty, and its emailAddress attributes as
 * rfc822Names ALWAYS, SAN extension or not (§4.2.1.10: "MUST be applied
 * to the attribute of type emailAddress in the subject"). The
 * CN is never treated as a DNS name, so a leaf without SANs passes DNS
 * constraints (there is no DNS name to constrain) — and host matching
 * then fails, since names come only from SANs.
 * Forms not evaluated (URI, otherName, x400Address, ediPartyName,
 * registeredID): if the constraint names that form AND the certificate
 * holds a name of that form, the result is CAPTLS_NC_UNSUPPORTED (the RFC
 * lets an application reject what it cannot process); otherwise ignored.
 */
#ifndef CAPTLS_VERIFY_NAME_CONSTRAINTS_H
#define CAPTLS_VERIFY_NAME_CONSTRAINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/x509/certificate.h"

typedef enum captls_nc_verdict {
    CAPTLS_NC_OK = 0,
    CAPTLS_NC_VIOLATION = 1,   /* nameConstraintViolation */
    CAPTLS_NC_UNSUPPORTED = 2, /* a constrained form we cannot evaluate */
    CAPTLS_NC_BUDGET = 3,      /* comparison budget exhausted */
} captls_nc_verdict;

/* One constraint set (a CA's or an anchor's). */
typedef struct captls_nc_set {
    const captls_general_name *permitted;
    size_t permitted_count;
    const captls_general_name *excluded;
    size_t excluded_count;
} captls_nc_set;

/* Single-name predicates (exposed for tests and fuzzing). */
bool captls_nc_dns_match(captls_slice constraint, captls_slice name);
bool captls_nc_email_match(captls_slice constraint, captls_slice mailbox);
bool captls_nc_ip_match(captls_slice constraint, captls_slice ip);
bool captls_nc_dn_match(const captls_x509_name *constraint,
                        const captls_x509_name *name);

/* Checks one general name against a set. */
captls_nc_verdict captls_nc_check_name(const captls_nc_set *set,
                                       const captls_general_name *name,
                                       uint32_t *budget);

/* Checks every SAN and the subject of cert against a set. If which != NULL
 * it receives a pointer to the offending SAN (NULL when the subject was). */
captls_nc_verdict captls_nc_check_cert(const captls_nc_set *set,
                                       const captls_certificate *cert,
                                       uint32_t *budget,
                                       const captls_general_name **which);

#endif
