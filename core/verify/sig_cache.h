/* core/verify/sig_cache.h — a bounded cache of signatures already verified.
 *
 * Contract. The cache remembers SUCCESSFUL X.509 signature checks only,
 * keyed by SHA-256 over (issuer SPKI DER, signature AlgorithmIdentifier
 * DER, TBS DER, signature bytes), each length-prefixed so no two inputs
 * share a key. A hit means "these exact bytes verified before", so a hit
 * can never make a bad signature pass (short of a SHA-256 collision). A
 * failed check is never cached.
 * Memory is the caller's: an array of entries given at init, never grown
 * (constant memory; CAPTLS_SIG_CACHE_ENTRY_SIZE bytes each). Lookup and
 * insert probe at most CAPTLS_SIG_CACHE_PROBE slots; insertion into a full
 * window evicts round-robin. The cache carries a generation (the
 * TrustStore version): captls_sig_cache_set_generation with a new value
 * empties it, so a version move invalidates everything, as issue 5 asks.
 * Not thread-safe: one cache per verifier/thread (or an external lock).
 */
#ifndef CAPTLS_VERIFY_SIG_CACHE_H
#define CAPTLS_VERIFY_SIG_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"

#define CAPTLS_SIG_CACHE_PROBE 4u

typedef struct captls_sig_cache_entry {
    uint8_t key[32];
    uint8_t used;
} captls_sig_cache_entry;
#define CAPTLS_SIG_CACHE_ENTRY_SIZE sizeof(captls_sig_cache_entry)

typedef struct captls_sig_cache {
    captls_sig_cache_entry *entries;
    size_t capacity;
    uint64_t generation;
    size_t next_victim;
    uint64_t hits, misses, insertions, evictions, invalidations;
} captls_sig_cache;

/* storage[0..n) becomes the cache (n >= 1; it is cleared). */
void captls_sig_cache_init(captls_sig_cache *c, captls_sig_cache_entry *storage,
                           size_t n, uint64_t generation);
/* Empties the cache if gen differs from the current generation. */
void captls_sig_cache_set_generation(captls_sig_cache *c, uint64_t gen);
void captls_sig_cache_clear(captls_sig_cache *c);
/* The cache key of one signature check. */
void captls_sig_cache_key(captls_slice issuer_spki, captls_slice sig_alg,
                          captls_slice tbs, captls_slice signature,
                          uint8_t key[32]);
/* true on a hit (counts hits/misses). */
bool captls_sig_cache_lookup(captls_sig_cache *c, const uint8_t key[32]);
/* Records a successful check. */
void captls_sig_cache_insert(captls_sig_cache *c, const uint8_t key[32]);

#endif
