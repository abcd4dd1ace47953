/* PEM certificate chains and the static chain source. See pem_chain.h. */
#include "core/tls/pem_chain.h"

#include <string.h>

#include "core/base/pem.h"

captls_result captls_tls_pem_chain_parse(const uint8_t *pem, size_t len,
                                         uint8_t *der_buf, size_t der_cap,
                                         captls_tls_chain *out,
                                         size_t *der_used)
{
    captls_tls_chain c;
    size_t pos = 0, used = 0;
    if ((pem == NULL && len != 0) || (der_buf == NULL && der_cap != 0) ||
        out == NULL || der_used == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(&c, 0, sizeof(c));
    for (;;) {
        captls_pem_block b;
        size_t n = 0;
        uint32_t tag;
        captls_result r = captls_pem_next(pem, len, &pos, &b);
        if (r == CAPTLS_EOF)
            break;
        CAPTLS_TRY(r);
        if (!captls_pem_label_is(&b, "CERTIFICATE"))
            continue;
        if (c.count == CAPTLS_TLS_MAX_CHAIN)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        CAPTLS_TRY(captls_pem_decode(&b, der_buf + used, der_cap - used, &n));
        /* One well-formed DER element, a SEQUENCE (a Certificate's shape). */
        CAPTLS_TRY(captls_der_validate(der_buf + used, n, NULL, NULL));
        captls_der d;
        captls_der_init(&d, der_buf + used, n, NULL);
        CAPTLS_TRY(captls_der_peek_tag(&d, &tag));
        if (tag != CAPTLS_DER_SEQUENCE)
            return CAPTLS_ERR_MALFORMED;
        c.certs[c.count].ptr = der_buf + used;
        c.certs[c.count].len = n;
        c.count++;
        used += n;
    }
    if (c.count == 0)
        return CAPTLS_ERR_NOT_FOUND;
    *out = c;
    *der_used = used;
    return CAPTLS_OK;
}

static captls_result static_get(void *ctx, captls_tls_chain *out)
{
    const captls_tls_chain *chain = ctx;
    if (chain == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *out = *chain;
    return CAPTLS_OK;
}

void captls_tls_static_chain_source(const captls_tls_chain *chain,
                                    captls_tls_chain_source *out)
{
    if (out == NULL)
        return;
    /* get() only reads through ctx; the vtable's ctx is non-const. */
    out->ctx = (void *)(uintptr_t)chain;
    out->get = static_get;
}
