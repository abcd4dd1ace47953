/* port/capos/timer.h — the guest's monotonic clock: the TSC, calibrated
 * against the 8254 PIT at boot.
 *
 * capos_timer_init measures the TSC rate over three 10 ms windows timed by
 * PIT channel 2 and keeps the lowest (a window stretched by a host-side
 * stall only ever overestimates). It fails with CAPTLS_ERR_CLOCK_UNAVAILABLE
 * if the PIT never signals or the rate is implausible (outside 10 MHz ..
 * 100 GHz); the timer then stays unusable and capos_timer_ns returns 0.
 * Under QEMU TCG the guest TSC follows the host's TSC and the PIT follows
 * host real time, so the calibration holds there too.
 *
 * capos_timer_ns: nanoseconds since capos_timer_init, never decreasing
 * (a smaller reading is clamped to the last one). The caller owns the
 * capos_timer; it is single-threaded like the rest of the guest.
 * capos_timer_wait_pit_ms busy-waits on the PIT alone, so the POST can check
 * the TSC against an independent clock.
 */
#ifndef CAPOS_TIMER_H
#define CAPOS_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/base/result.h"

typedef struct capos_timer {
    uint64_t tsc_hz;     /* measured TSC ticks per second */
    uint64_t tsc_origin; /* TSC at init */
    uint64_t ns_mult;    /* ns per tick, as a 32.32 fixed-point number */
    uint64_t last_ns;    /* for the never-decreasing guarantee */
    bool ready;
} capos_timer;

CAPTLS_MUST_CHECK captls_result capos_timer_init(capos_timer *t);
uint64_t capos_timer_ns(capos_timer *t);
/* Busy-waits about ms milliseconds (1..50) measured by the PIT; false if
 * the PIT did not signal within a generous spin bound. */
bool capos_timer_wait_pit_ms(unsigned ms);

#endif
