/* captls-bench: speed of captls primitives against OpenSSL, in one run.
 *
 * Host-only (links OpenSSL's libcrypto as the reference; nothing shipped
 * does). Each case runs for a fixed wall time, the same for both sides, and
 * prints one CSV row: case,unit,captls,openssl,ratio (ratio = captls /
 * openssl; above 1 means captls is faster). Cases without an OpenSSL
 * counterpart print "-" there. Usage: captls-bench [SECONDS_PER_CASE].
 *
 * The crypto cases (table `crypto_cases`) can also run alone for an
 * instruction count: `captls-bench --callgrind CASE N` runs the captls side
 * of CASE N times inside callgrind_run(), which ci/bench.sh measures with
 * `valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=callgrind_run` (instructions per operation, setup and
 * key generation excluded). `captls-bench --list` names the cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bearssl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "core/cap/cap_table.h"
#include "core/cap/ipc_frame.h"
#include "core/crypto/aead.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/hash.h"
#include "core/crypto/hmac.h"
#include "core/crypto/rsa.h"
#include "core/crypto/x25519.h"
#include "port/posix/posix_port.h"

static double seconds_per_case = 0.5;
static volatile uint8_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn in batches until the case time is up; returns calls per second. */
static double rate(void (*fn)(void), unsigned batch)
{
    double t0 = now(), t;
    unsigned long calls = 0;
    do {
        for (unsigned i = 0; i < batch; i++)
            fn();
        calls += batch;
        t = now();
    } while (t - t0 < seconds_per_case);
    return (double)calls / (t - t0);
}

static uint8_t buf[16384];
static uint8_t key[32] = "captls bench hmac key, 32 bytes";

static void sha256_captls(void)
{
    uint8_t out[CAPTLS_HASH_MAX_SIZE];
    /* The facade: SHA-NI when the CPU has it (core/crypto/cpu.h). */
    if (captls_hash(CAPTLS_HASH_SHA256, buf, sizeof(buf), out) != CAPTLS_OK)
        abort();
    sink ^= out[0];
}

static void sha256_openssl(void)
{
    uint8_t out[32];
    unsigned len = 0;
    EVP_Digest(buf, sizeof(buf), out, &len, EVP_sha256(), NULL);
    sink ^= out[0];
}

/* SHA-384 and SHA-512 through the facade (BearSSL's br_sha384/512, the
 * TLS_AES_256_GCM_SHA384 transcript and Ed25519's hash). */
static void sha_captls(captls_hash_alg alg)
{
    uint8_t out[CAPTLS_HASH_MAX_SIZE];
    if (captls_hash(alg, buf, sizeof(buf), out) != CAPTLS_OK)
        abort();
    sink ^= out[0];
}

static void sha_openssl(const EVP_MD *md)
{
    uint8_t out[64];
    unsigned len = 0;
    EVP_Digest(buf, sizeof(buf), out, &len, md, NULL);
    sink ^= out[0];
}

static void sha384_captls(void) { sha_captls(CAPTLS_HASH_SHA384); }
static void sha384_openssl(void) { sha_openssl(EVP_sha384()); }
static void sha512_captls(void) { sha_captls(CAPTLS_HASH_SHA512); }
static void sha512_openssl(void) { sha_openssl(EVP_sha512()); }
static void setup_nothing(void) {}

static void hmac_captls(void)
{
    uint8_t out[CAPTLS_HASH_MAX_SIZE];
    if (captls_hmac(CAPTLS_HASH_SHA256, key, sizeof(key), buf, 64, out) !=
        CAPTLS_OK)
        abort();
    sink ^= out[0];
}

static void hmac_openssl(void)
{
    uint8_t out[32];
    unsigned len = 0;
    HMAC(EVP_sha256(), key, sizeof(key), buf, 64, out, &len);
    sink ^= out[0];
}

static captls_cap_slot slots[256];
static captls_cap_table table;
static captls_cap_handle handle;

static void cap_lookup(void)
{
    captls_cap_info info;
    if (captls_cap_lookup(&table, 1, handle, CAPTLS_IFACE_ECHO,
                          CAPTLS_RIGHT_CALL, &info) != CAPTLS_OK)
        abort();
    sink ^= (uint8_t)(uintptr_t)info.object;
}

static uint8_t frame[256];
static size_t frame_len;

static void ipc_round_trip(void)
{
    captls_ipc_frame f;
    size_t used, len;
    if (captls_ipc_frame_decode(frame, frame_len, &f, &used) != CAPTLS_OK ||
        captls_ipc_frame_encode(&f, buf, sizeof(buf), &len) != CAPTLS_OK)
        abort();
    sink ^= buf[len - 1];
}

/* ------------------------------------------------------------ crypto */

static uint8_t nonce[12];
static uint8_t tag[16];
static captls_aead_ctx aead_gcm, aead_chacha;
static EVP_CIPHER_CTX *ossl_gcm, *ossl_chacha;

/* The nonce changes per call, as per record in TLS. */
static void bump_nonce(void)
{
    for (int i = 11; i >= 0 && ++nonce[i] == 0; i--)
        ;
}

static void aead_captls(const captls_aead_ctx *c)
{
    bump_nonce();
    if (captls_aead_ctx_seal(c, nonce, NULL, 0, buf, sizeof(buf), tag) !=
        CAPTLS_OK)
        abort();
    sink ^= tag[0];
}

static void aead_openssl(EVP_CIPHER_CTX *c)
{
    int n = 0;
    bump_nonce();
    if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, nonce) != 1 ||
        EVP_EncryptUpdate(c, buf, &n, buf, (int)sizeof(buf)) != 1 ||
        EVP_EncryptFinal_ex(c, tag, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
        abort();
    sink ^= tag[0];
}

static void gcm_captls(void) { aead_captls(&aead_gcm); }
static void gcm_openssl(void) { aead_openssl(ossl_gcm); }
static void chacha_captls(void) { aead_captls(&aead_chacha); }
static void chacha_openssl(void) { aead_openssl(ossl_chacha); }

static EVP_CIPHER_CTX *ossl_aead(const EVP_CIPHER *ciph)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL || EVP_EncryptInit_ex(c, ciph, NULL, key, nonce) != 1)
        abort();
    return c;
}

static void setup_aead(void)
{
    if (captls_aead_ctx_init(&aead_gcm, CAPTLS_AEAD_AES_128_GCM, key, 16) !=
            CAPTLS_OK ||
        captls_aead_ctx_init(&aead_chacha, CAPTLS_AEAD_CHACHA20_POLY1305, key,
                             32) != CAPTLS_OK)
        abort();
    ossl_gcm = ossl_aead(EVP_aes_128_gcm());
    ossl_chacha = ossl_aead(EVP_chacha20_poly1305());
}

/* Signatures: 64-byte messages; OpenSSL contexts are set up once and
 * reused, as `openssl speed` does. ECDSA and RSA hash the message on both
 * sides (captls's API takes the message). */
static uint8_t msg64[64], seed[32], ed_pub[32], ed_sig[64], x_pub[32],
    ec_priv[32], ec_point[65], ec_sig[80], rsa_salt[32];
static size_t ec_sig_len;
static EVP_PKEY *ossl_ed, *ossl_x, *ossl_xpeer, *ossl_ec;
static EVP_MD_CTX *ossl_ed_sign, *ossl_ed_verify;
static EVP_PKEY_CTX *ossl_x_derive, *ossl_ec_sign, *ossl_ec_verify;

static void ed_sign_captls(void)
{
    captls_ed25519_sign(ed_sig, seed, ed_pub, msg64, sizeof(msg64));
    sink ^= ed_sig[0];
}

static void ed_sign_openssl(void)
{
    uint8_t sig[64];
    size_t len = sizeof(sig);
    if (EVP_DigestSign(ossl_ed_sign, sig, &len, msg64, sizeof(msg64)) != 1)
        abort();
    sink ^= sig[0];
}

static void ed_verify_captls(void)
{
    if (captls_ed25519_verify(ed_pub, msg64, sizeof(msg64), ed_sig) !=
        CAPTLS_OK)
        abort();
}

static void ed_verify_openssl(void)
{
    if (EVP_DigestVerify(ossl_ed_verify, ed_sig, 64, msg64, sizeof(msg64)) !=
        1)
        abort();
}

static void x25519_captls(void)
{
    uint8_t out[32];
    if (captls_x25519(out, seed, x_pub) != CAPTLS_OK)
        abort();
    sink ^= out[0];
}

static void x25519_openssl(void)
{
    uint8_t out[32];
    size_t len = sizeof(out);
    if (EVP_PKEY_derive(ossl_x_derive, out, &len) != 1)
        abort();
    sink ^= out[0];
}

static void setup_25519(void)
{
    static int done;
    size_t len = 32;
    if (done++)
        return;
    memcpy(seed, key, 32);
    memcpy(msg64, buf, sizeof(msg64));
    captls_ed25519_public_from_seed(ed_pub, seed);
    captls_ed25519_sign(ed_sig, seed, ed_pub, msg64, sizeof(msg64));
    ossl_ed = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    ossl_ed_sign = EVP_MD_CTX_new();
    ossl_ed_verify = EVP_MD_CTX_new();
    if (ossl_ed == NULL || ossl_ed_sign == NULL || ossl_ed_verify == NULL ||
        EVP_DigestSignInit(ossl_ed_sign, NULL, NULL, NULL, ossl_ed) != 1 ||
        EVP_DigestVerifyInit(ossl_ed_verify, NULL, NULL, NULL, ossl_ed) != 1)
        abort();
    /* the peer's public value: X25519(other scalar, 9) */
    uint8_t other[32];
    memcpy(other, buf + 64, 32);
    captls_x25519_public(x_pub, other);
    ossl_x = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, seed, 32);
    ossl_xpeer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, x_pub, 32);
    ossl_x_derive = ossl_x ? EVP_PKEY_CTX_new(ossl_x, NULL) : NULL;
    if (ossl_x_derive == NULL || ossl_xpeer == NULL ||
        EVP_PKEY_derive_init(ossl_x_derive) != 1 ||
        EVP_PKEY_derive_set_peer(ossl_x_derive, ossl_xpeer) != 1 ||
        EVP_PKEY_derive(ossl_x_derive, other, &len) != 1)
        abort();
}

static void ec_sign_captls(void)
{
    uint8_t sig[CAPTLS_ECDSA_P256_SIG_MAX];
    size_t len;
    if (captls_ecdsa_p256_sign(ec_priv, CAPTLS_HASH_SHA256, msg64,
                               sizeof(msg64), sig, &len) != CAPTLS_OK)
        abort();
    sink ^= sig[len - 1];
}

static void ec_sign_openssl(void)
{
    uint8_t dig[32], sig[80];
    size_t len = sizeof(sig);
    if (EVP_Digest(msg64, sizeof(msg64), dig, NULL, EVP_sha256(), NULL) != 1 ||
        EVP_PKEY_sign(ossl_ec_sign, sig, &len, dig, 32) != 1)
        abort();
    sink ^= sig[len - 1];
}

static void ec_verify_captls(void)
{
    if (captls_ecdsa_verify(CAPTLS_EC_P256, CAPTLS_HASH_SHA256, ec_point, 65,
                            msg64, sizeof(msg64), ec_sig,
                            ec_sig_len) != CAPTLS_OK)
        abort();
}

static void ec_verify_openssl(void)
{
    uint8_t dig[32];
    if (EVP_Digest(msg64, sizeof(msg64), dig, NULL, EVP_sha256(), NULL) != 1 ||
        EVP_PKEY_verify(ossl_ec_verify, ec_sig, ec_sig_len, dig, 32) != 1)
        abort();
}

static void setup_ecdsa(void)
{
    static int done;
    BIGNUM *d = NULL;
    if (done++)
        return;
    memcpy(msg64, buf, sizeof(msg64));
    ossl_ec = EVP_EC_gen("P-256");
    if (ossl_ec == NULL ||
        EVP_PKEY_get_bn_param(ossl_ec, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1 ||
        BN_bn2binpad(d, ec_priv, 32) != 32 ||
        captls_ecdsa_p256_public(ec_priv, ec_point) != CAPTLS_OK ||
        captls_ecdsa_p256_sign(ec_priv, CAPTLS_HASH_SHA256, msg64,
                               sizeof(msg64), ec_sig, &ec_sig_len) !=
            CAPTLS_OK)
        abort();
    BN_clear_free(d);
    ossl_ec_sign = EVP_PKEY_CTX_new(ossl_ec, NULL);
    ossl_ec_verify = EVP_PKEY_CTX_new(ossl_ec, NULL);
    if (ossl_ec_sign == NULL || ossl_ec_verify == NULL ||
        EVP_PKEY_sign_init(ossl_ec_sign) != 1 ||
        EVP_PKEY_verify_init(ossl_ec_verify) != 1)
        abort();
}

/* RSA at 2048, 3072 and 4096 bits: one key per size, set up on first use. */
typedef struct rsa_bench {
    unsigned bits;
    captls_rsa_private_key priv;
    captls_rsa_public_key pub;
    EVP_PKEY *pk;
    EVP_PKEY_CTX *sign, *verify;
    uint8_t sig[512];
    size_t sig_len;
} rsa_bench;
static rsa_bench rsa_keys[3] = {{.bits = 2048}, {.bits = 3072}, {.bits = 4096}};

static void rsa_sign_captls_k(rsa_bench *k)
{
    uint8_t sig[512];
    size_t len;
    if (captls_rsa_pss_sign(&k->priv, CAPTLS_HASH_SHA256, CAPTLS_HASH_SHA256,
                            rsa_salt, 32, msg64, sizeof(msg64), sig,
                            sizeof(sig), &len) != CAPTLS_OK)
        abort();
    sink ^= sig[0];
}

static void rsa_sign_openssl_k(rsa_bench *k)
{
    uint8_t dig[32], sig[512];
    size_t len = sizeof(sig);
    if (EVP_Digest(msg64, sizeof(msg64), dig, NULL, EVP_sha256(), NULL) != 1 ||
        EVP_PKEY_sign(k->sign, sig, &len, dig, 32) != 1)
        abort();
    sink ^= sig[0];
}

static void rsa_verify_captls_k(rsa_bench *k)
{
    if (captls_rsa_pss_verify(&k->pub, CAPTLS_HASH_SHA256,
                              CAPTLS_HASH_SHA256, 32, msg64, sizeof(msg64),
                              k->sig, k->sig_len) != CAPTLS_OK)
        abort();
}

static void rsa_verify_openssl_k(rsa_bench *k)
{
    uint8_t dig[32];
    if (EVP_Digest(msg64, sizeof(msg64), dig, NULL, EVP_sha256(), NULL) != 1 ||
        EVP_PKEY_verify(k->verify, k->sig, k->sig_len, dig, 32) != 1)
        abort();
}

static EVP_PKEY_CTX *rsa_pss_ctx(EVP_PKEY *pk, int sign)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
    if (c == NULL ||
        (sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(c, 32) != 1)
        abort();
    return c;
}

static void setup_rsa_k(rsa_bench *k)
{
    static const char *const names[6] = {
        OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_E};
    uint8_t c[6][256];
    size_t l[6];
    if (k->pk != NULL)
        return;
    memcpy(msg64, buf, sizeof(msg64));
    memcpy(rsa_salt, buf + 128, 32);
    k->pk = EVP_RSA_gen(k->bits);
    if (k->pk == NULL)
        abort();
    for (int i = 0; i < 6; i++) {
        BIGNUM *bn = NULL;
        if (EVP_PKEY_get_bn_param(k->pk, names[i], &bn) != 1)
            abort();
        int n = BN_bn2bin(bn, c[i]);
        BN_clear_free(bn);
        if (n <= 0)
            abort();
        l[i] = (size_t)n;
    }
    if (captls_rsa_private_key_init(&k->priv, c[0], l[0], c[1], l[1], c[2],
                                    l[2], c[3], l[3], c[4], l[4], c[5],
                                    l[5]) != CAPTLS_OK)
        abort();
    captls_rsa_private_key_public(&k->priv, &k->pub);
    if (captls_rsa_pss_sign(&k->priv, CAPTLS_HASH_SHA256, CAPTLS_HASH_SHA256,
                            rsa_salt, 32, msg64, sizeof(msg64), k->sig,
                            sizeof(k->sig), &k->sig_len) != CAPTLS_OK)
        abort();
    k->sign = rsa_pss_ctx(k->pk, 1);
    k->verify = rsa_pss_ctx(k->pk, 0);
}

#define RSA_BENCH(i)                                                        \
    static void setup_rsa##i(void) { setup_rsa_k(&rsa_keys[i]); }           \
    static void rsa_sign_captls##i(void) { rsa_sign_captls_k(&rsa_keys[i]); } \
    static void rsa_sign_openssl##i(void)                                   \
    {                                                                       \
        rsa_sign_openssl_k(&rsa_keys[i]);                                   \
    }                                                                       \
    static void rsa_verify_captls##i(void)                                  \
    {                                                                       \
        rsa_verify_captls_k(&rsa_keys[i]);                                  \
    }                                                                       \
    static void rsa_verify_openssl##i(void)                                 \
    {                                                                       \
        rsa_verify_openssl_k(&rsa_keys[i]);                                 \
    }
RSA_BENCH(0)
RSA_BENCH(1)
RSA_BENCH(2)

typedef struct bench_case {
    const char *name;
    const char *unit;   /* "ops/s", or "MB/s" over buf (16 KiB) per call */
    void (*setup)(void); /* idempotent; prepares keys for both sides */
    void (*mine)(void);
    void (*theirs)(void);
    unsigned batch;
} bench_case;

static const bench_case crypto_cases[] = {
    {"ed25519-sign", "ops/s", setup_25519, ed_sign_captls, ed_sign_openssl,
     64},
    {"ed25519-verify", "ops/s", setup_25519, ed_verify_captls,
     ed_verify_openssl, 64},
    {"x25519", "ops/s", setup_25519, x25519_captls, x25519_openssl, 64},
    {"ecdsa-p256-sign", "ops/s", setup_ecdsa, ec_sign_captls,
     ec_sign_openssl, 16},
    {"ecdsa-p256-verify", "ops/s", setup_ecdsa, ec_verify_captls,
     ec_verify_openssl, 16},
    {"rsa2048-pss-sign", "ops/s", setup_rsa0, rsa_sign_captls0,
     rsa_sign_openssl0, 4},
    {"rsa2048-pss-verify", "ops/s", setup_rsa0, rsa_verify_captls0,
     rsa_verify_openssl0, 64},
    {"rsa3072-pss-sign", "ops/s", setup_rsa1, rsa_sign_captls1,
     rsa_sign_openssl1, 2},
    {"rsa3072-pss-verify", "ops/s", setup_rsa1, rsa_verify_captls1,
     rsa_verify_openssl1, 32},
    {"rsa4096-pss-sign", "ops/s", setup_rsa2, rsa_sign_captls2,
     rsa_sign_openssl2, 1},
    {"rsa4096-pss-verify", "ops/s", setup_rsa2, rsa_verify_captls2,
     rsa_verify_openssl2, 16},
    {"sha384-16KiB", "MB/s", setup_nothing, sha384_captls, sha384_openssl,
     16},
    {"sha512-16KiB", "MB/s", setup_nothing, sha512_captls, sha512_openssl,
     16},
    {"aes-128-gcm-16KiB", "MB/s", setup_aead, gcm_captls, gcm_openssl, 8},
    {"chacha20-poly1305-16KiB", "MB/s", setup_aead, chacha_captls,
     chacha_openssl, 8},
};
#define N_CRYPTO (sizeof(crypto_cases) / sizeof(crypto_cases[0]))

/* What callgrind counts (--toggle-collect=callgrind_run): keep it a real
 * call. */
__attribute__((noinline)) void callgrind_run(void (*fn)(void), unsigned long n);
__attribute__((noinline)) void callgrind_run(void (*fn)(void), unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        fn();
}

static void row(const char *name, const char *unit, double mine,
                double theirs)
{
    if (theirs > 0)
        printf("%s,%s,%.0f,%.0f,%.2f\n", name, unit, mine, theirs,
               mine / theirs);
    else
        printf("%s,%s,%.0f,-,-\n", name, unit, mine);
    fflush(stdout);
}

static int callgrind_mode(const char *name, const char *count)
{
    char *end;
    unsigned long n = strtoul(count, &end, 10);
    if (*end != '\0' || n == 0) {
        fprintf(stderr, "captls-bench: --callgrind CASE N: bad N\n");
        return 2;
    }
    for (size_t i = 0; i < N_CRYPTO; i++)
        if (strcmp(crypto_cases[i].name, name) == 0) {
            crypto_cases[i].setup();
            callgrind_run(crypto_cases[i].mine, n);
            return 0;
        }
    fprintf(stderr, "captls-bench: no case '%s' (see --list)\n", name);
    return 2;
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 31u + 7u);
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < N_CRYPTO; i++)
            printf("%s\n", crypto_cases[i].name);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "--callgrind") == 0)
        return callgrind_mode(argv[2], argv[3]);
    if (argc > 2) {
        fprintf(stderr, "usage: captls-bench [SECONDS_PER_CASE] | --list | "
                        "--callgrind CASE N\n");
        return 2;
    }
    if (argc > 1) {
        seconds_per_case = atof(argv[1]);
        if (seconds_per_case <= 0 || seconds_per_case > 60) {
            fprintf(stderr, "usage: captls-bench [SECONDS_PER_CASE 0..60]\n");
            return 2;
        }
    }

    /* CAPTLS_CRYPTO=portable: the portable rows from the same binary. */
    captls_posix_crypto_from_env();
    printf("case,unit,captls,openssl,ratio\n");
    double mb = (double)sizeof(buf) / 1e6;
    /* CAPTLS_BENCH_ONLY=SUBSTRING: only the crypto rows whose name holds
     * it (e.g. "rsa"), nothing else. */
    const char *only = getenv("CAPTLS_BENCH_ONLY");
    if (only != NULL && *only != '\0') {
        for (size_t i = 0; i < N_CRYPTO; i++) {
            const bench_case *c = &crypto_cases[i];
            if (strstr(c->name, only) == NULL)
                continue;
            c->setup();
            row(c->name, c->unit, rate(c->mine, c->batch),
                rate(c->theirs, c->batch));
        }
        return 0;
    }
    row("sha256-16KiB", "MB/s", rate(sha256_captls, 16) * mb,
        rate(sha256_openssl, 16) * mb);
    row("hmac-sha256-64B", "ops/s", rate(hmac_captls, 256),
        rate(hmac_openssl, 256));

    for (size_t i = 0; i < N_CRYPTO; i++) {
        const bench_case *c = &crypto_cases[i];
        c->setup();
        double scale = strcmp(c->unit, "MB/s") == 0 ? mb : 1.0;
        row(c->name, c->unit, rate(c->mine, c->batch) * scale,
            rate(c->theirs, c->batch) * scale);
    }

    static int object;
    if (captls_cap_table_init(&table, slots, 256) != CAPTLS_OK)
        return 1;
    for (int i = 0; i < 200; i++) /* a realistically populated table */
        if (captls_cap_mint(&table, 1, CAPTLS_IFACE_ECHO, &object,
                            CAPTLS_RIGHTS_ALL, &handle) != CAPTLS_OK)
            return 1;
    row("cap-lookup", "ops/s", rate(cap_lookup, 4096), 0);

    captls_ipc_frame f;
    memset(&f, 0, sizeof(f));
    f.kind = CAPTLS_IPC_CALL;
    f.iface = CAPTLS_IFACE_ECHO;
    f.ncaps = 1;
    f.caps[0] = handle;
    f.payload = buf;
    f.payload_len = 64;
    if (captls_ipc_frame_encode(&f, frame, sizeof(frame), &frame_len) !=
        CAPTLS_OK)
        return 1;
    row("ipc-frame-decode+encode-64B", "ops/s", rate(ipc_round_trip, 4096), 0);
    return 0;
}
