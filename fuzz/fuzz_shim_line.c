/* Fuzz harness: the captls-shim line reader, splitter and dispatch
 * (conformance/shim_line.c, conformance/shim_ops.c).
 *
 * The input is a byte stream as stdin would carry it. Properties checked
 * beyond "no crash": exactly one answer per input line (count of "\n", plus
 * one for trailing bytes without one); every answer is one line of the
 * protocol's shape ("error: ...", "valid", "invalid", "-", lowercase
 * even-length hex, or x509-verify's "ok" / "fail: <reason>"); and the answers do not depend on how the stream is cut
 * into chunks (the first byte picks a chunk size for a second pass). The
 * reader runs with a 256-byte line limit so "line too long" and its resync
 * are reached by small inputs. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/shim_line.h"
#include "conformance/shim_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT 256

typedef struct pass {
    captls_shim *sh;
    size_t lines;
    uint64_t hash; /* FNV-1a over the answers, "\n"-separated */
} pass;

static void check_answer(const char *a, size_t n)
{
    if (strlen(a) != n || memchr(a, '\n', n) != NULL || n == 0)
        abort();
    if (strncmp(a, "error: ", 7) == 0) {
        if (n == 7)
            abort();
        return;
    }
    if (strcmp(a, "valid") == 0 || strcmp(a, "invalid") == 0 ||
        strcmp(a, "-") == 0 || strcmp(a, "ok") == 0)
        return;
    if (strncmp(a, "fail: ", 6) == 0) { /* x509-verify: a FailureReason */
        if (n == 6)
            abort();
        for (size_t i = 6; i < n; i++)
            if (!((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= 'A' && a[i] <= 'Z')))
                abort();
        return;
    }
    if (n % 2 != 0)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f')))
            abort();
}

static void on_line(void *ctx, char *line, size_t len, bool too_long)
{
    pass *p = ctx;
    size_t n;
    if (len > LIMIT || line[len] != '\0' || (too_long && len != 0))
        abort();
    const char *a = captls_shim_run(p->sh, line, len, too_long, &n);
    check_answer(a, n);
    for (size_t i = 0; i <= n; i++) {
        p->hash ^= i < n ? (uint8_t)a[i] : '\n';
        p->hash *= 1099511628211u;
    }
    p->lines++;
}

static void run_pass(pass *p, const uint8_t *data, size_t size, size_t chunk)
{
    static char buf[LIMIT + 2];
    captls_shim_reader r;
    captls_shim_reader_init(&r, buf, sizeof(buf));
    p->lines = 0;
    p->hash = 14695981039346656037u;
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        captls_shim_reader_push(&r, data + off, n, on_line, p);
    }
    captls_shim_reader_end(&r, on_line, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_shim *sh;
    if (sh == NULL && (sh = captls_shim_new()) == NULL)
        abort();
    size_t expect = 0;
    for (size_t i = 0; i < size; i++)
        expect += data[i] == '\n';
    if (size > 0 && data[size - 1] != '\n')
        expect++;

    pass whole = {sh, 0, 0}, cut = {sh, 0, 0};
    run_pass(&whole, data, size, size == 0 ? 1 : size);
    run_pass(&cut, data, size, size == 0 ? 1 : (size_t)data[0] % 7 + 1);
    if (whole.lines != expect || cut.lines != expect || whole.hash != cut.hash)
        abort();
    return 0;
}
