/* port/capos/irq.h — hardware interrupts for the guest: the 8259 PIC pair
 * remapped to vectors 32..47, the 8254 PIT's channel 0 as a periodic tick
 * (so an idle guest can halt and still wake for its timeouts), and the
 * idle primitive.
 *
 * capos_irq_init remaps the PICs (IRQ n -> vector 32+n, every line masked)
 * and starts the tick at CAPOS_IRQ_TICK_HZ on IRQ0; capos_irq_unmask opens
 * one line. Every handler runs on IST2 (trap.h), so it never writes below
 * the interrupted code's stack pointer. Call after capos_trap_init and
 * after the POST (the POST's PIT-channel-2 checks and timer calibration do
 * not share channel 0). Interrupts stay disabled until capos_irq_enable.
 *
 * capos_irq_idle halts until the next interrupt (at most one tick) and
 * returns with interrupts enabled. To wait without losing a wake-up, call
 * capos_irq_disable, look for work, and call capos_irq_idle only if there
 * is none: its sti;hlt pair takes an interrupt that came in between at
 * the hlt. Ring 0, single CPU, not reentrant.
 */
#ifndef CAPOS_IRQ_H
#define CAPOS_IRQ_H

#include <stdint.h>

#define CAPOS_IRQ_BASE 32u
#define CAPOS_IRQ_TICK_HZ 100u

void capos_irq_init(void);
void capos_irq_unmask(unsigned irq);
void capos_irq_enable(void);
void capos_irq_disable(void);
void capos_irq_idle(void);
/* Acknowledges IRQ `irq` at the PIC; for handlers only. */
__attribute__((target("general-regs-only"))) void capos_irq_eoi(unsigned irq);
/* Ticks since capos_irq_init. */
uint64_t capos_irq_ticks(void);

#endif
