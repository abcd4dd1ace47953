/* Strict DER reader and backwards writer. See der.h. */
#include "core/base/der.h"

#include <string.h>

/* Records the first failure seen through this cursor family. */
static captls_result fail(const captls_der *d, size_t off, captls_result code,
                          const char *why)
{
    if (d->err != NULL && d->err->code == CAPTLS_OK) {
        d->err->code = code;
        d->err->offset = off;
        d->err->reason = why;
    }
    return code;
}

void captls_der_init(captls_der *d, const uint8_t *data, size_t len,
                     captls_der_error *err)
{
    d->base = data;
    d->pos = 0;
    d->end = data != NULL ? len : 0;
    d->depth = 0;
    d->err = err;
    if (err != NULL) {
        err->code = CAPTLS_OK;
        err->offset = 0;
        err->reason = "";
    }
}

bool captls_der_at_end(const captls_der *d) { return d->pos >= d->end; }

size_t captls_der_offset(const captls_der *d) { return d->pos; }

size_t captls_der_error_offset(const captls_der *d)
{
    if (d->err != NULL && d->err->code != CAPTLS_OK)
        return d->err->offset;
    return d->pos;
}

/* Universal types X.690 §10.2 requires primitive, and those that are
 * always constructed. */
static bool universal_primitive_only(uint32_t n)
{
    switch (n) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 9: case 10:
    case 12: case 13: case 18: case 19: case 20: case 21: case 22: case 23:
    case 24: case 25: case 26: case 27: case 28: case 30:
        return true;
    default:
        return false;
    }
}

/* Parses the TLV at d->pos; on success *next is the offset after it. */
static captls_result parse_tlv(const captls_der *d, captls_der_tlv *out,
                               size_t *next)
{
    const uint8_t *b = d->base;
    size_t p = d->pos, end = d->end, start = d->pos;
    if (p >= end)
        return fail(d, p, CAPTLS_ERR_MALFORMED, "unexpected end of data");
    uint8_t t0 = b[p++];
    uint32_t cls = (uint32_t)t0 >> 6;
    bool cons = (t0 & 0x20) != 0;
    uint32_t num = t0 & 0x1Fu;
    if (num == 0x1F) {
        /* X.690 §8.1.2.4: high-tag-number form, base 128, minimal. */
        bool first = true;
        num = 0;
        for (;;) {
            if (p >= end)
                return fail(d, p, CAPTLS_ERR_MALFORMED, "truncated tag");
            uint8_t c = b[p++];
            if (first && c == 0x80)
                return fail(d, p - 1, CAPTLS_ERR_MALFORMED,
                            "non-minimal tag number");
            first = false;
            num = (num << 7) | (c & 0x7Fu);
            if (num > CAPTLS_DER_MAX_TAG_NUMBER)
                return fail(d, start, CAPTLS_ERR_LIMIT_EXCEEDED,
                            "tag number too large");
            if ((c & 0x80) == 0)
                break;
        }
        if (num < 31)
            return fail(d, start, CAPTLS_ERR_MALFORMED,
                        "high-tag-number form for a low tag number");
    }
    if (cls == CAPTLS_DER_CLASS_UNIVERSAL) {
        if (num == 0)
            return fail(d, start, CAPTLS_ERR_MALFORMED,
                        "end-of-contents tag (BER)");
        if (cons && universal_primitive_only(num))
            return fail(d, start, CAPTLS_ERR_MALFORMED,
                        "constructed encoding of a primitive type");
        if (!cons && (num == 16 || num == 17))
            return fail(d, start, CAPTLS_ERR_MALFORMED,
                        "primitive SEQUENCE or SET");
    }
    if (p >= end)
        return fail(d, p, CAPTLS_ERR_MALFORMED, "truncated length");
    size_t lpos = p;
    uint8_t l0 = b[p++];
    size_t len;
    if (l0 < 0x80) {
        len = l0;
    } else if (l0 == 0x80) {
        return fail(d, lpos, CAPTLS_ERR_MALFORMED, "indefinite length (BER)");
    } else if (l0 == 0xFF) {
        return fail(d, lpos, CAPTLS_ERR_MALFORMED, "reserved length octet");
    } else {
        /* X.690 §10.1: the fewest length octets. */
        size_t n = l0 & 0x7Fu;
        if (p >= end)
            return fail(d, p, CAPTLS_ERR_MALFORMED, "truncated length");
        if (b[p] == 0)
            return fail(d, lpos, CAPTLS_ERR_MALFORMED,
                        "non-minimal length (leading zero)");
        if (n > 3)
            return fail(d, lpos, CAPTLS_ERR_LIMIT_EXCEEDED,
                        "length above the maximum");
        if (end - p < n)
            return fail(d, lpos, CAPTLS_ERR_MALFORMED, "truncated length");
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | b[p++];
        if (len < 0x80)
            return fail(d, lpos, CAPTLS_ERR_MALFORMED,
                        "long-form length for a short length");
    }
    if (len > CAPTLS_DER_MAX_LENGTH)
        return fail(d, lpos, CAPTLS_ERR_LIMIT_EXCEEDED,
                    "length above the maximum");
    if (len > end - p)
        return fail(d, lpos, CAPTLS_ERR_MALFORMED,
                    "length past the end of the enclosing element");
    out->tag = CAPTLS_DER_TAG(cls, cons, num);
    out->value.ptr = b + p;
    out->value.len = len;
    out->raw.ptr = b + start;
    out->raw.len = p + len - start;
    out->offset = start;
    *next = p + len;
    return CAPTLS_OK;
}

captls_result captls_der_peek_tag(const captls_der *d, uint32_t *tag)
{
    captls_der_tlv t;
    size_t next;
    if (d == NULL || tag == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_tlv(d, &t, &next));
    *tag = t.tag;
    return CAPTLS_OK;
}

captls_result captls_der_read(captls_der *d, captls_der_tlv *out)
{
    captls_der_tlv t;
    size_t next;
    if (d == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_tlv(d, &t, &next));
    d->pos = next;
    *out = t;
    return CAPTLS_OK;
}

captls_result captls_der_expect(captls_der *d, uint32_t tag,
                                captls_der_tlv *out)
{
    captls_der_tlv t;
    size_t next;
    if (d == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_tlv(d, &t, &next));
    if (t.tag != tag)
        return fail(d, d->pos, CAPTLS_ERR_MALFORMED, "unexpected tag");
    d->pos = next;
    *out = t;
    return CAPTLS_OK;
}

captls_result captls_der_optional(captls_der *d, uint32_t tag,
                                  captls_der_tlv *out, bool *present)
{
    captls_der_tlv t;
    size_t next;
    if (d == NULL || out == NULL || present == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (captls_der_at_end(d)) {
        *present = false;
        return CAPTLS_OK;
    }
    CAPTLS_TRY(parse_tlv(d, &t, &next));
    if (t.tag != tag) {
        *present = false;
        return CAPTLS_OK;
    }
    d->pos = next;
    *out = t;
    *present = true;
    return CAPTLS_OK;
}

captls_result captls_der_open(const captls_der *parent,
                              const captls_der_tlv *tlv, captls_der *sub)
{
    if (parent == NULL || tlv == NULL || sub == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!CAPTLS_DER_TAG_CONSTRUCTED(tlv->tag))
        return fail(parent, tlv->offset, CAPTLS_ERR_MALFORMED,
                    "expected a constructed element");
    if (parent->depth + 1 > CAPTLS_DER_MAX_DEPTH)
        return fail(parent, tlv->offset, CAPTLS_ERR_LIMIT_EXCEEDED,
                    "nesting deeper than the maximum");
    sub->base = parent->base;
    sub->pos = (size_t)(tlv->value.ptr - parent->base);
    sub->end = sub->pos + tlv->value.len;
    sub->depth = parent->depth + 1;
    sub->err = parent->err;
    return CAPTLS_OK;
}

captls_result captls_der_enter(captls_der *d, uint32_t tag, captls_der *sub)
{
    captls_der_tlv t;
    captls_der tmp;
    if (d == NULL || sub == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der save = *d;
    CAPTLS_TRY(captls_der_expect(d, tag, &t));
    captls_result r = captls_der_open(d, &t, &tmp);
    if (r != CAPTLS_OK) {
        *d = save;
        return r;
    }
    *sub = tmp;
    return CAPTLS_OK;
}

captls_result captls_der_enter_optional(captls_der *d, uint32_t tag,
                                        captls_der *sub, bool *present)
{
    captls_der_tlv t;
    captls_der tmp;
    if (d == NULL || sub == NULL || present == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der save = *d;
    bool here = false;
    CAPTLS_TRY(captls_der_optional(d, tag, &t, &here));
    if (here) {
        captls_result r = captls_der_open(d, &t, &tmp);
        if (r != CAPTLS_OK) {
            *d = save;
            return r;
        }
        *sub = tmp;
    }
    *present = here;
    return CAPTLS_OK;
}

captls_result captls_der_finish(const captls_der *d)
{
    if (d == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!captls_der_at_end(d))
        return fail(d, d->pos, CAPTLS_ERR_MALFORMED, "trailing data");
    return CAPTLS_OK;
}

/* ---- primitive checks --------------------------------------------------- */

captls_result captls_der_check_integer(captls_slice v)
{
    /* X.690 §8.3.2: at least one octet; the first nine bits not all equal. */
    if (v.len == 0)
        return CAPTLS_ERR_MALFORMED;
    if (v.len >= 2 && ((v.ptr[0] == 0x00 && (v.ptr[1] & 0x80) == 0) ||
                       (v.ptr[0] == 0xFF && (v.ptr[1] & 0x80) != 0)))
        return CAPTLS_ERR_MALFORMED;
    return CAPTLS_OK;
}

bool captls_der_integer_is_negative(captls_slice v)
{
    return v.len > 0 && (v.ptr[0] & 0x80) != 0;
}

captls_result captls_der_check_oid(captls_slice v)
{
    /* X.690 §8.19.2: each arc base 128, no leading 0x80 octet; the last
     * octet of the contents ends an arc. */
    if (v.len == 0)
        return CAPTLS_ERR_MALFORMED;
    bool arc_start = true;
    for (size_t i = 0; i < v.len; i++) {
        if (arc_start && v.ptr[i] == 0x80)
            return CAPTLS_ERR_MALFORMED;
        arc_start = (v.ptr[i] & 0x80) == 0;
    }
    return arc_start ? CAPTLS_OK : CAPTLS_ERR_MALFORMED;
}

bool captls_der_oid_equal(captls_slice oid, const uint8_t *c, size_t clen)
{
    return oid.len == clen && (clen == 0 || memcmp(oid.ptr, c, clen) == 0);
}

static captls_result check_bit_string(captls_slice v, unsigned *unused)
{
    /* X.690 §8.6.2 and §11.2: unused bits 0..7, 0 when empty, and zero. */
    if (v.len == 0 || v.ptr[0] > 7)
        return CAPTLS_ERR_MALFORMED;
    unsigned u = v.ptr[0];
    if (v.len == 1 && u != 0)
        return CAPTLS_ERR_MALFORMED;
    if (u != 0 && (v.ptr[v.len - 1] & ((1u << u) - 1u)) != 0)
        return CAPTLS_ERR_MALFORMED;
    *unused = u;
    return CAPTLS_OK;
}

static bool two_digits(const uint8_t *p, uint32_t *out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    *out = (uint32_t)(p[0] - '0') * 10u + (uint32_t)(p[1] - '0');
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

captls_result captls_der_parse_time(uint32_t tag, captls_slice v,
                                    int64_t *epoch)
{
    uint32_t f[6];
    const uint8_t *p = v.ptr;
    int64_t year;
    if (epoch == NULL || (v.len > 0 && v.ptr == NULL))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 5280 §4.1.2.5.1/.2: Zulu, seconds present, no fractions. */
    if (tag == CAPTLS_DER_UTC_TIME) {
        if (v.len != 13 || p[12] != 'Z')
            return CAPTLS_ERR_MALFORMED;
        for (int i = 0; i < 6; i++)
            if (!two_digits(p + 2 * i, &f[i]))
                return CAPTLS_ERR_MALFORMED;
        /* RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY. */
        year = f[0] >= 50 ? 1900 + (int64_t)f[0] : 2000 + (int64_t)f[0];
    } else if (tag == CAPTLS_DER_GENERALIZED_TIME) {
        uint32_t hi, lo;
        if (v.len != 15 || p[14] != 'Z')
            return CAPTLS_ERR_MALFORMED;
        if (!two_digits(p, &hi) || !two_digits(p + 2, &lo))
            return CAPTLS_ERR_MALFORMED;
        year = (int64_t)hi * 100 + lo;
        for (int i = 1; i < 6; i++)
            if (!two_digits(p + 2 + 2 * i, &f[i]))
                return CAPTLS_ERR_MALFORMED;
    } else {
        return CAPTLS_ERR_MALFORMED;
    }
    uint32_t mon = f[1], day = f[2], hh = f[3], mm = f[4], ss = f[5];
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
    if (mon < 1 || mon > 12 || day < 1 || hh > 23 || mm > 59 || ss > 59)
        return CAPTLS_ERR_MALFORMED;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    uint32_t dim = mdays[mon - 1] + ((mon == 2 && leap) ? 1u : 0u);
    if (day > dim)
        return CAPTLS_ERR_MALFORMED;
    *epoch = days_from_civil(year, mon, day) * 86400 + (int64_t)hh * 3600 +
             (int64_t)mm * 60 + ss;
    return CAPTLS_OK;
}

static bool is_string_tag(uint32_t tag)
{
    switch (tag) {
    case CAPTLS_DER_UTF8_STRING: case CAPTLS_DER_NUMERIC_STRING:
    case CAPTLS_DER_PRINTABLE_STRING: case CAPTLS_DER_T61_STRING:
    case CAPTLS_DER_IA5_STRING: case CAPTLS_DER_VISIBLE_STRING:
    case CAPTLS_DER_UNIVERSAL_STRING: case CAPTLS_DER_BMP_STRING:
        return true;
    default:
        return false;
    }
}

/* Checks the contents of a universal primitive; other tags pass. */
static captls_result check_primitive(const captls_der_tlv *t,
                                     const char **why)
{
    unsigned unused;
    int64_t when;
    switch (t->tag) {
    case CAPTLS_DER_BOOLEAN:
        /* X.690 §11.1: FALSE is 0x00, TRUE is 0xFF. */
        *why = "BOOLEAN not 0x00 or 0xFF";
        if (t->value.len != 1 || (t->value.ptr[0] != 0 && t->value.ptr[0] != 0xFF))
            return CAPTLS_ERR_MALFORMED;
        return CAPTLS_OK;
    case CAPTLS_DER_INTEGER:
    case CAPTLS_DER_ENUMERATED:
        *why = "empty or non-minimal INTEGER";
        return captls_der_check_integer(t->value);
    case CAPTLS_DER_NULL:
        *why = "NULL with contents";
        return t->value.len == 0 ? CAPTLS_OK : CAPTLS_ERR_MALFORMED;
    case CAPTLS_DER_OID:
        *why = "badly encoded OBJECT IDENTIFIER";
        return captls_der_check_oid(t->value);
    case CAPTLS_DER_BIT_STRING:
        *why = "bad BIT STRING unused bits";
        return check_bit_string(t->value, &unused);
    case CAPTLS_DER_UTC_TIME:
    case CAPTLS_DER_GENERALIZED_TIME:
        *why = "bad time";
        return captls_der_parse_time(t->tag, t->value, &when);
    case CAPTLS_DER_BMP_STRING:
        *why = "BMPString of odd length";
        return t->value.len % 2 == 0 ? CAPTLS_OK : CAPTLS_ERR_MALFORMED;
    case CAPTLS_DER_UNIVERSAL_STRING:
        *why = "UniversalString length not a multiple of 4";
        return t->value.len % 4 == 0 ? CAPTLS_OK : CAPTLS_ERR_MALFORMED;
    default:
        return CAPTLS_OK;
    }
}

/* Reads a TLV of `tag` and checks its contents; no movement on failure. */
static captls_result read_checked(captls_der *d, uint32_t tag,
                                  captls_der_tlv *t)
{
    captls_der save = *d;
    const char *why = "";
    CAPTLS_TRY(captls_der_expect(d, tag, t));
    captls_result r = check_primitive(t, &why);
    if (r != CAPTLS_OK) {
        *d = save;
        return fail(d, t->offset, r, why);
    }
    return CAPTLS_OK;
}

captls_result captls_der_read_integer(captls_der *d, captls_slice *value)
{
    captls_der_tlv t;
    if (d == NULL || value == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(read_checked(d, CAPTLS_DER_INTEGER, &t));
    *value = t.value;
    return CAPTLS_OK;
}

captls_result captls_der_read_uint(captls_der *d, captls_slice *mag)
{
    captls_der_tlv t;
    if (d == NULL || mag == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der save = *d;
    CAPTLS_TRY(read_checked(d, CAPTLS_DER_INTEGER, &t));
    if (captls_der_integer_is_negative(t.value)) {
        *d = save;
        return fail(d, t.offset, CAPTLS_ERR_MALFORMED, "negative INTEGER");
    }
    captls_slice m = t.value;
    if (m.len > 1 && m.ptr[0] == 0) {
        m.ptr++;
        m.len--;
    }
    *mag = m;
    return CAPTLS_OK;
}

captls_result captls_der_read_int64(captls_der *d, int64_t *v)
{
    captls_der_tlv t;
    if (d == NULL || v == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der save = *d;
    CAPTLS_TRY(read_checked(d, CAPTLS_DER_INTEGER, &t));
    if (t.value.len > 8) {
        *d = save;
        return fail(d, t.offset, CAPTLS_ERR_LIMIT_EXCEEDED,
                    "INTEGER does not fit in 64 bits");
    }
    uint64_t u = (t.value.ptr[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < t.value.len; i++)
        u = (u << 8) | t.value.ptr[i];
    *v = (int64_t)u;
    return CAPTLS_OK;
}

captls_result captls_der_read_bool(captls_der *d, bool *v)
{
    captls_der_tlv t;
    if (d == NULL || v == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(read_checked(d, CAPTLS_DER_BOOLEAN, &t));
    *v = t.value.ptr[0] != 0;
    return CAPTLS_OK;
}

captls_result captls_der_read_null(captls_der *d)
{
    captls_der_tlv t;
    if (d == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return read_checked(d, CAPTLS_DER_NULL, &t);
}

captls_result captls_der_read_oid(captls_der *d, captls_slice *oid)
{
    captls_der_tlv t;
    if (d == NULL || oid == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(read_checked(d, CAPTLS_DER_OID, &t));
    *oid = t.value;
    return CAPTLS_OK;
}

captls_result captls_der_read_bit_string(captls_der *d, captls_slice *bits,
                                         unsigned *unused)
{
    captls_der_tlv t;
    if (d == NULL || bits == NULL || unused == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(read_checked(d, CAPTLS_DER_BIT_STRING, &t));
    *unused = t.value.ptr[0];
    bits->ptr = t.value.ptr + 1;
    bits->len = t.value.len - 1;
    return CAPTLS_OK;
}

captls_result captls_der_read_bit_octets(captls_der *d, captls_slice *bytes)
{
    captls_der_tlv t;
    if (d == NULL || bytes == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der save = *d;
    CAPTLS_TRY(read_checked(d, CAPTLS_DER_BIT_STRING, &t));
    if (t.value.ptr[0] != 0) {
        *d = save;
        return fail(d, t.offset, CAPTLS_ERR_MALFORMED,
                    "BIT STRING is not a whole number of octets");
    }
    bytes->ptr = t.value.ptr + 1;
    bytes->len = t.value.len - 1;
    return CAPTLS_OK;
}

captls_result captls_der_read_octet_string(captls_der *d, captls_slice *s)
{
    captls_der_tlv t;
    if (d == NULL || s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_der_expect(d, CAPTLS_DER_OCTET_STRING, &t));
    *s = t.value;
    return CAPTLS_OK;
}

captls_result captls_der_read_string(captls_der *d, captls_der_tlv *out)
{
    captls_der_tlv t;
    size_t next;
    const char *why = "";
    if (d == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_tlv(d, &t, &next));
    if (!is_string_tag(t.tag))
        return fail(d, t.offset, CAPTLS_ERR_MALFORMED,
                    "expected a character string");
    captls_result r = check_primitive(&t, &why);
    if (r != CAPTLS_OK)
        return fail(d, t.offset, r, why);
    d->pos = next;
    *out = t;
    return CAPTLS_OK;
}

captls_result captls_der_read_time(captls_der *d, int64_t *epoch)
{
    captls_der_tlv t;
    size_t next;
    int64_t when;
    if (d == NULL || epoch == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(parse_tlv(d, &t, &next));
    if (t.tag != CAPTLS_DER_UTC_TIME && t.tag != CAPTLS_DER_GENERALIZED_TIME)
        return fail(d, t.offset, CAPTLS_ERR_MALFORMED, "expected a time");
    if (captls_der_parse_time(t.tag, t.value, &when) != CAPTLS_OK)
        return fail(d, t.offset, CAPTLS_ERR_MALFORMED, "bad time");
    d->pos = next;
    *epoch = when;
    return CAPTLS_OK;
}

captls_result captls_der_validate(const uint8_t *data, size_t len,
                                  captls_der_error *err, size_t *count)
{
    /* An explicit stack of cursors instead of recursion. */
    captls_der stack[CAPTLS_DER_MAX_DEPTH + 1];
    size_t top = 0, seen = 0;
    if (data == NULL && len != 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_der_init(&stack[0], data, len, err);
    if (len == 0)
        return fail(&stack[0], 0, CAPTLS_ERR_MALFORMED, "empty input");
    for (;;) {
        captls_der *c = &stack[top];
        if (captls_der_at_end(c)) {
            if (top == 0)
                break;
            top--;
            continue;
        }
        captls_der_tlv t;
        const char *why = "";
        CAPTLS_TRY(captls_der_read(c, &t));
        seen++;
        if (top == 0)
            CAPTLS_TRY(captls_der_finish(c));
        if (CAPTLS_DER_TAG_CONSTRUCTED(t.tag)) {
            CAPTLS_TRY(captls_der_open(c, &t, &stack[top + 1]));
            top++;
        } else {
            captls_result r = check_primitive(&t, &why);
            if (r != CAPTLS_OK)
                return fail(c, t.offset, r, why);
        }
    }
    if (count != NULL)
        *count = seen;
    return CAPTLS_OK;
}

/* ---- writer ------------------------------------------------------------- */

void captls_der_writer_init(captls_der_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->len = 0;
    w->status = CAPTLS_OK;
}

size_t captls_der_writer_mark(const captls_der_writer *w) { return w->len; }

void captls_der_write_raw(captls_der_writer *w, const uint8_t *p, size_t n)
{
    if (w->status != CAPTLS_OK || n == 0)
        return;
    if (p == NULL) {
        w->status = CAPTLS_ERR_INVALID_ARGUMENT;
        return;
    }
    if (n > CAPTLS_DER_MAX_LENGTH * 2u || w->len + n > CAPTLS_DER_MAX_LENGTH * 2u) {
        w->status = CAPTLS_ERR_LIMIT_EXCEEDED;
        return;
    }
    w->len += n;
    if (w->buf != NULL && w->len <= w->cap)
        memcpy(w->buf + (w->cap - w->len), p, n);
}

void captls_der_write_header(captls_der_writer *w, uint32_t tag,
                             size_t content_len)
{
    uint8_t h[8];
    size_t n = sizeof(h); /* fill h backwards */
    uint32_t num = CAPTLS_DER_TAG_NUMBER(tag);
    if (w->status != CAPTLS_OK)
        return;
    if (num > CAPTLS_DER_MAX_TAG_NUMBER ||
        (CAPTLS_DER_TAG_CLASS(tag) == CAPTLS_DER_CLASS_UNIVERSAL && num == 0)) {
        w->status = CAPTLS_ERR_INVALID_ARGUMENT;
        return;
    }
    if (content_len > CAPTLS_DER_MAX_LENGTH) {
        w->status = CAPTLS_ERR_LIMIT_EXCEEDED;
        return;
    }
    if (content_len < 0x80) {
        h[--n] = (uint8_t)content_len;
    } else {
        uint8_t k = 0;
        for (size_t l = content_len; l != 0; l >>= 8, k++)
            h[--n] = (uint8_t)l;
        h[--n] = (uint8_t)(0x80 | k);
    }
    uint8_t lead = (uint8_t)((CAPTLS_DER_TAG_CLASS(tag) << 6) |
                             (CAPTLS_DER_TAG_CONSTRUCTED(tag) ? 0x20 : 0));
    if (num < 31) {
        h[--n] = (uint8_t)(lead | num);
    } else {
        bool last = true;
        for (uint32_t v = num; v != 0; v >>= 7, last = false)
            h[--n] = (uint8_t)((v & 0x7F) | (last ? 0 : 0x80));
        h[--n] = (uint8_t)(lead | 0x1F);
    }
    captls_der_write_raw(w, h + n, sizeof(h) - n);
}

void captls_der_write_wrap(captls_der_writer *w, uint32_t tag, size_t mark)
{
    if (w->status != CAPTLS_OK)
        return;
    if (mark > w->len) {
        w->status = CAPTLS_ERR_INVALID_ARGUMENT;
        return;
    }
    captls_der_write_header(w, tag, w->len - mark);
}

void captls_der_write_tlv(captls_der_writer *w, uint32_t tag,
                          const uint8_t *p, size_t n)
{
    captls_der_write_raw(w, p, n);
    captls_der_write_header(w, tag, n);
}

void captls_der_write_uint(captls_der_writer *w, const uint8_t *mag, size_t n)
{
    static const uint8_t zero = 0;
    while (n > 0 && mag[0] == 0) {
        mag++;
        n--;
    }
    if (n == 0) {
        captls_der_write_tlv(w, CAPTLS_DER_INTEGER, &zero, 1);
        return;
    }
    captls_der_write_raw(w, mag, n);
    if (mag[0] & 0x80) {
        captls_der_write_raw(w, &zero, 1);
        n++;
    }
    captls_der_write_header(w, CAPTLS_DER_INTEGER, n);
}

void captls_der_write_int64(captls_der_writer *w, int64_t v)
{
    uint8_t b[8];
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        b[i] = (uint8_t)u;
    size_t s = 0;
    while (s < 7 && ((b[s] == 0x00 && (b[s + 1] & 0x80) == 0) ||
                     (b[s] == 0xFF && (b[s + 1] & 0x80) != 0)))
        s++;
    captls_der_write_tlv(w, CAPTLS_DER_INTEGER, b + s, 8 - s);
}

void captls_der_write_bool(captls_der_writer *w, bool v)
{
    uint8_t b = v ? 0xFF : 0x00;
    captls_der_write_tlv(w, CAPTLS_DER_BOOLEAN, &b, 1);
}

void captls_der_write_null(captls_der_writer *w)
{
    captls_der_write_header(w, CAPTLS_DER_NULL, 0);
}

void captls_der_write_oid(captls_der_writer *w, const uint8_t *oid, size_t n)
{
    captls_der_write_tlv(w, CAPTLS_DER_OID, oid, n);
}

void captls_der_write_octet_string(captls_der_writer *w, const uint8_t *p,
                                   size_t n)
{
    captls_der_write_tlv(w, CAPTLS_DER_OCTET_STRING, p, n);
}

void captls_der_write_bit_string(captls_der_writer *w, const uint8_t *p,
                                 size_t n, unsigned unused)
{
    uint8_t u = (uint8_t)unused;
    if (w->status != CAPTLS_OK)
        return;
    if (unused > 7 || (n == 0 && unused != 0) ||
        (unused != 0 && (p[n - 1] & ((1u << unused) - 1u)) != 0)) {
        w->status = CAPTLS_ERR_INVALID_ARGUMENT;
        return;
    }
    captls_der_write_raw(w, p, n);
    captls_der_write_raw(w, &u, 1);
    captls_der_write_header(w, CAPTLS_DER_BIT_STRING, n + 1);
}

captls_result captls_der_writer_finish(captls_der_writer *w, size_t *len)
{
    if (w == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (w->status != CAPTLS_OK)
        return w->status;
    *len = w->len;
    if (w->buf == NULL)
        return CAPTLS_OK; /* counting only */
    if (w->len > w->cap)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (w->len != 0 && w->len != w->cap)
        memmove(w->buf, w->buf + (w->cap - w->len), w->len);
    w->cap = w->len; /* a second finish is then a no-op */
    return CAPTLS_OK;
}
