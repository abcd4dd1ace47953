/* port/posix/posix_port.h — the Linux port: port.h on real syscalls.
 *
 * Host programs (build/captls, captls-telnetsd, tests) fill a captls_port
 * from a caller-owned captls_posix_port_ctx with captls_posix_port_init, or
 * set up single interfaces with the per-interface init functions below.
 * Every context is a fixed-size struct the caller allocates (the whole port
 * context is large because of the IPC queues, so programs keep it static);
 * nothing here calls malloc. Contexts are single-threaded, like port.h.
 *
 * What each interface does on Linux:
 *   clock    CLOCK_MONOTONIC (clamped so it never goes backwards) and
 *            CLOCK_REALTIME. The host OS clock is reported as
 *            CAPTLS_CLOCK_TRUSTED by default — the operator vouches for the
 *            host's NTP — and can be configured as CAPTLS_CLOCK_UNTRUSTED.
 *   entropy  getrandom(2), flags 0 (blocks only before the kernel pool is
 *            first initialised). EINTR and short reads are retried; any
 *            other failure wipes the buffer and is ENTROPY_FAILURE.
 *   net      non-blocking TCP over IPv4/IPv6. Hosts are numeric literals
 *            ("127.0.0.1", "::1", "[::1]") or "localhost" (= 127.0.0.1);
 *            no DNS (it would block). Stream ids are indices 0..
 *            CAPTLS_POSIX_NET_MAX_STREAMS-1 into the context's table; a
 *            closed id may be handed out again by a later listen/accept/
 *            connect. A full table is CAPTLS_ERR_TABLE_FULL (accept then
 *            leaves the connection pending). listen sets SO_REUSEADDR.
 *            connect returns at once; a refusal arrives later through
 *            poll (WRITE|HUP) and the next read/write (CONN_REFUSED); only
 *            a failure the kernel reports synchronously (no route, ...) is
 *            returned by connect itself, and then no stream is created.
 *            Stream results are sticky: once a read or write reports an
 *            error (or a read reports EOF), later reads report it again,
 *            because Linux reports some of them only once. After EOF
 *            writes still work (half close) until they fail. write uses
 *            MSG_NOSIGNAL: a vanished peer is CONN_RESET, never SIGPIPE.
 *            Connected streams have TCP_NODELAY set.
 *            poll uses ppoll(2) (nanosecond timeout), restarted after EINTR
 *            for the rest of the timeout; CAPTLS_OK with *nready = 0 when
 *            the timeout passes; a stream with a recorded error (or an
 *            EOF, when reading) is ready at once with CAPTLS_POLL_HUP; more
 *            than CAPTLS_POSIX_NET_MAX_STREAMS items is LIMIT_EXCEEDED.
 *            Bad or closed ids are CAPTLS_ERR_BAD_HANDLE; a listener given
 *            to read/write (or a stream to accept) is INVALID_ARGUMENT.
 *   store    a directory; see captls_posix_blob_store_init. Its calls do
 *            synchronous file I/O (fsync): they wait for the disk, never
 *            for a peer.
 *   ipc      in-process endpoints with fixed-size frame queues; see
 *            captls_posix_ipc_open.
 *   log      one write(2) per line to a file descriptor (stderr):
 *            "captls <level>: <msg>\n", non-printable bytes shown as '?'.
 *   audit    captls_audit_format lines appended to a file opened O_APPEND,
 *            fsync(2) after every record.
 *
 * Error mapping (the world → captls_result): EAGAIN, EINPROGRESS →
 * WOULD_BLOCK; ECONNREFUSED → CONN_REFUSED;
 * ECONNRESET, EPIPE → CONN_RESET; ENOTCONN → NOT_CONNECTED; ETIMEDOUT →
 * TIMEOUT; EADDRINUSE → ADDR_IN_USE; EADDRNOTAVAIL, EAFNOSUPPORT →
 * ADDR_INVALID; ENOSPC, EDQUOT, EFBIG → DISK_FULL; ENOENT → NOT_FOUND;
 * EMFILE, ENFILE, ENOBUFS, ENOMEM → LIMIT_EXCEEDED; anything else → IO.
 */
#ifndef CAPTLS_PORT_POSIX_PORT_H
#define CAPTLS_PORT_POSIX_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/base/result.h"
#include "port/port.h"

/* The mapping above, for host programs that make their own syscalls. */
captls_result captls_posix_result_from_errno(int err);

/* ---------------------------------------------------------------- limits */

/* Streams and listeners one net context can hold at once. */
#define CAPTLS_POSIX_NET_MAX_STREAMS 1024
/* Largest value the blob store accepts (LIMIT_EXCEEDED above). Stored
 * objects are certificates, chains, CRLs and sealed keys: 1 MiB is ample. */
#define CAPTLS_POSIX_BLOB_MAX (1024u * 1024u)
/* IPC: endpoints per context, and per endpoint a byte ring that holds up
 * to CAPTLS_POSIX_IPC_QUEUE_FRAMES frames totalling at most
 * CAPTLS_POSIX_IPC_QUEUE_BYTES (one maximum-size frame fits exactly). */
#define CAPTLS_POSIX_IPC_MAX_ENDPOINTS 8
#define CAPTLS_POSIX_IPC_QUEUE_FRAMES 16
#define CAPTLS_POSIX_IPC_QUEUE_BYTES 65536u
/* Longest log line written (prefix and newline included); longer
 * messages are cut and end with "...". */
#define CAPTLS_POSIX_LOG_LINE_MAX 1024u

/* ----------------------------------------------------------------- clock */

typedef struct captls_posix_clock_ctx {
    captls_clock_provenance wall_provenance;
    uint64_t last_monotonic_ns;
    /* Test hook: NULL means clock_gettime(2). */
    int (*gettime)(clockid_t id, struct timespec *ts);
} captls_posix_clock_ctx;

/* Fills *out. wall_provenance is what wall_time reports (the POSIX port
 * default is CAPTLS_CLOCK_TRUSTED). */
void captls_posix_clock_init(captls_posix_clock_ctx *ctx,
                             captls_clock_provenance wall_provenance,
                             captls_clock *out);

/* --------------------------------------------------------------- entropy */

typedef struct captls_posix_entropy_ctx {
    /* Test hook: NULL means getrandom(2). Same contract as getrandom. */
    ssize_t (*getrandom_fn)(void *buf, size_t len, unsigned flags);
} captls_posix_entropy_ctx;

void captls_posix_entropy_init(captls_posix_entropy_ctx *ctx,
                               captls_entropy *out);

/* ------------------------------------------------------------------- net */

typedef struct captls_posix_net_slot {
    int fd;
    uint8_t kind;  /* free / listener / stream (posix_net.c) */
    uint8_t state; /* connecting / open */
    captls_result sticky; /* CAPTLS_OK, CAPTLS_EOF or an error */
} captls_posix_net_slot;

typedef struct captls_posix_net_ctx {
    captls_posix_net_slot slots[CAPTLS_POSIX_NET_MAX_STREAMS];
} captls_posix_net_ctx;

void captls_posix_net_init(captls_posix_net_ctx *ctx, captls_net *out);
/* Closes every stream and listener still open. */
void captls_posix_net_fini(captls_posix_net_ctx *ctx);

/* ------------------------------------------------------------ blob store */

/* The store is one directory; each key is one file named by the key.
 *
 * put writes ".<key>.tmp" in the same directory, fsyncs it, renames it over
 * <key> and fsyncs the directory. rename(2) is atomic, so a crash at any
 * moment leaves the old value or the new one under <key>, never a torn
 * one. A failed put (DISK_FULL, IO) unlinks its temp file and leaves the
 * old value. Temp files a crash leaves behind are removed by the next put
 * of the same key (it reuses the name) and by captls_posix_blob_store_init
 * (which sweeps every ".*.tmp" file). Temp names start with '.', which no
 * valid key does, so they never shadow a key.
 *
 * Not covered: if fsync of the directory fails after the rename, put
 * reports CAPTLS_ERR_IO although the new value is already visible (its
 * durability across power loss is then unknown). One process per store
 * directory: two writers would share temp names. A process that runs with
 * RLIMIT_FSIZE must ignore SIGXFSZ to see DISK_FULL instead of dying. */
typedef struct captls_posix_blob_store_ctx {
    int dirfd;
} captls_posix_blob_store_ctx;

/* Opens (creating it 0700 if missing, one level only) the directory,
 * sweeps stale temp files and fills *out. Errors: NOT_FOUND (parent
 * missing), IO, INVALID_ARGUMENT. */
CAPTLS_MUST_CHECK captls_result captls_posix_blob_store_init(
    captls_posix_blob_store_ctx *ctx, const char *dir,
    captls_blob_store *out);
void captls_posix_blob_store_fini(captls_posix_blob_store_ctx *ctx);

/* ------------------------------------------------------------------- ipc */

typedef struct captls_posix_ipc_endpoint {
    uint32_t generation;
    uint8_t state; /* free / open / closed (posix_ipc_local.c) */
    uint32_t head; /* ring offset of the oldest frame */
    uint32_t used; /* bytes queued */
    uint32_t frame_head;
    uint32_t nframes;
    uint32_t frame_len[CAPTLS_POSIX_IPC_QUEUE_FRAMES];
    uint8_t ring[CAPTLS_POSIX_IPC_QUEUE_BYTES];
} captls_posix_ipc_endpoint;

/* In-process endpoints. An endpoint id encodes a slot and a generation:
 * once closed, an id stays dead (send and recv report ENDPOINT_DEAD) even
 * after its slot is reused; an id never handed out is BAD_HANDLE. Frames
 * are opaque here (1..CAPTLS_IPC_MAX_FRAME bytes; framing is
 * core/cap/ipc_frame.h); a frame that cannot ever fit is LIMIT_EXCEEDED,
 * one that does not fit now is WOULD_BLOCK. */
typedef struct captls_posix_ipc_ctx {
    captls_posix_ipc_endpoint endpoints[CAPTLS_POSIX_IPC_MAX_ENDPOINTS];
} captls_posix_ipc_ctx;

void captls_posix_ipc_init(captls_posix_ipc_ctx *ctx, captls_ipc *out);
/* A new endpoint; CAPTLS_ERR_TABLE_FULL when none is free. */
CAPTLS_MUST_CHECK captls_result captls_posix_ipc_open(
    captls_posix_ipc_ctx *ctx, captls_endpoint_id *out);
/* The service behind `id` is gone: queued frames are dropped. */
CAPTLS_MUST_CHECK captls_result captls_posix_ipc_close(
    captls_posix_ipc_ctx *ctx, captls_endpoint_id id);

/* ------------------------------------------------------------------- log */

typedef struct captls_posix_log_ctx {
    int fd;
    captls_log_level min_level;
} captls_posix_log_ctx;

/* Messages below min_level are dropped. Write errors are ignored: a log
 * line has nowhere to report its own failure (the audit sink does). */
void captls_posix_log_init(captls_posix_log_ctx *ctx, int fd,
                           captls_log_level min_level, captls_log_sink *out);

/* ----------------------------------------------------------------- audit */

typedef struct captls_posix_audit_ctx {
    int fd;
    bool owns_fd;
} captls_posix_audit_ctx;

/* Opens path O_WRONLY|O_APPEND|O_CREAT (0600); "-" means stderr. Each
 * append writes one line, then fsyncs (EINVAL/EROFS from fsync, i.e. a
 * pipe or terminal, are accepted). A failed append truncates the file back
 * to its size before the record (best effort), so no torn line stays, and
 * reports DISK_FULL or IO. */
CAPTLS_MUST_CHECK captls_result captls_posix_audit_open(
    captls_posix_audit_ctx *ctx, const char *path, captls_audit_sink *out);
void captls_posix_audit_fini(captls_posix_audit_ctx *ctx);

/* ------------------------------------------------------------- the port */

typedef struct captls_posix_port_config {
    const char *store_dir;     /* NULL: no blob store (its calls are NULL) */
    const char *audit_path;    /* NULL: no audit sink; "-": stderr */
    bool wall_clock_untrusted; /* default (false): host clock is TRUSTED */
    captls_log_level log_level; /* zero value: CAPTLS_LOG_DEBUG */
} captls_posix_port_config;

typedef struct captls_posix_port_ctx {
    captls_posix_clock_ctx clock;
    captls_posix_entropy_ctx entropy;
    captls_posix_net_ctx net;
    captls_posix_blob_store_ctx store;
    captls_posix_ipc_ctx ipc;
    captls_posix_log_ctx log;
    captls_posix_audit_ctx audit;
} captls_posix_port_ctx;

#define CAPTLS_POSIX_PORT_CTX_SIZE sizeof(captls_posix_port_ctx)

/* Fills *out from ctx (cfg NULL = all defaults: no store, no audit, trusted
 * clock, log everything to stderr). On error nothing stays open. */
CAPTLS_MUST_CHECK captls_result captls_posix_port_init(
    captls_posix_port_ctx *ctx, const captls_posix_port_config *cfg,
    captls_port *out);
/* Closes streams, the store directory and the audit file. */
void captls_posix_port_fini(captls_posix_port_ctx *ctx);

/* Reads CAPTLS_CRYPTO from the environment once at startup and passes it
 * to the core (core/crypto/cpu.h, captls_cpu_set_portable): "portable"
 * forces the portable crypto code (BearSSL's portable implementations and
 * captls's own portable C) even where the CPU has faster instructions, so
 * both paths can be tested on one machine; "no-avx512" hides AVX-512 so
 * the AVX2 tier runs, "no-ifma" hides AVX-512 IFMA only
 * (captls_cpu_set_masked); unset, empty or "auto"
 * leaves the CPU-selected fast paths. Any other value is ignored with a warning
 * on stderr. Returns true iff the portable path is now forced. Programs
 * call it first thing in main(); captls_posix_port_init() calls it too. */
bool captls_posix_crypto_from_env(void);

#endif
