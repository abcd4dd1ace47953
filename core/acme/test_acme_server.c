/* Unit tests of core/acme/acme_server.c — an ACME server's request checks:
 * the nonce table (issued once, accepted once, forgotten after
 * CAPTLS_ACME_SRV_NONCES, prefixes refused), and captls_acme_srv_check on
 * JWS requests signed through captls_jws_sign with ES256 and Ed25519 keys:
 * newAccount with jwk (the key handed back), kid requests, POST-as-GET,
 * a replayed nonce, an unknown nonce, a url that is not the request's, jwk
 * where kid is due and the reverse, a kid of another account, no account
 * yet, a signature by another key, a payload too large, garbage. A refused
 * request never spends its nonce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/acme/acme_server.h"
#include "core/acme/test_acme_keys.h"

#define DIR_BASE "https://ca.test"
#define ACCT DIR_BASE "/acct/1"

static captls_acme_srv_nonces T;
static captls_acme_srv_scratch S;
static char jws_buf[8192];
static uint8_t payload[1024];

/* A JWS for url with a fresh nonce from T (or `nonce` when not NULL). */
static size_t sign(const captls_acme_signer *s, const char *url,
                   const char *kid, const char *nonce, const char *body)
{
    char fresh[CAPTLS_ACME_SRV_NONCE_MAX + 1];
    size_t n = 0;
    if (nonce == NULL) {
        (void)captls_acme_srv_nonce_issue(&T, fresh);
        nonce = fresh;
    }
    captls_jws_header h = {nonce, strlen(nonce), url, strlen(url), kid,
                           kid != NULL ? strlen(kid) : 0};
    assert_int_equal(captls_jws_sign(s, &h, (const uint8_t *)body,
                                     strlen(body), jws_buf, sizeof jws_buf,
                                     &n),
                     CAPTLS_OK);
    return n;
}

static captls_acme_srv_verdict check(const char *url, size_t len,
                                     bool new_account,
                                     const captls_jwk *account,
                                     size_t *pl, captls_jwk *out)
{
    captls_acme_srv_request q;
    memset(&q, 0, sizeof q);
    q.url = url;
    q.url_len = strlen(url);
    q.body = (const uint8_t *)jws_buf;
    q.body_len = len;
    q.new_account = new_account;
    q.account = account;
    q.account_url = ACCT;
    q.account_url_len = strlen(ACCT);
    return captls_acme_srv_check(&T, &S, &q, payload, sizeof payload, pl,
                                 out);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(captls_acme_srv_nonces_init(&T, "n0"), CAPTLS_OK);
    return 0;
}

static void test_nonce_table(void **state)
{
    (void)state;
    char a[CAPTLS_ACME_SRV_NONCE_MAX + 1], b[CAPTLS_ACME_SRV_NONCE_MAX + 1];
    captls_acme_srv_nonces t;
    assert_int_equal(captls_acme_srv_nonces_init(&t, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_acme_srv_nonces_init(&t, "a+b"),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_acme_srv_nonces_init(&t, "0123456789abc"),
                     CAPTLS_ERR_MALFORMED); /* 13 > 12 */
    assert_int_equal(captls_acme_srv_nonces_init(&t, "nonce-_"), CAPTLS_OK);
    assert_int_equal(captls_acme_srv_nonce_issue(&t, a), 8);
    assert_string_equal(a, "nonce-_1");
    assert_int_equal(captls_acme_srv_nonce_issue(&t, b), 8);
    assert_string_equal(b, "nonce-_2");
    /* each accepted once, in any order; nothing else */
    assert_true(captls_acme_srv_nonce_take(&t, b, strlen(b)));
    assert_false(captls_acme_srv_nonce_take(&t, b, strlen(b)));
    assert_false(captls_acme_srv_nonce_take(&t, "nonce-_3", 8));
    assert_false(captls_acme_srv_nonce_take(&t, "nonce-_", 7));
    assert_false(captls_acme_srv_nonce_take(&t, a, 0));
    assert_false(captls_acme_srv_nonce_take(&t, NULL, 3));
    assert_true(captls_acme_srv_nonce_take(&t, a, strlen(a)));
    /* the table remembers the last CAPTLS_ACME_SRV_NONCES only */
    (void)captls_acme_srv_nonce_issue(&t, a);
    for (unsigned i = 0; i < CAPTLS_ACME_SRV_NONCES - 1; i++)
        (void)captls_acme_srv_nonce_issue(&t, b);
    assert_true(captls_acme_srv_nonce_take(&t, a, strlen(a)));
    (void)captls_acme_srv_nonce_issue(&t, a);
    for (unsigned i = 0; i < CAPTLS_ACME_SRV_NONCES; i++)
        (void)captls_acme_srv_nonce_issue(&t, b);
    assert_false(captls_acme_srv_nonce_take(&t, a, strlen(a))); /* forgotten */
    assert_true(captls_acme_srv_nonce_take(&t, b, strlen(b)));
    /* the longest nonce fits */
    assert_int_equal(captls_acme_srv_nonces_init(&t, "abcdefghijkl"),
                     CAPTLS_OK);
    t.counter = 0xFFFFFFFEu;
    assert_int_equal(captls_acme_srv_nonce_issue(&t, a),
                     CAPTLS_ACME_SRV_NONCE_MAX);
    assert_string_equal(a, "abcdefghijkl4294967295");
    assert_true(captls_acme_srv_nonce_take(&t, a, strlen(a)));
}

static void run_requests(bool ec)
{
    test_key k, other;
    captls_acme_signer s, so;
    captls_jwk acct;
    size_t pl = 99, n;
    test_key_new(&k, &s, ec);
    test_key_new(&other, &so, ec);

    /* newAccount: jwk, fresh nonce, payload and key handed back */
    n = sign(&s, DIR_BASE "/new-acct", NULL, NULL, "{\"termsOfServiceAgreed\":true}");
    assert_int_equal(check(DIR_BASE "/new-acct", n, true, NULL, &pl, &acct),
                     CAPTLS_ACME_SRV_OK);
    assert_int_equal(pl, 29);
    assert_memory_equal(payload, "{\"termsOfServiceAgreed\":true}", 29);
    assert_memory_equal(&acct, &s.pub, sizeof acct);
    /* the same request again: its nonce is spent (replay) */
    assert_int_equal(check(DIR_BASE "/new-acct", n, true, NULL, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_NONCE);
    /* a nonce the server never issued */
    n = sign(&s, DIR_BASE "/new-acct", NULL, "n0999999", "{}");
    assert_int_equal(check(DIR_BASE "/new-acct", n, true, NULL, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_NONCE);

    /* refusals that leave the nonce unspent: the same nonce then works */
    char nonce[CAPTLS_ACME_SRV_NONCE_MAX + 1];
    (void)captls_acme_srv_nonce_issue(&T, nonce);
    n = sign(&s, DIR_BASE "/new-order", ACCT, nonce, "{}");
    assert_int_equal(check(DIR_BASE "/new-orderX", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS); /* url is not the request's */
    assert_int_equal(check(DIR_BASE "/new-order", n, false, NULL, &pl, NULL),
                     CAPTLS_ACME_SRV_NO_ACCOUNT);
    assert_int_equal(check(DIR_BASE "/new-order", n, true, NULL, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS); /* kid where jwk is due */
    assert_int_equal(check(DIR_BASE "/new-order", n, false, &so.pub, &pl,
                           NULL),
                     CAPTLS_ACME_SRV_BAD_JWS); /* signed by another key */
    n = sign(&s, DIR_BASE "/new-order", DIR_BASE "/acct/2", nonce, "{}");
    assert_int_equal(check(DIR_BASE "/new-order", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS); /* another account's kid */
    n = sign(&s, DIR_BASE "/new-order", NULL, nonce, "{}");
    assert_int_equal(check(DIR_BASE "/new-order", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS); /* jwk where kid is due */
    n = sign(&so, DIR_BASE "/new-order", ACCT, nonce, "{}");
    assert_int_equal(check(DIR_BASE "/new-order", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS); /* the account's kid, not key */
    n = sign(&s, DIR_BASE "/new-order", ACCT, nonce, "{\"identifiers\":[]}");
    jws_buf[n - 3] ^= 1; /* a signature bit */
    assert_int_equal(check(DIR_BASE "/new-order", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS);
    n = sign(&s, DIR_BASE "/new-order", ACCT, nonce, "{\"identifiers\":[]}");
    assert_int_equal(check(DIR_BASE "/new-order", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_OK);
    assert_int_equal(pl, 18);

    /* POST-as-GET: empty payload */
    n = sign(&s, DIR_BASE "/authz/0", ACCT, NULL, "");
    pl = 99;
    assert_int_equal(check(DIR_BASE "/authz/0", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_OK);
    assert_int_equal(pl, 0);

    /* a payload larger than the caller's buffer */
    static char big[1200];
    memset(big, 'x', sizeof big - 1);
    big[0] = '"';
    big[sizeof big - 2] = '"';
    n = sign(&s, DIR_BASE "/finalize/1", ACCT, NULL, big);
    assert_int_equal(check(DIR_BASE "/finalize/1", n, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_TOO_LARGE);

    /* not a JWS at all; and an empty body */
    memcpy(jws_buf, "{\"protected\":1}", 15);
    assert_int_equal(check(DIR_BASE "/new-order", 15, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS);
    assert_int_equal(check(DIR_BASE "/new-order", 0, false, &acct, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS);
    test_key_free(&k);
    test_key_free(&other);
}

static void test_requests_es256(void **state)
{
    (void)state;
    run_requests(true);
}

static void test_requests_ed25519(void **state)
{
    (void)state;
    run_requests(false);
}

static void test_arguments_and_names(void **state)
{
    (void)state;
    size_t pl = 0;
    captls_acme_srv_request q;
    memset(&q, 0, sizeof q);
    assert_int_equal(captls_acme_srv_check(NULL, &S, &q, payload, 1, &pl,
                                           NULL),
                     CAPTLS_ACME_SRV_BAD_JWS);
    assert_int_equal(captls_acme_srv_check(&T, &S, &q, payload, 1, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS); /* no url */
    q.url = "x";
    q.url_len = 1;
    q.body_len = 5; /* body NULL */
    assert_int_equal(captls_acme_srv_check(&T, &S, &q, payload, 1, &pl, NULL),
                     CAPTLS_ACME_SRV_BAD_JWS);
    assert_string_equal(captls_acme_srv_verdict_name(CAPTLS_ACME_SRV_OK), "ok");
    assert_string_equal(captls_acme_srv_verdict_name(CAPTLS_ACME_SRV_BAD_NONCE),
                        "bad-nonce");
    assert_string_equal(captls_acme_srv_verdict_name(CAPTLS_ACME_SRV_NO_ACCOUNT),
                        "no-account");
    assert_string_equal(captls_acme_srv_verdict_name(CAPTLS_ACME_SRV_TOO_LARGE),
                        "too-large");
    assert_string_equal(captls_acme_srv_verdict_name(CAPTLS_ACME_SRV_BAD_JWS),
                        "bad-jws");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonce_table),
        cmocka_unit_test_setup(test_requests_es256, setup),
        cmocka_unit_test_setup(test_requests_ed25519, setup),
        cmocka_unit_test_setup(test_arguments_and_names, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
