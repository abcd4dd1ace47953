/* See entropy.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "port/capos/cpu.h"
#include "port/capos/entropy.h"

#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)
#define RDRAND_RETRIES 10
#define RDSEED_RETRIES 100

static bool rdrand64(uint64_t *v)
{
    unsigned char ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok != 0;
}

static bool rdseed64(uint64_t *v)
{
    unsigned char ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok != 0;
}

captls_result capos_entropy_init(capos_entropy *e)
{
    e->has_rdrand = (capos_cpuid(1, 0).ecx & CPUID1_ECX_RDRAND) != 0;
    e->has_rdseed = capos_cpuid_max(0) >= 7 &&
                    (capos_cpuid(7, 0).ebx & CPUID7_EBX_RDSEED) != 0;
    e->have_last = false;
    e->last = 0;
    if (!e->has_rdrand && !e->has_rdseed)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    return CAPTLS_OK;
}

static bool next_word(capos_entropy *e, uint64_t *w)
{
    int i;
    bool got = false;

    if (e->has_rdseed) {
        for (i = 0; i < RDSEED_RETRIES && !got; i++) {
            got = rdseed64(w);
            if (!got)
                capos_pause();
        }
    }
    if (!got && e->has_rdrand) {
        for (i = 0; i < RDRAND_RETRIES && !got; i++)
            got = rdrand64(w);
    }
    if (!got)
        return false;
    if (*w == 0 || *w == UINT64_MAX || (e->have_last && *w == e->last))
        return false;
    e->last = *w;
    e->have_last = true;
    return true;
}

captls_result capos_entropy_fill(void *ctx, uint8_t *out, size_t len)
{
    capos_entropy *e = ctx;
    size_t off = 0;
    uint64_t w = 0;

    if (e == NULL || (out == NULL && len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    while (off < len) {
        size_t n = len - off < sizeof w ? len - off : sizeof w;
        if (!next_word(e, &w)) {
            memset(out, 0, len);
            return CAPTLS_ERR_ENTROPY_FAILURE;
        }
        memcpy(out + off, &w, n);
        off += n;
    }
    return CAPTLS_OK;
}
