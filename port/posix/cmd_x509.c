/* `captls x509 show`. See cmd_x509.h. */
#include "port/posix/cmd_x509.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/pem.h"
#include "core/base/sanitize.h"
#include "core/base/text.h"
#include "core/x509/certificate.h"
#include "core/x509/name_text.h"

enum { X_OK = 0, X_USAGE = 2, X_BAD_INPUT = 2 };

/* Files above this are refused: a bundle of every public root is ~200 KiB. */
#define MAX_FILE (16u << 20)
/* Certificates per file: Debian's bundle has ~150. */
#define MAX_CERTS 4096u

typedef struct item {
    uint8_t *der;
    size_t len;
    captls_certificate cert;
} item;

/* One text scratch buffer: every printed field goes through it. Long enough
 * for any name or SAN list we print on one line; longer text is cut (the
 * builder never overflows). */
static char scratch[65536];

static void say_error(const char *file, size_t index, const char *what)
{
    char f[512];
    (void)captls_sanitize((const uint8_t *)file, strlen(file), f, sizeof(f));
    if (index != 0)
        printf("error: %s: certificate %zu: %s\n", f, index, what);
    else
        printf("error: %s: %s\n", f, what);
    fflush(stdout);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = malloc(MAX_FILE + 1);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    size_t n = fread(buf, 1, MAX_FILE + 1, f);
    bool bad = ferror(f) || n > MAX_FILE;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* ---- small formatters -------------------------------------------------- */

/* RFC 3339 / ISO 8601 UTC from epoch seconds (civil_from_days, H. Hinnant). */
static void iso_time(captls_text *t, int64_t s)
{
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t rem = s - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    captls_text_u64_padded(t, (uint64_t)y, 4);
    captls_text_str(t, "-");
    captls_text_u64_padded(t, (uint64_t)m, 2);
    captls_text_str(t, "-");
    captls_text_u64_padded(t, (uint64_t)d, 2);
    captls_text_str(t, "T");
    captls_text_u64_padded(t, (uint64_t)(rem / 3600), 2);
    captls_text_str(t, ":");
    captls_text_u64_padded(t, (uint64_t)(rem / 60 % 60), 2);
    captls_text_str(t, ":");
    captls_text_u64_padded(t, (uint64_t)(rem % 60), 2);
    captls_text_str(t, "Z");
}

static void hex_colon(captls_text *t, captls_slice s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (i != 0)
            captls_text_str(t, ":");
        captls_text_hex(t, s.ptr + i, 1);
    }
}

static void ip_text(captls_text *t, const uint8_t *p, size_t n)
{
    if (n == 4) {
        for (size_t i = 0; i < 4; i++) {
            if (i != 0)
                captls_text_str(t, ".");
            captls_text_u64(t, p[i]);
        }
        return;
    }
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned v = (unsigned)p[i] << 8 | p[i + 1];
        char b[5];
        size_t k = 0;
        bool started = false;
        for (int sh = 12; sh >= 0; sh -= 4) {
            unsigned d = (v >> sh) & 15u;
            if (d != 0 || started || sh == 0) {
                b[k++] = hx[d];
                started = true;
            }
        }
        if (i != 0)
            captls_text_str(t, ":");
        captls_text_mem(t, b, k);
    }
}

static const char *gn_label(captls_general_name_type type)
{
    static const char *const names[] = {"othername", "email", "DNS", "X400",
                                        "DirName",   "EdiParty", "URI", "IP",
                                        "RegisteredID"};
    return (unsigned)type < 9 ? names[type] : "?";
}

/* "TYPE:value" of a general name (constraint: IP as addr/mask). */
static void gn_text(captls_text *t, const captls_general_name *g, bool label)
{
    if (label) {
        captls_text_str(t, gn_label(g->type));
        captls_text_str(t, ":");
    }
    switch (g->type) {
    case CAPTLS_GN_IP:
        if (g->value.len == 8 || g->value.len == 32) {
            ip_text(t, g->value.ptr, g->value.len / 2);
            captls_text_str(t, "/");
            ip_text(t, g->value.ptr + g->value.len / 2, g->value.len / 2);
        } else {
            ip_text(t, g->value.ptr, g->value.len);
        }
        break;
    case CAPTLS_GN_DIRECTORY: {
        captls_x509_name n;
        if (captls_general_name_directory(g, &n) == CAPTLS_OK)
            captls_x509_name_append(t, &n);
        break;
    }
    case CAPTLS_GN_REGISTERED_ID:
        captls_oid_append(t, g->value);
        break;
    case CAPTLS_GN_RFC822:
    case CAPTLS_GN_DNS:
    case CAPTLS_GN_URI:
        captls_x509_bytes_append(t, g->value);
        break;
    default:
        captls_text_str(t, "#");
        captls_text_hex(t, g->value.ptr, g->value.len);
        break;
    }
}

static const char *const ku_names[9] = {
    "digitalSignature", "nonRepudiation", "keyEncipherment",
    "dataEncipherment", "keyAgreement",   "keyCertSign",
    "cRLSign",          "encipherOnly",   "decipherOnly"};

static const char *key_type_name(const captls_certificate *c)
{
    switch (c->key.type) {
    case CAPTLS_KEY_RSA: return "rsaEncryption";
    case CAPTLS_KEY_RSA_PSS: return "rsassaPss";
    case CAPTLS_KEY_EC_P256: return "id-ecPublicKey prime256v1 (P-256)";
    case CAPTLS_KEY_EC_P384: return "id-ecPublicKey secp384r1 (P-384)";
    case CAPTLS_KEY_ED25519: return "ED25519";
    case CAPTLS_KEY_X25519: return "X25519";
    default: return NULL;
    }
}

static void sig_text(captls_text *t, const captls_x509_sig_info *s)
{
    if (s->alg == CAPTLS_X509_SIG_UNKNOWN) {
        captls_oid_append(t, s->oid);
        captls_text_str(t, " (unsupported)");
        return;
    }
    captls_text_str(t, captls_x509_sig_alg_name(s->alg));
    if (s->alg == CAPTLS_X509_SIG_RSA_PSS && !s->weak) {
        static const char *const h[] = {"?", "sha256", "sha384", "sha512"};
        captls_text_str(t, " (hash ");
        captls_text_str(t, h[s->hash <= 3 ? s->hash : 0]);
        captls_text_str(t, ", mgf1 ");
        captls_text_str(t, h[s->mgf1_hash <= 3 ? s->mgf1_hash : 0]);
        captls_text_str(t, ", salt ");
        captls_text_u64(t, s->salt_len);
        captls_text_str(t, ")");
    }
    if (s->weak)
        captls_text_str(t, " (weak)");
}

/* The builder keeps scratch NUL-terminated; overlong text is cut. */
static const char *T(captls_text *t)
{
    return t->buf;
}

#define BEGIN(t) captls_text_init(&(t), scratch, sizeof(scratch))

/* ---- readable output ---------------------------------------------------- */

static void ext_body_text(const captls_certificate *c,
                          const captls_x509_extension *x)
{
    captls_text t;
    BEGIN(t);
    const char *name = captls_oid_short_name(x->oid);
    name = name != NULL ? name : "";
    if (strcmp(name, "subjectAltName") == 0) {
        for (size_t i = 0; i < c->san_count; i++) {
            if (i != 0)
                captls_text_str(&t, ", ");
            gn_text(&t, &c->san[i], true);
        }
    } else if (strcmp(name, "keyUsage") == 0) {
        bool first = true;
        for (unsigned i = 0; i < 9; i++)
            if (c->key_usage & (1u << i)) {
                captls_text_str(&t, first ? "" : ", ");
                captls_text_str(&t, ku_names[i]);
                first = false;
            }
    } else if (strcmp(name, "extKeyUsage") == 0) {
        for (size_t i = 0; i < c->eku_count; i++) {
            if (i != 0)
                captls_text_str(&t, ", ");
            captls_oid_append(&t, c->eku[i]);
        }
    } else if (strcmp(name, "basicConstraints") == 0) {
        captls_text_str(&t, c->bc_ca ? "CA:TRUE" : "CA:FALSE");
        if (c->bc_pathlen_present) {
            captls_text_str(&t, ", pathlen:");
            captls_text_u64(&t, c->bc_pathlen);
        }
    } else if (strcmp(name, "nameConstraints") == 0) {
        for (size_t i = 0; i < c->nc_permitted_count; i++) {
            captls_text_str(&t, i == 0 ? "permitted: " : ", ");
            gn_text(&t, &c->nc_permitted[i], true);
        }
        for (size_t i = 0; i < c->nc_excluded_count; i++) {
            captls_text_str(&t, i == 0 ? (c->nc_permitted_count ? "; excluded: "
                                                                 : "excluded: ")
                                       : ", ");
            gn_text(&t, &c->nc_excluded[i], true);
        }
    } else if (strcmp(name, "subjectKeyIdentifier") == 0) {
        hex_colon(&t, c->ski);
    } else if (strcmp(name, "authorityKeyIdentifier") == 0) {
        if (c->aki_key_id.len != 0) {
            captls_text_str(&t, "keyid:");
            hex_colon(&t, c->aki_key_id);
        }
        if (c->aki_serial.len != 0) {
            captls_text_str(&t, " serial:");
            hex_colon(&t, c->aki_serial);
        }
    } else if (strcmp(name, "certificatePolicies") == 0) {
        for (size_t i = 0; i < c->policy_count; i++) {
            if (i != 0)
                captls_text_str(&t, ", ");
            captls_oid_append(&t, c->policies[i]);
        }
    } else if (strcmp(name, "cRLDistributionPoints") == 0) {
        for (size_t i = 0; i < c->crldp_count; i++) {
            captls_text_str(&t, i == 0 ? "URI:" : ", URI:");
            captls_x509_bytes_append(&t, c->crldp[i]);
        }
    } else if (strcmp(name, "authorityInfoAccess") == 0) {
        for (size_t i = 0; i < c->ocsp_count; i++) {
            captls_text_str(&t, t.len ? ", OCSP - URI:" : "OCSP - URI:");
            captls_x509_bytes_append(&t, c->ocsp[i]);
        }
        for (size_t i = 0; i < c->ca_issuers_count; i++) {
            captls_text_str(&t, t.len ? ", CA Issuers - URI:" : "CA Issuers - URI:");
            captls_x509_bytes_append(&t, c->ca_issuers[i]);
        }
    } else if (strcmp(name, "tlsFeature") == 0) {
        captls_text_str(&t, c->must_staple ? "status_request (must-staple)" : "(no status_request)");
    } else if (strcmp(name, "ctPrecertificateScts") == 0) {
        captls_text_str(&t, "SignedCertificateTimestampList, ");
        captls_text_u64(&t, c->scts.len);
        captls_text_str(&t, " bytes");
    } else {
        captls_text_str(&t, "#");
        captls_text_hex(&t, x->value.ptr, x->value.len > 64 ? 64 : x->value.len);
        if (x->value.len > 64)
            captls_text_str(&t, "...");
    }
    printf("            %s\n", T(&t));
}

static void show_text(size_t index, const captls_certificate *c)
{
    captls_text t;
    printf("Certificate %zu:\n", index);
    printf("    Version: %u\n", c->version);
    BEGIN(t);
    hex_colon(&t, c->serial);
    if (c->serial_negative)
        captls_text_str(&t, " (negative)");
    if (c->serial_zero)
        captls_text_str(&t, " (zero)");
    if (c->serial_too_long)
        captls_text_str(&t, " (longer than 20 octets)");
    printf("    Serial Number: %s\n", T(&t));
    BEGIN(t);
    sig_text(&t, &c->sig);
    printf("    Signature Algorithm: %s\n", T(&t));
    BEGIN(t);
    captls_x509_name_append(&t, &c->issuer);
    printf("    Issuer: %s\n", T(&t));
    printf("    Validity:\n");
    BEGIN(t);
    iso_time(&t, c->not_before);
    printf("        Not Before: %s\n", T(&t));
    BEGIN(t);
    iso_time(&t, c->not_after);
    printf("        Not After:  %s\n", T(&t));
    BEGIN(t);
    captls_x509_name_append(&t, &c->subject);
    printf("    Subject: %s\n", T(&t));
    printf("    Subject Public Key Info:\n");
    const char *kt = key_type_name(c);
    BEGIN(t);
    if (kt != NULL) {
        captls_text_str(&t, kt);
        if (c->key.type == CAPTLS_KEY_RSA || c->key.type == CAPTLS_KEY_RSA_PSS) {
            captls_text_str(&t, " (");
            captls_text_u64(&t, c->key.rsa_bits);
            captls_text_str(&t, " bit)");
        }
    } else {
        captls_oid_append(&t, c->spki_alg_oid);
        captls_text_str(&t, " (unsupported: ");
        captls_text_str(&t, captls_result_name(c->key_status));
        captls_text_str(&t, ")");
    }
    printf("        Algorithm: %s\n", T(&t));
    BEGIN(t);
    if (c->key.type == CAPTLS_KEY_RSA || c->key.type == CAPTLS_KEY_RSA_PSS) {
        captls_text_str(&t, "modulus ");
        captls_text_hex(&t, c->key.rsa_n.ptr, c->key.rsa_n.len);
        captls_text_str(&t, ", exponent ");
        captls_text_hex(&t, c->key.rsa_e.ptr, c->key.rsa_e.len);
    } else if (kt != NULL) {
        captls_text_hex(&t, c->key.point.ptr, c->key.point.len);
    } else {
        captls_text_hex(&t, c->spki_raw.ptr, c->spki_raw.len);
    }
    printf("        Public Key: %s\n", T(&t));
    if (c->ext_count != 0)
        printf("    Extensions:\n");
    for (size_t i = 0; i < c->ext_count; i++) {
        const captls_x509_extension *x = &c->ext[i];
        BEGIN(t);
        captls_oid_append(&t, x->oid);
        printf("        %s%s%s\n", T(&t), x->critical ? " (critical)" : "",
               (!x->handled && x->critical) ? " [unrecognised critical]" : "");
        ext_body_text(c, x);
    }
    if (c->time_nonconforming)
        printf("    Note: GeneralizedTime before 2050 (RFC 5280 §4.1.2.5)\n");
    BEGIN(t);
    captls_text_hex(&t, c->signature.ptr, c->signature.len);
    printf("    Signature: %s\n", T(&t));
    uint8_t fp[CAPTLS_HASH_MAX_SIZE];
    size_t fl = 0;
    if (captls_certificate_fingerprint(c, CAPTLS_HASH_SHA256, fp, &fl) == CAPTLS_OK) {
        BEGIN(t);
        captls_slice s = {fp, fl};
        hex_colon(&t, s);
        printf("    SHA-256 Fingerprint: %s\n", T(&t));
    }
}

/* ---- JSON ------------------------------------------------------------------ */

/* Prints s (already escaped printable ASCII) as a JSON string. */
static void js(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void jkey(const char *k, bool first)
{
    printf("%s\"%s\":", first ? "" : ",", k);
}

static void jslices(const char *k, const captls_slice *s, size_t n, bool oid)
{
    captls_text t;
    jkey(k, false);
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        BEGIN(t);
        if (oid)
            captls_oid_append(&t, s[i]);
        else
            captls_x509_bytes_append(&t, s[i]);
        if (i != 0)
            putchar(',');
        js(T(&t));
    }
    putchar(']');
}

static void jnames(const char *k, const captls_general_name *g, size_t n)
{
    captls_text t;
    jkey(k, false);
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"type\":", i ? "," : "");
        js(gn_label(g[i].type));
        printf(",\"value\":");
        BEGIN(t);
        gn_text(&t, &g[i], false);
        js(T(&t));
        putchar('}');
    }
    putchar(']');
}

static void show_json(const captls_certificate *c)
{
    captls_text t;
    printf("{\"version\":%u", c->version);
    BEGIN(t);
    captls_text_hex(&t, c->serial.ptr, c->serial.len);
    jkey("serial", false);
    js(T(&t));
    printf(",\"serialNegative\":%s,\"serialTooLong\":%s",
           c->serial_negative ? "true" : "false",
           c->serial_too_long ? "true" : "false");
    BEGIN(t);
    sig_text(&t, &c->sig);
    jkey("signatureAlgorithm", false);
    js(T(&t));
    printf(",\"signatureWeak\":%s", c->sig.weak ? "true" : "false");
    BEGIN(t);
    captls_x509_name_append(&t, &c->issuer);
    jkey("issuer", false);
    js(T(&t));
    BEGIN(t);
    captls_x509_name_append(&t, &c->subject);
    jkey("subject", false);
    js(T(&t));
    BEGIN(t);
    iso_time(&t, c->not_before);
    jkey("notBefore", false);
    js(T(&t));
    BEGIN(t);
    iso_time(&t, c->not_after);
    jkey("notAfter", false);
    js(T(&t));
    printf(",\"notBeforeEpoch\":%lld,\"notAfterEpoch\":%lld",
           (long long)c->not_before, (long long)c->not_after);
    const char *kt = key_type_name(c);
    BEGIN(t);
    if (kt != NULL)
        captls_text_str(&t, kt);
    else
        captls_oid_append(&t, c->spki_alg_oid);
    printf(",\"publicKey\":{\"algorithm\":");
    js(T(&t));
    printf(",\"supported\":%s,\"bits\":%u", kt ? "true" : "false",
           (unsigned)(c->key.type == CAPTLS_KEY_RSA || c->key.type == CAPTLS_KEY_RSA_PSS
                          ? c->key.rsa_bits
                      : c->key.type == CAPTLS_KEY_EC_P256 ? 256
                      : c->key.type == CAPTLS_KEY_EC_P384 ? 384
                      : c->key.type == CAPTLS_KEY_ED25519 ? 256 : 0));
    BEGIN(t);
    captls_text_hex(&t, c->spki_raw.ptr, c->spki_raw.len);
    jkey("spki", false);
    js(T(&t));
    putchar('}');
    jnames("subjectAltNames", c->san, c->san_count);
    jkey("keyUsage", false);
    if (c->key_usage_present) {
        putchar('[');
        bool first = true;
        for (unsigned i = 0; i < 9; i++)
            if (c->key_usage & (1u << i)) {
                printf("%s\"%s\"", first ? "" : ",", ku_names[i]);
                first = false;
            }
        putchar(']');
    } else {
        printf("null");
    }
    if (c->eku_present)
        jslices("extendedKeyUsage", c->eku, c->eku_count, true);
    else
        printf(",\"extendedKeyUsage\":null");
    jkey("basicConstraints", false);
    if (c->bc_present) {
        printf("{\"ca\":%s,\"critical\":%s", c->bc_ca ? "true" : "false",
               c->bc_critical ? "true" : "false");
        if (c->bc_pathlen_present)
            printf(",\"pathLen\":%u", c->bc_pathlen);
        putchar('}');
    } else {
        printf("null");
    }
    jkey("nameConstraints", false);
    if (c->nc_present) {
        printf("{\"critical\":%s", c->nc_critical ? "true" : "false");
        jnames("permitted", c->nc_permitted, c->nc_permitted_count);
        jnames("excluded", c->nc_excluded, c->nc_excluded_count);
        putchar('}');
    } else {
        printf("null");
    }
    BEGIN(t);
    captls_text_hex(&t, c->ski.ptr, c->ski.len);
    jkey("subjectKeyId", false);
    if (c->ski_present)
        js(T(&t));
    else
        printf("null");
    BEGIN(t);
    captls_text_hex(&t, c->aki_key_id.ptr, c->aki_key_id.len);
    jkey("authorityKeyId", false);
    if (c->aki_present && c->aki_key_id.len)
        js(T(&t));
    else
        printf("null");
    jslices("certificatePolicies", c->policies, c->policy_count, true);
    jslices("crlDistributionPoints", c->crldp, c->crldp_count, false);
    jslices("ocsp", c->ocsp, c->ocsp_count, false);
    jslices("caIssuers", c->ca_issuers, c->ca_issuers_count, false);
    printf(",\"embeddedSctListBytes\":%zu,\"mustStaple\":%s",
           c->scts_present ? c->scts.len : (size_t)0,
           c->must_staple ? "true" : "false");
    jkey("extensions", false);
    putchar('[');
    for (size_t i = 0; i < c->ext_count; i++) {
        BEGIN(t);
        captls_oid_append_dotted(&t, c->ext[i].oid);
        printf("%s{\"oid\":", i ? "," : "");
        js(T(&t));
        const char *n = captls_oid_short_name(c->ext[i].oid);
        printf(",\"name\":");
        if (n)
            js(n);
        else
            printf("null");
        printf(",\"critical\":%s,\"recognised\":%s}",
               c->ext[i].critical ? "true" : "false",
               c->ext[i].handled ? "true" : "false");
    }
    putchar(']');
    jslices("unknownCriticalExtensions", c->unknown_critical,
            c->unknown_critical_count, true);
    printf(",\"timeNonconforming\":%s", c->time_nonconforming ? "true" : "false");
    uint8_t fp[CAPTLS_HASH_MAX_SIZE];
    size_t fl = 0;
    if (captls_certificate_fingerprint(c, CAPTLS_HASH_SHA256, fp, &fl) == CAPTLS_OK) {
        BEGIN(t);
        captls_text_hex(&t, fp, fl);
        jkey("sha256Fingerprint", false);
        js(T(&t));
    }
    putchar('}');
}

/* ---- command ----------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: captls x509 show FILE [--json]\n");
    return X_USAGE;
}

static int show(const char *file, bool json)
{
    size_t len = 0;
    uint8_t *in = read_all(file, &len);
    if (in == NULL) {
        say_error(file, 0, "cannot read the file (missing, unreadable or over 16 MiB)");
        return X_BAD_INPUT;
    }
    item *items = calloc(MAX_CERTS, sizeof(item));
    uint8_t *ders = malloc(len + 1);
    size_t count = 0, used = 0;
    int rc = X_OK;
    char msg[256];
    if (items == NULL || ders == NULL) {
        say_error(file, 0, "out of memory");
        rc = X_BAD_INPUT;
        goto out;
    }
    bool pem = false;
    for (size_t i = 0; !pem && i + 11 <= len; i++)
        pem = memcmp(in + i, "-----BEGIN ", 11) == 0;
    if (pem) {
        size_t pos = 0, blocks = 0;
        for (;;) {
            captls_pem_block b;
            captls_result r = captls_pem_next(in, len, &pos, &b);
            if (r == CAPTLS_EOF)
                break;
            if (r != CAPTLS_OK) {
                snprintf(msg, sizeof(msg), "bad PEM after byte %zu: %s", pos,
                         captls_result_name(r));
                say_error(file, 0, msg);
                rc = X_BAD_INPUT;
                goto out;
            }
            blocks++;
            if (!captls_pem_label_is(&b, "CERTIFICATE"))
                continue;
            if (count >= MAX_CERTS) {
                say_error(file, 0, "more certificates than the maximum (4096)");
                rc = X_BAD_INPUT;
                goto out;
            }
            size_t dl = 0;
            r = captls_pem_decode(&b, ders + used, len + 1 - used, &dl);
            if (r != CAPTLS_OK) {
                snprintf(msg, sizeof(msg), "bad PEM block: %s", captls_result_name(r));
                say_error(file, count + 1, msg);
                rc = X_BAD_INPUT;
                goto out;
            }
            items[count].der = ders + used;
            items[count].len = dl;
            used += dl;
            count++;
        }
        if (count == 0) {
            say_error(file, 0, blocks ? "no CERTIFICATE block" : "no PEM block");
            rc = X_BAD_INPUT;
            goto out;
        }
    } else {
        memcpy(ders, in, len);
        items[0].der = ders;
        items[0].len = len;
        count = 1;
    }
    for (size_t i = 0; i < count; i++) {
        captls_der_error e;
        captls_result r = captls_certificate_parse(&items[i].cert, items[i].der,
                                                   items[i].len, &e);
        if (r != CAPTLS_OK) {
            snprintf(msg, sizeof(msg), "%s at byte %zu: %s", captls_result_name(r),
                     e.offset, e.reason ? e.reason : "");
            say_error(file, i + 1, msg);
            rc = X_BAD_INPUT;
            goto out;
        }
    }
    if (json)
        putchar('[');
    for (size_t i = 0; i < count; i++) {
        if (json) {
            if (i != 0)
                printf(",\n");
            show_json(&items[i].cert);
        } else {
            if (i != 0)
                putchar('\n');
            show_text(i + 1, &items[i].cert);
        }
    }
    if (json)
        printf("]\n");
out:
    free(items);
    free(ders);
    free(in);
    if (fflush(stdout) != 0 || ferror(stdout))
        return 1;
    return rc;
}

int captls_cmd_x509(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false;
    if (argc < 2 || strcmp(argv[1], "show") != 0)
        return usage();
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return usage();
        else if (file == NULL)
            file = argv[i];
        else
            return usage();
    }
    if (file == NULL)
        return usage();
    return show(file, json);
}
