/* conformance/tls_bench_pki.c — see tls_bench_pki.h. */
#include "conformance/tls_bench_pki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static EVP_PKEY *keygen(tb_key_alg alg)
{
    switch (alg) {
    case TB_ED25519:
        return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    case TB_P256:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    case TB_RSA2048:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    }
    return NULL;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate for `key` named cn, signed by issuer_key (issuer NULL:
 * self-signed CA). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
                       EVP_PKEY *issuer_key, tb_key_alg alg)
{
    X509 *c = X509_new();
    BIGNUM *serial = BN_new();
    X509_NAME *name = X509_NAME_new();
    int ok = c != NULL && serial != NULL && name != NULL &&
             X509_set_version(c, 2) &&
             BN_rand(serial, 63, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
             BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(c)) != NULL &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                        (const unsigned char *)"captls bench", -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)cn, -1, -1, 0) &&
             X509_set_subject_name(c, name) &&
             X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name) &&
             X509_gmtime_adj(X509_getm_notBefore(c), -86400L) != NULL &&
             X509_gmtime_adj(X509_getm_notAfter(c), 30L * 86400L) != NULL &&
             X509_set_pubkey(c, key);
    if (ok && issuer == NULL)
        ok = add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(c, c, NID_subject_key_identifier, "hash");
    else if (ok)
        ok = add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(c, issuer, NID_key_usage, "critical,digitalSignature") &&
             add_ext(c, issuer, NID_ext_key_usage, "serverAuth") &&
             add_ext(c, issuer, NID_subject_alt_name, "DNS:" TB_PKI_HOST) &&
             add_ext(c, issuer, NID_subject_key_identifier, "hash") &&
             add_ext(c, issuer, NID_authority_key_identifier, "keyid:always");
    /* Ed25519 signs the message itself (no digest); the others SHA-256
     * (RSA: PKCS#1 v1.5, the usual certificate signature). */
    if (ok)
        ok = X509_sign(c, issuer_key, alg == TB_ED25519 ? NULL : EVP_sha256()) > 0;
    BN_free(serial);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(c);
        return NULL;
    }
    return c;
}

static char *path_join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

static int write_cert(const char *path, X509 *c)
{
    FILE *f = fopen(path, "w");
    int ok = f != NULL && PEM_write_X509(f, c);
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok;
}

static int write_key(const char *path, EVP_PKEY *k)
{
    FILE *f = fopen(path, "w");
    int ok = f != NULL && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok;
}

static const char *const alg_names[3] = {"ed25519", "ecdsa_p256", "rsa2048"};

int tb_pki_make(const char *dir, tb_key_alg alg, tb_pki *out)
{
    memset(out, 0, sizeof(*out));
    out->alg = alg;
    out->name = alg_names[alg];
    EVP_PKEY *ca_key = keygen(alg), *leaf_key = keygen(alg);
    X509 *ca = ca_key ? make_cert(ca_key, "captls bench CA", NULL, ca_key, alg) : NULL;
    X509 *leaf = ca && leaf_key ? make_cert(leaf_key, TB_PKI_HOST, ca, ca_key, alg) : NULL;
    out->ca_pem = path_join(dir, out->name, "-ca.pem");
    out->leaf_pem = path_join(dir, out->name, "-leaf.pem");
    out->key_pem = path_join(dir, out->name, "-key.pem");
    int ok = leaf != NULL && out->ca_pem && out->leaf_pem && out->key_pem &&
             write_cert(out->ca_pem, ca) && write_cert(out->leaf_pem, leaf) &&
             write_key(out->key_pem, leaf_key);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(ca_key);
    if (!ok) {
        fprintf(stderr, "captls-tls-bench: cannot make the %s keys and certificates "
                        "in %s\n", out->name, dir);
        tb_pki_free(out);
        return -1;
    }
    return 0;
}

void tb_pki_free(tb_pki *p)
{
    free(p->ca_pem);
    free(p->leaf_pem);
    free(p->key_pem);
    p->ca_pem = p->leaf_pem = p->key_pem = NULL;
}

unsigned char *tb_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        *len = (size_t)n;
        fclose(f);
        return buf;
    }
    if (f != NULL)
        fclose(f);
    free(buf);
    fprintf(stderr, "captls-tls-bench: cannot read %s\n", path);
    return NULL;
}
