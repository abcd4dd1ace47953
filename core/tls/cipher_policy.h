/* core/tls/cipher_policy.h — CipherPolicy (seed 001): which TLS 1.3 cipher
 * suites, key-exchange groups and signature schemes a config allows, in
 * preference order, with the seed's presets.
 *
 * Contract. A captls_cipher_policy is a small value type (copied freely).
 * captls is TLS 1.3 only, so the presets differ in what they admit, not in
 * protocol version: modern = the three TLS 1.3 suites, x25519 and
 * secp256r1, the seven TLS 1.3 signature schemes; intermediate = modern
 * (TLS 1.2 is not implemented: a peer that needs it gets protocol_version);
 * legacy = intermediate plus rsa_pkcs1_* accepted in peer certificates'
 * signatures (never in CertificateVerify: RFC 8446 §4.2.3). The list
 * parsers take OpenSSL's spellings separated by ':' or ',' (suites
 * "TLS_AES_128_GCM_SHA256", groups "x25519", "secp256r1"/"prime256v1"/
 * "P-256", schemes "ed25519", "ecdsa_secp256r1_sha256", ...): an unknown
 * name is CAPTLS_ERR_UNSUPPORTED naming nothing half-applied (the policy is
 * written only on success); an empty or repeated list is INVALID_ARGUMENT.
 */
#ifndef CAPTLS_TLS_CIPHER_POLICY_H
#define CAPTLS_TLS_CIPHER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

/* RFC 8446 §B.4 */
#define CAPTLS_TLS_AES_128_GCM_SHA256 0x1301
#define CAPTLS_TLS_AES_256_GCM_SHA384 0x1302
#define CAPTLS_TLS_CHACHA20_POLY1305_SHA256 0x1303
/* RFC 8446 §4.2.7 NamedGroup */
#define CAPTLS_TLS_GROUP_SECP256R1 0x0017
#define CAPTLS_TLS_GROUP_X25519 0x001d

#define CAPTLS_CIPHER_POLICY_MAX_SUITES 3u
#define CAPTLS_CIPHER_POLICY_MAX_GROUPS 2u
#define CAPTLS_CIPHER_POLICY_MAX_SCHEMES 10u

typedef enum captls_cipher_policy_preset {
    CAPTLS_CIPHER_POLICY_MODERN = 0,
    CAPTLS_CIPHER_POLICY_INTERMEDIATE = 1,
    CAPTLS_CIPHER_POLICY_LEGACY = 2,
} captls_cipher_policy_preset;

typedef struct captls_cipher_policy {
    captls_cipher_policy_preset preset;
    uint16_t suites[CAPTLS_CIPHER_POLICY_MAX_SUITES]; /* preference order */
    size_t suite_count;
    uint16_t groups[CAPTLS_CIPHER_POLICY_MAX_GROUPS]; /* first = key share sent */
    size_t group_count;
    /* Schemes accepted in the peer's CertificateVerify, preference order. */
    uint16_t schemes[CAPTLS_CIPHER_POLICY_MAX_SCHEMES];
    size_t scheme_count;
    /* Schemes accepted in certificate signatures (signature_algorithms_cert). */
    uint16_t cert_schemes[CAPTLS_CIPHER_POLICY_MAX_SCHEMES];
    size_t cert_scheme_count;
} captls_cipher_policy;

void captls_cipher_policy_preset_init(captls_cipher_policy *p,
                                      captls_cipher_policy_preset preset);

CAPTLS_MUST_CHECK captls_result captls_cipher_policy_set_suites(
    captls_cipher_policy *p, const char *list);
CAPTLS_MUST_CHECK captls_result captls_cipher_policy_set_groups(
    captls_cipher_policy *p, const char *list);
CAPTLS_MUST_CHECK captls_result captls_cipher_policy_set_schemes(
    captls_cipher_policy *p, const char *list);

bool captls_cipher_policy_has_suite(const captls_cipher_policy *p, uint16_t s);
bool captls_cipher_policy_has_group(const captls_cipher_policy *p, uint16_t g);
bool captls_cipher_policy_has_scheme(const captls_cipher_policy *p, uint16_t s);

/* Names for logs and summaries ("TLS_AES_128_GCM_SHA256", "x25519");
 * "unknown" for anything else. Never NULL. */
const char *captls_tls_suite_name(uint16_t suite);
const char *captls_tls_group_name(uint16_t group);

#endif
