/* core/gateway/client_map.h — the `--client-map` file: AuthorizedTlsClient
 * records (seed 004) that map a verified client certificate to a user and
 * a shell profile.
 *
 * Format, one record per line:
 *     sha256:<fingerprint> USER PROFILE
 *     subject:<RFC 4514 distinguished name> USER PROFILE
 *     # comment
 *   <fingerprint>  SHA-256 of the client certificate's DER: 64 hex digits,
 *                  or 32 colon-separated pairs as `openssl x509 -fingerprint
 *                  -sha256` prints them; either case.
 *   <RFC 4514 DN>  everything between "subject:" and the last two fields,
 *                  e.g. "CN=Alice Smith,O=Example Corp". Checked against
 *                  RFC 4514 §3: attribute types are descriptors
 *                  (ALPHA *(ALPHA / DIGIT / "-")) or dotted OIDs; values
 *                  use '\' escapes (a special character or two hex digits)
 *                  or '#' + hex; RDNs are joined by ',' and multi-valued
 *                  RDNs by '+'. Spaces after ',' and '+' are tolerated
 *                  (OpenSSL prints them) and removed: the stored form is
 *                  the RFC 4514 string without them. Matching it against a
 *                  certificate (RFC 4514 order is the reverse of DER order)
 *                  is the gateway's job, not the parser's.
 *   USER           a user name (credential_store.h rules).
 *   PROFILE        1..32 bytes of A-Z a-z 0-9 '_' '-'.
 *   Fields are separated by spaces or tabs; leading and trailing blanks
 *   and "\r\n" endings are accepted. A line whose first non-blank byte is
 *   '#' is a comment ('#' inside a DN is part of it: RFC 4514 hex values
 *   start with '#'). The same fingerprint or the same subject twice is an
 *   error. Errors give line:column (1-based) of the offending byte.
 *
 * Memory: entries are caller-owned, fixed size; nothing else is kept.
 */
#ifndef CAPTLS_GATEWAY_CLIENT_MAP_H
#define CAPTLS_GATEWAY_CLIENT_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/gateway/credential_store.h"
#include "core/gateway/parse_error.h"

#define CAPTLS_CLIENT_MAP_SUBJECT_MAX 512u
#define CAPTLS_CLIENT_MAP_PROFILE_MAX 32u

typedef enum captls_client_map_kind {
    CAPTLS_CLIENT_MAP_SHA256 = 1,
    CAPTLS_CLIENT_MAP_SUBJECT = 2,
} captls_client_map_kind;

typedef struct captls_client_map_entry {
    captls_client_map_kind kind;
    uint8_t fingerprint[32];                        /* SHA256 */
    char subject[CAPTLS_CLIENT_MAP_SUBJECT_MAX + 1]; /* SUBJECT, canonical */
    uint16_t subject_len;
    char user[CAPTLS_CRED_NAME_MAX + 1];
    char profile[CAPTLS_CLIENT_MAP_PROFILE_MAX + 1];
} captls_client_map_entry;

/* Parses the file into entries[0..cap). MALFORMED (err says where and
 * why), ALREADY_EXISTS (duplicate key), LIMIT_EXCEEDED (more than cap). */
CAPTLS_MUST_CHECK captls_result captls_client_map_parse(
    const char *text, size_t len, captls_client_map_entry *entries,
    size_t cap, size_t *count, captls_parse_error *err);

/* Checks an RFC 4514 string and writes its canonical form (spaces after
 * separators removed) to out[0..cap) NUL-terminated; on MALFORMED
 * *err_offset and *what say where and why. */
CAPTLS_MUST_CHECK captls_result captls_rfc4514_check(const char *s, size_t len,
                                                     char *out, size_t cap,
                                                     size_t *out_len,
                                                     size_t *err_offset,
                                                     const char **what);

#endif
