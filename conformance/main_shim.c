/* captls-shim: the conformance line protocol on stdin/stdout (see
 * conformance/SHIM.md). One answer line per input line, flushed as soon as
 * it is written so a driver can interleave requests and answers. Links
 * captls only (never OpenSSL). CAPTLS_CRYPTO picks the dispatch tier as in
 * every captls program (port/posix/posix_port.h). Exit status: 0 at end of input, 1 when
 * stdout fails or memory runs out, 2 on a usage error. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance/shim_line.h"
#include "conformance/shim_ops.h"
#include "port/posix/posix_port.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: captls-shim < requests > answers\n"
               "  one operation per line, one answer per line; "
               "see conformance/SHIM.md\n  operations:");
    for (size_t i = 0; captls_shim_op_name(i) != NULL; i++)
        fprintf(f, " %s", captls_shim_op_name(i));
    fprintf(f, "\n");
}

typedef struct out_state {
    captls_shim *sh;
    int failed;
} out_state;

static void on_line(void *ctx, char *line, size_t len, bool too_long)
{
    out_state *st = ctx;
    size_t n;
    const char *ans = captls_shim_run(st->sh, line, len, too_long, &n);
    if (st->failed)
        return;
    if (fwrite(ans, 1, n, stdout) != n || fputc('\n', stdout) == EOF ||
        fflush(stdout) != 0)
        st->failed = 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is a write error, not death */
    /* CAPTLS_CRYPTO=portable|no-avx512: drivers run every dispatch tier */
    (void)captls_posix_crypto_from_env();
    static char linebuf[CAPTLS_SHIM_READER_BUF];
    static uint8_t chunk[65536];
    captls_shim_reader r;
    out_state st = {captls_shim_new(), 0};
    if (st.sh == NULL) {
        fprintf(stderr, "captls-shim: out of memory\n");
        return 1;
    }
    captls_shim_reader_init(&r, linebuf, sizeof(linebuf));
    for (;;) {
        /* read(2), not stdio: return whatever a driver has sent so far */
        ssize_t got = read(0, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            fprintf(stderr, "captls-shim: read: %s\n", strerror(errno));
            break;
        }
        if (got == 0)
            break;
        captls_shim_reader_push(&r, chunk, (size_t)got, on_line, &st);
        if (st.failed)
            break;
    }
    captls_shim_reader_end(&r, on_line, &st);
    captls_shim_free(st.sh);
    if (st.failed) {
        fprintf(stderr, "captls-shim: cannot write answers\n");
        return 1;
    }
    return 0;
}
