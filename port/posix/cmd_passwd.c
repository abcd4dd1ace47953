/* port/posix/cmd_passwd.c — `captls passwd`. See cmd_passwd.h. */
#include "port/posix/cmd_passwd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/base/ct.h"
#include "core/gateway/credential_store.h"
#include "port/posix/posix_port.h"

#define PASSWORD_MAX 1024

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static int usage(const char *why)
{
    fprintf(stderr, "captls passwd: %s\nusage: captls passwd %s\n", why,
            CAPTLS_CMD_PASSWD_ARGS);
    return EXIT_USAGE;
}

/* Reads one line from fd 0 byte by byte (no stdio buffer keeps a copy).
 * Returns the length, or -1 on EOF before any byte, -2 if too long. */
static long read_line(char *buf, size_t cap)
{
    size_t n = 0;
    bool any = false;
    for (;;) {
        char c;
        ssize_t r = read(0, &c, 1);
        if (r <= 0)
            break;
        any = true;
        if (c == '\n')
            break;
        if (n + 1 >= cap) {
            /* drain the rest of the line, then refuse */
            while (read(0, &c, 1) == 1 && c != '\n')
                ;
            return -2;
        }
        buf[n++] = c;
    }
    if (!any)
        return -1;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    return (long)n;
}

/* Prompts and reads with echo off when stdin is a terminal. */
static long ask(const char *prompt, char *buf, size_t cap, bool tty)
{
    struct termios old, quiet;
    long n;
    if (!tty)
        return read_line(buf, cap);
    if (tcgetattr(0, &old) != 0)
        return read_line(buf, cap);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    fputs(prompt, stderr);
    fflush(stderr);
    (void)tcsetattr(0, TCSAFLUSH, &quiet);
    n = read_line(buf, cap);
    (void)tcsetattr(0, TCSAFLUSH, &old);
    return n;
}

int captls_cmd_passwd(int argc, char **argv)
{
    static char pw[PASSWORD_MAX + 2], pw2[PASSWORD_MAX + 2];
    const char *name = NULL;
    uint32_t iterations = CAPTLS_CRED_DEFAULT_ITERATIONS;
    uint8_t salt[CAPTLS_CRED_SALT_DEFAULT];
    captls_posix_entropy_ctx ectx;
    captls_entropy ent;
    captls_user_record rec;
    char line[CAPTLS_CRED_LINE_MAX + 1];
    size_t len;
    long n, n2;
    bool tty = isatty(0) == 1;
    int rc = EXIT_FAILED;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*argv[i] == '\0' || *end != '\0' || argv[i][0] == '-' ||
                v < CAPTLS_CRED_MIN_ITERATIONS || v > CAPTLS_CRED_MAX_ITERATIONS)
                return usage("--iterations must be 100000..100000000");
            iterations = (uint32_t)v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return usage("unknown option");
        } else if (name == NULL) {
            name = argv[i];
        } else {
            return usage("one NAME only");
        }
    }
    if (name == NULL)
        return usage("missing NAME");
    if (!captls_user_name_valid(name, strlen(name)))
        return usage("NAME must be 1..32 bytes of A-Z a-z 0-9 . _ - "
                     "(not starting with . or -)");

    n = ask("Password: ", pw, sizeof pw, tty);
    if (n == -2 || n > PASSWORD_MAX) {
        fprintf(stderr, "captls passwd: password longer than %d bytes\n", PASSWORD_MAX);
        goto out;
    }
    if (n <= 0) {
        fprintf(stderr, "captls passwd: empty password refused\n");
        goto out;
    }
    if (tty) {
        n2 = ask("Retype password: ", pw2, sizeof pw2, tty);
        if (n2 != n || !captls_ct_equal(pw, pw2, (size_t)n)) {
            fprintf(stderr, "captls passwd: passwords do not match\n");
            goto out;
        }
    }
    captls_posix_entropy_init(&ectx, &ent);
    if (ent.fill(ent.ctx, salt, sizeof salt) != CAPTLS_OK) {
        fprintf(stderr, "captls passwd: no entropy for the salt\n");
        goto out;
    }
    if (captls_user_record_make(&rec, name, strlen(name), (const uint8_t *)pw,
                                (size_t)n, salt, sizeof salt, iterations) != CAPTLS_OK ||
        captls_user_record_format(&rec, line, sizeof line, &len) != CAPTLS_OK) {
        fprintf(stderr, "captls passwd: cannot derive the hash\n");
        goto out;
    }
    printf("%s\n", line);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "captls passwd: cannot write output\n");
        goto out;
    }
    rc = EXIT_OK;
out:
    captls_zeroize(pw, sizeof pw);
    captls_zeroize(pw2, sizeof pw2);
    captls_zeroize(&rec, sizeof rec);
    return rc;
}
