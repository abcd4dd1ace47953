/* core/acme/acme_solver.h — ChallengeSolver, AcmeChallengeType,
 * AcmeIdentifier and AcmeChallenge (seed 001) as C types.
 *
 * Contract. A solver is a capability holding exactly the authority one
 * challenge type needs (an http-01 route table, a DNS zone's update API, a
 * TLS-ALPN responder slot) and nothing more; the ACME client
 * (core/acme/acme_client.h) holds a borrowed captls_acme_solver and calls:
 *   - supports(ctx, types, max): the challenge types this solver can
 *     publish, most preferred first; returns how many it wrote (<= max).
 *     The client picks, for each authorization, the first type in this
 *     order that the server offers.
 *   - solve(ctx, ch): PUBLISH the challenge response (RFC 8555 §8.3:
 *     serve key_authorization at /.well-known/acme-challenge/<token>;
 *     §8.4 / RFC 8737: the TXT record or the acme-tls/1 certificate) and
 *     return CAPTLS_OK once it is in place. It must not block waiting for
 *     the CA: the client tells the CA to validate and polls (sans-I/O:
 *     the client's driver does the waiting). Any error aborts the order
 *     (the client reports CAPTLS_ACME_ERR_SOLVER with this code).
 *   - cleanup(ctx, ch): retire what solve published. Called exactly once
 *     for every successful solve, whatever the authorization's outcome,
 *     and also when the client gives up (an abandoned order). Must not
 *     fail (a solver that cannot retire a token logs it itself).
 * Everything a captls_acme_challenge points at is borrowed for the
 * duration of the call only: a solver that keeps the token or the key
 * authorization copies them. Strings are not NUL-terminated (lengths
 * rule); token and key_authorization are base64url text ('.'-joined), the
 * identifier value is what the server's authorization object says (for a
 * wildcard order, the base domain without "*.", RFC 8555 §7.1.4, with
 * `wildcard` set).
 * NOT checked by the client: that a solver really publishes only what it
 * was asked (that is the solver's own contract and tests).
 */
#ifndef CAPTLS_ACME_ACME_SOLVER_H
#define CAPTLS_ACME_ACME_SOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

/* Seed enum AcmeChallengeType (ordinals as in the schema). */
typedef enum captls_acme_challenge_type {
    CAPTLS_ACME_CHALLENGE_HTTP01 = 0,     /* "http-01" */
    CAPTLS_ACME_CHALLENGE_DNS01 = 1,      /* "dns-01" */
    CAPTLS_ACME_CHALLENGE_TLS_ALPN01 = 2, /* "tls-alpn-01" */
    CAPTLS_ACME_CHALLENGE_UNKNOWN = 255,
} captls_acme_challenge_type;

/* "http-01", "dns-01", "tls-alpn-01" (NULL for UNKNOWN). */
const char *captls_acme_challenge_type_name(captls_acme_challenge_type t);
/* The type named s[0..n), or UNKNOWN. */
captls_acme_challenge_type captls_acme_challenge_type_parse(const char *s,
                                                            size_t n);

/* Seed struct AcmeIdentifier: type "dns" (or "ip", RFC 8738), value. */
typedef struct captls_acme_identifier {
    const char *type;
    size_t type_len;
    const char *value;
    size_t value_len;
} captls_acme_identifier;

/* Seed AcmeChallenge: what a solver publishes. */
typedef struct captls_acme_challenge {
    captls_acme_challenge_type type;
    captls_acme_identifier identifier;
    bool wildcard;
    const char *token;
    size_t token_len;
    const char *key_authorization; /* token "." thumbprint (RFC 8555 §8.1) */
    size_t key_authorization_len;
} captls_acme_challenge;

typedef struct captls_acme_solver {
    void *ctx;
    size_t (*supports)(void *ctx, captls_acme_challenge_type *types,
                       size_t max);
    captls_result (*solve)(void *ctx, const captls_acme_challenge *ch);
    void (*cleanup)(void *ctx, const captls_acme_challenge *ch);
} captls_acme_solver;

#endif
