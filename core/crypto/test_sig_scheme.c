/* Unit tests of core/crypto/sig_scheme.c: the RFC 8446 §4.2.3 table and
 * captls_sig_verify over SPKIs parsed by core/crypto/spki.c from keys and
 * signatures made by OpenSSL (Ed25519, P-256, P-384, RSA rsaEncryption,
 * RSA id-RSASSA-PSS), with the scheme/key pairing rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/crypto/sig_scheme.h"

static void test_table(void **state)
{
    (void)state;
    size_t n;
    const captls_sig_scheme_info *t = captls_sig_scheme_table(&n);
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++)
        assert_ptr_equal(captls_sig_scheme_info_get(t[i].scheme), &t[i]);
    const captls_sig_scheme_info *i = captls_sig_scheme_info_get(0x0804);
    assert_string_equal(i->name, "rsa_pss_rsae_sha256");
    assert_int_equal(i->hash, CAPTLS_HASH_SHA256);
    assert_int_equal(i->key_type, CAPTLS_KEY_RSA);
    assert_int_equal(i->padding, CAPTLS_SIG_PAD_PSS);
    assert_string_equal(captls_sig_scheme_info_get(0x0807)->name, "ed25519");
    assert_string_equal(captls_sig_scheme_info_get(0x0503)->name,
                        "ecdsa_secp384r1_sha384");
    assert_int_equal(captls_sig_scheme_info_get(0x080b)->key_type,
                     CAPTLS_KEY_RSA_PSS);
    assert_null(captls_sig_scheme_info_get(0x0201)); /* rsa_pkcs1_sha1 */
    assert_null(captls_sig_scheme_info_get(0x0603)); /* secp521r1 */
    assert_null(captls_sig_scheme_info_get(0x0808)); /* ed448 */
    assert_null(captls_sig_scheme_info_get(0xffff));
}

typedef struct kv {
    EVP_PKEY *k;
    uint8_t der[1200];
    captls_public_key pub;
} kv;

static void load(kv *v, EVP_PKEY *k)
{
    uint8_t *p = v->der;
    v->k = k;
    assert_non_null(k);
    int n = i2d_PUBKEY(k, &p);
    assert_true(n > 0 && n <= (int)sizeof v->der);
    assert_int_equal(captls_spki_parse(v->der, (size_t)n, &v->pub, NULL),
                     CAPTLS_OK);
}

/* md NULL: Ed25519. pss_salt >= -1 selects PSS (-1: salt = hash length). */
static size_t sign(EVP_PKEY *k, const EVP_MD *md, int pss_salt,
                   const uint8_t *msg, size_t len, uint8_t *sig)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    size_t sl = 600;
    assert_int_equal(EVP_DigestSignInit(c, &pc, md, NULL, k), 1);
    if (pss_salt >= -1) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc,
                                                      RSA_PKCS1_PSS_PADDING),
                         1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, pss_salt), 1);
    }
    assert_int_equal(EVP_DigestSign(c, sig, &sl, msg, len), 1);
    EVP_MD_CTX_free(c);
    return sl;
}

static void test_verify_dispatch(void **state)
{
    (void)state;
    static kv ed, p256, p384, rsa, rsapss;
    uint8_t msg[64], sig[600];
    size_t sl;

    assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
    load(&ed, EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
    load(&p256, EVP_EC_gen("P-256"));
    load(&p384, EVP_EC_gen("P-384"));
    load(&rsa, EVP_RSA_gen(2048));
    {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA_PSS, NULL);
        EVP_PKEY *k = NULL;
        assert_int_equal(EVP_PKEY_keygen_init(c), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048), 1);
        assert_int_equal(EVP_PKEY_keygen(c, &k), 1);
        EVP_PKEY_CTX_free(c);
        load(&rsapss, k);
        assert_int_equal(rsapss.pub.type, CAPTLS_KEY_RSA_PSS);
    }

    sl = sign(ed.k, NULL, -100, msg, sizeof msg, sig);
    assert_int_equal(captls_sig_verify(0x0807, &ed.pub, msg, sizeof msg, sig,
                                       sl),
                     CAPTLS_OK);
    sig[3] ^= 1;
    assert_int_equal(captls_sig_verify(0x0807, &ed.pub, msg, sizeof msg, sig,
                                       sl),
                     CAPTLS_ERR_BAD_SIGNATURE);
    assert_int_equal(captls_sig_verify(0x0807, &ed.pub, msg, sizeof msg, sig,
                                       63),
                     CAPTLS_ERR_BAD_SIGNATURE);
    assert_int_equal(captls_sig_verify(0x0403, &ed.pub, msg, sizeof msg, sig,
                                       sl),
                     CAPTLS_ERR_INVALID_KEY);

    sl = sign(p256.k, EVP_sha256(), -100, msg, sizeof msg, sig);
    assert_int_equal(captls_sig_verify(0x0403, &p256.pub, msg, sizeof msg,
                                       sig, sl),
                     CAPTLS_OK);
    assert_int_equal(captls_sig_verify(0x0503, &p256.pub, msg, sizeof msg,
                                       sig, sl),
                     CAPTLS_ERR_INVALID_KEY); /* curve is part of the scheme */
    sl = sign(p384.k, EVP_sha384(), -100, msg, sizeof msg, sig);
    assert_int_equal(captls_sig_verify(0x0503, &p384.pub, msg, sizeof msg,
                                       sig, sl),
                     CAPTLS_OK);
    msg[0] ^= 1;
    assert_int_equal(captls_sig_verify(0x0503, &p384.pub, msg, sizeof msg,
                                       sig, sl),
                     CAPTLS_ERR_BAD_SIGNATURE);
    msg[0] ^= 1;

    const EVP_MD *mds[3] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (int h = 0; h < 3; h++) {
        uint16_t pkcs1 = (uint16_t)(0x0401 + 0x100 * h);
        uint16_t rsae = (uint16_t)(0x0804 + h), pss = (uint16_t)(0x0809 + h);
        sl = sign(rsa.k, mds[h], -100, msg, sizeof msg, sig);
        assert_int_equal(captls_sig_verify(pkcs1, &rsa.pub, msg, sizeof msg,
                                           sig, sl),
                         CAPTLS_OK);
        assert_int_equal(captls_sig_verify(rsae, &rsa.pub, msg, sizeof msg,
                                           sig, sl),
                         CAPTLS_ERR_BAD_SIGNATURE);
        sl = sign(rsa.k, mds[h], -1, msg, sizeof msg, sig);
        assert_int_equal(captls_sig_verify(rsae, &rsa.pub, msg, sizeof msg,
                                           sig, sl),
                         CAPTLS_OK);
        assert_int_equal(captls_sig_verify(pss, &rsa.pub, msg, sizeof msg,
                                           sig, sl),
                         CAPTLS_ERR_INVALID_KEY);
        /* TLS 1.3 pins the salt to the hash length */
        sl = sign(rsa.k, mds[h], 20, msg, sizeof msg, sig);
        assert_int_equal(captls_sig_verify(rsae, &rsa.pub, msg, sizeof msg,
                                           sig, sl),
                         CAPTLS_ERR_BAD_SIGNATURE);
        assert_int_equal(captls_sig_verify_alg(&rsa.pub, CAPTLS_SIG_PAD_PSS,
                                               (captls_hash_alg)(h + 1),
                                               (captls_hash_alg)(h + 1), 20,
                                               msg, sizeof msg, sig, sl),
                         CAPTLS_OK);
        sl = sign(rsapss.k, mds[h], -1, msg, sizeof msg, sig);
        assert_int_equal(captls_sig_verify(pss, &rsapss.pub, msg, sizeof msg,
                                           sig, sl),
                         CAPTLS_OK);
        assert_int_equal(captls_sig_verify(rsae, &rsapss.pub, msg, sizeof msg,
                                           sig, sl),
                         CAPTLS_ERR_INVALID_KEY);
        assert_int_equal(captls_sig_verify(pkcs1, &rsapss.pub, msg,
                                           sizeof msg, sig, sl),
                         CAPTLS_ERR_INVALID_KEY);
    }
    assert_int_equal(captls_sig_verify(0x0201, &rsa.pub, msg, sizeof msg, sig,
                                       sl),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_sig_verify(0x0804, NULL, msg, sizeof msg, sig,
                                       sl),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    EVP_PKEY_free(ed.k);
    EVP_PKEY_free(p256.k);
    EVP_PKEY_free(p384.k);
    EVP_PKEY_free(rsa.k);
    EVP_PKEY_free(rsapss.k);
}

/* Issue 16 bug 1: the algorithm a caller names is bound to the key. An
 * Ed25519 signature verified "as" ecdsa-with-SHA256 (padding NONE, hash
 * SHA-256) was accepted: the Ed25519 branch ignored the hash. And an
 * id-RSASSA-PSS key with parameters (RFC 4055 §3.3) restricts the hash,
 * MGF1 hash and minimum salt of every signature, X.509 ones included. */
static void test_alg_bound_to_key(void **state)
{
    (void)state;
    static kv ed, p256, pssr;
    uint8_t msg[48], sig[600];
    size_t sl;

    assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
    load(&ed, EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
    load(&p256, EVP_EC_gen("P-256"));
    sl = sign(ed.k, NULL, -100, msg, sizeof msg, sig);
    assert_int_equal(captls_sig_verify_alg(&ed.pub, CAPTLS_SIG_PAD_NONE,
                                           CAPTLS_HASH_NONE, CAPTLS_HASH_NONE,
                                           0, msg, sizeof msg, sig, sl),
                     CAPTLS_OK);
    for (int h = CAPTLS_HASH_SHA256; h <= CAPTLS_HASH_SHA512; h++)
        assert_int_equal(captls_sig_verify_alg(&ed.pub, CAPTLS_SIG_PAD_NONE,
                                               (captls_hash_alg)h,
                                               CAPTLS_HASH_NONE, 0, msg,
                                               sizeof msg, sig, sl),
                         CAPTLS_ERR_INVALID_KEY);
    sl = sign(p256.k, EVP_sha256(), -100, msg, sizeof msg, sig);
    assert_int_equal(captls_sig_verify_alg(&p256.pub, CAPTLS_SIG_PAD_NONE,
                                           CAPTLS_HASH_NONE, CAPTLS_HASH_NONE,
                                           0, msg, sizeof msg, sig, sl),
                     CAPTLS_ERR_INVALID_KEY);

    /* id-RSASSA-PSS key restricted to SHA-256 / MGF1-SHA-256 / salt >= 32 */
    {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA_PSS, NULL);
        EVP_PKEY *k = NULL;
        assert_int_equal(EVP_PKEY_keygen_init(c), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_keygen_md(c, EVP_sha256()),
                         1);
        assert_int_equal(
            EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md(c, EVP_sha256()), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_keygen_saltlen(c, 32), 1);
        assert_int_equal(EVP_PKEY_keygen(c, &k), 1);
        EVP_PKEY_CTX_free(c);
        load(&pssr, k);
    }
    assert_int_equal(pssr.pub.type, CAPTLS_KEY_RSA_PSS);
    assert_true(pssr.pub.pss_restricted);
    assert_int_equal(pssr.pub.pss.hash, CAPTLS_HASH_SHA256);
    sl = sign(pssr.k, EVP_sha256(), 32, msg, sizeof msg, sig);
    /* PSS-SHA-256 with MGF1-SHA-256 and a salt of `salt` bytes */
#define PSS256(salt)                                                         \
    captls_sig_verify_alg(&pssr.pub, CAPTLS_SIG_PAD_PSS, CAPTLS_HASH_SHA256, \
                          CAPTLS_HASH_SHA256, (salt), msg, sizeof msg, sig, sl)
    assert_int_equal(PSS256(32), CAPTLS_OK);
    /* the same signature labelled with a smaller salt than the key allows */
    assert_int_equal(PSS256(20), CAPTLS_ERR_INVALID_KEY);
    /* OpenSSL refuses to sign outside the restriction, so the refusal is
     * shown with a restriction edited on the parsed key: the same valid
     * SHA-256 signature under a key now restricted to SHA-384, to
     * MGF1-SHA-512, then to a salt of at least 48. */
    pssr.pub.pss.hash = CAPTLS_HASH_SHA384;
    assert_int_equal(PSS256(32), CAPTLS_ERR_INVALID_KEY);
    pssr.pub.pss.hash = CAPTLS_HASH_SHA256;
    pssr.pub.pss.mgf1_hash = CAPTLS_HASH_SHA512;
    assert_int_equal(PSS256(32), CAPTLS_ERR_INVALID_KEY);
    pssr.pub.pss.mgf1_hash = CAPTLS_HASH_SHA256;
    pssr.pub.pss.salt_len = 48;
    assert_int_equal(PSS256(32), CAPTLS_ERR_INVALID_KEY);
    /* unrestricted, the same key verifies it */
    pssr.pub.pss_restricted = false;
    assert_int_equal(PSS256(32), CAPTLS_OK);
#undef PSS256
    EVP_PKEY_free(ed.k);
    EVP_PKEY_free(p256.k);
    EVP_PKEY_free(pssr.k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_verify_dispatch),
        cmocka_unit_test(test_alg_bound_to_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
