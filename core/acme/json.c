/* Strict bounded JSON parser and canonical writer. See json.h. */
#include "core/acme/json.h"

#include <string.h>

/* ==================================================================== */
/* Strings                                                               */
/* ==================================================================== */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at s[p..p+4) (p + 4 <= n checked by the caller). */
static int hex4(const char *s, size_t p)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval((unsigned char)s[p + (size_t)k]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

/* One UTF-8 sequence at s[p..n) (RFC 3629 §4, Unicode Table 3-7): its code
 * point in *cp and its length, or 0 if invalid or truncated (*trunc set
 * when the input ends inside an otherwise valid prefix). */
static size_t utf8_seq(const char *s, size_t p, size_t n, uint32_t *cp,
                       bool *trunc)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[p];
    size_t len;
    uint32_t v, min;
    *trunc = false;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong leads, F5..FF */
    }
    for (size_t k = 1; k < len; k++) {
        if (p + k >= n) {
            *trunc = true;
            return 0;
        }
        unsigned d = u[p + k];
        if ((d & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (d & 0x3F);
        /* Early rejection of overlong / surrogate / > U+10FFFF prefixes
         * (Table 3-7 second-byte ranges) so a truncation of an invalid
         * sequence reports "invalid", not "truncated". */
        if (k == 1) {
            if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) ||
                (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F))
                return 0;
        }
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Next code point of a VALIDATED string body s[*p..end): decodes escapes
 * and surrogate pairs. */
static uint32_t next_cp(const char *s, size_t *p)
{
    size_t i = *p;
    unsigned char c = (unsigned char)s[i];
    if (c == '\\') {
        char e = s[i + 1];
        uint32_t cp;
        switch (e) {
        case 'b': cp = 0x08; break;
        case 'f': cp = 0x0C; break;
        case 'n': cp = 0x0A; break;
        case 'r': cp = 0x0D; break;
        case 't': cp = 0x09; break;
        case 'u': {
            cp = (uint32_t)hex4(s, i + 2);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = (uint32_t)hex4(s, i + 8);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                *p = i + 12;
                return cp;
            }
            *p = i + 6;
            return cp;
        }
        default: cp = (unsigned char)e; break; /* " \ / */
        }
        *p = i + 2;
        return cp;
    }
    uint32_t cp = 0;
    bool trunc;
    size_t l = utf8_seq(s, i, i + 4, &cp, &trunc);
    *p = i + (l ? l : 1);
    return cp;
}

static size_t utf8_put(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Equality of two validated string bodies after unescaping. */
static bool raw_strings_equal(const char *a, size_t ap, size_t ae,
                              const char *b, size_t bp, size_t be)
{
    while (ap < ae && bp < be) {
        if (next_cp(a, &ap) != next_cp(b, &bp))
            return false;
    }
    return ap == ae && bp == be;
}

/* ==================================================================== */
/* Parser                                                                */
/* ==================================================================== */

typedef struct parser {
    const char *s;
    size_t n;
    size_t pos;
    captls_json_token *tok;
    size_t cap;
    size_t count;
    captls_result code;
    size_t err_at;
    const char *reason;
} parser;

static captls_result fail(parser *p, captls_result code, size_t at,
                          const char *reason)
{
    p->code = code;
    p->err_at = at;
    p->reason = reason;
    return code;
}

static captls_result new_token(parser *p, captls_json_type type, size_t start,
                               size_t *idx)
{
    if (p->count >= p->cap)
        return fail(p, CAPTLS_ERR_LIMIT_EXCEEDED, start, "too many tokens");
    captls_json_token *t = &p->tok[p->count];
    t->start = (uint32_t)start;
    t->end = (uint32_t)start;
    t->size = 0;
    t->next = (uint32_t)(p->count + 1);
    t->type = (uint8_t)type;
    *idx = p->count++;
    return CAPTLS_OK;
}

/* A string starting at the '"' at p->pos. RFC 8259 §7 and §8. */
static captls_result parse_string(parser *p, size_t *idx)
{
    const char *s = p->s;
    size_t n = p->n, i = p->pos + 1;
    CAPTLS_TRY(new_token(p, CAPTLS_JSON_STRING, i, idx));
    for (;;) {
        if (i >= n)
            return fail(p, CAPTLS_ERR_MALFORMED, n, "unterminated string");
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            break;
        if (c < 0x20) /* §7: control characters MUST be escaped */
            return fail(p, CAPTLS_ERR_MALFORMED, i,
                        "control character in string");
        if (c == '\\') {
            if (i + 1 >= n)
                return fail(p, CAPTLS_ERR_MALFORMED, n, "unterminated string");
            char e = s[i + 1];
            if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' ||
                e == 'n' || e == 'r' || e == 't') {
                i += 2;
                continue;
            }
            if (e != 'u')
                return fail(p, CAPTLS_ERR_MALFORMED, i, "invalid escape");
            if (i + 6 > n)
                return fail(p, CAPTLS_ERR_MALFORMED, n, "unterminated string");
            int u = hex4(s, i + 2);
            if (u < 0)
                return fail(p, CAPTLS_ERR_MALFORMED, i, "invalid \\u escape");
            if (u >= 0xDC00 && u <= 0xDFFF) /* §8.2 */
                return fail(p, CAPTLS_ERR_MALFORMED, i,
                            "unpaired low surrogate");
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (i + 12 > n)
                    return fail(p, CAPTLS_ERR_MALFORMED,
                                i + 6 >= n ? n : i + 6,
                                i + 6 >= n || (s[i + 6] == '\\' &&
                                               (i + 7 >= n || s[i + 7] == 'u'))
                                    ? "unterminated string"
                                    : "unpaired high surrogate");
                int lo = (s[i + 6] == '\\' && s[i + 7] == 'u') ? hex4(s, i + 8)
                                                               : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(p, CAPTLS_ERR_MALFORMED, i,
                                "unpaired high surrogate");
                i += 12;
            } else {
                i += 6;
            }
            continue;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        bool trunc;
        size_t l = utf8_seq(s, i, n, &cp, &trunc);
        if (l == 0)
            return fail(p, CAPTLS_ERR_MALFORMED, trunc ? n : i,
                        trunc ? "unterminated string" : "invalid UTF-8");
        i += l;
    }
    p->tok[*idx].end = (uint32_t)i;
    p->pos = i + 1;
    return CAPTLS_OK;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A number at p->pos. RFC 8259 §6:
 * [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT ). */
static captls_result parse_number(parser *p, size_t *idx)
{
    const char *s = p->s;
    size_t n = p->n, i = p->pos, start = i;
    CAPTLS_TRY(new_token(p, CAPTLS_JSON_NUMBER, start, idx));
    if (s[i] == '-')
        i++;
    if (i >= n)
        return fail(p, CAPTLS_ERR_MALFORMED, n, "truncated number");
    if (s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i]))
            return fail(p, CAPTLS_ERR_MALFORMED, i - 1, "leading zero");
    } else if (is_digit(s[i])) {
        while (i < n && is_digit(s[i]))
            i++;
    } else {
        return fail(p, CAPTLS_ERR_MALFORMED, i, "invalid number");
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n)
            return fail(p, CAPTLS_ERR_MALFORMED, n, "truncated number");
        if (!is_digit(s[i]))
            return fail(p, CAPTLS_ERR_MALFORMED, i, "digit expected after '.'");
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n)
            return fail(p, CAPTLS_ERR_MALFORMED, n, "truncated number");
        if (!is_digit(s[i]))
            return fail(p, CAPTLS_ERR_MALFORMED, i, "digit expected in exponent");
        while (i < n && is_digit(s[i]))
            i++;
    }
    p->tok[*idx].end = (uint32_t)i;
    p->pos = i;
    return CAPTLS_OK;
}

static captls_result parse_literal(parser *p, size_t *idx)
{
    static const struct {
        const char *w;
        size_t n;
        captls_json_type t;
    } lit[3] = {{"true", 4, CAPTLS_JSON_TRUE},
                {"false", 5, CAPTLS_JSON_FALSE},
                {"null", 4, CAPTLS_JSON_NULL}};
    size_t i = p->pos;
    for (size_t k = 0; k < 3; k++) {
        if (p->s[i] != lit[k].w[0])
            continue;
        size_t avail = p->n - i;
        size_t m = avail < lit[k].n ? avail : lit[k].n;
        if (memcmp(p->s + i, lit[k].w, m) != 0)
            return fail(p, CAPTLS_ERR_MALFORMED, i, "invalid literal");
        if (m < lit[k].n)
            return fail(p, CAPTLS_ERR_MALFORMED, p->n, "truncated literal");
        CAPTLS_TRY(new_token(p, lit[k].t, i, idx));
        p->tok[*idx].end = (uint32_t)(i + lit[k].n);
        p->pos = i + lit[k].n;
        return CAPTLS_OK;
    }
    return fail(p, CAPTLS_ERR_MALFORMED, i, "unexpected character");
}

enum {
    ST_VALUE,          /* a value must come */
    ST_VALUE_OR_CLOSE, /* after '[' */
    ST_KEY,            /* after ',' in an object */
    ST_KEY_OR_CLOSE,   /* after '{' */
    ST_COLON,          /* after a member name */
    ST_COMMA_OR_CLOSE, /* after a value inside a container */
    ST_DONE,           /* the root value is complete */
};

static bool is_ws(char c)
{
    /* RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D ) */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The member name just parsed (token k) must not repeat an earlier name of
 * object obj. */
static captls_result check_duplicate(parser *p, size_t obj, size_t k)
{
    const captls_json_token *t = p->tok;
    size_t c = obj + 1;
    while (c < k) {
        if (raw_strings_equal(p->s, t[c].start, t[c].end, p->s, t[k].start,
                              t[k].end))
            return fail(p, CAPTLS_ERR_MALFORMED, t[k].start - 1,
                        "duplicate member name");
        c = t[c + 1].next; /* skip the key and its value */
    }
    return CAPTLS_OK;
}

static captls_result run(parser *p)
{
    uint32_t stack[CAPTLS_JSON_MAX_DEPTH];
    size_t depth = 0;
    int st = ST_VALUE;
    const char *s = p->s;
    size_t n = p->n;

    for (;;) {
        while (p->pos < n && is_ws(s[p->pos]))
            p->pos++;
        if (p->pos >= n) {
            if (st == ST_DONE)
                return CAPTLS_OK;
            return fail(p, CAPTLS_ERR_MALFORMED, n, "unexpected end of input");
        }
        size_t at = p->pos;
        char c = s[at];
        if (st == ST_DONE)
            return fail(p, CAPTLS_ERR_MALFORMED, at, "trailing data after value");

        if (st == ST_COLON) {
            if (c != ':')
                return fail(p, CAPTLS_ERR_MALFORMED, at, "expected ':'");
            p->pos++;
            st = ST_VALUE;
            continue;
        }
        bool in_obj = depth > 0 && p->tok[stack[depth - 1]].type == CAPTLS_JSON_OBJECT;
        if (st == ST_COMMA_OR_CLOSE) {
            if (c == ',') {
                p->pos++;
                st = in_obj ? ST_KEY : ST_VALUE;
                continue;
            }
            if (c != (in_obj ? '}' : ']'))
                return fail(p, CAPTLS_ERR_MALFORMED, at,
                            in_obj ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        if ((st == ST_COMMA_OR_CLOSE || st == ST_KEY_OR_CLOSE ||
             st == ST_VALUE_OR_CLOSE) &&
            (c == '}' || c == ']')) {
            if ((c == '}') != in_obj)
                return fail(p, CAPTLS_ERR_MALFORMED, at, "mismatched bracket");
            size_t ci = stack[--depth];
            p->tok[ci].end = (uint32_t)(at + 1);
            p->tok[ci].next = (uint32_t)p->count;
            p->pos++;
            st = depth == 0 ? ST_DONE : ST_COMMA_OR_CLOSE;
            continue;
        }
        if (st == ST_KEY || st == ST_KEY_OR_CLOSE) {
            if (c != '"')
                return fail(p, CAPTLS_ERR_MALFORMED, at,
                            (st == ST_KEY && c == '}') ? "trailing comma"
                                                       : "expected member name");
            size_t obj = stack[depth - 1], k;
            if (p->tok[obj].size >= CAPTLS_JSON_MAX_MEMBERS)
                return fail(p, CAPTLS_ERR_LIMIT_EXCEEDED, at,
                            "too many members in object");
            CAPTLS_TRY(parse_string(p, &k));
            CAPTLS_TRY(check_duplicate(p, obj, k));
            p->tok[obj].size++;
            st = ST_COLON;
            continue;
        }
        /* ST_VALUE or ST_VALUE_OR_CLOSE: a value starts here. */
        if (c == ']' || c == '}')
            return fail(p, CAPTLS_ERR_MALFORMED, at,
                        st == ST_VALUE && depth > 0 && !in_obj ? "trailing comma"
                                                               : "value expected");
        if (depth > 0 && !in_obj) {
            if (p->tok[stack[depth - 1]].size == UINT32_MAX)
                return fail(p, CAPTLS_ERR_LIMIT_EXCEEDED, at, "array too long");
            p->tok[stack[depth - 1]].size++;
        }
        size_t idx;
        if (c == '{' || c == '[') {
            if (depth >= CAPTLS_JSON_MAX_DEPTH)
                return fail(p, CAPTLS_ERR_LIMIT_EXCEEDED, at,
                            "nesting too deep");
            CAPTLS_TRY(new_token(p, c == '{' ? CAPTLS_JSON_OBJECT
                                             : CAPTLS_JSON_ARRAY,
                                 at, &idx));
            stack[depth++] = (uint32_t)idx;
            p->pos++;
            st = c == '{' ? ST_KEY_OR_CLOSE : ST_VALUE_OR_CLOSE;
            continue;
        }
        if (c == '"')
            CAPTLS_TRY(parse_string(p, &idx));
        else if (c == '-' || is_digit(c))
            CAPTLS_TRY(parse_number(p, &idx));
        else
            CAPTLS_TRY(parse_literal(p, &idx));
        st = depth == 0 ? ST_DONE : ST_COMMA_OR_CLOSE;
    }
}

captls_result captls_json_parse(const char *text, size_t len,
                                captls_json_token *tok, size_t cap,
                                captls_json_doc *doc, captls_json_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof(*err));
    if ((text == NULL && len != 0) || (tok == NULL && cap != 0) || doc == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(doc, 0, sizeof(*doc));
    parser p;
    memset(&p, 0, sizeof(p));
    p.s = text;
    p.n = len;
    p.tok = tok;
    p.cap = cap;
    captls_result r;
    if (len >= UINT32_MAX)
        r = fail(&p, CAPTLS_ERR_LIMIT_EXCEEDED, 0, "text too long");
    else
        r = run(&p);
    if (r != CAPTLS_OK) {
        if (err != NULL) {
            err->code = r;
            err->offset = p.err_at;
            err->reason = p.reason;
            err->line = 1;
            err->column = 1;
            for (size_t i = 0; i < p.err_at && i < len; i++) {
                if (text[i] == '\n') {
                    err->line++;
                    err->column = 1;
                } else {
                    err->column++;
                }
            }
        }
        return r;
    }
    doc->text = text;
    doc->len = len;
    doc->tok = tok;
    doc->count = p.count;
    return CAPTLS_OK;
}

/* ==================================================================== */
/* Accessors                                                             */
/* ==================================================================== */

captls_json_type captls_json_type_of(const captls_json_doc *d, size_t i)
{
    if (d == NULL || i >= d->count)
        return CAPTLS_JSON_INVALID;
    return (captls_json_type)d->tok[i].type;
}

bool captls_json_string_equal(const captls_json_doc *d, size_t i,
                              const char *s, size_t n)
{
    if (captls_json_type_of(d, i) != CAPTLS_JSON_STRING || (s == NULL && n))
        return false;
    const captls_json_token *t = &d->tok[i];
    size_t p = t->start, q = 0;
    while (p < t->end && q < n) {
        uint8_t u[4];
        size_t l = utf8_put(next_cp(d->text, &p), u);
        if (q + l > n || memcmp(s + q, u, l) != 0)
            return false;
        q += l;
    }
    return p == t->end && q == n;
}

captls_result captls_json_object_get(const captls_json_doc *d, size_t obj,
                                     const char *key, size_t key_len,
                                     size_t *val)
{
    if (d == NULL || val == NULL || (key == NULL && key_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_json_type_of(d, obj) != CAPTLS_JSON_OBJECT)
        return CAPTLS_ERR_MALFORMED;
    size_t c = obj + 1;
    for (uint32_t m = 0; m < d->tok[obj].size; m++) {
        if (captls_json_string_equal(d, c, key, key_len)) {
            *val = c + 1;
            return CAPTLS_OK;
        }
        c = d->tok[c + 1].next;
    }
    return CAPTLS_ERR_NOT_FOUND;
}

captls_result captls_json_array_get(const captls_json_doc *d, size_t arr,
                                    size_t n, size_t *val)
{
    if (d == NULL || val == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_json_type_of(d, arr) != CAPTLS_JSON_ARRAY)
        return CAPTLS_ERR_MALFORMED;
    if (n >= d->tok[arr].size)
        return CAPTLS_ERR_NOT_FOUND;
    size_t c = arr + 1;
    for (size_t k = 0; k < n; k++)
        c = d->tok[c].next;
    *val = c;
    return CAPTLS_OK;
}

captls_result captls_json_get_int64(const captls_json_doc *d, size_t i,
                                    int64_t *v)
{
    if (v == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_json_type_of(d, i) != CAPTLS_JSON_NUMBER)
        return CAPTLS_ERR_MALFORMED;
    const char *s = d->text;
    size_t p = d->tok[i].start, e = d->tok[i].end;
    bool neg = s[p] == '-';
    if (neg)
        p++;
    /* Magnitude as uint64 with overflow checks; INT64_MIN is allowed. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t m = 0;
    bool overflow = false;
    for (; p < e; p++) {
        if (!is_digit(s[p]))
            return CAPTLS_ERR_MALFORMED; /* fraction or exponent */
        unsigned dg = (unsigned)(s[p] - '0');
        if (m > (limit - dg) / 10)
            overflow = true;
        else
            m = m * 10 + dg;
    }
    if (overflow)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (neg)
        *v = m == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)m;
    else
        *v = (int64_t)m;
    return CAPTLS_OK;
}

captls_result captls_json_get_bool(const captls_json_doc *d, size_t i,
                                   bool *v)
{
    if (v == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_json_type t = captls_json_type_of(d, i);
    if (t != CAPTLS_JSON_TRUE && t != CAPTLS_JSON_FALSE)
        return CAPTLS_ERR_MALFORMED;
    *v = t == CAPTLS_JSON_TRUE;
    return CAPTLS_OK;
}

bool captls_json_is_null(const captls_json_doc *d, size_t i)
{
    return captls_json_type_of(d, i) == CAPTLS_JSON_NULL;
}

captls_result captls_json_get_string(const captls_json_doc *d, size_t i,
                                     uint8_t *out, size_t cap, size_t *len)
{
    if (len == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_json_type_of(d, i) != CAPTLS_JSON_STRING)
        return CAPTLS_ERR_MALFORMED;
    const captls_json_token *t = &d->tok[i];
    size_t need = 0;
    for (size_t p = t->start; p < t->end;) {
        uint8_t u[4];
        need += utf8_put(next_cp(d->text, &p), u);
    }
    if (need > cap) {
        *len = need;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    size_t o = 0;
    for (size_t p = t->start; p < t->end;)
        o += utf8_put(next_cp(d->text, &p), out + o);
    *len = o;
    return CAPTLS_OK;
}

captls_result captls_json_member_typed(const captls_json_doc *d, size_t obj,
                                       const char *key, captls_json_type type,
                                       size_t *val)
{
    if (key == NULL || val == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t v;
    CAPTLS_TRY(captls_json_object_get(d, obj, key, strlen(key), &v));
    if (captls_json_type_of(d, v) != type)
        return CAPTLS_ERR_MALFORMED;
    *val = v;
    return CAPTLS_OK;
}

captls_result captls_json_member_string(const captls_json_doc *d, size_t obj,
                                        const char *key, uint8_t *out,
                                        size_t cap, size_t *len)
{
    size_t v;
    CAPTLS_TRY(captls_json_member_typed(d, obj, key, CAPTLS_JSON_STRING, &v));
    return captls_json_get_string(d, v, out, cap, len);
}

captls_result captls_json_member_int64(const captls_json_doc *d, size_t obj,
                                       const char *key, int64_t *v)
{
    size_t i;
    CAPTLS_TRY(captls_json_member_typed(d, obj, key, CAPTLS_JSON_NUMBER, &i));
    return captls_json_get_int64(d, i, v);
}

captls_result captls_json_member_bool(const captls_json_doc *d, size_t obj,
                                      const char *key, bool *v)
{
    if (key == NULL || v == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t i;
    CAPTLS_TRY(captls_json_object_get(d, obj, key, strlen(key), &i));
    return captls_json_get_bool(d, i, v);
}

/* ==================================================================== */
/* Writer                                                                */
/* ==================================================================== */

static void w_fail(captls_json_writer *w, captls_result r)
{
    if (w->status == CAPTLS_OK || w->status == CAPTLS_ERR_BUFFER_TOO_SMALL)
        if (r != CAPTLS_ERR_BUFFER_TOO_SMALL || w->status == CAPTLS_OK)
            w->status = r;
}

static void w_put(captls_json_writer *w, const char *s, size_t n)
{
    if (w->buf != NULL && w->len <= w->cap && n <= w->cap - w->len)
        memcpy(w->buf + w->len, s, n);
    else if (n != 0)
        w_fail(w, CAPTLS_ERR_BUFFER_TOO_SMALL);
    w->len += n;
}

static void w_putc(captls_json_writer *w, char c) { w_put(w, &c, 1); }

void captls_json_writer_init(captls_json_writer *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = buf == NULL ? 0 : cap;
    w->status = CAPTLS_OK;
}

static bool w_hard_error(const captls_json_writer *w)
{
    return w->status != CAPTLS_OK && w->status != CAPTLS_ERR_BUFFER_TOO_SMALL;
}

static bool top_is_object(const captls_json_writer *w)
{
    return w->depth > 0 && ((w->is_object >> (w->depth - 1)) & 1u);
}

/* Before a value: legal here? writes the separator. */
static bool before_value(captls_json_writer *w)
{
    if (w_hard_error(w))
        return false;
    if (w->depth == 0) {
        if (w->root_done) {
            w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
            return false;
        }
        return true;
    }
    if (top_is_object(w)) {
        if (!w->want_value) {
            w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
            return false;
        }
        w->want_value = false;
        return true;
    }
    uint32_t bit = 1u << (w->depth - 1);
    if (w->has_items & bit)
        w_putc(w, ',');
    w->has_items |= bit;
    return true;
}

static void after_value(captls_json_writer *w)
{
    if (w->depth == 0)
        w->root_done = true;
}

static void w_escaped_cp(captls_json_writer *w, uint32_t cp)
{
    static const char hex[] = "0123456789abcdef";
    char e[6];
    switch (cp) {
    case '"': w_put(w, "\\\"", 2); return;
    case '\\': w_put(w, "\\\\", 2); return;
    case 0x08: w_put(w, "\\b", 2); return;
    case 0x0C: w_put(w, "\\f", 2); return;
    case 0x0A: w_put(w, "\\n", 2); return;
    case 0x0D: w_put(w, "\\r", 2); return;
    case 0x09: w_put(w, "\\t", 2); return;
    default: break;
    }
    if (cp < 0x20) {
        e[0] = '\\', e[1] = 'u', e[2] = '0', e[3] = '0';
        e[4] = hex[cp >> 4], e[5] = hex[cp & 15];
        w_put(w, e, 6);
        return;
    }
    uint8_t u[4];
    size_t l = utf8_put(cp, u);
    w_put(w, (const char *)u, l);
}

static void w_string_body(captls_json_writer *w, const char *s, size_t n)
{
    /* Validate first so nothing half-written is left behind. */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool trunc;
        size_t l = utf8_seq(s, i, n, &cp, &trunc);
        if (l == 0) {
            w_fail(w, CAPTLS_ERR_MALFORMED);
            return;
        }
        i += l;
    }
    w_putc(w, '"');
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool trunc;
        i += utf8_seq(s, i, n, &cp, &trunc);
        w_escaped_cp(w, cp);
    }
    w_putc(w, '"');
}

static void w_open(captls_json_writer *w, bool object)
{
    if (!before_value(w))
        return;
    if (w->depth >= CAPTLS_JSON_MAX_DEPTH) {
        w_fail(w, CAPTLS_ERR_LIMIT_EXCEEDED);
        return;
    }
    uint32_t bit = 1u << w->depth;
    if (object)
        w->is_object |= bit;
    else
        w->is_object &= ~bit;
    w->has_items &= ~bit;
    w->depth++;
    w_putc(w, object ? '{' : '[');
}

static void w_close(captls_json_writer *w, bool object)
{
    if (w_hard_error(w))
        return;
    if (w->depth == 0 || top_is_object(w) != object || w->want_value) {
        w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
        return;
    }
    w->depth--;
    w_putc(w, object ? '}' : ']');
    after_value(w);
}

void captls_json_begin_object(captls_json_writer *w) { w_open(w, true); }
void captls_json_end_object(captls_json_writer *w) { w_close(w, true); }
void captls_json_begin_array(captls_json_writer *w) { w_open(w, false); }
void captls_json_end_array(captls_json_writer *w) { w_close(w, false); }

static bool before_key(captls_json_writer *w)
{
    if (w_hard_error(w))
        return false;
    if (!top_is_object(w) || w->want_value) {
        w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
        return false;
    }
    uint32_t bit = 1u << (w->depth - 1);
    if (w->has_items & bit)
        w_putc(w, ',');
    w->has_items |= bit;
    return true;
}

void captls_json_key(captls_json_writer *w, const char *s, size_t n)
{
    if (s == NULL && n != 0) {
        w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
        return;
    }
    if (!before_key(w))
        return;
    w_string_body(w, s, n);
    w_putc(w, ':');
    w->want_value = true;
}

void captls_json_key_cstr(captls_json_writer *w, const char *s)
{
    captls_json_key(w, s, s == NULL ? 0 : strlen(s));
}

void captls_json_string(captls_json_writer *w, const char *s, size_t n)
{
    if (s == NULL && n != 0) {
        w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
        return;
    }
    if (!before_value(w))
        return;
    w_string_body(w, s, n);
    after_value(w);
}

void captls_json_string_cstr(captls_json_writer *w, const char *s)
{
    captls_json_string(w, s, s == NULL ? 0 : strlen(s));
}

void captls_json_int64(captls_json_writer *w, int64_t v)
{
    char b[24];
    size_t i = sizeof(b);
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        b[--i] = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    if (v < 0)
        b[--i] = '-';
    if (!before_value(w))
        return;
    w_put(w, b + i, sizeof(b) - i);
    after_value(w);
}

void captls_json_bool(captls_json_writer *w, bool v)
{
    if (!before_value(w))
        return;
    w_put(w, v ? "true" : "false", v ? 4 : 5);
    after_value(w);
}

void captls_json_null(captls_json_writer *w)
{
    if (!before_value(w))
        return;
    w_put(w, "null", 4);
    after_value(w);
}

void captls_json_number_raw(captls_json_writer *w, const char *s, size_t n)
{
    captls_json_token t;
    parser p;
    size_t idx;
    memset(&p, 0, sizeof(p));
    p.s = s;
    p.n = n;
    p.tok = &t;
    p.cap = 1;
    if (s == NULL || n == 0 || !(s[0] == '-' || is_digit(s[0])) ||
        parse_number(&p, &idx) != CAPTLS_OK || p.pos != n) {
        w_fail(w, CAPTLS_ERR_MALFORMED);
        return;
    }
    if (!before_value(w))
        return;
    w_put(w, s, n);
    after_value(w);
}

static void w_copy_string(captls_json_writer *w, const captls_json_doc *d,
                          size_t i)
{
    const captls_json_token *t = &d->tok[i];
    w_putc(w, '"');
    for (size_t p = t->start; p < t->end;)
        w_escaped_cp(w, next_cp(d->text, &p));
    w_putc(w, '"');
}

void captls_json_copy(captls_json_writer *w, const captls_json_doc *d,
                      size_t i)
{
    if (d == NULL || i >= d->count) {
        w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
        return;
    }
    uint32_t ends[CAPTLS_JSON_MAX_DEPTH + 1];
    size_t depth = 0, stop = d->tok[i].next;
    for (size_t k = i; k < stop; k++) {
        if (w_hard_error(w))
            return;
        while (depth > 0 && ends[depth - 1] == k) {
            depth--;
            w_close(w, top_is_object(w));
        }
        const captls_json_token *t = &d->tok[k];
        switch (t->type) {
        case CAPTLS_JSON_OBJECT:
        case CAPTLS_JSON_ARRAY:
            w_open(w, t->type == CAPTLS_JSON_OBJECT);
            if (depth >= CAPTLS_JSON_MAX_DEPTH + 1) {
                w_fail(w, CAPTLS_ERR_LIMIT_EXCEEDED);
                return;
            }
            ends[depth++] = t->next;
            break;
        case CAPTLS_JSON_STRING:
            if (top_is_object(w) && !w->want_value) {
                if (!before_key(w))
                    return;
                w_copy_string(w, d, k);
                w_putc(w, ':');
                w->want_value = true;
            } else {
                if (!before_value(w))
                    return;
                w_copy_string(w, d, k);
                after_value(w);
            }
            break;
        case CAPTLS_JSON_NUMBER:
            captls_json_number_raw(w, d->text + t->start, t->end - t->start);
            break;
        case CAPTLS_JSON_TRUE:
        case CAPTLS_JSON_FALSE:
            captls_json_bool(w, t->type == CAPTLS_JSON_TRUE);
            break;
        case CAPTLS_JSON_NULL:
            captls_json_null(w);
            break;
        default:
            w_fail(w, CAPTLS_ERR_INVALID_ARGUMENT);
            return;
        }
    }
    while (depth > 0) {
        depth--;
        w_close(w, top_is_object(w));
    }
}

captls_result captls_json_writer_finish(captls_json_writer *w, size_t *len)
{
    if (w == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (w->status == CAPTLS_OK && (!w->root_done || w->depth != 0))
        w->status = CAPTLS_ERR_INVALID_ARGUMENT;
    *len = w->len;
    return w->status;
}
