/* core/verify/test_policy.c — FailureReason/CertPurpose names and the
 * presets, field by field (fail-closed fields in test_verify_chain.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/verify/policy.h"

static void test_reason_names(void **state)
{
    (void)state;
    static const char *seed[] = {
        "unknownAnchor", "expired", "notYetValid", "signatureMismatch",
        "nameMismatch", "insufficientScts", "revoked", "ocspUnavailable",
        "weakAlgorithm", "policyViolation", "badEku", "chainTooLong",
        "nameConstraintViolation", "mustStapleMissing", "pinMismatch"};
    assert_int_equal(sizeof seed / sizeof seed[0], CAPTLS_FAIL_COUNT);
    for (unsigned i = 0; i < CAPTLS_FAIL_COUNT; i++) {
        captls_failure_reason r;
        assert_string_equal(captls_failure_reason_name((captls_failure_reason)i),
                            seed[i]);
        assert_true(captls_failure_reason_from_name(seed[i], &r));
        assert_int_equal(r, i);
    }
    assert_int_equal(CAPTLS_FAIL_PIN_MISMATCH, 14);
    assert_string_equal(captls_failure_reason_name((captls_failure_reason)99),
                        "unknown");
    captls_failure_reason r;
    assert_false(captls_failure_reason_from_name("Expired", &r));
}

static void test_purposes(void **state)
{
    (void)state;
    captls_cert_purpose p;
    assert_true(captls_cert_purpose_from_name("tlsServerAuth", &p));
    assert_int_equal(p, CAPTLS_PURPOSE_TLS_SERVER_AUTH);
    assert_true(captls_cert_purpose_from_name("serverAuth", &p));
    assert_int_equal(p, CAPTLS_PURPOSE_TLS_SERVER_AUTH);
    assert_true(captls_cert_purpose_from_name("clientAuth", &p));
    assert_int_equal(p, CAPTLS_PURPOSE_TLS_CLIENT_AUTH);
    assert_true(captls_cert_purpose_from_name("codeSigning", &p));
    assert_int_equal(p, CAPTLS_PURPOSE_CODE_SIGNING);
    assert_true(captls_cert_purpose_from_name("webauthnRoot", &p));
    assert_int_equal(p, 7);
    assert_false(captls_cert_purpose_from_name("bogus", &p));
    assert_string_equal(captls_cert_purpose_name(CAPTLS_PURPOSE_CT_LOG), "ctLog");
}

static void test_presets(void **state)
{
    (void)state;
    const captls_verification_policy *s = captls_policy_web_pki_strict();
    const captls_verification_policy *l = captls_policy_web_pki_lenient();
    const captls_verification_policy *m = captls_policy_private_mtls();
    const captls_verification_policy *c = captls_policy_code_signing();
    /* seed values */
    assert_int_equal(s->min_scts, 2);
    assert_true(s->require_ocsp);
    assert_int_equal(l->min_scts, 0);
    assert_false(l->require_ocsp);
    assert_int_equal(m->min_scts, 0);
    assert_true(m->require_ocsp);
    assert_int_equal(m->max_chain_length, 3);
    assert_int_equal(c->min_scts, 0);
    assert_true(c->not_after_grace_seconds >= 30u * 86400u);
    assert_int_equal(c->purposes, CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CODE_SIGNING));
    assert_false(c->accept_any_eku);
    /* strict: Mozilla algorithms, no Ed25519, no weak */
    assert_int_equal(s->allowed_algorithms & CAPTLS_ALG_ED25519, 0);
    assert_true(s->allowed_algorithms & CAPTLS_ALG_EC_P256);
    assert_int_equal(s->allowed_signature_schemes & CAPTLS_SIGALG_ED25519, 0);
    assert_true(s->require_leaf_eku);
    for (const captls_verification_policy *p = s;;) {
        assert_true(p->min_rsa_bits >= 2048);
        assert_true(p->permit_name_constraints);
        assert_null(p->ct_logs);
        assert_int_equal(p->untrusted_clock, CAPTLS_UNTRUSTED_CLOCK_LOWER_BOUND);
        assert_ptr_equal(captls_policy_by_name(p->name), p);
        p = p == s ? l : p == l ? m : p == m ? c : NULL;
        if (p == NULL)
            break;
    }
    assert_null(captls_policy_by_name("nope"));
    assert_null(captls_policy_by_name(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reason_names),
        cmocka_unit_test(test_purposes),
        cmocka_unit_test(test_presets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
