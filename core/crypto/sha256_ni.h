/* core/crypto/sha256_ni.h — SHA-256 (FIPS 180-4 §6.2) on the x86 SHA
 * extensions, as a BearSSL hash class (internal to core/crypto).
 *
 * Contract: captls_sha256_ni_vtable is a br_hash_class whose context is a
 * br_sha256_context with the same meaning of every field (buf, count, val)
 * and the same state()/set_state() encoding as br_sha256_vtable, so HMAC
 * (br_hmac_key_init / br_hmac_init) and the hash facade use it unchanged,
 * and a copy of a context forks the hash. Its functions execute SHA-NI,
 * SSSE3 and SSE4.1 instructions: use it ONLY when
 * captls_cpu_has(CAPTLS_SHA256_NI_NEEDS) (cpu.h); captls_hash_vtable()
 * does that check. On builds where the path cannot exist (not x86-64, not
 * gcc/clang, -DCAPTLS_PORTABLE_CRYPTO) CAPTLS_SHA256_NI is 0 and nothing is
 * declared. Nothing here fails; nothing is secret-dependent in timing
 * (SHA-256 has no table lookups or data-dependent branches; the buffering
 * depends only on lengths). Not checked: the 2^64-bit length limit.
 */
#ifndef CAPTLS_CRYPTO_SHA256_NI_H
#define CAPTLS_CRYPTO_SHA256_NI_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "core/crypto/cpu.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CAPTLS_PORTABLE_CRYPTO)
#define CAPTLS_SHA256_NI 1
#else
#define CAPTLS_SHA256_NI 0
#endif

#define CAPTLS_SHA256_NI_NEEDS \
    (CAPTLS_CPU_SHA | CAPTLS_CPU_SSSE3 | CAPTLS_CPU_SSE41)

#if CAPTLS_SHA256_NI
extern const br_hash_class captls_sha256_ni_vtable;

/* Runs the compression function over n 64-byte blocks. */
void captls_sha256_ni_blocks(uint32_t state[8], const uint8_t *blocks,
                             size_t n);
#endif

#endif
