/* Unit tests of core/tls/cipher_policy.c: presets, list parsers (good and
 * bad lists, nothing half-applied), has_* and names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/crypto/sig_scheme.h"
#include "core/tls/cipher_policy.h"

static const uint16_t verify_schemes[] = {
    0x0807, 0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b};
static const uint16_t pkcs1[] = {0x0401, 0x0501, 0x0601};

static void test_presets(void **state)
{
    (void)state;
    const captls_cipher_policy_preset presets[] = {
        CAPTLS_CIPHER_POLICY_MODERN, CAPTLS_CIPHER_POLICY_INTERMEDIATE,
        CAPTLS_CIPHER_POLICY_LEGACY};
    for (size_t i = 0; i < 3; i++) {
        captls_cipher_policy p;
        memset(&p, 0xA5, sizeof(p));
        captls_cipher_policy_preset_init(&p, presets[i]);
        assert_int_equal(p.preset, presets[i]);
        assert_int_equal(p.suite_count, 3);
        assert_int_equal(p.suites[0], CAPTLS_TLS_AES_128_GCM_SHA256);
        assert_int_equal(p.suites[1], CAPTLS_TLS_AES_256_GCM_SHA384);
        assert_int_equal(p.suites[2], CAPTLS_TLS_CHACHA20_POLY1305_SHA256);
        assert_int_equal(p.group_count, 2);
        assert_int_equal(p.groups[0], CAPTLS_TLS_GROUP_X25519);
        assert_int_equal(p.groups[1], CAPTLS_TLS_GROUP_SECP256R1);
        assert_int_equal(p.scheme_count, 9);
        assert_memory_equal(p.schemes, verify_schemes, sizeof(verify_schemes));
        assert_int_equal(p.cert_scheme_count, 12);
        assert_memory_equal(p.cert_schemes, verify_schemes,
                            sizeof(verify_schemes));
        assert_memory_equal(p.cert_schemes + 9, pkcs1, sizeof(pkcs1));
        /* RFC 8446 §4.2.3: PKCS#1 never in CertificateVerify. */
        for (size_t j = 0; j < 3; j++) {
            assert_false(captls_cipher_policy_has_scheme(&p, pkcs1[j]));
            assert_true(captls_cipher_policy_has_cert_scheme(&p, pkcs1[j]));
        }
        /* every preset scheme is one captls can verify */
        for (size_t j = 0; j < p.cert_scheme_count; j++)
            assert_non_null(captls_sig_scheme_info_get(p.cert_schemes[j]));
    }
    /* an out-of-range preset value falls back to modern */
    captls_cipher_policy p;
    captls_cipher_policy_preset_init(&p, (captls_cipher_policy_preset)77);
    assert_int_equal(p.preset, CAPTLS_CIPHER_POLICY_MODERN);
    captls_cipher_policy_preset_init(NULL, CAPTLS_CIPHER_POLICY_MODERN);
}

static void test_set_suites(void **state)
{
    (void)state;
    captls_cipher_policy p;
    captls_cipher_policy_preset_init(&p, CAPTLS_CIPHER_POLICY_MODERN);
    assert_int_equal(captls_cipher_policy_set_suites(
                         &p, "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384"),
                     CAPTLS_OK);
    assert_int_equal(p.suite_count, 2);
    assert_int_equal(p.suites[0], CAPTLS_TLS_CHACHA20_POLY1305_SHA256);
    assert_int_equal(p.suites[1], CAPTLS_TLS_AES_256_GCM_SHA384);
    assert_false(captls_cipher_policy_has_suite(&p, CAPTLS_TLS_AES_128_GCM_SHA256));
    assert_true(captls_cipher_policy_has_suite(&p, CAPTLS_TLS_AES_256_GCM_SHA384));
    assert_int_equal(captls_cipher_policy_set_suites(&p, "TLS_AES_128_GCM_SHA256"),
                     CAPTLS_OK);
    assert_int_equal(p.suite_count, 1);
    /* ',' separates too */
    assert_int_equal(captls_cipher_policy_set_suites(
                         &p, "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"),
                     CAPTLS_OK);
    assert_int_equal(p.suite_count, 2);

    captls_cipher_policy before = p;
    static const struct {
        const char *list;
        captls_result want;
    } bad[] = {
        {"", CAPTLS_ERR_INVALID_ARGUMENT},
        {NULL, CAPTLS_ERR_INVALID_ARGUMENT},
        {":", CAPTLS_ERR_INVALID_ARGUMENT},
        {"TLS_AES_128_GCM_SHA256:", CAPTLS_ERR_INVALID_ARGUMENT},
        {":TLS_AES_128_GCM_SHA256", CAPTLS_ERR_INVALID_ARGUMENT},
        {"TLS_AES_128_GCM_SHA256::TLS_AES_256_GCM_SHA384", CAPTLS_ERR_INVALID_ARGUMENT},
        {"TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256", CAPTLS_ERR_INVALID_ARGUMENT},
        {"tls_aes_128_gcm_sha256", CAPTLS_ERR_UNSUPPORTED},
        {"TLS_AES_128_CCM_SHA256", CAPTLS_ERR_UNSUPPORTED},
        {"TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256", CAPTLS_ERR_UNSUPPORTED},
        {"TLS_AES_128_GCM_SHA25", CAPTLS_ERR_UNSUPPORTED},
        {"TLS_AES_128_GCM_SHA2566", CAPTLS_ERR_UNSUPPORTED},
        {" TLS_AES_128_GCM_SHA256", CAPTLS_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(captls_cipher_policy_set_suites(&p, bad[i].list),
                         bad[i].want);
        assert_memory_equal(&p, &before, sizeof(p)); /* nothing half-applied */
    }
    assert_int_equal(captls_cipher_policy_set_suites(NULL, "TLS_AES_128_GCM_SHA256"),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_set_groups(void **state)
{
    (void)state;
    captls_cipher_policy p;
    captls_cipher_policy_preset_init(&p, CAPTLS_CIPHER_POLICY_MODERN);
    const char *p256[] = {"secp256r1", "prime256v1", "P-256", "p-256", "SECP256R1"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(captls_cipher_policy_set_groups(&p, p256[i]), CAPTLS_OK);
        assert_int_equal(p.group_count, 1);
        assert_int_equal(p.groups[0], CAPTLS_TLS_GROUP_SECP256R1);
        assert_false(captls_cipher_policy_has_group(&p, CAPTLS_TLS_GROUP_X25519));
    }
    assert_int_equal(captls_cipher_policy_set_groups(&p, "P-256:X25519"), CAPTLS_OK);
    assert_int_equal(p.group_count, 2);
    assert_int_equal(p.groups[0], CAPTLS_TLS_GROUP_SECP256R1);
    assert_int_equal(p.groups[1], CAPTLS_TLS_GROUP_X25519);
    captls_cipher_policy before = p;
    assert_int_equal(captls_cipher_policy_set_groups(&p, "x25519:prime256v1:P-256"),
                     CAPTLS_ERR_INVALID_ARGUMENT); /* same group twice */
    assert_int_equal(captls_cipher_policy_set_groups(&p, "x448"), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_groups(&p, "x25519:secp384r1"),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_groups(&p, "x25519,"),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_memory_equal(&p, &before, sizeof(p));
}

static void test_set_schemes(void **state)
{
    (void)state;
    captls_cipher_policy p;
    captls_cipher_policy_preset_init(&p, CAPTLS_CIPHER_POLICY_MODERN);
    assert_int_equal(captls_cipher_policy_set_schemes(
                         &p, "ecdsa_secp256r1_sha256:ED25519,rsa_pss_rsae_sha512"),
                     CAPTLS_OK);
    assert_int_equal(p.scheme_count, 3);
    assert_int_equal(p.schemes[0], 0x0403);
    assert_int_equal(p.schemes[1], 0x0807);
    assert_int_equal(p.schemes[2], 0x0806);
    assert_true(captls_cipher_policy_has_scheme(&p, 0x0807));
    assert_false(captls_cipher_policy_has_scheme(&p, 0x0804));
    /* cert_schemes untouched */
    assert_int_equal(p.cert_scheme_count, 12);
    /* OpenSSL's ALG+HASH spellings */
    assert_int_equal(captls_cipher_policy_set_schemes(
                         &p, "ECDSA+SHA384:RSA-PSS+SHA256"), CAPTLS_OK);
    assert_int_equal(p.scheme_count, 2);
    assert_int_equal(p.schemes[0], 0x0503);
    assert_int_equal(p.schemes[1], 0x0804);
    /* all nine at once */
    assert_int_equal(captls_cipher_policy_set_schemes(
                         &p, "ed25519:ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:"
                             "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
                             "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512"),
                     CAPTLS_OK);
    assert_int_equal(p.scheme_count, 9);
    assert_memory_equal(p.schemes, verify_schemes, sizeof(verify_schemes));
    captls_cipher_policy before = p;
    /* RFC 8446 §4.2.3: PKCS#1 is not a CertificateVerify scheme */
    assert_int_equal(captls_cipher_policy_set_schemes(&p, "ed25519:rsa_pkcs1_sha256"),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_schemes(&p, "RSA+SHA256"),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_schemes(&p, "ed448"), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_schemes(&p, "ecdsa_secp521r1_sha512"),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_schemes(&p, "rsa_pkcs1_sha1"),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_schemes(&p, "ed25519:ED25519"),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_cipher_policy_set_schemes(&p, "ECDSA+SHA256:ecdsa_secp256r1_sha256"),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_memory_equal(&p, &before, sizeof(p));
}

static void test_set_cert_schemes(void **state)
{
    (void)state;
    captls_cipher_policy p;
    captls_cipher_policy_preset_init(&p, CAPTLS_CIPHER_POLICY_LEGACY);
    assert_int_equal(captls_cipher_policy_set_cert_schemes(
                         &p, "rsa_pkcs1_sha256:ecdsa_secp256r1_sha256"), CAPTLS_OK);
    assert_int_equal(p.cert_scheme_count, 2);
    assert_true(captls_cipher_policy_has_cert_scheme(&p, 0x0401));
    assert_false(captls_cipher_policy_has_cert_scheme(&p, 0x0501));
    assert_int_equal(p.scheme_count, 9); /* schemes untouched */
    captls_cipher_policy before = p;
    assert_int_equal(captls_cipher_policy_set_cert_schemes(&p, "rsa_pkcs1_sha1"),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_cipher_policy_set_cert_schemes(&p, ""),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_memory_equal(&p, &before, sizeof(p));
}

static void test_has_and_names(void **state)
{
    (void)state;
    assert_false(captls_cipher_policy_has_suite(NULL, 0x1301));
    assert_false(captls_cipher_policy_has_group(NULL, 0x1d));
    assert_false(captls_cipher_policy_has_scheme(NULL, 0x0807));
    assert_false(captls_cipher_policy_has_cert_scheme(NULL, 0x0807));
    captls_cipher_policy p;
    captls_cipher_policy_preset_init(&p, CAPTLS_CIPHER_POLICY_MODERN);
    /* a hand-broken count is clamped, never read past the array */
    p.suite_count = 1000;
    assert_true(captls_cipher_policy_has_suite(&p, 0x1303));
    assert_false(captls_cipher_policy_has_suite(&p, 0x1304));
    assert_string_equal(captls_tls_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
    assert_string_equal(captls_tls_suite_name(0x1302), "TLS_AES_256_GCM_SHA384");
    assert_string_equal(captls_tls_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
    assert_string_equal(captls_tls_suite_name(0x1304), "unknown");
    assert_string_equal(captls_tls_group_name(0x001d), "x25519");
    assert_string_equal(captls_tls_group_name(0x0017), "secp256r1");
    assert_string_equal(captls_tls_group_name(0x0018), "unknown");
    assert_string_equal(captls_tls_scheme_name(0x0804), "rsa_pss_rsae_sha256");
    assert_string_equal(captls_tls_scheme_name(0x0807), "ed25519");
    assert_string_equal(captls_tls_scheme_name(0x0808), "unknown");
    /* every name parses back to its value */
    for (size_t i = 0; i < 9; i++) {
        captls_cipher_policy q;
        captls_cipher_policy_preset_init(&q, CAPTLS_CIPHER_POLICY_MODERN);
        assert_int_equal(captls_cipher_policy_set_schemes(
                             &q, captls_tls_scheme_name(verify_schemes[i])), CAPTLS_OK);
        assert_int_equal(q.schemes[0], verify_schemes[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_set_suites),
        cmocka_unit_test(test_set_groups),
        cmocka_unit_test(test_set_schemes),
        cmocka_unit_test(test_set_cert_schemes),
        cmocka_unit_test(test_has_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
