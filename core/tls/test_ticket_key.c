/* Unit tests of core/tls/ticket_key.c: round trip, rotation (previous
 * opens, twice-retired does not), tampering, truncation, entropy failure,
 * wiping, and the ticket layout checked with OpenSSL's AES-256-GCM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/tls/ticket_key.h"

/* Test entropy: OpenSSL's RNG, with a switch to fail, and a log of the
 * last 32-byte draw (the key) so the test can check the format. */
typedef struct test_entropy {
    bool fail;
    int calls;
    uint8_t last_key[32];
    bool repeat; /* return the same bytes every time (a broken source) */
} test_entropy;

static captls_result fill(void *ctx, uint8_t *out, size_t len)
{
    test_entropy *t = ctx;
    t->calls++;
    if (t->fail)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    if (t->repeat)
        memset(out, 0x42, len);
    else
        assert_int_equal(RAND_bytes(out, (int)len), 1);
    if (len == 32)
        memcpy(t->last_key, out, 32);
    return CAPTLS_OK;
}

static captls_entropy ent(test_entropy *t)
{
    captls_entropy e = {t, fill};
    return e;
}

static bool all_zero(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((const uint8_t *)p)[i] != 0)
            return false;
    return true;
}

static const uint8_t msg[] = "resumption secret, age add, issue time, alpn";

static size_t seal(captls_tls_ticket_keys *k, uint8_t *out, size_t cap)
{
    size_t n = 0;
    assert_int_equal(captls_tls_ticket_keys_seal(k, msg, sizeof(msg), out, cap, &n),
                     CAPTLS_OK);
    assert_int_equal(n, sizeof(msg) + 44);
    return n;
}

static captls_result open_t(captls_tls_ticket_keys *k, const uint8_t *t, size_t n)
{
    uint8_t plain[256];
    size_t pl = 12345;
    memset(plain, 0xEE, sizeof(plain));
    captls_result r = captls_tls_ticket_keys_open(k, t, n, plain, sizeof(plain), &pl);
    if (r == CAPTLS_OK) {
        assert_int_equal(pl, sizeof(msg));
        assert_memory_equal(plain, msg, sizeof(msg));
    } else {
        assert_int_equal(pl, 12345); /* untouched */
        /* no unauthenticated plaintext; nothing beyond the ciphertext */
        size_t ct = n >= 44 ? n - 44 : 0;
        assert_true(all_zero(plain, ct) || ct == 0 || plain[0] == 0xEE);
        for (size_t i = ct; i < sizeof(plain); i++)
            assert_int_equal(plain[i], 0xEE);
    }
    return r;
}

/* OpenSSL opens our ticket with the documented layout. */
static void openssl_open(const uint8_t key[32], const uint8_t *t, size_t n)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t out[256];
    int l = 0, l2 = 0;
    size_t ct = n - 44;
    assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL), 1);
    assert_int_equal(EVP_DecryptInit_ex(c, NULL, NULL, key, t + 16), 1);
    assert_int_equal(EVP_DecryptUpdate(c, NULL, &l, t, 16), 1); /* AAD = name */
    assert_int_equal(EVP_DecryptUpdate(c, out, &l, t + 28, (int)ct), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
                                         (void *)(t + 28 + ct)), 1);
    assert_int_equal(EVP_DecryptFinal_ex(c, out + l, &l2), 1);
    EVP_CIPHER_CTX_free(c);
    assert_int_equal((size_t)(l + l2), sizeof(msg));
    assert_memory_equal(out, msg, sizeof(msg));
}

static void test_round_trip_and_format(void **state)
{
    (void)state;
    test_entropy te = {0};
    captls_tls_ticket_keys k;
    captls_tls_ticket_key iface;
    uint8_t t[256], t2[256], plain[256];
    size_t n, n2, pl;
    assert_int_equal(captls_tls_ticket_keys_init(&k, ent(&te)), CAPTLS_OK);
    n = seal(&k, t, sizeof(t));
    assert_int_equal(open_t(&k, t, n), CAPTLS_OK);
    assert_memory_equal(t, k.current.name, 16);
    openssl_open(te.last_key, t, n);
    /* two seals of one plaintext differ (fresh random nonce) */
    n2 = seal(&k, t2, sizeof(t2));
    assert_int_equal(n, n2);
    assert_memory_equal(t, t2, 16);        /* same key name */
    assert_memory_not_equal(t + 16, t2 + 16, 12); /* new nonce */
    assert_int_equal(k.current.seals, 2);
    /* empty plaintext: 44 bytes exactly */
    assert_int_equal(captls_tls_ticket_keys_seal(&k, NULL, 0, t, sizeof(t), &n),
                     CAPTLS_OK);
    assert_int_equal(n, 44);
    assert_int_equal(captls_tls_ticket_keys_open(&k, t, n, NULL, 0, &pl), CAPTLS_OK);
    assert_int_equal(pl, 0);
    /* through the tls_config.h vtable */
    captls_tls_ticket_keys_iface(&k, &iface);
    assert_ptr_equal(iface.ctx, &k);
    assert_int_equal(iface.seal(iface.ctx, msg, sizeof(msg), t, sizeof(t), &n), CAPTLS_OK);
    assert_int_equal(iface.open(iface.ctx, t, n, plain, sizeof(plain), &pl), CAPTLS_OK);
    assert_int_equal(pl, sizeof(msg));
    assert_memory_equal(plain, msg, pl);
    assert_true(CAPTLS_TLS_TICKET_KEY_OVERHEAD <= CAPTLS_TLS_TICKET_OVERHEAD);
    captls_tls_ticket_keys_destroy(&k);
    assert_true(all_zero(&k, sizeof(k)));
    /* a destroyed object seals nothing and opens nothing */
    assert_int_equal(captls_tls_ticket_keys_seal(&k, msg, sizeof(msg), t2, sizeof(t2), &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(open_t(&k, t, sizeof(msg) + 44), CAPTLS_ERR_AUTH_FAILED);
}

static void test_rotation(void **state)
{
    (void)state;
    test_entropy te = {0};
    captls_tls_ticket_keys k;
    uint8_t t0[256], t1[256], t2[256];
    assert_int_equal(captls_tls_ticket_keys_init(&k, ent(&te)), CAPTLS_OK);
    assert_false(k.previous.present);
    size_t n0 = seal(&k, t0, sizeof(t0));
    assert_int_equal(captls_tls_ticket_keys_rotate(&k), CAPTLS_OK);
    assert_true(k.previous.present);
    size_t n1 = seal(&k, t1, sizeof(t1));
    assert_memory_not_equal(t0, t1, 16); /* new key name */
    /* previous still opens, current opens */
    assert_int_equal(open_t(&k, t0, n0), CAPTLS_OK);
    assert_int_equal(open_t(&k, t1, n1), CAPTLS_OK);
    assert_int_equal(captls_tls_ticket_keys_rotate(&k), CAPTLS_OK);
    size_t n2 = seal(&k, t2, sizeof(t2));
    /* t0's key is retired twice: gone. t1 (previous) and t2 open. */
    assert_int_equal(open_t(&k, t0, n0), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(open_t(&k, t1, n1), CAPTLS_OK);
    assert_int_equal(open_t(&k, t2, n2), CAPTLS_OK);
    assert_int_equal(captls_tls_ticket_keys_rotate(&k), CAPTLS_OK);
    assert_int_equal(open_t(&k, t1, n1), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(open_t(&k, t2, n2), CAPTLS_OK);
    /* a ticket re-labelled with a live key name does not open either */
    memcpy(t0, k.current.name, 16);
    assert_int_equal(open_t(&k, t0, n0), CAPTLS_ERR_AUTH_FAILED);
    captls_tls_ticket_keys_destroy(&k);
}

static void test_tampering_and_truncation(void **state)
{
    (void)state;
    test_entropy te = {0};
    captls_tls_ticket_keys k;
    uint8_t t[256];
    assert_int_equal(captls_tls_ticket_keys_init(&k, ent(&te)), CAPTLS_OK);
    size_t n = seal(&k, t, sizeof(t));
    /* every byte, every bit position class */
    for (size_t i = 0; i < n; i++)
        for (unsigned bit = 0; bit < 8; bit += 3) {
            t[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(open_t(&k, t, n), CAPTLS_ERR_AUTH_FAILED);
            t[i] ^= (uint8_t)(1u << bit);
        }
    assert_int_equal(open_t(&k, t, n), CAPTLS_OK);
    /* every truncation, and an appended byte */
    for (size_t cut = 0; cut < n; cut++)
        assert_int_equal(open_t(&k, t, cut), CAPTLS_ERR_AUTH_FAILED);
    t[n] = 0;
    assert_int_equal(open_t(&k, t, n + 1), CAPTLS_ERR_AUTH_FAILED);
    /* plaintext buffer too small: nothing written */
    uint8_t small[8];
    size_t pl = 99;
    memset(small, 0xEE, sizeof(small));
    assert_int_equal(captls_tls_ticket_keys_open(&k, t, n, small, sizeof(small), &pl),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(pl, 99);
    for (size_t i = 0; i < sizeof(small); i++)
        assert_int_equal(small[i], 0xEE);
    /* seal output too small: nothing written */
    uint8_t out[256];
    size_t ol = 99;
    memset(out, 0xEE, sizeof(out));
    assert_int_equal(captls_tls_ticket_keys_seal(&k, msg, sizeof(msg), out,
                                                 sizeof(msg) + 43, &ol),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 99);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xEE);
    /* bad arguments */
    assert_int_equal(captls_tls_ticket_keys_seal(NULL, msg, 1, out, sizeof(out), &ol),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_tls_ticket_keys_seal(&k, NULL, 1, out, sizeof(out), &ol),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_tls_ticket_keys_open(&k, NULL, 5, out, sizeof(out), &ol),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    captls_tls_ticket_keys_destroy(&k);
}

static void test_entropy_failure(void **state)
{
    (void)state;
    test_entropy te = {0};
    captls_tls_ticket_keys k;
    uint8_t t[256], t1[256];
    size_t n = 77;
    /* init fails closed and leaves a zeroed, unusable object */
    te.fail = true;
    assert_int_equal(captls_tls_ticket_keys_init(&k, ent(&te)),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    assert_true(all_zero(&k, sizeof(k)));
    assert_int_equal(captls_tls_ticket_keys_seal(&k, msg, sizeof(msg), t, sizeof(t), &n),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    captls_entropy none = {NULL, NULL};
    assert_int_equal(captls_tls_ticket_keys_init(&k, none), CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_tls_ticket_keys_init(NULL, ent(&te)),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* seal: no nonce, no ticket */
    te.fail = false;
    assert_int_equal(captls_tls_ticket_keys_init(&k, ent(&te)), CAPTLS_OK);
    size_t n1 = seal(&k, t1, sizeof(t1));
    te.fail = true;
    memset(t, 0xEE, sizeof(t));
    n = 77;
    assert_int_equal(captls_tls_ticket_keys_seal(&k, msg, sizeof(msg), t, sizeof(t), &n),
                     CAPTLS_ERR_ENTROPY_FAILURE);
    assert_int_equal(n, 77);
    for (size_t i = 0; i < sizeof(t); i++)
        assert_int_equal(t[i], 0xEE);
    /* rotate: the object is unchanged */
    captls_tls_ticket_keys before = k;
    assert_int_equal(captls_tls_ticket_keys_rotate(&k), CAPTLS_ERR_ENTROPY_FAILURE);
    assert_memory_equal(&k, &before, sizeof(k));
    assert_int_equal(open_t(&k, t1, n1), CAPTLS_OK); /* opening needs no entropy */
    /* a source that repeats itself yields a repeated key name: refused */
    te.fail = false;
    te.repeat = true;
    captls_tls_ticket_keys_destroy(&k);
    assert_int_equal(captls_tls_ticket_keys_init(&k, ent(&te)), CAPTLS_OK);
    before = k;
    assert_int_equal(captls_tls_ticket_keys_rotate(&k), CAPTLS_ERR_ENTROPY_FAILURE);
    assert_memory_equal(&k, &before, sizeof(k));
    captls_tls_ticket_keys_destroy(&k);
    captls_tls_ticket_keys_destroy(&before);
    captls_tls_ticket_keys_destroy(NULL);
}

static void test_seal_limit(void **state)
{
    (void)state;
    test_entropy te = {0};
    captls_tls_ticket_keys k;
    uint8_t t[256];
    size_t n = 0;
    assert_int_equal(captls_tls_ticket_keys_init(&k, ent(&te)), CAPTLS_OK);
    k.current.seals = CAPTLS_TLS_TICKET_KEY_MAX_SEALS;
    assert_int_equal(captls_tls_ticket_keys_seal(&k, msg, sizeof(msg), t, sizeof(t), &n),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_tls_ticket_keys_rotate(&k), CAPTLS_OK);
    assert_int_equal(k.current.seals, 0);
    seal(&k, t, sizeof(t));
    captls_tls_ticket_keys_destroy(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_format),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_tampering_and_truncation),
        cmocka_unit_test(test_entropy_failure),
        cmocka_unit_test(test_seal_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
