/* core/http/http_syntax.h — the HTTP/1.1 message syntax shared by the
 * client's response parser and the server's request parser (RFC 9110,
 * RFC 9112): character classes, the strict line accumulator of a message
 * head, field-line splitting, and the typed error details.
 *
 * Contract.
 *  - A captls_http_head accumulates the bytes of a message head (start
 *    line, field lines, empty line) into a buffer the caller lends; its
 *    capacity IS the header-bytes limit. Bytes are pushed one at a time, so
 *    any split of the input gives the same result. Lines must end in CRLF:
 *    a bare LF or a CR not followed by LF is an error (RFC 9112 §2.2 lets a
 *    recipient accept a bare LF; captls does not), as is a NUL.
 *  - captls_http_field_split() parses one complete field line: a token
 *    name, a colon with no whitespace before it, a value with leading and
 *    trailing OWS removed. A line starting with SP or HTAB (obs-fold) is
 *    refused.
 *  - Errors are captls_result values (MALFORMED for syntax, LIMIT_EXCEEDED
 *    for the limits, UNSUPPORTED for what HTTP allows but captls does not
 *    implement) plus a captls_http_error naming the exact rule, for tests
 *    and logs.
 *  - What is NOT checked here: field semantics (the parsers do it), and
 *    obs-text (octets 0x80..0xFF) in field values, which RFC 9110 §5.5
 *    allows and which the exposed fields refuse on their own.
 */
#ifndef CAPTLS_HTTP_HTTP_SYNTAX_H
#define CAPTLS_HTTP_HTTP_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

typedef enum captls_http_error {
    CAPTLS_HTTP_E_NONE = 0,
    CAPTLS_HTTP_E_BARE_LF,          /* LF without CR */
    CAPTLS_HTTP_E_BARE_CR,          /* CR without LF */
    CAPTLS_HTTP_E_NUL,              /* NUL octet in the head */
    CAPTLS_HTTP_E_START_LINE,       /* status or request line malformed */
    CAPTLS_HTTP_E_VERSION,          /* not HTTP/1.0 or HTTP/1.1 */
    CAPTLS_HTTP_E_STATUS,           /* status code not 3 digits 100..599 */
    CAPTLS_HTTP_E_METHOD,           /* method not a token */
    CAPTLS_HTTP_E_TARGET,           /* request-target malformed */
    CAPTLS_HTTP_E_OBS_FOLD,         /* field line continued (obs-fold) */
    CAPTLS_HTTP_E_FIELD_NAME,       /* empty or non-token field name */
    CAPTLS_HTTP_E_FIELD_VALUE,      /* control character in a field value */
    CAPTLS_HTTP_E_HEADER_BYTES,     /* head larger than the header limit */
    CAPTLS_HTTP_E_HEADER_COUNT,     /* more fields than the limit */
    CAPTLS_HTTP_E_CONTENT_LENGTH,   /* Content-Length not 1*DIGIT or huge */
    CAPTLS_HTTP_E_CL_CONFLICT,      /* two different Content-Length values */
    CAPTLS_HTTP_E_CL_AND_TE,        /* Content-Length with Transfer-Encoding */
    CAPTLS_HTTP_E_TRANSFER_CODING,  /* a coding other than chunked */
    CAPTLS_HTTP_E_CHUNK_SIZE,       /* chunk-size not hex, or too large */
    CAPTLS_HTTP_E_CHUNK_EXT,        /* chunk extension malformed or long */
    CAPTLS_HTTP_E_CHUNK_DATA,       /* chunk data not followed by CRLF */
    CAPTLS_HTTP_E_BODY_SIZE,        /* body larger than the body limit */
    CAPTLS_HTTP_E_TRUNCATED,        /* the stream ended inside a message */
    CAPTLS_HTTP_E_DUPLICATE,        /* a single-valued field repeated */
    CAPTLS_HTTP_E_HOST,             /* Host missing, repeated or malformed */
    CAPTLS_HTTP_E_BODY_NOT_ALLOWED, /* a request body where none is taken */
    CAPTLS_HTTP_E_BUFFER,           /* the output buffer is too small */
} captls_http_error;

/* Stable lowercase name ("bare_lf", "cl_and_te"); never NULL. */
const char *captls_http_error_name(captls_http_error e);

/* RFC 9110 §5.6.2: tchar. */
bool captls_http_is_tchar(uint8_t c);
/* True if s[0..n) is a non-empty token. */
bool captls_http_is_token(const uint8_t *s, size_t n);
/* ASCII case-insensitive equality of s[0..n) and the NUL-terminated lit. */
bool captls_http_eq_ci(const uint8_t *s, size_t n, const char *lit);
/* Parses 1*DIGIT into *out; false if empty, non-digit or above max. */
bool captls_http_parse_decimal(const uint8_t *s, size_t n, uint64_t max,
                               uint64_t *out);

/* ---- the head accumulator --------------------------------------------- */
typedef struct captls_http_head {
    uint8_t *buf;            /* lent by the caller */
    size_t cap;              /* = the header-bytes limit */
    size_t len;              /* bytes stored */
    size_t line_start;       /* offset of the line being accumulated */
} captls_http_head;

void captls_http_head_init(captls_http_head *h, uint8_t *buf, size_t cap);
/* Pushes one octet. Sets *line_len (content without CRLF, starting at
 * h->buf + *line_off) and returns CAPTLS_OK when it completes a line;
 * returns CAPTLS_NEED_MORE otherwise; on error sets *why. */
CAPTLS_MUST_CHECK captls_result captls_http_head_push(
    captls_http_head *h, uint8_t c, size_t *line_off, size_t *line_len,
    captls_http_error *why);

/* Splits a field line (content without CRLF). name and value point into
 * line. */
CAPTLS_MUST_CHECK captls_result captls_http_field_split(
    const uint8_t *line, size_t len, const uint8_t **name, size_t *name_len,
    const uint8_t **value, size_t *value_len, captls_http_error *why);

/* Finds the first field called `name` (case-insensitive) in a completed
 * head (buf[0..len): start line, field lines, each ending CRLF) from
 * field index `from` on. Returns the field index or -1. */
long captls_http_head_find(const uint8_t *buf, size_t len, const char *name,
                           long from, const uint8_t **value, size_t *vlen);

#endif
