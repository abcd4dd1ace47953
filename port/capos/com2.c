/* See com2.h. */
#include <stddef.h>
#include <stdint.h>

#include "port/capos/com2.h"
#include "port/capos/cpu.h"
#include "port/capos/irq.h"
#include "port/capos/trap.h"

#define COM2 0x2F8
#define COM2_IRQ 3
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define IER_RX 0x01
#define IER_THRE 0x02
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define UART_FIFO 16

struct interrupt_frame;

static uint8_t rx_ring[CAPOS_COM2_RX_RING];
static volatile uint32_t rx_head, rx_tail; /* tail: handler; head: reader */
static volatile uint8_t ier;
static volatile capos_com2_stats stats;

static inline __attribute__((target("general-regs-only"))) uint8_t
port_in(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline __attribute__((target("general-regs-only"))) void
port_out(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

__attribute__((interrupt, target("general-regs-only"))) static void
com2_irq(struct interrupt_frame *f)
{
    (void)f;
    (void)port_in(COM2 + UART_IIR); /* acknowledges a THR-empty cause */
    for (;;) {
        uint8_t lsr = port_in(COM2 + UART_LSR);
        uint32_t tail = rx_tail;
        if (lsr & LSR_OE)
            stats.rx_overruns = stats.rx_overruns + 1;
        if ((lsr & LSR_DR) == 0)
            break;
        if (tail - rx_head >= CAPOS_COM2_RX_RING) {
            /* Full: leave the rest in the UART and stop asking. */
            ier = (uint8_t)(ier & ~IER_RX);
            port_out(COM2 + UART_IER, ier);
            stats.rx_stalls = stats.rx_stalls + 1;
            break;
        }
        rx_ring[tail % CAPOS_COM2_RX_RING] = port_in(COM2 + UART_RBR);
        __asm__ volatile("" : : : "memory");
        rx_tail = tail + 1;
        stats.rx_bytes = stats.rx_bytes + 1;
    }
    if ((ier & IER_THRE) && (port_in(COM2 + UART_LSR) & LSR_THRE)) {
        /* The main loop sends; this only woke it. */
        ier = (uint8_t)(ier & ~IER_THRE);
        port_out(COM2 + UART_IER, ier);
    }
    /* The PIC is edge-triggered: an interrupt is requested only when the
     * UART's line rises. A cause that appears while the line is already
     * high for another one (bytes arriving while THR-empty holds it, or
     * the reverse) makes no edge, and if the line is still high when we
     * return, no edge ever comes again: COM2 receive stops for good, with
     * the bytes sitting in the UART's FIFO. So drop the line (IER 0) and
     * re-arm it: whatever is still pending raises a fresh edge, which the
     * PIC latches now and delivers after the EOI. */
    port_out(COM2 + UART_IER, 0);
    port_out(COM2 + UART_IER, ier);
    capos_irq_eoi(COM2_IRQ);
}

static void set_ier(uint8_t v)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    ier = v;
    /* Through 0, for the same reason as at the end of com2_irq: a cause
     * pending under a high line must make a new edge. */
    capos_outb(COM2 + UART_IER, 0);
    capos_outb(COM2 + UART_IER, v);
    if (flags & (1u << 9))
        __asm__ volatile("sti" : : : "memory");
}

void capos_com2_init(void)
{
    capos_outb(COM2 + UART_IER, 0x00);
    capos_outb(COM2 + UART_LCR, 0x80);
    capos_outb(COM2 + 0, 0x01); /* 115200 baud (QEMU ignores the rate) */
    capos_outb(COM2 + 1, 0x00);
    capos_outb(COM2 + UART_LCR, 0x03);      /* 8N1 */
    /* FIFOs on and cleared, 14-byte trigger: QEMU offers the socket's
     * bytes up to the trigger level per main-loop turn, so the highest
     * level moves the most per interrupt. */
    capos_outb(COM2 + UART_FCR, 0xC7);
    capos_outb(COM2 + UART_MCR, 0x0B);      /* DTR, RTS, OUT2 (IRQ gate) */
    rx_head = rx_tail = 0;
    /* No UART answers 0xFF (an empty bus): QEMU started without a second
     * -serial. Say so rather than spin on a "data ready" that never ends. */
    if (capos_inb(COM2 + UART_LSR) == 0xFF)
        capos_panic("COM2 absent: start QEMU with a second -serial (the bridge socket)");
    for (unsigned i = 0; i < 64 && (capos_inb(COM2 + UART_LSR) & LSR_DR); i++)
        (void)capos_inb(COM2 + UART_RBR); /* stale bytes from before */
    capos_trap_set_irq_gate(CAPOS_IRQ_BASE + COM2_IRQ,
                            (uint64_t)(uintptr_t)com2_irq);
    set_ier(IER_RX);
    capos_irq_unmask(COM2_IRQ);
}

/* Safety net for an edge lost anyway (see com2_irq): the ring is empty,
 * receive interrupts are on, yet the UART holds a byte. Re-arming IER
 * makes the line rise again if a cause is pending. Also counts the
 * harmless case of a few bytes below the FIFO trigger level whose
 * timeout interrupt has not fired yet. Main loop only. */
static void rx_kick_if_stuck(void)
{
    if (rx_tail == rx_head && (ier & IER_RX) &&
        (capos_inb(COM2 + UART_LSR) & LSR_DR)) {
        stats.rx_kicks = stats.rx_kicks + 1;
        set_ier(ier);
    }
}

int capos_com2_rx_ready(void)
{
    if (rx_tail == rx_head)
        rx_kick_if_stuck();
    return rx_tail != rx_head;
}

size_t capos_com2_read(uint8_t *buf, size_t cap)
{
    uint32_t head = rx_head, tail = rx_tail;
    size_t n = 0;

    __asm__ volatile("" : : : "memory");
    while (head != tail && n < cap) {
        buf[n++] = rx_ring[head % CAPOS_COM2_RX_RING];
        head++;
    }
    __asm__ volatile("" : : : "memory");
    rx_head = head;
    if ((ier & IER_RX) == 0 && tail - head < CAPOS_COM2_RX_RING / 2)
        set_ier((uint8_t)(ier | IER_RX));
    return n;
}

size_t capos_com2_write(const uint8_t *buf, size_t len)
{
    size_t n = 0;
    while (n < len && (capos_inb(COM2 + UART_LSR) & LSR_THRE)) {
        /* THR empty with FIFOs on: the whole FIFO is free. */
        for (unsigned i = 0; i < UART_FIFO && n < len; i++)
            capos_outb(COM2 + UART_THR, buf[n++]);
    }
    stats.tx_bytes = stats.tx_bytes + n;
    if (n < len && (ier & IER_THRE) == 0)
        set_ier((uint8_t)(ier | IER_THRE));
    return n;
}

capos_com2_stats capos_com2_stats_get(void)
{
    capos_com2_stats s;
    s.rx_bytes = stats.rx_bytes;
    s.rx_overruns = stats.rx_overruns;
    s.rx_stalls = stats.rx_stalls;
    s.rx_kicks = stats.rx_kicks;
    s.tx_bytes = stats.tx_bytes;
    return s;
}
