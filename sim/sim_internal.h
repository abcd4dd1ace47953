/* sim/sim_internal.h — the kernel's data structures, shared by the sim/ sources.
 *
 * Programs and tests use sim/sim.h only. Here: the event queue entries, the
 * host, link, process, stream and IPC records, and the entry points one
 * part of the kernel calls in another (kernel.c dispatches, net.c and ipc.c
 * handle their events, host.c builds the ports).
 */
#ifndef CAPTLS_SIM_SIM_INTERNAL_H
#define CAPTLS_SIM_SIM_INTERNAL_H

#include <bearssl.h>

#include "sim/sim.h"

/* ------------------------------------------------------------- events */

typedef enum sim_event_kind {
    SIM_EV_START = 1, /* a = proc */
    SIM_EV_WAKE,      /* a = proc */
    SIM_EV_TIMER,     /* a = proc, b = tag, c = incarnation */
    SIM_EV_ACTION,    /* a = proc, ptr = action */
    SIM_EV_SEGMENT,   /* a = sending stream, b = its generation,
                       * c = the segment's number */
    SIM_EV_REFUSE,    /* a = connecting stream, b = its generation */
    SIM_EV_IPC,       /* ptr = sim_frame */
    SIM_EV_FAULT,     /* ptr = captls_sim_fault */
} sim_event_kind;

typedef struct sim_event {
    uint64_t time;
    uint64_t seq; /* insertion order: ties run first-scheduled first */
    void *ptr;
    uint32_t a;
    uint32_t b;
    uint32_t c;
    uint32_t kind;
} sim_event;

/* -------------------------------------------------------------- hosts */

typedef struct sim_blob {
    struct sim_blob *next;
    char key[CAPTLS_BLOB_KEY_MAX + 1];
    size_t len;
    uint8_t *data;
} sim_blob;

#define SIM_STORE_BYTES (1024u * 1024u) /* per host: small, like a NVRAM */
#define SIM_STORE_ENTRIES 256u

struct captls_sim_host {
    captls_sim_kernel *k;
    uint32_t index;
    char name[CAPTLS_SIM_NAME_MAX];
    /* Wall clock: epoch nanoseconds at virtual time 0, plus skew and
     * jumps (offset_ns), plus drift_ppm of the virtual time. */
    int64_t wall_base_ns;
    int64_t offset_ns;
    int32_t drift_ppm;
    captls_clock_provenance provenance;
    captls_sim_store_mode store_mode;
    br_hmac_drbg_context drbg; /* entropy derived from seed + host name */
    bool entropy_failing;
    uint16_t next_ephemeral;
    sim_blob *blobs;
    size_t blob_bytes;
    size_t blob_count;
};

typedef struct sim_link {
    uint32_t a, b; /* host indices */
    uint64_t latency_ns;
    uint64_t jitter_ns;
    br_hmac_drbg_context drbg; /* jitter draws, seeded per link */
    uint8_t draws[512];        /* drawn ahead: one DRBG call per 64 */
    size_t ndrawn, used;
    uint32_t split;            /* max bytes per segment; 0 = whole writes */
    uint64_t bandwidth;        /* bytes/s; 0 = unlimited */
    uint64_t busy_until[2];    /* per direction (0: a->b) */
    uint64_t stall_until;
} sim_link;

/* ---------------------------------------------------------- processes */

typedef struct sim_frame {
    struct sim_frame *next;
    uint32_t to;      /* proc index */
    uint32_t to_inc;  /* its incarnation when sent */
    uint32_t call;    /* call record index + 1 for a CALL, else 0 */
    size_t len;
    uint8_t data[];   /* one encoded frame */
} sim_frame;

typedef struct sim_named_cap {
    char name[CAPTLS_SIM_NAME_MAX];
    captls_cap_handle h;    /* the process's handle */
    captls_cap_handle kmid; /* kernel-owned parent of h: revoking it ends h
                             * and everything granted on from h */
    captls_rights rights;
    bool revoked;
    bool received; /* named with captls_sim_proc_cap_name: not re-given
                    * at restart, no kmid */
    uint32_t refused;
    captls_result last_refusal;
} sim_named_cap;

#define SIM_PROC_MINTED 16u
#define SIM_PROC_BADGES 32u

/* A kernel root on a process's endpoint that carries a badge. */
typedef struct sim_badge {
    captls_cap_handle root;
    uint32_t badge;
} sim_badge;

struct captls_sim_proc {
    captls_sim_kernel *k;
    uint32_t index;
    uint32_t host;
    char name[CAPTLS_SIM_NAME_MAX];
    const captls_sim_program *prog;
    const captls_sim_opt *opts;
    size_t nopts;
    void *state;
    bool alive;
    bool killed; /* by captls_sim_proc_kill, not restarted since */
    bool wake_pending;
    uint32_t incarnation; /* moves at each restart */
    captls_port port;
    captls_cap_handle root; /* kernel-owned root for prog->iface, or NULL */
    sim_named_cap caps[CAPTLS_SIM_PROC_CAPS];
    unsigned ncaps;
    captls_cap_handle minted[SIM_PROC_MINTED]; /* captls_sim_proc_mint */
    unsigned nminted;
    sim_badge badges[SIM_PROC_BADGES]; /* captls_sim_proc_mint_badged */
    unsigned nbadges;
    /* IPC endpoint: delivered frames waiting for recv. */
    sim_frame *q_head, *q_tail;
    uint32_t q_count; /* queued + in flight towards this endpoint */
};

/* An IPC call between its send and its answer. */
typedef struct sim_call {
    bool used;
    uint16_t gen;
    uint32_t caller, callee; /* proc indices */
    uint32_t caller_inc;     /* the caller's incarnation */
    uint32_t caller_req;
    captls_interface_id iface;
    uint16_t method;
    uint32_t badge; /* of the cap the call came through; 0 for none */
} sim_call;

/* A certificate a scenario loaded (borrowed bytes). */
typedef struct sim_cert {
    char name[CAPTLS_SIM_NAME_MAX];
    const uint8_t *der;
    size_t len;
} sim_cert;

/* ------------------------------------------------------------ streams */

typedef enum sim_seg_type {
    SIM_SEG_DATA = 1,
    SIM_SEG_FIN,
    SIM_SEG_RST,
    SIM_SEG_SYN,
    SIM_SEG_SYNACK,
} sim_seg_type;

typedef struct sim_segment {
    struct sim_segment *next;
    uint8_t type;
    uint32_t num; /* matches the event that delivers it */
    uint32_t len;
    uint8_t data[];
} sim_segment;

typedef enum sim_stream_state {
    SIM_ST_FREE = 0,
    SIM_ST_LISTEN,
    SIM_ST_SYN_SENT,
    SIM_ST_OPEN,
    SIM_ST_REFUSED,
    SIM_ST_RESET,
} sim_stream_state;

typedef struct sim_stream {
    uint8_t state;
    uint16_t gen;
    bool handle_open; /* the owner holds an id for it */
    bool in_backlog;  /* accepted by the kernel, not yet by the program */
    bool fin_in;      /* the peer's FIN arrived: EOF once rx is drained */
    bool fin_out;     /* our FIN is queued or sent */
    bool want_write;  /* a write found no window: wake on space */
    uint32_t host, proc;
    uint16_t lport, rport;
    uint32_t rhost;
    int32_t peer;     /* stream index, or -1 */
    /* listener: its backlog of established streams, oldest first */
    int32_t bl_head, bl_tail, bl_next;
    uint32_t bl_len;
    /* receive buffer (a ring of CAPTLS_SIM_STREAM_WINDOW, lazily made) */
    uint8_t *rx;
    uint32_t rx_head, rx_len;
    /* segments in flight from this stream to its peer, oldest first */
    sim_segment *out_head, *out_tail;
    uint32_t out_bytes;
    uint32_t out_num;  /* number of the next segment */
    uint64_t out_last; /* delivery time of the newest: keeps order */
} sim_stream;

/* ------------------------------------------------------------- kernel */

struct captls_sim_kernel {
    captls_sim_limits lim;
    uint64_t seed;
    uint64_t now;
    uint64_t seq;
    uint64_t dispatched;
    uint64_t inflight_bytes;
    const char *stop; /* static string once a budget is exceeded */
    char stop_buf[128];

    sim_event *heap;
    uint32_t nheap, heap_cap;

    captls_sim_host *hosts;
    uint32_t nhosts;
    sim_link *links;
    uint32_t nlinks, links_cap;
    captls_sim_proc *procs;
    uint32_t nprocs;
    sim_stream *streams;
    uint32_t nstreams_used; /* high-water index */
    sim_call *calls;

    captls_cap_slot *slots;
    captls_cap_table caps;

    uint8_t *frame_buf; /* captls_sim_frame_buffer, made on first use */

    sim_cert *certs; /* captls_sim_cert_add */
    uint32_t ncerts, certs_cap;

    captls_sim_line_fn out;
    void *out_ctx;
    br_sha256_context hash;
};

/* kernel.c */
bool sim_schedule(captls_sim_kernel *k, uint64_t at, uint32_t kind,
                  uint32_t a, uint32_t b, uint32_t c, void *ptr);
void sim_wake(captls_sim_kernel *k, uint32_t proc);
void sim_stop(captls_sim_kernel *k, const char *why);
/* Delay for one message of len bytes from host a to host b: stall,
 * bandwidth queueing, latency and a jitter draw; false if no route. */
bool sim_path_delay(captls_sim_kernel *k, uint32_t a, uint32_t b,
                    uint32_t len, uint64_t *delay);
/* Size of the next segment of a write of `len` bytes from a to b. */
uint32_t sim_path_segment(captls_sim_kernel *k, uint32_t a, uint32_t b,
                          uint32_t len);
/* kernel.c: the root a named cap hangs from, for restart. */
captls_result sim_give_child(captls_sim_kernel *k, captls_cap_handle root,
                             captls_sim_proc *to, captls_rights rights,
                             captls_cap_handle *out);
/* Copies up to CAPTLS_SIM_NAME_MAX - 1 bytes; false if too long or empty. */
bool sim_name_copy(char dst[CAPTLS_SIM_NAME_MAX], const char *src);
void sim_drbg_init(br_hmac_drbg_context *d, uint64_t seed, const char *label,
                   const char *name_a, const char *name_b);

/* host.c */
void sim_host_port_init(captls_sim_proc *p);
void sim_host_free(captls_sim_host *h);

/* net.c */
void sim_net_segment_arrive(captls_sim_kernel *k, uint32_t s, uint32_t gen,
                            uint32_t num);
void sim_net_refuse_arrive(captls_sim_kernel *k, uint32_t s, uint32_t gen);
void sim_net_proc_died(captls_sim_kernel *k, uint32_t proc);
uint32_t sim_net_reset_proc(captls_sim_kernel *k, uint32_t proc);
/* Connections of proc not closed or with bytes in flight (leak check). */
uint32_t sim_net_open_conns(const captls_sim_kernel *k, uint32_t proc);
void sim_net_free_all(captls_sim_kernel *k);
extern const captls_net sim_net_vtable;

/* ipc.c */
/* The badge of the first badged root of `target` that h descends from
 * (0 when none). */
uint32_t sim_ipc_badge_of(const captls_sim_kernel *k,
                          const captls_sim_proc *target, captls_cap_handle h);
void sim_ipc_arrive(captls_sim_kernel *k, sim_frame *f);
void sim_ipc_proc_died(captls_sim_kernel *k, uint32_t proc);
/* fault.c */
void sim_fault_run(captls_sim_kernel *k, const captls_sim_fault *f);
void sim_ipc_free_all(captls_sim_kernel *k);
extern const captls_ipc sim_ipc_vtable;

#endif
