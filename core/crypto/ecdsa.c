/* See ecdsa.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <bearssl.h>

#include "core/base/ct.h"
#include "core/crypto/ecdsa.h"

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

/* 1 <= x < n, without a data-dependent branch on x's bytes. */
static bool p256_scalar_ok(const uint8_t x[32])
{
    uint32_t nonzero = 0, borrow = 0;
    int i;

    for (i = 31; i >= 0; i--) {
        uint32_t d = (uint32_t)x[i] - p256_order[i] - borrow;
        borrow = (d >> 31) & 1;
        nonzero |= x[i];
    }
    /* borrow == 1 iff x < n */
    return (bool)(borrow & ((nonzero + 0xffu) >> 8));
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

captls_result captls_ecdsa_p256_sign(const uint8_t priv[32],
                                     captls_hash_alg hash, const uint8_t *msg,
                                     size_t msg_len,
                                     uint8_t sig[CAPTLS_ECDSA_P256_SIG_MAX],
                                     size_t *sig_len)
{
    const br_hash_class *hf = captls_hash_vtable(hash);
    uint8_t digest[CAPTLS_HASH_MAX_SIZE], x[32], raw[64];
    uint8_t der[CAPTLS_ECDSA_P256_SIG_MAX];
    br_ec_private_key sk;
    size_t n, len;

    if (hf == NULL)
        return CAPTLS_ERR_UNSUPPORTED;
    if (!p256_scalar_ok(priv))
        return CAPTLS_ERR_INVALID_KEY;
    CAPTLS_TRY(captls_hash(hash, msg, msg_len, digest));
    memcpy(x, priv, 32);
    sk.curve = BR_EC_secp256r1;
    sk.x = x;
    sk.xlen = 32;
    /* RFC 6979 §3.2: k from HMAC_DRBG(x, bits2octets(H(m))) using hf. */
    n = br_ecdsa_i31_sign_raw(&br_ec_all_m31, hf, digest, &sk, raw);
    captls_zeroize(x, sizeof x);
    captls_zeroize(&sk, sizeof sk);
    if (n != 64) {
        captls_zeroize(raw, sizeof raw);
        return CAPTLS_ERR_INTERNAL;
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

captls_result captls_ecdsa_p256_public(const uint8_t priv[32],
                                       uint8_t point[65])
{
    const br_ec_impl *impl = &br_ec_all_m31;
    uint8_t out[65], x[32];
    size_t n;

    if (!p256_scalar_ok(priv))
        return CAPTLS_ERR_INVALID_KEY;
    memcpy(x, priv, 32);
    n = impl->mulgen(out, x, 32, BR_EC_secp256r1);
    captls_zeroize(x, sizeof x);
    if (n != 65)
        return CAPTLS_ERR_INTERNAL;
    memcpy(point, out, 65);
    return CAPTLS_OK;
}
