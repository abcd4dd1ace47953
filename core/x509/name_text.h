/* core/x509/name_text.h — readable text for names and OIDs.
 *
 * Contract. Appends to a caller's captls_text (bounded, never overflows;
 * captls_text_finish says whether it all fit). Nothing is allocated.
 * Every byte that came from a certificate is escaped with captls_sanitize's
 * rules (printable ASCII passes, '\\' and '"' are backslash-escaped, any
 * other byte becomes \xNN) plus ',' '+' and '=' backslash-escaped so a
 * value cannot fake extra attributes ("CN=a\, O=Evil" stays one CN).
 *
 * Name format: one line, attributes in DER order (issuer's most general RDN
 * first, like OpenSSL's default `-nameopt oneline`-ish output, NOT RFC
 * 4514's reversed order): "C=US, O=Example, CN=example.com"; members of a
 * multi-valued RDN are joined with " + ". Attribute types use the short
 * names below (CN, O, OU, C, L, ST, emailAddress, DC, ...) or dotted OIDs.
 * Values: the 8-bit string types print their bytes (UTF-8 above 0x7F is
 * therefore shown as \xNN escapes); BMPString and UniversalString print
 * ASCII code points as characters and others as \u{XXXX}; other value
 * types print as '#' and the hex of their contents (RFC 4514 §2.4).
 */
#ifndef CAPTLS_X509_NAME_TEXT_H
#define CAPTLS_X509_NAME_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/base/text.h"
#include "core/x509/certificate.h"

/* Short name of a well-known OID (attribute types, extensions, EKUs,
 * algorithms, curves), or NULL. */
const char *captls_oid_short_name(captls_slice oid);
/* Appends the short name, or the dotted-decimal form ("1.2.3.4"). */
void captls_oid_append(captls_text *t, captls_slice oid);
/* Appends the dotted-decimal form only. */
void captls_oid_append_dotted(captls_text *t, captls_slice oid);
/* Same into out[0..cap) (NUL-terminated); BUFFER_TOO_SMALL with *len the
 * length needed (NUL excluded). */
CAPTLS_MUST_CHECK captls_result captls_oid_to_text(captls_slice oid, char *out,
                                                  size_t cap, size_t *len);

/* Appends one attribute value (escaped as above). */
void captls_x509_value_append(captls_text *t, uint32_t tag, captls_slice v);
/* Appends untrusted bytes escaped as above (for SANs, URIs, ...). */
void captls_x509_bytes_append(captls_text *t, captls_slice v);
/* Appends the one-line name ("" for an empty name). */
void captls_x509_name_append(captls_text *t, const captls_x509_name *name);
/* Same into out[0..cap); BUFFER_TOO_SMALL with *len the length needed. */
CAPTLS_MUST_CHECK captls_result captls_x509_name_to_text(
    const captls_x509_name *name, char *out, size_t cap, size_t *len);
/* Value of the last CN attribute as escaped text, or "" if none. */
void captls_x509_name_cn_append(captls_text *t, const captls_x509_name *name);

#endif
