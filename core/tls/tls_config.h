/* core/tls/tls_config.h — TlsServerConfig and TlsClientConfig (seed 001,
 * "TLS configuration"), composed from capabilities: a signing key, a chain
 * source, a CertVerifier + TrustStore pair, a cipher policy, a ticket key.
 * A config holds no raw private key bytes: the key is a signer interface
 * whose only method is sign().
 *
 * Contract. A config is caller-owned, read-only once a connection uses it,
 * and must outlive every connection made from it. Everything it points to
 * (interfaces, cap table, scratch) is borrowed for that lifetime. A config
 * is shared by many connections of one event loop; it is NOT thread-safe:
 * certificate verification uses the config's verify scratch (one chain at a
 * time: the engine verifies synchronously inside one call).
 * captls_tls_*_config_check() validates a config before use (fail closed on
 * setup errors: no key, an empty chain, a policy with no suite, ...); every
 * init of a connection calls it too.
 */
#ifndef CAPTLS_TLS_TLS_CONFIG_H
#define CAPTLS_TLS_TLS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/tls/cipher_policy.h"
#include "core/x509/certificate.h"
#include "port/port.h"

struct captls_tls_conn; /* core/tls/tls.h */

/* Largest certificate list we send or accept (TLS 1.3 chains are short). */
#define CAPTLS_TLS_MAX_CHAIN 8u
#define CAPTLS_TLS_MAX_ALPN 8u        /* protocols in one config */
#define CAPTLS_TLS_MAX_ALPN_LEN 32u   /* bytes of one protocol name */
#define CAPTLS_TLS_MAX_SIG_SCHEMES 8u /* schemes one signer offers */
#define CAPTLS_TLS_MAX_EE_GROUPS 16u

/* ---- signing capability ------------------------------------------------
 * A private key reached only through sign(). `schemes` lists the TLS 1.3
 * SignatureSchemes the key can produce, in preference order. sign() writes
 * the signature of msg[0..len) (the full CertificateVerify content, RFC
 * 8446 §4.4.3, not a digest) and sets *sig_len; RSA-PSS salts come from the
 * signer's own entropy. Errors: UNSUPPORTED scheme, BUFFER_TOO_SMALL,
 * ENTROPY_FAILURE, NO_AUTHORITY (a key not usable for TLS). */
typedef struct captls_tls_signer {
    void *ctx;
    uint16_t schemes[CAPTLS_TLS_MAX_SIG_SCHEMES];
    size_t scheme_count;
    captls_result (*sign)(void *ctx, uint16_t scheme, const uint8_t *msg,
                          size_t msg_len, uint8_t *sig, size_t sig_cap,
                          size_t *sig_len);
} captls_tls_signer;

/* ---- chain source (seed chainSource) -----------------------------------
 * get() returns the chain to serve on THIS handshake (leaf first, DER) and,
 * optionally, a stapled OCSP response and an SCT list for the leaf's
 * CertificateEntry. The slices must stay valid until the connection's
 * handshake ends (the engine copies them into the flight at once, so a
 * rotation between handshakes is atomic). */
typedef struct captls_tls_chain {
    captls_slice certs[CAPTLS_TLS_MAX_CHAIN];
    size_t count;
    captls_slice ocsp_response; /* empty: nothing to staple */
    captls_slice sct_list;      /* empty: none; SignedCertificateTimestampList */
} captls_tls_chain;

typedef struct captls_tls_chain_source {
    void *ctx;
    captls_result (*get)(void *ctx, captls_tls_chain *out);
} captls_tls_chain_source;

/* ---- per-handshake identity (server, optional) --------------------------
 * select() is called once per ClientHello (again for the second one after
 * a HelloRetryRequest), after the config's own choices (suite, group, the
 * ALPN from common.alpn) and before the key's signature scheme, with what
 * the client asked for: the SNI host name and the ALPN list it offered. It
 * may override, for THIS handshake only, the key, the chain and the ALPN
 * protocol (the tls-alpn-01 responder, core/acme/solver_tls_alpn01.h,
 * serves its challenge certificate and selects "acme-tls/1" this way).
 *  - out arrives zeroed; fields left so keep the config's choice: key NULL
 *    -> cfg->key, chain.count 0 -> cfg->chain.get(), alpn NULL -> the
 *    config's ALPN choice (none when common.alpn is empty).
 *  - out->alpn must be a protocol the client offered, byte for byte, of at
 *    most CAPTLS_TLS_MAX_ALPN_LEN bytes; out->key must offer 1..
 *    CAPTLS_TLS_MAX_SIG_SCHEMES schemes and sign(); out->chain at most
 *    CAPTLS_TLS_MAX_CHAIN non-empty certificates. Otherwise the handshake
 *    fails closed (internal_error): a selector bug never serves by accident.
 *  - An error return ends the handshake with it: CAPTLS_TLS_ERR(name) sends
 *    that alert (e.g. UNRECOGNIZED_NAME, NO_APPLICATION_PROTOCOL).
 *  - What out points to must stay valid until the handshake ends (the
 *    engine copies the chain and signs within the call that delivered the
 *    ClientHello, so per-connection storage is enough).
 * With a selector, the config may leave key.sign and chain.get unset: a
 * handshake whose selector supplies neither then fails (internal_error). */
typedef struct captls_tls_hello_view {
    captls_slice server_name; /* SNI host_name as sent; empty: no SNI */
    bool alpn_offered;        /* the ClientHello carried ALPN (RFC 7301) */
    captls_slice alpn_list;   /* its ProtocolNameList contents, as on the
                                 wire: (1-byte length, name)+, validated */
} captls_tls_hello_view;

typedef struct captls_tls_identity {
    const captls_tls_signer *key; /* NULL: the config's key */
    captls_tls_chain chain;       /* count 0: the config's chain source */
    const char *alpn;             /* NULL: the config's ALPN choice */
} captls_tls_identity;

typedef struct captls_tls_identity_selector {
    void *ctx;
    captls_result (*select)(void *ctx, struct captls_tls_conn *c,
                            const captls_tls_hello_view *hello,
                            captls_tls_identity *out);
} captls_tls_identity_selector;

/* ---- ticket key (server) -----------------------------------------------
 * Seals and opens session tickets (core/tls/ticket_key.h implements it with
 * rotation). seal() writes at most plain_len + CAPTLS_TLS_TICKET_OVERHEAD;
 * open() returns AUTH_FAILED for a ticket it cannot open (unknown or retired
 * key, forged, truncated): the engine then falls back to a full handshake. */
#define CAPTLS_TLS_TICKET_OVERHEAD 64u
typedef struct captls_tls_ticket_key {
    void *ctx;
    captls_result (*seal)(void *ctx, const uint8_t *plain, size_t plain_len,
                          uint8_t *out, size_t out_cap, size_t *out_len);
    captls_result (*open)(void *ctx, const uint8_t *ticket, size_t len,
                          uint8_t *plain, size_t plain_cap, size_t *plain_len);
} captls_tls_ticket_key;

/* ---- key log (NSS SSLKEYLOGFILE format) --------------------------------
 * Called with a label ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", ...), the
 * ClientHello random and the secret. Only for debugging: a config without
 * it never exposes a secret. */
typedef void (*captls_tls_keylog_fn)(void *ctx, const char *label,
                                     const uint8_t client_random[32],
                                     const uint8_t *secret, size_t len);

/* ---- peer verification through caps ------------------------------------
 * The CertVerifier and TrustStore handles live in `caps`, held by `owner`.
 * The verify scratch (parsed certificates of one peer chain) is shared by
 * every connection of the config. */
typedef struct captls_tls_verify_scratch {
    captls_certificate certs[CAPTLS_TLS_MAX_CHAIN];
} captls_tls_verify_scratch;

typedef struct captls_tls_peer_verifier {
    const captls_cap_table *caps;
    captls_cap_owner owner;
    captls_cap_handle verifier; /* CAPTLS_IFACE_CERT_VERIFIER, CALL */
    captls_cap_handle trust;    /* CAPTLS_IFACE_TRUST_STORE, CALL */
    captls_tls_verify_scratch *scratch;
} captls_tls_peer_verifier;

/* Common to both sides. */
typedef struct captls_tls_common_config {
    captls_entropy entropy;     /* randoms, key shares, PSS salts */
    captls_clock clock;         /* verification time, ticket ages */
    captls_cipher_policy policy;/* suites, groups, schemes (cipher_policy.h) */
    const char *alpn[CAPTLS_TLS_MAX_ALPN]; /* NUL-terminated, preference order */
    size_t alpn_count;
    /* RFC 8449 limit we advertise for records we receive (64..16385;
     * 0: do not send the extension, i.e. 16384 + 1). */
    uint16_t record_size_limit;
    captls_tls_keylog_fn keylog;
    void *keylog_ctx;
} captls_tls_common_config;

typedef struct captls_tls_server_config {
    captls_tls_common_config common;
    captls_tls_signer key;               /* seed key() */
    captls_tls_chain_source chain;       /* seed chainSource() */
    /* seed clientVerifier(): caps.caps == NULL means no client auth asked. */
    captls_tls_peer_verifier client_verifier;
    bool require_client_cert;            /* no certificate -> certificate_required */
    /* A certificate the client presents but that fails verification ends
     * the handshake with its alert even when no certificate is required
     * (the telnets gateway: no certificate -> password path, a bad one ->
     * alert). false: a failed chain is recorded as peer_auth FAILED and the
     * handshake goes on (only meaningful without require_client_cert). */
    bool reject_bad_client_cert;
    /* Optional: called once per handshake with the client's leaf (parsed,
     * and its DER) right after its chain verified, before the
     * CertificateVerify is checked; the handshake's final peer_auth says
     * whether the client then proved its key. The gateway maps the
     * certificate here (fingerprint, subject) so the engine keeps no copy.
     * The leaf and der are valid only during the call. */
    void (*client_cert_verified)(void *ctx, struct captls_tls_conn *c,
                                 const captls_certificate *leaf,
                                 const uint8_t *der, size_t der_len);
    void *client_cert_ctx;
    captls_tls_ticket_key tickets;       /* seal == NULL: no tickets issued */
    uint32_t ticket_lifetime_s;          /* <= 604800 (RFC 8446 §4.6.1) */
    uint8_t tickets_per_handshake;       /* NewSessionTickets sent (0..4) */
    /* Groups advertised in EncryptedExtensions (RFC 8446 §4.2.7: a hint a
     * client may use for later connections); NULL/0: the extension is not
     * sent. At most CAPTLS_TLS_MAX_EE_GROUPS. */
    const uint16_t *ee_groups;
    size_t ee_group_count;
    /* Optional per-handshake key / chain / ALPN (see above); select NULL:
     * every handshake serves key, chain and common.alpn. */
    captls_tls_identity_selector identity;
} captls_tls_server_config;

/* Client identity for mTLS (seed clientAuth: key + chain). */
typedef struct captls_tls_client_auth {
    captls_tls_signer key;
    captls_tls_chain_source chain;
} captls_tls_client_auth;

typedef struct captls_tls_client_config {
    captls_tls_common_config common;
    captls_tls_peer_verifier verifier;   /* seed verifier() + trust() */
    bool have_client_auth;
    captls_tls_client_auth client_auth;  /* seed clientAuth() */
} captls_tls_client_config;

/* Fail closed on setup errors (core/tls/tls_config.c lists every check):
 * no entropy, no clock where time is needed, a policy list empty or naming
 * an unknown value, ALPN names empty / longer than CAPTLS_TLS_MAX_ALPN_LEN /
 * repeated / more than CAPTLS_TLS_MAX_ALPN, record_size_limit outside
 * 64..16385 (0 allowed), no signer or a signer with no (or no allowed)
 * scheme, no chain source or an empty / oversized chain (the check calls
 * get() once; a server with an identity selector may have neither signer
 * nor chain source, but one it has is checked), handles that do not name a CertVerifier / TrustStore with
 * CALL, no verify scratch, require_client_cert without a client verifier,
 * a ticket key with seal but no open (or the reverse), ticket lifetime >
 * 604800 s, more than 4 tickets per handshake, a client without a
 * verifier. Codes: INVALID_ARGUMENT, LIMIT_EXCEEDED, UNSUPPORTED, NOT_FOUND
 * (empty chain), or the cap table's / chain source's own error. */
CAPTLS_MUST_CHECK captls_result captls_tls_server_config_check(
    const captls_tls_server_config *cfg);
CAPTLS_MUST_CHECK captls_result captls_tls_client_config_check(
    const captls_tls_client_config *cfg);
/* The same checks; *why (may be NULL) is set to a static sentence naming
 * the first problem found ("no entropy source", ...), or NULL on success.
 * Each refusal has its own sentence (programs print it). */
CAPTLS_MUST_CHECK captls_result captls_tls_server_config_check_why(
    const captls_tls_server_config *cfg, const char **why);
CAPTLS_MUST_CHECK captls_result captls_tls_client_config_check_why(
    const captls_tls_client_config *cfg, const char **why);

#endif
