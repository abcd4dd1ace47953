/* See chains_presets.h. */
#include "conformance/chains_presets.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/verify/policy.h"

/* The refusals by captls that OpenSSL 3.0 accepts under a preset: the
 * rows of the ```known-presets blocks of KNOWN_DIFFERENCES.md (loaded once,
 * on the first case), "ID CATEGORY PRESET CAPTLS OPENSSL SECTION". */
typedef struct preset_row {
    unsigned id;
    char category[64], preset[24], captls[32], openssl[32];
    unsigned section;
    unsigned hits;
} preset_row;

static preset_row *rows;
static size_t nrows;
static int load_state; /* 0 not yet, 1 loaded, -1 failed */

static int load_rows(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int in_block = 0, no = 0;
    size_t cap = 0;
    bool sections[64] = {false};
    if (!f) {
        printf("DISAGREE: presets: cannot read %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        unsigned n;
        no++;
        line[strcspn(line, "\r\n")] = 0;
        if (!in_block) {
            if (sscanf(line, "## %u.", &n) == 1 && n < 64)
                sections[n] = true;
            in_block = strcmp(line, "```known-presets") == 0;
            continue;
        }
        if (strcmp(line, "```") == 0) {
            in_block = 0;
            continue;
        }
        const char *p = line + strspn(line, " \t");
        if (*p == 0 || *p == '#')
            continue;
        preset_row r;
        char extra[2];
        memset(&r, 0, sizeof r);
        if (nrows == cap) {
            cap = cap ? 2 * cap : 64;
            preset_row *nr = realloc(rows, cap * sizeof *nr);
            if (!nr)
                break;
            rows = nr;
        }
        if (sscanf(p, "%u %63s %23s %31s %31s %u %1s", &r.id, r.category,
                   r.preset, r.captls, r.openssl, &r.section, extra) != 6 ||
            r.section >= 64 || !sections[r.section] ||
            strcmp(r.captls, r.openssl) == 0) {
            printf("DISAGREE: presets: %s:%d: want ID CATEGORY PRESET CAPTLS "
                   "OPENSSL SECTION (a section above, two verdicts)\n", path, no);
            fclose(f);
            return -1;
        }
        rows[nrows++] = r;
    }
    fclose(f);
    return 0;
}

static preset_row *known_refusal(const chains_case *c, const char *preset,
                                 const char *mine, const char *ref)
{
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].id == c->id && strcmp(rows[i].category, c->category) == 0 &&
            strcmp(rows[i].preset, preset) == 0 &&
            strcmp(rows[i].captls, mine) == 0 && strcmp(rows[i].openssl, ref) == 0)
            return &rows[i];
    return NULL;
}

static chains_preset_count *count_for(chains_preset_tally *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->p[i].name, name) == 0)
            return &t->p[i];
    size_t cap = sizeof(t->p) / sizeof(t->p[0]);
    chains_preset_count *c = &t->p[t->n < cap ? t->n++ : cap - 1];
    snprintf(c->name, sizeof(c->name), "%s", name);
    return c;
}

unsigned chains_presets_check(const chains_case *c, const chains_verdict *ref,
                              const char *known_path, int verbose,
                              chains_preset_tally *t)
{
    unsigned failed = 0;
    if (c->npresets > 0 && load_state == 0)
        load_state = load_rows(known_path) == 0 ? 1 : -1;
    for (size_t k = 0; k < c->npresets; k++) {
        const chains_preset *pr = &c->presets[k];
        chains_preset_count *cnt = count_for(t, pr->name);
        const captls_verification_policy *base = captls_policy_by_name(pr->name);
        chains_verdict mine = {0};
        const char *why = NULL;
        preset_row *known_row = NULL;
        cnt->runs++;
        if (load_state < 0) {
            why = "the known-presets rows did not load";
        } else if (base == NULL) {
            why = "unknown preset";
        } else {
            captls_verification_policy pol = *base;
            pol.min_scts = 0;        /* offline: no SCT evaluation yet */
            pol.require_ocsp = false; /* offline: no OCSP evaluation yet */
            if (pol.max_chain_length == 0)
                pol.max_chain_length = (uint8_t)(c->maxchain > 255 ? 255 : c->maxchain);
            chains_run_captls_policy(c, &pol, NULL, &mine);
            int mine_ok = strcmp(mine.verdict, "ok") == 0;
            int ref_ok = strcmp(ref->verdict, "ok") == 0;
            if (strcmp(mine.verdict, pr->expect) != 0)
                why = "captls differs from the generator";
            else if (mine_ok && !ref_ok)
                why = "captls accepts what OpenSSL refuses";
            else if (strcmp(mine.verdict, ref->verdict) != 0 &&
                     !(known_row = known_refusal(c, pr->name, mine.verdict,
                                                 ref->verdict)))
                why = "captls and OpenSSL differ (no known-presets row)";
            if (mine_ok && !ref_ok)
                cnt->laxer++;
        }
        if (why) {
            failed++;
            cnt->failed++;
            printf("DISAGREE: case %u (%s) preset %s expected %s: %s: captls %s [%s]"
                   " / openssl %s [%s]\n", c->id, c->category, pr->name,
                   pr->expect, why, base ? mine.verdict : "-",
                   base ? mine.detail : "", ref->verdict, ref->detail);
        } else if (known_row) {
            cnt->known++;
            if (strcmp(ref->verdict, "ok") == 0)
                cnt->stricter++;
            known_row->hits++;
        } else {
            cnt->agree++;
        }
        if (verbose)
            printf("case %u %s preset %s expect %s captls %s openssl %s "
                   "known-section %u\n", c->id, c->category, pr->name,
                   pr->expect, base ? mine.verdict : "-", ref->verdict,
                   known_row ? known_row->section : 0u);
    }
    return failed;
}

void chains_presets_report(const chains_preset_tally *t, int full_run)
{
    unsigned passed = 0, failed = 0;
    for (size_t i = 0; full_run && i < nrows; i++)
        if (rows[i].hits == 0)
            printf("note: known-presets row for case %u (%s, %s) no longer "
                   "seen: remove it\n", rows[i].id, rows[i].category,
                   rows[i].preset);
    printf("  %-16s %6s %6s %6s %21s %27s %7s\n", "preset", "runs", "agree",
           "known", "refused, OpenSSL ok", "accepted, OpenSSL refused",
           "failed");
    for (size_t i = 0; i < t->n; i++) {
        const chains_preset_count *c = &t->p[i];
        printf("  %-16s %6u %6u %6u %21u %27u %7u\n", c->name, c->runs,
               c->agree, c->known, c->stricter, c->laxer, c->failed);
        passed += c->agree + c->known;
        failed += c->failed;
    }
    printf("chains-diff presets: %u passed, %u failed\n", passed, failed);
}
