/* Tests of port/posix/http01_server.c: curl as the validator (with
 * --path-as-is, so traversal and encodings reach the server unnormalized)
 * and raw sockets for what curl will not send (bare LF, pipelining,
 * oversize heads, bodies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "port/posix/http01_server.h"


#define TOKEN "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define KA TOKEN ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define PREFIX "/.well-known/acme-challenge/"

static captls_http01_server *srv;
static int port;

static int start(void **state)
{
    char err[256];
    (void)state;
    if (!captls_http01_server_start("127.0.0.1:0", &srv, err, sizeof(err)))
        return -1;
    port = captls_http01_server_port(srv);
    return port > 0 ? 0 : -1;
}

static int stop(void **state)
{
    (void)state;
    captls_http01_server_stop(srv);
    return 0;
}

/* curl's status code and body for GET of path ("-X M" for another). */
static int curl(const char *extra, const char *path, char *body, size_t cap)
{
    char cmd[1024], out[2048];
    size_t n;
    FILE *f;
    char *bar;
    snprintf(cmd, sizeof(cmd),
             "curl -s --max-time 5 --path-as-is %s -w '|%%{http_code}' "
             "'http://127.0.0.1:%d%s'", extra, port, path);
    f = popen(cmd, "r");
    assert_non_null(f);
    n = fread(out, 1, sizeof(out) - 1, f);
    pclose(f);
    out[n] = '\0';
    bar = strrchr(out, '|');
    assert_non_null(bar);
    *bar = '\0';
    if (body != NULL) {
        size_t k = strlen(out) < cap - 1 ? strlen(out) : cap - 1;
        memcpy(body, out, k);
        body[k] = '\0';
    }
    return atoi(bar + 1);
}

static void test_curl(void **state)
{
    static const char *refused[] = {
        PREFIX, PREFIX "unknown", PREFIX TOKEN "/", PREFIX TOKEN "/x",
        PREFIX TOKEN "?x=1", PREFIX "%65vaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA",
        PREFIX "../acme-challenge/" TOKEN, PREFIX "%2e%2e/" TOKEN,
        "/.well-known/acme-challenge//" TOKEN, "/.well-known/./acme-challenge/" TOKEN,
        "/" TOKEN, "/"};
    char body[512];
    captls_http01_server_stats st;
    (void)state;
    assert_int_equal(curl("", PREFIX TOKEN, NULL, 0), 404);
    assert_int_equal(captls_http01_server_publish(srv, TOKEN, strlen(TOKEN), KA,
                                                  strlen(KA)), CAPTLS_OK);
    assert_int_equal(curl("", PREFIX TOKEN, body, sizeof(body)), 200);
    assert_string_equal(body, KA);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (curl("", refused[i], NULL, 0) != 404)
            fail_msg("%s was not refused", refused[i]);
    }
    assert_int_equal(curl("-I", PREFIX TOKEN, NULL, 0), 405);
    assert_int_equal(curl("-X POST -d x=1", PREFIX TOKEN, NULL, 0), 413);
    assert_int_equal(curl("-X POST", PREFIX TOKEN, NULL, 0), 405);
    assert_int_equal(curl("-X DELETE", PREFIX TOKEN, NULL, 0), 405);
    captls_http01_server_retire(srv, TOKEN, strlen(TOKEN));
    assert_int_equal(curl("", PREFIX TOKEN, NULL, 0), 404);
    captls_http01_server_stats_get(srv, &st);
    assert_int_equal(st.served, 1);
    assert_true(st.not_found >= 13);
}

static int dial(void)
{
    struct sockaddr_in a;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Sends req, reads until the peer closes (or 5 s). */
static size_t exchange(const char *req, size_t len, char *out, size_t cap)
{
    int fd = dial();
    size_t n = 0;
    ssize_t r;
    assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
    while (n < cap - 1 && (r = recv(fd, out + n, cap - 1 - n, 0)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fd);
    return n;
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned c = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        c++;
    return c;
}

static void test_raw(void **state)
{
    char out[8192];
    static char big[6000];
    (void)state;
    assert_int_equal(captls_http01_server_publish(srv, TOKEN, strlen(TOKEN), KA,
                                                  strlen(KA)), CAPTLS_OK);
    /* keep-alive + pipelining: three answers on one connection, the last
     * closes it */
    {
        static const char req[] =
            "GET " PREFIX TOKEN " HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET " PREFIX "nope HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET " PREFIX TOKEN " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        exchange(req, sizeof(req) - 1, out, sizeof(out));
        assert_int_equal(count(out, "HTTP/1.1 200 OK"), 2);
        assert_int_equal(count(out, "HTTP/1.1 404 Not Found"), 1);
        assert_int_equal(count(out, KA), 2);
    }
    /* strictness: refusal status, then close */
    {
        static const struct { const char *req; const char *status; } bad[] = {
            {"GET / HTTP/1.1\nHost: a\r\n\r\n", "HTTP/1.1 400 "},
            {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "},
            {"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", "HTTP/1.1 400 "},
            {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "HTTP/1.1 505 "},
            {"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 501 "},
            {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400 "},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            exchange(bad[i].req, strlen(bad[i].req), out, sizeof(out));
            if (strncmp(out, bad[i].status, strlen(bad[i].status)) != 0)
                fail_msg("case %zu: %s", i, out);
            assert_non_null(strstr(out, "Connection: close"));
        }
    }
    /* an oversized head */
    {
        size_t n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\nX: ");
        memset(big + n, 'a', sizeof(big) - n - 5);
        memcpy(big + sizeof(big) - 5, "\r\n\r\n", 4);
        exchange(big, sizeof(big) - 1, out, sizeof(out));
        assert_int_equal(strncmp(out, "HTTP/1.1 431 ", 13), 0);
    }
    captls_http01_server_retire(srv, TOKEN, strlen(TOKEN));
}

static void test_solver_cap(void **state)
{
    captls_acme_solver cap = captls_http01_server_solver(srv);
    captls_acme_challenge ch;
    captls_acme_challenge_type t[2];
    char body[512];
    (void)state;
    assert_int_equal(cap.supports(cap.ctx, t, 2), 1);
    assert_int_equal(t[0], CAPTLS_ACME_CHALLENGE_HTTP01);
    memset(&ch, 0, sizeof(ch));
    ch.type = CAPTLS_ACME_CHALLENGE_HTTP01;
    ch.token = TOKEN;
    ch.token_len = strlen(TOKEN);
    ch.key_authorization = KA;
    ch.key_authorization_len = strlen(KA);
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_OK);
    assert_int_equal(curl("", PREFIX TOKEN, body, sizeof(body)), 200);
    assert_string_equal(body, KA);
    cap.cleanup(cap.ctx, &ch);
    assert_int_equal(curl("", PREFIX TOKEN, NULL, 0), 404);
    ch.type = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_UNSUPPORTED);
}

static void test_bad_listen(void **state)
{
    captls_http01_server *s = NULL;
    char err[256];
    (void)state;
    assert_false(captls_http01_server_start("nonsense", &s, err, sizeof(err)));
    assert_true(err[0] != '\0');
    /* the port in use */
    {
        char addr[64];
        snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
        assert_false(captls_http01_server_start(addr, &s, err, sizeof(err)));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curl),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_solver_cap),
        cmocka_unit_test(test_bad_listen),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, start, stop);
}
