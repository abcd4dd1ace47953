/* conformance/chains_known.h — the known differences between captls and
 * OpenSSL on the chain corpus, read from conformance/KNOWN_DIFFERENCES.md.
 *
 * Host-only (allocates). The document's numbered sections ("## N. title")
 * say why captls is right; its fenced block opened by "```known" lists,
 * one per line, the cases each section excuses:
 *     ID CATEGORY CAPTLS_VERDICT OPENSSL_VERDICT SECTION
 * (blank lines and lines starting with '#' ignored). A disagreement is
 * excused only by a row with the case's exact id AND category AND the
 * exact pair of verdicts: a renumbered corpus, a new case in a known
 * category, or another pair of verdicts fails instead of passing quietly.
 * Loading is strict: a malformed row, a duplicate id, a section number
 * with no "## N." heading, no known block at all, or an unreadable file is
 * an error (err says which line).
 */
#ifndef CAPTLS_CONFORMANCE_CHAINS_KNOWN_H
#define CAPTLS_CONFORMANCE_CHAINS_KNOWN_H

#include <stddef.h>

#include "conformance/chains_corpus.h"

#define CHAINS_KNOWN_DEFAULT "conformance/KNOWN_DIFFERENCES.md"

typedef struct chains_known_row {
    unsigned id;
    char category[64];
    char captls[32];
    char openssl[32];
    unsigned section;
    const char *title;   /* "N. title" of the section (owned by the table) */
    unsigned hits;       /* times the row excused a disagreement */
    unsigned runs;       /* times its case (id and category) was run */
} chains_known_row;

typedef struct chains_known {
    chains_known_row *rows;
    size_t count;
    char (*titles)[96];  /* titles[n]: "n. title", "" where no section n */
    size_t ntitles;
} chains_known;

/* 0 on success; -1 with a message in err otherwise. */
int chains_known_load(const char *path, chains_known *k, char *err,
                      size_t errlen);
/* The row excusing this case and pair of verdicts, or NULL. */
chains_known_row *chains_known_find(const chains_known *k, const chains_case *c,
                                    const char *captls_verdict,
                                    const char *openssl_verdict);
/* Counts a run of case c in the rows naming it (stale-row report: a row
 * whose case ran but excused nothing). */
void chains_known_mark_run(const chains_known *k, const chains_case *c);
void chains_known_free(chains_known *k);

#endif
