/* core/tls/client.c — the client's handshake (RFC 8446 §2, §4): one
 * handler per step, from ClientHello to our Finished, plus the
 * NewSessionTicket and KeyUpdate messages after it. See conn_internal.h. */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/conn_internal.h"
#include "core/verify/hostname.h"

static const captls_tls_client_config *ccfg(const captls_tls_conn *c)
{
    return (const captls_tls_client_config *)c->cfg;
}

static captls_result entropy_fill(void *ctx, uint8_t *out, size_t len)
{
    captls_tls_conn *c = ctx;
    return captls_tls_random(c, out, len);
}

/* The session offered for resumption, if it is still usable. */
static bool resumable(captls_tls_conn *c)
{
    const captls_tls_session *s = c->resume;
    const captls_cipher_policy *p = &ccfg(c)->common.policy;
    const captls_tls_suite_info *suite;
    uint64_t age;

    if (s == NULL || s->ticket_len == 0 || s->ticket_len > CAPTLS_TLS_MAX_TICKET)
        return false;
    suite = captls_tls_suite_get(s->suite);
    if (suite == NULL || !captls_cipher_policy_has_suite(p, s->suite) ||
        s->psk_len != suite->hash_len)
        return false;
    /* A ticket is for the server name it was issued under. */
    if (strlen(s->server_name) != c->sni_len ||
        memcmp(s->server_name, c->sni, c->sni_len) != 0)
        return false;
    age = captls_tls_now_ms(c) - s->received_ms;
    return age < (uint64_t)s->lifetime_s * 1000u;
}

/* Builds and stages a ClientHello (the first, or the second after a
 * HelloRetryRequest) with its PSK binder. */
static captls_result send_client_hello(captls_tls_conn *c)
{
    const captls_tls_client_config *cfg = ccfg(c);
    const captls_cipher_policy *p = &cfg->common.policy;
    captls_tls_hs_state *h = c->hss;
    const captls_tls_session *s = c->resume;
    captls_tls_client_hello_params prm;
    captls_tls_key_share_entry share;
    captls_slice identity;
    uint32_t age;
    size_t binders_offset = 0;
    captls_tls_writer w;
    captls_result r;

    memset(&prm, 0, sizeof prm);
    prm.random = h->client_random;
    prm.session_id = h->session_id;
    prm.session_id_len = h->session_id_len;
    prm.suites = p->suites;
    prm.suite_count = p->suite_count;
    if (!c->sni_is_ip) {
        prm.server_name = (const uint8_t *)c->sni;
        prm.server_name_len = c->sni_len;
    }
    prm.groups = p->groups;
    prm.group_count = p->group_count;
    share.group = h->share[0].group;
    share.key_exchange.ptr = h->share[0].pub;
    share.key_exchange.len = h->share[0].pub_len;
    prm.shares = &share;
    prm.share_count = 1;
    prm.sig_algs = p->schemes;
    prm.sig_alg_count = p->scheme_count;
    prm.sig_algs_cert = p->cert_schemes;
    prm.sig_alg_cert_count = p->cert_scheme_count;
    prm.alpn = cfg->common.alpn;
    prm.alpn_count = cfg->common.alpn_count;
    prm.record_size_limit = cfg->common.record_size_limit;
    prm.status_request = true;
    prm.sct = true;
    prm.cookie = h->cookie;
    prm.cookie_len = h->cookie_len;
    prm.psk_modes_dhe = true;
    if (h->psk_offered) {
        /* RFC 8446 §4.2.11.1: obfuscated_ticket_age = age in ms + age_add
         * (mod 2^32). */
        age = (uint32_t)(captls_tls_now_ms(c) - s->received_ms) + s->age_add;
        identity.ptr = s->ticket;
        identity.len = s->ticket_len;
        prm.psk_count = 1;
        prm.psk_identity = &identity;
        prm.psk_obfuscated_age = &age;
        prm.psk_binder_len = s->psk_len;
    }
    captls_tls_flight_writer(c, &w);
    r = captls_tls_client_hello_encode(&w, &prm, &binders_offset);
    if (r != CAPTLS_OK)
        return CAPTLS_ERR_INTERNAL;
    if (h->psk_offered) {
        /* §4.2.11.2: the binder is the Finished MAC, keyed by the binder
         * key, over the transcript up to and including the truncated
         * ClientHello. */
        const captls_tls_suite_info *ps = captls_tls_suite_get(s->suite);
        r = captls_tls_psk_binder(ps->hash, s->psk, s->psk_len, &h->transcript,
                                  w.buf, binders_offset,
                                  w.buf + binders_offset + 3);
        if (r != CAPTLS_OK)
            return r;
    }
    return captls_tls_flight_commit(c, &w, true);
}

captls_result captls_tls_client_start(captls_tls_conn *c)
{
    const captls_tls_client_config *cfg = ccfg(c);
    captls_tls_hs_state *h = c->hss;
    size_t ip_len = 0;
    captls_result r;

    /* An IP literal is verified against iPAddress SANs and never sent as
     * SNI (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not
     * permitted in HostName"). */
    if (captls_ip_parse(c->sni, c->sni_len, c->ip, &ip_len)) {
        c->sni_is_ip = true;
        c->ip_len = (uint8_t)ip_len;
    }
    {
        size_t n = c->sni_len < sizeof c->info.server_name - 1
                       ? c->sni_len : sizeof c->info.server_name - 1;
        memcpy(c->info.server_name, c->sni, n);
        c->info.server_name[n] = '\0';
    }
    r = captls_tls_random(c, h->client_random, 32);
    if (r == CAPTLS_OK)
        r = captls_tls_random(c, h->session_id, 32); /* §D.4 compatibility */
    if (r != CAPTLS_OK)
        return r;
    h->session_id_len = 32;
    captls_tls_transcript_init(&h->transcript);
    r = captls_tls_key_share_generate(&h->share[0], cfg->common.policy.groups[0],
                                      entropy_fill, c);
    if (r != CAPTLS_OK)
        return r;
    h->psk_offered = resumable(c);
    c->step = STEP_C_WAIT_SH;
    return send_client_hello(c);
}

/* ---- ServerHello / HelloRetryRequest -------------------------------------- */

static bool offered_suite(const captls_tls_conn *c, uint16_t s)
{
    return captls_cipher_policy_has_suite(&ccfg(c)->common.policy, s) &&
           captls_tls_suite_get(s) != NULL;
}

static captls_result check_hello_common(captls_tls_conn *c,
                                        const captls_tls_server_hello *sh)
{
    static const uint8_t downgrade[7] = {'D', 'O', 'W', 'N', 'G', 'R', 'D'};
    const captls_tls_hs_state *h = c->hss;

    /* RFC 8446 §4.1.3: a TLS 1.3 client that is offered an older version
     * checks the downgrade sentinel, then refuses the version. */
    if (!(sh->ext_seen & CAPTLS_SH_SEEN_SUPPORTED_VERSIONS)) {
        if (!sh->is_hrr && sh->random.len == 32 &&
            memcmp(sh->random.ptr + 24, downgrade, 7) == 0 &&
            (sh->random.ptr[31] == 0 || sh->random.ptr[31] == 1))
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        return CAPTLS_TLS_ERR(PROTOCOL_VERSION);
    }
    /* §4.2.1: a version we did not offer is illegal_parameter. */
    if (sh->selected_version != CAPTLS_TLS_VERSION_13)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    /* §4.1.3: legacy_version MUST be 0x0303. */
    if (sh->legacy_version != CAPTLS_TLS_VERSION_12)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    /* §4.1.3: legacy_session_id_echo must be what we sent. */
    if (sh->session_id_echo.len != h->session_id_len ||
        memcmp(sh->session_id_echo.ptr, h->session_id, h->session_id_len) != 0)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    if (sh->compression != 0 || !offered_suite(c, sh->cipher_suite))
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    /* §4.1.4: the suite after a HelloRetryRequest must not change. */
    if (c->info.hello_retry && c->suite->id != sh->cipher_suite)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    return CAPTLS_OK;
}

static captls_result on_hello_retry(captls_tls_conn *c,
                                    const captls_tls_server_hello *hrr,
                                    const uint8_t *msg, size_t len)
{
    captls_tls_hs_state *h = c->hss;
    const captls_cipher_policy *p = &ccfg(c)->common.policy;
    captls_result r;

    /* §4.1.4: a second HelloRetryRequest is unexpected_message. */
    if (c->info.hello_retry)
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    r = check_hello_common(c, hrr);
    if (r != CAPTLS_OK)
        return r;
    /* "... if the HelloRetryRequest would not result in any change in the
     * ClientHello": illegal_parameter. */
    if (!(hrr->ext_seen & (CAPTLS_SH_SEEN_KEY_SHARE | CAPTLS_SH_SEEN_COOKIE)))
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    if (hrr->ext_seen & CAPTLS_SH_SEEN_KEY_SHARE) {
        /* §4.2.8: the group must be one we offered in supported_groups and
         * not one we already sent a share for. */
        if (!captls_cipher_policy_has_group(p, hrr->key_share_group) ||
            hrr->key_share_group == h->share[0].group)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    }
    if (hrr->cookie.len > sizeof h->cookie)
        return CAPTLS_TLS_ERR(HANDSHAKE_FAILURE); /* larger than we keep */
    c->suite = captls_tls_suite_get(hrr->cipher_suite);
    c->info.suite = c->suite->id;
    c->info.hello_retry = true;
    r = captls_tls_transcript_select(&h->transcript, c->suite->hash);
    if (r == CAPTLS_OK)
        r = captls_tls_transcript_hrr_restart(&h->transcript);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_transcript_update(&h->transcript, msg, len);
    if (hrr->cookie.len > 0)
        memcpy(h->cookie, hrr->cookie.ptr, hrr->cookie.len);
    h->cookie_len = (uint16_t)hrr->cookie.len;
    if (hrr->ext_seen & CAPTLS_SH_SEEN_KEY_SHARE) {
        captls_tls_key_share_wipe(&h->share[0]);
        r = captls_tls_key_share_generate(&h->share[0], hrr->key_share_group,
                                          entropy_fill, c);
        if (r != CAPTLS_OK)
            return r;
    }
    /* A PSK whose hash is not the suite's cannot be used now (§4.1.4). */
    if (h->psk_offered &&
        captls_tls_suite_get(c->resume->suite)->hash != c->suite->hash)
        h->psk_offered = false;
    /* §D.4: the compatibility CCS goes before the second ClientHello. */
    if (!c->ccs_sent)
        captls_tls_flight_ccs_first(c);
    return send_client_hello(c);
}

static captls_result on_server_hello(captls_tls_conn *c, const uint8_t *msg,
                                     size_t len)
{
    captls_tls_hs_state *h = c->hss;
    captls_tls_server_hello sh;
    uint8_t shared[32], th[CAPTLS_TLS_MAX_HASH];
    captls_result r;

    r = captls_tls_server_hello_decode(msg + 4, len - 4, &sh);
    if (r != CAPTLS_OK)
        return r;
    if (sh.is_hrr)
        return on_hello_retry(c, &sh, msg, len);
    r = check_hello_common(c, &sh);
    if (r != CAPTLS_OK)
        return r;
    c->suite = captls_tls_suite_get(sh.cipher_suite);
    c->info.suite = c->suite->id;
    if (sh.ext_seen & CAPTLS_SH_SEEN_PSK) {
        /* §4.2.11: the selected identity must be one we offered, and its
         * hash the suite's. */
        if (!h->psk_offered || sh.selected_psk != 0 ||
            captls_tls_suite_get(c->resume->suite)->hash != c->suite->hash)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        c->info.resumed = true;
    }
    /* We offer psk_dhe_ke only, so a key share is always required. */
    if (!(sh.ext_seen & CAPTLS_SH_SEEN_KEY_SHARE))
        return CAPTLS_TLS_ERR(MISSING_EXTENSION);
    if (sh.key_share_group != h->share[0].group)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    r = captls_tls_key_share_agree(&h->share[0], sh.key_share.ptr,
                                   sh.key_share.len, shared);
    if (r != CAPTLS_OK)
        return r;
    c->info.group = sh.key_share_group;
    if (!c->info.hello_retry) {
        r = captls_tls_transcript_select(&h->transcript, c->suite->hash);
        if (r != CAPTLS_OK)
            goto out;
    }
    captls_tls_transcript_update(&h->transcript, msg, len);
    (void)captls_tls_transcript_hash(&h->transcript, c->suite->hash, th);
    r = captls_tls_ks_init(&h->ks, c->suite->hash,
                           c->info.resumed ? c->resume->psk : NULL,
                           c->info.resumed ? c->resume->psk_len : 0);
    if (r == CAPTLS_OK)
        r = captls_tls_ks_handshake(&h->ks, shared, 32, th, h->c_hs, h->s_hs);
    if (r != CAPTLS_OK)
        goto out;
    captls_tls_keylog(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", h->c_hs);
    captls_tls_keylog(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", h->s_hs);
    r = captls_tls_set_read(c, h->s_hs);
    /* Our alerts from now on go under the client handshake key. */
    if (r == CAPTLS_OK)
        r = captls_tls_record_keys_set(&c->wr, c->suite, h->c_hs);
    c->step = STEP_C_WAIT_EE;
out:
    captls_zeroize(shared, sizeof shared);
    return r;
}

/* ---- EncryptedExtensions ---------------------------------------------------- */

static captls_result on_encrypted_extensions(captls_tls_conn *c,
                                             const uint8_t *msg, size_t len)
{
    const captls_tls_client_config *cfg = ccfg(c);
    captls_tls_encrypted_extensions ee;
    captls_result r;

    r = captls_tls_encrypted_extensions_decode(msg + 4, len - 4, &ee);
    if (r != CAPTLS_OK)
        return r;
    /* §4.2: an extension we did not offer is unsupported_extension. */
    if ((ee.server_name_ack && c->sni_is_ip) || ee.early_data)
        return CAPTLS_TLS_ERR(UNSUPPORTED_EXTENSION);
    if (ee.alpn.len > 0) {
        bool found = false;
        if (cfg->common.alpn_count == 0)
            return CAPTLS_TLS_ERR(UNSUPPORTED_EXTENSION);
        /* RFC 7301 §3.2: the server selects one of the client's names. */
        for (size_t i = 0; i < cfg->common.alpn_count && !found; i++)
            found = strlen(cfg->common.alpn[i]) == ee.alpn.len &&
                    memcmp(cfg->common.alpn[i], ee.alpn.ptr, ee.alpn.len) == 0;
        if (!found)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        memcpy(c->info.alpn, ee.alpn.ptr, ee.alpn.len);
        c->info.alpn[ee.alpn.len] = '\0';
    }
    if (ee.has_record_size_limit) {
        /* RFC 8449 §4: below 64 is illegal_parameter; the limit counts the
         * content type byte in TLS 1.3. */
        if (ee.record_size_limit < 64)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        c->info.peer_record_size_limit = ee.record_size_limit;
        if ((size_t)ee.record_size_limit - 1u < c->send_limit)
            c->send_limit = (uint16_t)(ee.record_size_limit - 1u);
    }
    captls_tls_transcript_update(&c->hss->transcript, msg, len);
    c->step = c->info.resumed ? STEP_C_WAIT_FINISHED : STEP_C_WAIT_CERT_CR;
    return CAPTLS_OK;
}

/* ---- server authentication ------------------------------------------------------ */

static captls_result on_certificate_request(captls_tls_conn *c,
                                            const uint8_t *msg, size_t len)
{
    captls_tls_hs_state *h = c->hss;
    captls_tls_certificate_request cr;
    captls_tls_reader rd;
    captls_result r;

    r = captls_tls_certificate_request_decode(msg + 4, len - 4, &cr);
    if (r != CAPTLS_OK)
        return r;
    /* §4.3.2: in the handshake the context SHALL be zero length. */
    if (cr.context.len != 0)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    h->peer_sig_alg_count = 0;
    captls_tls_reader_init(&rd, cr.sig_algs.ptr, cr.sig_algs.len);
    while (rd.len >= 2 && h->peer_sig_alg_count < 16)
        h->peer_sig_algs[h->peer_sig_alg_count++] = captls_tls_read_u16(&rd);
    h->cert_requested = true;
    captls_tls_transcript_update(&h->transcript, msg, len);
    c->step = STEP_C_WAIT_CERT;
    return CAPTLS_OK;
}

static captls_result on_certificate(captls_tls_conn *c, const uint8_t *msg,
                                    size_t len)
{
    captls_tls_certificate cm;
    bool ok;
    captls_result r;

    r = captls_tls_certificate_decode(msg + 4, len - 4, &cm);
    if (r != CAPTLS_OK)
        return r;
    if (cm.context.len != 0) /* §4.4.2: zero length for server auth */
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    if (cm.count == 0) /* §4.4.2.4 */
        return CAPTLS_TLS_ERR(DECODE_ERROR);
    r = captls_tls_check_peer_chain(c, &cm, &ccfg(c)->verifier, true, false, &ok);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_transcript_update(&c->hss->transcript, msg, len);
    c->step = STEP_C_WAIT_CV;
    return CAPTLS_OK;
}

static captls_result on_certificate_verify(captls_tls_conn *c,
                                           const uint8_t *msg, size_t len)
{
    captls_result r = captls_tls_receive_cert_verify(c, msg, len, true,
                                                     &c->info.sig_scheme);
    if (r != CAPTLS_OK)
        return r;
    c->info.peer_auth = CAPTLS_TLS_PEER_VERIFIED;
    c->step = STEP_C_WAIT_FINISHED;
    return CAPTLS_OK;
}

/* Our Certificate (+ CertificateVerify) when the server asked for one. */
static captls_result send_client_auth(captls_tls_conn *c)
{
    const captls_tls_client_config *cfg = ccfg(c);
    captls_tls_hs_state *h = c->hss;
    captls_tls_chain chain;
    uint16_t scheme = 0;

    memset(&chain, 0, sizeof chain);
    if (cfg->have_client_auth &&
        cfg->client_auth.chain.get(cfg->client_auth.chain.ctx, &chain) ==
            CAPTLS_OK &&
        chain.count > 0) {
        for (size_t i = 0; i < cfg->client_auth.key.scheme_count && !scheme; i++)
            for (size_t j = 0; j < h->peer_sig_alg_count && !scheme; j++)
                if (cfg->client_auth.key.schemes[i] == h->peer_sig_algs[j])
                    scheme = h->peer_sig_algs[j];
    }
    /* §4.4.2: with no suitable certificate the client sends an empty
     * Certificate message (the server decides). */
    if (scheme == 0)
        chain.count = 0;
    c->info.client_sig_scheme = scheme;
    return captls_tls_send_certificate(c, &chain, &cfg->client_auth.key, scheme,
                                       false, false, false);
}

static captls_result on_finished(captls_tls_conn *c, const uint8_t *msg,
                                 size_t len)
{
    captls_tls_hs_state *h = c->hss;
    uint8_t th[CAPTLS_TLS_MAX_HASH];
    captls_result r;

    r = captls_tls_check_finished(c, msg + 4, len - 4, h->s_hs);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_transcript_update(&h->transcript, msg, len);
    c->peer_finished = true;
    r = captls_tls_derive_application(c);
    if (r == CAPTLS_OK)
        r = captls_tls_set_read(c, h->s_ap);
    if (r != CAPTLS_OK)
        return r;
    if (c->info.resumed) {
        /* The PSK authenticates the server that was verified when the
         * ticket was issued (RFC 8446 §2.2). */
        c->info.peer_auth = CAPTLS_TLS_PEER_VERIFIED;
        memcpy(c->info.peer_identity, c->resume->peer_identity,
               sizeof c->info.peer_identity - 1);
    }
    /* Our second flight: CCS (§D.4), [Certificate, CertificateVerify],
     * Finished, then the application keys. */
    if (!c->ccs_sent)
        captls_tls_flight_ccs_first(c);
    if (h->cert_requested) {
        r = send_client_auth(c);
        if (r != CAPTLS_OK)
            return r;
    }
    r = captls_tls_send_finished(c, h->c_hs);
    if (r != CAPTLS_OK)
        return r;
    (void)captls_tls_transcript_hash(&h->transcript, c->suite->hash, th);
    r = captls_tls_ks_resumption_master(&h->ks, th, c->resumption_master);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_flight_final_switch(c, SWITCH_APPLICATION);
    captls_tls_handshake_complete(c);
    return CAPTLS_OK;
}

captls_result captls_tls_client_handle(captls_tls_conn *c, uint8_t type,
                                       const uint8_t *msg, size_t len)
{
    switch (c->step) {
    case STEP_C_WAIT_SH:
        if (type == CAPTLS_HS_SERVER_HELLO)
            return on_server_hello(c, msg, len);
        break;
    case STEP_C_WAIT_EE:
        if (type == CAPTLS_HS_ENCRYPTED_EXTENSIONS)
            return on_encrypted_extensions(c, msg, len);
        break;
    case STEP_C_WAIT_CERT_CR:
        if (type == CAPTLS_HS_CERTIFICATE_REQUEST)
            return on_certificate_request(c, msg, len);
        if (type == CAPTLS_HS_CERTIFICATE)
            return on_certificate(c, msg, len);
        break;
    case STEP_C_WAIT_CERT:
        if (type == CAPTLS_HS_CERTIFICATE)
            return on_certificate(c, msg, len);
        break;
    case STEP_C_WAIT_CV:
        if (type == CAPTLS_HS_CERTIFICATE_VERIFY)
            return on_certificate_verify(c, msg, len);
        break;
    case STEP_C_WAIT_FINISHED:
        if (type == CAPTLS_HS_FINISHED)
            return on_finished(c, msg, len);
        break;
    default:
        break;
    }
    /* §6.2: a message out of order is unexpected_message. */
    return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
}

/* ---- after the handshake ------------------------------------------------------ */

static captls_result on_new_session_ticket(captls_tls_conn *c,
                                           const uint8_t *msg, size_t len)
{
    captls_tls_new_session_ticket t;
    captls_tls_session s;
    captls_result r;

    r = captls_tls_new_session_ticket_decode(msg + 4, len - 4, &t);
    if (r != CAPTLS_OK)
        return r;
    /* §4.6.1: "Servers MUST NOT use any value greater than 604800". */
    if (t.lifetime > 604800u)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    c->ticket_count++;
    if (c->on_session == NULL || t.lifetime == 0 ||
        t.ticket.len > CAPTLS_TLS_MAX_TICKET)
        return CAPTLS_OK; /* nothing to keep: the ticket is dropped */
    memset(&s, 0, sizeof s);
    s.suite = c->suite->id;
    s.psk_len = (uint8_t)c->suite->hash_len;
    r = captls_tls_resumption_psk(c->suite->hash, c->resumption_master,
                                  t.nonce.ptr, t.nonce.len, s.psk);
    if (r != CAPTLS_OK)
        return r;
    s.lifetime_s = t.lifetime;
    s.age_add = t.age_add;
    s.received_ms = captls_tls_now_ms(c);
    memcpy(s.server_name, c->sni, c->sni_len);
    memcpy(s.peer_identity, c->info.peer_identity, sizeof s.peer_identity - 1);
    s.ticket_len = (uint16_t)t.ticket.len;
    memcpy(s.ticket, t.ticket.ptr, t.ticket.len);
    c->on_session(c->on_session_ctx, &s);
    captls_zeroize(&s, sizeof s);
    return CAPTLS_OK;
}

captls_result captls_tls_post_handshake(captls_tls_conn *c, uint8_t type,
                                        const uint8_t *msg, size_t len,
                                        bool at_record_end)
{
    bool requested;
    captls_result r;

    if (type == CAPTLS_HS_NEW_SESSION_TICKET && !c->is_server)
        return on_new_session_ticket(c, msg, len);
    if (type != CAPTLS_HS_KEY_UPDATE)
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    r = captls_tls_key_update_decode(msg + 4, len - 4, &requested);
    if (r != CAPTLS_OK)
        return r;
    /* §5.1: a KeyUpdate changes keys, so it must end its record. */
    if (!at_record_end)
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    r = captls_tls_next_traffic_secret(c->suite->hash, c->rd.secret);
    if (r == CAPTLS_OK)
        r = captls_tls_set_read(c, c->rd.secret);
    if (r != CAPTLS_OK)
        return r;
    c->info.key_updates_received++;
    /* §4.6.3: answer update_requested with our own KeyUpdate
     * (update_not_requested) before sending more application data. */
    if (requested && !c->close_queued)
        c->key_update_queued = true;
    return CAPTLS_OK;
}
