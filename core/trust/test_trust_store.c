/* Unit tests of core/trust/trust_store.c: anchors, restrict by every filter
 * kind, snapshots and refresh, version, writer-only mutation, audit, and
 * the refusals the cap table enforces. Certificates: test_certs.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/cap/audit.h"
#include "core/trust/test_certs.h"
#include "core/trust/trust_store.h"

enum { C_ROOT_A, C_ROOT_A2, C_ROOT_B, C_ROOT_C, C_LEAF_A, C_COUNT };

static captls_certificate certs[C_COUNT];
static uint8_t der_copy[C_COUNT][512]; /* mutable copies (arena tests) */

static const captls_certificate *parse(int which)
{
    static const struct { const uint8_t *p; size_t n; } src[C_COUNT] = {
        {root_a, sizeof(root_a)},   {root_a2, sizeof(root_a2)},
        {root_b, sizeof(root_b)},   {root_c, sizeof(root_c)},
        {leaf_a, sizeof(leaf_a)},
    };
    memcpy(der_copy[which], src[which].p, src[which].n);
    assert_int_equal(captls_certificate_parse(&certs[which], der_copy[which],
                                              src[which].n, NULL),
                     CAPTLS_OK);
    return &certs[which];
}

/* ---- an audit sink that keeps records ---------------------------------- */
typedef struct sink_ctx {
    captls_audit_record recs[16];
    size_t n;
    captls_result fail_with; /* CAPTLS_OK: accept */
} sink_ctx;

static captls_result sink_append(void *ctx, const captls_audit_record *rec)
{
    sink_ctx *s = ctx;
    if (s->fail_with != CAPTLS_OK)
        return s->fail_with;
    if (s->n < 16)
        s->recs[s->n++] = *rec;
    return CAPTLS_OK;
}

typedef struct fixture {
    captls_trust_store root;
    captls_trust_anchor_info slots[8];
    uint8_t arena[4096];
    captls_trust_store_writer writer;
    sink_ctx sink;
} fixture;

static fixture F;

static void setup_store(bool copy_der)
{
    captls_audit_sink sink = {&F.sink, sink_append};
    memset(&F, 0, sizeof(F));
    assert_int_equal(captls_trust_store_init(&F.root, F.slots, 8, F.arena,
                                             sizeof(F.arena), copy_der),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_init(&F.writer, &F.root, NULL,
                                                    &sink),
                     CAPTLS_OK);
}

static void add(int which, uint32_t purposes)
{
    assert_int_equal(captls_trust_store_writer_add_anchor(
                         &F.writer, 1, parse(which), NULL, purposes),
                     CAPTLS_OK);
}

static void fp_of(int which, uint8_t fp[32])
{
    uint8_t d[CAPTLS_HASH_MAX_SIZE];
    size_t n;
    assert_int_equal(captls_certificate_fingerprint(&certs[which],
                                                    CAPTLS_HASH_SHA256, d, &n),
                     CAPTLS_OK);
    memcpy(fp, d, 32);
}

#define P(x) CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_##x)

/* ---- plain objects ------------------------------------------------------ */

static void test_init_args(void **state)
{
    (void)state;
    captls_trust_store ts;
    captls_trust_anchor_info a[1];
    uint8_t ar[8];
    assert_int_equal(captls_trust_store_init(&ts, a, 0, NULL, 0, false),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_trust_store_init(&ts, a, 513, NULL, 0, false),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_trust_store_init(&ts, a, 1, NULL, 0, true),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_trust_store_init(&ts, a, 1, ar, 0, false),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_trust_store_init(&ts, a, 1, NULL, 0, false),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_version(&ts), 0);
    assert_false(captls_trust_store_is_view(&ts));
}

static void test_add_list_version(void **state)
{
    (void)state;
    uint8_t fp[32];
    setup_store(false);
    add(C_ROOT_A, 0);
    add(C_ROOT_B, 0);
    assert_int_equal(captls_trust_store_version(&F.root), 2);
    assert_int_equal(captls_trust_store_count(&F.root), 2);
    fp_of(C_ROOT_A, fp);
    assert_memory_equal(captls_trust_store_anchor_at(&F.root, 0)->fingerprint,
                        fp, 32);
    assert_null(captls_trust_store_anchor_at(&F.root, 2));
    /* borrow mode: the record points at the caller's DER */
    assert_ptr_equal(captls_trust_store_anchor_at(&F.root, 0)->der.ptr,
                     der_copy[C_ROOT_A]);
    /* no EKU: every purpose; EKU serverAuth: that purpose only */
    assert_int_equal(captls_trust_store_anchor_at(&F.root, 0)->purposes,
                     CAPTLS_PURPOSE_ALL);
    assert_int_equal(captls_trust_store_anchor_at(&F.root, 1)->purposes,
                     P(TLS_SERVER_AUTH));
    assert_non_null(captls_trust_store_find_by_fingerprint(&F.root, fp));
}

static void test_duplicate_add(void **state)
{
    (void)state;
    setup_store(false);
    add(C_ROOT_A, 0);
    assert_int_equal(captls_trust_store_writer_add_anchor(
                         &F.writer, 1, parse(C_ROOT_A), NULL, 0),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(captls_trust_store_version(&F.root), 1);
    assert_int_equal(captls_trust_store_count(&F.root), 1);
}

static void test_purposes_narrowed(void **state)
{
    (void)state;
    setup_store(false);
    /* asked: client auth; EKU allows server auth only -> refused */
    assert_int_equal(captls_trust_store_writer_add_anchor(
                         &F.writer, 1, parse(C_ROOT_B), NULL,
                         P(TLS_CLIENT_AUTH)),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    add(C_ROOT_A, P(TLS_CLIENT_AUTH) | P(CODE_SIGNING));
    assert_int_equal(captls_trust_store_anchor_at(&F.root, 0)->purposes,
                     P(TLS_CLIENT_AUTH) | P(CODE_SIGNING));
}

static void test_pin(void **state)
{
    (void)state;
    captls_anchor_pin pin;
    uint8_t d[CAPTLS_HASH_MAX_SIZE];
    const captls_certificate *c;
    setup_store(false);
    c = parse(C_ROOT_A);
    assert_int_equal(captls_hash(CAPTLS_HASH_SHA256, c->spki_raw.ptr,
                                 c->spki_raw.len, d), CAPTLS_OK);
    pin.hash = CAPTLS_HASH_SHA256;
    memcpy(pin.spki_hash, d, 32);
    pin.spki_hash[0] ^= 1;
    assert_int_equal(captls_trust_store_writer_add_anchor(&F.writer, 1, c,
                                                          &pin, 0),
                     CAPTLS_ERR_PIN_MISMATCH);
    assert_int_equal(captls_trust_store_version(&F.root), 0);
    pin.spki_hash[0] ^= 1;
    assert_int_equal(captls_trust_store_writer_add_anchor(&F.writer, 1, c,
                                                          &pin, 0),
                     CAPTLS_OK);
    assert_true(captls_trust_store_anchor_at(&F.root, 0)->pinned);
}

static void test_remove_by_fingerprint_and_subject(void **state)
{
    (void)state;
    captls_anchor_selector sel;
    size_t removed = 99;
    setup_store(false);
    add(C_ROOT_A, 0);
    add(C_ROOT_A2, 0);
    add(C_ROOT_B, 0);
    memset(&sel, 0, sizeof(sel));
    sel.kind = CAPTLS_ANCHOR_BY_FINGERPRINT;
    fp_of(C_ROOT_B, sel.fingerprint);
    assert_int_equal(captls_trust_store_writer_remove_anchor(&F.writer, 1,
                                                             &sel, &removed),
                     CAPTLS_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(captls_trust_store_version(&F.root), 4);
    assert_int_equal(captls_trust_store_writer_remove_anchor(&F.writer, 1,
                                                             &sel, &removed),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(removed, 0);
    assert_int_equal(captls_trust_store_version(&F.root), 4);
    /* by subject: both roots named "Test Root A" go */
    sel.kind = CAPTLS_ANCHOR_BY_SUBJECT;
    sel.subject = certs[C_ROOT_A].subject.raw;
    assert_int_equal(captls_trust_store_writer_remove_anchor(&F.writer, 1,
                                                             &sel, &removed),
                     CAPTLS_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(captls_trust_store_count(&F.root), 0);
    assert_int_equal(captls_trust_store_version(&F.root), 5);
    /* a selector subject that is not a Name */
    sel.subject.ptr = (const uint8_t *)"\x04\x01x";
    sel.subject.len = 3;
    assert_int_equal(captls_trust_store_writer_remove_anchor(&F.writer, 1,
                                                             &sel, NULL),
                     CAPTLS_ERR_MALFORMED);
}

static void test_arena_copy_and_name_constraints(void **state)
{
    (void)state;
    captls_trust_store ts;
    captls_trust_anchor_info slots[2];
    captls_trust_store_writer w;
    const captls_trust_anchor_info *a;
    uint8_t fp[32];

    /* no arena: an anchor with name constraints cannot be kept */
    assert_int_equal(captls_trust_store_init(&ts, slots, 2, NULL, 0, false),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_init(&w, &ts, NULL, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_add_anchor(&w, 1,
                                                          parse(C_ROOT_C),
                                                          NULL, 0),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_trust_store_version(&ts), 0);

    /* copy mode: DER and subtrees live in the arena */
    setup_store(true);
    add(C_ROOT_C, 0);
    fp_of(C_ROOT_C, fp);
    memset(der_copy[C_ROOT_C], 0xEE, sizeof(der_copy[C_ROOT_C]));
    a = captls_trust_store_anchor_at(&F.root, 0);
    assert_true(a->der.ptr >= F.arena && a->der.ptr < F.arena + sizeof(F.arena));
    assert_int_equal(a->der.len, sizeof(root_c));
    assert_memory_equal(a->der.ptr, root_c, sizeof(root_c));
    assert_int_equal(a->nc_permitted_count, 1);
    assert_int_equal(a->nc_permitted[0].type, CAPTLS_GN_DNS);
    assert_int_equal(a->nc_permitted[0].value.len, 11);
    assert_memory_equal(a->nc_permitted[0].value.ptr, "example.com", 11);
    assert_true(a->name_constraints.len > 0);
    assert_true(a->subject.raw.ptr >= a->der.ptr);
    assert_memory_equal(a->fingerprint, fp, 32);

    /* a full arena refuses and changes nothing */
    {
        captls_trust_store small;
        captls_trust_anchor_info s1[2];
        uint8_t tiny[64];
        captls_trust_store_writer w2;
        assert_int_equal(captls_trust_store_init(&small, s1, 2, tiny,
                                                 sizeof(tiny), true),
                         CAPTLS_OK);
        assert_int_equal(captls_trust_store_writer_init(&w2, &small, NULL,
                                                        NULL),
                         CAPTLS_OK);
        assert_int_equal(captls_trust_store_writer_add_anchor(
                             &w2, 1, parse(C_ROOT_A), NULL, 0),
                         CAPTLS_ERR_LIMIT_EXCEEDED);
        assert_int_equal(small.arena_used, 0);
        assert_int_equal(captls_trust_store_count(&small), 0);
    }
}

static void test_store_full(void **state)
{
    (void)state;
    captls_trust_store ts;
    captls_trust_anchor_info slots[1];
    captls_trust_store_writer w;
    assert_int_equal(captls_trust_store_init(&ts, slots, 1, NULL, 0, false),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_init(&w, &ts, NULL, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_add_anchor(
                         &w, 1, parse(C_ROOT_A), NULL, 0), CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_add_anchor(
                         &w, 1, parse(C_ROOT_B), NULL, 0),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    /* a view cannot have a writer */
    {
        captls_trust_store view;
        captls_trust_anchor_info vs[1];
        captls_trust_filter f;
        memset(&f, 0, sizeof(f));
        assert_int_equal(captls_trust_store_restrict(&ts, &f, &view, vs, 1),
                         CAPTLS_OK);
        assert_int_equal(captls_trust_store_writer_init(&w, &view, NULL, NULL),
                         CAPTLS_ERR_INVALID_ARGUMENT);
    }
}

/* ---- restrict ----------------------------------------------------------- */

static void three_roots(void)
{
    setup_store(false);
    add(C_ROOT_A, 0);              /* all purposes */
    add(C_ROOT_B, 0);              /* server auth (EKU) */
    add(C_ROOT_A2, P(CODE_SIGNING));
}

static void test_restrict_purposes(void **state)
{
    (void)state;
    captls_trust_store view;
    captls_trust_anchor_info vs[8];
    captls_trust_filter f;
    memset(&f, 0, sizeof(f));
    three_roots();
    f.purposes = P(TLS_SERVER_AUTH);
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_OK);
    assert_true(captls_trust_store_is_view(&view));
    assert_int_equal(captls_trust_store_count(&view), 2);
    /* root A kept, but only for the filtered purpose */
    assert_int_equal(captls_trust_store_anchor_at(&view, 0)->purposes,
                     P(TLS_SERVER_AUTH));
    assert_int_equal(captls_trust_store_version(&view), 3);
    /* not enough room for the view */
    f.purposes = 0;
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 2),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
}

static void test_restrict_fingerprints_and_exclude(void **state)
{
    (void)state;
    captls_trust_store view;
    captls_trust_anchor_info vs[8];
    captls_trust_filter f;
    uint8_t allow[2][32], excl[1][32];
    memset(&f, 0, sizeof(f));
    three_roots();
    fp_of(C_ROOT_A, allow[0]);
    fp_of(C_ROOT_B, allow[1]);
    f.fingerprints = (const uint8_t(*)[32])allow;
    f.fingerprint_count = 2;
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_count(&view), 2);
    fp_of(C_ROOT_B, excl[0]);
    f.exclude_fingerprints = (const uint8_t(*)[32])excl;
    f.exclude_count = 1;
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_count(&view), 1);
    assert_memory_equal(captls_trust_store_anchor_at(&view, 0)->fingerprint,
                        allow[0], 32);
    assert_null(captls_trust_store_find_by_fingerprint(&view, excl[0]));
    /* exclude only */
    f.fingerprint_count = 0;
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_count(&view), 2);
    /* too many entries */
    f.exclude_count = CAPTLS_TRUST_FILTER_MAX + 1;
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
}

static void test_restrict_subjects(void **state)
{
    (void)state;
    captls_trust_store view;
    captls_trust_anchor_info vs[8];
    captls_trust_filter f;
    captls_slice subj[1];
    uint8_t copy[256];
    memset(&f, 0, sizeof(f));
    three_roots();
    /* the filter is copied: the caller's subject bytes may go away */
    memcpy(copy, certs[C_ROOT_A].subject.raw.ptr, certs[C_ROOT_A].subject.raw.len);
    subj[0].ptr = copy;
    subj[0].len = certs[C_ROOT_A].subject.raw.len;
    f.subjects = subj;
    f.subject_count = 1;
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_OK);
    memset(copy, 0, sizeof(copy));
    assert_int_equal(captls_trust_store_count(&view), 2); /* A and A2 */
    /* a subject that is not a Name */
    subj[0].ptr = (const uint8_t *)"\x30\x03\x02\x01\x01";
    subj[0].len = 5;
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_ERR_MALFORMED);
}

/* ---- snapshots ------------------------------------------------------------ */

static void test_snapshot_stale_then_refresh(void **state)
{
    (void)state;
    captls_trust_store view, inner;
    captls_trust_anchor_info vs[8], is[8];
    captls_trust_filter f;
    captls_anchor_selector sel;
    uint8_t fp_a[32];
    bool changed = true;

    memset(&f, 0, sizeof(f));
    three_roots();
    f.purposes = P(TLS_SERVER_AUTH);
    assert_int_equal(captls_trust_store_restrict(&F.root, &f, &view, vs, 8),
                     CAPTLS_OK);
    memset(&f, 0, sizeof(f));
    assert_int_equal(captls_trust_store_restrict(&view, &f, &inner, is, 8),
                     CAPTLS_OK);
    assert_false(captls_trust_store_is_stale(&view));
    assert_int_equal(captls_trust_store_refresh(&view, &changed), CAPTLS_OK);
    assert_false(changed);

    /* the owner removes root A (compromised) */
    memset(&sel, 0, sizeof(sel));
    sel.kind = CAPTLS_ANCHOR_BY_FINGERPRINT;
    fp_of(C_ROOT_A, fp_a);
    memcpy(sel.fingerprint, fp_a, 32);
    assert_int_equal(captls_trust_store_writer_remove_anchor(&F.writer, 1,
                                                             &sel, NULL),
                     CAPTLS_OK);
    assert_null(captls_trust_store_find_by_fingerprint(&F.root, fp_a));
    /* holders of the stale view keep trusting it ... */
    assert_true(captls_trust_store_is_stale(&view));
    assert_non_null(captls_trust_store_find_by_fingerprint(&view, fp_a));
    assert_int_equal(captls_trust_store_version(&view), 3);
    /* ... until they pick up the new version */
    assert_int_equal(captls_trust_store_refresh(&view, &changed), CAPTLS_OK);
    assert_true(changed);
    assert_false(captls_trust_store_is_stale(&view));
    assert_null(captls_trust_store_find_by_fingerprint(&view, fp_a));
    assert_int_equal(captls_trust_store_count(&view), 1);
    assert_int_equal(captls_trust_store_version(&view), 4);
    /* a view of the view follows its source's snapshot */
    assert_true(captls_trust_store_is_stale(&inner));
    assert_non_null(captls_trust_store_find_by_fingerprint(&inner, fp_a));
    assert_int_equal(captls_trust_store_refresh(&inner, &changed), CAPTLS_OK);
    assert_null(captls_trust_store_find_by_fingerprint(&inner, fp_a));

    /* a refresh that does not fit keeps the old snapshot */
    {
        captls_trust_store small;
        captls_trust_anchor_info ss[1];
        memset(&f, 0, sizeof(f));
        assert_int_equal(captls_trust_store_restrict(&F.root, &f, &small, ss, 1),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
        f.purposes = P(TLS_SERVER_AUTH);
        assert_int_equal(captls_trust_store_restrict(&F.root, &f, &small, ss, 1),
                         CAPTLS_OK);
        add(C_ROOT_C, 0); /* serves server auth too: 2 now */
        assert_int_equal(captls_trust_store_refresh(&small, &changed),
                         CAPTLS_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(captls_trust_store_count(&small), 1);
        assert_true(captls_trust_store_is_stale(&small));
    }
}

static void test_anchor_source(void **state)
{
    (void)state;
    captls_trust_source_ctx ctx;
    captls_anchor_source src;
    captls_trust_anchor out;
    size_t cursor = 0;
    three_roots();
    captls_trust_store_anchor_source(&F.root, CAPTLS_PURPOSE_TLS_SERVER_AUTH,
                                     &ctx, &src);
    assert_int_equal(src.version, 3);
    /* subject "Test Root A": root A serves server auth, A2 code signing only */
    assert_int_equal(src.next_by_subject(src.ctx, &certs[C_ROOT_A].subject,
                                         &cursor, &out),
                     CAPTLS_OK);
    assert_int_equal(out.id, 0);
    assert_null(out.cert);
    assert_memory_equal(out.spki.ptr, certs[C_ROOT_A].spki_raw.ptr,
                        out.spki.len);
    assert_int_equal(out.key_id.len, certs[C_ROOT_A].ski.len);
    assert_int_equal(src.next_by_subject(src.ctx, &certs[C_ROOT_A].subject,
                                         &cursor, &out),
                     CAPTLS_ERR_NOT_FOUND);
    captls_trust_store_anchor_source(&F.root, CAPTLS_PURPOSE_CODE_SIGNING,
                                     &ctx, &src);
    cursor = 0;
    assert_int_equal(src.next_by_subject(src.ctx, &certs[C_ROOT_A].subject,
                                         &cursor, &out),
                     CAPTLS_OK);
    assert_int_equal(src.next_by_subject(src.ctx, &certs[C_ROOT_A].subject,
                                         &cursor, &out),
                     CAPTLS_OK);
    assert_int_equal(out.id, 2);
}

/* ---- audit ---------------------------------------------------------------- */

static void test_audit_records(void **state)
{
    (void)state;
    char line[CAPTLS_AUDIT_LINE_MAX];
    char hex[65];
    uint8_t fp[32];
    size_t len;
    setup_store(false);
    add(C_ROOT_A, 0);
    assert_int_equal(F.sink.n, 1);
    assert_int_equal(F.sink.recs[0].iface, CAPTLS_IFACE_TRUST_STORE_WRITER);
    assert_int_equal(F.sink.recs[0].method, CAPTLS_TRUST_STORE_M_ADD_ANCHOR);
    assert_int_equal(F.sink.recs[0].outcome, CAPTLS_OK);
    assert_int_equal(F.sink.recs[0].actor, 1);
    assert_string_equal(F.sink.recs[0].event, "trust.addAnchor");
    fp_of(C_ROOT_A, fp);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = "0123456789abcdef"[fp[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[fp[i] & 15];
    }
    hex[64] = '\0';
    assert_non_null(strstr(F.sink.recs[0].detail, hex));
    assert_non_null(strstr(F.sink.recs[0].detail, "CN=Test Root A"));
    assert_int_equal(captls_audit_format(&F.sink.recs[0], line, sizeof(line),
                                         &len), CAPTLS_OK);
    /* a refused add is audited with its outcome */
    assert_int_equal(captls_trust_store_writer_add_anchor(
                         &F.writer, 2, parse(C_ROOT_A), NULL, 0),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(F.sink.n, 2);
    assert_int_equal(F.sink.recs[1].outcome, CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(F.sink.recs[1].actor, 2);
    /* fail closed: a sink that refuses blocks the change */
    F.sink.fail_with = CAPTLS_ERR_DISK_FULL;
    assert_int_equal(captls_trust_store_writer_add_anchor(
                         &F.writer, 1, parse(C_ROOT_B), NULL, 0),
                     CAPTLS_ERR_DISK_FULL);
    assert_int_equal(captls_trust_store_count(&F.root), 1);
    assert_int_equal(captls_trust_store_version(&F.root), 1);
    {
        captls_anchor_selector sel;
        memset(&sel, 0, sizeof(sel));
        sel.kind = CAPTLS_ANCHOR_BY_FINGERPRINT;
        memcpy(sel.fingerprint, fp, 32);
        assert_int_equal(captls_trust_store_writer_remove_anchor(&F.writer, 1,
                                                                 &sel, NULL),
                         CAPTLS_ERR_DISK_FULL);
        assert_int_equal(captls_trust_store_count(&F.root), 1);
        F.sink.fail_with = CAPTLS_OK;
        assert_int_equal(captls_trust_store_writer_remove_anchor(&F.writer, 1,
                                                                 &sel, NULL),
                         CAPTLS_OK);
        assert_string_equal(F.sink.recs[F.sink.n - 1].event,
                            "trust.removeAnchor");
        assert_int_equal(F.sink.recs[F.sink.n - 1].method,
                         CAPTLS_TRUST_STORE_M_REMOVE_ANCHOR);
    }
}

/* ---- capabilities --------------------------------------------------------- */

enum { OWNER = 1, HOLDER = 2 };

typedef struct caps {
    captls_cap_table t;
    captls_cap_slot slots[32];
    captls_cap_handle store, writer;
} caps;

static void setup_caps(caps *c)
{
    assert_int_equal(captls_cap_table_init(&c->t, c->slots, 32), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&c->t, OWNER, CAPTLS_IFACE_TRUST_STORE,
                                     &F.root, CAPTLS_RIGHTS_ALL, &c->store),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&c->t, OWNER,
                                     CAPTLS_IFACE_TRUST_STORE_WRITER, &F.writer,
                                     CAPTLS_RIGHTS_ALL, &c->writer),
                     CAPTLS_OK);
}

static void test_cap_writer_only_mutation(void **state)
{
    (void)state;
    caps c;
    captls_cap_handle ro;
    uint64_t v;
    setup_store(false);
    setup_caps(&c);
    assert_int_equal(captls_trust_store_writer_cap_add_anchor(
                         &c.t, OWNER, c.writer, parse(C_ROOT_A), NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_cap_version(&c.t, OWNER, c.store, &v),
                     CAPTLS_OK);
    assert_int_equal(v, 1);
    /* a TrustStore (read) handle cannot add, whatever its rights */
    assert_int_equal(captls_trust_store_writer_cap_add_anchor(
                         &c.t, OWNER, c.store, parse(C_ROOT_B), NULL, 0),
                     CAPTLS_ERR_WRONG_INTERFACE);
    /* a writer handle without WRITE cannot either */
    assert_int_equal(captls_cap_attenuate(&c.t, OWNER, c.writer,
                                          CAPTLS_RIGHT_CALL, &ro),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_cap_add_anchor(
                         &c.t, OWNER, ro, parse(C_ROOT_B), NULL, 0),
                     CAPTLS_ERR_NO_AUTHORITY);
    {
        captls_anchor_selector sel;
        memset(&sel, 0, sizeof(sel));
        sel.kind = CAPTLS_ANCHOR_BY_FINGERPRINT;
        fp_of(C_ROOT_A, sel.fingerprint);
        assert_int_equal(captls_trust_store_writer_cap_remove_anchor(
                             &c.t, OWNER, ro, &sel, NULL),
                         CAPTLS_ERR_NO_AUTHORITY);
        assert_int_equal(captls_trust_store_writer_cap_remove_anchor(
                             &c.t, OWNER, c.store, &sel, NULL),
                         CAPTLS_ERR_WRONG_INTERFACE);
    }
    /* the writer handle is not a TrustStore */
    assert_int_equal(captls_trust_store_cap_version(&c.t, OWNER, c.writer, &v),
                     CAPTLS_ERR_WRONG_INTERFACE);
    /* revoked writer: stale */
    assert_int_equal(captls_cap_revoke(&c.t, OWNER, c.writer, NULL), CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_cap_add_anchor(
                         &c.t, OWNER, c.writer, parse(C_ROOT_B), NULL, 0),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_trust_store_writer_cap_add_anchor(
                         &c.t, OWNER, ro, parse(C_ROOT_B), NULL, 0),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_trust_store_count(&F.root), 1);
}

static void test_cap_restricted_view_confined(void **state)
{
    (void)state;
    caps c;
    captls_cap_handle mine, view_h, nod;
    captls_trust_store view, view2;
    captls_trust_anchor_info vs[8], vs2[8], listed[8];
    captls_trust_filter f;
    uint8_t excl[1][32];
    size_t n, total;
    bool changed;

    three_roots();
    setup_caps(&c);
    /* the owner grants HOLDER a read cap ... */
    assert_int_equal(captls_cap_grant(&c.t, OWNER, c.store, HOLDER, &mine),
                     CAPTLS_OK);
    /* ... who narrows it, excluding root B */
    memset(&f, 0, sizeof(f));
    fp_of(C_ROOT_B, excl[0]);
    f.exclude_fingerprints = (const uint8_t(*)[32])excl;
    f.exclude_count = 1;
    assert_int_equal(captls_trust_store_cap_restrict(
                         &c.t, HOLDER, mine, &f, &view, vs, 8,
                         CAPTLS_RIGHT_CALL, &view_h),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_cap_anchors(&c.t, HOLDER, view_h, 0,
                                                    listed, 8, &n, &total),
                     CAPTLS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    for (size_t i = 0; i < n; i++)
        assert_memory_not_equal(listed[i].fingerprint, excl[0], 32);
    /* paging */
    assert_int_equal(captls_trust_store_cap_anchors(&c.t, HOLDER, view_h, 1,
                                                    listed, 8, &n, NULL),
                     CAPTLS_OK);
    assert_int_equal(n, 1);
    /* the view handle has no DERIVE: it cannot be restricted further */
    memset(&f, 0, sizeof(f));
    assert_int_equal(captls_trust_store_cap_restrict(
                         &c.t, HOLDER, view_h, &f, &view2, vs2, 8,
                         CAPTLS_RIGHT_CALL, &nod),
                     CAPTLS_ERR_NO_AUTHORITY);
    /* asking for more rights than the parent holds */
    {
        captls_cap_handle narrow;
        assert_int_equal(captls_cap_attenuate(&c.t, HOLDER, mine,
                                              CAPTLS_RIGHT_CALL |
                                                  CAPTLS_RIGHT_DERIVE,
                                              &narrow),
                         CAPTLS_OK);
        assert_int_equal(captls_trust_store_cap_restrict(
                             &c.t, HOLDER, narrow, &f, &view2, vs2, 8,
                             CAPTLS_RIGHTS_ALL, &nod),
                         CAPTLS_ERR_RIGHTS_ESCALATION);
    }
    /* the holder has no writer handle; its view handle is not one */
    assert_int_equal(captls_trust_store_writer_cap_add_anchor(
                         &c.t, HOLDER, view_h, parse(C_ROOT_C), NULL, 0),
                     CAPTLS_ERR_WRONG_INTERFACE);
    /* nor can it use the owner's writer handle */
    assert_int_not_equal(captls_trust_store_writer_cap_add_anchor(
                             &c.t, HOLDER, c.writer, parse(C_ROOT_C), NULL, 0),
                         CAPTLS_OK);
    assert_int_equal(captls_trust_store_count(&F.root), 3);
    /* owner changes the root: the view is stale until refreshed */
    assert_int_equal(captls_trust_store_writer_cap_add_anchor(
                         &c.t, OWNER, c.writer, parse(C_ROOT_C), NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_cap_anchors(&c.t, HOLDER, view_h, 0,
                                                    listed, 8, &n, NULL),
                     CAPTLS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(captls_trust_store_cap_refresh(&c.t, HOLDER, view_h,
                                                    &changed),
                     CAPTLS_OK);
    assert_true(changed);
    assert_int_equal(captls_trust_store_cap_anchors(&c.t, HOLDER, view_h, 0,
                                                    listed, 8, &n, NULL),
                     CAPTLS_OK);
    assert_int_equal(n, 3);
    /* revoking the granted cap ends the view handle derived from it */
    assert_int_equal(captls_cap_revoke(&c.t, OWNER, c.store, NULL), CAPTLS_OK);
    assert_int_equal(captls_trust_store_cap_anchors(&c.t, HOLDER, view_h, 0,
                                                    listed, 8, &n, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_trust_store_cap_refresh(&c.t, HOLDER, view_h, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
    {
        uint64_t v;
        assert_int_equal(captls_trust_store_cap_version(&c.t, HOLDER, mine, &v),
                         CAPTLS_ERR_STALE_HANDLE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_args),
        cmocka_unit_test(test_add_list_version),
        cmocka_unit_test(test_duplicate_add),
        cmocka_unit_test(test_purposes_narrowed),
        cmocka_unit_test(test_pin),
        cmocka_unit_test(test_remove_by_fingerprint_and_subject),
        cmocka_unit_test(test_arena_copy_and_name_constraints),
        cmocka_unit_test(test_store_full),
        cmocka_unit_test(test_restrict_purposes),
        cmocka_unit_test(test_restrict_fingerprints_and_exclude),
        cmocka_unit_test(test_restrict_subjects),
        cmocka_unit_test(test_snapshot_stale_then_refresh),
        cmocka_unit_test(test_anchor_source),
        cmocka_unit_test(test_audit_records),
        cmocka_unit_test(test_cap_writer_only_mutation),
        cmocka_unit_test(test_cap_restricted_view_confined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
