/* core/base/text.h — a bounded text builder for log, audit and CLI lines.
 *
 * Appends to a caller-owned buffer and never writes past it: once something
 * does not fit, the builder keeps counting the length the whole text would
 * have had and captls_text_finish reports CAPTLS_ERR_BUFFER_TOO_SMALL, so a
 * caller can size a retry. The buffer is always NUL-terminated when cap > 0.
 * No allocation, no locale, no varargs.
 */
#ifndef CAPTLS_BASE_TEXT_H
#define CAPTLS_BASE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

typedef struct captls_text {
    char *buf;
    size_t cap;
    size_t len; /* length the full text has (may exceed cap - 1) */
} captls_text;

void captls_text_init(captls_text *t, char *buf, size_t cap);
void captls_text_mem(captls_text *t, const char *s, size_t n);
void captls_text_str(captls_text *t, const char *s);
void captls_text_u64(captls_text *t, uint64_t v);
void captls_text_i64(captls_text *t, int64_t v);
/* Decimal, left-padded with zeros to at least `width` digits. */
void captls_text_u64_padded(captls_text *t, uint64_t v, unsigned width);
/* Lowercase hex of n bytes. */
void captls_text_hex(captls_text *t, const uint8_t *p, size_t n);
/* Appends an already-sanitized string (captls_sanitize output) keeping its
 * escapes, while still neutralizing anything a hand-made string could use
 * to break out of a quoted field: bare quotes are escaped, non-printable
 * bytes become '?'. */
void captls_text_str_sanitized(captls_text *t, const char *s);
size_t captls_text_len(const captls_text *t);
/* CAPTLS_OK if everything fit, else CAPTLS_ERR_BUFFER_TOO_SMALL. */
CAPTLS_MUST_CHECK captls_result captls_text_finish(const captls_text *t);

#endif
