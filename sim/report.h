/* sim/report.h — results of runs and sweeps, and the reports made of them:
 * the end-of-run summary table, JSON and JUnit XML (for CI).
 *
 * A suite is one scenario file and the seeds run on it. Memory: a suite
 * owns its results array (sim_suite_free). Writers return false on an I/O
 * error. Every string written is escaped for its format; failure texts
 * come from the run report and are already sanitized (printable ASCII).
 */
#ifndef CAPTLS_SIM_REPORT_H
#define CAPTLS_SIM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/run.h"

typedef struct sim_seed_result {
    uint64_t seed;
    bool passed;
    bool completed;
    uint32_t held, failed; /* expectations */
    uint64_t events;
    uint64_t end_ns;
    double wall_s;
    uint8_t hash[32];
    char failure[480]; /* first failed expectation or the stop reason */
} sim_seed_result;

typedef struct sim_suite {
    const char *file; /* borrowed */
    sim_seed_result *r;
    size_t n, cap;
    size_t passed, failed;
    uint64_t events, sim_ns;
    double wall_s;
} sim_suite;

/* Fills a result from a run report. */
void sim_result_from_report(sim_seed_result *out, uint64_t seed,
                            const captls_sim_report *rep, double wall_s);
/* Appends (the suite's totals follow); false when out of memory. */
bool sim_suite_add(sim_suite *s, const sim_seed_result *r);
void sim_suite_sort(sim_suite *s);
void sim_suite_free(sim_suite *s);

/* "scenario  seeds  passed  failed  sim time  events/s  seeds/s" */
void sim_report_table(FILE *f, const sim_suite *s, size_t n);
bool sim_report_json(FILE *f, const char *command, const sim_suite *s,
                     size_t n, double wall_s);
bool sim_report_junit(FILE *f, const char *prog, const sim_suite *s,
                      size_t n);

#endif
