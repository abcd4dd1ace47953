/* ACME problem documents, failure kinds and text checks. See
 * acme_problem.h. */
#include "core/acme/acme_problem.h"

#include <string.h>

#include "core/acme/acme_solver.h"
#include "core/base/sanitize.h"

static const char *const k_names[CAPTLS_ACME_ERR_COUNT_] = {
    [CAPTLS_ACME_ERR_NONE] = "none",
    [CAPTLS_ACME_ERR_ACCOUNT_DOES_NOT_EXIST] = "accountDoesNotExist",
    [CAPTLS_ACME_ERR_ALREADY_REPLACED] = "alreadyReplaced",
    [CAPTLS_ACME_ERR_ALREADY_REVOKED] = "alreadyRevoked",
    [CAPTLS_ACME_ERR_BAD_CSR] = "badCSR",
    [CAPTLS_ACME_ERR_BAD_NONCE] = "badNonce",
    [CAPTLS_ACME_ERR_BAD_PUBLIC_KEY] = "badPublicKey",
    [CAPTLS_ACME_ERR_BAD_REVOCATION_REASON] = "badRevocationReason",
    [CAPTLS_ACME_ERR_BAD_SIGNATURE_ALGORITHM] = "badSignatureAlgorithm",
    [CAPTLS_ACME_ERR_CAA] = "caa",
    [CAPTLS_ACME_ERR_COMPOUND] = "compound",
    [CAPTLS_ACME_ERR_CONNECTION] = "connection",
    [CAPTLS_ACME_ERR_DNS] = "dns",
    [CAPTLS_ACME_ERR_EXTERNAL_ACCOUNT_REQUIRED] = "externalAccountRequired",
    [CAPTLS_ACME_ERR_INCORRECT_RESPONSE] = "incorrectResponse",
    [CAPTLS_ACME_ERR_INVALID_CONTACT] = "invalidContact",
    [CAPTLS_ACME_ERR_MALFORMED] = "malformed",
    [CAPTLS_ACME_ERR_ORDER_NOT_READY] = "orderNotReady",
    [CAPTLS_ACME_ERR_RATE_LIMITED] = "rateLimited",
    [CAPTLS_ACME_ERR_REJECTED_IDENTIFIER] = "rejectedIdentifier",
    [CAPTLS_ACME_ERR_SERVER_INTERNAL] = "serverInternal",
    [CAPTLS_ACME_ERR_TLS] = "tls",
    [CAPTLS_ACME_ERR_UNAUTHORIZED] = "unauthorized",
    [CAPTLS_ACME_ERR_UNSUPPORTED_CONTACT] = "unsupportedContact",
    [CAPTLS_ACME_ERR_UNSUPPORTED_IDENTIFIER] = "unsupportedIdentifier",
    [CAPTLS_ACME_ERR_USER_ACTION_REQUIRED] = "userActionRequired",
    [CAPTLS_ACME_ERR_PROBLEM_OTHER] = "problem",
    [CAPTLS_ACME_ERR_HTTP_STATUS] = "http-status",
    [CAPTLS_ACME_ERR_TRANSPORT] = "transport",
    [CAPTLS_ACME_ERR_REDIRECT] = "redirect-refused",
    [CAPTLS_ACME_ERR_CROSS_ORIGIN] = "cross-origin",
    [CAPTLS_ACME_ERR_BAD_RESPONSE] = "bad-response",
    [CAPTLS_ACME_ERR_OVERSIZED] = "oversized",
    [CAPTLS_ACME_ERR_RETRIES_EXHAUSTED] = "retries-exhausted",
    [CAPTLS_ACME_ERR_NO_CHALLENGE] = "no-supported-challenge",
    [CAPTLS_ACME_ERR_SOLVER] = "solver",
    [CAPTLS_ACME_ERR_AUTHZ_INVALID] = "authorization-invalid",
    [CAPTLS_ACME_ERR_ORDER_INVALID] = "order-invalid",
    [CAPTLS_ACME_ERR_ACCOUNT_STATUS] = "account-not-valid",
    [CAPTLS_ACME_ERR_CHAIN_UNVERIFIED] = "chain-unverified",
    [CAPTLS_ACME_ERR_KEY_MISMATCH] = "leaf-key-mismatch",
    [CAPTLS_ACME_ERR_STORE] = "store",
    [CAPTLS_ACME_ERR_KEY] = "key-refused",
    [CAPTLS_ACME_ERR_USAGE] = "usage",
};

const char *captls_acme_error_name(captls_acme_error e)
{
    if ((unsigned)e >= CAPTLS_ACME_ERR_COUNT_ || k_names[e] == NULL)
        return "unknown";
    return k_names[e];
}

#define URN_PREFIX "urn:ietf:params:acme:error:"

captls_acme_error captls_acme_error_from_type(const char *s, size_t n)
{
    const size_t pl = sizeof(URN_PREFIX) - 1;
    if (s == NULL || n <= pl || memcmp(s, URN_PREFIX, pl) != 0)
        return CAPTLS_ACME_ERR_PROBLEM_OTHER;
    s += pl;
    n -= pl;
    for (unsigned e = CAPTLS_ACME_ERR_ACCOUNT_DOES_NOT_EXIST;
         e <= CAPTLS_ACME_ERR_USER_ACTION_REQUIRED; e++)
        if (strlen(k_names[e]) == n && memcmp(k_names[e], s, n) == 0)
            return (captls_acme_error)e;
    return CAPTLS_ACME_ERR_PROBLEM_OTHER;
}

static captls_result code_of(captls_acme_error e)
{
    switch (e) {
    case CAPTLS_ACME_ERR_UNAUTHORIZED:
    case CAPTLS_ACME_ERR_ACCOUNT_DOES_NOT_EXIST:
        return CAPTLS_ERR_AUTH_FAILED;
    case CAPTLS_ACME_ERR_RATE_LIMITED:
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    case CAPTLS_ACME_ERR_BAD_SIGNATURE_ALGORITHM:
    case CAPTLS_ACME_ERR_UNSUPPORTED_CONTACT:
    case CAPTLS_ACME_ERR_UNSUPPORTED_IDENTIFIER:
        return CAPTLS_ERR_UNSUPPORTED;
    default:
        return CAPTLS_ERR_MALFORMED;
    }
}

void captls_acme_failure_set(captls_acme_failure *f, captls_acme_error kind,
                             captls_result code, uint16_t http_status,
                             const char *detail, size_t detail_len)
{
    if (f == NULL)
        return;
    f->kind = kind;
    f->code = code;
    f->http_status = http_status;
    f->detail[0] = '\0';
    if (detail != NULL)
        (void)captls_sanitize((const uint8_t *)detail, detail_len, f->detail,
                              sizeof(f->detail));
}

captls_result captls_acme_problem_from_doc(const captls_json_doc *d,
                                           size_t obj,
                                           captls_acme_failure *out)
{
    size_t t = 0, dt = 0;
    if (d == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_json_member_typed(d, obj, "type", CAPTLS_JSON_STRING,
                                        &t));
    /* The type is compared in its raw form: a URN has no escapes worth
     * honouring, and an escaped one simply does not match (PROBLEM_OTHER). */
    const char *ts = d->text + d->tok[t].start;
    size_t tn = d->tok[t].end - d->tok[t].start;
    captls_acme_error kind = captls_acme_error_from_type(ts, tn);
    captls_acme_failure_set(out, kind, code_of(kind), out->http_status, NULL,
                            0);
    if (captls_json_member_typed(d, obj, "detail", CAPTLS_JSON_STRING, &dt) ==
        CAPTLS_OK) {
        uint8_t raw[CAPTLS_ACME_DETAIL_MAX];
        size_t n = 0;
        captls_result r =
            captls_json_get_string(d, dt, raw, sizeof(raw), &n);
        if (r == CAPTLS_ERR_BUFFER_TOO_SMALL) {
            /* keep the first bytes of the escaped form: still sanitized */
            (void)captls_sanitize((const uint8_t *)d->text + d->tok[dt].start,
                                  d->tok[dt].end - d->tok[dt].start,
                                  out->detail, sizeof(out->detail));
        } else if (r == CAPTLS_OK) {
            (void)captls_sanitize(raw, n, out->detail, sizeof(out->detail));
        }
    }
    return CAPTLS_OK;
}

captls_result captls_acme_problem_parse(const uint8_t *body, size_t len,
                                        captls_json_token *tok, size_t cap,
                                        captls_acme_failure *out)
{
    captls_json_doc doc;
    if (out == NULL || (body == NULL && len))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_json_parse((const char *)body, len, tok, cap, &doc,
                                 NULL));
    return captls_acme_problem_from_doc(&doc, 0, out);
}

/* ---- text helpers -------------------------------------------------- */

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

captls_result captls_acme_url_origin(const char *url, size_t n,
                                     captls_acme_origin *o)
{
    static const char scheme[] = "https://";
    const size_t sl = sizeof(scheme) - 1;
    if (url == NULL || o == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (n <= sl || n >= CAPTLS_ACME_URL_MAX)
        return CAPTLS_ERR_MALFORMED;
    for (size_t i = 0; i < sl; i++)
        if (lower(url[i]) != scheme[i])
            return CAPTLS_ERR_MALFORMED;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)url[i];
        /* RFC 3986 §3.5: a fragment is never sent; '@' would hide the host
         * behind userinfo (§3.2.1). */
        if (ch <= 0x20 || ch >= 0x7f || ch == '#' || ch == '\\')
            return CAPTLS_ERR_MALFORMED;
    }
    size_t a = sl, e = sl;
    while (e < n && url[e] != '/' && url[e] != '?')
        e++;
    for (size_t i = a; i < e; i++)
        if (url[i] == '@')
            return CAPTLS_ERR_MALFORMED;
    size_t h = e;
    uint32_t port = 443;
    if (url[a] == '[') { /* IPv6 literal */
        size_t r = a;
        while (r < e && url[r] != ']')
            r++;
        if (r == e)
            return CAPTLS_ERR_MALFORMED;
        h = r + 1;
    } else {
        for (size_t i = a; i < e; i++)
            if (url[i] == ':') {
                h = i;
                break;
            }
    }
    if (h < e) {
        if (url[h] != ':' || h + 1 == e || e - h - 1 > 5)
            return CAPTLS_ERR_MALFORMED;
        port = 0;
        for (size_t i = h + 1; i < e; i++) {
            if (url[i] < '0' || url[i] > '9')
                return CAPTLS_ERR_MALFORMED;
            port = port * 10 + (uint32_t)(url[i] - '0');
        }
        if (port == 0 || port > 65535)
            return CAPTLS_ERR_MALFORMED;
    }
    if (h == a)
        return CAPTLS_ERR_MALFORMED;
    o->host = url + a;
    o->host_len = h - a;
    o->port = (uint16_t)port;
    return CAPTLS_OK;
}

bool captls_acme_same_origin(const captls_acme_origin *a,
                             const captls_acme_origin *b)
{
    if (a == NULL || b == NULL || a->port != b->port ||
        a->host_len != b->host_len)
        return false;
    for (size_t i = 0; i < a->host_len; i++)
        if (lower(a->host[i]) != lower(b->host[i]))
            return false;
    return true;
}

bool captls_acme_nonce_valid(const char *s, size_t n)
{
    if (s == NULL || n == 0 || n > CAPTLS_ACME_NONCE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

static bool digits(const char *s, size_t n, uint32_t *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (uint32_t)(s[i] - '0');
    }
    return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

captls_result captls_acme_rfc3339_parse(const char *s, size_t n,
                                        int64_t *epoch)
{
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
    uint32_t y, mo, d, h, mi, se;
    if (s == NULL || epoch == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 3339 §5.6: full-date "T" full-time; "T" and "Z" may be lower
     * case (§5.6 NOTE). */
    if (n < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
        s[16] != ':' || !digits(s + 17, 2, &se))
        return CAPTLS_ERR_MALFORMED;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || se > 60)
        return CAPTLS_ERR_MALFORMED;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return CAPTLS_ERR_MALFORMED;
    size_t i = 19;
    if (s[i] == '.') {
        i++;
        size_t f = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f)
            return CAPTLS_ERR_MALFORMED;
    }
    int64_t off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') &&
               s[i + 3] == ':') {
        uint32_t oh, om;
        if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return CAPTLS_ERR_MALFORMED;
        off = (int64_t)oh * 3600 + om * 60;
        if (s[i] == '-')
            off = -off;
        i += 6;
    } else {
        return CAPTLS_ERR_MALFORMED;
    }
    if (i != n)
        return CAPTLS_ERR_MALFORMED;
    if (se == 60)
        se = 59; /* a leap second counts as the second before it */
    *epoch = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
             (int64_t)mi * 60 + se - off;
    return CAPTLS_OK;
}

/* ---- challenge type names (acme_solver.h) -------------------------- */

static const char *const k_types[3] = {"http-01", "dns-01", "tls-alpn-01"};

const char *captls_acme_challenge_type_name(captls_acme_challenge_type t)
{
    return (unsigned)t < 3 ? k_types[t] : NULL;
}

captls_acme_challenge_type captls_acme_challenge_type_parse(const char *s,
                                                            size_t n)
{
    for (unsigned i = 0; s != NULL && i < 3; i++)
        if (strlen(k_types[i]) == n && memcmp(k_types[i], s, n) == 0)
            return (captls_acme_challenge_type)i;
    return CAPTLS_ACME_CHALLENGE_UNKNOWN;
}
