/* core/verify/validate.h — internal to core/verify: the checks of one edge
 * (a signature) and of one complete path (RFC 5280 §6.1). The contract and
 * the order of checks are in verify_chain.h; this header is shared by
 * path_builder.c and validate.c only.
 */
#ifndef CAPTLS_VERIFY_VALIDATE_H
#define CAPTLS_VERIFY_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/verify/verify_chain.h"

/* One failure: reason, the certificate concerned, detail text. */
typedef struct captls_vfail {
    captls_failure_reason reason;
    size_t depth; /* 0 = leaf; CAPTLS_VERIFY_NO_INDEX = path-level */
    char detail[CAPTLS_VERIFY_DETAIL_MAX];
} captls_vfail;

/* Sets *f: "<msg>" plus, when cert != NULL, " (subject: <escaped DN>)". */
void captls_vfail_set(captls_vfail *f, captls_failure_reason reason,
                      size_t depth, const char *msg,
                      const captls_certificate *cert);

typedef enum captls_edge_result {
    CAPTLS_EDGE_OK = 0,
    CAPTLS_EDGE_FAIL = 1,       /* *f says why (weak, disallowed, bad sig) */
    CAPTLS_EDGE_NO_BUDGET = 2,  /* a signature check was needed, none left */
    CAPTLS_EDGE_FAIL_CHILD = 3, /* the child's own signature algorithm is
                                   weak/unsupported/disallowed: fails under
                                   any issuer (*f says why) */
} captls_edge_result;

/* Checks that `child` (at depth) is signed by the key issuer_key whose SPKI
 * DER is issuer_spki (issuer_cert: its certificate, NULL for an anchor
 * record): signature algorithm strength and policy, issuer key
 * strength and policy, then the signature (cache first). Counts
 * out->sig_checks / out->cache_hits. */
captls_edge_result captls_vfy_edge(const captls_verify_input *in,
                                   const captls_certificate *child,
                                   size_t depth,
                                   const captls_public_key *issuer_key,
                                   captls_slice issuer_spki,
                                   const captls_certificate *issuer_cert,
                                   captls_verification_outcome *out,
                                   captls_vfail *f);

/* Checks a key against the policy (weakAlgorithm / policyViolation). */
/* The CAPTLS_EKU_* bit a purpose requires (0: none defined). */
uint32_t captls_vfy_purpose_eku(captls_cert_purpose p);

bool captls_vfy_key(const captls_verification_policy *p,
                    const captls_public_key *key, captls_slice spki_alg_oid,
                    captls_result key_status, size_t depth,
                    const captls_certificate *cert, captls_vfail *f);

/* Validates the complete path[0..n) ending at anchor (steps 1..11 of
 * verify_chain.h). On success sets *not_after (min over the path). */
bool captls_vfy_path(const captls_verify_input *in,
                     const captls_certificate *const *path, size_t n,
                     const captls_trust_anchor *anchor,
                     const captls_public_key *anchor_key, int64_t *not_after,
                     captls_vfail *f);

#endif
