/* Fuzz harness: key files through the development KeySource into a
 * KeyVault (core/keys/key_vault.c over core/tls/key_signer.c: PEM,
 * PKCS#8, SEC1, PKCS#1 RSA).
 *
 * Properties beyond "no crash": the scratch buffer is wiped on every path;
 * a refused import leaves no key in the vault (list is empty, the slot
 * array all zero); an accepted key signs for its purpose (tls) and the
 * signature verifies under the SPKI the vault exports, while signing for
 * another purpose is refused; destroy zeroizes the slot and ends the
 * handle. Entropy is a fixed counter (insecure by design; fuzzing only).
 * Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/sig_scheme.h"
#include "core/keys/key_vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static captls_result fixed_fill(void *ctx, uint8_t *out, size_t len)
{
    uint8_t *c = ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (*c)++;
    return CAPTLS_OK;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_vault_key keys[1];
    static uint8_t scratch[CAPTLS_TLS_KEY_SIGNER_SCRATCH];
    static uint8_t spki[CAPTLS_KEY_SPKI_MAX], sig[CAPTLS_KEY_SIG_MAX];
    captls_cap_slot slots[8];
    captls_cap_table caps;
    captls_key_vault v;
    captls_cap_handle vh, k;
    uint8_t counter = 1;
    captls_entropy e = {&counter, fixed_fill};
    captls_clock clock = {0};
    captls_audit_sink audit = {0};
    size_t n = 0, sl = 0;
    static const uint8_t msg[] = "fuzz";

    if (captls_cap_table_init(&caps, slots, 8) != CAPTLS_OK ||
        captls_key_vault_init(&v, &caps, 1, keys, 1, e,
                              CAPTLS_KEY_PROFILE_DEVELOPMENT, clock,
                              audit) != CAPTLS_OK ||
        captls_key_vault_mint(&v, 2, CAPTLS_RIGHTS_ALL, &vh) != CAPTLS_OK)
        abort();
    memset(scratch, 0xEE, sizeof scratch);
    captls_result r = captls_key_vault_import_dev(
        &v, 2, vh, data, size, CAPTLS_KEY_PURPOSE_TLS, "k", scratch,
        sizeof scratch, &k);
    if (!all_zero(scratch, sizeof scratch))
        abort();
    if (r != CAPTLS_OK) {
        if (captls_key_vault_list(&v, 2, vh, NULL, 0, &n) != CAPTLS_OK ||
            n != 0 || !all_zero(keys, sizeof keys))
            abort();
        captls_key_vault_fini(&v);
        return 0;
    }
    captls_key_info info;
    if (captls_private_key_algorithm(&v, 2, k, &info) != CAPTLS_OK ||
        captls_private_key_public_key(&v, 2, k, spki, sizeof spki, &n) !=
            CAPTLS_OK)
        abort();
    uint16_t scheme = info.type == CAPTLS_KEY_ED25519 ? CAPTLS_SIG_ED25519
                      : info.type == CAPTLS_KEY_EC_P256
                          ? CAPTLS_SIG_ECDSA_SECP256R1_SHA256
                          : CAPTLS_SIG_RSA_PSS_RSAE_SHA256;
    if (captls_private_key_sign(&v, 2, k, CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                                scheme, msg, sizeof msg, sig, sizeof sig,
                                &sl) != CAPTLS_ERR_NO_AUTHORITY)
        abort();
    if (captls_private_key_sign(&v, 2, k, CAPTLS_KEY_PURPOSE_TLS, scheme, msg,
                                sizeof msg, sig, sizeof sig, &sl) !=
            CAPTLS_OK ||
        captls_public_key_verify(spki, n, scheme, msg, sizeof msg, sig, sl) !=
            CAPTLS_OK)
        abort();
    if (captls_key_vault_destroy(&v, 2, vh, "k") != CAPTLS_OK ||
        !all_zero(keys, sizeof keys) ||
        captls_private_key_sign(&v, 2, k, CAPTLS_KEY_PURPOSE_TLS, scheme, msg,
                                sizeof msg, sig, sizeof sig, &sl) !=
            CAPTLS_ERR_STALE_HANDLE)
        abort();
    captls_key_vault_fini(&v);
    return 0;
}
