/* See shim_x509.h. */
#include "conformance/shim_x509.h"

#include <stdio.h>
#include <string.h>

#include "core/trust/cert_verifier.h"
#include "core/trust/trust_store.h"
#include "core/x509/certificate.h"

typedef struct cert_list {
    captls_certificate certs[CAPTLS_SHIM_X509_MAX_CERTS];
    const captls_certificate *ptrs[CAPTLS_SHIM_X509_MAX_CERTS];
    size_t count;
} cert_list;

static cert_list roots, pool;
static captls_certificate leaf;
static captls_trust_anchor_info anchor_slots[CAPTLS_SHIM_X509_MAX_CERTS];
/* name-constraint subtrees of every root, at most */
static uint8_t arena[CAPTLS_SHIM_X509_MAX_CERTS *
                     CAPTLS_TRUST_NC_ARENA_BYTES(2 * CAPTLS_X509_MAX_SUBTREES)];
static captls_trust_store store;
static captls_trust_store_writer writer;
static captls_cert_verifier verifier;
static captls_verification_outcome outcome;
static char why_buf[160];

static const char *parse_cert(captls_certificate *c, const uint8_t *p,
                              size_t n, const char *what, size_t index)
{
    captls_der_error err = {CAPTLS_OK, 0, NULL};
    captls_result r = captls_certificate_parse(c, p, n, &err);
    if (r == CAPTLS_OK)
        return NULL;
    if (index == 0)
        snprintf(why_buf, sizeof(why_buf), "%s: %s at byte %zu%s%s", what,
                 captls_result_name(r), err.offset,
                 err.reason != NULL ? ": " : "",
                 err.reason != NULL ? err.reason : "");
    else
        snprintf(why_buf, sizeof(why_buf),
                 "%s: certificate %zu: %s at byte %zu%s%s", what, index,
                 captls_result_name(r), err.offset,
                 err.reason != NULL ? ": " : "",
                 err.reason != NULL ? err.reason : "");
    return why_buf;
}

/* "hex,hex,..." or "-", decoded in place. */
static const char *parse_list(captls_shim_tok *t, cert_list *l,
                              const char *what)
{
    size_t start = 0;
    l->count = 0;
    if (t->len == 1 && t->s[0] == '-')
        return NULL;
    while (start <= t->len) {
        size_t end = start;
        captls_shim_tok sub;
        uint8_t *der;
        size_t n;
        const char *why;
        while (end < t->len && t->s[end] != ',')
            end++;
        if (l->count == CAPTLS_SHIM_X509_MAX_CERTS) {
            snprintf(why_buf, sizeof(why_buf), "%s: more than %u certificates",
                     what, CAPTLS_SHIM_X509_MAX_CERTS);
            return why_buf;
        }
        sub.s = t->s + start;
        sub.len = end - start;
        if (sub.len == 0 || (sub.len == 1 && sub.s[0] == '-')) {
            snprintf(why_buf, sizeof(why_buf),
                     "%s: certificate %zu: empty", what, l->count + 1);
            return why_buf;
        }
        why = captls_shim_tok_hex(&sub, &der, &n);
        if (why != NULL) {
            snprintf(why_buf, sizeof(why_buf), "%s: certificate %zu: %s",
                     what, l->count + 1, why);
            return why_buf;
        }
        why = parse_cert(&l->certs[l->count], der, n, what, l->count + 1);
        if (why != NULL)
            return why;
        l->ptrs[l->count] = &l->certs[l->count];
        l->count++;
        start = end + 1;
    }
    return NULL;
}

const char *captls_shim_x509_verify(captls_shim_tok args[6], char *out,
                                    size_t cap, size_t *out_len)
{
    captls_verify_request req;
    captls_cert_purpose purpose;
    const char *why;
    uint8_t *der;
    size_t n;
    uint64_t epoch = 0;
    int len;

    /* PURPOSE and EPOCH first: cheap shape checks */
    if (captls_shim_tok_is(&args[5], "serverAuth"))
        purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    else if (captls_shim_tok_is(&args[5], "clientAuth"))
        purpose = CAPTLS_PURPOSE_TLS_CLIENT_AUTH;
    else if (captls_shim_tok_is(&args[5], "codeSigning"))
        purpose = CAPTLS_PURPOSE_CODE_SIGNING;
    else
        return "PURPOSE: unknown purpose";
    if (args[4].len == 0 || args[4].len > 18)
        return "EPOCH: not a decimal number of seconds";
    for (size_t i = 0; i < args[4].len; i++) {
        if (args[4].s[i] < '0' || args[4].s[i] > '9')
            return "EPOCH: not a decimal number of seconds";
        epoch = epoch * 10 + (uint64_t)(args[4].s[i] - '0');
    }
    if ((why = parse_list(&args[0], &roots, "ROOTS_DER_LIST")) != NULL ||
        (why = parse_list(&args[1], &pool, "UNTRUSTED_DER_LIST")) != NULL)
        return why;
    if ((why = captls_shim_tok_hex(&args[2], &der, &n)) != NULL) {
        snprintf(why_buf, sizeof(why_buf), "LEAF_DER: %s", why);
        return why_buf;
    }
    if ((why = parse_cert(&leaf, der, n, "LEAF_DER", 0)) != NULL)
        return why;

    if (captls_trust_store_init(&store, anchor_slots,
                                CAPTLS_SHIM_X509_MAX_CERTS, arena,
                                sizeof(arena), false) != CAPTLS_OK ||
        captls_trust_store_writer_init(&writer, &store, NULL, NULL) !=
            CAPTLS_OK ||
        captls_cert_verifier_init(&verifier,
                                  purpose == CAPTLS_PURPOSE_CODE_SIGNING
                                      ? captls_policy_code_signing()
                                      : captls_policy_web_pki_lenient(),
                                  NULL, NULL, NULL) != CAPTLS_OK)
        return "internal";
    for (size_t i = 0; i < roots.count; i++) {
        captls_result r = captls_trust_store_writer_add_anchor(
            &writer, 0, &roots.certs[i], NULL, 0);
        /* duplicates and roots whose EKU serves nothing are skipped */
        if (r != CAPTLS_OK && r != CAPTLS_ERR_ALREADY_EXISTS &&
            r != CAPTLS_ERR_INVALID_ARGUMENT) {
            snprintf(why_buf, sizeof(why_buf),
                     "ROOTS_DER_LIST: certificate %zu: %s", i + 1,
                     captls_result_name(r));
            return why_buf;
        }
    }
    memset(&req, 0, sizeof(req));
    req.leaf = &leaf;
    req.intermediates = pool.ptrs;
    req.intermediate_count = pool.count;
    req.purpose = purpose;
    req.at_epoch_seconds = (int64_t)epoch;
    req.clock_provenance = CAPTLS_CLOCK_TRUSTED;
    if (!(args[3].len == 1 && args[3].s[0] == '-')) {
        req.hostname = args[3].s;
        req.hostname_len = args[3].len;
    }
    {
        captls_result r = captls_cert_verifier_verify_chain(&verifier, 0, &store,
                                                            &req, &outcome);
        if (r != CAPTLS_OK) {
            snprintf(why_buf, sizeof(why_buf), "input refused: %s",
                     captls_result_name(r));
            return why_buf;
        }
    }
    if (outcome.valid)
        len = snprintf(out, cap, "ok");
    else
        len = snprintf(out, cap, "fail: %s",
                       captls_failure_reason_name(outcome.reason));
    *out_len = len < 0 ? 0 : (size_t)len;
    return NULL;
}
