/* CertificateStore, subscriptions and the rotation follower. See
 * cert_store.h. */
#include "core/store/cert_store.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/hash.h"
#include "core/trust/trust_audit.h"

/* strcmp is not in the core's allowed symbols (check-core). */
static bool str_eq(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && memcmp(a, b, n) == 0;
}

#define INDEX_KEY "index"

/* blob key "cert.<handle>" */
static void blob_key(const char *handle, char out[CAPTLS_BLOB_KEY_MAX + 1])
{
    size_t n = strlen(handle);
    memcpy(out, "cert.", 5);
    memcpy(out + 5, handle, n + 1);
}

void captls_cert_fingerprint_hex(const uint8_t sha256[32], char out[65])
{
    captls_trust_hex(sha256, 32, out);
}

static void leaf_sha256(const captls_slice *leaf, uint8_t out[32])
{
    uint8_t h[CAPTLS_HASH_MAX_SIZE];
    if (captls_hash(CAPTLS_HASH_SHA256, leaf->ptr, leaf->len, h) != CAPTLS_OK)
        memset(h, 0, sizeof h);
    memcpy(out, h, 32);
}

static int64_t now_seconds(const captls_clock *c)
{
    captls_wall_time w;
    if (c->wall_time == NULL || c->wall_time(c->ctx, &w) != CAPTLS_OK)
        return 0;
    return w.epoch_seconds;
}

/* detail: "handle=<h> version=<v> leaf=<sha256>[ <why>]" */
static captls_result audit(captls_cert_store *s, captls_cap_owner actor,
                           uint16_t method, const char *event,
                           captls_result outcome, const char *handle,
                           uint64_t version, const uint8_t *fp,
                           const char *why)
{
    char d[CAPTLS_AUDIT_DETAIL_MAX], num[24], hex[65];
    size_t n = 0, k = 0;
    uint64_t v = version;
    do {
        num[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < k / 2; i++) {
        char t = num[i];
        num[i] = num[k - 1 - i];
        num[k - 1 - i] = t;
    }
    num[k] = '\0';
    if (fp != NULL)
        captls_cert_fingerprint_hex(fp, hex);
    else
        memcpy(hex, "-", 2);
    const char *parts[8] = {"handle=", handle != NULL ? handle : "-",
                            " version=", num, " leaf=", hex,
                            why != NULL ? " " : "", why != NULL ? why : ""};
    for (int i = 0; i < 8; i++) {
        size_t l = strlen(parts[i]);
        if (n + l >= sizeof d)
            l = sizeof d - 1 - n;
        memcpy(d + n, parts[i], l);
        n += l;
    }
    return captls_trust_audit_emit(&s->clock, &s->audit, actor,
                                   CAPTLS_IFACE_CERTIFICATE_STORE, method,
                                   event, outcome, d, n);
}

captls_result captls_cert_store_init(captls_cert_store *s,
                                     captls_blob_store blob,
                                     captls_cap_table *caps,
                                     captls_cert_sub *subs, uint32_t nsubs,
                                     captls_clock clock,
                                     captls_audit_sink audit_sink)
{
    if (s == NULL || caps == NULL || blob.get == NULL || blob.put == NULL ||
        blob.remove == NULL || (subs == NULL && nsubs != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(s, 0, sizeof *s);
    if (nsubs != 0)
        memset(subs, 0, (size_t)nsubs * sizeof *subs);
    s->blob = blob;
    s->caps = caps;
    s->subs = subs;
    s->nsubs = nsubs;
    s->clock = clock;
    s->audit = audit_sink;
    return CAPTLS_OK;
}

captls_result captls_cert_store_mint(captls_cert_store *s,
                                     captls_cap_owner owner,
                                     captls_rights rights,
                                     captls_cap_handle *out)
{
    if (s == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return captls_cap_mint(s->caps, owner, CAPTLS_IFACE_CERTIFICATE_STORE, s,
                           rights, out);
}

static captls_result check(captls_cert_store *s, captls_cap_owner owner,
                           captls_cap_handle h, captls_rights need)
{
    captls_cap_info info;
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_cap_lookup(s->caps, owner, h,
                                 CAPTLS_IFACE_CERTIFICATE_STORE, need, &info));
    return info.object == s ? CAPTLS_OK : CAPTLS_ERR_WRONG_INTERFACE;
}

/* Reads and parses a record into buf; corrupted ones are audited. */
static captls_result load(captls_cert_store *s, captls_cap_owner actor,
                          const char *handle, uint8_t *buf, size_t cap,
                          captls_cert_record *out)
{
    char key[CAPTLS_BLOB_KEY_MAX + 1];
    size_t len = 0;
    captls_result r;
    blob_key(handle, key);
    r = s->blob.get(s->blob.ctx, key, buf, cap, &len);
    if (r != CAPTLS_OK)
        return r;
    r = captls_cert_record_parse(buf, len, out);
    if (r == CAPTLS_OK && !str_eq(out->handle, handle))
        r = CAPTLS_ERR_MALFORMED; /* a record copied under another name */
    if (r != CAPTLS_OK)
        (void)audit(s, actor, CAPTLS_CERT_STORE_GET, "store.record.corrupt", r,
                    handle, 0, NULL,
                    r == CAPTLS_ERR_AUTH_FAILED ? "checksum mismatch"
                                                : "malformed record");
    return r;
}

/* ---- index: "handle\n" lines ------------------------------------------ */

static captls_result index_read(captls_cert_store *s, size_t *len)
{
    captls_result r = s->blob.get(s->blob.ctx, INDEX_KEY, s->index,
                                  sizeof s->index, len);
    if (r == CAPTLS_ERR_NOT_FOUND) {
        *len = 0;
        return CAPTLS_OK;
    }
    return r;
}

/* Position of `handle` in the index, or -1. */
static long index_find(const uint8_t *idx, size_t len, const char *handle)
{
    size_t hl = strlen(handle), pos = 0;
    while (pos < len) {
        size_t e = pos;
        while (e < len && idx[e] != '\n')
            e++;
        if (e - pos == hl && memcmp(idx + pos, handle, hl) == 0)
            return (long)pos;
        pos = e + 1;
    }
    return -1;
}

static captls_result index_add(captls_cert_store *s, const char *handle)
{
    size_t len = 0, hl = strlen(handle);
    CAPTLS_TRY(index_read(s, &len));
    if (index_find(s->index, len, handle) >= 0)
        return CAPTLS_OK;
    if (len + hl + 1 > sizeof s->index)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    memcpy(s->index + len, handle, hl);
    s->index[len + hl] = '\n';
    return s->blob.put(s->blob.ctx, INDEX_KEY, s->index, len + hl + 1);
}

static captls_result index_remove(captls_cert_store *s, const char *handle)
{
    size_t len = 0, hl = strlen(handle);
    long at;
    CAPTLS_TRY(index_read(s, &len));
    at = index_find(s->index, len, handle);
    if (at < 0)
        return CAPTLS_OK;
    memmove(s->index + at, s->index + at + (long)hl + 1,
            len - (size_t)at - hl - 1);
    return s->blob.put(s->blob.ctx, INDEX_KEY, s->index, len - hl - 1);
}

/* ---- subscriptions ------------------------------------------------------ */

/* The coalescing rule of the header. */
static void enqueue(captls_cert_sub *sub, const captls_cert_event *ev)
{
    if (ev->version == sub->last_version)
        return;
    sub->last_version = ev->version;
    if (sub->count == CAPTLS_CERT_SUB_QUEUE) {
        uint32_t last = (sub->head + sub->count - 1) % CAPTLS_CERT_SUB_QUEUE;
        sub->q[last] = *ev;
        sub->coalesced++;
        return;
    }
    sub->q[(sub->head + sub->count) % CAPTLS_CERT_SUB_QUEUE] = *ev;
    sub->count++;
}

static void notify(captls_cert_store *s, const captls_cert_event *ev)
{
    for (uint32_t i = 0; i < s->nsubs; i++)
        if (s->subs[i].live && str_eq(s->subs[i].handle, ev->handle))
            enqueue(&s->subs[i], ev);
}

static void make_event(captls_cert_event *ev, const char *handle,
                       uint64_t version, int64_t at, const uint8_t *fp)
{
    memset(ev, 0, sizeof *ev);
    memcpy(ev->handle, handle, strlen(handle) + 1);
    ev->version = version;
    ev->rotated_at = at;
    if (fp != NULL)
        memcpy(ev->leaf_sha256, fp, 32);
}

/* ---- put / get / list / delete ----------------------------------------- */

captls_result captls_cert_store_put(captls_cert_store *s,
                                    captls_cap_owner owner,
                                    captls_cap_handle store,
                                    const char *handle,
                                    const captls_slice *certs, size_t count,
                                    const uint8_t *bind_spki, size_t bind_len,
                                    uint64_t *version)
{
    captls_cert_record old, rec;
    captls_result r;
    uint8_t fp[32];
    size_t len = 0, blen = 0;
    uint64_t old_version = 0;
    bool existed = false;
    char key[CAPTLS_BLOB_KEY_MAX + 1];

    CAPTLS_TRY(check(s, owner, store, CAPTLS_RIGHT_WRITE));
    if (!captls_cert_handle_valid(handle) || certs == NULL || count == 0 ||
        count > CAPTLS_TLS_MAX_CHAIN || bind_len > CAPTLS_CERT_SPKI_MAX ||
        (bind_spki == NULL && bind_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    leaf_sha256(&certs[0], fp);
    /* The chain must parse; the leaf last, so s->cert is the leaf after. */
    for (size_t i = count; i-- > 0;) {
        r = certs[i].ptr == NULL || certs[i].len == 0 ||
                    certs[i].len > CAPTLS_CERT_DER_MAX
                ? CAPTLS_ERR_MALFORMED
                : captls_certificate_parse(&s->cert, certs[i].ptr,
                                           certs[i].len, NULL);
        if (r != CAPTLS_OK) {
            (void)audit(s, owner, CAPTLS_CERT_STORE_PUT, "store.put.refused",
                        CAPTLS_ERR_MALFORMED, handle, 0, fp,
                        "a certificate does not parse");
            return CAPTLS_ERR_MALFORMED;
        }
    }
    if (s->cert.key_status != CAPTLS_OK) {
        (void)audit(s, owner, CAPTLS_CERT_STORE_PUT, "store.put.refused",
                    s->cert.key_status, handle, 0, fp,
                    "leaf key unreadable");
        return s->cert.key_status;
    }
    /* The old record: its version and bound key. A corrupted one is
     * replaced (load audited it). */
    r = load(s, owner, handle, s->buf, sizeof s->buf, &old);
    if (r == CAPTLS_OK) {
        existed = true;
        old_version = old.version;
        blen = old.bound_spki.len;
        memcpy(s->bind, old.bound_spki.ptr, blen);
    } else if (r != CAPTLS_ERR_NOT_FOUND && r != CAPTLS_ERR_AUTH_FAILED &&
               r != CAPTLS_ERR_MALFORMED) {
        (void)audit(s, owner, CAPTLS_CERT_STORE_PUT, "store.put", r, handle,
                    0, fp, "old record unreadable");
        return r;
    }
    if (bind_spki != NULL) {
        memcpy(s->bind, bind_spki, bind_len);
        blen = bind_len;
    }
    if (blen != 0 && (s->cert.key.spki.len != blen ||
                      memcmp(s->cert.key.spki.ptr, s->bind, blen) != 0)) {
        (void)audit(s, owner, CAPTLS_CERT_STORE_PUT, "store.put.refused",
                    CAPTLS_ERR_PIN_MISMATCH, handle, old_version, fp,
                    "leaf key is not the entry's bound key");
        return CAPTLS_ERR_PIN_MISMATCH;
    }
    /* Index first (superset rule), then the record. */
    if (!existed) {
        r = index_add(s, handle);
        if (r != CAPTLS_OK) {
            (void)audit(s, owner, CAPTLS_CERT_STORE_PUT, "store.put", r,
                        handle, 0, fp, "index write failed");
            return r;
        }
    }
    memset(&rec, 0, sizeof rec);
    rec.version = old_version + 1;
    rec.rotated_at = now_seconds(&s->clock);
    memcpy(rec.handle, handle, strlen(handle) + 1);
    rec.bound_spki.ptr = s->bind;
    rec.bound_spki.len = blen;
    for (size_t i = 0; i < count; i++)
        rec.certs[i] = certs[i];
    rec.count = count;
    r = captls_cert_record_encode(&rec, s->buf, sizeof s->buf, &len);
    if (r == CAPTLS_OK) {
        blob_key(handle, key);
        r = s->blob.put(s->blob.ctx, key, s->buf, len);
    }
    if (audit(s, owner, CAPTLS_CERT_STORE_PUT, "store.put", r, handle,
              rec.version, fp, NULL) != CAPTLS_OK &&
        r == CAPTLS_OK) {
        /* Stored but not audited: say so (the record stays: removing it
         * now would lose the old chain too). */
        r = CAPTLS_ERR_IO;
    }
    if (r != CAPTLS_OK)
        return r;
    if (version != NULL)
        *version = rec.version;
    captls_cert_event ev;
    make_event(&ev, handle, rec.version, rec.rotated_at, fp);
    notify(s, &ev);
    return CAPTLS_OK;
}

captls_result captls_cert_store_get(captls_cert_store *s,
                                    captls_cap_owner owner,
                                    captls_cap_handle store,
                                    const char *handle, uint8_t *buf,
                                    size_t cap, captls_cert_record *out)
{
    if (buf == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(check(s, owner, store, CAPTLS_RIGHT_CALL));
    if (!captls_cert_handle_valid(handle))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return load(s, owner, handle, buf, cap, out);
}

captls_result captls_cert_store_list(captls_cert_store *s,
                                     captls_cap_owner owner,
                                     captls_cap_handle store,
                                     char (*names)[CAPTLS_CERT_HANDLE_MAX],
                                     size_t max, size_t *count)
{
    size_t len = 0, pos = 0, n = 0;
    if (count == NULL || (names == NULL && max != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(check(s, owner, store, CAPTLS_RIGHT_CALL));
    CAPTLS_TRY(index_read(s, &len));
    while (pos < len) {
        size_t e = pos, sz = 0;
        char h[CAPTLS_CERT_HANDLE_MAX], key[CAPTLS_BLOB_KEY_MAX + 1];
        while (e < len && s->index[e] != '\n')
            e++;
        if (e - pos > 0 && e - pos < CAPTLS_CERT_HANDLE_MAX) {
            memcpy(h, s->index + pos, e - pos);
            h[e - pos] = '\0';
            blob_key(h, key);
            /* listed only if its record exists (superset rule) */
            if (captls_cert_handle_valid(h) &&
                s->blob.get(s->blob.ctx, key, NULL, 0, &sz) !=
                    CAPTLS_ERR_NOT_FOUND) {
                if (n < max)
                    memcpy(names[n], h, e - pos + 1);
                n++;
            }
        }
        pos = e + 1;
    }
    *count = n;
    return n > max ? CAPTLS_ERR_LIMIT_EXCEEDED : CAPTLS_OK;
}

captls_result captls_cert_store_delete(captls_cert_store *s,
                                       captls_cap_owner owner,
                                       captls_cap_handle store,
                                       const char *handle)
{
    char key[CAPTLS_BLOB_KEY_MAX + 1];
    captls_result r;
    CAPTLS_TRY(check(s, owner, store, CAPTLS_RIGHT_WRITE));
    if (!captls_cert_handle_valid(handle))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    blob_key(handle, key);
    r = s->blob.remove(s->blob.ctx, key);
    if (r == CAPTLS_OK || r == CAPTLS_ERR_NOT_FOUND) {
        /* Record gone first, then the index (superset rule). */
        captls_result ri = index_remove(s, handle);
        if (r == CAPTLS_OK)
            r = ri;
    }
    if (audit(s, owner, CAPTLS_CERT_STORE_DELETE, "store.delete", r, handle,
              0, NULL, NULL) != CAPTLS_OK &&
        r == CAPTLS_OK)
        r = CAPTLS_ERR_IO;
    if (r == CAPTLS_OK) {
        captls_cert_event ev;
        make_event(&ev, handle, 0, now_seconds(&s->clock), NULL);
        notify(s, &ev);
    }
    return r;
}

/* ---- watch ------------------------------------------------------------- */

captls_result captls_cert_store_watch(captls_cert_store *s,
                                      captls_cap_owner owner,
                                      captls_cap_handle store,
                                      const char *handle,
                                      captls_cap_handle *sub)
{
    captls_cert_sub *x = NULL;
    captls_cert_record rec;
    captls_result r;
    if (sub == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(check(s, owner, store, CAPTLS_RIGHT_CALL));
    if (!captls_cert_handle_valid(handle))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < s->nsubs && x == NULL; i++)
        if (!s->subs[i].live)
            x = &s->subs[i];
    if (x == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    memset(x, 0, sizeof *x);
    r = load(s, owner, handle, s->buf, sizeof s->buf, &rec);
    x->last_version = r == CAPTLS_OK ? rec.version : 0;
    CAPTLS_TRY(captls_cap_mint(s->caps, owner, CAPTLS_IFACE_CERT_SUBSCRIPTION,
                               x, CAPTLS_RIGHT_CALL, &x->cap));
    memcpy(x->handle, handle, strlen(handle) + 1);
    x->owner = owner;
    x->live = 1;
    *sub = x->cap;
    return CAPTLS_OK;
}

static captls_result sub_lookup(captls_cert_store *s, captls_cap_owner owner,
                                captls_cap_handle h, captls_cert_sub **out)
{
    captls_cap_info info;
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_cap_lookup(s->caps, owner, h,
                                 CAPTLS_IFACE_CERT_SUBSCRIPTION,
                                 CAPTLS_RIGHT_CALL, &info));
    for (uint32_t i = 0; i < s->nsubs; i++)
        if (info.object == (void *)&s->subs[i] && s->subs[i].live) {
            *out = &s->subs[i];
            return CAPTLS_OK;
        }
    return CAPTLS_ERR_STALE_HANDLE;
}

captls_result captls_cert_sub_events(captls_cert_store *s,
                                     captls_cap_owner owner,
                                     captls_cap_handle sub,
                                     captls_cert_event *events, size_t max,
                                     size_t *n)
{
    captls_cert_sub *x;
    size_t k = 0;
    if (n == NULL || (events == NULL && max != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(sub_lookup(s, owner, sub, &x));
    while (k < max && x->count > 0) {
        events[k++] = x->q[x->head];
        x->head = (x->head + 1) % CAPTLS_CERT_SUB_QUEUE;
        x->count--;
    }
    *n = k;
    return CAPTLS_OK;
}

captls_result captls_cert_sub_coalesced(captls_cert_store *s,
                                        captls_cap_owner owner,
                                        captls_cap_handle sub,
                                        uint32_t *coalesced)
{
    captls_cert_sub *x;
    if (coalesced == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(sub_lookup(s, owner, sub, &x));
    *coalesced = x->coalesced;
    return CAPTLS_OK;
}

captls_result captls_cert_sub_cancel(captls_cert_store *s,
                                     captls_cap_owner owner,
                                     captls_cap_handle sub)
{
    captls_cert_sub *x;
    CAPTLS_TRY(sub_lookup(s, owner, sub, &x));
    CAPTLS_TRY(captls_cap_drop(s->caps, owner, sub));
    memset(x, 0, sizeof *x);
    return CAPTLS_OK;
}

uint32_t captls_cert_store_poll(captls_cert_store *s)
{
    uint32_t corrupt = 0;
    if (s == NULL)
        return 0;
    for (uint32_t i = 0; i < s->nsubs; i++) {
        captls_cert_sub *x = &s->subs[i];
        captls_cert_record rec;
        captls_cert_event ev;
        uint8_t fp[32];
        if (!x->live)
            continue;
        captls_result r = load(s, x->owner, x->handle, s->buf, sizeof s->buf,
                               &rec);
        if (r == CAPTLS_OK) {
            if (rec.version == x->last_version)
                continue;
            leaf_sha256(&rec.certs[0], fp);
            make_event(&ev, x->handle, rec.version, rec.rotated_at, fp);
            enqueue(x, &ev);
        } else if (r == CAPTLS_ERR_NOT_FOUND) {
            make_event(&ev, x->handle, 0, now_seconds(&s->clock), NULL);
            enqueue(x, &ev);
        } else {
            corrupt++;
        }
    }
    return corrupt;
}

/* ---- rotation follower ------------------------------------------------- */

/* Loads the entry into the spare buffer; on success (and a key that
 * matches) makes it the served one. */
static captls_result follower_load(captls_cert_follower *f, bool *refused)
{
    int spare = 1 - f->cur;
    captls_cert_record rec;
    uint8_t fp[32];
    captls_result r = captls_cert_store_get(f->store, f->owner, f->store_cap,
                                            f->handle, f->bufs[spare],
                                            f->buf_cap, &rec);
    if (r == CAPTLS_OK) {
        leaf_sha256(&rec.certs[0], fp);
        r = captls_certificate_parse(&f->store->cert, rec.certs[0].ptr,
                                     rec.certs[0].len, NULL);
        if (r == CAPTLS_OK && !f->key_ok(f->key_ctx, &f->store->cert))
            r = CAPTLS_ERR_PIN_MISMATCH;
        if (r != CAPTLS_OK) {
            (void)audit(f->store, f->owner, CAPTLS_CERT_STORE_WATCH,
                        "tls.rotation.refused", r, f->handle, rec.version, fp,
                        "leaf key is not the server key: old chain kept");
        }
    }
    if (r != CAPTLS_OK) {
        if (refused != NULL)
            *refused = true;
        return r;
    }
    f->rec = rec;
    f->version = rec.version;
    memcpy(f->leaf_sha256, fp, 32);
    f->cur = spare;
    (void)audit(f->store, f->owner, CAPTLS_CERT_STORE_WATCH, "tls.rotation",
                CAPTLS_OK, f->handle, rec.version, fp, NULL);
    return CAPTLS_OK;
}

captls_result captls_cert_follower_init(captls_cert_follower *f,
                                        captls_cert_store *s,
                                        captls_cap_owner owner,
                                        captls_cap_handle store,
                                        const char *handle,
                                        captls_cert_key_check key_ok,
                                        void *key_ctx, uint8_t *buf0,
                                        uint8_t *buf1, size_t buf_cap)
{
    if (f == NULL || s == NULL || key_ok == NULL || buf0 == NULL ||
        buf1 == NULL || !captls_cert_handle_valid(handle))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(f, 0, sizeof *f);
    f->store = s;
    f->owner = owner;
    f->store_cap = store;
    memcpy(f->handle, handle, strlen(handle) + 1);
    f->key_ok = key_ok;
    f->key_ctx = key_ctx;
    f->bufs[0] = buf0;
    f->bufs[1] = buf1;
    f->buf_cap = buf_cap;
    f->cur = 1; /* so the first load fills buffer 0 */
    CAPTLS_TRY(captls_cert_store_watch(s, owner, store, handle, &f->sub));
    captls_result r = follower_load(f, NULL);
    if (r != CAPTLS_OK) {
        captls_result rc = captls_cert_sub_cancel(s, owner, f->sub);
        (void)rc;
        memset(f, 0, sizeof *f);
    }
    return r;
}

captls_result captls_cert_follower_update(captls_cert_follower *f,
                                          bool *rotated, bool *refused)
{
    captls_cert_event ev[CAPTLS_CERT_SUB_QUEUE];
    size_t n = 0;
    uint64_t newest = 0;
    bool any = false;
    if (rotated != NULL)
        *rotated = false;
    if (refused != NULL)
        *refused = false;
    if (f == NULL || f->store == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    do {
        CAPTLS_TRY(captls_cert_sub_events(f->store, f->owner, f->sub, ev,
                                          CAPTLS_CERT_SUB_QUEUE, &n));
        for (size_t i = 0; i < n; i++) {
            newest = ev[i].version;
            any = true;
        }
    } while (n == CAPTLS_CERT_SUB_QUEUE);
    if (!any || newest == f->version)
        return CAPTLS_OK;
    if (newest == 0) {
        (void)audit(f->store, f->owner, CAPTLS_CERT_STORE_WATCH,
                    "tls.rotation.refused", CAPTLS_ERR_NOT_FOUND, f->handle,
                    0, NULL, "entry deleted: old chain kept");
        if (refused != NULL)
            *refused = true;
        return CAPTLS_OK;
    }
    /* Only the newest version matters: intermediate ones are skipped. */
    if (follower_load(f, refused) == CAPTLS_OK && rotated != NULL)
        *rotated = true;
    return CAPTLS_OK;
}

static captls_result follower_get(void *ctx, captls_tls_chain *out)
{
    captls_cert_follower *f = ctx;
    if (f == NULL || out == NULL || f->rec.count == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < f->rec.count; i++)
        out->certs[i] = f->rec.certs[i];
    out->count = f->rec.count;
    return CAPTLS_OK;
}

void captls_cert_follower_source(captls_cert_follower *f,
                                 captls_tls_chain_source *out)
{
    if (out == NULL)
        return;
    out->ctx = f;
    out->get = follower_get;
}
