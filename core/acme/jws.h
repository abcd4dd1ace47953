/* core/acme/jws.h — JWS flattened JSON serialization (RFC 7515 §7.2.2) as
 * ACME uses it (RFC 8555 §6.2): ES256 (RFC 7518 §3.4) and EdDSA/Ed25519
 * (RFC 8037 §3.1), protected header {alg, jwk | kid, nonce, url}.
 *
 * Contract (signing). captls_jws_sign writes one JWS object
 * {"protected":B64(header),"payload":B64(payload),"signature":B64(sig)}
 * into the caller's buffer, with the header members in lexicographic order
 * and no whitespace. The signature comes from the captls_acme_signer
 * callback (signer.h): no key bytes pass through here. An empty payload
 * (len 0) gives "payload":"" — the POST-as-GET form of RFC 8555 §6.3.
 * Exactly one of jwk (kid == NULL: the signer's public key is embedded, for
 * newAccount and revocation by certificate key) or kid (the account URL) is
 * used (§6.2). The nonce must be non-empty base64url text (§6.5.1), the url
 * non-empty (§6.4); both at most CAPTLS_JWS_MAX_FIELD bytes. The signing
 * input is built in place inside `out` and the header JSON in out's tail, so
 * no other buffer is needed: `cap` must be at least
 * captls_jws_sign_size(...) (BUFFER_TOO_SMALL with *len = that size
 * otherwise). `payload` must not overlap `out`. On failure out's contents
 * are unspecified (never a complete JWS).
 *
 * Contract (parsing and verifying; for tests, simulators and fuzzing).
 * captls_jws_parse reads a flattened JWS strictly: a JSON object with
 * exactly the members "protected", "payload", "signature" (an unprotected
 * "header" is refused: RFC 8555 §6.2 "MUST NOT have any unprotected header
 * parameters"), each a canonical base64url string; the protected header a
 * JSON object with "alg" ES256 or EdDSA (§6.2: never "none" or a MAC),
 * exactly one of "jwk" / "kid", a base64url "nonce" and a non-empty "url";
 * "crit" and "b64" (RFC 7797) are refused, other members ignored. The
 * signature must be 64 bytes. A "jwk" must match alg's key type. The parsed
 * struct borrows `text` (protected and payload slices) and copies the
 * header fields. captls_jws_verify checks the signature against a key (the
 * embedded jwk or an account key looked up by kid); ECDSA hashes the input
 * in pieces, Ed25519 needs `scratch` of protected_len + 1 + payload_len
 * bytes. Failure: MALFORMED (shape), UNSUPPORTED (alg), LIMIT_EXCEEDED
 * (token capacity, field sizes), BAD_SIGNATURE, INVALID_KEY.
 * NOT checked: that the nonce is fresh or the url is the one requested
 * (the ACME server's job), payload semantics.
 */
#ifndef CAPTLS_ACME_JWS_H
#define CAPTLS_ACME_JWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/json.h"
#include "core/acme/jwk.h"
#include "core/acme/signer.h"
#include "core/base/result.h"

/* Nonces (Pebble: 22-43 chars), URLs and kids: 1 KiB each is ample. */
#define CAPTLS_JWS_MAX_FIELD 1024u
/* Tokens captls_jws_parse needs at least (outer object and header). */
#define CAPTLS_JWS_MIN_TOKENS 32u

typedef struct captls_jws_header {
    const char *nonce;
    size_t nonce_len;
    const char *url;
    size_t url_len;
    const char *kid; /* NULL: embed the signer's jwk */
    size_t kid_len;
} captls_jws_header;

/* Output size for this header and payload length (0 on bad arguments). */
size_t captls_jws_sign_size(const captls_acme_signer *s,
                            const captls_jws_header *h, size_t payload_len);

CAPTLS_MUST_CHECK captls_result captls_jws_sign(const captls_acme_signer *s,
                                               const captls_jws_header *h,
                                               const uint8_t *payload,
                                               size_t payload_len, char *out,
                                               size_t cap, size_t *len);

typedef struct captls_jws_parsed {
    const char *protected_b64; /* borrowed from the text */
    size_t protected_len;
    const char *payload_b64; /* borrowed from the text */
    size_t payload_len;
    uint8_t sig[64];
    captls_acme_sig_alg alg;
    char nonce[CAPTLS_JWS_MAX_FIELD];
    size_t nonce_len;
    char url[CAPTLS_JWS_MAX_FIELD];
    size_t url_len;
    char kid[CAPTLS_JWS_MAX_FIELD]; /* kid_len 0 when has_jwk */
    size_t kid_len;
    bool has_jwk;
    captls_jwk jwk;
} captls_jws_parsed;

/* Parses text[0..len). tok (>= CAPTLS_JWS_MIN_TOKENS) and hdr_buf (the
 * decoded protected header, at most hdr_cap bytes) are scratch. */
CAPTLS_MUST_CHECK captls_result captls_jws_parse(
    const char *text, size_t len, captls_json_token *tok, size_t tok_cap,
    uint8_t *hdr_buf, size_t hdr_cap, captls_jws_parsed *out);

/* Decodes the payload into out[0..cap). */
CAPTLS_MUST_CHECK captls_result captls_jws_payload(
    const captls_jws_parsed *j, uint8_t *out, size_t cap, size_t *len);

/* OK iff the signature verifies under key (whose type must match alg). */
CAPTLS_MUST_CHECK captls_result captls_jws_verify(const captls_jws_parsed *j,
                                                 const captls_jwk *key,
                                                 uint8_t *scratch,
                                                 size_t scratch_cap);

#endif
