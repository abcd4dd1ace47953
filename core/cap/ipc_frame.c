/* See ipc_frame.h for the wire format and the decoder's rules. */
#include "core/cap/ipc_frame.h"

#include <string.h>

static const uint8_t MAGIC[2] = {0xCA, 0x9F};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static bool kind_valid(uint32_t kind)
{
    return kind == CAPTLS_IPC_CALL || kind == CAPTLS_IPC_RETURN ||
           kind == CAPTLS_IPC_ERROR;
}

/* The status rule: an error frame carries an error, other frames none. */
static bool status_valid(uint32_t kind, uint32_t status)
{
    if (kind == CAPTLS_IPC_ERROR)
        return status != CAPTLS_OK;
    return status == CAPTLS_OK;
}

static bool fields_valid(const captls_ipc_frame *f, size_t *total)
{
    if (!kind_valid((uint32_t)f->kind) || !status_valid(f->kind, f->status))
        return false;
    if (f->ncaps > CAPTLS_IPC_MAX_CAPS)
        return false;
    if (f->payload_len > 0 && f->payload == NULL)
        return false;
    for (uint16_t i = 0; i < f->ncaps; i++) {
        if (f->caps[i] == CAPTLS_CAP_NULL)
            return false;
    }
    size_t head = CAPTLS_IPC_HEADER_SIZE + 4u * f->ncaps;
    if (f->payload_len > CAPTLS_IPC_MAX_FRAME - head)
        return false;
    *total = head + f->payload_len;
    return true;
}

captls_result captls_ipc_frame_encode(const captls_ipc_frame *f, uint8_t *out,
                                      size_t cap, size_t *len)
{
    size_t total;
    if (f == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!fields_valid(f, &total))
        return CAPTLS_ERR_MALFORMED;
    *len = total;
    if (out == NULL || cap < total)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    put32(out, (uint32_t)total);
    memcpy(out + 4, MAGIC, 2);
    out[6] = CAPTLS_IPC_VERSION;
    out[7] = (uint8_t)f->kind;
    put32(out + 8, f->iface);
    put16(out + 12, f->method);
    put16(out + 14, f->ncaps);
    put32(out + 16, f->request_id);
    put32(out + 20, f->status);
    for (uint16_t i = 0; i < f->ncaps; i++)
        put32(out + CAPTLS_IPC_HEADER_SIZE + 4u * i, f->caps[i]);
    if (f->payload_len > 0)
        memcpy(out + CAPTLS_IPC_HEADER_SIZE + 4u * f->ncaps, f->payload,
               f->payload_len);
    return CAPTLS_OK;
}

captls_result captls_ipc_frame_decode(const uint8_t *in, size_t len,
                                      captls_ipc_frame *out, size_t *consumed)
{
    captls_ipc_frame f;
    if (in == NULL || out == NULL || consumed == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* Reject what is already wrong in a partial header before asking for
     * more, so a stream reader never waits on a frame that cannot be. */
    if (len >= 4) {
        uint32_t total = get32(in);
        if (total < CAPTLS_IPC_HEADER_SIZE || total > CAPTLS_IPC_MAX_FRAME)
            return CAPTLS_ERR_MALFORMED;
    }
    if ((len >= 5 && in[4] != MAGIC[0]) || (len >= 6 && in[5] != MAGIC[1]) ||
        (len >= 7 && in[6] != CAPTLS_IPC_VERSION) ||
        (len >= 8 && !kind_valid(in[7])))
        return CAPTLS_ERR_MALFORMED;
    if (len < CAPTLS_IPC_HEADER_SIZE) {
        *consumed = len >= 4 ? get32(in) : CAPTLS_IPC_HEADER_SIZE;
        return CAPTLS_NEED_MORE;
    }
    uint32_t total = get32(in);
    memset(&f, 0, sizeof(f));
    f.kind = (captls_ipc_kind)in[7];
    f.iface = get32(in + 8);
    f.method = get16(in + 12);
    f.ncaps = get16(in + 14);
    f.request_id = get32(in + 16);
    f.status = get32(in + 20);
    if (f.ncaps > CAPTLS_IPC_MAX_CAPS ||
        CAPTLS_IPC_HEADER_SIZE + 4u * f.ncaps > total ||
        !status_valid(f.kind, f.status))
        return CAPTLS_ERR_MALFORMED;
    if (len < total) {
        *consumed = total;
        return CAPTLS_NEED_MORE;
    }
    for (uint16_t i = 0; i < f.ncaps; i++) {
        f.caps[i] = get32(in + CAPTLS_IPC_HEADER_SIZE + 4u * i);
        if (f.caps[i] == CAPTLS_CAP_NULL)
            return CAPTLS_ERR_MALFORMED;
    }
    size_t head = CAPTLS_IPC_HEADER_SIZE + 4u * f.ncaps;
    f.payload = in + head;
    f.payload_len = total - head;
    *out = f;
    *consumed = total;
    return CAPTLS_OK;
}

captls_result captls_ipc_transfer_caps(captls_cap_table *t,
                                       captls_cap_owner from,
                                       captls_cap_owner to,
                                       captls_ipc_frame *f)
{
    captls_cap_handle granted[CAPTLS_IPC_MAX_CAPS];
    if (t == NULL || f == NULL || f->ncaps > CAPTLS_IPC_MAX_CAPS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* Check everything first so a failure part-way creates nothing. */
    for (uint16_t i = 0; i < f->ncaps; i++)
        CAPTLS_TRY(captls_cap_lookup(t, from, f->caps[i], CAPTLS_IFACE_ANY,
                                     CAPTLS_RIGHT_GRANT, NULL));
    if (captls_cap_table_free(t) < f->ncaps)
        return CAPTLS_ERR_TABLE_FULL;
    for (uint16_t i = 0; i < f->ncaps; i++) {
        captls_result r = captls_cap_grant(t, from, f->caps[i], to, &granted[i]);
        if (r != CAPTLS_OK) {
            /* Unreachable after the checks above; undo anyway. */
            for (uint16_t j = 0; j < i; j++) {
                captls_result undo = captls_cap_drop(t, to, granted[j]);
                (void)undo; /* a handle made just above: cannot fail */
            }
            return r;
        }
    }
    memcpy(f->caps, granted, sizeof(granted[0]) * f->ncaps);
    return CAPTLS_OK;
}
