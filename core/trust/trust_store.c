/* See trust_store.h. */
#include "core/trust/trust_store.h"

#include <string.h>

#include "core/crypto/hash.h"
#include "core/trust/trust_audit.h"

#define MAGIC_ROOT 0x54535452u   /* "TSTR" */
#define MAGIC_VIEW 0x54535657u   /* "TSVW" */
#define MAGIC_WRITER 0x54535752u /* "TSWR" */

static bool is_store(const captls_trust_store *ts)
{
    return ts != NULL && (ts->magic == MAGIC_ROOT || ts->magic == MAGIC_VIEW);
}

captls_result captls_trust_store_init(captls_trust_store *ts,
                                      captls_trust_anchor_info *anchors,
                                      size_t nanchors, uint8_t *arena,
                                      size_t arena_cap, bool copy_der)
{
    if (ts == NULL || anchors == NULL || nanchors == 0 ||
        nanchors > CAPTLS_TRUST_MAX_ANCHORS || (arena == NULL) != (arena_cap == 0) ||
        (copy_der && arena == NULL))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(ts, 0, sizeof(*ts));
    ts->magic = MAGIC_ROOT;
    ts->anchors = anchors;
    ts->cap = (uint32_t)nanchors;
    ts->arena = arena;
    ts->arena_cap = arena_cap;
    ts->copy_der = copy_der;
    return CAPTLS_OK;
}

captls_result captls_trust_store_writer_init(captls_trust_store_writer *w,
                                             captls_trust_store *root,
                                             const captls_clock *clock,
                                             const captls_audit_sink *audit)
{
    if (w == NULL || root == NULL || root->magic != MAGIC_ROOT)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(w, 0, sizeof(*w));
    w->magic = MAGIC_WRITER;
    w->store = root;
    if (clock != NULL)
        w->clock = *clock;
    if (audit != NULL)
        w->audit = *audit;
    return CAPTLS_OK;
}

uint64_t captls_trust_store_version(const captls_trust_store *ts)
{
    return is_store(ts) ? ts->version : 0;
}

bool captls_trust_store_is_view(const captls_trust_store *ts)
{
    return ts != NULL && ts->magic == MAGIC_VIEW;
}

bool captls_trust_store_is_stale(const captls_trust_store *ts)
{
    return captls_trust_store_is_view(ts) &&
           captls_trust_store_version(ts->source) != ts->version;
}

size_t captls_trust_store_count(const captls_trust_store *ts)
{
    return is_store(ts) ? ts->count : 0;
}

const captls_trust_anchor_info *captls_trust_store_anchor_at(
    const captls_trust_store *ts, size_t i)
{
    if (!is_store(ts) || i >= ts->count)
        return NULL;
    return &ts->anchors[i];
}

const captls_trust_anchor_info *captls_trust_store_find_by_fingerprint(
    const captls_trust_store *ts, const uint8_t fp[CAPTLS_TRUST_FP_SIZE])
{
    if (!is_store(ts) || fp == NULL)
        return NULL;
    for (size_t i = 0; i < ts->count; i++) {
        if (memcmp(ts->anchors[i].fingerprint, fp, CAPTLS_TRUST_FP_SIZE) == 0)
            return &ts->anchors[i];
    }
    return NULL;
}

const captls_trust_anchor_info *captls_trust_store_find_by_subject(
    const captls_trust_store *ts, const captls_x509_name *name,
    captls_cert_purpose purpose, size_t *pos)
{
    if (!is_store(ts) || name == NULL || pos == NULL ||
        (unsigned)purpose >= CAPTLS_PURPOSE_COUNT)
        return NULL;
    for (size_t i = *pos; i < ts->count; i++) {
        const captls_trust_anchor_info *a = &ts->anchors[i];
        if ((a->purposes & CAPTLS_PURPOSE_BIT(purpose)) == 0)
            continue;
        if (captls_x509_name_equal(&a->subject, name)) {
            *pos = i + 1;
            return a;
        }
    }
    *pos = ts->count;
    return NULL;
}

uint32_t captls_trust_purposes_from_eku(const captls_certificate *cert)
{
    uint32_t p = 0;
    uint32_t e = cert->eku_known;

    /* RFC 5280 §4.2.1.12: no extension (or anyExtendedKeyUsage) means the
     * key may serve any purpose. */
    if (!cert->eku_present || (e & CAPTLS_EKU_ANY) != 0)
        return CAPTLS_PURPOSE_ALL;
    if (e & CAPTLS_EKU_SERVER_AUTH)
        p |= CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_SERVER_AUTH);
    if (e & CAPTLS_EKU_CLIENT_AUTH)
        p |= CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_CLIENT_AUTH) |
             CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CLIENT_IDENTITY);
    if (e & CAPTLS_EKU_CODE_SIGNING)
        p |= CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CODE_SIGNING);
    if (e & CAPTLS_EKU_EMAIL_PROTECTION)
        p |= CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_EMAIL_SMIME);
    if (e & CAPTLS_EKU_OCSP_SIGNING)
        p |= CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_OCSP_SIGNING);
    return p;
}

/* ---------------------------------------------------------------- writer */

static bool inside(captls_slice outer, captls_slice s)
{
    if (s.len == 0)
        return true;
    return s.ptr >= outer.ptr && s.len <= outer.len &&
           (size_t)(s.ptr - outer.ptr) <= outer.len - s.len;
}

/* s moved from base `from` to base `to` (same offsets). */
static captls_slice rebase(captls_slice s, const uint8_t *from,
                           const uint8_t *to)
{
    captls_slice r = s;
    if (s.len != 0 && to != from)
        r.ptr = to + (s.ptr - from);
    return r;
}

static size_t align_up(size_t n)
{
    size_t a = _Alignof(captls_general_name);
    return (n + a - 1) / a * a;
}

/* Detail of an addAnchor/removeAnchor record: "sha256=<hex> subject=<dn>"
 * (the audit record sanitizes it). */
static size_t anchor_detail(const uint8_t fp[CAPTLS_TRUST_FP_SIZE],
                            const captls_x509_name *subject, char *out,
                            size_t cap)
{
    char hex[2 * CAPTLS_TRUST_FP_SIZE + 1];
    size_t n;

    captls_trust_hex(fp, CAPTLS_TRUST_FP_SIZE, hex);
    if (cap < 7 + sizeof(hex) + 9 + 4)
        return 0;
    memcpy(out, "sha256=", 7);
    memcpy(out + 7, hex, sizeof(hex) - 1);
    n = 7 + sizeof(hex) - 1;
    if (subject == NULL) {
        out[n] = '\0';
        return n;
    }
    memcpy(out + n, " subject=", 9);
    n += 9;
    n += captls_trust_name_text(subject, out + n, cap - n);
    return n;
}

static captls_result audit_change(const captls_trust_store_writer *w,
                                  captls_cap_owner actor, uint16_t method,
                                  const char *event, captls_result outcome,
                                  const char *detail, size_t len)
{
    return captls_trust_audit_emit(&w->clock, &w->audit, actor,
                                   CAPTLS_IFACE_TRUST_STORE_WRITER, method,
                                   event, outcome, detail, len);
}

/* Builds the record of `cert` (arena copies written at the arena's unused
 * end but not yet claimed); *claim = arena bytes to claim on commit. */
static captls_result prepare_anchor(captls_trust_store *ts,
                                    const captls_certificate *cert,
                                    const captls_anchor_pin *pin,
                                    uint32_t purposes,
                                    captls_trust_anchor_info *a, size_t *claim)
{
    const uint8_t *base = cert->der.ptr;
    const uint8_t *to = base;
    size_t nc_total = cert->nc_permitted_count + cert->nc_excluded_count;
    size_t need = 0, der_off = 0, nc_off = 0;
    const captls_x509_extension *nc_ext;
    uint8_t digest[CAPTLS_HASH_MAX_SIZE];

    memset(a, 0, sizeof(*a));
    if (cert->der.len == 0 || cert->spki_raw.len == 0 ||
        !inside(cert->der, cert->subject.raw) ||
        !inside(cert->der, cert->spki_raw) || !inside(cert->der, cert->ski))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (cert->nc_permitted_count > CAPTLS_X509_MAX_SUBTREES ||
        cert->nc_excluded_count > CAPTLS_X509_MAX_SUBTREES)
        return CAPTLS_ERR_INVALID_ARGUMENT;

    /* purposes: what the caller asks, within what the EKU allows */
    if (purposes == 0)
        purposes = CAPTLS_PURPOSE_ALL;
    purposes &= captls_trust_purposes_from_eku(cert);
    if ((purposes & CAPTLS_PURPOSE_ALL) == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;

    CAPTLS_TRY(captls_hash(CAPTLS_HASH_SHA256, cert->der.ptr, cert->der.len,
                           digest));
    memcpy(a->fingerprint, digest, CAPTLS_TRUST_FP_SIZE);
    CAPTLS_TRY(captls_hash(CAPTLS_HASH_SHA256, cert->spki_raw.ptr,
                           cert->spki_raw.len, digest));
    memcpy(a->spki_sha256, digest, CAPTLS_TRUST_FP_SIZE);
    if (pin != NULL) {
        if (pin->hash != CAPTLS_HASH_SHA256)
            return CAPTLS_ERR_UNSUPPORTED;
        if (memcmp(pin->spki_hash, a->spki_sha256, CAPTLS_TRUST_FP_SIZE) != 0)
            return CAPTLS_ERR_PIN_MISMATCH;
        a->pinned = true;
    }
    if (captls_trust_store_find_by_fingerprint(ts, a->fingerprint) != NULL)
        return CAPTLS_ERR_ALREADY_EXISTS;
    if (ts->count >= ts->cap)
        return CAPTLS_ERR_LIMIT_EXCEEDED;

    /* arena layout: [DER copy][pad][subtrees] */
    if (ts->copy_der) {
        der_off = ts->arena_used;
        need = cert->der.len;
    }
    if (nc_total != 0) {
        nc_off = align_up(ts->arena_used + need);
        need = nc_off - ts->arena_used + nc_total * sizeof(captls_general_name);
    }
    if (need > ts->arena_cap - ts->arena_used)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (ts->copy_der) {
        memcpy(ts->arena + der_off, cert->der.ptr, cert->der.len);
        to = ts->arena + der_off;
    }
    a->der.ptr = to;
    a->der.len = cert->der.len;
    a->subject.raw = rebase(cert->subject.raw, base, to);
    a->subject.rdns = rebase(cert->subject.rdns, base, to);
    a->spki = rebase(cert->spki_raw, base, to);
    if (cert->ski_present)
        a->key_id = rebase(cert->ski, base, to);
    nc_ext = captls_certificate_find_extension(
        cert, captls_oid_ext_name_constraints,
        sizeof(captls_oid_ext_name_constraints));
    if (nc_ext != NULL && inside(cert->der, nc_ext->value))
        a->name_constraints = rebase(nc_ext->value, base, to);
    if (nc_total != 0) {
        captls_general_name *gn = (captls_general_name *)(void *)(ts->arena + nc_off);
        for (size_t i = 0; i < cert->nc_permitted_count; i++) {
            if (!inside(cert->der, cert->nc_permitted[i].value))
                return CAPTLS_ERR_INVALID_ARGUMENT;
            gn[i].type = cert->nc_permitted[i].type;
            gn[i].value = rebase(cert->nc_permitted[i].value, base, to);
        }
        for (size_t i = 0; i < cert->nc_excluded_count; i++) {
            captls_general_name *g = &gn[cert->nc_permitted_count + i];
            if (!inside(cert->der, cert->nc_excluded[i].value))
                return CAPTLS_ERR_INVALID_ARGUMENT;
            g->type = cert->nc_excluded[i].type;
            g->value = rebase(cert->nc_excluded[i].value, base, to);
        }
        a->nc_permitted = gn;
        a->nc_permitted_count = (uint16_t)cert->nc_permitted_count;
        a->nc_excluded = gn + cert->nc_permitted_count;
        a->nc_excluded_count = (uint16_t)cert->nc_excluded_count;
    }
    a->purposes = purposes;
    captls_anchor_cert_data_from(cert, &a->data);
    *claim = need;
    return CAPTLS_OK;
}

captls_result captls_trust_store_writer_add_anchor(
    captls_trust_store_writer *w, captls_cap_owner actor,
    const captls_certificate *cert, const captls_anchor_pin *pin,
    uint32_t purposes)
{
    captls_trust_anchor_info a;
    captls_trust_store *ts;
    size_t claim = 0;
    char detail[CAPTLS_AUDIT_DETAIL_MAX];
    size_t dlen;
    captls_result r, ar;
    uint8_t fp[CAPTLS_HASH_MAX_SIZE];

    if (w == NULL || w->magic != MAGIC_WRITER || cert == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    ts = w->store;
    r = prepare_anchor(ts, cert, pin, purposes, &a, &claim);
    if (r != CAPTLS_OK) {
        /* audit the refusal too; its own failure does not mask r */
        if (cert->der.len != 0 &&
            captls_hash(CAPTLS_HASH_SHA256, cert->der.ptr, cert->der.len,
                        fp) == CAPTLS_OK) {
            dlen = anchor_detail(fp, NULL, detail, sizeof(detail));
        } else {
            dlen = 0;
        }
        (void)audit_change(w, actor, CAPTLS_TRUST_STORE_M_ADD_ANCHOR,
                           "trust.addAnchor", r, detail, dlen);
        return r;
    }
    dlen = anchor_detail(a.fingerprint, &a.subject, detail, sizeof(detail));
    /* fail closed: no unaudited mutation */
    ar = audit_change(w, actor, CAPTLS_TRUST_STORE_M_ADD_ANCHOR,
                      "trust.addAnchor", CAPTLS_OK, detail, dlen);
    if (ar != CAPTLS_OK)
        return ar;
    ts->arena_used += claim;
    ts->anchors[ts->count++] = a;
    ts->version++;
    return CAPTLS_OK;
}

captls_result captls_trust_store_writer_remove_anchor(
    captls_trust_store_writer *w, captls_cap_owner actor,
    const captls_anchor_selector *sel, size_t *removed)
{
    captls_trust_store *ts;
    captls_x509_name subject;
    char detail[CAPTLS_AUDIT_DETAIL_MAX];
    size_t dlen = 0, hits = 0, first = 0;
    captls_result r = CAPTLS_OK, ar;

    if (removed != NULL)
        *removed = 0;
    if (w == NULL || w->magic != MAGIC_WRITER || sel == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    ts = w->store;
    if (sel->kind == CAPTLS_ANCHOR_BY_SUBJECT) {
        r = captls_x509_name_parse(sel->subject.ptr, sel->subject.len,
                                   &subject);
        if (r == CAPTLS_OK)
            dlen = captls_trust_name_text(&subject, detail, sizeof(detail));
    } else if (sel->kind == CAPTLS_ANCHOR_BY_FINGERPRINT) {
        dlen = anchor_detail(sel->fingerprint, NULL, detail, sizeof(detail));
    } else {
        r = CAPTLS_ERR_INVALID_ARGUMENT;
    }
    if (r == CAPTLS_OK) {
        for (size_t i = 0; i < ts->count; i++) {
            const captls_trust_anchor_info *a = &ts->anchors[i];
            bool match = sel->kind == CAPTLS_ANCHOR_BY_FINGERPRINT
                             ? memcmp(a->fingerprint, sel->fingerprint,
                                      CAPTLS_TRUST_FP_SIZE) == 0
                             : captls_x509_name_equal(&a->subject, &subject);
            if (match && hits++ == 0)
                first = i;
        }
        if (hits == 0)
            r = CAPTLS_ERR_NOT_FOUND;
        else if (sel->kind == CAPTLS_ANCHOR_BY_SUBJECT)
            dlen = anchor_detail(ts->anchors[first].fingerprint,
                                 &ts->anchors[first].subject, detail,
                                 sizeof(detail));
    }
    ar = audit_change(w, actor, CAPTLS_TRUST_STORE_M_REMOVE_ANCHOR,
                      "trust.removeAnchor", r, detail, dlen);
    if (r != CAPTLS_OK)
        return r;
    if (ar != CAPTLS_OK)
        return ar;
    /* compact, keeping order; arena bytes are never reclaimed (views) */
    {
        size_t out = 0;
        for (size_t i = 0; i < ts->count; i++) {
            const captls_trust_anchor_info *a = &ts->anchors[i];
            bool match = sel->kind == CAPTLS_ANCHOR_BY_FINGERPRINT
                             ? memcmp(a->fingerprint, sel->fingerprint,
                                      CAPTLS_TRUST_FP_SIZE) == 0
                             : captls_x509_name_equal(&a->subject, &subject);
            if (!match)
                ts->anchors[out++] = *a;
        }
        memset(&ts->anchors[out], 0, (ts->count - out) * sizeof(ts->anchors[0]));
        ts->count = (uint32_t)out;
    }
    ts->version++;
    if (removed != NULL)
        *removed = hits;
    return CAPTLS_OK;
}

/* ------------------------------------------------------------ restrict */

static bool fp_listed(const uint8_t (*list)[CAPTLS_TRUST_FP_SIZE], size_t n,
                      const uint8_t fp[CAPTLS_TRUST_FP_SIZE])
{
    for (size_t i = 0; i < n; i++) {
        if (memcmp(list[i], fp, CAPTLS_TRUST_FP_SIZE) == 0)
            return true;
    }
    return false;
}

/* Does the filter admit `a`? *purposes = the purposes it keeps. */
static bool admits(const captls_trust_filter_copy *f,
                   const captls_trust_anchor_info *a, uint32_t *purposes)
{
    uint32_t p = a->purposes;

    if (f->purposes != 0) {
        p &= f->purposes;
        if (p == 0)
            return false;
    }
    if (f->nfp != 0 && !fp_listed((const uint8_t(*)[CAPTLS_TRUST_FP_SIZE])f->fp,
                                  f->nfp, a->fingerprint))
        return false;
    if (f->nexcl != 0 &&
        fp_listed((const uint8_t(*)[CAPTLS_TRUST_FP_SIZE])f->excl, f->nexcl,
                  a->fingerprint))
        return false;
    if (f->nsubj != 0) {
        bool hit = false;
        for (size_t i = 0; i < f->nsubj && !hit; i++) {
            captls_x509_name n;
            if (captls_x509_name_parse(f->subj_bytes + f->subj_off[i],
                                       f->subj_len[i], &n) == CAPTLS_OK)
                hit = captls_x509_name_equal(&n, &a->subject);
        }
        if (!hit)
            return false;
    }
    *purposes = p;
    return true;
}

static captls_result copy_filter(const captls_trust_filter *in,
                                 captls_trust_filter_copy *f)
{
    size_t used = 0;

    memset(f, 0, sizeof(*f));
    if (in->fingerprint_count > CAPTLS_TRUST_FILTER_MAX ||
        in->subject_count > CAPTLS_TRUST_FILTER_MAX ||
        in->exclude_count > CAPTLS_TRUST_FILTER_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if ((in->fingerprint_count != 0 && in->fingerprints == NULL) ||
        (in->subject_count != 0 && in->subjects == NULL) ||
        (in->exclude_count != 0 && in->exclude_fingerprints == NULL) ||
        (in->purposes & ~CAPTLS_PURPOSE_ALL) != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    f->purposes = in->purposes;
    f->nfp = (uint8_t)in->fingerprint_count;
    f->nexcl = (uint8_t)in->exclude_count;
    f->nsubj = (uint8_t)in->subject_count;
    if (f->nfp != 0)
        memcpy(f->fp, in->fingerprints, f->nfp * (size_t)CAPTLS_TRUST_FP_SIZE);
    if (f->nexcl != 0)
        memcpy(f->excl, in->exclude_fingerprints,
               f->nexcl * (size_t)CAPTLS_TRUST_FP_SIZE);
    for (size_t i = 0; i < f->nsubj; i++) {
        captls_x509_name n;
        captls_slice s = in->subjects[i];
        if (s.len > sizeof(f->subj_bytes) - used)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        if (captls_x509_name_parse(s.ptr, s.len, &n) != CAPTLS_OK)
            return CAPTLS_ERR_MALFORMED;
        memcpy(f->subj_bytes + used, s.ptr, s.len);
        f->subj_off[i] = (uint16_t)used;
        f->subj_len[i] = (uint16_t)s.len;
        used += s.len;
    }
    return CAPTLS_OK;
}

/* Applies view->filter to its source into view->anchors; two passes so a
 * snapshot that does not fit changes nothing. */
static captls_result take_snapshot(captls_trust_store *view, bool *changed)
{
    const captls_trust_store *src = view->source;
    size_t n = 0, k = 0;
    uint32_t p;
    bool diff;

    for (size_t i = 0; i < src->count; i++) {
        if (admits(&view->filter, &src->anchors[i], &p))
            n++;
    }
    if (n > view->cap)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    diff = n != view->count;
    for (size_t i = 0; i < src->count; i++) {
        captls_trust_anchor_info a;
        if (!admits(&view->filter, &src->anchors[i], &p))
            continue;
        a = src->anchors[i];
        a.purposes = p;
        if (!diff && memcmp(&view->anchors[k], &a, sizeof(a)) != 0)
            diff = true;
        view->anchors[k++] = a;
    }
    if (k < view->cap)
        memset(&view->anchors[k], 0, (view->cap - k) * sizeof(view->anchors[0]));
    view->count = (uint32_t)k;
    view->version = captls_trust_store_version(src);
    if (changed != NULL)
        *changed = diff;
    return CAPTLS_OK;
}

captls_result captls_trust_store_restrict(const captls_trust_store *src,
                                          const captls_trust_filter *filter,
                                          captls_trust_store *out,
                                          captls_trust_anchor_info *anchors,
                                          size_t nanchors)
{
    captls_result r;

    if (!is_store(src) || filter == NULL || out == NULL || anchors == NULL ||
        nanchors == 0 || nanchors > CAPTLS_TRUST_MAX_ANCHORS || out == src)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    r = copy_filter(filter, &out->filter);
    if (r == CAPTLS_OK) {
        out->magic = MAGIC_VIEW;
        out->anchors = anchors;
        out->cap = (uint32_t)nanchors;
        out->source = src;
        r = take_snapshot(out, NULL);
    }
    if (r != CAPTLS_OK)
        memset(out, 0, sizeof(*out));
    return r;
}

captls_result captls_trust_store_refresh(captls_trust_store *view,
                                         bool *changed)
{
    if (changed != NULL)
        *changed = false;
    if (!is_store(view))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!captls_trust_store_is_stale(view))
        return CAPTLS_OK;
    return take_snapshot(view, changed);
}

/* ------------------------------------------------------- anchor source */

static captls_result source_next(void *ctx, const captls_x509_name *issuer,
                                 size_t *cursor, captls_trust_anchor *out)
{
    const captls_trust_source_ctx *c = ctx;
    const captls_trust_anchor_info *a;
    size_t pos = *cursor;

    a = captls_trust_store_find_by_subject(c->ts, issuer, c->purpose, &pos);
    *cursor = pos;
    if (a == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    memset(out, 0, sizeof(*out));
    out->cert = NULL;
    out->subject = a->subject;
    out->spki = a->spki;
    out->key_id = a->key_id;
    out->nc_permitted = a->nc_permitted;
    out->nc_permitted_count = a->nc_permitted_count;
    out->nc_excluded = a->nc_excluded;
    out->nc_excluded_count = a->nc_excluded_count;
    out->has_pin = a->pinned;
    out->data = a->data;
    memcpy(out->spki_sha256, a->spki_sha256, sizeof(out->spki_sha256));
    out->id = (uint32_t)(a - c->ts->anchors);
    return CAPTLS_OK;
}

void captls_trust_store_anchor_source(const captls_trust_store *ts,
                                      captls_cert_purpose purpose,
                                      captls_trust_source_ctx *ctx,
                                      captls_anchor_source *out)
{
    ctx->ts = ts;
    ctx->purpose = purpose;
    out->ctx = ctx;
    out->next_by_subject = source_next;
    out->version = captls_trust_store_version(ts);
}

/* ------------------------------------------------------------ cap layer */

static captls_result get_store(const captls_cap_table *t, captls_cap_owner owner,
                               captls_cap_handle h, captls_rights need,
                               captls_trust_store **out)
{
    captls_cap_info info;
    CAPTLS_TRY(captls_cap_lookup(t, owner, h, CAPTLS_IFACE_TRUST_STORE, need,
                                 &info));
    if (!is_store(info.object))
        return CAPTLS_ERR_INTERNAL;
    *out = info.object;
    return CAPTLS_OK;
}

static captls_result get_writer(const captls_cap_table *t,
                                captls_cap_owner owner, captls_cap_handle h,
                                captls_trust_store_writer **out)
{
    captls_cap_info info;
    captls_trust_store_writer *w;
    CAPTLS_TRY(captls_cap_lookup(t, owner, h, CAPTLS_IFACE_TRUST_STORE_WRITER,
                                 CAPTLS_RIGHT_WRITE, &info));
    w = info.object;
    if (w == NULL || w->magic != MAGIC_WRITER)
        return CAPTLS_ERR_INTERNAL;
    *out = w;
    return CAPTLS_OK;
}

captls_result captls_trust_store_cap_get(const captls_cap_table *t,
                                         captls_cap_owner owner,
                                         captls_cap_handle h,
                                         const captls_trust_store **out)
{
    captls_trust_store *ts;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(get_store(t, owner, h, CAPTLS_RIGHT_CALL, &ts));
    *out = ts;
    return CAPTLS_OK;
}

captls_result captls_trust_store_cap_version(const captls_cap_table *t,
                                             captls_cap_owner owner,
                                             captls_cap_handle h,
                                             uint64_t *out)
{
    captls_trust_store *ts;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(get_store(t, owner, h, CAPTLS_RIGHT_CALL, &ts));
    *out = captls_trust_store_version(ts);
    return CAPTLS_OK;
}

captls_result captls_trust_store_cap_anchors(const captls_cap_table *t,
                                             captls_cap_owner owner,
                                             captls_cap_handle h, size_t start,
                                             captls_trust_anchor_info *out,
                                             size_t cap, size_t *count,
                                             size_t *total)
{
    captls_trust_store *ts;
    size_t n = 0;
    if (count == NULL || (out == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *count = 0;
    CAPTLS_TRY(get_store(t, owner, h, CAPTLS_RIGHT_CALL, &ts));
    for (size_t i = start; i < ts->count && n < cap; i++)
        out[n++] = ts->anchors[i];
    *count = n;
    if (total != NULL)
        *total = ts->count;
    return CAPTLS_OK;
}

captls_result captls_trust_store_cap_restrict(
    captls_cap_table *t, captls_cap_owner owner, captls_cap_handle h,
    const captls_trust_filter *filter, captls_trust_store *view,
    captls_trust_anchor_info *anchors, size_t nanchors, captls_rights rights,
    captls_cap_handle *out_h)
{
    captls_trust_store *ts;
    captls_result r;
    if (out_h == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(get_store(t, owner, h, CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_DERIVE,
                         &ts));
    CAPTLS_TRY(captls_trust_store_restrict(ts, filter, view, anchors,
                                           nanchors));
    r = captls_cap_derive(t, owner, h, view, rights, out_h);
    if (r != CAPTLS_OK)
        memset(view, 0, sizeof(*view));
    return r;
}

captls_result captls_trust_store_cap_refresh(const captls_cap_table *t,
                                             captls_cap_owner owner,
                                             captls_cap_handle h,
                                             bool *changed)
{
    captls_trust_store *ts;
    if (changed != NULL)
        *changed = false;
    CAPTLS_TRY(get_store(t, owner, h, CAPTLS_RIGHT_CALL, &ts));
    return captls_trust_store_refresh(ts, changed);
}

captls_result captls_trust_store_writer_cap_add_anchor(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle wh,
    const captls_certificate *cert, const captls_anchor_pin *pin,
    uint32_t purposes)
{
    captls_trust_store_writer *w;
    CAPTLS_TRY(get_writer(t, owner, wh, &w));
    return captls_trust_store_writer_add_anchor(w, owner, cert, pin,
                                                purposes);
}

captls_result captls_trust_store_writer_cap_remove_anchor(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle wh,
    const captls_anchor_selector *sel, size_t *removed)
{
    captls_trust_store_writer *w;
    if (removed != NULL)
        *removed = 0;
    CAPTLS_TRY(get_writer(t, owner, wh, &w));
    return captls_trust_store_writer_remove_anchor(w, owner, sel, removed);
}
