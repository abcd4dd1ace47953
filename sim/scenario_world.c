/* sim/scenario_world.c — the directives that set up the simulated world:
 * `host` (wall clock, provenance, skew, drift), `link` (latency, jitter,
 * segment split, bandwidth), `cert` (a DER file the parser only records;
 * scenario_certs.c loads it) and `limit` (event and time budgets). See
 * scenario.h for the contract and sim/SCENARIOS.md for the format. */
#include <string.h>

#include "sim/scenario_internal.h"

bool scn_d_host(scn_parser *ps)
{
    static const char *const KEYS[] = {"wall", "clock", "skew", "drift"};
    captls_sim_scenario *sc = ps->sc;
    int at[4];
    char s[SHOW_MAX];
    scn_tok *n = scn_need(ps, 1, "a host name after 'host'");
    if (n == NULL || !scn_name_tok(ps, n, "a host name"))
        return false;
    int32_t dup = scn_host_index(sc, n);
    if (dup >= 0)
        return scn_fail(ps, n->col,
                        "host '%s' is already declared on line %u; expected "
                        "a new name",
                        scn_show(n->text, n->len, s, sizeof(s)),
                        sc->hosts[dup].line);
    if (!scn_options(ps, 2, KEYS, 4, "host", at))
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
    sc->hosts = scn_grow(ps, sc->hosts, sc->nhosts, &sc->hosts_cap,
                         sizeof(*sc->hosts), CAPTLS_SIM_SCN_MAX_HOSTS,
                         "hosts");
    if (sc->hosts == NULL)
        return false;
    sc->hosts[sc->nhosts++] = h;
    return true;
}

bool scn_d_link(scn_parser *ps)
{
    static const char *const KEYS[] = {"latency", "jitter", "split",
                                       "bandwidth"};
    captls_sim_scenario *sc = ps->sc;
    int at[4];
    uint32_t a, b;
    scn_tok *ta = scn_need(ps, 1, "two host names after 'link'");
    if (ta == NULL || !scn_host_ref(ps, ta, &a))
        return false;
    scn_tok *tb = scn_need(ps, 2, "a second host name");
    if (tb == NULL || !scn_host_ref(ps, tb, &b))
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
    if (!scn_options(ps, 3, KEYS, 4, "link", at))
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
        if (!scn_parse_uint(ps, t->val, len, t->val_col,
                            1000000000000ull / mult,
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
    sc->links = scn_grow(ps, sc->links, sc->nlinks, &sc->links_cap,
                         sizeof(*sc->links), CAPTLS_SIM_SCN_MAX_LINKS,
                         "links");
    if (sc->links == NULL)
        return false;
    sc->links[sc->nlinks++] = l;
    return true;
}

bool scn_d_limit(scn_parser *ps)
{
    static const char *const KEYS[] = {"events", "time"};
    captls_sim_scenario *sc = ps->sc;
    int at[2];
    if (ps->ntoks < 2)
        return scn_fail(ps, ps->end_col, "expected events=N or time=DURATION");
    if (!scn_options(ps, 1, KEYS, 2, "limit", at))
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

/* `cert NAME "FILE"` and `key NAME "FILE"`: one table, one namespace. */
static bool der_file(scn_parser *ps, bool key)
{
    captls_sim_scenario *sc = ps->sc;
    char s[SHOW_MAX];
    scn_tok *n = scn_need(ps, 1, key ? "a key name after 'key'"
                                     : "a certificate name after 'cert'");
    if (n == NULL ||
        !scn_name_tok(ps, n, key ? "a key name" : "a certificate name"))
        return false;
    int32_t dup = scn_cert_index(sc, n->text, n->len);
    if (dup >= 0)
        return scn_fail(ps, n->col,
                        "certificate or key '%s' is already declared on "
                        "line %u; expected a new name",
                        scn_show(n->text, n->len, s, sizeof(s)),
                        sc->certs[dup].line);
    scn_tok *f = scn_need(ps, 2, "a DER file name, like \"pki/root-a.der\"");
    if (f == NULL)
        return false;
    if (f->kv || f->len == 0 || memchr(f->text, '\0', f->len) != NULL)
        return scn_fail(ps, f->col, "expected a DER file name, like "
                        "\"pki/root-a.der\"");
    if (!scn_no_more(ps, 3))
        return false;
    sc->certs = scn_grow(ps, sc->certs, sc->ncerts, &sc->certs_cap,
                         sizeof(*sc->certs), CAPTLS_SIM_SCN_MAX_CERTS,
                         "certificates");
    if (sc->certs == NULL)
        return false;
    captls_sim_scn_cert c = {n->text, f->text, NULL, 0, ps->line, f->col};
    sc->certs[sc->ncerts++] = c;
    return true;
}

bool scn_d_cert(scn_parser *ps)
{
    return der_file(ps, false);
}

/* A DER private key (PKCS#8) for a program's key= option: a test key of
 * the simulator's PKI, loaded like a certificate. */
bool scn_d_key(scn_parser *ps)
{
    return der_file(ps, true);
}
