/* Differential fuzz harness: SHA-256, SHA-384 and SHA-512 and their HMACs
 * on the fast paths (SHA-NI, core/crypto/sha256_ni.h; the AVX2 schedule of
 * core/crypto/sha512_avx2.h; each when the CPU has it) against the
 * portable path (BearSSL's br_sha256/384/512) forced through cpu.h. Input:
 * SPLIT(2) KEYLEN(1) then the message; the key is the first KEYLEN message
 * bytes; the hash is the message length mod 3.
 * The message is hashed one-shot and in two pieces split at SPLIT; every
 * digest must be identical on both paths; any difference aborts. There
 * are no intended differences. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/cpu.h"
#include "core/crypto/hash.h"
#include "core/crypto/hmac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void digests(captls_hash_alg alg, const uint8_t *msg, size_t len,
                    size_t split, size_t klen,
                    uint8_t out[3][CAPTLS_HASH_MAX_SIZE])
{
    captls_hash_ctx c;
    captls_hmac_ctx h;

    if (captls_hash(alg, msg, len, out[0]) != CAPTLS_OK ||
        captls_hash_init(&c, alg) != CAPTLS_OK ||
        captls_hmac_init(&h, alg, msg, klen) != CAPTLS_OK)
        abort();
    captls_hash_update(&c, msg, split);
    captls_hash_update(&c, msg + split, len - split);
    (void)captls_hash_final(&c, out[1]);
    captls_hmac_update(&h, msg, split);
    captls_hmac_update(&h, msg + split, len - split);
    (void)captls_hmac_final(&h, out[2]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t fast[3][CAPTLS_HASH_MAX_SIZE], port[3][CAPTLS_HASH_MAX_SIZE];
    size_t split, klen, len;
    const uint8_t *msg;

    if (size < 3)
        return 0;
    /* a hash fills 32 or 48 of the 64 bytes per slot: the rest stays 0 */
    memset(fast, 0, sizeof fast);
    memset(port, 0, sizeof port);
    msg = data + 3;
    len = size - 3;
    split = ((size_t)data[0] << 8 | data[1]) % (len + 1);
    klen = data[2] % (len + 1);
    static const captls_hash_alg algs[3] = {
        CAPTLS_HASH_SHA256, CAPTLS_HASH_SHA384, CAPTLS_HASH_SHA512};
    captls_hash_alg alg = algs[len % 3];
    captls_cpu_set_portable(false);
    digests(alg, msg, len, split, klen, fast);
    captls_cpu_set_portable(true);
    digests(alg, msg, len, split, klen, port);
    captls_cpu_set_portable(false);
    if (memcmp(fast, port, sizeof fast) != 0)
        abort();
    if (memcmp(fast[0], fast[1], CAPTLS_HASH_MAX_SIZE) != 0)
        abort();
    return 0;
}
