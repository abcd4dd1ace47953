/* core/verify/anchor_source.c — an anchor source over an array of parsed
 * certificates (see verify_chain.h). Linear scan: stores with many anchors
 * (the Mozilla roots) index by subject in core/trust. */
#include "core/verify/verify_chain.h"

#include <string.h>

#include "core/verify/profile_rules.h"

void captls_anchor_cert_data_from(const captls_certificate *cert,
                                  captls_anchor_cert_data *out)
{
    memset(out, 0, sizeof *out);
    out->present = true;
    out->version = cert->version;
    out->bc_present = cert->bc_present;
    out->bc_critical = cert->bc_critical;
    out->bc_ca = cert->bc_ca;
    out->bc_pathlen_present = cert->bc_present && cert->bc_pathlen_present;
    out->bc_pathlen = cert->bc_pathlen;
    out->key_usage_present = cert->key_usage_present;
    out->key_usage = cert->key_usage;
    out->not_before = cert->not_before;
    out->not_after = cert->not_after;
    out->unknown_critical_count =
        (uint8_t)(cert->unknown_critical_count > 255u
                      ? 255u
                      : cert->unknown_critical_count);
    out->profile_faults = captls_profile_faults(cert);
    out->eku_present = cert->eku_present;
    out->eku_known = cert->eku_known;
}

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
        captls_anchor_cert_data_from(c, &out->data);
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
