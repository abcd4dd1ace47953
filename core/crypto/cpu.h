/* core/crypto/cpu.h — runtime CPU dispatch for the crypto fast paths, in
 * one place.
 *
 * Contract: captls_cpu_features() returns the CAPTLS_CPU_* bits this CPU
 * reports AND the OS has enabled (AVX/AVX2 need CPUID.1:ECX.OSXSAVE and
 * XCR0 bits 1-2, i.e. the kernel saves YMM state), minus everything when
 * the portable path is forced. CPUID runs once per process (it traps to
 * the hypervisor on a VM); racing threads compute the same value, so a race
 * only repeats the work. A fast path is picked only when every bit it
 * needs is present: captls_cpu_has(mask) is true iff ALL bits of mask are.
 *
 * Forcing the portable path (BearSSL's portable constant-time code and our
 * own portable C everywhere):
 *   - at build time: -DCAPTLS_PORTABLE_CRYPTO (features are always 0 and no
 *     CPUID is executed);
 *   - at run time: captls_cpu_set_portable(true). The core never reads the
 *     environment: the POSIX port calls this at startup when
 *     CAPTLS_CRYPTO=portable (captls_posix_crypto_from_env, posix_port.h);
 *     tests call it directly to run both paths in one process.
 * Stepping down one tier (the AVX2 paths on an AVX-512 machine, so that
 * every tier can be tested on one CPU): captls_cpu_set_masked(bits) hides
 * those feature bits from captls_cpu_features(); the POSIX port sets
 * CAPTLS_CPU_AVX512F | CAPTLS_CPU_AVX512IFMA when CAPTLS_CRYPTO=no-avx512,
 * CAPTLS_CPU_AVX512IFMA when CAPTLS_CRYPTO=no-ifma.
 * The setters are for startup and tests: contexts initialised before a
 * change keep the implementation they were given (every context records
 * its choice at init), so flipping it while other threads run is safe but
 * only affects later inits.
 *
 * The cached BearSSL implementation choices for the AEADs (AES-NI CTR,
 * PCLMUL GHASH, ChaCha20 SSE2, Poly1305 ctmulq) live here too:
 * captls_cpu_br_impls() returns NULL members when the portable path is
 * forced or the CPU lacks them.
 *
 * Adding a path: add a CAPTLS_CPU_* bit, set it in cpu.c from the CPUID
 * bit(s) of every instruction the path uses, and test captls_cpu_has()
 * at the call site. Nothing here can fail. Non-x86-64 builds report 0.
 */
#ifndef CAPTLS_CRYPTO_CPU_H
#define CAPTLS_CRYPTO_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include <bearssl.h>

#define CAPTLS_CPU_SSE2 (1u << 0)   /* CPUID.1:EDX[26] */
#define CAPTLS_CPU_SSSE3 (1u << 1)  /* CPUID.1:ECX[9] */
#define CAPTLS_CPU_SSE41 (1u << 2)  /* CPUID.1:ECX[19] */
#define CAPTLS_CPU_AESNI (1u << 3)  /* CPUID.1:ECX[25] */
#define CAPTLS_CPU_PCLMUL (1u << 4) /* CPUID.1:ECX[1] */
#define CAPTLS_CPU_AVX (1u << 5)    /* CPUID.1:ECX[28] + OS YMM state */
#define CAPTLS_CPU_AVX2 (1u << 6)   /* CPUID.7.0:EBX[5] + AVX */
#define CAPTLS_CPU_BMI2 (1u << 7)   /* CPUID.7.0:EBX[8] (mulx) */
#define CAPTLS_CPU_ADX (1u << 8)    /* CPUID.7.0:EBX[19] (adcx, adox) */
#define CAPTLS_CPU_SHA (1u << 9)    /* CPUID.7.0:EBX[29] (SHA-NI) */
#define CAPTLS_CPU_AVX512F (1u << 10) /* CPUID.7.0:EBX[16] + OS ZMM state */
#define CAPTLS_CPU_AVX512IFMA (1u << 11) /* CPUID.7.0:EBX[21] + ZMM state */

/* The usable feature bits (0 when the portable path is forced). */
uint32_t captls_cpu_features(void);

/* True iff every bit of mask is usable. */
bool captls_cpu_has(uint32_t mask);

/* What CPUID reports and the OS enabled, ignoring the portable switch
 * (for tests and logs: "would the fast path run here?"). */
uint32_t captls_cpu_detected(void);

/* Forces (true) or releases (false) the portable path for every later
 * init. Releasing on a -DCAPTLS_PORTABLE_CRYPTO build changes nothing. */
void captls_cpu_set_portable(bool portable);

/* Hides the given CAPTLS_CPU_* bits from captls_cpu_features() for every
 * later init (0 shows everything again). */
void captls_cpu_set_masked(uint32_t bits);

/* True when the portable path is forced (build flag or setter). */
bool captls_cpu_portable(void);

/* BearSSL's CPU-specific AEAD pieces, looked up once. */
typedef struct captls_cpu_br_impls {
    br_chacha20_run chacha;         /* br_chacha20_sse2_get() or 0 */
    br_poly1305_run poly;           /* br_poly1305_ctmulq_get() or 0 */
    const br_block_ctr_class *aes;  /* br_aes_x86ni_ctr_get_vtable() or NULL */
    br_ghash ghash;                 /* br_ghash_pclmul_get() or 0 */
} captls_cpu_br_impls;

/* The BearSSL fast pieces (all members NULL when the portable path is
 * forced). Never NULL itself. */
const captls_cpu_br_impls *captls_cpu_br(void);

#endif
