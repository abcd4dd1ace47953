/* core/crypto/spki.h — SubjectPublicKeyInfo: parse, encode, public key type.
 *
 * Contract. captls_spki_parse reads one DER SubjectPublicKeyInfo (RFC 5280
 * §4.1.2.7) into a captls_public_key whose slices BORROW the input: keep the
 * input alive and unchanged while the key is used. No allocation, no copy.
 * Supported algorithms:
 *   rsaEncryption (RFC 3279 §2.3.1): parameters must be NULL; modulus and
 *     exponent positive minimal INTEGERs; modulus odd with 1024..8192 bits
 *     (smaller: UNSUPPORTED, larger: LIMIT_EXCEEDED — whether 1024 is still
 *     acceptable is the verifier's policy, see rsa_bits); exponent odd,
 *     3 <= e <= 2^31-1 (INVALID_KEY / UNSUPPORTED otherwise).
 *   id-RSASSA-PSS (RFC 4055 §3.1): parameters absent (any PSS use) or a
 *     RSASSA-PSS-params SEQUENCE restricting the key: hash and MGF1 hash
 *     must be SHA-256/384/512 (the SHA-1 defaults are UNSUPPORTED), salt
 *     length explicit or the default 20, trailerField 1. DER forbids
 *     encoding a DEFAULT value, so an explicit saltLength 20 or
 *     trailerField 1 is MALFORMED. Hash parameters may be NULL or absent.
 *   id-ecPublicKey (RFC 5480 §2.1.1) with namedCurve prime256v1 or
 *     secp384r1 only (other curves and explicit/implicit parameters:
 *     UNSUPPORTED); the point must be uncompressed 0x04||X||Y of the curve's
 *     length (compressed or hybrid points: UNSUPPORTED) and is checked to be
 *     on the curve with coordinates below p (a direct check of the curve
 *     equation, core/crypto/ec_point_check.h: public data, variable time;
 *     INVALID_KEY otherwise).
 *   id-Ed25519 / id-X25519 (RFC 8410 §3): parameters absent, 32 bytes.
 *     NOT checked here: that an Ed25519 key decodes to a valid, non-small-
 *     order point (the Ed25519 verifier rejects those), nor X25519 values
 *     (any 32 bytes are a u-coordinate).
 * The subjectPublicKey BIT STRING must be whole octets. Trailing data after
 * the SPKI, or inside any of its elements, is MALFORMED. Other algorithms
 * (DSA, SM2, Ed448, ...) are UNSUPPORTED. On failure *out is untouched;
 * pass a captls_der_error to learn where the input is bad.
 *
 * captls_spki_encode writes the canonical DER of a key (the parsed form
 * re-encodes byte for byte); nothing is written on failure
 * (BUFFER_TOO_SMALL reports the size needed in *len).
 */
#ifndef CAPTLS_CRYPTO_SPKI_H
#define CAPTLS_CRYPTO_SPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/crypto/hash.h"

typedef enum captls_key_type {
    CAPTLS_KEY_NONE = 0,
    CAPTLS_KEY_RSA = 1,      /* rsaEncryption: PKCS#1 v1.5 or PSS */
    CAPTLS_KEY_RSA_PSS = 2,  /* id-RSASSA-PSS: PSS only */
    CAPTLS_KEY_EC_P256 = 3,
    CAPTLS_KEY_EC_P384 = 4,
    CAPTLS_KEY_ED25519 = 5,
    CAPTLS_KEY_X25519 = 6,
} captls_key_type;

/* Parameters of RSASSA-PSS (RFC 4055 §3.1), as restricted by a key or
 * named by a signature AlgorithmIdentifier. */
typedef struct captls_rsa_pss_params {
    captls_hash_alg hash;      /* message digest */
    captls_hash_alg mgf1_hash; /* MGF1 digest */
    uint32_t salt_len;         /* bytes */
} captls_rsa_pss_params;

#define CAPTLS_RSA_MIN_BITS 1024u
#define CAPTLS_RSA_MAX_BITS 8192u
#define CAPTLS_EC_P256_POINT_SIZE 65u
#define CAPTLS_EC_P384_POINT_SIZE 97u
#define CAPTLS_EC_MAX_POINT_SIZE 97u
/* Largest SPKI the parser accepts: RSA-8192 with a 31-bit exponent and the
 * longest RSASSA-PSS-params is 1116 bytes; rounded up. */
#define CAPTLS_SPKI_MAX_SIZE 1152u

/* A public key. All slices borrow the parsed input (or the caller's bytes
 * when built by hand for captls_spki_encode). */
typedef struct captls_public_key {
    captls_key_type type;
    captls_slice spki;      /* the whole SPKI DER (empty if built by hand) */
    /* RSA, RSA-PSS: big-endian magnitudes, no leading zero byte. */
    captls_slice rsa_n;
    captls_slice rsa_e;
    uint32_t rsa_bits;      /* bit length of n */
    /* RSA-PSS only: parameters present (key restricted to them)? */
    bool pss_restricted;
    captls_rsa_pss_params pss;
    captls_slice pss_params_der; /* the RSASSA-PSS-params TLV, if present */
    /* EC: uncompressed point 0x04||X||Y (65 or 97 bytes).
     * Ed25519, X25519: the 32-byte public key. */
    captls_slice point;
} captls_public_key;

/* Well-known OIDs (contents octets). */
extern const uint8_t captls_oid_rsa_encryption[9];  /* 1.2.840.113549.1.1.1 */
extern const uint8_t captls_oid_rsassa_pss[9];      /* 1.2.840.113549.1.1.10 */
extern const uint8_t captls_oid_mgf1[9];            /* 1.2.840.113549.1.1.8 */
extern const uint8_t captls_oid_ec_public_key[7];   /* 1.2.840.10045.2.1 */
extern const uint8_t captls_oid_prime256v1[8];      /* 1.2.840.10045.3.1.7 */
extern const uint8_t captls_oid_secp384r1[5];       /* 1.3.132.0.34 */
extern const uint8_t captls_oid_ed25519[3];         /* 1.3.101.112 */
extern const uint8_t captls_oid_x25519[3];          /* 1.3.101.110 */
extern const uint8_t captls_oid_sha256[9];          /* 2.16.840.1.101.3.4.2.1 */
extern const uint8_t captls_oid_sha384[9];          /* 2.16.840.1.101.3.4.2.2 */
extern const uint8_t captls_oid_sha512[9];          /* 2.16.840.1.101.3.4.2.3 */

/* Parses der[0..len) as exactly one SubjectPublicKeyInfo. err may be NULL. */
CAPTLS_MUST_CHECK captls_result captls_spki_parse(const uint8_t *der,
                                                 size_t len,
                                                 captls_public_key *out,
                                                 captls_der_error *err);
/* Reads one SubjectPublicKeyInfo at the cursor (e.g. inside a
 * TBSCertificate) and advances past it. */
CAPTLS_MUST_CHECK captls_result captls_spki_read(captls_der *d,
                                                captls_public_key *out);
/* Reads RSASSA-PSS-params (the SEQUENCE) at the cursor: usable for
 * signature AlgorithmIdentifiers too. Same rules as for keys above. */
CAPTLS_MUST_CHECK captls_result captls_rsa_pss_params_read(
    captls_der *d, captls_rsa_pss_params *out);

/* Encodes key as DER into out[0..cap); *len = bytes written, or the size
 * needed with BUFFER_TOO_SMALL. INVALID_ARGUMENT for an inconsistent key
 * (wrong point length, empty modulus, unknown type). */
CAPTLS_MUST_CHECK captls_result captls_spki_encode(const captls_public_key *key,
                                                  uint8_t *out, size_t cap,
                                                  size_t *len);
/* Prepends the SPKI of key to a DER writer (for CSRs and certificates). */
void captls_spki_write(captls_der_writer *w, const captls_public_key *key);

/* The curve's point size (65/97) for EC types, else 0. */
size_t captls_ec_point_size(captls_key_type type);

#endif
