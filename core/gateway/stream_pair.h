/* core/gateway/stream_pair.h — the two ByteStreamPairs (seed 004) the
 * gateway hands to TerminalSessionFromByteStream: the application data of
 * a TLS connection, and a plaintext port stream (the loopback-only research
 * path). Both look the same to the factory, so both paths run the same
 * Telnet code and produce the same bytes.
 *
 * Contract.
 *  - A pair borrows its transport (a captls_net_tls, or a net cap and a
 *    stream) and keeps nothing else; it must not outlive the transport.
 *  - TLS pair: read returns the plaintext the engine has decrypted
 *    (WOULD_BLOCK when none; EOF after close_notify; CONN_RESET when the
 *    stream ended without close_notify or failed); write copies into the
 *    engine's application buffer and seals (WOULD_BLOCK while no TX buffer
 *    is lent or the engine cannot take data: `want_tx` asks the driver to
 *    lend one); close queues close_notify once.
 *  - Plain pair: read/write are the stream's; close closes the stream
 *    handle (the port has no half-close) exactly once.
 *  - Neither blocks. Errors are captls_result values as in term_stream.h.
 */
#ifndef CAPTLS_GATEWAY_STREAM_PAIR_H
#define CAPTLS_GATEWAY_STREAM_PAIR_H

#include <stdbool.h>

#include "core/gateway/net_tls.h"
#include "core/telnet/term_stream.h"
#include "port/port.h"

typedef struct captls_tls_pair {
    captls_net_tls *link;
    bool want_tx;  /* write found no TX buffer lent */
    bool closed;   /* close_notify queued */
} captls_tls_pair;

void captls_tls_pair_init(captls_tls_pair *p, captls_net_tls *link);
captls_byte_stream_pair captls_tls_pair_as_pair(captls_tls_pair *p);

typedef struct captls_plain_pair {
    const captls_net *net;
    captls_stream_id s;     /* -1 once closed */
    captls_term_close_hint hint;
} captls_plain_pair;

void captls_plain_pair_init(captls_plain_pair *p, const captls_net *net,
                            captls_stream_id s);
captls_byte_stream_pair captls_plain_pair_as_pair(captls_plain_pair *p);
/* Closes the stream if the pair did not already (tear-down path). */
void captls_plain_pair_release(captls_plain_pair *p);

#endif
