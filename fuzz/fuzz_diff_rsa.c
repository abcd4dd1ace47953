/* Differential fuzz harness: the 64-bit RSA code (core/crypto/rsa_fast.c,
 * with the AVX-512 IFMA CRT halves where the CPU has them, with the
 * BMI2/ADX rows where it has those, and with the portable C rows) against
 * the BearSSL fallback, through the public entry points of
 * core/crypto/rsa.h, on two fixed keys (fuzz/rsa_test_keys.h: 2048 and
 * 3072 bits). Input: OP(1) then
 *   OP%4 == 0  PKCS#1 v1.5 sign: HASH(1) MSG(rest) — deterministic:
 *              byte-equal on every path, and it verifies;
 *   OP%4 == 1  PSS sign: HASH(1) SALTLEN(1) SALT/MSG(rest) — the salt is
 *              taken from the input, so the signature is deterministic
 *              too (the blinding never changes the result);
 *   OP%4 == 2  verify: HASH(1) SIG(k, zero-padded): PKCS#1 and PSS
 *              (salt = hash length) verdicts equal on every path; with OP
 *              bit 7 the signature is n + SIG's first byte (>= n), which
 *              every path must refuse;
 *   OP%4 == 3  sign then verify with a bit flipped at FLIP(2): the
 *              unflipped signature verifies and the flipped one gets the
 *              same verdict on every path.
 * OP bit 6 picks the 3072-bit key. Every path must give the same result
 * code and the same bytes; any difference aborts. Builds for libFuzzer
 * and AFL++. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/rsa.h"
#include "core/crypto/rsa_fast.h"
#include "core/crypto/rsa_key.h"
#include "fuzz/rsa_test_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPATHS 4

/* Path 0: BearSSL; 1: 64-bit, portable rows; 2: 64-bit, ADX if any (IFMA
 * off); 3: everything the CPU has (IFMA if any). On a CPU without a
 * feature two paths coincide. */
static void set_path(int p)
{
    captls_rsa_force_bearssl(p == 0);
    captls_rsa_force_portable(p == 1);
    captls_rsa_force_no_ifma(p != 3);
}

static captls_rsa_private_key keys[2];
static bool loaded;

static void load(void)
{
    if (loaded)
        return;
    if (captls_rsa_key_parse_pkcs1(fuzz_rsa2048_der, sizeof fuzz_rsa2048_der,
                                   &keys[0], NULL) != CAPTLS_OK ||
        captls_rsa_key_parse_pkcs1(fuzz_rsa3072_der, sizeof fuzz_rsa3072_der,
                                   &keys[1], NULL) != CAPTLS_OK ||
        !captls_rsa_fast_priv_ready(&keys[0]) ||
        !captls_rsa_fast_priv_ready(&keys[1]))
        abort();
    loaded = true;
}

static captls_hash_alg hash_of(uint8_t b)
{
    static const captls_hash_alg h[4] = {CAPTLS_HASH_SHA256,
                                         CAPTLS_HASH_SHA384,
                                         CAPTLS_HASH_SHA512, CAPTLS_HASH_NONE};
    return h[b & 3];
}

typedef struct out {
    captls_result r, v1, v2;
    uint8_t sig[CAPTLS_RSA_MAX_BYTES];
    size_t len;
} out;

static void run(int path, const captls_rsa_private_key *k, uint8_t op,
                captls_hash_alg h, const uint8_t *p, size_t n, out *o)
{
    const captls_rsa_public_key *pub = &k->pub;
    size_t kl = pub->n_len, hl = captls_hash_size(h);

    set_path(path);
    memset(o, 0, sizeof *o);
    switch (op & 3) {
    case 0:
        o->r = captls_rsa_pkcs1_sign(k, h, p, n, o->sig, sizeof o->sig,
                                     &o->len);
        if (o->r == CAPTLS_OK)
            o->v1 = captls_rsa_pkcs1_verify(pub, h, p, n, o->sig, o->len);
        if (o->r == CAPTLS_OK && o->v1 != CAPTLS_OK)
            abort();
        break;
    case 1: {
        size_t salt = n > 0 ? p[0] : 0;
        const uint8_t *msg = n > 0 ? p + 1 : p;
        size_t mlen = n > 0 ? n - 1 : 0;
        if (salt > mlen)
            salt = mlen;
        o->r = captls_rsa_pss_sign(k, h, h, msg, salt, msg + salt,
                                   mlen - salt, o->sig, sizeof o->sig,
                                   &o->len);
        if (o->r == CAPTLS_OK)
            o->v1 = captls_rsa_pss_verify(pub, h, h, salt, msg + salt,
                                          mlen - salt, o->sig, o->len);
        if (o->r == CAPTLS_OK && o->v1 != CAPTLS_OK)
            abort();
        break;
    }
    case 2: {
        uint8_t sig[CAPTLS_RSA_MAX_BYTES];
        memset(sig, 0, kl);
        memcpy(sig, p, n < kl ? n : kl);
        if (op & 0x80) {
            /* n + small: at least the modulus (the top bit cannot
             * overflow: n + 255 < 2^(8k) as n's top byte is not 0xff
             * for these keys) */
            unsigned c = n > 0 ? p[0] : 0;
            memcpy(sig, pub->n, kl);
            for (size_t i = kl; i-- > 0 && c;) {
                c += sig[i];
                sig[i] = (uint8_t)c;
                c >>= 8;
            }
        }
        o->v1 = captls_rsa_pkcs1_verify(pub, h, p, n, sig, kl);
        o->v2 = captls_rsa_pss_verify(pub, h, h, hl, p, n, sig, kl);
        if ((op & 0x80) && (o->v1 == CAPTLS_OK || o->v2 == CAPTLS_OK))
            abort();
        break;
    }
    default: {
        size_t flip = n >= 2 ? ((size_t)p[0] << 8 | p[1]) : 0;
        o->r = captls_rsa_pkcs1_sign(k, h, p, n, o->sig, sizeof o->sig,
                                     &o->len);
        if (o->r != CAPTLS_OK)
            break;
        if (captls_rsa_pkcs1_verify(pub, h, p, n, o->sig, o->len) !=
            CAPTLS_OK)
            abort();
        o->sig[(flip / 8) % o->len] ^= (uint8_t)(1u << (flip % 8));
        o->v1 = captls_rsa_pkcs1_verify(pub, h, p, n, o->sig, o->len);
        o->v2 = captls_rsa_pss_verify(pub, h, h, CAPTLS_RSA_PSS_SALT_AUTO,
                                      p, n, o->sig, o->len);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static out o[NPATHS];

    if (size < 2 || size > 1024)
        return 0;
    load();
    uint8_t op = data[0];
    const captls_rsa_private_key *k = &keys[(op >> 6) & 1];
    captls_hash_alg h = hash_of(data[1]);
    for (int p = 0; p < NPATHS; p++)
        run(p, k, op, h, data + 2, size - 2, &o[p]);
    set_path(3);
    for (int p = 1; p < NPATHS; p++)
        if (o[p].r != o[0].r || o[p].v1 != o[0].v1 || o[p].v2 != o[0].v2 ||
            o[p].len != o[0].len || memcmp(o[p].sig, o[0].sig, o[0].len) != 0)
            abort();
    return 0;
}
