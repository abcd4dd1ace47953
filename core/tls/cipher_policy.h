/* core/tls/cipher_policy.h — CipherPolicy (seed 001): which TLS 1.3 cipher
 * suites, key-exchange groups and signature schemes a config allows, in
 * preference order, with the seed's presets.
 *
 * Contract. A captls_cipher_policy is a small value type (copied freely).
 * captls is TLS 1.3 only, so the presets differ in what they admit, not in
 * protocol version. Every preset has: the three TLS 1.3 suites
 * (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
 * TLS_CHACHA20_POLY1305_SHA256), the groups x25519 then secp256r1, and
 * `schemes` (CertificateVerify) = ed25519, ecdsa_secp256r1_sha256,
 * ecdsa_secp384r1_sha384, rsa_pss_rsae_sha256/384/512,
 * rsa_pss_pss_sha256/384/512 (the nine TLS 1.3 schemes captls verifies,
 * core/crypto/sig_scheme.h); `cert_schemes` (signature_algorithms_cert,
 * RFC 8446 §4.2.3) = those plus rsa_pkcs1_sha256/384/512, because real
 * chains are signed with PKCS#1 v1.5 (never in CertificateVerify: RFC 8446
 * §4.2.3 "MUST NOT be used in signed TLS handshake messages").
 * modern, intermediate and legacy are therefore the SAME policy today: the
 * names are kept because the seed names them and configurations spell
 * them; "legacy" would only differ by TLS 1.2, which is not implemented (a
 * peer that needs it gets protocol_version).
 * The list parsers take OpenSSL's spellings separated by ':' or ','
 * (suites "TLS_AES_128_GCM_SHA256" — exact case; groups, any case:
 * "x25519"/"X25519", "secp256r1"/"prime256v1"/"P-256"; schemes, any case:
 * "ed25519", "ecdsa_secp256r1_sha256" or "ECDSA+SHA256", "rsa_pss_rsae_sha256"
 * or "RSA-PSS+SHA256", ...): an unknown name, or a scheme that may not
 * appear in CertificateVerify (rsa_pkcs1_*) given to set_schemes, is
 * CAPTLS_ERR_UNSUPPORTED; an empty list, an empty item ("a::b") or a
 * repeated name is INVALID_ARGUMENT. The policy is written only on success
 * (nothing half-applied). set_schemes sets `schemes` only; cert_schemes has
 * its own setter.
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
/* 9 TLS 1.3 schemes + 3 rsa_pkcs1_* (cert_schemes) */
#define CAPTLS_CIPHER_POLICY_MAX_SCHEMES 12u

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
CAPTLS_MUST_CHECK captls_result captls_cipher_policy_set_cert_schemes(
    captls_cipher_policy *p, const char *list);

bool captls_cipher_policy_has_suite(const captls_cipher_policy *p, uint16_t s);
bool captls_cipher_policy_has_group(const captls_cipher_policy *p, uint16_t g);
bool captls_cipher_policy_has_scheme(const captls_cipher_policy *p, uint16_t s);
bool captls_cipher_policy_has_cert_scheme(const captls_cipher_policy *p,
                                          uint16_t s);

/* Names for logs and summaries ("TLS_AES_128_GCM_SHA256", "x25519");
 * "unknown" for anything else. Never NULL. */
const char *captls_tls_suite_name(uint16_t suite);
const char *captls_tls_group_name(uint16_t group);
/* RFC 8446 spelling ("rsa_pss_rsae_sha256"), "unknown" otherwise. */
const char *captls_tls_scheme_name(uint16_t scheme);

#endif
