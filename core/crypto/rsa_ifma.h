/* core/crypto/rsa_ifma.h — the private exponentiation of an RSA CRT half in
 * radix 2^52 with AVX-512 IFMA (vpmadd52luq / vpmadd52huq), internal to
 * core/crypto (rsa_fast.c picks it through cpu.h).
 *
 * Contract: captls_rsa_ifma_pow(jobs, njobs, bits, nl) sets, for each of
 * njobs (1 or 2) jobs, r = x^d mod m for an odd modulus m of nl 64-bit
 * limbs (nl at most CAPTLS_RSA_MAX_FACTOR_LIMBS), x < m, d secret with at
 * most `bits` bits (public, the same for both jobs), m0inv = -m^-1 mod
 * 2^64 and rr52 = 2^(104 NL) mod m with NL = CAPTLS_RSA_IFMA_LIMBS(nl),
 * all in 64-bit little-endian limbs; r may alias x. Two jobs (the two CRT
 * halves) run interleaved where they fit the registers (1024-bit moduli),
 * one after the other otherwise. Everything is on the stack (about 22 KiB)
 * and wiped before return. Nothing can fail: the caller checks the sizes.
 *
 * Arithmetic: NL limbs of 52 bits in 64-bit lanes, eight per 512-bit
 * vector, R = 2^(52 NL) >= 4m so that Montgomery products of values below
 * 2m stay below 2m without a subtraction (almost Montgomery
 * multiplication); a fixed 5-bit window whose table entry is read with
 * masks over the whole table; one conditional subtraction at the end.
 * Constant time in x and d: no branch or memory index depends on them.
 * Executes AVX-512F and AVX-512 IFMA instructions: call it ONLY when
 * captls_cpu_has(CAPTLS_CPU_AVX512F | CAPTLS_CPU_AVX512IFMA).
 * CAPTLS_RSA_IFMA is 0 where it cannot be built (not x86-64 gcc/clang,
 * -DCAPTLS_PORTABLE_CRYPTO) and then nothing is declared.
 */
#ifndef CAPTLS_CRYPTO_RSA_IFMA_H
#define CAPTLS_CRYPTO_RSA_IFMA_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CAPTLS_PORTABLE_CRYPTO)
#define CAPTLS_RSA_IFMA 1
#else
#define CAPTLS_RSA_IFMA 0
#endif

/* 52-bit limbs for a modulus of nl 64-bit limbs: 52 NL >= 64 nl + 2, so
 * that R = 2^(52 NL) >= 4m and the 64-bit value fits. */
#define CAPTLS_RSA_IFMA_LIMBS(nl) ((64 * (size_t)(nl) + 2 + 51) / 52)

#if CAPTLS_RSA_IFMA
typedef struct captls_rsa_ifma_job {
    uint64_t *r;
    const uint64_t *x, *d, *m, *rr52;
    uint64_t m0inv;
} captls_rsa_ifma_job;

void captls_rsa_ifma_pow(const captls_rsa_ifma_job *jobs, size_t njobs,
                         size_t bits, size_t nl);
#endif

#endif
