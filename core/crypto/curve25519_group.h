/* core/crypto/curve25519_group.h — the edwards25519 group, internal.
 *
 * Contract: points live in caller-owned structs (stack); nothing is kept.
 * Coordinates follow ref10 / Hisil–Wong–Carter–Dawson: extended (X:Y:Z:T)
 * with x = X/Z, y = Y/Z, xy = T/Z; "precomp" affine (y+x, y-x, 2dxy) for
 * table entries. captls_ge_scalarmult_base is constant time (signed radix-16
 * digits, table rows read by scanning all 8 entries with masks); it is the
 * only function fed secrets besides the encoder. captls_ge_frombytes and
 * captls_ge_double_scalarmult_vartime are variable time and must only see
 * public data (public keys, signatures, hashes of public data). Decoding
 * errors are reported as return values; nothing else can fail.
 */
#ifndef CAPTLS_CRYPTO_CURVE25519_GROUP_H
#define CAPTLS_CRYPTO_CURVE25519_GROUP_H

#include <stdint.h>

#include "core/crypto/curve25519_field.h"

typedef struct captls_ge_p3 {
    captls_fe X, Y, Z, T;
} captls_ge_p3;

typedef struct captls_ge_precomp {
    captls_fe yplusx, yminusx, xy2d;
} captls_ge_precomp;

/* h = a * B for a 256-bit little-endian a with a[31] <= 127 (any clamped
 * scalar qualifies). Constant time. */
void captls_ge_scalarmult_base(captls_ge_p3 *h, const uint8_t a[32]);

/* RFC 8032 §5.1.2 encoding: y with the sign of x in bit 255. */
void captls_ge_tobytes(uint8_t s[32], const captls_ge_p3 *h);

/* Strict RFC 8032 §5.1.3 decoding. Returns 0 and sets h, or -1 when y is
 * not canonical (y >= p), when no x exists, or when x = 0 with the sign bit
 * set. Variable time (public input only). */
int captls_ge_frombytes_vartime(captls_ge_p3 *h, const uint8_t s[32]);

/* 1 if [8] h is the identity (h has order 1, 2, 4 or 8), else 0. */
int captls_ge_has_small_order(const captls_ge_p3 *h);

/* 1 if the 32-byte encoding s names a point of small order, judged by its y
 * alone (bit 255 ignored, non-canonical y included), like libsodium's
 * blocklist. Variable time. */
int captls_ge_encoding_has_small_order(const uint8_t s[32]);

/* r = a * A + b * B for 256-bit a, b < 2^255 (here: reduced mod L).
 * Variable time: public inputs only. */
void captls_ge_double_scalarmult_vartime(captls_ge_p3 *r, const uint8_t a[32],
                                         const captls_ge_p3 *A,
                                         const uint8_t b[32]);

/* h = -p */
void captls_ge_neg(captls_ge_p3 *h, const captls_ge_p3 *p);

#endif
