/* port/capos/guest_echo.h — an echo service written only against the
 * port's net capability (port/port.h), so it runs unchanged over the
 * guest's bridge streams (guest_net.h) and would over any other port.
 *
 * capos_guest_echo_serve listens (any host, `port`), accepts up to
 * CAPOS_ECHO_MAX_CONNS connections at once (more are closed at once and
 * counted), writes every byte back on the stream it came from, and closes
 * a stream when its client half-closes (after echoing everything) or
 * vanishes. It never returns; `log` (may be NULL) receives one console
 * line per event: "echo: listening", "echo: open <n> <peer>",
 * "echo: close <n> <eof|reset>". A slow reader only holds back its own
 * stream: the service stops reading a stream whose echo is not yet
 * written, and polls the others.
 */
#ifndef CAPOS_GUEST_ECHO_H
#define CAPOS_GUEST_ECHO_H

#include <stdint.h>

#include "port/port.h"

#define CAPOS_ECHO_MAX_CONNS 12u

typedef void (*capos_echo_log_fn)(const char *what, uint64_t n,
                                  const char *detail);
typedef const char *(*capos_echo_peer_fn)(void *ctx, captls_stream_id s);

__attribute__((noreturn)) void capos_guest_echo_serve(
    const captls_net *net, uint16_t port, capos_echo_log_fn log,
    capos_echo_peer_fn peer, void *peer_ctx);

#endif
