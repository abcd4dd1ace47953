/* core/x509/x509_internal.h — helpers shared by the x509 parser's files.
 * Not a public API: only the core/x509 sources include it. */
#ifndef CAPTLS_X509_INTERNAL_H
#define CAPTLS_X509_INTERNAL_H

#include "core/x509/certificate.h"

/* Records the first failure through the cursor family (like der.c's). */
captls_result captls_x509_fail(const captls_der *d, size_t off,
                               captls_result code, const char *why);
/* A cursor over the bytes of s (which lie inside d's input), one level
 * deeper, sharing d's error record: for OCTET STRINGs that hold DER. */
CAPTLS_MUST_CHECK captls_result captls_x509_sub(const captls_der *d,
                                               captls_slice s,
                                               captls_der *sub);
/* Reads and validates a Name at the cursor. */
CAPTLS_MUST_CHECK captls_result captls_x509_read_name(captls_der *d,
                                                     captls_x509_name *out);
/* Reads one GeneralName. in_constraint: iPAddress must be address+mask. */
CAPTLS_MUST_CHECK captls_result captls_x509_read_general_name(
    captls_der *d, bool in_constraint, captls_general_name *out);
/* Parses the extensions SEQUENCE at the cursor into cert. */
CAPTLS_MUST_CHECK captls_result captls_x509_read_extensions(
    captls_der *d, captls_certificate *cert);

#endif
