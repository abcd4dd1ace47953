/* See hkdf.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/hkdf.h"
#include "core/crypto/hmac.h"

captls_result captls_hkdf_extract(captls_hash_alg alg, const uint8_t *salt,
                                  size_t salt_len, const uint8_t *ikm,
                                  size_t ikm_len,
                                  uint8_t prk[CAPTLS_HASH_MAX_SIZE])
{
    static const uint8_t zeros[CAPTLS_HASH_MAX_SIZE];
    size_t hlen = captls_hash_size(alg);

    if (hlen == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    /* RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen
     * zeros." */
    if (salt == NULL || salt_len == 0) {
        salt = zeros;
        salt_len = hlen;
    }
    return captls_hmac(alg, salt, salt_len, ikm, ikm_len, prk);
}

captls_result captls_hkdf_expand(captls_hash_alg alg, const uint8_t *prk,
                                 size_t prk_len, const uint8_t *info,
                                 size_t info_len, uint8_t *out,
                                 size_t out_len)
{
    captls_hmac_ctx base, ctx;
    uint8_t t[CAPTLS_HASH_MAX_SIZE];
    size_t hlen = captls_hash_size(alg);
    size_t done = 0, tlen = 0;
    uint8_t counter = 0;

    if (hlen == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    /* RFC 5869 §2.3: "L  length of output keying material in octets
     * (<= 255*HashLen)". */
    if (out_len > 255 * hlen)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    /* RFC 5869 §2.3: "PRK  a pseudorandom key of at least HashLen octets". */
    if (prk_len < hlen)
        return CAPTLS_ERR_INVALID_ARGUMENT;

    CAPTLS_TRY(captls_hmac_init(&base, alg, prk, prk_len));
    /* T(0) = empty; T(i) = HMAC-Hash(PRK, T(i-1) | info | i). */
    while (done < out_len) {
        size_t take;

        counter++;
        ctx = base;
        captls_hmac_update(&ctx, t, tlen);
        captls_hmac_update(&ctx, info, info_len);
        captls_hmac_update(&ctx, &counter, 1);
        tlen = captls_hmac_final(&ctx, t);
        take = out_len - done < hlen ? out_len - done : hlen;
        memcpy(out + done, t, take);
        done += take;
    }
    captls_hmac_ctx_wipe(&base);
    captls_zeroize(t, sizeof t);
    return CAPTLS_OK;
}

captls_result captls_hkdf_expand_label(captls_hash_alg alg,
                                       const uint8_t *secret,
                                       size_t secret_len, const char *label,
                                       size_t label_len,
                                       const uint8_t *context,
                                       size_t context_len, uint8_t *out,
                                       size_t out_len)
{
    /* struct {
     *     uint16 length = Length;
     *     opaque label<7..255> = "tls13 " + Label;
     *     opaque context<0..255> = Context;
     * } HkdfLabel;                                     (RFC 8446 §7.1) */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t hlen = captls_hash_size(alg);
    size_t n = 0;
    captls_result r;

    if (hlen == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (secret_len != hlen)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (label_len == 0 || label_len > CAPTLS_HKDF_LABEL_MAX ||
        context_len > CAPTLS_HKDF_CONTEXT_MAX)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (out_len > 0xffff)
        return CAPTLS_ERR_LIMIT_EXCEEDED;

    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(6 + label_len);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len > 0)
        memcpy(info + n, context, context_len);
    n += context_len;

    r = captls_hkdf_expand(alg, secret, secret_len, info, n, out, out_len);
    captls_zeroize(info, sizeof info);
    return r;
}

captls_result captls_hkdf_derive_secret(captls_hash_alg alg,
                                        const uint8_t *secret,
                                        size_t secret_len, const char *label,
                                        size_t label_len,
                                        const uint8_t *transcript_hash,
                                        size_t transcript_hash_len,
                                        uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    size_t hlen = captls_hash_size(alg);

    if (hlen == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (transcript_hash_len != hlen)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return captls_hkdf_expand_label(alg, secret, secret_len, label,
                                    label_len, transcript_hash,
                                    transcript_hash_len, out, hlen);
}
