/* core/tls/tls.h — the TLS 1.3 engine (RFC 8446): one sans-I/O connection
 * object for client and server. Bytes in, bytes and events out; no socket,
 * clock or RNG except the capabilities in the config.
 *
 * Contract.
 *  - Memory. A captls_tls_conn is caller-owned and fixed size
 *    (CAPTLS_TLS_CONN_SIZE: state only, no record buffers). Record and
 *    handshake buffers are LENT by the caller and can be taken back when the
 *    engine does not need them (captls_tls_buffers_wanted /
 *    captls_tls_lend / captls_tls_reclaim), so an idle established
 *    connection holds only its state and a pool can serve many
 *    connections. Three buffers:
 *      RX  incoming bytes, one whole record: CAPTLS_TLS_RX_BUF_SIZE, or
 *          less if we advertise a smaller record_size_limit
 *          (captls_tls_rx_buf_size()); also holds received plaintext until
 *          the application acknowledges it;
 *      TX  outgoing records: at least CAPTLS_TLS_TX_BUF_MIN; records are cut
 *          to fit (a bigger TX gives bigger records, up to 16 KiB);
 *      HS  handshake messages (reassembly of messages split over records,
 *          the outgoing flight): CAPTLS_TLS_HS_BUF_SIZE, only during the
 *          handshake and for post-handshake messages that span records.
 *    The engine never keeps a pointer into a buffer it has given back.
 *  - Driving. captls_tls_state() says what the engine wants:
 *      CAPTLS_TLS_SENDREC  bytes for the peer: captls_tls_send_buf/_ack;
 *      CAPTLS_TLS_RECVREC  room for peer bytes: captls_tls_recv_buf/_ack;
 *      CAPTLS_TLS_SENDAPP  application data accepted: captls_tls_app_send_buf
 *                          then _ack (seals one record);
 *      CAPTLS_TLS_RECVAPP  plaintext to read: captls_tls_app_recv_buf/_ack;
 *      CAPTLS_TLS_NEEDBUF  a buffer is missing: see captls_tls_buffers_wanted;
 *      CAPTLS_TLS_CLOSED   finished (close_notify both ways, or an error:
 *                          captls_tls_error()); after CLOSED only SENDREC
 *                          may remain (the last alert / close_notify).
 *    Functions whose precondition bit is not set return NULL / do nothing.
 *  - Errors are sticky: the first one is kept, an alert is queued for the
 *    peer (once) and every later call reports it. captls_tls_error() gives
 *    the error (the alert band carries the alert), captls_tls_info() tells
 *    which alert was sent or received and, for a certificate failure, the
 *    FailureReason.
 *  - Timeouts are the caller's: captls_tls_abort() ends a connection that
 *    stalled (no alert is owed to a silent peer; user_canceled is queued).
 *  - captls_tls_conn_wipe() zeroizes the state; lent buffers are zeroized
 *    when they are reclaimed after holding secrets.
 *  - Not thread-safe; a conn and its config belong to one event loop.
 */
#ifndef CAPTLS_TLS_TLS_H
#define CAPTLS_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/tls/alert.h"
#include "core/tls/tls_config.h"
#include "core/verify/policy.h"

#define CAPTLS_TLS_RECORD_HEADER 5u
#define CAPTLS_TLS_MAX_PLAINTEXT 16384u
/* RFC 8446 §5.4: TLSInnerPlaintext is at most 2^14 + 1 bytes, so with the
 * 16-byte tags of every TLS 1.3 suite a record is at most 2^14 + 17 bytes
 * of ciphertext (a longer one, legal under §5.2's 2^14 + 256, can only hold
 * an oversized plaintext and is refused with record_overflow at once). */
#define CAPTLS_TLS_MAX_CIPHERTEXT (16384u + 1u + 16u)
#define CAPTLS_TLS_RX_BUF_SIZE (CAPTLS_TLS_RECORD_HEADER + CAPTLS_TLS_MAX_CIPHERTEXT)
/* One full-size protected record: header + 2^14 + content type + tag. */
#define CAPTLS_TLS_TX_BUF_FULL (CAPTLS_TLS_RECORD_HEADER + 16384u + 1u + 16u)
#define CAPTLS_TLS_TX_BUF_MIN 512u
/* The HS buffer holds the handshake state (transcript, key schedule,
 * ephemeral keys, the peer's key: at most CAPTLS_TLS_HS_STATE_RESERVE
 * bytes) and then the largest handshake message accepted and largest flight
 * sent (16 KiB). */
#define CAPTLS_TLS_HS_STATE_RESERVE 2304u
#define CAPTLS_TLS_HS_BUF_SIZE (CAPTLS_TLS_HS_STATE_RESERVE + 16384u)

/* captls_tls_state() bits */
#define CAPTLS_TLS_SENDREC 0x01u
#define CAPTLS_TLS_RECVREC 0x02u
#define CAPTLS_TLS_SENDAPP 0x04u
#define CAPTLS_TLS_RECVAPP 0x08u
#define CAPTLS_TLS_NEEDBUF 0x10u
#define CAPTLS_TLS_CLOSED 0x20u

/* buffer kinds */
#define CAPTLS_TLS_BUF_RX 0x1u
#define CAPTLS_TLS_BUF_TX 0x2u
#define CAPTLS_TLS_BUF_HS 0x4u

/* ---- client sessions for resumption ------------------------------------ */
#define CAPTLS_TLS_MAX_TICKET 1024u
typedef struct captls_tls_session {
    uint16_t suite;
    uint8_t psk_len;
    uint8_t psk[48];              /* resumption PSK (secret) */
    uint32_t lifetime_s;
    uint32_t age_add;
    uint64_t received_ms;         /* config clock, monotonic ms */
    char server_name[256];        /* the SNI it was issued for */
    char peer_identity[128];      /* the server's leaf subject then */
    uint16_t ticket_len;
    uint8_t ticket[CAPTLS_TLS_MAX_TICKET];
} captls_tls_session;

/* Called by a client engine for every NewSessionTicket accepted. */
typedef void (*captls_tls_session_fn)(void *ctx, const captls_tls_session *s);

/* ---- outcome of peer authentication, in stages (seed 004) ------------- */
typedef enum captls_tls_peer_auth {
    CAPTLS_TLS_PEER_NOT_ASKED = 0,   /* server did not request a cert */
    CAPTLS_TLS_PEER_NO_CERT = 1,     /* asked, peer sent none */
    CAPTLS_TLS_PEER_FAILED = 2,      /* chain or signature failed: reason */
    CAPTLS_TLS_PEER_VERIFIED = 3,    /* chain and CertificateVerify good */
} captls_tls_peer_auth;

#define CAPTLS_TLS_IDENTITY_MAX 128u
typedef struct captls_tls_info {
    bool handshake_done;
    bool is_server;
    uint16_t version;             /* 0x0304 once negotiated */
    uint16_t suite;
    uint16_t group;               /* key exchange group (0: psk_ke) */
    uint16_t sig_scheme;          /* server's CertificateVerify scheme */
    uint16_t client_sig_scheme;   /* client's, with mTLS */
    bool hello_retry;
    bool resumed;
    char alpn[CAPTLS_TLS_MAX_ALPN_LEN + 1];
    char server_name[256];        /* SNI sent / received (sanitized) */
    uint16_t peer_record_size_limit;
    /* the peer's certificate (server: the client's) */
    captls_tls_peer_auth peer_auth;
    captls_failure_reason peer_failure;   /* when FAILED by the chain */
    char peer_identity[CAPTLS_TLS_IDENTITY_MAX]; /* leaf subject, sanitized */
    bool peer_stapled_ocsp;       /* a status_request response came */
    bool peer_scts;               /* an SCT list came in the handshake */
    /* alerts */
    bool alert_sent_valid, alert_received_valid;
    uint8_t alert_sent, alert_received;
    uint32_t key_updates_sent, key_updates_received;
} captls_tls_info;

typedef struct captls_tls_conn captls_tls_conn;
#include "core/tls/conn_state.h" /* struct captls_tls_conn (sized state) */

#define CAPTLS_TLS_CONN_SIZE sizeof(captls_tls_conn)

/* ---- lifecycle --------------------------------------------------------- */
/* server_name: SNI and the name the certificate must match (an IP literal
 * is matched against iPAddress SANs and not sent as SNI). resume: a session
 * from an earlier connection to the same name, or NULL. on_session: where
 * tickets go (NULL: ignored). */
CAPTLS_MUST_CHECK captls_result captls_tls_client_init(
    captls_tls_conn *c, const captls_tls_client_config *cfg,
    const char *server_name, const captls_tls_session *resume,
    captls_tls_session_fn on_session, void *on_session_ctx);
CAPTLS_MUST_CHECK captls_result captls_tls_server_init(
    captls_tls_conn *c, const captls_tls_server_config *cfg);
void captls_tls_conn_wipe(captls_tls_conn *c);

/* ---- buffers ------------------------------------------------------------ */
unsigned captls_tls_buffers_wanted(const captls_tls_conn *c);
/* Lends one buffer (kind: one CAPTLS_TLS_BUF_* bit). INVALID_ARGUMENT if it
 * is too small for its kind or one of that kind is already lent. */
CAPTLS_MUST_CHECK captls_result captls_tls_lend(captls_tls_conn *c,
                                                unsigned kind, uint8_t *buf,
                                                size_t cap);
/* Gives a buffer back if the engine holds nothing in it; *buf set, and
 * the buffer zeroized. false (nothing changes) while it is in use. */
bool captls_tls_reclaim(captls_tls_conn *c, unsigned kind, uint8_t **buf,
                        size_t *cap);
/* RX size needed once the handshake is done, with the record_size_limit a
 * config advertises (0: none): header + limit + tag. During the handshake
 * RX must be CAPTLS_TLS_RX_BUF_SIZE (plaintext records may carry 2^14). */
size_t captls_tls_rx_buf_size(uint16_t record_size_limit);

/* ---- driving -------------------------------------------------------------- */
unsigned captls_tls_state(const captls_tls_conn *c);
uint8_t *captls_tls_recv_buf(captls_tls_conn *c, size_t *len);
/* Processes n bytes written at recv_buf. Returns the sticky error, if any. */
CAPTLS_MUST_CHECK captls_result captls_tls_recv_ack(captls_tls_conn *c, size_t n);
const uint8_t *captls_tls_send_buf(captls_tls_conn *c, size_t *len);
void captls_tls_send_ack(captls_tls_conn *c, size_t n);
const uint8_t *captls_tls_app_recv_buf(captls_tls_conn *c, size_t *len);
void captls_tls_app_recv_ack(captls_tls_conn *c, size_t n);
uint8_t *captls_tls_app_send_buf(captls_tls_conn *c, size_t *len);
CAPTLS_MUST_CHECK captls_result captls_tls_app_send_ack(captls_tls_conn *c, size_t n);

/* ---- control ---------------------------------------------------------- */
/* Sends KeyUpdate (RFC 8446 §4.6.3) and switches our sending keys;
 * request_peer asks the peer to update too. Needs an established conn. */
CAPTLS_MUST_CHECK captls_result captls_tls_key_update(captls_tls_conn *c,
                                                      bool request_peer);
/* Queues close_notify; we send nothing more. Reading goes on until the
 * peer's close_notify. */
void captls_tls_close(captls_tls_conn *c);
/* Ends the connection now (timeout, shutdown): user_canceled is queued. */
void captls_tls_abort(captls_tls_conn *c, captls_result why);

captls_result captls_tls_error(const captls_tls_conn *c);
void captls_tls_info_get(const captls_tls_conn *c, captls_tls_info *out);
/* True once the peer's close_notify arrived (orderly end of its data). */
bool captls_tls_peer_closed(const captls_tls_conn *c);
/* Our close_notify (or a fatal alert) has been sealed and, when nothing is
 * left to send (no SENDREC), written out: a server may release the
 * connection without waiting for the peer's close_notify. */
bool captls_tls_close_sent(const captls_tls_conn *c);

#endif
