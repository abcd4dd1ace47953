/* See rsa.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/rsa.h"
#include "core/crypto/rsa_fast.h"

/* ------------------------------------------------------------- engines */

static br_rsa_public rsa_public_op(void)
{
    br_rsa_public f = br_rsa_i62_public_get();
    return f != 0 ? f : &br_rsa_i31_public;
}

static br_rsa_private rsa_private_op(void)
{
    br_rsa_private f = br_rsa_i62_private_get();
    return f != 0 ? f : &br_rsa_i31_private;
}

static void to_br_public(const captls_rsa_public_key *key,
                         br_rsa_public_key *pk)
{
    /* BearSSL's struct has non-const pointers but never writes them. */
    pk->n = (unsigned char *)(uintptr_t)key->n;
    pk->nlen = key->n_len;
    pk->e = (unsigned char *)(uintptr_t)key->e;
    pk->elen = key->e_len;
}

static void to_br_private(const captls_rsa_private_key *key,
                          br_rsa_private_key *sk)
{
    sk->n_bitlen = key->pub.bits;
    sk->p = (unsigned char *)(uintptr_t)key->p;
    sk->plen = key->p_len;
    sk->q = (unsigned char *)(uintptr_t)key->q;
    sk->qlen = key->q_len;
    sk->dp = (unsigned char *)(uintptr_t)key->dp;
    sk->dplen = key->dp_len;
    sk->dq = (unsigned char *)(uintptr_t)key->dq;
    sk->dqlen = key->dq_len;
    sk->iq = (unsigned char *)(uintptr_t)key->iq;
    sk->iqlen = key->iq_len;
}

/* Strips leading zero bytes. */
static void strip(const uint8_t **p, size_t *len)
{
    while (*len > 0 && (*p)[0] == 0) {
        (*p)++;
        (*len)--;
    }
}

static uint32_t bit_length(const uint8_t *n, size_t len)
{
    uint32_t bits = (uint32_t)len * 8;
    uint8_t top = n[0];

    while (!(top & 0x80)) {
        top = (uint8_t)(top << 1);
        bits--;
    }
    return bits;
}

/* ---------------------------------------------------------- public key */

captls_result captls_rsa_public_key_init(captls_rsa_public_key *key,
                                         const uint8_t *n, size_t n_len,
                                         const uint8_t *e, size_t e_len)
{
    uint32_t bits;

    if (n == NULL || e == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    strip(&n, &n_len);
    strip(&e, &e_len);
    if (n_len == 0 || e_len == 0)
        return CAPTLS_ERR_INVALID_KEY;
    if (n_len > CAPTLS_RSA_MAX_BYTES)
        return CAPTLS_ERR_UNSUPPORTED;
    bits = bit_length(n, n_len);
    if (bits < CAPTLS_RSA_ACCEPT_MIN_BITS)
        return CAPTLS_ERR_WEAK_KEY;
    if (bits > CAPTLS_RSA_ACCEPT_MAX_BITS)
        return CAPTLS_ERR_UNSUPPORTED;
    /* RFC 8017 §3.1: n odd (product of odd primes); e odd, 3 <= e < n. */
    if (!(n[n_len - 1] & 1) || !(e[e_len - 1] & 1) || e_len > 4 ||
        (e_len == 1 && e[0] < 3))
        return CAPTLS_ERR_INVALID_KEY;
    memset(key, 0, sizeof *key);
    memcpy(key->n, n, n_len);
    key->n_len = n_len;
    memcpy(key->e, e, e_len);
    key->e_len = e_len;
    key->bits = bits;
    captls_rsa_fast_pub_init(key);
    return CAPTLS_OK;
}

/* RSAVP1 (RFC 8017 §5.2.2) into em[k]: false if len(S) != k or S >= n. */
static bool rsavp1(const captls_rsa_public_key *key, const uint8_t *sig,
                   size_t sig_len, uint8_t *em)
{
    br_rsa_public_key pk;

    if (key->n_len == 0 || sig == NULL || sig_len != key->n_len)
        return false;
    memcpy(em, sig, sig_len);
    if (captls_rsa_fast_pub_ready(key))
        return captls_rsa_fast_public(key, em);
    to_br_public(key, &pk);
    return rsa_public_op()(em, sig_len, &pk) == 1;
}

/* RSASP1 (RFC 8017 §5.1.2) in place on buf[k], em = the same input kept
 * aside: s = m^d, then s^e == m checked before s is released (a faulty
 * CRT half would give a factor of n away). The 64-bit path blinds and
 * checks inside captls_rsa_fast_private; BearSSL's is checked here. */
static captls_result rsasp1(const captls_rsa_private_key *key, uint8_t *buf,
                            const uint8_t *em)
{
    size_t k = key->pub.n_len;
    br_rsa_private_key sk;
    br_rsa_public_key pk;
    bool ok;

    if (captls_rsa_fast_priv_ready(key))
        return captls_rsa_fast_private(key, buf);
    to_br_private(key, &sk);
    ok = rsa_private_op()(buf, &sk) == 1;
    captls_zeroize(&sk, sizeof sk);
    if (ok) {
        uint8_t chk[CAPTLS_RSA_MAX_BYTES];
        memcpy(chk, buf, k);
        to_br_public(&key->pub, &pk);
        ok = rsa_public_op()(chk, k, &pk) == 1 && captls_ct_equal(chk, em, k);
    }
    return ok ? CAPTLS_OK : CAPTLS_ERR_INTERNAL;
}

/* ---------------------------------------------------- PKCS#1 v1.5 verify */

/* RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest. */
static const uint8_t di_sha256[19] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t di_sha384[19] = {
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t di_sha512[19] = {
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

captls_result captls_rsa_pkcs1_verify(const captls_rsa_public_key *key,
                                      captls_hash_alg hash,
                                      const uint8_t *msg, size_t msg_len,
                                      const uint8_t *sig, size_t sig_len)
{
    uint8_t em[CAPTLS_RSA_MAX_BYTES], expect[CAPTLS_RSA_MAX_BYTES];
    const uint8_t *di;
    size_t k = key->n_len, hlen = captls_hash_size(hash), tlen, pos;

    switch (hash) {
    case CAPTLS_HASH_SHA256: di = di_sha256; break;
    case CAPTLS_HASH_SHA384: di = di_sha384; break;
    case CAPTLS_HASH_SHA512: di = di_sha512; break;
    default: return CAPTLS_ERR_UNSUPPORTED;
    }
    /* §8.2.2 step 1: "If the length of the signature S is not k octets,
     * output 'invalid signature'"; step 2: RSAVP1, invalid if s >= n. */
    if (!rsavp1(key, sig, sig_len, em))
        return CAPTLS_ERR_BAD_SIGNATURE;
    /* §9.2 EMSA-PKCS1-v1_5-ENCODE: EM = 0x00 || 0x01 || PS || 0x00 || T,
     * PS at least 8 bytes of 0xff ("emLen < tLen + 11" is an error). */
    tlen = 19 + hlen;
    if (k < tlen + 11)
        return CAPTLS_ERR_BAD_SIGNATURE;
    expect[0] = 0x00;
    expect[1] = 0x01;
    pos = k - tlen - 1;
    memset(expect + 2, 0xff, pos - 2);
    expect[pos++] = 0x00;
    memcpy(expect + pos, di, 19);
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, expect + pos + 19));
    /* §8.2.2 step 4: compare EM and EM'. Constant time (public data, but
     * it costs nothing and leaves no oracle). */
    return captls_ct_equal(em, expect, k) ? CAPTLS_OK
                                          : CAPTLS_ERR_BAD_SIGNATURE;
}

/* --------------------------------------------------------------- MGF1 */

/* RFC 8017 §B.2.1: mask ^= MGF1(seed, len). */
static void mgf1_xor(captls_hash_alg h, const uint8_t *seed, size_t seed_len,
                     uint8_t *mask, size_t len)
{
    uint8_t t[CAPTLS_HASH_MAX_SIZE], c[4];
    size_t hlen = captls_hash_size(h), done = 0, i;
    uint32_t counter = 0;
    captls_hash_ctx ctx;

    while (done < len) {
        c[0] = (uint8_t)(counter >> 24);
        c[1] = (uint8_t)(counter >> 16);
        c[2] = (uint8_t)(counter >> 8);
        c[3] = (uint8_t)counter;
        if (captls_hash_init(&ctx, h) != CAPTLS_OK)
            return; /* unreachable: callers checked h */
        captls_hash_update(&ctx, seed, seed_len);
        captls_hash_update(&ctx, c, 4);
        (void)captls_hash_final(&ctx, t);
        for (i = 0; i < hlen && done < len; i++)
            mask[done++] ^= t[i];
        counter++;
    }
    captls_zeroize(t, sizeof t);
}

/* H = Hash(0x00*8 || mHash || salt)  (RFC 8017 §9.1.1 steps 5-6) */
static void pss_h(captls_hash_alg hash, const uint8_t *mhash,
                  const uint8_t *salt, size_t salt_len,
                  uint8_t out[CAPTLS_HASH_MAX_SIZE])
{
    static const uint8_t zeros[8];
    captls_hash_ctx ctx;

    if (captls_hash_init(&ctx, hash) != CAPTLS_OK)
        return; /* unreachable: callers checked hash */
    captls_hash_update(&ctx, zeros, 8);
    captls_hash_update(&ctx, mhash, captls_hash_size(hash));
    captls_hash_update(&ctx, salt, salt_len);
    (void)captls_hash_final(&ctx, out);
}

/* --------------------------------------------------------- PSS verify */

captls_result captls_rsa_pss_verify(const captls_rsa_public_key *key,
                                    captls_hash_alg hash,
                                    captls_hash_alg mgf1_hash,
                                    size_t salt_len, const uint8_t *msg,
                                    size_t msg_len, const uint8_t *sig,
                                    size_t sig_len)
{
    uint8_t buf[CAPTLS_RSA_MAX_BYTES], mhash[CAPTLS_HASH_MAX_SIZE];
    uint8_t h2[CAPTLS_HASH_MAX_SIZE];
    size_t hlen = captls_hash_size(hash), k = key->n_len;
    size_t em_bits, em_len, db_len, i, ps_end;
    uint8_t *em, *db, *h, top_mask;

    if (hlen == 0 || captls_hash_size(mgf1_hash) == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (salt_len != CAPTLS_RSA_PSS_SALT_AUTO &&
        salt_len > CAPTLS_RSA_MAX_BYTES)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* §8.1.2 steps 1-2: length k, RSAVP1. */
    if (!rsavp1(key, sig, sig_len, buf))
        return CAPTLS_ERR_BAD_SIGNATURE;
    /* §8.1.2 step 2c: EM = I2OSP(m, emLen), emLen = ceil((modBits-1)/8);
     * when modBits-1 is a multiple of 8 the top octet must be zero. */
    em_bits = key->bits - 1;
    em_len = (em_bits + 7) / 8;
    if (em_len < k && buf[0] != 0)
        return CAPTLS_ERR_BAD_SIGNATURE;
    em = buf + (k - em_len);
    /* §9.1.2 step 3: emLen < hLen + sLen + 2 → inconsistent. */
    if (em_len < hlen + 2 ||
        (salt_len != CAPTLS_RSA_PSS_SALT_AUTO &&
         em_len < hlen + salt_len + 2))
        return CAPTLS_ERR_BAD_SIGNATURE;
    /* step 4: rightmost octet 0xbc. */
    if (em[em_len - 1] != 0xbc)
        return CAPTLS_ERR_BAD_SIGNATURE;
    db_len = em_len - hlen - 1;
    db = em;
    h = em + db_len;
    /* step 6: the leftmost 8*emLen - emBits bits of maskedDB are zero. */
    top_mask = (uint8_t)(0xff >> (8 * em_len - em_bits));
    if (db[0] & (uint8_t)~top_mask)
        return CAPTLS_ERR_BAD_SIGNATURE;
    /* steps 7-9: DB = maskedDB xor MGF(H), clear the top bits. */
    mgf1_xor(mgf1_hash, h, hlen, db, db_len);
    db[0] &= top_mask;
    /* step 10: PS zeros then 0x01, then the salt. */
    if (salt_len == CAPTLS_RSA_PSS_SALT_AUTO) {
        for (ps_end = 0; ps_end < db_len && db[ps_end] == 0; ps_end++)
            ;
        if (ps_end == db_len || db[ps_end] != 0x01)
            return CAPTLS_ERR_BAD_SIGNATURE;
        salt_len = db_len - ps_end - 1;
    } else {
        ps_end = db_len - salt_len - 1;
        for (i = 0; i < ps_end; i++)
            if (db[i] != 0)
                return CAPTLS_ERR_BAD_SIGNATURE;
        if (db[ps_end] != 0x01)
            return CAPTLS_ERR_BAD_SIGNATURE;
    }
    /* steps 11-14: H' = Hash(0^8 || mHash || salt), compare with H. */
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, mhash));
    pss_h(hash, mhash, db + db_len - salt_len, salt_len, h2);
    return captls_ct_equal(h, h2, hlen) ? CAPTLS_OK
                                        : CAPTLS_ERR_BAD_SIGNATURE;
}

/* --------------------------------------------------------- private key */

static bool copy_part(uint8_t *dst, size_t *dst_len, const uint8_t *src,
                      size_t len)
{
    if (src == NULL)
        return false;
    strip(&src, &len);
    if (len == 0 || len > CAPTLS_RSA_MAX_FACTOR_BYTES)
        return false;
    memcpy(dst, src, len);
    *dst_len = len;
    return true;
}

captls_result captls_rsa_private_key_init(
    captls_rsa_private_key *key, const uint8_t *p, size_t p_len,
    const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
    const uint8_t *dq, size_t dq_len, const uint8_t *iq, size_t iq_len,
    const uint8_t *e, size_t e_len)
{
    uint8_t n[CAPTLS_RSA_MAX_BYTES + 8], x[CAPTLS_RSA_MAX_BYTES];
    br_rsa_private_key sk;
    br_rsa_public_key pk;
    size_t n_len, i;
    captls_result r;
    bool ok;

    memset(key, 0, sizeof *key);
    if (!copy_part(key->p, &key->p_len, p, p_len) ||
        !copy_part(key->q, &key->q_len, q, q_len) ||
        !copy_part(key->dp, &key->dp_len, dp, dp_len) ||
        !copy_part(key->dq, &key->dq_len, dq, dq_len) ||
        !copy_part(key->iq, &key->iq_len, iq, iq_len)) {
        captls_rsa_private_key_destroy(key);
        return CAPTLS_ERR_INVALID_KEY;
    }
    to_br_private(key, &sk);
    /* compute_modulus sizes its output from n_bitlen: give it the upper
     * bound bits(p) + bits(q); the real length is read back from n.
     * BearSSL 0.6's i31 version returns 0 for 4096-bit keys (2048-bit
     * factors); the i15 one handles every size we accept, and this runs
     * once per key. */
    sk.n_bitlen = bit_length(key->p, key->p_len) +
                  bit_length(key->q, key->q_len);
    n_len = br_rsa_i15_compute_modulus(NULL, &sk);
    if (n_len == 0 || n_len > sizeof n) {
        captls_rsa_private_key_destroy(key);
        return n_len == 0 ? CAPTLS_ERR_INVALID_KEY : CAPTLS_ERR_UNSUPPORTED;
    }
    (void)br_rsa_i15_compute_modulus(n, &sk);
    r = captls_rsa_public_key_init(&key->pub, n, n_len, e, e_len);
    if (r != CAPTLS_OK) {
        captls_rsa_private_key_destroy(key);
        return r;
    }
    /* The 64-bit context (a key it cannot serve stays on BearSSL). */
    (void)captls_rsa_fast_priv_init(key);
    /* Consistency: x = 2..., x^(ed) == x with the CRT private op (on the
     * 64-bit path that check is inside the operation). */
    to_br_private(key, &sk);
    memset(x, 0, sizeof x);
    for (i = 1; i < key->pub.n_len; i++)
        x[i] = (uint8_t)(i * 37 + 11);
    memcpy(n, x, key->pub.n_len);
    ok = rsasp1(key, x, n) == CAPTLS_OK;
    if (ok && captls_rsa_fast_priv_ready(key)) {
        /* and the BearSSL form of the key agrees (the fallback path) */
        memcpy(x, n, key->pub.n_len);
        ok = rsa_private_op()(x, &sk) == 1;
        to_br_public(&key->pub, &pk);
        ok = ok && rsa_public_op()(x, key->pub.n_len, &pk) == 1 &&
             memcmp(x, n, key->pub.n_len) == 0;
    }
    captls_zeroize(&sk, sizeof sk);
    captls_zeroize(x, sizeof x);
    if (!ok) {
        captls_rsa_private_key_destroy(key);
        return CAPTLS_ERR_INVALID_KEY;
    }
    return CAPTLS_OK;
}

void captls_rsa_private_key_destroy(captls_rsa_private_key *key)
{
    captls_zeroize(key, sizeof *key);
}

void captls_rsa_private_key_set_entropy(captls_rsa_private_key *key,
                                        captls_entropy entropy)
{
    key->blind_entropy = entropy;
}

void captls_rsa_private_key_public(const captls_rsa_private_key *key,
                                   captls_rsa_public_key *pub)
{
    *pub = key->pub;
}

/* ------------------------------------------------------------ PSS sign */

captls_result captls_rsa_pss_sign(const captls_rsa_private_key *key,
                                  captls_hash_alg hash,
                                  captls_hash_alg mgf1_hash,
                                  const uint8_t *salt, size_t salt_len,
                                  const uint8_t *msg, size_t msg_len,
                                  uint8_t *sig, size_t sig_cap,
                                  size_t *sig_len)
{
    uint8_t buf[CAPTLS_RSA_MAX_BYTES], em_copy[CAPTLS_RSA_MAX_BYTES];
    uint8_t mhash[CAPTLS_HASH_MAX_SIZE];
    size_t hlen = captls_hash_size(hash), k = key->pub.n_len;
    size_t em_bits, em_len, db_len;
    uint8_t *em;
    captls_result r;

    if (hlen == 0 || captls_hash_size(mgf1_hash) == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (k == 0)
        return CAPTLS_ERR_INVALID_KEY;
    if (sig_cap < k)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (salt_len > 0 && salt == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* §8.1.1 step 1: EM = EMSA-PSS-ENCODE(M, modBits - 1). */
    em_bits = key->pub.bits - 1;
    em_len = (em_bits + 7) / 8;
    /* §9.1.1 step 3: "If emLen < hLen + sLen + 2, output 'encoding
     * error'". */
    if (salt_len > CAPTLS_RSA_MAX_BYTES || em_len < hlen + salt_len + 2)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, mhash));
    memset(buf, 0, k);
    em = buf + (k - em_len);
    db_len = em_len - hlen - 1;
    /* steps 7-8: DB = PS || 0x01 || salt */
    em[db_len - salt_len - 1] = 0x01;
    if (salt_len > 0)
        memcpy(em + db_len - salt_len, salt, salt_len);
    /* steps 5-6: H */
    pss_h(hash, mhash, salt, salt_len, em + db_len);
    /* steps 9-11: maskedDB, clear the leftmost 8emLen - emBits bits */
    mgf1_xor(mgf1_hash, em + db_len, hlen, em, db_len);
    em[0] &= (uint8_t)(0xff >> (8 * em_len - em_bits));
    /* step 12 */
    em[em_len - 1] = 0xbc;
    memcpy(em_copy, buf, k);

    /* §8.1.1 step 2: s = RSASP1(K, m), with CRT; then check s^e == m
     * before releasing s (a faulty CRT half would leak a factor). */
    r = rsasp1(key, buf, em_copy);
    if (r == CAPTLS_OK) {
        memcpy(sig, buf, k);
        *sig_len = k;
    }
    captls_zeroize(buf, sizeof buf);
    captls_zeroize(em_copy, sizeof em_copy);
    return r;
}

/* --------------------------------------------------- PKCS#1 v1.5 sign */

captls_result captls_rsa_pkcs1_sign(const captls_rsa_private_key *key,
                                    captls_hash_alg hash, const uint8_t *msg,
                                    size_t msg_len, uint8_t *sig,
                                    size_t sig_cap, size_t *sig_len)
{
    uint8_t buf[CAPTLS_RSA_MAX_BYTES], em[CAPTLS_RSA_MAX_BYTES];
    const uint8_t *di;
    size_t k = key->pub.n_len, hlen = captls_hash_size(hash), tlen, pos;
    captls_result r;

    switch (hash) {
    case CAPTLS_HASH_SHA256: di = di_sha256; break;
    case CAPTLS_HASH_SHA384: di = di_sha384; break;
    case CAPTLS_HASH_SHA512: di = di_sha512; break;
    default: return CAPTLS_ERR_UNSUPPORTED;
    }
    if (k == 0)
        return CAPTLS_ERR_INVALID_KEY;
    if (sig_cap < k)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    if (sig_len == NULL || (msg == NULL && msg_len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    /* §9.2 EMSA-PKCS1-v1_5-ENCODE: EM = 0x00 || 0x01 || PS || 0x00 || T;
     * step 3: "If emLen < tLen + 11, output 'intended encoded message
     * length too short'". */
    tlen = 19 + hlen;
    if (k < tlen + 11)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    em[0] = 0x00;
    em[1] = 0x01;
    pos = k - tlen - 1;
    memset(em + 2, 0xff, pos - 2);
    em[pos++] = 0x00;
    memcpy(em + pos, di, 19);
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, em + pos + 19));
    memcpy(buf, em, k);
    /* §8.2.1 step 2: s = RSASP1(K, m); checked with the public key before
     * release, as for PSS. */
    r = rsasp1(key, buf, em);
    if (r == CAPTLS_OK) {
        memcpy(sig, buf, k);
        *sig_len = k;
    }
    captls_zeroize(buf, sizeof buf);
    return r;
}

/* ------------------------------------------------------------ keygen */

/* A BearSSL PRNG whose output is the caller's entropy interface. BearSSL's
 * generate() cannot fail, so a failed draw is remembered and from then on
 * the output is a public filler sequence (so that BearSSL's prime search
 * still ends); captls_rsa_keygen then discards the key. */
typedef struct entropy_prng {
    const br_prng_class *vtable;
    captls_entropy entropy;
    bool failed;
    uint64_t filler;
} entropy_prng;

static void eprng_init(const br_prng_class **ctx, const void *params,
                       const void *seed, size_t seed_len)
{
    (void)ctx;
    (void)params;
    (void)seed;
    (void)seed_len;
}

static void eprng_generate(const br_prng_class **ctx, void *out, size_t len)
{
    entropy_prng *p = (entropy_prng *)(void *)ctx;
    if (p->failed || p->entropy.fill == NULL ||
        p->entropy.fill(p->entropy.ctx, out, len) != CAPTLS_OK) {
        uint8_t *o = out;
        p->failed = true;
        for (size_t i = 0; i < len; i++) {
            p->filler ^= p->filler << 13; /* xorshift64: not secret */
            p->filler ^= p->filler >> 7;
            p->filler ^= p->filler << 17;
            o[i] = (uint8_t)p->filler;
        }
    }
}

static void eprng_update(const br_prng_class **ctx, const void *seed,
                         size_t seed_len)
{
    (void)ctx;
    (void)seed;
    (void)seed_len;
}

static const br_prng_class eprng_vtable = {sizeof(entropy_prng), eprng_init,
                                           eprng_generate, eprng_update};

captls_result captls_rsa_keygen(captls_rsa_private_key *out, unsigned bits,
                                captls_entropy entropy)
{
    uint8_t kpriv[BR_RSA_KBUF_PRIV_SIZE(4096)];
    uint8_t kpub[BR_RSA_KBUF_PUB_SIZE(4096)];
    br_rsa_private_key sk;
    br_rsa_public_key pk;
    entropy_prng rng = {&eprng_vtable, entropy, false, 0x9E3779B97F4A7C15u};
    uint8_t probe[32];
    br_rsa_keygen gen = br_rsa_i62_keygen_get();
    captls_result r;
    uint32_t ok;

    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (bits != 2048 && bits != 3072 && bits != 4096)
        return CAPTLS_ERR_UNSUPPORTED;
    /* A source that fails at once fails before any work. */
    if (entropy.fill == NULL ||
        entropy.fill(entropy.ctx, probe, sizeof probe) != CAPTLS_OK)
        return CAPTLS_ERR_ENTROPY_FAILURE;
    captls_zeroize(probe, sizeof probe);
    if (gen == 0)
        gen = &br_rsa_i31_keygen;
    ok = gen(&rng.vtable, &sk, kpriv, &pk, kpub, bits, 65537);
    if (ok != 1 || rng.failed) {
        r = rng.failed ? CAPTLS_ERR_ENTROPY_FAILURE : CAPTLS_ERR_INTERNAL;
    } else {
        r = captls_rsa_private_key_init(out, sk.p, sk.plen, sk.q, sk.qlen,
                                        sk.dp, sk.dplen, sk.dq, sk.dqlen,
                                        sk.iq, sk.iqlen, pk.e, pk.elen);
        if (r == CAPTLS_OK && out->pub.bits != bits)
            r = CAPTLS_ERR_INTERNAL;
    }
    captls_zeroize(kpriv, sizeof kpriv);
    captls_zeroize(&sk, sizeof sk);
    if (r != CAPTLS_OK)
        captls_rsa_private_key_destroy(out);
    return r;
}
