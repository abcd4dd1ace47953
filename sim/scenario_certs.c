/* sim/scenario_certs.c — loads the files of a scenario's `cert` lines.
 * See scenario.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "sim/scenario.h"

static captls_result cert_fail(captls_sim_scn_error *err,
                               const captls_sim_scn_cert *c,
                               captls_result r, const char *why)
{
    char shown[96];
    captls_sanitize((const uint8_t *)c->path, strlen(c->path), shown,
                    sizeof(shown));
    err->line = c->line;
    err->col = c->col;
    snprintf(err->msg, sizeof(err->msg), "cannot load certificate %s: %s",
             shown, why);
    for (char *m = err->msg; *m != '\0'; m++) {
        if (*m < 0x20 || *m > 0x7E)
            *m = '?';
    }
    return r;
}

captls_result captls_sim_scenario_load_certs(captls_sim_scenario *sc,
                                             const char *scenario_path,
                                             captls_sim_scn_error *err)
{
    captls_sim_scn_error spare;
    char path[4096];
    size_t dir = 0;
    if (sc == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (err == NULL)
        err = &spare;
    memset(err, 0, sizeof(*err));
    if (scenario_path != NULL) {
        const char *slash = strrchr(scenario_path, '/');
        if (slash != NULL)
            dir = (size_t)(slash - scenario_path) + 1;
    }
    for (size_t i = 0; i < sc->ncerts; i++) {
        captls_sim_scn_cert *c = &sc->certs[i];
        if (c->der != NULL)
            continue;
        bool absolute = c->path[0] == '/';
        size_t plen = strlen(c->path);
        if ((absolute ? 0 : dir) + plen + 1 > sizeof(path))
            return cert_fail(err, c, CAPTLS_ERR_MALFORMED,
                             "expected a shorter path");
        size_t used = 0;
        if (!absolute && dir > 0) {
            memcpy(path, scenario_path, dir);
            used = dir;
        }
        memcpy(path + used, c->path, plen + 1);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            return cert_fail(err, c, CAPTLS_ERR_IO, strerror(errno));
        uint8_t *buf = malloc(CAPTLS_SIM_SCN_MAX_CERT_BYTES + 1);
        if (buf == NULL) {
            fclose(f);
            return cert_fail(err, c, CAPTLS_ERR_LIMIT_EXCEEDED,
                             "out of memory");
        }
        size_t n = fread(buf, 1, CAPTLS_SIM_SCN_MAX_CERT_BYTES + 1, f);
        bool bad = ferror(f) != 0;
        fclose(f);
        if (bad || n == 0 || n > CAPTLS_SIM_SCN_MAX_CERT_BYTES || buf[0] != 0x30) {
            free(buf);
            return cert_fail(err, c, bad ? CAPTLS_ERR_IO : CAPTLS_ERR_MALFORMED,
                             bad ? "read error"
                                 : "expected a DER certificate (a SEQUENCE) "
                                   "of at most 65536 bytes");
        }
        c->der = buf;
        c->len = n;
    }
    return CAPTLS_OK;
}
