/* core/trust/trust_audit.h — helpers shared by the TrustStore writer and
 * the CertVerifier: one audit record per call, and readable names.
 *
 * captls_trust_audit_emit builds a record (core/cap/audit.h) stamped with
 * the clock given (a missing clock or a failing wall clock gives zero times
 * with untrusted provenance) and hands it to the sink. The detail is
 * untrusted text: the record stores it sanitized. A NULL sink or a sink
 * without append is "no audit" and succeeds; otherwise the sink's result is
 * returned so callers can fail closed.
 *
 * captls_trust_name_text renders a Name on one line with
 * captls_x509_name_append (core/x509/name_text.h: DER order, short names,
 * certificate bytes escaped). Always NUL-terminated; a name that does not
 * fit ends in "...".
 */
#ifndef CAPTLS_TRUST_TRUST_AUDIT_H
#define CAPTLS_TRUST_TRUST_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/audit.h"
#include "core/x509/certificate.h"
#include "port/port.h"

CAPTLS_MUST_CHECK captls_result captls_trust_audit_emit(
    const captls_clock *clock, const captls_audit_sink *sink,
    captls_cap_owner actor, captls_interface_id iface, uint16_t method,
    const char *event, captls_result outcome, const char *detail,
    size_t detail_len);

/* Returns the length written, NUL excluded (cap >= 4). */
size_t captls_trust_name_text(const captls_x509_name *name, char *out,
                              size_t cap);

/* Lowercase hex of in[0..n) into out (2n + 1 bytes, NUL-terminated). */
void captls_trust_hex(const uint8_t *in, size_t n, char *out);

#endif
