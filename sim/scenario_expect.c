/* sim/scenario_expect.c — the `expect` lines: a fact of a process's
 * program equal to a value, or one of the kernel's checks (transcript,
 * absent, audit, refused, no-crash, no-leak), each checked against what
 * earlier lines declared. See scenario.h and sim/SCENARIOS.md. */
#include <string.h>

#include "sim/programs.h"
#include "sim/scenario_internal.h"

static bool push_expect(scn_parser *ps, const captls_sim_scn_expect *e)
{
    captls_sim_scenario *sc = ps->sc;
    sc->expects = scn_grow(ps, sc->expects, sc->nexpects, &sc->expects_cap,
                           sizeof(*sc->expects), CAPTLS_SIM_SCN_MAX_EXPECTS,
                           "expectations");
    if (sc->expects == NULL)
        return false;
    sc->expects[sc->nexpects++] = *e;
    return true;
}

/* `expect transcript|absent|audit|refused|no-crash|no-leak ...` */
static bool d_check(scn_parser *ps, captls_sim_scn_expect *e, int which)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX];
    scn_tok *t;
    switch (which) {
    case 0: /* transcript "TEXT" */
    case 1: /* absent "TEXT" */
        e->kind = which == 0 ? CAPTLS_SIM_EXPECT_TRANSCRIPT
                             : CAPTLS_SIM_EXPECT_ABSENT;
        t = scn_need(ps, 2, "the text a transcript line holds, in quotes");
        if (t == NULL)
            return false;
        if (t->kv || t->len == 0 || memchr(t->text, '\n', t->len) != NULL)
            return scn_fail(ps, t->col, "expected non-empty \"text\" "
                            "without newlines (it is matched within one "
                            "line, as the transcript shows it)");
        if (!scn_no_more(ps, 3))
            return false;
        e->value = (const uint8_t *)t->text;
        e->value_len = t->len;
        return push_expect(ps, e);
    case 2: /* audit EVENT [OUTCOME] */
        e->kind = CAPTLS_SIM_EXPECT_AUDIT;
        t = scn_need(ps, 2, "an audit event name, like ipc.call.refused");
        if (t == NULL)
            return false;
        if (t->str || t->kv)
            return scn_fail(ps, t->col, "expected an audit event name, "
                            "like ipc.call.refused");
        e->fact = t->text;
        if (ps->ntoks > 3) {
            t = &ps->toks[3];
            if (t->str || t->kv)
                return scn_fail(ps, t->col, "expected an outcome name, like "
                                "no_authority");
            e->value = (const uint8_t *)t->text;
            e->value_len = t->len;
        }
        if (!scn_no_more(ps, 4))
            return false;
        return push_expect(ps, e);
    case 3: /* refused PROC CAP [REASON] */
        e->kind = CAPTLS_SIM_EXPECT_REFUSED;
        t = scn_need(ps, 2, "refused PROC CAP");
        if (t == NULL || !scn_proc_ref(ps, t, &e->proc))
            return false;
        t = scn_need(ps, 3, "the name of a cap the process holds");
        if (t == NULL)
            return false;
        if (t->str || t->kv || scn_held(sc, e->proc, t) < 0)
            return scn_fail(ps, t->col, "'%s' holds no cap named '%s'; "
                            "expected a cap given with 'grant' or named by "
                            "an earlier action",
                            sc->procs[e->proc].name,
                            scn_show(t->text, t->len, s, sizeof(s)));
        e->fact = t->text;
        if (ps->ntoks > 4) {
            static const char *const WHY[] = {"no_authority", "stale_handle",
                                              "bad_handle",
                                              "wrong_interface", NULL};
            t = &ps->toks[4];
            if (scn_word_in(t, WHY) < 0)
                return scn_fail(ps, t->col, "expected a reason: "
                                "no_authority, stale_handle, bad_handle or "
                                "wrong_interface");
            e->value = (const uint8_t *)t->text;
            e->value_len = t->len;
        }
        if (!scn_no_more(ps, 5))
            return false;
        return push_expect(ps, e);
    default: /* no-crash, no-leak */
        e->kind = which == 4 ? CAPTLS_SIM_EXPECT_NO_CRASH
                             : CAPTLS_SIM_EXPECT_NO_LEAK;
        if (!scn_no_more(ps, 2))
            return false;
        return push_expect(ps, e);
    }
}

bool scn_d_expect(scn_parser *ps)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX], list[160] = "";
    captls_sim_scn_expect e;
    memset(&e, 0, sizeof(e));
    e.line = ps->line;
    e.col = ps->toks[0].col;
    scn_tok *tp = scn_need(ps, 1, "a service or client name after "
                                  "'expect', or transcript, absent, audit, "
                                  "refused, no-crash or no-leak");
    if (tp == NULL)
        return false;
    int which = scn_word_in(tp, scn_checks);
    if (which >= 0)
        return d_check(ps, &e, which);
    if (!scn_proc_ref(ps, tp, &e.proc))
        return false;
    const captls_sim_program *prog = sc->procs[e.proc].prog;
    for (size_t i = 0; prog->facts != NULL && prog->facts[i] != NULL; i++) {
        strncat(list, prog->facts[i], sizeof(list) - strlen(list) - 1);
        if (prog->facts[i + 1] != NULL)
            strncat(list, ", ", sizeof(list) - strlen(list) - 1);
    }
    scn_tok *tf = scn_need(ps, 2, "what to check, e.g. received");
    if (tf == NULL)
        return false;
    if (tf->kv || tf->str ||
        !captls_sim_program_has_fact(prog, tf->text, tf->len))
        return scn_fail(ps, tf->col,
                        "unknown fact '%s' for '%s' (program %s); expected "
                        "one of: %s",
                        scn_show(tf->text, tf->len, s, sizeof(s)),
                        sc->procs[e.proc].name, prog->name, list);
    scn_tok *tv = scn_need(ps, 3, "the expected value, a word or \"text\"");
    if (tv == NULL)
        return false;
    if (tv->kv)
        return scn_fail(ps, tv->col,
                        "expected a word or \"text\"; quote text that holds "
                        "'='");
    if (!scn_no_more(ps, 4))
        return false;
    e.fact = tf->text;
    e.value = (const uint8_t *)tv->text;
    e.value_len = tv->len;
    return push_expect(ps, &e);
}
