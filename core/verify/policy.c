/* core/verify/policy.c — reason and purpose names, the presets (see
 * policy.h). */
#include "core/verify/policy.h"

#include <string.h>

/* strcmp is not in core's allowed symbol set (ci/check-core.sh). */
static bool same(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && memcmp(a, b, la) == 0;
}

static const char *const reason_names[CAPTLS_FAIL_COUNT] = {
    "unknownAnchor",   "expired",          "notYetValid",
    "signatureMismatch", "nameMismatch",   "insufficientScts",
    "revoked",         "ocspUnavailable",  "weakAlgorithm",
    "policyViolation", "badEku",           "chainTooLong",
    "nameConstraintViolation", "mustStapleMissing", "pinMismatch",
};

const char *captls_failure_reason_name(captls_failure_reason r)
{
    if ((unsigned)r >= CAPTLS_FAIL_COUNT)
        return "unknown";
    return reason_names[r];
}

bool captls_failure_reason_from_name(const char *name,
                                     captls_failure_reason *out)
{
    if (name == NULL || out == NULL)
        return false;
    for (unsigned i = 0; i < CAPTLS_FAIL_COUNT; i++) {
        if (same(name, reason_names[i])) {
            *out = (captls_failure_reason)i;
            return true;
        }
    }
    return false;
}

static const char *const purpose_names[CAPTLS_PURPOSE_COUNT] = {
    "tlsServerAuth", "tlsClientAuth", "codeSigning", "emailSmime",
    "clientIdentity", "ctLog", "ocspSigning", "webauthnRoot",
};

const char *captls_cert_purpose_name(captls_cert_purpose p)
{
    if ((unsigned)p >= CAPTLS_PURPOSE_COUNT)
        return "unknown";
    return purpose_names[p];
}

bool captls_cert_purpose_from_name(const char *name, captls_cert_purpose *out)
{
    if (name == NULL || out == NULL)
        return false;
    for (unsigned i = 0; i < CAPTLS_PURPOSE_COUNT; i++) {
        if (same(name, purpose_names[i])) {
            *out = (captls_cert_purpose)i;
            return true;
        }
    }
    if (same(name, "serverAuth")) {
        *out = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
        return true;
    }
    if (same(name, "clientAuth")) {
        *out = CAPTLS_PURPOSE_TLS_CLIENT_AUTH;
        return true;
    }
    return false;
}

/* Mozilla Root Store Policy §5.1: RSA >= 2048, P-256, P-384; RSASSA-PKCS1
 * and RSASSA-PSS with SHA-256/384/512; ECDSA with SHA-256/384/512. */
#define MOZILLA_ALGS (CAPTLS_ALG_RSA | CAPTLS_ALG_EC_P256 | CAPTLS_ALG_EC_P384)
#define MOZILLA_SIGALGS                                                        \
    (CAPTLS_SIGALG_RSA_PKCS1_SHA256 | CAPTLS_SIGALG_RSA_PKCS1_SHA384 |         \
     CAPTLS_SIGALG_RSA_PKCS1_SHA512 | CAPTLS_SIGALG_RSA_PSS_SHA256 |           \
     CAPTLS_SIGALG_RSA_PSS_SHA384 | CAPTLS_SIGALG_RSA_PSS_SHA512 |             \
     CAPTLS_SIGALG_ECDSA_SHA256 | CAPTLS_SIGALG_ECDSA_SHA384 |                 \
     CAPTLS_SIGALG_ECDSA_SHA512)

static const captls_verification_policy web_pki_strict = {
    .name = "webPkiStrict",
    .min_scts = 2,
    .ct_logs = NULL,
    .allowed_algorithms = MOZILLA_ALGS,
    .allowed_signature_schemes = MOZILLA_SIGALGS,
    .require_ocsp = true,
    .max_chain_length = 0,
    .permit_name_constraints = true,
    .clock_skew_seconds = 0,
    .stapling_required = false,
    .untrusted_clock = CAPTLS_UNTRUSTED_CLOCK_LOWER_BOUND,
    .min_rsa_bits = 2048,
    .not_after_grace_seconds = 0,
    .purposes = CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_SERVER_AUTH) |
                CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_CLIENT_AUTH),
    .require_leaf_eku = true,
    .accept_any_eku = false,
    .allow_nonconforming_serial = false,
    .cabf_profile = true,
};

static const captls_verification_policy web_pki_lenient = {
    .name = "webPkiLenient",
    .min_scts = 0,
    .ct_logs = NULL,
    .allowed_algorithms = CAPTLS_ALG_ALL,
    .allowed_signature_schemes = CAPTLS_SIGALG_ALL,
    .require_ocsp = false,
    .max_chain_length = 0,
    .permit_name_constraints = true,
    .clock_skew_seconds = 0,
    .stapling_required = false,
    .untrusted_clock = CAPTLS_UNTRUSTED_CLOCK_LOWER_BOUND,
    .min_rsa_bits = 2048,
    .not_after_grace_seconds = 0,
    .purposes = CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_SERVER_AUTH) |
                CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_CLIENT_AUTH) |
                CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CLIENT_IDENTITY) |
                CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_EMAIL_SMIME),
    .require_leaf_eku = false,
    .accept_any_eku = true,
    .allow_nonconforming_serial = true,
};

static const captls_verification_policy private_mtls = {
    .name = "privateMtls",
    .min_scts = 0,
    .ct_logs = NULL,
    .allowed_algorithms = CAPTLS_ALG_ALL,
    .allowed_signature_schemes = CAPTLS_SIGALG_ALL,
    .require_ocsp = true,
    .max_chain_length = 3,
    .permit_name_constraints = true,
    .clock_skew_seconds = 0,
    .stapling_required = false,
    .untrusted_clock = CAPTLS_UNTRUSTED_CLOCK_LOWER_BOUND,
    .min_rsa_bits = 2048,
    .not_after_grace_seconds = 0,
    .purposes = CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_SERVER_AUTH) |
                CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_CLIENT_AUTH) |
                CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CLIENT_IDENTITY),
    .require_leaf_eku = true,
    .accept_any_eku = false,
    .allow_nonconforming_serial = false,
};

static const captls_verification_policy code_signing = {
    .name = "codeSigning",
    .min_scts = 0,
    .ct_logs = NULL,
    .allowed_algorithms = CAPTLS_ALG_ALL,
    .allowed_signature_schemes = CAPTLS_SIGALG_ALL,
    .require_ocsp = false,
    .max_chain_length = 0,
    .permit_name_constraints = true,
    .clock_skew_seconds = 0,
    .stapling_required = false,
    .untrusted_clock = CAPTLS_UNTRUSTED_CLOCK_LOWER_BOUND,
    .min_rsa_bits = 2048,
    .not_after_grace_seconds = 365u * 86400u,
    .purposes = CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CODE_SIGNING),
    .require_leaf_eku = true,
    .accept_any_eku = false,
    .allow_nonconforming_serial = false,
};

const captls_verification_policy *captls_policy_web_pki_strict(void)
{
    return &web_pki_strict;
}
const captls_verification_policy *captls_policy_web_pki_lenient(void)
{
    return &web_pki_lenient;
}
const captls_verification_policy *captls_policy_private_mtls(void)
{
    return &private_mtls;
}
const captls_verification_policy *captls_policy_code_signing(void)
{
    return &code_signing;
}

const captls_verification_policy *captls_policy_by_name(const char *name)
{
    static const captls_verification_policy *const all[] = {
        &web_pki_strict, &web_pki_lenient, &private_mtls, &code_signing};
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (same(name, all[i]->name))
            return all[i];
    return NULL;
}
