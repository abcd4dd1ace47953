/* core/gateway/credential_store.c — see credential_store.h. */
#include "core/gateway/credential_store.h"

#include <string.h>

#include "core/base/base64.h"
#include "core/base/ct.h"
#include "core/crypto/pbkdf2.h"

static bool name_byte_ok(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Offset of the first invalid byte of a name, or len if it is valid and
 * not empty/too long (those report offset 0 / CAPTLS_CRED_NAME_MAX). */
static size_t name_check(const char *name, size_t len, const char **what)
{
    if (len == 0) {
        *what = "empty user name";
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (i == CAPTLS_CRED_NAME_MAX) {
            *what = "user name longer than 32 bytes";
            return i;
        }
        if (!name_byte_ok((uint8_t)name[i]) ||
            (i == 0 && (name[0] == '.' || name[0] == '-'))) {
            *what = "user name byte not allowed (A-Z a-z 0-9 . _ -)";
            return i;
        }
    }
    *what = NULL;
    return len;
}

bool captls_user_name_valid(const char *name, size_t len)
{
    const char *what;
    return name != NULL && name_check(name, len, &what) == len && what == NULL;
}

captls_result captls_user_record_make(captls_user_record *rec, const char *name,
                                      size_t name_len, const uint8_t *password,
                                      size_t password_len, const uint8_t *salt,
                                      size_t salt_len, uint32_t iterations)
{
    if (rec == NULL || salt == NULL || !captls_user_name_valid(name, name_len) ||
        salt_len < CAPTLS_CRED_SALT_MIN || salt_len > CAPTLS_CRED_SALT_MAX ||
        iterations == 0 || iterations > CAPTLS_CRED_MAX_ITERATIONS ||
        (password == NULL && password_len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(rec, 0, sizeof *rec);
    memcpy(rec->name, name, name_len);
    rec->name_len = (uint8_t)name_len;
    memcpy(rec->salt, salt, salt_len);
    rec->salt_len = (uint8_t)salt_len;
    rec->iterations = iterations;
    return captls_pbkdf2_hmac(CAPTLS_HASH_SHA256, password, password_len, salt,
                              salt_len, iterations, rec->hash,
                              CAPTLS_CRED_HASH_LEN);
}

captls_result captls_user_record_format(const captls_user_record *rec, char *out,
                                        size_t cap, size_t *len)
{
    char digits[10];
    size_t nd = 0, need, pos = 0, n;
    uint32_t v;

    if (rec == NULL || out == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    v = rec->iterations;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    need = rec->name_len + 1 + sizeof CAPTLS_CRED_SCHEME - 1 + 1 + nd + 1 +
           captls_base64_encoded_len(rec->salt_len) + 1 +
           captls_base64_encoded_len(CAPTLS_CRED_HASH_LEN);
    *len = need;
    if (cap < need + 1)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(out, rec->name, rec->name_len);
    pos = rec->name_len;
    out[pos++] = ':';
    memcpy(out + pos, CAPTLS_CRED_SCHEME, sizeof CAPTLS_CRED_SCHEME - 1);
    pos += sizeof CAPTLS_CRED_SCHEME - 1;
    out[pos++] = '$';
    while (nd > 0)
        out[pos++] = digits[--nd];
    out[pos++] = '$';
    CAPTLS_TRY(captls_base64_encode(rec->salt, rec->salt_len, out + pos, cap - pos, &n));
    pos += n;
    out[pos++] = '$';
    CAPTLS_TRY(captls_base64_encode(rec->hash, CAPTLS_CRED_HASH_LEN, out + pos,
                                    cap - pos, &n));
    pos += n;
    out[pos] = '\0';
    return CAPTLS_OK;
}

static size_t field_end(const char *s, size_t from, size_t len)
{
    while (from < len && s[from] != '$')
        from++;
    return from;
}

#define FAIL(off, msg)                                                         \
    do {                                                                       \
        *err_offset = (off);                                                   \
        *what = (msg);                                                         \
        return CAPTLS_ERR_MALFORMED;                                           \
    } while (0)

captls_result captls_user_hash_parse(const char *s, size_t len,
                                     uint32_t min_iterations,
                                     captls_user_record *rec,
                                     size_t *err_offset, const char **what)
{
    static const char scheme[] = CAPTLS_CRED_SCHEME "$";
    size_t pos, end, n;
    uint32_t iter = 0;
    uint8_t tmp[CAPTLS_CRED_SALT_MAX + 3];

    if (s == NULL || rec == NULL || err_offset == NULL || what == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (pos = 0; pos < sizeof scheme - 1; pos++)
        if (pos >= len || s[pos] != scheme[pos])
            FAIL(pos, "unknown hash scheme (want pbkdf2-sha256$...)");
    /* iterations */
    end = field_end(s, pos, len);
    if (end == pos)
        FAIL(pos, "iteration count missing");
    if (s[pos] == '0')
        FAIL(pos, "iteration count has a leading zero");
    for (size_t i = pos; i < end; i++) {
        if (s[i] < '0' || s[i] > '9')
            FAIL(i, "iteration count is not a decimal number");
        if (i - pos >= 9)
            FAIL(pos, "iteration count out of range");
        iter = iter * 10 + (uint32_t)(s[i] - '0');
    }
    if (iter > CAPTLS_CRED_MAX_ITERATIONS)
        FAIL(pos, "iteration count out of range");
    if (iter < min_iterations)
        FAIL(pos, "iteration count below the configured minimum");
    if (end >= len)
        FAIL(end, "salt missing");
    /* salt */
    pos = end + 1;
    end = field_end(s, pos, len);
    if (end - pos > captls_base64_encoded_len(CAPTLS_CRED_SALT_MAX))
        FAIL(pos, "salt longer than 64 bytes");
    if (captls_base64_decode(s + pos, end - pos, tmp, sizeof tmp, &n) != CAPTLS_OK)
        FAIL(pos, "salt is not strict base64");
    if (n < CAPTLS_CRED_SALT_MIN || n > CAPTLS_CRED_SALT_MAX)
        FAIL(pos, "salt must be 16..64 bytes");
    memset(rec, 0, sizeof *rec);
    memcpy(rec->salt, tmp, n);
    rec->salt_len = (uint8_t)n;
    rec->iterations = iter;
    if (end >= len)
        FAIL(end, "hash missing");
    /* hash: the rest */
    pos = end + 1;
    end = field_end(s, pos, len);
    if (end != len)
        FAIL(end, "unexpected '$' after the hash");
    if (len - pos != captls_base64_encoded_len(CAPTLS_CRED_HASH_LEN) ||
        captls_base64_decode(s + pos, len - pos, tmp, sizeof tmp, &n) != CAPTLS_OK ||
        n != CAPTLS_CRED_HASH_LEN)
        FAIL(pos, "hash is not the strict base64 of 32 bytes");
    memcpy(rec->hash, tmp, CAPTLS_CRED_HASH_LEN);
    return CAPTLS_OK;
}

#undef FAIL

static captls_result line_error(captls_parse_error *err, uint32_t line,
                                size_t col0, const char *what, captls_result r)
{
    if (err != NULL) {
        err->line = line;
        err->column = (uint32_t)(col0 + 1);
        err->what = what;
    }
    return r;
}

captls_result captls_users_parse(const char *text, size_t len,
                                 uint32_t min_iterations,
                                 captls_user_record *recs, size_t cap,
                                 size_t *count, captls_parse_error *err)
{
    size_t pos = 0, n = 0;
    uint32_t line = 0;

    if ((text == NULL && len > 0) || count == NULL || (recs == NULL && cap > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *count = 0;
    while (pos < len) {
        size_t start = pos, end, colon, llen;
        const char *l = text + pos, *what = NULL;
        captls_user_record rec;
        size_t bad, off;

        while (pos < len && text[pos] != '\n')
            pos++;
        end = pos;
        if (pos < len)
            pos++; /* the '\n' */
        line++;
        if (end > start && text[end - 1] == '\r')
            end--;
        llen = end - start;
        if (llen == 0 || l[0] == '#')
            continue;
        for (colon = 0; colon < llen && l[colon] != ':'; colon++)
            ;
        bad = name_check(l, colon, &what);
        if (what != NULL)
            return line_error(err, line, bad, what, CAPTLS_ERR_MALFORMED);
        if (colon == llen)
            return line_error(err, line, llen, "missing ':' after the user name",
                              CAPTLS_ERR_MALFORMED);
        if (captls_user_hash_parse(l + colon + 1, llen - colon - 1, min_iterations,
                                   &rec, &off, &what) != CAPTLS_OK)
            return line_error(err, line, colon + 1 + off, what, CAPTLS_ERR_MALFORMED);
        memcpy(rec.name, l, colon);
        rec.name[colon] = '\0';
        rec.name_len = (uint8_t)colon;
        for (size_t i = 0; i < n; i++)
            if (recs[i].name_len == colon && memcmp(recs[i].name, l, colon) == 0)
                return line_error(err, line, 0, "user listed twice",
                                  CAPTLS_ERR_ALREADY_EXISTS);
        if (n >= cap)
            return line_error(err, line, 0, "too many users", CAPTLS_ERR_LIMIT_EXCEEDED);
        recs[n++] = rec;
        *count = n;
    }
    return CAPTLS_OK;
}

captls_result captls_credential_store_init(captls_credential_store *store,
                                           const captls_user_record *recs,
                                           size_t count)
{
    if (store == NULL || (recs == NULL && count > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(store, 0, sizeof *store);
    store->recs = recs;
    store->count = count;
    /* The dummy: the first record's cost, a fixed salt and a hash no
     * password is known to produce; it is never accepted anyway (the
     * `found` mask is 0 for it). */
    store->dummy.iterations = count > 0 ? recs[0].iterations
                                        : CAPTLS_CRED_DEFAULT_ITERATIONS;
    store->dummy.salt_len = count > 0 ? recs[0].salt_len : CAPTLS_CRED_SALT_DEFAULT;
    memset(store->dummy.salt, 0x5a, sizeof store->dummy.salt);
    memset(store->dummy.hash, 0xa5, sizeof store->dummy.hash);
    return CAPTLS_OK;
}

captls_result captls_credential_store_verify(const captls_credential_store *store,
                                             const char *name, size_t name_len,
                                             const uint8_t *password,
                                             size_t password_len)
{
    uint8_t want[CAPTLS_CRED_NAME_MAX + 1];
    uint8_t dk[CAPTLS_CRED_HASH_LEN];
    captls_user_record sel;
    uint32_t found = 0;
    bool ok;
    captls_result r;

    if (store == NULL || (name == NULL && name_len > 0) ||
        (password == NULL && password_len > 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(want, 0, sizeof want);
    /* The name typed is the peer's own input, not a secret; whether it is
     * in the store is. A malformed or over-long name matches no record
     * (records hold valid names only) but costs the same. */
    if (captls_user_name_valid(name, name_len))
        memcpy(want, name, name_len);
    sel = store->dummy;
    for (size_t i = 0; i < store->count; i++) {
        const captls_user_record *rec = &store->recs[i];
        uint8_t have[CAPTLS_CRED_NAME_MAX + 1];
        uint32_t eq, m32;
        uint8_t m8;

        memset(have, 0, sizeof have);
        memcpy(have, rec->name, rec->name_len <= CAPTLS_CRED_NAME_MAX
                                    ? rec->name_len : CAPTLS_CRED_NAME_MAX);
        eq = (uint32_t)captls_ct_equal(have, want, sizeof want) & (uint32_t)(want[0] != 0);
        eq &= ~found & 1u; /* first match only */
        m32 = 0u - eq;
        m8 = (uint8_t)m32;
        sel.iterations = (sel.iterations & ~m32) | (rec->iterations & m32);
        sel.salt_len = (uint8_t)((sel.salt_len & ~m8) | (rec->salt_len & m8));
        for (size_t k = 0; k < CAPTLS_CRED_SALT_MAX; k++)
            sel.salt[k] = (uint8_t)((sel.salt[k] & ~m8) | (rec->salt[k] & m8));
        for (size_t k = 0; k < CAPTLS_CRED_HASH_LEN; k++)
            sel.hash[k] = (uint8_t)((sel.hash[k] & ~m8) | (rec->hash[k] & m8));
        found |= eq;
    }
    r = captls_pbkdf2_hmac(CAPTLS_HASH_SHA256, password, password_len, sel.salt,
                           sel.salt_len, sel.iterations, dk, sizeof dk);
    ok = r == CAPTLS_OK && captls_ct_equal(dk, sel.hash, sizeof dk);
    ok = ok & (found != 0);
    captls_zeroize(dk, sizeof dk);
    captls_zeroize(&sel, sizeof sel);
    return ok ? CAPTLS_OK : CAPTLS_ERR_AUTH_FAILED;
}

void captls_login_limiter_init(captls_login_limiter *l, uint32_t max_attempts,
                               uint32_t base_delay_ms, uint32_t max_delay_ms)
{
    memset(l, 0, sizeof *l);
    l->max_attempts = max_attempts ? max_attempts : CAPTLS_LOGIN_MAX_ATTEMPTS;
    l->base_delay_ms = base_delay_ms ? base_delay_ms : CAPTLS_LOGIN_BASE_DELAY_MS;
    l->max_delay_ms = max_delay_ms ? max_delay_ms : CAPTLS_LOGIN_MAX_DELAY_MS;
}

captls_result captls_login_limiter_check(const captls_login_limiter *l,
                                         uint64_t now_ms, uint64_t *wait_ms)
{
    if (l == NULL || wait_ms == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    *wait_ms = 0;
    if (l->failures >= l->max_attempts)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (now_ms < l->not_before_ms) {
        *wait_ms = l->not_before_ms - now_ms;
        return CAPTLS_WOULD_BLOCK;
    }
    return CAPTLS_OK;
}

void captls_login_limiter_failed(captls_login_limiter *l, uint64_t now_ms)
{
    uint64_t delay;
    unsigned shift;

    if (l->failures < UINT32_MAX)
        l->failures++;
    shift = l->failures - 1 < 20 ? l->failures - 1 : 20;
    delay = (uint64_t)l->base_delay_ms << shift;
    if (delay > l->max_delay_ms)
        delay = l->max_delay_ms;
    l->not_before_ms = now_ms + delay;
}

captls_result captls_credential_store_login(const captls_credential_store *store,
                                            captls_login_limiter *l,
                                            uint64_t now_ms, const char *name,
                                            size_t name_len,
                                            const uint8_t *password,
                                            size_t password_len,
                                            uint64_t *wait_ms)
{
    captls_result r;

    if (l == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    r = captls_login_limiter_check(l, now_ms, wait_ms);
    if (r != CAPTLS_OK)
        return r; /* refused attempts cost no PBKDF2 and no failure count */
    r = captls_credential_store_verify(store, name, name_len, password,
                                       password_len);
    if (r == CAPTLS_ERR_AUTH_FAILED)
        captls_login_limiter_failed(l, now_ms);
    return r;
}
