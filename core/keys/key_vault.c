/* KeyVault, PrivateKey and the development KeySource. See key_vault.h. */
#include "core/keys/key_vault.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/rsa.h"
#include "core/crypto/sig_scheme.h"
#include "core/trust/trust_audit.h"

/* strcmp is not in the core's allowed symbols (check-core). */
static bool str_eq(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && memcmp(a, b, n) == 0;
}

/* Rights of the vault's root for each key, and of what a caller gets. */
#define ROOT_RIGHTS                                                          \
    (CAPTLS_RIGHT_CALL | CAPTLS_KEY_RIGHT_SIGN | CAPTLS_RIGHT_DERIVE |       \
     CAPTLS_RIGHT_GRANT | CAPTLS_RIGHT_REVOKE)

const char *captls_key_purpose_name(captls_key_purpose p)
{
    switch (p) {
    case CAPTLS_KEY_PURPOSE_TLS: return "tls";
    case CAPTLS_KEY_PURPOSE_ACME_ACCOUNT: return "acmeAccount";
    case CAPTLS_KEY_PURPOSE_CODE_SIGNING: return "codeSigning";
    case CAPTLS_KEY_PURPOSE_CA_ISSUING: return "caIssuing";
    default: return "none";
    }
}

captls_key_purpose captls_key_purpose_parse(const char *s)
{
    for (int p = 1; p <= 4; p++)
        if (s != NULL &&
            str_eq(s, captls_key_purpose_name((captls_key_purpose)p)))
            return (captls_key_purpose)p;
    return CAPTLS_KEY_PURPOSE_NONE;
}

bool captls_key_name_valid(const char *name)
{
    size_t i;
    if (name == NULL || name[0] == '\0' || name[0] == '.')
        return false;
    for (i = 0; name[i] != '\0'; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok || i + 1 >= CAPTLS_KEY_NAME_MAX)
            return false;
    }
    return true;
}

/* One audit record; detail "name=<n> purpose=<p>[ <why>]". The sink's
 * failure is returned for mutating calls to fail closed on. */
static captls_result audit(captls_key_vault *v, captls_cap_owner actor,
                           captls_interface_id iface, uint16_t method,
                           const char *event, captls_result outcome,
                           const char *name, captls_key_purpose purpose,
                           const char *why)
{
    char d[160];
    size_t n = 0;
    const char *parts[6] = {"name=", name != NULL ? name : "-", " purpose=",
                            captls_key_purpose_name(purpose),
                            why != NULL ? " " : "", why != NULL ? why : ""};
    for (int i = 0; i < 6; i++) {
        size_t l = strlen(parts[i]);
        if (n + l >= sizeof d)
            l = sizeof d - 1 - n;
        memcpy(d + n, parts[i], l);
        n += l;
    }
    return captls_trust_audit_emit(&v->clock, &v->audit, actor, iface, method,
                                   event, outcome, d, n);
}

captls_result captls_key_vault_init(captls_key_vault *v,
                                    captls_cap_table *caps,
                                    captls_cap_owner self,
                                    captls_vault_key *keys, uint32_t nkeys,
                                    captls_entropy entropy,
                                    captls_key_profile profile,
                                    captls_clock clock,
                                    captls_audit_sink audit_sink)
{
    if (v == NULL || caps == NULL || keys == NULL || nkeys == 0 ||
        (profile != CAPTLS_KEY_PROFILE_DEVELOPMENT &&
         profile != CAPTLS_KEY_PROFILE_PRODUCTION))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(v, 0, sizeof *v);
    captls_zeroize(keys, (size_t)nkeys * sizeof *keys);
    v->caps = caps;
    v->self = self;
    v->keys = keys;
    v->nkeys = nkeys;
    v->entropy = entropy;
    v->profile = profile;
    v->clock = clock;
    v->audit = audit_sink;
    return CAPTLS_OK;
}

static void wipe_key(captls_key_vault *v, captls_vault_key *k)
{
    if (k->live && k->root != CAPTLS_CAP_NULL) {
        /* Fails only for a root already gone (table reset): nothing left
         * to end then. */
        captls_result r = captls_cap_revoke(v->caps, v->self, k->root, NULL);
        (void)r;
    }
    captls_tls_key_signer_destroy(&k->material);
    captls_zeroize(k, sizeof *k);
}

void captls_key_vault_fini(captls_key_vault *v)
{
    if (v == NULL || v->keys == NULL)
        return;
    for (uint32_t i = 0; i < v->nkeys; i++)
        wipe_key(v, &v->keys[i]);
    memset(v, 0, sizeof *v);
}

captls_result captls_key_vault_mint(captls_key_vault *v,
                                    captls_cap_owner owner,
                                    captls_rights rights,
                                    captls_cap_handle *out)
{
    if (v == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    return captls_cap_mint(v->caps, owner, CAPTLS_IFACE_KEY_VAULT, v, rights,
                           out);
}

static captls_result vault_check(captls_key_vault *v, captls_cap_owner owner,
                                 captls_cap_handle h, captls_rights need)
{
    captls_cap_info info;
    if (v == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_cap_lookup(v->caps, owner, h, CAPTLS_IFACE_KEY_VAULT,
                                 need, &info));
    return info.object == v ? CAPTLS_OK : CAPTLS_ERR_WRONG_INTERFACE;
}

/* The live key a PrivateKey handle names (an object of this vault). */
static captls_result key_lookup(captls_key_vault *v, captls_cap_owner owner,
                                captls_cap_handle h, captls_rights need,
                                captls_vault_key **out)
{
    captls_cap_info info;
    if (v == NULL || v->keys == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_cap_lookup(v->caps, owner, h, CAPTLS_IFACE_PRIVATE_KEY,
                                 need, &info));
    for (uint32_t i = 0; i < v->nkeys; i++)
        if (info.object == (void *)&v->keys[i] && v->keys[i].live) {
            *out = &v->keys[i];
            return CAPTLS_OK;
        }
    return CAPTLS_ERR_STALE_HANDLE; /* not (or no longer) a key of ours */
}

static captls_vault_key *find(captls_key_vault *v, const char *name)
{
    for (uint32_t i = 0; i < v->nkeys; i++)
        if (v->keys[i].live && str_eq(v->keys[i].name, name))
            return &v->keys[i];
    return NULL;
}

static captls_vault_key *free_slot(captls_key_vault *v)
{
    for (uint32_t i = 0; i < v->nkeys; i++)
        if (!v->keys[i].live)
            return &v->keys[i];
    return NULL;
}

/* Mints the vault's root for a filled slot and grants `owner` a child. */
static captls_result publish(captls_key_vault *v, captls_vault_key *k,
                             captls_cap_owner owner, captls_cap_handle *out)
{
    captls_result r = captls_cap_mint(v->caps, v->self,
                                      CAPTLS_IFACE_PRIVATE_KEY, k, ROOT_RIGHTS,
                                      &k->root);
    if (r != CAPTLS_OK)
        return r;
    k->live = 1;
    r = captls_cap_grant(v->caps, v->self, k->root, owner, out);
    if (r != CAPTLS_OK)
        wipe_key(v, k);
    return r;
}

/* Draws a P-256 scalar in [1, n-1] by rejection (RFC 6979 style keys:
 * FIPS 186-4 B.4.2, "testing candidates"). */
static captls_result gen_p256(captls_tls_key_signer *m, captls_entropy e)
{
    for (int tries = 0; tries < 16; tries++) {
        if (e.fill(e.ctx, m->k.p256.scalar, 32) != CAPTLS_OK)
            return CAPTLS_ERR_ENTROPY_FAILURE;
        if (captls_ecdsa_p256_public(m->k.p256.scalar, m->k.p256.point) ==
            CAPTLS_OK) {
            m->type = CAPTLS_KEY_EC_P256;
            return CAPTLS_OK;
        }
    }
    return CAPTLS_ERR_ENTROPY_FAILURE; /* 2^-512 odds: a broken source */
}

static captls_result gen_material(captls_tls_key_signer *m, captls_key_alg alg,
                                  captls_entropy e)
{
    captls_result r;
    memset(m, 0, sizeof *m);
    if (e.fill == NULL)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    m->entropy = e;
    switch (alg) {
    case CAPTLS_KEY_ALG_ED25519:
        if (e.fill(e.ctx, m->k.ed25519.seed, 32) != CAPTLS_OK)
            return CAPTLS_ERR_ENTROPY_FAILURE;
        captls_ed25519_public_from_seed(m->k.ed25519.pub, m->k.ed25519.seed);
        m->type = CAPTLS_KEY_ED25519;
        return CAPTLS_OK;
    case CAPTLS_KEY_ALG_P256:
        return gen_p256(m, e);
    case CAPTLS_KEY_ALG_RSA2048:
    case CAPTLS_KEY_ALG_RSA3072:
    case CAPTLS_KEY_ALG_RSA4096:
        r = captls_rsa_keygen(&m->k.rsa,
                              alg == CAPTLS_KEY_ALG_RSA2048   ? 2048u
                              : alg == CAPTLS_KEY_ALG_RSA3072 ? 3072u
                                                              : 4096u,
                              e);
        if (r == CAPTLS_OK)
            m->type = CAPTLS_KEY_RSA;
        return r;
    default:
        return CAPTLS_ERR_UNSUPPORTED;
    }
}

static bool purpose_valid(captls_key_purpose p)
{
    return p >= CAPTLS_KEY_PURPOSE_TLS && p <= CAPTLS_KEY_PURPOSE_CA_ISSUING;
}

captls_result captls_key_vault_generate(captls_key_vault *v,
                                        captls_cap_owner owner,
                                        captls_cap_handle vault,
                                        captls_key_alg alg,
                                        captls_key_purpose purpose,
                                        const char *name,
                                        captls_cap_handle *key)
{
    captls_vault_key *k;
    captls_result r;
    if (key == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(vault_check(v, owner, vault, CAPTLS_RIGHT_WRITE));
    if (!captls_key_name_valid(name) || !purpose_valid(purpose))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (find(v, name) != NULL)
        return CAPTLS_ERR_ALREADY_EXISTS;
    k = free_slot(v);
    if (k == NULL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    r = gen_material(&k->material, alg, v->entropy);
    if (r == CAPTLS_OK) {
        memcpy(k->name, name, strlen(name) + 1);
        k->purpose = (uint8_t)purpose;
        r = publish(v, k, owner, key);
    }
    if (r != CAPTLS_OK)
        wipe_key(v, k);
    if (audit(v, owner, CAPTLS_IFACE_KEY_VAULT, CAPTLS_KEY_VAULT_GENERATE,
              "key.generate", r, name, purpose, NULL) != CAPTLS_OK &&
        r == CAPTLS_OK) {
        /* no audit record, no key (fail closed) */
        wipe_key(v, k);
        return CAPTLS_ERR_IO;
    }
    return r;
}

captls_result captls_key_vault_open(captls_key_vault *v,
                                    captls_cap_owner owner,
                                    captls_cap_handle vault, const char *name,
                                    captls_cap_handle *key)
{
    captls_vault_key *k;
    captls_result r;
    if (key == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(vault_check(v, owner, vault, CAPTLS_RIGHT_CALL));
    if (!captls_key_name_valid(name))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    k = find(v, name);
    r = k == NULL ? CAPTLS_ERR_NOT_FOUND
                  : captls_cap_grant(v->caps, v->self, k->root, owner, key);
    (void)audit(v, owner, CAPTLS_IFACE_KEY_VAULT, CAPTLS_KEY_VAULT_OPEN,
                "key.open", r, name,
                k != NULL ? (captls_key_purpose)k->purpose
                          : CAPTLS_KEY_PURPOSE_NONE,
                NULL);
    return r;
}

captls_result captls_key_vault_list(captls_key_vault *v,
                                    captls_cap_owner owner,
                                    captls_cap_handle vault,
                                    char (*names)[CAPTLS_KEY_NAME_MAX],
                                    size_t max, size_t *count)
{
    size_t n = 0;
    if (count == NULL || (names == NULL && max != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(vault_check(v, owner, vault, CAPTLS_RIGHT_CALL));
    for (uint32_t i = 0; i < v->nkeys; i++) {
        if (!v->keys[i].live)
            continue;
        if (n < max)
            memcpy(names[n], v->keys[i].name, CAPTLS_KEY_NAME_MAX);
        n++;
    }
    *count = n;
    return n > max ? CAPTLS_ERR_LIMIT_EXCEEDED : CAPTLS_OK;
}

captls_result captls_key_vault_destroy(captls_key_vault *v,
                                       captls_cap_owner owner,
                                       captls_cap_handle vault,
                                       const char *name)
{
    captls_vault_key *k;
    captls_key_purpose p = CAPTLS_KEY_PURPOSE_NONE;
    captls_result r = CAPTLS_OK;
    CAPTLS_TRY(vault_check(v, owner, vault, CAPTLS_RIGHT_WRITE));
    if (!captls_key_name_valid(name))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    k = find(v, name);
    if (k == NULL) {
        r = CAPTLS_ERR_NOT_FOUND;
    } else {
        p = (captls_key_purpose)k->purpose;
        wipe_key(v, k); /* revokes the root: every derived handle ends */
    }
    (void)audit(v, owner, CAPTLS_IFACE_KEY_VAULT, CAPTLS_KEY_VAULT_DESTROY,
                "key.destroy", r, name, p, NULL);
    return r;
}

captls_result captls_key_vault_import_dev(
    captls_key_vault *v, captls_cap_owner owner, captls_cap_handle vault,
    const uint8_t *pem, size_t len, captls_key_purpose purpose,
    const char *name, uint8_t *scratch, size_t scratch_cap,
    captls_cap_handle *key)
{
    captls_vault_key *k;
    captls_result r;
    if (key == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(vault_check(v, owner, vault, CAPTLS_RIGHT_WRITE));
    if (!captls_key_name_valid(name) || !purpose_valid(purpose))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* Seed 000 K3: the development software KeySource "is rejected for
     * production/public profiles". */
    if (v->profile != CAPTLS_KEY_PROFILE_DEVELOPMENT) {
        if (scratch != NULL)
            captls_zeroize(scratch, scratch_cap);
        (void)audit(v, owner, CAPTLS_IFACE_KEY_SOURCE,
                    CAPTLS_KEY_SOURCE_IMPORT, "keysource.dev.refused",
                    CAPTLS_ERR_NO_AUTHORITY, name, purpose,
                    "development KeySource refused by the production profile");
        return CAPTLS_ERR_NO_AUTHORITY;
    }
    if (find(v, name) != NULL)
        r = CAPTLS_ERR_ALREADY_EXISTS;
    else if ((k = free_slot(v)) == NULL)
        r = CAPTLS_ERR_LIMIT_EXCEEDED;
    else {
        r = captls_tls_key_signer_load_pem(&k->material, pem, len, v->entropy,
                                           scratch, scratch_cap);
        if (r == CAPTLS_OK) {
            memcpy(k->name, name, strlen(name) + 1);
            k->purpose = (uint8_t)purpose;
            k->from_dev_source = 1;
            r = publish(v, k, owner, key);
        }
        if (r != CAPTLS_OK)
            wipe_key(v, k);
    }
    if (scratch != NULL)
        captls_zeroize(scratch, scratch_cap);
    (void)audit(v, owner, CAPTLS_IFACE_KEY_SOURCE, CAPTLS_KEY_SOURCE_IMPORT,
                "keysource.dev.import", r, name, purpose, NULL);
    return r;
}

/* ------------------------------------------------------------ PrivateKey */

captls_result captls_private_key_sign(captls_key_vault *v,
                                      captls_cap_owner owner,
                                      captls_cap_handle key,
                                      captls_key_purpose purpose,
                                      uint16_t scheme, const uint8_t *msg,
                                      size_t msg_len, uint8_t *sig,
                                      size_t sig_cap, size_t *sig_len)
{
    captls_vault_key *k;
    captls_result r = key_lookup(v, owner, key, CAPTLS_KEY_RIGHT_SIGN, &k);
    if (r != CAPTLS_OK) {
        if (v != NULL)
            (void)audit(v, owner, CAPTLS_IFACE_PRIVATE_KEY,
                        CAPTLS_PRIVATE_KEY_SIGN, "key.sign.refused", r, NULL,
                        purpose, "handle");
        return r;
    }
    if ((captls_key_purpose)k->purpose != purpose) {
        (void)audit(v, owner, CAPTLS_IFACE_PRIVATE_KEY,
                    CAPTLS_PRIVATE_KEY_SIGN, "key.sign.refused",
                    CAPTLS_ERR_NO_AUTHORITY, k->name, purpose,
                    "key purpose differs");
        return CAPTLS_ERR_NO_AUTHORITY;
    }
    /* RSASSA-PKCS1-v1_5 (certificates, CSRs, some peers): not a TLS 1.3
     * CertificateVerify scheme (RFC 8446 §4.2.3), so the TLS signer never
     * offers it; a tls-purpose key does not make it either. */
    captls_hash_alg h = scheme == CAPTLS_SIG_RSA_PKCS1_SHA256 ? CAPTLS_HASH_SHA256
                        : scheme == CAPTLS_SIG_RSA_PKCS1_SHA384
                            ? CAPTLS_HASH_SHA384
                        : scheme == CAPTLS_SIG_RSA_PKCS1_SHA512
                            ? CAPTLS_HASH_SHA512
                            : CAPTLS_HASH_NONE;
    if (h != CAPTLS_HASH_NONE) {
        if (k->material.type != CAPTLS_KEY_RSA ||
            purpose == CAPTLS_KEY_PURPOSE_TLS)
            return CAPTLS_ERR_UNSUPPORTED;
        if (sig == NULL || sig_len == NULL || (msg == NULL && msg_len != 0))
            return CAPTLS_ERR_INVALID_ARGUMENT;
        return captls_rsa_pkcs1_sign(&k->material.k.rsa, h, msg, msg_len, sig,
                                     sig_cap, sig_len);
    }
    return captls_tls_key_signer_sign(&k->material, scheme, msg, msg_len, sig,
                                      sig_cap, sig_len);
}

/* The public key of k as a hand-built captls_public_key (slices into k). */
static void public_of(const captls_vault_key *k, captls_public_key *pk)
{
    memset(pk, 0, sizeof *pk);
    pk->type = k->material.type;
    switch (k->material.type) {
    case CAPTLS_KEY_ED25519:
        pk->point.ptr = k->material.k.ed25519.pub;
        pk->point.len = 32;
        break;
    case CAPTLS_KEY_EC_P256:
        pk->point.ptr = k->material.k.p256.point;
        pk->point.len = CAPTLS_EC_P256_POINT_SIZE;
        break;
    case CAPTLS_KEY_RSA:
        pk->rsa_n.ptr = k->material.k.rsa.pub.n;
        pk->rsa_n.len = k->material.k.rsa.pub.n_len;
        pk->rsa_e.ptr = k->material.k.rsa.pub.e;
        pk->rsa_e.len = k->material.k.rsa.pub.e_len;
        pk->rsa_bits = k->material.k.rsa.pub.bits;
        break;
    default:
        break;
    }
}

captls_result captls_private_key_public_key(captls_key_vault *v,
                                        captls_cap_owner owner,
                                        captls_cap_handle key, uint8_t *spki,
                                        size_t cap, size_t *len)
{
    captls_vault_key *k;
    captls_public_key pk;
    if (len == NULL || (spki == NULL && cap != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(key_lookup(v, owner, key, CAPTLS_RIGHT_CALL, &k));
    public_of(k, &pk);
    return captls_spki_encode(&pk, spki, cap, len);
}

captls_result captls_private_key_algorithm(captls_key_vault *v,
                                           captls_cap_owner owner,
                                           captls_cap_handle key,
                                           captls_key_info *out)
{
    captls_vault_key *k;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(key_lookup(v, owner, key, CAPTLS_RIGHT_CALL, &k));
    memset(out, 0, sizeof *out);
    out->type = k->material.type;
    out->bits = k->material.type == CAPTLS_KEY_RSA ? k->material.k.rsa.pub.bits
                : k->material.type == CAPTLS_KEY_ED25519 ? 255u
                                                         : 256u;
    out->purpose = (captls_key_purpose)k->purpose;
    memcpy(out->name, k->name, CAPTLS_KEY_NAME_MAX);
    return CAPTLS_OK;
}

captls_result captls_private_key_attenuate(captls_key_vault *v,
                                           captls_cap_owner owner,
                                           captls_cap_handle key,
                                           captls_rights rights,
                                           captls_cap_handle *out)
{
    captls_vault_key *k;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(key_lookup(v, owner, key, 0, &k));
    return captls_cap_attenuate(v->caps, owner, key, rights, out);
}

bool captls_private_key_matches(captls_key_vault *v, captls_cap_owner owner,
                                captls_cap_handle key,
                                const captls_certificate *leaf)
{
    captls_vault_key *k;
    if (key_lookup(v, owner, key, CAPTLS_RIGHT_CALL, &k) != CAPTLS_OK)
        return false;
    return captls_tls_key_signer_matches(&k->material, leaf);
}

static captls_result tls_sign(void *ctx, uint16_t scheme, const uint8_t *msg,
                              size_t msg_len, uint8_t *sig, size_t sig_cap,
                              size_t *sig_len)
{
    captls_private_key_tls_ctx *c = ctx;
    return captls_private_key_sign(c->vault, c->owner, c->key,
                                   CAPTLS_KEY_PURPOSE_TLS, scheme, msg,
                                   msg_len, sig, sig_cap, sig_len);
}

captls_result captls_private_key_tls_signer(captls_key_vault *v,
                                            captls_cap_owner owner,
                                            captls_cap_handle key,
                                            captls_private_key_tls_ctx *ctx,
                                            captls_tls_signer *out)
{
    captls_vault_key *k;
    if (ctx == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    CAPTLS_TRY(key_lookup(v, owner, key, CAPTLS_KEY_RIGHT_SIGN, &k));
    if (k->purpose != CAPTLS_KEY_PURPOSE_TLS) {
        (void)audit(v, owner, CAPTLS_IFACE_PRIVATE_KEY,
                    CAPTLS_PRIVATE_KEY_SIGN, "key.sign.refused",
                    CAPTLS_ERR_NO_AUTHORITY, k->name, CAPTLS_KEY_PURPOSE_TLS,
                    "TLS signer over a key of another purpose");
        return CAPTLS_ERR_NO_AUTHORITY;
    }
    ctx->vault = v;
    ctx->owner = owner;
    ctx->key = key;
    out->ctx = ctx;
    out->scheme_count = captls_tls_key_signer_schemes(&k->material,
                                                      out->schemes);
    out->sign = tls_sign;
    return CAPTLS_OK;
}

/* ------------------------------------------------------------- PublicKey */

captls_result captls_public_key_verify(const uint8_t *spki, size_t spki_len,
                                       uint16_t scheme, const uint8_t *msg,
                                       size_t msg_len, const uint8_t *sig,
                                       size_t sig_len)
{
    captls_public_key pk;
    if (spki == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_spki_parse(spki, spki_len, &pk, NULL));
    return captls_sig_verify(scheme, &pk, msg, msg_len, sig, sig_len);
}
