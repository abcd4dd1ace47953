/* sim/prog_echo_client.c — the echo client: scripted by actions
 *   connect HOST:PORT | send TEXT | call CAP TEXT | invoke CAP METHOD TEXT
 *   | check | close | time | put KEY TEXT | get KEY
 * It keeps what it sent, what came back, the Echo.echo answer and the
 * Notifier.notify text, and `check` compares them; `time` reads the host's
 * wall clock (with its provenance), put/get use the host's blob store.
 * See programs.h. */
#include <stddef.h>
#include <string.h>

#include "core/base/text.h"
#include "sim/programs.h"

#define CLIENT_BUF 8192u
#define CLIENT_TEXT 256u

typedef enum client_conn {
    CONN_IDLE = 0,
    CONN_CONNECTING,
    CONN_OPEN,
    CONN_CLOSED,
    CONN_REFUSED,
    CONN_RESET,
    CONN_FAILED,
} client_conn;

static const char *const CONN_NAMES[] = {
    "idle", "connecting", "connected", "closed", "refused", "reset", "failed",
};

typedef struct text_buf {
    uint8_t b[CLIENT_TEXT];
    size_t len;
    bool set;
} text_buf;

typedef struct client_state {
    client_conn conn;
    captls_stream_id s;
    bool close_after_flush;
    uint8_t out[CLIENT_BUF]; /* waiting to be written */
    size_t out_len;
    uint8_t sent[CLIENT_BUF]; /* everything written (for check) */
    size_t sent_len;
    uint8_t recvd[CLIENT_BUF];
    size_t recvd_len;
    bool overflow;
    captls_cap_handle notifier;
    uint32_t next_req;
    uint32_t call_req; /* the Echo.echo call awaiting its answer */
    uint8_t nonce[CAPTLS_SIM_ECHO_NONCE_LEN];
    text_buf called, replied, notified, check;
    uint32_t invoke_req; /* the invoke awaiting its answer */
    text_buf invoked, wall, clock, backwards, stored, loaded;
    bool have_time;
    captls_wall_time last_time;
} client_state;

static void text_set(text_buf *t, const void *p, size_t len)
{
    if (len > sizeof(t->b))
        len = sizeof(t->b);
    memcpy(t->b, p, len);
    t->len = len;
    t->set = true;
}

static void text_str(text_buf *t, const char *s)
{
    text_set(t, s, strlen(s));
}

static void append(uint8_t *buf, size_t *len, const uint8_t *p, size_t n,
                   bool *overflow)
{
    if (n > CLIENT_BUF - *len) {
        n = CLIENT_BUF - *len;
        *overflow = true;
    }
    memcpy(buf + *len, p, n);
    *len += n;
}

static void client_close(captls_sim_proc *p, client_state *st)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_result r = net->close(net->ctx, st->s);
    (void)r; /* a valid handle: always succeeds */
    if (st->conn == CONN_OPEN || st->conn == CONN_CONNECTING)
        st->conn = CONN_CLOSED;
    st->close_after_flush = false;
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "closed");
}

static void conn_error(captls_sim_proc *p, client_state *st, captls_result r)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_result c = net->close(net->ctx, st->s);
    (void)c;
    st->conn = r == CAPTLS_ERR_CONN_REFUSED ? CONN_REFUSED
               : r == CAPTLS_ERR_CONN_RESET ? CONN_RESET
                                              : CONN_FAILED;
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "connection %s",
                   r == CAPTLS_ERR_CONN_REFUSED ? "refused"
                   : r == CAPTLS_ERR_CONN_RESET
                       ? "reset"
                       : captls_result_name(r));
}

static void flush(captls_sim_proc *p, client_state *st)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    while (st->conn == CONN_OPEN && st->out_len > 0) {
        size_t put = 0;
        captls_result r = net->write(net->ctx, st->s, st->out, st->out_len,
                                     &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) {
            conn_error(p, st, r);
            return;
        }
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "sent %zu bytes %s",
                       put, captls_sim_quote(st->out, put, q, sizeof(q)));
        append(st->sent, &st->sent_len, st->out, put, &st->overflow);
        memmove(st->out, st->out + put, st->out_len - put);
        st->out_len -= put;
    }
    if (st->conn == CONN_OPEN && st->out_len == 0 && st->close_after_flush)
        client_close(p, st);
}

static void stream_service(captls_sim_proc *p, client_state *st)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char q[CAPTLS_SIM_LINE_MAX / 2];
    if (st->conn == CONN_CONNECTING) {
        captls_poll_item it = {st->s, CAPTLS_POLL_READ | CAPTLS_POLL_WRITE, 0};
        size_t n = 0;
        if (net->poll(net->ctx, &it, 1, 0, &n) != CAPTLS_OK || n == 0)
            return;
        /* A zero-byte write reports how the connect ended, like
         * SO_ERROR after writability on a real socket. */
        size_t put = 0;
        captls_result r = net->write(net->ctx, st->s, NULL, 0, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) {
            conn_error(p, st, r);
            return;
        }
        st->conn = CONN_OPEN;
        captls_sim_log(k, p, NULL, "connected");
    }
    if (st->conn != CONN_OPEN)
        return;
    flush(p, st);
    while (st->conn == CONN_OPEN) {
        uint8_t buf[2048];
        size_t got = 0;
        captls_result r = net->read(net->ctx, st->s, buf, sizeof(buf), &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r == CAPTLS_EOF) {
            captls_sim_log(k, p, NULL, "server closed the connection");
            client_close(p, st);
            return;
        }
        if (r != CAPTLS_OK) {
            conn_error(p, st, r);
            return;
        }
        captls_sim_log(k, p, NULL, "recv %zu bytes %s", got,
                       captls_sim_quote(buf, got, q, sizeof(q)));
        append(st->recvd, &st->recvd_len, buf, got, &st->overflow);
    }
}

static void on_notify(captls_sim_proc *p, client_state *st,
                      const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char q[CAPTLS_SIM_LINE_MAX / 2];
    captls_result r;
    if (f->iface != CAPTLS_IFACE_NOTIFIER ||
        f->method != CAPTLS_SIM_NOTIFIER_METHOD_NOTIFY ||
        f->payload_len < CAPTLS_SIM_ECHO_NONCE_LEN) {
        r = captls_sim_ipc_error(p, f, CAPTLS_ERR_UNSUPPORTED);
        (void)r;
        captls_sim_log(k, p, NULL, "refused call %s#%u",
                       captls_interface_name(f->iface), (unsigned)f->method);
        return;
    }
    const uint8_t *text = f->payload + CAPTLS_SIM_ECHO_NONCE_LEN;
    size_t tlen = f->payload_len - CAPTLS_SIM_ECHO_NONCE_LEN;
    bool match = st->called.set &&
                 memcmp(f->payload, st->nonce, sizeof(st->nonce)) == 0;
    if (match)
        text_set(&st->notified, text, tlen);
    else
        text_str(&st->notified, "(nonce mismatch)");
    captls_sim_log(k, p, NULL, "ipc call Notifier.notify(%s): nonce %s",
                   captls_sim_quote(text, tlen, q, sizeof(q)),
                   match ? "matches" : "does not match");
    r = captls_sim_ipc_return(p, f, NULL, 0);
    if (r != CAPTLS_OK)
        captls_sim_log(k, p, NULL, "return failed: %s",
                       captls_result_name(r));
}

/* "error: <result name>" */
static void text_error(text_buf *t, captls_result r)
{
    const char *name = captls_result_name(r);
    size_t n = strlen(name);
    text_str(t, "error: ");
    if (n > CLIENT_TEXT - t->len)
        n = CLIENT_TEXT - t->len;
    memcpy(t->b + t->len, name, n);
    t->len += n;
}

static void on_answer(captls_sim_proc *p, client_state *st,
                      const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char q[CAPTLS_SIM_LINE_MAX / 2];
    if (st->invoke_req != 0 && f->request_id == st->invoke_req) {
        st->invoke_req = 0;
        if (f->kind == CAPTLS_IPC_RETURN)
            text_set(&st->invoked, f->payload, f->payload_len);
        else
            text_error(&st->invoked, (captls_result)f->status);
        captls_sim_log(k, p, NULL, "invoke answered: %s",
                       captls_sim_quote(st->invoked.b, st->invoked.len, q,
                                        sizeof(q)));
        return;
    }
    if (f->request_id != st->call_req || st->call_req == 0) {
        captls_sim_log(k, p, NULL, "unexpected answer to request %u",
                       (unsigned)f->request_id);
        return;
    }
    st->call_req = 0;
    if (f->kind == CAPTLS_IPC_RETURN) {
        text_set(&st->replied, f->payload, f->payload_len);
        captls_sim_log(k, p, NULL, "Echo.echo returned %s",
                       captls_sim_quote(f->payload, f->payload_len, q,
                                        sizeof(q)));
    } else {
        text_error(&st->replied, (captls_result)f->status);
        captls_sim_log(k, p, NULL, "Echo.echo failed: %s",
                       captls_result_name((captls_result)f->status));
    }
}

static void ipc_service(captls_sim_proc *p, client_state *st)
{
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        /* This client never accepts caps: drop any it is sent. */
        captls_sim_program_drop_caps(p, &f, 0);
        if (f.kind == CAPTLS_IPC_CALL)
            on_notify(p, st, &f);
        else
            on_answer(p, st, &f);
    }
}

static void client_wake(captls_sim_proc *p)
{
    client_state *st = captls_sim_proc_state(p);
    stream_service(p, st);
    ipc_service(p, st);
}

/* --------------------------------------------------------------- actions */

static void act_connect(captls_sim_proc *p, client_state *st,
                        const captls_sim_arg *addr)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char host[CAPTLS_SIM_NAME_MAX];
    uint32_t port = 0;
    size_t colon = 0;
    while (colon < addr->len && addr->p[colon] != ':')
        colon++;
    if (st->conn == CONN_CONNECTING || st->conn == CONN_OPEN) {
        captls_sim_log(k, p, NULL, "connect: already connected");
        return;
    }
    bool ok = colon > 0 && colon < sizeof(host) && colon + 1 < addr->len &&
              addr->len - colon - 1 <= 5;
    for (size_t i = colon + 1; ok && i < addr->len; i++) {
        ok = addr->p[i] >= '0' && addr->p[i] <= '9';
        port = port * 10u + (uint32_t)(addr->p[i] - '0');
    }
    if (!ok || port == 0 || port > 65535u) {
        captls_sim_log(k, p, NULL, "connect: bad address");
        return;
    }
    memcpy(host, addr->p, colon);
    host[colon] = '\0';
    captls_sim_log(k, p, NULL, "connecting to %s:%u", host, (unsigned)port);
    captls_result r = net->connect(net->ctx, host, (uint16_t)port, &st->s);
    if (r != CAPTLS_OK) {
        st->conn = CONN_FAILED;
        captls_sim_log(k, p, NULL, "connect failed: %s",
                       captls_result_name(r));
        return;
    }
    st->conn = CONN_CONNECTING;
    st->close_after_flush = false;
}

static void act_send(captls_sim_proc *p, client_state *st,
                     const captls_sim_arg *text)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (st->conn != CONN_OPEN && st->conn != CONN_CONNECTING) {
        captls_sim_log(k, p, NULL, "send: not connected (%s)",
                       CONN_NAMES[st->conn]);
        return;
    }
    if (text->len > CLIENT_BUF - st->out_len) {
        captls_sim_log(k, p, NULL, "send: output buffer full");
        return;
    }
    memcpy(st->out + st->out_len, text->p, text->len);
    st->out_len += text->len;
    if (st->conn == CONN_CONNECTING)
        captls_sim_log(k, p, NULL, "send: %zu bytes wait for the connection",
                       text->len);
    flush(p, st);
}

static void act_call(captls_sim_proc *p, client_state *st,
                     const captls_sim_arg *cap, const captls_sim_arg *text)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const captls_port *port = captls_sim_proc_port(p);
    char name[CAPTLS_SIM_NAME_MAX], hex[2 * CAPTLS_SIM_ECHO_NONCE_LEN + 1];
    captls_text ht;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    uint8_t payload[CAPTLS_SIM_ECHO_NONCE_LEN + CLIENT_TEXT];
    captls_cap_handle target;
    captls_result r;
    if (cap->len == 0 || cap->len >= sizeof(name) || text->len > CLIENT_TEXT) {
        captls_sim_log(k, p, NULL, "call: bad arguments");
        return;
    }
    memcpy(name, cap->p, cap->len);
    name[cap->len] = '\0';
    if (captls_sim_proc_cap(p, name, &target) != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "call: no cap named %s", name);
        return;
    }
    if (st->notifier == CAPTLS_CAP_NULL) {
        r = captls_sim_proc_mint(p, CAPTLS_IFACE_NOTIFIER,
                                 CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT,
                                 &st->notifier);
        if (r != CAPTLS_OK) {
            captls_sim_log(k, p, NULL, "call: minting a Notifier failed: %s",
                           captls_result_name(r));
            return;
        }
    }
    r = port->entropy.fill(port->entropy.ctx, st->nonce, sizeof(st->nonce));
    if (r != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "call: no entropy for a nonce: %s",
                       captls_result_name(r));
        text_error(&st->replied, r);
        return;
    }
    memcpy(payload, st->nonce, sizeof(st->nonce));
    memcpy(payload + sizeof(st->nonce), text->p, text->len);
    text_set(&st->called, text->p, text->len);
    st->replied.set = false;
    st->notified.set = false;
    st->call_req = ++st->next_req;
    captls_text_init(&ht, hex, sizeof(hex));
    captls_text_hex(&ht, st->nonce, sizeof(st->nonce));
    r = captls_sim_ipc_call(p, target, CAPTLS_IFACE_ECHO,
                            CAPTLS_SIM_ECHO_METHOD_ECHO, st->call_req, payload,
                            sizeof(st->nonce) + text->len, &st->notifier, 1);
    captls_sim_log(k, p, NULL,
                   "ipc call Echo.echo(%s) nonce %s, passing a Notifier "
                   "cap: %s",
                   captls_sim_quote(text->p, text->len, q, sizeof(q)), hex,
                   captls_result_name(r));
    if (r != CAPTLS_OK) {
        st->call_req = 0;
        text_error(&st->replied, r);
    }
}

static void act_check(captls_sim_proc *p, client_state *st)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *why = NULL;
    if (st->overflow)
        why = "more data than the client keeps";
    else if (st->recvd_len != st->sent_len ||
             memcmp(st->recvd, st->sent, st->sent_len) != 0)
        why = "the bytes echoed back differ from those sent";
    else if (st->called.set &&
             (!st->replied.set || st->replied.len != st->called.len ||
              memcmp(st->replied.b, st->called.b, st->called.len) != 0))
        why = "Echo.echo did not return the text sent";
    else if (st->called.set &&
             (!st->notified.set || st->notified.len != st->called.len ||
              memcmp(st->notified.b, st->called.b, st->called.len) != 0))
        why = "no matching Notifier.notify";
    if (why == NULL) {
        text_str(&st->check, "ok");
        captls_sim_log(k, p, NULL,
                       "check ok: %zu bytes echoed back intact%s", st->sent_len,
                       st->called.set ? ", Echo.echo and Notifier.notify match"
                                      : "");
    } else {
        text_str(&st->check, "failed");
        captls_sim_log(k, p, NULL, "check failed: %s", why);
    }
}

static void act_close(captls_sim_proc *p, client_state *st)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (st->conn == CONN_CONNECTING || (st->conn == CONN_OPEN && st->out_len))
        st->close_after_flush = true;
    else if (st->conn == CONN_OPEN)
        client_close(p, st);
    else
        captls_sim_log(k, p, NULL, "close: not connected (%s)",
                       CONN_NAMES[st->conn]);
}

static void act_invoke(captls_sim_proc *p, client_state *st,
                       const captls_sim_arg *cap, const captls_sim_arg *method,
                       const captls_sim_arg *text)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char name[CAPTLS_SIM_NAME_MAX], mname[CAPTLS_SIM_NAME_MAX];
    char q[CAPTLS_SIM_LINE_MAX / 2];
    uint8_t payload[CAPTLS_SIM_ECHO_NONCE_LEN + CLIENT_TEXT];
    captls_cap_handle target;
    uint16_t mid = 0;
    if (!captls_sim_program_arg_name(cap, name, sizeof(name)) ||
        !captls_sim_program_arg_name(method, mname, sizeof(mname)) ||
        text->len > CLIENT_TEXT ||
        captls_sim_proc_cap(p, name, &target) != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "invoke: bad arguments");
        return;
    }
    /* The scenario checked the method against the service's table. */
    if (strcmp(mname, "echo") == 0)
        mid = CAPTLS_SIM_ECHO_METHOD_ECHO;
    else if (strcmp(mname, "reset") == 0)
        mid = CAPTLS_SIM_ECHO_METHOD_RESET;
    memset(payload, 0, CAPTLS_SIM_ECHO_NONCE_LEN);
    memcpy(payload + CAPTLS_SIM_ECHO_NONCE_LEN, text->p, text->len);
    st->invoke_req = ++st->next_req;
    captls_result r = captls_sim_ipc_call(
        p, target, CAPTLS_IFACE_ECHO, mid, st->invoke_req, payload,
        CAPTLS_SIM_ECHO_NONCE_LEN + text->len, NULL, 0);
    captls_sim_log(k, p, NULL, "ipc call Echo.%s(%s) through cap %s: %s",
                   mname, captls_sim_quote(text->p, text->len, q, sizeof(q)),
                   name, captls_result_name(r));
    if (r != CAPTLS_OK) {
        st->invoke_req = 0;
        text_error(&st->invoked, r);
    } else {
        st->invoked.set = false;
    }
}

static void act_time(captls_sim_proc *p, client_state *st)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const captls_clock *c = &captls_sim_proc_port(p)->clock;
    captls_wall_time w;
    char iso[64];
    captls_result r = c->wall_time(c->ctx, &w);
    if (r != CAPTLS_OK) {
        text_error(&st->wall, r);
        captls_sim_log(k, p, NULL, "wall clock: %s", captls_result_name(r));
        return;
    }
    const char *prov =
        w.provenance == CAPTLS_CLOCK_TRUSTED ? "trusted" : "untrusted";
    captls_sim_wall_iso(&w, iso);
    text_str(&st->wall, iso);
    text_str(&st->clock, prov);
    bool back = st->have_time &&
                (w.epoch_seconds < st->last_time.epoch_seconds ||
                 (w.epoch_seconds == st->last_time.epoch_seconds &&
                  w.nanoseconds < st->last_time.nanoseconds));
    if (back)
        text_str(&st->backwards, "yes");
    else if (!st->backwards.set)
        text_str(&st->backwards, "no");
    captls_sim_log(k, p, NULL, "wall clock reads %s (%s)%s", iso, prov,
                   back ? ": earlier than the last reading" : "");
    st->last_time = w;
    st->have_time = true;
}

static void act_put(captls_sim_proc *p, client_state *st,
                    const captls_sim_arg *key, const captls_sim_arg *text)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const captls_blob_store *bs = &captls_sim_proc_port(p)->store;
    char name[CAPTLS_BLOB_KEY_MAX + 1], q[CAPTLS_SIM_LINE_MAX / 2];
    captls_result r = CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_sim_program_arg_name(key, name, sizeof(name)))
        r = bs->put(bs->ctx, name, text->p, text->len);
    if (r == CAPTLS_OK)
        text_str(&st->stored, "ok");
    else
        text_error(&st->stored, r);
    captls_sim_log(k, p, NULL, "store put %s: %s",
                   captls_sim_quote(key->p, key->len, q, sizeof(q)),
                   captls_result_name(r));
}

static void act_get(captls_sim_proc *p, client_state *st,
                    const captls_sim_arg *key)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const captls_blob_store *bs = &captls_sim_proc_port(p)->store;
    char name[CAPTLS_BLOB_KEY_MAX + 1], q[CAPTLS_SIM_LINE_MAX / 2];
    char q2[CAPTLS_SIM_LINE_MAX / 2];
    uint8_t buf[CLIENT_TEXT];
    size_t len = 0;
    captls_result r = CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_sim_program_arg_name(key, name, sizeof(name)))
        r = bs->get(bs->ctx, name, buf, sizeof(buf), &len);
    if (r == CAPTLS_OK)
        text_set(&st->loaded, buf, len);
    else
        text_error(&st->loaded, r);
    captls_sim_log(k, p, NULL, "store get %s: %s",
                   captls_sim_quote(key->p, key->len, q, sizeof(q)),
                   captls_sim_quote(st->loaded.b, st->loaded.len, q2,
                                    sizeof(q2)));
}

static void client_action(captls_sim_proc *p, const captls_sim_action *a)
{
    client_state *st = captls_sim_proc_state(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (strcmp(a->verb, "connect") == 0 && a->nargs == 1)
        act_connect(p, st, &a->args[0]);
    else if (strcmp(a->verb, "send") == 0 && a->nargs == 1)
        act_send(p, st, &a->args[0]);
    else if (strcmp(a->verb, "call") == 0 && a->nargs == 2)
        act_call(p, st, &a->args[0], &a->args[1]);
    else if (strcmp(a->verb, "check") == 0 && a->nargs == 0)
        act_check(p, st);
    else if (strcmp(a->verb, "close") == 0 && a->nargs == 0)
        act_close(p, st);
    else if (strcmp(a->verb, "invoke") == 0 && a->nargs == 3)
        act_invoke(p, st, &a->args[0], &a->args[1], &a->args[2]);
    else if (strcmp(a->verb, "time") == 0 && a->nargs == 0)
        act_time(p, st);
    else if (strcmp(a->verb, "put") == 0 && a->nargs == 2)
        act_put(p, st, &a->args[0], &a->args[1]);
    else if (strcmp(a->verb, "get") == 0 && a->nargs == 1)
        act_get(p, st, &a->args[0]);
    else
        captls_sim_log(k, p, NULL, "unknown action");
}

static bool client_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                        size_t cap, size_t *len)
{
    client_state *st = captls_sim_proc_state(p);
    if (strcmp(name, "received") == 0)
        return captls_sim_program_fact_bytes(st->recvd, st->recvd_len, out,
                                             cap, len);
    if (strcmp(name, "sent") == 0)
        return captls_sim_program_fact_bytes(st->sent, st->sent_len, out, cap,
                                             len);
    if (strcmp(name, "state") == 0)
        return captls_sim_program_fact_bytes(CONN_NAMES[st->conn],
                                             strlen(CONN_NAMES[st->conn]), out,
                                             cap, len);
    static const struct {
        const char *name;
        size_t off;
    } TEXTS[] = {
        {"replied", offsetof(client_state, replied)},
        {"notified", offsetof(client_state, notified)},
        {"check", offsetof(client_state, check)},
        {"invoked", offsetof(client_state, invoked)},
        {"wall", offsetof(client_state, wall)},
        {"clock", offsetof(client_state, clock)},
        {"backwards", offsetof(client_state, backwards)},
        {"stored", offsetof(client_state, stored)},
        {"loaded", offsetof(client_state, loaded)},
    };
    for (size_t i = 0; i < sizeof(TEXTS) / sizeof(TEXTS[0]); i++) {
        if (strcmp(name, TEXTS[i].name) == 0) {
            const text_buf *t =
                (const text_buf *)((const uint8_t *)st + TEXTS[i].off);
            return captls_sim_program_fact_bytes(t->b, t->set ? t->len : 0,
                                                 out, cap, len);
        }
    }
    return false;
}

static const captls_sim_verb CLIENT_VERBS[] = {
    {"connect", "A", "connect HOST:PORT"},
    {"send", "S", "send \"TEXT\""},
    {"call", "CS", "call CAP \"TEXT\""},
    {"check", "", "check"},
    {"close", "", "close"},
    {"invoke", "CMS", "invoke CAP METHOD \"TEXT\""},
    {"time", "", "time"},
    {"put", "SS", "put KEY \"TEXT\""},
    {"get", "S", "get KEY"},
};
static const char *const CLIENT_OPTIONS[] = {NULL};
static const char *const CLIENT_FACTS[] = {
    "received", "sent", "replied", "notified", "check", "state", "invoked",
    "wall", "clock", "backwards", "stored", "loaded", NULL,
};

const captls_sim_program captls_sim_prog_echo_client = {
    .name = "echo-client",
    .iface = 0,
    .state_size = sizeof(client_state),
    .options = CLIENT_OPTIONS,
    .required = CLIENT_OPTIONS,
    .verbs = CLIENT_VERBS,
    .nverbs = sizeof(CLIENT_VERBS) / sizeof(CLIENT_VERBS[0]),
    .facts = CLIENT_FACTS,
    .start = NULL,
    .wake = client_wake,
    .timer = NULL,
    .action = client_action,
    .fact = client_fact,
};
