/* See chains_diff.h. */
#include "conformance/chains_diff.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "core/verify/public_suffix.h"
#include "core/verify/verify_chain.h"
#include "core/x509/certificate.h"

/* ------------------------------------------------------------- policy */

void chains_diff_policy(captls_verification_policy *p, unsigned maxchain)
{
    *p = *captls_policy_web_pki_lenient();
    p->name = "chains-diff";
    p->max_chain_length = (uint8_t)(maxchain > 255 ? 255 : maxchain);
    p->purposes |= CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CODE_SIGNING);
    p->accept_any_eku = false;
}

void chains_verdict_set(chains_verdict *v, const char *verdict,
                        const char *detail)
{
    snprintf(v->verdict, sizeof(v->verdict), "%s", verdict);
    snprintf(v->detail, sizeof(v->detail), "%s", detail ? detail : "");
}

/* ------------------------------------------------------------- captls */

int chains_case_identity(const chains_case *c, const char **host,
                         size_t *host_len, uint8_t ip[16], const uint8_t **ip_out,
                         size_t *ip_len, chains_verdict *v)
{
    if (c->is_ip) {
        if (inet_pton(AF_INET, c->host, ip) == 1) {
            *ip_len = 4;
        } else if (inet_pton(AF_INET6, c->host, ip) == 1) {
            *ip_len = 16;
        } else {
            chains_verdict_set(v, "error", "bad IP literal in the case");
            return -1;
        }
        *ip_out = ip;
    } else if (c->host[0]) {
        *host = c->host;
        *host_len = strlen(c->host);
    }
    return 0;
}

int chains_parse_cert(const chains_blob *b, captls_certificate *cert,
                      const char *what, size_t i, chains_verdict *v)
{
    captls_der_error err = {0};
    captls_result r = captls_certificate_parse(cert, b->der, b->len, &err);
    if (r == CAPTLS_OK)
        return 0;
    char d[200];
    snprintf(d, sizeof(d), "%s[%zu] does not parse: %s at byte %zu: %s", what,
             i, captls_result_name(r), err.offset,
             err.reason ? err.reason : "-");
    chains_verdict_set(v, "error", d);
    return -1;
}

void chains_run_captls(const chains_case *c, captls_sig_cache *cache,
                       chains_verdict *v)
{
    captls_verification_policy pol;
    chains_diff_policy(&pol, c->maxchain);
    chains_run_captls_policy(c, &pol, cache, v);
}

void chains_run_captls_policy(const chains_case *c,
                              const captls_verification_policy *pol,
                              captls_sig_cache *cache, chains_verdict *v)
{
    size_t n = 1 + c->nroots + c->npool;
    captls_certificate *certs = calloc(n, sizeof(*certs));
    const captls_certificate *roots[CHAINS_MAX_ROOTS];
    const captls_certificate *pool[CHAINS_MAX_POOL];
    captls_verify_scratch *scratch = malloc(sizeof(*scratch));
    captls_verification_outcome *out = malloc(sizeof(*out));

    memset(v, 0, sizeof(*v));
    if (!certs || !scratch || !out) {
        chains_verdict_set(v, "error", "out of memory");
        goto done;
    }
    if (chains_parse_cert(&c->leaf, &certs[0], "leaf", 0, v))
        goto done;
    for (size_t i = 0; i < c->nroots; i++) {
        if (chains_parse_cert(&c->roots[i], &certs[1 + i], "root", i, v))
            goto done;
        roots[i] = &certs[1 + i];
    }
    for (size_t i = 0; i < c->npool; i++) {
        if (chains_parse_cert(&c->pool[i], &certs[1 + c->nroots + i], "pool", i, v))
            goto done;
        pool[i] = &certs[1 + c->nroots + i];
    }

    captls_anchor_cert_list list = {roots, c->nroots};
    captls_verify_input in;
    memset(&in, 0, sizeof(in));
    in.leaf = &certs[0];
    in.intermediates = pool;
    in.intermediate_count = c->npool;
    captls_anchor_source_from_certs(&in.anchors, &list, 1);
    in.policy = pol;
    in.public_suffixes = &captls_psl_builtin;
    if (!captls_cert_purpose_from_name(c->purpose, &in.purpose)) {
        chains_verdict_set(v, "error", "unknown purpose");
        goto done;
    }
    in.at_epoch_seconds = c->at;
    in.clock_provenance = CAPTLS_CLOCK_TRUSTED;
    uint8_t ip[16];
    if (chains_case_identity(c, &in.hostname, &in.hostname_len, ip, &in.ip,
                             &in.ip_len, v))
        goto done;
    in.cache = cache;

    captls_result r = captls_verify_chain(&in, scratch, out);
    if (r != CAPTLS_OK) {
        char d[96];
        snprintf(d, sizeof(d), "captls_verify_chain: %s", captls_result_name(r));
        chains_verdict_set(v, "error", d);
    } else if (out->valid) {
        chains_verdict_set(v, "ok", "");
    } else {
        chains_verdict_set(v, captls_failure_reason_name(out->reason), out->detail);
    }
done:
    free(out);
    free(scratch);
    free(certs);
}

/* ------------------------------------------------------------ OpenSSL */

/* X509_V_ERR_* -> FailureReason (captls's documented mapping,
 * core/verify/verify_chain.h and policy.h). */
static const struct {
    int err;
    const char *reason;
} err_map[] = {
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "unknownAnchor"},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unknownAnchor"},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, "unknownAnchor"},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "unknownAnchor"},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "unknownAnchor"},
    {X509_V_ERR_CERT_UNTRUSTED, "unknownAnchor"},
    {X509_V_ERR_CERT_REJECTED, "unknownAnchor"},
    {X509_V_ERR_PATH_LOOP, "unknownAnchor"},
    {X509_V_ERR_CERT_NOT_YET_VALID, "notYetValid"},
    {X509_V_ERR_CERT_HAS_EXPIRED, "expired"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, "policyViolation"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, "policyViolation"},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, "signatureMismatch"},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, "signatureMismatch"},
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, "signatureMismatch"},
    {X509_V_ERR_NO_ISSUER_PUBLIC_KEY, "signatureMismatch"},
    {X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH, "signatureMismatch"},
    {X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY, "signatureMismatch"},
    {X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM, "policyViolation"},
    {X509_V_ERR_HOSTNAME_MISMATCH, "nameMismatch"},
    {X509_V_ERR_IP_ADDRESS_MISMATCH, "nameMismatch"},
    {X509_V_ERR_EMAIL_MISMATCH, "nameMismatch"},
    {X509_V_ERR_EE_KEY_TOO_SMALL, "weakAlgorithm"},
    {X509_V_ERR_CA_KEY_TOO_SMALL, "weakAlgorithm"},
    {X509_V_ERR_CA_MD_TOO_WEAK, "weakAlgorithm"},
    {X509_V_ERR_INVALID_PURPOSE, "badEku"},
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, "chainTooLong"},
    /* RFC 5280 §6.1.4 (k)-(n): captls reports these as policyViolation */
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, "policyViolation"},
    {X509_V_ERR_INVALID_CA, "policyViolation"},
    {X509_V_ERR_INVALID_NON_CA, "policyViolation"},
    {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, "policyViolation"},
    {X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE, "policyViolation"},
    {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, "policyViolation"},
    {X509_V_ERR_INVALID_EXTENSION, "policyViolation"},
    {X509_V_ERR_INVALID_POLICY_EXTENSION, "policyViolation"},
    {X509_V_ERR_NO_EXPLICIT_POLICY, "policyViolation"},
    {X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE, "policyViolation"},
    {X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA, "policyViolation"},
    {X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN, "policyViolation"},
    {X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA, "policyViolation"},
    {X509_V_ERR_ISSUER_NAME_EMPTY, "policyViolation"},
    {X509_V_ERR_SUBJECT_NAME_EMPTY, "policyViolation"},
    {X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER, "policyViolation"},
    {X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER, "policyViolation"},
    {X509_V_ERR_EMPTY_SUBJECT_ALT_NAME, "policyViolation"},
    {X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL, "policyViolation"},
    {X509_V_ERR_CA_BCONS_NOT_CRITICAL, "policyViolation"},
    {X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL, "policyViolation"},
    {X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL, "policyViolation"},
    {X509_V_ERR_CA_CERT_MISSING_KEY_USAGE, "policyViolation"},
    {X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3, "policyViolation"},
    {X509_V_ERR_EC_KEY_EXPLICIT_PARAMS, "policyViolation"},
    /* name constraints; forms a verifier cannot evaluate: policyViolation */
    {X509_V_ERR_PERMITTED_VIOLATION, "nameConstraintViolation"},
    {X509_V_ERR_EXCLUDED_VIOLATION, "nameConstraintViolation"},
    {X509_V_ERR_SUBTREE_MINMAX, "nameConstraintViolation"},
    {X509_V_ERR_UNSUPPORTED_NAME_SYNTAX, "nameConstraintViolation"},
    {X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE, "policyViolation"},
    {X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX, "policyViolation"},
};

const char *chains_diff_openssl_reason(int e)
{
    for (size_t i = 0; i < sizeof(err_map) / sizeof(err_map[0]); i++)
        if (err_map[i].err == e)
            return err_map[i].reason;
    return "error";
}

static X509 *d2i(const chains_blob *b)
{
    const unsigned char *p = b->der;
    X509 *x = d2i_X509(NULL, &p, (long)b->len);
    if (x && p != b->der + b->len) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* codeSigning: every non-anchor certificate with an EKU extension must
 * list id-kp-codeSigning (or anyExtendedKeyUsage in an intermediate), as
 * captls_verify_chain does for the purpose. */
static int codesign_eku_ok(X509_STORE_CTX *ctx)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = chain ? sk_X509_num(chain) : 0;
    for (int i = 0; i < n - 1; i++) {
        X509 *x = sk_X509_value(chain, i);
        if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE))
            continue;
        uint32_t xku = X509_get_extended_key_usage(x);
        if (xku & XKU_CODE_SIGN)
            continue;
        if (i > 0 && (xku & XKU_ANYEKU))
            continue;
        return 0;
    }
    return 1;
}

void chains_run_openssl(const chains_case *c, chains_verdict *v)
{
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509 *leaf = d2i(&c->leaf);

    memset(v, 0, sizeof(*v));
    if (!store || !untrusted || !ctx) {
        chains_verdict_set(v, "error", "out of memory");
        goto done;
    }
    if (!leaf) {
        chains_verdict_set(v, "error", "OpenSSL: leaf does not parse");
        goto done;
    }
    for (size_t i = 0; i < c->nroots; i++) {
        X509 *x = d2i(&c->roots[i]);
        if (!x || !X509_STORE_add_cert(store, x)) {
            X509_free(x);
            chains_verdict_set(v, "error", "OpenSSL: a root does not parse");
            goto done;
        }
        X509_free(x); /* the store holds its own reference */
    }
    for (size_t i = 0; i < c->npool; i++) {
        X509 *x = d2i(&c->pool[i]);
        if (!x || !sk_X509_push(untrusted, x)) {
            X509_free(x);
            chains_verdict_set(v, "error", "OpenSSL: a pool certificate does not parse");
            goto done;
        }
    }
    if (!X509_STORE_CTX_init(ctx, store, leaf, untrusted)) {
        chains_verdict_set(v, "error", "X509_STORE_CTX_init failed");
        goto done;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
    X509_VERIFY_PARAM_set_time(param, (time_t)c->at);
    X509_VERIFY_PARAM_set_depth(param, c->maxchain >= 2 ? (int)c->maxchain - 2 : 0);
    X509_VERIFY_PARAM_set_auth_level(param, 2);
    int purpose = X509_PURPOSE_ANY;
    if (strcmp(c->purpose, "serverAuth") == 0 || strcmp(c->purpose, "tlsServerAuth") == 0)
        purpose = X509_PURPOSE_SSL_SERVER;
    else if (strcmp(c->purpose, "clientAuth") == 0 ||
             strcmp(c->purpose, "tlsClientAuth") == 0)
        purpose = X509_PURPOSE_SSL_CLIENT;
    X509_STORE_CTX_set_purpose(ctx, purpose);
    if (c->is_ip) {
        if (!X509_VERIFY_PARAM_set1_ip_asc(param, c->host)) {
            chains_verdict_set(v, "error", "OpenSSL: bad IP literal");
            goto done;
        }
    } else if (c->host[0]) {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                                   X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
        if (!X509_VERIFY_PARAM_set1_host(param, c->host, strlen(c->host))) {
            chains_verdict_set(v, "error", "OpenSSL: set1_host refused the name");
            goto done;
        }
    }
    int ok = X509_verify_cert(ctx);
    if (ok == 1) {
        if (strcmp(c->purpose, "codeSigning") == 0 && !codesign_eku_ok(ctx)) {
            chains_verdict_set(v, "badEku", "no codeSigning EKU (checked by the runner)");
            v->openssl_error = X509_V_ERR_INVALID_PURPOSE;
        } else {
            chains_verdict_set(v, "ok", "");
        }
    } else {
        int e = X509_STORE_CTX_get_error(ctx);
        char d[200];
        snprintf(d, sizeof(d), "X509_V_ERR %d at depth %d: %s", e,
                 X509_STORE_CTX_get_error_depth(ctx),
                 X509_verify_cert_error_string(e));
        chains_verdict_set(v, chains_diff_openssl_reason(e), d);
        v->openssl_error = e;
    }
done:
    X509_STORE_CTX_free(ctx);
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    X509_STORE_free(store);
}
