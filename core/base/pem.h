/* core/base/pem.h — PEM armour (RFC 7468), strict-ish, over caller buffers.
 *
 * Contract. captls_pem_next finds the next block in a caller buffer that may
 * hold several (a certificate bundle) and returns slices that BORROW it; text
 * between blocks is skipped. A block is:
 *   "-----BEGIN " label "-----" EOL, base64 lines, "-----END " label "-----"
 *   followed by EOL or the end of the input,
 * where EOL is "\n" or "\r\n", "-----BEGIN" must start a line, the label is
 * printable ASCII without '-' (single inner spaces, at most
 * CAPTLS_PEM_MAX_LABEL bytes) and the END label must equal the BEGIN label.
 * Body lines are 1..CAPTLS_PEM_MAX_LINE (76) base64 characters: laxer than
 * RFC 7468's strict 64 (other encoders wrap at 76), stricter than OpenSSL
 * (no blank lines, no whitespace inside or at the end of a line). The base64
 * is strict (see base64.h): padding required, canonical. RFC 1421 headers
 * ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") are refused with
 * CAPTLS_ERR_UNSUPPORTED — this layer never decrypts. An "ENCRYPTED PRIVATE
 * KEY" block is returned like any other: the key layer refuses that label.
 *
 * Failure modes: CAPTLS_EOF (a status: no further block), CAPTLS_ERR_MALFORMED
 * with *pos left unchanged, CAPTLS_ERR_UNSUPPORTED (headers),
 * CAPTLS_ERR_BUFFER_TOO_SMALL (decode/encode; *out_len = size needed),
 * CAPTLS_ERR_INVALID_ARGUMENT. Nothing is written to outputs on failure.
 * NOT checked: that the decoded bytes are DER of the kind the label says.
 */
#ifndef CAPTLS_BASE_PEM_H
#define CAPTLS_BASE_PEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"

#define CAPTLS_PEM_MAX_LABEL 64u
#define CAPTLS_PEM_MAX_LINE 76u
#define CAPTLS_PEM_LINE 64u /* what the encoder writes */

typedef struct captls_pem_block {
    captls_slice label;  /* e.g. "CERTIFICATE" */
    captls_slice body;   /* the base64 lines, line breaks included */
    size_t begin;        /* offset of "-----BEGIN" */
    size_t end;          /* offset after the END line and its line break */
    size_t decoded_len;  /* exact size captls_pem_decode writes */
} captls_pem_block;

/* Finds the next block in in[*pos..n). OK: *out filled, *pos = out->end.
 * CAPTLS_EOF: no "-----BEGIN " at a line start remains. */
CAPTLS_MUST_CHECK captls_result captls_pem_next(const uint8_t *in, size_t n,
                                               size_t *pos,
                                               captls_pem_block *out);
/* True if the block's label is exactly `label` (a NUL-terminated string). */
bool captls_pem_label_is(const captls_pem_block *b, const char *label);
/* Decodes the block's body into out[0..cap). */
CAPTLS_MUST_CHECK captls_result captls_pem_decode(const captls_pem_block *b,
                                                 uint8_t *out, size_t cap,
                                                 size_t *out_len);
/* Size of the armour captls_pem_encode writes (0 on overflow). */
size_t captls_pem_encoded_len(size_t label_len, size_t n);
/* Armours der[0..n) under `label` with 64-character lines and "\n" line
 * ends (the last line included). */
CAPTLS_MUST_CHECK captls_result captls_pem_encode(const char *label,
                                                 const uint8_t *der, size_t n,
                                                 char *out, size_t cap,
                                                 size_t *out_len);

#endif
