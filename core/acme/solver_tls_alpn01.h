/* core/acme/solver_tls_alpn01.h — the tls-alpn-01 challenge solver (RFC
 * 8737) as a scoped capability: a bounded table of validation certificates
 * (core/acme/alpn01_cert.h), one per name being validated, each with its
 * own ephemeral ECDSA P-256 key, served ONLY to a ClientHello whose ALPN
 * list is exactly "acme-tls/1" and whose SNI is a published name.
 *
 * Contract.
 *  - Memory: a captls_alpn01_solver is caller-owned and fixed size
 *    (CAPTLS_ALPN01_MAX_ALLOWED names it may ever publish,
 *    CAPTLS_ALPN01_MAX_LIVE certificates at once). No allocation. It holds
 *    SECRET material (the ephemeral keys): captls_alpn01_wipe zeroizes it.
 *  - allow(name): adds a name to the allowed set (a host name as
 *    captls_csr_dns_name_ok accepts, no wildcard: MALFORMED; TABLE_FULL past
 *    CAPTLS_ALPN01_MAX_ALLOWED; allowing a name twice is a no-op). The set
 *    is the solver's whole authority: publish refuses any other name with
 *    NO_AUTHORITY. Names compare ASCII-case-insensitively (DNS, RFC 4343).
 *  - publish(name, key_authorization): the key authorization must be
 *    token "." 43-character base64url thumbprint, the token base64url
 *    (RFC 8555 §8.1; as http-01): MALFORMED otherwise. Draws a fresh P-256
 *    key and a 16-byte serial from the entropy interface, reads the wall
 *    clock (validity: one day back, seven days on) and builds the
 *    certificate (CN and dNSName = the name, critical acmeIdentifier).
 *    A name already live with the same key authorization: no-op (OK);
 *    with another: ALREADY_EXISTS. TABLE_FULL when CAPTLS_ALPN01_MAX_LIVE
 *    are live. ENTROPY_FAILURE / CLOCK_UNAVAILABLE from the interfaces.
 *  - retire(name, key_authorization) wipes the slot if, and only if, that
 *    name is live for that key authorization (a stale cleanup does not
 *    retire a newer challenge); otherwise a no-op.
 *  - lookup(sni, alpn): decides one ClientHello. alpn_list is the
 *    ProtocolNameList contents as on the wire. Returns OK and COPIES the
 *    certificate and key into *out only if the ALPN extension was sent and
 *    holds exactly one protocol, "acme-tls/1" (RFC 8737 §3: the validator
 *    offers only it; anything else is not a validation and is never given
 *    the challenge certificate), and the SNI equals a live name. Else
 *    UNSUPPORTED (ALPN absent, other, or more than acme-tls/1: the TLS
 *    responder answers no_application_protocol) or NOT_FOUND (no SNI, or
 *    not a live name: unrecognized_name); *out is then zeroed. The copy
 *    makes a retire during a handshake harmless. Counts the outcome.
 *  - captls_alpn01_select_identity() turns a lookup into the TLS server's
 *    identity selection (core/tls/tls_config.h): key = the copied P-256
 *    key (scheme ecdsa_secp256r1_sha256 only), chain = the certificate,
 *    ALPN = "acme-tls/1"; the lookup's refusals become the alerts
 *    no_application_protocol (120) and unrecognized_name (112).
 *  - captls_alpn01_solver_cap() returns the seed's ChallengeSolver
 *    (core/acme/acme_solver.h): supports = [tls-alpn-01], solve = publish
 *    (identifier type "dns" only, wildcard authorizations UNSUPPORTED: a
 *    validator connects to one concrete name), cleanup = retire.
 *    NOT thread-safe: a responder serving from another thread serializes
 *    lookup and publish/retire (port/posix/tls_alpn01_server.h does).
 *  - NOT checked: that the validator is the CA (anyone may fetch the
 *    certificate; it proves nothing without the CA's challenge), IP
 *    identifiers (RFC 8738 reverse names: not supported).
 */
#ifndef CAPTLS_ACME_SOLVER_TLS_ALPN01_H
#define CAPTLS_ACME_SOLVER_TLS_ALPN01_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/acme_solver.h"
#include "core/acme/alpn01_cert.h"
#include "core/base/result.h"
#include "core/tls/tls_config.h"
#include "port/port.h"

#define CAPTLS_ALPN01_MAX_ALLOWED 16u
#define CAPTLS_ALPN01_MAX_LIVE 8u
#define CAPTLS_ALPN01_BACKDATE_S 86400
#define CAPTLS_ALPN01_VALIDITY_S (7 * 86400)

typedef struct captls_alpn01_slot {
    bool live;
    uint8_t name_len;
    char name[CAPTLS_ALPN01_NAME_MAX];
    uint8_t digest[CAPTLS_ALPN01_DIGEST_LEN]; /* SHA-256(key authorization) */
    uint16_t cert_len;
    uint8_t cert[CAPTLS_ALPN01_CERT_MAX];
    uint8_t priv[32];                          /* P-256 scalar: SECRET */
} captls_alpn01_slot;

typedef struct captls_alpn01_solver {
    captls_entropy entropy;
    captls_clock clock;
    size_t allowed_count;
    uint8_t allowed_len[CAPTLS_ALPN01_MAX_ALLOWED];
    char allowed[CAPTLS_ALPN01_MAX_ALLOWED][CAPTLS_ALPN01_NAME_MAX];
    captls_alpn01_slot slot[CAPTLS_ALPN01_MAX_LIVE];
    uint64_t served, refused_alpn, refused_name; /* lookup counters */
} captls_alpn01_solver;

/* What one lookup hands the TLS server: copies, owned by the caller,
 * valid until it wipes them (captls_alpn01_served_wipe). */
typedef struct captls_alpn01_served {
    uint16_t cert_len;
    uint8_t cert[CAPTLS_ALPN01_CERT_MAX];
    uint8_t priv[32];                /* SECRET */
    captls_tls_signer signer;        /* over priv (select_identity sets it) */
} captls_alpn01_served;

void captls_alpn01_init(captls_alpn01_solver *s, captls_entropy entropy,
                        captls_clock clock);
/* Zeroizes everything (keys included); init again to reuse. */
void captls_alpn01_wipe(captls_alpn01_solver *s);

CAPTLS_MUST_CHECK captls_result captls_alpn01_allow(captls_alpn01_solver *s,
                                                    const char *name,
                                                    size_t name_len);
CAPTLS_MUST_CHECK captls_result captls_alpn01_publish(
    captls_alpn01_solver *s, const char *name, size_t name_len,
    const char *key_authorization, size_t key_authorization_len);
void captls_alpn01_retire(captls_alpn01_solver *s, const char *name,
                          size_t name_len, const char *key_authorization,
                          size_t key_authorization_len);
size_t captls_alpn01_live_count(const captls_alpn01_solver *s);

CAPTLS_MUST_CHECK captls_result captls_alpn01_lookup(
    captls_alpn01_solver *s, const uint8_t *sni, size_t sni_len,
    bool alpn_offered, const uint8_t *alpn_list, size_t alpn_list_len,
    captls_alpn01_served *out);
void captls_alpn01_served_wipe(captls_alpn01_served *out);

/* lookup + the TLS identity over *served (which must stay valid until the
 * handshake ends). Returns OK or CAPTLS_TLS_ERR(NO_APPLICATION_PROTOCOL /
 * UNRECOGNIZED_NAME). */
CAPTLS_MUST_CHECK captls_result captls_alpn01_select_identity(
    captls_alpn01_solver *s, const captls_tls_hello_view *hello,
    captls_alpn01_served *served, captls_tls_identity *out);

/* The ChallengeSolver capability over s (s must outlive it). */
captls_acme_solver captls_alpn01_solver_cap(captls_alpn01_solver *s);

#endif
