/* See cert_verifier.h. */
#include "core/trust/cert_verifier.h"

#include <string.h>

#include "core/base/text.h"
#include "core/crypto/sig_scheme.h"
#include "core/trust/trust_audit.h"

#define MAGIC_VERIFIER 0x43565246u /* "CVRF" */

captls_result captls_cert_verifier_init(captls_cert_verifier *v,
                                        const captls_verification_policy *policy,
                                        const captls_clock *clock,
                                        const captls_audit_sink *audit,
                                        captls_sig_cache *cache)
{
    if (v == NULL || policy == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(v, 0, sizeof(*v));
    v->magic = MAGIC_VERIFIER;
    v->policy = *policy;
    if (clock != NULL)
        v->clock = *clock;
    if (audit != NULL)
        v->audit = *audit;
    v->cache = cache;
    return CAPTLS_OK;
}

void captls_cert_verifier_policy(const captls_cert_verifier *v,
                                 captls_verification_policy *out)
{
    *out = v->policy;
}

/* "ok leaf=<subject>" / "fail=<reason> leaf=<subject>: <detail>". */
static size_t chain_detail(const captls_verify_request *req,
                           const captls_verification_outcome *out, char *buf,
                           size_t cap)
{
    char subj[CAPTLS_AUDIT_DETAIL_MAX];
    captls_text t;

    (void)captls_trust_name_text(&req->leaf->subject, subj, sizeof(subj));
    captls_text_init(&t, buf, cap);
    if (out->valid) {
        captls_text_str(&t, "ok leaf=");
        captls_text_str(&t, subj);
    } else {
        captls_text_str(&t, "fail=");
        captls_text_str(&t, captls_failure_reason_name(out->reason));
        captls_text_str(&t, " leaf=");
        captls_text_str(&t, subj);
        if (out->detail[0] != '\0') {
            captls_text_str(&t, ": ");
            captls_text_str(&t, out->detail);
        }
    }
    /* truncation is fine for a detail: the text stays NUL-terminated */
    return captls_text_finish(&t) == CAPTLS_OK ? captls_text_len(&t)
                                               : strlen(buf);
}

static void fail_closed(captls_verification_outcome *out, const char *why)
{
    size_t n = strlen(why);
    out->valid = false;
    out->reason = CAPTLS_FAIL_POLICY_VIOLATION;
    if (n >= sizeof(out->detail))
        n = sizeof(out->detail) - 1;
    memcpy(out->detail, why, n);
    out->detail[n] = '\0';
}

captls_result captls_cert_verifier_verify_chain(
    captls_cert_verifier *v, captls_cap_owner actor,
    const captls_trust_store *trust, const captls_verify_request *req,
    captls_verification_outcome *out)
{
    captls_verify_input in;
    captls_trust_source_ctx sctx;
    char detail[CAPTLS_AUDIT_DETAIL_MAX];
    size_t dlen;
    captls_result r;

    if (v == NULL || v->magic != MAGIC_VERIFIER || trust == NULL ||
        req == NULL || req->leaf == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&in, 0, sizeof(in));
    in.leaf = req->leaf;
    in.intermediates = req->intermediates;
    in.intermediate_count = req->intermediate_count;
    captls_trust_store_anchor_source(trust, req->purpose, &sctx, &in.anchors);
    in.policy = &v->policy; /* the bound policy, never the caller's */
    in.purpose = req->purpose;
    in.at_epoch_seconds = req->at_epoch_seconds;
    in.clock_provenance = req->clock_provenance;
    in.hostname = req->hostname;
    in.hostname_len = req->hostname_len;
    in.ip = req->ip;
    in.ip_len = req->ip_len;
    in.public_suffixes = req->public_suffixes;
    in.cache = v->cache;
    r = captls_verify_chain(&in, &v->scratch, out);
    if (r != CAPTLS_OK)
        return r; /* bad input: nothing was verified */
    dlen = chain_detail(req, out, detail, sizeof(detail));
    r = captls_trust_audit_emit(&v->clock, &v->audit, actor,
                                CAPTLS_IFACE_CERT_VERIFIER,
                                CAPTLS_CERT_VERIFIER_M_VERIFY_CHAIN,
                                "verify.chain",
                                out->valid ? CAPTLS_OK
                                           : CAPTLS_ERR_VERIFY_FAILED,
                                detail, dlen);
    if (r != CAPTLS_OK) {
        fail_closed(out, "audit unavailable");
        return r;
    }
    return CAPTLS_OK;
}

/* The policy bit of a TLS SignatureScheme (0 if it has none). */
static uint32_t scheme_bit(const captls_sig_scheme_info *info)
{
    if (info->key_type == CAPTLS_KEY_ED25519)
        return CAPTLS_SIGALG_ED25519;
    if (info->padding == CAPTLS_SIG_PAD_NONE) {
        switch (info->hash) {
        case CAPTLS_HASH_SHA256: return CAPTLS_SIGALG_ECDSA_SHA256;
        case CAPTLS_HASH_SHA384: return CAPTLS_SIGALG_ECDSA_SHA384;
        case CAPTLS_HASH_SHA512: return CAPTLS_SIGALG_ECDSA_SHA512;
        default: return 0;
        }
    }
    if (info->padding == CAPTLS_SIG_PAD_PKCS1) {
        switch (info->hash) {
        case CAPTLS_HASH_SHA256: return CAPTLS_SIGALG_RSA_PKCS1_SHA256;
        case CAPTLS_HASH_SHA384: return CAPTLS_SIGALG_RSA_PKCS1_SHA384;
        case CAPTLS_HASH_SHA512: return CAPTLS_SIGALG_RSA_PKCS1_SHA512;
        default: return 0;
        }
    }
    switch (info->hash) {
    case CAPTLS_HASH_SHA256: return CAPTLS_SIGALG_RSA_PSS_SHA256;
    case CAPTLS_HASH_SHA384: return CAPTLS_SIGALG_RSA_PSS_SHA384;
    case CAPTLS_HASH_SHA512: return CAPTLS_SIGALG_RSA_PSS_SHA512;
    default: return 0;
    }
}

static uint32_t key_bit(captls_key_type type)
{
    switch (type) {
    case CAPTLS_KEY_RSA:
    case CAPTLS_KEY_RSA_PSS: return CAPTLS_ALG_RSA;
    case CAPTLS_KEY_EC_P256: return CAPTLS_ALG_EC_P256;
    case CAPTLS_KEY_EC_P384: return CAPTLS_ALG_EC_P384;
    case CAPTLS_KEY_ED25519: return CAPTLS_ALG_ED25519;
    default: return 0;
    }
}

captls_result captls_cert_verifier_verify_signature(
    const captls_cert_verifier *v, const captls_certificate *cert,
    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len,
    uint16_t scheme)
{
    const captls_sig_scheme_info *info;
    uint32_t kb;

    if (v == NULL || v->magic != MAGIC_VERIFIER || cert == NULL ||
        (msg == NULL && msg_len != 0) || sig == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    info = captls_sig_scheme_info_get(scheme);
    if (info == NULL || (scheme_bit(info) & v->policy.allowed_signature_schemes) == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    kb = key_bit(cert->key.type);
    if (kb == 0 || (kb & v->policy.allowed_algorithms) == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (kb == CAPTLS_ALG_RSA &&
        (cert->key.rsa_bits < 2048u || cert->key.rsa_bits < v->policy.min_rsa_bits))
        return CAPTLS_ERR_WEAK_KEY;
    return captls_sig_verify(scheme, &cert->key, msg, msg_len, sig, sig_len);
}

/* ------------------------------------------------------------ cap layer */

static captls_result get_verifier(const captls_cap_table *t,
                                  captls_cap_owner owner, captls_cap_handle h,
                                  captls_cert_verifier **out)
{
    captls_cap_info info;
    captls_cert_verifier *v;
    CAPTLS_TRY(captls_cap_lookup(t, owner, h, CAPTLS_IFACE_CERT_VERIFIER,
                                 CAPTLS_RIGHT_CALL, &info));
    v = info.object;
    if (v == NULL || v->magic != MAGIC_VERIFIER)
        return CAPTLS_ERR_INTERNAL;
    *out = v;
    return CAPTLS_OK;
}

captls_result captls_cert_verifier_cap_verify_chain(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle vh,
    captls_cap_handle trust_h, const captls_verify_request *req,
    captls_verification_outcome *out)
{
    captls_cert_verifier *v;
    const captls_trust_store *ts;
    CAPTLS_TRY(get_verifier(t, owner, vh, &v));
    CAPTLS_TRY(captls_trust_store_cap_get(t, owner, trust_h, &ts));
    return captls_cert_verifier_verify_chain(v, owner, ts, req, out);
}

captls_result captls_cert_verifier_cap_verify_signature(
    const captls_cap_table *t, captls_cap_owner owner, captls_cap_handle vh,
    const captls_certificate *cert, const uint8_t *msg, size_t msg_len,
    const uint8_t *sig, size_t sig_len, uint16_t scheme)
{
    captls_cert_verifier *v;
    CAPTLS_TRY(get_verifier(t, owner, vh, &v));
    return captls_cert_verifier_verify_signature(v, cert, msg, msg_len, sig,
                                                 sig_len, scheme);
}

captls_result captls_cert_verifier_cap_policy(const captls_cap_table *t,
                                              captls_cap_owner owner,
                                              captls_cap_handle vh,
                                              captls_verification_policy *out)
{
    captls_cert_verifier *v;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(get_verifier(t, owner, vh, &v));
    captls_cert_verifier_policy(v, out);
    return CAPTLS_OK;
}
