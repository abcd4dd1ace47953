/* port/posix/listen_addr.h — the ACME solvers' small servers
 * (http01_server, tls_alpn01_server): a listener and the thread that
 * serves it.
 *
 * captls_posix_listen_on: a non-blocking TCP listener on "HOST:PORT",
 * "[V6]:PORT" or ":PORT" (all addresses). Port 0 picks a free port,
 * reported in *port. SO_REUSEADDR, backlog 64, close-on-exec. Returns the
 * descriptor (the caller closes it), or -1 with err set to "<option>
 * <addr>: <reason>" (option names the command-line option the address
 * came from, e.g. "--http-listen").
 *
 * captls_posix_serving_thread: that listener, a stop pipe and a mutex for
 * the state the owner shares with the thread. start opens all three and
 * runs serve(arg), which polls lfd and wake[0] and returns when wake[0]
 * is readable; stop writes to the pipe and joins; close then releases
 * the listener, the pipe and the mutex (after the owner's own cleanup).
 * On a failed start nothing is left open and err says why. */
#ifndef CAPTLS_PORT_POSIX_LISTEN_ADDR_H
#define CAPTLS_PORT_POSIX_LISTEN_ADDR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int captls_posix_listen_on(const char *option, const char *addr,
                           uint16_t *port, char *err, size_t errcap);

typedef struct captls_posix_serving_thread {
    int lfd;
    int wake[2]; /* stop pipe: serve polls wake[0] */
    uint16_t port;
    pthread_t thread;
    pthread_mutex_t lock;
} captls_posix_serving_thread;

bool captls_posix_serving_start(captls_posix_serving_thread *t,
                                const char *option, const char *addr,
                                void *(*serve)(void *), void *arg,
                                char *err, size_t errcap);
void captls_posix_serving_stop(captls_posix_serving_thread *t);
void captls_posix_serving_close(captls_posix_serving_thread *t);

#endif
