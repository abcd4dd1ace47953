/* See posix_port.h (ipc). */
#include <string.h>

#include "core/cap/ipc_frame.h"
#include "port/posix/posix_port.h"

enum { EP_FREE = 0, EP_OPEN = 1, EP_CLOSED = 2 };

#define MAX_EP CAPTLS_POSIX_IPC_MAX_ENDPOINTS
#define RING CAPTLS_POSIX_IPC_QUEUE_BYTES
/* Generations stay below this so an id (generation * MAX_EP + slot) is a
 * non-negative int32; a slot that reaches it is retired. */
#define GEN_LIMIT ((uint32_t)(INT32_MAX / MAX_EP))

_Static_assert(CAPTLS_IPC_MAX_FRAME <= RING,
               "one maximum-size frame must fit an endpoint queue");

/* Resolves an id: the endpoint when it is the slot's current, open one;
 * ENDPOINT_DEAD when it was issued and since closed; BAD_HANDLE when it
 * was never issued. */
static captls_result ep_lookup(captls_posix_ipc_ctx *c, captls_endpoint_id id,
                               captls_posix_ipc_endpoint **out)
{
    captls_posix_ipc_endpoint *ep;
    uint32_t gen;

    if (id < 0)
        return CAPTLS_ERR_BAD_HANDLE;
    ep = &c->endpoints[(uint32_t)id % MAX_EP];
    gen = (uint32_t)id / MAX_EP;
    if (ep->state == EP_FREE || gen > ep->generation)
        return CAPTLS_ERR_BAD_HANDLE;
    if (gen < ep->generation || ep->state != EP_OPEN)
        return CAPTLS_ERR_ENDPOINT_DEAD;
    *out = ep;
    return CAPTLS_OK;
}

static captls_result ipc_send(void *ctx, captls_endpoint_id to,
                              const uint8_t *frame, size_t len)
{
    captls_posix_ipc_endpoint *ep = NULL;
    uint32_t tail, first;

    if (frame == NULL || len == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(ep_lookup(ctx, to, &ep));
    if (len > CAPTLS_IPC_MAX_FRAME)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (ep->nframes == CAPTLS_POSIX_IPC_QUEUE_FRAMES || len > RING - ep->used)
        return CAPTLS_WOULD_BLOCK;
    tail = (ep->head + ep->used) % RING;
    first = RING - tail < len ? RING - tail : (uint32_t)len;
    memcpy(ep->ring + tail, frame, first);
    memcpy(ep->ring, frame + first, len - first);
    ep->frame_len[(ep->frame_head + ep->nframes) %
                  CAPTLS_POSIX_IPC_QUEUE_FRAMES] = (uint32_t)len;
    ep->nframes++;
    ep->used += (uint32_t)len;
    return CAPTLS_OK;
}

static captls_result ipc_recv(void *ctx, captls_endpoint_id self,
                              uint8_t *buf, size_t cap, size_t *len)
{
    captls_posix_ipc_endpoint *ep = NULL;
    uint32_t flen, first;

    if (len == NULL || (buf == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *len = 0;
    CAPTLS_TRY(ep_lookup(ctx, self, &ep));
    if (ep->nframes == 0)
        return CAPTLS_WOULD_BLOCK;
    flen = ep->frame_len[ep->frame_head];
    if (flen > cap) {
        *len = flen;
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    }
    first = RING - ep->head < flen ? RING - ep->head : flen;
    memcpy(buf, ep->ring + ep->head, first);
    memcpy(buf + first, ep->ring, flen - first);
    ep->head = (ep->head + flen) % RING;
    ep->used -= flen;
    ep->frame_head = (ep->frame_head + 1) % CAPTLS_POSIX_IPC_QUEUE_FRAMES;
    ep->nframes--;
    *len = flen;
    return CAPTLS_OK;
}

static void ep_reset_queue(captls_posix_ipc_endpoint *ep)
{
    ep->head = 0;
    ep->used = 0;
    ep->frame_head = 0;
    ep->nframes = 0;
}

captls_result captls_posix_ipc_open(captls_posix_ipc_ctx *ctx,
                                    captls_endpoint_id *out)
{
    if (ctx == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < MAX_EP; i++) {
        captls_posix_ipc_endpoint *ep = &ctx->endpoints[i];
        if (ep->state == EP_OPEN)
            continue;
        if (ep->state == EP_CLOSED) {
            if (ep->generation + 1 >= GEN_LIMIT)
                continue; /* retired: old ids must stay dead */
            ep->generation++;
        }
        ep->state = EP_OPEN;
        ep_reset_queue(ep);
        *out = (captls_endpoint_id)(ep->generation * MAX_EP + i);
        return CAPTLS_OK;
    }
    return CAPTLS_ERR_TABLE_FULL;
}

captls_result captls_posix_ipc_close(captls_posix_ipc_ctx *ctx,
                                     captls_endpoint_id id)
{
    captls_posix_ipc_endpoint *ep = NULL;

    if (ctx == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(ep_lookup(ctx, id, &ep));
    ep->state = EP_CLOSED;
    ep_reset_queue(ep);
    memset(ep->ring, 0, sizeof(ep->ring)); /* frames may carry anything */
    return CAPTLS_OK;
}

void captls_posix_ipc_init(captls_posix_ipc_ctx *ctx, captls_ipc *out)
{
    for (uint32_t i = 0; i < MAX_EP; i++) {
        ctx->endpoints[i].generation = 0;
        ctx->endpoints[i].state = EP_FREE;
        ep_reset_queue(&ctx->endpoints[i]);
    }
    out->ctx = ctx;
    out->send = ipc_send;
    out->recv = ipc_recv;
}
