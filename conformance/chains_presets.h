/* conformance/chains_presets.h — the per-preset verdicts of a chain case
 * (`preset NAME VERDICT` lines, vectors/chains/gen_profile.py) checked
 * against captls under that preset and against OpenSSL.
 *
 * Host-only. For each preset a case lists, captls runs under the preset
 * (captls_policy_by_name) with the offline overrides min_scts 0 and
 * require_ocsp false (SCT and OCSP evaluation do not exist yet; the
 * presets would fail closed) and max_chain_length the case's maxchain
 * when the preset leaves it 0. A preset run PASSES when captls says what
 * the generator expects AND it is not laxer than OpenSSL's verdict for the
 * case (same reason, or both refuse with the refusal listed below). It
 * FAILS when captls differs from the expectation, accepts what OpenSSL
 * refuses (never excusable), or gives another verdict than OpenSSL without
 * a row naming it in a ```known-presets block of
 * conformance/KNOWN_DIFFERENCES.md (the runner's --known file):
 *     ID CATEGORY PRESET CAPTLS_VERDICT OPENSSL_VERDICT SECTION
 * exact case id, category, preset and pair of verdicts, SECTION a "## N."
 * heading of the file (the ```known block of chains_known.h excuses the
 * runner's own policy; its loader ignores these blocks). The rows load
 * once, at the first case that lists presets; a malformed row fails every
 * preset run.
 */
#ifndef CAPTLS_CONFORMANCE_CHAINS_PRESETS_H
#define CAPTLS_CONFORMANCE_CHAINS_PRESETS_H

#include "conformance/chains_diff.h"

typedef struct chains_preset_count {
    char name[24];
    unsigned runs;           /* cases judged under this preset */
    unsigned agree;          /* captls == expectation == OpenSSL */
    unsigned known;          /* verdicts differ, listed (known-presets) */
    unsigned stricter;       /* of known: captls refuses, OpenSSL accepts */
    unsigned laxer;          /* captls accepts, OpenSSL refuses (failed) */
    unsigned failed;         /* every failure, laxer included */
} chains_preset_count;

typedef struct chains_preset_tally {
    chains_preset_count p[CHAINS_MAX_PRESETS * 2];
    size_t n;
} chains_preset_tally;

/* Runs every preset of c; prints one DISAGREE line per failure to stdout
 * (and one line per run when verbose). Returns the number of failures. */
unsigned chains_presets_check(const chains_case *c, const chains_verdict *openssl,
                              const char *known_path, int verbose,
                              chains_preset_tally *t);

/* Prints one line per preset and "chains-diff presets: N passed, M
 * failed"; on a full run also the known-presets rows that excused
 * nothing (stale). */
void chains_presets_report(const chains_preset_tally *t, int full_run);

#endif
