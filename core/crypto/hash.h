/* core/crypto/hash.h — SHA-256/384/512 behind one enum (FIPS 180-4).
 *
 * Contract: every context is caller-owned, fixed size, holds no pointer to
 * caller memory and may be copied (a copy forks the running hash — the TLS
 * transcript does that). SHA-256 runs on the x86 SHA extensions
 * (sha256_ni.h) when cpu.h reports them and the portable path is not
 * forced, else on BearSSL's portable code, as do SHA-384/512; the choice is
 * made at init and kept by the context (and by HMAC contexts through the
 * vtable). Both give the same digests.
 * Failure modes: an unknown algorithm value is CAPTLS_ERR_UNSUPPORTED from
 * the functions that return a result, and size 0 from captls_hash_size();
 * nothing else can fail. Not checked: the 2^64-bit (SHA-256) / 2^128-bit
 * message length limits (unreachable with size_t counts in practice);
 * calling update/final on a context that was never initialised.
 * captls_hash_final() wipes the context; a context abandoned without final
 * should be wiped with captls_hash_ctx_wipe() if the input was secret.
 */
#ifndef CAPTLS_CRYPTO_HASH_H
#define CAPTLS_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "core/base/result.h"

typedef enum captls_hash_alg {
    CAPTLS_HASH_NONE = 0,
    CAPTLS_HASH_SHA256 = 1,
    CAPTLS_HASH_SHA384 = 2,
    CAPTLS_HASH_SHA512 = 3,
} captls_hash_alg;

#define CAPTLS_HASH_MAX_SIZE 64   /* SHA-512 output */
#define CAPTLS_HASH_MAX_BLOCK 128 /* SHA-384/512 block */

typedef struct captls_hash_ctx {
    br_hash_compat_context br; /* vtable first: BearSSL's polymorphic form */
    captls_hash_alg alg;
} captls_hash_ctx;

/* Output size in bytes (32, 48, 64), or 0 for an unknown algorithm. */
size_t captls_hash_size(captls_hash_alg alg);

/* Block size in bytes (64 or 128), or 0 for an unknown algorithm. */
size_t captls_hash_block_size(captls_hash_alg alg);

/* BearSSL vtable behind alg, or NULL. For the facade's own files (HMAC,
 * HKDF, ECDSA, RSA); callers outside core/crypto use the functions below. */
const br_hash_class *captls_hash_vtable(captls_hash_alg alg);

/* Starts a hash. CAPTLS_ERR_UNSUPPORTED (ctx wiped) for an unknown alg. */
CAPTLS_MUST_CHECK captls_result captls_hash_init(captls_hash_ctx *ctx,
                                                 captls_hash_alg alg);

/* Absorbs len bytes (data may be NULL when len == 0). */
void captls_hash_update(captls_hash_ctx *ctx, const void *data, size_t len);

/* Writes the digest of everything absorbed so far (captls_hash_size bytes)
 * without ending the hash: more updates may follow. Returns the size. */
size_t captls_hash_peek(const captls_hash_ctx *ctx,
                        uint8_t out[CAPTLS_HASH_MAX_SIZE]);

/* Writes the digest, then wipes the context. Returns the size. */
size_t captls_hash_final(captls_hash_ctx *ctx,
                         uint8_t out[CAPTLS_HASH_MAX_SIZE]);

/* Wipes a context (for one abandoned before final). */
void captls_hash_ctx_wipe(captls_hash_ctx *ctx);

/* One-shot digest of msg into out (captls_hash_size(alg) bytes written).
 * CAPTLS_ERR_UNSUPPORTED and nothing written for an unknown alg. */
CAPTLS_MUST_CHECK captls_result captls_hash(captls_hash_alg alg,
                                            const void *msg, size_t len,
                                            uint8_t out[CAPTLS_HASH_MAX_SIZE]);

#endif
