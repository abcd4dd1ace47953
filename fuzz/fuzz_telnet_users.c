/* fuzz/fuzz_telnet_users.c — the telnets configuration parsers: the
 * --users file (core/gateway/credential_store.h) and the --client-map file
 * (core/gateway/client_map.h).
 *
 * Byte 0 picks the parser (even: users, odd: client map); the rest is the
 * file. Invariants:
 *  - success: every record is well formed (valid name, iterations within
 *    [floor, max], salt 16..64 bytes); each users record formats to a line
 *    that parses back to the same record; each client-map subject is a
 *    fixed point of captls_rfc4514_check (canonical form is stable) and
 *    user/profile are valid; count <= capacity;
 *  - failure: a reason, a line between 1 and the number of lines, a
 *    column between 1 and that line's length + 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gateway/client_map.h"
#include "core/gateway/credential_store.h"

#define CHECK(x)                                                               \
    do {                                                                       \
        if (!(x))                                                              \
            abort();                                                           \
    } while (0)

/* Length of line `line` (1-based) of text, or SIZE_MAX if absent. */
static size_t line_len(const char *t, size_t n, uint32_t line)
{
    size_t pos = 0;
    for (uint32_t l = 1; pos <= n; l++) {
        size_t s = pos;
        while (pos < n && t[pos] != '\n')
            pos++;
        if (l == line)
            return pos - s;
        if (pos == n)
            break;
        pos++;
    }
    return SIZE_MAX;
}

static void check_error(const char *t, size_t n, const captls_parse_error *e)
{
    size_t ll = line_len(t, n, e->line);
    CHECK(e->what != NULL && e->what[0] != '\0');
    CHECK(e->line >= 1 && ll != SIZE_MAX);
    CHECK(e->column >= 1 && e->column <= ll + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_user_record recs[8];
    static captls_client_map_entry ents[8];
    captls_parse_error err;
    size_t count = 99;
    const char *text;
    size_t n;
    captls_result r;

    if (size < 1)
        return 0;
    text = (const char *)data + 1;
    n = size - 1;
    memset(&err, 0, sizeof err);
    if ((data[0] & 1) == 0) {
        r = captls_users_parse(text, n, 1, recs, 8, &count, &err);
        CHECK(count <= 8);
        if (r != CAPTLS_OK) {
            CHECK(r == CAPTLS_ERR_MALFORMED || r == CAPTLS_ERR_ALREADY_EXISTS ||
                  r == CAPTLS_ERR_LIMIT_EXCEEDED);
            check_error(text, n, &err);
            return 0;
        }
        for (size_t i = 0; i < count; i++) {
            char line[CAPTLS_CRED_LINE_MAX + 1];
            size_t len;
            captls_user_record back[1];
            size_t c2;
            captls_parse_error e2;
            CHECK(captls_user_name_valid(recs[i].name, recs[i].name_len));
            CHECK(recs[i].iterations >= 1 && recs[i].iterations <= CAPTLS_CRED_MAX_ITERATIONS);
            CHECK(recs[i].salt_len >= CAPTLS_CRED_SALT_MIN &&
                  recs[i].salt_len <= CAPTLS_CRED_SALT_MAX);
            CHECK(captls_user_record_format(&recs[i], line, sizeof line, &len) == CAPTLS_OK);
            CHECK(captls_users_parse(line, len, 1, back, 1, &c2, &e2) == CAPTLS_OK && c2 == 1);
            CHECK(memcmp(&back[0], &recs[i], sizeof back[0]) == 0);
        }
    } else {
        r = captls_client_map_parse(text, n, ents, 8, &count, &err);
        CHECK(count <= 8);
        if (r != CAPTLS_OK) {
            CHECK(r == CAPTLS_ERR_MALFORMED || r == CAPTLS_ERR_ALREADY_EXISTS ||
                  r == CAPTLS_ERR_LIMIT_EXCEEDED);
            check_error(text, n, &err);
            return 0;
        }
        for (size_t i = 0; i < count; i++) {
            const captls_client_map_entry *e = &ents[i];
            CHECK(captls_user_name_valid(e->user, strlen(e->user)));
            CHECK(strlen(e->profile) >= 1 && strlen(e->profile) <= CAPTLS_CLIENT_MAP_PROFILE_MAX);
            if (e->kind == CAPTLS_CLIENT_MAP_SUBJECT) {
                char again[CAPTLS_CLIENT_MAP_SUBJECT_MAX + 1];
                size_t alen = 0, off;
                const char *what;
                CHECK(e->subject_len == strlen(e->subject));
                CHECK(captls_rfc4514_check(e->subject, e->subject_len, again, sizeof again,
                                           &alen, &off, &what) == CAPTLS_OK);
                CHECK(alen == e->subject_len && memcmp(again, e->subject, alen) == 0);
            } else {
                CHECK(e->kind == CAPTLS_CLIENT_MAP_SHA256);
            }
        }
    }
    return 0;
}
