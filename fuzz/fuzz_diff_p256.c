/* Differential fuzz harness: the 64-bit P-256 code (core/crypto/p256_*.c,
 * with the BMI2/ADX multiplier where the CPU has it and with the portable
 * one) against the BearSSL fallback, through the public entry points of
 * core/crypto/ecdsa.h and core/crypto/p256_ecdh.h. Input: OP(1) then
 *   OP%4 == 0  ECDH: SCALAR(32) POINT(65); with OP bit 7 the point is
 *              replaced by the public key of its first 32 bytes (so that
 *              valid points are common);
 *   OP%4 == 1  public key: SCALAR(32);
 *   OP%4 == 2  sign: SCALAR(32) HASH(1) MSG(rest) — RFC 6979 makes the
 *              signature deterministic: byte-equal on every path;
 *   OP%4 == 3  verify: SCALAR(32) HASH(1) FLIP(2) MSG(rest): a signature
 *              by the BearSSL path under that key, one bit flipped at FLIP
 *              (FLIP = 0xffff: none), or with OP bit 7 the bytes after
 *              HASH taken as a raw DER signature against the point of the
 *              scalar; verdicts (result codes) equal on every path, and
 *              an unflipped signature verifies.
 * Every path must give the same result code and the same output bytes;
 * any difference aborts. Under AddressSanitizer (the libFuzzer build) the
 * ADX multiplier is compiled out (p256_field.h), so the two 64-bit paths
 * coincide there; the AFL++ build has both. Builds for libFuzzer and
 * AFL++. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/ecdsa.h"
#include "core/crypto/p256_ecdh.h"
#include "core/crypto/p256_point.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPATHS 3

/* Path 0: BearSSL; 1: 64-bit, portable field; 2: 64-bit, ADX if any. */
static void set_path(int p)
{
    captls_p256_force_bearssl(p == 0);
#if CAPTLS_P256_FAST
    p256_fe_force_portable(p == 1);
#endif
}

typedef struct outcome {
    captls_result rc;
    uint8_t out[CAPTLS_ECDSA_P256_SIG_MAX];
    size_t len;
} outcome;

static void same(const outcome *o)
{
    for (int p = 1; p < NPATHS; p++)
        if (o[p].rc != o[0].rc || o[p].len != o[0].len ||
            memcmp(o[p].out, o[0].out, o[0].len) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    outcome o[NPATHS];
    uint8_t op, k[32], pt[65];

    if (size < 33)
        return 0;
    op = data[0];
    memcpy(k, data + 1, 32);
    data += 33;
    size -= 33;
    memset(o, 0, sizeof o);
    switch (op & 3) {
    case 0:
        if (op & 0x80) {
            set_path(0);
            if (size < 32 || captls_p256_public(pt, data) != CAPTLS_OK)
                return 0;
        } else {
            if (size < 65)
                return 0;
            memcpy(pt, data, 65);
        }
        for (int p = 0; p < NPATHS; p++) {
            set_path(p);
            o[p].rc = captls_p256_ecdh(o[p].out, k, pt, 65);
            o[p].len = o[p].rc == CAPTLS_OK ? 32 : 0;
        }
        same(o);
        break;
    case 1:
        for (int p = 0; p < NPATHS; p++) {
            set_path(p);
            o[p].rc = captls_p256_public(o[p].out, k);
            o[p].len = o[p].rc == CAPTLS_OK ? 65 : 0;
        }
        same(o);
        break;
    case 2: {
        captls_hash_alg h;

        if (size < 1)
            return 0;
        h = (captls_hash_alg)(1 + data[0] % 3);
        for (int p = 0; p < NPATHS; p++) {
            set_path(p);
            o[p].rc = captls_ecdsa_p256_sign(k, h, data + 1, size - 1,
                                             o[p].out, &o[p].len);
            if (o[p].rc != CAPTLS_OK)
                o[p].len = 0;
        }
        same(o);
        break;
    }
    default: {
        captls_hash_alg h;
        uint8_t sig[CAPTLS_ECDSA_P256_SIG_MAX + 64];
        size_t sig_len, flip;
        const uint8_t *msg;
        size_t msg_len;

        if (size < 3)
            return 0;
        h = (captls_hash_alg)(1 + data[0] % 3);
        flip = (size_t)data[1] << 8 | data[2];
        set_path(0);
        if (captls_ecdsa_p256_public(k, pt) != CAPTLS_OK)
            return 0;
        if (op & 0x80) { /* raw signature bytes, empty message */
            sig_len = size - 3 < sizeof sig ? size - 3 : sizeof sig;
            memcpy(sig, data + 3, sig_len);
            msg = data;
            msg_len = 0;
        } else {
            msg = data + 3;
            msg_len = size - 3;
            if (captls_ecdsa_p256_sign(k, h, msg, msg_len, sig, &sig_len) !=
                CAPTLS_OK)
                abort();
            if (flip != 0xffff)
                sig[(flip / 8) % sig_len] ^= (uint8_t)(1u << (flip % 8));
        }
        for (int p = 0; p < NPATHS; p++) {
            set_path(p);
            o[p].rc = captls_ecdsa_verify(CAPTLS_EC_P256, h, pt, 65, msg,
                                          msg_len, sig, sig_len);
        }
        same(o);
        if (!(op & 0x80) && flip == 0xffff && o[0].rc != CAPTLS_OK)
            abort();
        break;
    }
    }
    set_path(2);
    return 0;
}
