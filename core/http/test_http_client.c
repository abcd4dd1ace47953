/* Unit tests of core/http's client half: the request writer, the strict
 * response parser (every rule, good and bad, fed at every split point),
 * the ACME fields (Replay-Nonce, Location, Retry-After, Link) and dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/http/http_client.h"

static uint8_t head[CAPTLS_HTTP_DEFAULT_HEADER_BYTES];
static uint8_t body[4096];

/* Feeds s in pieces of `step` octets (0: all at once) then, if eof, the
 * end of stream. Returns the final result; *used_total what was used. */
static captls_result parse_step(captls_http_resp *r, const char *s, size_t n,
                                size_t step, bool eof, size_t head_cap,
                                size_t body_cap, bool head_req)
{
    size_t off = 0;
    captls_result e = CAPTLS_NEED_MORE;

    captls_http_resp_init(r, head, head_cap, body, body_cap, 0, head_req);
    while (off < n && e == CAPTLS_NEED_MORE) {
        size_t take = step == 0 || step > n - off ? n - off : step, used = 0;
        e = captls_http_resp_feed(r, (const uint8_t *)s + off, take, &used);
        assert_true(used <= take);
        off += used;
        if (e == CAPTLS_NEED_MORE)
            assert_int_equal(used, take);
    }
    if (e == CAPTLS_NEED_MORE && eof)
        e = captls_http_resp_eof(r);
    return e;
}

static captls_result parse(captls_http_resp *r, const char *s)
{
    return parse_step(r, s, strlen(s), 0, true, sizeof(head), sizeof(body),
                      false);
}

/* The same outcome for every split into two pieces and byte by byte. */
static void check_splits(const char *s, captls_result want,
                         captls_http_error why)
{
    size_t n = strlen(s);
    captls_http_resp r;

    for (size_t step = 1; step <= n; step++) {
        captls_result e = parse_step(&r, s, n, step, true, sizeof(head),
                                     sizeof(body), false);
        assert_int_equal(e, want);
        assert_int_equal(r.why, why);
    }
    for (size_t cut = 0; cut <= n; cut++) {
        size_t used = 0;
        captls_result e;
        captls_http_resp_init(&r, head, sizeof(head), body, sizeof(body), 0,
                              false);
        e = captls_http_resp_feed(&r, (const uint8_t *)s, cut, &used);
        if (e == CAPTLS_NEED_MORE)
            e = captls_http_resp_feed(&r, (const uint8_t *)s + cut, n - cut,
                                      &used);
        if (e == CAPTLS_NEED_MORE)
            e = captls_http_resp_eof(&r);
        assert_int_equal(e, want);
    }
}

static bool slice_is(captls_http_slice s, const char *want)
{
    return s.p != NULL && s.len == strlen(want) &&
           memcmp(s.p, want, s.len) == 0;
}

static void test_content_length(void **state)
{
    static const char *msg =
        "HTTP/1.1 201 Created\r\n"
        "Server: pebble\r\n"
        "Replay-Nonce: abc-DEF_123\r\n"
        "Location: https://ca.test/acme/acct/1\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 13\r\n"
        "\r\n"
        "{\"status\":1}\n";
    captls_http_resp r;
    captls_http_slice v;
    (void)state;
    assert_int_equal(parse(&r, msg), CAPTLS_OK);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.version_minor, 1);
    assert_true(slice_is(r.replay_nonce, "abc-DEF_123"));
    assert_true(slice_is(r.location, "https://ca.test/acme/acct/1"));
    assert_true(slice_is(r.content_type, "application/json"));
    assert_int_equal(r.body_len, 13);
    assert_memory_equal(r.body, "{\"status\":1}\n", 13);
    assert_true(r.keep_alive);
    assert_true(r.complete);
    assert_true(captls_http_resp_field(&r, "SERVER", &v));
    assert_true(slice_is(v, "pebble"));
    assert_false(captls_http_resp_field(&r, "X-None", &v));
    check_splits(msg, CAPTLS_OK, CAPTLS_HTTP_E_NONE);
}

static void test_chunked(void **state)
{
    static const char *msg =
        "HTTP/1.1 200 OK\r\n"
        "Transfer-Encoding: chunked\r\n"
        "\r\n"
        "5;name=value;q=\"x y\"\r\nhello\r\n"
        "1 ; ext\r\n,\r\n"
        "00006\r\n world\r\n"
        "0\r\n"
        "Expires: never\r\n"
        "X-Trailer: 1\r\n"
        "\r\n";
    captls_http_resp r;
    (void)state;
    assert_int_equal(parse(&r, msg), CAPTLS_OK);
    assert_true(r.chunked);
    assert_int_equal(r.body_len, 12);
    assert_memory_equal(r.body, "hello, world", 12);
    assert_true(r.keep_alive);
    check_splits(msg, CAPTLS_OK, CAPTLS_HTTP_E_NONE);
}

static void test_pipelined_rest_not_used(void **state)
{
    static const char *msg = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK";
    captls_http_resp r;
    size_t used = 0;
    (void)state;
    captls_http_resp_init(&r, head, sizeof(head), body, sizeof(body), 0, false);
    assert_int_equal(captls_http_resp_feed(&r, (const uint8_t *)msg,
                                           strlen(msg), &used),
                     CAPTLS_OK);
    assert_int_equal(used, strlen("HTTP/1.1 204 No Content\r\n\r\n"));
    assert_int_equal(r.status, 204);
}

static void test_no_body_cases(void **state)
{
    captls_http_resp r;
    static const char *head_resp =
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nReplay-Nonce: n1\r\n\r\n";
    (void)state;
    /* RFC 8555 §7.2: newNonce is fetched with HEAD */
    assert_int_equal(parse_step(&r, head_resp, strlen(head_resp), 0, false,
                                sizeof(head), sizeof(body), true),
                     CAPTLS_OK);
    assert_true(slice_is(r.replay_nonce, "n1"));
    assert_int_equal(r.body_len, 0);
    assert_int_equal(parse(&r, "HTTP/1.1 304 Not Modified\r\n\r\n"), CAPTLS_OK);
    /* interim responses are skipped */
    assert_int_equal(parse(&r, "HTTP/1.1 100 Continue\r\nX: 1\r\n\r\n"
                               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                     CAPTLS_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 2);
    assert_int_equal(parse(&r, "HTTP/1.1 101 Switching\r\n\r\n"),
                     CAPTLS_ERR_UNSUPPORTED);
}

static void test_until_close(void **state)
{
    static const char *msg = "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n\r\nabc";
    captls_http_resp r;
    (void)state;
    assert_int_equal(parse(&r, msg), CAPTLS_OK);
    assert_true(r.connection_close);
    assert_false(r.keep_alive);
    assert_int_equal(r.body_len, 3);
    check_splits(msg, CAPTLS_OK, CAPTLS_HTTP_E_NONE);
    /* HTTP/1.0 never keeps the connection */
    assert_int_equal(parse(&r, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
                     CAPTLS_OK);
    assert_false(r.keep_alive);
    /* no Content-Length and no chunked: body to the close */
    assert_int_equal(parse(&r, "HTTP/1.1 200 OK\r\n\r\nxyz"), CAPTLS_OK);
    assert_false(r.keep_alive);
    assert_int_equal(r.body_len, 3);
}

typedef struct bad_case {
    const char *msg;
    captls_result want;
    captls_http_error why;
} bad_case;

static void test_refusals(void **state)
{
    static const bad_case cases[] = {
        {"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_OBS_FOLD},
        {"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_LF},
        {"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_CR},
        {"HTTP/1.1 200 OK\r\nX: a\x01" "b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
        {"HTTP/1.1 200 OK\r\nX : a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_NAME},
        {"HTTP/1.1 200 OK\r\nX(y): a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_NAME},
        {"HTTP/1.1 200 OK\r\n: a\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_NAME},
        {"HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_NAME},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_CONFLICT},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\na", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CL_AND_TE},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_TRANSFER_CODING},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRANSFER_CODING},
        {"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRANSFER_CODING},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_SIZE},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_SIZE},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 x\r\na\r\n0\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_SIZE},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n", CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_BODY_SIZE},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1001\r\n", CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_BODY_SIZE},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a\x01\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_EXT},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_DATA},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\rX", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_CHUNK_DATA},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_LF},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_BARE_LF},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n y\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_OBS_FOLD},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRUNCATED},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRUNCATED},
        {"HTTP/1.1 200 OK\r\nContent-Len", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_TRUNCATED},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", CAPTLS_ERR_LIMIT_EXCEEDED, CAPTLS_HTTP_E_BODY_SIZE},
        {"HTTP/2 200\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE},
        {"HTTP/2.0 200 OK\r\n\r\n", CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_VERSION},
        {"HTTP/1.2 200 OK\r\n\r\n", CAPTLS_ERR_UNSUPPORTED, CAPTLS_HTTP_E_VERSION},
        {"http/1.1 200 OK\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE},
        {"HTTP/1.1 20x OK\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS},
        {"HTTP/1.1 099 OK\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS},
        {"HTTP/1.1 600 OK\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS},
        {"HTTP/1.1 2000 OK\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS},
        {"HTTP/1.1 200 O\x7fK\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_START_LINE},
        {"HTTP/1.1  200 OK\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_STATUS},
        {"HTTP/1.1 200 OK\r\nLocation: a\r\nLocation: b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_DUPLICATE},
        {"HTTP/1.1 200 OK\r\nReplay-Nonce: a\r\nReplay-Nonce: b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_DUPLICATE},
        {"HTTP/1.1 200 OK\r\nRetry-After: 1\r\nRetry-After: 2\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_DUPLICATE},
        {"HTTP/1.1 200 OK\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_DUPLICATE},
        {"HTTP/1.1 200 OK\r\nLocation:\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
        {"HTTP/1.1 200 OK\r\nLink: https://x; rel=up\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
        {"HTTP/1.1 200 OK\r\nLink: <https://x\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
        {"HTTP/1.1 200 OK\r\nLink: <https://x>; rel=\"up\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
        {"HTTP/1.1 200 OK\r\nLink: <https://x>; =up\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
        {"HTTP/1.1 200 OK\r\nLink: <https://x> rel=up\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
        {"HTTP/1.1 200 OK\r\nConnection: a b\r\n\r\n", CAPTLS_ERR_MALFORMED, CAPTLS_HTTP_E_FIELD_VALUE},
    };
    captls_http_resp r;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        captls_result e = parse(&r, cases[i].msg);
        if (e != cases[i].want || r.why != cases[i].why)
            fail_msg("case %zu (%s): got %d/%s", i, cases[i].msg, (int)e,
                     captls_http_error_name(r.why));
        check_splits(cases[i].msg, cases[i].want, cases[i].why);
        /* sticky */
        {
            size_t used = 1;
            assert_int_equal(captls_http_resp_feed(&r, (const uint8_t *)"x", 1,
                                                   &used), cases[i].want);
            assert_int_equal(used, 0);
        }
    }
    /* NUL inside the head */
    {
        static const char nul[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
        assert_int_equal(parse_step(&r, nul, sizeof(nul) - 1, 0, true,
                                    sizeof(head), sizeof(body), false),
                         CAPTLS_ERR_MALFORMED);
        assert_int_equal(r.why, CAPTLS_HTTP_E_NUL);
    }
}

static void test_limits(void **state)
{
    captls_http_resp r;
    char big[400];
    const char *ok = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n";
    (void)state;
    /* header bytes: exactly the head fits, one less does not */
    assert_int_equal(parse_step(&r, ok, strlen(ok), 0, true, strlen(ok),
                                sizeof(body), false),
                     CAPTLS_OK);
    assert_int_equal(parse_step(&r, ok, strlen(ok), 0, true, strlen(ok) - 1,
                                sizeof(body), false),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(r.why, CAPTLS_HTTP_E_HEADER_BYTES);
    /* field count */
    captls_http_resp_init(&r, head, sizeof(head), body, sizeof(body), 2, false);
    {
        size_t used;
        assert_int_equal(captls_http_resp_feed(&r, (const uint8_t *)ok,
                                               strlen(ok), &used),
                         CAPTLS_ERR_LIMIT_EXCEEDED);
        assert_int_equal(r.why, CAPTLS_HTTP_E_HEADER_COUNT);
    }
    /* body: exactly the limit fits, one more does not (each framing) */
    assert_int_equal(parse_step(&r, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                                52, 0, true, sizeof(head), 3, false),
                     CAPTLS_OK);
    assert_int_equal(parse_step(&r, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd",
                                53, 0, true, sizeof(head), 3, false),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(parse_step(&r, "HTTP/1.1 200 OK\r\n\r\nabcd", 23, 0, true,
                                sizeof(head), 3, false),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    {
        static const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n";
        assert_int_equal(parse_step(&r, ch, strlen(ch), 0, true, sizeof(head), 4,
                                    false), CAPTLS_OK);
        assert_int_equal(parse_step(&r, ch, strlen(ch), 0, true, sizeof(head), 3,
                                    false), CAPTLS_ERR_LIMIT_EXCEEDED);
        assert_int_equal(r.why, CAPTLS_HTTP_E_BODY_SIZE);
    }
    /* a chunk line longer than CAPTLS_HTTP_MAX_CHUNK_LINE */
    {
        size_t n = (size_t)snprintf(big, sizeof(big),
                                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
        memset(big + n, 'x', 300);
        big[n + 300] = '\0';
        assert_int_equal(parse(&r, big), CAPTLS_ERR_LIMIT_EXCEEDED);
        assert_int_equal(r.why, CAPTLS_HTTP_E_CHUNK_EXT);
    }
    /* trailers count against the header budget */
    {
        static const char *tr = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "0\r\nX-Long-Trailer: 0123456789\r\n\r\n";
        size_t hlen = strlen("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert_int_equal(parse_step(&r, tr, strlen(tr), 0, true, hlen + 30,
                                    sizeof(body), false), CAPTLS_OK);
        assert_int_equal(parse_step(&r, tr, strlen(tr), 0, true, hlen + 20,
                                    sizeof(body), false),
                         CAPTLS_ERR_LIMIT_EXCEEDED);
    }
}

static void test_acme_fields(void **state)
{
    static const char *msg =
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Link: <https://ca.test/dir>;rel=\"index\", <https://ca.test/alt/1>; rel=alternate\r\n"
        "link: <https://ca.test/issuer> ; rel=\"up\" ; title=\"a, b\"\r\n"
        "Link: <https://ca.test/x>; rel=\"self\"; rel=\"up\"\r\n"
        "Retry-After: 120\r\n"
        "Replay-Nonce: not/base64\r\n"
        "Content-Length: 0\r\n\r\n";
    captls_http_resp r;
    captls_http_slice u;
    uint64_t d = 0;
    (void)state;
    assert_int_equal(parse(&r, msg), CAPTLS_OK);
    assert_int_equal(r.link_count, 4);
    assert_true(captls_http_resp_link(&r, CAPTLS_HTTP_REL_INDEX, &u));
    assert_true(slice_is(u, "https://ca.test/dir"));
    assert_true(captls_http_resp_link(&r, CAPTLS_HTTP_REL_ALTERNATE, &u));
    assert_true(slice_is(u, "https://ca.test/alt/1"));
    assert_true(captls_http_resp_link(&r, CAPTLS_HTTP_REL_UP, &u));
    assert_true(slice_is(u, "https://ca.test/issuer"));
    /* the second rel is ignored (RFC 8288 §3.3) */
    assert_int_equal(r.links[3].rel, CAPTLS_HTTP_REL_OTHER);
    assert_true(captls_http_resp_retry_delay(&r, 1000, &d));
    assert_int_equal(d, 120);
    assert_null(r.replay_nonce.p);
    assert_true(r.replay_nonce_invalid);
    check_splits(msg, CAPTLS_OK, CAPTLS_HTTP_E_NONE);

    assert_int_equal(parse(&r, "HTTP/1.1 429 Too Many\r\n"
                               "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                               "Content-Length: 0\r\n\r\n"), CAPTLS_OK);
    assert_true(r.retry_after_is_date);
    assert_int_equal(r.retry_after, 784111777u);
    assert_true(captls_http_resp_retry_delay(&r, 784111777u - 30, &d));
    assert_int_equal(d, 30);
    assert_true(captls_http_resp_retry_delay(&r, 784111777u + 30, &d));
    assert_int_equal(d, 0);
    assert_int_equal(parse(&r, "HTTP/1.1 429 Too Many\r\n"
                               "Retry-After: Sunday, 06-Nov-94 08:49:37 GMT\r\n"
                               "Content-Length: 0\r\n\r\n"), CAPTLS_OK);
    assert_false(r.retry_after_present);
    assert_true(r.retry_after_invalid);
    assert_false(captls_http_resp_retry_delay(&r, 0, &d));
    /* more links than kept */
    {
        char m[2048];
        size_t n = (size_t)snprintf(m, sizeof(m), "HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 10; i++)
            n += (size_t)snprintf(m + n, sizeof(m) - n,
                                  "Link: <https://a/%d>;rel=up\r\n", i);
        snprintf(m + n, sizeof(m) - n, "Content-Length: 0\r\n\r\n");
        assert_int_equal(parse(&r, m), CAPTLS_OK);
        assert_int_equal(r.link_count, CAPTLS_HTTP_MAX_LINKS);
        assert_int_equal(r.links_dropped, 2);
    }
}

static void test_dates(void **state)
{
    uint64_t t = 0;
    static const char *bad[] = {
        "Sun, 06 Nov 1994 08:49:37 UTC", "Mon, 06 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT",
        "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun 06 Nov 1994 08:49:37 GMT",
        "Thu, 29 Feb 2001 00:00:00 GMT", "Sun Nov  6 08:49:37 1994",
        "Wed, 31 Dec 1969 23:59:59 GMT"};
    (void)state;
    assert_int_equal(captls_http_date_parse((const uint8_t *)"Thu, 01 Jan 1970 00:00:00 GMT", 29, &t), CAPTLS_OK);
    assert_int_equal(t, 0);
    assert_int_equal(captls_http_date_parse((const uint8_t *)"Tue, 29 Feb 2000 12:00:00 GMT", 29, &t), CAPTLS_OK);
    assert_int_equal(t, 951825600u);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(captls_http_date_parse((const uint8_t *)bad[i],
                                                strlen(bad[i]), &t),
                         CAPTLS_ERR_MALFORMED);
    /* differential against the C library for a spread of instants */
    for (uint64_t s = 0; s < 4102444800u; s += 86400u * 37u + 3671u) {
        char buf[64];
        time_t tt = (time_t)s;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        assert_int_equal(captls_http_date_parse((const uint8_t *)buf,
                                                strlen(buf), &t), CAPTLS_OK);
        assert_int_equal(t, s);
    }
}

static void test_request_write(void **state)
{
    captls_http_url u;
    captls_http_request q;
    uint8_t out[512];
    size_t n = 0;
    static const char *want =
        "POST /acme/new-order?x=1 HTTP/1.1\r\n"
        "Host: ca.test:14000\r\n"
        "User-Agent: captls/0.1.0\r\n"
        "Accept: application/json\r\n"
        "Content-Type: application/jose+json\r\n"
        "Content-Length: 2\r\n"
        "\r\n{}";
    (void)state;
    assert_int_equal(captls_http_url_parse("https://CA.test:14000/acme/new-order?x=1",
                                           40, 0, &u), CAPTLS_OK);
    memset(&q, 0, sizeof(q));
    q.method = "POST";
    q.url = &u;
    q.version = "0.1.0";
    q.content_type = "application/jose+json";
    q.accept = "application/json";
    q.body = (const uint8_t *)"{}";
    q.body_len = 2;
    assert_int_equal(captls_http_request_write(&q, out, sizeof(out), &n), CAPTLS_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    /* exactly fitting, and one short */
    assert_int_equal(captls_http_request_write(&q, out, strlen(want), &n), CAPTLS_OK);
    assert_int_equal(captls_http_request_write(&q, out, strlen(want) - 1, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    /* HEAD, default port, close */
    assert_int_equal(captls_http_url_parse("https://[::1]/nonce", 19, 0, &u), CAPTLS_OK);
    memset(&q, 0, sizeof(q));
    q.method = "HEAD";
    q.url = &u;
    q.close = true;
    assert_int_equal(captls_http_request_write(&q, out, sizeof(out), &n), CAPTLS_OK);
    assert_int_equal(n, strlen("HEAD /nonce HTTP/1.1\r\nHost: [::1]\r\nUser-Agent: captls\r\nConnection: close\r\n\r\n"));
    assert_memory_equal(out, "HEAD /nonce HTTP/1.1\r\nHost: [::1]\r\nUser-Agent: captls\r\nConnection: close\r\n\r\n", n);
    /* injection attempts */
    q.method = "GET /x";
    assert_int_equal(captls_http_request_write(&q, out, sizeof(out), &n), CAPTLS_ERR_MALFORMED);
    q.method = "GET";
    q.accept = "a\r\nX-Evil: 1";
    assert_int_equal(captls_http_request_write(&q, out, sizeof(out), &n), CAPTLS_ERR_MALFORMED);
}

static void test_url(void **state)
{
    captls_http_url u, v;
    static const char *bad[] = {
        "http://ca.test/", "ftp://ca.test/", "https://", "https:///x",
        "https://user@ca.test/", "https://u:p@ca.test/", "https://ca.test/#frag",
        "https://ca.test:0/", "https://ca.test:65536/", "https://ca.test:/",
        "https://ca.test:12a/", "https://ca%2etest/", "https://ca.test/a b",
        "https://ca.test/%zz", "https://ca.test/%4", "https://-ca.test/",
        "https://ca..test/", "https://ca.test./", "https://ca_test/",
        "https://1.2.3.256/", "https://01.2.3.4/", "https://[::1/",
        "https://[fe80::1%25eth0]/", "https://ca.test/\x7f", "https://ca.test/\"",
        "https://ca.test/a\\b", "https://ca.test/<x>", "HTTPS:/ca.test/",
        "http://example.com/", "http://127.0.0.1.evil/"};
    (void)state;
    assert_int_equal(captls_http_url_parse("https://Pebble.Test:14000/dir", 29, 0, &u), CAPTLS_OK);
    assert_string_equal(u.host, "pebble.test");
    assert_int_equal(u.port, 14000);
    assert_true(u.port_explicit);
    assert_string_equal(u.path, "/dir");
    assert_int_equal(captls_http_url_parse("https://ca.test", 15, 0, &v), CAPTLS_OK);
    assert_string_equal(v.path, "/");
    assert_int_equal(v.port, 443);
    assert_int_equal(captls_http_url_parse("https://ca.test?q=%41", 21, 0, &v), CAPTLS_OK);
    assert_string_equal(v.path, "/?q=%41");
    assert_int_equal(captls_http_url_parse("https://10.0.0.1:8443/a/b;c=d@e:f?x=y&z", 39, 0, &v), CAPTLS_OK);
    assert_string_equal(v.host, "10.0.0.1");
    assert_int_equal(captls_http_url_parse("https://[2001:DB8::1]:443/", 26, 0, &v), CAPTLS_OK);
    assert_string_equal(v.host, "2001:db8::1");
    assert_true(v.host_is_ipv6);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (captls_http_url_parse(bad[i], strlen(bad[i]), 0, &v) == CAPTLS_OK)
            fail_msg("accepted %s", bad[i]);
    }
    /* the loopback knob: http only for loopback hosts */
    assert_int_equal(captls_http_url_parse("http://127.0.0.1:5002/x", 23,
                                           CAPTLS_HTTP_URL_ALLOW_HTTP_LOOPBACK, &v), CAPTLS_OK);
    assert_false(v.https);
    assert_int_equal(captls_http_url_parse("http://localhost/", 17,
                                           CAPTLS_HTTP_URL_ALLOW_HTTP_LOOPBACK, &v), CAPTLS_OK);
    assert_int_equal(v.port, 80);
    assert_int_equal(captls_http_url_parse("http://ca.test/", 15,
                                           CAPTLS_HTTP_URL_ALLOW_HTTP_LOOPBACK, &v),
                     CAPTLS_ERR_MALFORMED);
    /* origins: a redirect to another host or port is visible */
    assert_int_equal(captls_http_url_parse("https://pebble.test:14000/other", 31, 0, &v), CAPTLS_OK);
    assert_true(captls_http_url_same_origin(&u, &v));
    assert_int_equal(captls_http_url_parse("https://pebble.test/other", 25, 0, &v), CAPTLS_OK);
    assert_false(captls_http_url_same_origin(&u, &v));
    assert_int_equal(captls_http_url_parse("https://evil.test:14000/other", 29, 0, &v), CAPTLS_OK);
    assert_false(captls_http_url_same_origin(&u, &v));
    /* limits */
    {
        char longhost[300];
        memcpy(longhost, "https://", 8);
        for (size_t i = 0; i < 254; i++)
            longhost[8 + i] = (i % 60 == 59) ? '.' : 'a';
        assert_int_equal(captls_http_url_parse(longhost, 8 + 254, 0, &v),
                         CAPTLS_ERR_LIMIT_EXCEEDED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_pipelined_rest_not_used),
        cmocka_unit_test(test_no_body_cases),
        cmocka_unit_test(test_until_close),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_acme_fields),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_request_write),
        cmocka_unit_test(test_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
