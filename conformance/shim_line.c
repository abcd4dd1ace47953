/* See shim_line.h. */
#include "conformance/shim_line.h"

#include <string.h>

void captls_shim_reader_init(captls_shim_reader *r, char *buf, size_t cap)
{
    r->buf = buf;
    r->cap = cap < 3 ? 3 : cap; /* callers pass >= 3; never index past it */
    r->len = 0;
    r->overflow = false;
    r->pending = false;
}

static void deliver(captls_shim_reader *r, captls_shim_line_fn *fn,
                    void *ctx)
{
    bool too_long = r->overflow;
    size_t len = r->len;
    if (!too_long && len > 0 && r->buf[len - 1] == '\r')
        len--;
    if (len > r->cap - 2) /* the spare byte held something other than \r */
        too_long = true;
    if (too_long)
        len = 0;
    r->buf[len] = '\0';
    r->len = 0;
    r->overflow = false;
    r->pending = false;
    fn(ctx, r->buf, len, too_long);
}

/* Appends bytes of the current line, keeping at most cap - 1 of them (the
 * limit plus one spare for a "\r"); anything beyond marks the line too
 * long. */
static void append(captls_shim_reader *r, const uint8_t *p, size_t n)
{
    if (n > 0)
        r->pending = true;
    if (r->overflow)
        return;
    size_t room = r->cap - 1 - r->len;
    if (n > room) {
        r->overflow = true;
        return;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
}

void captls_shim_reader_push(captls_shim_reader *r, const uint8_t *data,
                             size_t n, captls_shim_line_fn *fn, void *ctx)
{
    while (n > 0) {
        const uint8_t *nl = memchr(data, '\n', n);
        if (nl == NULL) {
            append(r, data, n);
            return;
        }
        size_t part = (size_t)(nl - data);
        append(r, data, part);
        deliver(r, fn, ctx);
        data += part + 1;
        n -= part + 1;
    }
}

void captls_shim_reader_end(captls_shim_reader *r, captls_shim_line_fn *fn,
                            void *ctx)
{
    if (r->pending)
        deliver(r, fn, ctx);
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

const char *captls_shim_line_split(char *line, size_t len,
                                   captls_shim_line *out)
{
    size_t i = 0, ntok = 0;
    bool extra = false;
    memset(out, 0, sizeof(*out));
    for (;;) {
        while (i < len && blank(line[i]))
            i++;
        if (i == len)
            break;
        if (ntok == CAPTLS_SHIM_MAX_ARGS + 1) {
            extra = true; /* more than any operation takes: stop here */
            break;
        }
        size_t start = i;
        while (i < len && !blank(line[i]))
            i++;
        captls_shim_tok t = {line + start, i - start};
        if (ntok == 0)
            out->op = t;
        else
            out->arg[ntok - 1] = t;
        ntok++;
    }
    if (ntok == 0)
        return "empty line";
    out->nargs = extra ? CAPTLS_SHIM_MAX_ARGS + 1 : ntok - 1;
    return NULL;
}

bool captls_shim_tok_is(const captls_shim_tok *t, const char *name)
{
    size_t n = strlen(name);
    return t->len == n && memcmp(t->s, name, n) == 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

const char *captls_shim_tok_hex(captls_shim_tok *t, uint8_t **bytes,
                                size_t *n)
{
    if (t->len == 1 && t->s[0] == '-') {
        *bytes = (uint8_t *)t->s;
        *n = 0;
        return NULL;
    }
    /* check everything first: a rejected token is left untouched */
    for (size_t i = 0; i < t->len; i++)
        if (hexval(t->s[i]) < 0)
            return "bad hex";
    if (t->len % 2 != 0)
        return "odd-length hex";
    uint8_t *out = (uint8_t *)t->s;
    for (size_t i = 0; i < t->len / 2; i++)
        out[i] = (uint8_t)(hexval(t->s[2 * i]) << 4 | hexval(t->s[2 * i + 1]));
    *bytes = out;
    *n = t->len / 2;
    return NULL;
}

const char *captls_shim_tok_u64(const captls_shim_tok *t, uint64_t *v)
{
    uint64_t acc = 0;
    if (t->len == 0)
        return "bad number";
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        if (c < '0' || c > '9')
            return "bad number";
        unsigned d = (unsigned)(c - '0');
        if (acc > (UINT64_MAX - d) / 10)
            acc = UINT64_MAX;
        else
            acc = acc * 10 + d;
    }
    *v = acc;
    return NULL;
}
