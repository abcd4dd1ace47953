/* core/tls/wire.c — the bounded reader and writer shared by the handshake
 * message codecs (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/msg.h"

/* ---- reader ------------------------------------------------------------ */

void captls_tls_reader_init(captls_tls_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p != NULL ? len : 0;
    r->bad = false;
}

/* Takes n bytes; NULL (and bad, sticky) if fewer remain or already bad. */
static const uint8_t *take(captls_tls_reader *r, size_t n)
{
    if (r->bad || n > r->len) {
        r->bad = true;
        r->len = 0;
        return NULL;
    }
    const uint8_t *q = r->p;
    r->p += n;
    r->len -= n;
    return q;
}

uint8_t captls_tls_read_u8(captls_tls_reader *r)
{
    const uint8_t *q = take(r, 1);
    return q != NULL ? q[0] : 0;
}

uint16_t captls_tls_read_u16(captls_tls_reader *r)
{
    const uint8_t *q = take(r, 2);
    return q != NULL ? (uint16_t)((unsigned)q[0] << 8 | q[1]) : 0;
}

uint32_t captls_tls_read_u24(captls_tls_reader *r)
{
    const uint8_t *q = take(r, 3);
    return q != NULL ? (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2] : 0;
}

uint32_t captls_tls_read_u32(captls_tls_reader *r)
{
    const uint8_t *q = take(r, 4);
    return q != NULL ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
                           (uint32_t)q[2] << 8 | q[3]
                     : 0;
}

captls_slice captls_tls_read_bytes(captls_tls_reader *r, size_t n)
{
    captls_slice s = {NULL, 0};
    const uint8_t *q = take(r, n);
    if (q != NULL) {
        s.ptr = q;
        s.len = n;
    }
    return s;
}

captls_slice captls_tls_read_vec(captls_tls_reader *r, unsigned len_bytes,
                                 size_t min, size_t max)
{
    captls_slice empty = {NULL, 0};
    size_t n;
    switch (len_bytes) {
    case 1: n = captls_tls_read_u8(r); break;
    case 2: n = captls_tls_read_u16(r); break;
    case 3: n = captls_tls_read_u24(r); break;
    default: r->bad = true; r->len = 0; return empty;
    }
    if (r->bad)
        return empty;
    if (n < min || n > max) {
        r->bad = true;
        r->len = 0;
        return empty;
    }
    return captls_tls_read_bytes(r, n);
}

/* ---- writer ------------------------------------------------------------ */

void captls_tls_writer_init(captls_tls_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->len = 0;
    w->overflow = false;
}

void captls_tls_write_bytes(captls_tls_writer *w, const void *p, size_t n)
{
    if (w->overflow)
        return;
    if (n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (n != 0)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void write_be(captls_tls_writer *w, uint32_t v, unsigned n)
{
    uint8_t b[4];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    captls_tls_write_bytes(w, b, n);
}

void captls_tls_write_u8(captls_tls_writer *w, uint8_t v) { write_be(w, v, 1); }
void captls_tls_write_u16(captls_tls_writer *w, uint16_t v) { write_be(w, v, 2); }
void captls_tls_write_u24(captls_tls_writer *w, uint32_t v)
{
    if (v > 0xFFFFFFu) {
        w->overflow = true;
        return;
    }
    write_be(w, v, 3);
}
void captls_tls_write_u32(captls_tls_writer *w, uint32_t v) { write_be(w, v, 4); }

/* The mark packs the placeholder's position and its width:
 * (position << 2) | len_bytes. */
size_t captls_tls_writer_open_vec(captls_tls_writer *w, unsigned len_bytes)
{
    if (len_bytes < 1 || len_bytes > 3) {
        w->overflow = true;
        return 0;
    }
    size_t pos = w->len;
    static const uint8_t zeros[3] = {0, 0, 0};
    captls_tls_write_bytes(w, zeros, len_bytes);
    return pos << 2 | len_bytes;
}

void captls_tls_writer_close_vec(captls_tls_writer *w, size_t mark)
{
    if (w->overflow)
        return;
    unsigned len_bytes = (unsigned)(mark & 3u);
    size_t pos = mark >> 2;
    if (len_bytes == 0 || pos > w->len || w->len - pos < len_bytes) {
        w->overflow = true; /* not a mark of this writer */
        return;
    }
    size_t n = w->len - pos - len_bytes;
    if (n >> (8 * len_bytes) != 0) {
        w->overflow = true; /* content longer than the prefix can say */
        return;
    }
    for (unsigned i = 0; i < len_bytes; i++)
        w->buf[pos + i] = (uint8_t)(n >> (8 * (len_bytes - 1 - i)));
}

size_t captls_tls_handshake_begin(captls_tls_writer *w, uint8_t type)
{
    captls_tls_write_u8(w, type);
    return captls_tls_writer_open_vec(w, 3);
}

void captls_tls_handshake_end(captls_tls_writer *w, size_t mark)
{
    captls_tls_writer_close_vec(w, mark);
}

/* ---- u16 lists --------------------------------------------------------- */

bool captls_tls_u16_list_has(captls_slice list, uint16_t v)
{
    for (size_t i = 0; i + 1 < list.len; i += 2)
        if ((uint16_t)((unsigned)list.ptr[i] << 8 | list.ptr[i + 1]) == v)
            return true;
    return false;
}
