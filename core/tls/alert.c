/* TLS alert names and the error -> alert tables. See alert.h. */
#include "core/tls/alert.h"

#include <stddef.h>

typedef struct alert_name {
    uint8_t value;
    const char *name;
} alert_name;

/* RFC 8446 §6 AlertDescription, TLS 1.3 values only. */
static const alert_name names[] = {
    {CAPTLS_ALERT_CLOSE_NOTIFY, "close_notify"},
    {CAPTLS_ALERT_UNEXPECTED_MESSAGE, "unexpected_message"},
    {CAPTLS_ALERT_BAD_RECORD_MAC, "bad_record_mac"},
    {CAPTLS_ALERT_RECORD_OVERFLOW, "record_overflow"},
    {CAPTLS_ALERT_HANDSHAKE_FAILURE, "handshake_failure"},
    {CAPTLS_ALERT_BAD_CERTIFICATE, "bad_certificate"},
    {CAPTLS_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate"},
    {CAPTLS_ALERT_CERTIFICATE_REVOKED, "certificate_revoked"},
    {CAPTLS_ALERT_CERTIFICATE_EXPIRED, "certificate_expired"},
    {CAPTLS_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown"},
    {CAPTLS_ALERT_ILLEGAL_PARAMETER, "illegal_parameter"},
    {CAPTLS_ALERT_UNKNOWN_CA, "unknown_ca"},
    {CAPTLS_ALERT_ACCESS_DENIED, "access_denied"},
    {CAPTLS_ALERT_DECODE_ERROR, "decode_error"},
    {CAPTLS_ALERT_DECRYPT_ERROR, "decrypt_error"},
    {CAPTLS_ALERT_PROTOCOL_VERSION, "protocol_version"},
    {CAPTLS_ALERT_INSUFFICIENT_SECURITY, "insufficient_security"},
    {CAPTLS_ALERT_INTERNAL_ERROR, "internal_error"},
    {CAPTLS_ALERT_INAPPROPRIATE_FALLBACK, "inappropriate_fallback"},
    {CAPTLS_ALERT_USER_CANCELED, "user_canceled"},
    {CAPTLS_ALERT_MISSING_EXTENSION, "missing_extension"},
    {CAPTLS_ALERT_UNSUPPORTED_EXTENSION, "unsupported_extension"},
    {CAPTLS_ALERT_UNRECOGNIZED_NAME, "unrecognized_name"},
    {CAPTLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
     "bad_certificate_status_response"},
    {CAPTLS_ALERT_UNKNOWN_PSK_IDENTITY, "unknown_psk_identity"},
    {CAPTLS_ALERT_CERTIFICATE_REQUIRED, "certificate_required"},
    {CAPTLS_ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol"},
};

const char *captls_tls_alert_name(uint8_t description)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].value == description)
            return names[i].name;
    return "unknown_alert";
}

/* The one error -> alert table (quotes: RFC 8446 §6.2). */
typedef struct error_row {
    captls_result err;
    uint8_t alert;
} error_row;

static const error_row error_rows[] = {
    /* "decrypt_error: A handshake (not record layer) cryptographic
     * operation failed, including being unable to correctly verify a
     * signature or validate a Finished message or a PSK binder." */
    {CAPTLS_ERR_BAD_SIGNATURE, CAPTLS_ALERT_DECRYPT_ERROR},
    /* "bad_record_mac: This alert is returned if a record is received
     * which cannot be deprotected." */
    {CAPTLS_ERR_AUTH_FAILED, CAPTLS_ALERT_BAD_RECORD_MAC},
    /* "decode_error: A message could not be decoded because some field was
     * out of the specified range or the length of the message was
     * incorrect." LIMIT_EXCEEDED comes from peer input beyond our bounds
     * (DER length/depth, list counts): the same situation from our side. */
    {CAPTLS_ERR_MALFORMED, CAPTLS_ALERT_DECODE_ERROR},
    {CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_ALERT_DECODE_ERROR},
    /* "handshake_failure: Receipt of a "handshake_failure" alert message
     * indicates that the sender was unable to negotiate an acceptable set
     * of security parameters given the options available." */
    {CAPTLS_ERR_UNSUPPORTED, CAPTLS_ALERT_HANDSHAKE_FAILURE},
    /* "insufficient_security: Returned instead of "handshake_failure" when
     * a negotiation has failed specifically because the server requires
     * parameters more secure than those supported by the client." A key
     * below policy (RSA < 2048 bits) is exactly that. */
    {CAPTLS_ERR_WEAK_KEY, CAPTLS_ALERT_INSUFFICIENT_SECURITY},
    /* "illegal_parameter: A field in the handshake was incorrect or
     * inconsistent with other fields." An invalid key share (point off the
     * curve, X25519 all-zero secret) or a key of the wrong type for the
     * scheme the peer chose. */
    {CAPTLS_ERR_INVALID_KEY, CAPTLS_ALERT_ILLEGAL_PARAMETER},
    /* "bad_certificate: A certificate was corrupt, contained signatures
     * that did not verify correctly, etc." The generic verdict; with the
     * FailureReason at hand use captls_tls_alert_for_failure. */
    {CAPTLS_ERR_VERIFY_FAILED, CAPTLS_ALERT_BAD_CERTIFICATE},
    /* A pinned SPKI that differs: the certificate is not acceptable as
     * presented (as pinMismatch below). */
    {CAPTLS_ERR_PIN_MISMATCH, CAPTLS_ALERT_BAD_CERTIFICATE},
};

uint8_t captls_tls_alert_for_error(captls_result err)
{
    if (captls_tls_is_alert_error(err))
        return (uint8_t)((int)err - (int)CAPTLS_ERR_ALERT_BASE);
    for (size_t i = 0; i < sizeof(error_rows) / sizeof(error_rows[0]); i++)
        if (error_rows[i].err == err)
            return error_rows[i].alert;
    /* "internal_error: An internal error unrelated to the peer or the
     * correctness of this protocol (such as a memory allocation failure)
     * makes it impossible to continue." */
    return CAPTLS_ALERT_INTERNAL_ERROR;
}

/* FailureReason -> alert, indexed by the seed's values. OpenSSL's
 * ssl_x509err2alert differs on two rows, noted inline. */
static const uint8_t failure_alerts[CAPTLS_FAIL_COUNT] = {
    /* "unknown_ca: A valid certificate chain or partial chain was received,
     * but the certificate was not accepted because the CA certificate could
     * not be located or could not be matched with a known trust anchor." */
    [CAPTLS_FAIL_UNKNOWN_ANCHOR] = CAPTLS_ALERT_UNKNOWN_CA,
    /* "certificate_expired: A certificate has expired or is not currently
     * valid." (OpenSSL sends bad_certificate for not-yet-valid.) */
    [CAPTLS_FAIL_EXPIRED] = CAPTLS_ALERT_CERTIFICATE_EXPIRED,
    [CAPTLS_FAIL_NOT_YET_VALID] = CAPTLS_ALERT_CERTIFICATE_EXPIRED,
    /* "bad_certificate: ... contained signatures that did not verify
     * correctly" (OpenSSL sends decrypt_error for this one). */
    [CAPTLS_FAIL_SIGNATURE_MISMATCH] = CAPTLS_ALERT_BAD_CERTIFICATE,
    /* A certificate for another name is not acceptable here: bad_certificate,
     * as OpenSSL for X509_V_ERR_HOSTNAME_MISMATCH. */
    [CAPTLS_FAIL_NAME_MISMATCH] = CAPTLS_ALERT_BAD_CERTIFICATE,
    /* "certificate_unknown: Some other (unspecified) issue arose in
     * processing the certificate, rendering it unacceptable." */
    [CAPTLS_FAIL_INSUFFICIENT_SCTS] = CAPTLS_ALERT_CERTIFICATE_UNKNOWN,
    /* "certificate_revoked: A certificate was revoked by its signer." */
    [CAPTLS_FAIL_REVOKED] = CAPTLS_ALERT_CERTIFICATE_REVOKED,
    /* No status could be obtained: an unspecified certificate issue. */
    [CAPTLS_FAIL_OCSP_UNAVAILABLE] = CAPTLS_ALERT_CERTIFICATE_UNKNOWN,
    /* An MD5/SHA-1 signature or a too-small key: the certificate is bad
     * (OpenSSL: CA_MD_TOO_WEAK, EE_KEY_TOO_SMALL -> bad_certificate). */
    [CAPTLS_FAIL_WEAK_ALGORITHM] = CAPTLS_ALERT_BAD_CERTIFICATE,
    /* "unsupported_certificate: A certificate was of an unsupported type."
     * A key or algorithm the policy does not admit (or captls cannot use). */
    [CAPTLS_FAIL_POLICY_VIOLATION] = CAPTLS_ALERT_UNSUPPORTED_CERTIFICATE,
    /* Not issued for this purpose: unsupported_certificate, as OpenSSL for
     * X509_V_ERR_INVALID_PURPOSE. */
    [CAPTLS_FAIL_BAD_EKU] = CAPTLS_ALERT_UNSUPPORTED_CERTIFICATE,
    /* No path to an anchor within the depth limit: the anchor "could not be
     * located" (unknown_ca, as OpenSSL for CERT_CHAIN_TOO_LONG). */
    [CAPTLS_FAIL_CHAIN_TOO_LONG] = CAPTLS_ALERT_UNKNOWN_CA,
    /* An issuer's constraints make the certificate invalid. */
    [CAPTLS_FAIL_NAME_CONSTRAINT_VIOLATION] = CAPTLS_ALERT_BAD_CERTIFICATE,
    /* "bad_certificate_status_response: Sent by clients when an invalid or
     * unacceptable OCSP response is provided by the server via the
     * "status_request" extension": a must-staple leaf without one. */
    [CAPTLS_FAIL_MUST_STAPLE_MISSING] =
        CAPTLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
    /* The certificate is not the one pinned: not acceptable as presented. */
    [CAPTLS_FAIL_PIN_MISMATCH] = CAPTLS_ALERT_BAD_CERTIFICATE,
};

uint8_t captls_tls_alert_for_failure(captls_failure_reason r)
{
    if ((unsigned)r >= CAPTLS_FAIL_COUNT)
        return CAPTLS_ALERT_CERTIFICATE_UNKNOWN;
    return failure_alerts[r];
}
