/* sim/prog_tls_client.c — a TLS 1.3 client on the simulator: connects,
 * handshakes with the sans-I/O engine (core/tls/tls.h) over a simulator
 * stream, verifies the server through CertVerifier and TrustStore caps
 * that a trust service hands out (prog_trust.c, verifierCaps), sends,
 * checks the echo and closes with close_notify. Entropy and clock are
 * this host's: a seed gives one transcript, and the host's clock is the
 * time the server's certificate is judged at.
 *
 * Options: name=SERVER_NAME (required: SNI and the name the certificate
 * must match), trust=CAP (required: a granted cap on a trust service; at
 * start the client asks it for the verifier caps), timeout=DUR (the
 * caller-side handshake timeout: past it the handshake is aborted with
 * `timeout`, user_canceled sent), cert=LEAF+INT... and key=NAME (a client
 * certificate and its Ed25519 key, offered when the server asks: mTLS).
 * Verbs: connect HOST:PORT (resuming with the last ticket received, if
 * any), send TEXT, check, key-update (and ask the server to update),
 * storm N TEXT (N times: send TEXT then KeyUpdate, every other one asking
 * the server to update too), close (close_notify), forget (drop the
 * ticket).
 */
#include <stdio.h>
#include <string.h>

#include "core/tls/tls.h"
#include "sim/programs.h"
#include "sim/tls_drive.h"
#include "sim/tls_identity.h"

#define CLI_BUF 16384u
#define TIMEOUT_TAG 0x1000u /* + connection attempt */

typedef enum cli_phase {
    PH_IDLE = 0,
    PH_CONNECTING,
    PH_HANDSHAKING,
    PH_ESTABLISHED,
    PH_CLOSED,
    PH_FAILED,
} cli_phase;

static const char *const PHASES[] = {
    "idle", "connecting", "handshaking", "established", "closed", "failed",
};

typedef struct cli_state {
    captls_sim_proc *self;
    bool ready;
    uint32_t caps_req;
    captls_cap_handle vcap, tcap;
    captls_tls_client_config cfg;
    captls_tls_verify_scratch scratch;
    sim_tls_identity id; /* cert=/key=: the client certificate */
    char name[256];
    uint64_t timeout_ns;
    cli_phase phase;
    captls_stream_id s;
    uint32_t attempt;
    bool counted;
    captls_tls_session session;
    bool have_session;
    uint64_t sessions, handshakes, resumed_count;
    char handshake[128], resumed[8], error[SIM_TLS_ERR], check[16];
    uint8_t sent[CLI_BUF], recvd[CLI_BUF];
    size_t sent_len, recvd_len;
    bool overflow;
    sim_tls_conn conn;
} cli_state;

static uint64_t parse_dur(const char *s)
{
    uint64_t v = 0;
    if (s == NULL)
        return 0;
    while (*s >= '0' && *s <= '9' && v < 1000000000000ull)
        v = v * 10 + (uint64_t)(*s++ - '0');
    if (strcmp(s, "ns") == 0)
        return v;
    if (strcmp(s, "us") == 0)
        return v * CAPTLS_SIM_NS_PER_US;
    if (strcmp(s, "ms") == 0)
        return v * CAPTLS_SIM_NS_PER_MS;
    if (strcmp(s, "s") == 0)
        return v * CAPTLS_SIM_NS_PER_S;
    return 0;
}

static void cli_start(captls_sim_proc *p)
{
    cli_state *st = captls_sim_proc_state(p);
    const captls_port *port = captls_sim_proc_port(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *name = captls_sim_proc_opt(p, "name");
    const char *trust = captls_sim_proc_opt(p, "trust");
    captls_cap_handle h;
    st->self = p;
    st->timeout_ns = parse_dur(captls_sim_proc_opt(p, "timeout"));
    snprintf(st->name, sizeof(st->name), "%s", name != NULL ? name : "");
    snprintf(st->error, sizeof(st->error), "none");
    captls_tls_client_config *cfg = &st->cfg;
    memset(cfg, 0, sizeof(*cfg));
    cfg->common.entropy = port->entropy;
    cfg->common.clock = port->clock;
    captls_cipher_policy_preset_init(&cfg->common.policy,
                                     CAPTLS_CIPHER_POLICY_MODERN);
    const char *cert = captls_sim_proc_opt(p, "cert");
    const char *key = captls_sim_proc_opt(p, "key");
    if (cert != NULL || key != NULL) {
        if (!sim_tls_identity_key(p, &st->id, key) ||
            !sim_tls_identity_chain(p, &st->id, cert))
            return; /* logged; never ready: fail closed */
        cfg->have_client_auth = true;
        sim_tls_identity_signer(&st->id, &cfg->client_auth.key);
        sim_tls_identity_source(&st->id, &cfg->client_auth.chain);
    }
    captls_result r = trust == NULL ? CAPTLS_ERR_NOT_FOUND
                                    : captls_sim_proc_cap(p, trust, &h);
    if (r == CAPTLS_OK) {
        st->caps_req = 1;
        r = captls_sim_ipc_call(p, h, CAPTLS_IFACE_TRUST_STORE,
                                CAPTLS_SIM_TRUST_M_VERIFIER_CAPS,
                                st->caps_req, NULL, 0, NULL, 0);
    }
    captls_sim_log(k, p, NULL,
                   "ipc call TrustStore.verifierCaps through cap %s: %s",
                   trust != NULL ? trust : "(none)", captls_result_name(r));
}

static void on_caps(captls_sim_proc *p, cli_state *st,
                    const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    captls_result r = f->kind != CAPTLS_IPC_RETURN ? (captls_result)f->status
                      : f->ncaps != 2              ? CAPTLS_ERR_MALFORMED
                                                   : CAPTLS_OK;
    st->caps_req = 0;
    if (r == CAPTLS_OK)
        r = captls_sim_proc_cap_name(p, "cert-verifier", f->caps[0]);
    if (r == CAPTLS_OK)
        r = captls_sim_proc_cap_name(p, "trust-anchors", f->caps[1]);
    if (r == CAPTLS_OK) {
        st->vcap = f->caps[0];
        st->tcap = f->caps[1];
        st->cfg.verifier.caps = captls_sim_caps(k);
        st->cfg.verifier.owner = captls_sim_proc_owner(p);
        st->cfg.verifier.verifier = st->vcap;
        st->cfg.verifier.trust = st->tcap;
        st->cfg.verifier.scratch = &st->scratch;
        r = captls_tls_client_config_check(&st->cfg);
        st->ready = r == CAPTLS_OK;
    } else {
        captls_sim_program_drop_caps(p, f, 0);
    }
    captls_sim_log(k, p, NULL,
                   "CertVerifier and TrustStore caps received; client "
                   "config: %s",
                   captls_result_name(r));
}

static void on_session(void *ctx, const captls_tls_session *s)
{
    cli_state *st = ctx;
    st->session = *s;
    st->have_session = true;
    st->sessions++;
    captls_sim_log(captls_sim_proc_kernel(st->self), st->self, NULL,
                   "session ticket received (%u bytes, lifetime %us)",
                   (unsigned)s->ticket_len, (unsigned)s->lifetime_s);
}

static void on_app(captls_sim_proc *p, void *ctx, sim_tls_conn *c,
                   const uint8_t *b, size_t n)
{
    cli_state *st = ctx;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    (void)c;
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "recv %zu bytes %s", n,
                   captls_sim_quote(b, n, q, sizeof(q)));
    if (n > CLI_BUF - st->recvd_len) {
        n = CLI_BUF - st->recvd_len;
        st->overflow = true;
    }
    memcpy(st->recvd + st->recvd_len, b, n);
    st->recvd_len += n;
}

/* Pumps and follows the connection's phase. */
static void drive(captls_sim_proc *p, cli_state *st)
{
    if (st->phase != PH_HANDSHAKING && st->phase != PH_ESTABLISHED)
        return;
    sim_tls_pump(p, &st->conn, on_app, st);
    captls_tls_info i;
    sim_tls_info(&st->conn, &i);
    if (i.handshake_done && !st->counted) {
        st->counted = true;
        st->handshakes++;
        st->resumed_count += i.resumed;
        char params[96];
        sim_tls_params(&i, params, sizeof(params));
        snprintf(st->handshake, sizeof(st->handshake), "ok %s", params);
        snprintf(st->resumed, sizeof(st->resumed), "%s",
                 i.resumed ? "yes" : "no");
        st->phase = PH_ESTABLISHED;
    }
    if (st->conn.error[0] != '\0')
        memcpy(st->error, st->conn.error, sizeof(st->error));
    if (!st->conn.used)
        st->phase = st->conn.error[0] != '\0' ? PH_FAILED : PH_CLOSED;
}

static void stream_wait(captls_sim_proc *p, cli_state *st)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    captls_poll_item it = {st->s, CAPTLS_POLL_READ | CAPTLS_POLL_WRITE, 0};
    size_t n = 0;
    if (net->poll(net->ctx, &it, 1, 0, &n) != CAPTLS_OK || n == 0)
        return;
    /* A zero-byte write reports how the connect ended (as SO_ERROR). */
    size_t put = 0;
    captls_result r = net->write(net->ctx, st->s, NULL, 0, &put);
    if (r == CAPTLS_WOULD_BLOCK)
        return;
    if (r == CAPTLS_OK)
        r = captls_tls_client_init(&st->conn.tls, &st->cfg, st->name,
                                   st->have_session ? &st->session : NULL,
                                   on_session, st);
    if (r == CAPTLS_OK)
        r = sim_tls_start(&st->conn, st->s, 0);
    if (r != CAPTLS_OK) {
        captls_result c = net->close(net->ctx, st->s);
        (void)c;
        snprintf(st->error, sizeof(st->error), "%s", captls_result_name(r));
        st->phase = PH_FAILED;
        captls_sim_log(k, p, NULL, "connect failed: %s", st->error);
        return;
    }
    st->phase = PH_HANDSHAKING;
    captls_sim_log(k, p, NULL, "connected; ClientHello for %s%s", st->name,
                   st->have_session ? ", offering the ticket" : "");
}

static void cli_wake(captls_sim_proc *p)
{
    cli_state *st = captls_sim_proc_state(p);
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (f.kind == CAPTLS_IPC_CALL) {
            captls_result r = captls_sim_ipc_error(p, &f,
                                                   CAPTLS_ERR_UNSUPPORTED);
            (void)r;
            captls_sim_program_drop_caps(p, &f, 0);
        } else if (st->caps_req != 0 && f.request_id == st->caps_req) {
            on_caps(p, st, &f);
        } else {
            captls_sim_program_drop_caps(p, &f, 0);
        }
    }
    if (st->phase == PH_CONNECTING)
        stream_wait(p, st);
    drive(p, st);
}

static void cli_timer(captls_sim_proc *p, uint32_t tag)
{
    cli_state *st = captls_sim_proc_state(p);
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (tag != TIMEOUT_TAG + st->attempt)
        return;
    if (st->phase == PH_CONNECTING) {
        captls_result r = net->close(net->ctx, st->s);
        (void)r;
        snprintf(st->error, sizeof(st->error), "timeout");
        st->phase = PH_FAILED;
        captls_sim_log(k, p, NULL, "connect timed out");
        return;
    }
    if (st->phase != PH_HANDSHAKING)
        return;
    captls_sim_log(k, p, NULL, "handshake timeout after %llu ms: aborting",
                   (unsigned long long)(st->timeout_ns /
                                        CAPTLS_SIM_NS_PER_MS));
    sim_tls_abort(p, &st->conn, CAPTLS_ERR_TIMEOUT);
    drive(p, st);
}

/* --------------------------------------------------------------- actions */

static void act_connect(captls_sim_proc *p, cli_state *st,
                        const captls_sim_arg *addr)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char host[CAPTLS_SIM_NAME_MAX];
    unsigned port = 0;
    size_t colon = 0;
    while (colon < addr->len && addr->p[colon] != ':')
        colon++;
    if (!st->ready) {
        captls_sim_log(k, p, NULL, "connect: no verifier caps (yet)");
        snprintf(st->error, sizeof(st->error), "no verifier");
        st->phase = PH_FAILED;
        return;
    }
    if (st->phase == PH_CONNECTING || st->phase == PH_HANDSHAKING ||
        st->phase == PH_ESTABLISHED) {
        captls_sim_log(k, p, NULL, "connect: already connected");
        return;
    }
    /* The scenario checked HOST:PORT. */
    if (colon == 0 || colon >= sizeof(host))
        return;
    for (size_t i = colon + 1; i < addr->len; i++)
        port = port * 10u + (unsigned)(addr->p[i] - '0');
    memcpy(host, addr->p, colon);
    host[colon] = '\0';
    st->attempt++;
    st->counted = false;
    st->sent_len = st->recvd_len = 0;
    st->overflow = false;
    st->handshake[0] = st->resumed[0] = st->check[0] = '\0';
    snprintf(st->error, sizeof(st->error), "none");
    captls_sim_log(k, p, NULL, "connecting to %s:%u", host, port);
    captls_result r = net->connect(net->ctx, host, (uint16_t)port, &st->s);
    if (r != CAPTLS_OK) {
        snprintf(st->error, sizeof(st->error), "%s", captls_result_name(r));
        st->phase = PH_FAILED;
        captls_sim_log(k, p, NULL, "connect failed: %s", st->error);
        return;
    }
    st->phase = PH_CONNECTING;
    if (st->timeout_ns > 0) {
        r = captls_sim_proc_timer(p, st->timeout_ns,
                                  TIMEOUT_TAG + st->attempt);
        (void)r;
    }
}

static bool send_text(captls_sim_proc *p, cli_state *st, const uint8_t *b,
                      size_t n)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (st->phase != PH_ESTABLISHED) {
        captls_sim_log(k, p, NULL, "send: not established (%s)",
                       PHASES[st->phase]);
        return false;
    }
    if (n > CLI_BUF - st->sent_len || !sim_tls_queue(&st->conn, b, n)) {
        captls_sim_log(k, p, NULL, "send: buffer full");
        return false;
    }
    memcpy(st->sent + st->sent_len, b, n);
    st->sent_len += n;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    captls_sim_log(k, p, NULL, "send %zu bytes %s", n,
                   captls_sim_quote(b, n, q, sizeof(q)));
    return true;
}

static void act_key_update(captls_sim_proc *p, cli_state *st, bool ask)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (st->phase != PH_ESTABLISHED) {
        captls_sim_log(k, p, NULL, "key-update: not established (%s)",
                       PHASES[st->phase]);
        return;
    }
    captls_result r = captls_tls_key_update(&st->conn.tls, ask);
    if (r != CAPTLS_OK)
        captls_sim_log(k, p, NULL, "key update: %s", captls_result_name(r));
}

static void act_storm(captls_sim_proc *p, cli_state *st,
                      const captls_sim_arg *count, const captls_sim_arg *text)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    unsigned n = 0;
    for (size_t i = 0; i < count->len && n < 100000u; i++) {
        if (count->p[i] < '0' || count->p[i] > '9') {
            captls_sim_log(k, p, NULL, "storm: expected a count");
            return;
        }
        n = n * 10u + (unsigned)(count->p[i] - '0');
    }
    captls_sim_log(k, p, NULL, "storm: %u x (send %zu bytes, KeyUpdate)", n,
                   text->len);
    for (unsigned i = 0; i < n && st->phase == PH_ESTABLISHED; i++) {
        if (!send_text(p, st, text->p, text->len))
            return;
        drive(p, st);
        if (st->phase != PH_ESTABLISHED)
            return;
        act_key_update(p, st, i % 2 == 0);
        drive(p, st);
    }
}

static void act_check(captls_sim_proc *p, cli_state *st)
{
    const char *why = NULL;
    if (st->overflow)
        why = "more data than the client keeps";
    else if (st->sent_len == 0)
        why = "nothing was sent";
    else if (st->recvd_len != st->sent_len ||
             memcmp(st->recvd, st->sent, st->sent_len) != 0)
        why = "the bytes echoed back differ from those sent";
    snprintf(st->check, sizeof(st->check), "%s", why == NULL ? "ok" : "failed");
    if (why == NULL)
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                       "check ok: %zu bytes echoed back intact",
                       st->sent_len);
    else
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "check failed: %s",
                       why);
}

static void cli_action(captls_sim_proc *p, const captls_sim_action *a)
{
    cli_state *st = captls_sim_proc_state(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (strcmp(a->verb, "connect") == 0)
        act_connect(p, st, &a->args[0]);
    else if (strcmp(a->verb, "send") == 0)
        (void)send_text(p, st, a->args[0].p, a->args[0].len);
    else if (strcmp(a->verb, "check") == 0)
        act_check(p, st);
    else if (strcmp(a->verb, "key-update") == 0)
        act_key_update(p, st, true);
    else if (strcmp(a->verb, "storm") == 0)
        act_storm(p, st, &a->args[0], &a->args[1]);
    else if (strcmp(a->verb, "close") == 0) {
        if (st->phase == PH_ESTABLISHED || st->phase == PH_HANDSHAKING)
            sim_tls_close(p, &st->conn);
        else
            captls_sim_log(k, p, NULL, "close: not connected (%s)",
                           PHASES[st->phase]);
    } else if (strcmp(a->verb, "forget") == 0) {
        st->have_session = false;
        memset(&st->session, 0, sizeof(st->session));
        captls_sim_log(k, p, NULL, "ticket forgotten");
    }
    drive(p, st);
}

static bool cli_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                     size_t cap, size_t *len)
{
    cli_state *st = captls_sim_proc_state(p);
    captls_tls_info i;
    const char *s = NULL;
    char buf[40];
    sim_tls_info(&st->conn, &i);
    if (strcmp(name, "received") == 0)
        return captls_sim_program_fact_bytes(st->recvd, st->recvd_len, out,
                                             cap, len);
    if (strcmp(name, "state") == 0)
        s = PHASES[st->phase];
    else if (strcmp(name, "handshake") == 0)
        s = st->handshake;
    else if (strcmp(name, "resumed") == 0)
        s = st->resumed;
    else if (strcmp(name, "error") == 0)
        s = st->error;
    else if (strcmp(name, "check") == 0)
        s = st->check;
    else if (strcmp(name, "alert-sent") == 0)
        s = i.alert_sent_valid ? captls_tls_alert_name(i.alert_sent) : "";
    else if (strcmp(name, "alert-received") == 0)
        s = i.alert_received_valid ? captls_tls_alert_name(i.alert_received)
                                   : "";
    if (s != NULL)
        return captls_sim_program_fact_bytes(s, strlen(s), out, cap, len);
    uint64_t v;
    if (strcmp(name, "key-updates-sent") == 0)
        v = i.key_updates_sent;
    else if (strcmp(name, "key-updates-received") == 0)
        v = i.key_updates_received;
    else if (strcmp(name, "handshakes") == 0)
        v = st->handshakes;
    else if (strcmp(name, "sessions") == 0)
        v = st->sessions;
    else
        return false;
    (void)buf;
    return captls_sim_program_fact_u64(v, out, cap, len);
}

static const char *const CLI_OPTIONS[] = {"name", "trust", "timeout", "cert",
                                          "key", NULL};
static const char *const CLI_REQUIRED[] = {"name", "trust", NULL};
static const char *const CLI_FACTS[] = {
    "state", "handshake", "resumed", "error", "received", "check",
    "alert-sent", "alert-received", "key-updates-sent",
    "key-updates-received", "handshakes", "sessions", NULL,
};
static const captls_sim_verb CLI_VERBS[] = {
    {"connect", "A", "connect HOST:PORT"},
    {"send", "S", "send \"TEXT\""},
    {"check", "", "check"},
    {"key-update", "", "key-update"},
    {"storm", "SS", "storm COUNT \"TEXT\""},
    {"close", "", "close"},
    {"forget", "", "forget"},
};

const captls_sim_program captls_sim_prog_tls_client = {
    .name = "tls-client",
    .iface = 0,
    .state_size = sizeof(cli_state),
    .options = CLI_OPTIONS,
    .required = CLI_REQUIRED,
    .verbs = CLI_VERBS,
    .nverbs = sizeof(CLI_VERBS) / sizeof(CLI_VERBS[0]),
    .facts = CLI_FACTS,
    .start = cli_start,
    .wake = cli_wake,
    .timer = cli_timer,
    .action = cli_action,
    .fact = cli_fact,
};
