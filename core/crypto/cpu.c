/* See cpu.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <bearssl.h>

#include "core/crypto/cpu.h"

#define DETECTED_VALID (1u << 31) /* detected_bits holds an answer */

static uint32_t detected_bits;   /* DETECTED_VALID | CAPTLS_CPU_* */
static int forced_portable;      /* set by captls_cpu_set_portable */
static uint32_t masked_bits;     /* set by captls_cpu_set_masked */

#if defined(__x86_64__) && !defined(CAPTLS_PORTABLE_CRYPTO)
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;

    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t probe(void)
{
    uint32_t r[4], max, f = 0;
    bool os_ymm = false, os_zmm = false;

    cpuid(0, 0, r);
    max = r[0];
    if (max < 1)
        return 0;
    cpuid(1, 0, r);
    if (r[3] & (1u << 26))
        f |= CAPTLS_CPU_SSE2;
    if (r[2] & (1u << 9))
        f |= CAPTLS_CPU_SSSE3;
    if (r[2] & (1u << 19))
        f |= CAPTLS_CPU_SSE41;
    if (r[2] & (1u << 25))
        f |= CAPTLS_CPU_AESNI;
    if (r[2] & (1u << 1))
        f |= CAPTLS_CPU_PCLMUL;
    /* Intel SDM Vol. 1 §14.3: AVX is usable only when CPUID.1:ECX.OSXSAVE
     * (bit 27) is set and XCR0 enables both XMM (bit 1) and YMM (bit 2)
     * state; without OSXSAVE xgetbv itself would fault. */
    if ((r[2] & (1u << 27)) && (r[2] & (1u << 28))) {
        uint64_t xcr0 = xgetbv0();

        os_ymm = (xcr0 & 6u) == 6u;
        /* §15.2: AVX-512 also needs opmask (bit 5), ZMM_Hi256 (bit 6)
         * and Hi16_ZMM (bit 7) state enabled. */
        os_zmm = (xcr0 & 0xe6u) == 0xe6u;
    }
    if (os_ymm)
        f |= CAPTLS_CPU_AVX;
    if (max >= 7) {
        cpuid(7, 0, r);
        if (os_ymm && (r[1] & (1u << 5)))
            f |= CAPTLS_CPU_AVX2;
        if (os_zmm && (r[1] & (1u << 16)))
            f |= CAPTLS_CPU_AVX512F;
        if (os_zmm && (r[1] & (1u << 21)))
            f |= CAPTLS_CPU_AVX512IFMA;
        if (r[1] & (1u << 8))
            f |= CAPTLS_CPU_BMI2;
        if (r[1] & (1u << 19))
            f |= CAPTLS_CPU_ADX;
        if (r[1] & (1u << 29))
            f |= CAPTLS_CPU_SHA;
    }
    return f;
}
#else
static uint32_t probe(void)
{
    return 0;
}
#endif

uint32_t captls_cpu_detected(void)
{
    uint32_t d = __atomic_load_n(&detected_bits, __ATOMIC_RELAXED);

    if (!(d & DETECTED_VALID)) {
        d = probe() | DETECTED_VALID;
        __atomic_store_n(&detected_bits, d, __ATOMIC_RELAXED);
    }
    return d & ~DETECTED_VALID;
}

bool captls_cpu_portable(void)
{
#ifdef CAPTLS_PORTABLE_CRYPTO
    return true;
#else
    return __atomic_load_n(&forced_portable, __ATOMIC_RELAXED) != 0;
#endif
}

void captls_cpu_set_portable(bool portable)
{
    __atomic_store_n(&forced_portable, portable ? 1 : 0, __ATOMIC_RELAXED);
}

void captls_cpu_set_masked(uint32_t bits)
{
    __atomic_store_n(&masked_bits, bits, __ATOMIC_RELAXED);
}

uint32_t captls_cpu_features(void)
{
    if (captls_cpu_portable())
        return 0;
    return captls_cpu_detected() &
           ~__atomic_load_n(&masked_bits, __ATOMIC_RELAXED);
}

bool captls_cpu_has(uint32_t mask)
{
    return (captls_cpu_features() & mask) == mask;
}

/* BearSSL's *_get() functions run CPUID themselves on every call: ask them
 * once. 0 = not asked, 1 = filled. */
static captls_cpu_br_impls br_impls;
static int br_impls_state;

const captls_cpu_br_impls *captls_cpu_br(void)
{
    static const captls_cpu_br_impls none = {0, 0, NULL, 0};

    if (captls_cpu_portable())
        return &none;
    if (!__atomic_load_n(&br_impls_state, __ATOMIC_ACQUIRE)) {
        br_impls.chacha = br_chacha20_sse2_get();
        br_impls.poly = br_poly1305_ctmulq_get();
        br_impls.aes = br_aes_x86ni_ctr_get_vtable();
        br_impls.ghash = br_ghash_pclmul_get();
        __atomic_store_n(&br_impls_state, 1, __ATOMIC_RELEASE);
    }
    return &br_impls;
}
