/* sim/kernel_caps.c — badged caps, named received caps and the scenario's
 * certificates. See sim.h. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

captls_result captls_sim_proc_mint_badged(captls_sim_proc *p,
                                          captls_interface_id iface,
                                          captls_rights rights,
                                          uint32_t badge,
                                          captls_cap_handle *out)
{
    captls_cap_handle root;
    if (p == NULL || iface == CAPTLS_IFACE_ANY || badge == 0 || out == NULL ||
        !p->alive)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (p->nbadges >= SIM_PROC_BADGES)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    captls_sim_kernel *k = p->k;
    CAPTLS_TRY(captls_cap_mint(&k->caps, CAPTLS_SIM_KERNEL_OWNER, iface, p,
                               CAPTLS_RIGHTS_ALL, &root));
    captls_result r = sim_give_child(k, root, p, rights, out);
    if (r != CAPTLS_OK) {
        captls_result d =
            captls_cap_drop(&k->caps, CAPTLS_SIM_KERNEL_OWNER, root);
        (void)d; /* just minted: cannot fail */
        return r;
    }
    p->badges[p->nbadges].root = root;
    p->badges[p->nbadges].badge = badge;
    p->nbadges++;
    return CAPTLS_OK;
}

captls_result captls_sim_proc_mint_object(captls_sim_proc *p,
                                          captls_interface_id iface,
                                          void *object, captls_rights rights,
                                          captls_cap_handle *out)
{
    if (p == NULL || iface == CAPTLS_IFACE_ANY || object == NULL ||
        out == NULL || !p->alive)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (p->nminted >= SIM_PROC_MINTED)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    CAPTLS_TRY(captls_cap_mint(&p->k->caps, captls_sim_proc_owner(p), iface,
                               object, rights, out));
    p->minted[p->nminted++] = *out; /* held by design: not a leak */
    return CAPTLS_OK;
}

captls_result captls_sim_proc_cap_name(captls_sim_proc *p, const char *name,
                                       captls_cap_handle h)
{
    captls_cap_info info;
    if (p == NULL || name == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_cap_lookup(&p->k->caps, captls_sim_proc_owner(p), h,
                                 CAPTLS_IFACE_ANY, 0, &info));
    for (unsigned i = 0; i < p->ncaps; i++) {
        if (strcmp(p->caps[i].name, name) == 0)
            return CAPTLS_ERR_ALREADY_EXISTS;
    }
    if (p->ncaps >= CAPTLS_SIM_PROC_CAPS)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    sim_named_cap *nc = &p->caps[p->ncaps];
    memset(nc, 0, sizeof(*nc));
    if (!sim_name_copy(nc->name, name))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    nc->h = h;
    nc->rights = info.rights;
    nc->received = true;
    p->ncaps++;
    return CAPTLS_OK;
}

captls_result captls_sim_cert_add(captls_sim_kernel *k, const char *name,
                                  const uint8_t *der, size_t len)
{
    if (k == NULL || name == NULL || (der == NULL && len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < k->ncerts; i++) {
        if (strcmp(k->certs[i].name, name) == 0)
            return CAPTLS_ERR_ALREADY_EXISTS;
    }
    if (k->ncerts == k->certs_cap) {
        uint32_t ncap = k->certs_cap ? k->certs_cap * 2 : 8;
        if (ncap > 4096u)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        sim_cert *nc = realloc(k->certs, ncap * sizeof(*nc));
        if (nc == NULL)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        k->certs = nc;
        k->certs_cap = ncap;
    }
    sim_cert *c = &k->certs[k->ncerts];
    if (!sim_name_copy(c->name, name))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    c->der = der;
    c->len = len;
    k->ncerts++;
    return CAPTLS_OK;
}

captls_result captls_sim_cert_find(const captls_sim_kernel *k,
                                   const char *name, size_t name_len,
                                   const uint8_t **der, size_t *len)
{
    if (k == NULL || name == NULL || der == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < k->ncerts; i++) {
        const sim_cert *c = &k->certs[i];
        if (strlen(c->name) == name_len &&
            memcmp(c->name, name, name_len) == 0) {
            *der = c->der;
            *len = c->len;
            return CAPTLS_OK;
        }
    }
    return CAPTLS_ERR_NOT_FOUND;
}
