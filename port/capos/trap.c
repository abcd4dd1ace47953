/* See trap.h. */
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "port/capos/console.h"
#include "port/capos/cpu.h"
#include "port/capos/trap.h"

#define DEBUG_EXIT_PORT 0xF4
#define KERNEL_CS 0x08
#define TSS_SEL 0x18
#define GATE_INTERRUPT 0x8E /* present, DPL 0, 64-bit interrupt gate */
#define TSS_AVAILABLE 0x89  /* present, 64-bit TSS (available) */
#define NVECTORS 32

/* From boot.S. */
extern const uint64_t capos_trap_stubs[NVECTORS];
extern uint64_t capos_gdt[5];

typedef struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} idt_gate;

_Static_assert(sizeof(idt_gate) == 16, "x86_64 IDT gates are 16 bytes");

typedef struct __attribute__((packed)) table_ptr {
    uint16_t limit;
    uint64_t base;
} table_ptr;

/* 32 exception vectors, then 16 for the remapped 8259 PIC (irq.c). */
#define NGATES 48
static idt_gate idt[NGATES] __attribute__((aligned(16)));

/* The 64-bit TSS is only here for IST1: 104 bytes, no I/O bitmap. */
static uint32_t tss[26] __attribute__((aligned(16)));

/* 8 KiB is ample: the handler prints a few numbers and exits. */
static uint8_t ist1_stack[8192] __attribute__((aligned(16)));
/* IST2: every hardware interrupt runs here, never on the interrupted
 * stack, so libbearssl.a's red zone survives an interrupt (see trap.h).
 * Interrupt gates clear IF, so handlers never nest on it. */
static uint8_t ist2_stack[8192] __attribute__((aligned(16)));

static const char *const vector_names[NVECTORS] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow",
    "bound range", "invalid opcode", "device not available", "double fault",
    "coprocessor overrun", "invalid TSS", "segment not present",
    "stack fault", "general protection", "page fault", "reserved",
    "x87 floating point", "alignment check", "machine check",
    "SIMD floating point", "virtualization", "control protection",
    "reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
    "hypervisor injection", "VMM communication", "security", "reserved",
};

static void set_gate(unsigned v, uint64_t a, uint8_t ist)
{
    idt[v].offset_lo = (uint16_t)a;
    idt[v].selector = KERNEL_CS;
    idt[v].ist = ist;
    idt[v].type = GATE_INTERRUPT;
    idt[v].offset_mid = (uint16_t)(a >> 16);
    idt[v].offset_hi = (uint32_t)(a >> 32);
    idt[v].reserved = 0;
}

void capos_trap_set_irq_gate(unsigned vector, uint64_t handler)
{
    if (vector >= NVECTORS && vector < NGATES)
        set_gate(vector, handler, 2);
}

static void load_tss(void)
{
    uint64_t base = (uint64_t)(uintptr_t)tss;
    uint64_t limit = sizeof tss - 1;
    uint64_t ist_top = (uint64_t)(uintptr_t)(ist1_stack + sizeof ist1_stack);

    tss[9] = (uint32_t)ist_top; /* IST1 at byte offset 0x24 */
    tss[10] = (uint32_t)(ist_top >> 32);
    ist_top = (uint64_t)(uintptr_t)(ist2_stack + sizeof ist2_stack);
    tss[11] = (uint32_t)ist_top; /* IST2 at byte offset 0x2C */
    tss[12] = (uint32_t)(ist_top >> 32);
    tss[25] = (uint32_t)sizeof tss << 16; /* I/O map base past the end */

    capos_gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
                   ((uint64_t)TSS_AVAILABLE << 40) |
                   (((limit >> 16) & 0xF) << 48) |
                   (((base >> 24) & 0xFF) << 56);
    capos_gdt[4] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)TSS_SEL) : "memory");
}

void capos_trap_init(void)
{
    table_ptr p;
    unsigned v;

    load_tss();
    for (v = 0; v < NVECTORS; v++) {
        uint64_t a = capos_trap_stubs[v];
        /* Faults that may come from a broken stack get a known-good one. */
        bool own_stack = v == 2 || v == 8 || v == 14 || v == 18;
        set_gate(v, a, own_stack ? 1 : 0);
    }
    p.limit = sizeof idt - 1;
    p.base = (uint64_t)(uintptr_t)idt;
    __asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

void capos_exit(capos_exit_code code)
{
    capos_outl(DEBUG_EXIT_PORT, (uint32_t)code);
    /* Only reached without isa-debug-exit: the harness's timeout ends us. */
    capos_halt_forever();
}

void capos_panic(const char *why)
{
    capos_console_puts("FATAL: ");
    capos_console_puts(why);
    capos_console_puts("\n");
    capos_exit(CAPOS_EXIT_PANIC);
}

void capos_trap_handler(uint64_t vector, uint64_t error, uint64_t rip)
{
    capos_console_puts("\nFATAL: cpu exception ");
    capos_console_put_u64(vector);
    if (vector < NVECTORS) {
        capos_console_puts(" (");
        capos_console_puts(vector_names[vector]);
        capos_console_puts(")");
    }
    capos_console_puts(" error=");
    capos_console_put_hex(error);
    capos_console_puts(" rip=");
    capos_console_put_hex(rip);
    if (vector == 14) {
        uint64_t cr2;
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        capos_console_puts(" addr=");
        capos_console_put_hex(cr2);
    }
    capos_console_puts("\n");
    capos_exit(CAPOS_EXIT_PANIC);
}
