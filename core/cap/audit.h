/* core/cap/audit.h — the audit record every capability call can emit.
 *
 * Seed 001: "Every verifyChain, every addAnchor, every OCSP query flows
 * through the audit cap." A record names who (actor service id), what
 * (interface, method, a stable event name), when (monotonic and wall time
 * with provenance) and the outcome (a captls_result), plus an optional
 * detail string. The detail is the only place peer- or user-controlled text
 * may appear, and it is always stored sanitized (captls_sanitize), so a log
 * reader never sees raw control bytes or a forged record boundary. Records
 * never hold secrets: callers put names and fingerprints here, not keys.
 *
 * A record is a plain fixed-size value (CAPTLS_AUDIT_RECORD_SIZE bytes);
 * it is handed to a captls_audit_sink (port/port.h) which persists it.
 */
#ifndef CAPTLS_CAP_AUDIT_H
#define CAPTLS_CAP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "port/port.h"

#define CAPTLS_AUDIT_EVENT_MAX 32u   /* including NUL */
#define CAPTLS_AUDIT_DETAIL_MAX 192u /* including NUL */
#define CAPTLS_AUDIT_LINE_MAX 512u   /* captls_audit_format's longest line */

typedef struct captls_audit_record {
    uint64_t monotonic_ns;
    captls_wall_time wall;
    captls_cap_owner actor;
    captls_interface_id iface;
    uint16_t method;
    captls_result outcome;
    char event[CAPTLS_AUDIT_EVENT_MAX];   /* [A-Za-z0-9._-], from code */
    char detail[CAPTLS_AUDIT_DETAIL_MAX]; /* sanitized */
} captls_audit_record;

#define CAPTLS_AUDIT_RECORD_SIZE sizeof(captls_audit_record)

/* Fills a record. `event` must be a short identifier written by captls
 * code (not peer input): CAPTLS_ERR_INVALID_ARGUMENT otherwise. The detail
 * starts empty. */
CAPTLS_MUST_CHECK captls_result captls_audit_record_init(
    captls_audit_record *rec, uint64_t monotonic_ns,
    const captls_wall_time *wall, captls_cap_owner actor,
    captls_interface_id iface, uint16_t method, const char *event,
    captls_result outcome);

/* Stores untrusted bytes as the detail, sanitized and truncated to fit. */
void captls_audit_set_detail(captls_audit_record *rec, const uint8_t *text,
                             size_t len);

/* One line, no newline, NUL-terminated:
 *   audit mono=<ns> wall=<epoch>.<ns9> clock=<trusted|untrusted>
 *   actor=<id> iface=<Name> method=<n> event=<event> outcome=<result>
 *   detail="<sanitized>"
 * BUFFER_TOO_SMALL (with *len = size needed, NUL excluded) if cap is too
 * small; CAPTLS_AUDIT_LINE_MAX always suffices. */
CAPTLS_MUST_CHECK captls_result captls_audit_format(
    const captls_audit_record *rec, char *out, size_t cap, size_t *len);

#endif
