/* Differential tests against OpenSSL: RSA PKCS#1 v1.5 and PSS verification
 * and PSS signing (core/crypto/rsa.h, with keys read through
 * core/crypto/spki.h from OpenSSL's DER SubjectPublicKeyInfo).
 *
 * Keys are generated once per run by OpenSSL, e = 65537, sizes from
 * CAPTLS_DIFF_RSA_BITS (default "2048 3072"; `make conformance` adds 4096).
 * Per key size N/10 cases run, or CAPTLS_DIFF_RSA_CASES when set (signing
 * is slow: 200 per size in `make test`; `make conformance` runs 2,000 per
 * size for 2048, 3072 and 4096 bits).
 * Each case: OpenSSL signs a random message (PKCS#1 v1.5, or PSS with a
 * random hash, MGF1 hash and salt length), captls must accept it; then
 * one tampering — a bit flipped in message, signature or modulus, the
 * signature truncated or extended, another hash, another salt length —
 * must get the same verdict from both. And captls signs with PSS (its own
 * salt) and OpenSSL must accept that with the exact salt length; for
 * PKCS#1 v1.5 cases captls also signs the message and its signature must
 * equal OpenSSL's byte for byte (the scheme is deterministic, so this
 * compares the private operations exactly).
 * Every case runs on each RSA path (core/crypto/rsa_fast.h): the 64-bit
 * code with the BMI2/ADX rows (when the CPU has them), with the portable C
 * rows, and BearSSL's fallback. Seed and case count: see diff_rng.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "conformance/diff_rng.h"
#include "core/crypto/rsa.h"
#include "core/crypto/rsa_fast.h"
#include "core/crypto/spki.h"

static const EVP_MD *md_of(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA256   ? EVP_sha256()
           : h == CAPTLS_HASH_SHA384 ? EVP_sha384()
                                     : EVP_sha512();
}

typedef struct params {
    int pss;
    captls_hash_alg hash, mgf;
    size_t salt;
} params;

/* OpenSSL sign (sig != NULL) or verify with pk. Returns 1 on success. */
static int ref_op(EVP_PKEY *pk, const params *p, const uint8_t *msg,
                  size_t len, uint8_t *sig, size_t *sig_len,
                  const uint8_t *vsig, size_t vsig_len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok = c != NULL;
    if (ok && sig != NULL)
        ok = EVP_DigestSignInit(c, &pc, md_of(p->hash), NULL, pk) == 1;
    else if (ok)
        ok = EVP_DigestVerifyInit(c, &pc, md_of(p->hash), NULL, pk) == 1;
    if (ok && p->pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md_of(p->mgf)) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, (int)p->salt) == 1;
    if (ok && sig != NULL)
        ok = EVP_DigestSign(c, sig, sig_len, msg, len) == 1;
    else if (ok)
        ok = EVP_DigestVerify(c, vsig, vsig_len, msg, len) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

/* An OpenSSL public key from big-endian n, e (NULL if refused). */
static EVP_PKEY *ref_pub(const uint8_t *n, size_t n_len, const uint8_t *e,
                         size_t e_len)
{
    EVP_PKEY *pk = NULL;
    BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *be = BN_bin2bn(e, (int)e_len,
                                                                 NULL);
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *prm = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (bn && be && b && c &&
        OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
        OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be) == 1 &&
        (prm = OSSL_PARAM_BLD_to_param(b)) != NULL &&
        EVP_PKEY_fromdata_init(c) == 1 &&
        EVP_PKEY_fromdata(c, &pk, EVP_PKEY_PUBLIC_KEY, prm) != 1)
        pk = NULL;
    OSSL_PARAM_free(prm);
    OSSL_PARAM_BLD_free(b);
    EVP_PKEY_CTX_free(c);
    BN_free(bn);
    BN_free(be);
    return pk;
}

typedef struct rkey {
    unsigned bits;
    EVP_PKEY *pk;
    uint8_t spki[CAPTLS_SPKI_MAX_SIZE];
    size_t spki_len;
    captls_rsa_public_key pub;
    captls_rsa_private_key priv;
} rkey;

static void bn_param(EVP_PKEY *pk, const char *name, uint8_t *out,
                     size_t *len)
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(pk, name, &bn), 1);
    int n = BN_bn2bin(bn, out);
    assert_true(n > 0);
    *len = (size_t)n;
    BN_clear_free(bn);
}

static void make_key(rkey *k, unsigned bits)
{
    k->bits = bits;
    k->pk = EVP_RSA_gen(bits);
    assert_non_null(k->pk);
    uint8_t *p = k->spki;
    int n = i2d_PUBKEY(k->pk, NULL);
    assert_true(n > 0 && (size_t)n <= sizeof(k->spki));
    k->spki_len = (size_t)i2d_PUBKEY(k->pk, &p);
    /* the captls side reads the key the way the shim and X.509 do */
    captls_public_key pk;
    assert_int_equal(captls_spki_parse(k->spki, k->spki_len, &pk, NULL),
                     CAPTLS_OK);
    assert_int_equal(pk.type, CAPTLS_KEY_RSA);
    assert_int_equal(captls_rsa_public_key_init(&k->pub, pk.rsa_n.ptr,
                                                pk.rsa_n.len, pk.rsa_e.ptr,
                                                pk.rsa_e.len),
                     CAPTLS_OK);
    static uint8_t c[6][CAPTLS_RSA_MAX_BYTES];
    size_t l[6];
    bn_param(k->pk, OSSL_PKEY_PARAM_RSA_FACTOR1, c[0], &l[0]);
    bn_param(k->pk, OSSL_PKEY_PARAM_RSA_FACTOR2, c[1], &l[1]);
    bn_param(k->pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, c[2], &l[2]);
    bn_param(k->pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, c[3], &l[3]);
    bn_param(k->pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, c[4], &l[4]);
    bn_param(k->pk, OSSL_PKEY_PARAM_RSA_E, c[5], &l[5]);
    captls_result r = captls_rsa_private_key_init(&k->priv, c[0], l[0], c[1],
                                                  l[1], c[2], l[2], c[3],
                                                  l[3], c[4], l[4], c[5],
                                                  l[5]);
    memset(c, 0, sizeof(c));
    if (r != CAPTLS_OK)
        fail_msg("rsa-%u: captls_rsa_private_key_init refuses OpenSSL's "
                 "key: %s", bits, captls_result_name(r));
}

static size_t pick_salt(captls_diff_rng *rng, const rkey *k,
                        captls_hash_alg h)
{
    size_t hlen = captls_hash_size(h);
    size_t em = (k->bits - 1 + 7) / 8, max = em - hlen - 2;
    switch (captls_diff_below(rng, 5)) {
    case 0: return 0;
    case 1: return 20;
    case 2: return max;
    case 3: return captls_diff_below(rng, max + 1);
    default: return hlen; /* TLS 1.3 */
    }
}

static int mine_verify(const captls_rsa_public_key *pub, const params *p,
                       const uint8_t *msg, size_t len, const uint8_t *sig,
                       size_t sig_len)
{
    captls_result r =
        p->pss ? captls_rsa_pss_verify(pub, p->hash, p->mgf, p->salt, msg, len,
                                       sig, sig_len)
               : captls_rsa_pkcs1_verify(pub, p->hash, msg, len, sig, sig_len);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_BAD_SIGNATURE &&
        r != CAPTLS_ERR_INVALID_ARGUMENT)
        fail_msg("rsa verify returned %d", (int)r);
    return r == CAPTLS_OK;
}

static void report(const char *what, size_t i, const rkey *k, const params *p,
                   const uint8_t *msg, size_t len, const uint8_t *sig,
                   size_t sig_len)
{
    printf("rsa-%u %s: case %zu: %s hash %d mgf %d salt %zu\n", k->bits, what,
           i, p->pss ? "pss" : "pkcs1", (int)p->hash, (int)p->mgf, p->salt);
    captls_diff_dump("spki", k->spki, k->spki_len);
    captls_diff_dump("msg", msg, len);
    captls_diff_dump("sig", sig, sig_len);
}

static void run_key(rkey *k, captls_diff_rng *rng, size_t n)
{
    static uint8_t msg[600], sig[CAPTLS_RSA_MAX_BYTES + 2];
    for (size_t i = 0; i < n; i++) {
        params p = {(int)captls_diff_below(rng, 2),
                    (captls_hash_alg)(1 + captls_diff_below(rng, 3)),
                    (captls_hash_alg)(1 + captls_diff_below(rng, 3)), 0};
        if (p.pss)
            p.salt = pick_salt(rng, k, p.hash);
        size_t len = captls_diff_len(rng, 512), sig_len = sizeof(sig) - 1;
        captls_diff_bytes(rng, msg, len);
        assert_true(ref_op(k->pk, &p, msg, len, sig, &sig_len, NULL, 0));
        if (!mine_verify(&k->pub, &p, msg, len, sig, sig_len)) {
            report("captls rejects OpenSSL's signature", i, k, &p, msg, len,
                   sig, sig_len);
            fail();
        }
        if (!p.pss) {
            static uint8_t mine[CAPTLS_RSA_MAX_BYTES];
            size_t mine_len = 0;
            assert_int_equal(captls_rsa_pkcs1_sign(&k->priv, p.hash, msg, len,
                                                   mine, sizeof(mine),
                                                   &mine_len),
                             CAPTLS_OK);
            if (mine_len != sig_len || memcmp(mine, sig, sig_len) != 0) {
                report("captls's PKCS#1 signature differs from OpenSSL's", i,
                       k, &p, msg, len, sig, sig_len);
                captls_diff_dump("captls", mine, mine_len);
                fail();
            }
        }
        /* one tampering */
        const char *what;
        params t = p;
        size_t tlen = len;
        captls_rsa_public_key tpub = k->pub;
        EVP_PKEY *tpk = k->pk;
        switch (i % 7) {
        case 0: what = "flipped message";
            if (len == 0) msg[tlen++] = 1; else captls_diff_flip(rng, msg, len);
            break;
        case 1: what = "flipped signature";
            captls_diff_flip(rng, sig, sig_len); break;
        case 2: what = "truncated signature";
            sig_len = captls_diff_below(rng, sig_len); break;
        case 3: what = "extended signature";
            sig[sig_len++] = (uint8_t)captls_diff_u64(rng); break;
        case 4: what = "other hash";
            t.hash = (captls_hash_alg)(1 + (p.hash % 3)); break;
        case 5: what = "flipped modulus";
            /* keep n odd and its top bit: flip a middle bit */
            tpub.n[1 + captls_diff_below(rng, tpub.n_len - 2)] ^=
                (uint8_t)(1u << captls_diff_below(rng, 8));
            /* a key is built by init (which precomputes from n), not by
             * editing its bytes */
            {
                uint8_t fn[CAPTLS_RSA_MAX_BYTES];
                memcpy(fn, tpub.n, tpub.n_len);
                assert_int_equal(captls_rsa_public_key_init(
                                     &tpub, fn, k->pub.n_len, k->pub.e,
                                     k->pub.e_len),
                                 CAPTLS_OK);
            }
            tpk = ref_pub(tpub.n, tpub.n_len, tpub.e, tpub.e_len);
            assert_non_null(tpk);
            break;
        default: what = "other salt length";
            if (p.pss) t.salt = p.salt == 0 ? 1 : p.salt - 1;
            else t.pss = 1, t.salt = captls_hash_size(p.hash);
            break;
        }
        int mine = mine_verify(&tpub, &t, msg, tlen, sig, sig_len);
        int ref = ref_op(tpk, &t, msg, tlen, NULL, NULL, sig, sig_len);
        if (tpk != k->pk)
            EVP_PKEY_free(tpk);
        if (mine != ref || mine) {
            report(what, i, k, &t, msg, tlen, sig, sig_len);
            printf("  captls %s, openssl %s\n", mine ? "valid" : "invalid",
                   ref ? "valid" : "invalid");
            fail();
        }

        /* captls signs with PSS, OpenSSL verifies (exact salt length) */
        params s = {1, (captls_hash_alg)(1 + captls_diff_below(rng, 3)),
                    (captls_hash_alg)(1 + captls_diff_below(rng, 3)), 0};
        s.salt = pick_salt(rng, k, s.hash);
        uint8_t salt[CAPTLS_RSA_MAX_BYTES];
        captls_diff_bytes(rng, salt, s.salt);
        assert_int_equal(captls_rsa_pss_sign(&k->priv, s.hash, s.mgf, salt,
                                             s.salt, msg, len, sig,
                                             sizeof(sig), &sig_len),
                         CAPTLS_OK);
        if (!ref_op(k->pk, &s, msg, len, NULL, NULL, sig, sig_len)) {
            report("OpenSSL rejects captls's PSS signature", i, k, &s, msg,
                   len, sig, sig_len);
            fail();
        }
    }
}

static void test_diff_rsa(void **state)
{
    (void)state;
    const char *sizes = getenv("CAPTLS_DIFF_RSA_BITS");
    if (sizes == NULL || *sizes == '\0')
        sizes = "2048 3072";
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "rsa", 10);
    const char *rc = getenv("CAPTLS_DIFF_RSA_CASES");
    if (rc != NULL && atoi(rc) > 0)
        n = (size_t)atoi(rc);
    printf("diff rsa: key sizes %s, %zu cases each\n", sizes, n);
    static rkey k;
    for (const char *s = sizes; *s;) {
        char *end;
        unsigned long bits = strtoul(s, &end, 10);
        if (end == s)
            fail_msg("CAPTLS_DIFF_RSA_BITS: bad list '%s'", sizes);
        make_key(&k, (unsigned)bits);
        /* 0: AVX-512 IFMA CRT halves, 1: 64-bit with BMI2/ADX, 2: 64-bit
         * portable, 3: BearSSL */
        for (int path = 0; path < 4; path++) {
            captls_rsa_force_bearssl(path == 3);
            captls_rsa_force_portable(path == 2);
            captls_rsa_force_no_ifma(path != 0);
            if (path == 0 && !captls_rsa_uses_ifma(k.priv.fast.p.nl))
                continue;
            if (path == 1 && !captls_rsa_uses_adx())
                continue;
            if (path != 3 && !captls_rsa_fast_priv_ready(&k.priv))
                fail_msg("rsa-%lu: no 64-bit context", bits);
            printf("diff rsa: %lu bits, %s path\n", bits,
                   path == 0   ? "AVX-512 IFMA"
                   : path == 1 ? "BMI2/ADX"
                   : path == 2 ? "portable 64-bit"
                               : "BearSSL");
            run_key(&k, &rng, n);
        }
        captls_rsa_force_bearssl(false);
        captls_rsa_force_portable(false);
        captls_rsa_force_no_ifma(false);
        EVP_PKEY_free(k.pk);
        captls_rsa_private_key_destroy(&k.priv);
        s = end;
        while (*s == ' ')
            s++;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_rsa),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
