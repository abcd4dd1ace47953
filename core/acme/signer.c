/* Signature form conversions for the ACME codecs. See signer.h. */
#include "core/acme/signer.h"

#include <string.h>

#include "core/base/der.h"

captls_acme_sig_alg captls_acme_sig_alg_of(const captls_jwk *k)
{
    if (k == NULL)
        return CAPTLS_ACME_SIG_NONE;
    if (k->type == CAPTLS_JWK_EC_P256)
        return CAPTLS_ACME_SIG_ES256;
    if (k->type == CAPTLS_JWK_ED25519)
        return CAPTLS_ACME_SIG_EDDSA;
    return CAPTLS_ACME_SIG_NONE;
}

captls_result captls_acme_ecdsa_der_to_raw(const uint8_t *der, size_t len,
                                           uint8_t raw[64])
{
    captls_der d, seq;
    captls_slice r, s;
    if (der == NULL || raw == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der_init(&d, der, len, NULL);
    if (captls_der_enter(&d, CAPTLS_DER_SEQUENCE, &seq) != CAPTLS_OK ||
        captls_der_finish(&d) != CAPTLS_OK ||
        captls_der_read_uint(&seq, &r) != CAPTLS_OK ||
        captls_der_read_uint(&seq, &s) != CAPTLS_OK ||
        captls_der_finish(&seq) != CAPTLS_OK)
        return CAPTLS_ERR_BAD_SIGNATURE;
    if (r.len > 32 || s.len > 32)
        return CAPTLS_ERR_BAD_SIGNATURE;
    uint8_t out[64];
    memset(out, 0, sizeof(out));
    memcpy(out + 32 - r.len, r.ptr, r.len);
    memcpy(out + 64 - s.len, s.ptr, s.len);
    memcpy(raw, out, 64);
    return CAPTLS_OK;
}

captls_result captls_acme_ecdsa_raw_to_der(const uint8_t raw[64],
                                           uint8_t der[CAPTLS_ACME_SIG_MAX],
                                           size_t *len)
{
    captls_der_writer w;
    if (raw == NULL || der == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der_writer_init(&w, der, CAPTLS_ACME_SIG_MAX);
    captls_der_write_uint(&w, raw + 32, 32);
    captls_der_write_uint(&w, raw, 32);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, 0);
    return captls_der_writer_finish(&w, len);
}

captls_result captls_acme_sign_raw(const captls_acme_signer *s,
                                   const uint8_t *msg, size_t len,
                                   uint8_t sig[64])
{
    uint8_t buf[CAPTLS_ACME_SIG_MAX];
    size_t n = 0;
    if (s == NULL || s->sign == NULL || sig == NULL || (msg == NULL && len))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_acme_sig_alg alg = captls_acme_sig_alg_of(&s->pub);
    if (alg == CAPTLS_ACME_SIG_NONE)
        return CAPTLS_ERR_UNSUPPORTED;
    CAPTLS_TRY(s->sign(s->ctx, alg, msg, len, buf, sizeof(buf), &n));
    if (n > sizeof(buf))
        return CAPTLS_ERR_BAD_SIGNATURE;
    if (alg == CAPTLS_ACME_SIG_ES256)
        return captls_acme_ecdsa_der_to_raw(buf, n, sig);
    if (n != 64)
        return CAPTLS_ERR_BAD_SIGNATURE;
    memcpy(sig, buf, 64);
    return CAPTLS_OK;
}
