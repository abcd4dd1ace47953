/* sim/prog_tls_server.c — a TLS 1.3 echo server on the simulator: the
 * sans-I/O engine (core/tls/tls.h) over the simulator's streams, with this
 * host's entropy and clock, so one seed gives one byte-identical
 * transcript.
 *
 * Options: port=N (required), chain=LEAF+INTERMEDIATE (required, certs),
 * key=NAME (required, the leaf's PKCS#8 key from a `key` line; Ed25519),
 * tickets=CAP (a granted cap on a ticket-keys service: NewSessionTickets
 * are sealed and opened there, so they survive a restart of this server),
 * stall=DUR (every accepted connection is left unread for DUR: the
 * ClientHello waits, the handshake stalls in the middle).
 * store=HANDLE: the chain is put into a CertificateStore (core/store)
 * over this host's blob store under HANDLE at start and served through a
 * rotation follower ("Rotation without restart"); the verb `rotate
 * LEAF+INT...` puts a new chain there (as a renewal service would) and the
 * next handshake serves it if its leaf carries this server's key, else the
 * old chain stays ("rotation refused", audited tls.rotation.refused);
 * connections already established are untouched. Fact chain-version.
 * Verbs: key-update (every established connection sends a KeyUpdate and
 * asks the client to update too), close (close_notify on every one).
 * Serves up to SRV_CONNS connections at once, echoing every byte.
 *
 * The key: held in this process behind a captls_tls_signer (the config
 * never sees the seed). The ticket key: never here; each seal/open looks
 * the TicketKey cap up in the kernel's table (a dead ticket service is
 * STALE_HANDLE: no tickets, full handshakes).
 */
#include <stdio.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/store/cert_store.h"
#include "core/tls/tls.h"
#include "sim/programs.h"
#include "sim/tls_drive.h"
#include "sim/tls_identity.h"

#define SRV_CONNS 4u
#define STALL_TAG 0x100u /* timer tags: STALL_TAG + connection slot */

typedef struct srv_conn {
    sim_tls_conn c;
    bool stalled;
    bool counted; /* its handshake is in the counters */
    uint32_t ku_sent, ku_recv;
} srv_conn;

typedef struct srv_state {
    captls_sim_proc *self;
    bool ready, listening;
    captls_stream_id listener;
    captls_tls_server_config cfg;
    sim_tls_identity id; /* key (secret), chain, store=HANDLE */
    captls_cap_handle tickets_ep; /* the granted ticket-keys cap */
    captls_cap_handle tk;         /* the TicketKey object cap */
    uint32_t tk_req;
    uint64_t stall_ns;
    uint32_t next_conn;
    uint64_t handshakes, resumed, echoed, accepted;
    uint64_t ku_sent, ku_recv; /* of finished connections */
    char error[SIM_TLS_ERR];
    char alert_sent[40], alert_recv[40];
    srv_conn conns[SRV_CONNS];
} srv_state;

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

/* ------------------------------------------------------ config callbacks */

/* The TicketKey object behind our cap, checked by the kernel's table on
 * every use (owner, interface, rights, revocation). */
static captls_result ticket_object(srv_state *st,
                                   const captls_tls_ticket_key **out)
{
    captls_cap_info info;
    CAPTLS_TRY(captls_cap_lookup(captls_sim_caps(captls_sim_proc_kernel(
                                     st->self)),
                                 captls_sim_proc_owner(st->self), st->tk,
                                 CAPTLS_IFACE_TICKET_KEY, CAPTLS_RIGHT_CALL,
                                 &info));
    *out = info.object;
    return CAPTLS_OK;
}

static captls_result srv_seal(void *ctx, const uint8_t *plain,
                              size_t plain_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    const captls_tls_ticket_key *tk;
    CAPTLS_TRY(ticket_object(ctx, &tk));
    return tk->seal(tk->ctx, plain, plain_len, out, out_cap, out_len);
}

static captls_result srv_open(void *ctx, const uint8_t *ticket, size_t len,
                              uint8_t *plain, size_t plain_cap,
                              size_t *plain_len)
{
    const captls_tls_ticket_key *tk;
    captls_result r = ticket_object(ctx, &tk);
    if (r != CAPTLS_OK)
        return CAPTLS_ERR_AUTH_FAILED; /* cannot open: full handshake */
    return tk->open(tk->ctx, ticket, len, plain, plain_cap, plain_len);
}

/* ------------------------------------------------------------- start */

static void srv_start(captls_sim_proc *p)
{
    srv_state *st = captls_sim_proc_state(p);
    const captls_port *port = captls_sim_proc_port(p);
    const captls_net *net = &port->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *ps = captls_sim_proc_opt(p, "port");
    unsigned portno = 0;
    st->self = p;
    for (; ps != NULL && *ps >= '0' && *ps <= '9'; ps++)
        portno = portno * 10u + (unsigned)(*ps - '0');
    st->stall_ns = parse_dur(captls_sim_proc_opt(p, "stall"));
    if (!sim_tls_identity_key(p, &st->id, captls_sim_proc_opt(p, "key")) ||
        !sim_tls_identity_chain(p, &st->id, captls_sim_proc_opt(p, "chain")))
        return;
    const char *store_opt = captls_sim_proc_opt(p, "store");
    if (store_opt != NULL && !sim_tls_identity_store(p, &st->id, store_opt))
        return;
    captls_tls_server_config *cfg = &st->cfg;
    memset(cfg, 0, sizeof(*cfg));
    cfg->common.entropy = port->entropy;
    cfg->common.clock = port->clock;
    captls_cipher_policy_preset_init(&cfg->common.policy,
                                     CAPTLS_CIPHER_POLICY_MODERN);
    cfg->common.keylog = NULL; /* no secret leaves the engine */
    sim_tls_identity_signer(&st->id, &cfg->key);
    sim_tls_identity_source(&st->id, &cfg->chain);
    cfg->ticket_lifetime_s = 7200;
    cfg->tickets_per_handshake = 1;
    captls_result r = captls_tls_server_config_check(cfg);
    if (r != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "server config refused: %s",
                       captls_result_name(r));
        return;
    }
    const char *tcap = captls_sim_proc_opt(p, "tickets");
    if (tcap != NULL) {
        r = captls_sim_proc_cap(p, tcap, &st->tickets_ep);
        if (r == CAPTLS_OK) {
            st->tk_req = 1;
            r = captls_sim_ipc_call(p, st->tickets_ep, CAPTLS_IFACE_TICKET_KEY,
                                    CAPTLS_SIM_TICKET_M_GET, st->tk_req, NULL,
                                    0, NULL, 0);
        }
        captls_sim_log(k, p, NULL, "ipc call TicketKey.get through cap %s: %s",
                       tcap, captls_result_name(r));
    }
    r = net->listen(net->ctx, NULL, (uint16_t)portno, &st->listener);
    if (r != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "listen on port %u failed: %s", portno,
                       captls_result_name(r));
        return;
    }
    st->ready = st->listening = true;
    captls_sim_log(k, p, NULL,
                   "TLS 1.3 listening on port %u: %zu certificate(s), "
                   "ed25519 key, %s",
                   portno, st->id.nchain,
                   tcap != NULL ? "tickets from the ticket-key service"
                                : "no tickets");
}

/* ------------------------------------------------------------ serving */

static void on_app(captls_sim_proc *p, void *ctx, sim_tls_conn *c,
                   const uint8_t *b, size_t n)
{
    srv_state *st = ctx;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                   "connection %u: recv %zu bytes %s", (unsigned)c->id, n,
                   captls_sim_quote(b, n, q, sizeof(q)));
    if (sim_tls_queue(c, b, n))
        st->echoed += n;
    else
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                       "connection %u: echo buffer full: %zu bytes dropped",
                       (unsigned)c->id, n);
}

static void account(srv_state *st, srv_conn *sc)
{
    captls_tls_info i;
    sim_tls_info(&sc->c, &i);
    if (i.handshake_done && !sc->counted) {
        sc->counted = true;
        st->handshakes++;
        if (i.resumed)
            st->resumed++;
    }
    sc->ku_sent = i.key_updates_sent;
    sc->ku_recv = i.key_updates_received;
    if (i.alert_sent_valid)
        snprintf(st->alert_sent, sizeof(st->alert_sent), "%s",
                 captls_tls_alert_name(i.alert_sent));
    if (i.alert_received_valid)
        snprintf(st->alert_recv, sizeof(st->alert_recv), "%s",
                 captls_tls_alert_name(i.alert_received));
    if (sc->c.error[0] != '\0')
        memcpy(st->error, sc->c.error, sizeof(st->error));
}

static void service(captls_sim_proc *p, srv_state *st, srv_conn *sc)
{
    if (!sc->c.used || sc->stalled)
        return;
    sim_tls_pump(p, &sc->c, on_app, st);
    account(st, sc);
    if (!sc->c.used) { /* finished */
        st->ku_sent += sc->ku_sent;
        st->ku_recv += sc->ku_recv;
        sc->ku_sent = sc->ku_recv = 0;
    }
}

static void accept_all(captls_sim_proc *p, srv_state *st)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    for (;;) {
        captls_stream_id s;
        if (net->accept(net->ctx, st->listener, &s) != CAPTLS_OK)
            return;
        srv_conn *sc = NULL;
        for (unsigned i = 0; i < SRV_CONNS && sc == NULL; i++) {
            if (!st->conns[i].c.used)
                sc = &st->conns[i];
        }
        if (sc == NULL) {
            captls_result r = net->close(net->ctx, s);
            (void)r;
            captls_sim_log(k, p, NULL, "too many connections; refused one");
            continue;
        }
        uint32_t id = ++st->next_conn;
        st->accepted++;
        sc->counted = false;
        sc->stalled = false;
        captls_result r = captls_tls_server_init(&sc->c.tls, &st->cfg);
        if (r == CAPTLS_OK)
            r = sim_tls_start(&sc->c, s, id);
        if (r != CAPTLS_OK) {
            captls_result c = net->close(net->ctx, s);
            (void)c;
            captls_sim_log(k, p, NULL, "connection %u: engine init failed: %s",
                           (unsigned)id, captls_result_name(r));
            continue;
        }
        captls_sim_log(k, p, NULL, "accepted connection %u", (unsigned)id);
        if (st->stall_ns > 0) {
            unsigned slot = (unsigned)(sc - st->conns);
            sc->stalled = captls_sim_proc_timer(p, st->stall_ns,
                                                STALL_TAG + slot) == CAPTLS_OK;
            captls_sim_log(k, p, NULL,
                           "connection %u: stalling %llu ms before reading "
                           "the ClientHello",
                           (unsigned)id,
                           (unsigned long long)(st->stall_ns /
                                                CAPTLS_SIM_NS_PER_MS));
        }
    }
}

static void ipc_service(captls_sim_proc *p, srv_state *st)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (f.kind == CAPTLS_IPC_CALL) {
            captls_result r = captls_sim_ipc_error(p, &f,
                                                   CAPTLS_ERR_UNSUPPORTED);
            (void)r;
            captls_sim_program_drop_caps(p, &f, 0);
            continue;
        }
        if (st->tk_req == 0 || f.request_id != st->tk_req) {
            captls_sim_program_drop_caps(p, &f, 0);
            continue;
        }
        st->tk_req = 0;
        captls_result r = f.kind == CAPTLS_IPC_RETURN && f.ncaps == 1
                              ? CAPTLS_OK
                              : f.kind == CAPTLS_IPC_RETURN
                                    ? CAPTLS_ERR_MALFORMED
                                    : (captls_result)f.status;
        if (r == CAPTLS_OK)
            r = captls_sim_proc_cap_name(p, "ticket-key", f.caps[0]);
        if (r == CAPTLS_OK) {
            st->tk = f.caps[0];
            st->cfg.tickets.ctx = st;
            st->cfg.tickets.seal = srv_seal;
            st->cfg.tickets.open = srv_open;
            captls_sim_program_drop_caps(p, &f, 1);
        } else {
            captls_sim_program_drop_caps(p, &f, 0);
        }
        captls_sim_log(k, p, NULL, "TicketKey cap received: %s",
                       captls_result_name(r));
    }
}

static void srv_wake(captls_sim_proc *p)
{
    srv_state *st = captls_sim_proc_state(p);
    ipc_service(p, st);
    if (!st->ready)
        return;
    accept_all(p, st);
    for (unsigned i = 0; i < SRV_CONNS; i++)
        service(p, st, &st->conns[i]);
}

static void srv_timer(captls_sim_proc *p, uint32_t tag)
{
    srv_state *st = captls_sim_proc_state(p);
    if (tag < STALL_TAG || tag - STALL_TAG >= SRV_CONNS)
        return;
    srv_conn *sc = &st->conns[tag - STALL_TAG];
    if (!sc->stalled)
        return;
    sc->stalled = false;
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                   "connection %u: stall over, reading", (unsigned)sc->c.id);
    service(p, st, sc);
}

static void srv_action(captls_sim_proc *p, const captls_sim_action *a)
{
    srv_state *st = captls_sim_proc_state(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    bool ku = strcmp(a->verb, "key-update") == 0;
    unsigned n = 0;
    if (strcmp(a->verb, "rotate") == 0) {
        sim_tls_identity_rotate(p, &st->id, (const char *)a->args[0].p,
                                a->nargs > 0 ? a->args[0].len : 0);
        return;
    }
    for (unsigned i = 0; i < SRV_CONNS; i++) {
        srv_conn *sc = &st->conns[i];
        if (!sc->c.used || !sc->counted)
            continue;
        n++;
        if (ku) {
            captls_result r = captls_tls_key_update(&sc->c.tls, true);
            if (r != CAPTLS_OK)
                captls_sim_log(k, p, NULL, "connection %u: key update: %s",
                               (unsigned)sc->c.id, captls_result_name(r));
        } else {
            sim_tls_close(p, &sc->c);
        }
        service(p, st, sc);
    }
    if (n == 0)
        captls_sim_log(k, p, NULL, "%s: no established connection", a->verb);
}

static bool srv_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                     size_t cap, size_t *len)
{
    srv_state *st = captls_sim_proc_state(p);
    uint64_t v = 0;
    if (strcmp(name, "error") == 0)
        return captls_sim_program_fact_bytes(st->error, strlen(st->error),
                                             out, cap, len);
    if (strcmp(name, "alert-sent") == 0)
        return captls_sim_program_fact_bytes(
            st->alert_sent, strlen(st->alert_sent), out, cap, len);
    if (strcmp(name, "alert-received") == 0)
        return captls_sim_program_fact_bytes(
            st->alert_recv, strlen(st->alert_recv), out, cap, len);
    if (strcmp(name, "handshakes") == 0)
        v = st->handshakes;
    else if (strcmp(name, "resumed") == 0)
        v = st->resumed;
    else if (strcmp(name, "echoed") == 0)
        v = st->echoed;
    else if (strcmp(name, "accepted") == 0)
        v = st->accepted;
    else if (strcmp(name, "chain-version") == 0)
        v = st->id.use_store ? st->id.fol.version : 0;
    else if (strcmp(name, "open") == 0) {
        for (unsigned i = 0; i < SRV_CONNS; i++)
            v += st->conns[i].c.used;
    } else if (strcmp(name, "key-updates-sent") == 0 ||
               strcmp(name, "key-updates-received") == 0) {
        bool sent = name[12] == 's';
        v = sent ? st->ku_sent : st->ku_recv;
        for (unsigned i = 0; i < SRV_CONNS; i++)
            v += sent ? st->conns[i].ku_sent : st->conns[i].ku_recv;
    } else
        return false;
    return captls_sim_program_fact_u64(v, out, cap, len);
}

static const char *const SRV_OPTIONS[] = {"port", "chain", "key", "tickets",
                                          "stall", "store", NULL};
static const char *const SRV_REQUIRED[] = {"port", "chain", "key", NULL};
static const char *const SRV_FACTS[] = {
    "handshakes", "resumed", "echoed", "accepted", "open", "error",
    "alert-sent", "alert-received", "key-updates-sent",
    "key-updates-received", "chain-version", NULL,
};
static const captls_sim_verb SRV_VERBS[] = {
    {"key-update", "", "key-update"},
    {"close", "", "close"},
    {"rotate", "K", "rotate LEAF+INTERMEDIATE"},
};

const captls_sim_program captls_sim_prog_tls_server = {
    .name = "tls-server",
    .iface = 0,
    .state_size = sizeof(srv_state),
    .options = SRV_OPTIONS,
    .required = SRV_REQUIRED,
    .verbs = SRV_VERBS,
    .nverbs = sizeof(SRV_VERBS) / sizeof(SRV_VERBS[0]),
    .facts = SRV_FACTS,
    .start = srv_start,
    .wake = srv_wake,
    .timer = srv_timer,
    .action = srv_action,
    .fact = srv_fact,
};
