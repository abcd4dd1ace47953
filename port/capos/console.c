/* See console.h. */
#include <stddef.h>
#include <stdint.h>

#include "port/capos/console.h"
#include "port/capos/cpu.h"

#define COM1 0x3F8
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_DLM 1 /* divisor high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20

/* A real 16550 drains a byte in ~87 us at 115200 baud; QEMU's is always
 * ready. The bound keeps a wedged or absent UART from hanging the guest. */
#define TX_SPIN_LIMIT 100000

void capos_console_init(void)
{
    capos_outb(COM1 + UART_IER, 0x00); /* polled: no UART interrupts */
    capos_outb(COM1 + UART_LCR, 0x80); /* DLAB on to set the divisor */
    capos_outb(COM1 + UART_DLL, 0x01); /* 115200 baud */
    capos_outb(COM1 + UART_DLM, 0x00);
    capos_outb(COM1 + UART_LCR, 0x03); /* 8N1, DLAB off */
    capos_outb(COM1 + UART_FCR, 0xC7); /* FIFOs on and cleared */
    capos_outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void put_raw(uint8_t b)
{
    unsigned spins = 0;
    while ((capos_inb(COM1 + UART_LSR) & LSR_THR_EMPTY) == 0 &&
           spins++ < TX_SPIN_LIMIT)
        capos_pause();
    capos_outb(COM1 + UART_THR, b);
}

void capos_console_write(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        uint8_t b = (uint8_t)s[i];
        if (b == '\n') {
            put_raw('\r');
            put_raw('\n');
        } else if (b == '\t' || (b >= 0x20 && b < 0x7F)) {
            put_raw(b);
        } else {
            put_raw('?');
        }
    }
}

void capos_console_puts(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    capos_console_write(s, n);
}

void capos_console_put_u64(uint64_t v)
{
    char buf[20]; /* 2^64 - 1 has 20 digits */
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    capos_console_write(buf + i, sizeof buf - i);
}

void capos_console_put_hex(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[18];
    size_t i = sizeof buf;
    do {
        buf[--i] = digits[v & 0xF];
        v >>= 4;
    } while (v != 0);
    buf[--i] = 'x';
    buf[--i] = '0';
    capos_console_write(buf + i, sizeof buf - i);
}
