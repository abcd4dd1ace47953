/* Unit tests of core/tls/key_share.c: generate/agree between two shares
 * for x25519 and secp256r1 (and the result against OpenSSL), rejection
 * sampling of P-256 scalars, entropy failure failing closed (share wiped),
 * unsupported groups, and bad peer shares refused with
 * CAPTLS_TLS_ERR(ILLEGAL_PARAMETER) and nothing written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "conformance/testkit.h"
#include "core/crypto/p256_ecdh.h"
#include "core/crypto/x25519.h"
#include "core/tls/alert.h"
#include "core/tls/cipher_policy.h"
#include "core/tls/key_schedule.h"

#define ILLEGAL CAPTLS_TLS_ERR(ILLEGAL_PARAMETER)

/* ---- entropy sources ------------------------------------------------------ */

static captls_result fill_ossl(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return RAND_bytes(out, (int)len) == 1 ? CAPTLS_OK
                                          : CAPTLS_ERR_ENTROPY_FAILURE;
}

/* Scripted source: writes `bytes` for the first `bad` calls, then random
 * bytes; fails from call `fail_at` on (when nonzero). Counts calls. */
typedef struct scripted {
    int calls;
    int bad;
    uint8_t bytes;
    int fail_at;
} scripted;

static captls_result fill_scripted(void *ctx, uint8_t *out, size_t len)
{
    scripted *s = ctx;
    s->calls++;
    if (s->fail_at != 0 && s->calls >= s->fail_at) {
        memset(out, 0x99, len); /* garbage the caller must not use */
        return CAPTLS_ERR_ENTROPY_FAILURE;
    }
    if (s->calls <= s->bad) {
        memset(out, s->bytes, len);
        return CAPTLS_OK;
    }
    return fill_ossl(NULL, out, len);
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* ---- good paths ------------------------------------------------------------ */

static void test_agree_both_groups(void **state)
{
    (void)state;
    static const uint16_t groups[] = {CAPTLS_TLS_GROUP_X25519,
                                      CAPTLS_TLS_GROUP_SECP256R1};

    for (size_t g = 0; g < 2; g++) {
        for (int i = 0; i < 50; i++) {
            captls_tls_key_share a, b;
            uint8_t za[32], zb[32], pub[65];

            assert_int_equal(captls_tls_key_share_generate(&a, groups[g],
                                                           fill_ossl, NULL),
                             CAPTLS_OK);
            assert_int_equal(captls_tls_key_share_generate(&b, groups[g],
                                                           fill_ossl, NULL),
                             CAPTLS_OK);
            assert_int_equal(a.group, groups[g]);
            if (groups[g] == CAPTLS_TLS_GROUP_X25519) {
                assert_int_equal(a.pub_len, 32);
                captls_x25519_public(pub, a.priv);
                assert_memory_equal(pub, a.pub, 32);
            } else {
                assert_int_equal(a.pub_len, 65);
                assert_int_equal(a.pub[0], 0x04);
                assert_true(captls_p256_scalar_is_valid(a.priv));
                assert_int_equal(captls_p256_public(pub, a.priv), CAPTLS_OK);
                assert_memory_equal(pub, a.pub, 65);
            }
            assert_memory_not_equal(a.priv, b.priv, 32);
            assert_int_equal(captls_tls_key_share_agree(&a, b.pub, b.pub_len,
                                                        za),
                             CAPTLS_OK);
            assert_int_equal(captls_tls_key_share_agree(&b, a.pub, a.pub_len,
                                                        zb),
                             CAPTLS_OK);
            assert_memory_equal(za, zb, 32);
            assert_false(all_zero(za, 32));
            captls_tls_key_share_wipe(&a);
            captls_tls_key_share_wipe(&b);
            assert_true(all_zero(&a, sizeof a));
        }
    }
}

/* The x25519 result is what OpenSSL computes from the same private key. */
static void test_x25519_vs_openssl(void **state)
{
    (void)state;
    for (int i = 0; i < 50; i++) {
        captls_tls_key_share a;
        EVP_PKEY *me, *peer = captls_test_keygen("X25519", NULL, 0);
        EVP_PKEY_CTX *c;
        uint8_t ppub[32], z[32], want[32];
        size_t n = 32;

        assert_int_equal(captls_tls_key_share_generate(
                             &a, CAPTLS_TLS_GROUP_X25519, fill_ossl, NULL),
                         CAPTLS_OK);
        assert_int_equal(EVP_PKEY_get_raw_public_key(peer, ppub, &n), 1);
        me = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, a.priv, 32);
        assert_non_null(me);
        {
            uint8_t mypub[32];
            n = 32;
            assert_int_equal(EVP_PKEY_get_raw_public_key(me, mypub, &n), 1);
            assert_memory_equal(mypub, a.pub, 32);
        }
        c = EVP_PKEY_CTX_new(peer, NULL);
        n = 32;
        assert_int_equal(EVP_PKEY_derive_init(c), 1);
        assert_int_equal(EVP_PKEY_derive_set_peer(c, me), 1);
        assert_int_equal(EVP_PKEY_derive(c, want, &n), 1);
        assert_int_equal(captls_tls_key_share_agree(&a, ppub, 32, z),
                         CAPTLS_OK);
        assert_memory_equal(z, want, 32);
        EVP_PKEY_CTX_free(c);
        EVP_PKEY_free(me);
        EVP_PKEY_free(peer);
        captls_tls_key_share_wipe(&a);
    }
}

/* ---- entropy ------------------------------------------------------------- */

static void test_entropy_failure(void **state)
{
    (void)state;
    static const uint16_t groups[] = {CAPTLS_TLS_GROUP_X25519,
                                      CAPTLS_TLS_GROUP_SECP256R1};

    for (size_t g = 0; g < 2; g++) {
        captls_tls_key_share ks;
        scripted s = {0, 0, 0, 1};
        memset(&ks, 0x55, sizeof ks);
        assert_int_equal(captls_tls_key_share_generate(&ks, groups[g],
                                                       fill_scripted, &s),
                         CAPTLS_ERR_ENTROPY_FAILURE);
        assert_int_equal(s.calls, 1);
        assert_true(all_zero(&ks, sizeof ks)); /* wiped: group 0, no key */
        /* a wiped share cannot agree */
        {
            uint8_t z[32], peer[65] = {0};
            memset(z, 0xaa, sizeof z);
            assert_int_equal(captls_tls_key_share_agree(&ks, peer, 32, z),
                             CAPTLS_ERR_INTERNAL);
            assert_int_equal(z[0], 0xaa);
        }
    }
}

/* P-256: a source stuck at 0x00 or 0xff (scalar 0 or >= n every time) is
 * given up on after a bounded number of draws; one bad draw followed by
 * good ones is rejection sampling doing its job; failing mid-way fails
 * closed. */
static void test_p256_rejection(void **state)
{
    (void)state;
    captls_tls_key_share ks;
    scripted s;

    s = (scripted){0, 1000, 0x00, 0};
    assert_int_equal(captls_tls_key_share_generate(
                         &ks, CAPTLS_TLS_GROUP_SECP256R1, fill_scripted, &s),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    assert_int_equal(s.calls, 8);
    assert_true(all_zero(&ks, sizeof ks));

    s = (scripted){0, 1000, 0xff, 0};
    assert_int_equal(captls_tls_key_share_generate(
                         &ks, CAPTLS_TLS_GROUP_SECP256R1, fill_scripted, &s),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    assert_int_equal(s.calls, 8);
    assert_true(all_zero(&ks, sizeof ks));

    s = (scripted){0, 3, 0xff, 0};
    assert_int_equal(captls_tls_key_share_generate(
                         &ks, CAPTLS_TLS_GROUP_SECP256R1, fill_scripted, &s),
                     CAPTLS_OK);
    assert_int_equal(s.calls, 4);
    assert_true(captls_p256_scalar_is_valid(ks.priv));

    s = (scripted){0, 2, 0x00, 3};
    assert_int_equal(captls_tls_key_share_generate(
                         &ks, CAPTLS_TLS_GROUP_SECP256R1, fill_scripted, &s),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    assert_int_equal(s.calls, 3);
    assert_true(all_zero(&ks, sizeof ks));
}

static void test_unsupported_group(void **state)
{
    (void)state;
    static const uint16_t others[] = {0, 0x0018, 0x0019, 0x001e, 0x0100,
                                      0xffff};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        captls_tls_key_share ks;
        scripted s = {0, 0, 0, 0};
        memset(&ks, 0x55, sizeof ks);
        assert_int_equal(captls_tls_key_share_generate(&ks, others[i],
                                                       fill_scripted, &s),
                         CAPTLS_ERR_UNSUPPORTED);
        assert_int_equal(s.calls, 0); /* no entropy spent */
        assert_true(all_zero(&ks, sizeof ks));
    }
}

/* ---- bad peer shares -------------------------------------------------------- */

static void expect_illegal(const captls_tls_key_share *ks, const uint8_t *peer,
                           size_t len)
{
    uint8_t z[32], canary[32];
    memset(canary, 0xe7, sizeof canary);
    memcpy(z, canary, 32);
    assert_int_equal(captls_tls_key_share_agree(ks, peer, len, z), ILLEGAL);
    assert_memory_equal(z, canary, 32);
}

static void test_bad_x25519_shares(void **state)
{
    (void)state;
    captls_tls_key_share ks, other;
    uint8_t buf[65];

    assert_int_equal(captls_tls_key_share_generate(
                         &ks, CAPTLS_TLS_GROUP_X25519, fill_ossl, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_key_share_generate(
                         &other, CAPTLS_TLS_GROUP_SECP256R1, fill_ossl, NULL),
                     CAPTLS_OK);
    memset(buf, 9, sizeof buf);
    /* lengths */
    expect_illegal(&ks, buf, 0);
    expect_illegal(&ks, NULL, 0);
    expect_illegal(&ks, buf, 31);
    expect_illegal(&ks, buf, 33);
    /* a P-256 share sent for x25519 */
    expect_illegal(&ks, other.pub, other.pub_len);
    /* small-order u (with and without bit 255): all-zero secret */
    for (int i = 0; i < 7; i++) {
        memcpy(buf, captls_test_x25519_small_u[i], 32);
        expect_illegal(&ks, buf, 32);
        buf[31] |= 0x80;
        expect_illegal(&ks, buf, 32);
    }
    captls_tls_key_share_wipe(&ks);
    captls_tls_key_share_wipe(&other);
}

static void test_bad_p256_shares(void **state)
{
    (void)state;
    captls_tls_key_share ks, peer, x;
    uint8_t buf[66];
    uint8_t z[32];

    assert_int_equal(captls_tls_key_share_generate(
                         &ks, CAPTLS_TLS_GROUP_SECP256R1, fill_ossl, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_key_share_generate(
                         &peer, CAPTLS_TLS_GROUP_SECP256R1, fill_ossl, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_key_share_generate(
                         &x, CAPTLS_TLS_GROUP_X25519, fill_ossl, NULL),
                     CAPTLS_OK);
    /* control */
    assert_int_equal(captls_tls_key_share_agree(&ks, peer.pub, 65, z),
                     CAPTLS_OK);
    /* lengths */
    expect_illegal(&ks, peer.pub, 0);
    expect_illegal(&ks, NULL, 0);
    expect_illegal(&ks, peer.pub, 64);
    memcpy(buf, peer.pub, 65);
    buf[65] = 0;
    expect_illegal(&ks, buf, 66);
    /* an x25519 share sent for P-256 */
    expect_illegal(&ks, x.pub, x.pub_len);
    /* compressed forms: 33 bytes, and 65 bytes with 0x02/0x03/0x06/0x07 */
    memcpy(buf, peer.pub, 33);
    buf[0] = (uint8_t)(0x02 | (peer.pub[64] & 1));
    expect_illegal(&ks, buf, 33);
    for (uint8_t pre = 0; pre < 8; pre++) {
        if (pre == 4)
            continue;
        memcpy(buf, peer.pub, 65);
        buf[0] = pre;
        expect_illegal(&ks, buf, 65);
    }
    /* point at infinity encodings */
    buf[0] = 0;
    expect_illegal(&ks, buf, 1);
    memset(buf, 0, 65);
    buf[0] = 4;
    expect_illegal(&ks, buf, 65);
    /* off the curve */
    memcpy(buf, peer.pub, 65);
    buf[64] ^= 1;
    expect_illegal(&ks, buf, 65);
    memcpy(buf, peer.pub, 65);
    buf[1] ^= 0x80;
    expect_illegal(&ks, buf, 65);
    /* coordinates >= p */
    memcpy(buf, peer.pub, 65);
    memset(buf + 1, 0xff, 32);
    expect_illegal(&ks, buf, 65);
    memcpy(buf, peer.pub, 65);
    memset(buf + 33, 0xff, 32);
    expect_illegal(&ks, buf, 65);

    /* a corrupted local share is an engine bug, not the peer's fault */
    {
        captls_tls_key_share bad = ks;
        memset(bad.priv, 0, 32);
        memset(z, 0xaa, sizeof z);
        assert_int_equal(captls_tls_key_share_agree(&bad, peer.pub, 65, z),
                         CAPTLS_ERR_INTERNAL);
        assert_int_equal(z[0], 0xaa);
        captls_tls_key_share_wipe(&bad);
    }
    captls_tls_key_share_wipe(&ks);
    captls_tls_key_share_wipe(&peer);
    captls_tls_key_share_wipe(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agree_both_groups),
        cmocka_unit_test(test_x25519_vs_openssl),
        cmocka_unit_test(test_entropy_failure),
        cmocka_unit_test(test_p256_rejection),
        cmocka_unit_test(test_unsupported_group),
        cmocka_unit_test(test_bad_x25519_shares),
        cmocka_unit_test(test_bad_p256_shares),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
