/* A TCP listener for the solvers' servers. See listen_addr.h. */
#define _GNU_SOURCE
#include "port/posix/listen_addr.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* "HOST:PORT", "[V6]:PORT" or ":PORT" (all addresses). The solvers'
 * servers link without the TLS option code, so this splits on its own. */
static bool split_addr(const char *addr, char *host, size_t hostcap,
                       char *port, size_t portcap)
{
    const char *colon = strrchr(addr, ':'), *h = addr;
    size_t hl, pl;

    if (colon == NULL)
        return false;
    hl = (size_t)(colon - addr);
    if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
        h = addr + 1;
        hl -= 2;
    } else if (memchr(addr, ':', hl) != NULL) {
        return false; /* an IPv6 literal needs brackets */
    }
    pl = strlen(colon + 1);
    if (hl >= hostcap || pl == 0 || pl >= portcap ||
        strspn(colon + 1, "0123456789") != pl)
        return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, pl + 1);
    return true;
}

int captls_posix_listen_on(const char *option, const char *addr,
                           uint16_t *port, char *err, size_t errcap)
{
    char host[256], portstr[8];
    struct addrinfo hints, *res = NULL;
    int fd = -1, rc, one = 1;

    if (!split_addr(addr, host, sizeof(host), portstr, sizeof(portstr))) {
        snprintf(err, errcap, "%s: '%.200s' is not HOST:PORT", option, addr);
        return -1;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host[0] != '\0' ? host : NULL, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, errcap, "%s %s: %s", option, addr, gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                res->ai_protocol);
    if (fd >= 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            snprintf(err, errcap, "%s %s: %s", option, addr, strerror(errno));
            close(fd);
            fd = -1;
        }
    } else {
        snprintf(err, errcap, "%s %s: %s", option, addr, strerror(errno));
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
            *port = ntohs(ss.ss_family == AF_INET6
                              ? ((struct sockaddr_in6 *)&ss)->sin6_port
                              : ((struct sockaddr_in *)&ss)->sin_port);
    }
    return fd;
}

bool captls_posix_serving_start(captls_posix_serving_thread *t,
                                const char *option, const char *addr,
                                void *(*serve)(void *), void *arg,
                                char *err, size_t errcap)
{
    t->lfd = captls_posix_listen_on(option, addr, &t->port, err, errcap);
    if (t->lfd < 0)
        return false;
    if (pipe(t->wake) != 0) {
        snprintf(err, errcap, "pipe: %s", strerror(errno));
        close(t->lfd);
        return false;
    }
    pthread_mutex_init(&t->lock, NULL);
    if (pthread_create(&t->thread, NULL, serve, arg) != 0) {
        snprintf(err, errcap, "%s %s: cannot start the serving thread",
                 option, addr);
        close(t->lfd);
        close(t->wake[0]);
        close(t->wake[1]);
        pthread_mutex_destroy(&t->lock);
        return false;
    }
    return true;
}

void captls_posix_serving_stop(captls_posix_serving_thread *t)
{
    if (write(t->wake[1], "x", 1) != 1) {
        /* serve also wakes on its own timer; it reads no byte anyway */
    }
    pthread_join(t->thread, NULL);
}

void captls_posix_serving_close(captls_posix_serving_thread *t)
{
    close(t->lfd);
    close(t->wake[0]);
    close(t->wake[1]);
    pthread_mutex_destroy(&t->lock);
}
