/* See diff_rng.h. */
#include "conformance/diff_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t captls_diff_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void captls_diff_splitmix_bytes(uint64_t *state, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)captls_diff_splitmix64(state);
}

static uint64_t env_u64(const char *name, uint64_t dflt, int *set)
{
    const char *v = getenv(name);
    *set = 0;
    if (v == NULL || *v == '\0')
        return dflt;
    char *end;
    unsigned long long x = strtoull(v, &end, 0);
    if (*end != '\0') {
        fprintf(stderr, "%s: not a number: %s\n", name, v);
        exit(2);
    }
    *set = 1;
    return x;
}

size_t captls_diff_begin(captls_diff_rng *rng, const char *name,
                         size_t divisor)
{
    int set;
    static uint64_t seed; /* one per process: every test prints the same */
    static int seeded;
    if (!seeded) {
        seed = env_u64("CAPTLS_DIFF_SEED",
                       ((uint64_t)time(NULL) << 16 ^ (uint64_t)getpid()) %
                           1000000007u,
                       &set);
        seeded = 1;
    }
    uint64_t cases = env_u64("CAPTLS_DIFF_CASES", 2000, &set);
    if (divisor > 1)
        cases /= divisor;
    if (cases == 0)
        cases = 1;
    uint64_t x = seed;
    for (const char *c = name; *c; c++)
        x = (x ^ (uint8_t)*c) * 0x100000001b3u;
    for (int i = 0; i < 4; i++)
        rng->s[i] = captls_diff_splitmix64(&x);
    printf("diff %s: seed %llu, %llu cases; rerun with CAPTLS_DIFF_SEED=%llu\n",
           name, (unsigned long long)seed, (unsigned long long)cases,
           (unsigned long long)seed);
    fflush(stdout);
    return (size_t)cases;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t captls_diff_u64(captls_diff_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

size_t captls_diff_below(captls_diff_rng *rng, size_t n)
{
    return (size_t)(captls_diff_u64(rng) % n);
}

void captls_diff_bytes(captls_diff_rng *rng, uint8_t *p, size_t n)
{
    while (n > 0) {
        uint64_t v = captls_diff_u64(rng);
        size_t k = n < 8 ? n : 8;
        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
}

size_t captls_diff_len(captls_diff_rng *rng, size_t max)
{
    size_t r, pick = captls_diff_below(rng, 8);
    static const size_t edges[] = {16, 32, 48, 64, 112, 128, 256};
    if (pick < 3) {
        r = captls_diff_below(rng, 40);
    } else if (pick < 6) {
        r = edges[captls_diff_below(rng, 7)] * (1 + captls_diff_below(rng, 3));
        r = r - 1 + captls_diff_below(rng, 3);
    } else if (pick < 7) {
        r = captls_diff_below(rng, max + 1);
    } else {
        r = captls_diff_below(rng, 600);
    }
    if (captls_diff_below(rng, 64) == 0)
        r = max;
    return r > max ? max : r;
}

void captls_diff_flip(captls_diff_rng *rng, uint8_t *p, size_t n)
{
    size_t bit = captls_diff_below(rng, n * 8);
    p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

void captls_diff_dump(const char *label, const uint8_t *p, size_t n)
{
    printf("  %s (%zu bytes): ", label, n);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("%s\n", n == 0 ? "-" : "");
}
