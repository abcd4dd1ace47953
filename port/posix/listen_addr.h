/* port/posix/listen_addr.h — a non-blocking TCP listener on "HOST:PORT",
 * "[V6]:PORT" or ":PORT" (all addresses), for the ACME solvers' small
 * servers (http01_server, tls_alpn01_server). Port 0 picks a free port,
 * reported in *port. SO_REUSEADDR, backlog 64, close-on-exec.
 * Returns the descriptor (the caller closes it), or -1 with err set to
 * "<option> <addr>: <reason>" (option names the command-line option the
 * address came from, e.g. "--http-listen"). */
#ifndef CAPTLS_PORT_POSIX_LISTEN_ADDR_H
#define CAPTLS_PORT_POSIX_LISTEN_ADDR_H

#include <stddef.h>
#include <stdint.h>

int captls_posix_listen_on(const char *option, const char *addr,
                           uint16_t *port, char *err, size_t errcap);

#endif
