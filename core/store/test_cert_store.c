/* Unit tests of core/store: record codec (round trip, every truncation,
 * bit flips detected by the checksum), put/get/list/delete with versions,
 * chain verification before storing (unparsable certificate, bound key
 * mismatch), corrupted records reported and never served (and replaced by
 * the next put), a full disk leaving the old chain, the index superset
 * rule after a simulated crash, watch ordering and the coalescing rule,
 * poll (changes made by another store instance), rights, audit records,
 * and the rotation follower (rotates on a matching key, keeps the old chain
 * on a mismatched or deleted one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cap/audit.h"
#include "core/store/cert_store.h"
#include "core/trust/test_certs.h"

/* ---- an in-memory blob store with failure injection -------------------- */
#define MEM_N 16
typedef struct {
    char key[CAPTLS_BLOB_KEY_MAX + 1];
    uint8_t data[CAPTLS_CERT_RECORD_MAX];
    size_t len;
    int used;
} mem_entry;
typedef struct {
    mem_entry e[MEM_N];
    int full; /* put fails DISK_FULL */
} mem_store;

static mem_entry *mem_find(mem_store *m, const char *key)
{
    for (int i = 0; i < MEM_N; i++)
        if (m->e[i].used && strcmp(m->e[i].key, key) == 0)
            return &m->e[i];
    return NULL;
}

static captls_result mem_get(void *ctx, const char *key, uint8_t *buf,
                             size_t cap, size_t *len)
{
    mem_entry *e = mem_find(ctx, key);
    if (e == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    *len = e->len;
    if (cap < e->len)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, e->data, e->len);
    return CAPTLS_OK;
}

static captls_result mem_put(void *ctx, const char *key, const uint8_t *data,
                             size_t len)
{
    mem_store *m = ctx;
    mem_entry *e = mem_find(m, key);
    if (m->full)
        return CAPTLS_ERR_DISK_FULL;
    for (int i = 0; e == NULL && i < MEM_N; i++)
        if (!m->e[i].used)
            e = &m->e[i];
    assert_non_null(e);
    strcpy(e->key, key);
    memcpy(e->data, data, len);
    e->len = len;
    e->used = 1;
    return CAPTLS_OK;
}

static captls_result mem_remove(void *ctx, const char *key)
{
    mem_entry *e = mem_find(ctx, key);
    if (e == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    e->used = 0;
    return CAPTLS_OK;
}

typedef struct {
    captls_audit_record recs[128];
    int n;
} audit_log;

static captls_result audit_append(void *ctx, const captls_audit_record *rec)
{
    audit_log *a = ctx;
    if (a->n < 128)
        a->recs[a->n++] = *rec;
    return CAPTLS_OK;
}

static int count_event(const audit_log *a, const char *event)
{
    int n = 0;
    for (int i = 0; i < a->n; i++)
        n += strcmp(a->recs[i].event, event) == 0;
    return n;
}

#define ME 7
typedef struct {
    mem_store mem;
    captls_cap_slot slots[32];
    captls_cap_table caps;
    captls_cert_sub subs[4];
    captls_cert_store s;
    audit_log log;
    captls_cap_handle h;
} fixture;

static int64_t fake_now = 1800000000;
static captls_result wall(void *ctx, captls_wall_time *out)
{
    (void)ctx;
    out->epoch_seconds = fake_now;
    out->nanoseconds = 0;
    out->provenance = CAPTLS_CLOCK_UNTRUSTED;
    return CAPTLS_OK;
}

static void setup_store(fixture *f, captls_cert_store *s,
                        captls_cert_sub *subs)
{
    captls_blob_store b = {&f->mem, mem_get, mem_put, mem_remove};
    captls_clock c = {NULL, NULL, wall};
    captls_audit_sink a = {&f->log, audit_append};
    assert_int_equal(captls_cert_store_init(s, b, &f->caps, subs, 4, c, a),
                     CAPTLS_OK);
}

static fixture *make(void)
{
    fixture *f = calloc(1, sizeof *f);
    assert_int_equal(captls_cap_table_init(&f->caps, f->slots, 32), CAPTLS_OK);
    setup_store(f, &f->s, f->subs);
    assert_int_equal(captls_cert_store_mint(&f->s, ME, CAPTLS_RIGHTS_ALL,
                                            &f->h),
                     CAPTLS_OK);
    return f;
}

static const captls_slice chain_a[2] = {{leaf_a, sizeof leaf_a},
                                        {root_a, sizeof root_a}};
static const captls_slice chain_b[1] = {{root_b, sizeof root_b}};
static const captls_slice chain_c[1] = {{root_c, sizeof root_c}};

static captls_result put(fixture *f, const char *h, const captls_slice *c,
                         size_t n, uint64_t *v)
{
    return captls_cert_store_put(&f->s, ME, f->h, h, c, n, NULL, 0, v);
}

static void test_record_codec(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    captls_cert_record rec = {0}, back;
    size_t len = 0;
    rec.version = 3;
    rec.rotated_at = -5;
    strcpy(rec.handle, "web");
    rec.certs[0] = chain_a[0];
    rec.certs[1] = chain_a[1];
    rec.count = 2;
    assert_int_equal(captls_cert_record_encode(&rec, buf, 10, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(captls_cert_record_encode(&rec, buf, sizeof buf, &len),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_record_parse(buf, len, &back), CAPTLS_OK);
    assert_int_equal(back.version, 3);
    assert_int_equal(back.rotated_at, -5);
    assert_string_equal(back.handle, "web");
    assert_int_equal(back.count, 2);
    assert_memory_equal(back.certs[1].ptr, root_a, sizeof root_a);
    /* every truncation (a torn write) and every single-bit flip: refused */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(captls_cert_record_parse(buf, cut, &back),
                             CAPTLS_OK);
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x10;
        captls_result r = captls_cert_record_parse(buf, len, &back);
        assert_true(r == CAPTLS_ERR_AUTH_FAILED || r == CAPTLS_ERR_MALFORMED);
        buf[i] ^= 0x10;
    }
    rec.version = 0;
    assert_int_equal(captls_cert_record_encode(&rec, buf, sizeof buf, &len),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_put_get_list_delete(void **state)
{
    (void)state;
    fixture *f = make();
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    uint64_t v = 0;
    char names[4][CAPTLS_CERT_HANDLE_MAX];
    size_t n = 0;

    assert_int_equal(captls_cert_store_get(&f->s, ME, f->h, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(put(f, "web", chain_a, 2, &v), CAPTLS_OK);
    assert_int_equal(v, 1);
    fake_now += 10;
    assert_int_equal(put(f, "web", chain_b, 1, &v), CAPTLS_OK);
    assert_int_equal(v, 2);
    assert_int_equal(put(f, "mail", chain_c, 1, &v), CAPTLS_OK);
    assert_int_equal(v, 1);
    assert_int_equal(captls_cert_store_get(&f->s, ME, f->h, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_OK);
    assert_int_equal(rec.version, 2);
    assert_int_equal(rec.rotated_at, fake_now);
    assert_int_equal(rec.count, 1);
    assert_memory_equal(rec.certs[0].ptr, root_b, sizeof root_b);
    assert_int_equal(captls_cert_store_list(&f->s, ME, f->h, names, 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "web");
    assert_string_equal(names[1], "mail");
    assert_int_equal(captls_cert_store_delete(&f->s, ME, f->h, "web"),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_delete(&f->s, ME, f->h, "web"),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_cert_store_list(&f->s, ME, f->h, names, 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "mail");
    assert_int_equal(count_event(&f->log, "store.put"), 3);
    assert_int_equal(count_event(&f->log, "store.delete"), 2);
    /* bad handles */
    assert_int_equal(put(f, "../x", chain_a, 2, &v),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(put(f, "", chain_a, 2, &v), CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(put(f, "x", chain_a, 0, &v), CAPTLS_ERR_INVALID_ARGUMENT);
    free(f);
}

static void test_verify_before_store(void **state)
{
    (void)state;
    fixture *f = make();
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    captls_certificate *leaf = calloc(1, sizeof *leaf);
    uint8_t junk[40];
    memset(junk, 0x30, sizeof junk);
    captls_slice bad[2] = {{leaf_a, sizeof leaf_a}, {junk, sizeof junk}};
    assert_int_equal(put(f, "web", bad, 2, NULL), CAPTLS_ERR_MALFORMED);
    assert_int_equal(count_event(&f->log, "store.put.refused"), 1);
    /* bind leaf_a's key; a chain for another key is then refused */
    assert_int_equal(captls_certificate_parse(leaf, leaf_a, sizeof leaf_a,
                                              NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_put(&f->s, ME, f->h, "web", chain_b, 1,
                                           leaf->key.spki.ptr,
                                           leaf->key.spki.len, NULL),
                     CAPTLS_ERR_PIN_MISMATCH);
    assert_int_equal(captls_cert_store_put(&f->s, ME, f->h, "web", chain_a, 2,
                                           leaf->key.spki.ptr,
                                           leaf->key.spki.len, NULL),
                     CAPTLS_OK);
    assert_int_equal(put(f, "web", chain_b, 1, NULL), CAPTLS_ERR_PIN_MISMATCH);
    assert_int_equal(count_event(&f->log, "store.put.refused"), 3);
    assert_int_equal(captls_cert_store_get(&f->s, ME, f->h, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_OK);
    assert_int_equal(rec.version, 1);
    assert_int_equal(rec.bound_spki.len, leaf->key.spki.len);
    /* the same key again: accepted, binding kept */
    assert_int_equal(put(f, "web", chain_a, 1, NULL), CAPTLS_OK);
    free(leaf);
    free(f);
}

static void test_corruption_and_disk_full(void **state)
{
    (void)state;
    fixture *f = make();
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    uint64_t v = 0;
    assert_int_equal(put(f, "web", chain_a, 2, NULL), CAPTLS_OK);
    /* full disk: refused, old chain intact */
    f->mem.full = 1;
    assert_int_equal(put(f, "web", chain_b, 1, NULL), CAPTLS_ERR_DISK_FULL);
    assert_int_equal(put(f, "new", chain_b, 1, NULL), CAPTLS_ERR_DISK_FULL);
    f->mem.full = 0;
    assert_int_equal(captls_cert_store_get(&f->s, ME, f->h, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_OK);
    assert_int_equal(rec.version, 1);
    assert_int_equal(rec.count, 2);
    /* flip one byte of the stored record: reported, never served */
    mem_entry *e = mem_find(&f->mem, "cert.web");
    e->data[e->len / 2] ^= 1;
    assert_int_equal(captls_cert_store_get(&f->s, ME, f->h, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(count_event(&f->log, "store.record.corrupt"), 1);
    /* a record copied under another handle: refused */
    assert_int_equal(put(f, "mail", chain_c, 1, NULL), CAPTLS_OK);
    mem_entry *m = mem_find(&f->mem, "cert.mail");
    e->data[e->len / 2] ^= 1;
    memcpy(m->data, e->data, e->len);
    m->len = e->len;
    assert_int_equal(captls_cert_store_get(&f->s, ME, f->h, "mail", buf,
                                           sizeof buf, &rec),
                     CAPTLS_ERR_MALFORMED);
    /* a put over a corrupted record replaces it */
    e->len = 10;
    assert_int_equal(put(f, "web", chain_b, 1, &v), CAPTLS_OK);
    assert_int_equal(v, 1);
    assert_int_equal(captls_cert_store_get(&f->s, ME, f->h, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_OK);
    /* crash between index write and record write: listed only if the
     * record exists */
    char names[4][CAPTLS_CERT_HANDLE_MAX];
    size_t n = 0;
    assert_int_equal(mem_remove(&f->mem, "cert.mail"), CAPTLS_OK);
    assert_int_equal(captls_cert_store_list(&f->s, ME, f->h, names, 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "web");
    free(f);
}

static void test_rights(void **state)
{
    (void)state;
    fixture *f = make();
    captls_cap_handle ro, sub;
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    assert_int_equal(put(f, "web", chain_a, 2, NULL), CAPTLS_OK);
    assert_int_equal(captls_cert_store_mint(&f->s, 9, CAPTLS_RIGHT_CALL, &ro),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_put(&f->s, 9, ro, "web", chain_b, 1,
                                           NULL, 0, NULL),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_cert_store_delete(&f->s, 9, ro, "web"),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_cert_store_get(&f->s, 9, ro, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_get(&f->s, 10, ro, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_ERR_BAD_HANDLE);
    assert_int_equal(captls_cert_store_watch(&f->s, 9, ro, "web", &sub),
                     CAPTLS_OK);
    /* a subscription is not a store */
    assert_int_equal(captls_cert_store_get(&f->s, 9, sub, "web", buf,
                                           sizeof buf, &rec),
                     CAPTLS_ERR_WRONG_INTERFACE);
    free(f);
}

static void test_watch_order_and_coalescing(void **state)
{
    (void)state;
    fixture *f = make();
    captls_cap_handle sub, other;
    captls_cert_event ev[8];
    size_t n = 0;
    uint32_t co = 0;
    assert_int_equal(put(f, "web", chain_a, 2, NULL), CAPTLS_OK); /* v1 */
    assert_int_equal(captls_cert_store_watch(&f->s, ME, f->h, "web", &sub),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_watch(&f->s, ME, f->h, "mail", &other),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 8, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 0); /* the version at watch time is not an event */
    /* a fast subscriber sees every version, in order */
    for (int i = 0; i < 3; i++)
        assert_int_equal(put(f, "web", i % 2 ? chain_a : chain_b,
                             i % 2 ? 2 : 1, NULL),
                         CAPTLS_OK); /* v2..v4 */
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 8, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ev[i].version, (uint64_t)(2 + i));
    assert_memory_not_equal(ev[0].leaf_sha256, ev[1].leaf_sha256, 32);
    /* a slow one: 100 puts, bounded queue, order kept, latest kept */
    for (int i = 0; i < 100; i++)
        assert_int_equal(put(f, "web", chain_b, 1, NULL), CAPTLS_OK);
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 8, &n),
                     CAPTLS_OK);
    assert_int_equal(n, CAPTLS_CERT_SUB_QUEUE);
    for (size_t i = 0; i + 1 < n; i++)
        assert_true(ev[i].version < ev[i + 1].version);
    assert_int_equal(ev[0].version, 5);
    assert_int_equal(ev[n - 1].version, 104);
    assert_int_equal(captls_cert_sub_coalesced(&f->s, ME, sub, &co),
                     CAPTLS_OK);
    assert_int_equal(co, 100 - CAPTLS_CERT_SUB_QUEUE);
    /* the other handle's subscriber heard nothing */
    assert_int_equal(captls_cert_sub_events(&f->s, ME, other, ev, 8, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 0);
    /* delete: version 0 */
    assert_int_equal(captls_cert_store_delete(&f->s, ME, f->h, "web"),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 8, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].version, 0);
    /* cancel: the handle is gone, the slot reusable */
    assert_int_equal(captls_cert_sub_cancel(&f->s, ME, sub), CAPTLS_OK);
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 8, &n),
                     CAPTLS_ERR_STALE_HANDLE);
    free(f);
}

static void test_poll_other_instance(void **state)
{
    (void)state;
    fixture *f = make();
    /* a second store instance (another process) over the same blobs */
    captls_cert_store *writer = calloc(1, sizeof *writer);
    captls_cert_sub wsubs[4];
    captls_cap_handle wh, sub;
    captls_cert_event ev[4];
    size_t n = 0;
    setup_store(f, writer, wsubs);
    assert_int_equal(captls_cert_store_mint(writer, 3, CAPTLS_RIGHTS_ALL, &wh),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_watch(&f->s, ME, f->h, "web", &sub),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_put(writer, 3, wh, "web", chain_a, 2,
                                           NULL, 0, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 0); /* not polled yet */
    assert_int_equal(captls_cert_store_poll(&f->s), 0);
    assert_int_equal(captls_cert_store_poll(&f->s), 0); /* no duplicate */
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].version, 1);
    /* corrupted by someone: counted, not queued */
    mem_find(&f->mem, "cert.web")->data[20] ^= 4;
    assert_int_equal(captls_cert_store_poll(&f->s), 1);
    assert_int_equal(captls_cert_sub_events(&f->s, ME, sub, ev, 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 0);
    free(writer);
    free(f);
}

/* key check: the leaf's SPKI must be the "server key" (ctx, an SPKI). */
static bool key_is(void *ctx, const captls_certificate *leaf)
{
    const captls_slice *want = ctx;
    return leaf->key.spki.len == want->len &&
           memcmp(leaf->key.spki.ptr, want->ptr, want->len) == 0;
}

static void test_follower(void **state)
{
    (void)state;
    fixture *f = make();
    static uint8_t b0[CAPTLS_CERT_RECORD_MAX], b1[CAPTLS_CERT_RECORD_MAX];
    captls_cert_follower fo;
    captls_tls_chain_source src;
    captls_tls_chain chain;
    bool rotated, refused;
    captls_certificate *c = calloc(1, sizeof *c);
    static uint8_t spki_a[CAPTLS_SPKI_MAX_SIZE];
    captls_slice want_a[1];
    assert_int_equal(captls_certificate_parse(c, leaf_a, sizeof leaf_a, NULL),
                     CAPTLS_OK);
    memcpy(spki_a, c->key.spki.ptr, c->key.spki.len);
    want_a[0].ptr = spki_a;
    want_a[0].len = c->key.spki.len;
    assert_int_equal(captls_cert_follower_init(&fo, &f->s, ME, f->h, "web",
                                               key_is, want_a, b0, b1,
                                               sizeof b0),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(put(f, "web", chain_a, 2, NULL), CAPTLS_OK);
    assert_int_equal(captls_cert_follower_init(&fo, &f->s, ME, f->h, "web",
                                               key_is, want_a, b0, b1,
                                               sizeof b0),
                     CAPTLS_OK);
    captls_cert_follower_source(&fo, &src);
    assert_int_equal(src.get(src.ctx, &chain), CAPTLS_OK);
    assert_int_equal(chain.count, 2);
    assert_memory_equal(chain.certs[0].ptr, leaf_a, sizeof leaf_a);
    /* a chain for another key: not served, audited */
    assert_int_equal(put(f, "web", chain_b, 1, NULL), CAPTLS_OK);
    assert_int_equal(captls_cert_follower_update(&fo, &rotated, &refused),
                     CAPTLS_OK);
    assert_false(rotated);
    assert_true(refused);
    assert_int_equal(count_event(&f->log, "tls.rotation.refused"), 1);
    assert_int_equal(src.get(src.ctx, &chain), CAPTLS_OK);
    assert_memory_equal(chain.certs[0].ptr, leaf_a, sizeof leaf_a);
    /* the server's key again (a renewed chain): served from now on, while
     * the previous chain's bytes stay intact in the other buffer */
    captls_slice renewed[1] = {{leaf_a, sizeof leaf_a}};
    captls_tls_chain before = chain;
    assert_int_equal(put(f, "web", renewed, 1, NULL), CAPTLS_OK);
    assert_int_equal(captls_cert_follower_update(&fo, &rotated, &refused),
                     CAPTLS_OK);
    assert_true(rotated);
    assert_false(refused);
    assert_int_equal(src.get(src.ctx, &chain), CAPTLS_OK);
    assert_int_equal(chain.count, 1);
    assert_int_equal(fo.version, 3);
    assert_memory_equal(before.certs[1].ptr, root_a, sizeof root_a);
    /* nothing new: nothing happens */
    assert_int_equal(captls_cert_follower_update(&fo, &rotated, &refused),
                     CAPTLS_OK);
    assert_false(rotated);
    assert_false(refused);
    /* deleted: old chain kept */
    assert_int_equal(captls_cert_store_delete(&f->s, ME, f->h, "web"),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_follower_update(&fo, &rotated, &refused),
                     CAPTLS_OK);
    assert_true(refused);
    assert_int_equal(src.get(src.ctx, &chain), CAPTLS_OK);
    assert_int_equal(chain.count, 1);
    free(c);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_codec),
        cmocka_unit_test(test_put_get_list_delete),
        cmocka_unit_test(test_verify_before_store),
        cmocka_unit_test(test_corruption_and_disk_full),
        cmocka_unit_test(test_rights),
        cmocka_unit_test(test_watch_order_and_coalescing),
        cmocka_unit_test(test_poll_other_instance),
        cmocka_unit_test(test_follower),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
