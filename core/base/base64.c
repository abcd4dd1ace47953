/* Strict base64. See base64.h. */
#include "core/base/base64.h"

#include <stdbool.h>

/* Comparisons on 0..255 values without branches: 0xFF when true, else 0. */
static unsigned ct_eq(unsigned x, unsigned y)
{
    return (((0u - (x ^ y)) >> 8) & 0xFF) ^ 0xFF;
}
static unsigned ct_gt(unsigned x, unsigned y) { return ((y - x) >> 8) & 0xFF; }
static unsigned ct_ge(unsigned x, unsigned y) { return ct_gt(y, x) ^ 0xFF; }
static unsigned ct_lt(unsigned x, unsigned y) { return ct_gt(y, x); }
static unsigned ct_le(unsigned x, unsigned y) { return ct_ge(y, x); }

/* 6-bit value -> symbol. */
static char sym(unsigned x)
{
    return (char)((ct_lt(x, 26) & (x + 'A')) |
                  (ct_ge(x, 26) & ct_lt(x, 52) & (x + ('a' - 26))) |
                  (ct_ge(x, 52) & ct_lt(x, 62) & (x + ('0' - 52))) |
                  (ct_eq(x, 62) & '+') | (ct_eq(x, 63) & '/'));
}

/* Symbol -> 6-bit value, or 0xFF if not in the alphabet. */
static unsigned val(unsigned c)
{
    unsigned x = (ct_ge(c, 'A') & ct_le(c, 'Z') & (c - 'A')) |
                 (ct_ge(c, 'a') & ct_le(c, 'z') & (c - ('a' - 26))) |
                 (ct_ge(c, '0') & ct_le(c, '9') & (c - ('0' - 52))) |
                 (ct_eq(c, '+') & 62) | (ct_eq(c, '/') & 63);
    return x | (ct_eq(x, 0) & (ct_eq(c, 'A') ^ 0xFF));
}

size_t captls_base64_encoded_len(size_t n)
{
    if (n / 3 >= (((size_t)-1) / 4) - 1)
        return 0;
    return (n + 2) / 3 * 4;
}

captls_result captls_base64_encode(const uint8_t *in, size_t n, char *out,
                                   size_t cap, size_t *out_len)
{
    if ((in == NULL && n != 0) || out_len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t need = captls_base64_encoded_len(n);
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
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t w = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        out[o++] = sym(w >> 18);
        out[o++] = sym((w >> 12) & 63);
        out[o++] = sym((w >> 6) & 63);
        out[o++] = '=';
    }
    *out_len = o;
    return CAPTLS_OK;
}

/* One pass: validates (out == NULL) or writes. Returns the decoded size in
 * *len. RFC 4648 §3.3 (no characters outside the alphabet) and §3.5
 * (canonical: pad bits zero). */
static captls_result decode(const char *in, size_t n, bool lines, uint8_t *out,
                            size_t *len)
{
    size_t o = 0;
    unsigned q = 0, pad = 0, bad = 0;
    uint32_t acc = 0;
    bool done = false; /* a padded quad was seen */
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)in[i];
        if (lines && c == '\n')
            continue;
        if (lines && c == '\r' && i + 1 < n && in[i + 1] == '\n')
            continue;
        if (done)
            return CAPTLS_ERR_MALFORMED; /* data after padding */
        if (c == '=') {
            if (q < 2)
                return CAPTLS_ERR_MALFORMED;
            pad++;
            acc <<= 6;
        } else {
            if (pad != 0)
                return CAPTLS_ERR_MALFORMED; /* symbol after '=' */
            unsigned v = val(c);
            bad |= ct_eq(v, 0xFF);
            acc = (acc << 6) | (v & 63);
        }
        if (++q == 4) {
            if (pad == 2 && (acc & 0xFFFF) != 0)
                bad = 0xFF;
            if (pad == 1 && (acc & 0xFF) != 0)
                bad = 0xFF;
            if (out != NULL) {
                out[o] = (uint8_t)(acc >> 16);
                if (pad < 2)
                    out[o + 1] = (uint8_t)(acc >> 8);
                if (pad < 1)
                    out[o + 2] = (uint8_t)acc;
            }
            o += 3 - pad;
            done = pad != 0;
            q = 0;
            acc = 0;
        }
        if (bad)
            return CAPTLS_ERR_MALFORMED;
    }
    if (q != 0)
        return CAPTLS_ERR_MALFORMED;
    *len = o;
    return CAPTLS_OK;
}

static captls_result decode_checked(const char *in, size_t n, bool lines,
                                    uint8_t *out, size_t cap, size_t *out_len)
{
    size_t need = 0, got = 0;
    if ((in == NULL && n != 0) || out_len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(decode(in, n, lines, NULL, &need));
    if (need > cap || (out == NULL && need != 0)) {
        *out_len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    if (need != 0)
        CAPTLS_TRY(decode(in, n, lines, out, &got));
    *out_len = need;
    return CAPTLS_OK;
}

captls_result captls_base64_decode(const char *in, size_t n, uint8_t *out,
                                   size_t cap, size_t *out_len)
{
    return decode_checked(in, n, false, out, cap, out_len);
}

captls_result captls_base64_decode_lines(const char *in, size_t n,
                                         uint8_t *out, size_t cap,
                                         size_t *out_len)
{
    return decode_checked(in, n, true, out, cap, out_len);
}
