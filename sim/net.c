/* sim/net.c — in-memory stream sockets between simulated hosts.
 *
 * A connection is a pair of stream records, one per side. Each side keeps
 * the segments it sent that have not arrived yet (data, FIN, RST, SYN,
 * SYN-ACK) in order; each segment arrives as its own event after the
 * path's latency plus a jitter draw, never before the segment sent ahead
 * of it, so a direction stays in order like TCP. Flow control: a side may
 * have at most CAPTLS_SIM_STREAM_WINDOW bytes in flight plus unread at the
 * peer; beyond that a write is short or CAPTLS_WOULD_BLOCK, and the writer
 * is woken when the reader frees space.
 *
 * TCP-like rules kept on purpose: data arriving at a side whose handle is
 * closed is answered with a reset; closing with unread data resets instead
 * of sending FIN; a SYN to a port nobody listens on is refused after one
 * round trip. Both records are freed together once both handles are closed
 * and nothing is in flight. Ids carry a generation, so a stale id is
 * refused. See sim.h for the port contract.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

#define BACKLOG_MAX 16u

static captls_stream_id make_id(const captls_sim_kernel *k, uint32_t idx)
{
    return (captls_stream_id)((((uint32_t)k->streams[idx].gen & 0x7FFFu)
                               << 16) |
                              idx);
}

static const char *hname(const captls_sim_kernel *k, uint32_t host)
{
    return k->hosts[host].name;
}

/* The caller's stream `id`, or NULL. */
static sim_stream *stream_get(captls_sim_proc *p, captls_stream_id id,
                              uint32_t *idx)
{
    captls_sim_kernel *k = p->k;
    uint32_t i, gen;
    if (id < 0)
        return NULL;
    i = (uint32_t)id & 0xFFFFu;
    gen = ((uint32_t)id >> 16) & 0x7FFFu;
    if (i >= k->nstreams_used)
        return NULL;
    sim_stream *s = &k->streams[i];
    if (s->state == SIM_ST_FREE || (s->gen & 0x7FFFu) != gen ||
        s->proc != p->index || !s->handle_open)
        return NULL;
    *idx = i;
    return s;
}

static int32_t stream_alloc(captls_sim_kernel *k, uint32_t host,
                            uint32_t proc)
{
    for (uint32_t i = 0; i < k->lim.max_streams; i++) {
        sim_stream *s = &k->streams[i];
        if (s->state != SIM_ST_FREE)
            continue;
        uint16_t gen = s->gen;
        memset(s, 0, sizeof(*s));
        s->gen = gen;
        s->host = host;
        s->proc = proc;
        s->peer = -1;
        s->bl_head = s->bl_tail = s->bl_next = -1;
        if (i >= k->nstreams_used)
            k->nstreams_used = i + 1;
        return (int32_t)i;
    }
    return -1;
}

static void out_discard(captls_sim_kernel *k, sim_stream *s)
{
    sim_segment *g = s->out_head;
    while (g != NULL) {
        sim_segment *next = g->next;
        k->inflight_bytes -= g->len;
        free(g);
        g = next;
    }
    s->out_head = s->out_tail = NULL;
    s->out_bytes = 0;
}

static void stream_free(captls_sim_kernel *k, uint32_t idx)
{
    sim_stream *s = &k->streams[idx];
    out_discard(k, s);
    free(s->rx);
    s->rx = NULL;
    s->state = SIM_ST_FREE;
    s->gen++; /* events and ids naming the old use are now stale */
}

static bool stream_done(const sim_stream *s)
{
    return !s->handle_open && !s->in_backlog && s->out_head == NULL;
}

static void maybe_free(captls_sim_kernel *k, uint32_t idx)
{
    sim_stream *s = &k->streams[idx];
    if (s->state == SIM_ST_FREE || !stream_done(s))
        return;
    if (s->peer >= 0) {
        uint32_t pi = (uint32_t)s->peer;
        sim_stream *ps = &k->streams[pi];
        if (!stream_done(ps))
            return;
        ps->peer = -1;
        s->peer = -1;
        stream_free(k, pi);
    }
    stream_free(k, idx);
}

/* Queues one segment from stream idx to its peer's host. */
static void seg_send(captls_sim_kernel *k, uint32_t idx, uint8_t type,
                     const uint8_t *data, uint32_t len)
{
    sim_stream *s = &k->streams[idx];
    uint64_t delay, t;
    if (!sim_path_delay(k, s->host, s->rhost, len, &delay))
        return; /* no route: the segment is lost */
    sim_segment *g = malloc(sizeof(*g) + len);
    if (g == NULL) {
        sim_stop(k, "out of memory for stream segments");
        return;
    }
    g->next = NULL;
    g->type = type;
    g->num = s->out_num++;
    g->len = len;
    if (len > 0)
        memcpy(g->data, data, len);
    t = k->now + delay;
    if (t < s->out_last)
        t = s->out_last; /* never overtake the segment ahead */
    s->out_last = t;
    if (s->out_tail != NULL)
        s->out_tail->next = g;
    else
        s->out_head = g;
    s->out_tail = g;
    s->out_bytes += len;
    k->inflight_bytes += len;
    if (k->inflight_bytes > k->lim.max_inflight_bytes)
        sim_stop(k, "in-flight byte budget exceeded");
    sim_schedule(k, t, SIM_EV_SEGMENT, idx, s->gen, g->num, NULL);
}

static void rx_clear(sim_stream *s)
{
    s->rx_head = 0;
    s->rx_len = 0;
}

/* Local abort: our side is reset now, the peer learns it from a RST. */
static void stream_abort(captls_sim_kernel *k, uint32_t idx)
{
    sim_stream *s = &k->streams[idx];
    bool tell = s->peer >= 0 &&
                (s->state == SIM_ST_OPEN || s->state == SIM_ST_SYN_SENT);
    out_discard(k, s);
    rx_clear(s);
    if (s->state == SIM_ST_OPEN || s->state == SIM_ST_SYN_SENT)
        s->state = SIM_ST_RESET;
    if (tell)
        seg_send(k, idx, SIM_SEG_RST, NULL, 0);
}

static void wake_owner(captls_sim_kernel *k, const sim_stream *s)
{
    if (s->handle_open)
        sim_wake(k, s->proc);
}

static void listener_close(captls_sim_kernel *k, uint32_t idx)
{
    sim_stream *l = &k->streams[idx];
    int32_t c = l->bl_head;
    while (c >= 0) {
        sim_stream *cs = &k->streams[c];
        int32_t next = cs->bl_next;
        cs->in_backlog = false;
        cs->bl_next = -1;
        stream_abort(k, (uint32_t)c);
        maybe_free(k, (uint32_t)c);
        c = next;
    }
    l->bl_head = l->bl_tail = -1;
    l->bl_len = 0;
    l->handle_open = false;
    maybe_free(k, idx);
}

static int32_t listener_find(captls_sim_kernel *k, uint32_t host,
                             uint16_t port)
{
    for (uint32_t i = 0; i < k->nstreams_used; i++) {
        const sim_stream *s = &k->streams[i];
        if (s->state == SIM_ST_LISTEN && s->handle_open && s->host == host &&
            s->lport == port)
            return (int32_t)i;
    }
    return -1;
}

/* ------------------------------------------------------------ arrivals */

static void syn_arrive(captls_sim_kernel *k, uint32_t ci)
{
    sim_stream *c = &k->streams[ci];
    int32_t li = listener_find(k, c->rhost, c->rport);
    int32_t si = -1;
    uint64_t back;
    if (c->state != SIM_ST_SYN_SENT)
        return;
    if (li >= 0 && k->streams[li].bl_len < BACKLOG_MAX)
        si = stream_alloc(k, c->rhost, k->streams[li].proc);
    if (si < 0) {
        captls_sim_log(k, NULL, "net", "%s:%u -> %s:%u refused: %s",
                       hname(k, c->host), c->lport, hname(k, c->rhost),
                       c->rport,
                       li < 0 ? "no listener" : "backlog full or no stream");
        if (sim_path_delay(k, c->rhost, c->host, 0, &back))
            sim_schedule(k, k->now + back, SIM_EV_REFUSE, ci, c->gen, 0,
                         NULL);
        return;
    }
    sim_stream *l = &k->streams[li];
    sim_stream *s = &k->streams[si];
    s->state = SIM_ST_OPEN;
    s->in_backlog = true;
    s->lport = c->rport;
    s->rhost = c->host;
    s->rport = c->lport;
    s->peer = (int32_t)ci;
    c->peer = si;
    if (l->bl_tail >= 0)
        k->streams[l->bl_tail].bl_next = si;
    else
        l->bl_head = si;
    l->bl_tail = si;
    l->bl_len++;
    captls_sim_log(k, NULL, "net", "%s:%u -> %s:%u queued for accept",
                   hname(k, c->host), c->lport, hname(k, c->rhost), c->rport);
    seg_send(k, (uint32_t)si, SIM_SEG_SYNACK, NULL, 0);
    sim_wake(k, l->proc);
}

void sim_net_segment_arrive(captls_sim_kernel *k, uint32_t si, uint32_t gen,
                            uint32_t num)
{
    sim_stream *s = &k->streams[si];
    sim_segment *g = s->out_head;
    if (s->state == SIM_ST_FREE || s->gen != gen || g == NULL ||
        g->num != num)
        return; /* discarded by a reset, or the stream is gone */
    s->out_head = g->next;
    if (s->out_head == NULL)
        s->out_tail = NULL;
    s->out_bytes -= g->len;
    k->inflight_bytes -= g->len;

    if (g->type == SIM_SEG_SYN) {
        free(g);
        syn_arrive(k, si);
        return;
    }
    if (s->peer < 0) {
        free(g);
        maybe_free(k, si);
        return;
    }
    uint32_t ri = (uint32_t)s->peer;
    sim_stream *r = &k->streams[ri];
    switch (g->type) {
    case SIM_SEG_DATA:
        if (r->state != SIM_ST_OPEN)
            break;
        if (!r->handle_open && !r->in_backlog) {
            /* Data for a closed socket: answer with a reset. */
            stream_abort(k, ri);
            break;
        }
        if (r->rx == NULL) {
            r->rx = malloc(CAPTLS_SIM_STREAM_WINDOW);
            if (r->rx == NULL) {
                sim_stop(k, "out of memory for stream buffers");
                break;
            }
        }
        /* The window guarantees room: in flight + unread <= window. */
        for (uint32_t i = 0; i < g->len; i++)
            r->rx[(r->rx_head + r->rx_len + i) % CAPTLS_SIM_STREAM_WINDOW] =
                g->data[i];
        r->rx_len += g->len;
        wake_owner(k, r);
        break;
    case SIM_SEG_FIN:
        if (r->state == SIM_ST_OPEN) {
            r->fin_in = true;
            wake_owner(k, r);
        }
        break;
    case SIM_SEG_RST:
        if (r->state == SIM_ST_OPEN || r->state == SIM_ST_SYN_SENT) {
            captls_sim_log(k, NULL, "net", "%s:%u <- %s:%u reset by peer",
                           hname(k, r->host), r->lport, hname(k, r->rhost),
                           r->rport);
            r->state = SIM_ST_RESET;
            rx_clear(r);
            out_discard(k, r);
            wake_owner(k, r);
        }
        break;
    case SIM_SEG_SYNACK:
        if (r->state == SIM_ST_SYN_SENT) {
            r->state = SIM_ST_OPEN;
            if (!r->handle_open)
                stream_abort(k, ri); /* closed while connecting */
            else
                wake_owner(k, r);
        }
        break;
    default:
        break;
    }
    free(g);
    maybe_free(k, ri);
    if (k->streams[si].state != SIM_ST_FREE)
        maybe_free(k, si);
}

void sim_net_refuse_arrive(captls_sim_kernel *k, uint32_t ci, uint32_t gen)
{
    sim_stream *c = &k->streams[ci];
    if (c->state != SIM_ST_SYN_SENT || c->gen != gen)
        return;
    c->state = SIM_ST_REFUSED;
    wake_owner(k, c);
    maybe_free(k, ci);
}

/* --------------------------------------------------------- the port */

static bool host_is_any_or(const captls_sim_kernel *k, const char *host,
                           uint32_t self)
{
    return host == NULL || host[0] == '\0' || strcmp(host, "*") == 0 ||
           strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ||
           strcmp(host, k->hosts[self].name) == 0;
}

static captls_result net_listen(void *ctx, const char *host, uint16_t port,
                                captls_stream_id *out)
{
    captls_sim_proc *p = ctx;
    captls_sim_kernel *k = p->k;
    captls_sim_host *h = &k->hosts[p->host];
    if (out == NULL || !p->alive)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!host_is_any_or(k, host, p->host))
        return CAPTLS_ERR_ADDR_INVALID;
    if (port == 0) {
        for (unsigned tries = 0; tries < 16384u; tries++) {
            uint16_t cand = h->next_ephemeral;
            h->next_ephemeral =
                cand >= 65535 ? 49152 : (uint16_t)(cand + 1);
            if (listener_find(k, p->host, cand) < 0) {
                port = cand;
                break;
            }
        }
        if (port == 0)
            return CAPTLS_ERR_ADDR_IN_USE;
    } else if (listener_find(k, p->host, port) >= 0) {
        return CAPTLS_ERR_ADDR_IN_USE;
    }
    int32_t i = stream_alloc(k, p->host, p->index);
    if (i < 0)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    sim_stream *s = &k->streams[i];
    s->state = SIM_ST_LISTEN;
    s->handle_open = true;
    s->lport = port;
    *out = make_id(k, (uint32_t)i);
    return CAPTLS_OK;
}

static captls_result net_local_port(void *ctx, captls_stream_id id,
                                    uint16_t *out)
{
    uint32_t idx;
    sim_stream *s = stream_get(ctx, id, &idx);
    if (s == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *out = s->lport;
    return CAPTLS_OK;
}

static captls_result net_accept(void *ctx, captls_stream_id lid,
                                captls_stream_id *out)
{
    captls_sim_proc *p = ctx;
    captls_sim_kernel *k = p->k;
    uint32_t li;
    sim_stream *l = stream_get(p, lid, &li);
    if (l == NULL || l->state != SIM_ST_LISTEN || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (l->bl_head < 0)
        return CAPTLS_WOULD_BLOCK;
    int32_t si = l->bl_head;
    sim_stream *s = &k->streams[si];
    l->bl_head = s->bl_next;
    if (l->bl_head < 0)
        l->bl_tail = -1;
    l->bl_len--;
    s->bl_next = -1;
    s->in_backlog = false;
    s->handle_open = true;
    *out = make_id(k, (uint32_t)si);
    return CAPTLS_OK;
}

static captls_result net_connect(void *ctx, const char *host, uint16_t port,
                                 captls_stream_id *out)
{
    captls_sim_proc *p = ctx;
    captls_sim_kernel *k = p->k;
    captls_sim_host *to;
    if (out == NULL || host == NULL || !p->alive)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    to = captls_sim_host_find(k, host);
    if (to == NULL || port == 0)
        return CAPTLS_ERR_ADDR_INVALID;
    /* A route must exist: the same host, or a link. */
    if (to->index != p->host) {
        bool linked = false;
        for (uint32_t i = 0; i < k->nlinks && !linked; i++)
            linked = (k->links[i].a == p->host && k->links[i].b == to->index) ||
                     (k->links[i].b == p->host && k->links[i].a == to->index);
        if (!linked)
            return CAPTLS_ERR_ADDR_INVALID;
    }
    int32_t i = stream_alloc(k, p->host, p->index);
    if (i < 0)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    captls_sim_host *h = &k->hosts[p->host];
    sim_stream *s = &k->streams[i];
    s->state = SIM_ST_SYN_SENT;
    s->handle_open = true;
    s->lport = h->next_ephemeral;
    h->next_ephemeral = h->next_ephemeral >= 65535
                            ? 49152
                            : (uint16_t)(h->next_ephemeral + 1);
    s->rhost = to->index;
    s->rport = port;
    seg_send(k, (uint32_t)i, SIM_SEG_SYN, NULL, 0);
    *out = make_id(k, (uint32_t)i);
    return CAPTLS_OK;
}

static void wake_blocked_writer(captls_sim_kernel *k, const sim_stream *r)
{
    if (r->peer < 0)
        return;
    sim_stream *w = &k->streams[r->peer];
    if (w->want_write) {
        w->want_write = false;
        wake_owner(k, w);
    }
}

/* What read and write report before a stream is open, or after it failed. */
static captls_result stream_not_open(const sim_stream *s)
{
    switch (s->state) {
    case SIM_ST_SYN_SENT:
        return CAPTLS_WOULD_BLOCK;
    case SIM_ST_REFUSED:
        return CAPTLS_ERR_CONN_REFUSED;
    case SIM_ST_RESET:
        return CAPTLS_ERR_CONN_RESET;
    default:
        return CAPTLS_OK;
    }
}

static captls_result net_read(void *ctx, captls_stream_id id, uint8_t *buf,
                              size_t cap, size_t *got)
{
    captls_sim_proc *p = ctx;
    uint32_t idx;
    sim_stream *s = stream_get(p, id, &idx);
    if (s == NULL || s->state == SIM_ST_LISTEN || got == NULL ||
        (buf == NULL && cap > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *got = 0;
    if (stream_not_open(s) != CAPTLS_OK)
        return stream_not_open(s);
    if (s->rx_len > 0) {
        size_t n = cap < s->rx_len ? cap : s->rx_len;
        if (n == 0)
            return CAPTLS_ERR_INVALID_ARGUMENT; /* cap 0 */
        for (size_t i = 0; i < n; i++)
            buf[i] = s->rx[(s->rx_head + i) % CAPTLS_SIM_STREAM_WINDOW];
        s->rx_head = (uint32_t)((s->rx_head + n) % CAPTLS_SIM_STREAM_WINDOW);
        s->rx_len -= (uint32_t)n;
        *got = n;
        wake_blocked_writer(p->k, s);
        return CAPTLS_OK;
    }
    return s->fin_in ? CAPTLS_EOF : CAPTLS_WOULD_BLOCK;
}

static uint32_t write_space(const captls_sim_kernel *k, const sim_stream *s)
{
    const sim_stream *r = &k->streams[s->peer];
    uint32_t used = s->out_bytes + r->rx_len;
    return used >= CAPTLS_SIM_STREAM_WINDOW ? 0
                                            : CAPTLS_SIM_STREAM_WINDOW - used;
}

static captls_result net_write(void *ctx, captls_stream_id id,
                               const uint8_t *buf, size_t len, size_t *put)
{
    captls_sim_proc *p = ctx;
    captls_sim_kernel *k = p->k;
    uint32_t idx;
    sim_stream *s = stream_get(p, id, &idx);
    if (s == NULL || s->state == SIM_ST_LISTEN || put == NULL ||
        (buf == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *put = 0;
    if (stream_not_open(s) != CAPTLS_OK)
        return stream_not_open(s);
    if (len == 0)
        return CAPTLS_OK;
    if (s->peer < 0)
        return CAPTLS_ERR_NOT_CONNECTED;
    uint32_t space = write_space(k, s);
    if (space == 0) {
        s->want_write = true;
        return CAPTLS_WOULD_BLOCK;
    }
    uint32_t n = len < space ? (uint32_t)len : space;
    /* A link with split=N cuts the write into segments of 1..N bytes. */
    for (uint32_t off = 0; off < n && k->stop == NULL;) {
        uint32_t seg = sim_path_segment(k, s->host, s->rhost, n - off);
        seg_send(k, idx, SIM_SEG_DATA, buf + off, seg);
        off += seg;
    }
    *put = n;
    return CAPTLS_OK;
}

static captls_result net_close(void *ctx, captls_stream_id id)
{
    captls_sim_proc *p = ctx;
    captls_sim_kernel *k = p->k;
    uint32_t idx;
    sim_stream *s = stream_get(p, id, &idx);
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (s->state == SIM_ST_LISTEN) {
        listener_close(k, idx);
        return CAPTLS_OK;
    }
    if (s->state == SIM_ST_OPEN) {
        if (s->rx_len > 0) {
            stream_abort(k, idx); /* unread data: reset, as TCP does */
        } else if (!s->fin_out) {
            s->fin_out = true;
            seg_send(k, idx, SIM_SEG_FIN, NULL, 0);
        }
    }
    s->handle_open = false;
    s->want_write = false;
    maybe_free(k, idx);
    return CAPTLS_OK;
}

static captls_result net_poll(void *ctx, captls_poll_item *items, size_t n,
                              uint64_t timeout_ns, size_t *nready)
{
    captls_sim_proc *p = ctx;
    size_t ready = 0;
    (void)timeout_ns; /* a simulated host never waits: see sim.h */
    if ((items == NULL && n > 0) || nready == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < n; i++) {
        uint32_t idx;
        sim_stream *s = stream_get(p, items[i].stream, &idx);
        unsigned r = 0;
        if (s == NULL)
            return CAPTLS_ERR_INVALID_ARGUMENT;
        switch (s->state) {
        case SIM_ST_LISTEN:
            if (s->bl_head >= 0)
                r |= CAPTLS_POLL_READ;
            break;
        case SIM_ST_OPEN:
            if (s->rx_len > 0 || s->fin_in)
                r |= CAPTLS_POLL_READ;
            if (s->fin_in)
                r |= CAPTLS_POLL_HUP;
            if (s->peer >= 0 && write_space(p->k, s) > 0)
                r |= CAPTLS_POLL_WRITE;
            break;
        case SIM_ST_REFUSED:
        case SIM_ST_RESET:
            r = CAPTLS_POLL_READ | CAPTLS_POLL_WRITE | CAPTLS_POLL_HUP;
            break;
        default:
            break;
        }
        items[i].ready = r & (items[i].want | CAPTLS_POLL_HUP);
        if (items[i].ready != 0)
            ready++;
    }
    *nready = ready;
    return CAPTLS_OK;
}

const captls_net sim_net_vtable = {
    .ctx = NULL,
    .listen = net_listen,
    .local_port = net_local_port,
    .accept = net_accept,
    .connect = net_connect,
    .read = net_read,
    .write = net_write,
    .close = net_close,
    .poll = net_poll,
};

/* ------------------------------------------------------------- faults */

captls_result captls_sim_stream_reset(captls_sim_proc *p, captls_stream_id id)
{
    uint32_t idx;
    sim_stream *s = stream_get(p, id, &idx);
    if (s == NULL || s->state == SIM_ST_LISTEN)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_sim_log(p->k, NULL, "net", "%s:%u -> %s:%u reset by %s/%s",
                   hname(p->k, s->host), s->lport, hname(p->k, s->rhost),
                   s->rport, hname(p->k, p->host), p->name);
    stream_abort(p->k, idx);
    wake_owner(p->k, s);
    return CAPTLS_OK;
}

void sim_net_proc_died(captls_sim_kernel *k, uint32_t proc)
{
    for (uint32_t i = 0; i < k->nstreams_used; i++) {
        sim_stream *s = &k->streams[i];
        if (s->state == SIM_ST_FREE || s->proc != proc)
            continue;
        if (s->state == SIM_ST_LISTEN) {
            if (s->handle_open)
                listener_close(k, i);
        } else if (s->handle_open) {
            stream_abort(k, i);
            s->handle_open = false;
            maybe_free(k, i);
        }
    }
}

uint32_t sim_net_reset_proc(captls_sim_kernel *k, uint32_t proc)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->nstreams_used; i++) {
        sim_stream *s = &k->streams[i];
        if (s->proc != proc || !s->handle_open ||
            (s->state != SIM_ST_OPEN && s->state != SIM_ST_SYN_SENT))
            continue;
        captls_sim_log(k, NULL, "net", "%s:%u -> %s:%u reset (fault)",
                       hname(k, s->host), s->lport, hname(k, s->rhost),
                       s->rport);
        stream_abort(k, i);
        wake_owner(k, s);
        n++;
    }
    return n;
}

uint32_t sim_net_open_conns(const captls_sim_kernel *k, uint32_t proc)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->nstreams_used; i++) {
        const sim_stream *s = &k->streams[i];
        if (s->state == SIM_ST_FREE || s->state == SIM_ST_LISTEN ||
            s->proc != proc)
            continue;
        if (s->handle_open || s->in_backlog || s->out_head != NULL)
            n++;
    }
    return n;
}

void sim_net_free_all(captls_sim_kernel *k)
{
    if (k->streams == NULL)
        return;
    for (uint32_t i = 0; i < k->nstreams_used; i++) {
        sim_stream *s = &k->streams[i];
        out_discard(k, s);
        free(s->rx);
        s->rx = NULL;
    }
}
