/* Unit tests of core/acme/json.c: a hand-written JSONTestSuite-style table
 * of documents to accept and to refuse, every truncation of valid
 * documents, nesting and capacity limits, error positions, typed accessors
 * and the canonical writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/acme/json.h"

#define NTOK 256
static captls_json_token tok[NTOK];

static captls_result parse(const char *s, size_t n, captls_json_doc *d,
                           captls_json_error *e)
{
    return captls_json_parse(s, n, tok, NTOK, d, e);
}

typedef struct {
    const char *text;
    size_t len; /* 0: strlen */
} doc_case;

#define S(x) {x, sizeof(x) - 1}

static const doc_case accept_cases[] = {
    S("[]"), S("{}"), S("[1]"), S(" \t\r\n[1] \t\r\n"), S("\"a\""), S("123"),
    S("-0"), S("0"), S("0.5e+10"), S("1E-2"), S("-1.0e0"), S("1e5"),
    S("true"), S("false"), S("null"), S("[null,true,false]"),
    S("{\"a\":{\"b\":[1,{\"c\":\"d\"}]}}"), S("\"\\u00e9\""),
    S("\"\\ud83d\\ude00\""), S("\"\xc3\xa9\""), S("\"\xf0\x9f\x98\x80\""),
    S("\"\xe2\x82\xac\""), S("\"\xef\xbf\xbf\""), S("\"\xf4\x8f\xbf\xbf\""),
    S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), S("{\"a\":1,\"b\":2}"),
    S("\"\\u0000\""), S("[[]]"), S("{\"\":0}"), S("\"\\u0041\""),
    S("[1,2,3]"), S("\"\x7f\""), S("[-1.5E+3,0.0,-0e-0]"),
    S("{\"a\":[],\"b\":{},\"c\":\"\"}"), S("\"\\uDBFF\\uDFFF\""),
    S("{\"A\":1,\"a\":2}"), S("[\"a\",\"a\"]"),
};

typedef struct {
    const char *text;
    size_t len;
    captls_result code;
    const char *why;
} bad_case;

#define B(x, c, w) {x, sizeof(x) - 1, c, w}
#define M CAPTLS_ERR_MALFORMED
static const bad_case reject_cases[] = {
    B("", M, "empty"), B(" ", M, "only whitespace"), B("[", M, "open"),
    B("]", M, "close"), B("[1,]", M, "trailing comma array"),
    B("{\"a\":1,}", M, "trailing comma object"), B("[,1]", M, "leading comma"),
    B("{,}", M, "comma in empty object"), B("[1 2]", M, "missing comma"),
    B("{\"a\" 1}", M, "missing colon"), B("{\"a\":}", M, "missing value"),
    B("{1:2}", M, "number key"), B("{'a':1}", M, "single quotes"),
    B("['a']", M, "single-quoted string"), B("01", M, "leading zero"),
    B("-01", M, "negative leading zero"), B("[00]", M, "double zero"),
    B("1.", M, "no fraction digits"), B(".5", M, "no int part"),
    B("+1", M, "plus sign"), B("1e", M, "empty exponent"),
    B("1e+", M, "empty signed exponent"), B("-", M, "lone minus"),
    B("- 1", M, "space after minus"), B("1.e5", M, "dot exponent"),
    B("0x10", M, "hex"), B("NaN", M, "NaN"), B("Infinity", M, "Infinity"),
    B("-Infinity", M, "-Infinity"), B("tru", M, "truncated true"),
    B("True", M, "capital True"), B("nul", M, "truncated null"),
    B("nulls", M, "null + garbage"), B("\"abc", M, "unterminated"),
    B("\"\x01\"", M, "control char"), B("\"\t\"", M, "raw tab"),
    B("\"\n\"", M, "raw newline"), B("\"\x00\"", M, "raw NUL"),
    B("\"\\x41\"", M, "\\x escape"), B("\"\\a\"", M, "\\a escape"),
    B("\"\\U0041\"", M, "capital U"), B("\"\\u12\"", M, "short \\u"),
    B("\"\\u12G4\"", M, "bad hex"), B("\"\\ud800\"", M, "lone high"),
    B("\"\\udc00\"", M, "lone low"), B("\"\\ud800\\u0041\"", M, "high + BMP"),
    B("\"\\ud800x\"", M, "high + char"), B("\"\\ud800\\ud800\"", M, "high high"),
    B("\"\\udc00\\ud800\"", M, "reversed pair"),
    B("\"\xc0\xaf\"", M, "overlong 2"), B("\"\xc1\xbf\"", M, "overlong C1"),
    B("\"\xe0\x80\xaf\"", M, "overlong 3"),
    B("\"\xf0\x80\x80\xaf\"", M, "overlong 4"),
    B("\"\xed\xa0\x80\"", M, "UTF-8 surrogate"),
    B("\"\xf4\x90\x80\x80\"", M, "above U+10FFFF"),
    B("\"\xf5\x80\x80\x80\"", M, "F5 lead"), B("\"\xff\"", M, "FF"),
    B("\"\x80\"", M, "lone continuation"), B("\"\xc3\"", M, "truncated 2"),
    B("\"\xe2\x82\"", M, "truncated 3"), B("\"\xc3\x28\"", M, "bad continuation"),
    B("[1]x", M, "trailing garbage"), B("[1][2]", M, "two roots"),
    B("1 2", M, "two numbers"), B("{\"a\":1,\"a\":2}", M, "duplicate"),
    B("{\"a\":1,\"\\u0061\":2}", M, "escaped duplicate"),
    B("{\"a\":{},\"b\":1,\"a\":[]}", M, "duplicate after others"),
    B("\xef\xbb\xbf[]", M, "BOM"), B("[1]\x00", M, "trailing NUL"),
    B("/*c*/[]", M, "comment"), B("[1]//c", M, "line comment"),
    B("[\"a\"\n,]", M, "trailing comma newline"), B("{\"a\":1}}", M, "extra close"),
    B("[}", M, "mismatched"), B("{]", M, "mismatched 2"),
    B("[1}", M, "mismatched 3"), B("\f[]", M, "form feed"),
    B("\xa0[]", M, "nbsp"), B("[\"\x00\"]", M, "NUL in string"),
    B("{\"a\":1 \"b\":2}", M, "missing comma object"),
    B("{\"a\"::1}", M, "double colon"), B("[1,,2]", M, "double comma"),
    B("\"\\\"", M, "escaped quote then EOF"), B("{\"a\":1", M, "open object"),
    B("[\"\\u00\"]", M, "short \\u in array"),
};

static void test_accept_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(accept_cases) / sizeof(accept_cases[0]); i++) {
        captls_json_doc d;
        captls_json_error e;
        captls_result r = parse(accept_cases[i].text, accept_cases[i].len, &d, &e);
        if (r != CAPTLS_OK)
            fail_msg("refused case %zu \"%s\": %s at %zu", i,
                     accept_cases[i].text, e.reason, e.offset);
        assert_true(d.count >= 1);
        assert_int_equal(d.tok[0].next, d.count);
    }
}

static void test_reject_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++) {
        captls_json_doc d;
        captls_json_error e;
        captls_result r = parse(reject_cases[i].text, reject_cases[i].len, &d, &e);
        if (r != reject_cases[i].code)
            fail_msg("case %zu (%s): got %s", i, reject_cases[i].why,
                     captls_result_name(r));
        assert_int_equal(e.code, r);
        assert_non_null(e.reason);
        assert_true(e.offset <= reject_cases[i].len);
        assert_int_equal(d.count, 0); /* *doc zeroed */
    }
}

/* Every proper prefix of a document whose root is a container is refused;
 * every prefix of a scalar is refused or is itself valid JSON. */
static void test_every_truncation(void **state)
{
    (void)state;
    static const char *docs[] = {
        "{\"a\":[1,-2.5e+3,true,false,null],\"b\":{\"c\":\"\\ud83d\\ude00\\n\"}}",
        "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",{\"k\":\"v\"},[],{}]",
        "{\"protected\":\"eyJhbGciOiJFUzI1NiJ9\",\"payload\":\"\",\"signature\":\"AA\"}",
        " [ 1 , { \"x\" : [ null ] } ] ",
    };
    for (size_t k = 0; k < sizeof(docs) / sizeof(docs[0]); k++) {
        size_t n = strlen(docs[k]);
        captls_json_doc d;
        captls_json_error e;
        assert_int_equal(parse(docs[k], n, &d, &e), CAPTLS_OK);
        size_t first = 0;
        while (docs[k][first] == ' ')
            first++;
        for (size_t cut = 0; cut < n; cut++) {
            /* a cut inside trailing whitespace still holds the whole value */
            bool whole = cut > first && docs[k][n - 1] == ' ' &&
                         strspn(docs[k] + cut, " ") == n - cut;
            captls_result r = parse(docs[k], cut, &d, &e);
            if (whole) {
                assert_int_equal(r, CAPTLS_OK);
                continue;
            }
            if (r != CAPTLS_ERR_MALFORMED)
                fail_msg("doc %zu cut at %zu: %s", k, cut, captls_result_name(r));
            assert_true(e.offset <= cut);
        }
    }
    static const char *scalars[] = {"-12.5e+10", "\"ab\\u00e9\"", "true", "null"};
    for (size_t k = 0; k < 4; k++) {
        size_t n = strlen(scalars[k]);
        for (size_t cut = 0; cut < n; cut++) {
            captls_json_doc d;
            captls_result r = parse(scalars[k], cut, &d, NULL);
            /* "-12.5e+10" cut to "-12" or "-12.5" or "-12.5e+1" is valid */
            bool valid_prefix = k == 0 && (cut == 2 || cut == 3 || cut == 5 || cut == 8);
            assert_int_equal(r, valid_prefix ? CAPTLS_OK : CAPTLS_ERR_MALFORMED);
        }
    }
}

static void test_nesting_limit(void **state)
{
    (void)state;
    char buf[512];
    captls_json_doc d;
    captls_json_error e;
    for (size_t depth = 1; depth <= CAPTLS_JSON_MAX_DEPTH + 2; depth++) {
        size_t n = 0;
        for (size_t i = 0; i < depth; i++)
            buf[n++] = '[';
        for (size_t i = 0; i < depth; i++)
            buf[n++] = ']';
        captls_result r = parse(buf, n, &d, &e);
        if (depth <= CAPTLS_JSON_MAX_DEPTH) {
            assert_int_equal(r, CAPTLS_OK);
            assert_int_equal(d.count, depth);
        } else {
            assert_int_equal(r, CAPTLS_ERR_LIMIT_EXCEEDED);
            assert_int_equal(e.offset, CAPTLS_JSON_MAX_DEPTH);
            assert_string_equal(e.reason, "nesting too deep");
        }
        /* objects: {"a":{"a":...1...}} */
        n = 0;
        for (size_t i = 0; i < depth; i++) {
            memcpy(buf + n, "{\"a\":", 5);
            n += 5;
        }
        buf[n++] = '1';
        for (size_t i = 0; i < depth; i++)
            buf[n++] = '}';
        r = parse(buf, n, &d, &e);
        assert_int_equal(r, depth <= CAPTLS_JSON_MAX_DEPTH
                                ? CAPTLS_OK
                                : CAPTLS_ERR_LIMIT_EXCEEDED);
    }
}

static void test_token_capacity_and_members(void **state)
{
    (void)state;
    const char *s = "{\"a\":[1,2],\"b\":null}"; /* 7 tokens */
    captls_json_token small[7];
    captls_json_doc d;
    captls_json_error e;
    assert_int_equal(captls_json_parse(s, strlen(s), small, 6, &d, &e),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_string_equal(e.reason, "too many tokens");
    assert_int_equal(captls_json_parse(s, strlen(s), small, 7, &d, &e), CAPTLS_OK);
    assert_int_equal(d.count, 7);
    assert_int_equal(captls_json_parse(NULL, 1, small, 7, &d, &e),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* CAPTLS_JSON_MAX_MEMBERS members pass, one more does not */
    static char big[CAPTLS_JSON_MAX_MEMBERS * 12 + 16];
    static captls_json_token many[CAPTLS_JSON_MAX_MEMBERS * 2 + 8];
    for (size_t extra = 0; extra < 2; extra++) {
        size_t n = 0;
        big[n++] = '{';
        for (size_t i = 0; i < CAPTLS_JSON_MAX_MEMBERS + extra; i++)
            n += (size_t)sprintf(big + n, "%s\"k%zu\":0", i ? "," : "", i);
        big[n++] = '}';
        captls_result r = captls_json_parse(big, n, many,
                                            sizeof(many) / sizeof(many[0]), &d, &e);
        assert_int_equal(r, extra ? CAPTLS_ERR_LIMIT_EXCEEDED : CAPTLS_OK);
    }
}

static void test_error_positions(void **state)
{
    (void)state;
    captls_json_doc d;
    captls_json_error e;
    const char *s = "{\n  \"a\": 1,\n  \"a\": 2\n}";
    assert_int_equal(parse(s, strlen(s), &d, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "duplicate member name");
    assert_int_equal(e.line, 3);
    assert_int_equal(e.column, 3);
    assert_int_equal(e.offset, 14);
    s = "[1,\n 2,\n ]";
    assert_int_equal(parse(s, strlen(s), &d, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "trailing comma");
    assert_int_equal(e.line, 3);
    assert_int_equal(e.column, 2);
    s = "[\"ok\", \"\x01\"]";
    assert_int_equal(parse(s, strlen(s), &d, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "control character in string");
    assert_int_equal(e.offset, 8);
    s = "[1] x";
    assert_int_equal(parse(s, strlen(s), &d, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "trailing data after value");
    assert_int_equal(e.offset, 4);
    s = "[0123]";
    assert_int_equal(parse(s, strlen(s), &d, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "leading zero");
    assert_int_equal(e.offset, 1);
    s = "\"\\ud800\"";
    assert_int_equal(parse(s, strlen(s), &d, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "unpaired high surrogate");
    s = "\"a\xed\xa0\x80\"";
    assert_int_equal(parse(s, strlen(s), &d, &e), CAPTLS_ERR_MALFORMED);
    assert_string_equal(e.reason, "invalid UTF-8");
    assert_int_equal(e.offset, 2);
}

static void test_accessors(void **state)
{
    (void)state;
    const char *s =
        "{\"status\":\"valid\",\"n\":-42,\"big\":9223372036854775807,"
        "\"over\":9223372036854775808,\"min\":-9223372036854775808,"
        "\"under\":-9223372036854775809,\"frac\":1.0,\"exp\":1e2,\"z\":-0,"
        "\"t\":true,\"f\":false,\"nil\":null,\"k\\u0065y\":\"\\ud83d\\ude00\\t\","
        "\"arr\":[\"x\",{\"y\":[]},3]}";
    captls_json_doc d;
    size_t v, e2;
    int64_t iv;
    bool bv;
    uint8_t buf[16];
    size_t n;
    assert_int_equal(parse(s, strlen(s), &d, NULL), CAPTLS_OK);
    assert_int_equal(captls_json_type_of(&d, 0), CAPTLS_JSON_OBJECT);
    assert_int_equal(captls_json_type_of(&d, d.count), CAPTLS_JSON_INVALID);
    assert_int_equal(captls_json_object_get(&d, 0, "status", 6, &v), CAPTLS_OK);
    assert_true(captls_json_string_equal(&d, v, "valid", 5));
    assert_false(captls_json_string_equal(&d, v, "vali", 4));
    assert_false(captls_json_string_equal(&d, v, "valid!", 6));
    assert_int_equal(captls_json_object_get(&d, 0, "nope", 4, &v), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_json_object_get(&d, 1, "x", 1, &v), CAPTLS_ERR_MALFORMED);
#define INT(key, code, want)                                                   \
    assert_int_equal(captls_json_object_get(&d, 0, key, strlen(key), &v), CAPTLS_OK); \
    assert_int_equal(captls_json_get_int64(&d, v, &iv), code);                 \
    if (code == CAPTLS_OK)                                                     \
        assert_true(iv == (want));
    INT("n", CAPTLS_OK, -42);
    INT("big", CAPTLS_OK, INT64_MAX);
    INT("over", CAPTLS_ERR_LIMIT_EXCEEDED, 0);
    INT("min", CAPTLS_OK, INT64_MIN);
    INT("under", CAPTLS_ERR_LIMIT_EXCEEDED, 0);
    INT("frac", CAPTLS_ERR_MALFORMED, 0);
    INT("exp", CAPTLS_ERR_MALFORMED, 0);
    INT("z", CAPTLS_OK, 0);
    INT("status", CAPTLS_ERR_MALFORMED, 0);
    assert_int_equal(captls_json_object_get(&d, 0, "t", 1, &v), CAPTLS_OK);
    assert_int_equal(captls_json_get_bool(&d, v, &bv), CAPTLS_OK);
    assert_true(bv);
    assert_int_equal(captls_json_object_get(&d, 0, "f", 1, &v), CAPTLS_OK);
    assert_int_equal(captls_json_get_bool(&d, v, &bv), CAPTLS_OK);
    assert_false(bv);
    assert_false(captls_json_is_null(&d, v));
    assert_int_equal(captls_json_object_get(&d, 0, "nil", 3, &v), CAPTLS_OK);
    assert_true(captls_json_is_null(&d, v));
    assert_int_equal(captls_json_get_bool(&d, v, &bv), CAPTLS_ERR_MALFORMED);
    /* key matched after unescaping; value unescaped to UTF-8 */
    assert_int_equal(captls_json_object_get(&d, 0, "key", 3, &v), CAPTLS_OK);
    assert_int_equal(captls_json_get_string(&d, v, buf, 4, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 5);
    assert_int_equal(captls_json_get_string(&d, v, buf, sizeof(buf), &n), CAPTLS_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "\xf0\x9f\x98\x80\t", 5);
    assert_true(captls_json_string_equal(&d, v, "\xf0\x9f\x98\x80\t", 5));
    assert_int_equal(captls_json_object_get(&d, 0, "arr", 3, &v), CAPTLS_OK);
    assert_int_equal(d.tok[v].size, 3);
    assert_int_equal(captls_json_array_get(&d, v, 0, &e2), CAPTLS_OK);
    assert_true(captls_json_string_equal(&d, e2, "x", 1));
    assert_int_equal(captls_json_array_get(&d, v, 1, &e2), CAPTLS_OK);
    assert_int_equal(captls_json_type_of(&d, e2), CAPTLS_JSON_OBJECT);
    assert_int_equal(captls_json_array_get(&d, v, 2, &e2), CAPTLS_OK);
    assert_int_equal(captls_json_get_int64(&d, e2, &iv), CAPTLS_OK);
    assert_int_equal(iv, 3);
    assert_int_equal(captls_json_array_get(&d, v, 3, &e2), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_json_array_get(&d, 0, 0, &e2), CAPTLS_ERR_MALFORMED);
}

/* The member shortcuts on an ACME problem document (RFC 8555 §6.7). */
static void test_member_shortcuts(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"urn:ietf:params:acme:error:badNonce\","
                    "\"detail\":\"bad \\\"nonce\\\"\",\"status\":400,"
                    "\"onlyReturnExisting\":true,\"subproblems\":[]}";
    captls_json_doc d;
    uint8_t buf[64];
    size_t n, v;
    int64_t iv;
    bool bv;
    assert_int_equal(parse(s, strlen(s), &d, NULL), CAPTLS_OK);
    assert_int_equal(captls_json_member_string(&d, 0, "type", buf, sizeof(buf), &n), CAPTLS_OK);
    assert_int_equal(n, strlen("urn:ietf:params:acme:error:badNonce"));
    assert_memory_equal(buf, "urn:ietf:params:acme:error:badNonce", n);
    assert_int_equal(captls_json_member_string(&d, 0, "detail", buf, sizeof(buf), &n), CAPTLS_OK);
    assert_int_equal(n, 11);
    assert_memory_equal(buf, "bad \"nonce\"", 11);
    assert_int_equal(captls_json_member_int64(&d, 0, "status", &iv), CAPTLS_OK);
    assert_int_equal(iv, 400);
    assert_int_equal(captls_json_member_bool(&d, 0, "onlyReturnExisting", &bv), CAPTLS_OK);
    assert_true(bv);
    assert_int_equal(captls_json_member_typed(&d, 0, "subproblems", CAPTLS_JSON_ARRAY, &v),
                     CAPTLS_OK);
    assert_int_equal(d.tok[v].size, 0);
    /* wrong types and absent members */
    assert_int_equal(captls_json_member_string(&d, 0, "status", buf, sizeof(buf), &n),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_json_member_int64(&d, 0, "type", &iv), CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_json_member_bool(&d, 0, "status", &bv), CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_json_member_typed(&d, 0, "subproblems", CAPTLS_JSON_OBJECT, &v),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_json_member_string(&d, 0, "instance", buf, sizeof(buf), &n),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_json_member_int64(&d, 0, "retry", &iv), CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_json_member_string(&d, 1, "type", buf, sizeof(buf), &n),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_json_member_string(&d, 0, "type", buf, 4, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
}

static void test_writer(void **state)
{
    (void)state;
    char buf[256];
    size_t n;
    captls_json_writer w;
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_begin_object(&w);
    captls_json_key_cstr(&w, "a\"b");
    captls_json_string(&w, "x\\/\x01\x1f\b\f\n\r\t\x7f\xc3\xa9", 13);
    captls_json_key_cstr(&w, "n");
    captls_json_begin_array(&w);
    captls_json_int64(&w, INT64_MIN);
    captls_json_int64(&w, 0);
    captls_json_bool(&w, true);
    captls_json_null(&w);
    captls_json_number_raw(&w, "-1.5e+3", 7);
    captls_json_begin_object(&w);
    captls_json_end_object(&w);
    captls_json_end_array(&w);
    captls_json_end_object(&w);
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_OK);
    const char *want = "{\"a\\\"b\":\"x\\\\/\\u0001\\u001f\\b\\f\\n\\r\\t\x7f\xc3\xa9\","
                       "\"n\":[-9223372036854775808,0,true,null,-1.5e+3,{}]}";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
    /* the output parses back */
    captls_json_doc d;
    assert_int_equal(parse(buf, n, &d, NULL), CAPTLS_OK);

    /* too small: the size needed is still counted */
    char tiny[8];
    captls_json_writer_init(&w, tiny, sizeof(tiny));
    captls_json_begin_array(&w);
    captls_json_string_cstr(&w, "0123456789");
    captls_json_end_array(&w);
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 14);
    captls_json_writer_init(&w, NULL, 0);
    captls_json_string_cstr(&w, "abc");
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 5);

    /* misuse */
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_begin_object(&w);
    captls_json_int64(&w, 1); /* value without a key */
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_null(&w);
    captls_json_null(&w); /* two roots */
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_begin_array(&w);
    captls_json_end_object(&w); /* wrong close */
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_begin_array(&w); /* unclosed */
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_begin_array(&w);
    captls_json_key_cstr(&w, "k"); /* key in an array */
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_begin_object(&w);
    captls_json_key_cstr(&w, "k");
    captls_json_end_object(&w); /* key without value */
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_string(&w, "\xc0\xaf", 2); /* invalid UTF-8 */
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_MALFORMED);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_number_raw(&w, "01", 2);
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_MALFORMED);
    captls_json_writer_init(&w, buf, sizeof(buf));
    captls_json_number_raw(&w, "1 ", 2);
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_MALFORMED);
    captls_json_writer_init(&w, buf, sizeof(buf));
    for (size_t i = 0; i <= CAPTLS_JSON_MAX_DEPTH; i++)
        captls_json_begin_array(&w);
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_ERR_LIMIT_EXCEEDED);
}

static void test_copy_canonical(void **state)
{
    (void)state;
    const char *s = " { \"b\" : [ 1 , 2.50 , \"\\u0041\\/\\u00E9\\ud83d\\ude00\" ] ,\n"
                    " \"a\" : { \"x\\n\" : null , \"y\" : [ ] } , \"c\" : true } ";
    const char *want = "{\"b\":[1,2.50,\"A/\xc3\xa9\xf0\x9f\x98\x80\"],"
                       "\"a\":{\"x\\n\":null,\"y\":[]},\"c\":true}";
    captls_json_doc d;
    char out[256];
    size_t n;
    captls_json_writer w;
    assert_int_equal(parse(s, strlen(s), &d, NULL), CAPTLS_OK);
    captls_json_writer_init(&w, out, sizeof(out));
    captls_json_copy(&w, &d, 0);
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    /* a subtree copied as a member value */
    size_t a;
    assert_int_equal(captls_json_object_get(&d, 0, "a", 1, &a), CAPTLS_OK);
    captls_json_writer_init(&w, out, sizeof(out));
    captls_json_begin_object(&w);
    captls_json_key_cstr(&w, "copy");
    captls_json_copy(&w, &d, a);
    captls_json_end_object(&w);
    assert_int_equal(captls_json_writer_finish(&w, &n), CAPTLS_OK);
    assert_int_equal(n, strlen("{\"copy\":{\"x\\n\":null,\"y\":[]}}"));
    assert_memory_equal(out, "{\"copy\":{\"x\\n\":null,\"y\":[]}}", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_table),
        cmocka_unit_test(test_reject_table),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_token_capacity_and_members),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_member_shortcuts),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_copy_canonical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
