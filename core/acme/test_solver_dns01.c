/* Unit tests of the dns-01 solver (core/acme/solver_dns01.c) over a fake
 * DNS-update capability that records every call: the exact TXT value and
 * record name, wildcard authorizations, zone scoping (refused before any
 * update), updater failures, cleanup of exactly what was set, bounds and
 * the ChallengeSolver capability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/acme/solver_dns01.h"

#define TOKEN "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define THUMB "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define KA TOKEN "." THUMB
/* base64url(SHA-256(KA)) without padding, computed outside captls:
 *   printf '%s' "$KA" | openssl dgst -sha256 -binary | openssl base64 -A \
 *     | tr '+/' '-_' | tr -d '='
 * and with python3: base64.urlsafe_b64encode(hashlib.sha256(KA.encode())
 *   .digest()).decode().rstrip("=") — both give this string. */
#define KA_TXT "lCM7cZyQXcVHK2nnW3jjAhNT3Fvm18UN-kWZZknKoYM"

/* ---- the fake updater: a call log and a programmable failure ---------- */
#define LOG_MAX 64
typedef struct fake_call {
    char op; /* 's' set, 'c' clear */
    char fqdn[300];
    char value[64];
} fake_call;

typedef struct fake_dns {
    fake_call log[LOG_MAX];
    size_t n;
    captls_result set_result, clear_result;
} fake_dns;

static fake_dns fake;
static captls_dns01_solver solver;

static captls_result fake_op(char op, void *ctx, const char *fqdn, size_t fl,
                             const char *value, size_t vl)
{
    fake_dns *f = ctx;
    fake_call *c;

    assert_ptr_equal(f, &fake);
    assert_true(f->n < LOG_MAX);
    assert_true(fl < sizeof(c->fqdn) && vl < sizeof(c->value));
    c = &f->log[f->n++];
    c->op = op;
    memcpy(c->fqdn, fqdn, fl);
    c->fqdn[fl] = '\0';
    memcpy(c->value, value, vl);
    c->value[vl] = '\0';
    return op == 's' ? f->set_result : f->clear_result;
}

static captls_result fake_set(void *ctx, const char *fqdn, size_t fl,
                              const char *value, size_t vl)
{
    return fake_op('s', ctx, fqdn, fl, value, vl);
}

static captls_result fake_clear(void *ctx, const char *fqdn, size_t fl,
                                const char *value, size_t vl)
{
    return fake_op('c', ctx, fqdn, fl, value, vl);
}

static void assert_call(size_t i, char op, const char *fqdn,
                        const char *value)
{
    assert_true(i < fake.n);
    assert_int_equal(fake.log[i].op, op);
    assert_string_equal(fake.log[i].fqdn, fqdn);
    assert_string_equal(fake.log[i].value, value);
}

static int setup(void **state)
{
    captls_acme_dns_updater u = {&fake, fake_set, fake_clear};
    (void)state;
    memset(&fake, 0, sizeof(fake));
    if (captls_dns01_init(&solver, &u) != CAPTLS_OK)
        return -1;
    if (captls_dns01_add_zone(&solver, "example.com", 11) != CAPTLS_OK)
        return -1;
    return 0;
}

static captls_result publish(const char *name, const char *ka)
{
    return captls_dns01_publish(&solver, name, strlen(name), ka, strlen(ka));
}

static void retire(const char *name, const char *ka)
{
    captls_dns01_retire(&solver, name, strlen(name), ka, strlen(ka));
}

/* A key authorization for token "t<i>" (distinct values per i). */
static void ka_for(unsigned i, char *out, size_t cap)
{
    snprintf(out, cap, "t%u." THUMB, i);
}

static void test_txt_value_known_answer(void **state)
{
    char v[CAPTLS_DNS01_VALUE_LEN];
    (void)state;
    assert_int_equal(captls_dns01_txt_value(KA, strlen(KA), v), CAPTLS_OK);
    assert_memory_equal(v, KA_TXT, CAPTLS_DNS01_VALUE_LEN);
    assert_int_equal(captls_dns01_txt_value(NULL, 0, v),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_record_name(void **state)
{
    char out[CAPTLS_DNS01_FQDN_MAX];
    size_t n = 0;
    char longname[300];
    (void)state;
    assert_int_equal(captls_dns01_record_name("WWW.Example.COM", 15, out,
                                              sizeof(out), &n),
                     CAPTLS_OK);
    assert_int_equal(n, strlen("_acme-challenge.www.example.com."));
    assert_memory_equal(out, "_acme-challenge.www.example.com.", n);
    assert_int_equal(captls_dns01_record_name("*.example.com", 13, out,
                                              sizeof(out), &n),
                     CAPTLS_OK);
    assert_memory_equal(out, "_acme-challenge.example.com.", n);
    assert_int_equal(captls_dns01_record_name("example.com", 11, out, 10, &n),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    /* malformed names */
    static const char *const bad[] = {
        "", ".", "example.com.", ".example.com", "a..b", "-a.com", "a-.com",
        "a.b-", "a_b.com", "*.*.example.com", "www.*.example.com", "*",
        "a b.com", "ex%61mple.com", "*example.com",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(captls_dns01_record_name(bad[i], strlen(bad[i]), out,
                                                  sizeof(out), &n),
                         CAPTLS_ERR_MALFORMED);
    /* a 64-octet label */
    memset(longname, 'a', 64);
    memcpy(longname + 64, ".com", 5);
    assert_int_equal(captls_dns01_record_name(longname, strlen(longname), out,
                                              sizeof(out), &n),
                     CAPTLS_ERR_MALFORMED);
    /* 237 octets fit (16 + 237 + 1 = 254), 239 do not; 254 is no name */
    for (size_t len = 237; len <= 254; len++) {
        captls_result want = len == 237 ? CAPTLS_OK : CAPTLS_ERR_LIMIT_EXCEEDED;
        for (size_t i = 0; i < len; i++)
            longname[i] = (i % 50 == 49) ? '.' : 'a';
        if (longname[len - 1] == '.')
            continue;
        assert_int_equal(captls_dns01_record_name(longname, len, out,
                                                  sizeof(out), &n),
                         want);
        if (want == CAPTLS_OK)
            assert_int_equal(n, CAPTLS_DNS01_FQDN_MAX);
    }
}

static void test_good_path(void **state)
{
    (void)state;
    assert_int_equal(publish("www.Example.com", KA), CAPTLS_OK);
    assert_int_equal(fake.n, 1);
    assert_call(0, 's', "_acme-challenge.www.example.com.", KA_TXT);
    assert_int_equal(captls_dns01_live_count(&solver), 1);
    /* the zone itself is covered too */
    assert_int_equal(publish("example.com", KA), CAPTLS_OK);
    assert_call(1, 's', "_acme-challenge.example.com.", KA_TXT);
    retire("www.example.com", KA);
    assert_int_equal(fake.n, 3);
    assert_call(2, 'c', "_acme-challenge.www.example.com.", KA_TXT);
    retire("example.com", KA);
    assert_call(3, 'c', "_acme-challenge.example.com.", KA_TXT);
    assert_int_equal(captls_dns01_live_count(&solver), 0);
    assert_int_equal(solver.published, 2);
    assert_int_equal(solver.cleared, 2);
}

static void test_wildcard(void **state)
{
    char ka2[200];
    char v2[CAPTLS_DNS01_VALUE_LEN + 1];
    (void)state;
    ka_for(2, ka2, sizeof(ka2));
    assert_int_equal(captls_dns01_txt_value(ka2, strlen(ka2), v2), CAPTLS_OK);
    v2[CAPTLS_DNS01_VALUE_LEN] = '\0';
    /* base domain and wildcard of one order: two values at one name */
    assert_int_equal(publish("example.com", KA), CAPTLS_OK);
    assert_int_equal(publish("*.example.com", ka2), CAPTLS_OK);
    assert_int_equal(fake.n, 2);
    assert_call(0, 's', "_acme-challenge.example.com.", KA_TXT);
    assert_call(1, 's', "_acme-challenge.example.com.", v2);
    assert_int_equal(captls_dns01_live_count(&solver), 2);
    /* each cleanup clears its own value only */
    retire("*.example.com", ka2);
    assert_int_equal(fake.n, 3);
    assert_call(2, 'c', "_acme-challenge.example.com.", v2);
    retire("example.com", KA);
    assert_call(3, 'c', "_acme-challenge.example.com.", KA_TXT);
    /* a wildcard identifier one level down publishes for its base */
    assert_int_equal(publish("*.www.example.com", KA), CAPTLS_OK);
    assert_call(4, 's', "_acme-challenge.www.example.com.", KA_TXT);
}

static void test_out_of_zone_refused(void **state)
{
    static const char *const outside[] = {
        "example.org", "badexample.com", "com", "example.com.evil.net",
        "xexample.com", "*.example.net", "ample.com",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
        assert_int_equal(publish(outside[i], KA), CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(fake.n, 0); /* nothing reached the updater */
    assert_int_equal(solver.refused, sizeof(outside) / sizeof(outside[0]));
    assert_int_equal(captls_dns01_live_count(&solver), 0);
    /* cleanup of something refused calls nothing */
    retire("example.org", KA);
    assert_int_equal(fake.n, 0);
}

static void test_no_zone_no_authority(void **state)
{
    captls_acme_dns_updater u = {&fake, fake_set, fake_clear};
    (void)state;
    assert_int_equal(captls_dns01_init(&solver, &u), CAPTLS_OK);
    assert_int_equal(publish("example.com", KA), CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(fake.n, 0);
    u.clear_txt = NULL;
    assert_int_equal(captls_dns01_init(&solver, &u),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_dns01_init(&solver, NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_zones(void **state)
{
    char z[16];
    (void)state;
    /* absolute and "*." forms, case folded, duplicates kept once */
    assert_int_equal(captls_dns01_add_zone(&solver, "Example.ORG.", 12),
                     CAPTLS_OK);
    assert_int_equal(captls_dns01_add_zone(&solver, "*.test.net", 10),
                     CAPTLS_OK);
    assert_int_equal(captls_dns01_add_zone(&solver, "example.com", 11),
                     CAPTLS_OK);
    assert_int_equal(solver.zone_count, 3);
    assert_int_equal(publish("a.example.org", KA), CAPTLS_OK);
    assert_int_equal(publish("test.net", KA), CAPTLS_OK);
    assert_int_equal(publish("a.b.test.net", KA), CAPTLS_OK);
    assert_int_equal(fake.n, 3);
    /* malformed zones */
    assert_int_equal(captls_dns01_add_zone(&solver, "", 0),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_dns01_add_zone(&solver, ".", 1),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_dns01_add_zone(&solver, "a..b", 4),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_dns01_add_zone(&solver, "*", 1),
                     CAPTLS_ERR_MALFORMED);
    /* the bound */
    for (unsigned i = (unsigned)solver.zone_count; i < CAPTLS_DNS01_MAX_ZONES;
         i++) {
        snprintf(z, sizeof(z), "z%u.test", i);
        assert_int_equal(captls_dns01_add_zone(&solver, z, strlen(z)),
                         CAPTLS_OK);
    }
    assert_int_equal(captls_dns01_add_zone(&solver, "one.more", 8),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    /* a zone already there is still fine */
    assert_int_equal(captls_dns01_add_zone(&solver, "example.com", 11),
                     CAPTLS_OK);
}

static void test_updater_failure(void **state)
{
    (void)state;
    fake.set_result = CAPTLS_ERR_CONN_REFUSED;
    assert_int_equal(publish("example.com", KA), CAPTLS_ERR_CONN_REFUSED);
    assert_int_equal(fake.n, 1);
    assert_int_equal(captls_dns01_live_count(&solver), 0);
    /* nothing was set, so cleanup clears nothing */
    retire("example.com", KA);
    assert_int_equal(fake.n, 1);
    /* a non-error status from a broken updater is not success */
    fake.set_result = CAPTLS_WOULD_BLOCK;
    assert_int_equal(publish("example.com", KA), CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_dns01_live_count(&solver), 0);
    /* a failing clear is counted, and the slot is reusable */
    fake.set_result = CAPTLS_OK;
    fake.clear_result = CAPTLS_ERR_TIMEOUT;
    assert_int_equal(publish("example.com", KA), CAPTLS_OK);
    retire("example.com", KA);
    assert_int_equal(solver.clear_failed, 1);
    assert_int_equal(solver.last_clear_error, CAPTLS_ERR_TIMEOUT);
    assert_int_equal(captls_dns01_live_count(&solver), 0);
}

static void test_cleanup_exact(void **state)
{
    (void)state;
    /* the same (name, value) twice: one set, one clear at the last ref */
    assert_int_equal(publish("example.com", KA), CAPTLS_OK);
    assert_int_equal(publish("EXAMPLE.com", KA), CAPTLS_OK);
    assert_int_equal(fake.n, 1);
    retire("example.com", KA);
    assert_int_equal(fake.n, 1);
    assert_int_equal(captls_dns01_live_count(&solver), 1);
    retire("example.com", KA);
    assert_int_equal(fake.n, 2);
    assert_call(1, 'c', "_acme-challenge.example.com.", KA_TXT);
    /* again: nothing left to clear */
    retire("example.com", KA);
    assert_int_equal(fake.n, 2);
    /* never published, malformed or other values: nothing */
    retire("www.example.com", KA);
    retire("example.com", "not-a-key-authorization");
    retire("", KA);
    assert_int_equal(fake.n, 2);
}

static void test_bad_key_authorization(void **state)
{
    static const char *const bad[] = {
        "", TOKEN, TOKEN ".", "." THUMB, TOKEN ".short",
        TOKEN "." THUMB "x", TOKEN "+." THUMB, "to ken." THUMB,
        TOKEN "." "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqT=",
    };
    char big[CAPTLS_DNS01_TOKEN_MAX + 2 + CAPTLS_DNS01_THUMBPRINT_LEN + 1];
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(publish("example.com", bad[i]), CAPTLS_ERR_MALFORMED);
    memset(big, 'a', CAPTLS_DNS01_TOKEN_MAX + 1);
    big[CAPTLS_DNS01_TOKEN_MAX + 1] = '.';
    memcpy(big + CAPTLS_DNS01_TOKEN_MAX + 2, THUMB, 44);
    assert_int_equal(publish("example.com", big), CAPTLS_ERR_MALFORMED);
    /* the longest token is fine */
    assert_int_equal(publish("example.com", big + 1), CAPTLS_OK);
    assert_int_equal(fake.n, 1);
}

static void test_bound(void **state)
{
    char ka[200];
    (void)state;
    for (unsigned i = 0; i < CAPTLS_DNS01_MAX_RECORDS; i++) {
        ka_for(i, ka, sizeof(ka));
        assert_int_equal(publish("example.com", ka), CAPTLS_OK);
    }
    assert_int_equal(captls_dns01_live_count(&solver),
                     CAPTLS_DNS01_MAX_RECORDS);
    ka_for(999, ka, sizeof(ka));
    assert_int_equal(publish("example.com", ka), CAPTLS_ERR_TABLE_FULL);
    /* refused before the updater */
    assert_int_equal(fake.n, CAPTLS_DNS01_MAX_RECORDS);
    /* a live one is still fine (a reference) */
    ka_for(3, ka, sizeof(ka));
    assert_int_equal(publish("example.com", ka), CAPTLS_OK);
    retire("example.com", ka);
    retire("example.com", ka);
    assert_int_equal(captls_dns01_live_count(&solver),
                     CAPTLS_DNS01_MAX_RECORDS - 1);
    ka_for(999, ka, sizeof(ka));
    assert_int_equal(publish("example.com", ka), CAPTLS_OK);
}

static void test_capability(void **state)
{
    captls_acme_solver cap = captls_dns01_solver_cap(&solver);
    captls_acme_challenge_type types[4];
    captls_acme_challenge ch;
    (void)state;
    assert_int_equal(cap.supports(cap.ctx, types, 4), 1);
    assert_int_equal(types[0], CAPTLS_ACME_CHALLENGE_DNS01);
    assert_int_equal(cap.supports(cap.ctx, types, 0), 0);
    memset(&ch, 0, sizeof(ch));
    ch.type = CAPTLS_ACME_CHALLENGE_DNS01;
    ch.identifier.type = "dns";
    ch.identifier.type_len = 3;
    ch.identifier.value = "example.com";
    ch.identifier.value_len = 11;
    ch.wildcard = true;
    ch.token = TOKEN;
    ch.token_len = strlen(TOKEN);
    ch.key_authorization = KA;
    ch.key_authorization_len = strlen(KA);
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_OK);
    assert_call(0, 's', "_acme-challenge.example.com.", KA_TXT);
    cap.cleanup(cap.ctx, &ch);
    assert_call(1, 'c', "_acme-challenge.example.com.", KA_TXT);
    /* the key authorization must be the token's */
    ch.token = "other";
    ch.token_len = 5;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_MALFORMED);
    ch.token = TOKEN;
    ch.token_len = strlen(TOKEN);
    /* other types and identifiers are not this solver's */
    ch.type = CAPTLS_ACME_CHALLENGE_HTTP01;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_UNSUPPORTED);
    cap.cleanup(cap.ctx, &ch);
    ch.type = CAPTLS_ACME_CHALLENGE_DNS01;
    ch.identifier.type = "ip";
    ch.identifier.type_len = 2;
    ch.identifier.value = "127.0.0.1";
    ch.identifier.value_len = 9;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_UNSUPPORTED);
    /* out of zone through the capability */
    ch.identifier.type = "dns";
    ch.identifier.type_len = 3;
    ch.identifier.value = "example.net";
    ch.identifier.value_len = 11;
    assert_int_equal(cap.solve(cap.ctx, &ch), CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(cap.solve(cap.ctx, NULL), CAPTLS_ERR_UNSUPPORTED);
    cap.cleanup(cap.ctx, NULL);
    assert_int_equal(fake.n, 2);
    assert_int_equal(captls_dns01_live_count(&solver), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_txt_value_known_answer, setup),
        cmocka_unit_test_setup(test_record_name, setup),
        cmocka_unit_test_setup(test_good_path, setup),
        cmocka_unit_test_setup(test_wildcard, setup),
        cmocka_unit_test_setup(test_out_of_zone_refused, setup),
        cmocka_unit_test_setup(test_no_zone_no_authority, setup),
        cmocka_unit_test_setup(test_zones, setup),
        cmocka_unit_test_setup(test_updater_failure, setup),
        cmocka_unit_test_setup(test_cleanup_exact, setup),
        cmocka_unit_test_setup(test_bad_key_authorization, setup),
        cmocka_unit_test_setup(test_bound, setup),
        cmocka_unit_test_setup(test_capability, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
