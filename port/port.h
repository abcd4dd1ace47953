/* port/port.h — the only door from core/ to the world.
 *
 * A port is a set of small interfaces, each an object pointer plus function
 * pointers, so that one process can hold several of them at once (the
 * simulator gives every simulated host its own clock, entropy, network and
 * store) and so that core/ never names a platform symbol. Three ports exist:
 *   port/posix  — Linux: clock_gettime, getrandom, non-blocking sockets with
 *                 poll(2), files with atomic rename + fsync;
 *   sim/        — deterministic: virtual clocks, seeded entropy, in-memory
 *                 streams and IPC endpoints, a blob store that can tear;
 *   port/capos  — the QEMU guest: TSC timer, RDRAND/RDSEED, serial streams.
 *
 * Contract shared by every interface below:
 *   - Calls never block, except captls_net.poll, which waits at most its
 *     timeout. Operations that cannot progress return CAPTLS_WOULD_BLOCK.
 *   - Memory is the caller's: buffers are passed with explicit sizes, and
 *     nothing returned points into port-owned memory beyond the call.
 *   - Errors are captls_result values; no errno, no abort.
 *   - Single-threaded: an interface object is used by one thread at a time.
 *   - A NULL function pointer means "this port does not offer it"; callers
 *     treat that as CAPTLS_ERR_UNSUPPORTED (the guest, for example, has no
 *     listening sockets yet).
 */
#ifndef CAPTLS_PORT_H
#define CAPTLS_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "core/base/result.h"

/* ------------------------------------------------------------------ time */

/* Where a wall-clock reading came from (seed 001/000: WallClock carries a
 * ClockProvenance). Verification policy decides what an untrusted reading
 * may prove; core never upgrades a provenance. */
typedef enum captls_clock_provenance {
    CAPTLS_CLOCK_UNTRUSTED = 0, /* fixed boot base, unauthenticated RTC, ... */
    CAPTLS_CLOCK_TRUSTED = 1,   /* authenticated or operator-vouched source */
} captls_clock_provenance;

typedef struct captls_wall_time {
    int64_t epoch_seconds; /* seconds since 1970-01-01T00:00:00Z */
    uint32_t nanoseconds;  /* 0..999999999 */
    captls_clock_provenance provenance;
} captls_wall_time;

typedef struct captls_clock {
    void *ctx;
    /* Nanoseconds since an arbitrary origin; never goes backwards. */
    uint64_t (*monotonic_ns)(void *ctx);
    /* Current wall time with its provenance. May jump in either
     * direction; CAPTLS_ERR_CLOCK_UNAVAILABLE when there is none. */
    captls_result (*wall_time)(void *ctx, captls_wall_time *out);
} captls_clock;

/* --------------------------------------------------------------- entropy */

typedef struct captls_entropy {
    void *ctx;
    /* Fill out[0..len) with cryptographically strong random bytes, or fail
     * with CAPTLS_ERR_ENTROPY_FAILURE leaving nothing the caller may use.
     * Callers fail closed on error. */
    captls_result (*fill)(void *ctx, uint8_t *out, size_t len);
} captls_entropy;

/* --------------------------------------------------------------- streams */

/* A stream or listener handle; valid from listen/accept/connect until
 * close. Negative values are never valid. */
typedef int32_t captls_stream_id;

enum {
    CAPTLS_POLL_READ = 1u << 0,  /* read (or accept) will not block */
    CAPTLS_POLL_WRITE = 1u << 1, /* write (or connect completion) ready */
    CAPTLS_POLL_HUP = 1u << 2,   /* peer closed or reset: read reports it */
};

typedef struct captls_poll_item {
    captls_stream_id stream;
    unsigned want;  /* CAPTLS_POLL_READ | CAPTLS_POLL_WRITE */
    unsigned ready; /* set by poll */
} captls_poll_item;

typedef struct captls_net {
    void *ctx;
    /* host is a literal address or a port-specific host name; port 0 asks
     * for an ephemeral port, reported by local_port. */
    captls_result (*listen)(void *ctx, const char *host, uint16_t port,
                            captls_stream_id *out);
    captls_result (*local_port)(void *ctx, captls_stream_id s, uint16_t *out);
    /* CAPTLS_WOULD_BLOCK when no connection is pending. */
    captls_result (*accept)(void *ctx, captls_stream_id listener,
                            captls_stream_id *out);
    /* Starts a connection. It may complete later: the stream becomes
     * writable, or its first read/write reports CAPTLS_ERR_CONN_REFUSED. */
    captls_result (*connect)(void *ctx, const char *host, uint16_t port,
                             captls_stream_id *out);
    /* *got bytes were read (>= 1 on CAPTLS_OK); CAPTLS_EOF on orderly
     * close, CAPTLS_ERR_CONN_RESET on reset. */
    captls_result (*read)(void *ctx, captls_stream_id s, uint8_t *buf,
                          size_t cap, size_t *got);
    /* *put bytes were written (may be fewer than len: a short write). */
    captls_result (*write)(void *ctx, captls_stream_id s, const uint8_t *buf,
                           size_t len, size_t *put);
    /* Releases the handle; always succeeds for a valid handle. */
    captls_result (*close)(void *ctx, captls_stream_id s);
    /* The readiness loop: waits until at least one item is ready or
     * timeout_ns passes (0 = just look). *nready counts ready items. */
    captls_result (*poll)(void *ctx, captls_poll_item *items, size_t n,
                          uint64_t timeout_ns, size_t *nready);
    /* Optional (NULL: unknown): the peer's address of an accepted or
     * connected stream as text, "ADDR:PORT" ("[ADDR]:PORT" for IPv6),
     * NUL-terminated in buf[0..cap). Used for per-source limits and audit
     * records; never for authentication. */
    captls_result (*peer_name)(void *ctx, captls_stream_id s, char *buf,
                               size_t cap);
} captls_net;

/* ------------------------------------------------------------ blob store */

/* A small durable key → bytes store for CertificateStore / KeyVault
 * persistence. Keys are 1..CAPTLS_BLOB_KEY_MAX bytes of [A-Za-z0-9._-],
 * not starting with '.'. put is atomic: after a crash (or a torn write in
 * the simulator) a get returns the old value or the new one, never a mix. */
#define CAPTLS_BLOB_KEY_MAX 64

typedef struct captls_blob_store {
    void *ctx;
    /* CAPTLS_ERR_NOT_FOUND if absent; CAPTLS_ERR_BUFFER_TOO_SMALL (with
     * *len set to the size needed) if cap is too small. */
    captls_result (*get)(void *ctx, const char *key, uint8_t *buf, size_t cap,
                         size_t *len);
    /* CAPTLS_ERR_DISK_FULL leaves the old value in place. */
    captls_result (*put)(void *ctx, const char *key, const uint8_t *data,
                         size_t len);
    /* CAPTLS_ERR_NOT_FOUND if absent. */
    captls_result (*remove)(void *ctx, const char *key);
} captls_blob_store;

/* The shared key rule, so every port refuses the same keys. */
static inline bool captls_blob_key_valid(const char *key)
{
    size_t i = 0;
    if (key == NULL || key[0] == '\0' || key[0] == '.')
        return false;
    for (; key[i] != '\0'; i++) {
        char c = key[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok || i >= CAPTLS_BLOB_KEY_MAX)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ IPC */

/* An endpoint is where one service receives framed messages (the frame
 * format, with its typed header and transferred cap handles, is
 * core/cap/ipc_frame.h). The port moves whole frames; translating the cap
 * handles a frame carries between the sender's and the receiver's cap
 * tables is the job of whoever owns both tables (the simulator kernel, the
 * guest), never of the sender. */
typedef int32_t captls_endpoint_id;

typedef struct captls_ipc {
    void *ctx;
    /* Queues one complete frame for endpoint `to`. CAPTLS_ERR_ENDPOINT_DEAD
     * if the service behind it is gone; CAPTLS_WOULD_BLOCK if its queue is
     * full. The frame is copied; the caller keeps its buffer. */
    captls_result (*send)(void *ctx, captls_endpoint_id to,
                          const uint8_t *frame, size_t len);
    /* Takes the next frame queued for endpoint `self`; CAPTLS_WOULD_BLOCK
     * if none, CAPTLS_ERR_BUFFER_TOO_SMALL (nothing consumed, *len = size
     * needed) if cap is too small. */
    captls_result (*recv)(void *ctx, captls_endpoint_id self, uint8_t *buf,
                          size_t cap, size_t *len);
} captls_ipc;

/* ------------------------------------------------------- log and audit */

typedef enum captls_log_level {
    CAPTLS_LOG_DEBUG = 0,
    CAPTLS_LOG_INFO = 1,
    CAPTLS_LOG_WARN = 2,
    CAPTLS_LOG_ERROR = 3,
} captls_log_level;

typedef struct captls_log_sink {
    void *ctx;
    /* msg is already sanitized (printable ASCII) and not NUL-terminated. */
    void (*write)(void *ctx, captls_log_level level, const char *msg,
                  size_t len);
} captls_log_sink;

struct captls_audit_record; /* core/cap/audit.h */

typedef struct captls_audit_sink {
    void *ctx;
    /* Appends one record. Fails (e.g. CAPTLS_ERR_DISK_FULL) rather than
     * drop it silently; callers decide whether to fail closed. */
    captls_result (*append)(void *ctx, const struct captls_audit_record *rec);
} captls_audit_sink;

/* ------------------------------------------------------------- the port */

typedef struct captls_port {
    captls_clock clock;
    captls_entropy entropy;
    captls_net net;
    captls_blob_store store;
    captls_ipc ipc;
    captls_log_sink log;
    captls_audit_sink audit;
} captls_port;

#endif
