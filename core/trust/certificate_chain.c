/* See certificate_chain.h. */
#include "core/trust/certificate_chain.h"

#include <string.h>

captls_result captls_certificate_chain_init(
    captls_certificate_chain *chain, const captls_certificate *const *certs,
    size_t count)
{
    if (chain == NULL || certs == NULL || count == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (count > CAPTLS_CERTIFICATE_CHAIN_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (size_t i = 0; i < count; i++) {
        if (certs[i] == NULL)
            return CAPTLS_ERR_INVALID_ARGUMENT;
    }
    chain->certs = certs;
    chain->count = count;
    return CAPTLS_OK;
}

size_t captls_certificate_chain_count(const captls_certificate_chain *chain)
{
    return chain == NULL ? 0 : chain->count;
}

const captls_certificate *captls_certificate_chain_at(
    const captls_certificate_chain *chain, size_t i)
{
    if (chain == NULL || i >= chain->count)
        return NULL;
    return chain->certs[i];
}

const captls_certificate *captls_certificate_chain_leaf(
    const captls_certificate_chain *chain)
{
    return captls_certificate_chain_at(chain, 0);
}

/* The seed's verify() question as a CertVerifier request. */
static captls_result make_request(const captls_certificate_chain *chain,
                                  int64_t at, captls_clock_provenance prov,
                                  const char *hostname, size_t hostname_len,
                                  captls_verify_request *req)
{
    if (chain == NULL || chain->count == 0 || chain->certs == NULL ||
        (hostname == NULL && hostname_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(req, 0, sizeof(*req));
    req->leaf = chain->certs[0];
    req->intermediates = chain->certs + 1;
    req->intermediate_count = chain->count - 1;
    req->purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    req->at_epoch_seconds = at;
    req->clock_provenance = prov;
    req->hostname = hostname;
    req->hostname_len = hostname_len;
    return CAPTLS_OK;
}

captls_result captls_certificate_chain_verify(
    const captls_certificate_chain *chain, const captls_trust_store *against,
    captls_cert_verifier *verifier, captls_cap_owner actor,
    int64_t at_epoch_seconds, captls_clock_provenance provenance,
    const char *hostname, size_t hostname_len,
    captls_verification_outcome *out)
{
    captls_verify_request req;
    CAPTLS_TRY(make_request(chain, at_epoch_seconds, provenance, hostname,
                            hostname_len, &req));
    return captls_cert_verifier_verify_chain(verifier, actor, against, &req,
                                             out);
}

captls_result captls_certificate_chain_cap_verify(
    const captls_certificate_chain *chain, const captls_cap_table *t,
    captls_cap_owner owner, captls_cap_handle verifier_h,
    captls_cap_handle trust_h, int64_t at_epoch_seconds,
    captls_clock_provenance provenance, const char *hostname,
    size_t hostname_len, captls_verification_outcome *out)
{
    captls_verify_request req;
    CAPTLS_TRY(make_request(chain, at_epoch_seconds, provenance, hostname,
                            hostname_len, &req));
    return captls_cert_verifier_cap_verify_chain(t, owner, verifier_h,
                                                 trust_h, &req, out);
}
