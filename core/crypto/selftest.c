/* See selftest.h.
 *
 * Each case goes through the public BearSSL API the rest of captls uses
 * (br_sha256_*, br_hmac_*), compares against a published answer and is
 * recorded whatever the outcome: a failing case never hides the ones after
 * it. Vectors are byte-for-byte from the cited documents and were
 * cross-checked with Python's hashlib/hmac (OpenSSL-backed) when written.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <bearssl.h>

#include "core/crypto/selftest.h"

static bool sha256_matches(const void *msg, size_t len, size_t first_chunk,
                           const uint8_t expect[32])
{
    br_sha256_context ctx;
    uint8_t out[32];
    const uint8_t *p = msg;

    /* Feeding in two uneven pieces also exercises the partial-block path,
     * which a single update of a short message never reaches. */
    if (first_chunk > len)
        first_chunk = len;
    br_sha256_init(&ctx);
    br_sha256_update(&ctx, p, first_chunk);
    br_sha256_update(&ctx, p + first_chunk, len - first_chunk);
    br_sha256_out(&ctx, out);
    return memcmp(out, expect, sizeof out) == 0;
}

static bool hmac_sha256_matches(const void *key, size_t key_len,
                                const void *msg, size_t msg_len,
                                const uint8_t expect[32])
{
    br_hmac_key_context kc;
    br_hmac_context hc;
    uint8_t out[32];
    size_t n;

    br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
    br_hmac_init(&hc, &kc, 0);
    br_hmac_update(&hc, msg, msg_len);
    n = br_hmac_out(&hc, out);
    return n == sizeof out && memcmp(out, expect, sizeof out) == 0;
}

/* ---------------------------------------------------------------- SHA-256 */

/* FIPS 180-2, Appendix B.1 (one-block message "abc"). */
static const uint8_t sha256_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

/* FIPS 180-2, Appendix B.2 (448-bit message, padded to two blocks). */
static const char sha256_2blk_msg[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const uint8_t sha256_2blk[32] = {
    0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26,
    0x93, 0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff,
    0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
};

/* SHA-256 of the empty string: NIST CSRC "Examples with Intermediate
 * Values" (SHA256.pdf) and the NIST CAVP SHA256ShortMsg.rsp Len = 0. */
static const uint8_t sha256_empty[32] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
    0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
    0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

/* ----------------------------------------------------------- HMAC-SHA256 */

/* RFC 4231 §4.2, test case 1: 20-byte key of 0x0b, "Hi There". */
static const uint8_t hmac_tc1[32] = {
    0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf,
    0xce, 0xaf, 0x0b, 0xf1, 0x2b, 0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83,
    0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7,
};

/* RFC 4231 §4.3, test case 2: key "Jefe" (shorter than the output). */
static const uint8_t hmac_tc2[32] = {
    0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
    0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
    0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
};

/* RFC 4231 §4.5, test case 4: key 0x01..0x19, 50 bytes of 0xcd. */
static const uint8_t hmac_tc4[32] = {
    0x82, 0x55, 0x8a, 0x38, 0x9a, 0x44, 0x3c, 0x0e, 0xa4, 0xcc, 0x81,
    0x98, 0x99, 0xf2, 0x08, 0x3a, 0x85, 0xf0, 0xfa, 0xa3, 0xe5, 0x78,
    0xf8, 0x07, 0x7a, 0x2e, 0x3f, 0xf4, 0x67, 0x29, 0x66, 0x5b,
};

/* RFC 4231 §4.7, test case 6: 131-byte key of 0xaa, longer than the
 * 64-byte block, so HMAC must hash the key first (RFC 2104 §2). */
static const uint8_t hmac_tc6[32] = {
    0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26,
    0xaa, 0xcb, 0xf5, 0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28,
    0xc5, 0x14, 0x05, 0x46, 0x04, 0x0f, 0x0e, 0xe3, 0x7f, 0x54,
};

void captls_crypto_selftest(const captls_selftest_report *r,
                            captls_selftest_counts *c)
{
    uint8_t key[131];
    uint8_t data[50];
    size_t i;

    captls_selftest_record(r, c, "crypto.sha256.abc",
                           sha256_matches("abc", 3, 3, sha256_abc));
    captls_selftest_record(
        r, c, "crypto.sha256.two_block",
        sha256_matches(sha256_2blk_msg, sizeof sha256_2blk_msg - 1, 1,
                       sha256_2blk));
    captls_selftest_record(r, c, "crypto.sha256.empty",
                           sha256_matches("", 0, 0, sha256_empty));

    memset(key, 0x0b, 20);
    captls_selftest_record(r, c, "crypto.hmac_sha256.rfc4231_1",
                           hmac_sha256_matches(key, 20, "Hi There", 8,
                                               hmac_tc1));

    captls_selftest_record(
        r, c, "crypto.hmac_sha256.rfc4231_2",
        hmac_sha256_matches("Jefe", 4, "what do ya want for nothing?", 28,
                            hmac_tc2));

    for (i = 0; i < 25; i++)
        key[i] = (uint8_t)(i + 1);
    memset(data, 0xcd, sizeof data);
    captls_selftest_record(r, c, "crypto.hmac_sha256.rfc4231_4",
                           hmac_sha256_matches(key, 25, data, sizeof data,
                                               hmac_tc4));

    memset(key, 0xaa, sizeof key);
    captls_selftest_record(
        r, c, "crypto.hmac_sha256.rfc4231_6",
        hmac_sha256_matches(
            key, sizeof key,
            "Test Using Larger Than Block-Size Key - Hash Key First", 54,
            hmac_tc6));
}
