/* http-01 challenge solver — see solver_http01.h. */
#include "core/acme/solver_http01.h"

#include <string.h>

#include "core/base/base64url.h"

#include "core/base/ct.h"

static const char not_found_text[] = "not found\n";
static const char bad_method_text[] = "method not allowed\n";

void captls_http01_init(captls_http01_solver *s)
{
    memset(s, 0, sizeof(*s));
}

void captls_http01_wipe(captls_http01_solver *s)
{
    captls_zeroize(s, sizeof(*s));
}

/* The live slot holding token, or -1. Every slot is compared. */
static int find(const captls_http01_solver *s, const char *token, size_t n)
{
    int hit = -1;
    char padded[CAPTLS_HTTP01_TOKEN_MAX];

    if (n == 0 || n > CAPTLS_HTTP01_TOKEN_MAX)
        return -1;
    memset(padded, 0, sizeof(padded));
    memcpy(padded, token, n);
    for (size_t i = 0; i < CAPTLS_HTTP01_MAX_TOKENS; i++) {
        const captls_http01_slot *sl = &s->slot[i];
        bool eq = captls_ct_equal(sl->token, padded, sizeof(padded));
        if (eq && sl->live && sl->token_len == n && hit < 0)
            hit = (int)i;
    }
    return hit;
}

captls_result captls_http01_publish(captls_http01_solver *s, const char *token,
                                    size_t token_len, const char *ka,
                                    size_t ka_len)
{
    int at;

    if (s == NULL || token == NULL || ka == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 8555 §8.3: the token MUST NOT contain characters outside the
     * base64url alphabet; §8.1: keyAuthorization = token || '.' ||
     * base64url(Thumbprint(accountKey)), a SHA-256 thumbprint (43). */
    if (token_len > CAPTLS_HTTP01_TOKEN_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (!captls_base64url_is_text(token, token_len) ||
        ka_len != token_len + 1u + CAPTLS_HTTP01_THUMBPRINT_LEN ||
        memcmp(ka, token, token_len) != 0 || ka[token_len] != '.' ||
        !captls_base64url_is_text(ka + token_len + 1, CAPTLS_HTTP01_THUMBPRINT_LEN))
        return CAPTLS_ERR_MALFORMED;
    at = find(s, token, token_len);
    if (at >= 0) {
        const captls_http01_slot *sl = &s->slot[at];
        if (sl->keyauth_len == ka_len && memcmp(sl->keyauth, ka, ka_len) == 0)
            return CAPTLS_OK;
        return CAPTLS_ERR_ALREADY_EXISTS;
    }
    for (size_t i = 0; i < CAPTLS_HTTP01_MAX_TOKENS; i++) {
        captls_http01_slot *sl = &s->slot[i];
        if (sl->live)
            continue;
        memset(sl, 0, sizeof(*sl));
        memcpy(sl->token, token, token_len);
        sl->token_len = (uint8_t)token_len;
        memcpy(sl->keyauth, ka, ka_len);
        sl->keyauth_len = (uint16_t)ka_len;
        sl->live = true;
        return CAPTLS_OK;
    }
    return CAPTLS_ERR_TABLE_FULL;
}

void captls_http01_retire(captls_http01_solver *s, const char *token,
                          size_t token_len)
{
    int at = find(s, token, token_len);

    if (at >= 0)
        captls_zeroize(&s->slot[at], sizeof(s->slot[at]));
}

size_t captls_http01_live_count(const captls_http01_solver *s)
{
    size_t n = 0;

    for (size_t i = 0; i < CAPTLS_HTTP01_MAX_TOKENS; i++)
        n += s->slot[i].live ? 1u : 0u;
    return n;
}

void captls_http01_route(captls_http01_solver *s, const uint8_t *method,
                         size_t method_len, const uint8_t *target,
                         size_t target_len, captls_http01_answer *out)
{
    static const size_t plen = sizeof(CAPTLS_HTTP01_PREFIX) - 1u;
    int at = -1;

    memset(out, 0, sizeof(*out));
    /* RFC 8555 §8.3: the validation is a GET; RFC 9110 §15.5.6: a 405
     * MUST carry Allow. */
    if (method_len != 3 || memcmp(method, "GET", 3) != 0) {
        s->bad_method++;
        out->status = 405;
        out->allow = "GET";
        out->content_type = "text/plain";
        out->body = (const uint8_t *)bad_method_text;
        out->body_len = sizeof(bad_method_text) - 1u;
        return;
    }
    /* Octet-exact: the prefix, then a base64url token and nothing else.
     * '%', '.', '/', '?' and '#' are outside the alphabet, so encoded,
     * traversing, nested and query forms all fail here; nothing is
     * decoded or normalized. */
    if (target_len > plen && memcmp(target, CAPTLS_HTTP01_PREFIX, plen) == 0 &&
        captls_base64url_is_text((const char *)target + plen, target_len - plen))
        at = find(s, (const char *)target + plen, target_len - plen);
    if (at < 0) {
        s->not_found++;
        out->status = 404;
        out->content_type = "text/plain";
        out->body = (const uint8_t *)not_found_text;
        out->body_len = sizeof(not_found_text) - 1u;
        return;
    }
    s->served++;
    out->status = 200;
    out->content_type = "application/octet-stream";
    out->body = (const uint8_t *)s->slot[at].keyauth;
    out->body_len = s->slot[at].keyauth_len;
}

/* ---- the ChallengeSolver capability --------------------------------- */
static size_t cap_supports(void *ctx, captls_acme_challenge_type *types,
                           size_t max)
{
    (void)ctx;
    if (max == 0)
        return 0;
    types[0] = CAPTLS_ACME_CHALLENGE_HTTP01;
    return 1;
}

static captls_result cap_solve(void *ctx, const captls_acme_challenge *ch)
{
    if (ch == NULL || ch->type != CAPTLS_ACME_CHALLENGE_HTTP01)
        return CAPTLS_ERR_UNSUPPORTED;
    return captls_http01_publish(ctx, ch->token, ch->token_len,
                                 ch->key_authorization,
                                 ch->key_authorization_len);
}

static void cap_cleanup(void *ctx, const captls_acme_challenge *ch)
{
    if (ch != NULL && ch->type == CAPTLS_ACME_CHALLENGE_HTTP01)
        captls_http01_retire(ctx, ch->token, ch->token_len);
}

captls_acme_solver captls_http01_solver_cap(captls_http01_solver *s)
{
    captls_acme_solver c;

    c.ctx = s;
    c.supports = cap_supports;
    c.solve = cap_solve;
    c.cleanup = cap_cleanup;
    return c;
}
