/* See timer.h. */
#include <stdbool.h>
#include <stdint.h>

#include "port/capos/cpu.h"
#include "port/capos/timer.h"

#define PIT_HZ 1193182u
#define PIT_CH2_DATA 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61          /* keyboard controller port B: PIT ch2 gate/out */
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20

#define CAL_MS 10u
#define CAL_ROUNDS 3
/* Each inb from port 0x61 takes well over 100 ns on hardware and far more
 * under TCG; 50 ms never needs more than ~10^7 polls, 10^9 is a bound
 * that only a missing PIT reaches. */
#define PIT_SPIN_LIMIT 1000000000ull

/* One-shot on channel 2 (mode 0): OUT2 rises when the count reaches 0.
 * The gate is held high and the speaker kept off, as Linux's
 * pit_calibrate_tsc does. Returns the TSC ticks spent, or 0 on timeout. */
static uint64_t pit_window_tsc(unsigned ms)
{
    uint32_t count = (PIT_HZ * ms + 500u) / 1000u;
    uint64_t t0, t1, spins = 0;

    capos_outb(PORT_B, (uint8_t)((capos_inb(PORT_B) & ~PORT_B_SPEAKER) |
                                 PORT_B_GATE2));
    capos_outb(PIT_CMD, 0xB0); /* channel 2, lobyte/hibyte, mode 0, binary */
    capos_outb(PIT_CH2_DATA, (uint8_t)(count & 0xFF));
    capos_outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
    t0 = capos_rdtsc();
    while ((capos_inb(PORT_B) & PORT_B_OUT2) == 0) {
        if (++spins > PIT_SPIN_LIMIT)
            return 0;
    }
    t1 = capos_rdtsc();
    return t1 - t0;
}

bool capos_timer_wait_pit_ms(unsigned ms)
{
    if (ms < 1 || ms > 50) /* the 16-bit count holds at most ~54.9 ms */
        return false;
    return pit_window_tsc(ms) != 0;
}

captls_result capos_timer_init(capos_timer *t)
{
    uint64_t best = 0;
    int i;

    t->ready = false;
    t->last_ns = 0;
    for (i = 0; i < CAL_ROUNDS; i++) {
        uint64_t ticks = pit_window_tsc(CAL_MS);
        if (ticks == 0)
            return CAPTLS_ERR_CLOCK_UNAVAILABLE;
        if (best == 0 || ticks < best)
            best = ticks;
    }
    t->tsc_hz = best * (1000u / CAL_MS);
    if (t->tsc_hz < 10000000ull || t->tsc_hz > 100000000000ull)
        return CAPTLS_ERR_CLOCK_UNAVAILABLE;
    /* ns = ticks * 1e9 / hz without a 128-bit division: precompute
     * 1e9 * 2^32 / hz (fits: hz >= 1e7 keeps it under 2^39). */
    t->ns_mult = (1000000000ull << 32) / t->tsc_hz;
    t->tsc_origin = capos_rdtsc();
    t->ready = true;
    return CAPTLS_OK;
}

uint64_t capos_timer_ns(capos_timer *t)
{
    uint64_t ticks, ns;

    if (!t->ready)
        return 0;
    ticks = capos_rdtsc() - t->tsc_origin;
    /* 64x64 -> 128-bit multiply (one mul instruction, no libgcc call);
     * overflows only after ~2^64 ns, i.e. centuries. */
    ns = (uint64_t)(((unsigned __int128)ticks * t->ns_mult) >> 32);
    if (ns < t->last_ns)
        ns = t->last_ns;
    t->last_ns = ns;
    return ns;
}
