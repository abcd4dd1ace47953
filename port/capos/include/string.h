/* port/capos/include/string.h — the freestanding <string.h> of the guest.
 *
 * Declares exactly the functions port/capos/libc_shims.c defines, with the
 * ISO C semantics; nothing else, so that `make check-core` (which compiles
 * core/ against this directory) refuses any other string function at
 * compile time instead of at guest link time. Adding a declaration here
 * means adding its definition to libc_shims.c in the same change.
 */
#ifndef CAPOS_STRING_H
#define CAPOS_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
