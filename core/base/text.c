/* See text.h. */
#include "core/base/text.h"

#include <string.h>

static const char HEX[] = "0123456789abcdef";

void captls_text_init(captls_text *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = buf == NULL ? 0 : cap;
    t->len = 0;
    if (t->cap > 0)
        t->buf[0] = '\0';
}

static void put(captls_text *t, char c)
{
    if (t->len + 1 < t->cap) {
        t->buf[t->len] = c;
        t->buf[t->len + 1] = '\0';
    }
    t->len++;
}

void captls_text_mem(captls_text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(t, s[i]);
}

void captls_text_str(captls_text *t, const char *s)
{
    captls_text_mem(t, s, strlen(s));
}

void captls_text_u64_padded(captls_text *t, uint64_t v, unsigned width)
{
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (unsigned i = n; i < width; i++)
        put(t, '0');
    while (n > 0)
        put(t, digits[--n]);
}

void captls_text_u64(captls_text *t, uint64_t v)
{
    captls_text_u64_padded(t, v, 1);
}

void captls_text_i64(captls_text *t, int64_t v)
{
    if (v < 0) {
        put(t, '-');
        /* -(v + 1) + 1 avoids overflow at INT64_MIN. */
        captls_text_u64(t, (uint64_t)(-(v + 1)) + 1u);
    } else {
        captls_text_u64(t, (uint64_t)v);
    }
}

void captls_text_hex(captls_text *t, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put(t, HEX[p[i] >> 4]);
        put(t, HEX[p[i] & 15]);
    }
}

void captls_text_str_sanitized(captls_text *t, const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' && s[i + 1] >= 0x20 && s[i + 1] <= 0x7E) {
            put(t, '\\');
            put(t, s[++i]); /* an escape pair, kept as it is */
        } else if (c == '\\' || c == '"') {
            put(t, '\\');
            put(t, (char)c);
        } else if (c < 0x20 || c > 0x7E) {
            put(t, '?');
        } else {
            put(t, (char)c);
        }
    }
}

size_t captls_text_len(const captls_text *t)
{
    return t->len;
}

captls_result captls_text_finish(const captls_text *t)
{
    return t->len < t->cap ? CAPTLS_OK : CAPTLS_ERR_BUFFER_TOO_SMALL;
}
