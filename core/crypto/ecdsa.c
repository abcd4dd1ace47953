/* See ecdsa.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/hmac.h"
#include "core/crypto/p256_point.h"
#include "core/crypto/p384_ecdh.h"

/* P-256 group order n (FIPS 186-4 §D.1.2.3), for the range check on the
 * private scalar. */
static const uint8_t p256_order[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static int br_curve_id(captls_ec_curve curve)
{
    switch (curve) {
    case CAPTLS_EC_P256: return BR_EC_secp256r1;
    case CAPTLS_EC_P384: return BR_EC_secp384r1;
    case CAPTLS_EC_NONE: break;
    }
    return 0;
}

/* Order (= coordinate) size in bytes. */
static size_t curve_size(captls_ec_curve curve)
{
    switch (curve) {
    case CAPTLS_EC_P256: return 32;
    case CAPTLS_EC_P384: return 48;
    case CAPTLS_EC_NONE: break;
    }
    return 0;
}

/* One DER INTEGER at *p (within end), copied right-aligned into out[size].
 * Strict: short-form length, positive, minimal, nonzero, fits in size. */
static bool read_int(const uint8_t **p, const uint8_t *end, uint8_t *out,
                     size_t size)
{
    const uint8_t *q = *p;
    size_t len;

    if (end - q < 2 || q[0] != 0x02 || q[1] >= 0x80)
        return false;
    len = q[1];
    q += 2;
    if (len == 0 || (size_t)(end - q) < len)
        return false;
    /* X.690 §8.3.2: the first nine bits are not all 0 or all 1. */
    if (q[0] & 0x80)
        return false; /* negative */
    if (q[0] == 0x00) {
        if (len == 1 || !(q[1] & 0x80))
            return false; /* zero, or a redundant leading zero */
        q++;
        len--;
    }
    if (len > size)
        return false;
    memset(out, 0, size - len);
    memcpy(out + size - len, q, len);
    *p = q + len;
    return true;
}

/* ECDSA-Sig-Value to r||s (2*size bytes). */
static bool der_to_raw(const uint8_t *sig, size_t sig_len, uint8_t *raw,
                       size_t size)
{
    const uint8_t *p = sig, *end = sig + sig_len;

    /* A valid signature for P-256/P-384 is at most 104 bytes, so its
     * SEQUENCE length is < 128: DER (X.690 §10.1) then demands the short
     * form, and any long form is either non-minimal or too large. */
    if (sig_len < 2 || sig[0] != 0x30 || sig[1] >= 0x80 ||
        (size_t)sig[1] != sig_len - 2)
        return false;
    p += 2;
    if (!read_int(&p, end, raw, size) ||
        !read_int(&p, end, raw + size, size))
        return false;
    return p == end;
}

/* Is the point a valid uncompressed point of the curve? */
static bool point_ok(const br_ec_impl *impl, int id, const uint8_t *point,
                     size_t len, size_t size)
{
    uint8_t tmp[97];
    static const uint8_t one[1] = {1};

    if (len != 1 + 2 * size || point[0] != 0x04)
        return false;
    memcpy(tmp, point, len);
    /* br_ec_impl.mul decodes (and checks) the point; returns 0 if invalid. */
    return impl->mul(tmp, len, one, 1, id) == 1;
}

#if CAPTLS_P256_FAST
/* FIPS 186-4 §6.4.2 on the 64-bit P-256 code (p256_point.h). Everything
 * here is public: variable time is fine. */
static captls_result p256_verify_fast(const uint8_t *point, size_t point_len,
                                      const uint8_t *digest,
                                      size_t digest_len, const uint8_t *sig,
                                      size_t sig_len)
{
    p256_affine q;
    p256_sc r, s, e, w, u1, u2;
    uint8_t raw[64], x[32];

    /* SEC 1 §3.2.2.1: X, Y < p and on the curve */
    if (!p256_point_decode(&q, point, point_len))
        return CAPTLS_ERR_INVALID_KEY;
    if (sig == NULL || !der_to_raw(sig, sig_len, raw, 32))
        return CAPTLS_ERR_BAD_SIGNATURE;
    /* §6.4.2 step 1: "verify that r and s are in the range [1, n-1]" */
    if (p256_sc_frombytes_checked(&r, raw) == 0 ||
        p256_sc_frombytes_checked(&s, raw + 32) == 0)
        return CAPTLS_ERR_BAD_SIGNATURE;
    /* steps 2-3: e = leftmost min(N, outlen) bits of Hash(M) */
    p256_sc_from_digest(&e, digest, digest_len);
    /* steps 4-6: w = s^-1, u1 = e·w, u2 = r·w, R = u1·G + u2·Q */
    p256_sc_inv(&w, &s);
    p256_sc_mul(&u1, &e, &w);
    p256_sc_mul(&u2, &r, &w);
    /* step 7: R at infinity rejects */
    if (!p256_mul_double_vartime(x, &u1, &u2, &q))
        return CAPTLS_ERR_BAD_SIGNATURE;
    /* steps 8-9: v = x_R mod n; accept iff v = r */
    p256_sc_frombytes_reduce(&w, x);
    p256_sc_tobytes(x, &w);
    if (memcmp(x, raw, 32) != 0)
        return CAPTLS_ERR_BAD_SIGNATURE;
    return CAPTLS_OK;
}
#endif

captls_result captls_ecdsa_verify_digest(captls_ec_curve curve,
                                         const uint8_t *point,
                                         size_t point_len,
                                         const uint8_t *digest,
                                         size_t digest_len,
                                         const uint8_t *sig, size_t sig_len)
{
    const br_ec_impl *impl = &br_ec_all_m31;
    size_t size = curve_size(curve);
    int id = br_curve_id(curve);
    uint8_t raw[96];
    br_ec_public_key pk;

    if (size == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (digest_len == 0 || digest_len > 64)
        return CAPTLS_ERR_INVALID_ARGUMENT;
#if CAPTLS_P256_FAST
    if (curve == CAPTLS_EC_P256 && captls_p256_fast_active())
        return p256_verify_fast(point, point_len, digest, digest_len, sig,
                                sig_len);
#endif
    if (point == NULL || !point_ok(impl, id, point, point_len, size))
        return CAPTLS_ERR_INVALID_KEY;
    if (sig == NULL || !der_to_raw(sig, sig_len, raw, size))
        return CAPTLS_ERR_BAD_SIGNATURE;
    pk.curve = id;
    pk.q = (unsigned char *)(uintptr_t)point;
    pk.qlen = point_len;
    /* br_ecdsa_i31_vrfy_raw checks 0 < r, s < n and the equation. */
    if (br_ecdsa_i31_vrfy_raw(impl, digest, digest_len, &pk, raw,
                              2 * size) != 1)
        return CAPTLS_ERR_BAD_SIGNATURE;
    return CAPTLS_OK;
}

captls_result captls_ecdsa_verify(captls_ec_curve curve,
                                  captls_hash_alg hash, const uint8_t *point,
                                  size_t point_len, const uint8_t *msg,
                                  size_t msg_len, const uint8_t *sig,
                                  size_t sig_len)
{
    uint8_t digest[CAPTLS_HASH_MAX_SIZE];

    if (curve_size(curve) == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, digest));
    return captls_ecdsa_verify_digest(curve, point, point_len, digest,
                                      captls_hash_size(hash), sig, sig_len);
}

/* 1 <= x < n, without a data-dependent branch on x's bytes. The verdict
 * itself is public (the key is used or refused): declassified for the
 * ctgrind check (p256_point.h). */
static bool p256_scalar_ok(const uint8_t x[32])
{
    uint32_t nonzero = 0, borrow = 0, ok;
    int i;

    for (i = 31; i >= 0; i--) {
        uint32_t d = (uint32_t)x[i] - p256_order[i] - borrow;
        borrow = (d >> 31) & 1;
        nonzero |= x[i];
    }
    /* borrow == 1 iff x < n */
    ok = borrow & ((nonzero + 0xffu) >> 8);
    captls_p256_declassify(&ok, sizeof ok);
    return ok != 0;
}

/* Minimal DER INTEGER of a big-endian unsigned value (size bytes). */
static size_t write_int(uint8_t *out, const uint8_t *v, size_t size)
{
    size_t skip = 0, len, n = 0;

    while (skip < size - 1 && v[skip] == 0)
        skip++;
    len = size - skip;
    out[n++] = 0x02;
    out[n++] = (uint8_t)(len + (v[skip] >> 7));
    if (v[skip] & 0x80)
        out[n++] = 0x00;
    memcpy(out + n, v + skip, len);
    return n + len;
}

#if CAPTLS_P256_FAST
/* RFC 6979 §3.2 HMAC_DRBG state for P-256 (qlen = rlen = 256). */
typedef struct rfc6979 {
    captls_hash_alg hash;
    size_t hlen;
    uint8_t k[CAPTLS_HASH_MAX_SIZE], v[CAPTLS_HASH_MAX_SIZE];
} rfc6979;

/* K = HMAC_K(V || sep [|| x || h]); V = HMAC_K(V). */
static captls_result rfc6979_update(rfc6979 *st, uint8_t sep,
                                    const uint8_t *x, const uint8_t *h)
{
    captls_hmac_ctx ctx;

    CAPTLS_TRY(captls_hmac_init(&ctx, st->hash, st->k, st->hlen));
    captls_hmac_update(&ctx, st->v, st->hlen);
    captls_hmac_update(&ctx, &sep, 1);
    if (x != NULL) {
        captls_hmac_update(&ctx, x, 32);
        captls_hmac_update(&ctx, h, 32);
    }
    (void)captls_hmac_final(&ctx, st->k);
    return captls_hmac(st->hash, st->k, st->hlen, st->v, st->hlen, st->v);
}

/* §3.2 steps b-f: x = int2octets(x), h = bits2octets(h1). */
static captls_result rfc6979_init(rfc6979 *st, captls_hash_alg hash,
                                  const uint8_t x[32], const uint8_t h[32])
{
    st->hash = hash;
    st->hlen = captls_hash_size(hash);
    memset(st->v, 0x01, st->hlen); /* b. V = 0x01 0x01 ... */
    memset(st->k, 0x00, st->hlen); /* c. K = 0x00 0x00 ... */
    CAPTLS_TRY(rfc6979_update(st, 0x00, x, h)); /* d, e */
    return rfc6979_update(st, 0x01, x, h);      /* f, g */
}

/* §3.2 step h: the next candidate k in [1, n-1]. Whether a candidate
 * was rejected (k = 0 or k >= n, probability < 2^-32) is declassified:
 * it tells nothing usable about the key, and RFC 6979 §3.2 h.3 itself
 * loops on it. */
static captls_result rfc6979_next(rfc6979 *st, p256_sc *k)
{
    for (;;) {
        uint8_t t[32 + CAPTLS_HASH_MAX_SIZE];
        size_t tlen = 0;
        uint64_t ok;

        /* h.2: T = V || V || ... until tlen >= qlen */
        while (tlen < 32) {
            CAPTLS_TRY(captls_hmac(st->hash, st->k, st->hlen, st->v,
                                   st->hlen, st->v));
            memcpy(t + tlen, st->v, st->hlen);
            tlen += st->hlen;
        }
        /* h.3: k = bits2int(T): the leftmost 256 bits */
        ok = p256_sc_frombytes_checked(k, t);
        captls_zeroize(t, sizeof t);
        captls_p256_declassify(&ok, sizeof ok);
        if (ok != 0)
            return CAPTLS_OK;
        /* K = HMAC_K(V || 0x00); V = HMAC_K(V) */
        CAPTLS_TRY(rfc6979_update(st, 0x00, NULL, NULL));
    }
}

/* FIPS 186-4 §6.4.1 with k from RFC 6979: raw = r || s. d is in
 * [1, n-1] (checked by the caller). Constant time in d and k. */
static captls_result p256_sign_fast(const uint8_t priv[32],
                                    captls_hash_alg hash,
                                    const uint8_t *digest, size_t hlen,
                                    uint8_t raw[64])
{
    rfc6979 st;
    p256_sc d, e, k, r, s;
    p256_jac rp;
    uint8_t kb[32], hb[32];
    captls_result rc;

    (void)p256_sc_frombytes_checked(&d, priv);
    /* e = bits2int(H(m)) mod n; bits2octets(H(m)) = int2octets(e) */
    p256_sc_from_digest(&e, digest, hlen);
    p256_sc_tobytes(hb, &e);
    rc = rfc6979_init(&st, hash, priv, hb);
    while (rc == CAPTLS_OK) {
        uint64_t zero;

        rc = rfc6979_next(&st, &k);
        if (rc != CAPTLS_OK)
            break;
        /* (x1, y1) = k·G; r = x1 mod n */
        p256_sc_tobytes(kb, &k);
        p256_mul_base(&rp, kb);
        p256_point_x(raw, &rp);
        p256_sc_frombytes_reduce(&r, raw);
        /* s = k^-1 (e + r·d) mod n */
        p256_sc_inv(&k, &k);
        p256_sc_mul(&s, &r, &d);
        p256_sc_add(&s, &s, &e);
        p256_sc_mul(&s, &s, &k);
        p256_sc_tobytes(raw, &r);
        p256_sc_tobytes(raw + 32, &s);
        /* r and s are the public signature from here on */
        captls_p256_declassify(raw, 64);
        zero = p256_sc_is_zero(&r) | p256_sc_is_zero(&s);
        captls_p256_declassify(&zero, sizeof zero);
        /* §6.4.1 / RFC 6979 §3.4: r = 0 or s = 0 takes the next k */
        if (zero == 0)
            break;
    }
    captls_zeroize(&st, sizeof st);
    captls_zeroize(&d, sizeof d);
    captls_zeroize(&k, sizeof k);
    captls_zeroize(&rp, sizeof rp);
    captls_zeroize(kb, sizeof kb);
    captls_zeroize(hb, sizeof hb);
    return rc;
}
#endif

/* r||s by BearSSL: RFC 6979 §3.2 HMAC_DRBG(x, bits2octets(H(m))) with
 * hf (br_ecdsa_i31_sign_raw). */
static captls_result p256_sign_bearssl(const uint8_t priv[32],
                                       const br_hash_class *hf,
                                       const uint8_t *digest, uint8_t raw[64])
{
    uint8_t x[32];
    br_ec_private_key sk;
    size_t n;

    memcpy(x, priv, 32);
    sk.curve = BR_EC_secp256r1;
    sk.x = x;
    sk.xlen = 32;
    n = br_ecdsa_i31_sign_raw(&br_ec_all_m31, hf, digest, &sk, raw);
    captls_zeroize(x, sizeof x);
    captls_zeroize(&sk, sizeof sk);
    return n == 64 ? CAPTLS_OK : CAPTLS_ERR_INTERNAL;
}

captls_result captls_ecdsa_p256_sign(const uint8_t priv[32],
                                     captls_hash_alg hash, const uint8_t *msg,
                                     size_t msg_len,
                                     uint8_t sig[CAPTLS_ECDSA_P256_SIG_MAX],
                                     size_t *sig_len)
{
    const br_hash_class *hf = captls_hash_vtable(hash);
    uint8_t digest[CAPTLS_HASH_MAX_SIZE], raw[64];
    uint8_t der[CAPTLS_ECDSA_P256_SIG_MAX];
    captls_result rc;
    size_t len;

    if (hf == NULL)
        return CAPTLS_ERR_UNSUPPORTED;
    if (!p256_scalar_ok(priv))
        return CAPTLS_ERR_INVALID_KEY;
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, digest));
#if CAPTLS_P256_FAST
    if (captls_p256_fast_active())
        rc = p256_sign_fast(priv, hash, digest, captls_hash_size(hash), raw);
    else
#endif
        rc = p256_sign_bearssl(priv, hf, digest, raw);
    if (rc != CAPTLS_OK) {
        captls_zeroize(raw, sizeof raw);
        return rc;
    }
    len = 2;
    len += write_int(der + len, raw, 32);
    len += write_int(der + len, raw + 32, 32);
    der[0] = 0x30;
    der[1] = (uint8_t)(len - 2);
    memcpy(sig, der, len);
    *sig_len = len;
    return CAPTLS_OK;
}

/* P-384: BearSSL's RFC 6979 signer (br_ecdsa_i31_sign_raw) over
 * br_ec_all_m31; the scalar range is checked first (p384_ecdh.h). */
captls_result captls_ecdsa_p384_sign(const uint8_t priv[48],
                                     captls_hash_alg hash, const uint8_t *msg,
                                     size_t msg_len,
                                     uint8_t sig[CAPTLS_ECDSA_P384_SIG_MAX],
                                     size_t *sig_len)
{
    const br_hash_class *hf = captls_hash_vtable(hash);
    uint8_t digest[CAPTLS_HASH_MAX_SIZE], raw[96], x[48];
    uint8_t der[CAPTLS_ECDSA_P384_SIG_MAX];
    br_ec_private_key sk;
    size_t n, len;

    if (hf == NULL)
        return CAPTLS_ERR_UNSUPPORTED;
    if (!captls_p384_scalar_is_valid(priv))
        return CAPTLS_ERR_INVALID_KEY;
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, digest));
    memcpy(x, priv, 48);
    sk.curve = BR_EC_secp384r1;
    sk.x = x;
    sk.xlen = 48;
    n = br_ecdsa_i31_sign_raw(&br_ec_all_m31, hf, digest, &sk, raw);
    captls_zeroize(x, sizeof x);
    captls_zeroize(&sk, sizeof sk);
    if (n != 96)
        return CAPTLS_ERR_INTERNAL;
    len = 2;
    len += write_int(der + len, raw, 48);
    len += write_int(der + len, raw + 48, 48);
    der[0] = 0x30;
    der[1] = (uint8_t)(len - 2);
    memcpy(sig, der, len);
    *sig_len = len;
    return CAPTLS_OK;
}

captls_result captls_ecdsa_sig_to_p1363(captls_ec_curve curve,
                                        const uint8_t *der, size_t der_len,
                                        uint8_t *rs, size_t *rs_len)
{
    uint8_t raw[96];
    size_t size = curve_size(curve);

    if (size == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (!der_to_raw(der, der_len, raw, size))
        return CAPTLS_ERR_BAD_SIGNATURE;
    memcpy(rs, raw, 2 * size);
    *rs_len = 2 * size;
    return CAPTLS_OK;
}

captls_result captls_ecdsa_sig_from_p1363(captls_ec_curve curve,
                                          const uint8_t *rs, size_t rs_len,
                                          uint8_t *der, size_t *der_len)
{
    uint8_t out[CAPTLS_ECDSA_P384_SIG_MAX];
    size_t size = curve_size(curve), len = 2;

    if (size == 0)
        return CAPTLS_ERR_UNSUPPORTED;
    if (rs_len != 2 * size)
        return CAPTLS_ERR_BAD_SIGNATURE;
    len += write_int(out + len, rs, size);
    len += write_int(out + len, rs + size, size);
    out[0] = 0x30;
    out[1] = (uint8_t)(len - 2);
    memcpy(der, out, len);
    *der_len = len;
    return CAPTLS_OK;
}

captls_result captls_ecdsa_p256_public(const uint8_t priv[32],
                                       uint8_t point[65])
{
    const br_ec_impl *impl = &br_ec_all_m31;
    uint8_t out[65], x[32];
    size_t n;

    if (!p256_scalar_ok(priv))
        return CAPTLS_ERR_INVALID_KEY;
#if CAPTLS_P256_FAST
    if (captls_p256_fast_active()) {
        p256_jac q;

        p256_mul_base(&q, priv);
        p256_point_encode(point, &q);
        captls_zeroize(&q, sizeof q);
        return CAPTLS_OK;
    }
#endif
    memcpy(x, priv, 32);
    n = impl->mulgen(out, x, 32, BR_EC_secp256r1);
    captls_zeroize(x, sizeof x);
    if (n != 65)
        return CAPTLS_ERR_INTERNAL;
    memcpy(point, out, 65);
    return CAPTLS_OK;
}
