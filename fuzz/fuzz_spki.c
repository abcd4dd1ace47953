/* Fuzz harness: SubjectPublicKeyInfo (core/crypto/spki.c).
 *
 * Properties beyond "no crash": a rejected input leaves the output
 * untouched and records where; an accepted input re-encodes byte for byte
 * (parse -> encode is the identity on everything the parser accepts), both
 * from the parsed key and from a copy without its raw slices; its slices lie
 * inside the input. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/spki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t enc[CAPTLS_SPKI_MAX_SIZE + 64];

static void inside(captls_slice s, const uint8_t *data, size_t size)
{
    if (s.len != 0 && (s.ptr < data || s.ptr + s.len > data + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_public_key k;
    captls_der_error err;
    memset(&k, 0xA5, sizeof(k));
    captls_result r = captls_spki_parse(data, size, &k, &err);
    if (r != CAPTLS_OK) {
        const uint8_t *p = (const uint8_t *)&k;
        for (size_t i = 0; i < sizeof(k); i++)
            if (p[i] != 0xA5)
                abort(); /* output written on failure */
        if (err.code != r || err.offset > size)
            abort();
        return 0;
    }
    inside(k.spki, data, size);
    inside(k.rsa_n, data, size);
    inside(k.rsa_e, data, size);
    inside(k.point, data, size);
    inside(k.pss_params_der, data, size);
    if (k.spki.len != size)
        abort();
    size_t len = 0;
    if (captls_spki_encode(&k, enc, sizeof(enc), &len) != CAPTLS_OK ||
        len != size || memcmp(enc, data, size) != 0)
        abort();
    /* structural encoding of PSS parameters, without any raw slice */
    k.spki.ptr = NULL;
    k.spki.len = 0;
    k.pss_params_der.ptr = NULL;
    k.pss_params_der.len = 0;
    if (captls_spki_encode(&k, enc, sizeof(enc), &len) != CAPTLS_OK)
        abort();
    captls_public_key k2;
    if (captls_spki_parse(enc, len, &k2, NULL) != CAPTLS_OK ||
        k2.type != k.type || k2.pss.salt_len != k.pss.salt_len ||
        k2.pss.hash != k.pss.hash || k2.pss.mgf1_hash != k.pss.mgf1_hash ||
        k2.pss_restricted != k.pss_restricted)
        abort();
    return 0;
}
