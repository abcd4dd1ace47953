/* port/capos/trap.h — how the guest stops: exit codes, panics, and CPU
 * exceptions.
 *
 * The guest ends by writing a code to QEMU's isa-debug-exit device
 * (-device isa-debug-exit,iobase=0xf4,iosize=0x04), which makes QEMU exit
 * with status (code << 1) | 1. The codes are chosen so that no status can
 * be confused with QEMU's own 0 (clean shutdown, e.g. a triple fault under
 * -no-reboot) or 1 (QEMU error):
 *
 *   CAPOS_EXIT_PASS  0x10 -> QEMU exit status 33: POST passed
 *   CAPOS_EXIT_FAIL  0x11 -> QEMU exit status 35: at least one POST case failed
 *   CAPOS_EXIT_PANIC 0x12 -> QEMU exit status 37: CPU exception, stack
 *                            smash, missing CPU feature or other panic
 *
 * Without the device the write is ignored and the CPU halts, so a harness
 * must also apply a timeout (ci/qemu-test.sh does).
 *
 * capos_trap_init installs an IDT for vectors 0..31 whose handler prints
 * the vector, error code, RIP (and CR2 for a page fault) on COM1 and exits
 * with CAPOS_EXIT_PANIC. Double fault, NMI, machine check and page fault run
 * on their own stack (IST1), so a boot-stack overflow into the unmapped
 * guard page is reported rather than triple-faulting. Call it once, first
 * thing in capos_main; the console must be initialised before any fault.
 *
 * Interrupts stay disabled and every exception is fatal, which is what
 * makes linking Debian's libbearssl.a safe: it was built for user space
 * and uses the 128-byte red zone below %rsp, which an exception frame
 * pushed on the same stack would overwrite. Since nothing ever resumes the
 * interrupted code, that cannot corrupt a computation. Whoever enables
 * interrupts later (COM2 IRQs, a timer tick) must run every handler that
 * returns on an IST stack, or rebuild BearSSL with -mno-red-zone: irq.c's
 * handlers do (capos_trap_set_irq_gate, IST2).
 */
#ifndef CAPOS_TRAP_H
#define CAPOS_TRAP_H

#include <stdint.h>

typedef enum capos_exit_code {
    CAPOS_EXIT_PASS = 0x10,
    CAPOS_EXIT_FAIL = 0x11,
    CAPOS_EXIT_PANIC = 0x12,
} capos_exit_code;

void capos_trap_init(void);
/* Installs an interrupt gate for a hardware interrupt vector (32..47, the
 * remapped PIC: irq.h) running on IST2, its own stack. Ignored for other
 * vectors. */
void capos_trap_set_irq_gate(unsigned vector, uint64_t handler);
__attribute__((noreturn)) void capos_exit(capos_exit_code code);
/* Prints "FATAL: <why>" and exits with CAPOS_EXIT_PANIC. */
__attribute__((noreturn)) void capos_panic(const char *why);

/* Called from boot.S only. */
__attribute__((noreturn)) void capos_trap_handler(uint64_t vector,
                                                  uint64_t error,
                                                  uint64_t rip);

#endif
