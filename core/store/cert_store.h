/* core/store/cert_store.h — CertificateStore, CertSubscription and
 * CertRotationEvent (seed 001), and the rotation follower a TLS server's
 * chain source is made of ("Rotation without restart").
 *
 * Contract. A store is a caller-owned struct over the port's blob store
 * (which must make each put atomic: old or new value after a crash). Each
 * entry is one record (core/store/cert_record.h: versioned, checksummed)
 * under blob key "cert.<handle>"; blob "index" lists the handles (one per
 * line). Crash rule: a new handle is added to the index BEFORE its record
 * is written and removed AFTER its record is deleted, so the index is a
 * superset of the records; list() shows only handles whose record exists.
 * Stored records are never torn; a corrupted one (checksum) is reported
 * (AUTH_FAILED, audited "store.record.corrupt") and never served; a put
 * over it replaces it.
 *
 * put verifies the chain before storing it: every certificate must parse
 * (captls_certificate_parse), the leaf's key must be readable, and if the
 * entry has a bound key (an SPKI given at a put, kept by later puts) the
 * leaf's SubjectPublicKeyInfo must equal it (else PIN_MISMATCH, audited
 * "store.put.refused", nothing written). A failed blob put (DISK_FULL, IO)
 * leaves the old record. Every put and delete, successful or not, is
 * audited with the handle, version and leaf SHA-256.
 *
 * watch: a subscription (a CertSubscription cap of the watcher) receives a
 * CertRotationEvent (handle, version, rotatedAt, leaf SHA-256; version 0 =
 * deleted) for every version change after it was made, in version order.
 * Delivery: a put in this store instance notifies at once; changes made by
 * another process reach this instance when the driver calls
 * captls_cert_store_poll (the POSIX tls-server polls every 200 ms).
 * Bounded memory — the coalescing rule: each subscription queues at most
 * CAPTLS_CERT_SUB_QUEUE events; when it is full, a new event REPLACES the
 * newest queued one (the older queued events stay, in order) and the
 * subscription's `coalesced` count grows. So a slow subscriber loses only
 * intermediate versions, never the latest, never the order, and costs a
 * fixed CAPTLS_CERT_SUB_QUEUE events of memory. Events carry no chain: the
 * subscriber get()s the entry, which is then at least that version.
 *
 * Rights: CALL on the store handle for get/list/watch, WRITE for
 * put/delete; CALL on a subscription for events/cancel.
 * Not thread-safe; one writing process per directory (the POSIX programs
 * take a lock). Memory: the caller's subscription array and the store
 * struct itself (it holds a certificate and a record buffer of
 * CAPTLS_CERT_RECORD_MAX bytes).
 */
#ifndef CAPTLS_STORE_CERT_STORE_H
#define CAPTLS_STORE_CERT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/store/cert_record.h"
#include "core/tls/tls_config.h"
#include "core/x509/certificate.h"
#include "port/port.h"

#define CAPTLS_CERT_SUB_QUEUE 4u
#define CAPTLS_CERT_STORE_MAX_HANDLES 64u
#define CAPTLS_CERT_INDEX_MAX (CAPTLS_CERT_STORE_MAX_HANDLES * CAPTLS_CERT_HANDLE_MAX)

/* Method ids (IPC and audit). */
enum {
    CAPTLS_CERT_STORE_PUT = 0,
    CAPTLS_CERT_STORE_GET = 1,
    CAPTLS_CERT_STORE_LIST = 2,
    CAPTLS_CERT_STORE_DELETE = 3,
    CAPTLS_CERT_STORE_WATCH = 4,
};

typedef struct captls_cert_event {
    char handle[CAPTLS_CERT_HANDLE_MAX];
    uint64_t version; /* 0: the entry was deleted */
    int64_t rotated_at;
    uint8_t leaf_sha256[32];
} captls_cert_event;

typedef struct captls_cert_sub {
    uint8_t live;
    char handle[CAPTLS_CERT_HANDLE_MAX];
    uint64_t last_version; /* the version last queued (or seen at watch) */
    captls_cert_event q[CAPTLS_CERT_SUB_QUEUE];
    uint32_t head, count;
    uint32_t coalesced; /* events replaced by the coalescing rule */
    captls_cap_handle cap;
    captls_cap_owner owner;
} captls_cert_sub;

typedef struct captls_cert_store {
    captls_blob_store blob;
    captls_cap_table *caps;
    captls_clock clock;
    captls_audit_sink audit;
    captls_cert_sub *subs;
    uint32_t nsubs;
    captls_certificate cert; /* parse scratch */
    uint8_t bind[CAPTLS_CERT_SPKI_MAX];
    uint8_t index[CAPTLS_CERT_INDEX_MAX];
    uint8_t buf[CAPTLS_CERT_RECORD_MAX]; /* record scratch */
} captls_cert_store;

CAPTLS_MUST_CHECK captls_result captls_cert_store_init(
    captls_cert_store *s, captls_blob_store blob, captls_cap_table *caps,
    captls_cert_sub *subs, uint32_t nsubs, captls_clock clock,
    captls_audit_sink audit);

/* A root CertificateStore handle for `owner`. */
CAPTLS_MUST_CHECK captls_result captls_cert_store_mint(captls_cert_store *s,
                                                      captls_cap_owner owner,
                                                      captls_rights rights,
                                                      captls_cap_handle *out);

/* Stores certs[0..count) (DER, leaf first) as the next version of
 * `handle`. bind_spki: NULL keeps the entry's bound key (if any); non-NULL
 * binds this SPKI (checked against the leaf first). *version (may be NULL)
 * gets the new version. Errors: see the contract; MALFORMED for a
 * certificate that does not parse, INVALID_ARGUMENT for a bad handle. */
CAPTLS_MUST_CHECK captls_result captls_cert_store_put(
    captls_cert_store *s, captls_cap_owner owner, captls_cap_handle store,
    const char *handle, const captls_slice *certs, size_t count,
    const uint8_t *bind_spki, size_t bind_len, uint64_t *version);

/* Reads the entry into buf[0..cap) (CAPTLS_CERT_RECORD_MAX always
 * suffices) and parses it into *out, which borrows buf. NOT_FOUND,
 * AUTH_FAILED / MALFORMED (corrupted: audited), BUFFER_TOO_SMALL. */
CAPTLS_MUST_CHECK captls_result captls_cert_store_get(
    captls_cert_store *s, captls_cap_owner owner, captls_cap_handle store,
    const char *handle, uint8_t *buf, size_t cap, captls_cert_record *out);

CAPTLS_MUST_CHECK captls_result captls_cert_store_list(
    captls_cert_store *s, captls_cap_owner owner, captls_cap_handle store,
    char (*names)[CAPTLS_CERT_HANDLE_MAX], size_t max, size_t *count);

CAPTLS_MUST_CHECK captls_result captls_cert_store_delete(
    captls_cert_store *s, captls_cap_owner owner, captls_cap_handle store,
    const char *handle);

/* A subscription to `handle` (which need not exist yet) for `owner`. */
CAPTLS_MUST_CHECK captls_result captls_cert_store_watch(
    captls_cert_store *s, captls_cap_owner owner, captls_cap_handle store,
    const char *handle, captls_cap_handle *sub);

/* Takes up to max queued events, oldest first. */
CAPTLS_MUST_CHECK captls_result captls_cert_sub_events(
    captls_cert_store *s, captls_cap_owner owner, captls_cap_handle sub,
    captls_cert_event *events, size_t max, size_t *n);

/* Coalesced-event count of a subscription (a slow subscriber's losses). */
CAPTLS_MUST_CHECK captls_result captls_cert_sub_coalesced(
    captls_cert_store *s, captls_cap_owner owner, captls_cap_handle sub,
    uint32_t *coalesced);

CAPTLS_MUST_CHECK captls_result captls_cert_sub_cancel(captls_cert_store *s,
                                                      captls_cap_owner owner,
                                                      captls_cap_handle sub);

/* Re-reads every watched entry from the blob store and queues an event
 * where the version changed (another process wrote it). Returns the number
 * of watched entries found corrupted (reported, not queued). */
uint32_t captls_cert_store_poll(captls_cert_store *s);

/* SHA-256 of a DER certificate, lowercase hex (65 bytes with NUL). */
void captls_cert_fingerprint_hex(const uint8_t sha256[32], char out[65]);

/* ---- rotation follower: a TLS server's chain source --------------------
 * Holds a subscription and the chain being served, in two record buffers
 * (the served one is never written while it is served; a rotation fills
 * the other and swaps). captls_cert_follower_update drains the
 * subscription and, for the newest event, loads the entry; the new chain is
 * served from the next handshake on only if key_ok(ctx, leaf) says the
 * leaf's key is the server's key — otherwise the old chain stays, the
 * refusal is audited ("tls.rotation.refused") and reported through
 * *refused. Connections already established are untouched (each handshake
 * copies its chain). A deleted entry keeps the old chain (audited). */
typedef bool (*captls_cert_key_check)(void *ctx,
                                      const captls_certificate *leaf);

typedef struct captls_cert_follower {
    captls_cert_store *store;
    captls_cap_owner owner;
    captls_cap_handle store_cap, sub;
    char handle[CAPTLS_CERT_HANDLE_MAX];
    captls_cert_key_check key_ok;
    void *key_ctx;
    uint8_t *bufs[2];
    size_t buf_cap;
    int cur; /* which buffer is served */
    captls_cert_record rec;
    uint64_t version;
    uint8_t leaf_sha256[32];
} captls_cert_follower;

/* Loads the current chain (NOT_FOUND if the entry does not exist, the
 * key check's refusal is PIN_MISMATCH) and subscribes. buf0/buf1: each
 * CAPTLS_CERT_RECORD_MAX bytes (or at least the largest record). */
CAPTLS_MUST_CHECK captls_result captls_cert_follower_init(
    captls_cert_follower *f, captls_cert_store *s, captls_cap_owner owner,
    captls_cap_handle store, const char *handle, captls_cert_key_check key_ok,
    void *key_ctx, uint8_t *buf0, uint8_t *buf1, size_t buf_cap);

/* *rotated: the served chain changed; *refused: a newer chain was not
 * taken (key mismatch, corrupted, deleted). Either may be NULL. */
CAPTLS_MUST_CHECK captls_result captls_cert_follower_update(
    captls_cert_follower *f, bool *rotated, bool *refused);

/* The tls_config chain source over f (borrowed). */
void captls_cert_follower_source(captls_cert_follower *f,
                                 captls_tls_chain_source *out);

#endif
