/* build/captls — the command-line front end of captls on the POSIX port.
 *
 * `captls <command> [args...]`. Commands are rows of the table below; a
 * later issue adds a row (and a file beside this one for its body), not a
 * branch. Exit status: 0 success, 1 the command ran and failed (e.g. a
 * self-test case failed), 2 usage error (unknown command, bad arguments),
 * with the usage on stderr. `captls <command> --help` prints that
 * command's usage line on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "core/base/selftest.h"
#include "port/posix/captls_version.h"
#include "port/posix/cmd_acme.h"
#include "port/posix/cmd_keygen.h"
#include "port/posix/cmd_passwd.h"
#include "port/posix/cmd_store.h"
#include "port/posix/cmd_tls_client.h"
#include "port/posix/cmd_tls_server.h"
#include "port/posix/cmd_verify.h"
#include "port/posix/cmd_x509.h"
#include "port/posix/posix_port.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

typedef struct captls_command {
    const char *name;
    const char *args; /* synopsis after the name ("" for none) */
    const char *summary;
    /* argv[0] is the command name; argc >= 1. Returns an exit status. */
    int (*run)(int argc, char **argv);
} captls_command;

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_selftest(int argc, char **argv);

static const captls_command commands[] = {
    {"selftest", "", "run the power-on self-tests of the core", cmd_selftest},
    {"version", "", "print the captls and BearSSL versions", cmd_version},
    {"verify", CAPTLS_CMD_VERIFY_ARGS, CAPTLS_CMD_VERIFY_SUMMARY,
     captls_cmd_verify},
    {"x509", "show FILE [--json]",
     "print every field of the certificates in FILE (PEM or DER)",
     captls_cmd_x509},
    {"tls-server", CAPTLS_CMD_TLS_SERVER_ARGS, CAPTLS_CMD_TLS_SERVER_SUMMARY,
     captls_cmd_tls_server},
    {"tls-client", CAPTLS_CMD_TLS_CLIENT_ARGS, CAPTLS_CMD_TLS_CLIENT_SUMMARY,
     captls_cmd_tls_client},
    {"passwd", CAPTLS_CMD_PASSWD_ARGS, CAPTLS_CMD_PASSWD_SUMMARY,
     captls_cmd_passwd},
    {"store", CAPTLS_CMD_STORE_ARGS, CAPTLS_CMD_STORE_SUMMARY,
     captls_cmd_store},
    {"keygen", CAPTLS_CMD_KEYGEN_ARGS, CAPTLS_CMD_KEYGEN_SUMMARY,
     captls_cmd_keygen},
    {"acme", CAPTLS_CMD_ACME_ARGS, CAPTLS_CMD_ACME_SUMMARY, captls_cmd_acme},
    {"help", "", "list the commands", cmd_help},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *f)
{
    fprintf(f, "usage: captls <command> [args...]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char synopsis[512];
        snprintf(synopsis, sizeof(synopsis), "%s%s%s", commands[i].name,
                 commands[i].args[0] != '\0' ? " " : "", commands[i].args);
        /* A long synopsis gets its own line rather than being cut. */
        if (strlen(synopsis) > 24)
            fprintf(f, "  %s\n  %-24s %s\n", synopsis, "", commands[i].summary);
        else
            fprintf(f, "  %-24s %s\n", synopsis, commands[i].summary);
    }
    fprintf(f, "\n`captls <command> --help` shows one command's usage.\n");
}

/* `what` may be user input: it is printed sanitized. */
static int usage_error(const char *problem, const char *what)
{
    char shown[96];

    (void)captls_sanitize((const uint8_t *)what, strlen(what), shown,
                          sizeof(shown));
    fprintf(stderr, "captls: %s%s%s%s\n", problem, what[0] ? " '" : "",
            shown, what[0] ? "'" : "");
    print_usage(stderr);
    return EXIT_USAGE;
}

/* Commands without arguments share this check. */
static int no_args(int argc, char **argv)
{
    if (argc > 1)
        return usage_error("unexpected argument", argv[1]);
    return EXIT_OK;
}

/* stdout must have reached its destination for a command to succeed. */
static int finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "captls: cannot write output\n");
        return EXIT_FAILED;
    }
    return status;
}

static int cmd_help(int argc, char **argv)
{
    int rc = no_args(argc, argv);
    if (rc != EXIT_OK)
        return rc;
    print_usage(stdout);
    return finish(EXIT_OK);
}

static int cmd_version(int argc, char **argv)
{
    int rc = no_args(argc, argv);
    if (rc != EXIT_OK)
        return rc;
    printf("captls %s\n", CAPTLS_VERSION);
    printf("bearssl %s (static libbearssl.a)\n", CAPTLS_BEARSSL_VERSION);
    return finish(EXIT_OK);
}

static void selftest_line(void *ctx, const char *name, bool passed)
{
    (void)ctx;
    printf("selftest: %s %s\n", name != NULL ? name : "(unnamed)",
           passed ? "ok" : "FAIL");
}

static int cmd_selftest(int argc, char **argv)
{
    captls_selftest_report report = {NULL, selftest_line};
    captls_selftest_counts counts = {0, 0};
    int rc = no_args(argc, argv);

    if (rc != EXIT_OK)
        return rc;
    captls_selftest_all(&report, &counts);
    printf("selftest: %u passed, %u failed\n", counts.passed, counts.failed);
    return finish(counts.failed == 0 ? EXIT_OK : EXIT_FAILED);
}

int main(int argc, char **argv)
{
    const char *name;

    (void)captls_posix_crypto_from_env(); /* CAPTLS_CRYPTO=portable */
    if (argc < 2)
        return usage_error("missing command", "");
    name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const captls_command *c = &commands[i];
        if (strcmp(c->name, name) != 0)
            continue;
        if (argc == 3 && (strcmp(argv[2], "--help") == 0 ||
                          strcmp(argv[2], "-h") == 0)) {
            printf("usage: captls %s%s%s\n  %s\n", c->name,
                   c->args[0] != '\0' ? " " : "", c->args, c->summary);
            return finish(EXIT_OK);
        }
        return c->run(argc - 1, argv + 1);
    }
    return usage_error("unknown command", name);
}
