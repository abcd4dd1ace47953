/* The response fields ACME needs (RFC 8555 §6.5, §7.1, §8.2; RFC 9110;
 * RFC 8288) — see http_client.h. */
#include "core/http/http_client.h"

#include <string.h>

#include "core/http/http_internal.h"

#define CL_MAX 1000000000000000ull /* 10^15: far above any body limit */
#define DELTA_MAX 4294967295ull    /* Retry-After delta-seconds cap */

static captls_result bad(captls_http_resp *r, captls_result e,
                         captls_http_error why)
{
    r->why = why;
    return e;
}

bool captls_http_is_base64url_(const uint8_t *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Sets the slice once; a second occurrence is a DUPLICATE. */
static captls_result set_once(captls_http_resp *r, captls_http_slice *s,
                              const uint8_t *v, size_t n)
{
    if (s->p != NULL)
        return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_DUPLICATE);
    s->p = v;
    s->len = n;
    return CAPTLS_OK;
}

/* RFC 9110 §7.6.1: Connection = #connection-option. */
static captls_result connection(captls_http_resp *r, const uint8_t *v, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t b, e;
        while (i < n && (is_ows(v[i]) || v[i] == ','))
            i++;
        b = i;
        while (i < n && v[i] != ',')
            i++;
        e = i;
        while (e > b && is_ows(v[e - 1]))
            e--;
        if (e == b)
            continue;
        if (!captls_http_is_token(v + b, e - b))
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
        if (captls_http_eq_ci(v + b, e - b, "close"))
            r->connection_close = true;
    }
    return CAPTLS_OK;
}


static captls_http_link_rel rel_of(const uint8_t *v, size_t n)
{
    /* RFC 8288 §3.3: rel is a space-separated list of relation types,
     * compared case-insensitively; the first one captls knows wins. */
    size_t i = 0;

    while (i < n) {
        size_t b;
        while (i < n && v[i] == ' ')
            i++;
        b = i;
        while (i < n && v[i] != ' ')
            i++;
        if (captls_http_eq_ci(v + b, i - b, "index"))
            return CAPTLS_HTTP_REL_INDEX;
        if (captls_http_eq_ci(v + b, i - b, "up"))
            return CAPTLS_HTTP_REL_UP;
        if (captls_http_eq_ci(v + b, i - b, "alternate"))
            return CAPTLS_HTTP_REL_ALTERNATE;
    }
    return CAPTLS_HTTP_REL_OTHER;
}

/* RFC 8288 §3: Link = #link-value
 *   link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
 *   link-param = token BWS [ "=" BWS ( token / quoted-string ) ] */
static captls_result link_field(captls_http_resp *r, const uint8_t *v, size_t n)
{
    size_t i = 0;

    for (;;) {
        size_t ub, ue;
        captls_http_link_rel rel = CAPTLS_HTTP_REL_OTHER;
        bool rel_seen = false;

        while (i < n && (is_ows(v[i]) || v[i] == ','))
            i++;
        if (i == n)
            return CAPTLS_OK;
        if (v[i] != '<')
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
        ub = ++i;
        while (i < n && v[i] != '>') {
            if (v[i] <= 0x20 || v[i] >= 0x7f || v[i] == '<')
                return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
            i++;
        }
        if (i == n)
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
        ue = i++;
        for (;;) {
            size_t nb, ne, vb, ve;
            bool quoted_escape = false;

            while (i < n && is_ows(v[i]))
                i++;
            if (i == n || v[i] == ',')
                break;
            if (v[i] != ';')
                return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
            i++;
            while (i < n && is_ows(v[i]))
                i++;
            nb = i;
            while (i < n && captls_http_is_tchar(v[i]))
                i++;
            ne = i;
            if (ne == nb)
                return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
            while (i < n && is_ows(v[i]))
                i++;
            vb = ve = i;
            if (i < n && v[i] == '=') {
                i++;
                while (i < n && is_ows(v[i]))
                    i++;
                if (i < n && v[i] == '"') {
                    vb = ++i;
                    while (i < n && v[i] != '"') {
                        if (v[i] == '\\') {
                            quoted_escape = true;
                            i++;
                        }
                        i++;
                    }
                    if (i >= n)
                        return bad(r, CAPTLS_ERR_MALFORMED,
                                   CAPTLS_HTTP_E_FIELD_VALUE);
                    ve = i++;
                } else {
                    vb = i;
                    while (i < n && captls_http_is_tchar(v[i]))
                        i++;
                    ve = i;
                    if (ve == vb)
                        return bad(r, CAPTLS_ERR_MALFORMED,
                                   CAPTLS_HTTP_E_FIELD_VALUE);
                }
            }
            /* RFC 8288 §3.3: rel MUST NOT appear more than once; later
             * occurrences MUST be ignored. An escaped value is not one of
             * the three relations captls looks for. */
            if (captls_http_eq_ci(v + nb, ne - nb, "rel") && !rel_seen) {
                rel_seen = true;
                if (!quoted_escape)
                    rel = rel_of(v + vb, ve - vb);
            }
        }
        if (r->link_count < CAPTLS_HTTP_MAX_LINKS) {
            captls_http_link *l = &r->links[r->link_count++];
            l->rel = rel;
            l->uri = v + ub;
            l->uri_len = ue - ub;
        } else {
            r->links_dropped++;
        }
    }
}

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
static const char *const day_names[7] = {"Mon", "Tue", "Wed", "Thu",
                                         "Fri", "Sat", "Sun"};

static bool digits(const uint8_t *s, size_t n, unsigned *out)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10u + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1970). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    unsigned yy = m <= 2 ? y - 1 : y;
    unsigned era = yy / 400u;
    unsigned yoe = yy - era * 400u;
    unsigned mp = m > 2 ? m - 3 : m + 9;
    unsigned doy = (153u * mp + 2u) / 5u + d - 1u;
    unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;

    return (uint64_t)era * 146097u + doe - 719468u;
}

captls_result captls_http_date_parse(const uint8_t *s, size_t n,
                                     uint64_t *epoch_s)
{
    /* RFC 9110 §5.6.7: IMF-fixdate = day-name "," SP date1 SP time-of-day
     * SP GMT, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (29 octets). */
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
    unsigned d, y, hh, mm, ss, mon = 12, wd = 7;

    if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
        s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        return CAPTLS_ERR_MALFORMED;
    for (unsigned i = 0; i < 7; i++) {
        if (memcmp(s, day_names[i], 3) == 0)
            wd = i;
    }
    for (unsigned i = 0; i < 12; i++) {
        if (memcmp(s + 8, month_names[i], 3) == 0)
            mon = i;
    }
    if (wd == 7 || mon == 12 || !digits(s + 5, 2, &d) ||
        !digits(s + 12, 4, &y) || !digits(s + 17, 2, &hh) ||
        !digits(s + 20, 2, &mm) || !digits(s + 23, 2, &ss))
        return CAPTLS_ERR_MALFORMED;
    if (y < 1970 || d == 0 || d > mdays[mon] || hh > 23 || mm > 59 || ss > 60)
        return CAPTLS_ERR_MALFORMED;
    if (mon == 1 && d == 29 && !((y % 4u == 0 && y % 100u != 0) || y % 400u == 0))
        return CAPTLS_ERR_MALFORMED;
    {
        uint64_t days = days_from_civil(y, mon + 1u, d);
        /* 1970-01-01 was a Thursday (index 3); a wrong day-name is a
         * malformed date */
        if ((days + 3u) % 7u != wd)
            return CAPTLS_ERR_MALFORMED;
        *epoch_s = days * 86400u + hh * 3600u + mm * 60u + ss;
    }
    return CAPTLS_OK;
}

bool captls_http_resp_retry_delay(const captls_http_resp *r,
                                  uint64_t now_epoch_s, uint64_t *delay_s)
{
    if (!r->retry_after_present)
        return false;
    if (!r->retry_after_is_date)
        *delay_s = r->retry_after;
    else
        *delay_s = r->retry_after > now_epoch_s ? r->retry_after - now_epoch_s
                                                : 0;
    return true;
}

captls_result captls_http_resp_field_(captls_http_resp *r, const uint8_t *name,
                                      size_t nl, const uint8_t *v, size_t n)
{
    uint64_t u = 0;

    if (captls_http_eq_ci(name, nl, "content-length")) {
        /* RFC 9110 §8.6: Content-Length = 1*DIGIT; RFC 9112 §6.3 item 5:
         * differing values are an unrecoverable error. */
        if (!captls_http_parse_decimal(v, n, CL_MAX, &u))
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CONTENT_LENGTH);
        if (r->has_content_length && r->content_length != u)
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_CONFLICT);
        r->has_content_length = true;
        r->content_length = u;
        return CAPTLS_OK;
    }
    if (captls_http_eq_ci(name, nl, "transfer-encoding")) {
        /* RFC 9112 §6.1, §7: chunked MUST be applied once and be final;
         * captls implements no other coding. */
        if (r->chunked)
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRANSFER_CODING);
        if (!captls_http_eq_ci(v, n, "chunked"))
            return bad(r, CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_TRANSFER_CODING);
        r->chunked = true;
        return CAPTLS_OK;
    }
    if (captls_http_eq_ci(name, nl, "connection"))
        return connection(r, v, n);
    if (captls_http_eq_ci(name, nl, "replay-nonce")) {
        /* RFC 8555 §6.5.1: the value MUST be base64url; clients MUST
         * ignore invalid values. */
        if (!captls_http_is_base64url_(v, n)) {
            r->replay_nonce_invalid = true;
            return CAPTLS_OK;
        }
        return set_once(r, &r->replay_nonce, v, n);
    }
    if (captls_http_eq_ci(name, nl, "location")) {
        if (n == 0)
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE);
        return set_once(r, &r->location, v, n);
    }
    if (captls_http_eq_ci(name, nl, "content-type"))
        return set_once(r, &r->content_type, v, n);
    if (captls_http_eq_ci(name, nl, "link"))
        return link_field(r, v, n);
    if (captls_http_eq_ci(name, nl, "retry-after")) {
        /* RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds. A
         * value of neither form is reported, not fatal: the caller
         * applies its own back-off. */
        if (r->retry_after_present || r->retry_after_invalid)
            return bad(r, CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_DUPLICATE);
        if (captls_http_parse_decimal(v, n, DELTA_MAX, &u)) {
            r->retry_after_present = true;
            r->retry_after = u;
        } else if (captls_http_date_parse(v, n, &u) == CAPTLS_OK) {
            r->retry_after_present = true;
            r->retry_after_is_date = true;
            r->retry_after = u;
        } else {
            r->retry_after_invalid = true;
        }
        return CAPTLS_OK;
    }
    return CAPTLS_OK;
}
