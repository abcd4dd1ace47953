/* Shared option parsing, files and trust for the TLS programs — see
 * tls_options.h. */
#include "port/posix/tls_options.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/ct.h"
#include "core/base/pem.h"
#include "core/base/sanitize.h"
#include "core/tls/key_signer.h"
#include "core/tls/pem_chain.h"
#include "core/x509/certificate.h"
#include "port/posix/posix_port.h"
#include "port/posix/mozilla_roots.h"

/* Largest file read: a CA bundle is ~220 KB; 16 MiB bounds a mistaken
 * argument without limiting real inputs (as captls verify). */
#define MAX_FILE (16u * 1024u * 1024u)

static void shown(const char *s, char *out, size_t cap)
{
    (void)captls_sanitize((const uint8_t *)s, strlen(s), out, cap);
}

/* ---- option values ------------------------------------------------------ */

void captls_tlsopt_common_init(captls_tlsopt_common *o)
{
    memset(o, 0, sizeof(*o));
    captls_cipher_policy_preset_init(&o->policy, CAPTLS_CIPHER_POLICY_MODERN);
}

bool captls_tlsopt_parse_uint(const char *s, unsigned long lo,
                              unsigned long hi, unsigned long *out)
{
    char *end = NULL;
    unsigned long v;

    if (s == NULL || s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* "h2,http/1.1" or "h2:http/1.1": each name 1..32 bytes of printable
 * ASCII, at most CAPTLS_TLS_MAX_ALPN, no repeats. */
static bool parse_alpn(captls_tlsopt_common *o, const char *list, char *err,
                       size_t errcap)
{
    char names[CAPTLS_TLS_MAX_ALPN][CAPTLS_TLS_MAX_ALPN_LEN + 1];
    size_t count = 0;
    const char *p = list;
    char s[96];

    shown(list, s, sizeof(s));
    for (;;) {
        size_t n = strcspn(p, ",:");
        if (n == 0 || n > CAPTLS_TLS_MAX_ALPN_LEN) {
            snprintf(err, errcap,
                     "--alpn: empty or longer than %u bytes name in '%s'",
                     CAPTLS_TLS_MAX_ALPN_LEN, s);
            return false;
        }
        if (count == CAPTLS_TLS_MAX_ALPN) {
            snprintf(err, errcap, "--alpn: more than %u names in '%s'",
                     CAPTLS_TLS_MAX_ALPN, s);
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            if (p[i] < 0x21 || p[i] > 0x7e) {
                snprintf(err, errcap, "--alpn: non-printable byte in '%s'", s);
                return false;
            }
        }
        memcpy(names[count], p, n);
        names[count][n] = '\0';
        for (size_t i = 0; i < count; i++) {
            if (strcmp(names[i], names[count]) == 0) {
                snprintf(err, errcap, "--alpn: repeated name in '%s'", s);
                return false;
            }
        }
        count++;
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    memcpy(o->alpn_store, names, sizeof(names));
    o->alpn_count = count;
    return true;
}

static bool policy_list(captls_tlsopt_common *o, const char *opt,
                        const char *list, char *err, size_t errcap)
{
    captls_result r;
    char s[96];

    if (strcmp(opt, "--suites") == 0)
        r = captls_cipher_policy_set_suites(&o->policy, list);
    else
        r = captls_cipher_policy_set_groups(&o->policy, list);
    if (r == CAPTLS_OK)
        return true;
    shown(list, s, sizeof(s));
    if (r == CAPTLS_ERR_UNSUPPORTED)
        snprintf(err, errcap, "%s: unknown name in '%s'", opt, s);
    else
        snprintf(err, errcap, "%s: empty, repeated or too long list '%s' (%s)",
                 opt, s, captls_result_name(r));
    return false;
}

int captls_tlsopt_common_option(captls_tlsopt_common *o, const char *opt,
                                const char *val, char *err, size_t errcap)
{
    bool takes_value = strcmp(opt, "--alpn") == 0 ||
                       strcmp(opt, "--suites") == 0 ||
                       strcmp(opt, "--groups") == 0 ||
                       strcmp(opt, "--record-size-limit") == 0;

    if (strcmp(opt, "--key-update") == 0) {
        o->key_update = true;
        return 1;
    }
    if (!takes_value)
        return 0;
    if (val == NULL) {
        snprintf(err, errcap, "%s needs a value", opt);
        return -1;
    }
    if (strcmp(opt, "--alpn") == 0) {
        if (!parse_alpn(o, val, err, errcap))
            return -1;
    } else if (strcmp(opt, "--record-size-limit") == 0) {
        unsigned long n;
        /* RFC 8449 §4: a value below 64 is illegal_parameter; TLS 1.3
         * allows up to 2^14 + 1 (the extra byte is the content type). */
        if (!captls_tlsopt_parse_uint(val, 64, 16385, &n)) {
            char s[64];
            shown(val, s, sizeof(s));
            snprintf(err, errcap, "--record-size-limit: '%s' is not in "
                     "64..16385", s);
            return -1;
        }
        o->record_size_limit = (uint16_t)n;
    } else if (!policy_list(o, opt, val, err, errcap)) {
        return -1;
    }
    return 2;
}

void captls_tlsopt_apply(const captls_tlsopt_common *o,
                         captls_tls_common_config *out)
{
    out->policy = o->policy;
    out->alpn_count = o->alpn_count;
    for (size_t i = 0; i < o->alpn_count; i++)
        out->alpn[i] = o->alpn_store[i];
    out->record_size_limit = o->record_size_limit;
}

bool captls_tlsopt_split_hostport(const char *s, char *host, size_t hostcap,
                                  char *port, size_t portcap, char *err,
                                  size_t errcap)
{
    const char *colon;
    const char *h = s;
    size_t hlen;
    unsigned long pn;
    char sh[96];

    shown(s, sh, sizeof(sh));
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':') {
            snprintf(err, errcap, "bad address '%s' (want [V6]:PORT)", sh);
            return false;
        }
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL) {
            snprintf(err, errcap, "bad address '%s' (want HOST:PORT)", sh);
            return false;
        }
        hlen = (size_t)(colon - s);
        if (memchr(s, ':', hlen) != NULL) {
            snprintf(err, errcap,
                     "bad address '%s' (write IPv6 as [V6]:PORT)", sh);
            return false;
        }
    }
    if (hlen == 0 || hlen >= hostcap) {
        snprintf(err, errcap, "bad host in '%s'", sh);
        return false;
    }
    if (!captls_tlsopt_parse_uint(colon + 1, 0, 65535, &pn) ||
        strlen(colon + 1) >= portcap) {
        snprintf(err, errcap, "bad port in '%s' (0..65535)", sh);
        return false;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, portcap, "%lu", pn);
    return true;
}

const char *captls_tlsopt_scheme_name(uint16_t scheme)
{
    return scheme == 0 ? "none" : captls_tls_scheme_name(scheme);
}

/* ---- files ---------------------------------------------------------------- */

bool captls_tlsopt_read_file(const char *path, uint8_t **data, size_t *len,
                             char *err, size_t errcap)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    char sp[160];

    shown(path, sp, sizeof(sp));
    if (fp == NULL) {
        snprintf(err, errcap, "%s: cannot read: %s", sp, strerror(errno));
        return false;
    }
    for (;;) {
        size_t got;
        if (n + 1 >= cap) {
            uint8_t *bigger;
            if (cap >= MAX_FILE) {
                snprintf(err, errcap, "%s: larger than 16 MiB", sp);
                goto fail;
            }
            cap = cap == 0 ? 8192 : cap * 2;
            bigger = realloc(buf, cap);
            if (bigger == NULL) {
                snprintf(err, errcap, "%s: out of memory", sp);
                goto fail;
            }
            buf = bigger;
        }
        got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        snprintf(err, errcap, "%s: cannot read: %s", sp, strerror(errno));
        goto fail;
    }
    if (n == 0) {
        snprintf(err, errcap, "%s: empty file", sp);
        goto fail;
    }
    fclose(fp);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return true;
fail:
    fclose(fp);
    free(buf);
    return false;
}

/* ---- identity (--cert / --key) ----------------------------------------- */

struct captls_tlsopt_identity {
    captls_posix_entropy_ctx entropy_ctx; /* RSA-PSS salts */
    captls_tls_key_signer key;            /* secret: never freed, wiped at exit */
    captls_tls_signer signer;
    captls_tls_chain chain;               /* borrows der */
    captls_tls_chain_source source;
    uint8_t *der;
    uint8_t *ocsp; /* stapled OCSPResponse (--ocsp), or NULL */
};

bool captls_tlsopt_identity_load(const char *cert_path, const char *key_path,
                                 captls_tlsopt_identity **out, char *err,
                                 size_t errcap)
{
    captls_tlsopt_identity *id = calloc(1, sizeof(*id));
    uint8_t *pem = NULL, *scratch = NULL;
    size_t len = 0, used = 0;
    captls_entropy entropy;
    captls_certificate leaf;
    captls_result r;
    char sp[160];

    if (id == NULL) {
        snprintf(err, errcap, "out of memory");
        return false;
    }
    /* the chain: every CERTIFICATE block, leaf first */
    if (!captls_tlsopt_read_file(cert_path, &pem, &len, err, errcap))
        goto fail;
    shown(cert_path, sp, sizeof(sp));
    id->der = malloc(len); /* DER is shorter than its base64 */
    if (id->der == NULL) {
        snprintf(err, errcap, "%s: out of memory", sp);
        goto fail;
    }
    r = captls_tls_pem_chain_parse(pem, len, id->der, len, &id->chain, &used);
    free(pem);
    pem = NULL;
    if (r != CAPTLS_OK) {
        snprintf(err, errcap, "%s: %s", sp,
                 r == CAPTLS_ERR_NOT_FOUND ? "no CERTIFICATE block"
                 : r == CAPTLS_ERR_LIMIT_EXCEEDED
                     ? "more than 8 certificates in the chain"
                     : captls_result_name(r));
        goto fail;
    }
    r = captls_certificate_parse(&leaf, id->chain.certs[0].ptr,
                                 id->chain.certs[0].len, NULL);
    if (r != CAPTLS_OK) {
        snprintf(err, errcap, "%s: the first certificate does not parse (%s)",
                 sp, captls_result_name(r));
        goto fail;
    }
    captls_tls_static_chain_source(&id->chain, &id->source);

    /* the key */
    if (!captls_tlsopt_read_file(key_path, &pem, &len, err, errcap))
        goto fail;
    shown(key_path, sp, sizeof(sp));
    scratch = malloc(CAPTLS_TLS_KEY_SIGNER_SCRATCH);
    if (scratch == NULL) {
        snprintf(err, errcap, "%s: out of memory", sp);
        goto fail;
    }
    captls_posix_entropy_init(&id->entropy_ctx, &entropy);
    r = captls_tls_key_signer_load_pem(&id->key, pem, len, entropy, scratch,
                                       CAPTLS_TLS_KEY_SIGNER_SCRATCH);
    captls_zeroize(pem, len);
    free(pem);
    pem = NULL;
    free(scratch);
    scratch = NULL;
    if (r != CAPTLS_OK) {
        snprintf(err, errcap, "%s: cannot load the private key (%s)%s", sp,
                 captls_result_name(r),
                 r == CAPTLS_ERR_UNSUPPORTED
                     ? ": Ed25519, P-256 and RSA 2048..4096 keys are supported"
                     : "");
        goto fail;
    }
    if (!captls_tls_key_signer_matches(&id->key, &leaf)) {
        char sc[160];
        shown(cert_path, sc, sizeof(sc));
        snprintf(err, errcap,
                 "%s does not match the certificate of %s (key/certificate "
                 "mismatch)", sp, sc);
        captls_tls_key_signer_destroy(&id->key);
        goto fail;
    }
    captls_tls_key_signer_iface(&id->key, &id->signer);
    *out = id;
    return true;
fail:
    if (pem != NULL)
        captls_zeroize(pem, len);
    free(pem);
    free(scratch);
    free(id->der);
    free(id);
    return false;
}

void captls_tlsopt_identity_free(captls_tlsopt_identity *id)
{
    if (id == NULL)
        return;
    captls_tls_key_signer_destroy(&id->key);
    captls_zeroize(&id->signer, sizeof(id->signer));
    free(id->der);
    free(id->ocsp);
    free(id);
}

void captls_tlsopt_trust_fini(captls_tlsopt_trust *t)
{
    free(t->anchor_slots);
    free(t->arena);
    free(t->certs);
    free(t->der);
    memset(t, 0, sizeof(*t));
}

const captls_tls_signer *captls_tlsopt_identity_signer(
    const captls_tlsopt_identity *id)
{
    return &id->signer;
}

const captls_tls_chain_source *captls_tlsopt_identity_chain(
    const captls_tlsopt_identity *id)
{
    return &id->source;
}

bool captls_tlsopt_identity_staple(captls_tlsopt_identity *id,
                                   const char *ocsp_path, char *err,
                                   size_t errcap)
{
    uint8_t *der = NULL;
    size_t len = 0;
    char sp[160];

    if (!captls_tlsopt_read_file(ocsp_path, &der, &len, err, errcap))
        return false;
    shown(ocsp_path, sp, sizeof(sp));
    /* RFC 6960 §4.2.1: an OCSPResponse is a DER SEQUENCE; a PEM or text
     * file here is a mistake worth naming. */
    if (len < 2 || der[0] != 0x30) {
        snprintf(err, errcap, "%s: not a DER OCSP response", sp);
        free(der);
        return false;
    }
    free(id->ocsp);
    id->ocsp = der;
    id->chain.ocsp_response.ptr = der;
    id->chain.ocsp_response.len = len;
    return true;
}

/* ---- trust ---------------------------------------------------------------- */

/* Every CERTIFICATE block of a PEM file, parsed into heap memory that
 * lives for the program (the store borrows the DER). */
static bool load_pem_certs(const char *path, captls_certificate **certs_out,
                           uint8_t **der_out, size_t *count_out, char *err,
                           size_t errcap)
{
    uint8_t *data = NULL, *der;
    size_t len = 0, pos = 0, total = 0, nblocks = 0, used = 0, count = 0;
    captls_certificate *certs;
    captls_pem_block b;
    captls_result r;
    char sp[160];

    if (!captls_tlsopt_read_file(path, &data, &len, err, errcap))
        return false;
    shown(path, sp, sizeof(sp));
    while ((r = captls_pem_next(data, len, &pos, &b)) == CAPTLS_OK) {
        if (captls_pem_label_is(&b, "CERTIFICATE")) {
            nblocks++;
            total += b.decoded_len;
        }
    }
    if (r != CAPTLS_EOF) {
        snprintf(err, errcap, "%s: bad PEM at byte %zu (%s)", sp, pos,
                 captls_result_name(r));
        free(data);
        return false;
    }
    if (nblocks == 0) {
        snprintf(err, errcap, "%s: no CERTIFICATE block", sp);
        free(data);
        return false;
    }
    if (nblocks > CAPTLS_TRUST_MAX_ANCHORS) {
        snprintf(err, errcap, "%s: more than %u certificates", sp,
                 CAPTLS_TRUST_MAX_ANCHORS);
        free(data);
        return false;
    }
    certs = calloc(nblocks, sizeof(*certs));
    der = malloc(total);
    if (certs == NULL || der == NULL) {
        snprintf(err, errcap, "%s: out of memory", sp);
        free(data);
        free(certs);
        free(der);
        return false;
    }
    pos = 0;
    while (captls_pem_next(data, len, &pos, &b) == CAPTLS_OK) {
        size_t n = 0;
        if (!captls_pem_label_is(&b, "CERTIFICATE"))
            continue;
        r = captls_pem_decode(&b, der + used, total - used, &n);
        if (r == CAPTLS_OK)
            r = captls_certificate_parse(&certs[count], der + used, n, NULL);
        if (r != CAPTLS_OK) {
            snprintf(err, errcap, "%s: certificate %zu: %s", sp, count + 1,
                     captls_result_name(r));
            free(data);
            free(certs);
            free(der);
            return false;
        }
        used += n;
        count++;
    }
    free(data); /* the certificates borrow der, not the PEM text */
    *certs_out = certs;
    *der_out = der;
    *count_out = count;
    return true;
}

bool captls_tlsopt_trust_init(captls_tlsopt_trust *t, const char *roots_path,
                              const captls_clock *clock, char *err,
                              size_t errcap)
{
    static captls_certificate moz_cert;
    static captls_verification_policy moz_policy;
    captls_certificate *file_certs = NULL;
    const captls_verification_policy *policy;
    size_t n;
    uint32_t purposes;
    const char *what = roots_path != NULL ? roots_path : "mozilla roots";
    const char *why = NULL;

    memset(t, 0, sizeof(*t));
    if (roots_path != NULL) {
        if (!load_pem_certs(roots_path, &file_certs, &t->der, &n, err,
                            errcap))
            return false;
        t->certs = file_certs;
        purposes = 0; /* as each root's EKU allows */
        policy = captls_policy_web_pki_lenient();
    } else {
        n = captls_mozilla_roots_count;
        purposes = CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_SERVER_AUTH);
        /* See the header: SCTs and OCSP are not evaluated yet, so the
         * strict preset's demands for them would fail every chain. */
        moz_policy = *captls_policy_web_pki_strict();
        moz_policy.min_scts = 0;
        moz_policy.require_ocsp = false;
        moz_policy.name = "webPkiStrict-noCT";
        policy = &moz_policy;
    }
    if (n == 0 || n > CAPTLS_TRUST_MAX_ANCHORS) {
        snprintf(err, errcap, "%s: %zu roots (1..%u)", what, n,
                 CAPTLS_TRUST_MAX_ANCHORS);
        return false;
    }
    size_t arena_len = CAPTLS_TLS_PEER_TRUST_ARENA(n);
    t->anchor_slots = calloc(n, sizeof(*t->anchor_slots));
    t->arena = malloc(arena_len);
    if (t->anchor_slots == NULL || t->arena == NULL ||
        captls_tls_peer_trust_init(&t->pt, policy, clock, t->anchor_slots, n,
                                   t->arena, arena_len, &why) != CAPTLS_OK) {
        snprintf(err, errcap, "%s: %s", what,
                 why != NULL ? why : "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const captls_certificate *c;
        bool added;
        if (file_certs != NULL) {
            c = &file_certs[i];
        } else if (captls_certificate_parse(&moz_cert,
                                            captls_mozilla_roots[i].der,
                                            captls_mozilla_roots[i].len,
                                            NULL) == CAPTLS_OK) {
            c = &moz_cert; /* its DER is static: borrowing is safe */
        } else {
            continue; /* a root our strict parser refuses cannot anchor */
        }
        captls_result r = captls_tls_peer_trust_add(&t->pt, c, purposes,
                                                    &added, &why);
        if (r != CAPTLS_OK) {
            snprintf(err, errcap, "%s: root %zu: %s (%s)", what, i + 1, why,
                     captls_result_name(r));
            return false;
        }
    }
    if (captls_tls_peer_trust_finish(&t->pt, clock, NULL, &why) != CAPTLS_OK) {
        snprintf(err, errcap, "%s: %s", what, why);
        return false;
    }
    return true;
}

/* ---- key log -------------------------------------------------------------- */

static void keylog_write(void *ctx, const char *label,
                         const uint8_t client_random[32],
                         const uint8_t *secret, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    int fd = (int)(intptr_t)ctx;
    char line[64 + 1 + 64 + 1 + 2 * 64 + 2];
    size_t n = strlen(label), off;

    if (n > 64 || len > 64)
        return;
    memcpy(line, label, n);
    off = n;
    line[off++] = ' ';
    for (size_t i = 0; i < 32; i++) {
        line[off++] = hex[client_random[i] >> 4];
        line[off++] = hex[client_random[i] & 15];
    }
    line[off++] = ' ';
    for (size_t i = 0; i < len; i++) {
        line[off++] = hex[secret[i] >> 4];
        line[off++] = hex[secret[i] & 15];
    }
    line[off++] = '\n';
    /* one write per line: O_APPEND keeps lines whole between processes */
    if (write(fd, line, off) != (ssize_t)off) {
        /* a debugging aid only: nothing to report to */
    }
    memset(line, 0, sizeof(line));
}

bool captls_tlsopt_keylog_from_env(captls_tls_common_config *cfg, char *err,
                                   size_t errcap)
{
    const char *path = getenv("SSLKEYLOGFILE");
    int fd;

    if (path == NULL || path[0] == '\0')
        return true;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        char sp[160];
        shown(path, sp, sizeof(sp));
        snprintf(err, errcap, "SSLKEYLOGFILE %s: %s", sp, strerror(errno));
        return false;
    }
    cfg->keylog = keylog_write;
    cfg->keylog_ctx = (void *)(intptr_t)fd;
    return true;
}
