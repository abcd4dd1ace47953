/* core/cap/cap_table.h — capability handles: lookup, attenuation, revocation.
 *
 * A cap table maps handles to (owner, interface, object, rights). It plays
 * the kernel's part: one table serves every service of a simulated host or
 * of the guest, and each handle belongs to one owner (a service id). A
 * handle works only for its owner: another service presenting it is refused
 * exactly as if it had guessed it. Keeping one table per kernel, rather than
 * one per service, is what lets revocation follow a capability across
 * services after it was granted over IPC.
 *
 * Handles carry a generation: a handle is (slot index, generation), and a
 * slot's generation moves every time the slot is freed, so a handle that
 * was dropped or revoked is refused as stale forever after, and a handle
 * made up by guessing is refused unless it names a live slot with its exact
 * generation. A slot whose generation would wrap is retired for good rather
 * than risk an old handle becoming valid again.
 *
 * Authority only narrows: captls_cap_derive and captls_cap_attenuate give a
 * child handle whose rights are a subset of its parent's (asking for more is
 * CAPTLS_ERR_RIGHTS_ESCALATION and changes nothing). Revoking a handle ends
 * it and every handle derived from it, transitively; dropping a handle ends
 * only that handle and hands its children to its parent, so a later
 * revocation of an ancestor still reaches them.
 *
 * Memory: the caller provides the slot array (CAPTLS_CAP_SLOT_SIZE bytes a
 * slot, at most CAPTLS_CAP_MAX_SLOTS slots); nothing is allocated. The table
 * never dereferences the object pointers it stores. Not thread-safe.
 * Failure: every function returns a captls_result; on error no handle is
 * created or changed.
 */
#ifndef CAPTLS_CAP_TABLE_H
#define CAPTLS_CAP_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/base/selftest.h"
#include "core/cap/interface_ids.h"

/* Handle layout: low 16 bits slot index + 1 (so 0 is never valid), high 16
 * bits generation. */
typedef uint32_t captls_cap_handle;
#define CAPTLS_CAP_NULL ((captls_cap_handle)0)
#define CAPTLS_CAP_MAX_SLOTS 65535u

/* Rights: the low 8 bits are generic, the rest are interface-specific
 * (defined next to each interface). */
typedef uint32_t captls_rights;
typedef uint16_t captls_cap_owner; /* a service id; 0 is a valid owner */
enum {
    CAPTLS_RIGHT_CALL = 1u << 0,   /* invoke the interface's read methods */
    CAPTLS_RIGHT_WRITE = 1u << 1,  /* invoke mutating methods */
    CAPTLS_RIGHT_GRANT = 1u << 2,  /* transfer the handle over IPC */
    CAPTLS_RIGHT_DERIVE = 1u << 3, /* derive / attenuate children */
    CAPTLS_RIGHT_REVOKE = 1u << 4, /* revoke children derived from it */
    CAPTLS_RIGHTS_ALL = 0xFFFFFFFFu,
};

typedef struct captls_cap_slot {
    void *object;
    captls_interface_id iface;
    captls_rights rights;
    captls_cap_handle parent; /* CAPTLS_CAP_NULL for a root */
    captls_cap_owner owner;
    uint16_t generation;
    uint8_t state; /* free / live / retired; see cap_table.c */
    uint8_t mark;  /* scratch for revocation */
} captls_cap_slot;

#define CAPTLS_CAP_SLOT_SIZE sizeof(captls_cap_slot)

typedef struct captls_cap_table {
    captls_cap_slot *slots;
    uint32_t nslots;
    uint32_t live;
} captls_cap_table;

/* What a live handle names. */
typedef struct captls_cap_info {
    void *object;
    captls_interface_id iface;
    captls_rights rights;
} captls_cap_info;

/* Takes nslots (1..CAPTLS_CAP_MAX_SLOTS) caller-owned slots. */
CAPTLS_MUST_CHECK captls_result captls_cap_table_init(captls_cap_table *t,
                                                      captls_cap_slot *slots,
                                                      uint32_t nslots);

/* A root capability: no parent, any rights. Only the owner of an object
 * (the service implementing it, or the kernel) mints roots. */
CAPTLS_MUST_CHECK captls_result captls_cap_mint(captls_cap_table *t,
                                                captls_cap_owner owner,
                                                captls_interface_id iface,
                                                void *object,
                                                captls_rights rights,
                                                captls_cap_handle *out);

/* The handle's object, if it names interface `iface` (or any interface
 * when iface is CAPTLS_IFACE_ANY) and holds every right in `need`. Errors:
 * BAD_HANDLE, STALE_HANDLE, WRONG_INTERFACE, NO_AUTHORITY. */
CAPTLS_MUST_CHECK captls_result captls_cap_lookup(const captls_cap_table *t,
                                                  captls_cap_owner owner,
                                                  captls_cap_handle h,
                                                  captls_interface_id iface,
                                                  captls_rights need,
                                                  captls_cap_info *out);

/* A child of `parent` with the same object and rights `rights`, which must
 * be a subset of the parent's; needs CAPTLS_RIGHT_DERIVE on the parent. */
CAPTLS_MUST_CHECK captls_result captls_cap_attenuate(captls_cap_table *t,
                                                     captls_cap_owner owner,
                                                     captls_cap_handle parent,
                                                     captls_rights rights,
                                                     captls_cap_handle *out);

/* A child of `parent` naming a new object of the same interface (e.g. the
 * narrower view TrustStore.restrict returns), rights a subset of the
 * parent's; needs CAPTLS_RIGHT_DERIVE on the parent. */
CAPTLS_MUST_CHECK captls_result captls_cap_derive(captls_cap_table *t,
                                                  captls_cap_owner owner,
                                                  captls_cap_handle parent,
                                                  void *object,
                                                  captls_rights rights,
                                                  captls_cap_handle *out);

/* Gives `to` a child of `h` (same object and rights) so `from` can still
 * revoke what it gave; needs CAPTLS_RIGHT_GRANT on h. This is what an IPC
 * transfer does for each cap in a frame. */
CAPTLS_MUST_CHECK captls_result captls_cap_grant(captls_cap_table *t,
                                                 captls_cap_owner from,
                                                 captls_cap_handle h,
                                                 captls_cap_owner to,
                                                 captls_cap_handle *out);

/* Ends `h` only; its children are re-parented to h's parent. */
CAPTLS_MUST_CHECK captls_result captls_cap_drop(captls_cap_table *t,
                                                captls_cap_owner owner,
                                                captls_cap_handle h);

/* Ends `h` and every handle derived from it, whoever holds them now; needs
 * CAPTLS_RIGHT_REVOKE on h. *ended (may be NULL) counts the handles ended,
 * h included. */
CAPTLS_MUST_CHECK captls_result captls_cap_revoke(captls_cap_table *t,
                                                  captls_cap_owner owner,
                                                  captls_cap_handle h,
                                                  uint32_t *ended);

/* Ends every handle `owner` holds (a service died); derived handles held
 * by others are ended too. Returns the count ended. */
uint32_t captls_cap_revoke_owner(captls_cap_table *t, captls_cap_owner owner);

/* Free slots left (a transfer of n caps needs n). */
uint32_t captls_cap_table_free(const captls_cap_table *t);

/* Number of live handles. */
uint32_t captls_cap_table_live(const captls_cap_table *t);

/* Power-on self-test: mint, attenuate, refuse escalation, revoke. */
void captls_cap_selftest(const captls_selftest_report *r,
                         captls_selftest_counts *c);

#endif
