/* port/capos/capos_port.h — the guest's captls_port (see port/port.h).
 *
 * What the guest offers through port.h:
 *   clock.monotonic_ns  the calibrated TSC (timer.h); NULL if calibration
 *                       failed, so callers see "unsupported", not a clock
 *                       that stands still.
 *   clock.wall_time     the CMOS RTC read once at init, advanced by the
 *                       monotonic clock. Provenance is always
 *                       CAPTLS_CLOCK_UNTRUSTED: the host sets the RTC and
 *                       nothing authenticates it. CAPTLS_ERR_CLOCK_UNAVAILABLE
 *                       if the RTC or the timer failed at init.
 *   entropy.fill        RDSEED/RDRAND with health checks (entropy.h); it
 *                       reports CAPTLS_ERR_ENTROPY_FAILURE when the CPU has
 *                       neither instruction.
 *   log.write           COM1, one "log: <level>: <msg>" line per call.
 *   net, store, ipc, audit: NULL (not offered yet; COM2 streams come later).
 *
 * Memory: the caller owns the capos_port_state and must keep it alive and
 * in place while the captls_port filled from it is in use (the port's ctx
 * pointers point into it). capos_port_init fills *out whatever happens and
 * returns the first failure among timer and entropy setup (the RTC is not
 * required); the *_status fields say which part failed.
 */
#ifndef CAPOS_PORT_H
#define CAPOS_PORT_H

#include <stdint.h>

#include "core/base/result.h"
#include "port/capos/entropy.h"
#include "port/capos/timer.h"
#include "port/port.h"

typedef struct capos_port_state {
    capos_timer timer;
    capos_entropy entropy;
    int64_t rtc_epoch;  /* RTC reading at init, seconds since the epoch */
    uint64_t rtc_at_ns; /* monotonic time of that reading */
    captls_result timer_status;
    captls_result entropy_status;
    captls_result rtc_status;
} capos_port_state;

CAPTLS_MUST_CHECK captls_result capos_port_init(capos_port_state *st,
                                                captls_port *out);

#endif
