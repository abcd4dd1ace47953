/* sim/scenario_refs.c — the helpers the scenario directives share: the
 * reserved fault and check words, token checks (a name, a keyword, the end
 * of the line, KEY=VALUE options), the lookups by which a line refers to a
 * host, process, certificate or cap declared on an earlier line, and the
 * growth of the scenario's arrays within their budgets. See
 * scenario_internal.h. */
#include <stdlib.h>
#include <string.h>

#include "sim/scenario_internal.h"

/* Words that follow `at TIME` or `expect` for the kernel's own faults and
 * checks; a process may not take one as its name. (Issue 5's verify,
 * addAnchor, removeAnchor and rotate are program verbs: they go in the
 * programs' verb tables, not here.) */
const char *const scn_faults[] = {
    "kill", "restart", "reset", "revoke", "stall", "clock", "entropy",
    "store", NULL,
};
const char *const scn_checks[] = {
    "transcript", "absent", "audit", "refused", "no-crash", "no-leak", NULL,
};

bool scn_in_list(const char *p, size_t len, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        if (scn_eq(p, len, list[i]))
            return true;
    }
    return false;
}

int scn_word_in(const scn_tok *t, const char *const *list)
{
    if (t->str || t->kv)
        return -1;
    for (int i = 0; list[i] != NULL; i++) {
        if (scn_eq(t->text, t->len, list[i]))
            return i;
    }
    return -1;
}

/* Grows a scenario array to hold one more item. */
void *scn_grow(scn_parser *ps, void *arr, size_t n, size_t *cap,
               size_t size, size_t max, const char *what)
{
    if (n >= max) {
        scn_fail(ps, 1, "too many %s; expected at most %zu", what, max);
        return NULL;
    }
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (ncap > max)
        ncap = max;
    void *na = realloc(arr, ncap * size);
    if (na == NULL) {
        ps->oom = true;
        scn_fail(ps, 1, "out of memory");
        return NULL;
    }
    *cap = ncap;
    return na;
}

scn_tok *scn_need(scn_parser *ps, unsigned i, const char *what)
{
    if (i < ps->ntoks)
        return &ps->toks[i];
    scn_fail(ps, ps->end_col, "expected %s", what);
    return NULL;
}

bool scn_no_more(scn_parser *ps, unsigned i)
{
    char s[SHOW_MAX];
    if (i >= ps->ntoks)
        return true;
    const scn_tok *t = &ps->toks[i];
    return scn_fail(ps, t->col, "expected the end of the line, not '%s'",
                    scn_show(t->text, t->len, s, sizeof(s)));
}

/* A plain word that is a valid name. */
bool scn_name_tok(scn_parser *ps, const scn_tok *t, const char *what)
{
    char s[SHOW_MAX];
    if (t->str || t->kv || !scn_is_name(t->text, t->len))
        return scn_fail(ps, t->col,
                        "expected %s: a lowercase letter, then letters, "
                        "digits, '-' or '_' (at most %u), not '%s'",
                        what, CAPTLS_SIM_NAME_MAX - 1,
                        scn_show(t->text, t->len, s, sizeof(s)));
    return true;
}

bool scn_keyword(scn_parser *ps, const scn_tok *t, const char *kw)
{
    char s[SHOW_MAX];
    if (t->str || t->kv || !scn_eq(t->text, t->len, kw))
        return scn_fail(ps, t->col, "expected '%s', not '%s'", kw,
                        scn_show(t->text, t->len, s, sizeof(s)));
    return true;
}

int32_t scn_host_index(const captls_sim_scenario *sc, const scn_tok *t)
{
    for (size_t i = 0; i < sc->nhosts; i++) {
        if (scn_eq(t->text, t->len, sc->hosts[i].name))
            return (int32_t)i;
    }
    return -1;
}

int32_t scn_proc_index(const captls_sim_scenario *sc, const char *p,
                       size_t len)
{
    for (size_t i = 0; i < sc->nprocs; i++) {
        if (scn_eq(p, len, sc->procs[i].name))
            return (int32_t)i;
    }
    return -1;
}

bool scn_host_ref(scn_parser *ps, const scn_tok *t, uint32_t *out)
{
    char s[SHOW_MAX];
    if (!scn_name_tok(ps, t, "a host name"))
        return false;
    int32_t h = scn_host_index(ps->sc, t);
    if (h < 0)
        return scn_fail(ps, t->col,
                        "unknown host '%s'; expected a host declared "
                        "earlier with 'host %s'",
                        scn_show(t->text, t->len, s, sizeof(s)), s);
    *out = (uint32_t)h;
    return true;
}

bool scn_proc_ref(scn_parser *ps, const scn_tok *t, uint32_t *out)
{
    char s[SHOW_MAX];
    if (!scn_name_tok(ps, t, "a service or client name"))
        return false;
    int32_t p = scn_proc_index(ps->sc, t->text, t->len);
    if (p < 0)
        return scn_fail(ps, t->col,
                        "unknown process '%s'; expected a service or client "
                        "declared earlier",
                        scn_show(t->text, t->len, s, sizeof(s)));
    *out = (uint32_t)p;
    return true;
}

/* KEY=VALUE items from toks[from..]; `keys` lists the allowed ones. The
 * index of each given key's token goes to at[k] (or -1). */
bool scn_options(scn_parser *ps, unsigned from, const char *const *keys,
                 size_t nkeys, const char *directive, int at[])
{
    char s[SHOW_MAX], list[160] = "";
    for (size_t k = 0; k < nkeys; k++) {
        at[k] = -1;
        strncat(list, keys[k], sizeof(list) - strlen(list) - 4);
        strncat(list, k + 1 < nkeys ? "=, " : "=",
                sizeof(list) - strlen(list) - 1);
    }
    for (unsigned i = from; i < ps->ntoks; i++) {
        const scn_tok *t = &ps->toks[i];
        size_t k;
        if (!t->kv)
            return scn_fail(ps, t->col,
                            "expected an option (%s) for '%s', not '%s'",
                            list, directive,
                            scn_show(t->text, t->len, s, sizeof(s)));
        for (k = 0; k < nkeys; k++) {
            if (scn_eq(t->key, t->key_len, keys[k]))
                break;
        }
        if (k == nkeys)
            return scn_fail(ps, t->col,
                            "unknown option '%s=' for '%s'; expected %s",
                            scn_show(t->key, t->key_len, s, sizeof(s)),
                            directive, list);
        if (at[k] >= 0)
            return scn_fail(ps, t->col, "option '%s=' given twice", keys[k]);
        at[k] = (int)i;
    }
    return true;
}

/* The service whose cap `t` names, as granted to proc; -1 if none. */
int32_t scn_granted(const captls_sim_scenario *sc, uint32_t proc,
                    const scn_tok *t)
{
    int32_t svc = scn_proc_index(sc, t->text, t->len);
    for (size_t i = 0; svc >= 0 && i < sc->ngrants; i++) {
        if (sc->grants[i].to == proc && sc->grants[i].service == (uint32_t)svc)
            return svc;
    }
    return -1;
}

/* The service whose cap `t` names for proc: granted, or named by an
 * earlier action (a verb argument of kind 'N'); -1 if none. */
int32_t scn_held(const captls_sim_scenario *sc, uint32_t proc,
                 const scn_tok *t)
{
    int32_t svc = scn_granted(sc, proc, t);
    for (size_t i = 0; svc < 0 && i < sc->ncapnames; i++) {
        if (sc->capnames[i].proc == proc &&
            scn_eq(t->text, t->len, sc->capnames[i].name))
            svc = (int32_t)sc->capnames[i].service;
    }
    return svc;
}

int32_t scn_cert_index(const captls_sim_scenario *sc, const char *p,
                       size_t len)
{
    for (size_t i = 0; i < sc->ncerts; i++) {
        if (scn_eq(p, len, sc->certs[i].name))
            return (int32_t)i;
    }
    return -1;
}

/* NAME+NAME... of certificates declared with `cert`. */
bool scn_cert_list(scn_parser *ps, const char *p, size_t len, unsigned col,
                   const char *what)
{
    char s[SHOW_MAX];
    size_t i = 0;
    if (len == 0)
        return scn_fail(ps, col, "expected %s", what);
    while (i <= len) {
        size_t j = i;
        while (j < len && p[j] != '+')
            j++;
        if (j == i)
            return scn_fail(ps, col + (unsigned)i, "expected a certificate "
                            "name (%s)", what);
        if (scn_cert_index(ps->sc, p + i, j - i) < 0)
            return scn_fail(ps, col + (unsigned)i,
                            "unknown certificate '%s'; expected one declared "
                            "earlier with 'cert NAME \"FILE\"'",
                            scn_show(p + i, j - i, s, sizeof(s)));
        i = j + 1;
    }
    return true;
}
