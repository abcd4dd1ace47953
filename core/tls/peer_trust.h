/* core/tls/peer_trust.h — a TLS peer verifier (tls_config.h
 * captls_tls_peer_verifier) built from root certificates held in memory:
 * a TrustStore of anchors, a CertVerifier with the caller's policy, and
 * the two reached by the engine only through CALL caps in a private cap
 * table (the same confinement as when they are services). The POSIX
 * port's --roots / --client-ca options and the guest's client CA (its
 * configuration module) both build theirs here.
 *
 * Contract.
 *  - Memory: the captls_tls_peer_trust is the caller's and must stay in
 *    place while its `peer` is used (the caps point into it). The anchor
 *    slots and the arena are the caller's and borrowed for as long; size
 *    the arena with CAPTLS_TLS_PEER_TRUST_ARENA(n). The store borrows
 *    each root's DER (copy_der false): the certificates' bytes must
 *    outlive it too.
 *  - Use: init, add each root, finish; then `peer` is ready for a config.
 *    add skips (OK, *added false) a duplicate and a root that can serve
 *    no purpose; other refusals are errors with *why set.
 *  - finish: NOT_FOUND when no root was added ("no usable root").
 *  - Not thread-safe; nothing is allocated; no secrets held.
 */
#ifndef CAPTLS_TLS_PEER_TRUST_H
#define CAPTLS_TLS_PEER_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/tls/tls_config.h"
#include "core/trust/cert_verifier.h"
#include "core/trust/trust_store.h"
#include "core/verify/policy.h"

/* Arena bytes for n roots: room for every root's parsed name
 * constraints (rare, but a root may carry them). */
#define CAPTLS_TLS_PEER_TRUST_ARENA(n)                                        \
    (64u + (size_t)(n) *                                                      \
               CAPTLS_TRUST_NC_ARENA_BYTES(2 * CAPTLS_X509_MAX_SUBTREES))

typedef struct captls_tls_peer_trust {
    captls_trust_store store;
    captls_trust_store_writer writer;
    captls_cert_verifier verifier;
    captls_verification_policy policy;
    captls_cap_slot slots[4];
    captls_cap_table table;
    captls_tls_verify_scratch scratch;
    captls_tls_peer_verifier peer; /* ready after finish */
    size_t anchors;
} captls_tls_peer_trust;

/* policy is copied; clock stamps the store's and verifier's records. */
CAPTLS_MUST_CHECK captls_result captls_tls_peer_trust_init(
    captls_tls_peer_trust *t, const captls_verification_policy *policy,
    const captls_clock *clock, captls_trust_anchor_info *slots,
    size_t nslots, uint8_t *arena, size_t arena_len, const char **why);

/* purposes: CAPTLS_PURPOSE_BIT mask, 0 for what the root's EKU allows. */
CAPTLS_MUST_CHECK captls_result captls_tls_peer_trust_add(
    captls_tls_peer_trust *t, const captls_certificate *root,
    uint32_t purposes, bool *added, const char **why);

/* audit (may be NULL: no records) receives the verifier's one record per
 * verification, which names the clock it used and its provenance. */
CAPTLS_MUST_CHECK captls_result captls_tls_peer_trust_finish(
    captls_tls_peer_trust *t, const captls_clock *clock,
    const captls_audit_sink *audit, const char **why);

#endif
