/* sim/kernel.c — the event queue, the run loop, the transcript, and the
 * kernel's tables of hosts, links and processes. See sim.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "sim/sim_internal.h"

void captls_sim_limits_default(captls_sim_limits *l)
{
    l->max_events = 1000000u;
    l->max_time_ns = 3600ull * CAPTLS_SIM_NS_PER_S;
    l->max_queued = 1u << 20;
    l->max_inflight_bytes = 64u * 1024u * 1024u;
    l->max_hosts = 64;
    l->max_procs = 64;
    l->max_streams = 1024;
    l->max_calls = 1024;
    l->cap_slots = 4096;
}

bool sim_name_copy(char dst[CAPTLS_SIM_NAME_MAX], const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (n == 0 || n >= CAPTLS_SIM_NAME_MAX)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

void sim_drbg_init(br_hmac_drbg_context *d, uint64_t seed, const char *label,
                   const char *name_a, const char *name_b)
{
    /* seed material = SHA-256("captls-sim/v1" 0 label 0 seed64be 0 a 0 b):
     * one independent stream per (seed, purpose, names), so adding a host
     * or a link never shifts the draws of another. */
    br_sha256_context h;
    uint8_t be[8], digest[32];
    static const uint8_t zero = 0;
    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)(seed >> (56 - 8 * i));
    br_sha256_init(&h);
    br_sha256_update(&h, "captls-sim/v1", 13);
    br_sha256_update(&h, &zero, 1);
    br_sha256_update(&h, label, strlen(label));
    br_sha256_update(&h, &zero, 1);
    br_sha256_update(&h, be, 8);
    br_sha256_update(&h, &zero, 1);
    br_sha256_update(&h, name_a, strlen(name_a));
    br_sha256_update(&h, &zero, 1);
    br_sha256_update(&h, name_b, strlen(name_b));
    br_sha256_out(&h, digest);
    br_hmac_drbg_init(d, &br_sha256_vtable, digest, sizeof(digest));
}

/* ------------------------------------------------------------- the heap */

static bool ev_before(const sim_event *x, const sim_event *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

bool sim_schedule(captls_sim_kernel *k, uint64_t at, uint32_t kind,
                  uint32_t a, uint32_t b, uint32_t c, void *ptr)
{
    if (k->nheap >= k->lim.max_queued) {
        snprintf(k->stop_buf, sizeof(k->stop_buf),
                 "queue budget exceeded (%u events pending)",
                 (unsigned)k->lim.max_queued);
        sim_stop(k, k->stop_buf);
        return false;
    }
    if (k->nheap == k->heap_cap) {
        uint32_t ncap = k->heap_cap * 2;
        if (ncap > k->lim.max_queued || ncap < k->heap_cap)
            ncap = k->lim.max_queued;
        sim_event *nh = realloc(k->heap, sizeof(*nh) * ncap);
        if (nh == NULL) {
            sim_stop(k, "out of memory for the event queue");
            return false;
        }
        k->heap = nh;
        k->heap_cap = ncap;
    }
    if (at < k->now)
        at = k->now;
    sim_event e = {at, k->seq++, ptr, a, b, c, kind};
    uint32_t i = k->nheap++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!ev_before(&e, &k->heap[parent]))
            break;
        k->heap[i] = k->heap[parent];
        i = parent;
    }
    k->heap[i] = e;
    return true;
}

static sim_event heap_pop(captls_sim_kernel *k)
{
    sim_event top = k->heap[0];
    sim_event last = k->heap[--k->nheap];
    uint32_t i = 0, n = k->nheap;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ev_before(&k->heap[c + 1], &k->heap[c]))
            c++;
        if (!ev_before(&k->heap[c], &last))
            break;
        k->heap[i] = k->heap[c];
        i = c;
    }
    if (n > 0)
        k->heap[i] = last;
    return top;
}

/* ------------------------------------------------------- kernel life */

captls_result captls_sim_kernel_new(const captls_sim_limits *limits,
                                    uint64_t seed, captls_sim_line_fn out,
                                    void *out_ctx, captls_sim_kernel **kp)
{
    captls_sim_limits l;
    captls_sim_kernel *k;
    if (kp == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *kp = NULL;
    if (limits != NULL)
        l = *limits;
    else
        captls_sim_limits_default(&l);
    if (l.max_hosts == 0 || l.max_procs == 0 || l.max_procs > 65534u ||
        l.max_streams == 0 || l.max_streams > 32767u || l.max_calls == 0 ||
        l.max_calls > 65535u || l.cap_slots == 0 ||
        l.cap_slots > CAPTLS_CAP_MAX_SLOTS || l.max_queued == 0 ||
        l.max_time_ns > CAPTLS_SIM_MAX_TIME_NS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    k = calloc(1, sizeof(*k));
    if (k == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    k->lim = l;
    k->seed = seed;
    k->out = out;
    k->out_ctx = out_ctx;
    br_sha256_init(&k->hash);
    /* The queue grows on demand up to max_queued; the tables are fixed. */
    k->hosts = calloc(l.max_hosts, sizeof(*k->hosts));
    k->procs = calloc(l.max_procs, sizeof(*k->procs));
    k->streams = calloc(l.max_streams, sizeof(*k->streams));
    k->calls = calloc(l.max_calls, sizeof(*k->calls));
    k->slots = calloc(l.cap_slots, sizeof(*k->slots));
    k->heap = malloc(sizeof(*k->heap) * (l.max_queued < 4096 ? l.max_queued
                                                              : 4096));
    k->heap_cap = l.max_queued < 4096 ? l.max_queued : 4096;
    if (k->hosts == NULL || k->procs == NULL || k->streams == NULL ||
        k->calls == NULL || k->slots == NULL || k->heap == NULL ||
        captls_cap_table_init(&k->caps, k->slots, l.cap_slots) != CAPTLS_OK) {
        captls_sim_kernel_free(k);
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    *kp = k;
    return CAPTLS_OK;
}

void captls_sim_kernel_free(captls_sim_kernel *k)
{
    if (k == NULL)
        return;
    for (uint32_t i = 0; i < k->nheap; i++) {
        if (k->heap[i].kind == SIM_EV_IPC)
            free(k->heap[i].ptr);
    }
    sim_net_free_all(k);
    sim_ipc_free_all(k);
    for (uint32_t i = 0; i < k->nhosts; i++)
        sim_host_free(&k->hosts[i]);
    for (uint32_t i = 0; i < k->nprocs; i++)
        free(k->procs[i].state);
    free(k->frame_buf);
    free(k->certs);
    free(k->heap);
    free(k->hosts);
    free(k->links);
    free(k->procs);
    free(k->streams);
    free(k->calls);
    free(k->slots);
    free(k);
}

/* ------------------------------------------------------------ transcript */

const char *captls_sim_quote(const uint8_t *p, size_t len, char *out,
                             size_t cap)
{
    size_t show = len > 64 ? 64 : len, n;
    if (cap < 8) {
        if (cap > 0)
            out[0] = '\0';
        return out;
    }
    out[0] = '"';
    n = 1 + captls_sanitize(p, show, out + 1, cap - 5);
    if (show < len && n + 4 < cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n++] = '"';
    out[n] = '\0';
    return out;
}

void captls_sim_log(captls_sim_kernel *k, const captls_sim_proc *p,
                    const char *part, const char *fmt, ...)
{
    char line[CAPTLS_SIM_LINE_MAX];
    va_list ap;
    int n;
    uint64_t us = k->now / CAPTLS_SIM_NS_PER_US;
    if (p != NULL)
        n = snprintf(line, sizeof(line), "[%5llu.%03llums] %s/%s: ",
                     (unsigned long long)(us / 1000),
                     (unsigned long long)(us % 1000),
                     k->hosts[p->host].name, p->name);
    else
        n = snprintf(line, sizeof(line), "[%5llu.%03llums] %s: ",
                     (unsigned long long)(us / 1000),
                     (unsigned long long)(us % 1000), part);
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len;
    if (m < 0) {
        len = (size_t)n;
        line[len] = '\0';
    } else if ((size_t)m >= sizeof(line) - (size_t)n) {
        len = sizeof(line) - 1;
        memcpy(line + len - 3, "...", 3); /* visible truncation */
    } else {
        len = (size_t)n + (size_t)m;
    }
    br_sha256_update(&k->hash, line, len);
    br_sha256_update(&k->hash, "\n", 1);
    if (k->out != NULL)
        k->out(k->out_ctx, line, len);
}

void captls_sim_transcript_hash(const captls_sim_kernel *k, uint8_t out[32])
{
    br_sha256_out(&k->hash, out); /* does not disturb the running hash */
}

void sim_stop(captls_sim_kernel *k, const char *why)
{
    if (k->stop != NULL)
        return;
    k->stop = why;
    captls_sim_log(k, NULL, "sim", "stopped: %s", why);
}

/* ---------------------------------------------------------------- hosts */

captls_result captls_sim_host_add(captls_sim_kernel *k, const char *name,
                                  int64_t wall_epoch_s,
                                  captls_clock_provenance provenance,
                                  captls_sim_host **out)
{
    captls_sim_host *h;
    if (k == NULL || name == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (k->nhosts >= k->lim.max_hosts)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (captls_sim_host_find(k, name) != NULL)
        return CAPTLS_ERR_ALREADY_EXISTS;
    /* Epoch nanoseconds fit int64 for +-292 years: keep well inside. */
    if (wall_epoch_s < -5000000000ll || wall_epoch_s > 5000000000ll)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    h = &k->hosts[k->nhosts];
    memset(h, 0, sizeof(*h));
    if (!sim_name_copy(h->name, name))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    h->k = k;
    h->index = k->nhosts;
    h->wall_base_ns = wall_epoch_s * (int64_t)CAPTLS_SIM_NS_PER_S;
    h->provenance = provenance;
    h->next_ephemeral = 49152;
    sim_drbg_init(&h->drbg, k->seed, "host-entropy", name, "");
    k->nhosts++;
    if (out != NULL)
        *out = h;
    return CAPTLS_OK;
}

captls_sim_host *captls_sim_host_find(captls_sim_kernel *k, const char *name)
{
    for (uint32_t i = 0; i < k->nhosts; i++) {
        if (strcmp(k->hosts[i].name, name) == 0)
            return &k->hosts[i];
    }
    return NULL;
}

const char *captls_sim_host_name(const captls_sim_host *h)
{
    return h->name;
}

void captls_sim_host_entropy_fail(captls_sim_host *h, bool failing)
{
    h->entropy_failing = failing;
}

/* ---------------------------------------------------------------- links */

static sim_link *link_find(captls_sim_kernel *k, uint32_t a, uint32_t b)
{
    for (uint32_t i = 0; i < k->nlinks; i++) {
        sim_link *l = &k->links[i];
        if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
            return l;
    }
    return NULL;
}

captls_result captls_sim_link_add(captls_sim_kernel *k, captls_sim_host *a,
                                  captls_sim_host *b, uint64_t latency_ns,
                                  uint64_t jitter_ns)
{
    /* Any delay the clock can hold is fine: one past the run's budget
     * simply stops the run when it comes due. */
    if (k == NULL || a == NULL || b == NULL || a == b ||
        latency_ns > CAPTLS_SIM_MAX_TIME_NS || jitter_ns > CAPTLS_SIM_MAX_TIME_NS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (link_find(k, a->index, b->index) != NULL)
        return CAPTLS_ERR_ALREADY_EXISTS;
    if (k->nlinks == k->links_cap) {
        uint32_t ncap = k->links_cap ? k->links_cap * 2 : 8;
        if (ncap > 4u * k->lim.max_hosts * k->lim.max_hosts)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        sim_link *nl = realloc(k->links, sizeof(*nl) * ncap);
        if (nl == NULL)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        k->links = nl;
        k->links_cap = ncap;
    }
    sim_link *l = &k->links[k->nlinks++];
    memset(l, 0, sizeof(*l));
    l->a = a->index;
    l->b = b->index;
    l->latency_ns = latency_ns;
    l->jitter_ns = jitter_ns;
    l->ndrawn = l->used = 0;
    sim_drbg_init(&l->drbg, k->seed, "link-jitter", a->name, b->name);
    return CAPTLS_OK;
}

static uint64_t link_draw(sim_link *l)
{
    uint64_t v = 0;
    if (l->used + 8 > l->ndrawn) {
        br_hmac_drbg_generate(&l->drbg, l->draws, sizeof(l->draws));
        l->ndrawn = sizeof(l->draws);
        l->used = 0;
    }
    for (int i = 0; i < 8; i++)
        v = (v << 8) | l->draws[l->used++];
    return v;
}

bool sim_path_delay(captls_sim_kernel *k, uint32_t a, uint32_t b,
                    uint32_t len, uint64_t *delay)
{
    sim_link *l;
    if (a == b) {
        *delay = CAPTLS_SIM_LOOPBACK_NS;
        return true;
    }
    l = link_find(k, a, b);
    if (l == NULL)
        return false;
    /* Leaves when the link is free (stall over, earlier messages of this
     * direction serialized), then takes latency plus a jitter draw. */
    uint64_t depart = k->now;
    if (l->stall_until > depart)
        depart = l->stall_until;
    if (l->bandwidth > 0) {
        unsigned dir = l->a == a ? 0 : 1;
        if (l->busy_until[dir] > depart)
            depart = l->busy_until[dir];
        /* len < 2^32, times 1e9 < 2^62: fits. */
        uint64_t tx = (uint64_t)len * CAPTLS_SIM_NS_PER_S / l->bandwidth;
        depart += tx;
        l->busy_until[dir] = depart;
    }
    *delay = depart - k->now + l->latency_ns;
    if (l->jitter_ns > 0)
        *delay += link_draw(l) % (l->jitter_ns + 1);
    return true;
}

uint32_t sim_path_segment(captls_sim_kernel *k, uint32_t a, uint32_t b,
                          uint32_t len)
{
    sim_link *l = a == b ? NULL : link_find(k, a, b);
    if (l == NULL || l->split == 0 || len <= 1)
        return len;
    uint32_t most = len < l->split ? len : l->split;
    return 1u + (uint32_t)(link_draw(l) % most);
}

captls_result captls_sim_link_shape(captls_sim_kernel *k, captls_sim_host *a,
                                    captls_sim_host *b, uint32_t split,
                                    uint64_t bandwidth)
{
    if (k == NULL || a == NULL || b == NULL ||
        split > CAPTLS_SIM_STREAM_WINDOW || bandwidth > 1000000000000ull)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    sim_link *l = link_find(k, a->index, b->index);
    if (l == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    l->split = split;
    l->bandwidth = bandwidth;
    return CAPTLS_OK;
}

captls_result captls_sim_link_stall(captls_sim_kernel *k, captls_sim_host *a,
                                    captls_sim_host *b, uint64_t dur_ns)
{
    if (k == NULL || a == NULL || b == NULL ||
        dur_ns > CAPTLS_SIM_MAX_TIME_NS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    sim_link *l = link_find(k, a->index, b->index);
    if (l == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    if (k->now + dur_ns > l->stall_until)
        l->stall_until = k->now + dur_ns;
    return CAPTLS_OK;
}

/* ------------------------------------------------------------ processes */

captls_result captls_sim_proc_add(captls_sim_kernel *k, captls_sim_host *host,
                                  const char *name,
                                  const captls_sim_program *prog,
                                  const captls_sim_opt *opts, size_t nopts,
                                  captls_sim_proc **out)
{
    captls_sim_proc *p;
    if (k == NULL || host == NULL || name == NULL || prog == NULL ||
        (nopts > 0 && opts == NULL))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (k->nprocs >= k->lim.max_procs)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (captls_sim_proc_find(k, name) != NULL)
        return CAPTLS_ERR_ALREADY_EXISTS;
    p = &k->procs[k->nprocs];
    memset(p, 0, sizeof(*p));
    if (!sim_name_copy(p->name, name))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    p->k = k;
    p->index = k->nprocs;
    p->host = host->index;
    p->prog = prog;
    p->opts = opts;
    p->nopts = nopts;
    p->alive = true;
    if (prog->state_size > 0) {
        p->state = calloc(1, prog->state_size);
        if (p->state == NULL)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    if (prog->iface != 0 &&
        captls_cap_mint(&k->caps, CAPTLS_SIM_KERNEL_OWNER, prog->iface, p,
                        CAPTLS_RIGHTS_ALL, &p->root) != CAPTLS_OK) {
        free(p->state);
        p->state = NULL;
        return CAPTLS_ERR_TABLE_FULL;
    }
    sim_host_port_init(p);
    if (!sim_schedule(k, k->now, SIM_EV_START, p->index, 0, 0, NULL)) {
        free(p->state);
        p->state = NULL;
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    k->nprocs++;
    if (out != NULL)
        *out = p;
    return CAPTLS_OK;
}

captls_sim_proc *captls_sim_proc_find(captls_sim_kernel *k, const char *name)
{
    for (uint32_t i = 0; i < k->nprocs; i++) {
        if (strcmp(k->procs[i].name, name) == 0)
            return &k->procs[i];
    }
    return NULL;
}

/* Gives `to` a handle with exactly `rights` below kernel-owned `root`. */
captls_result sim_give_child(captls_sim_kernel *k, captls_cap_handle root,
                                captls_sim_proc *to, captls_rights rights,
                                captls_cap_handle *out)
{
    captls_cap_handle full, narrow;
    captls_cap_owner owner = captls_sim_proc_owner(to);
    CAPTLS_TRY(captls_cap_grant(&k->caps, CAPTLS_SIM_KERNEL_OWNER, root,
                                owner, &full));
    captls_result r =
        captls_cap_attenuate(&k->caps, owner, full, rights, &narrow);
    /* Dropping `full` re-parents `narrow` to the root: the kernel can
     * still revoke it, and `to` holds only what it was given. */
    captls_result d = captls_cap_drop(&k->caps, owner, full);
    if (r != CAPTLS_OK)
        return r;
    if (d != CAPTLS_OK)
        return d;
    *out = narrow;
    return CAPTLS_OK;
}

captls_result captls_sim_grant(captls_sim_kernel *k, captls_sim_proc *service,
                               captls_sim_proc *to, const char *name,
                               captls_rights rights)
{
    captls_cap_handle h;
    if (k == NULL || service == NULL || to == NULL || name == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (service->root == CAPTLS_CAP_NULL)
        return CAPTLS_ERR_WRONG_INTERFACE; /* it serves nothing */
    if (to->ncaps >= CAPTLS_SIM_PROC_CAPS)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (unsigned i = 0; i < to->ncaps; i++) {
        if (strcmp(to->caps[i].name, name) == 0)
            return CAPTLS_ERR_ALREADY_EXISTS;
    }
    sim_named_cap *nc = &to->caps[to->ncaps];
    memset(nc, 0, sizeof(*nc));
    if (!sim_name_copy(nc->name, name))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* A kernel-owned middle handle per grant: revoking it ends exactly
     * this grant and whatever the holder passed on from it. */
    CAPTLS_TRY(captls_cap_attenuate(&k->caps, CAPTLS_SIM_KERNEL_OWNER,
                                    service->root, CAPTLS_RIGHTS_ALL,
                                    &nc->kmid));
    captls_result r = sim_give_child(k, nc->kmid, to, rights, &h);
    if (r != CAPTLS_OK) {
        captls_result d =
            captls_cap_drop(&k->caps, CAPTLS_SIM_KERNEL_OWNER, nc->kmid);
        (void)d; /* just made: cannot fail */
        return r;
    }
    nc->h = h;
    nc->rights = rights;
    to->ncaps++;
    return CAPTLS_OK;
}

static sim_named_cap *named_cap(const captls_sim_proc *p, const char *name)
{
    for (unsigned i = 0; i < p->ncaps; i++) {
        if (strcmp(p->caps[i].name, name) == 0)
            return (sim_named_cap *)&p->caps[i];
    }
    return NULL;
}

captls_result captls_sim_revoke(captls_sim_proc *p, const char *name,
                                uint32_t *ended)
{
    uint32_t n = 0;
    if (p == NULL || name == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    sim_named_cap *nc = named_cap(p, name);
    if (nc == NULL || nc->received)
        return CAPTLS_ERR_NOT_FOUND; /* only granted caps have a kmid */
    if (ended != NULL)
        *ended = 0;
    if (nc->revoked)
        return CAPTLS_OK;
    CAPTLS_TRY(captls_cap_revoke(&p->k->caps, CAPTLS_SIM_KERNEL_OWNER,
                                 nc->kmid, &n));
    nc->revoked = true;
    if (ended != NULL)
        *ended = n > 0 ? n - 1 : 0; /* not counting the kernel's own */
    return CAPTLS_OK;
}

captls_result captls_sim_proc_cap_refusals(const captls_sim_proc *p,
                                           const char *name, uint32_t *count,
                                           captls_result *last)
{
    const sim_named_cap *nc = named_cap(p, name);
    if (nc == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    if (count != NULL)
        *count = nc->refused;
    if (last != NULL)
        *last = nc->last_refusal;
    return CAPTLS_OK;
}

captls_result captls_sim_schedule_action(captls_sim_kernel *k, uint64_t at_ns,
                                         captls_sim_proc *p,
                                         const captls_sim_action *a)
{
    if (k == NULL || p == NULL || a == NULL || a->verb == NULL ||
        a->nargs > CAPTLS_SIM_ACTION_ARGS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!sim_schedule(k, at_ns, SIM_EV_ACTION, p->index, 0, 0, (void *)a))
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    return CAPTLS_OK;
}

void sim_wake(captls_sim_kernel *k, uint32_t proc)
{
    captls_sim_proc *p = &k->procs[proc];
    if (!p->alive || p->wake_pending)
        return;
    if (sim_schedule(k, k->now, SIM_EV_WAKE, proc, 0, 0, NULL))
        p->wake_pending = true;
}

captls_sim_kernel *captls_sim_proc_kernel(captls_sim_proc *p)
{
    return p->k;
}

const captls_port *captls_sim_proc_port(captls_sim_proc *p)
{
    return &p->port;
}

void *captls_sim_proc_state(captls_sim_proc *p)
{
    return p->state;
}

const char *captls_sim_proc_name(const captls_sim_proc *p)
{
    return p->name;
}

captls_sim_host *captls_sim_proc_host(captls_sim_proc *p)
{
    return &p->k->hosts[p->host];
}

captls_cap_owner captls_sim_proc_owner(const captls_sim_proc *p)
{
    return (captls_cap_owner)(p->index + 1);
}

captls_endpoint_id captls_sim_proc_endpoint(const captls_sim_proc *p)
{
    return (captls_endpoint_id)p->index;
}

bool captls_sim_proc_alive(const captls_sim_proc *p)
{
    return p->alive;
}

const char *captls_sim_proc_opt(const captls_sim_proc *p, const char *key)
{
    for (size_t i = 0; i < p->nopts; i++) {
        if (strcmp(p->opts[i].key, key) == 0)
            return p->opts[i].value;
    }
    return NULL;
}

captls_result captls_sim_proc_cap(const captls_sim_proc *p, const char *name,
                                  captls_cap_handle *out)
{
    for (unsigned i = 0; i < p->ncaps; i++) {
        if (strcmp(p->caps[i].name, name) == 0) {
            *out = p->caps[i].h;
            return CAPTLS_OK;
        }
    }
    return CAPTLS_ERR_NOT_FOUND;
}

captls_result captls_sim_proc_mint(captls_sim_proc *p,
                                   captls_interface_id iface,
                                   captls_rights rights,
                                   captls_cap_handle *out)
{
    captls_cap_handle root;
    captls_sim_kernel *k = p->k;
    if (iface == CAPTLS_IFACE_ANY || out == NULL || !p->alive)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_cap_mint(&k->caps, CAPTLS_SIM_KERNEL_OWNER, iface, p,
                               CAPTLS_RIGHTS_ALL, &root));
    captls_result r = sim_give_child(k, root, p, rights, out);
    if (r != CAPTLS_OK) {
        captls_result d =
            captls_cap_drop(&k->caps, CAPTLS_SIM_KERNEL_OWNER, root);
        (void)d; /* just minted: cannot fail */
    } else if (p->nminted < SIM_PROC_MINTED) {
        p->minted[p->nminted++] = *out; /* held by design: not a leak */
    }
    return r;
}

captls_result captls_sim_proc_cap_drop(captls_sim_proc *p, captls_cap_handle h)
{
    return captls_cap_drop(&p->k->caps, captls_sim_proc_owner(p), h);
}

uint8_t *captls_sim_frame_buffer(captls_sim_proc *p)
{
    captls_sim_kernel *k = p->k;
    if (k->frame_buf == NULL)
        k->frame_buf = malloc(CAPTLS_IPC_MAX_FRAME);
    return k->frame_buf;
}

captls_result captls_sim_proc_next_frame(captls_sim_proc *p,
                                        captls_ipc_frame *f)
{
    const captls_ipc *ipc = &captls_sim_proc_port(p)->ipc;
    uint8_t *buf = captls_sim_frame_buffer(p);
    if (buf == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (;;) {
        size_t len = 0, used = 0;
        captls_result r = ipc->recv(ipc->ctx, captls_sim_proc_endpoint(p),
                                    buf, CAPTLS_IPC_MAX_FRAME, &len);
        if (r != CAPTLS_OK)
            return r;
        /* The kernel queues only frames that decoded once already. */
        if (captls_ipc_frame_decode(buf, len, f, &used) == CAPTLS_OK)
            return CAPTLS_OK;
    }
}

captls_result captls_sim_proc_timer(captls_sim_proc *p, uint64_t delay_ns,
                                    uint32_t tag)
{
    captls_sim_kernel *k = p->k;
    if (delay_ns > k->lim.max_time_ns)
        delay_ns = k->lim.max_time_ns + 1; /* fires past the budget */
    if (!sim_schedule(k, k->now + delay_ns, SIM_EV_TIMER, p->index, tag,
                      p->incarnation, NULL))
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    return CAPTLS_OK;
}

void captls_sim_proc_kill(captls_sim_proc *p)
{
    captls_sim_kernel *k = p->k;
    if (!p->alive)
        return;
    p->alive = false;
    p->killed = true;
    captls_sim_log(k, NULL, "sim", "%s/%s died", k->hosts[p->host].name,
                   p->name);
    uint32_t ended = captls_cap_revoke_owner(&k->caps, captls_sim_proc_owner(p));
    if (ended > 0)
        captls_sim_log(k, NULL, "sim", "%s/%s: %u caps revoked",
                       k->hosts[p->host].name, p->name, (unsigned)ended);
    sim_net_proc_died(k, p->index);
    sim_ipc_proc_died(k, p->index);
}

void captls_sim_proc_restart(captls_sim_proc *p)
{
    captls_sim_kernel *k = p->k;
    if (p->alive)
        captls_sim_proc_kill(p);
    if (p->state != NULL)
        memset(p->state, 0, p->prog->state_size);
    p->alive = true;
    p->killed = false;
    p->wake_pending = false;
    p->incarnation++;
    p->nminted = 0;
    /* Badged caps named objects of the earlier life: end them, so a holder
     * cannot reach whatever the new life puts behind the same badge. */
    for (unsigned i = 0; i < p->nbadges; i++) {
        captls_result rv = captls_cap_revoke(&k->caps, CAPTLS_SIM_KERNEL_OWNER,
                                             p->badges[i].root, NULL);
        (void)rv; /* a kernel root: cannot fail */
    }
    p->nbadges = 0;
    /* Caps it received and named died with it. */
    unsigned kept = 0;
    for (unsigned i = 0; i < p->ncaps; i++) {
        if (!p->caps[i].received)
            p->caps[kept++] = p->caps[i];
    }
    p->ncaps = kept;
    unsigned regiven = 0;
    for (unsigned i = 0; i < p->ncaps; i++) {
        sim_named_cap *nc = &p->caps[i];
        if (nc->revoked ||
            sim_give_child(k, nc->kmid, p, nc->rights, &nc->h) != CAPTLS_OK)
            continue;
        regiven++;
    }
    captls_sim_log(k, NULL, "sim", "%s/%s restarted (%u cap%s given again)",
                   k->hosts[p->host].name, p->name, regiven,
                   regiven == 1 ? "" : "s");
    sim_schedule(k, k->now, SIM_EV_START, p->index, 0, 0, NULL);
}

bool captls_sim_proc_killed(const captls_sim_proc *p)
{
    return p->killed;
}

uint32_t captls_sim_proc_reset_streams(captls_sim_proc *p)
{
    return sim_net_reset_proc(p->k, p->index);
}

captls_result captls_sim_schedule_fault(captls_sim_kernel *k, uint64_t at_ns,
                                        const captls_sim_fault *f)
{
    if (k == NULL || f == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!sim_schedule(k, at_ns, SIM_EV_FAULT, 0, 0, 0, (void *)f))
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    return CAPTLS_OK;
}

/* ------------------------------------------------------------- the loop */

uint64_t captls_sim_now(const captls_sim_kernel *k)
{
    return k->now;
}

uint64_t captls_sim_events(const captls_sim_kernel *k)
{
    return k->dispatched;
}

const char *captls_sim_stop_reason(const captls_sim_kernel *k)
{
    return k->stop;
}

captls_cap_table *captls_sim_caps(captls_sim_kernel *k)
{
    return &k->caps;
}

static void dispatch(captls_sim_kernel *k, const sim_event *e)
{
    captls_sim_proc *p;
    switch ((sim_event_kind)e->kind) {
    case SIM_EV_START:
        p = &k->procs[e->a];
        if (p->alive && p->prog->start != NULL)
            p->prog->start(p);
        return;
    case SIM_EV_WAKE:
        p = &k->procs[e->a];
        p->wake_pending = false;
        if (p->alive && p->prog->wake != NULL)
            p->prog->wake(p);
        return;
    case SIM_EV_TIMER:
        p = &k->procs[e->a];
        if (p->alive && p->incarnation == e->c && p->prog->timer != NULL)
            p->prog->timer(p, e->b);
        return;
    case SIM_EV_ACTION:
        p = &k->procs[e->a];
        if (!p->alive) {
            captls_sim_log(k, p, NULL, "action %s skipped: process is dead",
                           ((const captls_sim_action *)e->ptr)->verb);
            return;
        }
        if (p->prog->action != NULL)
            p->prog->action(p, (const captls_sim_action *)e->ptr);
        return;
    case SIM_EV_SEGMENT:
        sim_net_segment_arrive(k, e->a, e->b, e->c);
        return;
    case SIM_EV_REFUSE:
        sim_net_refuse_arrive(k, e->a, e->b);
        return;
    case SIM_EV_IPC:
        sim_ipc_arrive(k, (sim_frame *)e->ptr);
        return;
    case SIM_EV_FAULT:
        sim_fault_run(k, (const captls_sim_fault *)e->ptr);
        return;
    }
}

static captls_result run_to(captls_sim_kernel *k, uint64_t limit)
{
    while (k->stop == NULL && k->nheap > 0) {
        if (k->heap[0].time > limit)
            break;
        if (k->heap[0].time > k->lim.max_time_ns) {
            snprintf(k->stop_buf, sizeof(k->stop_buf),
                     "virtual time budget exceeded (%llu ms)",
                     (unsigned long long)(k->lim.max_time_ns /
                                          CAPTLS_SIM_NS_PER_MS));
            sim_stop(k, k->stop_buf);
            break;
        }
        if (k->dispatched >= k->lim.max_events) {
            snprintf(k->stop_buf, sizeof(k->stop_buf),
                     "event budget exceeded (%llu events)",
                     (unsigned long long)k->lim.max_events);
            sim_stop(k, k->stop_buf);
            break;
        }
        sim_event e = heap_pop(k);
        k->now = e.time;
        k->dispatched++;
        dispatch(k, &e);
    }
    return k->stop != NULL ? CAPTLS_ERR_LIMIT_EXCEEDED : CAPTLS_OK;
}

captls_result captls_sim_run(captls_sim_kernel *k)
{
    if (k == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return run_to(k, UINT64_MAX);
}

captls_result captls_sim_run_until(captls_sim_kernel *k, uint64_t t)
{
    if (k == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(run_to(k, t));
    if (t > k->lim.max_time_ns)
        t = k->lim.max_time_ns;
    if (t > k->now)
        k->now = t;
    return CAPTLS_OK;
}
