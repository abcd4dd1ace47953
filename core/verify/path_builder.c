/* core/verify/path_builder.c — captls_verify_chain: iterative depth-first
 * path building with budgets (see verify_chain.h). */
#include "core/verify/verify_chain.h"

#include <string.h>

#include "core/base/text.h"
#include "core/verify/validate.h"

/* Ranks for "the most specific reason" (verify_chain.h). */
enum {
    RANK_NONE = -1,
    RANK_NO_ANCHOR = 0,
    RANK_DEPTH = 1,
    RANK_BAD_SIG = 2,
    RANK_ALGORITHM = 3,
    RANK_COMPLETE = 4,
};

typedef struct best_fail {
    int rank;
    captls_vfail f;
} best_fail;

static void keep(best_fail *b, int rank, const captls_vfail *f)
{
    if (rank > b->rank) {
        b->rank = rank;
        b->f = *f;
    }
}

/* An edge failure says something about the chain only when the issuer
 * was the one the child designates: an anchor of that name whose key
 * identifier does not contradict the child's AKI (equal, or either
 * absent), a pool certificate whose SKI equals the child's AKI (pass 1),
 * or when the child's own algorithm fails under any issuer. Otherwise the
 * candidate was merely a wrong guess (same name, other key: re-keyed
 * roots, cross-signs, hostile pools, loops) and ranks like unknownAnchor,
 * which stays first. */
static int edge_rank(const captls_vfail *f, captls_edge_result e,
                     bool designated)
{
    if (e != CAPTLS_EDGE_FAIL_CHILD && !designated)
        return RANK_NO_ANCHOR;
    return f->reason == CAPTLS_FAIL_SIGNATURE_MISMATCH ? RANK_BAD_SIG
                                                       : RANK_ALGORITHM;
}

/* How an issuer's key identifier relates to the child's AKI keyIdentifier
 * (RFC 5280 §4.2.1.1): 1 equal, 2 either absent, 3 different. */
static uint8_t key_id_class(const captls_certificate *child, captls_slice id)
{
    if (!child->aki_present || child->aki_key_id.len == 0 || id.len == 0)
        return 2;
    return (child->aki_key_id.len == id.len &&
            memcmp(child->aki_key_id.ptr, id.ptr, id.len) == 0)
               ? 1
               : 3;
}

/* The pool pass of a candidate: its SKI against the child's AKI. */
static uint8_t hint_class(const captls_certificate *child,
                          const captls_certificate *cand)
{
    return key_id_class(child, cand->ski_present ? cand->ski
                                                 : (captls_slice){NULL, 0});
}

/* An anchor's key identifier: the record's, else its certificate's SKI. */
static captls_slice anchor_key_id(const captls_trust_anchor *a)
{
    if (a->key_id.len > 0 || a->cert == NULL || !a->cert->ski_present)
        return a->key_id;
    return a->cert->ski;
}

/* Loop detection on (subject, SPKI) against the current path. */
static bool on_path(const captls_verify_frame *stack, size_t depth,
                    const captls_certificate *c)
{
    for (size_t i = 0; i < depth; i++) {
        const captls_certificate *p = stack[i].cert;
        if (p == c)
            return true;
        if (p->spki_raw.len == c->spki_raw.len &&
            memcmp(p->spki_raw.ptr, c->spki_raw.ptr, c->spki_raw.len) == 0 &&
            captls_x509_name_equal(&p->subject, &c->subject))
            return true;
    }
    return false;
}

static bool budget_left(const captls_verification_outcome *o)
{
    return o->candidates < CAPTLS_VERIFY_MAX_CANDIDATES &&
           o->name_compares < CAPTLS_VERIFY_MAX_NAME_COMPARES &&
           o->sig_checks < CAPTLS_VERIFY_MAX_SIG_CHECKS;
}

static void fail_out(captls_verification_outcome *out, const best_fail *b)
{
    out->valid = false;
    out->reason = b->f.reason;
    out->fail_depth = b->f.depth;
    captls_text t;
    captls_text_init(&t, out->detail, sizeof out->detail);
    captls_text_str(&t, b->f.detail);
    if (out->budget_exhausted) {
        captls_text_str(&t, "; search budget exhausted after ");
        captls_text_u64(&t, out->sig_checks);
        captls_text_str(&t, " signature checks, ");
        captls_text_u64(&t, out->candidates);
        captls_text_str(&t, " candidates");
    }
}

static void early_fail(captls_verification_outcome *out,
                       captls_failure_reason r, const char *msg)
{
    best_fail b = {RANK_COMPLETE, {0}};
    captls_vfail_set(&b.f, r, CAPTLS_VERIFY_NO_INDEX, msg, NULL);
    fail_out(out, &b);
}

captls_result captls_verify_chain(const captls_verify_input *in,
                                  captls_verify_scratch *s,
                                  captls_verification_outcome *out)
{
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (in == NULL || s == NULL || in->leaf == NULL || in->policy == NULL ||
        in->anchors.next_by_subject == NULL ||
        (in->intermediate_count > 0 && in->intermediates == NULL) ||
        (unsigned)in->purpose >= CAPTLS_PURPOSE_COUNT ||
        (in->ip != NULL && in->ip_len != 4 && in->ip_len != 16) ||
        (in->spki_pin_count > 0 && in->spki_pins == NULL))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (in->intermediate_count > CAPTLS_VERIFY_MAX_POOL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (size_t i = 0; i < in->intermediate_count; i++)
        if (in->intermediates[i] == NULL)
            return CAPTLS_ERR_INVALID_ARGUMENT;

    const captls_verification_policy *p = in->policy;
    out->fail_depth = CAPTLS_VERIFY_NO_INDEX;
    /* Path-independent refusals first (step 2 of verify_chain.h). */
    if ((p->purposes & CAPTLS_PURPOSE_BIT(in->purpose)) == 0) {
        early_fail(out, CAPTLS_FAIL_POLICY_VIOLATION,
                   "purpose not allowed by the policy");
        return CAPTLS_OK;
    }
    if (in->clock_provenance != CAPTLS_CLOCK_TRUSTED &&
        p->untrusted_clock == CAPTLS_UNTRUSTED_CLOCK_REJECT) {
        early_fail(out, CAPTLS_FAIL_POLICY_VIOLATION,
                   "the policy refuses to judge on an untrusted clock");
        return CAPTLS_OK;
    }
    if (in->cache != NULL)
        captls_sig_cache_set_generation(in->cache, in->anchors.version);

    best_fail best = {RANK_NONE, {0}};
    {
        captls_vfail f;
        captls_vfail_set(&f, CAPTLS_FAIL_UNKNOWN_ANCHOR, CAPTLS_VERIFY_NO_INDEX,
                         "no path to a trust anchor", NULL);
        keep(&best, RANK_NO_ANCHOR, &f);
    }

    s->stack[0] = (captls_verify_frame){in->leaf, CAPTLS_VERIFY_NO_INDEX, 0,
                                        0};
    size_t depth = 1;
    while (depth > 0) {
        if (!budget_left(out)) {
            out->budget_exhausted = true;
            break;
        }
        captls_verify_frame *fr = &s->stack[depth - 1];
        const captls_certificate *child = fr->cert;
        captls_vfail f;

        if (fr->phase == 0) {
            /* Anchors whose subject is the child's issuer. */
            captls_result r = in->anchors.next_by_subject(
                in->anchors.ctx, &child->issuer, &fr->cursor, &s->anchor);
            if (r == CAPTLS_ERR_NOT_FOUND) {
                fr->phase = 1;
                fr->cursor = 0;
                continue;
            }
            if (r != CAPTLS_OK) {
                memset(out, 0, sizeof *out);
                return r;
            }
            out->candidates++;
            const captls_trust_anchor *a = &s->anchor;
            const captls_x509_name *an = a->cert ? &a->cert->subject
                                                 : &a->subject;
            out->name_compares++;
            if (!captls_x509_name_equal(an, &child->issuer))
                continue;
            captls_slice aspki = a->cert ? a->cert->spki_raw : a->spki;
            if (a->cert != NULL) {
                s->anchor_key = a->cert->key;
            } else if (captls_spki_parse(aspki.ptr, aspki.len, &s->anchor_key,
                                         NULL) != CAPTLS_OK) {
                captls_vfail_set(&f, CAPTLS_FAIL_POLICY_VIOLATION, depth,
                                 "trust anchor key is unusable", NULL);
                keep(&best, RANK_ALGORITHM, &f);
                continue;
            }
            captls_edge_result e =
                captls_vfy_edge(in, child, depth - 1, &s->anchor_key, aspki,
                                a->cert, out, &f);
            if (e == CAPTLS_EDGE_NO_BUDGET) {
                out->budget_exhausted = true;
                break;
            }
            if (e != CAPTLS_EDGE_OK) {
                /* RFC 5280 §4.2.1.1: an AKI naming another key says this
                 * anchor is not the issuer (as OpenSSL's
                 * X509_check_akid): not a signatureMismatch. */
                bool designated =
                    key_id_class(child, anchor_key_id(a)) != 3;
                keep(&best, edge_rank(&f, e, designated), &f);
                continue;
            }
            /* A complete path: leaf .. child, then the anchor. */
            const captls_certificate *path[CAPTLS_VERIFY_MAX_PATH];
            for (size_t i = 0; i < depth; i++)
                path[i] = s->stack[i].cert;
            out->paths_completed++;
            int64_t not_after = 0;
            if (!captls_vfy_path(in, path, depth, a, &s->anchor_key,
                                 &not_after, &f)) {
                keep(&best, RANK_COMPLETE, &f);
                continue;
            }
            out->valid = true;
            out->anchor = *a;
            out->sct_count = 0;
            out->ocsp_status = CAPTLS_OCSP_NOT_CHECKED;
            out->not_after = not_after;
            out->time_trusted =
                in->clock_provenance == CAPTLS_CLOCK_TRUSTED ||
                p->untrusted_clock == CAPTLS_UNTRUSTED_CLOCK_AS_TRUSTED;
            out->path_len = depth;
            for (size_t i = 0; i < depth; i++) {
                out->path[i] = s->stack[i].cert;
                out->path_index[i] = s->stack[i].pool_index;
            }
            out->detail[0] = '\0';
            return CAPTLS_OK;
        }

        if (fr->phase > 3) {
            depth--; /* every candidate tried: backtrack */
            continue;
        }
        /* Pool pass `phase` (AKI/SKI hint order): next name match. */
        const captls_certificate *cand = NULL;
        size_t j = fr->cursor;
        for (; j < in->intermediate_count; j++) {
            const captls_certificate *c = in->intermediates[j];
            if (hint_class(child, c) != fr->phase)
                continue;
            if (out->name_compares >= CAPTLS_VERIFY_MAX_NAME_COMPARES)
                break;
            out->name_compares++;
            if (captls_x509_name_equal(&c->subject, &child->issuer)) {
                cand = c;
                break;
            }
        }
        if (cand == NULL) {
            if (j < in->intermediate_count) {
                out->budget_exhausted = true;
                break;
            }
            fr->phase++;
            fr->cursor = 0;
            continue;
        }
        fr->cursor = j + 1;
        out->candidates++;
        if (on_path(s->stack, depth, cand))
            continue; /* a loop: try the next candidate */
        if (depth >= CAPTLS_VERIFY_MAX_PATH) {
            captls_vfail_set(&f, CAPTLS_FAIL_CHAIN_TOO_LONG,
                             CAPTLS_VERIFY_NO_INDEX,
                             "no anchor within the maximum path length",
                             NULL);
            keep(&best, RANK_DEPTH, &f);
            continue;
        }
        captls_edge_result e = captls_vfy_edge(in, child, depth - 1, &cand->key,
                                               cand->spki_raw, cand, out, &f);
        if (e == CAPTLS_EDGE_NO_BUDGET) {
            out->budget_exhausted = true;
            break;
        }
        if (e != CAPTLS_EDGE_OK) {
            keep(&best, edge_rank(&f, e, fr->phase == 1), &f);
            continue;
        }
        s->stack[depth++] = (captls_verify_frame){cand, j, 0, 0};
    }
    fail_out(out, &best);
    return CAPTLS_OK;
}
