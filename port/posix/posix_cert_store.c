/* See posix_cert_store.h. */
#define _GNU_SOURCE
#include "port/posix/posix_cert_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static bool fail(char *err, size_t cap, const char *dir, const char *what)
{
    snprintf(err, cap, "store %s: %s", dir, what);
    return false;
}

bool captls_pstore_open(const char *dir, bool writer, const char *audit_path,
                        captls_pstore **out, char *err, size_t errcap)
{
    captls_pstore *p;
    captls_blob_store blob;
    captls_clock clock;
    captls_audit_sink audit = {NULL, NULL};
    char path[4096];
    struct stat st;

    *out = NULL;
    if (strlen(dir) > 4000)
        return fail(err, errcap, "?", "directory name too long");
    if (writer) {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return fail(err, errcap, dir, strerror(errno));
    } else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fail(err, errcap, dir, "no such store directory");
    }
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return fail(err, errcap, dir, "out of memory");
    snprintf(path, sizeof path, "%s/.lock", dir);
    p->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (p->lockfd < 0 && !writer)
        p->lockfd = open(path, O_RDONLY | O_CLOEXEC);
    if (p->lockfd < 0) {
        free(p);
        return fail(err, errcap, dir, strerror(errno));
    }
    if (writer) {
        if (flock(p->lockfd, LOCK_EX | LOCK_NB) != 0) {
            close(p->lockfd);
            free(p);
            return fail(err, errcap, dir,
                        errno == EWOULDBLOCK
                            ? "being written by another process"
                            : strerror(errno));
        }
    } else if (flock(p->lockfd, LOCK_SH) != 0) {
        close(p->lockfd);
        free(p);
        return fail(err, errcap, dir, strerror(errno));
    }
    if (captls_posix_blob_store_init(&p->blob_ctx, dir, &blob) != CAPTLS_OK) {
        close(p->lockfd);
        free(p);
        return fail(err, errcap, dir, "cannot open the blob store");
    }
    if (!writer) {
        (void)flock(p->lockfd, LOCK_UN);
        close(p->lockfd);
        p->lockfd = -1;
    }
    captls_posix_clock_init(&p->clock_ctx, CAPTLS_CLOCK_TRUSTED, &clock);
    if (audit_path == NULL) {
        snprintf(path, sizeof path, "%s/audit.log", dir);
        audit_path = path;
    }
    if (captls_posix_audit_open(&p->audit_ctx, audit_path, &audit) !=
        CAPTLS_OK) {
        if (writer) { /* writes are audited or refused */
            captls_pstore_close(p);
            return fail(err, errcap, dir, "cannot open the audit log");
        }
        audit.append = NULL;
    } else {
        p->audit_open = true;
    }
    if (captls_cap_table_init(&p->caps, p->slots, 64) != CAPTLS_OK ||
        captls_cert_store_init(&p->store, blob, &p->caps, p->subs, 4, clock,
                               audit) != CAPTLS_OK ||
        captls_cert_store_mint(&p->store, CAPTLS_PSTORE_OWNER,
                               CAPTLS_RIGHTS_ALL, &p->h) != CAPTLS_OK) {
        captls_pstore_close(p);
        return fail(err, errcap, dir, "cannot set up the store");
    }
    *out = p;
    return true;
}

void captls_pstore_close(captls_pstore *p)
{
    if (p == NULL)
        return;
    if (p->audit_open)
        captls_posix_audit_fini(&p->audit_ctx);
    captls_posix_blob_store_fini(&p->blob_ctx);
    if (p->lockfd >= 0)
        close(p->lockfd); /* releases the lock */
    free(p);
}
