/* See posix_port.h (log and audit). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cap/audit.h"
#include "port/posix/posix_port.h"

/* ------------------------------------------------------------------ log */

static const char *level_name(captls_log_level level)
{
    switch (level) {
    case CAPTLS_LOG_DEBUG: return "debug";
    case CAPTLS_LOG_INFO: return "info";
    case CAPTLS_LOG_WARN: return "warn";
    case CAPTLS_LOG_ERROR: return "error";
    }
    return "error";
}

static void log_write(void *ctx, captls_log_level level, const char *msg,
                      size_t len)
{
    captls_posix_log_ctx *c = ctx;
    char line[CAPTLS_POSIX_LOG_LINE_MAX];
    const char *name = level_name(level);
    size_t n = 0, room;
    bool cut = false;

    if ((int)level < (int)c->min_level)
        return;
    if (msg == NULL)
        len = 0;
    /* "captls <level>: " */
    memcpy(line, "captls ", 7);
    n = 7;
    memcpy(line + n, name, strlen(name));
    n += strlen(name);
    memcpy(line + n, ": ", 2);
    n += 2;
    room = sizeof(line) - n - 1; /* keep one byte for '\n' */
    if (len > room) {
        len = room - 3;
        cut = true;
    }
    /* msg is sanitized by contract; strip anything else anyway so a caller
     * bug cannot forge lines or drive the terminal. */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)msg[i];
        line[n++] = (ch >= 0x20 && ch <= 0x7e) ? (char)ch : '?';
    }
    if (cut) {
        memcpy(line + n, "...", 3);
        n += 3;
    }
    line[n++] = '\n';
    /* One write so concurrent writers do not interleave within a line. */
    for (size_t off = 0; off < n;) {
        ssize_t w = write(c->fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a log has nowhere to report its own failure */
        off += (size_t)w;
    }
}

void captls_posix_log_init(captls_posix_log_ctx *ctx, int fd,
                           captls_log_level min_level, captls_log_sink *out)
{
    ctx->fd = fd;
    ctx->min_level = min_level;
    out->ctx = ctx;
    out->write = log_write;
}

/* ---------------------------------------------------------------- audit */

static captls_result audit_append(void *ctx,
                                  const struct captls_audit_record *rec)
{
    captls_posix_audit_ctx *c = ctx;
    char line[CAPTLS_AUDIT_LINE_MAX + 1];
    size_t n = 0, off = 0;
    struct stat st;
    bool regular;
    off_t before = 0;
    captls_result r;

    if (rec == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (c->fd < 0)
        return CAPTLS_ERR_IO;
    r = captls_audit_format(rec, line, sizeof(line) - 1, &n);
    if (r != CAPTLS_OK)
        return r == CAPTLS_ERR_BUFFER_TOO_SMALL ? CAPTLS_ERR_INTERNAL : r;
    line[n++] = '\n';
    /* Remember where the record starts, to cut off a torn one. */
    regular = fstat(c->fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular)
        before = st.st_size;
    while (off < n) {
        ssize_t w = write(c->fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            r = captls_posix_result_from_errno(errno);
            break;
        }
        if (w == 0) {
            r = CAPTLS_ERR_IO;
            break;
        }
        off += (size_t)w;
    }
    if (r == CAPTLS_OK && fsync(c->fd) != 0 && errno != EINVAL &&
        errno != EROFS)
        r = captls_posix_result_from_errno(errno);
    if (r == CAPTLS_OK)
        return CAPTLS_OK;
    /* Best effort: no half line may stay to be glued to the next record.
     * (Single writer per file; see posix_port.h.) */
    if (regular && off > 0 && ftruncate(c->fd, before) != 0) {
        /* nothing more can be done; the error below is what counts */
    }
    return r == CAPTLS_WOULD_BLOCK || r == CAPTLS_ERR_NOT_FOUND
               ? CAPTLS_ERR_IO
               : r;
}

captls_result captls_posix_audit_open(captls_posix_audit_ctx *ctx,
                                      const char *path, captls_audit_sink *out)
{
    int fd;

    if (ctx == NULL || out == NULL || path == NULL || path[0] == '\0')
        return CAPTLS_ERR_INVALID_ARGUMENT;
    ctx->fd = -1;
    ctx->owns_fd = false;
    if (strcmp(path, "-") == 0) {
        ctx->fd = STDERR_FILENO;
    } else {
        do {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0)
            return captls_posix_result_from_errno(errno);
        ctx->fd = fd;
        ctx->owns_fd = true;
    }
    out->ctx = ctx;
    out->append = audit_append;
    return CAPTLS_OK;
}

void captls_posix_audit_fini(captls_posix_audit_ctx *ctx)
{
    if (ctx->owns_fd && ctx->fd >= 0)
        close(ctx->fd);
    ctx->fd = -1;
    ctx->owns_fd = false;
}
