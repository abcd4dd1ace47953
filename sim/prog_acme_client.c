/* sim/prog_acme_client.c — the ACME client on the simulator: it drives
 * core/acme/acme_client.c (the sans-I/O AcmeClient) against the acme-ca
 * program (prog_acme_ca.c) over the simulated network, and serves the
 * http-01 challenge from core/acme/solver_http01.c on its own port, so the
 * CA validates by connecting back as a real CA does.
 *
 * Transport (a sim-only choice, documented here): the engine keeps its
 * https-only, one-origin URL checks unchanged (captls_acme_url_origin: the
 * directory= URL and every URL the CA hands out must be https on the
 * directory's host and port). This driver maps such a URL's host and port
 * onto a simulator host and port and carries the exchange as HTTP/1.1 IN
 * THE CLEAR over the simulated stream — one request per connection
 * (Connection: close), written with core/http's request writer and read
 * with its strict response parser (the same codecs the POSIX HTTPS driver
 * uses inside TLS). What is under test here is the ACME engine's handling
 * of the CA's answers (retries, waits, validation failures, refusing a
 * chain); TLS to the CA is exercised by the tls_* scenarios and by the
 * Pebble pytest, and adding it here would only add handshakes to every
 * exchange. Never a production path: the simulator has no other way in.
 *
 * Waits: a WAIT step (Retry-After, polling, 5xx back-off) becomes a
 * simulator timer of that many SIMULATED seconds: the host's clocks move,
 * nothing sleeps. Every wait is a transcript line and adds to `waited`.
 *
 * Keys and storage: a KeyVault (development profile, this host's entropy:
 * one seed, one transcript) in a cap table private to the process holds
 * the account key (P-256, purpose acmeAccount) and the certificate key
 * (P-256, purpose tls); issued chains are verified with a CertVerifier
 * (webPkiLenient) at THIS host's clock against anchors= and put into a
 * CertificateStore over the host's blob store under store= (default
 * "web"): a chain that fails any check is not stored.
 *
 * Options: directory=URL (required), anchors=CERT+... (required: the CA
 * roots), domain=NAME (required: the one dns identifier ordered),
 * http-port=N (the responder's port, default 80), store=HANDLE.
 * Verbs: issue (register, then order), revoke (the stored leaf, reason
 * 4 superseded), responder-close (the http-01 listener and its
 * connections close: a solver whose listener dies).
 * Facts: state (idle running done failed), result (ok or the failure
 * kind's name, acme_problem.h: badNonce, rateLimited, serverInternal,
 * authorization-invalid, chain-unverified...), detail (the failure's
 * sanitized detail), chain (the downloaded chain's verification: none,
 * valid, or the FailureReason such as notYetValid), stored (yes/no: the store holds store=),
 * stored-version, bad-nonce-retries, rate-retries, server-retries, waits
 * (WAIT steps), waited (simulated seconds), max-wait, exchanges,
 * elapsed (whole simulated seconds from the verb to DONE or FAILED),
 * solver-live (tokens published now), responder-served, responder-404,
 * responder (listening/closed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/acme/acme_client.h"
#include "core/acme/solver_http01.h"
#include "core/http/http_client.h"
#include "core/http/http_server.h"
#include "core/verify/policy.h"
#include "sim/programs.h"

#define CL_RESP_CONNS 4u
#define CL_TAG_WAIT 0x100u
#define CL_MAX_OPS 4u
#define CL_WIRE (CAPTLS_ACME_REQUEST_MAX + 4096u)
#define CL_OWNER ((captls_cap_owner)2)

typedef enum cl_op { OP_NONE = 0, OP_REGISTER, OP_ORDER, OP_REVOKE } cl_op;
static const char *const OP_NAMES[] = {"none", "register", "order", "revoke"};

typedef enum cl_phase { CL_IDLE = 0, CL_RUNNING, CL_DONE, CL_FAILED } cl_phase;
static const char *const CL_PHASES[] = {"idle", "running", "done", "failed"};

typedef struct resp_conn {
    bool used;
    captls_stream_id s;
    captls_http_req req;
    uint8_t head[CAPTLS_HTTP_SERVER_HEADER_BYTES];
    uint8_t out[1024];
    size_t out_len, out_off;
    bool answered;
} resp_conn;

typedef struct cl_xchg {
    bool active, connected;
    captls_stream_id s;
    uint8_t wire[CL_WIRE];
    size_t len, off;
    captls_http_resp resp;
    uint8_t head[CAPTLS_HTTP_DEFAULT_HEADER_BYTES];
} cl_xchg;

typedef struct cl_state {
    captls_sim_proc *self;
    bool ready;
    char domain[254];
    char store_handle[CAPTLS_CERT_HANDLE_MAX];
    uint16_t http_port;
    /* keys, store, roots */
    captls_cap_slot slots[32];
    captls_cap_table caps;
    captls_vault_key keys[4];
    captls_key_vault vault;
    captls_cap_handle vh, acct_key, cert_key, store_cap;
    captls_cert_sub subs[1];
    captls_cert_store store;
    captls_trust_store roots;
    captls_trust_anchor_info anchor_slots[4];
    uint8_t arena[8192];
    captls_trust_store_writer writer;
    captls_cert_verifier verifier;
    /* http-01 */
    captls_http01_solver solver;
    captls_acme_solver solver_cap;
    bool listening;
    captls_stream_id listener;
    resp_conn rconns[CL_RESP_CONNS];
    /* the engine and its driver */
    captls_acme_client acme;
    bool acme_ok;
    cl_op ops[CL_MAX_OPS];
    size_t nops, cur;
    cl_phase phase;
    uint32_t wait_seq;
    bool waiting;
    cl_xchg x;
    /* facts */
    char result[48], detail[CAPTLS_ACME_DETAIL_MAX];
    char chain[32]; /* the last order's chain verification */
    uint64_t bad_nonce_retries, rate_retries, server_retries, waits, waited,
        max_wait, exchanges;
    uint64_t started_ns, elapsed_ns; /* of the last verb's operations */
    uint8_t rec[CAPTLS_CERT_RECORD_MAX];
} cl_state;

#define LOG(st, ...) \
    captls_sim_log(captls_sim_proc_kernel((st)->self), (st)->self, NULL, \
                   __VA_ARGS__)

static const char *const STAGES[] = {
    "directory", "account", "order", "authorization", "challenge",
    "finalize", "download", "verified", "stored", "renewal", "revoked",
    "retry",
};

static void on_progress(void *ctx, captls_acme_stage stage, const char *text)
{
    cl_state *st = ctx;
    if (stage == CAPTLS_ACME_STAGE_RETRY) {
        if (strncmp(text, "badNonce", 8) == 0)
            st->bad_nonce_retries++;
        else if (strncmp(text, "rateLimited", 11) == 0)
            st->rate_retries++;
        else
            st->server_retries++;
    }
    LOG(st, "acme %s: %s",
        (size_t)stage < sizeof(STAGES) / sizeof(STAGES[0]) ? STAGES[stage]
                                                           : "?",
        text);
}

/* ------------------------------------------------------ http-01 side */

static void resp_drop(cl_state *st, resp_conn *rc)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    captls_result r = net->close(net->ctx, rc->s);
    (void)r;
    memset(rc, 0, sizeof(*rc));
}

static void resp_service(cl_state *st, resp_conn *rc)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    captls_result r;
    while (!rc->answered) {
        uint8_t buf[512];
        size_t got = 0, used = 0;
        r = net->read(net->ctx, rc->s, buf, sizeof buf, &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) {
            resp_drop(st, rc);
            return;
        }
        r = captls_http_req_feed(&rc->req, buf, got, &used);
        if (r == CAPTLS_NEED_MORE)
            continue;
        captls_http_response rsp;
        memset(&rsp, 0, sizeof rsp);
        rsp.close = true;
        if (r != CAPTLS_OK) {
            rsp.status = captls_http_req_error_status(r, rc->req.why);
        } else {
            captls_http01_answer a;
            char q[CAPTLS_SIM_LINE_MAX / 2];
            captls_http01_route(&st->solver, rc->req.method.p,
                                rc->req.method.len, rc->req.target.p,
                                rc->req.target.len, &a);
            rsp.status = a.status;
            rsp.content_type = a.content_type;
            rsp.allow = a.allow;
            rsp.body = a.body;
            rsp.body_len = a.body_len;
            LOG(st, "http-01 responder: GET %s -> %u",
                captls_sim_quote(rc->req.target.p, rc->req.target.len, q,
                                 sizeof q),
                a.status);
        }
        if (captls_http_response_write(&rsp, rc->out, sizeof rc->out,
                                       &rc->out_len) != CAPTLS_OK)
            rc->out_len = 0;
        rc->answered = true;
    }
    while (rc->out_off < rc->out_len) {
        size_t put = 0;
        r = net->write(net->ctx, rc->s, rc->out + rc->out_off,
                       rc->out_len - rc->out_off, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK)
            break;
        rc->out_off += put;
    }
    resp_drop(st, rc);
}

static void resp_accept(cl_state *st)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    while (st->listening) {
        captls_stream_id s;
        if (net->accept(net->ctx, st->listener, &s) != CAPTLS_OK)
            break;
        resp_conn *rc = NULL;
        for (unsigned i = 0; i < CL_RESP_CONNS && rc == NULL; i++)
            if (!st->rconns[i].used)
                rc = &st->rconns[i];
        if (rc == NULL) {
            captls_result r = net->close(net->ctx, s);
            (void)r;
            continue;
        }
        memset(rc, 0, sizeof(*rc));
        rc->used = true;
        rc->s = s;
        captls_http_req_init(&rc->req, rc->head, sizeof rc->head, 0);
    }
    for (unsigned i = 0; i < CL_RESP_CONNS; i++)
        if (st->rconns[i].used)
            resp_service(st, &st->rconns[i]);
}

/* ------------------------------------------------------ the transport */

static captls_acme_text text_of(captls_http_slice s)
{
    captls_acme_text t;
    t.ptr = (const char *)s.p;
    t.len = s.p != NULL ? s.len : 0;
    return t;
}

static void drive(cl_state *st);

/* The exchange ended with a response (r OK) or without one. */
static void xchg_end(cl_state *st, captls_result r, bool truncated)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    cl_xchg *x = &st->x;
    captls_http_resp *h = &x->resp;
    captls_result c = net->close(net->ctx, x->s);
    (void)c;
    x->active = x->connected = false;
    st->exchanges++;
    if (r != CAPTLS_OK) {
        LOG(st, "exchange failed: %s", captls_result_name(r));
        captls_acme_transport_failed(&st->acme, r);
        drive(st);
        return;
    }
    size_t cap = 0;
    captls_acme_response out;
    memset(&out, 0, sizeof out);
    out.retry_after = -1;
    out.body_truncated = truncated;
    out.status = (uint16_t)h->status;
    out.replay_nonce = text_of(h->replay_nonce);
    out.location = text_of(h->location);
    out.content_type = text_of(h->content_type);
    captls_wall_time w;
    uint64_t delay = 0;
    captls_sim_host_wall(captls_sim_proc_host(st->self), &w);
    if (captls_http_resp_retry_delay(h, (uint64_t)w.epoch_seconds, &delay))
        out.retry_after = delay > INT32_MAX ? INT32_MAX : (int64_t)delay;
    for (size_t i = 0; i < h->link_count; i++) {
        captls_http_slice s = {h->links[i].uri, h->links[i].uri_len};
        if (h->links[i].rel == CAPTLS_HTTP_REL_UP &&
            out.link_up_count < CAPTLS_ACME_MAX_LINKS)
            out.link_up[out.link_up_count++] = text_of(s);
        else if (h->links[i].rel == CAPTLS_HTTP_REL_ALTERNATE &&
                 out.link_alternate.ptr == NULL)
            out.link_alternate = text_of(s);
        else if (h->links[i].rel == CAPTLS_HTTP_REL_INDEX &&
                 out.link_index.ptr == NULL)
            out.link_index = text_of(s);
    }
    out.body = captls_acme_response_buffer(&st->acme, &cap);
    out.body_len = h->body_len;
    LOG(st, "response %u (%zu bytes)", h->status, h->body_len);
    r = captls_acme_on_response(&st->acme, &out);
    (void)r; /* only INVALID_ARGUMENT, when nothing was outstanding */
    drive(st);
}

static void xchg_start(cl_state *st, const captls_acme_request *req)
{
    static const char *const METHODS[] = {"GET", "HEAD", "POST"};
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    cl_xchg *x = &st->x;
    captls_http_url url;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    captls_result r = (unsigned)req->method > CAPTLS_ACME_POST
                          ? CAPTLS_ERR_INVALID_ARGUMENT
                          : captls_http_url_parse(req->url, req->url_len, 0,
                                                  &url);
    if (r == CAPTLS_OK) {
        captls_http_request hr;
        memset(&hr, 0, sizeof hr);
        hr.method = METHODS[req->method];
        hr.url = &url;
        hr.content_type = req->content_type;
        hr.body = req->body;
        hr.body_len = req->body_len;
        hr.accept = req->accept;
        hr.close = true;
        r = captls_http_request_write(&hr, x->wire, sizeof x->wire, &x->len);
    }
    LOG(st, "%s %s", (unsigned)req->method <= CAPTLS_ACME_POST
                         ? METHODS[req->method]
                         : "?",
        captls_sim_quote((const uint8_t *)req->url, req->url_len, q,
                         sizeof q));
    if (r == CAPTLS_OK)
        r = net->connect(net->ctx, url.host, url.port, &x->s);
    if (r != CAPTLS_OK) {
        st->exchanges++;
        LOG(st, "exchange failed: %s", captls_result_name(r));
        captls_acme_transport_failed(&st->acme, r);
        return; /* the caller's loop goes on */
    }
    size_t cap = 0;
    uint8_t *body = captls_acme_response_buffer(&st->acme, &cap);
    captls_http_resp_init(&x->resp, x->head, sizeof x->head, body, cap, 0,
                          req->method == CAPTLS_ACME_HEAD);
    x->off = 0;
    x->active = true;
    x->connected = false;
}

static void xchg_wake(cl_state *st)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    cl_xchg *x = &st->x;
    captls_result r;
    if (!x->active)
        return;
    if (!x->connected) {
        size_t put = 0;
        r = net->write(net->ctx, x->s, NULL, 0, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) {
            xchg_end(st, r, false);
            return;
        }
        x->connected = true;
    }
    while (x->off < x->len) {
        size_t put = 0;
        r = net->write(net->ctx, x->s, x->wire + x->off, x->len - x->off,
                       &put);
        if (r == CAPTLS_WOULD_BLOCK)
            break;
        if (r != CAPTLS_OK) {
            xchg_end(st, r, false);
            return;
        }
        x->off += put;
    }
    for (;;) {
        uint8_t buf[4096];
        size_t got = 0, used = 0;
        r = net->read(net->ctx, x->s, buf, sizeof buf, &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r == CAPTLS_EOF) {
            r = captls_http_resp_eof(&x->resp);
            xchg_end(st, r, false);
            return;
        }
        if (r != CAPTLS_OK) {
            xchg_end(st, r, false);
            return;
        }
        r = captls_http_resp_feed(&x->resp, buf, got, &used);
        if (r == CAPTLS_NEED_MORE)
            continue;
        if (r == CAPTLS_ERR_LIMIT_EXCEEDED &&
            x->resp.why == CAPTLS_HTTP_E_BODY_SIZE) {
            xchg_end(st, CAPTLS_OK, true);
            return;
        }
        /* complete (the CA closes after it) or a protocol error */
        xchg_end(st, r, false);
        return;
    }
}

/* ---------------------------------------------------------- the engine */

static bool start_op(cl_state *st, cl_op op)
{
    static const char *const contacts[] = {"mailto:ops@sim.test"};
    captls_result r = CAPTLS_ERR_INVALID_ARGUMENT;
    if (op == OP_REGISTER) {
        r = captls_acme_start_register(&st->acme, contacts, 1, true, false);
    } else if (op == OP_ORDER) {
        captls_acme_identifier id = {"dns", 3, st->domain, strlen(st->domain)};
        captls_acme_order_params p;
        memset(&p, 0, sizeof p);
        p.identifiers = &id;
        p.count = 1;
        p.cert_key = st->cert_key;
        p.solver = &st->solver_cap;
        p.store_handle = st->store_handle;
        r = captls_acme_start_order(&st->acme, &p);
    } else if (op == OP_REVOKE) {
        captls_cert_record rec;
        r = captls_cert_store_get(&st->store, CL_OWNER, st->store_cap,
                                  st->store_handle, st->rec, sizeof st->rec,
                                  &rec);
        if (r == CAPTLS_OK)
            r = captls_acme_start_revoke(&st->acme, rec.certs[0].ptr,
                                         rec.certs[0].len, 4);
    }
    LOG(st, "%s: start: %s", OP_NAMES[op], captls_result_name(r));
    if (r != CAPTLS_OK) {
        st->phase = CL_FAILED;
        snprintf(st->result, sizeof st->result, "%s", captls_result_name(r));
    }
    return r == CAPTLS_OK;
}

/* The verification of the chain the last order downloaded (kept: the
 * next operation resets the engine's copy). */
static void note_chain(cl_state *st)
{
    snprintf(st->chain, sizeof st->chain, "%s",
             st->acme.ncerts == 0     ? "none"
             : st->acme.outcome.valid ? "valid"
                                      : captls_failure_reason_name(
                                            st->acme.outcome.reason));
}

static void drive(cl_state *st)
{
    for (unsigned guard = 0; guard < 64 && st->phase == CL_RUNNING &&
                             !st->x.active && !st->waiting;
         guard++) {
        captls_acme_request req;
        uint32_t wait = 0;
        captls_acme_step step = captls_acme_next(&st->acme, &req, &wait);
        if (step == CAPTLS_ACME_STEP_SEND) {
            xchg_start(st, &req);
            continue;
        }
        if (step == CAPTLS_ACME_STEP_WAIT) {
            st->waits++;
            st->waited += wait;
            if (wait > st->max_wait)
                st->max_wait = wait;
            st->waiting = true;
            st->wait_seq++;
            LOG(st, "waiting %u s (simulated)", wait);
            captls_result r = captls_sim_proc_timer(
                st->self, (uint64_t)wait * CAPTLS_SIM_NS_PER_S,
                CL_TAG_WAIT + st->wait_seq);
            (void)r;
            return;
        }
        cl_op op = st->ops[st->cur];
        if (step == CAPTLS_ACME_STEP_FAILED) {
            const captls_acme_failure *f = captls_acme_last_failure(&st->acme);
            snprintf(st->result, sizeof st->result, "%s",
                     captls_acme_error_name(f->kind));
            snprintf(st->detail, sizeof st->detail, "%s", f->detail);
            st->phase = CL_FAILED;
            if (op == OP_ORDER)
                note_chain(st);
            st->elapsed_ns = captls_sim_now(captls_sim_proc_kernel(st->self)) -
                             st->started_ns;
            LOG(st, "%s failed: %s (http %u): %s", OP_NAMES[op], st->result,
                (unsigned)f->http_status, f->detail);
            if (f->kind == CAPTLS_ACME_ERR_CHAIN_UNVERIFIED &&
                !st->acme.outcome.valid)
                LOG(st, "chain refused: %s, nothing stored",
                    captls_failure_reason_name(st->acme.outcome.reason));
            return;
        }
        /* DONE */
        if (op == OP_ORDER)
            note_chain(st);
        if (op == OP_ORDER)
            LOG(st, "order done: stored %s version %llu", st->store_handle,
                (unsigned long long)captls_acme_stored_version(&st->acme));
        else
            LOG(st, "%s done", OP_NAMES[op]);
        if (++st->cur >= st->nops) {
            st->phase = CL_DONE;
            st->elapsed_ns = captls_sim_now(captls_sim_proc_kernel(st->self)) -
                             st->started_ns;
            snprintf(st->result, sizeof st->result, "ok");
            return;
        }
        if (!start_op(st, st->ops[st->cur]))
            return;
    }
}

/* ------------------------------------------------------- the program */

static void cl_start(captls_sim_proc *p)
{
    cl_state *st = captls_sim_proc_state(p);
    const captls_port *port = captls_sim_proc_port(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *dir = captls_sim_proc_opt(p, "directory");
    const char *domain = captls_sim_proc_opt(p, "domain");
    const char *anchors = captls_sim_proc_opt(p, "anchors");
    const char *hp = captls_sim_proc_opt(p, "http-port");
    const char *sh = captls_sim_proc_opt(p, "store");
    captls_audit_sink none;
    memset(&none, 0, sizeof none);
    st->self = p;
    snprintf(st->result, sizeof st->result, "none");
    snprintf(st->domain, sizeof st->domain, "%s", domain != NULL ? domain : "");
    snprintf(st->store_handle, sizeof st->store_handle, "%s",
             sh != NULL ? sh : "web");
    st->http_port = (uint16_t)(hp != NULL ? atoi(hp) : 80);
    captls_result r = captls_cap_table_init(&st->caps, st->slots, 32);
    if (r == CAPTLS_OK)
        r = captls_key_vault_init(&st->vault, &st->caps, 1, st->keys, 4,
                                  port->entropy,
                                  CAPTLS_KEY_PROFILE_DEVELOPMENT, port->clock,
                                  none);
    if (r == CAPTLS_OK)
        r = captls_key_vault_mint(&st->vault, CL_OWNER, CAPTLS_RIGHTS_ALL,
                                  &st->vh);
    if (r == CAPTLS_OK)
        r = captls_key_vault_generate(&st->vault, CL_OWNER, st->vh,
                                      CAPTLS_KEY_ALG_P256,
                                      CAPTLS_KEY_PURPOSE_ACME_ACCOUNT, "acct",
                                      &st->acct_key);
    if (r == CAPTLS_OK)
        r = captls_key_vault_generate(&st->vault, CL_OWNER, st->vh,
                                      CAPTLS_KEY_ALG_P256,
                                      CAPTLS_KEY_PURPOSE_TLS, "web",
                                      &st->cert_key);
    if (r == CAPTLS_OK)
        r = captls_cert_store_init(&st->store, port->store, &st->caps,
                                   st->subs, 1, port->clock, none);
    if (r == CAPTLS_OK)
        r = captls_cert_store_mint(&st->store, CL_OWNER, CAPTLS_RIGHTS_ALL,
                                   &st->store_cap);
    if (r == CAPTLS_OK)
        r = captls_trust_store_init(&st->roots, st->anchor_slots, 4,
                                    st->arena, sizeof st->arena, true);
    if (r == CAPTLS_OK)
        r = captls_trust_store_writer_init(&st->writer, &st->roots, NULL,
                                           NULL);
    /* anchors=CERT+CERT */
    const char *a = anchors;
    size_t nanchors = 0;
    while (r == CAPTLS_OK && a != NULL && *a != '\0') {
        const char *plus = strchr(a, '+');
        size_t n = plus != NULL ? (size_t)(plus - a) : strlen(a);
        const uint8_t *der = NULL;
        size_t len = 0;
        captls_certificate cert;
        r = captls_sim_cert_find(k, a, n, &der, &len);
        if (r == CAPTLS_OK)
            r = captls_certificate_parse(&cert, der, len, NULL);
        if (r == CAPTLS_OK)
            r = captls_trust_store_writer_add_anchor(&st->writer, 0, &cert,
                                                     NULL, 0);
        nanchors++;
        a = plus != NULL ? plus + 1 : NULL;
    }
    if (r == CAPTLS_OK && nanchors == 0)
        r = CAPTLS_ERR_NOT_FOUND;
    if (r == CAPTLS_OK)
        r = captls_cert_verifier_init(&st->verifier,
                                      captls_policy_web_pki_lenient(),
                                      &port->clock, NULL, NULL);
    if (r == CAPTLS_OK) {
        captls_acme_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.directory_url = dir;
        cfg.vault = &st->vault;
        cfg.owner = CL_OWNER;
        cfg.account_key = st->acct_key;
        cfg.clock = port->clock;
        cfg.verifier = &st->verifier;
        cfg.ca_roots = &st->roots;
        cfg.store = &st->store;
        cfg.store_cap = st->store_cap;
        cfg.progress.ctx = st;
        cfg.progress.event = on_progress;
        r = dir == NULL ? CAPTLS_ERR_NOT_FOUND
                        : captls_acme_client_init(&st->acme, &cfg);
        st->acme_ok = r == CAPTLS_OK;
    }
    captls_http01_init(&st->solver);
    st->solver_cap = captls_http01_solver_cap(&st->solver);
    if (r == CAPTLS_OK)
        r = port->net.listen(port->net.ctx, NULL, st->http_port,
                             &st->listener);
    st->listening = r == CAPTLS_OK;
    st->ready = r == CAPTLS_OK;
    LOG(st, "AcmeClient for %s, directory %s, http-01 responder on port "
            "%u: %s",
        st->domain, dir != NULL ? dir : "(none)", (unsigned)st->http_port,
        captls_result_name(r));
}

static void cl_wake(captls_sim_proc *p)
{
    cl_state *st = captls_sim_proc_state(p);
    resp_accept(st);
    xchg_wake(st);
}

static void cl_timer(captls_sim_proc *p, uint32_t tag)
{
    cl_state *st = captls_sim_proc_state(p);
    if (!st->waiting || tag != CL_TAG_WAIT + st->wait_seq)
        return;
    st->waiting = false;
    drive(st);
}

static void responder_close(cl_state *st)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    unsigned n = 0;
    if (st->listening) {
        captls_result r = net->close(net->ctx, st->listener);
        (void)r;
        st->listening = false;
    }
    for (unsigned i = 0; i < CL_RESP_CONNS; i++)
        if (st->rconns[i].used) {
            captls_result r = captls_sim_stream_reset(st->self,
                                                      st->rconns[i].s);
            (void)r;
            resp_drop(st, &st->rconns[i]);
            n++;
        }
    LOG(st, "http-01 responder closed (listener, %u connection(s) reset)", n);
}

static void cl_action(captls_sim_proc *p, const captls_sim_action *a)
{
    cl_state *st = captls_sim_proc_state(p);
    if (strcmp(a->verb, "responder-close") == 0) {
        responder_close(st);
        return;
    }
    if (!st->ready) {
        LOG(st, "%s: not ready", a->verb);
        return;
    }
    if (st->phase == CL_RUNNING) {
        LOG(st, "%s: an operation is running", a->verb);
        return;
    }
    st->nops = st->cur = 0;
    if (strcmp(a->verb, "issue") == 0) {
        if (captls_acme_account_url(&st->acme)[0] == '\0')
            st->ops[st->nops++] = OP_REGISTER;
        st->ops[st->nops++] = OP_ORDER;
    } else if (strcmp(a->verb, "revoke") == 0) {
        st->ops[st->nops++] = OP_REVOKE;
    }
    st->detail[0] = '\0';
    snprintf(st->result, sizeof st->result, "none");
    st->phase = CL_RUNNING;
    st->started_ns = captls_sim_now(captls_sim_proc_kernel(p));
    if (start_op(st, st->ops[0]))
        drive(st);
}

static bool cl_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                    size_t cap, size_t *len)
{
    cl_state *st = captls_sim_proc_state(p);
    const char *s = NULL;
    captls_cert_record rec;
    bool have = st->ready &&
                captls_cert_store_get(&st->store, CL_OWNER, st->store_cap,
                                      st->store_handle, st->rec,
                                      sizeof st->rec, &rec) == CAPTLS_OK;
    if (strcmp(name, "state") == 0)
        s = CL_PHASES[st->phase];
    else if (strcmp(name, "result") == 0)
        s = st->result;
    else if (strcmp(name, "detail") == 0)
        s = st->detail;
    else if (strcmp(name, "stored") == 0)
        s = have ? "yes" : "no";
    else if (strcmp(name, "responder") == 0)
        s = st->listening ? "listening" : "closed";
    else if (strcmp(name, "chain") == 0)
        s = st->chain[0] != '\0' ? st->chain : "none";
    if (s != NULL)
        return captls_sim_program_fact_bytes(s, strlen(s), out, cap, len);
    uint64_t v;
    if (strcmp(name, "stored-version") == 0) v = have ? rec.version : 0;
    else if (strcmp(name, "bad-nonce-retries") == 0) v = st->bad_nonce_retries;
    else if (strcmp(name, "rate-retries") == 0) v = st->rate_retries;
    else if (strcmp(name, "server-retries") == 0) v = st->server_retries;
    else if (strcmp(name, "waits") == 0) v = st->waits;
    else if (strcmp(name, "waited") == 0) v = st->waited;
    else if (strcmp(name, "max-wait") == 0) v = st->max_wait;
    else if (strcmp(name, "exchanges") == 0) v = st->exchanges;
    else if (strcmp(name, "elapsed") == 0)
        v = st->elapsed_ns / CAPTLS_SIM_NS_PER_S;
    else if (strcmp(name, "solver-live") == 0)
        v = captls_http01_live_count(&st->solver);
    else if (strcmp(name, "responder-served") == 0) v = st->solver.served;
    else if (strcmp(name, "responder-404") == 0) v = st->solver.not_found;
    else return false;
    return captls_sim_program_fact_u64(v, out, cap, len);
}

static const char *const CL_OPTIONS[] = {"directory", "anchors", "domain",
                                         "http-port", "store", NULL};
static const char *const CL_REQUIRED[] = {"directory", "anchors", "domain",
                                          NULL};
static const char *const CL_FACTS[] = {
    "state", "result", "detail", "chain", "stored", "stored-version",
    "bad-nonce-retries", "rate-retries", "server-retries", "waits", "waited",
    "max-wait", "exchanges", "elapsed", "solver-live", "responder-served",
    "responder-404", "responder", NULL};
static const captls_sim_verb CL_VERBS[] = {
    {"issue", "", "issue"},
    {"revoke", "", "revoke"},
    {"responder-close", "", "responder-close"},
};

const captls_sim_program captls_sim_prog_acme_client = {
    .name = "acme-client",
    .iface = 0,
    .state_size = sizeof(cl_state),
    .options = CL_OPTIONS,
    .required = CL_REQUIRED,
    .verbs = CL_VERBS,
    .nverbs = sizeof(CL_VERBS) / sizeof(CL_VERBS[0]),
    .facts = CL_FACTS,
    .start = cl_start,
    .wake = cl_wake,
    .timer = cl_timer,
    .action = cl_action,
    .fact = cl_fact,
};
