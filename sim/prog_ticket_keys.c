/* sim/prog_ticket_keys.c — the ticket-key service: holds a TLS server's
 * session-ticket keys in a process of its own, so that they outlive the
 * server (a restarted server still opens the tickets it issued before) and
 * the server never holds the key bytes.
 *
 * The key is reached as an object cap (sim.h, captls_sim_proc_mint_object):
 * TicketKey.get (method 1, call) answers with a cap (call + grant) whose
 * object is a captls_tls_ticket_key (core/tls/tls_config.h). The server's
 * config calls seal/open through it synchronously, looking the cap up in
 * the kernel's table each time, so a dead ticket service means
 * CAPTLS_ERR_STALE_HANDLE for the server (no tickets, full handshakes),
 * never a dangling key.
 *
 * The keys are core/tls/ticket_key.h's (AES-256-GCM, current + previous:
 * `rotate` makes a new current key, the previous one still opens, the one
 * before is retired), drawn from THIS host's entropy at start: a restart
 * of this service loses them, and tickets sealed before are refused
 * (AUTH_FAILED: the engine falls back to a full handshake). Keys are
 * numbered 1, 2, ... in the transcript (their names are random).
 */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/ticket_key.h"
#include "sim/programs.h"

typedef struct tk_state {
    /* The object the TicketKey caps name. */
    captls_tls_ticket_key obj;
    captls_sim_proc *self;
    bool ready;
    captls_tls_ticket_keys keys;
    uint32_t cur_no; /* number of the current key; previous is cur_no - 1 */
    captls_cap_handle obj_cap; /* root, minted on the first get */
    uint64_t sealed, opened, refused, gets;
} tk_state;

/* Which of our keys named the ticket: cur_no, cur_no - 1 or 0. */
static uint32_t key_no(const tk_state *st, const uint8_t *ticket, size_t len)
{
    if (len < CAPTLS_TLS_TICKET_KEY_NAME_SIZE)
        return 0;
    if (st->keys.current.present &&
        memcmp(ticket, st->keys.current.name,
               CAPTLS_TLS_TICKET_KEY_NAME_SIZE) == 0)
        return st->cur_no;
    if (st->keys.previous.present &&
        memcmp(ticket, st->keys.previous.name,
               CAPTLS_TLS_TICKET_KEY_NAME_SIZE) == 0)
        return st->cur_no - 1;
    return 0;
}

static captls_result tk_seal(void *ctx, const uint8_t *plain, size_t plain_len,
                             uint8_t *out, size_t out_cap, size_t *out_len)
{
    tk_state *st = ctx;
    if (!st->ready)
        return CAPTLS_ERR_INTERNAL;
    captls_result r = captls_tls_ticket_keys_seal(&st->keys, plain, plain_len,
                                                  out, out_cap, out_len);
    if (r == CAPTLS_OK)
        st->sealed++;
    captls_sim_log(captls_sim_proc_kernel(st->self), st->self, NULL,
                   "seal a ticket with key %u: %s", (unsigned)st->cur_no,
                   captls_result_name(r));
    return r;
}

static captls_result tk_open(void *ctx, const uint8_t *ticket, size_t len,
                             uint8_t *plain, size_t plain_cap,
                             size_t *plain_len)
{
    tk_state *st = ctx;
    captls_sim_kernel *k = captls_sim_proc_kernel(st->self);
    if (!st->ready)
        return CAPTLS_ERR_AUTH_FAILED;
    uint32_t no = key_no(st, ticket, len);
    captls_result r = captls_tls_ticket_keys_open(&st->keys, ticket, len,
                                                  plain, plain_cap, plain_len);
    if (r == CAPTLS_OK) {
        st->opened++;
        captls_sim_log(k, st->self, NULL, "opened a ticket sealed with key %u",
                       (unsigned)no);
    } else {
        st->refused++;
        captls_sim_log(k, st->self, NULL, "refused a ticket (%s): %s",
                       no == 0 ? "no key of ours" : "bad seal",
                       captls_result_name(r));
    }
    return r;
}

static void tk_start(captls_sim_proc *p)
{
    tk_state *st = captls_sim_proc_state(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    st->self = p;
    st->obj.ctx = st;
    st->obj.seal = tk_seal;
    st->obj.open = tk_open;
    captls_result r = captls_tls_ticket_keys_init(
        &st->keys, captls_sim_proc_port(p)->entropy);
    st->ready = r == CAPTLS_OK;
    st->cur_no = 1;
    if (st->ready)
        captls_sim_log(k, p, NULL, "serving TicketKey: key %u",
                       (unsigned)st->cur_no);
    else
        captls_sim_log(k, p, NULL, "no ticket key: %s", captls_result_name(r));
}

static void handle_call(captls_sim_proc *p, tk_state *st,
                        const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    captls_result r;
    captls_sim_program_drop_caps(p, f, 0);
    if (f->iface != CAPTLS_IFACE_TICKET_KEY ||
        f->method != CAPTLS_SIM_TICKET_M_GET || !st->ready) {
        r = captls_sim_ipc_error(p, f, CAPTLS_ERR_UNSUPPORTED);
        (void)r;
        captls_sim_log(k, p, NULL, "refused call %s#%u",
                       captls_interface_name(f->iface), (unsigned)f->method);
        return;
    }
    r = CAPTLS_OK;
    if (st->obj_cap == CAPTLS_CAP_NULL)
        r = captls_sim_proc_mint_object(p, CAPTLS_IFACE_TICKET_KEY, &st->obj,
                                        CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT,
                                        &st->obj_cap);
    if (r == CAPTLS_OK)
        r = captls_sim_ipc_return_caps(p, f, NULL, 0, &st->obj_cap, 1);
    else {
        captls_result e = captls_sim_ipc_error(p, f, r);
        (void)e;
    }
    if (r == CAPTLS_OK)
        st->gets++;
    captls_sim_log(k, p, NULL, "TicketKey.get: cap passed: %s",
                   captls_result_name(r));
}

static void tk_wake(captls_sim_proc *p)
{
    tk_state *st = captls_sim_proc_state(p);
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (f.kind == CAPTLS_IPC_CALL)
            handle_call(p, st, &f);
        else
            captls_sim_program_drop_caps(p, &f, 0);
    }
}

static void tk_action(captls_sim_proc *p, const captls_sim_action *a)
{
    tk_state *st = captls_sim_proc_state(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    if (strcmp(a->verb, "rotate") == 0 && st->ready) {
        captls_result r = captls_tls_ticket_keys_rotate(&st->keys);
        if (r == CAPTLS_OK)
            st->cur_no++;
        captls_sim_log(k, p, NULL,
                       "rotate: %s; key %u seals, key %u still opens",
                       captls_result_name(r), (unsigned)st->cur_no,
                       (unsigned)st->cur_no - 1);
        return;
    }
    captls_sim_log(k, p, NULL, "%s: not ready", a->verb);
}

static bool tk_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                    size_t cap, size_t *len)
{
    tk_state *st = captls_sim_proc_state(p);
    uint64_t v;
    if (strcmp(name, "sealed") == 0)
        v = st->sealed;
    else if (strcmp(name, "opened") == 0)
        v = st->opened;
    else if (strcmp(name, "refused") == 0)
        v = st->refused;
    else if (strcmp(name, "key") == 0)
        v = st->cur_no;
    else
        return false;
    return captls_sim_program_fact_u64(v, out, cap, len);
}

static const char *const TK_OPTIONS[] = {NULL};
static const char *const TK_FACTS[] = {"sealed", "opened", "refused", "key",
                                       NULL};
static const captls_sim_verb TK_VERBS[] = {
    {"rotate", "", "rotate"},
};
static const captls_sim_method TK_METHODS[] = {
    {CAPTLS_IFACE_TICKET_KEY, CAPTLS_SIM_TICKET_M_GET, "get",
     CAPTLS_RIGHT_CALL},
};

const captls_sim_program captls_sim_prog_ticket_keys = {
    .name = "ticket-keys",
    .iface = CAPTLS_IFACE_TICKET_KEY,
    .state_size = sizeof(tk_state),
    .options = TK_OPTIONS,
    .required = TK_OPTIONS,
    .verbs = TK_VERBS,
    .nverbs = sizeof(TK_VERBS) / sizeof(TK_VERBS[0]),
    .facts = TK_FACTS,
    .methods = TK_METHODS,
    .nmethods = sizeof(TK_METHODS) / sizeof(TK_METHODS[0]),
    .start = tk_start,
    .wake = tk_wake,
    .timer = NULL,
    .action = tk_action,
    .fact = tk_fact,
};
