/* port/capos/arena.h — a bump allocator over caller-owned memory.
 *
 * The guest has no heap. Services that need working memory (connection
 * contexts, record buffers) take it from an arena laid over a region the
 * caller provides — on the guest a static array in .bss — so the worst case
 * is the region's size, fixed at build time, and exhaustion is an ordinary
 * NULL return, never a crash.
 *
 *   capos_arena_init   lays the arena over mem[0..size); the caller keeps
 *                      mem alive and untouched for the arena's lifetime.
 *   capos_arena_alloc  returns size bytes aligned to align (a power of two,
 *                      at most CAPOS_ARENA_MAX_ALIGN), or NULL if size is 0,
 *                      align is invalid, or the request (with its padding)
 *                      does not fit in what is left. A refused request
 *                      changes nothing. Memory is not zeroed.
 *   capos_arena_reset  frees everything at once and wipes the bytes handed
 *                      out, since they may have held keys.
 *
 * Not thread-safe. Individual blocks cannot be freed.
 */
#ifndef CAPOS_ARENA_H
#define CAPOS_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

#define CAPOS_ARENA_MAX_ALIGN 4096u

typedef struct capos_arena {
    uint8_t *base;
    size_t size;
    size_t used;       /* bytes handed out, padding included */
    size_t high_water; /* largest `used` since init */
} capos_arena;

/* CAPTLS_ERR_INVALID_ARGUMENT if mem is NULL with a nonzero size. */
CAPTLS_MUST_CHECK captls_result capos_arena_init(capos_arena *a, void *mem,
                                                 size_t size);
void *capos_arena_alloc(capos_arena *a, size_t size, size_t align);
void capos_arena_reset(capos_arena *a);

#endif
