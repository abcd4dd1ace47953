/* conformance/shim_ops.h — the captls-shim operations: one table row per
 * operation (name, argument names and kinds, handler), dispatching to the
 * captls crypto facade only (the shim never links OpenSSL) and formatting
 * the one answer line. The protocol and the error vocabulary are in
 * conformance/SHIM.md.
 *
 * A captls_shim owns its scratch memory (allocated once by captls_shim_new,
 * sized for the longest line), so captls_shim_run never allocates, never
 * fails and always produces exactly one line. Host-only.
 */
#ifndef CAPTLS_CONFORMANCE_SHIM_OPS_H
#define CAPTLS_CONFORMANCE_SHIM_OPS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct captls_shim captls_shim;

/* NULL when out of memory. */
captls_shim *captls_shim_new(void);
void captls_shim_free(captls_shim *sh);

/* Answers one input line as delivered by the reader (see shim_line.h: the
 * line is modified in place). Returns the answer, NUL-terminated, without
 * a newline, never NULL and never containing "\n"; *out_len is its length.
 * The answer stays valid until the next call. */
const char *captls_shim_run(captls_shim *sh, char *line, size_t len,
                            bool too_long, size_t *out_len);

/* The i-th operation name in table order, NULL past the end (for tests
 * and the usage text). */
const char *captls_shim_op_name(size_t i);

#endif
