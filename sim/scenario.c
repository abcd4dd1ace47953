/* sim/scenario.c — the scenario parser's driver: splits the text into
 * lines, lexes each (scenario_lex.c) and hands it to its directive, stops
 * at the first error, and owns the parsed scenario's memory. See
 * scenario.h for the contract and sim/SCENARIOS.md for the format; the
 * directives live in scenario_{world,procs,actions,expect}.c, each
 * checking its names against what earlier lines declared. */
#include <stdlib.h>
#include <string.h>

#include "sim/scenario_internal.h"

static const char *const DIRECTIVES =
    "host, link, cert, key, service, client, grant, at, expect or limit";

static bool directive(scn_parser *ps)
{
    char s[SHOW_MAX];
    if (ps->ntoks == 0)
        return true;
    const scn_tok *t = &ps->toks[0];
    if (!t->str && !t->kv) {
        if (scn_eq(t->text, t->len, "host"))
            return scn_d_host(ps);
        if (scn_eq(t->text, t->len, "link"))
            return scn_d_link(ps);
        if (scn_eq(t->text, t->len, "cert"))
            return scn_d_cert(ps);
        if (scn_eq(t->text, t->len, "key"))
            return scn_d_key(ps);
        if (scn_eq(t->text, t->len, "service"))
            return scn_d_proc(ps, true);
        if (scn_eq(t->text, t->len, "client"))
            return scn_d_proc(ps, false);
        if (scn_eq(t->text, t->len, "grant"))
            return scn_d_grant(ps);
        if (scn_eq(t->text, t->len, "at"))
            return scn_d_at(ps);
        if (scn_eq(t->text, t->len, "expect"))
            return scn_d_expect(ps);
        if (scn_eq(t->text, t->len, "limit"))
            return scn_d_limit(ps);
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
