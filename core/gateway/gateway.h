/* core/gateway/gateway.h — the telnets gateway (seed 004): owns a
 * listener from the net capability and a TlsServerConfig with the single
 * reviewed policy, and runs one TerminalSession per connection through the
 * staged authentication, the login dialogue and the built-in shell.
 *
 * Authentication, in seed 004's order:
 *   (a) a client certificate that fails the trust path: the TLS engine
 *       ends the handshake with the matching alert; no SessionManager call
 *       (the engine is told reject_bad_client_cert);
 *   (b) verified but no AuthorizedTlsClient record matches:
 *       SessionManager.tlsClientCert denies; the connection gets
 *       "access denied: certificate not authorized" and is closed — never
 *       offered the password path; audit "gateway.cert.unmapped";
 *   (c) mapped but the AuthorityBroker does not grant the profile:
 *       "access denied: profile not permitted", closed; audit
 *       "gateway.profile.denied";
 *   (d) granted: a UserSession with strength tlsClientCert.
 * Without a certificate: `mtls` refuses in the handshake
 * (certificate_required); `mtls-or-password` and `password` run the
 * login dialogue (shell.h) against the CredentialStore.
 *
 * The reviewed TLS policy (captls_gateway_tls_policy): TLS 1.3 only,
 * x25519 only, TLS_AES_128_GCM_SHA256 only, an Ed25519 leaf signing with
 * ed25519 (its chain up to an Ed25519 or ECDSA P-256 root is the
 * operator's), no session tickets, no 0-RTT, no ALPN. Client certificates
 * may sign with ed25519 or ecdsa_secp256r1_sha256.
 *
 * Contract.
 *  - Memory: everything is caller-owned: the gateway struct, the slot
 *    array (one slot per allowed connection, CAPTLS_GATEWAY_SLOT_SIZE
 *    bytes each), the poll array (slots + 2 items) and the cap table; TLS
 *    record buffers come from the caller's captls_buf_source and are held
 *    only while a connection needs them. Nothing is allocated.
 *  - Driving: captls_gateway_run polls the net capability once (waiting
 *    at most max_wait_ns or until the next deadline) and services every
 *    ready connection; it never blocks otherwise. Deadlines: handshake
 *    timeout, login timeout (until authenticated), idle timeout, closing
 *    grace (a peer that does not take our last bytes).
 *  - Resources and teardown: every way a connection ends (peer close,
 *    close_notify, reset, failed handshake, timeout, factory error, shell
 *    exit, gateway shutdown) goes through one release path that returns
 *    the socket, the TLS state and buffers, the byte pair, the
 *    TerminalSession, the shell, the session's caps (revoked by owner) and
 *    writes the closing audit record; the counters (captls_gateway_stats)
 *    return to their baseline when no connection is left.
 *  - Failures of one connection are logged and counted; the rest go on.
 *    Setup errors (no listener, a config outside the reviewed policy, no
 *    users for a password mode, ...) fail captls_gateway_init/listen with
 *    a sentence saying why (fail closed: nothing listens).
 *  - Not thread-safe: one event loop owns the gateway.
 */
#ifndef CAPTLS_GATEWAY_GATEWAY_H
#define CAPTLS_GATEWAY_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/gateway/authority_broker.h"
#include "core/gateway/client_map.h"
#include "core/gateway/credential_store.h"
#include "core/gateway/net_tls.h"
#include "core/gateway/session_manager.h"
#include "core/gateway/shell.h"
#include "core/gateway/stream_pair.h"
#include "core/telnet/term_stream.h"
#include "core/tls/tls.h"
#include "core/tls/tls_config.h"
#include "port/port.h"

typedef enum captls_gateway_auth {
    CAPTLS_GATEWAY_AUTH_MTLS = 1,
    CAPTLS_GATEWAY_AUTH_MTLS_OR_PASSWORD = 2,
    CAPTLS_GATEWAY_AUTH_PASSWORD = 3,
} captls_gateway_auth;

typedef struct captls_gateway_limits {
    uint32_t handshake_timeout_ms;   /* default 10,000 */
    uint32_t login_timeout_ms;       /* default 60,000 (until logged in) */
    uint32_t idle_timeout_ms;        /* default 900,000 */
    uint32_t close_grace_ms;         /* default 5,000 */
    uint32_t max_pending_per_source; /* handshakes at once, default 16 */
    uint16_t max_line;               /* default CAPTLS_LINE_DEFAULT */
} captls_gateway_limits;

void captls_gateway_limits_default(captls_gateway_limits *l);

/* One line for the operator's log: a connection's story ("connection 3
 * from 127.0.0.1:5000: handshake ok ..."). Peer text is sanitized. */
typedef void (*captls_gateway_log_fn)(void *ctx, const char *line);

typedef struct captls_gateway_config {
    const captls_net *net;
    captls_clock clock;
    captls_audit_sink audit;          /* append NULL: no audit records */
    captls_gateway_log_fn log;        /* NULL: silent */
    void *log_ctx;
    /* The TLS server config (key, chain source, client verifier when a
     * client CA is given, entropy, clock). captls_gateway_init sets the
     * reviewed policy, the client-auth flags for `auth` and its mapping
     * hook, and checks the rest; it must outlive the gateway. */
    captls_tls_server_config *tls;
    captls_gateway_auth auth;
    const captls_credential_store *creds; /* NULL: no password path */
    const captls_client_map_entry *map;   /* may be NULL with 0 */
    size_t map_count;
    captls_deploy_profile deploy;
    const char *host_name;            /* prompt and greeting; "captls" */
    captls_gateway_limits limits;
    captls_buf_source bufs;
    captls_cap_table *caps;           /* session caps live here */
    captls_cap_owner owner;           /* the gateway's own owner id */
} captls_gateway_config;

typedef enum captls_gw_slot_state {
    CAPTLS_GW_FREE = 0,
    CAPTLS_GW_HANDSHAKE = 1,
    CAPTLS_GW_SESSION = 2,
    CAPTLS_GW_CLOSING = 3,
} captls_gw_slot_state;

#define CAPTLS_GW_PEER_MAX 56u

typedef struct captls_gateway_slot {
    captls_gw_slot_state state;
    bool plaintext;
    bool term_open;          /* term + shell started */
    uint32_t id;             /* connection number */
    char peer[CAPTLS_GW_PEER_MAX];
    uint64_t accepted_ms, deadline_ms, last_input_ms;
    const char *end_reason;  /* set once: why the connection ends */
    captls_net_tls link;
    captls_tls_pair tpair;
    captls_plain_pair ppair;
    captls_client_mapping mapping;
    captls_user_session us;
    captls_term_stream term;
    captls_term_session ts;
    captls_shell shell;
    captls_tls_conn tls;
} captls_gateway_slot;

#define CAPTLS_GATEWAY_SLOT_SIZE sizeof(captls_gateway_slot)

typedef struct captls_gateway_stats {
    uint64_t accepted;            /* connections taken from a listener */
    uint64_t refused_full;        /* closed at once: no free slot */
    uint64_t refused_source;      /* closed at once: per-source limit */
    uint64_t handshakes_ok, handshakes_failed, handshake_timeouts;
    uint64_t denied_unmapped;     /* stage (b) */
    uint64_t denied_profile;      /* stage (c) */
    uint64_t sessions_cert;       /* stage (d) */
    uint64_t logins_ok, logins_failed, logins_locked;
    uint64_t idle_timeouts, login_timeouts;
    uint64_t closed;              /* releases */
    uint32_t live;                /* slots in use now */
    uint32_t live_handshakes;     /* of which handshaking */
    uint32_t live_sessions;       /* of which with a shell */
    uint32_t peak_live;
} captls_gateway_stats;

typedef struct captls_gateway {
    captls_gateway_config cfg;
    captls_gateway_slot *slots;
    size_t nslots;
    captls_poll_item *items;     /* nslots + 2 */
    captls_stream_id listener, plain_listener; /* -1 when none */
    captls_session_manager sm;
    captls_authority_broker broker;
    captls_shell_env shell_env;
    captls_cap_handle clock_root, manager_root, audit_root;
    uint32_t next_id;
    uint16_t session_owner_base;
    bool shutting_down;
    captls_gateway_stats stats;
    const char *why;             /* setup refusal sentence */
} captls_gateway;

/* Sets the reviewed policy on a TLS server config (suites, groups,
 * schemes as above). */
void captls_gateway_tls_policy(captls_tls_server_config *tls);

/* Checks the config and prepares the gateway. On an error *why (may be
 * NULL) names the problem in one sentence. slots: nslots (1..60000)
 * caller-owned slots; items: nslots + 2 poll items. */
CAPTLS_MUST_CHECK captls_result captls_gateway_init(
    captls_gateway *gw, const captls_gateway_config *cfg,
    captls_gateway_slot *slots, size_t nslots, captls_poll_item *items,
    const char **why);

/* Opens the TLS listener (host NULL: all addresses). */
CAPTLS_MUST_CHECK captls_result captls_gateway_listen(captls_gateway *gw,
                                                      const char *host,
                                                      uint16_t port,
                                                      const char **why);
/* Opens the plaintext research listener: loopback only (127.0.0.0/8,
 * ::1, localhost); anything else is CAPTLS_ERR_NO_AUTHORITY. */
CAPTLS_MUST_CHECK captls_result captls_gateway_listen_plaintext(
    captls_gateway *gw, const char *host, uint16_t port, const char **why);
/* Port actually bound (for port 0). */
CAPTLS_MUST_CHECK captls_result captls_gateway_local_port(
    const captls_gateway *gw, bool plaintext, uint16_t *port);

/* One turn of the event loop (see above). */
CAPTLS_MUST_CHECK captls_result captls_gateway_run(captls_gateway *gw,
                                                   uint64_t max_wait_ns);

/* Stops accepting, ends every connection through the release path and
 * closes the listeners. */
void captls_gateway_shutdown(captls_gateway *gw);

void captls_gateway_stats_get(const captls_gateway *gw,
                              captls_gateway_stats *out);

/* Whether host names the loopback interface. */
bool captls_gateway_host_is_loopback(const char *host);

#endif
