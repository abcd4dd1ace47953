/* core/tls/conn_state.h — the layout of a captls_tls_conn. Included by
 * tls.h only so that callers can allocate it (CAPTLS_TLS_CONN_SIZE); no
 * field is part of the API: use the functions of tls.h.
 *
 * The state is split in two: what every connection keeps for its whole
 * life (record protection, application secrets for KeyUpdate, the info
 * summary), and a union that only the handshake uses (transcript, key
 * schedule, ephemeral keys, the peer's public key); the union is wiped when
 * the handshake ends.
 */
#ifndef CAPTLS_TLS_CONN_STATE_H
#define CAPTLS_TLS_CONN_STATE_H

#ifndef CAPTLS_TLS_TLS_H
#error "include core/tls/tls.h, not conn_state.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto/aead.h"
#include "core/tls/key_schedule.h"

/* Largest leaf SPKI kept for CertificateVerify: RSA-4096 is 550 bytes. */
#define CAPTLS_TLS_MAX_SPKI 560u

/* One direction of record protection (RFC 8446 §5.2, §5.3). */
typedef struct captls_tls_record_keys {
    captls_aead_ctx aead;     /* NONE: plaintext records */
    uint8_t iv[CAPTLS_TLS_IV_SIZE];
    uint64_t seq;
    uint8_t secret[CAPTLS_TLS_MAX_HASH]; /* current traffic secret (KeyUpdate) */
} captls_tls_record_keys;

/* Handshake-only state (wiped at the end of the handshake); it lives in
 * the HS buffer, not in the connection. */
typedef struct captls_tls_hs_state {
    captls_tls_transcript transcript;
    captls_tls_key_schedule ks;
    captls_tls_key_share share[2];    /* client: one per group offered */
    uint8_t client_random[32];
    uint8_t session_id[32];
    uint8_t session_id_len;
    uint8_t c_hs[CAPTLS_TLS_MAX_HASH], s_hs[CAPTLS_TLS_MAX_HASH];
    uint8_t c_ap[CAPTLS_TLS_MAX_HASH], s_ap[CAPTLS_TLS_MAX_HASH];
    /* the peer's leaf SubjectPublicKeyInfo, copied out of its Certificate
     * message (the verify scratch is shared by the config's connections) */
    uint16_t peer_spki_len;
    uint8_t peer_spki[CAPTLS_TLS_MAX_SPKI];
    /* client */
    uint16_t hrr_group;               /* group the server asked for */
    uint16_t cookie_len;
    uint8_t cookie[256];              /* HRR cookie echoed back */
    bool cert_requested;              /* server sent CertificateRequest */
    uint8_t cert_request_context_len;
    uint16_t peer_sig_algs[16];       /* from CertificateRequest */
    uint8_t peer_sig_alg_count;
    bool psk_offered;
    /* server */
    uint16_t client_sig_algs[16];
    uint8_t client_sig_alg_count;
    uint16_t client_key_share_group;
    uint8_t client_share[65];
    uint8_t client_share_len;
    bool client_wants_ocsp, client_wants_sct;
    bool client_psk_modes_seen;       /* psk_dhe_ke offered: tickets useful */
    bool peer_chain_ok;               /* client chain verified (server) */
    bool psk_accepted;
    uint8_t psk[CAPTLS_TLS_MAX_HASH];
    size_t psk_len;
    uint32_t expected_messages;       /* bitmask of what may come next */
} captls_tls_hs_state;

struct captls_tls_conn {
    uint32_t magic;
    bool is_server;
    uint8_t step;                     /* enum captls_tls_step (conn_internal.h) */
    const void *cfg;                  /* captls_tls_server_config or _client_config */
    captls_result error;              /* sticky */
    captls_tls_info info;
    const captls_tls_suite_info *suite;

    captls_tls_record_keys rd, wr;
    uint8_t resumption_master[CAPTLS_TLS_MAX_HASH];
    uint16_t send_limit;              /* max plaintext per record we send */
    uint16_t recv_limit;              /* max inner plaintext we accept (RFC 8449) */
    bool ccs_received, ccs_sent;
    bool close_queued, close_sent, close_received;
    bool key_update_queued;           /* our KeyUpdate waits for TX room */
    bool key_update_request;          /* ... with update_requested */
    bool alert_pending;               /* pending_alert waits for TX room */
    uint8_t pending_alert;
    uint32_t early_skip;              /* server: 0-RTT bytes still skippable */
    uint32_t ticket_count;            /* NewSessionTickets received/sent */
    bool rd_changed;                  /* read keys changed in this record */
    bool hs_live;                     /* hs_state holds secrets */
    bool peer_finished;               /* no CCS accepted after this */
    bool peer_alert;                  /* the error came from the peer */

    /* RX: one record at a time */
    uint8_t *rx; size_t rx_cap, rx_len;
    bool rx_open;                     /* rx holds an opened record */
    uint8_t rx_type;
    size_t rx_plain_len, rx_proc_off; /* plaintext at rx + 5 */
    /* TX: sealed records not yet taken by the caller */
    uint8_t *tx; size_t tx_cap, tx_off, tx_len;
    /* HS: staged outgoing flight, then partial incoming message */
    uint8_t *hs; size_t hs_cap;
    size_t hs_out_off, hs_out_end;    /* staged flight [off, end) */
    size_t hs_switch_at;              /* SIZE_MAX: no switch point */
    bool hs_switch_ccs, hs_ccs_first;
    uint8_t hs_switch_which, hs_final_which;
    size_t hs_in_base, hs_in_len;     /* partial incoming handshake message */

    /* client */
    captls_tls_session_fn on_session;
    void *on_session_ctx;
    uint8_t sni_len;
    char sni[256];                    /* name to verify (and send unless IP) */
    bool sni_is_ip;
    uint8_t ip[16]; uint8_t ip_len;

    /* client: the session offered for resumption (caller's memory, valid
     * until the handshake ends) */
    const captls_tls_session *resume;
    /* The handshake state lives at the start of the lent HS buffer (first
     * CAPTLS_TLS_HS_STATE_RESERVE bytes), so that an established
     * connection holds none of it; NULL once wiped. */
    captls_tls_hs_state *hss;
    uint8_t *hs_buf; size_t hs_buf_cap; /* the buffer as lent */
    /* bytes of each buffer written since it was lent (wiped on reclaim) */
    size_t rx_hw, tx_hw, hs_hw;
};

#endif
