/* core/tls/conn_internal.h — what the engine's files share: conn.c (buffers,
 * driving, alerts, application data), record.c (record protection),
 * flight.c (outgoing handshake flights), hs_common.c (transcript, keys,
 * certificates, CertificateVerify, Finished), client.c and server.c (one
 * handler per handshake state). Not a public header.
 */
#ifndef CAPTLS_TLS_CONN_INTERNAL_H
#define CAPTLS_TLS_CONN_INTERNAL_H

#include "core/tls/msg.h"
#include "core/tls/tls.h"

#define CAPTLS_TLS_CONN_MAGIC 0x544c5333u /* "TLS3" */

/* Record content types (RFC 8446 §5.1). */
enum {
    CAPTLS_CT_CHANGE_CIPHER_SPEC = 20,
    CAPTLS_CT_ALERT = 21,
    CAPTLS_CT_HANDSHAKE = 22,
    CAPTLS_CT_APPLICATION_DATA = 23,
};

/* Handshake steps: what the engine waits for next. */
enum captls_tls_step {
    STEP_START = 0,
    /* client */
    STEP_C_WAIT_SH,
    STEP_C_WAIT_EE,
    STEP_C_WAIT_CERT_CR,
    STEP_C_WAIT_CERT,
    STEP_C_WAIT_CV,
    STEP_C_WAIT_FINISHED,
    /* server */
    STEP_S_WAIT_CH,
    STEP_S_WAIT_CH2,
    STEP_S_WAIT_CERT,
    STEP_S_WAIT_CV,
    STEP_S_WAIT_FINISHED,
    /* both */
    STEP_CONNECTED,
    STEP_DEAD,
};

/* Which secret a flight switches the write keys to. */
enum { SWITCH_NONE = 0, SWITCH_HANDSHAKE = 1, SWITCH_APPLICATION = 2 };

/* ---- conn.c ------------------------------------------------------------ */
/* Records the first error, queues its alert (unless the error came from the
 * peer's alert) and wipes the handshake state. Returns err. */
captls_result captls_tls_fail(captls_tls_conn *c, captls_result err);
/* Fails with the alert for a certificate FailureReason. */
captls_result captls_tls_fail_cert(captls_tls_conn *c, captls_failure_reason r);
uint64_t captls_tls_now_ms(const captls_tls_conn *c);
bool captls_tls_wall_ms(const captls_tls_conn *c, uint64_t *ms);
captls_result captls_tls_random(captls_tls_conn *c, uint8_t *out, size_t len);
const captls_tls_common_config *captls_tls_common(const captls_tls_conn *c);
void captls_tls_handshake_complete(captls_tls_conn *c);
bool captls_tls_dead(const captls_tls_conn *c);
bool captls_tls_in_handshake(const captls_tls_conn *c);
bool captls_tls_output_pending(const captls_tls_conn *c);
/* Application bytes one record can take now (0: none). */
size_t captls_tls_app_room(const captls_tls_conn *c);
/* After any input or buffer change: starts the client, resumes a record
 * that waited for HS, pumps output, wipes the handshake state once unused. */
void captls_tls_process(captls_tls_conn *c);

/* ---- conn_input.c / conn_output.c ----------------------------------------- */
/* Opens (once) and handles the complete record in RX. */
CAPTLS_MUST_CHECK captls_result captls_tls_record_in(captls_tls_conn *c);
/* Seals what is due into TX: the alert of a dead connection, the staged
 * flight, a queued KeyUpdate, close_notify. */
void captls_tls_pump_output(captls_tls_conn *c);

/* ---- record.c ------------------------------------------------------------ */
/* Installs keys for one direction from a traffic secret (RFC 8446 §7.3);
 * sequence number reset to 0. The secret is kept for KeyUpdate. */
CAPTLS_MUST_CHECK captls_result captls_tls_record_keys_set(
    captls_tls_record_keys *k, const captls_tls_suite_info *suite,
    const uint8_t *secret);
void captls_tls_record_keys_wipe(captls_tls_record_keys *k);
/* Seals one record of `type` with payload p[0..n) at tx[tx_len] (protected
 * if wr has keys). Needs captls_tls_record_room(c) >= n. */
CAPTLS_MUST_CHECK captls_result captls_tls_record_write(captls_tls_conn *c,
                                                        uint8_t type,
                                                        const uint8_t *p,
                                                        size_t n);
/* Payload bytes that fit in one record at the end of TX now (0: none). */
size_t captls_tls_record_room(const captls_tls_conn *c);
/* Opens the whole record in rx[0..rx_len): on success *type, and the
 * plaintext at rx + CAPTLS_TLS_RECORD_HEADER, *len bytes. */
CAPTLS_MUST_CHECK captls_result captls_tls_record_open(captls_tls_conn *c,
                                                       uint8_t *type,
                                                       size_t *len);

/* ---- flight.c ------------------------------------------------------------ */
/* Outgoing handshake messages are written into the HS buffer through a
 * writer opened at the end of what is staged, and added to the transcript
 * when committed. A flight is: messages under the current write keys, an
 * optional ChangeCipherSpec, an optional switch of write keys, more
 * messages, an optional final switch. */
void captls_tls_flight_writer(captls_tls_conn *c, captls_tls_writer *w);
/* Takes w's bytes as staged messages (and into the transcript if
 * `transcript`). BUFFER_TOO_SMALL → internal_error for the caller. */
CAPTLS_MUST_CHECK captls_result captls_tls_flight_commit(
    captls_tls_conn *c, const captls_tls_writer *w, bool transcript);
/* Marks the current end of the staged bytes as the switch point: a CCS
 * (if ccs) then new write keys (which: SWITCH_*). */
void captls_tls_flight_mark_switch(captls_tls_conn *c, bool ccs, int which);
/* Keys installed once everything staged has been sealed. */
void captls_tls_flight_final_switch(captls_tls_conn *c, int which);
/* A CCS before anything staged (client: before its second flight). */
void captls_tls_flight_ccs_first(captls_tls_conn *c);
/* Seals staged bytes into TX as room allows. */
CAPTLS_MUST_CHECK captls_result captls_tls_flight_pump(captls_tls_conn *c);
bool captls_tls_flight_pending(const captls_tls_conn *c);

/* ---- hs_common.c --------------------------------------------------------- */
void captls_tls_keylog(captls_tls_conn *c, const char *label,
                       const uint8_t *secret);
/* Checks the peer's Certificate message (non-empty list) through the
 * config's verifier caps (purpose, name), keeps the leaf SPKI and fills
 * info.peer_*. Returns OK, or a chain failure already recorded in info
 * (*chain_ok false, *reason set) when `soft` (server, client cert not
 * required), else the error to fail with. */
CAPTLS_MUST_CHECK captls_result captls_tls_check_peer_chain(
    captls_tls_conn *c, const captls_tls_certificate *msg,
    const captls_tls_peer_verifier *v, bool server_auth, bool soft,
    bool *chain_ok);
/* Decodes and verifies the peer's CertificateVerify over the transcript so
 * far with the kept leaf SPKI (the scheme must be one our policy offered),
 * then adds the message to the transcript; *scheme set. */
CAPTLS_MUST_CHECK captls_result captls_tls_receive_cert_verify(
    captls_tls_conn *c, const uint8_t *msg, size_t len, bool from_server,
    uint16_t *scheme);
/* Stages Certificate (+ CertificateVerify when scheme != 0) from a chain
 * source and a signer. */
CAPTLS_MUST_CHECK captls_result captls_tls_send_certificate(
    captls_tls_conn *c, const captls_tls_chain *chain,
    const captls_tls_signer *key, uint16_t scheme, bool server,
    bool ocsp, bool sct);
/* Stages Finished keyed by base_key (our handshake secret). */
CAPTLS_MUST_CHECK captls_result captls_tls_send_finished(captls_tls_conn *c,
                                                         const uint8_t *base_key);
/* Checks the peer's Finished against base_key (the peer's secret) and the
 * transcript so far (before adding the message). */
CAPTLS_MUST_CHECK captls_result captls_tls_check_finished(
    captls_tls_conn *c, const uint8_t *body, size_t len,
    const uint8_t *base_key);
/* Derives the application secrets from the transcript (through server
 * Finished), logs them. */
CAPTLS_MUST_CHECK captls_result captls_tls_derive_application(captls_tls_conn *c);
/* Installs the read keys from one of the hs_state secrets. */
CAPTLS_MUST_CHECK captls_result captls_tls_set_read(captls_tls_conn *c,
                                                    const uint8_t *secret);
/* RFC 8446 §4.2.11.2: a PSK binder is the Finished MAC keyed by the
 * binder key ("res binder") over the transcript so far (`before`, NULL for
 * an empty one) plus the ClientHello truncated before its binders list. */
CAPTLS_MUST_CHECK captls_result captls_tls_psk_binder(
    captls_hash_alg hash, const uint8_t *psk, size_t psk_len,
    const captls_tls_transcript *before, const uint8_t *truncated_ch,
    size_t len, uint8_t out[CAPTLS_TLS_MAX_HASH]);
/* Picks the first of `ours` that `theirs` (u16 list) contains; 0 if none. */
uint16_t captls_tls_pick_u16(const uint16_t *ours, size_t n, captls_slice theirs);
/* Constant-time comparison of a MAC the peer sent (Finished, PSK binder)
 * with ours. Under CAPTLS_FUZZING (fuzz builds only) it accepts any value. */
bool captls_tls_mac_equal(const uint8_t *ours, const uint8_t *theirs, size_t len);

/* ---- client.c / server.c ------------------------------------------------- */
CAPTLS_MUST_CHECK captls_result captls_tls_client_start(captls_tls_conn *c);
CAPTLS_MUST_CHECK captls_result captls_tls_client_handle(
    captls_tls_conn *c, uint8_t type, const uint8_t *msg, size_t msg_len);
CAPTLS_MUST_CHECK captls_result captls_tls_server_handle(
    captls_tls_conn *c, uint8_t type, const uint8_t *msg, size_t msg_len);
/* Post-handshake messages common to both sides (KeyUpdate) and the
 * client's NewSessionTicket. */
CAPTLS_MUST_CHECK captls_result captls_tls_post_handshake(
    captls_tls_conn *c, uint8_t type, const uint8_t *msg, size_t msg_len,
    bool at_record_end);

#endif
