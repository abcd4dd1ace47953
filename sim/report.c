/* sim/report.c — summary table, JSON and JUnit. See report.h. */
#include <stdlib.h>
#include <string.h>

#include "sim/report.h"

void sim_result_from_report(sim_seed_result *out, uint64_t seed,
                            const captls_sim_report *rep, double wall_s)
{
    memset(out, 0, sizeof(*out));
    out->seed = seed;
    out->passed = captls_sim_report_ok(rep);
    out->completed = rep->completed;
    out->held = (uint32_t)rep->expects_held;
    out->failed = (uint32_t)rep->expects_failed;
    out->events = rep->events;
    out->end_ns = rep->end_ns;
    out->wall_s = wall_s;
    memcpy(out->hash, rep->hash, 32);
    if (!rep->completed)
        snprintf(out->failure, sizeof(out->failure), "run stopped: %s",
                 rep->stop_reason);
    else if (rep->expects_failed > 0)
        snprintf(out->failure, sizeof(out->failure), "line %u: %.440s",
                 rep->first_failed_line, rep->first_failure);
}

bool sim_suite_add(sim_suite *s, const sim_seed_result *r)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        sim_seed_result *nr = realloc(s->r, ncap * sizeof(*nr));
        if (nr == NULL)
            return false;
        s->r = nr;
        s->cap = ncap;
    }
    s->r[s->n++] = *r;
    if (r->passed)
        s->passed++;
    else
        s->failed++;
    s->events += r->events;
    s->sim_ns += r->end_ns;
    return true;
}

static int by_seed(const void *a, const void *b)
{
    uint64_t x = ((const sim_seed_result *)a)->seed;
    uint64_t y = ((const sim_seed_result *)b)->seed;
    return x < y ? -1 : x > y;
}

void sim_suite_sort(sim_suite *s)
{
    if (s->n > 1)
        qsort(s->r, s->n, sizeof(*s->r), by_seed);
}

void sim_suite_free(sim_suite *s)
{
    free(s->r);
    s->r = NULL;
    s->n = s->cap = 0;
}

static void human(double v, char *out, size_t cap)
{
    if (v >= 1e6)
        snprintf(out, cap, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(out, cap, "%.1fk", v / 1e3);
    else
        snprintf(out, cap, "%.0f", v);
}

void sim_report_table(FILE *f, const sim_suite *s, size_t n)
{
    size_t w = 8;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(s[i].file);
        if (l > w)
            w = l;
    }
    if (w > 48)
        w = 48;
    fprintf(f, "%-*s %7s %7s %7s %12s %10s %9s\n", (int)w, "scenario",
            "seeds", "passed", "failed", "sim time", "events/s", "seeds/s");
    for (size_t i = 0; i < n; i++) {
        char ev[32], sd[32], st[32];
        double dt = s[i].wall_s > 0 ? s[i].wall_s : 1e-9;
        human((double)s[i].events / dt, ev, sizeof(ev));
        human((double)s[i].n / dt, sd, sizeof(sd));
        snprintf(st, sizeof(st), "%.3f s", (double)s[i].sim_ns / 1e9);
        const char *name = s[i].file;
        size_t l = strlen(name);
        fprintf(f, "%-*s %7zu %7zu %7zu %12s %10s %9s\n", (int)w,
                l > w ? name + (l - w) : name, s[i].n, s[i].passed,
                s[i].failed, st, ev, sd);
    }
}

/* JSON string (or XML attribute text with xml true). */
static void esc(FILE *f, const char *s, bool xml)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (xml) {
            if (c == '&')
                fputs("&amp;", f);
            else if (c == '<')
                fputs("&lt;", f);
            else if (c == '>')
                fputs("&gt;", f);
            else if (c == '"')
                fputs("&quot;", f);
            else if (c < 0x20 || c > 0x7E)
                fputc('?', f);
            else
                fputc(c, f);
        } else {
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c < 0x20 || c > 0x7E)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
}

static void hexout(FILE *f, const uint8_t *h)
{
    for (int i = 0; i < 32; i++)
        fprintf(f, "%02x", h[i]);
}

bool sim_report_json(FILE *f, const char *command, const sim_suite *s,
                     size_t n, double wall_s)
{
    size_t p = 0, fl = 0;
    for (size_t i = 0; i < n; i++) {
        p += s[i].passed;
        fl += s[i].failed;
    }
    fprintf(f, "{\n  \"format\": \"captls-sim-report\",\n  \"version\": 1,\n"
               "  \"command\": \"");
    esc(f, command, false);
    fprintf(f, "\",\n  \"passed\": %zu,\n  \"failed\": %zu,\n"
               "  \"wall_seconds\": %.6f,\n  \"scenarios\": [",
            p, fl, wall_s);
    for (size_t i = 0; i < n; i++) {
        double dt = s[i].wall_s > 0 ? s[i].wall_s : 1e-9;
        fprintf(f, "%s\n    {\n      \"file\": \"", i ? "," : "");
        esc(f, s[i].file, false);
        fprintf(f, "\",\n      \"seeds\": %zu,\n      \"passed\": %zu,\n"
                   "      \"failed\": %zu,\n      \"events\": %llu,\n"
                   "      \"sim_time_ns\": %llu,\n"
                   "      \"wall_seconds\": %.6f,\n"
                   "      \"events_per_second\": %.0f,\n"
                   "      \"seeds_per_second\": %.1f,\n      \"runs\": [",
                s[i].n, s[i].passed, s[i].failed,
                (unsigned long long)s[i].events,
                (unsigned long long)s[i].sim_ns, s[i].wall_s,
                (double)s[i].events / dt, (double)s[i].n / dt);
        for (size_t j = 0; j < s[i].n; j++) {
            const sim_seed_result *r = &s[i].r[j];
            fprintf(f, "%s\n        {\"seed\": %llu, \"passed\": %s, "
                       "\"completed\": %s, \"expectations_held\": %u, "
                       "\"expectations_failed\": %u, \"events\": %llu, "
                       "\"sim_time_ns\": %llu, \"transcript_sha256\": \"",
                    j ? "," : "", (unsigned long long)r->seed,
                    r->passed ? "true" : "false",
                    r->completed ? "true" : "false", r->held, r->failed,
                    (unsigned long long)r->events,
                    (unsigned long long)r->end_ns);
            hexout(f, r->hash);
            fputs("\", \"failure\": ", f);
            if (r->failure[0] != '\0') {
                fputc('"', f);
                esc(f, r->failure, false);
                fputc('"', f);
            } else {
                fputs("null", f);
            }
            fputc('}', f);
        }
        fprintf(f, "%s]\n    }", s[i].n ? "\n      " : "");
    }
    fprintf(f, "%s]\n}\n", n ? "\n  " : "");
    fflush(f);
    return !ferror(f);
}

bool sim_report_junit(FILE *f, const char *prog, const sim_suite *s,
                      size_t n)
{
    size_t tests = 0, fails = 0;
    double t = 0;
    for (size_t i = 0; i < n; i++) {
        tests += s[i].n;
        fails += s[i].failed;
        t += s[i].wall_s;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"captls-sim\" tests=\"%zu\" "
               "failures=\"%zu\" errors=\"0\" time=\"%.6f\">\n",
            tests, fails, t);
    for (size_t i = 0; i < n; i++) {
        fputs("  <testsuite name=\"", f);
        esc(f, s[i].file, true);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                   "skipped=\"0\" time=\"%.6f\">\n",
                s[i].n, s[i].failed, s[i].wall_s);
        for (size_t j = 0; j < s[i].n; j++) {
            const sim_seed_result *r = &s[i].r[j];
            fputs("    <testcase classname=\"captls-sim.", f);
            esc(f, s[i].file, true);
            fprintf(f, "\" name=\"seed %llu\" time=\"%.6f\"",
                    (unsigned long long)r->seed, r->wall_s);
            if (r->passed) {
                fputs("/>\n", f);
                continue;
            }
            fputs(">\n      <failure message=\"", f);
            esc(f, r->failure, true);
            fputs("\" type=\"expectation\">replay: ", f);
            esc(f, prog, true);
            fputs(" run ", f);
            esc(f, s[i].file, true);
            fprintf(f, " --seed %llu</failure>\n    </testcase>\n",
                    (unsigned long long)r->seed);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    fflush(f);
    return !ferror(f);
}
