/* Development key source and TLS signing capability. See key_signer.h. */
#include "core/tls/key_signer.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/base/pem.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/pkcs8.h"
#include "core/crypto/sec1.h"
#include "core/crypto/sig_scheme.h"

/* Is this PrivateKeyInfo's algorithm rsaEncryption? (A peek: errors are
 * left to the full parser.) */
static bool pkcs8_is_rsa(const uint8_t *der, size_t len)
{
    captls_der d, s, a;
    int64_t v;
    captls_slice oid;
    captls_der_init(&d, der, len, NULL);
    return captls_der_enter(&d, CAPTLS_DER_SEQUENCE, &s) == CAPTLS_OK &&
           captls_der_read_int64(&s, &v) == CAPTLS_OK &&
           captls_der_enter(&s, CAPTLS_DER_SEQUENCE, &a) == CAPTLS_OK &&
           captls_der_read_oid(&a, &oid) == CAPTLS_OK &&
           CAPTLS_DER_OID_IS(oid, captls_oid_rsa_encryption);
}

/* A parsed EC/Ed25519 key into the signer. */
static captls_result take_key(captls_tls_key_signer *s,
                              const captls_private_key *pk)
{
    if (pk->type == CAPTLS_KEY_ED25519) {
        memcpy(s->k.ed25519.seed, pk->secret, 32);
        captls_ed25519_public_from_seed(s->k.ed25519.pub, pk->secret);
        /* A PKCS#8 v2 publicKey is not checked by the parser: it must be
         * the derived key, or the file is inconsistent. */
        if (pk->public_len != 0 &&
            (pk->public_len != 32 ||
             !captls_ct_equal(pk->public_key, s->k.ed25519.pub, 32)))
            return CAPTLS_ERR_INVALID_KEY;
        s->type = CAPTLS_KEY_ED25519;
        return CAPTLS_OK;
    }
    if (pk->type == CAPTLS_KEY_EC_P256) {
        if (pk->secret_len != 32 || pk->public_len != CAPTLS_EC_P256_POINT_SIZE)
            return CAPTLS_ERR_INVALID_KEY;
        memcpy(s->k.p256.scalar, pk->secret, 32);
        memcpy(s->k.p256.point, pk->public_key, CAPTLS_EC_P256_POINT_SIZE);
        s->type = CAPTLS_KEY_EC_P256;
        return CAPTLS_OK;
    }
    return CAPTLS_ERR_UNSUPPORTED; /* P-384 (no signer yet), X25519 */
}

static captls_result load_der(captls_tls_key_signer *s, bool pkcs8,
                              bool pkcs1, const uint8_t *der, size_t n)
{
    if (pkcs1 || (pkcs8 && pkcs8_is_rsa(der, n))) {
        captls_result r =
            pkcs1 ? captls_rsa_key_parse_pkcs1(der, n, &s->k.rsa, NULL)
                  : captls_rsa_key_parse_pkcs8(der, n, &s->k.rsa, NULL);
        if (r == CAPTLS_OK)
            s->type = CAPTLS_KEY_RSA;
        return r;
    }
    captls_private_key pk;
    captls_result r = pkcs8 ? captls_pkcs8_parse(der, n, &pk, NULL)
                            : captls_sec1_parse(der, n, CAPTLS_KEY_NONE, &pk, NULL);
    if (r == CAPTLS_OK)
        r = take_key(s, &pk);
    captls_private_key_wipe(&pk);
    return r;
}

captls_result captls_tls_key_signer_load_pem(captls_tls_key_signer *s,
                                             const uint8_t *pem, size_t len,
                                             captls_entropy entropy,
                                             uint8_t *scratch,
                                             size_t scratch_cap)
{
    size_t pos = 0, n = 0;
    captls_pem_block b;
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_zeroize(s, sizeof(*s));
    if ((pem == NULL && len != 0) || (scratch == NULL && scratch_cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (;;) {
        captls_result r = captls_pem_next(pem, len, &pos, &b);
        if (r == CAPTLS_EOF)
            return CAPTLS_ERR_NOT_FOUND;
        CAPTLS_TRY(r);
        if (captls_pem_label_is(&b, "ENCRYPTED PRIVATE KEY"))
            return CAPTLS_ERR_UNSUPPORTED;
        if (captls_pem_label_is(&b, "PRIVATE KEY") ||
            captls_pem_label_is(&b, "RSA PRIVATE KEY") ||
            captls_pem_label_is(&b, "EC PRIVATE KEY"))
            break;
    }
    captls_result r = captls_pem_decode(&b, scratch, scratch_cap, &n);
    if (r == CAPTLS_OK)
        r = load_der(s, captls_pem_label_is(&b, "PRIVATE KEY"),
                     captls_pem_label_is(&b, "RSA PRIVATE KEY"), scratch, n);
    captls_zeroize(scratch, scratch_cap);
    /* RSA-PSS needs salts: no entropy, no RSA signer (fail closed now
     * rather than at the first handshake). */
    if (r == CAPTLS_OK && s->type == CAPTLS_KEY_RSA && entropy.fill == NULL)
        r = CAPTLS_ERR_INVALID_ARGUMENT;
    if (r != CAPTLS_OK) {
        captls_tls_key_signer_destroy(s);
        return r;
    }
    s->entropy = entropy;
    return CAPTLS_OK;
}

void captls_tls_key_signer_destroy(captls_tls_key_signer *s)
{
    if (s != NULL)
        captls_zeroize(s, sizeof(*s));
}

size_t captls_tls_key_signer_schemes(const captls_tls_key_signer *s,
                                     uint16_t out[CAPTLS_TLS_MAX_SIG_SCHEMES])
{
    if (s == NULL || out == NULL)
        return 0;
    switch (s->type) {
    case CAPTLS_KEY_ED25519:
        out[0] = CAPTLS_SIG_ED25519;
        return 1;
    case CAPTLS_KEY_EC_P256:
        out[0] = CAPTLS_SIG_ECDSA_SECP256R1_SHA256;
        return 1;
    case CAPTLS_KEY_RSA:
        out[0] = CAPTLS_SIG_RSA_PSS_RSAE_SHA256;
        out[1] = CAPTLS_SIG_RSA_PSS_RSAE_SHA384;
        out[2] = CAPTLS_SIG_RSA_PSS_RSAE_SHA512;
        return 3;
    default:
        return 0;
    }
}

static captls_hash_alg pss_hash(uint16_t scheme)
{
    switch (scheme) {
    case CAPTLS_SIG_RSA_PSS_RSAE_SHA256: return CAPTLS_HASH_SHA256;
    case CAPTLS_SIG_RSA_PSS_RSAE_SHA384: return CAPTLS_HASH_SHA384;
    case CAPTLS_SIG_RSA_PSS_RSAE_SHA512: return CAPTLS_HASH_SHA512;
    default: return CAPTLS_HASH_NONE;
    }
}

captls_result captls_tls_key_signer_sign(captls_tls_key_signer *s,
                                         uint16_t scheme, const uint8_t *msg,
                                         size_t msg_len, uint8_t *sig,
                                         size_t sig_cap, size_t *sig_len)
{
    if (s == NULL || sig == NULL || sig_len == NULL ||
        (msg == NULL && msg_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (s->type == CAPTLS_KEY_ED25519 && scheme == CAPTLS_SIG_ED25519) {
        uint8_t out[CAPTLS_ED25519_SIGNATURE_SIZE];
        if (sig_cap < sizeof(out))
            return CAPTLS_ERR_BUFFER_TOO_SMALL;
        captls_ed25519_sign(out, s->k.ed25519.seed, s->k.ed25519.pub, msg,
                            msg_len);
        memcpy(sig, out, sizeof(out));
        *sig_len = sizeof(out);
        return CAPTLS_OK;
    }
    if (s->type == CAPTLS_KEY_EC_P256 &&
        scheme == CAPTLS_SIG_ECDSA_SECP256R1_SHA256) {
        uint8_t out[CAPTLS_ECDSA_P256_SIG_MAX];
        size_t n = 0;
        /* RFC 8446 §4.2.3: ECDSA with the curve's hash; deterministic
         * nonce (RFC 6979). */
        CAPTLS_TRY(captls_ecdsa_p256_sign(s->k.p256.scalar, CAPTLS_HASH_SHA256,
                                          msg, msg_len, out, &n));
        if (sig_cap < n)
            return CAPTLS_ERR_BUFFER_TOO_SMALL;
        memcpy(sig, out, n);
        *sig_len = n;
        return CAPTLS_OK;
    }
    captls_hash_alg h = pss_hash(scheme);
    if (s->type == CAPTLS_KEY_RSA && h != CAPTLS_HASH_NONE) {
        uint8_t salt[CAPTLS_HASH_MAX_SIZE];
        size_t hl = captls_hash_size(h);
        if (sig_cap < s->k.rsa.pub.n_len)
            return CAPTLS_ERR_BUFFER_TOO_SMALL;
        if (s->entropy.fill == NULL ||
            s->entropy.fill(s->entropy.ctx, salt, hl) != CAPTLS_OK) {
            captls_zeroize(salt, sizeof(salt));
            return CAPTLS_ERR_ENTROPY_FAILURE;
        }
        /* RFC 8446 §4.2.3: RSASSA-PSS with MGF1 = the scheme's hash, "The
         * length of the Salt MUST be equal to the length of the output of
         * the digest algorithm." */
        captls_result r = captls_rsa_pss_sign(&s->k.rsa, h, h, salt, hl, msg,
                                              msg_len, sig, sig_cap, sig_len);
        captls_zeroize(salt, sizeof(salt));
        return r;
    }
    return CAPTLS_ERR_UNSUPPORTED; /* not a scheme this key offers */
}

static captls_result iface_sign(void *ctx, uint16_t scheme, const uint8_t *msg,
                                size_t msg_len, uint8_t *sig, size_t sig_cap,
                                size_t *sig_len)
{
    return captls_tls_key_signer_sign((captls_tls_key_signer *)ctx, scheme, msg,
                                      msg_len, sig, sig_cap, sig_len);
}

void captls_tls_key_signer_iface(captls_tls_key_signer *s,
                                 captls_tls_signer *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    if (s == NULL)
        return;
    out->ctx = s;
    out->scheme_count = captls_tls_key_signer_schemes(s, out->schemes);
    out->sign = out->scheme_count != 0 ? iface_sign : NULL;
}

static bool slice_is(captls_slice a, const uint8_t *b, size_t n)
{
    return a.len == n && (n == 0 || memcmp(a.ptr, b, n) == 0);
}

bool captls_tls_key_signer_matches(const captls_tls_key_signer *s,
                                   const captls_certificate *leaf)
{
    if (s == NULL || leaf == NULL || leaf->key_status != CAPTLS_OK ||
        leaf->key.type != s->type)
        return false;
    switch (s->type) {
    case CAPTLS_KEY_ED25519:
        return slice_is(leaf->key.point, s->k.ed25519.pub, 32);
    case CAPTLS_KEY_EC_P256:
        return slice_is(leaf->key.point, s->k.p256.point,
                        CAPTLS_EC_P256_POINT_SIZE);
    case CAPTLS_KEY_RSA:
        return slice_is(leaf->key.rsa_n, s->k.rsa.pub.n, s->k.rsa.pub.n_len) &&
               slice_is(leaf->key.rsa_e, s->k.rsa.pub.e, s->k.rsa.pub.e_len);
    default:
        return false;
    }
}
