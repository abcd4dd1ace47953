/* Unit tests of core/crypto/hash.c: FIPS 180-2 "abc" answers and
 * agreement with OpenSSL's EVP_Digest on random messages fed in random
 * pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/crypto/hash.h"
#include "core/crypto/test_vectors.h"

static const EVP_MD *ossl_md(captls_hash_alg alg)
{
    switch (alg) {
    case CAPTLS_HASH_SHA256: return EVP_sha256();
    case CAPTLS_HASH_SHA384: return EVP_sha384();
    case CAPTLS_HASH_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

static void test_hash_abc(void **state)
{
    (void)state;
    uint8_t out[CAPTLS_HASH_MAX_SIZE], want[64];
    /* FIPS 180-2 Appendix B.1, C.1 (SHA-512), D.1 (SHA-384). */
    static const char *abc[] = {
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    };
    for (int a = 1; a <= 3; a++) {
        captls_hash_alg alg = (captls_hash_alg)a;
        size_t n = captls_hash_size(alg);
        tv_hex_into(abc[a - 1], want, n);
        assert_int_equal(captls_hash(alg, "abc", 3, out), CAPTLS_OK);
        assert_memory_equal(out, want, n);
    }
    assert_int_equal(captls_hash_size(CAPTLS_HASH_SHA256), 32);
    assert_int_equal(captls_hash_size(CAPTLS_HASH_SHA384), 48);
    assert_int_equal(captls_hash_size(CAPTLS_HASH_SHA512), 64);
    assert_int_equal(captls_hash_block_size(CAPTLS_HASH_SHA384), 128);
}

static void test_hash_unknown(void **state)
{
    (void)state;
    uint8_t out[CAPTLS_HASH_MAX_SIZE];
    captls_hash_ctx ctx;
    memset(out, 0x5a, sizeof out);
    assert_int_equal(captls_hash((captls_hash_alg)9, "x", 1, out),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(out[0], 0x5a); /* nothing written */
    assert_int_equal(captls_hash_init(&ctx, CAPTLS_HASH_NONE),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_hash_size((captls_hash_alg)9), 0);
    assert_null(captls_hash_vtable((captls_hash_alg)9));
}

static void test_hash_vs_openssl(void **state)
{
    (void)state;
    static uint8_t msg[3000];
    uint8_t out[CAPTLS_HASH_MAX_SIZE], peek[CAPTLS_HASH_MAX_SIZE];
    uint8_t want[EVP_MAX_MD_SIZE];
    unsigned int wlen;

    assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
    for (int a = 1; a <= 3; a++) {
        captls_hash_alg alg = (captls_hash_alg)a;
        for (size_t len = 0; len < sizeof msg; len += 1 + len / 3) {
            captls_hash_ctx ctx, fork;
            size_t off = 0;
            uint8_t cut;

            assert_int_equal(captls_hash_init(&ctx, alg), CAPTLS_OK);
            while (off < len) {
                assert_int_equal(RAND_bytes(&cut, 1), 1);
                size_t take = cut % 200;
                if (take > len - off)
                    take = len - off;
                captls_hash_update(&ctx, msg + off, take);
                off += take;
            }
            /* peek leaves the state running; a copy forks it */
            fork = ctx;
            assert_int_equal(captls_hash_peek(&ctx, peek),
                             captls_hash_size(alg));
            captls_hash_update(&fork, "z", 1);
            assert_int_equal(captls_hash_final(&ctx, out),
                             captls_hash_size(alg));
            assert_int_equal(EVP_Digest(msg, len, want, &wlen, ossl_md(alg),
                                        NULL), 1);
            assert_int_equal(wlen, captls_hash_size(alg));
            assert_memory_equal(out, want, wlen);
            assert_memory_equal(peek, want, wlen);
            /* final wiped the context */
            for (size_t i = 0; i < sizeof ctx; i++)
                assert_int_equal(((uint8_t *)&ctx)[i], 0);
            (void)captls_hash_final(&fork, out);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_abc),
        cmocka_unit_test(test_hash_unknown),
        cmocka_unit_test(test_hash_vs_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
