/* port/capos/libc_shims.c — the libc the guest links instead of glibc.
 *
 * Two groups:
 *   - The string functions declared by port/capos/include/string.h, used by
 *     core/ and by gcc's own expansion of struct copies, plus the
 *     _FORTIFY_SOURCE entry points (__memcpy_chk, __memmove_chk,
 *     __memset_chk) and __stack_chk_fail, which Debian's libbearssl.a calls
 *     because it was built with fortification and the stack protector.
 *     A failed _chk or a smashed canary is a panic (exit code 0x12), never
 *     a silent overrun.
 *   - Failing stubs for the libc calls libbearssl.a names on paths the
 *     guest must not take: time() (x509_minimal.o, when no validation time
 *     is set — captls always sets one) and open/read/close/__errno_location
 *     (sysrng.o, the /dev/urandom seeder — the guest seeds from
 *     port/capos/entropy.c). time() returns -1, which BearSSL turns into a
 *     validation failure, and open() fails with ENOSYS, so the seeder
 *     reports failure: both paths fail closed.
 *
 * This file is compiled with -fno-tree-loop-distribute-patterns (all guest
 * code is) so gcc cannot turn these loops back into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "port/capos/trap.h"

/* Prototypes for what glibc's headers would declare (-Wmissing-prototypes
 * wants them; the guest has no such headers). Types match the x86_64 ABI
 * of the glibc originals: time_t and ssize_t are long. */
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t n, size_t dstlen);
__attribute__((noreturn)) void __stack_chk_fail(void);
long time(long *t);
int open(const char *path, int flags, ...);
long read(int fd, void *buf, size_t n);
int close(int fd);
int *__errno_location(void);

#define ENOSYS 38 /* Linux's value, for code that inspects errno */
#define EBADF 9

/* ------------------------------------------------------------ strings */

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb"
                     : "+D"(d), "+S"(src), "+c"(n)
                     :
                     : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n) {
        __asm__ volatile("rep movsb"
                         : "+D"(d), "+S"(s), "+c"(n)
                         :
                         : "memory");
    } else {
        /* Overlap with dst above src: copy from the top down. */
        d += n - 1;
        s += n - 1;
        __asm__ volatile("std; rep movsb; cld"
                         : "+D"(d), "+S"(s), "+c"(n)
                         :
                         : "memory", "cc");
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb"
                     : "+D"(d), "+c"(n)
                     : "a"((uint8_t)c)
                     : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != q[i])
            return p[i] < q[i] ? -1 : 1;
    }
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const uint8_t *p = s;
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] == (uint8_t)c)
            return (void *)(uintptr_t)(p + i);
    }
    return NULL;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

size_t strnlen(const char *s, size_t maxlen)
{
    size_t n = 0;
    while (n < maxlen && s[n] != '\0')
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;
    while (*p != '\0' && *p == *q) {
        p++;
        q++;
    }
    return (*p > *q) - (*p < *q);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != q[i] || p[i] == '\0')
            return (p[i] > q[i]) - (p[i] < q[i]);
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)(uintptr_t)s;
        if (*s == '\0')
            return NULL;
    }
}

/* ------------------------------------------------------ fortify, SSP */

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
    if (n > dstlen)
        capos_panic("buffer overflow detected (__memcpy_chk)");
    return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
    if (n > dstlen)
        capos_panic("buffer overflow detected (__memmove_chk)");
    return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dstlen)
{
    if (n > dstlen)
        capos_panic("buffer overflow detected (__memset_chk)");
    return memset(dst, c, n);
}

void __stack_chk_fail(void)
{
    capos_panic("stack smashing detected");
}

/* ------------------------------------------------------ failing stubs */

static int guest_errno;

int *__errno_location(void)
{
    return &guest_errno;
}

long time(long *t)
{
    if (t != NULL)
        *t = -1;
    guest_errno = ENOSYS;
    return -1;
}

int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    guest_errno = ENOSYS;
    return -1;
}

long read(int fd, void *buf, size_t n)
{
    (void)fd;
    (void)buf;
    (void)n;
    guest_errno = EBADF;
    return -1;
}

int close(int fd)
{
    (void)fd;
    guest_errno = EBADF;
    return -1;
}
