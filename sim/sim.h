/* sim/sim.h — the deterministic simulator kernel.
 *
 * One kernel simulates a small world: hosts (each with a virtual wall clock
 * of its own and entropy derived from the run's seed), links between hosts
 * (latency, jitter), processes on hosts (services and clients, each running
 * a program), in-memory stream sockets between hosts and IPC endpoints
 * between processes. Everything happens in one thread, as events taken from
 * one queue ordered by (virtual time, insertion sequence): equal times run
 * in the order they were scheduled, so a run depends only on the scenario
 * and the seed, and the same seed gives a byte-identical transcript.
 *
 * Programs are event-driven: the kernel calls a program's start, wake,
 * timer and action callbacks; a program does its I/O through the
 * captls_port its process is given (captls_sim_proc_port), never blocks,
 * and returns. "wake" means "something you own may have become ready"
 * (data arrived, a connection was accepted or refused, a frame was queued
 * for your endpoint, window space freed): the program reads until
 * CAPTLS_WOULD_BLOCK. Wakes are coalesced: at most one is pending per
 * process. A sim port's poll never waits; it reports current readiness.
 *
 * The transcript: every observable step is one line
 *   [   12.345ms] alpha/pinger: recv 6 bytes "hello\n"
 * (virtual time, to the microsecond; "host/process" or a kernel part such
 * as "sim", "net", "ipc"; a message in which every peer-controlled byte is
 * sanitized). Each line goes to the caller's line sink and into a running
 * SHA-256; captls_sim_transcript_hash gives the hash of all lines so far,
 * each followed by '\n'.
 *
 * Capabilities: the kernel owns one cap table (core/cap/cap_table.h) for
 * all processes. Owner 0 is the kernel; process i is owner i + 1. Every
 * process has one IPC endpoint; a program whose captls_sim_program.iface is
 * set serves that interface there. The kernel holds the root cap of every
 * endpoint interface (captls_sim_grant and captls_sim_proc_mint hand out
 * children of it), so a cap survives the death of the process it names and
 * calling it then reports CAPTLS_ERR_ENDPOINT_DEAD (never a hang). When a
 * process dies, every handle it holds is revoked with
 * captls_cap_revoke_owner, and so is everything it granted on over IPC:
 * those holders see CAPTLS_ERR_STALE_HANDLE.
 *
 * IPC on the sim port (port.h's captls_ipc):
 *   send(to, frame)  a CALL's `to` is the caller's cap handle for the
 *                    target, reinterpreted as an int32 (the sim checks the
 *                    handle: owner, interface = the frame's interface,
 *                    CAPTLS_RIGHT_CALL); a RETURN or ERROR answers the call
 *                    with the frame's request id and `to` is not consulted.
 *                    Caps in the frame are granted to the receiver with
 *                    captls_ipc_transfer_caps at send time (all or nothing)
 *                    and the frame is re-encoded with the receiver's
 *                    handles. The kernel gives every call its own request id
 *                    on the callee's side and maps the answer back to the
 *                    caller's id, so callers choose their ids freely.
 *   recv(self, ...)  self is captls_sim_proc_endpoint(proc).
 * captls_sim_ipc_call / captls_sim_ipc_return wrap both for programs.
 *
 * Budgets: the kernel stops a run that dispatches more than max_events
 * events, passes max_time_ns of virtual time, holds more than max_queued
 * events at once or more than max_inflight_bytes in flight; it logs
 * "sim: stopped: <why>" and captls_sim_run returns
 * CAPTLS_ERR_LIMIT_EXCEEDED. Tables are sized once at creation (hosts,
 * processes, streams, cap slots); nothing grows without bound.
 *
 * Memory: the kernel allocates (the simulator is host code); all of it is
 * released by captls_sim_kernel_free. Pointers to hosts and processes stay
 * valid until then. Strings passed in are copied unless said otherwise.
 */
#ifndef CAPTLS_SIM_SIM_H
#define CAPTLS_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/cap/ipc_frame.h"
#include "port/port.h"

#if defined(__GNUC__) || defined(__clang__)
#define CAPTLS_SIM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CAPTLS_SIM_PRINTF(a, b)
#endif

#define CAPTLS_SIM_NS_PER_US 1000ull
#define CAPTLS_SIM_NS_PER_MS 1000000ull
#define CAPTLS_SIM_NS_PER_S 1000000000ull

#define CAPTLS_SIM_NAME_MAX 32u       /* host/process names, NUL included */
#define CAPTLS_SIM_LINE_MAX 1024u     /* one transcript line, NUL included */
#define CAPTLS_SIM_STREAM_WINDOW 65536u /* bytes in flight + unread, per
                                         * direction of a stream */
#define CAPTLS_SIM_IPC_QUEUE 64u      /* frames queued or in flight to one
                                       * endpoint */
#define CAPTLS_SIM_PROC_CAPS 16u      /* named initial caps per process */
#define CAPTLS_SIM_ACTION_ARGS 4u
#define CAPTLS_SIM_KERNEL_OWNER ((captls_cap_owner)0)
/* Same-host streams and IPC between processes without a link. */
#define CAPTLS_SIM_LOOPBACK_NS (10ull * CAPTLS_SIM_NS_PER_US)

typedef struct captls_sim_kernel captls_sim_kernel;
typedef struct captls_sim_host captls_sim_host;
typedef struct captls_sim_proc captls_sim_proc;

/* The largest virtual-time budget (~31 years): wall clocks stay in int64. */
#define CAPTLS_SIM_MAX_TIME_NS 1000000000000000000ull

typedef struct captls_sim_limits {
    uint64_t max_events;         /* events dispatched in one run */
    uint64_t max_time_ns;        /* virtual time a run may reach */
    uint32_t max_queued;         /* events pending at once */
    uint64_t max_inflight_bytes; /* stream + IPC bytes between hosts */
    uint32_t max_hosts;
    uint32_t max_procs;   /* <= 65534 (cap owners are 16 bits) */
    uint32_t max_streams; /* streams + listeners alive at once, <= 32767 */
    uint32_t max_calls;   /* IPC calls awaiting an answer, <= 65535 */
    uint32_t cap_slots;   /* the cap table */
} captls_sim_limits;

/* Defaults: 1M events, 1 hour, 1M queued, 64 MiB, 64 hosts, 64 processes,
 * 1024 streams, 1024 calls, 4096 cap slots. */
void captls_sim_limits_default(captls_sim_limits *l);

/* Receives each transcript line (no newline; len excludes the NUL). */
typedef void (*captls_sim_line_fn)(void *ctx, const char *line, size_t len);

/* ------------------------------------------------------------ programs */

/* One scripted action ("at 5ms pinger send \"hello\""): a verb and its
 * arguments, each a byte string (a quoted string is already unescaped, so
 * it may hold any byte). Borrowed: it must outlive the run. */
typedef struct captls_sim_arg {
    const uint8_t *p;
    size_t len;
} captls_sim_arg;

typedef struct captls_sim_action {
    const char *verb;
    unsigned nargs;
    captls_sim_arg args[CAPTLS_SIM_ACTION_ARGS];
    unsigned line; /* where it came from (0 if not from a file) */
} captls_sim_action;

/* A verb a program accepts, with its argument kinds, one letter each:
 *   'S' text (a quoted string or a word), 'C' the name of a cap the
 *   process holds, 'A' HOST:PORT with a declared host, 'M' a method of
 *   the service the preceding 'C' cap names, 'K' certificate names
 *   declared with `cert`, joined by '+' (leaf first for a chain), 'N' a
 *   new cap name the action gives the process (on the preceding 'C' cap's
 *   service; later lines may use it as a 'C'), 'X' a TrustFilter word:
 *   `all`, `only:CERTS` or `exclude:CERTS` (CERTS as for 'K'). */
typedef struct captls_sim_verb {
    const char *name;
    const char *args;
    const char *help; /* for error messages: "send \"TEXT\"" */
} captls_sim_verb;

/* A method a program serves and the rights a caller's cap must hold for
 * it: the kernel checks them when the call is sent (a caller without them
 * is refused with CAPTLS_ERR_NO_AUTHORITY and an audit record, and the
 * service never sees the call). Methods not listed need CAPTLS_RIGHT_CALL.
 * The name is what "invoke CAP METHOD" says in a scenario. */
typedef struct captls_sim_method {
    captls_interface_id iface;
    uint16_t id;
    const char *name;
    captls_rights rights;
} captls_sim_method;

typedef struct captls_sim_program {
    const char *name;
    captls_interface_id iface; /* served on the endpoint; 0 = none */
    size_t state_size;         /* zeroed per process */
    const char *const *options;  /* allowed KEY=VALUE options, NULL-ended */
    const char *const *required; /* of those, the mandatory ones */
    const captls_sim_verb *verbs;
    size_t nverbs;
    const char *const *facts; /* what "expect PROC FACT VALUE" may ask */
    const captls_sim_method *methods; /* may be NULL */
    size_t nmethods;
    void (*start)(captls_sim_proc *p);
    void (*wake)(captls_sim_proc *p);
    void (*timer)(captls_sim_proc *p, uint32_t tag);
    void (*action)(captls_sim_proc *p, const captls_sim_action *a);
    /* Writes the fact's current value; false if unknown. */
    bool (*fact)(captls_sim_proc *p, const char *name, uint8_t *out,
                 size_t cap, size_t *len);
} captls_sim_program;

/* Process options, KEY=VALUE (borrowed: must outlive the kernel). */
typedef struct captls_sim_opt {
    const char *key;
    const char *value;
} captls_sim_opt;

/* -------------------------------------------------------------- kernel */

CAPTLS_MUST_CHECK captls_result captls_sim_kernel_new(
    const captls_sim_limits *limits, uint64_t seed, captls_sim_line_fn out,
    void *out_ctx, captls_sim_kernel **k);
void captls_sim_kernel_free(captls_sim_kernel *k);

/* wall_epoch_s is the host's wall clock at virtual time 0. */
CAPTLS_MUST_CHECK captls_result captls_sim_host_add(
    captls_sim_kernel *k, const char *name, int64_t wall_epoch_s,
    captls_clock_provenance provenance, captls_sim_host **out);
captls_sim_host *captls_sim_host_find(captls_sim_kernel *k, const char *name);
const char *captls_sim_host_name(const captls_sim_host *h);

/* Host clock shape (see host.c): the wall clock reads
 *   epoch(0) + skew + jumps + t + t * drift_ppm / 1e6
 * at virtual time t. |drift| <= CAPTLS_SIM_MAX_DRIFT_PPM; skew plus jumps
 * stay within +-CAPTLS_SIM_MAX_CLOCK_OFFSET_NS (else LIMIT_EXCEEDED and
 * nothing changes). Each change is a transcript line naming the host, the
 * new reading and its provenance. */
#define CAPTLS_SIM_MAX_DRIFT_PPM 100000
#define CAPTLS_SIM_MAX_CLOCK_OFFSET_NS 1500000000000000000ll /* ~47 years */
CAPTLS_MUST_CHECK captls_result captls_sim_host_clock(captls_sim_host *h,
                                                      int64_t skew_ns,
                                                      int32_t drift_ppm);
CAPTLS_MUST_CHECK captls_result captls_sim_host_clock_jump(captls_sim_host *h,
                                                           int64_t delta_ns);
/* Jumps so that the clock reads epoch_s now. */
CAPTLS_MUST_CHECK captls_result captls_sim_host_clock_set(captls_sim_host *h,
                                                          int64_t epoch_s);
void captls_sim_host_clock_provenance(captls_sim_host *h,
                                      captls_clock_provenance p);
/* The host's wall clock now (what its processes read). */
void captls_sim_host_wall(const captls_sim_host *h, captls_wall_time *out);
/* "2026-11-23T00:00:00.000Z" (or "@<epoch>" outside years 0..9999). */
void captls_sim_wall_iso(const captls_wall_time *w, char out[64]);

/* Blob store faults: OK works; TEAR makes the next put fail midway
 * (CAPTLS_ERR_IO; the old value stays, as with write-then-rename); FULL
 * makes every put fail with CAPTLS_ERR_DISK_FULL until set back to OK. */
typedef enum captls_sim_store_mode {
    CAPTLS_SIM_STORE_OK = 0,
    CAPTLS_SIM_STORE_TEAR,
    CAPTLS_SIM_STORE_FULL,
} captls_sim_store_mode;
void captls_sim_host_store_mode(captls_sim_host *h, captls_sim_store_mode m);

/* A symmetric link; each direction keeps its bytes in order. */
CAPTLS_MUST_CHECK captls_result captls_sim_link_add(captls_sim_kernel *k,
                                                    captls_sim_host *a,
                                                    captls_sim_host *b,
                                                    uint64_t latency_ns,
                                                    uint64_t jitter_ns);

/* Link shape: split > 0 cuts every stream write into segments of 1..split
 * bytes (sizes drawn from the link's seeded stream), each delivered as its
 * own event; bandwidth > 0 (bytes per second) queues each direction's
 * messages behind one another for len / bandwidth seconds. */
CAPTLS_MUST_CHECK captls_result captls_sim_link_shape(captls_sim_kernel *k,
                                                      captls_sim_host *a,
                                                      captls_sim_host *b,
                                                      uint32_t split,
                                                      uint64_t bandwidth);
/* Messages sent over the link during the next dur_ns leave when it ends. */
CAPTLS_MUST_CHECK captls_result captls_sim_link_stall(captls_sim_kernel *k,
                                                      captls_sim_host *a,
                                                      captls_sim_host *b,
                                                      uint64_t dur_ns);

/* A process running `prog` (borrowed) on `host`; it starts at time 0, in
 * the order processes were added. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_add(
    captls_sim_kernel *k, captls_sim_host *host, const char *name,
    const captls_sim_program *prog, const captls_sim_opt *opts, size_t nopts,
    captls_sim_proc **out);
captls_sim_proc *captls_sim_proc_find(captls_sim_kernel *k, const char *name);

/* Gives `to` a cap named `name` on `service`'s endpoint with `rights`
 * (the kernel grants a child of its root, so it can revoke it). */
CAPTLS_MUST_CHECK captls_result captls_sim_grant(captls_sim_kernel *k,
                                                 captls_sim_proc *service,
                                                 captls_sim_proc *to,
                                                 const char *name,
                                                 captls_rights rights);

/* Revokes the cap `name` given to `p` with captls_sim_grant, and every
 * handle derived from it or granted on from it. *ended may be NULL. */
CAPTLS_MUST_CHECK captls_result captls_sim_revoke(captls_sim_proc *p,
                                                  const char *name,
                                                  uint32_t *ended);
/* Calls p made through its cap `name` that the kernel refused (lookup
 * failures: bad, stale, wrong interface, no authority) and the last
 * reason; NOT_FOUND when p holds no such cap. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_cap_refusals(
    const captls_sim_proc *p, const char *name, uint32_t *count,
    captls_result *last);

/* Runs a->verb on p's program at virtual time at_ns. */
CAPTLS_MUST_CHECK captls_result captls_sim_schedule_action(
    captls_sim_kernel *k, uint64_t at_ns, captls_sim_proc *p,
    const captls_sim_action *a);

/* Runs until no event is left (CAPTLS_OK) or a budget is exceeded
 * (CAPTLS_ERR_LIMIT_EXCEEDED). May be called again after adding events. */
CAPTLS_MUST_CHECK captls_result captls_sim_run(captls_sim_kernel *k);
/* Runs events up to and including virtual time t, then sets now = t. */
CAPTLS_MUST_CHECK captls_result captls_sim_run_until(captls_sim_kernel *k,
                                                     uint64_t t);

uint64_t captls_sim_now(const captls_sim_kernel *k);
uint64_t captls_sim_events(const captls_sim_kernel *k);
/* NULL while no budget was exceeded. */
const char *captls_sim_stop_reason(const captls_sim_kernel *k);
captls_cap_table *captls_sim_caps(captls_sim_kernel *k);
void captls_sim_transcript_hash(const captls_sim_kernel *k, uint8_t out[32]);

/* One transcript line from `p` ("host/proc: ...") or, with p NULL, from
 * `part` ("sim", "net", "ipc"). The format must not put unsanitized
 * peer-controlled text in the line: use captls_sim_quote. */
void captls_sim_log(captls_sim_kernel *k, const captls_sim_proc *p,
                    const char *part, const char *fmt, ...)
    CAPTLS_SIM_PRINTF(4, 5);

/* "\"<sanitized>\"" of at most 64 input bytes into out (cap >= 8). */
const char *captls_sim_quote(const uint8_t *p, size_t len, char *out,
                             size_t cap);

/* ------------------------------------------------- for programs to use */

captls_sim_kernel *captls_sim_proc_kernel(captls_sim_proc *p);
const captls_port *captls_sim_proc_port(captls_sim_proc *p);
void *captls_sim_proc_state(captls_sim_proc *p);
const char *captls_sim_proc_name(const captls_sim_proc *p);
captls_sim_host *captls_sim_proc_host(captls_sim_proc *p);
captls_cap_owner captls_sim_proc_owner(const captls_sim_proc *p);
captls_endpoint_id captls_sim_proc_endpoint(const captls_sim_proc *p);
bool captls_sim_proc_alive(const captls_sim_proc *p);
/* Option value, or NULL when not given. */
const char *captls_sim_proc_opt(const captls_sim_proc *p, const char *key);
/* The initial cap given with captls_sim_grant; NOT_FOUND otherwise. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_cap(const captls_sim_proc *p,
                                                    const char *name,
                                                    captls_cap_handle *out);
/* A new cap on p's own endpoint for interface `iface` (e.g. a Notifier
 * to pass to a service): the kernel keeps the root; p gets a child with
 * `rights`. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_mint(captls_sim_proc *p,
                                                     captls_interface_id iface,
                                                     captls_rights rights,
                                                     captls_cap_handle *out);
CAPTLS_MUST_CHECK captls_result captls_sim_proc_cap_drop(captls_sim_proc *p,
                                                         captls_cap_handle h);
/* Badged caps: like captls_sim_proc_mint, but the kernel root carries
 * `badge` (non-zero), so a service can tell apart the objects it serves
 * behind one endpoint (e.g. the restricted views of one TrustStore). A
 * call made through that cap, or through anything derived or granted on
 * from it, carries the badge to the callee (captls_sim_proc_call_badge);
 * a handle passed to the service in a frame shows it too
 * (captls_sim_proc_cap_badge). Calls through caps without a badged root
 * (scenario grants) carry 0. A restart revokes every badged root of the
 * process's earlier life. At most 32 per process (LIMIT_EXCEEDED). p may
 * drop *out after passing it on: the badge lives on the kernel's root. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_mint_badged(
    captls_sim_proc *p, captls_interface_id iface, captls_rights rights,
    uint32_t badge, captls_cap_handle *out);
/* The badge of the cap a CALL frame `call` (as p received it) came
 * through; 0 for none or an unknown call. */
uint32_t captls_sim_proc_call_badge(const captls_sim_proc *p,
                                    const captls_ipc_frame *call);
/* The badge of handle h that p holds, for p's own endpoint; 0 if none. */
uint32_t captls_sim_proc_cap_badge(const captls_sim_proc *p,
                                   captls_cap_handle h);
/* Object caps: a root cap, owned by p, on an object p keeps in its own
 * memory (its CertVerifier, its TrustStore, a ticket key), for services
 * whose seed interface is called synchronously through the cap table (the
 * TLS engine's verifier and ticket-key caps: core/tls/tls_config.h). p
 * passes children of it in an answer (captls_sim_ipc_return_caps); the
 * holder looks the object up in the kernel's table (captls_sim_caps) with
 * its own owner id, so the table checks owner, interface, rights and
 * revocation on every use. The root is held by design (not a leak) and,
 * being p's, ends with everything granted on from it when p dies: a holder
 * then gets CAPTLS_ERR_STALE_HANDLE, never a pointer into a dead or
 * restarted process. `object` must stay valid while p lives. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_mint_object(
    captls_sim_proc *p, captls_interface_id iface, void *object,
    captls_rights rights, captls_cap_handle *out);
/* Names a handle p received (in an answer), so scenarios can use it like
 * a granted cap: captls_sim_proc_cap finds it, refusals count against it
 * (`expect refused`), the leak check treats it as held by design. It is
 * not given again at a restart. ALREADY_EXISTS if the name is taken,
 * LIMIT_EXCEEDED past CAPTLS_SIM_PROC_CAPS. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_cap_name(captls_sim_proc *p,
                                                         const char *name,
                                                         captls_cap_handle h);

/* Certificates a scenario loaded (`cert NAME "FILE"`), by name. The bytes
 * are borrowed: they must outlive the kernel. len 0 is allowed (a file
 * that was not loaded, as in the fuzzer): programs then report it. */
CAPTLS_MUST_CHECK captls_result captls_sim_cert_add(captls_sim_kernel *k,
                                                    const char *name,
                                                    const uint8_t *der,
                                                    size_t len);
/* NOT_FOUND when no cert has that name (len bytes of name). */
CAPTLS_MUST_CHECK captls_result captls_sim_cert_find(
    const captls_sim_kernel *k, const char *name, size_t name_len,
    const uint8_t **der, size_t *len);
/* A CAPTLS_IPC_MAX_FRAME-byte buffer for receiving frames, shared by all
 * programs of the kernel: valid until the current callback returns. */
uint8_t *captls_sim_frame_buffer(captls_sim_proc *p);
/* The next frame queued for p, decoded into *f (its payload borrows the
 * frame buffer above: valid until the next call or the callback returns).
 * CAPTLS_WOULD_BLOCK when none is queued. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_next_frame(captls_sim_proc *p,
                                                           captls_ipc_frame *f);
/* Calls p's timer callback with `tag` after delay_ns. */
CAPTLS_MUST_CHECK captls_result captls_sim_proc_timer(captls_sim_proc *p,
                                                      uint64_t delay_ns,
                                                      uint32_t tag);

/* Encodes and sends a CALL through cap `target` (see the IPC notes). */
CAPTLS_MUST_CHECK captls_result captls_sim_ipc_call(
    captls_sim_proc *p, captls_cap_handle target, captls_interface_id iface,
    uint16_t method, uint32_t request_id, const uint8_t *payload,
    size_t len, const captls_cap_handle *caps, uint16_t ncaps);
/* Answers `call` (as received) with a RETURN carrying payload. */
CAPTLS_MUST_CHECK captls_result captls_sim_ipc_return(
    captls_sim_proc *p, const captls_ipc_frame *call, const uint8_t *payload,
    size_t len);

/* Like captls_sim_ipc_return, passing caps p holds (each needs the
 * grant right; the caller receives children of them, p keeps its own). */
CAPTLS_MUST_CHECK captls_result captls_sim_ipc_return_caps(
    captls_sim_proc *p, const captls_ipc_frame *call, const uint8_t *payload,
    size_t len, const captls_cap_handle *caps, uint16_t ncaps);

/* Answers `call` with an ERROR frame carrying `status` (an error). */
CAPTLS_MUST_CHECK captls_result captls_sim_ipc_error(
    captls_sim_proc *p, const captls_ipc_frame *call, captls_result status);

/* -------------------------------- faults (kernel operations, reached
 * from scenarios through captls_sim_schedule_fault) */

/* The process dies: its endpoint is dead (calls to it, queued, in flight
 * or unanswered, get an ERROR frame with CAPTLS_ERR_ENDPOINT_DEAD; new
 * calls fail with it), the caps it holds and granted on are revoked, its
 * streams reset, its listeners closed. */
void captls_sim_proc_kill(captls_sim_proc *p);
/* Aborts stream s of p: p's side sees CONN_RESET now, the peer when the
 * reset arrives. */
CAPTLS_MUST_CHECK captls_result captls_sim_stream_reset(captls_sim_proc *p,
                                                        captls_stream_id s);
/* Entropy on the host fails (true) or works (false). */
void captls_sim_host_entropy_fail(captls_sim_host *h, bool failing);
/* A dead process starts again from a zeroed state (a live one is killed
 * first): its endpoint takes calls again through the caps others hold, it
 * gets its granted caps anew (those not revoked), and timers, calls and
 * streams of its earlier life stay dead. */
void captls_sim_proc_restart(captls_sim_proc *p);
/* Resets every connection of p (listeners stay); returns how many. */
uint32_t captls_sim_proc_reset_streams(captls_sim_proc *p);
/* True when p died through captls_sim_proc_kill and was not restarted. */
bool captls_sim_proc_killed(const captls_sim_proc *p);

/* A timed fault, as a scenario's `at TIME <fault> ...` line says. Names
 * are resolved when it runs (an unknown name is logged and skipped);
 * borrowed: it must outlive the run. */
typedef enum captls_sim_fault_kind {
    CAPTLS_SIM_FAULT_KILL = 1,   /* proc */
    CAPTLS_SIM_FAULT_RESTART,    /* proc */
    CAPTLS_SIM_FAULT_RESET,      /* proc: its connections */
    CAPTLS_SIM_FAULT_REVOKE,     /* proc, cap */
    CAPTLS_SIM_FAULT_STALL,      /* host, host_b, value = ns */
    CAPTLS_SIM_FAULT_CLOCK_JUMP, /* host, value = signed ns */
    CAPTLS_SIM_FAULT_CLOCK_SET,  /* host, value = epoch seconds */
    CAPTLS_SIM_FAULT_CLOCK_PROVENANCE, /* host, value = provenance */
    CAPTLS_SIM_FAULT_ENTROPY,    /* host, value = 1 failing, 0 working */
    CAPTLS_SIM_FAULT_STORE,      /* host, value = captls_sim_store_mode */
} captls_sim_fault_kind;

typedef struct captls_sim_fault {
    captls_sim_fault_kind kind;
    const char *proc;
    const char *cap;
    const char *host;
    const char *host_b;
    int64_t value;
} captls_sim_fault;

CAPTLS_MUST_CHECK captls_result captls_sim_schedule_fault(
    captls_sim_kernel *k, uint64_t at_ns, const captls_sim_fault *f);

/* ------------------------------------------------- end-of-run checks */

/* Counts what the processes still hold that they should not once the run
 * is quiet: caps neither granted to them nor minted by them (received
 * over IPC and never dropped), connections not closed or still carrying
 * bytes, IPC frames never read, calls never answered. Listeners and the
 * kernel's own handles are not leaks. `why` (may be NULL) gets the first
 * few, one clause each. */
size_t captls_sim_leaks(captls_sim_kernel *k, char *why, size_t cap);

#endif
