/* core/acme/acme_problem.h — typed ACME errors: RFC 8555 §6.7 problem
 * documents (RFC 7807, "application/problem+json", types
 * "urn:ietf:params:acme:error:*") and the client's own failure kinds, plus
 * the small text helpers the client checks server input with (origins,
 * nonces, RFC 3339 times).
 *
 * Contract. captls_acme_problem_parse reads one problem document from a
 * response body (strict JSON, core/acme/json.h) into a captls_acme_failure:
 * the ACME type becomes an enum value (an unknown urn:ietf:params:acme type,
 * or a non-ACME type URI, is CAPTLS_ACME_ERR_PROBLEM_OTHER), "detail" is
 * copied SANITIZED (core/base/sanitize.h: printable ASCII, escapes, "..."
 * when cut) so it may go to logs and terminals as is. A body that is not a
 * problem object gives MALFORMED and leaves a generic failure. Nothing
 * allocates; the token array is the caller's scratch.
 *
 * Origins: captls_acme_url_origin splits an absolute "https://host[:port]"
 * URL and refuses anything else (another scheme, userinfo '@', a
 * fragment, bytes outside printable ASCII, empty host, a port outside
 * 1..65535, length >= CAPTLS_ACME_URL_MAX). Two URLs have the same origin
 * when host (ASCII case-insensitive) and port (443 when absent) are equal
 * (RFC 6454 §4 for https).
 * NOT checked: that a host resolves, IDNA, percent-encoding in paths.
 */
#ifndef CAPTLS_ACME_ACME_PROBLEM_H
#define CAPTLS_ACME_ACME_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/json.h"
#include "core/base/result.h"

#define CAPTLS_ACME_URL_MAX 512u
#define CAPTLS_ACME_NONCE_MAX 128u
#define CAPTLS_ACME_DETAIL_MAX 256u

typedef enum captls_acme_error {
    CAPTLS_ACME_ERR_NONE = 0,
    /* RFC 8555 §6.7 problem types (and RFC 9773 alreadyReplaced) */
    CAPTLS_ACME_ERR_ACCOUNT_DOES_NOT_EXIST,
    CAPTLS_ACME_ERR_ALREADY_REPLACED,
    CAPTLS_ACME_ERR_ALREADY_REVOKED,
    CAPTLS_ACME_ERR_BAD_CSR,
    CAPTLS_ACME_ERR_BAD_NONCE,
    CAPTLS_ACME_ERR_BAD_PUBLIC_KEY,
    CAPTLS_ACME_ERR_BAD_REVOCATION_REASON,
    CAPTLS_ACME_ERR_BAD_SIGNATURE_ALGORITHM,
    CAPTLS_ACME_ERR_CAA,
    CAPTLS_ACME_ERR_COMPOUND,
    CAPTLS_ACME_ERR_CONNECTION,
    CAPTLS_ACME_ERR_DNS,
    CAPTLS_ACME_ERR_EXTERNAL_ACCOUNT_REQUIRED,
    CAPTLS_ACME_ERR_INCORRECT_RESPONSE,
    CAPTLS_ACME_ERR_INVALID_CONTACT,
    CAPTLS_ACME_ERR_MALFORMED,
    CAPTLS_ACME_ERR_ORDER_NOT_READY,
    CAPTLS_ACME_ERR_RATE_LIMITED,
    CAPTLS_ACME_ERR_REJECTED_IDENTIFIER,
    CAPTLS_ACME_ERR_SERVER_INTERNAL,
    CAPTLS_ACME_ERR_TLS,
    CAPTLS_ACME_ERR_UNAUTHORIZED,
    CAPTLS_ACME_ERR_UNSUPPORTED_CONTACT,
    CAPTLS_ACME_ERR_UNSUPPORTED_IDENTIFIER,
    CAPTLS_ACME_ERR_USER_ACTION_REQUIRED,
    CAPTLS_ACME_ERR_PROBLEM_OTHER, /* a problem document of another type */
    /* the client's own */
    CAPTLS_ACME_ERR_HTTP_STATUS,    /* unexpected status, no problem doc */
    CAPTLS_ACME_ERR_TRANSPORT,      /* no response (code: the transport's) */
    CAPTLS_ACME_ERR_REDIRECT,       /* a 3xx: never followed */
    CAPTLS_ACME_ERR_CROSS_ORIGIN,   /* a URL off the directory's origin */
    CAPTLS_ACME_ERR_BAD_RESPONSE,   /* malformed JSON, missing members */
    CAPTLS_ACME_ERR_OVERSIZED,      /* body or field over its bound */
    CAPTLS_ACME_ERR_RETRIES_EXHAUSTED, /* a retry or poll budget ran out */
    CAPTLS_ACME_ERR_NO_CHALLENGE,   /* no offered type the solver supports */
    CAPTLS_ACME_ERR_SOLVER,         /* solve() failed */
    CAPTLS_ACME_ERR_AUTHZ_INVALID,  /* an authorization became invalid */
    CAPTLS_ACME_ERR_ORDER_INVALID,  /* the order became invalid */
    CAPTLS_ACME_ERR_ACCOUNT_STATUS, /* account deactivated or revoked */
    CAPTLS_ACME_ERR_CHAIN_UNVERIFIED, /* issued chain does not verify */
    CAPTLS_ACME_ERR_KEY_MISMATCH,   /* leaf key is not the CSR key */
    CAPTLS_ACME_ERR_STORE,          /* CertificateStore.put refused */
    CAPTLS_ACME_ERR_KEY,            /* a key cap refused (purpose, handle) */
    CAPTLS_ACME_ERR_USAGE,          /* bad arguments, wrong order of calls */
    CAPTLS_ACME_ERR_COUNT_
} captls_acme_error;

/* Why an operation failed. code: the captls_result closest to the kind
 * (e.g. AUTH_FAILED for unauthorized, NO_AUTHORITY for a refused key,
 * VERIFY_FAILED for an unverified chain); http_status 0 when none. */
typedef struct captls_acme_failure {
    captls_acme_error kind;
    captls_result code;
    uint16_t http_status;
    char detail[CAPTLS_ACME_DETAIL_MAX]; /* sanitized, NUL-terminated */
} captls_acme_failure;

/* Stable names: the problem type's own ("badNonce", "rateLimited", ...),
 * and lowercase-dashed names for the client's ("cross-origin"). */
const char *captls_acme_error_name(captls_acme_error e);

/* The kind of the type URI s[0..n) ("urn:ietf:params:acme:error:X"). */
captls_acme_error captls_acme_error_from_type(const char *s, size_t n);

/* The problem object at token obj of d into *out (type, sanitized
 * detail; subproblems are not parsed: a compound problem keeps its own
 * detail). MALFORMED when obj is not an object with a string "type". */
CAPTLS_MUST_CHECK captls_result captls_acme_problem_from_doc(
    const captls_json_doc *d, size_t obj, captls_acme_failure *out);

/* Parses body[0..len) as a problem document (see the contract). */
CAPTLS_MUST_CHECK captls_result captls_acme_problem_parse(
    const uint8_t *body, size_t len, captls_json_token *tok, size_t cap,
    captls_acme_failure *out);

/* Sets *f (detail: a static or already-trusted text, sanitized anyway). */
void captls_acme_failure_set(captls_acme_failure *f, captls_acme_error kind,
                             captls_result code, uint16_t http_status,
                             const char *detail, size_t detail_len);

/* ---- text helpers -------------------------------------------------- */

typedef struct captls_acme_origin {
    const char *host; /* borrowed from the URL */
    size_t host_len;
    uint16_t port;
} captls_acme_origin;

/* Splits url[0..n) (see the contract). MALFORMED otherwise. */
CAPTLS_MUST_CHECK captls_result captls_acme_url_origin(const char *url,
                                                      size_t n,
                                                      captls_acme_origin *o);
bool captls_acme_same_origin(const captls_acme_origin *a,
                             const captls_acme_origin *b);

/* A Replay-Nonce value: 1..CAPTLS_ACME_NONCE_MAX base64url characters
 * (RFC 8555 §6.5.1: "base64url ... MUST NOT include padding"). */
bool captls_acme_nonce_valid(const char *s, size_t n);

/* RFC 3339 date-time ("2026-01-02T03:04:05Z", optional fraction, "Z" or
 * "+hh:mm"/"-hh:mm") to epoch seconds. MALFORMED otherwise. */
CAPTLS_MUST_CHECK captls_result captls_acme_rfc3339_parse(const char *s,
                                                         size_t n,
                                                         int64_t *epoch);

#endif
