/* See guest_echo.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port/capos/guest_echo.h"

typedef struct echo_conn {
    bool used;
    captls_stream_id s;
    uint64_t serial, bytes;
    size_t off, len;
    uint8_t buf[1024];
} echo_conn;

static echo_conn conns[CAPOS_ECHO_MAX_CONNS];

static void say(capos_echo_log_fn log, const char *what, uint64_t n,
                const char *detail)
{
    if (log != NULL)
        log(what, n, detail);
}

static void conn_end(const captls_net *net, echo_conn *c,
                     capos_echo_log_fn log, const char *why)
{
    (void)net->close(net->ctx, c->s);
    say(log, "close", c->serial, why);
    c->used = false;
}

/* Writes what is pending; false when the stream is gone. */
static bool conn_flush(const captls_net *net, echo_conn *c)
{
    while (c->off < c->len) {
        size_t put = 0;
        captls_result r = net->write(net->ctx, c->s, c->buf + c->off,
                                     c->len - c->off, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return true;
        if (r != CAPTLS_OK)
            return false;
        c->off += put;
    }
    c->off = c->len = 0;
    return true;
}

static void conn_step(const captls_net *net, echo_conn *c,
                      capos_echo_log_fn log)
{
    for (int rounds = 0; rounds < 8; rounds++) {
        size_t got = 0;
        captls_result r;
        if (!conn_flush(net, c)) {
            conn_end(net, c, log, "reset");
            return;
        }
        if (c->len > 0)
            return; /* wait for room before reading more */
        r = net->read(net->ctx, c->s, c->buf, sizeof c->buf, &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r == CAPTLS_EOF) {
            conn_end(net, c, log, "eof");
            return;
        }
        if (r != CAPTLS_OK) {
            conn_end(net, c, log, "reset");
            return;
        }
        c->len = got;
        c->off = 0;
        c->bytes += got;
    }
}

void capos_guest_echo_serve(const captls_net *net, uint16_t port,
                            capos_echo_log_fn log, capos_echo_peer_fn peer,
                            void *peer_ctx)
{
    captls_stream_id listener;
    captls_poll_item items[CAPOS_ECHO_MAX_CONNS + 1];
    uint64_t serial = 0, refused = 0;

    if (net->listen(net->ctx, "0.0.0.0", port, &listener) != CAPTLS_OK) {
        say(log, "listen failed", 0, "");
        for (;;) {
            size_t nr;
            (void)net->poll(net->ctx, NULL, 0, 1000000000ull, &nr);
        }
    }
    say(log, "listening", port, "");
    for (;;) {
        size_t n = 0, nready = 0;
        items[n].stream = listener;
        items[n].want = CAPTLS_POLL_READ;
        items[n++].ready = 0;
        for (size_t i = 0; i < CAPOS_ECHO_MAX_CONNS; i++) {
            if (!conns[i].used)
                continue;
            items[n].stream = conns[i].s;
            items[n].want = conns[i].len > 0 ? CAPTLS_POLL_WRITE
                                             : CAPTLS_POLL_READ;
            items[n++].ready = 0;
        }
        if (net->poll(net->ctx, items, n, 1000000000ull, &nready) !=
                CAPTLS_OK ||
            nready == 0)
            continue;
        for (size_t i = 0; i < CAPOS_ECHO_MAX_CONNS; i++) {
            if (conns[i].used)
                conn_step(net, &conns[i], log);
        }
        if (items[0].ready & CAPTLS_POLL_READ) {
            captls_stream_id s;
            while (net->accept(net->ctx, listener, &s) == CAPTLS_OK) {
                echo_conn *c = NULL;
                for (size_t i = 0; i < CAPOS_ECHO_MAX_CONNS && c == NULL; i++) {
                    if (!conns[i].used)
                        c = &conns[i];
                }
                if (c == NULL) {
                    (void)net->close(net->ctx, s);
                    say(log, "refused (full)", ++refused, "");
                    continue;
                }
                c->used = true;
                c->s = s;
                c->serial = ++serial;
                c->bytes = 0;
                c->off = c->len = 0;
                say(log, "open", c->serial,
                    peer != NULL ? peer(peer_ctx, s) : "");
                conn_step(net, c, log);
            }
        }
    }
}
