/* core/cap/interface_ids.h — the interface ids of the seed schemas.
 *
 * Every capability names exactly one interface; an IPC frame names the
 * interface and method it calls. The values are part of the IPC wire format:
 * never renumber, only append. Method ids are per interface and are defined
 * with each interface.
 */
#ifndef CAPTLS_CAP_INTERFACE_IDS_H
#define CAPTLS_CAP_INTERFACE_IDS_H

#include <stdint.h>

typedef uint32_t captls_interface_id;

enum {
    CAPTLS_IFACE_ANY = 0, /* lookup wildcard only; never minted */
    CAPTLS_IFACE_WALL_CLOCK = 1,
    CAPTLS_IFACE_ENTROPY_SOURCE = 2,
    CAPTLS_IFACE_TCP_LISTENER = 3,
    CAPTLS_IFACE_BYTE_STREAM = 4,
    CAPTLS_IFACE_AUDIT_LOG = 5,
    CAPTLS_IFACE_BLOB_STORE = 6, /* the port's blob store (port/port.h) */
    CAPTLS_IFACE_TRUST_STORE = 16,
    CAPTLS_IFACE_TRUST_STORE_WRITER = 17,
    CAPTLS_IFACE_CERT_VERIFIER = 18,
    CAPTLS_IFACE_CERTIFICATE_STORE = 19,
    CAPTLS_IFACE_KEY_VAULT = 20,
    CAPTLS_IFACE_PRIVATE_KEY = 21,
    CAPTLS_IFACE_CT_LOG = 22,
    CAPTLS_IFACE_OCSP_RESPONDER = 23,
    CAPTLS_IFACE_ACME_CLIENT = 24,
    CAPTLS_IFACE_CHALLENGE_SOLVER = 25,
    CAPTLS_IFACE_TLS_SERVER_CONFIG = 26,
    CAPTLS_IFACE_TLS_CLIENT_CONFIG = 27,
    CAPTLS_IFACE_KEY_SOURCE = 28,        /* core/keys/key_vault.h */
    CAPTLS_IFACE_CERT_SUBSCRIPTION = 29, /* core/store/cert_store.h */
    /* the telnets gateway (seed 004; core/gateway/) */
    CAPTLS_IFACE_TERMINAL_SESSION = 30,
    CAPTLS_IFACE_USER_SESSION = 31,
    CAPTLS_IFACE_SESSION_MANAGER = 32,
    CAPTLS_IFACE_AUTHORITY_BROKER = 33,
    /* simulator and test services */
    CAPTLS_IFACE_ECHO = 0x1000,
    CAPTLS_IFACE_NOTIFIER = 0x1001,
    /* a TLS server's session-ticket key (core/tls/tls_config.h's
     * captls_tls_ticket_key) held by a service of its own */
    CAPTLS_IFACE_TICKET_KEY = 0x1002,
};

/* The schema name ("TrustStore", "Echo"), or "unknown"; stable. */
const char *captls_interface_name(captls_interface_id id);

#endif
