/* Unit tests of the EncryptedExtensions, CertificateRequest, Certificate,
 * CertificateVerify, Finished, NewSessionTicket and KeyUpdate codecs, and
 * of every encoder's behaviour when the writer runs out of room. Good paths
 * use RFC 8448 §3 messages (test_msg_vectors.h); bad paths assert the
 * exact alert. */
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
    uint8_t b[1024];
    size_t n = tm_hex(hex, b, sizeof b);
    return s.len == n && (n == 0 || memcmp(s.ptr, b, n) == 0);
}

/* body = hex; returns its length */
static uint8_t g_body[2048];
static size_t body_of(const char *hex)
{
    return tm_hex(hex, g_body, sizeof g_body);
}

/* Every proper prefix of a body must be refused; so must one extra byte. */
typedef captls_result (*decode_fn)(const uint8_t *, size_t);
static void check_prefixes(decode_fn dec, const uint8_t *body, size_t len)
{
    static uint8_t copy[2048];
    for (size_t n = 0; n < len; n++) {
        /* a copy of exactly n bytes, so ASan sees any read past the end */
        uint8_t *p = copy + sizeof copy - n;
        memcpy(p, body, n);
        if (captls_result_is_error(dec(p, n)) == false)
            fail_msg("prefix of %zu bytes (of %zu) accepted", n, len);
    }
    assert_true(len + 1 <= sizeof copy);
    memcpy(copy, body, len);
    copy[len] = 0;
    assert_int_equal(dec(copy, len + 1), DECODE_ERROR);
    assert_int_equal(dec(body, len), CAPTLS_OK);
}

static captls_result dec_ee(const uint8_t *b, size_t n)
{
    captls_tls_encrypted_extensions o;
    return captls_tls_encrypted_extensions_decode(b, n, &o);
}
static captls_result dec_cr(const uint8_t *b, size_t n)
{
    captls_tls_certificate_request o;
    return captls_tls_certificate_request_decode(b, n, &o);
}
static captls_result dec_cert(const uint8_t *b, size_t n)
{
    captls_tls_certificate o;
    return captls_tls_certificate_decode(b, n, &o);
}
static captls_result dec_cv(const uint8_t *b, size_t n)
{
    captls_tls_certificate_verify o;
    return captls_tls_certificate_verify_decode(b, n, &o);
}
static captls_result dec_fin32(const uint8_t *b, size_t n)
{
    captls_slice o;
    return captls_tls_finished_decode(b, n, 32, &o);
}
static captls_result dec_nst(const uint8_t *b, size_t n)
{
    captls_tls_new_session_ticket o;
    return captls_tls_new_session_ticket_decode(b, n, &o);
}
static captls_result dec_ku(const uint8_t *b, size_t n)
{
    bool o;
    return captls_tls_key_update_decode(b, n, &o);
}

/* ---- EncryptedExtensions ----------------------------------------------- */

static const uint16_t rfc_groups[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100,
                                      0x0101, 0x0102, 0x0103, 0x0104};

static void test_ee_rfc8448(void **state)
{
    (void)state;
    tm_msg m;
    tm_load(&m, RFC_EE, CAPTLS_HS_ENCRYPTED_EXTENSIONS);
    captls_tls_encrypted_extensions ee;
    assert_int_equal(
        captls_tls_encrypted_extensions_decode(m.body, m.body_len, &ee),
        CAPTLS_OK);
    assert_true(ee.server_name_ack);
    assert_true(ee.has_supported_groups);
    assert_true(ee.has_record_size_limit);
    assert_int_equal(ee.record_size_limit, 0x4001);
    assert_int_equal(ee.alpn.len, 0);
    assert_false(ee.early_data);
    check_prefixes(dec_ee, m.body, m.body_len);

    captls_tls_encrypted_extensions_params p = {
        .server_name_ack = true, .record_size_limit = 0x4001,
        .groups = rfc_groups, .group_count = 9};
    uint8_t buf[128];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_encrypted_extensions_encode(&w, &p), CAPTLS_OK);
    assert_int_equal(w.len, m.len);
    assert_memory_equal(buf, m.buf, m.len);

    /* with ALPN; an empty EE */
    p.alpn = (const uint8_t *)"h2";
    p.alpn_len = 2;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_encrypted_extensions_encode(&w, &p), CAPTLS_OK);
    assert_int_equal(
        captls_tls_encrypted_extensions_decode(buf + 4, w.len - 4, &ee),
        CAPTLS_OK);
    assert_true(slice_eq_hex(ee.alpn, "6832"));
    captls_tls_encrypted_extensions_params none = {0};
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_encrypted_extensions_encode(&w, &none),
                     CAPTLS_OK);
    assert_int_equal(w.len, 6);
    assert_int_equal(
        captls_tls_encrypted_extensions_decode(buf + 4, w.len - 4, &ee),
        CAPTLS_OK);
    assert_false(ee.server_name_ack);
    /* early_data (empty) is decoded for the engine to refuse */
    size_t n = body_of("0004002a0000");
    assert_int_equal(captls_tls_encrypted_extensions_decode(g_body, n, &ee),
                     CAPTLS_OK);
    assert_true(ee.early_data);
    p.record_size_limit = 63;
    assert_int_equal(captls_tls_encrypted_extensions_encode(&w, &p),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_ee_bad(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        captls_result want;
        const char *what;
    } cases[] = {
        {"000800000000" "00000000", ILLEGAL, "duplicate server_name"},
        {"0008" "0033000400170000", ILLEGAL, "key_share in EE"},
        {"0006" "002b00020304", ILLEGAL, "supported_versions in EE"},
        {"0006" "002c00020000", ILLEGAL, "cookie in EE"},
        {"0004" "00150000", ILLEGAL, "padding in EE"},
        {"0006" "000d00020403", ILLEGAL, "signature_algorithms in EE"},
        {"0005" "0005000100", ILLEGAL, "status_request in EE"},
        {"0005" "0001000101", UNSUPPORTED, "max_fragment_length (not offered)"},
        {"0004" "000e0000", UNSUPPORTED, "use_srtp (not offered)"},
        {"0004" "fafa0000", UNSUPPORTED, "unknown extension"},
        {"0004" "ff010000", UNSUPPORTED, "renegotiation_info"},
        {"000b" "001000070005" "026832" "0161", DECODE_ERROR,
         "ALPN with two names"},
        {"0008" "0010000400020000", DECODE_ERROR, "empty ALPN name"},
        {"0006" "001000020000", DECODE_ERROR, "empty ALPN list"},
        {"0008" "0010000400020261", DECODE_ERROR, "ALPN name past its list"},
        {"0005" "0000000100", DECODE_ERROR, "non-empty server_name"},
        {"0006" "001c0002003f", ILLEGAL, "record_size_limit 63"},
        {"0005" "001c000140", DECODE_ERROR, "record_size_limit of 1 byte"},
        {"0008" "002a000400000400", DECODE_ERROR, "early_data with a size"},
        {"0007" "000a0003000117", DECODE_ERROR, "odd supported_groups"},
        {"0006" "000a00020000", DECODE_ERROR, "empty supported_groups"},
        {"0005" "00000000", DECODE_ERROR, "block longer than the message"},
        {"0003" "000000", DECODE_ERROR, "cut extension header"},
        {"00", DECODE_ERROR, "one byte"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        captls_tls_encrypted_extensions ee;
        size_t n = body_of(cases[i].body);
        captls_result r = captls_tls_encrypted_extensions_decode(g_body, n, &ee);
        if (r != cases[i].want)
            fail_msg("%s: got %#x, want %#x", cases[i].what, r, cases[i].want);
        assert_false(ee.server_name_ack);
    }
}

/* ---- CertificateRequest ------------------------------------------------ */

static void test_cr(void **state)
{
    (void)state;
    static const uint16_t sigs[] = {0x0403, 0x0804};
    uint8_t buf[64];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_certificate_request_encode(&w, sigs, 2),
                     CAPTLS_OK);
    uint8_t want[64];
    /* hand-checked: context 0, extensions 0x000a, sig_algs list of 2 */
    tm_hex("0d00000d" "00" "000a" "000d0006" "0004" "04030804", want,
           sizeof want);
    assert_int_equal(w.len, 17);
    assert_memory_equal(buf, want, 17);
    captls_tls_certificate_request cr;
    assert_int_equal(captls_tls_certificate_request_decode(buf + 4, 13, &cr),
                     CAPTLS_OK);
    assert_int_equal(cr.context.len, 0);
    assert_true(slice_eq_hex(cr.sig_algs, "04030804"));
    check_prefixes(dec_cr, buf + 4, 13);
    assert_int_equal(captls_tls_certificate_request_encode(&w, sigs, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);

    /* everything a server may put in it; unknown ones ignored */
    size_t n = body_of("02abcd" "003b"
                       "000d00040002" "0403"
                       "003200040002" "0401"
                       "002f0009" "0007" "0002" "3000" "0001" "31"
                       "00300008" "0006" "03550403" "0000"
                       "00050000" "00120000"
                       "001b00020100" /* compress_certificate: ignored */
                       "fafa0000");
    assert_int_equal(captls_tls_certificate_request_decode(g_body, n, &cr),
                     CAPTLS_OK);
    assert_true(slice_eq_hex(cr.context, "abcd"));
    assert_true(slice_eq_hex(cr.sig_algs_cert, "0401"));
    assert_true(slice_eq_hex(cr.authorities, "0002300000" "0131"));

    static const struct {
        const char *body;
        captls_result want;
        const char *what;
    } cases[] = {
        {"00" "0004" "fafa0000", CAPTLS_TLS_ERR(MISSING_EXTENSION),
         "no signature_algorithms"},
        {"00" "0010" "000d000400020403" "000d000400020403", ILLEGAL,
         "duplicate signature_algorithms"},
        {"00" "0010" "000d000400020403" "0033000400170000", ILLEGAL,
         "key_share in CertificateRequest"},
        {"00" "000d" "000d000400020403" "0000000100", ILLEGAL,
         "server_name in CertificateRequest"},
        {"00" "000d" "000d000400020403" "0005000100", DECODE_ERROR,
         "non-empty status_request"},
        {"00" "000d" "000d000400020403" "0012000100", DECODE_ERROR,
         "non-empty SCT request"},
        {"00" "000e" "000d000400020403" "002f00020000", DECODE_ERROR,
         "empty certificate_authorities"},
        {"00" "000f" "000d000400020403" "002f0003" "000100", DECODE_ERROR,
         "certificate_authorities list too short"},
        {"00" "0011" "000d000400020403" "002f0005" "0003" "0000" "00",
         DECODE_ERROR, "empty DistinguishedName"},
        {"00" "0010" "000d000400020403" "00300004" "0002" "0000",
         DECODE_ERROR, "empty filter OID"},
        {"00" "0009" "000d0005000304" "0305", DECODE_ERROR, "odd sig_algs"},
        {"00" "0000", DECODE_ERROR, "empty extension block"},
        {"01", DECODE_ERROR, "context past the end"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        n = body_of(cases[i].body);
        captls_result r = captls_tls_certificate_request_decode(g_body, n, &cr);
        if (r != cases[i].want)
            fail_msg("%s: got %#x, want %#x", cases[i].what, r, cases[i].want);
        assert_int_equal(cr.sig_algs.len, 0);
    }
}

/* ---- Certificate ------------------------------------------------------- */

static void test_cert_rfc8448(void **state)
{
    (void)state;
    tm_msg m;
    tm_load(&m, RFC_CERT, CAPTLS_HS_CERTIFICATE);
    captls_tls_certificate c;
    assert_int_equal(captls_tls_certificate_decode(m.body, m.body_len, &c),
                     CAPTLS_OK);
    assert_int_equal(c.context.len, 0);
    assert_int_equal(c.count, 1);
    assert_int_equal(c.entries[0].cert_data.len, 0x1b0);
    assert_int_equal(c.entries[0].cert_data.ptr[0], 0x30);
    assert_ptr_equal(c.entries[0].cert_data.ptr, m.body + 1 + 3 + 3);
    assert_int_equal(c.entries[0].ocsp_response.len, 0);
    assert_int_equal(c.entries[0].sct_list.len, 0);
    check_prefixes(dec_cert, m.body, m.body_len);

    uint8_t buf[1024];
    captls_tls_writer w;
    captls_slice none = {NULL, 0};
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_certificate_encode(&w, NULL, 0,
                                                   &c.entries[0].cert_data, 1,
                                                   none, none),
                     CAPTLS_OK);
    assert_int_equal(w.len, m.len);
    assert_memory_equal(buf, m.buf, m.len);
}

static void test_cert_round_trip(void **state)
{
    (void)state;
    static const uint8_t c1[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    static const uint8_t c2[] = {0x30, 0x00};
    static const uint8_t ocsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    /* SignedCertificateTimestampList with two SCTs */
    static const uint8_t scts[] = {0x00, 0x07, 0x00, 0x02, 0xAA, 0xBB,
                                   0x00, 0x01, 0xCC};
    captls_slice certs[2] = {{c1, sizeof c1}, {c2, sizeof c2}};
    captls_slice o = {ocsp, sizeof ocsp}, s = {scts, sizeof scts};
    static const uint8_t ctx[] = {7, 7};
    uint8_t buf[256];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_certificate_encode(&w, ctx, 2, certs, 2, o, s),
                     CAPTLS_OK);
    captls_tls_certificate c;
    assert_int_equal(captls_tls_certificate_decode(buf + 4, w.len - 4, &c),
                     CAPTLS_OK);
    assert_true(slice_eq_hex(c.context, "0707"));
    assert_int_equal(c.count, 2);
    assert_true(slice_eq_hex(c.entries[0].cert_data, "3003020101"));
    assert_true(slice_eq_hex(c.entries[1].cert_data, "3000"));
    assert_true(slice_eq_hex(c.entries[0].ocsp_response, "30030a0100"));
    assert_true(slice_eq_hex(c.entries[0].sct_list, "00070002aabb0001cc"));
    assert_int_equal(c.entries[1].ocsp_response.len, 0);
    assert_int_equal(c.entries[1].sct_list.len, 0);
    check_prefixes(dec_cert, buf + 4, w.len - 4);
    /* an empty list (for the engine to judge) */
    captls_slice none = {NULL, 0};
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_certificate_encode(&w, NULL, 0, NULL, 0, none,
                                                   none),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_certificate_decode(buf + 4, w.len - 4, &c),
                     CAPTLS_OK);
    assert_int_equal(c.count, 0);
    /* OCSP without a certificate, an empty certificate: refused */
    assert_int_equal(captls_tls_certificate_encode(&w, NULL, 0, NULL, 0, o,
                                                   none),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    captls_slice empty_cert = {c1, 0};
    assert_int_equal(captls_tls_certificate_encode(&w, NULL, 0, &empty_cert, 1,
                                                   none, none),
                     CAPTLS_ERR_INVALID_ARGUMENT);

    /* eight entries are fine; nine are bad_certificate */
    captls_slice many[9];
    for (int i = 0; i < 9; i++)
        many[i] = certs[1];
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_certificate_encode(&w, NULL, 0, many, 8, none,
                                                   none),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_certificate_decode(buf + 4, w.len - 4, &c),
                     CAPTLS_OK);
    assert_int_equal(c.count, 8);
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_certificate_encode(&w, NULL, 0, many, 9, none,
                                                   none),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_certificate_decode(buf + 4, w.len - 4, &c),
                     CAPTLS_TLS_ERR(BAD_CERTIFICATE));
    assert_int_equal(c.count, 0);
}

static void test_cert_bad(void **state)
{
    (void)state;
    /* "00" context, list, entry = cert 3000, extensions */
#define ENTRY(ext_len, exts) "0000023000" ext_len exts
    static const struct {
        const char *body;
        captls_result want;
        const char *what;
    } cases[] = {
        {"00" "00000b" ENTRY("0004", "fafa0000"), UNSUPPORTED,
         "unknown entry extension"},
        {"00" "00000d" ENTRY("0006", "002b00020304"), ILLEGAL,
         "supported_versions in an entry"},
        {"00" "00000b" ENTRY("0004", "00000000"), ILLEGAL,
         "server_name in an entry"},
        {"00" "000015" ENTRY("000e", "0005000601000002" "3000" "00050000"),
         ILLEGAL, "duplicate status_request"},
        {"00" "000011" ENTRY("000a", "000500060200000230" "00"), DECODE_ERROR,
         "status_type 2"},
        {"00" "00000f" ENTRY("0008", "0005000401000000"), DECODE_ERROR,
         "empty OCSPResponse"},
        {"00" "000010" ENTRY("0009", "000500050100000230"), DECODE_ERROR,
         "OCSPResponse past its extension"},
        {"00" "00000d" ENTRY("0006", "001200020000"), DECODE_ERROR,
         "empty SCT list"},
        {"00" "00000f" ENTRY("0008", "0012000400020000"), DECODE_ERROR,
         "empty SerializedSCT"},
        {"00" "00000b" ENTRY("0004", "00120000"), DECODE_ERROR,
         "empty SCT extension"},
        {"00" "000005" "000000" "0000", DECODE_ERROR, "empty cert_data"},
        {"00" "000007" "0000033000" "0000", DECODE_ERROR,
         "cert_data past the entry"},
        {"00" "000005" "000002" "3000", DECODE_ERROR,
         "entry without extensions"},
        {"00" "000008" "0000023000" "0001" "00", DECODE_ERROR,
         "cut extension"},
        {"00" "000008" "0000023000" "0000", DECODE_ERROR,
         "list longer than its entries"},
        {"02" "00", DECODE_ERROR, "context past the end"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        captls_tls_certificate c;
        size_t n = body_of(cases[i].body);
        captls_result r = captls_tls_certificate_decode(g_body, n, &c);
        if (r != cases[i].want)
            fail_msg("%s: got %#x, want %#x", cases[i].what, r, cases[i].want);
        assert_int_equal(c.count, 0);
    }
#undef ENTRY
}

/* ---- CertificateVerify ------------------------------------------------- */

static void test_cv(void **state)
{
    (void)state;
    tm_msg m;
    tm_load(&m, RFC_CV, CAPTLS_HS_CERTIFICATE_VERIFY);
    captls_tls_certificate_verify cv;
    assert_int_equal(
        captls_tls_certificate_verify_decode(m.body, m.body_len, &cv),
        CAPTLS_OK);
    assert_int_equal(cv.scheme, 0x0804);
    assert_int_equal(cv.signature.len, 128);
    assert_ptr_equal(cv.signature.ptr, m.body + 4);
    check_prefixes(dec_cv, m.body, m.body_len);
    uint8_t buf[256];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_certificate_verify_encode(
                         &w, 0x0804, cv.signature.ptr, cv.signature.len),
                     CAPTLS_OK);
    assert_int_equal(w.len, m.len);
    assert_memory_equal(buf, m.buf, m.len);

    /* an empty signature: well formed, can never verify */
    size_t n = body_of("08040000");
    assert_int_equal(captls_tls_certificate_verify_decode(g_body, n, &cv),
                     CAPTLS_TLS_ERR(DECRYPT_ERROR));
    assert_int_equal(cv.scheme, 0);
    n = body_of("0804000101" "00");
    assert_int_equal(captls_tls_certificate_verify_decode(g_body, n, &cv),
                     DECODE_ERROR);
    n = body_of("080400020101" "");
    assert_int_equal(captls_tls_certificate_verify_decode(g_body, n, &cv),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_certificate_verify_encode(&w, 0x0804, buf, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);

    /* the signed content, RFC 8446 §4.4.3 */
    uint8_t hash[48], out[CAPTLS_TLS_CV_CONTENT_MAX];
    for (int i = 0; i < 48; i++)
        hash[i] = (uint8_t)(0xA0 + i);
    size_t len = captls_tls_certificate_verify_content(true, hash, 32, out);
    assert_int_equal(len, 64 + 33 + 1 + 32);
    for (int i = 0; i < 64; i++)
        assert_int_equal(out[i], 0x20);
    assert_memory_equal(out + 64, "TLS 1.3, server CertificateVerify", 33);
    assert_int_equal(out[97], 0);
    assert_memory_equal(out + 98, hash, 32);
    len = captls_tls_certificate_verify_content(false, hash, 48, out);
    assert_int_equal(len, 64 + 33 + 1 + 48);
    assert_memory_equal(out + 64, "TLS 1.3, client CertificateVerify", 33);
    assert_memory_equal(out + 98, hash, 48);
    uint8_t big[65] = {0};
    assert_int_equal(captls_tls_certificate_verify_content(true, big, 65, out),
                     0);
    assert_true(64 + 33 + 1 + 64 <= CAPTLS_TLS_CV_CONTENT_MAX);
}

/* ---- Finished ---------------------------------------------------------- */

static void test_finished(void **state)
{
    (void)state;
    const char *const msgs[] = {RFC_SFIN, RFC_CFIN};
    for (int k = 0; k < 2; k++) {
        tm_msg m;
        tm_load(&m, msgs[k], CAPTLS_HS_FINISHED);
        captls_slice vd;
        assert_int_equal(captls_tls_finished_decode(m.body, m.body_len, 32, &vd),
                         CAPTLS_OK);
        assert_ptr_equal(vd.ptr, m.body);
        assert_int_equal(vd.len, 32);
        check_prefixes(dec_fin32, m.body, m.body_len);
        /* wrong length for the suite's hash */
        assert_int_equal(captls_tls_finished_decode(m.body, m.body_len, 48, &vd),
                         DECODE_ERROR);
        assert_int_equal(vd.len, 0);
        uint8_t buf[64];
        captls_tls_writer w;
        captls_tls_writer_init(&w, buf, sizeof buf);
        assert_int_equal(captls_tls_finished_encode(&w, m.body, 32), CAPTLS_OK);
        assert_int_equal(w.len, m.len);
        assert_memory_equal(buf, m.buf, m.len);
    }
    captls_slice vd;
    uint8_t b48[48] = {0};
    assert_int_equal(captls_tls_finished_decode(b48, 48, 48, &vd), CAPTLS_OK);
    assert_int_equal(captls_tls_finished_decode(b48, 0, 0, &vd), DECODE_ERROR);
}

/* ---- NewSessionTicket -------------------------------------------------- */

static void test_nst(void **state)
{
    (void)state;
    tm_msg m;
    tm_load(&m, RFC_NST, CAPTLS_HS_NEW_SESSION_TICKET);
    captls_tls_new_session_ticket t;
    assert_int_equal(
        captls_tls_new_session_ticket_decode(m.body, m.body_len, &t),
        CAPTLS_OK);
    assert_int_equal(t.lifetime, 0x1e);
    assert_int_equal(t.age_add, 0xfad6aac5);
    assert_true(slice_eq_hex(t.nonce, "0000"));
    assert_int_equal(t.ticket.len, 0xb2);
    assert_int_equal(t.ticket.ptr[0], 0x2c);
    assert_true(t.early_data);
    check_prefixes(dec_nst, m.body, m.body_len);

    /* the encoder writes the same ticket without extensions */
    uint8_t buf[256];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, sizeof buf);
    assert_int_equal(captls_tls_new_session_ticket_encode(
                         &w, t.lifetime, t.age_add, t.nonce.ptr, t.nonce.len,
                         t.ticket.ptr, t.ticket.len),
                     CAPTLS_OK);
    assert_int_equal(w.len, m.len - 8);
    assert_memory_equal(buf + 4, m.body, m.body_len - 10);
    captls_tls_new_session_ticket t2;
    assert_int_equal(
        captls_tls_new_session_ticket_decode(buf + 4, w.len - 4, &t2),
        CAPTLS_OK);
    assert_int_equal(t2.lifetime, t.lifetime);
    assert_false(t2.early_data);
    assert_int_equal(captls_tls_new_session_ticket_encode(
                         &w, 604801, 0, NULL, 0, t.ticket.ptr, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_tls_new_session_ticket_encode(&w, 1, 0, NULL, 0,
                                                          t.ticket.ptr, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);

    static const struct {
        const char *body;
        captls_result want;
        const char *what;
    } cases[] = {
        {"00093a80" "00000000" "00" "0001aa" "0000", CAPTLS_OK, "7 days"},
        {"00093a81" "00000000" "00" "0001aa" "0000", ILLEGAL, "7 days + 1 s"},
        {"00000001" "00000000" "00" "0001aa" "0004" "fafa0000", CAPTLS_OK,
         "unknown extension ignored"},
        {"00000001" "00000000" "00" "0001aa" "0008" "fafa0000fafa0000", ILLEGAL,
         "duplicate unknown extension"},
        {"00000001" "00000000" "00" "0001aa" "0008" "0033000400170000", ILLEGAL,
         "key_share in NewSessionTicket"},
        {"00000001" "00000000" "00" "0001aa" "0007" "002a0003000004",
         DECODE_ERROR, "early_data of 3 bytes"},
        {"00000001" "00000000" "00" "0000" "0000", DECODE_ERROR,
         "empty ticket"},
        {"00000001" "00000000" "01" "0001aa" "0000", DECODE_ERROR,
         "nonce swallowing the ticket"},
        {"00000001" "00000000" "00" "0001aa", DECODE_ERROR,
         "no extension block"},
        {"00000001" "00000000" "00" "0001aa" "ffff", DECODE_ERROR,
         "extension block of 2^16-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = body_of(cases[i].body);
        captls_result r = captls_tls_new_session_ticket_decode(g_body, n, &t);
        if (r != cases[i].want)
            fail_msg("%s: got %#x, want %#x", cases[i].what, r, cases[i].want);
        if (r != CAPTLS_OK)
            assert_int_equal(t.ticket.len, 0);
    }
}

/* ---- KeyUpdate --------------------------------------------------------- */

static void test_key_update(void **state)
{
    (void)state;
    bool req = true;
    const uint8_t v[] = {0, 1, 2, 255};
    assert_int_equal(captls_tls_key_update_decode(v, 1, &req), CAPTLS_OK);
    assert_false(req);
    assert_int_equal(captls_tls_key_update_decode(v + 1, 1, &req), CAPTLS_OK);
    assert_true(req);
    assert_int_equal(captls_tls_key_update_decode(v + 2, 1, &req), ILLEGAL);
    assert_false(req);
    assert_int_equal(captls_tls_key_update_decode(v + 3, 1, &req), ILLEGAL);
    assert_int_equal(captls_tls_key_update_decode(v, 0, &req), DECODE_ERROR);
    assert_int_equal(captls_tls_key_update_decode(v, 2, &req), DECODE_ERROR);
    check_prefixes(dec_ku, v + 1, 1);
    uint8_t buf[12];
    captls_tls_writer w;
    captls_tls_writer_init(&w, buf, 10);
    assert_int_equal(captls_tls_key_update_encode(&w, true), CAPTLS_OK);
    assert_int_equal(captls_tls_key_update_encode(&w, false), CAPTLS_OK);
    const uint8_t want[] = {24, 0, 0, 1, 1, 24, 0, 0, 1, 0};
    assert_int_equal(w.len, 10);
    assert_memory_equal(buf, want, 10);
    assert_int_equal(captls_tls_key_update_encode(&w, false),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
}

/* ---- every encoder against a short buffer ------------------------------ */

static uint8_t g_cert[1024];
static size_t g_cert_len;

static captls_result enc(int which, captls_tls_writer *w)
{
    static const uint8_t rnd[32] = {1}, kx[32] = {2}, vd[32] = {3};
    static const uint16_t suites[] = {0x1301}, groups[] = {0x001d},
                          sigs[] = {0x0804};
    static const char *const alpn[] = {"h2"};
    captls_tls_key_share_entry share = {0x001d, {kx, 32}};
    captls_slice id = {(const uint8_t *)"id", 2};
    uint32_t age = 5;
    captls_slice cert = {g_cert, g_cert_len};
    captls_slice ocsp = {kx, 5}, sct = {(const uint8_t *)"\x00\x02\x00\x00", 0};
    switch (which) {
    case 0: {
        captls_tls_client_hello_params p = {
            .random = rnd, .suites = suites, .suite_count = 1,
            .server_name = (const uint8_t *)"a.example", .server_name_len = 9,
            .groups = groups, .group_count = 1, .shares = &share,
            .share_count = 1, .sig_algs = sigs, .sig_alg_count = 1,
            .sig_algs_cert = sigs, .sig_alg_cert_count = 1, .alpn = alpn,
            .alpn_count = 1, .record_size_limit = 0x4001,
            .status_request = true, .sct = true, .cookie = kx, .cookie_len = 4,
            .psk_modes_dhe = true, .psk_count = 1, .psk_identity = &id,
            .psk_obfuscated_age = &age, .psk_binder_len = 32};
        size_t off;
        return captls_tls_client_hello_encode(w, &p, &off);
    }
    case 1: {
        captls_tls_server_hello_params p = {
            .random = rnd, .cipher_suite = 0x1301, .key_share_group = 0x1d,
            .key_share = kx, .key_share_len = 32, .have_psk = true};
        return captls_tls_server_hello_encode(w, &p);
    }
    case 2: {
        captls_tls_server_hello_params p = {
            .is_hrr = true, .cipher_suite = 0x1301, .key_share_group = 0x17,
            .cookie = kx, .cookie_len = 8};
        return captls_tls_server_hello_encode(w, &p);
    }
    case 3: {
        captls_tls_encrypted_extensions_params p = {
            .server_name_ack = true, .alpn = (const uint8_t *)"h2",
            .alpn_len = 2, .record_size_limit = 0x4001, .groups = rfc_groups,
            .group_count = 9};
        return captls_tls_encrypted_extensions_encode(w, &p);
    }
    case 4:
        return captls_tls_certificate_request_encode(w, sigs, 1);
    case 5:
        sct.len = 4;
        return captls_tls_certificate_encode(w, NULL, 0, &cert, 1, ocsp, sct);
    case 6:
        return captls_tls_certificate_verify_encode(w, 0x0804, kx, 32);
    case 7:
        return captls_tls_finished_encode(w, vd, 32);
    case 8:
        return captls_tls_new_session_ticket_encode(w, 7200, 9, rnd, 8, kx, 32);
    default:
        return captls_tls_key_update_encode(w, true);
    }
}

static void test_writer_overflow_all(void **state)
{
    (void)state;
    tm_msg m;
    tm_load(&m, RFC_CERT, CAPTLS_HS_CERTIFICATE);
    g_cert_len = 0x1b0;
    memcpy(g_cert, m.body + 7, g_cert_len);
    static uint8_t full[1024], buf[1024 + 16];
    for (int which = 0; which < 10; which++) {
        captls_tls_writer w;
        captls_tls_writer_init(&w, full, sizeof full);
        assert_int_equal(enc(which, &w), CAPTLS_OK);
        size_t need = w.len;
        assert_true(need + 16 <= sizeof buf);
        for (size_t cap = 0; cap <= need; cap++) {
            memset(buf, 0xC5, sizeof buf);
            captls_tls_writer_init(&w, buf, cap);
            captls_result r = enc(which, &w);
            if (cap < need) {
                assert_int_equal(r, CAPTLS_ERR_BUFFER_TOO_SMALL);
                assert_true(w.overflow);
                assert_true(w.len <= cap);
            } else {
                assert_int_equal(r, CAPTLS_OK);
                assert_memory_equal(buf, full, need);
            }
            for (size_t i = cap; i < sizeof buf; i++)
                if (buf[i] != 0xC5)
                    fail_msg("encoder %d wrote byte %zu with cap %zu", which,
                             i, cap);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ee_rfc8448),
        cmocka_unit_test(test_ee_bad),
        cmocka_unit_test(test_cr),
        cmocka_unit_test(test_cert_rfc8448),
        cmocka_unit_test(test_cert_round_trip),
        cmocka_unit_test(test_cert_bad),
        cmocka_unit_test(test_cv),
        cmocka_unit_test(test_finished),
        cmocka_unit_test(test_nst),
        cmocka_unit_test(test_key_update),
        cmocka_unit_test(test_writer_overflow_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
