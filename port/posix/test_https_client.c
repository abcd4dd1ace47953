/* Tests of port/posix/https_client.c against real peers on loopback:
 * `openssl s_server -www` (HTTP/1.0, body to the close) and python's
 * http.server over TLS 1.3 (pytests/https_peer.py: keep-alive, chunked,
 * the ACME fields, oversize and broken responses), plus refused, silent
 * and untrusted servers. The PKI is made by the openssl CLI in a
 * temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "port/posix/https_client.h"
#include "port/posix/mozilla_roots.h"

/* The test binary does not link the generated Mozilla roots: the client
 * is always given a roots file here. */
const captls_mozilla_root captls_mozilla_roots[1];
const size_t captls_mozilla_roots_count = 0;
const char captls_mozilla_roots_version[] = "none";
const char captls_mozilla_roots_provenance[] = "none (test)";

static char dir[64];
static char ca_pem[128], other_ca_pem[128], cert_pem[128], key_pem[128];
static pid_t peer_pid = -1, sserver_pid = -1;
static int peer_port, sserver_port;
static uint8_t body[8192];

static bool contains(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(p + i, s, k) == 0)
            return true;
    }
    return false;
}

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t l = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &l) != 0)
        port = -1;
    else
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static bool can_connect(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int gen_pki(void)
{
    char cmd[2048];
    strcpy(dir, "/tmp/captls-https-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", dir);
    snprintf(other_ca_pem, sizeof(other_ca_pem), "%s/other.pem", dir);
    snprintf(cert_pem, sizeof(cert_pem), "%s/cert.pem", dir);
    snprintf(key_pem, sizeof(key_pem), "%s/key.pem", dir);
    snprintf(cmd, sizeof(cmd),
             "(cd %s && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-keyout ca.key -out ca.pem -subj '/CN=HTTPS Test CA' -days 2 "
             "-addext basicConstraints=critical,CA:TRUE "
             "-addext keyUsage=critical,keyCertSign,cRLSign && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-keyout other.key -out other.pem -subj '/CN=Other CA' -days 2 "
             "-addext basicConstraints=critical,CA:TRUE "
             "-addext keyUsage=critical,keyCertSign,cRLSign && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-keyout key.pem -out srv.csr -subj '/CN=localhost' && "
             "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n"
             "extendedKeyUsage=serverAuth\\nkeyUsage=critical,digitalSignature\\n"
             "basicConstraints=critical,CA:FALSE\\n' > ext.cnf && "
             "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
             "-CAcreateserial -days 2 -extfile ext.cnf -out cert.pem) >/dev/null 2>&1",
             dir);
    return sh(cmd) == 0 ? 0 : -1;
}

static int start_peers(void **state)
{
    char port_file[128], portbuf[16], idle[] = "1.0";
    (void)state;
    if (gen_pki() != 0)
        return -1;
    snprintf(port_file, sizeof(port_file), "%s/port", dir);
    {
        char *argv[] = {"python3", "pytests/https_peer.py", "--cert", cert_pem,
                        "--key", key_pem, "--port-file", port_file, "--idle",
                        idle, NULL};
        peer_pid = spawn(argv);
    }
    sserver_port = free_port();
    snprintf(portbuf, sizeof(portbuf), "%d", sserver_port);
    {
        char *argv[] = {"openssl", "s_server", "-www", "-tls1_3", "-accept",
                        portbuf, "-cert", cert_pem, "-key", key_pem, NULL};
        sserver_pid = spawn(argv);
    }
    for (int i = 0; i < 200; i++) {
        FILE *f = fopen(port_file, "r");
        if (f != NULL) {
            if (fscanf(f, "%d", &peer_port) != 1)
                peer_port = 0;
            fclose(f);
        }
        if (peer_port > 0 && can_connect(sserver_port))
            return 0;
        usleep(50000);
    }
    return -1;
}

static int stop_peers(void **state)
{
    char cmd[128];
    (void)state;
    if (peer_pid > 0) {
        kill(peer_pid, SIGTERM);
        waitpid(peer_pid, NULL, 0);
    }
    if (sserver_pid > 0) {
        kill(sserver_pid, SIGTERM);
        waitpid(sserver_pid, NULL, 0);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void)sh(cmd);
    return 0;
}

static captls_https_client *client(const char *roots, unsigned timeout_ms)
{
    captls_https_options o;
    captls_https_client *c = NULL;
    char err[512];
    memset(&o, 0, sizeof(o));
    o.ca_roots = roots;
    o.timeout_ms = timeout_ms;
    o.version = "0.1.0";
    if (!captls_https_client_new(&o, &c, err, sizeof(err)))
        fail_msg("client: %s", err);
    return c;
}

static captls_result get(captls_https_client *c, const char *method, int port,
                         const char *path, const captls_http_resp **r)
{
    char url[256];
    captls_https_request q;
    memset(&q, 0, sizeof(q));
    snprintf(url, sizeof(url), "https://localhost:%d%s", port, path);
    q.method = method;
    q.url = url;
    q.url_len = strlen(url);
    return captls_https_exchange(c, &q, body, sizeof(body), r);
}

static void test_openssl_www(void **state)
{
    captls_https_client *c = client(ca_pem, 10000);
    const captls_http_resp *r = NULL;
    (void)state;
    assert_int_equal(get(c, "GET", sserver_port, "/", &r), CAPTLS_OK);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->version_minor, 0);
    assert_false(r->keep_alive);
    assert_true(r->body_len > 0);
    assert_true(contains(r->body, r->body_len, "s_server"));
    captls_https_client_free(c);
}

static void test_keep_alive_and_chunked(void **state)
{
    captls_https_client *c = client(ca_pem, 10000);
    const captls_http_resp *r = NULL;
    captls_https_stats st;
    (void)state;
    assert_int_equal(get(c, "GET", peer_port, "/cl", &r), CAPTLS_OK);
    assert_int_equal(r->status, 200);
    assert_true(r->keep_alive);
    assert_int_equal(r->body_len, 5);
    assert_memory_equal(r->body, "hello", 5);
    assert_int_equal(get(c, "GET", peer_port, "/chunked", &r), CAPTLS_OK);
    assert_true(r->chunked);
    assert_int_equal(r->body_len, 6 + 7 + 3000);
    assert_memory_equal(r->body, "first,second,xxx", 16);
    assert_int_equal(get(c, "HEAD", peer_port, "/cl", &r), CAPTLS_OK);
    assert_int_equal(r->body_len, 0);
    assert_non_null(r->replay_nonce.p);
    captls_https_client_stats(c, &st);
    assert_int_equal(st.connections, 1);
    assert_int_equal(st.reused, 2);
    /* the peer closes idle connections after 1 s: the next request finds
     * the connection gone and is sent again on a new one */
    sleep(2);
    assert_int_equal(get(c, "GET", peer_port, "/cl", &r), CAPTLS_OK);
    assert_int_equal(r->body_len, 5);
    captls_https_client_stats(c, &st);
    assert_int_equal(st.connections, 2);
    /* Connection: close is honoured */
    assert_int_equal(get(c, "GET", peer_port, "/close", &r), CAPTLS_OK);
    assert_false(r->keep_alive);
    assert_int_equal(get(c, "GET", peer_port, "/cl", &r), CAPTLS_OK);
    captls_https_client_stats(c, &st);
    assert_int_equal(st.connections, 3);
    captls_https_client_free(c);
}

static void test_post_and_acme_transport(void **state)
{
    captls_https_client *c = client(ca_pem, 10000);
    captls_acme_transport t = captls_https_acme_transport(c);
    captls_acme_request q;
    captls_acme_response rsp;
    char url[128];
    (void)state;
    snprintf(url, sizeof(url), "https://localhost:%d/echo", peer_port);
    memset(&q, 0, sizeof(q));
    q.method = CAPTLS_ACME_POST;
    q.url = url;
    q.url_len = strlen(url);
    q.body = (const uint8_t *)"{\"protected\":\"x\"}";
    q.body_len = 17;
    q.content_type = "application/jose+json";
    q.accept = "application/pem-certificate-chain";
    assert_int_equal(t.exchange(t.ctx, &q, body, sizeof(body), &rsp), CAPTLS_OK);
    assert_int_equal(rsp.status, 201);
    assert_int_equal(rsp.body_len, 17);
    assert_memory_equal(rsp.body, q.body, 17);
    assert_int_equal(rsp.content_type.len, strlen("application/jose+json"));
    {
        const captls_http_resp *r = NULL;
        captls_https_request hq;
        captls_http_slice v;
        memset(&hq, 0, sizeof(hq));
        hq.method = "POST";
        hq.url = url;
        hq.url_len = strlen(url);
        hq.content_type = "application/jose+json";
        hq.accept = "application/json";
        hq.body = (const uint8_t *)"{}";
        hq.body_len = 2;
        assert_int_equal(captls_https_exchange(c, &hq, body, sizeof(body), &r),
                         CAPTLS_OK);
        assert_true(captls_http_resp_field(r, "x-ua", &v));
        assert_int_equal(v.len, strlen("captls/0.1.0"));
        assert_memory_equal(v.p, "captls/0.1.0", v.len);
        assert_true(captls_http_resp_field(r, "x-accept", &v));
        assert_memory_equal(v.p, "application/json", v.len);
    }
    /* HEAD newNonce and the ACME fields */
    snprintf(url, sizeof(url), "https://localhost:%d/cl", peer_port);
    q.method = CAPTLS_ACME_HEAD;
    q.url_len = strlen(url);
    q.body = NULL;
    q.body_len = 0;
    q.content_type = NULL;
    assert_int_equal(t.exchange(t.ctx, &q, body, sizeof(body), &rsp), CAPTLS_OK);
    assert_int_equal(rsp.status, 200);
    assert_true(rsp.replay_nonce.len > 6);
    assert_memory_equal(rsp.replay_nonce.ptr, "nonce-", 6);
    assert_int_equal(rsp.retry_after, 7);
    assert_int_equal(rsp.link_up_count, 2);
    assert_memory_equal(rsp.link_up[0].ptr, "https://ca.test/up1", rsp.link_up[0].len);
    assert_memory_equal(rsp.link_up[1].ptr, "https://ca.test/up2", rsp.link_up[1].len);
    assert_memory_equal(rsp.link_alternate.ptr, "https://ca.test/alt", rsp.link_alternate.len);
    assert_memory_equal(rsp.link_index.ptr, "https://ca.test/dir", rsp.link_index.len);
    assert_memory_equal(rsp.location.ptr, "https://ca.test/acct/1", rsp.location.len);
    /* an oversized body: reported, not truncated silently */
    snprintf(url, sizeof(url), "https://localhost:%d/big", peer_port);
    q.method = CAPTLS_ACME_GET;
    q.url_len = strlen(url);
    assert_int_equal(t.exchange(t.ctx, &q, body, sizeof(body), &rsp), CAPTLS_OK);
    assert_true(rsp.body_truncated);
    assert_int_equal(rsp.status, 200);
    /* a redirect is returned as it came */
    snprintf(url, sizeof(url), "https://localhost:%d/redirect", peer_port);
    q.url_len = strlen(url);
    assert_int_equal(t.exchange(t.ctx, &q, body, sizeof(body), &rsp), CAPTLS_OK);
    assert_int_equal(rsp.status, 302);
    assert_memory_equal(rsp.location.ptr, "https://elsewhere.test/", rsp.location.len);
    /* not https */
    q.url = "http://localhost/x";
    q.url_len = strlen(q.url);
    assert_int_equal(t.exchange(t.ctx, &q, body, sizeof(body), &rsp),
                     CAPTLS_ERR_MALFORMED);
    captls_https_client_free(c);
}

static void test_failures(void **state)
{
    captls_https_client *c = client(ca_pem, 10000);
    const captls_http_resp *r = NULL;
    int dead = free_port();
    (void)state;
    /* a response breaking HTTP/1.1 */
    assert_int_equal(get(c, "GET", peer_port, "/bad", &r), CAPTLS_ERR_MALFORMED);
    assert_non_null(strstr(captls_https_last_error(c), "cl_conflict"));
    /* nothing listening */
    assert_int_equal(get(c, "GET", dead, "/", &r), CAPTLS_ERR_CONN_REFUSED);
    captls_https_client_free(c);
    /* a server our roots do not anchor */
    c = client(other_ca_pem, 10000);
    assert_int_equal(get(c, "GET", peer_port, "/cl", &r), CAPTLS_ERR_VERIFY_FAILED);
    assert_non_null(strstr(captls_https_last_error(c), "not trusted"));
    captls_https_client_free(c);
    /* a silent server: the deadline holds */
    {
        struct sockaddr_in a;
        socklen_t l = sizeof(a);
        int lfd = socket(AF_INET, SOCK_STREAM, 0);
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(listen(lfd, 4), 0);
        assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &l), 0);
        c = client(ca_pem, 500);
        assert_int_equal(get(c, "GET", ntohs(a.sin_port), "/", &r), CAPTLS_ERR_TIMEOUT);
        captls_https_client_free(c);
        close(lfd);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_www),
        cmocka_unit_test(test_keep_alive_and_chunked),
        cmocka_unit_test(test_post_and_acme_transport),
        cmocka_unit_test(test_failures),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, start_peers, stop_peers);
}
