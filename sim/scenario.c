/* sim/scenario.c — the scenario directives. See scenario.h for the
 * contract and sim/SCENARIOS.md for the format. Each directive is one
 * function; each checks its names against what earlier lines declared. */
#include <stdlib.h>
#include <string.h>

#include "sim/programs.h"
#include "sim/scenario_lex.h"

#define SHOW_MAX 64

static const char *const DIRECTIVES =
    "host, link, cert, service, client, grant, at, expect or limit";

/* Words that follow `at TIME` or `expect` for the kernel's own faults and
 * checks; a process may not take one as its name. (Issue 5's verify,
 * addAnchor, removeAnchor and rotate are program verbs: they go in the
 * programs' verb tables, not here.) */
static const char *const FAULTS[] = {
    "kill", "restart", "reset", "revoke", "stall", "clock", "entropy",
    "store", NULL,
};
static const char *const CHECKS[] = {
    "transcript", "absent", "audit", "refused", "no-crash", "no-leak", NULL,
};

/* Values of the trust program's options (sim/prog_trust.c). */
static const char *const TRUST_POLICIES[] = {
    "webPkiStrict", "webPkiLenient", "privateMtls", "codeSigning", NULL,
};
static const char *const TRUST_CLOCK_RULES[] = {
    "reject", "lower-bound", "as-trusted", NULL,
};

static bool in_list(const char *p, size_t len, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        if (scn_eq(p, len, list[i]))
            return true;
    }
    return false;
}

static int word_in(const scn_tok *t, const char *const *list)
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
static void *grow(scn_parser *ps, void *arr, size_t n, size_t *cap,
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

static scn_tok *need(scn_parser *ps, unsigned i, const char *what)
{
    if (i < ps->ntoks)
        return &ps->toks[i];
    scn_fail(ps, ps->end_col, "expected %s", what);
    return NULL;
}

static bool no_more(scn_parser *ps, unsigned i)
{
    char s[SHOW_MAX];
    if (i >= ps->ntoks)
        return true;
    const scn_tok *t = &ps->toks[i];
    return scn_fail(ps, t->col, "expected the end of the line, not '%s'",
                    scn_show(t->text, t->len, s, sizeof(s)));
}

/* A plain word that is a valid name. */
static bool name_tok(scn_parser *ps, const scn_tok *t, const char *what)
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

static bool keyword(scn_parser *ps, const scn_tok *t, const char *kw)
{
    char s[SHOW_MAX];
    if (t->str || t->kv || !scn_eq(t->text, t->len, kw))
        return scn_fail(ps, t->col, "expected '%s', not '%s'", kw,
                        scn_show(t->text, t->len, s, sizeof(s)));
    return true;
}

static int32_t host_index(const captls_sim_scenario *sc, const scn_tok *t)
{
    for (size_t i = 0; i < sc->nhosts; i++) {
        if (scn_eq(t->text, t->len, sc->hosts[i].name))
            return (int32_t)i;
    }
    return -1;
}

static int32_t proc_index(const captls_sim_scenario *sc, const char *p,
                          size_t len)
{
    for (size_t i = 0; i < sc->nprocs; i++) {
        if (scn_eq(p, len, sc->procs[i].name))
            return (int32_t)i;
    }
    return -1;
}

static bool host_ref(scn_parser *ps, const scn_tok *t, uint32_t *out)
{
    char s[SHOW_MAX];
    if (!name_tok(ps, t, "a host name"))
        return false;
    int32_t h = host_index(ps->sc, t);
    if (h < 0)
        return scn_fail(ps, t->col,
                        "unknown host '%s'; expected a host declared "
                        "earlier with 'host %s'",
                        scn_show(t->text, t->len, s, sizeof(s)), s);
    *out = (uint32_t)h;
    return true;
}

static bool proc_ref(scn_parser *ps, const scn_tok *t, uint32_t *out)
{
    char s[SHOW_MAX];
    if (!name_tok(ps, t, "a service or client name"))
        return false;
    int32_t p = proc_index(ps->sc, t->text, t->len);
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
static bool options(scn_parser *ps, unsigned from, const char *const *keys,
                    size_t nkeys, const char *directive, int at[])
{
    char s[SHOW_MAX], list[160] = "";
    for (size_t k = 0; k < nkeys; k++) {
        at[k] = -1;
        strncat(list, keys[k], sizeof(list) - strlen(list) - 4);
        strncat(list, k + 1 < nkeys ? "=, " : "=", sizeof(list) - strlen(list) - 1);
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

static bool cert_list(scn_parser *ps, const char *p, size_t len, unsigned col,
                      const char *what);

/* ------------------------------------------------------------ directives */

static bool d_host(scn_parser *ps)
{
    static const char *const KEYS[] = {"wall", "clock", "skew", "drift"};
    captls_sim_scenario *sc = ps->sc;
    int at[4];
    char s[SHOW_MAX];
    scn_tok *n = need(ps, 1, "a host name after 'host'");
    if (n == NULL || !name_tok(ps, n, "a host name"))
        return false;
    int32_t dup = host_index(sc, n);
    if (dup >= 0)
        return scn_fail(ps, n->col,
                        "host '%s' is already declared on line %u; expected "
                        "a new name",
                        scn_show(n->text, n->len, s, sizeof(s)),
                        sc->hosts[dup].line);
    if (!options(ps, 2, KEYS, 4, "host", at))
        return false;
    captls_sim_scn_host h = {n->text, CAPTLS_SIM_SCN_DEFAULT_WALL,
                             CAPTLS_CLOCK_UNTRUSTED, 0, 0, ps->line};
    if (at[2] >= 0) {
        const scn_tok *t = &ps->toks[at[2]];
        if (!scn_parse_signed_duration(ps, t->val, t->val_len, t->val_col,
                                       &h.skew_ns))
            return false;
    }
    if (at[3] >= 0) {
        const scn_tok *t = &ps->toks[at[3]];
        size_t l = t->val_len;
        bool neg = l > 0 && t->val[0] == '-';
        size_t skip = l > 0 && (t->val[0] == '-' || t->val[0] == '+');
        uint64_t v;
        if (l >= 3 && memcmp(t->val + l - 3, "ppm", 3) == 0)
            l -= 3;
        if (!scn_parse_uint(ps, t->val + skip, l - skip, t->val_col,
                            CAPTLS_SIM_MAX_DRIFT_PPM,
                            "a drift in parts per million, like "
                            "drift=+50ppm or drift=-20",
                            &v))
            return false;
        h.drift_ppm = neg ? -(int32_t)v : (int32_t)v;
    }
    if (at[0] >= 0) {
        const scn_tok *t = &ps->toks[at[0]];
        if (!scn_parse_wall(ps, t->val, t->val_len, t->val_col,
                            &h.wall_epoch_s))
            return false;
    }
    if (at[1] >= 0) {
        const scn_tok *t = &ps->toks[at[1]];
        if (scn_eq(t->val, t->val_len, "trusted"))
            h.provenance = CAPTLS_CLOCK_TRUSTED;
        else if (!scn_eq(t->val, t->val_len, "untrusted"))
            return scn_fail(ps, t->val_col,
                            "expected clock=trusted or clock=untrusted");
    }
    sc->hosts = grow(ps, sc->hosts, sc->nhosts, &sc->hosts_cap,
                     sizeof(*sc->hosts), CAPTLS_SIM_SCN_MAX_HOSTS, "hosts");
    if (sc->hosts == NULL)
        return false;
    sc->hosts[sc->nhosts++] = h;
    return true;
}

static bool d_link(scn_parser *ps)
{
    static const char *const KEYS[] = {"latency", "jitter", "split",
                                       "bandwidth"};
    captls_sim_scenario *sc = ps->sc;
    int at[4];
    uint32_t a, b;
    scn_tok *ta = need(ps, 1, "two host names after 'link'");
    if (ta == NULL || !host_ref(ps, ta, &a))
        return false;
    scn_tok *tb = need(ps, 2, "a second host name");
    if (tb == NULL || !host_ref(ps, tb, &b))
        return false;
    if (a == b)
        return scn_fail(ps, tb->col,
                        "expected a different host: a link joins two hosts");
    for (size_t i = 0; i < sc->nlinks; i++) {
        const captls_sim_scn_link *l = &sc->links[i];
        if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
            return scn_fail(ps, ta->col,
                            "these hosts are already linked on line %u",
                            l->line);
    }
    if (!options(ps, 3, KEYS, 4, "link", at))
        return false;
    captls_sim_scn_link l = {a, b, CAPTLS_SIM_SCN_DEFAULT_LATENCY, 0, 0, 0,
                             ps->line};
    if (at[2] >= 0) {
        const scn_tok *t = &ps->toks[at[2]];
        uint64_t v;
        if (!scn_parse_uint(ps, t->val, t->val_len, t->val_col,
                            CAPTLS_SIM_STREAM_WINDOW,
                            "split=N: the most bytes per segment, 1..65536",
                            &v))
            return false;
        if (v == 0)
            return scn_fail(ps, t->val_col,
                            "expected split=N with N at least 1");
        l.split = (uint32_t)v;
    }
    if (at[3] >= 0) {
        const scn_tok *t = &ps->toks[at[3]];
        size_t len = t->val_len;
        uint64_t mult = 1, v;
        char u = len > 0 ? t->val[len - 1] : '\0';
        if (u == 'k' || u == 'M' || u == 'G') {
            mult = u == 'k' ? 1000u : u == 'M' ? 1000000u : 1000000000u;
            len--;
        }
        if (!scn_parse_uint(ps, t->val, len, t->val_col, 1000000000000ull / mult,
                            "bandwidth=N bytes per second (suffix k, M or "
                            "G; at most 1000G)",
                            &v))
            return false;
        if (v == 0)
            return scn_fail(ps, t->val_col, "expected a bandwidth above 0");
        l.bandwidth = v * mult;
    }
    if (at[0] >= 0 &&
        !scn_parse_duration(ps, ps->toks[at[0]].val, ps->toks[at[0]].val_len,
                            ps->toks[at[0]].val_col, &l.latency_ns))
        return false;
    if (at[1] >= 0 &&
        !scn_parse_duration(ps, ps->toks[at[1]].val, ps->toks[at[1]].val_len,
                            ps->toks[at[1]].val_col, &l.jitter_ns))
        return false;
    sc->links = grow(ps, sc->links, sc->nlinks, &sc->links_cap,
                     sizeof(*sc->links), CAPTLS_SIM_SCN_MAX_LINKS, "links");
    if (sc->links == NULL)
        return false;
    sc->links[sc->nlinks++] = l;
    return true;
}

static bool d_proc(scn_parser *ps, bool service)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX];
    captls_sim_scn_proc pr;
    memset(&pr, 0, sizeof(pr));
    pr.service = service;
    pr.line = ps->line;
    scn_tok *n = need(ps, 1, service ? "a service name after 'service'"
                                     : "a client name after 'client'");
    if (n == NULL || !name_tok(ps, n, "a process name"))
        return false;
    int32_t dup = proc_index(sc, n->text, n->len);
    if (dup >= 0)
        return scn_fail(ps, n->col,
                        "'%s' is already declared on line %u; expected a new "
                        "name",
                        scn_show(n->text, n->len, s, sizeof(s)),
                        sc->procs[dup].line);
    if (word_in(n, FAULTS) >= 0 || word_in(n, CHECKS) >= 0)
        return scn_fail(ps, n->col,
                        "'%s' is a reserved word (a fault or a check); "
                        "expected another name",
                        scn_show(n->text, n->len, s, sizeof(s)));
    pr.name = n->text;
    scn_tok *on = need(ps, 2, "'on HOST'");
    if (on == NULL || !keyword(ps, on, "on"))
        return false;
    scn_tok *h = need(ps, 3, "a host name after 'on'");
    if (h == NULL || !host_ref(ps, h, &pr.host))
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
        if (strcmp(pr.opts[j].key, "delay") == 0) {
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
                if (!cert_list(ps, t->val, t->val_len, t->val_col,
                               "anchors=CERT+CERT... (names declared "
                               "with 'cert')"))
                    return false;
            } else if (!in_list(t->val, t->val_len, ok)) {
                return scn_fail(ps, t->val_col, "expected %s",
                                pr.opts[j].key[0] == 'p'
                                    ? "policy=webPkiStrict, webPkiLenient, "
                                      "privateMtls or codeSigning"
                                    : "untrusted-clock=reject, lower-bound "
                                      "or as-trusted");
            }
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
    sc->procs = grow(ps, sc->procs, sc->nprocs, &sc->procs_cap,
                     sizeof(*sc->procs), CAPTLS_SIM_SCN_MAX_PROCS,
                     "services and clients");
    if (sc->procs == NULL)
        return false;
    sc->procs[sc->nprocs++] = pr;
    return true;
}

static bool d_grant(scn_parser *ps)
{
    captls_sim_scenario *sc = ps->sc;
    uint32_t svc, to;
    scn_tok *ts = need(ps, 1, "a service name after 'grant'");
    if (ts == NULL || !proc_ref(ps, ts, &svc))
        return false;
    if (!sc->procs[svc].service)
        return scn_fail(ps, ts->col,
                        "expected a service: '%s' is a client and serves "
                        "nothing",
                        sc->procs[svc].name);
    scn_tok *kw = need(ps, 2, "'to PROCESS'");
    if (kw == NULL || !keyword(ps, kw, "to"))
        return false;
    scn_tok *tt = need(ps, 3, "a process name after 'to'");
    if (tt == NULL || !proc_ref(ps, tt, &to))
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
        if (!no_more(ps, 5))
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
    sc->grants = grow(ps, sc->grants, sc->ngrants, &sc->grants_cap,
                      sizeof(*sc->grants), CAPTLS_SIM_SCN_MAX_GRANTS,
                      "grants");
    if (sc->grants == NULL)
        return false;
    captls_sim_scn_grant g = {svc, to, rights, ps->line};
    sc->grants[sc->ngrants++] = g;
    return true;
}

static void verb_list(const captls_sim_program *prog, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < prog->nverbs; i++) {
        strncat(out, prog->verbs[i].name, cap - strlen(out) - 1);
        if (i + 1 < prog->nverbs)
            strncat(out, ", ", cap - strlen(out) - 1);
    }
}

/* The service whose cap `t` names, as granted to proc; -1 if none. */
static int32_t granted(const captls_sim_scenario *sc, uint32_t proc,
                       const scn_tok *t)
{
    int32_t svc = proc_index(sc, t->text, t->len);
    for (size_t i = 0; svc >= 0 && i < sc->ngrants; i++) {
        if (sc->grants[i].to == proc && sc->grants[i].service == (uint32_t)svc)
            return svc;
    }
    return -1;
}

/* The service whose cap `t` names for proc: granted, or named by an
 * earlier action (a verb argument of kind 'N'); -1 if none. */
static int32_t held(const captls_sim_scenario *sc, uint32_t proc,
                    const scn_tok *t)
{
    int32_t svc = granted(sc, proc, t);
    for (size_t i = 0; svc < 0 && i < sc->ncapnames; i++) {
        if (sc->capnames[i].proc == proc &&
            scn_eq(t->text, t->len, sc->capnames[i].name))
            svc = (int32_t)sc->capnames[i].service;
    }
    return svc;
}

static int32_t cert_index(const captls_sim_scenario *sc, const char *p,
                          size_t len)
{
    for (size_t i = 0; i < sc->ncerts; i++) {
        if (scn_eq(p, len, sc->certs[i].name))
            return (int32_t)i;
    }
    return -1;
}

/* NAME+NAME... of certificates declared with `cert`. */
static bool cert_list(scn_parser *ps, const char *p, size_t len, unsigned col,
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
        if (cert_index(ps->sc, p + i, j - i) < 0)
            return scn_fail(ps, col + (unsigned)i,
                            "unknown certificate '%s'; expected one declared "
                            "earlier with 'cert NAME \"FILE\"'",
                            scn_show(p + i, j - i, s, sizeof(s)));
        i = j + 1;
    }
    return true;
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
        return cert_list(ps, t->text, t->len, t->col,
                         "certificate names joined by '+', like "
                         "leaf-a+int-a");
    if (kind == 'X') {
        if (scn_eq(t->text, t->len, "all"))
            return true;
        if (t->len > 5 && memcmp(t->text, "only:", 5) == 0)
            return cert_list(ps, t->text + 5, t->len - 5, t->col + 5,
                             "certificate names after 'only:'");
        if (t->len > 8 && memcmp(t->text, "exclude:", 8) == 0)
            return cert_list(ps, t->text + 8, t->len - 8, t->col + 8,
                             "certificate names after 'exclude:'");
        return scn_fail(ps, t->col, "expected a filter: all, only:CERTS or "
                        "exclude:CERTS (names joined by '+')");
    }
    if (kind == 'N') {
        if (!name_tok(ps, t, "a new cap name"))
            return false;
        if (held(sc, proc, t) >= 0 || proc_index(sc, t->text, t->len) >= 0)
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
        if (held(sc, proc, t) >= 0)
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
    if (!host_ref(ps, &host, &hi))
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
    sc->actions = grow(ps, sc->actions, sc->nactions, &sc->actions_cap,
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
        t = need(ps, 3, "a service or client name");
        if (t == NULL || !proc_ref(ps, t, &pi) || !no_more(ps, 4))
            return false;
        f->proc = sc->procs[pi].name;
        act->proc = pi;
        return push_action(ps, act);
    case 3: /* revoke PROC CAP */
        f->kind = CAPTLS_SIM_FAULT_REVOKE;
        t = need(ps, 3, "revoke PROC CAP");
        if (t == NULL || !proc_ref(ps, t, &pi))
            return false;
        t = need(ps, 4, "the name of a cap the process holds");
        if (t == NULL)
            return false;
        if (t->str || t->kv || granted(sc, pi, t) < 0) {
            char s[SHOW_MAX];
            return scn_fail(ps, t->col,
                            "'%s' holds no cap named '%s'; expected a cap "
                            "given with 'grant'",
                            sc->procs[pi].name,
                            scn_show(t->text, t->len, s, sizeof(s)));
        }
        if (!no_more(ps, 5))
            return false;
        f->proc = sc->procs[pi].name;
        f->cap = sc->procs[granted(sc, pi, t)].name;
        act->proc = pi;
        return push_action(ps, act);
    case 4: /* stall HOST HOST DUR */
        f->kind = CAPTLS_SIM_FAULT_STALL;
        t = need(ps, 3, "stall HOST HOST DURATION");
        if (t == NULL || !host_ref(ps, t, &hi))
            return false;
        t = need(ps, 4, "a second host name");
        if (t == NULL || !host_ref(ps, t, &hb))
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
        t = need(ps, 5, "how long the link stalls, like 50ms");
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
        if (!no_more(ps, 6))
            return false;
        f->host = sc->hosts[hi].name;
        f->host_b = sc->hosts[hb].name;
        return push_action(ps, act);
    default:
        break;
    }
    /* clock|entropy|store HOST WHAT [VALUE] */
    t = need(ps, 3, "a host name");
    if (t == NULL || !host_ref(ps, t, &hi))
        return false;
    f->host = sc->hosts[hi].name;
    scn_tok *w = need(ps, 4, which == 5   ? "jump +-DURATION, set TIME, "
                                            "trusted or untrusted"
                             : which == 6 ? "fail or ok"
                                          : "tear, full or ok");
    if (w == NULL)
        return false;
    if (which == 5 && !w->str && !w->kv && scn_eq(w->text, w->len, "jump")) {
        f->kind = CAPTLS_SIM_FAULT_CLOCK_JUMP;
        t = need(ps, 5, "a signed duration, like -3600s or +5ms");
        if (t == NULL || t->str || t->kv)
            return t == NULL ? false
                             : scn_fail(ps, t->col, "expected a duration");
        if (!scn_parse_signed_duration(ps, t->text, t->len, t->col, &f->value))
            return false;
        if (!no_more(ps, 6))
            return false;
        return push_action(ps, act);
    }
    if (which == 5 && !w->str && !w->kv && scn_eq(w->text, w->len, "set")) {
        f->kind = CAPTLS_SIM_FAULT_CLOCK_SET;
        t = need(ps, 5, "a time like 2027-01-01T00:00:00Z");
        if (t == NULL || t->str || t->kv)
            return t == NULL ? false
                             : scn_fail(ps, t->col, "expected a UTC time");
        if (!scn_parse_wall(ps, t->text, t->len, t->col, &f->value))
            return false;
        if (!no_more(ps, 6))
            return false;
        return push_action(ps, act);
    }
    static const char *const WORDS[3][4] = {
        {"trusted", "untrusted", NULL, NULL},
        {"fail", "ok", NULL, NULL},
        {"tear", "full", "ok", NULL},
    };
    int k = word_in(w, WORDS[which - 5]);
    if (k < 0) {
        char s[SHOW_MAX];
        return scn_fail(ps, w->col, "unknown %s fault '%s'; expected %s",
                        FAULTS[which], scn_show(w->text, w->len, s, sizeof(s)),
                        which == 5   ? "jump, set, trusted or untrusted"
                        : which == 6 ? "fail or ok"
                                     : "tear, full or ok");
    }
    if (!no_more(ps, 5))
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

static bool d_at(scn_parser *ps)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX], list[128];
    captls_sim_scn_action act;
    memset(&act, 0, sizeof(act));
    scn_tok *tt = need(ps, 1, "a time after 'at', like 5ms");
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
    scn_tok *tp = need(ps, 2, "a service or client name, or a fault (kill, "
                              "restart, reset, revoke, stall, clock, "
                              "entropy, store)");
    if (tp == NULL)
        return false;
    int which = word_in(tp, FAULTS);
    if (which >= 0)
        return d_fault(ps, &act, which);
    if (!proc_ref(ps, tp, &act.proc))
        return false;
    const captls_sim_program *prog = sc->procs[act.proc].prog;
    verb_list(prog, list, sizeof(list));
    scn_tok *tv = need(ps, 3, "an action");
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
        scn_tok *ta = need(ps, 4 + i, v->help);
        if (ta == NULL ||
            !arg_check(ps, act.proc, ta, v->args[i], v, cap_svc))
            return false;
        if (v->args[i] == 'C')
            cap_svc = held(sc, act.proc, ta);
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
        sc->capnames = grow(ps, sc->capnames, sc->ncapnames,
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

static bool push_expect(scn_parser *ps, const captls_sim_scn_expect *e)
{
    captls_sim_scenario *sc = ps->sc;
    sc->expects = grow(ps, sc->expects, sc->nexpects, &sc->expects_cap,
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
        t = need(ps, 2, "the text a transcript line holds, in quotes");
        if (t == NULL)
            return false;
        if (t->kv || t->len == 0 || memchr(t->text, '\n', t->len) != NULL)
            return scn_fail(ps, t->col, "expected non-empty \"text\" "
                            "without newlines (it is matched within one "
                            "line, as the transcript shows it)");
        if (!no_more(ps, 3))
            return false;
        e->value = (const uint8_t *)t->text;
        e->value_len = t->len;
        return push_expect(ps, e);
    case 2: /* audit EVENT [OUTCOME] */
        e->kind = CAPTLS_SIM_EXPECT_AUDIT;
        t = need(ps, 2, "an audit event name, like ipc.call.refused");
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
        if (!no_more(ps, 4))
            return false;
        return push_expect(ps, e);
    case 3: /* refused PROC CAP [REASON] */
        e->kind = CAPTLS_SIM_EXPECT_REFUSED;
        t = need(ps, 2, "refused PROC CAP");
        if (t == NULL || !proc_ref(ps, t, &e->proc))
            return false;
        t = need(ps, 3, "the name of a cap the process holds");
        if (t == NULL)
            return false;
        if (t->str || t->kv || held(sc, e->proc, t) < 0)
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
            if (word_in(t, WHY) < 0)
                return scn_fail(ps, t->col, "expected a reason: "
                                "no_authority, stale_handle, bad_handle or "
                                "wrong_interface");
            e->value = (const uint8_t *)t->text;
            e->value_len = t->len;
        }
        if (!no_more(ps, 5))
            return false;
        return push_expect(ps, e);
    default: /* no-crash, no-leak */
        e->kind = which == 4 ? CAPTLS_SIM_EXPECT_NO_CRASH
                             : CAPTLS_SIM_EXPECT_NO_LEAK;
        if (!no_more(ps, 2))
            return false;
        return push_expect(ps, e);
    }
}

static bool d_expect(scn_parser *ps)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX], list[160] = "";
    captls_sim_scn_expect e;
    memset(&e, 0, sizeof(e));
    e.line = ps->line;
    e.col = ps->toks[0].col;
    scn_tok *tp = need(ps, 1, "a service or client name after 'expect', or "
                              "transcript, absent, audit, refused, no-crash "
                              "or no-leak");
    if (tp == NULL)
        return false;
    int which = word_in(tp, CHECKS);
    if (which >= 0)
        return d_check(ps, &e, which);
    if (!proc_ref(ps, tp, &e.proc))
        return false;
    const captls_sim_program *prog = sc->procs[e.proc].prog;
    for (size_t i = 0; prog->facts != NULL && prog->facts[i] != NULL; i++) {
        strncat(list, prog->facts[i], sizeof(list) - strlen(list) - 1);
        if (prog->facts[i + 1] != NULL)
            strncat(list, ", ", sizeof(list) - strlen(list) - 1);
    }
    scn_tok *tf = need(ps, 2, "what to check, e.g. received");
    if (tf == NULL)
        return false;
    if (tf->kv || tf->str ||
        !captls_sim_program_has_fact(prog, tf->text, tf->len))
        return scn_fail(ps, tf->col,
                        "unknown fact '%s' for '%s' (program %s); expected "
                        "one of: %s",
                        scn_show(tf->text, tf->len, s, sizeof(s)),
                        sc->procs[e.proc].name, prog->name, list);
    scn_tok *tv = need(ps, 3, "the expected value, a word or \"text\"");
    if (tv == NULL)
        return false;
    if (tv->kv)
        return scn_fail(ps, tv->col,
                        "expected a word or \"text\"; quote text that holds "
                        "'='");
    if (!no_more(ps, 4))
        return false;
    e.fact = tf->text;
    e.value = (const uint8_t *)tv->text;
    e.value_len = tv->len;
    return push_expect(ps, &e);
}

static bool d_limit(scn_parser *ps)
{
    static const char *const KEYS[] = {"events", "time"};
    captls_sim_scenario *sc = ps->sc;
    int at[2];
    if (ps->ntoks < 2)
        return scn_fail(ps, ps->end_col, "expected events=N or time=DURATION");
    if (!options(ps, 1, KEYS, 2, "limit", at))
        return false;
    if (at[0] >= 0) {
        const scn_tok *t = &ps->toks[at[0]];
        if (!scn_parse_uint(ps, t->val, t->val_len, t->val_col,
                            CAPTLS_SIM_SCN_MAX_EVENTS, "a number of events",
                            &sc->max_events))
            return false;
        if (sc->max_events == 0)
            return scn_fail(ps, t->val_col, "expected at least 1 event");
    }
    if (at[1] >= 0) {
        const scn_tok *t = &ps->toks[at[1]];
        if (!scn_parse_duration(ps, t->val, t->val_len, t->val_col,
                                &sc->max_time_ns))
            return false;
        if (sc->max_time_ns == 0)
            return scn_fail(ps, t->val_col, "expected a time above 0");
    }
    return true;
}

/* `cert NAME "FILE"` */
static bool d_cert(scn_parser *ps)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX];
    scn_tok *n = need(ps, 1, "a certificate name after 'cert'");
    if (n == NULL || !name_tok(ps, n, "a certificate name"))
        return false;
    int32_t dup = cert_index(sc, n->text, n->len);
    if (dup >= 0)
        return scn_fail(ps, n->col,
                        "certificate '%s' is already declared on line %u; "
                        "expected a new name",
                        scn_show(n->text, n->len, s, sizeof(s)),
                        sc->certs[dup].line);
    scn_tok *f = need(ps, 2, "a DER file name, like \"pki/root-a.der\"");
    if (f == NULL)
        return false;
    if (f->kv || f->len == 0 || memchr(f->text, '\0', f->len) != NULL)
        return scn_fail(ps, f->col, "expected a DER file name, like "
                        "\"pki/root-a.der\"");
    if (!no_more(ps, 3))
        return false;
    sc->certs = grow(ps, sc->certs, sc->ncerts, &sc->certs_cap,
                     sizeof(*sc->certs), CAPTLS_SIM_SCN_MAX_CERTS,
                     "certificates");
    if (sc->certs == NULL)
        return false;
    captls_sim_scn_cert c = {n->text, f->text, NULL, 0, ps->line, f->col};
    sc->certs[sc->ncerts++] = c;
    return true;
}

static bool directive(scn_parser *ps)
{
    char s[SHOW_MAX];
    if (ps->ntoks == 0)
        return true;
    const scn_tok *t = &ps->toks[0];
    if (!t->str && !t->kv) {
        if (scn_eq(t->text, t->len, "host"))
            return d_host(ps);
        if (scn_eq(t->text, t->len, "link"))
            return d_link(ps);
        if (scn_eq(t->text, t->len, "cert"))
            return d_cert(ps);
        if (scn_eq(t->text, t->len, "service"))
            return d_proc(ps, true);
        if (scn_eq(t->text, t->len, "client"))
            return d_proc(ps, false);
        if (scn_eq(t->text, t->len, "grant"))
            return d_grant(ps);
        if (scn_eq(t->text, t->len, "at"))
            return d_at(ps);
        if (scn_eq(t->text, t->len, "expect"))
            return d_expect(ps);
        if (scn_eq(t->text, t->len, "limit"))
            return d_limit(ps);
    }
    return scn_fail(ps, t->col, "expected a directive (%s), not '%s'",
                    DIRECTIVES, scn_show(t->text, t->len, s, sizeof(s)));
}

/* ------------------------------------------------------------------ API */

void captls_sim_scenario_free(captls_sim_scenario *sc)
{
    if (sc == NULL)
        return;
    free(sc->hosts);
    free(sc->links);
    free(sc->procs);
    free(sc->grants);
    free(sc->actions);
    free(sc->expects);
    for (size_t i = 0; i < sc->ncerts; i++)
        free((void *)sc->certs[i].der);
    free(sc->certs);
    free(sc->capnames);
    free(sc->pool);
    free(sc);
}

captls_result captls_sim_scenario_parse(const uint8_t *text, size_t len,
                                        captls_sim_scenario **out,
                                        captls_sim_scn_error *err)
{
    scn_parser ps;
    captls_sim_scn_error spare;
    if (out == NULL || (text == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (err == NULL)
        err = &spare;
    memset(err, 0, sizeof(*err));
    memset(&ps, 0, sizeof(ps));
    ps.err = err;
    ps.line = 1;
    if (len > CAPTLS_SIM_SCN_MAX_BYTES) {
        scn_fail(&ps, 1, "expected a scenario of at most %u bytes",
                 CAPTLS_SIM_SCN_MAX_BYTES);
        return CAPTLS_ERR_MALFORMED;
    }
    ps.sc = calloc(1, sizeof(*ps.sc));
    if (ps.sc == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    /* Every token's copy is no longer than its source plus a NUL, and a
     * token is at least one byte: twice the input always suffices. */
    ps.sc->pool_cap = 2 * len + 16;
    ps.sc->pool = malloc(ps.sc->pool_cap);
    if (ps.sc->pool == NULL) {
        captls_sim_scenario_free(ps.sc);
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    }
    size_t pos = 0;
    while (pos < len && !ps.failed) {
        const uint8_t *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        size_t llen = end - pos;
        if (llen > 0 && text[pos + llen - 1] == '\r')
            llen--;
        if (llen > CAPTLS_SIM_SCN_MAX_LINE) {
            scn_fail(&ps, CAPTLS_SIM_SCN_MAX_LINE + 1,
                     "expected a line of at most %u bytes",
                     CAPTLS_SIM_SCN_MAX_LINE);
            break;
        }
        if (scn_lex_line(&ps, text + pos, llen))
            directive(&ps);
        pos = end + 1;
        if (!ps.failed)
            ps.line++;
    }
    if (ps.failed) {
        bool oom = ps.oom;
        captls_sim_scenario_free(ps.sc);
        return oom ? CAPTLS_ERR_LIMIT_EXCEEDED : CAPTLS_ERR_MALFORMED;
    }
    *out = ps.sc;
    return CAPTLS_OK;
}
