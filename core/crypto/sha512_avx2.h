/* core/crypto/sha512_avx2.h — SHA-384 and SHA-512 (FIPS 180-4 §6.4-6.5)
 * with the message schedule in AVX2 vectors beside scalar rounds on BMI2
 * rorx, as BearSSL hash classes (internal to core/crypto).
 *
 * Contract: captls_sha384_avx2_vtable and captls_sha512_avx2_vtable are
 * br_hash_class objects whose context is a br_sha384_context (=
 * br_sha512_context) with the same meaning of every field (buf, count,
 * val), the same descriptor and the same state()/set_state() encoding as
 * br_sha384_vtable / br_sha512_vtable, so HMAC, HKDF and the hash facade
 * use them unchanged and a copy of a context forks the hash. Their
 * functions execute AVX2 and BMI2 instructions: use them ONLY when
 * captls_cpu_has(CAPTLS_SHA512_AVX2_NEEDS); captls_hash_vtable() does that
 * check. CAPTLS_SHA512_AVX2 is 0 where the path cannot be built (not
 * x86-64 gcc/clang, -DCAPTLS_PORTABLE_CRYPTO) and then nothing is
 * declared. Nothing fails; timing depends on lengths only. Not checked:
 * the 2^64-byte length limit (as BearSSL).
 */
#ifndef CAPTLS_CRYPTO_SHA512_AVX2_H
#define CAPTLS_CRYPTO_SHA512_AVX2_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "core/crypto/cpu.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CAPTLS_PORTABLE_CRYPTO)
#define CAPTLS_SHA512_AVX2 1
#else
#define CAPTLS_SHA512_AVX2 0
#endif

#define CAPTLS_SHA512_AVX2_NEEDS (CAPTLS_CPU_AVX2 | CAPTLS_CPU_BMI2)

#if CAPTLS_SHA512_AVX2
extern const br_hash_class captls_sha384_avx2_vtable;
extern const br_hash_class captls_sha512_avx2_vtable;

/* Runs the compression function over n 128-byte blocks. */
void captls_sha512_avx2_blocks(uint64_t state[8], const uint8_t *blocks,
                               size_t n);
#endif

#endif
