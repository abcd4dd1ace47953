/* core/acme/acme_server.c — an ACME server's request checks; see
 * acme_server.h. */
#include "core/acme/acme_server.h"

#include <string.h>

static bool b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_';
}

captls_result captls_acme_srv_nonces_init(captls_acme_srv_nonces *t,
                                          const char *prefix)
{
    if (t == NULL || prefix == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t n = strlen(prefix);
    if (n > CAPTLS_ACME_SRV_PREFIX_MAX)
        return CAPTLS_ERR_MALFORMED;
    for (size_t i = 0; i < n; i++)
        if (!b64url_char(prefix[i]))
            return CAPTLS_ERR_MALFORMED;
    memset(t, 0, sizeof(*t));
    memcpy(t->prefix, prefix, n);
    t->prefix_len = n;
    return CAPTLS_OK;
}

size_t captls_acme_srv_nonce_issue(captls_acme_srv_nonces *t,
                                   char out[CAPTLS_ACME_SRV_NONCE_MAX + 1])
{
    char digits[10];
    size_t nd = 0;
    uint32_t v = ++t->counter;
    /* "0" never occurs: the counter starts at 1 (and wraps after 2^32,
     * long after the table forgot the nonces that could collide) */
    do {
        digits[nd++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && nd < sizeof(digits));
    unsigned slot = (unsigned)(t->counter % CAPTLS_ACME_SRV_NONCES);
    char *dst = t->issued[slot];
    memcpy(dst, t->prefix, t->prefix_len);
    for (size_t i = 0; i < nd; i++)
        dst[t->prefix_len + i] = digits[nd - 1 - i];
    size_t len = t->prefix_len + nd;
    dst[len] = '\0';
    t->len[slot] = (uint8_t)len;
    t->used[slot] = 0;
    memcpy(out, dst, len + 1);
    return len;
}

bool captls_acme_srv_nonce_take(captls_acme_srv_nonces *t, const char *n,
                                size_t len)
{
    if (t == NULL || n == NULL || len == 0 || len > CAPTLS_ACME_SRV_NONCE_MAX)
        return false;
    for (unsigned i = 0; i < CAPTLS_ACME_SRV_NONCES; i++) {
        if (t->len[i] == len && !t->used[i] &&
            memcmp(t->issued[i], n, len) == 0) {
            t->used[i] = 1;
            return true;
        }
    }
    return false;
}

captls_acme_srv_verdict captls_acme_srv_check(
    captls_acme_srv_nonces *t, captls_acme_srv_scratch *s,
    const captls_acme_srv_request *q, uint8_t *payload, size_t cap,
    size_t *payload_len, captls_jwk *jwk_out)
{
    captls_jws_parsed *j = &s->jws;
    const captls_jwk *key;
    if (t == NULL || s == NULL || q == NULL || q->url == NULL ||
        (q->body == NULL && q->body_len != 0) || payload_len == NULL ||
        (payload == NULL && cap != 0))
        return CAPTLS_ACME_SRV_BAD_JWS;
    *payload_len = 0;
    if (captls_jws_parse((const char *)q->body, q->body_len, s->tok,
                         CAPTLS_ACME_SRV_TOKENS, s->hdr, sizeof(s->hdr),
                         j) != CAPTLS_OK)
        return CAPTLS_ACME_SRV_BAD_JWS;
    /* §6.4: the url header names the resource the request was sent to */
    if (j->url_len != q->url_len || memcmp(j->url, q->url, q->url_len) != 0)
        return CAPTLS_ACME_SRV_BAD_JWS;
    /* §6.2: jwk for newAccount (and revocation by certificate key, not
     * served here), kid = the account URL for everything else */
    if (q->new_account) {
        if (!j->has_jwk)
            return CAPTLS_ACME_SRV_BAD_JWS;
        key = &j->jwk;
    } else {
        if (j->has_jwk)
            return CAPTLS_ACME_SRV_BAD_JWS;
        if (q->account == NULL || q->account_url == NULL)
            return CAPTLS_ACME_SRV_NO_ACCOUNT;
        if (j->kid_len != q->account_url_len ||
            memcmp(j->kid, q->account_url, q->account_url_len) != 0)
            return CAPTLS_ACME_SRV_BAD_JWS;
        key = q->account;
    }
    if (captls_jws_verify(j, key, s->verify, sizeof(s->verify)) != CAPTLS_OK)
        return CAPTLS_ACME_SRV_BAD_JWS;
    /* §6.5: only an authentic request spends its nonce */
    if (!captls_acme_srv_nonce_take(t, j->nonce, j->nonce_len))
        return CAPTLS_ACME_SRV_BAD_NONCE;
    captls_result r = captls_jws_payload(j, payload, cap, payload_len);
    if (r == CAPTLS_ERR_BUFFER_TOO_SMALL || r == CAPTLS_ERR_LIMIT_EXCEEDED)
        return CAPTLS_ACME_SRV_TOO_LARGE;
    if (r != CAPTLS_OK)
        return CAPTLS_ACME_SRV_BAD_JWS;
    if (q->new_account && jwk_out != NULL)
        *jwk_out = j->jwk;
    return CAPTLS_ACME_SRV_OK;
}

const char *captls_acme_srv_verdict_name(captls_acme_srv_verdict v)
{
    switch (v) {
    case CAPTLS_ACME_SRV_OK:
        return "ok";
    case CAPTLS_ACME_SRV_BAD_JWS:
        return "bad-jws";
    case CAPTLS_ACME_SRV_BAD_NONCE:
        return "bad-nonce";
    case CAPTLS_ACME_SRV_NO_ACCOUNT:
        return "no-account";
    case CAPTLS_ACME_SRV_TOO_LARGE:
        return "too-large";
    }
    return "?";
}
