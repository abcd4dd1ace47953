/* core/gateway/parse_error.h — where a configuration file is wrong.
 *
 * The users and client-map parsers report the first error as a line and a
 * column (both 1-based, counted in bytes) and a short static reason
 * string (never NULL after a failure; never holds file content, so it is
 * safe to print). captls_parse_error_format renders
 * "LINE:COLUMN: REASON" into a caller buffer.
 */
#ifndef CAPTLS_GATEWAY_PARSE_ERROR_H
#define CAPTLS_GATEWAY_PARSE_ERROR_H

#include <stddef.h>
#include <stdint.h>

typedef struct captls_parse_error {
    uint32_t line;
    uint32_t column;
    const char *what;
} captls_parse_error;

/* "12:7: bad base64" (NUL-terminated, truncated to cap). Returns the
 * length written. */
size_t captls_parse_error_format(const captls_parse_error *e, char *out,
                                 size_t cap);

#endif
