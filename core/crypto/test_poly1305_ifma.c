/* Tests for the eight-way AVX-512 IFMA Poly1305 (core/crypto/poly1305_64.h)
 * against the scalar radix-2^64 code: every block count around the batch
 * of eight, from accumulator states left by earlier blocks, with the keys
 * and messages that make limbs largest (all-ones r after clamping, s and
 * blocks of 0xff) as well as zeros and random ones. Passes trivially
 * (and says so) on a CPU without AVX-512 IFMA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/rand.h>

#include "core/crypto/cpu.h"
#include "core/crypto/poly1305_64.h"

#if CAPTLS_POLY1305_IFMA

enum { MAXBLK = 300 };

static void tags_equal(const uint8_t key[32], const uint8_t *m, size_t pre,
                       size_t n)
{
    captls_poly64 a, b;
    captls_poly64_ifma k;
    uint8_t ta[16], tb[16];

    captls_poly64_init(&a, key);
    captls_poly64_init(&b, key);
    captls_poly64_ifma_init(&k, &b);
    captls_poly64_blocks(&a, m, pre);
    captls_poly64_blocks(&b, m, pre);
    captls_poly64_blocks(&a, m + 16 * pre, n);
    captls_poly64_ifma_blocks(&b, &k, m + 16 * pre, n);
    captls_poly64_finish(&a, key, pre, n, ta);
    captls_poly64_finish(&b, key, pre, n, tb);
    if (memcmp(ta, tb, 16) != 0) {
        printf("poly1305 ifma: mismatch, %zu blocks after %zu\n", n, pre);
        fail();
    }
}

static void test_ifma_equals_scalar(void **state)
{
    (void)state;
    static uint8_t m[16 * (MAXBLK + 8)];
    static const size_t counts[] = {0,  1,  7,  8,  9,  15, 16, 17, 23,
                                    24, 60, 63, 64, 65, 127, 128, 200, MAXBLK};
    uint8_t key[32];

    if (!captls_cpu_has(CAPTLS_CPU_AVX512F | CAPTLS_CPU_AVX512IFMA)) {
        printf("poly1305 ifma: this CPU has no AVX-512 IFMA; not run\n");
        return;
    }
    for (int kind = 0; kind < 4; kind++) {
        /* 0: largest limbs, 1: zero key and message, 2, 3: random */
        if (kind == 0) {
            memset(key, 0xff, sizeof key);
            memset(m, 0xff, sizeof m);
        } else if (kind == 1) {
            memset(key, 0, sizeof key);
            memset(m, 0, sizeof m);
        } else {
            assert_int_equal(RAND_bytes(key, sizeof key), 1);
            assert_int_equal(RAND_bytes(m, sizeof m), 1);
        }
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
            for (size_t pre = 0; pre < 4; pre++)
                tags_equal(key, m, pre, counts[c]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ifma_equals_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
    printf("poly1305 ifma: not built here (CAPTLS_POLY1305_IFMA 0)\n");
    return 0;
}

#endif
