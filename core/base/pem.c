/* PEM armour. See pem.h. */
#include "core/base/pem.h"

#include <string.h>

#include "core/base/base64.h"

static const char BEGIN[] = "-----BEGIN ";
static const char END[] = "-----END ";
static const char DASHES[] = "-----";

static bool has_prefix(const uint8_t *p, size_t n, const char *s, size_t sl)
{
    return n >= sl && memcmp(p, s, sl) == 0;
}

/* RFC 7468 §3: label = [ labelchar *( ["-" / SP] labelchar ) ]; we keep
 * single spaces and refuse '-' inside labels (none of ours has one). */
static bool label_ok(const uint8_t *p, size_t n)
{
    if (n == 0 || n > CAPTLS_PEM_MAX_LABEL || p[0] == ' ' || p[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ' ') {
            if (p[i - 1] == ' ')
                return false;
        } else if (p[i] < 0x21 || p[i] > 0x7E || p[i] == '-') {
            return false;
        }
    }
    return true;
}

/* Length of the line at in[i..n) without its EOL, and the offset after the
 * EOL (n if the line ends the input without one). A bare '\r' is part of
 * the line (and so refused by whoever reads it). */
static size_t line_at(const uint8_t *in, size_t n, size_t i, size_t *next)
{
    size_t j = i;
    while (j < n && in[j] != '\n')
        j++;
    *next = j < n ? j + 1 : n;
    if (j < n && j > i && in[j - 1] == '\r')
        j--;
    return j - i;
}

/* "<prefix>LABEL-----" on a line; sets the label slice. */
static bool armour_line(const uint8_t *p, size_t len, const char *prefix,
                        captls_slice *label)
{
    size_t pl = strlen(prefix);
    if (len < pl + 5 || memcmp(p, prefix, pl) != 0 ||
        memcmp(p + len - 5, DASHES, 5) != 0)
        return false;
    label->ptr = p + pl;
    label->len = len - pl - 5;
    return label_ok(label->ptr, label->len);
}

captls_result captls_pem_next(const uint8_t *in, size_t n, size_t *pos,
                              captls_pem_block *out)
{
    if ((in == NULL && n != 0) || pos == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t i = *pos, next;
    if (i > n)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* Skip to a line that starts with "-----BEGIN ". */
    if (i > 0 && in[i - 1] != '\n') {
        (void)line_at(in, n, i, &next);
        i = next;
    }
    while (i < n && !has_prefix(in + i, n - i, BEGIN, sizeof(BEGIN) - 1)) {
        (void)line_at(in, n, i, &next);
        i = next;
    }
    if (i >= n)
        return CAPTLS_EOF;
    captls_pem_block b;
    b.begin = i;
    size_t len = line_at(in, n, i, &next);
    if (!armour_line(in + i, len, BEGIN, &b.label) || next == i + len)
        return CAPTLS_ERR_MALFORMED; /* bad BEGIN line (or nothing after) */
    i = next;
    b.body.ptr = in + i;
    for (;;) {
        if (i >= n)
            return CAPTLS_ERR_MALFORMED; /* no END line */
        len = line_at(in, n, i, &next);
        if (has_prefix(in + i, len, END, sizeof(END) - 1))
            break;
        if (len == 0 || len > CAPTLS_PEM_MAX_LINE)
            return CAPTLS_ERR_MALFORMED;
        for (size_t k = 0; k < len; k++)
            if (in[i + k] == ':')
                return CAPTLS_ERR_UNSUPPORTED; /* RFC 1421 headers */
        i = next;
    }
    b.body.len = (size_t)(in + i - b.body.ptr);
    captls_slice end_label;
    if (!armour_line(in + i, len, END, &end_label) ||
        end_label.len != b.label.len ||
        memcmp(end_label.ptr, b.label.ptr, b.label.len) != 0)
        return CAPTLS_ERR_MALFORMED;
    b.end = next;
    /* Validate the base64 now, so a returned block always decodes. */
    captls_result r = captls_base64_decode_lines(
        (const char *)b.body.ptr, b.body.len, NULL, 0, &b.decoded_len);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return CAPTLS_ERR_MALFORMED;
    *out = b;
    *pos = b.end;
    return CAPTLS_OK;
}

bool captls_pem_label_is(const captls_pem_block *b, const char *label)
{
    size_t l = strlen(label);
    return b->label.len == l && memcmp(b->label.ptr, label, l) == 0;
}

captls_result captls_pem_decode(const captls_pem_block *b, uint8_t *out,
                                size_t cap, size_t *out_len)
{
    if (b == NULL || out_len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return captls_base64_decode_lines((const char *)b->body.ptr, b->body.len,
                                      out, cap, out_len);
}

size_t captls_pem_encoded_len(size_t label_len, size_t n)
{
    size_t b64 = captls_base64_encoded_len(n);
    if ((b64 == 0 && n != 0) || label_len > CAPTLS_PEM_MAX_LABEL)
        return 0;
    size_t lines = (b64 + CAPTLS_PEM_LINE - 1) / CAPTLS_PEM_LINE;
    size_t armour = 2 * (label_len + 5 + 1) + (sizeof(BEGIN) - 1) +
                    (sizeof(END) - 1);
    if (b64 + lines < b64 || b64 + lines + armour < armour)
        return 0;
    return b64 + lines + armour;
}

static size_t put(char *out, size_t o, const void *p, size_t n)
{
    memcpy(out + o, p, n);
    return o + n;
}

captls_result captls_pem_encode(const char *label, const uint8_t *der,
                                size_t n, char *out, size_t cap,
                                size_t *out_len)
{
    if (label == NULL || (der == NULL && n != 0) || out_len == NULL ||
        (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t ll = strlen(label);
    if (!label_ok((const uint8_t *)label, ll))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t need = captls_pem_encoded_len(ll, n);
    if (need == 0)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (need > cap) {
        *out_len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    size_t o = 0, w;
    o = put(out, o, BEGIN, sizeof(BEGIN) - 1);
    o = put(out, o, label, ll);
    o = put(out, o, DASHES, 5);
    out[o++] = '\n';
    /* 48 input bytes make one 64-character line. */
    for (size_t i = 0; i < n; i += 48) {
        size_t chunk = n - i < 48 ? n - i : 48;
        if (captls_base64_encode(der + i, chunk, out + o, cap - o, &w) !=
            CAPTLS_OK)
            return CAPTLS_ERR_INTERNAL; /* sized above: cannot happen */
        o += w;
        out[o++] = '\n';
    }
    o = put(out, o, END, sizeof(END) - 1);
    o = put(out, o, label, ll);
    o = put(out, o, DASHES, 5);
    out[o++] = '\n';
    *out_len = o;
    return CAPTLS_OK;
}
