/* core/verify/public_suffix.h — "is this DNS name a public suffix?" over
 * a compiled Public Suffix List (https://publicsuffix.org/list/).
 *
 * Contract. A captls_psl_table is read-only data: a sorted array of rule
 * strings (ASCII, lower case, A-labels; "*.ck" wildcard rules and
 * "!www.ck" exception rules keep their prefix in the text). The table is
 * generated at build time by ci/gen_public_suffix.py from Debian's
 * `publicsuffix` package into build/.../gen/public_suffix_table.c (never
 * committed) and carries that package's version as provenance. Core code
 * never refers to the generated symbol: callers pass the table in
 * (captls_verify_input.public_suffixes). The host programs and tests link
 * the generated table; the QEMU guest (port/capos) does not — it never
 * matches host names against web PKI certificates — so a guest verifier
 * has no list, and the CA/B wildcard rule then fails closed (see
 * profile_rules.h).
 *
 * captls_psl_is_public_suffix answers with the PSL algorithm
 * (publicsuffix.org "Algorithm": the prevailing rule is an exception rule
 * if one matches, else the matching rule with the most labels, else the
 * implicit "*"), both the ICANN and the PRIVATE sections included. The
 * name is compared case-insensitively (ASCII); one trailing dot is
 * ignored. Nothing is allocated; the function cannot fail: a NULL table,
 * an empty name, an empty label or a name longer than 253 octets answer
 * per the documented rule below, never by reading out of bounds.
 *
 * NOT checked here: whether the name is a valid host name (the caller's
 * job, core/verify/hostname.h), Unicode U-labels (the list is compiled to
 * A-labels with plain Punycode, no IDNA2008 mapping: certificate names are
 * A-labels already).
 */
#ifndef CAPTLS_VERIFY_PUBLIC_SUFFIX_H
#define CAPTLS_VERIFY_PUBLIC_SUFFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct captls_psl_table {
    const char *text;         /* all rules, back to back, no separators */
    const uint32_t *offsets;  /* rule i is text[offsets[i]..offsets[i+1]) */
    size_t count;             /* rules; offsets has count + 1 entries */
    const char *provenance;   /* "Debian publicsuffix 2023...-1 (...)" */
} captls_psl_table;

/* True iff name[0..len) is itself a public suffix ("co.uk", "com",
 * "github.io", "foo.ck" by the "*.ck" rule; not "www.ck", an exception).
 * Any single label is a public suffix (the implicit "*" rule). With a NULL
 * table only that implicit rule applies. An empty or over-long name, or one
 * with an empty label, answers true (the safe answer for the caller's
 * question "may a wildcard cover this?"). */
bool captls_psl_is_public_suffix(const captls_psl_table *t, const char *name,
                                 size_t len);

/* The table generated from the build machine's publicsuffix package
 * (host builds only; see the contract above). */
extern const captls_psl_table captls_psl_builtin;

#endif
