/* Session-ticket keys with rotation. See ticket_key.h. */
#include "core/tls/ticket_key.h"

#include <string.h>

#include "core/base/ct.h"

_Static_assert(CAPTLS_TLS_TICKET_KEY_OVERHEAD <= CAPTLS_TLS_TICKET_OVERHEAD,
               "ticket overhead fits the config's promise");

/* Draws a name and an AES-256 key into a fresh slot; the key bytes are
 * wiped before returning. */
static captls_result draw_slot(const captls_entropy *e,
                               captls_tls_ticket_key_slot *slot)
{
    uint8_t key[32];
    captls_result r;
    memset(slot, 0, sizeof(*slot));
    r = e->fill(e->ctx, slot->name, sizeof(slot->name));
    if (r == CAPTLS_OK)
        r = e->fill(e->ctx, key, sizeof(key));
    if (r == CAPTLS_OK)
        r = captls_aead_ctx_init(&slot->aead, CAPTLS_AEAD_AES_256_GCM, key,
                                 sizeof(key));
    else
        r = CAPTLS_ERR_ENTROPY_FAILURE; /* whatever the source said */
    captls_zeroize(key, sizeof(key));
    if (r != CAPTLS_OK) {
        captls_zeroize(slot, sizeof(*slot));
        return r;
    }
    slot->present = true;
    return CAPTLS_OK;
}

captls_result captls_tls_ticket_keys_init(captls_tls_ticket_keys *k,
                                          captls_entropy entropy)
{
    if (k == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_zeroize(k, sizeof(*k));
    if (entropy.fill == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    k->entropy = entropy;
    captls_result r = draw_slot(&k->entropy, &k->current);
    if (r != CAPTLS_OK)
        captls_zeroize(k, sizeof(*k)); /* unusable: no entropy, no seal */
    return r;
}

captls_result captls_tls_ticket_keys_rotate(captls_tls_ticket_keys *k)
{
    captls_tls_ticket_key_slot fresh;
    if (k == NULL || k->entropy.fill == NULL || !k->current.present)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(draw_slot(&k->entropy, &fresh));
    /* A repeated name means a repeating source: fail closed rather than
     * hold two keys answering to one name. */
    if (captls_ct_equal(fresh.name, k->current.name, sizeof(fresh.name)) ||
        (k->previous.present &&
         captls_ct_equal(fresh.name, k->previous.name, sizeof(fresh.name)))) {
        captls_zeroize(&fresh, sizeof(fresh));
        return CAPTLS_ERR_ENTROPY_FAILURE;
    }
    captls_zeroize(&k->previous, sizeof(k->previous));
    k->previous = k->current;
    k->current = fresh;
    captls_zeroize(&fresh, sizeof(fresh));
    return CAPTLS_OK;
}

void captls_tls_ticket_keys_destroy(captls_tls_ticket_keys *k)
{
    if (k != NULL)
        captls_zeroize(k, sizeof(*k));
}

captls_result captls_tls_ticket_keys_seal(captls_tls_ticket_keys *k,
                                          const uint8_t *plain,
                                          size_t plain_len, uint8_t *out,
                                          size_t out_cap, size_t *out_len)
{
    const size_t hdr = CAPTLS_TLS_TICKET_KEY_NAME_SIZE + CAPTLS_AEAD_NONCE_SIZE;
    uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE];
    if (k == NULL || out == NULL || out_len == NULL ||
        (plain == NULL && plain_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!k->current.present || k->entropy.fill == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT; /* destroyed or failed init */
    if (plain_len > SIZE_MAX - CAPTLS_TLS_TICKET_KEY_OVERHEAD ||
        out_cap < plain_len + CAPTLS_TLS_TICKET_KEY_OVERHEAD)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    /* SP 800-38D §5.2.1.1: GCM plaintext <= 2^39 - 256 bits (checked here
     * so that the seal below cannot fail after out was written). */
    if ((uint64_t)plain_len > ((uint64_t)1 << 36) - 32 ||
        k->current.seals >= CAPTLS_TLS_TICKET_KEY_MAX_SEALS)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (k->entropy.fill(k->entropy.ctx, nonce, sizeof(nonce)) != CAPTLS_OK)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    uint8_t *ct = out + hdr;
    if (plain_len != 0)
        memmove(ct, plain, plain_len);
    captls_result r = captls_aead_ctx_seal(
        &k->current.aead, nonce, k->current.name,
        CAPTLS_TLS_TICKET_KEY_NAME_SIZE, ct, plain_len, ct + plain_len);
    if (r != CAPTLS_OK) {
        captls_zeroize(ct, plain_len); /* nothing written on failure */
        return r;
    }
    memcpy(out, k->current.name, CAPTLS_TLS_TICKET_KEY_NAME_SIZE);
    memcpy(out + CAPTLS_TLS_TICKET_KEY_NAME_SIZE, nonce, sizeof(nonce));
    k->current.seals++;
    *out_len = plain_len + CAPTLS_TLS_TICKET_KEY_OVERHEAD;
    return CAPTLS_OK;
}

captls_result captls_tls_ticket_keys_open(captls_tls_ticket_keys *k,
                                          const uint8_t *ticket, size_t len,
                                          uint8_t *plain, size_t plain_cap,
                                          size_t *plain_len)
{
    const size_t hdr = CAPTLS_TLS_TICKET_KEY_NAME_SIZE + CAPTLS_AEAD_NONCE_SIZE;
    if (k == NULL || plain_len == NULL || (ticket == NULL && len != 0) ||
        (plain == NULL && plain_cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (len < CAPTLS_TLS_TICKET_KEY_OVERHEAD)
        return CAPTLS_ERR_AUTH_FAILED;
    size_t ct_len = len - CAPTLS_TLS_TICKET_KEY_OVERHEAD;
    /* Pick the key by name (public, but compare in constant time anyway). */
    const captls_tls_ticket_key_slot *slot = NULL;
    if (k->current.present &&
        captls_ct_equal(ticket, k->current.name, CAPTLS_TLS_TICKET_KEY_NAME_SIZE))
        slot = &k->current;
    else if (k->previous.present &&
             captls_ct_equal(ticket, k->previous.name,
                             CAPTLS_TLS_TICKET_KEY_NAME_SIZE))
        slot = &k->previous;
    if (slot == NULL)
        return CAPTLS_ERR_AUTH_FAILED; /* unknown or retired key */
    if (plain_cap < ct_len)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (ct_len != 0)
        memcpy(plain, ticket + hdr, ct_len);
    captls_result r = captls_aead_ctx_open(
        &slot->aead, ticket + CAPTLS_TLS_TICKET_KEY_NAME_SIZE, ticket,
        CAPTLS_TLS_TICKET_KEY_NAME_SIZE, ct_len != 0 ? plain : NULL, ct_len,
        ticket + hdr + ct_len);
    if (r != CAPTLS_OK) {
        captls_zeroize(plain, ct_len); /* the AEAD wiped it; be explicit */
        return CAPTLS_ERR_AUTH_FAILED;
    }
    *plain_len = ct_len;
    return CAPTLS_OK;
}

static captls_result iface_seal(void *ctx, const uint8_t *plain,
                                size_t plain_len, uint8_t *out, size_t out_cap,
                                size_t *out_len)
{
    return captls_tls_ticket_keys_seal((captls_tls_ticket_keys *)ctx, plain,
                                       plain_len, out, out_cap, out_len);
}

static captls_result iface_open(void *ctx, const uint8_t *ticket, size_t len,
                                uint8_t *plain, size_t plain_cap,
                                size_t *plain_len)
{
    return captls_tls_ticket_keys_open((captls_tls_ticket_keys *)ctx, ticket,
                                       len, plain, plain_cap, plain_len);
}

void captls_tls_ticket_keys_iface(captls_tls_ticket_keys *k,
                                  captls_tls_ticket_key *out)
{
    if (out == NULL)
        return;
    out->ctx = k;
    out->seal = k != NULL ? iface_seal : NULL;
    out->open = k != NULL ? iface_open : NULL;
}
