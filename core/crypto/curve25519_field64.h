/* core/crypto/curve25519_field64.h — the X25519 Montgomery ladder on
 * 4×64-bit limbs with BMI2 + ADX (mulx, adcx, adox), internal.
 *
 * Contract. This is the fast path behind captls_x25519 (x25519.c picks it
 * at run time); curve25519_field.h stays the portable arithmetic that every
 * other caller uses and that x25519.c falls back to. Both give identical
 * outputs for every input (test_x25519.c checks it).
 *
 * captls_fe64_supported() returns 1 when this build has the inline-asm
 * path (x86_64, gcc or clang) and the CPU reports BMI2 and ADX (CPUID leaf
 * 7, EBX bits 8 and 19); 0 otherwise. It executes CPUID the first time and
 * caches the answer (a relaxed atomic: concurrent first calls just compute
 * it twice). The answer describes the CPU, not a secret.
 *
 * captls_x25519_ladder64() writes X25519(k, u) in canonical form to out:
 * k must already be clamped (RFC 7748 §5 decodeScalar25519), u is masked
 * to 255 bits and may be non-canonical (>= p). It runs in time independent
 * of k and u (branch-free swaps, no secret-dependent index), keeps nothing,
 * wipes its temporaries and cannot fail; the all-zero check is the
 * caller's. Calling it when captls_fe64_supported() is 0 is undefined
 * (illegal instruction on CPUs without ADX; on other builds it writes
 * zeros). `out` may alias `k` or `u`.
 *
 * Field elements inside are four 64-bit limbs holding any value < 2^256
 * congruent to the element mod p = 2^255 - 19 (reduction folds 2^256 to
 * 38); only the final encoding is fully reduced.
 */
#ifndef CAPTLS_CRYPTO_CURVE25519_FIELD64_H
#define CAPTLS_CRYPTO_CURVE25519_FIELD64_H

#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CAPTLS_FE64_ASM 1
#else
#define CAPTLS_FE64_ASM 0
#endif

int captls_fe64_supported(void);

void captls_x25519_ladder64(uint8_t out[32], const uint8_t k[32],
                            const uint8_t u[32]);

#endif
