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

/* One direction of record protection (RFC 8446 §5.2, §5.3). */
typedef struct captls_tls_record_keys {
    captls_aead_ctx aead;     /* NONE: plaintext records */
    uint8_t iv[CAPTLS_TLS_IV_SIZE];
    uint64_t seq;
    uint8_t secret[CAPTLS_TLS_MAX_HASH]; /* current traffic secret (KeyUpdate) */
} captls_tls_record_keys;

/* Handshake-only state (wiped at the end of the handshake). */
typedef struct captls_tls_hs_state {
    captls_tls_transcript transcript;
    captls_tls_key_schedule ks;
    captls_tls_key_share share[2];    /* client: one per group offered */
    uint8_t client_random[32];
    uint8_t session_id[32];
    uint8_t session_id_len;
    uint8_t c_hs[CAPTLS_TLS_MAX_HASH], s_hs[CAPTLS_TLS_MAX_HASH];
    uint8_t c_ap[CAPTLS_TLS_MAX_HASH], s_ap[CAPTLS_TLS_MAX_HASH];
    /* the peer's leaf key, copied out of its Certificate message */
    uint8_t peer_key_type;            /* captls_key_type */
    uint16_t peer_key_len;
    uint8_t peer_key[520];            /* RSA n (<= 512) + e, or the point */
    uint16_t peer_rsa_n_len;
    uint32_t peer_rsa_bits;
    /* client */
    uint16_t hrr_group;               /* group the server asked for */
    uint8_t cookie_len;
    uint8_t cookie[128];              /* HRR cookie echoed back */
    bool cert_requested;              /* server sent CertificateRequest */
    uint8_t cert_request_context_len;
    uint16_t peer_sig_algs[16];       /* from CertificateRequest */
    uint8_t peer_sig_alg_count;
    bool psk_offered;
    const void *resume;               /* captls_tls_session offered */
    /* server */
    uint16_t client_sig_algs[16];
    uint8_t client_sig_alg_count;
    uint16_t client_key_share_group;
    uint8_t client_share[65];
    uint8_t client_share_len;
    bool client_wants_ocsp, client_wants_sct;
    bool psk_accepted;
    uint8_t psk[CAPTLS_TLS_MAX_HASH];
    size_t psk_len;
    uint32_t expected_messages;       /* bitmask of what may come next */
} captls_tls_hs_state;

struct captls_tls_conn {
    uint32_t magic;
    bool is_server;
    uint8_t state;                    /* conn.c's enum captls_tls_hs_step */
    const void *cfg;                  /* server or client config */
    captls_result error;              /* sticky */
    captls_tls_info info;
    const captls_tls_suite_info *suite;

    captls_tls_record_keys rd, wr;
    captls_hash_alg hash;
    uint8_t resumption_master[CAPTLS_TLS_MAX_HASH];
    uint16_t send_limit;              /* max plaintext per record we send */
    uint16_t recv_limit;              /* max plaintext per record we accept */
    bool ccs_seen, ccs_sent;
    bool close_sent, close_received;
    bool key_update_pending;          /* peer asked: answer before app data */
    uint8_t pending_alert;            /* 0xff: none */
    bool alert_queued;
    uint16_t post_hs_count;           /* post-handshake messages this window */

    /* buffers lent by the caller */
    uint8_t *rx; size_t rx_cap, rx_len, rx_app_off, rx_app_len;
    uint8_t *tx; size_t tx_cap, tx_off, tx_len;
    uint8_t *hs; size_t hs_cap, hs_in_len, hs_out_off, hs_out_len;
    uint8_t hs_out_epoch;             /* which keys the staged flight uses */

    /* client session callback */
    captls_tls_session_fn on_session;
    void *on_session_ctx;
    uint8_t sni[256];
    uint8_t sni_len;

    captls_tls_hs_state hs_state;
};

#endif
