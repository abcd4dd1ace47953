/* See bridge_link.h for the wire format and the session rules. */
#include "core/bridge/bridge_link.h"

#include <string.h>

#include "core/cap/interface_ids.h"
#include "port/port.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

/* ------------------------------------------------------------ tx ring */

static size_t tx_room(const captls_bridge_link *l)
{
    return CAPTLS_BRIDGE_TX_RING - l->tx_len;
}

/* Appends p[0..n) to a ring of `size` bytes holding `used` from `head`;
 * the caller has checked the room. */
static void ring_put(uint8_t *ring, size_t size, size_t head, size_t used,
                     const uint8_t *p, size_t n)
{
    size_t tail = (head + used) % size;
    size_t first = size - tail;
    if (first > n)
        first = n;
    memcpy(ring + tail, p, first);
    memcpy(ring, p + first, n - first);
}

static void tx_put(captls_bridge_link *l, const uint8_t *p, size_t n)
{
    ring_put(l->tx, CAPTLS_BRIDGE_TX_RING, l->tx_head, l->tx_len, p, n);
    l->tx_len += n;
}

/* Queues one frame whose payload is head[0..hlen) followed by
 * body[0..blen); false (nothing queued) when the ring lacks room. */
static bool send_frame(captls_bridge_link *l, uint32_t iface, uint16_t method,
                       const uint8_t *head, size_t hlen, const uint8_t *body,
                       size_t blen)
{
    uint8_t hdr[CAPTLS_IPC_HEADER_SIZE];
    size_t total = CAPTLS_IPC_HEADER_SIZE + hlen + blen;
    captls_ipc_frame f;
    size_t n;

    if (total > CAPTLS_BRIDGE_MAX_FRAME || tx_room(l) < total)
        return false;
    memset(&f, 0, sizeof f);
    f.kind = CAPTLS_IPC_CALL;
    f.iface = iface;
    f.method = method;
    /* Encode the header alone (payload length 0), then patch the length:
     * the payload is copied straight into the ring, in two parts. */
    if (captls_ipc_frame_encode(&f, hdr, sizeof hdr, &n) != CAPTLS_OK)
        return false;
    put32(hdr, (uint32_t)total);
    tx_put(l, hdr, sizeof hdr);
    if (hlen > 0)
        tx_put(l, head, hlen);
    if (blen > 0)
        tx_put(l, body, blen);
    l->counters.frames_out++;
    l->last_tx_ns = l->now_ns;
    return true;
}

static bool send_id(captls_bridge_link *l, uint32_t iface, uint16_t method,
                    uint32_t id, const uint32_t *extra)
{
    uint8_t p[8];
    put32(p, id);
    if (extra != NULL)
        put32(p + 4, *extra);
    return send_frame(l, iface, method, p, extra != NULL ? 8 : 4, NULL, 0);
}

static bool send_hello(captls_bridge_link *l)
{
    uint8_t p[8];
    put32(p, l->my_epoch);
    put32(p + 4, l->peer_epoch);
    if (!send_frame(l, CAPTLS_IFACE_TCP_LISTENER, CAPTLS_BRIDGE_M_HELLO, p, 8,
                    NULL, 0))
        return false;
    l->last_hello_ns = l->now_ns;
    return true;
}

/* ------------------------------------------------------------ streams */

static void slot_clear(captls_bridge_stream *s)
{
    s->id = 0;
    s->held = false;
    s->open_pending = s->shut_pending = s->close_pending = false;
    s->tx_shut = s->rx_eof = s->peer_closed = false;
    s->peer_reason = s->close_reason = 0;
    s->credit = s->grant = 0;
    s->rx_head = s->rx_len = 0;
    s->order = 0;
    s->peer[0] = '\0';
}

/* A slot can be reused once nobody holds it and nothing is owed for it. */
static void slot_maybe_free(captls_bridge_stream *s)
{
    if (s->id != 0 && !s->held && !s->close_pending && !s->open_pending)
        slot_clear(s);
}

/* Ids we sent CLOSE for: the peer may still have frames for them in
 * flight, which are normal (late_frames), not bad (unknown_stream). */
static void remember_closed(captls_bridge_link *l, uint32_t id)
{
    l->closed_ids[l->closed_next % CAPTLS_BRIDGE_MAX_STREAMS] = id;
    l->closed_next++;
}

static bool recently_closed(const captls_bridge_link *l, uint32_t id)
{
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        if (id != 0 && l->closed_ids[i] == id)
            return true;
    }
    return false;
}

static captls_bridge_stream *find_id(captls_bridge_link *l, uint32_t id)
{
    if (id == 0)
        return NULL;
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        if (l->streams[i].id == id)
            return &l->streams[i];
    }
    return NULL;
}

static captls_bridge_stream *free_slot(captls_bridge_link *l, size_t *index)
{
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        if (l->streams[i].id == 0) {
            *index = i;
            return &l->streams[i];
        }
    }
    return NULL;
}

static captls_bridge_stream *handle_get(const captls_bridge_link *l,
                                        captls_bridge_handle h)
{
    if (l == NULL || h < 0 || (uint32_t)h >= CAPTLS_BRIDGE_MAX_STREAMS)
        return NULL;
    captls_bridge_stream *s = (captls_bridge_stream *)&l->streams[h];
    if (s->id == 0 || !s->held)
        return NULL;
    return s;
}

/* Ends every stream of the session: holders read a reset, the rest go. */
static void reset_streams(captls_bridge_link *l)
{
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        captls_bridge_stream *s = &l->streams[i];
        if (s->id == 0)
            continue;
        l->counters.streams_reset++;
        if (!s->held) {
            slot_clear(s);
            continue;
        }
        s->open_pending = s->shut_pending = s->close_pending = false;
        s->peer_closed = true;
        s->peer_reason = CAPTLS_BRIDGE_CLOSE_RESET;
        s->credit = 0;
        s->grant = 0;
    }
}

static void blob_finish(captls_bridge_link *l, captls_result r)
{
    l->blob.done = true;
    l->blob.result = r;
}

static void session_end(captls_bridge_link *l)
{
    reset_streams(l);
    if (l->blob.active && !l->blob.done)
        blob_finish(l, CAPTLS_ERR_NOT_CONNECTED);
    l->peer_epoch = 0;
    l->rx_len = 0;
    memset(l->closed_ids, 0, sizeof l->closed_ids);
    l->tx_head = l->tx_len = 0;
}

/* --------------------------------------------------------------- init */

captls_result captls_bridge_init(captls_bridge_link *l,
                                 captls_bridge_role role, uint32_t epoch,
                                 uint64_t now_ns)
{
    if (l == NULL || epoch == 0 ||
        (role != CAPTLS_BRIDGE_HOST && role != CAPTLS_BRIDGE_GUEST))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(l, 0, sizeof *l);
    l->role = role;
    l->my_epoch = epoch;
    l->next_id = 1;
    l->now_ns = now_ns;
    l->last_rx_ns = l->last_tx_ns = now_ns;
    return CAPTLS_OK;
}

void captls_bridge_transport_up(captls_bridge_link *l, uint64_t now_ns)
{
    static const uint8_t zeros[64];
    size_t left = CAPTLS_BRIDGE_MAX_FRAME;

    l->now_ns = now_ns;
    session_end(l);
    while (left > 0) {
        size_t n = left < sizeof zeros ? left : sizeof zeros;
        tx_put(l, zeros, n);
        left -= n;
    }
    (void)send_hello(l); /* the ring is empty: it fits */
    l->last_rx_ns = now_ns;
}

void captls_bridge_transport_down(captls_bridge_link *l)
{
    session_end(l);
}

bool captls_bridge_is_up(const captls_bridge_link *l)
{
    return l != NULL && l->peer_epoch != 0;
}

/* ------------------------------------------------------------ receive */

static void on_hello(captls_bridge_link *l, const uint8_t *p, size_t n)
{
    uint32_t epoch, yours;
    if (n != 8 || (epoch = get32(p)) == 0) {
        l->counters.bad_messages++;
        return;
    }
    yours = get32(p + 4);
    if (epoch != l->peer_epoch || yours != l->my_epoch) {
        /* A new peer, or one that lost us: the old session is over. */
        if (epoch != l->peer_epoch)
            l->counters.sessions++;
        reset_streams(l);
        l->peer_epoch = epoch;
    }
    if (yours != l->my_epoch)
        l->hello_due = true;
}

static void on_open(captls_bridge_link *l, const uint8_t *p, size_t n)
{
    uint32_t id;
    size_t plen, idx;
    captls_bridge_stream *s;

    if (l->role != CAPTLS_BRIDGE_GUEST || n < 5 ||
        n - 4 > CAPTLS_BRIDGE_PEER_MAX || (id = get32(p)) == 0) {
        l->counters.bad_messages++;
        return;
    }
    plen = n - 4;
    for (size_t i = 0; i < plen; i++) {
        if (p[4 + i] < 0x20 || p[4 + i] > 0x7E) {
            l->counters.bad_messages++;
            return;
        }
    }
    if (find_id(l, id) != NULL) {
        /* An id in use: refusing it would close the live stream's peer
         * side too, so it is only dropped and counted. */
        l->counters.bad_messages++;
        return;
    }
    if (!l->listening || (s = free_slot(l, &idx)) == NULL) {
        uint32_t reason = CAPTLS_BRIDGE_CLOSE_REFUSED;
        l->counters.opens_refused++;
        (void)send_id(l, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_CLOSE, id,
                      &reason);
        return;
    }
    (void)idx;
    slot_clear(s);
    s->id = id;
    s->credit = CAPTLS_BRIDGE_WINDOW;
    s->order = ++l->next_order;
    memcpy(s->peer, p + 4, plen);
    s->peer[plen] = '\0';
}

static void rx_append(captls_bridge_stream *s, const uint8_t *p, size_t n)
{
    ring_put(s->rx, CAPTLS_BRIDGE_WINDOW, s->rx_head, s->rx_len, p, n);
    s->rx_len += (uint32_t)n;
}

/* The stream broke the rules: reset it alone. */
static void stream_violation(captls_bridge_link *l, captls_bridge_stream *s)
{
    l->counters.window_violations++;
    s->peer_closed = true;
    s->peer_reason = CAPTLS_BRIDGE_CLOSE_PROTOCOL;
    s->credit = 0;
    s->close_pending = true;
    s->close_reason = CAPTLS_BRIDGE_CLOSE_PROTOCOL;
    s->shut_pending = false;
}

static void on_stream(captls_bridge_link *l, uint16_t method,
                      const uint8_t *p, size_t n)
{
    captls_bridge_stream *s;
    uint32_t v;

    if (n < 4) {
        l->counters.bad_messages++;
        return;
    }
    switch (method) {
    case CAPTLS_BRIDGE_M_DATA:
        if (n < 5 || n - 4 > CAPTLS_BRIDGE_MAX_DATA) {
            l->counters.bad_messages++;
            return;
        }
        break;
    case CAPTLS_BRIDGE_M_SHUT:
        if (n != 4) {
            l->counters.bad_messages++;
            return;
        }
        break;
    case CAPTLS_BRIDGE_M_CLOSE:
    case CAPTLS_BRIDGE_M_WINDOW:
        if (n != 8) {
            l->counters.bad_messages++;
            return;
        }
        break;
    default:
        l->counters.bad_messages++;
        return;
    }
    s = find_id(l, get32(p));
    if (s == NULL && recently_closed(l, get32(p))) {
        l->counters.late_frames++; /* crossed our CLOSE on the wire */
        return;
    }
    /* A stream we are opening but whose OPEN is not out yet cannot have
     * heard from the peer; after the peer's CLOSE nothing more may come. */
    if (s == NULL || s->open_pending || s->peer_closed) {
        l->counters.unknown_stream++;
        return;
    }
    switch (method) {
    case CAPTLS_BRIDGE_M_DATA:
        if (s->rx_eof ||
            n - 4 > CAPTLS_BRIDGE_WINDOW - s->rx_len - s->grant) {
            stream_violation(l, s);
            break;
        }
        rx_append(s, p + 4, n - 4);
        break;
    case CAPTLS_BRIDGE_M_SHUT:
        s->rx_eof = true;
        break;
    case CAPTLS_BRIDGE_M_CLOSE:
        v = get32(p + 4);
        s->peer_closed = true;
        s->peer_reason = v <= CAPTLS_BRIDGE_CLOSE_PROTOCOL
                             ? v
                             : CAPTLS_BRIDGE_CLOSE_RESET;
        s->credit = 0;
        /* The peer has released the id: we owe it nothing more. */
        s->shut_pending = s->close_pending = false;
        slot_maybe_free(s);
        break;
    case CAPTLS_BRIDGE_M_WINDOW:
        v = get32(p + 4);
        if (v == 0 || v > CAPTLS_BRIDGE_WINDOW - s->credit) {
            stream_violation(l, s);
            break;
        }
        s->credit += v;
        break;
    default:
        break;
    }
}

static void on_audit(captls_bridge_link *l, const uint8_t *p, size_t n)
{
    if (l->role != CAPTLS_BRIDGE_HOST || n == 0 ||
        n > CAPTLS_BRIDGE_MAX_DATA) {
        l->counters.bad_messages++;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] > 0x7E) {
            l->counters.bad_messages++;
            return;
        }
    }
    l->counters.audit_lines++;
    if (l->audit_fn != NULL)
        l->audit_fn(l->audit_ctx, (const char *)p, n);
}

/* HOST: a GET. Keys are checked here so the host never opens a path it
 * was not meant to (captls_blob_key_valid: no '/', no leading '.'). */
static void on_blob_get(captls_bridge_link *l, const uint8_t *p, size_t n)
{
    char key[CAPTLS_BLOB_KEY_MAX + 1];
    if (l->role != CAPTLS_BRIDGE_HOST || n < 5 ||
        n - 4 > CAPTLS_BLOB_KEY_MAX) {
        l->counters.blob_refused++;
        return;
    }
    memcpy(key, p + 4, n - 4);
    key[n - 4] = '\0';
    /* a NUL inside would cut the key short: strlen must see all of it */
    if (strlen(key) != n - 4 || !captls_blob_key_valid(key)) {
        l->counters.blob_refused++;
        return;
    }
    l->counters.blob_gets++;
    if (l->blob_fn != NULL)
        l->blob_fn(l->blob_ctx, get32(p), key);
    else if (captls_bridge_blob_part(l, get32(p), CAPTLS_BRIDGE_BLOB_NOT_FOUND,
                                     0, 0, NULL, 0) != CAPTLS_OK)
        l->counters.blob_refused++; /* no room: the guest's GET times out */
}

/* GUEST: one PART of the outstanding GET's answer. */
static void on_blob_part(captls_bridge_link *l, const uint8_t *p, size_t n)
{
    captls_bridge_blob_get *g = &l->blob;
    uint32_t status, total, offset;
    size_t len;
    if (l->role != CAPTLS_BRIDGE_GUEST || n < 16 || !g->active || g->done ||
        get32(p) != g->request) {
        l->counters.blob_refused++;
        return;
    }
    status = get32(p + 4);
    total = get32(p + 8);
    offset = get32(p + 12);
    len = n - 16;
    if (status != CAPTLS_BRIDGE_BLOB_OK) {
        if (total != 0 || offset != 0 || len != 0 || g->have_total ||
            status > CAPTLS_BRIDGE_BLOB_IO) {
            l->counters.blob_refused++;
            return;
        }
        blob_finish(l, status == CAPTLS_BRIDGE_BLOB_NOT_FOUND
                           ? CAPTLS_ERR_NOT_FOUND
                           : CAPTLS_ERR_IO);
        return;
    }
    if ((!g->have_total && (offset != 0 || total > CAPTLS_BRIDGE_BLOB_MAX)) ||
        (g->have_total && (total != g->total || offset != g->got)) ||
        len > (size_t)(total - offset) || (len == 0 && total != 0)) {
        l->counters.blob_refused++;
        return;
    }
    g->have_total = true;
    g->total = total;
    if (total <= g->cap && len > 0)
        memcpy(g->buf + offset, p + 16, len);
    g->got += (uint32_t)len;
    if (g->got == total)
        blob_finish(l, total <= g->cap ? CAPTLS_OK
                                       : CAPTLS_ERR_BUFFER_TOO_SMALL);
}

static void on_blob(captls_bridge_link *l, uint16_t method, const uint8_t *p,
                    size_t n)
{
    if (method == CAPTLS_BRIDGE_M_BLOB_GET)
        on_blob_get(l, p, n);
    else if (method == CAPTLS_BRIDGE_M_BLOB_PART)
        on_blob_part(l, p, n);
    else if (method == CAPTLS_BRIDGE_M_BLOB_CHANGED &&
             l->role == CAPTLS_BRIDGE_GUEST && n == 0)
        l->blob_changed = true;
    else
        l->counters.blob_refused++;
}

/* Unix seconds of 2020-01-01 and 2200-01-01: a TIME outside is a broken
 * or hostile host clock, not one to vouch for. */
#define TIME_MIN 1577836800LL
#define TIME_MAX 7258118400LL

static void on_time(captls_bridge_link *l, const uint8_t *p, size_t n)
{
    int64_t secs;
    uint32_t ns;
    if (l->role != CAPTLS_BRIDGE_GUEST || n != 12) {
        l->counters.bad_messages++;
        return;
    }
    secs = (int64_t)(((uint64_t)get32(p) << 32) | get32(p + 4));
    ns = get32(p + 8);
    if (secs < TIME_MIN || secs > TIME_MAX || ns >= 1000000000u) {
        l->counters.bad_messages++;
        return;
    }
    l->have_time = true;
    l->time_s = secs;
    l->time_ns = ns;
    l->time_at_ns = l->now_ns;
    l->counters.times++;
}

static void dispatch(captls_bridge_link *l, const captls_ipc_frame *f)
{
    l->counters.frames_in++;
    if (f->kind != CAPTLS_IPC_CALL || f->ncaps != 0 || f->request_id != 0) {
        l->counters.bad_messages++;
        return;
    }
    l->last_rx_ns = l->now_ns;
    if (f->iface == CAPTLS_IFACE_TCP_LISTENER &&
        f->method == CAPTLS_BRIDGE_M_HELLO) {
        on_hello(l, f->payload, f->payload_len);
        return;
    }
    if (l->peer_epoch == 0) {
        l->counters.before_hello++;
        return;
    }
    if (f->iface == CAPTLS_IFACE_TCP_LISTENER) {
        if (f->method == CAPTLS_BRIDGE_M_PING && f->payload_len == 0)
            return;
        if (f->method == CAPTLS_BRIDGE_M_OPEN) {
            on_open(l, f->payload, f->payload_len);
            return;
        }
    } else if (f->iface == CAPTLS_IFACE_BYTE_STREAM) {
        on_stream(l, f->method, f->payload, f->payload_len);
        return;
    } else if (f->iface == CAPTLS_IFACE_AUDIT_LOG &&
               f->method == CAPTLS_BRIDGE_M_AUDIT_LINE) {
        on_audit(l, f->payload, f->payload_len);
        return;
    } else if (f->iface == CAPTLS_IFACE_WALL_CLOCK &&
               f->method == CAPTLS_BRIDGE_M_TIME) {
        on_time(l, f->payload, f->payload_len);
        return;
    } else if (f->iface == CAPTLS_IFACE_BLOB_STORE) {
        on_blob(l, f->method, f->payload, f->payload_len);
        return;
    }
    l->counters.bad_messages++;
}

/* Consumes whole frames from rxbuf[*pos..rx_len); returns false when the
 * rest is an incomplete frame (kept for later). */
static bool parse_one(captls_bridge_link *l, size_t *pos)
{
    const uint8_t *p = l->rxbuf + *pos;
    size_t avail = l->rx_len - *pos;
    captls_ipc_frame f;
    size_t used;
    captls_result r;

    if (avail == 0)
        return false;
    r = captls_ipc_frame_decode(p, avail, &f, &used);
    if (r == CAPTLS_ERR_MALFORMED) {
        if (p[0] == 0)
            l->counters.fill_bytes++; /* the session-start zero run */
        else
            l->counters.resync_bytes++;
        *pos += 1;
        return true;
    }
    if (r == CAPTLS_NEED_MORE && avail >= 8 && used > CAPTLS_BRIDGE_MAX_FRAME) {
        /* A sound header announcing more than either end ever sends:
         * refused, then resynchronised byte by byte like any garbage.
         * Skipping the announced length instead would let one bad header
         * swallow the next session's HELLO. */
        l->counters.oversized++;
        *pos += 1;
        return true;
    }
    if (r != CAPTLS_OK)
        return false; /* NEED_MORE: wait for the rest */
    if (used > CAPTLS_BRIDGE_MAX_FRAME) {
        l->counters.oversized++;
        *pos += used;
        return true;
    }
    dispatch(l, &f);
    *pos += used;
    return true;
}

void captls_bridge_feed(captls_bridge_link *l, const uint8_t *data,
                        size_t len, uint64_t now_ns)
{
    if (l == NULL || (data == NULL && len > 0))
        return;
    l->now_ns = now_ns;
    while (len > 0) {
        size_t room = sizeof l->rxbuf - l->rx_len;
        size_t n = len < room ? len : room;
        size_t pos = 0;

        memcpy(l->rxbuf + l->rx_len, data, n);
        l->rx_len += n;
        data += n;
        len -= n;
        while (parse_one(l, &pos))
            ;
        memmove(l->rxbuf, l->rxbuf + pos, l->rx_len - pos);
        l->rx_len -= pos;
        /* A full buffer that still does not hold a frame cannot happen
         * (MAX_FRAME bytes always decide), but never spin on it. */
        if (l->rx_len == sizeof l->rxbuf) {
            l->counters.resync_bytes++;
            memmove(l->rxbuf, l->rxbuf + 1, l->rx_len - 1);
            l->rx_len--;
        }
    }
}

/* --------------------------------------------------------------- tick */

void captls_bridge_tick(captls_bridge_link *l, uint64_t now_ns)
{
    if (l == NULL)
        return;
    l->now_ns = now_ns;
    if (l->peer_epoch != 0 && now_ns - l->last_rx_ns > CAPTLS_BRIDGE_DEAD_NS) {
        l->counters.link_timeouts++;
        session_end(l);
    }
    if (l->hello_due) {
        if (send_hello(l))
            l->hello_due = false;
    } else if (l->role == CAPTLS_BRIDGE_HOST && l->peer_epoch == 0 &&
               now_ns - l->last_hello_ns >= CAPTLS_BRIDGE_HELLO_NS) {
        (void)send_hello(l);
    }
    if (l->peer_epoch == 0)
        return;
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        captls_bridge_stream *s = &l->streams[i];
        if (s->id == 0)
            continue;
        if (s->open_pending) {
            size_t plen = strlen(s->peer);
            uint8_t id[4];
            put32(id, s->id);
            if (!send_frame(l, CAPTLS_IFACE_TCP_LISTENER,
                            CAPTLS_BRIDGE_M_OPEN, id, 4,
                            (const uint8_t *)s->peer, plen))
                return; /* ring full: keep the order, try again later */
            s->open_pending = false;
        }
        /* Return credit in batches (a quarter window) or when the
         * reader has emptied the buffer, to keep WINDOW frames few. */
        if (s->grant > 0 && !s->peer_closed &&
            (s->grant >= CAPTLS_BRIDGE_WINDOW / 4 || s->rx_len == 0)) {
            uint32_t g = s->grant;
            if (!send_id(l, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_WINDOW,
                         s->id, &g))
                return;
            s->grant = 0;
        }
        if (s->shut_pending) {
            if (!send_id(l, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_SHUT,
                         s->id, NULL))
                return;
            s->shut_pending = false;
        }
        if (s->close_pending) {
            uint32_t why = s->close_reason;
            if (!send_id(l, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_CLOSE,
                         s->id, &why))
                return;
            s->close_pending = false;
            remember_closed(l, s->id);
            slot_maybe_free(s);
        }
    }
    if (now_ns - l->last_tx_ns >= CAPTLS_BRIDGE_PING_NS)
        (void)send_frame(l, CAPTLS_IFACE_TCP_LISTENER, CAPTLS_BRIDGE_M_PING,
                         NULL, 0, NULL, 0);
}

const uint8_t *captls_bridge_tx_peek(const captls_bridge_link *l,
                                     size_t *len)
{
    size_t n = l->tx_len;
    if (n > CAPTLS_BRIDGE_TX_RING - l->tx_head)
        n = CAPTLS_BRIDGE_TX_RING - l->tx_head;
    *len = n;
    return l->tx + l->tx_head;
}

void captls_bridge_tx_consume(captls_bridge_link *l, size_t n)
{
    if (n > l->tx_len)
        n = l->tx_len;
    l->tx_head = (l->tx_head + n) % CAPTLS_BRIDGE_TX_RING;
    l->tx_len -= n;
    if (l->tx_len == 0)
        l->tx_head = 0;
}

/* ------------------------------------------------------- stream users */

void captls_bridge_set_listening(captls_bridge_link *l, bool on)
{
    l->listening = on;
}

captls_result captls_bridge_accept(captls_bridge_link *l,
                                   captls_bridge_handle *out)
{
    size_t best = CAPTLS_BRIDGE_MAX_STREAMS;
    if (l == NULL || out == NULL || l->role != CAPTLS_BRIDGE_GUEST)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        const captls_bridge_stream *s = &l->streams[i];
        if (s->id != 0 && !s->held &&
            (best == CAPTLS_BRIDGE_MAX_STREAMS ||
             s->order < l->streams[best].order))
            best = i;
    }
    if (best == CAPTLS_BRIDGE_MAX_STREAMS)
        return CAPTLS_WOULD_BLOCK;
    l->streams[best].held = true;
    *out = (captls_bridge_handle)best;
    return CAPTLS_OK;
}

size_t captls_bridge_pending(const captls_bridge_link *l)
{
    size_t n = 0;
    for (size_t i = 0; l != NULL && i < CAPTLS_BRIDGE_MAX_STREAMS; i++) {
        if (l->streams[i].id != 0 && !l->streams[i].held)
            n++;
    }
    return n;
}

captls_result captls_bridge_open(captls_bridge_link *l, const char *peer,
                                 captls_bridge_handle *out)
{
    captls_bridge_stream *s;
    size_t idx, plen;

    if (l == NULL || peer == NULL || out == NULL ||
        l->role != CAPTLS_BRIDGE_HOST)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    plen = strlen(peer);
    if (plen == 0 || plen > CAPTLS_BRIDGE_PEER_MAX)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (l->peer_epoch == 0)
        return CAPTLS_ERR_NOT_CONNECTED;
    if ((s = free_slot(l, &idx)) == NULL)
        return CAPTLS_ERR_TABLE_FULL;
    slot_clear(s);
    s->id = l->next_id++;
    if (l->next_id == 0)
        l->next_id = 1;
    s->held = true;
    s->open_pending = true;
    s->credit = CAPTLS_BRIDGE_WINDOW;
    for (size_t i = 0; i < plen; i++)
        s->peer[i] = (peer[i] >= 0x20 && peer[i] <= 0x7E) ? peer[i] : '?';
    s->peer[plen] = '\0';
    captls_bridge_tick(l, l->now_ns);
    *out = (captls_bridge_handle)idx;
    return CAPTLS_OK;
}

captls_result captls_bridge_read(captls_bridge_link *l,
                                 captls_bridge_handle h, uint8_t *buf,
                                 size_t cap, size_t *got)
{
    captls_bridge_stream *s = handle_get(l, h);
    size_t n, first;

    if (s == NULL || buf == NULL || got == NULL || cap == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *got = 0;
    if (s->rx_len == 0) {
        if (s->peer_closed)
            return s->peer_reason == CAPTLS_BRIDGE_CLOSE_NORMAL
                       ? CAPTLS_EOF
                       : CAPTLS_ERR_CONN_RESET;
        return s->rx_eof ? CAPTLS_EOF : CAPTLS_WOULD_BLOCK;
    }
    n = cap < s->rx_len ? cap : s->rx_len;
    first = CAPTLS_BRIDGE_WINDOW - s->rx_head;
    if (first > n)
        first = n;
    memcpy(buf, s->rx + s->rx_head, first);
    memcpy(buf + first, s->rx, n - first);
    s->rx_head = (uint32_t)((s->rx_head + n) % CAPTLS_BRIDGE_WINDOW);
    s->rx_len -= (uint32_t)n;
    if (!s->peer_closed && !s->rx_eof)
        s->grant += (uint32_t)n;
    *got = n;
    return CAPTLS_OK;
}

size_t captls_bridge_writable(const captls_bridge_link *l,
                              captls_bridge_handle h)
{
    const captls_bridge_stream *s = handle_get(l, h);
    size_t room;

    if (s == NULL || s->peer_closed || s->tx_shut || s->open_pending ||
        l->peer_epoch == 0)
        return 0;
    room = tx_room(l);
    if (room <= CAPTLS_IPC_HEADER_SIZE + 4)
        return 0;
    room -= CAPTLS_IPC_HEADER_SIZE + 4;
    if (room > CAPTLS_BRIDGE_MAX_DATA)
        room = CAPTLS_BRIDGE_MAX_DATA;
    return room < s->credit ? room : s->credit;
}

captls_result captls_bridge_write(captls_bridge_link *l,
                                  captls_bridge_handle h, const uint8_t *buf,
                                  size_t len, size_t *put)
{
    captls_bridge_stream *s = handle_get(l, h);
    size_t done = 0;

    if (s == NULL || put == NULL || (buf == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *put = 0;
    if (s->peer_closed)
        return CAPTLS_ERR_CONN_RESET;
    if (s->tx_shut)
        return CAPTLS_ERR_NOT_CONNECTED;
    while (done < len) {
        size_t n = captls_bridge_writable(l, h);
        uint8_t id[4];
        if (n == 0)
            break;
        if (n > len - done)
            n = len - done;
        put32(id, s->id);
        if (!send_frame(l, CAPTLS_IFACE_BYTE_STREAM, CAPTLS_BRIDGE_M_DATA, id,
                        4, buf + done, n))
            break;
        s->credit -= (uint32_t)n;
        done += n;
    }
    *put = done;
    return done > 0 || len == 0 ? CAPTLS_OK : CAPTLS_WOULD_BLOCK;
}

captls_result captls_bridge_shutdown(captls_bridge_link *l,
                                     captls_bridge_handle h)
{
    captls_bridge_stream *s = handle_get(l, h);
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!s->tx_shut && !s->peer_closed) {
        s->tx_shut = true;
        s->shut_pending = true;
        captls_bridge_tick(l, l->now_ns);
    }
    return CAPTLS_OK;
}

captls_result captls_bridge_close(captls_bridge_link *l,
                                  captls_bridge_handle h,
                                  captls_bridge_close_reason reason)
{
    captls_bridge_stream *s = handle_get(l, h);
    if (s == NULL || (uint32_t)reason > CAPTLS_BRIDGE_CLOSE_PROTOCOL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    s->held = false;
    if (s->open_pending) {
        /* The peer never heard of it. */
        slot_clear(s);
        return CAPTLS_OK;
    }
    if (!s->peer_closed && l->peer_epoch != 0) {
        s->shut_pending = false;
        s->close_pending = true;
        s->close_reason = (uint32_t)reason;
    }
    slot_maybe_free(s);
    captls_bridge_tick(l, l->now_ns);
    return CAPTLS_OK;
}

unsigned captls_bridge_ready(const captls_bridge_link *l,
                             captls_bridge_handle h)
{
    const captls_bridge_stream *s = handle_get(l, h);
    unsigned r = 0;
    if (s == NULL)
        return 0;
    if (s->rx_len > 0 || s->rx_eof || s->peer_closed)
        r |= CAPTLS_POLL_READ;
    if (s->peer_closed)
        r |= CAPTLS_POLL_HUP | CAPTLS_POLL_WRITE; /* write reports it */
    else if (captls_bridge_writable(l, h) > 0)
        r |= CAPTLS_POLL_WRITE;
    return r;
}

const char *captls_bridge_peer(const captls_bridge_link *l,
                               captls_bridge_handle h)
{
    const captls_bridge_stream *s = handle_get(l, h);
    return s != NULL ? s->peer : "";
}

bool captls_bridge_peer_closed(const captls_bridge_link *l,
                               captls_bridge_handle h, uint32_t *reason)
{
    const captls_bridge_stream *s = handle_get(l, h);
    if (s == NULL || !s->peer_closed)
        return false;
    if (reason != NULL)
        *reason = s->peer_reason;
    return true;
}

captls_result captls_bridge_audit(captls_bridge_link *l, const char *line,
                                  size_t len)
{
    uint8_t buf[CAPTLS_BRIDGE_MAX_DATA];
    if (l == NULL || line == NULL || len == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (l->peer_epoch == 0)
        return CAPTLS_ERR_NOT_CONNECTED;
    if (len > sizeof buf)
        len = sizeof buf;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)line[i];
        buf[i] = (c >= 0x20 && c <= 0x7E) ? c : '?';
    }
    if (!send_frame(l, CAPTLS_IFACE_AUDIT_LOG, CAPTLS_BRIDGE_M_AUDIT_LINE, buf,
                    len, NULL, 0))
        return CAPTLS_WOULD_BLOCK;
    return CAPTLS_OK;
}

/* ---------------------------------------------------------- BlobStore */

captls_result captls_bridge_blob_get_begin(captls_bridge_link *l,
                                           const char *key, uint8_t *buf,
                                           size_t cap)
{
    uint8_t id[4];
    if (l == NULL || (buf == NULL && cap != 0) ||
        l->role != CAPTLS_BRIDGE_GUEST || !captls_blob_key_valid(key) ||
        (l->blob.active && !l->blob.done))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (l->peer_epoch == 0)
        return CAPTLS_ERR_NOT_CONNECTED;
    put32(id, l->blob_next_request + 1);
    if (!send_frame(l, CAPTLS_IFACE_BLOB_STORE, CAPTLS_BRIDGE_M_BLOB_GET, id,
                    4, (const uint8_t *)key, strlen(key)))
        return CAPTLS_WOULD_BLOCK;
    l->blob_next_request++;
    memset(&l->blob, 0, sizeof l->blob);
    l->blob.active = true;
    l->blob.request = l->blob_next_request;
    l->blob.buf = buf;
    l->blob.cap = cap;
    l->counters.blob_gets++;
    return CAPTLS_OK;
}

bool captls_bridge_blob_get_end(captls_bridge_link *l, captls_result *result,
                                size_t *len)
{
    if (l == NULL || !l->blob.active || !l->blob.done)
        return false;
    *result = l->blob.result;
    *len = l->blob.result == CAPTLS_OK || l->blob.result ==
                                              CAPTLS_ERR_BUFFER_TOO_SMALL
               ? l->blob.total
               : 0;
    l->blob.active = false;
    return true;
}

void captls_bridge_blob_get_cancel(captls_bridge_link *l)
{
    if (l != NULL)
        l->blob.active = false;
}

bool captls_bridge_blob_take_changed(captls_bridge_link *l)
{
    bool c = l != NULL && l->blob_changed;
    if (c)
        l->blob_changed = false;
    return c;
}

captls_result captls_bridge_blob_part(captls_bridge_link *l, uint32_t request,
                                      uint32_t status, uint32_t total,
                                      uint32_t offset, const uint8_t *data,
                                      size_t n)
{
    uint8_t head[16];
    if (l == NULL || l->role != CAPTLS_BRIDGE_HOST ||
        n > CAPTLS_BRIDGE_BLOB_PART_MAX || (data == NULL && n != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (l->peer_epoch == 0)
        return CAPTLS_ERR_NOT_CONNECTED;
    put32(head, request);
    put32(head + 4, status);
    put32(head + 8, total);
    put32(head + 12, offset);
    return send_frame(l, CAPTLS_IFACE_BLOB_STORE, CAPTLS_BRIDGE_M_BLOB_PART,
                      head, sizeof head, data, n)
               ? CAPTLS_OK
               : CAPTLS_WOULD_BLOCK;
}

captls_result captls_bridge_blob_changed(captls_bridge_link *l)
{
    if (l == NULL || l->role != CAPTLS_BRIDGE_HOST)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (l->peer_epoch == 0)
        return CAPTLS_ERR_NOT_CONNECTED;
    return send_frame(l, CAPTLS_IFACE_BLOB_STORE,
                      CAPTLS_BRIDGE_M_BLOB_CHANGED, NULL, 0, NULL, 0)
               ? CAPTLS_OK
               : CAPTLS_WOULD_BLOCK;
}

/* ---------------------------------------------------------- WallClock */

captls_result captls_bridge_time(captls_bridge_link *l, int64_t seconds,
                                 uint32_t nanoseconds)
{
    uint8_t p[12];
    if (l == NULL || l->role != CAPTLS_BRIDGE_HOST || seconds < TIME_MIN ||
        seconds > TIME_MAX || nanoseconds >= 1000000000u)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (l->peer_epoch == 0)
        return CAPTLS_ERR_NOT_CONNECTED;
    put32(p, (uint32_t)((uint64_t)seconds >> 32));
    put32(p + 4, (uint32_t)seconds);
    put32(p + 8, nanoseconds);
    return send_frame(l, CAPTLS_IFACE_WALL_CLOCK, CAPTLS_BRIDGE_M_TIME, p,
                      sizeof p, NULL, 0)
               ? CAPTLS_OK
               : CAPTLS_WOULD_BLOCK;
}

bool captls_bridge_host_time(const captls_bridge_link *l, int64_t *seconds,
                             uint32_t *nanoseconds, uint64_t *at_ns)
{
    if (l == NULL || !l->have_time)
        return false;
    *seconds = l->time_s;
    *nanoseconds = l->time_ns;
    *at_ns = l->time_at_ns;
    return true;
}
