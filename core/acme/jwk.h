/* core/acme/jwk.h — JSON Web Keys (RFC 7517) for the public keys ACME
 * accounts use: EC P-256 (RFC 7518 §6.2) and Ed25519 as an OKP key (RFC
 * 8037 §2), their RFC 7638 thumbprints, and the RFC 8555 §8.1 key
 * authorization built from them.
 *
 * Contract. A captls_jwk is a small caller-owned value holding PUBLIC key
 * coordinates only; nothing here allocates or keeps pointers. Building one
 * checks the key: a P-256 point must be an uncompressed SEC 1 point on the
 * curve, an Ed25519 key is 32 bytes (its decoding is checked at
 * verification). captls_jwk_write emits exactly the RFC 7638 §3.2 required
 * members in lexicographic order with no whitespace ({"crv","kty","x","y"}
 * for EC, {"crv","kty","x"} for OKP), which is both the JWK we put in JWS
 * headers and the thumbprint input. captls_jwk_parse accepts a JWK object
 * from a parsed document: kty "EC" with crv "P-256" and 32-byte x, y on the
 * curve, or kty "OKP" with crv "Ed25519" and a 32-byte x; coordinates must
 * be canonical unpadded base64url. Other members are ignored (RFC 7517 §4),
 * except "d": a private key inside a public JWK is refused (MALFORMED).
 * captls_jwk_thumbprint_json computes the RFC 7638 thumbprint of any JWK
 * object in a parsed document whose kty is RSA, EC or OKP from its required
 * members (string values), without interpreting them (this is how the
 * RFC 7638 §3.1 RSA example is checked).
 *
 * Failure modes: INVALID_ARGUMENT (NULL), INVALID_KEY (a point not on the
 * curve, wrong sizes), MALFORMED (not a JWK object, missing or non-string
 * members, bad base64url), UNSUPPORTED (another kty or crv),
 * BUFFER_TOO_SMALL (*len = size needed). NOT checked: Ed25519 point
 * decoding and small order (captls_ed25519_verify does it), key "use" or
 * "key_ops" members.
 */
#ifndef CAPTLS_ACME_JWK_H
#define CAPTLS_ACME_JWK_H

#include <stddef.h>
#include <stdint.h>

#include "core/acme/json.h"
#include "core/base/der.h"
#include "core/base/result.h"

typedef enum captls_jwk_type {
    CAPTLS_JWK_NONE = 0,
    CAPTLS_JWK_EC_P256 = 1,
    CAPTLS_JWK_ED25519 = 2,
} captls_jwk_type;

typedef struct captls_jwk {
    captls_jwk_type type;
    uint8_t x[32]; /* EC x, or the Ed25519 public key */
    uint8_t y[32]; /* EC y; zero for Ed25519 */
} captls_jwk;

/* Canonical JWK JSON: at most 7 + 2 * 43 + 40 bytes; 160 is ample. */
#define CAPTLS_JWK_JSON_MAX 160
/* base64url of a SHA-256 thumbprint. */
#define CAPTLS_JWK_THUMBPRINT_B64_LEN 43

/* From an uncompressed SEC 1 point 0x04||X||Y. INVALID_KEY if the prefix,
 * the size or the curve equation is wrong. */
CAPTLS_MUST_CHECK captls_result captls_jwk_from_p256(captls_jwk *k,
                                                    const uint8_t *point,
                                                    size_t len);
/* From a 32-byte Ed25519 public key. */
CAPTLS_MUST_CHECK captls_result captls_jwk_from_ed25519(captls_jwk *k,
                                                       const uint8_t pub[32]);
/* The uncompressed point of an EC key (INVALID_ARGUMENT for another). */
CAPTLS_MUST_CHECK captls_result captls_jwk_p256_point(const captls_jwk *k,
                                                     uint8_t point[65]);

/* Writes the canonical JWK object as one value of the writer. */
void captls_jwk_write(captls_json_writer *w, const captls_jwk *k);

/* The canonical JWK JSON into out[0..cap). */
CAPTLS_MUST_CHECK captls_result captls_jwk_to_json(const captls_jwk *k,
                                                  char *out, size_t cap,
                                                  size_t *len);

/* SHA-256 over the canonical JWK JSON (RFC 7638 §3). */
CAPTLS_MUST_CHECK captls_result captls_jwk_thumbprint(const captls_jwk *k,
                                                     uint8_t out[32]);

/* RFC 8555 §8.1: keyAuthorization = token || '.' ||
 * base64url(Thumbprint(accountKey)). The token must be non-empty
 * base64url text (§8.3: "MUST NOT contain any characters outside the
 * base64url alphabet"), else MALFORMED. */
CAPTLS_MUST_CHECK captls_result captls_acme_key_authorization(
    const char *token, size_t token_len, const captls_jwk *account_key,
    char *out, size_t cap, size_t *len);

/* Parses the JWK object at token i of d. */
CAPTLS_MUST_CHECK captls_result captls_jwk_parse(const captls_json_doc *d,
                                                size_t i, captls_jwk *k);

/* RFC 7638 thumbprint of the JWK object at token i (RSA, EC or OKP). */
CAPTLS_MUST_CHECK captls_result captls_jwk_thumbprint_json(
    const captls_json_doc *d, size_t i, uint8_t out[32]);

/* Writes the key as an X.509 SubjectPublicKeyInfo (RFC 5480 for P-256:
 * id-ecPublicKey with the prime256v1 parameter and the uncompressed
 * point; RFC 8410 §3 for Ed25519: no parameters) into the DER writer, for
 * the certificates and CSRs built here (a writer error stays in the
 * writer, as with every captls_der_write_*). */
void captls_jwk_write_spki(captls_der_writer *w, const captls_jwk *pub);

#endif
