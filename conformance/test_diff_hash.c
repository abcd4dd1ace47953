/* Differential tests against OpenSSL: SHA-256/384/512, HMAC-SHA256 and
 * HKDF-SHA256 (core/crypto/hash.h, hmac.h, hkdf.h). Same bytes for random
 * inputs of edge-skewed lengths; HMAC tag checks and HKDF length limits
 * give the same verdicts. Seed and case count: see diff_rng.h. Every test
 * runs twice: on the CPU-selected fast path (SHA-NI, core/crypto/cpu.h)
 * and with the portable path forced (captls_cpu_set_portable), so both
 * implementations answer against OpenSSL on one machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include "conformance/diff_rng.h"
#include "core/crypto/cpu.h"
#include "core/crypto/hash.h"
#include "core/crypto/hkdf.h"
#include "core/crypto/hmac.h"
#include "core/crypto/sha256_ni.h"
#include "core/crypto/sha512_avx2.h"

#define MAXMSG 4096
static uint8_t msg[MAXMSG], key[300], salt[300], info[300];

static void test_diff_sha2(void **state)
{
    (void)state;
    static const struct {
        captls_hash_alg alg;
        const char *name;
    } algs[] = {{CAPTLS_HASH_SHA256, "SHA256"},
                {CAPTLS_HASH_SHA384, "SHA384"},
                {CAPTLS_HASH_SHA512, "SHA512"}};
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "sha2", 1);
    for (size_t a = 0; a < 3; a++) {
        const EVP_MD *md = EVP_get_digestbyname(algs[a].name);
        assert_non_null(md);
        for (size_t i = 0; i < n; i++) {
            size_t len = captls_diff_len(&rng, MAXMSG);
            captls_diff_bytes(&rng, msg, len);
            uint8_t mine[CAPTLS_HASH_MAX_SIZE], ref[EVP_MAX_MD_SIZE];
            unsigned rlen = 0;
            assert_int_equal(captls_hash(algs[a].alg, msg, len, mine),
                             CAPTLS_OK);
            assert_int_equal(EVP_Digest(msg, len, ref, &rlen, md, NULL), 1);
            /* incremental, split at a random point, must agree too */
            captls_hash_ctx c;
            uint8_t inc[CAPTLS_HASH_MAX_SIZE];
            size_t cut = captls_diff_below(&rng, len + 1);
            assert_int_equal(captls_hash_init(&c, algs[a].alg), CAPTLS_OK);
            captls_hash_update(&c, msg, cut);
            captls_hash_update(&c, msg + cut, len - cut);
            captls_hash_final(&c, inc);
            if (rlen != captls_hash_size(algs[a].alg) ||
                memcmp(mine, ref, rlen) != 0 || memcmp(inc, ref, rlen) != 0) {
                printf("sha2 mismatch: %s case %zu\n", algs[a].name, i);
                captls_diff_dump("msg", msg, len);
                fail();
            }
        }
    }
}

static void test_diff_hmac_sha256(void **state)
{
    (void)state;
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "hmac-sha256", 1);
    for (size_t i = 0; i < n; i++) {
        size_t klen = captls_diff_len(&rng, sizeof(key));
        size_t len = captls_diff_len(&rng, MAXMSG);
        captls_diff_bytes(&rng, key, klen);
        captls_diff_bytes(&rng, msg, len);
        uint8_t mine[CAPTLS_HASH_MAX_SIZE], ref[EVP_MAX_MD_SIZE];
        unsigned rlen = 0;
        assert_int_equal(captls_hmac(CAPTLS_HASH_SHA256, key, klen, msg, len,
                                     mine),
                         CAPTLS_OK);
        /* OpenSSL's HMAC() wants a non-NULL key even when empty */
        assert_non_null(HMAC(EVP_sha256(), klen ? key : (const uint8_t *)"",
                             (int)klen, msg, len, ref, &rlen));
        if (rlen != 32 || memcmp(mine, ref, 32) != 0) {
            printf("hmac mismatch: case %zu\n", i);
            captls_diff_dump("key", key, klen);
            captls_diff_dump("msg", msg, len);
            fail();
        }
        /* verify: the right tag passes; a flipped, truncated or extended
         * one fails (OpenSSL's verdict by comparison is the same) */
        uint8_t tag[40];
        memcpy(tag, ref, 32);
        assert_int_equal(captls_hmac_verify(CAPTLS_HASH_SHA256, key, klen,
                                            msg, len, tag, 32),
                         CAPTLS_OK);
        switch (captls_diff_below(&rng, 4)) {
        case 0:
            captls_diff_flip(&rng, tag, 32);
            assert_int_not_equal(captls_hmac_verify(CAPTLS_HASH_SHA256, key,
                                                    klen, msg, len, tag, 32),
                                 CAPTLS_OK);
            break;
        case 1:
            assert_int_not_equal(captls_hmac_verify(CAPTLS_HASH_SHA256, key,
                                                    klen, msg, len, tag,
                                                    captls_diff_below(&rng,
                                                                      32)),
                                 CAPTLS_OK);
            break;
        case 2:
            tag[32] = (uint8_t)captls_diff_u64(&rng);
            assert_int_not_equal(captls_hmac_verify(CAPTLS_HASH_SHA256, key,
                                                    klen, msg, len, tag, 33),
                                 CAPTLS_OK);
            break;
        default:
            if (len > 0) { /* tampered message */
                captls_diff_flip(&rng, msg, len);
                assert_int_not_equal(
                    captls_hmac_verify(CAPTLS_HASH_SHA256, key, klen, msg, len,
                                       tag, 32),
                    CAPTLS_OK);
            }
        }
    }
}

/* OpenSSL's HKDF; returns 0 when it refuses (L too large). */
static int ref_hkdf(const uint8_t *ikm, size_t ikm_len, const uint8_t *s,
                    size_t s_len, const uint8_t *inf, size_t inf_len,
                    uint8_t *out, size_t out_len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    size_t got = out_len;
    int ok = c != NULL && EVP_PKEY_derive_init(c) == 1 &&
             EVP_PKEY_CTX_set_hkdf_md(c, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set1_hkdf_key(c, ikm, (int)ikm_len) == 1 &&
             (s_len == 0 ||
              EVP_PKEY_CTX_set1_hkdf_salt(c, s, (int)s_len) == 1) &&
             (inf_len == 0 ||
              EVP_PKEY_CTX_add1_hkdf_info(c, inf, (int)inf_len) == 1) &&
             EVP_PKEY_derive(c, out, &got) == 1 && got == out_len;
    EVP_PKEY_CTX_free(c);
    return ok;
}

static void test_diff_hkdf_sha256(void **state)
{
    (void)state;
    static uint8_t mine[8200], ref[8200];
    captls_diff_rng rng;
    size_t n = captls_diff_begin(&rng, "hkdf-sha256", 1);
    for (size_t i = 0; i < n; i++) {
        size_t ikm_len = captls_diff_len(&rng, sizeof(key));
        size_t s_len = captls_diff_len(&rng, sizeof(salt));
        size_t inf_len = captls_diff_len(&rng, sizeof(info));
        /* 1..8160 mostly; sometimes just past the RFC 5869 limit */
        size_t l = 1 + captls_diff_len(&rng, 8159);
        if (captls_diff_below(&rng, 50) == 0)
            l = 8161 + captls_diff_below(&rng, 30);
        captls_diff_bytes(&rng, key, ikm_len);
        captls_diff_bytes(&rng, salt, s_len);
        captls_diff_bytes(&rng, info, inf_len);
        uint8_t prk[CAPTLS_HASH_MAX_SIZE];
        int ok_mine =
            captls_hkdf_extract(CAPTLS_HASH_SHA256, salt, s_len, key, ikm_len,
                                prk) == CAPTLS_OK &&
            captls_hkdf_expand(CAPTLS_HASH_SHA256, prk, 32, info, inf_len,
                               mine, l) == CAPTLS_OK;
        int ok_ref = ref_hkdf(key, ikm_len, salt, s_len, info, inf_len, ref,
                              l);
        if (ok_mine != ok_ref || (ok_mine && memcmp(mine, ref, l) != 0)) {
            printf("hkdf mismatch: case %zu, L %zu, captls %s, openssl %s\n",
                   i, l, ok_mine ? "ok" : "refused",
                   ok_ref ? "ok" : "refused");
            captls_diff_dump("ikm", key, ikm_len);
            captls_diff_dump("salt", salt, s_len);
            captls_diff_dump("info", info, inf_len);
            fail();
        }
    }
}

/* Every length 0..1000 (each tail and padding case, one and two final
 * blocks), one-shot and byte-at-a-time, then a 1 MiB message, for each
 * hash, against OpenSSL; FIPS 180-4's "one million 'a'" example for
 * SHA-256 (NIST example value). The path under test is the one the run
 * asked for (asserted). */
static void every_length(captls_hash_alg alg, const EVP_MD *md,
                         const br_hash_class *fast, unsigned fast_needs,
                         const br_hash_class *portable)
{
    static uint8_t big[1 << 20];
    uint8_t mine[CAPTLS_HASH_MAX_SIZE], ref[EVP_MAX_MD_SIZE];
    unsigned rlen = 0;
    size_t hl = captls_hash_size(alg);
    captls_hash_ctx c;

    assert_ptr_equal(captls_hash_vtable(alg),
                     fast != NULL && captls_cpu_has(fast_needs) ? fast
                                                                : portable);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 131u + (i >> 9));
    for (size_t len = 0; len <= 1000; len++) {
        assert_int_equal(captls_hash(alg, big, len, mine), CAPTLS_OK);
        assert_int_equal(EVP_Digest(big, len, ref, &rlen, md, NULL), 1);
        assert_memory_equal(mine, ref, hl);
        assert_int_equal(captls_hash_init(&c, alg), CAPTLS_OK);
        for (size_t k = 0; k < len; k++)
            captls_hash_update(&c, big + k, 1);
        captls_hash_final(&c, mine);
        assert_memory_equal(mine, ref, hl);
    }
    assert_int_equal(captls_hash(alg, big, sizeof big, mine), CAPTLS_OK);
    assert_int_equal(EVP_Digest(big, sizeof big, ref, &rlen, md, NULL), 1);
    assert_memory_equal(mine, ref, hl);
}

static void test_sha256_every_length(void **state)
{
    (void)state;
    uint8_t a[1000], mine[CAPTLS_HASH_MAX_SIZE];
    captls_hash_ctx c;

#if CAPTLS_SHA256_NI
    every_length(CAPTLS_HASH_SHA256, EVP_sha256(), &captls_sha256_ni_vtable,
                 CAPTLS_SHA256_NI_NEEDS, &br_sha256_vtable);
#else
    every_length(CAPTLS_HASH_SHA256, EVP_sha256(), NULL, 0,
                 &br_sha256_vtable);
#endif
    static const uint8_t million_a[32] = {
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
        0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
        0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    memset(a, 'a', sizeof a);
    assert_int_equal(captls_hash_init(&c, CAPTLS_HASH_SHA256), CAPTLS_OK);
    for (int i = 0; i < 1000; i++)
        captls_hash_update(&c, a, sizeof a);
    captls_hash_final(&c, mine);
    assert_memory_equal(mine, million_a, 32);
}

static void test_sha384_sha512_every_length(void **state)
{
    (void)state;
#if CAPTLS_SHA512_AVX2
    every_length(CAPTLS_HASH_SHA384, EVP_sha384(), &captls_sha384_avx2_vtable,
                 CAPTLS_SHA512_AVX2_NEEDS, &br_sha384_vtable);
    every_length(CAPTLS_HASH_SHA512, EVP_sha512(), &captls_sha512_avx2_vtable,
                 CAPTLS_SHA512_AVX2_NEEDS, &br_sha512_vtable);
#else
    every_length(CAPTLS_HASH_SHA384, EVP_sha384(), NULL, 0,
                 &br_sha384_vtable);
    every_length(CAPTLS_HASH_SHA512, EVP_sha512(), NULL, 0,
                 &br_sha512_vtable);
#endif
}

/* The AVX2 classes are BearSSL's in every observable way: descriptor,
 * state() encoding and count, set_state() resuming (what HMAC's key
 * precomputation relies on). */
static void test_sha512_avx2_class_is_bearssls(void **state)
{
    (void)state;
#if CAPTLS_SHA512_AVX2
    static const struct {
        const br_hash_class *mine, *theirs;
    } pairs[] = {{&captls_sha384_avx2_vtable, &br_sha384_vtable},
                 {&captls_sha512_avx2_vtable, &br_sha512_vtable}};
    uint8_t data[300], s1[64], s2[64], o1[64], o2[64];
    br_sha512_context a, b;

    if (!captls_cpu_has(CAPTLS_SHA512_AVX2_NEEDS)) {
        printf("sha512 avx2: this CPU lacks AVX2/BMI2; not run\n");
        return;
    }
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7u);
    for (size_t k = 0; k < 2; k++) {
        const br_hash_class *m = pairs[k].mine, *t = pairs[k].theirs;

        assert_int_equal(m->desc, t->desc);
        assert_int_equal(m->context_size, t->context_size);
        m->init(&a.vtable);
        t->init(&b.vtable);
        m->update(&a.vtable, data, 256); /* two whole blocks */
        t->update(&b.vtable, data, 256);
        assert_int_equal(m->state(&a.vtable, s1), t->state(&b.vtable, s2));
        assert_memory_equal(s1, s2, 64);
        /* resume each from the other's state */
        m->set_state(&a.vtable, s2, 256);
        t->set_state(&b.vtable, s1, 256);
        m->update(&a.vtable, data + 256, 44);
        t->update(&b.vtable, data + 256, 44);
        m->out(&a.vtable, o1);
        t->out(&b.vtable, o2);
        assert_memory_equal(o1, o2, (t->desc >> BR_HASHDESC_OUT_OFF) &
                                        BR_HASHDESC_OUT_MASK);
    }
#endif
}

static int use_fast(void **state)
{
    (void)state;
    captls_cpu_set_portable(false);
    if (!captls_cpu_has(CAPTLS_CPU_SHA))
        printf("note: this CPU has no SHA-NI: the fast run is portable\n");
    return 0;
}

static int use_portable(void **state)
{
    (void)state;
    captls_cpu_set_portable(true);
    return 0;
}

#define BOTH(t)                                                        \
    {#t " (fast)", t, use_fast, NULL, NULL},                            \
    {                                                                   \
        #t " (portable)", t, use_portable, NULL, NULL                   \
    }

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_sha256_every_length),
        BOTH(test_sha384_sha512_every_length),
        cmocka_unit_test_setup(test_sha512_avx2_class_is_bearssls, use_fast),
        BOTH(test_diff_sha2),
        BOTH(test_diff_hmac_sha256),
        BOTH(test_diff_hkdf_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
