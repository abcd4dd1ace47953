/* core/base/base64url.h — strict RFC 4648 §5 base64url WITHOUT padding, as
 * JOSE (RFC 7515 §2, "Base64url Encoding") and ACME (RFC 8555 §6.1) use it.
 *
 * Contract. All buffers are the caller's; sizes are explicit and no output
 * is NUL-terminated. Encoding never pads. Decoding is strict, so every byte
 * string has exactly one accepted encoding: the URL-safe alphabet only
 * ('-' and '_', never '+' '/'), no '=' padding (RFC 7515 §2: "with all
 * trailing '=' characters omitted"), no whitespace or line breaks (RFC 7515
 * §2: "without the inclusion of any line breaks, whitespace, or other
 * additional characters"), a length that is not 1 mod 4 (a lone trailing
 * symbol carries fewer than 8 bits), and the unused low bits of the last
 * symbol must be zero (RFC 4648 §3.5 canonical encoding). Symbol values are
 * computed without secret-dependent branches or table lookups; the length
 * and the position of the first invalid byte are not secret.
 *
 * Failure modes: CAPTLS_ERR_MALFORMED (not canonical unpadded base64url),
 * CAPTLS_ERR_BUFFER_TOO_SMALL (out_len then holds the size needed),
 * CAPTLS_ERR_INVALID_ARGUMENT (NULL pointers), CAPTLS_ERR_LIMIT_EXCEEDED
 * (an input whose encoding would overflow size_t). Nothing is written to
 * `out` on any failure: input is validated before the first output byte.
 * `in` and `out` must not overlap.
 */
#ifndef CAPTLS_BASE_BASE64URL_H
#define CAPTLS_BASE_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

/* Encoded size of n bytes: ceil(4n/3) (0 if it would overflow size_t). */
size_t captls_base64url_encoded_len(size_t n);

/* Decoded size of an n-symbol encoding (n mod 4 == 1 gives 0: invalid). */
size_t captls_base64url_decoded_len(size_t n);

/* Whether s[0..n) is non-empty and only base64url symbols (A-Z a-z 0-9
 * - _, no padding): the shape of ACME tokens, nonces and thumbprints. */
bool captls_base64url_is_text(const char *s, size_t n);

/* Encodes in[0..n) to out[0..cap); *out_len = encoded size. */
CAPTLS_MUST_CHECK captls_result captls_base64url_encode(const uint8_t *in,
                                                       size_t n, char *out,
                                                       size_t cap,
                                                       size_t *out_len);

/* Decodes in[0..n) to out[0..cap); *out_len = decoded size. */
CAPTLS_MUST_CHECK captls_result captls_base64url_decode(const char *in,
                                                       size_t n, uint8_t *out,
                                                       size_t cap,
                                                       size_t *out_len);

#endif
