/* Strict unpadded base64url. See base64url.h. */
#include "core/base/base64url.h"

/* Comparisons on 0..255 values without branches: 0xFF when true, else 0. */
static unsigned ct_eq(unsigned x, unsigned y)
{
    return (((0u - (x ^ y)) >> 8) & 0xFF) ^ 0xFF;
}
static unsigned ct_gt(unsigned x, unsigned y) { return ((y - x) >> 8) & 0xFF; }
static unsigned ct_ge(unsigned x, unsigned y) { return ct_gt(y, x) ^ 0xFF; }
static unsigned ct_lt(unsigned x, unsigned y) { return ct_gt(y, x); }
static unsigned ct_le(unsigned x, unsigned y) { return ct_ge(y, x); }

/* 6-bit value -> symbol (RFC 4648 §5 table: 62 '-', 63 '_'). */
static char sym(unsigned x)
{
    return (char)((ct_lt(x, 26) & (x + 'A')) |
                  (ct_ge(x, 26) & ct_lt(x, 52) & (x + ('a' - 26))) |
                  (ct_ge(x, 52) & ct_lt(x, 62) & (x + ('0' - 52))) |
                  (ct_eq(x, 62) & '-') | (ct_eq(x, 63) & '_'));
}

/* Symbol -> 6-bit value, or 0xFF if not in the URL-safe alphabet. */
static unsigned val(unsigned c)
{
    unsigned x = (ct_ge(c, 'A') & ct_le(c, 'Z') & (c - 'A')) |
                 (ct_ge(c, 'a') & ct_le(c, 'z') & (c - ('a' - 26))) |
                 (ct_ge(c, '0') & ct_le(c, '9') & (c - ('0' - 52))) |
                 (ct_eq(c, '-') & 62) | (ct_eq(c, '_') & 63);
    return x | (ct_eq(x, 0) & (ct_eq(c, 'A') ^ 0xFF));
}

size_t captls_base64url_encoded_len(size_t n)
{
    if (n / 3 >= (((size_t)-1) / 4) - 1)
        return 0;
    return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

size_t captls_base64url_decoded_len(size_t n)
{
    if (n % 4 == 1)
        return 0;
    return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

captls_result captls_base64url_encode(const uint8_t *in, size_t n, char *out,
                                      size_t cap, size_t *out_len)
{
    if ((in == NULL && n != 0) || out_len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t need = captls_base64url_encoded_len(n);
    if (need == 0 && n != 0)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (need > cap) {
        *out_len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t w = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        out[o++] = sym(w >> 18);
        out[o++] = sym((w >> 12) & 63);
        out[o++] = sym((w >> 6) & 63);
        out[o++] = sym(w & 63);
    }
    if (n - i == 1) {
        uint32_t w = (uint32_t)in[i] << 16;
        out[o++] = sym(w >> 18);
        out[o++] = sym((w >> 12) & 63);
    } else if (n - i == 2) {
        uint32_t w = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        out[o++] = sym(w >> 18);
        out[o++] = sym((w >> 12) & 63);
        out[o++] = sym((w >> 6) & 63);
    }
    *out_len = o;
    return CAPTLS_OK;
}

/* Validates every symbol and the canonical tail (RFC 4648 §3.3, §3.5). */
static captls_result check(const char *in, size_t n)
{
    unsigned bad = 0;
    if (n % 4 == 1)
        return CAPTLS_ERR_MALFORMED; /* 6 bits cannot end a byte */
    for (size_t i = 0; i < n; i++) {
        bad |= ct_eq(val((unsigned char)in[i]), 0xFF);
        if (bad)
            return CAPTLS_ERR_MALFORMED; /* position is public */
    }
    if (n % 4 != 0) {
        unsigned last = val((unsigned char)in[n - 1]);
        /* 2 symbols carry 8 bits (4 spare), 3 symbols 16 bits (2 spare). */
        unsigned spare = (n % 4 == 2) ? 0x0F : 0x03;
        if ((last & spare) != 0)
            return CAPTLS_ERR_MALFORMED;
    }
    return CAPTLS_OK;
}

captls_result captls_base64url_decode(const char *in, size_t n, uint8_t *out,
                                      size_t cap, size_t *out_len)
{
    if ((in == NULL && n != 0) || out_len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(check(in, n));
    size_t need = captls_base64url_decoded_len(n);
    if (need > cap) {
        *out_len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    size_t o = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t w = (val((unsigned char)in[i]) << 18) |
                     (val((unsigned char)in[i + 1]) << 12) |
                     (val((unsigned char)in[i + 2]) << 6) |
                     val((unsigned char)in[i + 3]);
        out[o++] = (uint8_t)(w >> 16);
        out[o++] = (uint8_t)(w >> 8);
        out[o++] = (uint8_t)w;
    }
    if (n - i >= 2) {
        uint32_t w = (val((unsigned char)in[i]) << 18) |
                     (val((unsigned char)in[i + 1]) << 12);
        if (n - i == 3)
            w |= val((unsigned char)in[i + 2]) << 6;
        out[o++] = (uint8_t)(w >> 16);
        if (n - i == 3)
            out[o++] = (uint8_t)(w >> 8);
    }
    *out_len = o;
    return CAPTLS_OK;
}

bool captls_base64url_is_text(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}
