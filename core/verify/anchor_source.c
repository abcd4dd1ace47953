/* core/verify/anchor_source.c — an anchor source over an array of parsed
 * certificates (see verify_chain.h). Linear scan: stores with many anchors
 * (the Mozilla roots) index by subject in core/trust. */
#include "core/verify/verify_chain.h"

#include <string.h>

static captls_result list_next(void *ctx, const captls_x509_name *issuer,
                               size_t *cursor, captls_trust_anchor *out)
{
    const captls_anchor_cert_list *l = ctx;
    while (*cursor < l->count) {
        size_t i = (*cursor)++;
        const captls_certificate *c = l->certs[i];
        if (c == NULL || !captls_x509_name_equal(&c->subject, issuer))
            continue;
        memset(out, 0, sizeof *out);
        out->cert = c;
        out->subject = c->subject;
        out->spki = c->spki_raw;
        out->key_id = c->ski_present ? c->ski : (captls_slice){NULL, 0};
        out->id = (uint32_t)i;
        return CAPTLS_OK;
    }
    return CAPTLS_ERR_NOT_FOUND;
}

void captls_anchor_source_from_certs(captls_anchor_source *src,
                                     captls_anchor_cert_list *list,
                                     uint64_t version)
{
    src->ctx = list;
    src->next_by_subject = list_next;
    src->version = version;
}
