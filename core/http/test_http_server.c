/* Unit tests of core/http's server half: the strict request-head parser
 * (every rule, good and bad, at every split point), the status for each
 * parse error, and the response writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/http/http_server.h"

static uint8_t head[CAPTLS_HTTP_SERVER_HEADER_BYTES];

static captls_result parse_cap(captls_http_req *r, const char *s, size_t n,
                               size_t step, size_t cap, size_t *used_total)
{
    size_t off = 0;
    captls_result e = CAPTLS_NEED_MORE;

    captls_http_req_init(r, head, cap, 0);
    while (off < n && e == CAPTLS_NEED_MORE) {
        size_t take = step == 0 || step > n - off ? n - off : step, used = 0;
        e = captls_http_req_feed(r, (const uint8_t *)s + off, take, &used);
        assert_true(used <= take);
        off += used;
    }
    *used_total = off;
    return e;
}

static captls_result parse(captls_http_req *r, const char *s)
{
    size_t u;
    return parse_cap(r, s, strlen(s), 0, sizeof(head), &u);
}

static void check_splits(const char *s, captls_result want,
                         captls_http_error why)
{
    captls_http_req r;
    size_t u;
    for (size_t step = 1; step <= strlen(s); step++) {
        assert_int_equal(parse_cap(&r, s, strlen(s), step, sizeof(head), &u),
                         want);
        assert_int_equal(r.why, why);
    }
}

static bool slice_is(captls_http_slice s, const char *want)
{
    return s.p != NULL && s.len == strlen(want) &&
           memcmp(s.p, want, s.len) == 0;
}

static void test_good(void **state)
{
    static const char *req =
        "GET /.well-known/acme-challenge/abc HTTP/1.1\r\n"
        "Host: example.test:5002\r\n"
        "User-Agent: Mozilla/5.0 (compatible; Pebble)\r\n"
        "Accept: */*\r\n"
        "Content-Length: 0\r\n"
        "Connection: keep-alive\r\n"
        "\r\n"
        "GET /next HTTP/1.1\r\n";
    captls_http_req r;
    size_t used = 0;
    (void)state;
    captls_http_req_init(&r, head, sizeof(head), 0);
    assert_int_equal(captls_http_req_feed(&r, (const uint8_t *)req, strlen(req),
                                          &used), CAPTLS_OK);
    assert_int_equal(used, strlen(req) - strlen("GET /next HTTP/1.1\r\n"));
    assert_true(slice_is(r.method, "GET"));
    assert_true(slice_is(r.target, "/.well-known/acme-challenge/abc"));
    assert_true(slice_is(r.host, "example.test:5002"));
    assert_int_equal(r.version_minor, 1);
    assert_true(r.keep_alive);
    check_splits("GET / HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close\r\n\r\n",
                 CAPTLS_OK, CAPTLS_HTTP_E_NONE);
    assert_int_equal(parse(&r, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n"),
                     CAPTLS_OK);
    assert_false(r.keep_alive);
    /* HTTP/1.0 needs no Host and never keeps the connection */
    assert_int_equal(parse(&r, "GET / HTTP/1.0\r\n\r\n"), CAPTLS_OK);
    assert_false(r.keep_alive);
    assert_null(r.host.p);
    /* incomplete */
    assert_int_equal(parse(&r, "GET / HTTP/1.1\r\nHost: a\r\n"), CAPTLS_NEED_MORE);
}

typedef struct bad_case {
    const char *msg;
    captls_result want;
    captls_http_error why;
    unsigned status;
} bad_case;

static void test_refusals(void **state)
{
    static const bad_case cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_HOST, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_HOST, 400},
        {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_HOST, 400},
        {"GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_HOST, 400},
        {"GET / HTTP/1.1\r\nHost:\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_HOST, 400},
        {"GET / HTTP/1.1\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_LF, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\n\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_LF, 400},
        {"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_CR, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  2\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_OBS_FOLD, 400},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_NAME, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE, 400},
        {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TARGET, 400},
        {"GET / x HTTP/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE, 400},
        {"GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TARGET, 400},
        {"GET /\t HTTP/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TARGET, 400},
        {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_METHOD, 400},
        {" GET / HTTP/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_METHOD, 400},
        {"GET\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE, 400},
        {"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE, 400},
        {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE, 400},
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_VERSION, 505},
        {"GET / HTTP/1.2\r\nHost: a\r\n\r\n", CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_VERSION, 505},
        {"GET / http/1.1\r\nHost: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE, 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_BODY_NOT_ALLOWED, 413},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_TRANSFER_CODING, 501},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_AND_TE, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_CONFLICT, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +0\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CONTENT_LENGTH, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nConnection: a;b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE, 400},
    };
    captls_http_req r;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        captls_result e = parse(&r, cases[i].msg);
        if (e != cases[i].want || r.why != cases[i].why)
            fail_msg("case %zu (%s): got %d/%s", i, cases[i].msg, (int)e,
                     captls_http_error_name(r.why));
        assert_int_equal(captls_http_req_error_status(e, r.why), cases[i].status);
        check_splits(cases[i].msg, cases[i].want, cases[i].why);
    }
    {
        static const char nul[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";
        size_t u;
        assert_int_equal(parse_cap(&r, nul, sizeof(nul) - 1, 0, sizeof(head), &u),
                         CAPTLS_ERR_MALFORMED);
        assert_int_equal(r.why, CAPTLS_HTTP_E_NUL);
    }
}

static void test_limits(void **state)
{
    static const char *req = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
    captls_http_req r;
    size_t u;
    (void)state;
    assert_int_equal(parse_cap(&r, req, strlen(req), 0, strlen(req), &u), CAPTLS_OK);
    assert_int_equal(parse_cap(&r, req, strlen(req), 0, strlen(req) - 1, &u),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(r.why, CAPTLS_HTTP_E_HEADER_BYTES);
    assert_int_equal(captls_http_req_error_status(CAPTLS_ERR_LIMIT_EXCEEDED, r.why), 431);
    captls_http_req_init(&r, head, sizeof(head), 3);
    assert_int_equal(captls_http_req_feed(&r, (const uint8_t *)req, strlen(req), &u),
                     CAPTLS_OK);
    captls_http_req_init(&r, head, sizeof(head), 2);
    assert_int_equal(captls_http_req_feed(&r, (const uint8_t *)req, strlen(req), &u),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(r.why, CAPTLS_HTTP_E_HEADER_COUNT);
    /* sticky */
    assert_int_equal(captls_http_req_feed(&r, (const uint8_t *)"x", 1, &u),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(u, 0);
}

static void test_response_write(void **state)
{
    captls_http_response rsp;
    uint8_t out[256];
    size_t n = 0;
    static const char *want =
        "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\n"
        "Content-Length: 3\r\nAllow: GET\r\nConnection: close\r\n\r\nno\n";
    (void)state;
    memset(&rsp, 0, sizeof(rsp));
    rsp.status = 405;
    rsp.content_type = "text/plain";
    rsp.allow = "GET";
    rsp.close = true;
    rsp.body = (const uint8_t *)"no\n";
    rsp.body_len = 3;
    assert_int_equal(captls_http_response_write(&rsp, out, sizeof(out), &n), CAPTLS_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    assert_int_equal(captls_http_response_write(&rsp, out, strlen(want), &n), CAPTLS_OK);
    assert_int_equal(captls_http_response_write(&rsp, out, strlen(want) - 1, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    rsp.omit_body = true;
    assert_int_equal(captls_http_response_write(&rsp, out, sizeof(out), &n), CAPTLS_OK);
    assert_int_equal(n, strlen(want) - 3);
    rsp.content_type = "text/plain\r\nSet-Cookie: x";
    assert_int_equal(captls_http_response_write(&rsp, out, sizeof(out), &n),
                     CAPTLS_ERR_MALFORMED);
    rsp.content_type = NULL;
    rsp.status = 99;
    assert_int_equal(captls_http_response_write(&rsp, out, sizeof(out), &n),
                     CAPTLS_ERR_MALFORMED);
    assert_string_equal(captls_http_reason(404), "Not Found");
    assert_string_equal(captls_http_reason(299), "Unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_response_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
