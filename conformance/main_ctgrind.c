/* build/captls-ctgrind — the ctgrind check (issue 4, item 4).
 *
 * Runs one secret-handling operation with its secret bytes marked
 * undefined for valgrind memcheck (VALGRIND_MAKE_MEM_UNDEFINED): any branch
 * or memory index that depends on them is then reported as a use of an
 * uninitialised value, and ci/ctgrind.sh (valgrind --error-exitcode=1)
 * fails. Outputs are declared defined again only after the operation,
 * right before they are compared with the value computed on defined
 * inputs. Outside valgrind the client requests are no-ops and the program
 * just checks the answers.
 *
 * Usage: captls-ctgrind CASE   (captls-ctgrind list prints the cases)
 *   ed25519-public, ed25519-sign, x25519, x25519-public: must pass;
 *   x25519-mulx: the BMI2/ADX ladder called directly (valgrind's virtual
 *   CPU hides ADX, so x25519 takes the portable path under it); listed
 *   only when the real CPU has BMI2 and ADX, must pass;
 *   p256-public, p256-ecdh, ecdsa-p256-sign: the 64-bit P-256 code
 *   (key generation k·G, ECDH k·P, RFC 6979 signing) with the portable
 *   field multiplier (what CPUID shows under valgrind); the -adx variants
 *   force the BMI2/ADX multiplier and are listed only when the real CPU
 *   has it. The P-256 code declassifies, through captls_p256_set_declassify
 *   (set for every case), the
 *   values it branches on by design (scalar accepted, RFC 6979 candidate
 *   rejected, r or s zero) and the signature itself;
 *   rsa-sign: PKCS#1 v1.5 signing with a 2048-bit key on the 64-bit RSA
 *   path (core/crypto/rsa_fast.h: blinding, the Bernstein-Yang inverse,
 *   the fixed-window CRT exponentiations, recombination, fault check),
 *   every CRT component and the precomputation secret; the code
 *   declassifies (captls_rsa_set_declassify) whether the blinding value
 *   was invertible and the fault check's verdict; rsa-sign-adx forces
 *   the BMI2/ADX rows (listed only when the real CPU has them);
 *   canary: branches on a secret on purpose and must FAIL under valgrind,
 *   proving the harness can see a leak.
 * Exit status: 0 when the answers match, 1 otherwise, 2 on usage errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "core/crypto/aead.h"
#include "core/crypto/chacha_fast.h"
#include "core/crypto/cpu.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/curve25519_field64.h"
#include "core/crypto/x25519.h"
#include "core/crypto/x25519_internal.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/p256_ecdh.h"
#include "core/crypto/p256_point.h"
#include "core/crypto/rsa.h"
#include "core/crypto/rsa_fast.h"
#include "core/crypto/rsa_key.h"
#include "fuzz/rsa_test_keys.h"

#define ROUNDS 3

static void secret(void *p, size_t n)
{
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
}

static void public(void *p, size_t n)
{
    VALGRIND_MAKE_MEM_DEFINED(p, n);
}

static void fill(uint8_t *p, size_t n, unsigned round, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 29u + round * 101u + salt * 7u + 1u);
}

static int case_ed25519_public(void)
{
    uint8_t seed[32], pub[32], want[32];

    for (unsigned r = 0; r < ROUNDS; r++) {
        fill(seed, 32, r, 1);
        captls_ed25519_public_from_seed(want, seed);
        secret(seed, 32);
        captls_ed25519_public_from_seed(pub, seed);
        public(pub, 32);
        if (memcmp(pub, want, 32) != 0)
            return 1;
    }
    return 0;
}

static int case_ed25519_sign(void)
{
    uint8_t seed[32], pub[32], msg[100], sig[64], want[64];

    for (unsigned r = 0; r < ROUNDS; r++) {
        fill(seed, 32, r, 2);
        fill(msg, sizeof msg, r, 3);
        captls_ed25519_public_from_seed(pub, seed);
        captls_ed25519_sign(want, seed, pub, msg, sizeof msg);
        secret(seed, 32);
        captls_ed25519_sign(sig, seed, pub, msg, sizeof msg);
        public(sig, 64);
        if (memcmp(sig, want, 64) != 0)
            return 1;
    }
    return 0;
}

static int case_x25519(void)
{
    uint8_t k[32], u[32], out[32], want[32];
    captls_result rc;

    for (unsigned r = 0; r < ROUNDS; r++) {
        fill(k, 32, r, 4);
        fill(u, 32, r, 5);
        if (captls_x25519(want, k, u) != CAPTLS_OK)
            return 1;
        secret(k, 32);
        rc = captls_x25519(out, k, u);
        public(&rc, sizeof rc);
        public(out, 32);
        if (rc != CAPTLS_OK || memcmp(out, want, 32) != 0)
            return 1;
        /* the all-zero check is branch-free too: u = 0 */
        memset(u, 0, 32);
        memset(out, 0x5a, 32);
        secret(k, 32);
        rc = captls_x25519(out, k, u);
        public(&rc, sizeof rc);
        public(out, 32);
        if (rc != CAPTLS_ERR_INVALID_KEY || out[0] != 0x5a)
            return 1;
    }
    return 0;
}

static int case_x25519_public(void)
{
    uint8_t k[32], pub[32], want[32];
    const uint8_t nine[32] = {9};

    for (unsigned r = 0; r < ROUNDS; r++) {
        fill(k, 32, r, 6);
        if (captls_x25519(want, k, nine) != CAPTLS_OK)
            return 1;
        secret(k, 32);
        captls_x25519_public(pub, k);
        public(pub, 32);
        if (memcmp(pub, want, 32) != 0)
            return 1;
    }
    return 0;
}

static int case_x25519_mulx(void)
{
    uint8_t k[32], u[32], out[32], want[32];

    for (unsigned r = 0; r < ROUNDS; r++) {
        fill(k, 32, r, 8);
        fill(u, 32, r, 9);
        if (captls_x25519_via(CAPTLS_X25519_PATH_PORTABLE, want, k, u) !=
            CAPTLS_OK)
            return 1;
        k[0] &= 248; /* RFC 7748 §5 clamping, as captls_x25519 does */
        k[31] &= 127;
        k[31] |= 64;
        secret(k, 32);
        captls_x25519_ladder64(out, k, u);
        public(out, 32);
        if (memcmp(out, want, 32) != 0)
            return 1;
    }
    return 0;
}

/* A valid P-256 scalar (below n: the top byte is < 0xff). */
static void p256_scalar(uint8_t k[32], unsigned r, unsigned salt)
{
    fill(k, 32, r, salt);
    k[0] &= 0x7f;
    k[31] |= 1;
}

static void declassify(const void *p, size_t n)
{
    VALGRIND_MAKE_MEM_DEFINED(p, n);
}

/* Reference answers from BearSSL, then the fast path on secret input. */
static int p256_public_case(void)
{
    uint8_t k[32], pub[65], want[65];
    captls_result rc;

    for (unsigned r = 0; r < ROUNDS; r++) {
        p256_scalar(k, r, 10);
        captls_p256_force_bearssl(true);
        if (captls_p256_public(want, k) != CAPTLS_OK)
            return 1;
        captls_p256_force_bearssl(false);
        secret(k, 32);
        rc = captls_p256_public(pub, k);
        public(&rc, sizeof rc);
        public(pub, 65);
        if (rc != CAPTLS_OK || memcmp(pub, want, 65) != 0)
            return 1;
    }
    return 0;
}

static int p256_ecdh_case(void)
{
    uint8_t k[32], peer_k[32], peer[65], z[32], want[32];
    captls_result rc;

    for (unsigned r = 0; r < ROUNDS; r++) {
        p256_scalar(k, r, 11);
        p256_scalar(peer_k, r, 12);
        captls_p256_force_bearssl(true);
        if (captls_p256_public(peer, peer_k) != CAPTLS_OK ||
            captls_p256_ecdh(want, k, peer, 65) != CAPTLS_OK)
            return 1;
        captls_p256_force_bearssl(false);
        secret(k, 32);
        rc = captls_p256_ecdh(z, k, peer, 65);
        public(&rc, sizeof rc);
        public(z, 32);
        if (rc != CAPTLS_OK || memcmp(z, want, 32) != 0)
            return 1;
    }
    return 0;
}

static int ecdsa_p256_sign_case(void)
{
    uint8_t k[32], msg[100], sig[CAPTLS_ECDSA_P256_SIG_MAX];
    uint8_t want[CAPTLS_ECDSA_P256_SIG_MAX];
    size_t len, want_len;
    captls_result rc;

    for (unsigned r = 0; r < ROUNDS; r++) {
        p256_scalar(k, r, 13);
        fill(msg, sizeof msg, r, 14);
        captls_p256_force_bearssl(true);
        if (captls_ecdsa_p256_sign(k, CAPTLS_HASH_SHA256, msg, sizeof msg,
                                   want, &want_len) != CAPTLS_OK)
            return 1;
        captls_p256_force_bearssl(false);
        secret(k, 32);
        rc = captls_ecdsa_p256_sign(k, CAPTLS_HASH_SHA256, msg, sizeof msg,
                                    sig, &len);
        public(&rc, sizeof rc);
        public(&len, sizeof len);
        public(sig, sizeof sig);
        if (rc != CAPTLS_OK || len != want_len || memcmp(sig, want, len) != 0)
            return 1;
    }
    return 0;
}

static int with_adx(int (*f)(void))
{
    int rc;

    p256_fe_force_adx(true);
    rc = f();
    p256_fe_force_adx(false);
    return rc;
}

static int case_p256_public(void) { return p256_public_case(); }
static int case_p256_ecdh(void) { return p256_ecdh_case(); }
static int case_ecdsa_p256_sign(void) { return ecdsa_p256_sign_case(); }
static int case_p256_public_adx(void) { return with_adx(p256_public_case); }
static int case_p256_ecdh_adx(void) { return with_adx(p256_ecdh_case); }
static int case_ecdsa_p256_sign_adx(void)
{
    return with_adx(ecdsa_p256_sign_case);
}

/* RSA private operation (issue 14 item 2) on the 64-bit path. */
static int rsa_sign_case(void)
{
    static captls_rsa_private_key k;
    uint8_t msg[64], sig[256], want[256];
    size_t len = 0, wlen = 0;
    captls_result rc;

    if (captls_rsa_key_parse_pkcs1(fuzz_rsa2048_der, sizeof fuzz_rsa2048_der,
                                   &k, NULL) != CAPTLS_OK ||
        !captls_rsa_fast_priv_ready(&k))
        return 1;
    for (unsigned r = 0; r < ROUNDS; r++) {
        fill(msg, sizeof msg, r, 21);
        if (captls_rsa_pkcs1_sign(&k, CAPTLS_HASH_SHA256, msg, sizeof msg,
                                  want, sizeof want, &wlen) != CAPTLS_OK)
            return 1;
        secret(k.p, sizeof k.p);
        secret(k.q, sizeof k.q);
        secret(k.dp, sizeof k.dp);
        secret(k.dq, sizeof k.dq);
        secret(k.iq, sizeof k.iq);
        secret(k.fast.iq_m, sizeof k.fast.iq_m);
        secret(k.fast.blind_seed, sizeof k.fast.blind_seed);
        secret(k.fast.p.m, sizeof k.fast.p.m);
        secret(k.fast.p.rr, sizeof k.fast.p.rr);
        secret(k.fast.p.d, sizeof k.fast.p.d);
        secret(&k.fast.p.m0inv, sizeof k.fast.p.m0inv);
        secret(k.fast.q.m, sizeof k.fast.q.m);
        secret(k.fast.q.rr, sizeof k.fast.q.rr);
        secret(k.fast.q.d, sizeof k.fast.q.d);
        secret(&k.fast.q.m0inv, sizeof k.fast.q.m0inv);
        rc = captls_rsa_pkcs1_sign(&k, CAPTLS_HASH_SHA256, msg, sizeof msg,
                                   sig, sizeof sig, &len);
        public(&rc, sizeof rc);
        public(&len, sizeof len);
        public(sig, sizeof sig);
        public(&k, sizeof k);
        if (rc != CAPTLS_OK || len != wlen || memcmp(sig, want, len) != 0)
            return 1;
    }
    captls_rsa_private_key_destroy(&k);
    return 0;
}

static int case_rsa_sign(void) { return rsa_sign_case(); }
static int case_rsa_sign_adx(void)
{
    int rc;

    captls_rsa_force_adx(true);
    rc = rsa_sign_case();
    captls_rsa_force_adx(false);
    return rc;
}

/* A deliberate leak: valgrind must report it. */
/* ChaCha20-Poly1305 (issue 14): the key and the plaintext are secret; the
 * ciphertext and tag are declared public only after sealing. Seal only:
 * open ends in a (public) accept/reject branch on the tag comparison. */
static int aead_chacha_case(void (*seal)(const uint8_t *key,
                                         const uint8_t *nonce,
                                         const uint8_t *aad, size_t alen,
                                         uint8_t *buf, size_t len,
                                         uint8_t *tag))
{
    static const size_t lens[] = {0, 1, 63, 64, 65, 511, 512, 513, 1300};
    uint8_t key[32], nonce[12], aad[21], buf[1300], want[1300];
    uint8_t tag[16], wtag[16];

    for (unsigned r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            size_t len = lens[i];

            fill(key, 32, r, 11);
            fill(nonce, 12, r, 12);
            fill(aad, sizeof aad, r, 13);
            fill(want, len, r, 14);
            seal(key, nonce, aad, sizeof aad, want, len, wtag);
            fill(buf, len, r, 14);
            secret(key, 32);
            secret(buf, len);
            seal(key, nonce, aad, sizeof aad, buf, len, tag);
            public(key, 32);
            public(buf, len);
            public(tag, 16);
            if (memcmp(buf, want, len) != 0 || memcmp(tag, wtag, 16) != 0)
                return 1;
        }
    }
    return 0;
}

static void seal_facade(const uint8_t *key, const uint8_t *nonce,
                        const uint8_t *aad, size_t alen, uint8_t *buf,
                        size_t len, uint8_t *tag)
{
    if (captls_aead_seal(CAPTLS_AEAD_CHACHA20_POLY1305, key, 32, nonce, aad,
                         alen, buf, len, tag) != CAPTLS_OK)
        memset(tag, 0, 16);
}

#if CAPTLS_CHACHA_AVX2 && CAPTLS_POLY1305_64
/* The AVX2 ChaCha20 and the radix-2^64 Poly1305 called directly, whatever
 * CPU valgrind's virtual CPU reports. */
static void seal_avx2(const uint8_t *key, const uint8_t *nonce,
                      const uint8_t *aad, size_t alen, uint8_t *buf,
                      size_t len, uint8_t *tag)
{
    captls_poly1305_64_run(key, nonce, buf, len, aad, alen, tag,
                           &captls_chacha20_avx2_run, 1);
}

static int case_chacha20_poly1305_avx2(void)
{
    if (!(captls_cpu_detected() & CAPTLS_CPU_AVX2)) {
        printf("ctgrind: chacha20-poly1305-avx2: no AVX2 here, skipped\n");
        return 0;
    }
    return aead_chacha_case(seal_avx2);
}
#endif

static int case_chacha20_poly1305(void)
{
    return aead_chacha_case(seal_facade);
}

static int case_chacha20_poly1305_portable(void)
{
    int rc;

    captls_cpu_set_portable(true);
    rc = aead_chacha_case(seal_facade);
    captls_cpu_set_portable(false);
    return rc;
}

static int case_canary(void)
{
    uint8_t k[32];
    volatile unsigned sink = 0;

    fill(k, 32, 0, 7);
    secret(k, 32);
    if (k[0] & 1)
        sink++;
    return (int)(sink & 0);
}

static const struct {
    const char *name;
    int (*run)(void);
} cases[] = {
    {"ed25519-public", case_ed25519_public},
    {"ed25519-sign", case_ed25519_sign},
    {"x25519", case_x25519},
    {"x25519-public", case_x25519_public},
    {"x25519-mulx", case_x25519_mulx},
    {"p256-public", case_p256_public},
    {"p256-ecdh", case_p256_ecdh},
    {"ecdsa-p256-sign", case_ecdsa_p256_sign},
    {"p256-public-adx", case_p256_public_adx},
    {"p256-ecdh-adx", case_p256_ecdh_adx},
    {"ecdsa-p256-sign-adx", case_ecdsa_p256_sign_adx},
    {"chacha20-poly1305", case_chacha20_poly1305},
    {"chacha20-poly1305-portable", case_chacha20_poly1305_portable},
#if CAPTLS_CHACHA_AVX2 && CAPTLS_POLY1305_64
    {"chacha20-poly1305-avx2", case_chacha20_poly1305_avx2},
#endif
    {"rsa-sign", case_rsa_sign},
    {"rsa-sign-adx", case_rsa_sign_adx},
    {"canary", case_canary},
};

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            if ((cases[i].run != case_x25519_mulx &&
                 cases[i].run != case_p256_public_adx &&
                 cases[i].run != case_p256_ecdh_adx &&
                 cases[i].run != case_ecdsa_p256_sign_adx &&
                 cases[i].run != case_rsa_sign_adx) ||
                captls_fe64_supported())
                printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: captls-ctgrind CASE | list\n");
        return 2;
    }
    /* the P-256 code declassifies what it branches on by design */
    captls_p256_set_declassify(declassify);
    captls_rsa_set_declassify(declassify);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            int rc = cases[i].run();
            printf("ctgrind: %s: %s\n", cases[i].name,
                   rc == 0 ? "answers match" : "WRONG ANSWER");
            return rc == 0 ? 0 : 1;
        }
    }
    fprintf(stderr, "captls-ctgrind: unknown case '%s'\n", argv[1]);
    return 2;
}
