/* Unit tests of the http-01 solver (core/acme/solver_http01.c): what it
 * serves, everything it refuses (unknown, retired, sub-path, encoded,
 * traversal, query, methods), publish/retire rules, the live-token bound,
 * and the ChallengeSolver capability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/acme/solver_http01.h"

#define TOKEN "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define THUMB "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define KA TOKEN "." THUMB

static captls_http01_solver solver;

static unsigned get(const char *method, const char *target,
                    captls_http01_answer *a)
{
    captls_http01_route(&solver, (const uint8_t *)method, strlen(method),
                        (const uint8_t *)target, strlen(target), a);
    return a->status;
}

static int setup(void **state)
{
    (void)state;
    captls_http01_init(&solver);
    return 0;
}

static void test_serves_published(void **state)
{
    captls_http01_answer a;
    (void)state;
    assert_int_equal(get("GET", CAPTLS_HTTP01_PREFIX TOKEN, &a), 404);
    assert_int_equal(captls_http01_publish(&solver, TOKEN, strlen(TOKEN), KA,
                                           strlen(KA)), CAPTLS_OK);
    assert_int_equal(get("GET", CAPTLS_HTTP01_PREFIX TOKEN, &a), 200);
    assert_int_equal(a.body_len, strlen(KA));
    assert_memory_equal(a.body, KA, a.body_len);
    assert_string_equal(a.content_type, "application/octet-stream");
    assert_null(a.allow);
    /* idempotent publish, conflicting publish */
    assert_int_equal(captls_http01_publish(&solver, TOKEN, strlen(TOKEN), KA,
                                           strlen(KA)), CAPTLS_OK);
    assert_int_equal(captls_http01_live_count(&solver), 1);
    {
        char other[] = KA;
        other[strlen(other) - 1] = 'X';
        assert_int_equal(captls_http01_publish(&solver, TOKEN, strlen(TOKEN),
                                               other, strlen(other)),
                         CAPTLS_ERR_ALREADY_EXISTS);
    }
    /* retired: 404, and the slot is wiped */
    captls_http01_retire(&solver, TOKEN, strlen(TOKEN));
    assert_int_equal(get("GET", CAPTLS_HTTP01_PREFIX TOKEN, &a), 404);
    assert_int_equal(captls_http01_live_count(&solver), 0);
    for (size_t i = 0; i < CAPTLS_HTTP01_MAX_TOKENS; i++)
        assert_null(memchr(solver.slot[i].keyauth, 'e', sizeof(solver.slot[i].keyauth)));
    captls_http01_retire(&solver, "unknown", 7); /* no-op */
    assert_int_equal(solver.served, 1);
}

static void test_refused_paths(void **state)
{
    static const char *paths[] = {
        CAPTLS_HTTP01_PREFIX,
        CAPTLS_HTTP01_PREFIX "unknownToken",
        CAPTLS_HTTP01_PREFIX TOKEN "/",
        CAPTLS_HTTP01_PREFIX TOKEN "/x",
        CAPTLS_HTTP01_PREFIX TOKEN "?a=b",
        CAPTLS_HTTP01_PREFIX TOKEN "?",
        CAPTLS_HTTP01_PREFIX TOKEN "#x",
        CAPTLS_HTTP01_PREFIX TOKEN ".",
        CAPTLS_HTTP01_PREFIX TOKEN "%00",
        CAPTLS_HTTP01_PREFIX "%65vaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA",
        CAPTLS_HTTP01_PREFIX "../acme-challenge/" TOKEN,
        CAPTLS_HTTP01_PREFIX "%2e%2e/acme-challenge/" TOKEN,
        CAPTLS_HTTP01_PREFIX "%2E%2E%2F" TOKEN,
        "/.well-known/acme-challenge//" TOKEN,
        "/.well-known//acme-challenge/" TOKEN,
        "//.well-known/acme-challenge/" TOKEN,
        "/.well-known/./acme-challenge/" TOKEN,
        "/.well-known/x/../acme-challenge/" TOKEN,
        "/.WELL-KNOWN/acme-challenge/" TOKEN,
        "/.well-known/acme-challenge%2F" TOKEN,
        "/.well-known/ACME-CHALLENGE/" TOKEN,
        "http://example.test/.well-known/acme-challenge/" TOKEN,
        "/" TOKEN,
        "/",
        "*",
        "/.well-known/acme-challenge",
        CAPTLS_HTTP01_PREFIX "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-o",   /* prefix of a token */
        CAPTLS_HTTP01_PREFIX "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oAA", /* longer */
        CAPTLS_HTTP01_PREFIX "EVAGXFADS6PSRB2LAV9IZF17DT3JUXGJ-PCT92WR-OA",  /* case */
        CAPTLS_HTTP01_PREFIX KA,
    };
    captls_http01_answer a;
    (void)state;
    assert_int_equal(captls_http01_publish(&solver, TOKEN, strlen(TOKEN), KA,
                                           strlen(KA)), CAPTLS_OK);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (get("GET", paths[i], &a) != 404)
            fail_msg("path %s: status %u", paths[i], a.status);
        assert_int_equal(a.body_len, strlen("not found\n"));
    }
    /* the real one still works */
    assert_int_equal(get("GET", CAPTLS_HTTP01_PREFIX TOKEN, &a), 200);
}

static void test_methods(void **state)
{
    static const char *methods[] = {"HEAD", "POST", "PUT", "DELETE", "get",
                                    "OPTIONS", "GETX", "GE"};
    captls_http01_answer a;
    (void)state;
    assert_int_equal(captls_http01_publish(&solver, TOKEN, strlen(TOKEN), KA,
                                           strlen(KA)), CAPTLS_OK);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        /* the same answer for live, unknown and nonsense paths */
        assert_int_equal(get(methods[i], CAPTLS_HTTP01_PREFIX TOKEN, &a), 405);
        assert_string_equal(a.allow, "GET");
        assert_int_equal(get(methods[i], CAPTLS_HTTP01_PREFIX "nope", &a), 405);
        assert_int_equal(get(methods[i], "/", &a), 405);
    }
    assert_int_equal(solver.bad_method, 3 * 8);
}

static void test_publish_rules(void **state)
{
    char tok[CAPTLS_HTTP01_TOKEN_MAX + 2], ka[CAPTLS_HTTP01_KEYAUTH_MAX + 2];
    (void)state;
    /* bad tokens */
    assert_int_equal(captls_http01_publish(&solver, "a.b", 3, "a.b." THUMB, 47),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_http01_publish(&solver, "a/b", 3, "a/b." THUMB, 47),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_http01_publish(&solver, "", 0, "." THUMB, 44),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_http01_publish(&solver, "a%41", 4, "a%41." THUMB, 48),
                     CAPTLS_ERR_MALFORMED);
    /* bad key authorizations */
    assert_int_equal(captls_http01_publish(&solver, "abc", 3, "abd." THUMB, 47),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_http01_publish(&solver, "abc", 3, "abc:" THUMB, 47),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_http01_publish(&solver, "abc", 3, "abc." THUMB "A", 48),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_http01_publish(&solver, "abc", 3,
                                           "abc.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqT=", 47),
                     CAPTLS_ERR_MALFORMED);
    /* token length bound */
    memset(tok, 'a', sizeof(tok));
    memcpy(ka, tok, CAPTLS_HTTP01_TOKEN_MAX);
    ka[CAPTLS_HTTP01_TOKEN_MAX] = '.';
    memcpy(ka + CAPTLS_HTTP01_TOKEN_MAX + 1, THUMB, 43);
    assert_int_equal(captls_http01_publish(&solver, tok, CAPTLS_HTTP01_TOKEN_MAX, ka,
                                           CAPTLS_HTTP01_KEYAUTH_MAX), CAPTLS_OK);
    assert_int_equal(captls_http01_publish(&solver, tok, CAPTLS_HTTP01_TOKEN_MAX + 1,
                                           ka, CAPTLS_HTTP01_KEYAUTH_MAX + 1),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_http01_live_count(&solver), 1);
}

static void test_bound(void **state)
{
    char tok[8], ka[64];
    captls_http01_answer a;
    (void)state;
    for (unsigned i = 0; i <= CAPTLS_HTTP01_MAX_TOKENS; i++) {
        snprintf(tok, sizeof(tok), "t%02u", i);
        snprintf(ka, sizeof(ka), "%s.%s", tok, THUMB);
        assert_int_equal(captls_http01_publish(&solver, tok, 3, ka, strlen(ka)),
                         i < CAPTLS_HTTP01_MAX_TOKENS ? CAPTLS_OK
                                                      : CAPTLS_ERR_TABLE_FULL);
    }
    /* each live token gets its own key authorization */
    for (unsigned i = 0; i < CAPTLS_HTTP01_MAX_TOKENS; i++) {
        char path[64];
        snprintf(path, sizeof(path), CAPTLS_HTTP01_PREFIX "t%02u", i);
        assert_int_equal(get("GET", path, &a), 200);
        snprintf(ka, sizeof(ka), "t%02u.%s", i, THUMB);
        assert_memory_equal(a.body, ka, strlen(ka));
    }
    /* retiring one frees one slot */
    captls_http01_retire(&solver, "t05", 3);
    assert_int_equal(get("GET", CAPTLS_HTTP01_PREFIX "t05", &a), 404);
    assert_int_equal(captls_http01_publish(&solver, TOKEN, strlen(TOKEN), KA,
                                           strlen(KA)), CAPTLS_OK);
    assert_int_equal(captls_http01_publish(&solver, "t05", 3, "t05." THUMB, 47),
                     CAPTLS_ERR_TABLE_FULL);
    captls_http01_wipe(&solver);
    assert_int_equal(captls_http01_live_count(&solver), 0);
}

static void test_capability(void **state)
{
    captls_acme_solver cap = captls_http01_solver_cap(&solver);
    captls_acme_challenge_type types[4];
    captls_acme_challenge ch;
    captls_http01_answer a;
    (void)state;
    assert_int_equal(cap.supports(cap.ctx, types, 4), 1);
    assert_int_equal(types[0], CAPTLS_ACME_CHALLENGE_HTTP01);
    assert_int_equal(cap.supports(cap.ctx, types, 0), 0);
    memset(&ch, 0, sizeof(ch));
    ch.type = CAPTLS_ACME_CHALLENGE_HTTP01;
    ch.token = TOKEN;
    ch.token_len = strlen(TOKEN);
    ch.key_authorization = KA;
    ch.key_authorization_len = strlen(KA);
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_OK);
    assert_int_equal(get("GET", CAPTLS_HTTP01_PREFIX TOKEN, &a), 200);
    cap.cleanup(cap.ctx, &ch);
    assert_int_equal(get("GET", CAPTLS_HTTP01_PREFIX TOKEN, &a), 404);
    /* another type is not this solver's */
    ch.type = CAPTLS_ACME_CHALLENGE_DNS01;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_http01_live_count(&solver), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_serves_published, setup),
        cmocka_unit_test_setup(test_refused_paths, setup),
        cmocka_unit_test_setup(test_methods, setup),
        cmocka_unit_test_setup(test_publish_rules, setup),
        cmocka_unit_test_setup(test_bound, setup),
        cmocka_unit_test_setup(test_capability, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
