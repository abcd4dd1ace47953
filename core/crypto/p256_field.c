/* core/crypto/p256_field.c — P-256 field constants, inversion and
 * encoding; see p256_field.h. */
#include "core/crypto/p256_field.h"

#if CAPTLS_P256_FAST

#include "core/crypto/cpu.h"

static bool fe_force_portable, fe_force_adx;

#if CAPTLS_P256_ADX
int p256_fe_adx;
#endif

void p256_fe_select(void)
{
#if CAPTLS_P256_ADX
    /* core/crypto/cpu.h: BMI2 (mulx) and ADX (adcx, adox) both usable,
     * and the portable path not forced (build flag, setter, or the POSIX
     * port's CAPTLS_CRYPTO=portable) */
    int on = !fe_force_portable &&
             (fe_force_adx ||
              captls_cpu_has(CAPTLS_CPU_BMI2 | CAPTLS_CPU_ADX));

    __atomic_store_n(&p256_fe_adx, on, __ATOMIC_RELAXED);
#endif
}

void p256_fe_force_portable(bool on)
{
    fe_force_portable = on;
    p256_fe_select();
}

void p256_fe_force_adx(bool on)
{
    fe_force_adx = on;
    p256_fe_select();
}

/* 2^256 mod p: Montgomery 1 */
const p256_fe p256_fe_one = {{0x0000000000000001ULL, 0xffffffff00000000ULL,
                              0xffffffffffffffffULL, 0x00000000fffffffeULL}};
/* b * 2^256 mod p, b of FIPS 186-4 §D.1.2.3 */
const p256_fe p256_fe_b = {{0xd89cdf6229c4bddfULL, 0xacf005cd78843090ULL,
                            0xe5a220abf7212ed6ULL, 0xdc30061d04874834ULL}};
/* 2^512 mod p: multiplying by it enters Montgomery form */
static const p256_fe p256_fe_rr = {{0x0000000000000003ULL,
                                    0xfffffffbffffffffULL,
                                    0xfffffffffffffffeULL,
                                    0x00000004fffffffdULL}};

static void sqr_n(p256_fe *r, const p256_fe *a, int n)
{
    p256_fe_sqr(r, a);
    for (int i = 1; i < n; i++)
        p256_fe_sqr(r, r);
}

/* a^(p-2), p-2 = ffffffff 00000001 00000000 00000000 00000000 ffffffff
 * ffffffff fffffffd (32-bit words, most significant first). e_k below
 * is a^(2^k - 1). The exponent is public: the chain is fixed. */
void p256_fe_inv(p256_fe *r, const p256_fe *a)
{
    p256_fe e2, e4, e8, e16, e24, e28, e30, e32, t;

    p256_fe_sqr(&t, a);
    p256_fe_mul(&e2, &t, a);
    sqr_n(&t, &e2, 2);
    p256_fe_mul(&e4, &t, &e2);
    sqr_n(&t, &e4, 4);
    p256_fe_mul(&e8, &t, &e4);
    sqr_n(&t, &e8, 8);
    p256_fe_mul(&e16, &t, &e8);
    sqr_n(&t, &e16, 8);
    p256_fe_mul(&e24, &t, &e8);
    sqr_n(&t, &e24, 4);
    p256_fe_mul(&e28, &t, &e4);
    sqr_n(&t, &e28, 2);
    p256_fe_mul(&e30, &t, &e2);
    sqr_n(&t, &e30, 2);
    p256_fe_mul(&e32, &t, &e2);
    /* ffffffff 00000001 */
    sqr_n(&t, &e32, 32);
    p256_fe_mul(&t, &t, a);
    /* 00000000 00000000 00000000 ffffffff */
    sqr_n(&t, &t, 128);
    p256_fe_mul(&t, &t, &e32);
    /* ffffffff */
    sqr_n(&t, &t, 32);
    p256_fe_mul(&t, &t, &e32);
    /* fffffffd = 30 ones, 0, 1 */
    sqr_n(&t, &t, 30);
    p256_fe_mul(&t, &t, &e30);
    sqr_n(&t, &t, 2);
    p256_fe_mul(r, &t, a);
}

bool p256_fe_frombytes(p256_fe *r, const uint8_t in[32])
{
    p256_fe x;
    uint64_t borrow = 0;
    static const uint64_t p[4] = {P256_P0, P256_P1, P256_P2, P256_P3};

    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = (w << 8) | in[31 - 8 * i - 7 + j];
        x.v[i] = w;
    }
    for (int i = 0; i < 4; i++) {
        p256_u128 t = (p256_u128)x.v[i] - p[i] - borrow;
        borrow = (uint64_t)(t >> 64) & 1;
    }
    if (!borrow)
        return false; /* x >= p */
    p256_fe_mul(r, &x, &p256_fe_rr);
    return true;
}

void p256_fe_tobytes(uint8_t out[32], const p256_fe *a)
{
    p256_fe x;
    uint64_t t[8] = {a->v[0], a->v[1], a->v[2], a->v[3], 0, 0, 0, 0};

    p256_fe_mont_reduce(&x, t); /* a / 2^256: out of Montgomery form */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            out[31 - 8 * i - j] = (uint8_t)(x.v[i] >> (8 * j));
}

#endif
