/* See guest_net.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cap/audit.h"
#include "port/capos/com2.h"
#include "port/capos/console.h"
#include "port/capos/guest_net.h"
#include "port/capos/irq.h"

static uint64_t now_ns(const capos_guest_net *g)
{
    return g->clock.monotonic_ns(g->clock.ctx);
}

static void flush_tx(capos_guest_net *g)
{
    for (;;) {
        size_t n, put;
        const uint8_t *p = captls_bridge_tx_peek(&g->link, &n);
        if (n == 0)
            return;
        put = capos_com2_write(p, n);
        captls_bridge_tx_consume(&g->link, put);
        if (put < n)
            return;
    }
}

void capos_guest_net_service(capos_guest_net *g)
{
    uint8_t buf[512];
    size_t n;
    uint64_t t = now_ns(g);
    bool up;

    while ((n = capos_com2_read(buf, sizeof buf)) > 0)
        captls_bridge_feed(&g->link, buf, n, t);
    captls_bridge_tick(&g->link, t);
    flush_tx(g);
    up = captls_bridge_is_up(&g->link);
    if (up != g->was_up) {
        capos_console_puts(up ? "bridge: up\n" : "bridge: down\n");
        g->was_up = up;
    }
}

static bool is_stream(captls_stream_id s)
{
    return s >= 0 && s < (captls_stream_id)CAPTLS_BRIDGE_MAX_STREAMS;
}

static captls_result gn_listen(void *ctx, const char *host, uint16_t port,
                               captls_stream_id *out)
{
    capos_guest_net *g = ctx;
    (void)host;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (g->listening)
        return CAPTLS_ERR_ADDR_IN_USE;
    g->listening = true;
    g->port = port;
    captls_bridge_set_listening(&g->link, true);
    *out = CAPOS_GUEST_NET_LISTENER;
    return CAPTLS_OK;
}

static captls_result gn_local_port(void *ctx, captls_stream_id s,
                                   uint16_t *out)
{
    capos_guest_net *g = ctx;
    if (s != CAPOS_GUEST_NET_LISTENER || !g->listening || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *out = g->port;
    return CAPTLS_OK;
}

static captls_result gn_accept(void *ctx, captls_stream_id listener,
                               captls_stream_id *out)
{
    capos_guest_net *g = ctx;
    captls_bridge_handle h;
    if (listener != CAPOS_GUEST_NET_LISTENER || !g->listening || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    capos_guest_net_service(g);
    CAPTLS_TRY(captls_bridge_accept(&g->link, &h));
    *out = (captls_stream_id)h;
    return CAPTLS_OK;
}

/* The client's address as the bridge saw it (its OPEN message). */
static captls_result gn_peer_name(void *ctx, captls_stream_id s, char *buf,
                                  size_t cap)
{
    const capos_guest_net *g = ctx;
    if (!is_stream(s) || buf == NULL || cap == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    const char *p = captls_bridge_peer(&g->link, s);
    size_t n = strlen(p);
    if (n == 0)
        return CAPTLS_ERR_NOT_FOUND;
    if (n >= cap)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, p, n + 1);
    return CAPTLS_OK;
}

static captls_result gn_connect(void *ctx, const char *host, uint16_t port,
                                captls_stream_id *out)
{
    (void)ctx;
    (void)host;
    (void)port;
    (void)out;
    return CAPTLS_ERR_UNSUPPORTED;
}

static captls_result gn_read(void *ctx, captls_stream_id s, uint8_t *buf,
                             size_t cap, size_t *got)
{
    capos_guest_net *g = ctx;
    captls_result r;
    if (!is_stream(s))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    r = captls_bridge_read(&g->link, s, buf, cap, got);
    if (r == CAPTLS_OK)
        capos_guest_net_service(g); /* return the credit promptly */
    return r;
}

static captls_result gn_write(void *ctx, captls_stream_id s,
                              const uint8_t *buf, size_t len, size_t *put)
{
    capos_guest_net *g = ctx;
    captls_result r;
    if (!is_stream(s))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    r = captls_bridge_write(&g->link, s, buf, len, put);
    flush_tx(g);
    return r;
}

static captls_result gn_close(void *ctx, captls_stream_id s)
{
    capos_guest_net *g = ctx;
    captls_result r;
    if (s == CAPOS_GUEST_NET_LISTENER && g->listening) {
        g->listening = false;
        captls_bridge_set_listening(&g->link, false);
        return CAPTLS_OK;
    }
    if (!is_stream(s))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* A stream the peer still holds is told CLOSE NORMAL after the data
     * already queued: an orderly end, as close(2) on a socket. */
    r = captls_bridge_close(&g->link, s, CAPTLS_BRIDGE_CLOSE_NORMAL);
    flush_tx(g);
    return r;
}

static unsigned item_ready(const capos_guest_net *g, captls_stream_id s)
{
    if (s == CAPOS_GUEST_NET_LISTENER)
        return g->listening && captls_bridge_pending(&g->link) > 0
                   ? CAPTLS_POLL_READ
                   : 0;
    if (!is_stream(s))
        return CAPTLS_POLL_HUP;
    return captls_bridge_ready(&g->link, s);
}

static captls_result gn_poll(void *ctx, captls_poll_item *items, size_t n,
                             uint64_t timeout_ns, size_t *nready)
{
    capos_guest_net *g = ctx;
    uint64_t deadline;

    if ((items == NULL && n > 0) || nready == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    deadline = now_ns(g) + timeout_ns;
    for (;;) {
        size_t ready = 0;
        capos_guest_net_service(g);
        for (size_t i = 0; i < n; i++) {
            unsigned r = item_ready(g, items[i].stream);
            items[i].ready = r & (items[i].want | CAPTLS_POLL_HUP);
            if (items[i].ready != 0)
                ready++;
        }
        if (ready > 0 || now_ns(g) >= deadline) {
            *nready = ready;
            return CAPTLS_OK;
        }
        /* Halt until an interrupt (COM2 or the tick); checking the ring
         * with interrupts off closes the lost-wake-up window. */
        capos_irq_disable();
        if (!capos_com2_rx_ready())
            capos_irq_idle();
        else
            capos_irq_enable();
    }
}

static captls_result gn_audit(void *ctx, const captls_audit_record *rec)
{
    capos_guest_net *g = ctx;
    char line[CAPTLS_AUDIT_LINE_MAX];
    size_t len;
    captls_result r;

    CAPTLS_TRY(captls_audit_format(rec, line, sizeof line, &len));
    r = captls_bridge_audit(&g->link, line, len);
    if (r == CAPTLS_WOULD_BLOCK) {
        /* The ring drains at line speed: give it a moment, bounded. */
        for (int i = 0; i < 1000 && r == CAPTLS_WOULD_BLOCK; i++) {
            capos_guest_net_service(g);
            r = captls_bridge_audit(&g->link, line, len);
        }
    }
    flush_tx(g);
    return r;
}

captls_result capos_guest_net_init(capos_guest_net *g,
                                   const captls_clock *clock, uint32_t epoch,
                                   captls_net *net_out,
                                   captls_audit_sink *audit_out)
{
    if (g == NULL || clock == NULL || clock->monotonic_ns == NULL ||
        net_out == NULL || audit_out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(g, 0, sizeof *g);
    g->clock = *clock;
    CAPTLS_TRY(captls_bridge_init(&g->link, CAPTLS_BRIDGE_GUEST,
                                  epoch != 0 ? epoch : 1, now_ns(g)));
    net_out->ctx = g;
    net_out->listen = gn_listen;
    net_out->local_port = gn_local_port;
    net_out->accept = gn_accept;
    net_out->connect = gn_connect;
    net_out->read = gn_read;
    net_out->write = gn_write;
    net_out->close = gn_close;
    net_out->poll = gn_poll;
    net_out->peer_name = gn_peer_name;
    audit_out->ctx = g;
    audit_out->append = gn_audit;
    return CAPTLS_OK;
}

const char *capos_guest_net_peer(const capos_guest_net *g, captls_stream_id s)
{
    if (g == NULL || !is_stream(s))
        return "";
    return captls_bridge_peer(&g->link, s);
}

/* ---- the host's store directory, read-only (bridge_link.h BlobStore) */

/* get: one GET, waited for while the link keeps moving every stream's
 * bytes (the gateway's sessions only see a pause). */
static captls_result gb_get(void *ctx, const char *key, uint8_t *buf,
                            size_t cap, size_t *len)
{
    capos_guest_net *g = ctx;
    captls_result r;
    uint64_t deadline = now_ns(g) + CAPOS_GUEST_NET_BLOB_TIMEOUT_NS;

    if (key == NULL || len == NULL || (buf == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (;;) {
        capos_guest_net_service(g);
        r = captls_bridge_blob_get_begin(&g->link, key, buf, cap);
        if (r != CAPTLS_WOULD_BLOCK)
            break;
        if (now_ns(g) >= deadline)
            return CAPTLS_ERR_TIMEOUT;
    }
    CAPTLS_TRY(r);
    flush_tx(g);
    for (;;) {
        capos_guest_net_service(g);
        if (captls_bridge_blob_get_end(&g->link, &r, len))
            return r;
        if (now_ns(g) >= deadline) {
            captls_bridge_blob_get_cancel(&g->link);
            return CAPTLS_ERR_TIMEOUT;
        }
        capos_irq_disable();
        if (!capos_com2_rx_ready())
            capos_irq_idle();
        else
            capos_irq_enable();
    }
}

/* The view is read-only: the guest holds no authority to write the
 * host's store. */
static captls_result gb_put(void *ctx, const char *key, const uint8_t *data,
                            size_t len)
{
    (void)ctx;
    (void)key;
    (void)data;
    (void)len;
    return CAPTLS_ERR_NO_AUTHORITY;
}

static captls_result gb_remove(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return CAPTLS_ERR_NO_AUTHORITY;
}

void capos_guest_net_blob_store(capos_guest_net *g, captls_blob_store *out)
{
    out->ctx = g;
    out->get = gb_get;
    out->put = gb_put;
    out->remove = gb_remove;
}

bool capos_guest_net_store_changed(capos_guest_net *g)
{
    return captls_bridge_blob_take_changed(&g->link);
}

/* ---- the host's wall clock (bridge_link.h WallClock TIME) ------------- */

static uint64_t gc_monotonic(void *ctx)
{
    capos_guest_net *g = ctx;
    return g->fallback.monotonic_ns(g->fallback.ctx);
}

static captls_result gc_wall(void *ctx, captls_wall_time *out)
{
    capos_guest_net *g = ctx;
    int64_t secs;
    uint32_t ns;
    uint64_t at, now = now_ns(g);
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_bridge_host_time(&g->link, &secs, &ns, &at) && now >= at &&
        now - at <= CAPOS_GUEST_NET_TIME_MAX_AGE_NS) {
        uint64_t total = (uint64_t)ns + (now - at);
        out->epoch_seconds = secs + (int64_t)(total / 1000000000u);
        out->nanoseconds = (uint32_t)(total % 1000000000u);
        out->provenance = CAPTLS_CLOCK_TRUSTED;
        if (!g->time_said) {
            g->time_said = true;
            capos_console_puts("clock: the bridge's host time (trusted)\n");
        }
        return CAPTLS_OK;
    }
    return g->fallback.wall_time(g->fallback.ctx, out);
}

void capos_guest_net_clock(capos_guest_net *g, captls_clock *clock)
{
    g->fallback = *clock;
    clock->ctx = g;
    clock->monotonic_ns = clock->monotonic_ns != NULL ? gc_monotonic : NULL;
    clock->wall_time = gc_wall;
}
