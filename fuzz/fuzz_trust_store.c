/* Fuzz harness: TrustStore as a state machine (core/trust/trust_store.c).
 *
 * The input drives a sequence of operations on one root store (4 slots, a
 * small arena, copy mode from the first byte) and two views (a view of the
 * root and a view of that view): addAnchor of fixed test certificates or of
 * a certificate taken from the input itself (DER, length-prefixed), remove
 * by fingerprint or subject, restrict with filters built from input bytes,
 * refresh, and the anchor-source enumeration the path builder uses.
 * Properties beyond "no crash": the root's version never goes back and
 * moves exactly on successful mutations; no duplicate fingerprints; a view
 * never holds an excluded or non-allow-listed fingerprint nor a purpose
 * outside its filter; a fresh (non-stale) view holds only anchors its
 * source holds; every anchor slice lies inside its DER. Builds for
 * libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/trust/test_certs.h"
#include "core/trust/trust_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIX 5
#define NCERT (NFIX + 1)

static captls_certificate certs[NCERT];
static bool have[NCERT];
static uint8_t fps[NCERT][32];

typedef struct rd {
    const uint8_t *p;
    size_t n;
} rd;

static uint8_t byte(rd *r)
{
    uint8_t b;
    if (r->n == 0)
        return 0;
    b = r->p[0];
    r->p++;
    r->n--;
    return b;
}

static void parse_fixed(void)
{
    static const struct { const uint8_t *p; size_t n; } src[NFIX] = {
        {root_a, sizeof(root_a)}, {root_a2, sizeof(root_a2)},
        {root_b, sizeof(root_b)}, {root_c, sizeof(root_c)},
        {leaf_a, sizeof(leaf_a)},
    };
    for (size_t i = 0; i < NFIX; i++) {
        have[i] = captls_certificate_parse(&certs[i], src[i].p, src[i].n,
                                           NULL) == CAPTLS_OK;
        if (!have[i])
            abort(); /* the fixed certificates always parse */
    }
}

static bool inside(captls_slice outer, captls_slice s)
{
    return s.len == 0 || (s.ptr >= outer.ptr && s.len <= outer.len &&
                          (size_t)(s.ptr - outer.ptr) <= outer.len - s.len);
}

static void check_anchor(const captls_trust_anchor_info *a)
{
    if (!inside(a->der, a->subject.raw) || !inside(a->der, a->spki) ||
        !inside(a->der, a->key_id) || !inside(a->der, a->name_constraints) ||
        (a->purposes & ~CAPTLS_PURPOSE_ALL) != 0 || a->purposes == 0)
        abort();
}

static void check_view(const captls_trust_store *v,
                       const captls_trust_filter *f)
{
    const captls_trust_store *src = v->source;
    for (size_t i = 0; i < captls_trust_store_count(v); i++) {
        const captls_trust_anchor_info *a = captls_trust_store_anchor_at(v, i);
        check_anchor(a);
        for (size_t k = 0; k < f->exclude_count; k++)
            if (memcmp(f->exclude_fingerprints[k], a->fingerprint, 32) == 0)
                abort();
        if (f->fingerprint_count != 0) {
            bool ok = false;
            for (size_t k = 0; k < f->fingerprint_count; k++)
                ok |= memcmp(f->fingerprints[k], a->fingerprint, 32) == 0;
            if (!ok)
                abort();
        }
        if (f->purposes != 0 && (a->purposes & ~f->purposes) != 0)
            abort();
        if (!captls_trust_store_is_stale(v) &&
            captls_trust_store_find_by_fingerprint(src, a->fingerprint) == NULL)
            abort();
    }
}

/* A filter from input bytes; the arrays live in the caller's frame. */
static void make_filter(rd *r, captls_trust_filter *f, uint8_t (*allow)[32],
                        uint8_t (*excl)[32], captls_slice *subj)
{
    uint8_t pa = byte(r), fa = byte(r), fe = byte(r), fs = byte(r);
    memset(f, 0, sizeof(*f));
    f->purposes = pa & CAPTLS_PURPOSE_ALL;
    for (size_t i = 0; i < NCERT; i++) {
        if (!have[i])
            continue;
        if (fa & (1u << i))
            memcpy(allow[f->fingerprint_count++], fps[i], 32);
        if (fe & (1u << i))
            memcpy(excl[f->exclude_count++], fps[i], 32);
        if (fs & (1u << i))
            subj[f->subject_count++] = certs[i].subject.raw;
    }
    f->fingerprints = (const uint8_t(*)[32])allow;
    f->exclude_fingerprints = (const uint8_t(*)[32])excl;
    f->subjects = subj;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    static captls_trust_store root, v1, v2;
    static captls_trust_anchor_info s_root[4], s_v1[4], s_v2[4];
    static uint8_t arena[3000];
    static captls_trust_store_writer w;
    static uint8_t own_der[2048];
    captls_trust_filter f1, f2;
    uint8_t allow1[NCERT][32], excl1[NCERT][32], allow2[NCERT][32],
        excl2[NCERT][32];
    captls_slice subj1[NCERT], subj2[NCERT];
    bool v1_ok = false, v2_ok = false;
    uint64_t last_version = 0;
    rd r = {data, size};
    size_t own;

    if (!init) {
        parse_fixed();
        init = true;
    }
    for (size_t i = 0; i < NFIX; i++) {
        uint8_t d[CAPTLS_HASH_MAX_SIZE];
        size_t n;
        if (captls_certificate_fingerprint(&certs[i], CAPTLS_HASH_SHA256, d,
                                           &n) != CAPTLS_OK)
            abort();
        memcpy(fps[i], d, 32);
    }
    /* an input certificate: 2-byte length, then DER */
    own = ((size_t)byte(&r) << 8) | byte(&r);
    have[NFIX] = false;
    if (own != 0 && own <= r.n && own <= sizeof(own_der)) {
        uint8_t d[CAPTLS_HASH_MAX_SIZE];
        size_t n;
        memcpy(own_der, r.p, own);
        r.p += own;
        r.n -= own;
        if (captls_certificate_parse(&certs[NFIX], own_der, own, NULL) ==
                CAPTLS_OK &&
            captls_certificate_fingerprint(&certs[NFIX], CAPTLS_HASH_SHA256, d,
                                           &n) == CAPTLS_OK) {
            memcpy(fps[NFIX], d, 32);
            have[NFIX] = true;
        }
    }
    if (captls_trust_store_init(&root, s_root, 4, arena, sizeof(arena),
                                (byte(&r) & 1) != 0) != CAPTLS_OK ||
        captls_trust_store_writer_init(&w, &root, NULL, NULL) != CAPTLS_OK)
        abort();

    for (int steps = 0; r.n > 0 && steps < 256; steps++) {
        uint8_t op = byte(&r), k = byte(&r) % NCERT;
        uint64_t before = captls_trust_store_version(&root);
        captls_result res = CAPTLS_ERR_INVALID_ARGUMENT;
        bool mutation = false;
        switch (op % 8) {
        case 0:
            if (have[k]) {
                res = captls_trust_store_writer_add_anchor(
                    &w, 0, &certs[k], NULL, byte(&r) & CAPTLS_PURPOSE_ALL);
                mutation = true;
            }
            break;
        case 1:
        case 2:
            if (have[k]) {
                captls_anchor_selector sel;
                memset(&sel, 0, sizeof(sel));
                sel.kind = op % 8 == 1 ? CAPTLS_ANCHOR_BY_FINGERPRINT
                                       : CAPTLS_ANCHOR_BY_SUBJECT;
                memcpy(sel.fingerprint, fps[k], 32);
                sel.subject = certs[k].subject.raw;
                res = captls_trust_store_writer_remove_anchor(&w, 0, &sel,
                                                              NULL);
                mutation = true;
            }
            break;
        case 3:
            make_filter(&r, &f1, allow1, excl1, subj1);
            v1_ok = captls_trust_store_restrict(&root, &f1, &v1, s_v1, 4) ==
                    CAPTLS_OK;
            v2_ok = false; /* v2's source was rebuilt */
            break;
        case 4:
            if (v1_ok) {
                make_filter(&r, &f2, allow2, excl2, subj2);
                v2_ok = captls_trust_store_restrict(&v1, &f2, &v2, s_v2, 4) ==
                        CAPTLS_OK;
            }
            break;
        case 5:
            if (v1_ok)
                (void)captls_trust_store_refresh(&v1, NULL);
            break;
        case 6:
            if (v2_ok)
                (void)captls_trust_store_refresh(&v2, NULL);
            break;
        default:
            if (have[k]) {
                captls_trust_source_ctx ctx;
                captls_anchor_source src;
                captls_trust_anchor out;
                size_t cursor = 0;
                int guard = 0;
                captls_trust_store_anchor_source(
                    v1_ok ? &v1 : &root,
                    (captls_cert_purpose)(byte(&r) % CAPTLS_PURPOSE_COUNT),
                    &ctx, &src);
                while (src.next_by_subject(src.ctx, &certs[k].subject, &cursor,
                                           &out) == CAPTLS_OK)
                    if (++guard > 4)
                        abort();
            }
            break;
        }
        /* version: monotonic, moves exactly on successful mutations */
        if (captls_trust_store_version(&root) < last_version)
            abort();
        if (mutation && (res == CAPTLS_OK) !=
                            (captls_trust_store_version(&root) == before + 1))
            abort();
        if (!mutation && captls_trust_store_version(&root) != before)
            abort();
        last_version = captls_trust_store_version(&root);
        for (size_t i = 0; i < captls_trust_store_count(&root); i++) {
            const captls_trust_anchor_info *a =
                captls_trust_store_anchor_at(&root, i);
            check_anchor(a);
            for (size_t j = 0; j < i; j++)
                if (memcmp(captls_trust_store_anchor_at(&root, j)->fingerprint,
                           a->fingerprint, 32) == 0)
                    abort();
        }
        if (v1_ok)
            check_view(&v1, &f1);
        if (v2_ok)
            check_view(&v2, &f2);
    }
    return 0;
}
