/* Fuzz harness: the simulator's trace reader (sim/trace.c), and replaying
 * whatever parses.
 *
 * Properties checked beyond "no crash, no leak, no hang": a refused trace
 * reports "line N: ..." in printable ASCII; an accepted one borrows its
 * scenario from inside the input, writes back to the same bytes it was
 * read from (up to the sanitized file name), and its scenario, when it
 * parses, runs under tight budgets to completion or a clean budget stop
 * with a reproducible hash. Builds for libFuzzer and, unchanged, for AFL++
 * (afl-clang-fast -fsanitize=fuzzer). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay(const captls_sim_trace *t, uint8_t hash[32])
{
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    captls_sim_limits lim;
    captls_sim_report rep;
    memset(hash, 0, 32);
    if (captls_sim_scenario_parse(t->scenario, t->scenario_len, &sc, &err) !=
        CAPTLS_OK)
        return;
    captls_sim_limits_default(&lim);
    lim.max_events = 20000;
    lim.max_time_ns = 120ull * CAPTLS_SIM_NS_PER_S;
    lim.max_queued = 20000;
    if (sc->max_events == 0 || sc->max_events > lim.max_events)
        sc->max_events = lim.max_events;
    if (sc->max_time_ns == 0 || sc->max_time_ns > lim.max_time_ns)
        sc->max_time_ns = lim.max_time_ns;
    if (captls_sim_scenario_run(sc, t->seed, &lim, NULL, NULL, &rep) !=
        CAPTLS_OK)
        abort();
    if (!rep.completed && rep.stop_reason[0] == '\0')
        abort();
    memcpy(hash, rep.hash, 32);
    captls_sim_scenario_free(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_sim_trace t;
    char err[256];
    if (captls_sim_trace_parse(data, size, &t, err, sizeof(err)) !=
        CAPTLS_OK) {
        if (strncmp(err, "line ", 5) != 0)
            abort();
        for (const char *m = err; *m != '\0'; m++) {
            if (*m < 0x20 || *m > 0x7E)
                abort();
        }
        return 0;
    }
    if (t.scenario < data || t.scenario + t.scenario_len != data + size)
        abort();
    /* write it back and read it again: the same trace */
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (f == NULL)
        return 0;
    if (!captls_sim_trace_write(f, &t))
        abort();
    fclose(f);
    captls_sim_trace u;
    if (captls_sim_trace_parse((const uint8_t *)mem, len, &u, err,
                               sizeof(err)) != CAPTLS_OK ||
        u.seed != t.seed || u.passed != t.passed ||
        memcmp(u.hash, t.hash, 32) != 0 || u.scenario_len != t.scenario_len ||
        memcmp(u.scenario, t.scenario, t.scenario_len) != 0)
        abort();
    free(mem);
    uint8_t h1[32], h2[32];
    replay(&t, h1);
    replay(&t, h2);
    if (memcmp(h1, h2, 32) != 0)
        abort(); /* determinism */
    return 0;
}
