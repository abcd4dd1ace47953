/* See shim_ops.h; the protocol is in conformance/SHIM.md. */
#include "conformance/shim_ops.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/shim_line.h"
#include "conformance/shim_x509.h"
#include "core/crypto/aead.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/hash.h"
#include "core/crypto/hkdf.h"
#include "core/crypto/hmac.h"
#include "core/crypto/p256_ecdh.h"
#include "core/crypto/p384_ecdh.h"
#include "core/crypto/rsa.h"
#include "core/crypto/spki.h"
#include "core/crypto/x25519.h"

/* Result bytes never exceed half a line plus a tag. */
#define SCRATCH_CAP (CAPTLS_SHIM_MAX_LINE / 2 + 64)
#define OUT_CAP (2 * SCRATCH_CAP + 256)

struct captls_shim {
    uint8_t *scratch;   /* SCRATCH_CAP bytes: results, in-place AEAD */
    char *out;          /* OUT_CAP bytes: the answer line */
    size_t out_len;
};

typedef enum arg_kind { HEX, NAME, DEC } arg_kind;

typedef struct arg {
    uint8_t *p; /* HEX: decoded bytes (inside the line) */
    size_t n;
    uint64_t v; /* DEC */
    captls_shim_tok tok; /* NAME (and the raw token of every kind) */
} arg;

/* A handler returns NULL after writing its answer with put_bytes() or
 * put_word(), or the reason of an "error: " answer. */
typedef const char *op_fn(captls_shim *sh, arg *a);

typedef struct op_row {
    const char *name;
    size_t nargs;
    const char *argname[CAPTLS_SHIM_MAX_ARGS];
    arg_kind kind[CAPTLS_SHIM_MAX_ARGS];
    op_fn *fn;
} op_row;

static void put_word(captls_shim *sh, const char *w)
{
    size_t n = strlen(w);
    memcpy(sh->out, w, n + 1);
    sh->out_len = n;
}

static void put_bytes(captls_shim *sh, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n == 0) {
        put_word(sh, "-");
        return;
    }
    if (2 * n + 1 > OUT_CAP) { /* unreachable: results are bounded */
        put_word(sh, "error: internal");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        sh->out[2 * i] = digits[p[i] >> 4];
        sh->out[2 * i + 1] = digits[p[i] & 15];
    }
    sh->out[2 * n] = '\0';
    sh->out_len = 2 * n;
}

/* ------------------------------------------------------------ hashes */

static const char *digest(captls_shim *sh, captls_hash_alg alg, arg *a)
{
    uint8_t out[CAPTLS_HASH_MAX_SIZE];
    if (captls_hash(alg, a[0].p, a[0].n, out) != CAPTLS_OK)
        return "internal";
    put_bytes(sh, out, captls_hash_size(alg));
    return NULL;
}

static const char *op_sha256(captls_shim *sh, arg *a)
{
    return digest(sh, CAPTLS_HASH_SHA256, a);
}

static const char *op_sha384(captls_shim *sh, arg *a)
{
    return digest(sh, CAPTLS_HASH_SHA384, a);
}

static const char *op_sha512(captls_shim *sh, arg *a)
{
    return digest(sh, CAPTLS_HASH_SHA512, a);
}

static const char *hmac(captls_shim *sh, captls_hash_alg alg, arg *a)
{
    uint8_t out[CAPTLS_HASH_MAX_SIZE];
    if (captls_hmac(alg, a[0].p, a[0].n, a[1].p, a[1].n, out) != CAPTLS_OK)
        return "internal";
    put_bytes(sh, out, captls_hash_size(alg));
    return NULL;
}

static const char *op_hmac_sha256(captls_shim *sh, arg *a)
{
    return hmac(sh, CAPTLS_HASH_SHA256, a);
}

static const char *op_hmac_sha384(captls_shim *sh, arg *a)
{
    return hmac(sh, CAPTLS_HASH_SHA384, a);
}

static const char *op_hmac_sha512(captls_shim *sh, arg *a)
{
    return hmac(sh, CAPTLS_HASH_SHA512, a);
}

/* RFC 5869: L > 255 * HashLen is "invalid" (a well-formed request the
 * primitive refuses), not an error. LEN 0 gives the empty OKM, "-". */
static const char *hkdf(captls_shim *sh, captls_hash_alg alg, arg *a)
{
    uint8_t prk[CAPTLS_HASH_MAX_SIZE];
    size_t hlen = captls_hash_size(alg);
    if (a[3].v > 255 * hlen) {
        put_word(sh, "invalid");
        return NULL;
    }
    size_t len = (size_t)a[3].v;
    if (captls_hkdf_extract(alg, a[1].p, a[1].n, a[0].p, a[0].n, prk) !=
        CAPTLS_OK)
        return "internal";
    captls_result r = captls_hkdf_expand(alg, prk, hlen, a[2].p, a[2].n,
                                         sh->scratch, len);
    if (r == CAPTLS_ERR_LIMIT_EXCEEDED) {
        put_word(sh, "invalid");
        return NULL;
    }
    if (r != CAPTLS_OK)
        return "internal";
    put_bytes(sh, sh->scratch, len);
    return NULL;
}

static const char *op_hkdf_sha256(captls_shim *sh, arg *a)
{
    return hkdf(sh, CAPTLS_HASH_SHA256, a);
}

static const char *op_hkdf_sha384(captls_shim *sh, arg *a)
{
    return hkdf(sh, CAPTLS_HASH_SHA384, a);
}

static const char *op_hkdf_sha512(captls_shim *sh, arg *a)
{
    return hkdf(sh, CAPTLS_HASH_SHA512, a);
}

/* ------------------------------------------------------------ AEAD */

static const char *aead_args(arg *a, captls_aead_alg *alg)
{
    if (captls_shim_tok_is(&a[0].tok, "aes-128-gcm"))
        *alg = CAPTLS_AEAD_AES_128_GCM;
    else if (captls_shim_tok_is(&a[0].tok, "aes-256-gcm"))
        *alg = CAPTLS_AEAD_AES_256_GCM;
    else if (captls_shim_tok_is(&a[0].tok, "chacha20-poly1305"))
        *alg = CAPTLS_AEAD_CHACHA20_POLY1305;
    else
        return "ALG: unknown aead";
    if (a[1].n != captls_aead_key_size(*alg))
        return "KEY: wrong length";
    if (a[2].n != CAPTLS_AEAD_NONCE_SIZE)
        return "NONCE: wrong length";
    return NULL;
}

static const char *op_aead_seal(captls_shim *sh, arg *a)
{
    captls_aead_alg alg;
    const char *why = aead_args(a, &alg);
    if (why != NULL)
        return why;
    uint8_t *buf = sh->scratch; /* PT is at most half a line: fits */
    memcpy(buf, a[4].p, a[4].n);
    if (captls_aead_seal(alg, a[1].p, a[1].n, a[2].p, a[3].p, a[3].n, buf,
                         a[4].n, buf + a[4].n) != CAPTLS_OK)
        return "internal";
    put_bytes(sh, buf, a[4].n + CAPTLS_AEAD_TAG_SIZE);
    return NULL;
}

/* A CTTAG shorter than the tag cannot authenticate: "invalid". */
static const char *op_aead_open(captls_shim *sh, arg *a)
{
    captls_aead_alg alg;
    const char *why = aead_args(a, &alg);
    if (why != NULL)
        return why;
    if (a[4].n < CAPTLS_AEAD_TAG_SIZE) {
        put_word(sh, "invalid");
        return NULL;
    }
    size_t len = a[4].n - CAPTLS_AEAD_TAG_SIZE;
    uint8_t *buf = sh->scratch;
    memcpy(buf, a[4].p, len);
    captls_result r = captls_aead_open(alg, a[1].p, a[1].n, a[2].p, a[3].p,
                                       a[3].n, buf, len, a[4].p + len);
    if (r == CAPTLS_ERR_AUTH_FAILED) {
        put_word(sh, "invalid");
        return NULL;
    }
    if (r != CAPTLS_OK)
        return "internal";
    put_bytes(sh, buf, len);
    return NULL;
}

/* ------------------------------------------------------------ 25519 */

/* Any 32-byte u is a well-formed input (RFC 7748 masks bit 255 and takes
 * non-canonical values); an all-zero result is "invalid". */
static const char *op_x25519(captls_shim *sh, arg *a)
{
    uint8_t out[32];
    if (a[0].n != 32)
        return "SCALAR: wrong length";
    if (a[1].n != 32)
        return "UCOORD: wrong length";
    captls_result r = captls_x25519(out, a[0].p, a[1].p);
    if (r == CAPTLS_ERR_INVALID_KEY)
        put_word(sh, "invalid");
    else if (r == CAPTLS_OK)
        put_bytes(sh, out, 32);
    else
        return "internal";
    return NULL;
}

static const char *op_ed25519_pub(captls_shim *sh, arg *a)
{
    uint8_t pub[32];
    if (a[0].n != 32)
        return "SEED: wrong length";
    captls_ed25519_public_from_seed(pub, a[0].p);
    put_bytes(sh, pub, 32);
    return NULL;
}

static const char *op_ed25519_sign(captls_shim *sh, arg *a)
{
    uint8_t pub[32], sig[64];
    if (a[0].n != 32)
        return "SEED: wrong length";
    captls_ed25519_public_from_seed(pub, a[0].p);
    captls_ed25519_sign(sig, a[0].p, pub, a[1].p, a[1].n);
    put_bytes(sh, sig, 64);
    return NULL;
}

/* A PUB of the wrong length is an error; a 32-byte PUB that is not an
 * acceptable point (non-canonical, small order) and a SIG of any other
 * length than 64 are "invalid". */
static const char *op_ed25519_verify(captls_shim *sh, arg *a)
{
    if (a[0].n != 32)
        return "PUB: wrong length";
    bool ok = a[2].n == 64 &&
              captls_ed25519_verify(a[0].p, a[1].p, a[1].n, a[2].p) ==
                  CAPTLS_OK;
    put_word(sh, ok ? "valid" : "invalid");
    return NULL;
}

/* ------------------------------------------------------------ ECDSA */

static const char *hash_named(const captls_shim_tok *t, captls_hash_alg *alg)
{
    if (captls_shim_tok_is(t, "sha256"))
        *alg = CAPTLS_HASH_SHA256;
    else if (captls_shim_tok_is(t, "sha384"))
        *alg = CAPTLS_HASH_SHA384;
    else if (captls_shim_tok_is(t, "sha512"))
        *alg = CAPTLS_HASH_SHA512;
    else
        return "unknown hash";
    return NULL;
}

/* CURVE: the curve and its field size in bytes (32 or 48). */
static const char *curve_named(const captls_shim_tok *t, captls_ec_curve *c,
                               size_t *size)
{
    if (captls_shim_tok_is(t, "p256")) {
        *c = CAPTLS_EC_P256;
        *size = 32;
    } else if (captls_shim_tok_is(t, "p384")) {
        *c = CAPTLS_EC_P384;
        *size = 48;
    } else {
        return "CURVE: unknown curve";
    }
    return NULL;
}

/* CURVE HASH POINT (a[0], a[1], a[2]) of both verify operations. */
static const char *ecdsa_key_args(arg *a, captls_ec_curve *curve,
                                  captls_hash_alg *hash, size_t *size)
{
    const char *why = curve_named(&a[0].tok, curve, size);
    if (why != NULL)
        return why;
    if (hash_named(&a[1].tok, hash) != NULL)
        return "HASH: unknown hash";
    if (a[2].n != 1 + 2 * *size)
        return "POINT: wrong length";
    if (a[2].p[0] != 0x04)
        return "POINT: not uncompressed";
    return NULL;
}

static const char *ecdsa_answer(captls_shim *sh, captls_result r)
{
    if (r == CAPTLS_OK)
        put_word(sh, "valid");
    else if (r == CAPTLS_ERR_BAD_SIGNATURE || r == CAPTLS_ERR_INVALID_KEY)
        put_word(sh, "invalid");
    else
        return "internal";
    return NULL;
}

/* POINT must have the curve's uncompressed length (else error) and start
 * with 04 (else error: compressed and hybrid forms are not supported); a
 * point off the curve is "invalid", as is any DERSIG that does not verify
 * (malformed DER included). */
static const char *op_ecdsa_verify(captls_shim *sh, arg *a)
{
    captls_ec_curve curve;
    captls_hash_alg hash;
    size_t size;
    const char *why = ecdsa_key_args(a, &curve, &hash, &size);
    if (why != NULL)
        return why;
    return ecdsa_answer(sh, captls_ecdsa_verify(curve, hash, a[2].p, a[2].n,
                                                a[3].p, a[3].n, a[4].p,
                                                a[4].n));
}

/* IEEE P1363 / RFC 4754 form: SIG is r || s, each exactly the field size.
 * Any other length, r or s zero or >= n, is "invalid" (the signature is
 * the thing judged); the pair is re-encoded as minimal DER and checked by
 * captls_ecdsa_verify. */
static const char *op_ecdsa_verify_p1363(captls_shim *sh, arg *a)
{
    captls_ec_curve curve;
    captls_hash_alg hash;
    size_t size;
    uint8_t der[CAPTLS_ECDSA_P384_SIG_MAX];
    size_t len;
    const char *why = ecdsa_key_args(a, &curve, &hash, &size);
    if (why != NULL)
        return why;
    if (captls_ecdsa_sig_from_p1363(curve, a[4].p, a[4].n, der, &len) !=
        CAPTLS_OK) {
        put_word(sh, "invalid"); /* a SIG of the wrong length */
        return NULL;
    }
    return ecdsa_answer(sh, captls_ecdsa_verify(curve, hash, a[2].p, a[2].n,
                                                a[3].p, a[3].n, der, len));
}

/* Deterministic (RFC 6979) signature, answered as r || s. A SCALAR of the
 * wrong length is an error; 0 or >= n is "invalid" (right shape,
 * unusable key). */
static const char *op_ecdsa_sign_p1363(captls_shim *sh, arg *a)
{
    captls_ec_curve curve;
    captls_hash_alg hash;
    size_t size, der_len = 0, raw_len = 0;
    uint8_t der[CAPTLS_ECDSA_P384_SIG_MAX], raw[96];
    const char *why = curve_named(&a[0].tok, &curve, &size);
    if (why != NULL)
        return why;
    if (hash_named(&a[1].tok, &hash) != NULL)
        return "HASH: unknown hash";
    if (a[2].n != size)
        return "SCALAR: wrong length";
    captls_result r =
        curve == CAPTLS_EC_P256
            ? captls_ecdsa_p256_sign(a[2].p, hash, a[3].p, a[3].n, der, &der_len)
            : captls_ecdsa_p384_sign(a[2].p, hash, a[3].p, a[3].n, der, &der_len);
    if (r == CAPTLS_ERR_INVALID_KEY) {
        put_word(sh, "invalid");
        return NULL;
    }
    if (r != CAPTLS_OK ||
        captls_ecdsa_sig_to_p1363(curve, der, der_len, raw, &raw_len) != CAPTLS_OK)
        return "internal";
    put_bytes(sh, raw, raw_len);
    return NULL;
}

/* The public point of SCALAR (uncompressed). */
static const char *op_ecdh_pub(captls_shim *sh, arg *a)
{
    captls_ec_curve curve;
    size_t size;
    uint8_t pub[CAPTLS_P384_POINT_SIZE];
    const char *why = curve_named(&a[0].tok, &curve, &size);
    if (why != NULL)
        return why;
    if (a[1].n != size)
        return "SCALAR: wrong length";
    captls_result r = curve == CAPTLS_EC_P256 ? captls_p256_public(pub, a[1].p)
                                              : captls_p384_public(pub, a[1].p);
    if (r == CAPTLS_ERR_INVALID_KEY) {
        put_word(sh, "invalid");
        return NULL;
    }
    if (r != CAPTLS_OK)
        return "internal";
    put_bytes(sh, pub, 1 + 2 * size);
    return NULL;
}

/* The shared x-coordinate. POINT is the peer's key, the thing judged: any
 * length, a compressed or hybrid form, a point off the curve or with a
 * coordinate >= p is "invalid"; so is SCALAR 0 or >= n. */
static const char *op_ecdh(captls_shim *sh, arg *a)
{
    captls_ec_curve curve;
    size_t size;
    uint8_t shared[CAPTLS_P384_SHARED_SIZE];
    const char *why = curve_named(&a[0].tok, &curve, &size);
    if (why != NULL)
        return why;
    if (a[1].n != size)
        return "SCALAR: wrong length";
    captls_result r =
        curve == CAPTLS_EC_P256
            ? captls_p256_ecdh(shared, a[1].p, a[2].p, a[2].n)
            : captls_p384_ecdh(shared, a[1].p, a[2].p, a[2].n);
    if (r == CAPTLS_ERR_INVALID_KEY) {
        put_word(sh, "invalid");
        return NULL;
    }
    if (r != CAPTLS_OK)
        return "internal";
    put_bytes(sh, shared, size);
    return NULL;
}

/* ------------------------------------------------------------ RSA */

/* SPKI → RSA public key. Errors: not DER ("SPKI: malformed"), an
 * algorithm captls does not parse or a modulus outside what it parses
 * ("SPKI: unsupported key"), a non-RSA key ("SPKI: not an rsa key"), a
 * modulus outside the accepted 2048..4096 bits ("SPKI: unsupported key
 * size"). A well-formed key that is unusable (even modulus, bad exponent)
 * sets *unusable: the answer is then "invalid". */
static const char *rsa_key(const arg *spki, captls_public_key *pk,
                           captls_rsa_public_key *key, bool *unusable)
{
    *unusable = false;
    captls_result r = captls_spki_parse(spki->p, spki->n, pk, NULL);
    if (r == CAPTLS_ERR_INVALID_KEY) {
        *unusable = true;
        return NULL;
    }
    if (r == CAPTLS_ERR_UNSUPPORTED || r == CAPTLS_ERR_LIMIT_EXCEEDED)
        return "SPKI: unsupported key";
    if (r != CAPTLS_OK)
        return "SPKI: malformed";
    if (pk->type != CAPTLS_KEY_RSA && pk->type != CAPTLS_KEY_RSA_PSS)
        return "SPKI: not an rsa key";
    r = captls_rsa_public_key_init(key, pk->rsa_n.ptr, pk->rsa_n.len,
                                   pk->rsa_e.ptr, pk->rsa_e.len);
    if (r == CAPTLS_ERR_WEAK_KEY || r == CAPTLS_ERR_UNSUPPORTED)
        return "SPKI: unsupported key size";
    if (r != CAPTLS_OK)
        *unusable = true;
    return NULL;
}

static void verdict(captls_shim *sh, bool ok)
{
    put_word(sh, ok ? "valid" : "invalid");
}

/* An id-RSASSA-PSS key never verifies PKCS#1 v1.5 (RFC 4055 §1.2):
 * "invalid". */
static const char *op_rsa_pkcs1_verify(captls_shim *sh, arg *a)
{
    captls_hash_alg hash;
    captls_public_key pk;
    captls_rsa_public_key key;
    bool unusable;
    const char *why;
    if (hash_named(&a[0].tok, &hash) != NULL)
        return "HASH: unknown hash";
    if ((why = rsa_key(&a[1], &pk, &key, &unusable)) != NULL)
        return why;
    verdict(sh, !unusable && pk.type == CAPTLS_KEY_RSA &&
                    captls_rsa_pkcs1_verify(&key, hash, a[2].p, a[2].n, a[3].p,
                                            a[3].n) == CAPTLS_OK);
    return NULL;
}

/* SALTLEN is exact. A salt length no key can hold, or parameters an
 * id-RSASSA-PSS key does not allow (another hash or MGF1 hash, a salt
 * shorter than the key's saltLength, which RFC 4055 §3.1 makes the
 * minimum) are "invalid". */
static const char *op_rsa_pss_verify(captls_shim *sh, arg *a)
{
    captls_hash_alg hash, mgf;
    captls_public_key pk;
    captls_rsa_public_key key;
    bool unusable;
    const char *why;
    if (hash_named(&a[0].tok, &hash) != NULL)
        return "HASH: unknown hash";
    if (hash_named(&a[1].tok, &mgf) != NULL)
        return "MGFHASH: unknown hash";
    if ((why = rsa_key(&a[3], &pk, &key, &unusable)) != NULL)
        return why;
    /* (size_t)-1 would mean "any salt length": keep huge values out */
    bool ok = !unusable && a[2].v <= CAPTLS_RSA_MAX_BYTES;
    if (ok && pk.pss_restricted)
        ok = pk.pss.hash == hash && pk.pss.mgf1_hash == mgf &&
             a[2].v >= pk.pss.salt_len;
    ok = ok && captls_rsa_pss_verify(&key, hash, mgf, (size_t)a[2].v, a[4].p,
                                     a[4].n, a[5].p, a[5].n) == CAPTLS_OK;
    verdict(sh, ok);
    return NULL;
}

/* ------------------------------------------------------------ x509 */

/* conformance/shim_x509.c: chain verification (issue 5). */
static const char *op_x509_verify(captls_shim *sh, arg *a)
{
    captls_shim_tok t[6];
    for (size_t i = 0; i < 6; i++)
        t[i] = a[i].tok;
    return captls_shim_x509_verify(t, sh->out, OUT_CAP, &sh->out_len);
}

/* ------------------------------------------------------------ the table */

static const op_row ops[] = {
    {"sha256", 1, {"MSG"}, {HEX}, op_sha256},
    {"sha384", 1, {"MSG"}, {HEX}, op_sha384},
    {"sha512", 1, {"MSG"}, {HEX}, op_sha512},
    {"hmac-sha256", 2, {"KEY", "MSG"}, {HEX, HEX}, op_hmac_sha256},
    {"hmac-sha384", 2, {"KEY", "MSG"}, {HEX, HEX}, op_hmac_sha384},
    {"hmac-sha512", 2, {"KEY", "MSG"}, {HEX, HEX}, op_hmac_sha512},
    {"hkdf-sha256", 4, {"IKM", "SALT", "INFO", "LEN"}, {HEX, HEX, HEX, DEC},
     op_hkdf_sha256},
    {"hkdf-sha384", 4, {"IKM", "SALT", "INFO", "LEN"}, {HEX, HEX, HEX, DEC},
     op_hkdf_sha384},
    {"hkdf-sha512", 4, {"IKM", "SALT", "INFO", "LEN"}, {HEX, HEX, HEX, DEC},
     op_hkdf_sha512},
    {"aead-seal", 5, {"ALG", "KEY", "NONCE", "AAD", "PT"},
     {NAME, HEX, HEX, HEX, HEX}, op_aead_seal},
    {"aead-open", 5, {"ALG", "KEY", "NONCE", "AAD", "CTTAG"},
     {NAME, HEX, HEX, HEX, HEX}, op_aead_open},
    {"x25519", 2, {"SCALAR", "UCOORD"}, {HEX, HEX}, op_x25519},
    {"ed25519-pub", 1, {"SEED"}, {HEX}, op_ed25519_pub},
    {"ed25519-sign", 2, {"SEED", "MSG"}, {HEX, HEX}, op_ed25519_sign},
    {"ed25519-verify", 3, {"PUB", "MSG", "SIG"}, {HEX, HEX, HEX},
     op_ed25519_verify},
    {"ecdsa-verify", 5, {"CURVE", "HASH", "POINT", "MSG", "DERSIG"},
     {NAME, NAME, HEX, HEX, HEX}, op_ecdsa_verify},
    {"ecdsa-verify-p1363", 5, {"CURVE", "HASH", "POINT", "MSG", "SIG"},
     {NAME, NAME, HEX, HEX, HEX}, op_ecdsa_verify_p1363},
    {"ecdsa-sign-p1363", 4, {"CURVE", "HASH", "SCALAR", "MSG"},
     {NAME, NAME, HEX, HEX}, op_ecdsa_sign_p1363},
    {"ecdh-pub", 2, {"CURVE", "SCALAR"}, {NAME, HEX}, op_ecdh_pub},
    {"ecdh", 3, {"CURVE", "SCALAR", "POINT"}, {NAME, HEX, HEX}, op_ecdh},
    {"rsa-pkcs1-verify", 4, {"HASH", "SPKI", "MSG", "SIG"},
     {NAME, HEX, HEX, HEX}, op_rsa_pkcs1_verify},
    {"rsa-pss-verify", 6, {"HASH", "MGFHASH", "SALTLEN", "SPKI", "MSG", "SIG"},
     {NAME, NAME, DEC, HEX, HEX, HEX}, op_rsa_pss_verify},
    {"x509-verify", 6,
     {"ROOTS_DER_LIST", "UNTRUSTED_DER_LIST", "LEAF_DER", "HOST", "EPOCH",
      "PURPOSE"},
     {NAME, NAME, NAME, NAME, NAME, NAME}, op_x509_verify},
};

const char *captls_shim_op_name(size_t i)
{
    return i < sizeof(ops) / sizeof(ops[0]) ? ops[i].name : NULL;
}

/* ------------------------------------------------------------ driver */

captls_shim *captls_shim_new(void)
{
    captls_shim *sh = calloc(1, sizeof(*sh));
    if (sh == NULL)
        return NULL;
    sh->scratch = malloc(SCRATCH_CAP);
    sh->out = malloc(OUT_CAP);
    if (sh->scratch == NULL || sh->out == NULL) {
        captls_shim_free(sh);
        return NULL;
    }
    return sh;
}

void captls_shim_free(captls_shim *sh)
{
    if (sh == NULL)
        return;
    free(sh->scratch);
    free(sh->out);
    free(sh);
}

static void put_error(captls_shim *sh, const char *argname,
                      const char *reason)
{
    int n;
    if (argname != NULL)
        n = snprintf(sh->out, OUT_CAP, "error: %s: %s", argname, reason);
    else
        n = snprintf(sh->out, OUT_CAP, "error: %s", reason);
    sh->out_len = n < 0 ? 0 : (size_t)n;
}

static void run(captls_shim *sh, char *line, size_t len, bool too_long)
{
    captls_shim_line l;
    const char *why;
    if (too_long) {
        put_error(sh, NULL, "line too long");
        return;
    }
    if ((why = captls_shim_line_split(line, len, &l)) != NULL) {
        put_error(sh, NULL, why);
        return;
    }
    const op_row *op = NULL;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (captls_shim_tok_is(&l.op, ops[i].name))
            op = &ops[i];
    if (op == NULL) {
        put_error(sh, NULL, "unknown operation");
        return;
    }
    if (l.nargs != op->nargs) {
        char reason[64];
        snprintf(reason, sizeof(reason), "%s takes %zu argument%s",
                 op->name, op->nargs, op->nargs == 1 ? "" : "s");
        put_error(sh, NULL, reason);
        return;
    }
    arg a[CAPTLS_SHIM_MAX_ARGS];
    memset(a, 0, sizeof(a));
    for (size_t i = 0; i < op->nargs; i++) {
        a[i].tok = l.arg[i];
        if (op->kind[i] == HEX)
            why = captls_shim_tok_hex(&l.arg[i], &a[i].p, &a[i].n);
        else if (op->kind[i] == DEC)
            why = captls_shim_tok_u64(&l.arg[i], &a[i].v);
        if (why != NULL) {
            put_error(sh, op->argname[i], why);
            return;
        }
    }
    sh->out_len = 0;
    sh->out[0] = '\0';
    if ((why = op->fn(sh, a)) != NULL)
        put_error(sh, NULL, why);
}

const char *captls_shim_run(captls_shim *sh, char *line, size_t len,
                            bool too_long, size_t *out_len)
{
    run(sh, line, len, too_long);
    *out_len = sh->out_len;
    return sh->out;
}
