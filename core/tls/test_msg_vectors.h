/* core/tls/test_msg_vectors.h — shared by the message codec tests
 * (test_msg.c, test_msg_flight.c): the RFC 8448 §3 "Simple 1-RTT
 * Handshake" messages (copied from vectors/rfc8448-simple-1rtt.txt, full
 * handshake messages, 4-byte header included) and small helpers. */
#ifndef CAPTLS_TLS_TEST_MSG_VECTORS_H
#define CAPTLS_TLS_TEST_MSG_VECTORS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tls/msg.h"

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {client} ClientHello */
static const char RFC_CH[] =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef"
    "6283024dece7000006130113031302010000910000000b000900000673657276"
    "6572ff01000100000a00140012001d0017001800190100010101020103010400"
    "230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e"
    "51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603"
    "020308040805080604010501060102010402050206020202002d00020101001c"
    "00024001";

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {server} ServerHello */
static const char RFC_SH[] =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155"
    "772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb"
    "f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {server} EncryptedExtensions */
static const char RFC_EE[] =
    "080000240022000a00140012001d00170018001901000101010201030104001c"
    "0002400100000000";

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {server} Certificate */
static const char RFC_CERT[] =
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a"
    "864886f70d01010b0500300e310c300a06035504031303727361301e170d3136"
    "303733303031323335395a170d3236303733303031323335395a300e310c300a"
    "0603550403130372736130819f300d06092a864886f70d010101050003818d00"
    "30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826"
    "d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312"
    "0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480"
    "30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a"
    "8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355"
    "1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5"
    "b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5"
    "8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102"
    "702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0"
    "a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000";

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {server} CertificateVerify */
static const char RFC_CV[] =
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145a"
    "b3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248ee"
    "aaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c"
    "9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea2"
    "0d53dfacd42f74f3";

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {server} Finished */
static const char RFC_SFIN[] =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454"
    "b78f0718";

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {client} Finished */
static const char RFC_CFIN[] =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2"
    "edd5ce61";

/* RFC 8448 §3 (vectors/rfc8448-simple-1rtt.txt), {server} NewSessionTicket */
static const char RFC_NST[] =
    "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec9000000"
    "00262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785a"
    "bc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827"
    "db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529"
    "513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea61764"
    "6fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934a"
    "e4d3570008002a000400000400";

static inline int tm_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    abort();
}

/* Decodes hex into out (cap bytes); returns the length; aborts on bad hex. */
static inline size_t tm_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap)
        abort();
    for (size_t i = 0; i < n / 2; i++)
        out[i] = (uint8_t)(tm_hexval(hex[2 * i]) << 4 |
                           tm_hexval(hex[2 * i + 1]));
    return n / 2;
}

/* A handshake message: its bytes, and its body after the 4-byte header
 * (checked: type and u24 length agree). */
typedef struct tm_msg {
    uint8_t buf[1024];
    size_t len;
    const uint8_t *body;
    size_t body_len;
} tm_msg;

static inline void tm_load(tm_msg *m, const char *hex, uint8_t type)
{
    m->len = tm_hex(hex, m->buf, sizeof m->buf);
    if (m->len < 4 || m->buf[0] != type ||
        ((size_t)m->buf[1] << 16 | (size_t)m->buf[2] << 8 | m->buf[3]) !=
            m->len - 4)
        abort();
    m->body = m->buf + 4;
    m->body_len = m->len - 4;
}

#endif
