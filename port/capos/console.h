/* port/capos/console.h — COM1 (16550 UART at 0x3F8) as the guest console.
 *
 * Polled output only: no interrupts, no buffering, so a line written before
 * a crash or a hang is already on the wire. Every "\n" goes out as "\r\n"
 * so a raw terminal (-serial stdio) shows lines, not a staircase; the test
 * scripts drop the "\r". Bytes outside printable ASCII are written as '?'
 * except '\n' and '\t', so nothing a caller passes can drive the host's
 * terminal. capos_console_init must run before any other call; the other
 * functions cannot fail (a missing UART just swallows the bytes, after a
 * bounded wait per byte).
 */
#ifndef CAPOS_CONSOLE_H
#define CAPOS_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void capos_console_init(void);
void capos_console_write(const char *s, size_t len);
void capos_console_puts(const char *s); /* NUL-terminated, no newline added */
void capos_console_put_u64(uint64_t v); /* decimal */
void capos_console_put_hex(uint64_t v); /* "0x" and lowercase hex digits */

#endif
