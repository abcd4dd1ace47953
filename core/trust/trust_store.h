/* core/trust/trust_store.h — TrustStore (seed 001): trust anchors, restricted
 * views with their own snapshots, and a separate write-authority object.
 *
 * Objects. Three kinds, all in caller-owned memory, none allocating:
 *   - a root store (captls_trust_store_init): the anchors a service owns;
 *     its version() moves on every successful addAnchor/removeAnchor;
 *   - a restricted view (captls_trust_store_restrict): a fresh TrustStore
 *     holding COPIES of the anchor records its filter admits, taken from
 *     its source (a root store or another view) at one moment: its
 *     snapshot. It no longer references anchors outside the filter. When
 *     the source changes, the view keeps trusting exactly its snapshot —
 *     seed 001: "holders of a stale restricted view that still trusts it
 *     keep trusting it until they pick up the new version" — until its
 *     holder calls captls_trust_store_refresh, which re-applies the stored
 *     filter to the source's current anchors. A view's version() is the
 *     source version its snapshot was taken at; captls_trust_store_is_stale
 *     tells whether the source has moved since. A view of a view refreshes
 *     from its source's snapshot as it is (authority flows through the
 *     source; refresh the outer view first to pick up the root's change).
 *   - a writer (captls_trust_store_writer_init) over a root store: the only
 *     object with addAnchor/removeAnchor. A TrustStore object, root or view,
 *     has no mutating method at all, and a view has no writer.
 *
 * Capabilities. Programs reach these objects only through a cap table
 * (core/cap/cap_table.h): mint a root store under CAPTLS_IFACE_TRUST_STORE
 * and its writer under CAPTLS_IFACE_TRUST_STORE_WRITER, then call the
 * captls_trust_store_cap_* / captls_trust_store_writer_cap_* functions with
 * (table, owner, handle). They look the handle up with the interface and
 * rights each method needs (reads: CAPTLS_RIGHT_CALL; restrict:
 * CALL + DERIVE, and the view is minted with captls_cap_derive so revoking
 * the parent ends it; writer methods: CAPTLS_RIGHT_WRITE on a writer
 * handle), so a handle of the wrong interface is CAPTLS_ERR_WRONG_INTERFACE,
 * a missing right CAPTLS_ERR_NO_AUTHORITY, a dropped or revoked handle
 * CAPTLS_ERR_STALE_HANDLE — and nothing happens.
 *
 * Memory and lifetimes. Anchor records live in an array the caller hands to
 * init/restrict (at most CAPTLS_TRUST_MAX_ANCHORS). A record is small (slices
 * plus two SHA-256 digests); the certificate DER it points at is either
 * BORROWED (copy_der false: the caller keeps every added certificate's DER
 * alive and unchanged for as long as the store or any view of it is used)
 * or COPIED into the store's caller-provided arena at addAnchor (copy_der
 * true). The arena also holds the parsed name-constraint subtrees of the
 * anchors that carry them (CAPTLS_TRUST_NC_ARENA_BYTES(n) for n subtrees),
 * so an anchor with name constraints needs an arena even in borrow mode.
 * The arena is append-only on purpose: removing an anchor never reclaims
 * its bytes, so the snapshot of a stale view stays valid; a store whose
 * arena is full refuses further adds with CAPTLS_ERR_LIMIT_EXCEEDED. A
 * view points at its
 * source (for refresh) and must not outlive it. Filters are copied into
 * the view (fingerprints, and subjects up to CAPTLS_TRUST_FILTER_SUBJECT_BYTES
 * in total), so the caller's filter may go away after restrict.
 *
 * Failure: every function returns a captls_result and changes nothing on
 * error (a failed refresh keeps the old snapshot; a failed add or remove
 * leaves anchors and version as they were). Not thread-safe.
 *
 * Audit: the writer emits one audit record (core/cap/audit.h) per addAnchor
 * and removeAnchor, success or failure, with the anchor's SHA-256
 * fingerprint and its subject (sanitized) as detail. If the sink refuses
 * the record of a change, the change is not made and the sink's error is
 * returned (fail closed: no unaudited mutation).
 *
 * NOT checked here: whether an anchor certificate is currently valid, is a
 * CA, or is self-signed — addAnchor accepts it; the record keeps what the
 * certificate says (captls_anchor_cert_data: validity, basicConstraints,
 * pathLen, keyUsage, unknown critical extensions) and the path validator
 * refuses a path through an anchor that fails them (verify_chain.h), as it
 * does for the same certificate given as a list.
 */
#ifndef CAPTLS_TRUST_TRUST_STORE_H
#define CAPTLS_TRUST_TRUST_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/verify/policy.h"
#include "core/verify/verify_chain.h"
#include "core/x509/certificate.h"
#include "port/port.h"

/* Anchors in one store or view. Debian's Mozilla bundle holds 144, private
 * stores a handful; 512 leaves room while bounding the anchor scan every
 * path-building step makes (issuer lookup is linear over the snapshot). */
#define CAPTLS_TRUST_MAX_ANCHORS 512u
/* Entries per TrustFilter list: allow-lists name specific CAs; 16 bounds
 * the per-anchor comparisons of restrict/refresh to 16 * 3 per anchor. */
#define CAPTLS_TRUST_FILTER_MAX 16u
/* Bytes of subject DN DER a view keeps for its subject allow-list (real
 * root subjects are 50..250 bytes). */
#define CAPTLS_TRUST_FILTER_SUBJECT_BYTES 2048u
#define CAPTLS_TRUST_FP_SIZE 32u /* SHA-256 */

/* Seed method ordinals, used as audit/IPC method ids. */
enum {
    CAPTLS_TRUST_STORE_M_ANCHORS = 0,
    CAPTLS_TRUST_STORE_M_RESTRICT = 1,
    CAPTLS_TRUST_STORE_M_ADD_ANCHOR = 2,
    CAPTLS_TRUST_STORE_M_REMOVE_ANCHOR = 3,
    CAPTLS_TRUST_STORE_M_VERSION = 4,
    CAPTLS_TRUST_STORE_M_REFRESH = 5, /* captls: pick up the new version */
};

/* Seed TrustAnchorInfo: what path validation needs from an anchor. All
 * slices point into `der` (borrowed or arena; see above); the subtree
 * arrays live in the arena. */
typedef struct captls_trust_anchor_info {
    captls_slice der;              /* the anchor certificate */
    captls_x509_name subject;      /* its subject Name */
    captls_slice spki;             /* its SubjectPublicKeyInfo TLV */
    captls_slice key_id;           /* subjectKeyIdentifier, or empty */
    captls_slice name_constraints; /* nameConstraints extnValue, or empty */
    const captls_general_name *nc_permitted; /* parsed subtrees (arena) */
    const captls_general_name *nc_excluded;
    uint16_t nc_permitted_count;
    uint16_t nc_excluded_count;
    uint8_t fingerprint[CAPTLS_TRUST_FP_SIZE]; /* SHA-256 of der */
    uint8_t spki_sha256[CAPTLS_TRUST_FP_SIZE]; /* SHA-256 of spki (pins) */
    uint32_t purposes;             /* CAPTLS_PURPOSE_BIT set it may serve */
    bool pinned;                   /* added with an AnchorPin (checked) */
    /* validity, basicConstraints, pathLen, keyUsage, unknown critical
     * extensions: the path validator applies them exactly as for the same
     * certificate given as a list (verify_chain.h, issue 16). */
    captls_anchor_cert_data data;
} captls_trust_anchor_info;

/* Seed TrustFilter, as the caller passes it. An empty list (count 0) does
 * not restrict on that axis; purposes 0 likewise. An anchor passes if it
 * serves at least one listed purpose (and keeps only those purposes in the
 * view), its fingerprint is allow-listed, its subject equals an
 * allow-listed Name (RFC 5280 §7.1 comparison, captls_x509_name_equal), and
 * its fingerprint is not excluded. Subjects are Name DER (SEQUENCE TLV). */
typedef struct captls_trust_filter {
    uint32_t purposes;
    const uint8_t (*fingerprints)[CAPTLS_TRUST_FP_SIZE];
    size_t fingerprint_count;
    const captls_slice *subjects;
    size_t subject_count;
    const uint8_t (*exclude_fingerprints)[CAPTLS_TRUST_FP_SIZE];
    size_t exclude_count;
} captls_trust_filter;

/* Seed AnchorPin: SHA-256 of the SubjectPublicKeyInfo DER. */
typedef struct captls_anchor_pin {
    captls_hash_alg hash; /* only CAPTLS_HASH_SHA256 */
    uint8_t spki_hash[CAPTLS_TRUST_FP_SIZE];
} captls_anchor_pin;

/* Seed AnchorSelector. */
typedef enum captls_anchor_selector_kind {
    CAPTLS_ANCHOR_BY_FINGERPRINT = 0,
    CAPTLS_ANCHOR_BY_SUBJECT = 1,
} captls_anchor_selector_kind;

typedef struct captls_anchor_selector {
    captls_anchor_selector_kind kind;
    uint8_t fingerprint[CAPTLS_TRUST_FP_SIZE]; /* BY_FINGERPRINT */
    captls_slice subject;                      /* BY_SUBJECT: Name DER */
} captls_anchor_selector;

/* The filter as a view keeps it (copied). */
typedef struct captls_trust_filter_copy {
    uint32_t purposes;
    uint8_t nfp, nsubj, nexcl;
    uint8_t fp[CAPTLS_TRUST_FILTER_MAX][CAPTLS_TRUST_FP_SIZE];
    uint8_t excl[CAPTLS_TRUST_FILTER_MAX][CAPTLS_TRUST_FP_SIZE];
    uint16_t subj_off[CAPTLS_TRUST_FILTER_MAX];
    uint16_t subj_len[CAPTLS_TRUST_FILTER_MAX];
    uint8_t subj_bytes[CAPTLS_TRUST_FILTER_SUBJECT_BYTES];
} captls_trust_filter_copy;

typedef struct captls_trust_store {
    uint32_t magic;                 /* root or view; see trust_store.c */
    captls_trust_anchor_info *anchors;   /* caller's array */
    uint32_t count;
    uint32_t cap;
    uint64_t version;               /* root: mutations; view: snapshot's */
    const struct captls_trust_store *source; /* view only */
    uint8_t *arena;                 /* root only, may be NULL (borrow) */
    size_t arena_cap;
    size_t arena_used;
    bool copy_der;
    captls_trust_filter_copy filter; /* view only */
} captls_trust_store;

#define CAPTLS_TRUST_STORE_SIZE sizeof(captls_trust_store)
#define CAPTLS_TRUST_ANCHOR_SIZE sizeof(captls_trust_anchor_info)

typedef struct captls_trust_store_writer {
    uint32_t magic;
    captls_trust_store *store;
    captls_clock clock;       /* audit timestamps (functions may be NULL) */
    captls_audit_sink audit;  /* append may be NULL: no audit */
} captls_trust_store_writer;

/* ---- plain objects (the owner's side) ------------------------------------ */

/* Arena bytes the parsed name constraints of one anchor take (n subtrees
 * in total, alignment slack included). */
#define CAPTLS_TRUST_NC_ARENA_BYTES(n) \
    ((size_t)(n) * sizeof(captls_general_name) + 2u * sizeof(void *))

/* A root store over anchors[0..nanchors) (1..CAPTLS_TRUST_MAX_ANCHORS).
 * arena may be NULL (arena_cap 0): then DER is borrowed and anchors with
 * name constraints are refused (LIMIT_EXCEEDED). copy_der needs an arena.
 * version starts at 0. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_init(
    captls_trust_store *ts, captls_trust_anchor_info *anchors, size_t nanchors,
    uint8_t *arena, size_t arena_cap, bool copy_der);

/* A writer over a root store (INVALID_ARGUMENT for a view). clock and
 * audit may be NULL. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_writer_init(
    captls_trust_store_writer *w, captls_trust_store *root,
    const captls_clock *clock, const captls_audit_sink *audit);

/* Seed addAnchor(cert, pin). `cert` was parsed by captls_certificate_parse
 * (its DER is borrowed or copied, see above); `pin` may be NULL, else the
 * SHA-256 of the SPKI must match (CAPTLS_ERR_PIN_MISMATCH). `purposes`
 * (CAPTLS_PURPOSE_BIT set) narrows what the anchor may serve; 0 means "as
 * the certificate allows". Either way the set is intersected with what the
 * certificate's EKU allows (no EKU extension: every purpose); an empty
 * result is INVALID_ARGUMENT. Same fingerprint already present:
 * CAPTLS_ERR_ALREADY_EXISTS. Full: LIMIT_EXCEEDED. Moves the version. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_writer_add_anchor(
    captls_trust_store_writer *w, captls_cap_owner actor,
    const captls_certificate *cert, const captls_anchor_pin *pin,
    uint32_t purposes);

/* Seed removeAnchor(selector): removes the anchor with that fingerprint, or
 * every anchor whose subject equals the Name. NOT_FOUND if none (version
 * unchanged); *removed (may be NULL) counts them. Moves the version. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_writer_remove_anchor(
    captls_trust_store_writer *w, captls_cap_owner actor,
    const captls_anchor_selector *sel, size_t *removed);

/* Seed restrict(filter): builds a view in *out over anchors[0..nanchors)
 * of the source's current anchors that pass the filter. Too many filter
 * entries or subject bytes: LIMIT_EXCEEDED; a subject that is not a Name:
 * MALFORMED; more passing anchors than nanchors: BUFFER_TOO_SMALL. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_restrict(
    const captls_trust_store *src, const captls_trust_filter *filter,
    captls_trust_store *out, captls_trust_anchor_info *anchors, size_t nanchors);

/* Picks up the source's current anchors (a no-op on a root store or a view
 * that is not stale). *changed (may be NULL) says whether the snapshot
 * moved. On error the old snapshot stays. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_refresh(
    captls_trust_store *view, bool *changed);

/* Seed version(). */
uint64_t captls_trust_store_version(const captls_trust_store *ts);
/* True for a view whose source has moved since its snapshot. */
bool captls_trust_store_is_stale(const captls_trust_store *ts);
bool captls_trust_store_is_view(const captls_trust_store *ts);

/* Seed anchors(): the records, in insertion order. */
size_t captls_trust_store_count(const captls_trust_store *ts);
const captls_trust_anchor_info *captls_trust_store_anchor_at(
    const captls_trust_store *ts, size_t i);

/* The first anchor, from position *pos on, whose subject equals `name`
 * and that serves `purpose`; advances *pos past it. NULL when none is left.
 * This is the issuer lookup the path builder uses. */
const captls_trust_anchor_info *captls_trust_store_find_by_subject(
    const captls_trust_store *ts, const captls_x509_name *name,
    captls_cert_purpose purpose, size_t *pos);
/* The anchor with this fingerprint, or NULL. */
const captls_trust_anchor_info *captls_trust_store_find_by_fingerprint(
    const captls_trust_store *ts, const uint8_t fp[CAPTLS_TRUST_FP_SIZE]);

/* The anchor source X2's captls_verify_chain consumes (verify_chain.h):
 * yields the anchors of `ts` that serve `purpose`, as bare records (subject,
 * SPKI, SKI, name constraints, pin), id = index in the store; its version
 * is the store's. `ctx` is caller memory that must outlive the source. */
typedef struct captls_trust_source_ctx {
    const captls_trust_store *ts;
    captls_cert_purpose purpose;
} captls_trust_source_ctx;
void captls_trust_store_anchor_source(const captls_trust_store *ts,
                                      captls_cert_purpose purpose,
                                      captls_trust_source_ctx *ctx,
                                      captls_anchor_source *out);

/* ---- through the cap table (the holder's side) --------------------------- */

/* version(): CALL. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_cap_version(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle h,
    uint64_t *out);
/* anchors(): CALL. Copies records [start, start + cap) into out; *count
 * = copied, *total (may be NULL) = anchors in the store. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_cap_anchors(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle h,
    size_t start, captls_trust_anchor_info *out, size_t cap, size_t *count,
    size_t *total);
/* restrict(): CALL + DERIVE. Builds the view in the caller's memory and
 * derives *out_h (rights a subset of h's) naming it. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_cap_restrict(
    captls_cap_table *t, captls_cap_owner owner, captls_cap_handle h,
    const captls_trust_filter *filter, captls_trust_store *view,
    captls_trust_anchor_info *anchors, size_t nanchors, captls_rights rights,
    captls_cap_handle *out_h);
/* refresh(): CALL. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_cap_refresh(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle h,
    bool *changed);
/* The store object behind a read handle (CALL), for services such as the
 * CertVerifier that use it within one call. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_cap_get(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle h,
    const captls_trust_store **out);
/* addAnchor / removeAnchor: a CAPTLS_IFACE_TRUST_STORE_WRITER handle with
 * CAPTLS_RIGHT_WRITE. The actor in the audit record is `owner`. */
CAPTLS_MUST_CHECK captls_result captls_trust_store_writer_cap_add_anchor(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle wh,
    const captls_certificate *cert, const captls_anchor_pin *pin,
    uint32_t purposes);
CAPTLS_MUST_CHECK captls_result captls_trust_store_writer_cap_remove_anchor(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle wh,
    const captls_anchor_selector *sel, size_t *removed);

/* Purposes the certificate's EKU allows (every purpose without EKU). */
uint32_t captls_trust_purposes_from_eku(const captls_certificate *cert);

#endif
