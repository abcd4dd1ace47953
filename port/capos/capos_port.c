/* See capos_port.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "port/capos/capos_port.h"
#include "port/capos/console.h"
#include "port/capos/rtc.h"

static uint64_t guest_monotonic_ns(void *ctx)
{
    capos_port_state *st = ctx;
    return capos_timer_ns(&st->timer);
}

static captls_result guest_wall_time(void *ctx, captls_wall_time *out)
{
    capos_port_state *st = ctx;
    uint64_t since;

    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (st->rtc_status != CAPTLS_OK || st->timer_status != CAPTLS_OK)
        return CAPTLS_ERR_CLOCK_UNAVAILABLE;
    since = capos_timer_ns(&st->timer) - st->rtc_at_ns;
    out->epoch_seconds = st->rtc_epoch + (int64_t)(since / 1000000000u);
    out->nanoseconds = (uint32_t)(since % 1000000000u);
    out->provenance = CAPTLS_CLOCK_UNTRUSTED;
    return CAPTLS_OK;
}

static void guest_log_write(void *ctx, captls_log_level level,
                            const char *msg, size_t len)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    (void)ctx;
    capos_console_puts("log: ");
    capos_console_puts((unsigned)level < 4 ? names[level] : "?");
    capos_console_puts(": ");
    capos_console_write(msg, len); /* the console masks non-printables */
    capos_console_puts("\n");
}

captls_result capos_port_init(capos_port_state *st, captls_port *out)
{
    memset(out, 0, sizeof *out);

    st->timer_status = capos_timer_init(&st->timer);
    st->entropy_status = capos_entropy_init(&st->entropy);
    st->rtc_epoch = 0;
    st->rtc_at_ns = 0;
    st->rtc_status = capos_rtc_read(&st->rtc_epoch);
    if (st->rtc_status == CAPTLS_OK)
        st->rtc_at_ns = capos_timer_ns(&st->timer);

    out->clock.ctx = st;
    out->clock.monotonic_ns =
        st->timer_status == CAPTLS_OK ? guest_monotonic_ns : NULL;
    out->clock.wall_time = guest_wall_time;
    out->entropy.ctx = &st->entropy;
    out->entropy.fill = capos_entropy_fill;
    out->log.ctx = NULL;
    out->log.write = guest_log_write;

    if (st->timer_status != CAPTLS_OK)
        return st->timer_status;
    return st->entropy_status;
}
