/* sim/scenario.h — the scenario file: parse and check.
 *
 * A scenario is line-oriented text (sim/SCENARIOS.md has the format):
 *
 *   host alpha wall=2026-11-23T00:00:00Z clock=trusted
 *   link alpha beta latency=2ms jitter=1ms
 *   service echo on beta port=7
 *   client pinger on alpha program=echo-client
 *   grant echo to pinger
 *   at 1ms pinger connect beta:7
 *   at 5ms pinger send "hello\n"
 *   expect pinger received "hello\n"
 *
 * The parser takes any bytes and never crashes, loops or reads past the
 * input (it is fuzzed): the first problem ends parsing with an error that
 * names the line and column (1-based, in bytes) and says what was expected.
 * Names are checked as they are used — a host, process or cap must be
 * declared on an earlier line — and program options, action verbs and
 * expectation facts are checked against the program's tables
 * (sim/programs.h), so a scenario that parses also runs.
 *
 * Memory: the parsed scenario is one allocation family owned by the
 * caller, released with captls_sim_scenario_free; its strings and actions
 * stay valid until then (a kernel running it borrows them). Budgets: input
 * at most CAPTLS_SIM_SCN_MAX_BYTES, lines at most CAPTLS_SIM_SCN_MAX_LINE
 * bytes, and the item counts below.
 */
#ifndef CAPTLS_SIM_SCENARIO_H
#define CAPTLS_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

#define CAPTLS_SIM_SCN_MAX_BYTES (1024u * 1024u)
#define CAPTLS_SIM_SCN_MAX_LINE 4096u
#define CAPTLS_SIM_SCN_MAX_TOKENS 16u
#define CAPTLS_SIM_SCN_MAX_HOSTS 64u
#define CAPTLS_SIM_SCN_MAX_LINKS 256u
#define CAPTLS_SIM_SCN_MAX_PROCS 64u
#define CAPTLS_SIM_SCN_MAX_OPTS 8u
#define CAPTLS_SIM_SCN_MAX_GRANTS 256u
#define CAPTLS_SIM_SCN_MAX_ACTIONS 10000u
#define CAPTLS_SIM_SCN_MAX_EXPECTS 1000u
#define CAPTLS_SIM_SCN_MAX_CERTS 64u
#define CAPTLS_SIM_SCN_MAX_CAPNAMES 256u
#define CAPTLS_SIM_SCN_MAX_CERT_BYTES (64u * 1024u) /* one cert file */
#define CAPTLS_SIM_SCN_MAX_EVENTS 100000000ull
#define CAPTLS_SIM_SCN_MAX_TIME_NS (1000000ull * CAPTLS_SIM_NS_PER_S)
#define CAPTLS_SIM_SCN_DEFAULT_WALL 1767225600ll /* 2026-01-01T00:00:00Z */
#define CAPTLS_SIM_SCN_DEFAULT_LATENCY CAPTLS_SIM_NS_PER_MS

typedef struct captls_sim_scn_host {
    const char *name;
    int64_t wall_epoch_s;
    captls_clock_provenance provenance;
    int64_t skew_ns;
    int32_t drift_ppm;
    unsigned line;
} captls_sim_scn_host;

typedef struct captls_sim_scn_link {
    uint32_t a, b; /* host indices */
    uint64_t latency_ns, jitter_ns;
    uint32_t split;     /* 0: whole writes */
    uint64_t bandwidth; /* bytes/s; 0: unlimited */
    unsigned line;
} captls_sim_scn_link;

typedef struct captls_sim_scn_proc {
    const char *name;
    uint32_t host;
    bool service;
    const captls_sim_program *prog;
    captls_sim_opt opts[CAPTLS_SIM_SCN_MAX_OPTS];
    size_t nopts;
    unsigned line;
} captls_sim_scn_proc;

typedef struct captls_sim_scn_grant {
    uint32_t service, to; /* proc indices; the cap is named after service */
    captls_rights rights; /* default call+grant */
    unsigned line;
} captls_sim_scn_grant;

/* `cert NAME "FILE"`: a DER certificate file, relative to the scenario
 * file's directory. The parser records the path; the bytes are loaded by
 * captls_sim_scenario_load_certs (der NULL and len 0 until then: programs
 * report an unloaded certificate at run time). */
typedef struct captls_sim_scn_cert {
    const char *name;
    const char *path;
    const uint8_t *der; /* owned by the scenario once loaded */
    size_t len;
    unsigned line, col; /* of the path */
} captls_sim_scn_cert;

/* A cap name an action declares (a verb argument of kind 'N', e.g. the
 * view `restrict` returns): usable by proc in later lines like a granted
 * cap, on the same service as the action's cap. */
typedef struct captls_sim_scn_capname {
    uint32_t proc, service;
    const char *name;
    unsigned line;
} captls_sim_scn_capname;

/* One `at` line: a program verb of proc (fault false) or a kernel fault. */
typedef struct captls_sim_scn_action {
    uint64_t at_ns;
    uint32_t proc;
    bool fault;
    captls_sim_action a;
    captls_sim_fault f;
} captls_sim_scn_action;

typedef enum captls_sim_expect_kind {
    CAPTLS_SIM_EXPECT_FACT = 0,  /* proc's fact equals value */
    CAPTLS_SIM_EXPECT_TRANSCRIPT, /* some line contains value */
    CAPTLS_SIM_EXPECT_ABSENT,     /* no line contains value */
    CAPTLS_SIM_EXPECT_AUDIT,      /* an audit record with event `fact` and,
                                   * if value is set, outcome value */
    CAPTLS_SIM_EXPECT_REFUSED,    /* the kernel refused a call of proc
                                   * through cap `fact` (for reason value,
                                   * if set) */
    CAPTLS_SIM_EXPECT_NO_CRASH,   /* ran to quiescence; only processes a
                                   * kill fault took are dead */
    CAPTLS_SIM_EXPECT_NO_LEAK,    /* captls_sim_leaks finds nothing */
} captls_sim_expect_kind;

typedef struct captls_sim_scn_expect {
    captls_sim_expect_kind kind;
    uint32_t proc;
    const char *fact;
    const uint8_t *value; /* NULL when not given */
    size_t value_len;
    unsigned line, col;
} captls_sim_scn_expect;

typedef struct captls_sim_scenario {
    captls_sim_scn_host *hosts;
    size_t nhosts;
    captls_sim_scn_link *links;
    size_t nlinks;
    captls_sim_scn_proc *procs;
    size_t nprocs;
    captls_sim_scn_grant *grants;
    size_t ngrants;
    captls_sim_scn_action *actions;
    size_t nactions;
    captls_sim_scn_expect *expects;
    size_t nexpects;
    captls_sim_scn_cert *certs;
    size_t ncerts;
    captls_sim_scn_capname *capnames;
    size_t ncapnames;
    uint64_t max_events;  /* 0: the kernel default */
    uint64_t max_time_ns; /* 0: the kernel default */
    /* private: storage */
    char *pool;
    size_t pool_len, pool_cap;
    size_t hosts_cap, links_cap, procs_cap, grants_cap, actions_cap,
        expects_cap, certs_cap, capnames_cap;
} captls_sim_scenario;

typedef struct captls_sim_scn_error {
    unsigned line, col; /* 1-based; col in bytes */
    char msg[256];      /* "expected ..."; printable ASCII */
} captls_sim_scn_error;

/* CAPTLS_OK with *out set, or CAPTLS_ERR_MALFORMED with *err filled (and
 * *out NULL), or CAPTLS_ERR_LIMIT_EXCEEDED when memory runs out. */
CAPTLS_MUST_CHECK captls_result captls_sim_scenario_parse(
    const uint8_t *text, size_t len, captls_sim_scenario **out,
    captls_sim_scn_error *err);
void captls_sim_scenario_free(captls_sim_scenario *sc);

/* Reads every `cert` file, relative to the directory of `scenario_path`
 * (the scenario's own file name; NULL: the current directory). CAPTLS_OK,
 * or CAPTLS_ERR_MALFORMED / CAPTLS_ERR_IO with *err naming the `cert`
 * line and the path's column ("cannot read ...: <why>", "expected a DER
 * certificate of at most N bytes"). Host code (stdio). */
CAPTLS_MUST_CHECK captls_result captls_sim_scenario_load_certs(
    captls_sim_scenario *sc, const char *scenario_path,
    captls_sim_scn_error *err);

#endif
