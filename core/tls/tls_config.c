/* Config checks: fail closed on setup errors. See tls_config.h. */
#include "core/tls/tls_config.h"

#include <string.h>

#include "core/crypto/sig_scheme.h"

/* Records the first problem's sentence and returns its code. */
#define REFUSE(code, text)                                                     \
    do {                                                                       \
        if (why != NULL)                                                       \
            *why = (text);                                                     \
        return (code);                                                         \
    } while (0)

static bool known_suite(uint16_t s)
{
    return s == CAPTLS_TLS_AES_128_GCM_SHA256 ||
           s == CAPTLS_TLS_AES_256_GCM_SHA384 ||
           s == CAPTLS_TLS_CHACHA20_POLY1305_SHA256;
}

static bool known_group(uint16_t g)
{
    return g == CAPTLS_TLS_GROUP_X25519 || g == CAPTLS_TLS_GROUP_SECP256R1;
}

/* A scheme captls can use; for CertificateVerify PKCS#1 is excluded
 * (RFC 8446 §4.2.3: "MUST NOT be used in signed TLS handshake messages"). */
static bool known_scheme(uint16_t s, bool in_certificate_verify)
{
    const captls_sig_scheme_info *i = captls_sig_scheme_info_get(s);
    return i != NULL &&
           (!in_certificate_verify || i->padding != CAPTLS_SIG_PAD_PKCS1);
}

static bool repeats(const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (v[i] == v[j])
                return true;
    return false;
}

static captls_result check_policy(const captls_cipher_policy *p,
                                  const char **why)
{
    if (p->suite_count == 0)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "cipher policy has no cipher suite");
    if (p->suite_count > CAPTLS_CIPHER_POLICY_MAX_SUITES)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "cipher policy has too many suites");
    if (p->group_count == 0)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "cipher policy has no group");
    if (p->group_count > CAPTLS_CIPHER_POLICY_MAX_GROUPS)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "cipher policy has too many groups");
    if (p->scheme_count == 0)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
               "cipher policy has no signature scheme");
    if (p->scheme_count > CAPTLS_CIPHER_POLICY_MAX_SCHEMES)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED,
               "cipher policy has too many signature schemes");
    if (p->cert_scheme_count == 0)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
               "cipher policy has no certificate signature scheme");
    if (p->cert_scheme_count > CAPTLS_CIPHER_POLICY_MAX_SCHEMES)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED,
               "cipher policy has too many certificate signature schemes");
    for (size_t i = 0; i < p->suite_count; i++)
        if (!known_suite(p->suites[i]))
            REFUSE(CAPTLS_ERR_UNSUPPORTED,
                   "cipher policy names an unknown cipher suite");
    for (size_t i = 0; i < p->group_count; i++)
        if (!known_group(p->groups[i]))
            REFUSE(CAPTLS_ERR_UNSUPPORTED, "cipher policy names an unknown group");
    for (size_t i = 0; i < p->scheme_count; i++)
        if (!known_scheme(p->schemes[i], true))
            REFUSE(CAPTLS_ERR_UNSUPPORTED,
                   "cipher policy names a signature scheme not usable in "
                   "CertificateVerify");
    for (size_t i = 0; i < p->cert_scheme_count; i++)
        if (!known_scheme(p->cert_schemes[i], false))
            REFUSE(CAPTLS_ERR_UNSUPPORTED,
                   "cipher policy names an unknown certificate signature scheme");
    if (repeats(p->suites, p->suite_count) ||
        repeats(p->groups, p->group_count) ||
        repeats(p->schemes, p->scheme_count) ||
        repeats(p->cert_schemes, p->cert_scheme_count))
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "cipher policy repeats a value");
    return CAPTLS_OK;
}

static captls_result check_common(const captls_tls_common_config *c,
                                  const char **why)
{
    if (c->entropy.fill == NULL)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "no entropy source");
    CAPTLS_TRY(check_policy(&c->policy, why));
    if (c->alpn_count > CAPTLS_TLS_MAX_ALPN)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "too many ALPN protocols");
    for (size_t i = 0; i < c->alpn_count; i++) {
        /* RFC 7301 §3.1: "Empty strings MUST NOT be included". */
        if (c->alpn[i] == NULL || c->alpn[i][0] == '\0')
            REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "empty ALPN protocol name");
        size_t n = strlen(c->alpn[i]);
        if (n > CAPTLS_TLS_MAX_ALPN_LEN)
            REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "ALPN protocol name too long");
        for (size_t j = 0; j < i; j++)
            if (strlen(c->alpn[j]) == n && memcmp(c->alpn[i], c->alpn[j], n) == 0)
                REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "ALPN protocol repeated");
    }
    /* RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension
     * with a value smaller than 64"; TLS 1.3's maximum is 2^14 + 1. */
    if (c->record_size_limit != 0 &&
        (c->record_size_limit < 64 || c->record_size_limit > 16385))
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
               "record_size_limit outside 64..16385");
    return CAPTLS_OK;
}

static captls_result check_signer(const captls_tls_signer *k,
                                  const captls_cipher_policy *p,
                                  const char **why)
{
    bool allowed = false;
    if (k->sign == NULL)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "no signing key");
    if (k->scheme_count == 0)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "signing key offers no scheme");
    if (k->scheme_count > CAPTLS_TLS_MAX_SIG_SCHEMES)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "signing key offers too many schemes");
    for (size_t i = 0; i < k->scheme_count; i++) {
        if (!known_scheme(k->schemes[i], true))
            REFUSE(CAPTLS_ERR_UNSUPPORTED,
                   "signing key offers a scheme not usable in CertificateVerify");
        allowed = allowed || captls_cipher_policy_has_scheme(p, k->schemes[i]);
    }
    if (!allowed)
        REFUSE(CAPTLS_ERR_UNSUPPORTED,
               "no scheme of the signing key is allowed by the cipher policy");
    return CAPTLS_OK;
}

static captls_result check_chain(const captls_tls_chain_source *src,
                                 const char **why)
{
    captls_tls_chain chain;
    if (src->get == NULL)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "no certificate chain source");
    memset(&chain, 0, sizeof(chain));
    captls_result r = src->get(src->ctx, &chain);
    if (r != CAPTLS_OK)
        REFUSE(r, "certificate chain source failed");
    if (chain.count == 0)
        REFUSE(CAPTLS_ERR_NOT_FOUND, "certificate chain is empty");
    if (chain.count > CAPTLS_TLS_MAX_CHAIN)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "certificate chain too long");
    for (size_t i = 0; i < chain.count; i++)
        if (chain.certs[i].ptr == NULL || chain.certs[i].len == 0)
            REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
                   "certificate chain holds an empty certificate");
    return CAPTLS_OK;
}

static captls_result check_verifier(const captls_tls_peer_verifier *v,
                                    const char **why)
{
    captls_cap_info info;
    captls_result r;
    if (v->scratch == NULL)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "no verify scratch");
    r = captls_cap_lookup(v->caps, v->owner, v->verifier,
                          CAPTLS_IFACE_CERT_VERIFIER, CAPTLS_RIGHT_CALL, &info);
    if (r != CAPTLS_OK)
        REFUSE(r, "verifier handle is not a callable CertVerifier");
    r = captls_cap_lookup(v->caps, v->owner, v->trust,
                          CAPTLS_IFACE_TRUST_STORE, CAPTLS_RIGHT_CALL, &info);
    if (r != CAPTLS_OK)
        REFUSE(r, "trust handle is not a callable TrustStore");
    return CAPTLS_OK;
}

static bool has_clock(const captls_clock *c)
{
    return c->wall_time != NULL;
}

captls_result captls_tls_server_config_check_why(
    const captls_tls_server_config *cfg, const char **why)
{
    if (why != NULL)
        *why = NULL;
    if (cfg == NULL)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "no config");
    CAPTLS_TRY(check_common(&cfg->common, why));
    /* An identity selector may supply both per handshake (tls-alpn-01:
     * a responder that has nothing to serve but challenge certificates). */
    bool selector = cfg->identity.select != NULL;
    if (!selector || cfg->key.sign != NULL || cfg->key.scheme_count != 0)
        CAPTLS_TRY(check_signer(&cfg->key, &cfg->common.policy, why));
    if (!selector || cfg->chain.get != NULL)
        CAPTLS_TRY(check_chain(&cfg->chain, why));
    if (cfg->client_verifier.caps != NULL) {
        CAPTLS_TRY(check_verifier(&cfg->client_verifier, why));
        if (!has_clock(&cfg->common.clock))
            REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
                   "no wall clock to verify client certificates");
    } else if (cfg->require_client_cert) {
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
               "require_client_cert without a client verifier");
    }
    if ((cfg->tickets.seal == NULL) != (cfg->tickets.open == NULL))
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
               "ticket key needs both seal and open");
    if (cfg->tickets.seal != NULL && !has_clock(&cfg->common.clock))
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "no wall clock for ticket ages");
    /* RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800
     * seconds (7 days)." */
    if (cfg->ticket_lifetime_s > 604800u)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "ticket lifetime above 604800 s");
    if (cfg->tickets_per_handshake > 4)
        REFUSE(CAPTLS_ERR_LIMIT_EXCEEDED, "more than 4 tickets per handshake");
    if (cfg->ee_group_count > CAPTLS_TLS_MAX_EE_GROUPS ||
        (cfg->ee_group_count > 0 && cfg->ee_groups == NULL))
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "bad list of groups to advertise");
    return CAPTLS_OK;
}

captls_result captls_tls_client_config_check_why(
    const captls_tls_client_config *cfg, const char **why)
{
    if (why != NULL)
        *why = NULL;
    if (cfg == NULL)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "no config");
    CAPTLS_TRY(check_common(&cfg->common, why));
    /* A client never talks to an unauthenticated server. */
    if (cfg->verifier.caps == NULL)
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT, "client without a certificate verifier");
    CAPTLS_TRY(check_verifier(&cfg->verifier, why));
    if (!has_clock(&cfg->common.clock))
        REFUSE(CAPTLS_ERR_INVALID_ARGUMENT,
               "no wall clock to verify server certificates");
    if (cfg->have_client_auth) {
        CAPTLS_TRY(check_signer(&cfg->client_auth.key, &cfg->common.policy, why));
        CAPTLS_TRY(check_chain(&cfg->client_auth.chain, why));
    }
    return CAPTLS_OK;
}

captls_result captls_tls_server_config_check(const captls_tls_server_config *cfg)
{
    return captls_tls_server_config_check_why(cfg, NULL);
}

captls_result captls_tls_client_config_check(const captls_tls_client_config *cfg)
{
    return captls_tls_client_config_check_why(cfg, NULL);
}
