/* core/crypto/hmac.h — HMAC (RFC 2104) over SHA-256/384/512.
 *
 * Contract: contexts are caller-owned, fixed size, and hold key-derived
 * secret state (the inner/outer padded-key hash states) but no pointer to
 * the caller's key, which may be wiped right after init. Keys of any length
 * are accepted (RFC 2104 §2: keys longer than the block are hashed first;
 * an empty key is allowed). captls_hmac_final() wipes the context; abandon
 * one without final only after captls_hmac_ctx_wipe().
 * Failure modes: unknown hash → CAPTLS_ERR_UNSUPPORTED, nothing written;
 * captls_hmac_verify() → CAPTLS_ERR_AUTH_FAILED when the tag differs or has
 * a length other than the full hash size (truncated tags are not accepted).
 * The tag comparison is constant time; the tag length is treated as public.
 */
#ifndef CAPTLS_CRYPTO_HMAC_H
#define CAPTLS_CRYPTO_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "core/base/result.h"
#include "core/crypto/hash.h"

typedef struct captls_hmac_ctx {
    br_hmac_key_context key; /* padded-key states: secret */
    br_hmac_context mac;
    captls_hash_alg alg;
} captls_hmac_ctx;

CAPTLS_MUST_CHECK captls_result captls_hmac_init(captls_hmac_ctx *ctx,
                                                 captls_hash_alg alg,
                                                 const void *key,
                                                 size_t key_len);
void captls_hmac_update(captls_hmac_ctx *ctx, const void *data, size_t len);
/* Writes the tag (captls_hash_size(alg) bytes), wipes ctx, returns the size. */
size_t captls_hmac_final(captls_hmac_ctx *ctx,
                         uint8_t out[CAPTLS_HASH_MAX_SIZE]);
void captls_hmac_ctx_wipe(captls_hmac_ctx *ctx);

/* One-shot HMAC; writes captls_hash_size(alg) bytes to out. */
CAPTLS_MUST_CHECK captls_result captls_hmac(captls_hash_alg alg,
                                            const void *key, size_t key_len,
                                            const void *msg, size_t msg_len,
                                            uint8_t out[CAPTLS_HASH_MAX_SIZE]);

/* CAPTLS_OK iff tag (tag_len bytes) is the HMAC of msg under key. */
CAPTLS_MUST_CHECK captls_result captls_hmac_verify(captls_hash_alg alg,
                                                   const void *key,
                                                   size_t key_len,
                                                   const void *msg,
                                                   size_t msg_len,
                                                   const uint8_t *tag,
                                                   size_t tag_len);

#endif
