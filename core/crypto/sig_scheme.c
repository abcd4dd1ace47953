/* See sig_scheme.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/rsa.h"
#include "core/crypto/sig_scheme.h"

/* Preference order: Ed25519, ECDSA, RSA-PSS, then PKCS#1 (certificates). */
static const captls_sig_scheme_info table[] = {
    {CAPTLS_SIG_ED25519, "ed25519", CAPTLS_HASH_NONE, CAPTLS_KEY_ED25519,
     CAPTLS_SIG_PAD_NONE},
    {CAPTLS_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256",
     CAPTLS_HASH_SHA256, CAPTLS_KEY_EC_P256, CAPTLS_SIG_PAD_NONE},
    {CAPTLS_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384",
     CAPTLS_HASH_SHA384, CAPTLS_KEY_EC_P384, CAPTLS_SIG_PAD_NONE},
    {CAPTLS_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256",
     CAPTLS_HASH_SHA256, CAPTLS_KEY_RSA, CAPTLS_SIG_PAD_PSS},
    {CAPTLS_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384",
     CAPTLS_HASH_SHA384, CAPTLS_KEY_RSA, CAPTLS_SIG_PAD_PSS},
    {CAPTLS_SIG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512",
     CAPTLS_HASH_SHA512, CAPTLS_KEY_RSA, CAPTLS_SIG_PAD_PSS},
    {CAPTLS_SIG_RSA_PSS_PSS_SHA256, "rsa_pss_pss_sha256", CAPTLS_HASH_SHA256,
     CAPTLS_KEY_RSA_PSS, CAPTLS_SIG_PAD_PSS},
    {CAPTLS_SIG_RSA_PSS_PSS_SHA384, "rsa_pss_pss_sha384", CAPTLS_HASH_SHA384,
     CAPTLS_KEY_RSA_PSS, CAPTLS_SIG_PAD_PSS},
    {CAPTLS_SIG_RSA_PSS_PSS_SHA512, "rsa_pss_pss_sha512", CAPTLS_HASH_SHA512,
     CAPTLS_KEY_RSA_PSS, CAPTLS_SIG_PAD_PSS},
    {CAPTLS_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256", CAPTLS_HASH_SHA256,
     CAPTLS_KEY_RSA, CAPTLS_SIG_PAD_PKCS1},
    {CAPTLS_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384", CAPTLS_HASH_SHA384,
     CAPTLS_KEY_RSA, CAPTLS_SIG_PAD_PKCS1},
    {CAPTLS_SIG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512", CAPTLS_HASH_SHA512,
     CAPTLS_KEY_RSA, CAPTLS_SIG_PAD_PKCS1},
};

const captls_sig_scheme_info *captls_sig_scheme_info_get(uint16_t scheme)
{
    size_t i;

    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].scheme == scheme)
            return &table[i];
    return NULL;
}

const captls_sig_scheme_info *captls_sig_scheme_table(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

static captls_result verify_rsa(const captls_public_key *key,
                                captls_sig_padding padding,
                                captls_hash_alg hash,
                                captls_hash_alg mgf1_hash, size_t salt_len,
                                const uint8_t *msg, size_t msg_len,
                                const uint8_t *sig, size_t sig_len)
{
    captls_rsa_public_key pub;
    captls_result r;

    /* id-RSASSA-PSS keys never sign PKCS#1 v1.5 (RFC 4055 §1.2). */
    if (key->type == CAPTLS_KEY_RSA_PSS && padding != CAPTLS_SIG_PAD_PSS)
        return CAPTLS_ERR_INVALID_KEY;
    /* RFC 4055 §3.3: a key whose id-RSASSA-PSS parameters are present
     * "MUST" be used only with that hash and MGF1 hash, and "the
     * saltLength in the signature MUST be greater or equal to" the key's
     * (§3.1: the key's saltLength is the minimum). A caller passing
     * CAPTLS_RSA_PSS_SALT_AUTO lets the encoding decide; the minimum is
     * then not checked here. */
    if (key->type == CAPTLS_KEY_RSA_PSS && key->pss_restricted &&
        (hash != key->pss.hash || mgf1_hash != key->pss.mgf1_hash ||
         (salt_len != CAPTLS_RSA_PSS_SALT_AUTO && salt_len < key->pss.salt_len)))
        return CAPTLS_ERR_INVALID_KEY;
    r = captls_rsa_public_key_init(&pub, key->rsa_n.ptr, key->rsa_n.len,
                                   key->rsa_e.ptr, key->rsa_e.len);
    if (r != CAPTLS_OK)
        return r;
    if (padding == CAPTLS_SIG_PAD_PKCS1)
        return captls_rsa_pkcs1_verify(&pub, hash, msg, msg_len, sig,
                                       sig_len);
    if (padding == CAPTLS_SIG_PAD_PSS)
        return captls_rsa_pss_verify(&pub, hash, mgf1_hash, salt_len, msg,
                                     msg_len, sig, sig_len);
    return CAPTLS_ERR_INVALID_ARGUMENT;
}

captls_result captls_sig_verify_alg(const captls_public_key *key,
                                    captls_sig_padding padding,
                                    captls_hash_alg hash,
                                    captls_hash_alg mgf1_hash,
                                    size_t salt_len, const uint8_t *msg,
                                    size_t msg_len, const uint8_t *sig,
                                    size_t sig_len)
{
    if (key == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    switch (key->type) {
    case CAPTLS_KEY_RSA:
    case CAPTLS_KEY_RSA_PSS:
        return verify_rsa(key, padding, hash, mgf1_hash, salt_len, msg,
                          msg_len, sig, sig_len);
    case CAPTLS_KEY_EC_P256:
    case CAPTLS_KEY_EC_P384:
        /* ECDSA always names its digest (RFC 5758 §3.2). */
        if (padding != CAPTLS_SIG_PAD_NONE || hash == CAPTLS_HASH_NONE)
            return CAPTLS_ERR_INVALID_KEY;
        return captls_ecdsa_verify(key->type == CAPTLS_KEY_EC_P256
                                       ? CAPTLS_EC_P256
                                       : CAPTLS_EC_P384,
                                   hash, key->point.ptr, key->point.len, msg,
                                   msg_len, sig, sig_len);
    case CAPTLS_KEY_ED25519:
        /* Pure Ed25519 (RFC 8410 §3, RFC 8032 §5.1): no pre-hash. A
         * caller naming a digest asks for another algorithm (e.g. an
         * X.509 ecdsa-with-SHA256 label over an Ed25519 signature): the
         * algorithm is bound to the key type, so that is refused. */
        if (padding != CAPTLS_SIG_PAD_NONE || hash != CAPTLS_HASH_NONE ||
            key->point.len != 32)
            return CAPTLS_ERR_INVALID_KEY;
        /* RFC 8032 §5.1.7: a signature is exactly 64 octets. */
        if (sig == NULL || sig_len != 64)
            return CAPTLS_ERR_BAD_SIGNATURE;
        {
            /* ed25519.h reports a non-canonical S as MALFORMED; to a
             * verifier that is just a bad signature. */
            captls_result r = captls_ed25519_verify(key->point.ptr, msg,
                                                    msg_len, sig);
            return r == CAPTLS_ERR_MALFORMED ? CAPTLS_ERR_BAD_SIGNATURE : r;
        }
    case CAPTLS_KEY_X25519: /* key agreement only */
    case CAPTLS_KEY_NONE:
        break;
    }
    return CAPTLS_ERR_INVALID_KEY;
}

captls_result captls_sig_verify(uint16_t scheme, const captls_public_key *key,
                                const uint8_t *msg, size_t msg_len,
                                const uint8_t *sig, size_t sig_len)
{
    const captls_sig_scheme_info *info = captls_sig_scheme_info_get(scheme);
    size_t hlen;

    if (info == NULL)
        return CAPTLS_ERR_UNSUPPORTED;
    if (key == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 8446 §4.2.3: each scheme names its key type (curve, rsaEncryption
     * vs RSASSA-PSS OID). */
    if (key->type != info->key_type)
        return CAPTLS_ERR_INVALID_KEY;
    hlen = captls_hash_size(info->hash);
    if (key->type == CAPTLS_KEY_RSA_PSS && key->pss_restricted &&
        (key->pss.hash != info->hash || key->pss.mgf1_hash != info->hash ||
         key->pss.salt_len > hlen))
        return CAPTLS_ERR_INVALID_KEY;
    /* RFC 8446 §4.2.3 (RSASSA-PSS): "The length of the Salt MUST be equal
     * to the length of the output of the digest algorithm", MGF1 with the
     * same hash. */
    return captls_sig_verify_alg(key, info->padding, info->hash, info->hash,
                                 hlen, msg, msg_len, sig, sig_len);
}
