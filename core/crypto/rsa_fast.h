/* core/crypto/rsa_fast.h — RSA arithmetic on 64-bit limbs (internal to
 * core/crypto/rsa.c, the tests, fuzzers and the ctgrind check).
 *
 * Contract. Montgomery multiplication over 64-bit limbs: portable C with
 * unsigned __int128, and a BMI2/ADX row (mulx, adcx, adox in inline
 * assembly) chosen per operation when core/crypto/cpu.h reports both
 * usable. Builds without __int128 have no fast path (CAPTLS_RSA_FAST 0):
 * BearSSL's i62/i31 code does every operation, as it does for a key whose
 * context could not be built (ok == 0 / nl == 0 in rsa.h's structs).
 * The per-key precomputation (Montgomery constants for n, p and q,
 * R^2 mod n/p/q, dp, dq, qInv*R mod p, a blinding seed) lives in the
 * caller-owned key structs of rsa.h and is filled once by the key inits.
 *
 * Private operation (captls_rsa_fast_private): x < n (else
 * INVALID_ARGUMENT: callers encode x < n, this is the last guard);
 * base blinding x * r^e mod n with r from a SHA-512 expansion of the
 * key's secret seed, the input and, when the key has one, 32 bytes of
 * its entropy source; CRT halves x^dp mod p and x^dq mod q by a
 * fixed-window (4-bit) exponentiation whose table is read in full for
 * every window (masked selection) — in radix 2^52 with AVX-512 IFMA and a
 * 5-bit window when cpu.h reports it (rsa_ifma.h; factors of 1024-2048
 * bits); Garner recombination; unblinding by
 * r^-1 mod n (a constant-time Bernstein-Yang inverse); and a check that
 * s^e == x before s is written (fault guard: INTERNAL and x untouched on
 * mismatch). Branches and memory indices depend only on public sizes.
 * Public operation (captls_rsa_fast_public): square-and-multiply on e,
 * variable time (nothing is secret); false when x >= n.
 * NOT checked here: that the key structs were filled by the inits.
 */
#ifndef CAPTLS_CRYPTO_RSA_FAST_H
#define CAPTLS_CRYPTO_RSA_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/rsa.h"

#if defined(__SIZEOF_INT128__) && (defined(__GNUC__) || defined(__clang__))
#define CAPTLS_RSA_FAST 1
#else
#define CAPTLS_RSA_FAST 0
#endif

/* Fills key->fast from key->n / key->e (already validated). Cannot fail:
 * without a fast path it leaves nl = 0. */
void captls_rsa_fast_pub_init(captls_rsa_public_key *key);

/* Fills key->fast from the CRT components and key->pub. false when this
 * key cannot use the fast path (factor sizes too unequal for the
 * reductions used here); the key then stays on BearSSL. */
bool captls_rsa_fast_priv_init(captls_rsa_private_key *key);

/* True when operations on this key take the 64-bit path now (context
 * present and BearSSL not forced). */
bool captls_rsa_fast_pub_ready(const captls_rsa_public_key *key);
bool captls_rsa_fast_priv_ready(const captls_rsa_private_key *key);

/* x[0..k) (big-endian, k = key->n_len) <- x^e mod n. false if x >= n. */
bool captls_rsa_fast_public(const captls_rsa_public_key *key, uint8_t *x);

/* x[0..k) <- x^d mod n, blinded and checked (see above). */
CAPTLS_MUST_CHECK captls_result captls_rsa_fast_private(
    const captls_rsa_private_key *key, uint8_t *x);

/* Test hooks. force_bearssl: every key operation uses BearSSL (the
 * contexts are still built). force_portable: the C multiplier even on a
 * BMI2/ADX CPU. force_adx (ctgrind only: valgrind hides ADX from CPUID
 * but runs it): the BMI2/ADX multiplier without asking CPUID, undefined
 * on a CPU without them. */
void captls_rsa_force_bearssl(bool on);
void captls_rsa_force_portable(bool on);
void captls_rsa_force_adx(bool on);
/* force_no_ifma: the 64-bit exponentiation even on an AVX-512 IFMA CPU
 * (so that one machine tests both). */
void captls_rsa_force_no_ifma(bool on);
/* True when the CRT halves of a key with nl-limb factors would run on
 * AVX-512 IFMA now. */
bool captls_rsa_uses_ifma(size_t factor_limbs);
/* The ctgrind check only: fn is called on the two values the private
 * operation branches on by design — whether the blinding value had an
 * inverse, and the verdict of the fault check — so that valgrind treats
 * them as public. NULL (the default) calls nothing. */
void captls_rsa_set_declassify(void (*fn)(const void *p, size_t n));
/* True when the BMI2/ADX multiplier would run now. */
bool captls_rsa_uses_adx(void);

/* Constant-time inverse of x mod m (m odd, 0 < x < m), nl 64-bit limbs,
 * nl <= CAPTLS_RSA_MAX_LIMBS. Returns false (out zeroed) when gcd != 1;
 * exposed for the tests. */
bool captls_rsa_fast_modinv(uint64_t *out, const uint64_t *x,
                            const uint64_t *m, size_t nl);

#endif
