/* Fuzz harness: X.509 certificate parser (core/x509/) and the text of
 * names and OIDs (core/x509/name_text.c).
 *
 * Properties beyond "no crash": a rejected input leaves the certificate
 * all zero (no partially parsed field survives) and records a failure
 * inside the input; an accepted input spans the whole input, every slice of
 * the parsed certificate lies inside it, counts stay within their maxima,
 * parsing is deterministic, and the name/OID/text helpers and
 * captls_x509_name_equal (reflexive, symmetric) run on whatever was
 * accepted. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/x509/certificate.h"
#include "core/x509/name_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static captls_certificate c, c2;
static const uint8_t *lo, *hi;

static void inside(captls_slice s)
{
    if (s.len != 0 && (s.ptr < lo || s.ptr + s.len > hi))
        abort();
}

static void inside_all(const captls_slice *s, size_t n, size_t max)
{
    if (n > max)
        abort();
    for (size_t i = 0; i < n; i++)
        inside(s[i]);
}

static void names(const captls_general_name *g, size_t n, size_t max,
                  bool constraint)
{
    if (n > max)
        abort();
    for (size_t i = 0; i < n; i++) {
        inside(g[i].value);
        if (g[i].type == CAPTLS_GN_DIRECTORY) {
            captls_x509_name dn;
            if (captls_general_name_directory(&g[i], &dn) != CAPTLS_OK)
                abort(); /* validated at parse time */
            if (!captls_x509_name_equal(&dn, &dn))
                abort();
        }
        if (constraint && g[i].type == CAPTLS_GN_IP) {
            captls_slice a, m;
            if (captls_general_name_ip_constraint(&g[i], &a, &m) != CAPTLS_OK)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_der_error err;
    lo = data;
    hi = data + size;
    memset(&c, 0xA5, sizeof(c));
    captls_result r = captls_certificate_parse(&c, data, size, &err);
    if (r != CAPTLS_OK) {
        const uint8_t *p = (const uint8_t *)&c;
        for (size_t i = 0; i < sizeof(c); i++)
            if (p[i] != 0)
                abort();
        if (err.code != r || err.offset > size || err.reason == NULL)
            abort();
        return 0;
    }
    if (c.der.ptr != data || c.der.len != size)
        abort();
    inside(c.tbs);
    inside(c.signature);
    inside(c.sig.oid);
    inside(c.sig.der);
    inside(c.serial);
    inside(c.issuer.raw);
    inside(c.subject.raw);
    inside(c.spki_raw);
    inside(c.spki_alg_oid);
    inside(c.key.spki);
    inside(c.key.rsa_n);
    inside(c.key.point);
    inside(c.ski);
    inside(c.aki_key_id);
    inside(c.aki_issuer);
    inside(c.scts);
    if (c.version != 1 && c.version != 3)
        abort();
    if (c.ext_count > CAPTLS_X509_MAX_EXTENSIONS)
        abort();
    for (size_t i = 0; i < c.ext_count; i++) {
        inside(c.ext[i].oid);
        inside(c.ext[i].value);
        for (size_t j = 0; j < i; j++)
            if (c.ext[j].oid.len == c.ext[i].oid.len &&
                memcmp(c.ext[j].oid.ptr, c.ext[i].oid.ptr, c.ext[i].oid.len) == 0)
                abort(); /* duplicates are refused */
    }
    inside_all(c.unknown_critical, c.unknown_critical_count,
               CAPTLS_X509_MAX_UNKNOWN_CRITICAL);
    inside_all(c.eku, c.eku_count, CAPTLS_X509_MAX_EKUS);
    inside_all(c.policies, c.policy_count, CAPTLS_X509_MAX_POLICIES);
    inside_all(c.crldp, c.crldp_count, CAPTLS_X509_MAX_CRLDP_URIS);
    inside_all(c.ocsp, c.ocsp_count, CAPTLS_X509_MAX_AIA_URIS);
    inside_all(c.ca_issuers, c.ca_issuers_count, CAPTLS_X509_MAX_AIA_URIS);
    names(c.san, c.san_count, CAPTLS_X509_MAX_SANS, false);
    names(c.nc_permitted, c.nc_permitted_count, CAPTLS_X509_MAX_SUBTREES, true);
    names(c.nc_excluded, c.nc_excluded_count, CAPTLS_X509_MAX_SUBTREES, true);

    /* deterministic */
    if (captls_certificate_parse(&c2, data, size, NULL) != CAPTLS_OK ||
        memcmp(&c, &c2, sizeof(c)) != 0)
        abort();

    /* names: equality laws and text */
    if (!captls_x509_name_equal(&c.subject, &c.subject) ||
        captls_x509_name_equal(&c.subject, &c.issuer) !=
            captls_x509_name_equal(&c.issuer, &c.subject))
        abort();
    static char buf[512];
    captls_text t;
    captls_text_init(&t, buf, sizeof(buf));
    captls_x509_name_append(&t, &c.subject);
    captls_x509_name_append(&t, &c.issuer);
    captls_x509_name_cn_append(&t, &c.subject);
    for (size_t i = 0; i < c.ext_count; i++)
        captls_oid_append(&t, c.ext[i].oid);
    for (size_t i = 0; i < c.san_count; i++)
        captls_x509_bytes_append(&t, c.san[i].value);
    if (strlen(buf) >= sizeof(buf))
        abort();
    uint8_t fp[CAPTLS_HASH_MAX_SIZE];
    size_t fl;
    if (captls_certificate_fingerprint(&c, CAPTLS_HASH_SHA256, fp, &fl) !=
            CAPTLS_OK ||
        fl != 32)
        abort();
    return 0;
}
