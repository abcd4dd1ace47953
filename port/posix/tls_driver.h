/* port/posix/tls_driver.h — drives one captls_tls_conn over a non-blocking
 * socket, with record buffers lent from a shared pool.
 *
 * Contract.
 *  - A link couples one engine connection (heap, CAPTLS_TLS_CONN_SIZE) and
 *    one non-blocking socket fd. captls_tlsd_pump() moves bytes between
 *    them until neither side can make progress: it lends the buffers the
 *    engine asks for (CAPTLS_TLS_NEEDBUF / captls_tls_buffers_wanted),
 *    lends RX after the handshake only when the socket has bytes (a
 *    MSG_PEEK of one byte), lends TX when the caller has data to send
 *    (captls_tlsd_lend_tx),
 *    writes what the engine has for the peer (SENDREC) and reads what the
 *    socket has (RECVREC). It never blocks and never touches application
 *    data: the caller handles RECVAPP / SENDAPP between pumps and pumps
 *    again after doing so.
 *  - Buffers: the pool hands out RX, TX and HS buffers of fixed sizes,
 *    malloc'd on first demand and recycled; captls_tlsd_reclaim_idle()
 *    gives a link's buffers back when the engine holds nothing in them
 *    (the engine zeroizes them on reclaim), so an idle established
 *    connection costs only its engine state. The pool records its peak
 *    use per kind. A pool has no upper bound of its own: the server bounds
 *    connections (--max-conns) and so the pool.
 *  - Socket results are sticky in the link: `eof` once recv() returned 0,
 *    `io_error` (CONN_RESET, IO, ...) once send/recv failed. The engine is
 *    not told: the caller decides (abort on error; EOF is an orderly end
 *    only if captls_tls_peer_closed()).
 *  - captls_tlsd_link_free() wipes the engine state, returns every buffer
 *    (zeroized) to the pool and closes the fd.
 *  - Not thread-safe; one event loop owns the pool and its links.
 */
#ifndef CAPTLS_PORT_POSIX_TLS_DRIVER_H
#define CAPTLS_PORT_POSIX_TLS_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tls/tls.h"

#define CAPTLS_TLSD_KINDS 3u    /* RX, TX, HS */
#define CAPTLS_TLSD_POOL_KEEP 32u /* free buffers kept per kind */

typedef struct captls_tlsd_pool {
    size_t size[CAPTLS_TLSD_KINDS];
    uint8_t *free_bufs[CAPTLS_TLSD_KINDS][CAPTLS_TLSD_POOL_KEEP];
    size_t free_count[CAPTLS_TLSD_KINDS];
    size_t out[CAPTLS_TLSD_KINDS];  /* lent to links now */
    size_t peak[CAPTLS_TLSD_KINDS]; /* most lent at once */
    uint64_t lends, reclaims;       /* counters */
} captls_tlsd_pool;

/* Buffer sizes: RX CAPTLS_TLS_RX_BUF_SIZE (what the handshake needs; one
 * size class keeps the pool simple — a smaller post-handshake RX for a
 * record_size_limit would save memory per busy connection, not per idle
 * one), TX CAPTLS_TLS_TX_BUF_FULL (full-size records), HS
 * CAPTLS_TLS_HS_BUF_SIZE. */
void captls_tlsd_pool_init(captls_tlsd_pool *p);
/* Frees the pool's idle buffers (lent ones belong to live links). */
void captls_tlsd_pool_fini(captls_tlsd_pool *p);
/* One buffer of kind index k (0 RX, 1 TX, 2 HS; size p->size[k]), or NULL
 * when memory is short; and its return (it must hold no secret: the
 * engine zeroizes on reclaim). Counted in out/peak. */
uint8_t *captls_tlsd_pool_take(captls_tlsd_pool *p, size_t k);
void captls_tlsd_pool_give(captls_tlsd_pool *p, size_t k, uint8_t *b);

typedef struct captls_tlsd_link {
    captls_tls_conn *conn;          /* heap, wiped and freed by link_free */
    int fd;                         /* non-blocking socket, -1 when closed */
    uint8_t *buf[CAPTLS_TLSD_KINDS];
    size_t cap[CAPTLS_TLSD_KINDS];
    bool eof;                       /* the peer ended its TCP stream */
    captls_result io_error;         /* sticky socket error, CAPTLS_OK if none */
    bool want_write;                /* the last send hit EAGAIN */
    bool no_buffer;                 /* the pool could not allocate */
    uint64_t bytes_in, bytes_out;   /* TLS bytes on the wire */
} captls_tlsd_link;

/* Allocates the engine state (not initialized: the caller runs
 * captls_tls_client_init / server_init on link->conn). false: out of
 * memory (fd is left to the caller). */
bool captls_tlsd_link_new(captls_tlsd_link *l, int fd);
void captls_tlsd_link_free(captls_tlsd_link *l, captls_tlsd_pool *p);

/* Moves bytes until no progress; returns true if anything moved. */
bool captls_tlsd_pump(captls_tlsd_link *l, captls_tlsd_pool *p);
/* Lends TX if it is not lent: after the handshake the engine offers
 * SENDAPP only with a TX buffer, so the caller asks for one when it has
 * application data to send. true if a buffer was lent. */
bool captls_tlsd_lend_tx(captls_tlsd_link *l, captls_tlsd_pool *p);
/* Gives back the buffers the engine does not hold data in (only when it
 * has nothing to send and no plaintext waiting). */
void captls_tlsd_reclaim_idle(captls_tlsd_link *l, captls_tlsd_pool *p);
/* poll(2) events the link waits for: POLLIN while the engine can take
 * bytes (never while plaintext waits for the application: backpressure),
 * POLLOUT while a send is blocked. */
short captls_tlsd_poll_events(const captls_tlsd_link *l);
/* The engine is finished and has nothing left to send (or cannot send). */
bool captls_tlsd_done(const captls_tlsd_link *l);

/* Why a connection ended badly, for the programs' `error:` lines:
 * "handshake_failure (alert received)", "bad_certificate (alert sent)",
 * "connection reset", "connection closed without close_notify", ...
 * NULL when it ended cleanly (close_notify received, no error). */
const char *captls_tlsd_failure_text(const captls_tlsd_link *l, char *buf,
                                     size_t cap);

#endif
