/* The telnets gateway — see gateway.h. */
#include "core/gateway/gateway.h"

#include <stddef.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/base/sanitize.h"
#include "core/base/text.h"
#include "core/cap/audit.h"
#include "core/cap/interface_ids.h"
#include "core/crypto/sig_scheme.h"
#include "core/tls/cipher_policy.h"

/* A cut text (captls_text keeps what fit, NUL-terminated) is still worth
 * showing: the overflow is deliberately not an error here. */
static void text_cut_ok(captls_text *t)
{
    if (captls_text_finish(t) != CAPTLS_OK)
        return;
}

#define DENY_UNMAPPED "access denied: certificate not authorized\r\n"
#define DENY_PROFILE "access denied: profile not permitted\r\n"
#define SLOT_SERVICE_ROUNDS 32

void captls_gateway_limits_default(captls_gateway_limits *l)
{
    l->handshake_timeout_ms = 10000;
    l->login_timeout_ms = 60000;
    l->idle_timeout_ms = 900000;
    l->close_grace_ms = 5000;
    l->max_pending_per_source = 16;
    l->max_line = CAPTLS_LINE_DEFAULT;
}

void captls_gateway_tls_policy(captls_tls_server_config *tls)
{
    captls_cipher_policy *p = &tls->common.policy;

    captls_cipher_policy_preset_init(p, CAPTLS_CIPHER_POLICY_MODERN);
    p->suites[0] = CAPTLS_TLS_AES_128_GCM_SHA256;
    p->suite_count = 1;
    p->groups[0] = CAPTLS_TLS_GROUP_X25519;
    p->group_count = 1;
    /* CertificateVerify: ours is ed25519 (the signer is checked); a
     * client may prove an Ed25519 or P-256 key. */
    p->schemes[0] = CAPTLS_SIG_ED25519;
    p->schemes[1] = CAPTLS_SIG_ECDSA_SECP256R1_SHA256;
    p->scheme_count = 2;
    p->cert_schemes[0] = CAPTLS_SIG_ED25519;
    p->cert_schemes[1] = CAPTLS_SIG_ECDSA_SECP256R1_SHA256;
    p->cert_scheme_count = 2;
    tls->common.alpn_count = 0;
    tls->tickets.seal = NULL;
    tls->tickets.open = NULL;
    tls->tickets_per_handshake = 0;
}

static uint64_t now_ms(const captls_gateway *gw)
{
    return gw->cfg.clock.monotonic_ns(gw->cfg.clock.ctx) / 1000000u;
}

/* ---- log and audit ----------------------------------------------------------- */

static void slot_log(captls_gateway *gw, const captls_gateway_slot *s,
                     const char *what, const char *more)
{
    char line[384];
    captls_text t;

    if (gw->cfg.log == NULL)
        return;
    captls_text_init(&t, line, sizeof line);
    captls_text_str(&t, "connection ");
    captls_text_u64(&t, s->id);
    if (s->peer[0] != '\0') {
        captls_text_str(&t, " from ");
        captls_text_str(&t, s->peer); /* sanitized at accept */
    }
    captls_text_str(&t, ": ");
    captls_text_str(&t, what);
    if (more != NULL) {
        captls_text_str(&t, " ");
        captls_text_str_sanitized(&t, more);
    }
    text_cut_ok(&t);
    gw->cfg.log(gw->cfg.log_ctx, line);
}

static void audit(captls_gateway *gw, const captls_gateway_slot *s,
                  captls_interface_id iface, const char *event,
                  captls_result outcome, const char *detail)
{
    captls_audit_record rec;
    captls_wall_time wall;
    char d[CAPTLS_AUDIT_DETAIL_MAX];
    captls_text t;

    if (gw->cfg.audit.append == NULL)
        return;
    if (gw->cfg.clock.wall_time == NULL ||
        gw->cfg.clock.wall_time(gw->cfg.clock.ctx, &wall) != CAPTLS_OK)
        memset(&wall, 0, sizeof wall);
    if (captls_audit_record_init(
            &rec, gw->cfg.clock.monotonic_ns(gw->cfg.clock.ctx), &wall,
            s != NULL && s->us.owner != 0 ? s->us.owner : gw->cfg.owner,
            iface, 0, event, outcome) != CAPTLS_OK)
        return;
    captls_text_init(&t, d, sizeof d);
    if (s != NULL) {
        captls_text_str(&t, "conn=");
        captls_text_u64(&t, s->id);
        captls_text_str(&t, " peer=");
        captls_text_str(&t, s->peer[0] ? s->peer : "-");
        captls_text_str(&t, " ");
    }
    captls_text_str(&t, detail != NULL ? detail : "");
    text_cut_ok(&t);
    captls_audit_set_detail(&rec, (const uint8_t *)d, strlen(d));
    /* A sink failure loses this record, not the connection: the gateway
     * keeps serving and the sink reports its own failure. */
    (void)gw->cfg.audit.append(gw->cfg.audit.ctx, &rec);
}

/* ---- shell environment hooks -------------------------------------------------- */

static captls_gateway_slot *slot_of_session(captls_gateway *gw,
                                            const captls_user_session *us)
{
    (void)gw;
    return (captls_gateway_slot *)((char *)us -
                                   offsetof(captls_gateway_slot, us));
}

static void describe(void *ctx, const captls_user_session *us,
                     captls_shell_topic topic, captls_text *t)
{
    captls_gateway *gw = ctx;
    captls_gateway_slot *s = slot_of_session(gw, us);
    captls_tls_info info;

    if (topic == CAPTLS_SHELL_TOPIC_CERT) {
        if (s->plaintext || !s->mapping.seen ||
            us->method != CAPTLS_AUTH_TLS_CLIENT_CERT) {
            captls_text_str(t, "no client certificate (");
            captls_text_str(t, captls_auth_method_strength(us->method));
            captls_text_str(t, " login)\r\n");
            return;
        }
        captls_text_str(t, "subject: ");
        captls_text_str(t, s->mapping.subject);
        captls_text_str(t, "\r\nsha256: ");
        captls_text_hex(t, s->mapping.fingerprint, 32);
        captls_text_str(t, "\r\nmapped by: ");
        captls_text_str(t, s->mapping.by == CAPTLS_CLIENT_MAP_SHA256
                               ? "fingerprint"
                               : "subject");
        captls_text_str(t, "\r\n");
        return;
    }
    captls_text_str(t, "session ");
    captls_text_u64(t, s->id);
    captls_text_str(t, " from ");
    captls_text_str(t, s->peer[0] ? s->peer : "unknown");
    captls_text_str(t, ", up ");
    captls_text_u64(t, (now_ms(gw) - s->accepted_ms) / 1000u);
    captls_text_str(t, " s\r\n");
    if (s->plaintext) {
        captls_text_str(t, "transport: plaintext (loopback research path)\r\n");
        return;
    }
    captls_tls_info_get(&s->tls, &info);
    captls_text_str(t, "TLS 1.3, ");
    captls_text_str(t, captls_tls_suite_name(info.suite));
    captls_text_str(t, ", ");
    captls_text_str(t, captls_tls_group_name(info.group));
    captls_text_str(t, ", server signature ");
    captls_text_str(t, captls_tls_scheme_name(info.sig_scheme));
    if (info.peer_auth == CAPTLS_TLS_PEER_VERIFIED) {
        captls_text_str(t, ", client signature ");
        captls_text_str(t, captls_tls_scheme_name(info.client_sig_scheme));
    }
    captls_text_str(t, "\r\nauthentication: ");
    captls_text_str(t, captls_auth_method_strength(us->method));
    captls_text_str(t, ", profile ");
    captls_text_str(t, us->profile);
    captls_text_str(t, "\r\n");
}

static void note(void *ctx, const captls_user_session *us,
                 captls_shell_event ev, const char *detail)
{
    captls_gateway *gw = ctx;
    captls_gateway_slot *s = slot_of_session(gw, us);
    char d[96];
    captls_text t;

    captls_text_init(&t, d, sizeof d);
    captls_text_str(&t, "user=");
    captls_text_str(&t, detail);
    text_cut_ok(&t);
    switch (ev) {
    case CAPTLS_SHELL_EV_LOGIN_OK:
        gw->stats.logins_ok++;
        s->deadline_ms = 0;
        slot_log(gw, s, "password login ok, user", detail);
        audit(gw, s, CAPTLS_IFACE_SESSION_MANAGER, "gateway.login.ok",
              CAPTLS_OK, d);
        break;
    case CAPTLS_SHELL_EV_LOGIN_FAILED:
        gw->stats.logins_failed++;
        slot_log(gw, s, "password login failed, user", detail);
        audit(gw, s, CAPTLS_IFACE_SESSION_MANAGER, "gateway.login.failed",
              CAPTLS_ERR_AUTH_FAILED, d);
        break;
    case CAPTLS_SHELL_EV_LOGIN_LOCKED:
        gw->stats.logins_failed++;
        gw->stats.logins_locked++;
        slot_log(gw, s, "password login failed, attempts exhausted, user",
                 detail);
        audit(gw, s, CAPTLS_IFACE_SESSION_MANAGER, "gateway.login.locked",
              CAPTLS_ERR_LIMIT_EXCEEDED, d);
        break;
    case CAPTLS_SHELL_EV_DENIED:
        gw->stats.denied_profile++;
        audit(gw, s, CAPTLS_IFACE_AUTHORITY_BROKER, "gateway.profile.denied",
              CAPTLS_ERR_NO_AUTHORITY, d);
        break;
    case CAPTLS_SHELL_EV_COMMAND:
        captls_text_init(&t, d, sizeof d);
        captls_text_str(&t, "command=");
        captls_text_str(&t, detail);
        text_cut_ok(&t);
        audit(gw, s, CAPTLS_IFACE_USER_SESSION, "gateway.command", CAPTLS_OK,
              d);
        break;
    case CAPTLS_SHELL_EV_EXIT:
        break;
    }
}

/* The engine calls this with a client leaf whose chain verified. */
static void on_client_cert(void *ctx, struct captls_tls_conn *c,
                           const captls_certificate *leaf,
                           const uint8_t *der, size_t der_len)
{
    captls_gateway *gw = ctx;
    captls_gateway_slot *s =
        (captls_gateway_slot *)((char *)c - offsetof(captls_gateway_slot, tls));
    captls_result r = captls_session_manager_tls_client_cert(
        &gw->sm, leaf, der, der_len, &s->mapping);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_NOT_FOUND)
        memset(&s->mapping, 0, sizeof s->mapping); /* never mapped */
}

/* ---- setup -------------------------------------------------------------------- */

static captls_result refuse(captls_gateway *gw, const char **why,
                            const char *sentence, captls_result r)
{
    gw->why = sentence;
    if (why != NULL)
        *why = sentence;
    return r;
}

captls_result captls_gateway_init(captls_gateway *gw,
                                  const captls_gateway_config *cfg,
                                  captls_gateway_slot *slots, size_t nslots,
                                  captls_poll_item *items, const char **why)
{
    captls_tls_server_config *tls;
    const char *tls_why = NULL;
    captls_result r;

    if (why != NULL)
        *why = NULL;
    if (gw == NULL || cfg == NULL || slots == NULL || items == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(gw, 0, sizeof(*gw));
    gw->listener = gw->plain_listener = -1;
    if (nslots == 0 || nslots > 60000 ||
        (size_t)cfg->owner + 1 + nslots > 65535)
        return refuse(gw, why, "the connection limit must be 1..60000",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    if (cfg->net == NULL || cfg->net->listen == NULL ||
        cfg->net->accept == NULL || cfg->net->poll == NULL)
        return refuse(gw, why, "no network capability to listen with",
                      CAPTLS_ERR_UNSUPPORTED);
    if (cfg->clock.monotonic_ns == NULL)
        return refuse(gw, why, "no clock", CAPTLS_ERR_CLOCK_UNAVAILABLE);
    if (cfg->bufs.take == NULL || cfg->bufs.give == NULL)
        return refuse(gw, why, "no record buffer source",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    if (cfg->caps == NULL)
        return refuse(gw, why, "no capability table",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    if (cfg->deploy != CAPTLS_DEPLOY_DEV &&
        cfg->deploy != CAPTLS_DEPLOY_PRODUCTION)
        return refuse(gw, why, "unknown deployment profile",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    tls = cfg->tls;
    if (tls == NULL)
        return refuse(gw, why, "no TLS server configuration",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    /* The reviewed policy signs with ed25519 only. */
    if (tls->key.scheme_count == 0)
        return refuse(gw, why, "no server key", CAPTLS_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < tls->key.scheme_count; i++) {
        if (tls->key.schemes[i] != CAPTLS_SIG_ED25519)
            return refuse(gw, why,
                          "the reviewed TLS policy needs an Ed25519 server "
                          "key (this key is not Ed25519)",
                          CAPTLS_ERR_UNSUPPORTED);
    }
    switch (cfg->auth) {
    case CAPTLS_GATEWAY_AUTH_MTLS:
        if (tls->client_verifier.caps == NULL)
            return refuse(gw, why,
                          "--auth mtls needs a client CA (--client-ca)",
                          CAPTLS_ERR_INVALID_ARGUMENT);
        tls->require_client_cert = true;
        tls->reject_bad_client_cert = true;
        break;
    case CAPTLS_GATEWAY_AUTH_MTLS_OR_PASSWORD:
        if (tls->client_verifier.caps == NULL)
            return refuse(gw, why,
                          "--auth mtls-or-password needs a client CA "
                          "(--client-ca)",
                          CAPTLS_ERR_INVALID_ARGUMENT);
        if (cfg->creds == NULL)
            return refuse(gw, why,
                          "--auth mtls-or-password needs a users file "
                          "(--users)",
                          CAPTLS_ERR_INVALID_ARGUMENT);
        tls->require_client_cert = false;
        tls->reject_bad_client_cert = true;
        break;
    case CAPTLS_GATEWAY_AUTH_PASSWORD:
        if (cfg->creds == NULL)
            return refuse(gw, why, "--auth password needs a users file (--users)",
                          CAPTLS_ERR_INVALID_ARGUMENT);
        tls->client_verifier.caps = NULL; /* no certificate asked */
        tls->require_client_cert = false;
        tls->reject_bad_client_cert = true;
        break;
    default:
        return refuse(gw, why, "unknown authentication mode",
                      CAPTLS_ERR_INVALID_ARGUMENT);
    }
    captls_gateway_tls_policy(tls);
    tls->client_cert_verified = on_client_cert;
    tls->client_cert_ctx = gw;
    r = captls_tls_server_config_check_why(tls, &tls_why);
    if (r != CAPTLS_OK)
        return refuse(gw, why, tls_why != NULL ? tls_why
                                               : "TLS configuration refused",
                      r);

    gw->cfg = *cfg;
    if (gw->cfg.host_name == NULL)
        gw->cfg.host_name = "captls";
    if (gw->cfg.limits.handshake_timeout_ms == 0)
        captls_gateway_limits_default(&gw->cfg.limits);
    gw->slots = slots;
    gw->nslots = nslots;
    gw->items = items;
    memset(slots, 0, nslots * sizeof(*slots));
    gw->session_owner_base = (uint16_t)(cfg->owner + 1);

    r = captls_cap_mint(cfg->caps, cfg->owner, CAPTLS_IFACE_WALL_CLOCK,
                        &gw->cfg.clock, CAPTLS_RIGHTS_ALL, &gw->clock_root);
    if (r == CAPTLS_OK)
        r = captls_cap_mint(cfg->caps, cfg->owner,
                            CAPTLS_IFACE_SESSION_MANAGER, gw,
                            CAPTLS_RIGHTS_ALL, &gw->manager_root);
    if (r == CAPTLS_OK)
        r = captls_cap_mint(cfg->caps, cfg->owner, CAPTLS_IFACE_AUDIT_LOG,
                            &gw->cfg.audit, CAPTLS_RIGHTS_ALL,
                            &gw->audit_root);
    if (r == CAPTLS_OK)
        r = captls_authority_broker_init(&gw->broker, cfg->caps, cfg->owner,
                                         cfg->deploy, gw->clock_root,
                                         gw->manager_root, gw->audit_root);
    if (r != CAPTLS_OK) {
        (void)captls_cap_revoke_owner(cfg->caps, cfg->owner);
        return refuse(gw, why, "the capability table has no room", r);
    }
    captls_session_manager_init(&gw->sm, cfg->map, cfg->map_count);
    gw->shell_env.creds = cfg->creds;
    gw->shell_env.broker = &gw->broker;
    gw->shell_env.clock = cfg->clock;
    gw->shell_env.host = gw->cfg.host_name;
    gw->shell_env.describe = describe;
    gw->shell_env.note = note;
    gw->shell_env.ctx = gw;
    return CAPTLS_OK;
}

bool captls_gateway_host_is_loopback(const char *host)
{
    size_t n;

    if (host == NULL)
        return false;
    n = strlen(host);
    if ((n == 9 && memcmp(host, "localhost", 9) == 0) ||
        (n == 3 && memcmp(host, "::1", 3) == 0) ||
        (n == 5 && memcmp(host, "[::1]", 5) == 0))
        return true;
    /* 127.0.0.0/8 in dotted form: "127." and three more numbers */
    if (n < 4 || memcmp(host, "127.", 4) != 0)
        return false;
    unsigned parts = 1, digits = 0, value = 0;
    for (const char *p = host + 4; ; p++) {
        if (*p >= '0' && *p <= '9') {
            value = value * 10 + (unsigned)(*p - '0');
            if (++digits > 3 || value > 255)
                return false;
        } else if (*p == '.' || *p == '\0') {
            if (digits == 0)
                return false;
            parts++;
            digits = value = 0;
            if (*p == '\0')
                break;
        } else {
            return false;
        }
    }
    return parts == 4;
}

static captls_result open_listener(captls_gateway *gw, const char *host,
                                   uint16_t port, captls_stream_id *out,
                                   const char **why)
{
    captls_result r = gw->cfg.net->listen(gw->cfg.net->ctx, host, port, out);
    if (r != CAPTLS_OK)
        return refuse(gw, why,
                      r == CAPTLS_ERR_ADDR_IN_USE
                          ? "the listen address is in use"
                          : "cannot listen on that address",
                      r);
    return CAPTLS_OK;
}

captls_result captls_gateway_listen(captls_gateway *gw, const char *host,
                                    uint16_t port, const char **why)
{
    if (gw->listener >= 0)
        return refuse(gw, why, "already listening", CAPTLS_ERR_INVALID_ARGUMENT);
    return open_listener(gw, host, port, &gw->listener, why);
}

captls_result captls_gateway_listen_plaintext(captls_gateway *gw,
                                              const char *host, uint16_t port,
                                              const char **why)
{
    if (!captls_gateway_host_is_loopback(host))
        return refuse(gw, why,
                      "the plaintext listener is loopback-only "
                      "(127.0.0.0/8, ::1 or localhost)",
                      CAPTLS_ERR_NO_AUTHORITY);
    if (gw->plain_listener >= 0)
        return refuse(gw, why, "already listening", CAPTLS_ERR_INVALID_ARGUMENT);
    return open_listener(gw, host, port, &gw->plain_listener, why);
}

captls_result captls_gateway_local_port(const captls_gateway *gw,
                                        bool plaintext, uint16_t *port)
{
    captls_stream_id l = plaintext ? gw->plain_listener : gw->listener;
    if (l < 0 || gw->cfg.net->local_port == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    return gw->cfg.net->local_port(gw->cfg.net->ctx, l, port);
}

/* ---- one connection ------------------------------------------------------------ */

static void stats_live(captls_gateway *gw)
{
    uint32_t live = 0, hs = 0, sess = 0;
    for (size_t i = 0; i < gw->nslots; i++) {
        switch (gw->slots[i].state) {
        case CAPTLS_GW_HANDSHAKE: hs++; live++; break;
        case CAPTLS_GW_SESSION: sess++; live++; break;
        case CAPTLS_GW_CLOSING: live++; break;
        default: break;
        }
    }
    gw->stats.live = live;
    gw->stats.live_handshakes = hs;
    gw->stats.live_sessions = sess;
    if (live > gw->stats.peak_live)
        gw->stats.peak_live = live;
}

/* The one release path: every end of a connection comes here. */
static void slot_release(captls_gateway *gw, captls_gateway_slot *s,
                         const char *reason)
{
    char d[80];
    captls_text t;

    if (s->state == CAPTLS_GW_FREE)
        return;
    if (s->end_reason == NULL)
        s->end_reason = reason;
    captls_text_init(&t, d, sizeof d);
    captls_text_str(&t, "reason=");
    captls_text_str(&t, s->end_reason);
    text_cut_ok(&t);
    slot_log(gw, s, "closed:", s->end_reason);
    audit(gw, s, CAPTLS_IFACE_TERMINAL_SESSION, "gateway.conn.closed",
          CAPTLS_OK, d);
    captls_authority_broker_release(&gw->broker, &s->us);
    /* Grants minted by the session itself are owned by it too. */
    (void)captls_cap_revoke_owner(gw->cfg.caps, s->us.owner);
    if (s->term_open) {
        captls_shell_wipe(&s->shell);
        captls_term_stream_wipe(&s->term);
    }
    if (s->plaintext)
        captls_plain_pair_release(&s->ppair);
    else
        captls_net_tls_release(&s->link, &gw->cfg.bufs);
    captls_zeroize(s, sizeof(*s));
    s->state = CAPTLS_GW_FREE;
    gw->stats.closed++;
    stats_live(gw);
}

/* Starts the TerminalSession and the shell on the slot's byte pair. */
static captls_result open_terminal(captls_gateway *gw, captls_gateway_slot *s,
                                   bool authenticated)
{
    captls_term_line_options o;
    captls_byte_stream_pair pair;
    captls_result r;

    captls_term_line_options_default(&o);
    o.max_line = gw->cfg.limits.max_line;
    pair = s->plaintext ? captls_plain_pair_as_pair(&s->ppair)
                        : captls_tls_pair_as_pair(&s->tpair);
    r = captls_term_from_byte_stream_wrap(&s->term, pair, &o, &s->ts);
    if (r != CAPTLS_OK)
        return r;
    s->term_open = true;
    captls_shell_start(&s->shell, &gw->shell_env, s->ts, &s->us, &s->term,
                       authenticated);
    s->state = CAPTLS_GW_SESSION;
    return CAPTLS_OK;
}

/* Writes a short refusal through TLS and closes (stages b and c). */
static void deny(captls_gateway *gw, captls_gateway_slot *s, const char *text,
                 const char *reason)
{
    captls_byte_stream_pair p = captls_tls_pair_as_pair(&s->tpair);
    size_t off = 0, len = strlen(text);

    /* Best effort: the text is a courtesy (one short record that fits any
     * TX buffer), the close is the answer. */
    (void)captls_net_tls_lend_tx(&s->link, &gw->cfg.bufs);
    while (off < len) {
        size_t n = 0;
        if (p.vt->write(p.ctx, (const uint8_t *)text + off, len - off, &n) !=
                CAPTLS_OK ||
            n == 0)
            break;
        off += n;
    }
    captls_tls_close(&s->tls);
    s->end_reason = reason;
    s->state = CAPTLS_GW_CLOSING;
    s->deadline_ms = now_ms(gw) + gw->cfg.limits.close_grace_ms;
}

static void handshake_done(captls_gateway *gw, captls_gateway_slot *s)
{
    captls_tls_info info;
    char more[200];
    captls_text t;
    captls_result r;

    captls_tls_info_get(&s->tls, &info);
    gw->stats.handshakes_ok++;
    captls_text_init(&t, more, sizeof more);
    captls_text_str(&t, captls_tls_suite_name(info.suite));
    captls_text_str(&t, " ");
    captls_text_str(&t, captls_tls_group_name(info.group));
    captls_text_str(&t, info.peer_auth == CAPTLS_TLS_PEER_VERIFIED
                            ? ", client certificate verified"
                            : ", no client certificate");
    text_cut_ok(&t);
    slot_log(gw, s, "handshake ok:", more);

    if (info.peer_auth == CAPTLS_TLS_PEER_VERIFIED) {
        /* (b) SessionManager.tlsClientCert */
        if (!s->mapping.mapped) {
            gw->stats.denied_unmapped++;
            captls_text_init(&t, more, sizeof more);
            captls_text_str(&t, "subject=\"");
            captls_text_str(&t, s->mapping.subject);
            captls_text_str(&t, "\" sha256=");
            captls_text_hex(&t, s->mapping.fingerprint, 32);
            text_cut_ok(&t);
            audit(gw, s, CAPTLS_IFACE_SESSION_MANAGER, "gateway.cert.unmapped",
                  CAPTLS_ERR_NOT_FOUND, more);
            slot_log(gw, s, "denied: certificate not mapped:",
                     s->mapping.subject);
            deny(gw, s, DENY_UNMAPPED, "certificate not authorized");
            return;
        }
        /* (c) AuthorityBroker */
        memcpy(s->us.user, s->mapping.user, sizeof s->us.user);
        r = captls_authority_broker_grant(&gw->broker, &s->us,
                                          s->mapping.profile,
                                          CAPTLS_AUTH_TLS_CLIENT_CERT,
                                          &s->term);
        if (r != CAPTLS_OK) {
            gw->stats.denied_profile++;
            captls_text_init(&t, more, sizeof more);
            captls_text_str(&t, "user=");
            captls_text_str(&t, s->mapping.user);
            captls_text_str(&t, " profile=");
            captls_text_str(&t, s->mapping.profile);
            text_cut_ok(&t);
            audit(gw, s, CAPTLS_IFACE_AUTHORITY_BROKER,
                  "gateway.profile.denied", r, more);
            slot_log(gw, s, "denied: profile not permitted:", more);
            deny(gw, s, DENY_PROFILE, "profile not permitted");
            return;
        }
        /* (d) */
        gw->stats.sessions_cert++;
        captls_text_init(&t, more, sizeof more);
        captls_text_str(&t, "user=");
        captls_text_str(&t, s->us.user);
        captls_text_str(&t, " profile=");
        captls_text_str(&t, s->us.profile);
        captls_text_str(&t, " strength=tlsClientCert");
        text_cut_ok(&t);
        audit(gw, s, CAPTLS_IFACE_SESSION_MANAGER, "gateway.session.open",
              CAPTLS_OK, more);
        slot_log(gw, s, "session open:", more);
        if (open_terminal(gw, s, true) != CAPTLS_OK)
            deny(gw, s, "", "terminal setup failed");
        s->deadline_ms = 0;
        return;
    }
    if (gw->cfg.auth == CAPTLS_GATEWAY_AUTH_MTLS || gw->cfg.creds == NULL) {
        /* The engine requires a certificate in this mode; defensive. */
        deny(gw, s, "", "no client certificate");
        return;
    }
    if (open_terminal(gw, s, false) != CAPTLS_OK) {
        deny(gw, s, "", "terminal setup failed");
        return;
    }
    s->deadline_ms = now_ms(gw) + gw->cfg.limits.login_timeout_ms;
}

/* Why a session's terminal closed, as the audit record says it. */
static const char *session_end_reason(const captls_gateway_slot *s)
{
    if (s->plaintext) {
        if (s->ppair.hint == CAPTLS_TERM_CLOSE_RESET)
            return "connection reset";
        if (s->ppair.hint == CAPTLS_TERM_CLOSE_ORDERLY)
            return "peer closed";
        return "session ended";
    }
    if (s->link.io_error != CAPTLS_OK)
        return "connection reset";
    if (captls_tls_peer_closed(&s->tls))
        return "peer closed (close_notify)";
    if (s->link.eof)
        return "connection closed without close_notify";
    if (captls_tls_state(&s->tls) & CAPTLS_TLS_CLOSED)
        return "TLS error";
    return "session ended";
}

/* Moves everything that can move for one slot; releases it when done. */
static void slot_service(captls_gateway *gw, captls_gateway_slot *s,
                         uint64_t now)
{
    char why[96];

    for (int round = 0; round < SLOT_SERVICE_ROUNDS; round++) {
        bool moved = false;
        if (!s->plaintext) {
            moved |= captls_net_tls_pump(&s->link, &gw->cfg.bufs);
            if (s->state == CAPTLS_GW_HANDSHAKE) {
                captls_tls_info info;
                captls_tls_info_get(&s->tls, &info);
                if (info.handshake_done) {
                    handshake_done(gw, s);
                    moved = true;
                } else if (captls_tls_state(&s->tls) & CAPTLS_TLS_CLOSED ||
                           s->link.eof || s->link.io_error != CAPTLS_OK) {
                    const char *f =
                        captls_net_tls_failure_text(&s->link, why, sizeof why);
                    gw->stats.handshakes_failed++;
                    s->end_reason = "handshake failed";
                    slot_log(gw, s, "handshake failed:",
                             f != NULL ? f : "closed");
                    audit(gw, s, CAPTLS_IFACE_TERMINAL_SESSION,
                          "gateway.handshake.failed",
                          captls_tls_error(&s->tls), f);
                    s->state = CAPTLS_GW_CLOSING;
                    s->deadline_ms = now + gw->cfg.limits.close_grace_ms;
                }
            }
        }
        if (s->state == CAPTLS_GW_SESSION) {
            if (captls_term_stream_pump(&s->term) != CAPTLS_OK)
                moved = true; /* EOF: the session is over; shell sees it */
            if (captls_shell_step(&s->shell, now)) {
                moved = true;
                s->last_input_ms = now;
            }
            if (!s->plaintext && s->tpair.want_tx) {
                s->tpair.want_tx = false;
                moved |= captls_net_tls_lend_tx(&s->link, &gw->cfg.bufs);
            }
            /* What the terminal or the shell just put into the engine
             * (the greeting, the first prompt) leaves now, not after the
             * next poll wait: with TX already lent nothing above reports
             * a move. */
            if (!s->plaintext)
                moved |= captls_net_tls_pump(&s->link, &gw->cfg.bufs);
            if (captls_shell_done(&s->shell)) {
                /* flush what the terminal still holds, then close; EOF
                 * is the expected answer here */
                if (captls_term_stream_pump(&s->term) != CAPTLS_OK)
                    moved = true;
                s->state = CAPTLS_GW_CLOSING;
                s->deadline_ms = now + gw->cfg.limits.close_grace_ms;
                if (s->end_reason == NULL)
                    s->end_reason = session_end_reason(s);
                moved = true;
            }
        }
        if (!moved)
            break;
    }
    if (s->state == CAPTLS_GW_CLOSING) {
        if (s->plaintext) {
            slot_release(gw, s, "session ended");
            return;
        }
        captls_tls_close(&s->tls); /* once; later calls do nothing */
        (void)captls_net_tls_pump(&s->link, &gw->cfg.bufs);
        if (captls_net_tls_done(&s->link) || s->link.eof ||
            s->link.io_error != CAPTLS_OK ||
            (captls_tls_close_sent(&s->tls) &&
             !(captls_tls_state(&s->tls) & CAPTLS_TLS_SENDREC))) {
            slot_release(gw, s, "closed");
            return;
        }
    }
    if (!s->plaintext && s->state != CAPTLS_GW_FREE)
        captls_net_tls_reclaim_idle(&s->link, &gw->cfg.bufs);
}

static void slot_timers(captls_gateway *gw, captls_gateway_slot *s,
                        uint64_t now)
{
    if (s->state == CAPTLS_GW_FREE)
        return;
    if (s->deadline_ms != 0 && now >= s->deadline_ms) {
        switch (s->state) {
        case CAPTLS_GW_HANDSHAKE:
            gw->stats.handshake_timeouts++;
            slot_log(gw, s, "handshake timeout", NULL);
            captls_tls_abort(&s->tls, CAPTLS_ERR_TIMEOUT);
            slot_release(gw, s, "handshake timeout");
            return;
        case CAPTLS_GW_SESSION:
            gw->stats.login_timeouts++;
            slot_log(gw, s, "login timeout", NULL);
            s->end_reason = "login timeout";
            captls_shell_wipe(&s->shell);
            s->ts.vt->close(s->ts.self);
            s->deadline_ms = now + gw->cfg.limits.close_grace_ms;
            s->state = CAPTLS_GW_CLOSING;
            return;
        case CAPTLS_GW_CLOSING:
            slot_release(gw, s, s->end_reason != NULL ? s->end_reason
                                                      : "close timeout");
            return;
        default:
            return;
        }
    }
    if (s->state == CAPTLS_GW_SESSION && gw->cfg.limits.idle_timeout_ms != 0 &&
        now - s->last_input_ms >= gw->cfg.limits.idle_timeout_ms) {
        gw->stats.idle_timeouts++;
        slot_log(gw, s, "idle timeout", NULL);
        s->end_reason = "idle timeout";
        s->ts.vt->close(s->ts.self);
        s->state = CAPTLS_GW_CLOSING;
        s->deadline_ms = now + gw->cfg.limits.close_grace_ms;
    }
}

/* ---- accepting ---------------------------------------------------------------- */

static size_t host_len(const char *peer)
{
    size_t n = strlen(peer);
    while (n > 0 && peer[n - 1] != ':')
        n--;
    return n > 0 ? n - 1 : strlen(peer); /* up to the last ':' */
}

static uint32_t pending_from(const captls_gateway *gw, const char *peer)
{
    size_t n = host_len(peer);
    uint32_t count = 0;
    for (size_t i = 0; i < gw->nslots; i++) {
        const captls_gateway_slot *s = &gw->slots[i];
        if (s->state == CAPTLS_GW_HANDSHAKE && host_len(s->peer) == n &&
            memcmp(s->peer, peer, n) == 0)
            count++;
    }
    return count;
}

static void accept_one(captls_gateway *gw, captls_stream_id st,
                       bool plaintext, uint64_t now)
{
    const captls_net *net = gw->cfg.net;
    captls_gateway_slot *s = NULL;
    char peer[CAPTLS_GW_PEER_MAX], raw[CAPTLS_GW_PEER_MAX];
    size_t idx = 0;

    gw->stats.accepted++;
    peer[0] = '\0';
    if (net->peer_name != NULL &&
        net->peer_name(net->ctx, st, raw, sizeof raw) == CAPTLS_OK)
        (void)captls_sanitize((const uint8_t *)raw, strlen(raw), peer,
                              sizeof peer);
    for (size_t i = 0; i < gw->nslots && s == NULL; i++) {
        if (gw->slots[i].state == CAPTLS_GW_FREE) {
            s = &gw->slots[i];
            idx = i;
        }
    }
    if (s == NULL || gw->shutting_down) {
        gw->stats.refused_full++;
        (void)net->close(net->ctx, st);
        if (gw->cfg.log != NULL)
            gw->cfg.log(gw->cfg.log_ctx,
                        "connection refused: connection limit reached");
        return;
    }
    if (!plaintext && peer[0] != '\0' &&
        pending_from(gw, peer) >= gw->cfg.limits.max_pending_per_source) {
        gw->stats.refused_source++;
        (void)net->close(net->ctx, st);
        if (gw->cfg.log != NULL)
            gw->cfg.log(gw->cfg.log_ctx,
                        "connection refused: too many handshakes from one "
                        "source");
        return;
    }
    memset(s, 0, sizeof(*s));
    s->id = ++gw->next_id;
    memcpy(s->peer, peer, sizeof s->peer);
    s->accepted_ms = now;
    s->last_input_ms = now;
    s->plaintext = plaintext;
    s->us.owner = (captls_cap_owner)(gw->session_owner_base + idx);
    s->us.id = s->id;
    if (plaintext) {
        captls_plain_pair_init(&s->ppair, net, st);
        s->state = CAPTLS_GW_SESSION;
        slot_log(gw, s, "accepted (plaintext)", NULL);
        if (open_terminal(gw, s, false) != CAPTLS_OK) {
            slot_release(gw, s, "terminal setup failed");
            return;
        }
        s->deadline_ms = now + gw->cfg.limits.login_timeout_ms;
        stats_live(gw);
        return;
    }
    if (captls_tls_server_init(&s->tls, gw->cfg.tls) != CAPTLS_OK) {
        (void)net->close(net->ctx, st);
        captls_zeroize(s, sizeof(*s));
        if (gw->cfg.log != NULL)
            gw->cfg.log(gw->cfg.log_ctx,
                        "connection refused: TLS engine setup failed");
        return;
    }
    captls_net_tls_init(&s->link, &s->tls, net, st);
    captls_tls_pair_init(&s->tpair, &s->link);
    s->state = CAPTLS_GW_HANDSHAKE;
    s->deadline_ms = now + gw->cfg.limits.handshake_timeout_ms;
    slot_log(gw, s, "accepted", NULL);
    stats_live(gw);
}

static void accept_all(captls_gateway *gw, captls_stream_id l, bool plaintext,
                       uint64_t now)
{
    /* bounded per turn so a connect flood cannot starve the sessions */
    for (int i = 0; i < 64; i++) {
        captls_stream_id st;
        if (gw->cfg.net->accept(gw->cfg.net->ctx, l, &st) != CAPTLS_OK)
            return;
        accept_one(gw, st, plaintext, now);
    }
}

/* ---- the loop -------------------------------------------------------------------- */

static unsigned slot_want(const captls_gateway_slot *s)
{
    if (s->plaintext)
        return CAPTLS_POLL_READ;
    return captls_net_tls_poll_want(&s->link);
}

static uint64_t next_deadline(const captls_gateway *gw)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < gw->nslots; i++) {
        const captls_gateway_slot *s = &gw->slots[i];
        uint64_t d;
        if (s->state == CAPTLS_GW_FREE)
            continue;
        d = s->deadline_ms;
        if (d != 0 && d < next)
            next = d;
        if (s->state == CAPTLS_GW_SESSION) {
            uint64_t w = captls_shell_wake_ms(&s->shell);
            if (w != 0 && w < next)
                next = w;
            if (gw->cfg.limits.idle_timeout_ms != 0) {
                w = s->last_input_ms + gw->cfg.limits.idle_timeout_ms;
                if (w < next)
                    next = w;
            }
        }
    }
    return next;
}

captls_result captls_gateway_run(captls_gateway *gw, uint64_t max_wait_ns)
{
    size_t n = 0, nready = 0;
    size_t map[2] = {SIZE_MAX, SIZE_MAX};
    uint64_t now = now_ms(gw), wait_ns = max_wait_ns, next;
    captls_result r;

    if (gw->listener < 0 && gw->plain_listener < 0 && gw->stats.live == 0)
        return CAPTLS_ERR_NOT_FOUND;
    next = next_deadline(gw);
    if (next != UINT64_MAX) {
        uint64_t until = next > now ? (next - now) * 1000000u : 0;
        if (until < wait_ns)
            wait_ns = until;
    }
    if (!gw->shutting_down && gw->listener >= 0) {
        map[0] = n;
        gw->items[n++] = (captls_poll_item){gw->listener, CAPTLS_POLL_READ, 0};
    }
    if (!gw->shutting_down && gw->plain_listener >= 0) {
        map[1] = n;
        gw->items[n++] =
            (captls_poll_item){gw->plain_listener, CAPTLS_POLL_READ, 0};
    }
    size_t first_slot_item = n;
    for (size_t i = 0; i < gw->nslots; i++) {
        captls_gateway_slot *s = &gw->slots[i];
        unsigned want;
        captls_stream_id st;
        if (s->state == CAPTLS_GW_FREE)
            continue;
        want = slot_want(s);
        st = s->plaintext ? s->ppair.s : s->link.s;
        if (want == 0 || st < 0)
            continue;
        gw->items[n++] = (captls_poll_item){st, want, 0};
    }
    r = gw->cfg.net->poll(gw->cfg.net->ctx, gw->items, n, wait_ns, &nready);
    if (r != CAPTLS_OK)
        return r;
    now = now_ms(gw);
    /* readiness back to the slots (items are in slot order) */
    size_t k = first_slot_item;
    for (size_t i = 0; i < gw->nslots && k < n; i++) {
        captls_gateway_slot *s = &gw->slots[i];
        captls_stream_id st;
        if (s->state == CAPTLS_GW_FREE)
            continue;
        st = s->plaintext ? s->ppair.s : s->link.s;
        if (st < 0 || gw->items[k].stream != st)
            continue;
        if (!s->plaintext)
            captls_net_tls_ready(&s->link, gw->items[k].ready);
        if (gw->items[k].ready & (CAPTLS_POLL_READ | CAPTLS_POLL_HUP))
            s->last_input_ms = now;
        k++;
    }
    if (map[0] != SIZE_MAX && (gw->items[map[0]].ready & CAPTLS_POLL_READ))
        accept_all(gw, gw->listener, false, now);
    if (map[1] != SIZE_MAX && (gw->items[map[1]].ready & CAPTLS_POLL_READ))
        accept_all(gw, gw->plain_listener, true, now);
    for (size_t i = 0; i < gw->nslots; i++) {
        captls_gateway_slot *s = &gw->slots[i];
        if (s->state == CAPTLS_GW_FREE)
            continue;
        slot_service(gw, s, now);
        slot_timers(gw, s, now);
    }
    stats_live(gw);
    return CAPTLS_OK;
}

void captls_gateway_shutdown(captls_gateway *gw)
{
    gw->shutting_down = true;
    for (size_t i = 0; i < gw->nslots; i++) {
        captls_gateway_slot *s = &gw->slots[i];
        if (s->state == CAPTLS_GW_FREE)
            continue;
        if (!s->plaintext && s->state != CAPTLS_GW_HANDSHAKE) {
            /* a last close_notify if the socket takes it now */
            captls_tls_close(&s->tls);
            (void)captls_net_tls_pump(&s->link, &gw->cfg.bufs);
        }
        slot_release(gw, s, "gateway shutdown");
    }
    if (gw->listener >= 0)
        (void)gw->cfg.net->close(gw->cfg.net->ctx, gw->listener);
    if (gw->plain_listener >= 0)
        (void)gw->cfg.net->close(gw->cfg.net->ctx, gw->plain_listener);
    gw->listener = gw->plain_listener = -1;
    (void)captls_cap_revoke_owner(gw->cfg.caps, gw->cfg.owner);
}

void captls_gateway_stats_get(const captls_gateway *gw,
                              captls_gateway_stats *out)
{
    *out = gw->stats;
}
