/* See irq.h. */
#include <stdint.h>

#include "port/capos/cpu.h"
#include "port/capos/irq.h"
#include "port/capos/trap.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u

struct interrupt_frame;

static volatile uint64_t ticks;
static uint8_t mask1 = 0xFF, mask2 = 0xFF;

void capos_irq_eoi(unsigned irq)
{
    if (irq >= 8)
        __asm__ volatile("outb %0, %1" : : "a"((uint8_t)PIC_EOI),
                         "Nd"((uint16_t)PIC2_CMD));
    __asm__ volatile("outb %0, %1" : : "a"((uint8_t)PIC_EOI),
                     "Nd"((uint16_t)PIC1_CMD));
}

__attribute__((interrupt, target("general-regs-only"))) static void
irq0_tick(struct interrupt_frame *f)
{
    (void)f;
    ticks = ticks + 1;
    capos_irq_eoi(0);
}

/* A line nobody unmasked can still fire spuriously (IRQ7/15): ack and go. */
__attribute__((interrupt, target("general-regs-only"))) static void
irq_master_other(struct interrupt_frame *f)
{
    (void)f;
    capos_irq_eoi(0);
}

__attribute__((interrupt, target("general-regs-only"))) static void
irq_slave_other(struct interrupt_frame *f)
{
    (void)f;
    capos_irq_eoi(8);
}

void capos_irq_init(void)
{
    uint16_t div = (uint16_t)(PIT_HZ / CAPOS_IRQ_TICK_HZ);

    /* ICW1..ICW4: edge-triggered, cascade on IRQ2, 8086 mode. */
    capos_outb(PIC1_CMD, 0x11);
    capos_outb(PIC2_CMD, 0x11);
    capos_outb(PIC1_DATA, CAPOS_IRQ_BASE);
    capos_outb(PIC2_DATA, CAPOS_IRQ_BASE + 8);
    capos_outb(PIC1_DATA, 0x04);
    capos_outb(PIC2_DATA, 0x02);
    capos_outb(PIC1_DATA, 0x01);
    capos_outb(PIC2_DATA, 0x01);
    mask1 = 0xFB; /* everything masked but the cascade */
    mask2 = 0xFF;
    capos_outb(PIC1_DATA, mask1);
    capos_outb(PIC2_DATA, mask2);

    for (unsigned v = 0; v < 16; v++)
        capos_trap_set_irq_gate(CAPOS_IRQ_BASE + v,
                                v < 8 ? (uint64_t)(uintptr_t)irq_master_other
                                      : (uint64_t)(uintptr_t)irq_slave_other);
    capos_trap_set_irq_gate(CAPOS_IRQ_BASE, (uint64_t)(uintptr_t)irq0_tick);

    /* Channel 0, lobyte/hibyte, mode 2 (rate generator). */
    capos_outb(PIT_CMD, 0x34);
    capos_outb(PIT_CH0, (uint8_t)div);
    capos_outb(PIT_CH0, (uint8_t)(div >> 8));
    capos_irq_unmask(0);
}

void capos_irq_unmask(unsigned irq)
{
    if (irq < 8) {
        mask1 = (uint8_t)(mask1 & ~(1u << irq));
        capos_outb(PIC1_DATA, mask1);
    } else if (irq < 16) {
        mask2 = (uint8_t)(mask2 & ~(1u << (irq - 8)));
        capos_outb(PIC2_DATA, mask2);
    }
}

void capos_irq_enable(void)
{
    __asm__ volatile("sti" : : : "memory");
}

void capos_irq_disable(void)
{
    __asm__ volatile("cli" : : : "memory");
}

void capos_irq_idle(void)
{
    /* sti's one-instruction shadow: an interrupt pending now is taken
     * at the hlt, not lost before it. Interrupts stay enabled after. */
    __asm__ volatile("sti; hlt" : : : "memory");
}

uint64_t capos_irq_ticks(void)
{
    return ticks;
}
