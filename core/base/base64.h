/* core/base/base64.h — strict RFC 4648 §4 base64, constant time in the data.
 *
 * Contract. All buffers are the caller's; sizes are explicit and no output
 * is NUL-terminated. Encoding always pads. Decoding is strict: the standard
 * alphabet only (no URL-safe alphabet), padding required so the length is a
 * multiple of 4, '=' only in the last one or two positions, and the unused
 * low bits of the last symbol must be zero (RFC 4648 §3.5 canonical
 * encoding) — so every byte string has exactly one accepted encoding.
 * captls_base64_decode accepts no whitespace at all; the _lines variant (for
 * PEM bodies) additionally skips "\n" and "\r\n" line breaks anywhere and
 * nothing else. Symbol values are computed without secret-dependent
 * branches or table lookups (PEM bodies carry private keys); the position of
 * padding, line breaks and of the first invalid byte is not secret.
 *
 * Failure modes: CAPTLS_ERR_MALFORMED (not canonical base64),
 * CAPTLS_ERR_BUFFER_TOO_SMALL (out_len then holds the size needed),
 * CAPTLS_ERR_INVALID_ARGUMENT (NULL pointers), CAPTLS_ERR_LIMIT_EXCEEDED (an
 * input so large its encoding would overflow size_t). Nothing is written to
 * `out` on any failure: input is validated before the first output byte.
 */
#ifndef CAPTLS_BASE_BASE64_H
#define CAPTLS_BASE_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

/* Encoded size of n bytes (0 if it would overflow size_t). */
size_t captls_base64_encoded_len(size_t n);

/* Encodes in[0..n) to out[0..cap); *out_len = encoded size. */
CAPTLS_MUST_CHECK captls_result captls_base64_encode(const uint8_t *in,
                                                    size_t n, char *out,
                                                    size_t cap,
                                                    size_t *out_len);

/* Decodes in[0..n) (no whitespace) to out[0..cap); *out_len = size. */
CAPTLS_MUST_CHECK captls_result captls_base64_decode(const char *in, size_t n,
                                                    uint8_t *out, size_t cap,
                                                    size_t *out_len);

/* As captls_base64_decode, skipping "\n" and "\r\n" line breaks. */
CAPTLS_MUST_CHECK captls_result captls_base64_decode_lines(const char *in,
                                                          size_t n,
                                                          uint8_t *out,
                                                          size_t cap,
                                                          size_t *out_len);

#endif
