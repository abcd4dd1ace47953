/* port/posix/tls_alpn01_server.h — the TLS listener that answers the
 * tls-alpn-01 validation (RFC 8737) on `--tls-listen ADDR` for
 * `captls acme issue --challenge tls-alpn-01`, over the solver's table
 * (core/acme/solver_tls_alpn01.h) and the TLS 1.3 engine.
 *
 * Contract.
 *  - captls_tls_alpn01_server_start() binds ADDR ("HOST:PORT",
 *    "[V6]:PORT", ":PORT"; port 0 picks a free one, see
 *    captls_tls_alpn01_server_port), allows the given names (the solver's
 *    whole authority: at most CAPTLS_ALPN01_MAX_ALLOWED host names, no
 *    wildcard) and serves from its own thread until
 *    captls_tls_alpn01_server_stop(), which joins the thread, closes every
 *    socket and wipes the table (challenge keys included). The server is
 *    heap memory owned by the caller between the two calls.
 *  - What it serves: nothing but challenge certificates. A ClientHello
 *    whose ALPN list is exactly "acme-tls/1" and whose SNI is a published
 *    name gets that name's certificate, signed CertificateVerify with its
 *    ephemeral key, and ALPN "acme-tls/1"; once the handshake completes the
 *    server sends close_notify and closes (RFC 8737 §3: no data after the
 *    handshake). Every other ClientHello fails the handshake with an alert
 *    before any certificate is sent:
 *      no ALPN, another protocol, or acme-tls/1 among others
 *                                   -> no_application_protocol (120);
 *      acme-tls/1 but no SNI or a name not published
 *                                   -> unrecognized_name (112);
 *      anything the engine refuses (TLS 1.2 only, ...) -> its own alert.
 *  - publish/retire (directly or through the ChallengeSolver from
 *    captls_tls_alpn01_server_solver) and lookups are serialized by a
 *    mutex, so the ACME client may publish from its own thread. A
 *    handshake works on a copy of the certificate and key: a retire during
 *    it does not disturb it.
 *  - Bounds: CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS connections at once (the
 *    listener is not polled while full); CAPTLS_TLS_ALPN01_SERVER_IDLE_MS
 *    without progress, or CAPTLS_TLS_ALPN01_SERVER_HS_MS in all, closes a
 *    connection.
 *  - Not checked: who connects (validators come from anywhere).
 */
#ifndef CAPTLS_PORT_POSIX_TLS_ALPN01_SERVER_H
#define CAPTLS_PORT_POSIX_TLS_ALPN01_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/acme_solver.h"
#include "core/base/result.h"

#define CAPTLS_TLS_ALPN01_SERVER_MAX_CONNS 16u
#define CAPTLS_TLS_ALPN01_SERVER_IDLE_MS 10000u
#define CAPTLS_TLS_ALPN01_SERVER_HS_MS 20000u

typedef struct captls_tls_alpn01_server captls_tls_alpn01_server;

typedef struct captls_tls_alpn01_server_stats {
    uint64_t connections; /* accepted */
    uint64_t served;      /* handshakes completed on acme-tls/1 */
    uint64_t refused_alpn, refused_name; /* alerts 120 / 112 */
    uint64_t failed;      /* other handshake failures, timeouts */
} captls_tls_alpn01_server_stats;

/* names[0..count): the names challenges may be published for. false (err
 * set) if ADDR is malformed or cannot be bound, a name is refused, or
 * memory or a thread is missing. */
bool captls_tls_alpn01_server_start(const char *addr, const char *const *names,
                                    size_t count,
                                    captls_tls_alpn01_server **out, char *err,
                                    size_t errcap);
uint16_t captls_tls_alpn01_server_port(const captls_tls_alpn01_server *s);
void captls_tls_alpn01_server_stop(captls_tls_alpn01_server *s);

CAPTLS_MUST_CHECK captls_result captls_tls_alpn01_server_publish(
    captls_tls_alpn01_server *s, const char *name, size_t name_len,
    const char *key_authorization, size_t key_authorization_len);
void captls_tls_alpn01_server_retire(captls_tls_alpn01_server *s,
                                     const char *name, size_t name_len,
                                     const char *key_authorization,
                                     size_t key_authorization_len);
/* The ChallengeSolver over the locked table (s must outlive it):
 * supports = [tls-alpn-01]; see solver_tls_alpn01.h for solve/cleanup. */
captls_acme_solver captls_tls_alpn01_server_solver(captls_tls_alpn01_server *s);
void captls_tls_alpn01_server_stats_get(captls_tls_alpn01_server *s,
                                        captls_tls_alpn01_server_stats *out);

#endif
