/* port/posix/http01_server.h — the plain-HTTP listener that serves the
 * http-01 solver's route table (core/acme/solver_http01.h) on
 * `--http-listen ADDR` for `captls acme issue --challenge http-01`.
 *
 * Contract.
 *  - captls_http01_server_start() binds ADDR ("HOST:PORT", "[V6]:PORT";
 *    port 0 picks a free one, see captls_http01_server_port) and serves
 *    from its own thread until captls_http01_server_stop(), which joins
 *    the thread, closes every socket and wipes the table. The server is
 *    heap memory owned by the caller between the two calls.
 *  - The only authority it has is the route table: it answers GET
 *    /.well-known/acme-challenge/<live token> with the key authorization,
 *    405 for other methods, 404 for everything else, and 400/413/431/
 *    501/505 (then close) for requests the strict parser refuses
 *    (core/http/http_server.h). Keep-alive and pipelining are served one
 *    request at a time.
 *  - publish/retire (directly or through the ChallengeSolver from
 *    captls_http01_server_solver) and routing are serialized by a mutex,
 *    so the ACME client may publish from its own thread.
 *  - Bounds: CAPTLS_HTTP01_SERVER_MAX_CONNS connections at once (the
 *    listener is not polled while full), a request head of
 *    CAPTLS_HTTP_SERVER_HEADER_BYTES, CAPTLS_HTTP01_SERVER_IDLE_MS without
 *    progress closes a connection.
 *  - Not checked: who connects (http-01 validators come from anywhere).
 */
#ifndef CAPTLS_PORT_POSIX_HTTP01_SERVER_H
#define CAPTLS_PORT_POSIX_HTTP01_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/acme_solver.h"
#include "core/base/result.h"

#define CAPTLS_HTTP01_SERVER_MAX_CONNS 32u
#define CAPTLS_HTTP01_SERVER_IDLE_MS 10000u

typedef struct captls_http01_server captls_http01_server;

typedef struct captls_http01_server_stats {
    uint64_t connections, requests, served, not_found, bad_method, refused;
} captls_http01_server_stats;

/* false (err set) if ADDR is malformed, cannot be bound, or memory or a
 * thread is missing. */
bool captls_http01_server_start(const char *addr, captls_http01_server **out,
                                char *err, size_t errcap);
uint16_t captls_http01_server_port(const captls_http01_server *s);
void captls_http01_server_stop(captls_http01_server *s);

CAPTLS_MUST_CHECK captls_result captls_http01_server_publish(
    captls_http01_server *s, const char *token, size_t token_len,
    const char *key_authorization, size_t key_authorization_len);
void captls_http01_server_retire(captls_http01_server *s, const char *token,
                                 size_t token_len);
/* The ChallengeSolver over the locked table (s must outlive it). */
captls_acme_solver captls_http01_server_solver(captls_http01_server *s);
void captls_http01_server_stats_get(captls_http01_server *s,
                                    captls_http01_server_stats *out);

#endif
