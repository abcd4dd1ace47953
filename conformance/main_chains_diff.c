/* captls-chains-diff: the X.509 chain corpus through captls and OpenSSL's
 * X509_verify_cert, verdicts compared (see conformance/chains_diff.h for
 * exactly what each side is given).
 *
 * Usage: captls-chains-diff [--sample N] [--verbose] [--known FILE] CASES_FILE
 *   --sample N    run N cases spread evenly over the corpus (every category
 *                 is visited in generation order), as `make test` does;
 *   --verbose     one line per case;
 *   --known FILE  the known differences (default
 *                 conformance/KNOWN_DIFFERENCES.md, chains_known.h);
 *   --plant-anchor-fault  tests of this runner only: the TrustStore path
 *                 gets no anchors, so ANCHOR-PATH must fire.
 * Each case runs three times: captls with the roots as a certificate list,
 * captls with the roots in a TrustStore through a CertVerifier (the
 * production path, chains_store.h), and OpenSSL. A case passes when
 *   - both captls anchor paths give the same verdict (else ANCHOR-PATH),
 *   - captls gives the generator's expected verdict (else EXPECT: this
 *     includes captls and OpenSSL agreeing with each other but not with
 *     the generator -- two verifiers wrong the same way is still wrong),
 *   - and OpenSSL agrees (both ok, or the same FailureReason, OpenSSL codes
 *     mapped by one table), or the disagreement is a row of the known list
 *     (exact case id, category and pair of verdicts; KNOWN_DIFFERENCES.md
 *     says why captls is right) (else DISAGREE).
 * Prints every failure, the totals per expected reason, and last
 * "chains-diff: N passed, M failed"; exits 1 if anything failed, 2 on a
 * usage, corpus or known-list error. Known rows whose case ran but
 * excused nothing are listed as notes (stale: remove them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/chains_corpus.h"
#include "conformance/chains_diff.h"
#include "conformance/chains_known.h"
#include "conformance/chains_presets.h"
#include "conformance/chains_store.h"

#define MAX_REASONS 32

typedef struct tally {
    const char *expect;
    unsigned total, agree, known, disagree, wrong, anchor;
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
    int verbose = 0, plant = 0;
    const char *path = NULL;
    const char *known_path = CHAINS_KNOWN_DEFAULT;
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
        } else if (strcmp(argv[i], "--plant-anchor-fault") == 0) {
            plant = 1;
        } else if (strcmp(argv[i], "--known") == 0 && i + 1 < argc) {
            known_path = argv[++i];
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            path = NULL;
            break;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: captls-chains-diff [--sample N] [--verbose] "
                        "[--known FILE] CASES_FILE\n");
        return 2;
    }
    chains_corpus corpus;
    char err[300];
    if (chains_corpus_load(path, &corpus, err, sizeof(err))) {
        fprintf(stderr, "captls-chains-diff: %s\n", err);
        printf("chains-diff: 0 passed, 1 failed\n");
        return 2;
    }
    chains_known known_list;
    if (chains_known_load(known_path, &known_list, err, sizeof(err))) {
        fprintf(stderr, "captls-chains-diff: %s\n", err);
        printf("chains-diff: 0 passed, 1 failed\n");
        chains_corpus_free(&corpus);
        return 2;
    }
    size_t run = corpus.count;
    if (sample && sample < corpus.count)
        run = sample;

    tally t[MAX_REASONS];
    size_t nt = 0;
    memset(t, 0, sizeof(t));
    chains_preset_tally presets = {0};
    unsigned agree = 0, known = 0, disagree = 0, expect_fail = 0, anchor_fail = 0;
    unsigned captls_vs_expect = 0;
    for (size_t k = 0; k < run; k++) {
        /* evenly spread: case floor(k * count / run) */
        const chains_case *c = &corpus.cases[k * corpus.count / run];
        chains_verdict mine, store, ref;
        chains_run_captls(c, NULL, &mine);
        captls_verification_policy pol;
        chains_diff_policy(&pol, c->maxchain);
        chains_run_captls_store(c, &pol, plant != 0, &store);
        chains_run_openssl(c, &ref);
        disagree += chains_presets_check(c, &ref, known_path, verbose, &presets);
        tally *tl = tally_for(t, &nt, c->expect);
        tl->total++;
        int same = strcmp(mine.verdict, ref.verdict) == 0 &&
                   strcmp(mine.verdict, "error") != 0;
        int as_expected = strcmp(mine.verdict, c->expect) == 0;
        int anchors_agree = strcmp(mine.verdict, store.verdict) == 0;
        chains_known_row *why = same ? NULL : chains_known_find(&known_list, c,
                                                                mine.verdict,
                                                                ref.verdict);
        chains_known_mark_run(&known_list, c);
        if (!as_expected)
            captls_vs_expect++;
        if (!anchors_agree)
            printf("ANCHOR-PATH: case %u (%s) expected %s: certificate list %s "
                   "[%s] / TrustStore %s [%s]\n", c->id, c->category, c->expect,
                   mine.verdict, mine.detail, store.verdict, store.detail);
        if (!as_expected && (same || why))
            printf("EXPECT: case %u (%s) expected %s, captls says %s [%s], "
                   "openssl %s [%s]%s\n", c->id, c->category, c->expect,
                   mine.verdict, mine.detail, ref.verdict, ref.detail,
                   same ? " (both wrong the same way)" : "");
        if (!same && !why)
            printf("DISAGREE: case %u (%s) expected %s: captls %s [%s] / openssl %s [%s]\n",
                   c->id, c->category, c->expect, mine.verdict, mine.detail,
                   ref.verdict, ref.detail);
        /* one status per case: the first check it fails, else agree/known */
        if (!anchors_agree) {
            anchor_fail++;
            tl->anchor++;
        } else if (!same && !why) {
            disagree++;
            tl->disagree++;
        } else if (!as_expected) {
            expect_fail++;
            tl->wrong++;
        } else if (same) {
            agree++;
            tl->agree++;
        } else {
            known++;
            tl->known++;
            why->hits++;
        }
        if (verbose)
            printf("case %u %s expect %s captls %s store %s openssl %s%s%s\n",
                   c->id, c->category, c->expect, mine.verdict, store.verdict,
                   ref.verdict, why ? " known: " : "", why ? why->title : "");
    }
    printf("chains-diff: %zu of %zu cases from %s\n", run, corpus.count, path);
    printf("  %-24s %6s %6s %6s %9s %7s %12s\n", "expected", "cases", "agree",
           "known", "disagree", "expect", "anchor-path");
    for (size_t i = 0; i < nt; i++)
        printf("  %-24s %6u %6u %6u %9u %7u %12u\n", t[i].expect, t[i].total,
               t[i].agree, t[i].known, t[i].disagree, t[i].wrong, t[i].anchor);
    printf("  agree %u, known differences %u, disagree %u, wrong against the "
           "generator %u, anchor paths differ %u; captls differs from the "
           "generator's expectation in %u\n",
           agree, known, disagree, expect_fail, anchor_fail, captls_vs_expect);
    for (size_t i = 0; i < known_list.count; i++)
        if (known_list.rows[i].runs > 0 && known_list.rows[i].hits == 0)
            printf("note: known difference for case %u (%s) no longer "
                   "seen: remove it from %s\n", known_list.rows[i].id,
                   known_list.rows[i].category, known_path);
    chains_presets_report(&presets, run == corpus.count);
    unsigned failed = disagree + expect_fail + anchor_fail;
    printf("chains-diff: %u passed, %u failed\n", agree + known, failed);
    chains_known_free(&known_list);
    chains_corpus_free(&corpus);
    return failed ? 1 : 0;
}
