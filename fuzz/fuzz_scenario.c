/* Fuzz harness: the simulator's scenario parser (sim/scenario*.c), and the
 * kernel running whatever parses.
 *
 * Properties checked beyond "no crash, no leak, no hang": a refused input
 * reports a line >= 1 and a column within the line limit with a non-empty,
 * printable message and no scenario; an accepted scenario runs under tight
 * budgets (events, virtual time) to completion or a clean budget stop, and
 * running it twice with the same seed gives the same transcript hash.
 * Builds for libFuzzer and, unchanged, for AFL++
 * (afl-clang-fast -fsanitize=fuzzer). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run.h"
#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_once(const captls_sim_scenario *sc, uint8_t hash[32])
{
    captls_sim_limits lim;
    captls_sim_report rep;
    captls_sim_limits_default(&lim);
    /* Budgets small enough for thousands of runs a second; the scenario's
     * own `limit` lines may only lower them. */
    lim.max_events = 20000;
    lim.max_time_ns = 120ull * CAPTLS_SIM_NS_PER_S;
    lim.max_queued = 20000;
    captls_sim_scenario copy = *sc;
    if (copy.max_events > lim.max_events)
        copy.max_events = lim.max_events;
    if (copy.max_time_ns > lim.max_time_ns)
        copy.max_time_ns = lim.max_time_ns;
    if (captls_sim_scenario_run(&copy, 7, &lim, NULL, NULL, &rep) != CAPTLS_OK)
        abort(); /* a scenario that parsed must be runnable */
    if (!rep.completed && rep.stop_reason[0] == '\0')
        abort();
    if (rep.events > lim.max_events)
        abort();
    memcpy(hash, rep.hash, 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_sim_scenario *sc = (captls_sim_scenario *)&size; /* poison */
    captls_sim_scn_error err;
    captls_result r = captls_sim_scenario_parse(data, size, &sc, &err);
    if (r == CAPTLS_ERR_MALFORMED) {
        if (sc != NULL || err.line < 1 || err.col < 1 ||
            err.col > CAPTLS_SIM_SCN_MAX_LINE + 1 || err.msg[0] == '\0')
            abort();
        for (const char *m = err.msg; *m != '\0'; m++) {
            if (*m < 0x20 || *m > 0x7E)
                abort();
        }
        return 0;
    }
    if (r != CAPTLS_OK)
        abort(); /* only MALFORMED or OK: the fuzzer never runs out of
                  * memory on inputs of its size */
    uint8_t h1[32], h2[32];
    run_once(sc, h1);
    run_once(sc, h2);
    if (memcmp(h1, h2, 32) != 0)
        abort(); /* determinism */
    captls_sim_scenario_free(sc);
    return 0;
}
