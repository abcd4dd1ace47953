/* A TLS peer verifier from roots in memory. See peer_trust.h. */
#include "core/tls/peer_trust.h"

#include <string.h>

#include "core/cap/interface_ids.h"

static captls_result refuse(const char **why, const char *text,
                            captls_result r)
{
    if (why != NULL)
        *why = text;
    return r;
}

captls_result captls_tls_peer_trust_init(
    captls_tls_peer_trust *t, const captls_verification_policy *policy,
    const captls_clock *clock, captls_trust_anchor_info *slots,
    size_t nslots, uint8_t *arena, size_t arena_len, const char **why)
{
    if (t == NULL || policy == NULL || slots == NULL || nslots == 0 ||
        arena == NULL)
        return refuse(why, "no room for the trust store",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    memset(t, 0, sizeof(*t));
    t->policy = *policy;
    if (captls_trust_store_init(&t->store, slots, nslots, arena, arena_len,
                                false) != CAPTLS_OK ||
        captls_trust_store_writer_init(&t->writer, &t->store, clock, NULL) !=
            CAPTLS_OK)
        return refuse(why, "cannot build the trust store",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    return CAPTLS_OK;
}

captls_result captls_tls_peer_trust_add(captls_tls_peer_trust *t,
                                        const captls_certificate *root,
                                        uint32_t purposes, bool *added,
                                        const char **why)
{
    *added = false;
    captls_result r =
        captls_trust_store_writer_add_anchor(&t->writer, 0, root, NULL,
                                             purposes);
    if (r == CAPTLS_ERR_ALREADY_EXISTS || r == CAPTLS_ERR_INVALID_ARGUMENT)
        return CAPTLS_OK; /* a duplicate, or a root that serves nothing */
    if (r != CAPTLS_OK)
        return refuse(why, "a root cannot be an anchor", r);
    t->anchors++;
    *added = true;
    return CAPTLS_OK;
}

captls_result captls_tls_peer_trust_finish(captls_tls_peer_trust *t,
                                           const captls_clock *clock,
                                           const captls_audit_sink *audit,
                                           const char **why)
{
    if (t->anchors == 0)
        return refuse(why, "no usable root", CAPTLS_ERR_NOT_FOUND);
    if (captls_cert_verifier_init(&t->verifier, &t->policy, clock, audit,
                                  NULL) != CAPTLS_OK)
        return refuse(why, "cannot create the certificate verifier",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    if (captls_cap_table_init(&t->table, t->slots, 4) != CAPTLS_OK ||
        captls_cap_mint(&t->table, 1, CAPTLS_IFACE_TRUST_STORE, &t->store,
                        CAPTLS_RIGHT_CALL, &t->peer.trust) != CAPTLS_OK ||
        captls_cap_mint(&t->table, 1, CAPTLS_IFACE_CERT_VERIFIER, &t->verifier,
                        CAPTLS_RIGHT_CALL, &t->peer.verifier) != CAPTLS_OK)
        return refuse(why, "cannot mint the verifier caps",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    t->peer.caps = &t->table;
    t->peer.owner = 1;
    t->peer.scratch = &t->scratch;
    return CAPTLS_OK;
}
