/* core/http/http_internal.h — between the files of core/http only (not a
 * public interface). */
#ifndef CAPTLS_HTTP_HTTP_INTERNAL_H
#define CAPTLS_HTTP_HTTP_INTERNAL_H

#include "core/http/http_client.h"

/* Interprets one field line of a response head (http_fields.c). */
CAPTLS_MUST_CHECK captls_result captls_http_resp_field_(
    captls_http_resp *r, const uint8_t *name, size_t name_len,
    const uint8_t *value, size_t value_len);

/* True if s[0..n) is non-empty base64url text (RFC 4648 §5, no padding). */
bool captls_http_is_base64url_(const uint8_t *s, size_t n);

#endif
