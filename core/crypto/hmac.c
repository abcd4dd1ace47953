/* See hmac.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/hmac.h"

captls_result captls_hmac_init(captls_hmac_ctx *ctx, captls_hash_alg alg,
                               const void *key, size_t key_len)
{
    const br_hash_class *vt = captls_hash_vtable(alg);

    if (vt == NULL) {
        captls_zeroize(ctx, sizeof *ctx);
        return CAPTLS_ERR_UNSUPPORTED;
    }
    /* RFC 2104 §2: a key longer than B is first hashed; shorter keys are
     * zero-padded to B. br_hmac_key_init does both. */
    br_hmac_key_init(&ctx->key, vt, key, key_len);
    br_hmac_init(&ctx->mac, &ctx->key, 0);
    ctx->alg = alg;
    return CAPTLS_OK;
}

void captls_hmac_update(captls_hmac_ctx *ctx, const void *data, size_t len)
{
    if (len == 0)
        return;
    br_hmac_update(&ctx->mac, data, len);
}

size_t captls_hmac_final(captls_hmac_ctx *ctx,
                         uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    size_t n = br_hmac_out(&ctx->mac, out);

    captls_hmac_ctx_wipe(ctx);
    return n;
}

void captls_hmac_ctx_wipe(captls_hmac_ctx *ctx)
{
    captls_zeroize(ctx, sizeof *ctx);
}

captls_result captls_hmac(captls_hash_alg alg, const void *key,
                          size_t key_len, const void *msg, size_t msg_len,
                          uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    captls_hmac_ctx ctx;

    CAPTLS_TRY(captls_hmac_init(&ctx, alg, key, key_len));
    captls_hmac_update(&ctx, msg, msg_len);
    (void)captls_hmac_final(&ctx, out);
    return CAPTLS_OK;
}

captls_result captls_hmac_verify(captls_hash_alg alg, const void *key,
                                 size_t key_len, const void *msg,
                                 size_t msg_len, const uint8_t *tag,
                                 size_t tag_len)
{
    uint8_t expect[CAPTLS_HASH_MAX_SIZE];
    captls_result r;
    bool ok;

    r = captls_hmac(alg, key, key_len, msg, msg_len, expect);
    if (r != CAPTLS_OK)
        return r;
    /* The length is public; only the bytes are compared in constant time. */
    ok = tag_len == captls_hash_size(alg) &&
         captls_ct_equal(expect, tag, tag_len);
    captls_zeroize(expect, sizeof expect);
    return ok ? CAPTLS_OK : CAPTLS_ERR_AUTH_FAILED;
}
