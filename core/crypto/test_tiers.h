/* core/crypto/test_tiers.h — for the cmocka tests only: run a test on
 * every crypto dispatch tier of core/crypto/cpu.h, each a setup function
 * that leaves the tier selected for the test after it:
 *   fast       everything the CPU has (AVX-512 with IFMA where present);
 *   no-ifma    AVX-512 IFMA hidden;
 *   no-avx512  AVX-512 hidden (the AVX2 tier);
 *   portable   the portable code forced.
 * On a CPU without a feature two tiers coincide, and each still runs. */
#ifndef CAPTLS_CRYPTO_TEST_TIERS_H
#define CAPTLS_CRYPTO_TEST_TIERS_H

#include "core/crypto/cpu.h"

static inline int tier_select(bool portable, uint32_t masked)
{
    captls_cpu_set_portable(portable);
    captls_cpu_set_masked(masked);
    return 0;
}

static inline int use_fast(void **state)
{
    (void)state;
    return tier_select(false, 0);
}

static inline int use_no_ifma(void **state)
{
    (void)state;
    return tier_select(false, CAPTLS_CPU_AVX512IFMA);
}

static inline int use_avx2_tier(void **state)
{
    (void)state;
    return tier_select(false, CAPTLS_CPU_AVX512F | CAPTLS_CPU_AVX512IFMA);
}

static inline int use_portable(void **state)
{
    (void)state;
    return tier_select(true, 0);
}

#define EVERY_TIER(t)                                                  \
    {#t " (fast)", t, use_fast, NULL, NULL},                            \
    {#t " (no-ifma)", t, use_no_ifma, NULL, NULL},                      \
    {#t " (no-avx512)", t, use_avx2_tier, NULL, NULL},                  \
    {                                                                   \
        #t " (portable)", t, use_portable, NULL, NULL                   \
    }

#endif
