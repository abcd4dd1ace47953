/* sim/scenario_procs.c — the directives that declare processes and
 * their caps: `service` and `client` (a name on a host, its program and
 * the program's options, checked here so the run cannot fail on them)
 * and `grant` (a service's cap to a process, with rights). See
 * scenario.h for the contract and sim/SCENARIOS.md for the format. */
#include <string.h>

#include "sim/programs.h"
#include "sim/scenario_internal.h"

/* Values of the trust program's options (sim/prog_trust.c). */
static const char *const TRUST_POLICIES[] = {
    "webPkiStrict", "webPkiLenient", "privateMtls", "codeSigning", NULL,
};
static const char *const TRUST_CLOCK_RULES[] = {
    "reject", "lower-bound", "as-trusted", NULL,
};

bool scn_d_proc(scn_parser *ps, bool service)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX];
    captls_sim_scn_proc pr;
    memset(&pr, 0, sizeof(pr));
    pr.service = service;
    pr.line = ps->line;
    scn_tok *n = scn_need(ps, 1, service ? "a service name after 'service'"
                                         : "a client name after 'client'");
    if (n == NULL || !scn_name_tok(ps, n, "a process name"))
        return false;
    int32_t dup = scn_proc_index(sc, n->text, n->len);
    if (dup >= 0)
        return scn_fail(ps, n->col,
                        "'%s' is already declared on line %u; expected a new "
                        "name",
                        scn_show(n->text, n->len, s, sizeof(s)),
                        sc->procs[dup].line);
    if (scn_word_in(n, scn_faults) >= 0 || scn_word_in(n, scn_checks) >= 0)
        return scn_fail(ps, n->col,
                        "'%s' is a reserved word (a fault or a check); "
                        "expected another name",
                        scn_show(n->text, n->len, s, sizeof(s)));
    pr.name = n->text;
    scn_tok *on = scn_need(ps, 2, "'on HOST'");
    if (on == NULL || !scn_keyword(ps, on, "on"))
        return false;
    scn_tok *h = scn_need(ps, 3, "a host name after 'on'");
    if (h == NULL || !scn_host_ref(ps, h, &pr.host))
        return false;
    /* program= first, then the program's own options. */
    const scn_tok *progtok = NULL;
    for (unsigned i = 4; i < ps->ntoks; i++) {
        const scn_tok *t = &ps->toks[i];
        if (!t->kv)
            return scn_fail(ps, t->col,
                            "expected an option like program=NAME or "
                            "port=N, not '%s'",
                            scn_show(t->text, t->len, s, sizeof(s)));
        if (scn_eq(t->key, t->key_len, "program")) {
            if (progtok != NULL)
                return scn_fail(ps, t->col, "option 'program=' given twice");
            progtok = t;
        }
    }
    if (progtok != NULL) {
        pr.prog = captls_sim_program_find(progtok->val, progtok->val_len);
        if (pr.prog == NULL)
            return scn_fail(ps, progtok->val_col,
                            "unknown program '%s'; expected one of: %s",
                            scn_show(progtok->val, progtok->val_len, s,
                                     sizeof(s)),
                            captls_sim_program_names());
    } else {
        pr.prog = captls_sim_program_find(n->text, n->len);
        if (pr.prog == NULL)
            return scn_fail(ps, ps->end_col,
                            "expected program=NAME (one of: %s): no program "
                            "is called '%s'",
                            captls_sim_program_names(),
                            scn_show(n->text, n->len, s, sizeof(s)));
    }
    if (service && pr.prog->iface == 0)
        return scn_fail(ps, progtok != NULL ? progtok->val_col : n->col,
                        "program '%s' serves no interface; expected "
                        "'client' instead of 'service'",
                        pr.prog->name);
    for (unsigned i = 4; i < ps->ntoks; i++) {
        const scn_tok *t = &ps->toks[i];
        if (t == progtok)
            continue;
        if (!captls_sim_program_has_option(pr.prog, t->key, t->key_len)) {
            char list[128] = "";
            for (size_t o = 0; pr.prog->options[o] != NULL; o++) {
                strncat(list, o > 0 ? ", " : "; expected ",
                        sizeof(list) - strlen(list) - 1);
                strncat(list, pr.prog->options[o],
                        sizeof(list) - strlen(list) - 1);
                strncat(list, "=", sizeof(list) - strlen(list) - 1);
            }
            return scn_fail(ps, t->col,
                            "unknown option '%s=' for program '%s'%s",
                            scn_show(t->key, t->key_len, s, sizeof(s)),
                            pr.prog->name,
                            list[0] != '\0' ? list : "; it takes none");
        }
        for (size_t j = 0; j < pr.nopts; j++) {
            if (strcmp(pr.opts[j].key, t->key) == 0)
                return scn_fail(ps, t->col, "option '%s=' given twice",
                                pr.opts[j].key);
        }
        if (memchr(t->val, '\0', t->val_len) != NULL)
            return scn_fail(ps, t->val_col,
                            "expected a value without NUL bytes");
        if (pr.nopts >= CAPTLS_SIM_SCN_MAX_OPTS)
            return scn_fail(ps, t->col, "too many options");
        pr.opts[pr.nopts].key = t->key;
        pr.opts[pr.nopts].value = t->val;
        pr.nopts++;
    }
    for (size_t r = 0; pr.prog->required && pr.prog->required[r]; r++) {
        bool given = false;
        for (size_t j = 0; j < pr.nopts; j++)
            given = given || strcmp(pr.opts[j].key, pr.prog->required[r]) == 0;
        if (!given)
            return scn_fail(ps, ps->end_col,
                            "expected %s=...: program '%s' needs it",
                            pr.prog->required[r], pr.prog->name);
    }
    /* The echo service's port and delay, checked here so the run cannot
     * fail on them. */
    for (size_t j = 0; j < pr.nopts; j++) {
        if (strcmp(pr.opts[j].key, "delay") == 0 ||
            strcmp(pr.opts[j].key, "stall") == 0 ||
            strcmp(pr.opts[j].key, "timeout") == 0) {
            const scn_tok *t = NULL;
            uint64_t ns;
            for (unsigned i = 4; i < ps->ntoks; i++) {
                if (ps->toks[i].key == pr.opts[j].key)
                    t = &ps->toks[i];
            }
            if (memchr(t->val, '.', t->val_len) != NULL)
                return scn_fail(ps, t->val_col, "expected a whole duration "
                                "like 30ms (no decimals)");
            if (!scn_parse_duration(ps, t->val, t->val_len, t->val_col, &ns))
                return false;
            continue;
        }
        if (strcmp(pr.opts[j].key, "anchors") == 0 ||
            strcmp(pr.opts[j].key, "policy") == 0 ||
            strcmp(pr.opts[j].key, "untrusted-clock") == 0) {
            const scn_tok *t = NULL;
            for (unsigned i = 4; i < ps->ntoks; i++) {
                if (ps->toks[i].key == pr.opts[j].key)
                    t = &ps->toks[i];
            }
            const char *const *ok = pr.opts[j].key[0] == 'p'
                                        ? TRUST_POLICIES
                                        : TRUST_CLOCK_RULES;
            if (pr.opts[j].key[0] == 'a') {
                if (!scn_cert_list(ps, t->val, t->val_len, t->val_col,
                                   "anchors=CERT+CERT... (names declared "
                                   "with 'cert')"))
                    return false;
            } else if (!scn_in_list(t->val, t->val_len, ok)) {
                return scn_fail(ps, t->val_col, "expected %s",
                                pr.opts[j].key[0] == 'p'
                                    ? "policy=webPkiStrict, webPkiLenient, "
                                      "privateMtls or codeSigning"
                                    : "untrusted-clock=reject, lower-bound "
                                      "or as-trusted");
            }
            continue;
        }
        /* The TLS programs' chain= (leaf first) and key= (a `key`). */
        if (strcmp(pr.opts[j].key, "chain") == 0 ||
            strcmp(pr.opts[j].key, "key") == 0) {
            const scn_tok *t = NULL;
            for (unsigned i = 4; i < ps->ntoks; i++) {
                if (ps->toks[i].key == pr.opts[j].key)
                    t = &ps->toks[i];
            }
            bool key = pr.opts[j].key[0] == 'k';
            if (key && memchr(t->val, '+', t->val_len) != NULL)
                return scn_fail(ps, t->val_col, "expected one key name");
            if (!scn_cert_list(ps, t->val, t->val_len, t->val_col,
                               key ? "key=NAME (declared with 'key')"
                                   : "chain=LEAF+INTERMEDIATE... (names "
                                     "declared with 'cert')"))
                return false;
            continue;
        }
        if (strcmp(pr.opts[j].key, "port") == 0) {
            uint64_t port;
            const scn_tok *t = NULL;
            for (unsigned i = 4; i < ps->ntoks; i++) {
                if (ps->toks[i].key == pr.opts[j].key)
                    t = &ps->toks[i];
            }
            if (!scn_parse_uint(ps, t->val, t->val_len, t->val_col, 65535,
                                "a port number 1..65535", &port))
                return false;
            if (port == 0)
                return scn_fail(ps, t->val_col,
                                "expected a port number 1..65535");
        }
    }
    sc->procs = scn_grow(ps, sc->procs, sc->nprocs, &sc->procs_cap,
                         sizeof(*sc->procs), CAPTLS_SIM_SCN_MAX_PROCS,
                         "services and clients");
    if (sc->procs == NULL)
        return false;
    sc->procs[sc->nprocs++] = pr;
    return true;
}

bool scn_d_grant(scn_parser *ps)
{
    captls_sim_scenario *sc = ps->sc;
    uint32_t svc, to;
    scn_tok *ts = scn_need(ps, 1, "a service name after 'grant'");
    if (ts == NULL || !scn_proc_ref(ps, ts, &svc))
        return false;
    if (!sc->procs[svc].service)
        return scn_fail(ps, ts->col,
                        "expected a service: '%s' is a client and serves "
                        "nothing",
                        sc->procs[svc].name);
    scn_tok *kw = scn_need(ps, 2, "'to PROCESS'");
    if (kw == NULL || !scn_keyword(ps, kw, "to"))
        return false;
    scn_tok *tt = scn_need(ps, 3, "a process name after 'to'");
    if (tt == NULL || !scn_proc_ref(ps, tt, &to))
        return false;
    captls_rights rights = CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT;
    if (ps->ntoks > 4) {
        static const char *const RN[] = {"call", "write", "grant", "derive",
                                         "revoke", "all"};
        static const captls_rights RV[] = {
            CAPTLS_RIGHT_CALL,   CAPTLS_RIGHT_WRITE,  CAPTLS_RIGHT_GRANT,
            CAPTLS_RIGHT_DERIVE, CAPTLS_RIGHT_REVOKE, CAPTLS_RIGHTS_ALL};
        const scn_tok *t = &ps->toks[4];
        if (!t->kv || !scn_eq(t->key, t->key_len, "rights"))
            return scn_fail(ps, t->col, "expected rights=R+R... (call, "
                            "write, grant, derive, revoke or all) or the "
                            "end of the line");
        rights = 0;
        size_t i = 0;
        while (i < t->val_len) {
            size_t j = i;
            while (j < t->val_len && t->val[j] != '+')
                j++;
            size_t r;
            for (r = 0; r < 6; r++) {
                if (scn_eq(t->val + i, j - i, RN[r]))
                    break;
            }
            if (r == 6)
                return scn_fail(ps, t->val_col + (unsigned)i,
                                "unknown right; expected call, write, "
                                "grant, derive, revoke or all, joined "
                                "with '+'");
            rights |= RV[r];
            i = j + 1;
        }
        if (t->val_len == 0 || t->val[t->val_len - 1] == '+')
            return scn_fail(ps, t->val_col, "expected a right after '+'");
        if (!scn_no_more(ps, 5))
            return false;
    }
    unsigned held = 0;
    for (size_t i = 0; i < sc->ngrants; i++) {
        if (sc->grants[i].to != to)
            continue;
        held++;
        if (sc->grants[i].service == svc)
            return scn_fail(ps, ts->col,
                            "'%s' already holds this cap (line %u)",
                            sc->procs[to].name, sc->grants[i].line);
    }
    if (held >= CAPTLS_SIM_PROC_CAPS)
        return scn_fail(ps, ts->col, "too many caps for '%s'; expected at "
                        "most %u", sc->procs[to].name, CAPTLS_SIM_PROC_CAPS);
    sc->grants = scn_grow(ps, sc->grants, sc->ngrants, &sc->grants_cap,
                          sizeof(*sc->grants), CAPTLS_SIM_SCN_MAX_GRANTS,
                          "grants");
    if (sc->grants == NULL)
        return false;
    captls_sim_scn_grant g = {svc, to, rights, ps->line};
    sc->grants[sc->ngrants++] = g;
    return true;
}
