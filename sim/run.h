/* sim/run.h — run a parsed scenario on a fresh kernel and judge it.
 *
 * Builds the world the scenario declares (hosts, links, services and
 * clients with their programs, granted caps, timed actions), runs it to
 * quiescence or until a budget stops it, then checks every expectation in
 * file order. Transcript lines go to the caller's sink; the report carries
 * the outcome and the SHA-256 of the whole transcript (each line + '\n').
 * The same scenario and seed always give the same transcript and hash.
 */
#ifndef CAPTLS_SIM_RUN_H
#define CAPTLS_SIM_RUN_H

#include "sim/scenario.h"
#include "sim/sim.h"

typedef struct captls_sim_report {
    bool completed;       /* ran to quiescence (no budget stopped it) */
    size_t expects_held;
    size_t expects_failed;
    unsigned first_failed_line; /* 0 if none failed */
    char first_failure[640];    /* "expect pinger ...: got ..." (printable) */
    char stop_reason[128];      /* empty when completed */
    uint64_t events;
    uint64_t end_ns;
    uint8_t hash[32];
} captls_sim_report;

/* base: kernel limits before the scenario's `limit` lines (NULL for the
 * defaults). CAPTLS_OK when the run happened (look at the report), else
 * the error that kept it from starting. */
CAPTLS_MUST_CHECK captls_result captls_sim_scenario_run(
    const captls_sim_scenario *sc, uint64_t seed,
    const captls_sim_limits *base, captls_sim_line_fn out, void *out_ctx,
    captls_sim_report *rep);

/* True when the run completed and every expectation held. */
static inline bool captls_sim_report_ok(const captls_sim_report *rep)
{
    return rep->completed && rep->expects_failed == 0;
}

#endif
