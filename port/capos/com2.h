/* port/capos/com2.h — the guest's byte transport to the host: the second
 * 16550 UART (COM2, I/O 0x2F8, IRQ3), interrupt-driven.
 *
 * Why COM2 rather than virtio-console: it needs no PCI enumeration, no
 * virtqueues and no shared-memory DMA rings, only a dozen port writes, so
 * the driver is small enough to read in one sitting and adds a few hundred
 * bytes to the image; QEMU exposes it with `-serial chardev:ID` on a
 * `-chardev socket` exactly as it would a virtio port. What it costs is
 * speed (one port I/O per byte, a few MB/s under TCG), which a telnets
 * gateway does not need.
 *
 * Receive: the IRQ3 handler (IST2, irq.h) moves every byte the UART holds
 * into a CAPOS_COM2_RX_RING-byte ring. When the ring is full the handler
 * switches the UART's receive interrupt off and leaves the bytes in the
 * UART's FIFO; QEMU then stops reading the socket (flow control by
 * backpressure), and capos_com2_read switches it back on once it has made
 * room. So no byte is dropped however fast the host sends. The PIC is
 * edge-triggered, so every IER change and the end of the handler pass IER
 * through 0: a cause still pending then raises a new edge instead of
 * leaving the line high with nobody to hear it (which once stopped COM2
 * receive for good under load). capos_com2_rx_ready also re-arms IER when
 * the ring is empty but the UART holds bytes. Counters: rx_bytes,
 * rx_overruns (LSR overrun bits seen: bytes the UART lost, which QEMU
 * never does), rx_stalls (times the ring filled), rx_kicks (re-arms by
 * capos_com2_rx_ready).
 *
 * Transmit: polled from the main loop, capos_com2_write puts bytes in the
 * UART while its transmitter reports room, and arms the THR-empty
 * interrupt for the rest so an idle guest wakes up to send them.
 *
 * Single producer (the handler), single consumer (the main loop).
 */
#ifndef CAPOS_COM2_H
#define CAPOS_COM2_H

#include <stddef.h>
#include <stdint.h>

#define CAPOS_COM2_RX_RING 8192u

typedef struct capos_com2_stats {
    uint64_t rx_bytes, rx_overruns, rx_stalls, rx_kicks, tx_bytes;
} capos_com2_stats;

/* Programs the UART and unmasks IRQ3; capos_irq_init must come first. */
void capos_com2_init(void);
/* Bytes received so far (up to cap); never blocks. */
size_t capos_com2_read(uint8_t *buf, size_t cap);
/* True when capos_com2_read has something (main loop; may re-arm IER,
 * see above). */
int capos_com2_rx_ready(void);
/* Bytes accepted by the transmitter (maybe fewer than len); never blocks. */
size_t capos_com2_write(const uint8_t *buf, size_t len);
capos_com2_stats capos_com2_stats_get(void);

#endif
