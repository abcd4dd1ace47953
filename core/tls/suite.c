/* core/tls/suite.c — the TLS 1.3 cipher suite table (RFC 8446 §B.4); see
 * key_schedule.h. */
#include "core/tls/key_schedule.h"
#include "core/tls/cipher_policy.h"

static const captls_tls_suite_info suites[] = {
    {CAPTLS_TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256",
     CAPTLS_AEAD_AES_128_GCM, 16, CAPTLS_HASH_SHA256, 32},
    {CAPTLS_TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384",
     CAPTLS_AEAD_AES_256_GCM, 32, CAPTLS_HASH_SHA384, 48},
    {CAPTLS_TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256",
     CAPTLS_AEAD_CHACHA20_POLY1305, 32, CAPTLS_HASH_SHA256, 32},
};

const captls_tls_suite_info *captls_tls_suite_get(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}
