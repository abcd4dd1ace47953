/* See ct.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "core/base/ct.h"

bool captls_ct_equal(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *pa = a;
    const volatile uint8_t *pb = b;
    uint32_t diff = 0;
    size_t i;

    /* OR of all differences: always runs to len, no data-dependent branch. */
    for (i = 0; i < len; i++)
        diff |= (uint32_t)(pa[i] ^ pb[i]);
    /* (diff - 1) >> 31 is 1 iff diff == 0 (diff < 256), without a branch. */
    return (bool)(((diff - 1u) >> 31) & 1u);
}

void captls_zeroize(void *p, size_t len)
{
#if defined(__GNUC__) || defined(__clang__)
    /* A plain memset (word-wise, fast on the 16 KiB record buffers), then
     * a barrier that makes the memory observed, so the stores cannot be
     * treated as dead. */
    if (len > 0)
        memset(p, 0, len);
#else
    volatile uint8_t *v = p;
    for (size_t i = 0; i < len; i++)
        v[i] = 0;
#endif
#if defined(__GNUC__) || defined(__clang__)
    /* Tell the compiler the memory at p was observed: the stores above
     * cannot be treated as dead even after inlining/LTO. */
    __asm__ __volatile__("" : : "r"(p) : "memory");
#endif
}
