/* Fuzz harness: the flattened JWS parser and verifier (core/acme/jws.c,
 * jwk.c, signer.c).
 *
 * Input byte 0 selects the mode:
 *   even: the rest is a JWS text: parse it; on success decode the payload
 *         and verify under the embedded jwk (if any) — any verdict, no
 *         crash; the parsed fields stay within their bounds.
 *   odd:  the rest is split into nonce | url | payload (by 0x00 bytes);
 *         a JWS is signed with fixed test keys (ES256 or EdDSA by bit 1,
 *         jwk or kid by bit 2) through the signer callback; when the header
 *         fields are acceptable the result must parse back with the same
 *         nonce, url and payload and verify, and a flipped signature byte
 *         must not verify.
 * Fixed keys: insecure by design, fuzzing only. Builds for libFuzzer and
 * AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/acme/jws.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/ed25519.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static captls_json_token tok[512];
static uint8_t hdr[8192], scratch[1 << 17], pay[1 << 16];
static char out[1 << 17];
static captls_jws_parsed j;

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static uint8_t ed_pub[32];

static captls_result fixed_sign(void *ctx, captls_acme_sig_alg alg,
                                const uint8_t *msg, size_t len, uint8_t *sig,
                                size_t cap, size_t *sig_len)
{
    (void)ctx;
    if (alg == CAPTLS_ACME_SIG_ES256)
        return cap < CAPTLS_ECDSA_P256_SIG_MAX
                   ? CAPTLS_ERR_BUFFER_TOO_SMALL
                   : captls_ecdsa_p256_sign(KEY, CAPTLS_HASH_SHA256, msg, len, sig,
                                            sig_len);
    if (cap < 64)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    captls_ed25519_sign(sig, KEY, ed_pub, msg, len);
    *sig_len = 64;
    return CAPTLS_OK;
}

static void parse_mode(const uint8_t *data, size_t size)
{
    captls_result r = captls_jws_parse((const char *)data, size, tok, 512, hdr,
                                       sizeof(hdr), &j);
    if (r != CAPTLS_OK)
        return;
    if (j.nonce_len == 0 || j.nonce_len > CAPTLS_JWS_MAX_FIELD || j.url_len == 0 ||
        j.url_len > CAPTLS_JWS_MAX_FIELD || j.has_jwk == (j.kid_len != 0) ||
        j.protected_b64 < (const char *)data ||
        j.protected_b64 + j.protected_len > (const char *)data + size)
        abort();
    size_t n;
    if (captls_jws_payload(&j, pay, sizeof(pay), &n) != CAPTLS_OK)
        abort();
    if (j.has_jwk)
        (void)captls_jws_verify(&j, &j.jwk, scratch, sizeof(scratch));
}

static void sign_mode(uint8_t flags, const uint8_t *data, size_t size)
{
    const uint8_t *part[3] = {data, data, data};
    size_t plen[3] = {0, 0, 0}, k = 0, start = 0;
    for (size_t i = 0; i <= size && k < 3; i++) {
        if (i == size || (data[i] == 0 && k < 2)) {
            part[k] = data + start;
            plen[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    captls_acme_signer s;
    memset(&s, 0, sizeof(s));
    s.sign = fixed_sign;
    uint8_t point[65];
    if (flags & 2) {
        captls_ed25519_public_from_seed(ed_pub, KEY);
        if (captls_jwk_from_ed25519(&s.pub, ed_pub) != CAPTLS_OK)
            abort();
    } else {
        if (captls_ecdsa_p256_public(KEY, point) != CAPTLS_OK ||
            captls_jwk_from_p256(&s.pub, point, 65) != CAPTLS_OK)
            abort();
    }
    captls_jws_header h = {(const char *)part[0], plen[0], (const char *)part[1],
                           plen[1], NULL, 0};
    if (flags & 4) {
        h.kid = "https://acme.example/acct/1";
        h.kid_len = 27;
    }
    size_t n;
    captls_result r = captls_jws_sign(&s, &h, part[2], plen[2], out, sizeof(out), &n);
    if (r != CAPTLS_OK) {
        /* only header content may make signing fail here */
        if (r != CAPTLS_ERR_MALFORMED && r != CAPTLS_ERR_LIMIT_EXCEEDED)
            abort();
        return;
    }
    r = captls_jws_parse(out, n, tok, 512, hdr, sizeof(hdr), &j);
    if (r != CAPTLS_OK) {
        /* the url may hold bytes the writer refuses (invalid UTF-8) —
         * then signing must have failed; anything parsed must round trip */
        abort();
    }
    size_t pl;
    if (j.nonce_len != plen[0] || memcmp(j.nonce, part[0], plen[0]) ||
        j.url_len != plen[1] || memcmp(j.url, part[1], plen[1]) ||
        captls_jws_payload(&j, pay, sizeof(pay), &pl) != CAPTLS_OK ||
        pl != plen[2] || memcmp(pay, part[2], pl) ||
        captls_jws_verify(&j, &s.pub, scratch, sizeof(scratch)) != CAPTLS_OK)
        abort();
    j.sig[flags % 64] ^= 0x10;
    if (captls_jws_verify(&j, &s.pub, scratch, sizeof(scratch)) == CAPTLS_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > (1 << 15))
        return 0;
    if ((data[0] & 1) == 0)
        parse_mode(data + 1, size - 1);
    else
        sign_mode(data[0], data + 1, size - 1);
    return 0;
}
