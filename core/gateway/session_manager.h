/* core/gateway/session_manager.h — SessionManager.tlsClientCert (seed 004):
 * maps a verified client certificate to a principal and a shell profile
 * through the AuthorizedTlsClient records of the --client-map file.
 *
 * Contract.
 *  - Borrowing: the manager borrows the parsed map entries (client_map.h);
 *    they must outlive it. Nothing is allocated.
 *  - Matching, in this order: a `sha256:` record whose fingerprint equals
 *    SHA-256 of the certificate's DER (compared in constant time), then a
 *    `subject:` record whose RFC 4514 name equals the certificate subject:
 *    same number of RDNs in RFC 4514 order (the reverse of DER order), same
 *    attribute count per RDN, attribute types equal ignoring case (short
 *    names CN, O, OU, C, L, ST, DC, UID, emailAddress, serialNumber, or the
 *    dotted OID), values equal byte for byte after RFC 4514 unescaping.
 *    Values of the 8-bit string types (UTF8String, PrintableString,
 *    IA5String, TeletexString, VisibleString) are compared; a '#'-hex value
 *    or a BMPString/UniversalString attribute never matches (documented:
 *    map such certificates by fingerprint). `openssl x509 -noout -subject
 *    -nameopt RFC2253` prints a subject in the form the map expects.
 *  - The result (captls_client_mapping) holds copies: the user, the
 *    profile, the fingerprint and a sanitized subject for audit records.
 *  - Verification is NOT done here: the caller maps only a certificate
 *    whose chain verified and whose key was proven (TLS peer_auth
 *    VERIFIED); an unverified certificate is never mapped.
 */
#ifndef CAPTLS_GATEWAY_SESSION_MANAGER_H
#define CAPTLS_GATEWAY_SESSION_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/gateway/client_map.h"
#include "core/x509/certificate.h"

#define CAPTLS_MAPPING_SUBJECT_MAX 160u

typedef struct captls_client_mapping {
    bool seen;                 /* a verified chain was presented */
    bool mapped;               /* a record matched */
    captls_client_map_kind by; /* which kind of record */
    uint8_t fingerprint[32];
    char subject[CAPTLS_MAPPING_SUBJECT_MAX]; /* sanitized, for audit */
    char user[CAPTLS_CRED_NAME_MAX + 1];
    char profile[CAPTLS_CLIENT_MAP_PROFILE_MAX + 1];
} captls_client_mapping;

typedef struct captls_session_manager {
    const captls_client_map_entry *map; /* borrowed */
    size_t count;
} captls_session_manager;

void captls_session_manager_init(captls_session_manager *sm,
                                 const captls_client_map_entry *map,
                                 size_t count);

/* Fills *out for the certificate (leaf parsed from der[0..len)).
 * CAPTLS_OK with out->mapped true when a record matched;
 * CAPTLS_ERR_NOT_FOUND (out->mapped false, fingerprint and subject still
 * filled for the audit record) when none did; INVALID_ARGUMENT for NULL. */
CAPTLS_MUST_CHECK captls_result captls_session_manager_tls_client_cert(
    const captls_session_manager *sm, const captls_certificate *leaf,
    const uint8_t *der, size_t len, captls_client_mapping *out);

/* Whether the RFC 4514 string (client_map canonical form) names the
 * certificate subject, by the rules above. */
bool captls_rfc4514_matches_name(const char *dn, size_t dn_len,
                                 const captls_x509_name *name);

#endif
