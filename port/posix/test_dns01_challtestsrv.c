/* Tests of port/posix/dns01_challtestsrv.c against the real
 * pebble-challtestsrv (Debian package pebble-challtestsrv), started here on
 * free loopback ports: TXT records published through the dns-01 solver
 * are checked with raw DNS queries to challtestsrv's mock DNS server, then
 * cleared. Bad paths: the management API down, a non-2xx status, a
 * server that never answers, refused URLs and zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "port/posix/dns01_challtestsrv.h"

#define CTS_BIN "/usr/bin/pebble-challtestsrv"
#define TOKEN "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define THUMB "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define KA TOKEN "." THUMB
#define KA2 "t2." THUMB
/* base64url(SHA-256(KA)), computed with openssl (see
 * core/acme/test_solver_dns01.c). */
#define KA_TXT "lCM7cZyQXcVHK2nnW3jjAhNT3Fvm18UN-kWZZknKoYM"

static pid_t cts_pid = -1;
static int mgmt_port, dns_port;
static char api[64];

/* A port free for TCP and UDP on 127.0.0.1 right now (the kernel picks
 * it; the tiny race with other processes is retried by the caller). */
static int free_port(void)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        struct sockaddr_in a;
        socklen_t al = sizeof(a);
        int u = socket(AF_INET, SOCK_DGRAM, 0), t, port;
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof(a)) != 0 ||
            getsockname(u, (struct sockaddr *)&a, &al) != 0) {
            if (u >= 0)
                close(u);
            continue;
        }
        port = ntohs(a.sin_port);
        t = socket(AF_INET, SOCK_STREAM, 0);
        if (t >= 0 && bind(t, (struct sockaddr *)&a, sizeof(a)) == 0) {
            close(t);
            close(u);
            return port;
        }
        if (t >= 0)
            close(t);
        close(u);
    }
    return -1;
}

static bool tcp_accepts(int port)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    bool ok;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (s >= 0)
        close(s);
    return ok;
}

static void stop_cts(void)
{
    if (cts_pid > 0) {
        kill(cts_pid, SIGTERM);
        waitpid(cts_pid, NULL, 0);
        cts_pid = -1;
    }
}

static int start_cts(void **state)
{
    (void)state;
    if (access(CTS_BIN, X_OK) != 0)
        return 0; /* each test skips */
    for (int attempt = 0; attempt < 3 && cts_pid < 0; attempt++) {
        char mgmt[32], dns[32];
        mgmt_port = free_port();
        dns_port = free_port();
        if (mgmt_port < 0 || dns_port < 0 || mgmt_port == dns_port)
            continue;
        snprintf(mgmt, sizeof(mgmt), "127.0.0.1:%d", mgmt_port);
        snprintf(dns, sizeof(dns), "127.0.0.1:%d", dns_port);
        cts_pid = fork();
        if (cts_pid == 0) {
            int nul = open("/dev/null", O_RDWR);
            dup2(nul, 1);
            dup2(nul, 2);
            execl(CTS_BIN, CTS_BIN, "-management", mgmt, "-dns01", dns,
                  "-http01", "", "-https01", "", "-tlsalpn01", "",
                  (char *)NULL);
            _exit(127);
        }
        if (cts_pid < 0)
            return -1;
        for (int i = 0; i < 100 && !tcp_accepts(mgmt_port); i++) {
            if (waitpid(cts_pid, NULL, WNOHANG) == cts_pid) {
                cts_pid = -1; /* died (port taken?): try other ports */
                break;
            }
            usleep(50000);
        }
        if (cts_pid > 0 && !tcp_accepts(mgmt_port))
            stop_cts();
    }
    if (cts_pid < 0)
        return -1;
    snprintf(api, sizeof(api), "http://127.0.0.1:%d", mgmt_port);
    return 0;
}

static int stop_group(void **state)
{
    (void)state;
    stop_cts();
    return 0;
}

static void need_cts(void)
{
    if (cts_pid < 0) {
        printf("%s not installed (Debian package pebble-challtestsrv)\n",
               CTS_BIN);
        skip();
    }
}

/* ---- a raw DNS TXT query (RFC 1035 §4) -------------------------------- */
/* The TXT strings at name (each answer's character-strings joined), up to
 * max answers; returns how many, or -1 on a failure. */
static int txt_query(const char *name, char out[][128], int max)
{
    uint8_t q[512], r[1500];
    size_t n = 12, off;
    struct sockaddr_in a;
    struct timeval tv = {2, 0};
    uint16_t id = (uint16_t)(getpid() ^ time(NULL));
    int s, got, an, count = 0;
    const char *p = name;

    memset(q, 0, 12);
    q[0] = (uint8_t)(id >> 8);
    q[1] = (uint8_t)id;
    q[2] = 0x01; /* RD */
    q[5] = 1;    /* QDCOUNT */
    while (*p != '\0') {
        const char *dot = strchr(p, '.');
        size_t l = dot != NULL ? (size_t)(dot - p) : strlen(p);
        q[n++] = (uint8_t)l;
        memcpy(q + n, p, l);
        n += l;
        p += l;
        if (*p == '.')
            p++;
    }
    q[n++] = 0;
    q[n++] = 0, q[n++] = 16; /* TXT */
    q[n++] = 0, q[n++] = 1;  /* IN */
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return -1;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)dns_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (sendto(s, q, n, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)n) {
        close(s);
        return -1;
    }
    got = (int)recv(s, r, sizeof(r), 0);
    close(s);
    if (got < 12 || r[0] != q[0] || r[1] != q[1] || (r[3] & 0x0f) != 0)
        return -1;
    an = (r[6] << 8) | r[7];
    off = n; /* the question is echoed as sent */
    for (int i = 0; i < an; i++) {
        size_t rdlen, end, k = 0;
        unsigned type;
        while (off < (size_t)got && r[off] != 0 && (r[off] & 0xc0) != 0xc0)
            off += 1u + r[off];
        off += (off < (size_t)got && r[off] != 0) ? 2 : 1;
        if (off + 10 > (size_t)got)
            return -1;
        type = (unsigned)(r[off] << 8 | r[off + 1]);
        rdlen = (size_t)(r[off + 8] << 8 | r[off + 9]);
        off += 10;
        end = off + rdlen;
        if (end > (size_t)got)
            return -1;
        if (type == 16 && count < max) {
            for (size_t j = off; j < end;) {
                size_t l = r[j++];
                if (j + l > end || k + l >= 128)
                    return -1;
                memcpy(out[count] + k, r + j, l);
                k += l;
                j += l;
            }
            out[count][k] = '\0';
            count++;
        }
        off = end;
    }
    return count;
}

static bool served(const char *name, const char *value)
{
    char v[8][128];
    int n = txt_query(name, v, 8);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++)
        if (strcmp(v[i], value) == 0)
            return true;
    return false;
}

static int count_txt(const char *name)
{
    char v[8][128];
    int n = txt_query(name, v, 8);
    assert_true(n >= 0);
    return n;
}

static captls_acme_challenge challenge(const char *name, const char *ka)
{
    captls_acme_challenge ch;
    memset(&ch, 0, sizeof(ch));
    ch.type = CAPTLS_ACME_CHALLENGE_DNS01;
    ch.identifier.type = "dns";
    ch.identifier.type_len = 3;
    ch.identifier.value = name;
    ch.identifier.value_len = strlen(name);
    ch.key_authorization = ka;
    ch.key_authorization_len = strlen(ka);
    return ch;
}

/* ---- tests ------------------------------------------------------------ */
static void test_publish_and_clear(void **state)
{
    static const char *const zones[] = {"*.example.com", "test.org"};
    captls_acme_solver s;
    captls_acme_challenge ch = challenge("www.Example.com", KA);
    char err[256] = "";
    (void)state;
    need_cts();
    assert_true(captls_dns01_challtestsrv_solver(api, zones, 2, &s, err,
                                                 sizeof(err)));
    assert_int_equal(count_txt("_acme-challenge.www.example.com."), 0);
    assert_int_equal(s.solve(s.ctx, &ch), CAPTLS_OK);
    assert_true(served("_acme-challenge.www.example.com.", KA_TXT));
    assert_int_equal(count_txt("_acme-challenge.www.example.com."), 1);
    s.cleanup(s.ctx, &ch);
    assert_int_equal(count_txt("_acme-challenge.www.example.com."), 0);
    assert_string_equal(captls_dns01_challtestsrv_solver_error(&s), "");
    captls_dns01_challtestsrv_solver_free(&s);
    assert_null(s.ctx);
}

static void test_wildcard_and_base(void **state)
{
    static const char *const zones[] = {"example.net"};
    captls_acme_solver s;
    captls_acme_challenge base = challenge("example.net", KA);
    captls_acme_challenge wild = challenge("example.net", KA2);
    char err[256] = "", v2[CAPTLS_DNS01_VALUE_LEN + 1];
    (void)state;
    need_cts();
    wild.wildcard = true;
    assert_true(captls_dns01_challtestsrv_solver(api, zones, 1, &s, err,
                                                 sizeof(err)));
    assert_int_equal(s.solve(s.ctx, &base), CAPTLS_OK);
    assert_int_equal(s.solve(s.ctx, &wild), CAPTLS_OK);
    assert_int_equal(count_txt("_acme-challenge.example.net."), 2);
    assert_true(served("_acme-challenge.example.net.", KA_TXT));
    /* cleaning the base must not take the wildcard's value away */
    s.cleanup(s.ctx, &base);
    assert_int_equal(captls_dns01_txt_value(KA2, strlen(KA2), v2), CAPTLS_OK);
    v2[CAPTLS_DNS01_VALUE_LEN] = '\0';
    assert_true(served("_acme-challenge.example.net.", v2));
    s.cleanup(s.ctx, &wild);
    assert_int_equal(count_txt("_acme-challenge.example.net."), 0);
    captls_dns01_challtestsrv_solver_free(&s);
}

static void test_out_of_zone(void **state)
{
    static const char *const zones[] = {"example.com"};
    captls_acme_solver s;
    captls_acme_challenge ch = challenge("example.org", KA);
    char err[256] = "";
    (void)state;
    need_cts();
    assert_true(captls_dns01_challtestsrv_solver(api, zones, 1, &s, err,
                                                 sizeof(err)));
    assert_int_equal(s.solve(s.ctx, &ch), CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(count_txt("_acme-challenge.example.org."), 0);
    captls_dns01_challtestsrv_solver_free(&s);
}

static void test_free_clears_leftovers(void **state)
{
    static const char *const zones[] = {"left.example"};
    captls_acme_solver s;
    captls_acme_challenge ch = challenge("a.left.example", KA);
    char err[256] = "";
    (void)state;
    need_cts();
    assert_true(captls_dns01_challtestsrv_solver(api, zones, 1, &s, err,
                                                 sizeof(err)));
    assert_int_equal(s.solve(s.ctx, &ch), CAPTLS_OK);
    assert_int_equal(count_txt("_acme-challenge.a.left.example."), 1);
    captls_dns01_challtestsrv_solver_free(&s); /* no cleanup called */
    assert_int_equal(count_txt("_acme-challenge.a.left.example."), 0);
}

static void test_api_down(void **state)
{
    static const char *const zones[] = {"example.com"};
    captls_acme_solver s;
    captls_acme_challenge ch = challenge("example.com", KA);
    char err[256] = "", url[64];
    int port = free_port();
    (void)state;
    assert_true(port > 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    assert_true(captls_dns01_challtestsrv_solver(url, zones, 1, &s, err,
                                                 sizeof(err)));
    assert_int_equal(s.solve(s.ctx, &ch), CAPTLS_ERR_CONN_REFUSED);
    printf("error: %s\n", captls_dns01_challtestsrv_solver_error(&s));
    assert_non_null(strstr(captls_dns01_challtestsrv_solver_error(&s),
                           "connection refused"));
    assert_non_null(strstr(captls_dns01_challtestsrv_solver_error(&s),
                           "/set-txt"));
    assert_non_null(strstr(captls_dns01_challtestsrv_solver_error(&s),
                           "pebble-challtestsrv"));
    /* nothing was set, so cleanup sends nothing (and cannot fail) */
    s.cleanup(s.ctx, &ch);
    captls_dns01_challtestsrv_solver_free(&s);
}

static void test_non_2xx(void **state)
{
    static const char *const zones[] = {"example.com"};
    captls_acme_solver s;
    captls_acme_challenge ch = challenge("example.com", KA);
    char err[256] = "", url[96];
    (void)state;
    need_cts();
    /* /nope/set-txt is no route of the management API: 404 */
    snprintf(url, sizeof(url), "%s/nope", api);
    assert_true(captls_dns01_challtestsrv_solver(url, zones, 1, &s, err,
                                                 sizeof(err)));
    assert_int_equal(s.solve(s.ctx, &ch), CAPTLS_ERR_IO);
    printf("error: %s\n", captls_dns01_challtestsrv_solver_error(&s));
    assert_non_null(strstr(captls_dns01_challtestsrv_solver_error(&s),
                           "answered HTTP 404"));
    captls_dns01_challtestsrv_solver_free(&s);
}

static void test_timeout(void **state)
{
    captls_challtestsrv *c = NULL;
    captls_acme_dns_updater u;
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    char err[256] = "", url[64];
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct timespec t0, t1;
    long ms;
    (void)state;
    /* a listener that never accepts: the kernel completes the handshake,
     * nobody answers */
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(l >= 0);
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(l, 4), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
    snprintf(url, sizeof(url), "http://localhost:%d", ntohs(a.sin_port));
    assert_true(captls_challtestsrv_new(url, 300, &c, err, sizeof(err)));
    u = captls_challtestsrv_updater(c);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(u.set_txt(u.ctx, "_acme-challenge.example.com.", 28,
                               KA_TXT, 43),
                     CAPTLS_ERR_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 250 && ms < 3000);
    assert_non_null(strstr(captls_challtestsrv_last_error(c),
                           "no answer within 300 ms"));
    /* names and values the solver never produces are refused unsent */
    assert_int_equal(u.set_txt(u.ctx, "_acme-challenge.example.com", 27,
                               KA_TXT, 43),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(u.set_txt(u.ctx, "x\",\"a\":\".com.", 13, KA_TXT, 43),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(u.set_txt(u.ctx, "_acme-challenge.example.com.", 28,
                               "short", 5),
                     CAPTLS_ERR_MALFORMED);
    captls_challtestsrv_free(c);
    close(l);
}

static void test_refused_configuration(void **state)
{
    static const char *const urls[] = {
        "https://127.0.0.1:8055", "http://example.com:8055",
        "http://10.0.0.1:8055", "http://192.168.1.1/", "ftp://127.0.0.1/",
        "http://127.0.0.1:8055/?x=1", "http://user@127.0.0.1:8055",
        "http://127.0.0.1:8055#f", "127.0.0.1:8055", "", "http://",
    };
    static const char *const zones[] = {"example.com"};
    static const char *const bad_zone[] = {"example.com", "bad..zone"};
    captls_acme_solver s;
    char err[256];
    (void)state;
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        err[0] = '\0';
        assert_false(captls_dns01_challtestsrv_solver(urls[i], zones, 1, &s,
                                                      err, sizeof(err)));
        assert_null(s.ctx);
        assert_null(s.solve);
        assert_non_null(strstr(err, "challtestsrv API URL"));
    }
    err[0] = '\0';
    assert_false(captls_dns01_challtestsrv_solver(NULL, zones, 1, &s, err,
                                                  sizeof(err)));
    assert_true(err[0] != '\0');
    err[0] = '\0';
    assert_false(captls_dns01_challtestsrv_solver("http://127.0.0.1:8055",
                                                  zones, 0, &s, err,
                                                  sizeof(err)));
    assert_non_null(strstr(err, "no zone"));
    err[0] = '\0';
    assert_false(captls_dns01_challtestsrv_solver("http://127.0.0.1:8055",
                                                  bad_zone, 2, &s, err,
                                                  sizeof(err)));
    assert_non_null(strstr(err, "bad..zone"));
    /* IPv6 loopback and a path prefix are fine */
    assert_true(captls_dns01_challtestsrv_solver("http://[::1]:8055/api/",
                                                 zones, 1, &s, err,
                                                 sizeof(err)));
    captls_dns01_challtestsrv_solver_free(&s);
    captls_dns01_challtestsrv_solver_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_and_clear),
        cmocka_unit_test(test_wildcard_and_base),
        cmocka_unit_test(test_out_of_zone),
        cmocka_unit_test(test_free_clears_leftovers),
        cmocka_unit_test(test_api_down),
        cmocka_unit_test(test_non_2xx),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_refused_configuration),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, start_cts, stop_group);
}
