/* core/verify/sig_cache.c — bounded cache of verified signatures (see
 * sig_cache.h). */
#include "core/verify/sig_cache.h"

#include <string.h>

#include "core/crypto/hash.h"

void captls_sig_cache_init(captls_sig_cache *c, captls_sig_cache_entry *storage,
                           size_t n, uint64_t generation)
{
    memset(c, 0, sizeof *c);
    c->entries = storage;
    c->capacity = storage != NULL ? n : 0;
    c->generation = generation;
    if (c->capacity > 0)
        memset(storage, 0, n * sizeof *storage);
}

void captls_sig_cache_clear(captls_sig_cache *c)
{
    if (c->capacity > 0)
        memset(c->entries, 0, c->capacity * sizeof *c->entries);
    c->next_victim = 0;
}

void captls_sig_cache_set_generation(captls_sig_cache *c, uint64_t gen)
{
    if (c->generation == gen)
        return;
    captls_sig_cache_clear(c);
    c->generation = gen;
    c->invalidations++;
}

static void absorb(captls_hash_ctx *h, captls_slice s)
{
    uint8_t len[4] = {(uint8_t)(s.len >> 24), (uint8_t)(s.len >> 16),
                      (uint8_t)(s.len >> 8), (uint8_t)s.len};
    captls_hash_update(h, len, 4);
    captls_hash_update(h, s.ptr, s.len);
}

void captls_sig_cache_key(captls_slice issuer_spki, captls_slice sig_alg,
                          captls_slice tbs, captls_slice signature,
                          uint8_t key[32])
{
    captls_hash_ctx h;
    /* SHA-256 is always available: init cannot fail. */
    if (captls_hash_init(&h, CAPTLS_HASH_SHA256) != CAPTLS_OK) {
        memset(key, 0, 32);
        return;
    }
    absorb(&h, issuer_spki);
    absorb(&h, sig_alg);
    absorb(&h, tbs);
    absorb(&h, signature);
    uint8_t out[CAPTLS_HASH_MAX_SIZE];
    captls_hash_final(&h, out);
    memcpy(key, out, 32);
}

static size_t slot_of(const captls_sig_cache *c, const uint8_t key[32])
{
    size_t h = ((size_t)key[0] << 24) | ((size_t)key[1] << 16) |
               ((size_t)key[2] << 8) | key[3];
    return h % c->capacity;
}

bool captls_sig_cache_lookup(captls_sig_cache *c, const uint8_t key[32])
{
    if (c == NULL || c->capacity == 0)
        return false;
    size_t s = slot_of(c, key);
    for (size_t i = 0; i < CAPTLS_SIG_CACHE_PROBE && i < c->capacity; i++) {
        const captls_sig_cache_entry *e = &c->entries[(s + i) % c->capacity];
        if (e->used && memcmp(e->key, key, 32) == 0) {
            c->hits++;
            return true;
        }
    }
    c->misses++;
    return false;
}

void captls_sig_cache_insert(captls_sig_cache *c, const uint8_t key[32])
{
    if (c == NULL || c->capacity == 0)
        return;
    size_t s = slot_of(c, key);
    size_t window = c->capacity < CAPTLS_SIG_CACHE_PROBE
                        ? c->capacity
                        : CAPTLS_SIG_CACHE_PROBE;
    for (size_t i = 0; i < window; i++) {
        captls_sig_cache_entry *e = &c->entries[(s + i) % c->capacity];
        if (e->used && memcmp(e->key, key, 32) == 0)
            return;
        if (!e->used) {
            memcpy(e->key, key, 32);
            e->used = 1;
            c->insertions++;
            return;
        }
    }
    captls_sig_cache_entry *v = &c->entries[(s + c->next_victim % window) %
                                            c->capacity];
    c->next_victim++;
    memcpy(v->key, key, 32);
    v->used = 1;
    c->insertions++;
    c->evictions++;
}
