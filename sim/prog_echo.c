/* sim/prog_echo.c — the echo service: TCP echo on `port`, and Echo.echo
 * over IPC with a callback through the Notifier cap the caller passes.
 * See programs.h. Everything it learns from peers is logged through
 * captls_sim_quote (sanitized). */
#include <string.h>

#include "sim/programs.h"

#define ECHO_CONNS 8u
#define ECHO_PENDING 2048u
#define ECHO_NOTES 8u
#define ECHO_HELD 8u
#define ECHO_TEXT 256u

/* An Echo.echo call held back by the delay= option. */
typedef struct echo_held {
    bool used;
    captls_ipc_frame call; /* payload points at text below */
    uint8_t text[ECHO_TEXT + CAPTLS_SIM_ECHO_NONCE_LEN];
    captls_cap_handle cap; /* the Notifier passed, or CAPTLS_CAP_NULL */
} echo_held;

typedef struct echo_conn {
    bool used;
    captls_stream_id s;
    uint32_t id;
    uint8_t pending[ECHO_PENDING]; /* read but not yet written back */
    size_t pending_len;
} echo_conn;

typedef struct echo_note {
    bool used;
    uint32_t req;
    captls_cap_handle h;
} echo_note;

typedef struct echo_state {
    bool listening;
    captls_stream_id listener;
    echo_conn conns[ECHO_CONNS];
    uint32_t next_conn;
    echo_note notes[ECHO_NOTES];
    uint32_t next_req;
    uint64_t echoed;
    uint64_t calls;
    uint64_t notified;
    uint64_t resets;
    uint64_t delay_ns;
    echo_held held[ECHO_HELD];
} echo_state;

/* "30ms", "500us", "2s", "100ns" (checked by the scenario parser). */
static uint64_t parse_delay(const char *s)
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

static bool parse_port(const char *s, uint16_t *out)
{
    uint32_t v = 0;
    if (s == NULL || *s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10u + (uint32_t)(*s - '0');
        if (v > 65535u)
            return false;
    }
    if (v == 0)
        return false;
    *out = (uint16_t)v;
    return true;
}

static void echo_start(captls_sim_proc *p)
{
    echo_state *st = captls_sim_proc_state(p);
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    uint16_t port;
    st->delay_ns = parse_delay(captls_sim_proc_opt(p, "delay"));
    if (!parse_port(captls_sim_proc_opt(p, "port"), &port)) {
        captls_sim_log(k, p, NULL, "no valid port= option; not listening");
        return;
    }
    captls_result r = net->listen(net->ctx, NULL, port, &st->listener);
    if (r != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "listen on port %u failed: %s",
                       (unsigned)port, captls_result_name(r));
        return;
    }
    st->listening = true;
    captls_sim_log(k, p, NULL, "listening on port %u", (unsigned)port);
}

static void conn_close(captls_sim_proc *p, echo_conn *c, const char *why)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_result r = net->close(net->ctx, c->s);
    (void)r; /* a valid handle: always succeeds */
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                   "connection %u: %s; closed", (unsigned)c->id, why);
    c->used = false;
}

/* Writes back what is pending; false if the connection is gone. */
static bool conn_flush(captls_sim_proc *p, echo_state *st, echo_conn *c)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    while (c->pending_len > 0) {
        size_t put = 0;
        captls_result r =
            net->write(net->ctx, c->s, c->pending, c->pending_len, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return true;
        if (r != CAPTLS_OK) {
            conn_close(p, c, captls_result_name(r));
            return false;
        }
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                       "connection %u: echoed %zu bytes", (unsigned)c->id,
                       put);
        st->echoed += put;
        memmove(c->pending, c->pending + put, c->pending_len - put);
        c->pending_len -= put;
    }
    return true;
}

static void conn_service(captls_sim_proc *p, echo_state *st, echo_conn *c)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char q[CAPTLS_SIM_LINE_MAX / 2];
    for (;;) {
        if (!conn_flush(p, st, c))
            return;
        if (c->pending_len > 0)
            return; /* back-pressure: read more once this is out */
        size_t got = 0;
        captls_result r = net->read(net->ctx, c->s, c->pending,
                                    sizeof(c->pending), &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r == CAPTLS_EOF) {
            conn_close(p, c, "peer closed");
            return;
        }
        if (r != CAPTLS_OK) {
            conn_close(p, c, captls_result_name(r));
            return;
        }
        c->pending_len = got;
        captls_sim_log(k, p, NULL, "connection %u: recv %zu bytes %s",
                       (unsigned)c->id, got,
                       captls_sim_quote(c->pending, got, q, sizeof(q)));
    }
}

static void accept_all(captls_sim_proc *p, echo_state *st)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    for (;;) {
        captls_stream_id s;
        captls_result r = net->accept(net->ctx, st->listener, &s);
        if (r != CAPTLS_OK)
            return;
        echo_conn *c = NULL;
        for (unsigned i = 0; i < ECHO_CONNS && c == NULL; i++) {
            if (!st->conns[i].used)
                c = &st->conns[i];
        }
        if (c == NULL) {
            r = net->close(net->ctx, s);
            (void)r;
            captls_sim_log(k, p, NULL, "too many connections; refused one");
            continue;
        }
        memset(c, 0, sizeof(*c));
        c->used = true;
        c->s = s;
        c->id = ++st->next_conn;
        captls_sim_log(k, p, NULL, "accepted connection %u", (unsigned)c->id);
    }
}

static void note_drop(captls_sim_proc *p, echo_note *n)
{
    captls_result r = captls_sim_proc_cap_drop(p, n->h);
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                   "dropped the Notifier cap: %s", captls_result_name(r));
    n->used = false;
}

static void echo_answer(captls_sim_proc *p, echo_state *st,
                        const captls_ipc_frame *f, captls_cap_handle cap);

static void handle_call(captls_sim_proc *p, echo_state *st,
                        const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char q[CAPTLS_SIM_LINE_MAX / 2];
    captls_result r;
    if (f->iface == CAPTLS_IFACE_ECHO &&
        f->method == CAPTLS_SIM_ECHO_METHOD_RESET) {
        /* Needs the write right: the kernel refused callers without it. */
        st->resets++;
        st->echoed = 0;
        st->calls = 0;
        captls_sim_log(k, p, NULL, "ipc call Echo.reset: counters cleared");
        r = captls_sim_ipc_return(p, f, (const uint8_t *)"reset", 5);
        (void)r;
        captls_sim_program_drop_caps(p, f, 0);
        return;
    }
    if (f->iface != CAPTLS_IFACE_ECHO ||
        f->method != CAPTLS_SIM_ECHO_METHOD_ECHO ||
        f->payload_len < CAPTLS_SIM_ECHO_NONCE_LEN ||
        f->payload_len > CAPTLS_SIM_ECHO_NONCE_LEN + ECHO_TEXT) {
        captls_sim_log(k, p, NULL, "refused call %s#%u",
                       captls_interface_name(f->iface), (unsigned)f->method);
        r = captls_sim_ipc_error(p, f, CAPTLS_ERR_UNSUPPORTED);
        (void)r;
        captls_sim_program_drop_caps(p, f, 0);
        return;
    }
    const uint8_t *text = f->payload + CAPTLS_SIM_ECHO_NONCE_LEN;
    size_t tlen = f->payload_len - CAPTLS_SIM_ECHO_NONCE_LEN;
    st->calls++;
    captls_sim_log(k, p, NULL, "ipc call Echo.echo(%s) with %u cap(s)",
                   captls_sim_quote(text, tlen, q, sizeof(q)),
                   (unsigned)f->ncaps);
    /* Extra caps beyond the first are not used. */
    captls_sim_program_drop_caps(p, f, 1);
    if (st->delay_ns == 0) {
        echo_answer(p, st, f, f->ncaps > 0 ? f->caps[0] : CAPTLS_CAP_NULL);
        return;
    }
    echo_held *h = NULL;
    for (unsigned i = 0; i < ECHO_HELD && h == NULL; i++) {
        if (!st->held[i].used)
            h = &st->held[i];
    }
    if (h == NULL) {
        captls_sim_log(k, p, NULL, "too many calls held; answering now");
        echo_answer(p, st, f, f->ncaps > 0 ? f->caps[0] : CAPTLS_CAP_NULL);
        return;
    }
    h->used = true;
    h->call = *f;
    memcpy(h->text, f->payload, f->payload_len);
    h->call.payload = h->text;
    h->call.ncaps = 0;
    h->cap = f->ncaps > 0 ? f->caps[0] : CAPTLS_CAP_NULL;
    r = captls_sim_proc_timer(p, st->delay_ns, (uint32_t)(h - st->held));
    captls_sim_log(k, p, NULL, "holding the call for its delay: %s",
                   captls_result_name(r));
}

static void echo_timer(captls_sim_proc *p, uint32_t tag)
{
    echo_state *st = captls_sim_proc_state(p);
    if (tag >= ECHO_HELD || !st->held[tag].used)
        return;
    echo_held *h = &st->held[tag];
    h->used = false;
    echo_answer(p, st, &h->call, h->cap);
}

/* Returns the text and calls the Notifier `cap` (if any) back. */
static void echo_answer(captls_sim_proc *p, echo_state *st,
                        const captls_ipc_frame *f, captls_cap_handle cap)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char q[CAPTLS_SIM_LINE_MAX / 2];
    const uint8_t *text = f->payload + CAPTLS_SIM_ECHO_NONCE_LEN;
    size_t tlen = f->payload_len - CAPTLS_SIM_ECHO_NONCE_LEN;
    captls_result r = captls_sim_ipc_return(p, f, text, tlen);
    if (r != CAPTLS_OK)
        captls_sim_log(k, p, NULL, "return failed: %s",
                       captls_result_name(r));
    if (cap == CAPTLS_CAP_NULL)
        return;
    echo_note *n = NULL;
    for (unsigned i = 0; i < ECHO_NOTES && n == NULL; i++) {
        if (!st->notes[i].used)
            n = &st->notes[i];
    }
    if (n == NULL) {
        r = captls_sim_proc_cap_drop(p, cap);
        (void)r;
        captls_sim_log(k, p, NULL, "too many notifications pending");
        return;
    }
    n->used = true;
    n->h = cap;
    n->req = ++st->next_req;
    r = captls_sim_ipc_call(p, n->h, CAPTLS_IFACE_NOTIFIER,
                            CAPTLS_SIM_NOTIFIER_METHOD_NOTIFY, n->req,
                            f->payload, f->payload_len, NULL, 0);
    captls_sim_log(k, p, NULL, "ipc call Notifier.notify(%s) through the "
                   "passed cap: %s",
                   captls_sim_quote(text, tlen, q, sizeof(q)),
                   captls_result_name(r));
    if (r != CAPTLS_OK)
        note_drop(p, n);
}

static void handle_answer(captls_sim_proc *p, echo_state *st,
                          const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    for (unsigned i = 0; i < ECHO_NOTES; i++) {
        echo_note *n = &st->notes[i];
        if (!n->used || n->req != f->request_id)
            continue;
        if (f->kind == CAPTLS_IPC_RETURN) {
            st->notified++;
            captls_sim_log(k, p, NULL, "Notifier.notify returned");
        } else {
            captls_sim_log(k, p, NULL, "Notifier.notify failed: %s",
                           captls_result_name((captls_result)f->status));
        }
        note_drop(p, n);
        break;
    }
    /* Caps in answers are not expected: drop them. */
    captls_sim_program_drop_caps(p, f, 0);
}

static void ipc_service(captls_sim_proc *p, echo_state *st)
{
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (f.kind == CAPTLS_IPC_CALL)
            handle_call(p, st, &f);
        else
            handle_answer(p, st, &f);
    }
}

static void echo_wake(captls_sim_proc *p)
{
    echo_state *st = captls_sim_proc_state(p);
    if (st->listening)
        accept_all(p, st);
    for (unsigned i = 0; i < ECHO_CONNS; i++) {
        if (st->conns[i].used)
            conn_service(p, st, &st->conns[i]);
    }
    ipc_service(p, st);
}

static bool echo_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                      size_t cap, size_t *len)
{
    echo_state *st = captls_sim_proc_state(p);
    if (strcmp(name, "echoed") == 0)
        return captls_sim_program_fact_u64(st->echoed, out, cap, len);
    if (strcmp(name, "calls") == 0)
        return captls_sim_program_fact_u64(st->calls, out, cap, len);
    if (strcmp(name, "notified") == 0)
        return captls_sim_program_fact_u64(st->notified, out, cap, len);
    if (strcmp(name, "resets") == 0)
        return captls_sim_program_fact_u64(st->resets, out, cap, len);
    return false;
}

static const char *const ECHO_OPTIONS[] = {"port", "delay", NULL};
static const char *const ECHO_REQUIRED[] = {"port", NULL};
static const char *const ECHO_FACTS[] = {"echoed", "calls", "notified",
                                         "resets", NULL};
static const captls_sim_method ECHO_METHODS[] = {
    {CAPTLS_IFACE_ECHO, CAPTLS_SIM_ECHO_METHOD_ECHO, "echo",
     CAPTLS_RIGHT_CALL},
    {CAPTLS_IFACE_ECHO, CAPTLS_SIM_ECHO_METHOD_RESET, "reset",
     CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE},
};

const captls_sim_program captls_sim_prog_echo = {
    .name = "echo",
    .iface = CAPTLS_IFACE_ECHO,
    .state_size = sizeof(echo_state),
    .options = ECHO_OPTIONS,
    .required = ECHO_REQUIRED,
    .verbs = NULL,
    .nverbs = 0,
    .facts = ECHO_FACTS,
    .methods = ECHO_METHODS,
    .nmethods = sizeof(ECHO_METHODS) / sizeof(ECHO_METHODS[0]),
    .start = echo_start,
    .wake = echo_wake,
    .timer = echo_timer,
    .action = NULL,
    .fact = echo_fact,
};
