/* core/tls/server.c — the server's handshake (RFC 8446 §2, §4): the
 * ClientHello and its choices (suite, group, PSK, ALPN), HelloRetryRequest,
 * our flight, the client's certificate in stages, and the tickets sent
 * after its Finished. See conn_internal.h. */
#include <string.h>

#include "core/base/ct.h"
#include "core/base/text.h"
#include "core/tls/conn_internal.h"

/* Ticket plaintext layout version (sealed by the ticket key cap). */
#define TICKET_FORMAT 1u
#define TICKET_PLAIN_MAX (1u + 2u + 1u + 48u + 4u + 8u + 4u + 1u + 1u + \
                          CAPTLS_TLS_IDENTITY_MAX + 1u + CAPTLS_TLS_MAX_ALPN_LEN)
/* 0-RTT data a server skips before giving up (RFC 8446 §4.2.10); twice
 * the record size covers what real clients send. */
#define EARLY_SKIP_BUDGET (2u * 16384u + 512u)

static const captls_tls_server_config *scfg(const captls_tls_conn *c)
{
    return (const captls_tls_server_config *)c->cfg;
}

static captls_result entropy_fill(void *ctx, uint8_t *out, size_t len)
{
    return captls_tls_random((captls_tls_conn *)ctx, out, len);
}

/* What one ClientHello asks for, decided before anything is sent. */
typedef struct choice {
    const captls_tls_suite_info *suite;
    uint16_t group;                  /* chosen group */
    const captls_tls_key_share_entry *share; /* NULL: HelloRetryRequest */
    uint16_t scheme;                 /* our CertificateVerify scheme */
    captls_slice alpn;
    bool psk;
    uint16_t psk_index;
    const captls_tls_signer *key;    /* the config's, or the selector's */
    captls_tls_chain chain;          /* the selector's; count 0: the config's */
} choice;

/* ---- tickets -------------------------------------------------------------- */

typedef struct ticket_plain {
    uint16_t suite;
    uint8_t psk_len;
    uint8_t psk[48];
    uint32_t age_add;
    uint64_t issued_ms;
    uint32_t lifetime_s;
    uint8_t peer_auth;
    char identity[CAPTLS_TLS_IDENTITY_MAX];
    char alpn[CAPTLS_TLS_MAX_ALPN_LEN + 1];
} ticket_plain;

static size_t ticket_encode(const ticket_plain *t, uint8_t *out, size_t cap)
{
    captls_tls_writer w;
    size_t n;
    captls_tls_writer_init(&w, out, cap);
    captls_tls_write_u8(&w, TICKET_FORMAT);
    captls_tls_write_u16(&w, t->suite);
    captls_tls_write_u8(&w, t->psk_len);
    captls_tls_write_bytes(&w, t->psk, t->psk_len);
    captls_tls_write_u32(&w, t->age_add);
    captls_tls_write_u32(&w, (uint32_t)(t->issued_ms >> 32));
    captls_tls_write_u32(&w, (uint32_t)t->issued_ms);
    captls_tls_write_u32(&w, t->lifetime_s);
    captls_tls_write_u8(&w, t->peer_auth);
    n = strlen(t->identity);
    captls_tls_write_u8(&w, (uint8_t)n);
    captls_tls_write_bytes(&w, t->identity, n);
    n = strlen(t->alpn);
    captls_tls_write_u8(&w, (uint8_t)n);
    captls_tls_write_bytes(&w, t->alpn, n);
    return w.overflow ? 0 : w.len;
}

static bool ticket_decode(const uint8_t *p, size_t len, ticket_plain *t)
{
    captls_tls_reader r;
    captls_slice s;
    uint32_t hi;

    memset(t, 0, sizeof *t);
    captls_tls_reader_init(&r, p, len);
    if (captls_tls_read_u8(&r) != TICKET_FORMAT)
        return false;
    t->suite = captls_tls_read_u16(&r);
    s = captls_tls_read_vec(&r, 1, 32, 48);
    if (r.bad)
        return false;
    t->psk_len = (uint8_t)s.len;
    memcpy(t->psk, s.ptr, s.len);
    t->age_add = captls_tls_read_u32(&r);
    hi = captls_tls_read_u32(&r);
    t->issued_ms = ((uint64_t)hi << 32) | captls_tls_read_u32(&r);
    t->lifetime_s = captls_tls_read_u32(&r);
    t->peer_auth = captls_tls_read_u8(&r);
    s = captls_tls_read_vec(&r, 1, 0, CAPTLS_TLS_IDENTITY_MAX - 1);
    if (!r.bad && s.len > 0)
        memcpy(t->identity, s.ptr, s.len);
    s = captls_tls_read_vec(&r, 1, 0, CAPTLS_TLS_MAX_ALPN_LEN);
    if (!r.bad && s.len > 0)
        memcpy(t->alpn, s.ptr, s.len);
    return !r.bad && r.len == 0;
}

static captls_result send_tickets(captls_tls_conn *c)
{
    const captls_tls_server_config *cfg = scfg(c);
    uint8_t plain[TICKET_PLAIN_MAX];
    uint8_t sealed[TICKET_PLAIN_MAX + CAPTLS_TLS_TICKET_OVERHEAD];
    ticket_plain t;
    captls_result r = CAPTLS_OK;

    for (unsigned i = 0; i < cfg->tickets_per_handshake && r == CAPTLS_OK; i++) {
        uint8_t nonce = (uint8_t)i;
        size_t n, sealed_len = 0;
        captls_tls_writer w;

        memset(&t, 0, sizeof t);
        t.suite = c->suite->id;
        t.psk_len = (uint8_t)c->suite->hash_len;
        r = captls_tls_resumption_psk(c->suite->hash, c->resumption_master,
                                      &nonce, 1, t.psk);
        if (r == CAPTLS_OK)
            r = captls_tls_random(c, (uint8_t *)&t.age_add, sizeof t.age_add);
        if (r != CAPTLS_OK)
            break;
        if (!captls_tls_wall_ms(c, &t.issued_ms)) {
            r = CAPTLS_ERR_CLOCK_UNAVAILABLE;
            break;
        }
        t.lifetime_s = cfg->ticket_lifetime_s;
        t.peer_auth = (uint8_t)c->info.peer_auth;
        memcpy(t.identity, c->info.peer_identity, sizeof t.identity - 1);
        memcpy(t.alpn, c->info.alpn, sizeof t.alpn - 1);
        n = ticket_encode(&t, plain, sizeof plain);
        r = n ? cfg->tickets.seal(cfg->tickets.ctx, plain, n, sealed,
                                  sizeof sealed, &sealed_len)
              : CAPTLS_ERR_INTERNAL;
        captls_zeroize(plain, sizeof plain);
        if (r != CAPTLS_OK)
            break;
        captls_tls_flight_writer(c, &w);
        r = captls_tls_new_session_ticket_encode(&w, t.lifetime_s, t.age_add,
                                                 &nonce, 1, sealed, sealed_len);
        if (r == CAPTLS_OK)
            r = captls_tls_flight_commit(c, &w, false);
        c->ticket_count++;
    }
    captls_zeroize(&t, sizeof t);
    return r;
}

/* Tries the client's PSK identities (§4.2.11): the first ticket we can open
 * whose hash fits the suite and that has not expired is taken, and its
 * binder MUST then verify (decrypt_error otherwise). */
static captls_result choose_psk(captls_tls_conn *c,
                                const captls_tls_client_hello *ch,
                                const uint8_t *msg, choice *ch_out)
{
    const captls_tls_server_config *cfg = scfg(c);
    captls_tls_hs_state *h = c->hss;
    uint8_t plain[TICKET_PLAIN_MAX];
    ticket_plain t;
    uint64_t now;
    captls_result r;

    if (!(ch->ext_seen & CAPTLS_CH_SEEN_PSK) || cfg->tickets.open == NULL)
        return CAPTLS_OK;
    /* §4.2.9: psk_dhe_ke is the only mode we do. */
    if (!(ch->psk_modes & CAPTLS_PSK_MODE_DHE_KE_BIT))
        return CAPTLS_OK;
    if (!captls_tls_wall_ms(c, &now))
        return CAPTLS_OK; /* no clock: no resumption, full handshake */
    for (size_t i = 0; i < ch->psk_count; i++) {
        size_t plain_len = 0;
        uint8_t mac[CAPTLS_TLS_MAX_HASH];

        if (cfg->tickets.open(cfg->tickets.ctx, ch->psk_identity[i].ptr,
                              ch->psk_identity[i].len, plain, sizeof plain,
                              &plain_len) != CAPTLS_OK)
            continue;
        if (!ticket_decode(plain, plain_len, &t)) {
            captls_zeroize(plain, sizeof plain);
            continue;
        }
        captls_zeroize(plain, sizeof plain);
        if (captls_tls_suite_get(t.suite) == NULL ||
            captls_tls_suite_get(t.suite)->hash != ch_out->suite->hash ||
            t.psk_len != ch_out->suite->hash_len ||
            now < t.issued_ms || now - t.issued_ms > (uint64_t)t.lifetime_s * 1000u) {
            captls_zeroize(&t, sizeof t);
            continue;
        }
        /* The binder, over the transcript so far and the truncated
         * ClientHello (§4.2.11.2). */
        if (ch->psk_binder[i].len != ch_out->suite->hash_len) {
            captls_zeroize(&t, sizeof t);
            return CAPTLS_TLS_ERR(DECRYPT_ERROR);
        }
        r = captls_tls_psk_binder(ch_out->suite->hash, t.psk, t.psk_len,
                                  c->step == STEP_S_WAIT_CH ? NULL : &h->transcript,
                                  msg, 4 + ch->binders_offset, mac);
        if (r == CAPTLS_OK &&
            !captls_tls_mac_equal(mac, ch->psk_binder[i].ptr,
                                  ch_out->suite->hash_len))
            r = CAPTLS_TLS_ERR(DECRYPT_ERROR);
        captls_zeroize(mac, sizeof mac);
        if (r != CAPTLS_OK) {
            captls_zeroize(&t, sizeof t);
            return r;
        }
        memcpy(h->psk, t.psk, t.psk_len);
        h->psk_len = t.psk_len;
        h->psk_accepted = true;
        ch_out->psk = true;
        ch_out->psk_index = (uint16_t)i;
        /* The resumed session keeps the client identity it proved. */
        if (t.peer_auth <= CAPTLS_TLS_PEER_VERIFIED)
            c->info.peer_auth = (captls_tls_peer_auth)t.peer_auth;
        memcpy(c->info.peer_identity, t.identity, sizeof t.identity);
        captls_zeroize(&t, sizeof t);
        return CAPTLS_OK;
    }
    return CAPTLS_OK;
}

/* ---- ClientHello ------------------------------------------------------------ */

static captls_result check_key_shares(const captls_tls_client_hello *ch)
{
    /* RFC 8446 §4.2.8: every share names a group of supported_groups, at
     * most one share per group. */
    for (size_t i = 0; i < ch->key_share_count; i++) {
        if (!captls_tls_u16_list_has(ch->supported_groups, ch->key_shares[i].group))
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        for (size_t j = 0; j < i; j++)
            if (ch->key_shares[j].group == ch->key_shares[i].group)
                return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    }
    return CAPTLS_OK;
}

static captls_result choose(captls_tls_conn *c, const captls_tls_client_hello *ch,
                            choice *out)
{
    const captls_tls_server_config *cfg = scfg(c);
    const captls_cipher_policy *p = &cfg->common.policy;
    uint16_t id;
    captls_result r;

    memset(out, 0, sizeof *out);
    /* §4.2.1: no supported_versions means TLS 1.2 or older. */
    if (!(ch->ext_seen & CAPTLS_CH_SEEN_SUPPORTED_VERSIONS) ||
        !captls_tls_u16_list_has(ch->supported_versions, CAPTLS_TLS_VERSION_13))
        return CAPTLS_TLS_ERR(PROTOCOL_VERSION);
    /* §4.1.2: legacy_compression_methods MUST be exactly {null}. */
    if (ch->compression.len != 1 || ch->compression.ptr[0] != 0)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    id = captls_tls_pick_u16(p->suites, p->suite_count, ch->cipher_suites);
    if (id == 0 || captls_tls_suite_get(id) == NULL)
        return CAPTLS_TLS_ERR(HANDSHAKE_FAILURE);
    out->suite = captls_tls_suite_get(id);
    /* §9.2: key_share and supported_groups come together, and without a
     * PSK both signature_algorithms and supported_groups are required. */
    if (!!(ch->ext_seen & CAPTLS_CH_SEEN_KEY_SHARE) !=
        !!(ch->ext_seen & CAPTLS_CH_SEEN_SUPPORTED_GROUPS))
        return CAPTLS_TLS_ERR(MISSING_EXTENSION);
    if (!(ch->ext_seen & CAPTLS_CH_SEEN_SUPPORTED_GROUPS))
        return CAPTLS_TLS_ERR(MISSING_EXTENSION); /* we do no psk_ke */
    if ((ch->ext_seen & CAPTLS_CH_SEEN_PSK) &&
        !(ch->ext_seen & CAPTLS_CH_SEEN_PSK_MODES))
        return CAPTLS_TLS_ERR(MISSING_EXTENSION); /* §4.2.9 */
    r = check_key_shares(ch);
    if (r != CAPTLS_OK)
        return r;
    /* Group: ours in order of preference, with a share if the client sent
     * one for a group we accept (no round trip), else through a
     * HelloRetryRequest. */
    for (size_t i = 0; i < p->group_count && out->share == NULL; i++)
        for (size_t j = 0; j < ch->key_share_count; j++)
            if (ch->key_shares[j].group == p->groups[i]) {
                out->group = p->groups[i];
                out->share = &ch->key_shares[j];
                break;
            }
    if (out->share == NULL)
        out->group = captls_tls_pick_u16(p->groups, p->group_count,
                                         ch->supported_groups);
    if (out->group == 0)
        return CAPTLS_TLS_ERR(HANDSHAKE_FAILURE);
    /* ALPN (RFC 7301 §3.2): our preference; no overlap is fatal. */
    if ((ch->ext_seen & CAPTLS_CH_SEEN_ALPN) && cfg->common.alpn_count > 0) {
        for (size_t i = 0; i < cfg->common.alpn_count && out->alpn.len == 0; i++) {
            captls_tls_reader rd;
            size_t n = strlen(cfg->common.alpn[i]);
            captls_tls_reader_init(&rd, ch->alpn.ptr, ch->alpn.len);
            while (rd.len > 0 && !rd.bad) {
                captls_slice name = captls_tls_read_vec(&rd, 1, 1, 255);
                if (!rd.bad && name.len == n &&
                    memcmp(name.ptr, cfg->common.alpn[i], n) == 0) {
                    out->alpn.ptr = (const uint8_t *)cfg->common.alpn[i];
                    out->alpn.len = n;
                    break;
                }
            }
        }
        if (out->alpn.len == 0)
            return CAPTLS_TLS_ERR(NO_APPLICATION_PROTOCOL);
    }
    /* RFC 8449 §4: a limit below 64 is illegal_parameter. */
    if ((ch->ext_seen & CAPTLS_CH_SEEN_RECORD_SIZE_LIMIT) &&
        ch->record_size_limit < 64)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    return CAPTLS_OK;
}

/* Our CertificateVerify scheme: the first of the key's that the client
 * accepts (§4.2.3). Needed unless a PSK is accepted. */
static captls_result choose_scheme(const captls_tls_client_hello *ch,
                                   choice *o)
{
    const captls_tls_signer *key = o->key; /* the config's or the selector's */
    if (!(ch->ext_seen & CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS))
        return CAPTLS_TLS_ERR(MISSING_EXTENSION);
    o->scheme = captls_tls_pick_u16(key->schemes, key->scheme_count, ch->sig_algs);
    return o->scheme ? CAPTLS_OK : CAPTLS_TLS_ERR(HANDSHAKE_FAILURE);
}

static captls_result send_hello_retry(captls_tls_conn *c,
                                      const captls_tls_client_hello *ch,
                                      const choice *o, const uint8_t *msg,
                                      size_t len)
{
    captls_tls_hs_state *h = c->hss;
    captls_tls_server_hello_params prm;
    captls_tls_writer w;
    captls_result r;

    captls_tls_transcript_init(&h->transcript);
    r = captls_tls_transcript_select(&h->transcript, o->suite->hash);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_transcript_update(&h->transcript, msg, len);
    r = captls_tls_transcript_hrr_restart(&h->transcript);
    if (r != CAPTLS_OK)
        return r;
    memset(&prm, 0, sizeof prm);
    prm.is_hrr = true;
    prm.session_id = ch->session_id.ptr;
    prm.session_id_len = ch->session_id.len;
    prm.cipher_suite = o->suite->id;
    prm.key_share_group = o->group;
    captls_tls_flight_writer(c, &w);
    r = captls_tls_server_hello_encode(&w, &prm);
    if (r == CAPTLS_OK)
        r = captls_tls_flight_commit(c, &w, true);
    if (r != CAPTLS_OK)
        return CAPTLS_ERR_INTERNAL;
    /* §D.4: the compatibility CCS follows our first handshake message when
     * the client sent a legacy session id. */
    if (ch->session_id.len > 0)
        captls_tls_flight_mark_switch(c, true, SWITCH_NONE);
    c->suite = o->suite;
    c->info.suite = o->suite->id;
    c->info.hello_retry = true;
    h->hrr_group = o->group;
    c->step = STEP_S_WAIT_CH2;
    return CAPTLS_OK;
}

static captls_result send_server_flight(captls_tls_conn *c,
                                        const captls_tls_client_hello *ch,
                                        const choice *o, const uint8_t *msg,
                                        size_t len)
{
    const captls_tls_server_config *cfg = scfg(c);
    captls_tls_hs_state *h = c->hss;
    captls_tls_server_hello_params sp;
    captls_tls_encrypted_extensions_params ep;
    captls_tls_chain chain;
    uint8_t random[32], shared[32], th[CAPTLS_TLS_MAX_HASH];
    captls_tls_writer w;
    captls_result r;

    c->suite = o->suite;
    c->info.suite = o->suite->id;
    c->info.group = o->group;
    c->info.resumed = o->psk;
    if (!o->psk && o->chain.count > 0) {
        chain = o->chain; /* the identity selector's, checked */
    } else if (!o->psk) {
        memset(&chain, 0, sizeof chain);
        if (cfg->chain.get == NULL)
            return CAPTLS_ERR_INTERNAL; /* a selector that gave none */
        r = cfg->chain.get(cfg->chain.ctx, &chain);
        if (r != CAPTLS_OK || chain.count == 0 || chain.count > CAPTLS_TLS_MAX_CHAIN)
            return CAPTLS_ERR_INTERNAL; /* fail closed: no chain to serve */
    }
    if (c->step == STEP_S_WAIT_CH) {
        captls_tls_transcript_init(&h->transcript);
        r = captls_tls_transcript_select(&h->transcript, o->suite->hash);
        if (r != CAPTLS_OK)
            return r;
    }
    captls_tls_transcript_update(&h->transcript, msg, len);
    memcpy(h->client_random, ch->random.ptr, 32);

    /* key exchange */
    r = captls_tls_key_share_generate(&h->share[0], o->group, entropy_fill, c);
    if (r == CAPTLS_OK)
        r = captls_tls_key_share_agree(&h->share[0], o->share->key_exchange.ptr,
                                       o->share->key_exchange.len, shared);
    if (r == CAPTLS_OK)
        r = captls_tls_random(c, random, sizeof random);
    if (r != CAPTLS_OK)
        goto out;

    memset(&sp, 0, sizeof sp);
    sp.random = random;
    sp.session_id = ch->session_id.ptr;
    sp.session_id_len = ch->session_id.len;
    sp.cipher_suite = o->suite->id;
    sp.key_share_group = o->group;
    sp.key_share = h->share[0].pub;
    sp.key_share_len = h->share[0].pub_len;
    sp.have_psk = o->psk;
    sp.selected_psk = o->psk_index;
    captls_tls_flight_writer(c, &w);
    r = captls_tls_server_hello_encode(&w, &sp);
    if (r == CAPTLS_OK)
        r = captls_tls_flight_commit(c, &w, true);
    if (r != CAPTLS_OK) {
        r = CAPTLS_ERR_INTERNAL;
        goto out;
    }
    (void)captls_tls_transcript_hash(&h->transcript, o->suite->hash, th);
    r = captls_tls_ks_init(&h->ks, o->suite->hash, o->psk ? h->psk : NULL,
                           o->psk ? h->psk_len : 0);
    if (r == CAPTLS_OK)
        r = captls_tls_ks_handshake(&h->ks, shared, 32, th, h->c_hs, h->s_hs);
    if (r != CAPTLS_OK)
        goto out;
    captls_tls_keylog(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", h->c_hs);
    captls_tls_keylog(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", h->s_hs);
    /* After ServerHello: the CCS (§D.4, once) and the handshake keys. */
    captls_tls_flight_mark_switch(c, ch->session_id.len > 0 && !c->info.hello_retry,
                                  SWITCH_HANDSHAKE);
    r = captls_tls_set_read(c, h->c_hs);
    if (r != CAPTLS_OK)
        goto out;
    if (ch->ext_seen & CAPTLS_CH_SEEN_EARLY_DATA)
        c->early_skip = EARLY_SKIP_BUDGET;

    memset(&ep, 0, sizeof ep);
    ep.server_name_ack = (ch->ext_seen & CAPTLS_CH_SEEN_SERVER_NAME) != 0;
    ep.alpn = o->alpn.ptr;
    ep.alpn_len = o->alpn.len;
    if (ch->ext_seen & CAPTLS_CH_SEEN_RECORD_SIZE_LIMIT)
        ep.record_size_limit = c->recv_limit; /* RFC 8449: only in reply */
    ep.groups = cfg->ee_groups;
    ep.group_count = cfg->ee_group_count;
    captls_tls_flight_writer(c, &w);
    r = captls_tls_encrypted_extensions_encode(&w, &ep);
    if (r == CAPTLS_OK)
        r = captls_tls_flight_commit(c, &w, true);
    if (r != CAPTLS_OK) {
        r = CAPTLS_ERR_INTERNAL;
        goto out;
    }
    if (!o->psk) {
        if (cfg->client_verifier.caps != NULL) {
            const captls_cipher_policy *p = &cfg->common.policy;
            captls_tls_flight_writer(c, &w);
            r = captls_tls_certificate_request_encode(&w, p->schemes,
                                                      p->scheme_count);
            if (r == CAPTLS_OK)
                r = captls_tls_flight_commit(c, &w, true);
            if (r != CAPTLS_OK) {
                r = CAPTLS_ERR_INTERNAL;
                goto out;
            }
            h->cert_requested = true;
        }
        r = captls_tls_send_certificate(
            c, &chain, o->key, o->scheme, true,
            (ch->ext_seen & CAPTLS_CH_SEEN_STATUS_REQUEST) != 0,
            (ch->ext_seen & CAPTLS_CH_SEEN_SCT) != 0);
        if (r != CAPTLS_OK)
            goto out;
        c->info.sig_scheme = o->scheme;
    }
    r = captls_tls_send_finished(c, h->s_hs);
    if (r == CAPTLS_OK)
        r = captls_tls_derive_application(c);
    if (r != CAPTLS_OK)
        goto out;
    captls_tls_flight_final_switch(c, SWITCH_APPLICATION);
    c->step = h->cert_requested ? STEP_S_WAIT_CERT : STEP_S_WAIT_FINISHED;
out:
    captls_zeroize(shared, sizeof shared);
    return r;
}

static void record_client_hello(captls_tls_conn *c,
                                const captls_tls_client_hello *ch)
{
    captls_tls_hs_state *h = c->hss;
    captls_text t;
    char name[256];

    if (ch->ext_seen & CAPTLS_CH_SEEN_SERVER_NAME) {
        memcpy(name, ch->server_name.ptr, ch->server_name.len);
        name[ch->server_name.len] = '\0';
        captls_text_init(&t, c->info.server_name, sizeof c->info.server_name);
        captls_text_str_sanitized(&t, name);
    }
    if (ch->ext_seen & CAPTLS_CH_SEEN_RECORD_SIZE_LIMIT) {
        c->info.peer_record_size_limit = ch->record_size_limit;
        if ((size_t)ch->record_size_limit - 1u < c->send_limit)
            c->send_limit = (uint16_t)(ch->record_size_limit - 1u);
    }
    h->session_id_len = (uint8_t)ch->session_id.len;
    if (ch->session_id.len > 0)
        memcpy(h->session_id, ch->session_id.ptr, ch->session_id.len);
}

static bool alpn_offered(const captls_tls_client_hello *ch, const char *name,
                         size_t n)
{
    captls_tls_reader rd;

    if (!(ch->ext_seen & CAPTLS_CH_SEEN_ALPN))
        return false;
    captls_tls_reader_init(&rd, ch->alpn.ptr, ch->alpn.len);
    while (rd.len > 0 && !rd.bad) {
        captls_slice p = captls_tls_read_vec(&rd, 1, 1, 255);
        if (!rd.bad && p.len == n && memcmp(p.ptr, name, n) == 0)
            return true;
    }
    return false;
}

/* The optional identity selector (tls_config.h): what it returns is
 * checked here, so a selector bug fails the handshake instead of serving
 * something unintended. */
static captls_result select_identity(captls_tls_conn *c,
                                     const captls_tls_client_hello *ch,
                                     choice *o)
{
    const captls_tls_server_config *cfg = scfg(c);
    captls_tls_hello_view v;
    captls_tls_identity id;
    captls_result r;

    o->key = &cfg->key;
    memset(&o->chain, 0, sizeof o->chain);
    if (cfg->identity.select == NULL)
        return CAPTLS_OK;
    memset(&v, 0, sizeof v);
    if (ch->ext_seen & CAPTLS_CH_SEEN_SERVER_NAME)
        v.server_name = ch->server_name;
    v.alpn_offered = (ch->ext_seen & CAPTLS_CH_SEEN_ALPN) != 0;
    if (v.alpn_offered)
        v.alpn_list = ch->alpn;
    memset(&id, 0, sizeof id);
    r = cfg->identity.select(cfg->identity.ctx, c, &v, &id);
    if (r != CAPTLS_OK)
        return r;
    if (id.alpn != NULL) {
        size_t n = 0;
        while (n <= CAPTLS_TLS_MAX_ALPN_LEN && id.alpn[n] != '\0')
            n++;
        if (n == 0 || n > CAPTLS_TLS_MAX_ALPN_LEN || !alpn_offered(ch, id.alpn, n))
            return CAPTLS_ERR_INTERNAL;
        o->alpn.ptr = (const uint8_t *)id.alpn;
        o->alpn.len = n;
    }
    if (id.key != NULL) {
        if (id.key->sign == NULL || id.key->scheme_count == 0 ||
            id.key->scheme_count > CAPTLS_TLS_MAX_SIG_SCHEMES)
            return CAPTLS_ERR_INTERNAL;
        o->key = id.key;
    }
    if (id.chain.count > 0) {
        if (id.chain.count > CAPTLS_TLS_MAX_CHAIN)
            return CAPTLS_ERR_INTERNAL;
        for (size_t i = 0; i < id.chain.count; i++)
            if (id.chain.certs[i].ptr == NULL || id.chain.certs[i].len == 0)
                return CAPTLS_ERR_INTERNAL;
        o->chain = id.chain;
    }
    if (o->key->sign == NULL || (o->chain.count == 0 && cfg->chain.get == NULL))
        return CAPTLS_ERR_INTERNAL; /* nothing to serve */
    return CAPTLS_OK;
}

static captls_result on_client_hello(captls_tls_conn *c, const uint8_t *msg,
                                     size_t len)
{
    captls_tls_hs_state *h = c->hss;
    captls_tls_client_hello ch;
    choice o;
    captls_result r;

    r = captls_tls_client_hello_decode(msg + 4, len - 4, &ch);
    if (r != CAPTLS_OK)
        return r;
    r = choose(c, &ch, &o);
    if (r != CAPTLS_OK)
        return r;
    if (c->step == STEP_S_WAIT_CH2) {
        /* §4.1.2: the second ClientHello keeps its session id and carries
         * exactly one share, for the group we asked for; the suite we
         * chose must not change. */
        if (o.suite != c->suite || ch.key_share_count != 1 ||
            ch.key_shares[0].group != h->hrr_group ||
            ch.session_id.len != h->session_id_len ||
            memcmp(ch.session_id.ptr, h->session_id, h->session_id_len) != 0)
            return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
        o.group = h->hrr_group;
        o.share = &ch.key_shares[0];
    }
    record_client_hello(c, &ch);
    r = select_identity(c, &ch, &o);
    if (r != CAPTLS_OK)
        return r;
    r = choose_psk(c, &ch, msg, &o);
    if (r != CAPTLS_OK)
        return r;
    if (!o.psk) {
        r = choose_scheme(&ch, &o);
        if (r != CAPTLS_OK)
            return r;
    }
    if (o.share == NULL) {
        /* No usable share: one HelloRetryRequest (only in the first
         * flight; the second ClientHello was checked above). */
        if (h->psk_accepted) {
            h->psk_accepted = false;
            captls_zeroize(h->psk, sizeof h->psk);
        }
        return send_hello_retry(c, &ch, &o, msg, len);
    }
    if (ch.ext_seen & CAPTLS_CH_SEEN_PSK_MODES)
        h->client_psk_modes_seen = (ch.psk_modes & CAPTLS_PSK_MODE_DHE_KE_BIT) != 0;
    h->client_wants_ocsp = (ch.ext_seen & CAPTLS_CH_SEEN_STATUS_REQUEST) != 0;
    h->client_wants_sct = (ch.ext_seen & CAPTLS_CH_SEEN_SCT) != 0;
    if (o.alpn.len > 0) {
        memcpy(c->info.alpn, o.alpn.ptr, o.alpn.len);
        c->info.alpn[o.alpn.len] = '\0';
    }
    return send_server_flight(c, &ch, &o, msg, len);
}

/* ---- the client's second flight ----------------------------------------------- */

static captls_result on_certificate(captls_tls_conn *c, const uint8_t *msg,
                                    size_t len)
{
    const captls_tls_server_config *cfg = scfg(c);
    captls_tls_certificate cm;
    bool ok = false;
    captls_result r;

    r = captls_tls_certificate_decode(msg + 4, len - 4, &cm);
    if (r != CAPTLS_OK)
        return r;
    /* §4.4.2: the context echoes the CertificateRequest's (empty). */
    if (cm.context.len != 0)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    if (cm.count == 0) {
        /* §4.4.2.4: no certificate; the server decides. */
        c->info.peer_auth = CAPTLS_TLS_PEER_NO_CERT;
        if (cfg->require_client_cert)
            return CAPTLS_TLS_ERR(CERTIFICATE_REQUIRED);
        captls_tls_transcript_update(&c->hss->transcript, msg, len);
        c->step = STEP_S_WAIT_FINISHED;
        return CAPTLS_OK;
    }
    r = captls_tls_check_peer_chain(c, &cm, &cfg->client_verifier, false,
                                    !cfg->require_client_cert &&
                                        !cfg->reject_bad_client_cert,
                                    &ok);
    if (r != CAPTLS_OK)
        return r;
    c->hss->peer_chain_ok = ok;
    if (ok && cfg->client_cert_verified != NULL)
        cfg->client_cert_verified(cfg->client_cert_ctx, c,
                                  &cfg->client_verifier.scratch->certs[0],
                                  cm.entries[0].cert_data.ptr,
                                  cm.entries[0].cert_data.len);
    captls_tls_transcript_update(&c->hss->transcript, msg, len);
    c->step = STEP_S_WAIT_CV;
    return CAPTLS_OK;
}

static captls_result on_certificate_verify(captls_tls_conn *c,
                                           const uint8_t *msg, size_t len)
{
    /* The client proves its key even when its chain failed softly. */
    captls_result r = captls_tls_receive_cert_verify(c, msg, len, false,
                                                     &c->info.client_sig_scheme);
    if (r != CAPTLS_OK)
        return r;
    if (c->hss->peer_chain_ok)
        c->info.peer_auth = CAPTLS_TLS_PEER_VERIFIED;
    c->step = STEP_S_WAIT_FINISHED;
    return CAPTLS_OK;
}

static captls_result on_finished(captls_tls_conn *c, const uint8_t *msg,
                                 size_t len)
{
    const captls_tls_server_config *cfg = scfg(c);
    captls_tls_hs_state *h = c->hss;
    uint8_t th[CAPTLS_TLS_MAX_HASH];
    captls_result r;

    r = captls_tls_check_finished(c, msg + 4, len - 4, h->c_hs);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_transcript_update(&h->transcript, msg, len);
    c->peer_finished = true;
    r = captls_tls_set_read(c, h->c_ap);
    if (r != CAPTLS_OK)
        return r;
    (void)captls_tls_transcript_hash(&h->transcript, c->suite->hash, th);
    r = captls_tls_ks_resumption_master(&h->ks, th, c->resumption_master);
    if (r != CAPTLS_OK)
        return r;
    if (!h->cert_requested && !c->info.resumed)
        c->info.peer_auth = CAPTLS_TLS_PEER_NOT_ASKED;
    captls_tls_handshake_complete(c);
    /* §4.6.1: tickets only to a client that can use them (it sent
     * psk_key_exchange_modes with psk_dhe_ke). */
    if (cfg->tickets.seal != NULL && h->client_psk_modes_seen)
        return send_tickets(c);
    return CAPTLS_OK;
}

captls_result captls_tls_server_handle(captls_tls_conn *c, uint8_t type,
                                       const uint8_t *msg, size_t len)
{
    switch (c->step) {
    case STEP_S_WAIT_CH:
    case STEP_S_WAIT_CH2:
        if (type == CAPTLS_HS_CLIENT_HELLO)
            return on_client_hello(c, msg, len);
        break;
    case STEP_S_WAIT_CERT:
        if (type == CAPTLS_HS_CERTIFICATE)
            return on_certificate(c, msg, len);
        break;
    case STEP_S_WAIT_CV:
        if (type == CAPTLS_HS_CERTIFICATE_VERIFY)
            return on_certificate_verify(c, msg, len);
        break;
    case STEP_S_WAIT_FINISHED:
        if (type == CAPTLS_HS_FINISHED)
            return on_finished(c, msg, len);
        break;
    default:
        break;
    }
    return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
}
