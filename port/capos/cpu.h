/* port/capos/cpu.h — the x86_64 instructions the guest needs, as inline
 * functions (port I/O, CPUID, TSC, MSRs, halting).
 *
 * Header-only and side-effect free until called; every function is a thin
 * wrapper over one instruction, so callers keep the reasoning (retry
 * limits, feature checks) in C where it can be read. Ring 0 only.
 */
#ifndef CAPOS_CPU_H
#define CAPOS_CPU_H

#include <stdint.h>
#include <stdbool.h>

static inline void capos_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void capos_outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t capos_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

typedef struct capos_cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
} capos_cpuid_regs;

static inline capos_cpuid_regs capos_cpuid(uint32_t leaf, uint32_t subleaf)
{
    capos_cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

/* Highest basic (0) or extended (0x80000000) leaf. */
static inline uint32_t capos_cpuid_max(uint32_t base)
{
    return capos_cpuid(base, 0).eax;
}

/* lfence first so the read is not hoisted above earlier loads; enough for
 * interval measurement, which is all the guest uses it for. */
static inline uint64_t capos_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t capos_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void capos_pause(void)
{
    __asm__ volatile("pause");
}

/* Stops the CPU for good: interrupts stay off, so nothing wakes it except
 * an NMI, after which it halts again. */
static inline __attribute__((noreturn)) void capos_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

#endif
