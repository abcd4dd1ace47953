/* See result.h. */
#include "core/base/result.h"

const char *captls_result_name(captls_result r)
{
    switch (r) {
    case CAPTLS_OK: return "ok";
    case CAPTLS_NEED_MORE: return "need_more";
    case CAPTLS_WOULD_BLOCK: return "would_block";
    case CAPTLS_EOF: return "eof";
    case CAPTLS_ERR_ALERT_BASE: return "tls_alert";
    case CAPTLS_ERR_INVALID_ARGUMENT: return "invalid_argument";
    case CAPTLS_ERR_BUFFER_TOO_SMALL: return "buffer_too_small";
    case CAPTLS_ERR_MALFORMED: return "malformed";
    case CAPTLS_ERR_UNSUPPORTED: return "unsupported";
    case CAPTLS_ERR_LIMIT_EXCEEDED: return "limit_exceeded";
    case CAPTLS_ERR_NOT_FOUND: return "not_found";
    case CAPTLS_ERR_ALREADY_EXISTS: return "already_exists";
    case CAPTLS_ERR_SELFTEST_FAILED: return "selftest_failed";
    case CAPTLS_ERR_INTERNAL: return "internal";
    case CAPTLS_ERR_BAD_SIGNATURE: return "bad_signature";
    case CAPTLS_ERR_INVALID_KEY: return "invalid_key";
    case CAPTLS_ERR_AUTH_FAILED: return "auth_failed";
    case CAPTLS_ERR_WEAK_KEY: return "weak_key";
    case CAPTLS_ERR_PIN_MISMATCH: return "pin_mismatch";
    case CAPTLS_ERR_VERIFY_FAILED: return "verify_failed";
    case CAPTLS_ERR_BAD_HANDLE: return "bad_handle";
    case CAPTLS_ERR_STALE_HANDLE: return "stale_handle";
    case CAPTLS_ERR_WRONG_INTERFACE: return "wrong_interface";
    case CAPTLS_ERR_NO_AUTHORITY: return "no_authority";
    case CAPTLS_ERR_RIGHTS_ESCALATION: return "rights_escalation";
    case CAPTLS_ERR_TABLE_FULL: return "table_full";
    case CAPTLS_ERR_ENDPOINT_DEAD: return "endpoint_dead";
    case CAPTLS_ERR_IO: return "io";
    case CAPTLS_ERR_CONN_REFUSED: return "connection_refused";
    case CAPTLS_ERR_CONN_RESET: return "connection_reset";
    case CAPTLS_ERR_ADDR_IN_USE: return "address_in_use";
    case CAPTLS_ERR_ADDR_INVALID: return "address_invalid";
    case CAPTLS_ERR_NOT_CONNECTED: return "not_connected";
    case CAPTLS_ERR_TIMEOUT: return "timeout";
    case CAPTLS_ERR_DISK_FULL: return "disk_full";
    case CAPTLS_ERR_ENTROPY_FAILURE: return "entropy_failure";
    case CAPTLS_ERR_CLOCK_UNAVAILABLE: return "clock_unavailable";
    }
    if ((int)r > (int)CAPTLS_ERR_ALERT_BASE && (int)r < 0x200)
        return "tls_alert";
    return "unknown_error";
}
