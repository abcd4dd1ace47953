/* sim/scenario_actions.c — the timed `at TIME ...` lines: a program
 * verb of a process, its arguments checked against the verb's table
 * (caps held, methods, certificates, HOST:PORT; a new cap name is
 * recorded for later lines), or one of the kernel's faults (kill,
 * restart, reset, revoke, stall, clock, entropy, store). Times must not
 * go backwards. See scenario.h and sim/SCENARIOS.md. */
#include <string.h>

#include "sim/programs.h"
#include "sim/scenario_internal.h"

static void verb_list(const captls_sim_program *prog, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < prog->nverbs; i++) {
        strncat(out, prog->verbs[i].name, cap - strlen(out) - 1);
        if (i + 1 < prog->nverbs)
            strncat(out, ", ", cap - strlen(out) - 1);
    }
}

static bool arg_check(scn_parser *ps, uint32_t proc, const scn_tok *t,
                      char kind, const captls_sim_verb *v, int32_t cap_svc)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX];
    if (t->kv)
        return scn_fail(ps, t->col,
                        "expected %s; quote text that holds '='", v->help);
    if (kind == 'S')
        return true;
    if (t->str)
        return scn_fail(ps, t->col, "expected %s, without quotes", v->help);
    if (kind == 'K')
        return scn_cert_list(ps, t->text, t->len, t->col,
                             "certificate names joined by '+', like "
                             "leaf-a+int-a");
    if (kind == 'X') {
        if (scn_eq(t->text, t->len, "all"))
            return true;
        if (t->len > 5 && memcmp(t->text, "only:", 5) == 0)
            return scn_cert_list(ps, t->text + 5, t->len - 5, t->col + 5,
                                 "certificate names after 'only:'");
        if (t->len > 8 && memcmp(t->text, "exclude:", 8) == 0)
            return scn_cert_list(ps, t->text + 8, t->len - 8, t->col + 8,
                                 "certificate names after 'exclude:'");
        return scn_fail(ps, t->col, "expected a filter: all, only:CERTS or "
                        "exclude:CERTS (names joined by '+')");
    }
    if (kind == 'N') {
        if (!scn_name_tok(ps, t, "a new cap name"))
            return false;
        if (scn_held(sc, proc, t) >= 0 ||
            scn_proc_index(sc, t->text, t->len) >= 0)
            return scn_fail(ps, t->col,
                            "'%s' already names a cap or a process; "
                            "expected a new cap name",
                            scn_show(t->text, t->len, s, sizeof(s)));
        unsigned n = 0;
        for (size_t i = 0; i < sc->ngrants; i++)
            n += sc->grants[i].to == proc;
        for (size_t i = 0; i < sc->ncapnames; i++)
            n += sc->capnames[i].proc == proc;
        if (n >= CAPTLS_SIM_PROC_CAPS)
            return scn_fail(ps, t->col, "too many caps for '%s'; expected "
                            "at most %u", sc->procs[proc].name,
                            CAPTLS_SIM_PROC_CAPS);
        return true;
    }
    if (kind == 'C') {
        if (scn_held(sc, proc, t) >= 0)
            return true;
        return scn_fail(ps, t->col,
                        "'%s' holds no cap named '%s'; expected a "
                        "'grant %s to %s' line before this one",
                        sc->procs[proc].name,
                        scn_show(t->text, t->len, s, sizeof(s)), s,
                        sc->procs[proc].name);
    }
    if (kind == 'M') {
        /* a method of the service the preceding cap names */
        const captls_sim_program *prog =
            cap_svc >= 0 ? sc->procs[cap_svc].prog : NULL;
        char list[160] = "";
        for (size_t i = 0; prog != NULL && i < prog->nmethods; i++) {
            if (scn_eq(t->text, t->len, prog->methods[i].name))
                return true;
            strncat(list, i > 0 ? ", " : "", sizeof(list) - strlen(list) - 1);
            strncat(list, prog->methods[i].name,
                    sizeof(list) - strlen(list) - 1);
        }
        return scn_fail(ps, t->col,
                        "unknown method '%s'; expected one of the service's "
                        "methods: %s",
                        scn_show(t->text, t->len, s, sizeof(s)),
                        list[0] != '\0' ? list : "(none)");
    }
    /* 'A': HOST:PORT with a declared host */
    const char *colon = memchr(t->text, ':', t->len);
    uint64_t port;
    if (colon == NULL)
        return scn_fail(ps, t->col, "expected HOST:PORT, like beta:7");
    scn_tok host = *t;
    host.len = (size_t)(colon - t->text);
    uint32_t hi;
    if (!scn_host_ref(ps, &host, &hi))
        return false;
    unsigned pcol = t->col + (unsigned)host.len + 1;
    if (!scn_parse_uint(ps, colon + 1, t->len - host.len - 1, pcol, 65535,
                        "a port number 1..65535", &port))
        return false;
    if (port == 0)
        return scn_fail(ps, pcol, "expected a port number 1..65535");
    return true;
}

static bool push_action(scn_parser *ps, const captls_sim_scn_action *act)
{
    captls_sim_scenario *sc = ps->sc;
    sc->actions = scn_grow(ps, sc->actions, sc->nactions, &sc->actions_cap,
                           sizeof(*sc->actions), CAPTLS_SIM_SCN_MAX_ACTIONS,
                           "actions");
    if (sc->actions == NULL)
        return false;
    sc->actions[sc->nactions++] = *act;
    return true;
}

/* `at TIME FAULT ...`: the kernel's faults (sim.h). */
static bool d_fault(scn_parser *ps, captls_sim_scn_action *act, int which)
{
    captls_sim_scenario *sc = ps->sc;
    captls_sim_fault *f = &act->f;
    uint32_t pi, hi, hb;
    scn_tok *t;
    act->fault = true;
    act->a.line = ps->line;
    switch (which) {
    case 0: /* kill PROC */
    case 1: /* restart PROC */
    case 2: /* reset PROC */
        f->kind = which == 0   ? CAPTLS_SIM_FAULT_KILL
                  : which == 1 ? CAPTLS_SIM_FAULT_RESTART
                               : CAPTLS_SIM_FAULT_RESET;
        t = scn_need(ps, 3, "a service or client name");
        if (t == NULL || !scn_proc_ref(ps, t, &pi) || !scn_no_more(ps, 4))
            return false;
        f->proc = sc->procs[pi].name;
        act->proc = pi;
        return push_action(ps, act);
    case 3: /* revoke PROC CAP */
        f->kind = CAPTLS_SIM_FAULT_REVOKE;
        t = scn_need(ps, 3, "revoke PROC CAP");
        if (t == NULL || !scn_proc_ref(ps, t, &pi))
            return false;
        t = scn_need(ps, 4, "the name of a cap the process holds");
        if (t == NULL)
            return false;
        if (t->str || t->kv || scn_granted(sc, pi, t) < 0) {
            char s[SHOW_MAX];
            return scn_fail(ps, t->col,
                            "'%s' holds no cap named '%s'; expected a cap "
                            "given with 'grant'",
                            sc->procs[pi].name,
                            scn_show(t->text, t->len, s, sizeof(s)));
        }
        if (!scn_no_more(ps, 5))
            return false;
        f->proc = sc->procs[pi].name;
        f->cap = sc->procs[scn_granted(sc, pi, t)].name;
        act->proc = pi;
        return push_action(ps, act);
    case 4: /* stall HOST HOST DUR */
        f->kind = CAPTLS_SIM_FAULT_STALL;
        t = scn_need(ps, 3, "stall HOST HOST DURATION");
        if (t == NULL || !scn_host_ref(ps, t, &hi))
            return false;
        t = scn_need(ps, 4, "a second host name");
        if (t == NULL || !scn_host_ref(ps, t, &hb))
            return false;
        {
            bool linked = false;
            for (size_t i = 0; i < sc->nlinks; i++)
                linked = linked ||
                         (sc->links[i].a == hi && sc->links[i].b == hb) ||
                         (sc->links[i].a == hb && sc->links[i].b == hi);
            if (!linked)
                return scn_fail(ps, t->col, "expected two linked hosts: no "
                                "'link' joins them");
        }
        t = scn_need(ps, 5, "how long the link stalls, like 50ms");
        if (t == NULL)
            return false;
        {
            uint64_t d;
            if (t->str || t->kv ||
                !scn_parse_duration(ps, t->text, t->len, t->col, &d))
                return t->str || t->kv
                           ? scn_fail(ps, t->col, "expected a duration")
                           : false;
            f->value = (int64_t)d;
        }
        if (!scn_no_more(ps, 6))
            return false;
        f->host = sc->hosts[hi].name;
        f->host_b = sc->hosts[hb].name;
        return push_action(ps, act);
    default:
        break;
    }
    /* clock|entropy|store HOST WHAT [VALUE] */
    t = scn_need(ps, 3, "a host name");
    if (t == NULL || !scn_host_ref(ps, t, &hi))
        return false;
    f->host = sc->hosts[hi].name;
    scn_tok *w = scn_need(ps, 4, which == 5   ? "jump +-DURATION, set TIME, "
                                                "trusted or untrusted"
                                 : which == 6 ? "fail or ok"
                                              : "tear, full or ok");
    if (w == NULL)
        return false;
    if (which == 5 && !w->str && !w->kv && scn_eq(w->text, w->len, "jump")) {
        f->kind = CAPTLS_SIM_FAULT_CLOCK_JUMP;
        t = scn_need(ps, 5, "a signed duration, like -3600s or +5ms");
        if (t == NULL || t->str || t->kv)
            return t == NULL ? false
                             : scn_fail(ps, t->col, "expected a duration");
        if (!scn_parse_signed_duration(ps, t->text, t->len, t->col, &f->value))
            return false;
        if (!scn_no_more(ps, 6))
            return false;
        return push_action(ps, act);
    }
    if (which == 5 && !w->str && !w->kv && scn_eq(w->text, w->len, "set")) {
        f->kind = CAPTLS_SIM_FAULT_CLOCK_SET;
        t = scn_need(ps, 5, "a time like 2027-01-01T00:00:00Z");
        if (t == NULL || t->str || t->kv)
            return t == NULL ? false
                             : scn_fail(ps, t->col, "expected a UTC time");
        if (!scn_parse_wall(ps, t->text, t->len, t->col, &f->value))
            return false;
        if (!scn_no_more(ps, 6))
            return false;
        return push_action(ps, act);
    }
    static const char *const WORDS[3][4] = {
        {"trusted", "untrusted", NULL, NULL},
        {"fail", "ok", NULL, NULL},
        {"tear", "full", "ok", NULL},
    };
    int k = scn_word_in(w, WORDS[which - 5]);
    if (k < 0) {
        char s[SHOW_MAX];
        return scn_fail(ps, w->col, "unknown %s fault '%s'; expected %s",
                        scn_faults[which],
                        scn_show(w->text, w->len, s, sizeof(s)),
                        which == 5   ? "jump, set, trusted or untrusted"
                        : which == 6 ? "fail or ok"
                                     : "tear, full or ok");
    }
    if (!scn_no_more(ps, 5))
        return false;
    if (which == 5) {
        f->kind = CAPTLS_SIM_FAULT_CLOCK_PROVENANCE;
        f->value = k == 0 ? CAPTLS_CLOCK_TRUSTED : CAPTLS_CLOCK_UNTRUSTED;
    } else if (which == 6) {
        f->kind = CAPTLS_SIM_FAULT_ENTROPY;
        f->value = k == 0;
    } else {
        f->kind = CAPTLS_SIM_FAULT_STORE;
        f->value = k == 0   ? CAPTLS_SIM_STORE_TEAR
                   : k == 1 ? CAPTLS_SIM_STORE_FULL
                            : CAPTLS_SIM_STORE_OK;
    }
    return push_action(ps, act);
}

bool scn_d_at(scn_parser *ps)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX], list[128];
    captls_sim_scn_action act;
    memset(&act, 0, sizeof(act));
    scn_tok *tt = scn_need(ps, 1, "a time after 'at', like 5ms");
    if (tt == NULL)
        return false;
    if (tt->kv || tt->str)
        return scn_fail(ps, tt->col, "expected a time after 'at', like 5ms");
    if (!scn_parse_duration(ps, tt->text, tt->len, tt->col, &act.at_ns))
        return false;
    if (act.at_ns < ps->last_at)
        return scn_fail(ps, tt->col,
                        "time goes backwards: line %u is at %llu ns; "
                        "expected 'at' lines in time order (a time of at "
                        "least that)",
                        ps->last_at_line, (unsigned long long)ps->last_at);
    ps->last_at = act.at_ns;
    ps->last_at_line = ps->line;
    scn_tok *tp = scn_need(ps, 2, "a service or client name, or a fault "
                                  "(kill, restart, reset, revoke, stall, "
                                  "clock, entropy, store)");
    if (tp == NULL)
        return false;
    int which = scn_word_in(tp, scn_faults);
    if (which >= 0)
        return d_fault(ps, &act, which);
    if (!scn_proc_ref(ps, tp, &act.proc))
        return false;
    const captls_sim_program *prog = sc->procs[act.proc].prog;
    verb_list(prog, list, sizeof(list));
    scn_tok *tv = scn_need(ps, 3, "an action");
    if (tv == NULL)
        return false;
    if (prog->nverbs == 0)
        return scn_fail(ps, tv->col,
                        "'%s' runs program '%s', which takes no actions",
                        sc->procs[act.proc].name, prog->name);
    const captls_sim_verb *v =
        tv->kv || tv->str ? NULL
                          : captls_sim_program_verb(prog, tv->text, tv->len);
    if (v == NULL)
        return scn_fail(ps, tv->col,
                        "unknown action '%s' for '%s' (program %s); expected "
                        "one of: %s",
                        scn_show(tv->text, tv->len, s, sizeof(s)),
                        sc->procs[act.proc].name, prog->name, list);
    size_t want = strlen(v->args);
    int32_t cap_svc = -1;
    unsigned i;
    for (i = 0; i < want && i < CAPTLS_SIM_ACTION_ARGS; i++) {
        scn_tok *ta = scn_need(ps, 4 + i, v->help);
        if (ta == NULL ||
            !arg_check(ps, act.proc, ta, v->args[i], v, cap_svc))
            return false;
        if (v->args[i] == 'C')
            cap_svc = scn_held(sc, act.proc, ta);
        act.a.args[i].p = (const uint8_t *)ta->text;
        act.a.args[i].len = ta->len;
    }
    if (4 + i < ps->ntoks)
        return scn_fail(ps, ps->toks[4 + i].col, "expected the end of the "
                        "line after %s", v->help);
    act.a.verb = v->name;
    act.a.nargs = i;
    act.a.line = ps->line;
    for (unsigned j = 0; j < i; j++) {
        if (v->args[j] != 'N' || cap_svc < 0)
            continue;
        sc->capnames = scn_grow(ps, sc->capnames, sc->ncapnames,
                                &sc->capnames_cap, sizeof(*sc->capnames),
                                CAPTLS_SIM_SCN_MAX_CAPNAMES, "cap names");
        if (sc->capnames == NULL)
            return false;
        captls_sim_scn_capname cn = {act.proc, (uint32_t)cap_svc,
                                     (const char *)act.a.args[j].p, ps->line};
        sc->capnames[sc->ncapnames++] = cn;
    }
    return push_action(ps, &act);
}
