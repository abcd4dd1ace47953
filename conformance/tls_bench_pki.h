/* conformance/tls_bench_pki.h — the keys and certificates of the TLS bench
 * (captls-tls-bench), made at start with OpenSSL's C API and written as
 * PEM files that both stacks then load through their normal paths.
 *
 * Contract. tb_pki_make() generates, for one key algorithm, a CA key and a
 * self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign, SKI)
 * and a leaf key with a certificate signed by that CA (SAN
 * DNS:TB_PKI_HOST, EKU serverAuth, digitalSignature, AKI/SKI), valid from
 * one day ago for 30 days. The CA and the leaf use the same algorithm, so
 * the client's chain check and the server's CertificateVerify cost the
 * same primitive. Files written under `dir` (which must exist):
 * <name>-ca.pem, <name>-leaf.pem (the chain the server sends: the leaf
 * alone), <name>-key.pem (the leaf's PKCS#8 private key). Paths are
 * returned in *out (malloc'd strings, freed by tb_pki_free). Returns 0, or
 * -1 with a message on stderr. Host-only: uses OpenSSL and stdio; nothing
 * here is meant for core/.
 */
#ifndef CAPTLS_CONFORMANCE_TLS_BENCH_PKI_H
#define CAPTLS_CONFORMANCE_TLS_BENCH_PKI_H

#include <stddef.h>

#define TB_PKI_HOST "bench.captls.test"

typedef enum tb_key_alg {
    TB_ED25519 = 0,
    TB_P256 = 1,
    TB_RSA2048 = 2,
} tb_key_alg;

typedef struct tb_pki {
    tb_key_alg alg;
    const char *name;   /* "ed25519", "ecdsa_p256", "rsa2048" */
    char *ca_pem;       /* path of the CA certificate (the trust anchor) */
    char *leaf_pem;     /* path of the leaf certificate (the chain sent) */
    char *key_pem;      /* path of the leaf's private key (PKCS#8 PEM) */
} tb_pki;

int tb_pki_make(const char *dir, tb_key_alg alg, tb_pki *out);
void tb_pki_free(tb_pki *p);
/* The file's bytes (malloc'd, NUL-terminated; *len excludes the NUL), or
 * NULL with a message on stderr. */
unsigned char *tb_read_file(const char *path, size_t *len);

#endif
