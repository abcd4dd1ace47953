/* conformance/diff_rng.h — the seeded randomness and case counts of the
 * differential tests against OpenSSL (conformance/test_diff_*.c).
 *
 * Every differential test draws its inputs from one xoshiro256** stream
 * seeded from CAPTLS_DIFF_SEED (decimal or 0x-hex; default: time and pid),
 * mixed with the test's name so each test is reproducible on its own. The
 * seed is printed first ("diff <name>: seed S, N cases; rerun with
 * CAPTLS_DIFF_SEED=S"), and a mismatch prints the case number and inputs.
 * N comes from CAPTLS_DIFF_CASES (default 2000, what `make test` runs;
 * `make conformance` sets 100000). Pure C: no OpenSSL here, nothing secret
 * (this is a test generator, not a CSPRNG).
 */
#ifndef CAPTLS_CONFORMANCE_DIFF_RNG_H
#define CAPTLS_CONFORMANCE_DIFF_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct captls_diff_rng {
    uint64_t s[4];
} captls_diff_rng;

/* Seeds rng for the test `name`, reads the case count (`divisor` scales it
 * down for slow primitives: N / divisor, at least 1) and prints the
 * reproduction line. Returns the case count. */
size_t captls_diff_begin(captls_diff_rng *rng, const char *name,
                         size_t divisor);

uint64_t captls_diff_u64(captls_diff_rng *rng);
/* Uniform in [0, n) (n > 0). */
size_t captls_diff_below(captls_diff_rng *rng, size_t n);
void captls_diff_bytes(captls_diff_rng *rng, uint8_t *p, size_t n);
/* A length in [0, max], skewed to the edges a primitive cares about: often
 * small, often near block multiples (16, 64, 128 +-1), sometimes max. */
size_t captls_diff_len(captls_diff_rng *rng, size_t max);
/* Flips one random bit of p[0..n) (n > 0). */
void captls_diff_flip(captls_diff_rng *rng, uint8_t *p, size_t n);

/* SplitMix64, the fixed-seed stream of the unit tests that compare against
 * OpenSSL with a constant seed (core/crypto/test_ed25519.c, test_x25519.c):
 * each test owns its `uint64_t` state, starts it at its own constant and so
 * draws the same inputs on every run. captls_diff_begin seeds xoshiro from
 * it too. */
uint64_t captls_diff_splitmix64(uint64_t *state);
/* Fills p[0..n) with the low byte of one splitmix step per byte. */
void captls_diff_splitmix_bytes(uint64_t *state, uint8_t *p, size_t n);

/* Prints "  label (n bytes): hex" to stdout (for mismatch reports). */
void captls_diff_dump(const char *label, const uint8_t *p, size_t n);

#endif
