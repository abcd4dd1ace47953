/* sim/prog_telnets.c — the telnets gateway (core/gateway/gateway.h) on a
 * simulated host: the same event loop as captls-telnetsd, over this
 * host's net, clock and entropy, so one seed gives one transcript.
 *
 * Options: port=N, chain=LEAF+INT (required), key=NAME (required, the
 * leaf's Ed25519 key), trust=CAP (a granted cap on a trust service: the
 * client CA; at start the gateway asks it for the verifier caps and listens
 * once they arrive), map="RECORDS" (the --client-map text, records
 * separated by \n), users="LINES" (the --users text), auth=mtls |
 * mtls-or-password | password (default mtls), profile=dev | production
 * (default production), store=HANDLE (serve a CertificateStore entry and
 * follow its rotations), handshake-timeout=DUR, idle-timeout=DUR.
 * Verbs: rotate LEAF+INT... (a renewal lands in the store), shutdown.
 * Facts: the gateway's counters (live, accepted, closed, handshakes-ok,
 * handshakes-failed, handshake-timeouts, denied-unmapped, denied-profile,
 * sessions-cert, logins-ok, logins-failed, idle-timeouts), buffers-out
 * (record buffers lent now), caps-live (session caps alive now) and
 * chain-version.
 *
 * Every gateway log line is a transcript line ("connection 2 from ...:
 * denied: certificate not mapped: ..."), peer text already sanitized by
 * the gateway. While connections are open a 50 ms tick drives the
 * gateway's deadlines (timeouts, back-offs).
 */
#include <stdio.h>
#include <string.h>

#include "core/gateway/gateway.h"
#include "sim/programs.h"
#include "sim/tls_identity.h"

#define TN_CONNS 4u
#define TN_MAP 8u
#define TN_USERS 4u
#define TN_CAP_SLOTS (8u + TN_CONNS * (CAPTLS_SESSION_MAX_CAPS + 2u))
#define TICK_TAG 1u
#define TICK_NS (50u * CAPTLS_SIM_NS_PER_MS)

typedef struct tn_state {
    captls_sim_proc *self;
    bool listening, ticking;
    uint16_t port;
    uint32_t caps_req;
    captls_cap_handle vcap, tcap;
    captls_tls_verify_scratch scratch;
    sim_tls_identity id;
    captls_tls_server_config tls;
    captls_gateway_config cfg;
    captls_gateway gw;
    captls_gateway_slot slots[TN_CONNS];
    captls_poll_item items[TN_CONNS + 2];
    captls_cap_slot cap_slots[TN_CAP_SLOTS];
    captls_cap_table caps;
    captls_client_map_entry map[TN_MAP];
    size_t nmap;
    captls_user_record users[TN_USERS];
    size_t nusers;
    captls_credential_store creds;
    /* record buffers: one set per connection slot */
    uint8_t rx[TN_CONNS][CAPTLS_TLS_RX_BUF_SIZE];
    uint8_t tx[TN_CONNS][CAPTLS_TLS_TX_BUF_FULL];
    uint8_t hs[TN_CONNS][CAPTLS_TLS_HS_BUF_SIZE];
    bool rx_used[TN_CONNS], tx_used[TN_CONNS], hs_used[TN_CONNS];
    uint32_t buffers_out;
} tn_state;

/* ---- record buffers ------------------------------------------------------ */

static uint8_t *buf_take(void *ctx, unsigned kind, size_t *cap)
{
    tn_state *st = ctx;
    bool *used = kind == CAPTLS_TLS_BUF_RX   ? st->rx_used
                 : kind == CAPTLS_TLS_BUF_TX ? st->tx_used
                                             : st->hs_used;
    for (unsigned i = 0; i < TN_CONNS; i++) {
        if (used[i])
            continue;
        used[i] = true;
        st->buffers_out++;
        if (kind == CAPTLS_TLS_BUF_RX) {
            *cap = sizeof st->rx[i];
            return st->rx[i];
        }
        if (kind == CAPTLS_TLS_BUF_TX) {
            *cap = sizeof st->tx[i];
            return st->tx[i];
        }
        *cap = sizeof st->hs[i];
        return st->hs[i];
    }
    return NULL;
}

static void buf_give(void *ctx, unsigned kind, uint8_t *buf)
{
    tn_state *st = ctx;
    for (unsigned i = 0; i < TN_CONNS; i++) {
        if ((kind == CAPTLS_TLS_BUF_RX && buf == st->rx[i]) ||
            (kind == CAPTLS_TLS_BUF_TX && buf == st->tx[i]) ||
            (kind == CAPTLS_TLS_BUF_HS && buf == st->hs[i])) {
            bool *used = kind == CAPTLS_TLS_BUF_RX   ? st->rx_used
                         : kind == CAPTLS_TLS_BUF_TX ? st->tx_used
                                                     : st->hs_used;
            used[i] = false;
            st->buffers_out--;
            return;
        }
    }
}

/* ---- start ------------------------------------------------------------------ */

static void tn_log(void *ctx, const char *line)
{
    tn_state *st = ctx;
    captls_sim_log(captls_sim_proc_kernel(st->self), st->self, NULL, "%s",
                   line);
}

static uint64_t parse_dur_ms(const char *s, uint64_t dflt)
{
    uint64_t v = 0;
    if (s == NULL)
        return dflt;
    while (*s >= '0' && *s <= '9' && v < 1000000000ull)
        v = v * 10 + (uint64_t)(*s++ - '0');
    if (strcmp(s, "ms") == 0)
        return v;
    if (strcmp(s, "s") == 0)
        return v * 1000u;
    return dflt;
}

static bool load_texts(captls_sim_proc *p, tn_state *st)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *map = captls_sim_proc_opt(p, "map");
    const char *users = captls_sim_proc_opt(p, "users");
    captls_parse_error pe;
    char where[96];
    captls_result r;

    if (map != NULL) {
        r = captls_client_map_parse(map, strlen(map), st->map, TN_MAP,
                                    &st->nmap, &pe);
        if (r != CAPTLS_OK) {
            (void)captls_parse_error_format(&pe, where, sizeof where);
            captls_sim_log(k, p, NULL, "map: %s (%s)", where,
                           captls_result_name(r));
            return false;
        }
    }
    if (users != NULL) {
        r = captls_users_parse(users, strlen(users),
                               CAPTLS_CRED_MIN_ITERATIONS, st->users,
                               TN_USERS, &st->nusers, &pe);
        if (r == CAPTLS_OK)
            r = captls_credential_store_init(&st->creds, st->users,
                                             st->nusers);
        if (r != CAPTLS_OK) {
            (void)captls_parse_error_format(&pe, where, sizeof where);
            captls_sim_log(k, p, NULL, "users: %s (%s)", where,
                           captls_result_name(r));
            return false;
        }
    }
    return true;
}

static void tick(captls_sim_proc *p, tn_state *st)
{
    if (st->ticking || st->gw.stats.live == 0)
        return;
    st->ticking = captls_sim_proc_timer(p, TICK_NS, TICK_TAG) == CAPTLS_OK;
}

/* Builds and starts the gateway (after the verifier caps, if any). */
static void tn_listen(captls_sim_proc *p, tn_state *st)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *auth = captls_sim_proc_opt(p, "auth");
    const char *prof = captls_sim_proc_opt(p, "profile");
    const char *why = NULL;
    captls_result r;

    memset(&st->cfg, 0, sizeof st->cfg);
    st->cfg.net = &captls_sim_proc_port(p)->net;
    st->cfg.clock = captls_sim_proc_port(p)->clock;
    st->cfg.audit = captls_sim_proc_port(p)->audit;
    st->cfg.log = tn_log;
    st->cfg.log_ctx = st;
    st->cfg.tls = &st->tls;
    st->cfg.auth = auth == NULL || strcmp(auth, "mtls") == 0
                       ? CAPTLS_GATEWAY_AUTH_MTLS
                   : strcmp(auth, "mtls-or-password") == 0
                       ? CAPTLS_GATEWAY_AUTH_MTLS_OR_PASSWORD
                   : strcmp(auth, "password") == 0 ? CAPTLS_GATEWAY_AUTH_PASSWORD
                                                   : (captls_gateway_auth)0;
    st->cfg.creds = st->nusers > 0 ? &st->creds : NULL;
    st->cfg.map = st->map;
    st->cfg.map_count = st->nmap;
    st->cfg.deploy = prof != NULL && strcmp(prof, "dev") == 0
                         ? CAPTLS_DEPLOY_DEV
                         : CAPTLS_DEPLOY_PRODUCTION;
    st->cfg.host_name = "sim";
    captls_gateway_limits_default(&st->cfg.limits);
    st->cfg.limits.handshake_timeout_ms = (uint32_t)parse_dur_ms(
        captls_sim_proc_opt(p, "handshake-timeout"), 10000);
    st->cfg.limits.idle_timeout_ms = (uint32_t)parse_dur_ms(
        captls_sim_proc_opt(p, "idle-timeout"), 900000);
    st->cfg.bufs = (captls_buf_source){st, buf_take, buf_give};
    st->cfg.caps = &st->caps;
    st->cfg.owner = 1;
    r = captls_cap_table_init(&st->caps, st->cap_slots, TN_CAP_SLOTS);
    if (r == CAPTLS_OK)
        r = captls_gateway_init(&st->gw, &st->cfg, st->slots, TN_CONNS,
                                st->items, &why);
    if (r == CAPTLS_OK)
        r = captls_gateway_listen(&st->gw, NULL, st->port, &why);
    if (r != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "gateway not listening: %s (%s)",
                       why != NULL ? why : "?", captls_result_name(r));
        return;
    }
    st->listening = true;
    captls_sim_log(k, p, NULL, "telnets gateway listening on port %u (auth %s, "
                   "profile %s)",
                   (unsigned)st->port, auth != NULL ? auth : "mtls",
                   st->cfg.deploy == CAPTLS_DEPLOY_DEV ? "dev" : "production");
}

static void tn_start(captls_sim_proc *p)
{
    tn_state *st = captls_sim_proc_state(p);
    const captls_port *port = captls_sim_proc_port(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *ps = captls_sim_proc_opt(p, "port");
    const char *trust = captls_sim_proc_opt(p, "trust");
    const char *store = captls_sim_proc_opt(p, "store");
    unsigned portno = 0;
    captls_cap_handle h;

    st->self = p;
    for (; ps != NULL && *ps >= '0' && *ps <= '9' && portno < 65536; ps++)
        portno = portno * 10u + (unsigned)(*ps - '0');
    st->port = (uint16_t)portno;
    if (!sim_tls_identity_key(p, &st->id, captls_sim_proc_opt(p, "key")) ||
        !sim_tls_identity_chain(p, &st->id, captls_sim_proc_opt(p, "chain")) ||
        (store != NULL && !sim_tls_identity_store(p, &st->id, store)) ||
        !load_texts(p, st))
        return; /* logged: fail closed, nothing listens */
    memset(&st->tls, 0, sizeof st->tls);
    st->tls.common.entropy = port->entropy;
    st->tls.common.clock = port->clock;
    sim_tls_identity_signer(&st->id, &st->tls.key);
    sim_tls_identity_source(&st->id, &st->tls.chain);
    if (trust == NULL) {
        tn_listen(p, st);
        return;
    }
    captls_result r = captls_sim_proc_cap(p, trust, &h);
    if (r == CAPTLS_OK) {
        st->caps_req = 1;
        r = captls_sim_ipc_call(p, h, CAPTLS_IFACE_TRUST_STORE,
                                CAPTLS_SIM_TRUST_M_VERIFIER_CAPS,
                                st->caps_req, NULL, 0, NULL, 0);
    }
    captls_sim_log(k, p, NULL,
                   "ipc call TrustStore.verifierCaps through cap %s: %s",
                   trust, captls_result_name(r));
}

static void on_caps(captls_sim_proc *p, tn_state *st,
                    const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    captls_result r = f->kind != CAPTLS_IPC_RETURN ? (captls_result)f->status
                      : f->ncaps != 2              ? CAPTLS_ERR_MALFORMED
                                                   : CAPTLS_OK;
    st->caps_req = 0;
    if (r == CAPTLS_OK)
        r = captls_sim_proc_cap_name(p, "client-verifier", f->caps[0]);
    if (r == CAPTLS_OK)
        r = captls_sim_proc_cap_name(p, "client-anchors", f->caps[1]);
    captls_sim_log(k, p, NULL, "client CA caps received: %s",
                   captls_result_name(r));
    if (r != CAPTLS_OK) {
        captls_sim_program_drop_caps(p, f, 0);
        return;
    }
    st->vcap = f->caps[0];
    st->tcap = f->caps[1];
    st->tls.client_verifier.caps = captls_sim_caps(k);
    st->tls.client_verifier.owner = captls_sim_proc_owner(p);
    st->tls.client_verifier.verifier = st->vcap;
    st->tls.client_verifier.trust = st->tcap;
    st->tls.client_verifier.scratch = &st->scratch;
    tn_listen(p, st);
}

/* ---- running ------------------------------------------------------------------ */

static void run_gateway(captls_sim_proc *p, tn_state *st)
{
    if (!st->listening)
        return;
    captls_result r = captls_gateway_run(&st->gw, 0);
    if (r != CAPTLS_OK && r != CAPTLS_ERR_NOT_FOUND)
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                       "gateway loop: %s", captls_result_name(r));
    tick(p, st);
}

static void tn_wake(captls_sim_proc *p)
{
    tn_state *st = captls_sim_proc_state(p);
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (st->caps_req != 0 && f.request_id == st->caps_req &&
            f.kind != CAPTLS_IPC_CALL) {
            on_caps(p, st, &f);
            continue;
        }
        if (f.kind == CAPTLS_IPC_CALL) {
            captls_result r = captls_sim_ipc_error(p, &f,
                                                   CAPTLS_ERR_UNSUPPORTED);
            (void)r;
        }
        captls_sim_program_drop_caps(p, &f, 0);
    }
    run_gateway(p, st);
}

static void tn_timer(captls_sim_proc *p, uint32_t tag)
{
    tn_state *st = captls_sim_proc_state(p);
    if (tag != TICK_TAG)
        return;
    st->ticking = false;
    run_gateway(p, st);
}

static void tn_action(captls_sim_proc *p, const captls_sim_action *a)
{
    tn_state *st = captls_sim_proc_state(p);
    if (strcmp(a->verb, "rotate") == 0) {
        sim_tls_identity_rotate(p, &st->id, (const char *)a->args[0].p,
                                a->nargs > 0 ? a->args[0].len : 0);
        return;
    }
    if (strcmp(a->verb, "shutdown") == 0 && st->listening) {
        captls_gateway_shutdown(&st->gw);
        st->listening = false;
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                       "gateway shut down");
    }
}

static bool tn_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                    size_t cap, size_t *len)
{
    tn_state *st = captls_sim_proc_state(p);
    const captls_gateway_stats *s = &st->gw.stats;
    static const struct {
        const char *name;
        size_t off;
        bool u32;
    } counters[] = {
        {"live", offsetof(captls_gateway_stats, live), true},
        {"accepted", offsetof(captls_gateway_stats, accepted), false},
        {"closed", offsetof(captls_gateway_stats, closed), false},
        {"handshakes-ok", offsetof(captls_gateway_stats, handshakes_ok), false},
        {"handshakes-failed", offsetof(captls_gateway_stats, handshakes_failed),
         false},
        {"handshake-timeouts",
         offsetof(captls_gateway_stats, handshake_timeouts), false},
        {"denied-unmapped", offsetof(captls_gateway_stats, denied_unmapped),
         false},
        {"denied-profile", offsetof(captls_gateway_stats, denied_profile),
         false},
        {"sessions-cert", offsetof(captls_gateway_stats, sessions_cert), false},
        {"logins-ok", offsetof(captls_gateway_stats, logins_ok), false},
        {"logins-failed", offsetof(captls_gateway_stats, logins_failed), false},
        {"idle-timeouts", offsetof(captls_gateway_stats, idle_timeouts), false},
    };
    uint64_t v;
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        if (strcmp(name, counters[i].name) != 0)
            continue;
        const uint8_t *b = (const uint8_t *)s + counters[i].off;
        if (counters[i].u32) {
            uint32_t x;
            memcpy(&x, b, sizeof x);
            v = x;
        } else {
            memcpy(&v, b, sizeof v);
        }
        return captls_sim_program_fact_u64(v, out, cap, len);
    }
    if (strcmp(name, "buffers-out") == 0)
        v = st->buffers_out;
    else if (strcmp(name, "caps-live") == 0)
        v = st->listening ? captls_cap_table_live(&st->caps) : 0;
    else if (strcmp(name, "chain-version") == 0)
        v = st->id.use_store ? st->id.fol.version : 0;
    else
        return false;
    return captls_sim_program_fact_u64(v, out, cap, len);
}

static const char *const TN_OPTIONS[] = {
    "port", "chain", "key", "trust", "map", "users", "auth", "profile",
    "store", "handshake-timeout", "idle-timeout", NULL};
static const char *const TN_REQUIRED[] = {"port", "chain", "key", NULL};
static const char *const TN_FACTS[] = {
    "live", "accepted", "closed", "handshakes-ok", "handshakes-failed",
    "handshake-timeouts", "denied-unmapped", "denied-profile",
    "sessions-cert", "logins-ok", "logins-failed", "idle-timeouts",
    "buffers-out", "caps-live", "chain-version", NULL,
};
static const captls_sim_verb TN_VERBS[] = {
    {"rotate", "K", "rotate LEAF+INTERMEDIATE"},
    {"shutdown", "", "shutdown"},
};

const captls_sim_program captls_sim_prog_telnets = {
    .name = "telnets-gateway",
    .iface = 0,
    .state_size = sizeof(tn_state),
    .options = TN_OPTIONS,
    .required = TN_REQUIRED,
    .verbs = TN_VERBS,
    .nverbs = sizeof(TN_VERBS) / sizeof(TN_VERBS[0]),
    .facts = TN_FACTS,
    .start = tn_start,
    .wake = tn_wake,
    .timer = tn_timer,
    .action = tn_action,
    .fact = tn_fact,
};
