/* Fuzz harness: PEM armour and base64 (core/base/pem.c, base64.c).
 *
 * Properties beyond "no crash": every block found decodes to exactly
 * decoded_len bytes; re-armouring the decoded bytes under the same label and
 * reading them back gives the same bytes (decode -> encode -> decode is
 * stable); a failing call leaves *pos alone; strict base64 accepts the raw
 * input only if re-encoding reproduces it (one encoding per byte string).
 * The private-key PEM front door runs on the input too. Builds for libFuzzer
 * and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/base64.h"
#include "core/base/pem.h"
#include "core/crypto/pkcs8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t dec[1 << 16], dec2[1 << 16];
static char enc[(1 << 16) * 2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0, n, m;
    captls_pem_block b;
    for (int blocks = 0; blocks < 64; blocks++) {
        size_t before = pos;
        captls_result r = captls_pem_next(data, size, &pos, &b);
        if (r != CAPTLS_OK) {
            if (pos != before)
                abort();
            break;
        }
        if (pos <= before || b.end != pos || b.begin < before)
            abort();
        if (captls_pem_decode(&b, dec, sizeof(dec), &n) != CAPTLS_OK ||
            n != b.decoded_len)
            abort();
        char label[CAPTLS_PEM_MAX_LABEL + 1];
        memcpy(label, b.label.ptr, b.label.len);
        label[b.label.len] = 0;
        if (captls_pem_encode(label, dec, n, enc, sizeof(enc), &m) != CAPTLS_OK ||
            m != captls_pem_encoded_len(b.label.len, n))
            abort();
        size_t p2 = 0;
        captls_pem_block b2;
        if (captls_pem_next((const uint8_t *)enc, m, &p2, &b2) != CAPTLS_OK ||
            p2 != m || !captls_pem_label_is(&b2, label) ||
            captls_pem_decode(&b2, dec2, sizeof(dec2), &m) != CAPTLS_OK ||
            m != n || memcmp(dec, dec2, n) != 0)
            abort();
    }
    if (captls_base64_decode((const char *)data, size, dec, sizeof(dec), &n) ==
        CAPTLS_OK) {
        if (captls_base64_encode(dec, n, enc, sizeof(enc), &m) != CAPTLS_OK ||
            m != size || memcmp(enc, data, size) != 0)
            abort();
    }
    static uint8_t scratch[CAPTLS_PRIVATE_KEY_DER_MAX];
    captls_private_key k;
    if (captls_private_key_parse_pem(data, size, scratch, sizeof(scratch), &k) ==
        CAPTLS_OK)
        captls_private_key_wipe(&k);
    for (size_t i = 0; i < sizeof(scratch); i++)
        if (scratch[i] != 0)
            abort();
    return 0;
}
