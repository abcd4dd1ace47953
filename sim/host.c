/* sim/host.c — the per-host parts of the sim port: virtual clocks, seeded
 * entropy, an in-memory blob store, and log/audit sinks that write to the
 * transcript. Every interface's ctx is the calling process (so a line or an
 * error can name it); host state is reached through it. See sim.h. */
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "core/cap/audit.h"
#include "sim/sim_internal.h"

static captls_sim_host *host_of(void *ctx)
{
    captls_sim_proc *p = ctx;
    return &p->k->hosts[p->host];
}

/* ----------------------------------------------------------------- clock */

static uint64_t clock_monotonic(void *ctx)
{
    captls_sim_proc *p = ctx;
    return p->k->now;
}

static captls_result clock_wall(void *ctx, captls_wall_time *out)
{
    captls_sim_host *h = host_of(ctx);
    int64_t ns;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* now <= max_time_ns <= CAPTLS_SIM_MAX_TIME_NS (1e18) and the base is
     * within +-5e18 ns: the sum fits int64. */
    ns = h->wall_base_ns + (int64_t)h->k->now;
    out->epoch_seconds = ns / (int64_t)CAPTLS_SIM_NS_PER_S;
    int64_t rem = ns % (int64_t)CAPTLS_SIM_NS_PER_S;
    if (rem < 0) {
        rem += (int64_t)CAPTLS_SIM_NS_PER_S;
        out->epoch_seconds--;
    }
    out->nanoseconds = (uint32_t)rem;
    out->provenance = h->provenance;
    return CAPTLS_OK;
}

/* --------------------------------------------------------------- entropy */

static captls_result entropy_fill(void *ctx, uint8_t *out, size_t len)
{
    captls_sim_host *h = host_of(ctx);
    if (out == NULL && len > 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (h->entropy_failing) {
        if (len > 0)
            memset(out, 0, len);
        return CAPTLS_ERR_ENTROPY_FAILURE;
    }
    /* HMAC-DRBG seeded from (run seed, host name): deterministic, and
     * insecure by design — the simulator is never linked into what ships. */
    while (len > 0) {
        size_t n = len > 1024 ? 1024 : len;
        br_hmac_drbg_generate(&h->drbg, out, n);
        out += n;
        len -= n;
    }
    return CAPTLS_OK;
}

/* ------------------------------------------------------------ blob store */

static sim_blob *blob_find(captls_sim_host *h, const char *key)
{
    for (sim_blob *b = h->blobs; b != NULL; b = b->next) {
        if (strcmp(b->key, key) == 0)
            return b;
    }
    return NULL;
}

static captls_result store_get(void *ctx, const char *key, uint8_t *buf,
                               size_t cap, size_t *len)
{
    captls_sim_host *h = host_of(ctx);
    sim_blob *b;
    if (!captls_blob_key_valid(key) || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    b = blob_find(h, key);
    if (b == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    *len = b->len;
    if (buf == NULL || cap < b->len)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (b->len > 0)
        memcpy(buf, b->data, b->len);
    return CAPTLS_OK;
}

static captls_result store_put(void *ctx, const char *key, const uint8_t *data,
                               size_t len)
{
    captls_sim_host *h = host_of(ctx);
    sim_blob *b;
    uint8_t *copy;
    size_t old;
    if (!captls_blob_key_valid(key) || (data == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    b = blob_find(h, key);
    old = b != NULL ? b->len : 0;
    if (len > SIM_STORE_BYTES || h->blob_bytes - old + len > SIM_STORE_BYTES ||
        (b == NULL && h->blob_count >= SIM_STORE_ENTRIES))
        return CAPTLS_ERR_DISK_FULL; /* the old value stays */
    copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        return CAPTLS_ERR_DISK_FULL;
    if (len > 0)
        memcpy(copy, data, len);
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        if (b == NULL) {
            free(copy);
            return CAPTLS_ERR_DISK_FULL;
        }
        memcpy(b->key, key, strlen(key) + 1);
        b->next = h->blobs;
        h->blobs = b;
        h->blob_count++;
    }
    /* Atomic: the new value replaces the old one in one step. */
    free(b->data);
    b->data = copy;
    b->len = len;
    h->blob_bytes = h->blob_bytes - old + len;
    return CAPTLS_OK;
}

static captls_result store_remove(void *ctx, const char *key)
{
    captls_sim_host *h = host_of(ctx);
    if (!captls_blob_key_valid(key))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (sim_blob **pp = &h->blobs; *pp != NULL; pp = &(*pp)->next) {
        sim_blob *b = *pp;
        if (strcmp(b->key, key) == 0) {
            *pp = b->next;
            h->blob_bytes -= b->len;
            h->blob_count--;
            free(b->data);
            free(b);
            return CAPTLS_OK;
        }
    }
    return CAPTLS_ERR_NOT_FOUND;
}

void sim_host_free(captls_sim_host *h)
{
    sim_blob *b = h->blobs;
    while (b != NULL) {
        sim_blob *next = b->next;
        free(b->data);
        free(b);
        b = next;
    }
    h->blobs = NULL;
}

/* ------------------------------------------------------- log and audit */

static void log_write(void *ctx, captls_log_level level, const char *msg,
                      size_t len)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    captls_sim_proc *p = ctx;
    char clean[512];
    unsigned lv = (unsigned)level < 4 ? (unsigned)level : 3;
    /* The contract says msg is sanitized already; sanitize again so a
     * buggy caller cannot put a newline into the transcript. */
    captls_sanitize((const uint8_t *)msg, msg != NULL ? len : 0, clean,
                    sizeof(clean));
    captls_sim_log(p->k, p, NULL, "log %s: %s", names[lv], clean);
}

static captls_result audit_append(void *ctx,
                                  const struct captls_audit_record *rec)
{
    captls_sim_proc *p = ctx;
    char line[CAPTLS_AUDIT_LINE_MAX];
    size_t len;
    if (rec == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_audit_format(rec, line, sizeof(line), &len));
    captls_sim_log(p->k, p, NULL, "%s", line);
    return CAPTLS_OK;
}

/* ------------------------------------------------------------- the port */

void sim_host_port_init(captls_sim_proc *p)
{
    captls_port *port = &p->port;
    port->clock.ctx = p;
    port->clock.monotonic_ns = clock_monotonic;
    port->clock.wall_time = clock_wall;
    port->entropy.ctx = p;
    port->entropy.fill = entropy_fill;
    port->net = sim_net_vtable;
    port->net.ctx = p;
    port->store.ctx = p;
    port->store.get = store_get;
    port->store.put = store_put;
    port->store.remove = store_remove;
    port->ipc = sim_ipc_vtable;
    port->ipc.ctx = p;
    port->log.ctx = p;
    port->log.write = log_write;
    port->audit.ctx = p;
    port->audit.append = audit_append;
}
