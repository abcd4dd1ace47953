/* core/keys/key_acme.h — a KeyVault PrivateKey as the signing capability
 * of the ACME codecs (core/acme/signer.h), scoped by purpose (seed 000:
 * "ES256 JWS signing through AcmeAccountPrivateKey caps, and CSR signing
 * through a separate TLS-purpose PrivateKey cap").
 *
 * Contract. captls_private_key_acme_signer fills *out so that every
 * signature the codecs ask for is captls_private_key_sign with `purpose`:
 * CAPTLS_KEY_PURPOSE_ACME_ACCOUNT for JWS (account key), _TLS for the CSR
 * of a TLS certificate. A key of another purpose is refused up front
 * (NO_AUTHORITY, audited by the vault) and, because the purpose is checked
 * again on every call, a destroyed or attenuated handle fails cleanly
 * later. Ed25519 -> EdDSA, P-256 -> ES256; RSA is UNSUPPORTED (the codecs
 * have no RS256). `ctx` is caller-owned and must outlive *out; out->pub is
 * the key's public JWK. */
#ifndef CAPTLS_KEYS_KEY_ACME_H
#define CAPTLS_KEYS_KEY_ACME_H

#include "core/acme/signer.h"
#include "core/keys/key_vault.h"

typedef struct captls_private_key_acme_ctx {
    captls_key_vault *vault;
    captls_cap_owner owner;
    captls_cap_handle key;
    captls_key_purpose purpose;
} captls_private_key_acme_ctx;

CAPTLS_MUST_CHECK captls_result captls_private_key_acme_signer(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle key,
    captls_key_purpose purpose, captls_private_key_acme_ctx *ctx,
    captls_acme_signer *out);

#endif
