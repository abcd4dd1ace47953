/* Unit tests of core/keys/key_acme.c: the ACME codecs sign through vault
 * keys scoped by purpose — a JWS (acmeAccount) signer over the account key
 * works and its ES256 signature verifies under the key's SPKI; a JWS
 * signer over a TLS key and a CSR (tls) signer over the account key are
 * refused (audited); a destroyed key fails the next signature cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/rand.h>

#include "core/cap/audit.h"
#include "core/crypto/sig_scheme.h"
#include "core/keys/key_acme.h"

static captls_result rng_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return RAND_bytes(out, (int)len) == 1 ? CAPTLS_OK
                                          : CAPTLS_ERR_ENTROPY_FAILURE;
}

static int refusals;
static captls_result audit_append(void *ctx, const captls_audit_record *rec)
{
    (void)ctx;
    refusals += strcmp(rec->event, "key.sign.refused") == 0;
    return CAPTLS_OK;
}

static void test_acme_signers_by_purpose(void **state)
{
    (void)state;
    static captls_vault_key keys[2];
    captls_cap_slot slots[32];
    captls_cap_table caps;
    captls_key_vault v;
    captls_cap_handle vh, acct, tls;
    captls_entropy e = {NULL, rng_fill};
    captls_clock clock = {0};
    captls_audit_sink sink = {NULL, audit_append};
    captls_private_key_acme_ctx c1, c2;
    captls_acme_signer jws, csr;
    uint8_t raw[64], der[CAPTLS_ACME_SIG_MAX], spki[CAPTLS_KEY_SPKI_MAX];
    size_t dl = 0, sl = 0;
    static const uint8_t msg[] = "protected.payload";

    assert_int_equal(captls_cap_table_init(&caps, slots, 32), CAPTLS_OK);
    assert_int_equal(captls_key_vault_init(&v, &caps, 1, keys, 2, e,
                                           CAPTLS_KEY_PROFILE_DEVELOPMENT,
                                           clock, sink),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_mint(&v, 2, CAPTLS_RIGHTS_ALL, &vh),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&v, 2, vh, CAPTLS_KEY_ALG_P256,
                                               CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                                               "acct", &acct),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&v, 2, vh,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_TLS, "tls",
                                               &tls),
                     CAPTLS_OK);
    /* JWS through the account key: ES256, verifies under its SPKI */
    assert_int_equal(captls_private_key_acme_signer(
                         &v, 2, acct, CAPTLS_KEY_PURPOSE_ACME_ACCOUNT, &c1,
                         &jws),
                     CAPTLS_OK);
    assert_int_equal(captls_acme_sig_alg_of(&jws.pub), CAPTLS_ACME_SIG_ES256);
    assert_int_equal(captls_acme_sign_raw(&jws, msg, sizeof msg, raw),
                     CAPTLS_OK);
    assert_int_equal(captls_acme_ecdsa_raw_to_der(raw, der, &dl), CAPTLS_OK);
    assert_int_equal(captls_private_key_public_key(&v, 2, acct, spki,
                                                   sizeof spki, &sl),
                     CAPTLS_OK);
    assert_int_equal(captls_public_key_verify(
                         spki, sl, CAPTLS_SIG_ECDSA_SECP256R1_SHA256, msg,
                         sizeof msg, der, dl),
                     CAPTLS_OK);
    /* CSR through the TLS key: EdDSA */
    assert_int_equal(captls_private_key_acme_signer(
                         &v, 2, tls, CAPTLS_KEY_PURPOSE_TLS, &c2, &csr),
                     CAPTLS_OK);
    assert_int_equal(captls_acme_sign_raw(&csr, msg, sizeof msg, raw),
                     CAPTLS_OK);
    /* a TLS key cannot sign a JWS; the account key cannot sign a CSR */
    refusals = 0;
    assert_int_equal(captls_private_key_acme_signer(
                         &v, 2, tls, CAPTLS_KEY_PURPOSE_ACME_ACCOUNT, &c2,
                         &csr),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_null(csr.sign);
    assert_int_equal(captls_private_key_acme_signer(
                         &v, 2, acct, CAPTLS_KEY_PURPOSE_TLS, &c2, &csr),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(refusals, 2);
    /* destroyed: the JWS signer fails cleanly */
    assert_int_equal(captls_key_vault_destroy(&v, 2, vh, "acct"), CAPTLS_OK);
    assert_int_equal(captls_acme_sign_raw(&jws, msg, sizeof msg, raw),
                     CAPTLS_ERR_STALE_HANDLE);
    captls_key_vault_fini(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acme_signers_by_purpose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
