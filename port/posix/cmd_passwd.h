/* port/posix/cmd_passwd.h — `captls passwd`: make one --users line.
 *
 *   captls passwd [--iterations N] NAME
 *
 * Reads the password from standard input. On a terminal it prompts
 * "Password: " and "Retype password: " on stderr with echo turned off
 * (termios; restored on every exit path, including a signal-free error)
 * and refuses when the two differ; otherwise it reads one line (the
 * trailing "\n" or "\r\n" is not part of the password; a password that
 * is not followed by a newline is taken as is). An empty password and a
 * password longer than 1024 bytes are refused.
 * Prints "NAME:pbkdf2-sha256$ITERATIONS$SALT$HASH\n" on stdout (the
 * format of core/gateway/credential_store.h) with a fresh 16-byte salt
 * from getrandom(2) and ITERATIONS = 600,000 unless --iterations gives
 * another value (at least 100,000, at most 100,000,000).
 * Exit status: 0 ok, 1 failure (no password, mismatch, entropy failure),
 * 2 usage (bad NAME, bad --iterations). The password is wiped from memory
 * before exit and never printed.
 */
#ifndef CAPTLS_PORT_POSIX_CMD_PASSWD_H
#define CAPTLS_PORT_POSIX_CMD_PASSWD_H

#define CAPTLS_CMD_PASSWD_ARGS "[--iterations N] NAME"
#define CAPTLS_CMD_PASSWD_SUMMARY                                             \
    "read a password on stdin (no echo on a terminal) and print one "       \
    "--users line NAME:pbkdf2-sha256$..."

/* argv[0] is "passwd". Returns the exit status. */
int captls_cmd_passwd(int argc, char **argv);

#endif
