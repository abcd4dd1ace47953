/* Fuzz harness: the Public Suffix List lookup (core/verify/public_suffix.c)
 * over the build's generated table (captls_psl_builtin).
 *
 * Input: a DNS name, any bytes. Properties beyond "no crash, no read out
 * of bounds": the answer does not depend on ASCII case nor on one trailing
 * dot; a single-label name is always a public suffix; a name with an empty
 * label is always reported as one (the safe answer); with a NULL table
 * only single labels (and malformed names) are suffixes.
 * Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/verify/public_suffix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXN 300

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char name[MAXN + 2], upper[MAXN + 2];
    if (size > MAXN)
        size = MAXN;
    memcpy(name, data, size);
    const captls_psl_table *t = &captls_psl_builtin;
    bool ps = captls_psl_is_public_suffix(t, name, size);
    for (size_t i = 0; i < size; i++) {
        char c = name[i];
        upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    if (captls_psl_is_public_suffix(t, upper, size) != ps)
        abort();
    if (size > 0 && name[size - 1] != '.') {
        name[size] = '.';
        if (captls_psl_is_public_suffix(t, name, size + 1) != ps)
            abort();
    }
    size_t n = size;
    if (n > 0 && name[n - 1] == '.')
        n--; /* one trailing dot is ignored */
    bool dot = false, empty_label = n == 0 || name[0] == '.' ||
                                    name[n - 1] == '.';
    for (size_t i = 0; i < n; i++) {
        dot |= name[i] == '.';
        if (name[i] == '.' && i + 1 < n && name[i + 1] == '.')
            empty_label = true;
    }
    if ((!dot || empty_label) && !ps)
        abort();
    bool null_ps = captls_psl_is_public_suffix(NULL, name, size);
    if (null_ps && dot && !empty_label && n <= 253)
        abort();
    return 0;
}
