/* sim/trace.h — trace files: what `captls-sim run --trace` writes and
 * `captls-sim replay` reads back to re-run a seed exactly.
 *
 * A trace is text: five header lines, then the scenario itself, byte for
 * byte, so a trace replays even after the scenario file changed or moved:
 *
 *   captls-sim-trace 1
 *   seed 17
 *   file sim/scenarios/echo.scn          (display only, printable ASCII)
 *   outcome passed|failed
 *   transcript-sha256 <64 lowercase hex>
 *   scenario <N>
 *   <exactly N bytes of scenario text, then the end of the file>
 *
 * The reader takes any bytes (it is fuzzed): it never reads past the
 * input and refuses anything else with a message naming the line and what
 * was expected. The parsed trace borrows the scenario bytes from the input.
 */
#ifndef CAPTLS_SIM_TRACE_H
#define CAPTLS_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/result.h"

#define CAPTLS_SIM_TRACE_VERSION 1u
#define CAPTLS_SIM_TRACE_FILE_MAX 256u

typedef struct captls_sim_trace {
    unsigned version;
    uint64_t seed;
    char file[CAPTLS_SIM_TRACE_FILE_MAX]; /* printable ASCII, NUL-ended */
    bool passed;
    uint8_t hash[32];
    const uint8_t *scenario; /* borrowed */
    size_t scenario_len;
} captls_sim_trace;

/* CAPTLS_OK, or CAPTLS_ERR_MALFORMED with "line N: expected ..." in err. */
CAPTLS_MUST_CHECK captls_result captls_sim_trace_parse(const uint8_t *buf,
                                                       size_t len,
                                                       captls_sim_trace *t,
                                                       char *err,
                                                       size_t errcap);
/* Writes t (its file name sanitized); false on an I/O error. */
bool captls_sim_trace_write(FILE *f, const captls_sim_trace *t);

#endif
