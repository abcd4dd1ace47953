/* core/crypto/rsa.h — RSA signatures (RFC 8017): PKCS#1 v1.5 verify
 * (§8.2.2), RSASSA-PSS verify (§8.1.2) and sign (§8.1.1) with EMSA-PSS
 * (§9.1) written here (BearSSL 0.6 has no PSS), on the 64-bit arithmetic
 * of core/crypto/rsa_fast.h, with BearSSL's br_rsa_i62/i31 operations as
 * the fallback.
 *
 * Contract: keys are caller-owned fixed-size structs that COPY the key
 * bytes (the inputs may be freed after init) and hold no pointers (but
 * the optional blinding entropy interface of a private key, which a copy
 * shares), so they may be copied. Accepted moduli: CAPTLS_RSA_ACCEPT_MIN_BITS..MAX_BITS
 * (2048..4096 bits). Smaller moduli are CAPTLS_ERR_WEAK_KEY (policy: RSA
 * below 2048 bits is refused, NIST SP 800-131A), larger CAPTLS_ERR_UNSUPPORTED;
 * the modulus must be odd and the public exponent odd, >= 3 and < 2^32
 * (leading zero bytes are stripped), else CAPTLS_ERR_INVALID_KEY.
 * Verification returns CAPTLS_OK or CAPTLS_ERR_BAD_SIGNATURE (also for a
 * signature whose length is not the modulus length, RFC 8017 §8.2.2 step 1,
 * or whose value is >= n); other errors are UNSUPPORTED (hash) and
 * INVALID_ARGUMENT (impossible salt length).
 * PKCS#1 v1.5 verification is the strict form: the expected encoding
 * 00 01 FF..FF 00 DigestInfo H is built here and compared in constant time
 * with the recovered block — nothing of the recovered block is parsed. The
 * DigestInfo carries an explicit NULL parameter (RFC 8017 §9.2 note 1); the
 * variant without NULL is rejected.
 * PSS: message hash, MGF1 hash and salt length are parameters; TLS 1.3
 * uses MGF1 hash = hash and salt length = hash length (RFC 8446 §4.2.3).
 * CAPTLS_RSA_PSS_SALT_AUTO accepts any salt length (recovered from the
 * padding) for X.509 uses that do not pin it.
 * Signing (PSS) takes the private key in CRT form (p, q, dp, dq, iq =
 * q^-1 mod p) plus e; init recomputes n, checks sizes, builds the 64-bit
 * context, and does a private/public round trip on each path the key may
 * take to catch inconsistent components (CAPTLS_ERR_INVALID_KEY). The salt
 * is supplied by the caller (drawn from its entropy capability). Each
 * signature is checked with the public key before it is released
 * (fault-attack countermeasure, CAPTLS_ERR_INTERNAL and nothing written on
 * mismatch).
 * Arithmetic (core/crypto/rsa_fast.h): 64-bit limbs with per-key Montgomery
 * and CRT precomputation, the BMI2/ADX multiplier when core/crypto/cpu.h
 * reports both (the portable 64-bit C one under CAPTLS_CRYPTO=portable or
 * -DCAPTLS_PORTABLE_CRYPTO), BearSSL's i62/i31 code when the compiler has
 * no 64x64->128 product or the key's factors are too unequal. Private
 * operations blind the input with r^e (r from a SHA-512 expansion of a
 * key-held secret, the encoded message and, when captls_rsa_private_key_
 * set_entropy gave one, 32 bytes of fresh entropy: ENTROPY_FAILURE if that
 * source fails), exponentiate each CRT half with a constant-time fixed
 * window, and unblind with a constant-time inverse. Public operations are
 * variable time. captls_rsa_private_key_destroy wipes all key material;
 * there is no export function.
 * PKCS#1 v1.5 signing (RSASSA-PKCS1-v1_5-SIGN, §8.2.1) builds the same
 * strict encoding as the verifier (DigestInfo with the NULL parameter) and
 * is deterministic; it takes the same fault check as PSS signing.
 * Key generation (captls_rsa_keygen) is BearSSL's keygen fed only by the
 * caller's entropy interface; any entropy failure during generation fails
 * the whole call closed (ENTROPY_FAILURE, nothing kept).
 * NOT checked: that p and q are prime or of similar size for imported keys
 * (generated keys come from BearSSL's Miller-Rabin keygen).
 */
#ifndef CAPTLS_CRYPTO_RSA_H
#define CAPTLS_CRYPTO_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/hash.h"
#include "port/port.h"

#define CAPTLS_RSA_ACCEPT_MIN_BITS 2048u
#define CAPTLS_RSA_ACCEPT_MAX_BITS 4096u
#define CAPTLS_RSA_MAX_BYTES 512u      /* 4096-bit modulus / signature */
#define CAPTLS_RSA_MAX_FACTOR_BYTES 256u
#define CAPTLS_RSA_PSS_SALT_AUTO ((size_t)-1)

#define CAPTLS_RSA_MAX_LIMBS 64u        /* 4096 bits in 64-bit limbs */
#define CAPTLS_RSA_MAX_FACTOR_LIMBS 32u /* 2048-bit factors */

/* The 64-bit-limb precomputation kept with each key (core/crypto/rsa_fast.h;
 * little-endian limbs), filled once by the inits so that no operation
 * recomputes it. Sizes on LP64: captls_rsa_fast_pub 1,040 bytes (n, R^2 mod
 * n, -n^-1 mod 2^64, e) inside every public key; captls_rsa_fast_priv
 * 1,864 bytes (p, q, R^2 mod p/q, dp, dq, -p^-1/-q^-1 mod 2^64, qInv*R mod
 * p, a 32-byte blinding seed) plus the 16-byte entropy interface in every
 * private key (which also holds its public key): a private key is 2,920
 * bytes larger than with BearSSL alone. nl == 0 / ok == 0: no fast context
 * (BearSSL does the arithmetic for that key). */
typedef struct captls_rsa_fast_pub {
    uint64_t n[CAPTLS_RSA_MAX_LIMBS];
    uint64_t rr[CAPTLS_RSA_MAX_LIMBS]; /* R^2 mod n, R = 2^(64 nl) */
    uint64_t n0inv;   /* -n^-1 mod 2^64 (Montgomery) */
    uint32_t nl;      /* limbs of n */
    uint32_t e;       /* public exponent as an integer */
} captls_rsa_fast_pub;

typedef struct captls_rsa_fast_factor {
    uint64_t m[CAPTLS_RSA_MAX_FACTOR_LIMBS];  /* p (or q) */
    uint64_t rr[CAPTLS_RSA_MAX_FACTOR_LIMBS]; /* R^2 mod p, R = 2^(64 nl) */
    uint64_t d[CAPTLS_RSA_MAX_FACTOR_LIMBS];  /* dp (or dq), zero-padded */
    uint64_t m0inv;
    uint32_t nl, bits;                        /* limbs and bits of p */
} captls_rsa_fast_factor;

typedef struct captls_rsa_fast_priv {
    uint64_t iq_m[CAPTLS_RSA_MAX_FACTOR_LIMBS]; /* qInv * R mod p */
    captls_rsa_fast_factor p, q;
    uint8_t blind_seed[32]; /* secret, from the key: hedges the blinding */
    uint64_t ok;            /* 1 when the context is complete */
} captls_rsa_fast_priv;

typedef struct captls_rsa_public_key {
    uint8_t n[CAPTLS_RSA_MAX_BYTES]; /* big-endian, no leading zero */
    size_t n_len;                    /* k, the signature size */
    uint8_t e[4];
    size_t e_len;
    uint32_t bits;                   /* modBits */
    captls_rsa_fast_pub fast;        /* filled by init */
} captls_rsa_public_key;

typedef struct captls_rsa_private_key {
    uint8_t p[CAPTLS_RSA_MAX_FACTOR_BYTES], q[CAPTLS_RSA_MAX_FACTOR_BYTES];
    uint8_t dp[CAPTLS_RSA_MAX_FACTOR_BYTES], dq[CAPTLS_RSA_MAX_FACTOR_BYTES];
    uint8_t iq[CAPTLS_RSA_MAX_FACTOR_BYTES];
    size_t p_len, q_len, dp_len, dq_len, iq_len;
    captls_rsa_public_key pub;
    captls_rsa_fast_priv fast;       /* filled by init */
    captls_entropy blind_entropy;    /* optional, see _set_entropy */
} captls_rsa_private_key;

CAPTLS_MUST_CHECK captls_result captls_rsa_public_key_init(
    captls_rsa_public_key *key, const uint8_t *n, size_t n_len,
    const uint8_t *e, size_t e_len);

CAPTLS_MUST_CHECK captls_result captls_rsa_pkcs1_verify(
    const captls_rsa_public_key *key, captls_hash_alg hash,
    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len);

/* salt_len: exact expected salt length, or CAPTLS_RSA_PSS_SALT_AUTO. */
CAPTLS_MUST_CHECK captls_result captls_rsa_pss_verify(
    const captls_rsa_public_key *key, captls_hash_alg hash,
    captls_hash_alg mgf1_hash, size_t salt_len, const uint8_t *msg,
    size_t msg_len, const uint8_t *sig, size_t sig_len);

CAPTLS_MUST_CHECK captls_result captls_rsa_private_key_init(
    captls_rsa_private_key *key, const uint8_t *p, size_t p_len,
    const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
    const uint8_t *dq, size_t dq_len, const uint8_t *iq, size_t iq_len,
    const uint8_t *e, size_t e_len);

void captls_rsa_private_key_destroy(captls_rsa_private_key *key);

/* Gives the key an entropy source for the blinding factor of its private
 * operations (the fast path; see "Private operations" above). Without one
 * the factor is derived from a key-held secret and the encoded message
 * (which carries the caller's random salt for PSS). A set source that
 * fails makes signing fail with ENTROPY_FAILURE. The source must outlive
 * the key's use. */
void captls_rsa_private_key_set_entropy(captls_rsa_private_key *key,
                                        captls_entropy entropy);

/* The public half (a copy). */
void captls_rsa_private_key_public(const captls_rsa_private_key *key,
                                   captls_rsa_public_key *pub);

/* RSASSA-PSS-SIGN with the given salt (salt_len bytes, may be 0). Writes k
 * = key->pub.n_len bytes to sig (BUFFER_TOO_SMALL if sig_cap < k) and sets
 * *sig_len. INVALID_ARGUMENT when emLen < hLen + sLen + 2 (RFC 8017
 * §9.1.1 step 3). */
CAPTLS_MUST_CHECK captls_result captls_rsa_pss_sign(
    const captls_rsa_private_key *key, captls_hash_alg hash,
    captls_hash_alg mgf1_hash, const uint8_t *salt, size_t salt_len,
    const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
    size_t *sig_len);

/* RSASSA-PKCS1-v1_5-SIGN (RFC 8017 §8.2.1) with SHA-256/384/512 (else
 * UNSUPPORTED). Writes k bytes to sig (BUFFER_TOO_SMALL if sig_cap < k). */
CAPTLS_MUST_CHECK captls_result captls_rsa_pkcs1_sign(
    const captls_rsa_private_key *key, captls_hash_alg hash,
    const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
    size_t *sig_len);

/* A new key of `bits` (2048, 3072 or 4096; else UNSUPPORTED), e = 65537,
 * drawn from `entropy` only. ENTROPY_FAILURE if any draw fails; *out is
 * wiped on every failure. Slow (seconds for 4096 bits). */
CAPTLS_MUST_CHECK captls_result captls_rsa_keygen(captls_rsa_private_key *out,
                                                  unsigned bits,
                                                  captls_entropy entropy);

#endif
