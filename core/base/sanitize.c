/* See sanitize.h. */
#include "core/base/sanitize.h"

#include <stdbool.h>

static const char HEX[] = "0123456789abcdef";

size_t captls_sanitize(const uint8_t *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    if (out == NULL || cap == 0)
        return 0;
    if (in == NULL)
        len = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = in[i];
        bool plain = b >= 0x20 && b <= 0x7E && b != '\\' && b != '"';
        size_t need = plain ? 1 : (b == '\\' || b == '"') ? 2 : 4;
        /* Room for this byte, the NUL, and "..." if more would follow. */
        size_t reserve = (i + 1 < len) ? 3 : 0;
        if (o + need + 1 + reserve > cap) {
            size_t keep = cap >= 4 ? cap - 4 : 0;
            if (o > keep)
                o = keep; /* still on an escape boundary: see below */
            for (size_t k = 0; k < 3 && o + 1 < cap; k++)
                out[o++] = '.';
            out[o] = '\0';
            return o;
        }
        if (plain) {
            out[o++] = (char)b;
        } else if (b == '\\' || b == '"') {
            out[o++] = '\\';
            out[o++] = (char)b;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = HEX[b >> 4];
            out[o++] = HEX[b & 15];
        }
    }
    out[o] = '\0';
    return o;
}
