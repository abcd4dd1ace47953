/* CipherPolicy: presets, OpenSSL-style list parsers, names. See
 * cipher_policy.h. */
#include "core/tls/cipher_policy.h"

#include <string.h>

#include "core/crypto/sig_scheme.h"

typedef struct name_row {
    const char *name;
    uint16_t value;
} name_row;

/* Names the parsers accept. The first row of a value is its display name. */
static const name_row suite_names[] = {
    {"TLS_AES_128_GCM_SHA256", CAPTLS_TLS_AES_128_GCM_SHA256},
    {"TLS_AES_256_GCM_SHA384", CAPTLS_TLS_AES_256_GCM_SHA384},
    {"TLS_CHACHA20_POLY1305_SHA256", CAPTLS_TLS_CHACHA20_POLY1305_SHA256},
};

static const name_row group_names[] = {
    {"x25519", CAPTLS_TLS_GROUP_X25519},
    {"secp256r1", CAPTLS_TLS_GROUP_SECP256R1},
    {"prime256v1", CAPTLS_TLS_GROUP_SECP256R1},
    {"P-256", CAPTLS_TLS_GROUP_SECP256R1},
};

/* RFC 8446 names (from sig_scheme's table) plus OpenSSL's "ALG+HASH"
 * aliases. RSA-PSS+HASH is the rsaEncryption-key form, as OpenSSL's
 * rsa_pss_rsae_* (what every RSA certificate in the wild carries). */
static const name_row scheme_aliases[] = {
    {"ECDSA+SHA256", CAPTLS_SIG_ECDSA_SECP256R1_SHA256},
    {"ECDSA+SHA384", CAPTLS_SIG_ECDSA_SECP384R1_SHA384},
    {"RSA-PSS+SHA256", CAPTLS_SIG_RSA_PSS_RSAE_SHA256},
    {"RSA-PSS+SHA384", CAPTLS_SIG_RSA_PSS_RSAE_SHA384},
    {"RSA-PSS+SHA512", CAPTLS_SIG_RSA_PSS_RSAE_SHA512},
    {"RSA+SHA256", CAPTLS_SIG_RSA_PKCS1_SHA256},
    {"RSA+SHA384", CAPTLS_SIG_RSA_PKCS1_SHA384},
    {"RSA+SHA512", CAPTLS_SIG_RSA_PKCS1_SHA512},
};

/* Preference order of the presets (see the header). */
static const uint16_t preset_suites[] = {
    CAPTLS_TLS_AES_128_GCM_SHA256, CAPTLS_TLS_AES_256_GCM_SHA384,
    CAPTLS_TLS_CHACHA20_POLY1305_SHA256};
static const uint16_t preset_groups[] = {CAPTLS_TLS_GROUP_X25519,
                                         CAPTLS_TLS_GROUP_SECP256R1};
static const uint16_t preset_cert_schemes[] = {
    CAPTLS_SIG_ED25519,
    CAPTLS_SIG_ECDSA_SECP256R1_SHA256,
    CAPTLS_SIG_ECDSA_SECP384R1_SHA384,
    CAPTLS_SIG_RSA_PSS_RSAE_SHA256,
    CAPTLS_SIG_RSA_PSS_RSAE_SHA384,
    CAPTLS_SIG_RSA_PSS_RSAE_SHA512,
    CAPTLS_SIG_RSA_PSS_PSS_SHA256,
    CAPTLS_SIG_RSA_PSS_PSS_SHA384,
    CAPTLS_SIG_RSA_PSS_PSS_SHA512,
    /* cert_schemes only (the last three rows): */
    CAPTLS_SIG_RSA_PKCS1_SHA256,
    CAPTLS_SIG_RSA_PKCS1_SHA384,
    CAPTLS_SIG_RSA_PKCS1_SHA512,
};
#define PRESET_VERIFY_SCHEMES 9u
#define N(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(N(preset_cert_schemes) <= CAPTLS_CIPHER_POLICY_MAX_SCHEMES,
               "cert schemes fit the policy");
_Static_assert(N(preset_suites) <= CAPTLS_CIPHER_POLICY_MAX_SUITES,
               "suites fit the policy");
_Static_assert(N(preset_groups) <= CAPTLS_CIPHER_POLICY_MAX_GROUPS,
               "groups fit the policy");

void captls_cipher_policy_preset_init(captls_cipher_policy *p,
                                      captls_cipher_policy_preset preset)
{
    if (p == NULL)
        return;
    memset(p, 0, sizeof(*p));
    /* Unknown preset values fall back to modern (the narrowest). The three
     * presets are equal today: see the header. */
    if (preset != CAPTLS_CIPHER_POLICY_INTERMEDIATE &&
        preset != CAPTLS_CIPHER_POLICY_LEGACY)
        preset = CAPTLS_CIPHER_POLICY_MODERN;
    p->preset = preset;
    memcpy(p->suites, preset_suites, sizeof(preset_suites));
    p->suite_count = N(preset_suites);
    memcpy(p->groups, preset_groups, sizeof(preset_groups));
    p->group_count = N(preset_groups);
    memcpy(p->schemes, preset_cert_schemes,
           PRESET_VERIFY_SCHEMES * sizeof(uint16_t));
    p->scheme_count = PRESET_VERIFY_SCHEMES;
    memcpy(p->cert_schemes, preset_cert_schemes, sizeof(preset_cert_schemes));
    p->cert_scheme_count = N(preset_cert_schemes);
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* s[0..n) equals the NUL-terminated name (case-insensitively if asked). */
static bool name_eq(const char *s, size_t n, const char *name, bool icase)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (name[i] == '\0')
            return false;
        if (icase ? lower(s[i]) != lower(name[i]) : s[i] != name[i])
            return false;
    }
    return name[n] == '\0';
}

typedef enum list_kind { KIND_SUITE, KIND_GROUP, KIND_SCHEME, KIND_CERT_SCHEME } list_kind;

/* One item of a list to its code point; UNSUPPORTED if unknown or not
 * allowed in this kind of list. */
static captls_result lookup(list_kind kind, const char *s, size_t n,
                            uint16_t *out)
{
    size_t i;
    if (kind == KIND_SUITE) {
        for (i = 0; i < N(suite_names); i++)
            if (name_eq(s, n, suite_names[i].name, false)) {
                *out = suite_names[i].value;
                return CAPTLS_OK;
            }
        return CAPTLS_ERR_UNSUPPORTED;
    }
    if (kind == KIND_GROUP) {
        for (i = 0; i < N(group_names); i++)
            if (name_eq(s, n, group_names[i].name, true)) {
                *out = group_names[i].value;
                return CAPTLS_OK;
            }
        return CAPTLS_ERR_UNSUPPORTED;
    }
    uint16_t v = 0;
    bool found = false;
    for (i = 0; i < N(preset_cert_schemes) && !found; i++) {
        const captls_sig_scheme_info *info =
            captls_sig_scheme_info_get(preset_cert_schemes[i]);
        if (info != NULL && name_eq(s, n, info->name, true)) {
            v = info->scheme;
            found = true;
        }
    }
    for (i = 0; i < N(scheme_aliases) && !found; i++)
        if (name_eq(s, n, scheme_aliases[i].name, true)) {
            v = scheme_aliases[i].value;
            found = true;
        }
    if (!found)
        return CAPTLS_ERR_UNSUPPORTED;
    /* RFC 8446 §4.2.3: "RSASSA-PKCS1-v1_5 algorithms ... MUST NOT be used
     * in signed TLS handshake messages" — only signature_algorithms_cert. */
    if (kind == KIND_SCHEME && (v == CAPTLS_SIG_RSA_PKCS1_SHA256 ||
                                v == CAPTLS_SIG_RSA_PKCS1_SHA384 ||
                                v == CAPTLS_SIG_RSA_PKCS1_SHA512))
        return CAPTLS_ERR_UNSUPPORTED;
    *out = v;
    return CAPTLS_OK;
}

/* Parses list into out[0..*count); writes nothing the caller keeps on
 * failure (out is the caller's temporary). */
static captls_result parse_list(list_kind kind, const char *list,
                                uint16_t *out, size_t cap, size_t *count)
{
    size_t n = 0;
    if (list == NULL || list[0] == '\0')
        return CAPTLS_ERR_INVALID_ARGUMENT;
    const char *p = list;
    for (;;) {
        size_t len = 0;
        while (p[len] != '\0' && p[len] != ':' && p[len] != ',')
            len++;
        if (len == 0)
            return CAPTLS_ERR_INVALID_ARGUMENT; /* empty item */
        uint16_t v;
        CAPTLS_TRY(lookup(kind, p, len, &v));
        for (size_t i = 0; i < n; i++)
            if (out[i] == v)
                return CAPTLS_ERR_INVALID_ARGUMENT; /* repeated */
        /* Distinct known values never exceed cap (static asserts above),
         * but keep the bound explicit. */
        if (n == cap)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        out[n++] = v;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    *count = n;
    return CAPTLS_OK;
}

captls_result captls_cipher_policy_set_suites(captls_cipher_policy *p,
                                              const char *list)
{
    uint16_t v[CAPTLS_CIPHER_POLICY_MAX_SUITES];
    size_t n = 0;
    if (p == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_list(KIND_SUITE, list, v, N(v), &n));
    memcpy(p->suites, v, n * sizeof(v[0]));
    p->suite_count = n;
    return CAPTLS_OK;
}

captls_result captls_cipher_policy_set_groups(captls_cipher_policy *p,
                                              const char *list)
{
    uint16_t v[CAPTLS_CIPHER_POLICY_MAX_GROUPS];
    size_t n = 0;
    if (p == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_list(KIND_GROUP, list, v, N(v), &n));
    memcpy(p->groups, v, n * sizeof(v[0]));
    p->group_count = n;
    return CAPTLS_OK;
}

captls_result captls_cipher_policy_set_schemes(captls_cipher_policy *p,
                                               const char *list)
{
    uint16_t v[CAPTLS_CIPHER_POLICY_MAX_SCHEMES];
    size_t n = 0;
    if (p == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_list(KIND_SCHEME, list, v, N(v), &n));
    memcpy(p->schemes, v, n * sizeof(v[0]));
    p->scheme_count = n;
    return CAPTLS_OK;
}

captls_result captls_cipher_policy_set_cert_schemes(captls_cipher_policy *p,
                                                    const char *list)
{
    uint16_t v[CAPTLS_CIPHER_POLICY_MAX_SCHEMES];
    size_t n = 0;
    if (p == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_list(KIND_CERT_SCHEME, list, v, N(v), &n));
    memcpy(p->cert_schemes, v, n * sizeof(v[0]));
    p->cert_scheme_count = n;
    return CAPTLS_OK;
}

static bool has(const uint16_t *v, size_t n, size_t cap, uint16_t x)
{
    if (n > cap)
        n = cap; /* a hand-built policy with a bad count */
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

bool captls_cipher_policy_has_suite(const captls_cipher_policy *p, uint16_t s)
{
    return p != NULL &&
           has(p->suites, p->suite_count, CAPTLS_CIPHER_POLICY_MAX_SUITES, s);
}

bool captls_cipher_policy_has_group(const captls_cipher_policy *p, uint16_t g)
{
    return p != NULL &&
           has(p->groups, p->group_count, CAPTLS_CIPHER_POLICY_MAX_GROUPS, g);
}

bool captls_cipher_policy_has_scheme(const captls_cipher_policy *p, uint16_t s)
{
    return p != NULL && has(p->schemes, p->scheme_count,
                            CAPTLS_CIPHER_POLICY_MAX_SCHEMES, s);
}

bool captls_cipher_policy_has_cert_scheme(const captls_cipher_policy *p,
                                          uint16_t s)
{
    return p != NULL && has(p->cert_schemes, p->cert_scheme_count,
                            CAPTLS_CIPHER_POLICY_MAX_SCHEMES, s);
}

static const char *name_of(const name_row *rows, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].value == v)
            return rows[i].name;
    return "unknown";
}

const char *captls_tls_suite_name(uint16_t suite)
{
    return name_of(suite_names, N(suite_names), suite);
}

const char *captls_tls_group_name(uint16_t group)
{
    return name_of(group_names, N(group_names), group);
}

const char *captls_tls_scheme_name(uint16_t scheme)
{
    const captls_sig_scheme_info *info = captls_sig_scheme_info_get(scheme);
    return info != NULL ? info->name : "unknown";
}
