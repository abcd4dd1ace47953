/* See posix_port.h (the port). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto/cpu.h"
#include "port/posix/posix_port.h"

bool captls_posix_crypto_from_env(void)
{
    const char *v = getenv("CAPTLS_CRYPTO");

    if (v != NULL && strcmp(v, "portable") == 0)
        captls_cpu_set_portable(true);
    else if (v != NULL && strcmp(v, "no-avx512") == 0)
        captls_cpu_set_masked(CAPTLS_CPU_AVX512F | CAPTLS_CPU_AVX512IFMA);
    else if (v != NULL && strcmp(v, "no-ifma") == 0)
        captls_cpu_set_masked(CAPTLS_CPU_AVX512IFMA);
    else if (v != NULL && v[0] != '\0' && strcmp(v, "auto") != 0)
        fprintf(stderr,
                "captls: CAPTLS_CRYPTO=%s ignored "
                "(portable|no-avx512|no-ifma|auto)\n",
                v);
    return captls_cpu_portable();
}

captls_result captls_posix_port_init(captls_posix_port_ctx *ctx,
                                     const captls_posix_port_config *cfg,
                                     captls_port *out)
{
    static const captls_posix_port_config defaults = {0};
    captls_result r;

    if (ctx == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (cfg == NULL)
        cfg = &defaults;
    (void)captls_posix_crypto_from_env();
    memset(out, 0, sizeof(*out));
    ctx->store.dirfd = -1;
    ctx->audit.fd = -1;
    ctx->audit.owns_fd = false;
    captls_posix_clock_init(&ctx->clock,
                            cfg->wall_clock_untrusted ? CAPTLS_CLOCK_UNTRUSTED
                                                      : CAPTLS_CLOCK_TRUSTED,
                            &out->clock);
    captls_posix_entropy_init(&ctx->entropy, &out->entropy);
    captls_posix_net_init(&ctx->net, &out->net);
    captls_posix_ipc_init(&ctx->ipc, &out->ipc);
    captls_posix_log_init(&ctx->log, STDERR_FILENO, cfg->log_level, &out->log);
    if (cfg->store_dir != NULL) {
        r = captls_posix_blob_store_init(&ctx->store, cfg->store_dir,
                                         &out->store);
        if (r != CAPTLS_OK)
            goto fail;
    }
    if (cfg->audit_path != NULL) {
        r = captls_posix_audit_open(&ctx->audit, cfg->audit_path, &out->audit);
        if (r != CAPTLS_OK)
            goto fail;
    }
    return CAPTLS_OK;
fail:
    captls_posix_port_fini(ctx);
    memset(out, 0, sizeof(*out));
    return r;
}

void captls_posix_port_fini(captls_posix_port_ctx *ctx)
{
    if (ctx == NULL)
        return;
    captls_posix_net_fini(&ctx->net);
    captls_posix_blob_store_fini(&ctx->store);
    captls_posix_audit_fini(&ctx->audit);
}
