/* dns-01 challenge solver — see solver_dns01.h. */
#include "core/acme/solver_dns01.h"

#include <string.h>

#include "core/base/base64url.h"
#include "core/base/ct.h"
#include "core/crypto/hash.h"

#define LABEL_LEN (sizeof(CAPTLS_DNS01_LABEL) - 1u)
/* "_acme-challenge." + name + "." must fit CAPTLS_DNS01_FQDN_MAX. */
#define NAME_FITS (CAPTLS_DNS01_FQDN_MAX - LABEL_LEN - 2u)

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* An LDH host name (RFC 1123 §2.1): labels of 1..63 letters, digits and
 * '-', not starting or ending with '-', 1..253 octets, no trailing dot.
 * '*' and '_' fail here: they never name a host a certificate covers. */
static bool is_host_name(const char *s, size_t n)
{
    size_t label = 0;

    if (n == 0 || n > CAPTLS_DNS01_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return false;
        if (c == '-' && label == 0)
            return false;
        if (++label > 63)
            return false;
    }
    return label != 0 && s[n - 1] != '-';
}

/* name without a leading "*." (a wildcard authorization publishes for its
 * base domain, RFC 8555 §8.4), then checked as a host name. */
static captls_result base_name(const char *name, size_t n, const char **base,
                               size_t *base_len)
{
    if (name == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (n >= 2 && name[0] == '*' && name[1] == '.') {
        name += 2;
        n -= 2;
    }
    if (!is_host_name(name, n))
        return n > CAPTLS_DNS01_NAME_MAX ? CAPTLS_ERR_LIMIT_EXCEEDED
                                         : CAPTLS_ERR_MALFORMED;
    *base = name;
    *base_len = n;
    return CAPTLS_OK;
}

captls_result captls_dns01_init(captls_dns01_solver *s,
                                const captls_acme_dns_updater *u)
{
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(s, 0, sizeof(*s));
    if (u == NULL || u->set_txt == NULL || u->clear_txt == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    s->updater = *u;
    return CAPTLS_OK;
}

void captls_dns01_wipe(captls_dns01_solver *s)
{
    if (s != NULL)
        captls_zeroize(s, sizeof(*s));
}

captls_result captls_dns01_add_zone(captls_dns01_solver *s, const char *zone,
                                    size_t len)
{
    const char *base;
    size_t n;

    if (s == NULL || zone == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* An operator may write the zone absolute ("example.com."). */
    if (len > 1 && zone[len - 1] == '.')
        len--;
    CAPTLS_TRY(base_name(zone, len, &base, &n));
    for (size_t i = 0; i < s->zone_count; i++) {
        bool same = s->zone_len[i] == n;
        for (size_t j = 0; same && j < n; j++)
            same = s->zone[i][j] == lower(base[j]);
        if (same)
            return CAPTLS_OK;
    }
    if (s->zone_count >= CAPTLS_DNS01_MAX_ZONES)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    for (size_t j = 0; j < n; j++)
        s->zone[s->zone_count][j] = lower(base[j]);
    s->zone_len[s->zone_count] = (uint8_t)n;
    s->zone_count++;
    return CAPTLS_OK;
}

captls_result captls_dns01_txt_value(const char *ka, size_t ka_len,
                                     char out[CAPTLS_DNS01_VALUE_LEN])
{
    uint8_t digest[CAPTLS_HASH_MAX_SIZE];
    size_t n = 0;
    captls_result r;

    if (ka == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 8555 §8.4: the record's value is base64url(SHA-256(keyAuth)). */
    CAPTLS_TRY(captls_hash(CAPTLS_HASH_SHA256, ka, ka_len, digest));
    r = captls_base64url_encode(digest, 32, out, CAPTLS_DNS01_VALUE_LEN, &n);
    captls_zeroize(digest, sizeof(digest));
    if (r == CAPTLS_OK && n != CAPTLS_DNS01_VALUE_LEN)
        r = CAPTLS_ERR_INTERNAL;
    return r;
}

captls_result captls_dns01_record_name(const char *name, size_t name_len,
                                       char *out, size_t cap, size_t *out_len)
{
    const char *base;
    size_t n, total;

    if (out == NULL || out_len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(base_name(name, name_len, &base, &n));
    if (n > NAME_FITS)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    total = LABEL_LEN + 1u + n + 1u;
    if (cap < total)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(out, CAPTLS_DNS01_LABEL, LABEL_LEN);
    out[LABEL_LEN] = '.';
    for (size_t i = 0; i < n; i++)
        out[LABEL_LEN + 1u + i] = lower(base[i]);
    out[total - 1u] = '.'; /* absolute: the trailing root dot */
    *out_len = total;
    return CAPTLS_OK;
}

/* Does a zone cover the (lower-case) name? Equal, or the name ends with
 * "." zone: suffixes only on label boundaries. */
static bool in_zones(const captls_dns01_solver *s, const char *name, size_t n)
{
    for (size_t i = 0; i < s->zone_count; i++) {
        size_t z = s->zone_len[i];
        if (z > n || memcmp(name + (n - z), s->zone[i], z) != 0)
            continue;
        if (z == n || name[n - z - 1u] == '.')
            return true;
    }
    return false;
}

/* RFC 8555 §8.1: keyAuthorization = token || '.' || base64url(JWK
 * thumbprint), a SHA-256 thumbprint of 43 characters. */
static bool is_key_authorization(const char *ka, size_t n)
{
    size_t tlen;

    if (n < 2u + CAPTLS_DNS01_THUMBPRINT_LEN ||
        n > CAPTLS_DNS01_TOKEN_MAX + 1u + CAPTLS_DNS01_THUMBPRINT_LEN)
        return false;
    tlen = n - 1u - CAPTLS_DNS01_THUMBPRINT_LEN;
    return captls_base64url_is_text(ka, tlen) && ka[tlen] == '.' &&
           captls_base64url_is_text(ka + tlen + 1u, CAPTLS_DNS01_THUMBPRINT_LEN);
}

static int find(const captls_dns01_solver *s, const char *fqdn, size_t n,
                const char *value)
{
    for (size_t i = 0; i < CAPTLS_DNS01_MAX_RECORDS; i++) {
        const captls_dns01_record *r = &s->rec[i];
        if (r->live && r->fqdn_len == n && memcmp(r->fqdn, fqdn, n) == 0 &&
            memcmp(r->value, value, CAPTLS_DNS01_VALUE_LEN) == 0)
            return (int)i;
    }
    return -1;
}

/* The record (fqdn, value) a (name, key authorization) pair publishes,
 * after every check that does not need the zones. */
static captls_result derive(const char *name, size_t name_len, const char *ka,
                            size_t ka_len, char fqdn[CAPTLS_DNS01_FQDN_MAX],
                            size_t *fqdn_len,
                            char value[CAPTLS_DNS01_VALUE_LEN])
{
    if (ka == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_dns01_record_name(name, name_len, fqdn,
                                        CAPTLS_DNS01_FQDN_MAX, fqdn_len));
    if (!is_key_authorization(ka, ka_len))
        return CAPTLS_ERR_MALFORMED;
    return captls_dns01_txt_value(ka, ka_len, value);
}

captls_result captls_dns01_publish(captls_dns01_solver *s, const char *name,
                                   size_t name_len, const char *ka,
                                   size_t ka_len)
{
    char fqdn[CAPTLS_DNS01_FQDN_MAX], value[CAPTLS_DNS01_VALUE_LEN];
    size_t fqdn_len = 0;
    int at;
    captls_result r;

    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(derive(name, name_len, ka, ka_len, fqdn, &fqdn_len, value));
    /* The zone check runs on the host name inside the record name
     * (between "_acme-challenge." and the root dot), before anything
     * reaches the updater. */
    if (!in_zones(s, fqdn + LABEL_LEN + 1u, fqdn_len - LABEL_LEN - 2u)) {
        s->refused++;
        return CAPTLS_ERR_NO_AUTHORITY;
    }
    at = find(s, fqdn, fqdn_len, value);
    if (at >= 0) {
        if (s->rec[at].refs == UINT16_MAX)
            return CAPTLS_ERR_LIMIT_EXCEEDED;
        s->rec[at].refs++;
        return CAPTLS_OK;
    }
    for (size_t i = 0; i < CAPTLS_DNS01_MAX_RECORDS; i++) {
        captls_dns01_record *rec = &s->rec[i];
        if (rec->live)
            continue;
        r = s->updater.set_txt(s->updater.ctx, fqdn, fqdn_len, value,
                               CAPTLS_DNS01_VALUE_LEN);
        if (r != CAPTLS_OK)
            return captls_result_is_error(r) ? r : CAPTLS_ERR_INTERNAL;
        memset(rec, 0, sizeof(*rec));
        memcpy(rec->fqdn, fqdn, fqdn_len);
        rec->fqdn_len = (uint16_t)fqdn_len;
        memcpy(rec->value, value, CAPTLS_DNS01_VALUE_LEN);
        rec->refs = 1;
        rec->live = true;
        s->published++;
        return CAPTLS_OK;
    }
    return CAPTLS_ERR_TABLE_FULL;
}

void captls_dns01_retire(captls_dns01_solver *s, const char *name,
                         size_t name_len, const char *ka, size_t ka_len)
{
    char fqdn[CAPTLS_DNS01_FQDN_MAX], value[CAPTLS_DNS01_VALUE_LEN];
    size_t fqdn_len = 0;
    captls_dns01_record *rec;
    captls_result r;
    int at;

    if (s == NULL ||
        derive(name, name_len, ka, ka_len, fqdn, &fqdn_len, value) != CAPTLS_OK)
        return;
    at = find(s, fqdn, fqdn_len, value);
    if (at < 0)
        return; /* never set (or already cleared): nothing to clear */
    rec = &s->rec[at];
    if (--rec->refs > 0)
        return;
    r = s->updater.clear_txt(s->updater.ctx, rec->fqdn, rec->fqdn_len,
                             rec->value, CAPTLS_DNS01_VALUE_LEN);
    if (r != CAPTLS_OK) {
        s->clear_failed++;
        s->last_clear_error = r;
    } else {
        s->cleared++;
    }
    /* Emptied either way: a slot that can never be cleared would otherwise
     * hold the table hostage; the backend reports what stayed in DNS. */
    memset(rec, 0, sizeof(*rec));
}

size_t captls_dns01_live_count(const captls_dns01_solver *s)
{
    size_t n = 0;

    for (size_t i = 0; i < CAPTLS_DNS01_MAX_RECORDS; i++)
        n += s->rec[i].live ? 1u : 0u;
    return n;
}

/* ---- the ChallengeSolver capability --------------------------------- */
static size_t cap_supports(void *ctx, captls_acme_challenge_type *types,
                           size_t max)
{
    (void)ctx;
    if (max == 0 || types == NULL)
        return 0;
    types[0] = CAPTLS_ACME_CHALLENGE_DNS01;
    return 1;
}

static bool is_dns_identifier(const captls_acme_challenge *ch)
{
    return ch->identifier.type != NULL && ch->identifier.type_len == 3 &&
           memcmp(ch->identifier.type, "dns", 3) == 0;
}

static captls_result cap_solve(void *ctx, const captls_acme_challenge *ch)
{
    if (ch == NULL || ch->type != CAPTLS_ACME_CHALLENGE_DNS01 ||
        !is_dns_identifier(ch))
        return CAPTLS_ERR_UNSUPPORTED;
    /* The key authorization must belong to the challenge's token. */
    if (ch->key_authorization == NULL ||
        ch->key_authorization_len <= ch->token_len ||
        (ch->token_len > 0 &&
         (ch->token == NULL ||
          memcmp(ch->key_authorization, ch->token, ch->token_len) != 0 ||
          ch->key_authorization[ch->token_len] != '.')))
        return CAPTLS_ERR_MALFORMED;
    return captls_dns01_publish(ctx, ch->identifier.value,
                                ch->identifier.value_len,
                                ch->key_authorization,
                                ch->key_authorization_len);
}

static void cap_cleanup(void *ctx, const captls_acme_challenge *ch)
{
    if (ch != NULL && ch->type == CAPTLS_ACME_CHALLENGE_DNS01 &&
        is_dns_identifier(ch))
        captls_dns01_retire(ctx, ch->identifier.value,
                            ch->identifier.value_len, ch->key_authorization,
                            ch->key_authorization_len);
}

captls_acme_solver captls_dns01_solver_cap(captls_dns01_solver *s)
{
    captls_acme_solver c;

    c.ctx = s;
    c.supports = cap_supports;
    c.solve = cap_solve;
    c.cleanup = cap_cleanup;
    return c;
}
