/* SessionManager.tlsClientCert — see session_manager.h. */
#include "core/gateway/session_manager.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/base/sanitize.h"
#include "core/base/text.h"
#include "core/crypto/hash.h"
#include "core/x509/name_text.h"

#define NAME_ATTRS_MAX 32u

void captls_session_manager_init(captls_session_manager *sm,
                                 const captls_client_map_entry *map,
                                 size_t count)
{
    sm->map = map;
    sm->count = map != NULL ? count : 0;
}

/* ---- RFC 4514 string walking -------------------------------------------- */

/* One "type=value" of the DN string: [type, type+type_len) and the raw
 * (escaped) value [val, val+val_len); `last_in_rdn` when no '+' follows. */
typedef struct dn_attr {
    const char *type, *val;
    size_t type_len, val_len;
    bool last_in_rdn;
} dn_attr;

/* Finds the end of an unescaped value starting at p: the next ',' or '+'
 * not preceded by a backslash escape. */
static size_t value_end(const char *s, size_t len, size_t p)
{
    while (p < len && s[p] != ',' && s[p] != '+') {
        if (s[p] == '\\' && p + 1 < len)
            p++;
        p++;
    }
    return p;
}

/* Splits the DN into attributes (left to right). false if more than cap or
 * a part has no '='. */
static bool dn_split(const char *s, size_t len, dn_attr *out, size_t cap,
                     size_t *count)
{
    size_t p = 0, n = 0;

    if (len == 0) {
        *count = 0;
        return true;
    }
    while (p <= len) {
        size_t eq = p, end;
        while (eq < len && s[eq] != '=')
            eq++;
        if (eq >= len || n >= cap)
            return false;
        end = value_end(s, len, eq + 1);
        out[n].type = s + p;
        out[n].type_len = eq - p;
        out[n].val = s + eq + 1;
        out[n].val_len = end - (eq + 1);
        out[n].last_in_rdn = end >= len || s[end] == ',';
        n++;
        if (end >= len)
            break;
        p = end + 1;
    }
    *count = n;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Whether the escaped DN value equals the raw bytes v. */
static bool value_equal(const char *e, size_t elen, captls_slice v)
{
    size_t i = 0, j = 0;

    if (elen > 0 && e[0] == '#')
        return false; /* hex-encoded BER value: never matched (header) */
    while (i < elen) {
        uint8_t b;
        if (e[i] == '\\' && i + 1 < elen) {
            int hi = hexval(e[i + 1]);
            int lo = i + 2 < elen ? hexval(e[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                b = (uint8_t)(hi * 16 + lo);
                i += 3;
            } else {
                b = (uint8_t)e[i + 1];
                i += 2;
            }
        } else {
            b = (uint8_t)e[i++];
        }
        if (j >= v.len || v.ptr[j] != b)
            return false;
        j++;
    }
    return j == v.len;
}

static bool ascii_case_equal(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);

    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

static bool type_equal(const char *t, size_t tlen, captls_slice oid)
{
    const char *shortname = captls_oid_short_name(oid);
    char dotted[64];
    captls_text tx;

    if (shortname != NULL && ascii_case_equal(t, tlen, shortname))
        return true;
    captls_text_init(&tx, dotted, sizeof dotted);
    captls_oid_append_dotted(&tx, oid);
    if (captls_text_finish(&tx) != CAPTLS_OK)
        return false;
    return ascii_case_equal(t, tlen, dotted);
}

static bool eight_bit_string(uint32_t tag)
{
    return tag == CAPTLS_DER_UTF8_STRING ||
           tag == CAPTLS_DER_PRINTABLE_STRING ||
           tag == CAPTLS_DER_IA5_STRING || tag == CAPTLS_DER_T61_STRING ||
           tag == CAPTLS_DER_VISIBLE_STRING;
}

bool captls_rfc4514_matches_name(const char *dn, size_t dn_len,
                                 const captls_x509_name *name)
{
    dn_attr d[NAME_ATTRS_MAX];
    captls_x509_attr a[NAME_ATTRS_MAX];
    size_t dn_count = 0, n = 0;
    captls_x509_name_iter it;
    captls_x509_attr at;
    size_t rdns;

    if (dn == NULL || name == NULL ||
        !dn_split(dn, dn_len, d, NAME_ATTRS_MAX, &dn_count))
        return false;
    captls_x509_name_iter_init(&it, name);
    while (captls_x509_name_next(&it, &at) == CAPTLS_OK) {
        if (n >= NAME_ATTRS_MAX)
            return false;
        a[n++] = at;
    }
    if (n != dn_count)
        return false;
    if (n == 0)
        return true;
    rdns = a[n - 1].rdn_index + 1;
    /* Walk the DN left to right (RFC 4514 order = last DER RDN first):
     * DN RDN k is DER RDN rdns-1-k; inside an RDN both list members in
     * the same (DER) order. */
    size_t i = 0, rdn_k = 0;
    while (i < dn_count) {
        size_t want_rdn, first = n, cnt = 0;
        if (rdn_k >= rdns)
            return false;
        want_rdn = rdns - 1 - rdn_k;
        for (size_t j = 0; j < n; j++) {
            if (a[j].rdn_index == want_rdn) {
                if (first == n)
                    first = j;
                cnt++;
            }
        }
        for (size_t m = 0; m < cnt; m++, i++) {
            const captls_x509_attr *x = &a[first + m];
            if (i >= dn_count || !eight_bit_string(x->value_tag) ||
                !type_equal(d[i].type, d[i].type_len, x->type) ||
                !value_equal(d[i].val, d[i].val_len, x->value))
                return false;
            if (d[i].last_in_rdn != (m + 1 == cnt))
                return false;
        }
        rdn_k++;
    }
    return rdn_k == rdns;
}

/* ---- the mapping ------------------------------------------------------------ */

captls_result captls_session_manager_tls_client_cert(
    const captls_session_manager *sm, const captls_certificate *leaf,
    const uint8_t *der, size_t len, captls_client_mapping *out)
{
    uint8_t digest[CAPTLS_HASH_MAX_SIZE];
    char subject[CAPTLS_MAPPING_SUBJECT_MAX];
    size_t slen = 0;
    captls_result r;

    if (sm == NULL || leaf == NULL || der == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    out->seen = true;
    r = captls_hash(CAPTLS_HASH_SHA256, der, len, digest);
    if (r != CAPTLS_OK)
        return r;
    memcpy(out->fingerprint, digest, sizeof out->fingerprint);
    /* name_to_text escapes what the certificate holds; truncation is fine
     * for an audit label. */
    if (captls_x509_name_to_text(&leaf->subject, subject, sizeof subject,
                                 &slen) != CAPTLS_OK)
        subject[sizeof subject - 1] = '\0';
    (void)captls_sanitize((const uint8_t *)subject, strlen(subject),
                          out->subject, sizeof out->subject);

    const captls_client_map_entry *hit = NULL;
    for (size_t i = 0; i < sm->count && hit == NULL; i++) {
        const captls_client_map_entry *e = &sm->map[i];
        if (e->kind == CAPTLS_CLIENT_MAP_SHA256 &&
            captls_ct_equal(e->fingerprint, out->fingerprint, 32))
            hit = e;
    }
    for (size_t i = 0; i < sm->count && hit == NULL; i++) {
        const captls_client_map_entry *e = &sm->map[i];
        if (e->kind == CAPTLS_CLIENT_MAP_SUBJECT &&
            captls_rfc4514_matches_name(e->subject, e->subject_len,
                                        &leaf->subject))
            hit = e;
    }
    if (hit == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    out->mapped = true;
    out->by = hit->kind;
    memcpy(out->user, hit->user, sizeof out->user);
    memcpy(out->profile, hit->profile, sizeof out->profile);
    return CAPTLS_OK;
}
