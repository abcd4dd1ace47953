/* sim/ipc.c — IPC endpoints between simulated processes.
 *
 * Every process has one endpoint: a queue of frames (core/cap/ipc_frame.h)
 * delivered to it, read with the port's recv. A frame is checked, its caps
 * are granted to the receiver (captls_ipc_transfer_caps over the kernel's
 * one cap table) and it is re-encoded when it is sent; it arrives as an
 * event after the path's latency (a link's, or CAPTLS_SIM_LOOPBACK_NS on
 * one host or between hosts without a link). The kernel remembers every
 * call until it is answered, so that when a callee dies each of its
 * callers gets an ERROR frame with CAPTLS_ERR_ENDPOINT_DEAD instead of
 * waiting forever. See sim.h for the rules of send and recv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap/audit.h"
#include "sim/sim_internal.h"

static uint64_t ipc_delay(captls_sim_kernel *k, uint32_t a, uint32_t b,
                          size_t len)
{
    uint64_t d;
    if (!sim_path_delay(k, a, b, (uint32_t)len, &d))
        d = CAPTLS_SIM_LOOPBACK_NS;
    return d;
}

static uint32_t call_id(const captls_sim_kernel *k, uint32_t idx)
{
    return ((uint32_t)k->calls[idx].gen << 16) | (idx + 1);
}

static sim_call *call_get(captls_sim_kernel *k, uint32_t id, uint32_t *idx)
{
    uint32_t i = (id & 0xFFFFu);
    if (i == 0 || i > k->lim.max_calls)
        return NULL;
    i--;
    sim_call *c = &k->calls[i];
    if (!c->used || c->gen != (uint16_t)(id >> 16))
        return NULL;
    *idx = i;
    return c;
}

static int32_t call_alloc(captls_sim_kernel *k)
{
    for (uint32_t i = 0; i < k->lim.max_calls; i++) {
        if (!k->calls[i].used)
            return (int32_t)i;
    }
    return -1;
}

static void call_release(captls_sim_kernel *k, uint32_t idx)
{
    k->calls[idx].used = false;
    k->calls[idx].gen++;
}

/* Encodes f and schedules its arrival at proc `to`. */
static captls_result frame_post(captls_sim_kernel *k, uint32_t from,
                                uint32_t to, const captls_ipc_frame *f)
{
    size_t len;
    captls_result r = captls_ipc_frame_encode(f, NULL, 0, &len);
    if (r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return r == CAPTLS_OK ? CAPTLS_ERR_INTERNAL : r;
    sim_frame *sf = malloc(sizeof(*sf) + len);
    if (sf == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    CAPTLS_TRY(captls_ipc_frame_encode(f, sf->data, len, &sf->len));
    sf->next = NULL;
    sf->to = to;
    sf->to_inc = k->procs[to].incarnation;
    sf->call = 0;
    uint64_t t = k->now + ipc_delay(k, k->procs[from].host, k->procs[to].host,
                                   sf->len);
    if (!sim_schedule(k, t, SIM_EV_IPC, 0, 0, 0, sf)) {
        free(sf);
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    k->inflight_bytes += sf->len;
    if (k->inflight_bytes > k->lim.max_inflight_bytes)
        sim_stop(k, "in-flight byte budget exceeded");
    k->procs[to].q_count++;
    return CAPTLS_OK;
}

static void drop_granted(captls_sim_kernel *k, captls_cap_owner owner,
                         const captls_ipc_frame *f)
{
    for (uint16_t i = 0; i < f->ncaps; i++) {
        captls_result d = captls_cap_drop(&k->caps, owner, f->caps[i]);
        (void)d; /* granted just above: cannot fail */
    }
}

/* The rights method (iface, id) of the program behind `target` needs. */
static const captls_sim_method *method_of(const captls_sim_proc *target,
                                          captls_interface_id iface,
                                          uint16_t id)
{
    const captls_sim_program *prog = target->prog;
    for (size_t i = 0; prog->methods != NULL && i < prog->nmethods; i++) {
        if (prog->methods[i].iface == iface && prog->methods[i].id == id)
            return &prog->methods[i];
    }
    return NULL;
}

/* The kernel refused a call: count it against the caller's named cap and
 * write an audit record (the refusal is the reference monitor's). */
static void refusal(captls_sim_proc *p, captls_cap_handle h,
                    const captls_ipc_frame *f, const captls_sim_method *m,
                    captls_result why)
{
    captls_sim_kernel *k = p->k;
    const char *capname = "(unnamed)";
    char detail[160], line[CAPTLS_AUDIT_LINE_MAX];
    for (unsigned i = 0; i < p->ncaps; i++) {
        if (p->caps[i].h == h) {
            p->caps[i].refused++;
            p->caps[i].last_refusal = why;
            capname = p->caps[i].name;
        }
    }
    captls_audit_record rec;
    captls_wall_time wall;
    size_t len;
    captls_sim_host_wall(&k->hosts[p->host], &wall);
    if (captls_audit_record_init(&rec, k->now, &wall,
                                 captls_sim_proc_owner(p), f->iface,
                                 f->method, "ipc.call.refused",
                                 why) != CAPTLS_OK)
        return;
    snprintf(detail, sizeof(detail), "%s/%s via cap %s%s%s",
             k->hosts[p->host].name, p->name, capname,
             m != NULL ? ": method " : "", m != NULL ? m->name : "");
    captls_audit_set_detail(&rec, (const uint8_t *)detail, strlen(detail));
    if (captls_audit_format(&rec, line, sizeof(line), &len) == CAPTLS_OK)
        captls_sim_log(k, NULL, "ipc", "%s", line);
}

static captls_result send_call(captls_sim_proc *p, captls_endpoint_id to,
                               captls_ipc_frame *f)
{
    captls_sim_kernel *k = p->k;
    captls_cap_info info;
    captls_cap_handle target_cap = (captls_cap_handle)to;
    captls_result lr = captls_cap_lookup(&k->caps, captls_sim_proc_owner(p),
                                         target_cap, f->iface,
                                         CAPTLS_RIGHT_CALL, &info);
    const captls_sim_method *m = NULL;
    if (lr == CAPTLS_OK) {
        m = method_of(info.object, f->iface, f->method);
        if (m != NULL && (info.rights & m->rights) != m->rights)
            lr = CAPTLS_ERR_NO_AUTHORITY;
    }
    if (lr != CAPTLS_OK) {
        refusal(p, target_cap, f, m, lr);
        return lr;
    }
    captls_sim_proc *t = info.object;
    if (!t->alive)
        return CAPTLS_ERR_ENDPOINT_DEAD;
    if (t->q_count >= CAPTLS_SIM_IPC_QUEUE)
        return CAPTLS_WOULD_BLOCK;
    int32_t ci = call_alloc(k);
    if (ci < 0)
        return CAPTLS_WOULD_BLOCK;
    uint32_t caller_req = f->request_id;
    CAPTLS_TRY(captls_ipc_transfer_caps(&k->caps, captls_sim_proc_owner(p),
                                        captls_sim_proc_owner(t), f));
    sim_call *c = &k->calls[ci];
    c->used = true;
    c->caller = p->index;
    c->caller_inc = p->incarnation;
    c->callee = t->index;
    c->caller_req = caller_req;
    c->iface = f->iface;
    c->method = f->method;
    c->badge = sim_ipc_badge_of(k, t, target_cap);
    f->request_id = call_id(k, (uint32_t)ci);
    captls_result r = frame_post(k, p->index, t->index, f);
    if (r != CAPTLS_OK) {
        drop_granted(k, captls_sim_proc_owner(t), f);
        call_release(k, (uint32_t)ci);
    }
    return r;
}

static captls_result send_answer(captls_sim_proc *p, captls_ipc_frame *f)
{
    captls_sim_kernel *k = p->k;
    uint32_t ci;
    sim_call *c = call_get(k, f->request_id, &ci);
    if (c == NULL || c->callee != p->index)
        return CAPTLS_ERR_NOT_FOUND; /* no such call waits for p */
    if (f->iface != c->iface || f->method != c->method)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_sim_proc *caller = &k->procs[c->caller];
    if (!caller->alive || caller->incarnation != c->caller_inc) {
        call_release(k, ci);
        return CAPTLS_ERR_ENDPOINT_DEAD;
    }
    CAPTLS_TRY(captls_ipc_transfer_caps(&k->caps, captls_sim_proc_owner(p),
                                        captls_sim_proc_owner(caller), f));
    f->request_id = c->caller_req;
    captls_result r = frame_post(k, p->index, caller->index, f);
    if (r != CAPTLS_OK) {
        drop_granted(k, captls_sim_proc_owner(caller), f);
        return r; /* the call still waits: p may answer again */
    }
    call_release(k, ci);
    return CAPTLS_OK;
}

static captls_result ipc_send(void *ctx, captls_endpoint_id to,
                              const uint8_t *frame, size_t len)
{
    captls_sim_proc *p = ctx;
    captls_ipc_frame f;
    size_t used;
    if (frame == NULL || !p->alive)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_result r = captls_ipc_frame_decode(frame, len, &f, &used);
    if (r != CAPTLS_OK || used != len)
        return CAPTLS_ERR_MALFORMED; /* whole frames only */
    if (f.kind == CAPTLS_IPC_CALL)
        return send_call(p, to, &f);
    return send_answer(p, &f);
}

static captls_result ipc_recv(void *ctx, captls_endpoint_id self, uint8_t *buf,
                              size_t cap, size_t *len)
{
    captls_sim_proc *p = ctx;
    if (len == NULL || self != captls_sim_proc_endpoint(p) || !p->alive)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    sim_frame *f = p->q_head;
    if (f == NULL)
        return CAPTLS_WOULD_BLOCK;
    *len = f->len;
    if (buf == NULL || cap < f->len)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, f->data, f->len);
    p->q_head = f->next;
    if (p->q_head == NULL)
        p->q_tail = NULL;
    p->q_count--;
    free(f);
    return CAPTLS_OK;
}

const captls_ipc sim_ipc_vtable = {
    .ctx = NULL,
    .send = ipc_send,
    .recv = ipc_recv,
};

void sim_ipc_arrive(captls_sim_kernel *k, sim_frame *f)
{
    captls_sim_proc *t = &k->procs[f->to];
    k->inflight_bytes -= f->len;
    if (!t->alive || t->incarnation != f->to_inc) {
        free(f); /* its caller was answered when t died */
        return;
    }
    if (t->q_tail != NULL)
        t->q_tail->next = f;
    else
        t->q_head = f;
    t->q_tail = f;
    sim_wake(k, t->index);
}

void sim_ipc_proc_died(captls_sim_kernel *k, uint32_t proc)
{
    captls_sim_proc *p = &k->procs[proc];
    sim_frame *f = p->q_head;
    while (f != NULL) {
        sim_frame *next = f->next;
        free(f);
        f = next;
    }
    p->q_head = p->q_tail = NULL;
    p->q_count = 0;
    /* Answer every call p will never answer. */
    for (uint32_t i = 0; i < k->lim.max_calls; i++) {
        sim_call *c = &k->calls[i];
        if (!c->used || c->callee != proc)
            continue;
        captls_sim_proc *caller = &k->procs[c->caller];
        if (caller->alive && caller->incarnation == c->caller_inc) {
            captls_ipc_frame e;
            memset(&e, 0, sizeof(e));
            e.kind = CAPTLS_IPC_ERROR;
            e.iface = c->iface;
            e.method = c->method;
            e.request_id = c->caller_req;
            e.status = CAPTLS_ERR_ENDPOINT_DEAD;
            captls_sim_log(k, NULL, "ipc",
                           "call %s#%u from %s/%s to %s/%s: endpoint_dead",
                           captls_interface_name(c->iface),
                           (unsigned)c->method,
                           k->hosts[caller->host].name, caller->name,
                           k->hosts[p->host].name, p->name);
            captls_result r = frame_post(k, proc, c->caller, &e);
            (void)r; /* only fails when a budget stopped the run */
        }
        call_release(k, i);
    }
}

void sim_ipc_free_all(captls_sim_kernel *k)
{
    if (k->procs == NULL)
        return;
    for (uint32_t i = 0; i < k->nprocs; i++) {
        sim_frame *f = k->procs[i].q_head;
        while (f != NULL) {
            sim_frame *next = f->next;
            free(f);
            f = next;
        }
        k->procs[i].q_head = k->procs[i].q_tail = NULL;
    }
}

/* Cap chains are short (kernel root, grant middle, holder, a few hops of
 * passing on); the walk stops after this many parents. */
#define SIM_BADGE_WALK 64u

uint32_t sim_ipc_badge_of(const captls_sim_kernel *k,
                          const captls_sim_proc *target, captls_cap_handle h)
{
    if (target->nbadges == 0)
        return 0;
    for (unsigned step = 0; step < SIM_BADGE_WALK && h != CAPTLS_CAP_NULL;
         step++) {
        uint32_t idx = (h & 0xFFFFu);
        if (idx == 0 || idx > k->caps.nslots)
            return 0;
        const captls_cap_slot *sl = &k->slots[idx - 1];
        if (sl->generation != (uint16_t)(h >> 16) || sl->object != target)
            return 0;
        for (unsigned i = 0; i < target->nbadges; i++) {
            if (target->badges[i].root == h)
                return target->badges[i].badge;
        }
        h = sl->parent;
    }
    return 0;
}

uint32_t captls_sim_proc_call_badge(const captls_sim_proc *p,
                                    const captls_ipc_frame *call)
{
    uint32_t idx;
    if (p == NULL || call == NULL || call->kind != CAPTLS_IPC_CALL)
        return 0;
    const sim_call *c = call_get(p->k, call->request_id, &idx);
    if (c == NULL || c->callee != p->index)
        return 0;
    return c->badge;
}

uint32_t captls_sim_proc_cap_badge(const captls_sim_proc *p,
                                   captls_cap_handle h)
{
    captls_cap_info info;
    if (p == NULL ||
        captls_cap_lookup(&p->k->caps, captls_sim_proc_owner(p), h,
                          CAPTLS_IFACE_ANY, 0, &info) != CAPTLS_OK ||
        info.object != p)
        return 0;
    return sim_ipc_badge_of(p->k, p, h);
}

/* ------------------------------------------------- helpers for programs */

captls_result captls_sim_ipc_call(captls_sim_proc *p, captls_cap_handle target,
                                  captls_interface_id iface, uint16_t method,
                                  uint32_t request_id, const uint8_t *payload,
                                  size_t len, const captls_cap_handle *caps,
                                  uint16_t ncaps)
{
    captls_ipc_frame f;
    size_t flen;
    if (ncaps > CAPTLS_IPC_MAX_CAPS || (ncaps > 0 && caps == NULL))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&f, 0, sizeof(f));
    f.kind = CAPTLS_IPC_CALL;
    f.iface = iface;
    f.method = method;
    f.request_id = request_id;
    f.ncaps = ncaps;
    if (ncaps > 0)
        memcpy(f.caps, caps, sizeof(caps[0]) * ncaps);
    f.payload = payload;
    f.payload_len = len;
    captls_result r = captls_ipc_frame_encode(&f, NULL, 0, &flen);
    if (r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return r == CAPTLS_OK ? CAPTLS_ERR_INTERNAL : r;
    uint8_t *buf = malloc(flen);
    if (buf == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    r = captls_ipc_frame_encode(&f, buf, flen, &flen);
    if (r == CAPTLS_OK)
        r = p->port.ipc.send(p->port.ipc.ctx, (captls_endpoint_id)target, buf,
                             flen);
    free(buf);
    return r;
}

static captls_result answer(captls_sim_proc *p, const captls_ipc_frame *call,
                            captls_result status, const uint8_t *payload,
                            size_t len, const captls_cap_handle *caps,
                            uint16_t ncaps)
{
    captls_ipc_frame f;
    size_t flen;
    if (call == NULL || call->kind != CAPTLS_IPC_CALL ||
        ncaps > CAPTLS_IPC_MAX_CAPS || (ncaps > 0 && caps == NULL))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&f, 0, sizeof(f));
    f.ncaps = ncaps;
    if (ncaps > 0)
        memcpy(f.caps, caps, sizeof(caps[0]) * ncaps);
    f.kind = status == CAPTLS_OK ? CAPTLS_IPC_RETURN : CAPTLS_IPC_ERROR;
    f.iface = call->iface;
    f.method = call->method;
    f.request_id = call->request_id;
    f.status = (uint32_t)status;
    f.payload = payload;
    f.payload_len = len;
    captls_result r = captls_ipc_frame_encode(&f, NULL, 0, &flen);
    if (r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        return r == CAPTLS_OK ? CAPTLS_ERR_INTERNAL : r;
    uint8_t *buf = malloc(flen);
    if (buf == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    r = captls_ipc_frame_encode(&f, buf, flen, &flen);
    if (r == CAPTLS_OK)
        r = p->port.ipc.send(p->port.ipc.ctx, 0, buf, flen);
    free(buf);
    return r;
}

captls_result captls_sim_ipc_return(captls_sim_proc *p,
                                    const captls_ipc_frame *call,
                                    const uint8_t *payload, size_t len)
{
    return answer(p, call, CAPTLS_OK, payload, len, NULL, 0);
}

captls_result captls_sim_ipc_return_caps(captls_sim_proc *p,
                                         const captls_ipc_frame *call,
                                         const uint8_t *payload, size_t len,
                                         const captls_cap_handle *caps,
                                         uint16_t ncaps)
{
    return answer(p, call, CAPTLS_OK, payload, len, caps, ncaps);
}

captls_result captls_sim_ipc_error(captls_sim_proc *p,
                                   const captls_ipc_frame *call,
                                   captls_result status)
{
    if (!captls_result_is_error(status))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return answer(p, call, status, NULL, 0, NULL, 0);
}
