/* Names (RDNSequence) and GeneralNames. See certificate.h. */
#include "core/x509/x509_internal.h"

#include <string.h>

captls_result captls_x509_fail(const captls_der *d, size_t off,
                               captls_result code, const char *why)
{
    if (d->err != NULL && d->err->code == CAPTLS_OK) {
        d->err->code = code;
        d->err->offset = off;
        d->err->reason = why;
    }
    return code;
}

captls_result captls_x509_sub(const captls_der *d, captls_slice s,
                              captls_der *sub)
{
    size_t start = (size_t)(s.ptr - d->base);
    if (d->depth + 1 > CAPTLS_DER_MAX_DEPTH)
        return captls_x509_fail(d, start, CAPTLS_ERR_LIMIT_EXCEEDED,
                                "nesting deeper than the maximum");
    sub->base = d->base;
    sub->pos = start;
    sub->end = start + s.len;
    sub->depth = d->depth + 1;
    sub->err = d->err;
    return CAPTLS_OK;
}

/* ---- names ------------------------------------------------------------ */

captls_result captls_x509_read_name(captls_der *d, captls_x509_name *out)
{
    captls_der_tlv tlv;
    captls_der rdns;
    captls_der save = *d;
    CAPTLS_TRY(captls_der_expect(d, CAPTLS_DER_SEQUENCE, &tlv));
    captls_result r = captls_der_open(d, &tlv, &rdns);
    /* RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
     * RelativeDistinguishedName ::= SET SIZE (1..MAX) OF
     *     AttributeTypeAndValue { type OID, value ANY }  (RFC 5280 §4.1.2.4) */
    while (r == CAPTLS_OK && !captls_der_at_end(&rdns)) {
        captls_der set;
        size_t at = captls_der_offset(&rdns);
        r = captls_der_enter(&rdns, CAPTLS_DER_SET, &set);
        if (r == CAPTLS_OK && captls_der_at_end(&set))
            r = captls_x509_fail(d, at, CAPTLS_ERR_MALFORMED, "empty RDN");
        while (r == CAPTLS_OK && !captls_der_at_end(&set)) {
            captls_der atv;
            captls_slice oid;
            captls_der_tlv value;
            r = captls_der_enter(&set, CAPTLS_DER_SEQUENCE, &atv);
            if (r == CAPTLS_OK)
                r = captls_der_read_oid(&atv, &oid);
            if (r == CAPTLS_OK)
                r = captls_der_read(&atv, &value);
            if (r == CAPTLS_OK)
                r = captls_der_finish(&atv);
        }
    }
    if (r != CAPTLS_OK) {
        *d = save;
        return r;
    }
    out->raw = tlv.raw;
    out->rdns = tlv.value;
    return CAPTLS_OK;
}

captls_result captls_x509_name_parse(const uint8_t *der, size_t len,
                                     captls_x509_name *out)
{
    captls_der d;
    captls_x509_name n;
    if (out == NULL || (der == NULL && len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der_init(&d, der, len, NULL);
    CAPTLS_TRY(captls_x509_read_name(&d, &n));
    CAPTLS_TRY(captls_der_finish(&d));
    *out = n;
    return CAPTLS_OK;
}

void captls_x509_name_iter_init(captls_x509_name_iter *it,
                                const captls_x509_name *name)
{
    memset(it, 0, sizeof(*it));
    captls_der_init(&it->rdns, name->rdns.ptr, name->rdns.len, NULL);
    it->in_set = false;
    it->rdn_index = 0;
}

captls_result captls_x509_name_next(captls_x509_name_iter *it,
                                    captls_x509_attr *attr)
{
    for (;;) {
        if (it->in_set && !captls_der_at_end(&it->set)) {
            captls_der atv;
            captls_der_tlv v;
            captls_x509_attr a;
            CAPTLS_TRY(captls_der_enter(&it->set, CAPTLS_DER_SEQUENCE, &atv));
            CAPTLS_TRY(captls_der_read_oid(&atv, &a.type));
            CAPTLS_TRY(captls_der_read(&atv, &v));
            a.value_tag = v.tag;
            a.value = v.value;
            a.rdn_index = it->rdn_index - 1;
            a.continues_rdn = !it->first_in_set;
            it->first_in_set = false;
            *attr = a;
            return CAPTLS_OK;
        }
        if (captls_der_at_end(&it->rdns))
            return CAPTLS_EOF;
        CAPTLS_TRY(captls_der_enter(&it->rdns, CAPTLS_DER_SET, &it->set));
        it->in_set = true;
        it->first_in_set = true;
        it->rdn_index++;
    }
}

size_t captls_x509_name_rdn_count(const captls_x509_name *name)
{
    captls_der d;
    captls_der_tlv t;
    size_t n = 0;
    captls_der_init(&d, name->rdns.ptr, name->rdns.len, NULL);
    while (!captls_der_at_end(&d) && captls_der_read(&d, &t) == CAPTLS_OK)
        n++;
    return n;
}

bool captls_x509_name_is_empty(const captls_x509_name *name)
{
    return name->rdns.len == 0;
}

/* The string types RFC 5280 §7.1 compares case-insensitively here. */
static bool foldable_tag(uint32_t tag)
{
    return tag == CAPTLS_DER_PRINTABLE_STRING ||
           tag == CAPTLS_DER_UTF8_STRING || tag == CAPTLS_DER_T61_STRING ||
           tag == CAPTLS_DER_IA5_STRING || tag == CAPTLS_DER_VISIBLE_STRING;
}

static uint8_t fold(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Next significant byte of a value under insignificant-space handling:
 * leading and trailing spaces dropped, internal runs yield one ' '.
 * Returns -1 at the end. */
static int next_folded(captls_slice v, size_t *i)
{
    size_t p = *i;
    bool space = false;
    while (p < v.len && v.ptr[p] == ' ') {
        space = true;
        p++;
    }
    if (p >= v.len) {
        *i = p;
        return -1;
    }
    if (space && *i != 0) {
        *i = p; /* emit one space, the byte after it comes next */
        return ' ';
    }
    *i = p + 1;
    return fold(v.ptr[p]);
}

static bool value_equal(const captls_x509_attr *a, const captls_x509_attr *b)
{
    if (!foldable_tag(a->value_tag) || !foldable_tag(b->value_tag))
        return a->value_tag == b->value_tag && a->value.len == b->value.len &&
               (a->value.len == 0 ||
                memcmp(a->value.ptr, b->value.ptr, a->value.len) == 0);
    size_t i = 0, j = 0;
    for (;;) {
        int x = next_folded(a->value, &i);
        int y = next_folded(b->value, &j);
        if (x != y)
            return false;
        if (x < 0)
            return true;
    }
}

bool captls_x509_name_equal(const captls_x509_name *a,
                            const captls_x509_name *b)
{
    if (a->raw.len == b->raw.len &&
        (a->raw.len == 0 || memcmp(a->raw.ptr, b->raw.ptr, a->raw.len) == 0))
        return true;
    captls_x509_name_iter ia, ib;
    captls_x509_name_iter_init(&ia, a);
    captls_x509_name_iter_init(&ib, b);
    for (;;) {
        captls_x509_attr x, y;
        captls_result ra = captls_x509_name_next(&ia, &x);
        captls_result rb = captls_x509_name_next(&ib, &y);
        if (ra == CAPTLS_EOF && rb == CAPTLS_EOF)
            return true;
        if (ra != CAPTLS_OK || rb != CAPTLS_OK)
            return false;
        /* Same RDN structure: a new RDN starts at the same places. */
        if (x.continues_rdn != y.continues_rdn)
            return false;
        if (x.type.len != y.type.len ||
            memcmp(x.type.ptr, y.type.ptr, x.type.len) != 0)
            return false;
        if (!value_equal(&x, &y))
            return false;
    }
}

/* ---- general names ---------------------------------------------------- */

static bool ia5(captls_slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] >= 0x80)
            return false;
    return true;
}

/* A mask is contiguous ones then zeros (Go and webpki refuse others). */
static bool contiguous_mask(const uint8_t *m, size_t n)
{
    bool zeros = false;
    for (size_t i = 0; i < n; i++) {
        for (int b = 7; b >= 0; b--) {
            bool one = ((m[i] >> b) & 1u) != 0;
            if (one && zeros)
                return false;
            if (!one)
                zeros = true;
        }
    }
    return true;
}

captls_result captls_x509_read_general_name(captls_der *d, bool in_constraint,
                                            captls_general_name *out)
{
    captls_der_tlv t;
    captls_der save = *d;
    CAPTLS_TRY(captls_der_read(d, &t));
    uint32_t num = CAPTLS_DER_TAG_NUMBER(t.tag);
    bool cons = CAPTLS_DER_TAG_CONSTRUCTED(t.tag);
    const char *why = NULL;
    captls_general_name gn;
    gn.type = (captls_general_name_type)num;
    gn.value = t.value;
    if (CAPTLS_DER_TAG_CLASS(t.tag) != CAPTLS_DER_CLASS_CONTEXT || num > 8) {
        why = "not a GeneralName";
    } else if (cons != (num == 0 || num == 3 || num == 4 || num == 5)) {
        why = "GeneralName with the wrong form";
    } else if (num == CAPTLS_GN_RFC822 || num == CAPTLS_GN_DNS ||
               num == CAPTLS_GN_URI) {
        if (!ia5(t.value))
            why = "non-IA5 byte in a GeneralName string";
    } else if (num == CAPTLS_GN_IP) {
        /* RFC 5280 §4.2.1.6: 4 or 16 octets; §4.2.1.10: in name
         * constraints, address followed by mask (8 or 32 octets). */
        if (in_constraint) {
            if (t.value.len != 8 && t.value.len != 32)
                why = "iPAddress constraint not 8 or 32 bytes";
            else if (!contiguous_mask(t.value.ptr + t.value.len / 2,
                                      t.value.len / 2))
                why = "iPAddress constraint mask not contiguous";
        } else if (t.value.len != 4 && t.value.len != 16) {
            why = "iPAddress not 4 or 16 bytes";
        }
    } else if (num == CAPTLS_GN_DIRECTORY) {
        /* [4] EXPLICIT Name */
        captls_der sub;
        captls_x509_name n;
        captls_result r = captls_der_open(d, &t, &sub);
        if (r == CAPTLS_OK)
            r = captls_x509_read_name(&sub, &n);
        if (r == CAPTLS_OK)
            r = captls_der_finish(&sub);
        if (r != CAPTLS_OK) {
            *d = save;
            return r;
        }
        gn.value = n.raw;
    } else if (num == CAPTLS_GN_REGISTERED_ID) {
        if (captls_der_check_oid(t.value) != CAPTLS_OK)
            why = "bad registeredID";
    }
    if (why != NULL) {
        *d = save;
        return captls_x509_fail(d, t.offset, CAPTLS_ERR_MALFORMED, why);
    }
    *out = gn;
    return CAPTLS_OK;
}

captls_result captls_general_name_directory(const captls_general_name *gn,
                                            captls_x509_name *out)
{
    if (gn == NULL || out == NULL || gn->type != CAPTLS_GN_DIRECTORY)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return captls_x509_name_parse(gn->value.ptr, gn->value.len, out);
}

captls_result captls_general_name_ip_constraint(const captls_general_name *gn,
                                                captls_slice *addr,
                                                captls_slice *mask)
{
    if (gn == NULL || addr == NULL || mask == NULL || gn->type != CAPTLS_GN_IP ||
        (gn->value.len != 8 && gn->value.len != 32))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t h = gn->value.len / 2;
    addr->ptr = gn->value.ptr;
    addr->len = h;
    mask->ptr = gn->value.ptr + h;
    mask->len = h;
    return CAPTLS_OK;
}
