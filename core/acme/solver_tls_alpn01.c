/* tls-alpn-01 challenge solver — see solver_tls_alpn01.h. */
#include "core/acme/solver_tls_alpn01.h"

#include <string.h>

#include "core/base/base64url.h"

#include "core/acme/csr.h"
#include "core/acme/jwk.h"
#include "core/base/ct.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/sig_scheme.h"
#include "core/tls/alert.h"

/* RFC 8737 §3 / RFC 7301 §3.1: the ProtocolNameList holding only
 * acme-tls/1, as on the wire. */
static const uint8_t ACME_TLS_1_LIST[] = {10, 'a', 'c', 'm', 'e', '-',
                                          't', 'l', 's', '/', '1'};
#define KEYGEN_TRIES 8

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool same_name(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

static bool name_ok(const char *name, size_t n)
{
    return name != NULL && n <= CAPTLS_ALPN01_NAME_MAX &&
           captls_csr_dns_name_ok(name, n) && name[0] != '*';
}

/* RFC 8555 §8.1: token "." base64url(SHA-256 thumbprint) (43 chars). */
static bool keyauth_ok(const char *ka, size_t n)
{
    size_t dot = n;
    if (ka == NULL || n < 45 || n > CAPTLS_ALPN01_KEYAUTH_MAX)
        return false;
    dot = n - 44;
    return ka[dot] == '.' && captls_base64url_is_text(ka, dot) && captls_base64url_is_text(ka + dot + 1, 43);
}

void captls_alpn01_init(captls_alpn01_solver *s, captls_entropy entropy,
                        captls_clock clock)
{
    memset(s, 0, sizeof(*s));
    s->entropy = entropy;
    s->clock = clock;
}

void captls_alpn01_wipe(captls_alpn01_solver *s)
{
    captls_zeroize(s, sizeof(*s));
}

captls_result captls_alpn01_allow(captls_alpn01_solver *s, const char *name,
                                  size_t n)
{
    if (s == NULL || name == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!name_ok(name, n))
        return CAPTLS_ERR_MALFORMED;
    for (size_t i = 0; i < s->allowed_count; i++)
        if (same_name(s->allowed[i], s->allowed_len[i], name, n))
            return CAPTLS_OK;
    if (s->allowed_count >= CAPTLS_ALPN01_MAX_ALLOWED)
        return CAPTLS_ERR_TABLE_FULL;
    memcpy(s->allowed[s->allowed_count], name, n);
    s->allowed_len[s->allowed_count] = (uint8_t)n;
    s->allowed_count++;
    return CAPTLS_OK;
}

static bool allowed(const captls_alpn01_solver *s, const char *name, size_t n)
{
    for (size_t i = 0; i < s->allowed_count; i++)
        if (same_name(s->allowed[i], s->allowed_len[i], name, n))
            return true;
    return false;
}

static int find_live(const captls_alpn01_solver *s, const char *name, size_t n)
{
    for (size_t i = 0; i < CAPTLS_ALPN01_MAX_LIVE; i++)
        if (s->slot[i].live &&
            same_name(s->slot[i].name, s->slot[i].name_len, name, n))
            return (int)i;
    return -1;
}

/* The ACME signer over a slot's ephemeral key (certificate signature). */
static captls_result p256_acme_sign(void *ctx, captls_acme_sig_alg alg,
                                    const uint8_t *msg, size_t len,
                                    uint8_t *sig, size_t cap, size_t *sig_len)
{
    if (alg != CAPTLS_ACME_SIG_ES256)
        return CAPTLS_ERR_UNSUPPORTED;
    if (cap < CAPTLS_ECDSA_P256_SIG_MAX)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    return captls_ecdsa_p256_sign((const uint8_t *)ctx, CAPTLS_HASH_SHA256, msg,
                                  len, sig, sig_len);
}

captls_result captls_alpn01_publish(captls_alpn01_solver *s, const char *name,
                                    size_t n, const char *ka, size_t ka_len)
{
    uint8_t digest[CAPTLS_ALPN01_DIGEST_LEN], serial[16], point[65];
    captls_alpn01_slot *sl = NULL;
    captls_acme_signer signer;
    captls_alpn01_cert_params p;
    captls_wall_time now;
    captls_result r = CAPTLS_ERR_INVALID_KEY;
    size_t len = 0;
    int at;

    if (s == NULL || name == NULL || ka == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!name_ok(name, n) || !keyauth_ok(ka, ka_len))
        return CAPTLS_ERR_MALFORMED;
    if (!allowed(s, name, n))
        return CAPTLS_ERR_NO_AUTHORITY;
    captls_alpn01_digest(ka, ka_len, digest);
    at = find_live(s, name, n);
    if (at >= 0)
        return captls_ct_equal(s->slot[at].digest, digest, sizeof(digest))
                   ? CAPTLS_OK
                   : CAPTLS_ERR_ALREADY_EXISTS;
    for (size_t i = 0; i < CAPTLS_ALPN01_MAX_LIVE && sl == NULL; i++)
        if (!s->slot[i].live)
            sl = &s->slot[i];
    if (sl == NULL)
        return CAPTLS_ERR_TABLE_FULL;
    if (s->clock.wall_time == NULL || s->entropy.fill == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(s->clock.wall_time(s->clock.ctx, &now));
    memset(sl, 0, sizeof(*sl));
    /* A fresh key per challenge: a scalar outside [1, n-1] (odds 2^-32)
     * is drawn again. */
    for (int i = 0; i < KEYGEN_TRIES && r == CAPTLS_ERR_INVALID_KEY; i++) {
        r = s->entropy.fill(s->entropy.ctx, sl->priv, sizeof(sl->priv));
        if (r == CAPTLS_OK)
            r = captls_ecdsa_p256_public(sl->priv, point);
    }
    if (r == CAPTLS_OK)
        r = s->entropy.fill(s->entropy.ctx, serial, sizeof(serial));
    if (r == CAPTLS_OK) {
        memset(&signer, 0, sizeof(signer));
        signer.sign = p256_acme_sign;
        signer.ctx = sl->priv;
        r = captls_jwk_from_p256(&signer.pub, point, sizeof(point));
    }
    if (r == CAPTLS_OK) {
        /* RFC 5280 §4.1.2.2: positive, at most 20 octets. */
        serial[0] &= 0x7Fu;
        serial[15] |= 0x01u;
        memset(&p, 0, sizeof(p));
        p.name = name;
        p.name_len = n;
        p.key_authorization = ka;
        p.key_authorization_len = ka_len;
        p.serial = serial;
        p.serial_len = sizeof(serial);
        p.not_before = now.epoch_seconds - CAPTLS_ALPN01_BACKDATE_S;
        p.not_after = now.epoch_seconds + CAPTLS_ALPN01_VALIDITY_S;
        p.subject_cn = true;
        r = captls_alpn01_cert_build(&signer, &p, sl->cert, sizeof(sl->cert),
                                     &len);
    }
    if (r != CAPTLS_OK) {
        captls_zeroize(sl, sizeof(*sl));
        return r;
    }
    sl->cert_len = (uint16_t)len;
    memcpy(sl->name, name, n);
    sl->name_len = (uint8_t)n;
    memcpy(sl->digest, digest, sizeof(digest));
    sl->live = true;
    return CAPTLS_OK;
}

void captls_alpn01_retire(captls_alpn01_solver *s, const char *name, size_t n,
                          const char *ka, size_t ka_len)
{
    uint8_t digest[CAPTLS_ALPN01_DIGEST_LEN];
    int at;

    if (s == NULL || name == NULL || ka == NULL)
        return;
    at = find_live(s, name, n);
    if (at < 0)
        return;
    captls_alpn01_digest(ka, ka_len, digest);
    if (captls_ct_equal(s->slot[at].digest, digest, sizeof(digest)))
        captls_zeroize(&s->slot[at], sizeof(s->slot[at]));
}

size_t captls_alpn01_live_count(const captls_alpn01_solver *s)
{
    size_t k = 0;

    for (size_t i = 0; i < CAPTLS_ALPN01_MAX_LIVE; i++)
        k += s->slot[i].live ? 1u : 0u;
    return k;
}

void captls_alpn01_served_wipe(captls_alpn01_served *out)
{
    captls_zeroize(out, sizeof(*out));
}

captls_result captls_alpn01_lookup(captls_alpn01_solver *s, const uint8_t *sni,
                                   size_t sni_len, bool alpn_offered,
                                   const uint8_t *alpn_list,
                                   size_t alpn_list_len,
                                   captls_alpn01_served *out)
{
    int at = -1;

    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_zeroize(out, sizeof(*out));
    if (s == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* RFC 8737 §3: only "acme-tls/1", alone. */
    if (!alpn_offered || alpn_list == NULL ||
        alpn_list_len != sizeof(ACME_TLS_1_LIST) ||
        memcmp(alpn_list, ACME_TLS_1_LIST, sizeof(ACME_TLS_1_LIST)) != 0) {
        s->refused_alpn++;
        return CAPTLS_ERR_UNSUPPORTED;
    }
    if (sni != NULL && sni_len > 0)
        at = find_live(s, (const char *)sni, sni_len);
    if (at < 0) {
        s->refused_name++;
        return CAPTLS_ERR_NOT_FOUND;
    }
    s->served++;
    out->cert_len = s->slot[at].cert_len;
    memcpy(out->cert, s->slot[at].cert, s->slot[at].cert_len);
    memcpy(out->priv, s->slot[at].priv, sizeof(out->priv));
    return CAPTLS_OK;
}

/* The TLS signer over a served copy: CertificateVerify with the challenge
 * key (RFC 8446 §4.4.3: msg is the whole content to sign). */
static captls_result served_sign(void *ctx, uint16_t scheme, const uint8_t *msg,
                                 size_t msg_len, uint8_t *sig, size_t sig_cap,
                                 size_t *sig_len)
{
    const captls_alpn01_served *sv = ctx;
    uint8_t tmp[CAPTLS_ECDSA_P256_SIG_MAX];
    size_t n = 0;

    if (scheme != CAPTLS_SIG_ECDSA_SECP256R1_SHA256)
        return CAPTLS_ERR_UNSUPPORTED;
    CAPTLS_TRY(captls_ecdsa_p256_sign(sv->priv, CAPTLS_HASH_SHA256, msg,
                                      msg_len, tmp, &n));
    if (n > sig_cap)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(sig, tmp, n);
    *sig_len = n;
    return CAPTLS_OK;
}

captls_result captls_alpn01_select_identity(captls_alpn01_solver *s,
                                            const captls_tls_hello_view *h,
                                            captls_alpn01_served *sv,
                                            captls_tls_identity *out)
{
    captls_result r;

    if (h == NULL || sv == NULL || out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    r = captls_alpn01_lookup(s, h->server_name.ptr, h->server_name.len,
                             h->alpn_offered, h->alpn_list.ptr,
                             h->alpn_list.len, sv);
    if (r == CAPTLS_ERR_UNSUPPORTED)
        return CAPTLS_TLS_ERR(NO_APPLICATION_PROTOCOL);
    if (r == CAPTLS_ERR_NOT_FOUND)
        return CAPTLS_TLS_ERR(UNRECOGNIZED_NAME);
    if (r != CAPTLS_OK)
        return r;
    sv->signer.ctx = sv;
    sv->signer.schemes[0] = CAPTLS_SIG_ECDSA_SECP256R1_SHA256;
    sv->signer.scheme_count = 1;
    sv->signer.sign = served_sign;
    out->key = &sv->signer;
    memset(&out->chain, 0, sizeof(out->chain));
    out->chain.certs[0].ptr = sv->cert;
    out->chain.certs[0].len = sv->cert_len;
    out->chain.count = 1;
    out->alpn = CAPTLS_ALPN01_PROTOCOL;
    return CAPTLS_OK;
}

/* ---- the ChallengeSolver capability --------------------------------- */
static size_t cap_supports(void *ctx, captls_acme_challenge_type *types,
                           size_t max)
{
    (void)ctx;
    if (max == 0)
        return 0;
    types[0] = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    return 1;
}

static captls_result cap_solve(void *ctx, const captls_acme_challenge *ch)
{
    if (ch == NULL || ch->type != CAPTLS_ACME_CHALLENGE_TLS_ALPN01)
        return CAPTLS_ERR_UNSUPPORTED;
    if (ch->wildcard || ch->identifier.type == NULL ||
        ch->identifier.type_len != 3 ||
        memcmp(ch->identifier.type, "dns", 3) != 0)
        return CAPTLS_ERR_UNSUPPORTED;
    return captls_alpn01_publish(ctx, ch->identifier.value,
                                 ch->identifier.value_len,
                                 ch->key_authorization,
                                 ch->key_authorization_len);
}

static void cap_cleanup(void *ctx, const captls_acme_challenge *ch)
{
    if (ch != NULL && ch->type == CAPTLS_ACME_CHALLENGE_TLS_ALPN01)
        captls_alpn01_retire(ctx, ch->identifier.value,
                             ch->identifier.value_len, ch->key_authorization,
                             ch->key_authorization_len);
}

captls_acme_solver captls_alpn01_solver_cap(captls_alpn01_solver *s)
{
    captls_acme_solver c;

    c.ctx = s;
    c.supports = cap_supports;
    c.solve = cap_solve;
    c.cleanup = cap_cleanup;
    return c;
}
