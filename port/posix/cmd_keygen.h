/* port/posix/cmd_keygen.h — `captls keygen --type T --out KEY.pem`: a
 * DEVELOPMENT key file (PKCS#8 "PRIVATE KEY" PEM, created 0600, never over
 * an existing file) for the development KeySource (`--key KEY.pem`).
 * Types: ed25519, p256, rsa2048, rsa3072, rsa4096. Key material is drawn
 * only from the entropy capability (getrandom); RSA uses BearSSL's keygen
 * through core/crypto/rsa.h (seconds for 4096 bits). This program writes a
 * private key to a file by design: it is how development keys are made;
 * the KeyVault (core/keys) itself has no export. Prints "KEY.pem: TYPE".
 * Exit 0; 1 when the
 * file exists or cannot be written, or entropy fails; 2 for usage. */
#ifndef CAPTLS_PORT_POSIX_CMD_KEYGEN_H
#define CAPTLS_PORT_POSIX_CMD_KEYGEN_H

#define CAPTLS_CMD_KEYGEN_ARGS                                               \
    "--type ed25519|p256|rsa2048|rsa3072|rsa4096 --out KEY.pem"
#define CAPTLS_CMD_KEYGEN_SUMMARY "make a development private key (PKCS#8)"

#include <stdbool.h>
#include <stddef.h>

int captls_cmd_keygen(int argc, char **argv);
/* The same key file made for another command (`captls acme` creates its
 * missing keys): type as --type (checked by the caller), O_EXCL. false
 * with one line in err. */
bool captls_keygen_write(const char *type, const char *out, char *err,
                         size_t errcap);

#endif
