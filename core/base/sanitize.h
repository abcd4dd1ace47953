/* core/base/sanitize.h — make untrusted bytes safe to print and log.
 *
 * Peers and users control certificate subjects, host names, scenario text
 * and more; before any of it reaches a log, an audit record or a terminal it
 * goes through captls_sanitize. Printable ASCII 0x20..0x7E passes through,
 * except '\\' and '"', which are escaped so a quoted field cannot be closed
 * early; every other byte (controls, DEL, all bytes >= 0x80) becomes \xNN.
 * Output is always NUL-terminated and never splits an escape; when it does
 * not fit, it ends with "..." so truncation is visible.
 */
#ifndef CAPTLS_BASE_SANITIZE_H
#define CAPTLS_BASE_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

/* Writes at most cap bytes (cap >= 4 for the truncation mark to fit; cap 0
 * writes nothing). Returns the length written, NUL excluded. */
size_t captls_sanitize(const uint8_t *in, size_t len, char *out, size_t cap);

#endif
