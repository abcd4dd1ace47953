/* conformance/chains_store.h — the production anchor path for the chain
 * differential: the case's roots added to a TrustStore (core/trust/) and
 * the chain verified through a CertVerifier bound to the runner's policy.
 *
 * Host-only (allocates). chains_run_captls (chains_diff.h) gives the same
 * roots to captls_verify_chain as a certificate list; issue 16 asks that
 * both anchor paths carry the same anchor data (name, key, name
 * constraints, pathLen, keyUsage, validity), so captls-chains-diff runs
 * both and counts any difference in verdict as a failure.
 *
 * What this path is given: a root TrustStore (borrowed DER, an arena for
 * name-constraint subtrees), one addAnchor per root with every purpose
 * (the store narrows it to what the root's EKU allows), no pin, no audit
 * sink; a CertVerifier bound to `policy` (copied), no cache; the request
 * carries the leaf, the pool, the purpose, `at` with a trusted clock and
 * the host or IP, as chains_run_captls does.
 * A root the store refuses (its EKU allows no purpose at all, or it is a
 * duplicate of another root) is left out and named in v->detail's tail
 * ("store refused root[i]: RESULT"); any other failure to build the store,
 * or a verifier error, is the verdict "error" with the reason.
 * NOT compared here: audit records (none are asked for).
 * plant_fault (tests of the runner only: captls-chains-diff
 * --plant-anchor-fault): the roots are parsed but never added, so the two
 * anchor paths must be seen to differ on any case that needs an anchor.
 */
#ifndef CAPTLS_CONFORMANCE_CHAINS_STORE_H
#define CAPTLS_CONFORMANCE_CHAINS_STORE_H

#include <stdbool.h>

#include "conformance/chains_corpus.h"
#include "conformance/chains_diff.h"
#include "core/verify/policy.h"

/* Runs case c through TrustStore + CertVerifier under `policy`. */
void chains_run_captls_store(const chains_case *c,
                             const captls_verification_policy *policy,
                             bool plant_fault, chains_verdict *v);

#endif
