/* port/capos/guest_net.h — the guest's `net` and `audit` capabilities
 * (port/port.h), carried by the host bridge over COM2 (com2.h) with the
 * shared stream protocol of core/bridge/bridge_link.h.
 *
 * net: one listener; listen(host, port) accepts any host/port (the host
 * bridge owns the real TCP address: `captls-guest-bridge --listen`) and
 * local_port reports the port asked for. accept yields one byte stream per
 * TCP connection the bridge carries in; read/write/close/poll behave as on
 * the POSIX port (short writes, CAPTLS_WOULD_BLOCK, CAPTLS_EOF on the
 * client's half-close, CAPTLS_ERR_CONN_RESET when the client vanished or
 * the bridge went away). connect is not offered (CAPTLS_ERR_UNSUPPORTED):
 * the guest only serves. poll moves bytes between COM2 and the link and
 * halts the CPU between interrupts while it waits.
 *
 * store (capos_guest_net_blob_store): the host's store directory
 * (`captls-guest-bridge --store DIR`), read-only: get sends one GET and
 * waits (at most CAPOS_GUEST_NET_BLOB_TIMEOUT_NS, moving every stream's
 * bytes meanwhile) for the answer; CAPTLS_ERR_NOT_CONNECTED while the
 * bridge is away, CAPTLS_ERR_TIMEOUT when it does not answer; put and
 * remove are CAPTLS_ERR_NO_AUTHORITY. capos_guest_net_store_changed says
 * whether the bridge reported a change (or a new session) since the last
 * call.
 *
 * clock (capos_guest_net_clock): replaces a port clock's wall_time with
 * the host's time when the bridge sends it (--host-time), carried on by
 * the monotonic clock, provenance CAPTLS_CLOCK_TRUSTED while the last TIME
 * is at most CAPOS_GUEST_NET_TIME_MAX_AGE_NS old; otherwise the clock it
 * replaced (the RTC, untrusted) answers.
 *
 * audit: each record becomes one line (captls_audit_format) sent to the
 * bridge, which appends it to its --audit file. While the bridge is away
 * the append fails with CAPTLS_ERR_NOT_CONNECTED (never silently dropped).
 *
 * Memory: the capos_guest_net (about 100 KiB) is the caller's, static in
 * practice; it must stay in place while the captls_net / audit sink filled
 * from it are used. Single-threaded; interrupts must be set up (irq.h,
 * com2.h) before capos_guest_net_init.
 */
#ifndef CAPOS_GUEST_NET_H
#define CAPOS_GUEST_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bridge/bridge_link.h"
#include "port/port.h"

typedef struct capos_guest_net {
    captls_bridge_link link;
    captls_clock clock;
    bool listening;
    uint16_t port;
    bool was_up;
    bool time_said;        /* the console was told about host time */
    captls_clock fallback; /* capos_guest_net_clock */
} capos_guest_net;

/* The listener's handle (streams are 0..CAPTLS_BRIDGE_MAX_STREAMS-1). */
#define CAPOS_GUEST_NET_LISTENER ((captls_stream_id)CAPTLS_BRIDGE_MAX_STREAMS)

CAPTLS_MUST_CHECK captls_result capos_guest_net_init(capos_guest_net *g,
                                                     const captls_clock *clock,
                                                     uint32_t epoch,
                                                     captls_net *net_out,
                                                     captls_audit_sink *audit_out);
/* Moves bytes both ways and runs the link's timers; poll calls it. */
void capos_guest_net_service(capos_guest_net *g);
#define CAPOS_GUEST_NET_BLOB_TIMEOUT_NS 5000000000ull
#define CAPOS_GUEST_NET_TIME_MAX_AGE_NS 3600000000000ull /* an hour */

/* *clock (the port's, already given to capos_guest_net_init) is kept
 * inside g as the fallback and replaced by the host-time clock. */
void capos_guest_net_clock(capos_guest_net *g, captls_clock *clock);

void capos_guest_net_blob_store(capos_guest_net *g, captls_blob_store *out);
bool capos_guest_net_store_changed(capos_guest_net *g);

/* The peer address of an accepted stream ("" if none). */
const char *capos_guest_net_peer(const capos_guest_net *g, captls_stream_id s);

#endif
