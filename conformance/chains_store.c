/* See chains_store.h. */
#include "conformance/chains_store.h"

#include <arpa/inet.h>
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

static void verdict(chains_verdict *v, const char *what, const char *detail)
{
    snprintf(v->verdict, sizeof(v->verdict), "%s", what);
    snprintf(v->detail, sizeof(v->detail), "%s", detail ? detail : "");
}

static int parse(const chains_blob *b, captls_certificate *cert,
                 const char *what, size_t i, chains_verdict *v)
{
    captls_der_error err = {0};
    captls_result r = captls_certificate_parse(cert, b->der, b->len, &err);
    if (r == CAPTLS_OK)
        return 0;
    char d[200];
    snprintf(d, sizeof(d), "%s[%zu] does not parse: %s at byte %zu: %s", what,
             i, captls_result_name(r), err.offset,
             err.reason ? err.reason : "-");
    verdict(v, "error", d);
    return -1;
}

void chains_run_captls_store(const chains_case *c,
                             const captls_verification_policy *policy,
                             chains_verdict *v)
{
    store_run *s = calloc(1, sizeof(*s));
    char refused[120] = "";
    memset(v, 0, sizeof(*v));
    if (!s) {
        verdict(v, "error", "out of memory");
        return;
    }
    if (parse(&c->leaf, &s->leaf, "leaf", 0, v))
        goto done;
    for (size_t i = 0; i < c->npool; i++) {
        if (parse(&c->pool[i], &s->pool[i], "pool", i, v))
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
        verdict(v, "error", d);
        goto done;
    }
    for (size_t i = 0; i < c->nroots; i++) {
        if (parse(&c->roots[i], &s->roots[i], "root", i, v))
            goto done;
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
            verdict(v, "error", d);
            goto done;
        }
    }

    r = captls_cert_verifier_init(&s->verifier, policy, NULL, NULL, NULL);
    if (r != CAPTLS_OK) {
        verdict(v, "error", "captls_cert_verifier_init refused the policy");
        goto done;
    }
    captls_verify_request req;
    memset(&req, 0, sizeof(req));
    req.leaf = &s->leaf;
    req.intermediates = s->pool_ptrs;
    req.intermediate_count = c->npool;
    if (!captls_cert_purpose_from_name(c->purpose, &req.purpose)) {
        verdict(v, "error", "unknown purpose");
        goto done;
    }
    req.at_epoch_seconds = c->at;
    req.clock_provenance = CAPTLS_CLOCK_TRUSTED;
    uint8_t ip[16];
    if (c->is_ip) {
        if (inet_pton(AF_INET, c->host, ip) == 1) {
            req.ip = ip;
            req.ip_len = 4;
        } else if (inet_pton(AF_INET6, c->host, ip) == 1) {
            req.ip = ip;
            req.ip_len = 16;
        } else {
            verdict(v, "error", "bad IP literal in the case");
            goto done;
        }
    } else if (c->host[0]) {
        req.hostname = c->host;
        req.hostname_len = strlen(c->host);
    }
    r = captls_cert_verifier_verify_chain(&s->verifier, 0, &s->store, &req,
                                          &s->out);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_VERIFY_FAILED) {
        char d[96];
        snprintf(d, sizeof(d), "verifyChain: %s", captls_result_name(r));
        verdict(v, "error", d);
    } else if (s->out.valid) {
        verdict(v, "ok", refused);
    } else {
        char d[sizeof(v->detail)];
        snprintf(d, sizeof(d), "%s%s%s", s->out.detail, refused[0] ? " | " : "",
                 refused);
        verdict(v, captls_failure_reason_name(s->out.reason), d);
    }
done:
    free(s);
}
