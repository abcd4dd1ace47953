/* Tests of port/posix/tls_alpn01_server.c on loopback with OpenSSL's
 * s_client as the validator: a published challenge is served for ALPN
 * "acme-tls/1" + its SNI (the certificate has the critical acmeIdentifier
 * with SHA-256 of the key authorization, the SAN is the name, ALPN
 * acme-tls/1 is selected, the server closes after the handshake); no ALPN,
 * another ALPN, acme-tls/1 among others -> no_application_protocol, an
 * unknown or missing SNI -> unrecognized_name, never the certificate; a
 * retired challenge is gone; the ChallengeSolver cap through the lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <openssl/sha.h>

#include "core/acme/solver_tls_alpn01.h"
#include "port/posix/tls_alpn01_server.h"

static const char KA[] =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA."
    "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
static const char KA2[] =
    "token2.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

static char OUT[65536];

/* Runs s_client (stdin closed) and, when it printed a certificate, the
 * `openssl x509 -text` of it; everything into OUT. */
static void s_client(uint16_t port, const char *sni, const char *alpn)
{
    char cmd[1024], pem[] = "/tmp/captls-alpn01-srv-XXXXXX";
    int fd = mkstemp(pem);
    assert_true(fd >= 0);
    close(fd);
    snprintf(cmd, sizeof(cmd),
             "openssl s_client -connect 127.0.0.1:%u -tls1_3 %s%s %s%s "
             "</dev/null 2>&1 | tee %s; "
             "openssl x509 -in %s -noout -text -certopt ext_dump 2>/dev/null",
             port, sni ? "-servername " : "-noservername", sni ? sni : "",
             alpn ? "-alpn " : "", alpn ? alpn : "", pem, pem);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t got = fread(OUT, 1, sizeof(OUT) - 1, f);
    OUT[got] = 0;
    (void)pclose(f);
    unlink(pem);
}

static bool has(const char *s)
{
    return strstr(OUT, s) != NULL;
}

/* sni may differ from the published name in case; the SAN is the name. */
static void expect_served(uint16_t port, const char *sni, const char *name,
                          const char *ka)
{
    char san[300], hex[64];
    uint8_t d[32];
    s_client(port, sni, "acme-tls/1");
    SHA256((const unsigned char *)ka, strlen(ka), d);
    snprintf(san, sizeof(san), "DNS:%s", name);
    snprintf(hex, sizeof(hex), "0000 - 04 20 %02x %02x %02x", d[0], d[1], d[2]);
    const char *want[] = {"ALPN protocol: acme-tls/1",
                          "1.3.6.1.5.5.7.1.31: critical", san, hex,
                          "New, TLSv1.3", "Peer signature type: ECDSA"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!has(want[i])) {
            fprintf(stderr, "%s\n", OUT);
            fail_msg("challenge not served as expected: no '%s'", want[i]);
        }
}

static void expect_refused(uint16_t port, const char *sni, const char *alpn,
                           const char *alert)
{
    s_client(port, sni, alpn);
    if (!has(alert) || has("1.3.6.1.5.5.7.1.31") || has("BEGIN CERTIFICATE"))
        fail_msg("expected '%s' and no certificate (sni %s, alpn %s):\n%s",
                 alert, sni ? sni : "-", alpn ? alpn : "-", OUT);
}

static void test_serves_only_acme_tls_1(void **state)
{
    (void)state;
    static const char *const names[] = {"example.org", "b.example"};
    captls_tls_alpn01_server *s = NULL;
    captls_tls_alpn01_server_stats st;
    char err[256] = "";
    assert_true(captls_tls_alpn01_server_start("127.0.0.1:0", names, 2, &s, err,
                                               sizeof(err)));
    uint16_t port = captls_tls_alpn01_server_port(s);
    assert_true(port != 0);
    /* nothing published yet: unrecognized_name */
    expect_refused(port, "example.org", "acme-tls/1", "unrecognized name");
    assert_int_equal(captls_tls_alpn01_server_publish(s, "other.example", 13, KA,
                                                      strlen(KA)),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_tls_alpn01_server_publish(s, "example.org", 11, KA,
                                                      strlen(KA)),
                     CAPTLS_OK);
    expect_served(port, "example.org", "example.org", KA);
    expect_served(port, "EXAMPLE.ORG", "example.org", KA);
    /* never for any other ALPN, or none, or a wrong / missing SNI */
    expect_refused(port, "example.org", NULL, "no application protocol");
    expect_refused(port, "example.org", "h2", "no application protocol");
    expect_refused(port, "example.org", "h2,acme-tls/1", "no application protocol");
    expect_refused(port, "example.org", "acme-tls/1,http/1.1",
                   "no application protocol");
    expect_refused(port, "b.example", "acme-tls/1", "unrecognized name");
    expect_refused(port, "nope.example", "acme-tls/1", "unrecognized name");
    expect_refused(port, NULL, "acme-tls/1", "unrecognized name");
    /* RFC 8737 §3: the server ends the connection after the handshake:
     * s_client -ign_eof stays until the server closes (timeout: 124) */
    {
        char cmd[512];
        snprintf(cmd, sizeof(cmd),
                 "timeout 5 openssl s_client -ign_eof -connect 127.0.0.1:%u "
                 "-tls1_3 -servername example.org -alpn acme-tls/1 "
                 "</dev/null >/dev/null 2>&1",
                 port);
        time_t t0 = time(NULL);
        int rc = system(cmd);
        assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) != 124);
        assert_true(time(NULL) - t0 < 4);
    }
    /* a stale cleanup keeps it; the real one retires it */
    captls_tls_alpn01_server_retire(s, "example.org", 11, KA2, strlen(KA2));
    expect_served(port, "example.org", "example.org", KA);
    captls_tls_alpn01_server_retire(s, "example.org", 11, KA, strlen(KA));
    expect_refused(port, "example.org", "acme-tls/1", "unrecognized name");
    captls_tls_alpn01_server_stats_get(s, &st);
    assert_int_equal(st.served, 4);
    assert_int_equal(st.refused_alpn, 4);
    assert_int_equal(st.refused_name, 5);
    assert_int_equal(st.connections, 13);
    captls_tls_alpn01_server_stop(s);
}

static void test_solver_cap_and_start_errors(void **state)
{
    (void)state;
    static const char *const names[] = {"b.example"};
    static const char *const bad[] = {"*.example.org"};
    captls_tls_alpn01_server *s = NULL;
    char err[256] = "";
    assert_false(captls_tls_alpn01_server_start("nonsense", names, 1, &s, err,
                                                sizeof(err)));
    assert_null(s);
    assert_non_null(strstr(err, "--tls-listen"));
    assert_false(captls_tls_alpn01_server_start("127.0.0.1:0", bad, 1, &s, err,
                                                sizeof(err)));
    assert_non_null(strstr(err, "*.example.org"));
    assert_true(captls_tls_alpn01_server_start("[::1]:0", names, 1, &s, err,
                                               sizeof(err)) ||
                strstr(err, "--tls-listen") != NULL); /* no IPv6 here */
    if (s != NULL)
        captls_tls_alpn01_server_stop(s);
    s = NULL;
    assert_true(captls_tls_alpn01_server_start("127.0.0.1:0", names, 1, &s, err,
                                               sizeof(err)));
    uint16_t port = captls_tls_alpn01_server_port(s);
    captls_acme_solver cap = captls_tls_alpn01_server_solver(s);
    captls_acme_challenge_type t[1];
    assert_int_equal(cap.supports(cap.ctx, t, 1), 1);
    assert_int_equal(t[0], CAPTLS_ACME_CHALLENGE_TLS_ALPN01);
    captls_acme_challenge ch;
    memset(&ch, 0, sizeof(ch));
    ch.type = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    ch.identifier.type = "dns";
    ch.identifier.type_len = 3;
    ch.identifier.value = "b.example";
    ch.identifier.value_len = 9;
    ch.key_authorization = KA2;
    ch.key_authorization_len = strlen(KA2);
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_OK);
    expect_served(port, "b.example", "b.example", KA2);
    cap.cleanup(cap.ctx, &ch);
    expect_refused(port, "b.example", "acme-tls/1", "unrecognized name");
    /* stop with a client that never speaks */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    usleep(300000);
    captls_tls_alpn01_server_stop(s);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serves_only_acme_tls_1),
        cmocka_unit_test(test_solver_cap_and_start_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
