/* See guest_config.h for the container format and the checks. */
#include "core/bridge/guest_config.h"

#include <stdbool.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/base/pem.h"

static const uint8_t MAGIC[8] = {'C', 'A', 'P', 'T', 'L', 'S', 'G', 'C'};

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

captls_result captls_guest_config_parse(const uint8_t *m, size_t len,
                                        captls_guest_config *out,
                                        const char **why)
{
    captls_guest_config cfg;
    size_t off = CAPTLS_GUEST_CONFIG_HEADER;
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = "config: no module (boot with -initrd <config>)";
    if (m == NULL || len == 0 || out == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    *why = "config: module larger than 256 KiB";
    if (len > CAPTLS_GUEST_CONFIG_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    *why = "config: not a captls guest config (bad magic)";
    if (len < CAPTLS_GUEST_CONFIG_HEADER || memcmp(m, MAGIC, 8) != 0)
        return CAPTLS_ERR_MALFORMED;
    *why = "config: unsupported container version";
    if (m[8] != 1)
        return CAPTLS_ERR_UNSUPPORTED;
    *why = "config: header must name exactly 5 parts";
    if (m[9] != CAPTLS_GUEST_CONFIG_PARTS || m[10] != 0 || m[11] != 0)
        return CAPTLS_ERR_MALFORMED;
    memset(&cfg, 0, sizeof cfg);
    for (unsigned i = 0; i < CAPTLS_GUEST_CONFIG_PARTS; i++) {
        uint8_t type;
        uint32_t plen;
        *why = "config: truncated part header";
        if (len - off < CAPTLS_GUEST_CONFIG_PART_HEADER)
            return CAPTLS_ERR_MALFORMED;
        type = m[off];
        plen = get32(m + off + 4);
        *why = "config: unknown part type";
        if (type < 1 || type > CAPTLS_GUEST_CONFIG_PARTS || m[off + 1] != 0 ||
            m[off + 2] != 0 || m[off + 3] != 0)
            return CAPTLS_ERR_MALFORMED;
        *why = "config: a part appears twice";
        if (cfg.part[type - 1] != NULL)
            return CAPTLS_ERR_MALFORMED;
        *why = "config: empty or oversized part";
        if (plen == 0 || plen > CAPTLS_GUEST_CONFIG_PART_MAX)
            return CAPTLS_ERR_MALFORMED;
        off += CAPTLS_GUEST_CONFIG_PART_HEADER;
        *why = "config: part runs past the end of the module";
        if (len - off < plen)
            return CAPTLS_ERR_MALFORMED;
        cfg.part[type - 1] = m + off;
        cfg.part_len[type - 1] = plen;
        off += plen;
    }
    *why = "config: trailing bytes after the last part";
    if (off != len)
        return CAPTLS_ERR_MALFORMED;
    *out = cfg;
    *why = "config: ok";
    return CAPTLS_OK;
}

/* Parses every CERTIFICATE block of a PEM part (anything else in it is
 * refused); *count blocks. With leaf_last the part's first certificate is
 * parsed again at the end, so w->cert holds it. */
static captls_result parse_certs(const uint8_t *p, size_t n,
                                 captls_guest_config_work *w, size_t *count,
                                 bool leaf_last)
{
    size_t pos = 0, dlen;
    captls_pem_block b;
    captls_der_error derr;
    captls_result r;

    *count = 0;
    while ((r = captls_pem_next(p, n, &pos, &b)) == CAPTLS_OK) {
        if (!captls_pem_label_is(&b, "CERTIFICATE"))
            return CAPTLS_ERR_MALFORMED;
        CAPTLS_TRY(captls_pem_decode(&b, w->der, sizeof w->der, &dlen));
        CAPTLS_TRY(captls_certificate_parse(&w->cert, w->der, dlen, &derr));
        (*count)++;
    }
    if (r != CAPTLS_EOF)
        return r;
    if (*count == 0)
        return CAPTLS_ERR_NOT_FOUND;
    if (leaf_last && *count > 1) {
        pos = 0;
        CAPTLS_TRY(captls_pem_next(p, n, &pos, &b));
        CAPTLS_TRY(captls_pem_decode(&b, w->der, sizeof w->der, &dlen));
        CAPTLS_TRY(captls_certificate_parse(&w->cert, w->der, dlen, &derr));
    }
    return CAPTLS_OK;
}

captls_result captls_guest_config_check(const captls_guest_config *cfg,
                                        captls_entropy entropy,
                                        uint32_t min_iterations,
                                        captls_guest_config_work *w,
                                        const char **why)
{
    captls_parse_error perr;
    captls_result r;
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = "config: internal error (no config or workspace)";
    if (cfg == NULL || w == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (unsigned i = 0; i < CAPTLS_GUEST_CONFIG_PARTS; i++) {
        if (cfg->part[i] == NULL) {
            *why = "config: a part is missing";
            return CAPTLS_ERR_NOT_FOUND;
        }
    }
    w->nmap = w->nusers = w->nchain = w->nca = 0;

    /* The client CA first, so w->cert ends up holding the chain's leaf. */
    r = parse_certs(cfg->part[CAPTLS_GC_CLIENT_CA - 1],
                    cfg->part_len[CAPTLS_GC_CLIENT_CA - 1], w, &w->nca, false);
    if (r != CAPTLS_OK) {
        *why = "config: client CA: not a PEM list of parseable certificates";
        return r;
    }
    r = parse_certs(cfg->part[CAPTLS_GC_CHAIN - 1],
                    cfg->part_len[CAPTLS_GC_CHAIN - 1], w, &w->nchain, true);
    if (r != CAPTLS_OK) {
        *why = "config: chain: not a PEM list of parseable certificates";
        return r;
    }
    r = captls_tls_key_signer_load_pem(&w->signer, cfg->part[CAPTLS_GC_KEY - 1],
                                       cfg->part_len[CAPTLS_GC_KEY - 1],
                                       entropy, w->scratch, sizeof w->scratch);
    if (r != CAPTLS_OK) {
        *why = "config: key: not a usable PEM private key";
        captls_zeroize(w->scratch, sizeof w->scratch);
        return r;
    }
    /* RFC 8446 4.4.2.4: CertificateVerify is made with the private key
     * of the end-entity certificate sent: the pair must match. */
    if (!captls_tls_key_signer_matches(&w->signer, &w->cert)) {
        captls_tls_key_signer_destroy(&w->signer);
        *why = "config: key does not match the chain's leaf certificate";
        return CAPTLS_ERR_INVALID_KEY;
    }
    captls_tls_key_signer_destroy(&w->signer);
    r = captls_client_map_parse((const char *)cfg->part[CAPTLS_GC_CLIENT_MAP - 1],
                                cfg->part_len[CAPTLS_GC_CLIENT_MAP - 1], w->map,
                                CAPTLS_GUEST_CONFIG_MAX_MAP, &w->nmap, &perr);
    if (r != CAPTLS_OK) {
        *why = "config: client map: does not parse";
        return r;
    }
    r = captls_users_parse((const char *)cfg->part[CAPTLS_GC_USERS - 1],
                           cfg->part_len[CAPTLS_GC_USERS - 1], min_iterations,
                           w->users, CAPTLS_GUEST_CONFIG_MAX_USERS, &w->nusers,
                           &perr);
    if (r != CAPTLS_OK) {
        *why = "config: users: does not parse";
        return r;
    }
    *why = "config: ok";
    return CAPTLS_OK;
}

captls_result captls_guest_config_encode(
    const uint8_t *const parts[CAPTLS_GUEST_CONFIG_PARTS],
    const size_t lens[CAPTLS_GUEST_CONFIG_PARTS], uint8_t *out, size_t cap,
    size_t *len)
{
    size_t total = CAPTLS_GUEST_CONFIG_HEADER, off;
    if (parts == NULL || lens == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (unsigned i = 0; i < CAPTLS_GUEST_CONFIG_PARTS; i++) {
        if (parts[i] == NULL || lens[i] == 0 ||
            lens[i] > CAPTLS_GUEST_CONFIG_PART_MAX)
            return CAPTLS_ERR_INVALID_ARGUMENT;
        total += CAPTLS_GUEST_CONFIG_PART_HEADER + lens[i];
    }
    if (total > CAPTLS_GUEST_CONFIG_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    *len = total;
    if (out == NULL || cap < total)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(out, MAGIC, 8);
    out[8] = 1;
    out[9] = CAPTLS_GUEST_CONFIG_PARTS;
    out[10] = out[11] = 0;
    off = CAPTLS_GUEST_CONFIG_HEADER;
    for (unsigned i = 0; i < CAPTLS_GUEST_CONFIG_PARTS; i++) {
        out[off] = (uint8_t)(i + 1);
        out[off + 1] = out[off + 2] = out[off + 3] = 0;
        put32(out + off + 4, (uint32_t)lens[i]);
        memcpy(out + off + CAPTLS_GUEST_CONFIG_PART_HEADER, parts[i], lens[i]);
        off += CAPTLS_GUEST_CONFIG_PART_HEADER + lens[i];
    }
    return CAPTLS_OK;
}

void captls_guest_config_wipe_key(uint8_t *module, const captls_guest_config *cfg)
{
    const uint8_t *k;
    if (module == NULL || cfg == NULL || (k = cfg->part[CAPTLS_GC_KEY - 1]) == NULL)
        return;
    captls_zeroize(module + (k - module), cfg->part_len[CAPTLS_GC_KEY - 1]);
}
