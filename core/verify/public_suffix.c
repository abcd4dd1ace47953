/* core/verify/public_suffix.c — Public Suffix List lookup; see
 * public_suffix.h. */
#include "core/verify/public_suffix.h"

#include <string.h>

/* RFC 1035 §2.3.4: a name is at most 255 octets on the wire, 253 as text
 * without the trailing dot. Keys add a "!" or "*." prefix. */
#define NAME_MAX_TEXT 253u
#define KEY_MAX (NAME_MAX_TEXT + 2u)

static int cmp_rule(const captls_psl_table *t, size_t i, const char *k,
                    size_t klen)
{
    size_t rlen = t->offsets[i + 1] - t->offsets[i];
    size_t n = rlen < klen ? rlen : klen;
    int c = memcmp(t->text + t->offsets[i], k, n);
    if (c != 0)
        return c;
    return rlen < klen ? -1 : rlen > klen ? 1 : 0;
}

/* Binary search over the sorted rules (byte order, as the generator
 * sorts them). */
static bool has_rule(const captls_psl_table *t, const char *k, size_t klen)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_rule(t, mid, k, klen);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Looks up prefix + s[0..n) as one rule. */
static bool has_prefixed(const captls_psl_table *t, const char *prefix,
                         const char *s, size_t n)
{
    char key[KEY_MAX];
    size_t p = strlen(prefix);
    if (p + n > sizeof key)
        return false;
    memcpy(key, prefix, p);
    memcpy(key + p, s, n);
    return has_rule(t, key, p + n);
}

bool captls_psl_is_public_suffix(const captls_psl_table *t, const char *name,
                                 size_t len)
{
    char low[NAME_MAX_TEXT];
    size_t labels = 1;
    if (name == NULL || len == 0)
        return true;
    if (name[len - 1] == '.')
        len--;
    if (len == 0 || len > NAME_MAX_TEXT)
        return true;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        low[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        if (c == '.') {
            if (i == 0 || name[i - 1] == '.' || i + 1 == len)
                return true; /* an empty label */
            labels++;
        }
    }
    if (labels == 1)
        return true; /* the implicit "*" rule */
    if (t == NULL || t->count == 0)
        return false;
    /* An exception rule matching any suffix of the name (two labels or
     * more) prevails, and its public suffix is shorter than the rule, so
     * shorter than the name: not a suffix. */
    for (size_t i = 0; i < len; i++)
        if ((i == 0 || low[i - 1] == '.') && has_prefixed(t, "!", low + i, len - i))
            return false;
    /* The name is a suffix iff a rule with exactly its label count
     * matches: the name itself, or "*." + the name without its first
     * label. */
    if (has_rule(t, low, len))
        return true;
    size_t dot = 0;
    while (low[dot] != '.')
        dot++;
    return has_prefixed(t, "*.", low + dot + 1, len - dot - 1);
}
