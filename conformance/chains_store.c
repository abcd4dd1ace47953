/* See chains_store.h. */
#include "conformance/chains_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/trust/cert_verifier.h"
#include "core/trust/trust_store.h"
#include "core/x509/certificate.h"

/* Name-constraint subtrees of all roots of one case (CHAINS_MAX_ROOTS
 * roots, CAPTLS_X509_MAX_SUBTREES each, both lists). */
#define STORE_ARENA_BYTES \
    (CHAINS_MAX_ROOTS * CAPTLS_TRUST_NC_ARENA_BYTES(2 * CAPTLS_X509_MAX_SUBTREES))

typedef struct store_run {
    captls_certificate leaf, roots[CHAINS_MAX_ROOTS], pool[CHAINS_MAX_POOL];
    const captls_certificate *pool_ptrs[CHAINS_MAX_POOL];
    captls_trust_anchor_info anchors[CHAINS_MAX_ROOTS];
    captls_trust_store store;
    captls_trust_store_writer writer;
    captls_cert_verifier verifier;
    captls_verification_outcome out;
    uint8_t arena[STORE_ARENA_BYTES];
} store_run;

void chains_run_captls_store(const chains_case *c,
                             const captls_verification_policy *policy,
                             bool plant_fault, chains_verdict *v)
{
    store_run *s = calloc(1, sizeof(*s));
    char refused[120] = "";
    memset(v, 0, sizeof(*v));
    if (!s) {
        chains_verdict_set(v, "error", "out of memory");
        return;
    }
    if (chains_parse_cert(&c->leaf, &s->leaf, "leaf", 0, v))
        goto done;
    for (size_t i = 0; i < c->npool; i++) {
        if (chains_parse_cert(&c->pool[i], &s->pool[i], "pool", i, v))
            goto done;
        s->pool_ptrs[i] = &s->pool[i];
    }
    captls_result r = captls_trust_store_init(&s->store, s->anchors,
                                              CHAINS_MAX_ROOTS, s->arena,
                                              sizeof(s->arena), false);
    if (r == CAPTLS_OK)
        r = captls_trust_store_writer_init(&s->writer, &s->store, NULL, NULL);
    if (r != CAPTLS_OK) {
        char d[96];
        snprintf(d, sizeof(d), "trust store: %s", captls_result_name(r));
        chains_verdict_set(v, "error", d);
        goto done;
    }
    for (size_t i = 0; i < c->nroots; i++) {
        if (chains_parse_cert(&c->roots[i], &s->roots[i], "root", i, v))
            goto done;
        if (plant_fault)
            continue;
        r = captls_trust_store_writer_add_anchor(&s->writer, 0, &s->roots[i],
                                                 NULL, 0);
        if (r == CAPTLS_ERR_ALREADY_EXISTS || r == CAPTLS_ERR_INVALID_ARGUMENT) {
            size_t used = strlen(refused);
            snprintf(refused + used, sizeof(refused) - used,
                     "%sstore refused root[%zu]: %s", used ? "; " : "", i,
                     captls_result_name(r));
        } else if (r != CAPTLS_OK) {
            char d[96];
            snprintf(d, sizeof(d), "addAnchor root[%zu]: %s", i,
                     captls_result_name(r));
            chains_verdict_set(v, "error", d);
            goto done;
        }
    }

    r = captls_cert_verifier_init(&s->verifier, policy, NULL, NULL, NULL);
    if (r != CAPTLS_OK) {
        chains_verdict_set(v, "error", "captls_cert_verifier_init refused the policy");
        goto done;
    }
    captls_verify_request req;
    memset(&req, 0, sizeof(req));
    req.leaf = &s->leaf;
    req.intermediates = s->pool_ptrs;
    req.intermediate_count = c->npool;
    if (!captls_cert_purpose_from_name(c->purpose, &req.purpose)) {
        chains_verdict_set(v, "error", "unknown purpose");
        goto done;
    }
    req.at_epoch_seconds = c->at;
    req.clock_provenance = CAPTLS_CLOCK_TRUSTED;
    uint8_t ip[16];
    if (chains_case_identity(c, &req.hostname, &req.hostname_len, ip, &req.ip,
                             &req.ip_len, v))
        goto done;
    r = captls_cert_verifier_verify_chain(&s->verifier, 0, &s->store, &req,
                                          &s->out);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_VERIFY_FAILED) {
        char d[96];
        snprintf(d, sizeof(d), "verifyChain: %s", captls_result_name(r));
        chains_verdict_set(v, "error", d);
    } else if (s->out.valid) {
        chains_verdict_set(v, "ok", refused);
    } else {
        char d[sizeof(v->detail)];
        snprintf(d, sizeof(d), "%s%s%s", s->out.detail, refused[0] ? " | " : "",
                 refused);
        chains_verdict_set(v, captls_failure_reason_name(s->out.reason), d);
    }
done:
    free(s);
}
