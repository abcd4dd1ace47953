/* sim/host.c — the per-host parts of the sim port: virtual clocks, seeded
 * entropy, an in-memory blob store, and log/audit sinks that write to the
 * transcript. Every interface's ctx is the calling process (so a line or an
 * error can name it); host state is reached through it. See sim.h. */
#include <stdio.h>
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

/* Drift of the clock after t ns of virtual time. t <= 1e18, so t / 1e6
 * <= 1e12 and times |ppm| <= 1e5 stays within 1e17. */
static int64_t drift_ns(const captls_sim_host *h, uint64_t t)
{
    int64_t ppm = h->drift_ppm;
    return (int64_t)(t / 1000000u) * ppm +
           (int64_t)(t % 1000000u) * ppm / 1000000;
}

/* Epoch ns without the offset. now <= 1e18, the base within +-5e18, the
 * offset within +-1.5e18, drift within 1e17: every sum fits int64. */
static int64_t wall_ns_raw(const captls_sim_host *h)
{
    return h->wall_base_ns + (int64_t)h->k->now + drift_ns(h, h->k->now);
}

void captls_sim_host_wall(const captls_sim_host *h, captls_wall_time *out)
{
    int64_t ns = wall_ns_raw(h) + h->offset_ns;
    out->epoch_seconds = ns / (int64_t)CAPTLS_SIM_NS_PER_S;
    int64_t rem = ns % (int64_t)CAPTLS_SIM_NS_PER_S;
    if (rem < 0) {
        rem += (int64_t)CAPTLS_SIM_NS_PER_S;
        out->epoch_seconds--;
    }
    out->nanoseconds = (uint32_t)rem;
    out->provenance = h->provenance;
}

static captls_result clock_wall(void *ctx, captls_wall_time *out)
{
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_sim_host_wall(host_of(ctx), out);
    return CAPTLS_OK;
}

static const char *prov_name(captls_clock_provenance p)
{
    return p == CAPTLS_CLOCK_TRUSTED ? "trusted" : "untrusted";
}

/* "2026-11-23T00:00:00.000Z" (years outside 0..9999 print as epoch). */
static void iso(const captls_wall_time *w, char out[64])
{
    int64_t s = w->epoch_seconds, days = s / 86400, rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* civil_from_days (H. Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999) {
        snprintf(out, 64, "@%lld", (long long)s);
        return;
    }
    snprintf(out, 64, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03uZ",
             (long long)y, (long long)m, (long long)d, (long long)(rem / 3600),
             (long long)(rem / 60 % 60), (long long)(rem % 60),
             (unsigned)(w->nanoseconds / 1000000u));
}

void captls_sim_wall_iso(const captls_wall_time *w, char out[64])
{
    iso(w, out);
}

static void clock_logged(captls_sim_host *h, const char *what)
{
    captls_wall_time w;
    char t[64];
    captls_sim_host_wall(h, &w);
    iso(&w, t);
    captls_sim_log(h->k, NULL, "sim", "clock %s %s: now %s (%s)", h->name,
                   what, t, prov_name(h->provenance));
}

captls_result captls_sim_host_clock(captls_sim_host *h, int64_t skew_ns,
                                    int32_t drift_ppm)
{
    if (h == NULL || drift_ppm > CAPTLS_SIM_MAX_DRIFT_PPM ||
        drift_ppm < -CAPTLS_SIM_MAX_DRIFT_PPM ||
        skew_ns > CAPTLS_SIM_MAX_CLOCK_OFFSET_NS ||
        skew_ns < -CAPTLS_SIM_MAX_CLOCK_OFFSET_NS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    h->offset_ns = skew_ns;
    h->drift_ppm = drift_ppm;
    return CAPTLS_OK;
}

static captls_result set_offset(captls_sim_host *h, int64_t off,
                                const char *what)
{
    if (off > CAPTLS_SIM_MAX_CLOCK_OFFSET_NS ||
        off < -CAPTLS_SIM_MAX_CLOCK_OFFSET_NS) {
        captls_sim_log(h->k, NULL, "sim", "clock %s: %s refused: beyond "
                       "the simulator's range", h->name, what);
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    h->offset_ns = off;
    return CAPTLS_OK;
}

captls_result captls_sim_host_clock_jump(captls_sim_host *h, int64_t delta_ns)
{
    char what[64];
    uint64_t mag;
    if (h == NULL || delta_ns > CAPTLS_SIM_MAX_CLOCK_OFFSET_NS ||
        delta_ns < -CAPTLS_SIM_MAX_CLOCK_OFFSET_NS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    mag = delta_ns < 0 ? (uint64_t)(-delta_ns) : (uint64_t)delta_ns;
    snprintf(what, sizeof(what), "jumped %s %llu.%03llus",
             delta_ns < 0 ? "backward" : "forward",
             (unsigned long long)(mag / CAPTLS_SIM_NS_PER_S),
             (unsigned long long)(mag % CAPTLS_SIM_NS_PER_S /
                                  CAPTLS_SIM_NS_PER_MS));
    CAPTLS_TRY(set_offset(h, h->offset_ns + delta_ns, what));
    clock_logged(h, what);
    return CAPTLS_OK;
}

captls_result captls_sim_host_clock_set(captls_sim_host *h, int64_t epoch_s)
{
    if (h == NULL || epoch_s < -5000000000ll || epoch_s > 5000000000ll)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    int64_t off = epoch_s * (int64_t)CAPTLS_SIM_NS_PER_S - wall_ns_raw(h);
    bool back = off < h->offset_ns;
    CAPTLS_TRY(set_offset(h, off, "set"));
    clock_logged(h, back ? "set (backward)" : "set (forward)");
    return CAPTLS_OK;
}

void captls_sim_host_clock_provenance(captls_sim_host *h,
                                      captls_clock_provenance p)
{
    h->provenance = p;
    clock_logged(h, "provenance changed");
}

void captls_sim_host_store_mode(captls_sim_host *h, captls_sim_store_mode m)
{
    static const char *const NAMES[] = {
        "works again",
        "will tear its next write",
        "is full",
    };
    h->store_mode = m;
    captls_sim_log(h->k, NULL, "sim", "store %s %s", h->name,
                   NAMES[(unsigned)m < 3 ? (unsigned)m : 0]);
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
    if (h->store_mode == CAPTLS_SIM_STORE_FULL) {
        char q[96];
        captls_sim_log(h->k, NULL, "sim", "store %s: put %s refused: disk "
                       "full; old value kept", h->name,
                       captls_sim_quote((const uint8_t *)key, strlen(key), q,
                                        sizeof(q)));
        return CAPTLS_ERR_DISK_FULL;
    }
    if (h->store_mode == CAPTLS_SIM_STORE_TEAR) {
        /* The write dies halfway through its temporary copy; the rename
         * never happens, so readers still see the old value. */
        char q[96];
        h->store_mode = CAPTLS_SIM_STORE_OK;
        captls_sim_log(h->k, NULL, "sim", "store %s: put %s torn after %zu "
                       "of %zu bytes; old value kept", h->name,
                       captls_sim_quote((const uint8_t *)key, strlen(key), q,
                                        sizeof(q)),
                       len / 2, len);
        return CAPTLS_ERR_IO;
    }
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
