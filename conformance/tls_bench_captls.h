/* conformance/tls_bench_captls.h — the captls half of captls-tls-bench:
 * a client and a server engine in one process, bytes moved between their
 * send_buf and recv_buf directly, single-threaded.
 *
 * Contract. tb_captls_new() builds a server and a client config from one
 * tb_pki's PEM files through the paths `captls tls-server` and `captls
 * tls-client` use (port/posix/tls_options.h: the key and chain through
 * captls_tlsopt_identity_load, the CA through captls_tlsopt_trust_init, so
 * the client verifies the server's chain and host name with a CertVerifier
 * and a TrustStore reached through caps, policy webPkiLenient; loaded
 * once per key type and kept for the process, as the programs keep them:
 * the first tb_pki of a type is the one used). Policy: the
 * modern preset narrowed to one suite and x25519. Randomness and time are
 * the POSIX port's (getrandom, CLOCK_*). With tickets the server seals one
 * NewSessionTicket per handshake under captls_tls_ticket_keys; without,
 * it issues none. record_size_limit (0 or 64..16385) is advertised by both
 * sides.
 *
 * Buffers: each end owns one RX, TX and HS buffer (malloc'd once) and
 * lends them when the engine asks (CAPTLS_TLS_NEEDBUF). The speed runs
 * keep them lent; the memory run gives back (captls_tls_reclaim) whatever
 * the engine does not hold each time the two engines have stopped
 * exchanging bytes, as a pool-driven server does, and records the most
 * bytes lent at once.
 *
 * Every handshake is checked (both sides done, the client's peer_auth
 * VERIFIED, resumed exactly when asked, no error); a failed check returns
 * -1 with a message on stderr, so no wrong figure is printed.
 */
#ifndef CAPTLS_CONFORMANCE_TLS_BENCH_CAPTLS_H
#define CAPTLS_CONFORMANCE_TLS_BENCH_CAPTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conformance/tls_bench_pki.h"

typedef struct tb_captls_opts {
    const char *suite;          /* OpenSSL spelling, "TLS_AES_128_GCM_SHA256" */
    bool tickets;
    uint16_t record_size_limit; /* 0: not sent */
} tb_captls_opts;

typedef struct tb_captls tb_captls;

tb_captls *tb_captls_new(const tb_pki *pki, const tb_captls_opts *opts);
void tb_captls_free(tb_captls *t);

/* As tb_ossl_handshakes / tb_ossl_bulk (tls_bench_ossl.h). */
double tb_captls_handshakes(tb_captls *t, double seconds, bool resume);
double tb_captls_bulk(tb_captls *t, double seconds);

/* Bytes per connection, per side (index 0 server, 1 client): the state
 * (CAPTLS_TLS_CONN_SIZE) plus the most buffer bytes lent at once during
 * the handshake, while one full record (16 KiB, or the record size limit)
 * goes client -> server after it, and when idle (everything reclaimed). */
typedef struct tb_captls_mem {
    size_t state;
    size_t hs_peak[2];
    size_t in_flight[2];
    size_t idle[2];
    size_t rx_hs;               /* RX during the handshake (2^14 records) */
    size_t rx, tx, hs;          /* RX after it, TX, HS */
} tb_captls_mem;
int tb_captls_memory(tb_captls *t, tb_captls_mem *out);

#endif
