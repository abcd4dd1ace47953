/* core/tls/alert.h — TLS alerts (RFC 8446 §6) and the one table that maps
 * captls errors to the alert the engine sends.
 *
 * Contract. Errors in the alert band of core/base/result.h are
 * CAPTLS_ERR_ALERT_BASE + AlertDescription: a codec or engine step that
 * knows which alert applies returns CAPTLS_TLS_ERR(NAME). Everything else
 * (an entropy failure, a signer error, BUFFER_TOO_SMALL, ...) goes through
 * captls_tls_alert_for_error(), which is the only place that decides.
 * Names are RFC 8446's spelling ("decode_error") and stable: logs, the
 * programs' `error:` lines and tests match them.
 */
#ifndef CAPTLS_TLS_ALERT_H
#define CAPTLS_TLS_ALERT_H

#include <stdint.h>

#include "core/base/result.h"
#include "core/verify/policy.h"

enum {
    CAPTLS_ALERT_CLOSE_NOTIFY = 0,
    CAPTLS_ALERT_UNEXPECTED_MESSAGE = 10,
    CAPTLS_ALERT_BAD_RECORD_MAC = 20,
    CAPTLS_ALERT_RECORD_OVERFLOW = 22,
    CAPTLS_ALERT_HANDSHAKE_FAILURE = 40,
    CAPTLS_ALERT_BAD_CERTIFICATE = 42,
    CAPTLS_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    CAPTLS_ALERT_CERTIFICATE_REVOKED = 44,
    CAPTLS_ALERT_CERTIFICATE_EXPIRED = 45,
    CAPTLS_ALERT_CERTIFICATE_UNKNOWN = 46,
    CAPTLS_ALERT_ILLEGAL_PARAMETER = 47,
    CAPTLS_ALERT_UNKNOWN_CA = 48,
    CAPTLS_ALERT_ACCESS_DENIED = 49,
    CAPTLS_ALERT_DECODE_ERROR = 50,
    CAPTLS_ALERT_DECRYPT_ERROR = 51,
    CAPTLS_ALERT_PROTOCOL_VERSION = 70,
    CAPTLS_ALERT_INSUFFICIENT_SECURITY = 71,
    CAPTLS_ALERT_INTERNAL_ERROR = 80,
    CAPTLS_ALERT_INAPPROPRIATE_FALLBACK = 86,
    CAPTLS_ALERT_USER_CANCELED = 90,
    CAPTLS_ALERT_MISSING_EXTENSION = 109,
    CAPTLS_ALERT_UNSUPPORTED_EXTENSION = 110,
    CAPTLS_ALERT_UNRECOGNIZED_NAME = 112,
    CAPTLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
    CAPTLS_ALERT_UNKNOWN_PSK_IDENTITY = 115,
    CAPTLS_ALERT_CERTIFICATE_REQUIRED = 116,
    CAPTLS_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* CAPTLS_TLS_ERR(DECODE_ERROR) == CAPTLS_ERR_ALERT_BASE + 50 */
#define CAPTLS_TLS_ERR(name)                                                   \
    ((captls_result)(CAPTLS_ERR_ALERT_BASE + CAPTLS_ALERT_##name))

/* RFC 8446 spelling, "unknown_alert" for values without a name. */
const char *captls_tls_alert_name(uint8_t description);

/* The alert to send for an error: the alert band maps to itself; others
 * map through one table in alert.c, each row justified there by RFC 8446
 * §6.2's meaning of the alert:
 *   BAD_SIGNATURE   -> decrypt_error     (CertificateVerify/Finished failed)
 *   AUTH_FAILED     -> bad_record_mac    (record deprotection failed)
 *   MALFORMED       -> decode_error
 *   LIMIT_EXCEEDED  -> decode_error      (a field out of our bounds)
 *   UNSUPPORTED     -> handshake_failure (nothing acceptable to negotiate)
 *   WEAK_KEY        -> insufficient_security
 *   INVALID_KEY     -> illegal_parameter (bad key share / key for scheme)
 *   VERIFY_FAILED   -> bad_certificate   (use _for_failure when the
 *                                         FailureReason is known)
 *   PIN_MISMATCH    -> bad_certificate
 *   everything else -> internal_error: our own failures (entropy, a
 *   signer or cap refusing us, BUFFER_TOO_SMALL, INTERNAL) are not the
 *   peer's fault; OK and the statuses are not errors and a caller asking
 *   for their alert has a bug, so they get internal_error too. */
uint8_t captls_tls_alert_for_error(captls_result err);

/* The alert to send when the peer's chain failed verification with reason
 * r (core/verify/policy.h); unknown values -> certificate_unknown. The
 * table is in alert.c with the RFC 8446 §6.2 wording behind each row. */
uint8_t captls_tls_alert_for_failure(captls_failure_reason r);

/* True iff err is in the alert band. */
static inline int captls_tls_is_alert_error(captls_result err)
{
    return (int)err >= (int)CAPTLS_ERR_ALERT_BASE && (int)err < 0x200;
}

#endif
