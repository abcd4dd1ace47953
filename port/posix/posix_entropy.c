/* See posix_port.h (entropy). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "port/posix/posix_port.h"

/* A run of calls that return 0 bytes without an error would otherwise loop
 * forever; getrandom(2) never does that, a broken hook might. */
#define ENTROPY_MAX_EMPTY_CALLS 16

static captls_result posix_entropy_fill(void *ctx, uint8_t *out, size_t len)
{
    captls_posix_entropy_ctx *c = ctx;
    size_t done = 0;
    unsigned empty = 0;

    if (out == NULL && len != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    while (done < len) {
        /* getrandom returns at most 33554431 bytes a call; ask in chunks. */
        size_t want = len - done;
        ssize_t n;
        if (want > 1u << 20)
            want = 1u << 20;
        n = c->getrandom_fn != NULL ? c->getrandom_fn(out + done, want, 0)
                                    : getrandom(out + done, want, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        if ((size_t)n > want)
            goto fail;
        if (n == 0 && ++empty > ENTROPY_MAX_EMPTY_CALLS)
            goto fail;
        done += (size_t)n;
    }
    return CAPTLS_OK;
fail:
    /* Nothing the caller may use: wipe what was filled. */
    if (len != 0)
        explicit_bzero(out, len);
    return CAPTLS_ERR_ENTROPY_FAILURE;
}

void captls_posix_entropy_init(captls_posix_entropy_ctx *ctx,
                               captls_entropy *out)
{
    ctx->getrandom_fn = NULL;
    out->ctx = ctx;
    out->fill = posix_entropy_fill;
}
