/* core/tls/key_schedule.c — the TLS 1.3 key schedule (RFC 8446 §7.1),
 * traffic keys (§7.3), Finished MACs (§4.4.4), resumption PSKs (§4.6.1)
 * and KeyUpdate (§7.2) on the HKDF facade; see key_schedule.h. */
#include "core/tls/key_schedule.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/hkdf.h"
#include "core/crypto/hmac.h"

#define LBL(s) (s), (sizeof(s) - 1)

/* Hash.length of a TLS 1.3 hash, 0 for anything else (SHA-512 would not
 * fit the CAPTLS_TLS_MAX_HASH outputs). */
static size_t tls_hash_len(captls_hash_alg hash)
{
    if (hash == CAPTLS_HASH_SHA256)
        return 32;
    if (hash == CAPTLS_HASH_SHA384)
        return 48;
    return 0;
}

/* Derive-Secret(secret, label, th) into out (hash_len bytes); nothing
 * written on error. */
static captls_result derive(captls_hash_alg hash, const uint8_t *secret,
                            const char *label, size_t label_len,
                            const uint8_t *th, uint8_t *out)
{
    uint8_t tmp[CAPTLS_HASH_MAX_SIZE];
    size_t n = tls_hash_len(hash);
    captls_result r = captls_hkdf_derive_secret(hash, secret, n, label,
                                                label_len, th, n, tmp);
    if (r == CAPTLS_OK)
        memcpy(out, tmp, n);
    captls_zeroize(tmp, sizeof tmp);
    return r;
}

/* HKDF-Extract(Derive-Secret(secret, "derived", ""), ikm or zeros) into
 * out: the step from one stage's secret to the next (§7.1). */
static captls_result next_stage(captls_hash_alg hash, const uint8_t *secret,
                                const uint8_t *ikm, size_t ikm_len,
                                uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    static const uint8_t zeros[CAPTLS_TLS_MAX_HASH] = {0};
    uint8_t empty[CAPTLS_HASH_MAX_SIZE], salt[CAPTLS_HASH_MAX_SIZE];
    size_t n = tls_hash_len(hash);
    captls_result r;

    /* "derived" is over Transcript-Hash("") = Hash(""). */
    r = captls_hash(hash, NULL, 0, empty);
    if (r == CAPTLS_OK)
        r = derive(hash, secret, LBL("derived"), empty, salt);
    if (r == CAPTLS_OK) {
        /* §7.1: "If a given secret is not available, then the 0-value
         * consisting of a string of Hash.length bytes set to zeros is
         * used." */
        if (ikm == NULL) {
            ikm = zeros;
            ikm_len = n;
        }
        r = captls_hkdf_extract(hash, salt, n, ikm, ikm_len, out);
    }
    captls_zeroize(salt, sizeof salt);
    return r;
}

captls_result captls_tls_ks_init(captls_tls_key_schedule *ks,
                                 captls_hash_alg hash, const uint8_t *psk,
                                 size_t psk_len)
{
    static const uint8_t zeros[CAPTLS_TLS_MAX_HASH] = {0};
    uint8_t es[CAPTLS_HASH_MAX_SIZE];
    size_t n = tls_hash_len(hash);
    captls_result r;

    captls_tls_ks_wipe(ks);
    if (n == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (psk == NULL) {
        psk = zeros;
        psk_len = n;
    }
    /* §7.1: Early Secret = HKDF-Extract(salt 0, PSK); a NULL salt is
     * Hash.length zeros (RFC 5869 §2.2), the "0" of the diagram. */
    r = captls_hkdf_extract(hash, NULL, 0, psk, psk_len, es);
    if (r == CAPTLS_OK) {
        ks->hash = hash;
        ks->hash_len = n;
        memcpy(ks->secret, es, n);
        ks->stage = CAPTLS_TLS_KS_EARLY;
    }
    captls_zeroize(es, sizeof es);
    return r;
}

captls_result captls_tls_ks_binder_key(const captls_tls_key_schedule *ks,
                                       uint8_t out[CAPTLS_TLS_MAX_HASH])
{
    uint8_t empty[CAPTLS_HASH_MAX_SIZE];

    if (ks->stage != CAPTLS_TLS_KS_EARLY || tls_hash_len(ks->hash) == 0)
        return CAPTLS_ERR_INTERNAL;
    CAPTLS_TRY(captls_hash(ks->hash, NULL, 0, empty));
    return derive(ks->hash, ks->secret, LBL("res binder"), empty, out);
}

captls_result captls_tls_ks_handshake(captls_tls_key_schedule *ks,
                                      const uint8_t *dhe, size_t dhe_len,
                                      const uint8_t *th,
                                      uint8_t c_hs[CAPTLS_TLS_MAX_HASH],
                                      uint8_t s_hs[CAPTLS_TLS_MAX_HASH])
{
    uint8_t hs[CAPTLS_HASH_MAX_SIZE], c[CAPTLS_TLS_MAX_HASH],
        s[CAPTLS_TLS_MAX_HASH];
    size_t n = ks->hash_len;
    captls_result r;

    if (ks->stage != CAPTLS_TLS_KS_EARLY || th == NULL ||
        n != tls_hash_len(ks->hash) || n == 0)
        return CAPTLS_ERR_INTERNAL;
    r = next_stage(ks->hash, ks->secret, dhe, dhe_len, hs);
    if (r == CAPTLS_OK)
        r = derive(ks->hash, hs, LBL("c hs traffic"), th, c);
    if (r == CAPTLS_OK)
        r = derive(ks->hash, hs, LBL("s hs traffic"), th, s);
    if (r == CAPTLS_OK) {
        memcpy(c_hs, c, n);
        memcpy(s_hs, s, n);
        memcpy(ks->secret, hs, n);
        ks->stage = CAPTLS_TLS_KS_HANDSHAKE;
    }
    captls_zeroize(hs, sizeof hs);
    captls_zeroize(c, sizeof c);
    captls_zeroize(s, sizeof s);
    return r;
}

captls_result captls_tls_ks_master(captls_tls_key_schedule *ks,
                                   const uint8_t *th,
                                   uint8_t c_ap[CAPTLS_TLS_MAX_HASH],
                                   uint8_t s_ap[CAPTLS_TLS_MAX_HASH],
                                   uint8_t *exp)
{
    uint8_t ms[CAPTLS_HASH_MAX_SIZE], c[CAPTLS_TLS_MAX_HASH],
        s[CAPTLS_TLS_MAX_HASH], e[CAPTLS_TLS_MAX_HASH];
    size_t n = ks->hash_len;
    captls_result r;

    if (ks->stage != CAPTLS_TLS_KS_HANDSHAKE || th == NULL ||
        n != tls_hash_len(ks->hash) || n == 0)
        return CAPTLS_ERR_INTERNAL;
    r = next_stage(ks->hash, ks->secret, NULL, 0, ms);
    if (r == CAPTLS_OK)
        r = derive(ks->hash, ms, LBL("c ap traffic"), th, c);
    if (r == CAPTLS_OK)
        r = derive(ks->hash, ms, LBL("s ap traffic"), th, s);
    if (r == CAPTLS_OK)
        r = derive(ks->hash, ms, LBL("exp master"), th, e);
    if (r == CAPTLS_OK) {
        memcpy(c_ap, c, n);
        memcpy(s_ap, s, n);
        if (exp != NULL)
            memcpy(exp, e, n);
        memcpy(ks->secret, ms, n);
        ks->stage = CAPTLS_TLS_KS_MASTER;
    }
    captls_zeroize(ms, sizeof ms);
    captls_zeroize(c, sizeof c);
    captls_zeroize(s, sizeof s);
    captls_zeroize(e, sizeof e);
    return r;
}

captls_result captls_tls_ks_resumption_master(
    const captls_tls_key_schedule *ks, const uint8_t *th,
    uint8_t out[CAPTLS_TLS_MAX_HASH])
{
    if (ks->stage != CAPTLS_TLS_KS_MASTER || th == NULL ||
        ks->hash_len != tls_hash_len(ks->hash) || ks->hash_len == 0)
        return CAPTLS_ERR_INTERNAL;
    return derive(ks->hash, ks->secret, LBL("res master"), th, out);
}

void captls_tls_ks_wipe(captls_tls_key_schedule *ks)
{
    captls_zeroize(ks, sizeof *ks);
}

captls_result captls_tls_resumption_psk(captls_hash_alg hash,
                                        const uint8_t *rms,
                                        const uint8_t *nonce,
                                        size_t nonce_len,
                                        uint8_t out[CAPTLS_TLS_MAX_HASH])
{
    uint8_t tmp[CAPTLS_TLS_MAX_HASH];
    size_t n = tls_hash_len(hash);
    captls_result r;

    if (n == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    /* §4.6.1: HKDF-Expand-Label(resumption_master_secret, "resumption",
     * ticket_nonce, Hash.length); ticket_nonce<0..255> (the facade
     * refuses a longer context). */
    r = captls_hkdf_expand_label(hash, rms, n, LBL("resumption"), nonce,
                                 nonce_len, tmp, n);
    if (r == CAPTLS_OK)
        memcpy(out, tmp, n);
    captls_zeroize(tmp, sizeof tmp);
    return r;
}

captls_result captls_tls_finished_mac(captls_hash_alg hash,
                                      const uint8_t *base_key,
                                      const uint8_t *th,
                                      uint8_t out[CAPTLS_TLS_MAX_HASH])
{
    uint8_t fk[CAPTLS_TLS_MAX_HASH], mac[CAPTLS_HASH_MAX_SIZE];
    size_t n = tls_hash_len(hash);
    captls_result r;

    if (n == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    /* §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "",
     * Hash.length); verify_data = HMAC(finished_key, Transcript-Hash(...)). */
    r = captls_hkdf_expand_label(hash, base_key, n, LBL("finished"), NULL, 0,
                                 fk, n);
    if (r == CAPTLS_OK)
        r = captls_hmac(hash, fk, n, th, n, mac);
    if (r == CAPTLS_OK)
        memcpy(out, mac, n);
    captls_zeroize(fk, sizeof fk);
    captls_zeroize(mac, sizeof mac);
    return r;
}

captls_result captls_tls_traffic_keys(const captls_tls_suite_info *suite,
                                      const uint8_t *secret,
                                      uint8_t key[CAPTLS_AEAD_MAX_KEY_SIZE],
                                      uint8_t iv[CAPTLS_TLS_IV_SIZE])
{
    uint8_t k[CAPTLS_AEAD_MAX_KEY_SIZE], v[CAPTLS_TLS_IV_SIZE];
    size_t n;
    captls_result r;

    if (suite == NULL || suite->key_len > sizeof k ||
        (n = tls_hash_len(suite->hash)) == 0 || n != suite->hash_len)
        return CAPTLS_ERR_INTERNAL;
    /* §7.3: [sender]_write_key = HKDF-Expand-Label(Secret, "key", "",
     * key_length); [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "",
     * iv_length). */
    r = captls_hkdf_expand_label(suite->hash, secret, n, LBL("key"), NULL, 0,
                                 k, suite->key_len);
    if (r == CAPTLS_OK)
        r = captls_hkdf_expand_label(suite->hash, secret, n, LBL("iv"), NULL,
                                     0, v, sizeof v);
    if (r == CAPTLS_OK) {
        memcpy(key, k, suite->key_len);
        memcpy(iv, v, sizeof v);
    }
    captls_zeroize(k, sizeof k);
    captls_zeroize(v, sizeof v);
    return r;
}

captls_result captls_tls_next_traffic_secret(captls_hash_alg hash,
                                             uint8_t secret[CAPTLS_TLS_MAX_HASH])
{
    uint8_t tmp[CAPTLS_TLS_MAX_HASH];
    size_t n = tls_hash_len(hash);
    captls_result r;

    if (n == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    /* §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(
     * application_traffic_secret_N, "traffic upd", "", Hash.length). */
    r = captls_hkdf_expand_label(hash, secret, n, LBL("traffic upd"), NULL, 0,
                                 tmp, n);
    if (r == CAPTLS_OK)
        memcpy(secret, tmp, n);
    captls_zeroize(tmp, sizeof tmp);
    return r;
}
