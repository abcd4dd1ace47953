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
    for (size_t i = 0; i < sc->nhosts && r == CAPTLS_OK; i++) {
        r = captls_sim_host_add(k, sc->hosts[i].name,
                                sc->hosts[i].wall_epoch_s,
                                sc->hosts[i].provenance, &hosts[i]);
        if (r == CAPTLS_OK)
            r = captls_sim_host_clock(hosts[i], sc->hosts[i].skew_ns,
                                      sc->hosts[i].drift_ppm);
    }
    for (size_t i = 0; i < sc->nlinks && r == CAPTLS_OK; i++) {
        const captls_sim_scn_link *l = &sc->links[i];
        r = captls_sim_link_add(k, hosts[l->a], hosts[l->b], l->latency_ns,
                                l->jitter_ns);
        if (r == CAPTLS_OK)
            r = captls_sim_link_shape(k, hosts[l->a], hosts[l->b], l->split,
                                      l->bandwidth);
    }
    for (size_t i = 0; i < sc->ncerts && r == CAPTLS_OK; i++)
        r = captls_sim_cert_add(k, sc->certs[i].name, sc->certs[i].der,
                                sc->certs[i].len);
    for (size_t i = 0; i < sc->nprocs && r == CAPTLS_OK; i++) {
        const captls_sim_scn_proc *p = &sc->procs[i];
        r = captls_sim_proc_add(k, hosts[p->host], p->name, p->prog, p->opts,
                                p->nopts, &procs[i]);
    }
    for (size_t i = 0; i < sc->ngrants && r == CAPTLS_OK; i++) {
        const captls_sim_scn_grant *g = &sc->grants[i];
        r = captls_sim_grant(k, procs[g->service], procs[g->to],
                             sc->procs[g->service].name, g->rights);
    }
    for (size_t i = 0; i < sc->nactions && r == CAPTLS_OK; i++) {
        const captls_sim_scn_action *a = &sc->actions[i];
        if (a->fault)
            r = captls_sim_schedule_fault(k, a->at_ns, &a->f);
        else
            r = captls_sim_schedule_action(k, a->at_ns, procs[a->proc],
                                           &a->a);
    }
out:
    free(hosts);
    free(procs);
    return r;
}

/* Watches transcript lines for `expect transcript|absent|audit`. */
typedef struct watch {
    const captls_sim_scenario *sc;
    captls_sim_line_fn out;
    void *out_ctx;
    bool *seen; /* per expectation */
    bool judged; /* stop watching once expectations are checked */
} watch;

static bool contains(const char *hay, size_t n, const void *needle, size_t m)
{
    if (m == 0)
        return true;
    for (size_t i = 0; i + m <= n; i++) {
        if (hay[i] == *(const char *)needle && memcmp(hay + i, needle, m) == 0)
            return true;
    }
    return false;
}

static bool audit_match(const char *line, size_t len,
                        const captls_sim_scn_expect *e)
{
    char want[96];
    if (!contains(line, len, " audit mono=", 12) &&
        !contains(line, len, ": audit mono=", 13))
        return false;
    int n = snprintf(want, sizeof(want), " event=%s ", e->fact);
    if (n < 0 || (size_t)n >= sizeof(want) ||
        !contains(line, len, want, (size_t)n))
        return false;
    if (e->value == NULL)
        return true;
    n = snprintf(want, sizeof(want), " outcome=%.*s", (int)e->value_len,
                 (const char *)e->value);
    if (n < 0 || (size_t)n >= sizeof(want))
        return false;
    /* the outcome ends at a space or the end of the line */
    for (size_t i = 0; i + (size_t)n <= len; i++) {
        if (memcmp(line + i, want, (size_t)n) == 0 &&
            (i + (size_t)n == len || line[i + (size_t)n] == ' '))
            return true;
    }
    return false;
}

static void watch_line(void *ctx, const char *line, size_t len)
{
    watch *w = ctx;
    if (!w->judged && w->seen != NULL) {
        for (size_t i = 0; i < w->sc->nexpects; i++) {
            const captls_sim_scn_expect *e = &w->sc->expects[i];
            if (w->seen[i])
                continue;
            if (e->kind == CAPTLS_SIM_EXPECT_TRANSCRIPT ||
                e->kind == CAPTLS_SIM_EXPECT_ABSENT)
                w->seen[i] = contains(line, len, e->value, e->value_len);
            else if (e->kind == CAPTLS_SIM_EXPECT_AUDIT)
                w->seen[i] = audit_match(line, len, e);
        }
    }
    if (w->out != NULL)
        w->out(w->out_ctx, line, len);
}

/* Judges one expectation: true if it holds; *desc and *got describe it. */
static bool judge(captls_sim_kernel *k, const captls_sim_scenario *sc,
                  const captls_sim_scn_expect *e, bool seen,
                  const captls_sim_report *rep, uint8_t *buf, char *desc,
                  size_t dcap, char *got, size_t gcap)
{
    char want_q[CAPTLS_SIM_LINE_MAX / 4];
    size_t len = 0;
    captls_sim_proc *p = NULL;
    const char *pname = sc->procs != NULL && e->proc < sc->nprocs
                            ? sc->procs[e->proc].name
                            : "";
    if (e->value != NULL)
        captls_sim_quote(e->value, e->value_len, want_q, sizeof(want_q));
    else
        want_q[0] = '\0';
    snprintf(got, gcap, "(no value)");
    switch (e->kind) {
    case CAPTLS_SIM_EXPECT_FACT: {
        const captls_sim_program *prog = sc->procs[e->proc].prog;
        p = captls_sim_proc_find(k, pname);
        snprintf(desc, dcap, "%s %s %s", pname, e->fact, want_q);
        bool known = buf != NULL && p != NULL && prog->fact != NULL &&
                     prog->fact(p, e->fact, buf, FACT_MAX, &len);
        if (known)
            captls_sim_quote(buf, len, got, gcap);
        return known && len == e->value_len &&
               (len == 0 || memcmp(buf, e->value, len) == 0);
    }
    case CAPTLS_SIM_EXPECT_TRANSCRIPT:
        snprintf(desc, dcap, "transcript %s", want_q);
        snprintf(got, gcap, "no such line");
        return seen;
    case CAPTLS_SIM_EXPECT_ABSENT:
        snprintf(desc, dcap, "absent %s", want_q);
        snprintf(got, gcap, "a line holds it");
        return !seen;
    case CAPTLS_SIM_EXPECT_AUDIT:
        snprintf(desc, dcap, "audit %s%s%.*s", e->fact,
                 e->value != NULL ? " " : "",
                 e->value != NULL ? (int)e->value_len : 0,
                 e->value != NULL ? (const char *)e->value : "");
        snprintf(got, gcap, "no such audit record");
        return seen;
    case CAPTLS_SIM_EXPECT_REFUSED: {
        uint32_t count = 0;
        captls_result last = CAPTLS_OK;
        p = captls_sim_proc_find(k, pname);
        snprintf(desc, dcap, "refused %s %s%s%.*s", pname, e->fact,
                 e->value != NULL ? " " : "",
                 e->value != NULL ? (int)e->value_len : 0,
                 e->value != NULL ? (const char *)e->value : "");
        if (p == NULL ||
            captls_sim_proc_cap_refusals(p, e->fact, &count, &last) !=
                CAPTLS_OK)
            return false;
        if (count == 0) {
            snprintf(got, gcap, "no call was refused");
            return false;
        }
        snprintf(got, gcap, "%u refused, the last for %s", (unsigned)count,
                 captls_result_name(last));
        const char *ln = captls_result_name(last);
        return e->value == NULL ||
               (strlen(ln) == e->value_len &&
                memcmp(ln, e->value, e->value_len) == 0);
    }
    case CAPTLS_SIM_EXPECT_NO_CRASH: {
        snprintf(desc, dcap, "no-crash");
        if (!rep->completed) {
            snprintf(got, gcap, "the run stopped: %s", rep->stop_reason);
            return false;
        }
        for (size_t i = 0; i < sc->nprocs; i++) {
            p = captls_sim_proc_find(k, sc->procs[i].name);
            if (p != NULL && !captls_sim_proc_alive(p) &&
                !captls_sim_proc_killed(p)) {
                snprintf(got, gcap, "%s died", sc->procs[i].name);
                return false;
            }
        }
        return true;
    }
    case CAPTLS_SIM_EXPECT_NO_LEAK: {
        char why[256];
        snprintf(desc, dcap, "no-leak");
        size_t n = captls_sim_leaks(k, why, sizeof(why));
        if (n > 0)
            snprintf(got, gcap, "%zu leak%s: %s", n, n == 1 ? "" : "s", why);
        return n == 0;
    }
    }
    return false;
}

static void check_expectations(captls_sim_kernel *k,
                               const captls_sim_scenario *sc,
                               const bool *seen, captls_sim_report *rep)
{
    uint8_t *buf = malloc(FACT_MAX);
    char desc[300], got[300];
    for (size_t i = 0; i < sc->nexpects; i++) {
        const captls_sim_scn_expect *e = &sc->expects[i];
        bool held = judge(k, sc, e, seen != NULL && seen[i], rep, buf, desc,
                          sizeof(desc), got, sizeof(got));
        if (held) {
            rep->expects_held++;
            captls_sim_log(k, NULL, "sim", "expect %s: ok", desc);
            continue;
        }
        rep->expects_failed++;
        captls_sim_log(k, NULL, "sim", "expect %s: FAILED, got %s", desc,
                       got);
        if (rep->first_failed_line == 0) {
            rep->first_failed_line = e->line;
            snprintf(rep->first_failure, sizeof(rep->first_failure),
                     "expect %s: got %s", desc, got);
        }
    }
    free(buf);
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
    watch w = {sc, out, out_ctx, NULL, false};
    if (sc->nexpects > 0) {
        w.seen = calloc(sc->nexpects, sizeof(bool));
        if (w.seen == NULL)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    captls_result kr = captls_sim_kernel_new(&lim, seed, watch_line, &w, &k);
    if (kr != CAPTLS_OK) {
        free(w.seen);
        return kr;
    }
    captls_sim_log(k, NULL, "sim", "start: %zu host%s, %zu link%s, %zu "
                   "process%s, %zu action%s, %zu expectation%s",
                   sc->nhosts, plural(sc->nhosts), sc->nlinks,
                   plural(sc->nlinks), sc->nprocs,
                   sc->nprocs == 1 ? "" : "es", sc->nactions,
                   plural(sc->nactions), sc->nexpects, plural(sc->nexpects));
    captls_result r = build(k, sc);
    if (r != CAPTLS_OK) {
        captls_sim_kernel_free(k);
        free(w.seen);
        return r;
    }
    r = captls_sim_run(k);
    rep->completed = r == CAPTLS_OK;
    rep->events = captls_sim_events(k);
    rep->end_ns = captls_sim_now(k);
    if (!rep->completed)
        snprintf(rep->stop_reason, sizeof(rep->stop_reason), "%s",
                 captls_sim_stop_reason(k));
    w.judged = true;
    check_expectations(k, sc, w.seen, rep);
    free(w.seen);
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
