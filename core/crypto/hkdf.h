/* core/crypto/hkdf.h — HKDF (RFC 5869) and the TLS 1.3 key schedule
 * helpers HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1).
 *
 * Contract: stateless functions over caller-owned buffers; every secret
 * intermediate (HMAC states, T(i) blocks, the HkdfLabel) is wiped before
 * return on every path. Outputs may not overlap inputs.
 * Failure modes (nothing is written to the output on any error):
 *   CAPTLS_ERR_UNSUPPORTED       unknown hash;
 *   CAPTLS_ERR_LIMIT_EXCEEDED    L > 255*HashLen (RFC 5869 §2.3), or an
 *                                Expand-Label length > 65535;
 *   CAPTLS_ERR_INVALID_ARGUMENT  PRK shorter than HashLen (RFC 5869 §2.3
 *                                "PRK: a pseudorandom key of at least HashLen
 *                                octets"), Expand-Label label empty or longer
 *                                than 249 bytes, context longer than 255
 *                                (RFC 8446 §7.1 HkdfLabel vectors
 *                                label<7..255> incl. "tls13 ",
 *                                context<0..255>), or a secret whose length
 *                                is not HashLen for the TLS helpers.
 * Not checked: that PRK actually is pseudorandom; that labels are the ones
 * RFC 8446 defines (any bytes are accepted).
 */
#ifndef CAPTLS_CRYPTO_HKDF_H
#define CAPTLS_CRYPTO_HKDF_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/hash.h"

#define CAPTLS_HKDF_LABEL_MAX 249   /* 255 - strlen("tls13 ") */
#define CAPTLS_HKDF_CONTEXT_MAX 255

/* PRK = HMAC-Hash(salt, IKM); writes captls_hash_size(alg) bytes.
 * salt may be NULL/0: RFC 5869 §2.2 then uses HashLen zero bytes. */
CAPTLS_MUST_CHECK captls_result captls_hkdf_extract(
    captls_hash_alg alg, const uint8_t *salt, size_t salt_len,
    const uint8_t *ikm, size_t ikm_len, uint8_t prk[CAPTLS_HASH_MAX_SIZE]);

/* OKM = first out_len bytes of T(1)|T(2)|..., RFC 5869 §2.3. */
CAPTLS_MUST_CHECK captls_result captls_hkdf_expand(
    captls_hash_alg alg, const uint8_t *prk, size_t prk_len,
    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

/* RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, Context, Length), where
 * label excludes the "tls13 " prefix (pass "key", "iv", "c hs traffic").
 * secret_len must be HashLen. */
CAPTLS_MUST_CHECK captls_result captls_hkdf_expand_label(
    captls_hash_alg alg, const uint8_t *secret, size_t secret_len,
    const char *label, size_t label_len, const uint8_t *context,
    size_t context_len, uint8_t *out, size_t out_len);

/* RFC 8446 §7.1 Derive-Secret(Secret, Label, Messages) =
 * HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length),
 * given the transcript hash (HashLen bytes; for "derived" that is the hash
 * of the empty string). Writes HashLen bytes. */
CAPTLS_MUST_CHECK captls_result captls_hkdf_derive_secret(
    captls_hash_alg alg, const uint8_t *secret, size_t secret_len,
    const char *label, size_t label_len, const uint8_t *transcript_hash,
    size_t transcript_hash_len, uint8_t out[CAPTLS_HASH_MAX_SIZE]);

#endif
