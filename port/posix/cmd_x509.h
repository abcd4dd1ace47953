/* port/posix/cmd_x509.h — `captls x509 show FILE [--json]`.
 *
 * Reads FILE (PEM with one or more CERTIFICATE blocks — other labels are
 * skipped — or one DER certificate), parses every certificate with
 * core/x509 and prints every parsed field, readably (like `openssl x509
 * -text`) or as one JSON document (an array, one object per certificate).
 * All text taken from certificates is escaped (core/x509/name_text.h) and,
 * in JSON, JSON-escaped on top. Exit 0; 2 with "error: FILE: certificate N:
 * <result> at byte X: <reason>" on stderr (nothing on stdout) for an
 * unreadable file or any malformed certificate; 2 with usage for bad
 * arguments. */
#ifndef CAPTLS_PORT_POSIX_CMD_X509_H
#define CAPTLS_PORT_POSIX_CMD_X509_H

/* argv[0] is "x509". Returns the exit status. */
int captls_cmd_x509(int argc, char **argv);

#endif
