/* `captls keygen`. See cmd_keygen.h. */
#define _GNU_SOURCE
#include "port/posix/cmd_keygen.h"

#include <bearssl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/ct.h"
#include "core/base/pem.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/rsa.h"
#include "port/posix/posix_port.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* RFC 8410 §7: PrivateKeyInfo for Ed25519, the 32-byte seed appended. */
static const uint8_t ED25519_PREFIX[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30,
                                           0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
                                           0x04, 0x22, 0x04, 0x20};
/* RFC 5208 + RFC 5915: PrivateKeyInfo { v0, id-ecPublicKey prime256v1,
 * ECPrivateKey { 1, d (32), [1] publicKey (65) } }. */
static const uint8_t P256_PREFIX[36] = {
    0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,
    0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20};
static const uint8_t P256_MID[5] = {0xa1, 0x44, 0x03, 0x42, 0x00};

static int usage_error(const char *what)
{
    fprintf(stderr, "error: %s\nusage: captls keygen %s\n", what,
            CAPTLS_CMD_KEYGEN_ARGS);
    return EXIT_USAGE;
}

/* PKCS#8 DER of a new key into der (cap 3000); returns its length, 0 on
 * failure (entropy). */
static size_t make_der(const char *type, captls_entropy e, uint8_t *der)
{
    if (strcmp(type, "ed25519") == 0) {
        memcpy(der, ED25519_PREFIX, 16);
        return e.fill(e.ctx, der + 16, 32) == CAPTLS_OK ? 48 : 0;
    }
    if (strcmp(type, "p256") == 0) {
        uint8_t d[32], q[65];
        for (int tries = 0; tries < 16; tries++) {
            if (e.fill(e.ctx, d, 32) != CAPTLS_OK)
                return 0;
            if (captls_ecdsa_p256_public(d, q) == CAPTLS_OK) {
                memcpy(der, P256_PREFIX, 36);
                memcpy(der + 36, d, 32);
                memcpy(der + 68, P256_MID, 5);
                memcpy(der + 73, q, 65);
                captls_zeroize(d, sizeof d);
                return 138;
            }
        }
        captls_zeroize(d, sizeof d);
        return 0;
    }
    unsigned bits = strcmp(type, "rsa2048") == 0   ? 2048
                    : strcmp(type, "rsa3072") == 0 ? 3072
                                                   : 4096;
    captls_rsa_private_key k;
    uint8_t dexp[512];
    size_t n = 0;
    if (captls_rsa_keygen(&k, bits, e) != CAPTLS_OK)
        return 0;
    br_rsa_private_key sk = {k.pub.bits, k.p, k.p_len, k.q, k.q_len,
                             k.dp, k.dp_len, k.dq, k.dq_len, k.iq, k.iq_len};
    br_rsa_public_key pk = {k.pub.n, k.pub.n_len, k.pub.e, k.pub.e_len};
    size_t dlen = br_rsa_compute_privexp_get_default()(dexp, &sk, 65537);
    if (dlen != 0 &&
        br_encode_rsa_pkcs8_der(NULL, &sk, &pk, dexp, dlen) <= 3000)
        n = br_encode_rsa_pkcs8_der(der, &sk, &pk, dexp, dlen);
    captls_zeroize(dexp, sizeof dexp);
    captls_zeroize(&sk, sizeof sk);
    captls_rsa_private_key_destroy(&k);
    return n;
}

bool captls_keygen_write(const char *type, const char *out, char *err,
                         size_t errcap)
{
    captls_posix_entropy_ctx ectx;
    captls_entropy e;
    uint8_t der[3000];
    char pem[4200];
    size_t n, plen = 0;
    int fd;

    captls_posix_entropy_init(&ectx, &e);
    n = make_der(type, e, der);
    if (n == 0 || captls_pem_encode("PRIVATE KEY", der, n, pem, sizeof pem,
                                    &plen) != CAPTLS_OK) {
        captls_zeroize(der, sizeof der);
        snprintf(err, errcap, "key generation failed (entropy)");
        return false;
    }
    captls_zeroize(der, sizeof der);
    fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        captls_zeroize(pem, sizeof pem);
        snprintf(err, errcap, "%s: %s", out, strerror(errno));
        return false;
    }
    bool ok = write(fd, pem, plen) == (ssize_t)plen && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    captls_zeroize(pem, sizeof pem);
    if (!ok) {
        unlink(out);
        snprintf(err, errcap, "%s: cannot write", out);
    }
    return ok;
}

int captls_cmd_keygen(int argc, char **argv)
{
    const char *type = NULL, *out = NULL;
    static const char *types[] = {"ed25519", "p256", "rsa2048", "rsa3072",
                                  "rsa4096"};
    bool known = false;
    char err[512];

    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--type") == 0)
            type = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--out") == 0)
            out = argv[++i];
        else
            return usage_error("unknown or incomplete option");
    }
    if (type == NULL || out == NULL)
        return usage_error(type == NULL ? "missing --type" : "missing --out");
    for (size_t i = 0; i < 5; i++)
        known = known || strcmp(type, types[i]) == 0;
    if (!known)
        return usage_error("unknown --type");
    if (!captls_keygen_write(type, out, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_FAIL;
    }
    printf("%s: %s\n", out, type);
    return EXIT_OK;
}
