/* See chains_corpus.h. */
#include "conformance/chains_corpus.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, errlen, "line %zu: ", line);
    if (n < 0 || (size_t)n >= errlen)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes hex into a fresh buffer. 0 or -1. */
static int hex_blob(const char *p, size_t n, chains_blob *b)
{
    if (n == 0 || n % 2 || n / 2 > CHAINS_MAX_DER)
        return -1;
    uint8_t *d = malloc(n / 2);
    if (!d)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(d);
            return -1;
        }
        d[i] = (uint8_t)(hi << 4 | lo);
    }
    b->der = d;
    b->len = n / 2;
    return 0;
}

static int copy_tok(char *dst, size_t cap, const char *p, size_t n)
{
    if (n == 0 || n >= cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (p[i] == ' ' || (unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
            return -1;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return 0;
}

static int parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static void free_case(chains_case *c)
{
    for (size_t i = 0; i < c->nroots; i++)
        free(c->roots[i].der);
    for (size_t i = 0; i < c->npool; i++)
        free(c->pool[i].der);
    free(c->leaf.der);
    memset(c, 0, sizeof(*c));
}

void chains_corpus_free(chains_corpus *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++)
        free_case(&c->cases[i]);
    free(c->cases);
    c->cases = NULL;
    c->count = 0;
}

/* Fields seen in the current case. */
enum { F_EXPECT = 1, F_NAME = 2, F_PURPOSE = 4, F_AT = 8, F_MAX = 16, F_LEAF = 32 };
#define F_ALL (F_EXPECT | F_NAME | F_PURPOSE | F_AT | F_MAX | F_LEAF)

int chains_corpus_parse(const char *text, size_t len, chains_corpus *out,
                        char *err, size_t errlen)
{
    chains_corpus c = {0};
    size_t cap = 0, lineno = 0, pos = 0;
    chains_case *cur = NULL;
    unsigned seen = 0;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n && line[n - 1] == '\r')
            n--;
        if (n == 0 || line[0] == '#')
            continue;
        const char *sp = memchr(line, ' ', n);
        size_t kn = sp ? (size_t)(sp - line) : n;
        const char *arg = sp ? sp + 1 : line + n;
        size_t an = sp ? n - kn - 1 : 0;
#define KEY(s) (kn == sizeof(s) - 1 && memcmp(line, s, kn) == 0)
        if (KEY("case")) {
            if (cur) {
                fail(err, errlen, lineno, "case inside a case (missing end)");
                goto out;
            }
            if (c.count >= CHAINS_MAX_CASES) {
                fail(err, errlen, lineno, "more than %u cases", CHAINS_MAX_CASES);
                goto out;
            }
            if (c.count == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                chains_case *nc = realloc(c.cases, ncap * sizeof(*nc));
                if (!nc) {
                    fail(err, errlen, lineno, "out of memory");
                    goto out;
                }
                c.cases = nc;
                cap = ncap;
            }
            cur = &c.cases[c.count++];
            memset(cur, 0, sizeof(*cur));
            seen = 0;
            const char *sp2 = memchr(arg, ' ', an);
            uint64_t id;
            if (!sp2 || parse_u64(arg, (size_t)(sp2 - arg), UINT32_MAX, &id) ||
                copy_tok(cur->category, sizeof(cur->category), sp2 + 1,
                         an - (size_t)(sp2 - arg) - 1)) {
                fail(err, errlen, lineno, "bad case line (case ID CATEGORY)");
                goto out;
            }
            cur->id = (unsigned)id;
            continue;
        }
        if (!cur) {
            fail(err, errlen, lineno, "field outside a case");
            goto out;
        }
        if (KEY("end")) {
            if ((seen & F_ALL) != F_ALL || an) {
                fail(err, errlen, lineno, "case %u incomplete", cur->id);
                goto out;
            }
            cur = NULL;
        } else if (KEY("expect")) {
            if (copy_tok(cur->expect, sizeof(cur->expect), arg, an)) {
                fail(err, errlen, lineno, "bad expect");
                goto out;
            }
            seen |= F_EXPECT;
        } else if (KEY("host") || KEY("ip")) {
            if (seen & F_NAME) {
                fail(err, errlen, lineno, "second host/ip");
                goto out;
            }
            if (copy_tok(cur->host, sizeof(cur->host), arg, an)) {
                fail(err, errlen, lineno, "bad host/ip");
                goto out;
            }
            cur->is_ip = KEY("ip");
            if (!cur->is_ip && strcmp(cur->host, "none") == 0)
                cur->host[0] = '\0';
            seen |= F_NAME;
        } else if (KEY("preset")) {
            /* preset NAME VERDICT (gen_profile.py), at most one per name */
            const char *sp2 = memchr(arg, ' ', an);
            chains_preset *pr = &cur->presets[cur->npresets];
            if (cur->npresets >= CHAINS_MAX_PRESETS || !sp2 ||
                copy_tok(pr->name, sizeof(pr->name), arg, (size_t)(sp2 - arg)) ||
                copy_tok(pr->expect, sizeof(pr->expect), sp2 + 1,
                         an - (size_t)(sp2 - arg) - 1)) {
                fail(err, errlen, lineno, "bad preset line (preset NAME VERDICT)");
                goto out;
            }
            for (size_t k = 0; k < cur->npresets; k++)
                if (strcmp(cur->presets[k].name, pr->name) == 0) {
                    fail(err, errlen, lineno, "second preset %s", pr->name);
                    goto out;
                }
            cur->npresets++;
        } else if (KEY("purpose")) {
            if (copy_tok(cur->purpose, sizeof(cur->purpose), arg, an)) {
                fail(err, errlen, lineno, "bad purpose");
                goto out;
            }
            seen |= F_PURPOSE;
        } else if (KEY("at")) {
            uint64_t v;
            if (parse_u64(arg, an, (uint64_t)INT64_MAX, &v)) {
                fail(err, errlen, lineno, "bad at");
                goto out;
            }
            cur->at = (int64_t)v;
            seen |= F_AT;
        } else if (KEY("maxchain")) {
            uint64_t v;
            if (parse_u64(arg, an, 255, &v) || v == 0) {
                fail(err, errlen, lineno, "bad maxchain (1..255)");
                goto out;
            }
            cur->maxchain = (unsigned)v;
            seen |= F_MAX;
        } else if (KEY("root") || KEY("pool") || KEY("leaf")) {
            chains_blob *b;
            if (KEY("root")) {
                if (cur->nroots >= CHAINS_MAX_ROOTS) {
                    fail(err, errlen, lineno, "more than %u roots", CHAINS_MAX_ROOTS);
                    goto out;
                }
                b = &cur->roots[cur->nroots];
            } else if (KEY("pool")) {
                if (cur->npool >= CHAINS_MAX_POOL) {
                    fail(err, errlen, lineno, "more than %u pool certificates",
                         CHAINS_MAX_POOL);
                    goto out;
                }
                b = &cur->pool[cur->npool];
            } else {
                if (seen & F_LEAF) {
                    fail(err, errlen, lineno, "second leaf");
                    goto out;
                }
                b = &cur->leaf;
            }
            if (hex_blob(arg, an, b)) {
                fail(err, errlen, lineno, "bad hex certificate (even, 1..%u bytes)",
                     CHAINS_MAX_DER);
                goto out;
            }
            if (KEY("root"))
                cur->nroots++;
            else if (KEY("pool"))
                cur->npool++;
            else
                seen |= F_LEAF;
        } else {
            fail(err, errlen, lineno, "unknown keyword");
            goto out;
        }
#undef KEY
    }
    if (cur) {
        fail(err, errlen, lineno, "last case has no end");
        goto out;
    }
    *out = c;
    return 0;
out:
    chains_corpus_free(&c);
    return rc;
}

int chains_corpus_load(const char *path, chains_corpus *out, char *err,
                       size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    char msg[200];
    int rc = chains_corpus_parse(buf, len, out, msg, sizeof(msg));
    free(buf);
    if (rc)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}
