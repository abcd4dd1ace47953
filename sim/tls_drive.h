/* sim/tls_drive.h — runs one sans-I/O TLS 1.3 connection (core/tls/tls.h)
 * over a simulator stream, for the tls-server and tls-client programs.
 *
 * Contract. A sim_tls_conn is part of a program's state (zeroed by the
 * kernel at start and restart); it holds the engine state and the three
 * buffers the engine borrows (RX, TX, HS: all lent at init and kept for
 * the connection's life, so NEEDBUF never stalls it). sim_tls_pump moves
 * bytes until nothing more can move now: engine records out to the
 * stream, stream bytes into the engine, queued application data into
 * records, received plaintext to the program's callback. It never blocks.
 * When the engine is CLOSED and its last record (alert or close_notify)
 * is out, or when the stream fails, the connection FINISHES: the stream is
 * closed, the info kept for facts (sim_tls_conn.last), the engine state
 * and the buffers wiped.
 *
 * Transcript: every step a scenario may expect is one line, prefixed with
 * the connection's label ("connection 2: " on a server, "" on a client):
 *   handshake ok: TLS_AES_128_GCM_SHA256 x25519 ed25519, resumed no
 *   alert sent: bad_certificate / alert received: close_notify
 *   key update sent (#3) / key update received (#3)
 *   error: fail: notYetValid
 *   closed: close_notify both ways / closed after error: <text>
 * Everything the peer controls (its name, its identity) is sanitized.
 */
#ifndef CAPTLS_SIM_TLS_DRIVE_H
#define CAPTLS_SIM_TLS_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tls/tls.h"
#include "sim/sim.h"

#define SIM_TLS_OUT 8192u  /* application bytes queued for sealing */
#define SIM_TLS_ERR 80u    /* an error as the facts show it */

typedef struct sim_tls_conn sim_tls_conn;

/* Plaintext the peer sent (n > 0). */
typedef void (*sim_tls_app_fn)(captls_sim_proc *p, void *ctx,
                               sim_tls_conn *c, const uint8_t *b, size_t n);

struct sim_tls_conn {
    bool used;        /* engine initialised and not finished */
    bool stream_open; /* we hold the stream id */
    uint32_t id;      /* server: connection number; client: 0 */
    captls_stream_id s;
    bool closing;     /* we queued close_notify */
    bool close_when_flushed;
    uint8_t out[SIM_TLS_OUT];
    size_t out_len;
    /* already in the transcript */
    bool rep_hs, rep_alert_sent, rep_alert_recv, rep_peer_close, rep_error;
    uint32_t rep_ku_sent, rep_ku_recv;
    /* kept after the finish, for facts */
    captls_tls_info last;
    bool have_last;
    char error[SIM_TLS_ERR]; /* "" while none */
    captls_tls_conn tls;
    uint8_t rx[CAPTLS_TLS_RX_BUF_SIZE];
    uint8_t tx[CAPTLS_TLS_TX_BUF_FULL];
    uint8_t hs[CAPTLS_TLS_HS_BUF_SIZE];
};

/* Lends the buffers to an initialised engine and marks c used (s must be
 * an open stream c now owns). */
CAPTLS_MUST_CHECK captls_result sim_tls_start(sim_tls_conn *c,
                                              captls_stream_id s, uint32_t id);

/* Moves everything that can move now (see above). */
void sim_tls_pump(captls_sim_proc *p, sim_tls_conn *c, sim_tls_app_fn on_app,
                  void *ctx);

/* Queues application bytes; false (nothing queued) if they do not fit. */
bool sim_tls_queue(sim_tls_conn *c, const uint8_t *b, size_t n);

/* close_notify once the queued bytes are sealed. */
void sim_tls_close(captls_sim_proc *p, sim_tls_conn *c);

/* Ends the connection now (a caller-side timeout): the engine's abort
 * queues user_canceled, the error is `why`'s name. */
void sim_tls_abort(captls_sim_proc *p, sim_tls_conn *c, captls_result why);

/* Current or last info (after the finish). */
void sim_tls_info(const sim_tls_conn *c, captls_tls_info *out);

/* "TLS_AES_128_GCM_SHA256 x25519 ed25519" into out. */
void sim_tls_params(const captls_tls_info *i, char *out, size_t cap);

#endif
