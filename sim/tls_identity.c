/* A TLS identity for simulator programs — see tls_identity.h. */
#include "sim/tls_identity.h"

#include <string.h>

#include "core/crypto/ed25519.h"
#include "core/crypto/pkcs8.h"

#define SCHEME_ED25519 0x0807u

static captls_result id_sign(void *ctx, uint16_t scheme, const uint8_t *msg,
                             size_t msg_len, uint8_t *sig, size_t sig_cap,
                             size_t *sig_len)
{
    sim_tls_identity *id = ctx;
    if (scheme != SCHEME_ED25519)
        return CAPTLS_ERR_UNSUPPORTED;
    if (sig_cap < CAPTLS_ED25519_SIGNATURE_SIZE)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    captls_ed25519_sign(sig, id->seed, id->pub, msg, msg_len);
    *sig_len = CAPTLS_ED25519_SIGNATURE_SIZE;
    return CAPTLS_OK;
}

static captls_result id_chain(void *ctx, captls_tls_chain *out)
{
    sim_tls_identity *id = ctx;
    if (id->use_store) {
        captls_tls_chain_source src;
        captls_cert_follower_source(&id->fol, &src);
        return src.get(src.ctx, out);
    }
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < id->nchain; i++)
        out->certs[i] = id->chain[i];
    out->count = id->nchain;
    return CAPTLS_OK;
}

void sim_tls_identity_signer(sim_tls_identity *id, captls_tls_signer *out)
{
    memset(out, 0, sizeof(*out));
    out->ctx = id;
    out->schemes[0] = SCHEME_ED25519;
    out->scheme_count = 1;
    out->sign = id_sign;
}

void sim_tls_identity_source(sim_tls_identity *id,
                             captls_tls_chain_source *out)
{
    memset(out, 0, sizeof(*out));
    out->ctx = id;
    out->get = id_chain;
}

bool sim_tls_identity_key(captls_sim_proc *p, sim_tls_identity *id,
                          const char *name)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const uint8_t *der = NULL;
    size_t len = 0;
    captls_private_key pk;
    captls_result r = name == NULL ? CAPTLS_ERR_NOT_FOUND
                                   : captls_sim_cert_find(k, name,
                                                          strlen(name), &der,
                                                          &len);
    if (r == CAPTLS_OK)
        r = captls_pkcs8_parse(der, len, &pk, NULL);
    if (r == CAPTLS_OK && (pk.type != CAPTLS_KEY_ED25519 ||
                           pk.secret_len != 32))
        r = CAPTLS_ERR_UNSUPPORTED;
    if (r == CAPTLS_OK) {
        memcpy(id->seed, pk.secret, 32);
        captls_ed25519_public_from_seed(id->pub, id->seed);
    }
    captls_private_key_wipe(&pk);
    if (r != CAPTLS_OK)
        captls_sim_log(k, p, NULL, "key %s: %s (need an Ed25519 PKCS#8 key)",
                       name != NULL ? name : "(none)", captls_result_name(r));
    return r == CAPTLS_OK;
}

bool sim_tls_identity_chain(captls_sim_proc *p, sim_tls_identity *id,
                            const char *list)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    id->nchain = 0;
    while (list != NULL && *list != '\0') {
        const char *plus = strchr(list, '+');
        size_t n = plus != NULL ? (size_t)(plus - list) : strlen(list);
        const uint8_t *der = NULL;
        size_t len = 0;
        captls_result r = captls_sim_cert_find(k, list, n, &der, &len);
        if (r == CAPTLS_OK && len == 0)
            r = CAPTLS_ERR_NOT_FOUND;
        if (r == CAPTLS_OK && id->nchain == SIM_TLS_ID_CHAIN)
            r = CAPTLS_ERR_LIMIT_EXCEEDED;
        if (r != CAPTLS_OK) {
            captls_sim_log(k, p, NULL, "chain %.*s: %s", (int)n, list,
                           captls_result_name(r));
            return false;
        }
        id->chain[id->nchain].ptr = der;
        id->chain[id->nchain].len = len;
        id->nchain++;
        list = plus != NULL ? plus + 1 : NULL;
    }
    return id->nchain > 0;
}

/* The follower's key check: the leaf's key is this identity's. */
static bool id_key_ok(void *ctx, const captls_certificate *leaf)
{
    sim_tls_identity *id = ctx;
    return leaf->key_status == CAPTLS_OK &&
           leaf->key.type == CAPTLS_KEY_ED25519 && leaf->key.point.len == 32 &&
           memcmp(leaf->key.point.ptr, id->pub, 32) == 0;
}

static captls_result store_put_chain(sim_tls_identity *id, uint64_t *version)
{
    return captls_cert_store_put(&id->cs, 1, id->csh, id->handle, id->chain,
                                 id->nchain, NULL, 0, version);
}

bool sim_tls_identity_store(captls_sim_proc *p, sim_tls_identity *id,
                            const char *h)
{
    const captls_port *port = captls_sim_proc_port(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    uint64_t v = 0;
    captls_result r = captls_cert_handle_valid(h) ? CAPTLS_OK
                                                   : CAPTLS_ERR_INVALID_ARGUMENT;
    if (r == CAPTLS_OK)
        memcpy(id->handle, h, strlen(h) + 1);
    if (r == CAPTLS_OK)
        r = captls_cap_table_init(&id->ctab, id->cslots, 4);
    if (r == CAPTLS_OK)
        r = captls_cert_store_init(&id->cs, port->store, &id->ctab, id->csubs,
                                   1, port->clock, port->audit);
    if (r == CAPTLS_OK)
        r = captls_cert_store_mint(&id->cs, 1, CAPTLS_RIGHTS_ALL, &id->csh);
    if (r == CAPTLS_OK)
        r = store_put_chain(id, &v);
    if (r == CAPTLS_OK)
        r = captls_cert_follower_init(&id->fol, &id->cs, 1, id->csh, h,
                                      id_key_ok, id, id->fbuf[0],
                                      id->fbuf[1], sizeof id->fbuf[0]);
    captls_sim_log(k, p, NULL, "store %s: version %llu: %s", h,
                   (unsigned long long)v, captls_result_name(r));
    id->use_store = r == CAPTLS_OK;
    return id->use_store;
}

void sim_tls_identity_rotate(captls_sim_proc *p, sim_tls_identity *id,
                             const char *arg, size_t len)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    char list[256];
    uint64_t v = 0;
    bool rotated = false, refused = false;
    size_t n = len < sizeof list ? len : 0;
    if (!id->use_store) {
        captls_sim_log(k, p, NULL, "rotate: no store= option");
        return;
    }
    memcpy(list, arg, n);
    list[n] = '\0';
    if (!sim_tls_identity_chain(p, id, list))
        return;
    captls_result r = store_put_chain(id, &v);
    captls_sim_log(k, p, NULL, "rotate: put %s version %llu: %s", id->handle,
                   (unsigned long long)v, captls_result_name(r));
    /* the watch subscription heard the put: follow it */
    r = captls_cert_follower_update(&id->fol, &rotated, &refused);
    if (rotated)
        captls_sim_log(k, p, NULL,
                       "rotation: %s version %llu served from the next "
                       "handshake",
                       id->handle, (unsigned long long)id->fol.version);
    if (refused)
        captls_sim_log(k, p, NULL,
                       "rotation refused: %s: the new leaf's key is not this "
                       "server's; still serving version %llu",
                       id->handle, (unsigned long long)id->fol.version);
    (void)r; /* neither rotated nor refused: nothing changed */
}
