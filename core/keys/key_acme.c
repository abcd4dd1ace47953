/* PrivateKey -> ACME signer. See key_acme.h. */
#include "core/keys/key_acme.h"

#include <string.h>

#include "core/crypto/sig_scheme.h"

static captls_result acme_sign(void *ctx, captls_acme_sig_alg alg,
                               const uint8_t *msg, size_t len, uint8_t *sig,
                               size_t cap, size_t *sig_len)
{
    captls_private_key_acme_ctx *c = ctx;
    uint16_t scheme = alg == CAPTLS_ACME_SIG_ES256
                          ? CAPTLS_SIG_ECDSA_SECP256R1_SHA256
                      : alg == CAPTLS_ACME_SIG_EDDSA ? CAPTLS_SIG_ED25519
                                                     : 0;
    if (scheme == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    return captls_private_key_sign(c->vault, c->owner, c->key, c->purpose,
                                   scheme, msg, len, sig, cap, sig_len);
}

captls_result captls_private_key_acme_signer(captls_key_vault *v,
                                             captls_cap_owner owner,
                                             captls_cap_handle key,
                                             captls_key_purpose purpose,
                                             captls_private_key_acme_ctx *ctx,
                                             captls_acme_signer *out)
{
    captls_key_info info;
    uint8_t spki[CAPTLS_KEY_SPKI_MAX];
    size_t n = 0;
    captls_public_key pk;
    if (ctx == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    CAPTLS_TRY(captls_private_key_algorithm(v, owner, key, &info));
    if (info.purpose != purpose) {
        /* a refused sign, so that the vault audits the attempt */
        uint8_t sig[CAPTLS_ACME_SIG_MAX];
        size_t sl = 0;
        captls_result r = captls_private_key_sign(
            v, owner, key, purpose, CAPTLS_SIG_ED25519, sig, 0, sig,
            sizeof sig, &sl);
        return r == CAPTLS_OK ? CAPTLS_ERR_INTERNAL : CAPTLS_ERR_NO_AUTHORITY;
    }
    CAPTLS_TRY(captls_private_key_public_key(v, owner, key, spki, sizeof spki,
                                             &n));
    CAPTLS_TRY(captls_spki_parse(spki, n, &pk, NULL));
    if (info.type == CAPTLS_KEY_EC_P256)
        CAPTLS_TRY(captls_jwk_from_p256(&out->pub, pk.point.ptr, pk.point.len));
    else if (info.type == CAPTLS_KEY_ED25519 && pk.point.len == 32)
        CAPTLS_TRY(captls_jwk_from_ed25519(&out->pub, pk.point.ptr));
    else
        return CAPTLS_ERR_UNSUPPORTED;
    ctx->vault = v;
    ctx->owner = owner;
    ctx->key = key;
    ctx->purpose = purpose;
    out->ctx = ctx;
    out->sign = acme_sign;
    return CAPTLS_OK;
}
