/* Unit tests of core/keys/key_vault.c: generation (Ed25519, P-256,
 * RSA-2048) with signatures checked by OpenSSL from the exported SPKI;
 * purpose scoping (every cross-purpose sign refused and audited);
 * attenuation and escalation; destroy revokes every derived handle and
 * zeroizes the slot; entropy failure fails closed; the development
 * KeySource (imports in the development profile, refused and audited in
 * production); bad names, unknown names, duplicate names, a full vault,
 * vault rights; the TLS signer adapter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "core/cap/audit.h"
#include "core/crypto/sig_scheme.h"
#include "core/keys/key_vault.h"

#define VAULT_ID 1
#define APP 2
#define OTHER 3

typedef struct {
    int fail; /* nonzero: every draw fails */
    int draws;
} rng_ctx;

static captls_result rng_fill(void *ctx, uint8_t *out, size_t len)
{
    rng_ctx *c = ctx;
    if (c->fail)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    c->draws++;
    return RAND_bytes(out, (int)len) == 1 ? CAPTLS_OK
                                          : CAPTLS_ERR_ENTROPY_FAILURE;
}

typedef struct {
    captls_audit_record recs[64];
    int n;
} audit_log;

static captls_result audit_append(void *ctx, const captls_audit_record *rec)
{
    audit_log *a = ctx;
    if (a->n < 64)
        a->recs[a->n++] = *rec;
    return CAPTLS_OK;
}

static int count_event(const audit_log *a, const char *event)
{
    int n = 0;
    for (int i = 0; i < a->n; i++)
        n += strcmp(a->recs[i].event, event) == 0;
    return n;
}

typedef struct {
    captls_cap_slot slots[64];
    captls_cap_table caps;
    captls_vault_key keys[4];
    captls_key_vault v;
    rng_ctx rng;
    audit_log log;
    captls_cap_handle vh; /* APP's vault handle, all rights */
} fixture;

static fixture *make(captls_key_profile profile)
{
    fixture *f = calloc(1, sizeof *f);
    captls_clock clock = {0};
    captls_entropy e = {&f->rng, rng_fill};
    captls_audit_sink sink = {&f->log, audit_append};
    assert_int_equal(captls_cap_table_init(&f->caps, f->slots, 64), CAPTLS_OK);
    assert_int_equal(captls_key_vault_init(&f->v, &f->caps, VAULT_ID, f->keys,
                                           4, e, profile, clock, sink),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_mint(&f->v, APP, CAPTLS_RIGHTS_ALL,
                                           &f->vh),
                     CAPTLS_OK);
    return f;
}

static void done(fixture *f)
{
    captls_key_vault_fini(&f->v);
    static const uint8_t zero[sizeof f->keys];
    assert_memory_equal(f->keys, zero, sizeof zero);
    free(f);
}

/* OpenSSL verifies sig over msg under the SPKI the vault exported. */
static int ossl_verify(const uint8_t *spki, size_t spki_len, uint16_t scheme,
                       const uint8_t *msg, size_t len, const uint8_t *sig,
                       size_t sl)
{
    const unsigned char *p = spki;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)spki_len);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    const EVP_MD *md = NULL;
    assert_non_null(k);
    switch (scheme) {
    case CAPTLS_SIG_ECDSA_SECP256R1_SHA256:
    case CAPTLS_SIG_RSA_PSS_RSAE_SHA256:
    case CAPTLS_SIG_RSA_PKCS1_SHA256: md = EVP_sha256(); break;
    case CAPTLS_SIG_RSA_PKCS1_SHA384: md = EVP_sha384(); break;
    default: break;
    }
    assert_int_equal(EVP_DigestVerifyInit(c, &pc, md, NULL, k), 1);
    if (scheme == CAPTLS_SIG_RSA_PSS_RSAE_SHA256) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc,
                                                      RSA_PKCS1_PSS_PADDING),
                         1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 32), 1);
    }
    int r = EVP_DigestVerify(c, sig, sl, msg, len);
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return r;
}

static void sign_and_check(fixture *f, captls_cap_handle key,
                           captls_key_purpose purpose, uint16_t scheme)
{
    uint8_t spki[CAPTLS_KEY_SPKI_MAX], sig[CAPTLS_KEY_SIG_MAX];
    size_t spki_len = 0, sl = 0;
    static const uint8_t msg[] = "message to sign";
    assert_int_equal(captls_private_key_public_key(&f->v, APP, key, spki,
                                               sizeof spki, &spki_len),
                     CAPTLS_OK);
    assert_int_equal(captls_private_key_sign(&f->v, APP, key, purpose, scheme,
                                             msg, sizeof msg, sig, sizeof sig,
                                             &sl),
                     CAPTLS_OK);
    assert_int_equal(ossl_verify(spki, spki_len, scheme, msg, sizeof msg, sig,
                                 sl),
                     1);
    assert_int_equal(captls_public_key_verify(spki, spki_len, scheme, msg,
                                              sizeof msg, sig, sl),
                     CAPTLS_OK);
    sig[sl - 1] ^= 1;
    assert_int_not_equal(ossl_verify(spki, spki_len, scheme, msg, sizeof msg,
                                     sig, sl),
                         1);
    assert_int_not_equal(captls_public_key_verify(spki, spki_len, scheme, msg,
                                                  sizeof msg, sig, sl),
                         CAPTLS_OK);
}

static void test_generate_sign_verify(void **state)
{
    (void)state;
    fixture *f = make(CAPTLS_KEY_PROFILE_DEVELOPMENT);
    captls_cap_handle ed, ec, rsa;
    captls_key_info info;
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_TLS, "ed",
                                               &ed),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_P256,
                                               CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                                               "acct", &ec),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_RSA2048,
                                               CAPTLS_KEY_PURPOSE_CA_ISSUING,
                                               "ca", &rsa),
                     CAPTLS_OK);
    sign_and_check(f, ed, CAPTLS_KEY_PURPOSE_TLS, CAPTLS_SIG_ED25519);
    sign_and_check(f, ec, CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                   CAPTLS_SIG_ECDSA_SECP256R1_SHA256);
    sign_and_check(f, rsa, CAPTLS_KEY_PURPOSE_CA_ISSUING,
                   CAPTLS_SIG_RSA_PSS_RSAE_SHA256);
    sign_and_check(f, rsa, CAPTLS_KEY_PURPOSE_CA_ISSUING,
                   CAPTLS_SIG_RSA_PKCS1_SHA256);
    sign_and_check(f, rsa, CAPTLS_KEY_PURPOSE_CA_ISSUING,
                   CAPTLS_SIG_RSA_PKCS1_SHA384);
    assert_int_equal(captls_private_key_algorithm(&f->v, APP, rsa, &info),
                     CAPTLS_OK);
    assert_int_equal(info.type, CAPTLS_KEY_RSA);
    assert_int_equal(info.bits, 2048);
    assert_int_equal(info.purpose, CAPTLS_KEY_PURPOSE_CA_ISSUING);
    assert_string_equal(info.name, "ca");
    /* a scheme the key type cannot make */
    uint8_t sig[600];
    size_t sl = 0;
    assert_int_equal(captls_private_key_sign(&f->v, APP, ed,
                                             CAPTLS_KEY_PURPOSE_TLS,
                                             CAPTLS_SIG_RSA_PSS_RSAE_SHA256,
                                             sig, 4, sig, sizeof sig, &sl),
                     CAPTLS_ERR_UNSUPPORTED);
    /* PKCS#1 v1.5 is never made by a tls key (nor by a non-RSA key) */
    captls_cap_handle rtls;
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_RSA2048,
                                               CAPTLS_KEY_PURPOSE_TLS, "rtls",
                                               &rtls),
                     CAPTLS_OK);
    sign_and_check(f, rtls, CAPTLS_KEY_PURPOSE_TLS,
                   CAPTLS_SIG_RSA_PSS_RSAE_SHA256);
    assert_int_equal(captls_private_key_sign(&f->v, APP, rtls,
                                             CAPTLS_KEY_PURPOSE_TLS,
                                             CAPTLS_SIG_RSA_PKCS1_SHA256, sig,
                                             4, sig, sizeof sig, &sl),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_key_vault_destroy(&f->v, APP, f->vh, "rtls"),
                     CAPTLS_OK);
    /* list */
    char names[4][CAPTLS_KEY_NAME_MAX];
    size_t n = 0;
    assert_int_equal(captls_key_vault_list(&f->v, APP, f->vh, names, 4, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "ed");
    assert_string_equal(names[1], "acct");
    assert_string_equal(names[2], "ca");
    assert_int_equal(captls_key_vault_list(&f->v, APP, f->vh, names, 2, &n),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(n, 3);
    assert_int_equal(count_event(&f->log, "key.generate"), 4);
    done(f);
}

static void test_purpose_scoping(void **state)
{
    (void)state;
    fixture *f = make(CAPTLS_KEY_PROFILE_DEVELOPMENT);
    captls_cap_handle acct, tls;
    uint8_t sig[128];
    size_t sl = 99;
    static const uint8_t msg[] = "jws signing input";
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_P256,
                                               CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                                               "acct", &acct),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_P256,
                                               CAPTLS_KEY_PURPOSE_TLS, "tls",
                                               &tls),
                     CAPTLS_OK);
    /* an ACME account key cannot produce a TLS CertificateVerify */
    memset(sig, 0xAB, sizeof sig);
    for (int p = 0; p <= 5; p++) {
        if (p == CAPTLS_KEY_PURPOSE_ACME_ACCOUNT)
            continue;
        assert_int_equal(captls_private_key_sign(
                             &f->v, APP, acct, (captls_key_purpose)p,
                             CAPTLS_SIG_ECDSA_SECP256R1_SHA256, msg,
                             sizeof msg, sig, sizeof sig, &sl),
                         CAPTLS_ERR_NO_AUTHORITY);
    }
    /* a TLS key cannot sign a JWS */
    assert_int_equal(captls_private_key_sign(
                         &f->v, APP, tls, CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                         CAPTLS_SIG_ECDSA_SECP256R1_SHA256, msg, sizeof msg,
                         sig, sizeof sig, &sl),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(sl, 99);
    for (size_t i = 0; i < sizeof sig; i++)
        assert_int_equal(sig[i], 0xAB);
    assert_int_equal(count_event(&f->log, "key.sign.refused"), 6);
    /* the TLS engine's signer refuses a non-tls key up front */
    captls_private_key_tls_ctx ctx;
    captls_tls_signer s;
    assert_int_equal(captls_private_key_tls_signer(&f->v, APP, acct, &ctx, &s),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_null(s.sign);
    assert_int_equal(count_event(&f->log, "key.sign.refused"), 7);
    /* and works over a tls key */
    assert_int_equal(captls_private_key_tls_signer(&f->v, APP, tls, &ctx, &s),
                     CAPTLS_OK);
    assert_int_equal(s.scheme_count, 1);
    assert_int_equal(s.schemes[0], CAPTLS_SIG_ECDSA_SECP256R1_SHA256);
    assert_int_equal(s.sign(s.ctx, s.schemes[0], msg, sizeof msg, sig,
                            sizeof sig, &sl),
                     CAPTLS_OK);
    /* destroyed: the next handshake's sign fails cleanly */
    assert_int_equal(captls_key_vault_destroy(&f->v, APP, f->vh, "tls"),
                     CAPTLS_OK);
    assert_int_equal(s.sign(s.ctx, s.schemes[0], msg, sizeof msg, sig,
                            sizeof sig, &sl),
                     CAPTLS_ERR_STALE_HANDLE);
    done(f);
}

static void test_attenuation_and_confinement(void **state)
{
    (void)state;
    fixture *f = make(CAPTLS_KEY_PROFILE_DEVELOPMENT);
    captls_cap_handle k, sign_only, info_only, other, esc;
    uint8_t buf[600];
    size_t n = 0;
    captls_key_info info;
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_TLS, "k",
                                               &k),
                     CAPTLS_OK);
    assert_int_equal(captls_private_key_attenuate(&f->v, APP, k,
                                                  CAPTLS_KEY_RIGHT_SIGN,
                                                  &sign_only),
                     CAPTLS_OK);
    assert_int_equal(captls_private_key_attenuate(&f->v, APP, k,
                                                  CAPTLS_RIGHT_CALL,
                                                  &info_only),
                     CAPTLS_OK);
    /* sign-only: signs, nothing else, cannot derive further */
    assert_int_equal(captls_private_key_sign(&f->v, APP, sign_only,
                                             CAPTLS_KEY_PURPOSE_TLS,
                                             CAPTLS_SIG_ED25519, buf, 3, buf,
                                             sizeof buf, &n),
                     CAPTLS_OK);
    assert_int_equal(captls_private_key_public_key(&f->v, APP, sign_only, buf,
                                               sizeof buf, &n),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_private_key_algorithm(&f->v, APP, sign_only,
                                                  &info),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_private_key_attenuate(&f->v, APP, sign_only,
                                                  CAPTLS_KEY_RIGHT_SIGN, &esc),
                     CAPTLS_ERR_NO_AUTHORITY);
    /* info-only: public key, no signature, no escalation */
    assert_int_equal(captls_private_key_public_key(&f->v, APP, info_only, buf,
                                               sizeof buf, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 44); /* Ed25519 SPKI */
    assert_int_equal(captls_private_key_sign(&f->v, APP, info_only,
                                             CAPTLS_KEY_PURPOSE_TLS,
                                             CAPTLS_SIG_ED25519, buf, 3, buf,
                                             sizeof buf, &n),
                     CAPTLS_ERR_NO_AUTHORITY);
    /* another service presenting APP's handle is refused */
    assert_int_equal(captls_private_key_sign(&f->v, OTHER, k,
                                             CAPTLS_KEY_PURPOSE_TLS,
                                             CAPTLS_SIG_ED25519, buf, 3, buf,
                                             sizeof buf, &n),
                     CAPTLS_ERR_BAD_HANDLE);
    /* a vault handle is not a key handle and vice versa */
    assert_int_equal(captls_private_key_public_key(&f->v, APP, f->vh, buf,
                                               sizeof buf, &n),
                     CAPTLS_ERR_WRONG_INTERFACE);
    assert_int_equal(captls_key_vault_destroy(&f->v, APP, k, "k"),
                     CAPTLS_ERR_WRONG_INTERFACE);
    /* a read-only vault handle cannot generate or destroy */
    captls_cap_handle ro;
    assert_int_equal(captls_key_vault_mint(&f->v, OTHER, CAPTLS_RIGHT_CALL,
                                           &ro),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&f->v, OTHER, ro,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_TLS, "x",
                                               &other),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_key_vault_destroy(&f->v, OTHER, ro, "k"),
                     CAPTLS_ERR_NO_AUTHORITY);
    /* but can open: OTHER gets its own handle */
    assert_int_equal(captls_key_vault_open(&f->v, OTHER, ro, "k", &other),
                     CAPTLS_OK);
    assert_int_equal(captls_private_key_sign(&f->v, OTHER, other,
                                             CAPTLS_KEY_PURPOSE_TLS,
                                             CAPTLS_SIG_ED25519, buf, 3, buf,
                                             sizeof buf, &n),
                     CAPTLS_OK);
    /* destroy: every handle, whoever holds it, ends; the slot is zero */
    assert_int_equal(captls_key_vault_destroy(&f->v, APP, f->vh, "k"),
                     CAPTLS_OK);
    captls_cap_handle all[4] = {k, sign_only, info_only};
    for (int i = 0; i < 3; i++)
        assert_int_equal(captls_private_key_sign(&f->v, APP, all[i],
                                                 CAPTLS_KEY_PURPOSE_TLS,
                                                 CAPTLS_SIG_ED25519, buf, 3,
                                                 buf, sizeof buf, &n),
                         CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_private_key_sign(&f->v, OTHER, other,
                                             CAPTLS_KEY_PURPOSE_TLS,
                                             CAPTLS_SIG_ED25519, buf, 3, buf,
                                             sizeof buf, &n),
                     CAPTLS_ERR_STALE_HANDLE);
    static const uint8_t zero[sizeof(captls_vault_key)];
    assert_memory_equal(&f->keys[0], zero, sizeof zero);
    assert_int_equal(captls_key_vault_open(&f->v, APP, f->vh, "k", &other),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_key_vault_destroy(&f->v, APP, f->vh, "k"),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(count_event(&f->log, "key.destroy"), 2);
    done(f);
}

static void test_bad_input(void **state)
{
    (void)state;
    fixture *f = make(CAPTLS_KEY_PROFILE_DEVELOPMENT);
    captls_cap_handle k;
    static const char too_long[] =
        "0123456789012345678901234567890123456789012345678"; /* 49 bytes */
    const char *bad[] = {"", ".hidden", "a/b", "sp ace", too_long};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                                   CAPTLS_KEY_ALG_ED25519,
                                                   CAPTLS_KEY_PURPOSE_TLS,
                                                   bad[i], &k),
                         CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_NONE, "a",
                                               &k),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               (captls_key_alg)99,
                                               CAPTLS_KEY_PURPOSE_TLS, "a",
                                               &k),
                     CAPTLS_ERR_UNSUPPORTED);
    for (int i = 0; i < 4; i++) {
        char name[4] = {'k', (char)('0' + i), 0};
        assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                                   CAPTLS_KEY_ALG_ED25519,
                                                   CAPTLS_KEY_PURPOSE_TLS,
                                                   name, &k),
                         CAPTLS_OK);
    }
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_TLS, "k0",
                                               &k),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_TLS, "k9",
                                               &k),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_key_purpose_parse("acmeAccount"),
                     CAPTLS_KEY_PURPOSE_ACME_ACCOUNT);
    assert_int_equal(captls_key_purpose_parse("TLS"), CAPTLS_KEY_PURPOSE_NONE);
    done(f);
}

static void test_entropy_failure_fails_closed(void **state)
{
    (void)state;
    fixture *f = make(CAPTLS_KEY_PROFILE_DEVELOPMENT);
    captls_cap_handle k = 1234;
    size_t n = 9;
    f->rng.fail = 1;
    for (int alg = CAPTLS_KEY_ALG_ED25519; alg <= CAPTLS_KEY_ALG_RSA2048;
         alg++)
        assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                                   (captls_key_alg)alg,
                                                   CAPTLS_KEY_PURPOSE_TLS,
                                                   "k", &k),
                         CAPTLS_ERR_ENTROPY_FAILURE);
    assert_int_equal(captls_key_vault_list(&f->v, APP, f->vh, NULL, 0, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 0);
    static const uint8_t zero[sizeof f->keys];
    assert_memory_equal(f->keys, zero, sizeof zero);
    assert_int_equal(captls_cap_table_live(&f->caps), 1); /* the vault's */
    done(f);
}

static size_t pem_of(EVP_PKEY *k, char *out, size_t cap)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL),
                     1);
    int n = BIO_read(b, out, (int)cap);
    assert_true(n > 0);
    BIO_free(b);
    return (size_t)n;
}

static void test_dev_key_source(void **state)
{
    (void)state;
    EVP_PKEY *ossl = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    char pem[2000];
    size_t pem_len = pem_of(ossl, pem, sizeof pem);
    uint8_t scratch[CAPTLS_TLS_KEY_SIGNER_SCRATCH];
    captls_cap_handle k;
    uint8_t spki[100], want[100];
    size_t n = 0;
    unsigned char *w = want;
    int want_len = i2d_PUBKEY(ossl, &w);

    /* development profile: imported, same public key, signs */
    fixture *f = make(CAPTLS_KEY_PROFILE_DEVELOPMENT);
    assert_int_equal(captls_key_vault_import_dev(
                         &f->v, APP, f->vh, (const uint8_t *)pem, pem_len,
                         CAPTLS_KEY_PURPOSE_TLS, "dev", scratch,
                         sizeof scratch, &k),
                     CAPTLS_OK);
    assert_int_equal(captls_private_key_public_key(&f->v, APP, k, spki,
                                               sizeof spki, &n),
                     CAPTLS_OK);
    assert_int_equal(n, (size_t)want_len);
    assert_memory_equal(spki, want, n);
    sign_and_check(f, k, CAPTLS_KEY_PURPOSE_TLS, CAPTLS_SIG_ED25519);
    assert_int_equal(count_event(&f->log, "keysource.dev.import"), 1);
    /* garbage: refused, nothing kept */
    assert_int_equal(captls_key_vault_import_dev(
                         &f->v, APP, f->vh, (const uint8_t *)"junk", 4,
                         CAPTLS_KEY_PURPOSE_TLS, "bad", scratch,
                         sizeof scratch, &k),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_key_vault_open(&f->v, APP, f->vh, "bad", &k),
                     CAPTLS_ERR_NOT_FOUND);
    done(f);

    /* production profile: refused with an audit record, no key */
    f = make(CAPTLS_KEY_PROFILE_PRODUCTION);
    memset(scratch, 0x77, sizeof scratch);
    assert_int_equal(captls_key_vault_import_dev(
                         &f->v, APP, f->vh, (const uint8_t *)pem, pem_len,
                         CAPTLS_KEY_PURPOSE_TLS, "dev", scratch,
                         sizeof scratch, &k),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(count_event(&f->log, "keysource.dev.refused"), 1);
    const captls_audit_record *rec = &f->log.recs[f->log.n - 1];
    assert_int_equal(rec->outcome, CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(rec->iface, CAPTLS_IFACE_KEY_SOURCE);
    assert_non_null(strstr(rec->detail, "production profile"));
    assert_null(strstr(rec->detail, "BEGIN")); /* no key material */
    assert_int_equal(captls_key_vault_list(&f->v, APP, f->vh, NULL, 0, &n),
                     CAPTLS_OK);
    assert_int_equal(n, 0);
    /* generation still works in production */
    assert_int_equal(captls_key_vault_generate(&f->v, APP, f->vh,
                                               CAPTLS_KEY_ALG_P256,
                                               CAPTLS_KEY_PURPOSE_TLS, "gen",
                                               &k),
                     CAPTLS_OK);
    done(f);
    EVP_PKEY_free(ossl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_sign_verify),
        cmocka_unit_test(test_purpose_scoping),
        cmocka_unit_test(test_attenuation_and_confinement),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_entropy_failure_fails_closed),
        cmocka_unit_test(test_dev_key_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
