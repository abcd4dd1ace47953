/* core/gateway/client_map.c — see client_map.h. */
#include "core/gateway/client_map.h"

#include <string.h>

static bool is_alpha(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 4514 §2.4: characters a '\\' may escape directly. */
static bool is_special(char c)
{
    static const char sp[] = " \"#+,;<=>\\";
    for (size_t i = 0; i < sizeof sp - 1; i++)
        if (sp[i] == c)
            return true;
    return false;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

#define FAIL(off, msg)                                                         \
    do {                                                                       \
        *err_offset = (off);                                                   \
        *what = (msg);                                                         \
        return CAPTLS_ERR_MALFORMED;                                           \
    } while (0)

captls_result captls_rfc4514_check(const char *s, size_t len, char *out,
                                   size_t cap, size_t *out_len,
                                   size_t *err_offset, const char **what)
{
    size_t i = 0, o = 0;

    if (s == NULL || out == NULL || out_len == NULL || err_offset == NULL ||
        what == NULL || cap == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
#define PUT(c)                                                                 \
    do {                                                                       \
        if (o + 1 >= cap)                                                      \
            FAIL(i, "subject too long");                                       \
        out[o++] = (c);                                                        \
    } while (0)
    if (len == 0)
        FAIL(0, "empty subject");
    for (;;) {
        /* attributeType = descr / numericoid (RFC 4512 §1.4) */
        if (i < len && is_alpha((uint8_t)s[i])) {
            while (i < len && (is_alpha((uint8_t)s[i]) || is_digit((uint8_t)s[i]) ||
                               s[i] == '-'))
                PUT(s[i++]);
        } else if (i < len && is_digit((uint8_t)s[i])) {
            for (;;) {
                if (i >= len || !is_digit((uint8_t)s[i]))
                    FAIL(i, "OID arc expected");
                if (s[i] == '0' && i + 1 < len && is_digit((uint8_t)s[i + 1]))
                    FAIL(i, "OID arc with a leading zero");
                while (i < len && is_digit((uint8_t)s[i]))
                    PUT(s[i++]);
                if (i < len && s[i] == '.') {
                    PUT(s[i++]);
                    continue;
                }
                break;
            }
        } else {
            FAIL(i, "attribute type expected (e.g. CN)");
        }
        if (i >= len || s[i] != '=')
            FAIL(i, "'=' expected after the attribute type");
        PUT(s[i++]);
        /* attributeValue = string / hexstring (RFC 4514 §3) */
        if (i < len && s[i] == '#') {
            size_t start;
            PUT(s[i++]);
            start = i;
            while (i < len && s[i] != ',' && s[i] != '+') {
                if (hexval((uint8_t)s[i]) < 0)
                    FAIL(i, "hex digit expected in a #value");
                PUT(s[i++]);
            }
            if (i == start || (i - start) % 2 != 0)
                FAIL(i, "a #value needs pairs of hex digits");
        } else {
            size_t start = i;
            while (i < len && s[i] != ',' && s[i] != '+') {
                uint8_t c = (uint8_t)s[i];
                if (c < 0x20 || c == 0x7F)
                    FAIL(i, "control byte in the subject");
                if (c == '\\') {
                    PUT(s[i++]);
                    if (i < len && is_special(s[i])) {
                        PUT(s[i++]);
                    } else if (i + 1 < len && hexval((uint8_t)s[i]) >= 0 &&
                               hexval((uint8_t)s[i + 1]) >= 0) {
                        PUT(s[i++]);
                        PUT(s[i++]);
                    } else {
                        FAIL(i, "'\\' must be followed by a special character or two hex digits");
                    }
                    continue;
                }
                if (c == '"' || c == ';' || c == '<' || c == '>')
                    FAIL(i, "this character must be escaped with '\\'");
                if (i == start && c == ' ')
                    FAIL(i, "a value cannot start with an unescaped space");
                PUT(s[i++]);
            }
            if (i > start && s[i - 1] == ' ' && !(i >= start + 2 && s[i - 2] == '\\'))
                FAIL(i - 1, "a value cannot end with an unescaped space");
        }
        if (i >= len)
            break;
        PUT(s[i++]); /* ',' or '+' */
        while (i < len && s[i] == ' ')
            i++; /* tolerated, dropped */
        if (i >= len)
            FAIL(i, "attribute expected after the separator");
    }
#undef PUT
    out[o] = '\0';
    *out_len = o;
    return CAPTLS_OK;
}

/* 64 hex digits or 32 colon-separated pairs. */
static captls_result parse_fingerprint(const char *s, size_t len, uint8_t fp[32],
                                       size_t *err_offset, const char **what)
{
    bool colons = len == 95;
    size_t i = 0;

    if (len != 64 && len != 95)
        FAIL(0, "fingerprint must be 64 hex digits (or 32 pairs with ':')");
    for (size_t b = 0; b < 32; b++) {
        int hi, lo;
        if (colons && b > 0) {
            if (s[i] != ':')
                FAIL(i, "':' expected between fingerprint bytes");
            i++;
        }
        hi = hexval((uint8_t)s[i]);
        if (hi < 0)
            FAIL(i, "hex digit expected");
        lo = hexval((uint8_t)s[i + 1]);
        if (lo < 0)
            FAIL(i + 1, "hex digit expected");
        fp[b] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return CAPTLS_OK;
}

#undef FAIL

static captls_result map_error(captls_parse_error *err, uint32_t line, size_t col0,
                               const char *what, captls_result r)
{
    if (err != NULL) {
        err->line = line;
        err->column = (uint32_t)(col0 + 1);
        err->what = what;
    }
    return r;
}

static bool profile_ok(const char *p, size_t n)
{
    if (n == 0 || n > CAPTLS_CLIENT_MAP_PROFILE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)p[i];
        if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-')
            return false;
    }
    return true;
}

captls_result captls_client_map_parse(const char *text, size_t len,
                                      captls_client_map_entry *entries,
                                      size_t cap, size_t *count,
                                      captls_parse_error *err)
{
    static const char sha_pfx[] = "sha256:", subj_pfx[] = "subject:";
    size_t pos = 0, n = 0;
    uint32_t line = 0;

    if ((text == NULL && len > 0) || count == NULL || (entries == NULL && cap > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *count = 0;
    while (pos < len) {
        size_t start = pos, b, e, pe, ps, ue, us, off = 0;
        const char *l = text + start, *what = NULL;
        captls_client_map_entry ent;

        while (pos < len && text[pos] != '\n')
            pos++;
        e = pos - start;
        if (pos < len)
            pos++;
        line++;
        if (e > 0 && l[e - 1] == '\r')
            e--;
        for (size_t i = 0; i < e; i++)
            if (l[i] == '\0' || l[i] == '\r')
                return map_error(err, line, i, "NUL or CR inside a line",
                                 CAPTLS_ERR_MALFORMED);
        b = 0;
        while (b < e && is_blank(l[b]))
            b++;
        while (e > b && is_blank(l[e - 1]))
            e--;
        if (b == e || l[b] == '#')
            continue;
        memset(&ent, 0, sizeof ent);
        /* PROFILE: last field; USER: the one before; KEY: the rest */
        pe = e;
        ps = pe;
        while (ps > b && !is_blank(l[ps - 1]))
            ps--;
        ue = ps;
        while (ue > b && is_blank(l[ue - 1]))
            ue--;
        us = ue;
        while (us > b && !is_blank(l[us - 1]))
            us--;
        if (ps == b || us == b || us == ue)
            return map_error(err, line, e, "expected KEY USER PROFILE",
                             CAPTLS_ERR_MALFORMED);
        if (!profile_ok(l + ps, pe - ps))
            return map_error(err, line, ps,
                             "profile must be 1..32 bytes of A-Z a-z 0-9 _ -",
                             CAPTLS_ERR_MALFORMED);
        if (!captls_user_name_valid(l + us, ue - us))
            return map_error(err, line, us,
                             "user name must be 1..32 bytes of A-Z a-z 0-9 . _ -",
                             CAPTLS_ERR_MALFORMED);
        memcpy(ent.profile, l + ps, pe - ps);
        memcpy(ent.user, l + us, ue - us);
        /* KEY spans b .. the blanks before USER */
        size_t ke = us;
        while (ke > b && is_blank(l[ke - 1])) {
            /* an RFC 4514 "\\ " (escaped space) ends the DN: keep it */
            size_t bs = 0;
            while (ke - 1 - bs > b && l[ke - 2 - bs] == '\\')
                bs++;
            if (bs % 2 == 1)
                break;
            ke--;
        }
        if ((size_t)(ke - b) >= sizeof sha_pfx - 1 &&
            memcmp(l + b, sha_pfx, sizeof sha_pfx - 1) == 0) {
            size_t k0 = b + sizeof sha_pfx - 1;
            ent.kind = CAPTLS_CLIENT_MAP_SHA256;
            if (parse_fingerprint(l + k0, ke - k0, ent.fingerprint, &off, &what) !=
                CAPTLS_OK)
                return map_error(err, line, k0 + off, what, CAPTLS_ERR_MALFORMED);
        } else if ((size_t)(ke - b) >= sizeof subj_pfx - 1 &&
                   memcmp(l + b, subj_pfx, sizeof subj_pfx - 1) == 0) {
            size_t k0 = b + sizeof subj_pfx - 1, olen = 0;
            ent.kind = CAPTLS_CLIENT_MAP_SUBJECT;
            if (captls_rfc4514_check(l + k0, ke - k0, ent.subject, sizeof ent.subject,
                                     &olen, &off, &what) != CAPTLS_OK)
                return map_error(err, line, k0 + off, what, CAPTLS_ERR_MALFORMED);
            ent.subject_len = (uint16_t)olen;
        } else {
            return map_error(err, line, b, "expected sha256:<hex> or subject:<RFC 4514 DN>",
                             CAPTLS_ERR_MALFORMED);
        }
        for (size_t i = 0; i < n; i++) {
            const captls_client_map_entry *o = &entries[i];
            if (o->kind != ent.kind)
                continue;
            if ((ent.kind == CAPTLS_CLIENT_MAP_SHA256 &&
                 memcmp(o->fingerprint, ent.fingerprint, 32) == 0) ||
                (ent.kind == CAPTLS_CLIENT_MAP_SUBJECT &&
                 o->subject_len == ent.subject_len &&
                 memcmp(o->subject, ent.subject, ent.subject_len) == 0))
                return map_error(err, line, b, "this certificate is already mapped",
                                 CAPTLS_ERR_ALREADY_EXISTS);
        }
        if (n >= cap)
            return map_error(err, line, b, "too many entries", CAPTLS_ERR_LIMIT_EXCEEDED);
        entries[n++] = ent;
        *count = n;
    }
    return CAPTLS_OK;
}
