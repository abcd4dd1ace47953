/* sim/run.c — scenario to kernel, run, expectations. See run.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run.h"

#define FACT_MAX 8192u

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

static captls_result build(captls_sim_kernel *k, const captls_sim_scenario *sc)
{
    captls_sim_host **hosts = NULL;
    captls_sim_proc **procs = NULL;
    captls_result r = CAPTLS_OK;
    hosts = calloc(sc->nhosts + 1, sizeof(*hosts));
    procs = calloc(sc->nprocs + 1, sizeof(*procs));
    if (hosts == NULL || procs == NULL) {
        r = CAPTLS_ERR_LIMIT_EXCEEDED;
        goto out;
    }
    for (size_t i = 0; i < sc->nhosts && r == CAPTLS_OK; i++)
        r = captls_sim_host_add(k, sc->hosts[i].name,
                                sc->hosts[i].wall_epoch_s,
                                sc->hosts[i].provenance, &hosts[i]);
    for (size_t i = 0; i < sc->nlinks && r == CAPTLS_OK; i++) {
        const captls_sim_scn_link *l = &sc->links[i];
        r = captls_sim_link_add(k, hosts[l->a], hosts[l->b], l->latency_ns,
                                l->jitter_ns);
    }
    for (size_t i = 0; i < sc->nprocs && r == CAPTLS_OK; i++) {
        const captls_sim_scn_proc *p = &sc->procs[i];
        r = captls_sim_proc_add(k, hosts[p->host], p->name, p->prog, p->opts,
                                p->nopts, &procs[i]);
    }
    for (size_t i = 0; i < sc->ngrants && r == CAPTLS_OK; i++) {
        const captls_sim_scn_grant *g = &sc->grants[i];
        r = captls_sim_grant(k, procs[g->service], procs[g->to],
                             sc->procs[g->service].name,
                             CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT);
    }
    for (size_t i = 0; i < sc->nactions && r == CAPTLS_OK; i++) {
        const captls_sim_scn_action *a = &sc->actions[i];
        r = captls_sim_schedule_action(k, a->at_ns, procs[a->proc], &a->a);
    }
out:
    free(hosts);
    free(procs);
    return r;
}

static void check_expectations(captls_sim_kernel *k,
                               const captls_sim_scenario *sc,
                               captls_sim_report *rep)
{
    uint8_t *got = malloc(FACT_MAX);
    char want_q[CAPTLS_SIM_LINE_MAX / 4], got_q[CAPTLS_SIM_LINE_MAX / 4];
    for (size_t i = 0; i < sc->nexpects; i++) {
        const captls_sim_scn_expect *e = &sc->expects[i];
        captls_sim_proc *p = captls_sim_proc_find(k, sc->procs[e->proc].name);
        const captls_sim_program *prog = sc->procs[e->proc].prog;
        size_t len = 0;
        bool known = got != NULL && p != NULL && prog->fact != NULL &&
                     prog->fact(p, e->fact, got, FACT_MAX, &len);
        bool held = known && len == e->value_len &&
                    (len == 0 || memcmp(got, e->value, len) == 0);
        captls_sim_quote(e->value, e->value_len, want_q, sizeof(want_q));
        if (held) {
            rep->expects_held++;
            captls_sim_log(k, NULL, "sim", "expect %s %s %s: ok",
                           sc->procs[e->proc].name, e->fact, want_q);
            continue;
        }
        if (known)
            captls_sim_quote(got, len, got_q, sizeof(got_q));
        else
            snprintf(got_q, sizeof(got_q), "(no value)");
        rep->expects_failed++;
        captls_sim_log(k, NULL, "sim", "expect %s %s %s: FAILED, got %s",
                       sc->procs[e->proc].name, e->fact, want_q, got_q);
        if (rep->first_failed_line == 0) {
            rep->first_failed_line = e->line;
            snprintf(rep->first_failure, sizeof(rep->first_failure),
                     "expect %s %s %s: got %s", sc->procs[e->proc].name,
                     e->fact, want_q, got_q);
        }
    }
    free(got);
}

captls_result captls_sim_scenario_run(const captls_sim_scenario *sc,
                                      uint64_t seed,
                                      const captls_sim_limits *base,
                                      captls_sim_line_fn out, void *out_ctx,
                                      captls_sim_report *rep)
{
    captls_sim_limits lim;
    captls_sim_kernel *k = NULL;
    if (sc == NULL || rep == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(rep, 0, sizeof(*rep));
    if (base != NULL)
        lim = *base;
    else
        captls_sim_limits_default(&lim);
    if (sc->max_events != 0)
        lim.max_events = sc->max_events;
    if (sc->max_time_ns != 0)
        lim.max_time_ns = sc->max_time_ns;
    CAPTLS_TRY(captls_sim_kernel_new(&lim, seed, out, out_ctx, &k));
    captls_sim_log(k, NULL, "sim", "start: %zu host%s, %zu link%s, %zu "
                   "process%s, %zu action%s, %zu expectation%s",
                   sc->nhosts, plural(sc->nhosts), sc->nlinks,
                   plural(sc->nlinks), sc->nprocs,
                   sc->nprocs == 1 ? "" : "es", sc->nactions,
                   plural(sc->nactions), sc->nexpects, plural(sc->nexpects));
    captls_result r = build(k, sc);
    if (r != CAPTLS_OK) {
        captls_sim_kernel_free(k);
        return r;
    }
    r = captls_sim_run(k);
    rep->completed = r == CAPTLS_OK;
    rep->events = captls_sim_events(k);
    rep->end_ns = captls_sim_now(k);
    if (!rep->completed)
        snprintf(rep->stop_reason, sizeof(rep->stop_reason), "%s",
                 captls_sim_stop_reason(k));
    check_expectations(k, sc, rep);
    if (rep->completed)
        captls_sim_log(k, NULL, "sim",
                       "done: %llu events, %zu of %zu expectations hold",
                       (unsigned long long)rep->events, rep->expects_held,
                       sc->nexpects);
    else
        captls_sim_log(k, NULL, "sim",
                       "incomplete: %s; %zu of %zu expectations hold",
                       rep->stop_reason, rep->expects_held, sc->nexpects);
    captls_sim_transcript_hash(k, rep->hash);
    captls_sim_kernel_free(k);
    return CAPTLS_OK;
}
