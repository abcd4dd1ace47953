/* Fuzz harness: strict unpadded base64url (core/base/base64url.c).
 *
 * Properties: an accepted input re-encodes to exactly itself (one encoding
 * per byte string) and has decoded_len bytes; a refused input wrote
 * nothing; encoding arbitrary bytes and decoding gives them back with the
 * predicted lengths. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/base64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t dec[1 << 17];
static char enc[1 << 18];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = 0, m = 0;
    if (size > (1 << 16))
        return 0;
    memset(dec, 0xA5, 64);
    captls_result r = captls_base64url_decode((const char *)data, size, dec,
                                              sizeof(dec), &n);
    if (r == CAPTLS_OK) {
        if (n != captls_base64url_decoded_len(size))
            abort();
        if (captls_base64url_encode(dec, n, enc, sizeof(enc), &m) != CAPTLS_OK ||
            m != size || memcmp(enc, data, size) != 0)
            abort();
    } else {
        if (r != CAPTLS_ERR_MALFORMED)
            abort();
        for (size_t i = 0; i < 64; i++)
            if (dec[i] != 0xA5)
                abort();
    }
    /* bytes -> text -> bytes */
    if (captls_base64url_encode(data, size, enc, sizeof(enc), &m) != CAPTLS_OK ||
        m != captls_base64url_encoded_len(size))
        abort();
    for (size_t i = 0; i < m; i++) {
        char c = enc[i];
        if (c == '+' || c == '/' || c == '=')
            abort();
    }
    if (captls_base64url_decode(enc, m, dec, sizeof(dec), &n) != CAPTLS_OK ||
        n != size || memcmp(dec, data, size) != 0)
        abort();
    return 0;
}
