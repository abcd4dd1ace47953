/* core/verify/name_constraints.c — RFC 5280 §4.2.1.10 (see
 * name_constraints.h). */
#include "core/verify/name_constraints.h"

#include <string.h>

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

static bool eq_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

static captls_slice strip_dot(captls_slice s)
{
    if (s.len > 0 && s.ptr[s.len - 1] == '.')
        s.len--;
    return s;
}

static size_t count_labels(captls_slice s)
{
    if (s.len == 0)
        return 0;
    size_t n = 1;
    for (size_t i = 0; i < s.len; i++)
        n += s.ptr[i] == '.';
    return n;
}

/* name is `constraint` or ends with "." + constraint; with must_sub only
 * the latter. Label-wise and case-insensitive. */
static bool domain_within(captls_slice name, captls_slice c, bool must_sub)
{
    if (c.len == 0)
        return !must_sub || name.len > 0;
    if (name.len == 0)
        return false;
    if (name.len == c.len)
        return !must_sub && eq_nocase(name.ptr, c.ptr, c.len);
    if (name.len < c.len + 2)
        return false;
    size_t off = name.len - c.len;
    return name.ptr[off - 1] == '.' &&
           eq_nocase(name.ptr + off, c.ptr, c.len);
}

bool captls_nc_dns_match(captls_slice constraint, captls_slice name)
{
    bool must_sub = false;
    /* RFC 5280 defines no meaning for an empty dNSName constraint; as NSS
     * and Go, it matches everything. */
    if (constraint.len == 0)
        return true;
    if (constraint.ptr[0] == '.') {
        must_sub = true;
        constraint.ptr++;
        constraint.len--;
    }
    return domain_within(strip_dot(name), strip_dot(constraint), must_sub);
}

/* Could the wildcard name "*.X" cover a name inside constraint c? True
 * when c is exactly one label below X (c = "a.X"). */
static bool wildcard_covers(captls_slice c, captls_slice name)
{
    name = strip_dot(name);
    if (name.len < 3 || name.ptr[0] != '*' || name.ptr[1] != '.')
        return false;
    captls_slice x = {name.ptr + 2, name.len - 2};
    if (c.len > 0 && c.ptr[0] == '.') {
        c.ptr++;
        c.len--;
    }
    c = strip_dot(c);
    return count_labels(c) == count_labels(x) + 1 &&
           domain_within(c, x, true);
}

bool captls_nc_email_match(captls_slice constraint, captls_slice mailbox)
{
    /* The mailbox's host follows its last '@'. */
    size_t at = SIZE_MAX;
    for (size_t i = 0; i < mailbox.len; i++)
        if (mailbox.ptr[i] == '@')
            at = i;
    if (at == SIZE_MAX || at == 0 || at + 1 >= mailbox.len)
        return false; /* not a mailbox: never within a constraint */
    captls_slice host = {mailbox.ptr + at + 1, mailbox.len - at - 1};
    bool has_at = false;
    for (size_t i = 0; i < constraint.len; i++)
        has_at |= constraint.ptr[i] == '@';
    if (has_at) {
        /* a particular mailbox: local part exact, host case-insensitive */
        size_t cat = 0;
        while (constraint.ptr[cat] != '@')
            cat++;
        return cat == at && memcmp(constraint.ptr, mailbox.ptr, at) == 0 &&
               constraint.len - cat == mailbox.len - at &&
               eq_nocase(constraint.ptr + cat, mailbox.ptr + at,
                         mailbox.len - at);
    }
    if (constraint.len > 0 && constraint.ptr[0] == '.') {
        captls_slice c = {constraint.ptr + 1, constraint.len - 1};
        return domain_within(host, c, true);
    }
    return host.len == constraint.len &&
           eq_nocase(host.ptr, constraint.ptr, host.len);
}

bool captls_nc_ip_match(captls_slice constraint, captls_slice ip)
{
    if (constraint.len != 2 * ip.len || (ip.len != 4 && ip.len != 16))
        return false;
    const uint8_t *addr = constraint.ptr, *mask = constraint.ptr + ip.len;
    for (size_t i = 0; i < ip.len; i++)
        if ((ip.ptr[i] & mask[i]) != (addr[i] & mask[i]))
            return false;
    return true;
}

bool captls_nc_dn_match(const captls_x509_name *constraint,
                        const captls_x509_name *name)
{
    size_t k = captls_x509_name_rdn_count(constraint);
    if (k == 0)
        return true;
    /* The first k RDNs of name, as a name of their own. */
    captls_der d;
    captls_der_init(&d, name->rdns.ptr, name->rdns.len, NULL);
    for (size_t i = 0; i < k; i++) {
        captls_der_tlv tlv;
        if (captls_der_read(&d, &tlv) != CAPTLS_OK)
            return false; /* fewer RDNs than the constraint */
    }
    captls_x509_name prefix;
    prefix.rdns.ptr = name->rdns.ptr;
    prefix.rdns.len = d.pos;
    /* raw must not be byte-equal to the constraint's SEQUENCE by accident:
     * the RDN bytes start with a SET tag, a Name with a SEQUENCE tag. */
    prefix.raw = prefix.rdns;
    return captls_x509_name_equal(constraint, &prefix);
}

static bool form_evaluated(captls_general_name_type t)
{
    return t == CAPTLS_GN_DNS || t == CAPTLS_GN_RFC822 ||
           t == CAPTLS_GN_IP || t == CAPTLS_GN_DIRECTORY;
}

/* One comparison; *ok false when the forms cannot be compared. */
static bool match_one(const captls_general_name *c,
                      const captls_general_name *n)
{
    switch (n->type) {
    case CAPTLS_GN_DNS:
        return captls_nc_dns_match(c->value, n->value);
    case CAPTLS_GN_RFC822:
        return captls_nc_email_match(c->value, n->value);
    case CAPTLS_GN_IP:
        return captls_nc_ip_match(c->value, n->value);
    case CAPTLS_GN_DIRECTORY: {
        captls_x509_name cn, nn;
        if (captls_general_name_directory(c, &cn) != CAPTLS_OK ||
            captls_general_name_directory(n, &nn) != CAPTLS_OK)
            return false;
        return captls_nc_dn_match(&cn, &nn);
    }
    default:
        return false;
    }
}

/* ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) -> a.b.c.d; false for any other
 * address. */
static bool ipv4_mapped(captls_slice ip, captls_slice *v4)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                       0xFF, 0xFF};
    if (ip.len != 16 || memcmp(ip.ptr, prefix, sizeof prefix) != 0)
        return false;
    *v4 = (captls_slice){ip.ptr + 12, 4};
    return true;
}

/* An excluded iPAddress range also excludes the same IPv4 address written
 * as an IPv4-mapped IPv6 address (and an excluded ::ffff:0:0/96-range
 * the plain IPv4 address): a client connecting to either reaches the same
 * host, so an exclusion must not be sidestepped by the spelling (issue
 * 16). Only exclusions widen: a permitted IPv4 range does not admit the
 * mapped form. */
static bool excluded_ip_mapped(captls_slice c, captls_slice ip)
{
    captls_slice v4;
    if (c.len == 8 && ipv4_mapped(ip, &v4))
        return captls_nc_ip_match(c, v4);
    if (c.len == 32 && ip.len == 4) {
        captls_slice caddr = {c.ptr, 16}, cv4;
        const uint8_t *mask = c.ptr + 16;
        static const uint8_t full[12] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
        /* the constraint must pin the whole ::ffff: prefix */
        if (!ipv4_mapped(caddr, &cv4) || memcmp(mask, full, 12) != 0)
            return false;
        for (size_t i = 0; i < 4; i++)
            if ((ip.ptr[i] & mask[12 + i]) != (cv4.ptr[i] & mask[12 + i]))
                return false;
        return true;
    }
    return false;
}

captls_nc_verdict captls_nc_check_name(const captls_nc_set *set,
                                       const captls_general_name *name,
                                       uint32_t *budget)
{
    bool has_permitted = false, permitted = false;
    bool evaluated = form_evaluated(name->type);
    for (size_t i = 0; i < set->excluded_count; i++) {
        const captls_general_name *c = &set->excluded[i];
        if (c->type != name->type)
            continue;
        if (!evaluated)
            return CAPTLS_NC_UNSUPPORTED;
        if (*budget == 0)
            return CAPTLS_NC_BUDGET;
        (*budget)--;
        if (match_one(c, name))
            return CAPTLS_NC_VIOLATION;
        if (name->type == CAPTLS_GN_IP &&
            excluded_ip_mapped(c->value, name->value))
            return CAPTLS_NC_VIOLATION;
        if (name->type == CAPTLS_GN_DNS && wildcard_covers(c->value, name->value))
            return CAPTLS_NC_VIOLATION;
    }
    for (size_t i = 0; i < set->permitted_count && !permitted; i++) {
        const captls_general_name *c = &set->permitted[i];
        if (c->type != name->type)
            continue;
        if (!evaluated)
            return CAPTLS_NC_UNSUPPORTED;
        has_permitted = true;
        if (*budget == 0)
            return CAPTLS_NC_BUDGET;
        (*budget)--;
        permitted = match_one(c, name);
    }
    return (has_permitted && !permitted) ? CAPTLS_NC_VIOLATION : CAPTLS_NC_OK;
}

/* 1.2.840.113549.1.9.1 emailAddress */
static const uint8_t oid_email[9] = {0x2A, 0x86, 0x48, 0x86, 0xF7,
                                     0x0D, 0x01, 0x09, 0x01};

captls_nc_verdict captls_nc_check_cert(const captls_nc_set *set,
                                       const captls_certificate *cert,
                                       uint32_t *budget,
                                       const captls_general_name **which)
{
    if (which != NULL)
        *which = NULL;
    if (set->permitted_count == 0 && set->excluded_count == 0)
        return CAPTLS_NC_OK;
    for (size_t i = 0; i < cert->san_count; i++) {
        captls_nc_verdict v = captls_nc_check_name(set, &cert->san[i], budget);
        if (v != CAPTLS_NC_OK) {
            if (which != NULL)
                *which = &cert->san[i];
            return v;
        }
    }
    if (!captls_x509_name_is_empty(&cert->subject)) {
        captls_general_name dn = {CAPTLS_GN_DIRECTORY, cert->subject.raw};
        captls_nc_verdict v = captls_nc_check_name(set, &dn, budget);
        if (v != CAPTLS_NC_OK)
            return v;
        /* RFC 5280 §4.2.1.10: "the constraint MUST be applied to the
         * attribute of type emailAddress in the subject distinguished
         * name" — whether or not the certificate has a SAN (issue 16;
         * OpenSSL checks it always too). */
        {
            captls_x509_name_iter it;
            captls_x509_attr a;
            captls_x509_name_iter_init(&it, &cert->subject);
            while (captls_x509_name_next(&it, &a) == CAPTLS_OK) {
                if (!CAPTLS_DER_OID_IS(a.type, oid_email))
                    continue;
                captls_general_name em = {CAPTLS_GN_RFC822, a.value};
                v = captls_nc_check_name(set, &em, budget);
                if (v != CAPTLS_NC_OK)
                    return v;
            }
        }
    }
    return CAPTLS_NC_OK;
}
