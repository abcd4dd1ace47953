/* See hash.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/hash.h"
#include "core/crypto/sha256_ni.h"
#include "core/crypto/sha512_avx2.h"

const br_hash_class *captls_hash_vtable(captls_hash_alg alg)
{
    switch (alg) {
    case CAPTLS_HASH_SHA256:
#if CAPTLS_SHA256_NI
        /* cpu.h: only when the CPU reports every instruction it uses. */
        if (captls_cpu_has(CAPTLS_SHA256_NI_NEEDS))
            return &captls_sha256_ni_vtable;
#endif
        return &br_sha256_vtable;
    case CAPTLS_HASH_SHA384:
#if CAPTLS_SHA512_AVX2
        if (captls_cpu_has(CAPTLS_SHA512_AVX2_NEEDS))
            return &captls_sha384_avx2_vtable;
#endif
        return &br_sha384_vtable;
    case CAPTLS_HASH_SHA512:
#if CAPTLS_SHA512_AVX2
        if (captls_cpu_has(CAPTLS_SHA512_AVX2_NEEDS))
            return &captls_sha512_avx2_vtable;
#endif
        return &br_sha512_vtable;
    case CAPTLS_HASH_NONE: break;
    }
    return NULL;
}

size_t captls_hash_size(captls_hash_alg alg)
{
    switch (alg) {
    case CAPTLS_HASH_SHA256: return 32;
    case CAPTLS_HASH_SHA384: return 48;
    case CAPTLS_HASH_SHA512: return 64;
    case CAPTLS_HASH_NONE: break;
    }
    return 0;
}

size_t captls_hash_block_size(captls_hash_alg alg)
{
    switch (alg) {
    case CAPTLS_HASH_SHA256: return 64;
    case CAPTLS_HASH_SHA384: return 128;
    case CAPTLS_HASH_SHA512: return 128;
    case CAPTLS_HASH_NONE: break;
    }
    return 0;
}

captls_result captls_hash_init(captls_hash_ctx *ctx, captls_hash_alg alg)
{
    const br_hash_class *vt = captls_hash_vtable(alg);

    if (vt == NULL) {
        captls_zeroize(ctx, sizeof *ctx);
        return CAPTLS_ERR_UNSUPPORTED;
    }
    vt->init(&ctx->br.vtable);
    ctx->alg = alg;
    return CAPTLS_OK;
}

void captls_hash_update(captls_hash_ctx *ctx, const void *data, size_t len)
{
    if (len == 0)
        return;
    ctx->br.vtable->update(&ctx->br.vtable, data, len);
}

size_t captls_hash_peek(const captls_hash_ctx *ctx,
                        uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    /* BearSSL's out() leaves the running state untouched. */
    ctx->br.vtable->out(&ctx->br.vtable, out);
    return captls_hash_size(ctx->alg);
}

size_t captls_hash_final(captls_hash_ctx *ctx,
                         uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    size_t n = captls_hash_peek(ctx, out);

    captls_hash_ctx_wipe(ctx);
    return n;
}

void captls_hash_ctx_wipe(captls_hash_ctx *ctx)
{
    captls_zeroize(ctx, sizeof *ctx);
}

captls_result captls_hash(captls_hash_alg alg, const void *msg, size_t len,
                          uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    captls_hash_ctx ctx;

    CAPTLS_TRY(captls_hash_init(&ctx, alg));
    captls_hash_update(&ctx, msg, len);
    (void)captls_hash_final(&ctx, out);
    return CAPTLS_OK;
}
