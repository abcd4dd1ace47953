/* See chains_known.h. */
#include "conformance/chains_known.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SECTIONS 64u

static int fail(char *err, size_t errlen, const char *path, unsigned line,
                const char *msg)
{
    if (line)
        snprintf(err, errlen, "%s:%u: %s", path, line, msg);
    else
        snprintf(err, errlen, "%s: %s", path, msg);
    return -1;
}

int chains_known_load(const char *path, chains_known *k, char *err,
                      size_t errlen)
{
    memset(k, 0, sizeof(*k));
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, errlen, path, 0, "cannot open (--known FILE)");
    k->titles = calloc(MAX_SECTIONS, sizeof(*k->titles));
    k->ntitles = MAX_SECTIONS;
    size_t cap = 0;
    char line[512];
    unsigned no = 0;
    int in_block = 0, saw_block = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        no++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = fail(err, errlen, path, no, "line too long");
            break;
        }
        line[strcspn(line, "\r\n")] = 0;
        if (!in_block) {
            unsigned n;
            int off = 0;
            if (sscanf(line, "## %u. %n", &n, &off) == 1 && off > 0) {
                if (n >= MAX_SECTIONS || k->titles[n][0]) {
                    rc = fail(err, errlen, path, no, "section number out of "
                              "range or used twice");
                    break;
                }
                snprintf(k->titles[n], sizeof(k->titles[n]), "%u. %s", n,
                         line + off);
            } else if (strcmp(line, "```known") == 0) {
                in_block = saw_block = 1;
            }
            continue;
        }
        if (strcmp(line, "```") == 0) {
            in_block = 0;
            continue;
        }
        const char *p = line + strspn(line, " \t");
        if (*p == 0 || *p == '#')
            continue;
        chains_known_row r;
        memset(&r, 0, sizeof(r));
        char extra[2];
        if (sscanf(p, "%u %63s %31s %31s %u %1s", &r.id, r.category, r.captls,
                   r.openssl, &r.section, extra) != 5) {
            rc = fail(err, errlen, path, no, "want: ID CATEGORY CAPTLS OPENSSL "
                      "SECTION");
            break;
        }
        if (strcmp(r.captls, r.openssl) == 0) {
            rc = fail(err, errlen, path, no, "the two verdicts are the same: "
                      "nothing to excuse");
            break;
        }
        for (size_t i = 0; i < k->count; i++)
            if (k->rows[i].id == r.id) {
                rc = fail(err, errlen, path, no, "case id listed twice");
                break;
            }
        if (rc)
            break;
        if (k->count == cap) {
            cap = cap ? 2 * cap : 64;
            chains_known_row *nr = realloc(k->rows, cap * sizeof(*nr));
            if (!nr) {
                rc = fail(err, errlen, path, no, "out of memory");
                break;
            }
            k->rows = nr;
        }
        k->rows[k->count++] = r;
    }
    fclose(f);
    if (rc == 0 && in_block)
        rc = fail(err, errlen, path, no, "```known block not closed");
    if (rc == 0 && !saw_block)
        rc = fail(err, errlen, path, 0, "no ```known block (the case list)");
    for (size_t i = 0; rc == 0 && i < k->count; i++) {
        chains_known_row *r = &k->rows[i];
        if (r->section >= MAX_SECTIONS || !k->titles[r->section][0]) {
            char m[120];
            snprintf(m, sizeof(m), "case %u names section %u, which has no "
                     "\"## %u.\" heading", r->id, r->section, r->section);
            rc = fail(err, errlen, path, 0, m);
        } else {
            r->title = k->titles[r->section];
        }
    }
    if (rc)
        chains_known_free(k);
    return rc;
}

chains_known_row *chains_known_find(const chains_known *k, const chains_case *c,
                                    const char *captls_verdict,
                                    const char *openssl_verdict)
{
    for (size_t i = 0; i < k->count; i++) {
        chains_known_row *r = &k->rows[i];
        if (r->id == c->id && strcmp(r->category, c->category) == 0 &&
            strcmp(r->captls, captls_verdict) == 0 &&
            strcmp(r->openssl, openssl_verdict) == 0)
            return r;
    }
    return NULL;
}

void chains_known_mark_run(const chains_known *k, const chains_case *c)
{
    for (size_t i = 0; i < k->count; i++)
        if (k->rows[i].id == c->id && strcmp(k->rows[i].category, c->category) == 0)
            k->rows[i].runs++;
}

void chains_known_free(chains_known *k)
{
    free(k->rows);
    free(k->titles);
    memset(k, 0, sizeof(*k));
}
