/* Unit tests of core/crypto/ec_point_check.c against OpenSSL: random valid
 * points (EC_POINT_mul of random scalars) accepted, the same points with
 * y+1 or one flipped bit of x refused, and edge coordinates (0, 1, p-1,
 * p, all-ones) judged as OpenSSL's EC_POINT_is_on_curve does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "core/crypto/ec_point_check.h"
#include "core/crypto/p256_point.h"

#define RANDOM_POINTS 2000

typedef struct curve {
    int nid;
    size_t len;
    bool (*check)(const uint8_t *x, const uint8_t *y);
} curve;

/* Also checks that the strict decoder of the 64-bit P-256 code
 * (p256_point.h) gives the same verdict, and that it refuses every
 * prefix but 0x04 and every length but 65. */
static bool p256(const uint8_t *x, const uint8_t *y)
{
    bool ok = captls_ec_p256_point_is_valid(x, y);
#if CAPTLS_P256_FAST
    uint8_t enc[66];
    p256_affine q;

    enc[0] = 0x04;
    memcpy(enc + 1, x, 32);
    memcpy(enc + 33, y, 32);
    enc[65] = 0;
    assert_int_equal(p256_point_decode(&q, enc, 65), ok);
    assert_false(p256_point_decode(&q, enc, 64));
    assert_false(p256_point_decode(&q, enc, 66));
    enc[0] = 0x06;
    assert_false(p256_point_decode(&q, enc, 65));
    if (ok) { /* the decoded point re-encodes to the input */
        p256_jac j;
        uint8_t back[65];

        j.x = q.x;
        j.y = q.y;
        j.z = p256_fe_one;
        p256_point_encode(back, &j);
        enc[0] = 0x04;
        assert_memory_equal(back, enc, 65);
    }
#endif
    return ok;
}

static bool p384(const uint8_t *x, const uint8_t *y)
{
    return captls_ec_p384_point_is_valid(x, y);
}

static const curve curves[] = {
    {NID_X9_62_prime256v1, 32, p256},
    {NID_secp384r1, 48, p384},
};

/* OpenSSL's verdict on (x, y): coordinates in [0, p) and on the curve. */
static bool reference(const EC_GROUP *g, const BIGNUM *p, const BIGNUM *x,
                      const BIGNUM *y, BN_CTX *ctx)
{
    if (BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0)
        return false;
    EC_POINT *pt = EC_POINT_new(g);
    assert_non_null(pt);
    /* OpenSSL 3 refuses off-curve coordinates here already. */
    bool ok = EC_POINT_set_affine_coordinates(g, pt, x, y, ctx) == 1 &&
              EC_POINT_is_on_curve(g, pt, ctx) == 1;
    EC_POINT_free(pt);
    return ok;
}

/* Checks ours against OpenSSL on (x, y) (BIGNUMs below 2^(8 len)). */
static bool judge(const curve *c, const EC_GROUP *g, const BIGNUM *p,
                  const BIGNUM *x, const BIGNUM *y, BN_CTX *ctx)
{
    uint8_t xb[48], yb[48];
    assert_int_equal(BN_bn2binpad(x, xb, (int)c->len), (int)c->len);
    assert_int_equal(BN_bn2binpad(y, yb, (int)c->len), (int)c->len);
    bool ours = c->check(xb, yb);
    assert_int_equal(ours, reference(g, p, x, y, ctx));
    return ours;
}

static void test_random_points(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    assert_non_null(ctx);
    for (size_t ci = 0; ci < sizeof curves / sizeof curves[0]; ci++) {
        const curve *c = &curves[ci];
        EC_GROUP *g = EC_GROUP_new_by_curve_name(c->nid);
        BIGNUM *p = BN_new(), *k = BN_new(), *x = BN_new(), *y = BN_new(),
               *t = BN_new();
        EC_POINT *pt = EC_POINT_new(g);
        assert_true(g && p && k && x && y && t && pt);
        assert_int_equal(EC_GROUP_get_curve(g, p, NULL, NULL, ctx), 1);
        const BIGNUM *order = EC_GROUP_get0_order(g);
        size_t accepted = 0, refused = 0;
        for (int i = 0; i < RANDOM_POINTS; i++) {
            do
                assert_int_equal(BN_rand_range(k, order), 1);
            while (BN_is_zero(k));
            assert_int_equal(EC_POINT_mul(g, pt, k, NULL, NULL, ctx), 1);
            assert_int_equal(
                EC_POINT_get_affine_coordinates(g, pt, x, y, ctx), 1);
            /* the point itself, and its negation (x, p - y) */
            accepted += judge(c, g, p, x, y, ctx);
            assert_int_equal(BN_sub(t, p, y), 1);
            accepted += judge(c, g, p, x, t, ctx);
            /* y + 1 (x, y+1 on the curve iff y = (p-1)/2: never here) */
            assert_int_equal(BN_add(t, y, BN_value_one()), 1);
            refused += !judge(c, g, p, x, t, ctx);
            /* x with bit i mod 8len flipped */
            assert_non_null(BN_copy(t, x));
            int bit = i % (int)(8 * c->len);
            assert_int_equal(BN_is_bit_set(t, bit) ? BN_clear_bit(t, bit)
                                                   : BN_set_bit(t, bit),
                             1);
            refused += !judge(c, g, p, t, y, ctx);
        }
        printf("curve %d: %zu accepted, %zu refused\n", c->nid, accepted,
               refused);
        assert_int_equal(accepted, 2 * RANDOM_POINTS);
        assert_int_equal(refused, 2 * RANDOM_POINTS);
        EC_POINT_free(pt);
        BN_free(p);
        BN_free(k);
        BN_free(x);
        BN_free(y);
        BN_free(t);
        EC_GROUP_free(g);
    }
    BN_CTX_free(ctx);
}

static void test_edges(void **state)
{
    (void)state;
    BN_CTX *ctx = BN_CTX_new();
    assert_non_null(ctx);
    for (size_t ci = 0; ci < sizeof curves / sizeof curves[0]; ci++) {
        const curve *c = &curves[ci];
        EC_GROUP *g = EC_GROUP_new_by_curve_name(c->nid);
        BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *x = BN_new(),
               *y = BN_new(), *rhs = BN_new(), *t = BN_new(),
               *ones = BN_new();
        assert_true(g && p && a && b && x && y && rhs && t && ones);
        assert_int_equal(EC_GROUP_get_curve(g, p, a, b, ctx), 1);
        /* all-ones: 2^(8 len) - 1 > p */
        assert_int_equal(BN_set_bit(ones, (int)(8 * c->len)), 1);
        assert_int_equal(BN_sub(ones, ones, BN_value_one()), 1);
        size_t on_curve = 0;
        /* x in {0, 1, 2, 3, p-3, p-2, p-1}: y = +-sqrt(x^3 - 3x + b) when
         * it exists (accepted), then y and x replaced by 0, 1, p-1, p,
         * y + p, all-ones. */
        static const int offs[] = {0, 1, 2, 3, -3, -2, -1};
        for (size_t oi = 0; oi < sizeof offs / sizeof offs[0]; oi++) {
            if (offs[oi] >= 0)
                assert_int_equal(BN_set_word(x, (BN_ULONG)offs[oi]), 1);
            else {
                assert_int_equal(BN_set_word(t, (BN_ULONG)-offs[oi]), 1);
                assert_int_equal(BN_sub(x, p, t), 1);
            }
            /* rhs = x^3 + a x + b mod p (a = p - 3) */
            assert_int_equal(BN_mod_sqr(t, x, p, ctx), 1);
            assert_int_equal(BN_mod_add(t, t, a, p, ctx), 1);
            assert_int_equal(BN_mod_mul(rhs, t, x, p, ctx), 1);
            assert_int_equal(BN_mod_add(rhs, rhs, b, p, ctx), 1);
            ERR_set_mark();
            bool has_root = BN_mod_sqrt(y, rhs, p, ctx) != NULL;
            ERR_pop_to_mark();
            if (has_root) {
                assert_int_equal(BN_mod_sqr(t, y, p, ctx), 1);
                has_root = BN_cmp(t, rhs) == 0;
            }
            if (has_root) {
                on_curve++;
                assert_true(judge(c, g, p, x, y, ctx));
                assert_int_equal(BN_sub(t, p, y), 1);
                assert_true(judge(c, g, p, x, t, ctx));
                /* the same residues, not reduced: refused */
                assert_int_equal(BN_add(t, y, p), 1);
                if (BN_num_bits(t) <= (int)(8 * c->len))
                    assert_false(judge(c, g, p, x, t, ctx));
                assert_int_equal(BN_add(t, x, p), 1);
                if (BN_num_bits(t) <= (int)(8 * c->len))
                    assert_false(judge(c, g, p, t, y, ctx));
            } else {
                assert_int_equal(BN_set_word(y, 1), 1);
            }
            /* y edges under this x; x edges under this y */
            const BIGNUM *edge[6];
            BIGNUM *pm1 = BN_new(), *one = BN_new(), *zero = BN_new();
            assert_true(pm1 && one && zero);
            assert_int_equal(BN_sub(pm1, p, BN_value_one()), 1);
            assert_int_equal(BN_one(one), 1);
            BN_zero(zero);
            edge[0] = zero;
            edge[1] = one;
            edge[2] = pm1;
            edge[3] = p;
            edge[4] = ones;
            edge[5] = x;
            for (size_t e = 0; e < 6; e++) {
                judge(c, g, p, x, edge[e], ctx);
                judge(c, g, p, edge[e], y, ctx);
                judge(c, g, p, edge[e], edge[e], ctx);
            }
            /* coordinates p and above are refused outright */
            assert_false(judge(c, g, p, p, y, ctx));
            assert_false(judge(c, g, p, x, p, ctx));
            assert_false(judge(c, g, p, ones, y, ctx));
            assert_false(judge(c, g, p, x, ones, ctx));
            /* (0, 0) and y = 0: no point of order 2 on these curves */
            assert_false(judge(c, g, p, zero, zero, ctx));
            assert_false(judge(c, g, p, x, zero, ctx));
            BN_free(pm1);
            BN_free(one);
            BN_free(zero);
        }
        /* x = p - 3 and others give roots for at least one x here; the
         * counts are fixed by the curves (checked, not assumed: > 0) */
        printf("curve %d: %zu edge x values on the curve\n", c->nid,
               on_curve);
        assert_true(on_curve > 0);
        BN_free(p);
        BN_free(a);
        BN_free(b);
        BN_free(x);
        BN_free(y);
        BN_free(rhs);
        BN_free(t);
        BN_free(ones);
        EC_GROUP_free(g);
    }
    BN_CTX_free(ctx);
}

/* The generator points of FIPS 186-4 §D.1.2.3 / §D.1.2.4, written out. */
static void test_generators(void **state)
{
    (void)state;
    static const uint8_t g256x[32] = {
        0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6,
        0xE5, 0x63, 0xA4, 0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB,
        0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96};
    static const uint8_t g256y[32] = {
        0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB,
        0x4A, 0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31,
        0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5};
    static const uint8_t g384x[48] = {
        0xAA, 0x87, 0xCA, 0x22, 0xBE, 0x8B, 0x05, 0x37, 0x8E, 0xB1, 0xC7, 0x1E,
        0xF3, 0x20, 0xAD, 0x74, 0x6E, 0x1D, 0x3B, 0x62, 0x8B, 0xA7, 0x9B, 0x98,
        0x59, 0xF7, 0x41, 0xE0, 0x82, 0x54, 0x2A, 0x38, 0x55, 0x02, 0xF2, 0x5D,
        0xBF, 0x55, 0x29, 0x6C, 0x3A, 0x54, 0x5E, 0x38, 0x72, 0x76, 0x0A, 0xB7};
    static const uint8_t g384y[48] = {
        0x36, 0x17, 0xDE, 0x4A, 0x96, 0x26, 0x2C, 0x6F, 0x5D, 0x9E, 0x98, 0xBF,
        0x92, 0x92, 0xDC, 0x29, 0xF8, 0xF4, 0x1D, 0xBD, 0x28, 0x9A, 0x14, 0x7C,
        0xE9, 0xDA, 0x31, 0x13, 0xB5, 0xF0, 0xB8, 0xC0, 0x0A, 0x60, 0xB1, 0xCE,
        0x1D, 0x7E, 0x81, 0x9D, 0x7A, 0x43, 0x1D, 0x7C, 0x90, 0xEA, 0x0E, 0x5F};
    assert_true(captls_ec_p256_point_is_valid(g256x, g256y));
    assert_true(captls_ec_p384_point_is_valid(g384x, g384y));
    /* each curve's generator is not on the other (prefix of P-384's) */
    assert_false(captls_ec_p256_point_is_valid(g384x, g384y));
    assert_false(captls_ec_p256_point_is_valid(g256y, g256x));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generators),
        cmocka_unit_test(test_random_points),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
