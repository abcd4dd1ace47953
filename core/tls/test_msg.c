/* Unit tests of the TLS wire reader/writer (core/tls/wire.c), ClientHello
 * and ServerHello/HelloRetryRequest codecs. Good paths use RFC 8448 §3
 * messages (test_msg_vectors.h); bad paths assert the exact alert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/tls/msg.h"
#include "core/tls/test_msg_vectors.h"

#define DECODE_ERROR CAPTLS_TLS_ERR(DECODE_ERROR)
#define ILLEGAL CAPTLS_TLS_ERR(ILLEGAL_PARAMETER)
#define UNSUPPORTED CAPTLS_TLS_ERR(UNSUPPORTED_EXTENSION)

static bool slice_eq_hex(captls_slice s, const char *hex)
{
    uint8_t b[512];
    size_t n = tm_hex(hex, b, sizeof b);
    return s.len == n && (n == 0 || memcmp(s.ptr, b, n) == 0);
}

/* ---- wire ------------------------------------------------------------- */

static void test_reader(void **state)
{
    (void)state;
    const uint8_t in[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    captls_tls_reader r;
    captls_tls_reader_init(&r, in, sizeof in);
    assert_int_equal(captls_tls_read_u8(&r), 1);
    assert_int_equal(captls_tls_read_u16(&r), 0x0203);
    assert_int_equal(captls_tls_read_u24(&r), 0x040506);
    assert_int_equal(captls_tls_read_u32(&r), 0x0708090a);
    assert_false(r.bad);
    assert_int_equal(r.len, 0);
    assert_int_equal(captls_tls_read_u8(&r), 0);
    assert_true(r.bad);
    /* sticky: nothing more is read */
    assert_int_equal(captls_tls_read_bytes(&r, 0).len, 0);
    assert_true(r.bad);

    /* read_vec: bounds and truncation */
    const uint8_t v[] = {0x00, 0x03, 'a', 'b', 'c', 0x02, 'x'};
    captls_tls_reader_init(&r, v, sizeof v);
    captls_slice s = captls_tls_read_vec(&r, 2, 1, 3);
    assert_false(r.bad);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "abc", 3);
    s = captls_tls_read_vec(&r, 1, 0, 255); /* claims 2, has 1 */
    assert_true(r.bad);
    assert_int_equal(s.len, 0);
    captls_tls_reader_init(&r, v, sizeof v);
    (void)captls_tls_read_vec(&r, 2, 4, 10); /* below min */
    assert_true(r.bad);
    captls_tls_reader_init(&r, v, sizeof v);
    (void)captls_tls_read_vec(&r, 2, 0, 2); /* above max */
    assert_true(r.bad);
    captls_tls_reader_init(&r, v, sizeof v);
    (void)captls_tls_read_vec(&r, 4, 0, 2); /* no such prefix width */
    assert_true(r.bad);
    const uint8_t v3[] = {0x00, 0x00, 0x01, 'z'};
    captls_tls_reader_init(&r, v3, sizeof v3);
    s = captls_tls_read_vec(&r, 3, 1, 0xFFFFFF);
    assert_false(r.bad);
    assert_int_equal(s.len, 1);
    assert_int_equal(r.len, 0);
}

static void test_writer(void **state)
{
    (void)state;
    uint8_t buf[16];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    size_t hs = captls_tls_handshake_begin(&w, 20);
    size_t m = captls_tls_writer_open_vec(&w, 2);
    captls_tls_write_u8(&w, 0xAA);
    captls_tls_write_u16(&w, 0xBBCC);
    captls_tls_write_u24(&w, 0xDDEEFF);
    captls_tls_writer_close_vec(&w, m);
    captls_tls_write_u32(&w, 0x01020304);
    captls_tls_handshake_end(&w, hs);
    assert_false(w.overflow);
    const uint8_t want[] = {20, 0, 0, 12, 0, 6, 0xAA, 0xBB, 0xCC,
                            0xDD, 0xEE, 0xFF, 1, 2, 3, 4};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);

    /* overflow: sticky, nothing written past cap or after it is set */
    uint8_t small[8];
    memset(small, 0x5A, sizeof small);
    captls_tls_writer_init(&w, small, 4);
    captls_tls_write_u24(&w, 0x010203);
    captls_tls_write_u16(&w, 0x0405); /* does not fit: nothing written */
    assert_true(w.overflow);
    assert_int_equal(w.len, 3);
    captls_tls_write_u8(&w, 0x06); /* would fit, but overflow is sticky */
    assert_int_equal(w.len, 3);
    assert_int_equal(small[3], 0x5A);
    assert_int_equal(small[4], 0x5A);

    /* a 1-byte vector cannot hold 256 bytes */
    uint8_t big[300];
    uint8_t data[256] = {0};
    captls_tls_writer_init(&w, big, sizeof big);
    m = captls_tls_writer_open_vec(&w, 1);
    captls_tls_write_bytes(&w, data, 256);
    captls_tls_writer_close_vec(&w, m);
    assert_true(w.overflow);
    captls_tls_writer_init(&w, big, sizeof big);
    m = captls_tls_writer_open_vec(&w, 1);
    captls_tls_write_bytes(&w, data, 255);
    captls_tls_writer_close_vec(&w, m);
    assert_false(w.overflow);
    assert_int_equal(big[0], 255);
    /* bad widths and foreign marks */
    captls_tls_writer_init(&w, big, sizeof big);
    (void)captls_tls_writer_open_vec(&w, 4);
    assert_true(w.overflow);
    captls_tls_writer_init(&w, big, sizeof big);
    captls_tls_writer_close_vec(&w, (size_t)100 << 2 | 2);
    assert_true(w.overflow);
    captls_tls_writer_init(&w, big, sizeof big);
    captls_tls_write_u24(&w, 0x1000000);
    assert_true(w.overflow);
    /* a zero-capacity writer */
    captls_tls_writer_init(&w, NULL, 10);
    captls_tls_write_u8(&w, 1);
    assert_true(w.overflow);
    assert_int_equal(w.len, 0);
}

static void test_u16_list_has(void **state)
{
    (void)state;
    const uint8_t l[] = {0x13, 0x01, 0x13, 0x03, 0x13};
    captls_slice s = {l, 4};
    assert_true(captls_tls_u16_list_has(s, 0x1301));
    assert_true(captls_tls_u16_list_has(s, 0x1303));
    assert_false(captls_tls_u16_list_has(s, 0x0113)); /* not misaligned */
    assert_false(captls_tls_u16_list_has(s, 0x1302));
    s.len = 5; /* odd: the last byte is not an entry */
    assert_false(captls_tls_u16_list_has(s, 0x1300));
    s.len = 0;
    assert_false(captls_tls_u16_list_has(s, 0x1301));
}

/* ---- ClientHello ------------------------------------------------------- */

static void test_ch_rfc8448(void **state)
{
    (void)state;
    tm_msg m;
    captls_tls_client_hello ch;
    tm_load(&m, RFC_CH, CAPTLS_HS_CLIENT_HELLO);
    assert_int_equal(captls_tls_client_hello_decode(m.body, m.body_len, &ch),
                     CAPTLS_OK);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_true(slice_eq_hex(ch.random, "cb34ecb1e78163ba1c38c6dacb196a6d"
                                        "ffa21a8d9912ec18a2ef6283024dece7"));
    assert_int_equal(ch.session_id.len, 0);
    assert_true(slice_eq_hex(ch.cipher_suites, "130113031302"));
    assert_true(slice_eq_hex(ch.compression, "00"));
    assert_true(slice_eq_hex(ch.server_name, "736572766572"));
    assert_true(slice_eq_hex(ch.supported_groups,
                             "001d00170018001901000101010201030104"));
    assert_int_equal(ch.key_share_count, 1);
    assert_int_equal(ch.key_shares[0].group, 0x001d);
    assert_true(slice_eq_hex(ch.key_shares[0].key_exchange,
                             "99381de560e4bd43d23d8e435a7dbafe"
                             "b3c06e51c13cae4d5413691e529aaf2c"));
    assert_true(slice_eq_hex(ch.supported_versions, "0304"));
    assert_int_equal(ch.sig_algs.len, 0x1e);
    assert_true(captls_tls_u16_list_has(ch.sig_algs, 0x0804));
    assert_int_equal(ch.psk_modes, CAPTLS_PSK_MODE_DHE_KE_BIT);
    assert_int_equal(ch.record_size_limit, 0x4001);
    /* renegotiation_info and session_ticket are skipped as unknown */
    uint32_t want = CAPTLS_CH_SEEN_SERVER_NAME | CAPTLS_CH_SEEN_SUPPORTED_GROUPS |
                    CAPTLS_CH_SEEN_KEY_SHARE | CAPTLS_CH_SEEN_SUPPORTED_VERSIONS |
                    CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS |
                    CAPTLS_CH_SEEN_PSK_MODES | CAPTLS_CH_SEEN_RECORD_SIZE_LIMIT |
                    CAPTLS_CH_SEEN_UNKNOWN;
    assert_int_equal(ch.ext_seen, want);
    assert_int_equal(ch.psk_count, 0);
    assert_int_equal(ch.alpn.len, 0);
}

/* Offset in the RFC ClientHello body where the compression methods end:
 * 2 + 32 + 1 + (2 + 6) + (1 + 1). */
#define RFC_CH_PRE_EXT 45u

static void test_ch_truncation_and_trailing(void **state)
{
    (void)state;
    tm_msg m;
    captls_tls_client_hello ch;
    tm_load(&m, RFC_CH, CAPTLS_HS_CLIENT_HELLO);
    for (size_t n = 0; n < m.body_len; n++) {
        captls_result r = captls_tls_client_hello_decode(m.body, n, &ch);
        if (n == RFC_CH_PRE_EXT) {
            /* a hello without extensions: pre-1.3, for the engine */
            assert_int_equal(r, CAPTLS_OK);
            assert_int_equal(ch.ext_seen, 0);
        } else {
            assert_int_equal(r, DECODE_ERROR);
            assert_int_equal(ch.ext_seen, 0); /* nothing left behind */
        }
    }
    m.buf[m.len] = 0;
    assert_int_equal(captls_tls_client_hello_decode(m.body, m.body_len + 1, &ch),
                     DECODE_ERROR);
}

/* A ClientHello body with the given extension block contents. */
static size_t ch_body(uint8_t *out, size_t cap, const char *ext_hex)
{
    static const char pre[] =
        "0303" "1111111111111111111111111111111111111111111111111111111111111111"
        "00" "00021301" "0100";
    size_t n = tm_hex(pre, out, cap);
    size_t e = tm_hex(ext_hex, out + n + 2, cap - n - 2);
    out[n] = (uint8_t)(e >> 8);
    out[n + 1] = (uint8_t)e;
    return n + 2 + e;
}

static captls_result ch_try(const char *ext_hex, captls_tls_client_hello *ch)
{
    static uint8_t body[4096];
    size_t n = ch_body(body, sizeof body, ext_hex);
    return captls_tls_client_hello_decode(body, n, ch);
}

#define B32 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SV "002b0003020304"
#define PSK1 "0029002c" "0007" "000141" "00000000" "0021" "20" B32

static void test_ch_extensions_good(void **state)
{
    (void)state;
    captls_tls_client_hello ch;
    /* legacy extensions real clients send are skipped */
    assert_int_equal(ch_try(SV "ff01000100" "00230000" "000b00020100"
                               "00170000" "00160000" "0015000400000000"
                               "001b0003020002" "fafa0000" "002f0000",
                            &ch),
                     CAPTLS_OK);
    assert_int_equal(ch.ext_seen, CAPTLS_CH_SEEN_SUPPORTED_VERSIONS |
                                      CAPTLS_CH_SEEN_UNKNOWN);
    /* the rest of what we parse */
    assert_int_equal(
        ch_try("0001000101" /* max_fragment_length 2^9 */
               "0005000501" "00000000" /* status_request ocsp */
               "00120000"            /* sct */
               "00100009" "0007" "026832" "03616263" /* alpn h2, abc */
               "002a0000" "00310000" /* early_data, post_handshake_auth */
               "002c0005" "0003616263" /* cookie */
               "002d00030200" "01" /* psk modes ke, dhe_ke */
               "0032000400020403" /* sig_algs_cert */
               "000a0006" "0004001d0017" /* groups */
               "0033000e" "000c" "001d0001aa" "00170003bbbbbb" PSK1,
               &ch),
        CAPTLS_OK);
    assert_int_equal(
        ch.ext_seen,
        CAPTLS_CH_SEEN_MAX_FRAGMENT_LENGTH | CAPTLS_CH_SEEN_STATUS_REQUEST |
            CAPTLS_CH_SEEN_SCT | CAPTLS_CH_SEEN_ALPN | CAPTLS_CH_SEEN_EARLY_DATA |
            CAPTLS_CH_SEEN_POST_HANDSHAKE_AUTH | CAPTLS_CH_SEEN_COOKIE |
            CAPTLS_CH_SEEN_PSK_MODES | CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS_CERT |
            CAPTLS_CH_SEEN_SUPPORTED_GROUPS | CAPTLS_CH_SEEN_KEY_SHARE |
            CAPTLS_CH_SEEN_PSK);
    assert_true(slice_eq_hex(ch.alpn, "02683203616263"));
    assert_true(slice_eq_hex(ch.cookie, "616263"));
    assert_int_equal(ch.psk_modes,
                     CAPTLS_PSK_MODE_KE_BIT | CAPTLS_PSK_MODE_DHE_KE_BIT);
    assert_int_equal(ch.key_share_count, 2);
    assert_int_equal(ch.key_shares[1].group, 0x0017);
    assert_true(slice_eq_hex(ch.key_shares[1].key_exchange, "bbbbbb"));
    assert_int_equal(ch.psk_count, 1);
    assert_true(slice_eq_hex(ch.psk_identity[0], "41"));
    assert_true(slice_eq_hex(ch.psk_binder[0], B32));
    /* binders_offset points at the binders list's length (0x0021) */
    {
        static uint8_t body[4096];
        size_t n = ch_body(body, sizeof body, SV PSK1);
        assert_int_equal(captls_tls_client_hello_decode(body, n, &ch),
                         CAPTLS_OK);
        assert_int_equal(ch.binders_offset, n - 35);
        assert_int_equal(body[ch.binders_offset], 0x00);
        assert_int_equal(body[ch.binders_offset + 1], 0x21);
    }
    /* status_request of another type: ignored, not recorded */
    assert_int_equal(ch_try("0005000102", &ch), CAPTLS_OK);
    assert_int_equal(ch.ext_seen, 0);
    /* an empty client_shares (asks for an HRR) */
    assert_int_equal(ch_try("003300020000", &ch), CAPTLS_OK);
    assert_int_equal(ch.key_share_count, 0);
    /* eight shares: the maximum kept */
    assert_int_equal(ch_try("0033002a0028" "00010001aa" "00020001aa"
                            "00030001aa" "00040001aa" "00050001aa"
                            "00060001aa" "00070001aa" "00080001aa",
                            &ch),
                     CAPTLS_OK);
    assert_int_equal(ch.key_share_count, 8);
    /* an empty extension block */
    assert_int_equal(ch_try("", &ch), CAPTLS_OK);
}

static void test_ch_extensions_bad(void **state)
{
    (void)state;
    captls_tls_client_hello ch;
    static const struct {
        const char *exts;
        captls_result want;
        const char *what;
    } cases[] = {
        {SV SV, ILLEGAL, "duplicate supported_versions"},
        {"fafa0000fafa0000", ILLEGAL, "duplicate unknown extension"},
        {PSK1 SV, ILLEGAL, "pre_shared_key not last"},
        {PSK1 "fafa0000", ILLEGAL, "pre_shared_key before an unknown ext"},
        {"00290033" "000e" "00014100000000" "00014200000000" "0021" "20" B32,
         ILLEGAL, "two identities, one binder"},
        {"0029002b" "0007" "00014100000000" "0020" "1f"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         DECODE_ERROR, "binder of 31 bytes"},
        {"0029002c" "0007" "000041" "00000000" "0021" "20" B32, DECODE_ERROR,
         "empty PSK identity"},
        {"0000000b" "0009" "00" "0006736572766572" "00", DECODE_ERROR,
         "server_name data longer than its list"},
        {"00000014" "0012" "000006736572766572" "000006736572766572",
         DECODE_ERROR, "two host_names"},
        {"0000000b" "0009" "01" "0006736572766572", DECODE_ERROR,
         "server_name of unknown type"},
        {"00000005" "0003" "00" "0000", DECODE_ERROR, "empty host_name"},
        {"000000020000", DECODE_ERROR, "empty server_name_list"},
        {"0000000b" "0009" "00" "0006736572760072", CAPTLS_TLS_ERR(UNRECOGNIZED_NAME),
         "host_name with a NUL"},
        {"00100006" "0004" "02683200", DECODE_ERROR, "empty ALPN name"},
        {"001000020000", DECODE_ERROR, "empty ALPN list"},
        {"00100005" "0003" "036832", DECODE_ERROR, "ALPN name past its list"},
        {"00330006" "0004" "001d0000", DECODE_ERROR, "empty key_exchange"},
        {"00330007" "0004" "001d0001aa", DECODE_ERROR, "key_share list short"},
        {"0033000c" "000a" "001d0001aa" "001d0001bb", ILLEGAL,
         "two shares for one group"},
        {"0033002f002d" "00010001aa" "00020001aa" "00030001aa" "00040001aa"
         "00050001aa" "00060001aa" "00070001aa" "00080001aa" "00090001aa",
         ILLEGAL, "nine key shares"},
        {"000a000400020017" "003300070005001d0001aa", ILLEGAL,
         "share for a group not in supported_groups"},
        {"000a0003000117", DECODE_ERROR, "odd supported_groups"},
        {"000a00020000", DECODE_ERROR, "empty supported_groups"},
        {"000d00050003040305", DECODE_ERROR, "odd signature_algorithms"},
        {"002b000403030403", DECODE_ERROR, "odd supported_versions"},
        {"002b00010000", DECODE_ERROR, "empty supported_versions"},
        {"001c0002003f", ILLEGAL, "record_size_limit 63"},
        {"001c0003004000", DECODE_ERROR, "record_size_limit of 3 bytes"},
        {"0030" "0002" "0000", ILLEGAL, "oid_filters in a ClientHello"},
        {"0001000105", ILLEGAL, "max_fragment_length 5"},
        {"000100020101", DECODE_ERROR, "max_fragment_length of 2 bytes"},
        {"0012000100", DECODE_ERROR, "non-empty SCT request"},
        {"002a000100", DECODE_ERROR, "non-empty early_data"},
        {"0031000100", DECODE_ERROR, "non-empty post_handshake_auth"},
        {"002c00020000", DECODE_ERROR, "empty cookie"},
        {"002d000100", DECODE_ERROR, "empty psk_key_exchange_modes"},
        {"0005000701" "00020000" "0000", DECODE_ERROR,
         "empty OCSP ResponderID"},
        {"000500060100000000" "00", DECODE_ERROR, "status_request trailing"},
        {"002b0009020304", DECODE_ERROR, "extension longer than the block"},
        {"002b", DECODE_ERROR, "extension header cut"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        captls_result r = ch_try(cases[i].exts, &ch);
        if (r != cases[i].want)
            fail_msg("%s: got %#x, want %#x", cases[i].what, r, cases[i].want);
        assert_int_equal(ch.ext_seen, 0);
    }
}

static void test_ch_fixed_fields_bad(void **state)
{
    (void)state;
    captls_tls_client_hello ch;
    uint8_t b[200];
    static const char *bad[] = {
        /* session id of 33 bytes */
        "0303" B32 "21" B32 "aa" "00021301" "0100" "0000",
        /* odd cipher suites */
        "0303" B32 "00" "0003130113" "0100" "0000",
        /* no cipher suite */
        "0303" B32 "00" "0000" "0100" "0000",
        /* no compression method */
        "0303" B32 "00" "00021301" "00" "0000",
        /* a lone byte after the compression methods */
        "0303" B32 "00" "00021301" "0100" "00",
        /* data after the extension block */
        "0303" B32 "00" "00021301" "0100" "0000" "00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = tm_hex(bad[i], b, sizeof b);
        assert_int_equal(captls_tls_client_hello_decode(b, n, &ch),
                         DECODE_ERROR);
    }
    /* 64 extensions are fine, 65 are refused (duplicate-check bound) */
    char exts[65 * 8 + 1];
    for (int k = 0; k < 65; k++) {
        static const char hx[] = "0123456789abcdef";
        unsigned t = 0x7000u + (unsigned)k;
        char *p = exts + k * 8;
        p[0] = hx[t >> 12]; p[1] = hx[(t >> 8) & 15];
        p[2] = hx[(t >> 4) & 15]; p[3] = hx[t & 15];
        memcpy(p + 4, "0000", 4);
    }
    exts[64 * 8] = 0;
    assert_int_equal(ch_try(exts, &ch), CAPTLS_OK);
    exts[64 * 8] = '7';
    exts[65 * 8] = 0;
    assert_int_equal(ch_try(exts, &ch), ILLEGAL);
}

static void test_ch_round_trip(void **state)
{
    (void)state;
    uint8_t rnd[32], sid[32], kx1[32], kx2[65];
    for (int i = 0; i < 32; i++) {
        rnd[i] = (uint8_t)i;
        sid[i] = (uint8_t)(0x80 + i);
        kx1[i] = (uint8_t)(0x40 + i);
    }
    memset(kx2, 0x04, sizeof kx2);
    static const uint16_t suites[] = {0x1301, 0x1303, 0x1302};
    static const uint16_t groups[] = {0x001d, 0x0017};
    static const uint16_t sigs[] = {0x0403, 0x0804, 0x0807};
    static const uint16_t sigs_cert[] = {0x0401};
    static const char *const alpn[] = {"h2", "http/1.1"};
    captls_tls_key_share_entry shares[2] = {
        {0x001d, {kx1, sizeof kx1}}, {0x0017, {kx2, sizeof kx2}}};
    static const uint8_t cookie[] = {1, 2, 3};
    captls_slice ids[2] = {{(const uint8_t *)"ticket-one", 10},
                           {(const uint8_t *)"t2", 2}};
    uint32_t ages[2] = {0x01020304, 0xfffffffe};
    captls_tls_client_hello_params p = {
        .random = rnd, .session_id = sid, .session_id_len = 32,
        .suites = suites, .suite_count = 3,
        .server_name = (const uint8_t *)"example.com", .server_name_len = 11,
        .groups = groups, .group_count = 2, .shares = shares, .share_count = 2,
        .sig_algs = sigs, .sig_alg_count = 3,
        .sig_algs_cert = sigs_cert, .sig_alg_cert_count = 1,
        .alpn = alpn, .alpn_count = 2, .record_size_limit = 16385,
        .status_request = true, .sct = true, .cookie = cookie, .cookie_len = 3,
        .psk_modes_dhe = true, .psk_count = 2, .psk_identity = ids,
        .psk_obfuscated_age = ages, .psk_binder_len = 48,
    };
    uint8_t buf[1024];
    captls_tls_writer w;
    size_t boff = 0;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_client_hello_encode(&w, &p, &boff), CAPTLS_OK);
    assert_int_equal(buf[0], CAPTLS_HS_CLIENT_HELLO);
    assert_int_equal((size_t)buf[1] << 16 | buf[2] << 8 | buf[3], w.len - 4);
    captls_tls_client_hello ch;
    assert_int_equal(captls_tls_client_hello_decode(buf + 4, w.len - 4, &ch),
                     CAPTLS_OK);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_memory_equal(ch.random.ptr, rnd, 32);
    assert_memory_equal(ch.session_id.ptr, sid, 32);
    assert_true(slice_eq_hex(ch.cipher_suites, "130113031302"));
    assert_true(slice_eq_hex(ch.compression, "00"));
    assert_true(slice_eq_hex(ch.server_name, "6578616d706c652e636f6d"));
    assert_true(slice_eq_hex(ch.supported_groups, "001d0017"));
    assert_true(slice_eq_hex(ch.sig_algs, "040308040807"));
    assert_true(slice_eq_hex(ch.sig_algs_cert, "0401"));
    assert_true(slice_eq_hex(ch.supported_versions, "0304"));
    assert_true(slice_eq_hex(ch.alpn, "02683208687474702f312e31"));
    assert_true(slice_eq_hex(ch.cookie, "010203"));
    assert_int_equal(ch.psk_modes, CAPTLS_PSK_MODE_DHE_KE_BIT);
    assert_int_equal(ch.record_size_limit, 16385);
    assert_int_equal(ch.key_share_count, 2);
    assert_memory_equal(ch.key_shares[1].key_exchange.ptr, kx2, 65);
    assert_int_equal(ch.psk_count, 2);
    assert_true(slice_eq_hex(ch.psk_identity[1], "7432"));
    assert_int_equal(ch.psk_obfuscated_age[1], 0xfffffffe);
    assert_int_equal(ch.psk_binder[1].len, 48);
    assert_int_equal(ch.ext_seen & CAPTLS_CH_SEEN_UNKNOWN, 0);
    assert_true((ch.ext_seen & CAPTLS_CH_SEEN_STATUS_REQUEST) != 0);
    assert_true((ch.ext_seen & CAPTLS_CH_SEEN_SCT) != 0);
    /* the encoder's offset is the decoder's, plus the 4-byte header */
    assert_int_equal(boff, ch.binders_offset + 4);
    assert_int_equal(buf[boff], 0);
    assert_int_equal(buf[boff + 1], 2 * 49);
    assert_int_equal(buf[boff + 2], 48);
    assert_ptr_equal(ch.psk_binder[0].ptr, buf + boff + 3);
    /* the binders close the message */
    assert_int_equal(boff + 2 + 2 * 49, w.len);

    /* minimal: no PSK, no optional extensions, NULL session id */
    captls_tls_client_hello_params q = {
        .random = rnd, .suites = suites, .suite_count = 1, .groups = groups,
        .group_count = 1, .shares = shares, .share_count = 1, .sig_algs = sigs,
        .sig_alg_count = 1};
    captls_tls_writer_init(&w, buf, sizeof buf);
    boff = 99;
    assert_int_equal(captls_tls_client_hello_encode(&w, &q, &boff), CAPTLS_OK);
    assert_int_equal(boff, 0);
    assert_int_equal(captls_tls_client_hello_decode(buf + 4, w.len - 4, &ch),
                     CAPTLS_OK);
    assert_int_equal(ch.ext_seen, CAPTLS_CH_SEEN_SUPPORTED_GROUPS |
                                      CAPTLS_CH_SEEN_KEY_SHARE |
                                      CAPTLS_CH_SEEN_SUPPORTED_VERSIONS |
                                      CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS);

    /* parameters RFC 8446 forbids */
    captls_tls_client_hello_params bad = p;
    bad.psk_modes_dhe = false;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_client_hello_encode(&w, &bad, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    bad = p;
    shares[1].group = 0x001d; /* two shares, one group */
    assert_int_equal(captls_tls_client_hello_encode(&w, &bad, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    shares[1].group = 0x0018; /* not in groups */
    assert_int_equal(captls_tls_client_hello_encode(&w, &bad, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    shares[1].group = 0x0017;
    static const char *const empty_alpn[] = {""};
    bad.alpn = empty_alpn;
    bad.alpn_count = 1;
    assert_int_equal(captls_tls_client_hello_encode(&w, &bad, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    bad = p;
    bad.psk_binder_len = 31;
    assert_int_equal(captls_tls_client_hello_encode(&w, &bad, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    bad = p;
    bad.session_id_len = 33;
    assert_int_equal(captls_tls_client_hello_encode(&w, &bad, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(w.len, 0); /* refused before writing */
}

/* ---- ServerHello / HelloRetryRequest ----------------------------------- */

static void test_sh_rfc8448(void **state)
{
    (void)state;
    tm_msg m;
    captls_tls_server_hello sh;
    tm_load(&m, RFC_SH, CAPTLS_HS_SERVER_HELLO);
    assert_int_equal(captls_tls_server_hello_decode(m.body, m.body_len, &sh),
                     CAPTLS_OK);
    assert_false(sh.is_hrr);
    assert_int_equal(sh.legacy_version, 0x0303);
    assert_int_equal(sh.session_id_echo.len, 0);
    assert_int_equal(sh.cipher_suite, 0x1301);
    assert_int_equal(sh.compression, 0);
    assert_int_equal(sh.ext_seen, CAPTLS_SH_SEEN_SUPPORTED_VERSIONS |
                                      CAPTLS_SH_SEEN_KEY_SHARE);
    assert_int_equal(sh.selected_version, 0x0304);
    assert_int_equal(sh.key_share_group, 0x001d);
    assert_true(slice_eq_hex(sh.key_share, "c9828876112095fe66762bdbf7c672e1"
                                           "56d6cc253b833df1dd69b1b04e751f0f"));

    /* the encoder reproduces the RFC message byte for byte */
    captls_tls_server_hello_params p = {
        .random = sh.random.ptr, .cipher_suite = 0x1301,
        .key_share_group = 0x001d, .key_share = sh.key_share.ptr,
        .key_share_len = sh.key_share.len};
    uint8_t buf[256];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_server_hello_encode(&w, &p), CAPTLS_OK);
    assert_int_equal(w.len, m.len);
    assert_memory_equal(buf, m.buf, m.len);

    for (size_t n = 0; n < m.body_len; n++) {
        captls_result r = captls_tls_server_hello_decode(m.body, n, &sh);
        if (n == 2 + 32 + 1 + 2 + 1) /* pre-1.3 hello without extensions */
            assert_int_equal(r, CAPTLS_OK);
        else
            assert_int_equal(r, DECODE_ERROR);
    }
    m.buf[m.len] = 0;
    assert_int_equal(captls_tls_server_hello_decode(m.body, m.body_len + 1, &sh),
                     DECODE_ERROR);
}

static void test_hrr_round_trip(void **state)
{
    (void)state;
    /* the HRR random is SHA-256("HelloRetryRequest") */
    static const char hrr_hex[] =
        "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";
    uint8_t want[32];
    tm_hex(hrr_hex, want, 32);
    assert_memory_equal(captls_tls_hrr_random, want, 32);

    uint8_t sid[32];
    memset(sid, 0x33, sizeof sid);
    static const uint8_t cookie[] = {9, 8, 7, 6};
    captls_tls_server_hello_params p = {
        .is_hrr = true, .session_id = sid, .session_id_len = 32,
        .cipher_suite = 0x1302, .key_share_group = 0x0017, .cookie = cookie,
        .cookie_len = sizeof cookie};
    uint8_t buf[256];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_server_hello_encode(&w, &p), CAPTLS_OK);
    captls_tls_server_hello sh;
    assert_int_equal(captls_tls_server_hello_decode(buf + 4, w.len - 4, &sh),
                     CAPTLS_OK);
    assert_true(sh.is_hrr);
    assert_int_equal(sh.cipher_suite, 0x1302);
    assert_int_equal(sh.key_share_group, 0x0017);
    assert_int_equal(sh.key_share.len, 0);
    assert_true(slice_eq_hex(sh.cookie, "09080706"));
    assert_int_equal(sh.selected_version, 0x0304);
    assert_memory_equal(sh.session_id_echo.ptr, sid, 32);
    assert_int_equal(sh.ext_seen, CAPTLS_SH_SEEN_SUPPORTED_VERSIONS |
                                      CAPTLS_SH_SEEN_KEY_SHARE |
                                      CAPTLS_SH_SEEN_COOKIE);
    /* RFC 8448 §5 extension order: key_share, cookie, supported_versions */
    static const char tail[] = "0016" "003300020017" "002c00060004" "09080706"
                               "002b00020304";
    uint8_t t[64];
    size_t tn = tm_hex(tail, t, sizeof t);
    assert_memory_equal(buf + w.len - tn, t, tn);

    /* an HRR for the cookie alone: no key_share */
    p.key_share_group = 0;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_server_hello_encode(&w, &p), CAPTLS_OK);
    assert_int_equal(captls_tls_server_hello_decode(buf + 4, w.len - 4, &sh),
                     CAPTLS_OK);
    assert_int_equal(sh.ext_seen, CAPTLS_SH_SEEN_SUPPORTED_VERSIONS |
                                      CAPTLS_SH_SEEN_COOKIE);

    /* a ServerHello with a PSK */
    uint8_t rnd[32], kx[65];
    memset(rnd, 0x21, sizeof rnd);
    memset(kx, 0x04, sizeof kx);
    captls_tls_server_hello_params q = {
        .random = rnd, .cipher_suite = 0x1301, .key_share_group = 0x0017,
        .key_share = kx, .key_share_len = sizeof kx, .have_psk = true,
        .selected_psk = 3};
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_server_hello_encode(&w, &q), CAPTLS_OK);
    assert_int_equal(captls_tls_server_hello_decode(buf + 4, w.len - 4, &sh),
                     CAPTLS_OK);
    assert_false(sh.is_hrr);
    assert_int_equal(sh.selected_psk, 3);
    assert_int_equal(sh.ext_seen, CAPTLS_SH_SEEN_SUPPORTED_VERSIONS |
                                      CAPTLS_SH_SEEN_KEY_SHARE |
                                      CAPTLS_SH_SEEN_PSK);
    assert_int_equal(sh.key_share.len, 65);
    q.key_share_len = 0;
    assert_int_equal(captls_tls_server_hello_encode(&w, &q),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static captls_result sh_try(bool hrr, const char *comp, const char *ext_hex,
                            captls_tls_server_hello *sh)
{
    static uint8_t b[1024];
    static const char rnd[] =
        "2222222222222222222222222222222222222222222222222222222222222222";
    static const char hrr_rnd[] =
        "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";
    size_t n = tm_hex("0303", b, sizeof b);
    n += tm_hex(hrr ? hrr_rnd : rnd, b + n, sizeof b - n);
    n += tm_hex("00" "1301", b + n, sizeof b - n);
    n += tm_hex(comp, b + n, sizeof b - n);
    size_t e = tm_hex(ext_hex, b + n + 2, sizeof b - n - 2);
    b[n] = (uint8_t)(e >> 8);
    b[n + 1] = (uint8_t)e;
    return captls_tls_server_hello_decode(b, n + 2 + e, sh);
}

#define SH_SV "002b00020304"
#define SH_KS "0033000500" "1d0001aa"

static void test_sh_bad(void **state)
{
    (void)state;
    captls_tls_server_hello sh;
    static const struct {
        bool hrr;
        const char *comp, *exts;
        captls_result want;
        const char *what;
    } cases[] = {
        {false, "01", SH_SV SH_KS, ILLEGAL, "compression 1"},
        {false, "00", SH_SV SH_SV, ILLEGAL, "duplicate supported_versions"},
        {false, "00", SH_SV "002c0005" "0003616263", ILLEGAL, "cookie in SH"},
        {false, "00", SH_SV "00000000", ILLEGAL, "server_name in SH"},
        {false, "00", SH_SV "000d000400020403", ILLEGAL, "sig_algs in SH"},
        {false, "00", SH_SV "001c00024001", ILLEGAL, "record_size_limit in SH"},
        {false, "00", SH_SV "fafa0000", UNSUPPORTED, "unknown extension"},
        {false, "00", SH_SV "ff01000100", UNSUPPORTED, "renegotiation_info"},
        {false, "00", "002b0003030400", DECODE_ERROR, "supported_versions 3B"},
        {false, "00", SH_SV "00330004001d0000", DECODE_ERROR,
         "empty key_exchange"},
        {false, "00", SH_SV "00330006001d0001aaaa", DECODE_ERROR,
         "key_share trailing byte"},
        {false, "00", SH_SV "00290003000000", DECODE_ERROR, "psk of 3 bytes"},
        {false, "00", SH_SV "002b", DECODE_ERROR, "cut extension"},
        {true, "00", SH_SV "00290002" "0000", ILLEGAL, "psk in HRR"},
        {true, "00", SH_SV "003300040017" "0000", DECODE_ERROR,
         "HRR key_share of 4 bytes"},
        {true, "00", SH_SV "002c00020000", DECODE_ERROR, "empty HRR cookie"},
        {true, "00", SH_SV "fafa0000", UNSUPPORTED, "unknown ext in HRR"},
        {true, "00", SH_SV "000a00040002001d", ILLEGAL, "groups in HRR"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        captls_result r = sh_try(cases[i].hrr, cases[i].comp, cases[i].exts, &sh);
        if (r != cases[i].want)
            fail_msg("%s: got %#x, want %#x", cases[i].what, r, cases[i].want);
        assert_int_equal(sh.ext_seen, 0);
    }
    /* a TLS 1.2 ServerHello (no supported_versions): returned for the
     * engine's protocol_version, TLS 1.2 extensions left alone */
    assert_int_equal(sh_try(false, "01", "ff01000100" "00000000" "00170000", &sh),
                     CAPTLS_OK);
    assert_int_equal(sh.selected_version, 0);
    assert_int_equal(sh.compression, 1);
    assert_int_equal(sh.ext_seen, 0);
    /* ... but still checked for duplicates and structure */
    assert_int_equal(sh_try(false, "00", "ff01000100ff01000100", &sh), ILLEGAL);
    assert_int_equal(sh_try(false, "00", "ff01000500", &sh), DECODE_ERROR);
    /* session id of 33 bytes */
    uint8_t b[128];
    size_t n = tm_hex("0303" B32 "21" B32 "aa" "1301" "00" "0006" SH_SV, b,
                      sizeof b);
    assert_int_equal(captls_tls_server_hello_decode(b, n, &sh), DECODE_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_u16_list_has),
        cmocka_unit_test(test_ch_rfc8448),
        cmocka_unit_test(test_ch_truncation_and_trailing),
        cmocka_unit_test(test_ch_extensions_good),
        cmocka_unit_test(test_ch_extensions_bad),
        cmocka_unit_test(test_ch_fixed_fields_bad),
        cmocka_unit_test(test_ch_round_trip),
        cmocka_unit_test(test_sh_rfc8448),
        cmocka_unit_test(test_hrr_round_trip),
        cmocka_unit_test(test_sh_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
