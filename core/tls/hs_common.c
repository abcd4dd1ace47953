/* core/tls/hs_common.c — handshake steps both sides share: key logging,
 * the peer's certificate chain through the verifier caps, CertificateVerify
 * and Finished in both directions, the application secrets. See
 * conn_internal.h. */
#include <string.h>

#include "core/base/ct.h"
#include "core/base/text.h"
#include "core/crypto/sig_scheme.h"
#include "core/crypto/spki.h"
#include "core/tls/conn_internal.h"
#include "core/trust/cert_verifier.h"
#include "core/verify/hostname.h"
#include "core/x509/name_text.h"

void captls_tls_keylog(captls_tls_conn *c, const char *label,
                       const uint8_t *secret)
{
    const captls_tls_common_config *cc = captls_tls_common(c);
    if (cc->keylog != NULL && c->suite != NULL)
        cc->keylog(cc->keylog_ctx, label, c->hss->client_random, secret,
                   c->suite->hash_len);
}

bool captls_tls_mac_equal(const uint8_t *ours, const uint8_t *theirs, size_t len)
{
#ifdef CAPTLS_FUZZING
    /* Fuzzing mode (the fuzz variants only; nothing that ships defines
     * it): any Finished / PSK binder of the right length (checked by the
     * callers) passes, so that a fuzzer reaches every state. */
    (void)ours;
    (void)theirs;
    (void)len;
    return true;
#else
    return captls_ct_equal(ours, theirs, len);
#endif
}

uint16_t captls_tls_pick_u16(const uint16_t *ours, size_t n, captls_slice theirs)
{
    for (size_t i = 0; i < n; i++)
        if (captls_tls_u16_list_has(theirs, ours[i]))
            return ours[i];
    return 0;
}

captls_result captls_tls_set_read(captls_tls_conn *c, const uint8_t *secret)
{
    c->rd_changed = true;
    return captls_tls_record_keys_set(&c->rd, c->suite, secret);
}

static size_t transcript_hash(const captls_tls_conn *c,
                              uint8_t th[CAPTLS_TLS_MAX_HASH])
{
    return captls_tls_transcript_hash(&c->hss->transcript, c->suite->hash,
                                      th);
}

/* ---- the peer's chain ------------------------------------------------------ */

static void record_identity(captls_tls_conn *c, const captls_certificate *leaf)
{
    char buf[CAPTLS_TLS_IDENTITY_MAX];
    size_t len;
    /* name_to_text escapes as RFC 4514 does; the sanitizer below makes
     * sure nothing a peer chose reaches a log as a control character. */
    if (captls_x509_name_to_text(&leaf->subject, buf, sizeof buf, &len) !=
        CAPTLS_OK) {
        buf[sizeof buf - 1] = '\0';
        len = strlen(buf);
    }
    captls_text t;
    captls_text_init(&t, c->info.peer_identity, sizeof c->info.peer_identity);
    captls_text_str_sanitized(&t, buf);
}

captls_result captls_tls_check_peer_chain(captls_tls_conn *c,
                                          const captls_tls_certificate *msg,
                                          const captls_tls_peer_verifier *v,
                                          bool server_auth, bool soft,
                                          bool *chain_ok)
{
    captls_tls_verify_scratch *s = v->scratch;
    const captls_certificate *pool[CAPTLS_TLS_MAX_CHAIN];
    captls_verify_request req;
    captls_verification_outcome out;
    captls_wall_time now;
    const captls_clock *clk = &captls_tls_common(c)->clock;
    captls_result r;
    size_t i;

    *chain_ok = false;
    if (msg->count == 0 || msg->count > CAPTLS_TLS_MAX_CHAIN)
        return CAPTLS_TLS_ERR(BAD_CERTIFICATE);
    if (s == NULL || v->caps == NULL)
        return CAPTLS_ERR_INTERNAL;
    for (i = 0; i < msg->count; i++) {
        r = captls_certificate_parse(&s->certs[i], msg->entries[i].cert_data.ptr,
                                     msg->entries[i].cert_data.len, NULL);
        if (r != CAPTLS_OK)
            return CAPTLS_TLS_ERR(BAD_CERTIFICATE); /* RFC 8446 §6.2 */
        if (i > 0)
            pool[i - 1] = &s->certs[i];
    }
    record_identity(c, &s->certs[0]);
    c->info.peer_stapled_ocsp = msg->entries[0].ocsp_response.len > 0;
    c->info.peer_scts = msg->entries[0].sct_list.len > 0;
    /* The leaf's key is kept for CertificateVerify: the scratch is shared
     * by every connection of the config. */
    if (s->certs[0].spki_raw.len > sizeof c->hss->peer_spki)
        return CAPTLS_TLS_ERR(UNSUPPORTED_CERTIFICATE);
    memcpy(c->hss->peer_spki, s->certs[0].spki_raw.ptr,
           s->certs[0].spki_raw.len);
    c->hss->peer_spki_len = (uint16_t)s->certs[0].spki_raw.len;

    if (clk->wall_time == NULL || clk->wall_time(clk->ctx, &now) != CAPTLS_OK)
        return CAPTLS_ERR_CLOCK_UNAVAILABLE; /* fail closed */
    memset(&req, 0, sizeof req);
    req.leaf = &s->certs[0];
    req.intermediates = pool;
    req.intermediate_count = msg->count - 1;
    req.purpose = server_auth ? CAPTLS_PURPOSE_TLS_SERVER_AUTH
                              : CAPTLS_PURPOSE_TLS_CLIENT_AUTH;
    req.at_epoch_seconds = now.epoch_seconds;
    req.clock_provenance = now.provenance;
    if (server_auth) {
        if (c->sni_is_ip) {
            req.ip = c->ip;
            req.ip_len = c->ip_len;
        } else {
            req.hostname = c->sni;
            req.hostname_len = c->sni_len;
        }
    }
    r = captls_cert_verifier_cap_verify_chain(v->caps, v->owner, v->verifier,
                                              v->trust, &req, &out);
    if (r != CAPTLS_OK)
        return CAPTLS_ERR_INTERNAL; /* a cap refusal: fail closed */
    if (!out.valid) {
        c->info.peer_auth = CAPTLS_TLS_PEER_FAILED;
        c->info.peer_failure = out.reason;
        if (soft)
            return CAPTLS_OK;
        return (captls_result)(CAPTLS_ERR_ALERT_BASE +
                               captls_tls_alert_for_failure(out.reason));
    }
    *chain_ok = true;
    return CAPTLS_OK;
}

captls_result captls_tls_receive_cert_verify(captls_tls_conn *c,
                                             const uint8_t *msg, size_t len,
                                             bool from_server, uint16_t *scheme)
{
    const captls_cipher_policy *p = &captls_tls_common(c)->policy;
    uint8_t th[CAPTLS_TLS_MAX_HASH], content[CAPTLS_TLS_CV_CONTENT_MAX];
    captls_tls_certificate_verify decoded, *cv = &decoded;
    captls_public_key key;
    size_t th_len, n, i;
    bool ok = false;
    captls_result r;

    r = captls_tls_certificate_verify_decode(msg + 4, len - 4, cv);
    if (r != CAPTLS_OK)
        return r;

    /* RFC 8446 §4.4.3: the scheme MUST be one offered in
     * signature_algorithms (rsa_pkcs1_* never is: §4.2.3). */
    for (i = 0; i < p->scheme_count; i++)
        ok = ok || p->schemes[i] == cv->scheme;
    if (!ok)
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    r = captls_spki_parse(c->hss->peer_spki, c->hss->peer_spki_len,
                          &key, NULL);
    if (r != CAPTLS_OK)
        return CAPTLS_TLS_ERR(UNSUPPORTED_CERTIFICATE);
#ifdef CAPTLS_FUZZING
    /* Fuzzing mode (see captls_tls_mac_equal): any non-empty signature
     * with an offered scheme and a parsable peer key passes. */
    if (cv->signature.len > 0)
        return CAPTLS_OK;
#endif
    th_len = transcript_hash(c, th);
    n = captls_tls_certificate_verify_content(from_server, th, th_len, content);
    r = captls_sig_verify(cv->scheme, &key, content, n, cv->signature.ptr,
                          cv->signature.len);
    switch (r) {
    case CAPTLS_OK:
        *scheme = cv->scheme;
        captls_tls_transcript_update(&c->hss->transcript, msg, len);
        return CAPTLS_OK;
    case CAPTLS_ERR_INVALID_KEY: /* the scheme does not fit the key */
        return CAPTLS_TLS_ERR(ILLEGAL_PARAMETER);
    case CAPTLS_ERR_WEAK_KEY:
        return CAPTLS_TLS_ERR(INSUFFICIENT_SECURITY);
    case CAPTLS_ERR_UNSUPPORTED:
        return CAPTLS_TLS_ERR(HANDSHAKE_FAILURE);
    default:
        return CAPTLS_TLS_ERR(DECRYPT_ERROR); /* §4.4.3 */
    }
}

captls_result captls_tls_psk_binder(captls_hash_alg hash, const uint8_t *psk,
                                   size_t psk_len,
                                   const captls_tls_transcript *before,
                                   const uint8_t *truncated_ch, size_t len,
                                   uint8_t out[CAPTLS_TLS_MAX_HASH])
{
    captls_tls_key_schedule ks;
    captls_tls_transcript t;
    uint8_t bk[CAPTLS_TLS_MAX_HASH], th[CAPTLS_TLS_MAX_HASH];
    captls_result r;

    if (before != NULL)
        t = *before;
    else
        captls_tls_transcript_init(&t);
    captls_tls_transcript_update(&t, truncated_ch, len);
    (void)captls_tls_transcript_hash(&t, hash, th);
    captls_tls_transcript_wipe(&t);
    r = captls_tls_ks_init(&ks, hash, psk, psk_len);
    if (r == CAPTLS_OK)
        r = captls_tls_ks_binder_key(&ks, bk);
    if (r == CAPTLS_OK)
        r = captls_tls_finished_mac(hash, bk, th, out);
    captls_tls_ks_wipe(&ks);
    captls_zeroize(bk, sizeof bk);
    return r;
}

/* ---- our Certificate, CertificateVerify, Finished ----------------------- */

captls_result captls_tls_send_certificate(captls_tls_conn *c,
                                          const captls_tls_chain *chain,
                                          const captls_tls_signer *key,
                                          uint16_t scheme, bool server,
                                          bool ocsp, bool sct)
{
    static const captls_slice none = {NULL, 0};
    uint8_t th[CAPTLS_TLS_MAX_HASH], content[CAPTLS_TLS_CV_CONTENT_MAX];
    uint8_t sig[512];
    size_t th_len, n, sig_len = 0;
    captls_tls_writer w;
    captls_result r;

    captls_tls_flight_writer(c, &w);
    r = captls_tls_certificate_encode(&w, NULL, 0,
                                      chain ? chain->certs : NULL,
                                      chain ? chain->count : 0,
                                      (chain && ocsp) ? chain->ocsp_response : none,
                                      (chain && sct) ? chain->sct_list : none);
    if (r != CAPTLS_OK)
        return CAPTLS_ERR_INTERNAL;
    r = captls_tls_flight_commit(c, &w, true);
    if (r != CAPTLS_OK || scheme == 0)
        return r == CAPTLS_OK ? CAPTLS_OK : CAPTLS_ERR_INTERNAL;
    th_len = transcript_hash(c, th);
    n = captls_tls_certificate_verify_content(server, th, th_len, content);
    r = key->sign(key->ctx, scheme, content, n, sig, sizeof sig, &sig_len);
    if (r != CAPTLS_OK)
        return r; /* the signer's error: internal_error for the peer */
    captls_tls_flight_writer(c, &w);
    r = captls_tls_certificate_verify_encode(&w, scheme, sig, sig_len);
    if (r == CAPTLS_OK)
        r = captls_tls_flight_commit(c, &w, true);
    return r == CAPTLS_OK ? CAPTLS_OK : CAPTLS_ERR_INTERNAL;
}

captls_result captls_tls_send_finished(captls_tls_conn *c, const uint8_t *base_key)
{
    uint8_t th[CAPTLS_TLS_MAX_HASH], mac[CAPTLS_TLS_MAX_HASH];
    captls_tls_writer w;
    captls_result r;

    (void)transcript_hash(c, th);
    r = captls_tls_finished_mac(c->suite->hash, base_key, th, mac);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_flight_writer(c, &w);
    r = captls_tls_finished_encode(&w, mac, c->suite->hash_len);
    if (r == CAPTLS_OK)
        r = captls_tls_flight_commit(c, &w, true);
    captls_zeroize(mac, sizeof mac);
    return r == CAPTLS_OK ? CAPTLS_OK : CAPTLS_ERR_INTERNAL;
}

captls_result captls_tls_check_finished(captls_tls_conn *c, const uint8_t *body,
                                        size_t len, const uint8_t *base_key)
{
    uint8_t th[CAPTLS_TLS_MAX_HASH], mac[CAPTLS_TLS_MAX_HASH];
    captls_slice vd;
    captls_result r;

    r = captls_tls_finished_decode(body, len, c->suite->hash_len, &vd);
    if (r != CAPTLS_OK)
        return r;
    (void)transcript_hash(c, th);
    r = captls_tls_finished_mac(c->suite->hash, base_key, th, mac);
    if (r == CAPTLS_OK &&
        !captls_tls_mac_equal(mac, vd.ptr, c->suite->hash_len))
        r = CAPTLS_TLS_ERR(DECRYPT_ERROR); /* RFC 8446 §4.4.4 */
    captls_zeroize(mac, sizeof mac);
    return r;
}

captls_result captls_tls_derive_application(captls_tls_conn *c)
{
    uint8_t th[CAPTLS_TLS_MAX_HASH], exp[CAPTLS_TLS_MAX_HASH];
    captls_tls_hs_state *h = c->hss;
    captls_result r;

    (void)transcript_hash(c, th);
    r = captls_tls_ks_master(&h->ks, th, h->c_ap, h->s_ap, exp);
    if (r != CAPTLS_OK)
        return r;
    captls_tls_keylog(c, "CLIENT_TRAFFIC_SECRET_0", h->c_ap);
    captls_tls_keylog(c, "SERVER_TRAFFIC_SECRET_0", h->s_ap);
    captls_tls_keylog(c, "EXPORTER_SECRET", exp);
    captls_zeroize(exp, sizeof exp);
    return CAPTLS_OK;
}
