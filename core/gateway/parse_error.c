/* core/gateway/parse_error.c — see parse_error.h. */
#include "core/gateway/parse_error.h"

#include "core/base/text.h"

size_t captls_parse_error_format(const captls_parse_error *e, char *out,
                                 size_t cap)
{
    captls_text t;
    captls_text_init(&t, out, cap);
    captls_text_u64(&t, e->line);
    captls_text_str(&t, ":");
    captls_text_u64(&t, e->column);
    captls_text_str(&t, ": ");
    captls_text_str(&t, e->what != NULL ? e->what : "error");
    if (cap == 0)
        return 0;
    return captls_text_len(&t) < cap ? captls_text_len(&t) : cap - 1;
}
