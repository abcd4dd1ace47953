/* port/capos/entropy.h — the guest's entropy source: RDSEED and RDRAND.
 *
 * capos_entropy_init asks CPUID which of the two instructions exist and
 * fails with CAPTLS_ERR_ENTROPY_FAILURE if neither does. capos_entropy_fill
 * (the captls_entropy.fill of this port; ctx is the capos_entropy) fills
 * the buffer 64 bits at a time, preferring RDSEED (output of the hardware
 * conditioner, not of a DRBG) and falling back to RDRAND when RDSEED is
 * absent or keeps reporting underflow. Each instruction is retried a
 * bounded number of times (RDRAND 10, as Intel's DRNG guide advises;
 * RDSEED 100 with a pause, since it runs dry under load).
 *
 * Health checks on every word: a word equal to the previous one, or all
 * zeros, or all ones (what some AMD parts return with CF=1 after resume),
 * counts as a broken source. On any failure the whole buffer is wiped and
 * CAPTLS_ERR_ENTROPY_FAILURE returned: the caller never receives bytes that
 * did not pass. The caller owns the capos_entropy; single-threaded.
 */
#ifndef CAPOS_ENTROPY_H
#define CAPOS_ENTROPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

typedef struct capos_entropy {
    bool has_rdrand;
    bool has_rdseed;
    bool have_last;
    uint64_t last; /* previous word, for the repetition check */
} capos_entropy;

CAPTLS_MUST_CHECK captls_result capos_entropy_init(capos_entropy *e);
CAPTLS_MUST_CHECK captls_result capos_entropy_fill(void *ctx, uint8_t *out,
                                                   size_t len);

#endif
