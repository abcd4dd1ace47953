/* See posix_port.h (blob store). */
#define _GNU_SOURCE /* O_DIRECTORY, O_NOFOLLOW, fdopendir */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port/posix/posix_port.h"

/* ".<key>.tmp" plus NUL. */
#define TMP_NAME_MAX (CAPTLS_BLOB_KEY_MAX + 6)

static void tmp_name(const char *key, char out[TMP_NAME_MAX])
{
    size_t n = strlen(key);
    out[0] = '.';
    memcpy(out + 1, key, n);
    memcpy(out + 1 + n, ".tmp", 5);
}

/* Is this a name tmp_name could have produced? */
static bool is_tmp_name(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && name[0] == '.' && strcmp(name + n - 4, ".tmp") == 0;
}

static captls_result errno_result(int err)
{
    return captls_posix_result_from_errno(err);
}

static captls_result write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno_result(errno);
        }
        if (n == 0)
            return CAPTLS_ERR_IO;
        p += n;
        len -= (size_t)n;
    }
    return CAPTLS_OK;
}

static captls_result sync_dir(int dirfd)
{
    if (fsync(dirfd) != 0 && errno != EINVAL)
        return errno_result(errno);
    return CAPTLS_OK;
}

static captls_result store_get(void *ctx, const char *key, uint8_t *buf,
                               size_t cap, size_t *len)
{
    captls_posix_blob_store_ctx *c = ctx;
    struct stat st;
    size_t size, done = 0;
    captls_result r = CAPTLS_OK;
    int fd;

    if (len == NULL || (buf == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *len = 0;
    if (!captls_blob_key_valid(key))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    do {
        fd = openat(c->dirfd, key, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return errno == ENOENT ? CAPTLS_ERR_NOT_FOUND : CAPTLS_ERR_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        close(fd);
        return CAPTLS_ERR_IO;
    }
    size = (size_t)st.st_size;
    if (size > cap) {
        close(fd);
        *len = size;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    while (done < size) {
        ssize_t n = read(fd, buf + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* error, or the file shrank under us */
            r = CAPTLS_ERR_IO;
            break;
        }
        done += (size_t)n;
    }
    close(fd);
    if (r != CAPTLS_OK)
        return r;
    *len = size;
    return CAPTLS_OK;
}

static captls_result store_put(void *ctx, const char *key,
                               const uint8_t *data, size_t len)
{
    captls_posix_blob_store_ctx *c = ctx;
    char tmp[TMP_NAME_MAX];
    captls_result r;
    int fd;

    if (!captls_blob_key_valid(key) || (data == NULL && len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (len > CAPTLS_POSIX_BLOB_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    tmp_name(key, tmp);
    /* O_TRUNC: a temp file a crash left under this name is reused. */
    do {
        fd = openat(c->dirfd, tmp,
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                    0600);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return errno == ENOENT ? CAPTLS_ERR_IO : errno_result(errno);
    r = write_all(fd, data, len);
    if (r == CAPTLS_OK && fsync(fd) != 0)
        r = errno_result(errno);
    /* close can report deferred write errors (quota on network file
     * systems); it releases the descriptor either way. */
    if (close(fd) != 0 && r == CAPTLS_OK && errno != EINTR)
        r = errno_result(errno);
    if (r == CAPTLS_OK && renameat(c->dirfd, tmp, c->dirfd, key) != 0)
        r = errno_result(errno);
    if (r != CAPTLS_OK) {
        (void)unlinkat(c->dirfd, tmp, 0);
        return r == CAPTLS_ERR_NOT_FOUND ? CAPTLS_ERR_IO : r;
    }
    /* The rename is done; make it durable. */
    r = sync_dir(c->dirfd);
    return r == CAPTLS_OK ? CAPTLS_OK : CAPTLS_ERR_IO;
}

static captls_result store_remove(void *ctx, const char *key)
{
    captls_posix_blob_store_ctx *c = ctx;

    if (!captls_blob_key_valid(key))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (unlinkat(c->dirfd, key, 0) != 0)
        return errno == ENOENT ? CAPTLS_ERR_NOT_FOUND : CAPTLS_ERR_IO;
    return sync_dir(c->dirfd) == CAPTLS_OK ? CAPTLS_OK : CAPTLS_ERR_IO;
}

/* Removes every temp file a crash left behind. */
static captls_result sweep_tmp(int dirfd)
{
    int fd = dup(dirfd);
    DIR *d;
    struct dirent *e;
    bool removed = false;

    if (fd < 0)
        return errno_result(errno);
    d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return CAPTLS_ERR_IO;
    }
    while ((e = readdir(d)) != NULL) {
        if (is_tmp_name(e->d_name) && unlinkat(dirfd, e->d_name, 0) == 0)
            removed = true;
    }
    closedir(d);
    return removed ? sync_dir(dirfd) : CAPTLS_OK;
}

captls_result captls_posix_blob_store_init(captls_posix_blob_store_ctx *ctx,
                                           const char *dir,
                                           captls_blob_store *out)
{
    captls_result r;
    int fd;

    if (ctx == NULL || out == NULL || dir == NULL || dir[0] == '\0')
        return CAPTLS_ERR_INVALID_ARGUMENT;
    ctx->dirfd = -1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return errno_result(errno);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? CAPTLS_ERR_NOT_FOUND : CAPTLS_ERR_IO;
    r = sweep_tmp(fd);
    if (r != CAPTLS_OK) {
        close(fd);
        return r;
    }
    ctx->dirfd = fd;
    out->ctx = ctx;
    out->get = store_get;
    out->put = store_put;
    out->remove = store_remove;
    return CAPTLS_OK;
}

void captls_posix_blob_store_fini(captls_posix_blob_store_ctx *ctx)
{
    if (ctx->dirfd >= 0)
        close(ctx->dirfd);
    ctx->dirfd = -1;
}
