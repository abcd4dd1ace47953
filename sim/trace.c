/* sim/trace.c — trace files. See trace.h. */
#include <stdarg.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "sim/scenario.h"
#include "sim/trace.h"

typedef struct rd {
    const uint8_t *p;
    size_t len, pos;
    unsigned line;
    char *err;
    size_t errcap;
} rd;

static captls_result fail(rd *r, const char *fmt, ...)
    CAPTLS_SIM_PRINTF(2, 3);

static captls_result fail(rd *r, const char *fmt, ...)
{
    va_list ap;
    if (r->err != NULL && r->errcap > 0) {
        int n = snprintf(r->err, r->errcap, "line %u: ", r->line);
        if (n > 0 && (size_t)n < r->errcap) {
            va_start(ap, fmt);
            vsnprintf(r->err + n, r->errcap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return CAPTLS_ERR_MALFORMED;
}

/* The next line (without '\n') as [*s, *s + *n); false at the end or when
 * no newline ends it within 512 bytes. */
static bool next_line(rd *r, const char **s, size_t *n)
{
    size_t i = r->pos, lim = r->len - r->pos > 512 ? r->pos + 512 : r->len;
    while (i < lim && r->p[i] != '\n')
        i++;
    if (i >= lim)
        return false;
    *s = (const char *)r->p + r->pos;
    *n = i - r->pos;
    r->pos = i + 1;
    r->line++;
    return true;
}

/* "KEY VALUE": *v is the value. */
static bool keyed(rd *r, const char *key, const char **v, size_t *vn)
{
    const char *s;
    size_t n, kl = strlen(key);
    if (!next_line(r, &s, &n)) {
        r->line++;
        return false;
    }
    if (n < kl + 1 || memcmp(s, key, kl) != 0 || s[kl] != ' ')
        return false;
    *v = s + kl + 1;
    *vn = n - kl - 1;
    return true;
}

static bool dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                                   : -1;
}

captls_result captls_sim_trace_parse(const uint8_t *buf, size_t len,
                                     captls_sim_trace *t, char *err,
                                     size_t errcap)
{
    rd r = {buf, len, 0, 0, err, errcap};
    const char *v;
    size_t vn;
    uint64_t num;
    if (t == NULL || (buf == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(t, 0, sizeof(*t));
    if (err != NULL && errcap > 0)
        err[0] = '\0';
    if (!keyed(&r, "captls-sim-trace", &v, &vn))
        return fail(&r, "expected 'captls-sim-trace 1' (not a trace file?)");
    if (!dec(v, vn, 1000, &num) || num != CAPTLS_SIM_TRACE_VERSION)
        return fail(&r, "expected trace format version %u",
                    CAPTLS_SIM_TRACE_VERSION);
    t->version = (unsigned)num;
    if (!keyed(&r, "seed", &v, &vn) || !dec(v, vn, UINT64_MAX, &t->seed))
        return fail(&r, "expected 'seed N' (a decimal number)");
    if (!keyed(&r, "file", &v, &vn) || vn == 0 ||
        vn >= CAPTLS_SIM_TRACE_FILE_MAX)
        return fail(&r, "expected 'file NAME' (1..%u bytes)",
                    CAPTLS_SIM_TRACE_FILE_MAX - 1);
    for (size_t i = 0; i < vn; i++) {
        if (v[i] < 0x20 || v[i] > 0x7E)
            return fail(&r, "expected a printable file name");
    }
    memcpy(t->file, v, vn);
    t->file[vn] = '\0';
    if (!keyed(&r, "outcome", &v, &vn) ||
        !((vn == 6 && memcmp(v, "passed", 6) == 0) ||
          (vn == 6 && memcmp(v, "failed", 6) == 0)))
        return fail(&r, "expected 'outcome passed' or 'outcome failed'");
    t->passed = v[0] == 'p';
    if (!keyed(&r, "transcript-sha256", &v, &vn) || vn != 64)
        return fail(&r, "expected 'transcript-sha256' and 64 hex digits");
    for (size_t i = 0; i < 32; i++) {
        int hi = hexv(v[2 * i]), lo = hexv(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return fail(&r, "expected lowercase hex digits in the hash");
        t->hash[i] = (uint8_t)(hi * 16 + lo);
    }
    if (!keyed(&r, "scenario", &v, &vn) ||
        !dec(v, vn, CAPTLS_SIM_SCN_MAX_BYTES, &num))
        return fail(&r, "expected 'scenario N' (its length, at most %u)",
                    CAPTLS_SIM_SCN_MAX_BYTES);
    if (len - r.pos != num)
        return fail(&r, "expected exactly %llu scenario bytes after this "
                    "line, found %zu",
                    (unsigned long long)num, len - r.pos);
    t->scenario = buf + r.pos;
    t->scenario_len = (size_t)num;
    return CAPTLS_OK;
}

bool captls_sim_trace_write(FILE *f, const captls_sim_trace *t)
{
    char name[CAPTLS_SIM_TRACE_FILE_MAX];
    size_t n = strlen(t->file);
    captls_sanitize((const uint8_t *)t->file, n > 120 ? 120 : n, name,
                    sizeof(name));
    if (name[0] == '\0')
        memcpy(name, "-", 2);
    fprintf(f, "captls-sim-trace %u\nseed %llu\nfile %s\noutcome %s\n"
               "transcript-sha256 ",
            CAPTLS_SIM_TRACE_VERSION, (unsigned long long)t->seed, name,
            t->passed ? "passed" : "failed");
    for (size_t i = 0; i < 32; i++)
        fprintf(f, "%02x", t->hash[i]);
    fprintf(f, "\nscenario %zu\n", t->scenario_len);
    if (t->scenario_len > 0)
        fwrite(t->scenario, 1, t->scenario_len, f);
    fflush(f);
    return !ferror(f);
}
