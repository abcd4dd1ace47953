/* core/acme/acme_server.h — the checks an ACME SERVER makes on every
 * signed request (RFC 8555 §6.2 request authentication, §6.4 the "url"
 * header, §6.5 replay protection), shared by the unit tests' fake CA
 * (core/acme/test_fake_ca.h) and the simulator's CA (sim/prog_acme_ca.c)
 * so that both judge the AcmeClient's requests by the same rules.
 *
 * Contract.
 *  - Nonces: a captls_acme_srv_nonces table (caller-owned, fixed size) issues
 *    nonces "<prefix><decimal counter>" (base64url text, at most
 *    CAPTLS_ACME_SRV_NONCE_MAX bytes) and accepts each one it issued AT
 *    MOST ONCE (captls_acme_srv_nonce_take). It remembers the last
 *    CAPTLS_ACME_SRV_NONCES issued; older ones are forgotten and refused,
 *    as a server that expires nonces does. Nothing else is accepted.
 *  - captls_acme_srv_check judges one POST body: a flattened JWS parsed
 *    strictly (core/acme/jws.h) whose protected "url" equals the request
 *    URL byte for byte; for newAccount (new_account true) it must carry a
 *    "jwk" and verify under it; otherwise it must carry "kid" equal to the
 *    account URL and verify under the account key (no account known: the
 *    verdict is NO_ACCOUNT, RFC 8555 §7.3.1 accountDoesNotExist). Only a
 *    JWS that passes all of that has its nonce consumed: BAD_NONCE when
 *    the nonce was not issued or was used before. On OK the payload is
 *    decoded into the caller's buffer (len 0: POST-as-GET, §6.3) and, for
 *    newAccount, the embedded key is copied out.
 *  - Memory: the caller lends a captls_acme_srv_scratch (tokens, decoded
 *    header, the verify buffer); nothing is allocated. Not thread-safe.
 *  - NOT checked here: the Content-Type (the HTTP layer's), the payload's
 *    meaning, account status, rate limits.
 */
#ifndef CAPTLS_ACME_ACME_SERVER_H
#define CAPTLS_ACME_ACME_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/json.h"
#include "core/acme/jwk.h"
#include "core/acme/jws.h"
#include "core/base/result.h"

/* Nonces remembered: a client holds one at a time; 256 outstanding is
 * far more than one client (or a test) has in flight. */
#define CAPTLS_ACME_SRV_NONCES 256u
#define CAPTLS_ACME_SRV_PREFIX_MAX 12u
/* prefix + up to 10 digits of a 32-bit counter */
#define CAPTLS_ACME_SRV_NONCE_MAX (CAPTLS_ACME_SRV_PREFIX_MAX + 10u)
#define CAPTLS_ACME_SRV_TOKENS 64u
#define CAPTLS_ACME_SRV_HEADER_MAX 4096u
/* Ed25519 verification needs protected || "." || payload in one piece. */
#define CAPTLS_ACME_SRV_VERIFY_MAX 32768u

typedef struct captls_acme_srv_nonces {
    char prefix[CAPTLS_ACME_SRV_PREFIX_MAX + 1];
    size_t prefix_len;
    char issued[CAPTLS_ACME_SRV_NONCES][CAPTLS_ACME_SRV_NONCE_MAX + 1];
    uint8_t len[CAPTLS_ACME_SRV_NONCES]; /* 0: slot empty */
    uint8_t used[CAPTLS_ACME_SRV_NONCES];
    uint32_t counter;
} captls_acme_srv_nonces;

typedef struct captls_acme_srv_scratch {
    captls_json_token tok[CAPTLS_ACME_SRV_TOKENS];
    uint8_t hdr[CAPTLS_ACME_SRV_HEADER_MAX];
    uint8_t verify[CAPTLS_ACME_SRV_VERIFY_MAX];
    captls_jws_parsed jws;
} captls_acme_srv_scratch;

typedef enum captls_acme_srv_verdict {
    CAPTLS_ACME_SRV_OK = 0,
    CAPTLS_ACME_SRV_BAD_JWS,    /* shape, url, jwk/kid, signature: malformed */
    CAPTLS_ACME_SRV_BAD_NONCE,  /* not issued, or used before: badNonce */
    CAPTLS_ACME_SRV_NO_ACCOUNT, /* kid with no account: accountDoesNotExist */
    CAPTLS_ACME_SRV_TOO_LARGE,  /* the payload does not fit the buffer */
} captls_acme_srv_verdict;

/* prefix: base64url characters, at most CAPTLS_ACME_SRV_PREFIX_MAX bytes
 * (MALFORMED otherwise; INVALID_ARGUMENT for NULL). */
CAPTLS_MUST_CHECK captls_result captls_acme_srv_nonces_init(
    captls_acme_srv_nonces *t, const char *prefix);
/* Issues the next nonce into out (NUL-terminated); returns its length. */
size_t captls_acme_srv_nonce_issue(captls_acme_srv_nonces *t,
                                   char out[CAPTLS_ACME_SRV_NONCE_MAX + 1]);
/* True iff n[0..len) was issued, is remembered and unused; marks it used. */
bool captls_acme_srv_nonce_take(captls_acme_srv_nonces *t, const char *n,
                                size_t len);

typedef struct captls_acme_srv_request {
    const char *url;      /* the absolute URL the request was sent to */
    size_t url_len;
    const uint8_t *body;  /* the POST body */
    size_t body_len;
    bool new_account;     /* the newAccount resource: "jwk" expected */
    const captls_jwk *account; /* the account key; NULL: none yet */
    const char *account_url;   /* its URL (the "kid") */
    size_t account_url_len;
} captls_acme_srv_request;

/* Judges q (see the contract). payload[0..cap) receives the decoded
 * payload (*payload_len bytes, not NUL-terminated) on OK; jwk_out (may be
 * NULL) the embedded key when q->new_account. */
captls_acme_srv_verdict captls_acme_srv_check(
    captls_acme_srv_nonces *t, captls_acme_srv_scratch *s,
    const captls_acme_srv_request *q, uint8_t *payload, size_t cap,
    size_t *payload_len, captls_jwk *jwk_out);

/* "ok", "bad-jws", "bad-nonce", "no-account", "too-large". */
const char *captls_acme_srv_verdict_name(captls_acme_srv_verdict v);

#endif
