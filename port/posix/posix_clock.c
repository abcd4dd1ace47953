/* See posix_port.h (clock). */
#include <time.h>

#include "port/posix/posix_port.h"

static int clock_now(captls_posix_clock_ctx *c, clockid_t id,
                     struct timespec *ts)
{
    return c->gettime != NULL ? c->gettime(id, ts) : clock_gettime(id, ts);
}

static uint64_t posix_monotonic_ns(void *ctx)
{
    captls_posix_clock_ctx *c = ctx;
    struct timespec ts;
    uint64_t now;

    /* CLOCK_MONOTONIC cannot fail on Linux; if a hook makes it fail or step
     * back, the last reading is repeated so the contract (never backwards)
     * holds. */
    if (clock_now(c, CLOCK_MONOTONIC, &ts) != 0 || ts.tv_sec < 0 ||
        ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
        return c->last_monotonic_ns;
    now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (now < c->last_monotonic_ns)
        return c->last_monotonic_ns;
    c->last_monotonic_ns = now;
    return now;
}

static captls_result posix_wall_time(void *ctx, captls_wall_time *out)
{
    captls_posix_clock_ctx *c = ctx;
    struct timespec ts;

    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (clock_now(c, CLOCK_REALTIME, &ts) != 0 || ts.tv_nsec < 0 ||
        ts.tv_nsec >= 1000000000L)
        return CAPTLS_ERR_CLOCK_UNAVAILABLE;
    out->epoch_seconds = (int64_t)ts.tv_sec;
    out->nanoseconds = (uint32_t)ts.tv_nsec;
    out->provenance = c->wall_provenance;
    return CAPTLS_OK;
}

void captls_posix_clock_init(captls_posix_clock_ctx *ctx,
                             captls_clock_provenance wall_provenance,
                             captls_clock *out)
{
    ctx->wall_provenance = wall_provenance;
    ctx->last_monotonic_ns = 0;
    ctx->gettime = NULL;
    out->ctx = ctx;
    out->monotonic_ns = posix_monotonic_ns;
    out->wall_time = posix_wall_time;
}
