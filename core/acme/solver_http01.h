/* core/acme/solver_http01.h — the http-01 challenge solver (RFC 8555
 * §8.3) as a scoped capability: a route table that answers exactly
 *   GET /.well-known/acme-challenge/<token>
 * for the tokens currently published, with the key authorization
 * "token.thumbprint" as the body, and nothing else.
 *
 * Contract.
 *  - Memory: a captls_http01_solver is caller-owned and fixed size
 *    (CAPTLS_HTTP01_MAX_TOKENS live tokens, each with its key
 *    authorization copied in). No allocation.
 *  - publish(token, key_authorization): token must be base64url text
 *    (RFC 8555 §8.1/§8.3: "MUST NOT contain any characters outside the
 *    base64url alphabet"), 1..CAPTLS_HTTP01_TOKEN_MAX octets; the key
 *    authorization must be exactly token "." followed by a 43-character
 *    base64url SHA-256 thumbprint (§8.1). MALFORMED otherwise.
 *    Publishing a live token again with the same key authorization is a
 *    no-op; with a different one, ALREADY_EXISTS. TABLE_FULL once
 *    CAPTLS_HTTP01_MAX_TOKENS are live.
 *  - retire(token) removes it (a no-op for an unknown token); the slot is
 *    wiped. After retire the route answers 404 for it.
 *  - route(method, target) decides one request (see captls_http01_route):
 *      405 (Allow: GET)  any method other than GET, whatever the path
 *                        (HEAD included: the validators only GET, and a
 *                        method answer that never depends on the path
 *                        leaks nothing about which tokens are live);
 *      200               GET of exactly the prefix plus a live token:
 *                        body = key authorization, Content-Type
 *                        application/octet-stream;
 *      404               everything else: unknown or retired tokens, the
 *                        bare prefix, sub-paths, a trailing '/', query
 *                        strings, fragments, percent-encoding (even of
 *                        base64url characters: the path is compared
 *                        octet for octet, never decoded), dot segments and
 *                        traversal ("../", "%2e%2e", "//"), absolute-form
 *                        targets, characters outside base64url.
 *    Token comparison runs over every slot without early exit
 *    (captls_ct_equal), so timing does not tell live prefixes apart.
 *  - captls_http01_solver_cap() returns the seed's ChallengeSolver
 *    (core/acme/acme_solver.h) over this table: supports = [http-01],
 *    solve = publish, cleanup = retire. NOT thread-safe: a driver that
 *    serves from another thread serializes route and publish/retire (the
 *    POSIX listener does, port/posix/http01_server.h).
 *  - What is NOT checked: the Host the validator names (RFC 8555 §8.3
 *    has the CA connect to the identifier; one table may serve several
 *    names), that the token came from a real challenge.
 */
#ifndef CAPTLS_ACME_SOLVER_HTTP01_H
#define CAPTLS_ACME_SOLVER_HTTP01_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/acme_solver.h"
#include "core/base/result.h"

#define CAPTLS_HTTP01_MAX_TOKENS 16u
#define CAPTLS_HTTP01_TOKEN_MAX 128u
#define CAPTLS_HTTP01_THUMBPRINT_LEN 43u
#define CAPTLS_HTTP01_KEYAUTH_MAX \
    (CAPTLS_HTTP01_TOKEN_MAX + 1u + CAPTLS_HTTP01_THUMBPRINT_LEN)
#define CAPTLS_HTTP01_PREFIX "/.well-known/acme-challenge/"

typedef struct captls_http01_slot {
    bool live;
    uint8_t token_len;
    char token[CAPTLS_HTTP01_TOKEN_MAX];
    uint16_t keyauth_len;
    char keyauth[CAPTLS_HTTP01_KEYAUTH_MAX];
} captls_http01_slot;

typedef struct captls_http01_solver {
    captls_http01_slot slot[CAPTLS_HTTP01_MAX_TOKENS];
    uint64_t served, not_found, bad_method; /* counters */
} captls_http01_solver;

typedef struct captls_http01_answer {
    unsigned status;          /* 200, 404, 405 */
    const char *content_type; /* "application/octet-stream" for 200 */
    const char *allow;        /* "GET" for 405, else NULL */
    const uint8_t *body;      /* into the solver (200) or a static text; */
    size_t body_len;          /* valid until the next publish/retire */
} captls_http01_answer;

void captls_http01_init(captls_http01_solver *s);
/* Wipes every slot. */
void captls_http01_wipe(captls_http01_solver *s);

CAPTLS_MUST_CHECK captls_result captls_http01_publish(
    captls_http01_solver *s, const char *token, size_t token_len,
    const char *key_authorization, size_t key_authorization_len);
void captls_http01_retire(captls_http01_solver *s, const char *token,
                          size_t token_len);
size_t captls_http01_live_count(const captls_http01_solver *s);

/* Decides one request (method and request-target as the parser gave
 * them). Counts the outcome. */
void captls_http01_route(captls_http01_solver *s, const uint8_t *method,
                         size_t method_len, const uint8_t *target,
                         size_t target_len, captls_http01_answer *out);

/* The ChallengeSolver capability over s (s must outlive it). */
captls_acme_solver captls_http01_solver_cap(captls_http01_solver *s);

#endif
