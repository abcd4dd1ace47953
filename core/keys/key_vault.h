/* core/keys/key_vault.h — PrivateKey / PublicKey, KeyVault and the
 * development KeySource (seed 000 K1-K3; seed 001 "TlsServerConfig.key").
 *
 * Contract. A KeyVault holds private keys in RAM custody: the caller gives
 * it an array of captls_vault_key slots (SECRET material; it must outlive
 * the vault and is wiped by captls_key_vault_fini) and a cap table. Keys
 * are reached only through PrivateKey handles of that table (interface
 * CAPTLS_IFACE_PRIVATE_KEY), which the vault mints as roots it owns and
 * grants to the caller; there is NO function that returns private key
 * bytes — sign, the public key and key metadata are all a handle gives.
 *
 * Purpose. Each key has one purpose fixed at creation (tls, acmeAccount,
 * codeSigning, caIssuing). sign() names the purpose the caller signs for;
 * a different purpose is CAPTLS_ERR_NO_AUTHORITY and audited
 * ("key.sign.refused"): an ACME account key cannot produce a TLS
 * CertificateVerify, a TLS key cannot sign a JWS. The TLS adapter
 * (captls_private_key_tls_signer) refuses a non-tls key up front.
 *
 * Rights on a PrivateKey handle: CAPTLS_RIGHT_CALL (publicKey, algorithm),
 * CAPTLS_KEY_RIGHT_SIGN (sign), DERIVE/GRANT as in cap_table.h.
 * captls_private_key_attenuate narrows a handle (e.g. SIGN only, no
 * DERIVE/GRANT: a sign-only handle for one purpose). On the KeyVault
 * handle: CALL for open/list, WRITE for generate/destroy/import.
 *
 * destroy zeroizes the key and revokes the vault's root handle, which ends
 * every handle derived from it, whoever holds it (later calls fail with
 * CAPTLS_ERR_STALE_HANDLE). Generation draws only from the entropy
 * interface given at init and fails closed (ENTROPY_FAILURE, nothing kept).
 *
 * KeySource (development only): captls_key_vault_import_dev imports one PEM
 * private key (PKCS#8, SEC1, PKCS#1 RSA; core/tls/key_signer.h is the
 * loader) as a vault key. A vault whose profile is
 * CAPTLS_KEY_PROFILE_PRODUCTION refuses it: CAPTLS_ERR_NO_AUTHORITY plus an
 * audit record "keysource.dev.refused". No PEM byte is ever audited.
 *
 * Audit: generate, open, destroy, import (and their refusals) and every
 * refused sign are appended to the audit sink (if one is given) with the
 * key name and purpose; a successful sign is not audited (hot path).
 * Not thread-safe. Names: 1..CAPTLS_KEY_NAME_MAX-1 bytes of
 * [A-Za-z0-9._-] (they appear in audit records and store handles).
 * NOT provided: persistence (RAM only), sealing, production KeySources.
 */
#ifndef CAPTLS_KEYS_KEY_VAULT_H
#define CAPTLS_KEYS_KEY_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/crypto/spki.h"
#include "core/tls/key_signer.h"
#include "core/tls/tls_config.h"
#include "core/x509/certificate.h"
#include "port/port.h"

#define CAPTLS_KEY_NAME_MAX 48u
/* Largest SubjectPublicKeyInfo a vault key has (RSA-4096). */
#define CAPTLS_KEY_SPKI_MAX 560u
/* Largest signature (RSA-4096). */
#define CAPTLS_KEY_SIG_MAX 512u

enum {
    CAPTLS_KEY_RIGHT_SIGN = 1u << 8,
};

/* KeyVault method ids (IPC and audit). */
enum {
    CAPTLS_KEY_VAULT_GENERATE = 0,
    CAPTLS_KEY_VAULT_OPEN = 1,
    CAPTLS_KEY_VAULT_LIST = 2,
    CAPTLS_KEY_VAULT_DESTROY = 3,
    CAPTLS_KEY_SOURCE_IMPORT = 4,
};
/* PrivateKey method ids. */
enum {
    CAPTLS_PRIVATE_KEY_SIGN = 0,
    CAPTLS_PRIVATE_KEY_PUBLIC = 1,
    CAPTLS_PRIVATE_KEY_ALGORITHM = 2,
};

typedef enum captls_key_purpose {
    CAPTLS_KEY_PURPOSE_NONE = 0,
    CAPTLS_KEY_PURPOSE_TLS = 1,
    CAPTLS_KEY_PURPOSE_ACME_ACCOUNT = 2,
    CAPTLS_KEY_PURPOSE_CODE_SIGNING = 3,
    CAPTLS_KEY_PURPOSE_CA_ISSUING = 4,
} captls_key_purpose;

typedef enum captls_key_alg {
    CAPTLS_KEY_ALG_NONE = 0,
    CAPTLS_KEY_ALG_ED25519 = 1,
    CAPTLS_KEY_ALG_P256 = 2,
    CAPTLS_KEY_ALG_RSA2048 = 3,
    CAPTLS_KEY_ALG_RSA3072 = 4,
    CAPTLS_KEY_ALG_RSA4096 = 5,
} captls_key_alg;

typedef enum captls_key_profile {
    CAPTLS_KEY_PROFILE_DEVELOPMENT = 0,
    CAPTLS_KEY_PROFILE_PRODUCTION = 1,
} captls_key_profile;

/* One custody slot (SECRET). Fields are the vault's; do not touch. */
typedef struct captls_vault_key {
    uint8_t live;
    uint8_t purpose;
    uint8_t from_dev_source;
    char name[CAPTLS_KEY_NAME_MAX];
    captls_cap_handle root; /* owned by the vault's service id */
    captls_tls_key_signer material;
} captls_vault_key;

typedef struct captls_key_vault {
    captls_cap_table *caps;
    captls_cap_owner self; /* the vault service's owner id */
    captls_vault_key *keys;
    uint32_t nkeys;
    captls_entropy entropy;
    captls_key_profile profile;
    captls_clock clock;       /* for audit time; may be empty */
    captls_audit_sink audit;  /* may be empty: nothing audited */
} captls_key_vault;

/* What algorithm() tells. */
typedef struct captls_key_info {
    captls_key_type type; /* ED25519, EC_P256, RSA */
    uint32_t bits;        /* 255, 256, modulus bits */
    captls_key_purpose purpose;
    char name[CAPTLS_KEY_NAME_MAX];
} captls_key_info;

const char *captls_key_purpose_name(captls_key_purpose p);
/* "tls", "acmeAccount", "codeSigning", "caIssuing" (NONE otherwise). */
captls_key_purpose captls_key_purpose_parse(const char *s);
bool captls_key_name_valid(const char *name);

CAPTLS_MUST_CHECK captls_result captls_key_vault_init(
    captls_key_vault *v, captls_cap_table *caps, captls_cap_owner self,
    captls_vault_key *keys, uint32_t nkeys, captls_entropy entropy,
    captls_key_profile profile, captls_clock clock, captls_audit_sink audit);
/* Destroys every key (revoking its handles) and wipes the slots. */
void captls_key_vault_fini(captls_key_vault *v);

/* A root KeyVault handle for `owner` with `rights` (the vault's owner
 * hands these out; what an owner can do is what its rights say). */
CAPTLS_MUST_CHECK captls_result captls_key_vault_mint(captls_key_vault *v,
                                                     captls_cap_owner owner,
                                                     captls_rights rights,
                                                     captls_cap_handle *out);

/* A new key named `name` (ALREADY_EXISTS if taken, LIMIT_EXCEEDED if no
 * slot is free) of `alg` and `purpose`; *key is a PrivateKey handle of
 * `owner` with CALL|SIGN|DERIVE|GRANT. */
CAPTLS_MUST_CHECK captls_result captls_key_vault_generate(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle vault,
    captls_key_alg alg, captls_key_purpose purpose, const char *name,
    captls_cap_handle *key);

/* Another handle for an existing key (NOT_FOUND if none). */
CAPTLS_MUST_CHECK captls_result captls_key_vault_open(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle vault,
    const char *name, captls_cap_handle *key);

/* Names of the live keys, in slot order: names[0..*count). LIMIT_EXCEEDED
 * (with *count = the number of keys) if max is too small. */
CAPTLS_MUST_CHECK captls_result captls_key_vault_list(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle vault,
    char (*names)[CAPTLS_KEY_NAME_MAX], size_t max, size_t *count);

/* Zeroizes the key and revokes every handle to it. */
CAPTLS_MUST_CHECK captls_result captls_key_vault_destroy(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle vault,
    const char *name);

/* Development KeySource: see the contract. scratch: at least
 * CAPTLS_TLS_KEY_SIGNER_SCRATCH bytes, wiped before returning. */
CAPTLS_MUST_CHECK captls_result captls_key_vault_import_dev(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle vault,
    const uint8_t *pem, size_t len, captls_key_purpose purpose,
    const char *name, uint8_t *scratch, size_t scratch_cap,
    captls_cap_handle *key);

/* ---- PrivateKey ---------------------------------------------------------
 * sign: scheme is a TLS SignatureScheme value naming the algorithm
 * (ed25519, ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256/384/512,
 * rsa_pkcs1_sha256/384/512 — not for a tls-purpose key: TLS 1.3 never
 * signs with them); msg is the whole message (not a digest).
 * Errors: handle errors (BAD/STALE_HANDLE, WRONG_INTERFACE, NO_AUTHORITY
 * without SIGN), NO_AUTHORITY for another purpose, UNSUPPORTED for a
 * scheme the key type cannot make, BUFFER_TOO_SMALL, ENTROPY_FAILURE. */
CAPTLS_MUST_CHECK captls_result captls_private_key_sign(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle key,
    captls_key_purpose purpose, uint16_t scheme, const uint8_t *msg,
    size_t msg_len, uint8_t *sig, size_t sig_cap, size_t *sig_len);

/* The SubjectPublicKeyInfo DER (needs CALL). */
CAPTLS_MUST_CHECK captls_result captls_private_key_public_key(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle key,
    uint8_t *spki, size_t cap, size_t *len);

CAPTLS_MUST_CHECK captls_result captls_private_key_algorithm(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle key,
    captls_key_info *out);

/* A narrower child handle (rights a subset; see cap_table.h). */
CAPTLS_MUST_CHECK captls_result captls_private_key_attenuate(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle key,
    captls_rights rights, captls_cap_handle *out);

/* True iff the leaf's public key is this key's (needs CALL). */
bool captls_private_key_matches(captls_key_vault *v, captls_cap_owner owner,
                                captls_cap_handle key,
                                const captls_certificate *leaf);

/* The TLS engine's signing interface over a PrivateKey handle: signs with
 * purpose tls through captls_private_key_sign (so a destroyed key fails
 * the handshake cleanly). `ctx` is caller-owned and must outlive *out.
 * NO_AUTHORITY (audited) for a key whose purpose is not tls. */
typedef struct captls_private_key_tls_ctx {
    captls_key_vault *vault;
    captls_cap_owner owner;
    captls_cap_handle key;
} captls_private_key_tls_ctx;

CAPTLS_MUST_CHECK captls_result captls_private_key_tls_signer(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle key,
    captls_private_key_tls_ctx *ctx, captls_tls_signer *out);

/* ---- PublicKey ----------------------------------------------------------
 * Public keys are values (SPKI DER), freely exportable. Verifies sig over
 * msg with the TLS SignatureScheme `scheme` (core/crypto/sig_scheme.h
 * rules; rsa_pkcs1_* allowed). OK or BAD_SIGNATURE / INVALID_KEY /
 * UNSUPPORTED / MALFORMED (SPKI). */
CAPTLS_MUST_CHECK captls_result captls_public_key_verify(
    const uint8_t *spki, size_t spki_len, uint16_t scheme, const uint8_t *msg,
    size_t msg_len, const uint8_t *sig, size_t sig_len);

#endif
