/* sim/scenario_lex.c — tokens, durations, numbers and times of scenario
 * files. See scenario_lex.h. Every loop advances through a bounded line;
 * every number is checked before it can overflow. */
#include <stdio.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "sim/scenario_lex.h"

bool scn_fail(scn_parser *ps, unsigned col, const char *fmt, ...)
{
    va_list ap;
    if (ps->failed)
        return false;
    ps->failed = true;
    ps->err->line = ps->line;
    ps->err->col = col;
    va_start(ap, fmt);
    int n = vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(ps->err->msg, sizeof(ps->err->msg), "syntax error");
    return false;
}

char *scn_pool_put(scn_parser *ps, const void *p, size_t n)
{
    captls_sim_scenario *sc = ps->sc;
    if (n + 1 > sc->pool_cap - sc->pool_len) {
        ps->oom = true;
        scn_fail(ps, 1, "out of memory");
        return NULL;
    }
    char *dst = sc->pool + sc->pool_len;
    if (n > 0)
        memcpy(dst, p, n);
    dst[n] = '\0';
    sc->pool_len += n + 1;
    return dst;
}

const char *scn_show(const char *p, size_t len, char *out, size_t cap)
{
    captls_sanitize((const uint8_t *)p, len > 40 ? 40 : len, out, cap);
    if (len > 40 && strlen(out) + 4 <= cap)
        strcat(out, "...");
    return out;
}

static bool is_word_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
           c == ':' || c == '/' || c == '+';
}

static bool is_sep(const uint8_t *line, size_t len, size_t i)
{
    return i >= len || line[i] == ' ' || line[i] == '\t' || line[i] == '#';
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Unescapes the string opening at line[*i] into the pool. */
static bool lex_string(scn_parser *ps, const uint8_t *line, size_t len,
                       size_t *i, const char **out, size_t *out_len)
{
    size_t open = *i, j = *i + 1;
    char buf[CAPTLS_SIM_SCN_MAX_LINE];
    size_t n = 0;
    while (j < len && line[j] != '"') {
        uint8_t c = line[j];
        if (c == '\\') {
            if (j + 1 >= len)
                break; /* reported as unterminated */
            uint8_t e = line[j + 1];
            int hi, lo;
            switch (e) {
            case 'n': buf[n++] = '\n'; j += 2; continue;
            case 'r': buf[n++] = '\r'; j += 2; continue;
            case 't': buf[n++] = '\t'; j += 2; continue;
            case '0': buf[n++] = '\0'; j += 2; continue;
            case '\\': buf[n++] = '\\'; j += 2; continue;
            case '"': buf[n++] = '"'; j += 2; continue;
            case 'x':
                hi = j + 2 < len ? hexval(line[j + 2]) : -1;
                lo = j + 3 < len ? hexval(line[j + 3]) : -1;
                if (hi < 0 || lo < 0)
                    return scn_fail(ps, (unsigned)j + 1,
                                    "expected two hex digits after \\x");
                buf[n++] = (char)(hi * 16 + lo);
                j += 4;
                continue;
            default:
                return scn_fail(ps, (unsigned)j + 1,
                                "unknown escape; expected \\n, \\r, \\t, "
                                "\\0, \\\\, \\\" or \\xHH");
            }
        }
        if (c < 0x20 || c == 0x7F)
            return scn_fail(ps, (unsigned)j + 1,
                            "control byte 0x%02x in a string; expected it "
                            "written as \\x%02x",
                            c, c);
        buf[n++] = (char)c;
        j++;
    }
    if (j >= len)
        return scn_fail(ps, (unsigned)open + 1,
                        "unterminated string; expected a closing '\"'");
    *out = scn_pool_put(ps, buf, n);
    *out_len = n;
    *i = j + 1;
    return *out != NULL;
}

static bool after_token(scn_parser *ps, const uint8_t *line, size_t len,
                        size_t i)
{
    if (is_sep(line, len, i))
        return true;
    return scn_fail(ps, (unsigned)i + 1,
                    "expected a space or the end of the line after %s",
                    line[i - 1] == '"' ? "the closing quote" : "the word");
}

static bool unexpected(scn_parser *ps, uint8_t c, size_t i)
{
    if (c >= 0x21 && c <= 0x7E)
        return scn_fail(ps, (unsigned)i + 1,
                        "unexpected character '%c'; expected a word, a "
                        "\"quoted string\" or a # comment",
                        c);
    return scn_fail(ps, (unsigned)i + 1,
                    "unexpected byte 0x%02x; expected a word, a \"quoted "
                    "string\" or a # comment",
                    c);
}

bool scn_lex_line(scn_parser *ps, const uint8_t *line, size_t len)
{
    size_t i = 0;
    ps->ntoks = 0;
    ps->end_col = (unsigned)len + 1;
    while (i < len) {
        uint8_t c = line[i];
        if (c == ' ' || c == '\t') {
            i++;
            continue;
        }
        if (c == '#')
            break;
        if (ps->ntoks >= CAPTLS_SIM_SCN_MAX_TOKENS)
            return scn_fail(ps, (unsigned)i + 1,
                            "too many items on one line; expected at most "
                            "%u",
                            CAPTLS_SIM_SCN_MAX_TOKENS);
        scn_tok *t = &ps->toks[ps->ntoks];
        memset(t, 0, sizeof(*t));
        t->col = (unsigned)i + 1;
        if (c == '"') {
            t->str = true;
            if (!lex_string(ps, line, len, &i, &t->text, &t->len) ||
                !after_token(ps, line, len, i))
                return false;
            ps->ntoks++;
            continue;
        }
        if (!is_word_byte(c) && c != '=')
            return unexpected(ps, c, i);
        size_t start = i;
        while (i < len && is_word_byte(line[i]))
            i++;
        if (i < len && line[i] == '=') {
            if (i == start)
                return scn_fail(ps, (unsigned)i + 1,
                                "expected an option name before '='");
            t->kv = true;
            t->key = scn_pool_put(ps, line + start, i - start);
            t->key_len = i - start;
            if (t->key == NULL)
                return false;
            i++;
            t->val_col = (unsigned)i + 1;
            if (i < len && line[i] == '"') {
                t->val_str = true;
                if (!lex_string(ps, line, len, &i, &t->val, &t->val_len))
                    return false;
            } else {
                size_t vs = i;
                while (i < len && is_word_byte(line[i]))
                    i++;
                if (i == vs) {
                    char s[64];
                    return scn_fail(ps, (unsigned)i + 1,
                                    "expected a value after '%s='",
                                    scn_show(t->key, t->key_len, s,
                                             sizeof(s)));
                }
                t->val = scn_pool_put(ps, line + vs, i - vs);
                t->val_len = i - vs;
                if (t->val == NULL)
                    return false;
            }
            t->text = t->key;
            t->len = t->key_len;
        } else {
            t->text = scn_pool_put(ps, line + start, i - start);
            t->len = i - start;
            if (t->text == NULL)
                return false;
        }
        if (i < len && !is_sep(line, len, i) && line[i] != '=')
            return unexpected(ps, line[i], i);
        if (i < len && line[i] == '=')
            return scn_fail(ps, (unsigned)i + 1,
                            "unexpected '='; expected one KEY=VALUE per "
                            "item");
        if (!after_token(ps, line, len, i))
            return false;
        ps->ntoks++;
    }
    return true;
}

/* ---------------------------------------------------------------- values */

bool scn_eq(const char *p, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(p, lit, len) == 0;
}

bool scn_is_name(const char *p, size_t len)
{
    if (len == 0 || len >= CAPTLS_SIM_NAME_MAX || !(p[0] >= 'a' && p[0] <= 'z'))
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

bool scn_parse_uint(scn_parser *ps, const char *p, size_t len, unsigned col,
                    uint64_t max, const char *what, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return scn_fail(ps, col, "expected %s", what);
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return scn_fail(ps, col, "expected %s", what);
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (max - d) / 10)
            return scn_fail(ps, col, "expected %s of at most %llu", what,
                            (unsigned long long)max);
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool scn_parse_duration(scn_parser *ps, const char *p, size_t len,
                        unsigned col, uint64_t *ns)
{
    static const char *const HINT =
        "expected a duration like 2ms, 1.5ms, 500us, 20ns or 3s";
    const uint64_t max = CAPTLS_SIM_SCN_MAX_TIME_NS;
    uint64_t ip = 0, fp = 0, fdiv = 1, mult;
    size_t i = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9') {
        if (ip > max / 10)
            return scn_fail(ps, col, "%s (at most 1000000s)", HINT);
        ip = ip * 10 + (uint64_t)(p[i] - '0');
        i++;
    }
    if (i == 0)
        return scn_fail(ps, col, "%s", HINT);
    if (i < len && p[i] == '.') {
        size_t fs = ++i;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            if (i - fs >= 9)
                return scn_fail(ps, col, "%s (at most 9 decimals)", HINT);
            fp = fp * 10 + (uint64_t)(p[i] - '0');
            fdiv *= 10;
            i++;
        }
        if (i == fs)
            return scn_fail(ps, col, "%s", HINT);
    }
    const char *u = p + i;
    size_t ul = len - i;
    if (scn_eq(u, ul, "ns"))
        mult = 1;
    else if (scn_eq(u, ul, "us"))
        mult = CAPTLS_SIM_NS_PER_US;
    else if (scn_eq(u, ul, "ms"))
        mult = CAPTLS_SIM_NS_PER_MS;
    else if (scn_eq(u, ul, "s"))
        mult = CAPTLS_SIM_NS_PER_S;
    else
        return scn_fail(ps, col, "%s (units: ns, us, ms, s)", HINT);
    if (ip > max / mult)
        return scn_fail(ps, col, "%s (at most 1000000s)", HINT);
    /* fp < fdiv <= 1e9 and mult <= 1e9: the product fits. */
    if ((fp * mult) % fdiv != 0)
        return scn_fail(ps, col, "%s (a whole number of nanoseconds)", HINT);
    uint64_t v = ip * mult + (fp * mult) / fdiv;
    if (v > max)
        return scn_fail(ps, col, "%s (at most 1000000s)", HINT);
    *ns = v;
    return true;
}

bool scn_parse_signed_duration(scn_parser *ps, const char *p, size_t len,
                               unsigned col, int64_t *ns)
{
    uint64_t v;
    bool neg = len > 0 && p[0] == '-';
    size_t skip = len > 0 && (p[0] == '-' || p[0] == '+') ? 1 : 0;
    if (!scn_parse_duration(ps, p + skip, len - skip, col, &v))
        return false;
    *ns = neg ? -(int64_t)v : (int64_t)v; /* v <= 1e15 */
    return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9; /* March-based month */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *p, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

bool scn_parse_wall(scn_parser *ps, const char *p, size_t len, unsigned col,
                    int64_t *epoch_s)
{
    static const char *const HINT =
        "expected a UTC time like 2026-11-23T00:00:00Z (years 1900-2099) "
        "or seconds since 1970";
    static const unsigned MDAYS[12] = {31, 29, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    unsigned y, mo, d, h, mi, s;
    bool all_digits = len > 0;
    for (size_t i = 0; i < len && all_digits; i++)
        all_digits = p[i] >= '0' && p[i] <= '9';
    if (all_digits) {
        uint64_t v;
        if (!scn_parse_uint(ps, p, len, col, 4102444799ull,
                            "seconds since 1970", &v))
            return false;
        *epoch_s = (int64_t)v;
        return true;
    }
    if (len != 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' ||
        p[13] != ':' || p[16] != ':' || p[19] != 'Z' || !digits(p, 4, &y) ||
        !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
        !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) ||
        !digits(p + 17, 2, &s))
        return scn_fail(ps, col, "%s", HINT);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1900 || y > 2099 || mo < 1 || mo > 12 || d < 1 ||
        d > MDAYS[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 ||
        mi > 59 || s > 59)
        return scn_fail(ps, col, "%s", HINT);
    *epoch_s = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return true;
}
