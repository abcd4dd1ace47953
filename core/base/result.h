/* core/base/result.h — the one error space of captls.
 *
 * Every fallible function in core/, the ports and the simulator returns a
 * captls_result. Zero is success; small positive values are non-error
 * statuses a sans-I/O caller must act on (feed more bytes, retry later, end
 * of stream); everything else is an error. Errors are split into bands so a
 * value says where it came from:
 *
 *   0x001..0x00F  statuses (not errors)
 *   0x100..0x1FF  TLS alerts: CAPTLS_ERR_ALERT_BASE + AlertDescription
 *                 (RFC 8446 §6); the TLS engine maps errors to alerts here
 *   0x200..0x2FF  general: bad arguments, malformed input, limits
 *   0x300..0x3FF  capabilities and IPC: handles, rights, revocation
 *   0x400..0x4FF  the world behind port.h: sockets, storage, clock, entropy
 *
 * captls_result_name() gives a stable lowercase name for logs and CLIs; the
 * names are part of the user-facing contract (tests match them).
 */
#ifndef CAPTLS_BASE_RESULT_H
#define CAPTLS_BASE_RESULT_H

#include <stdbool.h>

#if defined(__GNUC__) || defined(__clang__)
#define CAPTLS_MUST_CHECK __attribute__((warn_unused_result))
#else
#define CAPTLS_MUST_CHECK
#endif

typedef enum captls_result {
    CAPTLS_OK = 0,

    /* statuses */
    CAPTLS_NEED_MORE = 0x001,   /* input ends inside an item: feed more */
    CAPTLS_WOULD_BLOCK = 0x002, /* non-blocking operation cannot progress now */
    CAPTLS_EOF = 0x003,         /* orderly end of stream */

    /* TLS alert band: CAPTLS_ERR_ALERT_BASE + alert description */
    CAPTLS_ERR_ALERT_BASE = 0x100,

    /* general */
    CAPTLS_ERR_INVALID_ARGUMENT = 0x200,
    CAPTLS_ERR_BUFFER_TOO_SMALL,
    CAPTLS_ERR_MALFORMED,
    CAPTLS_ERR_UNSUPPORTED,
    CAPTLS_ERR_LIMIT_EXCEEDED,
    CAPTLS_ERR_NOT_FOUND,
    CAPTLS_ERR_ALREADY_EXISTS,
    CAPTLS_ERR_SELFTEST_FAILED,
    CAPTLS_ERR_INTERNAL,
    CAPTLS_ERR_BAD_SIGNATURE,       /* signature/tag does not verify */
    CAPTLS_ERR_INVALID_KEY,         /* key or point unusable (small order, ...) */
    CAPTLS_ERR_AUTH_FAILED,         /* AEAD tag or MAC mismatch: no output */
    CAPTLS_ERR_WEAK_KEY,            /* key below policy (RSA < 2048 bits) */
    CAPTLS_ERR_PIN_MISMATCH,        /* SPKI hash differs from the pin given */
    CAPTLS_ERR_VERIFY_FAILED,       /* chain invalid: see its FailureReason */

    /* capabilities and IPC */
    CAPTLS_ERR_BAD_HANDLE = 0x300,  /* never issued by this table */
    CAPTLS_ERR_STALE_HANDLE,        /* issued once, since dropped or revoked */
    CAPTLS_ERR_WRONG_INTERFACE,     /* handle names another interface */
    CAPTLS_ERR_NO_AUTHORITY,        /* handle lacks a right the call needs */
    CAPTLS_ERR_RIGHTS_ESCALATION,   /* attenuation asked for more rights */
    CAPTLS_ERR_TABLE_FULL,
    CAPTLS_ERR_ENDPOINT_DEAD,       /* the service behind an endpoint died */

    /* the world behind port.h */
    CAPTLS_ERR_IO = 0x400,
    CAPTLS_ERR_CONN_REFUSED,
    CAPTLS_ERR_CONN_RESET,
    CAPTLS_ERR_ADDR_IN_USE,
    CAPTLS_ERR_ADDR_INVALID,
    CAPTLS_ERR_NOT_CONNECTED,
    CAPTLS_ERR_TIMEOUT,
    CAPTLS_ERR_DISK_FULL,
    CAPTLS_ERR_ENTROPY_FAILURE,
    CAPTLS_ERR_CLOCK_UNAVAILABLE,
} captls_result;

/* Stable lowercase name ("ok", "malformed", "stale_handle"; every value of
 * the alert band is "tls_alert"). Never NULL. */
const char *captls_result_name(captls_result r);

/* True for CAPTLS_OK and the statuses; false for every error. */
static inline bool captls_result_is_error(captls_result r)
{
    return (int)r >= (int)CAPTLS_ERR_ALERT_BASE;
}

/* The only check macro: return the first error (or status) to the caller. */
#define CAPTLS_TRY(expr)                                                       \
    do {                                                                       \
        captls_result captls_try_r_ = (expr);                                  \
        if (captls_try_r_ != CAPTLS_OK)                                        \
            return captls_try_r_;                                              \
    } while (0)

#endif
