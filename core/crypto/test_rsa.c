/* Unit tests of core/crypto/rsa.c against OpenSSL: keys made with
 * OpenSSL's keygen in the test (2048 bits, and 2049 bits so that
 * emLen = k - 1 in EMSA-PSS), PKCS#1 v1.5 and PSS signatures made by
 * OpenSSL verified by captls and PSS signatures made by captls verified by
 * OpenSSL (salt lengths 0, 32, hLen, max; MGF1 hash = and != hash),
 * tampering, wrong salt length, weak and inconsistent keys. */
/* RSA_set0_* build the exact-size test key (deprecated in 3.0, fine here) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "core/crypto/rsa.h"

typedef struct rsa_fixture {
    EVP_PKEY *pkey;
    captls_rsa_public_key pub;
    captls_rsa_private_key priv;
    uint8_t parts[8][600];
    size_t lens[8];
} rsa_fixture;

static size_t get_bn(EVP_PKEY *k, const char *name, uint8_t *out)
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
    int n = BN_bn2bin(bn, out);
    BN_clear_free(bn);
    return (size_t)n;
}

/* A key whose modulus has exactly `bits` bits. OpenSSL's keygen only makes
 * moduli of a multiple-of-8-friendly size (2049 comes back as 2048), so the
 * primes are drawn here: p of ceil(bits/2) and q of floor(bits/2) bits, each
 * with its top two bits set, give an n of exactly `bits` bits. */
static EVP_PKEY *keygen_exact(unsigned bits)
{
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *p = BN_new(), *q = BN_new(), *e = BN_new(), *n = BN_new();
    BIGNUM *d = BN_new(), *dp = BN_new(), *dq = BN_new(), *iq = BN_new();
    BIGNUM *p1 = BN_new(), *q1 = BN_new(), *phi = BN_new();
    RSA *rsa = RSA_new();
    EVP_PKEY *k = EVP_PKEY_new();

    assert_int_equal(BN_set_word(e, 65537), 1);
    for (;;) {
        assert_int_equal(BN_generate_prime_ex(p, (int)(bits + 1) / 2, 0,
                                              NULL, NULL, NULL),
                         1);
        assert_int_equal(BN_generate_prime_ex(q, (int)bits / 2, 0, NULL,
                                              NULL, NULL),
                         1);
        assert_int_equal(BN_mul(n, p, q, bc), 1);
        assert_int_equal(BN_sub(p1, p, BN_value_one()), 1);
        assert_int_equal(BN_sub(q1, q, BN_value_one()), 1);
        assert_int_equal(BN_mul(phi, p1, q1, bc), 1);
        if ((unsigned)BN_num_bits(n) == bits &&
            BN_mod_inverse(d, e, phi, bc) != NULL && BN_cmp(p, q) != 0)
            break;
    }
    assert_int_equal(BN_mod(dp, d, p1, bc), 1);
    assert_int_equal(BN_mod(dq, d, q1, bc), 1);
    assert_non_null(BN_mod_inverse(iq, q, p, bc));
    assert_int_equal(RSA_set0_key(rsa, n, e, d), 1);
    assert_int_equal(RSA_set0_factors(rsa, p, q), 1);
    assert_int_equal(RSA_set0_crt_params(rsa, dp, dq, iq), 1);
    assert_int_equal(EVP_PKEY_assign_RSA(k, rsa), 1);
    BN_free(p1);
    BN_free(q1);
    BN_free(phi);
    BN_CTX_free(bc);
    return k;
}

static rsa_fixture *make(unsigned bits)
{
    rsa_fixture *f = calloc(1, sizeof *f);
    static const char *names[7] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    assert_non_null(f);
    if (bits % 8 == 0) {
        f->pkey = EVP_RSA_gen(bits);
        assert_non_null(f->pkey);
    } else {
        f->pkey = keygen_exact(bits);
    }
    assert_int_equal(EVP_PKEY_get_bits(f->pkey), (int)bits);
    for (int i = 0; i < 7; i++)
        f->lens[i] = get_bn(f->pkey, names[i], f->parts[i]);
    assert_int_equal(captls_rsa_public_key_init(&f->pub, f->parts[0],
                                                f->lens[0], f->parts[1],
                                                f->lens[1]),
                     CAPTLS_OK);
    assert_int_equal(f->pub.bits, bits);
    /* BearSSL's iq is q^-1 mod p, OpenSSL's coefficient1 likewise */
    assert_int_equal(captls_rsa_private_key_init(
                         &f->priv, f->parts[2], f->lens[2], f->parts[3],
                         f->lens[3], f->parts[4], f->lens[4], f->parts[5],
                         f->lens[5], f->parts[6], f->lens[6], f->parts[1],
                         f->lens[1]),
                     CAPTLS_OK);
    assert_memory_equal(f->priv.pub.n, f->pub.n, f->pub.n_len);
    return f;
}

static int setup(void **state)
{
    rsa_fixture **fs = calloc(2, sizeof *fs);
    fs[0] = make(2048);
    fs[1] = make(2049);
    *state = fs;
    return 0;
}

static int teardown(void **state)
{
    rsa_fixture **fs = *state;
    for (int i = 0; i < 2; i++) {
        captls_rsa_private_key_destroy(&fs[i]->priv);
        EVP_PKEY_free(fs[i]->pkey);
        free(fs[i]);
    }
    free(fs);
    return 0;
}

static const EVP_MD *md(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA256 ? EVP_sha256()
           : h == CAPTLS_HASH_SHA384 ? EVP_sha384()
                                     : EVP_sha512();
}

/* pss_salt < -3: PKCS#1 v1.5; otherwise PSS with that salt length. */
static size_t ossl_sign(EVP_PKEY *k, captls_hash_alg h, captls_hash_alg mgf,
                        int pss_salt, const uint8_t *msg, size_t len,
                        uint8_t *sig)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    size_t sl = 600;
    assert_int_equal(EVP_DigestSignInit(c, &pc, md(h), NULL, k), 1);
    if (pss_salt >= -3) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc,
                                                      RSA_PKCS1_PSS_PADDING),
                         1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, pss_salt), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md(mgf)), 1);
    }
    assert_int_equal(EVP_DigestSign(c, sig, &sl, msg, len), 1);
    EVP_MD_CTX_free(c);
    return sl;
}

static int ossl_pss_verify(EVP_PKEY *k, captls_hash_alg h,
                           captls_hash_alg mgf, int salt, const uint8_t *msg,
                           size_t len, const uint8_t *sig, size_t sl)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int r;
    assert_int_equal(EVP_DigestVerifyInit(c, &pc, md(h), NULL, k), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING),
                     1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, salt), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md(mgf)), 1);
    r = EVP_DigestVerify(c, sig, sl, msg, len);
    EVP_MD_CTX_free(c);
    return r;
}

static void test_pkcs1_from_openssl(void **state)
{
    rsa_fixture **fs = *state;
    uint8_t msg[200], sig[600];
    for (int f = 0; f < 2; f++) {
        const captls_rsa_public_key *pub = &fs[f]->pub;
        for (int h = 1; h <= 3; h++) {
            captls_hash_alg hash = (captls_hash_alg)h;
            assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
            size_t sl = ossl_sign(fs[f]->pkey, hash, hash, -100, msg,
                                  sizeof msg, sig);
            assert_int_equal(sl, pub->n_len);
            assert_int_equal(captls_rsa_pkcs1_verify(pub, hash, msg,
                                                     sizeof msg, sig, sl),
                             CAPTLS_OK);
            msg[5] ^= 1;
            assert_int_equal(captls_rsa_pkcs1_verify(pub, hash, msg,
                                                     sizeof msg, sig, sl),
                             CAPTLS_ERR_BAD_SIGNATURE);
            msg[5] ^= 1;
            for (size_t i = 0; i < sl; i += 31) {
                sig[i] ^= 0x20;
                assert_int_equal(captls_rsa_pkcs1_verify(pub, hash, msg,
                                                         sizeof msg, sig, sl),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                sig[i] ^= 0x20;
            }
            assert_int_equal(captls_rsa_pkcs1_verify(pub, hash, msg,
                                                     sizeof msg, sig, sl - 1),
                             CAPTLS_ERR_BAD_SIGNATURE);
            assert_int_equal(captls_rsa_pkcs1_verify(pub, hash, msg,
                                                     sizeof msg, sig, sl + 1),
                             CAPTLS_ERR_BAD_SIGNATURE);
            assert_int_equal(
                captls_rsa_pkcs1_verify(pub,
                                        h == 1 ? CAPTLS_HASH_SHA512
                                               : CAPTLS_HASH_SHA256,
                                        msg, sizeof msg, sig, sl),
                CAPTLS_ERR_BAD_SIGNATURE);
            /* a PKCS#1 signature is not a PSS signature */
            assert_int_equal(captls_rsa_pss_verify(pub, hash, hash,
                                                   CAPTLS_RSA_PSS_SALT_AUTO,
                                                   msg, sizeof msg, sig, sl),
                             CAPTLS_ERR_BAD_SIGNATURE);
        }
        /* signature value >= n */
        memset(sig, 0xff, pub->n_len);
        assert_int_equal(captls_rsa_pkcs1_verify(pub, CAPTLS_HASH_SHA256, msg,
                                                 sizeof msg, sig, pub->n_len),
                         CAPTLS_ERR_BAD_SIGNATURE);
        assert_int_equal(captls_rsa_pkcs1_verify(pub, CAPTLS_HASH_NONE, msg,
                                                 sizeof msg, sig, pub->n_len),
                         CAPTLS_ERR_UNSUPPORTED);
    }
}

static void test_pss_from_openssl(void **state)
{
    rsa_fixture **fs = *state;
    uint8_t msg[100], sig[600];
    for (int f = 0; f < 2; f++) {
        const captls_rsa_public_key *pub = &fs[f]->pub;
        size_t em_len = (pub->bits - 1 + 7) / 8;
        for (int h = 1; h <= 3; h++) {
            captls_hash_alg hash = (captls_hash_alg)h;
            size_t hl = captls_hash_size(hash);
            size_t salts[4] = {0, 32, hl, em_len - hl - 2};
            for (int si = 0; si < 4; si++) {
                captls_hash_alg mgf = si == 1 ? CAPTLS_HASH_SHA256 : hash;
                if (si == 2 && h == 1)
                    mgf = CAPTLS_HASH_SHA512; /* MGF1 hash != hash */
                assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
                size_t sl = ossl_sign(fs[f]->pkey, hash, mgf,
                                      si == 3 ? RSA_PSS_SALTLEN_MAX
                                              : (int)salts[si],
                                      msg, sizeof msg, sig);
                assert_int_equal(captls_rsa_pss_verify(pub, hash, mgf,
                                                       salts[si], msg,
                                                       sizeof msg, sig, sl),
                                 CAPTLS_OK);
                assert_int_equal(captls_rsa_pss_verify(
                                     pub, hash, mgf, CAPTLS_RSA_PSS_SALT_AUTO,
                                     msg, sizeof msg, sig, sl),
                                 CAPTLS_OK);
                /* wrong salt length, wrong MGF1 hash, wrong hash */
                assert_int_equal(captls_rsa_pss_verify(pub, hash, mgf,
                                                       salts[si] + 1, msg,
                                                       sizeof msg, sig, sl),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                if (salts[si] > 0)
                    assert_int_equal(
                        captls_rsa_pss_verify(pub, hash, mgf, salts[si] - 1,
                                              msg, sizeof msg, sig, sl),
                        CAPTLS_ERR_BAD_SIGNATURE);
                assert_int_equal(
                    captls_rsa_pss_verify(pub, hash,
                                          mgf == CAPTLS_HASH_SHA384
                                              ? CAPTLS_HASH_SHA256
                                              : CAPTLS_HASH_SHA384,
                                          salts[si], msg, sizeof msg, sig,
                                          sl),
                    CAPTLS_ERR_BAD_SIGNATURE);
                assert_int_equal(
                    captls_rsa_pss_verify(pub,
                                          hash == CAPTLS_HASH_SHA384
                                              ? CAPTLS_HASH_SHA256
                                              : CAPTLS_HASH_SHA384,
                                          mgf, CAPTLS_RSA_PSS_SALT_AUTO, msg,
                                          sizeof msg, sig, sl),
                    CAPTLS_ERR_BAD_SIGNATURE);
                /* tampering */
                msg[99] ^= 0x80;
                assert_int_equal(captls_rsa_pss_verify(pub, hash, mgf,
                                                       salts[si], msg,
                                                       sizeof msg, sig, sl),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                msg[99] ^= 0x80;
                sig[sl / 2] ^= 1;
                assert_int_equal(captls_rsa_pss_verify(pub, hash, mgf,
                                                       salts[si], msg,
                                                       sizeof msg, sig, sl),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                sig[sl / 2] ^= 1;
                assert_int_equal(captls_rsa_pss_verify(pub, hash, mgf,
                                                       salts[si], msg,
                                                       sizeof msg, sig,
                                                       sl - 1),
                                 CAPTLS_ERR_BAD_SIGNATURE);
                /* PSS is not PKCS#1 v1.5 */
                assert_int_equal(captls_rsa_pkcs1_verify(pub, hash, msg,
                                                         sizeof msg, sig, sl),
                                 CAPTLS_ERR_BAD_SIGNATURE);
            }
        }
    }
}

static void test_pss_sign_to_openssl(void **state)
{
    rsa_fixture **fs = *state;
    uint8_t msg[77], sig[600], sig2[600], salt[600];
    size_t sl, sl2;
    for (int f = 0; f < 2; f++) {
        const captls_rsa_private_key *priv = &fs[f]->priv;
        size_t em_len = (priv->pub.bits - 1 + 7) / 8;
        for (int h = 1; h <= 3; h++) {
            captls_hash_alg hash = (captls_hash_alg)h;
            size_t hl = captls_hash_size(hash);
            size_t salts[4] = {0, 32, hl, em_len - hl - 2};
            for (int si = 0; si < 4; si++) {
                assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
                assert_int_equal(RAND_bytes(salt, sizeof salt), 1);
                assert_int_equal(captls_rsa_pss_sign(priv, hash, hash, salt,
                                                     salts[si], msg,
                                                     sizeof msg, sig,
                                                     sizeof sig, &sl),
                                 CAPTLS_OK);
                assert_int_equal(sl, priv->pub.n_len);
                assert_int_equal(ossl_pss_verify(fs[f]->pkey, hash, hash,
                                                 (int)salts[si], msg,
                                                 sizeof msg, sig, sl),
                                 1);
                assert_int_equal(captls_rsa_pss_verify(&priv->pub, hash, hash,
                                                       salts[si], msg,
                                                       sizeof msg, sig, sl),
                                 CAPTLS_OK);
                /* same salt, same signature (the salt is the only
                 * randomness) */
                assert_int_equal(captls_rsa_pss_sign(priv, hash, hash, salt,
                                                     salts[si], msg,
                                                     sizeof msg, sig2,
                                                     sizeof sig2, &sl2),
                                 CAPTLS_OK);
                assert_memory_equal(sig, sig2, sl);
            }
            /* salt one byte too long for the modulus: encoding error */
            memset(sig, 0xee, sizeof sig);
            sl = 999;
            assert_int_equal(captls_rsa_pss_sign(priv, hash, hash, salt,
                                                 em_len - hl - 1, msg,
                                                 sizeof msg, sig, sizeof sig,
                                                 &sl),
                             CAPTLS_ERR_INVALID_ARGUMENT);
            assert_int_equal(sig[0], 0xee);
            assert_int_equal(sl, 999);
        }
        assert_int_equal(captls_rsa_pss_sign(priv, CAPTLS_HASH_SHA256,
                                             CAPTLS_HASH_SHA256, salt, 32, msg,
                                             sizeof msg, sig,
                                             priv->pub.n_len - 1, &sl),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
    }
}

/* 4096-bit keys (2048-bit factors) load: BearSSL 0.6's i31 modulus
 * computation refuses them, so the key loader must not depend on it. */
static void test_private_key_4096(void **state)
{
    (void)state;
    rsa_fixture *f = make(4096);
    uint8_t salt[32] = {1, 2, 3}, sig[512];
    size_t sig_len = 0;
    static const uint8_t msg[] = "four thousand and ninety-six";
    assert_int_equal(captls_rsa_pss_sign(&f->priv, CAPTLS_HASH_SHA256,
                                         CAPTLS_HASH_SHA256, salt,
                                         sizeof salt, msg, sizeof msg, sig,
                                         sizeof sig, &sig_len),
                     CAPTLS_OK);
    assert_int_equal(sig_len, 512);
    assert_int_equal(captls_rsa_pss_verify(&f->pub, CAPTLS_HASH_SHA256,
                                           CAPTLS_HASH_SHA256, sizeof salt,
                                           msg, sizeof msg, sig, sig_len),
                     CAPTLS_OK);
    captls_rsa_private_key_destroy(&f->priv);
    EVP_PKEY_free(f->pkey);
    free(f);
}

static void test_bad_keys(void **state)
{
    rsa_fixture **fs = *state;
    rsa_fixture *f = fs[0];
    captls_rsa_public_key pub;
    captls_rsa_private_key priv;
    uint8_t n[600], e[8];

    /* 1024-bit modulus: weak (use the top half of a real modulus, odd) */
    memcpy(n, f->parts[0], 128);
    n[127] |= 1;
    e[0] = 1; e[1] = 0; e[2] = 1;
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 128, e, 3),
                     CAPTLS_ERR_WEAK_KEY);
    /* 2047 bits: still weak */
    memcpy(n, f->parts[0], 256);
    n[0] = 0x7f;
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 256, e, 3),
                     CAPTLS_ERR_WEAK_KEY);
    /* leading zero bytes are fine */
    n[0] = 0;
    memcpy(n + 1, f->parts[0], 256);
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 257, e, 3),
                     CAPTLS_OK);
    assert_int_equal(pub.n_len, 256);
    /* too large */
    memset(n, 0xff, 513);
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 513, e, 3),
                     CAPTLS_ERR_UNSUPPORTED);
    /* even modulus, even exponent, e = 1, e too wide, empty */
    memcpy(n, f->parts[0], 256);
    n[255] &= 0xfe;
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 256, e, 3),
                     CAPTLS_ERR_INVALID_KEY);
    n[255] |= 1;
    e[2] = 2;
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 256, e, 3),
                     CAPTLS_ERR_INVALID_KEY);
    e[0] = 1;
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 256, e, 1),
                     CAPTLS_ERR_INVALID_KEY);
    memset(e, 1, 5);
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 256, e, 5),
                     CAPTLS_ERR_INVALID_KEY);
    assert_int_equal(captls_rsa_public_key_init(&pub, n, 0, e, 3),
                     CAPTLS_ERR_INVALID_KEY);
    /* inconsistent CRT component: dq flipped */
    f->parts[5][10] ^= 4;
    assert_int_equal(captls_rsa_private_key_init(
                         &priv, f->parts[2], f->lens[2], f->parts[3],
                         f->lens[3], f->parts[4], f->lens[4], f->parts[5],
                         f->lens[5], f->parts[6], f->lens[6], f->parts[1],
                         f->lens[1]),
                     CAPTLS_ERR_INVALID_KEY);
    f->parts[5][10] ^= 4;
    /* the failed init left nothing behind */
    for (size_t i = 0; i < sizeof priv; i++)
        assert_int_equal(((uint8_t *)&priv)[i], 0);
    /* destroy wipes */
    assert_int_equal(captls_rsa_private_key_init(
                         &priv, f->parts[2], f->lens[2], f->parts[3],
                         f->lens[3], f->parts[4], f->lens[4], f->parts[5],
                         f->lens[5], f->parts[6], f->lens[6], f->parts[1],
                         f->lens[1]),
                     CAPTLS_OK);
    captls_rsa_private_key_destroy(&priv);
    for (size_t i = 0; i < sizeof priv; i++)
        assert_int_equal(((uint8_t *)&priv)[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkcs1_from_openssl),
        cmocka_unit_test(test_pss_from_openssl),
        cmocka_unit_test(test_pss_sign_to_openssl),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_private_key_4096),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
