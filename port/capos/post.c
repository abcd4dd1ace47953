/* See post.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "port/capos/arena.h"
#include "port/capos/cpu.h"
#include "port/capos/entropy.h"
#include "port/capos/post.h"
#include "port/capos/rtc.h"
#include "port/capos/timer.h"

/* 2020-01-01T00:00:00Z: any RTC reading before it means a clock that was
 * never set (QEMU's default is the host's current time). */
#define EPOCH_2020 1577836800
#define MSR_FS_BASE 0xC0000100

static bool all_same_byte(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 1; i < n; i++) {
        if (p[i] != p[0])
            return false;
    }
    return true;
}

static bool entropy_varies(const captls_port *port)
{
    uint8_t a[32], b[32];

    if (port->entropy.fill == NULL)
        return false;
    if (port->entropy.fill(port->entropy.ctx, a, sizeof a) != CAPTLS_OK ||
        port->entropy.fill(port->entropy.ctx, b, sizeof b) != CAPTLS_OK)
        return false;
    return memcmp(a, b, sizeof a) != 0 && !all_same_byte(a, sizeof a) &&
           !all_same_byte(b, sizeof b);
}

/* A source with neither instruction must refuse and leave zeros behind. */
static bool entropy_fails_closed(void)
{
    capos_entropy none = {0};
    uint8_t buf[16];

    memset(buf, 0x5A, sizeof buf);
    if (capos_entropy_fill(&none, buf, sizeof buf) !=
        CAPTLS_ERR_ENTROPY_FAILURE)
        return false;
    return all_same_byte(buf, sizeof buf) && buf[0] == 0;
}

/* The TSC must see at least half of a 5 ms PIT wait. The upper bound is
 * loose on purpose: under TCG a host-side stall stretches the wall time
 * both clocks measure, and only a grossly wrong calibration should fail. */
static bool timer_advances(const captls_port *port)
{
    uint64_t t0, t1;

    if (port->clock.monotonic_ns == NULL)
        return false;
    t0 = port->clock.monotonic_ns(port->clock.ctx);
    if (!capos_timer_wait_pit_ms(5))
        return false;
    t1 = port->clock.monotonic_ns(port->clock.ctx);
    return t1 > t0 && t1 - t0 >= 2500000u && t1 - t0 <= 5000000000ull;
}

static bool wall_clock_untrusted(const captls_port *port)
{
    captls_wall_time w;

    if (port->clock.wall_time == NULL ||
        port->clock.wall_time(port->clock.ctx, &w) != CAPTLS_OK)
        return false;
    return w.provenance == CAPTLS_CLOCK_UNTRUSTED &&
           w.epoch_seconds >= EPOCH_2020 && w.nanoseconds < 1000000000u;
}

/* Known answers computed with Python's datetime. */
static bool civil_dates(void)
{
    return capos_days_from_civil(1970, 1, 1) == 0 &&
           capos_days_from_civil(2000, 3, 1) == 11017 &&
           capos_days_from_civil(2038, 1, 19) == 24855 &&
           capos_days_from_civil(1969, 12, 31) == -1;
}

static bool arena_aligns(void)
{
    uint8_t mem[256] __attribute__((aligned(64)));
    capos_arena a;
    uint8_t *p, *q;

    if (capos_arena_init(&a, mem + 1, sizeof mem - 1) != CAPTLS_OK)
        return false;
    p = capos_arena_alloc(&a, 3, 1);
    q = capos_arena_alloc(&a, 8, 64);
    return p == mem + 1 && q == mem + 64 && a.used == 63 + 8 &&
           capos_arena_alloc(&a, 1, 3) == NULL &&    /* not a power of 2 */
           capos_arena_alloc(&a, 1, 8192) == NULL && /* over the max */
           capos_arena_alloc(&a, 0, 1) == NULL;
}

static bool arena_refuses_overallocation(void)
{
    uint8_t mem[128];
    capos_arena a;
    size_t before;

    if (capos_arena_init(&a, mem, sizeof mem) != CAPTLS_OK ||
        capos_arena_alloc(&a, 100, 1) == NULL)
        return false;
    before = a.used;
    /* Too big for what is left, far too big, and one that would wrap a
     * naive `used + size` computation: all refused, nothing changed. */
    return capos_arena_alloc(&a, 29, 1) == NULL &&
           capos_arena_alloc(&a, SIZE_MAX, 1) == NULL &&
           capos_arena_alloc(&a, SIZE_MAX - 50, 16) == NULL &&
           a.used == before && capos_arena_alloc(&a, 28, 1) != NULL &&
           capos_arena_alloc(&a, 1, 1) == NULL;
}

static bool arena_reset_wipes(void)
{
    uint8_t mem[64];
    capos_arena a;
    uint8_t *p;
    size_t i;

    if (capos_arena_init(&a, mem, sizeof mem) != CAPTLS_OK ||
        (p = capos_arena_alloc(&a, sizeof mem, 1)) == NULL)
        return false;
    memset(p, 0xEE, sizeof mem);
    capos_arena_reset(&a);
    for (i = 0; i < sizeof mem; i++) {
        if (mem[i] != 0)
            return false;
    }
    return a.used == 0 && a.high_water == sizeof mem &&
           capos_arena_alloc(&a, sizeof mem, 1) == mem;
}

/* boot.S points FS at a block whose word 0 is its own address and whose
 * word at 0x28 is the canary the stack protector compares against. */
static bool canary_in_place(void)
{
    uint64_t self, canary, base = capos_rdmsr(MSR_FS_BASE);
    __asm__ volatile("movq %%fs:0, %0" : "=r"(self));
    __asm__ volatile("movq %%fs:0x28, %0" : "=r"(canary));
    return base != 0 && self == base && canary != 0 && (canary & 0xFF) == 0;
}

void capos_post_guest(const captls_selftest_report *r,
                      captls_selftest_counts *c, const captls_port *port,
                      const capos_port_state *st, bool deliberate_failure)
{
    captls_selftest_record(r, c, "guest.entropy.present",
                           st->entropy_status == CAPTLS_OK);
    captls_selftest_record(r, c, "guest.entropy.nonconstant",
                           entropy_varies(port));
    captls_selftest_record(r, c, "guest.entropy.fails_closed",
                           entropy_fails_closed());
    captls_selftest_record(r, c, "guest.timer.calibrated",
                           st->timer_status == CAPTLS_OK);
    captls_selftest_record(r, c, "guest.timer.advances",
                           timer_advances(port));
    captls_selftest_record(r, c, "guest.clock.wall_untrusted",
                           wall_clock_untrusted(port));
    captls_selftest_record(r, c, "guest.clock.civil_dates", civil_dates());
    captls_selftest_record(r, c, "guest.arena.align", arena_aligns());
    captls_selftest_record(r, c, "guest.arena.refuses_overallocation",
                           arena_refuses_overallocation());
    captls_selftest_record(r, c, "guest.arena.reset_wipes",
                           arena_reset_wipes());
    captls_selftest_record(r, c, "guest.ssp.canary", canary_in_place());
    if (deliberate_failure)
        captls_selftest_record(r, c, "guest.deliberate_failure", false);
}
