/* captls-chains-diff: the X.509 chain corpus through captls and OpenSSL's
 * X509_verify_cert, verdicts compared (see conformance/chains_diff.h for
 * exactly what each side is given).
 *
 * Usage: captls-chains-diff [--sample N] [--verbose] CASES_FILE
 *   --sample N  run N cases spread evenly over the corpus (every category
 *               is visited in generation order), as `make test` does;
 *   --verbose   one line per case.
 * A case agrees when both sides say ok or both fail with the same
 * FailureReason (OpenSSL codes mapped by one table). A disagreement is
 * excused only by a row of the known-differences table (category and the
 * exact pair of verdicts; conformance/KNOWN_DIFFERENCES.md says why captls
 * is right). Prints the totals, per expected reason, every disagreement,
 * and last "chains-diff: N passed, M failed" (passed = agree + known);
 * exits 1 if anything failed, 2 on a usage or corpus error. Cases where
 * both sides agree with each other but not with the generator's intention
 * are listed as notes (the generator's expectation is then the suspect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/chains_corpus.h"
#include "conformance/chains_diff.h"

#define MAX_REASONS 32

typedef struct tally {
    const char *expect;
    unsigned total, agree, known, disagree;
} tally;

static tally *tally_for(tally *t, size_t *n, const char *expect)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(t[i].expect, expect) == 0)
            return &t[i];
    if (*n == MAX_REASONS)
        return &t[MAX_REASONS - 1];
    t[*n].expect = expect;
    return &t[(*n)++];
}

int main(int argc, char **argv)
{
    size_t sample = 0;
    int verbose = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc) {
            char *end;
            sample = strtoul(argv[++i], &end, 10);
            if (*end || sample == 0) {
                fprintf(stderr, "captls-chains-diff: --sample wants N > 0\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--verbose") == 0) {
            verbose = 1;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            path = NULL;
            break;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: captls-chains-diff [--sample N] [--verbose] CASES_FILE\n");
        return 2;
    }
    chains_corpus corpus;
    char err[300];
    if (chains_corpus_load(path, &corpus, err, sizeof(err))) {
        fprintf(stderr, "captls-chains-diff: %s\n", err);
        printf("chains-diff: 0 passed, 1 failed\n");
        return 2;
    }
    size_t run = corpus.count;
    if (sample && sample < corpus.count)
        run = sample;

    tally t[MAX_REASONS];
    size_t nt = 0;
    memset(t, 0, sizeof(t));
    unsigned agree = 0, known = 0, disagree = 0, notes = 0, captls_vs_expect = 0;
    for (size_t k = 0; k < run; k++) {
        /* evenly spread: case floor(k * count / run) */
        const chains_case *c = &corpus.cases[k * corpus.count / run];
        chains_verdict mine, ref;
        chains_run_captls(c, NULL, &mine);
        chains_run_openssl(c, &ref);
        tally *tl = tally_for(t, &nt, c->expect);
        tl->total++;
        int same = strcmp(mine.verdict, ref.verdict) == 0 &&
                   strcmp(mine.verdict, "error") != 0;
        const char *why = same ? NULL : chains_diff_known(c->category, mine.verdict,
                                                          ref.verdict);
        if (strcmp(mine.verdict, c->expect) != 0)
            captls_vs_expect++;
        if (same) {
            agree++;
            tl->agree++;
            if (strcmp(mine.verdict, c->expect) != 0) {
                notes++;
                printf("note: case %u (%s) expected %s, both say %s [captls: %s] "
                       "[openssl: %s]\n", c->id, c->category, c->expect,
                       mine.verdict, mine.detail, ref.detail);
            }
        } else if (why) {
            known++;
            tl->known++;
        } else {
            disagree++;
            tl->disagree++;
            printf("DISAGREE: case %u (%s) expected %s: captls %s [%s] / openssl %s [%s]\n",
                   c->id, c->category, c->expect, mine.verdict, mine.detail,
                   ref.verdict, ref.detail);
        }
        if (verbose)
            printf("case %u %s expect %s captls %s openssl %s%s%s\n", c->id,
                   c->category, c->expect, mine.verdict, ref.verdict,
                   why ? " known: " : "", why ? why : "");
    }
    printf("chains-diff: %zu of %zu cases from %s\n", run, corpus.count, path);
    printf("  %-24s %6s %6s %6s %9s\n", "expected", "cases", "agree", "known",
           "disagree");
    for (size_t i = 0; i < nt; i++)
        printf("  %-24s %6u %6u %6u %9u\n", t[i].expect, t[i].total, t[i].agree,
               t[i].known, t[i].disagree);
    printf("  agree %u, known differences %u, disagree %u; captls differs from the "
           "generator's expectation in %u (both sides together in %u)\n",
           agree, known, disagree, captls_vs_expect, notes);
    printf("chains-diff: %u passed, %u failed\n", agree + known, disagree);
    chains_corpus_free(&corpus);
    return disagree ? 1 : 0;
}
