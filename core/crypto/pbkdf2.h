/* core/crypto/pbkdf2.h — PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-256/384/512.
 *
 * Contract: all memory is the caller's; nothing is kept. The password and
 * every intermediate value (the HMAC key states, U_i, T_i) are wiped before
 * return on every path. The running time depends on the iteration count,
 * the output length and the lengths of password and salt, never on their
 * contents. Failure modes: CAPTLS_ERR_INVALID_ARGUMENT (NULL pointers with
 * a nonzero length, iterations 0, out_len 0 or above (2^32 - 1) * hLen),
 * CAPTLS_ERR_UNSUPPORTED (hash not SHA-2); nothing is written to out on
 * failure. Not checked: that the iteration count is high enough — callers
 * (core/gateway/credential_store.h) apply their own floor.
 */
#ifndef CAPTLS_CRYPTO_PBKDF2_H
#define CAPTLS_CRYPTO_PBKDF2_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/hash.h"

CAPTLS_MUST_CHECK captls_result captls_pbkdf2_hmac(captls_hash_alg alg,
                                                   const uint8_t *password,
                                                   size_t password_len,
                                                   const uint8_t *salt,
                                                   size_t salt_len,
                                                   uint32_t iterations,
                                                   uint8_t *out, size_t out_len);

#endif
