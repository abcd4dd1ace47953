/* core/base/ct.h — constant-time comparison and secret wiping.
 *
 * Contract: both functions take caller-owned memory and keep no pointer.
 * captls_ct_equal() reads exactly `len` bytes of each buffer whatever their
 * contents: its running time depends on `len` only, never on where (or
 * whether) the buffers differ. `len` itself is public. It cannot fail; with
 * len == 0 it returns true (NULL pointers are then allowed).
 * captls_zeroize() writes `len` zero bytes through a volatile pointer and ends
 * with a compiler barrier, so the store survives dead-store elimination even
 * when the buffer is about to go out of scope. It does NOT reach copies the
 * compiler spilled to registers or other stack slots, nor pages swapped out.
 * Both are freestanding (no libc beyond the core's allowed set).
 */
#ifndef CAPTLS_BASE_CT_H
#define CAPTLS_BASE_CT_H

#include <stdbool.h>
#include <stddef.h>

/* True iff the first len bytes of a and b are equal; constant time in len. */
bool captls_ct_equal(const void *a, const void *b, size_t len);

/* Sets len bytes at p to zero; never optimised away. p may be NULL if
 * len == 0. */
void captls_zeroize(void *p, size_t len);

#endif
