/* core/crypto/p256_point.h — the P-256 group (FIPS 186-4 §D.1.2.3,
 * y^2 = x^3 - 3x + b) on the 64-bit field of p256_field.h, and the switch
 * between it and the BearSSL fallback. Internal: ecdsa.c and
 * p256_ecdh.c are the public entry points (they range-check the scalars
 * and encode results); tests and fuzz harnesses use this header directly.
 *
 * Contract. Points are Jacobian (X:Y:Z), x = X/Z^2, y = Y/Z^3, or affine;
 * coordinates are reduced field elements in Montgomery form. Scalars are
 * 32-byte big-endian values that the CALLER has checked to lie in
 * [1, n-1] (not re-checked here; 0 or >= n gives unspecified output, never
 * a memory error).
 *   p256_mul_base     k·G, constant time: radix-16 fixed windows over the
 *                     generated table p256_base_table.h (64 mixed
 *                     additions, no doubling), every table row scanned in
 *                     full with masks.
 *   p256_mul_point    k·P for a validated affine P, constant time: 4-bit
 *                     fixed window, a 15-entry table scanned in full.
 *   p256_mul_double_vartime  u1·G + u2·P, VARIABLE TIME (width-5 wNAF,
 *                     interleaved): only for signature verification,
 *                     where every input is public.
 * Exceptional cases of the incomplete Jacobian formulas: in the
 * constant-time ladders the accumulator is A·P and the addend d·P with
 * 1 <= A + d <= k < n and A != d (see p256_point.c), so neither P = Q nor
 * P = -Q can occur for a scalar in [1, n-1]; the point at infinity (the
 * empty accumulator, a zero digit) is tracked with masks. The
 * variable-time code checks every case explicitly.
 * p256_point_decode is strict (SEC 1 §2.3.4 / §3.2.2.1): 65 bytes,
 * prefix 0x04, X and Y < p, y^2 = x^3 - 3x + b; variable time (public
 * input). Nothing here allocates, fails silently or keeps state except
 * the two process-wide switches below.
 *
 * Path switch: the entry points in ecdsa.c / p256_ecdh.c use this code
 * when CAPTLS_P256_FAST (64-bit compilers with unsigned __int128) and the
 * BearSSL fallback (br_ec_p256_m31 / i31 ECDSA) otherwise or when forced
 * with captls_p256_force_bearssl(true) — so both paths are tested on one
 * machine. The switch is a plain global meant to be set before use (tests,
 * fuzzers, the bench), not while other threads sign.
 * Declassification hook: ECDSA signing branches on values derived from the
 * key that are not secret in the protocol (whether an RFC 6979 candidate
 * nonce was rejected, probability 2^-32; whether r or s is 0). Before each
 * such branch it calls the hook, if set, on the value: the ctgrind check
 * sets it to VALGRIND_MAKE_MEM_DEFINED. Default: none.
 */
#ifndef CAPTLS_CRYPTO_P256_POINT_H
#define CAPTLS_CRYPTO_P256_POINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto/p256_field.h"
#include "core/crypto/p256_scalar.h"

/* true: use BearSSL even where the fast path exists. */
void captls_p256_force_bearssl(bool on);
/* true iff the entry points take the fast path now. */
bool captls_p256_fast_active(void);

typedef void (*captls_p256_declassify_fn)(const void *p, size_t len);
void captls_p256_set_declassify(captls_p256_declassify_fn fn);
/* Calls the hook (if any) on [p, p+len). */
void captls_p256_declassify(const void *p, size_t len);

#if CAPTLS_P256_FAST

typedef struct p256_affine {
    p256_fe x, y;
} p256_affine;

typedef struct p256_jac {
    p256_fe x, y, z;
} p256_jac;

/* Strict decoding of 0x04||X||Y (see the contract). */
bool p256_point_decode(p256_affine *r, const uint8_t *in, size_t len);

/* out = 0x04||x||y of a finite point (constant-time inversion). */
void p256_point_encode(uint8_t out[65], const p256_jac *p);

/* out = big-endian affine x of a finite point (constant time). */
void p256_point_x(uint8_t out[32], const p256_jac *p);

void p256_mul_base(p256_jac *r, const uint8_t k[32]);
void p256_mul_point(p256_jac *r, const uint8_t k[32], const p256_affine *p);

/* x = affine x-coordinate (big-endian) of u1·G + u2·P; false iff that is
 * the point at infinity. u1 may be 0. Variable time. */
bool p256_mul_double_vartime(uint8_t x[32], const p256_sc *u1,
                             const p256_sc *u2, const p256_affine *p);

#endif /* CAPTLS_P256_FAST */
#endif
