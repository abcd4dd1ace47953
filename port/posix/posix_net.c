/* See posix_port.h (net). */
#define _GNU_SOURCE /* accept4, ppoll, POLLRDHUP */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "port/posix/posix_port.h"

enum { SLOT_FREE = 0, SLOT_LISTENER = 1, SLOT_STREAM = 2 };
enum { ST_OPEN = 0, ST_CONNECTING = 1 };

/* Pending connections the kernel queues for a listener. */
#define LISTEN_BACKLOG 64

typedef struct net_addr {
    struct sockaddr_storage ss;
    socklen_t len;
} net_addr;

/* "localhost", an IPv4 literal, or an IPv6 literal with or without
 * brackets. No DNS: resolving would block the readiness loop. */
static captls_result parse_host(const char *host, uint16_t port,
                                net_addr *out)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;

    if (host == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        out->len = sizeof(*v4);
        return CAPTLS_OK;
    }
    n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        if (n - 2 >= sizeof(buf))
            return CAPTLS_ERR_ADDR_INVALID;
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
        host = buf;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        out->len = sizeof(*v6);
        return CAPTLS_OK;
    }
    return CAPTLS_ERR_ADDR_INVALID;
}

static captls_result slot_alloc(captls_posix_net_ctx *c, captls_stream_id *id)
{
    for (int32_t i = 0; i < CAPTLS_POSIX_NET_MAX_STREAMS; i++) {
        if (c->slots[i].kind == SLOT_FREE) {
            *id = i;
            return CAPTLS_OK;
        }
    }
    return CAPTLS_ERR_TABLE_FULL;
}

static void slot_fill(captls_posix_net_ctx *c, captls_stream_id id, int fd,
                      uint8_t kind, uint8_t state)
{
    c->slots[id].fd = fd;
    c->slots[id].kind = kind;
    c->slots[id].state = state;
    c->slots[id].sticky = CAPTLS_OK;
}

static captls_posix_net_slot *slot_get(captls_posix_net_ctx *c,
                                       captls_stream_id id)
{
    if (id < 0 || id >= CAPTLS_POSIX_NET_MAX_STREAMS ||
        c->slots[id].kind == SLOT_FREE)
        return NULL;
    return &c->slots[id];
}

static void set_nodelay(int fd)
{
    int one = 1;
    /* Latency only; a failure changes nothing about correctness. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static captls_result posix_listen(void *ctx, const char *host, uint16_t port,
                                  captls_stream_id *out)
{
    captls_posix_net_ctx *c = ctx;
    net_addr a;
    captls_stream_id id;
    int fd, one = 1;

    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_host(host, port, &a));
    CAPTLS_TRY(slot_alloc(c, &id));
    fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0)
        return captls_posix_result_from_errno(errno);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&a.ss, a.len) != 0 ||
        listen(fd, LISTEN_BACKLOG) != 0) {
        captls_result r = captls_posix_result_from_errno(errno);
        close(fd);
        return r;
    }
    slot_fill(c, id, fd, SLOT_LISTENER, ST_OPEN);
    *out = id;
    return CAPTLS_OK;
}

static captls_result posix_local_port(void *ctx, captls_stream_id s,
                                      uint16_t *out)
{
    captls_posix_net_slot *sl = slot_get(ctx, s);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (sl == NULL)
        return CAPTLS_ERR_BAD_HANDLE;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (getsockname(sl->fd, (struct sockaddr *)&ss, &len) != 0)
        return captls_posix_result_from_errno(errno);
    if (ss.ss_family == AF_INET)
        *out = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    else if (ss.ss_family == AF_INET6)
        *out = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    else
        return CAPTLS_ERR_IO;
    return CAPTLS_OK;
}

static captls_result posix_accept(void *ctx, captls_stream_id listener,
                                  captls_stream_id *out)
{
    captls_posix_net_ctx *c = ctx;
    captls_posix_net_slot *sl = slot_get(c, listener);
    captls_stream_id id;
    int fd;

    if (sl == NULL)
        return CAPTLS_ERR_BAD_HANDLE;
    if (sl->kind != SLOT_LISTENER || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* Reserve the slot first: with a full table the connection stays in
     * the kernel's queue instead of being accepted and dropped. */
    CAPTLS_TRY(slot_alloc(c, &id));
    for (;;) {
        fd = accept4(sl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            break;
        if (errno == EINTR)
            continue;
        /* A connection reset while queued is simply gone. */
        if (errno == ECONNABORTED || errno == EPROTO)
            return CAPTLS_WOULD_BLOCK;
        return captls_posix_result_from_errno(errno);
    }
    set_nodelay(fd);
    slot_fill(c, id, fd, SLOT_STREAM, ST_OPEN);
    *out = id;
    return CAPTLS_OK;
}

static captls_result posix_connect(void *ctx, const char *host, uint16_t port,
                                   captls_stream_id *out)
{
    captls_posix_net_ctx *c = ctx;
    net_addr a;
    captls_stream_id id;
    uint8_t state = ST_OPEN;
    int fd;

    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (port == 0)
        return CAPTLS_ERR_ADDR_INVALID;
    CAPTLS_TRY(parse_host(host, port, &a));
    CAPTLS_TRY(slot_alloc(c, &id));
    fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0)
        return captls_posix_result_from_errno(errno);
    set_nodelay(fd);
    if (connect(fd, (struct sockaddr *)&a.ss, a.len) != 0) {
        if (errno == EINPROGRESS || errno == EINTR) {
            /* EINTR: the connection goes on asynchronously (connect(2)). */
            state = ST_CONNECTING;
        } else {
            /* Refused at once (e.g. no route); no stream is created. */
            captls_result r = captls_posix_result_from_errno(errno);
            close(fd);
            return r;
        }
    }
    slot_fill(c, id, fd, SLOT_STREAM, state);
    *out = id;
    return CAPTLS_OK;
}

/* Records the first error of a stream; later calls report it again. */
static captls_result stream_fail(captls_posix_net_slot *sl, captls_result r)
{
    if (sl->sticky == CAPTLS_OK)
        sl->sticky = r;
    return sl->sticky;
}

/* A stream still connecting: CAPTLS_OK once connected, WOULD_BLOCK while
 * pending, or the (sticky) reason it failed. */
static captls_result stream_settle(captls_posix_net_slot *sl)
{
    struct pollfd p = {.fd = sl->fd, .events = POLLOUT, .revents = 0};
    int err = 0, n;
    socklen_t len = sizeof(err);

    if (sl->state != ST_CONNECTING)
        return CAPTLS_OK;
    do {
        n = poll(&p, 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return stream_fail(sl, captls_posix_result_from_errno(errno));
    if (n == 0)
        return CAPTLS_WOULD_BLOCK;
    if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return stream_fail(sl, captls_posix_result_from_errno(errno));
    if (err != 0)
        return stream_fail(sl, captls_posix_result_from_errno(err));
    if ((p.revents & (POLLERR | POLLHUP)) != 0)
        return stream_fail(sl, CAPTLS_ERR_CONN_REFUSED);
    sl->state = ST_OPEN;
    return CAPTLS_OK;
}

static captls_result stream_get(captls_posix_net_ctx *c, captls_stream_id s,
                                captls_posix_net_slot **out)
{
    captls_posix_net_slot *sl = slot_get(c, s);

    if (sl == NULL)
        return CAPTLS_ERR_BAD_HANDLE;
    if (sl->kind != SLOT_STREAM)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (sl->sticky != CAPTLS_OK)
        return sl->sticky;
    *out = sl;
    return stream_settle(sl);
}

static captls_result posix_read(void *ctx, captls_stream_id s, uint8_t *buf,
                                size_t cap, size_t *got)
{
    captls_posix_net_slot *sl = NULL;
    ssize_t n;

    if (got == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *got = 0;
    if (buf == NULL || cap == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(stream_get(ctx, s, &sl));
    do {
        n = recv(sl->fd, buf, cap, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        *got = (size_t)n;
        return CAPTLS_OK;
    }
    if (n == 0)
        return stream_fail(sl, CAPTLS_EOF);
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return CAPTLS_WOULD_BLOCK;
    return stream_fail(sl, captls_posix_result_from_errno(errno));
}

static captls_result posix_write(void *ctx, captls_stream_id s,
                                 const uint8_t *buf, size_t len, size_t *put)
{
    captls_posix_net_slot *sl = NULL;
    ssize_t n;
    captls_result r;

    if (put == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *put = 0;
    if (buf == NULL && len != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    r = stream_get(ctx, s, &sl);
    /* Writing after our own EOF was seen is still allowed (half close);
     * only errors stop writes. */
    if (r == CAPTLS_EOF) {
        sl = slot_get(ctx, s);
    } else if (r != CAPTLS_OK) {
        return r;
    }
    if (len == 0)
        return CAPTLS_OK;
    do {
        n = send(sl->fd, buf, len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        *put = (size_t)n;
        return CAPTLS_OK;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return CAPTLS_WOULD_BLOCK;
    r = captls_posix_result_from_errno(errno);
    if (sl->sticky == CAPTLS_EOF)
        sl->sticky = r; /* an error outranks the EOF seen before */
    return stream_fail(sl, r);
}

static captls_result posix_close(void *ctx, captls_stream_id s)
{
    captls_posix_net_slot *sl = slot_get(ctx, s);

    if (sl == NULL)
        return CAPTLS_ERR_BAD_HANDLE;
    /* close(2) errors (EINTR included) still release the descriptor on
     * Linux; there is nothing to retry. */
    (void)close(sl->fd);
    sl->fd = -1;
    sl->kind = SLOT_FREE;
    sl->state = ST_OPEN;
    sl->sticky = CAPTLS_OK;
    return CAPTLS_OK;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A stream whose next call returns a recorded result at once: any error,
 * or an EOF the caller wants to read. */
static bool sticky_ready(const captls_posix_net_slot *sl, unsigned want)
{
    if (sl->sticky == CAPTLS_OK)
        return false;
    return sl->sticky != CAPTLS_EOF || (want & CAPTLS_POLL_READ) != 0;
}

static unsigned ready_bits(const captls_posix_net_slot *sl, unsigned want,
                           short revents)
{
    unsigned r = 0;
    bool gone = (revents & (POLLERR | POLLHUP | POLLRDHUP)) != 0;

    if (sl->kind == SLOT_STREAM && sticky_ready(sl, want))
        return want | CAPTLS_POLL_HUP; /* the call reports it at once */
    if (sl->kind == SLOT_STREAM && sl->sticky == CAPTLS_EOF)
        gone = false; /* already reported; writes may still go out */
    if ((want & CAPTLS_POLL_READ) && ((revents & POLLIN) || gone))
        r |= CAPTLS_POLL_READ;
    if ((want & CAPTLS_POLL_WRITE) &&
        (revents & (POLLOUT | POLLERR | POLLHUP)))
        r |= CAPTLS_POLL_WRITE;
    if (gone && sl->kind == SLOT_STREAM)
        r |= CAPTLS_POLL_HUP;
    return r;
}

static captls_result posix_poll(void *ctx, captls_poll_item *items, size_t n,
                                uint64_t timeout_ns, size_t *nready)
{
    captls_posix_net_ctx *c = ctx;
    struct pollfd pfd[CAPTLS_POSIX_NET_MAX_STREAMS];
    uint64_t deadline = 0, start;
    size_t count = 0;
    int rc;
    bool any_sticky = false;

    if (nready == NULL || (items == NULL && n != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *nready = 0;
    if (n > CAPTLS_POSIX_NET_MAX_STREAMS)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (size_t i = 0; i < n; i++) {
        captls_posix_net_slot *sl = slot_get(c, items[i].stream);
        if (sl == NULL)
            return CAPTLS_ERR_BAD_HANDLE;
        items[i].ready = 0;
        pfd[i].fd = sl->fd;
        pfd[i].events = 0;
        pfd[i].revents = 0;
        if (items[i].want & CAPTLS_POLL_READ)
            pfd[i].events |= POLLIN;
        if ((items[i].want & CAPTLS_POLL_READ) && sl->kind == SLOT_STREAM)
            pfd[i].events |= POLLRDHUP;
        if (items[i].want & CAPTLS_POLL_WRITE)
            pfd[i].events |= POLLOUT;
        if (sl->kind == SLOT_STREAM && sticky_ready(sl, items[i].want))
            any_sticky = true;
    }
    start = now_ns();
    if (!any_sticky && timeout_ns > UINT64_MAX - start)
        deadline = UINT64_MAX;
    else if (!any_sticky)
        deadline = start + timeout_ns;
    else
        deadline = start; /* something is ready already: just look */
    /* ppoll(2) rather than poll(2): the timeout keeps its nanoseconds. */
    for (;;) {
        uint64_t now = now_ns(), left = now >= deadline ? 0 : deadline - now;
        struct timespec ts;
        ts.tv_sec = (time_t)(left / 1000000000u);
        ts.tv_nsec = (long)(left % 1000000000u);
        rc = ppoll(pfd, (nfds_t)n, &ts, NULL);
        if (rc > 0 || (rc == 0 && now_ns() >= deadline))
            break;
        if (rc < 0 && errno != EINTR)
            return captls_posix_result_from_errno(errno);
        /* Interrupted (or woken early): wait out the rest. */
    }
    for (size_t i = 0; i < n; i++) {
        captls_posix_net_slot *sl = slot_get(c, items[i].stream);
        items[i].ready = ready_bits(sl, items[i].want, pfd[i].revents);
        if (items[i].ready != 0)
            count++;
    }
    *nready = count;
    return CAPTLS_OK;
}

static captls_result posix_peer_name(void *ctx, captls_stream_id s,
                                     char *buf, size_t cap)
{
    captls_posix_net_ctx *c = ctx;
    captls_posix_net_slot *sl = slot_get(c, s);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[INET6_ADDRSTRLEN];
    unsigned port;
    int n;

    if (sl == NULL)
        return CAPTLS_ERR_BAD_HANDLE;
    if (buf == NULL || cap == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (getpeername(sl->fd, (struct sockaddr *)&ss, &len) != 0)
        return captls_posix_result_from_errno(errno);
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        if (inet_ntop(AF_INET, &a->sin_addr, host, sizeof host) == NULL)
            return CAPTLS_ERR_IO;
        port = ntohs(a->sin_port);
        n = snprintf(buf, cap, "%s:%u", host, port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        if (inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host) == NULL)
            return CAPTLS_ERR_IO;
        port = ntohs(a->sin6_port);
        n = snprintf(buf, cap, "[%s]:%u", host, port);
    } else {
        return CAPTLS_ERR_UNSUPPORTED;
    }
    if (n < 0 || (size_t)n >= cap)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    return CAPTLS_OK;
}

void captls_posix_net_init(captls_posix_net_ctx *ctx, captls_net *out)
{
    for (int i = 0; i < CAPTLS_POSIX_NET_MAX_STREAMS; i++) {
        ctx->slots[i].fd = -1;
        ctx->slots[i].kind = SLOT_FREE;
        ctx->slots[i].state = ST_OPEN;
        ctx->slots[i].sticky = CAPTLS_OK;
    }
    out->ctx = ctx;
    out->listen = posix_listen;
    out->local_port = posix_local_port;
    out->accept = posix_accept;
    out->connect = posix_connect;
    out->read = posix_read;
    out->write = posix_write;
    out->close = posix_close;
    out->poll = posix_poll;
    out->peer_name = posix_peer_name;
}

void captls_posix_net_fini(captls_posix_net_ctx *ctx)
{
    for (int32_t i = 0; i < CAPTLS_POSIX_NET_MAX_STREAMS; i++) {
        if (ctx->slots[i].kind != SLOT_FREE)
            (void)posix_close(ctx, i);
    }
}
