/* port/capos/rtc.h — read the CMOS real-time clock (MC146818) once.
 *
 * The RTC is whatever the host says it is (QEMU's -rtc base=..., default
 * the host's UTC time): nothing authenticates it, so a reading is only
 * ever an untrusted wall clock. The RTC is assumed to keep UTC, as QEMU's
 * does by default. The century comes from CMOS register 0x32 (which QEMU
 * fills in) when it holds a plausible 19..21, else 20xx is assumed.
 *
 * capos_rtc_read returns CAPTLS_OK with seconds since the Unix epoch, or
 * CAPTLS_ERR_CLOCK_UNAVAILABLE if the clock never settles (an update in
 * progress on every try) or reads out of range.
 */
#ifndef CAPOS_RTC_H
#define CAPOS_RTC_H

#include <stdint.h>

#include "core/base/result.h"

CAPTLS_MUST_CHECK captls_result capos_rtc_read(int64_t *epoch_seconds);

/* Days since 1970-01-01 of a proleptic Gregorian date (no range check);
 * exposed for the POST. */
int64_t capos_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
