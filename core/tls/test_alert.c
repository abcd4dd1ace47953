/* Unit tests of core/tls/alert.c: names, the error -> alert table and the
 * FailureReason -> alert table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/tls/alert.h"

static void test_names(void **state)
{
    (void)state;
    static const struct {
        uint8_t v;
        const char *name;
    } rows[] = {
        {0, "close_notify"}, {10, "unexpected_message"}, {20, "bad_record_mac"},
        {22, "record_overflow"}, {40, "handshake_failure"}, {42, "bad_certificate"},
        {43, "unsupported_certificate"}, {44, "certificate_revoked"},
        {45, "certificate_expired"}, {46, "certificate_unknown"},
        {47, "illegal_parameter"}, {48, "unknown_ca"}, {49, "access_denied"},
        {50, "decode_error"}, {51, "decrypt_error"}, {70, "protocol_version"},
        {71, "insufficient_security"}, {80, "internal_error"},
        {86, "inappropriate_fallback"}, {90, "user_canceled"},
        {109, "missing_extension"}, {110, "unsupported_extension"},
        {112, "unrecognized_name"}, {113, "bad_certificate_status_response"},
        {115, "unknown_psk_identity"}, {116, "certificate_required"},
        {120, "no_application_protocol"},
    };
    size_t named = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_string_equal(captls_tls_alert_name(rows[i].v), rows[i].name);
    /* everything else is unknown_alert (TLS 1.2-only values included) */
    for (unsigned v = 0; v < 256; v++)
        if (strcmp(captls_tls_alert_name((uint8_t)v), "unknown_alert") != 0)
            named++;
    assert_int_equal(named, sizeof(rows) / sizeof(rows[0]));
    assert_string_equal(captls_tls_alert_name(21), "unknown_alert"); /* decryption_failed */
    assert_string_equal(captls_tls_alert_name(255), "unknown_alert");
}

static void test_alert_band_maps_to_itself(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 256; v++) {
        captls_result r = (captls_result)(CAPTLS_ERR_ALERT_BASE + v);
        assert_true(captls_tls_is_alert_error(r));
        assert_int_equal(captls_tls_alert_for_error(r), v);
    }
    assert_int_equal(CAPTLS_TLS_ERR(DECODE_ERROR), CAPTLS_ERR_ALERT_BASE + 50);
    assert_int_equal(captls_tls_alert_for_error(CAPTLS_TLS_ERR(UNKNOWN_CA)), 48);
    assert_false(captls_tls_is_alert_error(CAPTLS_ERR_INVALID_ARGUMENT));
    assert_false(captls_tls_is_alert_error(CAPTLS_OK));
}

static void test_error_table(void **state)
{
    (void)state;
    static const struct {
        captls_result err;
        uint8_t alert;
    } rows[] = {
        {CAPTLS_ERR_BAD_SIGNATURE, CAPTLS_ALERT_DECRYPT_ERROR},
        {CAPTLS_ERR_AUTH_FAILED, CAPTLS_ALERT_BAD_RECORD_MAC},
        {CAPTLS_ERR_MALFORMED, CAPTLS_ALERT_DECODE_ERROR},
        {CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_ALERT_DECODE_ERROR},
        {CAPTLS_ERR_UNSUPPORTED, CAPTLS_ALERT_HANDSHAKE_FAILURE},
        {CAPTLS_ERR_WEAK_KEY, CAPTLS_ALERT_INSUFFICIENT_SECURITY},
        {CAPTLS_ERR_INVALID_KEY, CAPTLS_ALERT_ILLEGAL_PARAMETER},
        {CAPTLS_ERR_VERIFY_FAILED, CAPTLS_ALERT_BAD_CERTIFICATE},
        {CAPTLS_ERR_PIN_MISMATCH, CAPTLS_ALERT_BAD_CERTIFICATE},
        /* ours, not the peer's: internal_error */
        {CAPTLS_ERR_ENTROPY_FAILURE, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_ERR_INTERNAL, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_ERR_BUFFER_TOO_SMALL, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_ERR_INVALID_ARGUMENT, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_ERR_NO_AUTHORITY, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_ERR_STALE_HANDLE, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_ERR_IO, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_ERR_CLOCK_UNAVAILABLE, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_OK, CAPTLS_ALERT_INTERNAL_ERROR},
        {CAPTLS_NEED_MORE, CAPTLS_ALERT_INTERNAL_ERROR},
        {(captls_result)0x7777, CAPTLS_ALERT_INTERNAL_ERROR},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        uint8_t a = captls_tls_alert_for_error(rows[i].err);
        if (a != rows[i].alert)
            fail_msg("%s -> %s, want %s", captls_result_name(rows[i].err),
                     captls_tls_alert_name(a), captls_tls_alert_name(rows[i].alert));
    }
    /* never close_notify for an error */
    for (int v = 0x200; v < 0x500; v++)
        assert_int_not_equal(captls_tls_alert_for_error((captls_result)v),
                             CAPTLS_ALERT_CLOSE_NOTIFY);
}

static void test_failure_table(void **state)
{
    (void)state;
    static const uint8_t want[CAPTLS_FAIL_COUNT] = {
        [CAPTLS_FAIL_UNKNOWN_ANCHOR] = CAPTLS_ALERT_UNKNOWN_CA,
        [CAPTLS_FAIL_EXPIRED] = CAPTLS_ALERT_CERTIFICATE_EXPIRED,
        [CAPTLS_FAIL_NOT_YET_VALID] = CAPTLS_ALERT_CERTIFICATE_EXPIRED,
        [CAPTLS_FAIL_SIGNATURE_MISMATCH] = CAPTLS_ALERT_BAD_CERTIFICATE,
        [CAPTLS_FAIL_NAME_MISMATCH] = CAPTLS_ALERT_BAD_CERTIFICATE,
        [CAPTLS_FAIL_INSUFFICIENT_SCTS] = CAPTLS_ALERT_CERTIFICATE_UNKNOWN,
        [CAPTLS_FAIL_REVOKED] = CAPTLS_ALERT_CERTIFICATE_REVOKED,
        [CAPTLS_FAIL_OCSP_UNAVAILABLE] = CAPTLS_ALERT_CERTIFICATE_UNKNOWN,
        [CAPTLS_FAIL_WEAK_ALGORITHM] = CAPTLS_ALERT_BAD_CERTIFICATE,
        [CAPTLS_FAIL_POLICY_VIOLATION] = CAPTLS_ALERT_UNSUPPORTED_CERTIFICATE,
        [CAPTLS_FAIL_BAD_EKU] = CAPTLS_ALERT_UNSUPPORTED_CERTIFICATE,
        [CAPTLS_FAIL_CHAIN_TOO_LONG] = CAPTLS_ALERT_UNKNOWN_CA,
        [CAPTLS_FAIL_NAME_CONSTRAINT_VIOLATION] = CAPTLS_ALERT_BAD_CERTIFICATE,
        [CAPTLS_FAIL_MUST_STAPLE_MISSING] =
            CAPTLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
        [CAPTLS_FAIL_PIN_MISMATCH] = CAPTLS_ALERT_BAD_CERTIFICATE,
    };
    for (unsigned r = 0; r < CAPTLS_FAIL_COUNT; r++) {
        uint8_t a = captls_tls_alert_for_failure((captls_failure_reason)r);
        if (a != want[r])
            fail_msg("%s -> %s", captls_failure_reason_name((captls_failure_reason)r),
                     captls_tls_alert_name(a));
        assert_int_not_equal(a, CAPTLS_ALERT_CLOSE_NOTIFY);
    }
    assert_int_equal(captls_tls_alert_for_failure((captls_failure_reason)15),
                     CAPTLS_ALERT_CERTIFICATE_UNKNOWN);
    assert_int_equal(captls_tls_alert_for_failure((captls_failure_reason)-1),
                     CAPTLS_ALERT_CERTIFICATE_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_alert_band_maps_to_itself),
        cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_failure_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
