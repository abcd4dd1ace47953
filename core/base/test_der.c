/* Unit tests of core/base/der.c: every refusal, the writer, truncations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/base/der.h"

#define N(a) (sizeof(a))

/* Validates a whole input and returns the result (and the error record). */
static captls_result val(const uint8_t *p, size_t n, captls_der_error *e)
{
    captls_der_error local;
    return captls_der_validate(p, n, e != NULL ? e : &local, NULL);
}

static void test_reads_a_sequence(void **state)
{
    (void)state;
    static const uint8_t in[] = {
        0x30, 0x29,
        0x02, 0x01, 0x05,                         /* INTEGER 5 */
        0x01, 0x01, 0xFF,                         /* TRUE */
        0x05, 0x00,                               /* NULL */
        0x06, 0x03, 0x2B, 0x65, 0x70,             /* 1.3.101.112 */
        0x03, 0x02, 0x04, 0xF0,                   /* BIT STRING, 4 unused */
        0x04, 0x02, 0xAA, 0xBB,                   /* OCTET STRING */
        0x17, 0x0D, '4', '9', '1', '2', '3', '1', /* UTCTime */
        '2', '3', '5', '9', '5', '9', 'Z',
        0xA0, 0x03, 0x02, 0x01, 0x07,             /* [0] { INTEGER 7 } */
    };
    static const uint8_t ed[] = {0x2B, 0x65, 0x70};
    captls_der d, s, x;
    captls_der_error e;
    int64_t v, t;
    bool b, here;
    captls_slice sl;
    unsigned unused;
    assert_int_equal(val(in, N(in), NULL), CAPTLS_OK);
    captls_der_init(&d, in, N(in), &e);
    assert_int_equal(captls_der_enter(&d, CAPTLS_DER_SEQUENCE, &s), CAPTLS_OK);
    assert_int_equal(captls_der_read_int64(&s, &v), CAPTLS_OK);
    assert_int_equal(v, 5);
    assert_int_equal(captls_der_read_bool(&s, &b), CAPTLS_OK);
    assert_true(b);
    assert_int_equal(captls_der_read_null(&s), CAPTLS_OK);
    assert_int_equal(captls_der_read_oid(&s, &sl), CAPTLS_OK);
    assert_true(CAPTLS_DER_OID_IS(sl, ed));
    assert_int_equal(captls_der_read_bit_string(&s, &sl, &unused), CAPTLS_OK);
    assert_int_equal(unused, 4);
    assert_int_equal(sl.len, 1);
    assert_int_equal(captls_der_read_octet_string(&s, &sl), CAPTLS_OK);
    assert_memory_equal(sl.ptr, "\xAA\xBB", 2);
    assert_int_equal(captls_der_read_time(&s, &t), CAPTLS_OK);
    assert_int_equal(t, 2524607999LL);
    assert_int_equal(captls_der_enter_optional(&s, CAPTLS_DER_CONTEXT(1), &x,
                                               &here), CAPTLS_OK);
    assert_false(here);
    assert_int_equal(captls_der_enter_optional(&s, CAPTLS_DER_CONTEXT(0), &x,
                                               &here), CAPTLS_OK);
    assert_true(here);
    assert_int_equal(x.depth, 2);
    assert_int_equal(captls_der_read_int64(&x, &v), CAPTLS_OK);
    assert_int_equal(v, 7);
    assert_int_equal(captls_der_finish(&x), CAPTLS_OK);
    assert_int_equal(captls_der_finish(&s), CAPTLS_OK);
    assert_int_equal(captls_der_finish(&d), CAPTLS_OK);
    assert_int_equal(e.code, CAPTLS_OK);
    /* reading past the end */
    captls_der_tlv tlv;
    assert_int_equal(captls_der_read(&s, &tlv), CAPTLS_ERR_MALFORMED);
}

struct refusal {
    const char *name;
    uint8_t in[12];
    size_t n;
    captls_result want;
};

/* Each is one whole input for captls_der_validate. */
static const struct refusal refusals[] = {
    {"indefinite length", {0x30, 0x80, 0x00, 0x00}, 4, CAPTLS_ERR_MALFORMED},
    {"long form for a short length", {0x04, 0x81, 0x01, 0xAA}, 4,
     CAPTLS_ERR_MALFORMED},
    {"length with a leading zero", {0x04, 0x82, 0x00, 0x01, 0xAA}, 5,
     CAPTLS_ERR_MALFORMED},
    {"length past the end", {0x04, 0x05, 0x01, 0x02}, 4, CAPTLS_ERR_MALFORMED},
    {"long length past the end", {0x04, 0x82, 0x01, 0x00, 0x01}, 5,
     CAPTLS_ERR_MALFORMED},
    {"length above the maximum", {0x04, 0x84, 0x01, 0x00, 0x00, 0x00}, 6,
     CAPTLS_ERR_LIMIT_EXCEEDED},
    {"reserved length octet", {0x04, 0xFF, 0x00}, 3, CAPTLS_ERR_MALFORMED},
    {"truncated length", {0x04}, 1, CAPTLS_ERR_MALFORMED},
    {"truncated long length", {0x04, 0x82, 0x01}, 3, CAPTLS_ERR_MALFORMED},
    {"high-tag form for tag 5", {0x1F, 0x05, 0x00}, 3, CAPTLS_ERR_MALFORMED},
    {"high-tag form with 0x80 lead", {0x9F, 0x80, 0x20, 0x00}, 4,
     CAPTLS_ERR_MALFORMED},
    {"tag number too large", {0x9F, 0x81, 0x80, 0x80, 0x00, 0x00}, 6,
     CAPTLS_ERR_LIMIT_EXCEEDED},
    {"truncated high tag", {0x9F, 0x81}, 2, CAPTLS_ERR_MALFORMED},
    {"end-of-contents", {0x00, 0x00}, 2, CAPTLS_ERR_MALFORMED},
    {"constructed INTEGER", {0x22, 0x03, 0x02, 0x01, 0x00}, 5,
     CAPTLS_ERR_MALFORMED},
    {"constructed OCTET STRING", {0x24, 0x03, 0x04, 0x01, 0x00}, 5,
     CAPTLS_ERR_MALFORMED},
    {"primitive SEQUENCE", {0x10, 0x00}, 2, CAPTLS_ERR_MALFORMED},
    {"empty INTEGER", {0x02, 0x00}, 2, CAPTLS_ERR_MALFORMED},
    {"non-minimal INTEGER 0x0001", {0x02, 0x02, 0x00, 0x01}, 4,
     CAPTLS_ERR_MALFORMED},
    {"non-minimal INTEGER 0xFF80", {0x02, 0x02, 0xFF, 0x80}, 4,
     CAPTLS_ERR_MALFORMED},
    {"BOOLEAN 0x01", {0x01, 0x01, 0x01}, 3, CAPTLS_ERR_MALFORMED},
    {"BOOLEAN of two octets", {0x01, 0x02, 0xFF, 0xFF}, 4, CAPTLS_ERR_MALFORMED},
    {"empty BOOLEAN", {0x01, 0x00}, 2, CAPTLS_ERR_MALFORMED},
    {"NULL with contents", {0x05, 0x01, 0x00}, 3, CAPTLS_ERR_MALFORMED},
    {"empty OID", {0x06, 0x00}, 2, CAPTLS_ERR_MALFORMED},
    {"OID arc with 0x80 lead", {0x06, 0x03, 0x2B, 0x80, 0x01}, 5,
     CAPTLS_ERR_MALFORMED},
    {"OID ending inside an arc", {0x06, 0x02, 0x2B, 0x86}, 4,
     CAPTLS_ERR_MALFORMED},
    {"empty BIT STRING", {0x03, 0x00}, 2, CAPTLS_ERR_MALFORMED},
    {"BIT STRING unused 8", {0x03, 0x02, 0x08, 0x00}, 4, CAPTLS_ERR_MALFORMED},
    {"BIT STRING unused without data", {0x03, 0x01, 0x01}, 3,
     CAPTLS_ERR_MALFORMED},
    {"BIT STRING non-zero unused bits", {0x03, 0x02, 0x01, 0x01}, 4,
     CAPTLS_ERR_MALFORMED},
    {"two top-level elements", {0x05, 0x00, 0x05, 0x00}, 4,
     CAPTLS_ERR_MALFORMED},
    {"trailing byte", {0x05, 0x00, 0x00}, 3, CAPTLS_ERR_MALFORMED},
    {"element overruns its SEQUENCE", {0x30, 0x02, 0x04, 0x02, 0xAA, 0xBB}, 6,
     CAPTLS_ERR_MALFORMED},
    {"odd BMPString", {0x1E, 0x01, 0x41}, 3, CAPTLS_ERR_MALFORMED},
    {"bad UTCTime", {0x17, 0x02, '9', '9'}, 4, CAPTLS_ERR_MALFORMED},
    {"empty input", {0}, 0, CAPTLS_ERR_MALFORMED},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(refusals) / N(refusals[0]); i++) {
        const struct refusal *r = &refusals[i];
        captls_der_error e;
        captls_result got = val(r->in, r->n, &e);
        if (got != r->want)
            fail_msg("%s: got %s, want %s", r->name, captls_result_name(got),
                     captls_result_name(r->want));
        assert_int_equal(e.code, r->want);
        assert_non_null(e.reason);
    }
}

static void test_accepts_high_tags_and_lengths(void **state)
{
    (void)state;
    /* [31] IMPLICIT, the smallest high-tag number */
    static const uint8_t t31[] = {0x9F, 0x1F, 0x01, 0xAA};
    /* [0x1FFFFF] = the bound, constructed, empty */
    static const uint8_t tmax[] = {0xBF, 0xFF, 0xFF, 0x7F, 0x00};
    captls_der d;
    captls_der_tlv t;
    assert_int_equal(val(t31, N(t31), NULL), CAPTLS_OK);
    captls_der_init(&d, t31, N(t31), NULL);
    assert_int_equal(captls_der_read(&d, &t), CAPTLS_OK);
    assert_int_equal(t.tag, CAPTLS_DER_CONTEXT_PRIM(31));
    assert_int_equal(t.raw.len, 4);
    captls_der_init(&d, tmax, N(tmax), NULL);
    assert_int_equal(captls_der_read(&d, &t), CAPTLS_OK);
    assert_int_equal(t.tag, CAPTLS_DER_CONTEXT(CAPTLS_DER_MAX_TAG_NUMBER));
    /* 128-byte and 256-byte lengths */
    static uint8_t big[4 + 256];
    memset(big, 0x11, sizeof(big));
    big[0] = 0x04; big[1] = 0x81; big[2] = 0x80;
    assert_int_equal(val(big, 3 + 128, NULL), CAPTLS_OK);
    big[1] = 0x82; big[2] = 0x01; big[3] = 0x00;
    assert_int_equal(val(big, 4 + 256, NULL), CAPTLS_OK);
}

static void test_integers(void **state)
{
    (void)state;
    static const uint8_t pos[] = {0x02, 0x02, 0x00, 0x80};
    static const uint8_t zero[] = {0x02, 0x01, 0x00};
    static const uint8_t neg[] = {0x02, 0x01, 0x80};
    static const uint8_t max[] = {0x02, 0x08, 0x7F, 0xFF, 0xFF, 0xFF,
                                  0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t min[] = {0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t over[] = {0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0};
    captls_der d;
    captls_slice m = {NULL, 99};
    int64_t v = 42;
    captls_der_init(&d, pos, N(pos), NULL);
    assert_int_equal(captls_der_read_uint(&d, &m), CAPTLS_OK);
    assert_int_equal(m.len, 1);
    assert_int_equal(m.ptr[0], 0x80);
    captls_der_init(&d, zero, N(zero), NULL);
    assert_int_equal(captls_der_read_uint(&d, &m), CAPTLS_OK);
    assert_int_equal(m.len, 1);
    assert_int_equal(m.ptr[0], 0);
    captls_der_init(&d, neg, N(neg), NULL);
    m.len = 99;
    assert_int_equal(captls_der_read_uint(&d, &m), CAPTLS_ERR_MALFORMED);
    assert_int_equal(m.len, 99);           /* output untouched */
    assert_int_equal(captls_der_offset(&d), 0); /* cursor did not move */
    assert_int_equal(captls_der_read_int64(&d, &v), CAPTLS_OK);
    assert_int_equal(v, -128);
    captls_der_init(&d, max, N(max), NULL);
    assert_int_equal(captls_der_read_int64(&d, &v), CAPTLS_OK);
    assert_true(v == INT64_MAX);
    captls_der_init(&d, min, N(min), NULL);
    assert_int_equal(captls_der_read_int64(&d, &v), CAPTLS_OK);
    assert_true(v == INT64_MIN);
    captls_der_init(&d, over, N(over), NULL);
    v = 42;
    assert_int_equal(captls_der_read_int64(&d, &v), CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(v, 42);
    assert_int_equal(captls_der_read_uint(&d, &m), CAPTLS_OK); /* fits there */
    assert_int_equal(m.len, 8);
}

static captls_result time_of(uint32_t tag, const char *s, int64_t *t)
{
    captls_slice v = {(const uint8_t *)s, strlen(s)};
    return captls_der_parse_time(tag, v, t);
}

static void test_times(void **state)
{
    (void)state;
    int64_t t = 0;
    const uint32_t U = CAPTLS_DER_UTC_TIME, G = CAPTLS_DER_GENERALIZED_TIME;
    assert_int_equal(time_of(U, "491231235959Z", &t), CAPTLS_OK);
    assert_int_equal(t, 2524607999LL);
    assert_int_equal(time_of(U, "500101000000Z", &t), CAPTLS_OK);
    assert_int_equal(t, -631152000LL);
    assert_int_equal(time_of(U, "700101000000Z", &t), CAPTLS_OK);
    assert_int_equal(t, 0);
    assert_int_equal(time_of(G, "20000229120000Z", &t), CAPTLS_OK);
    assert_int_equal(t, 951825600LL);
    assert_int_equal(time_of(G, "20240229000000Z", &t), CAPTLS_OK);
    assert_int_equal(t, 1709164800LL);
    assert_int_equal(time_of(G, "99991231235959Z", &t), CAPTLS_OK);
    assert_int_equal(t, 253402300799LL);
    assert_int_equal(time_of(G, "00010101000000Z", &t), CAPTLS_OK);
    assert_int_equal(t, -62135596800LL);
    static const char *bad_u[] = {
        "4912312359Z", "491231235959", "491231235959+0000", "491231235960Z",
        "491331235959Z", "490230000000Z", "490100000000Z", "492431000000Z",
        "49123123595 Z", "4912312359590Z", "-91231235959Z", "491231236059Z",
    };
    for (size_t i = 0; i < N(bad_u) / N(bad_u[0]); i++) {
        t = 7;
        if (time_of(U, bad_u[i], &t) != CAPTLS_ERR_MALFORMED)
            fail_msg("UTCTime %s accepted", bad_u[i]);
        assert_int_equal(t, 7);
    }
    static const char *bad_g[] = {
        "20010229000000Z", "19000229000000Z", "20000101000000.5Z",
        "20000101000000", "200001010000Z", "20000101000000+0100",
        "2000010100000Z", "20001131000000Z",
    };
    for (size_t i = 0; i < N(bad_g) / N(bad_g[0]); i++)
        if (time_of(G, bad_g[i], &t) != CAPTLS_ERR_MALFORMED)
            fail_msg("GeneralizedTime %s accepted", bad_g[i]);
    assert_int_equal(time_of(CAPTLS_DER_INTEGER, "20000101000000Z", &t),
                     CAPTLS_ERR_MALFORMED);
}

static void test_depth_bound(void **state)
{
    (void)state;
    /* CAPTLS_DER_MAX_DEPTH nested SEQUENCEs pass, one more does not. */
    uint8_t in[2 * (CAPTLS_DER_MAX_DEPTH + 2)];
    for (size_t depth = CAPTLS_DER_MAX_DEPTH; depth <= CAPTLS_DER_MAX_DEPTH + 1;
         depth++) {
        size_t n = 2 * depth;
        for (size_t i = 0; i < depth; i++) {
            in[2 * i] = 0x30;
            in[2 * i + 1] = (uint8_t)(n - 2 * i - 2);
        }
        captls_der_error e;
        captls_result r = captls_der_validate(in, n, &e, NULL);
        /* the outermost element is at depth 0 in the cursor, its contents
         * at depth 1: MAX_DEPTH levels of contents are allowed. */
        if (depth <= CAPTLS_DER_MAX_DEPTH)
            assert_int_equal(r, CAPTLS_OK);
        else {
            assert_int_equal(r, CAPTLS_ERR_LIMIT_EXCEEDED);
            assert_int_equal(e.offset, 2 * (depth - 1));
        }
    }
    /* enter() refuses too */
    captls_der d;
    captls_der_init(&d, in, 2, NULL);
    d.depth = CAPTLS_DER_MAX_DEPTH;
    in[0] = 0x30; in[1] = 0;
    captls_der sub;
    assert_int_equal(captls_der_enter(&d, CAPTLS_DER_SEQUENCE, &sub),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_der_offset(&d), 0);
}

static void test_trailing_data_and_tags(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x30, 0x05, 0x02, 0x01, 0x05, 0x05, 0x00};
    captls_der d, s;
    captls_der_error e;
    int64_t v;
    captls_der_init(&d, in, N(in), &e);
    assert_int_equal(captls_der_enter(&d, CAPTLS_DER_SEQUENCE, &s), CAPTLS_OK);
    assert_int_equal(captls_der_read_int64(&s, &v), CAPTLS_OK);
    assert_int_equal(captls_der_finish(&s), CAPTLS_ERR_MALFORMED);
    assert_int_equal(e.offset, 5);
    assert_string_equal(e.reason, "trailing data");
    assert_int_equal(captls_der_error_offset(&s), 5);
    /* wrong tag */
    captls_der_init(&d, in, N(in), &e);
    assert_int_equal(captls_der_enter(&d, CAPTLS_DER_SET, &s),
                     CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "unexpected tag");
    /* a string read */
    static const uint8_t str[] = {0x13, 0x02, 'o', 'k'};
    captls_der_tlv t;
    captls_der_init(&d, str, N(str), NULL);
    assert_int_equal(captls_der_read_string(&d, &t), CAPTLS_OK);
    assert_int_equal(t.tag, CAPTLS_DER_PRINTABLE_STRING);
    captls_der_init(&d, in, N(in), NULL);
    assert_int_equal(captls_der_read_string(&d, &t), CAPTLS_ERR_MALFORMED);
    /* error offset of a deep failure: the bad BOOLEAN at offset 6 */
    static const uint8_t deep[] = {0x30, 0x07, 0xA1, 0x05, 0x30, 0x03,
                                   0x01, 0x01, 0x01};
    assert_int_equal(captls_der_validate(deep, N(deep), &e, NULL),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(e.offset, 6);
}

/* A certificate-like structure written with the writer. */
static size_t build(uint8_t *buf, size_t cap, captls_result *r)
{
    static const uint8_t oid[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
    static const uint8_t mag[] = {0x00, 0x00, 0x80, 0x01};
    uint8_t blob[300];
    memset(blob, 0x5A, sizeof(blob));
    captls_der_writer w;
    captls_der_writer_init(&w, buf, cap);
    size_t m0 = captls_der_writer_mark(&w);
    captls_der_write_tlv(&w, CAPTLS_DER_CONTEXT_PRIM(40), blob, 3);
    size_t m1 = captls_der_writer_mark(&w);
    captls_der_write_int64(&w, -129);
    captls_der_write_wrap(&w, CAPTLS_DER_CONTEXT(0), m1);
    captls_der_write_bit_string(&w, blob, 2, 1 /* 0x5A: low bit is 0 */);
    captls_der_write_octet_string(&w, blob, sizeof(blob));
    captls_der_write_oid(&w, oid, sizeof(oid));
    captls_der_write_null(&w);
    captls_der_write_bool(&w, true);
    captls_der_write_uint(&w, mag, sizeof(mag));
    captls_der_write_int64(&w, 0);
    captls_der_write_wrap(&w, CAPTLS_DER_SEQUENCE, m0);
    size_t len = 0;
    *r = captls_der_writer_finish(&w, &len);
    return len;
}

static void test_writer_round_trip(void **state)
{
    (void)state;
    uint8_t buf[512];
    captls_result r;
    size_t len = build(buf, sizeof(buf), &r);
    assert_int_equal(r, CAPTLS_OK);
    uint8_t saved[512];
    memcpy(saved, buf, len);
    size_t count = 0;
    assert_int_equal(captls_der_validate(buf, len, NULL, &count), CAPTLS_OK);
    assert_int_equal(count, 11);
    captls_der d, s, x;
    int64_t v;
    captls_slice sl;
    bool b;
    captls_der_tlv t;
    captls_der_init(&d, buf, len, NULL);
    assert_int_equal(captls_der_enter(&d, CAPTLS_DER_SEQUENCE, &s), CAPTLS_OK);
    assert_int_equal(captls_der_read_int64(&s, &v), CAPTLS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(captls_der_read_uint(&s, &sl), CAPTLS_OK);
    assert_int_equal(sl.len, 2);
    assert_memory_equal(sl.ptr, "\x80\x01", 2);
    assert_memory_equal(sl.ptr - 3, "\x02\x03\x00", 3); /* len 3, sign byte */
    assert_int_equal(captls_der_read_bool(&s, &b), CAPTLS_OK);
    assert_int_equal(captls_der_read_null(&s), CAPTLS_OK);
    assert_int_equal(captls_der_read_oid(&s, &sl), CAPTLS_OK);
    assert_int_equal(captls_der_read_octet_string(&s, &sl), CAPTLS_OK);
    assert_int_equal(sl.len, 300);
    assert_memory_equal(sl.ptr - 4, "\x04\x82\x01\x2C", 4);
    unsigned u;
    assert_int_equal(captls_der_read_bit_string(&s, &sl, &u), CAPTLS_OK);
    assert_int_equal(u, 1);
    assert_int_equal(captls_der_enter(&s, CAPTLS_DER_CONTEXT(0), &x), CAPTLS_OK);
    assert_int_equal(captls_der_read_int64(&x, &v), CAPTLS_OK);
    assert_int_equal(v, -129);
    assert_int_equal(captls_der_expect(&s, CAPTLS_DER_CONTEXT_PRIM(40), &t),
                     CAPTLS_OK);
    assert_memory_equal(t.raw.ptr, "\x9F\x28\x03", 3);
    assert_int_equal(captls_der_finish(&s), CAPTLS_OK);

    /* too small: the size needed is reported; counting mode agrees */
    size_t need = build(buf, 100, &r);
    assert_int_equal(r, CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(need, len);
    need = build(NULL, 0, &r);
    assert_int_equal(r, CAPTLS_OK);
    assert_int_equal(need, len);
    /* exact fit */
    uint8_t exact[512];
    assert_int_equal(build(exact, len, &r), len);
    assert_int_equal(r, CAPTLS_OK);
    assert_memory_equal(exact, saved, len);
}

static void test_writer_integers_and_errors(void **state)
{
    (void)state;
    static const int64_t vals[] = {0, 1, -1, 127, 128, -128, -129, 255, 256,
                                   32767, -32768, INT64_MAX, INT64_MIN,
                                   0x7FFFFFFF, -0x80000000LL};
    for (size_t i = 0; i < N(vals) / N(vals[0]); i++) {
        uint8_t buf[16];
        captls_der_writer w;
        size_t len;
        int64_t back;
        captls_der d;
        captls_der_writer_init(&w, buf, sizeof(buf));
        captls_der_write_int64(&w, vals[i]);
        assert_int_equal(captls_der_writer_finish(&w, &len), CAPTLS_OK);
        captls_der_init(&d, buf, len, NULL);
        assert_int_equal(captls_der_read_int64(&d, &back), CAPTLS_OK);
        assert_true(back == vals[i]);
        assert_int_equal(captls_der_finish(&d), CAPTLS_OK);
    }
    uint8_t buf[16];
    captls_der_writer w;
    size_t len;
    captls_der_writer_init(&w, buf, sizeof(buf));
    captls_der_write_header(&w, CAPTLS_DER_CONTEXT(CAPTLS_DER_MAX_TAG_NUMBER + 1), 0);
    assert_int_equal(captls_der_writer_finish(&w, &len),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    captls_der_writer_init(&w, buf, sizeof(buf));
    captls_der_write_header(&w, CAPTLS_DER_SEQUENCE, CAPTLS_DER_MAX_LENGTH + 1);
    assert_int_equal(captls_der_writer_finish(&w, &len),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    captls_der_writer_init(&w, buf, sizeof(buf));
    captls_der_write_bit_string(&w, (const uint8_t *)"\x01", 1, 1);
    assert_int_equal(captls_der_writer_finish(&w, &len),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    captls_der_writer_init(&w, buf, sizeof(buf));
    captls_der_write_uint(&w, NULL, 0);
    assert_int_equal(captls_der_writer_finish(&w, &len), CAPTLS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, "\x02\x01\x00", 3);
}

static void test_every_truncation_and_flip_is_safe(void **state)
{
    (void)state;
    uint8_t buf[512];
    captls_result r;
    size_t len = build(buf, sizeof(buf), &r);
    assert_int_equal(r, CAPTLS_OK);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = test_malloc(n + 1); /* exact size for ASan */
        memcpy(copy, buf, n);
        assert_int_not_equal(captls_der_validate(copy, n, NULL, NULL), CAPTLS_OK);
        test_free(copy);
    }
    /* single-bit flips: no crash; any accepted result is still valid DER */
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t *copy = test_malloc(len);
            memcpy(copy, buf, len);
            copy[i] ^= (uint8_t)(1u << bit);
            captls_result rr = captls_der_validate(copy, len, NULL, NULL);
            assert_true(rr == CAPTLS_OK || captls_result_is_error(rr));
            test_free(copy);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_a_sequence),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_accepts_high_tags_and_lengths),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_depth_bound),
        cmocka_unit_test(test_trailing_data_and_tags),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_writer_integers_and_errors),
        cmocka_unit_test(test_every_truncation_and_flip_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
