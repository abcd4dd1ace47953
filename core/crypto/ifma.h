/* core/crypto/ifma.h — the AVX-512 IFMA building blocks shared by the
 * radix-2^52 RSA (rsa_ifma.c) and the radix-2^44 Poly1305
 * (poly1305_ifma.c); internal to core/crypto.
 *
 * Contract: v8du is eight 64-bit lanes (gcc/clang vector extension);
 * madd52lo(acc, a, b) = acc + low 52 bits of a * b, madd52hi(acc, a, b) =
 * acc + bits 52..103 of a * b, per lane, reading only the low 52 bits of a
 * and b (vpmadd52luq / vpmadd52huq through inline assembly: the builtins
 * differ between gcc and clang, and <immintrin.h> would pull libc
 * headers into the freestanding core). Only for functions marked
 * CAPTLS_IFMA_TARGET, called ONLY when captls_cpu_has(CAPTLS_CPU_AVX512F |
 * CAPTLS_CPU_AVX512IFMA). Data-independent timing (the instructions have
 * fixed latency).
 */
#ifndef CAPTLS_CRYPTO_IFMA_H
#define CAPTLS_CRYPTO_IFMA_H

#include <stdint.h>

typedef uint64_t captls_v8du __attribute__((vector_size(64)));

#define CAPTLS_IFMA_TARGET __attribute__((target("avx512f,avx512ifma")))
#define CAPTLS_IFMA_INLINE \
    CAPTLS_IFMA_TARGET static inline __attribute__((always_inline))

CAPTLS_IFMA_INLINE captls_v8du captls_madd52lo(captls_v8du acc,
                                               captls_v8du a, captls_v8du b)
{
    __asm__("vpmadd52luq %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

CAPTLS_IFMA_INLINE captls_v8du captls_madd52hi(captls_v8du acc,
                                               captls_v8du a, captls_v8du b)
{
    __asm__("vpmadd52huq %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

#endif
