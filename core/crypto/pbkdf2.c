/* core/crypto/pbkdf2.c — PBKDF2-HMAC. See pbkdf2.h. */
#include "core/crypto/pbkdf2.h"

#include <string.h>

#include "core/base/ct.h"

captls_result captls_pbkdf2_hmac(captls_hash_alg alg, const uint8_t *password,
                                 size_t password_len, const uint8_t *salt,
                                 size_t salt_len, uint32_t iterations,
                                 uint8_t *out, size_t out_len)
{
    const br_hash_class *vt = captls_hash_vtable(alg);
    size_t hlen = captls_hash_size(alg);
    br_hmac_key_context key;
    br_hmac_context mac;
    uint8_t u[CAPTLS_HASH_MAX_SIZE], t[CAPTLS_HASH_MAX_SIZE];
    uint32_t block = 1;
    size_t done = 0;

    if (vt == NULL || hlen == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if ((password == NULL && password_len > 0) ||
        (salt == NULL && salt_len > 0) || out == NULL || out_len == 0 ||
        iterations == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 8018 §5.2 step 1: dkLen > (2^32 - 1) * hLen -> "derived key too
     * long". */
    if (out_len / hlen >= 0xFFFFFFFFu)
        return CAPTLS_ERR_INVALID_ARGUMENT;

    /* The key (password) is the same for every HMAC: its padded states are
     * computed once, each HMAC then starts from them. */
    br_hmac_key_init(&key, vt, password, password_len);
    while (done < out_len) {
        /* RFC 8018 §5.2 step 3: T_i = U_1 ^ U_2 ^ ... ^ U_c,
         * U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}). */
        uint8_t be[4] = {(uint8_t)(block >> 24), (uint8_t)(block >> 16),
                         (uint8_t)(block >> 8), (uint8_t)block};
        size_t n = out_len - done < hlen ? out_len - done : hlen;

        br_hmac_init(&mac, &key, 0);
        br_hmac_update(&mac, salt, salt_len);
        br_hmac_update(&mac, be, 4);
        br_hmac_out(&mac, u);
        memcpy(t, u, hlen);
        for (uint32_t j = 1; j < iterations; j++) {
            br_hmac_init(&mac, &key, 0);
            br_hmac_update(&mac, u, hlen);
            br_hmac_out(&mac, u);
            for (size_t k = 0; k < hlen; k++)
                t[k] ^= u[k];
        }
        memcpy(out + done, t, n);
        done += n;
        block++;
    }
    captls_zeroize(&key, sizeof key);
    captls_zeroize(&mac, sizeof mac);
    captls_zeroize(u, sizeof u);
    captls_zeroize(t, sizeof t);
    return CAPTLS_OK;
}
