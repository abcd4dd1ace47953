/* port/posix/posix_cert_store.h — a CertificateStore (core/store) over a
 * directory, as the host programs (`captls store`, `captls tls-server
 * --store`) open it.
 *
 * Contract. captls_pstore_open makes a heap object holding the blob store
 * (posix_blob_store.c: atomic rename + fsync), a cap table, a wall clock
 * and an audit sink (audit_path, or DIR/audit.log when NULL), and mints one
 * store handle for owner CAPTLS_PSTORE_OWNER.
 *   - writer (put/delete): the directory is created (0700, one level) if
 *     missing and an exclusive lock (flock on DIR/.lock) is held until
 *     close; a second writer fails at once with "store DIR is being written
 *     by another process" (no waiting, no partial state).
 *   - reader: the directory must exist; a shared lock is taken only while
 *     opening (the blob store sweeps stale temp files then, which must not
 *     race a live writer's temp file) and released afterwards, so readers
 *     never block writers for longer than the open.
 * A lock held by a killed process is released by the kernel. Errors are one
 * line in `err`; nothing is printed. */
#ifndef CAPTLS_PORT_POSIX_CERT_STORE_H
#define CAPTLS_PORT_POSIX_CERT_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/store/cert_store.h"
#include "port/posix/posix_port.h"

#define CAPTLS_PSTORE_OWNER 1

typedef struct captls_pstore {
    int lockfd;
    captls_posix_blob_store_ctx blob_ctx;
    captls_posix_clock_ctx clock_ctx;
    captls_posix_audit_ctx audit_ctx;
    bool audit_open;
    captls_cap_slot slots[64];
    captls_cap_table caps;
    captls_cert_sub subs[4];
    captls_cap_handle h;
    captls_cert_store store; /* large: the object lives on the heap */
} captls_pstore;

bool captls_pstore_open(const char *dir, bool writer, const char *audit_path,
                        captls_pstore **out, char *err, size_t errcap);
void captls_pstore_close(captls_pstore *p);

#endif
