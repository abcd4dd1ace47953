/* See arena.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "port/capos/arena.h"

captls_result capos_arena_init(capos_arena *a, void *mem, size_t size)
{
    if (a == NULL || (mem == NULL && size != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    a->base = mem;
    a->size = size;
    a->used = 0;
    a->high_water = 0;
    return CAPTLS_OK;
}

void *capos_arena_alloc(capos_arena *a, size_t size, size_t align)
{
    uintptr_t next;
    size_t pad, room;

    if (a == NULL || size == 0 || align == 0 ||
        align > CAPOS_ARENA_MAX_ALIGN || (align & (align - 1)) != 0)
        return NULL;
    /* Align the address, not the offset: the region itself may be
     * unaligned. Every comparison below is against what is left, so no
     * sum can overflow however large size is. */
    next = (uintptr_t)a->base + a->used;
    pad = (size_t)(-next & (align - 1));
    room = a->size - a->used;
    if (pad > room || size > room - pad)
        return NULL;
    a->used += pad + size;
    if (a->used > a->high_water)
        a->high_water = a->used;
    return a->base + (a->used - size);
}

void capos_arena_reset(capos_arena *a)
{
    if (a == NULL)
        return;
    /* used only grows between resets, so every byte written since the
     * last reset lies below it. */
    if (a->used != 0)
        memset(a->base, 0, a->used);
    a->used = 0;
}
